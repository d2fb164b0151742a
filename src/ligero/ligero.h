/* Zero-knowledge argument that committed vectors over K satisfy one linear
 * equation and a set of elementwise products (Ligero: Ames, Hazay, Ishai,
 * Venkitasubramaniam, CCS 2017; analysed with the unique-decoding proximity
 * gap of Ben-Sasson, Carmon, Ishai, Kopparty, Saraf, FOCS 2020). The
 * protocol, its parameters and the soundness and zero-knowledge arguments
 * are in docs/ligero.md.
 *
 * Statement. A proof covers n_c (1 .. 8) commitments of one shape. Commitment
 * c holds rows_c "K-rows" of ell = 2^log_ell values in K; its witness is
 * W_c[row * ell + i] (values past those the prover was given are zero).
 *  - linear:    sum_c sum_x a_c[x] W_c[x] = b, a_c (rows_c * ell values,
 *               row-major) and b public, fixed after the commitments;
 *  - quadratic: triples (c, x, y, z) of K-rows of one commitment:
 *               W_c[x][i] * W_c[y][i] = W_c[z][i] for every i < ell.
 *
 * Each K-row (two base rows: its values' c0 and c1 coordinates) is the
 * polynomial interp_H(v) + Z_H r (H the subgroup of order ell, Z_H = X^ell - 1,
 * r uniform of degree < h), degree < k = ell + h, Reed-Solomon encoded on the
 * coset 7 * <w_D> (Enc[j] = p(7 w_D^j)); leaf j is SHA-256 of a tag, a 32-byte
 * salt and column j. One commitment of the proof (the shape's masks_commit)
 * also carries three mask K-rows of degree < 2k - 1.
 *
 * Usage: zki_ligero_shape on both sides; the prover commits each vector
 * (zki_ligero_commit) and absorbs each root into its transcript when it is
 * sent; the caller then builds (a, b) (e.g. from a batching challenge drawn
 * after the roots) and calls zki_ligero_prove; the verifier absorbs the same
 * roots and calls zki_ligero_verify with the same transcript state.
 *
 * Proofs are deterministic for a given seed and identical for any number of
 * OpenMP threads. The verifier's work is a function of the shape only. */
#ifndef ZKI_LIGERO_H
#define ZKI_LIGERO_H

#include <stddef.h>
#include <stdint.h>

#include "field/field.h"
#include "hash/sha256.h"
#include "transcript/transcript.h"

#define ZKI_LIGERO_VERSION 1u
#define ZKI_LIGERO_MAX_COMMITS 8u
/* D = the least power of two >= ZKI_LIGERO_CODE_FACTOR k: a query passes
 * a false proof with probability <= 1/2 + k/D <= 9/16, about 95 queries
 * for 85 bits (at 8 k, 5/8 and about 105; at 4 k, 3/4 and about 205; the
 * fewer columns outweigh the deeper Merkle paths: docs/ligero.md,
 * "Parameters") */
#define ZKI_LIGERO_CODE_FACTOR 16u
#define ZKI_LIGERO_MIN_LOG_ELL 6u             /* automatic row width: 2^6 .. 2^14 */
#define ZKI_LIGERO_MAX_LOG_ELL 14u
#define ZKI_LIGERO_MAX_VALUES ((uint64_t)1 << 32) /* per commitment */
#define ZKI_LIGERO_MAX_TRIPLES ((uint64_t)1 << 26)
#define ZKI_LIGERO_MASK_ROWS 3u               /* K-rows: mu (proximity), nu (linear), nu' (quadratic) */

/* The layout, a function of (values per commitment, masks_commit, bits,
 * grind, log_ell) only: prover and verifier derive the same. */
typedef struct {
    uint32_t n_c;           /* commitments in a proof, 1 .. ZKI_LIGERO_MAX_COMMITS */
    uint32_t masks_commit;  /* the commitment that carries the mask rows */
    uint32_t bits;          /* target soundness (zkinfer: 100) */
    uint32_t grind;         /* proof-of-work bits before the queries (zkinfer: 16) */
    uint64_t values[ZKI_LIGERO_MAX_COMMITS]; /* witness values per commitment */
    uint64_t rows[ZKI_LIGERO_MAX_COMMITS];   /* data K-rows: ceil(values / ell) */
    uint64_t height[ZKI_LIGERO_MAX_COMMITS]; /* base rows in a column: 2 rows (+ 6 masks) */
    uint32_t log_ell;
    uint64_t ell;           /* values per K-row, 2^log_ell */
    uint64_t h;             /* random coefficients per data row (>= queries) */
    uint64_t k;             /* ell + h: coefficients of a data row */
    uint64_t m;             /* 2k - 1: coefficients of w, q, s and of a mask row */
    uint32_t log_d;
    uint64_t d;             /* code length D, the least power of two >= 4k */
    uint32_t queries;       /* t: least t with (1/2 + k/D)^t <= 2^-(bits + 1 - grind) */
} zki_ligero_shape;

