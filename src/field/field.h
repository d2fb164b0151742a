/* Goldilocks field F_p, p = 2^64 - 2^32 + 1, and its quadratic extension
 * F_p[u]/(u^2 - 7).
 *
 * Contract: every zki_fe is canonical (< p) on entry and exit; zki_ext is
 * c0 + c1*u with canonical coordinates. add, sub and mul are branch-free
 * (masks, not jumps), so their time does not depend on the values.
 *
 * Built with -DZKI_TINY_FIELD the same API works over p = 17 (and its
 * extension by u^2 = 7, 289 elements) so tests can enumerate every
 * challenge; code above this header compiles unchanged in both builds. */
#ifndef ZKI_FIELD_H
#define ZKI_FIELD_H

#include <stddef.h>
#include <stdint.h>

#include "zkinfer.h"

/* The 128-bit product of two 64-bit values. wasm has no widening multiply
 * and clang turns the plain product of two 128-bit operands into a call to
 * compiler-rt's __multi3 (a fifth of the WebAssembly verifier's time), so
 * there it is four 32 x 32 -> 64 products, inline; elsewhere the compiler's
 * one instruction. Both give the same value. */
static inline unsigned __int128 zki_mul_wide(uint64_t a, uint64_t b)
{
#if defined(__wasm__)
    uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10; /* < 3 * 2^32 */
    uint64_t lo = (mid << 32) | (uint32_t)p00;
    uint64_t hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    return (unsigned __int128)hi << 64 | lo;
#else
    return (unsigned __int128)a * b;
#endif
}

typedef uint64_t zki_fe;
typedef struct {
    zki_fe c0, c1;
} zki_ext;

#define ZKI_EXT_W 7u /* u^2 = 7, a non-residue for both fields */

#ifdef ZKI_TINY_FIELD
#define ZKI_P 17ULL
#define ZKI_FIELD_NAME "tiny17"
#else
#define ZKI_P 0xFFFFFFFF00000001ULL
#define ZKI_EPS 0xFFFFFFFFULL /* 2^64 mod p */
#define ZKI_FIELD_NAME "goldilocks"
#endif

/* ---- base field -------------------------------------------------------- */

/* Canonical base / extension elements (for ZKI_VERIFY_CHECK, common/check.h). */
#define ZKI_FE_CANON(x) ((x) < ZKI_P)
#define ZKI_EXT_CANON(e) ((e).c0 < ZKI_P && (e).c1 < ZKI_P)

static inline zki_fe zki_fe_from_u64(uint64_t x) { return x >= ZKI_P ? x % ZKI_P : x; }

/* Signed integer to field: negative values map to p - |x|. */
static inline zki_fe zki_fe_from_i64(int64_t x)
{
    if (x >= 0)
        return zki_fe_from_u64((uint64_t)x);
    uint64_t m = zki_fe_from_u64((uint64_t)0 - (uint64_t)x);
    return m ? ZKI_P - m : 0;
}

#ifdef ZKI_TINY_FIELD

static inline zki_fe zki_fe_add(zki_fe a, zki_fe b) { return (a + b) % ZKI_P; }
static inline zki_fe zki_fe_sub(zki_fe a, zki_fe b) { return (a + ZKI_P - b) % ZKI_P; }
static inline zki_fe zki_fe_mul(zki_fe a, zki_fe b) { return (a * b) % ZKI_P; }
static inline zki_fe zki_fe_reduce128(unsigned __int128 x) { return (zki_fe)(x % ZKI_P); }

#else

/* Reduces lo + hi*2^64 using 2^64 = 2^32 - 1 and 2^96 = -1 (mod p).
 * Branch-free: carries and borrows become masks (no data-dependent jumps,
 * which random data would mispredict). */
static inline zki_fe zki_fe_reduce128(unsigned __int128 x)
{
    uint64_t lo = (uint64_t)x, hi = (uint64_t)(x >> 64);
    uint64_t hi_hi = hi >> 32, hi_lo = hi & ZKI_EPS;
    uint64_t t0;
    uint64_t borrow = __builtin_sub_overflow(lo, hi_hi, &t0);
    t0 -= ZKI_EPS & -borrow; /* borrowed 2^64 = EPS: cannot underflow again */
    uint64_t t1 = (hi_lo << 32) - hi_lo; /* hi_lo * EPS without a multiply */
    uint64_t t2;
    uint64_t carry = __builtin_add_overflow(t0, t1, &t2);
    t2 += ZKI_EPS & -carry; /* carried 2^64 = EPS: cannot overflow again */
    /* t2 - p = t2 + EPS (mod 2^64) */
    return t2 + (ZKI_EPS & -(uint64_t)(t2 >= ZKI_P));
}

/* a + b - p = a + b + EPS (mod 2^64), whether or not a + b carried. */
static inline zki_fe zki_fe_add(zki_fe a, zki_fe b)
{
    uint64_t s;
    uint64_t carry = __builtin_add_overflow(a, b, &s);
    return s + (ZKI_EPS & -(carry | (uint64_t)(s >= ZKI_P)));
}

