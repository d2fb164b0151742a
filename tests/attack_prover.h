/* A malicious prover for attack tests: a copy of zki_prove (src/prover/
 * prove.c) with the input check removed and the forward pass replaced by one
 * that computes accumulators in the field and takes each requant quotient
 * from the field relation M' acc + 2^(s'-1) = 2^s' q + r' (mod p), centred,
 * instead of over the integers. Where no wrap-around is possible this is
 * the honest witness; where it is, it is a forged one. A hook may alter the
 * witness of each layer before it is committed. Kept in sync by hand with
 * prove.c: if prove.c changes, refresh this copy. */
#ifndef ZKI_TEST_ATTACK_PROVER_H
#define ZKI_TEST_ATTACK_PROVER_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "poly/mle.h"
#include "protocol/open_tables.h"
#include "prover/prover.h"

/* called per layer after its witness: may change q, y, limbs (n entries) */
typedef void (*mal_hook)(void *ctx, uint32_t layer, zki_requant_witness *w, int64_t *acc, size_t n);
static mal_hook mal_witness_hook;
static void *mal_hook_ctx;

static double mal_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
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

/* x mod p, centred in (-p/2, p/2] */
static int64_t mal_centre(__int128 x)
{
    __int128 p = (__int128)ZKI_P, r = x % p;
    if (r < 0)
        r += p;
    if (r > p / 2)
        r -= p;
    return (int64_t)r;
}

/* the shift of the proof's relation (requant.c eff_shift) */
static unsigned mal_eff_shift(const zki_requant_params *p)
{
    unsigned s2 = 16 * zki_requant_n_limbs(p->s);
    return s2 + p->q_log <= 62 && p->q_log < ZKI_LK_MAX_LOG_TABLE ? s2 : p->s;
}

/* q, y, limbs from the relation mod p; fails if q leaves the table */
static zki_status mal_requant_witness(zki_requant_witness *w, const zki_requant_params *p,
                                      const int64_t *x, size_t n)
{
    memset(w, 0, sizeof *w);
    unsigned L = zki_requant_n_limbs(p->s), se = mal_eff_shift(p);
    w->n = n;
    w->n_limbs = L;
    w->q = malloc(n * sizeof *w->q);
    w->y = malloc(n * sizeof *w->y);
    for (unsigned i = 1; i < L; i++)
        w->limb[i] = malloc(n * sizeof *w->limb[i]);
    int64_t qlo = -((int64_t)1 << (p->q_log - 1)), qhi = -qlo;
    __int128 Me = (__int128)p->M << (se - p->s);
    for (size_t i = 0; i < n; i++) {
        __int128 z = mal_centre((__int128)x[i] * Me + ((__int128)1 << (se - 1)));
        __int128 q = z >> se;
        if (q < qlo || q >= qhi)
            return zki_fail(ZKI_ERR_INPUT, "mal: quotient outside the table at %zu", i);
        uint64_t r = (uint64_t)(z - q * ((__int128)1 << se));
        w->q[i] = (int64_t)q;
        w->y[i] = q < p->lo ? p->lo : q > p->hi ? p->hi : (int64_t)q;
        for (unsigned l = 1; l < L; l++)
            w->limb[l][i] = (int64_t)((r >> (16 * l)) & 0xffff);
    }
    return ZKI_OK;
}

