/* LayerNormalization and Softmax over the last axis of one row, lowered to
 * chains of the quantised ops the prover already proves (LINEAR with
 * constant weights, MUL of two activations, LUT, MAXPOOL, ADD, RESHAPE),
 * so the integer executor and the proof need nothing new. The range rules
 * are in docs/onnx.md ("LayerNorm and Softmax"). */
#ifndef ZKI_QUANT_NORM_LOWER_H
#define ZKI_QUANT_NORM_LOWER_H

#include "graph/graph.h"
#include "quant/qmodel.h"

/* The node being lowered, its input and where its result goes. */
typedef struct {
    zki_qmodel *m;
    const zki_node *n;  /* for names and errors */
    int x;              /* input qtensor: a row [1, .., 1, N] */
    const zki_tensor *y; /* the IR tensor the chain writes (name, shape) */
    double sy;          /* its scale */
    int bits;           /* its bits */
    int64_t lo, hi;     /* its clamp (a fused ReLU/Clip) */
} zki_norm_io;

/* Requantisation multiplier M / 2^s for a real multiplier (quant.c). */
zki_status zki_quant_choose_rq(const zki_node *n, double m, double acc_bound, int64_t *M, int64_t *s);

/* Whether qtensor t is a row [1, .., 1, N] (N >= 1): what the chains take. */
int zki_norm_is_row(const zki_qtensor *t);

/* y = gamma * (x - mean) / sqrt(var + eps) + beta (gamma, beta: N floats;
 * beta may be NULL). Sets *qy to y's qtensor. */
zki_status zki_norm_layernorm(const zki_norm_io *io, const float *gamma, const float *beta, double eps, int *qy);

/* y = exp(x - max) / sum(exp(x - max)), the max proven by a MAXPOOL. */
zki_status zki_norm_softmax(const zki_norm_io *io, int *qy);

#endif
