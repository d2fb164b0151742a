/* Sum-check: completeness over every shape, soundness against altered
 * proofs and cheating provers, proof-shape errors, thread determinism. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/rng.h"
#include "poly/mle.h"
#include "sumcheck/sumcheck.h"
#include "test.h"

static zki_rng rng;

static zki_fe rand_fe(void) { return zki_rng_below(&rng, ZKI_P); }
static zki_ext rand_ext(void) { return zki_ext_make(rand_fe(), rand_fe()); }

typedef struct {
    zki_sc_instance inst;
    zki_fe *b[ZKI_SC_MAX_TABLES];
    zki_ext *e[ZKI_SC_MAX_TABLES];
    zki_ext *z;
} test_inst;

/* Table j is extension-valued when bit j of ext_mask is set. */
static void inst_make(test_inst *ti, size_t nvars, unsigned k, unsigned ext_mask, int eq)
{
    memset(ti, 0, sizeof *ti);
    size_t N = (size_t)1 << nvars;
    ti->inst.nvars = nvars;
    ti->inst.n_tables = k;
    for (unsigned j = 0; j < k; j++) {
        if (ext_mask >> j & 1) {
            ti->e[j] = malloc(N * sizeof(zki_ext));
            for (size_t x = 0; x < N; x++)
                ti->e[j][x] = rand_ext();
            ti->inst.ext[j] = ti->e[j];
        } else {
            ti->b[j] = malloc(N * sizeof(zki_fe));
            for (size_t x = 0; x < N; x++)
                ti->b[j][x] = rand_fe();
            ti->inst.base[j] = ti->b[j];
        }
    }
    if (eq) {
        ti->z = malloc((nvars + 1) * sizeof(zki_ext));
        for (size_t i = 0; i < nvars; i++)
            ti->z[i] = rand_ext();
        ti->inst.eq_point = ti->z;
    }
}

static void inst_free(test_inst *ti)
{
    for (unsigned j = 0; j < ZKI_SC_MAX_TABLES; j++) {
        free(ti->b[j]);
        free(ti->e[j]);
    }
    free(ti->z);
}

static zki_ext tab_at(const zki_sc_instance *in, unsigned j, size_t x)
{
    return in->base[j] ? zki_ext_from_fe(in->base[j][x]) : in->ext[j][x];
}

/* Hypercube sum straight from the definition. */
static zki_ext brute_sum(const zki_sc_instance *in)
{
    zki_ext acc = zki_ext_zero();
    for (size_t x = 0; x < ((size_t)1 << in->nvars); x++) {
        zki_ext v = in->eq_point ? zki_ext_one() : tab_at(in, 0, x);
        for (size_t i = 0; in->eq_point && i < in->nvars; i++) {
            zki_ext zi = in->eq_point[i];
            v = zki_ext_mul(v, (x >> i & 1) ? zi : zki_ext_sub(zki_ext_one(), zi));
        }
        for (unsigned j = in->eq_point ? 0 : 1; j < in->n_tables; j++)
            v = zki_ext_mul(v, tab_at(in, j, x));
        acc = zki_ext_add(acc, v);
    }
    return acc;
}

/* Each table's MLE at point, computed independently of the prover. */
static void true_evals(const zki_sc_instance *in, const zki_ext *point, zki_ext *out)
{
    for (unsigned j = 0; j < in->n_tables; j++)
        out[j] = in->base[j] ? zki_mle_eval_base(in->base[j], in->nvars, point)
                             : zki_mle_eval_ext(in->ext[j], in->nvars, point);
}

static void ts_new(zki_transcript *t)
{
    zki_status st = zki_ts_init(t, "zki-test-sumcheck", 1);
    CHECK(st == ZKI_OK);
}

/* Verifies proof against inst and claimed sum on a fresh transcript,
 * using the tables' true evaluations at the verifier's point. Returns the
 * first failing status. */
