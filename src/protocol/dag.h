/* The proof DAG: what a key proves, everything the verifier needs but the
 * weights. Nodes are gadget kinds (protocol/gadget.h) in topological order,
 * each with its parameters and the tensors it reads; the last node's
 * output is the model's output. A proof covers a batch of B samples: each
 * tensor is then B rows of its padded features.
 *
 * Key bytes of a DAG (zki_dag_write): u32 n_nodes, in_bits, out_bits,
 * in_rank, i64 in_dims[in_rank], u32 out_rank, i64 out_dims[out_rank], f64
 * in_scale, out_scale, then per node u32 K, N, has_bias, w_bits, out_bits,
 * s, i64 M, lo, hi, u32 q_log, kind, C, H, W, OC, KH, KW, sh, sw, dh, dw,
 * pt, pl, pb, pr, G, n_in, in[n_in], for an ADD i64 mul[n_in], and for a
 * LUT or MOVE u32 n_aux, then each aux[i] - aux[i - 1] (aux[-1] = 0) as a
 * zigzag LEB128 varint (protocol/bytes.h).
 * q_log is set at setup from the weights: the largest |acc| any input in
 * range can produce bounds the requant quotient (at most 2^19 in size). */
#ifndef ZKI_PROTOCOL_DAG_H
#define ZKI_PROTOCOL_DAG_H

#include <stdint.h>

#include "protocol/bytes.h"
#include "ops/conv.h"
#include "ops/pool.h"

#define ZKI_DAG_MAX_NODES 4096u
#define ZKI_DAG_MAX_DIM (1u << 26)
#define ZKI_DAG_MAX_RANK 8
#define ZKI_DAG_MAX_Q_LOG 20u

/* Node kinds: each is one gadget of the table in protocol/gadget.h, which
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
/* A raw LINEAR or CONV (s = 0; M = 1, lo = hi = q_log = 0) does not
 * requantise: its output is its accumulator (out_bits bits, at most
 * ZKI_DAG_MAX_RAW_BITS, bounding |acc| for every input in range and the
 * committed weights, which setup checks), read by ADD nodes only (their
 * sum is requantised once: a residual block's last layer). Nothing of it
 * is committed: claims on its output are claims on its accumulator. */
#define ZKI_DAG_MAX_RAW_BITS 32u
/* A MAXPOOL node (ops/pool.h; windows of at most 4) reads a map and writes
 * the pooled map: no weights, no requantisation (M, s, lo, hi, q_log,
 * w_bits 0); OC = C. */
#define ZKI_NODE_MAXPOOL 2u
/* An ADD node sums n_in >= 2 maps into one [C][H][W]: acc = sum_i x_i *
 * mul[i], then the requantisation (M = 1). Each input is a map of that
 * shape or one broadcast to it: each of its axes the output's or 1 (its
 * producer's layout says which; the key holds nothing more). No weights;
 * K = N = the padded map size. */
#define ZKI_NODE_ADD 3u
/* A CONCAT node joins n_in >= 2 maps of one height and width along
 * channels, in input order (ops/concat.h). No weights, no requantisation,
 * no committed output (fields as on a MAXPOOL node, C = the sum of the
 * inputs' channels, OC = C, G = 1): claims on its map become claims on its
 * inputs. K = N = the padded map size. */
#define ZKI_NODE_CONCAT 4u
/* Kinds with a payload (aux, below). Their output layout is a padded map
 * [C][H][W] when H > 0, else a row of N features padded to a power of two
 * (C = H = W = 0); see zki_dag_layout.
 *
 * A LUT node applies a public table to each element of one tensor: y =
 * T[x - lo], the output requantised in the table. Input and output share
 * one layout. aux: lo, then the 2^b outputs for inputs lo .. lo + 2^b - 1
 * (b the input's bits).
 * A MOVE node moves data without arithmetic (Reshape, Transpose, Slice,
 * Pad, Expand, Gather by constant indices, ...): every output element is
 * one input element or a constant. Its output is not committed: claims on
 * it become claims on its input. aux: the input's layout (is_map, c, h, w;
 * a row: 0, n, 0, 0: ZKI_MOVE_AUX_HDR words), then the steps that build the
 * index map (ops/move.h).
 * A MUL node multiplies two tensors elementwise, then requantises:
 * acc = x_0 * x_1, y = rq(acc M) (s, lo, hi, q_log as on a LINEAR node;
 * no weights: w_bits = has_bias = 0; K = N; OC, G and the conv geometry
 * 0). x_0 has the node's layout; x_1 has it too or is a map broadcast to
 * it, as an ADD's input (a [C][1][1] gate). Neither is the model input. */
