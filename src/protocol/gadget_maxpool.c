/* MAXPOOL node (one pass of at most ZKI_MAXPOOL_MAX_WINDOW elements):
 * ops/pool.h. Commits the pooled map (unless it is the public output:
 * a private output is committed too, walk.c) and the
 * window differences D_j, each range-checked in [0, 2^16); the zero-check
 * starts at a fresh point, so no claim is reduced. Proof: two sum-checks,
 * values (d[J], p, x). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "ops/pool.h"
#include "protocol/gadget.h"
#include "poly/mle.h"

static zki_status maxpool_key_check(const zki_dag *d, uint32_t j)
{
    const zki_dag_node *L = &d->nodes[j];
    zki_maxpool_dims pd;
    uint32_t t = L->in[0], c = 0, h = 0, w = 0;
    int ok = L->n_in == 1 && L->has_bias == 0 && L->w_bits == 0 && L->s == 0 && L->M == 0 && L->lo == 0 &&
             L->hi == 0 && L->q_log == 0 && t > 0 && zki_dag_out_map(&d->nodes[t - 1], &c, &h, &w) && c == L->C &&
             h == L->H && w == L->W && L->OC == L->C && L->G == 1 && d->nodes[t - 1].out_bits <= L->out_bits &&
             zki_dag_pool_dims(L, 1, &pd) == ZKI_OK && pd.lc + pd.loh + pd.low <= 26 &&
             L->K == 1u << (pd.lc + pd.lh + pd.lw) && L->N == 1u << (pd.lc + pd.loh + pd.low);
    return ok ? ZKI_OK : zki_fail(ZKI_ERR_INPUT, "vk: node %u (maxpool): fields, geometry or input map", j);
}

static zki_status maxpool_layout(zki_advice_layout *lay, const zki_dag *d, uint32_t j, uint32_t B)
{
    zki_maxpool_dims pd;
    zki_status st = zki_dag_pool_dims(&d->nodes[j], B, &pd);
    if (st)
        return st;
    size_t len = zki_log2_ceil(B) + zki_log2_ceil(d->nodes[j].N);
    uint32_t *id = lay->ids[j];
    id[0] = zki_dag_public_output(d, j) ? zki_layout_id(lay, ZKI_ID_OUTPUT) : zki_layout_advice(lay, len); /* P */
    for (uint32_t i = 0; i < pd.J; i++)
        id[1 + i] = zki_layout_advice(lay, len); /* D_i */
    for (uint32_t i = 0; i <= pd.J; i++)
        if (id[i] == ZKI_NONE)
            return zki_fail(ZKI_ERR_NOMEM, "advice layout");
    lay->out_id[j] = id[0];
    return ZKI_OK;
}

static zki_status maxpool_shape(const zki_dag *d, uint32_t j, uint32_t B, zki_node_shape *s)
{
    zki_maxpool_dims pd;
    zki_status st = zki_dag_pool_dims(&d->nodes[j], B, &pd);
    memset(s, 0, sizeof(*s));
    if (st)
        return st;
    s->n_sc = 2;
    s->sc_nvars[0] = zki_maxpool_out_nvars(&pd);
    s->sc_degree[0] = pd.J + 1;
    s->sc_nvars[1] = pd.lw + pd.lh;
    s->sc_degree[1] = 2;
    s->n_val = pd.J + 2; /* d[J], p, x */
    return ZKI_OK;
}

/* Each window difference D_j in [0, 2^16). */
static zki_status maxpool_sites(zki_walk *w, uint32_t j)
{
    zki_maxpool_dims pd;
    zki_status st = zki_dag_pool_dims(&w->d->nodes[j], w->B, &pd);
    size_t len = (size_t)w->B << zki_log2_ceil(w->d->nodes[j].N);
    const int64_t *diffs = w->W ? w->W->aux[j] : NULL;
    char name[48];
    for (uint32_t i = 0; !st && i < pd.J; i++) {
        zki_lk_col c = zki_lk_col_plain(w->lay->ids[j][1 + i], diffs ? diffs + i * len : NULL);
        snprintf(name, sizeof(name), "node %u pool difference %u", j, i);
        st = zki_lookup_add_site(w->ml->lk[0], name, len, &c, 1);
    }
    return st;
}

