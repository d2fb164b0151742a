/* Multilinear tables: a vector of 2^n values is the multilinear extension
 * f(x_0, .., x_{n-1}) with f(bits of i) = t[i], where x_0 is the LEAST
 * significant bit of the index (DESIGN.md section 2). Tensors are flattened
 * row-major and zero-padded to a power of two before use.
 *
 * Folding binds x_0 (the lowest variable) to r:
 *   out[i] = t[2i] + r * (t[2i+1] - t[2i]),  i < 2^(n-1).
 * Points are arrays r[0..n) with r[j] the value of x_j. */
#ifndef ZKI_POLY_MLE_H
#define ZKI_POLY_MLE_H

#include "field/field.h"

/* out[x] = eq(r, x) = prod_j (r_j x_j + (1 - r_j)(1 - x_j)) for all 2^n x;
 * out needs 2^n entries. n = 0 gives out[0] = 1. */
void zki_eq_table(zki_ext *out, const zki_ext *r, size_t n);
/* out[x] = scale * eq(r, x). */
void zki_eq_table_scaled(zki_ext *out, const zki_ext *r, size_t n, zki_ext scale);
/* eq(r, i) for the boolean index i of n bits (bit k is x_k). */
zki_ext zki_eq_at(const zki_ext *r, size_t n, uint64_t i);
/* eq(a, b) for two points of n coordinates. */
zki_ext zki_eq_eval(const zki_ext *a, const zki_ext *b, size_t n);

/* eq(r, i) over n coordinates as two tables of about 2^(n/2) entries:
 * eq(r, i) = lo[i mod 2^h] hi[i >> h], never a table of 2^n (a verifier's
 * sums over an output's entries). init: 0 when out of memory (free it
 * still); a zeroed struct frees as nothing. */
typedef struct {
    zki_ext *lo, *hi;
    size_t h;
} zki_eq_split;

int zki_eq_split_init(zki_eq_split *e, const zki_ext *r, size_t n);
void zki_eq_split_free(zki_eq_split *e);
static inline zki_ext zki_eq_split_at(const zki_eq_split *e, uint64_t i)
{
    return zki_ext_mul(e->lo[i & (((uint64_t)1 << e->h) - 1)], e->hi[i >> e->h]);
}

/* Binds x_0: out has half the entries of in (n_in even, >= 2). For the ext
 * version out may equal in (in-place). */
void zki_mle_fold_base(zki_ext *out, const zki_fe *in, size_t n_in, zki_ext r);
void zki_mle_fold_ext(zki_ext *out, const zki_ext *in, size_t n_in, zki_ext r);

/* f(r) for a table of 2^nvars entries. */
zki_ext zki_mle_eval_base(const zki_fe *t, size_t nvars, const zki_ext *r);
zki_ext zki_mle_eval_ext(const zki_ext *t, size_t nvars, const zki_ext *r);

/* sum_{lo <= i < hi} eq(r, i), or with rho not NULL sum eq(r, i) eq(rho, i),
 * i on n <= 63 variables (hi beyond 2^n counts as 2^n), in O(n): the
 * verifier's selections over index ranges (protocol/argmax.h) without a
 * table of 2^n entries. */
zki_ext zki_eq_interval_sum(const zki_ext *r, const zki_ext *rho, size_t n, uint64_t lo, uint64_t hi);

/* Smallest n with 2^n >= len (len 0 and 1 give 0). */
size_t zki_log2_ceil(size_t len);

#endif
