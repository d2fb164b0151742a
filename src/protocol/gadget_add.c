/* ADD node: acc = sum_i x_i * mul[i] over n_in >= 2 maps of one shape,
 * then requantisation. acc is affine in the inputs, so its merged claim
 * acc~(r) = v becomes one claim per input at r: the prover sends
 * e_i = x_i~(r), the verifier checks sum_i mul[i] e_i = v. Proof: the claim
 * reduction, values e[n_in]. */
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
    for (uint32_t i = 0; ok && i < L->n_in; i++) {
        uint32_t t = L->in[i], c = 0, h = 0, w = 0;
        ok = t > 0 && zki_dag_out_map(&d->nodes[t - 1], &c, &h, &w) && c == L->C && h == L->H && w == L->W &&
             L->mul[i] != 0 && L->mul[i] > -(1ll << 31) && L->mul[i] < (1ll << 31);
    }
    if (!ok)
        return zki_fail(ZKI_ERR_INPUT, "vk: node %u (add): inputs, map or multipliers", j);
    /* the quotient bound is public here: a smaller q_log would let the
     * proof's scaled relation wrap mod p (lookup/requant.c) */
    uint32_t ql = zki_add_q_log(d, j);
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

static zki_status add_claims(zki_walk *w, uint32_t j, const zki_ext *r, const zki_ext *e)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_status st = ZKI_OK;
    for (uint32_t i = 0; i < L->n_in; i++)
        zki_ts_absorb_ext(w->ts, "add.input", e[i]);
    for (uint32_t i = 0; !st && i < L->n_in; i++)
        st = zki_walk_claim(w, L->in[i], r, e[i]);
    return st;
}

static zki_status add_verify(zki_walk *w, uint32_t j, const zki_node_proof *p)
{
    const zki_dag_node *L = &w->d->nodes[j];
    const zki_claim *c;
    zki_status st = zki_walk_reduce_verify(w, j, w->lay->ids[j][0],
                                           zki_log2_ceil(w->B) + zki_log2_ceil(L->N), p, &c);
    if (st)
        return st;
    zki_ext sum = zki_ext_zero();
    for (uint32_t i = 0; i < L->n_in; i++)
        sum = zki_ext_add(sum, zki_ext_scale(p->val[i], zki_fe_from_i64(L->mul[i])));
    if (!zki_ext_eq(sum, c->value))
        return zki_fail(ZKI_ERR_VERIFY, "verify: node %u: the add's input claims do not sum to its accumulator "
                        "claim", j);
    return add_claims(w, j, c->point, p->val);
}

#ifndef ZKI_VERIFIER_ONLY
static zki_status add_witness(zki_walk *w, uint32_t j)
{
    const zki_dag_node *L = &w->d->nodes[j];
    uint64_t np = (uint64_t)1 << zki_log2_ceil(L->N), n = (uint64_t)w->B * np;
    for (uint32_t i = 0; i < L->n_in; i++)
        if (w->W->ld[L->in[i]] != np)
            return zki_fail(ZKI_ERR_INPUT, "prove: add node %u: input maps of another size", j);
    int64_t *acc = calloc(n, sizeof(int64_t));
    /* the maps share the padded layout [B][np] (pads are 0) */
    for (uint32_t i = 0; acc && i < L->n_in; i++) {
        const int64_t *x = w->W->t[L->in[i]];
        for (uint64_t k = 0; k < n; k++)
            acc[k] += x[k] * L->mul[i];
    }
    return zki_requant_witness_of(w, j, acc);
}

static zki_status add_prove(zki_walk *w, uint32_t j, zki_node_proof *p)
{
    const zki_dag_node *L = &w->d->nodes[j];
    size_t lb = zki_log2_ceil(w->B), ln = zki_log2_ceil(L->N);
    uint64_t np = (uint64_t)1 << ln;
    const zki_claim *c;
    zki_status st = zki_walk_reduce_prove(w, j, w->lay->ids[j][0], zki_int_table(w->W->acc[j], w->B, np, lb, ln),
                                          lb + ln, p, &c);
    if (!st)
        st = zki_node_proof_vals(p, L->n_in);
    for (uint32_t i = 0; !st && i < L->n_in; i++) {
        zki_fe *t = zki_int_table(w->W->t[L->in[i]], w->B, np, lb, ln);
        if (!t)
            return zki_fail(ZKI_ERR_NOMEM, "prove: add node %u", j);
        p->val[i] = zki_mle_eval_base(t, lb + ln, c->point);
        free(t);
    }
    return st ? st : add_claims(w, j, c->point, p->val);
}
#define ADD_PROVER add_witness, zki_requant_advice, add_prove
#else
#define ADD_PROVER NULL, NULL, NULL
#endif

const zki_gadget zki_gadget_add = {"add", add_key_check, zki_requant_layout, add_shape,
                                   zki_requant_sites, ADD_PROVER, add_verify, NULL};
