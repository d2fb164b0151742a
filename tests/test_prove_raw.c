/* Raw accumulators (protocol/dag.h, ZKI_DAG_MAX_RAW_BITS): a CONV or
 * LINEAR whose only reader is an ADD hands it the exact accumulator and the
 * ADD requantises once; nothing of the layer's output is committed. On a
 * model built in C with each shape of it:
 *   x [2][6][6] -> conv0 3x3 relu = a -> conv1 3x3 RAW -> Add(., a) relu
 *   = s -> conv2 1x1 RAW, conv3 1x1 RAW (both read s) -> Add(conv2, conv3)
 *   relu -> Flatten -> Linear 6 relu = h -> Linear 6 RAW -> Add(., h)
 * checks:
 *   (a) the honest proof verifies for a batch, public and private input,
 *       its output the integer executor's; no advice segment is laid out
 *       for a raw node;
 *   (b) single-byte changes of each raw node's proof are rejected;
 *   (c) a cheating witness at each raw node (one accumulator moved, at a
 *       real position and at a padding position; the ADD recomputes from
 *       it honestly) and at the ADD reading it is rejected;
 *   (d) a key whose raw node is read by a non-ADD, a raw last node, a raw
 *       node with a nonzero q_log, a raw accumulator wider than its bits
 *       and an ADD whose 32-bit raw input times its multiplier reaches
 *       2^62 are refused; a raw output one bit narrower than its exact bound is
 *       refused by the model check, and an activation as a raw LINEAR's
 *       bias counts with its whole range in the exact bound;
 *   (e) the quantiser on the exported tiny ResNet: raw layers by default,
 *       none with raw_residual = 0, both within cosine 0.99 of the float
 *       model and proven. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/rng.h"
#include "poly/mle.h"
#include "prover/seam.h"
#include "quant/quant.h"
#include "test.h"
#include "test_prove_util.h"
#include "test_attack_util.h"
#include "test_onnx_util.h"

#include "test_node_attack.h"

/* A raw conv k x k (pad k / 2) C -> OC: the accumulator as a `bits`-bit
 * output. */
static int raw_conv(zki_qmodel *m, zki_rng *g, int x, shape *s, int64_t OC, int64_t k, int bits, const char *name)
{
    int y = conv(m, g, x, s, OC, k, 0, name);
    zki_qnode *n = &m->nodes[m->n_nodes - 1];
    m->t[y].bits = bits;
    n->p[0] = 1, n->p[1] = 0, n->p[2] = -((int64_t)1 << (bits - 1)), n->p[3] = ((int64_t)1 << (bits - 1)) - 1;
    return y;
}

static int add2(zki_qmodel *m, int a, int b, int64_t Ma, int64_t Mb, int y, const char *name)
{
    zki_qnode *n = &m->nodes[zki_qmodel_add_node(m, ZKI_QOP_ADD, name)];
    n->n_in = 2, n->in[0] = a, n->in[1] = b, n->out = y, n->n_p = 5;
    n->p[0] = Ma, n->p[1] = Mb, n->p[2] = 16, n->p[3] = 0, n->p[4] = 127;
    return y;
}

