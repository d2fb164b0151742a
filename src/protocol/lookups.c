/* The model's lookup instances, the same for prover and verifier
 * (protocol/proof.h): the range-[0, 2^16) instance, one (q, clamp(q))
 * instance per distinct clamp range, one (x, T(x) - T(0)) instance per
 * distinct LUT table, and the private input's range sites. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "poly/mle.h"
#include "protocol/gadget.h"
#include "protocol/proof.h"

void zki_requant_params_of(const zki_dag_node *L, zki_requant_params *p)
{
    p->M = L->M;
    p->s = L->s;
    p->lo = L->lo;
    p->hi = L->hi;
    p->q_log = L->q_log;
}

zki_status zki_input_range_sites(zki_lookup *range16, const zki_advice_layout *lay, const zki_dag *a,
                                 uint32_t B, const int64_t *x0p)
{
    size_t len = (size_t)B << zki_walk_log_len(a, 0);
    int64_t h = (int64_t)1 << (a->in_bits - 1);
    /* x + 2^(b-1) >= 0 and 2^(b-1) - 1 - x >= 0, both below 2^16 */
    zki_lk_col lo = {h, 1, {1}, {lay->in_id}, {x0p}}, hi = {h - 1, 1, {-1}, {lay->in_id}, {x0p}};
    zki_status st = zki_lookup_add_site(range16, "private input (low)", len, &lo, 1);
    if (!st)
        st = zki_lookup_add_site(range16, "private input (high)", len, &hi, 1);
    return st;
}

zki_status zki_model_lookups_init(zki_model_lookups *ml, const zki_dag *a, const zki_advice_layout *lay)
{
    memset(ml, 0, sizeof(*ml));
    ml->n = 1 + lay->n_maps;
    ml->n_maps = lay->n_maps;
    ml->maps = calloc(lay->n_maps ? lay->n_maps : 1, sizeof(zki_lookup_table));
    ml->lk = calloc(ml->n, sizeof(zki_lookup *));
    if (!ml->maps || !ml->lk) {
        zki_model_lookups_free(ml);
        return zki_fail(ZKI_ERR_NOMEM, "lookup instances");
    }
    zki_status st = zki_lookup_table_range(&ml->range, 16, 0);
    if (!st)
        st = zki_lookup_new(&ml->lk[0], &ml->range, lay->m_id[0]);
    for (uint32_t j = 0; !st && j < lay->n_maps; j++) {
        zki_requant_params p;
        zki_requant_params_of(&a->nodes[lay->map_node[j]], &p);
        st = a->nodes[lay->map_node[j]].kind == ZKI_NODE_LUT ? zki_lut_table(&ml->maps[j], a, lay->map_node[j])
                                                              : zki_requant_table(&ml->maps[j], &p);
        if (!st)
            st = zki_lookup_new(&ml->lk[1 + j], &ml->maps[j], lay->m_id[1 + j]);
    }
    if (st)
        zki_model_lookups_free(ml);
    return st;
}

void zki_model_lookups_free(zki_model_lookups *ml)
{
    if (ml->lk)
        for (uint32_t j = 0; j < ml->n; j++)
            zki_lookup_free(ml->lk[j]);
    if (ml->maps)
        for (uint32_t j = 0; j < ml->n_maps; j++)
            zki_lookup_table_free(&ml->maps[j]);
    zki_lookup_table_free(&ml->range);
    free(ml->maps);
    free(ml->lk);
    memset(ml, 0, sizeof(*ml));
}

