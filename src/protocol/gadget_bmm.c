/* BMM node: acc[g][i][j] = sum_k x_0[g][i][k] x_1[g][k][j] over maps
 * x_0 [G][I][K], x_1 [G][K][J] (each axis padded to a power of two), then
 * the requantisation (M, s, lo, hi) as on a MUL. With gb the batch and g
 * coordinates (lb + lg), the merged claim acc~(r_j, r_i, r_gb) = v is one
 * degree-3 sum-check over (k, gb):
 *     v = sum_{k, gb} eq(r_gb, gb) x_0~(k, r_i, gb) x_1~(r_j, k, gb),
 * the two tables folded by eq on their fixed coordinates first (O(size)).
 * The g axis is summed with eq, not fixed at r_gb: acc is a sum of
 * products per g, and its extension at r_gb is not the product of the
 * factors' extensions there. At the last point (rho_k, rho_gb) the prover
 * sends e_0 = x_0~(rho_k, r_i, rho_gb) and e_1 = x_1~(r_j, rho_k, rho_gb),
 * checked against eq(r_gb, rho_gb) e_0 e_1, and claimed on the inputs.
 * Both inputs are zero at their pads (their producers pin them), so the
 * padded k adds nothing and acc is zero at the output's pads. A private
 * input's pads are committed but not proven zero, and a LUT of it passes
 * them on (tests/test_attack_bmm.c), so a proof with a private input and
 * a BMM node is refused on both sides until they are. Proof: the claim
 * reduction, one sum-check, values (e_0, e_1). In a zero-knowledge proof
 * e_0, e_1 are sent padded (the sum-check pads its own messages) and the
 * last check is a constraint on private values (src/zk/zk.h). */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "ops/bmm.h"
#include "protocol/gadget.h"
#include "poly/mle.h"
#include "sumcheck/sumcheck.h"

/* log2 of the padded axes: g (C), i (H), k (K), j (W) */
typedef struct {
    size_t g, i, k, j;
} bmm_logs;

/* Both inputs are earlier nodes' maps of exactly the layouts the node
 * reads (0: the key does not describe a BMM this gadget proves). */
static int bmm_operands(const zki_dag *d, uint32_t j, bmm_logs *lg)
{
    const zki_dag_node *L = &d->nodes[j];
    zki_tlayout o, want, got;
    if (L->n_in != 2 || L->K < 1 || L->K > ZKI_DAG_MAX_DIM || !zki_dag_layout(d, j + 1, &o) || !o.map)
        return 0;
    for (uint32_t i = 0; i < 2; i++)
        if (L->in[i] == 0 || L->in[i] > j || !zki_dag_in_layout(d, j, i, &want) ||
            !zki_dag_layout(d, L->in[i], &got) || !zki_tlayout_eq(&want, &got))
            return 0;
    lg->g = zki_log2_ceil(L->C), lg->i = zki_log2_ceil(L->H), lg->k = zki_log2_ceil(L->K);
    lg->j = zki_log2_ceil(L->W);
    return 1;
}

static zki_status bmm_key_check(const zki_dag *d, uint32_t j)
{
    const zki_dag_node *L = &d->nodes[j];
    bmm_logs lg = {0, 0, 0, 0};
    zki_status st = zki_requant_key_check(L, j);
    if (st)
        return st;
    if (!zki_no_conv_geometry(L) || !bmm_operands(d, j, &lg))
        return zki_fail(ZKI_ERR_INPUT, "vk: node %u (bmm): inputs, layout or geometry", j);
    uint32_t ql = zki_bmm_q_log(d, j);
    if (!ql || L->q_log != ql)
        return zki_fail(ZKI_ERR_INPUT, "vk: node %u (bmm): quotient bits %u, its multiplier, K and inputs give %u",
                        j, L->q_log, ql);
    return ZKI_OK;
}

