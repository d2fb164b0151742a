#include "serve/npy.h"

#include <float.h>
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

/* The header dict, read as strictly as the library's reader (src/quant/npy.c)
 * so that whatever the service accepts, numpy, `zkinfer verify` and the wasm
 * read as the same array: {'descr': '<f4', 'fortran_order': False, 'shape':
 * (2, 3), } with each of the three keys once and no other, keys and dtype in
 * single quotes (numpy writes repr(), which uses them; the library reads only
 * those), True/False exactly, a shape tuple as Python writes it ((3,), not
 * (3)), spaces only, and after the closing brace only numpy's padding. A
 * first-match search is not enough: numpy reads the last of two 'descr', and
 * a key may hide inside a string value. */
typedef struct {
    const char *p, *end;
} cursor;

typedef struct {
    char descr[16];
    int fortran, seen_descr, seen_fortran, seen_shape;
} header_fields;

static void skip_spaces(cursor *c)
{
    while (c->p < c->end && *c->p == ' ')
        c->p++;
}

static int at(const cursor *c, char ch)
{
    return c->p < c->end && *c->p == ch;
}

/* A single-quoted string without escapes into out (outn bytes). */
static int read_quoted(cursor *c, char *out, size_t outn, char *err, size_t errn)
{
    if (at(c, '"'))
        return bad(err, errn, "the header has a string in double quotes; numpy writes single quotes "
                              "({'descr': '<f4', ...}), the only ones zkinfer verify reads");
    if (!at(c, '\''))
        return bad(err, errn, "the header dict holds something other than quoted keys and Python literals");
    const char *s = ++c->p;
    while (c->p < c->end && *c->p != '\'' && *c->p != '\\')
        c->p++;
    if (!at(c, '\''))
        return bad(err, errn, "the header has an unterminated string (or one with a backslash)");
    size_t n = (size_t)(c->p - s);
    c->p++;
    if (n >= outn)
        return bad(err, errn, "the header has a key or dtype string that is too long");
    memcpy(out, s, n);
    out[n] = 0;
    return 0;
}

/* True or False followed by a delimiter (Falsey is refused). */
static int read_bool(cursor *c, int *value, char *err, size_t errn)
{
    size_t left = (size_t)(c->end - c->p), n = 0;
    if (left >= 4 && !memcmp(c->p, "True", 4))
        n = 4;
    else if (left >= 5 && !memcmp(c->p, "False", 5))
        n = 5;
    if (!n || (left > n && c->p[n] != ' ' && c->p[n] != ',' && c->p[n] != '}'))
        return bad(err, errn, "'fortran_order' is not exactly True or False");
    *value = n == 4;
    c->p += n;
    return 0;
}

static int is_digit(const cursor *c, size_t ahead)
{
    return c->p + ahead < c->end && c->p[ahead] >= '0' && c->p[ahead] <= '9';
}

/* A non-negative decimal integer as Python writes it (no leading zeros). */
static int read_dim(cursor *c, int64_t *v, char *err, size_t errn)
{
    if (!is_digit(c, 0))
        return bad(err, errn, "'shape' holds something other than non-negative integers");
    if (at(c, '0') && is_digit(c, 1))
        return bad(err, errn, "'shape' has a number with a leading zero, which Python does not read");
    *v = 0;
    while (is_digit(c, 0)) {
        if (*v > (INT64_C(1) << 40))
            return bad(err, errn, "a dimension is too large");
        *v = *v * 10 + (*c->p++ - '0');
    }
    return 0;
}

/* (), (3,), (2, 3) or (2, 3,); (3) is a number in Python, which numpy refuses. */
static int read_shape(cursor *c, zki_serve_npy *a, char *err, size_t errn)
{
    if (!at(c, '('))
        return bad(err, errn, "'shape' is not a tuple");
    c->p++;
    a->rank = 0;
    int trailing_comma = 0;
    for (;;) {
        skip_spaces(c);
        if (at(c, ')'))
            break;
        if (a->rank == ZKI_NPY_MAX_RANK)
            return bad(err, errn, "more than 8 dimensions");
        if (read_dim(c, &a->dims[a->rank++], err, errn))
            return -1;
        skip_spaces(c);
        trailing_comma = at(c, ',');
        if (trailing_comma)
            c->p++;
        else if (!at(c, ')'))
            return bad(err, errn, "'shape' is malformed");
    }
    c->p++;
    if (a->rank == 1 && !trailing_comma)
        return bad(err, errn, "'shape' is (N), which Python reads as a number; a 1-D shape is written (N,)");
    return 0;
}

