#include "graph/passes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "graph/channel_affine.h"
#include "graph/norm_fuse.h"
#include "graph/recurrent.h"

/* Appends a constant tensor and wires it as input `slot` of node ni. */
static zki_status add_const_input(zki_graph *g, int ni, int slot, int et, int rank, const int64_t *dims,
                                      float *f, int64_t *iv)
{
    char nm[300];
    snprintf(nm, sizeof nm, "%s::in%d", g->nodes[ni].name, slot);
    int ti = zki_graph_add_tensor(g, nm, ZKI_T_CONST, et);
    if (ti < 0) {
        free(f);
        free(iv);
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    }
    zki_tensor_set_const(&g->t[ti], rank, dims, f, iv);
    zki_node *n = &g->nodes[ni];
    if (slot >= n->n_in) {
        int *in = realloc(n->in, sizeof(int) * (size_t)(slot + 1));
        if (!in)
            return zki_fail(ZKI_ERR_NOMEM, "out of memory");
        for (int k = n->n_in; k <= slot; k++)
            in[k] = -1;
        n->in = in;
        n->n_in = slot + 1;
    }
    n->in[slot] = ti;
    return ZKI_OK;
}

static zki_status ints_input(zki_graph *g, int ni, int slot, const char *attr, int required)
{
    const int64_t *v;
    int c = zki_attr_ints(&g->nodes[ni], attr, &v);
    if (!zki_attr_get(&g->nodes[ni], attr)) {
        if (required)
            return zki_node_fail(&g->nodes[ni], ZKI_ERR_INPUT, "attribute '%s' is required", attr);
        return ZKI_OK;
    }
    int64_t *d = malloc(sizeof(int64_t) * (size_t)(c + 1));
    if (!d)
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    if (c)
        memcpy(d, v, sizeof(int64_t) * (size_t)c);
    int64_t dim = c;
    return add_const_input(g, ni, slot, ZKI_ET_INT64, 1, &dim, NULL, d);
}

static zki_status float_input(zki_graph *g, int ni, int slot, const char *attr)
{
    const zki_attr *a = zki_attr_get(&g->nodes[ni], attr);
    if (!a)
        return ZKI_OK;
    float *f = malloc(sizeof(float));
    if (!f)
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    f[0] = (float)a->f;
    return add_const_input(g, ni, slot, ZKI_ET_FLOAT, 0, NULL, f, NULL);
}

/* Rewrites attribute forms of old opsets into the inputs of newer ones. */
static zki_status normalise(zki_graph *g, int ni)
{
    zki_node *n = &g->nodes[ni];
    zki_status st = ZKI_OK;
    int os = n->opset;
    if (n->n_in < 1 || n->in[0] < 0)
        return zki_node_fail(n, ZKI_ERR_INPUT, "first input is missing");
    switch (n->op) {
    case ZKI_OP_SLICE:
        if (os < 10) {
            if (n->n_in != 1)
                return zki_node_fail(n, ZKI_ERR_INPUT, "opset < 10 Slice takes one input");
            if ((st = ints_input(g, ni, 1, "starts", 1)) || (st = ints_input(g, ni, 2, "ends", 1)) ||
                (st = ints_input(g, ni, 3, "axes", 0)))
                return st;
        }
        break;
    case ZKI_OP_SQUEEZE: case ZKI_OP_UNSQUEEZE:
        if (os < 13) {
            if (n->n_in != 1)
                return zki_node_fail(n, ZKI_ERR_INPUT, "opset < 13 takes one input");
            return ints_input(g, ni, 1, "axes", n->op == ZKI_OP_UNSQUEEZE);
        }
        break;
    case ZKI_OP_PAD:
        if (os < 11) {
            if (n->n_in != 1)
                return zki_node_fail(n, ZKI_ERR_INPUT, "opset < 11 Pad takes one input");
            if ((st = ints_input(g, ni, 1, "pads", 1)) || (st = float_input(g, ni, 2, "value")))
                return st;
        }
        break;
    case ZKI_OP_CLIP:
        if (os < 11) {
            if (n->n_in != 1)
                return zki_node_fail(n, ZKI_ERR_INPUT, "opset < 11 Clip takes one input");
            if ((st = float_input(g, ni, 1, "min")) || (st = float_input(g, ni, 2, "max")))
                return st;
        }
        break;
    case ZKI_OP_SPLIT:
        if (os < 13 && n->n_in == 1)
            return ints_input(g, ni, 1, "split", 0);
        break;
    case ZKI_OP_REDUCEMEAN:
        if (os < 18 && n->n_in > 1)
            return zki_node_fail(n, ZKI_ERR_INPUT, "opset < 18 ReduceMean takes one input");
        break;
    default:
        break;
    }
    return ZKI_OK;
}