/* Rounds of the product sum-check: k, then g, then the batch. */
static size_t bmm_rounds(const zki_dag_node *L, size_t lb)
{
    return lb + zki_log2_ceil(L->C) + zki_log2_ceil(L->K);
}

static zki_status bmm_shape(const zki_dag *d, uint32_t j, uint32_t B, zki_node_shape *s)
{
    const zki_dag_node *L = &d->nodes[j];
    size_t lb = zki_log2_ceil(B);
    memset(s, 0, sizeof(*s));
    s->has_red = 1;
    s->red_nvars = lb + zki_log2_ceil(L->N);
    s->n_sc = 1;
    s->sc_nvars[0] = bmm_rounds(L, lb);
    s->sc_degree[0] = 3;
    s->n_val = 2;
    return ZKI_OK;
}

/* Three points (the sum-check's and the two inputs'), from the key's
 * shapes and the largest batch (2^20). */
static void bmm_verify_cost(const zki_dag *d, uint32_t j, uint32_t B, uint64_t *ops, uint64_t *bytes)
{
    const zki_dag_node *L = &d->nodes[j];
    uint64_t nv = 21 + bmm_rounds(L, 0) + zki_log2_ceil(L->H) + zki_log2_ceil(L->W);
    *bytes += 3 * 16 * (nv + 1);
    *ops += 8 * nv;
}

/* The inputs' points from the output's r (j, i, gb) and the sum-check's
 * rho (k, gb); their claims e (the prover's values, or the verifier's
 * private ones). */
static zki_status bmm_claims(zki_walk *w, uint32_t j, const bmm_logs *lg, const zki_ext *r, const zki_ext *rho,
                             const zki_pv *e)
{
    const zki_dag_node *L = &w->d->nodes[j];
    size_t ngb = zki_log2_ceil(w->B) + lg->g, na = lg->k + lg->i + ngb, nb = lg->j + lg->k + ngb;
    zki_ext *pa = zki_walk_points(w, na), *pb = zki_walk_points(w, nb);
    if (!pa || !pb)
        return zki_fail(ZKI_ERR_NOMEM, "bmm node %u: points", j);
    memcpy(pa, rho, sizeof(zki_ext) * lg->k);
    memcpy(pa + lg->k, r + lg->j, sizeof(zki_ext) * lg->i);
    memcpy(pa + lg->k + lg->i, rho + lg->k, sizeof(zki_ext) * ngb);
    memcpy(pb, r, sizeof(zki_ext) * lg->j);
    memcpy(pb + lg->j, rho, sizeof(zki_ext) * (lg->k + ngb));
    zki_status st = zki_walk_claim_pv(w, L->in[0], pa, e[0]);
    return st ? st : zki_walk_claim_pv(w, L->in[1], pb, e[1]);
}

static zki_status bmm_verify(zki_walk *w, uint32_t j, const zki_node_proof *p)
{
    bmm_logs lg = {0, 0, 0, 0};
    const zki_claim *c;
    if (w->priv)
        return zki_fail(ZKI_ERR_VERIFY, "verify: node %u (bmm): a product of two activations in a proof with a "
                        "private input (not proven yet)", j);
    if (!bmm_operands(w->d, j, &lg))
        return zki_fail(ZKI_ERR_VERIFY, "verify: node %u (bmm): not a key's node", j);
    size_t lb = zki_log2_ceil(w->B), nv = lb + lg.g + lg.i + lg.j, ns = bmm_rounds(&w->d->nodes[j], lb);
    zki_status st = zki_walk_reduce_verify(w, j, w->lay->ids[j][0], nv, p, &c);
    if (st)
        return st;
    zki_ext *rho = zki_walk_points(w, ns);
    zki_pv fin, e[2];
    zki_zk *z = w->ts->zk;
    if (!rho)
        return zki_fail(ZKI_ERR_NOMEM, "verify: points");
    if (zki_sumcheck_verify_pv(ns, 3, zki_claim_pv(c), &p->sc[0], w->ts, rho, &fin))
        return zki_fail_ctx(ZKI_ERR_VERIFY, "verify: node %u (bmm)", j);
    zki_ext eq = zki_eq_eval(c->point + lg.j + lg.i, rho + lg.k, lb + lg.g);
    e[0] = zki_zk_recv(w->ts, "bmm.x0", p->val[0]);
    e[1] = zki_zk_recv(w->ts, "bmm.x1", p->val[1]);
    if (zki_pv_assert_eq(z, fin, zki_pv_scale(z, zki_pv_mul(z, e[0], e[1]), eq),
                         "bmm: the product sum-check's last value is eq * x_0 * x_1"))
        return zki_fail(ZKI_ERR_VERIFY, "verify: node %u (bmm): the product sum-check's last value is not "
                        "eq * x_0 * x_1", j);
    return bmm_claims(w, j, &lg, c->point, rho, e);
}

