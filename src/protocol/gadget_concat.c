/* CONCAT node: n_in >= 2 maps joined along channels (ops/concat.h); a row
 * of n features is the map [n][1][1] (zki_dag_part_map). Its
 * map is never committed: the claims its readers make on it are merged
 * and turned into one claim per input. Proof: the claim reduction, one
 * sum-check, values (one per input; padded in a zero-knowledge proof). */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "ops/concat.h"
#include "protocol/gadget.h"
#include "poly/mle.h"

static zki_status concat_dims(const zki_dag *d, uint32_t j, uint32_t B, zki_concat_dims *cd)
{
    const zki_dag_node *L = &d->nodes[j];
    uint64_t C[ZKI_DAG_MAX_IN];
    for (uint32_t i = 0; i < L->n_in && i < ZKI_DAG_MAX_IN; i++) {
        uint32_t t = L->in[i], c = 0, h, w;
        if (t > j || !zki_dag_part_map(d, t, &c, &h, &w))
            return zki_fail(ZKI_ERR_INPUT, "concat node %u: input %u is not a map", j, i);
        C[i] = c;
    }
    return zki_concat_dims_init(cd, B, L->n_in, C, L->H, L->W);
}

static zki_status concat_key_check(const zki_dag *d, uint32_t j)
{
    const zki_dag_node *L = &d->nodes[j];
    zki_concat_dims cd;
    int ok = L->n_in >= 2 && L->n_in <= ZKI_DAG_MAX_IN && j + 1 < d->n_nodes && L->has_bias == 0 &&
             L->w_bits == 0 && L->s == 0 && L->M == 0 && L->lo == 0 && L->hi == 0 && L->q_log == 0 &&
             L->OC == L->C && L->G == 1 && !L->KH && !L->KW && !L->sh && !L->sw && !L->dh && !L->dw && !L->pt &&
             !L->pl && !L->pb && !L->pr && zki_log2_ceil(L->C) + zki_log2_ceil(L->H) + zki_log2_ceil(L->W) <= 26 &&
             L->K == 1u << (zki_log2_ceil(L->C) + zki_log2_ceil(L->H) + zki_log2_ceil(L->W)) && L->N == L->K &&
             concat_dims(d, j, 1, &cd) == ZKI_OK && cd.total == L->C;
    for (uint32_t i = 0; ok && i < L->n_in; i++) {
        uint32_t t = L->in[i], c, h = 0, w = 0;
        ok = t <= j && zki_dag_part_map(d, t, &c, &h, &w) && h == L->H && w == L->W &&
             d->nodes[t - 1].out_bits <= L->out_bits;
    }
    return ok ? ZKI_OK : zki_fail(ZKI_ERR_INPUT, "vk: node %u (concat): inputs, map or bits", j);
}

static zki_status concat_layout(zki_advice_layout *lay, const zki_dag *d, uint32_t j, uint32_t B)
{
    lay->ids[j][0] = lay->out_id[j] = zki_layout_id(lay, ZKI_ID_INTERNAL); /* its map */
    return lay->out_id[j] == ZKI_NONE ? zki_fail(ZKI_ERR_NOMEM, "advice layout") : ZKI_OK;
}

static zki_status concat_shape(const zki_dag *d, uint32_t j, uint32_t B, zki_node_shape *s)
{
    zki_concat_dims cd;
    zki_status st = concat_dims(d, j, B, &cd);
    memset(s, 0, sizeof(*s));
    if (st)
        return st;
    s->has_red = 1;
    s->red_nvars = zki_concat_y_nvars(&cd);
    s->n_sc = 1;
    s->sc_nvars[0] = zki_concat_rounds(&cd);
    s->sc_degree[0] = 2;
    s->n_val = cd.k;
    return ZKI_OK;
}

/* The selector's eq tables: the joined channels (2^lc), one part's
 * channels (2^m) and the parts (2^lt), each entry touched once per part. */
static void concat_verify_cost(const zki_dag *d, uint32_t j, uint32_t B, uint64_t *ops, uint64_t *bytes)
{
    zki_concat_dims cd;
    if (concat_dims(d, j, 1, &cd))
        return; /* not a key that parses */
    uint64_t ent = ((uint64_t)1 << cd.lc) + ((uint64_t)1 << cd.m) + ((uint64_t)1 << cd.lt);
    *bytes += 16 * ent;
    *ops += ent + (uint64_t)cd.k * ((uint64_t)1 << cd.m);
}

static zki_status no_sites(zki_walk *w, uint32_t j) { return ZKI_OK; }

