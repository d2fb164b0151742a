/* Per-op shape inference and float reference kernels over the graph IR.
 *
 * zki_op_infer sets the element type and static shape of a node's outputs
 * from its inputs' shapes (and, for shape-defining inputs such as Reshape's
 * target shape or Slice's bounds, their constant values: a non-constant one
 * is an error naming the node). zki_op_run computes the outputs in float
 * (float types) or int64 (integer and bool types) given a buffer per tensor;
 * the caller allocates output buffers from the inferred shapes. Anything
 * zki_op_infer accepted runs without out-of-bounds access; data-dependent
 * faults (a Gather index out of range) are reported by zki_op_run. */
#ifndef ZKI_GRAPH_OPS_H
#define ZKI_GRAPH_OPS_H

#include "graph/graph.h"

typedef struct {
    float *f;
    int64_t *i;
} zki_buf;

zki_status zki_op_infer(zki_graph *g, int node);
zki_status zki_op_run(const zki_graph *g, const zki_node *n, zki_buf *vals);

/* Formats "node 'NAME' (op OP, opset N): MESSAGE" into the error slot. */
zki_status zki_node_fail(const zki_node *n, zki_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Element-wise functions of one input (Relu, Sigmoid, Elu, HardSwish, ...,
 * and Pow by a constant / PRelu by a scalar slope): the float kernels and
 * the quantiser's lookup tables evaluate the same double function. a and b
 * are the op's constant parameters (alpha/beta/gamma, Pow's exponent,
 * PRelu's slope), set from the attributes with ONNX's defaults by
 * zki_unary_params; zki_unary_is reports the ops it covers. */
typedef struct {
    double a, b;
    int tanh_approx; /* Gelu approximate="tanh" */
} zki_unary;

int zki_unary_is(int op);
void zki_unary_params(const zki_node *n, zki_unary *u);
double zki_unary_eval(int op, const zki_unary *u, double x);

/* Resolved 2-D window geometry of a Conv / MaxPool / AveragePool node. */
typedef struct {
    int64_t kh, kw, sh, sw, dh, dw;
    int64_t pt, pl, pb, pr;  /* pads: top, left, bottom, right */
    int64_t oh, ow;
} zki_win2d;

zki_status zki_win2d_resolve(const zki_node *n, int64_t h, int64_t w, int64_t kh, int64_t kw,
                             int ceil_mode, zki_win2d *out);

/* Numpy-style broadcast of two shapes; returns 0 if incompatible. */
int zki_bcast_shape(int ra, const int64_t *a, int rb, const int64_t *b, int *ro, int64_t *o);
/* Index into an input of shape (ri, di) broadcast to (ro, dout), for the
 * output element with linear index k. */
int64_t zki_bcast_index(int ro, const int64_t *dout, int ri, const int64_t *di, int64_t k);

/* Resolved Slice parameters for every axis of the data tensor. */
zki_status zki_slice_resolve(const zki_graph *g, const zki_node *n, int64_t *start, int64_t *step, int64_t *len);
/* Resolved Pad begin amounts for every axis and the mode (0 constant, 1
 * reflect, 2 edge). */
zki_status zki_pad_resolve(const zki_graph *g, const zki_node *n, int64_t *begin, int64_t *end, int *mode);

#define ZKI_MAX_SPLIT 8 /* outputs of a Split (the importer's limit on outputs) */

/* Split: the axis and the length of each of the n->n_out parts (from the
 * split input, or equal parts). */
zki_status zki_split_resolve(const zki_graph *g, const zki_node *n, int *axis, int64_t *len);

/* Resize (mode nearest only): the output dims and the scale of every axis
 * (out / in when sizes are given); zki_resize_src maps output coordinate i
 * of an axis to its source coordinate under the node's coordinate
 * transformation and nearest rounding modes, clamped into [0, in). */
zki_status zki_resize_resolve(const zki_graph *g, const zki_node *n, int64_t *out_dims, double *scale);
int64_t zki_resize_src(const zki_node *n, int64_t in, int64_t out, double scale, int64_t i);

#endif
