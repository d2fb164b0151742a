/* Embedding lookup: the verifier's weights and the prover's sum-check
 * (ops/gather.h). */
#include "ops/gather.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "poly/mle.h"

void zki_gather_dims_init(zki_gather_dims *g, uint64_t T, uint64_t D, uint64_t V)
{
    g->T = T, g->D = D, g->V = V;
    g->ld = zki_log2_ceil(D), g->lv = zki_log2_ceil(V), g->lo = zki_log2_ceil(T * D);
}

/* S_t for every t (T entries, malloc'ed; NULL when out of memory). */
static zki_ext *token_weights(const zki_gather_dims *g, const zki_ext *r_o, const zki_ext *rho_d)
{
    zki_ext *S = malloc(sizeof(zki_ext) * g->T), *ed = malloc(sizeof(zki_ext) << g->ld);
    zki_eq_split eo = {NULL, NULL, 0};
    int ok = S && ed && zki_eq_split_init(&eo, r_o, g->lo);
    if (ok) {
        zki_eq_table(ed, rho_d, g->ld);
        for (uint64_t t = 0; t < g->T; t++) {
            zki_ext_acc a;
            zki_ext_acc_zero(&a);
            for (uint64_t d = 0; d < g->D; d++)
                zki_ext_acc_mac(&a, ed[d], zki_eq_split_at(&eo, t * g->D + d));
            S[t] = zki_ext_acc_reduce(&a);
        }
    }
    zki_eq_split_free(&eo);
    free(ed);
    if (!ok) {
        free(S);
        return NULL;
    }
    return S;
}

zki_status zki_gather_m_eval(const zki_gather_dims *g, const int64_t *ids, uint64_t stride, uint32_t B,
                             const zki_ext *r, const zki_ext *rho, zki_ext *out)
{
    size_t lb = zki_log2_ceil(B);
    zki_ext *S = token_weights(g, r, rho), *eb = malloc(sizeof(zki_ext) << lb), one_minus[64];
    const zki_ext *rv = rho + g->ld;
    if (!S || !eb || g->lv > 64) {
        free(S);
        free(eb);
        return zki_fail(ZKI_ERR_NOMEM, "gather: weights");
    }
    zki_eq_table(eb, r + g->lo, lb);
    for (size_t i = 0; i < g->lv; i++)
        one_minus[i] = zki_ext_sub(zki_ext_one(), rv[i]);
    zki_ext_acc a;
    zki_ext_acc_zero(&a);
    for (uint32_t b = 0; b < B; b++)
        for (uint64_t t = 0; t < g->T; t++) {
            /* eq(rho_v, id): the id's bits pick rho_i or 1 - rho_i */
            uint64_t v = (uint64_t)ids[b * stride + t];
            zki_ext e = eb[b];
            for (size_t i = 0; i < g->lv; i++)
                e = zki_ext_mul(e, v >> i & 1 ? rv[i] : one_minus[i]);
            zki_ext_acc_mac(&a, e, S[t]);
        }
    *out = zki_ext_acc_reduce(&a);
    free(S);
    free(eb);
    return ZKI_OK;
}

static int64_t wget(const void *W, int w_bits, uint64_t i)
{
    return w_bits == 8 ? ((const int8_t *)W)[i] : ((const int16_t *)W)[i];
}

void zki_gather_forward(const zki_gather_dims *g, const int64_t *ids, uint64_t stride, uint32_t B, const void *W,
                        int w_bits, int64_t *y)
{
    uint64_t np = (uint64_t)1 << g->lo, kp = (uint64_t)1 << g->ld;
    memset(y, 0, sizeof(int64_t) * B * np);
    for (uint64_t b = 0; b < B; b++)
        for (uint64_t t = 0; t < g->T; t++) {
            uint64_t v = (uint64_t)ids[b * stride + t];
            for (uint64_t d = 0; d < g->D; d++)
                y[b * np + t * g->D + d] = wget(W, w_bits, v * kp + d);
        }
}

/* ---- the prover ---------------------------------------------------------- */

/* The prover's state: the rows the ids name, u[k] sorted and distinct (K
 * of them), each id's k (at[b*T + t]), and their rows of W (base) and m,
 * [2^lk][2^ld]. */
