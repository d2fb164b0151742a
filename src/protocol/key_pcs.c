/* The PCS parameters a key fixes. Setup and the vk parser use the weight
 * commitment's, the prover, the proof parser and the verifier the advice
 * commitment's, all from here: a proof cannot choose its rate, row width,
 * query count or grinding (the verifier's cost and the soundness level
 * follow from them), and a received commitment is compared with these
 * before anything is sized by it. */
#include "common/error.h"
#include "protocol/proof.h"
#include "protocol/wlayout.h"

uint32_t zki_key_max_log_cols(int advice, uint64_t len)
{
    if (len < ZKI_KEY_WIDE_MIN)
        return ZKI_KEY_MAX_LOG_COLS;
    return advice ? ZKI_KEY_WIDE_ADVICE_LOG_COLS : ZKI_KEY_WIDE_LOG_COLS;
}

void zki_key_pcs_params(const zki_vk *vk, int advice, uint64_t len, zki_pcs_params *p)
{
    zki_pcs_params_default(p);
    /* a large table's prover time is mostly encoding and hashing its rows
     * (commitment, then re-encoding the queried columns): rate 1/2 halves
     * the code for about 60% more query bytes (docs/security.md) */
    p->rate_log = len >= ZKI_KEY_RATE_HALF_MIN ? 1 : 2;
    p->security_bits = ZKI_KEY_SECURITY_BITS;
    p->hiding = 1;
    p->open_budget = 1; /* one opening sending its row (docs/security.md) */
    /* the weights' pad covers the columns of the zero-knowledge proofs the
     * key was made for (docs/zk.md, "Weight columns across proofs"): setup
     * sets it, the vk holds it in its commitment, whose parser checks its
     * range and the pad; a proof's advice is opened once */
    p->col_budget = !advice && vk->wcom.params.hiding ? vk->wcom.params.col_budget : 1;
    p->grind_bits = vk->grind_bits;
    p->row_commit = 1; /* wide openings commit their row (pcs.h) */
    /* the weights' width minimises proof bytes for the model; the advice
     * width is the PCS's automatic one (also the fewest opening bytes), a
     * function of its length; both at most 2^ZKI_KEY_MAX_LOG_COLS, a very
     * large weight table's 2^ZKI_KEY_WIDE_LOG_COLS (key.h) */
    p->max_log_cols = zki_key_max_log_cols(advice, len);
    p->log_cols = advice ? 0 : zki_weight_log_cols(vk);
}

zki_status zki_advice_commitment_check(const zki_vk *vk, const zki_advice_layout *lay,
                                       const zki_pcs_commitment *acom, zki_status code)
{
    zki_pcs_params p;
    uint64_t len = lay->pack.total;
    zki_key_pcs_params(vk, 1, len, &p);
    return zki_pcs_commitment_expect(acom, &p, &len, 1, code, "advice commitment");
}
