#include "cli/cli_prove.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "prover/bytes.h"
#include "prover/prover.h"
#include "quant/npy.h"
#include "verifier/verifier.h"

enum { CLI_OK = 0, CLI_CHECK = 1, CLI_USAGE = 2 };

static const char *usage_prove =
    "usage: zkinfer prove MODEL.zkm --input X.npy -o PROOF.zkp [options]\n"
    "  Runs the integer model on X (a file holding several samples along its\n"
    "  leading axis is proven as one batch) and writes a proof that the output\n"
    "  came from the committed model. Prints the output and the timings.\n"
    "options:\n"
    "  --key MODEL.zpk     prover key written by compile (default: next to MODEL.zkm)\n"
    "  --private-input     commit the input instead of publishing it\n"
    "  --quiet             no progress on stderr\n";

static const char *usage_verify =
    "usage: zkinfer verify MODEL.vk --proof PROOF.zkp [--input X.npy]\n"
    "  Checks the proof against the verification key and the input (omit --input\n"
    "  for a proof made with --private-input). Prints the verified output and\n"
    "  exits 0, or exits 1 with the reason.\n";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cli_err(const char *what)
{
    fprintf(stderr, "zkinfer: %s: %s\n", what, zki_last_error());
    return CLI_USAGE;
}

/* path with its extension (after the last '.' of the last component)
 * replaced by ext */
static char *with_ext(const char *path, const char *ext)
{
    size_t n = strlen(path);
    const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
    if (dot && (!slash || dot > slash))
        n = (size_t)(dot - path);
    char *o = malloc(n + strlen(ext) + 1);
    if (o) {
        memcpy(o, path, n);
        strcpy(o + n, ext);
    }
    return o;
}

/* Quantises like zki_quant_input (round to nearest, symmetric clamp) from
 * the key's input scale and bits, so prover and verifier agree. */
static int quant_input(const zki_arch *a, const char *path, int64_t **X, uint32_t *B)
{
    zki_host_tensor x;
    if (zki_tensor_read_any(path, &x) != ZKI_OK)
        return cli_err(path);
    int64_t per = (int64_t)zki_arch_in_len(a), tot = zki_host_tensor_numel(&x);
    if (per <= 0 || tot <= 0 || tot % per || tot / per > ZKI_MAX_BATCH) {
        fprintf(stderr, "zkinfer: %s has %lld elements, not a multiple of the input's %lld\n", path,
                (long long)tot, (long long)per);
        zki_host_tensor_clear(&x);
        return CLI_USAGE;
    }
    int64_t *q = malloc(sizeof(int64_t) * (size_t)tot);
    if (!q) {
        zki_host_tensor_clear(&x);
        return CLI_USAGE;
    }
    int64_t qmax = ((int64_t)1 << (a->in_bits - 1)) - 1;
    for (int64_t e = 0; e < tot; e++) {
        if (a->in_scale > 0) {
            double v = x.f ? x.f[e] : (double)x.i[e];
            v = nearbyint(v / a->in_scale);
            q[e] = !(v == v) ? 0 : (v > (double)qmax ? qmax : (v < (double)-qmax ? -qmax : (int64_t)v));
        } else {
            q[e] = x.i ? x.i[e] : 0;
        }
    }
    zki_host_tensor_clear(&x);
    *X = q;
    *B = (uint32_t)(tot / per);
    return CLI_OK;
}

static void print_output(const zki_arch *a, const int64_t *y, uint32_t B, uint32_t N, const char *what)
{
    for (uint32_t b = 0; b < B; b++) {
        uint32_t am = 0;
        for (uint32_t e = 1; e < N; e++)
            if (y[(uint64_t)b * N + e] > y[(uint64_t)b * N + am])
                am = e;
        if (a->layers[a->n_layers - 1].kind == ZKI_LAYER_LINEAR)
            printf("%s sample %u: class (argmax) %u, output", what, b, am);
        else /* a map: [C][H][W] flattened */
            printf("%s sample %u: output map of %u values", what, b, N);
        for (uint32_t e = 0; e < N && e < 16; e++)
            printf(" %.5g", (double)y[(uint64_t)b * N + e] * (a->out_scale > 0 ? a->out_scale : 1.0));
        printf(N > 16 ? " ...\n" : "\n");
    }
}

