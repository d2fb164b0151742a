/* ADD node: acc = sum_i x_i * mul[i] over n_in >= 2 inputs, then
 * requantisation. The output is a map [C][H][W]; each input is a map of
 * that shape or one broadcast to it (each axis the output's or 1: a
 * [C][1][1] bias map), read as its expansion x_ie, zero at the output's
 * pads. acc is affine in the inputs, so its merged claim acc~(r) = v
 * becomes one claim per input: the prover sends e_i = x_i~(r_i), r_i r's
 * coordinates on x_i's own axes and the batch (r itself without
 * broadcast), the verifier checks sum_i mul[i] e_i Ind_i(r) = v, Ind_i the
 * indicator of the output's real positions on x_i's broadcast axes
 * (gadget.h, zki_bcast_point; 1 without). Proof: the claim reduction,
 * values e[n_in] (padded in a zero-knowledge proof, src/zk/zk.h: the
 * check is then a constraint on the private values). */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "protocol/gadget.h"
#include "poly/mle.h"

static zki_status add_key_check(const zki_dag *d, uint32_t j)
{
    const zki_dag_node *L = &d->nodes[j];
    zki_status st = zki_requant_key_check(L, j);
    if (st)
        return st;
    int ok = L->n_in >= 2 && L->n_in <= ZKI_DAG_MAX_IN && L->OC == L->C && L->G == 1 && !L->KH && !L->KW &&
             !L->sh && !L->sw && !L->dh && !L->dw && !L->pt && !L->pl && !L->pb && !L->pr &&
             zki_log2_ceil(L->C) + zki_log2_ceil(L->H) + zki_log2_ceil(L->W) <= 26 &&
             L->K == 1u << (zki_log2_ceil(L->C) + zki_log2_ceil(L->H) + zki_log2_ceil(L->W)) && L->N == L->K;
    zki_tlayout o;
    ok = ok && zki_dag_layout(d, j + 1, &o);
    for (uint32_t i = 0; ok && i < L->n_in; i++) {
        unsigned axes;
        ok = L->in[i] > 0 && zki_bcast_axes(d, L->in[i], &o, &axes) && L->mul[i] != 0 &&
             L->mul[i] > -(1ll << 31) && L->mul[i] < (1ll << 31);
    }
    if (!ok)
        return zki_fail(ZKI_ERR_INPUT, "vk: node %u (add): inputs, map or multipliers", j);
    /* the quotient bound is public here: a smaller q_log would let the
     * proof's scaled relation wrap mod p (lookup/requant.c) */
    uint32_t ql = zki_add_q_log(d, j);
    if (!ql)
        return zki_fail(ZKI_ERR_INPUT, "vk: node %u (add): its multipliers and inputs' bits let |acc| + 2^(s-1) "
                        "reach 2^62", j);
    if (L->q_log != ql)
        return zki_fail(ZKI_ERR_INPUT, "vk: node %u (add): quotient bits %u, its multipliers and inputs give %u", j,
                        L->q_log, ql);
    return ZKI_OK;
}

static zki_status add_shape(const zki_dag *d, uint32_t j, uint32_t B, zki_node_shape *s)
{
    memset(s, 0, sizeof(*s));
    s->has_red = 1;
    s->red_nvars = zki_log2_ceil(B) + zki_log2_ceil(d->nodes[j].N);
    s->n_val = d->nodes[j].n_in;
    return ZKI_OK;
}

/* Per input: its broadcast axes, its point for the output's point r
 * (borrowed from the walk) and the indicator there. */
static zki_status add_points(zki_walk *w, uint32_t j, const zki_ext *r, const zki_ext **pts, zki_ext *ind)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_tlayout o;
    size_t lb = zki_log2_ceil(w->B);
    if (!zki_dag_layout(w->d, j + 1, &o))
        return zki_fail(ZKI_ERR_INPUT, "add node %u: no map", j);
    for (uint32_t i = 0; i < L->n_in; i++) {
        unsigned axes = 0;
        zki_ext *pt = NULL;
        if (!zki_bcast_axes(w->d, L->in[i], &o, &axes))
            return zki_fail(ZKI_ERR_INPUT, "add node %u: input %u does not broadcast to its map", j, i);
        pts[i] = r, ind[i] = zki_ext_one();
        if (!axes)
            continue;
        if (!(pt = zki_walk_points(w, lb + o.log_len)))
            return zki_fail(ZKI_ERR_NOMEM, "add node %u: points", j);
        ind[i] = zki_bcast_point(&o, axes, lb, r, pt);
        pts[i] = pt;
    }
    return ZKI_OK;
}

/* The input claims to their tensors (the prover's true values, or the
 * verifier's private values). */
static zki_status add_claims(zki_walk *w, uint32_t j, const zki_ext *const *pts, const zki_pv *e)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_status st = ZKI_OK;
    for (uint32_t i = 0; !st && i < L->n_in; i++)
        st = zki_walk_claim_pv(w, L->in[i], pts[i], e[i]);
    return st;
}

