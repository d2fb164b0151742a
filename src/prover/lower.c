/* Lowering a quantised model to the proof DAG (prover/lower.h).
 *
 * One pass over the model's nodes in order (topological): every tensor the
 * proof needs gets an id once (0 the input, j + 1 node j's output) and a
 * description (a padded map [C][H][W], or a row of features; proven >= 0
 * or not); each model node becomes zero (views: Flatten, identity Pad; data
 * movement, pending until read: prover/lower_move.c), one or several
 * (MaxPool passes) DAG nodes reading any earlier tensors. So
 * forks, joins of any arity and several readers of one tensor need nothing
 * special; a node the gadgets cannot prove is refused with its name. */
#include "prover/lower.h"
#include "prover/lower_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "graph/refusals.h"
#include "ops/move.h"
#include "poly/mle.h"

int zki_maxpool_passes(const int64_t *p, int64_t st[4][10])
{
    if (p[0] * p[1] <= ZKI_MAXPOOL_MAX_WINDOW) {
        memcpy(st[0], p, sizeof(int64_t) * 10);
        return 1;
    }
    int n = 0;
    for (int axis = 1; axis >= 0; axis--) { /* rows (along W) first, then columns */
        int64_t K = p[axis], s = p[2 + axis], d = p[4 + axis], pa = p[6 + axis], pb = p[8 + axis];
        if (K > 2 * ZKI_MAXPOOL_MAX_WINDOW)
            return 0;
        int64_t geo[2][5]; /* K s d pad_before pad_after */
        int k = 0;
        if (K <= ZKI_MAXPOOL_MAX_WINDOW) {
            int64_t g0[5] = {K, s, d, pa, pb};
            memcpy(geo[k++], g0, sizeof g0);
        } else {
            int64_t w = (K + 1) / 2;
            int64_t g0[5] = {w, 1, d, pa, pb}, g1[5] = {2, s, d * (K - w), 0, 0};
            memcpy(geo[k++], g0, sizeof g0);
            memcpy(geo[k++], g1, sizeof g1);
        }
        for (int i = 0; i < k; i++) {
            int64_t q[10] = {1, 1, 1, 1, 1, 1, 0, 0, 0, 0};
            q[axis] = geo[i][0], q[2 + axis] = geo[i][1], q[4 + axis] = geo[i][2];
            q[6 + axis] = geo[i][3], q[8 + axis] = geo[i][4];
            memcpy(st[n++], q, sizeof q);
        }
    }
    return n;
}

/* Whether every window of an axis (n inputs, window K, stride s, dilation
 * dl, pads a / b) holds an input element: an all-pad window's ONNX max is
 * undefined (the integer executor says 0), so such pools are refused. (A
 * pass of a split window may hold pads only: its value, the map's minimum,
 * never wins in the next pass.) */
static int pool_axis_covered(int64_t n, int64_t K, int64_t s, int64_t dl, int64_t a, int64_t b)
{
    if (n + a + b < dl * (K - 1) + 1)
        return 0;
    int64_t out = (n + a + b - dl * (K - 1) - 1) / s + 1;
    for (int64_t o = 0; o < out; o++) {
        /* the first window position at or after 0, if any, must be < n */
        int64_t f = o * s - a, k0 = f >= 0 ? 0 : (-f + dl - 1) / dl;
        if (k0 >= K || f + k0 * dl >= n)
            return 0;
    }
    return 1;
}

/* A Concat whose output has only 1s before its axis (recurrent steps
 * [1,B,H] stacked into [T,B,H]) joins its inputs' dense data end to end;
 * not a map of more than one pixel, whose layout is padded. */
static int concat_flat(const zki_qmodel *m, const zki_qnode *n)
{
    const zki_qtensor *y = &m->t[n->out];
    int64_t outer = 1;
    if (n->n_p < 1)
        return 0;
    for (int a = 0; a < n->p[0] && a < y->rank; a++)
        outer *= y->dims[a];
    return outer == 1 && !(y->rank == 4 && y->dims[2] * y->dims[3] > 1);
}

/* A Concat along the channels of maps of one height and width: a CONCAT
 * node as it is (else zki_lower_concat_any). */
static int concat_of_maps(const zki_lowering *lw, const zki_qnode *n)
{
    const zki_qtensor *yt = &lw->m->t[n->out];
    int ok = n->p[0] == 1 && yt->rank == 4 && yt->dims[0] == 1;
    for (int i = 0; ok && i < n->n_in; i++) {
        const zki_tinfo *x = &lw->t[n->in[i]];
        ok = x->map && x->h == (uint64_t)yt->dims[2] && x->w == (uint64_t)yt->dims[3];
    }
    return ok;
}

/* Every node without a gadget, all at once and grouped, so a user sees the
 * whole list of what keeps the model from being proven. */
