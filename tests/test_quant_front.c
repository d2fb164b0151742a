/* Front-end ops that real torchvision models need:
 *   - element-wise functions as lookup tables (HardSigmoid, HardSwish, Exp,
 *     Log, Reciprocal, Softplus, Elu, Selu, Celu, Mish, Softsign, Neg, Abs,
 *     PRelu with one slope, LeakyRelu, Swish): every entry of the 256-entry table is
 *     within one output step of a reference written here (not the library's
 *     function), with +-inf clamped to the range's end and NaN as 0; the
 *     float kernel agrees with the same reference; a per-channel PRelu is
 *     refused naming the slope;
 *   - Sub of two activations is an ADD with a negative multiplier, Div by a
 *     scalar constant a REQUANT, Div of two activations refused clearly;
 *   - x * HardSigmoid(x) (alpha 1/6: torch's hardswish at opset 13) becomes
 *     a HardSwish, x * Sigmoid(x) (SiLU) a Swish, a one-input Concat
 *     (DenseNet) disappears;
 *   - a BatchNormalization no Conv absorbs becomes a depthwise 1x1 Conv
 *     (group = C) with the same float output, and a depthwise Conv takes
 *     int16 weights (a BN channel of variance 1e-4 costs the others nothing);
 *     the DenseNet-style fixture
 *     bn_block.onnx (tools/export_front_tiny.py) matches torch in float and
 *     within quantisation error in integers;
 *   - a Concat of 96 inputs quantises, round-trips through .zkm and runs;
 *     97 are refused;
 *   - MaxPool(ceil_mode=1) (pool_ceil.onnx, SqueezeNet-style) becomes a
 *     MAXPOOL with extra end padding; `zkinfer compile`, `run` agree with
 *     torch, and `prove` / `verify` accept it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "graph/passes.h"
#include "quant/npy.h"
#include "quant/quant.h"
#include "test.h"
#include "test_cli_util.h"
#include "test_onnx_util.h"
#include "test_tmpdir.h"

/* ---- graphs through the IR API ---------------------------------------- */

static zki_graph *new_graph(int rank, const int64_t *dims, int *x)
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

static int add_node(zki_graph *g, int op, const char *name, const int *in, int n_in, const char *out)
{
    int y = zki_graph_add_tensor(g, out, ZKI_T_VALUE, 0);
    int n = zki_graph_add_node(g, op, name, n_in, 1);
    for (int k = 0; k < n_in; k++)
        g->nodes[n].in[k] = in[k];
    g->nodes[n].out[0] = y;
    g->t[y].producer = n;
    return y;
}

static void set_float_attr(zki_graph *g, int node, const char *name, double v)
{
    zki_node *n = &g->nodes[node];
    zki_attr *a = realloc(n->attr, sizeof(zki_attr) * (size_t)(n->n_attr + 1));
    if (!a)
        return;
    n->attr = a;
    a = &n->attr[n->n_attr++];
    memset(a, 0, sizeof *a);
    a->name = malloc(strlen(name) + 1);
    strcpy(a->name, name);
    a->type = ZKI_A_FLOAT;
    a->f = v;
}

static int const_f(zki_graph *g, const char *name, int rank, const int64_t *dims, const float *v)
{
    int64_t n = zki_shape_numel(rank, dims);
    float *f = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
    memcpy(f, v, sizeof(float) * (size_t)n);
    int t = zki_graph_add_tensor(g, name, ZKI_T_CONST, ZKI_ET_FLOAT);
    zki_tensor_set_const(&g->t[t], rank, dims, f, NULL);
    return t;
}

/* ns samples of x[1, W]: sample s, element e = lo + (hi - lo) * (s*W + e) / (ns*W - 1) */
#define W 64
#define NS 4
static float sbuf[NS][W];
static zki_host_tensor samples[NS];
static void make_samples(double lo, double hi)
{
    for (int s = 0; s < NS; s++) {
        memset(&samples[s], 0, sizeof samples[s]);
        samples[s].et = ZKI_ET_FLOAT;
        samples[s].rank = 2;
        samples[s].dims[0] = 1;
        samples[s].dims[1] = W;
        for (int e = 0; e < W; e++)
            sbuf[s][e] = (float)(lo + (hi - lo) * (double)(s * W + e) / (NS * W - 1));
        samples[s].f = sbuf[s];
    }
}

static int find_op(const zki_qmodel *m, int op)
{
    for (int i = 0; i < m->n_nodes; i++)
        if (m->nodes[i].op == op)
            return i;
    return -1;
}

/* ---- element-wise tables ---------------------------------------------- */

