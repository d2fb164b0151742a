/* Zero knowledge by padded messages (docs/zk.md).
 *
 * A zero-knowledge proof sends no private value in the clear. Each value the
 * plain protocol would send (a sum-check message, an evaluation) is sent as
 * s = v - P_k, P_k the k-th pad: a uniform element of K drawn from fresh
 * per-proof randomness and committed (hiding) before the first challenge, so
 * s is uniform and, with the pad commitment, binds v. The transcript absorbs
 * s; the verifier's checks on v become constraints on the witness
 * (the pads and the product values, below), proven at the end of the proof
 * in zero knowledge (src/ligero/).
 *
 * Private values. The verifier computes with zki_pv = c + F(x): c a known
 * element of K (arithmetic on the padded values, done as today), F a linear
 * form over the witness x, recorded on a tape. Public values have F = 0.
 * Sums and public multiples extend the tape; the product of two private
 * values allocates a product triple (X, Y, Z) in the witness with X = a,
 * Y = b (linear constraints) and X Y = Z (a quadratic constraint), and is Z;
 * equalities become linear constraints. With every value public (plain
 * proofs: the transcript has no zk context) the same calls compare values
 * directly, so one verifier serves both kinds of proof.
 *
 * Witness: the pads P_0 .. P_{n_pads - 1}, and the product values: triple q
 * is X_q, Y_q, Z_q (products 3q, 3q + 1, 3q + 2).
 *
 * Pads come in chunks, each committed before its first pad is used: when a
 * value needs pad k = n_pads, the context opens the next chunk (the
 * prover's pads are drawn from its seed) and calls the chunk hook, which
 * commits it (prover) or reads its commitment (verifier) and absorbs it.
 *
 * The prover replays the verifier's code on its own proof with the pads
 * known (zki_zk_new_prover), which gives it the same tape, constraints and
 * product values without a mirrored copy of the checks. */
#ifndef ZKI_ZK_H
#define ZKI_ZK_H

#include <stddef.h>
#include <stdint.h>

#include "field/field.h"
#include "transcript/transcript.h"

typedef struct {
    zki_ext c;  /* known part */
    uint32_t f; /* tape node of the linear form; 0: none (public value) */
} zki_pv;

typedef struct zki_zk zki_zk;

/* A verifier's context for n_pads padded values. NULL on allocation
 * failure. */
zki_zk *zki_zk_new_verifier(uint64_t n_pads);
/* A prover's context: pads from the 32-byte seed (NULL: OS entropy); the
 * seed is copied. NULL on allocation failure or no entropy (message set). */
zki_zk *zki_zk_new_prover(uint64_t n_pads, const uint8_t seed[32]);
/* A prover context that knows the pads (copied): the prover's replay of
 * the verifier on its own proof (the pads of every chunk it opened, n_known
 * of them; n_pads as for a verifier), and tests that enumerate every pad. */
zki_zk *zki_zk_new_with_pads(uint64_t n_pads, const zki_ext *pads);
zki_zk *zki_zk_new_replay(const zki_ext *pads, uint64_t n_known);
void zki_zk_free(zki_zk *z);

/* Chunk c (0, 1, ...) of the pads: its first pad and length. Chunk 0 has
 * first_len pads (the caller's estimate of the proof's private values),
 * chunk c >= 1 has next_len 4^(c-1). The hook commits (prover) or reads
 * and absorbs (verifier) the chunk's commitment; ZKI_OK or an error that
 * stops the proof. Without a hook the context has the n_pads it was made
 * with and no more. */
typedef zki_status (*zki_zk_chunk_fn)(void *ctx, zki_transcript *t, uint32_t chunk, uint64_t first,
                                      uint64_t len);
void zki_zk_set_chunks(zki_zk *z, zki_zk_chunk_fn hook, void *ctx, uint64_t first_len, uint64_t next_len);
/* Sets chunk 0's length (before it is opened): the proof's estimate of its
 * private values, known once the walk has its shapes. */
void zki_zk_set_first_len(zki_zk *z, uint64_t first_len);
uint32_t zki_zk_n_chunks(const zki_zk *z);

/* Prover contexts made from a seed: 32 secret bytes for `label` and
 * `index`, derived from the seed (other per-proof randomness: a hiding
 * commitment made during the proof). 0 for other contexts. */
int zki_zk_secret(const zki_zk *z, const char *label, uint64_t index, uint8_t out[32]);

/* Pads committed so far (the chunks opened; without chunks, n_pads). */
uint64_t zki_zk_n_pads(const zki_zk *z);
/* Pads used so far (sent or received values). */
uint64_t zki_zk_used(const zki_zk *z);
/* The prover's pads (n_pads entries; NULL for a verifier). */
const zki_ext *zki_zk_pads(const zki_zk *z);

