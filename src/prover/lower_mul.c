/* Lowering a Mul of two activations (MUL: rq(a * b * M), p: M s lo hi) to
 * a MUL node (protocol/dag.h): one operand has the output's layout, the
 * other that layout too or a map broadcast to it (each axis the output's
 * or 1: a squeeze-excitation gate [C][1][1]). */
#include "prover/lower_internal.h"

#include <string.h>

#include "poly/mle.h"

int zki_lower_bcast_ok(const zki_lowering *lw, int t, uint32_t C, uint32_t H, uint32_t W)
{
    const zki_tinfo *x = &lw->t[t];
    const zki_qtensor *q = &lw->m->t[t];
    /* a row [1, .., 1, C] read as the map [C][1][1] of a row join */
    if (zki_lower_row_len(q) > 0 && H == 1 && W == 1)
        return zki_lower_row_len(q) == C && x->feat == C && (!x->map || (x->h == 1 && x->w == 1));
    if (q->rank != 4 || q->dims[0] != 1)
        return 0;
    /* a row of C features viewed as [1][C][1][1] (a gate made by Linear
     * layers): the proof reads it as the map [C][1][1] */
    if (!x->map)
        return x->feat == C && q->dims[1] == C && q->dims[2] == 1 && q->dims[3] == 1;
    /* the model's tensor is the map the proof holds, [1][c][h][w] */
    if (q->dims[1] != x->c || q->dims[2] != x->h || q->dims[3] != x->w)
        return 0;
    return (x->c == C || x->c == 1) && (x->h == H || x->h == 1) && (x->w == W || x->w == 1);
}

/* Operand t has the output's layout: the map [C][H][W] of a rank-4
 * output, or a row of the output's features (a map [N][1][1], as a
 * recurrent cell's gate after an Add, is laid out as that row). */
static int full_operand(const zki_lowering *lw, int t, const zki_qtensor *y)
{
    const zki_tinfo *x = &lw->t[t];
    if (y->rank == 4 && y->dims[0] == 1)
        return zki_lower_bcast_ok(lw, t, (uint32_t)y->dims[1], (uint32_t)y->dims[2], (uint32_t)y->dims[3]) &&
               x->c == y->dims[1] && x->h == y->dims[2] && x->w == y->dims[3];
    return (!x->map || (x->h == 1 && x->w == 1)) && x->feat == zki_qnumel(y) && zki_qnumel(&lw->m->t[t]) == x->feat;
}

int zki_lower_product_ok(const zki_qnode *n, const zki_tinfo *xa, const zki_tinfo *xb, const zki_qtensor *yt)
{
    const int64_t *p = n->p;
    return yt->bits <= 16 && xa->bits <= 16 && xb->bits <= 16 && n->n_p >= 4 && p[0] != 0 && p[0] > -(1ll << 31) &&
           p[0] < (1ll << 31) && p[1] >= 1 && p[1] <= 61 && p[2] <= 0 && p[3] >= 0 && p[2] >= -(1ll << 15) &&
           p[3] < (1ll << 15);
}

zki_dag_node *zki_lower_product_node(zki_lowering *lw, int qi, const zki_qnode *n, uint32_t kind, int a, int b)
{
    zki_dag_node *L = zki_lower_new_node(lw, qi, kind);
    L->n_in = 2;
    L->in[0] = (uint32_t)lw->t[a].id;
    L->in[1] = (uint32_t)lw->t[b].id;
    L->out_bits = (uint32_t)lw->m->t[n->out].bits;
    L->M = n->p[0];
    L->s = (uint32_t)n->p[1];
    L->lo = n->p[2];
    L->hi = n->p[3];
    return L;
}

zki_status zki_lower_mul(zki_lowering *lw, int qi, const zki_qnode *n)
{
    const zki_qmodel *m = lw->m;
    const zki_qtensor *yt = &m->t[n->out];
    if (n->n_in != 2)
        REFUSE("prove: node '%s' (Mul) has %d operands, not 2", n->name, n->n_in);
    for (int k = 0; k < 2; k++) {
        zki_status st = zki_lower_known(lw, n, n->in[k]);
        if (st)
            return st;
    }
    int a = n->in[0], b = n->in[1];
    if (!full_operand(lw, a, yt)) {
        a = n->in[1];
        b = n->in[0];
    }
    const zki_tinfo *xa = &lw->t[a], *xb = &lw->t[b];
    int map = yt->rank == 4 && yt->dims[0] == 1;
    int bad = !full_operand(lw, a, yt) || !zki_lower_product_ok(n, xa, xb, yt);
    if (!bad && map)
        bad = !zki_lower_bcast_ok(lw, b, xa->c, xa->h, xa->w) ||
              zki_log2_ceil(xa->c) + zki_log2_ceil(xa->h) + zki_log2_ceil(xa->w) > 26;
    else if (!bad)
        bad = !full_operand(lw, b, yt) || xa->feat > ZKI_DAG_MAX_DIM;
    if (bad)
        REFUSE("prove: node '%s' (Mul): proven as the product of two activations, one of the output's shape and "
               "the other of it too or of a map broadcast to it (each axis the output's or 1, e.g. [1,C,1,1]; "
               "a row of C features viewed as [1,C,1,1]), "
               "0 < |M| < 2^31, s <= 61, clamp range containing 0, values of at most 16 bits", n->name);
    if (xa->id == 0 || xb->id == 0)
        REFUSE("prove: node '%s' (Mul) reads the model input: a product is proven on a proven layer's output",
               n->name);
    zki_dag_node *L = zki_lower_product_node(lw, qi, n, ZKI_NODE_MUL, a, b);
    if (map) {
        L->C = xa->c, L->H = xa->h, L->W = xa->w;
        L->N = zki_lower_map_size(xa->c, xa->h, xa->w);
    } else {
        L->N = (uint32_t)xa->feat;
    }
    L->K = L->N;
    zki_tinfo *y = &lw->t[n->out];
    *y = *xa;
    y->id = (int)lw->d->n_nodes, y->nonneg = L->lo >= 0, y->bits = L->out_bits;
    if (!map) /* the node's own layout, a row, whatever a's producer stated */
        y->map = 0, y->c = y->h = y->w = 0;
    return ZKI_OK;
}
