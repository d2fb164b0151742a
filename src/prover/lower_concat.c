/* Concat along any axis (prover/lower_internal.h).
 *
 * The CONCAT node joins maps along their channels, and 1x1 maps (rows)
 * end to end: a flat concatenation. A Concat along another axis (RoPE's
 * rotate-half joins halves of each head's last axis) is that flat
 * concatenation of its inputs, each first moved to a dense row when it is
 * not one, then a move placing every element where the joined tensor has
 * it: a Transpose of [k][outer][n][inner] to [outer][k][n][inner] when the
 * k inputs are equal along the axis, else a Gather by constant indices.
 * That move stays pending on the output (emitted when read, composed with
 * the moves that follow), so the proof sees only index maps and the one
 * CONCAT node whose gadget already binds its inputs. */
#include "prover/lower_internal.h"

#include <stdlib.h>
#include <string.h>

#include "ops/move.h"
#include "poly/mle.h"

/* Model tensor t as a dense row (a row, or a 1x1 map, of all its values)
 * in *x: as it is, or moved into one by a MOVE node for node qi. */
static zki_status dense_row(zki_lowering *lw, int qi, int t, zki_tinfo *x)
{
    int64_t numel = zki_qnumel(&lw->m->t[t]);
    *x = lw->t[t];
    if (x->id >= 1 && x->feat == numel && (!x->map || (x->h == 1 && x->w == 1)))
        return ZKI_OK;
    int64_t step[3] = {ZKI_MOVE_RESHAPE, 1, numel};
    x->map = 0, x->c = x->h = x->w = 0, x->feat = numel, x->mv = 0;
    return zki_lower_move_into(lw, qi, t, step, 3, x);
}

zki_status zki_lower_flat_concat(zki_lowering *lw, int qi, const zki_qnode *n, const zki_tinfo *xs, zki_tinfo *y)
{
    const zki_qtensor *yt = &lw->m->t[n->out];
    int64_t total = 0;
    int bad = n->n_in < 2 || n->n_in > (int)ZKI_DAG_MAX_IN || yt->bits > 16, nonneg = 1;
    for (int i = 0; !bad && i < n->n_in; i++) {
        const zki_tinfo *x = &xs[i];
        bad = x->id < 1 || (x->map && (x->h != 1 || x->w != 1)) || x->feat != zki_qnumel(&lw->m->t[n->in[i]]) ||
              x->bits > (uint32_t)yt->bits;
        total += x->feat;
        nonneg = nonneg && x->nonneg;
    }
    if (bad || total != zki_qnumel(yt) || total > ZKI_DAG_MAX_DIM || zki_log2_ceil((uint64_t)total) > 26)
        REFUSE("prove: node '%s' (Concat): proven when each input is a proven layer's output (not the model "
               "input), at most 16 bits, the output at most 2^26 values", n->name);
    zki_dag_node *L = zki_lower_new_node(lw, qi, ZKI_NODE_CONCAT);
    L->n_in = (uint32_t)n->n_in;
    for (int i = 0; i < n->n_in; i++)
        L->in[i] = (uint32_t)xs[i].id;
    L->out_bits = (uint32_t)yt->bits;
    L->C = L->OC = (uint32_t)total, L->H = L->W = 1, L->G = 1;
    L->K = L->N = zki_lower_map_size((uint32_t)total, 1, 1);
    memset(y, 0, sizeof(*y));
    y->id = (int)lw->d->n_nodes, y->map = 1, y->c = (uint32_t)total, y->h = y->w = 1, y->feat = total;
    y->nonneg = nonneg, y->bits = (uint32_t)yt->bits;
    return ZKI_OK;
}

/* The move from the flat concatenation [total] to y [dims] joined along
 * axis ax (steps in w, *len words): w has room for 8 + 2 * rank + total. */
