/* End-to-end proving of small CNNs (Conv + requant/ReLU chains, a
 * flattening Reshape, Linear): odd shapes (non-power-of-two channels and
 * maps, one-sided pads, stride 2, dilation, groups, depthwise, 1x1),
 * batches, public and private input, MaxPool between convs, and the
 * trained Fashion-MNIST CNN fixture; the verified output equals the
 * integer executor's (AveragePool as a depthwise unit-weight conv plus
 * requantisation included); keys and proofs round-trip through bytes; rejections
 * of an altered output, an altered input, single-byte proof mutations and
 * a prover that changed one conv weight after setup. Models outside the
 * class (a Linear before a Conv) are refused; a model may end in a map. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "poly/mle.h"
#include "prover/prover.h"
#include "protocol/wlayout.h"
#include "quant/npy.h"
#include "quant/quant.h"
#include "test.h"
#include "test_prove_util.h"
#include "test_onnx_util.h"
#include "verifier/verifier.h"

static const uint8_t seed_w[32] = {4, 5, 6};
static const uint8_t seed_a[32] = {7, 7, 7};

typedef struct {
    int64_t C, H, W;
} map3;

/* conv spec: OC KH KW sh sw dh dw pt pl pb pr G relu avg (avg 1: an
 * AveragePool with this window, OC and G ignored; avg 2: a MaxPool with
 * this window, strides, dilations and pads; avg 3: GlobalAveragePool;
 * avg 4: a zero-amount Pad; avg 5: a Pad of one row on top) */
typedef struct {
    int64_t OC, KH, KW, sh, sw, dh, dw, pt, pl, pb, pr, G, relu, avg;
} conv_spec;

static void set_rq(zki_qnode *n, int64_t K, int relu)
{
    int s = 20;
    int64_t M = (int64_t)llround(40.0 / (sqrt((double)K) * 73.0 * 73.0) * (double)(1 << s));
    n->p[0] = M < 1 ? 1 : M;
    n->p[1] = s;
    n->p[2] = relu ? 0 : -128;
    n->p[3] = 127;
}