static zki_status verify_all(const zki_sc_instance *in, zki_ext claimed, const zki_sc_proof *pr)
{
    zki_transcript t;
    ts_new(&t);
    zki_ext point[64], fv, ev[ZKI_SC_MAX_TABLES];
    zki_status st = zki_sumcheck_verify(in->nvars, zki_sc_degree(in), claimed, pr, &t, point, &fv);
    zki_ts_free(&t);
    if (st != ZKI_OK)
        return st;
    true_evals(in, point, ev);
    return zki_sumcheck_check_final(in->eq_point, point, in->nvars, ev, in->n_tables, fv);
}

static void test_complete(size_t nvars, unsigned k, unsigned mask, int eq)
{
    test_inst ti;
    inst_make(&ti, nvars, k, mask, eq);
    zki_sc_instance *in = &ti.inst;
    zki_ext sum = brute_sum(in);
    CHECK_MSG(zki_ext_eq(zki_sc_sum(in), sum), "zki_sc_sum n=%zu k=%u mask=%u eq=%d", nvars, k,
              mask, eq);
    zki_transcript t;
    ts_new(&t);
    zki_sc_proof pr;
    zki_ext point[64], ev[ZKI_SC_MAX_TABLES], tev[ZKI_SC_MAX_TABLES];
    zki_status st = zki_sumcheck_prove(in, sum, &t, &pr, point, ev);
    CHECK_MSG(st == ZKI_OK, "prove n=%zu k=%u mask=%u eq=%d", nvars, k, mask, eq);
    zki_ts_free(&t);
    if (st != ZKI_OK) {
        inst_free(&ti);
        return;
    }
    CHECK(pr.nvars == nvars && pr.degree == k + (eq != 0));
    true_evals(in, point, tev);
    CHECK_MSG(memcmp(ev, tev, k * sizeof *ev) == 0, "prover evals n=%zu k=%u mask=%u eq=%d",
              nvars, k, mask, eq);

    /* verifier on its own transcript: same point, accepts */
    ts_new(&t);
    zki_ext vpoint[64], fv;
    st = zki_sumcheck_verify(nvars, pr.degree, sum, &pr, &t, vpoint, &fv);
    zki_ts_free(&t);
    CHECK_MSG(st == ZKI_OK, "verify n=%zu k=%u mask=%u eq=%d", nvars, k, mask, eq);
    CHECK(nvars == 0 || memcmp(point, vpoint, nvars * sizeof *point) == 0);
    st = zki_sumcheck_check_final(in->eq_point, vpoint, nvars, tev, k, fv);
    CHECK_MSG(st == ZKI_OK, "final check n=%zu k=%u mask=%u eq=%d", nvars, k, mask, eq);

    /* wrong claimed sum: the prover refuses, the verifier rejects */
    zki_ext wrong = zki_ext_add_fe(sum, 1);
    ts_new(&t);
    zki_sc_proof bad;
    CHECK(zki_sumcheck_prove(in, wrong, &t, &bad, point, ev) == ZKI_ERR_INPUT);
    CHECK(bad.msgs == NULL);
    zki_ts_free(&t);
    CHECK_MSG(verify_all(in, wrong, &pr) == ZKI_ERR_VERIFY, "wrong sum accepted n=%zu k=%u",
              nvars, k);
    /* wrong final table evaluations */
    for (unsigned j = 0; j < k; j++) {
        zki_ext e2[ZKI_SC_MAX_TABLES];
        memcpy(e2, tev, sizeof e2);
        e2[j] = zki_ext_add(e2[j], zki_ext_make(0, 1));
        CHECK(zki_sumcheck_check_final(in->eq_point, vpoint, nvars, e2, k, fv) ==
              ZKI_ERR_VERIFY);
    }
    zki_sc_proof_free(&pr);
    CHECK(pr.msgs == NULL);
    inst_free(&ti);
}

