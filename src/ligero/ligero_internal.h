/* Internals shared by the Ligero prover and verifier: the prover state, the
 * transcript steps both sides replay, leaf hashing and the row layout. */
#ifndef ZKI_LIGERO_INTERNAL_H
#define ZKI_LIGERO_INTERNAL_H

#include "hash/merkle.h"
#include "ligero/ligero.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "ligero hashes field elements in memory order: little-endian hosts only"
#endif

#define ZKI_LIGERO_LEAF_TAG "zkinfer/ligero-leaf/v1"
#define ZKI_LIGERO_SALT_LEN 32
#define ZKI_LIGERO_SHIFT ZKI_GENERATOR /* coset 7 <w_D>: disjoint from H, no point is 0 */

/* Mask K-rows of the masks commitment, after its data rows (each two base
 * rows, c0 then c1; all three of degree < 2k - 1, stored as coefficients). */
enum { ZKI_LIGERO_MU = 0, ZKI_LIGERO_NU = 1, ZKI_LIGERO_NUQ = 2 };

/* First base row of mask K-row `which` in the masks commitment. */
static inline uint64_t zki_ligero_mask_row(const zki_ligero_shape *s, unsigned which)
{
    return 2 * s->rows[s->masks_commit] + 2ull * which;
}

struct zki_ligero_prover {
    zki_ligero_shape shape;
    uint32_t commit;     /* index in the proof */
    uint64_t height;     /* base rows */
    int used;            /* made its proof */
    zki_ext *vals;       /* rows * ell witness values (zero past the given ones) */
    zki_fe *coef;        /* height * m coefficients, row after row (a data row uses k) */
    zki_fe *cw;          /* codewords, column-major: cw[j * height + row] */
    uint8_t *salts;      /* D * 32 */
    zki_merkle_tree tree;
};

/* The challenges of step 1, identical on both sides. Base data rows are
 * numbered across the commitments: commitment c's base row b is off[c] + b. */
typedef struct {
    uint64_t n_data;       /* 2 * sum_c rows_c */
    uint64_t off[ZKI_LIGERO_MAX_COMMITS];
    zki_ext *gamma;        /* n_data: coefficient of each data row in w */
    zki_ext *gamma_sh;     /* n_data: coefficient of X^(k-1) times each data row */
    zki_ext gamma_mask[4]; /* nu's and nu''s base rows (the mu rows enter with 1, u) */
    zki_ext eta;           /* scales the linear combination */
    zki_ext *gamma_q;      /* one per triple */
} zki_ligero_chal;

void zki_ligero_chal_free(zki_ligero_chal *x);

/* 1 when a and b are the same layout. */
int zki_ligero_shape_eq(const zki_ligero_shape *a, const zki_ligero_shape *b);
/* ZKI_OK when s is the layout zki_ligero_shape_init derives from its own
 * parameters (at its row width), else ZKI_ERR_INPUT: every entry point checks
 * a shape it is handed before sizing anything by it. */
zki_status zki_ligero_shape_check(const zki_ligero_shape *s);

/* Checks (a, tri) against the shape: ZKI_ERR_INPUT naming the first fault. */
zki_status zki_ligero_check_args(const zki_ligero_shape *s, uint32_t n_c, const zki_ext *const *a,
                                 const zki_ligero_triple *tri, uint64_t n_tri);

/* Step 1: absorbs the shape, the roots (again: the caller absorbed each when
 * it was sent; the repeat makes the challenges bind them whatever the
 * caller did), the triples, a and b; draws the challenges. */
zki_status zki_ligero_begin(zki_transcript *ts, const zki_ligero_shape *s,
                            const zki_digest *roots, const zki_ext *const *a, zki_ext b,
                            const zki_ligero_triple *tri, uint64_t n_tri, zki_ligero_chal *x);

/* Absorbs w, q and s (when n_tri > 0). */
void zki_ligero_absorb_msgs(zki_transcript *ts, const zki_ligero_shape *s, const zki_ext *w,
                            const zki_ext *q, const zki_ext *sq, uint64_t n_tri);

/* Step 3 after the proof of work: t indices in [0, D), sorted and
 * deduplicated into *idx (malloc'ed), their number in *n. */
zki_status zki_ligero_queries(zki_transcript *ts, const zki_ligero_shape *s, uint64_t **idx,
                              uint32_t *n);

/* Leaf = SHA-256(tag || salt || column as little-endian words). */
zki_sha256_ctx *zki_ligero_leaf_base(void);
void zki_ligero_leaf(zki_sha256_ctx *ctx, const zki_sha256_ctx *base, zki_digest *out,
                     const uint8_t *salt, const zki_fe *col, uint64_t height);

/* sum_i c[i] x^i. */
zki_ext zki_ligero_horner(const zki_ext *c, uint64_t n, zki_fe x);

/* The K value of K-row r in a column: col[2r] + u col[2r + 1]. */
static inline zki_ext zki_ligero_colk(const zki_fe *col, uint64_t r)
{
    return zki_ext_make(col[2 * r], col[2 * r + 1]);
}

#endif
