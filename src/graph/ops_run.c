/* Float reference kernels (see ops.h). Accumulations are in double so the
 * reference is stable; these run at import (constant folding), in the
 * conformance test and during calibration, never in the prover. */
#include "graph/ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "graph/conv2d.h"

#define NF(code, ...) zki_node_fail(n, code, __VA_ARGS__)

static const zki_tensor *tin(const zki_graph *g, const zki_node *n, int k)
{
    return (k < n->n_in && n->in[k] >= 0) ? &g->t[n->in[k]] : NULL;
}

static int is_float_ty(const zki_tensor *t)
{
    return zki_et_is_float(t->et) == 1;
}

/* Unsigned arithmetic so hostile constants wrap instead of overflowing. */
static int64_t wrap_add(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static int64_t wrap_sub(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }
static int64_t wrap_mul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }

static zki_status run_binary(const zki_graph *g, const zki_node *n, zki_buf *v)
{
    const zki_tensor *a = tin(g, n, 0), *b = tin(g, n, 1), *o = &g->t[n->out[0]];
    int64_t cnt = zki_tensor_numel(o);
    const zki_buf *va = &v[n->in[0]], *vb = &v[n->in[1]];
    zki_buf *vo = &v[n->out[0]];
    if (is_float_ty(a)) {
        /* inputs of the output's size are read in place (no broadcast) */
        int sa = zki_tensor_numel(a) == cnt, sb = zki_tensor_numel(b) == cnt;
#pragma omp parallel for schedule(static)
        for (int64_t k = 0; k < cnt; k++) {
            float x = va->f[sa ? k : zki_bcast_index(o->rank, o->dims, a->rank, a->dims, k)];
            int64_t jb = sb ? k : zki_bcast_index(o->rank, o->dims, b->rank, b->dims, k);
            float y = is_float_ty(b) ? vb->f[jb] : (float)vb->i[jb];
            float r;
            switch (n->op) {
            case ZKI_OP_ADD: r = x + y; break;
            case ZKI_OP_SUB: r = x - y; break;
            case ZKI_OP_MUL: r = x * y; break;
            case ZKI_OP_DIV: r = x / y; break;
            default: r = powf(x, y); break;
            }
            vo->f[k] = r;
        }
        return ZKI_OK;
    }
    for (int64_t k = 0; k < cnt; k++) {
        int64_t x = va->i[zki_bcast_index(o->rank, o->dims, a->rank, a->dims, k)];
        int64_t y = vb->i[zki_bcast_index(o->rank, o->dims, b->rank, b->dims, k)];
        int64_t r;
        switch (n->op) {
        case ZKI_OP_ADD: r = wrap_add(x, y); break;
        case ZKI_OP_SUB: r = wrap_sub(x, y); break;
        case ZKI_OP_MUL: r = wrap_mul(x, y); break;
        case ZKI_OP_DIV:
            if (y == 0)
                return NF(ZKI_ERR_INPUT, "integer division by zero");
            r = (y == -1) ? wrap_sub(0, x) : x / y;
            break;
        default:
            return NF(ZKI_ERR_UNSUPPORTED, "integer Pow");
        }
        vo->i[k] = r;
    }
    return ZKI_OK;
}

int zki_unary_is(int op)
{
    switch (op) {
    case ZKI_OP_RELU: case ZKI_OP_LEAKYRELU: case ZKI_OP_SIGMOID: case ZKI_OP_TANH: case ZKI_OP_ERF:
    case ZKI_OP_SQRT: case ZKI_OP_GELU: case ZKI_OP_POW: case ZKI_OP_HARDSIGMOID: case ZKI_OP_HARDSWISH:
    case ZKI_OP_EXP: case ZKI_OP_LOG: case ZKI_OP_RECIPROCAL: case ZKI_OP_SOFTPLUS: case ZKI_OP_ELU:
    case ZKI_OP_SELU: case ZKI_OP_CELU: case ZKI_OP_MISH: case ZKI_OP_SOFTSIGN: case ZKI_OP_NEG:
    case ZKI_OP_ABS: case ZKI_OP_PRELU: case ZKI_OP_SWISH:
        return 1;
    default:
        return 0;
    }
}

void zki_unary_params(const zki_node *n, zki_unary *u)
{
    u->a = u->b = 0;
    u->tanh_approx = 0;
    switch (n->op) {
    case ZKI_OP_LEAKYRELU: u->a = zki_attr_float(n, "alpha", 0.01); break;
    case ZKI_OP_HARDSIGMOID:
        u->a = zki_attr_float(n, "alpha", 0.2);
        u->b = zki_attr_float(n, "beta", 0.5);
        break;
    case ZKI_OP_ELU: case ZKI_OP_CELU: case ZKI_OP_SWISH: u->a = zki_attr_float(n, "alpha", 1.0); break;
    case ZKI_OP_SELU:
        u->a = zki_attr_float(n, "alpha", 1.67326319217681884765625);
        u->b = zki_attr_float(n, "gamma", 1.05070102214813232421875);
        break;
    case ZKI_OP_GELU: u->tanh_approx = strcmp(zki_attr_str(n, "approximate", "none"), "tanh") == 0; break;
    default: break; /* Pow's exponent and PRelu's slope are inputs: the caller sets a */
    }
}

