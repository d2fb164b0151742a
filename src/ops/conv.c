#include "ops/conv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/cpu_features.h"
#include "common/error.h"
#include "ops/matmul.h"
#include "poly/mle.h"

#define LIM (1ull << 31)

static int is_pow2(uint64_t v) { return v && !(v & (v - 1)); }

zki_status zki_conv_dims_init(zki_conv_dims *d, uint64_t B, uint64_t C, uint64_t H, uint64_t W,
                              uint64_t OC, uint64_t KH, uint64_t KW, uint64_t sh, uint64_t sw,
                              uint64_t dh, uint64_t dw, uint64_t pt, uint64_t pl, uint64_t pb,
                              uint64_t pr, uint64_t G, int has_bias)
{
    if (!d)
        return zki_fail(ZKI_ERR_INPUT, "conv: no dims");
    uint64_t all[16] = {B, C, H, W, OC, KH, KW, sh, sw, dh, dw, G, pt + 1, pl + 1, pb + 1, pr + 1};
    for (int i = 0; i < 16; i++)
        if (all[i] < 1 || all[i] > LIM)
            return zki_fail(ZKI_ERR_INPUT, "conv: size or parameter %d is %llu (want 1 .. 2^31)",
                            i, (unsigned long long)all[i]);
    if (C % G || OC % G)
        return zki_fail(ZKI_ERR_INPUT, "conv: %llu groups do not divide C=%llu, OC=%llu",
                        (unsigned long long)G, (unsigned long long)C, (unsigned long long)OC);
    uint64_t Cig = C / G, Cog = OC / G;
    uint64_t eh = dh * (KH - 1) + 1, ew = dw * (KW - 1) + 1;
    if (H + pt + pb < eh || W + pl + pr < ew)
        return zki_fail(ZKI_ERR_INPUT, "conv: the %llux%llu dilated kernel exceeds the padded input",
                        (unsigned long long)eh, (unsigned long long)ew);
    memset(d, 0, sizeof(*d));
    d->B = B, d->C = C, d->H = H, d->W = W, d->OC = OC, d->KH = KH, d->KW = KW;
    d->sh = sh, d->sw = sw, d->dh = dh, d->dw = dw;
    d->pt = pt, d->pl = pl, d->pb = pb, d->pr = pr, d->G = G;
    d->OH = (H + pt + pb - eh) / sh + 1;
    d->OW = (W + pl + pr - ew) / sw + 1;
    d->Cig = Cig, d->Cog = Cog;
    d->lb = zki_log2_ceil(B);
    d->lc = zki_log2_ceil(C);
    d->lh = zki_log2_ceil(H);
    d->lw = zki_log2_ceil(W);
    d->loc = zki_log2_ceil(OC);
    d->loh = zki_log2_ceil(d->OH);
    d->low = zki_log2_ceil(d->OW);
    d->lkh = zki_log2_ceil(KH);
    d->lkw = zki_log2_ceil(KW);
    d->licl = zki_log2_ceil(Cig);
    d->locl = zki_log2_ceil(Cog);
    d->lg = zki_log2_ceil(G);
    /* powers of two per group: the padded channel axes factor exactly;
     * otherwise channels are matched by index maps (the general path) */
    d->general = G > 1 && (!is_pow2(Cig) || !is_pow2(Cog));
    if (!d->general && (d->lc != d->licl + d->lg || d->loc != d->locl + d->lg))
        return zki_fail(ZKI_ERR_INPUT, "conv: channel axes do not factor into groups");
    d->has_bias = has_bias ? 1 : 0;
    return ZKI_OK;
}

size_t zki_conv_acc_nvars(const zki_conv_dims *d) { return d->low + d->loh + d->loc + d->lb; }
size_t zki_conv_x_nvars(const zki_conv_dims *d) { return d->lw + d->lh + d->lc + d->lb; }
size_t zki_conv_w_nvars(const zki_conv_dims *d) { return d->lkw + d->lkh + d->licl + d->loc; }

static int64_t wget(const void *W, int w_bits, uint64_t i)
{
    return w_bits == 8 ? ((const int8_t *)W)[i] : ((const int16_t *)W)[i];
}

/* Kernel column kx reads input column ox sw + kx dw - pl = ox sw + off; the
 * output columns lo..hi (empty when hi < lo) are those inside [0, W). */
static void tap_columns(const zki_conv_dims *d, uint64_t kx, int64_t *off, int64_t *lo, int64_t *hi)
{
    int64_t o = (int64_t)(kx * d->dw) - (int64_t)d->pl, sw = (int64_t)d->sw;
    *off = o;
    *lo = o >= 0 ? 0 : (-o + sw - 1) / sw;
    *hi = (int64_t)d->W - 1 - o < 0 ? -1 : ((int64_t)d->W - 1 - o) / sw;
    if (*hi >= (int64_t)d->OW)
        *hi = (int64_t)d->OW - 1;
}

/* One output plane out[oy][ox] = init + the products of output channel oc
 * of sample b, in T. Loops run kernel tap by tap so the innermost loop walks
 * a contiguous input row (vectorised at stride 1). Two instances:
 *  - conv_plane_i64: with |x| < 2^31, |w| < 2^15 and at most 2^16 terms
 *    every partial sum stays below 2^62 in magnitude;
 *  - conv_plane_i32 (init 0; the caller adds the bias in int64): the caller
 *    checks taps * max|x| * max|w| < 2^31, so no partial sum wraps; 16 lanes
 *    per AVX-512 vector where int64 has 8. Integer sums are exact, so every
 *    clone gives the same plane. */
#define DEFINE_CONV_PLANE(NAME, T, ATTR)                                                          \
    ATTR static void NAME(const zki_conv_dims *d, const int64_t *X, const void *W, int w_bits,    \
                          T init,                                                                 \
                          uint64_t b, uint64_t oc, T *out)                                        \
    {                                                                                             \
        uint64_t g = oc / d->Cog, np = d->OH * d->OW;                                             \
        for (uint64_t i = 0; i < np; i++)                                                         \
            out[i] = init;                                                                        \
        for (uint64_t c = 0; c < d->Cig; c++) {                                                   \
            const int64_t *xc = X + (b * d->C + g * d->Cig + c) * d->H * d->W;                    \
            for (uint64_t ky = 0; ky < d->KH; ky++)                                               \
                for (uint64_t kx = 0; kx < d->KW; kx++) {                                         \
                    T w = (T)wget(W, w_bits, ((oc * d->Cig + c) * d->KH + ky) * d->KW + kx);     \
                    if (!w)                                                                       \
                        continue;                                                                 \
                    int64_t off, lo, hi, sw = (int64_t)d->sw;                                     \
                    tap_columns(d, kx, &off, &lo, &hi);                                           \
                    for (uint64_t oy = 0; oy < d->OH; oy++) {                                     \
                        int64_t iy = (int64_t)(oy * d->sh + ky * d->dh) - (int64_t)d->pt;         \
                        if (iy < 0 || iy >= (int64_t)d->H)                                        \
                            continue;                                                             \
                        const int64_t *restrict xr = xc + (uint64_t)iy * d->W;                    \
                        T *restrict o = out + oy * d->OW;                                         \
                        if (sw == 1)                                                              \
                            for (int64_t ox = lo; ox <= hi; ox++)                                 \
                                o[ox] += w * (T)xr[ox + off];                                     \
                        else                                                                      \
                            for (int64_t ox = lo; ox <= hi; ox++)                                 \
                                o[ox] += w * (T)xr[ox * sw + off];                                \
                    }                                                                             \
                }                                                                                 \
        }                                                                                         \
    }

