/* The sum-check verifier on private values (sumcheck.h, src/zk/zk.h): the
 * same rounds as zki_sumcheck_verify with the running claim kept as a
 * linear form over the pads. */
#include "sumcheck/sumcheck.h"

#include "common/check.h"
#include "common/error.h"
#include "poly/mle.h"

zki_status zki_sumcheck_verify_pv(size_t nvars, unsigned degree, zki_pv claimed_sum,
                                  const zki_sc_proof *proof, zki_transcript *t, zki_ext *point,
                                  zki_pv *final_value)
{
    if (!proof || !t || !final_value || (nvars && !point))
        return zki_fail(ZKI_ERR_INPUT, "sumcheck verify: NULL argument");
    if (degree == 0 || degree > ZKI_SC_MAX_DEGREE)
        return zki_fail(ZKI_ERR_INPUT, "sumcheck verify: degree %u outside 1..%d", degree,
                        ZKI_SC_MAX_DEGREE);
    if (proof->nvars != nvars || proof->degree != degree)
        return zki_fail(ZKI_ERR_INPUT,
                        "sumcheck verify: proof has %zu rounds of degree %u, expected %zu of %u",
                        proof->nvars, proof->degree, nvars, degree);
    if (nvars && !proof->msgs)
        return zki_fail(ZKI_ERR_INPUT, "sumcheck verify: proof has no round messages");
    /* a parsed proof holds nvars * degree canonical round values */
    ZKI_VERIFY_CHECK_EACH(i, nvars * degree, ZKI_EXT_CANON(proof->msgs[i]));
    if (!t->zk && !zki_pv_is_pub(claimed_sum))
        return zki_fail(ZKI_ERR_INPUT, "sumcheck verify: a private claim in a plain proof");
    zki_ts_absorb_u64(t, "sc.nvars", nvars);
    zki_ts_absorb_u64(t, "sc.degree", degree);
    if (!t->zk)
        zki_ts_absorb_ext(t, "sc.sum", claimed_sum.c);
    zki_pv claim = claimed_sum;
    zki_pv v[ZKI_SC_MAX_DEGREE + 1];
    zki_ext w[ZKI_SC_MAX_DEGREE + 1];
    for (size_t i = 0; i < nvars; i++) {
        const zki_ext *msg = proof->msgs + i * degree;
        if (t->zk)
            for (unsigned k = 0; k < degree; k++)
                v[k + 1] = zki_zk_recv(t, "sc.round", msg[k]);
        else {
            zki_ts_absorb_ext_vec(t, "sc.round", msg, degree);
            for (unsigned k = 0; k < degree; k++)
                v[k + 1] = zki_pv_pub(msg[k]);
        }
        point[i] = zki_ts_challenge_ext(t, "sc.r");
        zki_sc_next_weights(degree, point[i], w);
        v[0] = claim;
        claim = zki_pv_lin(t->zk, degree + 1, w, v);
    }
    *final_value = claim;
    return t->zk ? zki_zk_ok(t->zk) : ZKI_OK;
}

zki_status zki_sumcheck_check_final_pv(const zki_ext *eq_point, const zki_ext *point, size_t nvars,
                                       const zki_pv *table_evals, unsigned n_tables,
                                       zki_pv final_value, zki_transcript *t)
{
    if (n_tables == 0 || n_tables > ZKI_SC_MAX_TABLES || !table_evals ||
        (eq_point && nvars && !point))
        return zki_fail(ZKI_ERR_INPUT, "sumcheck final check: bad arguments (%u tables)",
                        n_tables);
    zki_pv v = table_evals[0];
    for (unsigned j = 1; j < n_tables; j++)
        v = zki_pv_mul(t->zk, v, table_evals[j]);
    if (eq_point)
        v = zki_pv_scale(t->zk, v, zki_eq_eval(eq_point, point, nvars));
    return zki_pv_assert_eq(t->zk, v, final_value,
                            "sum-check final value (the table evaluations against the last round)");
}