static double softplus(double x)
{
    return x > 30 ? x : log1p(exp(x)); /* exact to double precision past 30 */
}

double zki_unary_eval(int op, const zki_unary *u, double x)
{
    switch (op) {
    case ZKI_OP_RELU: return x > 0 ? x : 0;
    case ZKI_OP_LEAKYRELU: case ZKI_OP_PRELU: return x >= 0 ? x : u->a * x;
    case ZKI_OP_SIGMOID: return 1.0 / (1.0 + exp(-x));
    case ZKI_OP_TANH: return tanh(x);
    case ZKI_OP_ERF: return erf(x);
    case ZKI_OP_SQRT: return sqrt(x);
    case ZKI_OP_POW: return pow(x, u->a);
    case ZKI_OP_GELU:
        if (u->tanh_approx)
            return 0.5 * x * (1.0 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
        return 0.5 * x * (1.0 + erf(x * 0.7071067811865476));
    case ZKI_OP_HARDSIGMOID: return fmax(0.0, fmin(1.0, u->a * x + u->b));
    case ZKI_OP_HARDSWISH: return x * fmax(0.0, fmin(1.0, x / 6.0 + 0.5));
    case ZKI_OP_EXP: return exp(x);
    case ZKI_OP_LOG: return log(x);
    case ZKI_OP_RECIPROCAL: return 1.0 / x;
    case ZKI_OP_SOFTPLUS: return softplus(x);
    case ZKI_OP_ELU: return x >= 0 ? x : u->a * expm1(x);
    case ZKI_OP_SELU: return u->b * (x > 0 ? x : u->a * expm1(x));
    case ZKI_OP_CELU: return fmax(0.0, x) + fmin(0.0, u->a * expm1(x / u->a));
    case ZKI_OP_MISH: return x * tanh(softplus(x));
    case ZKI_OP_SOFTSIGN: return x / (1.0 + fabs(x));
    case ZKI_OP_NEG: return -x;
    case ZKI_OP_ABS: return fabs(x);
    case ZKI_OP_SWISH: return x / (1.0 + exp(-u->a * x));
    default: return x;
    }
}

static zki_status run_unary(const zki_graph *g, const zki_node *n, zki_buf *v)
{
    const zki_tensor *o = &g->t[n->out[0]];
    int64_t cnt = zki_tensor_numel(o);
    const float *x = v[n->in[0]].f;
    float *y = v[n->out[0]].f;
    if (n->op == ZKI_OP_CLIP) {
        float lo = -INFINITY, hi = INFINITY;
        if (tin(g, n, 1))
            lo = v[n->in[1]].f ? v[n->in[1]].f[0] : (float)v[n->in[1]].i[0];
        if (tin(g, n, 2))
            hi = v[n->in[2]].f ? v[n->in[2]].f[0] : (float)v[n->in[2]].i[0];
        for (int64_t k = 0; k < cnt; k++)
            y[k] = x[k] < lo ? lo : (x[k] > hi ? hi : x[k]);
        return ZKI_OK;
    }
    zki_unary u;
    zki_unary_params(n, &u);
    if (n->op == ZKI_OP_PRELU) { /* the slope broadcasts to x */
        const zki_tensor *s = tin(g, n, 1);
        const float *sv = v[n->in[1]].f;
        for (int64_t k = 0; k < cnt; k++) {
            u.a = sv[zki_bcast_index(o->rank, o->dims, s->rank, s->dims, k)];
            y[k] = (float)zki_unary_eval(n->op, &u, x[k]);
        }
        return ZKI_OK;
    }
#pragma omp parallel for schedule(static)
    for (int64_t k = 0; k < cnt; k++)
        y[k] = (float)zki_unary_eval(n->op, &u, x[k]);
    return ZKI_OK;
}

static void run_gemm(const zki_graph *g, const zki_node *n, zki_buf *v)
{
    const zki_tensor *a = tin(g, n, 0), *c = tin(g, n, 2);
    const zki_tensor *o = &g->t[n->out[0]];
    int ta = zki_attr_int(n, "transA", 0) != 0, tb = zki_attr_int(n, "transB", 0) != 0;
    double alpha = zki_attr_float(n, "alpha", 1.0), beta = zki_attr_float(n, "beta", 1.0);
    int64_t m = o->dims[0], nn = o->dims[1], kk = ta ? a->dims[0] : a->dims[1];
    const float *A = v[n->in[0]].f, *B = v[n->in[1]].f, *C = c ? v[n->in[2]].f : NULL;
    float *Y = v[n->out[0]].f;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < nn; j++) {
            double s = 0;
            for (int64_t k = 0; k < kk; k++)
                s += (double)A[ta ? k * m + i : i * kk + k] * B[tb ? j * kk + k : k * nn + j];
            s *= alpha;
            if (C)
                s += beta * C[zki_bcast_index(2, o->dims, c->rank, c->dims, i * nn + j)];
            Y[i * nn + j] = (float)s;
        }
    }
}