/* input [1, C, H, W] -> convs -> Reshape [1, F] -> Linear (nout) */
static zki_qmodel *make_cnn(zki_rng *g, map3 in, const conv_spec *cs, int nconv, int64_t nout, int wbits,
                            int linear_first)
{
    zki_qmodel *m = calloc(1, sizeof(*m));
    char name[32];
    int64_t d4[4] = {1, in.C, in.H, in.W};
    int cur = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 8, 4, d4, 1.0 / 127);
    m->n_inputs = 1;
    m->inputs[0] = cur;
    map3 x = in;
    if (linear_first) { /* Linear on the last axis (W -> W) before the convs */
        int64_t wd[2] = {in.W, in.W};
        int wt = add_const(m, g, "wl", 8, 2, wd, -127, 255);
        int yt = zki_qmodel_add_tensor(m, "yl", ZKI_QT_VALUE, 8, 4, d4, 0.05);
        int ni = zki_qmodel_add_node(m, ZKI_QOP_LINEAR, "fc_first");
        zki_qnode *n = &m->nodes[ni];
        n->n_in = 3, n->in[0] = cur, n->in[1] = wt, n->in[2] = -1, n->out = yt, n->n_p = 4;
        set_rq(n, in.W, 1);
        cur = yt;
    }
    for (int l = 0; l < nconv; l++) {
        const conv_spec *c = &cs[l];
        if (c->avg == 4 || c->avg == 5) { /* Pad: zero amounts (4, identity) or one row on top (5) */
            int64_t yd[4] = {1, x.C, x.H + (c->avg == 5), x.W};
            snprintf(name, sizeof name, "py%d", l);
            int yt = zki_qmodel_add_tensor(m, name, ZKI_QT_VALUE, 8, 4, yd, m->t[cur].scale);
            snprintf(name, sizeof name, "pad%d", l);
            int ni = zki_qmodel_add_node(m, ZKI_QOP_PAD, name);
            zki_qnode *n = &m->nodes[ni];
            n->n_in = 1, n->in[0] = cur, n->out = yt, n->n_p = 6;
            memset(n->p, 0, sizeof(int64_t) * 6);
            n->p[4] = c->avg == 5;
            cur = yt;
            x.H += c->avg == 5;
            continue;
        }
        if (c->avg == 3) { /* GlobalAveragePool: MEAN over H, W */
            int64_t yd[4] = {1, x.C, 1, 1};
            snprintf(name, sizeof name, "gy%d", l);
            int yt = zki_qmodel_add_tensor(m, name, ZKI_QT_VALUE, 8, 4, yd, 0.05);
            snprintf(name, sizeof name, "gap%d", l);
            int ni = zki_qmodel_add_node(m, ZKI_QOP_MEAN, name);
            zki_qnode *n = &m->nodes[ni];
            n->n_in = 1, n->in[0] = cur, n->out = yt, n->n_p = 5;
            n->p[0] = (1 << 20) / (x.H * x.W), n->p[1] = 20, n->p[2] = -128, n->p[3] = 127, n->p[4] = 12;
            cur = yt;
            x.H = x.W = 1;
            continue;
        }
        if (c->avg == 2) {
            int64_t OH = (x.H + c->pt + c->pb - c->dh * (c->KH - 1) - 1) / c->sh + 1;
            int64_t OW = (x.W + c->pl + c->pr - c->dw * (c->KW - 1) - 1) / c->sw + 1;
            int64_t yd[4] = {1, x.C, OH, OW};
            snprintf(name, sizeof name, "my%d", l);
            int yt = zki_qmodel_add_tensor(m, name, ZKI_QT_VALUE, 8, 4, yd, m->t[cur].scale);
            snprintf(name, sizeof name, "max%d", l);
            int ni = zki_qmodel_add_node(m, ZKI_QOP_MAXPOOL, name);
            zki_qnode *n = &m->nodes[ni];
            n->n_in = 1, n->in[0] = cur, n->out = yt, n->n_p = 10;
            int64_t geo[10] = {c->KH, c->KW, c->sh, c->sw, c->dh, c->dw, c->pt, c->pl, c->pb, c->pr};
            memcpy(n->p, geo, sizeof geo);
            cur = yt;
            x.H = OH, x.W = OW;
            continue;
        }
        if (c->avg) {
            int64_t OH = (x.H + c->pt + c->pb - c->KH) / c->sh + 1;
            int64_t OW = (x.W + c->pl + c->pr - c->KW) / c->sw + 1;
            int64_t yd[4] = {1, x.C, OH, OW};
            snprintf(name, sizeof name, "ay%d", l);
            int yt = zki_qmodel_add_tensor(m, name, ZKI_QT_VALUE, 8, 4, yd, 0.05);
            snprintf(name, sizeof name, "avg%d", l);
            int ni = zki_qmodel_add_node(m, ZKI_QOP_AVGPOOL, name);
            zki_qnode *n = &m->nodes[ni];
            n->n_in = 1, n->in[0] = cur, n->out = yt, n->n_p = 12;
            n->p[0] = (1 << 16) / (c->KH * c->KW), n->p[1] = 16, n->p[2] = -128, n->p[3] = 127;
            int64_t geo[8] = {c->KH, c->KW, c->sh, c->sw, c->pt, c->pl, c->pb, c->pr};
            memcpy(n->p + 4, geo, sizeof geo);
            cur = yt;
            x.H = OH, x.W = OW;
            continue;
        }
        int64_t wd[4] = {c->OC, x.C / c->G, c->KH, c->KW}, bd[1] = {c->OC};
        int64_t OH = (x.H + c->pt + c->pb - c->dh * (c->KH - 1) - 1) / c->sh + 1;
        int64_t OW = (x.W + c->pl + c->pr - c->dw * (c->KW - 1) - 1) / c->sw + 1;
        int64_t yd[4] = {1, c->OC, OH, OW};
        snprintf(name, sizeof name, "cw%d", l);
        int wt = wbits == 8 ? add_const(m, g, name, 8, 4, wd, -127, 255)
                            : add_const(m, g, name, 16, 4, wd, -3000, 6001);
        snprintf(name, sizeof name, "cb%d", l);
        int bt = add_const(m, g, name, 32, 1, bd, -(1 << 12), 1 << 13);
        snprintf(name, sizeof name, "cy%d", l);
        int yt = zki_qmodel_add_tensor(m, name, ZKI_QT_VALUE, 8, 4, yd, 0.05);
        snprintf(name, sizeof name, "conv%d", l);
        int ni = zki_qmodel_add_node(m, ZKI_QOP_CONV, name);
        zki_qnode *n = &m->nodes[ni];
        n->n_in = 3, n->in[0] = cur, n->in[1] = wt, n->in[2] = bt, n->out = yt, n->n_p = 15;
        set_rq(n, (x.C / c->G) * c->KH * c->KW * (wbits == 16 ? 400 : 1), (int)c->relu);
        int64_t geo[11] = {c->G, c->KH, c->KW, c->sh, c->sw, c->dh, c->dw, c->pt, c->pl, c->pb, c->pr};
        memcpy(n->p + 4, geo, sizeof geo);
        cur = yt;
        x.C = c->OC, x.H = OH, x.W = OW;
    }
    int64_t F = x.C * x.H * x.W;
    if (nconv > 0 && nout > 0) {
        int64_t fd[2] = {1, F};
        int ft = zki_qmodel_add_tensor(m, "flat", ZKI_QT_VALUE, 8, 2, fd, 0.05);
        int ni = zki_qmodel_add_node(m, ZKI_QOP_RESHAPE, "flatten");
        m->nodes[ni].n_in = 1, m->nodes[ni].in[0] = cur, m->nodes[ni].out = ft;
        cur = ft;
    }
    if (nout > 0) {
        int64_t wd[2] = {nout, F}, bd[1] = {nout}, yd[2] = {1, nout};
        int wt = add_const(m, g, "fw", 8, 2, wd, -127, 255);
        int bt = add_const(m, g, "fb", 32, 1, bd, -(1 << 12), 1 << 13);
        int yt = zki_qmodel_add_tensor(m, "y", ZKI_QT_VALUE, 8, 2, yd, 0.05);
        int ni = zki_qmodel_add_node(m, ZKI_QOP_LINEAR, "fc");
        zki_qnode *n = &m->nodes[ni];
        n->n_in = 3, n->in[0] = cur, n->in[1] = wt, n->in[2] = bt, n->out = yt, n->n_p = 4;
        set_rq(n, F, 0);
        cur = yt;
    }
    m->n_outputs = 1;
    m->outputs[0] = cur;
    zki_status st = zki_qmodel_check(m);
    CHECK_MSG(st == ZKI_OK, "model check: %s", zki_last_error());
    return m;
}

