/* Byte formats (little-endian throughout).
 *
 * Commitment: "ZKPC" | u32 version | u32 rate_log, log_cols, security_bits,
 *   hiding, open_budget, max_points, grind_bits, row_commit, max_log_cols,
 *   col_budget |
 *   u32 n_polys |
 *   u64 len[n_polys] | 32-byte root. The layout is re-derived on parsing
 *   (zki_pcs_shape_init).
 * Proof: "ZKPP" | u32 version | u32 n_parts | u64 nonce | per part:
 *   u32 slot | u32 n_groups | u32 row_len | u8 has_mu | u8 has_salt |
 *   u8 has_prox (1 classic, 0 tensor: no proximity row) | u8 has_rowc |
 *   mu[n_groups] (if has_mu) |
 *   rows[(n_groups + has_prox) * row_len] (if not has_rowc) |
 *   u32 n_cols | u64 col_height | cols[n_cols * col_height] |
 *   salts[n_cols * 32] (if has_salt) | u32 n_nodes | nodes[n_nodes * 32] |
 *   (if has_rowc) 32-byte row root | u32 rc_rounds | msgs[2 rc_rounds] |
 *   evals[2] |
 * then u8 has_inner | (if has_inner) u64 length | the committed rows'
 * opening in this format (itself without an inner opening).
 * Extension elements are 16 bytes (c0, c1), base elements 8, all canonical.
 * Every count is bounded and checked against the bytes left before any
 * allocation, and trailing bytes are rejected. */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "pcs/pcs_internal.h"

#define MAX_ROW_LEN ((uint64_t)1 << 28)
#define MAX_COLS 65536u
#define MAX_HEIGHT ((uint64_t)1 << 32)
#define MAX_NODES ((uint32_t)1 << 22)
#define MAX_ROUNDS 40u

typedef struct {
    uint8_t *p;
    size_t n, cap;
} wbuf;

typedef struct {
    const uint8_t *p;
    size_t n, pos;
} rbuf;

static void w_bytes(wbuf *w, const void *d, size_t n)
{
    memcpy(w->p + w->n, d, n);
    w->n += n;
}
static void w_u32(wbuf *w, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        w->p[w->n++] = (uint8_t)(v >> (8 * i));
}
static void w_u64(wbuf *w, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        w->p[w->n++] = (uint8_t)(v >> (8 * i));
}
static void w_fe(wbuf *w, zki_fe v)
{
    zki_fe_to_bytes(w->p + w->n, v);
    w->n += 8;
}
static void w_ext(wbuf *w, zki_ext v)
{
    zki_ext_to_bytes(w->p + w->n, v);
    w->n += 16;
}

static size_t r_left(const rbuf *r) { return r->n - r->pos; }

static zki_status r_fail(const rbuf *r, const char *what)
{
    return zki_fail(ZKI_ERR_INPUT, "pcs: bad serialised data at byte %zu: %s", r->pos, what);
}
static int r_u32(rbuf *r, uint32_t *v)
{
    if (r_left(r) < 4)
        return 0;
    *v = 0;
    for (int i = 0; i < 4; i++)
        *v |= (uint32_t)r->p[r->pos++] << (8 * i);
    return 1;
}
static int r_u64(rbuf *r, uint64_t *v)
{
    if (r_left(r) < 8)
        return 0;
    *v = 0;
    for (int i = 0; i < 8; i++)
        *v |= (uint64_t)r->p[r->pos++] << (8 * i);
    return 1;
}
static int r_u8(rbuf *r, uint8_t *v)
{
    if (r_left(r) < 1)
        return 0;
    *v = r->p[r->pos++];
    return 1;
}
/* Base elements: count must already be checked against r_left. */
static int r_fes(rbuf *r, zki_fe *out, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++, r->pos += 8)
        if (zki_fe_from_bytes(&out[i], r->p + r->pos))
            return 0;
    return 1;
}
static int r_exts(rbuf *r, zki_ext *out, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++, r->pos += 16)
        if (zki_ext_from_bytes(&out[i], r->p + r->pos))
            return 0;
    return 1;
}

