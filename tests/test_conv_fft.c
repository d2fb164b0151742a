/* NTT-domain conv prototype (bench/conv_fft.h): its NTT-based forward pass
 * against the direct conv of ops/conv.h; completeness on odd shapes (one to
 * five channels, kernels 1..11 incl. even ones, pads 0..K, non-power-of-two
 * sizes, the cyclic and the full linear NTT size, empty X / W sum-checks);
 * the output claims against direct MLE evaluations of X and W; identical
 * proofs under 1 and 2 threads; rejection of a wrong Y, of each sum-check's
 * altered messages, of each altered evaluation, and of a prover that uses a
 * weight other than the one the caller checks against. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "ops/conv.h"
#include "conv_fft.h"
#include "poly/mle.h"
#include "test.h"

typedef struct {
    zki_conv_fft_dims d;
    zki_conv_dims cd;
    int64_t *X, *Y;
    int8_t *W;
    zki_fe *tx, *tw, *ty;
} inst;

/* MLE table of a dense 3-/4-D tensor, each axis padded to 2^l[i]. */
static zki_fe *table4(const int64_t *t, const int8_t *t8, const uint64_t n[4], const size_t l[4])
{
    size_t tot = l[0] + l[1] + l[2] + l[3];
    zki_fe *o = calloc((size_t)1 << tot, sizeof(zki_fe));
    for (uint64_t a = 0; a < n[0]; a++)
        for (uint64_t b = 0; b < n[1]; b++)
            for (uint64_t c = 0; c < n[2]; c++)
                for (uint64_t e = 0; e < n[3]; e++) {
                    size_t j = ((((size_t)a << l[1] | b) << l[2] | c) << l[3]) | e;
                    uint64_t i = ((a * n[1] + b) * n[2] + c) * n[3] + e;
                    o[j] = zki_fe_from_i64(t ? t[i] : t8[i]);
                }
    return o;
}

static int make(inst *I, zki_rng *g, const uint64_t s[7])
{
    memset(I, 0, sizeof(*I));
    zki_conv_fft_dims *d = &I->d;
    if (zki_conv_fft_dims_init(d, s[0], s[1], s[2], s[3], s[4], s[5], (int)s[6]) != ZKI_OK)
        return 0;
    if (zki_conv_dims_init(&I->cd, 1, s[0], s[1], s[2], s[3], s[4], s[4], 1, 1, 1, 1, s[5], s[5],
                           s[5], s[5], 1, 0) != ZKI_OK)
        return 0;
    uint64_t nx = d->C * d->H * d->W, nw = d->OC * d->C * d->K * d->K;
    I->X = malloc(sizeof(int64_t) * nx);
    I->W = malloc(nw);
    for (uint64_t i = 0; i < nx; i++)
        I->X[i] = (int64_t)zki_rng_below(g, 256) - 128;
    for (uint64_t i = 0; i < nw; i++)
        I->W[i] = (int8_t)((int64_t)zki_rng_below(g, 256) - 128);
    if (zki_conv_forward(&I->cd, I->X, I->W, 8, NULL, &I->Y) != ZKI_OK)
        return 0;
    uint64_t nx4[4] = {1, d->C, d->H, d->W}, nw4[4] = {d->OC, d->C, d->K, d->K};
    uint64_t ny4[4] = {1, d->OC, d->OH, d->OW};
    size_t lx4[4] = {0, d->lc, d->lh, d->lw}, lw4[4] = {d->loc, d->lc, d->lk, d->lk};
    size_t ly4[4] = {0, d->loc, d->loh, d->low};
    I->tx = table4(I->X, NULL, nx4, lx4);
    I->tw = table4(NULL, I->W, nw4, lw4);
    I->ty = table4(I->Y, NULL, ny4, ly4);
    return d->OH == I->cd.OH && d->OW == I->cd.OW;
}

static void drop(inst *I)
{
    free(I->X);
    free(I->Y);
    free(I->W);
    free(I->tx);
    free(I->tw);
    free(I->ty);
}

static zki_ext rnd_ext(zki_rng *g)
{
    return zki_ext_make(zki_rng_below(g, ZKI_P), zki_rng_below(g, ZKI_P));
}

static zki_sc_proof *sc_of(zki_conv_fft_proof *p, int k)
{
    zki_sc_proof *s[4] = {&p->sc_out, &p->sc_had, &p->sc_x, &p->sc_w};
    return s[k];
}

/* Mode 0 honest; 1 one entry of Y altered (the verifier's claim is Y'~(r),
 * the proof the honest one); 2..5 a message of sum-check 1..4; 6..10 yr,
 * xh, wh, x_eval, w_eval plus one; 11 an honest proof for one altered
 * weight (and its own output). Returns 1 if the verifier and the
 * caller's claim checks all pass. */
