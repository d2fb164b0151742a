/* The verifier's cost bound from the key (vk_cost.h). */
#include "protocol/vk_cost.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "poly/mle.h"
#include "protocol/argmax.h"
#include "protocol/gadget.h"
#include "protocol/zk_session.h"

/* Bytes and ops of checking one opened commitment (vk_cost.h). A
 * committed row replaces the row's bytes and encoding by its sum-check,
 * G(r) (t m products) and the opening of the row's commitment. */
static void pcs_cost(const zki_pcs_commitment *c, uint64_t *ops, uint64_t *bytes)
{
    const zki_pcs_shape *s = &c->shape;
    uint64_t t = s->queries, R = s->rows, C = s->cols, K = s->row_len, D = s->d, lg = s->log_d + 1;
    *bytes += 2 * (8 * t * R + 32 * t * lg) + 32 * R + 32 * t;
    *ops += 4 * t * R + 4 * R + 2 * t * lg;
    zki_pcs_commitment in;
    if (s->row_commit && !zki_pcs_row_commitment(c, 0, NULL, &in)) {
        uint64_t m = zki_pcs_row_rounds(s);
        *bytes += 2 * 32 * (m + 2) + 48 * t;
        *ops += 4 * t * (m + lg) + 8 * m;
        pcs_cost(&in, ops, bytes);
        zki_pcs_commitment_free(&in);
        return;
    }
    *bytes += 2 * 32 * K + 16 * C + 24 * D;
    *ops += 4 * D * lg + 4 * C;
}

/* The advice commitment's shape at the parameters the key fixes (the
 * verifier refuses any other). */
static zki_status advice_shape(const zki_vk *vk, const zki_dag *a, uint32_t B, int priv, zki_pcs_commitment *c)
{
    zki_advice_layout lay;
    zki_status st = zki_advice_layout_init(&lay, a, B, priv);
    if (st)
        return st;
    zki_pcs_params pp;
    uint64_t len = lay.pack.total;
    zki_key_pcs_params(vk, 1, len, &pp);
    zki_advice_layout_free(&lay);
    memset(c, 0, sizeof *c);
    return zki_pcs_shape_init(c, &pp, &len, 1);
}

zki_status zki_vk_lookups_cost(const zki_dag *a, uint32_t B, int priv, uint64_t *ops, uint64_t *bytes,
                               uint64_t *est, uint64_t *first)
{
    zki_advice_layout lay;
    zki_model_lookups ml;
    zki_status st = zki_advice_layout_init(&lay, a, B, priv);
    if (st)
        return st;
    if (!(st = zki_model_lookups_init(&ml, a, &lay))) {
        st = zki_model_lookup_sites(&ml, a, &lay, B, priv);
        for (uint32_t j = 0; !st && j < ml.n; j++) {
            uint64_t o = 0, b = 0;
            st = zki_lookup_verify_cost(ml.lk[j], &o, &b);
            *ops += o;
            *bytes += 2 * b;
        }
        zki_zk_lengths(a, B, &ml, est, first);
        zki_model_lookups_free(&ml);
    }
    zki_advice_layout_free(&lay);
    return st;
}

/* Advice commitment, lookups and the zero-knowledge part (its tape and
 * final argument at the key's caps: a zero-knowledge proof costs a plain
 * one's walk and more), public (priv 0) or committed input, on the key's
 * DAG or a generation proof's view of it (a). */
static zki_status proof_side_cost(const zki_vk *vk, const zki_dag *a, uint32_t B, int priv, uint64_t *ops,
                                  uint64_t *bytes)
{
    zki_pcs_commitment c;
    zki_status st = advice_shape(vk, a, B, priv, &c);
    if (st)
        return st;
    pcs_cost(&c, ops, bytes);
    zki_pcs_commitment_free(&c);
    uint64_t est = 0, first = 0;
    if (!(st = zki_vk_lookups_cost(a, B, priv, ops, bytes, &est, &first)))
        st = zki_zk_verify_cost(vk, est, first, ops, bytes);
    return st;
}

