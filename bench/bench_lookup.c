/* Lookup benchmark: 2^20 lookups into a 2^16 range table, and the
 * requant+ReLU gadget on 2^20 accumulators (range 2^16 and (q, y) map 2^16
 * instances). Prints median prove / verify times, proof size and peak RSS,
 * plus the plain integer requant time. Prove includes committing the
 * multiplicities (PCS, default parameters); opening them (batched with the
 * model's other openings) and committing the gadget's advice q, y, limbs
 * (activations the caller commits anyway) are the caller's and not included.
 * Usage: bench_lookup [reps] (default 3). */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"
#include "common/rng.h"
#include "lookup/requant.h"
#include "pcs/pcs.h"

#define LOG_N 20

typedef struct {
    double prove, verify;
    size_t bytes;
    int ok;
} result;

/* One proof over the given instances (prover list P, verifier list V). */
static result prove_verify(zki_lookup **P, zki_lookup **V, int k)
{
    result res = {0, 0, 0, 1};
    zki_transcript tp, tv;
    zki_ts_init(&tp, "bench", 1);
    zki_ts_init(&tv, "bench", 1);
    zki_ledger lp, lv;
    zki_ledger_init(&lp);
    zki_ledger_init(&lv);
    zki_lookup_proof pf[4];
    double t0 = bench_now();
    zki_pcs_prover *pr[4];
    zki_pcs_params prm;
    zki_pcs_params_default(&prm);
    for (int i = 0; i < k; i++) {
        const zki_fe *m;
        size_t ml;
        res.ok &= zki_lookup_multiplicities(P[i], &m, &ml) == ZKI_OK;
        zki_pcs_vec v = {ZKI_PCS_FE, m, ml};
        res.ok &= zki_pcs_commit(&pr[i], &prm, &v, 1) == ZKI_OK;
        zki_ts_absorb_digest(&tp, "m.root", &zki_pcs_prover_commitment(pr[i])->root);
    }
    for (int i = 0; i < k; i++)
        res.ok &= zki_lookup_prove(P[i], &tp, &pf[i], &lp) == ZKI_OK;
    res.prove = bench_now() - t0;
    t0 = bench_now();
    for (int i = 0; i < k; i++)
        zki_ts_absorb_digest(&tv, "m.root", &zki_pcs_prover_commitment(pr[i])->root);
    for (int i = 0; i < k; i++)
        res.ok &= zki_lookup_verify(V[i], &tv, &pf[i], &lv) == ZKI_OK;
    res.verify = bench_now() - t0;
    for (int i = 0; i < k; i++) {
        zki_pcs_prover_free(pr[i]);
        res.bytes += zki_lookup_proof_size(&pf[i]);
        zki_lookup_proof_free(&pf[i]);
    }
    zki_ledger_free(&lp);
    zki_ledger_free(&lv);
    zki_ts_free(&tp);
    zki_ts_free(&tv);
    return res;
}

static void report(const char *what, result *r, int reps, double extra)
{
    double pt[16], vt[16];
    int ok = 1;
    for (int i = 0; i < reps; i++) {
        pt[i] = r[i].prove + extra;
        vt[i] = r[i].verify;
        ok &= r[i].ok;
    }
    printf("%-34s prove %8.1f ms  verify %6.2f ms  proof %7.1f KiB  %s\n", what,
           1e3 * bench_median(pt, reps), 1e3 * bench_median(vt, reps), r[0].bytes / 1024.0,
           ok ? "ok" : "FAILED");
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 3;
    if (reps < 1 || reps > 16)
        reps = 3;
    size_t n = (size_t)1 << LOG_N;
    zki_rng g;
    zki_rng_seed(&g, 1);
    printf("bench_lookup: %d threads, median of %d\n", omp_get_max_threads(), reps);

    /* 2^20 lookups into [0, 2^16) */
    zki_lookup_table T16;
    zki_lookup_table_range(&T16, 16, 0);
    int64_t *d = malloc(n * sizeof *d);
    for (size_t i = 0; i < n; i++)
        d[i] = (int64_t)zki_rng_below(&g, 1u << 16);
    result r[16];
    for (int it = 0; it < reps; it++) {
        zki_lookup *P, *V;
        zki_lookup_new(&P, &T16, 0);
        zki_lookup_new(&V, &T16, 0);
        zki_range_check_add(P, "x", 1, d, n);
        zki_range_check_add(V, "x", 1, NULL, n);
        r[it] = prove_verify(&P, &V, 1);
        zki_lookup_free(P);
        zki_lookup_free(V);
    }
    report("range: 2^20 lookups, table 2^16", r, reps, 0);

    /* requant + ReLU on 2^20 accumulators, M ~ 2^23: s = 30 needs limbs
     * r0, r1 (14 bits, looked up twice): 3 range sites + the (q, y) map;
     * s = 16 one limb: 1 range site + the map */
    unsigned shifts[2] = {30, 16};
    int64_t *x = malloc(n * sizeof *x);
    for (int sc = 0; sc < 2; sc++) {
        zki_requant_params p = {8000000, shifts[sc], 0, 127, 16};
        /* |q| < 2^12 */
        int64_t span = (int64_t)(((__int128)4095 << p.s) / p.M);
        for (size_t i = 0; i < n; i++)
            x[i] = (int64_t)zki_rng_below(&g, 2 * (uint64_t)span) - span;
        zki_lookup_table Tm;
        zki_requant_table(&Tm, &p);
        zki_requant_ids ids = {1, 2, 3, {0, 4, 0, 0}};
        double tw[16];
        for (int it = 0; it < reps; it++) {
            double t0 = bench_now();
            zki_requant_witness w;
            int ok = zki_requant_witness_new(&w, &p, x, n, "acc") == ZKI_OK;
            tw[it] = bench_now() - t0;
            zki_lookup *P[2], *V[2];
            zki_lookup_new(&P[0], &T16, 10);
            zki_lookup_new(&P[1], &Tm, 11);
            zki_lookup_new(&V[0], &T16, 10);
            zki_lookup_new(&V[1], &Tm, 11);
            ok &= zki_requant_add_sites(&p, &w, x, n, &ids, P[0], P[1], "acc") == ZKI_OK;
            ok &= zki_requant_add_sites(&p, NULL, NULL, n, &ids, V[0], V[1], "acc") == ZKI_OK;
            r[it] = prove_verify(P, V, 2);
            r[it].prove += tw[it];
            r[it].ok &= ok;
            for (int i = 0; i < 2; i++) {
                zki_lookup_free(P[i]);
                zki_lookup_free(V[i]);
            }
            zki_requant_witness_free(&w);
        }
        char what[64];
        snprintf(what, sizeof what, "requant+ReLU: 2^20 acc, s = %u", p.s);
        report(what, r, reps, 0);
        /* plain integer requant, for the overhead ratio */
        int64_t *y = malloc(n * sizeof *y);
        double t0 = bench_now();
        for (size_t i = 0; i < n; i++) {
            __int128 z = (__int128)x[i] * p.M + ((__int128)1 << (p.s - 1));
            int64_t q = (int64_t)(z >> p.s);
            y[i] = q < p.lo ? p.lo : q > p.hi ? p.hi : q;
        }
        double plain = bench_now() - t0;
        printf("%-34s %8.2f ms (witness incl. limbs: %.1f ms)\n", "  plain integer requant",
               1e3 * plain, 1e3 * bench_median(tw, reps));
        free(y);
        zki_lookup_table_free(&Tm);
    }
    printf("peak RSS %.0f MiB\n", bench_peak_rss_mib());
    free(x);
    free(d);
    zki_lookup_table_free(&T16);
    return 0;
}
