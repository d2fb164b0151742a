/* The verifier's walk (protocol/verify_walk.h): the statement's binding,
 * the lookups, every node's gadget from the output back to the input, the
 * public input and output evaluated here, one opening of the weight and
 * advice tables. Written once for the verifier and for the prover's replay
 * of it (zero knowledge). */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "poly/mle.h"
#include "protocol/argmax.h"
#include "protocol/gadget.h"
#include "protocol/open_tables.h"
#include "protocol/verify_walk.h"
#include "protocol/zk_session.h"

/* MLE table of the public input or output in the padded layout the
 * proof's tensor has (malloc'ed). */
static zki_fe *public_table(const zki_dag *a, uint32_t B, const int64_t *X, const int64_t *Y, int output)
{
    uint32_t L = a->n_nodes, c, h, w;
    size_t lb = zki_log2_ceil(B), ln = zki_walk_log_len(a, output ? L : 0);
    int64_t *padded = NULL;
    if (!output) {
        padded = zki_dag_pad_input(a, X, B);
    } else if (zki_dag_out_map(&a->nodes[L - 1], &c, &h, &w)) {
        /* a final map: the dense output scattered into its padded layout */
        if ((padded = malloc(sizeof(int64_t) * B * ((size_t)1 << ln))))
            zki_map_scatter(padded, Y, B, c, h, w);
    } else {
        return zki_int_table(Y, B, a->nodes[L - 1].N, lb, ln);
    }
    zki_fe *tab = padded ? zki_int_table(padded, B, (uint64_t)1 << ln, lb, ln) : NULL;
    free(padded);
    return tab;
}

/* What is left in the ledger: claims on committed advice (a private
 * input's and output's too) to the opening, claims on the public input and
 * output evaluated here; internal tensors were reduced by their nodes. */
static zki_status settle_ledger(zki_walk *w, const int64_t *X, const int64_t *Y)
{
    zki_fe *tab[2] = {NULL, NULL}; /* input, output */
    zki_status st = ZKI_OK;
    for (size_t i = 0; !st && i < w->led->n; i++) {
        const zki_claim *c = &w->led->items[i];
        uint32_t id = c->tensor;
        uint8_t role = id < w->lay->n_ids ? w->lay->role[id] : ZKI_ID_INTERNAL;
        if (id >= w->lay->n_ids) {
            st = zki_fail(ZKI_ERR_VERIFY, "verify: a claim on unknown tensor %u", id);
        } else if (role == ZKI_ID_ADVICE) {
            st = zki_seg_claims_add_pv(w->ca, w->lay->seg_of[id], c->point, zki_claim_pv(c));
        } else if (role == ZKI_ID_OUTPUT || role == ZKI_ID_INPUT) {
            int out = role == ZKI_ID_OUTPUT;
            size_t nv = zki_log2_ceil(w->B) + zki_walk_log_len(w->d, out ? w->d->n_nodes : 0);
            if (!(out ? Y : X)) /* a committed tensor has no such id (walk.c) */
                st = zki_fail(ZKI_ERR_VERIFY, "verify: a public claim on the committed %s", out ? "output" : "input");
            else if (!tab[out] && !(tab[out] = public_table(w->d, w->B, X, Y, out)))
                st = zki_fail(ZKI_ERR_NOMEM, "verify: public table");
            else if (c->nvars != nv ||
                     zki_pv_assert_eq(w->ts->zk, zki_claim_pv(c),
                                      zki_pv_pub(zki_mle_eval_base(tab[out], nv, c->point)),
                                      out ? "verify: a claim on the output" : "verify: a claim on the input"))
                st = zki_fail(ZKI_ERR_VERIFY, "verify: a claim on the %s does not match it",
                              out ? "output" : "input");
        }
    }
    free(tab[0]);
    free(tab[1]);
    return st;
}

