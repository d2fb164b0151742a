/* Committed rows. A tensor-mode opening on a row_commit shape does not send
 * its combined row u (K extension entries, the bulk of a wide opening):
 * it commits T[2k + c] = u_c[k] (u = u_0 + X u_1, X the extension's
 * generator) with a plain PCS commitment before the column queries, and
 * after them proves that u satisfies what the verifier would have checked
 * on it:
 *   Enc(u)[j_i] = e_i for each distinct queried column j_i, e_i the same
 *     combination of the opened column entries (pcs_common.c), where
 *     Enc(u)[j] = sum_k u_k x_j^k, x_j = shift w_D^j (the coset code);
 *   <u, eq((r_lo, 0))> = v, the evaluation target (claims and mask).
 * A challenge rho batches the n + 1 claims into
 *   sum_b u(b) G(b) = sum_i rho^i e_i + rho^n v,
 *   G(b) = sum_i rho^i [b < K] x_i^b + rho^n eq((r_lo, 0), b)
 * over m = ceil(log2 K) variables, a degree-2 sum-check to a point r. The
 * factor [b < K] makes entries of the committed table past K (the zero
 * fill of its last row, which the PCS does not pin) irrelevant: only a
 * message of K coefficients is compared with the columns. The prover
 * sends a_c = u_c(r); the verifier checks the last round against
 * (a_0 + X a_1) G(r), computing G(r) in O(n m), draws s and T is opened at
 * (s, r) for (1 - s) a_0 + s a_1 in one joint opening with the other
 * committed rows. Soundness: docs/security.md, "Committed rows". */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "ntt/ntt.h"
#include "pcs/pcs_internal.h"
#include "poly/mle.h"
#include "sumcheck/sumcheck.h"

zki_ext zki_pcs_test_row_delta = {0, 0};

void zki_pcs_rowc_free(zki_pcs_rowc *rc)
{
    zki_pcs_prover_free(rc->pr);
    free(rc->table);
    rc->pr = NULL;
    rc->table = NULL;
}

zki_status zki_pcs_row_commit(const zki_pcs_commitment *com, const zki_ext *u, int zk, const uint8_t *seed,
                              zki_pcs_rowc *rc, zki_digest *root)
{
    memset(rc, 0, sizeof *rc);
    zki_pcs_params ip;
    uint64_t len;
    zki_pcs_row_params(com, zk, &ip, &len);
    ip.seed = seed;
    rc->table = malloc(len * sizeof *rc->table);
    if (!rc->table)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory committing a row");
    for (uint64_t k = 0; k < len / 2; k++) {
        rc->table[2 * k] = u[k].c0;
        rc->table[2 * k + 1] = u[k].c1;
    }
    zki_pcs_vec v = {ZKI_PCS_FE, rc->table, len};
    zki_status st = zki_pcs_commit(&rc->pr, &ip, &v, 1);
    if (st) {
        zki_pcs_rowc_free(rc);
        return st;
    }
    *root = zki_pcs_prover_commitment(rc->pr)->root;
    return ZKI_OK;
}

/* pw[0 .. n]: the powers of rho; the batched claim sum_i pw_i e_i + pw_n v. */
static zki_ext batch(zki_transcript *ts, uint32_t n, const zki_ext *e, zki_ext v, zki_ext *pw)
{
    zki_ext rho = zki_ts_challenge_ext(ts, "pcs/row-rho"), sum = zki_ext_zero();
    pw[0] = zki_ext_one();
    for (uint32_t i = 1; i <= n; i++)
        pw[i] = zki_ext_mul(pw[i - 1], rho);
    for (uint32_t i = 0; i < n; i++)
        sum = zki_ext_add(sum, zki_ext_mul(pw[i], e[i]));
    return zki_ext_add(sum, zki_ext_mul(pw[n], v));
}

/* G[k], k < 2^m: for k < K, sum_i pw_i x_i^k = shift^k sum_i pw_i
 * w_D^(j_i k), one forward NTT of size D per base half of the sparse vector
 * (pw_i at j_i); 0 from K on; plus pw_n eq(r_lo, k) on the first 2^lo
 * entries (2^lo <= C <= K). */
zki_status zki_pcs_row_g_table(const zki_pcs_shape *s, const uint64_t *idx, uint32_t n,
                          const zki_ext *pw, const zki_ext *r_lo, uint32_t lo, uint32_t m,
                          zki_ext *G)
{
    uint64_t d = s->d, N = (uint64_t)1 << m;
    zki_fe *a0 = calloc(d, sizeof *a0), *a1 = calloc(d, sizeof *a1);
    zki_ext *eq = malloc(((size_t)1 << lo) * sizeof *eq);
    zki_status st = ZKI_OK;
    if (!a0 || !a1 || !eq) {
        st = zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for the row claims' table");
        goto done;
    }
    for (uint32_t i = 0; i < n; i++) {
        a0[idx[i]] = pw[i].c0;
        a1[idx[i]] = pw[i].c1;
    }
    if ((st = zki_ntt_forward(a0, d)) || (st = zki_ntt_forward(a1, d)))
        goto done;
    zki_fe x = 1;
    for (uint64_t k = 0; k < N; k++) {
        G[k] = k < s->row_len ? zki_ext_make(zki_fe_mul(x, a0[k]), zki_fe_mul(x, a1[k]))
                              : zki_ext_zero();
        x = zki_fe_mul(x, ZKI_PCS_SHIFT);
    }
    zki_eq_table_scaled(eq, r_lo, lo, pw[n]);
    for (uint64_t k = 0; k < ((uint64_t)1 << lo); k++)
        G[k] = zki_ext_add(G[k], eq[k]);
done:
    free(a0);
    free(a1);
    free(eq);
    return st;
}

