/* Vector kernels over the Goldilocks field: the element-wise passes of the
 * prover's hot loops that are not reductions, written once portably and
 * once per SIMD level behind a function table. The table is chosen at run
 * time by the one CPU dispatcher (common/cpu_features.h, ZKI_VEC).
 * Every kernel produces exactly the portable kernel's output (tests/test_vec.c
 * compares them), so the choice never changes a result.
 *
 * Users: zki_mle_fold_base / zki_mle_fold_ext and zki_eq_table (src/poly/mle.c),
 * the sum-check prover's in-place binding (src/sumcheck/sumcheck_prover.c).
 *
 * Contract: inputs canonical, outputs canonical; n may be 0 or any size (no
 * alignment required); the kernels read no more than their ranges. */
#ifndef ZKI_FIELD_VEC_H
#define ZKI_FIELD_VEC_H

#include "common/cpu_features.h"
#include "field/field.h"

typedef struct {
    const char *name; /* "portable", "avx2", "avx512" */
    zki_cpu_level level;
    /* Binds x_0 to r: out[i] = in[2i] + r (in[2i+1] - in[2i]) for i < n
     * (in has 2n entries). */
    void (*fold_base)(zki_ext *out, const zki_fe *in, size_t n, zki_ext r);
    /* The same over the extension; out may equal in (in place), or lie
     * anywhere that does not overlap in[2n..) of another call. Entries are
     * written in increasing order, each after the input pair it reads. */
    void (*fold_ext)(zki_ext *out, const zki_ext *in, size_t n, zki_ext r);
    /* One eq-table expansion step: hi[i] = lo[i] * r, lo[i] = lo[i] - hi[i]
     * for i < n (lo, hi disjoint). */
    void (*eq_split)(zki_ext *lo, zki_ext *hi, size_t n, zki_ext r);
} zki_vec_impl;

/* The table for zki_cpu_level_get(). */
const zki_vec_impl *zki_vec(void);
/* A named table if this CPU supports it (whatever ZKI_VEC says), else NULL. */
const zki_vec_impl *zki_vec_get(const char *name);

extern const zki_vec_impl zki_vec_portable;

#endif