typedef struct {
    int op;
    const char *name;
    double a, b;         /* attribute values set on the node (NAN: left to the default) */
    const char *an, *bn; /* their names */
    double lo, hi;       /* calibration range of x */
} act_case;

/* The functions as ONNX defines them (defaults here, independent of the library). */
static double ref(const act_case *c, double x)
{
    double a = c->a, b = c->b;
    switch (c->op) {
    case ZKI_OP_HARDSIGMOID:
        if (isnan(a))
            a = 0.2, b = 0.5;
        return fmax(0, fmin(1, a * x + b));
    case ZKI_OP_HARDSWISH: return x * fmax(0, fmin(1, x / 6 + 0.5));
    case ZKI_OP_EXP: return exp(x);
    case ZKI_OP_LOG: return log(x);
    case ZKI_OP_RECIPROCAL: return 1 / x;
    case ZKI_OP_SOFTPLUS: return log(1 + exp(x));
    case ZKI_OP_ELU: return x >= 0 ? x : (isnan(a) ? 1.0 : a) * (exp(x) - 1);
    case ZKI_OP_SELU: return 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (exp(x) - 1));
    case ZKI_OP_CELU: {
        double al = isnan(a) ? 1.0 : a;
        return fmax(0, x) + fmin(0, al * (exp(x / al) - 1));
    }
    case ZKI_OP_MISH: return x * tanh(log(1 + exp(x)));
    case ZKI_OP_SOFTSIGN: return x / (1 + fabs(x));
    case ZKI_OP_NEG: return -x;
    case ZKI_OP_ABS: return fabs(x);
    case ZKI_OP_PRELU: case ZKI_OP_LEAKYRELU: return x >= 0 ? x : a * x;
    case ZKI_OP_SWISH: return x / (1 + exp(-(isnan(a) ? 1.0 : a) * x));
    default: return NAN;
    }
}

static void test_act(const act_case *c)
{
    int64_t d[2] = {1, W};
    int x;
    zki_graph *g = new_graph(2, d, &x);
    int in[2] = {x, -1}, nin = 1;
    if (c->op == ZKI_OP_PRELU) {
        int64_t one = 1;
        float s = (float)c->a;
        in[1] = const_f(g, "slope", 1, &one, &s);
        nin = 2;
    }
    g->outputs[g->n_outputs++] = add_node(g, c->op, c->name, in, nin, "y");
    if (c->an && !isnan(c->a) && c->op != ZKI_OP_PRELU)
        set_float_attr(g, 0, c->an, c->a);
    if (c->bn && !isnan(c->b))
        set_float_attr(g, 0, c->bn, c->b);
    CHECK_MSG(zki_graph_prepare(g) == ZKI_OK, "%s: %s", c->name, zki_last_error());
    make_samples(c->lo, c->hi);
    /* the float kernel */
    zki_buf *fv = NULL;
    double ferr = 0;
    CHECK(zki_exec_float(g, &samples[1], 1, &fv) == ZKI_OK);
    for (int e = 0; fv && e < W; e++) {
        double r = ref(c, sbuf[1][e]), f = fv[g->outputs[0]].f[e];
        if (isfinite(r))
            ferr = fmax(ferr, fabs(f - r) / (1 + fabs(r)));
    }
    if (fv)
        zki_exec_free(g, fv);
    CHECK_MSG(ferr < 1e-5, "%s: float kernel off by %g", c->name, ferr);
    zki_qmodel *m = NULL;
    CHECK_MSG(zki_quantize(g, samples, NS, NULL, &m) == ZKI_OK, "%s: %s", c->name, zki_last_error());
    int li = m ? find_op(m, ZKI_QOP_LUT) : -1;
    CHECK_MSG(li >= 0 && m->n_nodes == 1, "%s: no single LUT node", c->name);
    if (li >= 0) {
        const zki_qnode *n = &m->nodes[li];
        const zki_qtensor *qx = &m->t[n->in[0]], *tb = &m->t[n->in[1]], *qy = &m->t[n->out];
        int64_t T = zki_qnumel(tb), bad = 0, worst = -1;
        double sx = qx->scale, sy = qy->scale, worst_d = 0;
        CHECK_MSG(T == 256 && n->p[0] == -128 && tb->bits == 8, "%s: table of %lld from %lld", c->name, (long long)T,
                  (long long)n->p[0]);
        for (int64_t k = 0; k < T; k++) {
            double r = ref(c, (double)(k + n->p[0]) * sx), want;
            if (isnan(r))
                want = 0;
            else
                want = fmax(-127.0, fmin(127.0, r / sy));
            double dd = fabs((double)tb->data[k] - want);
            if (dd > 1.0 || (isnan(r) && tb->data[k] != 0)) {
                bad++;
                if (dd > worst_d)
                    worst_d = dd, worst = k;
            }
        }
        CHECK_MSG(bad == 0, "%s: %lld entries off by more than one step (worst entry %lld by %g steps)", c->name,
                  (long long)bad, (long long)worst, worst_d);
        printf("%-12s table of %lld, x step %.4g, y step %.4g: every entry within one step\n", c->name,
               (long long)T, sx, sy);
    }
    zki_qmodel_free(m);
    zki_graph_free(g);
}

