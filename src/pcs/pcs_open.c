/* Opening: combined rows (one per group of claims sharing r_lo, plus the
 * proximity row in classic mode; the single evaluation row in tensor mode,
 * or its commitment on a row_commit shape), then the queried columns with
 * a Merkle multi-proof, then the committed rows' proofs (pcs_row.c).
 * Threads split the columns of the combined rows, so sums are formed in
 * the same order for any thread count. */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "pcs/pcs_internal.h"

#define CHUNK 512 /* columns per task when combining rows */

/* rows[target * K + j] = sum over terms of coef[r] * row(first + r)[j]. */
static zki_status combine_rows(const zki_pcs_prover *pr, const zki_pcs_term *terms,
                               size_t n_terms, uint32_t n_comb, zki_ext *rows)
{
    uint64_t k = pr->com.shape.row_len;
    int64_t n_chunks = (int64_t)((k + CHUNK - 1) / CHUNK);
    int failed = 0;
#pragma omp parallel
    {
        zki_fe *tmp = malloc(CHUNK * sizeof *tmp);
        zki_ext_acc *acc = malloc((size_t)n_comb * CHUNK * sizeof *acc);
        if (!tmp || !acc) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (int64_t ch = 0; ch < n_chunks; ch++) {
            if (!tmp || !acc)
                continue;
            uint64_t j0 = (uint64_t)ch * CHUNK, n = k - j0 < CHUNK ? k - j0 : CHUNK;
            for (size_t a = 0; a < (size_t)n_comb * CHUNK; a++)
                zki_ext_acc_zero(&acc[a]);
            for (size_t t = 0; t < n_terms; t++) {
                zki_ext_acc *dst = acc + (size_t)terms[t].target * CHUNK;
                for (uint64_t r = 0; r < terms[t].n_rows; r++) {
                    zki_ext cf = terms[t].coef[r];
                    if (zki_ext_is_zero(cf))
                        continue;
                    zki_pcs_row_read(pr, terms[t].first_row + r, j0, n, tmp);
                    for (uint64_t j = 0; j < n; j++)
                        zki_ext_acc_mac_fe(&dst[j], tmp[j], cf);
                }
            }
            for (uint32_t g = 0; g < n_comb; g++)
                for (uint64_t j = 0; j < n; j++)
                    rows[g * k + j0 + j] = zki_ext_acc_reduce(&acc[(size_t)g * CHUNK + j]);
        }
        free(tmp);
        free(acc);
    }
    if (failed)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory combining rows");
    return ZKI_OK;
}

/* mu_g = m_g(r_lo) for the extension mask m_g = m0 + u m1 of group g. */
static zki_status mask_evals(const zki_pcs_prover *pr, const zki_pcs_ctx *x, uint32_t c,
                             uint32_t slot, const zki_pcs_claim *claims, zki_ext *mu)
{
    const zki_pcs_commitment *com = &pr->com;
    uint64_t cols = com->shape.cols;
    zki_ext *eq = malloc(cols * sizeof *eq);
    if (!eq)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for eq table");
    for (uint32_t g = 0; g < x->n_groups[c]; g++) {
        zki_pcs_eq_lo(eq, com, &claims[x->group_claim[x->group_base[c] + g]]);
        uint64_t r0 = zki_pcs_mask_row(com, slot, 1 + g) - com->shape.data_rows;
        const zki_fe *m0 = pr->masks + r0 * com->shape.row_len;
        const zki_fe *m1 = m0 + com->shape.row_len;
        zki_ext_acc a0, a1;
        zki_ext_acc_zero(&a0);
        zki_ext_acc_zero(&a1);
        for (uint64_t j = 0; j < cols; j++) {
            zki_ext_acc_mac_fe(&a0, m0[j], eq[j]);
            zki_ext_acc_mac_fe(&a1, m1[j], eq[j]);
        }
        mu[g] = zki_ext_add(zki_ext_acc_reduce(&a0),
                            zki_ext_mul(x->mask_coef[1], zki_ext_acc_reduce(&a1)));
    }
    free(eq);
    return ZKI_OK;
}

/* Fills q's columns, salts and Merkle proof; *idx_out (malloc'ed) the
 * distinct queried columns. */
