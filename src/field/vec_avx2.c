/* AVX2 Goldilocks kernels, 4 lanes of 64 bits; tails run the portable
 * kernel. Only used where the CPU has AVX2 and BMI2 (this file is compiled
 * with -mavx2 -mbmi2).
 *
 * AVX2 has no unsigned 64-bit compare, so comparisons run on values with
 * the sign bit flipped ("shifted": x ^ 2^63 = x + 2^63 mod 2^64), where the
 * signed compare orders them as unsigned; adding to a shifted value keeps it
 * shifted, which saves most of the flips. */
#include "field/vec.h"
#include "field/vec_impls.h"

#if !defined(ZKI_TINY_FIELD) && defined(__x86_64__)
#include <immintrin.h>

typedef __m256i v4;

static inline v4 ld(const zki_fe *p) { return _mm256_loadu_si256((const __m256i_u *)p); }
static inline void st(zki_fe *p, v4 v) { _mm256_storeu_si256((__m256i_u *)p, v); }
static inline v4 c64(uint64_t x) { return _mm256_set1_epi64x((long long)x); }

#define SIGN c64(1ULL << 63)
#define EPS c64(ZKI_EPS)
#define LO32 c64(0xFFFFFFFFULL)

/* a * b = lo + hi * 2^64 from four 32x32 partial products. */
static inline void mul128(v4 a, v4 b, v4 *hi, v4 *lo)
{
    v4 ah = _mm256_srli_epi64(a, 32), bh = _mm256_srli_epi64(b, 32);
    v4 ll = _mm256_mul_epu32(a, b), lh = _mm256_mul_epu32(a, bh);
    v4 hl = _mm256_mul_epu32(ah, b), hh = _mm256_mul_epu32(ah, bh);
    /* (2^32-1)^2 + 2^32-1 < 2^64: neither sum overflows. */
    v4 t = _mm256_add_epi64(hl, _mm256_srli_epi64(ll, 32));
    v4 u = _mm256_add_epi64(lh, _mm256_and_si256(t, LO32));
    *lo = _mm256_blend_epi32(ll, _mm256_slli_epi64(u, 32), 0xAA);
    *hi = _mm256_add_epi64(hh, _mm256_add_epi64(_mm256_srli_epi64(t, 32),
                                                _mm256_srli_epi64(u, 32)));
}

/* zki_fe_reduce128, lane-wise: lo + hi*2^64 = lo - hi_hi + hi_lo*EPS. */
static inline v4 reduce128(v4 hi, v4 lo)
{
    v4 lo_s = _mm256_xor_si256(lo, SIGN);
    v4 t0_s = _mm256_sub_epi64(lo_s, _mm256_srli_epi64(hi, 32));
    v4 borrow = _mm256_cmpgt_epi64(t0_s, lo_s); /* lo < hi_hi */
    t0_s = _mm256_sub_epi64(t0_s, _mm256_and_si256(borrow, EPS));
    v4 t1 = _mm256_mul_epu32(hi, EPS); /* hi_lo * EPS */
    v4 t2_s = _mm256_add_epi64(t0_s, t1);
    v4 carry = _mm256_cmpgt_epi64(t0_s, t2_s); /* t0 + t1 >= 2^64 */
    t2_s = _mm256_add_epi64(t2_s, _mm256_and_si256(carry, EPS));
    v4 ge = _mm256_cmpgt_epi64(t2_s, c64((ZKI_P - 1) ^ (1ULL << 63))); /* t2 >= p */
    t2_s = _mm256_sub_epi64(t2_s, _mm256_and_si256(ge, c64(ZKI_P)));
    return _mm256_xor_si256(t2_s, SIGN);
}

static inline v4 vmul(v4 a, v4 b)
{
    v4 hi, lo;
    mul128(a, b, &hi, &lo);
    return reduce128(hi, lo);
}

/* a + b + EPS overflows exactly when a + b >= p, and then wraps to a + b - p;
 * otherwise take EPS back off. */
