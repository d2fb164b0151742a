/* LogUp lookup arguments with a fractional-sum GKR (DESIGN.md sections 2, 3).
 *
 * One instance (zki_lookup) per table for a whole proof. Sites are added
 * (each a column, or a pair of columns for a mapping table, of `len`
 * entries, zero-padded to 2^k); every column is an AFFINE combination
 *     col[i] = cst + sum_j coef_j * base_j[i]
 * of base vectors, each naming the tensor it comes from. Base vectors are
 * the things that end as claims: a derived column (a requant remainder) is
 * never committed, its claim becomes claims on its bases.
 *
 * Statement: for every site and i < len, col[i] (or the pair folded as
 * in + beta * out) is a table entry. LogUp with multiplicities m:
 *     sum_sites sum_{i<len} -1/(alpha - col[i]) + sum_t m[t]/(alpha - T[t]) = 0
 * All sites and the table are leaf segments laid end to end (sorted by
 * size, aligned) and cut into power-of-two blocks after the binary digits
 * of their total, one fractional-sum GKR per block (no filler leaves; at
 * most log2(total) + 1 trees); the verifier checks the roots' fractions
 * sum to 0. Site leaves are p = -[i < len], q = alpha - col(i); table leaves
 * p = m, q = alpha - T. A site has at least 2 (padded) entries.
 *
 * Protocol / transcript order (prover and verifier alike):
 *   1. prover: zki_lookup_multiplicities -> m (2^log_size field elements);
 *      the CALLER commits m (PCS) and absorbs the commitment root;
 *   2. zki_lookup_prove / _verify: absorbs the table and site shapes, draws
 *      alpha, beta, runs the GKR, then absorbs the values at the leaf
 *      point's low coordinates rho_k of every base (per site, column, term,
 *      in order) and of m; the verifier recomputes the leaf p, q from them
 *      and the table's multilinear extension (O(log size) ranges and clamps,
 *      O(size) explicit maps) and checks root p = 0, root q != 0;
 *   3. claims are appended to the caller's ledger: base tensors at rho_k
 *      (k = site's nvars, rho the leaf point of the site's tree) and m
 *      (tensor id m_tensor given at creation) at rho_K. The caller chains
 *      the base claims to their tensors and opens m with the PCS.
 * Zero knowledge (the transcript has a zk context, src/zk/zk.h): every GKR
 * value (gkr_frac.h) and every base and m value is sent padded, one by one
 * in the same order; the proof ends with one more padded value, the
 * inverse of the product of the roots' denominators, so that "root q !=
 * 0" becomes the constraint (prod root_q) * inverse = 1. The verifier's
 * checks (the roots' fractions summing to 0, the leaves against the GKR)
 * are constraints on private values, and the claims it appends carry
 * them; the prover's ledger gets the true values.
 * Per proof O(total lookups + table size); proof O(log^2) field elements.
 *
 * Bad input: a value outside the table makes zki_lookup_multiplicities
 * return ZKI_ERR_INPUT naming the site and index. */
#ifndef ZKI_LOOKUP_H
#define ZKI_LOOKUP_H

#include "lookup/gkr_frac.h"
#include "sumcheck/claims.h"

#define ZKI_LK_MAX_TERMS 6
#define ZKI_LK_MAX_LOG_TABLE 20
/* Entries of one instance (table plus padded sites) the soundness argument
 * covers at >= 100 bits (docs/security.md, "Lookups"). */
#define ZKI_LK_MAX_ENTRIES ((uint64_t)1 << 27)

/* ---- tables -------------------------------------------------------------- */

/* CLAMP is a mapping table given by its formula, out[i] = clamp(lo + i, clo,
 * chi): nothing table-sized is stored, and its extension is evaluated in
 * O(log size), so a verifier's cost does not grow with the table. */
typedef enum { ZKI_LK_RANGE = 0, ZKI_LK_MAP = 1, ZKI_LK_CLAMP = 2 } zki_lk_kind;

