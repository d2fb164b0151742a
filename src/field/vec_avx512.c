/* AVX-512 Goldilocks kernels, 8 lanes of 64 bits. Only used where the CPU
 * has AVX-512 F, DQ and VL (this file is compiled with those flags plus
 * AVX2/BMI2). Unsigned compares into mask registers, masked add/sub and
 * min_epu64 make the carry handling shorter than in AVX2; element-wise
 * tails use masked loads and stores. */
#include "field/vec.h"
#include "field/vec_impls.h"

#ifndef ZKI_TINY_FIELD
#include <immintrin.h>

typedef __m512i v8;

static inline v8 ld(const zki_fe *p) { return _mm512_loadu_si512(p); }
static inline void st(zki_fe *p, v8 v) { _mm512_storeu_si512(p, v); }
static inline v8 ldm(__mmask8 m, const zki_fe *p) { return _mm512_maskz_loadu_epi64(m, p); }
static inline void stm(zki_fe *p, __mmask8 m, v8 v) { _mm512_mask_storeu_epi64(p, m, v); }
static inline v8 c64(uint64_t x) { return _mm512_set1_epi64((long long)x); }
static inline __mmask8 tail_mask(size_t r) { return (__mmask8)((1u << r) - 1); }

#define EPS c64(ZKI_EPS)
#define P c64(ZKI_P)
#define LO32 c64(0xFFFFFFFFULL)

/* a * b = lo + hi * 2^64 from four 32x32 partial products. */
static inline void mul128(v8 a, v8 b, v8 *hi, v8 *lo)
{
    v8 ah = _mm512_srli_epi64(a, 32), bh = _mm512_srli_epi64(b, 32);
    v8 ll = _mm512_mul_epu32(a, b), lh = _mm512_mul_epu32(a, bh);
    v8 hl = _mm512_mul_epu32(ah, b), hh = _mm512_mul_epu32(ah, bh);
    /* (2^32-1)^2 + 2^32-1 < 2^64: neither sum overflows. */
    v8 t = _mm512_add_epi64(hl, _mm512_srli_epi64(ll, 32));
    v8 u = _mm512_add_epi64(lh, _mm512_and_si512(t, LO32));
    *lo = _mm512_mask_mov_epi32(ll, 0xAAAA, _mm512_slli_epi64(u, 32));
    *hi = _mm512_add_epi64(hh, _mm512_add_epi64(_mm512_srli_epi64(t, 32),
                                                _mm512_srli_epi64(u, 32)));
}

/* zki_fe_reduce128, lane-wise: lo + hi*2^64 = lo - hi_hi + hi_lo*EPS. */
static inline v8 reduce128(v8 hi, v8 lo)
{
    v8 hh = _mm512_srli_epi64(hi, 32);
    v8 t0 = _mm512_sub_epi64(lo, hh);
    t0 = _mm512_mask_sub_epi64(t0, _mm512_cmplt_epu64_mask(lo, hh), t0, EPS);
    v8 t1 = _mm512_mul_epu32(hi, EPS); /* hi_lo * EPS */
    v8 t2 = _mm512_add_epi64(t0, t1);
    t2 = _mm512_mask_add_epi64(t2, _mm512_cmplt_epu64_mask(t2, t1), t2, EPS);
    /* t2 < 2^64 < 2p; if t2 < p, t2 - p wraps above t2. */
    return _mm512_min_epu64(t2, _mm512_sub_epi64(t2, P));
}

static inline v8 vmul(v8 a, v8 b)
{
    v8 hi, lo;
    mul128(a, b, &hi, &lo);
    return reduce128(hi, lo);
}

/* a + b + EPS overflows exactly when a + b >= p, and then wraps to a + b - p;
 * otherwise take EPS back off. */
static inline v8 vadd(v8 a, v8 b)
{
    v8 be = _mm512_add_epi64(b, EPS);
    v8 s = _mm512_add_epi64(a, be);
    return _mm512_mask_sub_epi64(s, _mm512_cmpge_epu64_mask(s, be), s, EPS);
}

/* On borrow a - b + 2^64 - EPS = a - b + p. */
static inline v8 vsub(v8 a, v8 b)
{
    v8 d = _mm512_sub_epi64(a, b);
    return _mm512_mask_sub_epi64(d, _mm512_cmplt_epu64_mask(a, b), d, EPS);
}

static void v5_add(zki_fe *out, const zki_fe *a, const zki_fe *b, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        st(out + i, vadd(ld(a + i), ld(b + i)));
    if (i < n) {
        __mmask8 m = tail_mask(n - i);
        stm(out + i, m, vadd(ldm(m, a + i), ldm(m, b + i)));
    }
}

