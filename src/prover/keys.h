/* Model keys for proving MLP inference (issue 6).
 *
 * The proven class: one input, one output, a chain of LINEAR nodes (int8 or
 * int16 weights [N, K], optional int64 bias, requantisation with fused
 * ReLU / clamp), CONV nodes (2-D, NCHW, same weights and requantisation;
 * a chain of them from the input, before the first LINEAR; AveragePool as
 * a depthwise unit-weight conv), MAXPOOL nodes between them, and RESHAPE
 * nodes between them (a map reaches a LINEAR through a flattening
 * Reshape), and ADD nodes joining a residual fork (a ResNet identity
 * shortcut: a conv/pool/add map feeding the next node and an Add at the end
 * of the branch, directly or through one Conv), and CONCAT nodes joining
 * two maps along channels (a fork into two branches, as in a SqueezeNet Fire
 * module, or an identity branch and a conv branch, as in DenseNet; a scale
 * alignment REQUANT on a branch is proven as a 1x1 depthwise unit conv),
 * every activation one row of features per sample. A proof covers a batch of B samples: each tensor is
 * then a [B, features] matrix.
 *
 * Architecture (zki_dag): everything the verifier needs but the weights.
 * Setup commits the weights once with the PCS (hiding; the int8/int16
 * matrices zero-padded to powers of two and packed into one table, the
 * biases as field elements into a second, prover/pack.h) and the
 * verification key holds: the architecture, the weight commitment (root and
 * layout), and their hashes.
 *
 * vk file: "ZKINFVK\0" | u32 version | u32 arch_len | arch | u32 grind_bits |
 * u32 com_len | PCS commitment bytes. arch: u32 n_nodes, in_bits, out_bits, in_rank,
 * in_dims[in_rank] (i64), out_rank, out_dims, f64 in_scale, out_scale, then
 * per layer u32 K, N, has_bias, w_bits, out_bits, s, i64 M, lo, hi, u32 q_log,
 * kind, C, H, W, OC, KH, KW, sh, sw, dh, dw, pt, pl, pb, pr, G, xin (an ADD
 * layer then u32 sa, sb, i64 Ma, Mb; a CONCAT layer u32 sa, sb).
 * q_log is set at setup from the weights: the largest |acc| any input in
 * range can produce bounds the requant quotient (at most 2^19 in size).
 * Parsing checks every bound and that the commitment's tables and
 * parameters are the ones the architecture implies. */
#ifndef ZKI_PROVER_KEYS_H
#define ZKI_PROVER_KEYS_H

#include <stdint.h>

#include "hash/sha256.h"
#include "ops/conv.h"
#include "ops/pool.h"
#include "pcs/pcs.h"
#include "prover/pack.h"
#include "quant/qmodel.h"

#define ZKI_VK_VERSION 7u
#define ZKI_PK_VERSION 1u
#define ZKI_DAG_MAX_NODES 4096u
#define ZKI_DAG_MAX_DIM (1u << 26)
#define ZKI_KEY_SECURITY_BITS 100u
/* Proof-of-work bits before the PCS column queries (docs/security.md):
 * a key parameter, bound by the vk hash; parsing accepts 0 .. 30. */
#define ZKI_KEY_GRIND_BITS 16u
#define ZKI_DAG_MAX_Q_LOG 20u
/* Largest .vk file read (zki_vk_read, inspect), refused by its size before
 * reading. The largest key the parser accepts is ~1.1 MB: ZKI_DAG_MAX_NODES
 * layers of at most 144 bytes, a 164-byte architecture head, and a weights
 * commitment of 72 + 8 bytes per table for at most ZKI_PCS_MAX_POLYS tables
 * (a real 4096-layer key is ~492 KB); 8 MiB leaves room and keeps a junk or
 * sparse file named as a key from being read whole. keys.c asserts it. */
#define ZKI_VK_MAX_FILE_BYTES ((size_t)8 << 20)
/* A .zpk is exactly: magic 8 | u32 version | seed 32 | vk hash 32. */
#define ZKI_PK_FILE_BYTES ((size_t)76)

/* Node kinds: each is one gadget of the table in gadgets/gadget.h, which
 * holds its protocol. Tensors are named by id: 0 the model input, j + 1
 * node j's output; a node lists the tensors it reads in in[0 .. n_in), all
 * of them produced by earlier nodes (the nodes are in topological order),
 * and a tensor may be read by any number of nodes.
 *
 * A CONV node (ops/conv.h) reads a map [C][H][W] with every axis
 * zero-padded to a power of two (K = 2^(lc+lh+lw) features per sample)
 * and writes [OC][OH][OW] padded alike (N features); its weights are
 * committed as [OC][C/G][KH][KW], each axis padded, its bias as [OC]. A
 * LINEAR node with C > 0 reads such a map through a Flatten: setup places
 * each weight column at the padded position of its (c, y, x), so K is the
 * padded map size. */
