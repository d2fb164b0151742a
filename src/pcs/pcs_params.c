/* Parameters and layout: row width, padding, code length and query count,
 * all derived from (params, table lengths) so prover and verifier agree. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "pcs/pcs.h"

void zki_pcs_params_default(zki_pcs_params *p)
{
    memset(p, 0, sizeof *p);
    p->rate_log = 2;
    p->security_bits = 100;
    p->open_budget = 1;
    p->col_budget = 1;
    p->row_commit = 0;
}

uint32_t zki_pcs_col_openings(const zki_pcs_params *p)
{
    if (!p->hiding)
        return 0;
    return p->col_budget > p->open_budget ? p->col_budget : p->open_budget;
}

/* A binary number m 2^e, m in [2^63, 2^64), for upper bounds computed the
 * same way on every platform (no libm: the verifier derives the query
 * count from the shape, and a WebAssembly or other build must agree). */
typedef struct {
    uint64_t m;
    int64_t e;
} up_num;

static int msb64(uint64_t x)
{
    int k = 63;
    while (!(x >> k))
        k--;
    return k;
}

/* x y, rounded up. */
static up_num up_mul(up_num x, up_num y)
{
    /* p = hi 2^64 + lo in [2^126, 2^128); kept as two halves, since a
     * 128-bit shift by a variable is a library call in wasm32 */
    unsigned __int128 p = zki_mul_wide(x.m, y.m);
    uint64_t hi = (uint64_t)(p >> 64), lo = (uint64_t)p;
    int sh = (hi >> 63) ? 64 : 63;
    up_num r = {sh == 64 ? hi : (hi << 1) | (lo >> 63), x.e + y.e + sh};
    uint64_t dropped = sh == 64 ? lo : lo & (((uint64_t)1 << 63) - 1); /* the bits below 2^sh */
    if (dropped) {
        if (++r.m == 0) {
            r.m = (uint64_t)1 << 63;
            r.e++;
        }
    }
    return r;
}

uint32_t zki_pcs_queries(uint64_t k, uint32_t log_d, uint32_t bits)
{
    /* A query passes a row that is delta-far from the code (or a combined
     * row inconsistent with the decoded rows) with probability <= 1 - delta
     * = (D + K) / 2D, delta = (1 - K/D) / 2: the least t with
     * ((D + K) / 2D)^t <= 2^-bits, the power bounded from above. */
    uint64_t n = ((uint64_t)1 << log_d) + k; /* K < D */
    int sh = 63 - msb64(n);
    up_num a = {n << sh, -(int64_t)log_d - 1 - sh}, y = {(uint64_t)1 << 63, -63};
    uint32_t t = 0;
    /* y <= 2^-bits once y < 2^(e + 64) <= 2^-bits, or y = 2^-bits exactly */
    while (!(y.e + 64 <= -(int64_t)bits || (y.e + 63 == -(int64_t)bits && y.m == (uint64_t)1 << 63)) &&
           t < 1000000) {
        y = up_mul(y, a);
        t++;
    }
    return t;
}

static uint32_t log2_ceil_u64(uint64_t x)
{
    uint32_t k = 0;
    while (k < 63 && ((uint64_t)1 << k) < x)
        k++;
    return k;
}

void zki_pcs_commitment_free(zki_pcs_commitment *c)
{
    free(c->lens);
    free(c->nvars);
    free(c->row_off);
    c->lens = NULL;
    c->nvars = NULL;
    c->row_off = NULL;
    c->n_polys = 0;
}

