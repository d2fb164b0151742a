/* The lowering's shared state (prover/lower.c), for the files that lower
 * one family of model nodes each (lower_*.c). */
#ifndef ZKI_PROVER_LOWER_INTERNAL_H
#define ZKI_PROVER_LOWER_INTERNAL_H

#include "common/error.h"
#include "prover/lower.h"

/* A tensor of the model as the proof sees it. */
typedef struct {
    int id;         /* DAG tensor id, -1: not produced by a proven node */
    int map;        /* a padded map [c][h][w] (else a row of feat features) */
    uint32_t c, h, w;
    int64_t feat;   /* features per sample */
    int nonneg;     /* proven >= 0 (a ReLU'd requant, a pool or concat of such) */
    uint32_t bits;
    int mv;         /* > 0: data movement pending (lw->mv[mv - 1]), id -2 */
} zki_tinfo;

/* A data movement program pending on a tensor (prover/lower_move.c). */
typedef struct {
    zki_tinfo base;    /* the proven tensor it reads */
    int64_t *prog;     /* ops/move.h words: pad constant, shape, steps */
    size_t n;
    int has_pad;       /* a constant pad: the value in prog[0] */
    int emitted;       /* the MOVE node's tensor id once emitted, else -1 */
    int node;          /* a MOVE node even when it moves nothing (zki_lower_move_input) */
} zki_move_pending;

typedef struct {
    const zki_qmodel *m;
    zki_dag *d;
    zki_tinfo *t;      /* per model tensor */
    int *src;          /* per DAG node: the model node it came from */
    size_t cap;        /* DAG nodes allocated */
    zki_move_pending *mv;
    size_t n_mv, cap_mv;
} zki_lowering;

#define REFUSE(...) return zki_fail(ZKI_ERR_UNSUPPORTED, __VA_ARGS__)

/* Appends DAG node of this kind from model node qnode (one input). */
zki_dag_node *zki_lower_new_node(zki_lowering *lw, int qnode, uint32_t kind);
/* The features of q laid out as a row (its dense elements: any rank but a
 * map's 4, a row [1, .., 1, N] or a token sequence [1, T, D]), else 0. */
int64_t zki_lower_row_len(const zki_qtensor *q);
/* R > 1 when n is a Linear over R rows [.., R, K] (a token sequence), proven
 * as a 1x1 conv over the map [K][R][1] between two moves; else 0 or 1. */
int64_t zki_lower_token_rows(const zki_qmodel *m, const zki_qnode *n);
/* Padded size of a map [c][h][w]. */
uint32_t zki_lower_map_size(uint32_t c, uint32_t h, uint32_t w);
/* A tensor read by a proven node: produced by one (else refused, naming it). */
zki_status zki_lower_known(const zki_lowering *lw, const zki_qnode *n, int t);
/* Model tensor t is a proven map [1][c][h][w] whose axes are each the
 * map [C][H][W]'s or 1: it broadcasts to that map (lower_mul.c). */
int zki_lower_bcast_ok(const zki_lowering *lw, int t, uint32_t C, uint32_t H, uint32_t W);
/* A Mul of two activations as a MUL node (lower_mul.c). */
zki_status zki_lower_mul(zki_lowering *lw, int qi, const zki_qnode *n);
/* A product of two activations (n: p = M s lo hi) that a MUL or BMM
 * node requantises: values of at most 16 bits, 0 < |M| < 2^31, s <= 61,
 * a clamp range holding 0. */
int zki_lower_product_ok(const zki_qnode *n, const zki_tinfo *xa, const zki_tinfo *xb, const zki_qtensor *yt);
/* Appends such a node of this kind reading model tensors a, b (lower_mul.c). */
zki_dag_node *zki_lower_product_node(zki_lowering *lw, int qi, const zki_qnode *n, uint32_t kind, int a, int b);
/* A MatMul of two activations as a BMM node (lower_bmm.c); what it
 * proves, and whether the model's shapes are that. */
