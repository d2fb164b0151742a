/* In-memory .npy of the service (src/serve/npy.c): what numpy writes is
 * read; what it would not write, or a truncated array, is refused with a
 * message; no prefix of a valid file is read past its end. */
#include <string.h>

#include "serve/npy.h"
#include "test.h"

/* A version-1 .npy of the header dict and n data bytes. */
static size_t make(unsigned char *out, const char *dict, const void *data, size_t n)
{
    size_t hl = strlen(dict) + 1;
    size_t pad = (64 - (10 + hl) % 64) % 64;
    memcpy(out, "\x93NUMPY\x01\x00", 8);
    out[8] = (unsigned char)((hl + pad) & 255);
    out[9] = (unsigned char)((hl + pad) >> 8);
    memcpy(out + 10, dict, hl - 1);
    memset(out + 10 + hl - 1, ' ', pad);
    out[10 + hl - 1 + pad] = '\n';
    memcpy(out + 10 + hl + pad, data, n);
    return 10 + hl + pad + n;
}

int main(void)
{
    unsigned char f[4096];
    float v[8] = {1, -2, 3.5f, 0, 5, 6, 7, 8}; /* room for the too-long case */
    char err[300];
    zki_serve_npy a;
    size_t n = make(f, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", v, 24);
    CHECK_MSG(zki_serve_npy_parse(f, n, &a, err, sizeof err) == 0, "float32 [2,3]: %s", err);
    CHECK(a.rank == 2 && a.dims[0] == 2 && a.dims[1] == 3 && a.n == 6 && a.f && a.f[2] == 3.5f);
    zki_serve_npy_clear(&a);
    double d[3] = {0.25, -1, 7};
    n = make(f, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", d, sizeof d);
    CHECK_MSG(zki_serve_npy_parse(f, n, &a, err, sizeof err) == 0 && a.n == 3 && a.f[0] == 0.25f, "float64: %s", err);
    zki_serve_npy_clear(&a);
    /* as older numpy writes it: no trailing comma; a 1-D shape */
    n = make(f, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}", v, 24);
    CHECK_MSG(zki_serve_npy_parse(f, n, &a, err, sizeof err) == 0 && a.n == 6, "no trailing comma: %s", err);
    zki_serve_npy_clear(&a);
    n = make(f, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", v, 24);
    CHECK_MSG(zki_serve_npy_parse(f, n, &a, err, sizeof err) == 0 && a.rank == 1 && a.dims[0] == 6, "(6,): %s",
              err);
    zki_serve_npy_clear(&a);
    n = make(f, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", v, 4);
    CHECK_MSG(zki_serve_npy_parse(f, n, &a, err, sizeof err) == 0 && a.rank == 0 && a.n == 1, "a scalar: %s", err);
    zki_serve_npy_clear(&a);

    struct {
        const char *dict;
        size_t bytes;
        const char *says;
    } refused[] = {
        {"{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", 24, "int32"},
        {"{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", 24, "'>f4'"},
        {"{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", 24, "Fortran"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 20, "truncated"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 28, "28 data bytes"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }", 24, "non-negative"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }", 4, "8 dimensions"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999,99999999999), }", 4, "too large"},
        {"{'descr': '<f4', 'shape': (2, 3), }", 24, "lacks"},
        /* the review's headers that numpy, zkinfer verify and the old reader
         * read differently (numpy: the last 'descr'; the old reader: the first) */
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'descr': '>f4', }", 24, "'descr' twice"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'shape': (2, 3), }", 24, "'shape' twice"},
        {"{'descr': '<f4', 'fortran_order': False, 'note': \"'shape': (2, 3)\", 'shape': (6,), }", 24,
         "the key 'note'"},
        {"{'descr': '<f4', 'fortran_order': False, 'note': '', 'shape': (2, 3), }", 24, "the key 'note'"},
        {"'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), ", 24, "not a dict"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), ", 24, "no closing"},
        {"{'descr': '<f4', 'fortran_order': Falsey, 'shape': (2, 3), }", 24, "exactly True or False"},
        {"{'descr': '<f4', 'fortran_order': false, 'shape': (2, 3), }", 24, "exactly True or False"},
        {"{'descr': \"<f4\", 'fortran_order': False, 'shape': (2, 3), }", 24, "double quotes"},
        {"{\"descr\": '<f4', 'fortran_order': False, 'shape': (2, 3), }", 24, "double quotes"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (6), }", 24, "(N,)"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,, 3), }", 24, "non-negative"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (02, 3), }", 24, "leading zero"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }", 24, "malformed"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } x", 24, "padding"},
        {"{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3), }", 24, "separated"},
        {"{'descr' '<f4', 'fortran_order': False, 'shape': (2, 3), }", 24, "':'"},
        {"{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3), }", 24, "separated"},
    };
    for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++) {
        n = make(f, refused[k].dict, v, refused[k].bytes);
        err[0] = 0;
        int rc = zki_serve_npy_parse(f, n, &a, err, sizeof err);
        CHECK_MSG(rc == -1 && strstr(err, refused[k].says) && !a.f, "%s: refused saying '%s' (said '%s')",
                  refused[k].dict, refused[k].says, err);
    }
    /* a finite float64 beyond float32's range is not called infinite */
    double big[3] = {1, 1e39, 2};
    n = make(f, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", big, sizeof big);
    CHECK_MSG(zki_serve_npy_parse(f, n, &a, err, sizeof err) == -1 && strstr(err, "index 1") &&
              strstr(err, "beyond float32's range") && !a.f, "float64 1e39: %s", err);
    CHECK(zki_serve_npy_parse((const unsigned char *)"not an npy at all", 17, &a, err, sizeof err) == -1 &&
          strstr(err, "magic"));
    /* every prefix of a valid file is refused (the header declares more) */
    n = make(f, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", v, 24);
    int ok = 1;
    for (size_t k = 0; k < n; k++) {
        unsigned char *copy = malloc(k + 1); /* exact size: a read past it is ASan's to see */
        memcpy(copy, f, k);
        ok &= zki_serve_npy_parse(copy, k, &a, err, sizeof err) == -1;
        free(copy);
    }
    CHECK_MSG(ok, "every proper prefix is refused");
    return TEST_SUMMARY();
}