typedef struct {
    zki_lk_kind kind;
    unsigned log_size; /* 2^log_size entries */
    int64_t lo;        /* RANGE: entries lo + i; MAP, CLAMP: inputs lo + i */
    int64_t *out;      /* MAP: outputs out[i] for input lo + i (owned) */
    int64_t clo, chi;  /* CLAMP: output bounds, clo <= chi */
} zki_lookup_table;

/* [lo, lo + 2^log_size), 1 <= log_size <= 32 (unsigned: lo = 0; signed k-bit:
 * lo = -2^(k-1)). */
zki_status zki_lookup_table_range(zki_lookup_table *t, unsigned log_size, int64_t lo);
/* Pairs (lo + i, out[i]), i < 2^log_size, 1 <= log_size <= ZKI_LK_MAX_LOG_TABLE.
 * out copied. Outputs must satisfy |out| < 2^62. */
zki_status zki_lookup_table_map(zki_lookup_table *t, unsigned log_size, int64_t lo,
                                const int64_t *out);
/* Pairs (lo + i, clamp(lo + i, clo, chi)), i < 2^log_size, 1 <= log_size <=
 * ZKI_LK_MAX_LOG_TABLE; |lo|, |clo|, |chi| <= 2^61. Allocates nothing. */
zki_status zki_lookup_table_clamp(zki_lookup_table *t, unsigned log_size, int64_t lo,
                                  int64_t clo, int64_t chi);
void zki_lookup_table_free(zki_lookup_table *t);
/* Columns per looked-up entry: 1 for ranges, 2 (input, output) otherwise. */
unsigned zki_lookup_table_cols(const zki_lookup_table *t);
/* Output of entry i < 2^log_size of a MAP or CLAMP table. */
int64_t zki_lookup_table_out(const zki_lookup_table *t, size_t i);
/* T(r) folded: T_in(r) + beta * T_out(r) (beta ignored for ranges); r has
 * log_size coords. Ranges and clamps O(log size) without allocating, maps
 * O(size). */
zki_ext zki_lookup_table_eval(const zki_lookup_table *t, const zki_ext *r, zki_ext beta);
/* Extension of the indicator [x < len] over k variables (r[k-1] the top
 * bit), O(k). */
zki_ext zki_lk_prefix_mle(uint64_t len, unsigned k, const zki_ext *r);

/* ---- sites ---------------------------------------------------------------- */

/* One looked-up column: cst + sum_j coef[j] * base_j. data[j] has the site's
 * len entries (prover; NULL on the verifier side). The integer value must fit
 * in (-2^62, 2^62). */
typedef struct {
    int64_t cst;
    unsigned n_terms; /* 0 .. ZKI_LK_MAX_TERMS */
    int64_t coef[ZKI_LK_MAX_TERMS];
    uint32_t tensor[ZKI_LK_MAX_TERMS];
    const int64_t *data[ZKI_LK_MAX_TERMS];
} zki_lk_col;

/* The column equal to one tensor. */
zki_lk_col zki_lk_col_plain(uint32_t tensor, const int64_t *data);

typedef struct zki_lookup zki_lookup;

/* table borrowed (must outlive the instance). m_tensor: ledger id for the
 * multiplicities. */
zki_status zki_lookup_new(zki_lookup **out, const zki_lookup_table *table, uint32_t m_tensor);
void zki_lookup_free(zki_lookup *lk);
/* n_cols = zki_lookup_table_cols(table). cols copied, data
 * borrowed until prove. name (copied) appears in error messages. */
zki_status zki_lookup_add_site(zki_lookup *lk, const char *name, size_t len,
                               const zki_lk_col *cols, unsigned n_cols);
size_t zki_lookup_n_sites(const zki_lookup *lk);

