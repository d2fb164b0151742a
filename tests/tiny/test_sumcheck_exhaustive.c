/* Sum-check over the tiny field (p = 17, extension of 289 elements), every
 * challenge sequence enumerated.
 *
 * Honest prover: accepted for every sequence. Cheating prover for a false
 * sum: each round it sends honest + delta, where delta(0) + delta(1) is its
 * current lie and delta has d chosen roots; when the challenge hits a root
 * the lie vanishes and it continues honestly (the best a prover can do).
 * It is accepted exactly when some challenge hits a root, that is for
 * F^n - (F - d)^n of the F^n sequences, which must be positive and at most
 * the Schwartz-Zippel bound n d F^(n-1). */
#include <stdlib.h>
#include <string.h>

#include "../test.h"
#include "common/rng.h"
#include "poly/mle.h"
#include "sumcheck/sumcheck.h"

#define F_EXT (ZKI_P * ZKI_P) /* 289 */

static zki_rng rng;

static zki_ext ext_of(uint64_t i) { return zki_ext_make(i % ZKI_P, i / ZKI_P); }
static zki_fe rand_fe(void) { return zki_rng_below(&rng, ZKI_P); }
static zki_ext rand_ext(void) { return ext_of(zki_rng_below(&rng, F_EXT)); }

/* prod_m (t - root_m) with roots 2, 3, .., d+1. */
static zki_ext delta_shape(zki_ext t, unsigned d)
{
    zki_ext v = zki_ext_one();
    for (unsigned m = 0; m < d; m++)
        v = zki_ext_mul(v, zki_ext_sub(t, zki_ext_from_fe(m + 2)));
    return v;
}

typedef struct {
    size_t nvars;
    unsigned k, ext_mask;
    int eq;
} shape;

typedef struct {
    zki_sc_instance inst;
    zki_fe *b[ZKI_SC_MAX_TABLES];
    zki_ext *e[ZKI_SC_MAX_TABLES];
    zki_ext z[8];
} tiny_inst;