static zki_status check_params(const zki_pcs_params *p)
{
    if (p->rate_log < 1 || p->rate_log > 8)
        return zki_fail(ZKI_ERR_INPUT, "pcs: rate_log %u outside [1, 8]", p->rate_log);
    if (p->security_bits < 1 || p->security_bits > 256)
        return zki_fail(ZKI_ERR_INPUT, "pcs: security_bits %u outside [1, 256]",
                        p->security_bits);
    if (p->hiding > 1)
        return zki_fail(ZKI_ERR_INPUT, "pcs: hiding flag %u not 0 or 1", p->hiding);
    if (p->log_cols > 26)
        return zki_fail(ZKI_ERR_INPUT, "pcs: log_cols %u > 26", p->log_cols);
    if (p->max_log_cols > 20)
        return zki_fail(ZKI_ERR_INPUT, "pcs: max_log_cols %u > 20", p->max_log_cols);
    if (p->hiding && (p->open_budget < 1 || p->open_budget > 1024))
        return zki_fail(ZKI_ERR_INPUT, "pcs: open_budget %u outside [1, 1024]", p->open_budget);
    if (p->hiding && (p->col_budget < 1 || p->col_budget > ZKI_PCS_MAX_COL_BUDGET))
        return zki_fail(ZKI_ERR_INPUT, "pcs: col_budget %u outside [1, %u]", p->col_budget,
                        ZKI_PCS_MAX_COL_BUDGET);
    if (p->max_points > ZKI_PCS_MAX_GROUPS)
        return zki_fail(ZKI_ERR_INPUT, "pcs: max_points %u too large", p->max_points);
    if (p->row_commit > 1)
        return zki_fail(ZKI_ERR_INPUT, "pcs: row_commit flag %u not 0 or 1", p->row_commit);
    if (p->grind_bits > ZKI_PCS_MAX_GRIND)
        return zki_fail(ZKI_ERR_INPUT, "pcs: grind_bits %u > %u", p->grind_bits,
                        ZKI_PCS_MAX_GRIND);
    return ZKI_OK;
}

/* Code length for message length K = C + h: at least C * 2^rate_log and
 * at least 2K, so the actual rate K / D is at most 1/2 -- except that a
 * hiding pad h <= C/8 only needs D >= K: rate 1/2 then costs one code of
 * 2C, not 4C, at rate K / D <= 9/16 (the query count follows the actual
 * rate). Rates 1/4 and lower are unchanged by the exception (4C >= 2K). */
static uint32_t code_log_d(uint32_t log_cols, uint32_t rate_log, uint64_t k)
{
    uint64_t c = (uint64_t)1 << log_cols;
    uint32_t a = log_cols + rate_log, b = log2_ceil_u64(k) + (k - c <= c / 8 ? 0 : 1);
    return a > b ? a : b;
}

uint64_t zki_pcs_poly_rows(const zki_pcs_commitment *c, uint32_t poly)
{
    return (c->lens[poly] + c->shape.cols - 1) >> c->shape.log_cols;
}

int zki_pcs_tensor_ok(const zki_pcs_commitment *c, uint32_t hi_vars)
{
    /* (l + 1) D / p^2 <= 2^-102  <=>  (l + 1) D <= p^2 / 2^102 = 2^26 - 2^-5 + ...,
     * i.e. (l + 1) D < 2^26 for integers (l <= 40, D <= 2^26: no overflow). */
    return ((uint64_t)hi_vars + 1) * c->shape.d < ((uint64_t)1 << 26);
}

/* The layout at row width 2^lc: rows, padding, code length and queries.
 * Hiding needs h >= openings * t (zki_pcs_col_openings), and t grows with
 * the rate K / D = (C + h) / D: iterate to the fixed point (h only grows;
 * t <= queries(1/2)). */
