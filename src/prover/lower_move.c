/* Lowering data movement (Reshape, Squeeze/Unsqueeze, Flatten, Transpose,
 * Slice, Pad, Gather by constant indices) to MOVE nodes (ops/move.h).
 *
 * A chain of such model nodes composes into one step program, pending on
 * the tensor it makes; the MOVE node is emitted only when a node that is
 * no data movement reads that tensor, or when it is the model's output
 * (zki_lower_move_flush). Flatten of a map, a Reshape that keeps a map's
 * shape or a row a row (any Reshape of the model input), and a zero-amount
 * Pad stay free aliases of their input (no node), as they always were. */
#include "prover/lower_internal.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "ops/move.h"
#include "poly/mle.h"

static int batch_map(const zki_qtensor *t) { return t->rank == 4 && t->dims[0] == 1; }

zki_status zki_lower_move_step(const zki_qmodel *m, const zki_qnode *n, int64_t *w, size_t cap, size_t *len)
{
    const zki_qtensor *x = &m->t[n->in[0]], *y = &m->t[n->out];
    int r = x->rank;
    size_t k = 0;
#define PUT(v)                                                                                  \
    do {                                                                                        \
        if (k >= cap)                                                                           \
            REFUSE("prove: node '%s' (%s): the data movement program is too long", n->name,      \
                   zki_qop_name(n->op));                                                        \
        w[k++] = (v);                                                                           \
    } while (0)
    if (r < 1 || r > ZKI_MOVE_MAX_RANK || y->rank < 1 || y->rank > ZKI_MOVE_MAX_RANK)
        REFUSE("prove: node '%s' (%s): data movement is proven on tensors of rank 1 to %d", n->name,
               zki_qop_name(n->op), ZKI_MOVE_MAX_RANK);
    switch (n->op) {
    case ZKI_QOP_RESHAPE:
        PUT(ZKI_MOVE_RESHAPE);
        PUT(y->rank);
        for (int a = 0; a < y->rank; a++)
            PUT(y->dims[a]);
        break;
    case ZKI_QOP_TRANSPOSE:
        PUT(ZKI_MOVE_TRANSPOSE);
        for (int a = 0; a < r; a++)
            PUT(n->p[a]);
        break;
    case ZKI_QOP_SLICE:
        PUT(ZKI_MOVE_SLICE);
        for (int a = 0; a < 2 * r; a++)
            PUT(n->p[a]);
        for (int a = 0; a < r; a++)
            PUT(y->dims[a]);
        break;
    case ZKI_QOP_PAD: {
        /* negative amounts crop: a slice first */
        int crop = 0;
        for (int a = 0; a < r; a++)
            crop |= n->p[2 + a] < 0 || y->dims[a] - x->dims[a] - n->p[2 + a] < 0;
        if (crop) {
            PUT(ZKI_MOVE_SLICE);
            for (int a = 0; a < r; a++)
                PUT(n->p[2 + a] < 0 ? -n->p[2 + a] : 0);
            for (int a = 0; a < r; a++)
                PUT(1);
            for (int a = 0; a < r; a++) {
                int64_t e = y->dims[a] - x->dims[a] - n->p[2 + a];
                PUT(x->dims[a] - (n->p[2 + a] < 0 ? -n->p[2 + a] : 0) - (e < 0 ? -e : 0));
            }
        }
        PUT(ZKI_MOVE_PAD);
        PUT(n->p[0]);
        for (int a = 0; a < r; a++)
            PUT(n->p[2 + a] > 0 ? n->p[2 + a] : 0);
        for (int a = 0; a < r; a++) {
            int64_t e = y->dims[a] - x->dims[a] - n->p[2 + a];
            PUT(e > 0 ? e : 0);
        }
        break;
    }
    case ZKI_QOP_GATHER: {
        const zki_qtensor *it = &m->t[n->in[1]];
        int ax = (int)n->p[0];
        if (it->kind != ZKI_QT_CONST || !it->data)
            REFUSE("prove: node '%s' (Gather): proven with constant indices", n->name);
        PUT(ZKI_MOVE_GATHER);
        PUT(ax);
        PUT(it->rank);
        for (int a = 0; a < it->rank; a++)
            PUT(it->dims[a]);
        int64_t ni = zki_qnumel(it);
        for (int64_t i = 0; i < ni; i++)
            PUT(it->data[i] < 0 ? it->data[i] + x->dims[ax] : it->data[i]);
        break;
    }
    case ZKI_QOP_TRILU:
        PUT(ZKI_MOVE_TRIL);
        PUT(n->p[0]);
        PUT(n->p[1]);
        break;
    default: REFUSE("prove: node '%s' (%s) is no data movement", n->name, zki_qop_name(n->op));
    }
#undef PUT
    *len = k;
    return ZKI_OK;
}

