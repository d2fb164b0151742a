/* The verifier's walk over a proof, on the protocol floor so that the
 * prover can replay it on its own proof (zero knowledge: the replay with
 * the pads known yields the constraints the verifier will record). */
#ifndef ZKI_PROTOCOL_VERIFY_WALK_H
#define ZKI_PROTOCOL_VERIFY_WALK_H

#include "protocol/proof.h"

/* Binds the statement into *ts (initialised here; with zk set, the
 * transcript then carries zk and every private value is received padded),
 * verifies the lookups, the argmax, every node, the public input and
 * output, and the opening. ZKI_OK, or ZKI_ERR_VERIFY with the reason; the
 * statement's cheap checks (zki_proof_check_*) are the caller's. *ts is
 * left for the caller to continue (the zero-knowledge argument) and to
 * free (ts->h is NULL when binding failed). */
zki_status zki_verify_walk(const zki_vk *vk, const int64_t *X, uint32_t B, const zki_proof *pf, zki_zk *zk,
                           zki_transcript *ts);

#endif
