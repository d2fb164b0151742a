/* GATHER node: rows of a committed table W [V][D] looked up by the model's
 * public input, y[b][t*D + d] = W[ids[b][t]][d] (protocol/dag.h). Nothing
 * of y is committed: the claims on it are merged into one, y~(r_o, r_b) =
 * v, and one degree-2 sum-check over the table's variables j = (d, v) (ld
 * then lv of them, its committed [2^lv][2^ld] layout) reduces it to one
 * claim on W:
 *     v = sum_j W(j) m(j),
 *     m(v, d) = sum_{b, t: ids[b][t] = v} eq(r_b, b) eq(r_o, t*D + d)
 * (d < D; m is 0 at the table's pads, and y's pads o >= T*D are in no
 * term, so they are 0 as the layout requires). At the last point rho the
 * prover sends a = W~(rho), a claim on the weights, and the verifier
 * computes m~(rho) itself from the public ids:
 *     m~(rho) = sum_{b,t} eq(r_b, b) eq(rho_v, ids[b][t]) S_t,
 *     S_t = sum_{d < D} eq(rho_d, d) eq(r_o, t*D + d),
 * in O(T*D + B*T*lv) from the key's sizes, and checks the sum-check's last
 * value against a m~(rho). Hence the ids must be public and in [0, V).
 * The prover runs the first ld rounds on the rows the ids name (at most
 * B*T of them), then the last lv on the vector W~(rho_d, v) over every v.
 * Proof: the claim reduction, one sum-check, the value a. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "poly/mle.h"
#include "protocol/gadget.h"
#include "sumcheck/sumcheck.h"

/* T ids per sample, V rows of D; log2 of the padded D, V and output */
typedef struct {
    uint64_t T, D, V;
    size_t ld, lv, lo;
} gather_dims;

static void dims_of(const zki_dag_node *L, gather_dims *g)
{
    g->D = L->K, g->V = L->OC, g->T = L->K ? L->N / L->K : 0;
    g->ld = zki_log2_ceil(L->K), g->lv = zki_log2_ceil(L->OC), g->lo = zki_log2_ceil(L->N);
}

static zki_status gather_key_check(const zki_dag *d, uint32_t j)
{
    const zki_dag_node *L = &d->nodes[j];
    int ok = L->n_in == 1 && L->in[0] == 0 && L->K >= 1 && L->N % L->K == 0 && L->OC >= 1 &&
             L->OC <= ZKI_DAG_MAX_DIM && (L->w_bits == 8 || L->w_bits == 16) && L->out_bits == L->w_bits &&
             !L->has_bias && !L->M && !L->s && !L->lo && !L->hi && !L->q_log && !L->C && !L->H && !L->W && !L->G &&
             !L->KH && !L->KW && !L->sh && !L->sw && !L->dh && !L->dw && !L->pt && !L->pl && !L->pb && !L->pr;
    if (!ok)
        return zki_fail(ZKI_ERR_INPUT, "vk: node %u (gather): fields, input or bits", j);
    if (j + 1 == d->n_nodes)
        return zki_fail(ZKI_ERR_INPUT, "vk: node %u (gather) is the output node", j);
    gather_dims g;
    dims_of(L, &g);
    if (g.lv + g.ld > ZKI_PCS_MAX_LOG_LEN)
        return zki_fail(ZKI_ERR_INPUT, "vk: node %u (gather): a %llu x %llu table exceeds the commitment", j,
                        (unsigned long long)g.V, (unsigned long long)g.D);
    return ZKI_OK;
}

/* The ids x [B][stride] (the first T of each row) all in [0, V); x NULL:
 * a private input, which the verifier cannot read. */
static zki_status ids_check(const zki_dag_node *L, uint32_t j, const int64_t *x, uint64_t stride, uint32_t B)
{
    gather_dims g;
    dims_of(L, &g);
    if (!x)
        return zki_fail(ZKI_ERR_UNSUPPORTED, "node %u (gather): the token ids of an embedding lookup are part of the "
                        "public statement (the verifier reads them), so a private input is refused: prove with a "
                        "public input", j);
    for (uint32_t b = 0; b < B; b++)
        for (uint64_t t = 0; t < g.T; t++) {
            int64_t v = x[b * stride + t];
            if (v < 0 || (uint64_t)v >= g.V) {
                char smp[32] = "";
                if (B > 1)
                    snprintf(smp, sizeof smp, " of sample %u", b);
                return zki_fail(ZKI_ERR_INPUT, "node %u (gather): token id %lld at position %llu%s is outside the "
                                "vocabulary of %llu%s", j, (long long)v, (unsigned long long)t, smp,
                                (unsigned long long)g.V,
                                v < 0 ? " (ONNX's negative ids, counted from the end, are not proven)" : "");
            }
        }
    return ZKI_OK;
}

