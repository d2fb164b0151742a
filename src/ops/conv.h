/* 2-D convolution gadget (NCHW; strides, padding, dilation, groups) proven
 * through the matrix-multiplication sum-check over a VIRTUAL im2col: the
 * patch matrix is never built, neither by the prover nor by the verifier.
 *
 * Relation, for b < B, oc < OC (group g = oc / Cog), oy < OH, ox < OW:
 *   acc[b,oc,oy,ox] = bias[oc] + sum_{icl < Cig, ky < KH, kx < KW}
 *       W[oc,icl,ky,kx] * X[b, g Cig + icl, oy sh + ky dh - pt, ox sw + kx dw - pl]
 * with X read as zero outside [0,H) x [0,W) (ONNX Conv, integer executor).
 *
 * Layouts (every axis zero-padded to its own power of two; x_0 = least
 * significant index bit):
 *   acc [B][OC][OH][OW]   point (r_ox, r_oy, r_oc, r_b)
 *   X   [B][C][H][W]      point (s_x, s_y, r_c, r_b)
 *   W   [OC][Cig][KH][KW] point (r_kx, r_ky, r_icl, r_oc)
 *   bias [OC]             point r_oc
 * With groups > 1 and Cig = C / G, Cog = OC / G powers of two, a channel
 * index splits into (in-group bits, group bits) and the padded channel axis
 * is exactly (group) x (in-group); depthwise (Cig = 1) fits. Other group
 * sizes take the general path below.
 *
 * Protocol. Given acc~(r) = v:
 *  1. sum-check over k = (kx, ky, icl, g):
 *       v - bias~(r_oc) mask_B(r_b) mask_OH(r_oy) mask_OW(r_ox)
 *         = sum_k Wf[k] Xf[k] [eq(r_og, g)]
 *     Wf[k] = sum_ocl eq(r_ocl, ocl) W[g Cog + ocl, icl, ky, kx] (whose MLE
 *     is W~ at (r_k, r_ocl, r_g)), Xf[k] = sum_{b,oy,ox} eq(r_b,b)
 *     eq(r_oy,oy) eq(r_ox,ox) X[b, c, iy, ix] (the virtual im2col folded).
 *     The eq(r_og, g) factor (groups > 1 only) is a third table that the
 *     verifier evaluates itself. Ends in claims Wf~ = w_eval, Xf~ = xf_eval.
 *  2. Xf~(r_kx, r_ky, r_c) = sum_{iy,ix} X~(ix, iy, r_c, r_b) Ty[iy] Tx[ix]
 *     with Ty[iy] = sum_{oy < OH, ky < KH, oy sh + ky dh - pt = iy} eq(r_oy,oy)
 *     eq(r_ky,ky) (and Tx alike): a degree-2 sum-check over (ix, iy).
 *     The index map and the zero padding live in Ty, Tx only, and the
 *     VERIFIER evaluates Ty~(s_y) Tx~(s_x) itself in O(OH KH + OW KW + H + W)
 *     (no committed selector). Ends in the claim X~(s_x, s_y, r_c, r_b).
 * The caller chains the three claims (x_eval, w_eval, b_eval).
 *
 * General groups (G > 1 with Cig or Cog not a power of two, e.g. 3
 * channels per group): the channel axes no longer split into (group,
 * in-group) bits, so channels are matched by index maps instead:
 *  1. Wf[k] = sum_{oc of group g} eq(r_oc, oc) W[oc, icl, ky, kx] (the
 *     group match folded in; degree 2, no third table), ending in
 *     Wf~ = wf_eval and Xf~ = xf_eval at p1 = (r_kx, r_ky, r_icl, r_g);
 *  2. the second sum-check also runs over the input channel c:
 *     Xf~ = sum_{c,iy,ix} X~(ix, iy, c, r_b) Ty[iy] Tx[ix] Tc[c] with
 *     Tc[c] = eq(r_icl, c mod Cig) eq(r_g, c div Cig), which the verifier
 *     evaluates in O(C) at the end; X's point is (s_x, s_y, s_c, r_b);
 *  3. a third sum-check over oc: wf_eval = sum_oc To[oc] W'(oc) with
 *     W'(oc) = W~(r_kx, r_ky, r_icl, oc) and To[oc] = eq(r_oc, oc)
 *     eq(r_g, oc div Cog) (verifier: O(OC)), ending in W~ at
 *     (r_kx, r_ky, r_icl, s_oc) = w_eval.
 * Transcript (general): b_eval, sum-check 1, wf_eval, xf_eval, sum-check 2,
 * x_eval, sum-check 3, w_eval.
 *
 * Transcript: b_eval, sum-check 1, w_eval, xf_eval, sum-check 2, x_eval.
 * In a zero-knowledge proof (src/zk/zk.h) every value and every sum-check
 * message is sent padded: the proof holds the padded values, the prover
 * keeps the true ones, and the verifier's checks are on private values. */