static void run_matmul(const zki_graph *g, const zki_node *n, zki_buf *v)
{
    const zki_tensor *a = tin(g, n, 0), *b = tin(g, n, 1), *o = &g->t[n->out[0]];
    int64_t kk = a->dims[a->rank - 1];
    int64_t m = a->rank >= 2 ? a->dims[a->rank - 2] : 1;
    int64_t nn = b->rank >= 2 ? b->dims[b->rank - 1] : 1;
    /* batch shapes of a, b and out (out batch = out dims minus the matrix dims) */
    int rba = a->rank > 2 ? a->rank - 2 : 0, rbb = b->rank > 2 ? b->rank - 2 : 0;
    int rbo = o->rank - (a->rank >= 2) - (b->rank >= 2);
    int64_t nb = zki_shape_numel(rbo, o->dims);
    const float *A = v[n->in[0]].f, *B = v[n->in[1]].f;
    float *Y = v[n->out[0]].f;
    /* one output row per task, B read row by row into a row of double sums:
     * each sum still adds its k terms in order (the results are the plain
     * triple loop's, bit for bit), but B streams instead of striding */
#pragma omp parallel
    {
        double *s = malloc(sizeof(double) * (size_t)(nn > 0 ? nn : 1));
#pragma omp for schedule(static)
        for (int64_t row = 0; row < nb * m; row++) {
            int64_t bi = row / m, i = row % m;
            int64_t ia = zki_bcast_index(rbo, o->dims, rba, a->dims, bi);
            int64_t ib = zki_bcast_index(rbo, o->dims, rbb, b->dims, bi);
            const float *pa = A + ia * m * kk + i * kk, *pb = B + ib * kk * nn;
            float *py = Y + bi * m * nn + i * nn;
            if (!s) { /* out of memory: the plain loop */
                for (int64_t j = 0; j < nn; j++) {
                    double t = 0;
                    for (int64_t k = 0; k < kk; k++)
                        t += (double)pa[k] * pb[k * nn + j];
                    py[j] = (float)t;
                }
                continue;
            }
            memset(s, 0, sizeof(double) * (size_t)nn);
            for (int64_t k = 0; k < kk; k++) {
                double ak = pa[k];
                const float *bk = pb + k * nn;
                for (int64_t j = 0; j < nn; j++)
                    s[j] += ak * bk[j];
            }
            for (int64_t j = 0; j < nn; j++)
                py[j] = (float)s[j];
        }
        free(s);
    }
}

static zki_status run_conv(const zki_graph *g, const zki_node *n, zki_buf *v)
{
    const zki_tensor *x = tin(g, n, 0), *w = tin(g, n, 1), *bt = tin(g, n, 2);
    zki_win2d p;
    zki_status st = zki_win2d_resolve(n, x->dims[2], x->dims[3], w->dims[2], w->dims[3], 0, &p);
    if (st != ZKI_OK)
        return st;
    zki_conv2d_geom cg = {x->dims[0], x->dims[1], x->dims[2], x->dims[3], w->dims[0], zki_attr_int(n, "group", 1),
                          p.kh, p.kw, p.sh, p.sw, p.dh, p.dw, p.pt, p.pl, p.oh, p.ow};
    if (!zki_conv2d_f32(&cg, v[n->in[0]].f, v[n->in[1]].f, bt ? v[n->in[2]].f : NULL, v[n->out[0]].f))
        return NF(ZKI_ERR_NOMEM, "out of memory");
    return ZKI_OK;
}

static zki_status run_pool(const zki_graph *g, const zki_node *n, zki_buf *v)
{
    const zki_tensor *x = tin(g, n, 0);
    const int64_t *ks;
    zki_attr_ints(n, "kernel_shape", &ks);
    zki_win2d p;
    zki_status st = zki_win2d_resolve(n, x->dims[2], x->dims[3], ks[0], ks[1],
                                      (int)zki_attr_int(n, "ceil_mode", 0), &p);
    if (st != ZKI_OK)
        return st;
    int64_t NC = x->dims[0] * x->dims[1], H = x->dims[2], W = x->dims[3];
    int is_max = n->op == ZKI_OP_MAXPOOL, incl = zki_attr_int(n, "count_include_pad", 0) != 0;
    const float *X = v[n->in[0]].f;
    float *Y = v[n->out[0]].f;
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < NC; c++)
        for (int64_t oy = 0; oy < p.oh; oy++)
            for (int64_t ox = 0; ox < p.ow; ox++) {
                double s = 0, mx = -INFINITY;
                int64_t cnt = 0;
                for (int64_t ky = 0; ky < p.kh; ky++) {
                    int64_t iy = oy * p.sh - p.pt + ky * p.dh;
                    for (int64_t kx = 0; kx < p.kw; kx++) {
                        int64_t ix = ox * p.sw - p.pl + kx * p.dw;
                        int inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
                        if (inside) {
                            float a = X[(c * H + iy) * W + ix];
                            s += a;
                            if (a > mx)
                                mx = a;
                            cnt++;
                        } else if (incl && iy < H + p.pb && ix < W + p.pr) {
                            cnt++; /* padding counts, but not the ceil_mode overhang */
                        }
                    }
                }
                Y[(c * p.oh + oy) * p.ow + ox] = (float)(is_max ? mx : (cnt ? s / (double)cnt : 0));
            }
    return ZKI_OK;
}

