/* Integer executor: runs a checked quantised model bit-exactly as the prover
 * will prove it. No floating point anywhere in this file. */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "graph/conv2d.h"
#include "quant/qmodel.h"

static int64_t bidx(const zki_qtensor *y, const zki_qtensor *x, int64_t k)
{
    int64_t idx = 0, stride = 1;
    for (int a = y->rank - 1; a >= 0; a--) {
        int64_t c = y->dims[a] ? k % y->dims[a] : 0;
        k = y->dims[a] ? k / y->dims[a] : 0;
        int ia = a - (y->rank - x->rank);
        if (ia >= 0) {
            if (x->dims[ia] != 1)
                idx += c * stride;
            stride *= x->dims[ia];
        }
    }
    return idx;
}

static int64_t isqrt(int64_t v)
{
    if (v <= 0)
        return 0;
    int64_t r = 0, bit = (int64_t)1 << 62;
    while (bit > v)
        bit >>= 2;
    while (bit) {
        if (v >= r + bit) {
            v -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
        bit >>= 2;
    }
    return r;
}

/* floor(a / b) for b > 0 */
static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

static void q_linear(const zki_qmodel *m, const zki_qnode *n, int64_t **v)
{
    const zki_qtensor *x = &m->t[n->in[0]], *w = &m->t[n->in[1]];
    int64_t K = w->dims[1], N = w->dims[0], rows = zki_qnumel(x) / (K ? K : 1);
    const int64_t *X = v[n->in[0]], *W = v[n->in[1]], *B = n->in[2] >= 0 ? v[n->in[2]] : NULL;
    int64_t *Y = v[n->out];
    int s = (int)n->p[1];
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t r = 0; r < rows; r++)
        for (int64_t j = 0; j < N; j++) {
            int64_t acc = B ? B[j] : 0;
            for (int64_t k = 0; k < K; k++)
                acc += X[r * K + k] * W[j * K + k];
            Y[r * N + j] = zki_rq(acc, n->p[0], s, n->p[2], n->p[3]);
        }
}

static void q_conv_naive(const zki_qmodel *m, const zki_qnode *n, int64_t **v)
{
    const zki_qtensor *x = &m->t[n->in[0]], *w = &m->t[n->in[1]], *y = &m->t[n->out];
    const int64_t *p = n->p;
    int64_t grp = p[4], kh = p[5], kw = p[6], sh = p[7], sw = p[8], dh = p[9], dw = p[10], pt = p[11], pl = p[12];
    int64_t N = x->dims[0], C = x->dims[1], H = x->dims[2], W = x->dims[3], M = w->dims[0];
    int64_t OH = y->dims[2], OW = y->dims[3], cg = C / grp, mg = M / grp;
    const int64_t *X = v[n->in[0]], *Wt = v[n->in[1]], *B = n->in[2] >= 0 ? v[n->in[2]] : NULL;
    int64_t *Y = v[n->out];
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t b = 0; b < N; b++)
        for (int64_t o = 0; o < M; o++) {
            int64_t g0 = o / mg;
            for (int64_t oy = 0; oy < OH; oy++)
                for (int64_t ox = 0; ox < OW; ox++) {
                    int64_t acc = B ? B[o] : 0;
                    for (int64_t c = 0; c < cg; c++)
                        for (int64_t ky = 0; ky < kh; ky++) {
                            int64_t iy = oy * sh - pt + ky * dh;
                            if (iy < 0 || iy >= H)
                                continue;
                            for (int64_t kx = 0; kx < kw; kx++) {
                                int64_t ix = ox * sw - pl + kx * dw;
                                if (ix < 0 || ix >= W)
                                    continue;
                                acc += X[((b * C + g0 * cg + c) * H + iy) * W + ix] * Wt[((o * cg + c) * kh + ky) * kw + kx];
                            }
                        }
                    Y[((b * M + o) * OH + oy) * OW + ox] = zki_rq(acc, p[0], (int)p[1], p[2], p[3]);
                }
        }
}

/* Exact sums from the blocked kernel when they fit its bound, else the
 * naive int64 loop; either way the same integers. */
