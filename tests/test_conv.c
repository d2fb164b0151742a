/* Convolution gadget over a virtual im2col: completeness on odd shapes
 * (non-power-of-two channels, one-sided padding, strides, dilation, groups,
 * depthwise, 1x1 and empty sum-checks, batches, int8/int16 weights), the
 * forward pass against a direct loop, the three output claims against the
 * true padded tables, and rejection of an altered claim, altered round
 * messages of both sum-checks, altered evaluations, and a prover that uses
 * a weight other than the committed one. */
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "ops/conv.h"
#include "poly/mle.h"
#include "test.h"
#include "test_zk_util.h"

typedef struct {
    zki_conv_dims d;
    int64_t *X, *W64, *bias, *acc;
    void *W;
    int wb;
} inst;

static int64_t *ref_conv(const zki_conv_dims *d, const int64_t *X, const int64_t *W,
                         const int64_t *bias)
{
    int64_t *y = calloc(d->B * d->OC * d->OH * d->OW, sizeof(int64_t));
    for (int64_t b = 0; b < (int64_t)d->B; b++)
        for (int64_t o = 0; o < (int64_t)d->OC; o++)
            for (int64_t oy = 0; oy < (int64_t)d->OH; oy++)
                for (int64_t ox = 0; ox < (int64_t)d->OW; ox++) {
                    int64_t s = bias ? bias[o] : 0, g = o / (int64_t)d->Cog;
                    for (int64_t c = 0; c < (int64_t)d->Cig; c++)
                        for (int64_t ky = 0; ky < (int64_t)d->KH; ky++)
                            for (int64_t kx = 0; kx < (int64_t)d->KW; kx++) {
                                int64_t iy = oy * (int64_t)d->sh - (int64_t)d->pt + ky * (int64_t)d->dh;
                                int64_t ix = ox * (int64_t)d->sw - (int64_t)d->pl + kx * (int64_t)d->dw;
                                if (iy < 0 || ix < 0 || iy >= (int64_t)d->H || ix >= (int64_t)d->W)
                                    continue;
                                int64_t ci = g * (int64_t)d->Cig + c;
                                s += X[((b * (int64_t)d->C + ci) * (int64_t)d->H + iy) * (int64_t)d->W + ix] *
                                     W[((o * (int64_t)d->Cig + c) * (int64_t)d->KH + ky) * (int64_t)d->KW + kx];
                            }
                    y[((b * (int64_t)d->OC + o) * (int64_t)d->OH + oy) * (int64_t)d->OW + ox] = s;
                }
    return y;
}

/* MLE table of a dense 4-D tensor with each axis zero-padded to 2^l[i]. */
static zki_fe *table4(const int64_t *t, const uint64_t n[4], const size_t l[4])
{
    size_t tot = l[0] + l[1] + l[2] + l[3];
    zki_fe *o = calloc((size_t)1 << tot, sizeof(zki_fe));
    for (uint64_t a = 0; a < n[0]; a++)
        for (uint64_t b = 0; b < n[1]; b++)
            for (uint64_t c = 0; c < n[2]; c++)
                for (uint64_t e = 0; e < n[3]; e++) {
                    size_t j = ((((size_t)a << l[1] | b) << l[2] | c) << l[3]) | e;
                    o[j] = zki_fe_from_i64(t[((a * n[1] + b) * n[2] + c) * n[3] + e]);
                }
    return o;
}