/* Alter every single coordinate of every round message. */
static void test_alter_each(int eq)
{
    test_inst ti;
    inst_make(&ti, 4, 2, 2, eq);
    zki_sc_instance *in = &ti.inst;
    zki_ext sum = zki_sc_sum(in);
    zki_transcript t;
    ts_new(&t);
    zki_sc_proof pr;
    zki_ext point[4], ev[2];
    CHECK(zki_sumcheck_prove(in, sum, &t, &pr, point, ev) == ZKI_OK);
    zki_ts_free(&t);
    CHECK(verify_all(in, sum, &pr) == ZKI_OK);
    size_t nmsg = pr.nvars * pr.degree;
    int rejected = 0;
    for (size_t pos = 0; pos < nmsg; pos++) {
        for (int coord = 0; coord < 2; coord++) {
            zki_ext saved = pr.msgs[pos];
            if (coord == 0)
                pr.msgs[pos].c0 = zki_fe_add(pr.msgs[pos].c0, 1);
            else
                pr.msgs[pos].c1 = zki_fe_add(pr.msgs[pos].c1, 1);
            rejected += verify_all(in, sum, &pr) == ZKI_ERR_VERIFY;
            pr.msgs[pos] = saved;
        }
    }
    CHECK_MSG(rejected == (int)(2 * nmsg), "altered messages: %d of %zu rejected", rejected,
              2 * nmsg);
    CHECK(verify_all(in, sum, &pr) == ZKI_OK);
    zki_sc_proof_free(&pr);
    inst_free(&ti);
}

static size_t bit_reverse(size_t x, size_t n)
{
    size_t y = 0;
    for (size_t i = 0; i < n; i++)
        y |= (x >> i & 1) << (n - 1 - i);
    return y;
}

/* A prover that binds the variables in reverse order (the bit-reversed
 * instance has the same sum), and final evaluations at a permuted point. */
static void test_swapped_order(int eq)
{
    size_t n = 5, N = (size_t)1 << n;
    test_inst ti, tr;
    inst_make(&ti, n, 2, 1, eq);
    inst_make(&tr, n, 2, 1, eq);
    for (size_t x = 0; x < N; x++) {
        tr.e[0][bit_reverse(x, n)] = ti.e[0][x];
        tr.b[1][bit_reverse(x, n)] = ti.b[1][x];
    }
    for (size_t i = 0; eq && i < n; i++)
        tr.z[n - 1 - i] = ti.z[i];
    zki_ext sum = zki_sc_sum(&ti.inst);
    CHECK(zki_ext_eq(zki_sc_sum(&tr.inst), sum));

    zki_transcript t;
    ts_new(&t);
    zki_sc_proof pr;
    zki_ext point[5], ev[2];
    CHECK(zki_sumcheck_prove(&tr.inst, sum, &t, &pr, point, ev) == ZKI_OK);
    zki_ts_free(&t);
    CHECK(verify_all(&tr.inst, sum, &pr) == ZKI_OK);
    CHECK_MSG(verify_all(&ti.inst, sum, &pr) == ZKI_ERR_VERIFY, "reversed binding order eq=%d",
              eq);
    zki_sc_proof_free(&pr);

    /* honest proof, evaluations claimed at the reversed point */
    ts_new(&t);
    CHECK(zki_sumcheck_prove(&ti.inst, sum, &t, &pr, point, ev) == ZKI_OK);
    zki_ts_free(&t);
    ts_new(&t);
    zki_ext vpoint[5], rpoint[5], fv, rev[2];
    CHECK(zki_sumcheck_verify(n, pr.degree, sum, &pr, &t, vpoint, &fv) == ZKI_OK);
    zki_ts_free(&t);
    for (size_t i = 0; i < n; i++)
        rpoint[i] = vpoint[n - 1 - i];
    true_evals(&ti.inst, rpoint, rev);
    CHECK(zki_sumcheck_check_final(ti.inst.eq_point, vpoint, n, rev, 2, fv) == ZKI_ERR_VERIFY);
    true_evals(&ti.inst, vpoint, rev);
    CHECK(zki_sumcheck_check_final(ti.inst.eq_point, vpoint, n, rev, 2, fv) == ZKI_OK);
    zki_sc_proof_free(&pr);
    inst_free(&ti);
    inst_free(&tr);
}

/* A cheater claiming a false sum through the transcript: each round sends
 * the honest polynomial plus the constant c = (claim - honest) / 2, so that
 * p(0) + p(1) matches its running claim; the lie survives to the end. */
