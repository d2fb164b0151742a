/* GATHER node: rows of a committed table W [V][D] looked up by the model's
 * public input, y[b][t*D + d] = W[ids[b][t]][d] (protocol/dag.h). Nothing
 * of y is committed: the claims on it are merged into one, y~(r) = v, and
 * one degree-2 sum-check over the table's variables reduces it to a claim
 * on W, with weights m the verifier computes itself from the ids
 * (ops/gather.h). Hence the ids must be public and in [0, V): both sides
 * refuse any other statement before anything else (input_check).
 * Proof: the claim reduction, one sum-check, the table's value W~(rho)
 * (padded in a zero-knowledge proof). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "ops/gather.h"
#include "poly/mle.h"
#include "protocol/gadget.h"

static void dims_of(const zki_dag_node *L, zki_gather_dims *g)
{
    zki_gather_dims_init(g, L->K ? L->N / L->K : 0, L->K, L->OC);
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
    zki_gather_dims g;
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
    zki_gather_dims g;
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
    zki_gather_dims g;
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

static zki_status gather_verify(zki_walk *w, uint32_t j, const zki_node_proof *p)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_gather_dims g;
    const zki_claim *c;
    zki_pv a;
    dims_of(L, &g);
    zki_status st = ids_check(L, j, w->x, g.T, w->B);
    if (st)
        return zki_fail_ctx(ZKI_ERR_VERIFY, "verify");
    if ((st = zki_walk_reduce_verify(w, j, w->lay->ids[j][0], zki_log2_ceil(w->B) + g.lo, p, &c)))
        return st;
    zki_ext *rho = zki_walk_points(w, g.ld + g.lv);
    if (!rho)
        return zki_fail(ZKI_ERR_NOMEM, "verify: points");
    if ((st = zki_gather_verify(&g, w->x, g.T, w->B, c->point, zki_claim_pv(c), &p->sc[0], p->val[0], w->ts, rho,
                                &a)))
        return st == ZKI_ERR_NOMEM ? st : zki_fail_ctx(ZKI_ERR_VERIFY, "verify: node %u (gather)", j);
    /* the table's value at rho to the weight opening */
    return zki_seg_claims_add_pv(w->cw, w->vk->w_seg[j], rho, a);
}

/* zki_gather_m_eval's tables (the output point's eq halves, eq of rho_d
 * and of the batch, S_t) and work (T*D, then lv products per id). */
static void gather_verify_cost(const zki_dag *d, uint32_t j, uint32_t B, uint64_t *ops, uint64_t *bytes)
{
    zki_gather_dims g;
    dims_of(&d->nodes[j], &g);
    uint64_t tabs = ((uint64_t)2 << (g.lo - g.lo / 2)) + ((uint64_t)1 << g.ld) +
                    ((uint64_t)1 << zki_log2_ceil(B)) + g.T + g.ld + g.lv + 32;
    *bytes += 16 * tabs;
    *ops += 4 * (tabs + 2 * g.T * g.D + (uint64_t)B * g.T * (g.lv + 1));
}

#ifndef ZKI_VERIFIER_ONLY
static zki_status gather_witness(zki_walk *w, uint32_t j)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_witness *W = w->W;
    zki_gather_dims g;
    dims_of(L, &g);
    /* the forward pass indexes the table by them: checked here too */
    zki_status st = ids_check(L, j, w->priv ? NULL : W->t[0], W->ld[0], w->B);
    if (st)
        return zki_fail_ctx(st, "prove");
    int64_t *y = malloc(sizeof(int64_t) * ((size_t)w->B << g.lo));
    if (!y)
        return zki_fail(ZKI_ERR_NOMEM, "prove: gather node %u", j);
    zki_gather_forward(&g, W->t[0], W->ld[0], w->B, w->wts[j], w->w_bits, y);
    W->own[j + 1] = y;
    W->t[j + 1] = y;
    W->ld[j + 1] = (uint64_t)1 << g.lo;
    return ZKI_OK;
}

static zki_status no_advice(zki_walk *w, uint32_t j, int32_t *adv) { return ZKI_OK; }

static zki_status gather_prove(zki_walk *w, uint32_t j, zki_node_proof *p)
{
    zki_gather_dims g;
    const zki_claim *c;
    dims_of(&w->d->nodes[j], &g);
    size_t lb = zki_log2_ceil(w->B);
    zki_status st = zki_walk_reduce_prove(w, j, w->lay->ids[j][0],
                                          zki_int_table(w->W->t[j + 1], w->B, (uint64_t)1 << g.lo, lb, g.lo),
                                          lb + g.lo, p, &c);
    if (!st)
        st = zki_node_proof_vals(p, 1);
    zki_ext *rho = st ? NULL : zki_walk_points(w, g.ld + g.lv);
    if (!st && !rho)
        st = zki_fail(ZKI_ERR_NOMEM, "prove: points");
    zki_ext a = zki_ext_zero();
    if (!st && (st = zki_gather_prove(&g, w->W->t[0], w->W->ld[0], w->B, w->wts[j], w->w_bits, c->point, c->value,
                                      w->ts, &p->sc[0], rho, &p->val[0], &a)))
        st = zki_fail_ctx(st, "prove: node %u", j);
    return st ? st : zki_seg_claims_add(w->cw, w->vk->w_seg[j], rho, a);
}
#define GATHER_PROVER gather_witness, no_advice, gather_prove
#else
#define GATHER_PROVER NULL, NULL, NULL
#endif

const zki_gadget zki_gadget_gather = {"gather", gather_key_check, gather_layout, gather_shape, no_sites,
                                      GATHER_PROVER, gather_verify, gather_verify_cost, gather_input_check};