/* On borrow, a - b + 2^64 - EPS = a - b + p. */
static inline zki_fe zki_fe_sub(zki_fe a, zki_fe b)
{
    uint64_t d;
    uint64_t borrow = __builtin_sub_overflow(a, b, &d);
    return d - (ZKI_EPS & -borrow);
}

static inline zki_fe zki_fe_mul(zki_fe a, zki_fe b)
{
    return zki_fe_reduce128(zki_mul_wide(a, b));
}

#endif

static inline zki_fe zki_fe_neg(zki_fe a) { return a ? ZKI_P - a : 0; }
static inline zki_fe zki_fe_sqr(zki_fe a) { return zki_fe_mul(a, a); }
static inline int zki_fe_eq(zki_fe a, zki_fe b) { return a == b; }

zki_fe zki_fe_pow(zki_fe a, uint64_t e);
/* Inverse; the inverse of 0 is defined as 0 (callers check for zero). */
zki_fe zki_fe_inv(zki_fe a);
/* out[i] = 1/in[i] with one inversion (Montgomery's trick); zeros map to 0.
 * in and out may alias. */
void zki_fe_batch_inv(zki_fe *out, const zki_fe *in, size_t n);

/* Canonical little-endian 8-byte encoding. Decoding rejects values >= p. */
void zki_fe_to_bytes(uint8_t out[8], zki_fe a);
zki_status zki_fe_from_bytes(zki_fe *out, const uint8_t in[8]);

/* A generator of the multiplicative group and a primitive 2^k-th root of
 * unity (k <= ZKI_TWO_ADICITY). */
#ifdef ZKI_TINY_FIELD
#define ZKI_TWO_ADICITY 4
#define ZKI_GENERATOR 3ULL
#else
#define ZKI_TWO_ADICITY 32
#define ZKI_GENERATOR 7ULL
#endif
zki_fe zki_fe_root_of_unity(unsigned log_n);

/* ---- lazy accumulation ------------------------------------------------- */

/* Sum of up to 2^64 products of canonical elements without reductions:
 * a 192-bit integer (128-bit sum plus a carry word), reduced once. */
typedef struct {
    unsigned __int128 lo;
    uint64_t hi;
} zki_acc;

static inline void zki_acc_zero(zki_acc *a) { a->lo = 0; a->hi = 0; }
static inline void zki_acc_add128(zki_acc *a, unsigned __int128 v)
{
    a->lo += v;
    a->hi += (a->lo < v);
}
static inline void zki_acc_mac(zki_acc *a, zki_fe x, zki_fe y)
{
    zki_acc_add128(a, zki_mul_wide(x, y));
}
static inline void zki_acc_merge(zki_acc *a, const zki_acc *b)
{
    zki_acc_add128(a, b->lo);
    a->hi += b->hi;
}
/* value = lo + hi * 2^128, and 2^128 = -2^32 (mod p) for Goldilocks. */
static inline zki_fe zki_acc_reduce(const zki_acc *a)
{
    zki_fe lo = zki_fe_reduce128(a->lo);
#ifdef ZKI_TINY_FIELD
    zki_fe w = zki_fe_reduce128(((unsigned __int128)1 << 64) % ZKI_P);
    w = zki_fe_mul(zki_fe_mul(w, w), zki_fe_from_u64(a->hi));
    return zki_fe_add(lo, w);
#else
    return zki_fe_sub(lo, zki_fe_reduce128((unsigned __int128)a->hi << 32));
#endif
}

/* ---- quadratic extension ------------------------------------------------ */

static inline zki_ext zki_ext_from_fe(zki_fe a) { zki_ext r = {a, 0}; return r; }
static inline zki_ext zki_ext_make(zki_fe c0, zki_fe c1) { zki_ext r = {c0, c1}; return r; }
static inline zki_ext zki_ext_zero(void) { zki_ext r = {0, 0}; return r; }
static inline zki_ext zki_ext_one(void) { zki_ext r = {1, 0}; return r; }
static inline int zki_ext_eq(zki_ext a, zki_ext b) { return a.c0 == b.c0 && a.c1 == b.c1; }
static inline int zki_ext_is_zero(zki_ext a) { return (a.c0 | a.c1) == 0; }

static inline zki_ext zki_ext_add(zki_ext a, zki_ext b)
{
    zki_ext r = {zki_fe_add(a.c0, b.c0), zki_fe_add(a.c1, b.c1)};
    return r;
}
static inline zki_ext zki_ext_sub(zki_ext a, zki_ext b)
{
    zki_ext r = {zki_fe_sub(a.c0, b.c0), zki_fe_sub(a.c1, b.c1)};
    return r;
}
static inline zki_ext zki_ext_neg(zki_ext a)
{
    zki_ext r = {zki_fe_neg(a.c0), zki_fe_neg(a.c1)};
    return r;
}