static void v5_sub(zki_fe *out, const zki_fe *a, const zki_fe *b, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        st(out + i, vsub(ld(a + i), ld(b + i)));
    if (i < n) {
        __mmask8 m = tail_mask(n - i);
        stm(out + i, m, vsub(ldm(m, a + i), ldm(m, b + i)));
    }
}

static void v5_mul(zki_fe *out, const zki_fe *a, const zki_fe *b, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        st(out + i, vmul(ld(a + i), ld(b + i)));
    if (i < n) {
        __mmask8 m = tail_mask(n - i);
        stm(out + i, m, vmul(ldm(m, a + i), ldm(m, b + i)));
    }
}

static void v5_muladd(zki_fe *out, const zki_fe *a, const zki_fe *b, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        st(out + i, vadd(ld(out + i), vmul(ld(a + i), ld(b + i))));
    if (i < n) {
        __mmask8 m = tail_mask(n - i);
        stm(out + i, m, vadd(ldm(m, out + i), vmul(ldm(m, a + i), ldm(m, b + i))));
    }
}

static void v5_axpy(zki_fe *out, zki_fe s, const zki_fe *a, size_t n)
{
    v8 sv = c64(s);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        st(out + i, vadd(ld(out + i), vmul(sv, ld(a + i))));
    if (i < n) {
        __mmask8 m = tail_mask(n - i);
        stm(out + i, m, vadd(ldm(m, out + i), vmul(sv, ldm(m, a + i))));
    }
}

/* Lane indices that duplicate a[0..3] / a[4..7] into pairs, matching the
 * interleaved c0, c1 layout of zki_ext arrays. */
#define DUP_LO _mm512_setr_epi64(0, 0, 1, 1, 2, 2, 3, 3)
#define DUP_HI _mm512_setr_epi64(4, 4, 5, 5, 6, 6, 7, 7)

static void v5_scale_ext(zki_ext *out, const zki_fe *a, zki_ext s, size_t n)
{
    v8 sv = _mm512_setr_epi64((long long)s.c0, (long long)s.c1, (long long)s.c0, (long long)s.c1,
                              (long long)s.c0, (long long)s.c1, (long long)s.c0, (long long)s.c1);
    zki_fe *o = (zki_fe *)out;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v8 av = ld(a + i);
        st(o + 2 * i, vmul(_mm512_permutexvar_epi64(DUP_LO, av), sv));
        st(o + 2 * i + 8, vmul(_mm512_permutexvar_epi64(DUP_HI, av), sv));
    }
    for (; i < n; i++) {
        out[i].c0 = zki_fe_mul(a[i], s.c0);
        out[i].c1 = zki_fe_mul(a[i], s.c1);
    }
}

/* ---- lazy inner products ----------------------------------------------
 * Per lane, four 64-bit sums of 32-bit pieces of the partial products, by
 * weight 2^0, 2^32, 2^64, 2^96. Each step adds at most three values below
 * 2^32 to a sum, so 2^30 steps cannot overflow; the sums are flushed into
 * an exact zki_acc before that. */
#define CHUNK ((size_t)1 << 30)

typedef struct {
    v8 w0, w32, w64, w96;
} acc8;

static inline void acc8_zero(acc8 *s)
{
    s->w0 = s->w32 = s->w64 = s->w96 = _mm512_setzero_si512();
}

static inline void acc8_mac(acc8 *s, v8 a, v8 b)
{
    v8 ah = _mm512_srli_epi64(a, 32), bh = _mm512_srli_epi64(b, 32);
    v8 ll = _mm512_mul_epu32(a, b), lh = _mm512_mul_epu32(a, bh);
    v8 hl = _mm512_mul_epu32(ah, b), hh = _mm512_mul_epu32(ah, bh);
    v8 m = LO32;
    s->w0 = _mm512_add_epi64(s->w0, _mm512_and_si512(ll, m));
    s->w32 = _mm512_add_epi64(
        s->w32, _mm512_add_epi64(_mm512_srli_epi64(ll, 32),
                                 _mm512_add_epi64(_mm512_and_si512(lh, m), _mm512_and_si512(hl, m))));
    s->w64 = _mm512_add_epi64(
        s->w64, _mm512_add_epi64(_mm512_and_si512(hh, m),
                                 _mm512_add_epi64(_mm512_srli_epi64(lh, 32), _mm512_srli_epi64(hl, 32))));
    s->w96 = _mm512_add_epi64(s->w96, _mm512_srli_epi64(hh, 32));
}

