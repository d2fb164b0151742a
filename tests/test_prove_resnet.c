/* Residual Add (issue 7): small CNNs with identity shortcuts in the ResNet
 * pattern (a map feeds a branch of convs and an Add that joins the branch's
 * end) and a downsampling block (3x3 stride 2 branch, 1x1 stride 2 conv on
 * the shortcut), and the exported tiny ResNet fixture (ONNX, quantised),
 * proven and verified end to end: the verified output equals the
 * integer executor's for public and private inputs and batches; keys and
 * proofs round-trip through bytes; an altered output, mutated proof bytes,
 * an altered Add multiplier in the key (in memory, with the key's hash
 * kept, and patched in the key's bytes) and a forged Add input claim are
 * rejected; graphs outside the class (a shortcut from the network input,
 * a map feeding three nodes) are refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "prover/prover.h"
#include "quant/quant.h"
#include "test.h"
#include "test_prove_util.h"
#include "test_onnx_util.h"
#include "verifier/verifier.h"

static const uint8_t seed_w[32] = {9, 1, 2};
static const uint8_t seed_a[32] = {3, 3, 3};

/* conv kxk (k 1 or 3, pad k/2) with stride sd (C -> OC) on map [C][H][W];
 * returns the output */
static int convk(zki_qmodel *m, zki_rng *g, int x, int64_t C, int64_t OC, int64_t H, int64_t W, int64_t k,
                 int64_t sd, int relu, int id)
{
    char nm[32];
    int64_t p = k / 2, OH = (H + 2 * p - k) / sd + 1, OW = (W + 2 * p - k) / sd + 1;
    int64_t wd[4] = {OC, C, k, k}, bd[1] = {OC}, yd[4] = {1, OC, OH, OW};
    snprintf(nm, sizeof nm, "w%d", id);
    int wt = add_const(m, g, nm, 8, 4, wd, -127, 255);
    snprintf(nm, sizeof nm, "b%d", id);
    int bt = add_const(m, g, nm, 32, 1, bd, -(1 << 12), 1 << 13);
    snprintf(nm, sizeof nm, "y%d", id);
    int yt = zki_qmodel_add_tensor(m, nm, ZKI_QT_VALUE, 8, 4, yd, 0.05);
    snprintf(nm, sizeof nm, "conv%d", id);
    int ni = zki_qmodel_add_node(m, ZKI_QOP_CONV, nm);
    zki_qnode *n = &m->nodes[ni];
    n->n_in = 3, n->in[0] = x, n->in[1] = wt, n->in[2] = bt, n->out = yt, n->n_p = 15;
    n->p[0] = 75, n->p[1] = 16, n->p[2] = relu ? 0 : -128, n->p[3] = 127;
    const int64_t geo[11] = {1, k, k, sd, sd, 1, 1, p, p, p, p};
    memcpy(n->p + 4, geo, sizeof geo);
    return yt;
}

static int conv3(zki_qmodel *m, zki_rng *g, int x, int64_t C, int64_t OC, int64_t H, int64_t W, int relu,
                 int id)
{
    return convk(m, g, x, C, OC, H, W, 3, 1, relu, id);
}

static int add_node(zki_qmodel *m, int a, int b, int64_t Ma, int64_t Mb, int relu, int64_t C, int64_t H,
                    int64_t W, int id)
{
    char nm[32];
    int64_t yd[4] = {1, C, H, W};
    snprintf(nm, sizeof nm, "sum%d", id);
    int yt = zki_qmodel_add_tensor(m, nm, ZKI_QT_VALUE, 8, 4, yd, 0.05);
    snprintf(nm, sizeof nm, "add%d", id);
    int ni = zki_qmodel_add_node(m, ZKI_QOP_ADD, nm);
    zki_qnode *n = &m->nodes[ni];
    n->n_in = 2, n->in[0] = a, n->in[1] = b, n->out = yt, n->n_p = 5;
    n->p[0] = Ma, n->p[1] = Mb, n->p[2] = 12, n->p[3] = relu ? 0 : -128, n->p[4] = 127;
    return yt;
}

/* x [1,3,H,W] -> conv0 (relu) = s0 -> conv1 (relu) -> conv2 -> Add(conv2, s0)
 * = s1 (relu) -> conv3 -> Add(s1, conv3) (shortcut first) -> [Flatten ->
 * Linear]. kind 1: the first shortcut comes from the input (refused); kind
 * 2: the second Add reads s0 again (a map feeding three nodes: refused). */