/* accumulators in the field (centred), whatever the size of the input */
static zki_status mal_forward(const zki_pk *pk, const int64_t *X, uint32_t B, witness *W)
{
    const zki_dag *a = &pk->vk.dag;
    memset(W, 0, sizeof(*W));
    W->L = a->n_nodes;
    W->x = calloc(W->L + 1, sizeof(int64_t *));
    W->ldx = calloc(W->L + 1, sizeof(uint64_t));
    W->accp = calloc(W->L, sizeof(int64_t *));
    W->w = calloc(W->L, sizeof(zki_requant_witness));
    W->x[0] = X;
    W->ldx[0] = a->nodes[0].K;
    for (uint32_t l = 0; l < a->n_nodes; l++) {
        const zki_dag_node *Ly = &a->nodes[l];
        uint64_t kp = (uint64_t)1 << zki_log2_ceil(Ly->K), np = (uint64_t)1 << zki_log2_ceil(Ly->N);
        W->accp[l] = calloc((size_t)B * np, sizeof(int64_t));
        for (uint64_t b = 0; b < B; b++)
            for (uint64_t j = 0; j < Ly->N; j++) {
                __int128 s = pk->bias[l] ? pk->bias[l][j] : 0;
                for (uint64_t k = 0; k < Ly->K; k++) {
                    int64_t wv = Ly->w_bits == 8 ? ((const int8_t *)pk->w[l])[j * kp + k]
                                                 : ((const int16_t *)pk->w[l])[j * kp + k];
                    s += (__int128)wv * mal_centre(W->x[l][b * W->ldx[l] + k]);
                }
                W->accp[l][b * np + j] = mal_centre(s);
            }
        zki_requant_params p;
        zki_requant_params_of(Ly, &p);
        zki_status st = mal_requant_witness(&W->w[l], &p, W->accp[l], (size_t)B * np);
        if (st)
            return st;
        if (mal_witness_hook)
            mal_witness_hook(mal_hook_ctx, l, &W->w[l], W->accp[l], (size_t)B * np);
        W->x[l + 1] = W->w[l].y;
        W->ldx[l + 1] = np;
    }
    return ZKI_OK;
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
static zki_status mal_prove(zki_pk *pk, const int64_t *X, uint32_t B, const zki_prove_opts *opts,
                     zki_proof *pf, zki_prove_stats *stats)
{
    memset(pf, 0, sizeof(*pf));
    zki_prove_stats stt;
    memset(&stt, 0, sizeof(stt));
    const zki_dag *a = &pk->vk.dag;
    uint32_t L = a->n_nodes;
    int priv = opts && opts->private_input;
    zki_status st = ZKI_OK;
    if (st)
        return st;
    double t0 = mal_now_s(), t1;
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
    pf->out_n = a->nodes[L - 1].N;
    pf->red = calloc(L, sizeof(zki_claim_reduction_proof));
    pf->mm = calloc(L, sizeof(zki_matmul_proof));
    if (!pts || !pf->red || !pf->mm) {
        st = zki_fail(ZKI_ERR_NOMEM, "prove: bookkeeping");
        goto out;
    }
    if ((st = mal_forward(pk, X, B, &W)) || (st = zki_advice_layout_init(&lay, a, B, priv)))
        goto out;
    pf->output = malloc(sizeof(int64_t) * B * pf->out_n);
    if (!pf->output) {
        st = zki_fail(ZKI_ERR_NOMEM, "prove: output");
        goto out;
    }
    for (uint64_t b = 0; b < B; b++)
        memcpy(pf->output + b * pf->out_n, W.x[L] + b * W.ldx[L], sizeof(int64_t) * pf->out_n);

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
        uint64_t K = a->nodes[0].K, kp = (uint64_t)1 << zki_log2_ceil(K);
        x0p = calloc((size_t)B * kp, sizeof(int64_t));
        if (!x0p) {
            st = zki_fail(ZKI_ERR_NOMEM, "prove: private input");
            goto out;
        }
        for (uint64_t b = 0; b < B; b++)
            memcpy(x0p + b * kp, X + b * K, sizeof(int64_t) * K);
        if ((st = zki_input_range_sites(lk[0], a, B, x0p)))
            goto out;
    }
    t1 = mal_now_s();
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
        uint64_t K = a->nodes[0].K, kp = (uint64_t)1 << zki_log2_ceil(K);
        int32_t *x0 = adv + lay.pack.off[lay.x0];
        for (uint64_t b = 0; b < B; b++)
            for (uint64_t k = 0; k < K; k++)
                x0[b * kp + k] = (int32_t)X[b * K + k];
    }
    zki_pcs_vec avec = {ZKI_PCS_I32, adv, lay.pack.total};
    zki_pcs_params pp;
    zki_key_pcs_params(&pk->vk, 1, &pp);
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
    t0 = mal_now_s();
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
        st = zki_seg_claims_add(&cw, pk->vk.w_seg[l], wp, pf->mm[l].w_eval);
        if (!st && Ly->has_bias)
            st = zki_seg_claims_add(&cw, pk->vk.b_seg[l], r, pf->mm[l].b_eval);
        if (!st && l > 0)
            st = zki_seg_claims_add(&ca, lay.y[l - 1], xp, pf->mm[l].x_eval);
        else if (!st && priv)
            st = zki_seg_claims_add(&ca, lay.x0, xp, pf->mm[l].x_eval);
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
    t1 = mal_now_s();
    stt.gadgets_s = t1 - t0;
    /* the weight and advice claims to one opening (shared library step) */
    {
        zki_big_table tw = {ZKI_PCS_I32, pk->wbig, pk->vk.wpack.total};
        zki_big_table ta = {ZKI_PCS_I32, adv, lay.pack.total};
        zki_table_claims job[2] = {{&pk->vk.wpack, &tw, &cw}, {&lay.pack, &ta, &ca}};
        zki_pcs_prover *provers[2] = {pk->wpcs, apcs};
        if ((st = zki_tables_open_prove(&ts, job, provers, pf)))
            goto out;
    }
    t0 = mal_now_s();
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
#endif
