/* Fractional-sum GKR over the tiny field (p = 17, extension of 289).
 *
 * 1. Every pair of leaves (p0/q0, p1/q1), p in F, q in F* (73984 cases):
 *    the root is p0 q1 + p1 q0 over q0 q1, the proof verifies and the leaf
 *    claims are the leaves' extensions at the returned point.
 * 2. One layer step (2 sum-check rounds) with every challenge pair (289^2):
 *    the honest prover is always accepted; a prover starting from a false
 *    claim, sending honest + a cubic with roots 2, 3, 4 each round (and
 *    honest again once a challenge hits a root), is accepted exactly on the
 *    F^2 - (F - 3)^2 sequences where some challenge is a root, within the
 *    Schwartz-Zippel bound 2 * 3 * F.
 * 3. Every single-element change of a small proof is rejected, for every
 *    value of the changed element (all 289). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"
#include "common/rng.h"
#include "lookup/gkr_frac.h"
#include "poly/mle.h"
#include "sumcheck/sumcheck.h"

#define F_EXT (ZKI_P * ZKI_P)

static zki_rng rng;
static zki_ext ext_of(uint64_t i) { return zki_ext_make(i % ZKI_P, i / ZKI_P); }
static zki_ext rand_ext(void) { return ext_of(zki_rng_below(&rng, F_EXT)); }

static void test_pairs(void)
{
    int bad_root = 0, bad_verify = 0, bad_leaf = 0;
    for (uint64_t p0 = 0; p0 < ZKI_P; p0++)
        for (uint64_t p1 = 0; p1 < ZKI_P; p1++)
            for (uint64_t q0 = 1; q0 < ZKI_P; q0++)
                for (uint64_t q1 = 1; q1 < ZKI_P; q1++) {
                    zki_ext p[2] = {ext_of(p0), ext_of(p1)}, q[2] = {ext_of(q0), ext_of(q1)};
                    zki_transcript tp, tv;
                    zki_ts_init(&tp, "frac", 1);
                    zki_ts_init(&tv, "frac", 1);
                    zki_frac_proof pf;
                    zki_ext pt[1], pt2[1];
                    zki_frac_evals ev;
                    zki_frac_claims cl;
                    if (zki_frac_prove(p, q, 1, &tp, &pf, pt, &ev) != ZKI_OK) {
                        bad_verify++;
                        continue;
                    }
                    zki_fe rp = (p0 * q1 + p1 * q0) % ZKI_P, rq = (q0 * q1) % ZKI_P;
                    bad_root += !zki_ext_eq(pf.root_p, ext_of(rp)) || !zki_ext_eq(pf.root_q, ext_of(rq));
                    bad_root += !zki_ext_eq(ev.root_p, pf.root_p) || !zki_ext_eq(ev.root_q, pf.root_q);
                    bad_verify += zki_frac_verify(1, &pf, &tv, pt2, &cl) != ZKI_OK;
                    bad_leaf += !zki_ext_eq(cl.p.c, zki_mle_eval_ext(p, 1, pt2)) ||
                                !zki_ext_eq(cl.q.c, zki_mle_eval_ext(q, 1, pt2)) ||
                                !zki_ext_eq(ev.p, cl.p.c) || !zki_ext_eq(ev.q, cl.q.c);
                    zki_frac_proof_free(&pf);
                    zki_ts_free(&tp);
                    zki_ts_free(&tv);
                }
    CHECK(bad_root == 0);
    CHECK(bad_verify == 0);
    CHECK(bad_leaf == 0);
    /* a zero denominator is refused, not proved */
    zki_ext p[2] = {ext_of(1), ext_of(1)}, q[2] = {ext_of(1), ext_of(0)};
    zki_transcript t;
    zki_ts_init(&t, "frac", 1);
    zki_frac_proof pf;
    zki_ext pt[1];
    zki_frac_evals ev;
    CHECK(zki_frac_prove(p, q, 1, &t, &pf, pt, &ev) == ZKI_ERR_INPUT);
    zki_ts_free(&t);
}

/* delta * (t-2)(t-3)(t-4) / (-30): sums to delta over {0, 1}. */
static zki_ext cheat(zki_ext delta, zki_ext t)
{
    zki_ext v = delta;
    for (unsigned m = 2; m <= 4; m++)
        v = zki_ext_mul(v, zki_ext_sub(t, zki_ext_from_fe(m)));
    return zki_ext_mul(v, zki_ext_inv(zki_ext_from_fe(zki_fe_neg(30 % ZKI_P))));
}