static zki_status open_columns(const zki_pcs_prover *pr, const uint64_t *draws,
                               zki_pcs_proof_part *q, zki_transcript *ts, uint64_t **idx_out)
{
    const zki_pcs_shape *s = &pr->com.shape;
    uint64_t *idx = malloc(s->queries * sizeof *idx);
    if (!idx)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for queries");
    uint32_t n = zki_pcs_queries_for(&pr->com, draws, idx);
    q->n_cols = n;
    q->col_height = s->rows;
    q->cols = malloc((size_t)n * s->rows * sizeof *q->cols);
    zki_digest *leaves = malloc(n * sizeof *leaves);
    if (pr->salts) {
        q->has_salt = 1;
        q->salts = malloc((size_t)n * ZKI_PCS_SALT_LEN);
    }
    zki_status st = ZKI_OK;
    if (!q->cols || !leaves || (pr->salts && !q->salts)) {
        st = zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for opened columns");
        goto done;
    }
    if ((st = zki_pcs_columns(pr, idx, n, q->cols)))
        goto done;
    for (uint32_t i = 0; i < n; i++) {
        if (pr->salts)
            memcpy(q->salts + (size_t)i * ZKI_PCS_SALT_LEN,
                   pr->salts + idx[i] * ZKI_PCS_SALT_LEN, ZKI_PCS_SALT_LEN);
        leaves[i] = pr->tree.nodes[idx[i]];
    }
    zki_ts_absorb_bytes(ts, "pcs/leaves", leaves, (size_t)n * sizeof *leaves);
    st = zki_pcs_multiproof(&pr->tree, idx, n, &q->nodes, &q->n_nodes);
done:
    free(leaves);
    if (st)
        free(idx);
    else
        *idx_out = idx;
    return st;
}

/* Zero-knowledge proofs: each mask evaluation goes out padded (sent[c],
 * malloc'ed; the parts keep the true values until the opening is done). */
static zki_status send_mus(zki_transcript *ts, const zki_pcs_proof *out, uint32_t n_commits, zki_ext **sent)
{
    for (uint32_t c = 0; c < n_commits; c++) {
        const zki_pcs_proof_part *q = &out->parts[c];
        if (!q->has_mu)
            continue;
        if (!(sent[c] = malloc(sizeof(zki_ext) * (q->n_groups ? q->n_groups : 1))))
            return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for the mask evaluations");
        for (uint32_t g = 0; g < q->n_groups; g++)
            sent[c][g] = zki_zk_send(ts, "pcs/mu", q->mu[g]);
    }
    return ZKI_OK;
}

/* The committed rows' sum-checks, then their commitments' joint opening
 * into out->inner. urows[c]: part c's combined row (NULL: sent). */
static zki_status prove_committed_rows(zki_transcript *ts, zki_pcs_prover *const *provers,
                                       const zki_pcs_ctx *x, const zki_pcs_claim *claims,
                                       size_t n_claims, zki_ext *const *urows,
                                       zki_pcs_rowc *rowc, uint64_t *const *idx,
                                       zki_pcs_proof *out)
{
    uint32_t n_in = 0;
    zki_pcs_prover *in_pr[ZKI_PCS_MAX_COMMITS];
    zki_pcs_claim in_claims[ZKI_PCS_MAX_COMMITS];
    zki_ext *pts[ZKI_PCS_MAX_COMMITS] = {0};
    zki_status st = ZKI_OK;
    for (uint32_t c = 0; c < x->n_commits && !st; c++) {
        if (!urows[c])
            continue;
        const zki_pcs_commitment *com = &provers[c]->com;
        zki_pcs_proof_part *q = &out->parts[c];
        uint32_t n = q->n_cols;
        zki_ext *e = malloc((size_t)n * sizeof *e);
        pts[n_in] = malloc(((size_t)zki_pcs_row_rounds(&com->shape) + 1) * sizeof(zki_ext));
        if (!e || !pts[n_in]) {
            free(e);
            st = zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory proving a committed row");
            break;
        }
        st = zki_pcs_column_combos(x, c, q->cols, q->col_height, n, e);
        zki_ext v = zki_pcs_eval_target(x, c, 0, claims, n_claims, q->has_mu ? q->mu : NULL);
        if (!st)
            st = zki_pcs_row_prove(ts, com, &claims[zki_pcs_only_claim(claims, n_claims, c)], urows[c],
                                   idx[c], n, e, v, q, pts[n_in], &in_claims[n_in].value);
        free(e);
        in_pr[n_in] = rowc[c].pr;
        in_claims[n_in].commit = n_in;
        in_claims[n_in].poly = 0;
        in_claims[n_in].form = 0;
        in_claims[n_in].point = pts[n_in];
        n_in++;
    }
    if (!st && n_in) {
        out->inner = calloc(1, sizeof *out->inner);
        st = out->inner ? zki_pcs_open(ts, in_pr, n_in, in_claims, n_in, out->inner)
                        : zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for the rows' opening");
    }
    for (uint32_t i = 0; i < ZKI_PCS_MAX_COMMITS; i++)
        free(pts[i]);
    return st;
}

