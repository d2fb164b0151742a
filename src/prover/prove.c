#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "poly/mle.h"
#include "prover/open_tables.h"
#include "prover/prover.h"
#include "prover/wlayout.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

const zki_pcs_params *zki_prove_test_advice_pcs = NULL;

void zki_proof_free(zki_proof *p)
{
    if (!p)
        return;
    free(p->output);
    zki_pcs_commitment_free(&p->acom);
    if (p->mm)
        for (uint32_t l = 0; l < p->n_nodes; l++)
            zki_matmul_proof_free(&p->mm[l]);
    if (p->cv)
        for (uint32_t l = 0; l < p->n_nodes; l++)
            zki_conv_proof_free(&p->cv[l]);
    free(p->cv);
    if (p->wsl)
        for (uint32_t l = 0; l < p->n_nodes; l++)
            free(p->wsl[l]);
    free(p->wsl);
    free(p->wsl_n);
    if (p->mp)
        for (uint32_t l = 0; l < p->n_nodes; l++)
            zki_maxpool_proof_free(&p->mp[l]);
    free(p->mp);
    if (p->red)
        for (uint32_t l = 0; l < p->n_nodes; l++)
            zki_claim_reduction_proof_free(&p->red[l]);
    if (p->lk)
        for (uint32_t j = 0; j < p->n_lookups; j++)
            zki_lookup_proof_free(&p->lk[j]);
    for (uint32_t j = 0; j < ZKI_MAX_COLRED; j++) {
        zki_colred_proof_free(&p->colred[j]);
        zki_claim_reduction_proof_free(&p->hred[j]);
    }
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
    int64_t *x0own;           /* the padded input map of a first CONV layer */
    int64_t **py, **pdiff;    /* MAXPOOL layers: padded map [B][np], differences [J][B][np] */
} witness;

static void witness_free(witness *W)
{
    if (W->accp)
        for (uint32_t l = 0; l < W->L; l++)
            free(W->accp[l]);
    if (W->w)
        for (uint32_t l = 0; l < W->L; l++)
            zki_requant_witness_free(&W->w[l]);
    if (W->py)
        for (uint32_t l = 0; l < W->L; l++) {
            free(W->py[l]);
            free(W->pdiff[l]);
        }
    free(W->py);
    free(W->pdiff);
    free(W->x);
    free(W->x0own);
    free(W->ldx);
    free(W->accp);
    free(W->w);
    memset(W, 0, sizeof(*W));
}

/* Bits of every weight in the gadgets' copies (setup widens int8 layers
 * to int16 when any layer has int16 weights). */
static int pack_bits(const zki_pk *pk) { return pk->vk.w_type == ZKI_PCS_I8 ? 8 : 16; }


/* A MAXPOOL layer's dense witness (P, D) from its padded input map. */
static zki_status pool_witness(const zki_dag_node *L, const int64_t *xpad, uint32_t B, zki_maxpool_dims *pd,
                               int64_t **P, int64_t **D)
{
    zki_status st = zki_dag_pool_dims(L, B, pd);
    if (st)
        return st;
    int64_t *xd = malloc(sizeof(int64_t) * B * pd->C * pd->H * pd->W);
    if (!xd)
        return zki_fail(ZKI_ERR_NOMEM, "prove: pool input");
    zki_map_gather(xd, xpad, B, pd->C, pd->H, pd->W);
    st = zki_maxpool_forward(pd, xd, P, D);
    free(xd);
    return st;
}

/* A CONCAT layer's geometry for a batch of B: its inputs' channels. */
static zki_status concat_dims(const zki_dag *a, uint32_t l, uint32_t B, zki_concat_dims *d)
{
    const zki_dag_node *L = &a->nodes[l];
    uint32_t ca = 0, cb = 0, h, w;
    if (!zki_dag_out_map(&a->nodes[L->sa], &ca, &h, &w) || !zki_dag_out_map(&a->nodes[L->sb], &cb, &h, &w))
        return zki_fail(ZKI_ERR_INPUT, "concat layer %u: an input without a map", l);
    return zki_concat_dims_init(d, B, ca, cb, L->H, L->W);
}

