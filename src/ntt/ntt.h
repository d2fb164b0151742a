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

/* The first g layers (g <= 6, n / 2^g >= 64) of the coset transform, for
 * a few outputs at a fraction of the cost: afterwards block b (the n / 2^g
 * entries from b n / 2^g) holds c with
 *   A[rev_g(b) + 2^g o] = sum_i c[i] w_(n/2^g)^(i o),  o < n / 2^g,
 * rev_g reversing the low g bits and A the coset transform's output. */
zki_status zki_ntt_coset_forward_top(zki_fe *a, size_t n, zki_fe shift, unsigned g);

#endif
