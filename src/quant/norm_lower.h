/* LayerNormalization and Softmax over the last axis of one row, and
 * InstanceNormalization (GroupNorm's core) of a map, lowered to chains of
 * the quantised ops the prover already proves (LINEAR and depthwise CONV
 * with constant weights, MEAN over a map's spatial axes, MUL and ADD of
 * two activations, LUT, MAXPOOL, RESHAPE), so the integer executor and the
 * proof need nothing new. The range rules are in docs/onnx.md
 * ("LayerNorm, RMSNorm and Softmax as chains", "InstanceNorm and GroupNorm as
 * chains"). */
#ifndef ZKI_QUANT_NORM_LOWER_H
#define ZKI_QUANT_NORM_LOWER_H

#include <stdint.h>

#include "graph/graph.h"
#include "quant/qmodel.h"

/* The node being lowered, its input and where its result goes. */
typedef struct {
    zki_qmodel *m;
    const zki_node *n;  /* for names and errors */
    int x;              /* input qtensor: a row [1, .., 1, N] (InstanceNorm: [N, C, S...]) */
    const zki_tensor *y; /* the IR tensor the chain writes (name, shape) */
    double sy;          /* its scale */
    int bits;           /* its bits */
    int64_t lo, hi;     /* its clamp (a fused ReLU/Clip) */
} zki_norm_io;

/* Requantisation multiplier M / 2^s for a real multiplier (quant.c). */
zki_status zki_quant_choose_rq(const zki_node *n, double m, double acc_bound, int64_t *M, int64_t *s);
/* The same at the full ZKI_RQ_PRECISION bits, never a coarser shift that
 * keeps as few as 7 (a relative error up to 2^-8): for a mean that is
 * subtracted from the values it summarises. */
zki_status zki_quant_choose_rq_fine(const zki_node *n, double m, double acc_bound, int64_t *M, int64_t *s);

/* Whether qtensor t is a row [1, .., 1, N] (N >= 1): what the chains take. */
int zki_norm_is_row(const zki_qtensor *t);

/* y = gamma * (x - mean) / sqrt(var + eps) + beta (gamma, beta: N floats;
 * beta may be NULL). Sets *qy to y's qtensor. */
zki_status zki_norm_layernorm(const zki_norm_io *io, const float *gamma, const float *beta, double eps, int *qy);

/* y = gamma * x / sqrt(mean(x^2) + eps) over the last axis (RMSNorm),
 * rows of any number: x^2, its mean per row, a table of 1/sqrt and the
 * product by x, then gamma (D floats) per feature as a depthwise conv. */
zki_status zki_norm_rmsnorm(const zki_norm_io *io, const float *gamma, double eps, int *qy);

/* y = exp(x - max) / sum(exp(x - max)) along the last axis, the max
 * proven by MAXPOOLs; rows of any number (x [.., T, N]). mask_k: a causal
 * mask (keeps (i, j) of the last two axes where j <= i + mask_k, k >= 0;
 * the rest contribute nothing), or ZKI_NORM_NO_MASK. */
#define ZKI_NORM_NO_MASK INT64_MIN
/* Values per row a softmax chain takes (its sum is kept at 16 bits). */
#define ZKI_NORM_SOFTMAX_MAX_ROW 1024
zki_status zki_norm_softmax(const zki_norm_io *io, int64_t mask_k, int *qy);

/* y = scale[c] (x - mean) / sqrt(var + eps) + bias[c], mean and var per
 * sample and channel c over the spatial axes of x [N, C, S...] (a 3-D
 * [1, G, L]: GroupNorm's), scale and bias C floats (bias may be NULL). The
 * proof takes a batch of one (N = 1), as for every map. */
zki_status zki_norm_instnorm(const zki_norm_io *io, const float *scale, const float *bias, double eps, int *qy);

/* ZKI_OK for a finite epsilon >= 0, else an error naming node n. */
zki_status zki_norm_eps_check(const zki_node *n, double eps);

#endif