/* Iterates an axis split of a tensor: outer x axis x inner. */
static void split3(const zki_tensor *t, int a0, int a1, int64_t *outer, int64_t *mid, int64_t *inner)
{
    *outer = zki_shape_numel(a0, t->dims);
    *mid = zki_shape_numel(a1 - a0, t->dims + a0);
    *inner = zki_shape_numel(t->rank - a1, t->dims + a1);
}

static void run_softmax(const zki_graph *g, const zki_node *n, zki_buf *v)
{
    const zki_tensor *x = tin(g, n, 0);
    int r = x->rank;
    int64_t ax = zki_attr_int(n, "axis", n->opset >= 13 ? -1 : 1);
    if (ax < 0)
        ax += r;
    int64_t outer, mid, inner;
    if (n->opset >= 13)
        split3(x, (int)ax, (int)ax + 1, &outer, &mid, &inner);
    else
        split3(x, (int)ax, r, &outer, &mid, &inner), mid *= inner, inner = 1;
    const float *X = v[n->in[0]].f;
    float *Y = v[n->out[0]].f;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            const float *px = X + o * mid * inner + i;
            float *py = Y + o * mid * inner + i;
            float mx = -INFINITY;
            for (int64_t k = 0; k < mid; k++)
                if (px[k * inner] > mx)
                    mx = px[k * inner];
            double s = 0;
            for (int64_t k = 0; k < mid; k++) {
                py[k * inner] = expf(px[k * inner] - mx);
                s += py[k * inner];
            }
            for (int64_t k = 0; k < mid; k++)
                py[k * inner] = (float)(py[k * inner] / s);
        }
}

/* Mean and 1/sqrt(var + eps) of the n values at px (in double). */
static void row_stats(const float *px, int64_t n, double eps, double *mu, double *inv)
{
    double m = 0, var = 0;
    for (int64_t k = 0; k < n; k++)
        m += px[k];
    m /= (double)(n ? n : 1);
    for (int64_t k = 0; k < n; k++)
        var += (px[k] - m) * (px[k] - m);
    var /= (double)(n ? n : 1);
    *mu = m;
    *inv = 1.0 / sqrt(var + eps);
}

/* LayerNorm, or RMSNorm (no mean subtracted: x / sqrt(mean(x^2) + eps),
 * scale only), over the axes from "axis" on. */
static void run_layernorm(const zki_graph *g, const zki_node *n, zki_buf *v)
{
    const zki_tensor *x = tin(g, n, 0);
    int r = x->rank, rms = n->op == ZKI_OP_RMSNORM;
    int64_t ax = zki_attr_int(n, "axis", -1);
    if (ax < 0)
        ax += r;
    double eps = zki_attr_float(n, "epsilon", 1e-5);
    int64_t outer, mid, inner;
    split3(x, (int)ax, r, &outer, &mid, &inner);
    const float *X = v[n->in[0]].f, *S = v[n->in[1]].f;
    const float *B = !rms && tin(g, n, 2) ? v[n->in[2]].f : NULL;
    float *Y = v[n->out[0]].f;
    float *Mean = !rms && n->n_out > 1 && n->out[1] >= 0 ? v[n->out[1]].f : NULL;
    float *Inv = !rms && n->n_out > 2 && n->out[2] >= 0 ? v[n->out[2]].f : NULL;
    for (int64_t o = 0; o < outer; o++) {
        const float *px = X + o * mid;
        double mu = 0, inv, ms = 0;
        if (rms) {
            for (int64_t k = 0; k < mid; k++)
                ms += (double)px[k] * px[k];
            inv = 1.0 / sqrt(ms / (double)(mid ? mid : 1) + eps);
        } else {
            row_stats(px, mid, eps, &mu, &inv);
        }
        for (int64_t k = 0; k < mid; k++)
            Y[o * mid + k] = (float)((px[k] - mu) * inv * S[k] + (B ? B[k] : 0));
        if (Mean)
            Mean[o] = (float)mu;
        if (Inv)
            Inv[o] = (float)inv;
    }
}

/* Each (sample, channel) of [N, C, spatial...] normalised over its spatial
 * values, then scale[c] and B[c]. */
static void run_instancenorm(const zki_graph *g, const zki_node *n, zki_buf *v)
{
    const zki_tensor *x = tin(g, n, 0);
    int64_t C = x->dims[1], rows = x->dims[0] * C, S = zki_shape_numel(x->rank - 2, x->dims + 2);
    double eps = zki_attr_float(n, "epsilon", 1e-5);
    const float *X = v[n->in[0]].f, *sc = v[n->in[1]].f, *bi = v[n->in[2]].f;
    float *Y = v[n->out[0]].f;
    for (int64_t o = 0; o < rows; o++) {
        double mu, inv;
        row_stats(X + o * S, S, eps, &mu, &inv);
        for (int64_t k = 0; k < S; k++)
            Y[o * S + k] = (float)((X[o * S + k] - mu) * inv * sc[o % C] + bi[o % C]);
    }
}

