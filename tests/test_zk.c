/* Private values (src/zk/): the tape's batched equation against the true
 * witness, the zero-knowledge sum-check (padded messages, the verifier's
 * constraints, the prover's replay of them), false claims carried to the
 * final equation, and plain proofs through the same verifier calls. */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/rng.h"
#include "poly/mle.h"
#include "sumcheck/sumcheck.h"
#include "test.h"
#include "zk/zk.h"

static zki_rng rng;

static zki_fe rand_fe(void) { return zki_rng_below(&rng, ZKI_P); }
static zki_ext rand_ext(void) { return zki_ext_make(rand_fe(), rand_fe()); }

#include "test_zk_util.h"

#define equation_holds zk_equation_holds

static void test_tape(void)
{
    /* witness: 20 pads; values v_i = s_i + P_i */
    enum { N = 20 };
    zki_ext pads[N], s[N], v[N], k[N];
    for (int i = 0; i < N; i++) {
        pads[i] = rand_ext();
        v[i] = rand_ext();
        k[i] = rand_ext();
    }
    zki_zk *zp = zki_zk_new_with_pads(N, pads), *zv = zki_zk_new_verifier(N);
    CHECK(zp && zv);
    zki_transcript tp, tv;
    zki_ts_init(&tp, "test/zk", 1);
    zki_ts_init(&tv, "test/zk", 1);
    tp.zk = zp;
    tv.zk = zv;
    zki_pv xp[N], xv[N];
    for (int i = 0; i < N; i++) {
        s[i] = zki_zk_send(&tp, "v", v[i]);
        CHECK(zki_ext_eq(s[i], zki_ext_sub(v[i], pads[i])));
    }
    /* the verifier and the prover's replay read the same proof */
    zki_transcript tr;
    zki_ts_init(&tr, "test/zk", 1);
    zki_zk *zr = zki_zk_new_with_pads(N, pads);
    tr.zk = zr;
    for (int i = 0; i < N; i++) {
        xv[i] = zki_zk_recv(&tv, "v", s[i]);
        xp[i] = zki_zk_recv(&tr, "v", s[i]);
        CHECK(zki_ext_eq(zki_pv_true(zr, xp[i]), v[i]));
    }
    zki_ext cp = zki_ts_challenge_ext(&tp, "c"), cv = zki_ts_challenge_ext(&tv, "c");
    CHECK(zki_ext_eq(cp, cv) && zki_ext_eq(zki_ts_challenge_ext(&tr, "c"), cv));
    /* a combination of all 20 (folded past 16 terms), a product, a public
     * multiple, each checked equal to its true value, which only the
     * prover knows */
    zki_ext lin = zki_ext_zero();
    for (int i = 0; i < N; i++)
        lin = zki_ext_add(lin, zki_ext_mul(k[i], v[i]));
    zki_ext prod = zki_ext_mul(v[3], v[7]);
    zki_ext pubm = zki_ext_add(zki_ext_mul(k[0], v[1]), k[2]);
    zki_zk *both[2] = {zv, zr};
    zki_pv *xs[2] = {xv, xp};
    for (int w = 0; w < 2; w++) {
        zki_zk *z = both[w];
        zki_pv *x = xs[w];
        CHECK(zki_pv_assert_eq(z, zki_pv_lin(z, N, k, x), zki_pv_pub(lin), "lin") == ZKI_OK);
        zki_pv m = zki_pv_mul(z, x[3], x[7]);
        CHECK(zki_pv_assert_eq(z, m, zki_pv_pub(prod), "prod") == ZKI_OK);
        zki_pv q = zki_pv_add(z, zki_pv_mul(z, zki_pv_pub(k[0]), x[1]), zki_pv_pub(k[2]));
        CHECK(zki_pv_assert_eq(z, q, zki_pv_pub(pubm), "pub") == ZKI_OK);
        CHECK(zki_zk_ok(z) == ZKI_OK);
        CHECK(zki_zk_n_products(z) == 1);
    }
    CHECK(zki_ext_eq(zki_zk_products(zr)[2], prod));
    CHECK(zki_zk_n_constraints(zv) == 5); /* lin, prod + its 2 operands, pub */
    CHECK(equation_holds(zv, zr) == 1);
    /* public values compare at once */
    CHECK(zki_pv_assert_eq(zv, zki_pv_pub(k[0]), zki_pv_pub(k[0]), "same") == ZKI_OK);
    CHECK(zki_pv_assert_eq(zv, zki_pv_pub(k[0]), zki_pv_pub(k[1]), "differ") == ZKI_ERR_VERIFY);
    /* a false constraint: refused by the prover's replay, carried with the
     * test hook, then the equation fails */
    zki_ext wrong = zki_ext_add(lin, zki_ext_one());
    CHECK(zki_pv_assert_eq(zr, zki_pv_lin(zr, N, k, xp), zki_pv_pub(wrong), "false") == ZKI_OK);
    CHECK(zki_zk_ok(zr) == ZKI_ERR_INPUT);
    zki_zk_free(zr);
    zr = zki_zk_new_with_pads(N, pads);
    zki_zk *zv2 = zki_zk_new_verifier(N);
    zki_transcript t3, t4;
    zki_ts_init(&t3, "test/zk", 1);
    zki_ts_init(&t4, "test/zk", 1);
    t3.zk = zr;
    t4.zk = zv2;
    for (int i = 0; i < N; i++) {
        xp[i] = zki_zk_recv(&t3, "v", s[i]);
        xv[i] = zki_zk_recv(&t4, "v", s[i]);
    }
    zki_zk_test_false = 1;
    CHECK(zki_pv_assert_eq(zr, zki_pv_lin(zr, N, k, xp), zki_pv_pub(wrong), "false") == ZKI_OK);
    zki_zk_test_false = 0;
    CHECK(zki_zk_ok(zr) == ZKI_OK);
    CHECK(zki_pv_assert_eq(zv2, zki_pv_lin(zv2, N, k, xv), zki_pv_pub(wrong), "false") == ZKI_OK);
    CHECK(equation_holds(zv2, zr) == 0);
    /* more values than pads: recorded */
    zki_zk_recv(&t4, "v", s[0]);
    CHECK(zki_zk_ok(zv2) == ZKI_ERR_INPUT);
    zki_ts_free(&tp);
    zki_ts_free(&tv);
    zki_ts_free(&tr);
    zki_ts_free(&t3);
    zki_ts_free(&t4);
    zki_zk_free(zp);
    zki_zk_free(zv);
    zki_zk_free(zr);
    zki_zk_free(zv2);
}

