/* Verification: replay the transcript, check the shape of every proof part,
 * the Merkle multi-proofs of the opened columns, each evaluation row's inner
 * product with eq(r_lo) and, at every queried column, that the encoded
 * combined rows equal the same combinations of the opened column entries;
 * a committed row instead passes its sum-check (pcs_row.c) and the joint
 * opening of the row commitments. */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "pcs/pcs_internal.h"

static zki_status reject(const char *what, uint32_t c)
{
    return zki_fail(ZKI_ERR_VERIFY, "pcs: commitment %u: %s", c, what);
}

static zki_status check_part_shape(const zki_pcs_commitment *com, const zki_pcs_proof_part *q,
                                   uint32_t n_groups, int tensor, uint32_t c, int zk)
{
    int h = com->params.hiding != 0, rowc = zki_pcs_rowc_mode(com, tensor, zk);
    if (q->n_groups != n_groups)
        return reject("wrong number of evaluation rows", c);
    if (q->has_prox != !tensor)
        return reject("proximity row present or missing against the opening's mode", c);
    if (q->row_len != com->shape.row_len)
        return reject("wrong row length", c);
    if (q->has_mu != h || (h && !q->mu))
        return reject("mask evaluations missing or unexpected", c);
    if (q->has_salt != h || (h && !q->salts))
        return reject("leaf salts missing or unexpected", c);
    if (q->has_rowc != rowc)
        return reject("row committed or sent against the commitment's shape", c);
    if (!rowc && !q->rows)
        return reject("no combined rows", c);
    return ZKI_OK;
}

/* <row_g[0 .. C), eq(r_lo)> must equal sum_{claims in g} scale_i v_i (+ mu_coef mu_g):
 * classic scale = alpha, mu_coef = 1; tensor scale = 1 - z, mu_coef = z e0. */
static zki_status check_evaluations(const zki_pcs_commitment *com, const zki_pcs_ctx *x,
                                    uint32_t c, const zki_pcs_claim *claims, size_t n_claims,
                                    const zki_pcs_proof_part *q, const zki_pv *mu, zki_zk *z)
{
    uint64_t cols = com->shape.cols;
    zki_ext *eq = malloc(cols * sizeof *eq);
    if (!eq)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for eq table");
    zki_status st = ZKI_OK;
    for (uint32_t g = 0; g < q->n_groups && !st; g++) {
        zki_pcs_eq_lo(eq, com, &claims[x->group_claim[x->group_base[c] + g]]);
        const zki_ext *row = q->rows + (size_t)g * q->row_len;
        zki_ext_acc a;
        zki_ext_acc_zero(&a);
        for (uint64_t j = 0; j < cols; j++)
            zki_ext_acc_mac(&a, row[j], eq[j]);
        zki_pv want = zki_pcs_eval_target_pv(x, c, g, claims, n_claims, mu, z);
        if (zki_pv_assert_eq(z, zki_pv_pub(zki_ext_acc_reduce(&a)), want, "pcs: an evaluation row against the claims"))
            st = reject("evaluation row does not match the claimed values", c);
    }
    free(eq);
    return st;
}

/* enc[g * n + i] = Enc(row_g) at column idx[i]. Single-threaded on purpose:
 * a few small NTTs (size P <= 2^15 typically), where a fork/join on a busy
 * machine costs more (a scheduling delay) than the work. */
