/* LayerNorm and Softmax of one row, and InstanceNorm of a map, as chains
 * of proven ops (norm_lower.h).
 *
 * Intermediates are 16-bit (W = 2^15 - 1 is their qmax; a softmax's x - max
 * one bit wider than x) at scales fixed by
 * the input's scale and bits, not by calibration: each bound below holds
 * for every input, so no clamp of an intermediate is reached except the
 * documented ones (the reciprocal square root of a variance below one unit,
 * 1/sum below 1, which the max's term makes impossible, and an InstanceNorm's
 * n beyond where every channel's output saturates, which changes no
 * output). */
#include "quant/norm_lower.h"
#include "quant/norm_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/error.h"
#include "graph/ops.h"

int zki_norm_is_row(const zki_qtensor *t)
{
    if (t->rank < 1)
        return 0;
    for (int k = 0; k + 1 < t->rank; k++)
        if (t->dims[k] != 1)
            return 0;
    return t->dims[t->rank - 1] >= 1;
}

/* ---- LayerNorm ---- */

zki_status zki_norm_eps_check(const zki_node *n, double eps)
{
    if (!(eps >= 0) || !isfinite(eps)) /* NaN or inf would fill the rsqrt table with llround(NaN) */
        return zki_node_fail(n, ZKI_ERR_UNSUPPORTED, "epsilon %g: a finite epsilon >= 0 is supported", eps);
    return ZKI_OK;
}

/* 1/sqrt(k*s_var + eps) in units of s_r (a[0] = s_var, a[1] = eps, a[2] =
 * s_r); no variance is negative, and below one unit the clamp is the rule */
static int64_t rsqrt_at(int64_t k, const double *a)
{
    return clamp16(1.0 / sqrt((double)(k < 1 ? 1 : k) * a[0] + a[1]) / a[2]);
}

/* gamma on the diagonal of int16 weights, beta as the bias at s_n * s_g. */
static zki_status affine(const zki_norm_io *io, int nrm, double s_n, int64_t N, const float *gamma,
                         const float *beta, int out)
{
    double gmax = 0;
    for (int64_t k = 0; k < N; k++)
        gmax = fmax(gmax, fabs(gamma[k]));
    double s_g = gmax > 0 ? gmax / W16 : 1.0, bmax = 0;
    int64_t *w = weights(N, N, 0, 0), *b = malloc(sizeof(int64_t) * (size_t)N);
    if (!w || !b) {
        free(w);
        free(b);
        return nomem();
    }
    double blim = ldexp(1.0, 39) - 1;
    for (int64_t k = 0; k < N; k++) {
        w[k * N + k] = clamp16(gamma[k] / s_g);
        double v = beta ? beta[k] / (s_n * s_g) : 0;
        b[k] = llround(fmax(-blim, fmin(blim, v))); /* saturates only for a degenerate gamma */
        bmax = fmax(bmax, fabs((double)b[k]));
    }
    int64_t wd[2] = {N, N};
    int qw = constant(io, "gamma", 16, 2, wd, s_g, w);
    int qb = qw >= 0 ? constant(io, "beta", 40, 1, &N, s_n * s_g, b) : -1;
    if (qb < 0) {
        if (qw < 0)
            free(b);
        return nomem();
    }
    int in[3] = {nrm, qw, qb};
    return rq_node(io, ZKI_QOP_LINEAR, in, 3, out, s_n * s_g / io->sy, (double)W16 * W16 + bmax, io->lo, io->hi);
}

/* d = x - mean (16-bit at s[0]) and var = mean(d^2) (one value at s[1]):
 * a Linear with the integer weights N I - 1, a Mul of d by itself, a
 * Linear of ones. */