/* sum_{k < K} x^k eq(r, k) over m variables, K <= 2^m, in O(m): [0, K)
 * splits into one block per set bit l of K (the bits above l as in K, bit
 * l = 0, the bits below free), whose sum factors as the fixed bits'
 * factors (bit 1: r_l x^(2^l), bit 0: 1 - r_l) times the free bits' full
 * factors 1 - r_l + r_l x^(2^l). */
static zki_ext below_k(zki_fe x, const zki_ext *r, uint32_t m, uint64_t K)
{
    zki_fe y[64];
    zki_ext low[65]; /* low[l] = prod_{l' < l} (1 - r_l' + r_l' y_l') */
    low[0] = zki_ext_one();
    for (uint32_t l = 0; l < m; l++) {
        y[l] = l ? zki_fe_sqr(y[l - 1]) : x;
        low[l + 1] = zki_ext_mul(low[l], zki_ext_add_fe(zki_ext_scale(r[l], zki_fe_sub(y[l], 1)), 1));
    }
    if (K >= ((uint64_t)1 << m))
        return low[m];
    zki_ext acc = zki_ext_zero(), fixed = zki_ext_one();
    for (uint32_t l = m; l-- > 0;) {
        zki_ext one_minus = zki_ext_sub(zki_ext_one(), r[l]);
        if ((K >> l) & 1) {
            acc = zki_ext_add(acc, zki_ext_mul(zki_ext_mul(fixed, one_minus), low[l]));
            fixed = zki_ext_mul(fixed, zki_ext_scale(r[l], y[l]));
        } else {
            fixed = zki_ext_mul(fixed, one_minus);
        }
    }
    return acc;
}

zki_ext zki_pcs_row_g_eval(const zki_pcs_shape *s, const uint64_t *idx, uint32_t n,
                           const zki_ext *pw, const zki_ext *r_lo, uint32_t lo, const zki_ext *r,
                           uint32_t m)
{
    zki_fe w = zki_fe_root_of_unity(s->log_d);
    zki_ext acc = zki_ext_zero();
    for (uint32_t i = 0; i < n; i++) {
        zki_fe x = zki_fe_mul(ZKI_PCS_SHIFT, zki_fe_pow(w, idx[i]));
        acc = zki_ext_add(acc, zki_ext_mul(pw[i], below_k(x, r, m, s->row_len)));
    }
    zki_ext e = zki_eq_eval(r_lo, r, lo);
    for (uint32_t l = lo; l < m; l++)
        e = zki_ext_mul(e, zki_ext_sub(zki_ext_one(), r[l]));
    return zki_ext_add(acc, zki_ext_mul(pw[n], e));
}

/* Sends a_0, a_1 (padded in a zero-knowledge proof: sent[] is what the
 * proof keeps), draws s and forms the inner claim at (s, r). */
static void inner_claim(zki_transcript *ts, const zki_ext ev[2], zki_ext sent[2], zki_ext *ipoint, zki_ext *ivalue)
{
    if (ts->zk) {
        sent[0] = zki_zk_send(ts, "pcs/row-evals", ev[0]);
        sent[1] = zki_zk_send(ts, "pcs/row-evals", ev[1]);
    } else {
        sent[0] = ev[0], sent[1] = ev[1];
        zki_ts_absorb_ext_vec(ts, "pcs/row-evals", ev, 2);
    }
    zki_ext sc = zki_ts_challenge_ext(ts, "pcs/row-s");
    ipoint[0] = sc;
    *ivalue = zki_ext_add(zki_ext_mul(zki_ext_sub(zki_ext_one(), sc), ev[0]),
                          zki_ext_mul(sc, ev[1]));
}

/* The verifier's side: the inner claim's value, private in a
 * zero-knowledge proof; *a: a_0 + X a_1. */
static zki_pv inner_claim_pv(zki_transcript *ts, const zki_ext ev[2], zki_ext *ipoint, zki_pv *a)
{
    zki_pv a0, a1;
    zki_zk *z = ts->zk;
    if (z) {
        a0 = zki_zk_recv(ts, "pcs/row-evals", ev[0]);
        a1 = zki_zk_recv(ts, "pcs/row-evals", ev[1]);
    } else {
        zki_ts_absorb_ext_vec(ts, "pcs/row-evals", ev, 2);
        a0 = zki_pv_pub(ev[0]), a1 = zki_pv_pub(ev[1]);
    }
    zki_ext sc = zki_ts_challenge_ext(ts, "pcs/row-s");
    ipoint[0] = sc;
    *a = zki_pv_add(z, a0, zki_pv_scale(z, a1, zki_ext_make(0, 1)));
    /* the terms in the order GCC evaluated the arguments (the second
     * first): the tape's order is part of the proof, and C leaves the order
     * of a call's arguments to the compiler */
    zki_pv hi = zki_pv_scale(z, a1, sc);
    zki_pv lo = zki_pv_scale(z, a0, zki_ext_sub(zki_ext_one(), sc));
    return zki_pv_add(z, lo, hi);
}