typedef struct zki_ligero_prover zki_ligero_prover;

/* Quadratic constraint: K-rows x, y, z of commitment `commit`. */
typedef struct {
    uint32_t commit;
    uint64_t x, y, z;
} zki_ligero_triple;

/* Opened columns of one commitment. */
typedef struct {
    zki_fe *cols;       /* n_cols * height entries, column after column */
    uint8_t *salts;     /* n_cols * 32 */
    uint32_t n_nodes;   /* Merkle multi-proof: siblings, level by level, bottom up */
    zki_digest *nodes;
} zki_ligero_opening;

typedef struct {
    uint32_t n_c;
    uint64_t m;         /* coefficients of w, q and s (2k - 1) */
    zki_ext *w;         /* proximity combination */
    zki_ext *q;         /* linear combination */
    zki_ext *s;         /* quadratic combination; NULL when the proof has no triples */
    uint64_t nonce;     /* proof of work (0 when grind is 0) */
    uint32_t n_cols;    /* distinct queried columns, in increasing order */
    zki_ligero_opening open[ZKI_LIGERO_MAX_COMMITS];
} zki_ligero_proof;

/* TEST-ONLY (0 outside tests): when set, zki_ligero_prove does not refuse a
 * witness that violates the statement, so tests can hand the verifier a
 * false proof made by the real prover. */
extern int zki_ligero_test_false;

/* Derives the shape.
 * Returns: ZKI_OK; ZKI_ERR_INPUT (a count, index or parameter out of range).
 * Args:    n_c:          commitments in a proof, 1 .. ZKI_LIGERO_MAX_COMMITS.
 *          values:       n_c witness lengths, each 1 .. ZKI_LIGERO_MAX_VALUES.
 *          masks_commit: the commitment carrying the mask rows (< n_c;
 *                        zkinfer: the last committed).
 *          bits:         soundness target, 1 .. 256 (zkinfer: 100).
 *          grind:        proof-of-work bits, 0 .. 30 and < bits + 1 (zkinfer: 16).
 *          log_ell:      row width 2^log_ell, 1 .. 20; 0 = automatic: the
 *                        width in 2^6 .. 2^14 with the fewest estimated proof
 *                        bytes (docs/ligero.md, "Row width").
 * Out:     s: the shape (plain data, nothing to free). */
zki_status zki_ligero_shape_init(zki_ligero_shape *s, uint32_t n_c, const uint64_t *values,
                                 uint32_t masks_commit, uint32_t bits, uint32_t grind,
                                 uint32_t log_ell);

/* Commits the witness of commitment c.
 * Returns: ZKI_OK; ZKI_ERR_INPUT (c >= n_c, n > rows[c] * ell, a NULL
 *          pointer, a non-canonical value); ZKI_ERR_NOMEM;
 *          ZKI_ERR_UNSUPPORTED (no OS entropy when seed is NULL).
 * Args:    s:      the shape (copied).
 *          c:      this commitment's index in the proof; it carries the mask
 *                  rows when c == s->masks_commit.
 *          values: n canonical values, n <= rows[c] * ell (copied; may be
 *                  NULL when n is 0); the witness is zero past them.
 *          seed:   32 bytes from which every random coefficient and salt is
 *                  derived (with c: two commitments with one seed still get
 *                  independent randomness); NULL = OS entropy.
 * Out:     out:  the prover state (free with zki_ligero_prover_free); NULL on
 *                failure.
 *          root: the Merkle root to send (the caller absorbs it). */
zki_status zki_ligero_commit(zki_ligero_prover **out, const zki_ligero_shape *s, uint32_t c,
                             const zki_ext *values, uint64_t n, const uint8_t *seed,
                             zki_digest *root);

/* Frees a prover state; NULL is allowed. */
void zki_ligero_prover_free(zki_ligero_prover *pr);

