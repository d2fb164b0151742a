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

/* L[i] = the Lagrange weight of p(i) in p(r), p of degree d through 0..d:
 * L_i = w_i prod_{j != i} (r - j) with w_i = 1 / prod_{j != i} (i - j) =
 * (-1)^(d-i) C(d, i) / d!. The products skip index i by prefix and suffix
 * products, so r in 0..d needs no special case. */
static void lagrange(unsigned d, zki_ext r, zki_ext *L)
{
    enum { NP = ZKI_SC_MAX_DEGREE + 1 };
    static const uint64_t fact[NP] = {1, 1, 2, 6, 24, 120};
    static const uint64_t binom[NP][NP] = {{1},
                                           {1, 1},
                                           {1, 2, 1},
                                           {1, 3, 3, 1},
                                           {1, 4, 6, 4, 1},
                                           {1, 5, 10, 10, 5, 1}};
    zki_ext pre[NP], suf[NP];
    pre[0] = zki_ext_one();
    for (unsigned j = 1; j <= d; j++)
        pre[j] = zki_ext_mul(pre[j - 1], zki_ext_sub(r, zki_ext_from_fe(j - 1)));
    suf[d] = zki_ext_one();
    for (unsigned j = d; j-- > 0;)
        suf[j] = zki_ext_mul(suf[j + 1], zki_ext_sub(r, zki_ext_from_fe(j + 1)));
    zki_fe inv_fact = inv_small(fact[d]);
    for (unsigned i = 0; i <= d; i++) {
        zki_fe w = zki_fe_mul(zki_fe_from_u64(binom[d][i]), inv_fact);
        if ((d - i) & 1)
            w = zki_fe_neg(w);
        L[i] = zki_ext_scale(zki_ext_mul(pre[i], suf[i]), w);
    }
}

void zki_sc_next_weights(unsigned degree, zki_ext r, zki_ext *w)
{
    zki_ext L[ZKI_SC_MAX_DEGREE + 1];
    lagrange(degree, r, L);
    /* p(1) = claim - p(0) */
    w[0] = L[1];
    w[1] = zki_ext_sub(L[0], L[1]);
    for (unsigned t = 2; t <= degree; t++)
        w[t] = L[t];
}

zki_ext zki_sc_next_claim(zki_ext claim, const zki_ext *msg, unsigned degree, zki_ext r)
{
    if (degree == 0 || degree > ZKI_SC_MAX_DEGREE)
        return zki_ext_zero(); /* callers check the degree first */
    ZKI_VERIFY_CHECK(ZKI_EXT_CANON(claim) && ZKI_EXT_CANON(r));
    ZKI_VERIFY_CHECK_EACH(i, degree, ZKI_EXT_CANON(msg[i]));
    zki_ext L[ZKI_SC_MAX_DEGREE + 1];
    lagrange(degree, r, L);
    zki_ext acc = zki_ext_mul(L[0], msg[0]);
    acc = zki_ext_add(acc, zki_ext_mul(L[1], zki_ext_sub(claim, msg[0])));
    for (unsigned t = 2; t <= degree; t++)
        acc = zki_ext_add(acc, zki_ext_mul(L[t], msg[t - 1]));
    ZKI_VERIFY_CHECK(ZKI_EXT_CANON(acc));
    return acc;
}

zki_status zki_sumcheck_verify(size_t nvars, unsigned degree, zki_ext claimed_sum,
                               const zki_sc_proof *proof, zki_transcript *t, zki_ext *point,
                               zki_ext *final_value)
{
    if (!t || !final_value)
        return zki_fail(ZKI_ERR_INPUT, "sumcheck verify: NULL argument");
    if (t->zk) /* its rounds are private values */
        return zki_fail(ZKI_ERR_INPUT, "sumcheck verify: a zero-knowledge proof needs zki_sumcheck_verify_pv");
    zki_pv fin;
    zki_status st = zki_sumcheck_verify_pv(nvars, degree, zki_pv_pub(claimed_sum), proof, t, point, &fin);
    if (!st)
        *final_value = fin.c;
    return st;
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
