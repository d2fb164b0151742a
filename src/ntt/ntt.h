/* Number-theoretic transforms over Goldilocks for sizes 2^1 .. 2^24 (and up
 * to the field's 2-adicity where memory allows).
 *
 * Conventions: natural order in and out. forward computes
 *   A[k] = sum_j a[j] * w^(j k),  w = zki_fe_root_of_unity(log2 n),
 * inverse is its exact inverse (includes the 1/n). The coset variants
 * evaluate / interpolate on shift * <w>: A[k] = sum_j a[j] (shift w^k)^j.
 * Twiddle tables are computed once per size and cached (thread-safe).
 * Large transforms use OpenMP threads; results are identical for any thread
 * count. Returns ZKI_ERR_INPUT for n not a power of two in [1, 2^32]. */
#ifndef ZKI_NTT_H
#define ZKI_NTT_H

#include "field/field.h"

zki_status zki_ntt_forward(zki_fe *a, size_t n);
zki_status zki_ntt_inverse(zki_fe *a, size_t n);
zki_status zki_ntt_coset_forward(zki_fe *a, size_t n, zki_fe shift);
zki_status zki_ntt_coset_inverse(zki_fe *a, size_t n, zki_fe shift);

#endif
