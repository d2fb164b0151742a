/* Graph preparation passes, run by the importer in this order:
 *   normalise  attribute forms of old opsets (Slice < 10, Pad < 11, Clip < 11,
 *              Squeeze/Unsqueeze/Split < 13) become constant inputs
 *   infer+fold shapes inferred node by node; a node whose inputs are all
 *              constant (or a Shape node) is evaluated and its outputs become
 *              constants, so shape-computing sub-graphs vanish
 *   bn-fold    BatchNormalization folded into the preceding Conv or Gemm, or
 *              else (4-D input) made a depthwise 1x1 Conv
 *   norms      RMSNorm, and LayerNorm as exported below opset 17, written
 *              out as elementwise ops become one node (norm_fuse.h)
 *   simplify   Identity, Dropout and one-input Concat removed; Div by a
 *              constant becomes Mul by its reciprocal; x * Sigmoid(x)
 *              (torch's SiLU) becomes Swish, x * HardSigmoid(x) (alpha
 *              1/6, beta 1/2: torch's hardswish below opset 14) HardSwish;
 *              a Mul, Add or Sub of a 4-D map and a per-channel constant
 *              becomes a depthwise 1x1 Conv (channel_affine.h)
 *   dce        nodes and tensors nothing depends on are dropped
 *   unroll     LSTM and GRU nodes become MatMul/Add/Mul/Sigmoid/Tanh/Slice
 *              nodes over the static sequence (recurrent.h), then dce again
 * The float executor runs the prepared graph. */
#ifndef ZKI_GRAPH_PASSES_H
#define ZKI_GRAPH_PASSES_H

#include "graph/graph.h"
#include "graph/ops.h"

zki_status zki_graph_prepare(zki_graph *g);

/* Float reference executor. inputs[k] feeds graph input k (shapes must have
 * the same element count; integer data feeding a float input is converted).
 * On success *vals holds one buffer per tensor (constants point at the
 * graph's data); release with zki_exec_free. */
zki_status zki_exec_float(const zki_graph *g, const zki_host_tensor *inputs, int n_inputs, zki_buf **vals);
void zki_exec_free(const zki_graph *g, zki_buf *vals);

#endif