DEFINE_CONV_PLANE(conv_plane_i64, int64_t, )
DEFINE_CONV_PLANE(conv_plane_i32, int32_t, ZKI_VEC_CLONES)

/* With fewer than OCB / 2 output channels per group (depthwise convs),
 * where rows_i32 would mostly sum padding, output rows at least this long
 * take the int32 plane path: its vector loop pays off on ImageNet-size rows
 * and loses to the scalar int64 loop on CIFAR-size ones (VGG-16 at 32x32:
 * witness 0.110 -> 0.135 s with it). */
#define I32_MIN_ROW 48

/* Pointwise convs (1x1, stride 1, no padding: ResNet-50's bottleneck ends,
 * 70% of its multiply-adds): an output plane is a sum of whole input
 * planes, so each (input channel, output channel) is one long vector loop,
 * and PW_BLOCK output channels share each input tile of PW_TILE entries
 * while it is in cache. X as int32 (narrowed once per layer). */
#define PW_BLOCK 8
#define PW_TILE 1024
ZKI_VEC_CLONES static void pointwise_block(const int32_t *X, uint64_t np, uint64_t cig, const void *W,
                                           int w_bits, uint64_t w0, uint64_t nb, int32_t *out)
{
    for (uint64_t p0 = 0; p0 < np; p0 += PW_TILE) {
        uint64_t n = np - p0 < PW_TILE ? np - p0 : PW_TILE;
        for (uint64_t k = 0; k < nb; k++)
            memset(out + k * np + p0, 0, n * sizeof *out);
        for (uint64_t c = 0; c < cig; c++) {
            const int32_t *restrict x = X + c * np + p0;
            for (uint64_t k = 0; k < nb; k++) {
                int32_t w = (int32_t)wget(W, w_bits, w0 + k * cig + c);
                if (!w)
                    continue;
                int32_t *restrict o = out + k * np + p0;
                for (uint64_t i = 0; i < n; i++)
                    o[i] += w * x[i];
            }
        }
    }
}

static int is_pointwise(const zki_conv_dims *d)
{
    return d->KH == 1 && d->KW == 1 && d->sh == 1 && d->sw == 1 && !d->pt && !d->pl && !d->pb &&
           !d->pr;
}

/* The pointwise int32 path (the caller checked that no partial sum wraps);
 * 0 when out of memory (the caller then runs the general loops). */
static int pointwise_i32(const zki_conv_dims *d, const int64_t *X, const void *W, int w_bits,
                         const int64_t *bias, int64_t *acc)
{
    uint64_t np = d->H * d->W, nx = d->B * d->C * np;
    int32_t *x32 = malloc(sizeof(int32_t) * (nx ? nx : 1));
    if (!x32)
        return 0;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < (int64_t)nx; i++)
        x32[i] = (int32_t)X[i];
    uint64_t per_g = (d->Cog + PW_BLOCK - 1) / PW_BLOCK;
    int64_t n_tasks = (int64_t)(d->B * d->G * per_g);
    int ok = 1;
#pragma omp parallel reduction(& : ok)
    {
        int32_t *out = malloc(sizeof(int32_t) * PW_BLOCK * (np ? np : 1));
        if (!out)
            ok = 0;
#pragma omp for schedule(dynamic, 1)
        for (int64_t t = 0; t < n_tasks; t++) {
            if (!out)
                continue;
            uint64_t b = (uint64_t)t / (d->G * per_g), rem = (uint64_t)t % (d->G * per_g);
            uint64_t g = rem / per_g, oc0 = g * d->Cog + (rem % per_g) * PW_BLOCK;
            uint64_t nb = g * d->Cog + d->Cog - oc0 < PW_BLOCK ? g * d->Cog + d->Cog - oc0 : PW_BLOCK;
            pointwise_block(x32 + (b * d->C + g * d->Cig) * np, np, d->Cig, W, w_bits, oc0 * d->Cig,
                            nb, out);
            for (uint64_t k = 0; k < nb; k++) {
                int64_t bv = bias ? bias[oc0 + k] : 0, *o = acc + (b * d->OC + oc0 + k) * np;
                for (uint64_t i = 0; i < np; i++)
                    o[i] = bv + out[k * np + i];
            }
        }
        free(out);
    }
    free(x32);
    return ok;
}

/* Convs of OCB / 2 or more output channels per group vectorise across
 * output channels, whatever their row length (a short row, ResNet-50's 28-,
 * 14- and 7-wide 3x3 convs, leaves a row-wise loop mostly idle): the
 * weights transposed to [g][icl][ky][kx][ocl], rows of wrow entries (Cog
 * rounded up to OCB: OCB consecutive output channels per load), one output
 * row of OCB channels summed in a buffer
 * [ox][OCB] that stays in L1, each input value broadcast against its OCB
 * weights. int32 sums under the caller's bound, exact in any order. */
#define OCB 16
/* OCB int32 lanes as one value (one AVX-512 register, two AVX2 ones): the
 * loop over the channels must be the vectorised one, not the one over ox */
typedef int32_t ocb_vec __attribute__((vector_size(OCB * sizeof(int32_t))));
ZKI_VEC_CLONES static void row_block_i32(const zki_conv_dims *d, const int64_t *X, const int32_t *wt,
                                         uint64_t wrow, uint64_t b, uint64_t g, uint64_t ocl0, uint64_t oy,
                                         int32_t *buf)
{
    memset(buf, 0, sizeof(int32_t) * OCB * d->OW);
    for (uint64_t c = 0; c < d->Cig; c++) {
        const int64_t *xc = X + (b * d->C + g * d->Cig + c) * d->H * d->W;
        for (uint64_t ky = 0; ky < d->KH; ky++) {
            int64_t iy = (int64_t)(oy * d->sh + ky * d->dh) - (int64_t)d->pt;
            if (iy < 0 || iy >= (int64_t)d->H)
                continue;
            const int64_t *xr = xc + (uint64_t)iy * d->W;
            for (uint64_t kx = 0; kx < d->KW; kx++) {
                ocb_vec w, o;
                memcpy(&w, wt + (((g * d->Cig + c) * d->KH + ky) * d->KW + kx) * wrow + ocl0, sizeof w);
                int64_t off, lo, hi, sw = (int64_t)d->sw;
                tap_columns(d, kx, &off, &lo, &hi);
                for (int64_t ox = lo; ox <= hi; ox++) {
                    memcpy(&o, buf + (uint64_t)ox * OCB, sizeof o);
                    o += (int32_t)xr[ox * sw + off] * w;
                    memcpy(buf + (uint64_t)ox * OCB, &o, sizeof o);
                }
            }
        }
    }
}

