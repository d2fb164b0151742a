/* Proofs: the statement, the per-node proofs, the proof file, and what
 * prover and verifier derive alike from a key and a batch: the advice
 * layout with every ledger id, and the lookup instances.
 *
 * Statement: under the verification key vk, the batch output Y [B, out]
 * is the integer model applied to the input X [B, in]; X is public, or
 * with `private_input` committed in the advice commitment (the verifier
 * then sees only Y). Y is public, or with `private_output` a segment of
 * the advice commitment (fresh and hiding in every proof): the proof
 * carries no output, and the claims on it go to the advice opening. The
 * transcript absorbs, before any challenge: the vk hash, B, the
 * private-input flag, X (when public), Y (when public; else the
 * private-output flag) and the advice commitment.
 *
 * Protocol: the witness (every node's gadget, in order); one advice
 * commitment (hiding PCS) of what the gadgets commit (requant quotients,
 * hidden outputs, remainder limbs, pool differences), the lookups'
 * multiplicities and the private input; the lookups (one range-[0, 2^16)
 * instance, one (q, clamp(q)) instance per distinct clamp range), whose
 * claims go to the ledger; the backward walk, node by node from the
 * output, each gadget turning the claims on its tensors into claims on its
 * inputs and weights (protocol/gadget.h); the public input's and output's
 * claims evaluated by the verifier; one opening of the weight and advice
 * tables (protocol/open_tables.h).
 *
 * Zero knowledge (docs/zk.md; flags bit 1): every private value is sent
 * one-time padded (pads committed in chunks before use), the verifier's
 * checks become constraints, and a final Ligero argument proves them. A
 * plain proof (bit 1 clear) sends those values in the clear and is NOT
 * zero-knowledge; issue 15 moves every gadget onto the padded values.
 *
 * Proof file (.zkp): "ZKINFPF\0" | u32 version | vk hash (32) | input
 * digest (32: zki_input_digest of a public input, zeros for a private one;
 * only for messages, the transcript binds X itself) | u32 B |
 * u32 flags (bit 0 private input, bit 1 zero knowledge, bit 2 private output) | u32 gen_n |
 * [gen_n > 0: u32 gen_p | i64 gen_ids[gen_n]] | u32 n_nodes | u32 out_n (0 with a private
 * output or a generation) | i64 output[B * out_n] |
 * u32 len | advice commitment | u32 n_lookups | per lookup: u32 len |
 * lookup proof | [gen_n > 0: the argmax: ext D(r) | u32 rounds | u32 degree
 * | ext msgs | ext Y(rho)] | per node, last first, in the shape its gadget fixes from
 * the key (a generation view's skipped last move: nothing, argmax.h): [claim reduction: u32 nvars | u32 rounds | u32 degree | ext
 * msgs | ext value] | per sum-check: u32 rounds | u32 degree | ext msgs |
 * ext values | u32 n_colred | per column reduction: u32 rounds | ext
 * msgs[2 rounds] | u32 k | ext vals[k] | claim reduction | [zero
 * knowledge: u32 n_chunks | chunk roots | products' root | u32 len | the
 * final argument] | u32 len | PCS proof. Every count is bounded by the key and the bytes left; trailing
 * bytes are rejected. */
#ifndef ZKI_PROTOCOL_PROOF_H
#define ZKI_PROTOCOL_PROOF_H

#include "lookup/lookup.h"
#include "lookup/requant.h"
#include "protocol/key.h"
#include "protocol/pack.h"
#include "sumcheck/claims.h"
#include "transcript/transcript.h"

/* 7: a generation proof's argmax reads the head's map, its last move unproven */
#define ZKI_PROOF_VERSION 7u
#define ZKI_PROOF_PROTOCOL "zkinfer/dag-proof"
#define ZKI_MAX_BATCH (1u << 20)
#define ZKI_MAX_COLRED 2
#define ZKI_NODE_MAX_SC 3
#define ZKI_ZK_MAX_CHUNKS 7 /* pad commitments of a zero-knowledge proof */