static void q_conv(const zki_qmodel *m, const zki_qnode *n, int64_t **v)
{
    const zki_qtensor *x = &m->t[n->in[0]], *w = &m->t[n->in[1]], *y = &m->t[n->out];
    const int64_t *p = n->p;
    zki_conv2d_geom g = {x->dims[0], x->dims[1], x->dims[2], x->dims[3], w->dims[0], p[4], p[5], p[6],
                         p[7],       p[8],       p[9],       p[10],      p[11],      p[12], y->dims[2], y->dims[3]};
    int64_t *Y = v[n->out], cnt = zki_qnumel(y);
    if (!zki_conv2d_i64(&g, v[n->in[0]], v[n->in[1]], n->in[2] >= 0 ? v[n->in[2]] : NULL, Y)) {
        q_conv_naive(m, n, v);
        return;
    }
#pragma omp parallel for schedule(static)
    for (int64_t k = 0; k < cnt; k++)
        Y[k] = zki_rq(Y[k], p[0], (int)p[1], p[2], p[3]);
}

/* All n_in products share the shift: one requantisation of the exact sum.
 * Inputs of the output's shape are read in place, the rest broadcast. */
static void q_add(const zki_qmodel *m, const zki_qnode *n, int64_t **v)
{
    const zki_qtensor *y = &m->t[n->out];
    int64_t yn = zki_qnumel(y);
    int ni = n->n_in, same[ZKI_QMAX_IN];
    for (int j = 0; j < ni; j++)
        same[j] = zki_qnumel(&m->t[n->in[j]]) == yn && m->t[n->in[j]].rank == y->rank;
    const int64_t *p = n->p;
#pragma omp parallel for schedule(static)
    for (int64_t k = 0; k < yn; k++) {
        int64_t acc = 0;
        for (int j = 0; j < ni; j++)
            acc += v[n->in[j]][same[j] ? k : bidx(y, &m->t[n->in[j]], k)] * p[j];
        v[n->out][k] = zki_rq(acc, 1, (int)p[ni], p[ni + 1], p[ni + 2]);
    }
}

static void q_matmul(const zki_qmodel *m, const zki_qnode *n, int64_t **v)
{
    const zki_qtensor *a = &m->t[n->in[0]], *b = &m->t[n->in[1]], *y = &m->t[n->out];
    zki_qtensor ba = *a, bb = *b, by = *y;
    ba.rank -= 2;
    bb.rank -= 2;
    by.rank -= 2;
    int64_t R = a->dims[a->rank - 2], K = a->dims[a->rank - 1], N = b->dims[b->rank - 1];
    int64_t nb = zki_qnumel(&by);
    const int64_t *A = v[n->in[0]], *B = v[n->in[1]];
    int64_t *Y = v[n->out];
#pragma omp parallel for schedule(static)
    for (int64_t bi = 0; bi < nb; bi++) {
        const int64_t *pa = A + bidx(&by, &ba, bi) * R * K, *pb = B + bidx(&by, &bb, bi) * K * N;
        for (int64_t i = 0; i < R; i++)
            for (int64_t j = 0; j < N; j++) {
                int64_t acc = 0;
                for (int64_t k = 0; k < K; k++)
                    acc += pa[i * K + k] * pb[k * N + j];
                Y[bi * R * N + i * N + j] = zki_rq(acc, n->p[0], (int)n->p[1], n->p[2], n->p[3]);
            }
    }
}

static void q_pool(const zki_qmodel *m, const zki_qnode *n, int64_t **v)
{
    const zki_qtensor *x = &m->t[n->in[0]], *y = &m->t[n->out];
    int is_max = n->op == ZKI_QOP_MAXPOOL;
    const int64_t *w = is_max ? n->p : n->p + 4;
    int64_t kh = w[0], kw = w[1], sh = w[2], sw = w[3];
    int64_t dh = is_max ? w[4] : 1, dw = is_max ? w[5] : 1;
    int64_t pt = is_max ? w[6] : w[4], pl = is_max ? w[7] : w[5];
    int64_t NC = x->dims[0] * x->dims[1], H = x->dims[2], W = x->dims[3], OH = y->dims[2], OW = y->dims[3];
    const int64_t *X = v[n->in[0]];
    int64_t *Y = v[n->out];
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < NC; c++)
        for (int64_t oy = 0; oy < OH; oy++)
            for (int64_t ox = 0; ox < OW; ox++) {
                int64_t acc = 0, mx = INT64_MIN;
                for (int64_t ky = 0; ky < kh; ky++) {
                    int64_t iy = oy * sh - pt + ky * dh;
                    if (iy < 0 || iy >= H)
                        continue;
                    for (int64_t kx = 0; kx < kw; kx++) {
                        int64_t ix = ox * sw - pl + kx * dw;
                        if (ix < 0 || ix >= W)
                            continue;
                        int64_t a = X[(c * H + iy) * W + ix];
                        acc += a;
                        if (a > mx)
                            mx = a;
                    }
                }
                if (is_max)
                    Y[(c * OH + oy) * OW + ox] = mx == INT64_MIN ? 0 : mx;
                else
                    Y[(c * OH + oy) * OW + ox] = zki_rq(acc, n->p[0], (int)n->p[1], n->p[2], n->p[3]);
            }
}

