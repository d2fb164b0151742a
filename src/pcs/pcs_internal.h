/* Internals shared by the PCS prover and verifier: the prover state, the
 * transcript steps both sides replay, claim grouping, the combination
 * "terms" that define every combined row, leaf hashing and Merkle
 * multi-proofs. */
#ifndef ZKI_PCS_INTERNAL_H
#define ZKI_PCS_INTERNAL_H

#include "hash/merkle.h"
#include "pcs/pcs.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the PCS hashes field elements in memory order: little-endian hosts only"
#endif

#define ZKI_PCS_SALT_LEN 32
#define ZKI_PCS_LEAF_TAG "zkinfer/pcs-leaf/v1"
#define ZKI_PCS_SHIFT ZKI_GENERATOR /* coset shift: no evaluation point is 0 */

struct zki_pcs_prover {
    zki_pcs_commitment com;
    zki_pcs_vec *vecs;   /* the caller's vectors (not copied) */
    zki_fe *cw;          /* codewords, column-major: cw[j * rows + i]; NULL when
                          * larger than ZKI_PCS_KEEP_CW_BYTES (never held whole: the
                          * leaves are hashed as rows are encoded, the opened
                          * columns encoded again) */
    zki_fe *pad;         /* hiding: data_rows * h random coefficients */
    zki_fe *masks;       /* hiding: mask_rows * K random coefficients */
    uint8_t *salts;      /* hiding: D * 32 */
    zki_merkle_tree tree;
    uint32_t next_slot;  /* hiding: next unused mask slot */
    uint32_t col_opens;  /* hiding: openings made (their columns revealed) */
    uint8_t has_zk_slot; /* hiding: zk_slot holds the slot that zero-knowledge */
    uint32_t zk_slot;    /* committed-row openings share (zki_pcs_rowc_mode) */
};

/* A block of consecutive committed rows entering combined row `target` with
 * the given extension coefficients. */
typedef struct {
    uint32_t target;
    uint64_t first_row;
    uint64_t n_rows;
    const zki_ext *coef;
} zki_pcs_term;

/* Everything derived from (commitments, claims, transcript) before the
 * queries, identical on both sides. */
typedef struct {
    uint32_t n_commits;
    size_t n_claims;
    uint32_t *group;      /* per claim: its group within its commitment */
    uint32_t *n_groups;   /* per commitment */
    size_t *group_claim;  /* per commitment, per group: first claim (defines r_lo) */
    size_t *group_base;   /* per commitment: index of its first group in group_claim */
    uint8_t *tensor;      /* per commitment: 1 = tensor mode (single row), 0 = classic */
    zki_ext *alpha;       /* per claim */
    zki_ext *scale;       /* per claim: its coefficient (classic: alpha; tensor: 1 - z or 1) */
    zki_ext *mu_coef;     /* per commitment: coefficient of mu_g (classic 1; tensor z e0) */
    zki_ext *tmask;       /* per commitment: {z e0, z e0 u} (tensor, hiding) */
    zki_ext **gamma;      /* per commitment: proximity coefficients (classic) */
    zki_ext **hi_coef;    /* per claim: scale * eq(r_hi) */
    zki_pcs_term **terms; /* per commitment */
    size_t *n_terms;
    zki_ext mask_coef[2]; /* {1, u}: an extension mask from two base rows */
} zki_pcs_ctx;

/* Combined rows sent for commitment c: its groups, plus the proximity row in
 * classic mode. */
static inline uint32_t zki_pcs_n_comb(const zki_pcs_ctx *x, uint32_t c)
{
    return x->n_groups[c] + (x->tensor[c] ? 0u : 1u);
}

void zki_pcs_ctx_free(zki_pcs_ctx *x);

/* Codewords held (column-major, from the commitment to the opening) up to
 * this size; a larger commitment streams: it hashes the leaves as it
 * encodes blocks of rows and, at the opening, computes the queried columns
 * from partial NTTs of its rows (about half an encoding pass instead of
 * holding rows * D elements). 256 MiB keeps VGG-16's weights (249 MB at
 * rate 1/2). Holding ResNet-50's advice at 224 (491 MB) would cost more than
 * its partial NTTs save: 4.8 -> 5.2 s, peak 0.92 -> 1.41 GB (fresh pages,
 * and the column reduction after it runs slower). */
#define ZKI_PCS_KEEP_CW_BYTES ((uint64_t)256 << 20)
/* The limit in use: ZKI_PCS_KEEP_CW_BYTES; tests lower it to open
 * streamed commitments of small shapes. */
extern uint64_t zki_pcs_keep_cw_bytes;

/* Columns idx[0 .. n) of the codewords: out[i * rows + r] = Enc(row r)[idx[i]]. */
zki_status zki_pcs_columns(const zki_pcs_prover *pr, const uint64_t *idx, uint32_t n, zki_fe *out);

/* Entries [j0, j0 + n) of the message (C data entries, then h padding
 * coefficients) of committed row `row`, lifted to the field. */