static zki_status centre(const zki_norm_io *io, const int64_t *dims, const int64_t *one, int *d, int *var,
                         double s[2])
{
    const zki_qtensor *xt = &io->m->t[io->x];
    int r = xt->rank;
    int64_t N = dims[r - 1];
    double qx = ldexp(1.0, xt->bits - 1) - 1, sx = xt->scale;
    /* |d| <= 2 qx sx and d^2 <= W^2 s_d^2: neither is clamped */
    s[0] = 2 * qx * sx / W16;
    s[1] = W16 * s[0] * s[0];
    int qc = constant(io, "centre", N <= 128 ? 8 : 16, 2, (int64_t[2]){N, N}, 1.0 / (double)N,
                      weights(N, N, N - 1, -1));
    *d = qc >= 0 ? value(io, "d", 16, r, dims, s[0]) : -1;
    int d2 = *d >= 0 ? value(io, "d2", 16, r, dims, s[1]) : -1;
    int q1 = d2 >= 0 ? constant(io, "ones", 8, 2, (int64_t[2]){1, N}, 1.0, weights(1, N, 1, 1)) : -1;
    *var = q1 >= 0 ? value(io, "var", 16, r, one, s[1]) : -1;
    if (*var < 0)
        return nomem();
    int in[3] = {io->x, qc, -1}, sq[2] = {*d, *d}, vin[3] = {d2, q1, -1};
    zki_status st = rq_node(io, ZKI_QOP_LINEAR, in, 3, *d, sx / ((double)N * s[0]), 2.0 * (double)N * qx, -W16, W16);
    if (st == ZKI_OK)
        st = rq_node(io, ZKI_QOP_MUL, sq, 2, d2, 1.0 / W16, (double)W16 * W16, 0, W16);
    if (st == ZKI_OK)
        st = rq_node(io, ZKI_QOP_LINEAR, vin, 3, *var, 1.0 / (double)N, (double)N * W16, 0, W16);
    return st;
}

/* n = d / sqrt(var + eps) (16-bit at *s_n): a table of 1/sqrt over var, a
 * Linear broadcasting it to the row, a Mul by d. s: d's and var's scales. */
static zki_status normalise(const zki_norm_io *io, const int64_t *dims, const int64_t *one, int d, int var,
                            const double s[2], double eps, int *nrm, double *s_n)
{
    int r = io->m->t[io->x].rank;
    int64_t N = dims[r - 1];
    /* r = 1/sqrt(var + eps) at the scale of its largest value (one unit
     * of variance); a zero variance clamps there */
    double a[3] = {s[1], eps, 1.0 / sqrt(s[1] + eps) / W16};
    int tr = table(io, "rsqrt", 16, a[2], rsqrt_at, a);
    int rr = tr >= 0 ? value(io, "rsqrt_out", 16, r, one, a[2]) : -1;
    int qb = rr >= 0 ? constant(io, "bcast", 8, 2, (int64_t[2]){N, 1}, 1.0, weights(N, 1, 1, 1)) : -1;
    int rb = qb >= 0 ? value(io, "r", 16, r, dims, a[2]) : -1;
    /* |d r| <= sqrt(N - 1); the MUL gadget bounds its quotient by both
     * inputs' full ranges at once (2^30 M / 2^s < 2^19), which a coarser
     * scale keeps */
    *s_n = fmax(sqrt((double)N) / W16, s[0] * a[2] * MUL_HEADROOM);
    *nrm = rb >= 0 ? value(io, "norm", 16, r, dims, *s_n) : -1;
    if (*nrm < 0)
        return nomem();
    int bin[3] = {rr, qb, -1}, pin[2] = {d, rb};
    zki_status st = lut(io, var, tr, rr);
    if (st == ZKI_OK)
        st = rq_node(io, ZKI_QOP_LINEAR, bin, 3, rb, 1.0, W16, 0, W16);
    if (st == ZKI_OK)
        st = rq_node(io, ZKI_QOP_MUL, pin, 2, *nrm, s[0] * a[2] / *s_n, (double)W16 * W16, -W16, W16);
    return st;
}

static zki_status layernorm_rows(const zki_norm_io *io, const float *gamma, const float *beta, double eps, int *qy);

