/* "The Cost of Intelligence" (Modulus Labs, 2023) MLP suites: for each
 * configuration of paper0_suite.json, a quantised MLP with random int8
 * weights is set up (weights committed), one inference is proven and the
 * proof verified. Each configuration runs in its own child process so its
 * peak RSS is its own. Prints and writes a CSV:
 *   name,suite,params,layers,batch,threads,infer_s,setup_s,prove_s,verify_s,
 *   proof_bytes,peak_rss_mb,peak_rss_setup_mb,peak_rss_prove_mb,witness_s,
 *   commit_s,gadgets_s,open_s,ok
 * (infer_s: the integer executor on the same model and input, same run;
 * peak_rss_mb: the whole child (model, setup, prove, verify); the _setup /
 * _prove columns: the process peak when setup / proving ended).
 *
 * The machine is shared: spinning OpenMP threads that wait for a descheduled
 * partner distort every timing, so the program re-executes itself with
 * OMP_WAIT_POLICY=passive unless the variable is set.
 *
 * usage: bench_paper0 [--suite FILE] [--csv OUT.csv] [--batch B] [NAME|SUITE ...]
 * default suite file bench/paper0/suite.json of this repository (its
 * published figures are bench/paper0/anchors.csv); names select configs
 * ("FC_500_layers") or whole suites ("params-large"); none = all 26. */
#define _DEFAULT_SOURCE /* wait4 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "cli/cli.h"
#include "common/file_read.h"
#include "common/rng.h"
#include "prover/prover.h"
#include "random_mlp.h"
#include "verifier/verifier.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define MAX_CFG 64
#define MAX_LAYERS 1024

typedef struct {
    char name[64], suite[32];
    long params;
    int n_layers;
    uint32_t widths[MAX_LAYERS + 1];
    int relu[MAX_LAYERS];
} config;

typedef struct {
    int ok;
    double infer_s, setup_s, prove_s, verify_s, witness_s, commit_s, gadgets_s, open_s;
    double proof_bytes, rss_setup_mb, rss_prove_mb;
    char err[200];
} result;

/* Minimal scanner for the suite file's fixed structure. */
static const char *str_field(const char *p, const char *key, char *out, size_t cap)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *s = strstr(p, pat);
    if (!s)
        return NULL;
    s += strlen(pat);
    size_t n = 0;
    while (*s && *s != '"' && n + 1 < cap)
        out[n++] = *s++;
    out[n] = 0;
    return s;
}

static int parse_suite(const char *text, config *cf, int max)
{
    int n = 0;
    const char *p = text;
    while (n < max && (p = str_field(p, "name", cf[n].name, sizeof cf[n].name))) {
        config *c = &cf[n];
        const char *q = str_field(p, "suite", c->suite, sizeof c->suite);
        const char *pp = strstr(p, "\"params\":"), *lp = strstr(p, "\"layers\":[");
        if (!q || !pp || !lp)
            return -1;
        c->params = atol(pp + 9);
        lp += 10;
        c->n_layers = 0;
        while (*lp == '[' && c->n_layers < MAX_LAYERS) {
            long a, b;
            char tf[8];
            if (sscanf(lp, "[%ld,%ld,%5[a-z]]", &a, &b, tf) != 3)
                return -1;
            if (c->n_layers == 0)
                c->widths[0] = (uint32_t)a;
            else if (c->widths[c->n_layers] != (uint32_t)a)
                return -1; /* layers must chain */
            c->widths[c->n_layers + 1] = (uint32_t)b;
            c->relu[c->n_layers] = !strcmp(tf, "true");
            c->n_layers++;
            lp = strchr(lp, ']') + 1;
            if (*lp == ',')
                lp++;
        }
        p = lp;
        n++;
    }
    return n;
}

