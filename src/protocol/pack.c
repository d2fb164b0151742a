#include "protocol/pack.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "ops/matmul.h"
#include "poly/mle.h"

void zki_pack_free(zki_pack *p)
{
    free(p->nv);
    free(p->off);
    memset(p, 0, sizeof(*p));
}

zki_status zki_pack_init(zki_pack *p, const size_t *nv, uint32_t n)
{
    memset(p, 0, sizeof(*p));
    p->nv = malloc(sizeof(size_t) * (n ? n : 1));
    p->off = malloc(sizeof(uint64_t) * (n ? n : 1));
    uint32_t *ord = malloc(sizeof(uint32_t) * (n ? n : 1));
    if (!p->nv || !p->off || !ord) {
        free(ord);
        zki_pack_free(p);
        return zki_fail(ZKI_ERR_NOMEM, "pack");
    }
    p->n_seg = n;
    for (uint32_t i = 0; i < n; i++) {
        if (nv[i] > 40) {
            free(ord);
            zki_pack_free(p);
            return zki_fail(ZKI_ERR_INPUT, "pack: segment of 2^%zu entries", nv[i]);
        }
        p->nv[i] = nv[i];
        ord[i] = i;
    }
    /* stable insertion sort by decreasing size: offsets stay aligned */
    for (uint32_t i = 1; i < n; i++)
        for (uint32_t j = i; j > 0 && nv[ord[j]] > nv[ord[j - 1]]; j--) {
            uint32_t t = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = t;
        }
    uint64_t o = 0;
    for (uint32_t i = 0; i < n; i++) {
        p->off[ord[i]] = o;
        o += (uint64_t)1 << nv[ord[i]];
    }
    free(ord);
    p->total = o;
    p->nvars = zki_log2_ceil(o);
    return ZKI_OK;
}

void zki_pack_point(const zki_pack *p, uint32_t seg, const zki_ext *pt, zki_ext *out)
{
    size_t nv = p->nv[seg];
    memcpy(out, pt, sizeof(zki_ext) * nv);
    uint64_t blk = p->off[seg] >> nv;
    for (size_t i = nv; i < p->nvars; i++)
        out[i] = zki_ext_from_fe((blk >> (i - nv)) & 1);
}

void zki_colred_proof_free(zki_colred_proof *p)
{
    if (!p)
        return;
    free(p->msgs);
    free(p->vals);
    memset(p, 0, sizeof(*p));
}

static zki_fe big_at(const zki_big_table *t, uint64_t i)
{
    if (i >= t->len)
        return 0;
    switch (t->type) {
    case ZKI_PCS_I8: return zki_fe_from_i64(((const int8_t *)t->data)[i]);
    case ZKI_PCS_I16: return zki_fe_from_i64(((const int16_t *)t->data)[i]);
    case ZKI_PCS_I32: return zki_fe_from_i64(((const int32_t *)t->data)[i]);
    default: return ((const zki_fe *)t->data)[i];
    }
}

/* F(x) = a big(x, p_hi) for x < 2^lc: only the rows of the segment have
 * non-zero eq weight (nv >= lc). */
static zki_status fold_claim(const zki_pack *pk, const zki_big_table *t, size_t lc, uint32_t seg,
                             const zki_ext *pt, zki_ext a, zki_ext *F)
{
    uint64_t C = (uint64_t)1 << lc;
    size_t f = pk->nv[seg] - lc;
    uint64_t nrows = (uint64_t)1 << f, r0 = pk->off[seg] >> lc;
    zki_ext *eq = malloc(sizeof(zki_ext) * nrows);
    if (!eq)
        return zki_fail(ZKI_ERR_NOMEM, "colred: eq of 2^%zu", f);
    zki_eq_table_scaled(eq, pt + lc, f, a);
    if (t->type == ZKI_PCS_I8) {
        zki_fold_rows_i8(F, (const int8_t *)t->data + r0 * C, nrows, C, C, lc, eq);
    } else if (t->type == ZKI_PCS_I16) {
        zki_fold_rows_i16(F, (const int16_t *)t->data + r0 * C, nrows, C, C, lc, eq);
    } else if (t->type == ZKI_PCS_I32) {
        zki_fold_rows_i32(F, (const int32_t *)t->data + r0 * C, nrows, C, C, lc, eq);
    } else {
        zki_ext_acc *acc = malloc(sizeof(zki_ext_acc) * C);
        if (!acc) {
            free(eq);
            return zki_fail(ZKI_ERR_NOMEM, "colred: accumulators");
        }
        for (uint64_t x = 0; x < C; x++)
            zki_ext_acc_zero(&acc[x]);
        for (uint64_t r = 0; r < nrows; r++)
            for (uint64_t x = 0; x < C; x++)
                zki_ext_acc_mac_fe(&acc[x], big_at(t, (r0 + r) * C + x), eq[r]);
        for (uint64_t x = 0; x < C; x++)
            F[x] = zki_ext_acc_reduce(&acc[x]);
        free(acc);
    }
    free(eq);
    return ZKI_OK;
}

