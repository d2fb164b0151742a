/* Per-channel constants on maps, turned into depthwise 1x1 Convs.
 *
 * A Mul, Add or Sub of a 4-D map and a per-channel constant (ConvNeXt's
 * layer scale, a learned per-channel shift, a normalisation's affine
 * written out by hand) becomes a depthwise 1x1 Conv: the constant is a
 * committed weight or bias, which the prover proves, instead of a product
 * with a constant tensor, which it does not. Run by zki_graph_prepare after
 * the BatchNormalization rewrite. */
#ifndef ZKI_GRAPH_CHANNEL_AFFINE_H
#define ZKI_GRAPH_CHANNEL_AFFINE_H

#include "graph/graph.h"

/* Rewrites node ni in place when it is such a node (leaves it otherwise).
 * Returns ZKI_OK, or ZKI_ERR_NOMEM. */
zki_status zki_channel_affine_to_conv(zki_graph *g, int ni);

/* A PRelu of a map with one slope per channel, y = max(x, 0) + a_c min(x, 0),
 * becomes Relu(x) + DepthwiseConv1x1(Relu(Neg(x)), -a): lookup tables, a
 * depthwise conv and an Add, which the prover proves (a table per channel
 * is not a gadget). New nodes go just before the PRelu, which becomes the
 * Add; shapes of the new nodes are inferred. Run after every other pass.
 * Returns ZKI_OK, ZKI_ERR_NOMEM, or an inference error. */
zki_status zki_graph_expand_prelu(zki_graph *g);

#endif
