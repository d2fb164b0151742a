/* Sum-check verifier side: round replay, interpolation, final check. The
 * prover is in sumcheck_prover.c. */
#include "sumcheck/sumcheck.h"

#include <stdlib.h>

#include "common/check.h"
#include "common/error.h"
#include "poly/mle.h"

unsigned zki_sc_degree(const zki_sc_instance *inst)
{
    return inst->n_tables + (inst->eq_point != NULL);
}

void zki_sc_proof_free(zki_sc_proof *p)
{
    if (!p)
        return;
    free(p->msgs);
    p->msgs = NULL;
    p->nvars = 0;
    p->degree = 0;
}

/* 1/m mod p for a small m not divisible by p, from p = (p/m) m + p%m:
 * 1/m = -(p/m) / (p%m), and p%m < m, so a few steps reach 1. Works for any
 * prime p (the tiny field included), unlike a table for one field. */
static zki_fe inv_small(uint64_t m)
{
    m %= ZKI_P;
    zki_fe r = 1;
    while (m > 1) {
        r = zki_fe_mul(r, zki_fe_neg(zki_fe_from_u64(ZKI_P / m)));
        m = ZKI_P % m;
    }
    return r;
}

zki_ext zki_sc_next_claim(zki_ext claim, const zki_ext *msg, unsigned degree, zki_ext r)
{
    if (degree == 0 || degree > ZKI_SC_MAX_DEGREE)
        return zki_ext_zero(); /* callers check the degree first */
    enum { NP = ZKI_SC_MAX_DEGREE + 1 };
    static const uint64_t fact[NP] = {1, 1, 2, 6, 24, 120};
    static const uint64_t binom[NP][NP] = {{1},
                                           {1, 1},
                                           {1, 2, 1},
                                           {1, 3, 3, 1},
                                           {1, 4, 6, 4, 1},
                                           {1, 5, 10, 10, 5, 1}};
    unsigned d = degree;
    ZKI_VERIFY_CHECK(ZKI_EXT_CANON(claim) && ZKI_EXT_CANON(r));
    ZKI_VERIFY_CHECK_EACH(i, d, ZKI_EXT_CANON(msg[i]));
    zki_ext ev[NP];
    ev[0] = msg[0];
    ev[1] = zki_ext_sub(claim, msg[0]);
    for (unsigned t = 2; t <= d; t++)
        ev[t] = msg[t - 1];

    /* Lagrange through 0..d: p(r) = sum_i ev[i] w_i prod_{j != i} (r - j)
     * with w_i = 1 / prod_{j != i} (i - j) = (-1)^(d-i) C(d, i) / d!. The
     * products skip index i by prefix and suffix products, so r in 0..d
     * needs no special case. */
    zki_ext pre[NP], suf[NP];
    pre[0] = zki_ext_one();
    for (unsigned j = 1; j <= d; j++)
        pre[j] = zki_ext_mul(pre[j - 1], zki_ext_sub(r, zki_ext_from_fe(j - 1)));
    suf[d] = zki_ext_one();
    for (unsigned j = d; j-- > 0;)
        suf[j] = zki_ext_mul(suf[j + 1], zki_ext_sub(r, zki_ext_from_fe(j + 1)));
    zki_fe inv_fact = inv_small(fact[d]);
    zki_ext acc = zki_ext_zero();
    for (unsigned i = 0; i <= d; i++) {
        zki_fe w = zki_fe_mul(zki_fe_from_u64(binom[d][i]), inv_fact);
        if ((d - i) & 1)
            w = zki_fe_neg(w);
        zki_ext term = zki_ext_mul(zki_ext_mul(pre[i], suf[i]), ev[i]);
        acc = zki_ext_add(acc, zki_ext_scale(term, w));
    }
    ZKI_VERIFY_CHECK(ZKI_EXT_CANON(acc));
    return acc;
}

zki_status zki_sumcheck_verify(size_t nvars, unsigned degree, zki_ext claimed_sum,
                               const zki_sc_proof *proof, zki_transcript *t, zki_ext *point,
                               zki_ext *final_value)
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
    zki_ts_absorb_u64(t, "sc.nvars", nvars);
    zki_ts_absorb_u64(t, "sc.degree", degree);
    zki_ts_absorb_ext(t, "sc.sum", claimed_sum);
    zki_ext claim = claimed_sum;
    for (size_t i = 0; i < nvars; i++) {
        const zki_ext *msg = proof->msgs + i * degree;
        zki_ts_absorb_ext_vec(t, "sc.round", msg, degree);
        point[i] = zki_ts_challenge_ext(t, "sc.r");
        claim = zki_sc_next_claim(claim, msg, degree, point[i]);
    }
    *final_value = claim;
    return ZKI_OK;
}

zki_status zki_sumcheck_check_final(const zki_ext *eq_point, const zki_ext *point,
                                    size_t nvars, const zki_ext *table_evals,
                                    unsigned n_tables, zki_ext final_value)
{
    if (n_tables == 0 || n_tables > ZKI_SC_MAX_TABLES || !table_evals ||
        (eq_point && nvars && !point))
        return zki_fail(ZKI_ERR_INPUT, "sumcheck final check: bad arguments (%u tables)",
                        n_tables);
    ZKI_VERIFY_CHECK_EACH(j, n_tables, ZKI_EXT_CANON(table_evals[j]));
    ZKI_VERIFY_CHECK(ZKI_EXT_CANON(final_value));
    zki_ext v = table_evals[0];
    for (unsigned j = 1; j < n_tables; j++)
        v = zki_ext_mul(v, table_evals[j]);
    if (eq_point)
        v = zki_ext_mul(v, zki_eq_eval(eq_point, point, nvars));
    if (!zki_ext_eq(v, final_value))
        return zki_fail(ZKI_ERR_VERIFY,
                        "sumcheck final check: table evaluations do not match the last round");
    return ZKI_OK;
}