/* ---- the zero-knowledge sum-check -------------------------------------- */

typedef struct {
    zki_sc_instance inst;
    zki_ext *t[ZKI_SC_MAX_TABLES];
    zki_ext z[8];
} inst_t;

static void inst_make(inst_t *I, size_t n, unsigned k, int eq)
{
    memset(I, 0, sizeof *I);
    I->inst.nvars = n;
    I->inst.n_tables = k;
    for (unsigned j = 0; j < k; j++) {
        I->t[j] = malloc(sizeof(zki_ext) << n);
        for (size_t x = 0; x < ((size_t)1 << n); x++)
            I->t[j][x] = rand_ext();
        I->inst.ext[j] = I->t[j];
    }
    if (eq) {
        for (size_t i = 0; i < n; i++)
            I->z[i] = rand_ext();
        I->inst.eq_point = I->z;
    }
}

static void inst_free(inst_t *I)
{
    for (unsigned j = 0; j < ZKI_SC_MAX_TABLES; j++)
        free(I->t[j]);
}

/* The verifier's side on a proof (padded msgs, padded evals `ev`), with
 * context z (a verifier's, or a prover's replay). */
static zki_status verify_side(const inst_t *I, zki_ext sum, const zki_sc_proof *pf, const zki_ext *ev,
                              zki_zk *z, zki_ext *point)
{
    zki_transcript t;
    zki_ts_init(&t, "test/zk-sc", 1);
    t.zk = z;
    zki_pv fin, evs[ZKI_SC_MAX_TABLES];
    unsigned d = zki_sc_degree(&I->inst);
    zki_status st = zki_sumcheck_verify_pv(I->inst.nvars, d, zki_pv_pub(sum), pf, &t, point, &fin);
    for (unsigned j = 0; !st && j < I->inst.n_tables; j++)
        evs[j] = zki_zk_recv(&t, "ev", ev[j]);
    if (!st)
        st = zki_sumcheck_check_final_pv(I->inst.eq_point, point, I->inst.nvars, evs, I->inst.n_tables,
                                         fin, &t);
    if (!st && z)
        st = zki_zk_ok(z);
    zki_ts_free(&t);
    return st;
}