static void shape_at(zki_pcs_commitment *c, const zki_pcs_params *p, uint32_t lc)
{
    zki_pcs_shape *s = &c->shape;
    s->log_cols = lc;
    s->cols = (uint64_t)1 << lc;
    uint64_t rows = 0;
    for (uint32_t i = 0; i < c->n_polys; i++) {
        c->row_off[i] = rows;
        rows += (c->lens[i] + s->cols - 1) >> lc; /* implicit zero rows beyond */
    }
    s->data_rows = rows;
    s->max_points = p->hiding ? (p->max_points ? p->max_points : c->n_polys) : 0;
    s->mask_rows = p->hiding ? 2ull * p->open_budget * (1ull + s->max_points) : 0;
    s->rows = s->data_rows + s->mask_rows;
    /* The query term gets half the error budget, less the proof of work's
     * bits: an attempt at the query challenge costs 2^grind_bits hashes
     * (docs/security.md, "Security level"). */
    uint32_t qbits = p->security_bits + 1 > p->grind_bits ? p->security_bits + 1 - p->grind_bits : 1;
    uint64_t h = 0;
    for (int it = 0; it < 64; it++) {
        uint64_t k = s->cols + h;
        uint32_t ld = code_log_d(lc, p->rate_log, k);
        double rho = (double)k / (double)((uint64_t)1 << ld);
        uint32_t t = zki_pcs_queries(k, ld, qbits);
        s->pad = h;
        s->row_len = k;
        s->log_d = ld;
        s->d = (uint64_t)1 << ld;
        s->rho = rho;
        s->queries = t;
        s->bits = (double)t * -log2((1.0 + rho) / 2.0);
        uint64_t need = (uint64_t)zki_pcs_col_openings(p) * t;
        if (need <= h)
            break;
        h = need;
    }
}

static uint64_t merkle_bytes(uint32_t t, uint32_t log_d)
{
    /* a multi-proof of t random leaves holds about t (log_d - log2 t) siblings */
    uint32_t lt = (uint32_t)msb64(t ? t : 1);
    return log_d > lt ? 32ull * t * (log_d - lt) : 0;
}

/* The opened columns (8 t rows) and their Merkle proof. */
static uint64_t columns_bytes(const zki_pcs_shape *s)
{
    return 8ull * s->queries * s->rows + merkle_bytes(s->queries, s->log_d);
}

/* Bytes of a tensor-mode opening of shape s sending its row (16 K). */
static uint64_t open_bytes_plain(const zki_pcs_shape *s) { return 16 * s->row_len + columns_bytes(s); }

void zki_pcs_row_params(const zki_pcs_commitment *outer, int zk, zki_pcs_params *ip, uint64_t *len)
{
    zki_pcs_params_default(ip);
    /* the row is short: rate 1/4 (or the outer's lower rate) keeps its
     * queries few */
    ip->rate_log = outer->params.rate_log > 2 ? outer->params.rate_log : 2;
    ip->security_bits = outer->params.security_bits;
    ip->grind_bits = outer->params.grind_bits;
    ip->row_commit = 0; /* one level: the row's own row is sent */
    ip->hiding = zk ? 1 : 0; /* made per proof: one opening, fresh masks */
    *len = 2 * outer->shape.row_len;
}

uint32_t zki_pcs_row_rounds(const zki_pcs_shape *s) { return log2_ceil_u64(s->row_len); }

zki_status zki_pcs_row_commitment(const zki_pcs_commitment *outer, int zk, const zki_digest *root,
                                  zki_pcs_commitment *inner)
{
    zki_pcs_params ip;
    uint64_t len;
    zki_pcs_row_params(outer, zk, &ip, &len);
    zki_status st = zki_pcs_shape_init(inner, &ip, &len, 1);
    if (!st && root)
        inner->root = *root;
    return st;
}

/* Bytes of the same opening committing its row instead: the columns and
 * their Merkle proof, the row's root, its sum-check (2 m + 2 extension
 * elements) and the row commitment's own opening. */
static uint64_t open_bytes_rowc(const zki_pcs_commitment *c)
{
    const zki_pcs_shape *s = &c->shape;
    zki_pcs_commitment in;
    if (zki_pcs_row_commitment(c, 0, NULL, &in))
        return UINT64_MAX;
    uint64_t b = open_bytes_plain(&in.shape);
    zki_pcs_commitment_free(&in);
    return b + columns_bytes(s) + 32 + 16 * (2ull * zki_pcs_row_rounds(s) + 2);
}