static zki_qmodel *make_resnet(zki_rng *g, int64_t H, int64_t W, int kind)
{
    zki_qmodel *m = calloc(1, sizeof(*m));
    const int64_t C = 4;
    int64_t d4[4] = {1, kind == 1 ? C : 3, H, W};
    int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 8, 4, d4, 1.0 / 127);
    m->n_inputs = 1;
    m->inputs[0] = x;
    int s0 = kind == 1 ? x : conv3(m, g, x, 3, C, H, W, 1, 0);
    int c1 = conv3(m, g, s0, C, C, H, W, 1, 1);
    int c2 = conv3(m, g, c1, C, C, H, W, 0, 2);
    int s1 = add_node(m, c2, s0, 1500, -900, 1, C, H, W, 1);
    int c3 = conv3(m, g, s1, C, C, H, W, 0, 3);
    int s2;
    int64_t C2 = C;
    if (kind == 3) { /* a downsampling block: 3x3 stride 2, 3x3; 1x1 stride 2 shortcut */
        C2 = 8;
        int64_t H0 = H, W0 = W;
        int c4 = convk(m, g, c3, C, C2, H, W, 3, 2, 1, 4);
        H = (H - 1) / 2 + 1, W = (W - 1) / 2 + 1;
        int c5 = conv3(m, g, c4, C2, C2, H, W, 0, 5);
        int ds = convk(m, g, c3, C, C2, H0, W0, 1, 2, 0, 6);
        s2 = add_node(m, ds, c5, 2100, 1300, 0, C2, H, W, 2);
    } else {
        s2 = add_node(m, kind == 2 ? s0 : s1, c3, 2100, 1300, 0, C, H, W, 2);
    }
    int64_t F = C2 * H * W, fd[2] = {1, F}, wd[2] = {5, F}, bd[1] = {5}, yd[2] = {1, 5};
    int ft = zki_qmodel_add_tensor(m, "flat", ZKI_QT_VALUE, 8, 2, fd, 0.05);
    int ni = zki_qmodel_add_node(m, ZKI_QOP_RESHAPE, "flatten");
    zki_qnode *n = &m->nodes[ni];
    n->n_in = 1, n->in[0] = s2, n->out = ft;
    int wt = add_const(m, g, "fw", 8, 2, wd, -127, 255);
    int bt = add_const(m, g, "fb", 32, 1, bd, -(1 << 12), 1 << 13);
    int yt = zki_qmodel_add_tensor(m, "y", ZKI_QT_VALUE, 8, 2, yd, 0.05);
    ni = zki_qmodel_add_node(m, ZKI_QOP_LINEAR, "fc");
    n = &m->nodes[ni];
    n->n_in = 3, n->in[0] = ft, n->in[1] = wt, n->in[2] = bt, n->out = yt, n->n_p = 4;
    n->p[0] = 40, n->p[1] = 16, n->p[2] = -128, n->p[3] = 127;
    m->n_outputs = 1;
    m->outputs[0] = yt;
    zki_status st = zki_qmodel_check(m);
    CHECK_MSG(st == ZKI_OK, "model check: %s", zki_last_error());
    return m;
}

/* A residual block as the model's output (no head): x [1,3,5,6] -> conv0
 * (relu) = s0 -> conv1 -> Add(conv1, s0); the proof's output is the dense
 * [4][5][6] map. Public batch 2 and private batch 1, with mutations. */