static zki_status add_verify(zki_walk *w, uint32_t j, const zki_node_proof *p)
{
    const zki_dag_node *L = &w->d->nodes[j];
    const zki_claim *c;
    const zki_ext *pts[ZKI_DAG_MAX_IN];
    zki_ext ind[ZKI_DAG_MAX_IN], k[ZKI_DAG_MAX_IN];
    zki_pv e[ZKI_DAG_MAX_IN];
    zki_status st = zki_walk_reduce_verify(w, j, w->lay->ids[j][0],
                                           zki_log2_ceil(w->B) + zki_log2_ceil(L->N), p, &c);
    if (!st && add_points(w, j, c->point, pts, ind))
        st = zki_fail_ctx(ZKI_ERR_VERIFY, "verify: node %u (add)", j);
    if (st)
        return st;
    for (uint32_t i = 0; i < L->n_in; i++) {
        e[i] = zki_zk_recv(w->ts, "add.input", p->val[i]);
        k[i] = zki_ext_scale(ind[i], zki_fe_from_i64(L->mul[i]));
    }
    if (zki_pv_assert_eq(w->ts->zk, zki_pv_lin(w->ts->zk, L->n_in, k, e), zki_claim_pv(c),
                         "add: the input claims sum to the accumulator claim"))
        return zki_fail(ZKI_ERR_VERIFY, "verify: node %u: the add's input claims do not sum to its accumulator "
                        "claim", j);
    return add_claims(w, j, pts, e);
}

/* A point per broadcast input (none without). */
static void add_verify_cost(const zki_dag *d, uint32_t j, uint32_t B, uint64_t *ops, uint64_t *bytes)
{
    const zki_dag_node *L = &d->nodes[j];
    zki_tlayout o;
    if (!zki_dag_layout(d, j + 1, &o))
        return; /* not a key that parses */
    for (uint32_t i = 0; i < L->n_in && i < ZKI_DAG_MAX_IN; i++) {
        unsigned axes = 0;
        if (zki_bcast_axes(d, L->in[i], &o, &axes) && axes) {
            *bytes += 16 * (21 + (uint64_t)o.log_len); /* a batch of up to 2^20 */
            *ops += 4 * (21 + (uint64_t)o.log_len);
        }
    }
}

#ifndef ZKI_VERIFIER_ONLY
static zki_status add_witness(zki_walk *w, uint32_t j)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_tlayout o, l;
    uint64_t n = 0;
    int ok = zki_dag_layout(w->d, j + 1, &o);
    for (uint32_t i = 0; ok && i < L->n_in; i++)
        ok = zki_dag_layout(w->d, L->in[i], &l) && w->W->ld[L->in[i]] == (uint64_t)1 << l.log_len;
    if (!ok)
        return zki_fail(ZKI_ERR_INPUT, "prove: add node %u: input maps of another size", j);
    n = (uint64_t)w->B << o.log_len;
    int64_t *acc = malloc(n * sizeof(int64_t));
    /* the inputs already in the output's padded layout [B][np] (pads 0)
     * summed in one parallel pass; each broadcast one then expanded and
     * added on its own (one expanded copy at a time) */
    const int64_t *x[ZKI_DAG_MAX_IN];
    unsigned axes[ZKI_DAG_MAX_IN];
    int64_t mul[ZKI_DAG_MAX_IN];
    uint32_t m = 0;
    for (uint32_t i = 0; i < L->n_in; i++) {
        zki_bcast_axes(w->d, L->in[i], &o, &axes[i]);
        if (!axes[i]) {
            x[m] = w->W->t[L->in[i]];
            mul[m++] = L->mul[i];
        }
    }
    if (acc) {
#pragma omp parallel for schedule(static) if (n > 65536)
        for (uint64_t k = 0; k < n; k++) {
            int64_t s = 0;
            for (uint32_t i = 0; i < m; i++)
                s += x[i][k] * mul[i];
            acc[k] = s;
        }
    }
    for (uint32_t i = 0; acc && i < L->n_in; i++) {
        if (!axes[i])
            continue;
        int64_t *e = zki_bcast_expand(w->W->t[L->in[i]], w->B, &o, axes[i], 1), mi = L->mul[i];
        if (!e) {
            free(acc);
            acc = NULL;
            break;
        }
#pragma omp parallel for schedule(static) if (n > 65536)
        for (uint64_t k = 0; k < n; k++)
            acc[k] += e[k] * mi;
        free(e);
    }
    return zki_requant_witness_of(w, j, acc);
}

static zki_status add_prove(zki_walk *w, uint32_t j, zki_node_proof *p)
{
    const zki_dag_node *L = &w->d->nodes[j];
    size_t lb = zki_log2_ceil(w->B), ln = zki_log2_ceil(L->N);
    uint64_t np = (uint64_t)1 << ln;
    const zki_claim *c;
    const zki_ext *pts[ZKI_DAG_MAX_IN];
    zki_ext ind[ZKI_DAG_MAX_IN];
    zki_status st = zki_walk_reduce_prove(w, j, w->lay->ids[j][0], zki_int_table(w->W->acc[j], w->B, np, lb, ln),
                                          lb + ln, p, &c);
    if (!st)
        st = zki_node_proof_vals(p, L->n_in);
    if (!st)
        st = add_points(w, j, c->point, pts, ind);
    zki_pv e[ZKI_DAG_MAX_IN];
    for (uint32_t i = 0; !st && i < L->n_in; i++) {
        size_t li = zki_walk_log_len(w->d, L->in[i]);
        zki_fe *t = zki_int_table(w->W->t[L->in[i]], w->B, (uint64_t)1 << li, lb, li);
        if (!t)
            return zki_fail(ZKI_ERR_NOMEM, "prove: add node %u", j);
        e[i] = zki_pv_pub(zki_mle_eval_base(t, lb + li, pts[i]));
        p->val[i] = zki_zk_send(w->ts, "add.input", e[i].c);
        free(t);
    }
    return st ? st : add_claims(w, j, pts, e);
}
#define ADD_PROVER add_witness, zki_requant_advice, add_prove
#else
#define ADD_PROVER NULL, NULL, NULL
#endif

const zki_gadget zki_gadget_add = {"add", add_key_check, zki_requant_layout, add_shape,
                                   zki_requant_sites, ADD_PROVER, add_verify, add_verify_cost, NULL};