#define ZKI_BMM_SHAPES                                                                                          \
    "a product of two activations is proven as a batched product [1, G, I, K] @ [1, G, K, J] of two maps of "  \
    "one G (batch 1, no broadcasting of the leading axes: reshape both operands to rank 4 with the same "     \
    "leading dims)"
int zki_lower_bmm_shapes_ok(const zki_qmodel *m, const zki_qnode *n);
zki_status zki_lower_bmm(zki_lowering *lw, int qi, const zki_qnode *n);

/* An embedding lookup as a GATHER node (lower_gather.c): what it proves,
 * whether model node n is that form (the indices the model input, a
 * constant int8/int16 table [V, D], axis 0), whether every node reading
 * the model input is one (an input wider than 16 bits must be token ids). */
#define ZKI_GATHER_FORMS                                                                                        \
    "a Gather by activation indices is proven when the indices are the model's input (token ids) and the "   \
    "data a constant int8/int16 table [V, D] gathered along axis 0 (an embedding)"
int zki_lower_gather_ok(const zki_qmodel *m, const zki_qnode *n);
int zki_lower_ids_only(const zki_qmodel *m);
zki_status zki_lower_gather(zki_lowering *lw, int qi, const zki_qnode *n);

/* Data movement (prover/lower_move.c): a Reshape, Transpose, Slice, Pad
 * or Gather by constant indices extends the program pending on its input
 * (or is a free alias); flush emits the MOVE node of tensor t's pending
 * program (if any, once) for model node qi, which reads t. */
zki_status zki_lower_move(zki_lowering *lw, int qi, const zki_qnode *n);
zki_status zki_lower_move_flush(zki_lowering *lw, int qi, int t);
void zki_lower_move_free(zki_lowering *lw);
/* Model tensor t's data (with its pending program, if any) moved by
 * steps[n] (ops/move.h words) into the layout *y describes, as a MOVE node
 * for model node qi; sets y->id. */
zki_status zki_lower_move_into(zki_lowering *lw, int qi, int t, const int64_t *steps, size_t n, zki_tinfo *y);
/* The model input t as a MOVE node's output (moved nowhere, in its own
 * layout), for the gadgets that take no model input as an operand (MUL,
 * BMM, CONCAT): the move's proof ties it to the input, which stays the
 * proof's statement (public, or committed with --private-input). */
zki_status zki_lower_move_input(zki_lowering *lw, int qi, int t, zki_tinfo *y);
/* Model tensor t becomes the proven tensor base (dense shape dims[rank])
 * moved by steps[n]: a program pending on t, emitted when read. */
zki_status zki_lower_move_pend(zki_lowering *lw, int t, const zki_tinfo *base, int rank, const int64_t *dims,
                               const int64_t *steps, size_t n);
/* Model node n as step words of ops/move.h (w[cap]; *len written). */
zki_status zki_lower_move_step(const zki_qmodel *m, const zki_qnode *n, int64_t *w, size_t cap, size_t *len);

/* Concat (lower_concat.c): the flat CONCAT node of inputs xs[n->n_in],
 * each a dense row or 1x1 map, into *y; and a Concat along any axis, that
 * node of the inputs moved to rows, then a move pending on the output. */
zki_status zki_lower_flat_concat(zki_lowering *lw, int qi, const zki_qnode *n, const zki_tinfo *xs, zki_tinfo *y);
zki_status zki_lower_concat_any(zki_lowering *lw, int qi, const zki_qnode *n);

/* One family of model nodes each (lower_<family>.c). */
zki_status zki_lower_lut(zki_lowering *lw, int qi, const zki_qnode *n);
/* A Requant of a row (not a map: that one is a depthwise Conv) as a LUT
 * node whose public table is rq(x M) over the input's range. */
zki_status zki_lower_requant_lut(zki_lowering *lw, int qi, const zki_qnode *n);

#endif