/* setup, prove, check the output against qexec, round-trip key and proof,
 * verify; then the rejections. */
static void run_case_x(zki_rng *g, const char *what, zki_qmodel *m, uint32_t B, int priv, int mutations,
                       const int64_t *X0)
{
    int64_t K = zki_qnumel(&m->t[m->inputs[0]]);
    int64_t *X = malloc(sizeof(int64_t) * (size_t)(B * K));
    for (int64_t i = 0; i < B * K; i++)
        X[i] = X0 ? X0[i] : (int64_t)zki_rng_below(g, 256) - 128;
    zki_pk *pk = NULL;
    zki_status st = zki_setup(m, seed_w, &pk);
    CHECK_MSG(st == ZKI_OK, "%s: setup: %s", what, zki_last_error());
    if (st) {
        free(X);
        return;
    }
    zki_prove_opts o = {priv, seed_a, NULL, NULL, 0, 0};
    zki_proof pf;
    st = zki_prove(pk, X, B, &o, &pf, NULL);
    CHECK_MSG(st == ZKI_OK, "%s: prove: %s", what, zki_last_error());
    uint8_t *bytes = NULL, *vb = NULL;
    size_t blen = 0, vl = 0;
    zki_vk vk;
    memset(&vk, 0, sizeof(vk));
    if (!st) {
        check_output_is_qexec(m, X, B, &pf, what);
        CHECK(zki_proof_to_bytes(&pf, &bytes, &blen) == ZKI_OK);
        zki_proof_free(&pf);
        CHECK(zki_vk_to_bytes(&pk->vk, &vb, &vl) == ZKI_OK);
        CHECK_MSG(zki_vk_from_bytes(&vk, vb, vl) == ZKI_OK, "%s: vk: %s", what, zki_last_error());
        free(vb);
        const int64_t *Xv = priv ? NULL : X;
        st = verify_bytes(&vk, Xv, B, bytes, blen);
        CHECK_MSG(st == ZKI_OK, "%s: verify: %s", what, zki_last_error());
        if (!priv) {
            uint64_t at = zki_rng_below(g, (uint64_t)(B * K));
            X[at] ^= 1;
            CHECK_MSG(verify_bytes(&vk, X, B, bytes, blen) != ZKI_OK, "%s: altered input accepted", what);
            X[at] ^= 1; /* restored: the mutations below are checked against the true input */
            int64_t keep = X[B * K - 1];
            X[B * K - 1] = 1000; /* outside the 8-bit input range (the last entry) */
            CHECK_MSG(verify_bytes(&vk, X, B, bytes, blen) == ZKI_ERR_VERIFY, "%s: out-of-range input", what);
            X[B * K - 1] = keep;
        }
        check_mutations(g, &vk, Xv, B, bytes, blen, ZKI_PROOF_OUTPUT_AT + 8 * (size_t)B, mutations, what);
    }
    free(bytes);
    zki_vk_free(&vk);
    zki_pk_free(pk);
    free(X);
}