static void absorb_claims(zki_transcript *ts, const zki_pack *pk, const uint32_t *seg,
                          const zki_ext *vals, size_t k)
{
    zki_ts_absorb_u64(ts, "colred.k", k);
    zki_ts_absorb_u64(ts, "colred.nvars", pk->nvars);
    for (size_t j = 0; j < k; j++) {
        zki_ts_absorb_u64(ts, "colred.seg", seg[j]);
        /* a zero-knowledge proof has bound the values already */
        if (!ts->zk)
            zki_ts_absorb_ext(ts, "colred.v", vals[j]);
    }
}

/* Sends (prover) n private values as the plain proof's one vector absorb,
 * or padded one by one (zero knowledge); v is replaced by what the proof
 * keeps. */
static void send_vec(zki_transcript *ts, const char *label, zki_ext *v, size_t n)
{
    if (!ts->zk) {
        zki_ts_absorb_ext_vec(ts, label, v, n);
        return;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = zki_zk_send(ts, label, v[i]);
}

/* The verifier's side of send_vec. */
static void recv_vec(zki_transcript *ts, const char *label, const zki_ext *v, size_t n, zki_pv *out)
{
    if (!ts->zk)
        zki_ts_absorb_ext_vec(ts, label, v, n);
    for (size_t i = 0; i < n; i++)
        out[i] = ts->zk ? zki_zk_recv(ts, label, v[i]) : zki_pv_pub(v[i]);
}

/* The column reduction's prover works on GROUPS of claims, each one pair
 * of 2^lc tables (E, F) with sum_j E_j F_j = E_g F_g:
 *  - claims on segments inside one row (nv_j < lc) share F = that row:
 *    one group per row, E = sum of their alpha_j eq(low point_j), built on
 *    the segment's positions only; every such claim's value is F(rho);
 *  - claims on segments spanning rows (nv_j >= lc) with the same low point
 *    (e.g. the kernel-position slices of one conv layer) share E = eq(low
 *    point): F = sum alpha_j F_j; a value F_j(rho) is F(rho) / alpha_j when
 *    the group has one claim, else <F_j, eq(rho)> from a second fold.
 * Memory: a spanning group's F (its E = eq(low point) is rebuilt each
 * round), a row group's E and F folded once (round 0 builds them in the
 * threads' buffers, twice): about groups x 2^lc pairs, not claims x 2^lc. */
static int same_low(const zki_ext *a, const zki_ext *b, size_t lc)
{
    return !memcmp(a, b, sizeof(zki_ext) * lc);
}

/* Inner loops over a 2^lc row run in parallel from this length. */
#define PAR_MIN ((uint64_t)1 << 12)

/* Whether claim j's value needs the table's rows at rho (claim_values). */
static int needs_rows(const zki_pack *pk, size_t lc, const uint32_t *seg, const zki_ext *alpha,
                      const size_t *grp, const size_t *gsize, size_t j)
{
    return pk->nv[seg[j]] >= lc && (gsize[grp[j]] != 1 || zki_ext_is_zero(alpha[j]));
}

/* F_j(rho) for each claim j: F's entry for a row's claims (one row) and
 * for a group of one, else eq(p_hi,j) over the segment's rows of G, the
 * table's rows at rho (one pass over the table for all such claims). */
static zki_status claim_values(const zki_pack *pk, size_t lc, const uint32_t *seg, const zki_ext *fulls,
                               size_t n, const zki_ext *alpha, const size_t *grp, const size_t *gsize,
                               const zki_ext *fin, const zki_ext *G, size_t k, zki_ext *vals)
{
    size_t maxf = 0;
    for (size_t j = 0; j < k; j++)
        if (pk->nv[seg[j]] > lc + maxf)
            maxf = pk->nv[seg[j]] - lc;
    zki_ext *eq = malloc(sizeof(zki_ext) << maxf);
    if (!eq)
        return zki_fail(ZKI_ERR_NOMEM, "colred: eq of 2^%zu", maxf);
    for (size_t j = 0; j < k; j++) {
        zki_ext Fg = fin[grp[j]];
        size_t nv = pk->nv[seg[j]];
        if (nv < lc) {
            vals[j] = Fg;
        } else if (!needs_rows(pk, lc, seg, alpha, grp, gsize, j)) {
            vals[j] = zki_ext_mul(Fg, zki_ext_inv(alpha[j]));
        } else {
            uint64_t nrows = (uint64_t)1 << (nv - lc), r0 = pk->off[seg[j]] >> lc;
            zki_eq_table(eq, fulls + j * (n + 1) + lc, nv - lc);
            zki_ext_acc a;
            zki_ext_acc_zero(&a);
            for (uint64_t r = 0; r < nrows; r++)
                zki_ext_acc_mac(&a, eq[r], G[r0 + r]);
            vals[j] = zki_ext_acc_reduce(&a);
        }
    }
    free(eq);
    return ZKI_OK;
}

/* Round i's two sums of one group, sum_x E(x) F(x) at 0 and at 2 (x the
 * remaining lc - i variables, F folded to 2 half entries): from the stored
 * E of a row group, or for a spanning group from E = c eq(p_(i..lc)) =
 * c eq(p_i, x_0) eq(p_(i+1..lc), x_rest), whose table of 2^(lc-i-1)
 * entries is rebuilt in the thread's buffer *eqr (allocated at the
 * thread's first group, of round i's size: the largest it needs). 1: out
 * of memory. */
static int round_sums(const zki_ext *e, const zki_ext *f, uint64_t half, const zki_ext *p, size_t i, size_t lc,
                       zki_ext c, zki_ext **eqr, zki_ext out[2])
{
    zki_ext_acc s0, s2;
    zki_ext_acc_zero(&s0);
    zki_ext_acc_zero(&s2);
    if (e) {
        for (uint64_t x = 0; x < half; x++) {
            zki_ext e0 = e[2 * x], e1 = e[2 * x + 1], f0 = f[2 * x], f1 = f[2 * x + 1];
            zki_ext_acc_mac(&s0, e0, f0);
            /* value at 2: 2*v1 - v0 */
            zki_ext e2 = zki_ext_sub(zki_ext_add(e1, e1), e0), f2 = zki_ext_sub(zki_ext_add(f1, f1), f0);
            zki_ext_acc_mac(&s2, e2, f2);
        }
        out[0] = zki_ext_acc_reduce(&s0);
        out[1] = zki_ext_acc_reduce(&s2);
        return 0;
    }
    if (!*eqr && !(*eqr = malloc(sizeof(zki_ext) * (half ? half : 1))))
        return 1;
    zki_eq_table(*eqr, p + i + 1, lc - i - 1);
    for (uint64_t x = 0; x < half; x++) {
        zki_ext f0 = f[2 * x], f1 = f[2 * x + 1];
        zki_ext_acc_mac(&s0, (*eqr)[x], f0);
        zki_ext_acc_mac(&s2, (*eqr)[x], zki_ext_sub(zki_ext_add(f1, f1), f0));
    }
    /* E(0, x) = c (1 - p_i) eq(x), E(2, x) = c (3 p_i - 1) eq(x) */
    zki_ext pi = p[i], one = zki_ext_one();
    zki_ext three_pi = zki_ext_add(zki_ext_add(pi, pi), pi);
    out[0] = zki_ext_mul(zki_ext_mul(c, zki_ext_sub(one, pi)), zki_ext_acc_reduce(&s0));
    out[1] = zki_ext_mul(zki_ext_mul(c, zki_ext_sub(three_pi, one)), zki_ext_acc_reduce(&s2));
    return 0;
}

/* Whether the group whose first claim is `first` is a row group (its
 * claims on segments inside one row), else a spanning one. */
static int row_group(const zki_pack *pk, const uint32_t *seg, size_t first, size_t lc)
{
    return pk->nv[seg[first]] < lc;
}

/* What a row group's tables are built from (zki_colred_prove's state). */
typedef struct {
    const zki_pack *pk;
    const zki_big_table *t;
    size_t lc, n;
    const uint32_t *seg;
    const zki_ext *fulls, *alpha;
    const size_t *glist, *gstart; /* group g's claims: glist[gstart[g] .. gstart[g + 1]) */
} colred_ctx;

/* A thread's buffers for a row group's tables, allocated at its first. */
typedef struct {
    zki_ext *e, *f, *tmp;
} row_bufs;

static void row_bufs_free(row_bufs *b)
{
    free(b->e);
    free(b->f);
    free(b->tmp);
}

/* Row group g's tables (2^lc each) in b: E = sum of its claims' alpha_j
 * eq(point_j) on their segments' positions of the row, F = the row (its
 * claims are all on segments inside that row). 0: out of memory. */
static int row_group_tables(const colred_ctx *c, size_t g, row_bufs *b)
{
    uint64_t C = (uint64_t)1 << c->lc;
    if (!b->e)
        b->e = malloc(sizeof(zki_ext) * C);
    if (!b->f)
        b->f = malloc(sizeof(zki_ext) * C);
    if (!b->tmp)
        b->tmp = malloc(sizeof(zki_ext) * (C / 2 ? C / 2 : 1));
    if (!b->e || !b->f || !b->tmp)
        return 0;
    const size_t *list = c->glist + c->gstart[g], m = c->gstart[g + 1] - c->gstart[g];
    uint64_t r0 = (c->pk->off[c->seg[list[0]]] >> c->lc) * C;
    for (uint64_t x = 0; x < C; x++) {
        b->e[x] = zki_ext_zero();
        b->f[x] = zki_ext_from_fe(big_at(c->t, r0 + x));
    }
    for (size_t q = 0; q < m; q++) {
        size_t j = list[q], nv = c->pk->nv[c->seg[j]];
        uint64_t at = c->pk->off[c->seg[j]] & (C - 1), len = (uint64_t)1 << nv;
        zki_eq_table_scaled(b->tmp, c->fulls + j * (c->n + 1), nv, c->alpha[j]);
        for (uint64_t x = 0; x < len; x++)
            b->e[at + x] = zki_ext_add(b->e[at + x], b->tmp[x]);
    }
    return 1;
}

zki_status zki_colred_prove(const zki_pack *pk, const zki_big_table *t, size_t lc, const uint32_t *seg,
                            const zki_ext *const *pts, const zki_ext *vals, size_t k,
                            zki_transcript *ts, zki_colred_proof *pf, zki_ext **outp, zki_ext **row_table,
                            zki_ext *vals_out)
{
    memset(pf, 0, sizeof(*pf));
    if (row_table)
        *row_table = NULL;
    size_t n = pk->nvars;
    if (lc > n)
        return zki_fail(ZKI_ERR_INPUT, "colred: %zu low variables of %zu", lc, n);
    uint64_t C = (uint64_t)1 << lc;
    size_t kk = k ? k : 1, ng = 0;
    size_t *grp = malloc(sizeof(size_t) * kk), *gsize = calloc(kk, sizeof(size_t));
    size_t *gfirst = malloc(sizeof(size_t) * kk);
    zki_ext *alpha = malloc(sizeof(zki_ext) * kk), *full = malloc(sizeof(zki_ext) * (n + 1));
    zki_ext *fulls = malloc(sizeof(zki_ext) * kk * (n + 1));
    zki_ext *rho = malloc(sizeof(zki_ext) * (lc + 1)), *E = NULL, *F = NULL, *G = NULL, *tmp = NULL;
    pf->msgs = malloc(sizeof(zki_ext) * (2 * lc + 1));
    pf->vals = malloc(sizeof(zki_ext) * kk);
    zki_ext *part = NULL, *cg = NULL, *Fr = NULL, *fin = NULL;
    size_t *eix = NULL, *glist = NULL, *gstart = NULL;
    int oom = 0;
    zki_status st = ZKI_OK;
    if (!grp || !gsize || !gfirst || !alpha || !full || !fulls || !rho || !pf->msgs || !pf->vals) {
        st = zki_fail(ZKI_ERR_NOMEM, "colred: %zu claims", k);
        goto out;
    }
    pf->lc = lc;
    pf->k = k;
    absorb_claims(ts, pk, seg, vals, k);
    zki_ts_challenge_ext_vec(ts, "colred.alpha", alpha, k);
    /* groups, in order of first appearance (deterministic) */
    for (size_t j = 0; j < k; j++) {
        zki_ext *fj = fulls + j * (n + 1);
        zki_pack_point(pk, seg[j], pts[j], fj);
        int small = pk->nv[seg[j]] < lc;
        size_t g = ng;
        for (size_t h = 0; h < ng; h++) {
            size_t f0 = gfirst[h];
            int small0 = pk->nv[seg[f0]] < lc;
            if (small != small0)
                continue;
            if (small ? (pk->off[seg[f0]] >> lc) == (pk->off[seg[j]] >> lc)
                      : same_low(fulls + f0 * (n + 1), fj, lc)) {
                g = h;
                break;
            }
        }
        if (g == ng)
            gfirst[ng++] = j;
        grp[j] = g;
        gsize[g]++;
    }
    /* A spanning group's F (2^lc) is stored, its E = eq(low point) rebuilt
     * each round; a row group's E and F are built in the threads' buffers
     * for round 0 and again after it, and only their folded halves are
     * stored (GPT-2's advice at rows of 2^18: 235 row groups) */
    size_t n_row = 0, n_span = 0, half0 = C >> 1;
    eix = malloc(sizeof(size_t) * (ng ? ng : 1));
    cg = malloc(sizeof(zki_ext) * (ng ? ng : 1));
    glist = malloc(sizeof(size_t) * kk);
    gstart = calloc(ng + 1, sizeof(size_t));
    for (size_t g = 0; eix && g < ng; g++)
        eix[g] = row_group(pk, seg, gfirst[g], lc) ? n_row++ : n_span++;
    F = calloc((n_span ? n_span : 1) * C, sizeof(zki_ext));
    E = malloc(sizeof(zki_ext) * (n_row ? n_row : 1) * (half0 ? half0 : 1));
    Fr = malloc(sizeof(zki_ext) * (n_row ? n_row : 1) * (half0 ? half0 : 1));
    part = malloc(sizeof(zki_ext) * 2 * (ng ? ng : 1));
    fin = malloc(sizeof(zki_ext) * (ng ? ng : 1));
    tmp = malloc(sizeof(zki_ext) * C);
    if (!eix || !cg || !glist || !gstart || !E || !F || !Fr || !part || !fin || !tmp) {
        st = zki_fail(ZKI_ERR_NOMEM, "colred: %zu groups of 2^%zu", ng, lc);
        goto out;
    }
    /* each group's claims, in claim order */
    for (size_t j = 0; j < k; j++)
        gstart[grp[j] + 1]++;
    for (size_t g = 0; g < ng; g++)
        gstart[g + 1] += gstart[g];
    {
        size_t *at = malloc(sizeof(size_t) * (ng ? ng : 1));
        if (!at) {
            st = zki_fail(ZKI_ERR_NOMEM, "colred: groups");
            goto out;
        }
        memcpy(at, gstart, sizeof(size_t) * (ng ? ng : 1));
        for (size_t j = 0; j < k; j++)
            glist[at[grp[j]]++] = j;
        free(at);
    }
    for (size_t g = 0; g < ng; g++)
        cg[g] = zki_ext_one();
    const colred_ctx ctx = {pk, t, lc, n, seg, fulls, alpha, glist, gstart};
    /* the spanning groups' F = sum of alpha_j F_j */
    for (size_t g = 0; g < ng; g++) {
        if (row_group(pk, seg, gfirst[g], lc))
            continue;
        zki_ext *f = F + eix[g] * C;
        for (size_t q = gstart[g]; q < gstart[g + 1]; q++) {
            size_t j = glist[q];
            const zki_ext *fj = fulls + j * (n + 1);
            if ((st = fold_claim(pk, t, lc, seg[j], fj, alpha[j], q == gstart[g] ? f : tmp)))
                goto out;
            if (q != gstart[g]) {
#pragma omp parallel for schedule(static) if (C >= PAR_MIN)
                for (uint64_t x = 0; x < C; x++)
                    f[x] = zki_ext_add(f[x], tmp[x]);
            }
        }
    }
    for (size_t i = 0; i < lc; i++) {
        uint64_t half = (C >> i) >> 1;
        /* per-group sums, added in group order (field sums are exact:
         * identical for any thread count) */
#pragma omp parallel if (ng * half >= 4096)
        {
            zki_ext *eqr = NULL; /* this thread's eq of a spanning group */
            row_bufs rb = {NULL, NULL, NULL};
#pragma omp for schedule(dynamic, 1)
            for (size_t g = 0; g < ng; g++) {
                int row = row_group(pk, seg, gfirst[g], lc), bad = 0;
                const zki_ext *e = NULL, *f;
                if (row && i == 0) {
                    bad = !row_group_tables(&ctx, g, &rb);
                    e = rb.e, f = rb.f;
                } else if (row) {
                    e = E + eix[g] * half0, f = Fr + eix[g] * half0;
                } else {
                    f = F + eix[g] * C;
                }
                if (bad || round_sums(row ? e : NULL, f, half, fulls + gfirst[g] * (n + 1), i, lc, cg[g], &eqr,
                                      part + 2 * g)) {
#pragma omp atomic write
                    oom = 1;
                }
            }
            free(eqr);
            row_bufs_free(&rb);
        }
        if (oom) {
            st = zki_fail(ZKI_ERR_NOMEM, "colred: round tables of 2^%zu", lc - i);
            goto out;
        }
        zki_ext s0 = zki_ext_zero(), s2 = zki_ext_zero();
        for (size_t g = 0; g < ng; g++) {
            s0 = zki_ext_add(s0, part[2 * g]);
            s2 = zki_ext_add(s2, part[2 * g + 1]);
        }
        pf->msgs[2 * i] = s0;
        pf->msgs[2 * i + 1] = s2;
        send_vec(ts, "colred.round", pf->msgs + 2 * i, 2);
        rho[i] = zki_ts_challenge_ext(ts, "colred.r");
        zki_ext ri = rho[i];
#pragma omp parallel if (ng * half >= 4096)
        {
            row_bufs rb = {NULL, NULL, NULL};
#pragma omp for schedule(dynamic, 1)
            for (size_t g = 0; g < ng; g++) {
                int row = row_group(pk, seg, gfirst[g], lc);
                zki_ext *f = row ? Fr + eix[g] * half0 : F + eix[g] * C, *e = row ? E + eix[g] * half0 : NULL;
                const zki_ext *e_in = e, *f_in = f;
                if (row && i == 0) { /* the tables again, folded into the stored halves */
                    if (!row_group_tables(&ctx, g, &rb)) {
#pragma omp atomic write
                        oom = 1;
                        continue;
                    }
                    e_in = rb.e, f_in = rb.f;
                }
                for (uint64_t x = 0; x < half; x++)
                    f[x] = zki_ext_add(f_in[2 * x], zki_ext_mul(ri, zki_ext_sub(f_in[2 * x + 1], f_in[2 * x])));
                if (row) {
                    for (uint64_t x = 0; x < half; x++)
                        e[x] = zki_ext_add(e_in[2 * x], zki_ext_mul(ri, zki_ext_sub(e_in[2 * x + 1], e_in[2 * x])));
                } else {
                    cg[g] = zki_ext_mul(cg[g], zki_eq_eval(fulls + gfirst[g] * (n + 1) + i, &ri, 1));
                }
            }
            row_bufs_free(&rb);
        }
        if (oom) {
            st = zki_fail(ZKI_ERR_NOMEM, "colred: round tables of 2^%zu", lc - i);
            goto out;
        }
    }
    for (size_t g = 0; g < ng; g++)
        fin[g] = row_group(pk, seg, gfirst[g], lc) ? Fr[eix[g] * half0] : F[eix[g] * C];
    /* each claim's F_j(rho), from the rows at rho when it shares its
     * group's F; the caller's row reduction reuses them (a pass over the
     * table, made only when one of them reads it) */
    int rows = row_table != NULL;
    for (size_t j = 0; j < k && !rows; j++)
        rows = needs_rows(pk, lc, seg, alpha, grp, gsize, j);
    if (rows && (st = zki_pack_row_table(t, n, lc, rho, &G)))
        goto out;
    if ((st = claim_values(pk, lc, seg, fulls, n, alpha, grp, gsize, fin, G, k, pf->vals)))
        goto out;
    if (k)
        memcpy(vals_out, pf->vals, sizeof(zki_ext) * k);
    send_vec(ts, "colred.vals", pf->vals, k);
    for (size_t j = 0; j < k; j++) {
        outp[j] = malloc(sizeof(zki_ext) * (n + 1));
        if (!outp[j]) {
            st = zki_fail(ZKI_ERR_NOMEM, "colred: points");
            goto out;
        }
        memcpy(outp[j], fulls + j * (n + 1), sizeof(zki_ext) * n);
        memcpy(outp[j], rho, sizeof(zki_ext) * lc);
    }
    if (row_table) {
        *row_table = G;
        G = NULL;
    }
out:
    free(G);
    free(part);
    free(cg);
    free(eix);
    free(glist);
    free(gstart);
    free(Fr);
    free(fin);
    free(E);
    free(F);
    free(tmp);
    free(grp);
    free(gsize);
    free(gfirst);
    free(alpha);
    free(full);
    free(fulls);
    free(rho);
    if (st)
        zki_colred_proof_free(pf);
    return st;
}

zki_status zki_colred_verify(const zki_pack *pk, size_t lc, const uint32_t *seg, const zki_ext *const *pts,
                             const zki_pv *vals, size_t k, const zki_colred_proof *pf,
                             zki_transcript *ts, zki_ext **outp, zki_pv *vals_out)
{
    size_t n = pk->nvars;
    if (lc > n || pf->lc != lc || pf->k != k || (lc && !pf->msgs) || (k && !pf->vals))
        return zki_fail(ZKI_ERR_VERIFY, "colred: proof shape (%zu rounds, %zu values) is not (%zu, %zu)",
                        pf->lc, pf->k, lc, k);
    size_t kk = k ? k : 1;
    zki_ext *alpha = malloc(sizeof(zki_ext) * kk), *full = malloc(sizeof(zki_ext) * (n + 1));
    zki_ext *rho = malloc(sizeof(zki_ext) * (lc + 1)), *vc = calloc(kk, sizeof(zki_ext));
    zki_ext *wk = malloc(sizeof(zki_ext) * kk);
    zki_status st = ZKI_OK;
    zki_zk *z = ts->zk;
    if (!alpha || !full || !rho || !vc || !wk) {
        st = zki_fail(ZKI_ERR_NOMEM, "colred verify");
        goto out;
    }
    for (size_t j = 0; j < k; j++)
        vc[j] = vals[j].c;
    absorb_claims(ts, pk, seg, vc, k);
    zki_ts_challenge_ext_vec(ts, "colred.alpha", alpha, k);
    zki_pv claim = zki_pv_lin(z, k, alpha, vals), rv[3];
    zki_ext w[3];
    for (size_t i = 0; i < lc; i++) {
        recv_vec(ts, "colred.round", pf->msgs + 2 * i, 2, rv + 1);
        rho[i] = zki_ts_challenge_ext(ts, "colred.r");
        zki_sc_next_weights(2, rho[i], w);
        rv[0] = claim;
        claim = zki_pv_lin(z, 3, w, rv);
    }
    recv_vec(ts, "colred.vals", pf->vals, k, vals_out);
    for (size_t j = 0; j < k; j++) {
        zki_pack_point(pk, seg[j], pts[j], full);
        wk[j] = zki_ext_mul(alpha[j], zki_eq_eval(full, rho, lc));
    }
    if (zki_pv_assert_eq(z, zki_pv_lin(z, k, wk, vals_out), claim, "colred: the last round against the values")) {
        st = zki_fail(ZKI_ERR_VERIFY, "colred: the last round does not match the values");
        goto out;
    }
    for (size_t j = 0; j < k; j++) {
        outp[j] = malloc(sizeof(zki_ext) * (n + 1));
        if (!outp[j]) {
            st = zki_fail(ZKI_ERR_NOMEM, "colred: points");
            goto out;
        }
        zki_pack_point(pk, seg[j], pts[j], outp[j]);
        memcpy(outp[j], rho, sizeof(zki_ext) * lc);
    }
out:
    free(alpha);
    free(full);
    free(rho);
    free(vc);
    free(wk);
    return st;
}

zki_status zki_seg_claims_add(zki_seg_claims *c, uint32_t seg, const zki_ext *pt, zki_ext val)
{
    return zki_seg_claims_add_pv(c, seg, pt, zki_pv_pub(val));
}

zki_status zki_seg_claims_add_pv(zki_seg_claims *c, uint32_t seg, const zki_ext *pt, zki_pv val)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        uint32_t *s = realloc(c->seg, sizeof(uint32_t) * cap);
        if (s)
            c->seg = s;
        const zki_ext **p = realloc(c->pt, sizeof(zki_ext *) * cap);
        if (p)
            c->pt = p;
        zki_ext *v = realloc(c->val, sizeof(zki_ext) * cap);
        if (v)
            c->val = v;
        uint32_t *f = realloc(c->form, sizeof(uint32_t) * cap);
        if (f)
            c->form = f;
        if (!s || !p || !v || !f)
            return zki_fail(ZKI_ERR_NOMEM, "claims list");
        c->cap = cap;
    }
    c->seg[c->n] = seg;
    c->pt[c->n] = pt;
    c->form[c->n] = val.f;
    c->val[c->n++] = val.c;
    return ZKI_OK;
}