static const uint8_t COM_MAGIC[4] = {'Z', 'K', 'P', 'C'};
#define N_PARAMS 10 /* u32 parameters of a commitment */
static const uint8_t PROOF_MAGIC[4] = {'Z', 'K', 'P', 'P'};

zki_status zki_pcs_commitment_to_bytes(const zki_pcs_commitment *c, uint8_t **out, size_t *len)
{
    size_t n = 4 + 4 + N_PARAMS * 4 + 4 + 8 * (size_t)c->n_polys + ZKI_DIGEST_LEN;
    wbuf w = {malloc(n), 0, n};
    if (!w.p)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory serialising commitment");
    const zki_pcs_params *p = &c->params;
    w_bytes(&w, COM_MAGIC, 4);
    w_u32(&w, ZKI_PCS_VERSION);
    w_u32(&w, p->rate_log);
    w_u32(&w, p->log_cols);
    w_u32(&w, p->security_bits);
    w_u32(&w, p->hiding);
    w_u32(&w, p->open_budget);
    w_u32(&w, p->max_points);
    w_u32(&w, p->grind_bits);
    w_u32(&w, p->row_commit);
    w_u32(&w, p->max_log_cols);
    w_u32(&w, p->col_budget);
    w_u32(&w, c->n_polys);
    for (uint32_t i = 0; i < c->n_polys; i++)
        w_u64(&w, c->lens[i]);
    w_bytes(&w, c->root.b, ZKI_DIGEST_LEN);
    *out = w.p;
    *len = w.n;
    return ZKI_OK;
}

zki_status zki_pcs_commitment_from_bytes(zki_pcs_commitment *c, const uint8_t *in, size_t len)
{
    memset(c, 0, sizeof *c);
    rbuf r = {in, in ? len : 0, 0};
    uint32_t ver, f[N_PARAMS], n;
    if (r_left(&r) < 4 || memcmp(in, COM_MAGIC, 4))
        return r_fail(&r, "not a PCS commitment (magic)");
    r.pos = 4;
    if (!r_u32(&r, &ver) || ver != ZKI_PCS_VERSION)
        return r_fail(&r, "unsupported commitment version");
    for (int i = 0; i < N_PARAMS; i++)
        if (!r_u32(&r, &f[i]))
            return r_fail(&r, "truncated parameters");
    if (!r_u32(&r, &n) || n < 1 || n > ZKI_PCS_MAX_POLYS)
        return r_fail(&r, "table count missing or out of range");
    if (r_left(&r) != 8 * (size_t)n + ZKI_DIGEST_LEN)
        return r_fail(&r, "length does not match the table count");
    uint64_t *lens = malloc(n * sizeof *lens);
    if (!lens)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory parsing commitment");
    for (uint32_t i = 0; i < n; i++)
        r_u64(&r, &lens[i]);
    zki_pcs_params p = {0};
    p.rate_log = f[0];
    p.log_cols = f[1];
    p.security_bits = f[2];
    p.hiding = f[3];
    p.open_budget = f[4];
    p.max_points = f[5];
    p.grind_bits = f[6];
    p.row_commit = f[7];
    p.max_log_cols = f[8];
    p.col_budget = f[9];
    if (!p.hiding && (p.open_budget || p.col_budget || p.max_points)) {
        free(lens);
        return r_fail(&r, "hiding fields set on a plain commitment");
    }
    zki_status st = zki_pcs_shape_init(c, &p, lens, n);
    free(lens);
    if (st)
        return st;
    memcpy(c->root.b, r.p + r.pos, ZKI_DIGEST_LEN);
    return ZKI_OK;
}

/* Frees what zki_pcs_open or zki_pcs_proof_from_bytes filled in; the proof
 * lives with its byte format, so the opening and the parser both call here. */
