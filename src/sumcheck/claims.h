/* Claim reduction and the claim ledger.
 *
 * Reduction: k claims f(r_j) = v_j on one table f (2^n entries) become one
 * claim f(rho) = v. Both sides absorb the claims (their points only in a
 * zero-knowledge proof, whose values are bound already), draw alpha_j, and run the
 * degree-2 sum-check of
 *     sum_x f(x) * g(x) = sum_j alpha_j v_j,  g(x) = sum_j alpha_j eq(r_j, x).
 * The prover sends f(rho) (absorbed; padded in a zero-knowledge proof); the
 * verifier computes g(rho) itself. With k = 1 the claim passes through
 * unchanged and the proof repeats its value (0 in a zero-knowledge proof).
 *
 * Ledger: the list of (tensor id, point, value) claims a proof accumulates;
 * claims on one tensor are merged with the reduction above so each
 * committed tensor is opened at one point. */
#ifndef ZKI_SUMCHECK_CLAIMS_H
#define ZKI_SUMCHECK_CLAIMS_H

#include "sumcheck/sumcheck.h"

typedef struct {
    size_t nvars;
    zki_sc_proof sc;   /* empty when k = 1 */
    zki_ext f_at_rho;  /* the reduced claim's value */
} zki_claim_reduction_proof;

void zki_claim_reduction_proof_free(zki_claim_reduction_proof *p);

/* Table given as base (tbase) or extension (text) entries, one non-NULL.
 * points[j] has nvars coordinates. Outputs the reduced point (nvars) and
 * value. */
zki_status zki_claims_reduce_prove(const zki_fe *tbase, const zki_ext *text, size_t nvars,
                                   const zki_ext *const *points, const zki_ext *values,
                                   size_t k, zki_transcript *t,
                                   zki_claim_reduction_proof *proof, zki_ext *out_point,
                                   zki_ext *out_value);

/* ZKI_ERR_VERIFY if the proof does not reduce these claims; otherwise the
 * reduced claim f(out_point) = *out_value, still to be checked. Plain
 * proofs only (no zk context on t). */
zki_status zki_claims_reduce_verify(size_t nvars, const zki_ext *const *points,
                                    const zki_ext *values, size_t k,
                                    const zki_claim_reduction_proof *proof, zki_transcript *t,
                                    zki_ext *out_point, zki_ext *out_value);

/* The same for claim values that may be private (src/zk/zk.h): the check
 * becomes a constraint in a zero-knowledge proof. */
zki_status zki_claims_reduce_verify_pv(size_t nvars, const zki_ext *const *points,
                                       const zki_pv *values, size_t k,
                                       const zki_claim_reduction_proof *proof, zki_transcript *t,
                                       zki_ext *out_point, zki_pv *out_value);

/* ---- ledger --------------------------------------------------------- */

typedef struct {
    uint32_t tensor;
    size_t nvars;
    zki_ext *point; /* owned, nvars entries */
    zki_ext value;  /* the prover's value; the verifier's known part */
    uint32_t form;  /* the verifier's form (zki_pv); 0: public */
} zki_claim;

static inline zki_pv zki_claim_pv(const zki_claim *c)
{
    zki_pv v = {c->value, c->form};
    return v;
}

typedef struct {
    zki_claim *items;
    size_t n, cap;
} zki_ledger;

void zki_ledger_init(zki_ledger *l);
void zki_ledger_free(zki_ledger *l);
/* Copies the point. ZKI_ERR_INPUT if the tensor already has claims with a
 * different number of variables. */
zki_status zki_ledger_add(zki_ledger *l, uint32_t tensor, const zki_ext *point, size_t nvars,
                          zki_ext value);
/* A claim whose value may be private (verifier). */
zki_status zki_ledger_add_pv(zki_ledger *l, uint32_t tensor, const zki_ext *point, size_t nvars,
                             zki_pv value);
size_t zki_ledger_count(const zki_ledger *l, uint32_t tensor);

/* Replaces all claims on `tensor` by one reduced claim (prover side; the
 * tensor's table given as base or extension entries). */
zki_status zki_ledger_reduce_prove(zki_ledger *l, uint32_t tensor, const zki_fe *tbase,
                                   const zki_ext *text, zki_transcript *t,
                                   zki_claim_reduction_proof *proof);
/* Verifier mirror. */
zki_status zki_ledger_reduce_verify(zki_ledger *l, uint32_t tensor,
                                    const zki_claim_reduction_proof *proof, zki_transcript *t);
/* The single claim left on `tensor` after reduction, or NULL. */
const zki_claim *zki_ledger_get(const zki_ledger *l, uint32_t tensor);

#endif