/* The claims on P and D at rho to their segments (P: the ledger when it is
 * the output), the claim on X to its tensor (the prover's values, or the
 * verifier's private values). */
static zki_status maxpool_claims(zki_walk *w, uint32_t j, const zki_maxpool_dims *pd, const zki_ext *rho,
                                 const zki_ext *xp, const zki_maxpool_claims *cl)
{
    const zki_advice_layout *lay = w->lay;
    const uint32_t *id = lay->ids[j];
    zki_status st = ZKI_OK;
    for (uint32_t i = 0; !st && i < pd->J; i++)
        st = zki_seg_claims_add_pv(w->ca, lay->seg_of[id[1 + i]], rho, cl->d[i]);
    if (!st)
        st = zki_walk_claim_pv(w, j + 1, rho, cl->p);
    if (!st)
        st = zki_walk_claim_pv(w, w->d->nodes[j].in[0], xp, cl->x);
    return st;
}

static zki_status maxpool_verify(zki_walk *w, uint32_t j, const zki_node_proof *p)
{
    zki_maxpool_dims pd;
    zki_status st = zki_dag_pool_dims(&w->d->nodes[j], w->B, &pd);
    if (st)
        return st;
    zki_ext *xp = zki_walk_points(w, zki_maxpool_x_nvars(&pd));
    zki_ext *rho = zki_walk_points(w, zki_maxpool_out_nvars(&pd));
    zki_maxpool_proof mp;
    zki_maxpool_claims cl;
    memset(&mp, 0, sizeof(mp));
    mp.zc = p->sc[0], mp.sc = p->sc[1];
    for (uint32_t i = 0; i < pd.J; i++)
        mp.d_eval[i] = p->val[i];
    mp.p_eval = p->val[pd.J], mp.x_eval = p->val[pd.J + 1];
    if (!xp || !rho)
        st = zki_fail(ZKI_ERR_NOMEM, "verify: points");
    else if (zki_maxpool_verify(&pd, &mp, w->ts, rho, xp, &cl))
        st = zki_fail_ctx(ZKI_ERR_VERIFY, "verify: node %u (maxpool)", j);
    else
        st = maxpool_claims(w, j, &pd, rho, xp, &cl);
    return st;
}

#ifndef ZKI_VERIFIER_ONLY
/* P and D dense from the padded input (malloc'ed). */
static zki_status pool_dense(zki_walk *w, uint32_t j, zki_maxpool_dims *pd, int64_t **xd, int64_t **P, int64_t **D)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_status st = zki_dag_pool_dims(L, w->B, pd);
    if (st)
        return st;
    *xd = malloc(sizeof(int64_t) * w->B * pd->C * pd->H * pd->W);
    if (!*xd)
        return zki_fail(ZKI_ERR_NOMEM, "prove: pool node %u", j);
    zki_map_gather(*xd, w->W->t[L->in[0]], w->B, pd->C, pd->H, pd->W);
    return zki_maxpool_forward(pd, *xd, P, D);
}

static zki_status maxpool_witness(zki_walk *w, uint32_t j)
{
    zki_maxpool_dims pd;
    int64_t *xd = NULL, *P = NULL, *D = NULL;
    zki_status st = pool_dense(w, j, &pd, &xd, &P, &D);
    free(xd);
    uint64_t np = (uint64_t)1 << zki_log2_ceil(w->d->nodes[j].N), no = pd.B * pd.C * pd.OH * pd.OW;
    int64_t *py = st ? NULL : malloc(sizeof(int64_t) * w->B * np);
    int64_t *pdiff = st ? NULL : malloc(sizeof(int64_t) * w->B * np * pd.J);
    if (py && pdiff) {
        zki_map_scatter(py, P, w->B, pd.C, pd.OH, pd.OW);
        for (uint32_t i = 0; i < pd.J; i++)
            zki_map_scatter(pdiff + i * w->B * np, D + i * no, w->B, pd.C, pd.OH, pd.OW);
    }
    free(P);
    free(D);
    if (!st && (!py || !pdiff))
        st = zki_fail(ZKI_ERR_NOMEM, "prove: pool node %u", j);
    w->W->own[j + 1] = py;
    w->W->aux[j] = pdiff;
    if (st)
        return st;
    w->W->t[j + 1] = py;
    w->W->ld[j + 1] = np;
    return ZKI_OK;
}