static zki_status encode_at(const zki_pcs_commitment *com, const zki_pcs_proof_part *q,
                            uint32_t n_comb, const uint64_t *idx, uint32_t n, zki_ext *enc)
{
    uint64_t k = com->shape.row_len;
    zki_pcs_coder cd;
    zki_status st = zki_pcs_coder_init(&cd, &com->shape);
    if (st)
        return st;
    zki_fe *buf = malloc(com->shape.d * sizeof *buf);
    if (!buf)
        st = zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory encoding combined rows");
    for (uint64_t task = 0; !st && task < 2 * (uint64_t)n_comb; task++) {
        int part = (int)(task & 1);
        uint64_t g = task >> 1;
        const zki_ext *row = q->rows + g * k;
        for (uint64_t j = 0; j < k; j++)
            buf[j] = part ? row[j].c1 : row[j].c0;
        if ((st = zki_pcs_encode(&cd, buf, k, buf)))
            break;
        for (uint32_t i = 0; i < n; i++) {
            zki_fe v = buf[zki_pcs_enc_pos(&cd, idx[i])];
            if (part)
                enc[g * n + i].c1 = v;
            else
                enc[g * n + i].c0 = v;
        }
    }
    free(buf);
    zki_pcs_coder_free(&cd);
    return st;
}

/* The opened columns of part c: their Merkle proof, and combo (malloc'ed,
 * n_comb * n) the combined rows' entries they imply at the n distinct
 * queried columns idx (malloc'ed). */
static zki_status open_columns(zki_transcript *ts, const zki_pcs_commitment *com,
                               const zki_pcs_ctx *x, uint32_t c, const zki_pcs_proof_part *q,
                               const uint64_t *draws, uint64_t **idx_out, uint32_t *n_out,
                               zki_ext **combo_out)
{
    const zki_pcs_shape *s = &com->shape;
    uint32_t n_comb = zki_pcs_n_comb(x, c);
    uint64_t *idx = malloc(s->queries * sizeof *idx);
    zki_digest *leaves = malloc((size_t)s->queries * sizeof *leaves);
    zki_ext *combo = malloc((size_t)n_comb * s->queries * sizeof *combo);
    zki_sha256_ctx *base = zki_pcs_leaf_base(), *ctx = zki_sha256_new();
    zki_status st = ZKI_OK;
    if (!idx || !leaves || !combo || !base || !ctx) {
        st = zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory checking columns");
        goto done;
    }
    uint32_t n = zki_pcs_queries_for(com, draws, idx);
    if (q->n_cols != n || q->col_height != s->rows || !q->cols) {
        st = reject("wrong number or height of opened columns", c);
        goto done;
    }
    for (uint32_t i = 0; i < n; i++)
        zki_pcs_leaf_hash(ctx, base, &leaves[i],
                          q->has_salt ? q->salts + (size_t)i * ZKI_PCS_SALT_LEN : NULL,
                          q->cols + (size_t)i * s->rows, s->rows);
    zki_ts_absorb_bytes(ts, "pcs/leaves", leaves, (size_t)n * sizeof *leaves);
    if (!zki_pcs_multiproof_check(&com->root, s->log_d, idx, leaves, n, q->nodes, q->n_nodes)) {
        st = reject("opened columns do not match the Merkle root", c);
        goto done;
    }
    st = zki_pcs_column_combos(x, c, q->cols, s->rows, n, combo);
    *n_out = n;
done:
    free(leaves);
    zki_sha256_free(base);
    zki_sha256_free(ctx);
    if (st) {
        free(idx);
        free(combo);
        return st;
    }
    *idx_out = idx;
    *combo_out = combo;
    return ZKI_OK;
}

/* Sent rows: Enc(row_g) at every queried column equals the combination. */
static zki_status check_sent_rows(const zki_pcs_commitment *com, const zki_pcs_ctx *x,
                                  uint32_t c, const zki_pcs_proof_part *q, const uint64_t *idx,
                                  uint32_t n, const zki_ext *combo)
{
    uint32_t n_comb = zki_pcs_n_comb(x, c);
    zki_ext *enc = malloc(((size_t)n_comb * n + 1) * sizeof *enc);
    if (!enc)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory checking columns");
    zki_status st = encode_at(com, q, n_comb, idx, n, enc);
    for (size_t k = 0; !st && k < (size_t)n_comb * n; k++)
        if (!zki_ext_eq(combo[k], enc[k]))
            st = reject("combined row inconsistent with an opened column", c);
    free(enc);
    return st;
}