typedef struct {
    uint64_t *u, *at, K;
    size_t lk;
    zki_fe *wc;
    zki_ext *mc;
} named_rows;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static zki_status find_rows(const zki_gather_dims *g, const int64_t *ids, uint64_t stride, uint32_t B, named_rows *R)
{
    uint64_t n = (uint64_t)B * g->T;
    R->u = malloc(sizeof(uint64_t) * n);
    R->at = malloc(sizeof(uint64_t) * n);
    if (!R->u || !R->at)
        return zki_fail(ZKI_ERR_NOMEM, "gather: rows");
    for (uint64_t i = 0; i < n; i++)
        R->u[i] = (uint64_t)ids[i / g->T * stride + i % g->T];
    qsort(R->u, n, sizeof(uint64_t), cmp_u64);
    R->K = 0;
    for (uint64_t i = 0; i < n; i++)
        if (!R->K || R->u[R->K - 1] != R->u[i])
            R->u[R->K++] = R->u[i];
    for (uint64_t i = 0; i < n; i++) {
        uint64_t v = (uint64_t)ids[i / g->T * stride + i % g->T];
        const uint64_t *f = bsearch(&v, R->u, R->K, sizeof(uint64_t), cmp_u64);
        R->at[i] = (uint64_t)(f - R->u);
    }
    R->lk = zki_log2_ceil(R->K);
    return ZKI_OK;
}

/* The named rows' W and m at the output point r. */
static zki_status rows_init(const zki_gather_dims *g, const int64_t *ids, uint64_t stride, uint32_t B, const void *W,
                            int w_bits, const zki_ext *r, named_rows *R)
{
    size_t lb = zki_log2_ceil(B);
    zki_status st = find_rows(g, ids, stride, B, R);
    if (st)
        return st;
    size_t n = (size_t)1 << (R->lk + g->ld);
    uint64_t kp = (uint64_t)1 << g->ld;
    R->wc = calloc(n, sizeof(zki_fe));
    R->mc = calloc(n, sizeof(zki_ext));
    zki_ext *eb = malloc(sizeof(zki_ext) << lb);
    zki_eq_split eo = {NULL, NULL, 0};
    int ok = R->wc && R->mc && eb && zki_eq_split_init(&eo, r, g->lo);
    if (ok) {
        for (uint64_t k = 0; k < R->K; k++)
            for (uint64_t d = 0; d < g->D; d++)
                R->wc[k << g->ld | d] = zki_fe_from_i64(wget(W, w_bits, R->u[k] * kp + d));
        zki_eq_table(eb, r + g->lo, lb);
        for (uint64_t i = 0; i < (uint64_t)B * g->T; i++) {
            zki_ext *row = R->mc + (R->at[i] << g->ld);
            uint64_t b = i / g->T, o = i % g->T * g->D;
            for (uint64_t d = 0; d < g->D; d++)
                row[d] = zki_ext_add(row[d], zki_ext_mul(eb[b], zki_eq_split_at(&eo, o + d)));
        }
    }
    zki_eq_split_free(&eo);
    free(eb);
    return ok ? ZKI_OK : zki_fail(ZKI_ERR_NOMEM, "gather: rows");
}

static void rows_free(named_rows *R)
{
    free(R->u);
    free(R->at);
    free(R->wc);
    free(R->mc);
}

/* The named rows' sum: the claim an honest output makes. */
static zki_ext rows_sum(const named_rows *R, size_t ld)
{
    zki_ext_acc a;
    zki_ext_acc_zero(&a);
    for (size_t i = 0; i < (size_t)1 << (R->lk + ld); i++)
        zki_ext_acc_mac_fe(&a, R->wc[i], R->mc[i]);
    return zki_ext_acc_reduce(&a);
}

/* After the d rounds: W~(rho_d, v) for every v < 2^lv and m~(rho_d, v)
 * (zero off the named rows). */
static zki_status fold_rows(const zki_gather_dims *g, const void *W, int w_bits, const named_rows *R,
                            const zki_ext *rho_d, zki_ext *wv, zki_ext *mv)
{
    zki_ext *ed = malloc(sizeof(zki_ext) << g->ld);
    if (!ed)
        return zki_fail(ZKI_ERR_NOMEM, "gather: rows");
    zki_eq_table(ed, rho_d, g->ld);
    uint64_t kp = (uint64_t)1 << g->ld;
    memset(wv, 0, sizeof(zki_ext) << g->lv);
    memset(mv, 0, sizeof(zki_ext) << g->lv);
#pragma omp parallel for schedule(static) if (g->V * g->D >= 65536)
    for (int64_t v = 0; v < (int64_t)g->V; v++) {
        zki_ext_acc a;
        zki_ext_acc_zero(&a);
        for (uint64_t d = 0; d < g->D; d++)
            zki_ext_acc_mac_fe(&a, zki_fe_from_i64(wget(W, w_bits, (uint64_t)v * kp + d)), ed[d]);
        wv[v] = zki_ext_acc_reduce(&a);
    }
    for (uint64_t k = 0; k < R->K; k++) {
        zki_ext_acc a;
        zki_ext_acc_zero(&a);
        for (uint64_t d = 0; d < g->D; d++)
            zki_ext_acc_mac(&a, R->mc[k << g->ld | d], ed[d]);
        mv[R->u[k]] = zki_ext_acc_reduce(&a);
    }
    free(ed);
    return ZKI_OK;
}

