/* Weight and advice claims to one PCS opening (see open_tables.h). */
#include "protocol/open_tables.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"

/* Points owned by one call: at most (claims + 1) per table. */
typedef struct {
    zki_ext **p;
    size_t n, cap;
} point_pool;

static zki_ext *pool_new(point_pool *pp, size_t nv)
{
    if (pp->n == pp->cap)
        return NULL;
    return pp->p[pp->n++] = malloc(sizeof(zki_ext) * (nv + 1));
}

static void pool_free(point_pool *pp)
{
    for (size_t i = 0; i < pp->n; i++)
        free(pp->p[i]);
    free(pp->p);
}

static size_t low_vars(const zki_pack *pk, const zki_pcs_commitment *com)
{
    size_t lc = com->shape.log_cols;
    return lc > pk->nvars ? pk->nvars : lc;
}

/* After the column reduction every claim shares the low point; with no row
 * variables left they are one point, and one claim (equal values) stands
 * for all. */
static int same_point_claims(size_t nv, size_t lc, size_t k) { return nv <= lc && k > 1; }

zki_status zki_tables_open_prove(zki_transcript *ts, const zki_table_claims job[2],
                                 zki_pcs_prover *const provers[2], zki_proof *pf)
{
    zki_pcs_claim claims[2];
    uint32_t ncl = 0;
    point_pool pp = {0};
    pp.cap = job[0].c->n + job[1].c->n + 2;
    pp.p = calloc(pp.cap, sizeof(zki_ext *));
    if (!pp.p)
        return zki_fail(ZKI_ERR_NOMEM, "prove: opening points");
    zki_status st = ZKI_OK;
    pf->n_colred = 0;
    for (uint32_t j = 0; j < 2; j++) {
        const zki_pack *pk = job[j].pack;
        const zki_seg_claims *c = job[j].c;
        size_t lc = low_vars(pk, zki_pcs_prover_commitment(provers[j])), nv = pk->nvars, k = c->n;
        zki_colred_proof *cr = &pf->colred[j];
        zki_claim_reduction_proof *hr = &pf->hred[j];
        pf->n_colred++;
        if (k == 0) {
            st = zki_fail(ZKI_ERR_INPUT, "prove: no claim on committed table %u", j);
            goto out;
        }
        zki_ext *fp;
        if (zki_pack_use_direct(pk, k, lc)) {
            /* small packed table: one direct reduction to one point */
            if (!(fp = pool_new(&pp, nv))) {
                st = zki_fail(ZKI_ERR_NOMEM, "prove: reduction point");
                goto out;
            }
            zki_ext v;
            if ((st = zki_pack_reduce_prove(pk, job[j].t, c->seg, c->pt, c->val, k, ts, hr, fp, &v)))
                goto out;
            claims[ncl++] = (zki_pcs_claim){j, 0, fp, v, 0};
            continue;
        }
        zki_ext **o = pp.p + pp.n;
        if (pp.n + k + 1 > pp.cap) {
            st = zki_fail(ZKI_ERR_INPUT, "prove: opening point bookkeeping");
            goto out;
        }
        pp.n += k; /* zki_colred_prove fills o[0..k) */
        zki_ext *G = NULL; /* the rows at the low point, for the row reduction below */
        zki_ext *tv = malloc(sizeof(zki_ext) * k); /* the new claims' true values */
        if (!tv || (st = zki_colred_prove(pk, job[j].t, lc, c->seg, c->pt, c->val, k, ts, cr, o,
                                          nv > lc && k > 1 ? &G : NULL, tv))) {
            free(tv);
            if (!st)
                st = zki_fail(ZKI_ERR_NOMEM, "prove: column reduction values");
            goto out;
        }
        if (nv > lc && k > 1) {
            /* one point: merge the claims over the row variables, on the
             * rows at the low point the column reduction computed */
            zki_ext v;
            const zki_ext **hp = malloc(sizeof(zki_ext *) * k);
            if (!hp || !(fp = pool_new(&pp, nv))) {
                free(hp);
                free(G);
                free(tv);
                st = zki_fail(ZKI_ERR_NOMEM, "prove: row reduction");
                goto out;
            }
            for (size_t i = 0; i < k; i++)
                hp[i] = o[i] + lc;
            st = zki_claims_reduce_prove(NULL, G, nv - lc, hp, tv, k, ts, hr, fp + lc, &v);
            free(G);
            free(hp);
            free(tv);
            if (st)
                goto out;
            memcpy(fp, o[0], sizeof(zki_ext) * lc);
            claims[ncl++] = (zki_pcs_claim){j, 0, fp, v, 0};
        } else {
            claims[ncl++] = (zki_pcs_claim){j, 0, o[0], tv[0], 0};
            free(tv);
        }
    }
    st = zki_pcs_open(ts, provers, 2, claims, ncl, &pf->open);
out:
    pool_free(&pp);
    return st;
}

