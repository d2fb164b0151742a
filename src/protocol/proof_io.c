#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "protocol/argmax.h"
#include "protocol/bytes.h"
#include "protocol/gadget.h"
#include "protocol/vk_cost.h"

static const char pf_magic[8] = {'Z', 'K', 'I', 'N', 'F', 'P', 'F', 0};

void zki_proof_free(zki_proof *p)
{
    if (!p)
        return;
    free(p->output);
    free(p->gen_ids);
    zki_sc_proof_free(&p->gen_sc);
    zki_pcs_commitment_free(&p->acom);
    if (p->node)
        for (uint32_t j = 0; j < p->n_nodes; j++)
            zki_node_proof_free(&p->node[j]);
    free(p->node);
    if (p->lk)
        for (uint32_t j = 0; j < p->n_lookups; j++)
            zki_lookup_proof_free(&p->lk[j]);
    free(p->lk);
    for (uint32_t j = 0; j < ZKI_MAX_COLRED; j++) {
        zki_colred_proof_free(&p->colred[j]);
        zki_claim_reduction_proof_free(&p->hred[j]);
    }
    zki_pcs_proof_free(&p->open);
    free(p->zk_arg);
    memset(p, 0, sizeof(*p));
}

int zki_node_proof_has_shape(const zki_node_proof *p, const zki_node_shape *s)
{
    int ok = p->has_red == (uint32_t)s->has_red && p->n_sc == s->n_sc && p->n_val == s->n_val &&
             (p->val || !s->n_val) && (!s->has_red || p->red.nvars == s->red_nvars);
    for (uint32_t i = 0; ok && i < s->n_sc; i++)
        ok = p->sc[i].nvars == s->sc_nvars[i] && p->sc[i].degree == s->sc_degree[i] &&
             (p->sc[i].msgs || s->sc_nvars[i] == 0 || s->sc_degree[i] == 0);
    return ok;
}

static void sc_write(zki_wbuf *w, const zki_sc_proof *sc)
{
    zki_wb_u32(w, (uint32_t)sc->nvars);
    zki_wb_u32(w, sc->degree);
    for (size_t i = 0; i < sc->nvars * sc->degree; i++)
        zki_wb_ext(w, sc->msgs[i]);
}

static void red_write(zki_wbuf *w, const zki_claim_reduction_proof *rd)
{
    zki_wb_u32(w, (uint32_t)rd->nvars);
    sc_write(w, &rd->sc);
    zki_wb_ext(w, rd->f_at_rho);
}

/* A node's proof: its reduction (when its gadget has one), sum-checks,
 * values; the shape, fixed by the key, is not written. */
