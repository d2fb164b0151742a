/* Internal: the SIMD kernel tables, defined in vec_avx2.c / vec_avx512.c and
 * chosen by vec_dispatch.c. Only valid on CPUs that support them. Not
 * built for the tiny field (the SIMD code is Goldilocks-specific). */
#ifndef ZKI_FIELD_VEC_IMPLS_H
#define ZKI_FIELD_VEC_IMPLS_H

#include "field/vec.h"

#ifndef ZKI_TINY_FIELD
extern const zki_vec_impl zki_vec_avx2;
extern const zki_vec_impl zki_vec_avx512;
#endif

#endif