static zki_status unproven_ops(const zki_qmodel *m)
{
    zki_refusals rf;
    memset(&rf, 0, sizeof rf);
    for (int i = 0; i < m->n_nodes; i++) {
        const zki_qnode *n = &m->nodes[i];
        const char *why = NULL;
        switch (n->op) {
        case ZKI_QOP_MATMUL:
            if (!zki_lower_bmm_shapes_ok(m, n))
                why = ZKI_BMM_SHAPES;
            break;
        case ZKI_QOP_GATHER:
            if (n->n_in < 2 || (m->t[n->in[1]].kind != ZKI_QT_CONST && !zki_lower_gather_ok(m, n)))
                why = ZKI_GATHER_FORMS "; constant indices are proven on any data";
            break;
        /* the fused ops are left where the chains of proven ops
         * (quant/norm_lower.h) do not reach: 1024 is its
         * ZKI_NORM_SOFTMAX_MAX_ROW */
        case ZKI_QOP_SOFTMAX:
            why = "with a mask that is not causal, or over rows of more than 1024 values, not proven yet (causal "
                  "masks and shorter rows are); a Softmax on a classifier's "
                  "output can be left out of the export (the argmax is the same)";
            break;
        case ZKI_QOP_LAYERNORM: why = "of activations wider than 16 bits not proven yet"; break;
        case ZKI_QOP_CONCAT:
            if (n->n_in < 2 || n->n_in > (int)ZKI_DAG_MAX_IN || n->n_p < 1)
                why = "2 to 96 inputs are proven";
            break;
        default: break;
        }
        if (why)
            zki_refusals_add(&rf, zki_qop_name(n->op), n->name, why);
    }
    zki_status st = zki_refusals_fail(&rf, ZKI_ERR_UNSUPPORTED);
    return st ? zki_fail_ctx(st, "prove") : ZKI_OK;
}

zki_dag_node *zki_lower_new_node(zki_lowering *lw, int qnode, uint32_t kind)
{
    zki_dag_node *L = &lw->d->nodes[lw->d->n_nodes];
    memset(L, 0, sizeof(*L));
    L->kind = kind;
    L->n_in = 1;
    lw->src[lw->d->n_nodes++] = qnode;
    return L;
}

int64_t zki_lower_row_len(const zki_qtensor *q)
{
    if (q->rank < 1 || q->rank == 4)
        return 0;
    return zki_qnumel(q);
}

uint32_t zki_lower_map_size(uint32_t c, uint32_t h, uint32_t w)
{
    return 1u << (zki_log2_ceil(c) + zki_log2_ceil(h) + zki_log2_ceil(w));
}

/* A tensor read by a proven node: produced by one. */
zki_status zki_lower_known(const zki_lowering *lw, const zki_qnode *n, int t)
{
    if (lw->t[t].id < 0 && lw->m->t[t].kind == ZKI_QT_CONST)
        REFUSE("prove: node '%s' (%s) reads the constant tensor '%s' as an activation: constants are private "
               "weights, proven only as a layer's (the quantiser makes a Mul, Add or Sub of a constant whose other "
               "operand has the output's shape a depthwise conv of the constant: expand that operand to the "
               "output's shape)", n->name, zki_qop_name(n->op), lw->m->t[t].name);
    if (lw->t[t].id < 0)
        REFUSE("prove: node '%s' (%s) reads '%s', which no proven node computes", n->name, zki_qop_name(n->op),
               lw->m->t[t].name);
    return ZKI_OK;
}

