/* n-ary ADD: the quantiser fuses chains of Adds and Subs into one ADD of up
 * to 16 terms, requantised once.
 *   - dag_add3.onnx (Add(Add(conv_a, conv_b), conv_c)) and
 *     dag_three_consumers.onnx (a residual sum of three terms) quantise to ONE
 *     ADD of 3 inputs, keeping the outer Add's ONNX name; zki_qexec's output
 *     agrees with torch's y within quantisation error (max |d| <= 0.02, the
 *     bound of test_prove_dag), and a .zkm round trip keeps the node;
 *   - a hand-built 3-input ADD: runs as rq(sum x_i M_i); zki_qmodel_check
 *     refuses it once the bound sum_i |x_i| |M_i| + 2^(s-1) reaches 2^62, a
 *     wrong parameter count and an input that does not broadcast to the
 *     output; a binary ADD still reads p = Ma Mb s lo hi;
 *   - graphs built through the IR API: a chain of 20 Adds/Subs of x splits
 *     into ADDs of 16 and 6 terms with the Subs' signs; an inner sum that is
 *     a graph output, or that feeds a Relu, is not absorbed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "graph/passes.h"
#include "quant/npy.h"
#include "quant/quant.h"
#include "test.h"
#include "test_onnx_util.h"

static int count_op(const zki_qmodel *m, int op, int *last)
{
    int k = 0;
    for (int i = 0; i < m->n_nodes; i++)
        if (m->nodes[i].op == op) {
            k++;
            *last = i;
        }
    return k;
}

/* Dequantised qexec output of m on the .npy input x against torch's y. */
static double qexec_err(const zki_qmodel *m, const char *xf, const char *yf)
{
    zki_host_tensor x, y;
    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    double err = -1;
    if (zki_tensor_read_any(tdata(xf), &x) != ZKI_OK || zki_tensor_read_any(tdata(yf), &y) != ZKI_OK || !y.f)
        goto out;
    int64_t *qin = NULL, **v = NULL;
    if (zki_quant_input(m, 0, &x, &qin) != ZKI_OK)
        goto out;
    if (zki_qexec(m, &qin, &v) == ZKI_OK) {
        const zki_qtensor *o = &m->t[m->outputs[0]];
        int64_t n = zki_qnumel(o);
        if (n == zki_host_tensor_numel(&y)) {
            err = 0;
            for (int64_t e = 0; e < n; e++)
                err = fmax(err, fabs((double)v[m->outputs[0]][e] * o->scale - (double)y.f[e]));
        }
        zki_qexec_free(m, v);
    }
    free(qin);
out:
    zki_host_tensor_clear(&x);
    zki_host_tensor_clear(&y);
    return err;
}

static void test_fixture(const char *name, const char *outer)
{
    char f[128], cf[128], xf[128], yf[128];
    snprintf(f, sizeof f, "%s.onnx", name);
    snprintf(cf, sizeof cf, "%s_calib.npy", name);
    snprintf(xf, sizeof xf, "%s_x.npy", name);
    snprintf(yf, sizeof yf, "%s_y.npy", name);
    zki_graph *g = NULL;
    CHECK_MSG(zki_onnx_load_file(tdata(f), &g) == ZKI_OK, "%s: %s", name, zki_last_error());
    if (!g)
        return;
    zki_host_tensor *cal = NULL;
    int ncal = 0;
    CHECK_MSG(zki_calib_load(g, tdata(cf), &cal, &ncal) == ZKI_OK, "%s: %s", name, zki_last_error());
    zki_qmodel *m = NULL;
    if (cal)
        CHECK_MSG(zki_quantize(g, cal, ncal, NULL, &m) == ZKI_OK, "%s: %s", name, zki_last_error());
    if (m) {
        int a = -1, nadd = count_op(m, ZKI_QOP_ADD, &a);
        CHECK_MSG(nadd == 1, "%s: %d ADD nodes", name, nadd);
        if (a >= 0) {
            const zki_qnode *n = &m->nodes[a];
            CHECK_MSG(n->n_in == 3 && n->n_p == 6, "%s: ADD of %d inputs, %d parameters", name, n->n_in, n->n_p);
            CHECK_MSG(strcmp(n->name, outer) == 0, "%s: ADD named '%s'", name, n->name);
            for (int j = 0; j < n->n_in; j++)
                CHECK(n->p[j] > 0 && m->t[n->in[j]].kind == ZKI_QT_VALUE);
        }
        double err = qexec_err(m, xf, yf);
        printf("%s: %d nodes, one ADD of %d inputs, max |qexec - torch| %.5f\n", name, m->n_nodes,
               a >= 0 ? m->nodes[a].n_in : 0, err);
        CHECK_MSG(err >= 0 && err <= 0.02, "%s: max |qexec - torch| = %g", name, err);
        uint8_t *buf = NULL;
        size_t len = 0;
        CHECK(zki_zkm_serialize(m, &buf, &len) == ZKI_OK);
        zki_qmodel *m2 = NULL;
        CHECK_MSG(zki_zkm_parse(buf, len, &m2) == ZKI_OK, "%s", zki_last_error());
        if (m2 && a >= 0) {
            const zki_qnode *n = &m->nodes[a], *n2 = &m2->nodes[a];
            CHECK(m2->n_nodes == m->n_nodes && n2->op == ZKI_QOP_ADD && n2->n_in == 3 && n2->n_p == n->n_p);
            CHECK(memcmp(n2->in, n->in, sizeof n->in) == 0 && memcmp(n2->p, n->p, sizeof n->p) == 0);
            CHECK(strcmp(n2->name, outer) == 0);
            CHECK(qexec_err(m2, xf, yf) == err);
        }
        zki_qmodel_free(m2);
        free(buf);
    }
    zki_qmodel_free(m);
    zki_samples_free(cal, ncal);
    zki_graph_free(g);
}

