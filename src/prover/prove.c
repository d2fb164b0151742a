#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "common/scratch.h"
#include "ligero/ligero.h"
#include "poly/mle.h"
#include "protocol/argmax.h"
#include "protocol/gadget.h"
#include "protocol/open_tables.h"
#include "prover/prover.h"
#include "protocol/zk_session.h"
#include "prover/seam.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

const zki_pcs_params *zki_prove_test_advice_pcs = NULL;
const zki_prove_seam *zki_prove_test_seam = NULL;

static void witness_free(zki_witness *W, uint32_t L)
{
    if (W->own)
        for (uint32_t t = 0; t <= L; t++)
            free(W->own[t]);
    if (W->acc)
        for (uint32_t j = 0; j < L; j++)
            free(W->acc[j]);
    if (W->rq)
        for (uint32_t j = 0; j < L; j++)
            zki_requant_witness_free(&W->rq[j]);
    if (W->aux)
        for (uint32_t j = 0; j < L; j++)
            free(W->aux[j]);
    free(W->t);
    free(W->ld);
    free(W->own);
    free(W->acc);
    free(W->rq);
    free(W->aux);
    memset(W, 0, sizeof(*W));
}

/* Bits of every weight in the gadgets' copies (setup widens int8 layers
 * to int16 when any layer has int16 weights). */
static int pack_bits(const zki_pk *pk) { return pk->vk.w_type == ZKI_PCS_I8 ? 8 : 16; }

/* The forward pass: every node's witness, in order. */
static zki_status forward(zki_walk *w, const zki_pk *pk, const int64_t *X, zki_proof_stats *stt)
{
    const zki_dag *d = w->d;
    uint32_t L = d->n_nodes;
    zki_witness *W = w->W;
    memset(W, 0, sizeof(*W));
    W->t = calloc((size_t)L + 1, sizeof(int64_t *));
    W->ld = calloc((size_t)L + 1, sizeof(uint64_t));
    W->own = calloc((size_t)L + 1, sizeof(int64_t *));
    W->acc = calloc(L, sizeof(int64_t *));
    W->rq = calloc(L, sizeof(zki_requant_witness));
    W->aux = calloc(L, sizeof(int64_t *));
    if (!W->t || !W->ld || !W->own || !W->acc || !W->rq || !W->aux)
        return zki_fail(ZKI_ERR_NOMEM, "prove: witness");
    /* the input in the padded layout its readers share */
    if (!(W->own[0] = zki_dag_pad_input(d, X, w->B)))
        return zki_fail(ZKI_ERR_NOMEM, "prove: input");
    W->t[0] = W->own[0];
    W->ld[0] = (uint64_t)1 << zki_walk_log_len(d, 0);
    zki_status st = ZKI_OK;
    const zki_prove_seam *seam = zki_prove_test_seam; /* NULL outside tests */
    for (uint32_t j = 0; !st && j < L; j++) {
        double t0 = now_s();
        uint32_t k = d->nodes[j].kind;
        st = zki_gadget_of(k)->witness(w, j);
        stt->kind_witness_s[k] += now_s() - t0;
        stt->kind_nodes[k]++;
        if (seam && seam->node_witness)
            st = seam->node_witness(seam->ctx, pk, j, W, w->B, st);
    }
    return st;
}

static zki_status check_input(const zki_dag *a, const int64_t *X, uint32_t B, int priv)
{
    if (B < 1 || B > ZKI_MAX_BATCH)
        return zki_fail(ZKI_ERR_INPUT, "prove: batch %u outside [1, %u]", B, ZKI_MAX_BATCH);
    if (zki_prove_test_seam && zki_prove_test_seam->skip_input_check)
        return ZKI_OK;
    int64_t lim = (int64_t)1 << (a->in_bits - 1);
    for (uint64_t i = 0; i < (uint64_t)B * zki_dag_in_len(a); i++)
        if (X[i] < -lim || X[i] >= lim)
            return zki_fail(ZKI_ERR_INPUT, "input element %llu = %lld outside the %u-bit range",
                            (unsigned long long)i, (long long)X[i], a->in_bits);
    zki_status st = zki_walk_input_check(a, priv ? NULL : X, B);
    return st ? zki_fail_ctx(st, "prove") : ZKI_OK;
}