static void run_batchnorm(const zki_graph *g, const zki_node *n, zki_buf *v)
{
    const zki_tensor *x = tin(g, n, 0);
    int64_t N = x->dims[0], C = x->dims[1], S = zki_shape_numel(x->rank - 2, x->dims + 2);
    double eps = zki_attr_float(n, "epsilon", 1e-5);
    const float *X = v[n->in[0]].f, *sc = v[n->in[1]].f, *bi = v[n->in[2]].f, *mu = v[n->in[3]].f,
                *var = v[n->in[4]].f;
    float *Y = v[n->out[0]].f;
    for (int64_t b = 0; b < N; b++)
        for (int64_t c = 0; c < C; c++) {
            double k = sc[c] / sqrt(var[c] + eps);
            for (int64_t s = 0; s < S; s++) {
                int64_t idx = (b * C + c) * S + s;
                Y[idx] = (float)((X[idx] - mu[c]) * k + bi[c]);
            }
        }
}

static zki_status run_reducemean(const zki_graph *g, const zki_node *n, zki_buf *v)
{
    const zki_tensor *x = tin(g, n, 0), *o = &g->t[n->out[0]];
    int r = x->rank, red[ZKI_MAX_RANK] = {0}, any = 0;
    const int64_t *av;
    int ac = zki_attr_ints(n, "axes", &av);
    const zki_tensor *at = tin(g, n, 1);
    if (at) {
        ac = (int)zki_tensor_numel(at);
        av = v[n->in[1]].i;
    }
    for (int k = 0; k < ac; k++) {
        int a = (int)(av[k] < 0 ? av[k] + r : av[k]);
        red[a] = 1;
        any = 1;
    }
    if (!any && !zki_attr_int(n, "noop_with_empty_axes", 0))
        for (int a = 0; a < r; a++)
            red[a] = 1;
    int64_t on = zki_tensor_numel(o), xn = zki_tensor_numel(x), cnt = xn / (on ? on : 1);
    double *acc = calloc((size_t)(on ? on : 1), sizeof(double));
    const float *X = v[n->in[0]].f;
    float *Y = v[n->out[0]].f;
    int is_max = n->op == ZKI_OP_REDUCEMAX;
    if (!acc)
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    for (int64_t k = 0; k < on && is_max; k++)
        acc[k] = -INFINITY;
    /* out index of each input element: drop (or zero) the reduced coordinates */
    for (int64_t k = 0; k < xn; k++) {
        int64_t rem = k, oi = 0, stride = 1;
        for (int a = r - 1; a >= 0; a--) {
            int64_t c = rem % x->dims[a];
            rem /= x->dims[a];
            if (!red[a]) {
                oi += c * stride;
                stride *= x->dims[a];
            }
        }
        if (!is_max)
            acc[oi] += X[k];
        else if (X[k] > acc[oi] || X[k] != X[k])
            acc[oi] = X[k];
    }
    double div = n->op == ZKI_OP_REDUCEMEAN ? (double)(cnt ? cnt : 1) : 1.0;
    for (int64_t k = 0; k < on; k++)
        Y[k] = (float)(acc[k] / div);
    free(acc);
    return ZKI_OK;
}

/* Copies elements by an index map: dst[k] = src[map(k)] where map is given
 * per output coordinate; used by Transpose, Slice, Concat, Pad, Gather. */
static zki_status run_gather(const zki_graph *g, const zki_node *n, zki_buf *v)
{
    const zki_tensor *x = tin(g, n, 0), *idx = tin(g, n, 1);
    int r = x->rank;
    int64_t ax = zki_attr_int(n, "axis", 0);
    if (ax < 0)
        ax += r;
    int64_t outer, mid, inner;
    split3(x, (int)ax, (int)ax + 1, &outer, &mid, &inner);
    int64_t ni = zki_tensor_numel(idx);
    const int64_t *I = v[n->in[1]].i;
    int isf = is_float_ty(x);
    for (int64_t j = 0; j < ni; j++)
        if (I[j] < -mid || I[j] >= mid)
            return NF(ZKI_ERR_INPUT, "index %lld out of range [%lld, %lld)", (long long)I[j], (long long)-mid,
                      (long long)mid);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t j = 0; j < ni; j++) {
            int64_t s = I[j] < 0 ? I[j] + mid : I[j];
            int64_t src = (o * mid + s) * inner, dst = (o * ni + j) * inner;
            if (isf)
                memcpy(v[n->out[0]].f + dst, v[n->in[0]].f + src, sizeof(float) * (size_t)inner);
            else
                memcpy(v[n->out[0]].i + dst, v[n->in[0]].i + src, sizeof(int64_t) * (size_t)inner);
        }
    return ZKI_OK;
}