/* y = rq(x0*M0 + x1*M1 + x2*M2) over int16 inputs of shapes [2,3], [3], [2,1] */
static zki_qmodel *add3_model(int64_t M0, int64_t M1, int64_t M2, int s)
{
    zki_qmodel *m = calloc(1, sizeof *m);
    int64_t d0[2] = {2, 3}, d1[1] = {3}, d2[2] = {2, 1};
    int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 16, 2, d0, 1);
    int c1 = zki_qmodel_add_tensor(m, "c1", ZKI_QT_CONST, 16, 1, d1, 1);
    int c2 = zki_qmodel_add_tensor(m, "c2", ZKI_QT_CONST, 16, 2, d2, 1);
    int y = zki_qmodel_add_tensor(m, "y", ZKI_QT_VALUE, 16, 2, d0, 1);
    m->t[c1].data = malloc(3 * sizeof(int64_t));
    m->t[c2].data = malloc(2 * sizeof(int64_t));
    m->t[c1].data[0] = 5, m->t[c1].data[1] = -7, m->t[c1].data[2] = 32767;
    m->t[c2].data[0] = -32768, m->t[c2].data[1] = 11;
    int n = zki_qmodel_add_node(m, ZKI_QOP_ADD, "sum3");
    zki_qnode *q = &m->nodes[n];
    q->n_in = 3;
    q->in[0] = x, q->in[1] = c1, q->in[2] = c2;
    q->out = y;
    q->n_p = 6;
    int64_t p[6] = {M0, M1, M2, s, -32768, 32767};
    memcpy(q->p, p, sizeof p);
    m->inputs[m->n_inputs++] = x;
    m->outputs[m->n_outputs++] = y;
    return m;
}