static int *seen_flag(header_fields *hf, const char *key)
{
    return !strcmp(key, "descr")           ? &hf->seen_descr
           : !strcmp(key, "fortran_order") ? &hf->seen_fortran
           : !strcmp(key, "shape")         ? &hf->seen_shape
                                           : NULL;
}

static int read_entry(cursor *c, header_fields *hf, zki_serve_npy *a, char *err, size_t errn)
{
    char key[32];
    if (read_quoted(c, key, sizeof key, err, errn))
        return -1;
    skip_spaces(c);
    if (!at(c, ':'))
        return bad(err, errn, "a key of the header dict is not followed by ':'");
    c->p++;
    skip_spaces(c);
    int *seen = seen_flag(hf, key);
    if (!seen) {
        snprintf(err, errn, "the body is not a .npy array numpy can write: the header has the key '%s'; "
                 "only 'descr', 'fortran_order' and 'shape' are allowed", key);
        return -1;
    }
    if ((*seen)++) {
        snprintf(err, errn, "the body is not a .npy array numpy can write: the header names '%s' twice "
                 "(numpy would read the last, other readers the first)", key);
        return -1;
    }
    if (seen == &hf->seen_descr)
        return read_quoted(c, hf->descr, sizeof hf->descr, err, errn);
    if (seen == &hf->seen_fortran)
        return read_bool(c, &hf->fortran, err, errn);
    return read_shape(c, a, err, errn);
}

static int read_header(const char *h, size_t hlen, header_fields *hf, zki_serve_npy *a, char *err, size_t errn)
{
    cursor c = {h, h + hlen};
    memset(hf, 0, sizeof *hf);
    skip_spaces(&c);
    if (!at(&c, '{'))
        return bad(err, errn, "the header is not a dict ({'descr': ..., 'fortran_order': ..., 'shape': ...})");
    c.p++;
    skip_spaces(&c);
    while (!at(&c, '}')) {
        if (c.p == c.end || *c.p == '\n')
            return bad(err, errn, "the header dict has no closing '}'");
        if (read_entry(&c, hf, a, err, errn))
            return -1;
        skip_spaces(&c);
        if (at(&c, ','))
            c.p++;
        else if (!at(&c, '}'))
            return bad(err, errn, "the header dict's entries are not separated by ','");
        skip_spaces(&c);
    }
    c.p++;
    while (c.p < c.end && (*c.p == ' ' || *c.p == '\n'))
        c.p++;
    if (c.p != c.end)
        return bad(err, errn, "something other than padding follows the header dict");
    if (!hf->seen_descr || !hf->seen_fortran || !hf->seen_shape)
        return bad(err, errn, "the header lacks 'descr', 'fortran_order' or 'shape'");
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
    header_fields hf;
    int rc = read_header(h, hlen, &hf, a, err, errn);
    size_t esize = 0;
    if (!rc && !strcmp(hf.descr, "<f4"))
        esize = 4;
    else if (!rc && !strcmp(hf.descr, "<f8"))
        esize = 8;
    else if (!rc) {
        snprintf(err, errn, "the array's dtype is '%s'; send float32 ('<f4'; float64 is also accepted)", hf.descr);
        rc = -1;
    }
    if (!rc && hf.fortran) {
        snprintf(err, errn, "the array is in Fortran order; send it in C order (numpy.ascontiguousarray)");
        rc = -1;
    }
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
            /* (float) would make it infinite: say what is wrong with it */
            if ((v > FLT_MAX || v < -FLT_MAX) && v - v == 0) {
                snprintf(err, errn, "the float64 value at index %zu (%g) is beyond float32's range (+-3.4e38); "
                         "values are read as float32", i, v);
                zki_serve_npy_clear(a);
                return -1;
            }
            a->f[i] = (float)v;
        }
    }
    return 0;
}