int zki_cli_write_keys(const zki_qmodel *m, const char *zkm_path)
{
    zki_arch a;
    if (zki_arch_from_qmodel(m, &a) != ZKI_OK) {
        printf("note: no proving keys: %s\n", zki_last_error());
        return CLI_OK;
    }
    zki_arch_free(&a);
    double t0 = now_s();
    zki_pkey *pk;
    if (zki_setup(m, NULL, &pk) != ZKI_OK)
        return cli_err("setup");
    double ts = now_s() - t0;
    char *vkp = with_ext(zkm_path, ".vk"), *pkp = with_ext(zkm_path, ".zpk");
    int rc = CLI_OK;
    uint8_t *vb = NULL;
    size_t vl = 0;
    if (!vkp || !pkp || zki_vk_to_bytes(&pk->vk, &vb, &vl) != ZKI_OK)
        rc = cli_err("setup");
    else if (zki_vk_write(&pk->vk, vkp) != ZKI_OK)
        rc = cli_err(vkp);
    else if (zki_pk_write_seed(pk, pkp) != ZKI_OK)
        rc = cli_err(pkp);
    else {
        uint64_t wb = 0;
        for (uint32_t l = 0; l < pk->vk.arch.n_layers; l++)
        {
            const zki_arch_layer *Ly = &pk->vk.arch.layers[l];
            uint64_t n = Ly->kind == ZKI_LAYER_CONV      ? (uint64_t)Ly->OC * (Ly->C / Ly->G) * Ly->KH * Ly->KW
                         : Ly->kind == ZKI_LAYER_MAXPOOL ? 0
                         : Ly->C                          ? (uint64_t)Ly->C * Ly->H * Ly->W * Ly->N
                                                          : (uint64_t)Ly->K * Ly->N;
            wb += n * (Ly->w_bits / 8);
        }
        printf("setup: weights committed in %.3f s\n", ts);
        printf("wrote %s (verification key, %zu bytes; the weights are %llu bytes)\n", vkp, vl,
               (unsigned long long)wb);
        printf("wrote %s (prover key: keep it secret, it holds the hiding randomness)\n", pkp);
    }
    free(vb);
    free(vkp);
    free(pkp);
    zki_pkey_free(pk);
    return rc;
}

static void progress_cb(void *ctx, const char *stage, uint32_t done, uint32_t total)
{
    double *t0 = ctx;
    fprintf(stderr, "\r[prove %.2fs] %s %u/%u   ", now_s() - *t0, stage, done, total);
    if (!strcmp(stage, "opening"))
        fputc('\n', stderr);
    fflush(stderr);
}

