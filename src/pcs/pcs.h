/* Multilinear polynomial commitment, Ligero-style (DESIGN.md section 2).
 *
 * A commitment binds one or many tables t of any length L (f over
 * n = ceil(log2 L) variables, zero beyond L: f(r) = sum_x t[x] eq(r, x), x_0
 * the least significant index bit). Each table is laid out as rows of
 * C = 2^log_cols entries (row-major: column index = the low log_cols
 * variables r_lo, row index = the high variables r_hi) and occupies
 * ceil(L / C) rows (the last one zero-filled); the rows up to 2^(n - log_cols)
 * are implicit zero rows, neither committed nor opened, and drop out of every
 * row combination. Tables are stacked as consecutive rows of one matrix.
 * Every row is a coefficient vector, Reed-Solomon encoded by a coset NTT
 * (shift 7) onto D points; leaf j of the Merkle tree is SHA-256 of column j
 * of all rows.
 *
 * An opening proves any number of evaluation claims (table, extension point,
 * value) against one or several commitments; all commitments in one opening
 * share the column queries. The verifier replays the same transcript calls.
 * Per commitment, the opening runs in one of two modes, a function of public
 * data only (zki_pcs_tensor_ok):
 *  - classic: one combined evaluation row per group of claims sharing r_lo,
 *    plus a random proximity row sum_i gamma_i M_i (+ mask);
 *  - tensor: exactly one claim (point (r_lo, r_hi), l = |r_hi|) and a small
 *    enough (l + 1) D / |K|: the single row u = eq(r_hi)^T M (hiding:
 *    (1 - z) eq(r_hi)^T M + z eq(r_hi, 0) m, z a verifier challenge, m a mask
 *    row) is both the evaluation row and the proximity test. On a shape with
 *    row_commit, u is committed instead of sent and proven against the
 *    columns by a sum-check (committed rows, below).
 *
 * Hiding mode adds h random coefficients to every row (so any h symbols of a
 * row are uniform), a random salt per leaf and random mask rows that blind
 * every combined row sent. Each hiding commitment supports `open_budget`
 * openings that send their row (each one uses a fresh slot of mask rows)
 * and `col_budget` openings in all (each reveals at most t columns:
 * h >= max(open_budget, col_budget) t). The tensor-mode openings of a
 * zero-knowledge proof on a row_commit commitment commit their row with a
 * hiding commitment of its own (zki_pcs_rowc_mode): nothing of the row is
 * sent, so they share one mask slot and only their columns accumulate.
 * zki_pcs_open refuses to exceed either budget.
 *
 * The prover keeps POINTERS to the committed vectors (no field copy of int8
 * weights): they must stay valid and unchanged until zki_pcs_prover_free.
 * Before the column queries the prover grinds a proof-of-work nonce
 * (grind_bits, the largest of the opening's commitments): a 64-bit nonce
 * with SHA-256(tag || transcript challenge || nonce) starting with
 * grind_bits zero bits, sent in the proof and absorbed before the queries
 * are drawn. Each attempt at the query challenge then costs 2^grind_bits
 * hashes, so the query count is set for security_bits + 1 - grind_bits
 * bits (docs/security.md, "Security level").
 *
 * Everything is deterministic for a given seed and identical for any number
 * of OpenMP threads. See docs/security.md for parameters and arguments. */
#ifndef ZKI_PCS_H
#define ZKI_PCS_H

#include <stddef.h>
#include <stdint.h>

#include "field/field.h"
#include "hash/sha256.h"
#include "transcript/transcript.h"
#include "zk/zk.h"

/* 5: col_budget */
#define ZKI_PCS_VERSION 5u
#define ZKI_PCS_MAX_POLYS 65536u      /* tables per commitment */
#define ZKI_PCS_MAX_LOG_LEN 40u       /* a table has at most 2^40 entries */
#define ZKI_PCS_MAX_LOG_D 26u         /* codeword length (keeps D/|K| <= 2^-102) */
#define ZKI_PCS_MAX_COMMITS 64u       /* commitments per opening */
#define ZKI_PCS_MAX_GROUPS 65536u     /* combined evaluation rows per commitment */
#define ZKI_PCS_MAX_GRIND 30u         /* proof-of-work bits (2^30 hashes: minutes) */
#define ZKI_PCS_MAX_COL_BUDGET (1u << 20) /* openings a hiding pad may cover */