/* Moves a committed prover to shape s as commitment c, for a caller that
 * commits some vectors before the last one's length is known (zkinfer: the
 * pads at the start of a proof, the products at its end, under a fixed
 * log_ell). The commitment itself is unchanged, so s must give it exactly
 * the layout it was made with: the same ell, h, k, D, t, bits and grind,
 * and commitment c the same rows and height (in particular the mask rows
 * stay where they were).
 * Returns: ZKI_OK; ZKI_ERR_INPUT (s invalid, c >= s->n_c, a layout that
 *          differs, a prover that has made its proof). */
zki_status zki_ligero_prover_reshape(zki_ligero_prover *pr, const zki_ligero_shape *s, uint32_t c);

/* Proves the statement (a, b, triples) on the witnesses of prs.
 * Returns: ZKI_OK; ZKI_ERR_INPUT (arguments that do not fit the shape, a
 *          prover of another shape or index, a witness that violates the
 *          statement -- unless zki_ligero_test_false); ZKI_ERR_NOMEM.
 * Args:    ts:    the transcript, with the roots absorbed when they were
 *                 sent; this call absorbs the shape, the roots again, the
 *                 triples (as a digest), a, b and every message it sends.
 *          prs:   n_c provers, prs[c] made with index c, all of one shape.
 *          a:     n_c vectors, a[c] of rows_c * ell canonical values.
 *          b:     the right-hand side.
 *          tri:   n_tri triples (may be NULL when n_tri is 0).
 * Out:     proof: filled (free with zki_ligero_proof_free); zeroed on failure.
 * A prover state serves one proof: a proof reveals t columns of every
 * commitment, and the h random coefficients of a row hide only h of them
 * (docs/ligero.md, "Zero knowledge"). A second call on a prover that has
 * made a proof fails with ZKI_ERR_INPUT; commit afresh instead. */
zki_status zki_ligero_prove(zki_transcript *ts, zki_ligero_prover *const *prs, uint32_t n_c,
                            const zki_ext *const *a, zki_ext b, const zki_ligero_triple *tri,
                            uint64_t n_tri, zki_ligero_proof *proof);

/* Verifies a proof against the roots and the statement.
 * Returns: ZKI_OK; ZKI_ERR_VERIFY (rejected: the message names the failed
 *          check); ZKI_ERR_INPUT (arguments that do not fit the shape);
 *          ZKI_ERR_NOMEM.
 * Args:    ts:    the transcript in the prover's state (roots absorbed).
 *          s:     the shape; roots: n_c roots; a, b, tri, n_tri as for prove.
 *          proof: as parsed by zki_ligero_proof_from_bytes (or the prover's). */
zki_status zki_ligero_verify(zki_transcript *ts, const zki_ligero_shape *s,
                             const zki_digest *roots, uint32_t n_c, const zki_ext *const *a,
                             zki_ext b, const zki_ligero_triple *tri, uint64_t n_tri,
                             const zki_ligero_proof *proof);

/* Frees the proof's arrays and zeroes it; NULL is allowed. */
void zki_ligero_proof_free(zki_ligero_proof *p);

/* Bytes of a proof of shape s with n_tri triples: of p exactly when p is
 * given (what zki_ligero_proof_to_bytes writes), else the most any such proof
 * takes (every query distinct, the largest Merkle multi-proof). 0 when p does
 * not fit s. */
size_t zki_ligero_proof_bytes(const zki_ligero_shape *s, uint64_t n_tri,
                              const zki_ligero_proof *p);

/* Serialisation (docs/ligero.md, "Proof format"): little-endian, versioned.
 * to_bytes: *out malloc'ed (free()), ZKI_ERR_INPUT when p does not fit s.
 * from_bytes: every count derived from (s, n_tri) or bounded by it and
 * checked against the bytes left before anything is allocated; canonical
 * field elements; no trailing bytes. ZKI_ERR_INPUT on any violation (p
 * zeroed). */
zki_status zki_ligero_proof_to_bytes(const zki_ligero_shape *s, uint64_t n_tri,
                                     const zki_ligero_proof *p, uint8_t **out, size_t *len);
zki_status zki_ligero_proof_from_bytes(const zki_ligero_shape *s, uint64_t n_tri,
                                       zki_ligero_proof *p, const uint8_t *in, size_t len);

#endif
