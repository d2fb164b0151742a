/* MaxPool gadget (2-D, NCHW, windows of at most 4 elements; padding read
 * as pad_value, see below):
 * proves P = max over each window of X from claims, given committed P and
 * committed window differences D_j = P - X_j (j < J = KH KW).
 *
 * Relations (b < B, c < C, oy < OH, ox < OW, j = (ky, kx)):
 *   D_j[b,c,oy,ox] = P[b,c,oy,ox] - X[b, c, oy sh + ky dh - pt, ox sw + kx dw - pl]
 *   (X read as pad_value outside [0,H) x [0,W), for real output positions)
 *   prod_j D_j[b,c,oy,ox] = 0
 * and the CALLER range-checks every D_j in [0, 2^16) (a lookup): then P is
 * at least every window element and equal to one of them, i.e. the max.
 * At padded output positions X contributes nothing, so D_j = P there and
 * the product forces P = 0. With pads, P is the max over the window with
 * pad elements pad_value: the ONNX MaxPool (pads never win) when
 * pad_value is at most every X (the caller sets the map's minimum,
 * -2^(bits-1)) and every window holds an element of X. The link adds
 * pad_value times the verifier-evaluated padding indicator.
 *
 * Layouts (each axis zero-padded to a power of two, x_0 least significant):
 * P and every D_j [B][C][OH][OW], point (r_ox, r_oy, r_c, r_b); X
 * [B][C][H][W], point (s_x, s_y, r_c, r_b).
 *
 * Protocol:
 *  1. zero-check: tau from the transcript; sum-check of
 *     sum_x eq(tau, x) prod_j D_j(x) = 0 (degree J + 1), ending at rho
 *     with d_j = D_j~(rho).
 *  2. link, batched by alpha: sum_j alpha^j (P~(rho) - d_j) =
 *     sum_{iy,ix} X~(ix, iy, rho_c, rho_b) T(iy, ix), T = sum_j alpha^j
 *     Ty_j (x) Tx_j, Ty_j[iy] = eq(rho_oy, oy) where iy = oy sh + ky dh - pt:
 *     a degree-2 sum-check over (ix, iy). The verifier evaluates T~(s)
 *     itself in O(J (OH + OW + H + W)); nothing about the index map is
 *     committed.
 * The caller checks d_j and p_eval at rho (on D_j, P) and x_eval at
 * x_point (on X). Windows above 4 elements need committed partial
 * products (not done). Transcript: tau, sum-check 1, d_j, p_eval, alpha,
 * sum-check 2, x_eval. In a zero-knowledge proof (src/zk/zk.h) the values
 * and the sum-check messages are sent padded: the proof holds the padded
 * values, the prover keeps the true ones, and the verifier's checks are on
 * private values. */
#ifndef ZKI_OPS_POOL_H
#define ZKI_OPS_POOL_H

#include <stdint.h>

#include "sumcheck/sumcheck.h"

#define ZKI_MAXPOOL_MAX_WINDOW 4

typedef struct {
    uint64_t B, C, H, W, KH, KW, sh, sw, dh, dw, pt, pl, pb, pr, OH, OW;
    uint32_t J;
    size_t lb, lc, lh, lw, loh, low;
    int64_t pad_value; /* what a pad position reads as (0 from dims_init) */
} zki_maxpool_dims;

typedef struct {
    zki_sc_proof zc;  /* zero-check: out nvars rounds, degree J + 1 */
    zki_sc_proof sc;  /* link: lw + lh rounds, degree 2 */
    zki_ext d_eval[ZKI_MAXPOOL_MAX_WINDOW], p_eval, x_eval;
} zki_maxpool_proof;

/* The claims the caller checks (D_j~ and P~ at rho, X~ at the X point):
 * the prover's true values, and the verifier's private values. */
typedef struct {
    zki_ext d[ZKI_MAXPOOL_MAX_WINDOW], p, x;
} zki_maxpool_evals;
typedef struct {
    zki_pv d[ZKI_MAXPOOL_MAX_WINDOW], p, x;
} zki_maxpool_claims;

/* ZKI_ERR_INPUT on zero sizes, sizes or pads above 2^31, an empty output
 * or a window of more than 4 elements.
 * OH = floor((H + pt + pb - dh (KH-1) - 1) / sh) + 1. */
zki_status zki_maxpool_dims_init(zki_maxpool_dims *d, uint64_t B, uint64_t C, uint64_t H, uint64_t W,
                                 uint64_t KH, uint64_t KW, uint64_t sh, uint64_t sw, uint64_t dh,
                                 uint64_t dw, uint64_t pt, uint64_t pl, uint64_t pb, uint64_t pr);
size_t zki_maxpool_out_nvars(const zki_maxpool_dims *d);
size_t zki_maxpool_x_nvars(const zki_maxpool_dims *d);

/* Witness: P dense [B][C][OH][OW] and D dense [J][B][C][OH][OW]
 * (malloc'ed), from X dense [B][C][H][W]. */
zki_status zki_maxpool_forward(const zki_maxpool_dims *d, const int64_t *X, int64_t **P, int64_t **D);

/* Prover, on the witness above (P and D as the caller committed them).
 * Writes rho (out nvars), the X point (x nvars) and the claims' true
 * values (*ev; d[j] for j < J). */
zki_status zki_maxpool_prove(const zki_maxpool_dims *d, const int64_t *X, const int64_t *P,
                             const int64_t *D, zki_transcript *t, zki_maxpool_proof *proof,
                             zki_ext *rho, zki_ext *x_point, zki_maxpool_evals *ev);

/* Verifier: ZKI_ERR_VERIFY if a sum-check or (all values public) a final
 * check fails; with private values the final checks are constraints. On
 * success the caller checks the claims *out (d[j] for j < J) at rho and
 * x_point. */
zki_status zki_maxpool_verify(const zki_maxpool_dims *d, const zki_maxpool_proof *proof,
                              zki_transcript *t, zki_ext *rho, zki_ext *x_point, zki_maxpool_claims *out);

void zki_maxpool_proof_free(zki_maxpool_proof *p);

#endif
