/* Issue 7 measurement: one conv layer (batch 1, stride 1, "same" padding
 * P = (K-1)/2, int8 weights, inputs in [-128, 127], no bias) proven by
 *   im2col   the virtual-im2col gadget (ops/conv.h, what the prover uses)
 *   fft      the NTT-domain prototype (bench/conv_fft.h), cyclic N >= Hp Wp
 *   fft_full the same with N >= the full linear-convolution size
 * on the same inputs and the same claim, under 1 and 2 OpenMP threads.
 * Prints CSV:
 *   method,C,H,W,OC,K,threads,N,prove_ms,prove_cpu_ms,verify_ms,proof_bytes,fwd_ms,what_values
 * prove/verify: minimum of REPS runs (witness given; the claim point and
 * value are not timed). fwd_ms: the integer forward pass that makes the
 * witness, direct loops for im2col, the zkCNN-style NTT forward (What for
 * all OC*C pairs, OC*C NTTs of size N) for fft. what_values = OC*C*N, the
 * What entries a zkCNN prover computes (the prototype's proof itself
 * folds over oc first and needs only 3C+2 NTTs). proof_bytes: 16 per
 * extension element sent.
 * Usage: bench_conv_fft [REPS [sweep]]; "sweep" runs K = 15, 21, 31 instead
 * (1 thread), to locate where the two cross. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "common/rng.h"
#include "ops/conv.h"
#include "conv_fft.h"
#include "poly/mle.h"

static int reps = 5;

/* Minimum over the runs: the machine is shared, the minimum is the run
 * least disturbed by other processes. */
