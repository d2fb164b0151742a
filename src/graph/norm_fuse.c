#include "graph/norm_fuse.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "graph/ops.h"

#define MAX_CHAIN 12 /* LayerNorm's nine nodes less its last, and room */

/* A match in progress: the nodes it would drop. */
typedef struct {
    zki_graph *g;
    const uint8_t *dead;
    int *uses;
    int chain[MAX_CHAIN];
    int n;
} matcher;

static void count_uses(matcher *m)
{
    const zki_graph *g = m->g;
    memset(m->uses, 0, sizeof(int) * (size_t)g->n_tensors);
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; !m->dead[i] && k < g->nodes[i].n_in; k++)
            if (g->nodes[i].in[k] >= 0)
                m->uses[g->nodes[i].in[k]]++;
    for (int k = 0; k < g->n_outputs; k++)
        m->uses[g->outputs[k]] += 1000000; /* a graph output is never fused away */
}

/* The live node of op `op` that makes value t, when t feeds exactly
 * `uses` input slots: added to the chain. Else -1. */
static int take(matcher *m, int t, int op, int uses)
{
    if (t < 0 || m->g->t[t].kind != ZKI_T_VALUE || m->uses[t] != uses || m->n == MAX_CHAIN)
        return -1;
    int p = m->g->t[t].producer;
    if (p < 0 || m->dead[p] || m->g->nodes[p].op != op || m->g->nodes[p].out[0] != t)
        return -1;
    m->chain[m->n++] = p;
    return p;
}

/* A constant holding one number. */
static int scalar(const zki_graph *g, int t, double *v)
{
    if (t < 0 || g->t[t].kind != ZKI_T_CONST || zki_tensor_numel(&g->t[t]) != 1)
        return 0;
    if (g->t[t].f)
        *v = g->t[t].f[0];
    else if (g->t[t].i)
        *v = (double)g->t[t].i[0];
    else
        return 0;
    return 1;
}

/* A ReduceMean of the last axis of a rank-r input, keeping it. */
static int last_mean(const zki_graph *g, const zki_node *n)
{
    int r = g->t[n->in[0]].rank;
    const int64_t *av = NULL;
    int ac = zki_attr_ints(n, "axes", &av);
    if (n->n_in > 1 && n->in[1] >= 0) { /* opset 18: axes as an input */
        const zki_tensor *a = &g->t[n->in[1]];
        if (a->kind != ZKI_T_CONST || !a->i)
            return 0;
        av = a->i;
        ac = (int)zki_tensor_numel(a);
    }
    return r >= 1 && zki_attr_int(n, "keepdims", 1) != 0 && ac == 1 && (av[0] == -1 || av[0] == r - 1);
}

/* t = sqrt(ms + eps), eps a constant: sets *ms, *eps. */
static int sqrt_eps(matcher *m, int t, int *ms, double *eps)
{
    int s = take(m, t, ZKI_OP_SQRT, 1);
    int a = s >= 0 ? take(m, m->g->nodes[s].in[0], ZKI_OP_ADD, 1) : -1;
    if (a < 0 || m->g->nodes[a].n_in != 2)
        return 0;
    const zki_node *A = &m->g->nodes[a];
    for (int k = 0; k < 2; k++)
        if (scalar(m->g, A->in[1 - k], eps) && m->g->t[A->in[k]].kind == ZKI_T_VALUE) {
            *ms = A->in[k];
            return isfinite(*eps) && *eps >= 0;
        }
    return 0;
}

/* Node p computes num / sqrt(ms + eps): Div(num, s), or Mul of num by
 * Reciprocal(s) or Div(1, s) (torch.rsqrt) in either order. */
