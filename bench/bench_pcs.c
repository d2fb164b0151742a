/* PCS benchmark: commit / open / verify time, proof size and peak RSS for
 * one int8 vector of 2^20, 2^22 and 2^24 entries, and one of a length that
 * is not a power of two (default 25.3M, the size of VGG-16's largest
 * table), opened at one point, plain and hiding, on 2 threads (override with
 * OMP_NUM_THREADS). Each case runs in its own process so peak RSS is per case.
 * The openings grind `grind` proof-of-work bits (default 16, the keys'
 * default); the mean grinding time alone is measured first.
 * Usage: bench_pcs [max_log2 (default 24)] [min_log2 (default 20)]
 *                  [extra_len (default 25300000, 0 = none)] [grind (default 16)] */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/rng.h"
#include "pcs/pcs.h"
#include "pcs/pcs_internal.h"

static uint32_t grind = 16;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* Linux: KiB */
}

static int run_case(uint64_t n, int hiding)
{
    unsigned lg = 0;
    while (((uint64_t)1 << lg) < n)
        lg++;
    uint64_t n2 = (uint64_t)1 << lg;
    int8_t *w = calloc(n2, 1); /* zero beyond n: the table's MLE */
    zki_rng g;
    zki_rng_seed(&g, lg);
    for (uint64_t i = 0; i < n; i += 8) {
        uint64_t r = zki_rng_u64(&g);
        for (uint64_t b = 0; b < 8 && i + b < n; b++)
            w[i + b] = (int8_t)(r >> (8 * b));
    }
    zki_pcs_vec v = {ZKI_PCS_I8, w, n};
    zki_pcs_params prm;
    zki_pcs_params_default(&prm);
    prm.hiding = hiding;
    prm.grind_bits = grind;
    uint8_t seed[32] = {7};
    prm.seed = seed;
    zki_ext *pt = malloc(lg * sizeof *pt);
    for (unsigned i = 0; i < lg; i++)
        pt[i] = zki_ext_make(zki_rng_below(&g, ZKI_P), zki_rng_below(&g, ZKI_P));

    double t0 = now();
    zki_pcs_prover *pr;
    if (zki_pcs_commit(&pr, &prm, &v, 1)) {
        fprintf(stderr, "commit failed: %s\n", zki_last_error());
        return 1;
    }
    double t1 = now();
    zki_pcs_claim cl = {0, 0, pt, zki_ext_zero(), 0};
    {
        /* the claimed value sum_x t[x] eq(r, x), by folding (not timed) */
        zki_ext *f = malloc((n2 / 2) * sizeof *f);
        for (uint64_t i = 0; i < n2 / 2; i++) {
            zki_fe a = zki_fe_from_i64(w[2 * i]), b = zki_fe_from_i64(w[2 * i + 1]);
            f[i] = zki_ext_add_fe(zki_ext_scale(pt[0], zki_fe_sub(b, a)), a);
        }
        for (unsigned k = 1; k < lg; k++)
            for (uint64_t i = 0; i < (n2 >> (k + 1)); i++)
                f[i] = zki_ext_add(f[2 * i],
                                   zki_ext_mul(pt[k], zki_ext_sub(f[2 * i + 1], f[2 * i])));
        cl.value = f[0];
        free(f);
    }
    zki_transcript ts;
    zki_ts_init(&ts, "bench", 1);
    zki_pcs_proof proof;
    double t2 = now();
    if (zki_pcs_open(&ts, &pr, 1, &cl, 1, &proof)) {
        fprintf(stderr, "open failed: %s\n", zki_last_error());
        return 1;
    }
    double t3 = now();
    zki_ts_free(&ts);
    uint8_t *bytes;
    size_t len;
    zki_pcs_proof_to_bytes(&proof, &bytes, &len);
    const zki_pcs_commitment *com = zki_pcs_prover_commitment(pr);
    zki_pcs_proof parsed;
    zki_transcript tv;
    zki_ts_init(&tv, "bench", 1);
    double t4 = now();
    zki_status st = zki_pcs_proof_from_bytes(&parsed, bytes, len);
    if (!st)
        st = zki_pcs_verify(&tv, &com, 1, &cl, 1, &parsed);
    double t5 = now();
    zki_ts_free(&tv);
    char name[32];
    if (n == n2)
        snprintf(name, sizeof name, "2^%u", lg);
    else
        snprintf(name, sizeof name, "%.1fM", (double)n / 1e6);
    printf("| %s | %-6s | %5llu x %-6llu | %3u | %7.3f | %7.3f | %7.2f | %8.1f | %7.0f | %s |\n", name,
           hiding ? "hiding" : "plain", (unsigned long long)com->shape.rows,
           (unsigned long long)com->shape.d, com->shape.queries, t1 - t0, t3 - t2,
           1e3 * (t5 - t4), (double)len / 1024.0, peak_rss_mb(), st ? "REJECTED" : "ok");
    fflush(stdout);
    zki_pcs_proof_free(&parsed);
    zki_pcs_proof_free(&proof);
    free(bytes);
    zki_pcs_prover_free(pr);
    free(pt);
    free(w);
    return st != ZKI_OK;
}

/* Mean time of the proof-of-work search alone over `n` transcripts
 * (geometric: mean 2^bits hashes, so average many). */
static void bench_grind(uint32_t bits, int n)
{
    double t0 = now(), tries = 0;
    for (int i = 0; i < n; i++) {
        zki_transcript ts;
        zki_ts_init(&ts, "bench-grind", 1);
        zki_ts_absorb_u64(&ts, "i", (uint64_t)i);
        uint64_t nonce;
        zki_pcs_grind(&ts, bits, &nonce);
        tries += (double)nonce + 1;
        zki_ts_free(&ts);
    }
    double dt = (now() - t0) / n;
    printf("proof of work, %u bits: %.2f ms per opening (mean of %d; %.0f hashes on average, "
           "%.0f ns each); the verifier: one hash\n",
           bits, 1e3 * dt, n, tries / n, 1e9 * dt * n / tries);
}

int main(int argc, char **argv)
{
    unsigned max = argc > 1 ? (unsigned)atoi(argv[1]) : 24;
    unsigned min = argc > 2 ? (unsigned)atoi(argv[2]) : 20;
    uint64_t extra = argc > 3 ? strtoull(argv[3], NULL, 10) : 25300000;
    if (argc > 4)
        grind = (uint32_t)atoi(argv[4]);
    if (!getenv("OMP_NUM_THREADS"))
        omp_set_num_threads(2);
    if (grind)
        bench_grind(grind, 64);
    printf("PCS (Ligero, rate 1/4, 100-bit, %u-bit proof of work), int8 vector, one claim, %d "
           "threads\n", grind, omp_get_max_threads());
    printf("| n | mode | rows x D | t | commit s | open s | verify ms | proof KiB | peak RSS MiB | |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|\n");
    fflush(stdout);
    int fails = 0;
    for (unsigned lg = min; lg <= max + 2; lg += 2)
        for (int hiding = 0; hiding <= 1; hiding++) {
            uint64_t n = lg <= max ? (uint64_t)1 << lg : extra;
            if (!n || n > ((uint64_t)1 << 30))
                continue;
            pid_t pid = fork();
            if (pid == 0)
                _exit(run_case(n, hiding));
            int status = 1;
            if (pid > 0)
                waitpid(pid, &status, 0);
            fails += status != 0;
        }
    return fails != 0;
}
