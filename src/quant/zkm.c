/* .zkm files: the quantised model the prover loads.
 *
 * Layout (little-endian):
 *   "ZKINFERM" | u32 version | u32 n_tensors n_nodes n_inputs n_outputs
 *   tensor: u16 name_len, name | u8 kind bits rank | i64 dims[rank] |
 *           u64 scale (IEEE-754 bits) | const only: u8 width (1,2,4,8), data
 *   node:   u8 op n_in | i32 in[n_in] | i32 out | u8 n_p | i64 p[n_p] |
 *           u16 name_len, name
 *   u32 inputs[n_inputs] | u32 outputs[n_outputs]
 *   SHA-256 of all preceding bytes (32 bytes)
 * The reader checks every length against the bytes left before allocating,
 * verifies the digest, then runs zki_qmodel_check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/file_read.h"
#include "hash/sha256.h"
#include "quant/qmodel.h"

static const char zki_zkm_magic[8] = {'Z', 'K', 'I', 'N', 'F', 'E', 'R', 'M'};

typedef struct {
    uint8_t *b;
    size_t n, cap;
    int oom;
} zki_wbuf;

static void put(zki_wbuf *w, const void *p, size_t len)
{
    if (w->oom)
        return;
    if (w->n + len > w->cap) {
        size_t cap = w->cap ? w->cap : 4096;
        while (cap < w->n + len)
            cap *= 2;
        uint8_t *b = realloc(w->b, cap);
        if (!b) {
            w->oom = 1;
            return;
        }
        w->b = b;
        w->cap = cap;
    }
    memcpy(w->b + w->n, p, len);
    w->n += len;
}

static void put_uint(zki_wbuf *w, uint64_t v, int bytes)
{
    uint8_t t[8];
    for (int k = 0; k < bytes; k++)
        t[k] = (uint8_t)(v >> (8 * k));
    put(w, t, (size_t)bytes);
}

static void put_name(zki_wbuf *w, const char *s)
{
    size_t n = strlen(s ? s : "");
    if (n > 65535)
        n = 65535;
    put_uint(w, n, 2);
    put(w, s ? s : "", n);
}

static int width_for(const zki_qtensor *t)
{
    int64_t n = zki_qnumel(t), mx = 0;
    for (int64_t k = 0; k < n; k++) {
        int64_t a = t->data[k];
        if (a < -((int64_t)1 << 31) || a >= ((int64_t)1 << 31))
            return 8;
        a = a < 0 ? -a - 1 : a;
        if (a > mx)
            mx = a;
    }
    return mx < 128 ? 1 : (mx < 32768 ? 2 : 4);
}

zki_status zki_zkm_serialize(const zki_qmodel *m, uint8_t **buf, size_t *len)
{
    zki_wbuf w = {0};
    put(&w, zki_zkm_magic, 8);
    put_uint(&w, ZKI_ZKM_VERSION, 4);
    put_uint(&w, (uint64_t)m->n_t, 4);
    put_uint(&w, (uint64_t)m->n_nodes, 4);
    put_uint(&w, (uint64_t)m->n_inputs, 4);
    put_uint(&w, (uint64_t)m->n_outputs, 4);
    for (int i = 0; i < m->n_t; i++) {
        const zki_qtensor *t = &m->t[i];
        put_name(&w, t->name);
        put_uint(&w, (uint64_t)t->kind, 1);
        put_uint(&w, (uint64_t)t->bits, 1);
        put_uint(&w, (uint64_t)t->rank, 1);
        for (int a = 0; a < t->rank; a++)
            put_uint(&w, (uint64_t)t->dims[a], 8);
        uint64_t sb;
        memcpy(&sb, &t->scale, 8);
        put_uint(&w, sb, 8);
        if (t->kind == ZKI_QT_CONST) {
            int wd = width_for(t);
            put_uint(&w, (uint64_t)wd, 1);
            int64_t n = zki_qnumel(t);
            for (int64_t k = 0; k < n; k++)
                put_uint(&w, (uint64_t)t->data[k], wd);
        }
    }
    for (int i = 0; i < m->n_nodes; i++) {
        const zki_qnode *n = &m->nodes[i];
        put_uint(&w, (uint64_t)n->op, 1);
        put_uint(&w, (uint64_t)n->n_in, 1);
        for (int k = 0; k < n->n_in; k++)
            put_uint(&w, (uint64_t)(uint32_t)n->in[k], 4);
        put_uint(&w, (uint64_t)(uint32_t)n->out, 4);
        put_uint(&w, (uint64_t)n->n_p, 1);
        for (int k = 0; k < n->n_p; k++)
            put_uint(&w, (uint64_t)n->p[k], 8);
        put_name(&w, n->name);
    }
    for (int k = 0; k < m->n_inputs; k++)
        put_uint(&w, (uint64_t)m->inputs[k], 4);
    for (int k = 0; k < m->n_outputs; k++)
        put_uint(&w, (uint64_t)m->outputs[k], 4);
    zki_digest dg = {{0}};
    if (!w.oom)
        zki_sha256_chunked(&dg, w.b, w.n);
    put(&w, dg.b, sizeof dg.b);
    if (w.oom) {
        free(w.b);
        return zki_fail(ZKI_ERR_NOMEM, "out of memory serialising the model");
    }
    *buf = w.b;
    *len = w.n;
    return ZKI_OK;
}

zki_status zki_zkm_write(const zki_qmodel *m, const char *path)
{
    uint8_t *b = NULL;
    size_t n = 0;
    zki_status st = zki_zkm_serialize(m, &b, &n);
    return zki_write_serialised(path, st, b, n, ZKI_FILE_SECRET); /* it holds the weights */
}