static void test_cheating_prover(int eq)
{
    size_t n = 6;
    test_inst ti;
    inst_make(&ti, n, 3, 5, eq);
    zki_sc_instance *in = &ti.inst;
    zki_ext sum = zki_sc_sum(in), lie = zki_ext_add(sum, rand_ext());
    unsigned d = zki_sc_degree(in);
    zki_sc_prover *p;
    CHECK(zki_sc_prover_new(&p, in) == ZKI_OK);
    zki_sc_proof pr = {n, d, malloc(n * d * sizeof(zki_ext))};
    zki_transcript t;
    ts_new(&t);
    zki_ts_absorb_u64(&t, "sc.nvars", n);
    zki_ts_absorb_u64(&t, "sc.degree", d);
    zki_ts_absorb_ext(&t, "sc.sum", lie);
    zki_ext honest = sum, claim = lie;
    zki_fe inv2 = zki_fe_inv(2);
    for (size_t i = 0; i < n; i++) {
        zki_ext *msg = pr.msgs + i * d;
        zki_sc_prover_round(p, msg);
        zki_ext m[ZKI_SC_MAX_DEGREE];
        memcpy(m, msg, d * sizeof *m);
        /* constant shift c = (claim - honest) / 2 keeps p(0) + p(1) = claim */
        zki_ext c = zki_ext_scale(zki_ext_sub(claim, honest), inv2);
        for (unsigned j = 0; j < d; j++)
            msg[j] = zki_ext_add(msg[j], c);
        zki_ts_absorb_ext_vec(&t, "sc.round", msg, d);
        zki_ext r = zki_ts_challenge_ext(&t, "sc.r");
        honest = zki_sc_next_claim(honest, m, d, r);
        claim = zki_sc_next_claim(claim, msg, d, r);
        zki_sc_prover_bind(p, r);
    }
    zki_ts_free(&t);
    CHECK(!zki_ext_eq(honest, claim));
    CHECK(verify_all(in, lie, &pr) == ZKI_ERR_VERIFY);
    CHECK(verify_all(in, sum, &pr) == ZKI_ERR_VERIFY);
    zki_sc_prover_free(p);
    zki_sc_proof_free(&pr);
    inst_free(&ti);
}

static void test_shape_errors(void)
{
    test_inst ti;
    inst_make(&ti, 3, 2, 0, 1);
    zki_sc_instance *in = &ti.inst;
    zki_ext sum = zki_sc_sum(in), point[8], fv, ev[4];
    zki_transcript t;
    ts_new(&t);
    zki_sc_proof pr;
    CHECK(zki_sumcheck_prove(in, sum, &t, &pr, point, ev) == ZKI_OK);
    zki_ts_free(&t);
    CHECK(verify_all(in, sum, &pr) == ZKI_OK);

    struct {
        size_t nvars;
        unsigned degree;
        int null_msgs;
    } cases[] = {{4, 3, 0}, {2, 3, 0}, {3, 2, 0}, {3, 4, 0}, {3, 3, 1}, {3, 0, 0}, {3, 6, 0}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        zki_sc_proof bad = pr;
        if (cases[c].null_msgs)
            bad.msgs = NULL;
        else {
            bad.nvars = cases[c].nvars;
            bad.degree = cases[c].degree;
        }
        /* the verifier expects (3, 3); degrees 0 and 6 are also asked for */
        unsigned want_deg = cases[c].degree == 0 || cases[c].degree == 6 ? cases[c].degree : 3;
        ts_new(&t);
        zki_clear_error();
        zki_status st = zki_sumcheck_verify(3, want_deg, sum, &bad, &t, point, &fv);
        zki_ts_free(&t);
        CHECK_MSG(st == ZKI_ERR_INPUT, "shape case %zu gave %d", c, (int)st);
        CHECK(zki_last_error()[0] != '\0');
    }
    ts_new(&t);
    CHECK(zki_sumcheck_verify(3, 3, sum, NULL, &t, point, &fv) == ZKI_ERR_INPUT);
    zki_ts_free(&t);
    CHECK(zki_sumcheck_check_final(NULL, point, 3, ev, 0, fv) == ZKI_ERR_INPUT);
    CHECK(zki_sumcheck_check_final(NULL, point, 3, ev, 5, fv) == ZKI_ERR_INPUT);

    /* malformed instances */
    zki_sc_instance bi = *in;
    zki_sc_proof bp;
    bi.n_tables = 0;
    ts_new(&t);
    CHECK(zki_sumcheck_prove(&bi, sum, &t, &bp, point, ev) == ZKI_ERR_INPUT);
    bi.n_tables = 5;
    CHECK(zki_sumcheck_prove(&bi, sum, &t, &bp, point, ev) == ZKI_ERR_INPUT);
    bi = *in;
    bi.ext[1] = ti.z; /* both base and ext given */
    CHECK(zki_sumcheck_prove(&bi, sum, &t, &bp, point, ev) == ZKI_ERR_INPUT);
    bi = *in;
    bi.base[0] = NULL; /* neither */
    CHECK(zki_sumcheck_prove(&bi, sum, &t, &bp, point, ev) == ZKI_ERR_INPUT);
    zki_sc_prover *p = (zki_sc_prover *)&bi;
    CHECK(zki_sc_prover_new(&p, &bi) == ZKI_ERR_INPUT && p == NULL);
    zki_ts_free(&t);
    zki_sc_proof_free(&pr);
    inst_free(&ti);
}

