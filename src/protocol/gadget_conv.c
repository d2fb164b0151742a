/* CONV node: 2-D convolution (strides, padding, dilation, groups), and
 * AveragePool, GlobalAveragePool and a map's scale alignment as depthwise
 * convs with unit weights; then requantisation. Protocol: ops/conv.h, the
 * weight claim split into committed kernel-position slices (wlayout.h).
 * Proof: the claim reduction, two or three sum-checks, values (bias, w,
 * x_im2col, x, [wf when general], slices[KH*KW]). */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/scratch.h"
#include "ops/conv.h"
#include "protocol/gadget.h"
#include "poly/mle.h"
#include "protocol/wlayout.h"

static zki_status conv_key_check(const zki_dag *d, uint32_t j)
{
    const zki_dag_node *L = &d->nodes[j];
    zki_status st = zki_requant_key_check(L, j);
    if (st)
        return st;
    zki_conv_dims cd;
    uint32_t t = L->in[0], c = 0, h = 0, w = 0;
    int ok = L->n_in == 1 && zki_dag_conv_dims(L, 1, &cd) == ZKI_OK && cd.lc + cd.lh + cd.lw <= 26 &&
             cd.loc + cd.loh + cd.low <= 26 && L->K == 1u << (cd.lc + cd.lh + cd.lw) &&
             L->N == 1u << (cd.loc + cd.loh + cd.low);
    if (ok && t == 0) /* the input image */
        ok = (uint64_t)cd.C * cd.H * cd.W == zki_dag_in_len(d);
    else if (ok)
        ok = zki_dag_out_map(&d->nodes[t - 1], &c, &h, &w) && c == L->C && h == L->H && w == L->W;
    return ok ? ZKI_OK : zki_fail(ZKI_ERR_INPUT, "vk: node %u (conv): geometry or input map", j);
}

static zki_status conv_shape(const zki_dag *d, uint32_t j, uint32_t B, zki_node_shape *s)
{
    zki_conv_dims cd;
    zki_status st = zki_dag_conv_dims(&d->nodes[j], B, &cd);
    memset(s, 0, sizeof(*s));
    if (st)
        return st;
    s->has_red = 1;
    s->red_nvars = cd.lb + cd.loc + cd.loh + cd.low;
    s->n_sc = cd.general ? 3 : 2;
    s->sc_nvars[0] = cd.lkw + cd.lkh + cd.licl + cd.lg;
    s->sc_degree[0] = cd.lg && !cd.general ? 3u : 2u;
    s->sc_nvars[1] = cd.lw + cd.lh + (cd.general ? cd.lc : 0);
    s->sc_degree[1] = 2;
    s->sc_nvars[2] = cd.general ? cd.loc : 0;
    s->sc_degree[2] = cd.general ? 2 : 0;
    s->n_val = 4 + (cd.general ? 1 : 0) + (zki_conv_one_segment(&cd) ? 0 : (uint32_t)(cd.KH * cd.KW));
    return ZKI_OK;
}

static void from_proof(const zki_conv_dims *cd, const zki_node_proof *p, zki_conv_proof *cp)
{
    memset(cp, 0, sizeof(*cp));
    cp->sc1 = p->sc[0], cp->sc2 = p->sc[1], cp->sc3 = p->sc[2];
    cp->b_eval = p->val[0], cp->w_eval = p->val[1], cp->xf_eval = p->val[2], cp->x_eval = p->val[3];
    if (cd->general)
        cp->wf_eval = p->val[4];
}

/* The slice values' place in the node proof (KH*KW < 64 of them when the
 * kernel is not one segment). */
static zki_ext *slice_vals(const zki_conv_dims *cd, const zki_node_proof *p)
{
    return p->val + 4 + (cd->general ? 1 : 0);
}

/* The slice, bias and input claims: the prover's values, or the verifier's
 * private values (sl: the slice values when the kernel is sliced). */
