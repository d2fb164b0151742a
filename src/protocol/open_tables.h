/* The last step of a proof: the claims on the committed weight table and
 * on the advice table (each a pack of segments, protocol/pack.h) become ONE
 * claim per table, at one point, proven by one PCS opening in which both
 * commitments share the column queries. Per table: the direct reduction
 * (small tables) or the column reduction to one low point followed by the
 * claim reduction over the row variables. Shared by the prover, the
 * verifier and the tests' malicious provers, so all three run the same
 * steps. */
#ifndef ZKI_PROTOCOL_OPEN_TABLES_H
#define ZKI_PROTOCOL_OPEN_TABLES_H

#include "protocol/pack.h"
#include "protocol/proof.h"

typedef struct {
    const zki_pack *pack;
    const zki_big_table *t; /* the table (prover only) */
    const zki_seg_claims *c;
} zki_table_claims;

/* Table 0 is commitment 0 (weights), table 1 commitment 1 (advice). Fills
 * pf->n_colred, colred, hred and open. */
zki_status zki_tables_open_prove(zki_transcript *ts, const zki_table_claims job[2],
                                 zki_pcs_prover *const provers[2], zki_proof *pf);
/* ZKI_OK or ZKI_ERR_VERIFY (with the failing step in the message). */
zki_status zki_tables_open_verify(zki_transcript *ts, const zki_table_claims job[2],
                                  const zki_pcs_commitment *const coms[2], const zki_proof *pf);

#endif
