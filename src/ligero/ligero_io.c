/* Proof format (little-endian):
 *   "ZKLP" | u32 version | u32 n_c | u8 has_s | u64 nonce |
 *   w[m] | q[m] | s[m] (if has_s) | u32 n_cols |
 *   per commitment c: cols[n_cols * height_c] | salts[n_cols * 32] |
 *                     u32 n_nodes | nodes[n_nodes * 32]
 * Extension elements are 16 bytes (c0, c1), base elements 8, all canonical.
 * n_c, m, has_s (= n_tri > 0) and the heights come from the shape and the
 * statement; n_cols (1 .. t) and n_nodes (at most the largest multi-proof
 * of n_cols leaves) are bounded by them and checked against the bytes left
 * before anything is allocated; trailing bytes are rejected. */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "ligero/ligero_internal.h"

#define HEADER_BYTES 21u /* magic, version, n_c, has_s, nonce */

static const uint8_t MAGIC[4] = {'Z', 'K', 'L', 'P'};

void zki_ligero_proof_free(zki_ligero_proof *p)
{
    if (!p)
        return;
    free(p->w);
    free(p->q);
    free(p->s);
    for (uint32_t c = 0; c < ZKI_LIGERO_MAX_COMMITS; c++) {
        free(p->open[c].cols);
        free(p->open[c].salts);
        free(p->open[c].nodes);
    }
    memset(p, 0, sizeof *p);
}

/* The most siblings a multi-proof of n distinct leaves of a tree of depth L
 * holds: at most min(n, 2^(L-1-l)) on level l. */
static uint64_t max_nodes(uint32_t n, uint32_t log_d)
{
    uint64_t total = 0;
    for (uint32_t l = 0; l < log_d; l++) {
        uint64_t cap = (uint64_t)1 << (log_d - 1 - l);
        total += n < cap ? n : cap;
    }
    return total;
}

/* Bytes before the columns, and of one commitment's opening. */
static uint64_t head_bytes(const zki_ligero_shape *s, uint64_t n_tri)
{
    return HEADER_BYTES + 16 * s->m * (n_tri ? 3 : 2) + 4;
}
static uint64_t open_bytes(const zki_ligero_shape *s, uint32_t c, uint32_t n_cols, uint64_t n_nodes)
{
    return (uint64_t)n_cols * (8 * s->height[c] + ZKI_LIGERO_SALT_LEN) + 4 + 32 * n_nodes;
}

/* 1 when p's counts fit s (the sizes its arrays are taken to have). */
static int fits(const zki_ligero_shape *s, uint64_t n_tri, const zki_ligero_proof *p)
{
    if (p->n_c != s->n_c || p->m != s->m || !p->w || !p->q || (n_tri > 0) != (p->s != NULL) ||
        p->n_cols < 1 || p->n_cols > s->queries)
        return 0;
    for (uint32_t c = 0; c < s->n_c; c++) {
        const zki_ligero_opening *o = &p->open[c];
        if (!o->cols || !o->salts || (o->n_nodes && !o->nodes) ||
            o->n_nodes > max_nodes(p->n_cols, s->log_d))
            return 0;
    }
    return 1;
}

size_t zki_ligero_proof_bytes(const zki_ligero_shape *s, uint64_t n_tri,
                              const zki_ligero_proof *p)
{
    if (zki_ligero_shape_check(s))
        return 0;
    if (p && !fits(s, n_tri, p))
        return 0;
    uint32_t n = p ? p->n_cols : s->queries;
    uint64_t b = head_bytes(s, n_tri);
    for (uint32_t c = 0; c < s->n_c; c++)
        b += open_bytes(s, c, n, p ? p->open[c].n_nodes : max_nodes(n, s->log_d));
    return (size_t)b;
}

static void put_u32(uint8_t **w, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        *(*w)++ = (uint8_t)(v >> (8 * i));
}
static void put_u64(uint8_t **w, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        *(*w)++ = (uint8_t)(v >> (8 * i));
}
static void put_exts(uint8_t **w, const zki_ext *v, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++, *w += 16)
        zki_ext_to_bytes(*w, v[i]);
}