static size_t placing_steps(const zki_qmodel *m, const zki_qnode *n, int ax, int64_t *w)
{
    const zki_qtensor *yt = &m->t[n->out];
    int64_t outer = 1, inner = 1, total = zki_qnumel(yt), k = n->n_in, len0 = m->t[n->in[0]].dims[ax];
    int equal = 1;
    for (int a = 0; a < ax; a++)
        outer *= yt->dims[a];
    for (int a = ax + 1; a < yt->rank; a++)
        inner *= yt->dims[a];
    for (int i = 1; i < n->n_in; i++)
        equal = equal && m->t[n->in[i]].dims[ax] == len0;
    size_t l = 0;
    if (equal) {
        int64_t st[] = {ZKI_MOVE_RESHAPE, 4, k, outer, len0, inner, ZKI_MOVE_TRANSPOSE, 1, 0, 2, 3};
        memcpy(w, st, sizeof st);
        l = sizeof st / sizeof st[0];
    } else {
        w[l++] = ZKI_MOVE_GATHER, w[l++] = 0, w[l++] = 1, w[l++] = total;
        int64_t off = 0;
        for (int i = 0, a0 = 0; i < n->n_in; i++) {
            int64_t ni = m->t[n->in[i]].dims[ax];
            for (int64_t o = 0; o < outer; o++)
                for (int64_t a = 0; a < ni; a++)
                    for (int64_t e = 0; e < inner; e++)
                        w[4 + (o * yt->dims[ax] + a0 + a) * inner + e] = off + (o * ni + a) * inner + e;
            off += outer * ni * inner;
            a0 += (int)ni;
        }
        l += (size_t)total;
    }
    w[l++] = ZKI_MOVE_RESHAPE, w[l++] = yt->rank;
    for (int a = 0; a < yt->rank; a++)
        w[l++] = yt->dims[a];
    return l;
}

zki_status zki_lower_concat_any(zki_lowering *lw, int qi, const zki_qnode *n)
{
    const zki_qtensor *yt = &lw->m->t[n->out];
    int ax = n->n_p >= 1 ? (int)n->p[0] : -1;
    int64_t total = zki_qnumel(yt);
    if (n->n_in < 2 || n->n_in > (int)ZKI_DAG_MAX_IN || ax < 0 || ax >= yt->rank || yt->rank > ZKI_MOVE_MAX_RANK ||
        total > ZKI_MOVE_MAX_SIZE)
        REFUSE("prove: node '%s' (Concat): proven for 2 to %u inputs of rank at most %d, at most 2^26 values",
               n->name, (unsigned)ZKI_DAG_MAX_IN, ZKI_MOVE_MAX_RANK);
    int64_t sum = 0;
    for (int i = 0; i < n->n_in; i++) {
        const zki_qtensor *x = &lw->m->t[n->in[i]];
        int ok = x->rank == yt->rank;
        for (int a = 0; ok && a < yt->rank; a++)
            ok = a == ax || x->dims[a] == yt->dims[a];
        if (!ok)
            REFUSE("prove: node '%s' (Concat): input %d's shape differs from the output's off axis %d", n->name, i,
                   ax);
        sum += x->dims[ax];
    }
    if (sum != yt->dims[ax])
        REFUSE("prove: node '%s' (Concat): the inputs' lengths along axis %d add up to %lld, not the output's %lld",
               n->name, ax, (long long)sum, (long long)yt->dims[ax]);
    zki_tinfo xs[ZKI_DAG_MAX_IN], flat;
    zki_status st = ZKI_OK;
    for (int i = 0; !st && i < n->n_in; i++)
        st = dense_row(lw, qi, n->in[i], &xs[i]);
    if (!st)
        st = zki_lower_flat_concat(lw, qi, n, xs, &flat);
    int64_t *w = st ? NULL : malloc(sizeof(int64_t) * (size_t)(total + 16 + 2 * ZKI_MOVE_MAX_RANK));
    if (st || !w)
        return st ? st : zki_fail(ZKI_ERR_NOMEM, "prove: lowering");
    size_t len = placing_steps(lw->m, n, ax, w);
    st = zki_lower_move_pend(lw, n->out, &flat, 1, &total, w, len);
    free(w);
    return st;
}