static int is_foldable(const zki_graph *g, const zki_node *n)
{
    if (n->op == ZKI_OP_SHAPE)
        return 1;
    for (int k = 0; k < n->n_in; k++)
        if (n->in[k] >= 0 && g->t[n->in[k]].kind != ZKI_T_CONST)
            return 0;
    return 1;
}

static zki_status alloc_buf(const zki_tensor *t, zki_buf *b)
{
    int64_t cnt = zki_tensor_numel(t);
    size_t c = (size_t)(cnt > 0 ? cnt : 1);
    b->f = NULL;
    b->i = NULL;
    if (zki_et_is_float(t->et) == 1)
        b->f = calloc(c, sizeof(float));
    else
        b->i = calloc(c, sizeof(int64_t));
    if (!b->f && !b->i)
        return zki_fail(ZKI_ERR_NOMEM, "tensor '%s': cannot allocate %lld elements", t->name, (long long)cnt);
    return ZKI_OK;
}

/* Evaluates node ni (all inputs constant) and makes its outputs constants. */
static zki_status fold_node(zki_graph *g, int ni, zki_buf *vals)
{
    zki_node *n = &g->nodes[ni];
    for (int k = 0; k < n->n_in; k++)
        if (n->in[k] >= 0) {
            vals[n->in[k]].f = g->t[n->in[k]].f;
            vals[n->in[k]].i = g->t[n->in[k]].i;
        }
    for (int k = 0; k < n->n_out; k++)
        if (n->out[k] >= 0) {
            zki_status st = alloc_buf(&g->t[n->out[k]], &vals[n->out[k]]);
            if (st != ZKI_OK)
                return st;
        }
    zki_status st = zki_op_run(g, n, vals);
    for (int k = 0; k < n->n_out; k++) {
        int o = n->out[k];
        if (o < 0)
            continue;
        if (st == ZKI_OK) {
            zki_tensor *t = &g->t[o];
            zki_tensor_set_const(t, t->rank, t->dims, vals[o].f, vals[o].i);
            t->producer = -1;
        } else {
            free(vals[o].f);
            free(vals[o].i);
        }
        vals[o].f = NULL;
        vals[o].i = NULL;
    }
    return st;
}

static void count_uses(const zki_graph *g, const uint8_t *dead, int *uses)
{
    memset(uses, 0, sizeof(int) * (size_t)g->n_tensors);
    for (int i = 0; i < g->n_nodes; i++) {
        if (dead[i])
            continue;
        for (int k = 0; k < g->nodes[i].n_in; k++)
            if (g->nodes[i].in[k] >= 0)
                uses[g->nodes[i].in[k]]++;
    }
    for (int k = 0; k < g->n_outputs; k++)
        uses[g->outputs[k]] += 1000000; /* a graph output is never rewired away */
}

static int const_float(const zki_graph *g, int ti)
{
    return ti >= 0 && g->t[ti].kind == ZKI_T_CONST && g->t[ti].f;
}

/* A BatchNormalization's per-channel affine map y = x*k + shift:
 * k = gamma / sqrt(var + eps), shift = beta - mean * k. */
