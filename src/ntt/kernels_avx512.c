/* AVX-512 butterfly kernels: 8 Goldilocks elements per register, all values
 * canonical, unsigned compares into mask registers for the corrections.
 * Lane counts that are not a multiple of 8 finish on the portable kernels. */
#include "ntt/ntt_internal.h"

#ifdef __x86_64__
#include <immintrin.h>

#define V __m512i

static inline V v_p(void) { return _mm512_set1_epi64((long long)ZKI_P); }
static inline V v_eps(void) { return _mm512_set1_epi64((long long)ZKI_EPS); }

/* a + b = a - (p - b), adding p back on a borrow. */
static inline V v_add(V a, V b)
{
    V nb = _mm512_sub_epi64(v_p(), b);
    V d = _mm512_sub_epi64(a, nb);
    return _mm512_mask_add_epi64(d, _mm512_cmplt_epu64_mask(a, nb), d, v_p());
}

static inline V v_sub(V a, V b)
{
    V d = _mm512_sub_epi64(a, b);
    return _mm512_mask_add_epi64(d, _mm512_cmplt_epu64_mask(a, b), d, v_p());
}

/* a * b with b_hi = b >> 32 precomputed (twiddles are reused). The 128-bit
 * product is assembled from four 32x32 products, then reduced with
 * 2^64 = 2^32 - 1 and 2^96 = -1 as in zki_fe_reduce128. */
static inline V v_mul(V a, V b, V b_hi)
{
    const V lo32 = _mm512_set1_epi64(0xFFFFFFFFLL);
    V a_hi = _mm512_srli_epi64(a, 32);
    V ll = _mm512_mul_epu32(a, b);
    V lh = _mm512_mul_epu32(a, b_hi);
    V hl = _mm512_mul_epu32(a_hi, b);
    V hh = _mm512_mul_epu32(a_hi, b_hi);
    V t = _mm512_add_epi64(hl, _mm512_srli_epi64(ll, 32));        /* < 2^64 */
    V u = _mm512_add_epi64(lh, _mm512_and_si512(t, lo32));         /* < 2^64 */
    V hi = _mm512_add_epi64(hh, _mm512_srli_epi64(t, 32));
    hi = _mm512_add_epi64(hi, _mm512_srli_epi64(u, 32));
    V lo = _mm512_mask_blend_epi32(0xAAAA, ll, _mm512_slli_epi64(u, 32));
    /* lo - (hi >> 32), a borrow of 2^64 costs EPS */
    V hh32 = _mm512_srli_epi64(hi, 32);
    V t0 = _mm512_sub_epi64(lo, hh32);
    t0 = _mm512_mask_sub_epi64(t0, _mm512_cmplt_epu64_mask(lo, hh32), t0, v_eps());
    /* + (hi mod 2^32) * EPS, a carry of 2^64 is worth EPS */
    V t1 = _mm512_mul_epu32(hi, v_eps());
    V t2 = _mm512_add_epi64(t0, t1);
    t2 = _mm512_mask_add_epi64(t2, _mm512_cmplt_epu64_mask(t2, t1), t2, v_eps());
    return _mm512_mask_sub_epi64(t2, _mm512_cmpge_epu64_mask(t2, v_p()), t2, v_p());
}

/* x * 2^48 = (x >> 16) 2^64 + (x << 48), reduced as above: no products
 * to assemble, one 32x32 multiply. */
static inline V v_mul48(V x)
{
    V lo = _mm512_slli_epi64(x, 48);
    V hh32 = _mm512_srli_epi64(x, 48);
    V t0 = _mm512_sub_epi64(lo, hh32);
    t0 = _mm512_mask_sub_epi64(t0, _mm512_cmplt_epu64_mask(lo, hh32), t0, v_eps());
    V t1 = _mm512_mul_epu32(_mm512_srli_epi64(x, 16), v_eps());
    V t2 = _mm512_add_epi64(t0, t1);
    t2 = _mm512_mask_add_epi64(t2, _mm512_cmplt_epu64_mask(t2, t1), t2, v_eps());
    return _mm512_mask_sub_epi64(t2, _mm512_cmpge_epu64_mask(t2, v_p()), t2, v_p());
}

/* The radix-4 step before its twiddles (see ntt_internal.h):
 * x0..x3 <- X0, X0', d + w_4 e, d - w_4 e. */
