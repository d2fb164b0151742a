/* Elementwise regions (quant/fuse_unary.h). */
#include "quant/fuse_unary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "graph/ops.h"

/* Members of one region in topological order, at most this many (a
 * decomposed GELU-tanh has 8). */
#define REGION_MAX 32

static const float *scalar_const(const zki_graph *g, int t)
{
    if (t < 0 || g->t[t].kind != ZKI_T_CONST || !g->t[t].f || zki_tensor_numel(&g->t[t]) != 1)
        return NULL;
    return g->t[t].f;
}

static int same_shape(const zki_tensor *a, const zki_tensor *b)
{
    return a->rank == b->rank && !memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->rank);
}

/* Node n's unary function at x (0: n is none; Pow and PRelu need their
 * scalar constant). */
static int unary_at(const zki_graph *g, const zki_node *n, double x, double *y)
{
    if (!zki_unary_is(n->op))
        return 0;
    zki_unary u;
    zki_unary_params(n, &u);
    if (n->op == ZKI_OP_POW || n->op == ZKI_OP_PRELU) {
        const float *c = n->n_in > 1 ? scalar_const(g, n->in[1]) : NULL;
        if (!c)
            return 0;
        u.a = c[0];
    }
    *y = zki_unary_eval(n->op, &u, x);
    return 1;
}

static int is_arith(int op) { return op == ZKI_OP_ADD || op == ZKI_OP_SUB || op == ZKI_OP_MUL || op == ZKI_OP_DIV; }

/* The values node n reads (non-constant inputs: one or two, same shape as
 * its one float output), or 0 when n is not elementwise in them. */
static int values_of(const zki_graph *g, const zki_node *n, int v[2])
{
    if (n->n_out != 1 || n->out[0] < 0 || zki_et_is_float(g->t[n->out[0]].et) != 1)
        return 0;
    const zki_tensor *y = &g->t[n->out[0]];
    int k = 0;
    for (int i = 0; i < n->n_in; i++) {
        int t = n->in[i];
        if (t < 0 || g->t[t].kind == ZKI_T_CONST)
            continue;
        if (k == 2 || !same_shape(&g->t[t], y) || zki_et_is_float(g->t[t].et) != 1)
            return 0;
        v[k++] = t;
    }
    if (is_arith(n->op)) {
        /* two values, or a value and a scalar constant */
        if (n->n_in != 2 || (k == 1 && !scalar_const(g, n->in[0]) && !scalar_const(g, n->in[1])))
            return 0;
        return k;
    }
    double probe;
    return k == 1 && unary_at(g, n, 0.5, &probe) ? 1 : 0;
}

/* A ReLU, Clip or constant Add reading the region's x directly is left to
 * the quantiser's fusion into x's producer (a clamp, a bias). */
static int fuses_into_producer(int op, int values)
{
    return op == ZKI_OP_RELU || op == ZKI_OP_CLIP || (values == 1 && (op == ZKI_OP_ADD || op == ZKI_OP_SUB));
}

zki_status zki_unary_regions_find(const zki_graph *g, zki_unary_regions *r)
{
    int nn = g->n_nodes, nt = g->n_tensors;
    r->root = malloc(sizeof(int) * (size_t)(nn ? nn : 1));
    r->input = malloc(sizeof(int) * (size_t)(nn ? nn : 1));
    int *src = malloc(sizeof(int) * (size_t)(nt ? nt : 1));    /* per tensor: the x it is a function of */
    int *member = malloc(sizeof(int) * (size_t)(nn ? nn : 1)); /* per node: its x, or -1 */
    int *outside = calloc((size_t)(nt ? nt : 1), sizeof(int)); /* per tensor: read outside its region */
    if (!r->root || !r->input || !src || !member || !outside) {
        free(src), free(member), free(outside);
        zki_unary_regions_free(r);
        return zki_fail(ZKI_ERR_NOMEM, "quantisation: elementwise regions");
    }
    for (int t = 0; t < nt; t++)
        src[t] = t;
    for (int i = 0; i < nn; i++) {
        const zki_node *n = &g->nodes[i];
        int v[2], k = values_of(g, n, v);
        r->root[i] = r->input[i] = member[i] = -1;
        if (!k || (k == 2 && src[v[0]] != src[v[1]]))
            continue;
        int x = src[v[0]];
        int direct = v[0] == x || (k == 2 && v[1] == x);
        if (direct && fuses_into_producer(n->op, k))
            continue;
        member[i] = x;
        src[n->out[0]] = x;
    }
    /* a region's value read by a node outside it, or a graph output */
    for (int i = 0; i < nn; i++)
        for (int k = 0; k < g->nodes[i].n_in; k++) {
            int t = g->nodes[i].in[k];
            if (t >= 0 && g->t[t].producer >= 0 && member[g->t[t].producer] >= 0 &&
                member[g->t[t].producer] != member[i])
                outside[t] = 1;
        }
    for (int k = 0; k < g->n_outputs; k++)
        outside[g->outputs[k]] = 1;
    for (int i = 0; i < nn; i++) {
        int x = member[i];
        if (x < 0 || !outside[g->nodes[i].out[0]])
            continue;
        /* i writes a value read outside: the region is worth a table when
         * i is its only such node and it has another member */
        int size = 0, results = 0, nonlinear = 0;
        for (int j = 0; j < nn; j++)
            if (member[j] == x) {
                const zki_node *m = &g->nodes[j];
                int v[2];
                size++;
                results += outside[m->out[0]];
                /* sums of x's multiples and their ReLUs stay the quantiser's
                 * exact n-ary Adds with fused clamps */
                nonlinear += (!is_arith(m->op) && m->op != ZKI_OP_RELU && m->op != ZKI_OP_CLIP) ||
                             ((m->op == ZKI_OP_MUL || m->op == ZKI_OP_DIV) && values_of(g, m, v) == 2);
            }
        if (results != 1 || size < 2 || size > REGION_MAX || !nonlinear)
            continue;
        for (int j = 0; j < nn; j++)
            if (member[j] == x)
                r->root[j] = i;
        r->input[i] = x;
    }
    free(src), free(member), free(outside);
    return ZKI_OK;
}

void zki_unary_regions_free(zki_unary_regions *r)
{
    free(r->root);
    free(r->input);
    r->root = r->input = NULL;
}

double zki_unary_region_eval(const zki_graph *g, const zki_unary_regions *r, int root, double x)
{
    int tens[REGION_MAX];
    double val[REGION_MAX];
    int m = 0;
    for (int j = 0; j <= root && m < REGION_MAX; j++) {
        if (r->root[j] != root)
            continue;
        const zki_node *n = &g->nodes[j];
        double a[2] = {0, 0};
        for (int i = 0; i < n->n_in && i < 2; i++) {
            int t = n->in[i];
            const float *c = scalar_const(g, t);
            if (t == r->input[root])
                a[i] = x;
            else if (c)
                a[i] = c[0];
            else
                for (int q = 0; q < m; q++)
                    if (tens[q] == t)
                        a[i] = val[q];
        }
        double y = NAN;
        switch (n->op) {
        case ZKI_OP_ADD: y = a[0] + a[1]; break;
        case ZKI_OP_SUB: y = a[0] - a[1]; break;
        case ZKI_OP_MUL: y = a[0] * a[1]; break;
        case ZKI_OP_DIV: y = a[0] / a[1]; break;
        default:
            if (!unary_at(g, n, a[0], &y))
                y = NAN;
        }
        tens[m] = n->out[0];
        val[m++] = y;
    }
    return m ? val[m - 1] : NAN;
}