/* The pending program on model tensor t. */
static zki_move_pending *pending_of(zki_lowering *lw, int t)
{
    return lw->t[t].mv > 0 ? &lw->mv[lw->t[t].mv - 1] : NULL;
}

static zki_status new_pending(zki_lowering *lw, const zki_move_pending *fromp, size_t extra, int *idx)
{
    const zki_move_pending f = *fromp, *from = &f; /* fromp may lie in lw->mv */
    if (lw->n_mv == lw->cap_mv) {
        size_t cap = lw->cap_mv ? 2 * lw->cap_mv : 16;
        zki_move_pending *p = realloc(lw->mv, sizeof(*p) * cap);
        if (!p)
            return zki_fail(ZKI_ERR_NOMEM, "prove: lowering");
        lw->mv = p, lw->cap_mv = cap;
    }
    zki_move_pending *P = &lw->mv[lw->n_mv];
    *P = *from;
    P->emitted = -1;
    P->prog = malloc(sizeof(int64_t) * (from->n + extra));
    if (!P->prog)
        return zki_fail(ZKI_ERR_NOMEM, "prove: lowering");
    memcpy(P->prog, from->prog, sizeof(int64_t) * from->n);
    *idx = (int)lw->n_mv++;
    return ZKI_OK;
}

/* The layout header of the tensor a program reads (the model input is
 * read as node 0's conv reads it: a map when it is [1, C, H, W]). */
static void base_header(const zki_lowering *lw, const zki_tinfo *b, int64_t *h)
{
    const zki_qtensor *it = &lw->m->t[lw->m->inputs[0]];
    if (b->id == 0 && batch_map(it)) {
        h[0] = 1, h[1] = it->dims[1], h[2] = it->dims[2], h[3] = it->dims[3];
    } else if (b->map) {
        h[0] = 1, h[1] = b->c, h[2] = b->h, h[3] = b->w;
    } else {
        h[0] = 0, h[1] = b->feat, h[2] = 0, h[3] = 0;
    }
}

/* Model tensor t is pending program idx (its layout from its shape). */
static void set_pending(zki_lowering *lw, int t, int idx, int nonneg)
{
    const zki_qtensor *yt = &lw->m->t[t];
    zki_tinfo *y = &lw->t[t];
    memset(y, 0, sizeof(*y));
    y->id = -2; /* pending: emitted when read */
    y->mv = idx + 1;
    y->map = batch_map(yt);
    if (y->map)
        y->c = (uint32_t)yt->dims[1], y->h = (uint32_t)yt->dims[2], y->w = (uint32_t)yt->dims[3];
    y->feat = zki_qnumel(yt);
    y->bits = lw->mv[idx].base.bits;
    y->nonneg = nonneg;
}

/* P moves every element to where it was, into the layout the base's
 * producer states (its readers check that one): a move back and forth
 * between two token Linears is no move at all. */
static int is_identity(const zki_move_pending *P, const zki_tinfo *y)
{
    const zki_tinfo *b = &P->base;
    int same = !P->node && b->map == y->map && (!b->map || (b->c == y->c && b->h == y->h && b->w == y->w));
    int64_t *src = NULL;
    if (!same || b->id < 0 || b->feat != y->feat || zki_move_expand(P->prog, P->n, &src) != ZKI_OK)
        return 0;
    for (int64_t o = 0; same && o < b->feat; o++)
        same = src[o] == o;
    free(src);
    return same;
}

/* Emits pending program P (once) as a MOVE node for model node qi, its
 * output laid out as y says; y->id is set. */
