/* Quantised model: the integer program the prover proves.
 *
 * Every tensor holds integers; a real value is q * scale (scale is metadata
 * for users and reports; the integer executor never reads it). Weights are
 * symmetric per-tensor int8 (int16 optional), activations int8 (int16
 * optional), biases int64 at the accumulator's scale.
 *
 * Requantisation, fused with ReLU / clamp (DESIGN.md section 3):
 *     z = x*M + 2^(s-1) = q*2^s + r,  0 <= r < 2^s,  y = clamp(q, lo, hi)
 * with 1 <= s <= 62; lo = 0 expresses a fused ReLU. A LINEAR or CONV with
 * s = 0 (M = 1, lo / hi its output's full range) is a raw accumulator:
 * y = x, the output's bits bounding every x (the quantiser makes one for an
 * Add that alone reads the layer: the Add requantises the exact sum once,
 * and the proof commits nothing of the layer's output). zki_qmodel_check proves
 * from the shapes and stored ranges that |x|, |z| < 2^62 for every node
 * (so they sit well below p/2, p = 2^64 - 2^32 + 1) and the executor and the
 * .zkm reader refuse a model that fails it.
 *
 * Ops and their integer parameters p[] (x = input 0):
 *   LINEAR    y[..,j] = rq(sum_k x[..,k] w[j,k] + b[j])    in: x, w[N,K], b[N]?  p: M s lo hi
 *   CONV      2-D convolution, NCHW                       in: x, w, b?  p: M s lo hi group kh kw sh sw dh dw pt pl pb pr
 *   MATMUL    batched a @ b of two activations            in: a, b      p: M s lo hi
 *   ADD       rq(sum_i x_i*M_i), n_in >= 2 inputs, each   in: x_0..x_{n-1}  p: M_0..M_{n-1} s lo hi
 *             broadcasting to the output; M carries the sign of a Sub
 *             (binary: rq(a*Ma + b*Mb), p: Ma Mb s lo hi)
 *   MUL       rq(a*b*M), broadcasting                     in: a, b      p: M s lo hi
 *   REQUANT   rq(x*M)                                     in: x         p: M s lo hi
 *   LUT       y = table[x - xmin]                         in: x, table  p: xmin
 *   MAXPOOL   2-D max over windows (pads never win)       in: x         p: kh kw sh sw dh dw pt pl pb pr
 *   AVGPOOL   rq(window sum), constant divisor in M       in: x         p: M s lo hi kh kw sh sw pt pl pb pr
 *   MEAN      rq(sum over axes), divisor in M             in: x         p: M s lo hi axis_mask
 *   RESHAPE   same data, new shape                        in: x
 *   TRANSPOSE                                             in: x         p: perm[rank]
 *   SLICE     y[i] = x[start + i*step] per axis           in: x         p: start[rank] step[rank]
 *   PAD       constant/reflect/edge                       in: x         p: mode value begin[rank]
 *   CONCAT    inputs share one scale                      in: x...      p: axis
 *   GATHER    rows of data picked by integer indices      in: data, idx p: axis
 *   SOFTMAX   last axis: e = table[max - x],              in: x, table, mask?  p: qmax_out
 *             y = floor((2*e*qmax_out + sum) / (2*sum)); an optional 0/1
 *             mask (element k of x uses mask[k mod numel(mask)]) drops
 *             entries: e = 0 and they take no part in the max (causal mask)
 *   LAYERNORM last axis: d = n*x - sum, V = sum d^2,      in: x, g, b   p: M s lo hi E F
 *             R = isqrt((V + E) / n), u = round(d*2^F / R),
 *             y = rq(u*g + b)
 */
#ifndef ZKI_QUANT_QMODEL_H
#define ZKI_QUANT_QMODEL_H

#include <stddef.h>
#include <stdint.h>

#include "zkinfer.h"

#define ZKI_QMAX_RANK 8
#define ZKI_QMAX_IN 96  /* a Concat of up to 96 inputs (DenseNet); an ADD takes at most ZKI_QMAX_P - 3 */
#define ZKI_QMAX_P 40
#define ZKI_ACC_LIMIT ((int64_t)1 << 62)