typedef struct {
    const uint8_t *b;
    size_t n, off;
    int bad;
} zki_rbuf;

static uint64_t get_uint(zki_rbuf *r, int bytes)
{
    if (r->bad || r->n - r->off < (size_t)bytes) {
        r->bad = 1;
        return 0;
    }
    uint64_t v = 0;
    for (int k = 0; k < bytes; k++)
        v |= (uint64_t)r->b[r->off + (size_t)k] << (8 * k);
    r->off += (size_t)bytes;
    return v;
}

/* cnt little-endian signed integers of wd bytes each, sign-extended (the
 * caller checked that they are all in the buffer). Each element alone:
 * the same values for any thread count. */
static void get_consts(zki_rbuf *r, int wd, int64_t cnt, int64_t *out)
{
    const uint8_t *src = r->b + r->off;
    int sh = 64 - 8 * wd;
#pragma omp parallel for schedule(static) if (cnt > 65536)
    for (int64_t k = 0; k < cnt; k++) {
        uint64_t u = 0;
        for (int b = 0; b < wd; b++)
            u |= (uint64_t)src[(size_t)k * (size_t)wd + (size_t)b] << (8 * b);
        out[k] = sh ? (int64_t)(u << sh) >> sh : (int64_t)u; /* sign-extend */
    }
    r->off += (size_t)cnt * (size_t)wd;
}

static char *get_name(zki_rbuf *r)
{
    size_t n = (size_t)get_uint(r, 2);
    /* A NUL inside would silently shorten the name (and change the bytes
     * the model re-serialises to). */
    if (r->bad || r->n - r->off < n || memchr(r->b + r->off, 0, n)) {
        r->bad = 1;
        return NULL;
    }
    char *s = malloc(n + 1);
    if (!s) {
        r->bad = 1;
        return NULL;
    }
    memcpy(s, r->b + r->off, n);
    s[n] = '\0';
    r->off += n;
    return s;
}

#define ZKM_BAD(...)                                                          \
    do {                                                                      \
        st = zki_fail(ZKI_ERR_INPUT, __VA_ARGS__);                            \
        goto fail;                                                            \
    } while (0)

