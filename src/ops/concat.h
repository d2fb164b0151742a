/* Channel concatenation of two padded maps (ONNX Concat, axis 1, NCHW).
 *
 * Layouts (every axis zero-padded to a power of two, x_0 = least
 * significant index bit, as in ops/conv.h):
 *   A [B][2^lca][2^lh][2^lw]  (Ca real channels)
 *   Bm [B][2^lcb][2^lh][2^lw] (Cb real channels)
 *   Y [B][2^lc][2^lh][2^lw],  lc = log2ceil(Ca + Cb):
 *     Y[b][c] = A[b][c] (c < Ca), Bm[b][c - Ca] (Ca <= c < Ca + Cb), 0 after.
 *
 * A claim Y~(r) = v, r = (r_x, r_y, r_c, r_b), becomes one claim on A and
 * one on Bm, both at (r_x, r_y, ., r_b).
 *
 * Aligned case (Ca = 2^lca, Cb <= Ca: B's block starts at the top channel
 * bit), no sum-check: with t = r_c[lca],
 *     v = (1 - t) A~(r_x, r_y, r_c[0..lca), r_b)
 *         + t Bm~(r_x, r_y, r_c[0..lcb), r_b) prod_{lcb <= i < lca} (1 - r_c[i])
 * (Bm's padded channels are zero: every committed map is, its layer's
 * relation pins its pads to 0).
 *
 * General case: one degree-2 sum-check over n = m + 1 variables (m =
 * max(lca, lcb); the top one picks the part):
 *     v = sum_{t, c} S[t, c] T[t, c]
 *     S[0, c] = eq(r_c, c) [c < Ca],       T[0, c] = A~(r_x, r_y, c, r_b)
 *     S[1, c] = eq(r_c, Ca + c) [c < Cb],  T[1, c] = Bm~(r_x, r_y, c, r_b)
 * (the masks select the real channels, so no pad of A or Bm is read). At
 * the sum-check's point s the prover sends a = A~(r_x, r_y, s[0..lca), r_b),
 * b = Bm~(.., s[0..lcb), ..); the verifier evaluates the shifted selector
 * S~(s) itself in O(Ca + Cb) and checks
 *     final = S~(s) ((1 - s_m) a Z_a + s_m b Z_b),  Z_p = prod_{lp <= i < m} (1 - s_i).
 *
 * Transcript: the sum-check (general case), then a, b. */
#ifndef ZKI_OPS_CONCAT_H
#define ZKI_OPS_CONCAT_H

#include <stdint.h>

#include "sumcheck/sumcheck.h"

typedef struct {
    uint64_t B, Ca, Cb, H, W;
    size_t lb, lca, lcb, lc, lh, lw, m;
    int aligned;
} zki_concat_dims;

typedef struct {
    zki_sc_proof sc; /* empty when aligned */
    zki_ext a_eval, b_eval;
} zki_concat_proof;

/* ZKI_ERR_INPUT on zero or oversized (> 2^31) sizes. */
zki_status zki_concat_dims_init(zki_concat_dims *d, uint64_t B, uint64_t Ca, uint64_t Cb, uint64_t H,
                                uint64_t W);
/* Sum-check rounds (0 when aligned). */
size_t zki_concat_rounds(const zki_concat_dims *d);
/* Coordinates of the Y, A and Bm points. */
size_t zki_concat_y_nvars(const zki_concat_dims *d);
size_t zki_concat_a_nvars(const zki_concat_dims *d);
size_t zki_concat_b_nvars(const zki_concat_dims *d);

/* Y padded [B][2^(lc+lh+lw)] from A, Bm padded alike (malloc'ed). */
int64_t *zki_concat_forward(const zki_concat_dims *d, const int64_t *A, const int64_t *Bm);

/* Prover: v = Y~(r). Writes the A and Bm points (caller-allocated). */
zki_status zki_concat_prove(const zki_concat_dims *d, const int64_t *A, const int64_t *Bm, const zki_ext *r,
                            zki_ext v, zki_transcript *t, zki_concat_proof *proof, zki_ext *a_point,
                            zki_ext *b_point);
/* Verifier: ZKI_ERR_VERIFY if the proof does not turn the claim into
 * a_eval at a_point and b_eval at b_point (which the caller must check). */
zki_status zki_concat_verify(const zki_concat_dims *d, const zki_ext *r, zki_ext v, const zki_concat_proof *proof,
                             zki_transcript *t, zki_ext *a_point, zki_ext *b_point);

void zki_concat_proof_free(zki_concat_proof *p);

#endif
