/* Channel concatenation of k >= 2 padded maps (ONNX Concat, axis 1, NCHW).
 *
 * Layouts (every axis zero-padded to a power of two, x_0 = least
 * significant index bit, as in ops/conv.h):
 *   P_i [B][2^lc_i][2^lh][2^lw]  (C_i real channels), i < k
 *   Y   [B][2^lc][2^lh][2^lw],   lc = log2ceil(sum C_i):
 *     Y[b][off_i + c] = P_i[b][c] for c < C_i (off_i = C_0 + .. + C_{i-1}),
 *     0 after the last part.
 *
 * A claim Y~(r) = v, r = (r_x, r_y, r_c, r_b), becomes one claim per part,
 * all at (r_x, r_y, ., r_b), by one degree-2 sum-check over n = m + lt
 * variables (m = max lc_i low bits pick the channel, lt = log2ceil(k) high
 * bits the part):
 *     v = sum_{t, c} S[t, c] T[t, c]
 *     S[t, c] = eq(r_c, off_t + c) [c < C_t],  T[t, c] = P_t~(r_x, r_y, c, r_b)
 * (the masks select real channels, so no pad of a part is read; parts
 * t >= k are zero). At the sum-check's point s the prover sends
 * a_t = P_t~(r_x, r_y, s[0..lc_t), r_b); the verifier evaluates S~(s)
 * itself in O(2^lc + k 2^m) and checks
 *     final = S~(s) sum_t eq(s_hi, t) a_t Z_t,  Z_t = prod_{lc_t <= i < m} (1 - s_i).
 *
 * Transcript: the sum-check, then a_0 .. a_{k-1}. In a zero-knowledge
 * proof (src/zk/zk.h) the a_t and the sum-check's messages are sent
 * padded: the proof holds the padded values, the prover keeps the true
 * ones, and the verifier's check is a constraint on private values. */
#ifndef ZKI_OPS_CONCAT_H
#define ZKI_OPS_CONCAT_H

#include <stdint.h>

#include "sumcheck/sumcheck.h"

#define ZKI_CONCAT_MAX_PARTS 96u

typedef struct {
    uint64_t B, H, W, total;
    uint32_t k;
    uint64_t C[ZKI_CONCAT_MAX_PARTS], off[ZKI_CONCAT_MAX_PARTS];
    size_t lcp[ZKI_CONCAT_MAX_PARTS];
    size_t lb, lc, lh, lw, m, lt;
} zki_concat_dims;

/* ZKI_ERR_INPUT on fewer than 2 or more than ZKI_CONCAT_MAX_PARTS parts,
 * zero sizes or sizes above 2^31. */
zki_status zki_concat_dims_init(zki_concat_dims *d, uint64_t B, uint32_t k, const uint64_t *C, uint64_t H,
                                uint64_t W);
/* Sum-check rounds (m + lt). */
size_t zki_concat_rounds(const zki_concat_dims *d);
/* Coordinates of the Y point and of part i's point. */
size_t zki_concat_y_nvars(const zki_concat_dims *d);
size_t zki_concat_part_nvars(const zki_concat_dims *d, uint32_t i);

/* Y padded [B][2^(lc+lh+lw)] from the parts, padded alike (malloc'ed). */
int64_t *zki_concat_forward(const zki_concat_dims *d, const int64_t *const *P);

/* Prover: v = Y~(r). Fills sc and vals[k] (the a_t as the proof holds
 * them), writes part i's point to points[i] (caller-allocated,
 * zki_concat_part_nvars each) and the a_t's true values to evals[k] (not
 * vals). */
zki_status zki_concat_prove(const zki_concat_dims *d, const int64_t *const *P, const zki_ext *r, zki_ext v,
                            zki_transcript *t, zki_sc_proof *sc, zki_ext *vals, zki_ext *const *points,
                            zki_ext *evals);
/* Verifier on a claim Y~(r) = v that may be private: ZKI_ERR_VERIFY if the
 * proof does not turn the claim into out[i] at points[i] (which the caller
 * must check); with private values the last round's check is a
 * constraint. */
zki_status zki_concat_verify(const zki_concat_dims *d, const zki_ext *r, zki_pv v, const zki_sc_proof *sc,
                             const zki_ext *vals, zki_transcript *t, zki_ext *const *points, zki_pv *out);

#endif