zki_status zki_zkm_parse(const uint8_t *buf, size_t len, zki_qmodel **out)
{
    *out = NULL;
    zki_status st = ZKI_OK;
    if (len < 8 + 20 + ZKI_DIGEST_LEN || memcmp(buf, zki_zkm_magic, 8) != 0)
        return zki_fail(ZKI_ERR_INPUT, "not a .zkm file (bad magic or too short: %zu bytes)", len);
    zki_digest dg;
    size_t body = len - ZKI_DIGEST_LEN;
    zki_rbuf r = {buf, body, 8, 0};
    uint64_t ver = get_uint(&r, 4);
    if (ver != ZKI_ZKM_VERSION)
        return zki_fail(ZKI_ERR_UNSUPPORTED,
                        ".zkm version %llu is not supported (this build reads version %d): compile the model "
                        "again with this zkinfer",
                        (unsigned long long)ver, ZKI_ZKM_VERSION);
    zki_sha256_chunked(&dg, buf, body);
    if (memcmp(dg.b, buf + body, ZKI_DIGEST_LEN) != 0)
        return zki_fail(ZKI_ERR_INPUT, ".zkm digest mismatch: file corrupt or truncated");
    uint64_t nt = get_uint(&r, 4), nn = get_uint(&r, 4), ni = get_uint(&r, 4), no = get_uint(&r, 4);
    /* every tensor takes >= 12 bytes and every node >= 12: bound counts by size */
    if (nt > body / 12 || nn > body / 12 || ni > 16 || no > 16 || no < 1)
        return zki_fail(ZKI_ERR_INPUT, ".zkm header counts out of range");
    zki_qmodel *m = calloc(1, sizeof *m);
    if (!m)
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    m->t = calloc(nt + 1, sizeof(zki_qtensor));
    m->nodes = calloc(nn + 1, sizeof(zki_qnode));
    if (!m->t || !m->nodes)
        ZKM_BAD("out of memory");
    m->cap_t = (int)nt + 1;
    m->cap_nodes = (int)nn + 1;
    for (uint64_t i = 0; i < nt; i++) {
        zki_qtensor *t = &m->t[i];
        m->n_t = (int)i + 1;
        t->name = get_name(&r);
        t->kind = (int)get_uint(&r, 1);
        t->bits = (int)get_uint(&r, 1);
        t->rank = (int)get_uint(&r, 1);
        if (r.bad || t->rank > ZKI_QMAX_RANK)
            ZKM_BAD(".zkm tensor %llu: truncated or rank out of range", (unsigned long long)i);
        for (int a = 0; a < t->rank; a++)
            t->dims[a] = (int64_t)get_uint(&r, 8);
        uint64_t sb = get_uint(&r, 8);
        memcpy(&t->scale, &sb, 8);
        int64_t cnt = zki_qnumel(t);
        if (r.bad || cnt < 0)
            ZKM_BAD(".zkm tensor %llu ('%s'): truncated or bad shape", (unsigned long long)i, t->name ? t->name : "");
        if (t->kind == ZKI_QT_CONST) {
            int wd = (int)get_uint(&r, 1);
            if (wd != 1 && wd != 2 && wd != 4 && wd != 8)
                ZKM_BAD(".zkm tensor '%s': bad element width %d", t->name, wd);
            if (r.bad || (uint64_t)cnt > (r.n - r.off) / (uint64_t)wd)
                ZKM_BAD(".zkm tensor '%s': data truncated", t->name);
            t->data = malloc(sizeof(int64_t) * (size_t)(cnt > 0 ? cnt : 1));
            if (!t->data)
                ZKM_BAD("out of memory");
            get_consts(&r, wd, cnt, t->data);
        }
    }
    for (uint64_t i = 0; i < nn; i++) {
        zki_qnode *n = &m->nodes[i];
        m->n_nodes = (int)i + 1;
        n->op = (int)get_uint(&r, 1);
        n->n_in = (int)get_uint(&r, 1);
        if (n->n_in > ZKI_QMAX_IN)
            ZKM_BAD(".zkm node %llu: too many inputs", (unsigned long long)i);
        for (int k = 0; k < ZKI_QMAX_IN; k++)
            n->in[k] = -1;
        for (int k = 0; k < n->n_in; k++)
            n->in[k] = (int32_t)(uint32_t)get_uint(&r, 4);
        n->out = (int32_t)(uint32_t)get_uint(&r, 4);
        n->n_p = (int)get_uint(&r, 1);
        if (n->n_p > ZKI_QMAX_P)
            ZKM_BAD(".zkm node %llu: too many parameters", (unsigned long long)i);
        for (int k = 0; k < n->n_p; k++)
            n->p[k] = (int64_t)get_uint(&r, 8);
        n->name = get_name(&r);
        if (r.bad)
            ZKM_BAD(".zkm node %llu: truncated", (unsigned long long)i);
    }
    m->n_inputs = (int)ni;
    m->n_outputs = (int)no;
    for (uint64_t k = 0; k < ni; k++)
        m->inputs[k] = (int)get_uint(&r, 4);
    for (uint64_t k = 0; k < no; k++)
        m->outputs[k] = (int)get_uint(&r, 4);
    if (r.bad || r.off != r.n)
        ZKM_BAD(".zkm: truncated or trailing bytes before the digest");
    if ((st = zki_qmodel_check(m)) != ZKI_OK)
        goto fail;
    *out = m;
    return ZKI_OK;
fail:
    zki_qmodel_free(m);
    return st;
}

zki_status zki_zkm_read(const char *path, zki_qmodel **out)
{
    *out = NULL;
    uint8_t *b;
    size_t n;
    /* zki_read_file: a FIFO or device is refused before it is opened */
    zki_status st = zki_read_file(path, ZKI_ZKM_MAX_FILE_BYTES, &b, &n);
    if (st != ZKI_OK)
        return st;
    st = zki_zkm_parse(b, n, out);
    free(b);
    return st;
}
