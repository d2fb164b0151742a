/* GKR for fractional sums (LogUp-GKR, Papini and Haboeck, ePrint 2023/1284).
 *
 * Leaves are 2^n fractions p[x]/q[x] (extension entries). Layer n is the
 * leaves; layer j < n has 2^j entries built from the two halves of layer
 * j+1 (split on its MOST significant variable, so halves are contiguous):
 *     p_j[i] = p0[i] q1[i] + p1[i] q0[i],   q_j[i] = q0[i] q1[i],
 *     p0 = p_{j+1}[i], p1 = p_{j+1}[i + 2^j] (same for q).
 * The root (layer 0) is sum_x p[x]/q[x] as one fraction.
 *
 * Layer step j -> j+1: from claims p_j(r) = P, q_j(r) = Q (r has j coords)
 * the prover runs a degree-3 sum-check (j rounds, same message convention
 * as src/sumcheck: values at 0, 2, 3; value at 1 implied) of
 *     P + lambda Q = sum_x eq(r, x) [p0 q1 + p1 q0 + lambda q0 q1](x)
 * (eq split off per round, Gruen), then sends p0, p1, q0, q1 at the point s.
 * A challenge mu gives the claims on layer j+1 at (s, mu), mu being its
 * most significant coordinate.
 *
 * Transcript: root p, q absorbed; per layer j: lambda drawn, each round
 * message absorbed then its challenge drawn, the four values absorbed,
 * mu drawn. Zero knowledge (the transcript has a zk context, src/zk/zk.h):
 * the roots, every round value and every layer value are computed from the
 * leaves, so each is sent padded (zki_zk_send) in that order; the proof
 * holds the padded values, the prover returns the true ones, and the
 * verifier's layer checks become constraints on private values (two
 * products each). No vec.h or PCS dependencies (built in the tiny field
 * too). */
#ifndef ZKI_LOOKUP_GKR_FRAC_H
#define ZKI_LOOKUP_GKR_FRAC_H

#include "field/field.h"
#include "transcript/transcript.h"
#include "zk/zk.h"

#define ZKI_FRAC_MAX_VARS 40

typedef struct {
    size_t nvars;      /* n >= 1 */
    zki_ext root_p, root_q;
    zki_ext *msgs;     /* 3 * n(n-1)/2: layer j's rounds at msgs[3*j(j-1)/2 ..] */
    zki_ext *evals;    /* 4 * n: layer j's p0, p1, q0, q1 at evals[4j ..] */
} zki_frac_proof;

void zki_frac_proof_free(zki_frac_proof *pf);
/* Bytes of the proof's field elements (16 per extension element). */
size_t zki_frac_proof_size(const zki_frac_proof *pf);

/* The prover's true values: the root's fraction and the leaves' p, q at
 * the leaf point (the proof holds the padded root in a zero-knowledge
 * proof). */
typedef struct {
    zki_ext root_p, root_q, p, q;
} zki_frac_evals;
/* The verifier's values, private in a zero-knowledge proof. */
typedef struct {
    zki_pv root_p, root_q, p, q;
} zki_frac_claims;

/* Proves the fraction sum of the 2^n leaves. Outputs the leaf point (n
 * coords) and the true values *ev. ZKI_ERR_INPUT if some q[x] is zero. */
zki_status zki_frac_prove(const zki_ext *p, const zki_ext *q, size_t n, zki_transcript *t,
                          zki_frac_proof *pf, zki_ext *point, zki_frac_evals *ev);
/* Leaves computed when read, so that nothing leaf-sized is stored (the
 * lookup prover derives them from its sites). fill writes leaves i .. i +
 * n - 1: numerators p (base field: lookup leaves are -1, 0, m) and
 * denominators q. It is called from several threads at once, on disjoint
 * ranges, and asked for each leaf three times: for layer n - 1, then for the
 * first round and the first bind of the last layer step. */
typedef struct {
    void (*fill)(const void *ctx, size_t i, size_t n, zki_fe *p, zki_ext *q);
    const void *ctx;
} zki_frac_leaves;

/* The same proof with the leaves from lv. work: zki_frac_work_len(n)
 * entries the proof may overwrite (a caller proving several trees reuses
 * one block: fresh pages cost a fault and a zeroing each), or NULL.
 * ZKI_ERR_INPUT naming the first leaf whose q is zero. */
zki_status zki_frac_prove_leaves(const zki_frac_leaves *lv, size_t n, zki_transcript *t,
                                 zki_frac_proof *pf, zki_ext *point, zki_frac_evals *ev, zki_ext *work);
/* The same from arrays of base-field numerators p and denominators q. */
zki_status zki_frac_prove_base(const zki_fe *p, const zki_ext *q, size_t n, zki_transcript *t,
                               zki_frac_proof *pf, zki_ext *point, zki_frac_evals *ev, zki_ext *work);
/* Extension elements of the prover's layers and work space for n
 * variables: 2^(n+1) (the leaves are not among them). */
size_t zki_frac_work_len(size_t n);

/* Replays the proof. On success the caller must check out->root_p,
 * out->root_q (e.g. root_p == 0, root_q != 0) and that the leaves' p, q at
 * *point equal out->p, out->q. ZKI_ERR_VERIFY if a layer check fails (all
 * values public); with private values the layer checks are constraints. */
zki_status zki_frac_verify(size_t n, const zki_frac_proof *pf, zki_transcript *t,
                           zki_ext *point, zki_frac_claims *out);

/* Sends n private values v (the prover's true values) under one label:
 * padded one by one with t->zk set, else absorbed as one vector (the plain
 * transcript). out (n entries, may be v) receives what the proof holds. */
void zki_frac_send_vec(zki_transcript *t, const char *label, const zki_ext *v, zki_ext *out, size_t n);
/* The verifier's side: reads the n values s of the proof as private values. */
void zki_frac_recv_vec(zki_transcript *t, const char *label, const zki_ext *s, zki_pv *out, size_t n);

/* ---- one layer step, round by round (exhaustive tests) ------------------- */

typedef struct zki_frac_layer zki_frac_layer;

/* Layer j+1 given by p, q of 2^(j+1) entries (borrowed until free); claim
 * point r (j coords), batching challenge lambda. */
zki_status zki_frac_layer_new(zki_frac_layer **out, const zki_ext *p, const zki_ext *q, size_t j,
                              const zki_ext *r, zki_ext lambda);
void zki_frac_layer_free(zki_frac_layer *L);
/* The current round's message g(0), g(2), g(3). */
void zki_frac_layer_round(zki_frac_layer *L, zki_ext msg[3]);
void zki_frac_layer_bind(zki_frac_layer *L, zki_ext c);
/* After j rounds: p0, p1, q0, q1 at the bound point. */
void zki_frac_layer_final(const zki_frac_layer *L, zki_ext ev[4]);
/* Verifier's end-of-layer check: ZKI_OK iff
 * final_claim == eq(r, s) [p0 q1 + p1 q0 + lambda q0 q1]. */
zki_status zki_frac_layer_check(const zki_ext *r, const zki_ext *s, size_t j, zki_ext lambda,
                                const zki_ext ev[4], zki_ext final_claim);

#endif