static void bn_affine(const zki_graph *g, const zki_node *bn, int64_t c, double *k, double *shift)
{
    double eps = zki_attr_float(bn, "epsilon", 1e-5);
    const float *sc = g->t[bn->in[1]].f, *bb = g->t[bn->in[2]].f, *mu = g->t[bn->in[3]].f,
                *var = g->t[bn->in[4]].f;
    *k = sc[c] / sqrt((double)var[c] + eps);
    *shift = bb[c] - mu[c] * *k;
}

/* Folds BatchNormalization node bi into its producer Conv/Gemm if possible. */
static zki_status fold_bn(zki_graph *g, int bi, const int *uses, uint8_t *dead)
{
    zki_node *bn = &g->nodes[bi];
    int x = bn->in[0];
    int pi = g->t[x].producer;
    if (pi < 0 || dead[pi] || uses[x] != 1)
        return ZKI_OK;
    zki_node *p = &g->nodes[pi];
    if (p->op != ZKI_OP_CONV && p->op != ZKI_OP_GEMM)
        return ZKI_OK;
    int w = p->in[1], b = p->n_in > 2 ? p->in[2] : -1;
    for (int k = 1; k < 5; k++)
        if (!const_float(g, bn->in[k]))
            return ZKI_OK;
    if (!const_float(g, w) || (b >= 0 && !const_float(g, b)))
        return ZKI_OK;
    const zki_tensor *wt = &g->t[w], *xt = &g->t[x];
    int64_t C = xt->dims[1];
    double alpha = 1, beta = 1;
    int tb = 0;
    if (p->op == ZKI_OP_GEMM) {
        alpha = zki_attr_float(p, "alpha", 1.0);
        beta = zki_attr_float(p, "beta", 1.0);
        tb = zki_attr_int(p, "transB", 0) != 0;
        if (b >= 0 && zki_tensor_numel(&g->t[b]) != C)
            return ZKI_OK; /* a per-row bias cannot absorb a per-column shift */
    }
    int64_t wn = zki_tensor_numel(wt);
    float *nw = malloc(sizeof(float) * (size_t)(wn > 0 ? wn : 1));
    float *nb = malloc(sizeof(float) * (size_t)(C > 0 ? C : 1));
    if (!nw || !nb) {
        free(nw);
        free(nb);
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    }
    double k, shift;
    for (int64_t c = 0; c < C; c++) {
        bn_affine(g, bn, c, &k, &shift);
        if (!isfinite(k) || !isfinite(shift)) { /* named here: the folded Conv's weights would carry it */
            free(nw);
            free(nb);
            return zki_fail(ZKI_ERR_INPUT, "node '%s' (BatchNormalization): channel %lld's scale or shift is %s; "
                            "scale, B, mean and var must be finite and var + epsilon > 0 (check the "
                            "training run or the export)", bn->name, (long long)c,
                            isnan(k) || isnan(shift) ? "NaN" : "infinite");
        }
        double b0 = b >= 0 ? beta * g->t[b].f[c] : 0;
        nb[c] = (float)(b0 * k + shift);
    }
    for (int64_t e = 0; e < wn; e++) {
        int64_t c;
        if (p->op == ZKI_OP_CONV)
            c = e / (wn / C);
        else
            c = tb ? e / wt->dims[1] : e % wt->dims[1];
        bn_affine(g, bn, c, &k, &shift);
        nw[e] = (float)(wt->f[e] * alpha * k);
    }
    int64_t cd = C;
    int tw = zki_graph_add_float_const(g, p->name, "bnfold_w", g->t[w].rank, g->t[w].dims, nw);
    int tbias = tw >= 0 ? zki_graph_add_float_const(g, p->name, "bnfold_b", 1, &cd, nb) : -1;
    if (tbias < 0) {
        if (tw < 0)
            free(nb);
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    }
    bn = &g->nodes[bi];
    p = &g->nodes[pi];
    if (p->n_in < 3) {
        int *in = realloc(p->in, sizeof(int) * 3);
        if (!in)
            return zki_fail(ZKI_ERR_NOMEM, "out of memory");
        p->in = in;
        p->n_in = 3;
    }
    p->in[1] = tw;
    p->in[2] = tbias;
    if (p->op == ZKI_OP_GEMM) {
        /* alpha and beta are now inside the constants */
        for (int a = 0; a < p->n_attr; a++)
            if (!strcmp(p->attr[a].name, "alpha") || !strcmp(p->attr[a].name, "beta"))
                p->attr[a].f = 1.0;
    }
    /* the producer now writes the BN output directly */
    int y = bn->out[0];
    p->out[0] = y;
    g->t[y].producer = pi;
    g->t[x].producer = -1;
    dead[bi] = 1;
    return ZKI_OK;
}