static void q_mean(const zki_qmodel *m, const zki_qnode *n, int64_t **v)
{
    const zki_qtensor *x = &m->t[n->in[0]], *y = &m->t[n->out];
    int64_t xn = zki_qnumel(x), yn = zki_qnumel(y);
    int r = x->rank;
    int64_t *Y = v[n->out];
    const int64_t *X = v[n->in[0]];
    memset(Y, 0, sizeof(int64_t) * (size_t)yn);
    for (int64_t k = 0; k < xn; k++) {
        int64_t rem = k, oi = 0, stride = 1;
        for (int a = r - 1; a >= 0; a--) {
            int64_t c = rem % x->dims[a];
            rem /= x->dims[a];
            if (!(n->p[4] >> a & 1))
                oi += c * stride;
            stride *= y->dims[a];
        }
        Y[oi] += X[k];
    }
    for (int64_t k = 0; k < yn; k++)
        Y[k] = zki_rq(Y[k], n->p[0], (int)n->p[1], n->p[2], n->p[3]);
}

static void q_layout(const zki_qmodel *m, const zki_qnode *n, int64_t **v)
{
    const zki_qtensor *x = &m->t[n->in[0]], *y = &m->t[n->out];
    int r = x->rank;
    int64_t yn = zki_qnumel(y), xs[ZKI_QMAX_RANK], s = 1;
    for (int a = r - 1; a >= 0; a--) {
        xs[a] = s;
        s *= x->dims[a];
    }
    const int64_t *X = v[n->in[0]];
    int64_t *Y = v[n->out];
    for (int64_t k = 0; k < yn; k++) {
        int64_t rem = k, si = 0;
        int outside = 0;
        for (int a = r - 1; a >= 0; a--) {
            int64_t c = rem % y->dims[a];
            rem /= y->dims[a];
            if (n->op == ZKI_QOP_TRANSPOSE) {
                si += c * xs[n->p[a]];
            } else if (n->op == ZKI_QOP_SLICE) {
                si += (n->p[a] + c * n->p[r + a]) * xs[a];
            } else { /* PAD */
                int64_t d = x->dims[a], ic = c - n->p[2 + a];
                if (ic < 0 || ic >= d) {
                    if (n->p[0] == 0)
                        outside = 1;
                    else if (n->p[0] == 2)
                        ic = ic < 0 ? 0 : d - 1;
                    else
                        ic = ic < 0 ? -ic : 2 * (d - 1) - ic;
                    if (ic < 0 || ic >= d) /* unreachable for checked models */
                        ic = ic < 0 ? 0 : d - 1;
                }
                si += ic * xs[a];
            }
        }
        Y[k] = outside ? n->p[1] : X[si];
    }
}

/* Trilu: (i, j) of the last two axes kept where j >= i + k (upper) or
 * j <= i + k, else the value p[2]. */
static void q_trilu(const zki_qmodel *m, const zki_qnode *n, int64_t **v)
{
    const zki_qtensor *x = &m->t[n->in[0]];
    int64_t I = x->dims[x->rank - 2], J = x->dims[x->rank - 1], xn = zki_qnumel(x);
    const int64_t *X = v[n->in[0]];
    int64_t *Y = v[n->out];
    for (int64_t e = 0; e < xn; e++) {
        int64_t j = e % J, i = (e / J) % I, d = j - i - n->p[1];
        Y[e] = (n->p[0] ? d >= 0 : d <= 0) ? X[e] : n->p[2];
    }
}