/* Whether commitment c's opening may reuse a mask slot: a zero-knowledge
 * proof's committed-row opening sends nothing of its row (pcs.h). */
static int shares_slot(const zki_pcs_commitment *com, uint32_t c, const zki_pcs_claim *claims,
                       size_t n_claims, int zk)
{
    return com->params.hiding && zk &&
           zki_pcs_rowc_mode(com, zki_pcs_tensor_mode(com, c, claims, n_claims), zk);
}

/* The mask slot of commitment c's next opening; ZKI_ERR_INPUT when its
 * budgets are spent: its pad covers the columns of zki_pcs_col_openings
 * openings, its masks open_budget slots. A shared slot is the one earlier
 * shared openings used, or a fresh one. */
static zki_status take_slot(const zki_pcs_prover *pr, uint32_t c, int shared, uint32_t *slot)
{
    const zki_pcs_params *p = &pr->com.params;
    *slot = 0;
    if (!p->hiding)
        return ZKI_OK;
    if (pr->col_opens >= zki_pcs_col_openings(p))
        return zki_fail(ZKI_ERR_INPUT,
                        "pcs: hiding commitment %u already opened %u times: its pad covers the "
                        "columns of %u openings",
                        c, pr->col_opens, zki_pcs_col_openings(p));
    *slot = shared && pr->has_zk_slot ? pr->zk_slot : pr->next_slot;
    if (*slot >= p->open_budget)
        return zki_fail(ZKI_ERR_INPUT,
                        "pcs: hiding commitment %u already used its %u mask slots (its budget)", c,
                        p->open_budget);
    return ZKI_OK;
}

/* After a successful opening: its columns and (unless shared and taken
 * before) its slot are spent. */
static void spend_slot(zki_pcs_prover *pr, int shared)
{
    if (!pr->com.params.hiding)
        return;
    pr->col_opens++;
    if (shared && pr->has_zk_slot)
        return;
    if (shared) {
        pr->zk_slot = pr->next_slot;
        pr->has_zk_slot = 1;
    }
    pr->next_slot++;
}