/* A BatchNormalization no Conv/Gemm absorbed (DenseNet normalises after a
 * Concat) becomes a depthwise 1x1 Conv over its NCHW input: group = C,
 * weight[c] = gamma / sqrt(var + eps), bias[c] = beta - mean * weight[c],
 * which the quantiser and the CONV gadget already take. Other ranks and
 * non-constant parameters stay a BatchNormalization (refused later). */
static zki_status bn_to_conv(zki_graph *g, int bi)
{
    zki_node *bn = &g->nodes[bi];
    const zki_tensor *x = &g->t[bn->in[0]];
    if (x->rank != 4)
        return ZKI_OK;
    for (int k = 1; k < 5; k++)
        if (!const_float(g, bn->in[k]))
            return ZKI_OK;
    int64_t C = x->dims[1], wd[4] = {C, 1, 1, 1}, ks[2] = {1, 1};
    float *w = malloc(sizeof(float) * (size_t)(C > 0 ? C : 1)), *b = malloc(sizeof(float) * (size_t)(C > 0 ? C : 1));
    if (!w || !b) {
        free(w);
        free(b);
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    }
    for (int64_t c = 0; c < C; c++) {
        double k, shift;
        bn_affine(g, bn, c, &k, &shift);
        w[c] = (float)k;
        b[c] = (float)shift;
    }
    int tw = zki_graph_add_float_const(g, bn->name, "dw_w", 4, wd, w);
    int tb = tw >= 0 ? zki_graph_add_float_const(g, g->nodes[bi].name, "dw_b", 1, &C, b) : -1;
    if (tb < 0) {
        if (tw < 0)
            free(b);
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    }
    bn = &g->nodes[bi];
    bn->op = ZKI_OP_CONV;
    bn->in[1] = tw;
    bn->in[2] = tb;
    bn->n_in = 3; /* mean and var are no longer read */
    if (zki_attr_set_int(bn, "group", C) != ZKI_OK || zki_attr_set_ints(bn, "kernel_shape", ks, 2) != ZKI_OK)
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    return ZKI_OK;
}

/* x * g(x), a self-gated activation, becomes one op: one lookup table
 * instead of a table and a product of two activations. x * Sigmoid(x)
 * (torch's SiLU: EfficientNet) is Swish, x * sigmoid(alpha x) with alpha 1;
 * x * HardSigmoid(x) with alpha 1/6, beta 1/2 (torch's hardswish exported
 * below opset 14: MobileNetV3) is HardSwish. */
static void fuse_self_gate(zki_graph *g, int mi, const int *uses, uint8_t *dead)
{
    zki_node *m = &g->nodes[mi];
    for (int k = 0; k < 2; k++) {
        int x = m->in[k], h = m->in[1 - k], hi = h >= 0 ? g->t[h].producer : -1;
        if (x < 0 || hi < 0 || dead[hi] || uses[h] != 1 || g->nodes[hi].in[0] != x)
            continue;
        const zki_node *gate = &g->nodes[hi];
        int op = -1;
        if (gate->op == ZKI_OP_SIGMOID)
            op = ZKI_OP_SWISH;
        else if (gate->op == ZKI_OP_HARDSIGMOID && fabs(zki_attr_float(gate, "alpha", 0.2) - 1.0 / 6.0) < 1e-6 &&
                 fabs(zki_attr_float(gate, "beta", 0.5) - 0.5) < 1e-6)
            op = ZKI_OP_HARDSWISH;
        if (op < 0)
            continue;
        m->op = op;
        m->in[0] = x;
        m->n_in = 1;
        dead[hi] = 1;
        g->t[h].producer = -1;
        return;
    }
}