typedef enum { ZKI_PCS_FE = 0, ZKI_PCS_I8 = 1, ZKI_PCS_I16 = 2, ZKI_PCS_I32 = 3 } zki_pcs_elem;

/* One vector to commit: len elements of the given type (int types are
 * lifted with zki_fe_from_i64 while encoding; ZKI_PCS_FE must be canonical). */
typedef struct {
    zki_pcs_elem type;
    const void *data;
    uint64_t len; /* >= 1 */
} zki_pcs_vec;

typedef struct {
    uint32_t rate_log;      /* D >= C * 2^rate_log (default 2: rate 1/4); the
                             * code is also >= 2K unless the hiding pad is
                             * <= C/8 (then >= K: rate <= 9/16 at rate_log 1) */
    uint32_t log_cols;      /* row width 2^log_cols; 0 = automatic */
    uint32_t max_log_cols;  /* automatic: the widest row considered (0 = 20): wider rows
                             * shrink the opening but cost the prover time */
    uint32_t security_bits; /* target soundness (default 100) */
    uint32_t hiding;        /* 0 or 1 */
    uint32_t open_budget;   /* hiding: openings that send their row: mask slots (default 1) */
    uint32_t col_budget;    /* hiding: openings in all whose columns the pad covers
                             * (1 .. ZKI_PCS_MAX_COL_BUDGET, default 1; one below
                             * open_budget counts as open_budget) */
    uint32_t max_points;    /* hiding: distinct r_lo groups per opening (0 = number of tables) */
    uint32_t grind_bits;    /* proof-of-work bits before the queries (0 .. 30, default 0) */
    uint32_t row_commit;    /* 1: a tensor-mode opening may commit its row (pcs_row.c) when
                             * that is fewer bytes; 0: always sent (default 0) */
    const uint8_t *seed;    /* hiding: 32 bytes of randomness; NULL = OS entropy */
} zki_pcs_params;

/* Layout derived from the parameters and the table lengths
 * (zki_pcs_shape; identical for prover and verifier). */
typedef struct {
    uint32_t log_cols;
    uint64_t cols;        /* C */
    uint64_t pad;         /* h: random coefficients per row (hiding) */
    uint64_t row_len;     /* K = C + h: message length of a row */
    uint32_t log_d;
    uint64_t d;           /* codeword length D */
    uint32_t queries;     /* t column queries */
    uint64_t data_rows;
    uint64_t mask_rows;   /* 2 base rows per extension mask row */
    uint64_t rows;        /* data_rows + mask_rows */
    uint32_t max_points;  /* per opening (hiding) */
    double rho;           /* K / D */
    double bits;          /* -log2 of the query soundness term */
    uint32_t row_commit;  /* 1: tensor-mode openings commit the row instead of sending it */
} zki_pcs_shape;

typedef struct {
    zki_pcs_params params; /* seed is NULL */
    uint32_t n_polys;
    uint64_t *lens;        /* n_polys */
    uint32_t *nvars;       /* n_polys */
    uint64_t *row_off;     /* first row of each table */
    zki_pcs_shape shape;
    zki_digest root;
} zki_pcs_commitment;

typedef struct zki_pcs_prover zki_pcs_prover;

/* An evaluation claim f_{poly}(point) = value on commitment `commit` (index
 * into the array passed to open / verify); point has nvars(poly) entries.
 * A commitment with exactly one claim in an opening is opened in tensor
 * mode, whose soundness needs the point's row coordinates (those past
 * log_cols) to be uniform challenges drawn after the commitment was fixed,
 * or 0/1 constants (docs/security.md); sum-check points qualify. */
typedef struct {
    uint32_t commit;
    uint32_t poly;
    const zki_ext *point;
    zki_ext value;  /* the prover's value; the verifier's known part */
    uint32_t form;  /* verifier, zero-knowledge proofs: the value's form
                     * (src/zk/zk.h), the evaluation checks becoming
                     * constraints; 0: a public value */
} zki_pcs_claim;

