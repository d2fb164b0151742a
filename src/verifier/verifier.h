/* Verifying proofs (protocol/proof.h): replays the prover's transcript,
 * walks the DAG from the output back to the input calling each node's
 * gadget (protocol/gadget.h), evaluates the public output and input
 * itself, and checks the one opening of the weight commitment (from the
 * key) and the one of the advice commitment (from the proof). Depends on
 * the protocol and the crypto floors only: libzkinfer_verify.a. */
#ifndef ZKI_VERIFIER_VERIFIER_H
#define ZKI_VERIFIER_VERIFIER_H

#include "protocol/proof.h"

/* X: [B][K_0] public input, or NULL when the proof commits the input.
 * ZKI_OK if the proof is valid for (vk, X, proof->output); ZKI_ERR_VERIFY
 * (with the reason in zki_last_error) otherwise. */
zki_status zki_verify(const zki_vk *vk, const int64_t *X, uint32_t B, const zki_proof *proof);

#endif