static void test_add_at_output(zki_rng *g)
{
    zki_qmodel *m = calloc(1, sizeof(*m));
    int64_t d4[4] = {1, 3, 5, 6};
    int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 8, 4, d4, 1.0 / 127);
    m->n_inputs = 1;
    m->inputs[0] = x;
    int s0 = conv3(m, g, x, 3, 4, 5, 6, 1, 0);
    int c1 = conv3(m, g, s0, 4, 4, 5, 6, 0, 1);
    m->n_outputs = 1;
    m->outputs[0] = add_node(m, c1, s0, 1700, -800, 0, 4, 5, 6, 1);
    CHECK_MSG(zki_qmodel_check(m) == ZKI_OK, "add at output: %s", zki_last_error());
    int64_t X[2 * 90];
    for (int i = 0; i < 180; i++)
        X[i] = (int64_t)zki_rng_below(g, 256) - 128;
    for (int priv = 0; priv < 2; priv++) {
        uint32_t B = priv ? 1 : 2;
        zki_pk *pk = NULL;
        zki_proof pf;
        zki_prove_opts o = {priv, seed_a, NULL, NULL};
        CHECK(zki_setup(m, seed_w, &pk) == ZKI_OK);
        zki_status st = pk ? zki_prove(pk, X, B, &o, &pf, NULL) : ZKI_ERR_INPUT;
        CHECK_MSG(st == ZKI_OK, "add at output: prove: %s", zki_last_error());
        if (!st) {
            const zki_dag *a = &pk->vk.dag;
            CHECK(a->nodes[a->n_nodes - 1].kind == ZKI_NODE_ADD && pf.out_n == 4 * 5 * 6);
            check_output_is_qexec(m, X, B, &pf, "add at output");
            uint8_t *bytes = NULL;
            size_t blen = 0, out_n = pf.out_n;
            CHECK(zki_proof_to_bytes(&pf, &bytes, &blen) == ZKI_OK);
            zki_proof_free(&pf);
            const int64_t *Xv = priv ? NULL : X;
            CHECK_MSG(verify_bytes(&pk->vk, Xv, B, bytes, blen) == ZKI_OK, "add at output: verify: %s",
                      zki_last_error());
            check_mutations(g, &pk->vk, Xv, B, bytes, blen, ZKI_PROOF_OUTPUT_AT + 8 * (size_t)B * out_n, 30,
                            "add at output");
            free(bytes);
        }
        zki_pk_free(pk);
    }
    zki_qmodel_free(m);
}

/* the byte offset of layer l's Ma in a vk's bytes */
static size_t ma_offset(const zki_dag *a, uint32_t l)
{
    size_t at = 8 + 4 + 4 + 4 * 4 + 8 * (size_t)a->in_rank + 4 + 8 * (size_t)a->out_rank + 16;
    for (uint32_t i = 0; i < l; i++)
        at += 6 * 4 + 3 * 8 + 4 + 17 * 4 + (a->nodes[i].kind == ZKI_NODE_ADD ? 24 : 0);
    return at + 6 * 4 + 3 * 8 + 4 + 17 * 4 + 8;
}

/* the byte offset of layer l's xin in a vk's bytes */
static size_t xin_offset(const zki_dag *a, uint32_t l)
{
    return ma_offset(a, l) - 8 - 4;
}