/* The mask evaluations as values: public in a plain proof; in a
 * zero-knowledge one received padded (pcs_open.c's send_mus), so a mask
 * evaluation and the row's sent values do not give a private claim value. */
static zki_status recv_mus(zki_transcript *ts, const zki_pcs_proof *proof, uint32_t n_commits, zki_pv **mu)
{
    for (uint32_t c = 0; c < n_commits; c++) {
        const zki_pcs_proof_part *q = &proof->parts[c];
        if (!q->has_mu)
            continue;
        if (!(mu[c] = malloc(sizeof(zki_pv) * (q->n_groups ? q->n_groups : 1))))
            return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for the mask evaluations");
        for (uint32_t g = 0; g < q->n_groups; g++)
            mu[c][g] = ts->zk ? zki_zk_recv(ts, "pcs/mu", q->mu[g]) : zki_pv_pub(q->mu[g]);
    }
    return ZKI_OK;
}

/* Committed rows: each part's sum-check, then the joint opening of the
 * row commitments at the points they reduce to. */
static zki_status check_committed_rows(zki_transcript *ts, const zki_pcs_commitment *const *commits,
                                       const zki_pcs_ctx *x, const zki_pcs_claim *claims,
                                       size_t n_claims, const zki_pcs_proof *proof,
                                       uint64_t *const *idx, const uint32_t *n_idx,
                                       zki_ext *const *combo, zki_pv *const *mu)
{
    uint32_t n_in = 0;
    zki_pcs_commitment in_com[ZKI_PCS_MAX_COMMITS];
    const zki_pcs_commitment *in_ptr[ZKI_PCS_MAX_COMMITS];
    zki_pcs_claim in_claims[ZKI_PCS_MAX_COMMITS];
    zki_ext *pts[ZKI_PCS_MAX_COMMITS] = {0};
    zki_status st = ZKI_OK;
    for (uint32_t c = 0; c < x->n_commits && !st; c++) {
        const zki_pcs_proof_part *q = &proof->parts[c];
        if (!q->has_rowc)
            continue;
        const zki_pcs_commitment *com = commits[c];
        if (!(pts[n_in] = malloc(((size_t)zki_pcs_row_rounds(&com->shape) + 1) * sizeof(zki_ext)))) {
            st = zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory checking a committed row");
            break;
        }
        if ((st = zki_pcs_row_commitment(com, ts->zk != NULL, &q->row_root, &in_com[n_in])))
            break;
        in_ptr[n_in] = &in_com[n_in];
        in_claims[n_in] = (zki_pcs_claim){n_in, 0, pts[n_in], zki_ext_zero(), 0};
        n_in++;
        zki_pv v = zki_pcs_eval_target_pv(x, c, 0, claims, n_claims, mu[c], ts->zk);
        zki_pv iv;
        st = zki_pcs_row_verify(ts, com, &claims[zki_pcs_only_claim(claims, n_claims, c)], idx[c],
                                n_idx[c], combo[c], v, q, pts[n_in - 1], &iv);
        in_claims[n_in - 1].value = iv.c;
        in_claims[n_in - 1].form = iv.f;
        if (st)
            st = zki_fail_ctx(st, "pcs: commitment %u", c);
    }
    if (!st && (n_in ? !proof->inner || proof->inner->inner : proof->inner != NULL))
        st = zki_fail(ZKI_ERR_VERIFY, "pcs: row commitments' opening missing or unexpected");
    if (!st && n_in)
        st = zki_pcs_verify(ts, in_ptr, n_in, in_claims, n_in, proof->inner);
    for (uint32_t i = 0; i < n_in; i++)
        zki_pcs_commitment_free(&in_com[i]);
    for (uint32_t i = 0; i < ZKI_PCS_MAX_COMMITS; i++)
        free(pts[i]);
    return st;
}