static void copy_elem(const zki_buf *src, int64_t si, zki_buf *dst, int64_t di)
{
    if (dst->f)
        dst->f[di] = src->f[si];
    else
        dst->i[di] = src->i[si];
}

static zki_status run_layout(const zki_graph *g, const zki_node *n, zki_buf *v)
{
    const zki_tensor *x = tin(g, n, 0), *o = &g->t[n->out[0]];
    int r = x->rank;
    int64_t on = zki_tensor_numel(o);
    zki_buf *vo = &v[n->out[0]];
    const zki_buf *vx = &v[n->in[0]];
    int64_t xs[ZKI_MAX_RANK]; /* row-major strides of the input */
    int64_t s = 1;
    for (int a = r - 1; a >= 0; a--) {
        xs[a] = s;
        s *= x->dims[a];
    }
    if (n->op == ZKI_OP_TRANSPOSE) {
        const int64_t *p;
        int pc = zki_attr_ints(n, "perm", &p);
        for (int64_t k = 0; k < on; k++) {
            int64_t rem = k, si = 0;
            for (int a = r - 1; a >= 0; a--) {
                int64_t c = rem % o->dims[a];
                rem /= o->dims[a];
                si += c * xs[pc ? p[a] : r - 1 - a];
            }
            copy_elem(vx, si, vo, k);
        }
        return ZKI_OK;
    }
    if (n->op == ZKI_OP_SLICE) {
        int64_t st[ZKI_MAX_RANK], sp[ZKI_MAX_RANK], ln[ZKI_MAX_RANK];
        zki_status e = zki_slice_resolve(g, n, st, sp, ln);
        if (e != ZKI_OK)
            return e;
        for (int64_t k = 0; k < on; k++) {
            int64_t rem = k, si = 0;
            for (int a = r - 1; a >= 0; a--) {
                int64_t c = rem % o->dims[a];
                rem /= o->dims[a];
                si += (st[a] + c * sp[a]) * xs[a];
            }
            copy_elem(vx, si, vo, k);
        }
        return ZKI_OK;
    }
    if (n->op == ZKI_OP_PAD) {
        int64_t b[ZKI_MAX_RANK], e[ZKI_MAX_RANK];
        int mode;
        zki_status es = zki_pad_resolve(g, n, b, e, &mode);
        if (es != ZKI_OK)
            return es;
        const zki_tensor *cv = tin(g, n, 2);
        float cf = 0;
        int64_t ci = 0;
        if (cv) {
            if (v[n->in[2]].f)
                cf = v[n->in[2]].f[0];
            else
                ci = v[n->in[2]].i[0];
        }
        for (int64_t k = 0; k < on; k++) {
            int64_t rem = k, si = 0;
            int outside = 0;
            for (int a = r - 1; a >= 0; a--) {
                int64_t c = rem % o->dims[a], d = x->dims[a];
                rem /= o->dims[a];
                int64_t ic = c - b[a];
                if (ic < 0 || ic >= d) {
                    if (mode == 0)
                        outside = 1;
                    else if (mode == 2)
                        ic = ic < 0 ? 0 : d - 1;
                    else
                        ic = ic < 0 ? -ic : 2 * (d - 1) - ic;
                }
                si += ic * xs[a];
            }
            if (outside) {
                if (vo->f)
                    vo->f[k] = cf;
                else
                    vo->i[k] = ci;
            } else {
                copy_elem(vx, si, vo, k);
            }
        }
        return ZKI_OK;
    }
    /* Concat */
    int ax = (int)zki_attr_int(n, "axis", 0);
    if (ax < 0)
        ax += r;
    int64_t outer = zki_shape_numel(ax, o->dims), inner = zki_shape_numel(r - ax - 1, o->dims + ax + 1);
    int64_t off = 0;
    for (int t = 0; t < n->n_in; t++) {
        const zki_tensor *xt = &g->t[n->in[t]];
        int64_t len = xt->dims[ax] * inner;
        for (int64_t q = 0; q < outer; q++)
            for (int64_t k = 0; k < len; k++)
                copy_elem(&v[n->in[t]], q * len + k, vo, q * o->dims[ax] * inner + off + k);
        off += len;
    }
    return ZKI_OK;
}

/* Split: each output a run of the axis, outer x part x inner blocks. */
static zki_status run_split(const zki_graph *g, const zki_node *n, zki_buf *v)
{
    const zki_tensor *x = tin(g, n, 0);
    int ax;
    int64_t len[ZKI_MAX_SPLIT];
    zki_status st = zki_split_resolve(g, n, &ax, len);
    if (st != ZKI_OK)
        return st;
    int64_t outer = zki_shape_numel(ax, x->dims), inner = zki_shape_numel(x->rank - ax - 1, x->dims + ax + 1);
    int64_t dim = x->dims[ax], off = 0;
    for (int k = 0; k < n->n_out; k++) {
        if (n->out[k] >= 0)
            for (int64_t o = 0; o < outer; o++)
                for (int64_t e = 0; e < len[k] * inner; e++)
                    copy_elem(&v[n->in[0]], (o * dim + off) * inner + e, &v[n->out[k]], o * len[k] * inner + e);
        off += len[k];
    }
    return ZKI_OK;
}

