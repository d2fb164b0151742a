/* MaxPool gadget: completeness on odd shapes (floor drops, 2x1, 1x3, 3x1
 * and 1x4 windows, overlapping dilated windows, one-sided pads on
 * nonnegative inputs, one-element outputs, batches), the
 * witness against a direct max, the claims against the true padded
 * tables; rejection of altered messages and evaluations; the prover
 * refuses an output above the max (zero-check) and a difference table
 * inconsistent with P - X (link); and a second-largest output leaves a negative difference
 * (what the caller's range check refuses). */
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "ops/pool.h"
#include "poly/mle.h"
#include "test.h"
#include "test_zk_util.h"

static zki_fe *table4(const int64_t *t, const uint64_t n[4], const size_t l[4])
{
    size_t tot = l[0] + l[1] + l[2] + l[3];
    zki_fe *o = calloc((size_t)1 << tot, sizeof(zki_fe));
    for (uint64_t a = 0; a < n[0]; a++)
        for (uint64_t b = 0; b < n[1]; b++)
            for (uint64_t c = 0; c < n[2]; c++)
                for (uint64_t e = 0; e < n[3]; e++)
                    o[((((size_t)a << l[1] | b) << l[2] | c) << l[3]) | e] =
                        zki_fe_from_i64(t[((a * n[1] + b) * n[2] + c) * n[3] + e]);
    return o;
}

/* Mode 0 honest; 1 zero-check message; 2 link message; 3 d_eval; 4 p_eval;
 * 5 x_eval; 6 P = max + 1 with D = P - X; 7 one D entry altered. Returns 1
 * if the proof and the caller's claim checks pass. */
