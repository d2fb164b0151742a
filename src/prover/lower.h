/* Lowering a quantised model to the proof DAG the gadgets prove
 * (protocol/dag.h): one DAG node per proven model node (a MaxPool of a
 * large window: one per pass), views (Reshape, Flatten, identity Pad)
 * aliased, tensors named once. */
#ifndef ZKI_PROVER_LOWER_H
#define ZKI_PROVER_LOWER_H

#include "protocol/dag.h"
#include "quant/qmodel.h"
#include "quant/qmodel.h"

/* The provable class in one sentence: docs/onnx.md ("What is provable")
 * holds it verbatim with the details, the README and `compile --help` quote
 * it, and tests/test_cli_messages.c checks that the three agree. */
#define ZKI_PROVABLE_CLASS \
    "one input and one output; a DAG (any forks and joins) of Gemm/MatMul with constant " \
    "weights, Conv (strides, padding, dilation, groups; a standalone BatchNorm as a depthwise " \
    "Conv), MaxPool (windows up to 8x8, ceil_mode), AveragePool (any padding, ceil_mode) and " \
    "GlobalAveragePool, ReduceMean and ReduceSum, with fused ReLU/Clip, elementwise functions " \
    "by lookup table (Sigmoid, Tanh, GELU, SiLU, HardSwish, ...), products of two " \
    "activations, elementwise Mul/Add/Sub by a constant tensor (its values committed " \
    "weights), LayerNorm, RMSNorm and Softmax over the last axis of one row or many (a " \
    "transformer's token sequence, attention's scores, behind a causal mask) and InstanceNorm " \
    "and GroupNorm of a map (lowered to those), Linear layers over a sequence of tokens (1x1 convs, the " \
    "weights read once for all tokens), Adds and " \
    "channel Concats of any number of maps (with broadcasting), Concats of rows (the steps of " \
    "unrolled LSTM/GRU layers) and along any other axis (RoPE's rotate-half), data movement " \
    "as index maps (Reshape, Transpose, Slice, Pad, Expand, Gather by constant indices), and " \
    "embedding lookups (a Gather of a constant table by the model's token ids)"

/* Fills d (zki_dag_free). ZKI_ERR_UNSUPPORTED names every model node
 * without a gadget at once, or the first node whose parameters the gadgets
 * cannot prove. src_node (may be NULL): per DAG node the model node it came
 * from (malloc'ed, caller frees). */
zki_status zki_dag_lower(const zki_qmodel *m, zki_dag *d, int **src_node);

/* A MaxPool (p: KH KW sh sw dh dw pt pl pb pr) as passes of at most
 * ZKI_MAXPOOL_MAX_WINDOW elements: one when the window is that small, else
 * a row pass then a column pass (the max is separable); an axis of K in
 * (4, 8] is itself two passes, a window of w = ceil(K/2) at stride 1 (with
 * the pads) and then a window of 2 with dilation d (K - w) at the stride.
 * Returns the number of passes (0: not expressible), geometry in st. */
int zki_maxpool_passes(const int64_t *p, int64_t st[4][10]);

#endif
