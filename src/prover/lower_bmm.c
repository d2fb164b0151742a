/* Lowering a MatMul of two activations (MATMUL: rq(a @ b * M), p: M s lo
 * hi; attention's Q K^T and scores V) to a BMM node (protocol/dag.h): a
 * [1, G, I, K] @ b [1, G, K, J], both maps made by proven nodes (a Conv,
 * a Transpose or Reshape to rank 4, ...). */
#include "prover/lower_internal.h"

#include "poly/mle.h"

/* Model tensor t is the proof's map [dims[1]][dims[2]][dims[3]] of a
 * rank-4 tensor with batch 1. */
static int map_of(const zki_lowering *lw, int t)
{
    const zki_qtensor *q = &lw->m->t[t];
    const zki_tinfo *x = &lw->t[t];
    return q->rank == 4 && q->dims[0] == 1 && x->map && x->c == q->dims[1] && x->h == q->dims[2] &&
           x->w == q->dims[3];
}

int zki_lower_bmm_shapes_ok(const zki_qmodel *m, const zki_qnode *n)
{
    if (n->n_in != 2)
        return 0;
    const zki_qtensor *a = &m->t[n->in[0]], *b = &m->t[n->in[1]], *y = &m->t[n->out];
    return a->rank == 4 && b->rank == 4 && y->rank == 4 && a->dims[0] == 1 && b->dims[0] == 1 &&
           a->dims[1] == b->dims[1] && a->dims[3] == b->dims[2];
}

zki_status zki_lower_bmm(zki_lowering *lw, int qi, const zki_qnode *n)
{
    const zki_qmodel *m = lw->m;
    if (n->n_in != 2)
        REFUSE("prove: node '%s' (MatMul) has %d operands, not 2", n->name, n->n_in);
    for (int k = 0; k < 2; k++) {
        zki_status st = zki_lower_known(lw, n, n->in[k]);
        if (st)
            return st;
    }
    int a = n->in[0], b = n->in[1];
    const zki_qtensor *yt = &m->t[n->out];
    const zki_tinfo *xa = &lw->t[a], *xb = &lw->t[b];
    if (!zki_lower_bmm_shapes_ok(m, n) || !map_of(lw, a) || !map_of(lw, b))
        REFUSE("prove: node '%s' (MatMul): " ZKI_BMM_SHAPES, n->name);
    uint32_t G = xa->c, I = xa->h, K = xa->w, J = xb->w;
    if (!zki_lower_product_ok(n, xa, xb, yt) || zki_log2_ceil(G) + zki_log2_ceil(I) + zki_log2_ceil(J) > 26)
        REFUSE("prove: node '%s' (MatMul): proven with 0 < |M| < 2^31, s <= 61, a clamp range containing 0, "
               "values of at most 16 bits and an output of at most 2^26 padded entries", n->name);
    if (xa->id == 0 || xb->id == 0)
        REFUSE("prove: node '%s' (MatMul) reads the model input: a product is proven on a proven layer's output",
               n->name);
    zki_dag_node *L = zki_lower_product_node(lw, qi, n, ZKI_NODE_BMM, a, b);
    L->C = G, L->H = I, L->W = J, L->K = K;
    L->N = zki_lower_map_size(G, I, J);
    zki_tinfo *y = &lw->t[n->out];
    *y = *xa;
    y->id = (int)lw->d->n_nodes, y->nonneg = L->lo >= 0, y->bits = L->out_bits;
    y->w = J, y->feat = (int64_t)G * I * J;
    return ZKI_OK;
}