static int run(inst *I, zki_rng *g, int mode)
{
    zki_conv_fft_dims *d = &I->d;
    size_t la = zki_conv_fft_acc_nvars(d), lx = zki_conv_fft_x_nvars(d);
    size_t lw = zki_conv_fft_w_nvars(d);
    zki_ext r[64], xp[64], wp[64], xv[64], wv[64];
    for (size_t j = 0; j < la; j++)
        r[j] = rnd_ext(g);
    zki_ext v = zki_mle_eval_base(I->ty, la, r), vw = v;
    uint64_t nw = d->OC * d->C * d->K * d->K, wi = zki_rng_below(g, nw);
    if (mode == 1) {
        /* Y'~(r) = Y~(r) + eq(r, j) for one real output entry j */
        uint64_t oc = zki_rng_below(g, d->OC), oy = zki_rng_below(g, d->OH),
                 ox = zki_rng_below(g, d->OW);
        zki_ext pt[64];
        for (size_t i = 0; i < la; i++) {
            uint64_t bit = i < d->low ? ox >> i
                           : i < d->low + d->loh ? oy >> (i - d->low)
                                                 : oc >> (i - d->low - d->loh);
            pt[i] = (bit & 1) ? zki_ext_one() : zki_ext_zero();
        }
        vw = zki_ext_add(v, zki_eq_eval(r, pt, la));
    }
    if (mode == 11) {
        /* an honest proof of another weight: its own Y', its own claim */
        I->W[wi] = (int8_t)(I->W[wi] ^ 1);
        int64_t *Y2 = NULL;
        CHECK(zki_conv_fft_forward(d, I->X, I->W, 8, &Y2) == ZKI_OK);
        uint64_t ny4[4] = {1, d->OC, d->OH, d->OW};
        size_t ly4[4] = {0, d->loc, d->loh, d->low};
        zki_fe *ty2 = table4(Y2, NULL, ny4, ly4);
        v = vw = zki_mle_eval_base(ty2, la, r);
        free(ty2);
        free(Y2);
    }
    zki_transcript tp, tv;
    zki_ts_init(&tp, "test-conv-fft", 1);
    zki_ts_init(&tv, "test-conv-fft", 1);
    zki_conv_fft_proof pf;
    int ok = 1;
    if (mode == 1) {
        /* the honest prover refuses the wrong claim outright */
        zki_transcript tx;
        zki_ts_init(&tx, "test-conv-fft", 1);
        CHECK(zki_conv_fft_prove(d, I->X, I->W, 8, r, vw, &tx, &pf, xp, wp) == ZKI_ERR_INPUT);
        zki_ts_free(&tx);
    }
    zki_status st = zki_conv_fft_prove(d, I->X, I->W, 8, r, v, &tp, &pf, xp, wp);
    CHECK(st == ZKI_OK);
    if (mode == 11)
        I->W[wi] = (int8_t)(I->W[wi] ^ 1);
    zki_ext one = zki_ext_one();
    if (mode >= 2 && mode <= 5) {
        zki_sc_proof *s = sc_of(&pf, mode - 2);
        s->msgs[zki_rng_below(g, s->nvars * s->degree)].c1 ^= 1;
    }
    zki_ext *ev[5] = {&pf.yr, &pf.xh, &pf.wh, &pf.x_eval, &pf.w_eval};
    if (mode >= 6 && mode <= 10)
        *ev[mode - 6] = zki_ext_add(*ev[mode - 6], one);
    ok = zki_conv_fft_verify(d, r, vw, &pf, &tv, xv, wv) == ZKI_OK;
    if (ok) {
        ok &= zki_ext_eq(pf.x_eval, zki_mle_eval_base(I->tx, lx, xv));
        ok &= zki_ext_eq(pf.w_eval, zki_mle_eval_base(I->tw, lw, wv));
        if (mode == 0) {
            CHECK(!memcmp(xp, xv, sizeof(zki_ext) * lx));
            CHECK(!memcmp(wp, wv, sizeof(zki_ext) * lw));
            zki_ext cp = zki_ts_challenge_ext(&tp, "end"), cv = zki_ts_challenge_ext(&tv, "end");
            CHECK(zki_ext_eq(cp, cv));
        }
    }
    zki_conv_fft_proof_free(&pf);
    zki_ts_free(&tp);
    zki_ts_free(&tv);
    return ok;
}

