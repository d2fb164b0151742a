/* AVX2 Goldilocks kernels, 4 lanes of 64 bits; tails run the scalar field
 * ops. Only used where the CPU has AVX2 and BMI2 (this file is compiled
 * with -mavx2 -mbmi2).
 *
 * AVX2 has no unsigned 64-bit compare, so comparisons run on values with
 * the sign bit flipped ("shifted": x ^ 2^63 = x + 2^63 mod 2^64), where the
 * signed compare orders them as unsigned; adding to a shifted value keeps it
 * shifted, which saves most of the flips. */
#include "field/vec.h"
#include "field/vec_impls.h"

#ifndef ZKI_TINY_FIELD
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

static void v2_add(zki_fe *out, const zki_fe *a, const zki_fe *b, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        st(out + i, vadd(ld(a + i), ld(b + i)));
    for (; i < n; i++)
        out[i] = zki_fe_add(a[i], b[i]);
}

static void v2_sub(zki_fe *out, const zki_fe *a, const zki_fe *b, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        st(out + i, vsub(ld(a + i), ld(b + i)));
    for (; i < n; i++)
        out[i] = zki_fe_sub(a[i], b[i]);
}

static void v2_mul(zki_fe *out, const zki_fe *a, const zki_fe *b, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        st(out + i, vmul(ld(a + i), ld(b + i)));
    for (; i < n; i++)
        out[i] = zki_fe_mul(a[i], b[i]);
}

static void v2_muladd(zki_fe *out, const zki_fe *a, const zki_fe *b, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        st(out + i, vadd(ld(out + i), vmul(ld(a + i), ld(b + i))));
    for (; i < n; i++)
        out[i] = zki_fe_add(out[i], zki_fe_mul(a[i], b[i]));
}

static void v2_axpy(zki_fe *out, zki_fe s, const zki_fe *a, size_t n)
{
    v4 sv = c64(s);
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        st(out + i, vadd(ld(out + i), vmul(sv, ld(a + i))));
    for (; i < n; i++)
        out[i] = zki_fe_add(out[i], zki_fe_mul(s, a[i]));
}

/* Two extension elements per register; see ext_mul4 in vec_avx512.c. */
static inline v4 swap_pairs(v4 x) { return _mm256_shuffle_epi32(x, 0x4E); }

static inline v4 ext_mul2(v4 a, v4 b)
{
    const v4 one_w = _mm256_setr_epi64x(1, ZKI_EXT_W, 1, ZKI_EXT_W);
    v4 diag = vmul(vmul(a, b), one_w);
    v4 cross = vmul(a, swap_pairs(b));
    v4 re = vadd(diag, swap_pairs(diag));
    v4 im = vadd(cross, swap_pairs(cross));
    return _mm256_blend_epi32(re, im, 0xCC);
}

static void v2_ext_mul(zki_ext *out, const zki_ext *a, const zki_ext *b, size_t n)
{
    size_t i = 0;
    for (; i + 2 <= n; i += 2)
        st((zki_fe *)(out + i), ext_mul2(ld((const zki_fe *)(a + i)), ld((const zki_fe *)(b + i))));
    for (; i < n; i++)
        out[i] = zki_ext_mul(a[i], b[i]);
}

/* Each a[i] is duplicated into two lanes against (s.c0, s.c1), so the
 * products land in out's interleaved c0, c1 order. */
static void v2_scale_ext(zki_ext *out, const zki_fe *a, zki_ext s, size_t n)
{
    v4 sv = _mm256_setr_epi64x((long long)s.c0, (long long)s.c1, (long long)s.c0,
                               (long long)s.c1);
    zki_fe *o = (zki_fe *)out;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        v4 av = ld(a + i);
        st(o + 2 * i, vmul(_mm256_permute4x64_epi64(av, 0x50), sv));
        st(o + 2 * i + 4, vmul(_mm256_permute4x64_epi64(av, 0xFA), sv));
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
    v4 w0, w32, w64, w96;
} acc4;