static zki_status emit_pending(zki_lowering *lw, int qi, zki_move_pending *P, zki_tinfo *y)
{
    if (P->emitted < 0 && is_identity(P, y))
        P->emitted = P->base.id; /* no node: y is the base tensor itself */
    if (P->emitted < 0) {
        int64_t h[ZKI_MOVE_AUX_HDR];
        base_header(lw, &P->base, h);
        zki_move_info info;
        zki_status st = zki_move_check(P->prog, P->n, &info);
        uint64_t lin = h[0] ? zki_log2_ceil((uint64_t)h[1]) + zki_log2_ceil((uint64_t)h[2]) +
                                  zki_log2_ceil((uint64_t)h[3])
                            : zki_log2_ceil((uint64_t)h[1]);
        uint64_t lout = y->map ? zki_log2_ceil(y->c) + zki_log2_ceil(y->h) + zki_log2_ceil(y->w)
                               : zki_log2_ceil((uint64_t)y->feat);
        if (st)
            return zki_fail_ctx(ZKI_ERR_UNSUPPORTED, "prove: the data movement before node '%s'",
                                lw->m->nodes[qi].name);
        if (P->n + ZKI_MOVE_AUX_HDR > ZKI_DAG_MAX_AUX || lin > 26 || lout > 26)
            REFUSE("prove: the data movement before node '%s' is not proven (at most 2^26 elements per tensor, "
                   "%d steps, %u program words)", lw->m->nodes[qi].name, ZKI_MOVE_MAX_STEPS,
                   (unsigned)(ZKI_DAG_MAX_AUX - ZKI_MOVE_AUX_HDR));
        if (lw->d->n_nodes >= lw->cap)
            REFUSE("prove: more than %u proven nodes", (unsigned)lw->cap);
        zki_dag_node *L = zki_lower_new_node(lw, qi, ZKI_NODE_MOVE);
        L->aux = malloc(sizeof(int64_t) * (P->n + ZKI_MOVE_AUX_HDR));
        if (!L->aux)
            return zki_fail(ZKI_ERR_NOMEM, "prove: lowering");
        L->n_aux = (uint32_t)(P->n + ZKI_MOVE_AUX_HDR);
        memcpy(L->aux, h, sizeof(h));
        memcpy(L->aux + ZKI_MOVE_AUX_HDR, P->prog, sizeof(int64_t) * P->n);
        L->in[0] = (uint32_t)P->base.id;
        L->out_bits = P->base.bits;
        L->K = 1u << lin;
        if (y->map) {
            L->C = y->c, L->H = y->h, L->W = y->w;
            L->N = 1u << lout;
        } else {
            L->N = (uint32_t)y->feat;
        }
        P->emitted = (int)lw->d->n_nodes;
    }
    y->id = P->emitted;
    y->mv = 0;
    return ZKI_OK;
}

zki_status zki_lower_move_flush(zki_lowering *lw, int qi, int t)
{
    zki_move_pending *P = pending_of(lw, t);
    if (!P)
        return ZKI_OK;
    zki_tinfo y = lw->t[t];
    zki_status st = emit_pending(lw, qi, P, &y);
    if (!st)
        lw->t[t] = y;
    return st;
}

/* A new pending program: from's words, then steps[n]; *idx its index. */
static zki_status extend(zki_lowering *lw, const zki_move_pending *from, const int64_t *steps, size_t n, int *idx)
{
    zki_status st = new_pending(lw, from, n, idx);
    if (!st) {
        zki_move_pending *P = &lw->mv[*idx];
        memcpy(P->prog + P->n, steps, sizeof(int64_t) * n);
        P->n += n;
    }
    return st;
}

/* Model tensor t's pending program (or, if none, a new one reading t in
 * its dense shape) extended by steps[n] into a new program *idx; model
 * node qi reads t. */
static zki_status extend_tensor(zki_lowering *lw, int qi, int t, const int64_t *steps, size_t n, int *idx)
{
    zki_move_pending *P = pending_of(lw, t);
    if (P)
        return extend(lw, P, steps, n, idx);
    const zki_qtensor *xt = &lw->m->t[t];
    const zki_qnode *q = &lw->m->nodes[qi];
    if (xt->rank < 1 || xt->rank > ZKI_MOVE_MAX_RANK || zki_qnumel(xt) != lw->t[t].feat)
        REFUSE("prove: node '%s' (%s): its input's shape", q->name, zki_qop_name(q->op));
    /* the pad constant, x's dense shape */
    int64_t head[2 + ZKI_MOVE_MAX_RANK] = {0, xt->rank};
    memcpy(head + 2, xt->dims, sizeof(int64_t) * (size_t)xt->rank);
    zki_move_pending from = {lw->t[t], head, 2 + (size_t)xt->rank, 0, -1, 0};
    return extend(lw, &from, steps, n, idx);
}

zki_status zki_lower_move_into(zki_lowering *lw, int qi, int t, const int64_t *steps, size_t n, zki_tinfo *y)
{
    int idx = -1;
    zki_status st = extend_tensor(lw, qi, t, steps, n, &idx);
    return st ? st : emit_pending(lw, qi, &lw->mv[idx], y);
}

zki_status zki_lower_move_input(zki_lowering *lw, int qi, int t, zki_tinfo *y)
{
    const zki_qtensor *xt = &lw->m->t[t];
    int64_t step[2 + ZKI_MOVE_MAX_RANK] = {ZKI_MOVE_RESHAPE, xt->rank};
    if (xt->rank < 1 || xt->rank > ZKI_MOVE_MAX_RANK)
        REFUSE("prove: the model input '%s' of rank %d, read by node '%s', is not moved", xt->name, xt->rank,
               lw->m->nodes[qi].name);
    memcpy(step + 2, xt->dims, sizeof(int64_t) * (size_t)xt->rank);
    int idx = -1;
    zki_status st = extend_tensor(lw, qi, t, step, 2 + (size_t)xt->rank, &idx);
    if (st)
        return st;
    lw->mv[idx].node = 1;
    *y = lw->t[t];
    return emit_pending(lw, qi, &lw->mv[idx], y);
}