static zki_status q_gather(const zki_qmodel *m, const zki_qnode *n, int64_t **v)
{
    const zki_qtensor *x = &m->t[n->in[0]], *idx = &m->t[n->in[1]];
    int ax = (int)n->p[0];
    int64_t outer = 1, mid = x->dims[ax], inner = 1, ni = zki_qnumel(idx);
    for (int a = 0; a < ax; a++)
        outer *= x->dims[a];
    for (int a = ax + 1; a < x->rank; a++)
        inner *= x->dims[a];
    const int64_t *I = v[n->in[1]];
    for (int64_t j = 0; j < ni; j++)
        if (I[j] < -mid || I[j] >= mid)
            return zki_fail(ZKI_ERR_INPUT, "quantised node '%s' (Gather): index %lld out of range", n->name,
                            (long long)I[j]);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t j = 0; j < ni; j++) {
            int64_t s = I[j] < 0 ? I[j] + mid : I[j];
            memcpy(v[n->out] + (o * ni + j) * inner, v[n->in[0]] + (o * mid + s) * inner, sizeof(int64_t) * (size_t)inner);
        }
    return ZKI_OK;
}

static void q_softmax(const zki_qmodel *m, const zki_qnode *n, int64_t **v)
{
    const zki_qtensor *x = &m->t[n->in[0]];
    int64_t nn = x->rank ? x->dims[x->rank - 1] : 1, rows = zki_qnumel(x) / (nn ? nn : 1), qo = n->p[0];
    const int64_t *X = v[n->in[0]], *T = v[n->in[1]];
    const int64_t *Mk = n->n_in > 2 && n->in[2] >= 0 ? v[n->in[2]] : NULL;
    int64_t nm = Mk ? zki_qnumel(&m->t[n->in[2]]) : 1;
    int64_t *Y = v[n->out];
    for (int64_t r = 0; r < rows; r++) {
        const int64_t *px = X + r * nn;
        const int64_t *pm = Mk ? Mk + (r * nn) % nm : NULL;
        int64_t *py = Y + r * nn, mx = INT64_MIN, sum = 0;
        for (int64_t k = 0; k < nn; k++)
            if ((!pm || pm[k]) && px[k] > mx)
                mx = px[k];
        for (int64_t k = 0; k < nn; k++) {
            py[k] = (!pm || pm[k]) ? T[mx - px[k]] : 0;
            sum += py[k];
        }
        for (int64_t k = 0; k < nn; k++)
            py[k] = sum ? floordiv(2 * py[k] * qo + sum, 2 * sum) : 0;
    }
}

static void q_layernorm(const zki_qmodel *m, const zki_qnode *n, int64_t **v)
{
    const zki_qtensor *x = &m->t[n->in[0]];
    int64_t nn = x->dims[x->rank - 1], rows = zki_qnumel(x) / nn, E = n->p[4];
    int F = (int)n->p[5];
    const int64_t *X = v[n->in[0]], *G = v[n->in[1]], *B = v[n->in[2]];
    int64_t *Y = v[n->out];
    for (int64_t r = 0; r < rows; r++) {
        const int64_t *px = X + r * nn;
        int64_t sum = 0, V = 0;
        for (int64_t k = 0; k < nn; k++)
            sum += px[k];
        for (int64_t k = 0; k < nn; k++) {
            int64_t d = nn * px[k] - sum;
            V += d * d;
        }
        int64_t R = isqrt((V + E) / nn);
        for (int64_t k = 0; k < nn; k++) {
            int64_t d = nn * px[k] - sum;
            /* u = round(d * 2^F / R) as floor((2 d 2^F + R) / (2R)) */
            int64_t u = R ? floordiv(2 * d * ((int64_t)1 << F) + R, 2 * R) : 0;
            Y[r * nn + k] = zki_rq(u * G[k] + B[k], n->p[0], (int)n->p[1], n->p[2], n->p[3]);
        }
    }
}

void zki_qexec_free(const zki_qmodel *m, int64_t **vals)
{
    if (!vals)
        return;
    for (int t = 0; t < m->n_t; t++)
        if (m->t[t].kind != ZKI_QT_CONST)
            free(vals[t]);
    free(vals);
}

