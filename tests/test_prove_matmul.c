/* Matrix-multiplication gadget: completeness on random shapes (padding,
 * K = 1, B = 1, bias or not, int8 and int16 weights), and rejection of an
 * altered claim, an altered round message, altered final values and a
 * prover that uses a different weight than the committed one. */
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "ops/matmul.h"
#include "poly/mle.h"
#include "test.h"
#include "test_zk_util.h"

/* MLE table of an int matrix [rows][cols] zero-padded to [2^lr][2^lc]. */
static zki_fe *table_i64(const int64_t *m, uint64_t rows, uint64_t cols, size_t lr, size_t lc)
{
    zki_fe *t = calloc((size_t)1 << (lr + lc), sizeof(zki_fe));
    for (uint64_t r = 0; r < rows; r++)
        for (uint64_t c = 0; c < cols; c++)
            t[(r << lc) + c] = zki_fe_from_i64(m[r * cols + c]);
    return t;
}

typedef struct {
    zki_matmul_dims d;
    int64_t *X, *W64, *bias, *acc;
    void *W;
    int wb;
} inst;

static void make(inst *I, zki_rng *g, uint64_t B, uint64_t K, uint64_t N, int has_bias, int wb)
{
    memset(I, 0, sizeof(*I));
    zki_matmul_dims_init(&I->d, B, K, N, has_bias);
    I->wb = wb;
    I->X = malloc(sizeof(int64_t) * B * K);
    I->W64 = malloc(sizeof(int64_t) * N * K);
    I->W = malloc((size_t)(wb / 8) * N * K);
    I->bias = malloc(sizeof(int64_t) * N);
    for (uint64_t i = 0; i < B * K; i++)
        I->X[i] = (int64_t)zki_rng_below(g, 256) - 128;
    for (uint64_t i = 0; i < N * K; i++) {
        int64_t w = wb == 8 ? (int64_t)zki_rng_below(g, 256) - 128
                            : (int64_t)zki_rng_below(g, 65536) - 32768;
        I->W64[i] = w;
        if (wb == 8)
            ((int8_t *)I->W)[i] = (int8_t)w;
        else
            ((int16_t *)I->W)[i] = (int16_t)w;
    }
    for (uint64_t n = 0; n < N; n++)
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

/* Mode 0: honest; 1: claim + 1; 2: round message altered; 3: x_eval altered;
 * 4: prover folds an altered weight. Returns 1 if every check passed. */
static int run(inst *I, zki_rng *g, int mode)
{
    zki_matmul_dims *d = &I->d;
    const int64_t *bias = d->has_bias ? I->bias : NULL;
    if (mode == 4) { /* the prover uses one altered weight; its claim matches it */
        uint64_t i = zki_rng_below(g, d->N * d->K);
        if (I->wb == 8)
            ((int8_t *)I->W)[i] = (int8_t)(((int8_t *)I->W)[i] ^ 1);
        else
            ((int16_t *)I->W)[i] = (int16_t)(((int16_t *)I->W)[i] ^ 1);
    }
    CHECK(zki_matmul_forward(d, I->X, d->K, I->W, I->wb, d->K, bias, &I->acc) == ZKI_OK);
    /* the forward pass against a direct computation on the true weights */
    int fw_ok = 1;
    for (uint64_t b = 0; b < d->B; b++)
        for (uint64_t n = 0; n < d->N; n++) {
            int64_t s = bias ? bias[n] : 0;
            for (uint64_t k = 0; k < d->K; k++)
                s += I->X[b * d->K + k] * I->W64[n * d->K + k];
            fw_ok &= s == I->acc[b * d->N + n];
        }
    if (mode != 4)
        CHECK(fw_ok);
    size_t la = d->ln + d->lb;
    zki_ext r[64], xp[64], wp[64], xv[64], wv[64];
    for (size_t j = 0; j < la; j++)
        r[j] = zki_ext_make(zki_rng_below(g, ZKI_P), zki_rng_below(g, ZKI_P));
    zki_fe *tacc = table_i64(I->acc, d->B, d->N, d->lb, d->ln);
    zki_fe *tx = table_i64(I->X, d->B, d->K, d->lb, d->lk);
    zki_fe *tw = table_i64(I->W64, d->N, d->K, d->ln, d->lk);
    zki_fe *tb = table_i64(I->bias, 1, d->N, 0, d->ln);
    zki_ext v = zki_mle_eval_base(tacc, la, r);
    zki_transcript tp, tv;
    zki_ts_init(&tp, "test-matmul", 1);
    zki_ts_init(&tv, "test-matmul", 1);
    zki_matmul_proof pf;
    zki_matmul_evals ev;
    zki_status sp = zki_matmul_prove(d, I->X, d->K, I->W, I->wb, d->K, bias, r, v, &tp, &pf, xp, wp, &ev);
    CHECK(sp == ZKI_OK);
    if (mode == 2 && pf.sc.nvars > 0)
        pf.sc.msgs[zki_rng_below(g, pf.sc.nvars * pf.sc.degree)].c0 ^= 1;
    if (mode == 3)
        pf.x_eval = zki_ext_add(pf.x_eval, zki_ext_one());
    if (mode == 1) /* a claim on acc the proof was not made for */
        v = zki_ext_add(v, zki_ext_one());
    zki_matmul_claims cl;
    zki_status sv = zki_matmul_verify(d, r, zki_pv_pub(v), &pf, &tv, xv, wv, &cl);
    int ok = sv == ZKI_OK;
    if (ok) {
        /* the caller's checks: the three claims against the true tables */
        ok &= zki_ext_eq(pf.x_eval, zki_mle_eval_base(tx, d->lk + d->lb, xv));
        ok &= zki_ext_eq(pf.w_eval, zki_mle_eval_base(tw, d->lk + d->ln, wv));
        if (d->has_bias)
            ok &= zki_ext_eq(pf.b_eval, zki_mle_eval_base(tb, d->ln, r));
        if (mode == 0) {
            CHECK(!memcmp(xp, xv, sizeof(zki_ext) * (d->lk + d->lb)));
            CHECK(!memcmp(wp, wv, sizeof(zki_ext) * (d->lk + d->ln)));
            /* both transcripts ended in the same state */
            zki_ext cp = zki_ts_challenge_ext(&tp, "end"), cv = zki_ts_challenge_ext(&tv, "end");
            CHECK(zki_ext_eq(cp, cv));
        }
    }
    zki_matmul_proof_free(&pf);
    zki_ts_free(&tp);
    zki_ts_free(&tv);
    free(tacc);
    free(tx);
    free(tw);
    free(tb);
    free(I->acc);
    I->acc = NULL;
    if (mode == 4) /* restore the true weights */
        for (uint64_t i = 0; i < d->N * d->K; i++) {
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
    zki_matmul_proof pf;
} zk_ctx;

static zki_status zk_prove(void *c, zki_transcript *t)
{
    zk_ctx *z = c;
    zki_matmul_dims *d = &z->I->d;
    zki_matmul_evals ev;
    zki_matmul_proof_free(&z->pf);
    return zki_matmul_prove(d, z->I->X, d->K, z->I->W, z->I->wb, d->K, d->has_bias ? z->I->bias : NULL, z->r,
                            z->v, t, &z->pf, z->xp, z->wp, &ev);
}

/* The verifier, then the caller's checks of the three claims against the
 * tables (constraints: the claims are private). */
static zki_status zk_verify(void *c, zki_transcript *t)
{
    zk_ctx *z = c;
    zki_matmul_dims *d = &z->I->d;
    zki_ext xv[64], wv[64];
    zki_matmul_claims cl;
    zki_status st = zki_matmul_verify(d, z->r, zki_pv_pub(z->v), &z->pf, t, xv, wv, &cl);
    if (!st)
        st = zki_pv_assert_eq(t->zk, cl.x, zki_pv_pub(zki_mle_eval_base(z->tx, d->lk + d->lb, xv)), "x");
    if (!st)
        st = zki_pv_assert_eq(t->zk, cl.w, zki_pv_pub(zki_mle_eval_base(z->tw, d->lk + d->ln, wv)), "w");
    if (!st && d->has_bias)
        st = zki_pv_assert_eq(t->zk, cl.b, zki_pv_pub(zki_mle_eval_base(z->tb, d->ln, z->r)), "b");
    return st;
}

static int zk_mutation;
static void zk_mutate(void *c)
{
    zk_ctx *z = c;
    if (zk_mutation == 0)
        z->pf.x_eval = zki_ext_add(z->pf.x_eval, zki_ext_one());
    else if (zk_mutation == 1)
        z->pf.b_eval = zki_ext_add(z->pf.b_eval, zki_ext_one());
    else
        z->pf.sc.msgs[0] = zki_ext_add(z->pf.sc.msgs[0], zki_ext_one());
}

static void zk_case(zki_rng *g, uint64_t B, uint64_t K, uint64_t N, int hb)
{
    inst I;
    make(&I, g, B, K, N, hb, 8);
    zki_matmul_dims *d = &I.d;
    CHECK(zki_matmul_forward(d, I.X, d->K, I.W, 8, d->K, hb ? I.bias : NULL, &I.acc) == ZKI_OK);
    zk_ctx z;
    memset(&z, 0, sizeof z);
    z.I = &I;
    size_t la = d->ln + d->lb;
    for (size_t j = 0; j < la; j++)
        z.r[j] = zki_ext_make(zki_rng_below(g, ZKI_P), zki_rng_below(g, ZKI_P));
    zki_fe *tacc = table_i64(I.acc, d->B, d->N, d->lb, d->ln);
    z.tx = table_i64(I.X, d->B, d->K, d->lb, d->lk);
    z.tw = table_i64(I.W64, d->N, d->K, d->ln, d->lk);
    z.tb = table_i64(I.bias, 1, d->N, 0, d->ln);
    z.v = zki_mle_eval_base(tacc, la, z.r);
    uint64_t n_pads = 3 + 2 * d->lk;
    for (zk_mutation = 0; zk_mutation < (d->lk ? 3 : 2); zk_mutation++) {
        zki_zk *zp = zk_roundtrip("matmul", &z, zk_prove, zk_verify, n_pads);
        if (zp)
            zk_cheat("matmul", &z, zk_verify, zk_mutate, zp);
        zki_zk_free(zp);
    }
    zki_matmul_proof_free(&z.pf);
    free(tacc);
    free(z.tx);
    free(z.tw);
    free(z.tb);
    drop(&I);
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 6);
    static const uint64_t shapes[][3] = {{1, 1, 1}, {1, 784, 128}, {3, 5, 7}, {4, 16, 8},
                                         {2, 1, 3},  {5, 33, 1},    {1, 100, 10}, {7, 64, 65}};
    int ns = (int)(sizeof(shapes) / sizeof(shapes[0]));
    int honest = 0, rejected[5] = {0}, tried[5] = {0};
    for (int s = 0; s < ns; s++)
        for (int wb = 8; wb <= 16; wb += 8)
            for (int hb = 0; hb < 2; hb++) {
                inst I;
                make(&I, &g, shapes[s][0], shapes[s][1], shapes[s][2], hb, wb);
                honest += run(&I, &g, 0);
                for (int m = 1; m <= 4; m++) {
                    if (m == 2 && I.d.lk == 0)
                        continue;
                    tried[m]++;
                    rejected[m] += !run(&I, &g, m);
                }
                drop(&I);
            }
    CHECK_MSG(honest == ns * 4, "honest proofs accepted %d of %d", honest, ns * 4);
    for (int m = 1; m <= 4; m++)
        CHECK_MSG(rejected[m] == tried[m] && tried[m] > 0, "mode %d rejected %d of %d", m,
                  rejected[m], tried[m]);
    /* the rows mask against a direct sum */
    for (uint64_t B = 1; B <= 9; B++) {
        size_t lb = zki_log2_ceil(B);
        zki_ext rb[4], eq[16];
        for (size_t j = 0; j < lb; j++)
            rb[j] = zki_ext_make(zki_rng_below(&g, ZKI_P), zki_rng_below(&g, ZKI_P));
        zki_eq_table(eq, rb, lb);
        zki_ext s = zki_ext_zero();
        for (uint64_t b = 0; b < B; b++)
            s = zki_ext_add(s, eq[b]);
        CHECK_MSG(zki_ext_eq(s, zki_rows_mask_eval(rb, lb, B)), "rows mask B=%llu",
                  (unsigned long long)B);
    }
    zk_case(&g, 3, 5, 7, 1);
    zk_case(&g, 1, 1, 4, 0);
    zk_case(&g, 4, 33, 9, 0);
    /* bad sizes are errors, not crashes */
    zki_matmul_dims d;
    CHECK(zki_matmul_dims_init(&d, 0, 3, 3, 0) == ZKI_ERR_INPUT);
    CHECK(zki_matmul_dims_init(&d, 1, 1ull << 32, 3, 0) == ZKI_ERR_INPUT);
    return TEST_SUMMARY();
}
