/* The claim ledger: a growable array of (tensor, point, value) claims with
 * owned point copies; reduction merges a tensor's claims into one. */
#include <stdlib.h>
#include <string.h>

#include "common/check.h"
#include "common/error.h"
#include "sumcheck/claims.h"

void zki_ledger_init(zki_ledger *l)
{
    l->items = NULL;
    l->n = 0;
    l->cap = 0;
}

void zki_ledger_free(zki_ledger *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i].point);
    free(l->items);
    zki_ledger_init(l);
}

static zki_ext *copy_point(const zki_ext *point, size_t nvars)
{
    zki_ext *c = malloc((nvars ? nvars : 1) * sizeof(zki_ext));
    if (c && nvars)
        memcpy(c, point, nvars * sizeof(zki_ext));
    return c;
}

zki_status zki_ledger_add(zki_ledger *l, uint32_t tensor, const zki_ext *point, size_t nvars,
                          zki_ext value)
{
    return zki_ledger_add_pv(l, tensor, point, nvars, zki_pv_pub(value));
}

zki_status zki_ledger_add_pv(zki_ledger *l, uint32_t tensor, const zki_ext *point, size_t nvars,
                             zki_pv value)
{
    if (!l || (nvars && !point))
        return zki_fail(ZKI_ERR_INPUT, "ledger: NULL argument for tensor %u", tensor);
    ZKI_VERIFY_CHECK(l->n <= l->cap);
    ZKI_VERIFY_CHECK(ZKI_EXT_CANON(value.c));
    ZKI_VERIFY_CHECK_EACH(i, nvars, ZKI_EXT_CANON(point[i]));
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].tensor == tensor && l->items[i].nvars != nvars)
            return zki_fail(ZKI_ERR_INPUT,
                            "ledger: tensor %u has claims on %zu variables, new claim has %zu",
                            tensor, l->items[i].nvars, nvars);
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        zki_claim *items = realloc(l->items, cap * sizeof *items);
        if (!items)
            return zki_fail(ZKI_ERR_NOMEM, "ledger: out of memory");
        l->items = items;
        l->cap = cap;
    }
    zki_ext *c = copy_point(point, nvars);
    if (!c)
        return zki_fail(ZKI_ERR_NOMEM, "ledger: out of memory");
    zki_claim *cl = &l->items[l->n++];
    cl->tensor = tensor;
    cl->nvars = nvars;
    cl->point = c;
    cl->value = value.c;
    cl->form = value.f;
    return ZKI_OK;
}

size_t zki_ledger_count(const zki_ledger *l, uint32_t tensor)
{
    size_t c = 0;
    for (size_t i = 0; l && i < l->n; i++)
        c += l->items[i].tensor == tensor;
    return c;
}

const zki_claim *zki_ledger_get(const zki_ledger *l, uint32_t tensor)
{
    const zki_claim *found = NULL;
    for (size_t i = 0; l && i < l->n; i++) {
        if (l->items[i].tensor != tensor)
            continue;
        if (found)
            return NULL; /* not reduced yet */
        found = &l->items[i];
    }
    return found;
}

/* Shared by both sides: gathers the tensor's claims, runs the prover
 * (prove != 0) or verifier reduction, then keeps the first claim's slot
 * for the reduced claim and drops the others, preserving order. */
static zki_status ledger_reduce(zki_ledger *l, uint32_t tensor, int prove, const zki_fe *tbase,
                                const zki_ext *text, zki_transcript *t,
                                zki_claim_reduction_proof *pproof,
                                const zki_claim_reduction_proof *vproof)
{
    if (!l)
        return zki_fail(ZKI_ERR_INPUT, "ledger: NULL ledger");
    size_t k = zki_ledger_count(l, tensor);
    if (k == 0)
        return zki_fail(ZKI_ERR_INPUT, "ledger: no claims on tensor %u", tensor);
    const zki_ext **points = malloc(k * sizeof *points);
    zki_ext *values = malloc(k * sizeof *values);
    zki_pv *pvs = malloc(k * sizeof *pvs);
    size_t first = 0, nvars = 0;
    for (size_t i = 0, j = 0; points && values && pvs && i < l->n; i++) {
        if (l->items[i].tensor != tensor)
            continue;
        if (j == 0) {
            first = i;
            nvars = l->items[i].nvars;
        }
        /* zki_ledger_add keeps one tensor's claims on one number of variables */
        ZKI_VERIFY_CHECK(l->items[i].nvars == nvars);
        points[j] = l->items[i].point;
        pvs[j] = zki_claim_pv(&l->items[i]);
        values[j++] = l->items[i].value;
    }
    zki_ext *out_point = malloc((nvars ? nvars : 1) * sizeof(zki_ext));
    zki_status st;
    if (!points || !values || !pvs || !out_point) {
        st = zki_fail(ZKI_ERR_NOMEM, "ledger: out of memory");
        goto done;
    }
    zki_pv out_value = {zki_ext_zero(), 0};
    if (prove)
        st = zki_claims_reduce_prove(tbase, text, nvars, points, values, k, t, pproof,
                                     out_point, &out_value.c);
    else
        st = zki_claims_reduce_verify_pv(nvars, points, pvs, k, vproof, t, out_point,
                                         &out_value);
    if (st != ZKI_OK)
        goto done;
    size_t w = 0;
    for (size_t i = 0; i < l->n; i++) {
        zki_claim c = l->items[i];
        if (c.tensor == tensor && i != first) {
            free(c.point);
            continue;
        }
        if (i == first) {
            free(c.point);
            c.point = out_point;
            c.value = out_value.c;
            c.form = out_value.f;
            out_point = NULL;
        }
        l->items[w++] = c;
    }
    ZKI_VERIFY_CHECK(w + k - 1 == l->n); /* k claims became one */
    l->n = w;
    ZKI_VERIFY_CHECK(zki_ledger_count(l, tensor) == 1 && zki_ledger_get(l, tensor)->nvars == nvars);
    ZKI_VERIFY_CHECK(ZKI_EXT_CANON(zki_ledger_get(l, tensor)->value));
done:
    free(points);
    free(values);
    free(pvs);
    free(out_point);
    return st;
}

zki_status zki_ledger_reduce_prove(zki_ledger *l, uint32_t tensor, const zki_fe *tbase,
                                   const zki_ext *text, zki_transcript *t,
                                   zki_claim_reduction_proof *proof)
{
    return ledger_reduce(l, tensor, 1, tbase, text, t, proof, NULL);
}

zki_status zki_ledger_reduce_verify(zki_ledger *l, uint32_t tensor,
                                    const zki_claim_reduction_proof *proof, zki_transcript *t)
{
    return ledger_reduce(l, tensor, 0, NULL, NULL, t, NULL, proof);
}