void zki_seg_claims_free(zki_seg_claims *c)
{
    free(c->seg);
    free(c->pt);
    free(c->val);
    free(c->form);
    memset(c, 0, sizeof(*c));
}

zki_status zki_pack_row_table(const zki_big_table *t, size_t nvars, size_t lc, const zki_ext *rho,
                              zki_ext **Gp)
{
    uint64_t C = (uint64_t)1 << lc, R = (uint64_t)1 << (nvars - lc);
    zki_ext *G = malloc(sizeof(zki_ext) * R), *eq = malloc(sizeof(zki_ext) * C);
    if (!G || !eq) {
        free(G);
        free(eq);
        return zki_fail(ZKI_ERR_NOMEM, "pack: row table of 2^%zu", nvars - lc);
    }
    zki_eq_table(eq, rho, lc);
    int64_t nr = (int64_t)R;
#pragma omp parallel for schedule(static) if (R * C > 65536)
    for (int64_t r = 0; r < nr; r++) {
        zki_ext_acc a;
        zki_ext_acc_zero(&a);
        uint64_t base = (uint64_t)r * C;
        if (base < t->len) {
            uint64_t n = t->len - base < C ? t->len - base : C;
            if (t->type == ZKI_PCS_I8) {
                const int8_t *d = (const int8_t *)t->data + base;
                for (uint64_t x = 0; x < n; x++)
                    zki_ext_acc_mac_fe(&a, zki_fe_from_i64(d[x]), eq[x]);
            } else if (t->type == ZKI_PCS_I32) {
                const int32_t *d = (const int32_t *)t->data + base;
                for (uint64_t x = 0; x < n; x++)
                    zki_ext_acc_mac_fe(&a, zki_fe_from_i64(d[x]), eq[x]);
            } else {
                for (uint64_t x = 0; x < n; x++)
                    zki_ext_acc_mac_fe(&a, big_at(t, base + x), eq[x]);
            }
        }
        G[r] = zki_ext_acc_reduce(&a);
    }
    free(eq);
    *Gp = G;
    return ZKI_OK;
}