static void test_acts(void)
{
    const act_case cs[] = {
        {ZKI_OP_HARDSIGMOID, "HardSigmoid", NAN, NAN, "alpha", "beta", -5, 5},
        {ZKI_OP_HARDSIGMOID, "HardSigmoid_ab", 0.25, 0.4, "alpha", "beta", -5, 5},
        {ZKI_OP_HARDSWISH, "HardSwish", NAN, NAN, NULL, NULL, -5, 5},
        {ZKI_OP_EXP, "Exp", NAN, NAN, NULL, NULL, -4, 3},
        {ZKI_OP_LOG, "Log", NAN, NAN, NULL, NULL, -0.5, 6}, /* 0 and negatives in the table */
        {ZKI_OP_RECIPROCAL, "Reciprocal", NAN, NAN, NULL, NULL, 0.2, 4},
        {ZKI_OP_SOFTPLUS, "Softplus", NAN, NAN, NULL, NULL, -6, 6},
        {ZKI_OP_ELU, "Elu", 0.7, NAN, "alpha", NULL, -4, 4},
        {ZKI_OP_SELU, "Selu", NAN, NAN, NULL, NULL, -4, 4},
        {ZKI_OP_CELU, "Celu", 1.5, NAN, "alpha", NULL, -4, 4},
        {ZKI_OP_MISH, "Mish", NAN, NAN, NULL, NULL, -5, 5},
        {ZKI_OP_SOFTSIGN, "Softsign", NAN, NAN, NULL, NULL, -5, 5},
        {ZKI_OP_NEG, "Neg", NAN, NAN, NULL, NULL, -2, 3},
        {ZKI_OP_ABS, "Abs", NAN, NAN, NULL, NULL, -3, 2},
        {ZKI_OP_PRELU, "PRelu", 0.2, NAN, NULL, NULL, -3, 3},
        {ZKI_OP_LEAKYRELU, "LeakyRelu", 0.1, NAN, "alpha", NULL, -3, 3},
        {ZKI_OP_SWISH, "Swish", NAN, NAN, NULL, NULL, -6, 6},
        {ZKI_OP_SWISH, "Swish_a", 1.5, NAN, "alpha", NULL, -6, 6},
    };
    for (size_t k = 0; k < sizeof cs / sizeof cs[0]; k++)
        test_act(&cs[k]);
    /* Reciprocal with 0 in its input range: 1/0 = +inf clamps to +127 */
    act_case rc = {ZKI_OP_RECIPROCAL, "Reciprocal0", NAN, NAN, NULL, NULL, -2, 2};
    test_act(&rc);
}

/* A PRelu slope per column of rows has no table (one per channel of a map
 * becomes a conv: test_prove_dag's prelu_chan): refused naming it. */
static void test_prelu_channels(void)
{
    int64_t d[2] = {1, W};
    int x;
    zki_graph *g = new_graph(2, d, &x);
    float s[W];
    for (int k = 0; k < W; k++)
        s[k] = 0.01f * (float)k;
    int64_t sd = W;
    int in[2] = {x, const_f(g, "slope", 1, &sd, s)};
    g->outputs[g->n_outputs++] = add_node(g, ZKI_OP_PRELU, "/act/PRelu", in, 2, "y");
    CHECK(zki_graph_prepare(g) == ZKI_OK);
    make_samples(-1, 1);
    zki_qmodel *m = NULL;
    CHECK(zki_quantize(g, samples, NS, NULL, &m) == ZKI_ERR_UNSUPPORTED);
    CHECK_MSG(strstr(zki_last_error(), "/act/PRelu") && strstr(zki_last_error(), "a slope of 64 values"),
              "%s", zki_last_error());
    zki_qmodel_free(m);
    zki_graph_free(g);
}

/* ---- Sub, Div ---------------------------------------------------------- */

