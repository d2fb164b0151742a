/* Graph passes on graphs built through the IR API: Div by a constant becomes
 * Mul by its reciprocal, Identity before an output is removed, a Mul, Add or
 * Sub of a map and a per-channel constant becomes a depthwise 1x1 Conv
 * (and a scalar or full-shape constant does not), a PRelu with a slope per
 * channel becomes Relu plus a depthwise conv of the negative part, a fully
 * constant graph folds to a constant, and a dynamic Reshape is a clear error.
 * LSTM and GRU layers exported by torch (tests/data/rnn_*, written by
 * tools/make_rnn_fixtures.py) are unrolled into feed-forward nodes whose
 * float output matches torch's and whose quantised output stays close to it;
 * the steps' tensors of one role share one calibrated range (a range tie)
 * and one scale; bidirectional and reverse layers are refused. Split, Resize, ReduceSum,
 * ReduceMax and Expand of activations run and quantise (tests/data/ops_move).
 * A BatchNormalization with a NaN or infinite channel is refused by name
 * before its folding would hide it in the Conv's weights. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graph/passes.h"
#include "graph/refusals.h"
#include "quant/npy.h"
#include "quant/quant.h"
#include "test.h"
#include "test_onnx_util.h"

static int add_const(zki_graph *g, const char *name, int rank, const int64_t *dims, const float *f)
{
    int t = zki_graph_add_tensor(g, name, ZKI_T_CONST, ZKI_ET_FLOAT);
    int64_t n = zki_shape_numel(rank, dims);
    float *d = malloc(sizeof(float) * (size_t)n);
    memcpy(d, f, sizeof(float) * (size_t)n);
    zki_tensor_set_const(&g->t[t], rank, dims, d, NULL);
    return t;
}

/* A new graph (opset 13) with one float input of the given shape; the
 * caller adds nodes and outputs (room for one output). */
static zki_graph *graph_with_input(int rank, const int64_t *dims, int *x)
{
    zki_graph *g = zki_graph_new();
    g->opset = 13;
    g->inputs = malloc(sizeof(int));
    g->outputs = malloc(sizeof(int));
    *x = zki_graph_add_tensor(g, "x", ZKI_T_INPUT, ZKI_ET_FLOAT);
    g->t[*x].rank = rank;
    memcpy(g->t[*x].dims, dims, sizeof(int64_t) * (size_t)rank);
    g->t[*x].shape_known = 1;
    g->inputs[g->n_inputs++] = *x;
    return g;
}

static zki_graph *div_identity_graph(void)
{
    int64_t xd[2] = {2, 3};
    int x;
    zki_graph *g = graph_with_input(2, xd, &x);
    int64_t cd[1] = {3};
    float cv[3] = {2, 4, 8};
    int c = add_const(g, "c", 1, cd, cv);
    int d = zki_graph_add_tensor(g, "d", ZKI_T_VALUE, 0);
    int y = zki_graph_add_tensor(g, "y", ZKI_T_VALUE, 0);
    int n0 = zki_graph_add_node(g, ZKI_OP_DIV, "div", 2, 1);
    g->nodes[n0].in[0] = x;
    g->nodes[n0].in[1] = c;
    g->nodes[n0].out[0] = d;
    g->t[d].producer = n0;
    int n1 = zki_graph_add_node(g, ZKI_OP_IDENTITY, "id", 1, 1);
    g->nodes[n1].in[0] = d;
    g->nodes[n1].out[0] = y;
    g->t[y].producer = n1;
    g->outputs[g->n_outputs++] = y;
    return g;
}

static void test_div_identity(void)
{
    zki_graph *g = div_identity_graph();
    CHECK(zki_graph_prepare(g) == ZKI_OK);
    CHECK(g->n_nodes == 1);
    CHECK(g->nodes[0].op == ZKI_OP_MUL);
    CHECK(g->t[g->outputs[0]].rank == 2 && g->t[g->outputs[0]].dims[1] == 3);
    zki_host_tensor in = {ZKI_ET_FLOAT, 2, {2, 3}, NULL, NULL};
    float xv[6] = {1, 2, 3, -4, 5, 6};
    in.f = xv;
    zki_buf *v;
    CHECK(zki_exec_float(g, &in, 1, &v) == ZKI_OK);
    const float want[6] = {0.5f, 0.5f, 0.375f, -2.0f, 1.25f, 0.75f};
    int same = 1;
    for (int k = 0; k < 6; k++)
        same &= v[g->outputs[0]].f[k] == want[k];
    CHECK(same);
    zki_exec_free(g, v);
    char buf[2048];
    zki_graph_summary(g, buf, sizeof buf);
    CHECK(strstr(buf, "Mul") && strstr(buf, "input  x"));
    in.dims[1] = 4; /* wrong element count */
    CHECK(zki_exec_float(g, &in, 1, &v) == ZKI_ERR_INPUT);
    zki_graph_free(g);
}

