#include "serve/json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void zki_buf_free(zki_buf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

static int reserve(zki_buf *b, size_t extra)
{
    if (b->failed)
        return 0;
    if (b->len + extra + 1 <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->failed = 1;
        return 0;
    }
    b->s = s;
    b->cap = cap;
    return 1;
}

void zki_buf_append(zki_buf *b, const char *text, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->s + b->len, text, n);
    b->len += n;
    b->s[b->len] = 0;
}

void zki_buf_puts(zki_buf *b, const char *text) { zki_buf_append(b, text, strlen(text)); }

void zki_buf_printf(zki_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n >= 0 && reserve(b, (size_t)n)) {
        vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    } else if (n < 0) {
        b->failed = 1;
    }
    va_end(ap2);
}

/* The length of the valid UTF-8 sequence at p (2 to 4 bytes: no overlong
 * form, no surrogate, at most U+10FFFF), 0 when it is not one. p is
 * NUL-terminated, and a NUL is no continuation byte: nothing past it is read. */
static size_t utf8_sequence(const unsigned char *p)
{
    size_t n = p[0] >= 0xC2 && p[0] <= 0xDF ? 2 : p[0] >= 0xE0 && p[0] <= 0xEF ? 3 : p[0] >= 0xF0 && p[0] <= 0xF4 ? 4 : 0;
    for (size_t k = 1; k < n; k++)
        if ((p[k] & 0xC0) != 0x80)
            return 0;
    if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] > 0x9F) || (p[0] == 0xF0 && p[1] < 0x90) ||
        (p[0] == 0xF4 && p[1] > 0x8F))
        return 0;
    return n;
}

void zki_json_string(zki_buf *b, const char *text)
{
    zki_buf_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char e[2] = {'\\', (char)*p};
            zki_buf_append(b, e, 2);
        } else if (*p < 0x20) {
            zki_buf_printf(b, "\\u%04x", *p);
        } else if (*p < 0x80) {
            zki_buf_append(b, (const char *)p, 1);
        } else {
            /* a message may quote request bytes: the answer stays valid UTF-8 */
            size_t n = utf8_sequence(p);
            if (n) {
                zki_buf_append(b, (const char *)p, n);
                p += n - 1;
            } else {
                zki_buf_puts(b, "\\ufffd");
            }
        }
    }
    zki_buf_puts(b, "\"");
}

void zki_json_float(zki_buf *b, double v)
{
    if (isfinite(v))
        zki_buf_printf(b, "%.9g", v);
    else
        zki_buf_puts(b, "null");
}

/* ---- reader -------------------------------------------------------------- */

typedef struct {
    const char *s;
    size_t n, i;
    char *err;
    size_t errn;
} reader;

static int fail(reader *r, const char *what)
{
    if (r->err && !r->err[0])
        snprintf(r->err, r->errn, "invalid JSON at byte %zu: %s", r->i, what);
    return 0;
}

static void skip_ws(reader *r)
{
    while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' || r->s[r->i] == '\r'))
        r->i++;
}

static int hex4(reader *r, unsigned *v)
{
    if (r->n - r->i < 4)
        return fail(r, "truncated \\u escape");
    *v = 0;
    for (int k = 0; k < 4; k++) {
        char c = r->s[r->i++];
        unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;
        if (d > 15)
            return fail(r, "bad hex digit in \\u escape");
        *v = *v << 4 | d;
    }
    return 1;
}

/* A string at r->i (the opening quote); appended unescaped to out when out
 * is not NULL. */