static const zki_ext *claim_lo(const zki_pcs_commitment *com, const zki_pcs_claim *cl,
                               uint32_t *lo)
{
    *lo = zki_pcs_lo_vars(com, cl->poly);
    return cl->point;
}

zki_status zki_pcs_row_prove(zki_transcript *ts, const zki_pcs_commitment *com,
                             const zki_pcs_claim *cl, const zki_ext *u, const uint64_t *idx,
                             uint32_t n, const zki_ext *e, zki_ext v, zki_pcs_proof_part *q,
                             zki_ext *ipoint, zki_ext *ivalue)
{
    const zki_pcs_shape *s = &com->shape;
    uint32_t m = zki_pcs_row_rounds(s), lo;
    const zki_ext *r_lo = claim_lo(com, cl, &lo);
    uint64_t N = (uint64_t)1 << m, K = s->row_len;
    zki_ext *pw = malloc(((size_t)n + 1) * sizeof *pw);
    zki_ext *U = calloc(N, sizeof *U), *G = malloc(N * sizeof *G);
    zki_fe *half = calloc(N, sizeof *half);
    zki_status st = ZKI_OK;
    if (!pw || !U || !G || !half) {
        st = zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory proving a committed row");
        goto done;
    }
    zki_ext sum = batch(ts, n, e, v, pw);
    memcpy(U, u, K * sizeof *U);
    if ((st = zki_pcs_row_g_table(s, idx, n, pw, r_lo, lo, m, G)))
        goto done;
    zki_sc_instance inst = {.nvars = m, .n_tables = 2, .ext = {U, G}};
    zki_sc_proof sc = {0};
    zki_ext evals[2];
    if ((st = zki_sumcheck_prove(&inst, sum, ts, &sc, ipoint + 1, evals)))
        goto done;
    q->has_rowc = 1;
    q->rc_rounds = m;
    q->rc_msgs = sc.msgs;
    zki_ext ev[2];
    for (int c = 0; c < 2; c++) {
        for (uint64_t k = 0; k < K; k++)
            half[k] = c ? u[k].c1 : u[k].c0;
        ev[c] = zki_mle_eval_base(half, m, ipoint + 1);
    }
    inner_claim(ts, ev, q->rc_evals, ipoint, ivalue);
done:
    free(pw);
    free(U);
    free(G);
    free(half);
    return st;
}

zki_status zki_pcs_row_verify(zki_transcript *ts, const zki_pcs_commitment *com,
                              const zki_pcs_claim *cl, const uint64_t *idx, uint32_t n,
                              const zki_ext *e, zki_pv v, const zki_pcs_proof_part *q,
                              zki_ext *ipoint, zki_pv *ivalue)
{
    const zki_pcs_shape *s = &com->shape;
    uint32_t m = zki_pcs_row_rounds(s), lo;
    const zki_ext *r_lo = claim_lo(com, cl, &lo);
    if (!q->has_rowc || q->rc_rounds != m || !q->rc_msgs)
        return zki_fail(ZKI_ERR_VERIFY, "pcs: committed row: wrong number of sum-check rounds");
    zki_ext *pw = malloc(((size_t)n + 1) * sizeof *pw);
    if (!pw)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory checking a committed row");
    /* sum_i pw_i e_i + pw_n v, v perhaps private */
    zki_zk *z = ts->zk;
    zki_ext se = batch(ts, n, e, zki_ext_zero(), pw); /* fills pw first */
    zki_pv sum = zki_pv_add(z, zki_pv_pub(se), zki_pv_scale(z, v, pw[n])), fin;
    zki_sc_proof sc = {m, 2, q->rc_msgs};
    zki_status st = zki_sumcheck_verify_pv(m, 2, sum, &sc, ts, ipoint + 1, &fin);
    if (st) {
        free(pw);
        return zki_fail(ZKI_ERR_VERIFY, "pcs: committed row: malformed sum-check");
    }
    zki_ext g = zki_pcs_row_g_eval(s, idx, n, pw, r_lo, lo, ipoint + 1, m);
    free(pw);
    zki_pv ur;
    *ivalue = inner_claim_pv(ts, q->rc_evals, ipoint, &ur);
    int ok = !zki_pv_assert_eq(z, fin, zki_pv_scale(z, ur, g), "pcs: a committed row's last round");
    return ok ? ZKI_OK
              : zki_fail(ZKI_ERR_VERIFY,
                         "pcs: committed row inconsistent with the opened columns or the claims");
}