#ifndef ZKI_VERIFIER_ONLY
/* The inputs' tables are the padded maps the node reads. */
static zki_status bmm_inputs(zki_walk *w, uint32_t j, bmm_logs *lg)
{
    const zki_dag_node *L = &w->d->nodes[j];
    if (!bmm_operands(w->d, j, lg) || w->W->ld[L->in[0]] != (uint64_t)1 << (lg->g + lg->i + lg->k) ||
        w->W->ld[L->in[1]] != (uint64_t)1 << (lg->g + lg->k + lg->j))
        return zki_fail(ZKI_ERR_INPUT, "prove: bmm node %u: inputs of another size", j);
    return ZKI_OK;
}

static zki_status bmm_witness(zki_walk *w, uint32_t j)
{
    bmm_logs lg = {0, 0, 0, 0};
    zki_status st = bmm_inputs(w, j, &lg);
    if (st)
        return st;
    const zki_dag_node *L = &w->d->nodes[j];
    uint64_t n = (uint64_t)w->B << (lg.g + lg.i + lg.j);
    int64_t *acc = malloc(sizeof(int64_t) * n);
    if (acc)
        zki_bmm_acc(acc, w->W->t[L->in[0]], w->W->t[L->in[1]], (uint64_t)w->B << lg.g, lg.i, lg.k, lg.j);
    return zki_requant_witness_of(w, j, acc);
}

/* f[gb << lk | k] = sum_s e[s] x[gb][..] over the folded axis s: x_0's i
 * (stride 2^lk, k stride 1) or x_1's j (stride 1, k stride 2^lj). Rows
 * gb >= ngb (the batch's padding) are zero. */
static void bmm_fold(zki_ext *f, const int64_t *x, uint64_t ngb, size_t ls, size_t lk, int fold_inner,
                     const zki_ext *e, size_t ntot)
{
    uint64_t S = (uint64_t)1 << ls, K = (uint64_t)1 << lk;
    uint64_t ss = fold_inner ? 1 : K, ks = fold_inner ? S : 1;
    memset(f, 0, sizeof(zki_ext) * ((size_t)1 << ntot));
#pragma omp parallel for schedule(static)
    for (int64_t t = 0; t < (int64_t)(ngb * K); t++) {
        uint64_t gb = (uint64_t)t / K, k = (uint64_t)t % K;
        const int64_t *xg = x + gb * S * K + k * ks;
        zki_ext_acc a;
        zki_ext_acc_zero(&a);
        for (uint64_t s = 0; s < S; s++)
            zki_ext_acc_mac_fe(&a, zki_fe_from_i64(xg[s * ss]), e[s]);
        f[t] = zki_ext_acc_reduce(&a);
    }
}

/* The sum-check's three tables over (k, gb): eq(r_gb, .) spread over k,
 * x_0 folded on i at r_i, x_1 folded on j at r_j. */