static zki_status conv_claims(zki_walk *w, uint32_t j, const zki_conv_dims *cd, const zki_ext *r, const zki_ext *xp,
                              const zki_ext *wp, const zki_conv_claims *cl, const zki_pv *sl)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_status st = ZKI_OK;
    if (zki_conv_one_segment(cd)) { /* the kernel is one segment: its claim is W~'s */
        st = zki_seg_claims_add_pv(w->cw, w->vk->w_seg[j], wp, cl->w);
    } else {
        for (uint32_t k = 0; !st && k < cd->KH * cd->KW; k++)
            st = zki_seg_claims_add_pv(w->cw, w->vk->w_seg[j] + k, wp + cd->lkw + cd->lkh, sl[k]);
    }
    if (!st && L->has_bias)
        st = zki_seg_claims_add_pv(w->cw, w->vk->b_seg[j], r + cd->low + cd->loh, cl->b);
    if (!st)
        st = zki_walk_claim_pv(w, L->in[0], xp, cl->x);
    return st;
}

/* The claim on W~ splits into the committed kernel-position slices s:
 * W~(wp) = sum_{ky, kx} eq(r_ky, ky) eq(r_kx, kx) s[ky][kx] (wlayout.h). */
static zki_status slices_check(zki_zk *z, const zki_conv_dims *cd, const zki_ext *wp, zki_pv w_eval,
                               const zki_pv *s)
{
    zki_ext k[ZKI_CONV_ONE_SEGMENT_TAPS];
    for (uint64_t ky = 0; ky < cd->KH; ky++)
        for (uint64_t kx = 0; kx < cd->KW; kx++)
            k[ky * cd->KW + kx] = zki_ext_mul(zki_eq_at(wp + cd->lkw, cd->lkh, ky), zki_eq_at(wp, cd->lkw, kx));
    return zki_pv_assert_eq(z, zki_pv_lin(z, cd->KH * cd->KW, k, s), w_eval, "conv weight slices");
}

static zki_status conv_verify(zki_walk *w, uint32_t j, const zki_node_proof *p)
{
    zki_conv_dims cd;
    const zki_claim *c;
    zki_status st = zki_dag_conv_dims(&w->d->nodes[j], w->B, &cd);
    if (!st)
        st = zki_walk_reduce_verify(w, j, w->lay->ids[j][0], cd.lb + cd.loc + cd.loh + cd.low, p, &c);
    if (st)
        return st;
    const zki_ext *r = c->point;
    zki_ext *xp = zki_walk_points(w, zki_conv_x_nvars(&cd));
    zki_ext *wp = zki_walk_points(w, zki_conv_w_nvars(&cd));
    zki_conv_proof cp;
    zki_conv_claims cl;
    zki_pv sl[ZKI_CONV_ONE_SEGMENT_TAPS];
    from_proof(&cd, p, &cp);
    if (!xp || !wp)
        return zki_fail(ZKI_ERR_NOMEM, "verify: points");
    if (zki_conv_verify(&cd, r, zki_claim_pv(c), &cp, w->ts, xp, wp, &cl))
        return zki_fail_ctx(ZKI_ERR_VERIFY, "verify: node %u (conv)", j);
    if (!zki_conv_one_segment(&cd)) {
        const zki_ext *sv = slice_vals(&cd, p);
        for (uint32_t k = 0; k < cd.KH * cd.KW; k++)
            sl[k] = zki_zk_recv(w->ts, "conv.wslice", sv[k]);
        if (slices_check(w->ts->zk, &cd, wp, cl.w, sl))
            return zki_fail(ZKI_ERR_VERIFY, "verify: node %u: the weight slices do not add up to the conv's weight "
                            "claim", j);
    }
    return conv_claims(w, j, &cd, r, xp, wp, &cl, sl);
}

#ifndef ZKI_VERIFIER_ONLY
static void to_proof(const zki_conv_dims *cd, const zki_conv_proof *cp, zki_node_proof *p)
{
    p->sc[0] = cp->sc1, p->sc[1] = cp->sc2, p->sc[2] = cp->sc3;
    p->val[0] = cp->b_eval, p->val[1] = cp->w_eval, p->val[2] = cp->xf_eval, p->val[3] = cp->x_eval;
    if (cd->general)
        p->val[4] = cp->wf_eval;
}

/* The input map, dense [B][C][H][W] (from the scratch pool: built twice
 * per conv, witness and proof, its pages are reused). */