void zki_pcs_proof_free(zki_pcs_proof *p)
{
    if (!p || !p->parts)
        return;
    for (uint32_t i = 0; i < p->n_parts; i++) {
        zki_pcs_proof_part *q = &p->parts[i];
        free(q->mu);
        free(q->rows);
        free(q->cols);
        free(q->salts);
        free(q->nodes);
        free(q->rc_msgs);
    }
    free(p->parts);
    p->parts = NULL;
    p->n_parts = 0;
    if (p->inner) {
        zki_pcs_proof_free(p->inner);
        free(p->inner);
        p->inner = NULL;
    }
}

static size_t part_size(const zki_pcs_proof_part *q)
{
    size_t s = 4 * 3 + 4;
    if (q->has_mu)
        s += 16 * (size_t)q->n_groups;
    if (q->has_rowc)
        s += ZKI_DIGEST_LEN + 4 + 16 * (2 * (size_t)q->rc_rounds + 2);
    else
        s += 16 * ((size_t)q->n_groups + q->has_prox) * q->row_len;
    s += 4 + 8 + 8 * (size_t)q->n_cols * q->col_height;
    if (q->has_salt)
        s += (size_t)ZKI_PCS_SALT_LEN * q->n_cols;
    s += 4 + (size_t)ZKI_DIGEST_LEN * q->n_nodes;
    return s;
}

zki_status zki_pcs_proof_to_bytes(const zki_pcs_proof *p, uint8_t **out, size_t *len)
{
    uint8_t *ib = NULL;
    size_t il = 0;
    if (p->inner) {
        if (p->inner->inner)
            return zki_fail(ZKI_ERR_INPUT, "pcs: nested row-commitment openings");
        zki_status st = zki_pcs_proof_to_bytes(p->inner, &ib, &il);
        if (st)
            return st;
    }
    size_t n = 20 + 1 + (p->inner ? 8 + il : 0);
    for (uint32_t i = 0; i < p->n_parts; i++)
        n += part_size(&p->parts[i]);
    wbuf w = {malloc(n), 0, n};
    if (!w.p) {
        free(ib);
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory serialising proof (%zu bytes)", n);
    }
    w_bytes(&w, PROOF_MAGIC, 4);
    w_u32(&w, ZKI_PCS_VERSION);
    w_u32(&w, p->n_parts);
    w_u64(&w, p->nonce);
    for (uint32_t i = 0; i < p->n_parts; i++) {
        const zki_pcs_proof_part *q = &p->parts[i];
        w_u32(&w, q->slot);
        w_u32(&w, q->n_groups);
        w_u32(&w, q->row_len);
        w.p[w.n++] = q->has_mu;
        w.p[w.n++] = q->has_salt;
        w.p[w.n++] = q->has_prox;
        w.p[w.n++] = q->has_rowc;
        if (q->has_mu)
            for (uint32_t g = 0; g < q->n_groups; g++)
                w_ext(&w, q->mu[g]);
        if (!q->has_rowc)
            for (size_t k = 0; k < ((size_t)q->n_groups + q->has_prox) * q->row_len; k++)
                w_ext(&w, q->rows[k]);
        w_u32(&w, q->n_cols);
        w_u64(&w, q->col_height);
        for (size_t k = 0; k < (size_t)q->n_cols * q->col_height; k++)
            w_fe(&w, q->cols[k]);
        if (q->has_salt)
            w_bytes(&w, q->salts, (size_t)ZKI_PCS_SALT_LEN * q->n_cols);
        w_u32(&w, q->n_nodes);
        w_bytes(&w, q->nodes, (size_t)ZKI_DIGEST_LEN * q->n_nodes);
        if (q->has_rowc) {
            w_bytes(&w, q->row_root.b, ZKI_DIGEST_LEN);
            w_u32(&w, q->rc_rounds);
            for (size_t k = 0; k < 2 * (size_t)q->rc_rounds; k++)
                w_ext(&w, q->rc_msgs[k]);
            w_ext(&w, q->rc_evals[0]);
            w_ext(&w, q->rc_evals[1]);
        }
    }
    w.p[w.n++] = p->inner != NULL;
    if (p->inner) {
        w_u64(&w, il);
        w_bytes(&w, ib, il);
    }
    free(ib);
    *out = w.p;
    *len = w.n;
    return ZKI_OK;
}