zki_status zki_norm_layernorm(const zki_norm_io *io, const float *gamma, const float *beta, double eps, int *qy)
{
    const zki_qtensor *xt = &io->m->t[io->x];
    int r = xt->rank;
    int64_t N = xt->dims[r - 1], dims[ZKI_QMAX_RANK], one[ZKI_QMAX_RANK];
    for (int k = 0; k < r; k++) {
        dims[k] = xt->dims[k];
        one[k] = 1; /* the row's one variance */
    }
    /* the centring and the broadcast are dense N x N Linears (2 x 134 MB of
     * int64 weights at the cap) */
    if (N < 2 || N > NORM_MAX_ROW)
        return zki_node_fail(io->n, ZKI_ERR_UNSUPPORTED, "normalises %lld values: 2 to %d are supported",
                             (long long)N, NORM_MAX_ROW);
    zki_status st = zki_norm_eps_check(io->n, eps);
    if (st != ZKI_OK)
        return st;
    if (!zki_norm_is_row(xt))
        return layernorm_rows(io, gamma, beta, eps, qy);
    int d = -1, var = -1, nrm = -1;
    double s[2], s_n;
    st = centre(io, dims, one, &d, &var, s);
    if (st == ZKI_OK)
        st = normalise(io, dims, one, d, var, s, eps, &nrm, &s_n);
    if (st != ZKI_OK)
        return st;
    *qy = zki_qmodel_add_tensor(io->m, io->y->name, ZKI_QT_VALUE, io->bits, io->y->rank, io->y->dims, io->sy);
    return *qy < 0 ? nomem() : affine(io, nrm, s_n, N, gamma, beta, *qy);
}

/* ---- InstanceNormalization ---- */

#define MEAN_SPATIAL 12 /* MEAN over axes 2 and 3: a GlobalAveragePool, proven as a unit-weight conv */
/* a requantisation's quotient the proof holds in 20 bits: below 2^19 - 2,
 * less the multiplier's rounding (at most 2^-8 of it, quant.c) */
#define Q_LOG_ROOM (524286.0 * (1 - 1.0 / 128))

/* Scales of the chain's intermediates (all 16-bit), fixed by x's. */
typedef struct {
    double m, d, d2, v, r, n;
} inorm_scales;

/* x [N, C, S...] as the map d4 = [N, C, H, W] the chain reads: x itself
 * when 4-D, else a move to [N, C, prod(S), 1]. */
static int inorm_map(const zki_norm_io *io, int64_t d4[4])
{
    const zki_qtensor *xt = &io->m->t[io->x];
    d4[0] = xt->dims[0];
    d4[1] = xt->dims[1];
    d4[2] = xt->rank == 4 ? xt->dims[2] : zki_shape_numel(xt->rank - 2, xt->dims + 2);
    d4[3] = xt->rank == 4 ? xt->dims[3] : 1;
    if (xt->rank == 4)
        return io->x;
    int x4 = value(io, "map", xt->bits, 4, d4, xt->scale), in[1] = {io->x};
    return x4 >= 0 && !node(io, ZKI_QOP_RESHAPE, in, 1, x4, NULL, 0) ? x4 : -1;
}

/* A per-channel spatial mean of map x (real multiplier mult = s_x / s_y
 * over the count) into *y [N, C, 1, 1] at scale s, clamped to [lo, W].
 * Its multiplier keeps full precision: a limb-saving one of 7 bits would
 * put the mean up to 2^-8 of itself off (half an input step at the
 * range), which d = x - mean and the variance carry to every value of a
 * large map; the output is one value per channel, so the limb is free. */
static zki_status spatial_mean(const zki_norm_io *io, const char *what, int x, const int64_t d4[4], double mult,
                               double s, int64_t lo, int *y)
{
    int64_t c4[4] = {d4[0], d4[1], 1, 1}, HW = d4[2] * d4[3];
    int in[1] = {x};
    *y = value(io, what, 16, 4, c4, s);
    if (*y < 0)
        return nomem();
    double bound = ldexp(1.0, io->m->t[x].bits - 1);
    int64_t p[5] = {0, 0, lo, W16, MEAN_SPATIAL};
    zki_status st = zki_quant_choose_rq_fine(io->n, mult / (double)HW, (double)HW * bound, &p[0], &p[1]);
    if (st != ZKI_OK)
        return st;
    return node(io, ZKI_QOP_MEAN, in, 1, *y, p, 5) ? nomem() : ZKI_OK;
}

/* mean (at s_m = q s_x / W: |mean| <= q s_x) and d = x - mean, an ADD of
 * x and the broadcast mean at s_d = 2 q s_x / W (|d| <= 2 q s_x): neither
 * is clamped; the mean's step is half of d's (its rounding a quarter of
 * a step of d), so a constant channel gives d = 0. */
