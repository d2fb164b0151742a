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
#include "zk/zk.h"

typedef struct zki_zk_prover_session zki_zk_prover_session;

/* Two lengths of a proof of this DAG, batch and lookups, either pointer
 * may be NULL:
 * - *first, chunk 0's length: the private values the proof sends (the node
 *   shapes' values and round messages, the lookup proofs' values), with
 *   room for the openings' few. A proof that needs more opens later chunks
 *   (4096 pads, then 4x each): correct, but each costs a Ligero
 *   commitment's opening.
 * - *est, E: the key's measure of a proof's zero-knowledge work, on which
 *   the verifier's caps stand (zki_zk_key_caps): the node values plus the
 *   lookups' verifier state in 16-byte units, plus 256; at least *first. */
void zki_zk_lengths(const zki_dag *a, uint32_t B, const zki_model_lookups *mlk, uint64_t *est, uint64_t *first);

/* The estimate and chunk 0's length from the key alone, for the proof's
 * view a (the key's DAG or a generation proof's, zki_argmax_view), batch
 * and input kind: what the walk caps and opens. */
zki_status zki_zk_key_estimate(const zki_dag *a, uint32_t B, int priv, uint64_t *est, uint64_t *first);
/* Verifier and replay, before the walk's first padded value: the caps of
 * estimate est (zki_zk_key_caps; divided by zki_zk_test_cap_div in tests)
 * and chunk 0's length first, both functions of the key, the proof's view,
 * batch and input kind. */
void zki_zk_walk_limits(zki_zk *z, uint64_t est, uint64_t first);
/* The key's bound on what the walk of a proof with estimate est holds
 * (its tape, constraints, products and pads): the verifier's caps, and
 * the prover replay's (an honest proof past them is a bug). */
void zki_zk_key_caps(uint64_t est, zki_zk_sizes *caps);
/* Adds what verifying the zero-knowledge part of such a proof may cost
 * at those caps: the tape, the batched equation and statement, the final
 * argument (parsed, and as bytes) and its verify at the Ligero shape the
 * caps allow (docs/security.md, "Verifier cost"). */
zki_status zki_zk_verify_cost(const zki_vk *vk, uint64_t est, uint64_t first, uint64_t *ops, uint64_t *bytes);
/* TEST-ONLY (0 outside tests): the verifier (and a prover's replay)
 * divides its caps by this (when > 1), so a test can see an honest proof
 * refused at the bound. */
extern uint32_t zki_zk_test_cap_div;

/* TEST/BENCH-ONLY: what the calling thread's last zki_zk_verify held: its
 * walk's sizes and caps, the key's estimate and chunk 0's length, its
 * tape's bytes, and those with the statement, the batched equation and
 * the final argument (bytes and parsed) as sized. */
typedef struct {
    zki_zk_sizes held, caps;
    uint64_t est, first_len, tape_bytes, bytes;
    uint64_t used;     /* pads the walk used */
    uint32_t n_chunks; /* pad chunks opened */
} zki_zk_verify_stats;
extern _Thread_local zki_zk_verify_stats zki_zk_last_verify;

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