zki_status zki_lower_move_pend(zki_lowering *lw, int t, const zki_tinfo *base, int rank, const int64_t *dims,
                               const int64_t *steps, size_t n)
{
    int64_t head[2 + ZKI_MOVE_MAX_RANK] = {0, rank};
    memcpy(head + 2, dims, sizeof(int64_t) * (size_t)rank);
    zki_move_pending from = {*base, head, 2 + (size_t)rank, 0, -1, 0};
    int idx = -1;
    zki_status st = extend(lw, &from, steps, n, &idx);
    if (st)
        return st;
    set_pending(lw, t, idx, base->nonneg);
    return ZKI_OK;
}

/* Free aliases: no node (the keys of models that only flatten maps or
 * reshape rows stay as they were). */
static int is_alias(const zki_lowering *lw, const zki_qnode *n)
{
    const zki_qtensor *xt = &lw->m->t[n->in[0]], *o = &lw->m->t[n->out];
    const zki_tinfo *x = &lw->t[n->in[0]];
    if (n->op == ZKI_QOP_PAD) {
        int ident = o->rank == xt->rank && n->n_p == 2 + xt->rank;
        for (int i = 0; ident && i < o->rank; i++)
            ident = o->dims[i] == xt->dims[i] && n->p[2 + i] == 0;
        return ident;
    }
    if (n->op != ZKI_QOP_RESHAPE || x->mv || zki_qnumel(o) != x->feat)
        return 0;
    if (x->map)
        return (o->rank == 2 && o->dims[0] == 1) ||
               (o->rank == 4 && o->dims[1] == x->c && o->dims[2] == x->h && o->dims[3] == x->w);
    /* a row stays a row unless it becomes a [1, C, H, W] map; the model
     * input is read in the layout its first reader gives it, as before */
    return x->id == 0 || !batch_map(o);
}

zki_status zki_lower_move(zki_lowering *lw, int qi, const zki_qnode *n)
{
    zki_tinfo *x = &lw->t[n->in[0]];
    if (!x->mv) {
        zki_status st = zki_lower_known(lw, n, n->in[0]);
        if (st)
            return st;
    }
    if (is_alias(lw, n)) {
        lw->t[n->out] = *x;
        return ZKI_OK;
    }
    int64_t w[4 * ZKI_MOVE_MAX_RANK + 4];
    int64_t *step = w;
    size_t len = 0, cap = sizeof(w) / sizeof(w[0]);
    if (n->op == ZKI_QOP_GATHER) {
        cap = 3 + ZKI_MOVE_MAX_RANK + (size_t)zki_qnumel(&lw->m->t[n->in[1]]);
        if (!(step = malloc(sizeof(int64_t) * cap)))
            return zki_fail(ZKI_ERR_NOMEM, "prove: lowering");
    }
    zki_status st = zki_lower_move_step(lw->m, n, step, cap, &len);
    /* one pad constant per program: a second, other one starts a new one */
    int cpad = (n->op == ZKI_QOP_PAD && n->p[0] == 0) || n->op == ZKI_QOP_TRILU;
    int64_t cval = n->op == ZKI_QOP_TRILU ? n->p[2] : n->op == ZKI_QOP_PAD ? n->p[1] : 0;
    zki_move_pending *P = pending_of(lw, n->in[0]);
    if (!st && cpad && P && P->has_pad && P->prog[0] != cval) {
        st = zki_lower_move_flush(lw, qi, n->in[0]);
        P = NULL;
    }
    int idx = -1;
    if (!st)
        st = extend_tensor(lw, qi, n->in[0], step, len, &idx);
    if (!st) {
        P = &lw->mv[idx];
        if (cpad) {
            P->prog[0] = cval;
            P->has_pad = 1;
        }
    }
    if (step != w)
        free(step);
    if (st)
        return st;
    set_pending(lw, n->out, idx, P->base.nonneg && (!P->has_pad || P->prog[0] >= 0));
    return ZKI_OK;
}

void zki_lower_move_free(zki_lowering *lw)
{
    for (size_t i = 0; i < lw->n_mv; i++)
        free(lw->mv[i].prog);
    free(lw->mv);
    lw->mv = NULL;
    lw->n_mv = lw->cap_mv = 0;
}
