/* A Mul, Add or Sub of a 4-D map and a per-channel constant (ConvNeXt's
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

#endif
