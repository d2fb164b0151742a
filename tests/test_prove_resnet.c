/* Residual Add (issue 7): small CNNs with identity shortcuts in the ResNet
 * pattern (a map feeds a branch of convs and an Add that joins the branch's
 * end) and a downsampling block (3x3 stride 2 branch, 1x1 stride 2 conv on
 * the shortcut), and the exported tiny ResNet fixture (ONNX, quantised),
 * proven and verified end to end: the verified output equals the
 * integer executor's for public and private inputs and batches; keys and
 * proofs round-trip through bytes; an altered output, mutated proof bytes,
 * an altered Add multiplier in the key (in memory, with the key's hash
 * kept, and patched in the key's bytes) and a forged Add input claim are
 * rejected; a shortcut from the network input is refused; a map feeding
 * three nodes (outside the old chain, a DAG's ordinary case) is proven. */
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
    int yt = add_flatten_linear(m, g, s2, (int64_t)C2 * H * W, 5);
    m->n_outputs = 1;
    m->outputs[0] = yt;
    zki_status st = zki_qmodel_check(m);
    CHECK_MSG(st == ZKI_OK, "model check: %s", zki_last_error());
    return m;
}

/* the last node is the Add, its dense [4][5][6] map the output */
static void add_at_output_shape(const zki_vk *vk, const int64_t *Xv, uint32_t B, zki_proof *pf, void *ctx)
{
    (void)Xv, (void)B, (void)ctx;
    const zki_dag *a = &vk->dag;
    CHECK(a->nodes[a->n_nodes - 1].kind == ZKI_NODE_ADD && pf->out_n == 4 * 5 * 6);
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
    prove_round(g, m, X, 2, 0, seed_w, seed_a, add_at_output_shape, NULL, 30, "add at output");
    prove_round(g, m, X, 1, 1, seed_w, seed_a, add_at_output_shape, NULL, 30, "add at output, private");
    zki_qmodel_free(m);
}

/* vk bytes (prover/keys.c, dag_write): magic, version, arch length, then
 * the arch head (n_nodes, in_bits, out_bits, in_rank, in_dims, out_rank,
 * out_dims, in_scale, out_scale) and per node: K N has_bias w_bits out_bits
 * s (u32), M lo hi (i64), q_log (u32), 16 u32 of geometry (kind first),
 * n_in (u32), in[n_in] (u32), and for an ADD mul[n_in] (i64). */
#define NODE_FIXED (6 * 4 + 3 * 8 + 4 + 16 * 4 + 4)

/* the byte offset of node l in a vk's bytes */
static size_t node_offset(const zki_dag *a, uint32_t l)
{
    size_t at = 8 + 4 + 4 + 4 * 4 + 8 * (size_t)a->in_rank + 4 + 8 * (size_t)a->out_rank + 16;
    for (uint32_t i = 0; i < l; i++) {
        const zki_dag_node *L = &a->nodes[i];
        at += NODE_FIXED + 4 * (size_t)L->n_in + (L->kind == ZKI_NODE_ADD ? 8 * (size_t)L->n_in : 0);
    }
    return at;
}

/* the byte offset of node l's input i (a tensor id) in a vk's bytes */
static size_t in_offset(const zki_dag *a, uint32_t l, uint32_t i)
{
    return node_offset(a, l) + NODE_FIXED + 4 * (size_t)i;
}

/* the byte offset of ADD node l's multiplier i in a vk's bytes */
static size_t mul_offset(const zki_dag *a, uint32_t l, uint32_t i)
{
    return in_offset(a, l, a->nodes[l].n_in) + 8 * (size_t)i;
}