/* The part of a proof for one commitment. */
typedef struct {
    uint32_t slot;      /* mask slot used (hiding), else 0 */
    uint32_t n_groups;  /* evaluation rows (tensor mode: 1) */
    uint32_t row_len;
    uint8_t has_mu;     /* hiding */
    uint8_t has_prox;   /* 1: classic mode (proximity row sent), 0: tensor mode */
    zki_ext *mu;        /* n_groups mask evaluations (hiding) */
    zki_ext *rows;      /* (n_groups + has_prox) * row_len: evaluation rows, then the
                         * proximity row (classic) */
    uint32_t n_cols;    /* distinct queried columns, in increasing index order */
    uint64_t col_height;
    zki_fe *cols;       /* n_cols * col_height */
    uint8_t has_salt;
    uint8_t *salts;     /* n_cols * 32 (hiding) */
    uint32_t n_nodes;   /* Merkle multi-proof: sibling digests, bottom up */
    zki_digest *nodes;
    /* Committed row (tensor mode on a row_commit shape; rows is NULL): */
    uint8_t has_rowc;
    zki_digest row_root;  /* root of the row's commitment */
    uint32_t rc_rounds;   /* m = ceil(log2 row_len) */
    zki_ext *rc_msgs;     /* rc_rounds * 2: the sum-check of the row's claims */
    zki_ext rc_evals[2];  /* the row's two base halves at the sum-check point */
} zki_pcs_proof_part;

typedef struct zki_pcs_proof {
    uint32_t n_parts;
    zki_pcs_proof_part *parts;
    uint64_t nonce; /* proof of work (0 when the opening grinds 0 bits) */
    struct zki_pcs_proof *inner; /* the committed rows' joint opening, or NULL */
} zki_pcs_proof;

void zki_pcs_params_default(zki_pcs_params *p);

/* Openings of a hiding commitment whose columns its pad covers:
 * max(open_budget, col_budget); 0 for a plain one. */
uint32_t zki_pcs_col_openings(const zki_pcs_params *p);

/* Number of column queries for `bits` of soundness with messages of k
 * coefficients and codewords of 2^log_d symbols, k < 2^log_d (unique
 * decoding: (1 - delta)^t <= 2^-bits, delta = (1 - k/D) / 2), in integer
 * arithmetic that rounds the bound up: the same on every platform. */
uint32_t zki_pcs_queries(uint64_t k, uint32_t log_d, uint32_t bits);

/* Whether an opening with exactly one claim, whose point has `hi_vars` row
 * variables, may use tensor mode on commitment c: (hi_vars + 1) D / |K| must
 * be <= 2^-102 (docs/security.md). */
int zki_pcs_tensor_ok(const zki_pcs_commitment *c, uint32_t hi_vars);
/* The same for one claim on table `poly` (its row variables: those past
 * log_cols). */
int zki_pcs_poly_tensor_ok(const zki_pcs_commitment *c, uint32_t poly);

/* Committed rows (pcs_row.c): a tensor-mode opening on a shape with
 * row_commit sends, instead of its combined row, the root of a plain
 * commitment to it (2 K base entries, the row's two halves interleaved),
 * proves after the column queries by a sum-check that the row agrees with
 * the opened columns and the claim, and opens that commitment at the
 * sum-check's point (all committed rows of an opening in one inner
 * opening). The shape takes it when the width chooser's byte count says
 * so, for rows of at least ZKI_PCS_ROW_COMMIT_MIN entries. */
#define ZKI_PCS_ROW_COMMIT_MIN 256u
/* The row commitment's parameters (plain, or hiding in a zero-knowledge
 * proof (zk); same rate, security and grinding, automatic width, no row
 * commitment of its own) and length. */
void zki_pcs_row_params(const zki_pcs_commitment *outer, int zk, zki_pcs_params *ip, uint64_t *len);
/* Its sum-check's rounds: ceil(log2 K). */
uint32_t zki_pcs_row_rounds(const zki_pcs_shape *s);
/* The row commitment of `outer` with the given root (NULL: zero), shape
 * derived; free with zki_pcs_commitment_free. */
zki_status zki_pcs_row_commitment(const zki_pcs_commitment *outer, int zk, const zki_digest *root,
                                  zki_pcs_commitment *inner);

