/* Softmax along the last axis as a chain of proven ops (norm_lower.h):
 * the row's max by MAXPOOLs, exp(x - max) by a table, the sum, its
 * reciprocal by a table, a MUL. One row [1, .., 1, N] sums by a Linear of
 * ones; several rows (attention's [1, H, T, S]) by a unit-weight pool
 * along the rows, a causal mask a move that sets the masked scores to
 * the range's minimum before the max and their exponentials to 0. */
#include "quant/norm_lower.h"
#include "quant/norm_internal.h"

/* exp(k s_z) in units of 1/W (a[0] = s_z); k <= 0 (x - max) */
static int64_t exp_at(int64_t k, const double *a)
{
    return clamp16(exp((double)(k > 0 ? 0 : k) * a[0]) * W16);
}

/* 1/(k s_sum) in units of 1/W (a[0] = s_sum); the max's term makes the
 * sum at least 1, below it the clamp is the rule */
static int64_t recip_at(int64_t k, const double *a)
{
    double v = (double)k * a[0];
    return v <= 1.0 ? W16 : clamp16(W16 / v);
}

/* The rows' max as MAXPOOLs of windows of at most MAX_WINDOW along the
 * last axis of the map x4 [1, C, T, N] (end padding never wins), down to
 * [1, C, T, 1]. */
static int row_max(const zki_norm_io *io, int x4, const int64_t d4[4])
{
    int cur = x4, level = 0;
    for (int64_t w = d4[3]; w > 1; level++) {
        int64_t k = w < MAX_WINDOW ? w : MAX_WINDOW, o = (w + k - 1) / k;
        int64_t p[10] = {1, k, 1, k, 1, 1, 0, 0, 0, o * k - w}, od[4] = {1, d4[1], d4[2], o};
        char what[32];
        snprintf(what, sizeof what, "max%d", level);
        const zki_qtensor *xt = &io->m->t[x4];
        int y = value(io, what, xt->bits, 4, od, xt->scale);
        int in[1] = {cur};
        if (node(io, ZKI_QOP_MAXPOOL, in, 1, y, p, 10))
            return -1;
        cur = y;
        w = o;
    }
    return cur;
}

/* x (of a causal mask: entries (i, j) with j > i + k) with the masked
 * entries set to v, as a TRILU (a move) into NODE::what. */
static int masked(const zki_norm_io *io, const char *what, int x, const int64_t d4[4], int64_t k, int64_t v)
{
    const zki_qtensor *xt = &io->m->t[x];
    int y = value(io, what, xt->bits, 4, d4, xt->scale), in[1] = {x};
    int64_t p[3] = {0, k, v};
    return y >= 0 && !node(io, ZKI_QOP_TRILU, in, 1, y, p, 3) ? y : -1;
}

/* e = exp(x - max) of x viewed as the map d4 (16-bit at 1/W): the max by
 * MAXPOOLs (over the unmasked entries: the masked ones are set to the
 * range's minimum first, and the diagonal is never masked), an Add of x
 * and the broadcast -max, a table of exp, the masked entries set to 0. */
static zki_status exp_shifted(const zki_norm_io *io, const int64_t d4[4], int64_t mask_k, int *e)
{
    const zki_qtensor *xt = &io->m->t[io->x];
    int bits = xt->bits;
    double qx = ldexp(1.0, bits - 1) - 1, sx = xt->scale;
    /* x - max lies in [-2 qx, 0]: one bit more than x at sx (its table
     * 2^(bits+1) entries), or 16 bits at 2 sx for 16-bit x (masked
     * entries, one below -qx, clamp at the range's end: set to 0 below) */
    int zbits = bits < 16 ? bits + 1 : 16;
    double s_z = bits < 16 ? sx : 2 * sx, az[1] = {s_z};
    int x4 = value(io, "rows", bits, 4, d4, sx);
    int in[1] = {io->x};
    if (x4 < 0 || node(io, ZKI_QOP_RESHAPE, in, 1, x4, NULL, 0))
        return nomem();
    int xm = mask_k == ZKI_NORM_NO_MASK ? x4 : masked(io, "masked", x4, d4, mask_k, -((int64_t)1 << (bits - 1)));
    int mx = xm >= 0 ? row_max(io, xm, d4) : -1;
    int z = mx >= 0 ? value(io, "shifted", zbits, 4, d4, s_z) : -1;
    int te = z >= 0 ? table(io, "exp", zbits, 1.0 / W16, exp_at, az) : -1;
    int e0 = te >= 0 ? value(io, "exp_out", 16, 4, d4, 1.0 / W16) : -1;
    if (e0 < 0)
        return nomem();
    /* z = rq(x M - max M): exact when s_z = sx */
    int64_t M, s;
    zki_status st = zki_quant_choose_rq(io->n, sx / s_z, 2 * qx + (mask_k != ZKI_NORM_NO_MASK), &M, &s);
    if (st != ZKI_OK)
        return st;
    int64_t pz[5] = {M, -M, s, -(((int64_t)1 << (zbits - 1)) - 1), 0};
    int zin[2] = {xm, mx};
    if (node(io, ZKI_QOP_ADD, zin, 2, z, pz, 5) || (st = lut(io, z, te, e0)) != ZKI_OK)
        return st != ZKI_OK ? st : nomem();
    *e = mask_k == ZKI_NORM_NO_MASK ? e0 : masked(io, "exp_masked", e0, d4, mask_k, 0);
    return *e >= 0 ? ZKI_OK : nomem();
}

