/* Claim reduction over the tiny field (extension of F = 289 elements).
 *
 * Two claims f(r_0) = v_0, f(r_1) = v_1 + e with e != 0 (the second false)
 * are reduced with weights alpha and a degree-2 sum-check of f * g,
 * g = sum_j alpha_j eq(r_j, .). The cheater runs the best sum-check
 * strategy (a lie with 2 roots, honest once a challenge hits one) and in
 * the end sends the true f(rho), so acceptance means the reduction output a
 * true claim from a false one. It wins when alpha_1 = 0 (the combined claim
 * is true) or a challenge hits a root: with one round that is
 * F^2 + (F^2 - F) 2 of the F^3 runs over (alpha_0, alpha_1, rho), at most
 * (1 + n d) / F.
 *
 * Part A enumerates every alpha and every challenge for n = 1: the prover's
 * messages, eq values, table values and the Lagrange weights of
 * zki_sc_next_claim come from the library, the per-run arithmetic is done
 * here on small integers to keep 24 million runs fast. Part B drives the
 * library end to end for n = 2 and a few fixed alphas, every challenge
 * pair. */
#include <stdlib.h>
#include <string.h>

#include "../test.h"
#include "common/rng.h"
#include "poly/mle.h"
#include "sumcheck/claims.h"

#define F_EXT (ZKI_P * ZKI_P)

static zki_rng rng;

static zki_ext ext_of(uint64_t i) { return zki_ext_make(i % ZKI_P, i / ZKI_P); }
static zki_ext rand_ext(void) { return ext_of(zki_rng_below(&rng, F_EXT)); }
static zki_ext rand_nonzero(void) { return ext_of(1 + zki_rng_below(&rng, F_EXT - 1)); }

/* Small-integer extension arithmetic for the inner loop. */
typedef struct {
    unsigned a, b;
} sx;
static sx sx_of(zki_ext x) { sx r = {(unsigned)x.c0, (unsigned)x.c1}; return r; }
static sx sx_add(sx x, sx y) { sx r = {(x.a + y.a) % 17, (x.b + y.b) % 17}; return r; }
static sx sx_mul(sx x, sx y)
{
    sx r = {(x.a * y.a + 7 * x.b * y.b) % 17, (x.a * y.b + x.b * y.a) % 17};
    return r;
}
static int sx_eq(sx x, sx y) { return x.a == y.a && x.b == y.b; }

/* prod_m (t - root_m), roots 2 and 3; shape(0) + shape(1) = 8. */
static zki_ext delta_shape(zki_ext t)
{
    return zki_ext_mul(zki_ext_sub(t, zki_ext_from_fe(2)), zki_ext_sub(t, zki_ext_from_fe(3)));
}