static inline v4 vadd(v4 a, v4 b)
{
    v4 bs = _mm256_add_epi64(b, c64(ZKI_EPS ^ (1ULL << 63))); /* (b + EPS) shifted */
    v4 ss = _mm256_add_epi64(a, bs);                           /* (a + b + EPS) shifted */
    v4 carry = _mm256_cmpgt_epi64(bs, ss);
    return _mm256_sub_epi64(_mm256_xor_si256(ss, SIGN), _mm256_andnot_si256(carry, EPS));
}

/* On borrow a - b + 2^64 - EPS = a - b + p. */
static inline v4 vsub(v4 a, v4 b)
{
    v4 as = _mm256_xor_si256(a, SIGN);
    v4 ds = _mm256_sub_epi64(as, b);
    v4 borrow = _mm256_cmpgt_epi64(ds, as);
    return _mm256_sub_epi64(_mm256_sub_epi64(a, b), _mm256_and_si256(borrow, EPS));
}

/* Extension values as pairs of lanes (c0, c1). r times two of them:
 * (x0 r0 + x1 7 r1, x1 r0 + x0 r1), with R0 = (r0, r0), RW = (7 r1, r1) and
 * x swapped within each pair. */
static inline v4 swap_pairs(v4 x) { return _mm256_shuffle_epi32(x, 0x4E); }
static inline v4 ext_scale2(v4 x, v4 R0, v4 RW) { return vadd(vmul(x, R0), vmul(swap_pairs(x), RW)); }
static inline v4 rw_of(zki_ext r)
{
    long long w = (long long)zki_ext_mul_prep(r), c1 = (long long)r.c1;
    return _mm256_setr_epi64x(w, c1, w, c1);
}

/* Two pairs (a, b) of base values per register: both coordinates of each
 * output come from nd = a - b, (a - r0 nd, -r1 nd). */
static void v2_fold_base(zki_ext *out, const zki_fe *in, size_t n, zki_ext r)
{
    long long r0 = (long long)r.c0, nr1 = (long long)zki_fe_neg(r.c1);
    const v4 R = _mm256_setr_epi64x(r0, nr1, r0, nr1);
    size_t i = 0;
    for (; i + 2 <= n; i += 2) {
        v4 x = ld(in + 2 * i);
        v4 a = _mm256_unpacklo_epi64(x, x), b = _mm256_unpackhi_epi64(x, x);
        v4 m = vmul(vsub(a, b), R);
        st((zki_fe *)(out + i), _mm256_blend_epi32(vsub(a, m), m, 0xCC));
    }
    zki_vec_portable.fold_base(out + i, in + 2 * i, n - i, r);
}

/* Inputs a_i, b_i, a_i+1, b_i+1 as 128-bit lanes of two registers. Both
 * loads come before the store, so in place works (see vec.h). */
static void v2_fold_ext(zki_ext *out, const zki_ext *in, size_t n, zki_ext r)
{
    const v4 R0 = c64(r.c0), RW = rw_of(r);
    size_t i = 0;
    for (; i + 2 <= n; i += 2) {
        v4 x0 = ld((const zki_fe *)(in + 2 * i)), x1 = ld((const zki_fe *)(in + 2 * i + 2));
        v4 a = _mm256_permute2x128_si256(x0, x1, 0x20);
        v4 b = _mm256_permute2x128_si256(x0, x1, 0x31);
        st((zki_fe *)(out + i), vsub(a, ext_scale2(vsub(a, b), R0, RW)));
    }
    zki_vec_portable.fold_ext(out + i, in + 2 * i, n - i, r);
}

static void v2_eq_split(zki_ext *lo, zki_ext *hi, size_t n, zki_ext r)
{
    const v4 R0 = c64(r.c0), RW = rw_of(r);
    size_t i = 0;
    for (; i + 2 <= n; i += 2) {
        v4 x = ld((const zki_fe *)(lo + i));
        v4 h = ext_scale2(x, R0, RW);
        st((zki_fe *)(hi + i), h);
        st((zki_fe *)(lo + i), vsub(x, h));
    }
    zki_vec_portable.eq_split(lo + i, hi + i, n - i, r);
}

const zki_vec_impl zki_vec_avx2 = {
    "avx2", ZKI_CPU_AVX2, v2_fold_base, v2_fold_ext, v2_eq_split,
};

#else
typedef int zki_vec_avx2_unused; /* tiny field or not x86-64: portable kernels only */
#endif