static void run_config(const config *c, uint32_t B, result *r)
{
    memset(r, 0, sizeof(*r));
    zki_qmodel *m = NULL;
    if (zki_random_mlp(c->widths, c->relu, (uint32_t)c->n_layers, 2023, &m)) {
        snprintf(r->err, sizeof r->err, "model: %s", zki_last_error());
        return;
    }
    uint32_t K = c->widths[0], N = c->widths[c->n_layers];
    int64_t *X = malloc(sizeof(int64_t) * B * K), *yq = malloc(sizeof(int64_t) * B * N);
    zki_rng g;
    zki_rng_seed(&g, 7);
    for (uint64_t i = 0; i < (uint64_t)B * K; i++)
        X[i] = (int64_t)zki_rng_below(&g, 255) - 127;
    /* the integer executor, same model and input */
    double t0 = bench_now();
    for (uint32_t b = 0; b < B; b++) {
        int64_t *in = X + (uint64_t)b * K, **v;
        if (zki_qexec(m, &in, &v)) {
            snprintf(r->err, sizeof r->err, "qexec: %s", zki_last_error());
            return;
        }
        memcpy(yq + (uint64_t)b * N, v[m->outputs[0]], sizeof(int64_t) * N);
        zki_qexec_free(m, v);
    }
    r->infer_s = bench_now() - t0;
    zki_pk *pk;
    t0 = bench_now();
    if (zki_setup(m, NULL, &pk)) {
        snprintf(r->err, sizeof r->err, "setup: %s", zki_last_error());
        return;
    }
    r->setup_s = bench_now() - t0;
    r->rss_setup_mb = bench_peak_rss_mib();
    zki_qmodel_free(m); /* the prover key holds its own int8 weights */
    zki_proof pf;
    zki_proof_stats st;
    zki_prove_opts o = {0, NULL, NULL, NULL, 0, 0};
    t0 = bench_now();
    if (zki_prove(pk, X, B, &o, &pf, &st)) {
        snprintf(r->err, sizeof r->err, "prove: %s", zki_last_error());
        return;
    }
    r->prove_s = bench_now() - t0;
    r->rss_prove_mb = bench_peak_rss_mib();
    r->witness_s = st.witness_s;
    r->commit_s = st.commit_s;
    r->gadgets_s = st.gadgets_s;
    r->open_s = st.open_s;
    uint8_t *bytes;
    size_t len;
    if (zki_proof_to_bytes(&pf, &bytes, &len)) {
        snprintf(r->err, sizeof r->err, "serialise: %s", zki_last_error());
        return;
    }
    r->proof_bytes = (double)len;
    int same = !memcmp(pf.output, yq, sizeof(int64_t) * B * N);
    zki_proof_free(&pf);
    t0 = bench_now();
    zki_proof q;
    zki_status vs = zki_proof_from_bytes(&pk->vk, &q, bytes, len);
    if (!vs)
        vs = zki_verify(&pk->vk, X, B, &q);
    r->verify_s = bench_now() - t0;
    if (vs)
        snprintf(r->err, sizeof r->err, "verify: %s", zki_last_error());
    else if (!same)
        snprintf(r->err, sizeof r->err, "proven output differs from the integer executor");
    r->ok = !vs && same;
    zki_proof_free(&q);
    free(bytes);
    free(X);
    free(yq);
    zki_pk_free(pk);
}