/* One node's proof: its claim reduction (when the gadget's claims are
 * reduced), up to ZKI_NODE_MAX_SC sum-checks and n_val extension values,
 * in the shape the gadget fixes from the key (zki_node_shape). */
typedef struct {
    uint32_t has_red, n_sc;
    zki_claim_reduction_proof red;
    zki_sc_proof sc[ZKI_NODE_MAX_SC];
    uint32_t n_val;
    zki_ext *val;
} zki_node_proof;

typedef struct {
    int has_red;
    size_t red_nvars;
    uint32_t n_sc;
    size_t sc_nvars[ZKI_NODE_MAX_SC];
    uint32_t sc_degree[ZKI_NODE_MAX_SC];
    uint32_t n_val;
} zki_node_shape;

void zki_node_proof_free(zki_node_proof *p);
/* Whether a node proof has exactly the shape its gadget fixes (counts,
 * rounds, degrees, arrays present): the parser reads only that shape, and
 * the verifier holds proofs built in memory to it too. */
int zki_node_proof_has_shape(const zki_node_proof *p, const zki_node_shape *s);

/* Where a proof's making spent its time (kept with the proof in memory,
 * not in its bytes; zero for a parsed proof). */
typedef struct {
    double witness_s, commit_s, gadgets_s, open_s, zk_s, total_s;
    double lookups_s, argmax_s;            /* parts of gadgets_s */
    uint32_t kind_nodes[ZKI_NODE_KINDS];   /* per node kind (dag.h): nodes, */
    double kind_witness_s[ZKI_NODE_KINDS]; /* their part of witness_s, */
    double kind_prove_s[ZKI_NODE_KINDS];   /* their sum-checks' part of gadgets_s */
} zki_proof_stats;

typedef struct zki_proof {
    zki_digest vk_hash;
    zki_digest in_digest;            /* zki_input_digest(X); zeros: private input */
    uint32_t B, private_input, n_nodes, out_n;
    int64_t *output;                 /* B * out_n (out_n 0: a generation proof or a private output) */
    uint32_t private_output;         /* the output is committed advice, not in the proof */
    /* Generation (argmax.h): gen_n > 0 new ids gen_ids after a prompt of
     * gen_p; the input is prompt, gen_ids, then zeros; the output is hidden. */
    uint32_t gen_n, gen_p;
    int64_t *gen_ids;
    zki_sc_proof gen_sc;             /* the argmax sum-check */
    zki_ext gen_d, gen_y;            /* D~(r), Y~(rho) */
    zki_pcs_commitment acom;         /* advice commitment: one packed table */
    uint32_t n_lookups;              /* 1 + number of mapping instances */
    zki_lookup_proof *lk;
    zki_node_proof *node;            /* n_nodes, index = node (written last first) */
    uint32_t n_colred;               /* the weight table, then the advice */
    zki_colred_proof colred[ZKI_MAX_COLRED];
    zki_claim_reduction_proof hred[ZKI_MAX_COLRED]; /* row / direct reduction (empty: none) */
    zki_pcs_proof open;
    /* Zero knowledge (zk = 1, docs/zk.md): the pad chunks' roots, each
     * absorbed where the walk opens its chunk; the products' root; the
     * final argument's bytes (src/ligero/; parsed once the walk has fixed
     * its shape). */
    uint32_t zk, zk_n_roots;
    zki_digest zk_root[ZKI_ZK_MAX_CHUNKS];
    zki_digest zk_qroot;
    uint8_t *zk_arg;
    size_t zk_arg_len;
    zki_proof_stats stats;
} zki_proof;

void zki_proof_free(zki_proof *p);