static int read_string(reader *r, zki_buf *out)
{
    if (r->i >= r->n || r->s[r->i] != '"')
        return fail(r, "expected a string");
    r->i++;
    for (;;) {
        if (r->i >= r->n)
            return fail(r, "unterminated string");
        unsigned char c = (unsigned char)r->s[r->i];
        if (c == '"') {
            r->i++;
            return 1;
        }
        if (c < 0x20)
            return fail(r, "control character in a string");
        if (c != '\\') {
            size_t j = r->i;
            while (j < r->n && r->s[j] != '"' && r->s[j] != '\\' && (unsigned char)r->s[j] >= 0x20)
                j++;
            if (out)
                zki_buf_append(out, r->s + r->i, j - r->i);
            r->i = j;
            continue;
        }
        if (++r->i >= r->n)
            return fail(r, "unterminated escape");
        char e = r->s[r->i++], lit = 0;
        switch (e) {
        case '"': lit = '"'; break;
        case '\\': lit = '\\'; break;
        case '/': lit = '/'; break;
        case 'b': lit = '\b'; break;
        case 'f': lit = '\f'; break;
        case 'n': lit = '\n'; break;
        case 'r': lit = '\r'; break;
        case 't': lit = '\t'; break;
        case 'u': {
            unsigned cp;
            if (!hex4(r, &cp))
                return 0;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return fail(r, "lone low surrogate");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (r->n - r->i < 2 || r->s[r->i] != '\\' || r->s[r->i + 1] != 'u')
                    return fail(r, "high surrogate without its low half");
                r->i += 2;
                if (!hex4(r, &lo))
                    return 0;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return fail(r, "high surrogate without its low half");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            char u[4];
            size_t k = 0;
            if (cp < 0x80) {
                u[k++] = (char)cp;
            } else if (cp < 0x800) {
                u[k++] = (char)(0xC0 | cp >> 6);
                u[k++] = (char)(0x80 | (cp & 63));
            } else if (cp < 0x10000) {
                u[k++] = (char)(0xE0 | cp >> 12);
                u[k++] = (char)(0x80 | ((cp >> 6) & 63));
                u[k++] = (char)(0x80 | (cp & 63));
            } else {
                u[k++] = (char)(0xF0 | cp >> 18);
                u[k++] = (char)(0x80 | ((cp >> 12) & 63));
                u[k++] = (char)(0x80 | ((cp >> 6) & 63));
                u[k++] = (char)(0x80 | (cp & 63));
            }
            if (out)
                zki_buf_append(out, u, k);
            continue;
        }
        default:
            r->i--;
            return fail(r, "unknown escape");
        }
        if (out)
            zki_buf_append(out, &lit, 1);
    }
}

static int read_value(reader *r, int depth);

static int read_literal(reader *r, const char *word)
{
    size_t k = strlen(word);
    if (r->n - r->i < k || memcmp(r->s + r->i, word, k))
        return fail(r, "unexpected character");
    r->i += k;
    return 1;
}

static int read_number(reader *r)
{
    size_t start = r->i;
    if (r->i < r->n && r->s[r->i] == '-')
        r->i++;
    size_t digits = r->i;
    while (r->i < r->n && r->s[r->i] >= '0' && r->s[r->i] <= '9')
        r->i++;
    if (r->i == digits || (r->s[digits] == '0' && r->i - digits > 1))
        return fail(r, "malformed number");
    if (r->i < r->n && r->s[r->i] == '.') {
        size_t f = ++r->i;
        while (r->i < r->n && r->s[r->i] >= '0' && r->s[r->i] <= '9')
            r->i++;
        if (r->i == f)
            return fail(r, "malformed number");
    }
    if (r->i < r->n && (r->s[r->i] == 'e' || r->s[r->i] == 'E')) {
        r->i++;
        if (r->i < r->n && (r->s[r->i] == '+' || r->s[r->i] == '-'))
            r->i++;
        size_t f = r->i;
        while (r->i < r->n && r->s[r->i] >= '0' && r->s[r->i] <= '9')
            r->i++;
        if (r->i == f)
            return fail(r, "malformed number");
    }
    return r->i > start;
}

static int read_array(reader *r, int depth)
{
    r->i++; /* '[' */
    skip_ws(r);
    if (r->i < r->n && r->s[r->i] == ']') {
        r->i++;
        return 1;
    }
    for (;;) {
        if (!read_value(r, depth + 1))
            return 0;
        skip_ws(r);
        if (r->i >= r->n)
            return fail(r, "unterminated array");
        if (r->s[r->i] == ']') {
            r->i++;
            return 1;
        }
        if (r->s[r->i] != ',')
            return fail(r, "expected ',' or ']'");
        r->i++;
    }
}

/* An object; when want is not NULL, the string member named want is
 * appended to *found (found_kind: 0 absent, 1 a string, 2 another value,
 * 3 null). */