/* Rounds [from, from + n) of the sum-check by prover p: messages into sc,
 * challenges into rho (zki_sumcheck_prove's transcript: in a
 * zero-knowledge proof each value sent padded, the proof keeping the
 * padded values). */
static void rounds(zki_sc_prover *p, size_t n, size_t from, zki_transcript *ts, zki_sc_proof *sc, zki_ext *rho)
{
    for (size_t i = from; i < from + n; i++) {
        zki_ext *msg = sc->msgs + 2 * i;
        zki_sc_prover_round(p, msg);
        if (ts->zk)
            for (unsigned k = 0; k < 2; k++)
                msg[k] = zki_zk_send(ts, "sc.round", msg[k]);
        else
            zki_ts_absorb_ext_vec(ts, "sc.round", msg, 2);
        rho[i] = zki_ts_challenge_ext(ts, "sc.r");
        zki_sc_prover_bind(p, rho[i]);
    }
}

zki_status zki_gather_prove(const zki_gather_dims *g, const int64_t *ids, uint64_t stride, uint32_t B, const void *W,
                            int w_bits, const zki_ext *r, zki_ext v, zki_transcript *ts, zki_sc_proof *sc,
                            zki_ext *rho, zki_ext *a, zki_ext *ev)
{
    named_rows R;
    memset(&R, 0, sizeof R);
    memset(sc, 0, sizeof(*sc));
    zki_ext *wv = malloc(sizeof(zki_ext) << g->lv), *mv = malloc(sizeof(zki_ext) << g->lv), fin[2];
    size_t ns = g->ld + g->lv;
    zki_sc_prover *p = NULL;
    zki_status st = wv && mv ? rows_init(g, ids, stride, B, W, w_bits, r, &R) : zki_fail(ZKI_ERR_NOMEM, "gather");
    if (!st && !zki_ext_eq(rows_sum(&R, g->ld), v) && !zki_sumcheck_test_false_claims)
        st = zki_fail(ZKI_ERR_INPUT, "gather: the claim on its output is not the table's rows at the ids");
    if (!st && !(sc->msgs = malloc(sizeof(zki_ext) * 2 * (ns ? ns : 1))))
        st = zki_fail(ZKI_ERR_NOMEM, "gather");
    if (!st) {
        sc->nvars = ns, sc->degree = 2;
        zki_ts_absorb_u64(ts, "sc.nvars", ns);
        zki_ts_absorb_u64(ts, "sc.degree", 2);
        if (!ts->zk) /* in a zero-knowledge proof a function of values already sent */
            zki_ts_absorb_ext(ts, "sc.sum", v);
    }
    if (!st && g->ld) {
        zki_sc_instance in1 = {R.lk + g->ld, 2, {R.wc, NULL}, {NULL, R.mc}, NULL};
        if (!(st = zki_sc_prover_new(&p, &in1)))
            rounds(p, g->ld, 0, ts, sc, rho);
        zki_sc_prover_free(p);
        p = NULL;
    }
    if (!st)
        st = fold_rows(g, W, w_bits, &R, rho, wv, mv);
    if (!st && g->lv) {
        zki_sc_instance in2 = {g->lv, 2, {NULL, NULL}, {wv, mv}, NULL};
        if (!(st = zki_sc_prover_new(&p, &in2))) {
            rounds(p, g->lv, g->ld, ts, sc, rho);
            zki_sc_prover_final(p, fin);
        }
        zki_sc_prover_free(p);
    } else if (!st) {
        fin[0] = wv[0];
    }
    if (!st) {
        *ev = fin[0];
        *a = zki_zk_send(ts, "gather.w", fin[0]);
    }
    rows_free(&R);
    free(wv);
    free(mv);
    return st;
}

zki_status zki_gather_verify(const zki_gather_dims *g, const int64_t *ids, uint64_t stride, uint32_t B,
                             const zki_ext *r, zki_pv v, const zki_sc_proof *sc, zki_ext a, zki_transcript *ts,
                             zki_ext *rho, zki_pv *out)
{
    zki_pv fin;
    zki_ext m = zki_ext_zero();
    if (zki_sumcheck_verify_pv(g->ld + g->lv, 2, v, sc, ts, rho, &fin))
        return zki_fail_ctx(ZKI_ERR_VERIFY, "gather: sum-check");
    zki_status st = zki_gather_m_eval(g, ids, stride, B, r, rho, &m);
    if (st)
        return st;
    *out = zki_zk_recv(ts, "gather.w", a);
    if (zki_pv_assert_eq(ts->zk, fin, zki_pv_scale(ts->zk, *out, m), "gather: the last round is W~(rho) m~(rho)"))
        return zki_fail(ZKI_ERR_VERIFY, "gather: the sum-check's last value is not the table's value times the ids' "
                        "weights");
    return ts->zk ? zki_zk_ok(ts->zk) : ZKI_OK;
}