static void make(inst *I, zki_rng *g, const uint64_t p[17], int wb)
{
    memset(I, 0, sizeof(*I));
    zki_status st = zki_conv_dims_init(&I->d, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8],
                                       p[9], p[10], p[11], p[12], p[13], p[14], p[15], (int)p[16]);
    CHECK(st == ZKI_OK);
    zki_conv_dims *d = &I->d;
    uint64_t nx = d->B * d->C * d->H * d->W, nw = d->OC * d->Cig * d->KH * d->KW;
    I->wb = wb;
    I->X = malloc(sizeof(int64_t) * nx);
    I->W64 = malloc(sizeof(int64_t) * nw);
    I->W = malloc((size_t)(wb / 8) * nw);
    I->bias = malloc(sizeof(int64_t) * d->OC);
    for (uint64_t i = 0; i < nx; i++)
        I->X[i] = (int64_t)zki_rng_below(g, 256) - 128;
    for (uint64_t i = 0; i < nw; i++) {
        int64_t w = wb == 8 ? (int64_t)zki_rng_below(g, 256) - 128
                            : (int64_t)zki_rng_below(g, 65536) - 32768;
        I->W64[i] = w;
        if (wb == 8)
            ((int8_t *)I->W)[i] = (int8_t)w;
        else
            ((int16_t *)I->W)[i] = (int16_t)w;
    }
    for (uint64_t n = 0; n < d->OC; n++)
        I->bias[n] = (int64_t)zki_rng_below(g, 1u << 20) - (1 << 19);
}

static void drop(inst *I)
{
    free(I->X);
    free(I->W64);
    free(I->W);
    free(I->bias);
    free(I->acc);
}

static zki_ext rnd_ext(zki_rng *g)
{
    return zki_ext_make(zki_rng_below(g, ZKI_P), zki_rng_below(g, ZKI_P));
}

/* Mode 0 honest; 1 claim + 1; 2 sum-check 1 message; 3 sum-check 2 message;
 * 4 w_eval; 5 xf_eval; 6 x_eval; 7 b_eval; 8 the prover uses one altered
 * weight (its claim on acc matches it); general groups only: 9 sum-check 3
 * message, 10 wf_eval. Returns 1 if every check passed. */