/* The short-row int32 path (the caller checked the bound); 0 when out of
 * memory. Output channels pad to a multiple of OCB in the transposed
 * weights (zeros), so every block loads OCB of them. */
static int rows_i32(const zki_conv_dims *d, const int64_t *X, const void *W, int w_bits, const int64_t *bias,
                    int64_t *acc)
{
    uint64_t cogp = (d->Cog + OCB - 1) / OCB * OCB, taps = d->Cig * d->KH * d->KW;
    int32_t *wt = calloc(d->G * taps * cogp + 1, sizeof(int32_t));
    if (!wt)
        return 0;
    /* each output channel writes its own column (ResNet-50's 512 x 4608
     * weights take milliseconds: in parallel) */
#pragma omp parallel for schedule(static) if (d->OC * taps > 65536)
    for (int64_t oc = 0; oc < (int64_t)d->OC; oc++) {
        uint64_t g = (uint64_t)oc / d->Cog, ocl = (uint64_t)oc % d->Cog;
        for (uint64_t t = 0; t < taps; t++)
            wt[(g * taps + t) * cogp + ocl] = (int32_t)wget(W, w_bits, (uint64_t)oc * taps + t);
    }
    uint64_t nblk = cogp / OCB, np = d->OH * d->OW;
    int64_t n_tasks = (int64_t)(d->B * d->G * nblk * d->OH);
    int ok = 1;
#pragma omp parallel reduction(& : ok)
    {
        int32_t *buf = malloc(sizeof(int32_t) * OCB * (d->OW ? d->OW : 1));
        if (!buf)
            ok = 0;
#pragma omp for schedule(static)
        for (int64_t t = 0; t < n_tasks; t++) {
            if (!buf)
                continue;
            uint64_t oy = (uint64_t)t % d->OH, r = (uint64_t)t / d->OH;
            uint64_t blk = r % nblk, bg = r / nblk, g = bg % d->G, b = bg / d->G;
            row_block_i32(d, X, wt, cogp, b, g, blk * OCB, oy, buf);
            for (uint64_t k = 0; k < OCB && blk * OCB + k < d->Cog; k++) {
                uint64_t oc = g * d->Cog + blk * OCB + k;
                int64_t bv = bias ? bias[oc] : 0, *o = acc + (b * d->OC + oc) * np + oy * d->OW;
                for (uint64_t ox = 0; ox < d->OW; ox++)
                    o[ox] = bv + buf[ox * OCB + k];
            }
        }
        free(buf);
    }
    free(wt);
    return ok;
}

/* The int32 path: when every partial sum of the plain products stays below
 * 2^31 (int8 activations and weights up to 2^17 taps); X read as int64 and
 * narrowed in the loop, one int32 plane per thread, bias added in int64. 0 when not applicable
 * or out of memory (the caller then runs the int64 loop). */
static int conv_forward_i32(const zki_conv_dims *d, const int64_t *X, const void *W, int w_bits,
                            const int64_t *bias, int64_t *acc)
{
    /* |w| <= 2^(w_bits - 1); int16 copies are scanned (a model with one
     * int16 layer has all its copies int16: a transformer's LayerNorm gain
     * kept its int8 projections off this path), a pass far cheaper than
     * the convolution */
    uint64_t nx = d->B * d->C * d->H * d->W, nw = d->OC * d->Cig * d->KH * d->KW;
    double taps = (double)(d->Cig * d->KH * d->KW), mw = ldexp(1.0, w_bits - 1);
    if (w_bits == 16) {
        int64_t m16 = 0;
        const int16_t *w16 = W;
#pragma omp parallel for schedule(static) reduction(max : m16) if (nw > 65536)
        for (int64_t i = 0; i < (int64_t)nw; i++) {
            int64_t a = w16[i] < 0 ? -(int64_t)w16[i] : w16[i];
            if (a > m16)
                m16 = a;
        }
        mw = (double)(m16 > 0 ? m16 : 1);
    }
    int64_t mx = 0;
#pragma omp parallel for schedule(static) reduction(max : mx)
    for (int64_t i = 0; i < (int64_t)nx; i++) {
        int64_t a = X[i] < 0 ? -X[i] : X[i];
        if (a > mx)
            mx = a;
    }
    if (taps * (double)mx * mw >= 2147483647.0)
        return 0;
    if (is_pointwise(d) && pointwise_i32(d, X, W, w_bits, bias, acc))
        return 1;
    if (d->Cog >= OCB / 2)
        return rows_i32(d, X, W, w_bits, bias, acc);
    if (d->OW < I32_MIN_ROW)
        return 0;
    uint64_t np = d->OH * d->OW;
    int64_t nbo = (int64_t)(d->B * d->OC);
    int ok = 1;
#pragma omp parallel reduction(& : ok)
    {
        int32_t *plane = malloc(sizeof(int32_t) * (np ? np : 1));
        if (!plane)
            ok = 0;
#pragma omp for schedule(static)
        for (int64_t bo = 0; bo < nbo; bo++) {
            if (!plane)
                continue;
            uint64_t b = (uint64_t)bo / d->OC, oc = (uint64_t)bo % d->OC;
            conv_plane_i32(d, X, W, w_bits, 0, b, oc, plane);
            int64_t bv = bias ? bias[oc] : 0, *o = acc + (uint64_t)bo * np;
            for (uint64_t i = 0; i < np; i++)
                o[i] = bv + plane[i];
        }
        free(plane);
    }
    return ok;
}