/* Nearest Resize: every output coordinate read from its source coordinate. */
static zki_status run_resize(const zki_graph *g, const zki_node *n, zki_buf *v)
{
    const zki_tensor *x = tin(g, n, 0), *o = &g->t[n->out[0]];
    int64_t od[ZKI_MAX_RANK];
    double sc[ZKI_MAX_RANK];
    zki_status st = zki_resize_resolve(g, n, od, sc);
    if (st != ZKI_OK)
        return st;
    int r = x->rank;
    int64_t on = zki_tensor_numel(o);
    for (int64_t k = 0; k < on; k++) {
        int64_t rem = k, si = 0, stride = 1;
        for (int a = r - 1; a >= 0; a--) {
            int64_t c = rem % o->dims[a];
            rem /= o->dims[a];
            si += zki_resize_src(n, x->dims[a], o->dims[a], sc[a], c) * stride;
            stride *= x->dims[a];
        }
        copy_elem(&v[n->in[0]], si, &v[n->out[0]], k);
    }
    return ZKI_OK;
}

static int64_t cast_int(double f, int et)
{
    if (f != f)
        return 0;
    if (f >= 9.2e18)
        return INT64_MAX;
    if (f <= -9.2e18)
        return INT64_MIN;
    int64_t x = (int64_t)f;
    switch (et) {
    case ZKI_ET_INT8: return (int8_t)(uint8_t)x;
    case ZKI_ET_UINT8: return (uint8_t)x;
    case ZKI_ET_INT16: return (int16_t)(uint16_t)x;
    case ZKI_ET_UINT16: return (uint16_t)x;
    case ZKI_ET_INT32: return (int32_t)(uint32_t)x;
    case ZKI_ET_UINT32: return (uint32_t)x;
    case ZKI_ET_BOOL: return f != 0;
    default: return x;
    }
}

static void run_cast(const zki_graph *g, const zki_node *n, zki_buf *v)
{
    const zki_tensor *x = tin(g, n, 0), *o = &g->t[n->out[0]];
    int64_t cnt = zki_tensor_numel(o);
    const zki_buf *vx = &v[n->in[0]];
    zki_buf *vo = &v[n->out[0]];
    for (int64_t k = 0; k < cnt; k++) {
        if (is_float_ty(o)) {
            vo->f[k] = is_float_ty(x) ? vx->f[k] : (float)vx->i[k];
        } else if (is_float_ty(x)) {
            vo->i[k] = cast_int(vx->f[k], o->et);
        } else {
            int64_t a = vx->i[k];
            vo->i[k] = o->et == ZKI_ET_BOOL ? a != 0 : cast_int((double)a, o->et);
            if (o->et == ZKI_ET_INT64 || o->et == ZKI_ET_UINT64)
                vo->i[k] = a;
        }
    }
}

static void copy_all(const zki_tensor *t, const zki_buf *src, zki_buf *dst)
{
    int64_t cnt = zki_tensor_numel(t);
    if (dst->f)
        memcpy(dst->f, src->f, sizeof(float) * (size_t)cnt);
    else
        memcpy(dst->i, src->i, sizeof(int64_t) * (size_t)cnt);
}