static zki_status inorm_centre(const zki_norm_io *io, int x4, const int64_t d4[4], inorm_scales *s, int *d)
{
    const zki_qtensor *xt = &io->m->t[x4];
    double qx = ldexp(1.0, xt->bits - 1) - 1, sx = xt->scale;
    s->m = qx * sx / W16;
    s->d = 2 * qx * sx / W16;
    int mean = -1;
    zki_status st = spatial_mean(io, "mean", x4, d4, sx / s->m, s->m, -W16, &mean);
    *d = st == ZKI_OK ? value(io, "d", 16, 4, d4, s->d) : -1;
    if (st != ZKI_OK || *d < 0)
        return st != ZKI_OK ? st : nomem();
    /* rq(x Mx - mean Mm): the shift chosen for the larger multiplier, Mx */
    int64_t p[5] = {0, 0, 0, -W16, W16};
    st = zki_quant_choose_rq(io->n, sx / s->d, ldexp(1.0, xt->bits - 1) + W16 + 1, &p[0], &p[2]);
    if (st != ZKI_OK)
        return st;
    p[1] = -llround(ldexp(s->m / s->d, (int)p[2]));
    int in[2] = {x4, mean};
    return node(io, ZKI_QOP_ADD, in, 2, *d, p, 5) ? nomem() : ZKI_OK;
}

/* var = mean(d^2): a MUL of d by itself at s_d2 = W s_d^2 (never clamped),
 * then a spatial mean at s_v = s_d2 / 2 (the variance of values within
 * +-q s_x is at most (q s_x)^2 = W s_v / 2: never clamped either). */
static zki_status inorm_var(const zki_norm_io *io, int d, const int64_t d4[4], inorm_scales *s, int *var)
{
    s->d2 = W16 * s->d * s->d;
    s->v = s->d2 / 2;
    int d2 = value(io, "d2", 16, 4, d4, s->d2), sq[2] = {d, d};
    if (d2 < 0)
        return nomem();
    zki_status st = rq_node(io, ZKI_QOP_MUL, sq, 2, d2, 1.0 / W16, (double)W16 * W16, 0, W16);
    return st != ZKI_OK ? st : spatial_mean(io, "var", d2, d4, s->d2 / s->v, s->v, 0, var);
}

/* The largest |v[k]| of n floats (0 for NULL). */
static double max_abs(const float *v, int64_t n)
{
    double mx = 0;
    for (int64_t k = 0; v && k < n; k++)
        mx = fmax(mx, fabs(v[k]));
    return mx;
}

/* The normalised value beyond which every channel's output saturates:
 * |scale[c]| n >= (1 + 1/32) (the output's range + |B[c]|), the margin
 * covering the rounding of int16 weights of at least 32 and of the
 * requantisation; clamping n there changes no output. HUGE_VAL (no such
 * clamp) when a nonzero scale is below 1/1024 of the largest (its weight
 * would be too coarse) or a B exceeds it (the bias would set the weights'
 * scale). */
static double saturating_n(const zki_norm_io *io, const float *gamma, const float *beta, int64_t C)
{
    double gmax = max_abs(gamma, C), ymax = ldexp(1.0, io->bits - 1) * io->sy, cap = 0;
    if (!(gmax > 0) || max_abs(beta, C) > gmax)
        return HUGE_VAL;
    for (int64_t c = 0; c < C; c++) {
        double g = fabs(gamma[c]);
        if (g > 0 && g < gmax / 1024)
            return HUGE_VAL;
        if (g > 0)
            cap = fmax(cap, (1 + 1.0 / 32) * (ymax + (beta ? fabs(beta[c]) : 0)) / g);
    }
    return cap;
}

/* n = d / sqrt(var + eps): the rsqrt table over var (LayerNorm's, its
 * clamp below one unit of variance the rule) and a MUL of d by the
 * broadcast r at s_n = max(min(sqrt(HW), n_sat) / W, s_d s_r 2^12):
 * |n| <= sqrt(HW - 1), and beyond n_sat (saturating_n) no output changes;
 * the second term keeps the MUL's quotient within its 20 bits. */
