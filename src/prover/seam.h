/* Test seam of the prover: TEST-ONLY, never set outside tests (the
 * pointer is NULL, and the production path costs one NULL test per node
 * and per proof), like zki_prove_test_advice_pcs (prover.h). It lets the
 * attack tests forge witnesses through the real zki_prove instead of a
 * copy of it: the prover "builds the witness" (forward pass), the hook
 * alters it, and the same code "proves this witness".
 *
 *   skip_input_check  zki_prove (and zki_mlp_forward) skip the input
 *                     elements' bit-range check (the batch size is still
 *                     checked): an out-of-range input reaches the proof.
 *   field_columns     a zki_lk_cols_mode (lookup/lookup.h) for every lookup
 *                     instance of the proof: 1, column values mod p
 *                     (centred), as a prover following the field relations
 *                     sees them; 2, also leave values outside the table
 *                     out of the multiplicities instead of refusing them,
 *                     so the proof of a cheating witness comes out and the
 *                     verifier must reject it. 0: the honest integer check.
 *   node_witness      called in the forward pass right after node j's
 *                     gadget witness, with its status st (a forged witness
 *                     may be one the honest forward pass refuses); returns
 *                     the node's status. Later nodes read what it leaves.
 *                     It may rewrite, in place or by replacing the buffers
 *                     (freeing the old ones): W->acc[j], W->rq[j] (q, y,
 *                     limbs; for requantising nodes W->t[j + 1] is rq.y),
 *                     the contents of W->t[j + 1] (W->own[j + 1] for
 *                     MAXPOOL and CONCAT), W->aux[j] (MAXPOOL window
 *                     differences), keeping W->ld[j + 1].
 *   ctx               passed to node_witness.
 *   any_argmax        a generation proof takes the argmax margins of
 *                     whatever ids X holds (argmax.h): 1, negative ones
 *                     too (with field_columns 2 the proof of a token that
 *                     is not the argmax comes out, for the verifier to
 *                     reject); 2, negative ones set to 0 (with
 *                     zki_sumcheck_test_false_claims the argmax sum-check
 *                     of a false claim comes out).
 *
 * A witness that fails a sum-check's claim is refused by the sum-check
 * prover itself; zki_sumcheck_test_false_claims (sumcheck/sumcheck.h,
 * also test-only) lets its proof out, for the verifier to reject.
 *
 * The verifier never reads this. */
#ifndef ZKI_PROVER_SEAM_H
#define ZKI_PROVER_SEAM_H

#include "protocol/gadget.h"
#include "prover/prover.h"

typedef struct {
    int skip_input_check;
    int field_columns;
    zki_status (*node_witness)(void *ctx, const zki_pk *pk, uint32_t j, zki_witness *W, uint32_t B,
                               zki_status st);
    void *ctx;
    int any_argmax;
} zki_prove_seam;

extern const zki_prove_seam *zki_prove_test_seam;

#endif