static int read_object(reader *r, int depth, const char *want, zki_buf *found, int *found_kind)
{
    r->i++; /* '{' */
    skip_ws(r);
    if (r->i < r->n && r->s[r->i] == '}') {
        r->i++;
        return 1;
    }
    for (;;) {
        skip_ws(r);
        zki_buf key = {0};
        if (!read_string(r, &key)) {
            zki_buf_free(&key);
            return 0;
        }
        /* the name compared whole: a NUL escaped inside a key does not match */
        int match = want && !key.failed && key.s && !strcmp(key.s, want) && key.len == strlen(want);
        zki_buf_free(&key);
        skip_ws(r);
        if (r->i >= r->n || r->s[r->i] != ':')
            return fail(r, "expected ':'");
        r->i++;
        skip_ws(r);
        if (match && *found_kind)
            return fail(r, "member given twice");
        if (match && r->i < r->n && r->s[r->i] == '"') {
            *found_kind = 1;
            if (!read_string(r, found))
                return 0;
        } else {
            if (match)
                *found_kind = r->i < r->n && r->s[r->i] == 'n' ? 3 : 2;
            if (!read_value(r, depth + 1))
                return 0;
        }
        skip_ws(r);
        if (r->i >= r->n)
            return fail(r, "unterminated object");
        if (r->s[r->i] == '}') {
            r->i++;
            return 1;
        }
        if (r->s[r->i] != ',')
            return fail(r, "expected ',' or '}'");
        r->i++;
    }
}

static int read_value(reader *r, int depth)
{
    if (depth > 32)
        return fail(r, "nested more than 32 deep");
    skip_ws(r);
    if (r->i >= r->n)
        return fail(r, "unexpected end");
    switch (r->s[r->i]) {
    case '{': return read_object(r, depth, NULL, NULL, NULL);
    case '[': return read_array(r, depth);
    case '"': return read_string(r, NULL);
    case 't': return read_literal(r, "true");
    case 'f': return read_literal(r, "false");
    case 'n': return read_literal(r, "null");
    default: return read_number(r);
    }
}

/* The member's kind (0 absent, 1 string, 2 other, 3 null) with its string
 * in *found; 0 (err says why) when the text is not one valid object. */
static int find_member(const char *text, size_t n, const char *name, zki_buf *found, int *kind, char *err,
                       size_t errn)
{
    reader r = {text, n, 0, err, errn};
    if (err && errn)
        err[0] = 0;
    *kind = 0;
    skip_ws(&r);
    if (r.i >= r.n || r.s[r.i] != '{')
        return fail(&r, "the body must be a JSON object");
    int ok = read_object(&r, 0, name, found, kind);
    if (ok) {
        skip_ws(&r);
        if (r.i != r.n)
            ok = fail(&r, "text after the object");
    }
    if (ok && found->failed)
        ok = fail(&r, "out of memory");
    return ok;
}

static char *member_string(const char *text, size_t n, const char *name, size_t *len, int *absent, char *err,
                           size_t errn)
{
    *len = 0;
    if (absent)
        *absent = 0;
    zki_buf found = {0};
    int kind = 0;
    int ok = find_member(text, n, name, &found, &kind, err, errn);
    if (ok && absent && (kind == 0 || kind == 3)) {
        *absent = 1;
        ok = 0;
    } else if (ok && kind != 1) {
        if (err && errn)
            snprintf(err, errn, kind ? "member \"%s\" is not a string" : "member \"%s\" is missing", name);
        ok = 0;
    }
    if (!ok) {
        zki_buf_free(&found);
        return NULL;
    }
    if (!found.s) /* an empty string */
        found.s = calloc(1, 1);
    *len = found.len;
    return found.s;
}

char *zki_json_get_string(const char *text, size_t n, const char *name, size_t *len, char *err, size_t errn)
{
    return member_string(text, n, name, len, NULL, err, errn);
}

char *zki_json_get_optional_string(const char *text, size_t n, const char *name, size_t *len, int *absent, char *err,
                                   size_t errn)
{
    return member_string(text, n, name, len, absent, err, errn);
}
