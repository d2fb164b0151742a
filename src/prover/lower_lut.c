/* Lowering an elementwise function by lookup (the quantiser's LUT: Sigmoid,
 * Tanh, Erf, GELU, LeakyRelu, Sqrt, Pow, ...) to a LUT node
 * (protocol/gadget_lut.c): the input keeps its layout (a padded map, or a
 * row), the table is cut to the input's 2^b values. */
#include <stdlib.h>
#include <string.h>

#include "poly/mle.h"
#include "prover/lower_internal.h"

zki_status zki_lower_lut(zki_lowering *lw, int qi, const zki_qnode *n)
{
    const zki_qmodel *m = lw->m;
    const zki_qtensor *xt = &m->t[n->in[0]], *tt = &m->t[n->in[1]], *yt = &m->t[n->out];
    zki_tinfo x = lw->t[n->in[0]];
    uint32_t b = x.bits;
    if (b < 2 || b > 16)
        REFUSE("prove: node '%s' (Lut) reads %u-bit values: tables of inputs up to 16 bits are proven", n->name, b);
    int64_t lo = -((int64_t)1 << (b - 1)), size = (int64_t)1 << b, T = zki_qnumel(tt);
    /* the table must hold every input value: entries lo .. lo + 2^b - 1 */
    if (tt->kind != ZKI_QT_CONST || !tt->data || n->n_p < 1 || n->p[0] > lo || n->p[0] + T < lo + size)
        REFUSE("prove: node '%s' (Lut): its table does not cover the input's %u-bit range", n->name, b);
    if (yt->bits < 2 || yt->bits > 16 || zki_qnumel(yt) != x.feat)
        REFUSE("prove: node '%s' (Lut): outputs of 2 to 16 bits, one per input element, are proven", n->name);
    /* the model input of an image [1, C, H, W] is read as a map */
    if (x.id == 0 && xt->rank == 4 && xt->dims[0] == 1) {
        x.map = 1, x.c = (uint32_t)xt->dims[1], x.h = (uint32_t)xt->dims[2], x.w = (uint32_t)xt->dims[3];
    }
    if (x.map ? zki_log2_ceil(x.c) + zki_log2_ceil(x.h) + zki_log2_ceil(x.w) > 26 : x.feat > ZKI_DAG_MAX_DIM)
        REFUSE("prove: node '%s' (Lut): its input is too large", n->name);
    int64_t *aux = malloc(sizeof(int64_t) * (size_t)(size + 1));
    if (!aux)
        return zki_fail(ZKI_ERR_NOMEM, "prove: table of node '%s'", n->name);
    aux[0] = lo;
    int nonneg = 1;
    for (int64_t i = 0; i < size; i++) {
        aux[1 + i] = tt->data[lo + i - n->p[0]];
        if (aux[1 + i] < -((int64_t)1 << (yt->bits - 1)) || aux[1 + i] >= ((int64_t)1 << (yt->bits - 1))) {
            free(aux);
            REFUSE("prove: node '%s' (Lut): table entry %lld outside the output's %d bits", n->name,
                   (long long)(lo + i), yt->bits);
        }
        nonneg = nonneg && aux[1 + i] >= 0;
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