#define ZKI_NODE_LUT 5u
#define ZKI_NODE_MOVE 6u
#define ZKI_MOVE_AUX_HDR 4u
#define ZKI_NODE_MUL 7u
/* A BMM node multiplies two maps as batches of matrices, then
 * requantises: acc[g][i][j] = sum_k x_0[g][i][k] x_1[g][k][j], y =
 * rq(acc M) (s, lo, hi, q_log as on a MUL). Its output is the map
 * [C][H][W] = [G][I][J] (N its padded size), K the inner dimension k:
 * x_0 has the map layout [C][H][K], x_1 [C][K][W], exactly (no
 * broadcasting). No weights (w_bits = has_bias = 0); OC, G and the rest
 * of the conv geometry 0. Neither input is the model input. */
#define ZKI_NODE_BMM 8u
/* A GATHER node looks up rows of a committed table by the model's public
 * input (token ids, an ONNX Gather of an embedding by them): for each of
 * the input's T ids v (T per sample, the input a row of T), the table's
 * row v of D entries, y[t*D + d] = W[ids[t]][d], a row of N = T*D
 * features (padded to a power of two at the end). It reads tensor 0 only
 * (n_in = 1, in[0] = 0), and its input layout is the row of T = N / K.
 * The table W [V][D] is committed as a LINEAR's weights, [V][2^ld]
 * padded: K = D, OC = V, w_bits 8 or 16, out_bits = w_bits (the output's
 * values are table entries: no requantisation, no lookup, nothing
 * committed: claims on its output become one claim on the table). has_bias,
 * M, s, lo, hi, q_log, C, H, W, G and the rest of the conv geometry 0.
 * Every id must lie in [0, V): prover and verifier refuse a public input
 * that holds another, and a proof with a private input (the verifier
 * reads the ids). It is never the output node. A model input of more
 * than 16 bits (int32 token ids: in_bits up to 32) is read by GATHER
 * nodes only. */
#define ZKI_NODE_GATHER 9u
#define ZKI_NODE_KINDS 10u
/* Payload entries of one node (a LUT of 16-bit inputs: 2^16 + 1). */
#define ZKI_DAG_MAX_AUX ((1u << 16) + 4096u)
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
    uint32_t n_aux;               /* LUT, MOVE: payload entries (owned by the DAG) */
    int64_t *aux;
} zki_dag_node;

typedef struct {
    uint32_t n_nodes;
    zki_dag_node *nodes;
    uint32_t in_bits, out_bits; /* in_bits > 16: token ids, read by GATHER nodes only */
    uint32_t in_rank, out_rank;
    int64_t in_dims[ZKI_DAG_MAX_RANK], out_dims[ZKI_DAG_MAX_RANK];
    double in_scale, out_scale;
    /* Not in the key: a generation proof's view of the DAG, whose output is
     * committed advice checked by the argmax (protocol/argmax.h) instead of
     * public. A shallow copy of the key's DAG with this set. */
    uint32_t out_hidden;
    /* Also the view's: the last node, a move of the head's map [V][T] to
     * the logits [T][V], is not proven; the argmax reads the map
     * (zki_argmax_view). */
    uint32_t gen_skip;
} zki_dag;

/* Whether node j's output is the public output (the last node, unless the
 * output is hidden). */
static inline int zki_dag_public_output(const zki_dag *d, uint32_t j)
{
    return j + 1 == d->n_nodes && !d->out_hidden;
}

