#include "graph/channel_affine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

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
