/* Graph passes on graphs built through the IR API: Div by a constant becomes
 * Mul by its reciprocal, Identity before an output is removed, a fully
 * constant graph folds to a constant, and a dynamic Reshape is a clear error. */
#include <stdlib.h>
#include <string.h>

#include "graph/passes.h"
#include "test.h"

static int add_const(zki_graph *g, const char *name, int rank, const int64_t *dims, const float *f)
{
    int t = zki_graph_add_tensor(g, name, ZKI_T_CONST, ZKI_ET_FLOAT);
    int64_t n = zki_shape_numel(rank, dims);
    float *d = malloc(sizeof(float) * (size_t)n);
    memcpy(d, f, sizeof(float) * (size_t)n);
    zki_tensor_set_const(&g->t[t], rank, dims, d, NULL);
    return t;
}

static zki_graph *div_identity_graph(void)
{
    zki_graph *g = zki_graph_new();
    g->opset = 13;
    g->inputs = malloc(sizeof(int));
    g->outputs = malloc(sizeof(int));
    int x = zki_graph_add_tensor(g, "x", ZKI_T_INPUT, ZKI_ET_FLOAT);
    g->t[x].rank = 2;
    g->t[x].dims[0] = 2;
    g->t[x].dims[1] = 3;
    g->t[x].shape_known = 1;
    g->inputs[g->n_inputs++] = x;
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

int main(void)
{
    test_div_identity();
    test_dynamic_reshape();
    test_all_constant();
    return TEST_SUMMARY();
}