static zki_status parse_part(rbuf *r, zki_pcs_proof_part *q)
{
    uint8_t hm, hs, hp, hr;
    if (!r_u32(r, &q->slot) || !r_u32(r, &q->n_groups) || !r_u32(r, &q->row_len) ||
        !r_u8(r, &hm) || !r_u8(r, &hs) || !r_u8(r, &hp) || !r_u8(r, &hr))
        return r_fail(r, "truncated proof part header");
    if (q->n_groups > ZKI_PCS_MAX_GROUPS || q->row_len < 1 || q->row_len > MAX_ROW_LEN)
        return r_fail(r, "group count or row length out of range");
    if (hm > 1 || hs > 1 || hp > 1 || hr > 1)
        return r_fail(r, "flag byte not 0 or 1");
    if (!hp && q->n_groups != 1)
        return r_fail(r, "tensor-mode part without exactly one evaluation row");
    if (hr && hp)
        return r_fail(r, "committed row on a classic-mode part");
    q->has_rowc = hr;
    q->has_mu = hm;
    q->has_salt = hs;
    q->has_prox = hp;
    if (hm) {
        if (r_left(r) / 16 < q->n_groups)
            return r_fail(r, "truncated mask evaluations");
        q->mu = malloc((q->n_groups ? q->n_groups : 1) * sizeof *q->mu);
        if (!q->mu)
            return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory parsing proof");
        if (!r_exts(r, q->mu, q->n_groups))
            return r_fail(r, "non-canonical mask evaluation");
    }
    uint64_t nrow = hr ? 0 : ((uint64_t)q->n_groups + hp) * q->row_len; /* < 2^45 */
    if (r_left(r) / 16 < nrow)
        return r_fail(r, "truncated combined rows");
    if (nrow) {
        q->rows = malloc(nrow * sizeof *q->rows);
        if (!q->rows)
            return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory parsing proof");
        if (!r_exts(r, q->rows, nrow))
            return r_fail(r, "non-canonical combined row entry");
    }
    if (!r_u32(r, &q->n_cols) || !r_u64(r, &q->col_height))
        return r_fail(r, "truncated column header");
    if (q->n_cols < 1 || q->n_cols > MAX_COLS || q->col_height < 1 ||
        q->col_height > MAX_HEIGHT)
        return r_fail(r, "column count or height out of range");
    uint64_t ncell = (uint64_t)q->n_cols * q->col_height; /* <= 2^48 */
    if (r_left(r) / 8 < ncell)
        return r_fail(r, "truncated columns");
    q->cols = malloc(ncell * sizeof *q->cols);
    if (!q->cols)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory parsing proof");
    if (!r_fes(r, q->cols, ncell))
        return r_fail(r, "non-canonical column entry");
    if (hs) {
        if (r_left(r) / ZKI_PCS_SALT_LEN < q->n_cols)
            return r_fail(r, "truncated salts");
        q->salts = malloc((size_t)q->n_cols * ZKI_PCS_SALT_LEN);
        if (!q->salts)
            return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory parsing proof");
        memcpy(q->salts, r->p + r->pos, (size_t)q->n_cols * ZKI_PCS_SALT_LEN);
        r->pos += (size_t)q->n_cols * ZKI_PCS_SALT_LEN;
    }
    if (!r_u32(r, &q->n_nodes) || q->n_nodes > MAX_NODES)
        return r_fail(r, "Merkle node count missing or out of range");
    if (r_left(r) / ZKI_DIGEST_LEN < q->n_nodes)
        return r_fail(r, "truncated Merkle nodes");
    q->nodes = malloc((q->n_nodes ? q->n_nodes : 1) * sizeof *q->nodes);
    if (!q->nodes)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory parsing proof");
    memcpy(q->nodes, r->p + r->pos, (size_t)q->n_nodes * ZKI_DIGEST_LEN);
    r->pos += (size_t)q->n_nodes * ZKI_DIGEST_LEN;
    if (!hr)
        return ZKI_OK;
    if (r_left(r) < ZKI_DIGEST_LEN)
        return r_fail(r, "truncated row root");
    memcpy(q->row_root.b, r->p + r->pos, ZKI_DIGEST_LEN);
    r->pos += ZKI_DIGEST_LEN;
    if (!r_u32(r, &q->rc_rounds) || q->rc_rounds < 1 || q->rc_rounds > MAX_ROUNDS)
        return r_fail(r, "row sum-check round count missing or out of range");
    if (r_left(r) / 16 < 2 * (size_t)q->rc_rounds + 2)
        return r_fail(r, "truncated row sum-check");
    q->rc_msgs = malloc(2 * (size_t)q->rc_rounds * sizeof *q->rc_msgs);
    if (!q->rc_msgs)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory parsing proof");
    if (!r_exts(r, q->rc_msgs, 2 * (size_t)q->rc_rounds) || !r_exts(r, q->rc_evals, 2))
        return r_fail(r, "non-canonical row sum-check entry");
    return ZKI_OK;
}