static zki_status bmm_tables(zki_walk *w, uint32_t j, const bmm_logs *lg, const zki_ext *r, zki_ext **t)
{
    const zki_dag_node *L = &w->d->nodes[j];
    size_t lb = zki_log2_ceil(w->B), ngb = lb + lg->g, ns = lg->k + ngb;
    size_t ne = (size_t)1 << (lg->i > lg->j ? lg->i : lg->j);
    zki_ext *eg = malloc(sizeof(zki_ext) << ngb), *es = malloc(sizeof(zki_ext) * ne);
    for (int i = 0; i < 3; i++)
        t[i] = malloc(sizeof(zki_ext) << ns);
    zki_status st = eg && es && t[0] && t[1] && t[2] ? ZKI_OK : zki_fail(ZKI_ERR_NOMEM, "prove: bmm node %u", j);
    if (!st) {
        zki_eq_table(eg, r + lg->j + lg->i, ngb);
        for (size_t x = 0; x < (size_t)1 << ns; x++)
            t[0][x] = eg[x >> lg->k];
        uint64_t real = (uint64_t)w->B << lg->g;
        zki_eq_table(es, r + lg->j, lg->i);
        bmm_fold(t[1], w->W->t[L->in[0]], real, lg->i, lg->k, 0, es, ns);
        zki_eq_table(es, r, lg->j);
        bmm_fold(t[2], w->W->t[L->in[1]], real, lg->j, lg->k, 1, es, ns);
    }
    free(eg);
    free(es);
    return st;
}

static zki_status bmm_prove(zki_walk *w, uint32_t j, zki_node_proof *p)
{
    bmm_logs lg = {0, 0, 0, 0};
    const zki_claim *c;
    zki_ext *t[3] = {NULL, NULL, NULL}, *rho = NULL, ev[3];
    if (w->priv)
        return zki_fail(ZKI_ERR_UNSUPPORTED, "prove: node %u (MatMul of two activations) is not proven with a "
                        "private input yet (its padding is not proven zero): prove with a public input", j);
    zki_status st = bmm_inputs(w, j, &lg);
    if (st)
        return st;
    size_t lb = zki_log2_ceil(w->B), ln = lg.g + lg.i + lg.j, ns = bmm_rounds(&w->d->nodes[j], lb);
    st = zki_walk_reduce_prove(w, j, w->lay->ids[j][0],
                               zki_int_table(w->W->acc[j], w->B, (uint64_t)1 << ln, lb, ln), lb + ln, p, &c);
    if (!st)
        st = zki_node_proof_vals(p, 2);
    if (!st)
        st = bmm_tables(w, j, &lg, c->point, t);
    if (!st && !(rho = zki_walk_points(w, ns)))
        st = zki_fail(ZKI_ERR_NOMEM, "prove: bmm node %u", j);
    if (!st) {
        zki_sc_instance inst = {ns, 3, {NULL, NULL, NULL}, {t[0], t[1], t[2]}, NULL};
        st = zki_sumcheck_prove(&inst, c->value, w->ts, &p->sc[0], rho, ev);
    }
    if (!st) {
        zki_pv e[2] = {zki_pv_pub(ev[1]), zki_pv_pub(ev[2])};
        p->val[0] = zki_zk_send(w->ts, "bmm.x0", ev[1]);
        p->val[1] = zki_zk_send(w->ts, "bmm.x1", ev[2]);
        st = bmm_claims(w, j, &lg, c->point, rho, e);
    }
    for (int i = 0; i < 3; i++)
        free(t[i]);
    return st;
}
#define BMM_PROVER bmm_witness, zki_requant_advice, bmm_prove
#else
#define BMM_PROVER NULL, NULL, NULL
#endif

const zki_gadget zki_gadget_bmm = {"bmm", bmm_key_check, zki_requant_layout, bmm_shape,
                                   zki_requant_sites, BMM_PROVER, bmm_verify, bmm_verify_cost, NULL};