static int64_t *dense_input(const zki_walk *w, const zki_conv_dims *cd, uint32_t t)
{
    int64_t *xd = zki_scratch_alloc(sizeof(int64_t) * w->B * cd->C * cd->H * cd->W);
    if (xd)
        zki_map_gather(xd, w->W->t[t], w->B, cd->C, cd->H, cd->W);
    return xd;
}

static zki_status conv_witness(zki_walk *w, uint32_t j)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_conv_dims cd;
    int64_t *acc = NULL, *xd;
    zki_status st = zki_dag_conv_dims(L, w->B, &cd);
    if (st)
        return st;
    if (!(xd = dense_input(w, &cd, L->in[0])))
        return zki_fail(ZKI_ERR_NOMEM, "prove: conv node %u", j);
    st = zki_conv_forward(&cd, xd, w->wts[j], w->w_bits, w->bias[j], &acc);
    zki_scratch_free(xd);
    if (st)
        return st;
    int64_t *accp = malloc(sizeof(int64_t) * w->B * ((size_t)1 << zki_log2_ceil(L->N)));
    if (accp)
        zki_map_scatter(accp, acc, w->B, cd.OC, cd.OH, cd.OW);
    free(acc);
    return zki_requant_witness_of(w, j, accp);
}

static zki_status conv_prove(zki_walk *w, uint32_t j, zki_node_proof *p)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_conv_dims cd;
    const zki_claim *c;
    zki_node_shape sh;
    size_t lb = zki_log2_ceil(w->B), ln = zki_log2_ceil(L->N);
    zki_status st = conv_shape(w->d, j, w->B, &sh);
    if (!st)
        st = zki_dag_conv_dims(L, w->B, &cd);
    if (!st)
        st = zki_walk_reduce_prove(w, j, w->lay->ids[j][0],
                                   zki_int_table(w->W->acc[j], w->B, (uint64_t)1 << ln, lb, ln), lb + ln, p, &c);
    if (!st)
        st = zki_node_proof_vals(p, sh.n_val);
    if (st)
        return st;
    const zki_ext *r = c->point;
    zki_ext *xp = zki_walk_points(w, zki_conv_x_nvars(&cd));
    zki_ext *wp = zki_walk_points(w, zki_conv_w_nvars(&cd));
    int64_t *xd = dense_input(w, &cd, L->in[0]);
    zki_conv_proof cp;
    zki_conv_evals ev;
    zki_ext sv[ZKI_CONV_ONE_SEGMENT_TAPS];
    zki_pv sl[ZKI_CONV_ONE_SEGMENT_TAPS];
    memset(&cp, 0, sizeof(cp));
    if (!xp || !wp || !xd)
        st = zki_fail(ZKI_ERR_NOMEM, "prove: conv node %u", j);
    else
        st = zki_conv_prove(&cd, xd, w->wts[j], w->w_bits, w->bias[j], r, c->value, w->ts, &cp, xp, wp, &ev);
    zki_scratch_free(xd);
    if (!st) {
        to_proof(&cd, &cp, p);
        if (!zki_conv_one_segment(&cd)) {
            st = zki_conv_wslices_eval(&cd, w->wts[j], w->w_bits, wp, sv);
            for (uint32_t k = 0; !st && k < cd.KH * cd.KW; k++) {
                slice_vals(&cd, p)[k] = zki_zk_send(w->ts, "conv.wslice", sv[k]);
                sl[k] = zki_pv_pub(sv[k]);
            }
        }
    } else {
        zki_conv_proof_free(&cp);
    }
    if (!st) {
        zki_conv_claims cl = {zki_pv_pub(ev.b), zki_pv_pub(ev.w), zki_pv_pub(ev.x)};
        st = conv_claims(w, j, &cd, r, xp, wp, &cl, sl);
    }
    return st;
}
#define CONV_PROVER conv_witness, zki_requant_advice, conv_prove
#else
#define CONV_PROVER NULL, NULL, NULL
#endif

const zki_gadget zki_gadget_conv = {"conv", conv_key_check, zki_requant_layout, conv_shape,
                                    zki_requant_sites, CONV_PROVER, conv_verify,
                                    zki_map_verify_cost, NULL};
