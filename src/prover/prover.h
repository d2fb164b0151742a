/* Proving MLP inference (issue 6): statement, proof, prover.
 *
 * Statement: under the verification key vk, the batch output Y [B, N_L] is
 * the integer model applied to the input X [B, K_0]; X is public, or with
 * `private_input` committed in the advice commitment (the verifier then
 * sees only Y). The transcript absorbs, before any challenge: the vk hash,
 * B, the private-input flag, X (when public), Y and the advice commitment.
 *
 * Protocol, from the output back to the input (one gadget per layer l):
 *   claim y_l(r) = v  --requant link-->  claim acc_l(r) = a
 *   claim acc_l(r) = a  --matmul sum-check (ops/matmul.h)-->  claims on
 *   y_{l-1} = x_l, W_l and bias_l
 * The first claim comes from a random point on the public output; the last
 * is checked against the public input (or opened from the advice). All
 * weight claims are proven by ONE opening of the weight commitment and all
 * advice claims by ONE opening of the advice commitment, sharing the column
 * queries.
 *
 * REQUANT LINK — NOT YET SOUND: until the LogUp requant gadget
 * (src/lookup/requant.h, branch h-lookup) is merged, the prover commits
 * acc_l and y_l in the advice and the verifier opens both at the same point,
 * but nothing checks y_l = clamp(round(acc_l * M / 2^s)). A cheating prover
 * can therefore pick any hidden activations and outputs consistent with the
 * committed tables. Everything else (matmul, bias, weights bound to the key,
 * input/output binding, openings) is checked. See docs/security.md.
 *
 * Proof file (.zkp): "ZKINFPF\0" | u32 version | vk hash (32) | u32 B |
 * u32 private_input | u32 n_layers | u32 out_n | i64 output[B * out_n] |
 * u32 len | advice commitment | per layer, last first: ext link value |
 * u32 rounds | u32 degree | ext msgs[rounds * degree] | ext bias, x, w |
 * u32 len | PCS proof. Every count is bounded by the key and the bytes
 * left; trailing bytes are rejected. */
#ifndef ZKI_PROVER_PROVER_H
#define ZKI_PROVER_PROVER_H

#include "ops/matmul.h"
#include "prover/keys.h"

#define ZKI_PROOF_VERSION 1u
#define ZKI_PROOF_PROTOCOL "zkinfer/mlp-proof"
#define ZKI_MAX_BATCH (1u << 20)

typedef struct {
    zki_digest vk_hash;
    uint32_t B, private_input, n_layers, out_n;
    int64_t *output;           /* B * out_n */
    zki_pcs_commitment acom;   /* advice commitment */
    zki_ext *link;             /* n_layers, index = layer */
    zki_matmul_proof *mm;      /* n_layers, index = layer */
    zki_pcs_proof open;
} zki_proof;

typedef struct {
    double witness_s, commit_s, gadgets_s, open_s, total_s;
} zki_prove_stats;

typedef struct {
    int private_input;
    const uint8_t *advice_seed; /* 32 bytes; NULL: OS entropy */
    /* called after the witness, the commitment, each layer and the opening */
    void (*progress)(void *ctx, const char *stage, uint32_t done, uint32_t total);
    void *progress_ctx;
} zki_prove_opts;

void zki_proof_free(zki_proof *p);

/* Runs the integer model on X ([B][K_0], within the input's bit range) and
 * proves it. */
zki_status zki_prove(zki_pkey *pk, const int64_t *X, uint32_t B, const zki_prove_opts *opts,
                     zki_proof *out, zki_prove_stats *stats);

/* The integer forward pass the prover proves (all layers); y has B * N_L
 * entries, malloc'ed. Used by tests against zki_qexec. */
zki_status zki_mlp_forward(const zki_pkey *pk, const int64_t *X, uint32_t B, int64_t **y);

zki_status zki_proof_to_bytes(const zki_proof *p, uint8_t **out, size_t *len);
/* Parses against the key: counts and shapes must be the ones vk implies. */
zki_status zki_proof_from_bytes(const zki_vk *vk, zki_proof *p, const uint8_t *in, size_t len);

/* Expected advice tables (lengths) for a key, batch and input mode; shared
 * by prover and verifier. Returns the count; lens needs 2 * n_layers + 1. */
uint32_t zki_advice_lens(const zki_arch *a, uint32_t B, int private_input, uint64_t *lens);
/* Table indices in the advice commitment. */
uint32_t zki_advice_acc(const zki_arch *a, uint32_t l);
uint32_t zki_advice_y(const zki_arch *a, uint32_t l); /* l < n_layers - 1 */
uint32_t zki_advice_x0(const zki_arch *a);             /* private input only */

/* Starts the proof transcript and absorbs the statement (shared by prover
 * and verifier). X may be NULL only with private_input. */
zki_status zki_statement_bind(zki_transcript *t, const zki_vk *vk, uint32_t B, int private_input,
                              const int64_t *X, const int64_t *Y, const zki_pcs_commitment *acom);

/* MLE table of an int matrix [rows][cols] zero-padded to [2^lr][2^lc]
 * (malloc'ed). */
zki_fe *zki_int_table(const int64_t *m, uint64_t rows, uint64_t cols, size_t lr, size_t lc);

#endif
