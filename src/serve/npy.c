#include "serve/npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zkinfer.h"

void zki_serve_npy_clear(zki_serve_npy *a)
{
    free(a->f);
    memset(a, 0, sizeof *a);
}

/* The library's reader (zki_array_parse: the header as strictly as numpy
 * writes it), so whatever the service accepts numpy, `zkinfer verify` and
 * the wasm verifier read as the same array; then only float arrays. */
int zki_serve_npy_parse(const unsigned char *bytes, size_t len, zki_serve_npy *a, char *err, size_t errn)
{
    memset(a, 0, sizeof *a);
    zki_array x;
    if (zki_array_parse(bytes, len, &x) != ZKI_OK) {
        snprintf(err, errn, "the body is not a .npy array zkinfer reads: %s", zki_last_error());
        return -1;
    }
    if (!x.f) {
        snprintf(err, errn, "the array's dtype is %s; send float32 ('<f4'; float64 is also accepted)", x.dtype);
        zki_array_clear(&x);
        return -1;
    }
    a->rank = x.rank;
    memcpy(a->dims, x.dims, sizeof(int64_t) * x.rank);
    a->n = x.n;
    a->f = x.f; /* taken over */
    x.f = NULL;
    zki_array_clear(&x);
    return 0;
}