static void test_hand_built(void)
{
    zki_qmodel *m = add3_model(3, -2, 1, 4);
    CHECK_MSG(zki_qmodel_check(m) == ZKI_OK, "%s", zki_last_error());
    int64_t xin[6] = {100, -200, 300, -32768, 0, 32767}, *xp = xin, **v = NULL;
    CHECK(zki_qexec(m, &xp, &v) == ZKI_OK);
    if (v) {
        int ok = 1;
        for (int r = 0; r < 2; r++)
            for (int k = 0; k < 3; k++) {
                int64_t acc = xin[3 * r + k] * 3 + m->t[1].data[k] * -2 + m->t[2].data[r];
                ok &= v[3][3 * r + k] == zki_rq(acc, 1, 4, -32768, 32767);
            }
        CHECK(ok);
        zki_qexec_free(m, v);
    }
    /* bound sum_i max|x_i| |M_i| + 2^(s-1): 2^15 2^46 + 32767 2^46 + 32768 + 8 < 2^62 passes */
    int64_t big = (int64_t)1 << 46;
    m->nodes[0].p[0] = big, m->nodes[0].p[1] = big, m->nodes[0].p[2] = 1;
    CHECK_MSG(zki_qmodel_check(m) == ZKI_OK, "%s", zki_last_error());
    m->nodes[0].p[2] = big; /* a third term of 2^61: refused, though any two terms pass */
    CHECK(zki_qmodel_check(m) == ZKI_ERR_INPUT);
    CHECK_MSG(strstr(zki_last_error(), "2^62") && strstr(zki_last_error(), "sum3"), "%s", zki_last_error());
    m->nodes[0].p[2] = 1;
    m->nodes[0].p[3] = 62; /* the rounding term 2^61 on top */
    CHECK(zki_qmodel_check(m) == ZKI_ERR_INPUT);
    m->nodes[0].p[3] = 4;
    CHECK(zki_qmodel_check(m) == ZKI_OK);
    m->nodes[0].n_p = 5; /* the binary layout for 3 inputs */
    CHECK(zki_qmodel_check(m) == ZKI_ERR_INPUT);
    CHECK_MSG(strstr(zki_last_error(), "expected 6"), "%s", zki_last_error());
    m->nodes[0].n_p = 6;
    int64_t *c2d = realloc(m->t[2].data, 4 * sizeof(int64_t)); /* room for [2,2] */
    CHECK(c2d != NULL);
    if (!c2d)
        return;
    m->t[2].data = c2d;
    c2d[2] = c2d[3] = 0;
    m->t[2].dims[1] = 2; /* c2 [2,2] does not broadcast to [2,3] */
    CHECK(zki_qmodel_check(m) == ZKI_ERR_INPUT);
    CHECK_MSG(strstr(zki_last_error(), "broadcast"), "%s", zki_last_error());
    m->t[2].dims[0] = 1, m->t[2].dims[1] = 1; /* c2 [1,1]: fine */
    CHECK_MSG(zki_qmodel_check(m) == ZKI_OK, "%s", zki_last_error());
    /* binary: p = Ma Mb s lo hi, as before */
    m->nodes[0].n_in = 2;
    m->nodes[0].in[2] = -1;
    int64_t p2[5] = {3, -2, 4, -32768, 32767};
    memcpy(m->nodes[0].p, p2, sizeof p2);
    m->nodes[0].n_p = 5;
    CHECK_MSG(zki_qmodel_check(m) == ZKI_OK, "%s", zki_last_error());
    v = NULL;
    CHECK(zki_qexec(m, &xp, &v) == ZKI_OK);
    if (v) {
        int ok = 1;
        for (int k = 0; k < 6; k++)
            ok &= v[3][k] == zki_rq(xin[k] * 3 + m->t[1].data[k % 3] * -2, 1, 4, -32768, 32767);
        CHECK(ok);
        zki_qexec_free(m, v);
    }
    m->nodes[0].n_in = 1; /* one input is no sum */
    m->nodes[0].n_p = 4;
    CHECK(zki_qmodel_check(m) == ZKI_ERR_INPUT);
    zki_qmodel_free(m);
}

/* ---- graphs through the IR API ---------------------------------------- */

static int vtensor(zki_graph *g, const char *name)
{
    return zki_graph_add_tensor(g, name, ZKI_T_VALUE, 0);
}

static void node2(zki_graph *g, int op, const char *name, int a, int b, int y)
{
    int n = zki_graph_add_node(g, op, name, b >= 0 ? 2 : 1, 1);
    g->nodes[n].in[0] = a;
    if (b >= 0)
        g->nodes[n].in[1] = b;
    g->nodes[n].out[0] = y;
    g->t[y].producer = n;
}

static zki_graph *new_graph(int *x)
{
    zki_graph *g = zki_graph_new();
    g->opset = 13;
    g->inputs = malloc(sizeof(int));
    g->outputs = malloc(2 * sizeof(int));
    *x = zki_graph_add_tensor(g, "x", ZKI_T_INPUT, ZKI_ET_FLOAT);
    g->t[*x].rank = 2;
    g->t[*x].dims[0] = 1;
    g->t[*x].dims[1] = 8;
    g->t[*x].shape_known = 1;
    g->inputs[g->n_inputs++] = *x;
    return g;
}

/* Quantises g on 16 samples of x in [-1, 1]; checks qexec against the
 * float graph (within 4 output steps) and returns the model. */