static zki_qmodel *quantise_check(zki_graph *g, const char *what, double lo, double hi)
{
    CHECK_MSG(zki_graph_prepare(g) == ZKI_OK, "%s: %s", what, zki_last_error());
    make_samples(lo, hi);
    zki_qmodel *m = NULL;
    CHECK_MSG(zki_quantize(g, samples, NS, NULL, &m) == ZKI_OK, "%s: %s", what, zki_last_error());
    if (!m)
        return NULL;
    double err = -1;
    for (int s = 0; s < NS; s++) {
        float *q = NULL;
        int64_t nq = 0;
        zki_buf *fv = NULL;
        if (zki_qrun_float_io(m, &samples[s], &q, &nq) == ZKI_OK && zki_exec_float(g, &samples[s], 1, &fv) == ZKI_OK) {
            err = fmax(err, 0);
            for (int64_t e = 0; e < nq; e++)
                err = fmax(err, fabs((double)q[e] - fv[g->outputs[0]].f[e]));
        }
        free(q);
        if (fv)
            zki_exec_free(g, fv);
    }
    double step = m->t[m->outputs[0]].scale;
    CHECK_MSG(err >= 0 && err <= 3 * step, "%s: max |quant - float| %g, output step %g", what, err, step);
    return m;
}

static void test_sub_div(void)
{
    int64_t d[2] = {1, W};
    int x;
    /* x - relu(x): an ADD with multipliers of opposite signs */
    zki_graph *g = new_graph(2, d, &x);
    int r = add_node(g, ZKI_OP_RELU, "relu", &x, 1, "r");
    int in[2] = {x, r};
    g->outputs[g->n_outputs++] = add_node(g, ZKI_OP_SUB, "sub", in, 2, "y");
    zki_qmodel *m = quantise_check(g, "x - relu(x)", -2, 1);
    int a = m ? find_op(m, ZKI_QOP_ADD) : -1;
    CHECK_MSG(a >= 0 && m->nodes[a].n_in == 2 && m->nodes[a].p[0] > 0 && m->nodes[a].p[1] < 0,
              "Sub is not an ADD with a negative multiplier");
    zki_qmodel_free(m);
    zki_graph_free(g);
    /* x / 4: a requantisation */
    g = new_graph(2, d, &x);
    float four = 4;
    in[1] = const_f(g, "four", 0, NULL, &four);
    g->outputs[g->n_outputs++] = add_node(g, ZKI_OP_DIV, "div", in, 2, "y");
    m = quantise_check(g, "x / 4", -2, 1);
    CHECK(m && m->n_nodes == 1 && m->nodes[0].op == ZKI_QOP_REQUANT);
    zki_qmodel_free(m);
    zki_graph_free(g);
    /* x / sigmoid(x): refused, naming what is supported */
    g = new_graph(2, d, &x);
    in[1] = add_node(g, ZKI_OP_SIGMOID, "sig", &x, 1, "s");
    g->outputs[g->n_outputs++] = add_node(g, ZKI_OP_DIV, "/d/Div", in, 2, "y");
    CHECK(zki_graph_prepare(g) == ZKI_OK);
    make_samples(-1, 1);
    m = NULL;
    CHECK(zki_quantize(g, samples, NS, NULL, &m) == ZKI_ERR_UNSUPPORTED);
    CHECK_MSG(strstr(zki_last_error(), "/d/Div") && strstr(zki_last_error(), "only division by a constant"), "%s",
              zki_last_error());
    zki_qmodel_free(m);
    zki_graph_free(g);
}

/* ---- BatchNormalization as a depthwise Conv ----------------------------- */

