/* Matrix-multiplication gadget (Thaler, ePrint 2013/351) with the bias
 * folded into the claim.
 *
 * Relation: acc[b, n] = sum_k X[b, k] W[n, k] + bias[n]   (b < B, n < N)
 * with X [B, K] and W [N, K] zero-padded to [2^lb, 2^lk] and [2^ln, 2^lk],
 * acc zero-padded to [2^lb, 2^ln] (padded rows carry no bias). Tables are
 * row-major, so a point on acc is (r_n, r_b): the column variables first.
 *
 * Given a claim acc~(r_n, r_b) = v, both sides reduce it to
 *     sum_k X~(r_b, k) W~(r_n, k) = v - bias~(r_n) * rows~(r_b)
 * (rows[b] = 1 for b < B) and run the degree-2 sum-check over the lk column
 * variables. The prover folds X and W (int arrays, no field copy) with
 * eq(r_b, .) and eq(r_n, .) into two vectors of 2^lk entries first: O(BK +
 * NK). The result is three claims: X~(r_k, r_b) = x_eval,
 * W~(r_k, r_n) = w_eval and bias~(r_n) = b_eval, which the caller chains
 * (ledger, public evaluation or PCS opening).
 *
 * Transcript: b_eval, then the sum-check, then x_eval and w_eval. In a
 * zero-knowledge proof (src/zk/zk.h) the three values and the sum-check's
 * messages are sent padded: the proof holds the padded values, the prover
 * keeps the true ones, and the verifier's checks are on private values. */
#ifndef ZKI_OPS_MATMUL_H
#define ZKI_OPS_MATMUL_H

#include <stdint.h>

#include "sumcheck/sumcheck.h"

typedef struct {
    uint64_t B, K, N;   /* real sizes, >= 1 */
    size_t lb, lk, ln;  /* log2 of the padded sizes */
    int has_bias;
} zki_matmul_dims;

typedef struct {
    zki_sc_proof sc;   /* lk rounds of degree 2 */
    zki_ext x_eval, w_eval, b_eval;
} zki_matmul_proof;

/* Fills lb, lk, ln. ZKI_ERR_INPUT on zero or oversized (> 2^31) sizes. */
zki_status zki_matmul_dims_init(zki_matmul_dims *d, uint64_t B, uint64_t K, uint64_t N,
                                int has_bias);

/* The witness: X [B][ldx] int64 (|x| < 2^31), W [N][ldw] int8 or int16
 * (w_bits 8 or 16), bias [N] int64 or NULL. Returns acc [B][N] (malloc'ed
 * int64) = X W^T + bias; ZKI_ERR_INPUT if an entry leaves (-2^62, 2^62). */
zki_status zki_matmul_forward(const zki_matmul_dims *d, const int64_t *X, uint64_t ldx,
                              const void *W, int w_bits, uint64_t ldw, const int64_t *bias,
                              int64_t **acc);

/* out[k] = sum_{r < rows} eq[r] * M[r][k] for k < cols, zero up to 2^lcols
 * (out has 2^lcols entries). Integer entries stay integers until the last
 * reduction; exact, so identical for any thread count. */
void zki_fold_rows_i8(zki_ext *out, const int8_t *M, uint64_t rows, uint64_t ld, uint64_t cols,
                      size_t lcols, const zki_ext *eq);
void zki_fold_rows_i16(zki_ext *out, const int16_t *M, uint64_t rows, uint64_t ld, uint64_t cols,
                       size_t lcols, const zki_ext *eq);
void zki_fold_rows_i32(zki_ext *out, const int32_t *M, uint64_t rows, uint64_t ld, uint64_t cols,
                       size_t lcols, const zki_ext *eq);
/* |M| < 2^31 required (checked by the caller); rows < 2^31. */
void zki_fold_rows_i64(zki_ext *out, const int64_t *M, uint64_t rows, uint64_t ld,
                       uint64_t cols, size_t lcols, const zki_ext *eq);

/* sum_{b < B} eq(r_b, b) for a point of lb coordinates. */
zki_ext zki_rows_mask_eval(const zki_ext *r_b, size_t lb, uint64_t B);

/* The three claims' values, in the order the proof sends them. */
typedef struct {
    zki_ext b, x, w;
} zki_matmul_evals;
typedef struct {
    zki_pv b, x, w;
} zki_matmul_claims;

/* Prover. r_acc has ln + lb coordinates; v = acc~(r_acc). Outputs the X
 * point (lk + lb) and the W point (lk + ln) (caller-allocated) and the
 * three claims' true values (*ev); the bias point is the first ln
 * coordinates of r_acc. */
zki_status zki_matmul_prove(const zki_matmul_dims *d, const int64_t *X, uint64_t ldx,
                            const void *W, int w_bits, uint64_t ldw, const int64_t *bias,
                            const zki_ext *r_acc, zki_ext v, zki_transcript *t,
                            zki_matmul_proof *proof, zki_ext *x_point, zki_ext *w_point,
                            zki_matmul_evals *ev);

/* Verifier on a claim acc~(r_acc) = v that may be private: ZKI_ERR_VERIFY
 * if the sum-check fails or (all values public) x_eval * w_eval is not its
 * final value; with private values that check, and "no bias value without
 * a bias", are constraints. On success the caller must still check the
 * three claims *out at x_point, w_point and (bias) r_acc[0..ln). */
zki_status zki_matmul_verify(const zki_matmul_dims *d, const zki_ext *r_acc, zki_pv v,
                             const zki_matmul_proof *proof, zki_transcript *t,
                             zki_ext *x_point, zki_ext *w_point, zki_matmul_claims *out);

void zki_matmul_proof_free(zki_matmul_proof *p);

#endif