static int run(inst *I, zki_rng *g, int mode)
{
    zki_conv_dims *d = &I->d;
    const int64_t *bias = d->has_bias ? I->bias : NULL;
    uint64_t nw = d->OC * d->Cig * d->KH * d->KW;
    if (mode == 8) {
        uint64_t i = zki_rng_below(g, nw);
        if (I->wb == 8)
            ((int8_t *)I->W)[i] = (int8_t)(((int8_t *)I->W)[i] ^ 1);
        else
            ((int16_t *)I->W)[i] = (int16_t)(((int16_t *)I->W)[i] ^ 1);
    }
    CHECK(zki_conv_forward(d, I->X, I->W, I->wb, bias, &I->acc) == ZKI_OK);
    if (mode != 8) {
        int64_t *ref = ref_conv(d, I->X, I->W64, bias);
        CHECK(!memcmp(ref, I->acc, sizeof(int64_t) * d->B * d->OC * d->OH * d->OW));
        free(ref);
    }
    size_t la = zki_conv_acc_nvars(d), lx = zki_conv_x_nvars(d), lw = zki_conv_w_nvars(d);
    zki_ext r[64], xp[64], wp[64], xv[64], wv[64];
    for (size_t j = 0; j < la; j++)
        r[j] = rnd_ext(g);
    uint64_t na[4] = {d->B, d->OC, d->OH, d->OW}, nx[4] = {d->B, d->C, d->H, d->W};
    uint64_t nwd[4] = {d->OC, d->Cig, d->KH, d->KW}, nb[4] = {1, 1, 1, d->OC};
    size_t la4[4] = {d->lb, d->loc, d->loh, d->low}, lx4[4] = {d->lb, d->lc, d->lh, d->lw};
    size_t lw4[4] = {d->loc, d->licl, d->lkh, d->lkw}, lb4[4] = {0, 0, 0, d->loc};
    zki_fe *tacc = table4(I->acc, na, la4), *tx = table4(I->X, nx, lx4);
    zki_fe *tw = table4(I->W64, nwd, lw4), *tb = table4(I->bias, nb, lb4);
    zki_ext v = zki_mle_eval_base(tacc, la, r);
    zki_transcript tp, tv;
    zki_ts_init(&tp, "test-conv", 1);
    zki_ts_init(&tv, "test-conv", 1);
    zki_conv_proof pf;
    zki_conv_evals ev;
    CHECK(zki_conv_prove(d, I->X, I->W, I->wb, bias, r, v, &tp, &pf, xp, wp, &ev) == ZKI_OK);
    CHECK(zki_ext_eq(ev.x, pf.x_eval) && zki_ext_eq(ev.w, pf.w_eval) && zki_ext_eq(ev.b, pf.b_eval));
    zki_ext one = zki_ext_one();
    if (mode == 1)
        v = zki_ext_add(v, one);
    if (mode == 2 && pf.sc1.nvars > 0)
        pf.sc1.msgs[zki_rng_below(g, pf.sc1.nvars * pf.sc1.degree)].c1 ^= 1;
    if (mode == 3 && pf.sc2.nvars > 0)
        pf.sc2.msgs[zki_rng_below(g, pf.sc2.nvars * pf.sc2.degree)].c0 ^= 1;
    if (mode == 4)
        pf.w_eval = zki_ext_add(pf.w_eval, one);
    if (mode == 5)
        pf.xf_eval = zki_ext_add(pf.xf_eval, one);
    if (mode == 6)
        pf.x_eval = zki_ext_add(pf.x_eval, one);
    if (mode == 7)
        pf.b_eval = zki_ext_add(pf.b_eval, one);
    if (mode == 9 && pf.sc3.nvars > 0)
        pf.sc3.msgs[zki_rng_below(g, pf.sc3.nvars * pf.sc3.degree)].c0 ^= 1;
    if (mode == 10)
        pf.wf_eval = zki_ext_add(pf.wf_eval, one);
    zki_conv_claims cl;
    int ok = zki_conv_verify(d, r, zki_pv_pub(v), &pf, &tv, xv, wv, &cl) == ZKI_OK;
    if (ok) {
        /* the caller's checks: the claims against the true padded tables */
        ok &= zki_ext_eq(cl.x.c, zki_mle_eval_base(tx, lx, xv));
        ok &= zki_ext_eq(cl.w.c, zki_mle_eval_base(tw, lw, wv));
        if (d->has_bias)
            ok &= zki_ext_eq(cl.b.c, zki_mle_eval_base(tb, d->loc, r + d->low + d->loh));
        if (mode == 0) {
            CHECK(!memcmp(xp, xv, sizeof(zki_ext) * lx));
            CHECK(!memcmp(wp, wv, sizeof(zki_ext) * lw));
            zki_ext cp = zki_ts_challenge_ext(&tp, "end"), cv = zki_ts_challenge_ext(&tv, "end");
            CHECK(zki_ext_eq(cp, cv));
        }
    }
    zki_conv_proof_free(&pf);
    zki_ts_free(&tp);
    zki_ts_free(&tv);
    free(tacc);
    free(tx);
    free(tw);
    free(tb);
    free(I->acc);
    I->acc = NULL;
    if (mode == 8)
        for (uint64_t i = 0; i < nw; i++) {
            if (I->wb == 8)
                ((int8_t *)I->W)[i] = (int8_t)I->W64[i];
            else
                ((int16_t *)I->W)[i] = (int16_t)I->W64[i];
        }
    return ok;
}

/* ---- zero knowledge ------------------------------------------------- */

typedef struct {
    inst *I;
    zki_ext r[64], xp[64], wp[64], v;
    zki_fe *tx, *tw, *tb;
    zki_conv_proof pf;
} zk_ctx;

static zki_status zk_prove(void *c, zki_transcript *t)
{
    zk_ctx *z = c;
    zki_conv_dims *d = &z->I->d;
    zki_conv_evals ev;
    zki_conv_proof_free(&z->pf);
    return zki_conv_prove(d, z->I->X, z->I->W, z->I->wb, d->has_bias ? z->I->bias : NULL, z->r, z->v, t, &z->pf,
                          z->xp, z->wp, &ev);
}

/* The verifier, then the caller's checks of the three claims against the
 * tables (constraints: the claims are private). */
