#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "prover/bytes.h"
#include "prover/prover.h"

static const char pf_magic[8] = {'Z', 'K', 'I', 'N', 'F', 'P', 'F', 0};

zki_status zki_proof_to_bytes(const zki_proof *p, uint8_t **out, size_t *len)
{
    zki_wbuf w = {0};
    uint8_t *cb = NULL, *ob = NULL;
    size_t cl = 0, ol = 0;
    zki_status st;
    if ((st = zki_pcs_commitment_to_bytes(&p->acom, &cb, &cl)))
        return st;
    if ((st = zki_pcs_proof_to_bytes(&p->open, &ob, &ol))) {
        free(cb);
        return st;
    }
    zki_wb_put(&w, pf_magic, 8);
    zki_wb_u32(&w, ZKI_PROOF_VERSION);
    zki_wb_put(&w, p->vk_hash.b, 32);
    zki_wb_u32(&w, p->B);
    zki_wb_u32(&w, p->private_input);
    zki_wb_u32(&w, p->n_layers);
    zki_wb_u32(&w, p->out_n);
    for (uint64_t i = 0; i < (uint64_t)p->B * p->out_n; i++)
        zki_wb_i64(&w, p->output[i]);
    zki_wb_u32(&w, (uint32_t)cl);
    zki_wb_put(&w, cb, cl);
    for (uint32_t l = p->n_layers; l-- > 0;) {
        const zki_matmul_proof *m = &p->mm[l];
        zki_wb_ext(&w, p->link[l]);
        zki_wb_u32(&w, (uint32_t)m->sc.nvars);
        zki_wb_u32(&w, m->sc.degree);
        for (size_t i = 0; i < m->sc.nvars * m->sc.degree; i++)
            zki_wb_ext(&w, m->sc.msgs[i]);
        zki_wb_ext(&w, m->b_eval);
        zki_wb_ext(&w, m->x_eval);
        zki_wb_ext(&w, m->w_eval);
    }
    zki_wb_u32(&w, (uint32_t)ol);
    zki_wb_put(&w, ob, ol);
    free(cb);
    free(ob);
    if (w.oom) {
        free(w.p);
        return zki_fail(ZKI_ERR_NOMEM, "proof: serialising");
    }
    *out = w.p;
    *len = w.n;
    return ZKI_OK;
}

zki_status zki_proof_from_bytes(const zki_vk *vk, zki_proof *p, const uint8_t *in, size_t len)
{
    memset(p, 0, sizeof(*p));
    const zki_arch *a = &vk->arch;
    zki_rbuf r = {in, len, 0};
    char mg[8];
    uint32_t ver = 0, cl = 0, ol = 0;
    zki_status st = ZKI_OK;
#define NEED(c, what)                                                                      \
    do {                                                                                   \
        if (!(c)) {                                                                        \
            st = zki_fail(ZKI_ERR_INPUT, "proof: bad data at byte %zu: %s", r.pos, what);  \
            goto fail;                                                                     \
        }                                                                                  \
    } while (0)
    NEED(zki_rb_get(&r, mg, 8) && !memcmp(mg, pf_magic, 8), "not a zkinfer proof (magic)");
    NEED(zki_rb_u32(&r, &ver) && ver == ZKI_PROOF_VERSION, "unsupported version");
    NEED(zki_rb_get(&r, p->vk_hash.b, 32), "truncated key hash");
    NEED(zki_rb_u32(&r, &p->B) && p->B >= 1 && p->B <= ZKI_MAX_BATCH, "batch size");
    NEED(zki_rb_u32(&r, &p->private_input) && p->private_input <= 1, "input flag");
    NEED(zki_rb_u32(&r, &p->n_layers) && p->n_layers == a->n_layers,
         "layer count differs from the key");
    NEED(zki_rb_u32(&r, &p->out_n) && p->out_n == a->layers[a->n_layers - 1].N,
         "output size differs from the key");
    uint64_t on = (uint64_t)p->B * p->out_n;
    NEED(zki_rb_left(&r) / 8 >= on, "truncated output");
    p->output = malloc(sizeof(int64_t) * on);
    p->link = calloc(p->n_layers, sizeof(zki_ext));
    p->mm = calloc(p->n_layers, sizeof(zki_matmul_proof));
    NEED(p->output && p->link && p->mm, "out of memory");
    for (uint64_t i = 0; i < on; i++)
        zki_rb_i64(&r, &p->output[i]);
    NEED(zki_rb_u32(&r, &cl) && cl <= zki_rb_left(&r), "advice commitment length");
    st = zki_pcs_commitment_from_bytes(&p->acom, in + r.pos, cl);
    if (st) {
        memset(&p->acom, 0, sizeof(p->acom));
        goto fail;
    }
    r.pos += cl;
    size_t lb = 0;
    while (((uint64_t)1 << lb) < p->B)
        lb++;
    for (uint32_t l = p->n_layers; l-- > 0;) {
        zki_matmul_proof *m = &p->mm[l];
        uint32_t nv = 0, deg = 0;
        size_t lk = 0;
        while (((uint64_t)1 << lk) < a->layers[l].K)
            lk++;
        NEED(zki_rb_ext(&r, &p->link[l]), "link value");
        NEED(zki_rb_u32(&r, &nv) && nv == lk, "sum-check rounds differ from the key");
        NEED(zki_rb_u32(&r, &deg) && deg == 2, "sum-check degree");
        NEED(zki_rb_left(&r) / 16 >= (size_t)nv * deg + 3, "truncated sum-check");
        m->sc.nvars = nv;
        m->sc.degree = deg;
        if (nv) {
            m->sc.msgs = malloc(sizeof(zki_ext) * nv * deg);
            NEED(m->sc.msgs, "out of memory");
        }
        for (size_t i = 0; i < (size_t)nv * deg; i++)
            NEED(zki_rb_ext(&r, &m->sc.msgs[i]), "non-canonical field element");
        NEED(zki_rb_ext(&r, &m->b_eval) && zki_rb_ext(&r, &m->x_eval) && zki_rb_ext(&r, &m->w_eval),
             "non-canonical field element");
    }
    (void)lb;
    NEED(zki_rb_u32(&r, &ol) && ol == zki_rb_left(&r), "opening length does not match the file");
    st = zki_pcs_proof_from_bytes(&p->open, in + r.pos, ol);
    if (st) {
        memset(&p->open, 0, sizeof(p->open));
        goto fail;
    }
    return ZKI_OK;
#undef NEED
fail:
    zki_proof_free(p);
    return st;
}
