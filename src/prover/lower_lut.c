/* Lowering an elementwise function by lookup (the quantiser's LUT: Sigmoid,
 * Tanh, Erf, GELU, LeakyRelu, Sqrt, Pow, ...) to a LUT node
 * (protocol/gadget_lut.c): the input keeps its layout (a padded map, or a
 * row), the table is cut to the input's 2^b values. A Requant of a row
 * (the quantiser's scale alignment of a recurrent layer's steps before
 * they are joined) is such a function too: its table is rq(x M) over the
 * input's range, public like every table. */
#include <stdlib.h>
#include <string.h>

#include "poly/mle.h"
#include "prover/lower_internal.h"

/* The LUT node of model node n: aux (lo, then 2^b outputs; taken) after
 * its entries are checked to fit the output's bits. */
static zki_status emit_lut(zki_lowering *lw, int qi, const zki_qnode *n, zki_tinfo x, int64_t *aux, int64_t size)
{
    const zki_qtensor *xt = &lw->m->t[n->in[0]], *yt = &lw->m->t[n->out];
    if (yt->bits < 2 || yt->bits > 16 || zki_qnumel(yt) != x.feat) {
        free(aux);
        REFUSE("prove: node '%s' (%s): outputs of 2 to 16 bits, one per input element, are proven", n->name,
               zki_qop_name(n->op));
    }
    /* the model input of an image [1, C, H, W] is read as a map */
    if (x.id == 0 && xt->rank == 4 && xt->dims[0] == 1) {
        x.map = 1, x.c = (uint32_t)xt->dims[1], x.h = (uint32_t)xt->dims[2], x.w = (uint32_t)xt->dims[3];
    }
    if (x.map ? zki_log2_ceil(x.c) + zki_log2_ceil(x.h) + zki_log2_ceil(x.w) > 26 : x.feat > ZKI_DAG_MAX_DIM) {
        free(aux);
        REFUSE("prove: node '%s' (%s): its input is too large", n->name, zki_qop_name(n->op));
    }
    int nonneg = 1;
    for (int64_t i = 0; i < size; i++) {
        if (aux[1 + i] < -((int64_t)1 << (yt->bits - 1)) || aux[1 + i] >= ((int64_t)1 << (yt->bits - 1))) {
            long long at = (long long)(aux[0] + i);
            free(aux);
            REFUSE("prove: node '%s' (%s): table entry %lld outside the output's %d bits", n->name,
                   zki_qop_name(n->op), at, yt->bits);
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

/* aux for a b-bit input: lo = -2^(b-1), then room for 2^b entries. */
static int64_t *lut_aux(const zki_qnode *n, uint32_t b, int64_t *size, zki_status *st)
{
    *st = ZKI_OK;
    if (b < 2 || b > 16) {
        *st = zki_fail(ZKI_ERR_UNSUPPORTED, "prove: node '%s' (%s) reads %u-bit values: tables of inputs up to 16 "
                       "bits are proven", n->name, zki_qop_name(n->op), b);
        return NULL;
    }
    *size = (int64_t)1 << b;
    int64_t *aux = malloc(sizeof(int64_t) * (size_t)(*size + 1));
    if (!aux)
        *st = zki_fail(ZKI_ERR_NOMEM, "prove: table of node '%s'", n->name);
    else
        aux[0] = -((int64_t)1 << (b - 1));
    return aux;
}

zki_status zki_lower_lut(zki_lowering *lw, int qi, const zki_qnode *n)
{
    const zki_qtensor *tt = &lw->m->t[n->in[1]];
    zki_tinfo x = lw->t[n->in[0]];
    int64_t size = 0, T = zki_qnumel(tt);
    zki_status st;
    int64_t *aux = lut_aux(n, x.bits, &size, &st);
    if (!aux)
        return st;
    /* the table must hold every input value: entries lo .. lo + 2^b - 1 */
    if (tt->kind != ZKI_QT_CONST || !tt->data || n->n_p < 1 || n->p[0] > aux[0] || n->p[0] + T < aux[0] + size) {
        free(aux);
        REFUSE("prove: node '%s' (Lut): its table does not cover the input's %u-bit range", n->name, x.bits);
    }
    for (int64_t i = 0; i < size; i++)
        aux[1 + i] = tt->data[aux[0] + i - n->p[0]];
    return emit_lut(lw, qi, n, x, aux, size);
}

zki_status zki_lower_requant_lut(zki_lowering *lw, int qi, const zki_qnode *n)
{
    zki_tinfo x = lw->t[n->in[0]];
    const int64_t *p = n->p;
    if (n->n_p < 4 || p[1] < 1 || p[1] > 61 || p[0] <= -(1ll << 31) || p[0] >= (1ll << 31))
        REFUSE("prove: node '%s' (Requant): 1 <= s <= 61 and |M| < 2^31 are proven", n->name);
    int64_t size = 0;
    zki_status st;
    int64_t *aux = lut_aux(n, x.bits, &size, &st);
    if (!aux)
        return st;
    for (int64_t i = 0; i < size; i++)
        aux[1 + i] = zki_rq(aux[0] + i, p[0], (int)p[1], p[2], p[3]);
    return emit_lut(lw, qi, n, x, aux, size);
}