static zki_status lower_maxpool(zki_lowering *lw, int qi, const zki_qnode *n)
{
    const zki_qtensor *xt = &lw->m->t[n->in[0]], *yt = &lw->m->t[n->out];
    zki_tinfo x = lw->t[n->in[0]];
    const int64_t *p = n->p;
    /* pads read as the map's minimum (they never win); every window must
     * hold an element; larger windows as passes (zki_maxpool_passes) */
    int bad = !x.map || xt->rank != 4 || xt->dims[1] != x.c || xt->dims[2] != x.h || xt->dims[3] != x.w ||
              yt->rank != 4 || yt->bits > 16 || yt->bits < (int)x.bits;
    for (int i = 0; !bad && i < 10; i++)
        bad = p[i] < (i >= 6 ? 0 : 1) || p[i] >= (1ll << 31);
    bad = bad || !pool_axis_covered(x.h, p[0], p[2], p[4], p[6], p[8]) ||
          !pool_axis_covered(x.w, p[1], p[3], p[5], p[7], p[9]);
    int64_t st2[4][10];
    int passes = bad ? 0 : zki_maxpool_passes(p, st2);
    bad = bad || !passes;
    uint32_t h = x.h, w = x.w;
    for (int k = 0; !bad && k < passes; k++) {
        const int64_t *q = st2[k];
        zki_maxpool_dims pd;
        bad = zki_maxpool_dims_init(&pd, 1, x.c, h, w, (uint64_t)q[0], (uint64_t)q[1], (uint64_t)q[2],
                                    (uint64_t)q[3], (uint64_t)q[4], (uint64_t)q[5], (uint64_t)q[6], (uint64_t)q[7],
                                    (uint64_t)q[8], (uint64_t)q[9]) != ZKI_OK ||
              pd.lc + pd.lh + pd.lw > 26;
        h = (uint32_t)pd.OH, w = (uint32_t)pd.OW;
    }
    bad = bad || yt->dims[1] != (int64_t)x.c || yt->dims[2] != (int64_t)h || yt->dims[3] != (int64_t)w;
    if (bad)
        REFUSE("prove: node '%s' (MaxPool): proven on a map (from a Conv, pool, Add, Mul, Concat, lookup table "
               "or move), windows of at most %dx%d (split into passes of at most %d elements), every window "
               "holding an input element, outputs of at most 16 bits", n->name, 2 * ZKI_MAXPOOL_MAX_WINDOW,
               2 * ZKI_MAXPOOL_MAX_WINDOW, ZKI_MAXPOOL_MAX_WINDOW);
    uint32_t in = (uint32_t)x.id;
    h = x.h, w = x.w;
    for (int k = 0; k < passes; k++) {
        const int64_t *q = st2[k];
        zki_maxpool_dims pd;
        zki_maxpool_dims_init(&pd, 1, x.c, h, w, (uint64_t)q[0], (uint64_t)q[1], (uint64_t)q[2], (uint64_t)q[3],
                              (uint64_t)q[4], (uint64_t)q[5], (uint64_t)q[6], (uint64_t)q[7], (uint64_t)q[8],
                              (uint64_t)q[9]);
        zki_dag_node *L = zki_lower_new_node(lw, qi, ZKI_NODE_MAXPOOL);
        L->in[0] = in;
        L->out_bits = (uint32_t)yt->bits;
        L->C = x.c, L->H = h, L->W = w, L->OC = x.c, L->G = 1;
        L->KH = (uint32_t)q[0], L->KW = (uint32_t)q[1], L->sh = (uint32_t)q[2], L->sw = (uint32_t)q[3];
        L->dh = (uint32_t)q[4], L->dw = (uint32_t)q[5];
        L->pt = (uint32_t)q[6], L->pl = (uint32_t)q[7], L->pb = (uint32_t)q[8], L->pr = (uint32_t)q[9];
        L->K = 1u << (pd.lc + pd.lh + pd.lw);
        L->N = 1u << (pd.lc + pd.loh + pd.low);
        h = (uint32_t)pd.OH, w = (uint32_t)pd.OW;
        in = lw->d->n_nodes;
    }
    zki_tinfo *y = &lw->t[n->out];
    *y = x;
    y->id = (int)lw->d->n_nodes, y->h = h, y->w = w, y->feat = (int64_t)x.c * h * w, y->bits = (uint32_t)yt->bits;
    return ZKI_OK;
}

/* Add (n_in >= 2 maps, each of the output's shape or broadcast to it,
 * multipliers p[0..n_in), then s lo hi) or Concat (n_in >= 2 maps of one
 * height and width, along channels). */