static zki_status forward(const zki_pk *pk, const int64_t *X, uint32_t B, witness *W)
{
    const zki_dag *a = &pk->vk.dag;
    memset(W, 0, sizeof(*W));
    W->L = a->n_nodes;
    W->x = calloc(W->L + 1, sizeof(int64_t *));
    W->ldx = calloc(W->L + 1, sizeof(uint64_t));
    W->accp = calloc(W->L, sizeof(int64_t *));
    W->w = calloc(W->L, sizeof(zki_requant_witness));
    W->py = calloc(W->L, sizeof(int64_t *));
    W->pdiff = calloc(W->L, sizeof(int64_t *));
    if (!W->x || !W->ldx || !W->accp || !W->w || !W->py || !W->pdiff)
        return zki_fail(ZKI_ERR_NOMEM, "prove: witness");
    W->x[0] = X;
    W->ldx[0] = a->nodes[0].K;
    if (a->nodes[0].kind == ZKI_NODE_CONV) {
        if (!(W->x0own = zki_dag_pad_input(a, X, B)))
            return zki_fail(ZKI_ERR_NOMEM, "prove: input map");
        W->x[0] = W->x0own;
    }
    for (uint32_t l = 0; l < a->n_nodes; l++) {
        const zki_dag_node *L = &a->nodes[l];
        zki_status st;
        int64_t *acc;
        uint64_t np = (uint64_t)1 << zki_log2_ceil(L->N);
        if (L->kind == ZKI_NODE_MAXPOOL) {
            int64_t *P, *D;
            zki_maxpool_dims pd;
            if ((st = pool_witness(L, W->x[l], B, &pd, &P, &D)))
                return st;
            uint64_t no = pd.B * pd.C * pd.OH * pd.OW;
            W->py[l] = malloc(sizeof(int64_t) * B * np);
            W->pdiff[l] = malloc(sizeof(int64_t) * B * np * pd.J);
            if (W->py[l] && W->pdiff[l]) {
                zki_map_scatter(W->py[l], P, B, pd.C, pd.OH, pd.OW);
                for (uint32_t j = 0; j < pd.J; j++)
                    zki_map_scatter(W->pdiff[l] + j * B * np, D + j * no, B, pd.C, pd.OH, pd.OW);
            }
            free(P);
            free(D);
            if (!W->py[l] || !W->pdiff[l])
                return zki_fail(ZKI_ERR_NOMEM, "prove: pool layer %u", l);
            W->x[l + 1] = W->py[l];
            W->ldx[l + 1] = np;
            continue;
        }
        if (L->kind == ZKI_NODE_CONCAT) {
            zki_concat_dims cd;
            if ((st = concat_dims(a, l, B, &cd)))
                return st;
            if (!(W->py[l] = zki_concat_forward(&cd, W->x[L->sa + 1], W->x[L->sb + 1])))
                return zki_fail(ZKI_ERR_NOMEM, "prove: concat layer %u", l);
            W->x[l + 1] = W->py[l];
            W->ldx[l + 1] = np;
            continue;
        }
        if (L->kind == ZKI_NODE_ADD) {
            /* both maps share the padded layout [B][np] (pads are 0) */
            const int64_t *ya = W->x[L->sa + 1], *yb = W->x[L->sb + 1];
            if (W->ldx[L->sa + 1] != np || W->ldx[L->sb + 1] != np)
                return zki_fail(ZKI_ERR_INPUT, "prove: add layer %u: input maps of another size", l);
            acc = malloc(sizeof(int64_t) * B * np);
            if (!acc)
                return zki_fail(ZKI_ERR_NOMEM, "prove: add layer %u", l);
            for (uint64_t i = 0; i < B * np; i++)
                acc[i] = ya[i] * L->Ma + yb[i] * L->Mb;
            W->accp[l] = acc;
            acc = NULL;
        } else if (L->kind == ZKI_NODE_CONV) {
            zki_conv_dims cd;
            if ((st = zki_dag_conv_dims(L, B, &cd)))
                return st;
            int64_t *xd = malloc(sizeof(int64_t) * B * cd.C * cd.H * cd.W);
            const void *wd = pk->w[l];
            if (!xd)
                return zki_fail(ZKI_ERR_NOMEM, "prove: conv layer %u", l);
            zki_map_gather(xd, W->x[L->xin], B, cd.C, cd.H, cd.W);
            st = zki_conv_forward(&cd, xd, wd, pack_bits(pk), pk->bias[l], &acc);
            free(xd);
            if (st)
                return st;
            W->accp[l] = malloc(sizeof(int64_t) * B * np);
            if (W->accp[l])
                zki_map_scatter(W->accp[l], acc, B, cd.OC, cd.OH, cd.OW);
        } else {
            zki_matmul_dims d;
            if ((st = zki_matmul_dims_init(&d, B, L->K, L->N, L->has_bias)))
                return st;
            if ((st = zki_matmul_forward(&d, W->x[l], W->ldx[l], pk->w[l], pack_bits(pk),
                                         (uint64_t)1 << d.lk, pk->bias[l], &acc)))
                return st;
            W->accp[l] = calloc((size_t)B * np, sizeof(int64_t));
            if (W->accp[l])
                for (uint64_t b = 0; b < B; b++)
                    memcpy(W->accp[l] + b * np, acc + b * L->N, sizeof(int64_t) * L->N);
        }
        free(acc);
        if (!W->accp[l])
            return zki_fail(ZKI_ERR_NOMEM, "prove: accumulators of layer %u", l);
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

static zki_status check_input(const zki_dag *a, const int64_t *X, uint32_t B)
{
    if (B < 1 || B > ZKI_MAX_BATCH)
        return zki_fail(ZKI_ERR_INPUT, "prove: batch %u outside [1, %u]", B, ZKI_MAX_BATCH);
    int64_t lim = (int64_t)1 << (a->in_bits - 1);
    for (uint64_t i = 0; i < (uint64_t)B * zki_dag_in_len(a); i++)
        if (X[i] < -lim || X[i] >= lim)
            return zki_fail(ZKI_ERR_INPUT, "input element %llu = %lld outside the %u-bit range",
                            (unsigned long long)i, (long long)X[i], a->in_bits);
    return ZKI_OK;
}

/* The public output [B][out_len], dense: a final map is gathered from its
 * padded layout. */
static void output_of(const zki_dag *a, const witness *W, uint32_t B, int64_t *y)
{
    uint32_t L = a->n_nodes, c, h, w;
    uint64_t n = zki_dag_out_len(a);
    if (a->nodes[L - 1].kind != ZKI_NODE_LINEAR && zki_dag_out_map(&a->nodes[L - 1], &c, &h, &w)) {
        zki_map_gather(y, W->x[L], B, c, h, w);
        return;
    }
    for (uint64_t b = 0; b < B; b++)
        memcpy(y + b * n, W->x[L] + b * W->ldx[L], sizeof(int64_t) * n);
}

zki_status zki_mlp_forward(const zki_pk *pk, const int64_t *X, uint32_t B, int64_t **y)
{
    const zki_dag *a = &pk->vk.dag;
    zki_status st = check_input(a, X, B);
    if (st)
        return st;
    witness W;
    st = forward(pk, X, B, &W);
    *y = st ? NULL : malloc(sizeof(int64_t) * B * zki_dag_out_len(a));
    if (!st && !*y)
        st = zki_fail(ZKI_ERR_NOMEM, "forward");
    if (!st)
        output_of(a, &W, B, *y);
    witness_free(&W);
    return st;
}

static void progress(const zki_prove_opts *o, const char *stage, uint32_t done, uint32_t total)
{
    if (o && o->progress)
        o->progress(o->progress_ctx, stage, done, total);
}

static void put_i32(int32_t *dst, const int64_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = (int32_t)v[i];
}

#define ID_ACC(l) (8u * (l))
#define ID_Q(l) (8u * (l) + 1)
#define ID_Y(l) (8u * (l) + 2)
#define ID_LIMB(l, i) (8u * (l) + 2 + (i))

zki_status zki_prove(zki_pk *pk, const int64_t *X, uint32_t B, const zki_prove_opts *opts,
                     zki_proof *pf, zki_prove_stats *stats)
{
    memset(pf, 0, sizeof(*pf));
    zki_prove_stats stt;
    memset(&stt, 0, sizeof(stt));
    const zki_dag *a = &pk->vk.dag;
    uint32_t L = a->n_nodes;
    int priv = opts && opts->private_input;
    zki_status st = check_input(a, X, B);
    if (st)
        return st;
    double t0 = now_s(), t1;
    witness W;
    memset(&W, 0, sizeof(W));
    zki_advice_layout lay;
    memset(&lay, 0, sizeof(lay));
    zki_model_lookups mlk = {0};
    zki_lookup **lk = NULL;
    uint32_t nlk = 0;
    int32_t *adv = NULL;
    int64_t *x0p = NULL;
    zki_seg_claims cw = {0}, ca = {0};
    zki_ext **pts = calloc(2 * (size_t)L, sizeof(zki_ext *));
    zki_pcs_prover *apcs = NULL;
    zki_fe *accfe = NULL;
    zki_transcript ts = {0};
    zki_ledger led;
    zki_ledger_init(&led);
    pf->n_nodes = L;
    pf->B = B;
    pf->private_input = (uint32_t)priv;
    pf->vk_hash = pk->vk.vk_hash;
    if (!priv && (st = zki_input_digest(X, B, zki_dag_in_len(a), &pf->in_digest)))
        goto out;
    pf->out_n = (uint32_t)zki_dag_out_len(a);
    pf->red = calloc(L, sizeof(zki_claim_reduction_proof));
    pf->mm = calloc(L, sizeof(zki_matmul_proof));
    pf->cv = calloc(L, sizeof(zki_conv_proof));
    pf->mp = calloc(L, sizeof(zki_maxpool_proof));
    pf->wsl = calloc(L, sizeof(zki_ext *));
    pf->wsl_n = calloc(L, sizeof(uint32_t));
    if (!pts || !pf->red || !pf->mm || !pf->cv || !pf->mp || !pf->wsl || !pf->wsl_n) {
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
    output_of(a, &W, B, pf->output);

    /* lookup instances and their sites; multiplicities */
    if ((st = zki_model_lookups_init(&mlk, a, &lay)))
        goto out;
    lk = mlk.lk;
    nlk = mlk.n;
    pf->lk = calloc(nlk, sizeof(zki_lookup_proof));
    if (!pf->lk) {
        st = zki_fail(ZKI_ERR_NOMEM, "prove: lookups");
        goto out;
    }
    pf->n_lookups = nlk;
    for (uint32_t l = 0; l < L; l++) {
        if (a->nodes[l].kind == ZKI_NODE_CONCAT)
            continue;
        if (a->nodes[l].kind == ZKI_NODE_MAXPOOL) {
            if ((st = zki_pool_range_sites(lk[0], a, l, B, W.pdiff[l])))
                goto out;
            continue;
        }
        zki_requant_params p;
        zki_requant_params_of(&a->nodes[l], &p);
        zki_requant_ids ids = {ID_ACC(l), ID_Q(l), ID_Y(l), {0, ID_LIMB(l, 1), ID_LIMB(l, 2), ID_LIMB(l, 3)}};
        char name[32];
        snprintf(name, sizeof(name), "layer %u", l);
        if ((st = zki_requant_add_sites(&p, &W.w[l], W.accp[l], W.w[l].n, &ids, lk[0],
                                        lk[1 + lay.map_of[l]], name)))
            goto out;
    }
    if (priv) {
        x0p = zki_dag_pad_input(a, X, B);
        if (!x0p) {
            st = zki_fail(ZKI_ERR_NOMEM, "prove: private input");
            goto out;
        }
        if ((st = zki_input_range_sites(lk[0], a, B, x0p)))
            goto out;
    }
    t1 = now_s();
    stt.witness_s = t1 - t0;
    progress(opts, "witness", 1, 1);

    /* advice, packed into one int32 table: q, y (hidden layers), high
     * remainder limbs, multiplicities, the private input */
    adv = calloc(lay.pack.total, sizeof(int32_t));
    if (!adv) {
        st = zki_fail(ZKI_ERR_NOMEM, "prove: advice of %llu entries", (unsigned long long)lay.pack.total);
        goto out;
    }
    for (uint32_t l = 0; l < L; l++) {
        if (a->nodes[l].kind == ZKI_NODE_CONCAT)
            continue;
        if (a->nodes[l].kind == ZKI_NODE_MAXPOOL) {
            size_t n = (size_t)B << zki_log2_ceil(a->nodes[l].N);
            if (lay.y[l] != ZKI_NONE) /* else the public output */
                put_i32(adv + lay.pack.off[lay.y[l]], W.py[l], n);
            for (uint32_t j = 0; j < 4 && lay.limb[4 * l + j] != ZKI_NONE; j++)
                put_i32(adv + lay.pack.off[lay.limb[4 * l + j]], W.pdiff[l] + j * n, n);
            continue;
        }
        size_t n = W.w[l].n;
        put_i32(adv + lay.pack.off[lay.q[l]], W.w[l].q, n);
        if (lay.y[l] != ZKI_NONE)
            put_i32(adv + lay.pack.off[lay.y[l]], W.w[l].y, n);
        for (uint32_t i = 1; i < lay.n_limbs[l]; i++)
            put_i32(adv + lay.pack.off[lay.limb[4 * l + i]], W.w[l].limb[i], n);
    }
    for (uint32_t j = 0; j < nlk; j++) {
        const zki_fe *m;
        size_t ml;
        if ((st = zki_lookup_multiplicities(lk[j], &m, &ml)))
            goto out;
        if (ml != (size_t)1 << lay.nv[lay.m[j]]) {
            st = zki_fail(ZKI_ERR_INPUT, "prove: lookup %u has %zu multiplicities, layout says 2^%zu", j, ml,
                          lay.nv[lay.m[j]]);
            goto out;
        }
        int32_t *dst = adv + lay.pack.off[lay.m[j]];
        for (size_t i = 0; i < ml; i++) {
            if (m[i] >= ((uint64_t)1 << 31)) {
                st = zki_fail(ZKI_ERR_INPUT, "prove: a lookup multiplicity exceeds 2^31");
                goto out;
            }
            dst[i] = (int32_t)m[i];
        }
    }
    if (priv) {
        uint64_t kp = (uint64_t)1 << zki_log2_ceil(a->nodes[0].K);
        put_i32(adv + lay.pack.off[lay.x0], x0p, (size_t)B * kp);
    }
    zki_pcs_vec avec = {ZKI_PCS_I32, adv, lay.pack.total};
    zki_pcs_params pp;
    zki_key_pcs_params(&pk->vk, 1, &pp);
    if (zki_prove_test_advice_pcs)
        pp = *zki_prove_test_advice_pcs;
    pp.seed = opts ? opts->advice_seed : NULL;
    if ((st = zki_pcs_commit(&apcs, &pp, &avec, 1)))
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
    for (uint32_t l = L; l-- > 0;) {
        const zki_dag_node *Ly = &a->nodes[l];
        if (Ly->kind == ZKI_NODE_MAXPOOL) {
            zki_maxpool_dims pd;
            int64_t *P = NULL, *D = NULL, *xd = NULL;
            if ((st = pool_witness(Ly, W.x[l], B, &pd, &P, &D)))
                goto out;
            zki_ext *xp = pts[2 * l] = malloc(sizeof(zki_ext) * (zki_maxpool_x_nvars(&pd) + 1));
            zki_ext *rp = pts[2 * l + 1] = malloc(sizeof(zki_ext) * (zki_maxpool_out_nvars(&pd) + 1));
            xd = malloc(sizeof(int64_t) * B * pd.C * pd.H * pd.W);
            if (!xp || !rp || !xd)
                st = zki_fail(ZKI_ERR_NOMEM, "prove: pool layer %u", l);
            if (!st) {
                zki_map_gather(xd, W.x[l], B, pd.C, pd.H, pd.W);
                st = zki_maxpool_prove(&pd, xd, P, D, &ts, &pf->mp[l], rp, xp);
            }
            free(P);
            free(D);
            free(xd);
            for (uint32_t j = 0; !st && j < pd.J; j++)
                st = zki_seg_claims_add(&ca, lay.limb[4 * l + j], rp, pf->mp[l].d_eval[j]);
            if (!st && lay.y[l] != ZKI_NONE)
                st = zki_seg_claims_add(&ca, lay.y[l], rp, pf->mp[l].p_eval);
            else if (!st) /* the public output: checked with the output's other claims */
                st = zki_ledger_add(&led, ID_Y(l), rp, zki_maxpool_out_nvars(&pd), pf->mp[l].p_eval);
            if (!st)
                st = zki_claim_layer_output(a, &lay, B, l - 1, xp, pf->mp[l].x_eval, &ca, &led);
            if (st)
                goto out;
            progress(opts, "layer", L - l, L);
            continue;
        }
        size_t lbv = zki_log2_ceil(B), lnv = zki_log2_ceil(Ly->N);
        if (Ly->kind == ZKI_NODE_CONCAT) {
            /* the claims on its map (from its readers), merged, become one
             * claim on each input map */
            zki_concat_dims cd;
            zki_concat_proof cp;
            if ((st = concat_dims(a, l, B, &cd)))
                goto out;
            accfe = zki_int_table(W.x[l + 1], B, (uint64_t)1 << lnv, lbv, lnv);
            if (!accfe) {
                st = zki_fail(ZKI_ERR_NOMEM, "prove: concat table");
                goto out;
            }
            if ((st = zki_ledger_reduce_prove(&led, ZKI_ID_MAP(l), accfe, NULL, &ts, &pf->red[l])))
                goto out;
            free(accfe);
            accfe = NULL;
            const zki_claim *c = zki_ledger_get(&led, ZKI_ID_MAP(l));
            zki_ext *ap = pts[2 * l] = malloc(sizeof(zki_ext) * (zki_concat_a_nvars(&cd) + 1));
            zki_ext *bp = pts[2 * l + 1] = malloc(sizeof(zki_ext) * (zki_concat_b_nvars(&cd) + 1));
            if (!c || c->nvars != zki_concat_y_nvars(&cd) || !ap || !bp) {
                st = zki_fail(ZKI_ERR_INPUT, "prove: no claim on the map of concat layer %u", l);
                goto out;
            }
            if ((st = zki_concat_prove(&cd, W.x[Ly->sa + 1], W.x[Ly->sb + 1], c->point, c->value, &ts, &cp, ap,
                                       bp)))
                goto out;
            pf->mm[l].sc = cp.sc; /* the matmul layout carries it */
            pf->mm[l].x_eval = cp.a_eval;
            pf->mm[l].w_eval = cp.b_eval;
            st = zki_claim_layer_output(a, &lay, B, Ly->sa, ap, cp.a_eval, &ca, &led);
            if (!st)
                st = zki_claim_layer_output(a, &lay, B, Ly->sb, bp, cp.b_eval, &ca, &led);
            if (st)
                goto out;
            progress(opts, "layer", L - l, L);
            continue;
        }
        accfe = zki_int_table(W.accp[l], B, (uint64_t)1 << lnv, lbv, lnv);
        if (!accfe) {
            st = zki_fail(ZKI_ERR_NOMEM, "prove: accumulator table");
            goto out;
        }
        if ((st = zki_ledger_reduce_prove(&led, ID_ACC(l), accfe, NULL, &ts, &pf->red[l])))
            goto out;
        free(accfe);
        accfe = NULL;
        const zki_claim *c = zki_ledger_get(&led, ID_ACC(l));
        if (!c || c->nvars != lbv + lnv) {
            st = zki_fail(ZKI_ERR_INPUT, "prove: no claim on the accumulators of layer %u", l);
            goto out;
        }
        const zki_ext *r = c->point, *bpt = r;
        zki_ext xe, we, be;
        if (Ly->kind == ZKI_NODE_ADD) {
            /* acc = y_sa*Ma + y_sb*Mb is affine: its claim at r becomes one
             * on each input map at r (both committed advice) */
            zki_fe *ta = zki_int_table(W.x[Ly->sa + 1], B, (uint64_t)1 << lnv, lbv, lnv);
            zki_fe *tb = ta ? zki_int_table(W.x[Ly->sb + 1], B, (uint64_t)1 << lnv, lbv, lnv) : NULL;
            if (!ta || !tb) {
                free(ta);
                st = zki_fail(ZKI_ERR_NOMEM, "prove: add layer %u", l);
                goto out;
            }
            pf->mm[l].x_eval = zki_mle_eval_base(ta, lbv + lnv, r);
            pf->mm[l].w_eval = zki_mle_eval_base(tb, lbv + lnv, r);
            free(ta);
            free(tb);
            zki_ts_absorb_ext(&ts, "add.a", pf->mm[l].x_eval);
            zki_ts_absorb_ext(&ts, "add.b", pf->mm[l].w_eval);
            st = zki_claim_layer_output(a, &lay, B, Ly->sa, r, pf->mm[l].x_eval, &ca, &led);
            if (!st)
                st = zki_claim_layer_output(a, &lay, B, Ly->sb, r, pf->mm[l].w_eval, &ca, &led);
            if (st)
                goto out;
            progress(opts, "layer", L - l, L);
            continue;
        }
        if (Ly->kind == ZKI_NODE_CONV) {
            zki_conv_dims cd;
            if ((st = zki_dag_conv_dims(Ly, B, &cd)))
                goto out;
            zki_ext *xp = pts[2 * l] = malloc(sizeof(zki_ext) * (zki_conv_x_nvars(&cd) + 1));
            zki_ext *wp = pts[2 * l + 1] = malloc(sizeof(zki_ext) * (zki_conv_w_nvars(&cd) + 1));
            int64_t *xd = malloc(sizeof(int64_t) * B * cd.C * cd.H * cd.W);
            const void *wd = pk->w[l];
            pf->wsl[l] = malloc(sizeof(zki_ext) * cd.KH * cd.KW);
            pf->wsl_n[l] = (uint32_t)(cd.KH * cd.KW);
            if (!xp || !wp || !xd || !pf->wsl[l]) {
                free(xd);
                st = zki_fail(ZKI_ERR_NOMEM, "prove: conv layer %u", l);
                goto out;
            }
            zki_map_gather(xd, W.x[Ly->xin], B, cd.C, cd.H, cd.W);
            st = zki_conv_prove(&cd, xd, wd, pack_bits(pk), pk->bias[l], r, c->value, &ts, &pf->cv[l],
                                xp, wp);
            free(xd);
            if (!st)
                st = zki_conv_wslices_eval(&cd, wd, pack_bits(pk), wp, pf->wsl[l]);
            if (st)
                goto out;
            for (uint32_t k = 0; k < pf->wsl_n[l]; k++) {
                zki_ts_absorb_ext(&ts, "conv.wslice", pf->wsl[l][k]);
                if ((st = zki_seg_claims_add(&cw, pk->vk.w_seg[l] + k, wp + cd.lkw + cd.lkh, pf->wsl[l][k])))
                    goto out;
            }
            bpt = r + cd.low + cd.loh;
            xe = pf->cv[l].x_eval, we = pf->cv[l].w_eval, be = pf->cv[l].b_eval;
        } else {
            zki_matmul_dims d;
            zki_matmul_dims_init(&d, B, Ly->K, Ly->N, Ly->has_bias);
            zki_ext *xp = pts[2 * l] = malloc(sizeof(zki_ext) * (d.lk + d.lb + 1));
            zki_ext *wp = pts[2 * l + 1] = malloc(sizeof(zki_ext) * (d.lk + d.ln + 1));
            if (!xp || !wp) {
                st = zki_fail(ZKI_ERR_NOMEM, "prove: points");
                goto out;
            }
            if ((st = zki_matmul_prove(&d, W.x[l], W.ldx[l], pk->w[l], pack_bits(pk),
                                       (uint64_t)1 << d.lk, pk->bias[l], r, c->value, &ts, &pf->mm[l], xp,
                                       wp)))
                goto out;
            xe = pf->mm[l].x_eval, we = pf->mm[l].w_eval, be = pf->mm[l].b_eval;
        }
        const zki_ext *xp = pts[2 * l], *wp = pts[2 * l + 1];
        st = Ly->kind == ZKI_NODE_CONV ? ZKI_OK : zki_seg_claims_add(&cw, pk->vk.w_seg[l], wp, we);
        if (!st && Ly->has_bias)
            st = zki_seg_claims_add(&cw, pk->vk.b_seg[l], bpt, be);
        if (!st && Ly->xin > 0) /* l - 1, or a shortcut conv's or concat branch's source */
            st = zki_claim_layer_output(a, &lay, B, Ly->xin - 1, xp, xe, &ca, &led);
        else if (!st && priv)
            st = zki_seg_claims_add(&ca, lay.x0, xp, xe);
        if (st)
            goto out;
        progress(opts, "layer", L - l, L);
    }
    /* every other ledger claim is on committed advice (the output's are
     * evaluated by the verifier) */
    for (size_t i = 0; i < led.n; i++) {
        uint32_t id = led.items[i].tensor, ai = zki_advice_of_tensor(&lay, a, id);
        if (ai != ZKI_NONE && (st = zki_seg_claims_add(&ca, ai, led.items[i].point, led.items[i].value)))
            goto out;
    }
    t1 = now_s();
    stt.gadgets_s = t1 - t0;
    /* the weight and advice claims to one opening */
    {
        zki_big_table tw = {ZKI_PCS_I32, pk->wbig, pk->vk.wpack.total};
        zki_big_table ta = {ZKI_PCS_I32, adv, lay.pack.total};
        zki_table_claims job[2] = {{&pk->vk.wpack, &tw, &cw}, {&lay.pack, &ta, &ca}};
        zki_pcs_prover *provers[2] = {pk->wpcs, apcs};
        if ((st = zki_tables_open_prove(&ts, job, provers, pf)))
            goto out;
    }
    t0 = now_s();
    stt.open_s = t0 - t1;
    progress(opts, "opening", 1, 1);
out:
    free(adv);
    free(x0p);
    zki_seg_claims_free(&cw);
    zki_seg_claims_free(&ca);
    if (pts)
        for (uint32_t i = 0; i < 2 * L; i++)
            free(pts[i]);
    zki_model_lookups_free(&mlk);
    free(pts);
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