typedef enum {
    ZKI_QOP_LINEAR, ZKI_QOP_CONV, ZKI_QOP_MATMUL, ZKI_QOP_ADD, ZKI_QOP_MUL, ZKI_QOP_REQUANT,
    ZKI_QOP_LUT, ZKI_QOP_MAXPOOL, ZKI_QOP_AVGPOOL, ZKI_QOP_MEAN, ZKI_QOP_RESHAPE, ZKI_QOP_TRANSPOSE,
    ZKI_QOP_SLICE, ZKI_QOP_PAD, ZKI_QOP_CONCAT, ZKI_QOP_GATHER, ZKI_QOP_SOFTMAX, ZKI_QOP_LAYERNORM,
    ZKI_QOP_TRILU, /* p: upper, k, value: keeps (i, j) of the last two axes where j >= i + k (upper) or
                      j <= i + k, the rest the value (a causal mask) */
    ZKI_QOP_COUNT
} zki_qop;

const char *zki_qop_name(int op);

enum { ZKI_QT_INPUT = 0, ZKI_QT_CONST = 1, ZKI_QT_VALUE = 2 };

typedef struct {
    char *name;
    int kind;        /* ZKI_QT_* */
    int bits;        /* values lie in [-(2^(bits-1)), 2^(bits-1)) ; 64 for raw integers */
    int rank;
    int64_t dims[ZKI_QMAX_RANK];
    double scale;    /* real = q * scale; 0 for raw integers (token ids) */
    int64_t *data;   /* constants only */
} zki_qtensor;

typedef struct {
    int op;
    int n_in;
    int in[ZKI_QMAX_IN];   /* -1 for an absent optional input */
    int out;
    int n_p;
    int64_t p[ZKI_QMAX_P];
    char *name;            /* the ONNX node it came from */
} zki_qnode;

typedef struct {
    int n_t, cap_t;
    zki_qtensor *t;
    int n_nodes, cap_nodes;
    zki_qnode *nodes;
    int n_inputs, n_outputs;
    int inputs[16];
    int outputs[16];
} zki_qmodel;

void zki_qmodel_free(zki_qmodel *m);
int64_t zki_qnumel(const zki_qtensor *t);
int zki_qmodel_add_tensor(zki_qmodel *m, const char *name, int kind, int bits, int rank, const int64_t *dims,
                          double scale);
int zki_qmodel_add_node(zki_qmodel *m, int op, const char *name);

/* Structural and overflow check: every index, shape and parameter is
 * consistent, constants lie in their bit range, and every accumulator and
 * requantisation product is below 2^62 for these shapes. */
zki_status zki_qmodel_check(const zki_qmodel *m);

/* Whether node n is a raw accumulator: a LINEAR or CONV of shift 0. */
int zki_qnode_raw(const zki_qnode *n);

/* The largest |acc| of a LINEAR or CONV with constant weights w (rows
 * along dims[0]) and bias b (-1: none) for inputs of x_bits bits (2..32):
 * max over rows of 2^(x_bits-1) sum |w_row| + |b_row| (a bias that is no
 * constant: its range's largest |value|), saturating at UINT64_MAX. A raw
 * accumulator's bits must hold it. */
uint64_t zki_qmodel_row_bound(const zki_qmodel *m, int w, int b, int x_bits);

/* Requantisation: clamp(floor((x*M + 2^(s-1)) / 2^s), lo, hi). */
int64_t zki_rq(int64_t x, int64_t M, int s, int64_t lo, int64_t hi);

/* Integer executor. inputs[k] holds numel(input k) integers in range.
 * On success *vals has one int64 array per tensor (constants alias the
 * model's data); free with zki_qexec_free. */
zki_status zki_qexec(const zki_qmodel *m, int64_t *const *inputs, int64_t ***vals);
void zki_qexec_free(const zki_qmodel *m, int64_t **vals);

/* .zkm files: versioned, bounds-checked, digest trailer (version 2: the
 * chunked SHA-256 of zki_sha256_chunked, which threads compute together;
 * version 1 had a plain SHA-256). */
#define ZKI_ZKM_VERSION 2
/* Largest .zkm read (zki_zkm_read, inspect): weights of a model up to 16 GiB,
 * the limit the reader has always had. */
#define ZKI_ZKM_MAX_FILE_BYTES ((size_t)1 << 34)
zki_status zki_zkm_write(const zki_qmodel *m, const char *path);
zki_status zki_zkm_read(const char *path, zki_qmodel **out);
zki_status zki_zkm_parse(const uint8_t *buf, size_t len, zki_qmodel **out);
zki_status zki_zkm_serialize(const zki_qmodel *m, uint8_t **buf, size_t *len);

/* Human-readable summary of the quantised model. */
void zki_qmodel_summary(const zki_qmodel *m, char *buf, size_t cap);

#endif