zki_status zki_ligero_proof_to_bytes(const zki_ligero_shape *s, uint64_t n_tri,
                                     const zki_ligero_proof *p, uint8_t **out, size_t *len)
{
    if (!out || !len || !p)
        return zki_fail(ZKI_ERR_INPUT, "ligero: nothing to serialise");
    *out = NULL;
    *len = 0;
    size_t n = zki_ligero_proof_bytes(s, n_tri, p);
    if (!n)
        return zki_fail(ZKI_ERR_INPUT, "ligero: the proof does not fit its shape");
    uint8_t *buf = malloc(n), *w = buf;
    if (!buf)
        return zki_fail(ZKI_ERR_NOMEM, "ligero: out of memory serialising a proof");
    memcpy(w, MAGIC, 4);
    w += 4;
    put_u32(&w, ZKI_LIGERO_VERSION);
    put_u32(&w, p->n_c);
    *w++ = n_tri ? 1 : 0;
    put_u64(&w, p->nonce);
    put_exts(&w, p->w, s->m);
    put_exts(&w, p->q, s->m);
    if (n_tri)
        put_exts(&w, p->s, s->m);
    put_u32(&w, p->n_cols);
    for (uint32_t c = 0; c < s->n_c; c++) {
        const zki_ligero_opening *o = &p->open[c];
        uint64_t ne = (uint64_t)p->n_cols * s->height[c];
        for (uint64_t i = 0; i < ne; i++, w += 8)
            zki_fe_to_bytes(w, o->cols[i]);
        memcpy(w, o->salts, (size_t)p->n_cols * ZKI_LIGERO_SALT_LEN);
        w += (size_t)p->n_cols * ZKI_LIGERO_SALT_LEN;
        put_u32(&w, o->n_nodes);
        memcpy(w, o->nodes, (size_t)o->n_nodes * sizeof *o->nodes);
        w += (size_t)o->n_nodes * sizeof *o->nodes;
    }
    if ((size_t)(w - buf) != n) { /* cannot happen: the layout above is proof_bytes' */
        free(buf);
        return zki_fail(ZKI_ERR_INPUT, "ligero: internal size mismatch serialising a proof");
    }
    *out = buf;
    *len = n;
    return ZKI_OK;
}

typedef struct {
    const uint8_t *p;
    size_t n, pos;
} rbuf;

static size_t left(const rbuf *r) { return r->n - r->pos; }
static int get_u32(rbuf *r, uint32_t *v)
{
    if (left(r) < 4)
        return 0;
    *v = 0;
    for (int i = 0; i < 4; i++)
        *v |= (uint32_t)r->p[r->pos++] << (8 * i);
    return 1;
}
static int get_u64(rbuf *r, uint64_t *v)
{
    if (left(r) < 8)
        return 0;
    *v = 0;
    for (int i = 0; i < 8; i++)
        *v |= (uint64_t)r->p[r->pos++] << (8 * i);
    return 1;
}
/* n extension elements (n * 16 <= left checked by the caller). */
static int get_exts(rbuf *r, zki_ext **out, uint64_t n)
{
    *out = malloc((n ? n : 1) * sizeof **out);
    if (!*out)
        return -1;
    for (uint64_t i = 0; i < n; i++, r->pos += 16)
        if (zki_ext_from_bytes(&(*out)[i], r->p + r->pos))
            return 0;
    return 1;
}

static zki_status bad(zki_ligero_proof *p, const rbuf *r, const char *what)
{
    zki_ligero_proof_free(p);
    return zki_fail(ZKI_ERR_INPUT, "ligero: bad proof at byte %zu: %s", r->pos, what);
}

