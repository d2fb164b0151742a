/* What a verification key lets a verifier spend.
 *
 * zki_vk_verifier_cost bounds, from the key and the batch alone, the
 * verifier's peak memory (bytes, the whole process) and its work (ops: field
 * operations, hashed 64-byte blocks and NTT butterflies, counted alike), for
 * public or committed input. Lookup tables cost nothing table-sized: the
 * verifier evaluates their extensions from their formulas. The terms
 * (docs/security.md, "Verifier cost"):
 *   base          16 MiB, 2^20 ops (process, transcript, fixed buffers)
 *   per layer     32 KiB, 2^16 ops (its sum-check proofs, points, claims,
 *                 table evaluations), plus L ops per layer (the mapping
 *                 instances' dedup), plus its gadget's verify_cost: the
 *                 ops of every node, the bytes of the largest (each
 *                 gadget frees its buffers before the next node)
 *   lookups       per instance, from its table and site shapes
 *                 (zki_lookup_verify_cost): twice its proof (parsed, and as
 *                 bytes: 16 (3 n(n-1)/2 + 4 n + 2) per tree of n variables
 *                 plus 16 per carried value) and the verifier's state;
 *                 32 n^2 ops per tree
 *   input/output  8 (3 B in + 3 B out) + 16 B' (2^lk0 + 2^lnL) bytes, with
 *                 B' = 2^ceil(log2 B), lk0 / lnL the padded log sizes of
 *                 layer 0's input and the last layer's output; as many ops
 *   per opened commitment (the key's weights; the advice at the parameters
 *                 the key fixes, zki_key_pcs_params) with rows R, columns C, row length K, code
 *                 length D, t queries: 2 (32 K + 8 t R + 32 t (1 + log D))
 *                 (proof, and its bytes) + 16 C + 24 D + 32 R + 32 t bytes;
 *                 4 t R + 4 D (1 + log D) + 4 C + 4 R + 2 t (1 + log D) ops.
 *   zero knowledge per proof side, from the chunk estimate E of its view
 *                 (zki_zk_lengths' est) and the caps zki_zk_key_caps derives
 *                 (nodes, terms 3 E; constraints E/2; products E/5; pads
 *                 2 E + 5 * 4096), which the verifier enforces: the tape
 *                 (16 per node, 24 per term and constraint, plus its
 *                 largest array once: a realloc), 16 (nodes + pads + 3
 *                 products + 1) (the batched equation), 16 V (the
 *                 statement; V the values of the Ligero shape of the
 *                 chunks the pad cap admits and the products' commitment),
 *                 32 n_tri, twice the Ligero proof's most bytes, 16 (2 n_d
 *                 + n_tri) (challenges; n_d = 2 rows in all) + 8 (t + 2
 *                 ell) + 32 t; 4 (nodes + terms + constraints + products) +
 *                 2 pads + 3 V + 2 n_d + n_tri + 8 m + t (sum height / 8 +
 *                 n_c (2 + log D)) + t (2 V + 4 n_d + 5 ell + 4 n_tri + 9 m)
 *                 ops (t queries, m = 2k - 1, n_c commitments).
 * A proof side is the max of public input, committed input and (language
 * models, B = 1) a generation proof's view, each with its zero-knowledge
 * part. zki_vk_from_bytes refuses a key whose bound for one sample exceeds
 * ZKI_VK_MAX_VERIFY_BYTES or ZKI_VK_MAX_VERIFY_OPS. */
#ifndef ZKI_PROTOCOL_VK_COST_H
#define ZKI_PROTOCOL_VK_COST_H

#include "protocol/key.h"

#define ZKI_VK_MAX_VERIFY_BYTES (1ull << 30)
#define ZKI_VK_MAX_VERIFY_OPS (1ull << 34)

zki_status zki_vk_verifier_cost(const zki_vk *vk, uint32_t B, uint64_t *ops, uint64_t *bytes);

/* The lookup instances a verifier builds for view a (the key's DAG or a
 * generation proof's), batch B and input kind, and their proofs (parsed
 * and as bytes), from the shapes alone: no table is materialised. Adds to
 * *ops and *bytes; sets *est to a zero-knowledge proof's estimate (its
 * caps' measure) and *first to its chunk 0's length
 * (both from zki_zk_lengths), which need the same instances. */
zki_status zki_vk_lookups_cost(const zki_dag *a, uint32_t B, int priv, uint64_t *ops, uint64_t *bytes,
                               uint64_t *est, uint64_t *first);

/* ZKI_OK or ZKI_ERR_INPUT naming the key's bound and the limit. */
zki_status zki_vk_cost_check(const zki_vk *vk);

/* The same for a batch of B: the verifier refuses a batch (the prover's
 * choice for a committed input) whose bound exceeds the limits. On ZKI_OK
 * sets *bytes (when not NULL) to the memory bound, which also caps the size
 * of a proof file worth reading. */
zki_status zki_vk_batch_cost_check(const zki_vk *vk, uint32_t B, uint64_t *bytes);

#endif