zki_status zki_proof_to_bytes(const zki_proof *p, uint8_t **out, size_t *len);
/* Parses against the key: counts and shapes must be the ones vk implies. */
zki_status zki_proof_from_bytes(const zki_vk *vk, zki_proof *p, const uint8_t *in, size_t len);
/* Bytes of a proof's header that fix its batch (ZKI_PROOF_HEAD_LEN); from
 * them, *cap: the most bytes a proof for that batch may have under the key
 * (its verifier cost bound), so a reader never holds more than the key
 * allows. ZKI_ERR_INPUT for a head that is not a proof's or a batch beyond
 * the key's limits. */
#define ZKI_PROOF_HEAD_LEN 80u
zki_status zki_proof_size_cap(const zki_vk *vk, const uint8_t *head, size_t n, uint64_t *cap);

/* Advice layout and ledger ids implied by a key, batch and input and
 * output modes (shared by prover and verifier). Every tensor a claim can name gets one
 * ledger id, allocated here once: per node the ids its gadget declares
 * (ids[j][0 .. n_ids[j])), the output tensor's id out_id[j], the model
 * input's in_id, the multiplicities of lookup instance i m_id[i]. Each id
 * has a role: committed advice (segment seg_of[id]), the public output or
 * input (evaluated by the verifier), or internal (reduced and passed on by
 * its node's gadget). */
#define ZKI_NONE UINT32_MAX
#define ZKI_NODE_MAX_IDS 8
enum { ZKI_ID_ADVICE, ZKI_ID_OUTPUT, ZKI_ID_INPUT, ZKI_ID_INTERNAL };
typedef struct {
    uint32_t n;                 /* advice segments (one packed table, int32) */
    size_t *nv;                 /* n: segment sizes 2^nv */
    zki_pack pack;
    uint32_t n_ids, cap_ids;
    uint32_t *seg_of;           /* per id: segment or ZKI_NONE */
    uint8_t *role;              /* per id: ZKI_ID_* */
    uint32_t (*ids)[ZKI_NODE_MAX_IDS]; /* per node */
    uint32_t *out_id;           /* per node: its output tensor */
    uint32_t in_id;             /* the model input */
    uint32_t n_maps;
    uint32_t *map_of;           /* per node: mapping instance (requant nodes) */
    uint32_t *map_node;         /* per mapping instance: first node using it */
    uint32_t *m_id;             /* per instance (1 + n_maps): multiplicities' id */
    uint32_t x0;                /* private input segment, else ZKI_NONE */
    uint32_t out_seg;           /* private output segment, else ZKI_NONE */
    int out_priv;               /* the output is committed: the ZKI_ID_OUTPUT id is advice */
    size_t out_nv;              /* then its segment's size (log2) */
    uint32_t gen_d;             /* hidden output: the argmax margins' id (argmax.h), else ZKI_NONE */
} zki_advice_layout;

/* Layout builders for the gadgets: a new committed segment of 2^nv
 * entries with its id, or an id without a segment (role). The output's
 * id (ZKI_ID_OUTPUT) is a committed segment in a layout with a private
 * output (out_seg). */
uint32_t zki_layout_advice(zki_advice_layout *lay, size_t nv);
uint32_t zki_layout_id(zki_advice_layout *lay, uint8_t role);
/* What a proof commits instead of publishing (the layout's `priv`
 * argument, or'ed): the input, the output. */
#define ZKI_PRIV_INPUT 1
#define ZKI_PRIV_OUTPUT 2
zki_status zki_advice_layout_init(zki_advice_layout *lay, const zki_dag *a, uint32_t B, int priv);
/* A value of the output's extension that an output node sends (LUT,
 * MOVE): in the clear for a public output (the verifier checks it against
 * the output), padded for a committed one (its claim goes to the opening).
 * The prover's send (returns what the proof holds) and the verifier's
 * receive. */