static zki_status proof_parse(zki_pcs_proof *p, const uint8_t *in, size_t len, int depth)
{
    memset(p, 0, sizeof *p);
    rbuf r = {in, in ? len : 0, 0};
    uint32_t ver, n;
    if (r_left(&r) < 4 || memcmp(in, PROOF_MAGIC, 4))
        return r_fail(&r, "not a PCS proof (magic)");
    r.pos = 4;
    if (!r_u32(&r, &ver) || ver != ZKI_PCS_VERSION)
        return r_fail(&r, "unsupported proof version");
    if (!r_u32(&r, &n) || n < 1 || n > ZKI_PCS_MAX_COMMITS)
        return r_fail(&r, "part count missing or out of range");
    uint64_t nonce;
    if (!r_u64(&r, &nonce))
        return r_fail(&r, "truncated proof-of-work nonce");
    p->parts = calloc(n, sizeof *p->parts);
    if (!p->parts)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory parsing proof");
    p->n_parts = n;
    p->nonce = nonce;
    zki_status st = ZKI_OK;
    for (uint32_t i = 0; i < n && !st; i++)
        st = parse_part(&r, &p->parts[i]);
    uint8_t hi = 0;
    if (!st && (!r_u8(&r, &hi) || hi > (depth ? 0 : 1)))
        st = r_fail(&r, "inner-opening flag missing or not allowed here");
    uint64_t il = 0;
    if (!st && hi && (!r_u64(&r, &il) || il > r_left(&r)))
        st = r_fail(&r, "inner opening length missing or past the end");
    if (!st && hi) {
        p->inner = malloc(sizeof *p->inner);
        if (!p->inner)
            st = zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory parsing proof");
        else if ((st = proof_parse(p->inner, r.p + r.pos, (size_t)il, depth + 1))) {
            free(p->inner);
            p->inner = NULL;
        } else
            r.pos += (size_t)il;
    }
    if (!st && r_left(&r))
        st = r_fail(&r, "trailing bytes after the proof");
    if (st)
        zki_pcs_proof_free(p);
    return st;
}

zki_status zki_pcs_proof_from_bytes(zki_pcs_proof *p, const uint8_t *in, size_t len)
{
    return proof_parse(p, in, len, 0);
}
