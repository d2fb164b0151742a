/* Vector kernels over the Goldilocks field. One portable implementation and
 * AVX2 / AVX-512 implementations behind a function table; the best one the
 * CPU supports is chosen at run time (once, thread-safely). Every kernel
 * produces exactly the portable kernel's output (tests compare them).
 *
 * Contract: inputs canonical, outputs canonical; `out` may alias an input
 * of the same type; n may be 0 or any size (no alignment required). */
#ifndef ZKI_FIELD_VEC_H
#define ZKI_FIELD_VEC_H

#include "field/field.h"

typedef struct {
    const char *name; /* "portable", "avx2", "avx512" */
    void (*add)(zki_fe *out, const zki_fe *a, const zki_fe *b, size_t n);
    void (*sub)(zki_fe *out, const zki_fe *a, const zki_fe *b, size_t n);
    void (*mul)(zki_fe *out, const zki_fe *a, const zki_fe *b, size_t n);
    /* out[i] += a[i] * b[i] */
    void (*muladd)(zki_fe *out, const zki_fe *a, const zki_fe *b, size_t n);
    /* out[i] += s * a[i] */
    void (*axpy)(zki_fe *out, zki_fe s, const zki_fe *a, size_t n);
    /* out[i] = a[i] * b[i] in the extension */
    void (*ext_mul)(zki_ext *out, const zki_ext *a, const zki_ext *b, size_t n);
    /* out[i] = a[i] * s  (base vector times extension scalar) */
    void (*scale_ext)(zki_ext *out, const zki_fe *a, zki_ext s, size_t n);
    /* sum a[i] * b[i], lazily accumulated in 128 bits */
    zki_fe (*inner)(const zki_fe *a, const zki_fe *b, size_t n);
    /* sum a[i] * b[i] for a base, b extension */
    zki_ext (*inner_ext)(const zki_fe *a, const zki_ext *b, size_t n);
} zki_vec_impl;

/* The implementation chosen for this CPU. */
const zki_vec_impl *zki_vec(void);
/* A named implementation if this CPU supports it, else NULL. */
const zki_vec_impl *zki_vec_get(const char *name);

extern const zki_vec_impl zki_vec_portable;

#endif
