/* Core benchmark (`make bench`): field, NTT, Merkle and sum-check on one
 * thread and on all cores. Prints a table of medians and the peak RSS.
 * --quick uses fewer repetitions and skips the 2^24 sizes (used by make demo). */
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "bench_util.h"
#include "cli/cli.h"
#include "common/rng.h"
#include "field/field.h"
#include "field/vec.h"
#include "hash/merkle.h"
#include "ntt/ntt.h"
#include "sumcheck/sumcheck.h"

static int g_reps = 5;

typedef double (*bench_fn)(void *ctx); /* returns seconds for one run */

static double median_of(bench_fn f, void *ctx, int reps)
{
    double t[32];
    f(ctx); /* warm-up: caches, twiddles, page faults */
    for (int i = 0; i < reps; i++)
        t[i] = f(ctx);
    return bench_median(t, reps);
}

static void fill_random(zki_fe *v, size_t n, uint64_t seed)
{
    zki_rng g;
    zki_rng_seed(&g, seed);
    for (size_t i = 0; i < n; i++)
        v[i] = zki_rng_below(&g, ZKI_P);
}

/* ---- field ---------------------------------------------------------- */

enum { VEC_N = 1 << 16, VEC_ITERS = 64 };

typedef enum { OP_FOLD_BASE, OP_FOLD_EXT, OP_EQ_SPLIT, OP_EXT_MUL_SCALAR } field_op;

typedef struct {
    zki_fe *a;             /* 2 VEC_N base entries */
    zki_ext *ea, *eb, *eout; /* 2 VEC_N, VEC_N, VEC_N extension entries */
    zki_ext r;
    field_op op;
} field_ctx;

/* VEC_ITERS passes of one kernel over this thread's outputs [lo, hi). */
static zki_fe field_slice(const field_ctx *c, size_t lo, size_t hi)
{
    const zki_vec_impl *v = zki_vec();
    for (int it = 0; it < VEC_ITERS; it++) {
        switch (c->op) {
        case OP_FOLD_BASE: v->fold_base(c->eout + lo, c->a + 2 * lo, hi - lo, c->r); break;
        case OP_FOLD_EXT: v->fold_ext(c->eout + lo, c->ea + 2 * lo, hi - lo, c->r); break;
        case OP_EQ_SPLIT: v->eq_split(c->eb + lo, c->eout + lo, hi - lo, c->r); break;
        case OP_EXT_MUL_SCALAR: /* the inline product sum-check rounds use */
            for (size_t i = lo; i < hi; i++)
                c->eout[i] = zki_ext_mul(c->ea[i], c->eb[i]);
            break;
        }
        __asm__ volatile("" ::: "memory"); /* keep every pass */
    }
    return c->eout[lo].c0;
}

static double run_field(void *p)
{
    const field_ctx *c = p;
    volatile zki_fe sink = 0;
    double t0 = bench_now();
#pragma omp parallel
    {
        int nt = omp_get_num_threads(), id = omp_get_thread_num();
        zki_fe s = field_slice(c, (size_t)VEC_N * id / nt, (size_t)VEC_N * (id + 1) / nt);
#pragma omp critical
        sink = zki_fe_add(sink, s);
    }
    (void)sink;
    return bench_now() - t0;
}

/* ---- NTT, Merkle, sum-check ------------------------------------------ */

typedef struct {
    zki_fe *data;
    size_t n;
} ntt_ctx;

static double run_ntt(void *p)
{
    ntt_ctx *c = p;
    double t0 = bench_now();
    zki_ntt_forward(c->data, c->n);
    return bench_now() - t0;
}

/* Hashing the layers of a tree whose leaves are already in place (how the
 * commitment uses it), and the whole build including allocation and copy. */
typedef struct {
    zki_merkle_tree tree;
    zki_digest *leaves;
    size_t n;
} merkle_ctx;

static double run_merkle_layers(void *p)
{
    merkle_ctx *c = p;
    double t0 = bench_now();
    zki_merkle_hash_layers(&c->tree);
    return bench_now() - t0;
}

