/* The gadget table: one entry per DAG node kind, holding everything the
 * protocol does with such a node. Setup, prove and verify walk the DAG
 * (protocol/dag.h) and call these entries; nothing else knows a kind.
 *
 *   key_check  a node read from a key is one this gadget can prove (every
 *              field in range, inputs of the right shapes)
 *   layout     its advice segments and ledger ids (zki_layout_advice/_id)
 *   shape      its proof's shape for a batch: what the parser reads
 *   sites      its lookup sites (the witness's data when proving, none
 *              when verifying: both sides build the same instances)
 *   witness    its integer forward pass (prover)
 *   advice     its committed advice, written into the packed table (prover)
 *   prove      its sub-proof: claims on its output in, claims on its
 *              inputs (zki_walk_claim) and weights out (prover)
 *   verify     the mirror of prove
 *   verify_cost  what its verify allocates and computes for a batch of B
 *              beyond the common per-node budget (protocol/vk_cost.h);
 *              NULL: nothing more
 *   input_check  a statement this node cannot be proven for, refused by
 *              prover and verifier before anything else: the public input
 *              X [B][its dense length] (NULL: the input is private); NULL:
 *              any (GATHER: ids outside the table, a private input)
 *
 * The backward walk visits nodes last first (reverse topological order),
 * so every claim on a node's tensors is made before the node is proven.
 * Entries marked (prover) are NULL in the verifier-only library
 * (ZKI_VERIFIER_ONLY). Adding an op: one file defining its entry, its line
 * in table.c, its kind in keys.h, its tests. */
#ifndef ZKI_PROTOCOL_GADGET_H
#define ZKI_PROTOCOL_GADGET_H

#include "protocol/proof.h"

/* The prover's values: per tensor id (n_nodes + 1) the padded table
 * [B][ld], per node its accumulators, requant witness and extra rows. */
typedef struct {
    const int64_t **t;
    uint64_t *ld;
    int64_t **own;             /* per tensor: the buffer t points into, if owned */
    int64_t **acc;             /* per node: padded accumulators [B][2^ln] (requant nodes) */
    zki_requant_witness *rq;   /* per node (requant nodes) */
    int64_t **aux;             /* per node: MAXPOOL window differences [J][B][2^ln] */
} zki_witness;

/* One walk's state, shared by the gadgets; prover-only fields NULL when
 * verifying. */
typedef struct {
    const zki_vk *vk;
    const zki_dag *d;
    uint32_t B;
    int priv;
    const zki_advice_layout *lay;
    zki_model_lookups *ml;
    zki_transcript *ts;
    zki_ledger *led;
    zki_seg_claims *cw, *ca;   /* claims on weight and advice segments */
    void *const *wts;          /* prover: per node the gadgets' weight copy (setup.h) */
    int64_t *const *bias;      /* prover: per node the bias or NULL */
    zki_witness *W;            /* prover */
    int w_bits;                /* prover: bits of the gadgets' weight copies */
    void **keep;               /* points the claims borrow, freed with the walk */
    size_t n_keep, cap_keep;
    const int64_t *x;          /* the public input [B][dense length]; NULL: private */
    const int64_t *gen_D;      /* prover, hidden output: the argmax margins (argmax.h) */
} zki_walk;

typedef struct {
    const char *name;
    zki_status (*key_check)(const zki_dag *d, uint32_t j);
    zki_status (*layout)(zki_advice_layout *lay, const zki_dag *d, uint32_t j, uint32_t B);
    zki_status (*shape)(const zki_dag *d, uint32_t j, uint32_t B, zki_node_shape *s);
    zki_status (*sites)(zki_walk *w, uint32_t j);
    zki_status (*witness)(zki_walk *w, uint32_t j);
    zki_status (*advice)(zki_walk *w, uint32_t j, int32_t *adv);
    zki_status (*prove)(zki_walk *w, uint32_t j, zki_node_proof *p);
    zki_status (*verify)(zki_walk *w, uint32_t j, const zki_node_proof *p);
    void (*verify_cost)(const zki_dag *d, uint32_t j, uint32_t B, uint64_t *ops, uint64_t *bytes);
    zki_status (*input_check)(const zki_dag *d, uint32_t j, const int64_t *X, uint32_t B);
} zki_gadget;

/* The entry of a kind; NULL for an unknown kind. */
const zki_gadget *zki_gadget_of(uint32_t kind);

extern const zki_gadget zki_gadget_linear, zki_gadget_conv, zki_gadget_maxpool, zki_gadget_add,
    zki_gadget_concat, zki_gadget_mul, zki_gadget_move, zki_gadget_lut,
    zki_gadget_bmm, zki_gadget_gather;

/* A LUT node's mapping table (protocol/gadget_lut.c): the pairs
 * (lo + i, T[i] - T(0)), so that padding (0, 0) is one of them. */
zki_status zki_lut_table(zki_lookup_table *t, const zki_dag *d, uint32_t j);
/* Entries (log2) of the mapping instance's table whose first user is node
 * j: a requantising node's quotient bits, a LUT node's input bits. */
size_t zki_map_log_size(const zki_dag *d, uint32_t j);

/* ---- shared steps (protocol/walk.c) ---------------------------------- */

/* A claim on tensor t (0 the input, j + 1 node j's output) at pt: to the
 * opening when the tensor is committed advice, else to the ledger under
 * its id (the public input and output, evaluated by the verifier; an
 * internal map, reduced by its node's gadget). */