static int run(const zki_maxpool_dims *d, zki_rng *g, const int64_t *X, int mode)
{
    int64_t *P, *D;
    CHECK(zki_maxpool_forward(d, X, &P, &D) == ZKI_OK);
    uint64_t no = d->B * d->C * d->OH * d->OW;
    if (mode == 0) { /* the witness against a direct max */
        int ok = 1;
        for (uint64_t bc = 0; bc < d->B * d->C; bc++)
            for (uint64_t oy = 0; oy < d->OH; oy++)
                for (uint64_t ox = 0; ox < d->OW; ox++) {
                    int64_t m = INT64_MIN; /* ONNX: pads never win; an all-pad window gives 0 */
                    for (uint64_t ky = 0; ky < d->KH; ky++)
                        for (uint64_t kx = 0; kx < d->KW; kx++) {
                            int64_t iy = (int64_t)(oy * d->sh + ky * d->dh) - (int64_t)d->pt;
                            int64_t ix = (int64_t)(ox * d->sw + kx * d->dw) - (int64_t)d->pl;
                            if (iy < 0 || ix < 0 || iy >= (int64_t)d->H || ix >= (int64_t)d->W)
                                continue;
                            int64_t v = X[(bc * d->H + (uint64_t)iy) * d->W + (uint64_t)ix];
                            m = v > m ? v : m;
                        }
                    ok &= P[(bc * d->OH + oy) * d->OW + ox] == (m == INT64_MIN ? 0 : m);
                }
        for (uint64_t i = 0; i < no * d->J; i++)
            ok &= D[i] >= 0;
        CHECK(ok);
    }
    if (mode == 6)
        for (uint64_t o = 0; o < no; o++) {
            P[o] += 1;
            for (uint32_t j = 0; j < d->J; j++)
                D[j * no + o] += 1;
        }
    if (mode == 7)
        D[zki_rng_below(g, no * d->J)] += 1;
    size_t n = zki_maxpool_out_nvars(d), nx = zki_maxpool_x_nvars(d);
    zki_ext rho_p[64], rho_v[64], xp[64], xv[64];
    zki_transcript tp, tv;
    zki_ts_init(&tp, "test-pool", 1);
    zki_ts_init(&tv, "test-pool", 1);
    zki_maxpool_proof pf;
    zki_maxpool_evals ev;
    zki_status sp = zki_maxpool_prove(d, X, P, D, &tp, &pf, rho_p, xp, &ev);
    if (mode >= 6 && sp != ZKI_OK) {
        /* the prover's sum-checks refuse a false zero-check or link claim
         * (a forged transcript is caught like modes 1-5); without rounds
         * the proof goes to the verifier */
        zki_ts_free(&tp);
        zki_ts_free(&tv);
        free(P);
        free(D);
        return 0;
    }
    CHECK(sp == ZKI_OK);
    CHECK(zki_ext_eq(ev.p, pf.p_eval) && zki_ext_eq(ev.x, pf.x_eval));
    for (uint32_t j = 0; j < d->J; j++)
        CHECK(zki_ext_eq(ev.d[j], pf.d_eval[j]));
    zki_ext one = zki_ext_one();
    if (mode == 1 && pf.zc.nvars)
        pf.zc.msgs[zki_rng_below(g, pf.zc.nvars * pf.zc.degree)].c0 ^= 2;
    if (mode == 2 && pf.sc.nvars)
        pf.sc.msgs[zki_rng_below(g, pf.sc.nvars * pf.sc.degree)].c1 ^= 1;
    if (mode == 3)
        pf.d_eval[zki_rng_below(g, d->J)] = zki_ext_add(pf.d_eval[0], one);
    if (mode == 4)
        pf.p_eval = zki_ext_add(pf.p_eval, one);
    if (mode == 5)
        pf.x_eval = zki_ext_add(pf.x_eval, one);
    zki_maxpool_claims cl;
    int ok = zki_maxpool_verify(d, &pf, &tv, rho_v, xv, &cl) == ZKI_OK;
    if (ok) {
        uint64_t no4[4] = {d->B, d->C, d->OH, d->OW}, nx4[4] = {d->B, d->C, d->H, d->W};
        size_t lo4[4] = {d->lb, d->lc, d->loh, d->low}, lx4[4] = {d->lb, d->lc, d->lh, d->lw};
        for (uint32_t j = 0; j < d->J; j++) {
            zki_fe *t = table4(D + j * no, no4, lo4);
            ok &= zki_ext_eq(zki_mle_eval_base(t, n, rho_v), cl.d[j].c);
            free(t);
        }
        zki_fe *tpp = table4(P, no4, lo4), *tx = table4(X, nx4, lx4);
        ok &= zki_ext_eq(zki_mle_eval_base(tpp, n, rho_v), cl.p.c);
        ok &= zki_ext_eq(zki_mle_eval_base(tx, nx, xv), cl.x.c);
        free(tpp);
        free(tx);
        if (mode == 0) {
            CHECK(!memcmp(rho_p, rho_v, sizeof(zki_ext) * n));
            CHECK(!memcmp(xp, xv, sizeof(zki_ext) * nx));
        }
    }
    zki_maxpool_proof_free(&pf);
    zki_ts_free(&tp);
    zki_ts_free(&tv);
    free(P);
    free(D);
    return ok;
}

/* ---- zero knowledge ------------------------------------------------- */

typedef struct {
    const zki_maxpool_dims *d;
    const int64_t *X, *P, *D;
    zki_fe *tD[ZKI_MAXPOOL_MAX_WINDOW], *tP, *tX;
    zki_maxpool_proof pf;
} zk_ctx;

static zki_status zk_prove(void *c, zki_transcript *t)
{
    zk_ctx *z = c;
    zki_ext rho[64], xp[64];
    zki_maxpool_evals ev;
    zki_maxpool_proof_free(&z->pf);
    return zki_maxpool_prove(z->d, z->X, z->P, z->D, t, &z->pf, rho, xp, &ev);
}

/* The verifier, then the caller's checks of the claims against the tables
 * (constraints: the claims are private). */
static zki_status zk_verify(void *c, zki_transcript *t)
{
    zk_ctx *z = c;
    const zki_maxpool_dims *d = z->d;
    size_t n = zki_maxpool_out_nvars(d);
    zki_ext rho[64], xv[64];
    zki_maxpool_claims cl;
    zki_status st = zki_maxpool_verify(d, &z->pf, t, rho, xv, &cl);
    for (uint32_t j = 0; !st && j < d->J; j++)
        st = zki_pv_assert_eq(t->zk, cl.d[j], zki_pv_pub(zki_mle_eval_base(z->tD[j], n, rho)), "d");
    if (!st)
        st = zki_pv_assert_eq(t->zk, cl.p, zki_pv_pub(zki_mle_eval_base(z->tP, n, rho)), "p");
    if (!st)
        st = zki_pv_assert_eq(t->zk, cl.x, zki_pv_pub(zki_mle_eval_base(z->tX, zki_maxpool_x_nvars(d), xv)), "x");
    return st;
}