static void make(tiny_inst *ti, const shape *s)
{
    memset(ti, 0, sizeof *ti);
    size_t N = (size_t)1 << s->nvars;
    ti->inst.nvars = s->nvars;
    ti->inst.n_tables = s->k;
    for (unsigned j = 0; j < s->k; j++) {
        if (s->ext_mask >> j & 1) {
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
    if (s->eq) {
        for (size_t i = 0; i < s->nvars; i++)
            ti->z[i] = rand_ext();
        ti->inst.eq_point = ti->z;
    }
}

static void unmake(tiny_inst *ti)
{
    for (unsigned j = 0; j < ZKI_SC_MAX_TABLES; j++) {
        free(ti->b[j]);
        free(ti->e[j]);
    }
}

static uint64_t ipow(uint64_t b, size_t e)
{
    uint64_t r = 1;
    while (e--)
        r *= b;
    return r;
}

/* Runs every challenge sequence for one instance; eq coordinates in
 * zmask are set to 0 and those in omask to 1. */
static void exhaust(const shape *s, unsigned zmask, unsigned omask)
{
    tiny_inst ti;
    make(&ti, s);
    for (size_t i = 0; s->eq && i < s->nvars; i++) {
        if (zmask >> i & 1)
            ti.z[i] = zki_ext_zero();
        if (omask >> i & 1)
            ti.z[i] = zki_ext_one();
    }
    const zki_sc_instance *in = &ti.inst;
    size_t n = s->nvars;
    unsigned d = zki_sc_degree(in);
    zki_ext sum = zki_sc_sum(in);
    zki_ext lie0 = zki_ext_add(sum, ext_of(1 + zki_rng_below(&rng, F_EXT - 1)));
    /* delta(t) = lie * shape(t) / (shape(0) + shape(1)) */
    zki_ext norm = zki_ext_add(delta_shape(zki_ext_zero(), d), delta_shape(zki_ext_one(), d));
    CHECK(!zki_ext_is_zero(norm));
    zki_ext norm_inv = zki_ext_inv(norm);

    uint64_t runs = ipow(F_EXT, n), honest_ok = 0, cheat_ok = 0;
    for (uint64_t seq = 0; seq < runs; seq++) {
        zki_ext r[8];
        for (size_t i = 0, v = seq; i < n; i++, v /= F_EXT)
            r[i] = ext_of(v % F_EXT);
        zki_sc_prover *p;
        if (zki_sc_prover_new(&p, in) != ZKI_OK) {
            CHECK(0);
            break;
        }
        zki_ext honest = sum, lie = lie0;
        for (size_t i = 0; i < n; i++) {
            zki_ext msg[ZKI_SC_MAX_DEGREE], cm[ZKI_SC_MAX_DEGREE];
            zki_sc_prover_round(p, msg);
            memcpy(cm, msg, sizeof msg);
            zki_ext gap = zki_ext_sub(lie, honest);
            if (!zki_ext_is_zero(gap)) {
                zki_ext c = zki_ext_mul(gap, norm_inv);
                cm[0] = zki_ext_add(cm[0], zki_ext_mul(c, delta_shape(zki_ext_zero(), d)));
                for (unsigned t = 2; t <= d; t++)
                    cm[t - 1] = zki_ext_add(
                        cm[t - 1], zki_ext_mul(c, delta_shape(zki_ext_from_fe(t), d)));
            }
            honest = zki_sc_next_claim(honest, msg, d, r[i]);
            lie = zki_sc_next_claim(lie, cm, d, r[i]);
            zki_sc_prover_bind(p, r[i]);
        }
        zki_ext ev[ZKI_SC_MAX_TABLES];
        zki_sc_prover_final(p, ev);
        zki_sc_prover_free(p);
        honest_ok += zki_sumcheck_check_final(in->eq_point, r, n, ev, in->n_tables, honest) ==
                     ZKI_OK;
        cheat_ok +=
            zki_sumcheck_check_final(in->eq_point, r, n, ev, in->n_tables, lie) == ZKI_OK;
        if (seq % 97 == 0) { /* prover's evaluations are the tables' MLEs */
            int ok = 1;
            for (unsigned j = 0; j < in->n_tables; j++) {
                zki_ext want = in->base[j] ? zki_mle_eval_base(in->base[j], n, r)
                                           : zki_mle_eval_ext(in->ext[j], n, r);
                ok &= zki_ext_eq(want, ev[j]);
            }
            CHECK_MSG(ok, "final evals, seq %llu", (unsigned long long)seq);
        }
    }
    uint64_t expect = runs - ipow(F_EXT - d, n);
    uint64_t bound = (uint64_t)n * d * ipow(F_EXT, n ? n - 1 : 0);
    printf("n=%zu k=%u eq=%d d=%u: honest %llu/%llu, cheater %llu/%llu (bound %llu)\n", n, s->k,
           s->eq, d, (unsigned long long)honest_ok, (unsigned long long)runs,
           (unsigned long long)cheat_ok, (unsigned long long)runs, (unsigned long long)bound);
    CHECK_MSG(honest_ok == runs, "honest prover rejected %llu times",
              (unsigned long long)(runs - honest_ok));
    CHECK_MSG(cheat_ok == expect, "cheater accepted %llu times, strategy predicts %llu",
              (unsigned long long)cheat_ok, (unsigned long long)expect);
    CHECK(cheat_ok <= bound);
    CHECK(n == 0 || cheat_ok > 0);
    unmake(&ti);
}

/* The transcript-driven protocol in the tiny field. */
static void smoke_transcript(const shape *s)
{
    tiny_inst ti;
    make(&ti, s);
    zki_ext sum = zki_sc_sum(&ti.inst), pt[8], vpt[8], ev[4], fv;
    zki_transcript t;
    zki_sc_proof pr;
    CHECK(zki_ts_init(&t, "tiny", 1) == ZKI_OK);
    CHECK(zki_sumcheck_prove(&ti.inst, sum, &t, &pr, pt, ev) == ZKI_OK);
    zki_ts_free(&t);
    CHECK(zki_ts_init(&t, "tiny", 1) == ZKI_OK);
    CHECK(zki_sumcheck_verify(s->nvars, pr.degree, sum, &pr, &t, vpt, &fv) == ZKI_OK);
    zki_ts_free(&t);
    CHECK(zki_sumcheck_check_final(ti.inst.eq_point, vpt, s->nvars, ev, s->k, fv) == ZKI_OK);
    zki_sc_proof_free(&pr);
    unmake(&ti);
}

int main(void)
{
    zki_rng_seed(&rng, 17);
    static const shape shapes[] = {
        {2, 2, 0, 0}, /* two base tables, degree 2 */
        {2, 2, 2, 0}, /* base x extension */
        {1, 3, 2, 1}, /* eq and three tables, degree 4 */
        {2, 3, 5, 1}, /* the same over two rounds */
        {2, 1, 1, 1}, /* eq times one extension table, degree 2 */
        {2, 4, 0, 1}, /* degree 5, the maximum */
        {0, 2, 1, 1}, /* no rounds */
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        exhaust(&shapes[i], 0, 0);
        smoke_transcript(&shapes[i]);
    }
    /* eq coordinates 0 and 1: the prover's fallback for q(1) when
     * C z_i = 0, and rounds whose eq factor is 1 - t or t. */
    exhaust(&shapes[4], 1, 0);
    exhaust(&shapes[4], 2, 0);
    exhaust(&shapes[4], 0, 1);
    exhaust(&shapes[3], 2, 1);
    exhaust(&shapes[2], 1, 0);
    return TEST_SUMMARY();
}