static zki_status lower_join(zki_lowering *lw, int qi, const zki_qnode *n)
{
    const zki_qtensor *yt = &lw->m->t[n->out];
    int add = n->op == ZKI_QOP_ADD;
    const zki_tinfo *x0 = &lw->t[n->in[0]];
    uint64_t c = 0;
    /* an Add's map is its output's */
    uint32_t C = x0->c, H = x0->h, W = x0->w;
    int bad = n->n_in < 2 || n->n_in > (int)ZKI_DAG_MAX_IN || yt->bits > 16 || (!add && !x0->map);
    if (add && zki_lower_row_len(yt) > 0) {
        /* rows (a recurrent cell's gates, a token sequence's residual): the map
         * [N][1][1], one layout */
        bad = bad || zki_lower_row_len(yt) > ZKI_DAG_MAX_DIM;
        if (!bad)
            C = (uint32_t)zki_lower_row_len(yt), H = W = 1;
    } else if (add) {
        bad = bad || yt->rank != 4 || yt->dims[0] != 1 || yt->dims[1] < 1 || yt->dims[2] < 1 || yt->dims[3] < 1 ||
              yt->dims[1] >= (1ll << 31) || yt->dims[2] >= (1ll << 31) || yt->dims[3] >= (1ll << 31);
        if (!bad)
            C = (uint32_t)yt->dims[1], H = (uint32_t)yt->dims[2], W = (uint32_t)yt->dims[3];
    }
    for (int i = 0; !bad && i < n->n_in; i++) {
        const zki_tinfo *x = &lw->t[n->in[i]];
        bad = add ? !zki_lower_bcast_ok(lw, n->in[i], C, H, W)
                  : !x->map || x->h != x0->h || x->w != x0->w || x->bits > (uint32_t)yt->bits;
        c += x->c;
    }
    if (add) {
        /* p: multipliers, then s lo hi; lo <= 0 <= hi */
        int k = n->n_in;
        c = C;
        bad = bad || n->n_p < k + 3 || n->p[k] < 1 || n->p[k] > 61 || n->p[k + 1] > 0 || n->p[k + 2] < 0 ||
              n->p[k + 1] < -(1ll << 15) || n->p[k + 2] >= (1ll << 15) ||
              zki_log2_ceil(C) + zki_log2_ceil(H) + zki_log2_ceil(W) > 26;
        for (int i = 0; !bad && i < k; i++)
            bad = n->p[i] == 0 || n->p[i] <= -(1ll << 31) || n->p[i] >= (1ll << 31);
        if (bad)
            REFUSE("prove: node '%s' (Add): proven as a join of Conv, pool, Add, Concat or Mul maps of the "
                   "output's shape or broadcast to it (each axis the output's or 1; a row of C features viewed "
                   "as [1,C,1,1]), or of rows [1,..,1,N], 0 < |M| < 2^31, s <= 61, outputs of at most 16 bits",
                   n->name);
    } else {
        bad = bad || n->n_p < 1 || n->p[0] != 1 || yt->rank != 4 || yt->dims[0] != 1 || yt->dims[1] != (int64_t)c ||
              yt->dims[2] != x0->h || yt->dims[3] != x0->w || c >= (1ull << 31) ||
              zki_log2_ceil(c) + zki_log2_ceil(x0->h) + zki_log2_ceil(x0->w) > 26;
        if (bad)
            REFUSE("prove: node '%s' (Concat): proven along the channels (axis 1) of maps (from a Conv, pool, "
                   "Add, Mul, Concat, lookup table or move) of one height and width, outputs of at most 16 bits "
                   "holding every input", n->name);
    }
    zki_dag_node *L = zki_lower_new_node(lw, qi, add ? ZKI_NODE_ADD : ZKI_NODE_CONCAT);
    L->n_in = (uint32_t)n->n_in;
    int nonneg = 1;
    for (int i = 0; i < n->n_in; i++) {
        L->in[i] = (uint32_t)lw->t[n->in[i]].id;
        nonneg = nonneg && lw->t[n->in[i]].nonneg;
        if (add)
            L->mul[i] = n->p[i];
    }
    L->out_bits = (uint32_t)yt->bits;
    L->C = (uint32_t)c, L->H = H, L->W = W, L->OC = (uint32_t)c, L->G = 1;
    L->K = L->N = zki_lower_map_size((uint32_t)c, H, W);
    if (add) {
        int k = n->n_in;
        L->M = 1;
        L->s = (uint32_t)n->p[k];
        L->lo = n->p[k + 1];
        L->hi = n->p[k + 2];
        nonneg = L->lo >= 0;
    }
    zki_tinfo *y = &lw->t[n->out];
    *y = *x0;
    y->id = (int)lw->d->n_nodes, y->map = 1, y->c = (uint32_t)c, y->h = H, y->w = W, y->feat = (int64_t)c * H * W;
    y->nonneg = nonneg, y->bits = (uint32_t)yt->bits;
    return ZKI_OK;
}

/* Linear, Conv, AveragePool, GlobalAveragePool and a map's Requant (the
 * last three as depthwise convs with unit weights). */
int64_t zki_lower_token_rows(const zki_qmodel *m, const zki_qnode *n)
{
    if (n->op != ZKI_QOP_LINEAR || n->n_in < 2)
        return 0;
    const zki_qtensor *xt = &m->t[n->in[0]], *w = &m->t[n->in[1]], *yt = &m->t[n->out];
    if (w->rank != 2 || xt->rank < 2 || yt->rank != xt->rank || xt->dims[xt->rank - 1] != w->dims[1] ||
        yt->dims[yt->rank - 1] != w->dims[0] || w->dims[1] < 1)
        return 0;
    int64_t R = zki_qnumel(xt) / w->dims[1];
    for (int a = 0; a + 1 < xt->rank; a++)
        if (yt->dims[a] != xt->dims[a])
            return 0;
    return R;
}

/* A Linear over R > 1 rows [.., R, K] (a token sequence) is a 1x1 conv
 * over the map [K][R][1]: one move there, the weights read once for all
 * rows, and a move back pending on the output. Sets x to the moved input,
 * the conv's view of the shapes in xd, wd, yd. */
