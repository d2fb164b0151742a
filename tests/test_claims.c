/* Claim reduction and the claim ledger. */
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "poly/mle.h"
#include "sumcheck/claims.h"
#include "test.h"

static zki_rng rng;

static zki_fe rand_fe(void) { return zki_rng_below(&rng, ZKI_P); }
static zki_ext rand_ext(void) { return zki_ext_make(rand_fe(), rand_fe()); }

static void ts_new(zki_transcript *t) { CHECK(zki_ts_init(t, "zki-test-claims", 1) == ZKI_OK); }

typedef struct {
    size_t nvars, k;
    zki_fe *tb;
    zki_ext *te;
    zki_ext *pts[8];
    zki_ext vals[8];
} claims;

static zki_ext table_eval(const claims *c, const zki_ext *pt)
{
    return c->tb ? zki_mle_eval_base(c->tb, c->nvars, pt) : zki_mle_eval_ext(c->te, c->nvars, pt);
}

static void claims_make(claims *c, size_t nvars, size_t k, int ext)
{
    memset(c, 0, sizeof *c);
    c->nvars = nvars;
    c->k = k;
    size_t N = (size_t)1 << nvars;
    if (ext) {
        c->te = malloc(N * sizeof *c->te);
        for (size_t x = 0; x < N; x++)
            c->te[x] = rand_ext();
    } else {
        c->tb = malloc(N * sizeof *c->tb);
        for (size_t x = 0; x < N; x++)
            c->tb[x] = rand_fe();
    }
    for (size_t j = 0; j < k; j++) {
        c->pts[j] = malloc((nvars + 1) * sizeof(zki_ext));
        for (size_t i = 0; i < nvars; i++)
            c->pts[j][i] = rand_ext();
        c->vals[j] = table_eval(c, c->pts[j]);
    }
}

static void claims_free(claims *c)
{
    free(c->tb);
    free(c->te);
    for (size_t j = 0; j < c->k; j++)
        free(c->pts[j]);
}

static zki_status verify_claims(const claims *c, const zki_ext *vals,
                                const zki_claim_reduction_proof *pr, zki_ext *pt, zki_ext *v)
{
    zki_transcript t;
    ts_new(&t);
    zki_status st = zki_claims_reduce_verify(c->nvars, (const zki_ext *const *)c->pts, vals, c->k,
                                             pr, &t, pt, v);
    zki_ts_free(&t);
    return st;
}