/* p(r) by Lagrange from the message against the polynomial itself. */
static void test_next_claim(void)
{
    for (unsigned d = 1; d <= ZKI_SC_MAX_DEGREE; d++) {
        zki_ext coef[ZKI_SC_MAX_DEGREE + 1], ev[ZKI_SC_MAX_DEGREE + 1], msg[ZKI_SC_MAX_DEGREE];
        for (unsigned i = 0; i <= d; i++)
            coef[i] = rand_ext();
        for (unsigned x = 0; x <= d + 3; x++) {
            zki_ext xe = x <= d ? zki_ext_from_fe(x) : rand_ext(), v = zki_ext_zero();
            for (unsigned i = d + 1; i-- > 0;)
                v = zki_ext_add(zki_ext_mul(v, xe), coef[i]);
            if (x <= d)
                ev[x] = v;
            else {
                msg[0] = ev[0];
                for (unsigned t = 2; t <= d; t++)
                    msg[t - 1] = ev[t];
                zki_ext got = zki_sc_next_claim(zki_ext_add(ev[0], ev[1]), msg, d, xe);
                CHECK_MSG(zki_ext_eq(got, v), "next_claim d=%u at random point", d);
            }
        }
        for (unsigned x = 0; x <= d; x++) {
            zki_ext got = zki_sc_next_claim(zki_ext_add(ev[0], ev[1]), msg, d, zki_ext_from_fe(x));
            CHECK_MSG(zki_ext_eq(got, ev[x]), "next_claim d=%u at %u", d, x);
        }
    }
    zki_ext m[6] = {{1, 2}};
    CHECK(zki_ext_is_zero(zki_sc_next_claim(zki_ext_one(), m, 0, zki_ext_one())));
    CHECK(zki_ext_is_zero(zki_sc_next_claim(zki_ext_one(), m, 6, zki_ext_one())));
}

/* The round API with chosen challenges, including ones that zero the eq
 * prefix (z_i = 0, r_i = 1) and eq points with 0/1 coordinates, which take
 * the prover's fallback for q(1). */
static void drive(const zki_sc_instance *in, const zki_ext *r)
{
    zki_sc_prover *p;
    CHECK(zki_sc_prover_new(&p, in) == ZKI_OK);
    unsigned d = zki_sc_degree(in);
    zki_ext claim = brute_sum(in), msg[ZKI_SC_MAX_DEGREE];
    for (size_t i = 0; i < in->nvars; i++) {
        zki_sc_prover_round(p, msg);
        zki_ext again[ZKI_SC_MAX_DEGREE];
        zki_sc_prover_round(p, again); /* idempotent within a round */
        CHECK(memcmp(msg, again, d * sizeof *msg) == 0);
        claim = zki_sc_next_claim(claim, msg, d, r[i]);
        zki_sc_prover_bind(p, r[i]);
    }
    zki_ext ev[ZKI_SC_MAX_TABLES], tev[ZKI_SC_MAX_TABLES];
    zki_sc_prover_final(p, ev);
    true_evals(in, r, tev);
    CHECK(memcmp(ev, tev, in->n_tables * sizeof *ev) == 0);
    CHECK(zki_sumcheck_check_final(in->eq_point, r, in->nvars, tev, in->n_tables, claim) ==
          ZKI_OK);
    zki_sc_prover_free(p);
}