#define ZKI_NODE_LINEAR 0u
#define ZKI_NODE_CONV 1u
/* A MAXPOOL node (ops/pool.h; windows of at most 4) reads a map and writes
 * the pooled map: no weights, no requantisation (M, s, lo, hi, q_log,
 * w_bits 0); OC = C. */
#define ZKI_NODE_MAXPOOL 2u
/* An ADD node sums n_in >= 2 maps of one shape [C][H][W]: acc = sum_i
 * x_i * mul[i], then the requantisation (M = 1). No weights; K = N = the
 * padded map size. */
#define ZKI_NODE_ADD 3u
/* A CONCAT node joins n_in >= 2 maps of one height and width along
 * channels, in input order (ops/concat.h). No weights, no requantisation,
 * no committed output (fields as on a MAXPOOL node, C = the sum of the
 * inputs' channels, OC = C, G = 1): claims on its map become claims on its
 * inputs. K = N = the padded map size. */
#define ZKI_NODE_CONCAT 4u
#define ZKI_NODE_KINDS 5u
/* Inputs of one node (a DenseNet-264 block joins 65 maps). */
#define ZKI_DAG_MAX_IN 96u

typedef struct {
    uint32_t K, N, has_bias, w_bits, out_bits, s;
    int64_t M, lo, hi;
    uint32_t q_log; /* requant quotients lie in [-2^(q_log-1), 2^(q_log-1)) */
    uint32_t kind;  /* ZKI_NODE_* */
    /* conv geometry (C, H, W also for a LINEAR node after a map; else 0) */
    uint32_t C, H, W, OC, KH, KW, sh, sw, dh, dw, pt, pl, pb, pr, G;
    uint32_t n_in;                /* 1, or >= 2 for ADD and CONCAT */
    uint32_t in[ZKI_DAG_MAX_IN];  /* tensor ids read: 0 the input, j + 1 node j */
    int64_t mul[ZKI_DAG_MAX_IN];  /* ADD: each input's multiplier, 0 < |mul| < 2^31 */
} zki_dag_node;

typedef struct {
    uint32_t n_nodes;
    zki_dag_node *nodes;
    uint32_t in_bits, out_bits;
    uint32_t in_rank, out_rank;
    int64_t in_dims[ZKI_QMAX_RANK], out_dims[ZKI_QMAX_RANK];
    double in_scale, out_scale;
} zki_dag;

typedef struct zki_vk {
    zki_dag dag;
    zki_pcs_commitment wcom;
    uint32_t grind_bits;  /* both commitments' proof-of-work bits */
    zki_digest dag_hash; /* SHA-256 of the arch bytes */
    zki_digest vk_hash;   /* SHA-256 of the whole vk file: bound by every proof */
    /* Weight commitment: ONE table, int32, packing every layer's weights
     * and biases (prover/pack.h), so the opening needs one combined row.
     * Layer l: LINEAR weights [2^ln][2^lk] are segment w_seg[l]; a CONV
     * layer's weights are KH*KW segments w_seg[l] + ky*KW + kx, each the
     * [2^loc][2^licl] slice of one kernel position (so a 3x3 kernel costs 9
     * slices, not a 4x4 padded block); the bias is segment b_seg[l]
     * (UINT32_MAX: none). */
    zki_pack wpack;
    uint32_t *w_seg, *b_seg;
    int w_type; /* of the gadgets' copies: ZKI_PCS_I8 or ZKI_PCS_I16 */
} zki_vk;

/* Prover key: the vk plus the packed weights and the PCS prover state. */
typedef struct zki_pk {
    zki_vk vk;
    int32_t *wbig;    /* the committed table (wpack layout) */
    void **w;         /* per layer, the gadgets' copy (int8 or int16): LINEAR
                       * [N][Kpad], CONV [OC][Cig][KHpad][KWpad] (padded) */
    int64_t **bias;   /* per layer [N] or NULL */
    zki_pcs_prover *wpcs;
    uint8_t seed[32];
} zki_pk;

/* The provable class in one sentence: docs/onnx.md ("What is provable")
 * holds it verbatim with the details, the README and `compile --help` quote
 * it, and tests/test_cli_messages.c checks that the three agree. */