static void acc_add_pieces(zki_acc *acc, uint64_t w0, uint64_t w32, uint64_t w64, uint64_t w96)
{
    zki_acc_add128(acc, w0);
    zki_acc_add128(acc, (unsigned __int128)w32 << 32);
    zki_acc_add128(acc, (unsigned __int128)w64 << 64);
    zki_acc_add128(acc, (unsigned __int128)w96 << 96); /* keeps w96's low 32 bits */
    acc->hi += w96 >> 32;                               /* the rest weighs 2^128 */
}

/* Adds even lanes into `even`, odd lanes into `odd` (may be the same). */
static void acc8_flush(const acc8 *s, zki_acc *even, zki_acc *odd)
{
    uint64_t w[4][8];
    st(w[0], s->w0);
    st(w[1], s->w32);
    st(w[2], s->w64);
    st(w[3], s->w96);
    for (int l = 0; l < 8; l++)
        acc_add_pieces(l & 1 ? odd : even, w[0][l], w[1][l], w[2][l], w[3][l]);
}

/* The tail is a masked load: zero lanes add nothing. */
static zki_fe v5_inner(const zki_fe *a, const zki_fe *b, size_t n)
{
    zki_acc acc;
    zki_acc_zero(&acc);
    size_t i = 0;
    while (i < n) {
        acc8 s;
        acc8_zero(&s);
        for (size_t k = 0; k < CHUNK && i + 8 <= n; k++, i += 8)
            acc8_mac(&s, ld(a + i), ld(b + i));
        if (i < n && n - i < 8) {
            __mmask8 m = tail_mask(n - i);
            acc8_mac(&s, ldm(m, a + i), ldm(m, b + i));
            i = n;
        }
        acc8_flush(&s, &acc, &acc);
    }
    return zki_acc_reduce(&acc);
}

/* Four extension elements per register, lanes (c0, c1) pairs. With b's
 * pairs swapped the lane products give a0 b1 / a1 b0; a second product by
 * (1, 7) gives a0 b0 / 7 a1 b1; adding each pair to its swapped self and
 * blending even (real) and odd (imaginary) lanes finishes the product. */
static inline v8 swap_pairs(v8 x) { return _mm512_shuffle_epi32(x, _MM_PERM_BADC); }

static inline v8 ext_mul4(v8 a, v8 b)
{
    const v8 one_w = _mm512_set_epi64(ZKI_EXT_W, 1, ZKI_EXT_W, 1, ZKI_EXT_W, 1, ZKI_EXT_W, 1);
    v8 diag = vmul(vmul(a, b), one_w);   /* a0 b0, 7 a1 b1 */
    v8 cross = vmul(a, swap_pairs(b));   /* a0 b1, a1 b0 */
    v8 re = vadd(diag, swap_pairs(diag));
    v8 im = vadd(cross, swap_pairs(cross));
    return _mm512_mask_blend_epi64(0xAA, re, im);
}

static void v5_ext_mul(zki_ext *out, const zki_ext *a, const zki_ext *b, size_t n)
{
    zki_fe *o = (zki_fe *)out;
    const zki_fe *af = (const zki_fe *)a, *bf = (const zki_fe *)b;
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        st(o + 2 * i, ext_mul4(ld(af + 2 * i), ld(bf + 2 * i)));
    if (i < n) {
        __mmask8 m = tail_mask(2 * (n - i));
        stm(o + 2 * i, m, ext_mul4(ldm(m, af + 2 * i), ldm(m, bf + 2 * i)));
    }
}

/* Lanes alternate between b's c0 (even) and c1 (odd) coordinates. */
static zki_ext v5_inner_ext(const zki_fe *a, const zki_ext *b, size_t n)
{
    zki_ext_acc acc;
    zki_ext_acc_zero(&acc);
    const zki_fe *bf = (const zki_fe *)b;
    size_t i = 0;
    while (i + 8 <= n) {
        acc8 s;
        acc8_zero(&s);
        for (size_t k = 0; k < CHUNK && i + 8 <= n; k += 2, i += 8) {
            v8 av = ld(a + i);
            acc8_mac(&s, _mm512_permutexvar_epi64(DUP_LO, av), ld(bf + 2 * i));
            acc8_mac(&s, _mm512_permutexvar_epi64(DUP_HI, av), ld(bf + 2 * i + 8));
        }
        acc8_flush(&s, &acc.re, &acc.cross);
    }
    for (; i < n; i++)
        zki_ext_acc_mac_fe(&acc, a[i], b[i]);
    return zki_ext_acc_reduce(&acc);
}

const zki_vec_impl zki_vec_avx512 = {
    "avx512", v5_add, v5_sub, v5_mul, v5_muladd, v5_axpy, v5_ext_mul, v5_scale_ext, v5_inner, v5_inner_ext,
};

#else
typedef int zki_vec_avx512_unused; /* tiny field: portable kernels only */
#endif