/* x + y for two 128-bit products, reduced once: the 129th bit is worth
 * 2^128 = -2^32 (mod p) (in the tiny field: 2^128 mod 17 = 1). */
static inline zki_fe zki_fe_reduce_sum2(unsigned __int128 x, unsigned __int128 y)
{
    unsigned __int128 s = x + y;
    uint64_t carry = s < x;
#ifdef ZKI_TINY_FIELD
    return zki_fe_add(zki_fe_reduce128(s), carry);
#else
    return zki_fe_sub(zki_fe_reduce128(s), (-carry) & 0x100000000ULL);
#endif
}

/* (a0 + a1 u)(b0 + b1 u) = a0 b0 + 7 a1 b1 + (a0 b1 + a1 b0) u: four
 * products and three reductions (7 a1 first, then one per coordinate). */
static inline zki_ext zki_ext_mul(zki_ext a, zki_ext b)
{
    zki_fe a1w = zki_fe_reduce128(zki_mul_wide(a.c1, ZKI_EXT_W));
    zki_ext r;
    r.c0 = zki_fe_reduce_sum2(zki_mul_wide(a.c0, b.c0), zki_mul_wide(a1w, b.c1));
    r.c1 = zki_fe_reduce_sum2(zki_mul_wide(a.c0, b.c1), zki_mul_wide(a.c1, b.c0));
    return r;
}
/* a * b for a fixed b with b1w = 7 b.c1 precomputed (zki_ext_mul_prep):
 * two reductions, for loops that scale many values by one challenge. */
static inline zki_fe zki_ext_mul_prep(zki_ext b) { return zki_fe_mul(b.c1, ZKI_EXT_W); }
static inline zki_ext zki_ext_mul_pre(zki_ext a, zki_ext b, zki_fe b1w)
{
    zki_ext r;
    r.c0 = zki_fe_reduce_sum2(zki_mul_wide(a.c0, b.c0), zki_mul_wide(a.c1, b1w));
    r.c1 = zki_fe_reduce_sum2(zki_mul_wide(a.c0, b.c1), zki_mul_wide(a.c1, b.c0));
    return r;
}
static inline zki_ext zki_ext_sqr(zki_ext a) { return zki_ext_mul(a, a); }

/* Base times extension. */
static inline zki_ext zki_ext_scale(zki_ext a, zki_fe s)
{
    zki_ext r = {zki_fe_mul(a.c0, s), zki_fe_mul(a.c1, s)};
    return r;
}
static inline zki_ext zki_ext_add_fe(zki_ext a, zki_fe s)
{
    zki_ext r = {zki_fe_add(a.c0, s), a.c1};
    return r;
}

zki_ext zki_ext_pow(zki_ext a, uint64_t e);
/* 1/a = conj(a) / N(a), N(a) = a0^2 - 7 a1^2; the inverse of 0 is 0. */
zki_ext zki_ext_inv(zki_ext a);
void zki_ext_batch_inv(zki_ext *out, const zki_ext *in, size_t n);

/* 16 bytes: c0 then c1, each canonical little-endian. */
void zki_ext_to_bytes(uint8_t out[16], zki_ext a);
zki_status zki_ext_from_bytes(zki_ext *out, const uint8_t in[16]);

/* Lazy sum of extension products: three 192-bit accumulators for
 * a0 b0, a1 b1 and a0 b1 + a1 b0, reduced once at the end. */
typedef struct {
    zki_acc re, im_sq, cross;
} zki_ext_acc;

static inline void zki_ext_acc_zero(zki_ext_acc *a)
{
    zki_acc_zero(&a->re);
    zki_acc_zero(&a->im_sq);
    zki_acc_zero(&a->cross);
}
static inline void zki_ext_acc_mac(zki_ext_acc *a, zki_ext x, zki_ext y)
{
    zki_acc_mac(&a->re, x.c0, y.c0);
    zki_acc_mac(&a->im_sq, x.c1, y.c1);
    zki_acc_mac(&a->cross, x.c0, y.c1);
    zki_acc_mac(&a->cross, x.c1, y.c0);
}
/* Accumulates base * extension. */
static inline void zki_ext_acc_mac_fe(zki_ext_acc *a, zki_fe x, zki_ext y)
{
    zki_acc_mac(&a->re, x, y.c0);
    zki_acc_mac(&a->cross, x, y.c1);
}
static inline void zki_ext_acc_merge(zki_ext_acc *a, const zki_ext_acc *b)
{
    zki_acc_merge(&a->re, &b->re);
    zki_acc_merge(&a->im_sq, &b->im_sq);
    zki_acc_merge(&a->cross, &b->cross);
}
static inline zki_ext zki_ext_acc_reduce(const zki_ext_acc *a)
{
    zki_ext r;
    r.c0 = zki_fe_add(zki_acc_reduce(&a->re),
                      zki_fe_mul(zki_acc_reduce(&a->im_sq), ZKI_EXT_W));
    r.c1 = zki_acc_reduce(&a->cross);
    return r;
}

#endif