static zki_status zk_verify(void *c, zki_transcript *t)
{
    zk_ctx *z = c;
    zki_conv_dims *d = &z->I->d;
    zki_ext xv[64], wv[64];
    zki_conv_claims cl;
    zki_status st = zki_conv_verify(d, z->r, zki_pv_pub(z->v), &z->pf, t, xv, wv, &cl);
    if (!st)
        st = zki_pv_assert_eq(t->zk, cl.x, zki_pv_pub(zki_mle_eval_base(z->tx, zki_conv_x_nvars(d), xv)), "x");
    if (!st)
        st = zki_pv_assert_eq(t->zk, cl.w, zki_pv_pub(zki_mle_eval_base(z->tw, zki_conv_w_nvars(d), wv)), "w");
    if (!st && d->has_bias)
        st = zki_pv_assert_eq(t->zk, cl.b, zki_pv_pub(zki_mle_eval_base(z->tb, d->loc, z->r + d->low + d->loh)),
                              "b");
    return st;
}

/* 0 x_eval, 1 b_eval, 2 w_eval, 3 xf_eval, 4 a sum-check 1 message, 5 a
 * sum-check 2 message; general groups: 6 wf_eval, 7 a sum-check 3 message */
static int zk_mutation;
static void zk_mutate(void *c)
{
    zk_ctx *z = c;
    zki_ext one = zki_ext_one(), *v[4] = {&z->pf.x_eval, &z->pf.b_eval, &z->pf.w_eval, &z->pf.xf_eval};
    zki_sc_proof *sc[3] = {&z->pf.sc1, &z->pf.sc2, &z->pf.sc3};
    if (zk_mutation < 4)
        *v[zk_mutation] = zki_ext_add(*v[zk_mutation], one);
    else if (zk_mutation == 6)
        z->pf.wf_eval = zki_ext_add(z->pf.wf_eval, one);
    else {
        zki_sc_proof *p = sc[zk_mutation == 7 ? 2 : zk_mutation - 4];
        p->msgs[p->nvars * p->degree - 1] = zki_ext_add(p->msgs[p->nvars * p->degree - 1], one);
    }
}

/* Honest zero-knowledge round trips and one cheat per kind of padded value
 * (p: a shape as in main's list; unit: all weights 1, an average pool). */
static void zk_case(zki_rng *g, const uint64_t p[17], int unit)
{
    inst I;
    make(&I, g, p, 8);
    zki_conv_dims *d = &I.d;
    uint64_t nw = d->OC * d->Cig * d->KH * d->KW;
    for (uint64_t i = 0; unit && i < nw; i++)
        I.W64[i] = 1, ((int8_t *)I.W)[i] = 1;
    CHECK(zki_conv_forward(d, I.X, I.W, 8, d->has_bias ? I.bias : NULL, &I.acc) == ZKI_OK);
    zk_ctx z;
    memset(&z, 0, sizeof z);
    z.I = &I;
    size_t la = zki_conv_acc_nvars(d);
    for (size_t j = 0; j < la; j++)
        z.r[j] = rnd_ext(g);
    uint64_t na[4] = {d->B, d->OC, d->OH, d->OW}, nx[4] = {d->B, d->C, d->H, d->W};
    uint64_t nwd[4] = {d->OC, d->Cig, d->KH, d->KW}, nb[4] = {1, 1, 1, d->OC};
    size_t la4[4] = {d->lb, d->loc, d->loh, d->low}, lx4[4] = {d->lb, d->lc, d->lh, d->lw};
    size_t lw4[4] = {d->loc, d->licl, d->lkh, d->lkw}, lb4[4] = {0, 0, 0, d->loc};
    zki_fe *tacc = table4(I.acc, na, la4);
    z.tx = table4(I.X, nx, lx4);
    z.tw = table4(I.W64, nwd, lw4);
    z.tb = table4(I.bias, nb, lb4);
    z.v = zki_mle_eval_base(tacc, la, z.r);
    size_t n1 = d->lkw + d->lkh + d->licl + d->lg, n2 = d->lw + d->lh + d->lc;
    uint64_t n_pads = 6 + 3 * n1 + 2 * n2 + 2 * d->loc;
    for (zk_mutation = 0; zk_mutation < 8; zk_mutation++) {
        size_t rounds[4] = {n1, d->lw + d->lh, d->loc, d->loc};
        if ((zk_mutation >= 6 && !d->general) || (zk_mutation >= 4 && zk_mutation != 6 && !rounds[zk_mutation - 4]))
            continue;
        zki_zk *zp = zk_roundtrip("conv", &z, zk_prove, zk_verify, n_pads);
        if (zp)
            zk_cheat("conv", &z, zk_verify, zk_mutate, zp);
        zki_zk_free(zp);
    }
    zki_conv_proof_free(&z.pf);
    free(tacc);
    free(z.tx);
    free(z.tw);
    free(z.tb);
    drop(&I);
}

