/* Placing nodes a pass appended next to the node they expand, so the node
 * list stays in topological order (graph/recurrent.c, graph/channel_affine.c). */
#ifndef ZKI_GRAPH_SPLICE_H
#define ZKI_GRAPH_SPLICE_H

#include "graph/graph.h"

/* Of the first n0 nodes, node i owns the appended nodes [first[i], end[i]).
 * They move next to node i, in order: after it (before == 0: node i's
 * outputs now come from them) or before it (before == 1: node i was
 * rewritten to read them). Producers are renumbered; the moved nodes, and
 * with before == 1 the nodes they precede, have their shapes inferred.
 * Returns ZKI_OK, ZKI_ERR_NOMEM or an inference error. */
zki_status zki_graph_splice(zki_graph *g, int n0, const int *first, const int *end, int before);

#endif
