/* Static post-training quantisation of a prepared float graph into a
 * zki_qmodel (qmodel.h), calibration, and the float-vs-integer accuracy
 * report.
 *
 * Scheme: symmetric per-tensor scales. Weights: s_w = max|w| / (2^(b-1)-1),
 * int8 by default (int16 optional). Activations: s_a = max|a| over the
 * calibration samples / (2^(b-1)-1). Biases are int at s_x*s_w. A real
 * multiplier m = s_in*s_w/s_out is M / 2^s with M of ~24 bits, shortened
 * until the accumulator bound times M stays below 2^62. ReLU and Clip that
 * follow a Gemm/MatMul/Conv/Add are fused into the requantisation clamp, a
 * constant Add after MatMul becomes its bias, and element-wise non-linear ops
 * (Sigmoid, Tanh, Erf, Gelu, LeakyRelu, Sqrt, Pow by a constant) become
 * lookup tables over the input's integer range. LayerNorm and Softmax of
 * one row become chains of those ops (norm_lower.h); of several rows, the
 * fused LAYERNORM and SOFTMAX ops. */
#ifndef ZKI_QUANT_QUANT_H
#define ZKI_QUANT_QUANT_H

#include "graph/passes.h"
#include "quant/qmodel.h"

typedef struct {
    int weight_bits;  /* 8 (default) or 16 */
    int act_bits;     /* 8 (default) or 16 */
    /* called after each calibration sample ("calibration", s, n); NULL: none */
    void (*progress)(void *ctx, const char *stage, uint32_t done, uint32_t total);
    void *progress_ctx;
    /* when not NULL, *keep_out receives output 0 of the float graph for each
     * calibration sample, one after another (malloc'd), so an accuracy report
     * on the calibration set need not run the float graph again */
    float **keep_out;
    /* 1 (default): a Conv or Linear whose only reader is an Add of
     * activations hands it its exact accumulator, and the Add requantises
     * once (the layer's output is then neither rounded nor committed);
     * 0: every such layer requantises its own output */
    int raw_residual;
} zki_quant_opts;

void zki_quant_opts_default(zki_quant_opts *o);

/* samples[s * g->n_inputs + k] is input k of sample s. A float input's
 * calibration values must be finite and not all one constant (its range
 * could not be calibrated). */
zki_status zki_quantize(const zki_graph *g, const zki_host_tensor *samples, int n_samples,
                        const zki_quant_opts *o, zki_qmodel **out);

/* Float input -> model integer input: round(x / scale) clamped to range;
 * integer (raw) inputs are copied. NaN/Inf is refused. *out is malloc'd. */
zki_status zki_quant_input(const zki_qmodel *m, int k, const zki_host_tensor *x, int64_t **out);

/* round(x / scale) clamped to [-qmax, qmax] (x finite, scale > 0); sets
 * *clamped (when not NULL) if x lay outside. The one rounding rule of
 * zki_quant_input and the CLI's input checks, so prover and verifier agree. */
int64_t zki_quant_value(double x, double scale, int64_t qmax, int *clamped);

/* Index of the first NaN/Inf among f[0..n), or -1. */
int64_t zki_first_nonfinite(const float *f, int64_t n);

/* Loads calibration samples for a one-input graph from a .npy/.pb file or a
 * directory of them; a file's shape must pass the input shape rule
 * (input_shape.h, as for run/prove/verify inputs) and several samples are
 * split along its leading axis. Refused: no files, a file of no samples,
 * another shape (naming the file and both shapes), NaN/Inf (naming the file
 * and index) and integer files for a float input (they would need a scale). */
zki_status zki_calib_load(const zki_graph *g, const char *path, zki_host_tensor **samples, int *n_samples);
void zki_samples_free(zki_host_tensor *s, int n);

typedef struct {
    int samples;
    int rows;               /* argmax rows compared (last axis of output 0) */
    double top1_agreement;  /* fraction of rows whose argmax agrees */
    double cos_mean, cos_min;
    double max_abs_err;
} zki_accuracy;

zki_status zki_quant_accuracy(const zki_graph *g, const zki_qmodel *m, const zki_host_tensor *samples,
                              int n_samples, zki_accuracy *acc);
/* The same, with float_out (NULL: computed here) the float graph's output 0
 * for the samples, as zki_quant_opts.keep_out returns it. */
zki_status zki_quant_accuracy_ref(const zki_graph *g, const zki_qmodel *m, const zki_host_tensor *samples,
                                  int n_samples, const float *float_out, zki_accuracy *acc);

/* Runs the integer model on float inputs (quantised with zki_quant_input)
 * and returns output 0 dequantised (malloc'd, numel in *n). */
zki_status zki_qrun_float_io(const zki_qmodel *m, const zki_host_tensor *inputs, float **y, int64_t *n);

#endif
