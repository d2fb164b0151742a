/* The prover: runs the integer model on an input and proves it under a
 * prover key (protocol/proof.h has the statement, the protocol and the
 * proof format). */
#ifndef ZKI_PROVER_PROVER_H
#define ZKI_PROVER_PROVER_H

#include "protocol/proof.h"
#include "prover/setup.h"

typedef struct {
    /* What the proof commits in its advice instead of publishing
     * (proof.h), ZKI_PRIV_* flags: 1 (ZKI_PRIV_INPUT) the input; with
     * ZKI_PRIV_OUTPUT the output, and the proof carries none (out_n 0;
     * not with generation, whose output the argmax hides). One field for
     * both: the options' positional initialisers stay. */
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

/* TEST/BENCH-ONLY (0 in the product): 1 makes plain proofs, every private
 * value sent in the clear and no final argument, the protocol before zero
 * knowledge (docs/zk.md). Benchmarks measure what zero knowledge costs
 * against it; golden vectors and tests that edit a proof's values in place
 * use it. Every proof the API and CLI make is zero-knowledge. */
extern int zki_prove_plain;

/* Runs the integer model on X ([B][K_0], within the input's bit range) and
 * proves it. A prover key serves the zero-knowledge proofs it was made for
 * (zki_setup_zk; docs/zk.md, "Weight columns across proofs"): each proof
 * made counts one on pk (a refused call shows nothing and does not count),
 * and past them a call fails with ZKI_ERR_INPUT. The count is this pk's
 * only; the budget is the key's across every process (a re-created pk
 * counts from 0 again). A plain proof (zki_prove_plain) sends its weight
 * opening's row, blinded by a mask slot of its own: a key serves ONE such
 * proof, and none beside zero-knowledge ones (the PCS refuses the next
 * opening with ZKI_ERR_INPUT); run zki_setup again (same seed: same key)
 * for the next. */
zki_status zki_prove(zki_pk *pk, const int64_t *X, uint32_t B, const zki_prove_opts *opts,
                     zki_proof *out, zki_proof_stats *stats);

/* The integer forward pass the prover proves (all layers); y has B * N_L
 * entries, malloc'ed. Used by tests against zki_qexec. */
zki_status zki_mlp_forward(const zki_pk *pk, const int64_t *X, uint32_t B, int64_t **y);

#endif
