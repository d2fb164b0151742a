/* PROTOTYPE (issue 7 measurement, not used by the prover): one 2-D conv
 * layer proven in the NTT domain, after zkCNN (Liu, Xie, Zhang, CCS 2021),
 * to compare with the virtual-im2col gadget of ops/conv.h.
 *
 * Relation (batch 1, stride 1, no dilation, groups 1, no bias, square
 * kernel K, zero padding P on every side):
 *   Y[oc,oy,ox] = sum_{ic,ky,kx} W[oc,ic,ky,kx] X[ic, oy+ky-P, ox+kx-P]
 * Layouts and points as in ops/conv.h (B = 1): Y [OC][OH][OW] at
 * (r_ox, r_oy, r_oc); X [C][H][W] at (s_x, s_y, s_c); W [OC][C][K][K] at
 * (kx, ky, ic, oc); every axis zero-padded to its own power of two.
 *
 * Flattening (zkCNN): rows of width Wp = W + 2P. The padded input is the
 * polynomial x_ic(z) = sum X[ic,y,x] z^((y+P) Wp + x + P), the flipped
 * kernel w(z) = sum W[..,ky,kx] z^((K-1-ky) Wp + K-1-kx); Y[oy,ox] is the
 * coefficient of z^((oy+K-1) Wp + ox+K-1) of sum_ic x_ic w_{oc,ic}. With
 * N >= Hp Wp (Hp = H + 2P) the cyclic product mod z^N - 1 has the same
 * coefficients at those (cropped) positions: every wrapped term lands
 * below (K-1) Wp + K-1. full_linear = 1 takes N >= the whole linear size
 * instead (no wrap at all), for comparison.
 *
 * Hat tables: Xhat[ic][f] = NTT_N(x_ic)[f], What[oc][ic][f], Yhat[oc][f] =
 * sum_ic Xhat What (w = zki_fe_root_of_unity(n), N = 2^n). The NTT
 * matrix's MLE in its row variables at a point u, as a function of the
 * column t, is g_u(t) = sum_f eq(u,f) w^(f t) = prod_i (1 - u_i + u_i
 * w^(2^i t)); both sides tabulate it for all t in O(N) (level by level:
 * the factor i only depends on t mod 2^(n-i)). I found no O(log N)
 * evaluation of its MLE in t, so the verifier is O(N + H W + OH OW + K^2).
 *
 * Protocol, given Y~(r) = v:
 *  1. crop + inverse NTT: v = sum_f G(f) Yr(f), G = INTT(S), S(t) =
 *     eq(r_oy,oy) eq(r_ox,ox) at t = pos(oy,ox) (the crop selector), Yr(f)
 *     = sum_oc eq(r_oc,oc) Yhat[oc][f]. Degree 2, n rounds -> point a;
 *     the verifier evaluates G~(a) = (1/N) sum S(t) g'_a(t) (w^-1) itself;
 *     claim yr = Yhat~(a, r_oc).
 *  2. Hadamard, batched over ic: yr = sum_{f,ic} eq(a,f) Xhat[ic][f]
 *     Wr[ic][f], Wr = sum_oc eq(r_oc,oc) What[oc]. Degree 3, n + lc rounds
 *     -> (b, b_ic); claims xh = Xhat~(b, b_ic), wh = What~(b, b_ic, r_oc).
 *     eq(a,f) = 2^lc eq((a, 1/2, .., 1/2), (f, ic)) on the hypercube, so the
 *     engine's eq factor serves (claim yr / 2^lc).
 *  3. X transform with the pad/flatten map: xh = sum_{y,x} g_b((y+P) Wp +
 *     x + P) X~(x, y, b_ic). Degree 2, lw + lh rounds; the verifier
 *     evaluates the map; claim x_eval = X~(c_x, c_y, b_ic).
 *  4. W transform (the What -> W reduction) with the flip map: wh =
 *     sum_{ky,kx} g_b((K-1-ky) Wp + K-1-kx) W~(kx, ky, b_ic, r_oc). Degree
 *     2, 2 lk rounds; claim w_eval = W~(d_kx, d_ky, b_ic, r_oc).
 * By linearity the prover folds Y and W over oc BEFORE transforming, so
 * the proof needs C + 2C + 2 NTTs of size N, never What for all (oc, ic)
 * pairs (only an NTT-based forward pass would; zki_conv_fft_forward).
 *
 * Transcript: sum-check 1, yr, sum-check 2, xh, wh, sum-check 3, x_eval,
 * sum-check 4, w_eval. */
#ifndef ZKI_BENCH_CONV_FFT_H
#define ZKI_BENCH_CONV_FFT_H

#include <stdint.h>

#include "sumcheck/sumcheck.h"

typedef struct {
    uint64_t C, H, W, OC, K, P; /* input channels, size; output channels; kernel; pad */
    uint64_t OH, OW, Hp, Wp, N; /* derived */
    size_t n, lc, lh, lw, loc, loh, low, lk;
} zki_conv_fft_dims;

typedef struct {
    zki_sc_proof sc_out, sc_had, sc_x, sc_w;
    zki_ext yr, xh, wh, x_eval, w_eval;
} zki_conv_fft_proof;

/* ZKI_ERR_INPUT on zero sizes, sizes above 2^20, P >= K, a kernel larger
 * than the padded input, or N above 2^26. */
zki_status zki_conv_fft_dims_init(zki_conv_fft_dims *d, uint64_t C, uint64_t H, uint64_t W,
                                  uint64_t OC, uint64_t K, uint64_t P, int full_linear);

size_t zki_conv_fft_acc_nvars(const zki_conv_fft_dims *d); /* low + loh + loc */
size_t zki_conv_fft_x_nvars(const zki_conv_fft_dims *d);   /* lw + lh + lc */
size_t zki_conv_fft_w_nvars(const zki_conv_fft_dims *d);   /* 2 lk + lc + loc */
/* Field elements in the proof (each 16 bytes serialised). */
size_t zki_conv_fft_proof_elems(const zki_conv_fft_proof *p);

/* The forward pass the zkCNN way: What for all OC * C pairs, the Hadamard
 * sums and OC inverse NTTs, then the crop. X [C][H][W] int64 (|x| < 2^31),
 * W [OC][C][K][K] int8/int16 (w_bits). Y [OC][OH][OW] malloc'ed; results
 * are read back as signed values in (-p/2, p/2). For measuring only. */
zki_status zki_conv_fft_forward(const zki_conv_fft_dims *d, const int64_t *X, const void *W,
                                int w_bits, int64_t **Y);

/* Prover: r_acc has acc_nvars coordinates, v = Y~(r_acc) for the true Y.
 * Writes the X point (x_nvars) and the W point (w_nvars). */
zki_status zki_conv_fft_prove(const zki_conv_fft_dims *d, const int64_t *X, const void *W,
                              int w_bits, const zki_ext *r_acc, zki_ext v, zki_transcript *t,
                              zki_conv_fft_proof *proof, zki_ext *x_point, zki_ext *w_point);

/* Verifier: ZKI_ERR_VERIFY if a sum-check or final check fails. On success
 * the caller must still check x_eval at x_point and w_eval at w_point. */
zki_status zki_conv_fft_verify(const zki_conv_fft_dims *d, const zki_ext *r_acc, zki_ext v,
                               const zki_conv_fft_proof *proof, zki_transcript *t,
                               zki_ext *x_point, zki_ext *w_point);

void zki_conv_fft_proof_free(zki_conv_fft_proof *p);

#endif
