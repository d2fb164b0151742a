#include "quant/npy_header.h"

#include <string.h>

#include "common/error.h"

typedef struct {
    const char *p, *end;
    int seen_descr, seen_fortran, seen_shape;
} cursor;

static zki_status bad(const char *msg)
{
    return zki_fail(ZKI_ERR_INPUT, ".npy header: %s", msg);
}

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
static zki_status read_quoted(cursor *c, char *out, size_t outn)
{
    if (at(c, '"'))
        return bad("a string in double quotes; numpy writes single quotes ({'descr': '<f4', ...})");
    if (!at(c, '\''))
        return bad("the dict holds something other than quoted keys and Python literals");
    const char *s = ++c->p;
    while (c->p < c->end && *c->p != '\'' && *c->p != '\\')
        c->p++;
    if (!at(c, '\''))
        return bad("an unterminated string (or one with a backslash)");
    size_t n = (size_t)(c->p - s);
    c->p++;
    if (n >= outn)
        return bad("a key or dtype string that is too long");
    memcpy(out, s, n);
    out[n] = 0;
    return ZKI_OK;
}

/* True or False followed by a delimiter (Falsey is refused). */
static zki_status read_bool(cursor *c, int *value)
{
    size_t left = (size_t)(c->end - c->p), n = 0;
    if (left >= 4 && !memcmp(c->p, "True", 4))
        n = 4;
    else if (left >= 5 && !memcmp(c->p, "False", 5))
        n = 5;
    if (!n || (left > n && c->p[n] != ' ' && c->p[n] != ',' && c->p[n] != '}'))
        return bad("'fortran_order' is not exactly True or False");
    *value = n == 4;
    c->p += n;
    return ZKI_OK;
}

static int is_digit(const cursor *c, size_t ahead)
{
    return c->p + ahead < c->end && c->p[ahead] >= '0' && c->p[ahead] <= '9';
}

/* A non-negative decimal integer as Python writes it (no leading zeros). */
static zki_status read_dim(cursor *c, int64_t *v)
{
    if (!is_digit(c, 0))
        return bad("'shape' holds something other than non-negative integers");
    if (at(c, '0') && is_digit(c, 1))
        return bad("'shape' has a number with a leading zero, which Python does not read");
    *v = 0;
    while (is_digit(c, 0)) {
        if (*v > (INT64_C(1) << 40))
            return bad("a dimension is too large");
        *v = *v * 10 + (*c->p++ - '0');
    }
    return ZKI_OK;
}

/* (), (3,), (2, 3) or (2, 3,); (3) is a number in Python, which numpy refuses. */
static zki_status read_shape(cursor *c, zki_npy_header *out)
{
    if (!at(c, '('))
        return bad("'shape' is not a tuple");
    c->p++;
    out->rank = 0;
    int trailing_comma = 0;
    for (;;) {
        skip_spaces(c);
        if (at(c, ')'))
            break;
        if (out->rank == ZKI_MAX_RANK)
            return zki_fail(ZKI_ERR_INPUT, ".npy header: 'shape' has more than %d dimensions", ZKI_MAX_RANK);
        zki_status st = read_dim(c, &out->dims[out->rank++]);
        if (st)
            return st;
        skip_spaces(c);
        trailing_comma = at(c, ',');
        if (trailing_comma)
            c->p++;
        else if (!at(c, ')'))
            return bad("'shape' is malformed");
    }
    c->p++;
    if (out->rank == 1 && !trailing_comma)
        return bad("'shape' is (N), which Python reads as a number; a 1-D shape is written (N,)");
    return ZKI_OK;
}

static zki_status read_entry(cursor *c, zki_npy_header *out)
{
    char key[32];
    zki_status st = read_quoted(c, key, sizeof key);
    if (st)
        return st;
    skip_spaces(c);
    if (!at(c, ':'))
        return bad("a key of the dict is not followed by ':'");
    c->p++;
    skip_spaces(c);
    int *seen = !strcmp(key, "descr")           ? &c->seen_descr
                : !strcmp(key, "fortran_order") ? &c->seen_fortran
                : !strcmp(key, "shape")         ? &c->seen_shape
                                                : NULL;
    if (!seen)
        return zki_fail(ZKI_ERR_INPUT, ".npy header: the key '%s'; only 'descr', 'fortran_order' and 'shape' "
                        "are allowed", key);
    if ((*seen)++)
        return zki_fail(ZKI_ERR_INPUT, ".npy header: '%s' twice (numpy would read the last, other readers the "
                        "first)", key);
    if (seen == &c->seen_descr)
        return read_quoted(c, out->descr, sizeof out->descr);
    if (seen == &c->seen_fortran)
        return read_bool(c, &out->fortran);
    return read_shape(c, out);
}

zki_status zki_npy_header_read(const char *h, size_t hlen, zki_npy_header *out)
{
    cursor c = {h, h + hlen, 0, 0, 0};
    memset(out, 0, sizeof *out);
    if (memchr(h, 0, hlen))
        return bad("a NUL byte");
    skip_spaces(&c);
    if (!at(&c, '{'))
        return bad("not a dict ({'descr': ..., 'fortran_order': ..., 'shape': ...})");
    c.p++;
    skip_spaces(&c);
    while (!at(&c, '}')) {
        if (c.p == c.end || *c.p == '\n')
            return bad("the dict has no closing '}'");
        zki_status st = read_entry(&c, out);
        if (st)
            return st;
        skip_spaces(&c);
        if (at(&c, ','))
            c.p++;
        else if (!at(&c, '}'))
            return bad("the dict's entries are not separated by ','");
        skip_spaces(&c);
    }
    c.p++;
    while (c.p < c.end && (*c.p == ' ' || *c.p == '\n'))
        c.p++;
    if (c.p != c.end)
        return bad("something other than padding follows the dict");
    if (!c.seen_descr || !c.seen_fortran || !c.seen_shape)
        return bad("the dict lacks 'descr', 'fortran_order' or 'shape'");
    return ZKI_OK;
}