void zki_pcs_row_read(const zki_pcs_prover *pr, uint64_t row, uint64_t j0, uint64_t n,
                      zki_fe *out);

/* Checks claims against the commitments, absorbs commitments + slots +
 * claims and groups the claims by (commitment, r_lo). */
zki_status zki_pcs_begin(zki_transcript *ts, zki_pcs_ctx *x,
                         const zki_pcs_commitment *const *commits, const uint32_t *slots,
                         uint32_t n_commits, const zki_pcs_claim *claims, size_t n_claims);
/* Absorbs the mask evaluations mus[c] (hiding commitments; in a
 * zero-knowledge proof, ts->zk set, the caller has sent them padded: the
 * row's sent values and its mask evaluation would give a private claim
 * value), draws alpha,
 * gamma (classic) or z (tensor, hiding) and builds the terms of every
 * combined row. */
zki_status zki_pcs_challenges(zki_transcript *ts, zki_pcs_ctx *x,
                              const zki_pcs_commitment *const *commits, const uint32_t *slots,
                              const zki_pcs_claim *claims, zki_ext *const *mus);
/* Number of variables of a claim that index columns. */
uint32_t zki_pcs_lo_vars(const zki_pcs_commitment *c, uint32_t poly);
/* out[0 .. C): eq(r_lo, x) on the first 2^lo columns, 0 beyond. */
void zki_pcs_eq_lo(zki_ext *out, const zki_pcs_commitment *c, const zki_pcs_claim *cl);
/* First base row of mask `k` (0 = proximity, 1 + g = group g) of a slot. */
uint64_t zki_pcs_mask_row(const zki_pcs_commitment *c, uint32_t slot, uint32_t k);

/* Proof of work of `bits` before the queries (pcs_grind.c): draws the
 * prefix challenge, finds (prover) or checks (verifier, ZKI_ERR_VERIFY) the
 * nonce and absorbs it. */
zki_status zki_pcs_grind(zki_transcript *ts, uint32_t bits, uint64_t *nonce);
zki_status zki_pcs_grind_check(zki_transcript *ts, uint32_t bits, uint64_t nonce);

/* Query positions: t_max draws in [0, D_max), commitment i uses the first
 * t_i mod D_i, sorted and deduplicated; returns the count. */
zki_status zki_pcs_queries_draw(zki_transcript *ts, const zki_pcs_commitment *const *commits,
                                uint32_t n_commits, uint64_t **draws, uint32_t *n_draws);
uint32_t zki_pcs_queries_for(const zki_pcs_commitment *c, const uint64_t *draws, uint64_t *out);

/* Leaf = SHA-256(tag || salt (hiding) || column as little-endian words). */
void zki_pcs_leaf_hash(zki_sha256_ctx *ctx, const zki_sha256_ctx *base, zki_digest *out,
                       const uint8_t *salt, const zki_fe *col, uint64_t rows);
zki_sha256_ctx *zki_pcs_leaf_base(void);

/* Multi-proof for sorted distinct leaves: siblings not computable from the
 * opened leaves, level by level, bottom up. */
zki_status zki_pcs_multiproof(const zki_merkle_tree *t, const uint64_t *idx, uint32_t n,
                              zki_digest **nodes, uint32_t *n_nodes);
int zki_pcs_multiproof_check(const zki_digest *root, uint32_t log_d, const uint64_t *idx,
                             const zki_digest *leaves, uint32_t n, const zki_digest *nodes,
                             uint32_t n_nodes);

/* Reed-Solomon encoding by cosets: with P = 2^ceil(log2 K) and q = D / P,
 * Enc(msg)[q m + s] is the size-P coset NTT of msg on shift * w_D^s * <w_P>
 * (w_D^q = w_P), so q transforms of size P replace one of size D on a mostly
 * zero vector. out (D entries) receives the q sub-codewords one after the
 * other: Enc[j] = out[(j % q) * P + j / q]. shifts: q entries from
 * zki_pcs_coset_shifts. Single-threaded below 2^16 (the NTT's threshold). */
typedef struct {
    uint64_t p, q;
    zki_fe *shifts;
} zki_pcs_coder;
zki_status zki_pcs_coder_init(zki_pcs_coder *c, const zki_pcs_shape *s);
void zki_pcs_coder_free(zki_pcs_coder *c);
zki_status zki_pcs_encode(const zki_pcs_coder *c, const zki_fe *msg, uint64_t k, zki_fe *out);
static inline uint64_t zki_pcs_enc_pos(const zki_pcs_coder *c, uint64_t j)
{
    return (j % c->q) * c->p + j / c->q;
}

/* combo[g * n + i]: combined row g's entry at opened column i, formed
 * from the column's entries (what Enc(row_g) must hold there). */
zki_status zki_pcs_column_combos(const zki_pcs_ctx *x, uint32_t c, const zki_fe *cols,
                                 uint64_t height, uint32_t n, zki_ext *combo);
