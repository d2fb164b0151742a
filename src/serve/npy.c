#include "serve/npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void zki_serve_npy_clear(zki_serve_npy *a)
{
    free(a->f);
    memset(a, 0, sizeof *a);
}

static int bad(char *err, size_t errn, const char *msg)
{
    snprintf(err, errn, "the body is not a .npy array numpy can write: %s", msg);
    return -1;
}

/* The value of 'key' in the header dict, or NULL. */
static const char *find_key(const char *h, const char *key)
{
    char q1[32], q2[32];
    snprintf(q1, sizeof q1, "'%s'", key);
    snprintf(q2, sizeof q2, "\"%s\"", key);
    const char *p = strstr(h, q1);
    if (!p)
        p = strstr(h, q2);
    if (!p)
        return NULL;
    p += strlen(q1);
    while (*p == ' ')
        p++;
    if (*p != ':')
        return NULL;
    p++;
    while (*p == ' ')
        p++;
    return p;
}

static int parse_shape(const char *p, zki_serve_npy *a, char *err, size_t errn)
{
    if (*p != '(')
        return bad(err, errn, "'shape' is not a tuple");
    p++;
    a->rank = 0;
    for (;;) {
        while (*p == ' ')
            p++;
        if (*p == ')')
            break;
        if (*p < '0' || *p > '9')
            return bad(err, errn, "'shape' holds something other than non-negative integers");
        if (a->rank == ZKI_NPY_MAX_RANK)
            return bad(err, errn, "more than 8 dimensions");
        int64_t v = 0;
        while (*p >= '0' && *p <= '9') {
            if (v > (INT64_C(1) << 40))
                return bad(err, errn, "a dimension is too large");
            v = v * 10 + (*p++ - '0');
        }
        if (*p == 'L') /* Python 2 longs */
            p++;
        a->dims[a->rank++] = v;
        while (*p == ' ')
            p++;
        if (*p == ',')
            p++;
        else if (*p != ')')
            return bad(err, errn, "'shape' is malformed");
    }
    return 0;
}

int zki_serve_npy_parse(const unsigned char *bytes, size_t len, zki_serve_npy *a, char *err, size_t errn)
{
    memset(a, 0, sizeof *a);
    if (len < 10 || memcmp(bytes, "\x93NUMPY", 6))
        return bad(err, errn, "it does not start with the .npy magic \\x93NUMPY");
    unsigned major = bytes[6];
    size_t hlen, hstart;
    if (major == 1) {
        hlen = (size_t)bytes[8] | (size_t)bytes[9] << 8;
        hstart = 10;
    } else if (major == 2 || major == 3) {
        if (len < 12)
            return bad(err, errn, "truncated header");
        hlen = (size_t)bytes[8] | (size_t)bytes[9] << 8 | (size_t)bytes[10] << 16 | (size_t)bytes[11] << 24;
        hstart = 12;
    } else {
        return bad(err, errn, "unknown format version");
    }
    if (hlen > 65536 || hstart + hlen > len)
        return bad(err, errn, "the header is truncated or too long");
    char *h = malloc(hlen + 1);
    if (!h)
        return bad(err, errn, "out of memory");
    memcpy(h, bytes + hstart, hlen);
    h[hlen] = 0;
    if (strlen(h) != hlen) {
        free(h);
        return bad(err, errn, "NUL byte in the header");
    }
    const char *descr = find_key(h, "descr"), *fo = find_key(h, "fortran_order"), *shape = find_key(h, "shape");
    int rc = 0;
    size_t esize = 0;
    if (!descr || !fo || !shape)
        rc = bad(err, errn, "the header lacks 'descr', 'fortran_order' or 'shape'");
    else if (!strncmp(descr, "'<f4'", 5) || !strncmp(descr, "\"<f4\"", 5))
        esize = 4;
    else if (!strncmp(descr, "'<f8'", 5) || !strncmp(descr, "\"<f8\"", 5))
        esize = 8;
    else {
        char d[16] = {0};
        sscanf(descr, "'%15[^']", d);
        snprintf(err, errn, "the array's dtype is '%s'; send float32 ('<f4'; float64 is also accepted)", d);
        rc = -1;
    }
    if (!rc && strncmp(fo, "False", 5)) {
        snprintf(err, errn, "the array is in Fortran order; send it in C order (numpy.ascontiguousarray)");
        rc = -1;
    }
    if (!rc)
        rc = parse_shape(shape, a, err, errn);
    free(h);
    if (rc)
        return -1;
    size_t n = 1;
    for (uint32_t k = 0; k < a->rank; k++) {
        if (a->dims[k] && n > ((size_t)1 << 40) / (size_t)a->dims[k])
            return bad(err, errn, "the shape is too large");
        n *= (size_t)a->dims[k];
    }
    size_t data = hstart + hlen;
    if (len - data != n * esize) {
        snprintf(err, errn, "the header declares %zu values (%zu bytes) but %zu data bytes follow%s", n, n * esize,
                 len - data, len - data < n * esize ? " (truncated?)" : "");
        return -1;
    }
    a->n = n;
    a->f = malloc(n ? n * sizeof(float) : 1);
    if (!a->f)
        return bad(err, errn, "out of memory");
    const unsigned char *p = bytes + data;
    for (size_t i = 0; i < n; i++) {
        if (esize == 4) {
            memcpy(&a->f[i], p + 4 * i, 4);
        } else {
            double v;
            memcpy(&v, p + 8 * i, 8);
            a->f[i] = (float)v;
        }
    }
    return 0;
}