static zki_status token_view(zki_lowering *lw, int qi, const zki_qnode *n, int64_t R, zki_tinfo *x, int64_t xd[4],
                             int64_t wd[4], int64_t yd[4])
{
    const zki_qmodel *m = lw->m;
    int64_t K = m->t[n->in[1]].dims[1], N = m->t[n->in[1]].dims[0];
    if (!lw->t[n->in[0]].mv) {
        zki_status st = zki_lower_known(lw, n, n->in[0]);
        if (st)
            return st;
    }
    const int64_t steps[] = {ZKI_MOVE_RESHAPE, 3, 1, R, K, ZKI_MOVE_TRANSPOSE, 0, 2, 1, ZKI_MOVE_RESHAPE, 4, 1, K,
                             R, 1};
    *x = lw->t[n->in[0]];
    x->map = 1, x->c = (uint32_t)K, x->h = (uint32_t)R, x->w = 1, x->mv = 0;
    const int64_t v[3][4] = {{1, K, R, 1}, {N, K, 1, 1}, {1, N, R, 1}};
    memcpy(xd, v[0], sizeof(v[0]));
    memcpy(wd, v[1], sizeof(v[1]));
    memcpy(yd, v[2], sizeof(v[2]));
    if (K >= (1ll << 26) || R >= (1ll << 26) || N >= (1ll << 31))
        REFUSE("prove: node '%s' (Linear): %lld rows of %lld inputs", n->name, (long long)R, (long long)K);
    return zki_lower_move_into(lw, qi, n->in[0], steps, sizeof(steps) / sizeof(steps[0]), x);
}

/* The conv's output map [N][R][1] moved back to the Linear's shape. */
static zki_status token_unview(zki_lowering *lw, const zki_qnode *n, int64_t R)
{
    const zki_qtensor *yt = &lw->m->t[n->out];
    int64_t N = yt->dims[yt->rank - 1], d4[4] = {1, N, R, 1}, steps[4 + 4 + 2 + ZKI_MOVE_MAX_RANK] = {
        ZKI_MOVE_RESHAPE, 3, 1, N, R, ZKI_MOVE_TRANSPOSE, 0, 2, 1, ZKI_MOVE_RESHAPE};
    size_t k = 10;
    steps[k++] = yt->rank;
    for (int a = 0; a < yt->rank; a++)
        steps[k++] = yt->dims[a];
    zki_tinfo base = lw->t[n->out];
    return zki_lower_move_pend(lw, n->out, &base, 4, d4, steps, k);
}