zki_status zki_conv_forward(const zki_conv_dims *d, const int64_t *X, const void *W, int w_bits,
                            const int64_t *bias, int64_t **accp)
{
    if (w_bits != 8 && w_bits != 16)
        return zki_fail(ZKI_ERR_INPUT, "conv: weight bits %d (8 or 16)", w_bits);
    uint64_t n = d->B * d->OC * d->OH * d->OW;
    int64_t *acc = malloc(sizeof(int64_t) * n);
    if (!acc)
        return zki_fail(ZKI_ERR_NOMEM, "conv: acc of %llu entries", (unsigned long long)n);
    int bad = 0;
    /* biases are below 2^40 (quantiser) and int32 sums below 2^31: no
     * accumulator reaches the 2^62 the other paths check */
    int small_bias = 1;
    for (uint64_t oc = 0; bias && oc < d->OC; oc++)
        small_bias = small_bias && bias[oc] > -((int64_t)1 << 60) && bias[oc] < ((int64_t)1 << 60);
    if (small_bias && (d->OW >= I32_MIN_ROW || is_pointwise(d) || d->Cog >= OCB / 2) &&
        conv_forward_i32(d, X, W, w_bits, bias, acc)) {
        *accp = acc;
        return ZKI_OK;
    }
    int64_t nbo = (int64_t)(d->B * d->OC);
    /* int64 planes when no partial sum can reach 2^62 (inputs checked
     * below 2^31 by the caller's range); the exact 128-bit loop otherwise */
    int fast = d->Cig * d->KH * d->KW <= ((uint64_t)1 << 16);
    if (fast && bias)
        for (uint64_t oc = 0; oc < d->OC; oc++)
            fast = fast && bias[oc] > -((int64_t)1 << 61) && bias[oc] < ((int64_t)1 << 61);
    if (fast)
        for (uint64_t i = 0; fast && i < d->B * d->C * d->H * d->W; i++)
            fast = X[i] > -((int64_t)1 << 31) && X[i] < ((int64_t)1 << 31);
    if (fast) {
        uint64_t np = d->OH * d->OW;
#pragma omp parallel for schedule(static) reduction(| : bad)
        for (int64_t bo = 0; bo < nbo; bo++) {
            uint64_t b = (uint64_t)bo / d->OC, oc = (uint64_t)bo % d->OC;
            int64_t *o = acc + (uint64_t)bo * np;
            conv_plane_i64(d, X, W, w_bits, bias ? bias[oc] : 0, b, oc, o);
            for (uint64_t i = 0; i < np; i++)
                if (o[i] <= -((int64_t)1 << 62) || o[i] >= ((int64_t)1 << 62))
                    bad |= 1;
        }
    } else {
#pragma omp parallel for schedule(static) reduction(| : bad)
        for (int64_t bo = 0; bo < nbo; bo++) {
            uint64_t b = (uint64_t)bo / d->OC, oc = (uint64_t)bo % d->OC, g = oc / d->Cog;
            for (uint64_t oy = 0; oy < d->OH; oy++)
                for (uint64_t ox = 0; ox < d->OW; ox++) {
                    __int128 s = bias ? bias[oc] : 0;
                    for (uint64_t c = 0; c < d->Cig; c++)
                        for (uint64_t ky = 0; ky < d->KH; ky++) {
                            int64_t iy = (int64_t)(oy * d->sh + ky * d->dh) - (int64_t)d->pt;
                            if (iy < 0 || iy >= (int64_t)d->H)
                                continue;
                            for (uint64_t kx = 0; kx < d->KW; kx++) {
                                int64_t ix = (int64_t)(ox * d->sw + kx * d->dw) - (int64_t)d->pl;
                                if (ix < 0 || ix >= (int64_t)d->W)
                                    continue;
                                uint64_t xi = ((b * d->C + g * d->Cig + c) * d->H + (uint64_t)iy) * d->W +
                                              (uint64_t)ix;
                                uint64_t wi = ((oc * d->Cig + c) * d->KH + ky) * d->KW + kx;
                                s += (__int128)X[xi] * wget(W, w_bits, wi);
                            }
                        }
                    if (s <= -((__int128)1 << 62) || s >= ((__int128)1 << 62))
                        bad |= 1;
                    acc[((b * d->OC + oc) * d->OH + oy) * d->OW + ox] = (int64_t)s;
                }
        }
    }
    if (bad) {
        free(acc);
        return zki_fail(ZKI_ERR_INPUT, "conv: an accumulator leaves (-2^62, 2^62)");
    }
    *accp = acc;
    return ZKI_OK;
}

/* The index map of one spatial axis: T[i] = sum over o < n_out, k < K with
 * o s + k dil - pad = i in [0, n_in) of eq_o[o] eq_k[k]; zero elsewhere
 * (the padding). T has 2^l_in entries. */
static void axis_table(zki_ext *T, size_t l_in, uint64_t n_in, uint64_t n_out, uint64_t K,
                       uint64_t s, uint64_t dil, uint64_t pad, const zki_ext *eq_o,
                       const zki_ext *eq_k)
{
    for (size_t i = 0; i < ((size_t)1 << l_in); i++)
        T[i] = zki_ext_zero();
    for (uint64_t o = 0; o < n_out; o++)
        for (uint64_t k = 0; k < K; k++) {
            int64_t i = (int64_t)(o * s + k * dil) - (int64_t)pad;
            if (i >= 0 && i < (int64_t)n_in)
                T[i] = zki_ext_add(T[i], zki_ext_mul(eq_o[o], eq_k[k]));
        }
}

/* T~(point) for the axis table, as the verifier computes it. */
static zki_status axis_eval(zki_ext *out, const zki_ext *point, size_t l_in, uint64_t n_in,
                            uint64_t n_out, size_t l_out, const zki_ext *r_o, uint64_t K,
                            size_t l_k, const zki_ext *r_k, uint64_t s, uint64_t dil, uint64_t pad)
{
    zki_ext *eo = malloc(sizeof(zki_ext) << l_out), *ek = malloc(sizeof(zki_ext) << l_k);
    zki_ext *T = malloc(sizeof(zki_ext) << l_in), *es = malloc(sizeof(zki_ext) << l_in);
    zki_status st = ZKI_OK;
    if (!eo || !ek || !T || !es) {
        st = zki_fail(ZKI_ERR_NOMEM, "conv: index-map tables (2^%zu)", l_in);
        goto out;
    }
    zki_eq_table(eo, r_o, l_out);
    zki_eq_table(ek, r_k, l_k);
    zki_eq_table(es, point, l_in);
    axis_table(T, l_in, n_in, n_out, K, s, dil, pad, eo, ek);
    zki_ext_acc a;
    zki_ext_acc_zero(&a);
    for (size_t i = 0; i < ((size_t)1 << l_in); i++)
        zki_ext_acc_mac(&a, T[i], es[i]);
    *out = zki_ext_acc_reduce(&a);
out:
    free(eo);
    free(ek);
    free(T);
    free(es);
    return st;
}

/* A product sum-check of ext tables that also allows zero variables. */
static zki_status sc_prove(size_t nvars, unsigned ntab, zki_ext *const *tabs, zki_ext claim,
                           zki_transcript *t, zki_sc_proof *proof, zki_ext *point,
                           zki_ext *evals)
{
    if (nvars == 0) {
        proof->nvars = 0;
        proof->degree = ntab;
        proof->msgs = NULL;
        for (unsigned j = 0; j < ntab; j++)
            evals[j] = tabs[j][0];
        return ZKI_OK;
    }
    zki_sc_instance inst;
    memset(&inst, 0, sizeof(inst));
    inst.nvars = nvars;
    inst.n_tables = ntab;
    for (unsigned j = 0; j < ntab; j++)
        inst.ext[j] = tabs[j];
    return zki_sumcheck_prove(&inst, claim, t, proof, point, evals);
}

static zki_status sc_verify(const char *what, size_t nvars, unsigned degree, zki_pv claim,
                            const zki_sc_proof *proof, zki_transcript *t, zki_ext *point,
                            zki_pv *final_value)
{
    if (proof->nvars != nvars || proof->degree != degree)
        return zki_fail(ZKI_ERR_VERIFY, "conv: %s has %zu rounds of degree %u, want %zu of %u",
                        what, proof->nvars, proof->degree, nvars, degree);
    *final_value = claim;
    if (nvars == 0)
        return ZKI_OK;
    zki_status st = zki_sumcheck_verify_pv(nvars, degree, claim, proof, t, point, final_value);
    if (st)
        return st == ZKI_ERR_INPUT ? zki_fail_ctx(ZKI_ERR_VERIFY, "conv: %s", what)
                                   : st;
    return ZKI_OK;
}