static zki_qmodel *quantise(zki_graph *g, const char *what)
{
    CHECK_MSG(zki_graph_prepare(g) == ZKI_OK, "%s: %s", what, zki_last_error());
    zki_host_tensor s[16];
    float buf[16][8];
    for (int k = 0; k < 16; k++) {
        memset(&s[k], 0, sizeof s[k]);
        s[k].et = ZKI_ET_FLOAT;
        s[k].rank = 2;
        s[k].dims[0] = 1;
        s[k].dims[1] = 8;
        for (int e = 0; e < 8; e++)
            buf[k][e] = (float)sin(0.7 * k + 1.3 * e + 0.1 * k * e);
        s[k].f = buf[k];
    }
    zki_qmodel *m = NULL;
    CHECK_MSG(zki_quantize(g, s, 16, NULL, &m) == ZKI_OK, "%s: %s", what, zki_last_error());
    if (!m)
        return NULL;
    int64_t *qin = NULL, **v = NULL;
    zki_buf *fv = NULL;
    double err = -1;
    const zki_qtensor *o = &m->t[m->outputs[0]];
    if (zki_quant_input(m, 0, &s[3], &qin) == ZKI_OK && zki_qexec(m, &qin, &v) == ZKI_OK &&
        zki_exec_float(g, &s[3], 1, &fv) == ZKI_OK) {
        err = 0;
        for (int e = 0; e < 8; e++)
            err = fmax(err, fabs((double)v[m->outputs[0]][e] * o->scale - (double)fv[g->outputs[0]].f[e]));
    }
    CHECK_MSG(err >= 0 && err <= 4 * o->scale, "%s: max |qexec - float| = %g (step %g)", what, err, o->scale);
    if (v)
        zki_qexec_free(m, v);
    if (fv)
        zki_exec_free(g, fv);
    free(qin);
    return m;
}

/* y = x + x - x + x - x ... : 20 nodes, 21 terms */
static void test_long_chain(void)
{
    int x;
    zki_graph *g = new_graph(&x);
    int prev = x;
    for (int k = 0; k < 20; k++) {
        char nm[32];
        snprintf(nm, sizeof nm, "s%d", k);
        int y = vtensor(g, nm);
        snprintf(nm, sizeof nm, "op%d", k);
        node2(g, k % 2 ? ZKI_OP_SUB : ZKI_OP_ADD, nm, prev, x, y);
        prev = y;
    }
    g->outputs[g->n_outputs++] = prev;
    zki_qmodel *m = quantise(g, "chain of 20");
    if (m) {
        int a = -1;
        CHECK_MSG(count_op(m, ZKI_QOP_ADD, &a) == 2 && m->n_nodes == 2, "%d nodes", m->n_nodes);
        const zki_qnode *n0 = &m->nodes[0], *n1 = &m->nodes[1];
        CHECK_MSG(n0->n_in == 16 && strcmp(n0->name, "op14") == 0, "%d inputs, '%s'", n0->n_in, n0->name);
        CHECK_MSG(n1->n_in == 6 && strcmp(n1->name, "op19") == 0, "%d inputs, '%s'", n1->n_in, n1->name);
        /* terms x (op0's two), then op1..op14's: Sub (odd k) gives -M */
        int signs = n0->p[0] > 0 && n0->p[1] > 0;
        for (int j = 2; j < 16; j++)
            signs &= (j % 2 == 0) == (n0->p[j] < 0) && llabs(n0->p[j]) == n0->p[0];
        CHECK(signs);
        /* op19's: op14's output, then op15..op19's x (op15, 17, 19 subtract) */
        CHECK(n1->in[0] == n0->out && n1->p[0] > 0 && n1->p[1] < 0 && n1->p[2] > 0 && n1->p[5] < 0);
    }
    zki_qmodel_free(m);
    zki_graph_free(g);
}

/* s = x + x; t = s + x with s also a graph output, or s through a Relu:
 * two ADDs of two inputs each */
static void test_not_absorbed(int relu)
{
    int x;
    zki_graph *g = new_graph(&x);
    int s = vtensor(g, "s"), t = vtensor(g, "t");
    node2(g, ZKI_OP_ADD, "inner", x, x, s);
    int r = s;
    if (relu) {
        r = vtensor(g, "r");
        node2(g, ZKI_OP_RELU, "relu", s, -1, r);
    }
    node2(g, ZKI_OP_ADD, "outer", r, x, t);
    g->outputs[g->n_outputs++] = t;
    if (!relu)
        g->outputs[g->n_outputs++] = s;
    zki_qmodel *m = quantise(g, relu ? "relu between" : "inner output");
    if (m) {
        int a = -1;
        CHECK_MSG(count_op(m, ZKI_QOP_ADD, &a) == 2, "%d nodes", m->n_nodes);
        for (int i = 0; i < m->n_nodes; i++)
            CHECK(m->nodes[i].n_in == 2 && m->nodes[i].n_p == 5);
        if (relu)
            CHECK(m->nodes[0].p[3] == 0); /* the Relu fused into the inner ADD */
    }
    zki_qmodel_free(m);
    zki_graph_free(g);
}

int main(void)
{
    test_hand_built();
    test_fixture("dag_add3", "/Add_1");
    test_fixture("dag_three_consumers", "/Add_1");
    test_long_chain();
    test_not_absorbed(0);
    test_not_absorbed(1);
    return TEST_SUMMARY();
}