static inline void r4_core(V *x0, V *x1, V *x2, V *x3)
{
    V s02 = v_add(*x0, *x2), d02 = v_sub(*x0, *x2);
    V s13 = v_add(*x1, *x3), e = v_mul48(v_sub(*x1, *x3));
    *x0 = v_add(s02, s13);
    *x1 = v_sub(s02, s13);
    *x2 = v_add(d02, e);
    *x3 = v_sub(d02, e);
}

static inline V ld(const zki_fe *p) { return _mm512_loadu_si512((const void *)p); }
static inline void st(zki_fe *p, V v) { _mm512_storeu_si512((void *)p, v); }
static inline V hi32(V w) { return _mm512_srli_epi64(w, 32); }

static void dif_layer(zki_fe *x, zki_fe *y, const zki_fe *tw, size_t c)
{
    size_t i = 0;
    for (; i + 8 <= c; i += 8) {
        V u = ld(x + i), v = ld(y + i), w = ld(tw + i);
        st(x + i, v_add(u, v));
        st(y + i, v_mul(v_sub(u, v), w, hi32(w)));
    }
    if (i < c)
        zki_ntt_kernels_portable.dif_layer(x + i, y + i, tw + i, c - i);
}

static void dif_radix4(zki_fe *a, size_t s, const zki_fe *w1, const zki_fe *w2, const zki_fe *w3,
                       size_t c)
{
    zki_fe *r0 = a, *r1 = a + s, *r2 = a + 2 * s, *r3 = a + 3 * s;
    size_t i = 0;
    for (; i + 8 <= c; i += 8) {
        V x0 = ld(r0 + i), x1 = ld(r1 + i), x2 = ld(r2 + i), x3 = ld(r3 + i);
        V wa = ld(w1 + i), wb = ld(w2 + i), wc = ld(w3 + i);
        r4_core(&x0, &x1, &x2, &x3);
        st(r0 + i, x0);
        st(r1 + i, v_mul(x1, wb, hi32(wb)));
        st(r2 + i, v_mul(x2, wa, hi32(wa)));
        st(r3 + i, v_mul(x3, wc, hi32(wc)));
    }
    if (i < c)
        zki_ntt_kernels_portable.dif_radix4(a + i, s, w1 + i, w2 + i, w3 + i, c - i);
}

/* x <- x + y, y <- (x - y) w */
#define BFLY(x, y, w, wh)                                                     \
    do {                                                                      \
        V s_ = v_add(x, y);                                                   \
        y = v_mul(v_sub(x, y), w, wh);                                        \
        x = s_;                                                               \
    } while (0)
#define BFLY1(x, y)                                                           \
    do {                                                                      \
        V s_ = v_add(x, y);                                                   \
        y = v_sub(x, y);                                                      \
        x = s_;                                                               \
    } while (0)

/* 8x8 transpose of 64-bit lanes: x[r][c] -> x[c][r]. */
static inline void transpose8(V x[8])
{
    const V i0 = _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13);
    const V i1 = _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15);
    const V j0 = _mm512_setr_epi64(0, 1, 2, 3, 8, 9, 10, 11);
    const V j1 = _mm512_setr_epi64(4, 5, 6, 7, 12, 13, 14, 15);
    V t[8], u[8];
    for (int r = 0; r < 8; r += 2) {
        t[r] = _mm512_unpacklo_epi64(x[r], x[r + 1]);
        t[r + 1] = _mm512_unpackhi_epi64(x[r], x[r + 1]);
    }
    /* u[0]: column 0 and 4 of rows 0-3, u[1]: columns 1 and 5, ... */
    for (int h = 0; h < 8; h += 4)
        for (int q = 0; q < 2; q++) {
            u[h + q] = _mm512_permutex2var_epi64(t[h + q], i0, t[h + q + 2]);
            u[h + q + 2] = _mm512_permutex2var_epi64(t[h + q], i1, t[h + q + 2]);
        }
    for (int q = 0; q < 4; q++) {
        x[q] = _mm512_permutex2var_epi64(u[q], j0, u[q + 4]);
        x[q + 4] = _mm512_permutex2var_epi64(u[q], j1, u[q + 4]);
    }
}