/* The public output [B][out_len], dense: a final map is gathered from its
 * padded layout. */
static void output_of(const zki_dag *a, const zki_witness *W, uint32_t B, int64_t *y)
{
    uint32_t L = a->n_nodes, c, h, w;
    uint64_t n = zki_dag_out_len(a);
    if (zki_dag_out_map(&a->nodes[L - 1], &c, &h, &w)) {
        zki_map_gather(y, W->t[L], B, c, h, w);
        return;
    }
    for (uint64_t b = 0; b < B; b++)
        memcpy(y + b * n, W->t[L] + b * W->ld[L], sizeof(int64_t) * n);
}

zki_status zki_mlp_forward(const zki_pk *pk, const int64_t *X, uint32_t B, int64_t **y)
{
    const zki_dag *a = &pk->vk.dag;
    zki_status st = check_input(a, X, B, 0);
    if (st)
        return st;
    zki_witness W;
    zki_walk w;
    memset(&w, 0, sizeof(w));
    w.vk = &pk->vk, w.d = a, w.B = B, w.wts = pk->w, w.bias = pk->bias, w.W = &W, w.w_bits = pack_bits(pk);
    zki_proof_stats stt;
    memset(&stt, 0, sizeof(stt));
    st = forward(&w, pk, X, &stt);
    *y = st ? NULL : malloc(sizeof(int64_t) * B * zki_dag_out_len(a));
    if (!st && !*y)
        st = zki_fail(ZKI_ERR_NOMEM, "forward");
    if (!st)
        output_of(a, &W, B, *y);
    witness_free(&W, a->n_nodes);
    return st;
}

static void progress(const zki_prove_opts *o, const char *stage, uint32_t done, uint32_t total)
{
    if (o && o->progress)
        o->progress(o->progress_ctx, stage, done, total);
}

/* The advice table: every node's segments, the lookups' multiplicities,
 * the private input and output (malloc'ed into *out). */
static zki_status advice_table(zki_walk *w, int32_t **out)
{
    const zki_advice_layout *lay = w->lay;
    int32_t *adv = calloc(lay->pack.total, sizeof(int32_t));
    if (!adv)
        return zki_fail(ZKI_ERR_NOMEM, "prove: advice of %llu entries", (unsigned long long)lay->pack.total);
    *out = adv;
    zki_status st = ZKI_OK;
    for (uint32_t j = 0; !st && j < w->d->n_nodes; j++)
        st = zki_gadget_of(w->d->nodes[j].kind)->advice(w, j, adv);
    for (uint32_t j = 0; !st && j < w->ml->n; j++) {
        const zki_fe *m;
        size_t ml;
        uint32_t seg = lay->seg_of[lay->m_id[j]];
        if ((st = zki_lookup_multiplicities(w->ml->lk[j], &m, &ml)))
            break;
        if (ml != (size_t)1 << lay->nv[seg])
            return zki_fail(ZKI_ERR_INPUT, "prove: lookup %u has %zu multiplicities, layout says 2^%zu", j, ml,
                            lay->nv[seg]);
        int32_t *dst = adv + lay->pack.off[seg];
        int big = 0;
#pragma omp parallel for schedule(static) reduction(| : big) if (ml >= 65536)
        for (size_t i = 0; i < ml; i++) {
            big |= m[i] >= ((uint64_t)1 << 31);
            dst[i] = (int32_t)m[i];
        }
        if (big)
            return zki_fail(ZKI_ERR_INPUT, "prove: a lookup multiplicity exceeds 2^31");
    }
    if (!st && w->priv)
        zki_put_i32(adv + lay->pack.off[lay->x0], w->W->t[0], (size_t)w->B << zki_walk_log_len(w->d, 0));
    if (!st && lay->out_seg != ZKI_NONE) { /* the output in its padded layout (a requant's y, a pool's P again) */
        uint32_t L = w->d->n_nodes;
        if (w->W->ld[L] != (uint64_t)1 << zki_walk_log_len(w->d, L))
            return zki_fail(ZKI_ERR_INPUT, "prove: the output's rows have %llu entries, its layout 2^%zu",
                            (unsigned long long)w->W->ld[L], zki_walk_log_len(w->d, L));
        zki_put_i32(adv + lay->pack.off[lay->out_seg], w->W->t[L], (size_t)w->B << zki_walk_log_len(w->d, L));
    }
    if (!st && lay->gen_d != ZKI_NONE)
        zki_put_i32(adv + lay->pack.off[lay->seg_of[lay->gen_d]], w->gen_D,
                    (size_t)1 << zki_walk_log_len(w->d, w->d->n_nodes));
    return st;
}