/* The cheaper of sending and committing the row at c's current shape. */
static uint64_t layout_bytes(const zki_pcs_commitment *c, uint32_t *rc)
{
    uint64_t plain = open_bytes_plain(&c->shape), with_rc = plain;
    if (c->params.row_commit && c->shape.row_len >= ZKI_PCS_ROW_COMMIT_MIN)
        with_rc = open_bytes_rowc(c);
    *rc = with_rc < plain;
    return *rc ? with_rc : plain;
}

int64_t zki_pcs_open_bytes(const zki_pcs_params *p, const uint64_t *lens, uint32_t n_polys,
                           uint32_t log_cols)
{
    zki_pcs_params q = *p;
    q.log_cols = log_cols;
    zki_pcs_commitment c;
    if (!log_cols || zki_pcs_shape_init(&c, &q, lens, n_polys))
        return -1;
    uint32_t rc;
    uint64_t b = layout_bytes(&c, &rc);
    zki_pcs_commitment_free(&c);
    return b > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)b;
}

zki_status zki_pcs_shape_init(zki_pcs_commitment *c, const zki_pcs_params *p,
                              const uint64_t *lens, uint32_t n_polys)
{
    memset(c, 0, sizeof *c);
    zki_status st = check_params(p);
    if (st)
        return st;
    if (n_polys < 1 || n_polys > ZKI_PCS_MAX_POLYS)
        return zki_fail(ZKI_ERR_INPUT, "pcs: %u tables (need 1 .. %u)", n_polys,
                        ZKI_PCS_MAX_POLYS);
    c->params = *p;
    c->params.seed = NULL;
    if (!p->hiding) {
        c->params.open_budget = 0;
        c->params.col_budget = 0;
        c->params.max_points = 0;
    }
    c->lens = malloc(n_polys * sizeof *c->lens);
    c->nvars = malloc(n_polys * sizeof *c->nvars);
    c->row_off = malloc(n_polys * sizeof *c->row_off);
    if (!c->lens || !c->nvars || !c->row_off) {
        zki_pcs_commitment_free(c);
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for %u tables", n_polys);
    }
    c->n_polys = n_polys;
    uint32_t max_nv = 0;
    for (uint32_t i = 0; i < n_polys; i++) {
        if (lens[i] < 1 || lens[i] > ((uint64_t)1 << ZKI_PCS_MAX_LOG_LEN)) {
            zki_pcs_commitment_free(c);
            return zki_fail(ZKI_ERR_INPUT, "pcs: table %u has length %llu (need 1 .. 2^%u)", i,
                            (unsigned long long)lens[i], ZKI_PCS_MAX_LOG_LEN);
        }
        c->lens[i] = lens[i];
        c->nvars[i] = log2_ceil_u64(lens[i]);
        if (c->nvars[i] > max_nv)
            max_nv = c->nvars[i];
    }
    zki_pcs_shape *s = &c->shape;
    /* the width (automatic: 0) and row mode with the fewest opening bytes;
     * ties to the narrower width and to sending the row */
    uint32_t lo_lc = p->log_cols, hi_lc = p->log_cols;
    if (!p->log_cols) {
        uint32_t cap = p->max_log_cols ? p->max_log_cols : 20;
        hi_lc = max_nv < cap ? max_nv : cap;
        lo_lc = hi_lc ? 1 : 0;
    }
    uint32_t lc = lo_lc, rc = 0;
    uint64_t best = UINT64_MAX;
    for (uint32_t k = lo_lc; k <= hi_lc; k++) {
        shape_at(c, p, k);
        uint32_t k_rc;
        uint64_t bytes = layout_bytes(c, &k_rc);
        if (k == lo_lc || bytes < best) {
            best = bytes;
            lc = k;
            rc = k_rc;
        }
    }
    shape_at(c, p, lc);
    s->row_commit = rc;
    if (s->rows > ((uint64_t)1 << 32)) {
        zki_pcs_commitment_free(c);
        return zki_fail(ZKI_ERR_INPUT, "pcs: %llu rows exceed 2^32",
                        (unsigned long long)s->rows);
    }
    if (s->log_d > ZKI_PCS_MAX_LOG_D) {
        zki_pcs_commitment_free(c);
        return zki_fail(ZKI_ERR_INPUT, "pcs: code length 2^%u too large (max 2^%u)%s", s->log_d,
                        ZKI_PCS_MAX_LOG_D,
                        zki_pcs_col_openings(p) > 1 ? ": the hiding pad covers too many openings" : "");
    }
    if (s->pad < (uint64_t)zki_pcs_col_openings(p) * s->queries) {
        zki_pcs_commitment_free(c);
        return zki_fail(ZKI_ERR_INPUT, "pcs: a pad of %llu does not cover %u openings of %u columns",
                        (unsigned long long)s->pad, zki_pcs_col_openings(p), s->queries);
    }
    return ZKI_OK;
}