/* the map shape of tensor t (0: the input, as node 0 reads it) */
static void tensor_shape(const zki_dag *a, uint32_t t, uint32_t s[4])
{
    memset(s, 0, 4 * sizeof s[0]);
    if (t == 0) {
        s[0] = a->nodes[0].C, s[1] = a->nodes[0].H, s[2] = a->nodes[0].W, s[3] = a->nodes[0].K;
    } else {
        zki_dag_out_map(&a->nodes[t - 1], &s[0], &s[1], &s[2]);
        s[3] = a->nodes[t - 1].N;
    }
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
    /* Nodes (tensor ids: 0 the input, j + 1 node j's output; an Add's
     * inputs in the ONNX node's order, as the model lists them):
     * conv, conv, conv, add(in 3 = conv2, in 1 = conv0; 1500, -900), conv,
     * add(in 4 = the first add, in 5 = conv3; 2100, 1300), linear; down:
     * conv, conv, conv, add(3, 1), conv, conv s2, conv, conv 1x1 s2 reading
     * tensor 5 (conv3), add(in 8 = the 1x1 shortcut conv, in 7 = the
     * branch's last conv; 2100, 1300), linear */
    const zki_dag *a = &pk->vk.dag;
    uint32_t la = down ? 8 : 5;
    CHECK(a->n_nodes == (down ? 10u : 7u) && a->nodes[3].kind == ZKI_NODE_ADD && a->nodes[3].n_in == 2 &&
          a->nodes[3].in[0] == 3 && a->nodes[3].in[1] == 1 && a->nodes[3].mul[0] == 1500 &&
          a->nodes[3].mul[1] == -900 && a->nodes[la].kind == ZKI_NODE_ADD && a->nodes[la].n_in == 2 &&
          a->nodes[la + 1].kind == ZKI_NODE_LINEAR);
    if (down)
        CHECK(a->nodes[8].in[0] == 8 && a->nodes[8].in[1] == 7 && a->nodes[8].mul[0] == 2100 &&
              a->nodes[8].mul[1] == 1300 && a->nodes[7].kind == ZKI_NODE_CONV && a->nodes[7].in[0] == 5 &&
              a->nodes[7].KH == 1 && a->nodes[7].sh == 2 && a->nodes[6].in[0] == 6 && a->nodes[5].sh == 2);
    else
        CHECK(a->nodes[5].in[0] == 4 && a->nodes[5].in[1] == 5 && a->nodes[5].mul[0] == 2100 &&
              a->nodes[5].mul[1] == 1300);
    /* every other node reads the tensor just before it, one input */
    for (uint32_t l = 0; l < a->n_nodes; l++)
        if (a->nodes[l].kind != ZKI_NODE_ADD)
            CHECK(a->nodes[l].n_in == 1 && (a->nodes[l].in[0] == l || (down && l == 7)));
    zki_prove_opts o = {priv, seed_a, NULL, NULL, 0, 0};
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
        /* (an ADD node's values: one claim e_i per input, no sum-check) */
        CHECK(pf.node[3].n_val == 2 && pf.node[3].n_sc == 0 && pf.node[3].has_red);
        for (uint32_t i = 0; i < 2 && pf.node[3].n_val == 2; i++) {
            zki_ext keep = pf.node[3].val[i];
            pf.node[3].val[i].c0 = zki_fe_add(pf.node[3].val[i].c0, 1);
            CHECK_MSG(zki_verify(&pk->vk, Xv, B, &pf) == ZKI_ERR_VERIFY, "%s: forged add claim %u accepted",
                      what, i);
            pf.node[3].val[i] = keep;
        }
        CHECK(zki_verify(&pk->vk, Xv, B, &pf) == ZKI_OK);
        /* a key whose Add multiplier differs (the hash kept: only the
         * algebra can catch it), either input's */
        for (uint32_t i = 0; i < 2; i++) {
            pk->vk.dag.nodes[la].mul[i] += 1;
            CHECK_MSG(zki_verify(&pk->vk, Xv, B, &pf) == ZKI_ERR_VERIFY, "%s: altered multiplier %u accepted",
                      what, i);
            pk->vk.dag.nodes[la].mul[i] -= 1;
        }
        /* the Add's inputs swapped in the key (multipliers kept in place) */
        uint32_t t0 = pk->vk.dag.nodes[3].in[0];
        pk->vk.dag.nodes[3].in[0] = pk->vk.dag.nodes[3].in[1], pk->vk.dag.nodes[3].in[1] = t0;
        CHECK_MSG(zki_verify(&pk->vk, Xv, B, &pf) != ZKI_OK, "%s: swapped add inputs accepted", what);
        pk->vk.dag.nodes[3].in[1] = pk->vk.dag.nodes[3].in[0], pk->vk.dag.nodes[3].in[0] = t0;
        if (down) { /* the shortcut conv reading the previous node instead */
            pk->vk.dag.nodes[7].in[0] = 7;
            CHECK(zki_verify(&pk->vk, Xv, B, &pf) != ZKI_OK);
            pk->vk.dag.nodes[7].in[0] = 5;
        }
        CHECK(zki_verify(&pk->vk, Xv, B, &pf) == ZKI_OK);
        CHECK(zki_proof_to_bytes(&pf, &bytes, &blen) == ZKI_OK);
        zki_proof_free(&pf);
        CHECK(zki_vk_to_bytes(&pk->vk, &vb, &vl) == ZKI_OK);
        CHECK(zki_vk_from_bytes(&vk, vb, vl) == ZKI_OK);
        st = verify_bytes(&vk, Xv, B, bytes, blen);
        CHECK_MSG(st == ZKI_OK, "%s: verify: %s", what, zki_last_error());
        /* the multiplier patched in the key's bytes */
        size_t at = mul_offset(&vk.dag, 3, 0);
        int64_t ma;
        memcpy(&ma, vb + at, 8);
        CHECK(ma == 1500);
        vb[at] ^= 2;
        zki_vk vk2;
        CHECK(zki_vk_from_bytes(&vk2, vb, vl) == ZKI_OK && vk2.dag.nodes[3].mul[0] == (1500 ^ 2));
        CHECK_MSG(verify_bytes(&vk2, Xv, B, bytes, blen) != ZKI_OK, "%s: patched multiplier accepted", what);
        vk2.vk_hash = vk.vk_hash; /* even with the honest key's hash */
        CHECK_MSG(verify_bytes(&vk2, Xv, B, bytes, blen) == ZKI_ERR_VERIFY, "%s: patched multiplier accepted",
                  what);
        zki_vk_free(&vk2);
        vb[at] ^= 2;
        /* another input named by a node: the key is refused at parse or
         * (a node may legally read any earlier map of the shape it reads:
         * another model) the proof fails under it */
        for (uint32_t l = 0; l < vk.dag.n_nodes; l++) {
            size_t xo = in_offset(&vk.dag, l, 0);
            uint32_t keep, tries[3] = {l + 1, l ? l - 1 : 2 * l + 7, 0};
            memcpy(&keep, vb + xo, 4);
            CHECK(keep == vk.dag.nodes[l].in[0]);
            for (int t = 0; t < 3; t++) {
                if (tries[t] == keep)
                    continue;
                memcpy(vb + xo, &tries[t], 4);
                zki_vk vk3;
                st = zki_vk_from_bytes(&vk3, vb, vl);
                CHECK(st == ZKI_OK || st == ZKI_ERR_INPUT);
                if (!st) {
                    uint32_t s0[4], s1[4];
                    tensor_shape(&vk.dag, keep, s0);
                    tensor_shape(&vk.dag, tries[t], s1);
                    CHECK_MSG(!memcmp(s0, s1, sizeof s0), "%s: node %u reading tensor %u of another shape parsed",
                              what, l, tries[t]);
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
        /* an Add reading itself or a later node: refused at parse */
        size_t so = in_offset(&vk.dag, 3, 1);
        uint32_t sb;
        memcpy(&sb, vb + so, 4);
        CHECK(sb == 1);
        for (uint32_t bad = 4; bad <= 5; bad++) {
            memcpy(vb + so, &bad, 4);
            CHECK(zki_vk_from_bytes(&vk2, vb, vl) == ZKI_ERR_INPUT);
        }
        memcpy(vb + so, &sb, 4);
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
        /* node 3: Add(in 3 = conv2, in 1 = conv0's map); node 6: the 1x1
         * shortcut conv reading tensor 4 (the first Add); node 7: Add(in 6
         * = the branch's conv (node 5), in 7 = the shortcut), ONNX order */
        CHECK(a->n_nodes == 10 && a->nodes[3].kind == ZKI_NODE_ADD && a->nodes[3].n_in == 2 &&
              a->nodes[3].in[0] == 3 && a->nodes[3].in[1] == 1 && a->nodes[6].kind == ZKI_NODE_CONV &&
              a->nodes[6].n_in == 1 && a->nodes[6].in[0] == 4 && a->nodes[6].KH == 1 &&
              a->nodes[7].kind == ZKI_NODE_ADD && a->nodes[7].n_in == 2 && a->nodes[7].in[0] == 6 &&
              a->nodes[7].in[1] == 7 && a->nodes[7].lo == 0);
        prove_fixture_rounds(m, X, seed_w, seed_a, &pk, "resnet_tiny");
    }
    zki_pk_free(pk);
    free(X);
    zki_qmodel_free(m);
}

/* node 5 (Add(in 1, in 5)), the third reader of tensor 1: its claim on
 * tensor 1 forged */
static void forge_last_reader(const zki_vk *vk, const int64_t *Xv, uint32_t B, zki_proof *pf, void *ctx)
{
    (void)ctx;
    CHECK(vk->dag.nodes[5].kind == ZKI_NODE_ADD && vk->dag.nodes[5].in[0] == 1 && pf->node[5].n_val == 2);
    zki_ext keep = pf->node[5].val[0];
    pf->node[5].val[0].c0 = zki_fe_add(keep.c0, 1);
    CHECK_MSG(zki_verify(vk, Xv, B, pf) == ZKI_ERR_VERIFY, "three readers: forged claim accepted");
    pf->node[5].val[0] = keep;
}

/* make_resnet kind 2: tensor 1 (conv0's map) read by node 1 (conv1), node
 * 3 (Add(in 3, in 1)) and node 5 (Add(in 1, in 5)): proven, verified,
 * mutations refused; its claims at three points are merged, and a forged
 * claim from the last reader is refused. */
static void test_three_readers(zki_rng *g, zki_qmodel *m)
{
    zki_dag a;
    zki_status st = zki_dag_lower(m, &a, NULL);
    CHECK_MSG(st == ZKI_OK, "three readers: lowering: %s", zki_last_error());
    if (st)
        return;
    CHECK(a.n_nodes == 7 && a.nodes[1].in[0] == 1 && a.nodes[3].kind == ZKI_NODE_ADD && a.nodes[3].in[0] == 3 &&
          a.nodes[3].in[1] == 1 && a.nodes[5].kind == ZKI_NODE_ADD && a.nodes[5].in[0] == 1 &&
          a.nodes[5].in[1] == 5 && a.nodes[5].mul[0] == 2100 && a.nodes[5].mul[1] == 1300);
    zki_dag_free(&a);
    int64_t X[2 * 3 * 16];
    for (int i = 0; i < 2 * 3 * 16; i++)
        X[i] = (int64_t)zki_rng_below(g, 256) - 128;
    prove_round(g, m, X, 2, 0, seed_w, seed_a, forge_last_reader, NULL, 20, "three readers");
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
    /* a shortcut from the network input: an Add joins maps computed by
     * proven nodes, the input is not one (refused) */
    m = make_resnet(&g, 4, 4, 1);
    zki_dag a;
    CHECK_MSG(zki_dag_lower(m, &a, NULL) == ZKI_ERR_UNSUPPORTED, "a shortcut from the input accepted");
    zki_pk *pk = NULL;
    CHECK(zki_setup(m, seed_w, &pk) == ZKI_ERR_UNSUPPORTED && !pk);
    zki_qmodel_free(m);
    /* a map feeding three nodes (conv0's, read by conv1 and both Adds): a
     * proof DAG lets a tensor have any number of readers, so it is proven */
    m = make_resnet(&g, 4, 4, 2);
    test_three_readers(&g, m);
    zki_qmodel_free(m);
    test_add_at_output(&g);
    return TEST_SUMMARY();
}
