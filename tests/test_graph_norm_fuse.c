/* The normalisation fusion (graph/norm_fuse.h) on graphs built through the
 * IR API and on torch's export (tests/data/norm13_tok.onnx, written by
 * tools/make_norm_fuse_fixtures.py):
 *   - RMSNorm in each form torch and hand-written code produce (x^2 as a
 *     Pow by 2 or Mul(x, x); 1/sqrt as Div(1, s) or Reciprocal, or x / s;
 *     the weight on either side, or none) becomes one RMSNormalization,
 *     the decomposed LayerNorm (with gamma and beta, or neither) one
 *     LayerNormalization, and the float executor's output of the fused
 *     graph equals the chain's own arithmetic (computed here);
 *   - near misses stay as they are: a mean over another axis, keepdims 0,
 *     an eps that is no constant, a Pow by 3, an intermediate read twice
 *     (a graph output); a weight that broadcasts x to another shape stays
 *     a Mul after the fused norm (its weight ones); a
 *     LayerNorm whose mean is another tensor's or another axis' is none
 *     (the rest stays an RMSNorm of the difference, then beta);
 *   - the torch fixture fuses one RMSNorm and one LayerNorm, its float
 *     output is torch's, and it quantises, proves and verifies. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graph/passes.h"
#include "quant/npy.h"
#include "test.h"
#include "test_prove_util.h"

#define R 3
#define D 8

static int rows = R; /* x [1, rows, D]: D for a keepdims-0 mean that broadcasts */

typedef struct {
    zki_graph *g;
    int x;
} builder;

static int add_tensor(zki_graph *g, const char *name, int kind, int rank, const int64_t *dims, const float *f)
{
    int t = zki_graph_add_tensor(g, name, kind, ZKI_ET_FLOAT);
    if (kind == ZKI_T_CONST) {
        int64_t n = zki_shape_numel(rank, dims);
        float *d = malloc(sizeof(float) * (size_t)n);
        memcpy(d, f, sizeof(float) * (size_t)n);
        zki_tensor_set_const(&g->t[t], rank, dims, d, NULL);
    } else if (kind == ZKI_T_INPUT) {
        g->t[t].rank = rank;
        memcpy(g->t[t].dims, dims, sizeof(int64_t) * (size_t)rank);
        g->t[t].shape_known = 1;
        g->inputs[g->n_inputs++] = t;
    }
    return t;
}

static int scalar(builder *b, const char *name, float v)
{
    return add_tensor(b->g, name, ZKI_T_CONST, 0, NULL, &v);
}

/* A node op(a, b) (b < 0: one input) making a new tensor. */
static int op2(builder *b, int op, int a, int c)
{
    char nm[32];
    snprintf(nm, sizeof nm, "n%d", b->g->n_nodes);
    int y = zki_graph_add_tensor(b->g, nm, ZKI_T_VALUE, 0);
    int n = zki_graph_add_node(b->g, op, nm, c >= 0 ? 2 : 1, 1);
    b->g->nodes[n].in[0] = a;
    if (c >= 0)
        b->g->nodes[n].in[1] = c;
    b->g->nodes[n].out[0] = y;
    b->g->t[y].producer = n;
    return y;
}

static int mean(builder *b, int a, int64_t axis, int keep)
{
    int y = op2(b, ZKI_OP_REDUCEMEAN, a, -1);
    zki_node *n = &b->g->nodes[b->g->n_nodes - 1];
    zki_attr_set_ints(n, "axes", &axis, 1);
    zki_attr_set_int(n, "keepdims", keep);
    return y;
}

static builder start(void)
{
    builder b = {zki_graph_new(), -1};
    b.g->opset = 13;
    b.g->inputs = malloc(2 * sizeof(int));
    b.g->outputs = malloc(2 * sizeof(int));
    int64_t xd[3] = {1, rows, D};
    b.x = add_tensor(b.g, "x", ZKI_T_INPUT, 3, xd, NULL);
    return b;
}

static const float gamma_v[D] = {1.0f, 0.5f, -1.5f, 2.0f, 0.25f, 1.0f, -0.75f, 3.0f};
static const float beta_v[D] = {0.1f, -0.2f, 0.3f, 0.0f, 0.5f, -0.5f, 0.25f, 1.0f};

/* RMSNorm forms (bits of `form`) and near misses (`miss`). */
enum { F_MULSQ = 1, F_RECIP = 2, F_DIVX = 4, F_NOGAMMA = 8, F_GAMMA_FIRST = 16 };
enum { M_NONE, M_AXIS, M_KEEP, M_EPS, M_POW3, M_TWICE, M_BCAST, M_COUNT };