static zki_qmodel *make_raw_model(zki_rng *g)
{
    zki_qmodel *m = calloc(1, sizeof(*m));
    int64_t d4[4] = {1, 2, 6, 6};
    int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 8, 4, d4, 1.0 / 127);
    m->n_inputs = 1;
    m->inputs[0] = x;
    shape s = {2, 6, 6};
    int a = conv(m, g, x, &s, 4, 3, 1, "conv0");
    int r1 = raw_conv(m, g, a, &s, 4, 3, 21, "conv1");
    int sum = add2(m, r1, a, 200, 30000, value_b(m, "s", s, 8), "add1");
    shape s2 = s, s3 = s;
    int r2 = raw_conv(m, g, sum, &s2, 4, 1, 19, "conv2");
    int r3 = raw_conv(m, g, sum, &s3, 4, 1, 19, "conv3");
    int sum2 = add2(m, r2, r3, 900, -700, value_b(m, "s2", s, 8), "add2");
    int h = add_flatten_linear(m, g, sum2, 4 * 6 * 6, 6);
    m->nodes[m->n_nodes - 1].p[2] = 0; /* relu */
    int64_t wd[2] = {6, 6}, bd[1] = {6}, yd[2] = {1, 6};
    int wt = add_const(m, g, "fc2.w", 8, 2, wd, -127, 255);
    int bt = add_const(m, g, "fc2.b", 32, 1, bd, -(1 << 12), 1 << 13);
    int rl = zki_qmodel_add_tensor(m, "fc2", ZKI_QT_VALUE, 19, 2, yd, 0.05);
    zki_qnode *n = &m->nodes[zki_qmodel_add_node(m, ZKI_QOP_LINEAR, "fc2")];
    n->n_in = 3, n->in[0] = h, n->in[1] = wt, n->in[2] = bt, n->out = rl, n->n_p = 4;
    n->p[0] = 1, n->p[1] = 0, n->p[2] = -(1 << 18), n->p[3] = (1 << 18) - 1;
    int y = add2(m, rl, h, 3000, 40000, zki_qmodel_add_tensor(m, "y", ZKI_QT_VALUE, 8, 2, yd, 0.05), "add3");
    m->n_outputs = 1;
    m->outputs[0] = y;
    CHECK_MSG(zki_qmodel_check(m) == ZKI_OK, "raw model check: %s", zki_last_error());
    return m;
}

static void test_proofs(zki_rng *g, zki_qmodel *m, const int64_t *X, uint32_t B)
{
    uint8_t *bytes = NULL;
    size_t blen = 0;
    zki_pk *pk = NULL;
    int honest = 0;
    int vs = seam_prove_verify(m, X, B, atk_seed_w, atk_seed_a, NULL, &honest, &bytes, &blen, &pk);
    CHECK_MSG(vs == ZKI_OK && honest, "honest proof: status %d, output %s", vs, honest ? "the executor's" : "wrong");
    if (vs != ZKI_OK || !pk) {
        free(bytes);
        zki_pk_free(pk);
        return;
    }
    const zki_dag *d = &pk->vk.dag;
    uint32_t raw[4], n_raw = 0;
    for (uint32_t j = 0; j < d->n_nodes; j++)
        if (zki_dag_raw(&d->nodes[j]) && n_raw < 4)
            raw[n_raw++] = j;
    CHECK_MSG(n_raw == 4, "%u raw nodes in the key, 4 expected", n_raw);
    /* nothing committed for a raw node: its output is an internal id */
    zki_advice_layout lay;
    if (zki_advice_layout_init(&lay, d, B, 0) == ZKI_OK) {
        for (uint32_t k = 0; k < n_raw; k++)
            CHECK_MSG(lay.seg_of[lay.out_id[raw[k]]] == ZKI_NONE, "raw node %u has an advice segment", raw[k]);
        zki_advice_layout_free(&lay);
    }
    printf("honest proof of %u nodes (%u raw), %zu bytes: verified\n", d->n_nodes, n_raw, blen);
    for (uint32_t k = 0; k < n_raw; k++)
        node_mutations(g, &pk->vk, X, B, bytes, blen, raw[k], "raw");
    free(bytes);
    for (uint32_t k = 0; k < n_raw; k++) {
        run_attack(m, X, B, raw[k], "raw", RAW);
        run_attack(m, X, B, raw[k], "raw", RAW | PAD);
    }
    /* the ADDs reading raw accumulators: their own forged sums */
    for (uint32_t j = 0; j < d->n_nodes; j++)
        if (d->nodes[j].kind == ZKI_NODE_ADD) {
            run_attack(m, X, B, j, "ADD of raw", ACC);
            run_attack(m, X, B, j, "ADD of raw", QUOT);
        }
    zki_pk_free(pk);
    /* one sample, private input */
    prove_round(g, m, X, 1, 1, atk_seed_w, atk_seed_a, NULL, NULL, 8, "raw model, private input");
}

/* The key checks on raw nodes (protocol/dag.c, walk.c): each change of an
 * honest key's DAG must be refused with a message naming it. */