static zki_ext out_mask(const zki_conv_dims *d, const zki_ext *r_acc)
{
    const zki_ext *r_ox = r_acc, *r_oy = r_acc + d->low, *r_b = r_acc + d->low + d->loh + d->loc;
    return zki_ext_mul(zki_rows_mask_eval(r_b, d->lb, d->B),
                       zki_ext_mul(zki_rows_mask_eval(r_oy, d->loh, d->OH),
                                   zki_rows_mask_eval(r_ox, d->low, d->OW)));
}

/* x_point = (s, r_c, r_b); w_point = (r_kx, r_ky, r_icl, r_ocl, r_g). The
 * general path: x_point = (s_x, s_y, s_c, r_b) from p2, w_point =
 * (r_kx, r_ky, r_icl, s_oc) with s_oc = p3. */
static void out_points(const zki_conv_dims *d, const zki_ext *r_acc, const zki_ext *p1,
                       const zki_ext *p2, const zki_ext *p3, zki_ext *x_point, zki_ext *w_point)
{
    size_t lk = d->lkw + d->lkh, l2 = d->lw + d->lh;
    const zki_ext *r_ocl = r_acc + d->low + d->loh, *r_b = r_ocl + d->loc;
    if (d->general) {
        memcpy(x_point, p2, sizeof(zki_ext) * (l2 + d->lc));
        memcpy(x_point + l2 + d->lc, r_b, sizeof(zki_ext) * d->lb);
        memcpy(w_point, p1, sizeof(zki_ext) * (lk + d->licl));
        memcpy(w_point + lk + d->licl, p3, sizeof(zki_ext) * d->loc);
        return;
    }
    memcpy(x_point, p2, sizeof(zki_ext) * l2);
    memcpy(x_point + l2, p1 + lk, sizeof(zki_ext) * d->lc);
    memcpy(x_point + l2 + d->lc, r_b, sizeof(zki_ext) * d->lb);
    memcpy(w_point, p1, sizeof(zki_ext) * (lk + d->licl));
    memcpy(w_point + lk + d->licl, r_ocl, sizeof(zki_ext) * d->locl);
    memcpy(w_point + lk + d->licl + d->locl, p1 + lk + d->licl, sizeof(zki_ext) * d->lg);
}

#define NV_MAX 128

/* General groups: Tc[c] = eq(r_icl, c mod Cig) eq(r_g, c div Cig) for
 * c < C (zero beyond, 2^lc entries), To[oc] = eq(r_oc, oc) eq(r_g, oc div
 * Cog) for oc < OC (2^loc entries; eqoc = eq(r_oc, .)). */
static int general_maps(const zki_conv_dims *d, const zki_ext *r_icl, const zki_ext *r_g, const zki_ext *eqoc,
                        zki_ext *Tc, zki_ext *To)
{
    zki_ext *ei = malloc(sizeof(zki_ext) << d->licl), *eg = malloc(sizeof(zki_ext) << d->lg);
    if (!ei || !eg) {
        free(ei);
        free(eg);
        return 0;
    }
    zki_eq_table(ei, r_icl, d->licl);
    zki_eq_table(eg, r_g, d->lg);
    if (Tc) {
        memset(Tc, 0, sizeof(zki_ext) << d->lc);
        for (uint64_t c = 0; c < d->C; c++)
            Tc[c] = zki_ext_mul(ei[c % d->Cig], eg[c / d->Cig]);
    }
    if (To) {
        memset(To, 0, sizeof(zki_ext) << d->loc);
        for (uint64_t oc = 0; oc < d->OC; oc++)
            To[oc] = zki_ext_mul(eqoc[oc], eg[oc / d->Cog]);
    }
    free(ei);
    free(eg);
    return 1;
}

/* *out = the MLE of a table of 2^n entries at r (the verifier's maps). */
static zki_status table_eval(zki_ext *out, const zki_ext *T, size_t n, const zki_ext *r)
{
    zki_ext *eq = malloc(sizeof(zki_ext) << n);
    if (!eq)
        return zki_fail(ZKI_ERR_NOMEM, "conv: channel map of 2^%zu", n);
    zki_eq_table(eq, r, n);
    zki_ext_acc a;
    zki_ext_acc_zero(&a);
    for (size_t i = 0; i < ((size_t)1 << n); i++)
        zki_ext_acc_mac(&a, eq[i], T[i]);
    free(eq);
    *out = zki_ext_acc_reduce(&a);
    return ZKI_OK;
}

/* Sum-checks 2 and 3 of the general path (see conv.h), after sum-check 1
 * ended at p1 with the true values xf and wf. Xb[c][iy][ix]: X folded over
 * the batch. Sets ev->x and ev->w. */