static void node_write(zki_wbuf *w, const zki_node_proof *p)
{
    if (p->has_red)
        red_write(w, &p->red);
    for (uint32_t i = 0; i < p->n_sc; i++)
        sc_write(w, &p->sc[i]);
    for (uint32_t i = 0; i < p->n_val; i++)
        zki_wb_ext(w, p->val[i]);
}

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
    zki_wb_put(&w, p->in_digest.b, 32);
    zki_wb_u32(&w, p->B);
    zki_wb_u32(&w, p->private_input | (p->zk ? 2u : 0u) | (p->private_output ? 4u : 0u)); /* flags */
    zki_wb_u32(&w, p->gen_n);
    if (p->gen_n) {
        zki_wb_u32(&w, p->gen_p);
        for (uint32_t i = 0; i < p->gen_n; i++)
            zki_wb_i64(&w, p->gen_ids[i]);
    }
    zki_wb_u32(&w, p->n_nodes);
    zki_wb_u32(&w, p->out_n);
    for (uint64_t i = 0; i < (uint64_t)p->B * p->out_n; i++)
        zki_wb_i64(&w, p->output[i]);
    zki_wb_u32(&w, (uint32_t)cl);
    zki_wb_put(&w, cb, cl);
    zki_wb_u32(&w, p->n_lookups);
    for (uint32_t j = 0; j < p->n_lookups; j++) {
        uint8_t *lb = NULL;
        size_t ll = 0;
        if ((st = zki_lookup_proof_to_bytes(&p->lk[j], &lb, &ll))) {
            free(w.p);
            free(cb);
            free(ob);
            return st;
        }
        zki_wb_u32(&w, (uint32_t)ll);
        zki_wb_put(&w, lb, ll);
        free(lb);
    }
    if (p->gen_n) {
        zki_wb_ext(&w, p->gen_d);
        sc_write(&w, &p->gen_sc);
        zki_wb_ext(&w, p->gen_y);
    }
    for (uint32_t j = p->n_nodes; j-- > 0;)
        node_write(&w, &p->node[j]);
    zki_wb_u32(&w, p->n_colred);
    for (uint32_t j = 0; j < p->n_colred; j++) {
        const zki_colred_proof *c = &p->colred[j];
        zki_wb_u32(&w, (uint32_t)c->lc);
        for (size_t i = 0; i < 2 * c->lc; i++)
            zki_wb_ext(&w, c->msgs[i]);
        zki_wb_u32(&w, (uint32_t)c->k);
        for (size_t i = 0; i < c->k; i++)
            zki_wb_ext(&w, c->vals[i]);
        red_write(&w, &p->hred[j]);
    }
    if (p->zk) {
        zki_wb_u32(&w, p->zk_n_roots);
        for (uint32_t c = 0; c < p->zk_n_roots; c++)
            zki_wb_put(&w, p->zk_root[c].b, 32);
        zki_wb_put(&w, p->zk_qroot.b, 32);
        zki_wb_u32(&w, (uint32_t)p->zk_arg_len);
        zki_wb_put(&w, p->zk_arg, p->zk_arg_len);
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

/* A sum-check of exactly want_nv rounds of degree want_deg, with at least
 * `after` extension elements due after it. NULL, or what is wrong. */
static const char *read_sc(zki_rbuf *r, zki_sc_proof *sc, size_t want_nv, uint32_t want_deg, size_t after)
{
    uint32_t nv = 0, deg = 0;
    if (!zki_rb_u32(r, &nv) || nv != want_nv)
        return "sum-check rounds differ from the key";
    if (!zki_rb_u32(r, &deg) || deg != want_deg)
        return "sum-check degree differs from the key";
    if (zki_rb_left(r) / 16 < (size_t)nv * deg + after)
        return "truncated sum-check";
    sc->nvars = nv;
    sc->degree = deg;
    if (nv && !(sc->msgs = malloc(sizeof(zki_ext) * nv * deg)))
        return "out of memory";
    for (size_t i = 0; i < (size_t)nv * deg; i++)
        if (!zki_rb_ext(r, &sc->msgs[i]))
            return "non-canonical field element";
    return NULL;
}

/* A claim reduction over `want` variables: no rounds (one claim passing
 * through) or want rounds of degree 2. NULL, or what is wrong. */
static const char *read_red(zki_rbuf *r, zki_claim_reduction_proof *rd, size_t want)
{
    uint32_t rn = 0, rr = 0, rdg = 0;
    if (!zki_rb_u32(r, &rn) || rn != want)
        return "claim reduction size differs from the key";
    if (!zki_rb_u32(r, &rr) || (rr != 0 && rr != rn))
        return "claim reduction rounds";
    if (!zki_rb_u32(r, &rdg) || (rr == 0 ? (rdg != 0 && rdg != 2) : rdg != 2))
        return "claim reduction degree";
    if (zki_rb_left(r) / 16 < (size_t)rr * rdg + 1)
        return "truncated claim reduction";
    rd->nvars = rn;
    rd->sc.nvars = rr;
    rd->sc.degree = rdg;
    if (rr && !(rd->sc.msgs = malloc(sizeof(zki_ext) * rr * rdg)))
        return "out of memory";
    for (size_t i = 0; i < (size_t)rr * rdg; i++)
        if (!zki_rb_ext(r, &rd->sc.msgs[i]))
            return "non-canonical field element";
    return zki_rb_ext(r, &rd->f_at_rho) ? NULL : "non-canonical field element";
}

/* A row reduction of at most 40 variables (its size is checked by the
 * opening). */
static const char *read_red_any(zki_rbuf *r, zki_claim_reduction_proof *rd)
{
    size_t at = r->pos;
    uint32_t rn = 0;
    if (!zki_rb_u32(r, &rn) || rn > 40)
        return "row reduction size";
    r->pos = at;
    return read_red(r, rd, rn);
}

zki_status zki_proof_size_cap(const zki_vk *vk, const uint8_t *head, size_t n, uint64_t *cap)
{
    /* magic 8, version 4, key hash 32, input digest 32, then the batch */
    zki_rbuf r = {head, n, 76};
    uint32_t B = 0;
    if (n < ZKI_PROOF_HEAD_LEN || memcmp(head, pf_magic, 8))
        return zki_fail(ZKI_ERR_INPUT, "not a zkinfer proof (bad magic)");
    if (!zki_rb_u32(&r, &B) || B < 1 || B > ZKI_MAX_BATCH)
        return zki_fail(ZKI_ERR_INPUT, "proof: batch size %u outside [1, %u]", B, ZKI_MAX_BATCH);
    zki_status st = zki_vk_batch_cost_check(vk, B, cap);
    return st ? zki_fail_ctx(st, "proof: batch of %u", B) : ZKI_OK;
}

zki_status zki_proof_from_bytes(const zki_vk *vk, zki_proof *p, const uint8_t *in, size_t len)
{
    memset(p, 0, sizeof(*p));
    const zki_dag *a = &vk->dag;
    zki_rbuf r = {in, len, 0};
    char mg[8];
    uint32_t ver = 0, cl = 0, ol = 0;
    int key_read = 0;
    zki_status st = ZKI_OK;
#define NEED(c, what)                                                                      \
    do {                                                                                   \
        if (!(c)) {                                                                        \
            st = zki_fail(ZKI_ERR_INPUT, "proof: bad data at byte %zu: %s", r.pos, what);  \
            goto fail;                                                                     \
        }                                                                                  \
    } while (0)
    const char *sce = NULL;
#define NEED_SC(sc, nv, deg, after, what)                                                  \
    do {                                                                                   \
        sce = read_sc(&r, sc, nv, deg, after);                                             \
        if (sce) {                                                                         \
            st = zki_fail(ZKI_ERR_INPUT, "proof: bad data at byte %zu: %s: %s", r.pos, what, sce); \
            goto fail;                                                                     \
        }                                                                                  \
    } while (0)
    NEED(zki_rb_get(&r, mg, 8) && !memcmp(mg, pf_magic, 8), "not a zkinfer proof (magic)");
    NEED(zki_rb_u32(&r, &ver) && ver == ZKI_PROOF_VERSION, "unsupported version");
    NEED(zki_rb_get(&r, p->vk_hash.b, 32), "truncated key hash");
    key_read = 1;
    NEED(zki_rb_get(&r, p->in_digest.b, 32), "truncated input digest");
    NEED(zki_rb_u32(&r, &p->B) && p->B >= 1 && p->B <= ZKI_MAX_BATCH, "batch size");
    {
        uint32_t flags = 0;
        NEED(zki_rb_u32(&r, &flags) && flags <= 7, "flags");
        p->private_input = flags & 1;
        p->zk = flags >> 1 & 1;
        p->private_output = flags >> 2 & 1;
    }
    /* the batch is the prover's choice: what it makes the verifier spend
     * must stay within the limits the key's cost bound is held to */
    if ((st = zki_vk_batch_cost_check(vk, p->B, NULL))) {
        st = zki_fail_ctx(ZKI_ERR_INPUT, "proof: batch of %u", p->B);
        goto fail;
    }
    static const zki_digest zero;
    NEED(!p->private_input || !memcmp(p->in_digest.b, zero.b, 32),
         "an input digest with a private input");
    NEED(zki_rb_u32(&r, &p->gen_n) && p->gen_n <= zki_dag_in_len(a), "generated token count");
    if (p->gen_n) {
        NEED(zki_rb_u32(&r, &p->gen_p), "truncated prompt length");
        uint32_t T, V;
        if ((st = zki_argmax_span_check(a, p->gen_p, p->gen_n, &T, &V))) {
            st = zki_fail_ctx(ZKI_ERR_INPUT, "proof");
            goto fail;
        }
        NEED(p->B == 1 && !p->private_input && !p->private_output,
             "a generation proof with a batch or a private input or output");
        NEED(zki_rb_left(&r) / 8 >= p->gen_n, "truncated generated ids");
        NEED((p->gen_ids = malloc(sizeof(int64_t) * p->gen_n)), "out of memory");
        for (uint32_t i = 0; i < p->gen_n; i++)
            zki_rb_i64(&r, &p->gen_ids[i]);
    }
    NEED(zki_rb_u32(&r, &p->n_nodes) && p->n_nodes == a->n_nodes,
         "layer count differs from the key");
    NEED(zki_rb_u32(&r, &p->out_n) && p->out_n == (p->gen_n || p->private_output ? 0 : zki_dag_out_len(a)),
         p->private_output ? "output values in a proof of a private output" : "output size differs from the key");
    uint64_t on = (uint64_t)p->B * p->out_n;
    NEED(zki_rb_left(&r) / 8 >= on, "truncated output");
    p->output = malloc(sizeof(int64_t) * (on ? on : 1));
    p->node = calloc(p->n_nodes, sizeof(zki_node_proof));
    NEED(p->output && p->node, "out of memory");
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
    zki_dag dv; /* the DAG the proof walks: a generation proof's view */
    zki_argmax_view(a, p->gen_n > 0, &dv);
    {
        zki_advice_layout lay;
        if ((st = zki_advice_layout_init(&lay, &dv, p->B, zki_proof_priv(p))))
            goto fail;
        /* the key fixes the advice commitment's parameters: refuse others
         * before the opening (sized by them) is read */
        if ((st = zki_advice_commitment_check(vk, &lay, &p->acom, ZKI_ERR_INPUT))) {
            zki_advice_layout_free(&lay);
            goto fail;
        }
        uint32_t want = 1 + lay.n_maps;
        zki_advice_layout_free(&lay);
        uint32_t nl = 0;
        NEED(zki_rb_u32(&r, &nl) && nl == want, "lookup count differs from the key");
        p->lk = calloc(nl, sizeof(zki_lookup_proof));
        NEED(p->lk, "out of memory");
        p->n_lookups = nl;
    }
    for (uint32_t j = 0; j < p->n_lookups; j++) {
        uint32_t ll = 0;
        NEED(zki_rb_u32(&r, &ll) && ll <= zki_rb_left(&r), "lookup proof length");
        if ((st = zki_lookup_proof_from_bytes(&p->lk[j], in + r.pos, ll))) {
            memset(&p->lk[j], 0, sizeof(p->lk[j]));
            goto fail;
        }
        r.pos += ll;
    }
    if (p->gen_n) {
        NEED(zki_rb_ext(&r, &p->gen_d), "non-canonical field element");
        NEED_SC(&p->gen_sc, zki_walk_log_len(&dv, zki_argmax_tensor(&dv)), 2, 1, "argmax sum-check");
        NEED(zki_rb_ext(&r, &p->gen_y), "non-canonical field element");
    }
    for (uint32_t j = p->n_nodes; j-- > 0;) {
        zki_node_shape sh;
        zki_node_proof *np = &p->node[j];
        NEED(zki_gadget_of(a->nodes[j].kind)->shape(&dv, j, p->B, &sh) == ZKI_OK, "node geometry");
        np->has_red = (uint32_t)sh.has_red;
        np->n_sc = sh.n_sc;
        if (sh.has_red) {
            const char *e = read_red(&r, &np->red, sh.red_nvars);
            NEED(!e, e);
        }
        for (uint32_t i = 0; i < sh.n_sc; i++)
            NEED_SC(&np->sc[i], sh.sc_nvars[i], sh.sc_degree[i], sh.n_val, "node sum-check");
        NEED(zki_rb_left(&r) / 16 >= sh.n_val, "truncated node values");
        NEED(zki_node_proof_vals(np, sh.n_val) == ZKI_OK, "out of memory");
        for (uint32_t i = 0; i < sh.n_val; i++)
            NEED(zki_rb_ext(&r, &np->val[i]), "non-canonical field element");
    }
    (void)lb;
    {
        uint32_t nc = 0;
        NEED(zki_rb_u32(&r, &nc) && nc == 2u,
             "column reduction count");
        p->n_colred = nc;
        for (uint32_t j = 0; j < nc; j++) {
            zki_colred_proof *c = &p->colred[j];
            uint32_t lc = 0, k = 0;
            NEED(zki_rb_u32(&r, &lc) && lc <= 40, "column reduction rounds");
            NEED(zki_rb_left(&r) / 16 >= 2 * (size_t)lc, "truncated column reduction");
            c->lc = lc;
            c->msgs = malloc(sizeof(zki_ext) * (2 * (size_t)lc + 1));
            NEED(c->msgs, "out of memory");
            for (size_t i = 0; i < 2 * (size_t)lc; i++)
                NEED(zki_rb_ext(&r, &c->msgs[i]), "non-canonical field element");
            NEED(zki_rb_u32(&r, &k) && (size_t)k <= zki_rb_left(&r) / 16, "column reduction values");
            c->k = k;
            c->vals = malloc(sizeof(zki_ext) * ((size_t)k + 1));
            NEED(c->vals, "out of memory");
            for (size_t i = 0; i < k; i++)
                NEED(zki_rb_ext(&r, &c->vals[i]), "non-canonical field element");
            const char *e = read_red_any(&r, &p->hred[j]);
            NEED(!e, e);
        }
    }
    if (p->zk) {
        uint32_t nr = 0, al = 0;
        NEED(zki_rb_u32(&r, &nr) && nr >= 1 && nr <= ZKI_ZK_MAX_CHUNKS, "pad commitment count");
        p->zk_n_roots = nr;
        for (uint32_t c = 0; c < nr; c++)
            NEED(zki_rb_get(&r, p->zk_root[c].b, 32), "truncated pad commitment");
        NEED(zki_rb_get(&r, p->zk_qroot.b, 32), "truncated product commitment");
        NEED(zki_rb_u32(&r, &al) && al <= zki_rb_left(&r), "final argument length");
        NEED((p->zk_arg = malloc(al ? al : 1)), "out of memory");
        p->zk_arg_len = al;
        NEED(zki_rb_get(&r, p->zk_arg, al), "truncated final argument");
    }
    NEED(zki_rb_u32(&r, &ol) && ol == zki_rb_left(&r), "opening length does not match the file");
    st = zki_pcs_proof_from_bytes(&p->open, in + r.pos, ol);
    if (st) {
        memset(&p->open, 0, sizeof(p->open));
        goto fail;
    }
    return ZKI_OK;
#undef NEED
#undef NEED_SC
fail:
    /* another model's proof differs from the key in its shape: name the
     * cause (one of the same shape parses, and zki_verify names it) */
    if (st == ZKI_ERR_INPUT && key_read && zki_proof_check_key(p, vk) != ZKI_OK)
        st = ZKI_ERR_VERIFY;
    zki_proof_free(p);
    return st;
}