static void test_key_checks(zki_qmodel *m)
{
    zki_pk *pk = NULL;
    CHECK(zki_setup(m, atk_seed_w, &pk) == ZKI_OK);
    if (!pk)
        return;
    zki_dag *d = &pk->vk.dag;
    uint32_t r = UINT32_MAX, reader = UINT32_MAX;
    for (uint32_t j = 0; j < d->n_nodes && r == UINT32_MAX; j++)
        if (zki_dag_raw(&d->nodes[j]))
            r = j;
    for (uint32_t j = r + 1; r != UINT32_MAX && j < d->n_nodes && reader == UINT32_MAX; j++)
        if (d->nodes[j].in[0] == r + 1 || d->nodes[j].in[1] == r + 1)
            reader = j;
    CHECK(r != UINT32_MAX && reader != UINT32_MAX);
    if (r == UINT32_MAX || reader == UINT32_MAX) {
        zki_pk_free(pk);
        return;
    }
    CHECK(zki_dag_check(d) == ZKI_OK);
    struct {
        const char *what, *msg;
    } cases[] = {{"reader made a CONCAT", "raw accumulator must be read by ADD"},
                 {"q_log 5", "quotient bits of a raw accumulator"},
                 {"M 2", "M of a raw accumulator"},
                 {"out_bits 33", "sizes out of range"},
                 {"clamp hi 127", "clamp hi of a raw accumulator"},
                 /* 2^31 - 1 times a 32-bit input and another: past 2^62, the
                  * ADD's unscaled relation (q_log at its cap) could wrap mod p */
                 {"32 bits, the ADD's multipliers 2^31 - 1", "reach 2^62"},
                 {"the last node (the nodes after it cut)", "raw accumulator cannot be the output"}};
    for (int c = 0; c < 7; c++) {
        uint32_t keep_n = d->n_nodes;
        zki_dag_node keep_r = d->nodes[r], keep_a = d->nodes[reader];
        if (c == 0)
            d->nodes[reader].kind = ZKI_NODE_CONCAT;
        else if (c == 1)
            d->nodes[r].q_log = 5;
        else if (c == 2)
            d->nodes[r].M = 2;
        else if (c == 3)
            d->nodes[r].out_bits = 33;
        else if (c == 4)
            d->nodes[r].hi = 127;
        else if (c == 6)
            d->n_nodes = r + 1;
        else {
            d->nodes[r].out_bits = 32;
            for (uint32_t i = 0; i < d->nodes[reader].n_in; i++)
                d->nodes[reader].mul[i] = (1ll << 31) - 1;
            d->nodes[reader].q_log = ZKI_DAG_MAX_Q_LOG;
        }
        zki_status st = zki_dag_check(d);
        CHECK_MSG(st == ZKI_ERR_INPUT && strstr(zki_last_error(), cases[c].msg),
                  "key with raw node %u, %s: status %d (%s)", r, cases[c].what, st, zki_last_error());
        d->nodes[r] = keep_r, d->nodes[reader] = keep_a, d->n_nodes = keep_n;
    }
    CHECK(zki_dag_check(d) == ZKI_OK);
    zki_pk_free(pk);
}

/* A raw output's bits against its exact bound (zki_qmodel_row_bound): the
 * least bits holding it pass the model check, one fewer is refused. */
static void test_narrow_raw(zki_rng *g)
{
    zki_qmodel *m = make_raw_model(g);
    zki_qnode *n = NULL;
    for (int i = 0; i < m->n_nodes && !n; i++)
        if (m->nodes[i].op == ZKI_QOP_CONV && m->nodes[i].p[1] == 0)
            n = &m->nodes[i];
    CHECK(n != NULL);
    if (n) {
        uint64_t tb = zki_qmodel_row_bound(m, n->in[1], n->in[2], m->t[n->in[0]].bits);
        int need = 2;
        while (((uint64_t)1 << (need - 1)) <= tb)
            need++;
        for (int bits = need; bits >= need - 1; bits--) {
            m->t[n->out].bits = bits;
            n->p[2] = -((int64_t)1 << (bits - 1)), n->p[3] = ((int64_t)1 << (bits - 1)) - 1;
            zki_status st = zki_qmodel_check(m);
            if (bits == need)
                CHECK_MSG(st == ZKI_OK, "raw output of %d bits for bound %llu: %s", bits, (unsigned long long)tb,
                          zki_last_error());
            else
                CHECK_MSG(st == ZKI_ERR_INPUT && strstr(zki_last_error(), "raw output"),
                          "raw output of %d bits for bound %llu: %d (%s)", bits, (unsigned long long)tb, st,
                          zki_last_error());
        }
    }
    zki_qmodel_free(m);
}