static void run_case(zki_rng *g, const char *what, zki_qmodel *m, uint32_t B, int priv, int mutations)
{
    run_case_x(g, what, m, B, priv, mutations, NULL);
}

/* The trained Fashion-MNIST CNN (Conv+BN+ReLU, MaxPool, Conv+BN+ReLU,
 * MaxPool, Flatten, Gemm): a batch of two test images, proven and verified;
 * the output equals the integer executor's (run_case_x). */
static void test_fmnist_cnn(zki_rng *g)
{
    zki_graph *gr = NULL;
    CHECK_MSG(zki_onnx_load_file(tdata("fmnist_cnn.onnx"), &gr) == ZKI_OK, "%s", zki_last_error());
    if (!gr)
        return;
    zki_host_tensor *cal = NULL;
    int ncal = 0;
    CHECK(zki_calib_load(gr, tdata("fmnist_calib.npy"), &cal, &ncal) == ZKI_OK);
    zki_qmodel *m = NULL;
    CHECK(zki_quantize(gr, cal, ncal, NULL, &m) == ZKI_OK);
    /* a constant value outside its bits is refused by the model check,
     * wherever it sits (the check runs in parallel over the values) */
    for (int t = 0; m && t < m->n_t; t++) {
        zki_qtensor *q = &m->t[t];
        int64_t n = zki_qnumel(q);
        if (q->kind != ZKI_QT_CONST || !q->data || n < 4 || q->bits > 32)
            continue;
        CHECK(zki_qmodel_check(m) == ZKI_OK);
        int64_t at[3] = {0, n / 2, n - 1};
        for (int i = 0; i < 3; i++) {
            int64_t saved = q->data[at[i]];
            q->data[at[i]] = (int64_t)1 << (q->bits - 1); /* one above the largest */
            CHECK_MSG(zki_qmodel_check(m) == ZKI_ERR_INPUT && strstr(zki_last_error(), q->name) &&
                          strstr(zki_last_error(), "out of its"),
                      "constant '%s' value %lld at %lld: %s", q->name, (long long)q->data[at[i]],
                      (long long)at[i], zki_last_error());
            q->data[at[i]] = saved;
        }
        CHECK(zki_qmodel_check(m) == ZKI_OK);
        break;
    }
    zki_host_tensor x;
    CHECK(zki_tensor_read_any(tdata("fmnist_sample.npy"), &x) == ZKI_OK);
    int64_t *X = NULL;
    x.rank = 4;
    x.dims[0] = 1, x.dims[1] = 1, x.dims[2] = 28, x.dims[3] = 28;
    CHECK(zki_quant_input(m, 0, &x, &X) == ZKI_OK);
    if (m && X) {
        zki_dag arch;
        CHECK_MSG(zki_dag_lower(m, &arch, NULL) == ZKI_OK, "fmnist_cnn: %s", zki_last_error());
        CHECK(arch.n_nodes == 5 && arch.nodes[1].kind == ZKI_NODE_MAXPOOL &&
              arch.nodes[2].kind == ZKI_NODE_CONV && arch.nodes[4].kind == ZKI_NODE_LINEAR);
        zki_dag_free(&arch);
        int64_t *X2 = malloc(sizeof(int64_t) * 2 * 784);
        for (int i = 0; i < 784; i++) { /* the sample, and its mirror image */
            X2[i] = X[i];
            X2[784 + i] = X[(i / 28) * 28 + 27 - i % 28];
        }
        run_case_x(g, "fmnist_cnn, batch 2", m, 2, 0, 10, X2);
        run_case_x(g, "fmnist_cnn, private input", m, 1, 1, 0, X);
        free(X2);
    }
    free(X);
    zki_host_tensor_clear(&x);
    zki_qmodel_free(m);
    zki_samples_free(cal, ncal);
    zki_graph_free(gr);
}

/* Proof bytes are identical for 1 and 2 threads (fixed seeds). */
static void thread_determinism(zki_rng *g, zki_qmodel *m, uint32_t B)
{
    int64_t K = zki_qnumel(&m->t[m->inputs[0]]);
    int64_t *X = malloc(sizeof(int64_t) * (size_t)(B * K));
    for (int64_t i = 0; i < B * K; i++)
        X[i] = (int64_t)zki_rng_below(g, 256) - 128;
    uint8_t *bytes[2] = {NULL, NULL};
    size_t len[2] = {0, 0};
    int saved = omp_get_max_threads();
    for (int k = 0; k < 2; k++) {
        omp_set_num_threads(k ? 2 : 1);
        zki_pk *pk = NULL;
        zki_proof pf;
        zki_prove_opts o = {0, seed_a, NULL, NULL, 0, 0};
        if (zki_setup(m, seed_w, &pk) == ZKI_OK && zki_prove(pk, X, B, &o, &pf, NULL) == ZKI_OK) {
            CHECK(zki_proof_to_bytes(&pf, &bytes[k], &len[k]) == ZKI_OK);
            zki_proof_free(&pf);
        }
        zki_pk_free(pk);
    }
    omp_set_num_threads(saved);
    CHECK_MSG(bytes[0] && bytes[1] && len[0] == len[1] && !memcmp(bytes[0], bytes[1], len[0]),
              "CNN proof bytes differ between 1 and 2 threads");
    free(bytes[0]);
    free(bytes[1]);
    free(X);
}