static void replace_uses(zki_graph *g, const uint8_t *dead, int from, int to)
{
    for (int i = 0; i < g->n_nodes; i++) {
        if (dead[i])
            continue;
        for (int k = 0; k < g->nodes[i].n_in; k++)
            if (g->nodes[i].in[k] == from)
                g->nodes[i].in[k] = to;
    }
    for (int k = 0; k < g->n_outputs; k++)
        if (g->outputs[k] == from)
            g->outputs[k] = to;
}

/* Div by a float constant becomes Mul by its reciprocal (one op fewer for
 * the quantiser). */
static zki_status div_to_mul(zki_graph *g, int ni)
{
    zki_node *n = &g->nodes[ni];
    int c = n->in[1];
    if (!const_float(g, c) || zki_et_is_float(g->t[n->in[0]].et) != 1)
        return ZKI_OK;
    const zki_tensor *t = &g->t[c];
    int64_t cnt = zki_tensor_numel(t);
    float *r = malloc(sizeof(float) * (size_t)(cnt > 0 ? cnt : 1));
    if (!r)
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    for (int64_t k = 0; k < cnt; k++)
        r[k] = 1.0f / t->f[k];
    char nm[300];
    snprintf(nm, sizeof nm, "%s::recip", t->name);
    int ti = zki_graph_add_tensor(g, nm, ZKI_T_CONST, ZKI_ET_FLOAT);
    if (ti < 0) {
        free(r);
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    }
    zki_tensor_set_const(&g->t[ti], g->t[c].rank, g->t[c].dims, r, NULL);
    g->nodes[ni].in[1] = ti;
    g->nodes[ni].op = ZKI_OP_MUL;
    return ZKI_OK;
}

/* Drops dead nodes and unreferenced tensors, renumbering what is left. */
static zki_status compact(zki_graph *g, uint8_t *dead)
{
    int nt = g->n_tensors;
    uint8_t *live = calloc((size_t)nt + 1, 1);
    int *map = malloc(sizeof(int) * ((size_t)nt + 1));
    if (!live || !map) {
        free(live);
        free(map);
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    }
    for (int k = 0; k < g->n_outputs; k++)
        live[g->outputs[k]] = 1;
    /* backwards liveness: a node lives if one of its outputs does */
    for (int i = g->n_nodes - 1; i >= 0; i--) {
        zki_node *n = &g->nodes[i];
        if (dead[i])
            continue;
        int any = 0;
        for (int k = 0; k < n->n_out; k++)
            if (n->out[k] >= 0 && live[n->out[k]])
                any = 1;
        if (!any) {
            dead[i] = 1;
            continue;
        }
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] >= 0)
                live[n->in[k]] = 1;
        for (int k = 0; k < n->n_out; k++)
            if (n->out[k] >= 0)
                live[n->out[k]] = 1;
    }
    for (int k = 0; k < g->n_inputs; k++)
        live[g->inputs[k]] = 1; /* inputs stay, even if unused */
    int j = 0;
    for (int t = 0; t < nt; t++) {
        if (live[t]) {
            map[t] = j;
            if (j != t)
                g->t[j] = g->t[t];
            j++;
        } else {
            map[t] = -1;
            free(g->t[t].name);
            free(g->t[t].f);
            free(g->t[t].i);
        }
    }
    g->n_tensors = j;
    int m = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        zki_node *n = &g->nodes[i];
        if (dead[i]) {
            free(n->name);
            free(n->in);
            free(n->out);
            for (int a = 0; a < n->n_attr; a++) {
                free(n->attr[a].name);
                free(n->attr[a].s);
                free(n->attr[a].fs);
                free(n->attr[a].is);
            }
            free(n->attr);
            continue;
        }
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] >= 0)
                n->in[k] = map[n->in[k]];
        for (int k = 0; k < n->n_out; k++)
            if (n->out[k] >= 0)
                n->out[k] = map[n->out[k]]; /* unused optional outputs may become -1 */
        g->nodes[m++] = *n;
    }
    g->n_nodes = m;
    for (int t = 0; t < g->n_tensors; t++)
        g->t[t].producer = -1;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_out; k++)
            if (g->nodes[i].out[k] >= 0)
                g->t[g->nodes[i].out[k]].producer = i;
    for (int k = 0; k < g->n_inputs; k++)
        g->inputs[k] = map[g->inputs[k]];
    for (int k = 0; k < g->n_outputs; k++)
        g->outputs[k] = map[g->outputs[k]];
    memset(dead, 0, (size_t)g->n_nodes);
    free(live);
    free(map);
    return ZKI_OK;
}

