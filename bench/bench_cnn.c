/* CNN benchmark (issue 7): LeNet-5 (1x28x28) and VGG-16 (3x32x32) with
 * random int8 weights, built as quantised models, set up (weights
 * committed), one batch proven and verified, and the integer executor timed
 * on the same input. One model per process (peak RSS is its own):
 *   bench_cnn lenet|vgg16 [BATCH]
 *   bench_cnn FILE.zkm [BATCH]   (a model compiled by `zkinfer compile`,
 *                                 e.g. ResNet-18 from tools/export_models.py;
 *                                 random inputs in the input's bit range)
 * prints a CSV line
 *   model,batch,params,infer_s,setup_s,prove_s,verify_s,proof_bytes,peak_rss_mb,
 *   witness_s,commit_s,gadgets_s,open_s,open_bytes,lookup_bytes,ok
 * VGG-16 here: 13 conv 3x3 pad 1 (64,64,M,128,128,M,256x3,M,512x3,M,512x3,M),
 * then Linear 512-512-10 (the CIFAR variant). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "cli/cli.h"
#include "common/rng.h"
#include "prover/prover.h"
#include "quant/npy.h"
#include "verifier/verifier.h"
#include "zkinfer.h"

typedef struct {
    zki_qmodel *m;
    zki_rng *g;
    int cur;
    int64_t C, H, W, params;
    int n;
} builder;

static int add_const(builder *b, int bits, int rank, const int64_t *d, int64_t lo, int64_t span)
{
    char name[32];
    snprintf(name, sizeof name, "c%d", b->n++);
    int t = zki_qmodel_add_tensor(b->m, name, ZKI_QT_CONST, bits, rank, d, 0.01);
    int64_t n = zki_qnumel(&b->m->t[t]);
    b->m->t[t].data = malloc(sizeof(int64_t) * (size_t)n);
    for (int64_t i = 0; i < n; i++)
        b->m->t[t].data[i] = lo + (int64_t)zki_rng_below(b->g, (uint64_t)span);
    return t;
}

static void rq(zki_qnode *n, int64_t K, int relu)
{
    int s = 24;
    int64_t M = (int64_t)llround(40.0 / (sqrt((double)K) * 73.0 * 73.0) * (double)(1 << s));
    n->p[0] = M < 1 ? 1 : M, n->p[1] = s, n->p[2] = relu ? 0 : -128, n->p[3] = 127;
}

static int add_value(builder *b, int rank, const int64_t *d)
{
    char name[32];
    snprintf(name, sizeof name, "v%d", b->n++);
    return zki_qmodel_add_tensor(b->m, name, ZKI_QT_VALUE, 8, rank, d, 0.05);
}

static void conv(builder *b, int64_t OC, int64_t k, int64_t pad)
{
    int64_t wd[4] = {OC, b->C, k, k}, bd[1] = {OC};
    int64_t OH = b->H + 2 * pad - k + 1, OW = b->W + 2 * pad - k + 1, yd[4] = {1, OC, OH, OW};
    int wt = add_const(b, 8, 4, wd, -127, 255), bt = add_const(b, 32, 1, bd, -(1 << 12), 1 << 13);
    int yt = add_value(b, 4, yd);
    int ni = zki_qmodel_add_node(b->m, ZKI_QOP_CONV, "conv");
    zki_qnode *n = &b->m->nodes[ni];
    n->n_in = 3, n->in[0] = b->cur, n->in[1] = wt, n->in[2] = bt, n->out = yt, n->n_p = 15;
    rq(n, b->C * k * k, 1);
    int64_t geo[11] = {1, k, k, 1, 1, 1, 1, pad, pad, pad, pad};
    memcpy(n->p + 4, geo, sizeof geo);
    b->params += OC * b->C * k * k + OC;
    b->cur = yt, b->C = OC, b->H = OH, b->W = OW;
}

static void maxpool(builder *b)
{
    int64_t yd[4] = {1, b->C, b->H / 2, b->W / 2};
    int yt = add_value(b, 4, yd);
    int ni = zki_qmodel_add_node(b->m, ZKI_QOP_MAXPOOL, "pool");
    zki_qnode *n = &b->m->nodes[ni];
    n->n_in = 1, n->in[0] = b->cur, n->out = yt, n->n_p = 10;
    int64_t geo[10] = {2, 2, 2, 2, 1, 1, 0, 0, 0, 0};
    memcpy(n->p, geo, sizeof geo);
    b->m->t[yt].scale = b->m->t[b->cur].scale;
    b->cur = yt, b->H /= 2, b->W /= 2;
}

static void flatten(builder *b)
{
    int64_t fd[2] = {1, b->C * b->H * b->W};
    int ft = add_value(b, 2, fd);
    int ni = zki_qmodel_add_node(b->m, ZKI_QOP_RESHAPE, "flatten");
    zki_qnode *n = &b->m->nodes[ni];
    n->n_in = 1, n->in[0] = b->cur, n->out = ft;
    b->cur = ft, b->C = fd[1], b->H = b->W = 1;
}

static void linear(builder *b, int64_t N, int relu)
{
    int64_t wd[2] = {N, b->C}, bd[1] = {N}, yd[2] = {1, N};
    int wt = add_const(b, 8, 2, wd, -127, 255), bt = add_const(b, 32, 1, bd, -(1 << 12), 1 << 13);
    int yt = add_value(b, 2, yd);
    int ni = zki_qmodel_add_node(b->m, ZKI_QOP_LINEAR, "fc");
    zki_qnode *n = &b->m->nodes[ni];
    n->n_in = 3, n->in[0] = b->cur, n->in[1] = wt, n->in[2] = bt, n->out = yt, n->n_p = 4;
    rq(n, b->C, relu);
    b->params += N * b->C + N;
    b->cur = yt, b->C = N;
}

static zki_qmodel *build(const char *which, zki_rng *g, int64_t *params)
{
    builder b = {calloc(1, sizeof(zki_qmodel)), g, 0, 0, 0, 0, 0, 0};
    int lenet = !strcmp(which, "lenet");
    b.C = lenet ? 1 : 3, b.H = b.W = lenet ? 28 : 32;
    int64_t d4[4] = {1, b.C, b.H, b.W};
    b.cur = zki_qmodel_add_tensor(b.m, "x", ZKI_QT_INPUT, 8, 4, d4, 1.0 / 127);
    b.m->n_inputs = 1;
    b.m->inputs[0] = b.cur;
    if (lenet) {
        conv(&b, 6, 5, 2);
        maxpool(&b);
        conv(&b, 16, 5, 0);
        maxpool(&b);
        flatten(&b);
        linear(&b, 120, 1);
        linear(&b, 84, 1);
        linear(&b, 10, 0);
    } else {
        static const int cfg[] = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0};
        for (size_t i = 0; i < sizeof cfg / sizeof cfg[0]; i++)
            if (cfg[i])
                conv(&b, cfg[i], 3, 1);
            else
                maxpool(&b);
        flatten(&b);
        linear(&b, 512, 1);
        linear(&b, 512, 1);
        linear(&b, 10, 0);
    }
    b.m->n_outputs = 1;
    b.m->outputs[0] = b.cur;
    *params = b.params;
    if (zki_qmodel_check(b.m) != ZKI_OK) {
        fprintf(stderr, "bench_cnn: model check: %s\n", zki_last_error());
        zki_qmodel_free(b.m);
        return NULL;
    }
    return b.m;
}

/* ZKI_BENCH_SAVE=DIR: the key, the proof and the input (as float32,
 * value * the input's scale, which quantises back to the same integers)
 * into DIR/bench.vk, bench.zkp, bench_x.npy, for verifiers outside this
 * process (the WebAssembly one: bench/results/wasm.md). */
