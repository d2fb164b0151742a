#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "poly/mle.h"
#include "prover/prover.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void zki_proof_free(zki_proof *p)
{
    if (!p)
        return;
    free(p->output);
    zki_pcs_commitment_free(&p->acom);
    if (p->mm)
        for (uint32_t l = 0; l < p->n_layers; l++)
            zki_matmul_proof_free(&p->mm[l]);
    if (p->red)
        for (uint32_t l = 0; l < p->n_layers; l++)
            zki_claim_reduction_proof_free(&p->red[l]);
    if (p->lk)
        for (uint32_t j = 0; j < p->n_lookups; j++)
            zki_lookup_proof_free(&p->lk[j]);
    free(p->mm);
    free(p->red);
    free(p->lk);
    zki_pcs_proof_free(&p->open);
    memset(p, 0, sizeof(*p));
}

/* The witness of every layer. */
typedef struct {
    uint32_t L;
    const int64_t **x;        /* layer inputs: x[0] = X, x[l+1] = w[l].y */
    uint64_t *ldx;
    int64_t **accp;           /* [B][2^ln] padded accumulators */
    zki_requant_witness *w;
} witness;

static void witness_free(witness *W)
{
    if (W->accp)
        for (uint32_t l = 0; l < W->L; l++)
            free(W->accp[l]);
    if (W->w)
        for (uint32_t l = 0; l < W->L; l++)
            zki_requant_witness_free(&W->w[l]);
    free(W->x);
    free(W->ldx);
    free(W->accp);
    free(W->w);
    memset(W, 0, sizeof(*W));
}

static zki_status forward(const zki_pkey *pk, const int64_t *X, uint32_t B, witness *W)
{
    const zki_arch *a = &pk->vk.arch;
    memset(W, 0, sizeof(*W));
    W->L = a->n_layers;
    W->x = calloc(W->L + 1, sizeof(int64_t *));
    W->ldx = calloc(W->L + 1, sizeof(uint64_t));
    W->accp = calloc(W->L, sizeof(int64_t *));
    W->w = calloc(W->L, sizeof(zki_requant_witness));
    if (!W->x || !W->ldx || !W->accp || !W->w)
        return zki_fail(ZKI_ERR_NOMEM, "prove: witness");
    W->x[0] = X;
    W->ldx[0] = a->layers[0].K;
    for (uint32_t l = 0; l < a->n_layers; l++) {
        const zki_arch_layer *L = &a->layers[l];
        zki_matmul_dims d;
        zki_status st = zki_matmul_dims_init(&d, B, L->K, L->N, L->has_bias);
        if (st)
            return st;
        int64_t *acc;
        if ((st = zki_matmul_forward(&d, W->x[l], W->ldx[l], pk->w[l], (int)L->w_bits,
                                     (uint64_t)1 << d.lk, pk->bias[l], &acc)))
            return st;
        uint64_t np = (uint64_t)1 << d.ln;
        W->accp[l] = calloc((size_t)B * np, sizeof(int64_t));
        if (!W->accp[l]) {
            free(acc);
            return zki_fail(ZKI_ERR_NOMEM, "prove: accumulators of layer %u", l);
        }
        for (uint64_t b = 0; b < B; b++)
            memcpy(W->accp[l] + b * np, acc + b * L->N, sizeof(int64_t) * L->N);
        free(acc);
        zki_requant_params p;
        zki_requant_params_of(L, &p);
        char name[48];
        snprintf(name, sizeof(name), "layer %u accumulators", l);
        if ((st = zki_requant_witness_new(&W->w[l], &p, W->accp[l], (size_t)B * np, name)))
            return st;
        W->x[l + 1] = W->w[l].y;
        W->ldx[l + 1] = np;
    }
    return ZKI_OK;
}

static zki_status check_input(const zki_arch *a, const int64_t *X, uint32_t B)
{
    if (B < 1 || B > ZKI_MAX_BATCH)
        return zki_fail(ZKI_ERR_INPUT, "prove: batch %u outside [1, %u]", B, ZKI_MAX_BATCH);
    int64_t lim = (int64_t)1 << (a->in_bits - 1);
    for (uint64_t i = 0; i < (uint64_t)B * a->layers[0].K; i++)
        if (X[i] < -lim || X[i] >= lim)
            return zki_fail(ZKI_ERR_INPUT, "input element %llu = %lld outside the %u-bit range",
                            (unsigned long long)i, (long long)X[i], a->in_bits);
    return ZKI_OK;
}