static void test_reduce(size_t nvars, size_t k, int ext)
{
    claims c;
    claims_make(&c, nvars, k, ext);
    zki_transcript t;
    ts_new(&t);
    zki_claim_reduction_proof pr;
    zki_ext pp[16], pv, vp[16], vv;
    zki_status st = zki_claims_reduce_prove(c.tb, c.te, nvars, (const zki_ext *const *)c.pts,
                                            c.vals, k, &t, &pr, pp, &pv);
    zki_ts_free(&t);
    CHECK_MSG(st == ZKI_OK, "reduce prove n=%zu k=%zu ext=%d", nvars, k, ext);
    CHECK(pr.nvars == nvars);
    CHECK(k > 1 || pr.sc.msgs == NULL);
    CHECK_MSG(zki_ext_eq(pv, table_eval(&c, pp)), "reduced claim is f(out_point) n=%zu k=%zu",
              nvars, k);
    st = verify_claims(&c, c.vals, &pr, vp, &vv);
    CHECK_MSG(st == ZKI_OK, "reduce verify n=%zu k=%zu ext=%d", nvars, k, ext);
    CHECK(nvars == 0 || memcmp(pp, vp, nvars * sizeof *pp) == 0);
    CHECK(zki_ext_eq(pv, vv));
    if (k == 1) {
        CHECK(nvars == 0 || memcmp(vp, c.pts[0], nvars * sizeof *vp) == 0);
        CHECK(zki_ext_eq(vv, c.vals[0]));
    }

    if (k > 1) {
        /* one wrong value among k: the prover refuses, the verifier rejects */
        for (size_t j = 0; j < k; j++) {
            zki_ext bad[8];
            memcpy(bad, c.vals, sizeof bad);
            bad[j] = zki_ext_add_fe(bad[j], 1);
            CHECK_MSG(verify_claims(&c, bad, &pr, vp, &vv) == ZKI_ERR_VERIFY,
                      "wrong value %zu of %zu accepted", j, k);
            zki_claim_reduction_proof bp;
            ts_new(&t);
            CHECK(zki_claims_reduce_prove(c.tb, c.te, nvars, (const zki_ext *const *)c.pts, bad,
                                          k, &t, &bp, pp, &pv) == ZKI_ERR_INPUT);
            zki_ts_free(&t);
        }
        /* altered f_at_rho */
        zki_ext saved = pr.f_at_rho;
        pr.f_at_rho = zki_ext_add(pr.f_at_rho, zki_ext_make(0, 1));
        CHECK(verify_claims(&c, c.vals, &pr, vp, &vv) == ZKI_ERR_VERIFY);
        pr.f_at_rho = saved;
        /* altered sum-check message, each position */
        for (size_t m = 0; m < nvars * pr.sc.degree; m++) {
            zki_ext s = pr.sc.msgs[m];
            pr.sc.msgs[m].c0 = zki_fe_add(s.c0, 1);
            CHECK_MSG(verify_claims(&c, c.vals, &pr, vp, &vv) == ZKI_ERR_VERIFY,
                      "altered message %zu accepted", m);
            pr.sc.msgs[m] = s;
        }
        /* wrong number of variables in the proof */
        pr.nvars++;
        CHECK(verify_claims(&c, c.vals, &pr, vp, &vv) == ZKI_ERR_INPUT);
        pr.nvars--;
        CHECK(verify_claims(&c, c.vals, &pr, vp, &vv) == ZKI_OK);
    }
    zki_claim_reduction_proof_free(&pr);
    claims_free(&c);
}

static void test_bad_args(void)
{
    claims c;
    claims_make(&c, 3, 2, 0);
    zki_transcript t;
    ts_new(&t);
    zki_claim_reduction_proof pr;
    zki_ext pp[3], pv;
    const zki_ext *const *pts = (const zki_ext *const *)c.pts;
    CHECK(zki_claims_reduce_prove(c.tb, c.te, 3, pts, c.vals, 0, &t, &pr, pp, &pv) ==
          ZKI_ERR_INPUT);
    CHECK(zki_claims_reduce_prove(NULL, NULL, 3, pts, c.vals, 2, &t, &pr, pp, &pv) ==
          ZKI_ERR_INPUT);
    CHECK(zki_claims_reduce_prove(c.tb, (zki_ext *)c.pts[0], 3, pts, c.vals, 2, &t, &pr, pp,
                                  &pv) == ZKI_ERR_INPUT);
    CHECK(zki_claims_reduce_verify(3, pts, c.vals, 2, NULL, &t, pp, &pv) == ZKI_ERR_INPUT);
    zki_ts_free(&t);
    claims_free(&c);
}

/* Two tensors, several claims each; prover and verifier ledgers end equal
 * and the surviving claim is true. */