/* Commits the advice; the proof carries the commitment through its byte
 * format. */
static zki_status commit_advice(const zki_pk *pk, const zki_advice_layout *lay, int32_t *adv,
                                const zki_prove_opts *opts, zki_pcs_prover **apcs, zki_proof *pf)
{
    zki_pcs_vec avec = {ZKI_PCS_I32, adv, lay->pack.total};
    zki_pcs_params pp;
    zki_key_pcs_params(&pk->vk, 1, lay->pack.total, &pp);
    if (zki_prove_test_advice_pcs)
        pp = *zki_prove_test_advice_pcs;
    pp.seed = opts ? opts->advice_seed : NULL;
    zki_status st = zki_pcs_commit(apcs, &pp, &avec, 1);
    uint8_t *cb = NULL;
    size_t cl;
    if (!st)
        st = zki_pcs_commitment_to_bytes(zki_pcs_prover_commitment(*apcs), &cb, &cl);
    if (!st)
        st = zki_pcs_commitment_from_bytes(&pf->acom, cb, cl);
    free(cb);
    return st;
}

int zki_prove_plain = 0;

/* The final argument. A test seam's cheating witness (or advice
 * commitment, or false claims) is carried to the verifier, which must reject it: the replay
 * records the constraints it violates instead of stopping there, the final
 * argument is made on the false witness, and when the replay stops at a
 * check on public values (one the verifier makes the same way) the proof
 * goes out without its final argument. */
static zki_status finish_zk(zki_zk_prover_session *zs, zki_pk *pk, const int64_t *X, uint32_t B, zki_proof *pf)
{
    int carry = zki_prove_test_seam || zki_prove_test_advice_pcs || zki_sumcheck_test_false_claims;
    int was = zki_zk_test_false, lg_was = zki_ligero_test_false;
    zki_zk_test_false = was || carry;
    zki_ligero_test_false = lg_was || carry;
    zki_status st = zki_zk_prover_finish(zs, &pk->vk, X, B, pf);
    zki_zk_test_false = was;
    zki_ligero_test_false = lg_was;
    if (st == ZKI_ERR_VERIFY && carry) {
        zki_clear_error();
        st = ZKI_OK;
    }
    return st;
}

