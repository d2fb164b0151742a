/* The prover: runs the integer model on an input and proves it under a
 * prover key (protocol/proof.h has the statement, the protocol and the
 * proof format). */
#ifndef ZKI_PROVER_PROVER_H
#define ZKI_PROVER_PROVER_H

#include "protocol/proof.h"
#include "prover/setup.h"

typedef struct {
    int private_input;
    const uint8_t *advice_seed; /* 32 bytes; NULL: OS entropy */
    /* called after the witness, the commitment, each layer and the opening */
    void (*progress)(void *ctx, const char *stage, uint32_t done, uint32_t total);
    void *progress_ctx;
    /* Generation (protocol/argmax.h): X (one sample) holds a prompt of
     * gen_prompt ids, then gen_new generated ones, then zeros; the proof
     * hides the output and proves every generated id the argmax of the
     * logits before it (refused, naming the position, when one is not).
     * gen_new 0: a plain proof. */
    uint32_t gen_prompt, gen_new;
} zki_prove_opts;

/* Test seam, NULL outside tests: when set, zki_prove commits the advice
 * with these parameters instead of the key's (a cheating prover's choice,
 * which the parser and verifier must refuse). A global rather than a
 * zki_prove_opts field so the options' positional initialisers stay. */
extern const zki_pcs_params *zki_prove_test_advice_pcs;

/* Zero-knowledge proofs (docs/zk.md): 1, every private value sent padded
 * and the verifier's checks proven by the final argument; 0, the plain
 * protocol. 0 while the gadgets move onto private values (issue 15); then
 * 1, with 0 left to benchmarks that measure what zero knowledge costs. */
extern int zki_prove_zero_knowledge;

/* Runs the integer model on X ([B][K_0], within the input's bit range) and
 * proves it. A prover key serves ONE proof (the weight commitment's hiding
 * budget, docs/security.md): a second call fails with ZKI_ERR_INPUT; run
 * zki_setup again (same seed: same key) for the next proof. */
zki_status zki_prove(zki_pk *pk, const int64_t *X, uint32_t B, const zki_prove_opts *opts,
                     zki_proof *out, zki_proof_stats *stats);

/* The integer forward pass the prover proves (all layers); y has B * N_L
 * entries, malloc'ed. Used by tests against zki_qexec. */
zki_status zki_mlp_forward(const zki_pk *pk, const int64_t *X, uint32_t B, int64_t **y);

#endif