static zki_status gather_input_check(const zki_dag *d, uint32_t j, const int64_t *X, uint32_t B)
{
    const zki_dag_node *L = &d->nodes[j];
    return ids_check(L, j, X, L->K ? L->N / L->K : 0, B);
}

static zki_status gather_layout(zki_advice_layout *lay, const zki_dag *d, uint32_t j, uint32_t B)
{
    lay->ids[j][0] = lay->out_id[j] = zki_layout_id(lay, ZKI_ID_INTERNAL);
    return lay->out_id[j] == ZKI_NONE ? zki_fail(ZKI_ERR_NOMEM, "advice layout") : ZKI_OK;
}

static zki_status gather_shape(const zki_dag *d, uint32_t j, uint32_t B, zki_node_shape *s)
{
    gather_dims g;
    dims_of(&d->nodes[j], &g);
    memset(s, 0, sizeof(*s));
    s->has_red = 1;
    s->red_nvars = zki_log2_ceil(B) + g.lo;
    s->n_sc = 1;
    s->sc_nvars[0] = g.ld + g.lv;
    s->sc_degree[0] = 2;
    s->n_val = 1;
    return ZKI_OK;
}

static zki_status no_sites(zki_walk *w, uint32_t j) { return ZKI_OK; }

/* eq(r, i) over n coordinates as two tables of about 2^(n/2) entries:
 * eq(r, i) = lo[i mod 2^h] hi[i >> h] (the output point's eq, never a
 * table of the output's size). */
typedef struct {
    zki_ext *lo, *hi;
    size_t h;
} split_eq;

static int split_eq_init(split_eq *e, const zki_ext *r, size_t n)
{
    e->h = n / 2;
    e->lo = malloc(sizeof(zki_ext) << e->h);
    e->hi = malloc(sizeof(zki_ext) << (n - e->h));
    if (!e->lo || !e->hi)
        return 0;
    zki_eq_table(e->lo, r, e->h);
    zki_eq_table(e->hi, r + e->h, n - e->h);
    return 1;
}

static zki_ext split_eq_at(const split_eq *e, uint64_t i)
{
    return zki_ext_mul(e->lo[i & (((uint64_t)1 << e->h) - 1)], e->hi[i >> e->h]);
}

static void split_eq_free(split_eq *e)
{
    free(e->lo);
    free(e->hi);
}

/* S_t = sum_{d < D} eq(rho_d, d) eq(r_o, t*D + d) for every t (T entries,
 * malloc'ed; NULL when out of memory). */
static zki_ext *token_weights(const gather_dims *g, const zki_ext *r_o, const zki_ext *rho_d)
{
    zki_ext *S = malloc(sizeof(zki_ext) * (g->T ? g->T : 1)), *ed = malloc(sizeof(zki_ext) << g->ld);
    split_eq eo = {NULL, NULL, 0};
    int ok = S && ed && split_eq_init(&eo, r_o, g->lo);
    if (ok) {
        zki_eq_table(ed, rho_d, g->ld);
        for (uint64_t t = 0; t < g->T; t++) {
            zki_ext_acc a;
            zki_ext_acc_zero(&a);
            for (uint64_t d = 0; d < g->D; d++)
                zki_ext_acc_mac(&a, ed[d], split_eq_at(&eo, t * g->D + d));
            S[t] = zki_ext_acc_reduce(&a);
        }
    }
    split_eq_free(&eo);
    free(ed);
    if (!ok) {
        free(S);
        return NULL;
    }
    return S;
}