static inline void acc4_zero(acc4 *s)
{
    s->w0 = s->w32 = s->w64 = s->w96 = _mm256_setzero_si256();
}

static inline void acc4_mac(acc4 *s, v4 a, v4 b)
{
    v4 ah = _mm256_srli_epi64(a, 32), bh = _mm256_srli_epi64(b, 32);
    v4 ll = _mm256_mul_epu32(a, b), lh = _mm256_mul_epu32(a, bh);
    v4 hl = _mm256_mul_epu32(ah, b), hh = _mm256_mul_epu32(ah, bh);
    v4 m = LO32;
    s->w0 = _mm256_add_epi64(s->w0, _mm256_and_si256(ll, m));
    s->w32 = _mm256_add_epi64(
        s->w32, _mm256_add_epi64(_mm256_srli_epi64(ll, 32),
                                 _mm256_add_epi64(_mm256_and_si256(lh, m), _mm256_and_si256(hl, m))));
    s->w64 = _mm256_add_epi64(
        s->w64, _mm256_add_epi64(_mm256_and_si256(hh, m),
                                 _mm256_add_epi64(_mm256_srli_epi64(lh, 32), _mm256_srli_epi64(hl, 32))));
    s->w96 = _mm256_add_epi64(s->w96, _mm256_srli_epi64(hh, 32));
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
static void acc4_flush(const acc4 *s, zki_acc *even, zki_acc *odd)
{
    uint64_t w[4][4];
    st(w[0], s->w0);
    st(w[1], s->w32);
    st(w[2], s->w64);
    st(w[3], s->w96);
    for (int l = 0; l < 4; l++)
        acc_add_pieces(l & 1 ? odd : even, w[0][l], w[1][l], w[2][l], w[3][l]);
}

static zki_fe v2_inner(const zki_fe *a, const zki_fe *b, size_t n)
{
    zki_acc acc;
    zki_acc_zero(&acc);
    size_t i = 0;
    while (i + 4 <= n) {
        acc4 s;
        acc4_zero(&s);
        for (size_t k = 0; k < CHUNK && i + 4 <= n; k++, i += 4)
            acc4_mac(&s, ld(a + i), ld(b + i));
        acc4_flush(&s, &acc, &acc);
    }
    for (; i < n; i++)
        zki_acc_mac(&acc, a[i], b[i]);
    return zki_acc_reduce(&acc);
}

/* Lanes alternate between b's c0 (even) and c1 (odd) coordinates. */
static zki_ext v2_inner_ext(const zki_fe *a, const zki_ext *b, size_t n)
{
    zki_ext_acc acc;
    zki_ext_acc_zero(&acc);
    const zki_fe *bf = (const zki_fe *)b;
    size_t i = 0;
    while (i + 4 <= n) {
        acc4 s;
        acc4_zero(&s);
        for (size_t k = 0; k < CHUNK && i + 4 <= n; k += 2, i += 4) {
            v4 av = ld(a + i);
            acc4_mac(&s, _mm256_permute4x64_epi64(av, 0x50), ld(bf + 2 * i));
            acc4_mac(&s, _mm256_permute4x64_epi64(av, 0xFA), ld(bf + 2 * i + 4));
        }
        acc4_flush(&s, &acc.re, &acc.cross);
    }
    for (; i < n; i++)
        zki_ext_acc_mac_fe(&acc, a[i], b[i]);
    return zki_ext_acc_reduce(&acc);
}

const zki_vec_impl zki_vec_avx2 = {
    "avx2", v2_add, v2_sub, v2_mul, v2_muladd, v2_axpy, v2_ext_mul, v2_scale_ext, v2_inner, v2_inner_ext,
};

#else
typedef int zki_vec_avx2_unused; /* tiny field: portable kernels only */
#endif