static zki_status maxpool_advice(zki_walk *w, uint32_t j, int32_t *adv)
{
    const zki_advice_layout *lay = w->lay;
    const uint32_t *id = lay->ids[j];
    size_t n = (size_t)w->B << zki_log2_ceil(w->d->nodes[j].N);
    zki_maxpool_dims pd;
    zki_status st = zki_dag_pool_dims(&w->d->nodes[j], w->B, &pd);
    if (st)
        return st;
    if (lay->seg_of[id[0]] != ZKI_NONE)
        zki_put_i32(adv + lay->pack.off[lay->seg_of[id[0]]], w->W->t[j + 1], n);
    for (uint32_t i = 0; i < pd.J; i++)
        zki_put_i32(adv + lay->pack.off[lay->seg_of[id[1 + i]]], w->W->aux[j] + i * n, n);
    return ZKI_OK;
}

/* The input, P and D dense from the witness (P and D as committed, so
 * the sub-proof is about the witness the prover holds). */
static zki_status witness_dense(zki_walk *w, uint32_t j, zki_maxpool_dims *pd, int64_t **xd, int64_t **P,
                                int64_t **D)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_status st = zki_dag_pool_dims(L, w->B, pd);
    if (st)
        return st;
    uint64_t n = (uint64_t)w->B << zki_log2_ceil(L->N), no = pd->B * pd->C * pd->OH * pd->OW;
    *xd = malloc(sizeof(int64_t) * w->B * pd->C * pd->H * pd->W);
    *P = malloc(sizeof(int64_t) * no);
    *D = malloc(sizeof(int64_t) * no * pd->J);
    if (!*xd || !*P || !*D)
        return zki_fail(ZKI_ERR_NOMEM, "prove: pool node %u", j);
    zki_map_gather(*xd, w->W->t[L->in[0]], w->B, pd->C, pd->H, pd->W);
    zki_map_gather(*P, w->W->t[j + 1], w->B, pd->C, pd->OH, pd->OW);
    for (uint32_t i = 0; i < pd->J; i++)
        zki_map_gather(*D + i * no, w->W->aux[j] + i * n, w->B, pd->C, pd->OH, pd->OW);
    return ZKI_OK;
}

static zki_status maxpool_prove(zki_walk *w, uint32_t j, zki_node_proof *p)
{
    zki_maxpool_dims pd;
    int64_t *xd = NULL, *P = NULL, *D = NULL;
    zki_status st = witness_dense(w, j, &pd, &xd, &P, &D);
    zki_ext *xp = st ? NULL : zki_walk_points(w, zki_maxpool_x_nvars(&pd));
    zki_ext *rho = st ? NULL : zki_walk_points(w, zki_maxpool_out_nvars(&pd));
    zki_maxpool_proof mp;
    zki_maxpool_evals ev;
    memset(&mp, 0, sizeof(mp));
    if (!st && (!xp || !rho))
        st = zki_fail(ZKI_ERR_NOMEM, "prove: pool node %u", j);
    if (!st)
        st = zki_node_proof_vals(p, pd.J + 2);
    if (!st)
        st = zki_maxpool_prove(&pd, xd, P, D, w->ts, &mp, rho, xp, &ev);
    if (!st) {
        zki_maxpool_claims cl;
        p->sc[0] = mp.zc, p->sc[1] = mp.sc;
        for (uint32_t i = 0; i < pd.J; i++) {
            p->val[i] = mp.d_eval[i];
            cl.d[i] = zki_pv_pub(ev.d[i]);
        }
        p->val[pd.J] = mp.p_eval, p->val[pd.J + 1] = mp.x_eval;
        cl.p = zki_pv_pub(ev.p), cl.x = zki_pv_pub(ev.x);
        st = maxpool_claims(w, j, &pd, rho, xp, &cl);
    }
    free(xd);
    free(P);
    free(D);
    return st;
}
#define MAXPOOL_PROVER maxpool_witness, maxpool_advice, maxpool_prove
#else
#define MAXPOOL_PROVER NULL, NULL, NULL
#endif

const zki_gadget zki_gadget_maxpool = {"maxpool", maxpool_key_check, maxpool_layout, maxpool_shape,
                                       maxpool_sites, MAXPOOL_PROVER, maxpool_verify,
                                       zki_map_verify_cost, NULL};