/* m~(rho) from the public ids x [B][T] and the output point r (r_o, r_b). */
static zki_status m_eval(const gather_dims *g, const int64_t *x, uint32_t B, const zki_ext *r, const zki_ext *rho,
                         zki_ext *out)
{
    size_t lb = zki_log2_ceil(B);
    zki_ext *S = token_weights(g, r, rho), *eb = malloc(sizeof(zki_ext) << lb), one_minus[32];
    const zki_ext *rv = rho + g->ld;
    if (!S || !eb) {
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
            uint64_t v = (uint64_t)x[(uint64_t)b * g->T + t];
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

/* The table's value at rho to the transcript and the weight opening. */
static zki_status weight_claim(zki_walk *w, uint32_t j, const zki_ext *rho, zki_ext a)
{
    zki_ts_absorb_ext(w->ts, "gather.w", a);
    return zki_seg_claims_add(w->cw, w->vk->w_seg[j], rho, a);
}

static zki_status gather_verify(zki_walk *w, uint32_t j, const zki_node_proof *p)
{
    const zki_dag_node *L = &w->d->nodes[j];
    gather_dims g;
    const zki_claim *c;
    zki_ext fin, m = zki_ext_zero();
    dims_of(L, &g);
    zki_status st = ids_check(L, j, w->x, g.T, w->B);
    if (st)
        return zki_fail_ctx(ZKI_ERR_VERIFY, "verify");
    size_t ns = g.ld + g.lv;
    if ((st = zki_walk_reduce_verify(w, j, w->lay->ids[j][0], zki_log2_ceil(w->B) + g.lo, p, &c)))
        return st;
    zki_ext *rho = zki_walk_points(w, ns);
    if (!rho)
        return zki_fail(ZKI_ERR_NOMEM, "verify: points");
    if (zki_sumcheck_verify(ns, 2, c->value, &p->sc[0], w->ts, rho, &fin))
        return zki_fail_ctx(ZKI_ERR_VERIFY, "verify: node %u (gather)", j);
    if ((st = m_eval(&g, w->x, w->B, c->point, rho, &m)))
        return st;
    if (!zki_ext_eq(fin, zki_ext_mul(p->val[0], m)))
        return zki_fail(ZKI_ERR_VERIFY, "verify: node %u (gather): the sum-check's last value is not the table's "
                        "value times the ids' weights", j);
    return weight_claim(w, j, rho, p->val[0]);
}

/* The verifier's tables: eq halves of the output point, eq of rho_d and
 * of the batch, S_t; the sum over B*T ids of lv products each. */
static void gather_verify_cost(const zki_dag *d, uint32_t j, uint32_t B, uint64_t *ops, uint64_t *bytes)
{
    gather_dims g;
    dims_of(&d->nodes[j], &g);
    uint64_t tabs = ((uint64_t)2 << (g.lo - g.lo / 2)) + ((uint64_t)1 << g.ld) +
                    ((uint64_t)1 << zki_log2_ceil(B)) + g.T + g.ld + g.lv + 32;
    *bytes += 16 * tabs;
    *ops += 4 * (tabs + 2 * g.T * g.D + (uint64_t)B * g.T * (g.lv + 1));
}

#ifndef ZKI_VERIFIER_ONLY
static int64_t wget(const void *W, int w_bits, uint64_t i)
{
    return w_bits == 8 ? ((const int8_t *)W)[i] : ((const int16_t *)W)[i];
}

static zki_status gather_witness(zki_walk *w, uint32_t j)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_witness *W = w->W;
    gather_dims g;
    dims_of(L, &g);
    /* the forward pass indexes the table by them: checked here too */
    zki_status st = ids_check(L, j, w->priv ? NULL : W->t[0], W->ld[0], w->B);
    if (st)
        return zki_fail_ctx(st, "prove");
    uint64_t np = (uint64_t)1 << g.lo, kp = (uint64_t)1 << g.ld;
    int64_t *y = calloc((size_t)w->B * np, sizeof(int64_t));
    if (!y)
        return zki_fail(ZKI_ERR_NOMEM, "prove: gather node %u", j);
    for (uint64_t b = 0; b < w->B; b++)
        for (uint64_t t = 0; t < g.T; t++) {
            uint64_t v = (uint64_t)W->t[0][b * W->ld[0] + t];
            for (uint64_t d = 0; d < g.D; d++)
                y[b * np + t * g.D + d] = wget(w->wts[j], w->w_bits, v * kp + d);
        }
    W->own[j + 1] = y;
    W->t[j + 1] = y;
    W->ld[j + 1] = np;
    return ZKI_OK;
}

static zki_status no_advice(zki_walk *w, uint32_t j, int32_t *adv) { return ZKI_OK; }

/* The rows the ids name: u[k] sorted and distinct (*K of them), and each
 * id's k in at[b*T + t]. */
static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static zki_status named_rows(const zki_walk *w, const gather_dims *g, uint64_t **u, uint64_t *K, uint64_t **at)
{
    uint64_t n = (uint64_t)w->B * g->T;
    *u = malloc(sizeof(uint64_t) * (n ? n : 1));
    *at = malloc(sizeof(uint64_t) * (n ? n : 1));
    if (!*u || !*at)
        return zki_fail(ZKI_ERR_NOMEM, "prove: gather rows");
    for (uint64_t i = 0; i < n; i++)
        (*u)[i] = (uint64_t)w->W->t[0][i / g->T * w->W->ld[0] + i % g->T];
    qsort(*u, n, sizeof(uint64_t), cmp_u64);
    *K = 0;
    for (uint64_t i = 0; i < n; i++)
        if (!*K || (*u)[*K - 1] != (*u)[i])
            (*u)[(*K)++] = (*u)[i];
    for (uint64_t i = 0; i < n; i++) {
        uint64_t v = (uint64_t)w->W->t[0][i / g->T * w->W->ld[0] + i % g->T];
        const uint64_t *f = bsearch(&v, *u, *K, sizeof(uint64_t), cmp_u64);
        (*at)[i] = (uint64_t)(f - *u);
    }
    return ZKI_OK;
}

/* Sum-check rounds [0, n) of prover p into the proof's messages from
 * round `from` on, challenges into rho (zki_sumcheck_prove's transcript). */
static void rounds(zki_sc_prover *p, size_t n, size_t from, zki_transcript *ts, zki_sc_proof *sc, zki_ext *rho)
{
    for (size_t i = from; i < from + n; i++) {
        zki_sc_prover_round(p, sc->msgs + 2 * i);
        zki_ts_absorb_ext_vec(ts, "sc.round", sc->msgs + 2 * i, 2);
        rho[i] = zki_ts_challenge_ext(ts, "sc.r");
        zki_sc_prover_bind(p, rho[i]);
    }
}

/* The prover's state: the named rows of W (base) and m, [2^lk][2^ld]. */
typedef struct {
    uint64_t *u, *at, K;
    size_t lk;
    zki_fe *wc;
    zki_ext *mc;
} gather_rows;

static zki_status rows_init(const zki_walk *w, uint32_t j, const gather_dims *g, const zki_ext *r, gather_rows *R)
{
    size_t lb = zki_log2_ceil(w->B);
    zki_status st = named_rows(w, g, &R->u, &R->K, &R->at);
    if (st)
        return st;
    R->lk = zki_log2_ceil(R->K);
    size_t n = (size_t)1 << (R->lk + g->ld);
    uint64_t kp = (uint64_t)1 << g->ld;
    R->wc = calloc(n, sizeof(zki_fe));
    R->mc = calloc(n, sizeof(zki_ext));
    zki_ext *eb = malloc(sizeof(zki_ext) << lb);
    split_eq eo = {NULL, NULL, 0};
    int ok = R->wc && R->mc && eb && split_eq_init(&eo, r, g->lo);
    if (ok) {
        for (uint64_t k = 0; k < R->K; k++)
            for (uint64_t d = 0; d < g->D; d++)
                R->wc[k << g->ld | d] = zki_fe_from_i64(wget(w->wts[j], w->w_bits, R->u[k] * kp + d));
        zki_eq_table(eb, r + g->lo, lb);
        for (uint64_t i = 0; i < (uint64_t)w->B * g->T; i++) {
            zki_ext *row = R->mc + (R->at[i] << g->ld);
            uint64_t b = i / g->T, o = i % g->T * g->D;
            for (uint64_t d = 0; d < g->D; d++)
                row[d] = zki_ext_add(row[d], zki_ext_mul(eb[b], split_eq_at(&eo, o + d)));
        }
    }
    split_eq_free(&eo);
    free(eb);
    return ok ? ZKI_OK : zki_fail(ZKI_ERR_NOMEM, "prove: gather node %u", j);
}

static void rows_free(gather_rows *R)
{
    free(R->u);
    free(R->at);
    free(R->wc);
    free(R->mc);
}

/* After the d rounds: W~(rho_d, v) for every v < 2^lv and m~(rho_d, v)
 * (zero off the named rows). */
static zki_status fold_rows(const zki_walk *w, uint32_t j, const gather_dims *g, const gather_rows *R,
                            const zki_ext *rho_d, zki_ext *wv, zki_ext *mv)
{
    zki_ext *ed = malloc(sizeof(zki_ext) << g->ld);
    if (!ed)
        return zki_fail(ZKI_ERR_NOMEM, "prove: gather node %u", j);
    zki_eq_table(ed, rho_d, g->ld);
    uint64_t kp = (uint64_t)1 << g->ld;
    memset(wv, 0, sizeof(zki_ext) << g->lv);
    memset(mv, 0, sizeof(zki_ext) << g->lv);
#pragma omp parallel for schedule(static) if (g->V * g->D >= 65536)
    for (int64_t v = 0; v < (int64_t)g->V; v++) {
        zki_ext_acc a;
        zki_ext_acc_zero(&a);
        for (uint64_t d = 0; d < g->D; d++)
            zki_ext_acc_mac_fe(&a, zki_fe_from_i64(wget(w->wts[j], w->w_bits, (uint64_t)v * kp + d)), ed[d]);
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

/* The named rows' sum: the claim an honest output makes. */
static zki_ext rows_sum(const gather_rows *R, size_t ld)
{
    zki_ext_acc a;
    zki_ext_acc_zero(&a);
    for (size_t i = 0; i < (size_t)1 << (R->lk + ld); i++)
        zki_ext_acc_mac_fe(&a, R->wc[i], R->mc[i]);
    return zki_ext_acc_reduce(&a);
}

/* The sum-check of v = sum_j W(j) m(j): d rounds on the named rows, v
 * rounds on the folded vectors; *a = W~(rho). */
static zki_status gather_sumcheck(zki_walk *w, uint32_t j, const gather_dims *g, const zki_claim *c,
                                  zki_sc_proof *sc, zki_ext *rho, zki_ext *a)
{
    gather_rows R;
    memset(&R, 0, sizeof R);
    zki_ext *wv = malloc(sizeof(zki_ext) << g->lv), *mv = malloc(sizeof(zki_ext) << g->lv), ev[2];
    size_t ns = g->ld + g->lv;
    zki_sc_prover *p = NULL;
    zki_status st = wv && mv ? rows_init(w, j, g, c->point, &R) : zki_fail(ZKI_ERR_NOMEM, "prove: gather");
    if (!st && !zki_ext_eq(rows_sum(&R, g->ld), c->value) && !zki_sumcheck_test_false_claims)
        st = zki_fail(ZKI_ERR_INPUT, "prove: node %u (gather): the claim on its output is not the table's rows at "
                      "the ids", j);
    if (!st && !(sc->msgs = malloc(sizeof(zki_ext) * 2 * (ns ? ns : 1))))
        st = zki_fail(ZKI_ERR_NOMEM, "prove: gather");
    if (!st) {
        sc->nvars = ns, sc->degree = 2;
        zki_ts_absorb_u64(w->ts, "sc.nvars", ns);
        zki_ts_absorb_u64(w->ts, "sc.degree", 2);
        zki_ts_absorb_ext(w->ts, "sc.sum", c->value);
    }
    if (!st && g->ld) {
        zki_sc_instance in1 = {R.lk + g->ld, 2, {R.wc, NULL}, {NULL, R.mc}, NULL};
        if (!(st = zki_sc_prover_new(&p, &in1)))
            rounds(p, g->ld, 0, w->ts, sc, rho);
        zki_sc_prover_free(p);
        p = NULL;
    }
    if (!st)
        st = fold_rows(w, j, g, &R, rho, wv, mv);
    if (!st && g->lv) {
        zki_sc_instance in2 = {g->lv, 2, {NULL, NULL}, {wv, mv}, NULL};
        if (!(st = zki_sc_prover_new(&p, &in2))) {
            rounds(p, g->lv, g->ld, w->ts, sc, rho);
            zki_sc_prover_final(p, ev);
        }
        zki_sc_prover_free(p);
    } else if (!st) {
        ev[0] = wv[0];
    }
    if (!st)
        *a = ev[0];
    rows_free(&R);
    free(wv);
    free(mv);
    return st;
}

static zki_status gather_prove(zki_walk *w, uint32_t j, zki_node_proof *p)
{
    const zki_dag_node *L = &w->d->nodes[j];
    gather_dims g;
    const zki_claim *c;
    dims_of(L, &g);
    size_t lb = zki_log2_ceil(w->B);
    zki_status st = zki_walk_reduce_prove(w, j, w->lay->ids[j][0],
                                          zki_int_table(w->W->t[j + 1], w->B, (uint64_t)1 << g.lo, lb, g.lo),
                                          lb + g.lo, p, &c);
    if (!st)
        st = zki_node_proof_vals(p, 1);
    zki_ext *rho = st ? NULL : zki_walk_points(w, g.ld + g.lv);
    if (!st && !rho)
        st = zki_fail(ZKI_ERR_NOMEM, "prove: points");
    if (!st)
        st = gather_sumcheck(w, j, &g, c, &p->sc[0], rho, &p->val[0]);
    return st ? st : weight_claim(w, j, rho, p->val[0]);
}
#define GATHER_PROVER gather_witness, no_advice, gather_prove
#else
#define GATHER_PROVER NULL, NULL, NULL
#endif

const zki_gadget zki_gadget_gather = {"gather", gather_key_check, gather_layout, gather_shape, no_sites,
                                      GATHER_PROVER, gather_verify, gather_verify_cost, gather_input_check};