/* Per input: its point (malloc'ed together, freed by the caller). */
static zki_ext **part_points(zki_walk *w, const zki_concat_dims *cd)
{
    zki_ext **pts = malloc(sizeof(zki_ext *) * cd->k);
    for (uint32_t i = 0; pts && i < cd->k; i++)
        if (!(pts[i] = zki_walk_points(w, zki_concat_part_nvars(cd, i)))) {
            free(pts);
            return NULL;
        }
    return pts;
}

/* The input claims to their tensors (the prover's true values, or the
 * verifier's private values). */
static zki_status concat_claims(zki_walk *w, uint32_t j, zki_ext *const *pts, const zki_pv *vals)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_status st = ZKI_OK;
    for (uint32_t i = 0; !st && i < L->n_in; i++)
        st = zki_walk_claim_pv(w, L->in[i], pts[i], vals[i]);
    return st;
}

static zki_status concat_verify(zki_walk *w, uint32_t j, const zki_node_proof *p)
{
    zki_concat_dims cd;
    const zki_claim *c;
    zki_status st = concat_dims(w->d, j, w->B, &cd);
    if (!st)
        st = zki_walk_reduce_verify(w, j, w->lay->ids[j][0], zki_concat_y_nvars(&cd), p, &c);
    if (st)
        return st;
    zki_ext **pts = part_points(w, &cd);
    zki_pv vals[ZKI_DAG_MAX_IN];
    if (!pts)
        return zki_fail(ZKI_ERR_NOMEM, "verify: points");
    if (zki_concat_verify(&cd, c->point, zki_claim_pv(c), &p->sc[0], p->val, w->ts, pts, vals))
        st = zki_fail_ctx(ZKI_ERR_VERIFY, "verify: node %u (concat)", j);
    else
        st = concat_claims(w, j, pts, vals);
    free(pts);
    return st;
}

#ifndef ZKI_VERIFIER_ONLY
static zki_status concat_witness(zki_walk *w, uint32_t j)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_concat_dims cd;
    const int64_t *parts[ZKI_DAG_MAX_IN];
    zki_status st = concat_dims(w->d, j, w->B, &cd);
    if (st)
        return st;
    for (uint32_t i = 0; i < L->n_in; i++)
        parts[i] = w->W->t[L->in[i]];
    int64_t *y = zki_concat_forward(&cd, parts);
    if (!y)
        return zki_fail(ZKI_ERR_NOMEM, "prove: concat node %u", j);
    w->W->own[j + 1] = y;
    w->W->t[j + 1] = y;
    w->W->ld[j + 1] = (uint64_t)1 << zki_log2_ceil(L->N);
    return ZKI_OK;
}

static zki_status no_advice(zki_walk *w, uint32_t j, int32_t *adv) { return ZKI_OK; }

static zki_status concat_prove(zki_walk *w, uint32_t j, zki_node_proof *p)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_concat_dims cd;
    const zki_claim *c;
    const int64_t *parts[ZKI_DAG_MAX_IN];
    size_t lb = zki_log2_ceil(w->B), ln = zki_log2_ceil(L->N);
    zki_status st = concat_dims(w->d, j, w->B, &cd);
    if (!st)
        st = zki_walk_reduce_prove(w, j, w->lay->ids[j][0],
                                   zki_int_table(w->W->t[j + 1], w->B, (uint64_t)1 << ln, lb, ln),
                                   zki_concat_y_nvars(&cd), p, &c);
    if (!st)
        st = zki_node_proof_vals(p, cd.k);
    if (st)
        return st;
    for (uint32_t i = 0; i < L->n_in; i++)
        parts[i] = w->W->t[L->in[i]];
    zki_ext **pts = part_points(w, &cd);
    if (!pts)
        return zki_fail(ZKI_ERR_NOMEM, "prove: points");
    zki_ext ev[ZKI_DAG_MAX_IN];
    zki_pv vals[ZKI_DAG_MAX_IN];
    st = zki_concat_prove(&cd, parts, c->point, c->value, w->ts, &p->sc[0], p->val, pts, ev);
    for (uint32_t i = 0; !st && i < cd.k; i++)
        vals[i] = zki_pv_pub(ev[i]);
    if (!st)
        st = concat_claims(w, j, pts, vals);
    free(pts);
    return st;
}
#define CONCAT_PROVER concat_witness, no_advice, concat_prove
#else
#define CONCAT_PROVER NULL, NULL, NULL
#endif

const zki_gadget zki_gadget_concat = {"concat", concat_key_check, concat_layout, concat_shape,
                                      no_sites, CONCAT_PROVER, concat_verify, concat_verify_cost, NULL};
