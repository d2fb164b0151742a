#include "graph/channel_affine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "graph/splice.h"

/* Whether constant c holds one value per channel of a [N, C, H, W] map: it
 * broadcasts to the map (numpy rules) with every axis but the channel axis
 * of size 1. Scalars are left to the quantiser: a Mul by one is an exact
 * requantisation, an Add of one joins the elementwise region around it
 * (one lookup table). */
static int channel_values(const zki_tensor *c, int64_t C)
{
    if (c->kind != ZKI_T_CONST || !c->f || c->rank > 4)
        return 0;
    if (zki_tensor_numel(c) != C || c->rank < 3)
        return 0;
    for (int a = 0; a < c->rank; a++) {
        int axis = a + 4 - c->rank; /* the map's axis this one aligns with */
        if (c->dims[a] != (axis == 1 ? C : 1))
            return 0;
    }
    return 1;
}

zki_status zki_channel_affine_to_conv(zki_graph *g, int ni)
{
    zki_node *n = &g->nodes[ni];
    int op = n->op;
    if ((op != ZKI_OP_MUL && op != ZKI_OP_ADD && op != ZKI_OP_SUB) || n->n_in != 2 || n->in[0] < 0 ||
        n->in[1] < 0)
        return ZKI_OK;
    /* k: the map operand; 1 - k: the constant */
    int k = g->t[n->in[0]].kind == ZKI_T_CONST ? 1 : 0;
    const zki_tensor *x = &g->t[n->in[k]], *c = &g->t[n->in[1 - k]], *y = &g->t[n->out[0]];
    if (x->kind == ZKI_T_CONST || x->rank != 4 || zki_et_is_float(x->et) != 1 || !x->shape_known ||
        y->rank != 4 || memcmp(y->dims, x->dims, sizeof(int64_t) * 4) != 0)
        return ZKI_OK;
    int64_t C = x->dims[1];
    if (C < 2 || !channel_values(c, C))
        return ZKI_OK;
    float *w = malloc(sizeof(float) * (size_t)C), *b = op == ZKI_OP_MUL ? NULL : malloc(sizeof(float) * (size_t)C);
    if (!w || (op != ZKI_OP_MUL && !b)) {
        free(w);
        free(b);
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    }
    for (int64_t ch = 0; ch < C; ch++) {
        float v = c->f[ch];
        if (op == ZKI_OP_MUL) {
            w[ch] = v;
        } else {
            /* x + v, x - v, or v - x (the constant first) */
            w[ch] = op == ZKI_OP_SUB && k == 1 ? -1.0f : 1.0f;
            b[ch] = op == ZKI_OP_SUB && k == 0 ? -v : v;
        }
    }
    char name[256];
    snprintf(name, sizeof name, "%s", n->name);
    int xi = n->in[k];
    int64_t wd[4] = {C, 1, 1, 1}, ks[2] = {1, 1};
    int tw = zki_graph_add_float_const(g, name, "dw_w", 4, wd, w);
    int tb = b && tw >= 0 ? zki_graph_add_float_const(g, name, "dw_b", 1, &C, b) : -1;
    if (tw < 0 || (b && tb < 0)) {
        if (tw < 0)
            free(b);
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    }
    n = &g->nodes[ni];
    if (b) {
        /* a third input slot: the node was built with two */
        int *in = realloc(n->in, sizeof(int) * 3);
        if (!in)
            return zki_fail(ZKI_ERR_NOMEM, "out of memory");
        n->in = in;
        n->in[2] = tb;
    }
    n->op = ZKI_OP_CONV;
    n->in[0] = xi;
    n->in[1] = tw;
    n->n_in = b ? 3 : 2;
    if (zki_attr_set_int(n, "group", C) != ZKI_OK || zki_attr_set_ints(n, "kernel_shape", ks, 2) != ZKI_OK)
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    return ZKI_OK;
}

/* A new float value tensor "<node>::<what>", or -1. */
static int new_value(zki_graph *g, const char *node, const char *what)
{
    char nm[300];
    snprintf(nm, sizeof nm, "%s::%s", node, what);
    return zki_graph_add_tensor(g, nm, ZKI_T_VALUE, ZKI_ET_FLOAT);
}