zki_status zki_ligero_proof_from_bytes(const zki_ligero_shape *s, uint64_t n_tri,
                                       zki_ligero_proof *p, const uint8_t *in, size_t len)
{
    if (!p)
        return zki_fail(ZKI_ERR_INPUT, "ligero: no proof to fill");
    memset(p, 0, sizeof *p);
    zki_status st = zki_ligero_shape_check(s);
    if (st)
        return st;
    if (!in && len)
        return zki_fail(ZKI_ERR_INPUT, "ligero: no bytes to parse");
    rbuf r = {in, len, 0};
    uint32_t ver, n_c, n_cols;
    if (left(&r) < HEADER_BYTES || memcmp(in, MAGIC, 4) != 0)
        return bad(p, &r, "not a Ligero proof");
    r.pos = 4;
    get_u32(&r, &ver);
    get_u32(&r, &n_c);
    uint8_t has_s = r.p[r.pos++];
    get_u64(&r, &p->nonce);
    if (ver != ZKI_LIGERO_VERSION)
        return bad(p, &r, "unsupported version");
    if (n_c != s->n_c || has_s != (n_tri ? 1 : 0))
        return bad(p, &r, "commitment count or triple flag differs from the statement");
    uint64_t m = s->m, nmsg = n_tri ? 3 : 2;
    if (left(&r) / 16 / nmsg < m)
        return bad(p, &r, "truncated combinations");
    p->n_c = n_c;
    p->m = m;
    int ok;
    if ((ok = get_exts(&r, &p->w, m)) != 1 || (ok = get_exts(&r, &p->q, m)) != 1 ||
        (n_tri && (ok = get_exts(&r, &p->s, m)) != 1)) {
        if (ok < 0) {
            zki_ligero_proof_free(p);
            return zki_fail(ZKI_ERR_NOMEM, "ligero: out of memory parsing a proof");
        }
        return bad(p, &r, "non-canonical coefficient");
    }
    if (!get_u32(&r, &n_cols))
        return bad(p, &r, "truncated");
    if (n_cols < 1 || n_cols > s->queries)
        return bad(p, &r, "column count outside 1 .. t");
    p->n_cols = n_cols;
    for (uint32_t c = 0; c < n_c; c++) {
        zki_ligero_opening *o = &p->open[c];
        uint64_t ne = (uint64_t)n_cols * s->height[c];
        if (left(&r) < open_bytes(s, c, n_cols, 0))
            return bad(p, &r, "truncated columns");
        o->cols = malloc(ne * sizeof *o->cols);
        o->salts = malloc((size_t)n_cols * ZKI_LIGERO_SALT_LEN);
        if (!o->cols || !o->salts) {
            zki_ligero_proof_free(p);
            return zki_fail(ZKI_ERR_NOMEM, "ligero: out of memory parsing a proof");
        }
        for (uint64_t i = 0; i < ne; i++, r.pos += 8)
            if (zki_fe_from_bytes(&o->cols[i], r.p + r.pos))
                return bad(p, &r, "non-canonical column entry");
        memcpy(o->salts, r.p + r.pos, (size_t)n_cols * ZKI_LIGERO_SALT_LEN);
        r.pos += (size_t)n_cols * ZKI_LIGERO_SALT_LEN;
        uint32_t nn = 0;
        get_u32(&r, &nn);
        if (nn > max_nodes(n_cols, s->log_d))
            return bad(p, &r, "too many Merkle nodes");
        if (left(&r) / 32 < nn)
            return bad(p, &r, "truncated Merkle nodes");
        o->n_nodes = nn;
        o->nodes = malloc((nn ? nn : 1) * sizeof *o->nodes);
        if (!o->nodes) {
            zki_ligero_proof_free(p);
            return zki_fail(ZKI_ERR_NOMEM, "ligero: out of memory parsing a proof");
        }
        memcpy(o->nodes, r.p + r.pos, (size_t)nn * 32);
        r.pos += (size_t)nn * 32;
    }
    if (left(&r))
        return bad(p, &r, "trailing bytes");
    return ZKI_OK;
}
