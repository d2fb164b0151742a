/* .npy arrays in memory (request bodies), read by the library's reader
 * (zki_array_parse): little-endian float32 or float64, C order, rank at
 * most 8, the data exactly the size the header declares. */
#ifndef ZKI_SERVE_NPY_H
#define ZKI_SERVE_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "zkinfer.h"

#define ZKI_NPY_MAX_RANK ZKI_MAX_DIMS

typedef struct {
    uint32_t rank;
    int64_t dims[ZKI_NPY_MAX_RANK];
    size_t n;  /* element count */
    float *f;  /* n values (float64 files are narrowed), malloc'd */
} zki_serve_npy;

/* Parses bytes[0..len). Returns 0 and fills a (free with zki_serve_npy_clear), or
 * -1 with a message naming what is wrong in err (errn bytes). */
int zki_serve_npy_parse(const unsigned char *bytes, size_t len, zki_serve_npy *a, char *err, size_t errn);
void zki_serve_npy_clear(zki_serve_npy *a);

#endif