/* Room in *uses for every tensor (passes add constants). */
static zki_status grow_uses(const zki_graph *g, int **uses)
{
    int *nu = realloc(*uses, sizeof(int) * ((size_t)g->n_tensors + 64));
    if (!nu)
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    *uses = nu;
    return ZKI_OK;
}

zki_status zki_graph_prepare(zki_graph *g)
{
    zki_status st = ZKI_OK;
    for (int i = 0; i < g->n_nodes; i++)
        if ((st = normalise(g, i)) != ZKI_OK)
            return st;
    int nn = g->n_nodes;
    uint8_t *dead = calloc((size_t)nn + 1, 1);
    zki_buf *vals = calloc((size_t)g->n_tensors + 1, sizeof(zki_buf));
    int *uses = NULL;
    if (!dead || !vals) {
        st = zki_fail(ZKI_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < nn; i++) {
        if ((st = zki_op_infer(g, i)) != ZKI_OK)
            goto done;
        if (is_foldable(g, &g->nodes[i])) {
            if ((st = fold_node(g, i, vals)) != ZKI_OK)
                goto done;
            dead[i] = 1;
        }
    }
    for (int k = 0; k < g->n_outputs; k++)
        if (!g->t[g->outputs[k]].shape_known) {
            st = zki_fail(ZKI_ERR_INPUT, "graph output '%s' has no shape", g->t[g->outputs[k]].name);
            goto done;
        }
    if ((st = grow_uses(g, &uses)) != ZKI_OK)
        goto done;
    for (int i = 0; i < nn; i++) {
        if (dead[i] || g->nodes[i].op != ZKI_OP_BATCHNORM)
            continue;
        count_uses(g, dead, uses);
        if ((st = fold_bn(g, i, uses, dead)) != ZKI_OK || (st = grow_uses(g, &uses)) != ZKI_OK)
            goto done;
    }
    for (int i = 0; i < nn; i++)
        if (!dead[i] && g->nodes[i].op == ZKI_OP_BATCHNORM && (st = bn_to_conv(g, i)) != ZKI_OK)
            goto done;
    /* before Div by a constant becomes a Mul: the chains' Divs by a sqrt */
    if ((st = zki_graph_fuse_norms(g, dead)) != ZKI_OK || (st = grow_uses(g, &uses)) != ZKI_OK)
        goto done;
    for (int i = 0; i < nn; i++)
        if (!dead[i] && g->nodes[i].op == ZKI_OP_DIV && (st = div_to_mul(g, i)) != ZKI_OK)
            goto done;
    for (int i = 0; i < nn; i++)
        if (!dead[i] && (st = zki_channel_affine_to_conv(g, i)) != ZKI_OK)
            goto done;
    if ((st = grow_uses(g, &uses)) != ZKI_OK)
        goto done;
    count_uses(g, dead, uses);
    for (int i = 0; i < nn; i++)
        if (!dead[i] && g->nodes[i].op == ZKI_OP_MUL && g->nodes[i].n_in == 2)
            fuse_self_gate(g, i, uses, dead);
    for (int i = 0; i < nn; i++) {
        zki_node *n = &g->nodes[i];
        if (dead[i])
            continue;
        /* a Concat of one input (DenseNet's first layer of a block: torch.cat
         * of a list of one) copies it */
        if (n->op == ZKI_OP_IDENTITY || n->op == ZKI_OP_DROPOUT || (n->op == ZKI_OP_CONCAT && n->n_in == 1)) {
            count_uses(g, dead, uses);
            if (n->n_out > 1 && n->out[1] >= 0 && uses[n->out[1]])
                continue; /* a used Dropout mask keeps the node */
            int in = n->in[0], out = n->out[0];
            int is_out = 0;
            for (int k = 0; k < g->n_outputs; k++)
                is_out |= g->outputs[k] == out;
            if (is_out && g->t[in].kind != ZKI_T_VALUE)
                continue; /* keep a graph output distinct from an input or constant */
            dead[i] = 1;
            replace_uses(g, dead, out, in);
        }
    }
    st = compact(g, dead);
    if (st == ZKI_OK && zki_graph_has_recurrent(g)) {
        /* LSTM / GRU become feed-forward nodes; what they leave unused goes */
        uint8_t *d2 = NULL;
        if ((st = zki_graph_unroll_recurrent(g)) == ZKI_OK) {
            d2 = calloc((size_t)g->n_nodes + 1, 1);
            st = d2 ? compact(g, d2) : zki_fail(ZKI_ERR_NOMEM, "out of memory");
        }
        free(d2);
    }
    if (st == ZKI_OK)
        st = zki_graph_expand_prelu(g);
done:
    free(dead);
    free(uses);
    free(vals);
    return st;
}

void zki_exec_free(const zki_graph *g, zki_buf *vals)
{
    if (!vals)
        return;
    for (int t = 0; t < g->n_tensors; t++)
        if (g->t[t].kind != ZKI_T_CONST) {
            free(vals[t].f);
            free(vals[t].i);
        }
    free(vals);
}

zki_status zki_exec_float(const zki_graph *g, const zki_host_tensor *inputs, int n_inputs, zki_buf **out)
{
    *out = NULL;
    if (n_inputs != g->n_inputs)
        return zki_fail(ZKI_ERR_INPUT, "model has %d inputs, %d given", g->n_inputs, n_inputs);
    zki_buf *v = calloc((size_t)g->n_tensors + 1, sizeof(zki_buf));
    if (!v)
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    zki_status st = ZKI_OK;
    for (int t = 0; t < g->n_tensors; t++)
        if (g->t[t].kind == ZKI_T_CONST) {
            v[t].f = g->t[t].f;
            v[t].i = g->t[t].i;
        }
    for (int k = 0; k < n_inputs; k++) {
        int ti = g->inputs[k];
        const zki_tensor *t = &g->t[ti];
        const zki_host_tensor *h = &inputs[k];
        int64_t cnt = zki_tensor_numel(t);
        if (zki_host_tensor_numel(h) != cnt) {
            st = zki_fail(ZKI_ERR_INPUT, "input '%s': %lld elements given, %lld expected", t->name,
                          (long long)zki_host_tensor_numel(h), (long long)cnt);
            goto fail;
        }
        if ((st = alloc_buf(t, &v[ti])) != ZKI_OK)
            goto fail;
        for (int64_t e = 0; e < cnt; e++) {
            if (v[ti].f)
                v[ti].f[e] = h->f ? h->f[e] : (float)h->i[e];
            else if (h->i)
                v[ti].i[e] = h->i[e];
            else {
                st = zki_fail(ZKI_ERR_INPUT, "input '%s' needs integer data", t->name);
                goto fail;
            }
        }
    }
    for (int i = 0; i < g->n_nodes; i++) {
        const zki_node *n = &g->nodes[i];
        for (int k = 0; k < n->n_out; k++)
            if (n->out[k] >= 0 && (st = alloc_buf(&g->t[n->out[k]], &v[n->out[k]])) != ZKI_OK)
                goto fail;
        if ((st = zki_op_run(g, n, v)) != ZKI_OK)
            goto fail;
    }
    *out = v;
    return ZKI_OK;
fail:
    zki_exec_free(g, v);
    return st;
}
