/* Claim reduction: k evaluation claims on one table become one, by the
 * degree-2 sum-check of f * g with g = sum_j alpha_j eq(r_j, .). */
#include <stdlib.h>
#include <string.h>

#include "common/check.h"
#include "common/error.h"
#include "poly/mle.h"
#include "sumcheck/claims.h"

#define CLAIMS_MAX_NVARS 48

void zki_claim_reduction_proof_free(zki_claim_reduction_proof *p)
{
    if (!p)
        return;
    zki_sc_proof_free(&p->sc);
    p->nvars = 0;
}

static zki_status check_claims(size_t nvars, const zki_ext *const *points,
                               const zki_ext *values, size_t k, const zki_transcript *t,
                               const zki_ext *out_point, const zki_ext *out_value)
{
    if (k == 0)
        return zki_fail(ZKI_ERR_INPUT, "claim reduction: no claims");
    if (nvars > CLAIMS_MAX_NVARS)
        return zki_fail(ZKI_ERR_INPUT, "claim reduction: %zu variables, at most %d", nvars,
                        CLAIMS_MAX_NVARS);
    if (!points || !t || !out_value || (nvars && !out_point))
        return zki_fail(ZKI_ERR_INPUT, "claim reduction: NULL argument");
    for (size_t j = 0; j < k; j++)
        if (nvars && !points[j])
            return zki_fail(ZKI_ERR_INPUT, "claim reduction: point %zu is NULL", j);
    /* claims come from sum-checks, GKRs, openings and parsed proofs: all canonical */
    ZKI_VERIFY_CHECK_EACH(j, values ? k : 0, ZKI_EXT_CANON(values[j]));
    for (size_t j = 0; j < k; j++)
        ZKI_VERIFY_CHECK_EACH(i, nvars, ZKI_EXT_CANON(points[j][i]));
    return ZKI_OK;
}

/* Both sides bind every claim before alpha is drawn; returns sum alpha_j v_j. */
static zki_ext absorb_and_draw(zki_transcript *t, size_t nvars, const zki_ext *const *points,
                               const zki_ext *values, size_t k, zki_ext *alpha)
{
    zki_ts_absorb_u64(t, "claims.k", k);
    zki_ts_absorb_u64(t, "claims.nvars", nvars);
    for (size_t j = 0; j < k; j++) {
        zki_ts_absorb_ext_vec(t, "claims.point", points[j], nvars);
        /* a zero-knowledge proof has bound each value already (sent padded
         * or computed from what was): absorbing it would reveal it */
        if (!t->zk)
            zki_ts_absorb_ext(t, "claims.value", values[j]);
    }
    zki_ts_challenge_ext_vec(t, "claims.alpha", alpha, k);
    zki_ext sum = zki_ext_zero();
    if (values)
        for (size_t j = 0; j < k; j++)
            sum = zki_ext_add(sum, zki_ext_mul(alpha[j], values[j]));
    return sum;
}

static void pass_through(size_t nvars, const zki_ext *point, zki_ext value, zki_ext *out_point,
                         zki_ext *out_value)
{
    if (nvars && out_point != point)
        memmove(out_point, point, nvars * sizeof(zki_ext));
    *out_value = value;
}

zki_status zki_claims_reduce_prove(const zki_fe *tbase, const zki_ext *text, size_t nvars,
                                   const zki_ext *const *points, const zki_ext *values,
                                   size_t k, zki_transcript *t,
                                   zki_claim_reduction_proof *proof, zki_ext *out_point,
                                   zki_ext *out_value)
{
    zki_status st = check_claims(nvars, points, values, k, t, out_point, out_value);
    if (st != ZKI_OK)
        return st;
    if (!values)
        return zki_fail(ZKI_ERR_INPUT, "claim reduction: NULL values");
    if (!proof || !tbase == !text)
        return zki_fail(ZKI_ERR_INPUT,
                        "claim reduction: need a proof and exactly one of base/ext tables");
    memset(proof, 0, sizeof *proof);
    proof->nvars = nvars;
    if (k == 1) { /* the proof repeats the value, or 0 in a zero-knowledge proof */
        proof->f_at_rho = t->zk ? zki_ext_zero() : values[0];
        pass_through(nvars, points[0], values[0], out_point, out_value);
        return ZKI_OK;
    }

    zki_ext *alpha = malloc(k * sizeof(zki_ext));
    size_t N = (size_t)1 << nvars;
    zki_ext *g = malloc(N * sizeof(zki_ext));
    zki_ext *tmp = malloc(N * sizeof(zki_ext));
    if (!alpha || !g || !tmp) {
        st = zki_fail(ZKI_ERR_NOMEM, "claim reduction: out of memory for 2^%zu entries", nvars);
        goto done;
    }
    zki_ext sum = absorb_and_draw(t, nvars, points, values, k, alpha);
    ZKI_VERIFY_CHECK(N == (size_t)1 << nvars && ZKI_IS_POW2(N));
    zki_eq_table_scaled(g, points[0], nvars, alpha[0]);
    for (size_t j = 1; j < k; j++) {
        zki_eq_table_scaled(tmp, points[j], nvars, alpha[j]);
#pragma omp parallel for schedule(static) if (N >= 4096)
        for (size_t x = 0; x < N; x++)
            g[x] = zki_ext_add(g[x], tmp[x]);
    }
    free(tmp);
    tmp = NULL;

    zki_sc_instance inst = {0};
    inst.nvars = nvars;
    inst.n_tables = 2;
    inst.base[0] = tbase;
    inst.ext[0] = text;
    inst.ext[1] = g;
    zki_ext evals[2];
    st = zki_sumcheck_prove(&inst, sum, t, &proof->sc, out_point, evals);
    if (st != ZKI_OK)
        goto done;
    /* one round of degree 2 per variable; the reduced point has nvars coordinates */
    ZKI_VERIFY_CHECK(proof->sc.nvars == nvars && proof->sc.degree == 2);
    ZKI_VERIFY_CHECK_EACH(i, nvars, ZKI_EXT_CANON(out_point[i]));
    ZKI_VERIFY_CHECK(ZKI_EXT_CANON(evals[0]) && ZKI_EXT_CANON(evals[1]));
    proof->f_at_rho = zki_zk_send(t, "claims.f_at_rho", evals[0]);
    *out_value = evals[0];
done:
    free(alpha);
    free(g);
    free(tmp);
    return st;
}