#define ZKI_PROVABLE_CLASS                                                                   \
    "one input and one output; a chain of Gemm/MatMul with constant weights, Conv (strides, " \
    "padding, dilation, groups), MaxPool (windows up to 8x8), AveragePool and "               \
    "GlobalAveragePool, with fused ReLU/Clip, Flatten/Reshape, residual Adds and channel "    \
    "Concats (one fork open at a time), ending in a Gemm or a map"

/* Lowers a model to its DAG (prover/lower.h); ZKI_ERR_UNSUPPORTED names
 * the nodes outside the proven class. */
zki_status zki_dag_from_qmodel(const zki_qmodel *m, zki_dag *a);
void zki_dag_free(zki_dag *a);
/* Every node is one its gadget can prove (a key read from a file passes
 * this before it is used): ZKI_ERR_INPUT naming the first node at fault. */
zki_status zki_dag_check(const zki_dag *a);

/* Commits the weights. seed: 32 bytes of hiding randomness (kept in the
 * prover key file so a later `prove` re-derives the same commitment); NULL
 * draws it from the OS. */
zki_status zki_setup(const zki_qmodel *m, const uint8_t *seed, zki_pk **out);
void zki_pk_free(zki_pk *pk);

zki_status zki_vk_to_bytes(const zki_vk *vk, uint8_t **out, size_t *len);
zki_status zki_vk_from_bytes(zki_vk *vk, const uint8_t *in, size_t len);
void zki_vk_free(zki_vk *vk);
zki_status zki_vk_write(const zki_vk *vk, const char *path);
zki_status zki_vk_read(const char *path, zki_vk *vk);

/* Prover key file (.zpk): "ZKINFPK\0" | u32 version | 32-byte seed |
 * 32-byte vk hash. Secret: whoever holds the seed can strip the hiding. */
zki_status zki_pk_write_seed(const zki_pk *pk, const char *path);
/* The same bytes in memory (*out malloc'd, caller frees). */
zki_status zki_pk_seed_to_bytes(const zki_pk *pk, uint8_t **out, size_t *len);
zki_status zki_pk_read_seed(const char *path, uint8_t seed[32], zki_digest *vk_hash);

/* Human-readable summary of a vk. */
void zki_vk_summary(const zki_vk *vk, char *buf, size_t cap);

/* The weight pack and segment maps of vk->dag (fills wpack, w_seg,
 * b_seg, w_type). */
zki_status zki_vk_layout(zki_vk *vk);
/* Conv geometry of a CONV layer for a batch of B. */
zki_status zki_dag_conv_dims(const zki_dag_node *L, uint32_t B, zki_conv_dims *d);
zki_status zki_dag_pool_dims(const zki_dag_node *L, uint32_t B, zki_maxpool_dims *d);
/* The output map [C][H][W] of a CONV, MAXPOOL, ADD or CONCAT layer (0 for LINEAR). */
int zki_dag_out_map(const zki_dag_node *L, uint32_t *C, uint32_t *H, uint32_t *W);
/* Integers per sample in the public output: N of a final LINEAR layer,
 * C*H*W of a final map (CONV, MAXPOOL or ADD; dense, not padded). */
uint64_t zki_dag_out_len(const zki_dag *a);
/* Integers per sample in the input and in the public output of the model
 * a key proves (stable accessors for callers outside the protocol floor). */
uint64_t zki_vk_input_len(const zki_vk *vk);
uint64_t zki_vk_output_len(const zki_vk *vk);
/* Integers per sample in the caller's input (C*H*W for a first CONV
 * layer, else K). */
uint64_t zki_dag_in_len(const zki_dag *a);
/* The input as layer 0 reads it: [B][2^lk0], a first CONV layer's map
 * padded axis by axis (malloc'ed). */
int64_t *zki_dag_pad_input(const zki_dag *a, const int64_t *X, uint32_t B);
/* dst [B][2^(lc+lh+lw)] (zeroed here) <- src dense [B][C][H][W], and back. */
void zki_map_scatter(int64_t *dst, const int64_t *src, uint64_t B, uint64_t C, uint64_t H,
                     uint64_t W);
void zki_map_gather(int64_t *dst, const int64_t *src, uint64_t B, uint64_t C, uint64_t H,
                    uint64_t W);
/* The PCS parameters the key fixes for the weight commitment (advice 0)
 * or a proof's advice commitment (advice 1): the only ones prover, setup,
 * key parser and verifier use (key_pcs.c). */
void zki_key_pcs_params(const zki_vk *vk, int advice, zki_pcs_params *p);

/* Number of committed weight tables (1 to 3) and their lengths. */
uint32_t zki_vk_weight_lens(const zki_vk *vk, uint64_t lens[3]);

#endif