zki_status zki_pack_reduce_prove(const zki_pack *pk, const zki_big_table *t, const uint32_t *seg,
                                 const zki_ext *const *pts, const zki_ext *vals, size_t k,
                                 zki_transcript *ts, zki_claim_reduction_proof *pf, zki_ext *rho,
                                 zki_ext *value)
{
    memset(pf, 0, sizeof(*pf));
    size_t n = pk->nvars;
    uint64_t N = (uint64_t)1 << n;
    if (n > ZKI_PACK_DIRECT_MAX || n < 1)
        return zki_fail(ZKI_ERR_INPUT, "pack reduce: 2^%zu entries", n);
    zki_fe *big = malloc(sizeof(zki_fe) * N);
    zki_ext *g = calloc(N, sizeof(zki_ext)), *alpha = malloc(sizeof(zki_ext) * (k ? k : 1));
    zki_ext *eq = NULL;
    size_t maxnv = 0;
    for (size_t j = 0; j < k; j++)
        if (pk->nv[seg[j]] > maxnv)
            maxnv = pk->nv[seg[j]];
    eq = malloc(sizeof(zki_ext) << maxnv);
    zki_status st = ZKI_OK;
    if (!big || !g || !alpha || !eq) {
        st = zki_fail(ZKI_ERR_NOMEM, "pack reduce: 2^%zu entries", n);
        goto out;
    }
    absorb_claims(ts, pk, seg, vals, k);
    zki_ts_challenge_ext_vec(ts, "packred.alpha", alpha, k);
    for (uint64_t i = 0; i < N; i++)
        big[i] = big_at(t, i);
    zki_ext sum = zki_ext_zero();
    for (size_t j = 0; j < k; j++) {
        size_t nv = pk->nv[seg[j]];
        zki_eq_table_scaled(eq, pts[j], nv, alpha[j]);
        zki_ext *gs = g + pk->off[seg[j]];
        for (uint64_t i = 0; i < ((uint64_t)1 << nv); i++)
            gs[i] = zki_ext_add(gs[i], eq[i]);
        sum = zki_ext_add(sum, zki_ext_mul(alpha[j], vals[j]));
    }
    zki_sc_instance inst;
    memset(&inst, 0, sizeof(inst));
    inst.nvars = n;
    inst.n_tables = 2;
    inst.base[0] = big;
    inst.ext[1] = g;
    zki_ext ev[2];
    if ((st = zki_sumcheck_prove(&inst, sum, ts, &pf->sc, rho, ev)))
        goto out;
    pf->nvars = n;
    *value = ev[0];
    pf->f_at_rho = zki_zk_send(ts, "packred.value", ev[0]);
out:
    free(big);
    free(g);
    free(alpha);
    free(eq);
    return st;
}