uint32_t zki_pcs_grind_bits(const zki_pcs_commitment *const *commits, uint32_t n_commits)
{
    uint32_t g = 0;
    for (uint32_t c = 0; c < n_commits; c++)
        if (commits[c]->params.grind_bits > g)
            g = commits[c]->params.grind_bits;
    return g;
}

zki_status zki_pcs_commitment_expect(const zki_pcs_commitment *c, const zki_pcs_params *want,
                                     const uint64_t *lens, uint32_t n_polys, zki_status code,
                                     const char *what)
{
    /* The shape (code length, queries, rows) follows from the parameters
     * and lengths; comparing those first names the field a prover chose. */
    const zki_pcs_params *g = &c->params;
    int hid = want->hiding != 0;
    const struct {
        const char *name;
        uint32_t got, want;
    } f[] = {
        {"hiding", g->hiding, want->hiding},
        {"rate_log", g->rate_log, want->rate_log},
        {"log_cols", g->log_cols, want->log_cols},
        {"security_bits", g->security_bits, want->security_bits},
        {"open_budget", g->open_budget, hid ? want->open_budget : 0},
        {"col_budget", g->col_budget, hid ? want->col_budget : 0},
        {"max_points", g->max_points, hid ? want->max_points : 0},
        {"grind_bits", g->grind_bits, want->grind_bits},
        {"row_commit", g->row_commit, want->row_commit},
        {"max_log_cols", g->max_log_cols, want->max_log_cols},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (f[i].got != f[i].want)
            return zki_fail(code, "%s: PCS parameter %s is %u, the key fixes %u", what, f[i].name,
                            f[i].got, f[i].want);
    if (c->n_polys != n_polys)
        return zki_fail(code, "%s: %u committed tables, the key fixes %u", what, c->n_polys,
                        n_polys);
    for (uint32_t i = 0; i < n_polys; i++)
        if (c->lens[i] != lens[i])
            return zki_fail(code, "%s: table %u has %llu entries, the key fixes %llu", what, i,
                            (unsigned long long)c->lens[i], (unsigned long long)lens[i]);
    zki_pcs_commitment e;
    zki_status st = zki_pcs_shape_init(&e, want, lens, n_polys);
    if (st) {
        char why[256]; /* zki_fail must not read its own buffer */
        snprintf(why, sizeof why, "%s", zki_last_error());
        return zki_fail(code, "%s: the key's PCS parameters are invalid: %s", what, why);
    }
    const zki_pcs_shape *a = &c->shape, *b = &e.shape;
    int same = a->log_cols == b->log_cols && a->cols == b->cols && a->pad == b->pad &&
               a->row_len == b->row_len && a->log_d == b->log_d && a->d == b->d &&
               a->queries == b->queries && a->data_rows == b->data_rows &&
               a->mask_rows == b->mask_rows && a->rows == b->rows &&
               a->max_points == b->max_points && a->row_commit == b->row_commit;
    for (uint32_t i = 0; same && i < n_polys; i++)
        same = c->nvars[i] == e.nvars[i] && c->row_off[i] == e.row_off[i];
    zki_pcs_commitment_free(&e);
    return same ? ZKI_OK
                : zki_fail(code, "%s: the commitment's layout is not the one its parameters derive",
                           what);
}