zki_status zki_claims_reduce_verify_pv(size_t nvars, const zki_ext *const *points,
                                       const zki_pv *values, size_t k,
                                       const zki_claim_reduction_proof *proof, zki_transcript *t,
                                       zki_ext *out_point, zki_pv *out_value)
{
    if (k == 0 || !values)
        return zki_fail(ZKI_ERR_INPUT, "claim reduction: no claims");
    zki_ext v0 = zki_ext_zero(); /* check_claims wants somewhere to point */
    zki_status st = check_claims(nvars, points, NULL, k, t, out_point, &v0);
    if (st != ZKI_OK)
        return st;
    if (k == 1) {
        if (nvars && out_point != points[0])
            memmove(out_point, points[0], nvars * sizeof(zki_ext));
        *out_value = values[0];
        return ZKI_OK;
    }
    if (!proof)
        return zki_fail(ZKI_ERR_INPUT, "claim reduction verify: NULL proof");
    if (proof->nvars != nvars)
        return zki_fail(ZKI_ERR_INPUT, "claim reduction verify: proof for %zu variables, expected %zu",
                        proof->nvars, nvars);
    zki_ext *alpha = malloc(k * sizeof(zki_ext)), *vc = malloc(k * sizeof(zki_ext));
    if (!alpha || !vc) {
        free(alpha);
        free(vc);
        return zki_fail(ZKI_ERR_NOMEM, "claim reduction verify: out of memory");
    }
    for (size_t j = 0; j < k; j++)
        vc[j] = values[j].c;
    absorb_and_draw(t, nvars, points, vc, k, alpha);
    zki_pv sum = zki_pv_lin(t->zk, k, alpha, values), fin;
    st = zki_sumcheck_verify_pv(nvars, 2, sum, &proof->sc, t, out_point, &fin);
    if (st == ZKI_OK) {
        zki_pv f = zki_zk_recv(t, "claims.f_at_rho", proof->f_at_rho);
        zki_ext g_rho = zki_ext_zero();
        for (size_t j = 0; j < k; j++)
            g_rho = zki_ext_add(g_rho, zki_ext_mul(alpha[j], zki_eq_eval(points[j], out_point, nvars)));
        st = zki_pv_assert_eq(t->zk, zki_pv_scale(t->zk, f, g_rho), fin,
                              "claim reduction: f(rho) * g(rho) against the sum-check");
        if (!st)
            *out_value = f;
    }
    free(alpha);
    free(vc);
    return st;
}

zki_status zki_claims_reduce_verify(size_t nvars, const zki_ext *const *points,
                                    const zki_ext *values, size_t k,
                                    const zki_claim_reduction_proof *proof, zki_transcript *t,
                                    zki_ext *out_point, zki_ext *out_value)
{
    zki_status st = check_claims(nvars, points, values, k, t, out_point, out_value);
    if (st != ZKI_OK)
        return st;
    if (!values)
        return zki_fail(ZKI_ERR_INPUT, "claim reduction: NULL values");
    if (t->zk)
        return zki_fail(ZKI_ERR_INPUT, "claim reduction verify: a zero-knowledge proof needs the _pv form");
    zki_pv *pv = malloc(k * sizeof(zki_pv)), out;
    if (!pv)
        return zki_fail(ZKI_ERR_NOMEM, "claim reduction verify: out of memory");
    for (size_t j = 0; j < k; j++)
        pv[j] = zki_pv_pub(values[j]);
    st = zki_claims_reduce_verify_pv(nvars, points, pv, k, proof, t, out_point, &out);
    if (!st)
        *out_value = out.c;
    free(pv);
    return st;
}