static zki_status lower_affine(zki_lowering *lw, int qi, const zki_qnode *n)
{
    const zki_qmodel *m = lw->m;
    zki_tinfo x = lw->t[n->in[0]];
    int64_t R = zki_lower_token_rows(m, n), xd[4] = {0}, wd[4] = {0}, yd[4] = {0};
    int tok = R > 1;
    if (tok) {
        zki_status st = token_view(lw, qi, n, R, &x, xd, wd, yd);
        if (st)
            return st;
    }
    /* GlobalAveragePool: a MEAN over the two spatial axes of a map */
    int is_gap = n->op == ZKI_QOP_MEAN && m->t[n->in[0]].rank == 4 && n->p[4] == 12;
    /* a map's REQUANT (the quantiser's scale alignment before a join) */
    int is_rq = n->op == ZKI_QOP_REQUANT && x.map && m->t[n->in[0]].rank == 4 && n->n_p >= 4;
    if (n->op != ZKI_QOP_LINEAR && n->op != ZKI_QOP_CONV && n->op != ZKI_QOP_AVGPOOL && !is_gap && !is_rq)
        REFUSE("prove: node '%s' (%s) is outside the provable class (" ZKI_PROVABLE_CLASS ")", n->name,
               zki_qop_name(n->op));
    int is_pool = n->op == ZKI_QOP_AVGPOOL || is_gap || is_rq;
    int is_conv = n->op == ZKI_QOP_CONV || is_pool || tok;
    const zki_qtensor *w = is_pool ? NULL : &m->t[n->in[1]];
    int bi = !is_pool && n->n_in > 2 ? n->in[2] : -1;
    const zki_qtensor *xt = &m->t[n->in[0]], *yt = &m->t[n->out];
    /* the shapes the conv sees: the tensors' own, or a token Linear's view */
    int xr = tok ? 4 : xt->rank, wr = tok ? 4 : w ? w->rank : 0, yr = tok ? 4 : yt->rank;
    for (int a = 0; !tok && a < 4; a++) {
        xd[a] = a < xt->rank ? xt->dims[a] : 0;
        wd[a] = w && a < w->rank ? w->dims[a] : 0;
        yd[a] = a < yt->rank ? yt->dims[a] : 0;
    }
    zki_conv_dims cd;
    /* a raw accumulator (shift 0) goes to an ADD unrounded (protocol/dag.h) */
    int raw = zki_qnode_raw(n);
    int bad = (w && ((w->bits != 8 && w->bits != 16) || w->kind != ZKI_QT_CONST)) ||
              (bi >= 0 && m->t[bi].kind != ZKI_QT_CONST);
    if (raw)
        bad = bad || n->p[0] != 1 || yt->bits < 2 || yt->bits > (int)ZKI_DAG_MAX_RAW_BITS;
    else
        bad = bad || yt->bits > 16 || n->p[1] < 1 || n->p[1] > 61 || n->p[0] == 0 || n->p[0] <= -(1ll << 31) ||
              n->p[0] >= (1ll << 31) || n->p[2] > 0 || n->p[3] < 0;
    if (is_conv) {
        /* geometry G KH KW sh sw dh dw pt pl pb pr, and the output channels */
        int64_t g[11], oc;
        if (is_rq || tok) { /* 1x1: a depthwise requant, or a token Linear's dense weights */
            const int64_t gp[11] = {tok ? 1 : xd[1], 1, 1, 1, 1, 1, 1, 0, 0, 0, 0};
            memcpy(g, gp, sizeof(g));
            oc = tok ? wd[0] : xd[1];
        } else if (is_gap) {
            const int64_t gp[11] = {xd[1], xd[2], xd[3], 1, 1, 1, 1, 0, 0, 0, 0};
            memcpy(g, gp, sizeof(g));
            oc = g[0];
        } else if (is_pool) {
            const int64_t gp[11] = {xr == 4 ? xd[1] : 0, n->p[4], n->p[5], n->p[6], n->p[7], 1, 1,
                                    n->p[8], n->p[9], n->p[10], n->p[11]};
            memcpy(g, gp, sizeof(g));
            oc = g[0];
        } else {
            memcpy(g, n->p + 4, sizeof(g));
            oc = wr == 4 ? wd[0] : 0;
        }
        /* a conv reads the input image or a map */
        bad = bad || xr != 4 || xd[0] != 1 || (w && wr != 4) || yr != 4 || (x.id > 0 && !x.map) ||
              (x.map && (xd[1] != x.c || xd[2] != x.h || xd[3] != x.w));
        for (int i = 0; !bad && i < 11; i++)
            bad = g[i] < (i >= 7 ? 0 : 1) || g[i] >= (1ll << 31);
        bad = bad || oc < 1 || oc >= (1ll << 31) ||
              zki_conv_dims_init(&cd, 1, (uint64_t)xd[1], (uint64_t)xd[2], (uint64_t)xd[3],
                                 (uint64_t)oc, (uint64_t)g[1], (uint64_t)g[2], (uint64_t)g[3], (uint64_t)g[4],
                                 (uint64_t)g[5], (uint64_t)g[6], (uint64_t)g[7], (uint64_t)g[8], (uint64_t)g[9],
                                 (uint64_t)g[10], (uint64_t)g[0], bi >= 0);
        bad = bad || (w && (wd[1] != (int64_t)cd.Cig || wd[2] != g[1] || wd[3] != g[2])) ||
              yd[1] != (int64_t)cd.OC || yd[2] != (int64_t)cd.OH || yd[3] != (int64_t)cd.OW ||
              cd.lc + cd.lh + cd.lw > 26 || cd.loc + cd.loh + cd.low > 26;
    } else {
        bad = bad || w->rank != 2 || w->dims[1] != x.feat || w->dims[0] < 1 || w->dims[0] > ZKI_DAG_MAX_DIM ||
              x.feat > ZKI_DAG_MAX_DIM;
    }
    if (bad)
        REFUSE("prove: node '%s' (%s): weights must be int8/int16 constants on a one-row input (Linear [N, %lld]; "
               "Conv on the input image or a map), outputs at most 16 bits (a raw accumulator read by an Add: at most "
               "32), 0 < |M| < 2^31, s <= 61, clamp "
               "range containing 0", n->name, zki_qop_name(n->op), (long long)x.feat);
    zki_dag_node *L = zki_lower_new_node(lw, qi, is_conv ? ZKI_NODE_CONV : ZKI_NODE_LINEAR);
    L->in[0] = (uint32_t)x.id;
    L->has_bias = bi >= 0;
    L->w_bits = w ? (uint32_t)w->bits : 8;
    L->out_bits = (uint32_t)yt->bits;
    L->M = n->p[0];
    L->s = (uint32_t)n->p[1];
    L->lo = raw ? 0 : n->p[2];
    L->hi = raw ? 0 : n->p[3];
    int nonneg = !raw && L->lo >= 0;
    if (is_rq && x.nonneg && L->M > 0 && L->lo < 0) {
        /* rq(x M) >= 0 for x >= 0, M > 0: the clamp at 0 changes nothing
         * and keeps the map proven nonnegative */
        L->lo = 0;
        nonneg = 1;
    }
    zki_tinfo *y = &lw->t[n->out];
    memset(y, 0, sizeof(*y));
    y->id = (int)lw->d->n_nodes, y->nonneg = nonneg, y->bits = L->out_bits;
    if (is_conv) {
        L->C = (uint32_t)cd.C, L->H = (uint32_t)cd.H, L->W = (uint32_t)cd.W;
        L->OC = (uint32_t)cd.OC, L->KH = (uint32_t)cd.KH, L->KW = (uint32_t)cd.KW;
        L->sh = (uint32_t)cd.sh, L->sw = (uint32_t)cd.sw, L->dh = (uint32_t)cd.dh;
        L->dw = (uint32_t)cd.dw, L->pt = (uint32_t)cd.pt, L->pl = (uint32_t)cd.pl;
        L->pb = (uint32_t)cd.pb, L->pr = (uint32_t)cd.pr, L->G = (uint32_t)cd.G;
        L->K = 1u << (cd.lc + cd.lh + cd.lw);
        L->N = 1u << (cd.loc + cd.loh + cd.low);
        y->map = 1, y->c = (uint32_t)cd.OC, y->h = (uint32_t)cd.OH, y->w = (uint32_t)cd.OW;
        y->feat = (int64_t)(cd.OC * cd.OH * cd.OW);
    } else {
        L->K = (uint32_t)x.feat;
        if (x.map) {
            L->C = x.c, L->H = x.h, L->W = x.w;
            L->K = zki_lower_map_size(x.c, x.h, x.w);
        }
        L->N = (uint32_t)w->dims[0];
        y->feat = w->dims[0];
    }
    return tok ? token_unview(lw, n, R) : ZKI_OK;
}