int main(int argc, char **argv)
{
    zki_cli_memory_policy(argv); /* as the zkinfer executable does */
    if (!getenv("OMP_WAIT_POLICY")) {
        setenv("OMP_WAIT_POLICY", "passive", 1);
        execv("/proc/self/exe", argv);
    }
    const char *suite = ZKI_BENCH_DIR "/paper0/suite.json", *csv = NULL;
    uint32_t B = 1;
    const char *want[MAX_CFG];
    int n_want = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--suite") && i + 1 < argc)
            suite = argv[++i];
        else if (!strcmp(argv[i], "--csv") && i + 1 < argc)
            csv = argv[++i];
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
            B = (uint32_t)atoi(argv[++i]);
        else if (argv[i][0] != '-' && n_want < MAX_CFG)
            want[n_want++] = argv[i];
        else {
            fprintf(stderr, "usage: %s [--suite FILE] [--csv OUT.csv] [--batch B] [NAME|SUITE ...]\n", argv[0]);
            return 2;
        }
    }
    uint8_t *text;
    size_t tl;
    if (zki_read_file(suite, (size_t)1 << 24, &text, &tl)) {
        fprintf(stderr, "bench_paper0: %s\n", zki_last_error());
        return 2;
    }
    char *t = malloc(tl + 1);
    memcpy(t, text, tl);
    t[tl] = 0;
    free(text);
    static config cf[MAX_CFG];
    int n = parse_suite(t, cf, MAX_CFG);
    free(t);
    if (n <= 0) {
        fprintf(stderr, "bench_paper0: cannot parse %s\n", suite);
        return 2;
    }
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    FILE *out = csv ? fopen(csv, "w") : NULL;
    if (csv && !out) {
        fprintf(stderr, "bench_paper0: cannot write %s\n", csv);
        return 2;
    }
    const char *hdr = "name,suite,params,layers,batch,threads,infer_s,setup_s,prove_s,verify_s,proof_bytes,"
                      "peak_rss_mb,peak_rss_setup_mb,peak_rss_prove_mb,witness_s,commit_s,gadgets_s,open_s,ok\n";
    if (out)
        fputs(hdr, out);
    printf("%-20s %9s %6s %9s %8s %8s %8s %10s %9s %9s %9s  %s\n", "config", "params", "layers", "infer_s",
           "setup_s", "prove_s", "verify_s", "proof_KB", "peak_MB", "@setup", "@prove", "status");
    int bad = 0;
    for (int i = 0; i < n; i++) {
        int sel = n_want == 0;
        for (int k = 0; k < n_want; k++)
            sel |= !strcmp(want[k], cf[i].name) || !strcmp(want[k], cf[i].suite);
        if (!sel)
            continue;
        int fd[2];
        if (pipe(fd))
            return 2;
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            close(fd[0]);
            result r;
            run_config(&cf[i], B, &r);
            ssize_t w = write(fd[1], &r, sizeof r);
            _exit(w == (ssize_t)sizeof r ? 0 : 1);
        }
        close(fd[1]);
        result r;
        memset(&r, 0, sizeof r);
        ssize_t got = read(fd[0], &r, sizeof r);
        close(fd[0]);
        int status = 0;
        struct rusage ru;
        wait4(pid, &status, 0, &ru);
        if (got != (ssize_t)sizeof r) {
            r.ok = 0;
            snprintf(r.err, sizeof r.err, "child died (status %d)", status);
        }
        double rss = (double)ru.ru_maxrss / 1024.0;
        bad += !r.ok;
        printf("%-20s %9ld %6d %9.4f %8.3f %8.3f %8.4f %10.1f %9.1f %9.1f %9.1f  %s\n", cf[i].name,
               cf[i].params, cf[i].n_layers, r.infer_s, r.setup_s, r.prove_s, r.verify_s, r.proof_bytes / 1024.0,
               rss, r.rss_setup_mb, r.rss_prove_mb, r.ok ? "ok" : r.err);
        fflush(stdout);
        if (out) {
            fprintf(out, "%s,%s,%ld,%d,%u,%d,%.6f,%.6f,%.6f,%.6f,%.0f,%.1f,%.1f,%.1f,%.6f,%.6f,%.6f,%.6f,%d\n",
                    cf[i].name, cf[i].suite, cf[i].params, cf[i].n_layers, B, threads, r.infer_s, r.setup_s,
                    r.prove_s, r.verify_s, r.proof_bytes, rss, r.rss_setup_mb, r.rss_prove_mb, r.witness_s,
                    r.commit_s, r.gadgets_s, r.open_s, r.ok);
            fflush(out);
        }
    }
    if (out)
        fclose(out);
    return bad ? 1 : 0;
}