int zki_cli_prove(int argc, char **argv)
{
    const char *model = NULL, *input = NULL, *out = NULL, *key = NULL;
    int priv = 0, quiet = 0;
    for (int k = 0; k < argc; k++) {
        const char *a = argv[k];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_prove, stdout);
            return CLI_OK;
        }
        if (!strcmp(a, "--input") && k + 1 < argc)
            input = argv[++k];
        else if (!strcmp(a, "-o") && k + 1 < argc)
            out = argv[++k];
        else if (!strcmp(a, "--key") && k + 1 < argc)
            key = argv[++k];
        else if (!strcmp(a, "--private-input"))
            priv = 1;
        else if (!strcmp(a, "--quiet"))
            quiet = 1;
        else if (a[0] != '-' && !model)
            model = a;
        else {
            fprintf(stderr, "zkinfer prove: unexpected argument '%s'\n%s", a, usage_prove);
            return CLI_USAGE;
        }
    }
    if (!model || !input || !out) {
        fputs(usage_prove, stderr);
        return CLI_USAGE;
    }
    double t0 = now_s();
    zki_qmodel *m = NULL;
    if (zki_zkm_read(model, &m) != ZKI_OK)
        return cli_err(model);
    char *kp = key ? NULL : with_ext(model, ".zpk");
    uint8_t seed[32];
    zki_digest want;
    if (zki_pk_read_seed(key ? key : kp, seed, &want) != ZKI_OK) {
        free(kp);
        zki_qmodel_free(m);
        return cli_err("prover key (run zkinfer compile first)");
    }
    free(kp);
    zki_pkey *pk = NULL;
    int rc = CLI_OK;
    int64_t *X = NULL;
    uint32_t B = 0;
    zki_proof pf;
    memset(&pf, 0, sizeof(pf));
    uint8_t *pb = NULL;
    size_t pl = 0;
    if (zki_setup(m, seed, &pk) != ZKI_OK) {
        rc = cli_err("setup");
        goto done;
    }
    if (memcmp(want.b, pk->vk.vk_hash.b, 32)) {
        fprintf(stderr, "zkinfer prove: the prover key was made for another model\n");
        rc = CLI_USAGE;
        goto done;
    }
    double t_setup = now_s() - t0;
    if ((rc = quant_input(&pk->vk.arch, input, &X, &B)))
        goto done;
    zki_prove_opts o = {priv, NULL, NULL, NULL};
    double tp0 = now_s();
    if (!quiet && isatty(2)) {
        o.progress = progress_cb;
        o.progress_ctx = &tp0;
    }
    zki_prove_stats stt;
    if (zki_prove(pk, X, B, &o, &pf, &stt) != ZKI_OK) {
        rc = cli_err("prove");
        goto done;
    }
    double tprove = now_s() - tp0;
    if (zki_proof_to_bytes(&pf, &pb, &pl) != ZKI_OK) {
        rc = cli_err("proof");
        goto done;
    }
    FILE *f = fopen(out, "wb");
    if (!f || fwrite(pb, 1, pl, f) != pl) {
        if (f)
            fclose(f);
        fprintf(stderr, "zkinfer prove: cannot write %s\n", out);
        rc = CLI_USAGE;
        goto done;
    }
    if (fclose(f)) {
        fprintf(stderr, "zkinfer prove: cannot write %s\n", out);
        rc = CLI_USAGE;
        goto done;
    }
    print_output(&pk->vk.arch, pf.output, B, pf.out_n, "proved");
    printf("load + weight commitment %.3f s; prove %.3f s (witness+lookup sites %.3f, advice commitment "
           "%.3f, sum-checks+lookups %.3f, openings %.3f)\n",
           t_setup, tprove, stt.witness_s, stt.commit_s, stt.gadgets_s, stt.open_s);
    printf("wrote %s (%zu bytes, batch %u, %s input)\n", out, pl, B, priv ? "private" : "public");
done:
    free(pb);
    free(X);
    zki_proof_free(&pf);
    zki_pkey_free(pk);
    zki_qmodel_free(m);
    return rc;
}