static zki_status lower_computing(zki_lowering *lw, int qi, const zki_qnode *n);

static zki_status lower_node(zki_lowering *lw, int qi)
{
    const zki_qnode *n = &lw->m->nodes[qi];
    switch (n->op) {
    case ZKI_QOP_PAD:
    case ZKI_QOP_RESHAPE:
    case ZKI_QOP_TRANSPOSE:
    case ZKI_QOP_SLICE:
    case ZKI_QOP_TRILU: return zki_lower_move(lw, qi, n);
    case ZKI_QOP_GATHER: /* by the model's input: an embedding; by constants: a move */
        if (n->n_in == 2 && lw->m->t[n->in[1]].kind != ZKI_QT_CONST)
            return zki_lower_gather(lw, qi, n);
        return zki_lower_move(lw, qi, n);
    default: break;
    }
    /* a token Linear moves its input itself (composed with a pending move) */
    if (zki_lower_token_rows(lw->m, n) > 1)
        return lower_affine(lw, qi, n);
    /* a node that computes reads moved data: the moves are emitted now */
    zki_status st = ZKI_OK;
    for (int i = 0; !st && i < n->n_in; i++)
        if (n->in[i] >= 0)
            st = zki_lower_move_flush(lw, qi, n->in[i]);
    if (!st)
        st = zki_lower_known(lw, n, n->in[0]);
    for (int i = 1; !st && (n->op == ZKI_QOP_ADD || n->op == ZKI_QOP_CONCAT) && i < n->n_in; i++)
        st = zki_lower_known(lw, n, n->in[i]);
    if (st)
        return st;
    return lower_computing(lw, qi, n);
}

/* A node that computes, its operands proven tensors; a MUL, BMM or
 * Concat reads the model input through a MOVE node (zki_lower_move_input)
 * for the time of its lowering. */
static zki_status lower_computing(zki_lowering *lw, int qi, const zki_qnode *n)
{
    int in = lw->m->inputs[0], reads = 0;
    for (int i = 0; i < n->n_in; i++)
        reads |= n->in[i] == in && lw->t[in].id == 0;
    if (reads && (n->op == ZKI_QOP_MUL || n->op == ZKI_QOP_MATMUL || n->op == ZKI_QOP_CONCAT)) {
        zki_tinfo saved = lw->t[in], moved;
        zki_status st = zki_lower_move_input(lw, qi, in, &moved);
        if (st)
            return st;
        lw->t[in] = moved;
        st = lower_computing(lw, qi, n);
        lw->t[in] = saved;
        return st;
    }
    switch (n->op) {
    case ZKI_QOP_MAXPOOL: return lower_maxpool(lw, qi, n);
    case ZKI_QOP_CONCAT:
        if (concat_flat(lw->m, n)) {
            zki_tinfo xs[ZKI_DAG_MAX_IN];
            for (int i = 0; i < n->n_in && i < (int)ZKI_DAG_MAX_IN; i++)
                xs[i] = lw->t[n->in[i]];
            return zki_lower_flat_concat(lw, qi, n, xs, &lw->t[n->out]);
        }
        if (!concat_of_maps(lw, n))
            return zki_lower_concat_any(lw, qi, n);
        return lower_join(lw, qi, n);
    case ZKI_QOP_ADD: return lower_join(lw, qi, n);
    case ZKI_QOP_MUL: return zki_lower_mul(lw, qi, n);
    case ZKI_QOP_MATMUL: return zki_lower_bmm(lw, qi, n);
    case ZKI_QOP_LUT: return zki_lower_lut(lw, qi, n);
    case ZKI_QOP_REQUANT:
        if (!lw->t[n->in[0]].map || lw->m->t[n->in[0]].rank != 4)
            return zki_lower_requant_lut(lw, qi, n);
        return lower_affine(lw, qi, n);
    default: return lower_affine(lw, qi, n);
    }
}

/* Every node must lead to the output: a node nothing reads would go
 * unproven. */
static zki_status check_reach(const zki_dag *d)
{
    int64_t dead = zki_dag_dead_nodes(d);
    if (dead < 0)
        return zki_fail(ZKI_ERR_NOMEM, "prove: DAG");
    if (dead)
        REFUSE("prove: %lld of the model's proven nodes do not lead to its output", (long long)dead);
    return ZKI_OK;
}