static void part_a(int base_table)
{
    _Static_assert(ZKI_P == 17, "tiny field only");
    const size_t n = 1;
    zki_fe fb[2] = {zki_rng_below(&rng, ZKI_P), zki_rng_below(&rng, ZKI_P)};
    zki_ext fe[2] = {rand_ext(), rand_ext()};
    zki_ext r0[1] = {rand_ext()}, r1[1] = {rand_ext()};
    zki_ext f_at[2] = {base_table ? zki_mle_eval_base(fb, n, r0) : zki_mle_eval_ext(fe, n, r0),
                       base_table ? zki_mle_eval_base(fb, n, r1) : zki_mle_eval_ext(fe, n, r1)};
    zki_ext err = rand_nonzero();
    zki_ext v_claim[2] = {f_at[0], zki_ext_add(f_at[1], err)};

    /* Per challenge rho: f(rho), eq(r_j, rho), Lagrange weights of p(rho)
     * in (claim, p(0), p(2)) obtained from zki_sc_next_claim on unit
     * inputs (it is linear in them). */
    static sx F_r[F_EXT], E0[F_EXT], E1[F_EXT], Lc[F_EXT], L0[F_EXT], L2[F_EXT];
    zki_ext zero = zki_ext_zero(), one = zki_ext_one();
    for (uint64_t i = 0; i < F_EXT; i++) {
        zki_ext rho[1] = {ext_of(i)};
        F_r[i] = sx_of(base_table ? zki_mle_eval_base(fb, n, rho) : zki_mle_eval_ext(fe, n, rho));
        E0[i] = sx_of(zki_eq_eval(r0, rho, n));
        E1[i] = sx_of(zki_eq_eval(r1, rho, n));
        zki_ext m_c[2] = {zero, zero}, m_0[2] = {one, zero}, m_2[2] = {zero, one};
        Lc[i] = sx_of(zki_sc_next_claim(one, m_c, 2, rho[0]));
        L0[i] = sx_of(zki_sc_next_claim(zero, m_0, 2, rho[0]));
        L2[i] = sx_of(zki_sc_next_claim(zero, m_2, 2, rho[0]));
    }
    zki_ext inv8 = zki_ext_inv(zki_ext_from_fe(8));

    uint64_t honest_ok = 0, cheat_ok = 0, runs = 0;
    zki_ext g[2];
    for (uint64_t a0 = 0; a0 < F_EXT; a0++) {
        for (uint64_t a1 = 0; a1 < F_EXT; a1++) {
            zki_ext alpha[2] = {ext_of(a0), ext_of(a1)};
            /* g = alpha_0 eq(r_0, .) + alpha_1 eq(r_1, .), as the prover builds it */
            zki_ext t1[2];
            zki_eq_table_scaled(g, r0, n, alpha[0]);
            zki_eq_table_scaled(t1, r1, n, alpha[1]);
            g[0] = zki_ext_add(g[0], t1[0]);
            g[1] = zki_ext_add(g[1], t1[1]);
            zki_sc_instance in = {0};
            in.nvars = n;
            in.n_tables = 2;
            if (base_table)
                in.base[0] = fb;
            else
                in.ext[0] = fe;
            in.ext[1] = g;
            zki_sc_prover *p;
            if (zki_sc_prover_new(&p, &in) != ZKI_OK) {
                CHECK(0);
                return;
            }
            zki_ext msg[2];
            zki_sc_prover_round(p, msg);
            zki_sc_prover_free(p);
            zki_ext honest = zki_ext_add(zki_ext_mul(alpha[0], v_claim[0]),
                                         zki_ext_mul(alpha[1], f_at[1]));
            zki_ext lie = zki_ext_add(zki_ext_mul(alpha[0], v_claim[0]),
                                      zki_ext_mul(alpha[1], v_claim[1]));
            /* cheater's message: honest + c shape(t), c = (lie - honest) / 8 */
            zki_ext c = zki_ext_mul(zki_ext_sub(lie, honest), inv8);
            zki_ext cm[2] = {zki_ext_add(msg[0], zki_ext_mul(c, delta_shape(zero))),
                             zki_ext_add(msg[1], zki_ext_mul(c, delta_shape(zki_ext_from_fe(2))))};
            sx sh = sx_of(honest), sl = sx_of(lie), m0 = sx_of(msg[0]), m2 = sx_of(msg[1]);
            sx c0 = sx_of(cm[0]), c2 = sx_of(cm[1]), sa0 = sx_of(alpha[0]), sa1 = sx_of(alpha[1]);
            for (uint64_t i = 0; i < F_EXT; i++) {
                sx ph = sx_add(sx_add(sx_mul(Lc[i], sh), sx_mul(L0[i], m0)), sx_mul(L2[i], m2));
                sx pl = sx_add(sx_add(sx_mul(Lc[i], sl), sx_mul(L0[i], c0)), sx_mul(L2[i], c2));
                sx g_rho = sx_add(sx_mul(sa0, E0[i]), sx_mul(sa1, E1[i]));
                sx want = sx_mul(F_r[i], g_rho); /* f* = true f(rho) */
                honest_ok += sx_eq(ph, want);
                cheat_ok += sx_eq(pl, want);
                runs++;
            }
        }
    }
    uint64_t F = F_EXT, expect = F * F + (F * F - F) * 2, bound = 3 * F * F;
    printf("claims n=1 k=2 %s: honest %llu/%llu, cheater %llu/%llu (expected %llu, bound %llu)\n",
           base_table ? "base" : "ext", (unsigned long long)honest_ok, (unsigned long long)runs,
           (unsigned long long)cheat_ok, (unsigned long long)runs, (unsigned long long)expect,
           (unsigned long long)bound);
    CHECK(runs == F * F * F);
    CHECK(honest_ok == runs);
    CHECK(cheat_ok == expect);
    CHECK(cheat_ok <= bound && cheat_ok > 0);
}

/* n = 2, three claims (the last false), fixed alphas, every challenge pair,
 * library calls only. */
