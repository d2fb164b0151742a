/* Packing many tables into one committed table, and the column reduction
 * that lets a Ligero opening serve every claim with ONE combined row.
 *
 * Pack: segments of 2^nv_i entries are placed, largest first, at offsets
 * that are multiples of their size, in one table of 2^nvars entries. The
 * multilinear extension of segment i at a point p (nv_i coordinates) is the
 * big table's at (p, bits of off_i / 2^nv_i) (0/1 coordinates), so a claim
 * on any segment is a claim on the big table.
 *
 * Column reduction: the PCS lays the big table out as rows of 2^lc entries
 * (lc low variables) and pays one combined row per distinct low point. k
 * claims big(p_j) = v_j become k claims big(rho, p_j,hi) = w_j sharing the
 * low point rho, by the degree-2 sum-check over the low variables of
 *     sum_j a_j v_j = sum_x sum_j a_j eq(p_j,lo, x) F_j(x),
 *     F_j(x) = big(x, p_j,hi) = sum_rows eq(p_j,hi, row) big[row][x]
 * (a_j drawn after the claims are absorbed). The prover then sends
 * w_j = F_j(rho); the verifier checks the last round against
 * sum_j a_j eq(p_j,lo, rho) w_j. Prover O(total + k 2^lc), proof
 * 2 lc + k extension elements. The k claims, now on the rows of one
 * column combination G(row) = big(rho, row), are then merged into one by
 * the claim reduction of sumcheck/claims.h over the row variables
 * (O(k 2^(nvars - lc))), so the PCS opens each packed table at ONE point:
 * one combined row and one pass over the table. */
#ifndef ZKI_PROTOCOL_PACK_H
#define ZKI_PROTOCOL_PACK_H

#include "pcs/pcs.h"
#include "sumcheck/claims.h"

typedef struct {
    uint32_t n_seg;
    size_t *nv;     /* per segment */
    uint64_t *off;  /* per segment */
    uint64_t total; /* sum of segment sizes */
    size_t nvars;   /* big table: log2 ceil(total) */
} zki_pack;

zki_status zki_pack_init(zki_pack *p, const size_t *nv, uint32_t n_seg);
void zki_pack_free(zki_pack *p);
/* out: nvars coordinates. */
void zki_pack_point(const zki_pack *p, uint32_t seg, const zki_ext *pt, zki_ext *out);

/* A committed big table (zero beyond len). */
typedef struct {
    zki_pcs_elem type;
    const void *data;
    uint64_t len;
} zki_big_table;

typedef struct {
    size_t lc;       /* rounds */
    zki_ext *msgs;   /* lc * 2 */
    size_t k;
    zki_ext *vals;   /* k: w_j */
} zki_colred_proof;

void zki_colred_proof_free(zki_colred_proof *p);

/* Claims: seg[j], pts[j] (nv[seg[j]] coords), vals[j]. lc: the low
 * variables (min(PCS log_cols, nvars)). On success out_points[j] (caller
 * array of k pointers) receive malloc'ed nvars-coordinate points sharing
 * their first lc coordinates rho, with values proof->vals[j]; and, when
 * row_table is not NULL, *row_table the malloc'ed table of
 * zki_pack_row_table at rho (which the reduction may need itself: pass
 * NULL when it is not wanted). In a zero-knowledge proof the round messages and the
 * values are sent padded: proof->vals holds the padded values, the prover
 * gets the true ones in vals_out (k entries, caller-allocated). */
zki_status zki_colred_prove(const zki_pack *pk, const zki_big_table *t, size_t lc, const uint32_t *seg,
                            const zki_ext *const *pts, const zki_ext *vals, size_t k,
                            zki_transcript *ts, zki_colred_proof *proof, zki_ext **out_points,
                            zki_ext **row_table, zki_ext *vals_out);
/* The verifier on claim values that may be private (src/zk/zk.h); the
 * new claims' values in vals_out (k). */
zki_status zki_colred_verify(const zki_pack *pk, size_t lc, const uint32_t *seg, const zki_ext *const *pts,
                             const zki_pv *vals, size_t k, const zki_colred_proof *proof,
                             zki_transcript *ts, zki_ext **out_points, zki_pv *vals_out);

/* G[row] = big(rho, row) for the 2^(nvars - lc) rows (malloc'ed): the
 * table the row-variable claim reduction runs on once every claim shares
 * the low point rho. */
zki_status zki_pack_row_table(const zki_big_table *t, size_t nvars, size_t lc, const zki_ext *rho,
                              zki_ext **G);

/* Direct reduction, for packed tables of at most 2^ZKI_PACK_DIRECT_MAX
 * entries: k claims on segments become ONE claim big(rho) = v through the
 * degree-2 sum-check of sum_x big(x) g(x) = sum_j a_j v_j with
 * g = sum_j a_j eq(P_j, .), built segment by segment (O(sum 2^nv_j)); the
 * sum-check is O(2^nvars) and the verifier evaluates g(rho) in
 * O(k nvars). proof->nvars = nvars, sc, f_at_rho = big(rho). */
#define ZKI_PACK_DIRECT_MAX 22
/* The rule both sides apply: direct when the table is small enough and
 * cheaper than the column reduction (2^nvars <= 4 k 2^lc). */
int zki_pack_use_direct(const zki_pack *pk, size_t k, size_t lc);
/* *value: big(rho), the true value (prover) or the private value
 * (verifier); proof->f_at_rho is padded in a zero-knowledge proof. */
zki_status zki_pack_reduce_prove(const zki_pack *pk, const zki_big_table *t, const uint32_t *seg,
                                 const zki_ext *const *pts, const zki_ext *vals, size_t k,
                                 zki_transcript *ts, zki_claim_reduction_proof *proof, zki_ext *rho,
                                 zki_ext *value);
zki_status zki_pack_reduce_verify(const zki_pack *pk, const uint32_t *seg, const zki_ext *const *pts,
                                  const zki_pv *vals, size_t k, const zki_claim_reduction_proof *proof,
                                  zki_transcript *ts, zki_ext *rho, zki_pv *value);

/* A growable list of claims on the segments of one pack (points borrowed).
 * val: the prover's values, the verifier's known parts; form: the
 * verifier's forms (zki_pv; 0 for a public value). */
typedef struct {
    size_t n, cap;
    uint32_t *seg;
    const zki_ext **pt;
    zki_ext *val;
    uint32_t *form;
} zki_seg_claims;

zki_status zki_seg_claims_add(zki_seg_claims *c, uint32_t seg, const zki_ext *pt, zki_ext val);
zki_status zki_seg_claims_add_pv(zki_seg_claims *c, uint32_t seg, const zki_ext *pt, zki_pv val);
void zki_seg_claims_free(zki_seg_claims *c);

#endif