/* 0 the last d_eval, 1 p_eval, 2 x_eval, 3 a zero-check message, 4 a link
 * message */
static int zk_mutation;
static void zk_mutate(void *c)
{
    zk_ctx *z = c;
    zki_ext one = zki_ext_one();
    zki_ext *v[3] = {&z->pf.d_eval[z->d->J - 1], &z->pf.p_eval, &z->pf.x_eval};
    if (zk_mutation < 3) {
        *v[zk_mutation] = zki_ext_add(*v[zk_mutation], one);
    } else {
        zki_sc_proof *p = zk_mutation == 3 ? &z->pf.zc : &z->pf.sc;
        p->msgs[0] = zki_ext_add(p->msgs[0], one);
    }
}

/* Honest zero-knowledge round trips and one cheat per kind of padded value;
 * pad_value: what pads read as (the link's padding term when nonzero). */
static void zk_case(zki_rng *g, const uint64_t p[14], int64_t pad_value)
{
    zki_maxpool_dims d;
    CHECK(zki_maxpool_dims_init(&d, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11],
                                p[12], p[13]) == ZKI_OK);
    d.pad_value = pad_value;
    uint64_t nx = d.B * d.C * d.H * d.W, no = d.B * d.C * d.OH * d.OW;
    int64_t *X = malloc(sizeof(int64_t) * nx), *P, *D;
    for (uint64_t i = 0; i < nx; i++)
        X[i] = (int64_t)zki_rng_below(g, 256) + (pad_value < 0 ? -128 : 0);
    CHECK(zki_maxpool_forward(&d, X, &P, &D) == ZKI_OK);
    zk_ctx z;
    memset(&z, 0, sizeof z);
    z.d = &d, z.X = X, z.P = P, z.D = D;
    uint64_t no4[4] = {d.B, d.C, d.OH, d.OW}, nx4[4] = {d.B, d.C, d.H, d.W};
    size_t lo4[4] = {d.lb, d.lc, d.loh, d.low}, lx4[4] = {d.lb, d.lc, d.lh, d.lw};
    for (uint32_t j = 0; j < d.J; j++)
        z.tD[j] = table4(D + j * no, no4, lo4);
    z.tP = table4(P, no4, lo4);
    z.tX = table4(X, nx4, lx4);
    size_t n = zki_maxpool_out_nvars(&d), n2 = d.lw + d.lh;
    uint64_t n_pads = d.J + 2 + n * (d.J + 1) + 2 * n2;
    for (zk_mutation = 0; zk_mutation < 5; zk_mutation++) {
        if ((zk_mutation == 3 && !n) || (zk_mutation == 4 && !n2))
            continue;
        zki_zk *zp = zk_roundtrip("maxpool", &z, zk_prove, zk_verify, n_pads);
        if (zp)
            zk_cheat("maxpool", &z, zk_verify, zk_mutate, zp);
        zki_zk_free(zp);
    }
    zki_maxpool_proof_free(&z.pf);
    for (uint32_t j = 0; j < d.J; j++)
        free(z.tD[j]);
    free(z.tP);
    free(z.tX);
    free(X);
    free(P);
    free(D);
}