zki_status zki_walk_claim(zki_walk *w, uint32_t t, const zki_ext *pt, zki_ext v);
/* The same for a value that may be private (verifier, src/zk/zk.h). */
zki_status zki_walk_claim_pv(zki_walk *w, uint32_t t, const zki_ext *pt, zki_pv v);
/* Bits of tensor t's values. */
uint32_t zki_walk_bits(const zki_dag *d, uint32_t t);
/* log2 of the padded features per sample of tensor t. */
size_t zki_walk_log_len(const zki_dag *d, uint32_t t);

/* The claims on ledger id `id` (node j's accumulators or map) merged into
 * one (prover: over table tab, freed here); *c: that claim, of nvars
 * coordinates. */
zki_status zki_walk_reduce_prove(zki_walk *w, uint32_t j, uint32_t id, zki_fe *tab, size_t nvars,
                                 zki_node_proof *p, const zki_claim **c);
zki_status zki_walk_reduce_verify(zki_walk *w, uint32_t j, uint32_t id, size_t nvars, const zki_node_proof *p,
                                  const zki_claim **c);

/* Requantising nodes (LINEAR, CONV, ADD, MUL): layout (acc internal, q, y
 * unless the public output, the high remainder limbs, the mapping instance),
 * lookup sites, advice, and the key fields' check. */
zki_status zki_requant_layout(zki_advice_layout *lay, const zki_dag *d, uint32_t j, uint32_t B);
zki_status zki_requant_sites(zki_walk *w, uint32_t j);
zki_status zki_requant_advice(zki_walk *w, uint32_t j, int32_t *adv);
zki_status zki_requant_witness_of(zki_walk *w, uint32_t j, int64_t *accp);
zki_status zki_requant_key_check(const zki_dag_node *L, uint32_t j);
/* OC, G and the conv geometry are all 0 (MUL, BMM). */
int zki_no_conv_geometry(const zki_dag_node *L);
/* An ADD node's quotient bits from its public multipliers and its inputs'
 * bits (the worst |acc| = sum_i |mul_i| 2^(b_i-1)): setup sets exactly this
 * and the key check holds a key to it (0: fields out of range, or the worst
 * |acc| + 2^(s-1) reaches 2^62, as zki_qmodel_check refuses too). */
uint32_t zki_add_q_log(const zki_dag *d, uint32_t j);
/* A MUL node's quotient bits from M, s and its inputs' bits (the worst
 * |acc M| = 2^(b_0-1) 2^(b_1-1) |M|), the same way; 0: fields out of range
 * or a quotient beyond ZKI_DAG_MAX_Q_LOG bits. */
uint32_t zki_mul_q_log(const zki_dag *d, uint32_t j);
/* A BMM node's, the same with K products per accumulator. */
uint32_t zki_bmm_q_log(const zki_dag *d, uint32_t j);

/* Broadcasting operands of elementwise nodes (ADD, MUL) whose output has
 * layout o. Axes of a map: bit 0 w, bit 1 h, bit 2 c.
 * zki_bcast_axes: 1 when tensor t reads as such an operand: its layout is
 * o (*axes = 0), or both are maps and each of t's axes is o's or 1 (*axes:
 * the axes where t has 1 and o more), a row of o's C features reading as
 * the map [C][1][1] (its padded layout); else 0.
 * zki_bcast_point: the point (*pt) at which the operand is read for the
 * output's point r (o's log_len coordinates, then lb batch ones): r's
 * coordinates on the kept axes and the batch. Returns the indicator of
 * o's real positions on the broadcast axes at r (zki_lk_prefix_mle; 1
 * without broadcast): the operand expanded to o, zero at o's pads, has
 * the multilinear extension operand~(pt) * that indicator.
 * zki_bcast_expand (prover): x ([B][its padded length]) expanded to o, a
 * table [B][2^o->log_len] (malloc'ed, NULL when out of memory): zero at
 * o's pads on the broadcast axes (zero_pads; the extension above), or x's
 * values there too (its extension is then operand~(pt) alone). */
int zki_bcast_axes(const zki_dag *d, uint32_t t, const zki_tlayout *o, unsigned *axes);
zki_ext zki_bcast_point(const zki_tlayout *o, unsigned axes, size_t lb, const zki_ext *r, zki_ext *pt);
int64_t *zki_bcast_expand(const int64_t *x, uint32_t B, const zki_tlayout *o, unsigned axes, int zero_pads);

/* Every node's input_check on the public input X [B][dense length] (NULL:
 * private): the first refusal, or ZKI_OK. */
zki_status zki_walk_input_check(const zki_dag *d, const int64_t *X, uint32_t B);

/* Every node's lookup sites and, with a private input, the input's range
 * sites (x0p: the padded input when proving, NULL when verifying). */
zki_status zki_walk_sites(zki_walk *w, const int64_t *x0p);
/* The same for a verifier without a walk (sizes only: vk_cost.c). */
zki_status zki_model_lookup_sites(zki_model_lookups *ml, const zki_dag *d, const zki_advice_layout *lay,
                                  uint32_t B, int priv /* ZKI_PRIV_* flags */);

/* n points' worth of coordinates that live as long as the walk (the
 * segment claims borrow their points); NULL when out of memory. */
zki_ext *zki_walk_points(zki_walk *w, size_t n);
void zki_walk_free(zki_walk *w);

/* verify_cost of the nodes that index a map (CONV, MAXPOOL): the index
 * maps and eq tables per axis (at most 4 live per axis, each entry touched
 * once per kernel position). */
void zki_map_verify_cost(const zki_dag *d, uint32_t j, uint32_t B, uint64_t *ops, uint64_t *bytes);

/* Node proof values and points (malloc'ed, NULL on failure). */
zki_status zki_node_proof_vals(zki_node_proof *p, uint32_t n);
void zki_put_i32(int32_t *dst, const int64_t *v, size_t n);

#endif