static zki_status inorm_normalise(const zki_norm_io *io, int d, int var, const int64_t d4[4], double eps,
                                  double n_sat, inorm_scales *s, int *nrm)
{
    /* the MUL's quotient bound: 2^(b - 1) 2^15 of d (b bits) by r, kept
     * below 2^18 (MUL_HEADROOM for a 16-bit d) */
    double headroom = ldexp(1.0, io->m->t[d].bits - 4);
    int64_t c4[4] = {d4[0], d4[1], 1, 1};
    double a[3] = {s->v, eps, 1.0 / sqrt(s->v + eps) / W16};
    s->r = a[2];
    s->n = fmax(fmin(sqrt((double)(d4[2] * d4[3])), n_sat) / W16, s->d * s->r * headroom);
    int tr = table(io, "rsqrt", 16, s->r, rsqrt_at, a);
    int r = tr >= 0 ? value(io, "rsqrt_out", 16, 4, c4, s->r) : -1;
    *nrm = r >= 0 ? value(io, "norm", 16, 4, d4, s->n) : -1;
    if (*nrm < 0)
        return nomem();
    int pin[2] = {d, r};
    zki_status st = lut(io, var, tr, r);
    return st != ZKI_OK ? st : rq_node(io, ZKI_QOP_MUL, pin, 2, *nrm, s->d * s->r / s->n, (double)W16 * W16, -W16, W16);
}

/* n = (x - mean) / sqrt(var + eps) over the spatial values of each
 * channel of the map x4 (d4), into *nrm at s->n. */
static zki_status inorm_core(const zki_norm_io *io, int x4, const int64_t d4[4], double eps, double n_sat,
                             inorm_scales *s, int *nrm)
{
    int d = -1, var = -1;
    zki_status st = inorm_centre(io, x4, d4, s, &d);
    if (st == ZKI_OK)
        st = inorm_var(io, d, d4, s, &var);
    return st == ZKI_OK ? inorm_normalise(io, d, var, d4, eps, n_sat, s, nrm) : st;
}

/* scale[c] n + B[c] into out (d4's shape): a depthwise 1x1 CONV, int16
 * weights at s_g and the bias at s_n s_g, which the setup keeps to int32
 * (s_g grows where a B large against the scale needs it); requantised to
 * the output's calibrated scale with its clamp. */
static zki_status inorm_affine(const zki_norm_io *io, int nrm, const int64_t d4[4], double s_n, const float *gamma,
                               const float *beta, int out)
{
    int64_t C = d4[1], wd[4] = {C, 1, 1, 1};
    double gmax = max_abs(gamma, C), bmax = max_abs(beta, C);
    double s_g = fmax(gmax / W16, bmax / (s_n * ldexp(1.0, 30)));
    s_g = s_g > 0 ? s_g : 1.0;
    int64_t *w = malloc(sizeof(int64_t) * (size_t)C), *b = bmax > 0 ? malloc(sizeof(int64_t) * (size_t)C) : NULL;
    double wq = 0, bq = 0;
    for (int64_t c = 0; w && c < C; c++) {
        w[c] = clamp16(gamma[c] / s_g);
        wq = fmax(wq, fabs((double)w[c]));
        if (b)
            bq = fmax(bq, fabs((double)(b[c] = llround(beta[c] / (s_n * s_g)))));
    }
    int qw = constant(io, "scale", 16, 4, wd, s_g, w); /* frees w on failure */
    if (qw < 0 || (bmax > 0 && !b)) {
        free(b);
        return nomem();
    }
    int qb = b ? constant(io, "bias", 32, 1, &C, s_n * s_g, b) : -1;
    if (b && qb < 0)
        return nomem();
    /* the proof holds the quotient of the worst accumulator (n at its
     * 16-bit bound) in 20 bits: y's range must be wide enough for it */
    double mult = s_n * s_g / io->sy, acc = wq * ldexp(1.0, 15) + bq;
    if (acc * mult >= Q_LOG_ROOM)
        return zki_node_fail(io->n, ZKI_ERR_UNSUPPORTED, "normalised values up to %.3g (their bound, or where "
                             "every channel's output saturates) reach %.3g times the output's range, beyond the "
                             "%g a proven requantisation holds (quotients of 20 bits): use 8-bit activations, or "
                             "scales closer to each other", W16 * s_n, acc * mult / ldexp(1.0, io->bits - 1),
                             ldexp(1.0, 20 - io->bits));
    int64_t geo[11] = {C, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0};
    int in[3] = {nrm, qw, qb};
    return rq_node_p(io, ZKI_QOP_CONV, in, 3, out, mult, acc, io->lo, io->hi, geo, 11);
}