static void test_bn_graph(void)
{
    int64_t d[4] = {1, 3, 4, 4}, c3 = 3;
    int x;
    zki_graph *g = new_graph(4, d, &x);
    int r = add_node(g, ZKI_OP_RELU, "relu", &x, 1, "r");
    const float gm[3] = {1.2f, 0.7f, -0.9f}, bt[3] = {0.1f, -0.2f, 0.3f}, mu[3] = {0.3f, -0.1f, 0.5f},
                vr[3] = {0.5f, 2.0f, 1.1f};
    int in[5] = {r, const_f(g, "g", 1, &c3, gm), const_f(g, "b", 1, &c3, bt), const_f(g, "m", 1, &c3, mu),
                 const_f(g, "v", 1, &c3, vr)};
    g->outputs[g->n_outputs++] = add_node(g, ZKI_OP_BATCHNORM, "/bn/BatchNormalization", in, 5, "y");
    set_float_attr(g, 1, "epsilon", 1e-3);
    CHECK_MSG(zki_graph_prepare(g) == ZKI_OK, "%s", zki_last_error());
    CHECK(graph_count_op(g, ZKI_OP_BATCHNORM) == 0 && graph_count_op(g, ZKI_OP_CONV) == 1);
    const zki_node *cv = &g->nodes[g->n_nodes - 1];
    CHECK(cv->op == ZKI_OP_CONV && zki_attr_int(cv, "group", 1) == 3 && strcmp(cv->name, "/bn/BatchNormalization") == 0);
    zki_host_tensor h = {0};
    float xv[48];
    for (int k = 0; k < 48; k++)
        xv[k] = (float)sin(0.37 * k) * 2;
    h.et = ZKI_ET_FLOAT;
    h.rank = 4;
    memcpy(h.dims, d, sizeof d);
    h.f = xv;
    zki_buf *v = NULL;
    double err = -1;
    if (zki_exec_float(g, &h, 1, &v) == ZKI_OK) {
        err = 0;
        for (int k = 0; k < 48; k++) {
            int c = k / 16;
            double xr = xv[k] > 0 ? xv[k] : 0, want = (xr - mu[c]) / sqrt(vr[c] + 1e-3) * gm[c] + bt[c];
            err = fmax(err, fabs(v[g->outputs[0]].f[k] - want));
        }
        zki_exec_free(g, v);
    }
    CHECK_MSG(err >= 0 && err < 1e-5, "BN as a depthwise Conv: float error %g", err);
    zki_graph_free(g);
}

/* A BN whose one channel has a tiny variance (a nearly constant channel):
 * its depthwise weight 1/sqrt(var) is 100x the others', which one int8 scale
 * would leave ~1 level (an error of ~20% on every other channel); the
 * depthwise Conv takes int16 weights and the other channels stay within 2
 * output steps of the float graph (the small channel itself is limited by
 * its per-tensor int8 input, so it is not compared). */
static void test_bn_spread(void)
{
    int64_t d[4] = {1, 4, 4, 4}, c4 = 4;
    int x;
    zki_graph *g = new_graph(4, d, &x);
    const float gm[4] = {1, 1, 1, 1}, bt[4] = {0.1f, -0.1f, 0.2f, 0}, mu[4] = {0, 0, 0, 0},
                vr[4] = {1, 0.5f, 1e-4f, 0.25f};
    int in[5] = {x, const_f(g, "g", 1, &c4, gm), const_f(g, "b", 1, &c4, bt), const_f(g, "m", 1, &c4, mu),
                 const_f(g, "v", 1, &c4, vr)};
    g->outputs[g->n_outputs++] = add_node(g, ZKI_OP_BATCHNORM, "/bn/BatchNormalization", in, 5, "y");
    CHECK_MSG(zki_graph_prepare(g) == ZKI_OK, "%s", zki_last_error());
    static float xb[NS][64];
    zki_host_tensor hs[NS];
    for (int s = 0; s < NS; s++) {
        memset(&hs[s], 0, sizeof hs[s]);
        hs[s].et = ZKI_ET_FLOAT;
        hs[s].rank = 4;
        memcpy(hs[s].dims, d, sizeof d);
        for (int k = 0; k < 64; k++)
            xb[s][k] = (float)(sqrt(vr[k / 16]) * 2 * sin(0.9 * k + 1.7 * s));
        hs[s].f = xb[s];
    }
    zki_qmodel *m = NULL;
    CHECK_MSG(zki_quantize(g, hs, NS, NULL, &m) == ZKI_OK, "%s", zki_last_error());
    if (m) {
        CHECK_MSG(m->n_nodes == 1 && m->nodes[0].op == ZKI_QOP_CONV && m->t[m->nodes[0].in[1]].bits == 16,
                  "depthwise weights of %d bits", m->n_nodes ? m->t[m->nodes[0].in[1]].bits : 0);
        double err = 0, step = m->t[m->outputs[0]].scale;
        for (int s = 0; s < NS; s++) {
            float *q = NULL;
            int64_t nq = 0;
            zki_buf *fv = NULL;
            if (zki_qrun_float_io(m, &hs[s], &q, &nq) == ZKI_OK && zki_exec_float(g, &hs[s], 1, &fv) == ZKI_OK) {
                for (int64_t e = 0; e < nq; e++)
                    if (e / 16 != 2)
                        err = fmax(err, fabs((double)q[e] - fv[g->outputs[0]].f[e]));
            } else {
                err = 1e9;
            }
            free(q);
            if (fv)
                zki_exec_free(g, fv);
        }
        printf("BN with one variance of 1e-4 as a depthwise CONV (int16 weights): other channels' max |quant - "
               "float| %.4f (%.2f output steps)\n", err, err / step);
        CHECK_MSG(err <= 2 * step, "max |quant - float| %g, output step %g", err, step);
    }
    zki_qmodel_free(m);
    zki_graph_free(g);
}