/* What <row_g[0 .. C), eq(r_lo)> must equal: sum over g's claims of
 * scale_i v_i, plus mu_coef mu_g (hiding; mu NULL otherwise). */
zki_ext zki_pcs_eval_target(const zki_pcs_ctx *x, uint32_t c, uint32_t g,
                            const zki_pcs_claim *claims, size_t n_claims, const zki_ext *mu);
/* The same with the claims' values and mask evaluations private where they
 * have a form (the verifier of a zero-knowledge proof, z its context;
 * NULL: plain). */
zki_pv zki_pcs_eval_target_pv(const zki_pcs_ctx *x, uint32_t c, uint32_t g, const zki_pcs_claim *claims,
                              size_t n_claims, const zki_pv *mu, zki_zk *z);

/* Whether commitment c (index `c` of the claims) is opened in tensor mode:
 * exactly one claim on it and a small enough folding error. Claims naming
 * a table c lacks count as classic (the opening refuses them). */
int zki_pcs_tensor_mode(const zki_pcs_commitment *com, uint32_t c, const zki_pcs_claim *claims,
                        size_t n_claims);

/* Whether commitment c's part commits its row: a tensor-mode opening on a
 * row_commit shape, and in a zero-knowledge proof (zk set) every
 * tensor-mode opening of a commitment whose parameters allow committed
 * rows: the row, a combination of the committed tables, is never sent
 * then; its commitment is hiding and its two values go out padded. */
static inline int zki_pcs_rowc_mode(const zki_pcs_commitment *com, int tensor, int zk)
{
    return tensor && (com->shape.row_commit || (zk && com->params.row_commit));
}

/* Committed rows (pcs_row.c). The prover's commitment to a row: T (2 K
 * base entries, u_0 and u_1 interleaved) and its PCS prover. */
typedef struct {
    zki_fe *table;
    zki_pcs_prover *pr;
} zki_pcs_rowc;
/* seed: the hiding randomness of a zero-knowledge proof's row commitment
 * (zk set; NULL: OS entropy); plain proofs' row commitments are plain. */
zki_status zki_pcs_row_commit(const zki_pcs_commitment *com, const zki_ext *u, int zk, const uint8_t *seed,
                              zki_pcs_rowc *rc, zki_digest *root);
void zki_pcs_rowc_free(zki_pcs_rowc *rc);
/* After the column queries: proves row u against the distinct queried
 * columns idx[0 .. n), their combinations e and the evaluation target v of
 * claim cl; fills q's sum-check and the inner claim (point of m + 1
 * coordinates, value) on the row's commitment. Transcript: rho, the
 * sum-check, a_0 and a_1, s. */
zki_status zki_pcs_row_prove(zki_transcript *ts, const zki_pcs_commitment *com,
                             const zki_pcs_claim *cl, const zki_ext *u, const uint64_t *idx,
                             uint32_t n, const zki_ext *e, zki_ext v, zki_pcs_proof_part *q,
                             zki_ext *ipoint, zki_ext *ivalue);
/* The verifier's replay: ZKI_ERR_VERIFY when the sum-check or its last
 * round fails; else the inner claim to check by opening the row's
 * commitment. */
zki_status zki_pcs_row_verify(zki_transcript *ts, const zki_pcs_commitment *com,
                              const zki_pcs_claim *cl, const uint64_t *idx, uint32_t n,
                              const zki_ext *e, zki_pv v, const zki_pcs_proof_part *q,
                              zki_ext *ipoint, zki_pv *ivalue);

/* The first claim on commitment c (tensor mode: its only one). */
size_t zki_pcs_only_claim(const zki_pcs_claim *claims, size_t n_claims, uint32_t c);

/* The batched row claims' table G (2^m entries) and its multilinear value
 * at r (pcs_row.c; exposed for the test that they agree). pw: n + 1
 * batching coefficients; r_lo: the claim's lo column coordinates. */
zki_status zki_pcs_row_g_table(const zki_pcs_shape *s, const uint64_t *idx, uint32_t n,
                               const zki_ext *pw, const zki_ext *r_lo, uint32_t lo, uint32_t m,
                               zki_ext *G);
zki_ext zki_pcs_row_g_eval(const zki_pcs_shape *s, const uint64_t *idx, uint32_t n,
                           const zki_ext *pw, const zki_ext *r_lo, uint32_t lo, const zki_ext *r,
                           uint32_t m);

/* TEST-ONLY (zero outside tests): added to the first entry of every
 * committed row before it is committed, so a test can drive a prover
 * whose committed row disagrees with its columns (tests/test_pcs_row.c). */
extern zki_ext zki_pcs_test_row_delta;

/* 32 bytes of OS entropy. */
zki_status zki_pcs_entropy(uint8_t seed[32]);
/* Deterministic stream of uniform field elements from (seed, domain, index). */
void zki_pcs_prg(const uint8_t seed[32], uint8_t domain, uint64_t index, zki_fe *out, size_t n);

#endif