/* A raw LINEAR whose bias is an activation (no data): the exact bound
 * takes the bias's whole range, as the executor adds any value of it. */
static void test_raw_value_bias(zki_rng *g)
{
    zki_qmodel *m = make_raw_model(g);
    zki_qnode *n = NULL;
    for (int i = 0; i < m->n_nodes && !n; i++)
        if (m->nodes[i].op == ZKI_QOP_LINEAR && m->nodes[i].p[1] == 0)
            n = &m->nodes[i];
    CHECK(n != NULL);
    if (n) {
        int xb = m->t[n->in[0]].bits;
        uint64_t none = zki_qmodel_row_bound(m, n->in[1], -1, xb);
        /* its input h: an activation of the bias's size */
        uint64_t act = zki_qmodel_row_bound(m, n->in[1], n->in[0], xb);
        CHECK_MSG(act == none + ((uint64_t)1 << (xb - 1)), "raw bound with an activation bias %llu, without "
                  "%llu", (unsigned long long)act, (unsigned long long)none);
    }
    zki_qmodel_free(m);
}

/* The exported tiny ResNet compiled both ways. */
static void test_quantiser(void)
{
    zki_graph *gr = NULL;
    zki_host_tensor *cal = NULL;
    int ns = 0;
    CHECK_MSG(zki_onnx_load_file(tdata("resnet_tiny.onnx"), &gr) == ZKI_OK, "resnet_tiny: %s", zki_last_error());
    if (!gr || zki_calib_load(gr, tdata("resnet_tiny_calib.npy"), &cal, &ns) != ZKI_OK) {
        CHECK_MSG(0, "resnet_tiny calibration: %s", zki_last_error());
        zki_graph_free(gr);
        return;
    }
    for (int raw = 1; raw >= 0; raw--) {
        zki_quant_opts o;
        zki_quant_opts_default(&o);
        o.raw_residual = raw;
        zki_qmodel *m = NULL;
        zki_accuracy acc;
        CHECK(zki_quantize(gr, cal, ns, &o, &m) == ZKI_OK);
        if (!m)
            continue;
        int n_raw = 0;
        for (int i = 0; i < m->n_nodes; i++)
            n_raw += zki_qnode_raw(&m->nodes[i]);
        CHECK(zki_quant_accuracy(gr, m, cal, ns, &acc) == ZKI_OK);
        printf("resnet_tiny, raw_residual %d: %d raw layers, cosine mean %.5f min %.5f\n", raw, n_raw,
               acc.cos_mean, acc.cos_min);
        CHECK_MSG(raw ? n_raw >= 2 : n_raw == 0, "raw_residual %d: %d raw layers", raw, n_raw);
        CHECK_MSG(acc.cos_min >= 0.99, "raw_residual %d: cosine %.5f", raw, acc.cos_min);
        int64_t *X = NULL;
        int honest = 0;
        if (zki_quant_input(m, 0, &cal[0], &X) == ZKI_OK) {
            int vs = seam_prove_verify(m, X, 1, atk_seed_w, atk_seed_a, NULL, &honest, NULL, NULL, NULL);
            CHECK_MSG(vs == ZKI_OK && honest, "resnet_tiny raw_residual %d: proof status %d", raw, vs);
        }
        free(X);
        zki_qmodel_free(m);
    }
    zki_samples_free(cal, ns);
    zki_graph_free(gr);
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 77);
    zki_qmodel *m = make_raw_model(&g);
    const uint32_t B = 2;
    int64_t K = zki_qnumel(&m->t[m->inputs[0]]);
    int64_t *X = malloc(sizeof(int64_t) * (size_t)(B * K));
    for (int64_t i = 0; i < B * K; i++)
        X[i] = (int64_t)zki_rng_below(&g, 256) - 128;
    test_proofs(&g, m, X, B);
    test_key_checks(m);
    test_narrow_raw(&g);
    test_raw_value_bias(&g);
    test_quantiser();
    free(X);
    zki_qmodel_free(m);
    return TEST_SUMMARY();
}