static void test_zk_sumcheck(size_t n, unsigned k, int eq)
{
    inst_t I;
    inst_make(&I, n, k, eq);
    unsigned d = zki_sc_degree(&I.inst);
    uint64_t n_pads = n * d + k;
    zki_ext sum = zki_sc_sum(&I.inst);
    zki_ext point[8], pv_point[8], ev[ZKI_SC_MAX_TABLES], sent[2][ZKI_SC_MAX_TABLES];
    zki_sc_proof pf[2];
    zki_zk *zp[2];
    for (int s = 0; s < 2; s++) {
        uint8_t seed[32] = {(uint8_t)(s + 1)};
        zp[s] = zki_zk_new_prover(n_pads, seed);
        zki_transcript t;
        zki_ts_init(&t, "test/zk-sc", 1);
        t.zk = zp[s];
        CHECK(zki_sumcheck_prove(&I.inst, sum, &t, &pf[s], point, ev) == ZKI_OK);
        for (unsigned j = 0; j < k; j++)
            sent[s][j] = zki_zk_send(&t, "ev", ev[j]);
        CHECK(zki_zk_used(zp[s]) == n_pads && zki_zk_ok(zp[s]) == ZKI_OK);
        zki_ts_free(&t);
    }
    /* two proofs of one statement: every sent value differs */
    int differ = 1;
    for (size_t i = 0; i < n * d; i++)
        differ &= !zki_ext_eq(pf[0].msgs[i], pf[1].msgs[i]);
    for (unsigned j = 0; j < k; j++)
        differ &= !zki_ext_eq(sent[0][j], sent[1][j]);
    CHECK_MSG(differ, "zk sum-check n=%zu k=%u: two proofs share a sent value", n, k);
    for (int s = 0; s < 2; s++) {
        zki_zk *zv = zki_zk_new_verifier(n_pads);
        zki_zk *zr = zki_zk_new_with_pads(n_pads, zki_zk_pads(zp[s]));
        CHECK(verify_side(&I, sum, &pf[s], sent[s], zv, pv_point) == ZKI_OK);
        CHECK(verify_side(&I, sum, &pf[s], sent[s], zr, pv_point) == ZKI_OK);
        CHECK(zki_zk_n_constraints(zv) == zki_zk_n_constraints(zr));
        CHECK_MSG(equation_holds(zv, zr) == 1, "zk sum-check n=%zu k=%u eq=%d: equation fails", n, k, eq);
        zki_zk_free(zv);
        zki_zk_free(zr);
    }
    /* a false claimed sum: the prover's replay refuses it; carried with the
     * hook, the verifier's equation fails at the true witness */
    zki_sc_proof bad;
    zki_zk *zb = zki_zk_new_prover(n_pads, NULL);
    zki_transcript t;
    zki_ts_init(&t, "test/zk-sc", 1);
    t.zk = zb;
    zki_ext lie = zki_ext_add(sum, zki_ext_one());
    zki_sumcheck_test_false_claims = 1;
    CHECK(zki_sumcheck_prove(&I.inst, lie, &t, &bad, point, ev) == ZKI_OK);
    zki_sumcheck_test_false_claims = 0;
    zki_ext bsent[ZKI_SC_MAX_TABLES];
    for (unsigned j = 0; j < k; j++)
        bsent[j] = zki_zk_send(&t, "ev", ev[j]);
    zki_ts_free(&t);
    zki_zk *zr = zki_zk_new_with_pads(n_pads, zki_zk_pads(zb)), *zv = zki_zk_new_verifier(n_pads);
    CHECK(verify_side(&I, lie, &bad, bsent, zr, pv_point) == ZKI_ERR_INPUT);
    zki_zk_free(zr);
    zr = zki_zk_new_with_pads(n_pads, zki_zk_pads(zb));
    zki_zk_test_false = 1;
    CHECK(verify_side(&I, lie, &bad, bsent, zr, pv_point) == ZKI_OK);
    zki_zk_test_false = 0;
    CHECK(verify_side(&I, lie, &bad, bsent, zv, pv_point) == ZKI_OK);
    CHECK_MSG(equation_holds(zv, zr) == 0, "zk sum-check n=%zu k=%u: a false sum satisfies the equation", n, k);
    zki_zk_free(zr);
    zki_zk_free(zv);
    zki_zk_free(zb);
    zki_sc_proof_free(&bad);

    /* plain proofs through the same calls: the old verifier's point and
     * final value, and a wrong evaluation rejected at once */
    zki_sc_proof plain;
    zki_ts_init(&t, "test/zk-sc", 1);
    CHECK(zki_sumcheck_prove(&I.inst, sum, &t, &plain, point, ev) == ZKI_OK);
    zki_ts_free(&t);
    zki_ext old_point[8], old_final;
    zki_ts_init(&t, "test/zk-sc", 1);
    CHECK(zki_sumcheck_verify(n, d, sum, &plain, &t, old_point, &old_final) == ZKI_OK);
    zki_ts_free(&t);
    CHECK(verify_side(&I, sum, &plain, ev, NULL, pv_point) == ZKI_OK);
    CHECK(memcmp(old_point, pv_point, sizeof(zki_ext) * n) == 0);
    ev[0] = zki_ext_add(ev[0], zki_ext_one());
    CHECK(verify_side(&I, sum, &plain, ev, NULL, pv_point) == ZKI_ERR_VERIFY);
    zki_sc_proof_free(&plain);
    for (int s = 0; s < 2; s++) {
        zki_sc_proof_free(&pf[s]);
        zki_zk_free(zp[s]);
    }
    inst_free(&I);
}

int main(void)
{
    zki_rng_seed(&rng, 15);
    test_tape();
    for (size_t n = 1; n <= 5; n += 2)
        for (unsigned k = 1; k <= 3; k++)
            for (int eq = 0; eq <= 1; eq++)
                test_zk_sumcheck(n, k, eq);
    return TEST_SUMMARY();
}