zki_status zki_mlp_forward(const zki_pkey *pk, const int64_t *X, uint32_t B, int64_t **y)
{
    const zki_arch *a = &pk->vk.arch;
    zki_status st = check_input(a, X, B);
    if (st)
        return st;
    witness W;
    st = forward(pk, X, B, &W);
    uint32_t N = a->layers[a->n_layers - 1].N;
    *y = st ? NULL : malloc(sizeof(int64_t) * B * N);
    if (!st && !*y)
        st = zki_fail(ZKI_ERR_NOMEM, "forward");
    for (uint64_t b = 0; !st && b < B; b++)
        memcpy(*y + b * N, W.x[a->n_layers] + b * W.ldx[a->n_layers], sizeof(int64_t) * N);
    witness_free(&W);
    return st;
}

static void progress(const zki_prove_opts *o, const char *stage, uint32_t done, uint32_t total)
{
    if (o && o->progress)
        o->progress(o->progress_ctx, stage, done, total);
}

static int32_t *to_i32(const int64_t *v, size_t n)
{
    int32_t *o = malloc(sizeof(int32_t) * (n ? n : 1));
    if (o)
        for (size_t i = 0; i < n; i++)
            o[i] = (int32_t)v[i];
    return o;
}

#define ID_ACC(l) (8u * (l))
#define ID_Q(l) (8u * (l) + 1)
#define ID_Y(l) (8u * (l) + 2)
#define ID_LIMB(l, i) (8u * (l) + 2 + (i))
#define ID_M(L, j) (8u * (L) + (j))

