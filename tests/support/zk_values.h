/* The values a zero-knowledge proof sends padded (docs/zk.md), for tests
 * and fuzz harnesses that move one or read them: node proofs from the last
 * node back (claim reduction, sum-checks, values), column reductions,
 * lookup values. */
#ifndef ZKI_TESTS_ZK_VALUES_H
#define ZKI_TESTS_ZK_VALUES_H

#include "protocol/proof.h"

/* Pointers into pf, in that order; stores at most cap, returns how many
 * there are. */
static inline size_t zki_test_padded_values(zki_proof *pf, zki_ext **out, size_t cap)
{
    size_t n = 0;
#define ZKI_PUT(p)        \
    do {                  \
        if (n < cap)      \
            out[n] = (p); \
        n++;              \
    } while (0)
    for (uint32_t j = pf->n_nodes; j-- > 0;) {
        zki_node_proof *np = &pf->node[j];
        for (size_t i = 0; np->has_red && i < np->red.sc.nvars * np->red.sc.degree; i++)
            ZKI_PUT(&np->red.sc.msgs[i]);
        for (uint32_t k = 0; k < np->n_sc; k++)
            for (size_t i = 0; i < np->sc[k].nvars * np->sc[k].degree; i++)
                ZKI_PUT(&np->sc[k].msgs[i]);
        for (uint32_t i = 0; i < np->n_val; i++)
            ZKI_PUT(&np->val[i]);
    }
    for (uint32_t j = 0; j < pf->n_colred; j++) {
        for (size_t i = 0; i < 2 * pf->colred[j].lc; i++)
            ZKI_PUT(&pf->colred[j].msgs[i]);
        for (size_t i = 0; i < pf->colred[j].k; i++)
            ZKI_PUT(&pf->colred[j].vals[i]);
    }
    for (uint32_t j = 0; j < pf->n_lookups; j++)
        for (size_t i = 0; i < pf->lk[j].n_evals; i++)
            ZKI_PUT(&pf->lk[j].evals[i]);
#undef ZKI_PUT
    return n;
}

#endif