static void run_case(zki_rng *g, const char *what, zki_qmodel *m, uint32_t B, int priv, int mutations,
                     int down)
{
    int64_t K = zki_qnumel(&m->t[m->inputs[0]]);
    int64_t *X = malloc(sizeof(int64_t) * (size_t)(B * K));
    for (int64_t i = 0; i < B * K; i++)
        X[i] = (int64_t)zki_rng_below(g, 256) - 128;
    zki_pk *pk = NULL;
    zki_status st = zki_setup(m, seed_w, &pk);
    CHECK_MSG(st == ZKI_OK, "%s: setup: %s", what, zki_last_error());
    if (st) {
        free(X);
        return;
    }
    /* conv, conv, conv, add(2, 0), conv, add(3, 4), linear; down: conv,
     * conv, conv, add(2, 0), conv, conv s2, conv, conv 1x1 s2 reading layer
     * 4, add(7, 6), linear */
    const zki_dag *a = &pk->vk.dag;
    uint32_t la = down ? 8 : 5;
    CHECK(a->n_nodes == (down ? 10u : 7u) && a->nodes[3].kind == ZKI_NODE_ADD && a->nodes[3].sa == 2 &&
          a->nodes[3].sb == 0 && a->nodes[3].Ma == 1500 && a->nodes[3].Mb == -900 &&
          a->nodes[la].kind == ZKI_NODE_ADD && a->nodes[la + 1].kind == ZKI_NODE_LINEAR);
    if (down)
        CHECK(a->nodes[8].sa == 7 && a->nodes[8].sb == 6 && a->nodes[8].Ma == 2100 && a->nodes[8].Mb == 1300 &&
              a->nodes[7].kind == ZKI_NODE_CONV && a->nodes[7].xin == 5 && a->nodes[7].KH == 1 &&
              a->nodes[7].sh == 2 && a->nodes[6].xin == 6 && a->nodes[5].sh == 2);
    else
        CHECK(a->nodes[5].sa == 4 && a->nodes[5].sb == 3 && a->nodes[5].Ma == 1300 && a->nodes[5].Mb == 2100);
    for (uint32_t l = 0; l < a->n_nodes; l++)
        CHECK(a->nodes[l].xin == l || (down && l == 7));
    zki_prove_opts o = {priv, seed_a, NULL, NULL};
    zki_proof pf;
    st = zki_prove(pk, X, B, &o, &pf, NULL);
    CHECK_MSG(st == ZKI_OK, "%s: prove: %s", what, zki_last_error());
    uint8_t *bytes = NULL, *vb = NULL;
    size_t blen = 0, vl = 0;
    zki_vk vk;
    memset(&vk, 0, sizeof(vk));
    const int64_t *Xv = priv ? NULL : X;
    if (!st) {
        check_output_is_qexec(m, X, B, &pf, what);
        int64_t *yf = NULL;
        CHECK(zki_mlp_forward(pk, X, B, &yf) == ZKI_OK && yf &&
              !memcmp(yf, pf.output, sizeof(int64_t) * B * pf.out_n));
        free(yf);
        /* the verifier's own check of the Add: a forged input claim */
        CHECK(zki_verify(&pk->vk, Xv, B, &pf) == ZKI_OK);
        zki_ext keep = pf.mm[3].x_eval;
        pf.mm[3].x_eval.c0 = zki_fe_add(pf.mm[3].x_eval.c0, 1);
        CHECK_MSG(zki_verify(&pk->vk, Xv, B, &pf) == ZKI_ERR_VERIFY, "%s: forged add claim accepted", what);
        pf.mm[3].x_eval = keep;
        /* a key whose Add multiplier differs (the hash kept: only the
         * algebra can catch it) */
        pk->vk.dag.nodes[la].Mb += 1;
        CHECK_MSG(zki_verify(&pk->vk, Xv, B, &pf) == ZKI_ERR_VERIFY, "%s: altered multiplier accepted", what);
        pk->vk.dag.nodes[la].Mb -= 1;
        if (down) { /* the shortcut conv reading the previous layer instead */
            pk->vk.dag.nodes[7].xin = 7;
            CHECK(zki_verify(&pk->vk, Xv, B, &pf) != ZKI_OK);
            pk->vk.dag.nodes[7].xin = 5;
        }
        CHECK(zki_proof_to_bytes(&pf, &bytes, &blen) == ZKI_OK);
        zki_proof_free(&pf);
        CHECK(zki_vk_to_bytes(&pk->vk, &vb, &vl) == ZKI_OK);
        CHECK(zki_vk_from_bytes(&vk, vb, vl) == ZKI_OK);
        st = verify_bytes(&vk, Xv, B, bytes, blen);
        CHECK_MSG(st == ZKI_OK, "%s: verify: %s", what, zki_last_error());
        /* the multiplier patched in the key's bytes */
        size_t at = ma_offset(&vk.dag, 3);
        int64_t ma;
        memcpy(&ma, vb + at, 8);
        CHECK(ma == 1500);
        vb[at] ^= 2;
        zki_vk vk2;
        CHECK(zki_vk_from_bytes(&vk2, vb, vl) == ZKI_OK && vk2.dag.nodes[3].Ma == (1500 ^ 2));
        CHECK_MSG(verify_bytes(&vk2, Xv, B, bytes, blen) != ZKI_OK, "%s: patched multiplier accepted", what);
        vk2.vk_hash = vk.vk_hash; /* even with the honest key's hash */
        CHECK_MSG(verify_bytes(&vk2, Xv, B, bytes, blen) == ZKI_ERR_VERIFY, "%s: patched multiplier accepted",
                  what);
        zki_vk_free(&vk2);
        vb[at] ^= 2;
        /* another input named by a layer: the key is refused at parse or
         * (a conv before an Add may legally read an earlier map of the
         * same shape: another model) the proof fails under it */
        for (uint32_t l = 0; l < vk.dag.n_nodes; l++) {
            size_t xo = xin_offset(&vk.dag, l);
            uint32_t keep, tries[3] = {l + 1, l ? l - 1 : 2 * l + 7, 0};
            memcpy(&keep, vb + xo, 4);
            CHECK(keep == vk.dag.nodes[l].xin);
            for (int t = 0; t < 3; t++) {
                if (tries[t] == keep)
                    continue;
                memcpy(vb + xo, &tries[t], 4);
                zki_vk vk3;
                st = zki_vk_from_bytes(&vk3, vb, vl);
                CHECK(st == ZKI_OK || st == ZKI_ERR_INPUT);
                if (!st) {
                    CHECK(vk.dag.nodes[l].kind == ZKI_NODE_CONV && vk.dag.nodes[l + 1].kind == ZKI_NODE_ADD);
                    vk3.vk_hash = vk.vk_hash;
                    CHECK_MSG(verify_bytes(&vk3, Xv, B, bytes, blen) != ZKI_OK, "%s: layer %u reading %u accepted",
                              what, l, tries[t]);
                    zki_vk_free(&vk3);
                }
            }
            memcpy(vb + xo, &keep, 4);
        }
        zki_vk vk4;
        CHECK(zki_vk_from_bytes(&vk4, vb, vl) == ZKI_OK);
        zki_vk_free(&vk4);
        /* an Add reading itself or a later layer: refused at parse */
        uint32_t sb;
        memcpy(&sb, vb + at - 4, 4);
        CHECK(sb == 0);
        uint32_t bad = 3;
        memcpy(vb + at - 4, &bad, 4);
        CHECK(zki_vk_from_bytes(&vk2, vb, vl) == ZKI_ERR_INPUT);
        check_mutations(g, &vk, Xv, B, bytes, blen, ZKI_PROOF_OUTPUT_AT + 8 * (size_t)B, mutations, what);
    }
    free(bytes);
    free(vb);
    zki_vk_free(&vk);
    zki_pk_free(pk);
    free(X);
}