#ifndef ZKI_OPS_CONV_H
#define ZKI_OPS_CONV_H

#include <stdint.h>

#include "sumcheck/sumcheck.h"

typedef struct {
    uint64_t B, C, H, W;       /* input */
    uint64_t OC, KH, KW;       /* weight [OC][C/G][KH][KW] */
    uint64_t sh, sw, dh, dw;   /* strides, dilations (>= 1) */
    uint64_t pt, pl, pb, pr;   /* pads: top, left, bottom, right */
    uint64_t G;                /* groups */
    uint64_t OH, OW, Cig, Cog; /* derived */
    size_t lb, lc, lh, lw, loc, loh, low, lkh, lkw, licl, locl, lg;
    int has_bias;
    int general; /* groups > 1 with per-group channels not powers of two */
} zki_conv_dims;

typedef struct {
    zki_sc_proof sc1; /* lkw + lkh + licl + lg rounds, degree 2 (3 with groups) */
    zki_sc_proof sc2; /* lw + lh rounds, degree 2 (general: + lc) */
    zki_sc_proof sc3; /* general only: loc rounds, degree 2 */
    zki_ext b_eval, w_eval, xf_eval, x_eval;
    zki_ext wf_eval; /* general only: the folded weights' claim sc3 starts from */
} zki_conv_proof;

/* The claims the caller chains (bias~, W~ at the W point, X~ at the X
 * point): the prover's true values, and the verifier's private values. */
typedef struct {
    zki_ext b, w, x;
} zki_conv_evals;
typedef struct {
    zki_pv b, w, x;
} zki_conv_claims;

/* Fills the derived fields: OH = floor((H + pt + pb - dh (KH - 1) - 1) / sh)
 * + 1 (OW alike). ZKI_ERR_INPUT on zero sizes, strides or dilations, sizes
 * above 2^31, an empty output, or C or OC not divisible by G. */
zki_status zki_conv_dims_init(zki_conv_dims *d, uint64_t B, uint64_t C, uint64_t H, uint64_t W,
                              uint64_t OC, uint64_t KH, uint64_t KW, uint64_t sh, uint64_t sw,
                              uint64_t dh, uint64_t dw, uint64_t pt, uint64_t pl, uint64_t pb,
                              uint64_t pr, uint64_t G, int has_bias);

/* Coordinates of the acc, X and W points. */
size_t zki_conv_acc_nvars(const zki_conv_dims *d);
size_t zki_conv_x_nvars(const zki_conv_dims *d);
size_t zki_conv_w_nvars(const zki_conv_dims *d);

/* The witness: X dense [B][C][H][W] int64 (|x| < 2^31), W dense
 * [OC][Cig][KH][KW] int8 or int16 (w_bits 8 or 16), bias [OC] or NULL.
 * Returns acc dense [B][OC][OH][OW] (malloc'ed); ZKI_ERR_INPUT if an entry
 * leaves (-2^62, 2^62). */
zki_status zki_conv_forward(const zki_conv_dims *d, const int64_t *X, const void *W, int w_bits,
                            const int64_t *bias, int64_t **acc);

/* Prover: r_acc has zki_conv_acc_nvars coordinates, v = acc~(r_acc). Writes
 * the X point and the W point (caller-allocated) and the three claims' true
 * values (*ev); the bias point is r_acc[low + loh ..][0 .. loc). */
zki_status zki_conv_prove(const zki_conv_dims *d, const int64_t *X, const void *W, int w_bits,
                          const int64_t *bias, const zki_ext *r_acc, zki_ext v,
                          zki_transcript *t, zki_conv_proof *proof, zki_ext *x_point,
                          zki_ext *w_point, zki_conv_evals *ev);

/* Verifier on a claim acc~(r_acc) = v that may be private: ZKI_ERR_VERIFY
 * if a sum-check or (all values public) a final check fails; with private
 * values the final checks, and "no bias value without a bias", are
 * constraints. On success the caller must still check out->x at x_point,
 * out->w at w_point and (with a bias) out->b at the bias point. */
zki_status zki_conv_verify(const zki_conv_dims *d, const zki_ext *r_acc, zki_pv v,
                           const zki_conv_proof *proof, zki_transcript *t, zki_ext *x_point,
                           zki_ext *w_point, zki_conv_claims *out);

void zki_conv_proof_free(zki_conv_proof *p);

#endif
