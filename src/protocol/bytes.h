/* Little-endian byte writer (growable) and bounds-checked reader for the
 * key and proof formats. A reader never reads past its end: every getter
 * returns 0 once the data runs out and the caller turns that into an error
 * naming the byte offset. */
#ifndef ZKI_PROTOCOL_BYTES_H
#define ZKI_PROTOCOL_BYTES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "field/field.h"

typedef struct {
    uint8_t *p;
    size_t n, cap;
    int oom;
} zki_wbuf;

static inline void zki_wb_put(zki_wbuf *w, const void *d, size_t n)
{
    if (w->oom)
        return;
    if (w->n + n > w->cap) {
        size_t c = w->cap ? w->cap : 256;
        while (c < w->n + n)
            c *= 2;
        uint8_t *q = realloc(w->p, c);
        if (!q) {
            w->oom = 1;
            return;
        }
        w->p = q;
        w->cap = c;
    }
    if (n)
        memcpy(w->p + w->n, d, n);
    w->n += n;
}
static inline void zki_wb_u32(zki_wbuf *w, uint32_t v)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    zki_wb_put(w, b, 4);
}
static inline void zki_wb_u64(zki_wbuf *w, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    zki_wb_put(w, b, 8);
}
static inline void zki_wb_i64(zki_wbuf *w, int64_t v) { zki_wb_u64(w, (uint64_t)v); }
static inline void zki_wb_f64(zki_wbuf *w, double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    zki_wb_u64(w, v);
}
/* LEB128: 7 bits a byte, low first, the high bit set on all but the last. */
static inline void zki_wb_varint(zki_wbuf *w, uint64_t v)
{
    uint8_t b[10];
    size_t n = 0;
    do {
        b[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        b[n] |= v ? 0x80 : 0;
        n++;
    } while (v);
    zki_wb_put(w, b, n);
}
/* A signed value as a zigzag varint (small magnitudes, one byte). */
static inline void zki_wb_svarint(zki_wbuf *w, int64_t v)
{
    zki_wb_varint(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}
static inline void zki_wb_ext(zki_wbuf *w, zki_ext e)
{
    uint8_t b[16];
    zki_ext_to_bytes(b, e);
    zki_wb_put(w, b, 16);
}

typedef struct {
    const uint8_t *p;
    size_t n, pos;
} zki_rbuf;

static inline size_t zki_rb_left(const zki_rbuf *r) { return r->n - r->pos; }
static inline int zki_rb_get(zki_rbuf *r, void *d, size_t n)
{
    if (zki_rb_left(r) < n)
        return 0;
    memcpy(d, r->p + r->pos, n);
    r->pos += n;
    return 1;
}
static inline int zki_rb_u32(zki_rbuf *r, uint32_t *v)
{
    uint8_t b[4];
    if (!zki_rb_get(r, b, 4))
        return 0;
    *v = 0;
    for (int i = 0; i < 4; i++)
        *v |= (uint32_t)b[i] << (8 * i);
    return 1;
}
static inline int zki_rb_u64(zki_rbuf *r, uint64_t *v)
{
    uint8_t b[8];
    if (!zki_rb_get(r, b, 8))
        return 0;
    *v = 0;
    for (int i = 0; i < 8; i++)
        *v |= (uint64_t)b[i] << (8 * i);
    return 1;
}
static inline int zki_rb_i64(zki_rbuf *r, int64_t *v)
{
    uint64_t u;
    if (!zki_rb_u64(r, &u))
        return 0;
    *v = (int64_t)u;
    return 1;
}
static inline int zki_rb_f64(zki_rbuf *r, double *d)
{
    uint64_t u;
    if (!zki_rb_u64(r, &u))
        return 0;
    memcpy(d, &u, 8);
    return 1;
}
/* Rejects an overlong or non-canonical encoding (a last byte of 0 after the
 * first, more than 64 bits): a value has one encoding, so a key one hash. */
static inline int zki_rb_varint(zki_rbuf *r, uint64_t *v)
{
    *v = 0;
    for (unsigned i = 0; i < 10; i++) {
        uint8_t b;
        if (!zki_rb_get(r, &b, 1) || (i == 9 && b > 1) || (i > 0 && b == 0))
            return 0;
        *v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80))
            return 1;
    }
    return 0;
}
static inline int zki_rb_svarint(zki_rbuf *r, int64_t *v)
{
    uint64_t u;
    if (!zki_rb_varint(r, &u))
        return 0;
    *v = (int64_t)((u >> 1) ^ (0 - (u & 1)));
    return 1;
}
/* Rejects non-canonical encodings. */
static inline int zki_rb_ext(zki_rbuf *r, zki_ext *e)
{
    uint8_t b[16];
    if (!zki_rb_get(r, b, 16))
        return 0;
    return zki_ext_from_bytes(e, b) == ZKI_OK;
}

#endif
