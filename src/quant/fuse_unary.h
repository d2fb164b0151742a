/* Elementwise regions: the nodes that together compute a function of ONE
 * activation x, elementwise, and nothing else: unary functions of values of
 * the region, and Add/Sub/Mul/Div of two such values or of one and a scalar
 * constant. torch exports SiLU as x * Sigmoid(x), GELU (erf form) as
 * x * 0.5 * (1 + Erf(x / sqrt 2)), Mish and HardSwish alike: each region is
 * one function of x, so the quantiser makes it one lookup table over x's
 * integer range (one lookup proves it) instead of a table, a product and a
 * requantisation, and the quantised result is the function's, not the
 * rounding of its parts. */
#ifndef ZKI_QUANT_FUSE_UNARY_H
#define ZKI_QUANT_FUSE_UNARY_H

#include "graph/graph.h"

typedef struct {
    int *root;   /* per node: the node writing its region's result, or -1 */
    int *input;  /* per node that is a root: the region's x (a tensor) */
} zki_unary_regions;

/* Finds the regions worth a table: two nodes or more, one of them not
 * piecewise linear (a unary function but ReLU and Clip, or a product or
 * quotient of two values), one
 * result read outside (every other value of the region read only inside
 * it and not a graph output). Unary functions are the float kernels' (zki_unary_is,
 * graph/ops.h). Free with zki_unary_regions_free. */
zki_status zki_unary_regions_find(const zki_graph *g, zki_unary_regions *r);
void zki_unary_regions_free(zki_unary_regions *r);

/* The region's function at x (root: a root node); NaN where it is undefined. */
double zki_unary_region_eval(const zki_graph *g, const zki_unary_regions *r, int root, double x);

#endif