/* x * HardSigmoid(x) (alpha 1/6) becomes one HardSwish, x * Sigmoid(x) one
 * Swish; with alpha 0.2 it stays a product; a one-input Concat disappears. */
static void test_rewrites(void)
{
    for (int v = 0; v < 3; v++) {
        int64_t d[2] = {1, W};
        int x;
        zki_graph *g = new_graph(2, d, &x);
        int h = add_node(g, v == 2 ? ZKI_OP_SIGMOID : ZKI_OP_HARDSIGMOID, "gate", &x, 1, "h");
        if (v < 2)
            set_float_attr(g, 0, "alpha", v ? 0.2 : 1.0 / 6.0);
        int in[2] = {h, x}; /* the gate first (torch writes either order) */
        int y = add_node(g, ZKI_OP_MUL, "mul", in, 2, "p");
        g->outputs[g->n_outputs++] = add_node(g, ZKI_OP_CONCAT, "cat", &y, 1, "y");
        zki_attr_set_int(&g->nodes[2], "axis", 1);
        CHECK_MSG(zki_graph_prepare(g) == ZKI_OK, "%s", zki_last_error());
        if (v != 1)
            CHECK_MSG(g->n_nodes == 1 && g->nodes[0].op == (v ? ZKI_OP_SWISH : ZKI_OP_HARDSWISH) &&
                          g->nodes[0].n_in == 1,
                      "%d nodes, first %s", g->n_nodes, zki_op_name(g->nodes[0].op));
        else
            CHECK(g->n_nodes == 2 && graph_count_op(g, ZKI_OP_MUL) == 1 && graph_count_op(g, ZKI_OP_CONCAT) == 0);
        make_samples(-5, 5);
        zki_buf *fv = NULL;
        double err = -1;
        if (zki_exec_float(g, &samples[2], 1, &fv) == ZKI_OK) {
            err = 0;
            for (int e = 0; e < W; e++) {
                double a = sbuf[2][e];
                double want = v == 2 ? a / (1 + exp(-a)) : a * fmax(0, fmin(1, (v ? 0.2 : 1.0 / 6.0) * a + 0.5));
                err = fmax(err, fabs(fv[g->outputs[0]].f[e] - want));
            }
            zki_exec_free(g, fv);
        }
        CHECK_MSG(err >= 0 && err < 1e-5, "rewrite %d: float error %g", v, err);
        zki_graph_free(g);
    }
}

/* Max |dequantised qexec - y| of model m on the .npy input xf. */
static double fixture_err(const zki_qmodel *m, const char *xf, const char *yf, double *ymax)
{
    zki_host_tensor x, y;
    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    double err = -1;
    float *q = NULL;
    int64_t nq = 0;
    if (zki_tensor_read_any(tdata(xf), &x) == ZKI_OK && zki_tensor_read_any(tdata(yf), &y) == ZKI_OK &&
        zki_qrun_float_io(m, &x, &q, &nq) == ZKI_OK && nq == zki_host_tensor_numel(&y)) {
        err = 0;
        *ymax = 0;
        for (int64_t e = 0; e < nq; e++) {
            err = fmax(err, fabs((double)q[e] - y.f[e]));
            *ymax = fmax(*ymax, fabs((double)y.f[e]));
        }
    }
    free(q);
    zki_host_tensor_clear(&x);
    zki_host_tensor_clear(&y);
    return err;
}

