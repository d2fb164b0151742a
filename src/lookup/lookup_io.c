/* Lookup proof serialisation (little-endian, every length bounded). */
#include <stdlib.h>
#include <string.h>

#include "common/check.h"
#include "common/error.h"
#include "lookup/lookup.h"

#define LK_IO_VERSION 1u
#define LK_IO_MAX_EVALS (1u << 20)

static void put_u32(uint8_t **p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        *(*p)++ = (uint8_t)(v >> (8 * i));
}

static void put_ext(uint8_t **p, zki_ext v)
{
    zki_ext_to_bytes(*p, v);
    *p += 16;
}

zki_status zki_lookup_proof_to_bytes(const zki_lookup_proof *pf, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    size_t n = 12 + 16 * pf->n_evals;
    for (size_t b = 0; b < pf->n_trees; b++)
        n += 4 + zki_frac_proof_size(&pf->gkr[b]);
    uint8_t *buf = malloc(n), *p = buf;
    if (!buf)
        return zki_fail(ZKI_ERR_NOMEM, "lookup proof bytes");
    put_u32(&p, LK_IO_VERSION);
    put_u32(&p, (uint32_t)pf->n_trees);
    for (size_t b = 0; b < pf->n_trees; b++) {
        const zki_frac_proof *g = &pf->gkr[b];
        size_t nv = g->nvars, nm = 3 * (nv * (nv - 1) / 2);
        put_u32(&p, (uint32_t)nv);
        put_ext(&p, g->root_p);
        put_ext(&p, g->root_q);
        for (size_t i = 0; i < nm; i++)
            put_ext(&p, g->msgs[i]);
        for (size_t i = 0; i < 4 * nv; i++)
            put_ext(&p, g->evals[i]);
    }
    put_u32(&p, (uint32_t)pf->n_evals);
    for (size_t i = 0; i < pf->n_evals; i++)
        put_ext(&p, pf->evals[i]);
    ZKI_VERIFY_CHECK((size_t)(p - buf) == n); /* the size computed above is what was written */
    *out = buf;
    *len = n;
    return ZKI_OK;
}

typedef struct {
    const uint8_t *p;
    size_t left, off;
} rd;

static int get_u32(rd *r, uint32_t *v)
{
    if (r->left < 4)
        return 0;
    *v = 0;
    for (int i = 0; i < 4; i++)
        *v |= (uint32_t)r->p[i] << (8 * i);
    r->p += 4, r->left -= 4, r->off += 4;
    return 1;
}

static int get_ext(rd *r, zki_ext *v)
{
    if (r->left < 16 || zki_ext_from_bytes(v, r->p) != ZKI_OK)
        return 0;
    r->p += 16, r->left -= 16, r->off += 16;
    return 1;
}

#define NEED(c, what)                                                                    \
    do {                                                                                 \
        if (!(c)) {                                                                      \
            zki_lookup_proof_free(pf);                                                   \
            return zki_fail(ZKI_ERR_INPUT, "lookup proof: %s at byte %zu", what, r.off); \
        }                                                                                \
    } while (0)

zki_status zki_lookup_proof_from_bytes(zki_lookup_proof *pf, const uint8_t *in, size_t len)
{
    memset(pf, 0, sizeof *pf);
    rd r = {in, len, 0};
    uint32_t v, nt, ne;
    NEED(get_u32(&r, &v) && v == LK_IO_VERSION, "bad version");
    NEED(get_u32(&r, &nt) && nt >= 1 && nt <= 64, "bad tree count");
    pf->gkr = calloc(nt, sizeof *pf->gkr);
    NEED(pf->gkr, "out of memory");
    pf->n_trees = nt;
    for (size_t b = 0; b < nt; b++) {
        zki_frac_proof *g = &pf->gkr[b];
        uint32_t nv;
        NEED(get_u32(&r, &nv) && nv >= 1 && nv <= ZKI_FRAC_MAX_VARS, "bad tree size");
        size_t nm = 3 * ((size_t)nv * (nv - 1) / 2);
        NEED(r.left >= 16 * (2 + nm + 4 * (size_t)nv), "truncated");
        g->nvars = nv;
        g->msgs = malloc((nm ? nm : 1) * sizeof *g->msgs);
        g->evals = malloc(4 * (size_t)nv * sizeof *g->evals);
        NEED(g->msgs && g->evals, "out of memory");
        NEED(get_ext(&r, &g->root_p) && get_ext(&r, &g->root_q), "non-canonical element");
        for (size_t i = 0; i < nm; i++)
            NEED(get_ext(&r, &g->msgs[i]), "non-canonical element");
        for (size_t i = 0; i < 4 * (size_t)nv; i++)
            NEED(get_ext(&r, &g->evals[i]), "non-canonical element");
    }
    NEED(get_u32(&r, &ne) && ne >= 1 && ne <= LK_IO_MAX_EVALS, "bad value count");
    NEED(r.left == 16 * (size_t)ne, "wrong length");
    pf->evals = malloc((size_t)ne * sizeof *pf->evals);
    NEED(pf->evals, "out of memory");
    pf->n_evals = ne;
    for (size_t i = 0; i < ne; i++)
        NEED(get_ext(&r, &pf->evals[i]), "non-canonical element");
    /* what was read is canonical and all of the input was consumed */
    ZKI_VERIFY_CHECK(r.left == 0 && r.off == len);
    ZKI_VERIFY_CHECK_EACH(i, pf->n_evals, ZKI_EXT_CANON(pf->evals[i]));
    for (size_t b = 0; b < pf->n_trees; b++) {
        ZKI_VERIFY_CHECK(ZKI_EXT_CANON(pf->gkr[b].root_p) && ZKI_EXT_CANON(pf->gkr[b].root_q));
        ZKI_VERIFY_CHECK_EACH(i, 4 * pf->gkr[b].nvars, ZKI_EXT_CANON(pf->gkr[b].evals[i]));
    }
    return ZKI_OK;
}