void zki_dag_free(zki_dag *a);
/* Whether node L is a raw LINEAR or CONV (above). */
int zki_dag_raw(const zki_dag_node *L);
/* Whether a node of this kind carries a payload (aux). */
int zki_dag_kind_has_aux(uint32_t kind);
/* Whether a node of this kind states its output layout in C, H, W, N
 * (LUT, MOVE, MUL). */
int zki_dag_kind_states_layout(uint32_t kind);

/* How a tensor is laid out per sample: a map [c][h][w], every axis
 * zero-padded to a power of two, or a row of n features zero-padded to a
 * power of two. n: dense features per sample (c*h*w for a map); log_len:
 * log2 of the padded length. */
typedef struct {
    uint32_t map, c, h, w;
    uint64_t n;
    uint32_t log_len;
} zki_tlayout;
/* Tensor t's layout (t = 0: the input as node 0 reads it; t = j + 1:
 * node j's output). 0 when the node's fields do not describe one. */
int zki_dag_layout(const zki_dag *a, uint32_t t, zki_tlayout *l);
/* The layout node j reads its input i in (CONCAT: part i's map; ADD, MUL:
 * the output's, into which a broadcast input is expanded). */
int zki_dag_in_layout(const zki_dag *a, uint32_t j, uint32_t i, zki_tlayout *l);
/* Same padded layout (a map [c][1][1] is laid out as a row of c). */
int zki_tlayout_eq(const zki_tlayout *a, const zki_tlayout *b);
/* How many nodes do not lead to the output (-1: out of memory). */
int64_t zki_dag_dead_nodes(const zki_dag *a);
/* Every node is one its gadget can prove (a key read from a file passes
 * this before it is used): ZKI_ERR_INPUT naming the first node at fault. */
zki_status zki_dag_check(const zki_dag *a);
/* The DAG's key bytes; reading checks every bound and zki_dag_check. */
void zki_dag_write(zki_wbuf *w, const zki_dag *a);
zki_status zki_dag_read(zki_rbuf *r, zki_dag *a);

/* Committed weights of a LINEAR, CONV or GATHER node (biases not
 * counted); 0 for every other kind. */
uint64_t zki_dag_node_weights(const zki_dag_node *L);
/* Conv geometry of a CONV layer for a batch of B. */
zki_status zki_dag_conv_dims(const zki_dag_node *L, uint32_t B, zki_conv_dims *d);
zki_status zki_dag_pool_dims(const zki_dag_node *L, uint32_t B, zki_maxpool_dims *d);
/* The output map [C][H][W] of a CONV, MAXPOOL, ADD or CONCAT layer, or of
 * a LUT, MOVE or MUL whose output is a map (0 for LINEAR and rows). */
int zki_dag_out_map(const zki_dag_node *L, uint32_t *C, uint32_t *H, uint32_t *W);
/* The map a CONCAT reads tensor t (t > 0: node t-1's output) as: the
 * producer's map, or a row of n features as the map [n][1][1] (its
 * layout; rows stacked along an outer axis join as channels of 1x1 maps). */
int zki_dag_part_map(const zki_dag *a, uint32_t t, uint32_t *C, uint32_t *H, uint32_t *W);
/* Integers per sample in the public output: N of a final LINEAR layer,
 * C*H*W of a final map (CONV, MAXPOOL or ADD; dense, not padded). */
uint64_t zki_dag_out_len(const zki_dag *a);
/* Integers per sample in the caller's input (dense, as node 0 reads it). */
uint64_t zki_dag_in_len(const zki_dag *a);
/* The input as node 0 reads it: [B][2^log_len], a map padded axis by axis
 * (malloc'ed). */
int64_t *zki_dag_pad_input(const zki_dag *a, const int64_t *X, uint32_t B);
/* dst [B][2^(lc+lh+lw)] (zeroed here) <- src dense [B][C][H][W], and back. */
void zki_map_scatter(int64_t *dst, const int64_t *src, uint64_t B, uint64_t C, uint64_t H,
                     uint64_t W);
void zki_map_gather(int64_t *dst, const int64_t *src, uint64_t B, uint64_t C, uint64_t H,
                    uint64_t W);

#endif