/* Lookup trees have at most 2^ZKI_LK_TREE_CAP leaves (raised to the
 * largest segment, and so that no binary digit of the total makes more
 * than 16 trees): the prover's GKR work block is 32 bytes a leaf of the
 * largest tree. A protocol constant: prover and verifier lay out the same
 * trees. ResNet-50 at 224: 2^24 -> 4 x 2^22 leaves, peak 1368 -> 1008 MiB,
 * proof +36 KB. */
#define ZKI_LK_TREE_CAP 22
/* Tests only (both sides must agree): another cap, clamped to [1, 40]. */
void zki_lookup_set_tree_cap(zki_lookup *lk, unsigned log_leaves);

/* How the PROVER reads a column's value (the verifier has no data and is
 * unaffected). INT, the default: over the integers; a value outside the
 * table (or outside (-2^62, 2^62)) is refused. FIELD (tests only, through
 * prover/seam.h): the value mod p, centred in (-p/2, p/2], as a prover that
 * follows the field relations sees it. FIELD_UNCHECKED (tests only): the
 * same, and a value still outside the table is not refused but left out of
 * the multiplicities, so a cheating witness's proof comes out (and fails
 * the verifier's LogUp sum). */
typedef enum { ZKI_LK_COLS_INT = 0, ZKI_LK_COLS_FIELD = 1, ZKI_LK_COLS_FIELD_UNCHECKED = 2 } zki_lk_cols_mode;
void zki_lookup_set_cols_mode(zki_lookup *lk, zki_lk_cols_mode mode);

/* Prover: checks every looked-up value and counts; *m (owned by lk, valid
 * until free) has 2^log_size canonical entries: commit it. */
zki_status zki_lookup_multiplicities(zki_lookup *lk, const zki_fe **m, size_t *m_len);

typedef struct {
    size_t n_trees;
    zki_frac_proof *gkr; /* n_trees GKR proofs */
    size_t n_evals;
    zki_ext *evals; /* base values per site/column/term, then m; in a
                     * zero-knowledge proof then the roots' inverse */
} zki_lookup_proof;

void zki_lookup_proof_free(zki_lookup_proof *pf);
size_t zki_lookup_proof_size(const zki_lookup_proof *pf);

/* Serialisation: version | n_trees | per tree (nvars, root_p, root_q, msgs,
 * evals) | n_evals | evals; u32 little-endian, extension elements 16 bytes.
 * *out malloc'ed. Parsing rejects truncated, oversized, non-canonical or
 * trailing bytes with ZKI_ERR_INPUT (shapes are checked again by verify). */
zki_status zki_lookup_proof_to_bytes(const zki_lookup_proof *pf, uint8_t **out, size_t *len);
zki_status zki_lookup_proof_from_bytes(zki_lookup_proof *pf, const uint8_t *in, size_t len);

zki_status zki_lookup_prove(zki_lookup *lk, zki_transcript *t, zki_lookup_proof *pf,
                            zki_ledger *ledger);
/* The same in a work block of zki_lookup_work_bytes (64-byte aligned; a
 * prover of several instances gives them one block of the largest size:
 * fresh pages cost a fault and a zeroing each). */
zki_status zki_lookup_prove_in(zki_lookup *lk, zki_transcript *t, zki_lookup_proof *pf,
                               zki_ledger *ledger, void *work);
zki_status zki_lookup_work_bytes(const zki_lookup *lk, size_t *bytes);
/* From the table and site shapes alone: the extension values a proof
 * sends (its evaluations, round messages, layer values and roots). */
zki_status zki_lookup_proof_values(const zki_lookup *lk, uint64_t *n);
/* From the table and site shapes alone: bytes of the proof (as parsed; its
 * serialised form is no larger) plus the verifier's own state for it, and
 * the verifier's ops (field operations). */
zki_status zki_lookup_verify_cost(const zki_lookup *lk, uint64_t *ops, uint64_t *bytes);
/* Same site shapes (data NULL). ZKI_ERR_VERIFY on a bad proof. */
zki_status zki_lookup_verify(zki_lookup *lk, zki_transcript *t, const zki_lookup_proof *pf,
                             zki_ledger *ledger);

#endif