static void test_zk(zki_rng *g)
{
    /* B C H W OC KH KW sh sw dh dw pt pl pb pr G bias */
    static const uint64_t shapes[][17] = {
        {2, 3, 9, 8, 6, 3, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1},   /* general conv, stride 2 */
        {1, 4, 6, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4, 0},   /* depthwise, unit weights */
        {1, 4, 6, 5, 8, 3, 3, 1, 2, 1, 1, 1, 1, 1, 1, 2, 1},   /* 2 groups (factored) */
        {2, 9, 6, 5, 6, 3, 3, 2, 1, 1, 1, 1, 0, 1, 1, 3, 1},   /* general groups: 3 in, 2 out */
        {1, 2, 3, 70, 3, 1, 64, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1}, /* a 64-tap kernel (one segment) */
        {3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1},   /* no rounds at all */
    };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        zk_case(g, shapes[s], s == 1);
}

/* The forward pass's int32 paths (taps * max|x| * max|w| < 2^31): by rows,
 * pointwise (1x1, stride 1, no padding: any row length, output channels in
 * blocks, groups) and across output channels (8 or more per group: blocks
 * of 16, the last padded), and the int64 path against the direct loop,
 * either side of the 2^31 bound: activation ranges 2^7 .. 2^20 with 8- and
 * 16-bit weights, so both paths and the switch between them are exercised,
 * at strides 1 and 2. */