static zki_qmodel *load_quantise(const char *name, zki_graph **gout)
{
    char f[128], cf[128], xf[128], yf[128];
    snprintf(f, sizeof f, "%s.onnx", name);
    snprintf(cf, sizeof cf, "%s_calib.npy", name);
    snprintf(xf, sizeof xf, "%s_x.npy", name);
    snprintf(yf, sizeof yf, "%s_y.npy", name);
    zki_graph *g = NULL;
    zki_qmodel *m = NULL;
    CHECK_MSG(zki_onnx_load_file(tdata(f), &g) == ZKI_OK, "%s: %s", name, zki_last_error());
    if (!g)
        return NULL;
    zki_host_tensor x, y;
    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    zki_buf *v = NULL;
    double ferr = -1;
    if (zki_tensor_read_any(tdata(xf), &x) == ZKI_OK && zki_tensor_read_any(tdata(yf), &y) == ZKI_OK &&
        zki_exec_float(g, &x, 1, &v) == ZKI_OK && zki_host_tensor_numel(&y) == zki_tensor_numel(&g->t[g->outputs[0]])) {
        ferr = 0;
        for (int64_t e = 0; e < zki_host_tensor_numel(&y); e++)
            ferr = fmax(ferr, fabs((double)v[g->outputs[0]].f[e] - y.f[e]));
    }
    if (v)
        zki_exec_free(g, v);
    zki_host_tensor_clear(&x);
    zki_host_tensor_clear(&y);
    CHECK_MSG(ferr >= 0 && ferr < 1e-4, "%s: float graph vs torch %g", name, ferr);
    zki_host_tensor *cal = NULL;
    int ncal = 0;
    CHECK_MSG(zki_calib_load(g, tdata(cf), &cal, &ncal) == ZKI_OK, "%s", zki_last_error());
    if (cal)
        CHECK_MSG(zki_quantize(g, cal, ncal, NULL, &m) == ZKI_OK, "%s: %s", name, zki_last_error());
    zki_samples_free(cal, ncal);
    *gout = g;
    return m;
}

static void test_bn_fixture(void)
{
    zki_graph *g = NULL;
    zki_qmodel *m = load_quantise("bn_block", &g);
    if (m) {
        int dw = -1;
        for (int i = 0; i < m->n_nodes; i++)
            if (m->nodes[i].op == ZKI_QOP_CONV && m->nodes[i].p[4] == 10)
                dw = i;
        CHECK_MSG(dw >= 0 && strstr(m->nodes[dw].name, "BatchNormalization"), "no depthwise CONV for the BN");
        double ymax = 0, err = fixture_err(m, "bn_block_x.npy", "bn_block_y.npy", &ymax);
        double step = m->t[m->outputs[0]].scale;
        printf("bn_block: BN after Concat as a depthwise CONV; max |qexec - torch| %.4f (%.1f output steps, "
               "max |y| %.3f)\n", err, err / step, ymax);
        CHECK_MSG(err >= 0 && err < 0.1 * ymax, "bn_block: max |qexec - torch| %g", err);
    }
    zki_qmodel_free(m);
    zki_graph_free(g);
}

/* ---- Concat of 96, and of 97 in stages -------------------------------------- */

static void test_concat96(void)
{
    for (int n_in = 96; n_in <= 97; n_in++) {
        int64_t d[2] = {1, W};
        int x;
        zki_graph *g = new_graph(2, d, &x);
        int r = add_node(g, ZKI_OP_RELU, "relu", &x, 1, "r");
        int in[97];
        for (int k = 0; k < n_in; k++)
            in[k] = r;
        g->outputs[g->n_outputs++] = add_node(g, ZKI_OP_CONCAT, "/cat/Concat", in, n_in, "y");
        zki_attr_set_int(&g->nodes[1], "axis", 1);
        CHECK_MSG(zki_graph_prepare(g) == ZKI_OK, "%s", zki_last_error());
        make_samples(-1, 1);
        zki_qmodel *m = NULL;
        zki_status st = zki_quantize(g, samples, NS, NULL, &m);
        if (n_in == 97) {
            /* one more than a quantised Concat takes: joined in stages */
            CHECK_MSG(st == ZKI_OK, "%s", zki_last_error());
            int cats = 0, widest = 0;
            for (int i = 0; m && i < m->n_nodes; i++)
                if (m->nodes[i].op == ZKI_QOP_CONCAT) {
                    cats++;
                    widest = m->nodes[i].n_in > widest ? m->nodes[i].n_in : widest;
                }
            CHECK_MSG(cats == 2 && widest == 96, "97 inputs: %d Concats, the widest of %d", cats, widest);
        } else {
            CHECK_MSG(st == ZKI_OK, "%s", zki_last_error());
            int c = m ? find_op(m, ZKI_QOP_CONCAT) : -1;
            CHECK(c >= 0 && m->nodes[c].n_in == 96);
            uint8_t *buf = NULL;
            size_t len = 0;
            zki_qmodel *m2 = NULL;
            CHECK(m && zki_zkm_serialize(m, &buf, &len) == ZKI_OK);
            CHECK_MSG(buf && zki_zkm_parse(buf, len, &m2) == ZKI_OK, "%s", zki_last_error());
            if (m2 && c >= 0) {
                CHECK(m2->nodes[c].n_in == 96 && memcmp(m2->nodes[c].in, m->nodes[c].in, sizeof m->nodes[c].in) == 0);
                float *q1 = NULL, *q2 = NULL;
                int64_t n1 = 0, n2 = 0;
                CHECK(zki_qrun_float_io(m, &samples[2], &q1, &n1) == ZKI_OK);
                CHECK(zki_qrun_float_io(m2, &samples[2], &q2, &n2) == ZKI_OK);
                CHECK(q1 && q2 && n1 == 96 * W && n2 == n1 && memcmp(q1, q2, sizeof(float) * (size_t)n1) == 0);
                int same = 1; /* block k is relu(x) again */
                for (int64_t e = 0; q1 && e < n1; e++)
                    same &= q1[e] == q1[e % W];
                CHECK(same);
                free(q1);
                free(q2);
            }
            /* .zkm version unchanged: the byte format did not change */
            CHECK(buf && len > 12 && buf[8] == ZKI_ZKM_VERSION && buf[9] == 0);
            zki_qmodel_free(m2);
            free(buf);
        }
        zki_qmodel_free(m);
        zki_graph_free(g);
    }
}