/* ZKI_OK when the n scales and biases (bias may be NULL) are finite: NaN
 * or infinite parameters would reach the scale arithmetic (and llround) as
 * if they were numbers. */
static zki_status finite_params(const zki_norm_io *io, const float *scale, const float *bias, int64_t n,
                                const char *what, const char *sname, const char *bname)
{
    for (int64_t c = 0; c < n; c++)
        if (!isfinite(scale[c]) || (bias && !isfinite(bias[c])))
            return zki_node_fail(io->n, ZKI_ERR_INPUT, "%s %lld's %s is %g: a normalisation's %s and %s must be "
                                 "finite (check the exported model's weights)", what, (long long)c,
                                 isfinite(scale[c]) ? bname : sname,
                                 (double)(isfinite(scale[c]) ? bias[c] : scale[c]), sname, bname);
    return ZKI_OK;
}

/* gamma and beta per feature of the normalised rows nrm (the map d4 =
 * [1][R][D][1] at s_n): a depthwise conv on that map transposed to
 * [1][D][R][1], and back to y's shape (moves: free between this and a
 * token Linear). */
static zki_status rows_affine(const zki_norm_io *io, int nrm, const int64_t d4[4], double s_n, const float *gamma,
                              const float *beta, int *qy)
{
    int64_t t4[4] = {1, d4[2], d4[1], 1}, perm[4] = {0, 2, 1, 3};
    int nt = value(io, "norm_t", 16, 4, t4, s_n), ya = nt >= 0 ? value(io, "affine", io->bits, 4, t4, io->sy) : -1;
    int yb = ya >= 0 ? value(io, "affine_rows", io->bits, 4, d4, io->sy) : -1;
    *qy = yb >= 0 ? zki_qmodel_add_tensor(io->m, io->y->name, ZKI_QT_VALUE, io->bits, io->y->rank, io->y->dims,
                                          io->sy) : -1;
    int n_in[1] = {nrm}, a_in[1] = {ya}, b_in[1] = {yb};
    if (*qy < 0 || node(io, ZKI_QOP_TRANSPOSE, n_in, 1, nt, perm, 4))
        return nomem();
    zki_status st = inorm_affine(io, nt, t4, s_n, gamma, beta, ya);
    if (st != ZKI_OK)
        return st;
    return node(io, ZKI_QOP_TRANSPOSE, a_in, 1, yb, perm, 4) || node(io, ZKI_QOP_RESHAPE, b_in, 1, *qy, NULL, 0)
               ? nomem() : ZKI_OK;
}

/* x [.., R, D] as the map [1][R][D][1] (each row a channel): *x4, d4. */
static zki_status rows_map(const zki_norm_io *io, int64_t d4[4], int *x4)
{
    const zki_qtensor *xt = &io->m->t[io->x];
    d4[0] = 1, d4[2] = xt->dims[xt->rank - 1], d4[1] = zki_qnumel(xt) / d4[2], d4[3] = 1;
    int in[1] = {io->x};
    *x4 = value(io, "rows", xt->bits, 4, d4, xt->scale);
    return *x4 < 0 || node(io, ZKI_QOP_RESHAPE, in, 1, *x4, NULL, 0) ? nomem() : ZKI_OK;
}

/* LayerNorm of R > 1 rows [.., R, D] (a token sequence): InstanceNorm's
 * chain over the rows' map (its mean, variance and rsqrt over D values,
 * no D x D weights), then rows_affine. */
static zki_status layernorm_rows(const zki_norm_io *io, const float *gamma, const float *beta, double eps, int *qy)
{
    const zki_qtensor *xt = &io->m->t[io->x];
    int64_t D = xt->dims[xt->rank - 1], d4[4];
    zki_status st = finite_params(io, gamma, beta, D, "feature", "scale", "bias");
    inorm_scales s;
    int x4 = -1, nrm = -1;
    if (st == ZKI_OK)
        st = rows_map(io, d4, &x4);
    if (st == ZKI_OK)
        st = inorm_core(io, x4, d4, eps, saturating_n(io, gamma, beta, D), &s, &nrm);
    return st == ZKI_OK ? rows_affine(io, nrm, d4, s.n, gamma, beta, qy) : st;
}

/* ---- RMSNorm ---- */