zki_status zki_op_run(const zki_graph *g, const zki_node *n, zki_buf *v)
{
    const zki_tensor *o = &g->t[n->out[0]];
    switch (n->op) {
    case ZKI_OP_GEMM: run_gemm(g, n, v); return ZKI_OK;
    case ZKI_OP_MATMUL: run_matmul(g, n, v); return ZKI_OK;
    case ZKI_OP_ADD: case ZKI_OP_SUB: case ZKI_OP_MUL: case ZKI_OP_DIV: case ZKI_OP_POW:
        return run_binary(g, n, v);
    case ZKI_OP_RELU: case ZKI_OP_LEAKYRELU: case ZKI_OP_SIGMOID: case ZKI_OP_TANH: case ZKI_OP_ERF:
    case ZKI_OP_SQRT: case ZKI_OP_GELU: case ZKI_OP_CLIP: case ZKI_OP_HARDSIGMOID: case ZKI_OP_HARDSWISH:
    case ZKI_OP_EXP: case ZKI_OP_LOG: case ZKI_OP_RECIPROCAL: case ZKI_OP_SOFTPLUS: case ZKI_OP_ELU:
    case ZKI_OP_SELU: case ZKI_OP_CELU: case ZKI_OP_MISH: case ZKI_OP_SOFTSIGN: case ZKI_OP_NEG:
    case ZKI_OP_ABS: case ZKI_OP_PRELU: case ZKI_OP_SWISH:
        return run_unary(g, n, v);
    case ZKI_OP_CONV: return run_conv(g, n, v);
    case ZKI_OP_MAXPOOL: case ZKI_OP_AVGPOOL: return run_pool(g, n, v);
    case ZKI_OP_GLOBALAVGPOOL: {
        const zki_tensor *x = tin(g, n, 0);
        int64_t nc = x->dims[0] * x->dims[1], s = zki_shape_numel(x->rank - 2, x->dims + 2);
        for (int64_t c = 0; c < nc; c++) {
            double a = 0;
            for (int64_t k = 0; k < s; k++)
                a += v[n->in[0]].f[c * s + k];
            v[n->out[0]].f[c] = (float)(s ? a / (double)s : 0);
        }
        return ZKI_OK;
    }
    case ZKI_OP_BATCHNORM: run_batchnorm(g, n, v); return ZKI_OK;
    case ZKI_OP_SOFTMAX: run_softmax(g, n, v); return ZKI_OK;
    case ZKI_OP_LAYERNORM: case ZKI_OP_RMSNORM: run_layernorm(g, n, v); return ZKI_OK;
    case ZKI_OP_INSTANCENORM: run_instancenorm(g, n, v); return ZKI_OK;
    case ZKI_OP_REDUCEMEAN: case ZKI_OP_REDUCESUM: case ZKI_OP_REDUCEMAX: return run_reducemean(g, n, v);
    case ZKI_OP_SPLIT: return run_split(g, n, v);
    case ZKI_OP_CONSTANTOFSHAPE: {
        const zki_tensor *val = tin(g, n, 1);
        zki_buf zero = {(float[1]){0}, (int64_t[1]){0}};
        const zki_buf *src = val ? &v[n->in[1]] : &zero;
        for (int64_t k = 0; k < zki_tensor_numel(o); k++)
            copy_elem(src, 0, &v[n->out[0]], k);
        return ZKI_OK;
    }
    case ZKI_OP_EQUAL: {
        const zki_tensor *a = tin(g, n, 0), *b = tin(g, n, 1);
        for (int64_t k = 0; k < zki_tensor_numel(o); k++) {
            int64_t ia = zki_bcast_index(o->rank, o->dims, a->rank, a->dims, k);
            int64_t ib = zki_bcast_index(o->rank, o->dims, b->rank, b->dims, k);
            v[n->out[0]].i[k] = is_float_ty(a) ? v[n->in[0]].f[ia] == v[n->in[1]].f[ib]
                                               : v[n->in[0]].i[ia] == v[n->in[1]].i[ib];
        }
        return ZKI_OK;
    }
    case ZKI_OP_RESIZE: return run_resize(g, n, v);
    case ZKI_OP_GATHER: return run_gather(g, n, v);
    case ZKI_OP_TRANSPOSE: case ZKI_OP_SLICE: case ZKI_OP_PAD: case ZKI_OP_CONCAT:
        return run_layout(g, n, v);
    case ZKI_OP_FLATTEN: case ZKI_OP_RESHAPE: case ZKI_OP_SQUEEZE: case ZKI_OP_UNSQUEEZE:
    case ZKI_OP_IDENTITY: case ZKI_OP_DROPOUT:
        copy_all(o, &v[n->in[0]], &v[n->out[0]]);
        if (n->op == ZKI_OP_DROPOUT && n->n_out > 1 && n->out[1] >= 0) {
            int64_t cnt = zki_tensor_numel(&g->t[n->out[1]]);
            for (int64_t k = 0; k < cnt; k++)
                v[n->out[1]].i[k] = 1;
        }
        return ZKI_OK;
    case ZKI_OP_WHERE: {
        const zki_tensor *c = tin(g, n, 0), *a = tin(g, n, 1), *b = tin(g, n, 2);
        int64_t cnt = zki_tensor_numel(o);
        for (int64_t k = 0; k < cnt; k++) {
            int64_t ic = zki_bcast_index(o->rank, o->dims, c->rank, c->dims, k);
            const zki_tensor *src = v[n->in[0]].i[ic] ? a : b;
            int which = v[n->in[0]].i[ic] ? 1 : 2;
            copy_elem(&v[n->in[which]], zki_bcast_index(o->rank, o->dims, src->rank, src->dims, k),
                          &v[n->out[0]], k);
        }
        return ZKI_OK;
    }
    case ZKI_OP_CAST: run_cast(g, n, v); return ZKI_OK;
    case ZKI_OP_EXPAND: {
        const zki_tensor *x = tin(g, n, 0);
        int64_t cnt = zki_tensor_numel(o);
        for (int64_t k = 0; k < cnt; k++)
            copy_elem(&v[n->in[0]], zki_bcast_index(o->rank, o->dims, x->rank, x->dims, k), &v[n->out[0]], k);
        return ZKI_OK;
    }
    case ZKI_OP_SHAPE: {
        const zki_tensor *x = tin(g, n, 0);
        int r = x->rank;
        int64_t s = zki_attr_int(n, "start", 0);
        if (s < 0) s += r;
        if (s < 0) s = 0;
        for (int64_t k = 0; k < o->dims[0]; k++)
            v[n->out[0]].i[k] = x->dims[s + k];
        return ZKI_OK;
    }
    default:
        return NF(ZKI_ERR_UNSUPPORTED, "no float kernel");
    }
}