static inline zki_ext zki_output_send(const zki_advice_layout *lay, zki_transcript *t, const char *label, zki_ext v)
{
    if (lay->out_priv)
        return zki_zk_send(t, label, v);
    zki_ts_absorb_ext(t, label, v);
    return v;
}
static inline zki_pv zki_output_recv(const zki_advice_layout *lay, zki_transcript *t, const char *label, zki_ext s)
{
    if (lay->out_priv)
        return zki_zk_recv(t, label, s);
    zki_ts_absorb_ext(t, label, s);
    return zki_pv_pub(s);
}
/* A proof's ZKI_PRIV_* flags. */
static inline int zki_proof_priv(const zki_proof *p)
{
    return (p->private_input ? ZKI_PRIV_INPUT : 0) | (p->private_output ? ZKI_PRIV_OUTPUT : 0);
}
void zki_advice_layout_free(zki_advice_layout *lay);
/* The advice commitment must be the one the key fixes for this layout
 * (zki_key_pcs_params, one table of lay->pack.total entries): else `code`
 * naming the first parameter that differs. Checked by the proof parser and
 * the verifier before anything is sized by the commitment's shape. */
zki_status zki_advice_commitment_check(const zki_vk *vk, const zki_advice_layout *lay,
                                       const zki_pcs_commitment *acom, zki_status code);
void zki_requant_params_of(const zki_dag_node *L, zki_requant_params *p);

/* The model's lookup instances, the same for prover and verifier: lk[0]
 * the range-[0, 2^16) instance, lk[1 + j] the (q, clamp(q)) instance of
 * mapping j of the advice layout; multiplicities of instance j have the
 * ledger id lay->m_id[j]. The tables are owned here. */
typedef struct {
    uint32_t n; /* 1 + lay->n_maps */
    zki_lookup **lk;
    zki_lookup_table range, *maps;
    uint32_t n_maps;
} zki_model_lookups;

zki_status zki_model_lookups_init(zki_model_lookups *ml, const zki_dag *a, const zki_advice_layout *lay);
void zki_model_lookups_free(zki_model_lookups *ml);

/* Private input: two range sites (in the range-2^16 instance) proving
 * every entry lies in the input's bit range. x0p: the input padded to
 * [B][2^lk0] (prover) or NULL (verifier). */
zki_status zki_input_range_sites(zki_lookup *range16, const zki_advice_layout *lay, const zki_dag *a,
                                 uint32_t B, const int64_t *x0p);

/* SHA-256 over B and the quantised input X [B * in_len] (i64 little-endian):
 * lets verify say "this proof is for another input" before any
 * cryptographic check. Never computed for a private input (it would leak a
 * low-entropy input to a brute-force search). */
zki_status zki_input_digest(const int64_t *X, uint32_t B, uint64_t in_len, zki_digest *out);

/* The verifier's first checks, before any cryptography, with messages that
 * name the mismatch: the proof's key digest against the key's, and (X not
 * NULL) its input digest against X's. */
zki_status zki_proof_check_key(const zki_proof *p, const zki_vk *vk);
zki_status zki_proof_check_input(const zki_proof *p, const zki_vk *vk, const int64_t *X, uint32_t B);

/* Starts the proof transcript and absorbs the statement (shared by prover
 * and verifier); priv: ZKI_PRIV_* flags. X may be NULL only with a private
 * input, Y only with a private output. */
zki_status zki_statement_bind(zki_transcript *t, const zki_vk *vk, uint32_t B, int priv, const int64_t *X,
                              const int64_t *Y, const zki_pcs_commitment *acom);
/* A generation proof's statement (Y hidden): the same, with the prompt
 * length P and the count N of generated ids in X. */
zki_status zki_statement_bind_gen(zki_transcript *t, const zki_vk *vk, const int64_t *X, uint32_t P, uint32_t N,
                                  const zki_pcs_commitment *acom);

/* MLE table of an int matrix [rows][cols] zero-padded to [2^lr][2^lc]
 * (malloc'ed). */
zki_fe *zki_int_table(const int64_t *m, uint64_t rows, uint64_t cols, size_t lr, size_t lc);

#endif