static void save_proof(const char *dir, const zki_vk *vk, const uint8_t *proof, size_t plen, const int64_t *X,
                       uint32_t B)
{
    char path[4096];
    zki_info info;
    uint8_t *vb = NULL;
    size_t vlen = 0;
    if (zki_vk_info(vk, &info) != ZKI_OK || zki_vk_to_bytes(vk, &vb, &vlen) != ZKI_OK) {
        fprintf(stderr, "bench_cnn: ZKI_BENCH_SAVE: %s\n", zki_last_error());
        return;
    }
    struct { const char *name; const void *data; size_t len; } out[2] = {{"bench.vk", vb, vlen},
                                                                         {"bench.zkp", proof, plen}};
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, out[k].name);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(out[k].data, 1, out[k].len, f) != out[k].len)
            fprintf(stderr, "bench_cnn: cannot write %s\n", path);
        if (f)
            fclose(f);
    }
    free(vb);
    int64_t dims[ZKI_MAX_DIMS + 1], n = B;
    dims[0] = B;
    for (uint32_t a = 0; a < info.input.rank; a++) {
        dims[1 + a] = info.input.dims[a];
        n *= info.input.dims[a];
    }
    float *x = malloc(sizeof(float) * (size_t)n);
    for (int64_t e = 0; x && e < n; e++)
        x[e] = (float)((double)X[e] * info.input.scale);
    snprintf(path, sizeof path, "%s/bench_x.npy", dir);
    if (!x || zki_npy_write(path, (int)info.input.rank + 1, dims, x, NULL) != ZKI_OK)
        fprintf(stderr, "bench_cnn: cannot write %s\n", path);
    free(x);
}