/* Every single-byte change of a CNN key either fails to parse or gives
 * another key hash (no crash, no silent acceptance as the same key). */
static void vk_mutations(zki_qmodel *m)
{
    zki_pk *pk = NULL;
    CHECK(zki_setup(m, seed_w, &pk) == ZKI_OK);
    if (!pk)
        return;
    uint8_t *vb;
    size_t vl;
    CHECK(zki_vk_to_bytes(&pk->vk, &vb, &vl) == ZKI_OK);
    int same = 0, rejected = 0;
    for (size_t i = 0; i < vl; i++) {
        vb[i] ^= 0x41;
        zki_vk v;
        if (zki_vk_from_bytes(&v, vb, vl) == ZKI_OK) {
            same += !memcmp(v.vk_hash.b, pk->vk.vk_hash.b, 32);
            zki_vk_free(&v);
        } else {
            rejected++;
        }
        vb[i] ^= 0x41;
    }
    CHECK_MSG(same == 0 && rejected > 0, "vk mutations: %d parsed as the same key, %d rejected", same, rejected);
    free(vb);
    zki_pk_free(pk);
}

/* A prover that changes one committed conv weight after setup is caught. */
static void tampered_weight(zki_rng *g, zki_qmodel *m)
{
    int64_t K = zki_qnumel(&m->t[m->inputs[0]]);
    int64_t *X = malloc(sizeof(int64_t) * (size_t)K);
    for (int64_t i = 0; i < K; i++)
        X[i] = (int64_t)zki_rng_below(g, 256) - 128;
    zki_pk *pk = NULL;
    CHECK(zki_setup(m, seed_w, &pk) == ZKI_OK);
    if (!pk) {
        free(X);
        return;
    }
    ((int8_t *)pk->w[0])[0] ^= 4; /* conv 0: W[0][0][0][0] */
    zki_proof pf;
    zki_status st = zki_prove(pk, X, 1, NULL, &pf, NULL);
    if (st == ZKI_OK) {
        CHECK_MSG(zki_verify(&pk->vk, X, 1, &pf) != ZKI_OK, "a changed conv weight was accepted");
        zki_proof_free(&pf);
    }
    zki_pk_free(pk);
    free(X);
}

/* The slice split equals the MLE of the per-axis padded weight layout,
 * and a change to any one slice value breaks it. */
static void slice_identity(zki_rng *g)
{
    const uint64_t shapes[4][4] = {{3, 2, 3, 3}, {5, 3, 5, 5}, {4, 1, 2, 3}, {2, 4, 1, 1}};
    for (int c = 0; c < 4; c++) {
        zki_conv_dims cd;
        uint64_t OC = shapes[c][0], C = shapes[c][1], KH = shapes[c][2], KW = shapes[c][3];
        CHECK(zki_conv_dims_init(&cd, 1, C, 8, 8, OC, KH, KW, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0) == ZKI_OK);
        size_t nv = zki_conv_w_nvars(&cd);
        int8_t *w = malloc(OC * C * KH * KW);
        zki_fe *pad = calloc((size_t)1 << nv, sizeof(zki_fe));
        zki_ext *pt = malloc(sizeof(zki_ext) * nv), *s = malloc(sizeof(zki_ext) * KH * KW);
        for (uint64_t oc = 0; oc < OC; oc++)
            for (uint64_t ic = 0; ic < C; ic++)
                for (uint64_t ky = 0; ky < KH; ky++)
                    for (uint64_t kx = 0; kx < KW; kx++) {
                        int8_t v = (int8_t)((int)zki_rng_below(g, 255) - 127);
                        w[((oc * C + ic) * KH + ky) * KW + kx] = v;
                        pad[(((oc << cd.licl | ic) << cd.lkh | ky) << cd.lkw) | kx] = zki_fe_from_i64(v);
                    }
        for (size_t i = 0; i < nv; i++)
            pt[i] = zki_ext_from_fe(zki_fe_from_u64(zki_rng_u64(g)));
        zki_ext want = zki_mle_eval_base(pad, nv, pt);
        CHECK(zki_conv_wslices_eval(&cd, w, 8, pt, s) == ZKI_OK);
        CHECK_MSG(zki_conv_wslices_check(&cd, pt, want, s), "slice split %d differs from the padded MLE", c);
        for (uint64_t k = 0; k < KH * KW; k++) {
            s[k] = zki_ext_add(s[k], zki_ext_one());
            CHECK(!zki_conv_wslices_check(&cd, pt, want, s));
            s[k] = zki_ext_sub(s[k], zki_ext_one());
        }
        free(w);
        free(pad);
        free(pt);
        free(s);
    }
}