zki_status zki_vk_verifier_cost(const zki_vk *vk, uint32_t B, uint64_t *ops, uint64_t *bytes)
{
    if (B == 1 && vk->cost1_known) {
        *ops = vk->cost1_ops;
        *bytes = vk->cost1_bytes;
        return ZKI_OK;
    }
    const zki_dag *a = &vk->dag;
    uint64_t L = a->n_nodes, Bp = (uint64_t)1 << zki_log2_ceil(B);
    uint64_t o = (1u << 20) + L * ((1u << 16) + L), b = (16u << 20) + L * (32u << 10);
    uint64_t io = 8 * (3 * (uint64_t)B * zki_dag_in_len(a) + 3 * (uint64_t)B * zki_dag_out_len(a)) +
                  16 * Bp * (((uint64_t)1 << zki_walk_log_len(a, 0)) +
                             ((uint64_t)1 << zki_log2_ceil(a->nodes[L - 1].N)));
    o += io;
    b += io;
    /* what each gadget's verify computes beyond that, and allocates: a
     * gadget frees its buffers before the next node is verified (what
     * outlives it, its points and claims, is in the per-node term), so the
     * peak holds the largest of them, not their sum (a GPT-2's 200 index
     * maps would otherwise add up to GBs) */
    uint64_t most = 0;
    for (uint32_t j = 0; j < L; j++) {
        const zki_gadget *g = zki_gadget_of(a->nodes[j].kind);
        uint64_t nb = 0;
        if (g && g->verify_cost)
            g->verify_cost(a, j, B, &o, &nb);
        most = nb > most ? nb : most;
    }
    b += most;
    pcs_cost(&vk->wcom, &o, &b);
    /* public input and output, or committed ones (both committed bound
     * either alone: the same lookups as a committed input, one more advice
     * segment), or a generation proof (one sequence, the output hidden: its
     * margins committed and range-checked, the argmax's sum-check and
     * interval sums), whichever costs more */
    uint64_t o0 = 0, b0 = 0, o1 = 0, b1 = 0, o2 = 0, b2 = 0;
    zki_status st = proof_side_cost(vk, a, B, 0, &o0, &b0);
    if (!st)
        st = proof_side_cost(vk, a, B, ZKI_PRIV_INPUT | ZKI_PRIV_OUTPUT, &o1, &b1);
    uint32_t T, V;
    /* not asked after a failure, whose message the check's refusal and the
     * clearing would replace with none */
    int gen = !st && B == 1 && zki_argmax_model_check(a, &T, &V) == ZKI_OK;
    if (!st && B == 1 && !gen)
        zki_clear_error(); /* not a language model: no generation proofs */
    if (!st && gen) {
        zki_dag dv;
        zki_argmax_view(a, 1, &dv);
        uint64_t n = zki_walk_log_len(&dv, zki_argmax_tensor(&dv));
        o2 = 64 * T * n + 16 * n;
        b2 = 16 * 8 * n + 16 * T;
        st = proof_side_cost(vk, &dv, B, 0, &o2, &b2);
    }
    if (st)
        return st;
    o0 = o0 > o1 ? o0 : o1;
    b0 = b0 > b1 ? b0 : b1;
    *ops = o + (o0 > o2 ? o0 : o2);
    *bytes = b + (b0 > b2 ? b0 : b2);
    return ZKI_OK;
}

zki_status zki_vk_batch_cost_check(const zki_vk *vk, uint32_t B, uint64_t *bytes_out)
{
    uint64_t ops, bytes;
    zki_status st = zki_vk_verifier_cost(vk, B, &ops, &bytes);
    if (st)
        return st;
    if (bytes > ZKI_VK_MAX_VERIFY_BYTES || ops > ZKI_VK_MAX_VERIFY_OPS) {
        char what[48];
        snprintf(what, sizeof what, B == 1 ? "one sample" : "a batch of %u", B);
        return zki_fail(ZKI_ERR_INPUT, "vk: verifying %s with this key may take %llu MiB and "
                        "%llu Mops, beyond the limit of %llu MiB and %llu Mops (docs/security.md, "
                        "Verifier cost)%s", what, (unsigned long long)(bytes >> 20),
                        (unsigned long long)(ops / 1000000), (unsigned long long)(ZKI_VK_MAX_VERIFY_BYTES >> 20),
                        (unsigned long long)(ZKI_VK_MAX_VERIFY_OPS / 1000000),
                        B == 1 ? "" : "; prove smaller batches");
    }
    if (bytes_out)
        *bytes_out = bytes;
    return ZKI_OK;
}

zki_status zki_vk_cost_check(const zki_vk *vk) { return zki_vk_batch_cost_check(vk, 1, NULL); }
