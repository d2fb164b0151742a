/* Lowering an elementwise function by lookup (the quantiser's LUT: Sigmoid,
 * Tanh, Erf, GELU, LeakyRelu, Sqrt, Pow, ...) to a LUT node
 * (protocol/gadget_lut.c): the input keeps its layout (a padded map, or a
 * row), the table is cut to the input's 2^b values. A Requant outside a
 * map is lowered the same way, its table computed here. */
#include <stdlib.h>
#include <string.h>

#include "poly/mle.h"
#include "prover/lower_internal.h"

/* The LUT node of table aux (aux[0] = the first input value lo, then 2^b
 * outputs) on n's input; takes aux. */
static zki_status emit_lut(zki_lowering *lw, int qi, const zki_qnode *n, int64_t *aux)
{
    const zki_qmodel *m = lw->m;
    const zki_qtensor *xt = &m->t[n->in[0]], *yt = &m->t[n->out];
    zki_tinfo x = lw->t[n->in[0]];
    int64_t size = (int64_t)1 << x.bits;
    int nonneg = 1;
    for (int64_t i = 0; i < size; i++) {
        if (aux[1 + i] < -((int64_t)1 << (yt->bits - 1)) || aux[1 + i] >= ((int64_t)1 << (yt->bits - 1))) {
            long long v = (long long)(aux[0] + i);
            free(aux);
            REFUSE("prove: node '%s' (%s): table entry %lld outside the output's %d bits", n->name,
                   zki_qop_name(n->op), v, yt->bits);
        }
        nonneg = nonneg && aux[1 + i] >= 0;
    }
    /* the model input of an image [1, C, H, W] is read as a map */
    if (x.id == 0 && xt->rank == 4 && xt->dims[0] == 1) {
        x.map = 1, x.c = (uint32_t)xt->dims[1], x.h = (uint32_t)xt->dims[2], x.w = (uint32_t)xt->dims[3];
    }
    if (x.map ? zki_log2_ceil(x.c) + zki_log2_ceil(x.h) + zki_log2_ceil(x.w) > 26 : x.feat > ZKI_DAG_MAX_DIM) {
        free(aux);
        REFUSE("prove: node '%s' (%s): its input is too large", n->name, zki_qop_name(n->op));
    }
    zki_dag_node *L = zki_lower_new_node(lw, qi, ZKI_NODE_LUT);
    L->in[0] = (uint32_t)x.id;
    L->out_bits = (uint32_t)yt->bits;
    L->n_aux = (uint32_t)(size + 1);
    L->aux = aux;
    if (x.map) {
        L->C = x.c, L->H = x.h, L->W = x.w;
        L->K = L->N = zki_lower_map_size(x.c, x.h, x.w);
    } else {
        L->K = L->N = (uint32_t)x.feat;
    }
    zki_tinfo *y = &lw->t[n->out];
    *y = x;
    y->id = (int)lw->d->n_nodes, y->bits = (uint32_t)yt->bits, y->nonneg = nonneg;
    return ZKI_OK;
}

/* The input's bits and output's shape every table node needs. */
static zki_status check_lut_io(const zki_lowering *lw, const zki_qnode *n)
{
    uint32_t b = lw->t[n->in[0]].bits;
    const zki_qtensor *yt = &lw->m->t[n->out];
    if (b < 2 || b > 16)
        REFUSE("prove: node '%s' (%s) reads %u-bit values: tables of inputs up to 16 bits are proven", n->name,
               zki_qop_name(n->op), b);
    if (yt->bits < 2 || yt->bits > 16 || zki_qnumel(yt) != lw->t[n->in[0]].feat)
        REFUSE("prove: node '%s' (%s): outputs of 2 to 16 bits, one per input element, are proven", n->name,
               zki_qop_name(n->op));
    return ZKI_OK;
}

zki_status zki_lower_lut(zki_lowering *lw, int qi, const zki_qnode *n)
{
    const zki_qtensor *tt = &lw->m->t[n->in[1]];
    zki_status st = check_lut_io(lw, n);
    if (st)
        return st;
    uint32_t b = lw->t[n->in[0]].bits;
    int64_t lo = -((int64_t)1 << (b - 1)), size = (int64_t)1 << b, T = zki_qnumel(tt);
    /* the table must hold every input value: entries lo .. lo + 2^b - 1 */
    if (tt->kind != ZKI_QT_CONST || !tt->data || n->n_p < 1 || n->p[0] > lo || n->p[0] + T < lo + size)
        REFUSE("prove: node '%s' (Lut): its table does not cover the input's %u-bit range", n->name, b);
    int64_t *aux = malloc(sizeof(int64_t) * (size_t)(size + 1));
    if (!aux)
        return zki_fail(ZKI_ERR_NOMEM, "prove: table of node '%s'", n->name);
    aux[0] = lo;
    for (int64_t i = 0; i < size; i++)
        aux[1 + i] = tt->data[lo + i - n->p[0]];
    return emit_lut(lw, qi, n, aux);
}

/* A Requant of values that are not a map (a Relu or Clip after a reshape,
 * a rescale of rows): the same elementwise function as a table of its
 * 2^b inputs, computed by the executor's own zki_rq. */
zki_status zki_lower_requant_lut(zki_lowering *lw, int qi, const zki_qnode *n)
{
    zki_status st = check_lut_io(lw, n);
    if (st)
        return st;
    if (n->n_p < 4)
        REFUSE("prove: node '%s' (Requant): malformed parameters", n->name);
    uint32_t b = lw->t[n->in[0]].bits;
    int64_t lo = -((int64_t)1 << (b - 1)), size = (int64_t)1 << b;
    int64_t *aux = malloc(sizeof(int64_t) * (size_t)(size + 1));
    if (!aux)
        return zki_fail(ZKI_ERR_NOMEM, "prove: table of node '%s'", n->name);
    aux[0] = lo;
    for (int64_t i = 0; i < size; i++)
        aux[1 + i] = zki_rq(lo + i, n->p[0], (int)n->p[1], n->p[2], n->p[3]);
    return emit_lut(lw, qi, n, aux);
}