static double run_merkle_build(void *p)
{
    merkle_ctx *c = p;
    zki_merkle_tree t;
    double t0 = bench_now();
    zki_merkle_build(&t, c->leaves, c->n);
    double dt = bench_now() - t0;
    zki_merkle_free(&t);
    return dt;
}

typedef struct {
    zki_fe *f, *g;
    size_t nvars;
    zki_ext sum;
    double verify_s;
} sc_ctx;

static double run_sumcheck(void *p)
{
    sc_ctx *c = p;
    zki_sc_instance inst = {.nvars = c->nvars, .n_tables = 2, .base = {c->f, c->g}};
    zki_transcript tp;
    zki_ts_init(&tp, "bench", 1);
    zki_sc_proof proof;
    zki_ext point[32], evals[2];
    double t0 = bench_now();
    zki_sumcheck_prove(&inst, c->sum, &tp, &proof, point, evals);
    double dt = bench_now() - t0;

    zki_transcript tv;
    zki_ts_init(&tv, "bench", 1);
    zki_ext vpoint[32], final;
    double t1 = bench_now();
    zki_status st = zki_sumcheck_verify(c->nvars, 2, c->sum, &proof, &tv, vpoint, &final);
    if (st == ZKI_OK)
        st = zki_sumcheck_check_final(NULL, vpoint, c->nvars, evals, 2, final);
    c->verify_s = bench_now() - t1;
    if (st != ZKI_OK)
        fprintf(stderr, "bench: sum-check did not verify: %s\n", zki_last_error());
    zki_sc_proof_free(&proof);
    zki_ts_free(&tp);
    zki_ts_free(&tv);
    return dt;
}

/* ---- driver ---------------------------------------------------------- */

typedef struct {
    const char *name;
    const char *target; /* single-core target, or "" */
    double t[2];        /* seconds per unit: 1 thread, all threads */
    const char *unit;
    double scale;       /* multiply seconds by this for display */
} row;

static void print_row(const row *r)
{
    printf("%-34s %12.2f %12.2f  %-4s %s\n", r->name, r->t[0] * r->scale, r->t[1] * r->scale,
           r->unit, r->target);
}