/* Estimated bytes of a tensor-mode opening of tables `lens` at row width
 * 2^log_cols (>= 1) under p: the row or its commitment's opening, the
 * opened columns and their Merkle proof (what the automatic width
 * minimises; integer arithmetic, the same on every platform). Negative
 * when that layout is invalid. */
int64_t zki_pcs_open_bytes(const zki_pcs_params *p, const uint64_t *lens, uint32_t n_polys,
                           uint32_t log_cols);

/* Committed rows of table `poly`: ceil(len / C). */
uint64_t zki_pcs_poly_rows(const zki_pcs_commitment *c, uint32_t poly);

/* ZKI_OK when c was made with exactly the parameters `want` (seed ignored;
 * fields a plain commitment zeroes compared as zeroed) over tables of the
 * given lengths, with the shape they derive; else `code` with a message
 * naming `what` and the first field that differs. Cheap (no allocation
 * beyond the table lengths): check a received commitment with it before
 * anything sized by its shape. */
zki_status zki_pcs_commitment_expect(const zki_pcs_commitment *c, const zki_pcs_params *want,
                                     const uint64_t *lens, uint32_t n_polys, zki_status code,
                                     const char *what);

/* Proof-of-work bits of an opening: the largest grind_bits of its
 * commitments. */
uint32_t zki_pcs_grind_bits(const zki_pcs_commitment *const *commits, uint32_t n_commits);

/* Derives the layout; fills the commitment's shape fields (lens given). */
zki_status zki_pcs_shape_init(zki_pcs_commitment *c, const zki_pcs_params *p,
                              const uint64_t *lens, uint32_t n_polys);
void zki_pcs_commitment_free(zki_pcs_commitment *c);

zki_status zki_pcs_commit(zki_pcs_prover **out, const zki_pcs_params *p, const zki_pcs_vec *vecs,
                          uint32_t n_vecs);
const zki_pcs_commitment *zki_pcs_prover_commitment(const zki_pcs_prover *pr);
/* The commitment's D leaf digests (owned by pr), to save beside the
 * vectors and rebuild the same prover later without encoding. */
const zki_digest *zki_pcs_prover_leaves(const zki_pcs_prover *pr, uint64_t *n);
/* The prover state of zki_pcs_commit (same parameters, seed and vectors)
 * from its saved leaves: no encoding, the codewords recomputed at the
 * opening for the queried columns. The caller vouches that the leaves
 * belong to these vectors: wrong ones give openings that fail
 * verification (never a false accept). ZKI_ERR_INPUT when n_leaves is not
 * the shape's D. */
zki_status zki_pcs_commit_from_leaves(zki_pcs_prover **out, const zki_pcs_params *p,
                                      const zki_pcs_vec *vecs, uint32_t n_vecs,
                                      const zki_digest *leaves, uint64_t n_leaves);
void zki_pcs_prover_free(zki_pcs_prover *pr);

/* Proves all claims; absorbs the commitments, claims and proof messages into
 * ts. provers[i] is commitment i of the claims. */
zki_status zki_pcs_open(zki_transcript *ts, zki_pcs_prover *const *provers, uint32_t n_commits,
                        const zki_pcs_claim *claims, size_t n_claims, zki_pcs_proof *out);
/* ZKI_OK if every claim holds, ZKI_ERR_VERIFY otherwise. */
zki_status zki_pcs_verify(zki_transcript *ts, const zki_pcs_commitment *const *commits,
                          uint32_t n_commits, const zki_pcs_claim *claims, size_t n_claims,
                          const zki_pcs_proof *proof);
void zki_pcs_proof_free(zki_pcs_proof *p);

/* Serialisation: versioned, little-endian, every length bounded and checked.
 * *out is malloc'ed. Parsing rejects truncated, oversized, non-canonical or
 * trailing bytes with ZKI_ERR_INPUT. */
zki_status zki_pcs_commitment_to_bytes(const zki_pcs_commitment *c, uint8_t **out, size_t *len);
zki_status zki_pcs_commitment_from_bytes(zki_pcs_commitment *c, const uint8_t *in, size_t len);
zki_status zki_pcs_proof_to_bytes(const zki_pcs_proof *p, uint8_t **out, size_t *len);
zki_status zki_pcs_proof_from_bytes(zki_pcs_proof *p, const uint8_t *in, size_t len);

#endif