static void test_ledger(void)
{
    size_t n1 = 6, n2 = 4;
    claims a, b;
    claims_make(&a, n1, 3, 0);
    claims_make(&b, n2, 1, 1);
    zki_ledger L[2];
    for (int side = 0; side < 2; side++) {
        zki_ledger *l = &L[side];
        zki_ledger_init(l);
        CHECK(zki_ledger_add(l, 7, a.pts[0], n1, a.vals[0]) == ZKI_OK);
        CHECK(zki_ledger_add(l, 9, b.pts[0], n2, b.vals[0]) == ZKI_OK);
        CHECK(zki_ledger_add(l, 7, a.pts[1], n1, a.vals[1]) == ZKI_OK);
        CHECK(zki_ledger_add(l, 7, a.pts[2], n1, a.vals[2]) == ZKI_OK);
        CHECK(zki_ledger_add(l, 7, a.pts[2], n1 + 1, a.vals[2]) == ZKI_ERR_INPUT);
        for (int i = 0; i < 40; i++) /* growth past the first capacity */
            CHECK(zki_ledger_add(l, 100 + i, NULL, 0, zki_ext_one()) == ZKI_OK);
        CHECK(zki_ledger_count(l, 7) == 3);
        CHECK(zki_ledger_count(l, 9) == 1);
        CHECK(zki_ledger_count(l, 8) == 0);
        CHECK(zki_ledger_get(l, 7) == NULL);
        CHECK(zki_ledger_get(l, 8) == NULL);
        CHECK(zki_ledger_get(l, 9) != NULL);
    }
    /* the ledger owns copies: scribbling on the caller's point changes nothing */
    zki_ext keep = a.pts[0][0];
    a.pts[0][0] = zki_ext_zero();

    zki_claim_reduction_proof p7, p9;
    zki_transcript t;
    ts_new(&t);
    CHECK(zki_ledger_reduce_prove(&L[0], 7, a.tb, NULL, &t, &p7) == ZKI_OK);
    CHECK(zki_ledger_reduce_prove(&L[0], 9, NULL, b.te, &t, &p9) == ZKI_OK);
    CHECK(zki_ledger_reduce_prove(&L[0], 8, a.tb, NULL, &t, &p9) == ZKI_ERR_INPUT);
    zki_ts_free(&t);
    ts_new(&t);
    CHECK(zki_ledger_reduce_verify(&L[1], 7, &p7, &t) == ZKI_OK);
    CHECK(zki_ledger_reduce_verify(&L[1], 9, &p9, &t) == ZKI_OK);
    zki_ts_free(&t);
    a.pts[0][0] = keep;

    for (int side = 0; side < 2; side++) {
        CHECK(zki_ledger_count(&L[side], 7) == 1);
        CHECK(zki_ledger_count(&L[side], 9) == 1);
        CHECK(zki_ledger_count(&L[side], 120) == 1);
        CHECK(L[side].n == 42);
    }
    const zki_claim *c0 = zki_ledger_get(&L[0], 7), *c1 = zki_ledger_get(&L[1], 7);
    CHECK(c0 && c1 && c0->nvars == n1 && c1->nvars == n1);
    if (c0 && c1) {
        CHECK(memcmp(c0->point, c1->point, n1 * sizeof(zki_ext)) == 0);
        CHECK(zki_ext_eq(c0->value, c1->value));
        CHECK(zki_ext_eq(c0->value, zki_mle_eval_base(a.tb, n1, c0->point)));
    }
    const zki_claim *d0 = zki_ledger_get(&L[0], 9);
    CHECK(d0 && zki_ext_eq(d0->value, b.vals[0]));
    CHECK(d0 && memcmp(d0->point, b.pts[0], n2 * sizeof(zki_ext)) == 0);

    /* a verifier ledger with a false claim rejects the same proof */
    zki_ledger bad;
    zki_ledger_init(&bad);
    for (int j = 0; j < 3; j++)
        zki_ledger_add(&bad, 7, a.pts[j], n1, j == 1 ? zki_ext_add_fe(a.vals[j], 1) : a.vals[j]);
    ts_new(&t);
    CHECK(zki_ledger_reduce_verify(&bad, 7, &p7, &t) == ZKI_ERR_VERIFY);
    zki_ts_free(&t);
    CHECK(zki_ledger_count(&bad, 7) == 3); /* unchanged on failure */

    zki_ledger_free(&bad);
    zki_ledger_free(&L[0]);
    zki_ledger_free(&L[1]);
    CHECK(L[0].n == 0 && L[0].items == NULL);
    zki_claim_reduction_proof_free(&p7);
    zki_claim_reduction_proof_free(&p9);
    claims_free(&a);
    claims_free(&b);
}

int main(void)
{
    zki_rng_seed(&rng, 0x636c6169);
    static const size_t ks[] = {1, 2, 3, 8};
    static const size_t ns[] = {0, 1, 4, 10};
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 4; j++)
            for (int ext = 0; ext <= 1; ext++)
                test_reduce(ns[j], ks[i], ext);
    test_bad_args();
    test_ledger();
    return TEST_SUMMARY();
}