static zki_status general_prove(const zki_conv_dims *d, const zki_ext *Xb, const void *W, int w_bits,
                                const zki_ext *eqoc, const zki_ext *p1, const zki_ext *eqoy,
                                const zki_ext *eqox, zki_ext xf, zki_ext wf, zki_transcript *t,
                                zki_conv_proof *proof, zki_ext *p2, zki_ext *p3, zki_conv_evals *cev)
{
    size_t lk = d->lkw + d->lkh, n2v = d->lw + d->lh + d->lc, n2 = (size_t)1 << n2v;
    uint64_t C = d->C, H = d->H, Wd = d->W, KH = d->KH, KW = d->KW, nk = (uint64_t)1 << (lk + d->licl);
    zki_ext *Xp = calloc(n2, sizeof(zki_ext)), *Q = malloc(sizeof(zki_ext) * n2);
    zki_ext *Tc = malloc(sizeof(zki_ext) << d->lc), *To = malloc(sizeof(zki_ext) << d->loc);
    zki_ext *Wo = calloc((size_t)1 << d->loc, sizeof(zki_ext)), *ek = malloc(sizeof(zki_ext) * nk);
    zki_ext *Ty = malloc(sizeof(zki_ext) << d->lh), *Tx = malloc(sizeof(zki_ext) << d->lw);
    zki_ext *eky = malloc(sizeof(zki_ext) << d->lkh), *ekx = malloc(sizeof(zki_ext) << d->lkw), ev[2];
    zki_status st = ZKI_OK;
    if (!Xp || !Q || !Tc || !To || !Wo || !ek || !Ty || !Tx || !eky || !ekx ||
        !general_maps(d, p1 + lk, p1 + lk + d->licl, eqoc, Tc, To)) {
        st = zki_fail(ZKI_ERR_NOMEM, "conv: general-groups buffers");
        goto out;
    }
    /* sum-check 2 over (ix, iy, c): X folded over the batch against
     * Tx (x) Ty (x) Tc */
    zki_eq_table(eky, p1 + d->lkw, d->lkh);
    zki_eq_table(ekx, p1, d->lkw);
    axis_table(Ty, d->lh, H, d->OH, KH, d->sh, d->dh, d->pt, eqoy, eky);
    axis_table(Tx, d->lw, Wd, d->OW, KW, d->sw, d->dw, d->pl, eqox, ekx);
    for (uint64_t c = 0; c < C; c++)
        for (uint64_t iy = 0; iy < H; iy++)
            for (uint64_t ix = 0; ix < Wd; ix++)
                Xp[((c << d->lh | iy) << d->lw) | ix] = Xb[(c * H + iy) * Wd + ix];
    for (size_t j = 0; j < n2; j++)
        Q[j] = zki_ext_mul(Tc[j >> (d->lw + d->lh)],
                           zki_ext_mul(Ty[(j >> d->lw) & (((size_t)1 << d->lh) - 1)],
                                       Tx[j & (((size_t)1 << d->lw) - 1)]));
    zki_ext *tabs2[2] = {Xp, Q};
    if ((st = sc_prove(n2v, 2, tabs2, xf, t, &proof->sc2, p2, ev)))
        goto out;
    cev->x = ev[0];
    proof->x_eval = zki_zk_send(t, "cv.x", ev[0]);
    /* sum-check 3 over oc: Wo[oc] = W~(r_kx, r_ky, r_icl, oc) against To */
    zki_eq_table(ek, p1, lk + d->licl);
    for (uint64_t oc = 0; oc < d->OC; oc++) {
        zki_ext_acc a;
        zki_ext_acc_zero(&a);
        for (uint64_t icl = 0; icl < d->Cig; icl++)
            for (uint64_t ky = 0; ky < KH; ky++)
                for (uint64_t kx = 0; kx < KW; kx++)
                    zki_ext_acc_mac_fe(&a, zki_fe_from_i64(wget(W, w_bits, ((oc * d->Cig + icl) * KH + ky) * KW + kx)),
                                       ek[((icl << d->lkh | ky) << d->lkw) | kx]);
        Wo[oc] = zki_ext_acc_reduce(&a);
    }
    zki_ext *tabs3[2] = {Wo, To};
    if ((st = sc_prove(d->loc, 2, tabs3, wf, t, &proof->sc3, p3, ev)))
        goto out;
    cev->w = ev[0];
    proof->w_eval = zki_zk_send(t, "cv.w3", ev[0]);
out:
    free(Xp);
    free(Q);
    free(Tc);
    free(To);
    free(Wo);
    free(ek);
    free(Ty);
    free(Tx);
    free(eky);
    free(ekx);
    return st;
}

