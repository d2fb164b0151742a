/* The header dict of a .npy file, read strictly: what numpy writes and
 * nothing it reads differently (src/quant/npy.c, the service and the wasm
 * verifier all read .npy through it). */
#ifndef ZKI_QUANT_NPY_HEADER_H
#define ZKI_QUANT_NPY_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "graph/graph.h"

typedef struct {
    char descr[16]; /* the dtype string, e.g. "<f4" */
    int fortran;    /* 'fortran_order' */
    int rank;
    int64_t dims[ZKI_MAX_RANK];
} zki_npy_header;

/* Reads the dict h[0..hlen) (the bytes after the length field, padding and
 * newline included): {'descr': '<f4', 'fortran_order': False, 'shape':
 * (2, 3), } with each of the three keys once and no other, keys and dtype
 * in single quotes (numpy writes repr()), True/False exactly, a shape
 * tuple as Python writes it ((3,), not (3)), no number with a leading zero,
 * spaces between tokens, and after '}' only spaces and a newline. A
 * first-match search is not enough: numpy reads the last of two 'descr',
 * and a key may hide inside a string value. Returns ZKI_OK and fills *out,
 * or ZKI_ERR_INPUT with a message naming what is wrong. */
zki_status zki_npy_header_read(const char *h, size_t hlen, zki_npy_header *out);

#endif
