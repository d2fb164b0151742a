/* AVX-512 Goldilocks kernels, 8 lanes of 64 bits. Only used where the CPU
 * has AVX-512 F, DQ and VL (this file is compiled with those flags plus
 * AVX2/BMI2). Unsigned compares into mask registers, masked add/sub and
 * min_epu64 make the carry handling shorter than in AVX2; tails run the
 * portable kernel. */
#include "field/vec.h"
#include "field/vec_impls.h"

#if !defined(ZKI_TINY_FIELD) && defined(__x86_64__)
#include <immintrin.h>

typedef __m512i v8;

static inline v8 ld(const zki_fe *p) { return _mm512_loadu_si512(p); }
static inline void st(zki_fe *p, v8 v) { _mm512_storeu_si512(p, v); }
static inline v8 c64(uint64_t x) { return _mm512_set1_epi64((long long)x); }

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

/* Extension values as pairs of lanes (c0, c1). r times four of them:
 * (x0 r0 + x1 7 r1, x1 r0 + x0 r1), with R0 = (r0, r0), RW = (7 r1, r1) and
 * x swapped within each pair. */
static inline v8 swap_pairs(v8 x) { return _mm512_shuffle_epi32(x, _MM_PERM_BADC); }
static inline v8 ext_scale4(v8 x, v8 R0, v8 RW) { return vadd(vmul(x, R0), vmul(swap_pairs(x), RW)); }
static inline v8 rw_of(zki_ext r)
{
    long long w = (long long)zki_ext_mul_prep(r), c1 = (long long)r.c1;
    return _mm512_setr_epi64(w, c1, w, c1, w, c1, w, c1);
}

/* Four pairs (a, b) of base values per register: both coordinates of each
 * output come from nd = a - b, (a - r0 nd, -r1 nd). */
static void v5_fold_base(zki_ext *out, const zki_fe *in, size_t n, zki_ext r)
{
    long long r0 = (long long)r.c0, nr1 = (long long)zki_fe_neg(r.c1);
    const v8 R = _mm512_setr_epi64(r0, nr1, r0, nr1, r0, nr1, r0, nr1);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        v8 x = ld(in + 2 * i);
        v8 a = _mm512_unpacklo_epi64(x, x), b = _mm512_unpackhi_epi64(x, x);
        v8 m = vmul(vsub(a, b), R);
        st((zki_fe *)(out + i), _mm512_mask_blend_epi64(0xAA, vsub(a, m), m));
    }
    zki_vec_portable.fold_base(out + i, in + 2 * i, n - i, r);
}

/* Inputs a_i, b_i, a_i+1, .. as 128-bit lanes: the even lanes of two
 * registers are the a's of four outputs, the odd ones the b's. Both loads
 * come before the store, so in place works (see vec.h). */
static void v5_fold_ext(zki_ext *out, const zki_ext *in, size_t n, zki_ext r)
{
    const v8 R0 = c64(r.c0), RW = rw_of(r);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        v8 x0 = ld((const zki_fe *)(in + 2 * i)), x1 = ld((const zki_fe *)(in + 2 * i + 4));
        v8 a = _mm512_shuffle_i64x2(x0, x1, _MM_SHUFFLE(2, 0, 2, 0));
        v8 b = _mm512_shuffle_i64x2(x0, x1, _MM_SHUFFLE(3, 1, 3, 1));
        st((zki_fe *)(out + i), vsub(a, ext_scale4(vsub(a, b), R0, RW)));
    }
    zki_vec_portable.fold_ext(out + i, in + 2 * i, n - i, r);
}

static void v5_eq_split(zki_ext *lo, zki_ext *hi, size_t n, zki_ext r)
{
    const v8 R0 = c64(r.c0), RW = rw_of(r);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        v8 x = ld((const zki_fe *)(lo + i));
        v8 h = ext_scale4(x, R0, RW);
        st((zki_fe *)(hi + i), h);
        st((zki_fe *)(lo + i), vsub(x, h));
    }
    zki_vec_portable.eq_split(lo + i, hi + i, n - i, r);
}

const zki_vec_impl zki_vec_avx512 = {
    "avx512", ZKI_CPU_AVX512, v5_fold_base, v5_fold_ext, v5_eq_split,
};

#else
typedef int zki_vec_avx512_unused; /* tiny field or not x86-64: portable kernels only */
#endif