/* The sums of e's rows into sum [1, C, T, 1] at s_sum (real multiplier
 * mult): one row by a Linear of ones, several by a unit-weight pool along
 * the rows. */
static zki_status row_sums(const zki_norm_io *io, int e, const int64_t d4[4], double s_sum, double mult, int *sum)
{
    int64_t N = d4[3], one4[4] = {1, d4[1], d4[2], 1};
    int rows = d4[1] * d4[2] > 1;
    int q1 = rows ? 0 : constant(io, "ones", 8, 2, (int64_t[2]){1, N}, 1.0, weights(1, N, 1, 1));
    *sum = q1 >= 0 ? value(io, "sum", 16, 4, one4, s_sum) : -1;
    if (*sum < 0)
        return nomem();
    int in[3] = {e, q1, -1};
    if (!rows)
        return rq_node(io, ZKI_QOP_LINEAR, in, 3, *sum, mult, (double)N * W16, 0, W16);
    int64_t win[8] = {1, N, 1, N, 0, 0, 0, 0};
    return rq_node_p(io, ZKI_QOP_AVGPOOL, in, 1, *sum, mult, (double)N * W16, 0, W16, win, 8);
}

zki_status zki_norm_softmax(const zki_norm_io *io, int64_t mask_k, int *qy)
{
    zki_qmodel *m = io->m;
    const zki_qtensor *xt = &m->t[io->x];
    int64_t N = xt->dims[xt->rank - 1], T = xt->rank >= 2 ? xt->dims[xt->rank - 2] : 1;
    int64_t d4[4] = {1, zki_qnumel(xt) / (T * N), T, N}, one4[4] = {1, d4[1], T, 1};
    /* the sum of exponentials (1 to N) is kept at 16 bits, a step of N/32767:
     * beyond 1024 values that step is a visible share of the max's term */
    if (N > SOFTMAX_MAX_ROW)
        return zki_node_fail(io->n, ZKI_ERR_UNSUPPORTED, "a softmax over %lld values: at most %d (a classifier's "
                             "final Softmax can be left out of the export: the argmax is the same)", (long long)N,
                             SOFTMAX_MAX_ROW);
    if (mask_k != ZKI_NORM_NO_MASK && (mask_k < 0 || xt->rank < 2))
        return zki_node_fail(io->n, ZKI_ERR_UNSUPPORTED, "a causal mask with diagonal %lld: masks that keep each "
                             "row's diagonal (k >= 0) are supported", (long long)mask_k);
    int e = -1;
    zki_status st = exp_shifted(io, d4, mask_k, &e);
    if (st != ZKI_OK)
        return st;
    /* the sum (>= 1: the max's term) at N/W, its reciprocal at 1/W */
    double s_e = 1.0 / W16, as[1] = {(double)N / W16};
    int sum = -1;
    if ((st = row_sums(io, e, d4, as[0], s_e / as[0], &sum)) != ZKI_OK)
        return st;
    int tr = table(io, "recip", 16, s_e, recip_at, as);
    int inv = tr >= 0 ? value(io, "recip_out", 16, 4, one4, s_e) : -1;
    int64_t qo = ((int64_t)1 << (io->bits - 1)) - 1;
    double s_p = 1.0 / (double)qo; /* probabilities: [0, 1] exactly */
    int p = inv >= 0 ? value(io, "prob", io->bits, 4, d4, s_p) : -1;
    *qy = p >= 0 ? zki_qmodel_add_tensor(m, io->y->name, ZKI_QT_VALUE, io->bits, io->y->rank, io->y->dims, s_p) : -1;
    if (*qy < 0)
        return nomem();
    int pin[2] = {e, inv}, out[1] = {p};
    if ((st = lut(io, sum, tr, inv)) != ZKI_OK ||
        (st = rq_node(io, ZKI_QOP_MUL, pin, 2, p, s_e * s_e / s_p, (double)W16 * W16, 0, qo)) != ZKI_OK)
        return st;
    return node(io, ZKI_QOP_RESHAPE, out, 1, *qy, NULL, 0) ? nomem() : ZKI_OK;
}