zki_status zki_qexec(const zki_qmodel *m, int64_t *const *inputs, int64_t ***out)
{
    *out = NULL;
    int64_t **v = calloc((size_t)m->n_t + 1, sizeof(int64_t *));
    if (!v)
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    zki_status st = ZKI_OK;
    for (int t = 0; t < m->n_t; t++) {
        if (m->t[t].kind == ZKI_QT_CONST) {
            v[t] = m->t[t].data;
            continue;
        }
        int64_t cnt = zki_qnumel(&m->t[t]);
        v[t] = calloc((size_t)(cnt > 0 ? cnt : 1), sizeof(int64_t));
        if (!v[t]) {
            st = zki_fail(ZKI_ERR_NOMEM, "tensor '%s': out of memory", m->t[t].name);
            goto fail;
        }
    }
    for (int k = 0; k < m->n_inputs; k++) {
        const zki_qtensor *t = &m->t[m->inputs[k]];
        int64_t cnt = zki_qnumel(t), h = t->bits >= 64 ? 0 : (int64_t)1 << (t->bits - 1);
        for (int64_t e = 0; e < cnt; e++) {
            int64_t a = inputs[k][e];
            if (h && (a < -h || a >= h)) {
                st = zki_fail(ZKI_ERR_INPUT, "input '%s': element %lld = %lld outside int%d", t->name, (long long)e,
                              (long long)a, t->bits);
                goto fail;
            }
            v[m->inputs[k]][e] = a;
        }
    }
    for (int i = 0; i < m->n_nodes; i++) {
        const zki_qnode *n = &m->nodes[i];
        const zki_qtensor *y = &m->t[n->out];
        int64_t yn = zki_qnumel(y);
        const int64_t *p = n->p;
        switch (n->op) {
        case ZKI_QOP_LINEAR: q_linear(m, n, v); break;
        case ZKI_QOP_CONV: q_conv(m, n, v); break;
        case ZKI_QOP_MATMUL: q_matmul(m, n, v); break;
        case ZKI_QOP_ADD: q_add(m, n, v); break;
        case ZKI_QOP_MUL: {
            const zki_qtensor *a = &m->t[n->in[0]], *b = &m->t[n->in[1]];
            for (int64_t k = 0; k < yn; k++) {
                int64_t xa = v[n->in[0]][bidx(y, a, k)], xb = v[n->in[1]][bidx(y, b, k)];
                v[n->out][k] = zki_rq(xa * xb, p[0], (int)p[1], p[2], p[3]);
            }
            break;
        }
        case ZKI_QOP_REQUANT:
#pragma omp parallel for schedule(static)
            for (int64_t k = 0; k < yn; k++)
                v[n->out][k] = zki_rq(v[n->in[0]][k], p[0], (int)p[1], p[2], p[3]);
            break;
        case ZKI_QOP_LUT: {
            int64_t T = zki_qnumel(&m->t[n->in[1]]);
            for (int64_t k = 0; k < yn; k++) {
                int64_t j = v[n->in[0]][k] - p[0];
                if (j < 0 || j >= T) {
                    st = zki_fail(ZKI_ERR_INPUT, "quantised node '%s' (Lut): input outside the table", n->name);
                    goto fail;
                }
                v[n->out][k] = v[n->in[1]][j];
            }
            break;
        }
        case ZKI_QOP_MAXPOOL: case ZKI_QOP_AVGPOOL: q_pool(m, n, v); break;
        case ZKI_QOP_MEAN: q_mean(m, n, v); break;
        case ZKI_QOP_RESHAPE: memcpy(v[n->out], v[n->in[0]], sizeof(int64_t) * (size_t)yn); break;
        case ZKI_QOP_TRANSPOSE: case ZKI_QOP_SLICE: case ZKI_QOP_PAD: q_layout(m, n, v); break;
        case ZKI_QOP_CONCAT: {
            int ax = (int)p[0];
            int64_t outer = 1, inner = 1, off = 0;
            for (int a = 0; a < ax; a++)
                outer *= y->dims[a];
            for (int a = ax + 1; a < y->rank; a++)
                inner *= y->dims[a];
            for (int t = 0; t < n->n_in; t++) {
                int64_t len = m->t[n->in[t]].dims[ax] * inner;
                for (int64_t q = 0; q < outer; q++)
                    memcpy(v[n->out] + q * y->dims[ax] * inner + off, v[n->in[t]] + q * len,
                           sizeof(int64_t) * (size_t)len);
                off += len;
            }
            break;
        }
        case ZKI_QOP_GATHER:
            if ((st = q_gather(m, n, v)) != ZKI_OK)
                goto fail;
            break;
        case ZKI_QOP_SOFTMAX: q_softmax(m, n, v); break;
        case ZKI_QOP_TRILU: q_trilu(m, n, v); break;
        case ZKI_QOP_LAYERNORM: q_layernorm(m, n, v); break;
        default:
            st = zki_fail(ZKI_ERR_INPUT, "quantised node %d: unknown op", i);
            goto fail;
        }
    }
    *out = v;
    return ZKI_OK;
fail:
    zki_qexec_free(m, v);
    return st;
}
