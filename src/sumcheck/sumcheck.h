/* Generic sum-check: proves
 *     S = sum_{x in {0,1}^n} [eq(z, x)] * f_0(x) * ... * f_{k-1}(x)
 * for k = 1..4 multilinear tables (base or extension entries), with the
 * optional eq(z, x) factor; degree d = k (+1 with eq), at most 5.
 *
 * Variables are bound in order x_0, x_1, ... (x_0 = least significant index
 * bit, DESIGN.md). Round i sends the round polynomial p_i as its values at
 * 0, 2, 3, .., d (d field elements); p_i(1) is implied by the running claim
 * (p_i(0) + p_i(1) = claim), so the verifier checks the sum at the end.
 * When all tables are base-field the first round runs in base arithmetic.
 *
 * Transcript: the claimed sum, then each round message, are absorbed before
 * the round challenge is drawn. Zero knowledge (the transcript has a zk
 * context, src/zk/zk.h): every message value is sent padded
 * (zki_zk_send) and the claimed sum, a function of values already
 * absorbed, is not absorbed; the proof's msgs hold the padded values. After the last round the verifier holds a
 * point r and a value v that must equal [eq(z, r)] * prod f_j(r); checking
 * that (from opened or chained claims on the f_j) is the caller's job,
 * helped by zki_sumcheck_check_final. */
#ifndef ZKI_SUMCHECK_H
#define ZKI_SUMCHECK_H

#include "field/field.h"
#include "transcript/transcript.h"
#include "zk/zk.h"

#define ZKI_SC_MAX_TABLES 4
#define ZKI_SC_MAX_DEGREE 5

typedef struct {
    size_t nvars;
    unsigned n_tables; /* 1 .. ZKI_SC_MAX_TABLES */
    /* Table j has 2^nvars entries, given either in base (base[j]) or in the
     * extension (ext[j]); exactly one of the two is non-NULL. Not modified. */
    const zki_fe *base[ZKI_SC_MAX_TABLES];
    const zki_ext *ext[ZKI_SC_MAX_TABLES];
    const zki_ext *eq_point; /* nvars coordinates, or NULL for no eq factor */
} zki_sc_instance;

typedef struct {
    size_t nvars;
    unsigned degree;
    zki_ext *msgs; /* nvars * degree values: round i at msgs[i*degree ..] */
} zki_sc_proof;

unsigned zki_sc_degree(const zki_sc_instance *inst);
void zki_sc_proof_free(zki_sc_proof *p);

/* The hypercube sum S of the instance (what an honest prover claims). */
zki_ext zki_sc_sum(const zki_sc_instance *inst);

/* Proves that the instance sums to claimed_sum. Outputs the proof, the
 * challenge point (nvars entries) and each table's value at that point
 * (n_tables entries). A false claim is refused (ZKI_ERR_INPUT), unless
 * zki_sumcheck_test_false_claims is set: TEST-ONLY (0 outside tests, see
 * prover/seam.h), it lets an attack test force out the proof of a false
 * claim, which the verifier must reject. */
extern int zki_sumcheck_test_false_claims;
zki_status zki_sumcheck_prove(const zki_sc_instance *inst, zki_ext claimed_sum,
                              zki_transcript *t, zki_sc_proof *proof, zki_ext *point,
                              zki_ext *table_evals);

/* Replays the rounds. ZKI_ERR_INPUT if the proof's shape is not (nvars,
 * degree). On success *point holds r and *final_value the value the
 * [eq *] product of the tables must take at r. */
zki_status zki_sumcheck_verify(size_t nvars, unsigned degree, zki_ext claimed_sum,
                               const zki_sc_proof *proof, zki_transcript *t, zki_ext *point,
                               zki_ext *final_value);

/* ZKI_OK if final_value == [eq(eq_point, point)] * prod table_evals[j],
 * else ZKI_ERR_VERIFY. eq_point may be NULL. */
zki_status zki_sumcheck_check_final(const zki_ext *eq_point, const zki_ext *point,
                                    size_t nvars, const zki_ext *table_evals,
                                    unsigned n_tables, zki_ext final_value);

/* ---- round-level interface (exhaustive tests, custom protocols) ------- */

typedef struct zki_sc_prover zki_sc_prover;

zki_status zki_sc_prover_new(zki_sc_prover **out, const zki_sc_instance *inst);
void zki_sc_prover_free(zki_sc_prover *p);
/* The current round's message: degree values p(0), p(2), .., p(d). */
void zki_sc_prover_round(zki_sc_prover *p, zki_ext *msg);
/* Binds the current lowest variable to r. */
void zki_sc_prover_bind(zki_sc_prover *p, zki_ext r);
/* After all rounds: each table's value at the bound point. */
void zki_sc_prover_final(const zki_sc_prover *p, zki_ext *table_evals);

/* Verifier step: with p(1) = claim - p(0), interpolate p through 0..d and
 * return p(r), the claim for the next round. */
zki_ext zki_sc_next_claim(zki_ext claim, const zki_ext *msg, unsigned degree, zki_ext r);
/* The same as weights: p(r) = w[0] claim + sum_{i < degree} w[i + 1] msg[i]
 * (degree + 1 entries). */
void zki_sc_next_weights(unsigned degree, zki_ext r, zki_ext *w);

/* ---- private values (src/zk/zk.h) ------------------------------------ */

/* zki_sumcheck_verify for a claimed sum that may be private: reads each
 * round value with zki_zk_recv (padded with t->zk set; public otherwise,
 * with the same transcript as zki_sumcheck_verify) and returns the final
 * value as a private value. */
zki_status zki_sumcheck_verify_pv(size_t nvars, unsigned degree, zki_pv claimed_sum,
                                  const zki_sc_proof *proof, zki_transcript *t, zki_ext *point,
                                  zki_pv *final_value);
/* Records final_value == [eq(eq_point, point)] * prod table_evals[j]:
 * ZKI_ERR_VERIFY at once when everything is public and it fails. */
zki_status zki_sumcheck_check_final_pv(const zki_ext *eq_point, const zki_ext *point, size_t nvars,
                                       const zki_pv *table_evals, unsigned n_tables,
                                       zki_pv final_value, zki_transcript *t);

#endif
