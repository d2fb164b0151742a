/* Ligero benchmark (src/ligero/): shape, proof bytes and the median time of
 * commit, prove and verify for one commitment of 2^10, 2^17 and 2^18 values
 * (or the sizes given as log2 arguments) with the automatic row width, 100
 * bits and 16 grinding bits. The statement: a random linear equation over
 * every value, and products x * y = z on rows 3i, 3i + 1, 3i + 2 (one triple
 * per three rows); the whole witness is random in K with the product rows
 * set to match. Prints the median wall time and the median process CPU time
 * of the runs (with one thread the CPU time is the steadier figure on a
 * shared machine). Threads: OMP_NUM_THREADS (default: all).
 * Usage: bench_ligero [reps (default 5)] [log2 sizes ...] */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "common/rng.h"
#include "ligero/ligero.h"

static zki_ext rand_ext(zki_rng *g)
{
    return zki_ext_make(zki_rng_below(g, ZKI_P), zki_rng_below(g, ZKI_P));
}

/* CPU time of the process (all threads), ms: with one thread, close to the
 * wall time on an idle machine even when the machine is shared. */
static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return 1e3 * ((double)ts.tv_sec + (double)ts.tv_nsec * 1e-9);
}

static int run(uint64_t n, int reps)
{
    zki_ligero_shape s;
    if (zki_ligero_shape_init(&s, 1, &n, 0, 100, 16, 0))
        return 1;
    uint64_t ell = s.ell, rows = s.rows[0], nv = rows * ell;
    zki_rng g;
    zki_rng_seed(&g, n);
    zki_ext *w = malloc(nv * sizeof *w), *a = malloc(nv * sizeof *a);
    uint64_t n_tri = rows / 3;
    zki_ligero_triple *tri = malloc((n_tri + 1) * sizeof *tri);
    for (uint64_t i = 0; i < nv; i++) {
        w[i] = i < n ? rand_ext(&g) : zki_ext_zero();
        a[i] = i < n ? rand_ext(&g) : zki_ext_zero();
    }
    for (uint64_t r = 0; r < n_tri; r++) {
        tri[r] = (zki_ligero_triple){0, 3 * r, 3 * r + 1, 3 * r + 2};
        for (uint64_t i = 0; i < ell; i++)
            w[(3 * r + 2) * ell + i] = zki_ext_mul(w[3 * r * ell + i], w[(3 * r + 1) * ell + i]);
    }
    zki_ext b = zki_ext_zero();
    for (uint64_t i = 0; i < nv; i++)
        b = zki_ext_add(b, zki_ext_mul(a[i], w[i]));
    const zki_ext *ap[1] = {a};
    double tc[16], tp[16], tv[16], cc[16], cp[16], cv[16];
    size_t bytes = 0;
    int fail = 0;
    for (int k = 0; k < reps; k++) {
        uint8_t seed[32] = {(uint8_t)k};
        zki_digest root;
        zki_ligero_prover *pr;
        zki_ligero_proof p;
        double c0 = cpu_ms(), t0 = bench_now();
        fail |= zki_ligero_commit(&pr, &s, 0, w, nv, seed, &root) != ZKI_OK;
        double c1 = cpu_ms(), t1 = bench_now();
        zki_transcript ts;
        zki_ts_init(&ts, "bench-ligero", 1);
        zki_ts_absorb_digest(&ts, "root", &root);
        fail |= zki_ligero_prove(&ts, &pr, 1, ap, b, tri, n_tri, &p) != ZKI_OK;
        double c2 = cpu_ms(), t2 = bench_now();
        zki_ts_free(&ts);
        uint8_t *buf;
        fail |= zki_ligero_proof_to_bytes(&s, n_tri, &p, &buf, &bytes) != ZKI_OK;
        zki_ligero_proof q;
        double c3 = cpu_ms(), t3 = bench_now();
        zki_ts_init(&ts, "bench-ligero", 1);
        zki_ts_absorb_digest(&ts, "root", &root);
        fail |= zki_ligero_proof_from_bytes(&s, n_tri, &q, buf, bytes) != ZKI_OK;
        fail |= zki_ligero_verify(&ts, &s, &root, 1, ap, b, tri, n_tri, &q) != ZKI_OK;
        double c4 = cpu_ms(), t4 = bench_now();
        zki_ts_free(&ts);
        cc[k] = c1 - c0;
        cp[k] = c2 - c1;
        cv[k] = c4 - c3;
        tc[k] = 1e3 * (t1 - t0);
        tp[k] = 1e3 * (t2 - t1);
        tv[k] = 1e3 * (t4 - t3);
        free(buf);
        zki_ligero_proof_free(&p);
        zki_ligero_proof_free(&q);
        zki_ligero_prover_free(pr);
    }
    double mc = bench_median(cc, reps), mp = bench_median(cp, reps), mv = bench_median(cv, reps);
    printf("| 2^%-2u | 2^%-2u | %llu | %llu | 2^%u | %u | %llu | %zu | %.1f / %.1f | %.1f / %.1f | "
           "%.1f / %.1f |%s\n",
           (unsigned)(63 - __builtin_clzll(n)), s.log_ell, (unsigned long long)s.h,
           (unsigned long long)s.k, s.log_d, s.queries, (unsigned long long)n_tri, bytes,
           bench_median(tc, reps), mc, bench_median(tp, reps), mp, bench_median(tv, reps), mv,
           fail ? " FAILED" : "");
    free(w);
    free(a);
    free(tri);
    return fail;
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 5;
    if (reps < 1 || reps > 16)
        reps = 5;
    printf("threads %d, %d runs: wall ms / process CPU ms, medians\n",
           omp_get_max_threads(), reps);
    printf("| values | ell | h | k | D | t | triples | proof bytes | commit ms | prove ms | verify ms |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
    int fail = 0;
    if (argc > 2) {
        for (int i = 2; i < argc; i++)
            fail |= run((uint64_t)1 << atoi(argv[i]), reps);
    } else {
        static const unsigned sizes[] = {10, 17, 18};
        for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
            fail |= run((uint64_t)1 << sizes[i], reps);
    }
    return fail;
}