int main(int argc, char **argv)
{
    zki_cli_memory_policy(argv); /* as the zkinfer executable does */
    /* ZKI_BENCH_ZK=0: plain proofs (docs/zk.md), else zero-knowledge ones
     * (the product's): the two sides of zero knowledge's cost */
    const char *zk_env = getenv("ZKI_BENCH_ZK");
    zki_prove_plain = zk_env && !strcmp(zk_env, "0");
    const char *which = argc > 1 ? argv[1] : "lenet";
    uint32_t B = argc > 2 ? (uint32_t)atoi(argv[2]) : 1;
    size_t wl = strlen(which);
    int from_file = wl > 4 && !strcmp(which + wl - 4, ".zkm");
    if ((strcmp(which, "lenet") && strcmp(which, "vgg16") && !from_file) || B < 1 || B > 1024) {
        fprintf(stderr, "usage: bench_cnn lenet|vgg16|FILE.zkm [BATCH]\n");
        return 2;
    }
    zki_rng g;
    zki_rng_seed(&g, 7);
    int64_t params = 0;
    zki_qmodel *m = NULL;
    if (from_file) {
        if (zki_zkm_read(which, &m) != ZKI_OK) {
            fprintf(stderr, "bench_cnn: %s\n", zki_last_error());
            return 1;
        }
        for (int i = 0; i < m->n_t; i++)
            if (m->t[i].kind == ZKI_QT_CONST)
                params += zki_qnumel(&m->t[i]);
    } else if (!(m = build(which, &g, &params))) {
        return 1;
    }
    int64_t K = zki_qnumel(&m->t[m->inputs[0]]);
    int in_bits = m->t[m->inputs[0]].bits;
    int64_t *X = malloc(sizeof(int64_t) * (size_t)(K * B));
    /* saved for another verifier: -2^(bits-1) left out, since a float input
     * quantises to [-(2^(bits-1) - 1), 2^(bits-1) - 1] (the same draws
     * otherwise, so the other timings are unchanged) */
    int symmetric = getenv("ZKI_BENCH_SAVE") != NULL;
    for (int64_t i = 0; i < K * B; i++) {
        X[i] = (int64_t)zki_rng_below(&g, (uint64_t)1 << in_bits) - ((int64_t)1 << (in_bits - 1));
        if (symmetric && X[i] == -((int64_t)1 << (in_bits - 1)))
            X[i]++;
    }
    double t0 = bench_now();
    for (uint32_t b = 0; b < B; b++) {
        int64_t *in = X + b * K, **v;
        if (zki_qexec(m, &in, &v) == ZKI_OK)
            zki_qexec_free(m, v);
    }
    double infer = bench_now() - t0;
    uint8_t seed[32] = {1};
    zki_pk *pk = NULL;
    t0 = bench_now();
    /* zero knowledge at the product's default budget (compile --zk-proofs) */
    zki_status st = zki_setup_zk(m, seed, zki_prove_plain ? 1 : ZKINFER_ZK_PROOFS_DEFAULT, &pk);
    double setup = bench_now() - t0, prove = 0, verify = 0;
    size_t plen = 0, open_len = 0, lk_len = 0;
    zki_proof_stats ps;
    memset(&ps, 0, sizeof ps);
    int ok = 0;
    if (!st) {
        zki_proof pf;
        t0 = bench_now();
        st = zki_prove(pk, X, B, NULL, &pf, &ps);
        prove = bench_now() - t0;
        uint8_t *bytes = NULL;
        if (!st) { /* the opening's share and the lookups' share of the proof */
            uint8_t *ob;
            if (zki_pcs_proof_to_bytes(&pf.open, &ob, &open_len) == ZKI_OK)
                free(ob);
            for (uint32_t j = 0; j < pf.n_lookups; j++) {
                size_t l = 0;
                if (zki_lookup_proof_to_bytes(&pf.lk[j], &ob, &l) == ZKI_OK)
                    free(ob);
                lk_len += l;
            }
        }
        if (!st && !(st = zki_proof_to_bytes(&pf, &bytes, &plen))) {
            zki_proof_free(&pf);
            zki_proof q;
            t0 = bench_now();
            st = zki_proof_from_bytes(&pk->vk, &q, bytes, plen);
            if (!st) {
                st = zki_verify(&pk->vk, X, B, &q);
                zki_proof_free(&q);
            }
            verify = bench_now() - t0;
            ok = st == ZKI_OK;
            if (ok && getenv("ZKI_BENCH_SAVE"))
                save_proof(getenv("ZKI_BENCH_SAVE"), &pk->vk, bytes, plen, X, B);
        }
        free(bytes);
    }
    if (st)
        fprintf(stderr, "bench_cnn: %s\n", zki_last_error());
    printf("model,batch,params,infer_s,setup_s,prove_s,verify_s,proof_bytes,peak_rss_mb,witness_s,commit_s,"
           "gadgets_s,open_s,open_bytes,lookup_bytes,ok,zk,zk_s\n");
    const char *name = strrchr(which, '/') ? strrchr(which, '/') + 1 : which;
    printf("%s,%u,%lld,%.4f,%.4f,%.4f,%.4f,%zu,%.1f,%.4f,%.4f,%.4f,%.4f,%zu,%zu,%d,%d,%.4f\n", name, B,
           (long long)params, infer, setup, prove, verify, plen, bench_peak_rss_mib(), ps.witness_s, ps.commit_s,
           ps.gadgets_s, ps.open_s, open_len, lk_len, ok, !zki_prove_plain, ps.zk_s);
    zki_pk_free(pk);
    zki_qmodel_free(m);
    free(X);
    return ok ? 0 : 1;
}