zki_status zki_prove(zki_pkey *pk, const int64_t *X, uint32_t B, const zki_prove_opts *opts,
                     zki_proof *pf, zki_prove_stats *stats)
{
    memset(pf, 0, sizeof(*pf));
    zki_prove_stats stt;
    memset(&stt, 0, sizeof(stt));
    const zki_arch *a = &pk->vk.arch;
    uint32_t L = a->n_layers;
    int priv = opts && opts->private_input;
    zki_status st = check_input(a, X, B);
    if (st)
        return st;
    double t0 = now_s(), t1;
    witness W;
    memset(&W, 0, sizeof(W));
    zki_advice_layout lay;
    memset(&lay, 0, sizeof(lay));
    zki_lookup_table T16, *Tm = NULL;
    memset(&T16, 0, sizeof(T16));
    zki_lookup **lk = NULL;
    uint32_t nlk = 0;
    int32_t **adv = NULL;
    zki_pcs_vec *avec = NULL;
    zki_pcs_claim *claims = NULL;
    zki_ext **pts = calloc(2 * (size_t)L, sizeof(zki_ext *));
    zki_pcs_prover *apcs = NULL;
    zki_fe *accfe = NULL;
    zki_transcript ts = {0};
    zki_ledger led;
    zki_ledger_init(&led);
    size_t ncl = 0;
    pf->n_layers = L;
    pf->B = B;
    pf->private_input = (uint32_t)priv;
    pf->vk_hash = pk->vk.vk_hash;
    pf->out_n = a->layers[L - 1].N;
    pf->red = calloc(L, sizeof(zki_claim_reduction_proof));
    pf->mm = calloc(L, sizeof(zki_matmul_proof));
    if (!pts || !pf->red || !pf->mm) {
        st = zki_fail(ZKI_ERR_NOMEM, "prove: bookkeeping");
        goto out;
    }
    if ((st = forward(pk, X, B, &W)) || (st = zki_advice_layout_init(&lay, a, B, priv)))
        goto out;
    pf->output = malloc(sizeof(int64_t) * B * pf->out_n);
    if (!pf->output) {
        st = zki_fail(ZKI_ERR_NOMEM, "prove: output");
        goto out;
    }
    for (uint64_t b = 0; b < B; b++)
        memcpy(pf->output + b * pf->out_n, W.x[L] + b * W.ldx[L], sizeof(int64_t) * pf->out_n);

    /* lookup instances and their sites; multiplicities */
    nlk = 1 + lay.n_maps;
    Tm = calloc(lay.n_maps, sizeof(zki_lookup_table));
    lk = calloc(nlk, sizeof(zki_lookup *));
    pf->lk = calloc(nlk, sizeof(zki_lookup_proof));
    if (!Tm || !lk || !pf->lk) {
        st = zki_fail(ZKI_ERR_NOMEM, "prove: lookups");
        goto out;
    }
    pf->n_lookups = nlk;
    if ((st = zki_lookup_table_range(&T16, 16, 0)) || (st = zki_lookup_new(&lk[0], &T16, ID_M(L, 0))))
        goto out;
    for (uint32_t j = 0; j < lay.n_maps; j++) {
        zki_requant_params p;
        zki_requant_params_of(&a->layers[lay.map_layer[j]], &p);
        if ((st = zki_requant_table(&Tm[j], &p)) || (st = zki_lookup_new(&lk[1 + j], &Tm[j], ID_M(L, 1 + j))))
            goto out;
    }
    for (uint32_t l = 0; l < L; l++) {
        zki_requant_params p;
        zki_requant_params_of(&a->layers[l], &p);
        zki_requant_ids ids = {ID_ACC(l), ID_Q(l), ID_Y(l), {0, ID_LIMB(l, 1), ID_LIMB(l, 2), ID_LIMB(l, 3)}};
        char name[32];
        snprintf(name, sizeof(name), "layer %u", l);
        if ((st = zki_requant_add_sites(&p, &W.w[l], W.accp[l], W.w[l].n, &ids, lk[0],
                                        lk[1 + lay.map_of[l]], name)))
            goto out;
    }
    t1 = now_s();
    stt.witness_s = t1 - t0;
    progress(opts, "witness", 1, 1);

    /* advice: q, y (hidden), limbs as int32; multiplicities; private input */
    adv = calloc(lay.n, sizeof(int32_t *));
    avec = calloc(lay.n, sizeof(zki_pcs_vec));
    if (!adv || !avec) {
        st = zki_fail(ZKI_ERR_NOMEM, "prove: advice");
        goto out;
    }
    for (uint32_t l = 0; l < L; l++) {
        size_t n = W.w[l].n;
        adv[lay.q[l]] = to_i32(W.w[l].q, n);
        if (lay.y[l] != ZKI_NONE)
            adv[lay.y[l]] = to_i32(W.w[l].y, n);
        for (uint32_t i = 1; i < lay.n_limbs[l]; i++)
            adv[lay.limb[4 * l + i]] = to_i32(W.w[l].limb[i], n);
    }
    for (uint32_t j = 0; j < nlk; j++) {
        const zki_fe *m;
        size_t ml;
        if ((st = zki_lookup_multiplicities(lk[j], &m, &ml)))
            goto out;
        avec[lay.m[j]].type = ZKI_PCS_FE;
        avec[lay.m[j]].data = m;
        avec[lay.m[j]].len = ml;
        if (ml != lay.lens[lay.m[j]]) {
            st = zki_fail(ZKI_ERR_INPUT, "prove: lookup %u has %zu multiplicities, layout says %llu", j, ml,
                          (unsigned long long)lay.lens[lay.m[j]]);
            goto out;
        }
    }
    if (priv) {
        uint64_t K = a->layers[0].K, kp = (uint64_t)1 << zki_log2_ceil(K);
        int32_t *x0 = adv[lay.x0] = calloc((size_t)B * kp, sizeof(int32_t));
        if (x0)
            for (uint64_t b = 0; b < B; b++)
                for (uint64_t k = 0; k < K; k++)
                    x0[b * kp + k] = (int32_t)X[b * K + k];
    }
    for (uint32_t i = 0; i < lay.n; i++) {
        if (avec[i].data)
            continue; /* multiplicities */
        if (!adv[i]) {
            st = zki_fail(ZKI_ERR_NOMEM, "prove: advice table %u", i);
            goto out;
        }
        avec[i].type = ZKI_PCS_I32;
        avec[i].data = adv[i];
        avec[i].len = lay.lens[i];
    }
    zki_pcs_params pp;
    zki_pcs_params_default(&pp);
    pp.security_bits = ZKI_KEY_SECURITY_BITS;
    pp.hiding = 1;
    pp.open_budget = 1;
    pp.seed = opts ? opts->advice_seed : NULL;
    if ((st = zki_pcs_commit(&apcs, &pp, avec, lay.n)))
        goto out;
    {
        /* the proof carries the commitment through its byte format */
        uint8_t *cb;
        size_t cl;
        if ((st = zki_pcs_commitment_to_bytes(zki_pcs_prover_commitment(apcs), &cb, &cl)))
            goto out;
        st = zki_pcs_commitment_from_bytes(&pf->acom, cb, cl);
        free(cb);
        if (st)
            goto out;
    }
    t0 = now_s();
    stt.commit_s = t0 - t1;
    progress(opts, "advice commitment", 1, 1);

    if ((st = zki_statement_bind(&ts, &pk->vk, B, priv, X, pf->output, &pf->acom)))
        goto out;
    for (uint32_t j = 0; j < nlk; j++)
        if ((st = zki_lookup_prove(lk[j], &ts, &pf->lk[j], &led)))
            goto out;
    progress(opts, "lookups", 1, 1);
    claims = calloc(led.n + 4 * (size_t)L + 1, sizeof(zki_pcs_claim));
    if (!claims) {
        st = zki_fail(ZKI_ERR_NOMEM, "prove: claims");
        goto out;
    }
    for (uint32_t l = L; l-- > 0;) {
        const zki_arch_layer *Ly = &a->layers[l];
        zki_matmul_dims d;
        zki_matmul_dims_init(&d, B, Ly->K, Ly->N, Ly->has_bias);
        accfe = zki_int_table(W.accp[l], B, (uint64_t)1 << d.ln, d.lb, d.ln);
        if (!accfe) {
            st = zki_fail(ZKI_ERR_NOMEM, "prove: accumulator table");
            goto out;
        }
        if ((st = zki_ledger_reduce_prove(&led, ID_ACC(l), accfe, NULL, &ts, &pf->red[l])))
            goto out;
        free(accfe);
        accfe = NULL;
        const zki_claim *c = zki_ledger_get(&led, ID_ACC(l));
        if (!c || c->nvars != d.lb + d.ln) {
            st = zki_fail(ZKI_ERR_INPUT, "prove: no claim on the accumulators of layer %u", l);
            goto out;
        }
        const zki_ext *r = c->point;
        zki_ext *xp = pts[2 * l] = malloc(sizeof(zki_ext) * (d.lk + d.lb + 1));
        zki_ext *wp = pts[2 * l + 1] = malloc(sizeof(zki_ext) * (d.lk + d.ln + 1));
        if (!xp || !wp) {
            st = zki_fail(ZKI_ERR_NOMEM, "prove: points");
            goto out;
        }
        if ((st = zki_matmul_prove(&d, W.x[l], W.ldx[l], pk->w[l], (int)Ly->w_bits,
                                   (uint64_t)1 << d.lk, pk->bias[l], r, c->value, &ts, &pf->mm[l], xp,
                                   wp)))
            goto out;
        claims[ncl++] = (zki_pcs_claim){0, pk->vk.w_table[l], wp, pf->mm[l].w_eval};
        if (Ly->has_bias)
            claims[ncl++] = (zki_pcs_claim){0, pk->vk.b_table[l], r, pf->mm[l].b_eval};
        if (l > 0)
            claims[ncl++] = (zki_pcs_claim){1, lay.y[l - 1], xp, pf->mm[l].x_eval};
        else if (priv)
            claims[ncl++] = (zki_pcs_claim){1, lay.x0, xp, pf->mm[l].x_eval};
        progress(opts, "layer", L - l, L);
    }
    /* every other ledger claim is on committed advice (the output's are
     * evaluated by the verifier) */
    for (size_t i = 0; i < led.n; i++) {
        uint32_t id = led.items[i].tensor, ai = zki_advice_of_tensor(&lay, a, id);
        if (ai != ZKI_NONE)
            claims[ncl++] = (zki_pcs_claim){1, ai, led.items[i].point, led.items[i].value};
    }
    t1 = now_s();
    stt.gadgets_s = t1 - t0;
    {
        zki_pcs_prover *provers[2] = {pk->wpcs, apcs};
        if ((st = zki_pcs_open(&ts, provers, 2, claims, ncl, &pf->open)))
            goto out;
    }
    t0 = now_s();
    stt.open_s = t0 - t1;
    progress(opts, "opening", 1, 1);
out:
    if (adv)
        for (uint32_t i = 0; i < lay.n; i++)
            free(adv[i]);
    if (pts)
        for (uint32_t i = 0; i < 2 * L; i++)
            free(pts[i]);
    if (lk)
        for (uint32_t j = 0; j < nlk; j++)
            zki_lookup_free(lk[j]);
    if (Tm)
        for (uint32_t j = 0; j < lay.n_maps; j++)
            zki_lookup_table_free(&Tm[j]);
    zki_lookup_table_free(&T16);
    free(Tm);
    free(lk);
    free(adv);
    free(pts);
    free(avec);
    free(claims);
    free(accfe);
    zki_ledger_free(&led);
    zki_pcs_prover_free(apcs);
    zki_advice_layout_free(&lay);
    witness_free(&W);
    if (ts.h)
        zki_ts_free(&ts);
    if (st)
        zki_proof_free(pf);
    stt.total_s = stt.witness_s + stt.commit_s + stt.gadgets_s + stt.open_s;
    if (stats)
        *stats = stt;
    return st;
}