/* The last six layers (h = 32 .. 1) on blocks of 64 held as 8 rows of 8:
 * h = 32, 16 as a radix-4 step on rows, h = 8 on row pairs, then a
 * transpose so that h = 4, 2 (radix 4, twiddles w_8^j: constants) and h = 1
 * also pair whole registers. */
static void dif_tail(zki_fe *a, size_t n, const zki_ntt_tw *tw)
{
    V w1[2], w1h[2], w2[2], w2h[2], w3[2], w3h[2], w8, w8h;
    for (int r = 0; r < 2; r++) {
        w1[r] = ld(tw->w + 32 + 8 * r);
        w2[r] = ld(tw->w + 16 + 8 * r);
        w3[r] = ld(tw->w3 + 16 + 8 * r);
        w1h[r] = hi32(w1[r]);
        w2h[r] = hi32(w2[r]);
        w3h[r] = hi32(w3[r]);
    }
    w8 = ld(tw->w + 8);
    w8h = hi32(w8);
    /* w_8 and w_8^3 for the transposed radix-4 step with j = 1 */
    V c1 = _mm512_set1_epi64((long long)tw->w[5]), c1h = hi32(c1);
    V c3 = _mm512_set1_epi64((long long)tw->w3[3]), c3h = hi32(c3);
    for (size_t b = 0; b < n; b += 64) {
        zki_fe *p = a + b;
        V x[8];
        for (int r = 0; r < 8; r++)
            x[r] = ld(p + 8 * r);
        for (int r = 0; r < 2; r++) {
            r4_core(&x[r], &x[r + 2], &x[r + 4], &x[r + 6]);
            x[r + 2] = v_mul(x[r + 2], w2[r], w2h[r]);
            x[r + 4] = v_mul(x[r + 4], w1[r], w1h[r]);
            x[r + 6] = v_mul(x[r + 6], w3[r], w3h[r]);
        }
        for (int r = 0; r < 8; r += 2)
            BFLY(x[r], x[r + 1], w8, w8h);
        transpose8(x);
        r4_core(&x[0], &x[2], &x[4], &x[6]); /* j = 0: twiddles 1 */
        r4_core(&x[1], &x[3], &x[5], &x[7]);
        x[3] = v_mul48(x[3]); /* w_4 */
        x[5] = v_mul(x[5], c1, c1h);
        x[7] = v_mul(x[7], c3, c3h);
        for (int r = 0; r < 8; r += 2)
            BFLY1(x[r], x[r + 1]);
        transpose8(x);
        for (int r = 0; r < 8; r++)
            st(p + 8 * r, x[r]);
    }
}

static void scale_pow(zki_fe *a, size_t c, zki_fe m, zki_fe s)
{
    /* Four chains of eight lanes, m s^i for i = 32 t + 8 j + lane, each
     * stepping by s^32: independent multiplies instead of one long chain. */
    zki_fe p32[32];
    if (c < 32) {
        zki_ntt_kernels_portable.scale_pow(a, c, m, s);
        return;
    }
    p32[0] = m;
    for (int j = 1; j < 32; j++)
        p32[j] = zki_fe_mul(p32[j - 1], s);
    V p[4], ph[4];
    for (int j = 0; j < 4; j++) {
        p[j] = ld(p32 + 8 * j);
        ph[j] = hi32(p[j]);
    }
    V step = _mm512_set1_epi64((long long)zki_fe_pow(s, 32)), steph = hi32(step);
    size_t i = 0;
    for (; i + 32 <= c; i += 32) {
        for (int j = 0; j < 4; j++)
            st(a + i + 8 * j, v_mul(ld(a + i + 8 * j), p[j], ph[j]));
        if (s != 1)
            for (int j = 0; j < 4; j++) {
                p[j] = v_mul(p[j], step, steph);
                ph[j] = hi32(p[j]);
            }
    }
    if (i < c) {
        st(p32, p[0]);
        zki_ntt_kernels_portable.scale_pow(a + i, c - i, p32[0], s);
    }
}

const zki_ntt_kernels zki_ntt_kernels_avx512 = {dif_layer, dif_radix4, dif_tail, 6, scale_pow,
                                                "avx512"};

#else
typedef int zki_ntt_avx512_unused; /* not x86-64: the portable kernels only (ntt.c) */
#endif