/* The proof's bytes under 1 and 2 threads. */
static int same_under_threads(inst *I, zki_rng *g)
{
    zki_conv_fft_dims *d = &I->d;
    size_t la = zki_conv_fft_acc_nvars(d);
    zki_ext r[64], xp[64], wp[64];
    for (size_t j = 0; j < la; j++)
        r[j] = rnd_ext(g);
    zki_ext v = zki_mle_eval_base(I->ty, la, r);
    zki_conv_fft_proof pf[2];
    int max = omp_get_max_threads();
    for (int k = 0; k < 2; k++) {
        zki_transcript t;
        zki_ts_init(&t, "test-conv-fft", 1);
        omp_set_num_threads(k + 1);
        CHECK(zki_conv_fft_prove(d, I->X, I->W, 8, r, v, &t, &pf[k], xp, wp) == ZKI_OK);
        zki_ts_free(&t);
    }
    omp_set_num_threads(max);
    int same = 1;
    for (int s = 0; s < 4; s++) {
        zki_sc_proof *a = sc_of(&pf[0], s), *b = sc_of(&pf[1], s);
        same &= a->nvars == b->nvars && a->degree == b->degree;
        if (same && a->nvars)
            same &= !memcmp(a->msgs, b->msgs, sizeof(zki_ext) * a->nvars * a->degree);
    }
    same &= zki_ext_eq(pf[0].x_eval, pf[1].x_eval) && zki_ext_eq(pf[0].w_eval, pf[1].w_eval);
    zki_conv_fft_proof_free(&pf[0]);
    zki_conv_fft_proof_free(&pf[1]);
    return same;
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 0xff7c0);
    /* C H W OC K P full_linear */
    static const uint64_t shapes[][7] = {
        {1, 1, 1, 1, 1, 0, 0},    /* N = 2, no X / W rounds */
        {2, 5, 7, 3, 3, 1, 0},    /* non-power-of-two sizes */
        {3, 6, 5, 2, 2, 0, 1},    /* even kernel, no pad, full linear N */
        {3, 9, 10, 5, 5, 2, 0},   /* 5x5 same */
        {1, 8, 8, 4, 7, 3, 1},    /* 7x7, one input channel */
        {5, 7, 7, 3, 4, 1, 0},    /* even kernel, pad < (K-1)/2 */
        {4, 12, 9, 6, 11, 5, 0},  /* 11x11 same */
        {4, 12, 9, 6, 11, 5, 1},  /* the same, full linear N */
        {3, 4, 4, 2, 3, 3, 0},    /* pad = K: zero output borders */
        {2, 5, 5, 3, 5, 0, 0},    /* kernel = input: 1x1 output */
        {3, 6, 6, 4, 1, 0, 0},    /* 1x1 kernel */
    };
    size_t ns = sizeof(shapes) / sizeof(shapes[0]);
    for (size_t s = 0; s < ns; s++) {
        inst I;
        int made = make(&I, &g, shapes[s]);
        CHECK_MSG(made, "shape %zu set up", s);
        if (!made) {
            drop(&I);
            continue;
        }
        int64_t *Yf = NULL;
        CHECK(zki_conv_fft_forward(&I.d, I.X, I.W, 8, &Yf) == ZKI_OK);
        CHECK_MSG(Yf && !memcmp(Yf, I.Y, sizeof(int64_t) * I.d.OC * I.d.OH * I.d.OW),
                  "NTT forward == direct conv, shape %zu", s);
        free(Yf);
        CHECK_MSG(run(&I, &g, 0), "honest proof, shape %zu", s);
        CHECK_MSG(run(&I, &g, 0), "honest proof (second point), shape %zu", s);
        for (int mode = 1; mode <= 11; mode++) {
            if (mode >= 2 && mode <= 5) {
                size_t nv[4] = {I.d.n, I.d.n + I.d.lc, I.d.lw + I.d.lh, 2 * I.d.lk};
                if (nv[mode - 2] == 0)
                    continue;
            }
            CHECK_MSG(!run(&I, &g, mode), "altered proof accepted: shape %zu mode %d", s, mode);
        }
        CHECK_MSG(same_under_threads(&I, &g), "proof differs across threads, shape %zu", s);
        drop(&I);
    }
    /* sizes: cyclic N >= Hp Wp, full linear N >= the whole product */
    zki_conv_fft_dims d;
    CHECK(zki_conv_fft_dims_init(&d, 64, 32, 32, 64, 11, 5, 0) == ZKI_OK && d.N == 2048);
    CHECK(zki_conv_fft_dims_init(&d, 64, 32, 32, 64, 11, 5, 1) == ZKI_OK && d.N == 4096);
    CHECK(d.OH == 32 && d.OW == 32);
    CHECK(zki_conv_fft_dims_init(&d, 1, 2, 2, 1, 5, 1, 0) == ZKI_ERR_INPUT);
    CHECK(zki_conv_fft_dims_init(&d, 0, 2, 2, 1, 1, 0, 0) == ZKI_ERR_INPUT);
    return TEST_SUMMARY();
}