/* the verification key commits the weights: a model of lookups and moves
 * alone has nothing to commit */
static int has_weights(const zki_dag *d)
{
    for (uint32_t l = 0; l < d->n_nodes; l++)
        if (zki_dag_node_weights(&d->nodes[l]) > 0)
            return 1;
    return 0;
}

zki_status zki_dag_lower(const zki_qmodel *m, zki_dag *d, int **src_node)
{
    memset(d, 0, sizeof(*d));
    if (src_node)
        *src_node = NULL;
    zki_status st = unproven_ops(m);
    if (st)
        return st;
    if (m->n_inputs != 1 || m->n_outputs != 1)
        REFUSE("prove: the model has %d inputs ('%s'%s) and %d outputs: one input and one output are supported "
               "(weights must be constants)", m->n_inputs, m->n_inputs > 0 ? m->t[m->inputs[0]].name : "",
               m->n_inputs > 1 ? ", ..." : "", m->n_outputs);
    const zki_qtensor *it = &m->t[m->inputs[0]], *ot = &m->t[m->outputs[0]];
    if (it->bits < 2 || it->bits > 32 || (it->bits > 16 && !zki_lower_ids_only(m)))
        REFUSE("prove: input '%s' has %d bits (2..16 supported; up to 32 for token ids read only by Gathers of an "
               "embedding)", it->name, it->bits);
    d->in_bits = (uint32_t)it->bits;
    d->out_bits = (uint32_t)ot->bits;
    d->in_rank = (uint32_t)it->rank;
    d->out_rank = (uint32_t)ot->rank;
    memcpy(d->in_dims, it->dims, sizeof(d->in_dims));
    memcpy(d->out_dims, ot->dims, sizeof(d->out_dims));
    d->in_scale = it->scale;
    d->out_scale = ot->scale;
    size_t cap = 5 * (size_t)m->n_nodes + 2;
    zki_lowering lw = {m, d, calloc((size_t)m->n_t + 1, sizeof(zki_tinfo)), calloc(cap, sizeof(int)), cap, NULL, 0, 0};
    d->nodes = calloc(cap, sizeof(zki_dag_node));
    if (!lw.t || !lw.src || !d->nodes) {
        st = zki_fail(ZKI_ERR_NOMEM, "prove: DAG");
        goto out;
    }
    for (int i = 0; i < m->n_t; i++)
        lw.t[i].id = -1;
    zki_tinfo *x = &lw.t[m->inputs[0]];
    x->id = 0, x->feat = zki_qnumel(it), x->bits = (uint32_t)it->bits;
    for (int i = 0; !st && i < m->n_nodes; i++) {
        if (d->n_nodes + 4 > cap || d->n_nodes >= ZKI_DAG_MAX_NODES)
            st = zki_fail(ZKI_ERR_UNSUPPORTED, "prove: more than %u proven nodes", ZKI_DAG_MAX_NODES);
        else
            st = lower_node(&lw, i);
    }
    if (!st && m->n_nodes > 0)
        st = zki_lower_move_flush(&lw, m->n_nodes - 1, m->outputs[0]);
    if (st)
        goto out;
    int oid = lw.t[m->outputs[0]].id;
    if (d->n_nodes == 0 || oid < 1) {
        st = zki_fail(ZKI_ERR_UNSUPPORTED, "prove: the model has no Linear (Gemm/MatMul), Conv or pool layer "
                      "to prove");
        goto out;
    }
    if ((uint32_t)oid != d->n_nodes) {
        st = zki_fail(ZKI_ERR_UNSUPPORTED, "prove: %u proven nodes come after the one computing the output",
                      d->n_nodes - (uint32_t)oid);
        goto out;
    }
    if (d->nodes[d->n_nodes - 1].kind == ZKI_NODE_CONCAT || d->nodes[d->n_nodes - 1].kind == ZKI_NODE_GATHER) {
        int cat = d->nodes[d->n_nodes - 1].kind == ZKI_NODE_CONCAT;
        st = zki_fail(ZKI_ERR_UNSUPPORTED, "prove: the output comes from a %s (node '%s'; its output is not "
                      "committed: end the model with a layer after it)", cat ? "Concat" : "Gather",
                      m->nodes[lw.src[d->n_nodes - 1]].name);
        goto out;
    }
    st = check_reach(d);
    if (!st && !has_weights(d))
        st = zki_fail(ZKI_ERR_UNSUPPORTED, "prove: the model has no Gemm/MatMul or Conv layer, so no weights to "
                      "commit (the key commits a model's weights: prove a model with at least one such layer)");
out:
    zki_lower_move_free(&lw);
    free(lw.t);
    if (!st && src_node)
        *src_node = lw.src;
    else
        free(lw.src);
    if (st)
        zki_dag_free(d);
    return st;
}
