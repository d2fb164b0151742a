/* A zero-knowledge proof's pads and final argument (docs/zk.md), on the
 * protocol floor: the pad chunks committed (prover) or read (verifier) as
 * the walk needs them, the product values committed after the walk, and
 * the Ligero argument (src/ligero/) that the pads and products satisfy the
 * verifier's batched equation.
 *
 * Prover: zki_zk_prover_begin before the first private value (after the
 * statement is bound), zki_zk_prover_finish after the opening: it replays
 * the verifier's walk on the proof with the pads known, commits the
 * products and proves the equation. Verifier: zki_zk_verify does the walk
 * on a zk context and checks the argument. */
#ifndef ZKI_PROTOCOL_ZK_SESSION_H
#define ZKI_PROTOCOL_ZK_SESSION_H

#include "protocol/proof.h"

typedef struct zki_zk_prover_session zki_zk_prover_session;

/* The chunk estimate: the private values a proof of this DAG, batch and
 * lookups sends (node shapes and lookup proofs; the openings' few values
 * go to later chunks). */
uint64_t zki_zk_estimate(const zki_dag *a, uint32_t B, const zki_model_lookups *mlk);

/* Starts the prover's pads; *ctx is the context to attach to the
 * transcript (ts->zk) once the statement is bound. seed: 32 bytes, NULL
 * for OS entropy (products' and argument's randomness derive from it).
 * The session keeps pf to record the chunk roots. */
zki_status zki_zk_prover_begin(zki_zk_prover_session **out, const zki_vk *vk, zki_proof *pf, const uint8_t *seed,
                               zki_zk **ctx);
/* After the opening: replays the verifier on pf (X, B as for verify),
 * commits the products, proves the batched equation into pf. */
zki_status zki_zk_prover_finish(zki_zk_prover_session *s, const zki_vk *vk, const int64_t *X, uint32_t B,
                                zki_proof *pf);
void zki_zk_prover_session_free(zki_zk_prover_session *s);

/* Verifies a zero-knowledge proof: the walk on private values, then the
 * argument. ZKI_OK or ZKI_ERR_VERIFY with the reason. */
zki_status zki_zk_verify(const zki_vk *vk, const int64_t *X, uint32_t B, const zki_proof *pf);

#endif
