/* Lowering an embedding lookup (GATHER of a constant table by the model's
 * input, p: axis) to a GATHER node (protocol/dag.h): the table [V, D]
 * along axis 0, the ids the model input itself, read by no other node
 * when it is wider than 16 bits (int32 token ids). */
#include "prover/lower_internal.h"

#include <string.h>

#include "pcs/pcs.h"
#include "poly/mle.h"

int zki_lower_gather_ok(const zki_qmodel *m, const zki_qnode *n)
{
    if (n->op != ZKI_QOP_GATHER || n->n_in != 2 || m->n_inputs != 1 || n->in[1] != m->inputs[0] ||
        n->in[0] == n->in[1] || n->n_p < 1 || n->p[0] != 0)
        return 0;
    const zki_qtensor *w = &m->t[n->in[0]];
    return w->kind == ZKI_QT_CONST && w->data && (w->bits == 8 || w->bits == 16) && w->rank == 2 &&
           w->dims[0] >= 1 && w->dims[1] >= 1;
}

int zki_lower_ids_only(const zki_qmodel *m)
{
    for (int i = 0; m->n_inputs == 1 && i < m->n_nodes; i++) {
        const zki_qnode *n = &m->nodes[i];
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] == m->inputs[0] && !zki_lower_gather_ok(m, n))
                return 0;
    }
    return m->n_inputs == 1;
}

zki_status zki_lower_gather(zki_lowering *lw, int qi, const zki_qnode *n)
{
    const zki_qmodel *m = lw->m;
    if (!zki_lower_gather_ok(m, n) || lw->t[n->in[1]].id != 0 || lw->t[n->in[1]].mv)
        REFUSE("prove: node '%s' (Gather): " ZKI_GATHER_FORMS, n->name);
    const zki_qtensor *w = &m->t[n->in[0]], *yt = &m->t[n->out];
    int64_t V = w->dims[0], D = w->dims[1], T = lw->t[n->in[1]].feat;
    if (V > ZKI_DAG_MAX_DIM || D > ZKI_DAG_MAX_DIM || T < 1 || T * D > ZKI_DAG_MAX_DIM || zki_qnumel(yt) != T * D ||
        zki_log2_ceil((size_t)V) + zki_log2_ceil((size_t)D) > ZKI_PCS_MAX_LOG_LEN)
        REFUSE("prove: node '%s' (Gather): a %lld x %lld table looked up by %lld ids exceeds the proof's sizes (2^26 "
               "outputs per sample, 2^%u padded table entries)", n->name, (long long)V, (long long)D, (long long)T,
               ZKI_PCS_MAX_LOG_LEN);
    zki_dag_node *L = zki_lower_new_node(lw, qi, ZKI_NODE_GATHER);
    L->in[0] = 0;
    L->K = (uint32_t)D, L->N = (uint32_t)(T * D), L->OC = (uint32_t)V;
    L->w_bits = L->out_bits = (uint32_t)w->bits; /* its values are table entries */
    zki_tinfo *y = &lw->t[n->out];
    memset(y, 0, sizeof(*y));
    y->id = (int)lw->d->n_nodes, y->feat = T * D, y->bits = L->out_bits;
    return ZKI_OK;
}