/* ---- MaxPool ceil_mode -------------------------------------------------- */

static void test_pool_ceil(void)
{
    zki_graph *g = NULL;
    zki_qmodel *m = load_quantise("pool_ceil", &g);
    if (m) {
        int pools = 0;
        for (int i = 0; i < m->n_nodes; i++) {
            const zki_qnode *n = &m->nodes[i];
            if (n->op != ZKI_QOP_MAXPOOL)
                continue;
            /* 8 -> 4 and 4 -> 2 with 3x3 windows of stride 2: one extra row and column of end padding */
            CHECK_MSG(n->p[6] == 0 && n->p[7] == 0 && n->p[8] == 1 && n->p[9] == 1,
                      "pool %d pads %lld %lld %lld %lld", pools, (long long)n->p[6], (long long)n->p[7],
                      (long long)n->p[8], (long long)n->p[9]);
            pools++;
        }
        CHECK(pools == 2);
        double ymax = 0, err = fixture_err(m, "pool_ceil_x.npy", "pool_ceil_y.npy", &ymax);
        double step = m->t[m->outputs[0]].scale;
        printf("pool_ceil: max |qexec - torch| %.4f (%.1f output steps)\n", err, err / step);
        CHECK_MSG(err >= 0 && err <= 4 * step, "pool_ceil: max |qexec - torch| %g (step %g)", err, step);
    }
    zki_qmodel_free(m);
    zki_graph_free(g);
    /* the command line: compile, run (= torch within quantisation error), prove, verify */
    if (!tmp_init("front"))
        return;
    CHECK(CLI("compile", tdata("pool_ceil.onnx"), "--calib", tdata("pool_ceil_calib.npy"), "-o", tmp("m.zkm"),
              "--require-keys") == 0);
    CHECK(CLI("run", tmp("m.zkm"), "--input", tdata("pool_ceil_x.npy"), "-o", tmp("y.npy")) == 0);
    zki_host_tensor y, t;
    memset(&y, 0, sizeof y);
    memset(&t, 0, sizeof t);
    double err = -1;
    if (zki_tensor_read_any(tmp("y.npy"), &y) == ZKI_OK && zki_tensor_read_any(tdata("pool_ceil_y.npy"), &t) == ZKI_OK &&
        zki_host_tensor_numel(&y) == zki_host_tensor_numel(&t)) {
        err = 0;
        for (int64_t e = 0; e < zki_host_tensor_numel(&t); e++)
            err = fmax(err, fabs((double)y.f[e] - t.f[e]));
    }
    CHECK_MSG(err >= 0 && err < 0.05, "zkinfer run vs torch: %g", err);
    zki_host_tensor_clear(&y);
    zki_host_tensor_clear(&t);
    CHECK(CLI("prove", tmp("m.zkm"), "--input", tdata("pool_ceil_x.npy"), "-o", tmp("p.zkp"), "--quiet") == 0);
    CHECK(CLI("verify", tmp("m.vk"), "--input", tdata("pool_ceil_x.npy"), "--proof", tmp("p.zkp")) == 0);
    CHECK(CLI("verify", tmp("m.vk"), "--input", tdata("pool_ceil_calib.npy"), "--proof", tmp("p.zkp")) != 0);
    const char *nm[] = {"m.zkm", "m.vk", "m.zpk", "y.npy", "p.zkp"};
    tmp_cleanup(nm, 5);
}

int main(void)
{
    test_acts();
    test_prelu_channels();
    test_sub_div();
    test_bn_graph();
    test_bn_spread();
    test_rewrites();
    test_bn_fixture();
    test_concat96();
    test_pool_ceil();
    return TEST_SUMMARY();
}