static void test_zk(zki_rng *g)
{
    /* B C H W KH KW sh sw dh dw pt pl pb pr */
    static const uint64_t shapes[][14] = {
        {2, 5, 7, 9, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0}, /* 2x2, floor drops */
        {2, 1, 1, 4, 1, 4, 1, 1, 1, 1, 0, 0, 0, 0}, /* 1x4 window */
        {2, 2, 5, 6, 2, 2, 2, 2, 1, 1, 1, 0, 0, 1}, /* one-sided pads */
        {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0}, /* no rounds at all */
    };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        zk_case(g, shapes[s], 0);
    zk_case(g, shapes[2], -128); /* a signed map: the link's padding term */
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 0x9001);
    /* B C H W KH KW sh sw dh dw pt pl pb pr (with pads: nonnegative X) */
    static const uint64_t shapes[][14] = {
        {1, 3, 6, 6, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0}, {2, 5, 7, 9, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0},
        {1, 3, 5, 5, 2, 1, 1, 2, 1, 1, 0, 0, 0, 0}, {3, 2, 8, 7, 2, 2, 1, 1, 2, 2, 0, 0, 0, 0},
        {1, 1, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0}, {2, 1, 1, 4, 1, 4, 1, 1, 1, 1, 0, 0, 0, 0},
        {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0}, {2, 8, 28, 28, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0},
        {2, 3, 9, 7, 1, 3, 1, 2, 1, 1, 0, 1, 0, 1}, {1, 3, 7, 5, 3, 1, 2, 1, 1, 1, 1, 0, 1, 0},
        {2, 2, 5, 6, 2, 2, 2, 2, 1, 1, 1, 0, 0, 1},
    };
    for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
        const uint64_t *p = shapes[s];
        zki_maxpool_dims d;
        CHECK(zki_maxpool_dims_init(&d, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10],
                                    p[11], p[12], p[13]) == ZKI_OK);
        int padded = p[10] || p[11] || p[12] || p[13];
        uint64_t nx = d.B * d.C * d.H * d.W;
        int64_t *X = malloc(sizeof(int64_t) * nx);
        for (uint64_t i = 0; i < nx; i++) /* small range: ties happen */
            X[i] = (int64_t)zki_rng_below(&g, s % 2 ? 7 : 256) - (padded ? 0 : 3);
        CHECK_MSG(run(&d, &g, X, 0), "honest maxpool proof, shape %zu", s);
        for (int mode = 1; mode <= 7; mode++) {
            if ((mode == 1 && zki_maxpool_out_nvars(&d) == 0) || (mode == 2 && d.lw + d.lh == 0))
                continue;
            CHECK_MSG(!run(&d, &g, X, mode), "altered maxpool proof accepted: shape %zu mode %d", s, mode);
        }
        if (padded) {
            /* a signed map: pads read as the map's minimum (ONNX: they never win) */
            zki_maxpool_dims ds = d;
            ds.pad_value = -128;
            int64_t *Xs = malloc(sizeof(int64_t) * nx);
            for (uint64_t i = 0; i < nx; i++)
                Xs[i] = (int64_t)zki_rng_below(&g, 256) - 128;
            CHECK_MSG(run(&ds, &g, Xs, 0), "honest maxpool proof, signed map, shape %zu", s);
            for (int mode = 1; mode <= 7; mode++) {
                if ((mode == 1 && zki_maxpool_out_nvars(&ds) == 0) || (mode == 2 && ds.lw + ds.lh == 0))
                    continue;
                CHECK_MSG(!run(&ds, &g, Xs, mode), "altered signed maxpool proof accepted: shape %zu mode %d", s,
                          mode);
            }
            free(Xs);
        }
        if (d.J > 1) {
            /* a second-largest output passes the product but leaves a
             * negative difference for the range check */
            int64_t *P, *D;
            CHECK(zki_maxpool_forward(&d, X, &P, &D) == ZKI_OK);
            uint64_t no = d.B * d.C * d.OH * d.OW, neg = 0;
            for (uint64_t i = 0; i < nx; i++)
                X[i] = (int64_t)i; /* distinct values */
            free(P);
            free(D);
            CHECK(zki_maxpool_forward(&d, X, &P, &D) == ZKI_OK);
            P[0] -= 1; /* now below the max of window 0, and equal to no element */
            for (uint32_t j = 0; j < d.J; j++)
                neg += D[j * no] - 1 < 0;
            CHECK(neg >= 1);
            free(P);
            free(D);
        }
        free(X);
    }
    test_zk(&g);
    zki_maxpool_dims d;
    CHECK(zki_maxpool_dims_init(&d, 1, 1, 6, 6, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0) == ZKI_ERR_INPUT); /* 9 > 4 */
    CHECK(zki_maxpool_dims_init(&d, 1, 1, 1, 6, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0) == ZKI_ERR_INPUT); /* window > input */
    CHECK(zki_maxpool_dims_init(&d, 1, 1, 7, 6, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0) == ZKI_OK && d.OH == 3 && d.OW == 3);
    CHECK(zki_maxpool_dims_init(&d, 1, 1, 7, 6, 2, 2, 2, 2, 1, 1, 1, 0, 0, 1) == ZKI_OK && d.OH == 4 && d.OW == 3);
    return TEST_SUMMARY();
}