static int normalised(matcher *m, int p, int *num, int *ms, double *eps)
{
    const zki_node *P = &m->g->nodes[p];
    if (P->n_in != 2)
        return 0;
    if (P->op == ZKI_OP_DIV) {
        *num = P->in[0];
        return sqrt_eps(m, P->in[1], ms, eps);
    }
    for (int k = 0; P->op == ZKI_OP_MUL && k < 2; k++) {
        int save = m->n, t = P->in[1 - k], s = -1;
        int r = take(m, t, ZKI_OP_RECIPROCAL, 1);
        double one = 0;
        if (r >= 0)
            s = m->g->nodes[r].in[0];
        else if ((r = take(m, t, ZKI_OP_DIV, 1)) >= 0 && scalar(m->g, m->g->nodes[r].in[0], &one) && one == 1.0)
            s = m->g->nodes[r].in[1];
        if (s >= 0 && sqrt_eps(m, s, ms, eps)) {
            *num = P->in[k];
            return 1;
        }
        m->n = save;
    }
    return 0;
}

/* t = num^2, a Pow by 2 or Mul(num, num): the input slots of num it
 * reads (1 or 2), else 0. */
static int square_of(matcher *m, int t, int num)
{
    int save = m->n, p = take(m, t, ZKI_OP_POW, 1);
    double e = 0;
    if (p >= 0 && m->g->nodes[p].in[0] == num && scalar(m->g, m->g->nodes[p].in[1], &e) && e == 2.0)
        return 1;
    m->n = save;
    p = take(m, t, ZKI_OP_MUL, 1);
    if (p >= 0 && m->g->nodes[p].n_in == 2 && m->g->nodes[p].in[0] == num && m->g->nodes[p].in[1] == num)
        return 2;
    m->n = save;
    return 0;
}

/* A float constant of D values shaped [.., 1, D] (rank <= r): one per
 * feature of the last axis, broadcasting along no other. */
static int per_feature(const zki_graph *g, int t, int r, int64_t D)
{
    const zki_tensor *c = &g->t[t];
    if (c->kind != ZKI_T_CONST || !c->f || c->rank < 1 || c->rank > r || c->dims[c->rank - 1] != D)
        return 0;
    for (int k = 0; k + 1 < c->rank; k++)
        if (c->dims[k] != 1)
            return 0;
    return 1;
}

/* If node f is op(v, c) or op(c, v), c a float constant: c, and *v. */
static int const_operand(const matcher *m, int f, int op, int *v)
{
    const zki_node *F = &m->g->nodes[f];
    for (int k = 0; F->op == op && F->n_in == 2 && k < 2; k++) {
        const zki_tensor *c = &m->g->t[F->in[1 - k]];
        if (c->kind == ZKI_T_CONST && c->f && m->g->t[F->in[k]].kind == ZKI_T_VALUE) {
            *v = F->in[k];
            return F->in[1 - k];
        }
    }
    return -1;
}

/* What a match found. */
typedef struct {
    int op, x, gamma, beta;
    double eps;
} fused;