static void test_special_points(void)
{
    size_t n = 6;
    test_inst ti;
    inst_make(&ti, n, 2, 2, 1);
    zki_ext r[6];
    zki_ext zero = zki_ext_zero(), one = zki_ext_one();
    /* z = (0, 1, rand, 0, rand, 1) */
    ti.z[0] = zero;
    ti.z[1] = one;
    ti.z[3] = zero;
    ti.z[5] = one;
    for (int trial = 0; trial < 6; trial++) {
        for (size_t i = 0; i < n; i++)
            r[i] = rand_ext();
        if (trial == 1)
            r[0] = one; /* eq(0, 1) = 0: the prefix C vanishes from round 1 on */
        if (trial == 2)
            r[2] = zki_ext_mul(zki_ext_sub(ti.z[2], one),
                               zki_ext_inv(zki_ext_add_fe(zki_ext_add(ti.z[2], ti.z[2]), ZKI_P - 1)));
        if (trial == 3)
            for (size_t i = 0; i < n; i++)
                r[i] = zki_ext_from_fe(i & 1);
        if (trial == 4)
            r[4] = zero;
        drive(&ti.inst, r);
    }
    inst_free(&ti);
}

/* 1 and 2 threads give the same proof bit for bit. */
static void test_threads(void)
{
    struct {
        unsigned k, mask;
        int eq;
    } shapes[] = {{2, 0, 0}, {3, 5, 1}, {4, 15, 1}, {1, 1, 1}, {2, 0, 1}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        test_inst ti;
        inst_make(&ti, 16, shapes[s].k, shapes[s].mask, shapes[s].eq);
        zki_ext sum = zki_sc_sum(&ti.inst);
        zki_sc_proof pr[2];
        zki_ext point[2][16], ev[2][4];
        for (int th = 0; th < 2; th++) {
            omp_set_num_threads(th + 1);
            zki_transcript t;
            ts_new(&t);
            CHECK(zki_sumcheck_prove(&ti.inst, sum, &t, &pr[th], point[th], ev[th]) == ZKI_OK);
            zki_ts_free(&t);
        }
        omp_set_num_threads(1);
        CHECK_MSG(zki_ext_eq(sum, zki_sc_sum(&ti.inst)), "sum threads, shape %zu", s);
        CHECK_MSG(memcmp(pr[0].msgs, pr[1].msgs, 16 * pr[0].degree * sizeof(zki_ext)) == 0,
                  "proof differs between 1 and 2 threads, shape %zu", s);
        CHECK(memcmp(point[0], point[1], sizeof point[0]) == 0);
        CHECK(memcmp(ev[0], ev[1], shapes[s].k * sizeof(zki_ext)) == 0);
        zki_sc_proof_free(&pr[0]);
        zki_sc_proof_free(&pr[1]);
        inst_free(&ti);
    }
}

int main(void)
{
    zki_rng_seed(&rng, 0x73756d63);
    omp_set_num_threads(1);
    static const size_t sizes[] = {0, 1, 2, 5, 10, 16};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (unsigned k = 1; k <= ZKI_SC_MAX_TABLES; k++)
            for (int eq = 0; eq <= 1; eq++) {
                unsigned all = (1u << k) - 1;
                test_complete(sizes[s], k, 0, eq);          /* all base */
                test_complete(sizes[s], k, all, eq);        /* all extension */
                if (k > 1)
                    test_complete(sizes[s], k, 0xA & all, eq); /* mixed */
            }
    test_alter_each(0);
    test_alter_each(1);
    test_swapped_order(0);
    test_swapped_order(1);
    test_cheating_prover(0);
    test_cheating_prover(1);
    test_shape_errors();
    test_next_claim();
    test_special_points();
    test_threads();
    return TEST_SUMMARY();
}