zki_status zki_pack_reduce_verify(const zki_pack *pk, const uint32_t *seg, const zki_ext *const *pts,
                                  const zki_pv *vals, size_t k, const zki_claim_reduction_proof *pf,
                                  zki_transcript *ts, zki_ext *rho, zki_pv *value)
{
    size_t n = pk->nvars;
    if (pf->nvars != n || n < 1 || n > ZKI_PACK_DIRECT_MAX)
        return zki_fail(ZKI_ERR_VERIFY, "pack reduce: proof over %zu variables, want %zu", pf->nvars, n);
    size_t kk = k ? k : 1;
    zki_ext *alpha = malloc(sizeof(zki_ext) * kk), *full = malloc(sizeof(zki_ext) * (n + 1));
    zki_ext *vc = calloc(kk, sizeof(zki_ext));
    zki_status st = ZKI_OK;
    zki_zk *z = ts->zk;
    if (!alpha || !full || !vc) {
        st = zki_fail(ZKI_ERR_NOMEM, "pack reduce verify");
        goto out;
    }
    for (size_t j = 0; j < k; j++)
        vc[j] = vals[j].c;
    absorb_claims(ts, pk, seg, vc, k);
    zki_ts_challenge_ext_vec(ts, "packred.alpha", alpha, k);
    zki_pv sum = zki_pv_lin(z, k, alpha, vals), fin;
    if ((st = zki_sumcheck_verify_pv(n, 2, sum, &pf->sc, ts, rho, &fin))) {
        st = zki_fail_ctx(ZKI_ERR_VERIFY, "pack reduce");
        goto out;
    }
    zki_ext gv = zki_ext_zero();
    for (size_t j = 0; j < k; j++) {
        zki_pack_point(pk, seg[j], pts[j], full);
        gv = zki_ext_add(gv, zki_ext_mul(alpha[j], zki_eq_eval(full, rho, n)));
    }
    *value = zki_zk_recv(ts, "packred.value", pf->f_at_rho);
    if (zki_pv_assert_eq(z, fin, zki_pv_scale(z, *value, gv), "pack reduce: big(rho) * g(rho)"))
        st = zki_fail(ZKI_ERR_VERIFY, "pack reduce: final value is not big(rho) * g(rho)");
out:
    free(alpha);
    free(full);
    free(vc);
    return st;
}

int zki_pack_use_direct(const zki_pack *pk, size_t k, size_t lc)
{
    if (pk->nvars < 1 || pk->nvars > ZKI_PACK_DIRECT_MAX)
        return 0;
    return ((uint64_t)1 << pk->nvars) <= 4 * (uint64_t)k * ((uint64_t)1 << lc);
}
