/* Embedding lookup (the GATHER gadget, protocol/gadget_gather.c): rows of
 * a table W [V][D], stored [V][2^ld] (int8 or int16, zero padded), picked
 * by ids [B][stride] (the first T of each row, all in [0, V)):
 *     y[b][t*D + d] = W[ids[b][t]][d],  y [B][2^lo] zero at o >= T*D.
 *
 * Relation: a claim y~(r_o, r_b) = v (lo then lb coordinates) is
 *     v = sum_{v', d} W(v', d) m(v', d),
 *     m(v', d) = sum_{(b, t): ids[b][t] = v'} eq(r_b, b) eq(r_o, t*D + d)   (d < D),
 * proven by one degree-2 sum-check over the table's variables, d's ld then
 * v's lv (its committed layout). At its point rho the prover's a = W~(rho)
 * is a claim on the table, and the verifier computes m~(rho) itself from
 * the ids (zki_gather_m_eval):
 *     m~(rho) = sum_{b, t} eq(r_b, b) eq(rho_v, ids[b][t]) S_t,
 *     S_t = sum_{d < D} eq(rho_d, d) eq(r_o, t*D + d),
 * O(T*D + B*T*lv), the output point's eq as two tables of 2^(lo/2).
 * The prover runs the ld rounds on the rows the ids name (m is zero on the
 * others, and binding d keeps rows apart), then the lv rounds on
 * W~(rho_d, v') for every v' (one pass over the table).
 * Transcript: the sum-check, then a. In a zero-knowledge proof
 * (src/zk/zk.h) a and the sum-check's messages are sent padded: the proof
 * holds the padded values, the prover keeps the true ones, and the
 * verifier's check is a constraint on private values. */
#ifndef ZKI_OPS_GATHER_H
#define ZKI_OPS_GATHER_H

#include <stdint.h>

#include "sumcheck/sumcheck.h"

typedef struct {
    uint64_t T, D, V;    /* ids per sample, row length, rows; >= 1 */
    size_t ld, lv, lo;   /* log2 of the padded D, V and output T*D */
} zki_gather_dims;

void zki_gather_dims_init(zki_gather_dims *g, uint64_t T, uint64_t D, uint64_t V);

/* m~(rho) from the ids and the output point r = (r_o, r_b). */
zki_status zki_gather_m_eval(const zki_gather_dims *g, const int64_t *ids, uint64_t stride, uint32_t B,
                             const zki_ext *r, const zki_ext *rho, zki_ext *out);

/* y [B][2^lo] (pads zeroed here). */
void zki_gather_forward(const zki_gather_dims *g, const int64_t *ids, uint64_t stride, uint32_t B, const void *W,
                        int w_bits, int64_t *y);

/* The sum-check of the claim (r, v) into sc (ld + lv rounds, degree 2;
 * the transcript of zki_sumcheck_prove), its point into rho, then
 * a = W~(rho): *a as the proof holds it, *ev its true value. A claim that
 * is not the table's rows at the ids is refused (ZKI_ERR_INPUT) unless
 * zki_sumcheck_test_false_claims is set. */
zki_status zki_gather_prove(const zki_gather_dims *g, const int64_t *ids, uint64_t stride, uint32_t B, const void *W,
                            int w_bits, const zki_ext *r, zki_ext v, zki_transcript *ts, zki_sc_proof *sc,
                            zki_ext *rho, zki_ext *a, zki_ext *ev);
/* Verifier on a claim y~(r) = v that may be private: ZKI_ERR_VERIFY unless
 * the sum-check sc and a turn it into the claim W~(rho) = *out (which the
 * caller must check; rho: ld + lv coordinates); with private values the
 * last round's check is a constraint. */
zki_status zki_gather_verify(const zki_gather_dims *g, const int64_t *ids, uint64_t stride, uint32_t B,
                             const zki_ext *r, zki_pv v, const zki_sc_proof *sc, zki_ext a, zki_transcript *ts,
                             zki_ext *rho, zki_pv *out);

#endif