/* ---- sending and receiving ------------------------------------------ */

/* Prover: the value to put in the proof for v. With t->zk set: v minus the
 * next pad (ZKI_ERR_INPUT-free: running out of pads is a prover bug caught
 * by zki_zk_ok); else v itself. Absorbs what it returns under `label`. */
zki_ext zki_zk_send(zki_transcript *t, const char *label, zki_ext v);
/* Verifier (and the prover's replay): absorbs s, the value read from the
 * proof, and returns the private value it stands for: s + P_k with t->zk
 * set, else the public value s. */
zki_pv zki_zk_recv(zki_transcript *t, const char *label, zki_ext s);
/* ZKI_OK, or the first misuse recorded on z (pads exhausted, a prover
 * constraint that fails, allocation failure). */
zki_status zki_zk_ok(const zki_zk *z);

/* ---- arithmetic on private values ----------------------------------- */

static inline zki_pv zki_pv_pub(zki_ext c)
{
    zki_pv v = {c, 0};
    return v;
}
static inline int zki_pv_is_pub(zki_pv a) { return a.f == 0; }

zki_pv zki_pv_add(zki_zk *z, zki_pv a, zki_pv b);
zki_pv zki_pv_sub(zki_zk *z, zki_pv a, zki_pv b);
zki_pv zki_pv_scale(zki_zk *z, zki_pv a, zki_ext k);
/* sum_i k[i] a[i] as one tape node. */
zki_pv zki_pv_lin(zki_zk *z, size_t n, const zki_ext *k, const zki_pv *a);
/* a * b; a product triple when both are private. */
zki_pv zki_pv_mul(zki_zk *z, zki_pv a, zki_pv b);

/* Records a == b. Both public: ZKI_OK or ZKI_ERR_VERIFY at once (with
 * `what` in the message). Otherwise a constraint, ZKI_OK; the prover's
 * replay also checks it against the true values (a failure is recorded,
 * see zki_zk_ok, unless zki_zk_test_false is set). */
zki_status zki_pv_assert_eq(zki_zk *z, zki_pv a, zki_pv b, const char *what);

/* The value the prover knows for a (prover contexts; a's known part for a
 * verifier). */
zki_ext zki_pv_true(const zki_zk *z, zki_pv a);

/* TEST-ONLY (0 outside tests): the prover's replay records constraints its
 * values violate without flagging them, so an attack test can carry a false
 * statement to the final argument. */
extern int zki_zk_test_false;

/* ---- what a context holds -------------------------------------------- */

/* Counts of what a context holds: tape nodes and terms, constraints,
 * product triples, pads committed. Also the caps of zki_zk_set_caps. */
typedef struct {
    uint64_t nodes, terms, cons, prods, pads;
} zki_zk_sizes;

/* Caps the tape at the key's bound (0: no cap): a node, term, constraint
 * or product past its cap stops the context (zki_zk_ok: ZKI_ERR_VERIFY),
 * and the arrays never grow past the caps. caps->pads is kept for the
 * chunk hook, which enforces it (protocol/zk_session.c). */
void zki_zk_set_caps(zki_zk *z, const zki_zk_sizes *caps);
const zki_zk_sizes *zki_zk_caps(const zki_zk *z);
/* ZKI_OK, or ZKI_ERR_VERIFY naming the cap z ran into (the message set
 * again: later checks on the then public values may have replaced it). */
zki_status zki_zk_cap_status(const zki_zk *z);
/* What z holds now. */
void zki_zk_get_sizes(const zki_zk *z, zki_zk_sizes *out);
/* Bytes the tape's arrays take now (their capacity; a verifier's). */
uint64_t zki_zk_tape_bytes(const zki_zk *z);
/* The most bytes a verifier's tape capped at caps takes. */
uint64_t zki_zk_tape_bytes_max(const zki_zk_sizes *caps);

/* ---- the final statement -------------------------------------------- */

uint64_t zki_zk_n_products(const zki_zk *z);
uint64_t zki_zk_n_constraints(const zki_zk *z);
/* Prover: the product values, 3 * products entries (X, Y, Z per triple). */
const zki_ext *zki_zk_products(const zki_zk *z);

/* Batches every constraint with powers of beta into one linear equation
 * over the witness: sum_k a_pad[k] P_k + sum_i a_prod[i] prod_i = *b
 * (a_pad: n_pads entries, a_prod: 3 * products, caller-allocated).
 * Constraint m (in recording order) has weight beta^m. */
zki_status zki_zk_linear(const zki_zk *z, zki_ext beta, zki_ext *a_pad, zki_ext *a_prod, zki_ext *b);

#endif
