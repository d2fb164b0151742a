/* Greedy generation: the argmax check on a hidden output (docs/protocol.md,
 * "Generation").
 *
 * Statement: a language model's output Y [T][V] (logits, dense, one
 * sample) is hidden, and for every row t in [P - 1, P + N - 1) the public
 * input's next id s_t = x[t + 1] is the FIRST index of the row's largest
 * value. With [j < s] the indicator,
 *     D[t][j] = Y[t][s_t] - Y[t][j] - [j < s_t]   (j < V, t a checked row)
 * is >= 0 exactly then; D is 0 in every other row and in the padding. The
 * prover commits D (advice) and range-checks it in [0, 2^16) (the model's
 * range lookup); since |Y| < 2^15 (out_bits <= 16) the integer D cannot
 * wrap mod p. At a transcript point r drawn after the advice commitment:
 *     D~(r) + sum_t sum_{j < s_t} eq(r, tV + j) = sum_i Y[i] G_r[i],
 *     G_r[i] = E_t(r) [i = tV + s_t] - eq(r, i)   (i in a checked row t),
 * E_t(r) = sum_{j < V} eq(r, tV + j). One degree-2 sum-check over the
 * output's variables reduces it to Y~(rho), a claim on the output handed
 * to the walk; the verifier computes G_r~(rho) and the left side from
 * interval sums of eq in O(T log(TV)), never a table of the output's size.
 * Proof: D~(r), the sum-check, Y~(rho). */
#ifndef ZKI_PROTOCOL_ARGMAX_H
#define ZKI_PROTOCOL_ARGMAX_H

#include "protocol/gadget.h"

/* The DAG a proof is walked over: the key's DAG d itself (a shallow copy)
 * for a plain proof; for a generation proof (gen) its view, with the
 * output hidden and, when d's last node only transposes the head's map
 * [V][T][1] into the logits [1, T, V] (a token Linear's move back),
 * gen_skip set: that node is then not proven and the argmax reads the map
 * at v 2^lt + t (lt = log2 of T padded), where eq(r, .) factors into a
 * position part and a vocabulary part, so the verifier never sums over
 * the 2^23 entries of GPT-2's logits. */
void zki_argmax_view(const zki_dag *d, int gen, zki_dag *dv);
/* Tests: 1 makes zki_argmax_view keep the output's row layout (gen_skip 0)
 * for every model, so that path stays proven end to end. */
extern int zki_argmax_test_rows;
/* The tensor the argmax reads in a view: the map (gen_skip) or the output. */
uint32_t zki_argmax_tensor(const zki_dag *d);

/* Whether the key's model can be proven with a hidden output and an argmax
 * check: a dense output of rank 2 or 3 ([1,] T, V), at most 16 bits, token
 * ids as input [1, T] (or [T]). ZKI_ERR_UNSUPPORTED naming what is not. */
zki_status zki_argmax_model_check(const zki_dag *d, uint32_t *T, uint32_t *V);

/* The model check, then the statement's own: 1 <= P, 1 <= N, P + N <= T;
 * *T and *V as zki_argmax_model_check sets them. */
zki_status zki_argmax_span_check(const zki_dag *d, uint32_t P, uint32_t N, uint32_t *T, uint32_t *V);

/* The margins D [2^log_len(out)] of the output Y (padded [2^log_len]) for
 * rows [P-1, P+N-1) and ids x (malloc'ed). ZKI_ERR_INPUT naming the first
 * position whose id is not its row's first argmax, unless `any` (tests:
 * the cheating prover's D; 1: as it is, negative entries wrapping mod p;
 * 2: negative entries replaced by 0, in range but not the logits'). */
zki_status zki_argmax_margins(const zki_dag *d, const int64_t *Y, const int64_t *x, uint32_t P, uint32_t N, int any,
                              int64_t **D);

/* Prover: after the lookups, before the walk. Y the output padded, x the
 * ids; claims on D (advice) and on the output (zki_walk_claim) are made. */
zki_status zki_argmax_prove(zki_walk *w, const int64_t *Y, const int64_t *D, uint32_t P, uint32_t N,
                            zki_sc_proof *sc, zki_ext *d_r, zki_ext *y_rho);
zki_status zki_argmax_verify(zki_walk *w, uint32_t P, uint32_t N, const zki_sc_proof *sc, zki_ext d_r,
                             zki_ext y_rho);

#endif