/* x [1, 2, 2, 2] op c -> y, c of shape cd (the constant first when
 * const_first). */
static zki_graph *chan_graph_n(int op, int64_t batch, int crank, const int64_t *cd, const float *cv,
                               int const_first);
static zki_graph *chan_graph(int op, int crank, const int64_t *cd, const float *cv, int const_first)
{
    return chan_graph_n(op, 1, crank, cd, cv, const_first);
}

/* x [batch, 2, 2, 2] op c -> y */
static zki_graph *chan_graph_n(int op, int64_t batch, int crank, const int64_t *cd, const float *cv,
                               int const_first)
{
    zki_graph *g = zki_graph_new();
    g->opset = 13;
    g->inputs = malloc(sizeof(int));
    g->outputs = malloc(sizeof(int));
    int x = zki_graph_add_tensor(g, "x", ZKI_T_INPUT, ZKI_ET_FLOAT);
    g->t[x].rank = 4;
    for (int a = 0; a < 4; a++)
        g->t[x].dims[a] = a == 0 ? batch : 2;
    g->t[x].shape_known = 1;
    g->inputs[g->n_inputs++] = x;
    int c = add_const(g, "c", crank, cd, cv);
    int y = zki_graph_add_tensor(g, "y", ZKI_T_VALUE, 0);
    int n = zki_graph_add_node(g, op, "op", 2, 1);
    g->nodes[n].in[0] = const_first ? c : x;
    g->nodes[n].in[1] = const_first ? x : c;
    g->nodes[n].out[0] = y;
    g->t[y].producer = n;
    g->outputs[g->n_outputs++] = y;
    return g;
}

/* Per-channel Mul, Add, Sub (either order) of a map become a depthwise 1x1
 * Conv computing the same values; a scalar or a full-shape constant stays. */