/* Appends op(in) -> out (a second input in1 >= 0); -1 when out of memory. */
static int new_node(zki_graph *g, int op, const char *node, const char *what, int in0, int in1, int out)
{
    char nm[300];
    snprintf(nm, sizeof nm, "%s::%s", node, what);
    int ni = zki_graph_add_node(g, op, nm, in1 >= 0 ? 2 : 1, 1);
    if (ni >= 0) {
        g->nodes[ni].in[0] = in0;
        if (in1 >= 0)
            g->nodes[ni].in[1] = in1;
        g->nodes[ni].out[0] = out;
    }
    return ni;
}

/* Node pi (a per-channel PRelu) becomes Add(Relu(x), Conv(Relu(Neg(x)), -a));
 * the four new nodes are appended. Returns 1 when rewritten, 0 when not
 * such a node, -1 when out of memory. */
static int expand_one(zki_graph *g, int pi)
{
    const zki_node *n = &g->nodes[pi];
    if (n->op != ZKI_OP_PRELU || n->n_in != 2 || n->in[0] < 0 || n->in[1] < 0)
        return 0;
    const zki_tensor *x = &g->t[n->in[0]], *a = &g->t[n->in[1]];
    if (x->rank != 4 || zki_et_is_float(x->et) != 1 || x->dims[1] < 2 || !channel_values(a, x->dims[1]))
        return 0;
    int64_t C = x->dims[1], wd[4] = {C, 1, 1, 1}, ks[2] = {1, 1};
    float *w = malloc(sizeof(float) * (size_t)C);
    if (!w)
        return -1;
    for (int64_t c = 0; c < C; c++)
        w[c] = -a->f[c];
    char name[256];
    snprintf(name, sizeof name, "%s", n->name);
    int xi = n->in[0];
    int tw = zki_graph_add_float_const(g, name, "prelu_w", 4, wd, w);
    int neg = new_value(g, name, "neg"), nrelu = new_value(g, name, "neg_relu");
    int conv = new_value(g, name, "neg_part"), pos = new_value(g, name, "pos_part");
    if (tw < 0 || neg < 0 || nrelu < 0 || conv < 0 || pos < 0)
        return -1;
    int n0 = new_node(g, ZKI_OP_NEG, name, "neg", xi, -1, neg);
    int n1 = n0 >= 0 ? new_node(g, ZKI_OP_RELU, name, "neg_relu", neg, -1, nrelu) : -1;
    int n2 = n1 >= 0 ? new_node(g, ZKI_OP_CONV, name, "neg_part", nrelu, tw, conv) : -1;
    int n3 = n2 >= 0 ? new_node(g, ZKI_OP_RELU, name, "pos_part", xi, -1, pos) : -1;
    if (n3 < 0 || zki_attr_set_int(&g->nodes[n2], "group", C) != ZKI_OK ||
        zki_attr_set_ints(&g->nodes[n2], "kernel_shape", ks, 2) != ZKI_OK)
        return -1;
    zki_node *p = &g->nodes[pi];
    p->op = ZKI_OP_ADD;
    p->in[0] = pos;
    p->in[1] = conv;
    return 1;
}

zki_status zki_graph_expand_prelu(zki_graph *g)
{
    int n0 = g->n_nodes;
    /* first[i], end[i]: the nodes appended for node i */
    int *first = malloc(sizeof(int) * (size_t)(n0 + 1)), *end = malloc(sizeof(int) * (size_t)(n0 + 1));
    zki_status st = ZKI_OK;
    int any = 0;
    if (!first || !end) {
        st = zki_fail(ZKI_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < n0; i++) {
        first[i] = g->n_nodes;
        int r = expand_one(g, i);
        if (r < 0) {
            st = zki_fail(ZKI_ERR_NOMEM, "out of memory");
            goto done;
        }
        any |= r;
        end[i] = g->n_nodes;
    }
    if (any)
        st = zki_graph_splice(g, n0, first, end, 1);
done:
    free(first);
    free(end);
    return st;
}