zki_status zki_prove(zki_pk *pk, const int64_t *X, uint32_t B, const zki_prove_opts *opts, zki_proof *pf,
                     zki_proof_stats *stats)
{
    memset(pf, 0, sizeof(*pf));
    zki_proof_stats stt;
    memset(&stt, 0, sizeof(stt));
    uint32_t gen_p = opts ? opts->gen_prompt : 0, gen_n = opts ? opts->gen_new : 0;
    zki_dag dv;
    zki_argmax_view(&pk->vk.dag, gen_n > 0, &dv);
    const zki_dag *a = &dv;
    uint32_t L = a->n_nodes;
    int pflags = opts ? opts->private_input & (ZKI_PRIV_INPUT | ZKI_PRIV_OUTPUT) : 0;
    int priv = (pflags & ZKI_PRIV_INPUT) != 0, priv_out = (pflags & ZKI_PRIV_OUTPUT) != 0;
    zki_status st = check_input(a, X, B, priv);
    if (!st && gen_n && (B != 1 || priv))
        st = zki_fail(ZKI_ERR_INPUT, "prove: a generation proof is for one public sequence");
    if (!st && gen_n && priv_out)
        st = zki_fail(ZKI_ERR_INPUT, "prove: a generation proof already hides the logits (only the generated ids "
                      "are public): drop the private output");
    uint32_t gen_T, gen_V;
    if (!st && gen_n)
        st = zki_argmax_span_check(a, gen_p, gen_n, &gen_T, &gen_V);
    if (!st && !zki_prove_plain) /* the key's zero-knowledge budget (setup.h) */
        st = zki_pk_zk_budget_check(pk);
    if (st)
        return st;
    double t0 = now_s(), t1;
    int64_t *gen_D = NULL;
    zki_witness W;
    memset(&W, 0, sizeof(W));
    zki_advice_layout lay;
    memset(&lay, 0, sizeof(lay));
    zki_model_lookups mlk = {0};
    int32_t *adv = NULL;
    zki_seg_claims cw = {0}, ca = {0};
    zki_pcs_prover *apcs = NULL;
    zki_transcript ts = {0};
    zki_zk_prover_session *zs = NULL;
    zki_ledger led;
    zki_ledger_init(&led);
    zki_walk w = {&pk->vk, a, B, priv, &lay, &mlk, &ts, &led, &cw, &ca, pk->w, pk->bias, &W, pack_bits(pk), NULL, 0, 0,
                  priv ? NULL : X, NULL};
    pf->n_nodes = L;
    pf->B = B;
    pf->private_input = (uint32_t)priv;
    pf->private_output = (uint32_t)priv_out;
    pf->vk_hash = pk->vk.vk_hash;
    pf->out_n = gen_n || priv_out ? 0 : (uint32_t)zki_dag_out_len(a);
    pf->gen_p = gen_p;
    pf->gen_n = gen_n;
    pf->node = calloc(L, sizeof(zki_node_proof));
    pf->output = malloc(sizeof(int64_t) * (B * pf->out_n + 1));
    pf->gen_ids = gen_n ? malloc(sizeof(int64_t) * gen_n) : NULL;
    if (!pf->node || !pf->output || (gen_n && !pf->gen_ids)) {
        st = zki_fail(ZKI_ERR_NOMEM, "prove: proof");
        goto out;
    }
    if ((!priv && (st = zki_input_digest(X, B, zki_dag_in_len(a), &pf->in_digest))) || (st = forward(&w, pk, X, &stt)) ||
        (st = zki_advice_layout_init(&lay, a, B, pflags)))
        goto out;
    if (gen_n) { /* the margins before the sites read them */
        memcpy(pf->gen_ids, X + gen_p, sizeof(int64_t) * gen_n);
        if ((st = zki_argmax_margins(a, W.t[zki_argmax_tensor(a)], X, gen_p, gen_n,
                                     zki_prove_test_seam ? zki_prove_test_seam->any_argmax : 0, &gen_D)))
            goto out;
        w.gen_D = gen_D;
    } else if (!priv_out) {
        output_of(a, &W, B, pf->output);
    }
    /* lookup instances and their sites; multiplicities */
    if ((st = zki_model_lookups_init(&mlk, a, &lay)) || (st = zki_walk_sites(&w, W.t[0])))
        goto out;
    for (uint32_t j = 0; zki_prove_test_seam && j < mlk.n; j++)
        zki_lookup_set_cols_mode(mlk.lk[j], (zki_lk_cols_mode)zki_prove_test_seam->field_columns);
    pf->n_lookups = mlk.n;
    if (!(pf->lk = calloc(mlk.n, sizeof(zki_lookup_proof)))) {
        st = zki_fail(ZKI_ERR_NOMEM, "prove: lookups");
        goto out;
    }
    t1 = now_s();
    stt.witness_s = t1 - t0;
    progress(opts, "witness", 1, 1);
    if ((st = advice_table(&w, &adv)) || (st = commit_advice(pk, &lay, adv, opts, &apcs, pf)))
        goto out;
    /* blocks the scratch pool kept from the setup and the commitment
     * (encoding buffers) fit nothing ahead: the lookups' larger buffers
     * would be fresh pages on top of them at the proof's peak */
    zki_scratch_trim();
    t0 = now_s();
    stt.commit_s = t0 - t1;
    progress(opts, "advice commitment", 1, 1);

    if ((st = gen_n ? zki_statement_bind_gen(&ts, &pk->vk, X, gen_p, gen_n, &pf->acom)
                    : zki_statement_bind(&ts, &pk->vk, B, pflags, X, priv_out ? NULL : pf->output, &pf->acom)))
        goto out;
    if (!zki_prove_plain) { /* from here every private value goes out padded */
        zki_zk *zctx;
        if ((st = zki_zk_prover_begin(&zs, &pk->vk, pf, opts ? opts->advice_seed : NULL, &zctx)))
            goto out;
        zki_ts_absorb_u64(&ts, "zk", 1);
        uint64_t first;
        zki_zk_lengths(a, B, &mlk, NULL, &first);
        zki_zk_set_first_len(zctx, first);
        ts.zk = zctx;
    }
    /* one work block for every instance, of the largest one's size */
    {
        size_t wb = 0, b;
        for (uint32_t j = 0; !st && j < mlk.n; j++)
            if (!(st = zki_lookup_work_bytes(mlk.lk[j], &b)) && b > wb)
                wb = b;
        void *work = st || !mlk.n ? NULL : zki_scratch_alloc(wb);
        if (!st && mlk.n && !work)
            st = zki_fail(ZKI_ERR_NOMEM, "prove: lookup work space (%zu bytes)", wb);
        for (uint32_t j = 0; !st && j < mlk.n; j++)
            st = zki_lookup_prove_in(mlk.lk[j], &ts, &pf->lk[j], &led, work);
        zki_scratch_free(work);
        /* the pool would keep the block, which nothing after fits: it
         * would sit under the opening's peak */
        zki_scratch_trim();
        if (st)
            goto out;
    }
    t1 = now_s();
    stt.lookups_s = t1 - t0;
    progress(opts, "lookups", 1, 1);
    if (gen_n && (st = zki_argmax_prove(&w, W.t[zki_argmax_tensor(a)], gen_D, gen_p, gen_n, &pf->gen_sc,
                                        &pf->gen_d, &pf->gen_y)))
        goto out;
    if (gen_n)
        stt.argmax_s = now_s() - t1;
    /* the backward walk: every claim on a node's tensors exists before the
     * node is proven */
    for (uint32_t j = L; j-- > 0;) {
        const zki_gadget *g = zki_gadget_of(a->nodes[j].kind);
        zki_node_shape sh;
        double tn = now_s();
        if ((st = g->prove(&w, j, &pf->node[j])) || (st = g->shape(a, j, B, &sh)))
            goto out;
        stt.kind_prove_s[a->nodes[j].kind] += now_s() - tn;
        pf->node[j].has_red = (uint32_t)sh.has_red;
        pf->node[j].n_sc = sh.n_sc;
        progress(opts, "layer", L - j, L);
    }
    /* every other ledger claim is on committed advice (the public input's
     * and output's are evaluated by the verifier) */
    for (size_t i = 0; i < led.n; i++) {
        uint32_t seg = lay.seg_of[led.items[i].tensor];
        if (seg != ZKI_NONE && (st = zki_seg_claims_add(&ca, seg, led.items[i].point, led.items[i].value)))
            goto out;
    }
    t1 = now_s();
    stt.gadgets_s = t1 - t0;
    /* the opening reads the packed tables only: the witness (GPT-2: GBs)
     * would sit under its peak */
    witness_free(&W, L);
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
    if (zs) { /* the verifier's checks on the padded values, proven */
        if ((st = zki_zk_ok(ts.zk)) || (st = finish_zk(zs, pk, priv ? NULL : X, B, pf)))
            goto out;
        stt.zk_s = now_s() - t0;
        pk->zk_proofs_made++; /* one more of the key's budget spent */
        progress(opts, "zero knowledge", 1, 1);
    }
out:
    free(adv);
    free(gen_D);
    zki_walk_free(&w);
    zki_seg_claims_free(&cw);
    zki_seg_claims_free(&ca);
    zki_model_lookups_free(&mlk);
    zki_ledger_free(&led);
    zki_pcs_prover_free(apcs);
    zki_advice_layout_free(&lay);
    witness_free(&W, L);
    if (ts.h)
        zki_ts_free(&ts);
    zki_zk_prover_session_free(zs);
    if (st)
        zki_proof_free(pf);
    stt.total_s = stt.witness_s + stt.commit_s + stt.gadgets_s + stt.open_s + stt.zk_s;
    if (!st)
        pf->stats = stt;
    if (stats)
        *stats = stt;
    return st;
}