zki_status zki_tables_open_verify(zki_transcript *ts, const zki_table_claims job[2],
                                  const zki_pcs_commitment *const coms[2], const zki_proof *pf)
{
    zki_pcs_claim claims[2];
    zki_pv *pvbuf[2] = {NULL, NULL};
    uint32_t ncl = 0;
    point_pool pp = {0};
    pp.cap = job[0].c->n + job[1].c->n + 2;
    pp.p = calloc(pp.cap, sizeof(zki_ext *));
    if (!pp.p)
        return zki_fail(ZKI_ERR_NOMEM, "verify: opening points");
    zki_status st = ZKI_OK;
    if (pf->n_colred != 2) {
        st = zki_fail(ZKI_ERR_VERIFY, "verify: %u column reductions, 2 expected", pf->n_colred);
        goto out;
    }
    for (uint32_t j = 0; j < 2; j++) {
        const zki_pack *pk = job[j].pack;
        const zki_seg_claims *c = job[j].c;
        size_t lc = low_vars(pk, coms[j]), nv = pk->nvars, k = c->n;
        const zki_colred_proof *cr = &pf->colred[j];
        const zki_claim_reduction_proof *hr = &pf->hred[j];
        if (k == 0) {
            st = zki_fail(ZKI_ERR_VERIFY, "verify: no claim on committed table %u", j);
            goto out;
        }
        /* the claims' values, then room for the column reduction's */
        zki_pv *cv = pvbuf[j] = malloc(sizeof(zki_pv) * 2 * k);
        if (!cv) {
            st = zki_fail(ZKI_ERR_NOMEM, "verify: claim values");
            goto out;
        }
        for (size_t i = 0; i < k; i++)
            cv[i] = (zki_pv){c->val[i], c->form[i]};
        zki_ext *fp;
        if (zki_pack_use_direct(pk, k, lc)) {
            if (cr->lc || cr->k) {
                st = zki_fail(ZKI_ERR_VERIFY, "verify: a column reduction where none is due");
                goto out;
            }
            if (!(fp = pool_new(&pp, nv))) {
                st = zki_fail(ZKI_ERR_NOMEM, "verify: reduction point");
                goto out;
            }
            zki_pv v;
            if ((st = zki_pack_reduce_verify(pk, c->seg, c->pt, cv, k, hr, ts, fp, &v))) {
                st = zki_fail_ctx(ZKI_ERR_VERIFY, "verify: pack reduction %u", j);
                goto out;
            }
            claims[ncl++] = (zki_pcs_claim){j, 0, fp, v.c, v.f};
            continue;
        }
        zki_ext **o = pp.p + pp.n;
        if (pp.n + k + 1 > pp.cap) {
            st = zki_fail(ZKI_ERR_VERIFY, "verify: opening point bookkeeping");
            goto out;
        }
        pp.n += k;
        zki_pv *ov = cv + k; /* the new claims' values */
        if ((st = zki_colred_verify(pk, lc, c->seg, c->pt, cv, k, cr, ts, o, ov))) {
            st = zki_fail_ctx(ZKI_ERR_VERIFY, "verify: column reduction %u", j);
            goto out;
        }
        if (nv > lc && k > 1) {
            zki_pv v;
            const zki_ext **hp = malloc(sizeof(zki_ext *) * k);
            if (!hp || !(fp = pool_new(&pp, nv))) {
                free(hp);
                st = zki_fail(ZKI_ERR_NOMEM, "verify: row reduction");
                goto out;
            }
            for (size_t i = 0; i < k; i++)
                hp[i] = o[i] + lc;
            st = zki_claims_reduce_verify_pv(nv - lc, hp, ov, k, hr, ts, fp + lc, &v);
            free(hp);
            if (st) {
                st = zki_fail_ctx(ZKI_ERR_VERIFY, "verify: row reduction %u", j);
                goto out;
            }
            memcpy(fp, o[0], sizeof(zki_ext) * lc);
            claims[ncl++] = (zki_pcs_claim){j, 0, fp, v.c, v.f};
        } else {
            /* no reduction is due: the proof must carry none */
            if (hr->nvars || hr->sc.nvars || hr->sc.degree || hr->sc.msgs || !zki_ext_is_zero(hr->f_at_rho)) {
                st = zki_fail(ZKI_ERR_VERIFY, "verify: a row reduction where none is due");
                goto out;
            }
            /* every claim now sits at the same point: their values agree */
            for (size_t i = 1; same_point_claims(nv, lc, k) && i < k; i++)
                if (zki_pv_assert_eq(ts->zk, ov[i], ov[0], "verify: two values at one point")) {
                    st = zki_fail(ZKI_ERR_VERIFY, "verify: table %u: two values at one point", j);
                    goto out;
                }
            claims[ncl++] = (zki_pcs_claim){j, 0, o[0], ov[0].c, ov[0].f};
        }
    }
    if ((st = zki_pcs_verify(ts, coms, 2, claims, ncl, &pf->open)))
        st = zki_fail_ctx(ZKI_ERR_VERIFY, "verify: commitment opening");
out:
    pool_free(&pp);
    free(pvbuf[0]);
    free(pvbuf[1]);
    return st;
}
