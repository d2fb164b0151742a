/* Normalisations written out as elementwise ops, fused back into one node
 * (a pass of zki_graph_prepare, before Div by a constant becomes a Mul):
 *
 *   RMSNorm (Llama's reference code, torch.onnx.export at opsets 13-18):
 *     x * (1 / sqrt(mean(x^2, -1, keepdims) + eps)) [* weight]
 *     x^2 a Pow by 2 or Mul(x, x); 1 / s a Div(1, s) (torch.rsqrt) or a
 *     Reciprocal, or x / s a Div  ->  RMSNormalization(x, weight or ones)
 *   LayerNorm as torch exports it below opset 17:
 *     d = x - mean(x, -1, keepdims); d / sqrt(mean(d^2, -1, keepdims) + eps)
 *     [* gamma] [+ beta]  ->  LayerNormalization(x, gamma or ones, beta)
 *
 * The means must reduce the last axis only with keepdims, eps and the
 * weights must be float constants (eps a single value, weights one per
 * feature of the last axis), and every intermediate must have no other
 * consumer and not be a graph output; anything else is left as it is. */
#ifndef ZKI_GRAPH_NORM_FUSE_H
#define ZKI_GRAPH_NORM_FUSE_H

#include <stdint.h>

#include "graph/graph.h"

/* Rewrites each recognised chain's last node into the fused op and marks
 * the chain's other nodes in dead[] (compacted away by the caller).
 * Returns ZKI_OK or ZKI_ERR_NOMEM. */
zki_status zki_graph_fuse_norms(zki_graph *g, uint8_t *dead);

#endif