static void part_b(void)
{
    const size_t n = 2;
    zki_ext f[4], pts[3][2], vals[3];
    for (int x = 0; x < 4; x++)
        f[x] = rand_ext();
    for (int j = 0; j < 3; j++) {
        pts[j][0] = rand_ext();
        pts[j][1] = rand_ext();
        vals[j] = zki_mle_eval_ext(f, n, pts[j]);
    }
    zki_ext lie_v = zki_ext_add(vals[2], rand_nonzero());
    zki_ext inv8 = zki_ext_inv(zki_ext_from_fe(8));
    for (int trial = 0; trial < 3; trial++) {
        zki_ext alpha[3] = {rand_ext(), rand_ext(), rand_nonzero()};
        zki_ext g[4], tmp[4];
        zki_eq_table_scaled(g, pts[0], n, alpha[0]);
        for (int j = 1; j < 3; j++) {
            zki_eq_table_scaled(tmp, pts[j], n, alpha[j]);
            for (int x = 0; x < 4; x++)
                g[x] = zki_ext_add(g[x], tmp[x]);
        }
        zki_ext honest0 = zki_ext_zero(), lie0 = zki_ext_zero();
        for (int j = 0; j < 3; j++) {
            honest0 = zki_ext_add(honest0, zki_ext_mul(alpha[j], vals[j]));
            lie0 = zki_ext_add(lie0, zki_ext_mul(alpha[j], j == 2 ? lie_v : vals[j]));
        }
        zki_sc_instance in = {0};
        in.nvars = n;
        in.n_tables = 2;
        in.ext[0] = f;
        in.ext[1] = g;
        CHECK(zki_ext_eq(zki_sc_sum(&in), honest0));
        uint64_t ok_h = 0, ok_c = 0, runs = (uint64_t)F_EXT * F_EXT;
        for (uint64_t seq = 0; seq < runs; seq++) {
            zki_ext rho[2] = {ext_of(seq % F_EXT), ext_of(seq / F_EXT)};
            zki_sc_prover *p;
            if (zki_sc_prover_new(&p, &in) != ZKI_OK) {
                CHECK(0);
                return;
            }
            zki_ext honest = honest0, lie = lie0;
            for (size_t i = 0; i < n; i++) {
                zki_ext msg[2], cm[2];
                zki_sc_prover_round(p, msg);
                zki_ext c = zki_ext_mul(zki_ext_sub(lie, honest), inv8);
                cm[0] = zki_ext_add(msg[0], zki_ext_mul(c, delta_shape(zki_ext_zero())));
                cm[1] = zki_ext_add(msg[1], zki_ext_mul(c, delta_shape(zki_ext_from_fe(2))));
                honest = zki_sc_next_claim(honest, msg, 2, rho[i]);
                lie = zki_sc_next_claim(lie, cm, 2, rho[i]);
                zki_sc_prover_bind(p, rho[i]);
            }
            zki_ext ev[2];
            zki_sc_prover_final(p, ev);
            zki_sc_prover_free(p);
            /* the verifier's side: g(rho) from the points, f* = true f(rho) */
            zki_ext g_rho = zki_ext_zero();
            for (int j = 0; j < 3; j++)
                g_rho = zki_ext_add(g_rho, zki_ext_mul(alpha[j], zki_eq_eval(pts[j], rho, n)));
            zki_ext want = zki_ext_mul(zki_mle_eval_ext(f, n, rho), g_rho);
            CHECK_MSG(zki_ext_eq(ev[1], g_rho), "g(rho) seq %llu", (unsigned long long)seq);
            ok_h += zki_ext_eq(honest, want);
            ok_c += zki_ext_eq(lie, want);
        }
        uint64_t F = F_EXT, expect = F * F - (F - 2) * (F - 2), bound = 2 * 2 * F;
        printf("claims n=2 k=3 fixed alpha %d: honest %llu/%llu, cheater %llu (expected %llu, "
               "bound %llu)\n",
               trial, (unsigned long long)ok_h, (unsigned long long)runs,
               (unsigned long long)ok_c, (unsigned long long)expect, (unsigned long long)bound);
        CHECK(ok_h == runs);
        CHECK(ok_c == expect);
        CHECK(ok_c <= bound && ok_c > 0);
    }
}

/* The transcript-driven reduction and ledger in the tiny field. */
static void smoke(void)
{
    const size_t n = 3;
    zki_fe f[8];
    for (int x = 0; x < 8; x++)
        f[x] = zki_rng_below(&rng, ZKI_P);
    zki_ext pts[3][3], vals[3];
    const zki_ext *pp[3];
    for (int j = 0; j < 3; j++) {
        for (size_t i = 0; i < n; i++)
            pts[j][i] = rand_ext();
        vals[j] = zki_mle_eval_base(f, n, pts[j]);
        pp[j] = pts[j];
    }
    for (size_t k = 1; k <= 3; k++) {
        zki_transcript t;
        zki_claim_reduction_proof pr;
        zki_ext op[3], ov, vp[3], vv;
        CHECK(zki_ts_init(&t, "tiny-claims", 1) == ZKI_OK);
        CHECK(zki_claims_reduce_prove(f, NULL, n, pp, vals, k, &t, &pr, op, &ov) == ZKI_OK);
        zki_ts_free(&t);
        CHECK(zki_ext_eq(ov, zki_mle_eval_base(f, n, op)));
        CHECK(zki_ts_init(&t, "tiny-claims", 1) == ZKI_OK);
        CHECK(zki_claims_reduce_verify(n, pp, vals, k, &pr, &t, vp, &vv) == ZKI_OK);
        zki_ts_free(&t);
        CHECK(memcmp(op, vp, sizeof op) == 0 && zki_ext_eq(ov, vv));
        zki_claim_reduction_proof_free(&pr);
    }
}

int main(void)
{
    zki_rng_seed(&rng, 289);
    part_a(1);
    part_a(0);
    part_b();
    smoke();
    return TEST_SUMMARY();
}