int main(int argc, char **argv)
{
    zki_cli_memory_policy(argv); /* as the zkinfer executable does */
    int quick = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            quick = 1;
        else {
            fprintf(stderr, "usage: %s [--quick]\n", argv[0]);
            return 2;
        }
    }
    if (quick)
        g_reps = 3;
    int all = omp_get_num_procs();
    int threads[2] = {1, all};
    printf("zkinfer core benchmark: field=%s, vector kernels=%s, cores=%d%s\n", ZKI_FIELD_NAME,
           zki_vec()->name, all, quick ? " (quick)" : "");
    printf("%-34s %12s %12s  %-4s %s\n", "benchmark", "1 thread", "all cores", "unit",
           "target (1 thread)");

    field_ctx fc;
    fc.a = malloc(2 * VEC_N * sizeof(zki_fe));
    fc.ea = malloc(2 * VEC_N * sizeof(zki_ext));
    fc.eb = malloc(VEC_N * sizeof(zki_ext));
    fc.eout = malloc(VEC_N * sizeof(zki_ext));
    fill_random(fc.a, 2 * VEC_N, 1);
    fill_random((zki_fe *)fc.ea, 4 * VEC_N, 3);
    fill_random((zki_fe *)fc.eb, 2 * VEC_N, 4);
    fill_random(&fc.r.c0, 2, 9);

    row rows[16];
    int nrows = 0;
    const double per_elem = 1e9 / ((double)VEC_N * VEC_ITERS);
    rows[nrows++] = (row){"MLE fold, base table (vector)", "", {0, 0}, "ns", per_elem};
    rows[nrows++] = (row){"MLE fold, ext table (vector)", "", {0, 0}, "ns", per_elem};
    rows[nrows++] = (row){"eq table step (vector)", "", {0, 0}, "ns", per_elem};
    rows[nrows++] = (row){"extension mul (scalar inline)", "<= 5 ns", {0, 0}, "ns", per_elem};
    const field_op ops[4] = {OP_FOLD_BASE, OP_FOLD_EXT, OP_EQ_SPLIT, OP_EXT_MUL_SCALAR};
    for (int k = 0; k < 4; k++) {
        fc.op = ops[k];
        for (int j = 0; j < 2; j++) {
            omp_set_num_threads(threads[j]);
            rows[k].t[j] = median_of(run_field, &fc, g_reps);
        }
    }
    for (int k = 0; k < nrows; k++)
        print_row(&rows[k]);
    fflush(stdout);

    unsigned max_log = quick ? 20 : 24;
    for (unsigned lg = 20; lg <= max_log; lg += 4) {
        ntt_ctx nc = {malloc(((size_t)1 << lg) * sizeof(zki_fe)), (size_t)1 << lg};
        fill_random(nc.data, nc.n, 5);
        row r = {lg == 20 ? "NTT 2^20" : "NTT 2^24", lg == 20 ? "<= 20 ms" : "", {0, 0}, "ms", 1e3};
        for (int j = 0; j < 2; j++) {
            omp_set_num_threads(threads[j]);
            r.t[j] = median_of(run_ntt, &nc, g_reps);
        }
        print_row(&r);
        fflush(stdout);
        free(nc.data);
    }

    {
        merkle_ctx mc = {.n = (size_t)1 << 20};
        mc.leaves = malloc(mc.n * sizeof(zki_digest));
        zki_rng g;
        zki_rng_seed(&g, 6);
        for (size_t i = 0; i < mc.n * 4; i++)
            ((uint64_t *)mc.leaves)[i] = zki_rng_u64(&g);
        zki_merkle_init(&mc.tree, mc.n);
        memcpy(zki_merkle_leaves(&mc.tree), mc.leaves, mc.n * sizeof(zki_digest));
        row r = {"Merkle 2^20 leaves (hash layers)", "<= 40 ms", {0, 0}, "ms", 1e3};
        row rb = {"Merkle 2^20 leaves (alloc+build)", "", {0, 0}, "ms", 1e3};
        for (int j = 0; j < 2; j++) {
            omp_set_num_threads(threads[j]);
            r.t[j] = median_of(run_merkle_layers, &mc, g_reps);
            rb.t[j] = median_of(run_merkle_build, &mc, g_reps);
        }
        print_row(&r);
        print_row(&rb);
        fflush(stdout);
        zki_merkle_free(&mc.tree);
        free(mc.leaves);
    }

    for (unsigned lg = 20; lg <= max_log; lg += 4) {
        sc_ctx sc = {malloc(((size_t)1 << lg) * sizeof(zki_fe)),
                     malloc(((size_t)1 << lg) * sizeof(zki_fe)), lg, {0, 0}, 0};
        fill_random(sc.f, (size_t)1 << lg, 7);
        fill_random(sc.g, (size_t)1 << lg, 8);
        zki_sc_instance inst = {.nvars = lg, .n_tables = 2, .base = {sc.f, sc.g}};
        sc.sum = zki_sc_sum(&inst);
        row r = {lg == 20 ? "sum-check f*g, 2^20 (prove)" : "sum-check f*g, 2^24 (prove)",
                 lg == 20 ? "<= 20 ms" : "", {0, 0}, "ms", 1e3};
        double vt[2];
        for (int j = 0; j < 2; j++) {
            omp_set_num_threads(threads[j]);
            r.t[j] = median_of(run_sumcheck, &sc, g_reps);
            vt[j] = sc.verify_s;
        }
        print_row(&r);
        row rv = {lg == 20 ? "sum-check f*g, 2^20 (verify)" : "sum-check f*g, 2^24 (verify)",
                  "", {vt[0], vt[1]}, "ms", 1e3};
        print_row(&rv);
        fflush(stdout);
        free(sc.f);
        free(sc.g);
    }
    printf("peak RSS: %.1f MiB\n", bench_peak_rss_mib());
    free(fc.a);
    free(fc.ea);
    free(fc.eb);
    free(fc.eout);
    return 0;
}
