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
    free(p->mm);
    free(p->link);
    zki_pcs_proof_free(&p->open);
    memset(p, 0, sizeof(*p));
}

/* acts[0] = X, acts[l + 1] = y_l; accs[l] = acc_l. */
static zki_status forward(const zki_pkey *pk, const int64_t *X, uint32_t B, int64_t **acts,
                          int64_t **accs)
{
    const zki_arch *a = &pk->vk.arch;
    acts[0] = (int64_t *)X;
    for (uint32_t l = 0; l < a->n_layers; l++) {
        const zki_arch_layer *L = &a->layers[l];
        zki_matmul_dims d;
        zki_status st = zki_matmul_dims_init(&d, B, L->K, L->N, L->has_bias);
        if (st)
            return st;
        if ((st = zki_matmul_forward(&d, acts[l], L->K, pk->w[l], (int)L->w_bits,
                                     (uint64_t)1 << d.lk, pk->bias[l], &accs[l])))
            return st;
        int64_t *y = malloc(sizeof(int64_t) * B * L->N);
        if (!y)
            return zki_fail(ZKI_ERR_NOMEM, "prove: activations of layer %u", l);
        for (uint64_t i = 0; i < (uint64_t)B * L->N; i++)
            y[i] = zki_rq(accs[l][i], L->M, (int)L->s, L->lo, L->hi);
        acts[l + 1] = y;
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
    int64_t **acts = calloc(a->n_layers + 1, sizeof(int64_t *));
    int64_t **accs = calloc(a->n_layers, sizeof(int64_t *));
    if (!acts || !accs) {
        free(acts);
        free(accs);
        return zki_fail(ZKI_ERR_NOMEM, "forward");
    }
    st = forward(pk, X, B, acts, accs);
    for (uint32_t l = 0; l < a->n_layers; l++) {
        free(accs[l]);
        if (l + 1 < a->n_layers)
            free(acts[l + 1]);
    }
    *y = st ? NULL : acts[a->n_layers];
    if (st)
        free(acts[a->n_layers]);
    free(acts);
    free(accs);
    return st;
}

static void progress(const zki_prove_opts *o, const char *stage, uint32_t done, uint32_t total)
{
    if (o && o->progress)
        o->progress(o->progress_ctx, stage, done, total);
}

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
    size_t lb = zki_log2_ceil(B);
    /* everything below is freed at `out` */
    int64_t **acts = calloc(L + 1, sizeof(int64_t *));
    int64_t **accs = calloc(L, sizeof(int64_t *));
    zki_fe **adv = calloc(2 * (size_t)L, sizeof(zki_fe *));
    zki_ext **pts = calloc(3 * (size_t)L + 1, sizeof(zki_ext *));
    zki_pcs_vec *avec = calloc(2 * (size_t)L, sizeof(zki_pcs_vec));
    uint64_t *alens = calloc(2 * (size_t)L, sizeof(uint64_t));
    zki_pcs_claim *claims = calloc(5 * (size_t)L + 1, sizeof(zki_pcs_claim));
    zki_pcs_prover *apcs = NULL;
    zki_fe *tout = NULL;
    zki_transcript ts = {0};
    size_t ncl = 0;
    pf->n_layers = L;
    pf->B = B;
    pf->private_input = (uint32_t)priv;
    pf->vk_hash = pk->vk.vk_hash;
    pf->out_n = a->layers[L - 1].N;
    pf->link = calloc(L, sizeof(zki_ext));
    pf->mm = calloc(L, sizeof(zki_matmul_proof));
    if (!acts || !accs || !adv || !pts || !avec || !alens || !claims || !pf->link || !pf->mm) {
        st = zki_fail(ZKI_ERR_NOMEM, "prove: bookkeeping");
        goto out;
    }
    if ((st = forward(pk, X, B, acts, accs)))
        goto out;
    pf->output = malloc(sizeof(int64_t) * B * pf->out_n);
    if (!pf->output) {
        st = zki_fail(ZKI_ERR_NOMEM, "prove: output");
        goto out;
    }
    memcpy(pf->output, acts[L], sizeof(int64_t) * B * pf->out_n);
    t1 = now_s();
    stt.witness_s = t1 - t0;
    progress(opts, "witness", 1, 1);

    /* advice: acc_l, then y_l for hidden layers, then the private input */
    uint32_t na = zki_advice_lens(a, B, priv, alens);
    for (uint32_t i = 0; i < na; i++) {
        const int64_t *src;
        uint64_t cols;
        size_t lc;
        if (i < L) {
            src = accs[i];
            cols = a->layers[i].N;
        } else if (i < 2 * L - 1) {
            src = acts[i - L + 1];
            cols = a->layers[i - L].N;
        } else {
            src = X;
            cols = a->layers[0].K;
        }
        lc = zki_log2_ceil(cols);
        adv[i] = zki_int_table(src, B, cols, lb, lc);
        if (!adv[i]) {
            st = zki_fail(ZKI_ERR_NOMEM, "prove: advice table %u", i);
            goto out;
        }
        avec[i].type = ZKI_PCS_FE;
        avec[i].data = adv[i];
        avec[i].len = alens[i];
    }
    zki_pcs_params pp;
    zki_pcs_params_default(&pp);
    pp.security_bits = ZKI_KEY_SECURITY_BITS;
    pp.hiding = 1;
    pp.open_budget = 1;
    pp.seed = opts ? opts->advice_seed : NULL;
    if ((st = zki_pcs_commit(&apcs, &pp, avec, na)))
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
    size_t lnL = zki_log2_ceil(a->layers[L - 1].N);
    zki_ext *r = pts[3 * L] = malloc(sizeof(zki_ext) * (lb + lnL + 1));
    if (!r) {
        st = zki_fail(ZKI_ERR_NOMEM, "prove: point");
        goto out;
    }
    zki_ts_challenge_ext_vec(&ts, "out.point", r, lb + lnL);
    tout = zki_int_table(pf->output, B, a->layers[L - 1].N, lb, lnL);
    if (!tout) {
        st = zki_fail(ZKI_ERR_NOMEM, "prove: output table");
        goto out;
    }
    zki_ext v = zki_mle_eval_base(tout, lb + lnL, r);
    for (uint32_t l = L; l-- > 0;) {
        const zki_arch_layer *Ly = &a->layers[l];
        zki_matmul_dims d;
        zki_matmul_dims_init(&d, B, Ly->K, Ly->N, Ly->has_bias);
        /* requant link (stub, see prover.h): y_l(r) = v and acc_l(r) = a */
        if (l + 1 < L)
            claims[ncl++] = (zki_pcs_claim){1, zki_advice_y(a, l), r, v};
        zki_ext av = zki_mle_eval_base(adv[zki_advice_acc(a, l)], d.lb + d.ln, r);
        pf->link[l] = av;
        zki_ts_absorb_ext(&ts, "link.acc", av);
        claims[ncl++] = (zki_pcs_claim){1, zki_advice_acc(a, l), r, av};
        /* matmul */
        zki_ext *xp = pts[3 * l] = malloc(sizeof(zki_ext) * (d.lk + d.lb + 1));
        zki_ext *wp = pts[3 * l + 1] = malloc(sizeof(zki_ext) * (d.lk + d.ln + 1));
        if (!xp || !wp) {
            st = zki_fail(ZKI_ERR_NOMEM, "prove: points");
            goto out;
        }
        if ((st = zki_matmul_prove(&d, acts[l], Ly->K, pk->w[l], (int)Ly->w_bits,
                                   (uint64_t)1 << d.lk, pk->bias[l], r, av, &ts, &pf->mm[l], xp,
                                   wp)))
            goto out;
        claims[ncl++] = (zki_pcs_claim){0, pk->vk.w_table[l], wp, pf->mm[l].w_eval};
        if (Ly->has_bias)
            claims[ncl++] = (zki_pcs_claim){0, pk->vk.b_table[l], r, pf->mm[l].b_eval};
        r = xp;
        v = pf->mm[l].x_eval;
        progress(opts, "layer", L - l, L);
    }
    if (priv)
        claims[ncl++] = (zki_pcs_claim){1, zki_advice_x0(a), r, v};
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
    if (acts)
        for (uint32_t l = 1; l <= L; l++)
            free(acts[l]);
    if (accs)
        for (uint32_t l = 0; l < L; l++)
            free(accs[l]);
    if (adv)
        for (uint32_t i = 0; i < 2 * L; i++)
            free(adv[i]);
    if (pts)
        for (uint32_t i = 0; i <= 3 * L; i++)
            free(pts[i]);
    free(acts);
    free(accs);
    free(adv);
    free(pts);
    free(avec);
    free(alens);
    free(claims);
    free(tout);
    zki_pcs_prover_free(apcs);
    if (ts.h)
        zki_ts_free(&ts);
    if (st)
        zki_proof_free(pf);
    stt.total_s = stt.witness_s + stt.commit_s + stt.gadgets_s + stt.open_s;
    if (stats)
        *stats = stt;
    return st;
}
