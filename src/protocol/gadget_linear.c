/* LINEAR node: Gemm / MatMul with committed weights, then requantisation.
 * Protocol: ops/matmul.h, the claim on the accumulators (merged from the
 * lookups) becomes claims on the input, the weights and the bias. Proof:
 * the claim reduction, one sum-check, values (bias, x, w). */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "ops/matmul.h"
#include "protocol/gadget.h"
#include "poly/mle.h"

static zki_status linear_dims(const zki_dag *d, uint32_t j, uint32_t B, zki_matmul_dims *md)
{
    const zki_dag_node *L = &d->nodes[j];
    return zki_matmul_dims_init(md, B, L->K, L->N, (int)L->has_bias);
}

static zki_status linear_key_check(const zki_dag *d, uint32_t j)
{
    const zki_dag_node *L = &d->nodes[j];
    zki_status st = zki_requant_key_check(L, j);
    if (st)
        return st;
    uint32_t t = L->in[0], c = 0, h = 0, w = 0;
    int map = t > 0 && zki_dag_out_map(&d->nodes[t - 1], &c, &h, &w);
    int ok = L->n_in == 1 && L->KH == 0 && L->KW == 0 && L->OC == 0 && L->G == 0 && L->sh == 0 && L->sw == 0 &&
             L->dh == 0 && L->dw == 0 && L->pt == 0 && L->pl == 0 && L->pb == 0 && L->pr == 0;
    if (map) /* a flattened map: columns at their padded positions */
        ok = ok && L->C == c && L->H == h && L->W == w && L->K == d->nodes[t - 1].N;
    else
        ok = ok && L->C == 0 && L->H == 0 && L->W == 0 &&
             (uint64_t)L->K == (t == 0 ? zki_dag_in_len(d) : d->nodes[t - 1].N);
    if (!ok)
        return zki_fail(ZKI_ERR_INPUT, "vk: node %u (linear): input size or geometry", j);
    if (((uint64_t)L->K * L->N >> 20) > ((uint64_t)1 << (ZKI_PCS_MAX_LOG_LEN - 20)))
        return zki_fail(ZKI_ERR_INPUT, "vk: node %u (linear): %u x %u weights exceed the commitment", j, L->K,
                        L->N);
    return ZKI_OK;
}

static zki_status linear_shape(const zki_dag *d, uint32_t j, uint32_t B, zki_node_shape *s)
{
    zki_matmul_dims md;
    zki_status st = linear_dims(d, j, B, &md);
    memset(s, 0, sizeof(*s));
    s->has_red = 1;
    s->red_nvars = md.lb + md.ln;
    s->n_sc = 1;
    s->sc_nvars[0] = md.lk;
    s->sc_degree[0] = 2;
    s->n_val = 3; /* bias, x, w */
    return st;
}

/* The weight and bias claims to the opening, the input claim to its
 * tensor (the prover's values, or the verifier's private values). */
static zki_status linear_claims(zki_walk *w, uint32_t j, const zki_ext *r, const zki_ext *xp, const zki_ext *wp,
                                const zki_matmul_claims *cl)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_status st = zki_seg_claims_add_pv(w->cw, w->vk->w_seg[j], wp, cl->w);
    if (!st && L->has_bias)
        st = zki_seg_claims_add_pv(w->cw, w->vk->b_seg[j], r, cl->b);
    if (!st)
        st = zki_walk_claim_pv(w, L->in[0], xp, cl->x);
    return st;
}

static zki_status linear_verify(zki_walk *w, uint32_t j, const zki_node_proof *p)
{
    zki_matmul_dims md;
    const zki_claim *c;
    zki_status st = linear_dims(w->d, j, w->B, &md);
    if (!st)
        st = zki_walk_reduce_verify(w, j, w->lay->ids[j][0], md.lb + md.ln, p, &c);
    if (st)
        return st;
    const zki_ext *r = c->point;
    zki_ext *xp = zki_walk_points(w, md.lk + md.lb), *wp = zki_walk_points(w, md.lk + md.ln);
    zki_matmul_proof mm = {p->sc[0], p->val[1], p->val[2], p->val[0]};
    zki_matmul_claims cl;
    if (!xp || !wp)
        st = zki_fail(ZKI_ERR_NOMEM, "verify: points");
    else if (zki_matmul_verify(&md, r, zki_claim_pv(c), &mm, w->ts, xp, wp, &cl))
        st = zki_fail_ctx(ZKI_ERR_VERIFY, "verify: node %u (linear)", j);
    else
        st = linear_claims(w, j, r, xp, wp, &cl);
    return st;
}

#ifndef ZKI_VERIFIER_ONLY
static zki_status linear_witness(zki_walk *w, uint32_t j)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_witness *W = w->W;
    zki_matmul_dims md;
    int64_t *acc = NULL;
    uint32_t t = L->in[0];
    zki_status st = linear_dims(w->d, j, w->B, &md);
    if (!st)
        st = zki_matmul_forward(&md, W->t[t], W->ld[t], w->wts[j], w->w_bits, (uint64_t)1 << md.lk,
                                w->bias[j], &acc);
    if (st)
        return st;
    uint64_t np = (uint64_t)1 << md.ln;
    int64_t *accp = calloc((size_t)w->B * np, sizeof(int64_t));
    for (uint64_t b = 0; accp && b < w->B; b++)
        memcpy(accp + b * np, acc + b * L->N, sizeof(int64_t) * L->N);
    free(acc);
    return zki_requant_witness_of(w, j, accp);
}

static zki_status linear_prove(zki_walk *w, uint32_t j, zki_node_proof *p)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_witness *W = w->W;
    zki_matmul_dims md;
    const zki_claim *c;
    zki_status st = linear_dims(w->d, j, w->B, &md);
    if (!st)
        st = zki_walk_reduce_prove(w, j, w->lay->ids[j][0],
                                   zki_int_table(W->acc[j], w->B, (uint64_t)1 << md.ln, md.lb, md.ln),
                                   md.lb + md.ln, p, &c);
    if (!st)
        st = zki_node_proof_vals(p, 3);
    if (st)
        return st;
    const zki_ext *r = c->point;
    zki_ext *xp = zki_walk_points(w, md.lk + md.lb), *wp = zki_walk_points(w, md.lk + md.ln);
    zki_matmul_proof mm;
    memset(&mm, 0, sizeof(mm));
    zki_matmul_evals ev;
    uint32_t t = L->in[0];
    if (!xp || !wp)
        st = zki_fail(ZKI_ERR_NOMEM, "prove: points");
    else
        st = zki_matmul_prove(&md, W->t[t], W->ld[t], w->wts[j], w->w_bits, (uint64_t)1 << md.lk,
                              w->bias[j], r, c->value, w->ts, &mm, xp, wp, &ev);
    if (!st) {
        p->sc[0] = mm.sc;
        p->val[0] = mm.b_eval, p->val[1] = mm.x_eval, p->val[2] = mm.w_eval;
        zki_matmul_claims cl = {zki_pv_pub(ev.b), zki_pv_pub(ev.x), zki_pv_pub(ev.w)};
        st = linear_claims(w, j, r, xp, wp, &cl);
    }
    return st;
}
#define LINEAR_PROVER linear_witness, zki_requant_advice, linear_prove
#else
#define LINEAR_PROVER NULL, NULL, NULL
#endif

const zki_gadget zki_gadget_linear = {"linear", linear_key_check, zki_requant_layout, linear_shape,
                                      zki_requant_sites, LINEAR_PROVER, linear_verify, NULL, NULL};
