/* Unrolling of recurrent layers (ONNX LSTM and GRU) over their static
 * sequence length into nodes of the feed-forward IR, so the quantiser and
 * the prover see only MatMul, Add, Sub, Mul, Sigmoid, Tanh, Slice, Concat
 * and Unsqueeze.
 *
 * Each time step slices its row x_t of the input; per gate its input
 * projection is a MatMul of that row by a constant [I, H] matrix plus a
 * constant bias (the input and, where ONNX adds it there, the recurrence
 * bias), one Linear layer per step and gate as the prover proves them, and
 * the recurrent MatMul of the previous hidden state is added:
 *   LSTM (gates i o f c)  c' = f*c + i*g,  h' = o*tanh(c')
 *   GRU  (gates z r h)    h~ = tanh(xW_h + (r*h) R_h + b)        (linear_before_reset 0)
 *                         h~ = tanh(xW_h + r*(h R_h + Rb_h))      (linear_before_reset 1)
 *                         h' = h~ + z*(h - h~)
 * A zero or absent initial state drops the terms it would zero; a constant
 * one is folded into constants (biases, and MatMuls by diagonal matrices
 * for its products). The steps' tensors of one role (h, c, a gate's
 * pre-activation, ...) share a range tie (zki_tensor.range_tie): the
 * quantiser calibrates them as one range, over every step, so one step's
 * scale does not rest on that step's few calibration values alone. Y is the Concat of every step's h (then
 * Unsqueeze for the direction axis), Y_h the last h and Y_c the last c; what
 * nothing consumes is left for dead-code removal.
 *
 * Refused, naming the node: direction other than forward (bidirectional,
 * reverse), layout 1, clip, input_forget, non-default activations,
 * peepholes, per-batch sequence_lens shorter than the sequence, weights
 * that are not constants, and a used Y of more than 1024 steps. */
#ifndef ZKI_GRAPH_RECURRENT_H
#define ZKI_GRAPH_RECURRENT_H

#include "graph/graph.h"

/* 1 when g holds an LSTM or GRU node. */
int zki_graph_has_recurrent(const zki_graph *g);

/* Replaces every LSTM and GRU node of a shape-inferred graph by its unrolled
 * nodes, in place in the topological order, and infers their shapes. The
 * replaced nodes are left with no outputs: the caller's dead-code pass drops
 * them together with the unrolled nodes nothing uses. */
zki_status zki_graph_unroll_recurrent(zki_graph *g);

#endif
