#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "poly/mle.h"
#include "prover/open_tables.h"
#include "prover/wlayout.h"
#include "verifier/verifier.h"

#define ID_ACC(l) (8u * (l))
#define ID_Y(l) (8u * (l) + 2)

zki_status zki_verify(const zki_vk *vk, const int64_t *X, uint32_t B, const zki_proof *pf)
{
    const zki_dag *a = &vk->dag;
    uint32_t L = a->n_nodes;
    zki_status st;
    if ((st = zki_proof_check_key(pf, vk)))
        return zki_fail_ctx(st, "verify");
    if (pf->n_nodes != L || pf->out_n != zki_dag_out_len(a) || !pf->red || !pf->mm ||
        !pf->output || !pf->lk)
        return zki_fail(ZKI_ERR_VERIFY, "verify: the proof's shape does not match the key");
    if (pf->B != B || B < 1 || B > ZKI_MAX_BATCH)
        return zki_fail(ZKI_ERR_VERIFY, "verify: the proof is for a batch of %u, the input has %u",
                        pf->B, B);
    if (!X && !pf->private_input)
        return zki_fail(ZKI_ERR_VERIFY, "verify: the proof has a public input and none was given");
    if (X && pf->private_input)
        return zki_fail(ZKI_ERR_VERIFY, "verify: the proof commits its input; verify without --input");
    if ((st = zki_proof_check_input(pf, vk, X, B)))
        return zki_fail_ctx(st, "verify");
    /* a public input outside the input's bit range would leave the bounds
     * the requant relations rely on (acc could wrap mod p): reject it, as
     * the prover does and as the private input's range lookups do */
    int64_t ilim = (int64_t)1 << (a->in_bits - 1);
    for (uint64_t i = 0; X && i < (uint64_t)B * zki_dag_in_len(a); i++)
        if (X[i] < -ilim || X[i] >= ilim)
            return zki_fail(ZKI_ERR_VERIFY, "verify: input %llu outside the %u-bit range",
                            (unsigned long long)i, a->in_bits);
    int64_t olim = (int64_t)1 << (a->out_bits - 1);
    for (uint64_t i = 0; i < (uint64_t)B * pf->out_n; i++)
        if (pf->output[i] < -olim || pf->output[i] >= olim)
            return zki_fail(ZKI_ERR_VERIFY, "verify: output %llu outside the %u-bit range",
                            (unsigned long long)i, a->out_bits);
    zki_advice_layout lay;
    st = zki_advice_layout_init(&lay, a, B, (int)pf->private_input);
    if (st)
        return st;
    /* the advice commitment's parameters set the opening's cost: the key
     * fixes them, checked before anything is allocated for the proof */
    if ((st = zki_advice_commitment_check(vk, &lay, &pf->acom, ZKI_ERR_VERIFY))) {
        zki_advice_layout_free(&lay);
        return st;
    }
    size_t lb = zki_log2_ceil(B);
    uint32_t nlk = 1 + lay.n_maps;
    zki_transcript ts = {0};
    zki_ledger led;
    zki_ledger_init(&led);
    zki_model_lookups mlk = {0};
    zki_lookup **lk = NULL;
    zki_ext **pts = calloc(2 * (size_t)L, sizeof(zki_ext *));
    zki_seg_claims cw = {0}, ca = {0};
    zki_fe *tab = NULL;
    if (!pts) {
        st = zki_fail(ZKI_ERR_NOMEM, "verify");
        goto out;
    }
    if (pf->n_lookups != nlk) {
        st = zki_fail(ZKI_ERR_VERIFY, "verify: %u lookup proofs, the key needs %u", pf->n_lookups, nlk);
        goto out;
    }
    /* the same lookup instances and sites as the prover, without data */
    if ((st = zki_model_lookups_init(&mlk, a, &lay)) ||
        (st = zki_model_lookup_sites(&mlk, a, &lay, B, (int)pf->private_input)))
        goto out;
    lk = mlk.lk;
    if ((st = zki_statement_bind(&ts, vk, B, (int)pf->private_input, X, pf->output, &pf->acom)))
        goto out;
    for (uint32_t j = 0; j < nlk; j++)
        if ((st = zki_lookup_verify(lk[j], &ts, &pf->lk[j], &led))) {
            st = zki_fail_ctx(ZKI_ERR_VERIFY, "verify: lookup %u", j);
            goto out;
        }
    for (uint32_t l = L; l-- > 0;) {
        const zki_dag_node *Ly = &a->nodes[l];
        if (Ly->kind == ZKI_NODE_MAXPOOL) {
            zki_maxpool_dims pd;
            if (!pf->mp || l == 0 || (st = zki_dag_pool_dims(Ly, B, &pd))) {
                st = zki_fail(ZKI_ERR_VERIFY, "verify: layer %u: no pool proof", l);
                goto out;
            }
            zki_ext *xp = pts[2 * l] = malloc(sizeof(zki_ext) * (zki_maxpool_x_nvars(&pd) + 1));
            zki_ext *rp = pts[2 * l + 1] = malloc(sizeof(zki_ext) * (zki_maxpool_out_nvars(&pd) + 1));
            if (!xp || !rp) {
                st = zki_fail(ZKI_ERR_NOMEM, "verify: points");
                goto out;
            }
            if ((st = zki_maxpool_verify(&pd, &pf->mp[l], &ts, rp, xp))) {
                st = zki_fail_ctx(ZKI_ERR_VERIFY, "verify: layer %u", l);
                goto out;
            }
            for (uint32_t j = 0; !st && j < pd.J; j++)
                st = zki_seg_claims_add(&ca, lay.limb[4 * l + j], rp, pf->mp[l].d_eval[j]);
            if (!st && lay.y[l] != ZKI_NONE)
                st = zki_seg_claims_add(&ca, lay.y[l], rp, pf->mp[l].p_eval);
            else if (!st) /* the public output: checked with the output's other claims */
                st = zki_ledger_add(&led, ID_Y(l), rp, zki_maxpool_out_nvars(&pd), pf->mp[l].p_eval);
            if (!st)
                st = zki_claim_layer_output(a, &lay, B, l - 1, xp, pf->mp[l].x_eval, &ca, &led);
            if (st)
                goto out;
            continue;
        }
        size_t lnv = zki_log2_ceil(Ly->N);
        /* a CONCAT layer's claims are on its (uncommitted) map */
        uint32_t cid = Ly->kind == ZKI_NODE_CONCAT ? ZKI_ID_MAP(l) : ID_ACC(l);
        size_t k_acc = zki_ledger_count(&led, cid);
        if ((st = zki_ledger_reduce_verify(&led, cid, &pf->red[l], &ts))) {
            st = zki_fail_ctx(ZKI_ERR_VERIFY, "verify: layer %u claim reduction", l);
            goto out;
        }
        const zki_claim *c = zki_ledger_get(&led, cid);
        if (!c || c->nvars != lb + lnv) {
            st = zki_fail(ZKI_ERR_VERIFY, "verify: no claim on the accumulators of layer %u", l);
            goto out;
        }
        /* one claim passes through: the proof's copy must be that claim (no
         * malleable bytes) */
        if (k_acc == 1 && (pf->red[l].sc.nvars != 0 || pf->red[l].sc.degree != 0 ||
                           !zki_ext_eq(pf->red[l].f_at_rho, c->value))) {
            st = zki_fail(ZKI_ERR_VERIFY, "verify: layer %u: a claim reduction where none is due", l);
            goto out;
        }
        const zki_ext *r = c->point, *bpt = r;
        zki_ext xe, we, be;
        size_t xnv;
        if (Ly->kind == ZKI_NODE_CONCAT) {
            /* the map's claim becomes one on each input (checked there) */
            zki_concat_dims cd;
            uint32_t ca_ = 0, cb_ = 0, h_, w_;
            if (!zki_dag_out_map(&a->nodes[Ly->sa], &ca_, &h_, &w_) ||
                !zki_dag_out_map(&a->nodes[Ly->sb], &cb_, &h_, &w_) ||
                zki_concat_dims_init(&cd, B, ca_, cb_, Ly->H, Ly->W) || c->nvars != zki_concat_y_nvars(&cd)) {
                st = zki_fail(ZKI_ERR_VERIFY, "verify: layer %u: concat geometry", l);
                goto out;
            }
            zki_ext *ap = pts[2 * l] = malloc(sizeof(zki_ext) * (zki_concat_a_nvars(&cd) + 1));
            zki_ext *bp = pts[2 * l + 1] = malloc(sizeof(zki_ext) * (zki_concat_b_nvars(&cd) + 1));
            if (!ap || !bp) {
                st = zki_fail(ZKI_ERR_NOMEM, "verify: points");
                goto out;
            }
            zki_concat_proof cp = {pf->mm[l].sc, pf->mm[l].x_eval, pf->mm[l].w_eval};
            if ((st = zki_concat_verify(&cd, r, c->value, &cp, &ts, ap, bp))) {
                st = zki_fail_ctx(ZKI_ERR_VERIFY, "verify: layer %u", l);
                goto out;
            }
            st = zki_claim_layer_output(a, &lay, B, Ly->sa, ap, cp.a_eval, &ca, &led);
            if (!st)
                st = zki_claim_layer_output(a, &lay, B, Ly->sb, bp, cp.b_eval, &ca, &led);
            if (st)
                goto out;
            continue;
        }
        if (Ly->kind == ZKI_NODE_ADD) {
            /* acc(r) = Ma y_sa(r) + Mb y_sb(r), the two claims to the opening */
            zki_ext ea = pf->mm[l].x_eval, eb = pf->mm[l].w_eval;
            zki_ext sum = zki_ext_add(zki_ext_scale(ea, zki_fe_from_i64(Ly->Ma)),
                                      zki_ext_scale(eb, zki_fe_from_i64(Ly->Mb)));
            if (!zki_ext_eq(sum, c->value)) {
                st = zki_fail(ZKI_ERR_VERIFY, "verify: layer %u: the add's input claims do not sum to its "
                              "accumulator claim", l);
                goto out;
            }
            zki_ts_absorb_ext(&ts, "add.a", ea);
            zki_ts_absorb_ext(&ts, "add.b", eb);
            st = zki_claim_layer_output(a, &lay, B, Ly->sa, r, ea, &ca, &led);
            if (!st)
                st = zki_claim_layer_output(a, &lay, B, Ly->sb, r, eb, &ca, &led);
            if (st)
                goto out;
            continue;
        }
        if (Ly->kind == ZKI_NODE_CONV) {
            zki_conv_dims cd;
            if (!pf->cv || (st = zki_dag_conv_dims(Ly, B, &cd))) {
                st = zki_fail(ZKI_ERR_VERIFY, "verify: layer %u: no conv proof", l);
                goto out;
            }
            xnv = zki_conv_x_nvars(&cd);
            zki_ext *xp = pts[2 * l] = malloc(sizeof(zki_ext) * (xnv + 1));
            zki_ext *wp = pts[2 * l + 1] = malloc(sizeof(zki_ext) * (zki_conv_w_nvars(&cd) + 1));
            if (!xp || !wp) {
                st = zki_fail(ZKI_ERR_NOMEM, "verify: points");
                goto out;
            }
            if ((st = zki_conv_verify(&cd, r, c->value, &pf->cv[l], &ts, xp, wp))) {
                st = zki_fail_ctx(ZKI_ERR_VERIFY, "verify: layer %u", l);
                goto out;
            }
            /* the claim on W~ splits into the committed kernel-position slices */
            if (!pf->wsl || !pf->wsl_n || pf->wsl_n[l] != cd.KH * cd.KW || !pf->wsl[l] ||
                !zki_conv_wslices_check(&cd, wp, pf->cv[l].w_eval, pf->wsl[l])) {
                st = zki_fail(ZKI_ERR_VERIFY, "verify: layer %u: the weight slices do not add up to the "
                              "conv's weight claim", l);
                goto out;
            }
            for (uint32_t k = 0; k < pf->wsl_n[l]; k++) {
                zki_ts_absorb_ext(&ts, "conv.wslice", pf->wsl[l][k]);
                if ((st = zki_seg_claims_add(&cw, vk->w_seg[l] + k, wp + cd.lkw + cd.lkh, pf->wsl[l][k])))
                    goto out;
            }
            bpt = r + cd.low + cd.loh;
            xe = pf->cv[l].x_eval, we = pf->cv[l].w_eval, be = pf->cv[l].b_eval;
        } else {
            zki_matmul_dims d;
            zki_matmul_dims_init(&d, B, Ly->K, Ly->N, Ly->has_bias);
            xnv = d.lk + d.lb;
            zki_ext *xp = pts[2 * l] = malloc(sizeof(zki_ext) * (d.lk + d.lb + 1));
            zki_ext *wp = pts[2 * l + 1] = malloc(sizeof(zki_ext) * (d.lk + d.ln + 1));
            if (!xp || !wp) {
                st = zki_fail(ZKI_ERR_NOMEM, "verify: points");
                goto out;
            }
            if ((st = zki_matmul_verify(&d, r, c->value, &pf->mm[l], &ts, xp, wp))) {
                st = zki_fail_ctx(ZKI_ERR_VERIFY, "verify: layer %u", l);
                goto out;
            }
            xe = pf->mm[l].x_eval, we = pf->mm[l].w_eval, be = pf->mm[l].b_eval;
        }
        const zki_ext *xp = pts[2 * l], *wp = pts[2 * l + 1];
        st = Ly->kind == ZKI_NODE_CONV ? ZKI_OK : zki_seg_claims_add(&cw, vk->w_seg[l], wp, we);
        if (!st && Ly->has_bias)
            st = zki_seg_claims_add(&cw, vk->b_seg[l], bpt, be);
        if (st)
            goto out;
        if (Ly->xin > 0) { /* l - 1, or a shortcut conv's or concat branch's source */
            if ((st = zki_claim_layer_output(a, &lay, B, Ly->xin - 1, xp, xe, &ca, &led)))
                goto out;
        } else if (pf->private_input) {
            if ((st = zki_seg_claims_add(&ca, lay.x0, xp, xe)))
                goto out;
        } else {
            /* the public input, in the layout layer 0 reads it */
            size_t lk0 = xnv - lb;
            int64_t *x0p = zki_dag_pad_input(a, X, B);
            tab = x0p ? zki_int_table(x0p, B, (uint64_t)1 << lk0, lb, lk0) : NULL;
            free(x0p);
            if (!tab) {
                st = zki_fail(ZKI_ERR_NOMEM, "verify: input table");
                goto out;
            }
            int ok = zki_ext_eq(zki_mle_eval_base(tab, lb + lk0, xp), xe);
            free(tab);
            tab = NULL;
            if (!ok) {
                st = zki_fail(ZKI_ERR_VERIFY, "verify: the claim on the input does not match the input");
                goto out;
            }
        }
    }
    /* the public output's claims, evaluated here; the rest go to the opening */
    {
        size_t lnL = zki_log2_ceil(a->nodes[L - 1].N);
        uint32_t oc, oh, ow;
        if (a->nodes[L - 1].kind != ZKI_NODE_LINEAR && zki_dag_out_map(&a->nodes[L - 1], &oc, &oh, &ow)) {
            /* a final map: the dense output scattered into its padded layout */
            int64_t *padded = malloc(sizeof(int64_t) * B * ((size_t)1 << lnL));
            if (padded)
                zki_map_scatter(padded, pf->output, B, oc, oh, ow);
            tab = padded ? zki_int_table(padded, B, (uint64_t)1 << lnL, lb, lnL) : NULL;
            free(padded);
        } else {
            tab = zki_int_table(pf->output, B, a->nodes[L - 1].N, lb, lnL);
        }
        if (!tab) {
            st = zki_fail(ZKI_ERR_NOMEM, "verify: output table");
            goto out;
        }
        for (size_t i = 0; i < led.n; i++) {
            const zki_claim *c = &led.items[i];
            if (c->tensor == ID_Y(L - 1)) {
                if (c->nvars != lb + lnL ||
                    !zki_ext_eq(zki_mle_eval_base(tab, lb + lnL, c->point), c->value)) {
                    st = zki_fail(ZKI_ERR_VERIFY, "verify: a lookup claim on the output does not "
                                  "match the output");
                    goto out;
                }
                continue;
            }
            uint32_t ai = zki_advice_of_tensor(&lay, a, c->tensor);
            if (ai == ZKI_NONE) {
                if (c->tensor % 8 == 0 && c->tensor < 8 * L)
                    continue; /* accumulators: consumed by the matmuls */
                if (c->tensor < 8 * L && c->tensor == ZKI_ID_MAP(c->tensor / 8) &&
                    a->nodes[c->tensor / 8].kind == ZKI_NODE_CONCAT)
                    continue; /* a concat's map: consumed by the walk (its readers come after it) */
                st = zki_fail(ZKI_ERR_VERIFY, "verify: a claim on unknown tensor %u", c->tensor);
                goto out;
            }
            if ((st = zki_seg_claims_add(&ca, ai, c->point, c->value)))
                goto out;
        }
    }
    /* the weight and advice claims to one opening */
    {
        zki_table_claims job[2] = {{&vk->wpack, NULL, &cw}, {&lay.pack, NULL, &ca}};
        const zki_pcs_commitment *coms[2] = {&vk->wcom, &pf->acom};
        st = zki_tables_open_verify(&ts, job, coms, pf);
    }
out:
    if (pts)
        for (uint32_t i = 0; i < 2 * L; i++)
            free(pts[i]);
    zki_model_lookups_free(&mlk);
    free(pts);
    zki_seg_claims_free(&cw);
    zki_seg_claims_free(&ca);
    free(tab);
    zki_ledger_free(&led);
    zki_advice_layout_free(&lay);
    if (ts.h)
        zki_ts_free(&ts);
    return st;
}