static zki_graph *rms_graph(int form, int miss)
{
    builder b = start();
    int x = b.x;
    int sq = form & F_MULSQ ? op2(&b, ZKI_OP_MUL, x, x) : op2(&b, ZKI_OP_POW, x, scalar(&b, "two", miss == M_POW3 ? 3 : 2));
    int ms = mean(&b, sq, miss == M_AXIS ? 1 : -1, miss != M_KEEP);
    int eps = scalar(&b, "eps", 1e-5f);
    if (miss == M_EPS) {
        int64_t one = 1;
        eps = add_tensor(b.g, "e", ZKI_T_INPUT, 1, &one, NULL);
    }
    int s = op2(&b, ZKI_OP_SQRT, op2(&b, ZKI_OP_ADD, ms, eps), -1);
    int nrm;
    if (form & F_DIVX) {
        nrm = op2(&b, ZKI_OP_DIV, x, s);
    } else {
        int inv = form & F_RECIP ? op2(&b, ZKI_OP_RECIPROCAL, s, -1) : op2(&b, ZKI_OP_DIV, scalar(&b, "one", 1), s);
        nrm = op2(&b, ZKI_OP_MUL, x, inv);
    }
    int y = nrm;
    if (!(form & F_NOGAMMA)) {
        int64_t gd[3] = {miss == M_BCAST ? 2 : 1, 1, D};
        float g2[2 * D];
        memcpy(g2, gamma_v, sizeof gamma_v);
        memcpy(g2 + D, gamma_v, sizeof gamma_v);
        int gm = add_tensor(b.g, "gamma", ZKI_T_CONST, miss == M_BCAST ? 3 : 1, miss == M_BCAST ? gd : gd + 2, g2);
        y = form & F_GAMMA_FIRST ? op2(&b, ZKI_OP_MUL, gm, nrm) : op2(&b, ZKI_OP_MUL, nrm, gm);
    }
    b.g->outputs[b.g->n_outputs++] = y;
    if (miss == M_TWICE)
        b.g->outputs[b.g->n_outputs++] = s;
    return b.g;
}

/* LayerNorm as torch exports it below opset 17; miss 1: the mean
 * subtracted is another tensor's (x + 1), 2: the mean over axis 1 (no
 * LayerNorm: the rest is an RMSNorm of the difference). */
static zki_graph *ln_graph(int affine, int miss)
{
    builder b = start();
    int x = b.x;
    int src = miss == 1 ? op2(&b, ZKI_OP_ADD, x, scalar(&b, "one", 1)) : x;
    int d = op2(&b, ZKI_OP_SUB, x, mean(&b, src, miss == 2 ? 1 : -1, 1));
    int var = mean(&b, op2(&b, ZKI_OP_POW, d, scalar(&b, "two", 2)), -1, 1);
    int s = op2(&b, ZKI_OP_SQRT, op2(&b, ZKI_OP_ADD, var, scalar(&b, "eps", 1e-5f)), -1);
    int y = op2(&b, ZKI_OP_DIV, d, s);
    if (affine) {
        int64_t dd = D;
        y = op2(&b, ZKI_OP_MUL, y, add_tensor(b.g, "gamma", ZKI_T_CONST, 1, &dd, gamma_v));
        y = op2(&b, ZKI_OP_ADD, y, add_tensor(b.g, "beta", ZKI_T_CONST, 1, &dd, beta_v));
    }
    b.g->outputs[b.g->n_outputs++] = y;
    return b.g;
}

/* The float executor on a fixed x against the chain's arithmetic done
 * here (ln: LayerNorm, else RMSNorm; gamma/beta applied when affine). */
static void check_values(const zki_graph *g, int ln, int affine, const char *what)
{
    float xv[R * D];
    for (int k = 0; k < R * D; k++)
        xv[k] = (float)sin(1.3 * k + 0.2) * (1 + k % 5);
    zki_host_tensor in = {ZKI_ET_FLOAT, 3, {1, R, D}, xv, NULL};
    zki_buf *v = NULL;
    CHECK_MSG(zki_exec_float(g, &in, 1, &v) == ZKI_OK, "%s: exec: %s", what, zki_last_error());
    double err = 0;
    for (int r = 0; v && r < R; r++) {
        double mu = 0, ms = 0;
        for (int k = 0; ln && k < D; k++)
            mu += xv[r * D + k] / (double)D;
        for (int k = 0; k < D; k++)
            ms += (xv[r * D + k] - mu) * (xv[r * D + k] - mu) / D;
        for (int k = 0; k < D; k++) {
            double want = (xv[r * D + k] - mu) / sqrt(ms + 1e-5);
            if (affine)
                want = want * gamma_v[k] + (ln ? beta_v[k] : 0);
            err = fmax(err, fabs(v[g->outputs[0]].f[r * D + k] - want));
        }
    }
    CHECK_MSG(v && err < 1e-5, "%s: the fused op's output is %g off the chain's", what, err);
    if (v)
        zki_exec_free(g, v);
}

static void test_rms_forms(void)
{
    static const int forms[] = {0, F_MULSQ, F_RECIP, F_DIVX, F_NOGAMMA, F_GAMMA_FIRST, F_MULSQ | F_RECIP | F_NOGAMMA,
                                F_DIVX | F_GAMMA_FIRST};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        zki_graph *g = rms_graph(forms[i], M_NONE);
        char what[32];
        snprintf(what, sizeof what, "rmsnorm form %d", forms[i]);
        CHECK_MSG(zki_graph_prepare(g) == ZKI_OK, "%s: %s", what, zki_last_error());
        CHECK_MSG(g->n_nodes == 1 && g->nodes[0].op == ZKI_OP_RMSNORM && g->nodes[0].in[0] == g->inputs[0],
                  "%s: %d nodes, the first %s", what, g->n_nodes, zki_op_name(g->nodes[0].op));
        CHECK(fabs(zki_attr_float(&g->nodes[0], "epsilon", 0) - 1e-5) < 1e-9);
        check_values(g, 0, !(forms[i] & F_NOGAMMA), what);
        zki_graph_free(g);
    }
}