zki_status zki_conv_prove(const zki_conv_dims *d, const int64_t *X, const void *W, int w_bits,
                          const int64_t *bias, const zki_ext *r_acc, zki_ext v,
                          zki_transcript *t, zki_conv_proof *proof, zki_ext *x_point,
                          zki_ext *w_point, zki_conv_evals *cev)
{
    memset(proof, 0, sizeof(*proof));
    if (w_bits != 8 && w_bits != 16)
        return zki_fail(ZKI_ERR_INPUT, "conv: weight bits %d (8 or 16)", w_bits);
    if (d->has_bias && !bias)
        return zki_fail(ZKI_ERR_INPUT, "conv: bias missing");
    const zki_ext *r_ox = r_acc, *r_oy = r_acc + d->low, *r_oc = r_oy + d->loh;
    const zki_ext *r_b = r_oc + d->loc, *r_og = r_oc + d->locl;
    size_t n1v = d->lkw + d->lkh + d->licl + d->lg, n2v = d->lw + d->lh;
    size_t n1 = (size_t)1 << n1v, n2 = (size_t)1 << n2v;
    uint64_t C = d->C, H = d->H, Wd = d->W, KH = d->KH, KW = d->KW;
    zki_ext *eqb = malloc(sizeof(zki_ext) << d->lb), *eqoy = malloc(sizeof(zki_ext) << d->loh);
    zki_ext *eqox = malloc(sizeof(zki_ext) << d->low), *eqoc = malloc(sizeof(zki_ext) << d->loc);
    zki_ext *eqocl = malloc(sizeof(zki_ext) << d->locl), *eqog = malloc(sizeof(zki_ext) << d->lg);
    zki_ext *Xb = malloc(sizeof(zki_ext) * C * H * Wd), *Z = malloc(sizeof(zki_ext) * C * H * KW);
    zki_ext *Wf = calloc(n1, sizeof(zki_ext)), *Xf = calloc(n1, sizeof(zki_ext));
    zki_ext *E = malloc(sizeof(zki_ext) * n1), *Xp = calloc(n2, sizeof(zki_ext));
    zki_ext *Q = malloc(sizeof(zki_ext) * n2), *eqc = malloc(sizeof(zki_ext) << d->lc);
    zki_ext *Ty = malloc(sizeof(zki_ext) << d->lh), *Tx = malloc(sizeof(zki_ext) << d->lw);
    zki_ext *eky = malloc(sizeof(zki_ext) << d->lkh), *ekx = malloc(sizeof(zki_ext) << d->lkw);
    zki_ext p1[NV_MAX], p2[NV_MAX], p3[NV_MAX], ev[3];
    zki_status st = ZKI_OK;
    if (!eqb || !eqoy || !eqox || !eqoc || !eqocl || !eqog || !Xb || !Z || !Wf || !Xf || !E ||
        !Xp || !Q || !eqc || !Ty || !Tx || !eky || !ekx) {
        st = zki_fail(ZKI_ERR_NOMEM, "conv: prover buffers");
        goto out;
    }
    if (n1v > NV_MAX || n2v + d->lc > NV_MAX || d->loc > NV_MAX) {
        st = zki_fail(ZKI_ERR_INPUT, "conv: too many variables");
        goto out;
    }
    zki_eq_table(eqb, r_b, d->lb);
    zki_eq_table(eqoy, r_oy, d->loh);
    zki_eq_table(eqox, r_ox, d->low);
    zki_eq_table(eqoc, r_oc, d->loc);
    zki_eq_table(eqocl, r_oc, d->locl);
    zki_eq_table(eqog, r_og, d->lg);

    /* bias~(r_oc): the padded oc axis is indexed by oc itself */
    zki_ext beval = zki_ext_zero();
    if (d->has_bias) {
        zki_ext_acc a;
        zki_ext_acc_zero(&a);
        for (uint64_t oc = 0; oc < d->OC; oc++)
            zki_ext_acc_mac_fe(&a, zki_fe_from_i64(bias[oc]), eqoc[oc]);
        beval = zki_ext_acc_reduce(&a);
    }
    cev->b = beval;
    proof->b_eval = zki_zk_send(t, "cv.bias", beval);
    zki_ext target = zki_ext_sub(v, zki_ext_mul(beval, out_mask(d, r_acc)));

    /* Wf[g, icl, ky, kx] = sum_ocl eq(r_ocl, ocl) W[g Cog + ocl, icl, ky, kx] */
    int64_t ngi = (int64_t)(d->G * d->Cig);
#pragma omp parallel for schedule(static)
    for (int64_t gi = 0; gi < ngi; gi++) {
        uint64_t g = (uint64_t)gi / d->Cig, icl = (uint64_t)gi % d->Cig;
        for (uint64_t ky = 0; ky < KH; ky++)
            for (uint64_t kx = 0; kx < KW; kx++) {
                zki_ext_acc a;
                zki_ext_acc_zero(&a);
                for (uint64_t ocl = 0; ocl < d->Cog; ocl++) {
                    uint64_t oc = g * d->Cog + ocl;
                    int64_t w = wget(W, w_bits, ((oc * d->Cig + icl) * KH + ky) * KW + kx);
                    zki_ext_acc_mac_fe(&a, zki_fe_from_i64(w), d->general ? eqoc[oc] : eqocl[ocl]);
                }
                size_t k1 = ((((size_t)g << d->licl | icl) << d->lkh | ky) << d->lkw) | kx;
                Wf[k1] = zki_ext_acc_reduce(&a);
            }
    }
    /* Xb[c, iy, ix] = sum_b eq(r_b, b) X[b, c, iy, ix] */
    int64_t nc = (int64_t)C;
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < nc; c++)
        for (uint64_t i = 0; i < H * Wd; i++) {
            zki_ext_acc a;
            zki_ext_acc_zero(&a);
            for (uint64_t b = 0; b < d->B; b++)
                zki_ext_acc_mac_fe(&a, zki_fe_from_i64(X[(b * C + (uint64_t)c) * H * Wd + i]),
                                   eqb[b]);
            Xb[(uint64_t)c * H * Wd + i] = zki_ext_acc_reduce(&a);
        }
    /* the virtual im2col folded along x, then along y: Z[c, iy, kx] =
     * sum_ox eq(r_ox, ox) Xb[c, iy, ix(ox, kx)]; Xf[c, ky, kx] = sum_oy
     * eq(r_oy, oy) Z[c, iy(oy, ky), kx] (pads contribute zero) */
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < nc; c++) {
        for (uint64_t iy = 0; iy < H; iy++)
            for (uint64_t kx = 0; kx < KW; kx++) {
                zki_ext_acc a;
                zki_ext_acc_zero(&a);
                for (uint64_t ox = 0; ox < d->OW; ox++) {
                    int64_t ix = (int64_t)(ox * d->sw + kx * d->dw) - (int64_t)d->pl;
                    if (ix >= 0 && ix < (int64_t)Wd)
                        zki_ext_acc_mac(&a, eqox[ox], Xb[((uint64_t)c * H + iy) * Wd + (uint64_t)ix]);
                }
                Z[((uint64_t)c * H + iy) * KW + kx] = zki_ext_acc_reduce(&a);
            }
        uint64_t g = (uint64_t)c / d->Cig, icl = (uint64_t)c % d->Cig;
        for (uint64_t ky = 0; ky < KH; ky++)
            for (uint64_t kx = 0; kx < KW; kx++) {
                zki_ext_acc a;
                zki_ext_acc_zero(&a);
                for (uint64_t oy = 0; oy < d->OH; oy++) {
                    int64_t iy = (int64_t)(oy * d->sh + ky * d->dh) - (int64_t)d->pt;
                    if (iy >= 0 && iy < (int64_t)H)
                        zki_ext_acc_mac(&a, eqoy[oy], Z[((uint64_t)c * H + (uint64_t)iy) * KW + kx]);
                }
                size_t k1 = ((((size_t)g << d->licl | icl) << d->lkh | ky) << d->lkw) | kx;
                Xf[k1] = zki_ext_acc_reduce(&a);
            }
    }
    for (size_t k = 0; k < n1; k++)
        E[k] = eqog[k >> (d->lkw + d->lkh + d->licl)];
    zki_ext *tabs1[3] = {Wf, Xf, E};
    st = sc_prove(n1v, d->lg && !d->general ? 3 : 2, tabs1, target, t, &proof->sc1, p1, ev);
    if (st)
        goto out;
    /* general: ev[0] is the folded weights' value (wf), W~'s comes later */
    cev->w = ev[0];
    proof->w_eval = zki_zk_send(t, "cv.w", ev[0]);
    proof->xf_eval = zki_zk_send(t, "cv.xf", ev[1]);
    if (d->general) {
        proof->wf_eval = proof->w_eval;
        st = general_prove(d, Xb, W, w_bits, eqoc, p1, eqoy, eqox, ev[1], ev[0], t, proof, p2, p3, cev);
        if (!st)
            out_points(d, r_acc, p1, p2, p3, x_point, w_point);
        goto out;
    }

    /* Xp[iy, ix] = X~(ix, iy, r_c, r_b); Q = Ty (x) Tx, the index map */
    zki_eq_table(eqc, p1 + d->lkw + d->lkh, d->lc);
    for (uint64_t c = 0; c < C; c++)
        for (uint64_t iy = 0; iy < H; iy++)
            for (uint64_t ix = 0; ix < Wd; ix++) {
                size_t j = ((size_t)iy << d->lw) | ix;
                Xp[j] = zki_ext_add(Xp[j], zki_ext_mul(eqc[c], Xb[(c * H + iy) * Wd + ix]));
            }
    zki_eq_table(eky, p1 + d->lkw, d->lkh);
    zki_eq_table(ekx, p1, d->lkw);
    axis_table(Ty, d->lh, H, d->OH, KH, d->sh, d->dh, d->pt, eqoy, eky);
    axis_table(Tx, d->lw, Wd, d->OW, KW, d->sw, d->dw, d->pl, eqox, ekx);
    for (size_t j = 0; j < n2; j++)
        Q[j] = zki_ext_mul(Ty[j >> d->lw], Tx[j & (((size_t)1 << d->lw) - 1)]);
    zki_ext *tabs2[2] = {Xp, Q};
    st = sc_prove(n2v, 2, tabs2, ev[1], t, &proof->sc2, p2, ev);
    if (st)
        goto out;
    cev->x = ev[0];
    proof->x_eval = zki_zk_send(t, "cv.x", ev[0]);
    out_points(d, r_acc, p1, p2, NULL, x_point, w_point);
out:
    free(eqb);
    free(eqoy);
    free(eqox);
    free(eqoc);
    free(eqocl);
    free(eqog);
    free(Xb);
    free(Z);
    free(Wf);
    free(Xf);
    free(E);
    free(Xp);
    free(Q);
    free(eqc);
    free(Ty);
    free(Tx);
    free(eky);
    free(ekx);
    if (st)
        zki_conv_proof_free(proof);
    return st;
}

/* fin == a * b * k (k public), or the failure `what`. */
static zki_status final_check(zki_transcript *t, zki_pv fin, zki_pv a, zki_pv b, zki_ext k, const char *what)
{
    zki_pv tabs[2] = {a, zki_pv_scale(t->zk, b, k)};
    if (zki_sumcheck_check_final_pv(NULL, NULL, 0, tabs, 2, fin, t))
        return zki_fail(ZKI_ERR_VERIFY, "conv: %s", what);
    return ZKI_OK;
}