static double vmin(const double *v, int n)
{
    double m = v[0];
    for (int i = 1; i < n; i++)
        m = v[i] < m ? v[i] : m;
    return m;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static zki_ext rnd_ext(zki_rng *g)
{
    return zki_ext_make(zki_rng_below(g, ZKI_P), zki_rng_below(g, ZKI_P));
}

/* Y~(r) for Y [OC][OH][OW], each axis padded. */
static zki_ext y_eval(const int64_t *Y, uint64_t OC, uint64_t OH, uint64_t OW, size_t loc,
                      size_t loh, size_t low, const zki_ext *r)
{
    size_t nv = loc + loh + low;
    zki_fe *t = calloc((size_t)1 << nv, sizeof(zki_fe));
    for (uint64_t o = 0; o < OC; o++)
        for (uint64_t y = 0; y < OH; y++)
            for (uint64_t x = 0; x < OW; x++)
                t[(((size_t)o << loh | y) << low) | x] = zki_fe_from_i64(Y[(o * OH + y) * OW + x]);
    zki_ext v = zki_mle_eval_base(t, nv, r);
    free(t);
    return v;
}

static void row(const char *m, const zki_conv_fft_dims *d, int th, uint64_t N, double p, double pc, double v,
                size_t bytes, double fwd, uint64_t what)
{
    printf("%s,%llu,%llu,%llu,%llu,%llu,%d,%llu,%.3f,%.3f,%.3f,%zu,%.3f,%llu\n", m,
           (unsigned long long)d->C, (unsigned long long)d->H, (unsigned long long)d->W,
           (unsigned long long)d->OC, (unsigned long long)d->K, th, (unsigned long long)N, p * 1e3,
           pc * 1e3, v * 1e3, bytes, fwd * 1e3, (unsigned long long)what);
    fflush(stdout);
}

static int bench_im2col(const zki_conv_dims *cd, const zki_conv_fft_dims *d, const int64_t *X,
                        const int8_t *W, const zki_ext *r, zki_ext v, int th, double fwd)
{
    double tp[16] = {0}, tv[16] = {0}, tc[16] = {0};
    size_t bytes = 0;
    zki_ext xp[64], wp[64];
    for (int i = 0; i < reps; i++) {
        zki_transcript a, b;
        zki_ts_init(&a, "bench-conv", 1);
        zki_ts_init(&b, "bench-conv", 1);
        zki_conv_proof pf;
        zki_conv_evals ev;
        zki_conv_claims cl;
        double c0 = cpu_now(), t0 = bench_now();
        if (zki_conv_prove(cd, X, W, 8, NULL, r, v, &a, &pf, xp, wp, &ev))
            return 0;
        double t1 = bench_now();
        tc[i] = cpu_now() - c0;
        int ok = zki_conv_verify(cd, r, zki_pv_pub(v), &pf, &b, xp, wp, &cl) == ZKI_OK;
        double t2 = bench_now();
        tp[i] = t1 - t0, tv[i] = t2 - t1;
        bytes = 16 * (pf.sc1.nvars * pf.sc1.degree + pf.sc2.nvars * pf.sc2.degree + 4);
        zki_conv_proof_free(&pf);
        zki_ts_free(&a);
        zki_ts_free(&b);
        if (!ok)
            return 0;
    }
    row("im2col", d, th, 0, vmin(tp, reps), vmin(tc, reps), vmin(tv, reps), bytes, fwd, 0);
    return 1;
}

static int bench_fft(const char *name, const zki_conv_fft_dims *d, const int64_t *X,
                     const int8_t *W, const int64_t *Yref, const zki_ext *r, zki_ext v, int th)
{
    double tp[16] = {0}, tv[16] = {0}, tc[16] = {0};
    size_t bytes = 0;
    zki_ext xp[64], wp[64];
    for (int i = 0; i < reps; i++) {
        zki_transcript a, b;
        zki_ts_init(&a, "bench-conv-fft", 1);
        zki_ts_init(&b, "bench-conv-fft", 1);
        zki_conv_fft_proof pf;
        double c0 = cpu_now(), t0 = bench_now();
        if (zki_conv_fft_prove(d, X, W, 8, r, v, &a, &pf, xp, wp))
            return 0;
        double t1 = bench_now();
        tc[i] = cpu_now() - c0;
        int ok = zki_conv_fft_verify(d, r, v, &pf, &b, xp, wp) == ZKI_OK;
        double t2 = bench_now();
        tp[i] = t1 - t0, tv[i] = t2 - t1;
        bytes = 16 * zki_conv_fft_proof_elems(&pf);
        zki_conv_fft_proof_free(&pf);
        zki_ts_free(&a);
        zki_ts_free(&b);
        if (!ok)
            return 0;
    }
    int64_t *Y = NULL;
    double t0 = bench_now();
    if (zki_conv_fft_forward(d, X, W, 8, &Y))
        return 0;
    double fwd = bench_now() - t0;
    int same = !memcmp(Y, Yref, sizeof(int64_t) * d->OC * d->OH * d->OW);
    free(Y);
    row(name, d, th, d->N, vmin(tp, reps), vmin(tc, reps), vmin(tv, reps), bytes, fwd,
        d->OC * d->C * d->N);
    return same;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        reps = atoi(argv[1]);
    if (reps < 1 || reps > 16)
        reps = 5;
    int sweep = argc > 2 && !strcmp(argv[2], "sweep");
    static const uint64_t layers[][4] = {{64, 32, 32, 64}, {16, 64, 64, 16}, {3, 32, 32, 64}};
    static const uint64_t ks4[] = {3, 5, 7, 11}, ksw[] = {15, 21, 31};
    const uint64_t *ks = sweep ? ksw : ks4;
    size_t nk = sweep ? 3 : 4;
    zki_rng g;
    zki_rng_seed(&g, 0xbe7c);
    printf("method,C,H,W,OC,K,threads,N,prove_ms,prove_cpu_ms,verify_ms,proof_bytes,fwd_ms,what_values\n");
    int fails = 0;
    for (size_t l = 0; l < 3; l++)
        for (size_t ki = 0; ki < nk; ki++) {
            uint64_t C = layers[l][0], H = layers[l][1], Wd = layers[l][2], OC = layers[l][3];
            uint64_t K = ks[ki], P = (K - 1) / 2;
            zki_conv_dims cd;
            zki_conv_fft_dims d, df;
            if (zki_conv_dims_init(&cd, 1, C, H, Wd, OC, K, K, 1, 1, 1, 1, P, P, P, P, 1, 0) ||
                zki_conv_fft_dims_init(&d, C, H, Wd, OC, K, P, 0) ||
                zki_conv_fft_dims_init(&df, C, H, Wd, OC, K, P, 1))
                return 1;
            int64_t *X = malloc(sizeof(int64_t) * C * H * Wd);
            int8_t *W = malloc(OC * C * K * K);
            for (uint64_t i = 0; i < C * H * Wd; i++)
                X[i] = (int64_t)zki_rng_below(&g, 256) - 128;
            for (uint64_t i = 0; i < OC * C * K * K; i++)
                W[i] = (int8_t)((int64_t)zki_rng_below(&g, 256) - 128);
            zki_ext r[64];
            for (size_t j = 0; j < zki_conv_acc_nvars(&cd); j++)
                r[j] = rnd_ext(&g);
            for (int th = 1; th <= (sweep ? 1 : 2); th++) {
                omp_set_num_threads(th);
                int64_t *Y = NULL;
                double t0 = bench_now();
                if (zki_conv_forward(&cd, X, W, 8, NULL, &Y))
                    return 1;
                double fwd = bench_now() - t0;
                zki_ext v = y_eval(Y, OC, cd.OH, cd.OW, cd.loc, cd.loh, cd.low, r);
                fails += !bench_im2col(&cd, &d, X, W, r, v, th, fwd);
                fails += !bench_fft("fft", &d, X, W, Y, r, v, th);
                if (df.N != d.N)
                    fails += !bench_fft("fft_full", &df, X, W, Y, r, v, th);
                free(Y);
            }
            free(X);
            free(W);
        }
    printf("# peak_rss_mib=%.1f failures=%d\n", bench_peak_rss_mib(), fails);
    return fails != 0;
}
