/* Batched products of padded matrices (the BMM gadget's witness,
 * protocol/gadget_bmm.c): every axis padded to a power of two, the pads
 * read as stored, so the result is exactly the sum the proof checks. */
#ifndef ZKI_OPS_BMM_H
#define ZKI_OPS_BMM_H

#include <stddef.h>
#include <stdint.h>

/* acc [nb][2^li][2^lj] = a [nb][2^li][2^lk] @ b [nb][2^lk][2^lj]. The
 * callers bound |a|, |b| < 2^15 and 2^lk <= 2^26: no overflow. */
void zki_bmm_acc(int64_t *acc, const int64_t *a, const int64_t *b, uint64_t nb, size_t li, size_t lk, size_t lj);

#endif