int zki_cli_verify(int argc, char **argv)
{
    const char *vkp = NULL, *input = NULL, *proof = NULL;
    for (int k = 0; k < argc; k++) {
        const char *a = argv[k];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_verify, stdout);
            return CLI_OK;
        }
        if (!strcmp(a, "--input") && k + 1 < argc)
            input = argv[++k];
        else if (!strcmp(a, "--proof") && k + 1 < argc)
            proof = argv[++k];
        else if (a[0] != '-' && !vkp)
            vkp = a;
        else {
            fprintf(stderr, "zkinfer verify: unexpected argument '%s'\n%s", a, usage_verify);
            return CLI_USAGE;
        }
    }
    if (!vkp || !proof) {
        fputs(usage_verify, stderr);
        return CLI_USAGE;
    }
    zki_vk vk;
    if (zki_vk_read(vkp, &vk) != ZKI_OK)
        return cli_err(vkp);
    int rc = CLI_OK;
    int64_t *X = NULL;
    uint32_t B = 0;
    uint8_t *pb = NULL;
    size_t pl = 0;
    zki_proof pf;
    memset(&pf, 0, sizeof(pf));
    if (input && (rc = quant_input(&vk.arch, input, &X, &B)))
        goto done;
    if (zki_read_file(proof, (size_t)1 << 32, &pb, &pl) != ZKI_OK) {
        rc = cli_err(proof);
        goto done;
    }
    double t0 = now_s();
    if (zki_proof_from_bytes(&vk, &pf, pb, pl) != ZKI_OK) {
        fprintf(stderr, "zkinfer verify: proof rejected: %s\n", zki_last_error());
        rc = CLI_CHECK;
        goto done;
    }
    if (!input)
        B = pf.B;
    if (zki_verify(&vk, X, B, &pf) != ZKI_OK) {
        fprintf(stderr, "zkinfer verify: proof rejected: %s\n", zki_last_error());
        rc = CLI_CHECK;
        goto done;
    }
    double tv = now_s() - t0;
    print_output(&vk.arch, pf.output, B, pf.out_n, "verified");
    printf("proof verified in %.3f s (%zu bytes, batch %u, %s input)\n", tv, pl, B,
           pf.private_input ? "private" : "public");
done:
    zki_proof_free(&pf);
    free(pb);
    free(X);
    zki_vk_free(&vk);
    return rc;
}

int zki_cli_inspect_key_or_proof(const char *path, const uint8_t *buf, size_t len)
{
    if (len >= 8 && !memcmp(buf, "ZKINFVK", 8)) {
        zki_vk vk;
        if (zki_vk_from_bytes(&vk, buf, len) != ZKI_OK)
            return cli_err(path);
        char *s = malloc(1 << 16);
        if (s) {
            zki_vk_summary(&vk, s, 1 << 16);
            printf("%s: zkinfer verification key, %zu bytes\n%s", path, len, s);
        }
        free(s);
        zki_vk_free(&vk);
        return CLI_OK;
    }
    if (len >= 8 && !memcmp(buf, "ZKINFPF", 8)) {
        /* the header; the rest is only meaningful against a key (verify) */
        zki_rbuf r = {buf, len, 8};
        uint32_t ver = 0, B = 0, priv = 0, L = 0, N = 0;
        uint8_t h[32];
        if (!zki_rb_u32(&r, &ver) || !zki_rb_get(&r, h, 32) || !zki_rb_u32(&r, &B) ||
            !zki_rb_u32(&r, &priv) || !zki_rb_u32(&r, &L) || !zki_rb_u32(&r, &N) || B == 0 ||
            (uint64_t)B * N > zki_rb_left(&r) / 8) {
            fprintf(stderr, "zkinfer: %s: truncated proof header\n", path);
            return CLI_USAGE;
        }
        printf("%s: zkinfer proof, version %u, %zu bytes\n", path, ver, len);
        printf("  model key hash ");
        for (int i = 0; i < 8; i++)
            printf("%02x", h[i]);
        printf("...\n  batch %u, %s input, %u layers, %u outputs per sample\n", B,
               priv ? "private (committed)" : "public", L, N);
        for (uint32_t b = 0; b < B && b < 8; b++) {
            printf("  output %u (integers):", b);
            for (uint32_t e = 0; e < N && e < 16; e++) {
                int64_t v = 0;
                zki_rb_i64(&r, &v);
                printf(" %lld", (long long)v);
            }
            printf(N > 16 ? " ...\n" : "\n");
            if (N > 16)
                r.pos += 8 * (size_t)(N - 16);
        }
        printf("  (zkinfer verify checks it against the key)\n");
        return CLI_OK;
    }
    if (len >= 8 && !memcmp(buf, "ZKINFPK", 8)) {
        printf("%s: zkinfer prover key (hiding seed, secret), %zu bytes\n", path, len);
        return CLI_OK;
    }
    return -1;
}