static void test_channel_affine(void)
{
    const float xv[8] = {1, -2, 3, 4, -5, 6, 7, 0.5f}, cv[8] = {2, -3, 1, 1, 1, 1, 1, 1};
    const int64_t c3[3] = {2, 1, 1}, c4[4] = {1, 2, 1, 1}, c1[1] = {1}, full[3] = {2, 2, 2};
    struct {
        int op, crank;
        const int64_t *cd;
        int const_first, conv;
        float want[8];
    } cases[] = {
        {ZKI_OP_MUL, 3, c3, 0, 1, {2, -4, 6, 8, 15, -18, -21, -1.5f}},
        {ZKI_OP_MUL, 4, c4, 1, 1, {2, -4, 6, 8, 15, -18, -21, -1.5f}},
        {ZKI_OP_ADD, 4, c4, 0, 1, {3, 0, 5, 6, -8, 3, 4, -2.5f}},
        {ZKI_OP_SUB, 3, c3, 0, 1, {-1, -4, 1, 2, -2, 9, 10, 3.5f}},
        {ZKI_OP_SUB, 3, c3, 1, 1, {1, 4, -1, -2, 2, -9, -10, -3.5f}},
        {ZKI_OP_MUL, 1, c1, 0, 0, {2, -4, 6, 8, -10, 12, 14, 1}},
        {ZKI_OP_ADD, 3, full, 0, 0, {3, -5, 4, 5, -4, 7, 8, 1.5f}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        zki_graph *g = chan_graph(cases[k].op, cases[k].crank, cases[k].cd, cv, cases[k].const_first);
        CHECK(zki_graph_prepare(g) == ZKI_OK);
        int is_conv = g->n_nodes == 1 && g->nodes[0].op == ZKI_OP_CONV;
        CHECK_MSG(is_conv == cases[k].conv, "channel affine case %zu: conv %d, want %d", k, is_conv,
                  cases[k].conv);
        zki_host_tensor in = {ZKI_ET_FLOAT, 4, {1, 2, 2, 2}, NULL, NULL};
        in.f = (float *)xv;
        zki_buf *v = NULL;
        int ran = zki_exec_float(g, &in, 1, &v) == ZKI_OK, same = ran;
        for (int j = 0; same && j < 8; j++)
            same = v[g->outputs[0]].f[j] == cases[k].want[j];
        if (ran)
            zki_exec_free(g, v);
        CHECK_MSG(same, "channel affine case %zu: float output differs", k);
        zki_graph_free(g);
    }
}

/* A PRelu with a slope per channel of a map becomes Neg, Relu, Conv, Relu,
 * Add (in that order, before its readers) computing the same values. */
static void test_prelu_channels(void)
{
    const float xv[8] = {1, -2, 3, -4, -5, 6, -7, 0.5f}, av[2] = {0.25f, -2};
    const int64_t ad[3] = {2, 1, 1};
    zki_graph *g = chan_graph(ZKI_OP_PRELU, 3, ad, av, 0);
    CHECK(zki_graph_prepare(g) == ZKI_OK);
    static const int want_ops[5] = {ZKI_OP_NEG, ZKI_OP_RELU, ZKI_OP_CONV, ZKI_OP_RELU, ZKI_OP_ADD};
    int ops_ok = g->n_nodes == 5;
    for (int i = 0; ops_ok && i < 5; i++)
        ops_ok = g->nodes[i].op == want_ops[i];
    CHECK_MSG(ops_ok, "per-channel PRelu: %d nodes, not Neg Relu Conv Relu Add", g->n_nodes);
    zki_host_tensor in = {ZKI_ET_FLOAT, 4, {1, 2, 2, 2}, NULL, NULL};
    in.f = (float *)xv;
    zki_buf *v = NULL;
    int ran = zki_exec_float(g, &in, 1, &v) == ZKI_OK, same = ran;
    for (int j = 0; same && j < 8; j++)
        same = v[g->outputs[0]].f[j] == (xv[j] >= 0 ? xv[j] : av[j / 4] * xv[j]);
    if (ran)
        zki_exec_free(g, v);
    CHECK_MSG(same, "per-channel PRelu: float output differs");
    zki_graph_free(g);
    /* one slope: left to the quantiser (one table) */
    const int64_t one[1] = {1};
    g = chan_graph(ZKI_OP_PRELU, 1, one, av, 0);
    CHECK(zki_graph_prepare(g) == ZKI_OK);
    CHECK(g->n_nodes == 1 && g->nodes[0].op == ZKI_OP_PRELU);
    zki_graph_free(g);
}

/* A batch of 2: the per-channel constant still reads the channel axis; a
 * rank-1 [C] or rank-2 [C,1] constant aligns with W or H (numpy), so it is
 * not per channel (C = H = W = 2 here, the trap) and stays an elementwise
 * op computing the broadcast along its own axis. */
static void test_channel_affine_broadcast(void)
{
    float xv[16], cv[2] = {2, -3};
    for (int k = 0; k < 16; k++)
        xv[k] = (float)(k % 7) - 3.0f + 0.5f * (float)(k / 8);
    const int64_t c3[3] = {2, 1, 1}, c1[1] = {2}, c2[2] = {2, 1};
    struct {
        int op, crank;
        const int64_t *cd;
        int conv, axis; /* the map axis the constant's values run along */
    } cases[] = {
        {ZKI_OP_MUL, 3, c3, 1, 1}, {ZKI_OP_SUB, 3, c3, 1, 1}, {ZKI_OP_MUL, 1, c1, 0, 3},
        {ZKI_OP_ADD, 1, c1, 0, 3}, {ZKI_OP_MUL, 2, c2, 0, 2}, {ZKI_OP_PRELU, 3, c3, 0, 1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        zki_graph *g = chan_graph_n(cases[k].op, 2, cases[k].crank, cases[k].cd, cv, 0);
        CHECK_MSG(zki_graph_prepare(g) == ZKI_OK, "broadcast case %zu: %s", k, zki_last_error());
        int convs = 0;
        for (int i = 0; i < g->n_nodes; i++)
            convs += g->nodes[i].op == ZKI_OP_CONV;
        if (cases[k].op != ZKI_OP_PRELU)
            CHECK_MSG((convs > 0) == cases[k].conv, "broadcast case %zu: %d convs", k, convs);
        zki_host_tensor in = {ZKI_ET_FLOAT, 4, {2, 2, 2, 2}, NULL, NULL};
        in.f = xv;
        zki_buf *v = NULL;
        int ran = zki_exec_float(g, &in, 1, &v) == ZKI_OK, same = ran;
        for (int j = 0; same && j < 16; j++) {
            int idx[4] = {j / 8, (j / 4) % 2, (j / 2) % 2, j % 2};
            float c = cv[idx[cases[k].axis]], x = xv[j], want;
            switch (cases[k].op) {
            case ZKI_OP_MUL: want = x * c; break;
            case ZKI_OP_ADD: want = x + c; break;
            case ZKI_OP_SUB: want = x - c; break;
            default: want = x >= 0 ? x : c * x; break;
            }
            same = v[g->outputs[0]].f[j] == want;
            if (!same)
                printf("  broadcast case %zu: y[%d] = %g, want %g\n", k, j, v[g->outputs[0]].f[j], want);
        }
        if (ran)
            zki_exec_free(g, v);
        CHECK_MSG(same, "broadcast case %zu: float output differs from numpy broadcasting", k);
        zki_graph_free(g);
    }
}

/* x[1,2,4,4] -> Conv (3 output channels, 1x1) -> BatchNormalization with
 * var (or mean) given: the BN folds into the Conv, or is refused by name
 * when a channel's scale or shift is not finite. */
static zki_status conv_bn_prepare(const float *mean, const float *var)
{
    int64_t xd[4] = {1, 2, 4, 4};
    int x;
    zki_graph *g = graph_with_input(4, xd, &x);
    int64_t wd[4] = {3, 2, 1, 1}, cd[1] = {3};
    float wv[6] = {0.5f, -1, 2, 0.25f, 1, -0.5f}, ones[3] = {1, 1, 1}, zeros[3] = {0, 0, 0};
    int w = add_const(g, "w", 4, wd, wv);
    int sc = add_const(g, "scale", 1, cd, ones), bb = add_const(g, "B", 1, cd, zeros);
    int mu = add_const(g, "mean", 1, cd, mean), va = add_const(g, "var", 1, cd, var);
    int c = zki_graph_add_tensor(g, "c", ZKI_T_VALUE, 0), y = zki_graph_add_tensor(g, "y", ZKI_T_VALUE, 0);
    int n0 = zki_graph_add_node(g, ZKI_OP_CONV, "conv", 2, 1);
    g->nodes[n0].in[0] = x;
    g->nodes[n0].in[1] = w;
    g->nodes[n0].out[0] = c;
    g->t[c].producer = n0;
    int n1 = zki_graph_add_node(g, ZKI_OP_BATCHNORM, "bn", 5, 1);
    int bin[5] = {c, sc, bb, mu, va};
    memcpy(g->nodes[n1].in, bin, sizeof bin);
    g->nodes[n1].out[0] = y;
    g->t[y].producer = n1;
    g->outputs[g->n_outputs++] = y;
    zki_status st = zki_graph_prepare(g);
    zki_graph_free(g);
    return st;
}

static void test_bn_nonfinite(void)
{
    float mean[3] = {0, 0.5f, 0}, var[3] = {1, 2, 0.5f};
    CHECK_MSG(conv_bn_prepare(mean, var) == ZKI_OK, "%s", zki_last_error());
    var[1] = NAN;
    CHECK(conv_bn_prepare(mean, var) == ZKI_ERR_INPUT);
    CHECK_MSG(strstr(zki_last_error(), "node 'bn' (BatchNormalization): channel 1's scale or shift is NaN"),
              "%s", zki_last_error());
    var[1] = -4; /* var + epsilon < 0 */
    CHECK(conv_bn_prepare(mean, var) == ZKI_ERR_INPUT && strstr(zki_last_error(), "var + epsilon > 0"));
    var[1] = 2;
    mean[2] = INFINITY;
    CHECK(conv_bn_prepare(mean, var) == ZKI_ERR_INPUT);
    CHECK_MSG(strstr(zki_last_error(), "channel 2's scale or shift is infinite"), "%s", zki_last_error());
}

static void test_dynamic_reshape(void)
{
    zki_graph *g = zki_graph_new();
    g->opset = 13;
    g->inputs = malloc(sizeof(int) * 2);
    g->outputs = malloc(sizeof(int));
    int x = zki_graph_add_tensor(g, "x", ZKI_T_INPUT, ZKI_ET_FLOAT);
    int s = zki_graph_add_tensor(g, "shape", ZKI_T_INPUT, ZKI_ET_INT64);
    g->t[x].rank = 1;
    g->t[x].dims[0] = 6;
    g->t[x].shape_known = 1;
    g->t[s].rank = 1;
    g->t[s].dims[0] = 2;
    g->t[s].shape_known = 1;
    g->inputs[g->n_inputs++] = x;
    g->inputs[g->n_inputs++] = s;
    int y = zki_graph_add_tensor(g, "y", ZKI_T_VALUE, 0);
    int n0 = zki_graph_add_node(g, ZKI_OP_RESHAPE, "reshape_dyn", 2, 1);
    g->nodes[n0].in[0] = x;
    g->nodes[n0].in[1] = s;
    g->nodes[n0].out[0] = y;
    g->outputs[g->n_outputs++] = y;
    CHECK(zki_graph_prepare(g) == ZKI_ERR_UNSUPPORTED);
    const char *m = zki_last_error();
    CHECK_MSG(strstr(m, "reshape_dyn") && strstr(m, "Reshape") && strstr(m, "opset 13"), "%s", m);
    zki_graph_free(g);
}

static void test_all_constant(void)
{
    /* Concat of two constants then Gemm with a constant: folds completely */
    zki_graph *g = zki_graph_new();
    g->opset = 13;
    g->outputs = malloc(sizeof(int));
    int64_t d12[2] = {1, 2}, d22[2] = {2, 2};
    float a[2] = {1, 2}, w[4] = {1, 0, 0, 1};
    int ca = add_const(g, "a", 2, d12, a), cw = add_const(g, "w", 2, d22, w);
    int y = zki_graph_add_tensor(g, "y", ZKI_T_VALUE, 0);
    int n0 = zki_graph_add_node(g, ZKI_OP_GEMM, "gemm", 2, 1);
    g->nodes[n0].in[0] = ca;
    g->nodes[n0].in[1] = cw;
    g->nodes[n0].out[0] = y;
    g->outputs[g->n_outputs++] = y;
    CHECK(zki_graph_prepare(g) == ZKI_OK);
    CHECK(g->n_nodes == 0);
    const zki_tensor *t = &g->t[g->outputs[0]];
    CHECK(t->kind == ZKI_T_CONST && t->f && t->f[0] == 1 && t->f[1] == 2);
    zki_graph_free(g);
}

static double cosine(const float *a, const float *b, int64_t n)
{
    double ab = 0, aa = 0, bb = 0;
    for (int64_t k = 0; k < n; k++) {
        ab += (double)a[k] * b[k];
        aa += (double)a[k] * a[k];
        bb += (double)b[k] * b[k];
    }
    return aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 0;
}

/* name without its step segment "/t<k>" (the layer and role stay); 0 when
 * it has none (e.g. Y_h, the last step's h under the layer's output name). */
static int untimed(const char *name, char *out, size_t cap)
{
    const char *p = name;
    while ((p = strstr(p, "/t")) && !(p[2] >= '0' && p[2] <= '9'))
        p++;
    if (!p)
        return 0;
    snprintf(out, cap, "%.*s%s", (int)(p - name), name, p + 2 + strspn(p + 2, "0123456789"));
    return 1;
}

/* An unrolled graph's step tensors of one layer and role share one range
 * tie and no two of other roles do; the quantised model gives a tie's
 * tensors one scale. Returns the number of tied tensors. */
static int check_ties(const zki_graph *g, const zki_qmodel *m, const char *fx)
{
    int tied = 0, roles = 0, scales = 0;
    char ua[300], ub[300];
    for (int a = 0; a < g->n_tensors; a++) {
        tied += g->t[a].range_tie > 0;
        for (int b = a + 1; untimed(g->t[a].name, ua, sizeof ua) && b < g->n_tensors; b++)
            if (untimed(g->t[b].name, ub, sizeof ub))
                roles += (g->t[a].range_tie && !strcmp(ua, ub)) != (g->t[a].range_tie == g->t[b].range_tie);
    }
    CHECK_MSG(roles == 0, "%s: %d step tensor pairs tied across roles or untied within one", fx, roles);
    for (int a = 0; m && a < m->n_t; a++) {
        int ia = zki_graph_find(g, m->t[a].name);
        for (int b = a + 1; ia >= 0 && g->t[ia].range_tie && b < m->n_t; b++) {
            int ib = zki_graph_find(g, m->t[b].name);
            scales += ib >= 0 && g->t[ib].range_tie == g->t[ia].range_tie && m->t[a].scale != m->t[b].scale;
        }
    }
    CHECK_MSG(scales == 0, "%s: %d pairs of tied tensors quantised at different scales", fx, scales);
    return tied;
}

/* An exported model NAME: its float graph reproduces the expected output to
 * 1e-4, and the model quantised on NAME_calib.npy gives a dequantised output
 * of cosine >= 0.99 with it. A recurrent one (want_matmuls >= 0) has no
 * LSTM/GRU left after import, and that many MatMuls. */
static void check_fixture(const char *name, int want_matmuls)
{
    char f[4][128];
    snprintf(f[0], sizeof f[0], "%s.onnx", name);
    snprintf(f[1], sizeof f[1], "%s_x.npy", name);
    snprintf(f[2], sizeof f[2], "%s_y.npy", name);
    snprintf(f[3], sizeof f[3], "%s_calib.npy", name);
    zki_graph *g = NULL;
    zki_status st = zki_onnx_load_file(tdata(f[0]), &g);
    CHECK_MSG(st == ZKI_OK, "%s: %s", name, zki_last_error());
    if (st != ZKI_OK)
        return;
    if (want_matmuls >= 0) {
        CHECK(graph_count_op(g, ZKI_OP_LSTM) == 0 && graph_count_op(g, ZKI_OP_GRU) == 0);
        CHECK(graph_count_op(g, ZKI_OP_EXPAND) == 0); /* the initial-state Expand folded away */
        CHECK_MSG(graph_count_op(g, ZKI_OP_MATMUL) == want_matmuls, "%s: %d MatMul", name,
                  graph_count_op(g, ZKI_OP_MATMUL));
    }
    zki_host_tensor x = {0}, y = {0};
    CHECK(zki_npy_read(tdata(f[1]), &x) == ZKI_OK && zki_npy_read(tdata(f[2]), &y) == ZKI_OK);
    zki_buf *v = NULL;
    st = x.f && y.f ? zki_exec_float(g, &x, 1, &v) : ZKI_ERR_INPUT;
    CHECK_MSG(st == ZKI_OK, "%s: %s", name, zki_last_error());
    int64_t n = zki_host_tensor_numel(&y);
    if (st == ZKI_OK) {
        const zki_tensor *o = &g->t[g->outputs[0]];
        double err = zki_tensor_numel(o) == n ? 0 : 1e30;
        for (int64_t k = 0; k < n && err < 1e30; k++)
            err = fmax(err, fabs((double)v[g->outputs[0]].f[k] - y.f[k]));
        CHECK_MSG(err <= 1e-4, "%s: float output differs from torch by %g", name, err);
        zki_exec_free(g, v);
    }
    zki_host_tensor *cal = NULL;
    int ncal = 0;
    zki_qmodel *m = NULL;
    CHECK(zki_calib_load(g, tdata(f[3]), &cal, &ncal) == ZKI_OK && ncal == 8);
    st = cal ? zki_quantize(g, cal, ncal, NULL, &m) : ZKI_ERR_INPUT;
    CHECK_MSG(st == ZKI_OK, "%s quantise: %s", name, zki_last_error());
    float *q = NULL;
    int64_t nq = 0;
    if (m && y.f) {
        st = zki_qrun_float_io(m, &x, &q, &nq);
        CHECK_MSG(st == ZKI_OK, "%s qrun: %s", name, zki_last_error());
        double c = nq == n ? cosine(q, y.f, n) : 0;
        CHECK_MSG(c >= 0.99, "%s: quantised output cosine %.5f with torch", name, c);
    }
    int tied = check_ties(g, m, name);
    CHECK_MSG((tied > 0) == (want_matmuls >= 0), "%s: %d tensors in range ties", name, tied);
    free(q);
    zki_qmodel_free(m);
    zki_samples_free(cal, ncal);
    zki_host_tensor_clear(&x);
    zki_host_tensor_clear(&y);
    zki_graph_free(g);
}

static void test_recurrent(void)
{
    /* MatMuls (T = 6): one input projection per gate, step and layer (the
     * zero state's first step uses no forget gate) and one recurrent
     * product per gate, layer and step after a zero state's first; a
     * product with a constant state is one by a diagonal matrix: a GRU's
     * r * (h R_h + Rb_h) at the first step (also of a zero state: Rb_h),
     * z * h0, and r * h0 of linear_before_reset 0 */
    check_fixture("rnn_lstm", 4 * 6 - 1 + 4 * 5);
    check_fixture("rnn_gru", 3 * 6 + 3 * 5 + 1);
    check_fixture("rnn_lstm2", 2 * (4 * 6 + 4 * 6));
    check_fixture("rnn_gru2", 2 * (3 * 6 + 3 * 5 + 2));
    /* a constant state folds h R^T into the first step's biases, except
     * (r*h0) R_h of a GRU with linear_before_reset 0, which needs r */
    check_fixture("rnn_gru_lbr0", 3 * 6 + 3 * 5 + 1 + 2);
    /* an LSTM's constant c0: f * c0 by a diagonal */
    check_fixture("rnn_lstm_c0", 4 * 6 + 4 * 5 + 1);
    const char *refused[2][2] = {{"rnn_bidir.onnx", "bidirectional"}, {"rnn_reverse.onnx", "reverse"}};
    for (int k = 0; k < 2; k++) {
        zki_graph *g = NULL;
        CHECK(zki_onnx_load_file(tdata(refused[k][0]), &g) == ZKI_ERR_UNSUPPORTED && !g);
        const char *e = zki_last_error();
        CHECK_MSG(strstr(e, refused[k][1]) && strstr(e, "/rnn/") && strstr(e, "forward"), "%s", e);
    }
}

/* Split, Resize, ReduceSum, ReduceMax and Expand on activations (torch's
 * export, tools/make_op_fixtures.py): imported (the Expand's shape,
 * computed by ConstantOfShape / Equal / Where, folds), run in float and
 * quantised onto Slice, Gather, Mean, MaxPool and Reshape. */
static void test_move_ops(void)
{
    zki_graph *g = NULL;
    CHECK(zki_onnx_load_file(tdata("ops_move.onnx"), &g) == ZKI_OK);
    if (g) {
        static const int ops[5] = {ZKI_OP_SPLIT, ZKI_OP_RESIZE, ZKI_OP_REDUCESUM, ZKI_OP_REDUCEMAX, ZKI_OP_EXPAND};
        for (int k = 0; k < 5; k++)
            CHECK_MSG(graph_count_op(g, ops[k]) == 1, "%s", zki_op_name(ops[k]));
        CHECK(graph_count_op(g, ZKI_OP_CONSTANTOFSHAPE) == 0 && graph_count_op(g, ZKI_OP_EQUAL) == 0);
        zki_graph_free(g);
    }
    check_fixture("ops_move", -1);
}

/* A refusal names at most three nodes, each whole: a long name that does
 * not fit is left out for ", ...", never cut. */
static void test_refusal_names(void)
{
    zki_refusals r = {0};
    const char *nm[3] = {"/features/features.0/features.0.2/HardSigmoid",
                         "/features/features.1/block/block.1/scale_activation/HardSigmoid",
                         "/features/features.2/block/block.1/scale_activation/HardSigmoid"};
    for (int k = 0; k < 3; k++)
        zki_refusals_add(&r, "HardSigmoid", nm[k], "no such operator");
    CHECK(zki_refusals_fail(&r, ZKI_ERR_UNSUPPORTED) == ZKI_ERR_UNSUPPORTED);
    const char *e = zki_last_error();
    CHECK_MSG(strstr(e, "HardSigmoid x3 (nodes /features/features.0/features.0.2/HardSigmoid, "
                        "/features/features.1/block/block.1/scale_activation/HardSigmoid, ...): no such operator"),
              "%s", e);
}

int main(void)
{
    test_refusal_names();
    test_div_identity();
    test_bn_nonfinite();
    test_channel_affine();
    test_prelu_channels();
    test_channel_affine_broadcast();
    test_dynamic_reshape();
    test_all_constant();
    test_recurrent();
    test_move_ops();
    return TEST_SUMMARY();
}