zki_status zki_pcs_verify(zki_transcript *ts, const zki_pcs_commitment *const *commits,
                          uint32_t n_commits, const zki_pcs_claim *claims, size_t n_claims,
                          const zki_pcs_proof *proof)
{
    if (!proof || !commits || n_commits < 1 || n_commits > ZKI_PCS_MAX_COMMITS)
        return zki_fail(ZKI_ERR_INPUT, "pcs: bad verifier input (%u commitments)", n_commits);
    if (proof->n_parts != n_commits || !proof->parts)
        return zki_fail(ZKI_ERR_VERIFY, "pcs: proof has %u parts for %u commitments",
                        proof->n_parts, n_commits);
    uint32_t slots[ZKI_PCS_MAX_COMMITS] = {0};
    zki_ext *mus[ZKI_PCS_MAX_COMMITS] = {0};
    zki_pv *mu[ZKI_PCS_MAX_COMMITS] = {0};
    uint64_t *idx[ZKI_PCS_MAX_COMMITS] = {0};
    uint32_t n_idx[ZKI_PCS_MAX_COMMITS] = {0};
    zki_ext *combo[ZKI_PCS_MAX_COMMITS] = {0};
    for (uint32_t c = 0; c < n_commits; c++) {
        const zki_pcs_commitment *com = commits[c];
        slots[c] = proof->parts[c].slot;
        mus[c] = proof->parts[c].mu;
        if (com->params.hiding ? slots[c] >= com->params.open_budget : slots[c] != 0)
            return reject("mask slot out of range", c);
    }
    zki_pcs_ctx x;
    uint64_t *draws = NULL;
    zki_status st = zki_pcs_begin(ts, &x, commits, slots, n_commits, claims, n_claims);
    if (st)
        return st;
    for (uint32_t c = 0; c < n_commits && !st; c++)
        st = check_part_shape(commits[c], &proof->parts[c], x.n_groups[c], x.tensor[c], c, ts->zk != NULL);
    if (!st)
        st = recv_mus(ts, proof, n_commits, mu);
    if (st || (st = zki_pcs_challenges(ts, &x, commits, slots, claims, mus)))
        goto done;
    for (uint32_t c = 0; c < n_commits; c++) {
        const zki_pcs_proof_part *q = &proof->parts[c];
        if (q->has_rowc)
            zki_ts_absorb_bytes(ts, "pcs/row-root", q->row_root.b, ZKI_DIGEST_LEN);
        else
            zki_ts_absorb_ext_vec(ts, "pcs/rows", q->rows,
                                  (size_t)zki_pcs_n_comb(&x, c) * q->row_len);
    }
    if ((st = zki_pcs_grind_check(ts, zki_pcs_grind_bits(commits, n_commits), proof->nonce)))
        goto done;
    uint32_t n_draws;
    if ((st = zki_pcs_queries_draw(ts, commits, n_commits, &draws, &n_draws)))
        goto done;
    for (uint32_t c = 0; c < n_commits && !st; c++) {
        const zki_pcs_proof_part *q = &proof->parts[c];
        st = open_columns(ts, commits[c], &x, c, q, draws, &idx[c], &n_idx[c], &combo[c]);
        if (!st && !q->has_rowc)
            st = check_evaluations(commits[c], &x, c, claims, n_claims, q, mu[c], ts->zk);
        if (!st && !q->has_rowc)
            st = check_sent_rows(commits[c], &x, c, q, idx[c], n_idx[c], combo[c]);
    }
    if (!st)
        st = check_committed_rows(ts, commits, &x, claims, n_claims, proof, idx, n_idx, combo, mu);
done:
    for (uint32_t c = 0; c < n_commits; c++) {
        free(mu[c]);
        free(idx[c]);
        free(combo[c]);
    }
    free(draws);
    zki_pcs_ctx_free(&x);
    return st;
}