/* ms = mean(x^2) per row of the map x4: a MUL of x by itself at s_d2 =
 * max(s_x^2, q^2 s_x^2 / W) (the square of an 8-bit x exact, of a wider
 * one never clamped), then the row's mean at s_v = s_d2 (a mean of
 * squares is at most the largest). */
static zki_status mean_square(const zki_norm_io *io, int x4, const int64_t d4[4], inorm_scales *s, int *ms)
{
    const zki_qtensor *xt = &io->m->t[x4];
    double qx = ldexp(1.0, xt->bits - 1) - 1, sx = xt->scale;
    s->d = sx;
    s->d2 = fmax(sx * sx, qx * qx * sx * sx / W16);
    s->v = s->d2;
    int d2 = value(io, "x2", 16, 4, d4, s->d2), sq[2] = {x4, x4};
    if (d2 < 0)
        return nomem();
    zki_status st = rq_node(io, ZKI_QOP_MUL, sq, 2, d2, sx * sx / s->d2, qx * qx, 0, W16);
    return st != ZKI_OK ? st : spatial_mean(io, "ms", d2, d4, 1.0, s->v, 0, ms);
}

zki_status zki_norm_rmsnorm(const zki_norm_io *io, const float *gamma, double eps, int *qy)
{
    const zki_qtensor *xt = &io->m->t[io->x];
    int64_t D = xt->dims[xt->rank - 1], d4[4];
    if (D < 1 || D > NORM_MAX_ROW)
        return zki_node_fail(io->n, ZKI_ERR_UNSUPPORTED, "normalises %lld values: 1 to %d are supported",
                             (long long)D, NORM_MAX_ROW);
    zki_status st = zki_norm_eps_check(io->n, eps);
    if (st == ZKI_OK)
        st = finite_params(io, gamma, NULL, D, "feature", "scale", "bias");
    inorm_scales s;
    int x4 = -1, ms = -1, nrm = -1;
    if (st == ZKI_OK)
        st = rows_map(io, d4, &x4);
    if (st == ZKI_OK)
        st = mean_square(io, x4, d4, &s, &ms);
    if (st == ZKI_OK)
        st = inorm_normalise(io, x4, ms, d4, eps, saturating_n(io, gamma, NULL, D), &s, &nrm);
    return st == ZKI_OK ? rows_affine(io, nrm, d4, s.n, gamma, NULL, qy) : st;
}

zki_status zki_norm_instnorm(const zki_norm_io *io, const float *scale, const float *bias, double eps, int *qy)
{
    const zki_qtensor *xt = &io->m->t[io->x];
    if (xt->rank < 3 || xt->bits > 16)
        return zki_node_fail(io->n, ZKI_ERR_UNSUPPORTED, "normalises a %d-D input of %d bits: [N, C, ...] with at "
                             "least one spatial axis, of at most 16 bits, is supported", xt->rank, xt->bits);
    zki_status st = zki_norm_eps_check(io->n, eps);
    if (st != ZKI_OK)
        return st;
    /* NaN or infinite parameters would reach the scale arithmetic (and
     * llround) as if they were numbers */
    if ((st = finite_params(io, scale, bias, xt->dims[1], "channel", "scale", "B")) != ZKI_OK)
        return st;
    int64_t d4[4];
    inorm_scales s;
    int x4 = inorm_map(io, d4), nrm = -1;
    if (x4 < 0)
        return nomem();
    st = inorm_core(io, x4, d4, eps, saturating_n(io, scale, bias, d4[1]), &s, &nrm);
    if (st != ZKI_OK)
        return st;
    /* the affine writes y itself (4-D) or the map moved back to y's shape */
    int four = io->y->rank == 4;
    int ya = four ? -1 : value(io, "affine", io->bits, 4, d4, io->sy);
    *qy = zki_qmodel_add_tensor(io->m, io->y->name, ZKI_QT_VALUE, io->bits, io->y->rank, io->y->dims, io->sy);
    if (*qy < 0 || (!four && ya < 0))
        return nomem();
    st = inorm_affine(io, nrm, d4, s.n, scale, bias, four ? *qy : ya);
    if (st != ZKI_OK || four)
        return st;
    int in[1] = {ya};
    return node(io, ZKI_QOP_RESHAPE, in, 1, *qy, NULL, 0) ? nomem() : ZKI_OK;
}