/* The conv's weight claim splits into committed kernel-position slices
 * (prover/wlayout.h): a forged slice value is refused. */
static void forged_slices(zki_rng *g, zki_qmodel *m)
{
    int64_t K = zki_qnumel(&m->t[m->inputs[0]]);
    int64_t *X = malloc(sizeof(int64_t) * (size_t)K);
    for (int64_t i = 0; i < K; i++)
        X[i] = (int64_t)zki_rng_below(g, 256) - 128;
    zki_pk *pk = NULL;
    CHECK(zki_setup(m, seed_w, &pk) == ZKI_OK);
    zki_proof pf;
    zki_prove_opts o = {0, seed_a, NULL, NULL, 0, 0};
    if (!pk || zki_prove(pk, X, 1, &o, &pf, NULL) != ZKI_OK) {
        CHECK_MSG(0, "forged slices: honest proof failed: %s", zki_last_error());
        zki_pk_free(pk);
        free(X);
        return;
    }
    uint8_t *b = NULL;
    size_t bl = 0;
    CHECK(zki_proof_to_bytes(&pf, &b, &bl) == ZKI_OK);
    CHECK(verify_bytes(&pk->vk, X, 1, b, bl) == ZKI_OK);
    const zki_dag_node *L0 = &pk->vk.dag.nodes[0];
    /* CONV node values: {bias, w, x_im2col, x, [wf with general groups],
     * slices[KH*KW]}: the slices are the last KH*KW */
    zki_conv_dims cd;
    CHECK(zki_dag_conv_dims(L0, 1, &cd) == ZKI_OK);
    uint32_t nsl = L0->KH * L0->KW, first = 4u + (cd.general ? 1u : 0u);
    zki_node_proof *np = &pf.node[0];
    CHECK(L0->kind == ZKI_NODE_CONV && nsl >= 2 && np->n_val == first + nsl);
    if (np->n_val == first + nsl) {
        CHECK(zki_verify(&pk->vk, X, 1, &pf) == ZKI_OK);
        /* one slice changed: the split no longer adds up */
        zki_ext d = zki_ext_from_fe(zki_fe_from_u64(3));
        np->val[first + 1] = zki_ext_add(np->val[first + 1], d);
        CHECK_MSG(zki_verify(&pk->vk, X, 1, &pf) == ZKI_ERR_VERIFY, "a forged weight slice was accepted");
        np->val[first + 1] = zki_ext_sub(np->val[first + 1], d);
        CHECK(zki_verify(&pk->vk, X, 1, &pf) == ZKI_OK);
    }
    zki_proof_free(&pf);
    free(b);
    zki_pk_free(pk);
    free(X);
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 0xc11);
    /* two convs: one-sided pads, then stride 2 with pads */
    conv_spec a[2] = {{3, 3, 3, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0}, {5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0}};
    zki_qmodel *m = make_cnn(&g, (map3){2, 9, 7}, a, 2, 5, 8, 0);
    run_case(&g, "two convs, batch 2", m, 2, 0, 40);
    run_case(&g, "two convs, private input", m, 1, 1, 20);
    tampered_weight(&g, m);
    forged_slices(&g, m);
    slice_identity(&g);
    vk_mutations(m);
    zki_qmodel_free(m);
    /* depthwise (4 groups, 2 outputs each), dilation 2, then 1x1 stride 2 */
    conv_spec b[2] = {{8, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 4, 1, 0}, {3, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 1, 1, 0}};
    m = make_cnn(&g, (map3){4, 6, 5}, b, 2, 4, 8, 0);
    run_case(&g, "depthwise + 1x1", m, 3, 0, 20);
    zki_qmodel_free(m);
    /* LeNet-like on one 28x28 channel: 5x5 pad 2, then 5x5, int16 weights */
    conv_spec c[2] = {{6, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 0}, {16, 5, 5, 2, 2, 1, 1, 0, 0, 0, 0, 1, 1, 0}};
    m = make_cnn(&g, (map3){1, 28, 28}, c, 2, 10, 16, 0);
    run_case(&g, "LeNet-like, int16", m, 2, 0, 10);
    zki_qmodel_free(m);
    /* conv, 2x2 average pool (stride 2), conv, 3x3 average pool with pads,
     * non-power-of-two channels */
    conv_spec d[4] = {{5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0},
                      {0, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 1, 0, 1},
                      {3, 3, 3, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 0},
                      {0, 3, 3, 1, 2, 1, 1, 1, 0, 1, 1, 1, 0, 1}};
    m = make_cnn(&g, (map3){3, 10, 9}, d, 4, 6, 8, 0);
    run_case(&g, "conv + average pools", m, 2, 0, 20);
    zki_qmodel_free(m);
    /* odd max pools: 2x1 window stride (1, 2) after a conv with 5
     * channels, then a conv and a dilated overlapping 2x2 window (no ReLU
     * before it: negative values compete) */
    conv_spec e[4] = {{5, 3, 3, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 0},
                      {0, 2, 1, 1, 2, 1, 1, 0, 0, 0, 0, 1, 0, 2},
                      {3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0},
                      {0, 2, 2, 1, 1, 2, 2, 0, 0, 0, 0, 1, 0, 2}};
    m = make_cnn(&g, (map3){2, 9, 11}, e, 4, 4, 8, 0);
    run_case(&g, "conv + max pools, batch 3", m, 3, 0, 20);
    run_case(&g, "conv + max pools, private input", m, 2, 1, 10);
    thread_determinism(&g, m, 3);
    zki_qmodel_free(m);
    /* large windows as passes of at most 4 elements: 5x5 stride 2 with
     * pads (after a ReLU), then 7x3 stride 1 (an axis of 7 = 4 then 2 at
     * dilation 3), then 8x8 on a 8x8 map (the global max) */
    conv_spec q[5] = {{3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0},
                      {0, 5, 5, 2, 2, 1, 1, 1, 1, 1, 1, 1, 0, 2},
                      {0, 7, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 2},
                      {2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0},
                      {0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 2}};
    m = make_cnn(&g, (map3){2, 17, 11}, q, 5, 3, 8, 0);
    {
        zki_dag ar;
        CHECK_MSG(zki_dag_lower(m, &ar, NULL) == ZKI_OK, "large max pools: %s", zki_last_error());
        uint32_t pools = 0;
        for (uint32_t l = 0; l < ar.n_nodes; l++)
            pools += ar.nodes[l].kind == ZKI_NODE_MAXPOOL;
        CHECK_MSG(pools == 4 + 3 + 1, "large max pools: %u passes", pools); /* 5x5: 2+2, 7x3: 2+1, 1x1: 1 */
        zki_dag_free(&ar);
    }
    run_case(&g, "5x5 and 7x3 max pools, batch 2", m, 2, 0, 20);
    zki_qmodel_free(m);
    conv_spec q8[2] = {{2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0}, {0, 8, 8, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 2}};
    m = make_cnn(&g, (map3){1, 8, 8}, q8, 2, 3, 8, 0);
    run_case(&g, "8x8 max pool", m, 1, 0, 10);
    zki_qmodel_free(m);
    /* depthwise-separable block and a GlobalAveragePool head */
    conv_spec f[3] = {{4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 2, 1, 0},
                      {5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0},
                      {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3}};
    m = make_cnn(&g, (map3){2, 11, 10}, f, 3, 3, 8, 0);
    run_case(&g, "global average pool head, batch 2", m, 2, 0, 10);
    zki_qmodel_free(m);
    /* a ResNet stem: conv 3x3 stride 2 pad 1 (ReLU), MaxPool 3x3 stride 2
     * pad 1 (split into a 1x3 and a 3x1 pass; pads on the ReLU output),
     * then a one-sided padded 2x2 pool */
    conv_spec st[3] = {{8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0},
                       {0, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 0, 2},
                       {0, 2, 2, 2, 2, 1, 1, 0, 1, 1, 0, 1, 0, 2}};
    m = make_cnn(&g, (map3){3, 17, 15}, st, 3, 5, 8, 0);
    {
        zki_dag arch;
        CHECK(zki_dag_lower(m, &arch, NULL) == ZKI_OK && arch.n_nodes == 5 &&
              arch.nodes[1].kind == ZKI_NODE_MAXPOOL && arch.nodes[1].KH == 1 && arch.nodes[1].KW == 3 &&
              arch.nodes[2].KH == 3 && arch.nodes[2].KW == 1);
        zki_dag_free(&arch);
    }
    run_case(&g, "ResNet stem (padded 3x3 max pool), batch 2", m, 2, 0, 20);
    zki_qmodel_free(m);
    /* torch's avg_pool2d export: a zero-amount Pad before the pool (the
     * identity, no node); a Pad that pads is a MOVE node */
    conv_spec pz[3] = {{3, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0},
                       {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4},
                       {0, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 1, 0, 1}};
    m = make_cnn(&g, (map3){1, 8, 9}, pz, 3, 4, 8, 0);
    run_case(&g, "zero-amount Pad before an average pool", m, 1, 0, 10);
    zki_qmodel_free(m);
    pz[1].avg = 5;
    m = make_cnn(&g, (map3){1, 8, 9}, pz, 3, 4, 8, 0);
    {
        zki_dag arch;
        uint32_t moves = 0;
        int ok = zki_dag_lower(m, &arch, NULL) == ZKI_OK;
        for (uint32_t j = 0; ok && j < arch.n_nodes; j++)
            moves += arch.nodes[j].kind == ZKI_NODE_MOVE;
        CHECK(ok && moves == 1);
        if (ok)
            zki_dag_free(&arch);
    }
    run_case(&g, "a Pad that pads (a MOVE node) before an average pool", m, 1, 0, 10);
    zki_qmodel_free(m);
    /* pads on a signed map (no ReLU before the pool): pads read as the
     * map's minimum and never win, as in ONNX; then a 5x5 window with pads
     * 4 / 2 on the signed map of a second conv (its first passes have
     * windows of pads only, whose minimum loses in the next pass) */
    conv_spec sg[4] = {{4, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0},
                       {0, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 1, 0, 2},
                       {3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0},
                       {0, 5, 5, 1, 1, 1, 1, 4, 2, 2, 4, 1, 0, 2}};
    m = make_cnn(&g, (map3){2, 8, 8}, sg, 4, 3, 8, 0);
    run_case(&g, "pads on signed maps, batch 2", m, 2, 0, 20);
    run_case(&g, "pads on signed maps, private input", m, 1, 1, 10);
    zki_qmodel_free(m);
    /* a window that holds pads only has no ONNX max: refused */
    conv_spec ap[2] = {{2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0}, {0, 2, 2, 2, 2, 1, 1, 2, 2, 0, 0, 1, 0, 2}};
    m = make_cnn(&g, (map3){1, 4, 4}, ap, 2, 3, 8, 0);
    {
        zki_dag arch;
        CHECK(zki_dag_lower(m, &arch, NULL) == ZKI_ERR_UNSUPPORTED);
    }
    zki_qmodel_free(m);
    test_fmnist_cnn(&g);
    /* a map as the output (dense [C][H][W] per sample in the proof): a
     * Conv, and a conv followed by a MaxPool, at the end */
    m = make_cnn(&g, (map3){2, 5, 5}, a, 1, 0, 8, 0);
    run_case(&g, "conv at the output, batch 2", m, 2, 0, 20);
    run_case(&g, "conv at the output, private input", m, 1, 1, 10);
    zki_qmodel_free(m);
    m = make_cnn(&g, (map3){2, 9, 11}, e, 2, 0, 8, 0);
    run_case(&g, "max pool at the output, batch 3", m, 3, 0, 20);
    zki_qmodel_free(m);
    /* a Linear on the last axis before a Conv: rows of W, a 1x1 conv over
     * the moved map (as a token Linear) */
    m = make_cnn(&g, (map3){2, 5, 5}, a, 1, 3, 8, 1);
    run_case(&g, "Linear on the rows before a conv", m, 2, 0, 20);
    zki_qmodel_free(m);
    zki_dag arch;
    /* groups whose channels per group are not powers of two (the conv
     * gadget's general path): 2 groups of 1 -> 3, then 3 groups of 2 -> 3
     * with stride 2, then 3 groups of 3 -> 1 (a ShuffleNet-like g = 3) */
    conv_spec h[3] = {{6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 0},
                      {9, 3, 3, 2, 2, 1, 1, 1, 0, 1, 1, 3, 1, 0},
                      {3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 3, 1, 0}};
    m = make_cnn(&g, (map3){2, 7, 6}, h, 3, 3, 8, 0);
    CHECK_MSG(zki_dag_lower(m, &arch, NULL) == ZKI_OK, "general groups: %s", zki_last_error());
    zki_dag_free(&arch);
    run_case(&g, "general groups, batch 2", m, 2, 0, 30);
    run_case(&g, "general groups, private input", m, 1, 1, 10);
    zki_qmodel_free(m);
    return TEST_SUMMARY();
}