/* The exported tiny ResNet (tools/export_resnet_tiny.py: BN folded, ReLU
 * fused into the Adds, a downsampling block, GlobalAveragePool): two
 * calibration samples proven as a batch, public and private. */
static void test_onnx_fixture(void)
{
    int64_t *X;
    zki_qmodel *m = load_fixture("resnet_tiny.onnx", "resnet_tiny_calib.npy", &X);
    zki_pk *pk = NULL;
    if (m && X)
        CHECK_MSG(zki_setup(m, seed_w, &pk) == ZKI_OK, "resnet_tiny setup: %s", zki_last_error());
    if (pk) {
        const zki_dag *a = &pk->vk.dag;
        CHECK(a->n_nodes == 10 && a->nodes[3].kind == ZKI_NODE_ADD && a->nodes[3].sa == 2 &&
              a->nodes[3].sb == 0 && a->nodes[6].kind == ZKI_NODE_CONV && a->nodes[6].xin == 4 &&
              a->nodes[6].KH == 1 && a->nodes[7].kind == ZKI_NODE_ADD && a->nodes[7].lo == 0);
        prove_fixture_rounds(m, X, seed_w, seed_a, &pk, "resnet_tiny");
    }
    zki_pk_free(pk);
    free(X);
    zki_qmodel_free(m);
}

int main(void)
{
    test_onnx_fixture();
    zki_rng g;
    zki_rng_seed(&g, 77);
    zki_qmodel *m = make_resnet(&g, 6, 5, 0);
    run_case(&g, "resnet 6x5 B=1", m, 1, 0, 40, 0);
    run_case(&g, "resnet 6x5 B=3 private", m, 3, 1, 20, 0);
    zki_qmodel_free(m);
    m = make_resnet(&g, 8, 8, 0);
    run_case(&g, "resnet 8x8 B=2", m, 2, 0, 20, 0);
    zki_qmodel_free(m);
    m = make_resnet(&g, 8, 8, 3);
    run_case(&g, "resnet downsampling 8x8 B=1", m, 1, 0, 40, 1);
    run_case(&g, "resnet downsampling 8x8 B=2 private", m, 2, 1, 20, 1);
    zki_qmodel_free(m);
    m = make_resnet(&g, 7, 6, 3);
    run_case(&g, "resnet downsampling 7x6 B=1", m, 1, 0, 20, 1);
    zki_qmodel_free(m);
    for (int kind = 1; kind <= 2; kind++) {
        m = make_resnet(&g, 4, 4, kind);
        zki_dag a;
        CHECK_MSG(zki_dag_from_qmodel(m, &a) == ZKI_ERR_UNSUPPORTED, "kind %d accepted", kind);
        zki_pk *pk = NULL;
        CHECK(zki_setup(m, seed_w, &pk) == ZKI_ERR_UNSUPPORTED && !pk);
        zki_qmodel_free(m);
    }
    test_add_at_output(&g);
    return TEST_SUMMARY();
}