static void test_forward_paths(zki_rng *g)
{
    /* rows of 48 or more outputs take the int32 path when the bound holds */
    static const uint64_t shapes[][17] = {
        {1, 64, 5, 60, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},   /* 576 taps, rows of 60 */
        {2, 16, 6, 101, 4, 3, 3, 2, 2, 1, 1, 1, 0, 1, 0, 1, 1},  /* stride 2, rows of 50 */
        {1, 64, 9, 11, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},   /* short rows: int64 */
        {2, 40, 7, 9, 19, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1},   /* pointwise: blocks of 8 + 3 */
        {1, 8, 37, 41, 12, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 4, 0},  /* pointwise, groups, tiles of 1024 + 493 */
        /* 8 or more outputs per group: vectorised across output channels */
        {1, 16, 9, 11, 19, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},  /* blocks of 16 and 3 (padded), short rows */
        {2, 8, 13, 13, 16, 3, 3, 2, 2, 2, 2, 2, 1, 2, 1, 2, 1},  /* 2 groups of 8, stride and dilation 2 */
        {1, 3, 40, 70, 24, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3, 1, 0},  /* a 7x7 stride-2 stem, rows of 35, no bias */
    };
    static const int64_t xr[] = {128, 1 << 10, 1 << 12, 1 << 15, 1 << 20};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int wb = 8; wb <= 16; wb += 8)
            for (size_t k = 0; k < sizeof xr / sizeof xr[0]; k++) {
                inst I;
                make(&I, g, shapes[s], wb);
                uint64_t nx = I.d.B * I.d.C * I.d.H * I.d.W;
                for (uint64_t i = 0; i < nx; i++)
                    I.X[i] = (int64_t)zki_rng_below(g, 2 * (uint64_t)xr[k]) - xr[k];
                CHECK(zki_conv_forward(&I.d, I.X, I.W, wb, I.bias, &I.acc) == ZKI_OK);
                int64_t *ref = ref_conv(&I.d, I.X, I.W64, I.bias);
                CHECK_MSG(!memcmp(ref, I.acc, sizeof(int64_t) * I.d.B * I.d.OC * I.d.OH * I.d.OW),
                          "forward pass, shape %zu, %d-bit weights, |x| < %lld", s, wb, (long long)xr[k]);
                free(ref);
                drop(&I);
            }
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 0xc0171);
    /* B C H W OC KH KW sh sw dh dw pt pl pb pr G bias */
    static const uint64_t shapes[][17] = {
        {1, 3, 7, 5, 5, 3, 3, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1},   /* one-sided pads */
        {2, 3, 9, 8, 6, 3, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1},   /* stride 2 */
        {1, 2, 8, 8, 3, 3, 3, 1, 1, 2, 2, 2, 0, 0, 0, 1, 0},   /* dilation 2, no bias */
        {1, 4, 6, 5, 8, 3, 3, 1, 2, 1, 1, 1, 1, 1, 1, 2, 1},   /* 2 groups */
        {2, 3, 5, 6, 3, 3, 3, 2, 1, 1, 1, 0, 1, 1, 0, 3, 1},   /* depthwise, 3 groups */
        {3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1},   /* no rounds at all */
        {1, 5, 4, 4, 7, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1},   /* 1x1 kernel */
        {2, 1, 28, 28, 6, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 1, 1}, /* LeNet conv1 */
        {1, 6, 12, 12, 16, 5, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1}, /* LeNet conv2 */
        {1, 3, 11, 13, 4, 4, 2, 3, 2, 1, 2, 3, 0, 1, 2, 1, 1},  /* stride 3, odd pads */
        /* general groups: per-group channels not powers of two */
        {1, 6, 5, 7, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1},   /* 3 in per group */
        {2, 9, 6, 5, 6, 3, 3, 2, 1, 1, 1, 1, 0, 1, 1, 3, 1},   /* 3 groups of 3 in, 2 out */
        {1, 4, 5, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 0},   /* 3 out per group */
        {1, 2, 6, 6, 6, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 2, 1},   /* depthwise x3, dilated */
        {1, 15, 4, 4, 10, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 5, 1}, /* 5 groups of 3 in, 2 out */
    };
    size_t ns = sizeof(shapes) / sizeof(shapes[0]);
    for (size_t s = 0; s < ns; s++) {
        for (int wb = 8; wb <= 16; wb += 8) {
            inst I;
            make(&I, &g, shapes[s], wb);
            CHECK_MSG(run(&I, &g, 0), "honest conv proof, shape %zu, %d-bit weights", s, wb);
            for (int mode = 1; mode <= 10; mode++) {
                if ((mode == 2 && I.d.lkw + I.d.lkh + I.d.licl + I.d.lg == 0) ||
                    (mode == 3 && I.d.lw + I.d.lh + (I.d.general ? I.d.lc : 0) == 0) ||
                    (mode >= 9 && (!I.d.general || (mode == 9 && I.d.loc == 0))))
                    continue;
                CHECK_MSG(!run(&I, &g, mode), "altered proof accepted: shape %zu mode %d", s, mode);
            }
            drop(&I);
        }
    }
    test_forward_paths(&g);
    test_zk(&g);
    /* dims that the gadget refuses */
    zki_conv_dims d;
    CHECK(zki_conv_dims_init(&d, 1, 6, 8, 8, 4, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 2, 1) == ZKI_OK &&
          d.general); /* 3 channels per group: the general path */
    CHECK(zki_conv_dims_init(&d, 1, 8, 8, 8, 4, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 2, 1) == ZKI_OK &&
          !d.general); /* powers of two per group: factored */
    CHECK(zki_conv_dims_init(&d, 1, 4, 8, 8, 6, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 4, 1) ==
          ZKI_ERR_INPUT); /* 4 groups do not divide 6 */
    CHECK(zki_conv_dims_init(&d, 1, 1, 2, 2, 1, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1) ==
          ZKI_ERR_INPUT); /* kernel over the input */
    CHECK(zki_conv_dims_init(&d, 1, 1, 4, 4, 1, 3, 3, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1) ==
          ZKI_ERR_INPUT); /* stride 0 */
    CHECK(zki_conv_dims_init(&d, 1, 1, 9, 9, 1, 3, 3, 2, 2, 1, 1, 1, 0, 0, 2, 1, 1) == ZKI_OK);
    CHECK(d.OH == 4 && d.OW == 5);
    return TEST_SUMMARY();
}