zki_status zki_pcs_open(zki_transcript *ts, zki_pcs_prover *const *provers, uint32_t n_commits,
                        const zki_pcs_claim *claims, size_t n_claims, zki_pcs_proof *out)
{
    memset(out, 0, sizeof *out);
    if (!provers || n_commits < 1 || n_commits > ZKI_PCS_MAX_COMMITS)
        return zki_fail(ZKI_ERR_INPUT, "pcs: %u commitments in one opening (need 1 .. %u)",
                        n_commits, ZKI_PCS_MAX_COMMITS);
    const zki_pcs_commitment *commits[ZKI_PCS_MAX_COMMITS];
    uint32_t slots[ZKI_PCS_MAX_COMMITS];
    int shared[ZKI_PCS_MAX_COMMITS];
    zki_ext *mus[ZKI_PCS_MAX_COMMITS] = {0}, *mu_sent[ZKI_PCS_MAX_COMMITS] = {0};
    zki_ext *urows[ZKI_PCS_MAX_COMMITS] = {0};
    uint64_t *idx[ZKI_PCS_MAX_COMMITS] = {0};
    zki_pcs_rowc rowc[ZKI_PCS_MAX_COMMITS];
    memset(rowc, 0, sizeof rowc);
    for (uint32_t c = 0; c < n_commits; c++) {
        if (!provers[c])
            return zki_fail(ZKI_ERR_INPUT, "pcs: prover %u is NULL", c);
        for (uint32_t d = 0; d < c; d++)
            if (provers[d] == provers[c])
                return zki_fail(ZKI_ERR_INPUT, "pcs: commitment %u passed twice", c);
        commits[c] = &provers[c]->com;
        shared[c] = shares_slot(commits[c], c, claims, n_claims, ts->zk != NULL);
        zki_status st = take_slot(provers[c], c, shared[c], &slots[c]);
        if (st)
            return st;
    }
    zki_pcs_ctx x;
    uint64_t *draws = NULL;
    zki_status st = zki_pcs_begin(ts, &x, commits, slots, n_commits, claims, n_claims);
    if (st)
        return st;
    out->parts = calloc(n_commits, sizeof *out->parts);
    if (!out->parts) {
        st = zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for proof");
        goto done;
    }
    out->n_parts = n_commits;
    for (uint32_t c = 0; c < n_commits && !st; c++) {
        zki_pcs_proof_part *q = &out->parts[c];
        q->slot = slots[c];
        q->n_groups = x.n_groups[c];
        q->row_len = (uint32_t)commits[c]->shape.row_len;
        q->has_prox = (uint8_t)!x.tensor[c];
        if (!commits[c]->params.hiding)
            continue;
        q->has_mu = 1;
        q->mu = malloc((q->n_groups ? q->n_groups : 1) * sizeof *q->mu);
        if (!q->mu)
            st = zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for proof");
        else
            st = mask_evals(provers[c], &x, c, slots[c], claims, q->mu);
        mus[c] = q->mu;
    }
    if (!st && ts->zk)
        st = send_mus(ts, out, n_commits, mu_sent);
    if (st || (st = zki_pcs_challenges(ts, &x, commits, slots, claims, mus)))
        goto done;
    for (uint32_t c = 0; c < n_commits; c++) {
        zki_pcs_proof_part *q = &out->parts[c];
        uint32_t n_comb = zki_pcs_n_comb(&x, c);
        zki_ext *rows = malloc((size_t)n_comb * q->row_len * sizeof *rows);
        if (!rows) {
            st = zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for combined rows");
            goto done;
        }
        if ((st = combine_rows(provers[c], x.terms[c], x.n_terms[c], n_comb, rows))) {
            free(rows);
            goto done;
        }
        if (zki_pcs_rowc_mode(commits[c], x.tensor[c], ts->zk != NULL)) {
            urows[c] = rows;
            q->has_rowc = 1;
            rows[0] = zki_ext_add(rows[0], zki_pcs_test_row_delta);
            uint8_t sd[32];
            int seeded = zki_zk_secret(ts->zk, "pcs/row", c, sd);
            if ((st = zki_pcs_row_commit(commits[c], rows, ts->zk != NULL, seeded ? sd : NULL, &rowc[c],
                                         &q->row_root)))
                goto done;
            zki_ts_absorb_bytes(ts, "pcs/row-root", q->row_root.b, ZKI_DIGEST_LEN);
        } else {
            q->rows = rows;
            zki_ts_absorb_ext_vec(ts, "pcs/rows", q->rows, (size_t)n_comb * q->row_len);
        }
    }
    if ((st = zki_pcs_grind(ts, zki_pcs_grind_bits(commits, n_commits), &out->nonce)))
        goto done;
    uint32_t n_draws;
    if ((st = zki_pcs_queries_draw(ts, commits, n_commits, &draws, &n_draws)))
        goto done;
    for (uint32_t c = 0; c < n_commits; c++)
        if ((st = open_columns(provers[c], draws, &out->parts[c], ts, &idx[c])))
            goto done;
    if ((st = prove_committed_rows(ts, provers, &x, claims, n_claims, urows, rowc, idx, out)))
        goto done;
    for (uint32_t c = 0; c < n_commits; c++)
        spend_slot(provers[c], shared[c]);
    for (uint32_t c = 0; c < n_commits; c++) /* the proof carries what was sent */
        if (mu_sent[c])
            memcpy(out->parts[c].mu, mu_sent[c], sizeof(zki_ext) * out->parts[c].n_groups);
done:
    for (uint32_t c = 0; c < n_commits; c++) {
        free(mu_sent[c]);
        free(idx[c]);
        free(urows[c]);
        zki_pcs_rowc_free(&rowc[c]);
    }
    free(draws);
    zki_pcs_ctx_free(&x);
    if (st)
        zki_pcs_proof_free(out);
    return st;
}