/* The normalisation whose last node is f (not itself in the chain). */
static int match(matcher *m, int f, fused *o)
{
    const zki_graph *g = m->g;
    int cur = f, v = -1, num = -1, ms = -1;
    o->gamma = o->beta = -1;
    m->n = 0;
    if ((o->beta = const_operand(m, cur, ZKI_OP_ADD, &v)) >= 0 && (cur = take(m, v, ZKI_OP_MUL, 1)) < 0 &&
        (cur = take(m, v, ZKI_OP_DIV, 1)) < 0)
        return 0;
    if ((o->gamma = const_operand(m, cur, ZKI_OP_MUL, &v)) >= 0 && (cur = take(m, v, ZKI_OP_MUL, 1)) < 0 &&
        (cur = take(m, v, ZKI_OP_DIV, 1)) < 0)
        return 0;
    if (!normalised(m, cur, &num, &ms, &o->eps))
        return 0;
    int q = take(m, ms, ZKI_OP_REDUCEMEAN, 1), slots = q >= 0 && last_mean(g, &g->nodes[q])
                                                       ? square_of(m, g->nodes[q].in[0], num) : 0;
    if (!slots)
        return 0;
    /* LayerNorm: num = x - mean(x), read by the square and the division only */
    int save = m->n, s = take(m, num, ZKI_OP_SUB, slots + 1), mq = -1;
    if (s >= 0 && g->nodes[s].n_in == 2 && (mq = take(m, g->nodes[s].in[1], ZKI_OP_REDUCEMEAN, 1)) >= 0 &&
        last_mean(g, &g->nodes[mq]) && g->nodes[mq].in[0] == g->nodes[s].in[0]) {
        o->op = ZKI_OP_LAYERNORM;
        o->x = g->nodes[s].in[0];
    } else {
        m->n = save;
        o->op = ZKI_OP_RMSNORM;
        o->x = num;
        if (o->beta >= 0)
            return 0; /* a shift after an RMSNorm is no LayerNorm: left as it is */
    }
    const zki_tensor *x = &g->t[o->x], *y = &g->t[g->nodes[f].out[0]];
    if (zki_et_is_float(x->et) != 1 || x->rank < 1 || x->rank != y->rank ||
        memcmp(x->dims, y->dims, sizeof(int64_t) * (size_t)x->rank))
        return 0; /* a weight that broadcasts x to another shape */
    int64_t D = x->dims[x->rank - 1];
    return (o->gamma < 0 || per_feature(g, o->gamma, x->rank, D)) &&
           (o->beta < 0 || per_feature(g, o->beta, x->rank, D));
}

/* Node f becomes the fused op over [x, gamma (ones if none), beta]. */
static zki_status rewrite(zki_graph *g, int f, fused *o)
{
    int64_t D = g->t[o->x].dims[g->t[o->x].rank - 1];
    if (o->gamma < 0) {
        float *ones = malloc(sizeof(float) * (size_t)D);
        for (int64_t k = 0; ones && k < D; k++)
            ones[k] = 1.0f;
        if (!ones || (o->gamma = zki_graph_add_float_const(g, g->nodes[f].name, "ones", 1, &D, ones)) < 0)
            return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    }
    zki_node *F = &g->nodes[f];
    int n_in = o->beta >= 0 ? 3 : 2;
    int *in = realloc(F->in, sizeof(int) * 3);
    if (!in)
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    in[0] = o->x, in[1] = o->gamma, in[2] = o->beta;
    F->in = in;
    F->n_in = n_in;
    F->op = o->op;
    if (zki_attr_set_int(F, "axis", -1) != ZKI_OK || zki_attr_set_float(F, "epsilon", o->eps) != ZKI_OK)
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    return zki_op_infer(g, f);
}

zki_status zki_graph_fuse_norms(zki_graph *g, uint8_t *dead)
{
    matcher m = {g, dead, malloc(sizeof(int) * ((size_t)g->n_tensors + 1)), {0}, 0};
    if (!m.uses)
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    count_uses(&m);
    zki_status st = ZKI_OK;
    /* from the last node back: a chain's outer node (its weight's Mul) is
     * met before the inner ones it contains */
    for (int f = g->n_nodes - 1; f >= 0 && st == ZKI_OK; f--) {
        fused o;
        int op = g->nodes[f].op;
        if (dead[f] || (op != ZKI_OP_ADD && op != ZKI_OP_MUL && op != ZKI_OP_DIV) || !match(&m, f, &o))
            continue;
        for (int k = 0; k < m.n; k++)
            dead[m.chain[k]] = 1;
        if ((st = rewrite(g, f, &o)) == ZKI_OK) {
            int *u = realloc(m.uses, sizeof(int) * ((size_t)g->n_tensors + 1)); /* rewrite may add a constant */
            if (!u)
                st = zki_fail(ZKI_ERR_NOMEM, "out of memory");
            else
                m.uses = u, count_uses(&m);
        }
    }
    free(m.uses);
    return st;
}