/* The general path's checks after sum-check 1 ended in fin at p1. */
static zki_status general_verify(const zki_conv_dims *d, const zki_ext *r_acc, const zki_conv_proof *proof,
                                 zki_transcript *t, const zki_ext *p1, zki_pv fin, zki_ext *x_point,
                                 zki_ext *w_point, zki_conv_claims *out)
{
    const zki_ext *r_ox = r_acc, *r_oy = r_acc + d->low, *r_oc = r_oy + d->loh;
    size_t lk = d->lkw + d->lkh, n2v = d->lw + d->lh + d->lc;
    zki_ext p2[NV_MAX], p3[NV_MAX], ty, tx, tc, to;
    zki_pv fin2, fin3;
    zki_pv wf = zki_zk_recv(t, "cv.w", proof->wf_eval), xf = zki_zk_recv(t, "cv.xf", proof->xf_eval);
    zki_status st = final_check(t, fin, wf, xf, zki_ext_one(), "sum-check 1 ends off w * x_im2col");
    if (!st)
        st = sc_verify("sum-check 2", n2v, 2, xf, &proof->sc2, t, p2, &fin2);
    if (st)
        return st;
    zki_ext *eqoc = malloc(sizeof(zki_ext) << d->loc), *Tc = malloc(sizeof(zki_ext) << d->lc);
    zki_ext *To = malloc(sizeof(zki_ext) << d->loc);
    if (!eqoc || !Tc || !To) {
        st = zki_fail(ZKI_ERR_NOMEM, "conv: channel maps");
        goto out;
    }
    zki_eq_table(eqoc, r_oc, d->loc);
    if (!general_maps(d, p1 + lk, p1 + lk + d->licl, eqoc, Tc, To)) {
        st = zki_fail(ZKI_ERR_NOMEM, "conv: channel maps");
        goto out;
    }
    /* the index maps, evaluated here: Ty~(s_y) Tx~(s_x) Tc~(s_c) */
    st = axis_eval(&ty, p2 + d->lw, d->lh, d->H, d->OH, d->loh, r_oy, d->KH, d->lkh, p1 + d->lkw, d->sh, d->dh,
                   d->pt);
    if (!st)
        st = axis_eval(&tx, p2, d->lw, d->W, d->OW, d->low, r_ox, d->KW, d->lkw, p1, d->sw, d->dw, d->pl);
    if (!st)
        st = table_eval(&tc, Tc, d->lc, p2 + d->lw + d->lh);
    if (st)
        goto out;
    out->x = zki_zk_recv(t, "cv.x", proof->x_eval);
    if ((st = final_check(t, fin2, out->x, zki_pv_pub(tc), zki_ext_mul(ty, tx),
                          "sum-check 2 ends off x * index maps")))
        goto out;
    if ((st = sc_verify("sum-check 3", d->loc, 2, wf, &proof->sc3, t, p3, &fin3)) ||
        (st = table_eval(&to, To, d->loc, p3)))
        goto out;
    out->w = zki_zk_recv(t, "cv.w3", proof->w_eval);
    if ((st = final_check(t, fin3, out->w, zki_pv_pub(to), zki_ext_one(),
                          "sum-check 3 ends off w * output-channel map")))
        goto out;
    out_points(d, r_acc, p1, p2, p3, x_point, w_point);
out:
    free(eqoc);
    free(Tc);
    free(To);
    return st;
}

zki_status zki_conv_verify(const zki_conv_dims *d, const zki_ext *r_acc, zki_pv v,
                           const zki_conv_proof *proof, zki_transcript *t, zki_ext *x_point,
                           zki_ext *w_point, zki_conv_claims *out)
{
    const zki_ext *r_ox = r_acc, *r_oy = r_acc + d->low, *r_og = r_oy + d->loh + d->locl;
    size_t n1v = d->lkw + d->lkh + d->licl + d->lg, n2v = d->lw + d->lh;
    zki_ext p1[NV_MAX], p2[NV_MAX];
    zki_pv fin;
    zki_zk *z = t->zk;
    if (n1v > NV_MAX || n2v + d->lc > NV_MAX || d->loc > NV_MAX)
        return zki_fail(ZKI_ERR_INPUT, "conv: too many variables");
    out->b = zki_zk_recv(t, "cv.bias", proof->b_eval);
    if (!d->has_bias &&
        zki_pv_assert_eq(z, out->b, zki_pv_pub(zki_ext_zero()), "conv: no bias value without a bias"))
        return zki_fail(ZKI_ERR_VERIFY, "conv: bias value for a layer without bias");
    zki_pv target = zki_pv_sub(z, v, zki_pv_scale(z, out->b, out_mask(d, r_acc)));
    zki_status st = sc_verify("sum-check 1", n1v, d->lg && !d->general ? 3 : 2, target, &proof->sc1, t, p1, &fin);
    if (st)
        return st;
    if (d->general) {
        st = general_verify(d, r_acc, proof, t, p1, fin, x_point, w_point, out);
        return st ? st : z ? zki_zk_ok(z) : ZKI_OK;
    }
    if (!zki_ext_is_zero(proof->wf_eval) || proof->sc3.nvars || proof->sc3.degree || proof->sc3.msgs)
        return zki_fail(ZKI_ERR_VERIFY, "conv: general-groups fields in a factored conv proof");
    out->w = zki_zk_recv(t, "cv.w", proof->w_eval);
    zki_pv xf = zki_zk_recv(t, "cv.xf", proof->xf_eval);
    zki_ext eg = d->lg ? zki_eq_eval(r_og, p1 + d->lkw + d->lkh + d->licl, d->lg) : zki_ext_one();
    if ((st = final_check(t, fin, out->w, xf, eg, "sum-check 1 ends off w * x_im2col")))
        return st;
    st = sc_verify("sum-check 2", n2v, 2, xf, &proof->sc2, t, p2, &fin);
    if (st)
        return st;
    /* the index map and padding, evaluated here: Ty~(s_y) Tx~(s_x) */
    zki_ext ty, tx;
    st = axis_eval(&ty, p2 + d->lw, d->lh, d->H, d->OH, d->loh, r_oy, d->KH, d->lkh,
                   p1 + d->lkw, d->sh, d->dh, d->pt);
    if (!st)
        st = axis_eval(&tx, p2, d->lw, d->W, d->OW, d->low, r_ox, d->KW, d->lkw, p1, d->sw,
                       d->dw, d->pl);
    if (st)
        return st;
    out->x = zki_zk_recv(t, "cv.x", proof->x_eval);
    if ((st = final_check(t, fin, out->x, zki_pv_pub(ty), tx, "sum-check 2 ends off x * index map")))
        return st;
    out_points(d, r_acc, p1, p2, NULL, x_point, w_point);
    return z ? zki_zk_ok(z) : ZKI_OK;
}

void zki_conv_proof_free(zki_conv_proof *p)
{
    if (!p)
        return;
    zki_sc_proof_free(&p->sc1);
    zki_sc_proof_free(&p->sc2);
    zki_sc_proof_free(&p->sc3);
    memset(p, 0, sizeof(*p));
}
