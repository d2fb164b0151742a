#include "graph/splice.h"

#include <stdlib.h>

#include "common/error.h"
#include "graph/ops.h"

zki_status zki_graph_splice(zki_graph *g, int n0, const int *first, const int *end, int before)
{
    zki_node *nodes = malloc(sizeof(zki_node) * (size_t)(g->n_nodes + 1));
    uint8_t *fresh = calloc((size_t)g->n_nodes + 1, 1);
    if (!nodes || !fresh) {
        free(nodes);
        free(fresh);
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    }
    int m = 0;
    for (int i = 0; i < n0; i++) {
        if (!before)
            nodes[m++] = g->nodes[i];
        for (int j = first[i]; j < end[i]; j++) {
            fresh[m] = 1;
            nodes[m++] = g->nodes[j];
        }
        if (before) {
            fresh[m] = end[i] > first[i];
            nodes[m++] = g->nodes[i];
        }
    }
    free(g->nodes);
    g->nodes = nodes;
    g->cap_nodes = g->n_nodes + 1;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_out; k++)
            if (g->nodes[i].out[k] >= 0)
                g->t[g->nodes[i].out[k]].producer = i;
    zki_status st = ZKI_OK;
    for (int i = 0; i < g->n_nodes && st == ZKI_OK; i++)
        if (fresh[i])
            st = zki_op_infer(g, i);
    free(fresh);
    return st;
}