static void test_rms_misses(void)
{
    for (int miss = M_AXIS; miss < M_COUNT; miss++) {
        rows = miss == M_KEEP ? D : R;
        zki_graph *g = rms_graph(0, miss);
        zki_status st = zki_graph_prepare(g);
        rows = R;
        CHECK_MSG(st == ZKI_OK, "near miss %d: %s", miss, zki_last_error());
        printf("rmsnorm near miss %d: %d nodes, %d fused\n", miss, g->n_nodes, graph_count_op(g, ZKI_OP_RMSNORM));
        if (miss == M_BCAST) /* the norm without its weight, then the broadcasting Mul */
            CHECK_MSG(g->n_nodes == 2 && g->nodes[0].op == ZKI_OP_RMSNORM && g->nodes[1].op == ZKI_OP_MUL,
                      "near miss %d: %d nodes", miss, g->n_nodes);
        else
            CHECK_MSG(graph_count_op(g, ZKI_OP_RMSNORM) == 0 && g->n_nodes >= 6, "near miss %d fused", miss);
        zki_graph_free(g);
    }
}

static void test_layernorm(void)
{
    for (int affine = 0; affine < 2; affine++) {
        zki_graph *g = ln_graph(affine, 0);
        CHECK_MSG(zki_graph_prepare(g) == ZKI_OK, "layernorm: %s", zki_last_error());
        CHECK_MSG(g->n_nodes == 1 && g->nodes[0].op == ZKI_OP_LAYERNORM && g->nodes[0].n_in == 2 + affine,
                  "layernorm affine %d: %d nodes", affine, g->n_nodes);
        check_values(g, 1, affine, affine ? "layernorm" : "layernorm without affine");
        zki_graph_free(g);
    }
    for (int miss = 1; miss <= 2; miss++) {
        zki_graph *g = ln_graph(1, miss);
        CHECK(zki_graph_prepare(g) == ZKI_OK);
        CHECK_MSG(graph_count_op(g, ZKI_OP_LAYERNORM) == 0 && graph_count_op(g, ZKI_OP_SUB) == 1 &&
                      graph_count_op(g, ZKI_OP_RMSNORM) == 1 && graph_count_op(g, ZKI_OP_ADD) == 1 + (miss == 1),
                  "layernorm near miss %d: a LayerNorm, or not an RMSNorm of x - mean and beta", miss);
        zki_graph_free(g);
    }
}

/* torch's export: the float executor against torch, then a proof. */
static void test_fixture(void)
{
    zki_graph *g = NULL;
    CHECK_MSG(zki_onnx_load_file(tdata("norm13_tok.onnx"), &g) == ZKI_OK, "norm13_tok: %s", zki_last_error());
    if (!g)
        return;
    CHECK_MSG(graph_count_op(g, ZKI_OP_RMSNORM) == 1 && graph_count_op(g, ZKI_OP_LAYERNORM) == 1 &&
                  graph_count_op(g, ZKI_OP_DIV) == 0,
              "norm13_tok: not fused");
    zki_host_tensor x, y;
    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    zki_buf *v = NULL;
    CHECK(zki_tensor_read_any(tdata("norm13_tok_x.npy"), &x) == ZKI_OK &&
          zki_tensor_read_any(tdata("norm13_tok_y.npy"), &y) == ZKI_OK);
    double err = 1;
    if (x.f && y.f && zki_exec_float(g, &x, 1, &v) == ZKI_OK) {
        err = 0;
        for (int64_t k = 0; k < zki_host_tensor_numel(&y); k++)
            err = fmax(err, fabs(v[g->outputs[0]].f[k] - y.f[k]));
        zki_exec_free(g, v);
    }
    printf("norm13_tok: float output %g off torch's\n", err);
    CHECK_MSG(err < 1e-4, "norm13_tok: float output %g off torch's", err);
    zki_host_tensor_clear(&x);
    zki_host_tensor_clear(&y);
    zki_graph_free(g);
    zki_rng r;
    zki_rng_seed(&r, 5);
    static const uint8_t sw[32] = {4}, sa[32] = {6};
    int64_t *X = NULL;
    zki_qmodel *m = load_fixture("norm13_tok.onnx", "norm13_tok_calib.npy", &X);
    if (m && X) {
        check_fixture_torch(m, "", "norm13_tok", 0.999);
        prove_round(&r, m, X, 2, 0, sw, sa, NULL, NULL, 12, "norm13_tok");
    }
    free(X);
    zki_qmodel_free(m);
}

int main(void)
{
    test_rms_forms();
    test_rms_misses();
    test_layernorm();
    test_fixture();
    return TEST_SUMMARY();
}