zki_status zki_verify_walk(const zki_vk *vk, const int64_t *X, uint32_t B, const zki_proof *pf, zki_zk *zk,
                           zki_transcript *ts)
{
    memset(ts, 0, sizeof(*ts));
    zki_dag dv;
    zki_argmax_view(&vk->dag, pf->gen_n > 0, &dv);
    const zki_dag *a = &dv;
    zki_advice_layout lay;
    zki_status st;
    if (pf->gen_n && pf->private_output) /* a generation hides its output by the argmax */
        return zki_fail(ZKI_ERR_VERIFY, "verify: a generation proof with a private output");
    if ((st = zki_advice_layout_init(&lay, a, B, zki_proof_priv(pf))))
        return st;
    zki_ledger led;
    zki_ledger_init(&led);
    zki_model_lookups mlk = {0};
    zki_seg_claims cw = {0}, ca = {0};
    zki_walk w = {vk, a, B, (int)pf->private_input, &lay, &mlk, ts, &led, &cw, &ca, NULL, NULL, NULL, 0, NULL, 0, 0,
                  X, NULL};
    /* the advice commitment's parameters set the opening's cost: the key
     * fixes them, checked before anything is allocated for the proof */
    if ((st = zki_advice_commitment_check(vk, &lay, &pf->acom, ZKI_ERR_VERIFY)))
        goto out;
    if ((st = zki_model_lookups_init(&mlk, a, &lay)) || (st = zki_walk_sites(&w, NULL)))
        goto out;
    if (pf->n_lookups != mlk.n) {
        st = zki_fail(ZKI_ERR_VERIFY, "verify: %u lookup proofs, the key needs %u", pf->n_lookups, mlk.n);
        goto out;
    }
    if ((st = pf->gen_n ? zki_statement_bind_gen(ts, vk, X, pf->gen_p, pf->gen_n, &pf->acom)
                        : zki_statement_bind(ts, vk, B, zki_proof_priv(pf), X, pf->output, &pf->acom)))
        goto out;
    if (zk) {
        zki_ts_absorb_u64(ts, "zk", 1);
        uint64_t est, first;
        zki_zk_lengths(a, B, &mlk, &est, &first);
        zki_zk_walk_limits(zk, est, first);
        ts->zk = zk;
    }
    for (uint32_t j = 0; j < mlk.n; j++)
        if (zki_lookup_verify(mlk.lk[j], ts, &pf->lk[j], &led)) {
            st = zki_fail_ctx(ZKI_ERR_VERIFY, "verify: lookup %u", j);
            goto out;
        }
    if (pf->gen_n && (st = zki_argmax_verify(&w, pf->gen_p, pf->gen_n, &pf->gen_sc, pf->gen_d, pf->gen_y)))
        goto out;
    for (uint32_t j = a->n_nodes; j-- > 0;) {
        /* a proof built in memory, not parsed, is held to the same shape */
        const zki_gadget *g = zki_gadget_of(a->nodes[j].kind);
        zki_node_shape sh;
        if ((st = g->shape(a, j, B, &sh)) || !zki_node_proof_has_shape(&pf->node[j], &sh)) {
            st = zki_fail(ZKI_ERR_VERIFY, "verify: node %u: the proof's shape differs from the key's", j);
            goto out;
        }
        if ((st = g->verify(&w, j, &pf->node[j])))
            goto out;
    }
    if ((st = settle_ledger(&w, X, pf->private_output ? NULL : pf->output)))
        goto out;
    /* the weight and advice claims to one opening */
    {
        zki_table_claims job[2] = {{&vk->wpack, NULL, &cw}, {&lay.pack, NULL, &ca}};
        const zki_pcs_commitment *coms[2] = {&vk->wcom, &pf->acom};
        st = zki_tables_open_verify(ts, job, coms, pf);
    }
    if (!st && zk)
        st = zki_zk_ok(zk);
out:
    zki_model_lookups_free(&mlk);
    zki_walk_free(&w);
    zki_seg_claims_free(&cw);
    zki_seg_claims_free(&ca);
    zki_ledger_free(&led);
    zki_advice_layout_free(&lay);
    return st;
}