static void test_layer_rounds(void)
{
    const size_t j = 2, N = (size_t)1 << (j + 1);
    zki_ext p[8], q[8], r[2], lambda = rand_ext();
    for (size_t x = 0; x < N; x++) {
        p[x] = rand_ext();
        q[x] = rand_ext();
    }
    r[0] = rand_ext();
    r[1] = rand_ext();
    /* the true claim: P + lambda Q on layer j at r */
    zki_ext P[4], Q[4];
    for (size_t i = 0; i < 4; i++) {
        P[i] = zki_ext_add(zki_ext_mul(p[i], q[i + 4]), zki_ext_mul(p[i + 4], q[i]));
        Q[i] = zki_ext_mul(q[i], q[i + 4]);
    }
    zki_ext claim0 = zki_ext_add(zki_mle_eval_ext(P, j, r), zki_ext_mul(lambda, zki_mle_eval_ext(Q, j, r)));
    zki_ext delta0 = ext_of(5);
    unsigned long honest_ok = 0, cheat_ok = 0;
    for (uint64_t c0 = 0; c0 < F_EXT; c0++)
        for (uint64_t c1 = 0; c1 < F_EXT; c1++) {
            zki_ext c[2] = {ext_of(c0), ext_of(c1)};
            for (int mode = 0; mode < 2; mode++) {
                zki_frac_layer *L;
                zki_frac_layer_new(&L, p, q, j, r, lambda);
                zki_ext lie = mode ? delta0 : zki_ext_zero();
                zki_ext claim = zki_ext_add(claim0, lie);
                for (size_t i = 0; i < j; i++) {
                    zki_ext msg[3];
                    zki_frac_layer_round(L, msg);
                    if (!zki_ext_is_zero(lie)) {
                        msg[0] = zki_ext_add(msg[0], cheat(lie, zki_ext_zero()));
                        msg[1] = zki_ext_add(msg[1], cheat(lie, zki_ext_from_fe(2)));
                        msg[2] = zki_ext_add(msg[2], cheat(lie, zki_ext_from_fe(3)));
                        lie = cheat(lie, c[i]);
                    }
                    claim = zki_sc_next_claim(claim, msg, 3, c[i]);
                    zki_frac_layer_bind(L, c[i]);
                }
                zki_ext ev[4];
                zki_frac_layer_final(L, ev);
                zki_frac_layer_free(L);
                int ok = zki_frac_layer_check(r, c, j, lambda, ev, claim) == ZKI_OK;
                if (mode)
                    cheat_ok += ok;
                else
                    honest_ok += ok;
            }
        }
    unsigned long F = F_EXT;
    CHECK(honest_ok == F * F);
    CHECK_MSG(cheat_ok == F * F - (F - 3) * (F - 3), "cheat accepted %lu", cheat_ok);
    CHECK(cheat_ok <= 2 * 3 * F);
}

/* Every element of a 3-variable proof, set to every other value: rejected
 * by a layer check or by the leaf claims, except when a Fiat-Shamir
 * challenge of the changed transcript happens to hit a root (a few per
 * cent in a field of 289 elements, negligible over Goldilocks^2). */
static void test_mutations(void)
{
    const size_t n = 3, N = 8;
    zki_ext p[8], q[8];
    for (size_t x = 0; x < N; x++) {
        p[x] = rand_ext();
        do
            q[x] = rand_ext();
        while (zki_ext_is_zero(q[x]));
    }
    zki_transcript tp;
    zki_ts_init(&tp, "frac", 1);
    zki_frac_proof pf;
    zki_ext pt[3];
    zki_frac_evals ev;
    CHECK(zki_frac_prove(p, q, n, &tp, &pf, pt, &ev) == ZKI_OK);
    zki_ts_free(&tp);
    size_t nm = 3 * (n * (n - 1) / 2), ne = 4 * n;
    unsigned long accepted = 0, tried = 0;
    for (size_t e = 0; e < 2 + nm + ne; e++) {
        zki_ext *slot = e == 0 ? &pf.root_p : e == 1 ? &pf.root_q
                      : e < 2 + nm ? &pf.msgs[e - 2] : &pf.evals[e - 2 - nm];
        zki_ext keep = *slot;
        for (uint64_t v = 0; v < F_EXT; v++) {
            if (zki_ext_eq(ext_of(v), keep))
                continue;
            *slot = ext_of(v);
            zki_transcript tv;
            zki_ts_init(&tv, "frac", 1);
            zki_ext pt2[3];
            zki_frac_claims cl;
            int ok = zki_frac_verify(n, &pf, &tv, pt2, &cl) == ZKI_OK;
            /* the caller then checks the leaves at pt2 */
            ok = ok && zki_ext_eq(cl.p.c, zki_mle_eval_ext(p, n, pt2)) &&
                 zki_ext_eq(cl.q.c, zki_mle_eval_ext(q, n, pt2));
            accepted += ok;
            tried++;
            zki_ts_free(&tv);
        }
        *slot = keep;
    }
    /* each accepted mutation needs a challenge to hit a root of a nonzero
     * polynomial of degree <= 3 somewhere: allow that small fraction */
    printf("mutations accepted: %lu of %lu\n", accepted, tried);
    CHECK_MSG(accepted * 20 < tried, "accepted %lu of %lu", accepted, tried);
    zki_frac_proof_free(&pf);
}

int main(void)
{
    zki_rng_seed(&rng, 17);
    test_pairs();
    test_layer_rounds();
    test_mutations();
    return TEST_SUMMARY();
}
