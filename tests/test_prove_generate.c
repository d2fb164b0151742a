/* Greedy generation, proven (protocol/argmax.h), on the small GPT trained
 * here (tests/data/gpt_small.onnx: byte ids [1, 32] in, logits [1, 32, 86]
 * out) and the tiny GPT-2 (tests/data/gpt_tiny.onnx).
 *
 * (a) margins: zki_argmax_margins on made-up logits accepts exactly the
 *     first index of each checked row's largest value (a later tied index,
 *     a smaller value are refused, naming the position), and is 0 outside
 *     the checked rows; in the output's rows and in the head's map that a
 *     generation view reads when it skips the last move (argmax.h);
 * (b) honest (gpt_small with int8 and with int16 activations, gpt_tiny
 *     reading the head's map, and gpt_tiny again in the row layout):
 *     zki_generate's ids are the greedy continuation the integer
 *     executor (quant/qexec, not the prover's forward pass) gives, one
 *     token at a time; the proof verifies against the prompt, also after a
 *     round trip through its bytes; it carries no logits;
 * (c) statement: another prompt, changed generated ids (with the input
 *     digest recomputed, so the transcript is what catches them), another
 *     prompt length, a plain verify of the same sequence's proof bytes
 *     read as a plain proof are rejected;
 * (d) mutations: every byte of the argmax section (D(r), the sum-check,
 *     Y(rho)) and 40 random bytes elsewhere are rejected;
 * (e) a cheating prover through the seam: a next token that is not the
 *     argmax (the second largest logit), proven with the margins it
 *     implies (negative, let into the lookups) or with those margins made
 *     0 (in range, a false argmax sum-check let out), is rejected;
 * (f) refusals: a prompt + new tokens beyond T, a prompt id outside the
 *     vocabulary, a model that is not a token model (a CNN), a key with a
 *     rank-0 input or output loaded without a crash;
 * (g) a conv kernel of 64 positions committed as one weight segment (the
 *     LayerNorm sums): honest, every value and sum-check message of its
 *     node proof changed, a weight changed in the prover's copy only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "protocol/argmax.h"
#include "protocol/bytes.h"
#include "protocol/wlayout.h"
#include "sumcheck/sumcheck.h"
#include "test.h"
#include "test_prove_util.h"
#include "test_attack_util.h"
#include "test_node_attack.h"
#include "prover/seam.h"

/* The model quantised on its calibration windows (act_bits 8 or 16), one
 * window's ids. */
static zki_qmodel *load_lm_bits(const char *name, int act_bits, int64_t **ids)
{
    char onnx[64], calib[64];
    snprintf(onnx, sizeof onnx, "%s.onnx", name);
    snprintf(calib, sizeof calib, "%s_calib.npy", name);
    zki_graph *gr = NULL;
    zki_host_tensor *cal = NULL;
    zki_qmodel *m = NULL;
    int ncal = 0;
    zki_quant_opts o;
    zki_quant_opts_default(&o);
    o.act_bits = act_bits;
    *ids = NULL;
    if (zki_onnx_load_file(tdata(onnx), &gr) != ZKI_OK || zki_calib_load(gr, tdata(calib), &cal, &ncal) != ZKI_OK ||
        zki_quantize(gr, cal, ncal, &o, &m) != ZKI_OK || zki_quant_input(m, 0, &cal[ncal - 1], ids) != ZKI_OK)
        CHECK_MSG(0, "%s: %s", name, zki_last_error());
    zki_samples_free(cal, ncal);
    zki_graph_free(gr);
    return m;
}

static zki_qmodel *load_lm(const char *name, int64_t **ids) { return load_lm_bits(name, 8, ids); }

/* The executor's greedy continuation: n_new runs of the whole sequence. */
static void greedy_by_executor(const zki_qmodel *m, const int64_t *prompt, uint32_t p_len, uint32_t n_new, uint32_t T,
                               uint32_t V, int64_t *seq)
{
    memset(seq, 0, sizeof(int64_t) * T);
    memcpy(seq, prompt, sizeof(int64_t) * p_len);
    for (uint32_t k = 0; k < n_new; k++) {
        int64_t **vals = NULL;
        int64_t *in[1] = {seq};
        if (zki_qexec(m, in, &vals) != ZKI_OK) {
            CHECK_MSG(0, "executor: %s", zki_last_error());
            return;
        }
        const int64_t *row = vals[m->outputs[0]] + (uint64_t)(p_len + k - 1) * V;
        uint32_t best = 0;
        for (uint32_t j = 1; j < V; j++)
            if (row[j] > row[best])
                best = j;
        seq[p_len + k] = best;
        zki_qexec_free(m, vals);
    }
}

/* (a), in the head's map layout j 2^lt + t (a generation view whose
 * last move is skipped) */
static void test_margins_map(const zki_dag *key, uint32_t T, uint32_t V)
{
    zki_dag d;
    zki_argmax_view(key, 1, &d);
    CHECK_MSG(d.gen_skip == 1, "the LM's last node is not seen as the head's transpose");
    size_t lt = zki_log2_ceil(T), len = (size_t)1 << zki_walk_log_len(&d, zki_argmax_tensor(&d));
    CHECK(zki_argmax_tensor(&d) == key->nodes[key->n_nodes - 1].in[0] && len >= ((size_t)V << lt));
    int64_t *Y = calloc(len, sizeof(int64_t)), *x = calloc(T, sizeof(int64_t)), *D = NULL;
    for (uint32_t t = 0; t < T; t++)
        for (uint32_t j = 0; j < V; j++)
            Y[((size_t)j << lt) + t] = (int64_t)((t * 5 + j * 11) % 40) - 20;
    Y[((size_t)7 << lt) + 1] = Y[((size_t)3 << lt) + 1] = 30; /* row 1: a tie at 3 and 7 */
    x[2] = 3;
    CHECK_MSG(zki_argmax_margins(&d, Y, x, 2, 1, 0, &D) == ZKI_OK, "map margins: %s", zki_last_error());
    int ok = D != NULL;
    for (size_t i = 0; ok && i < len; i++) {
        uint64_t t = i & ((1u << lt) - 1), j = i >> lt;
        int64_t want = t == 1 && j < V ? 30 - Y[i] - (j < 3) : 0;
        ok = D[i] == want;
    }
    CHECK_MSG(ok, "map margins: D is not the first argmax's differences at j 2^lt + t");
    free(D);
    D = NULL;
    x[2] = 7; /* the later of the tie */
    CHECK(zki_argmax_margins(&d, Y, x, 2, 1, 0, &D) == ZKI_ERR_INPUT && !D);
    free(Y);
    free(x);
}

/* (a) */
static void test_margins(const zki_dag *d, uint32_t T, uint32_t V)
{
    size_t len = (size_t)1 << zki_walk_log_len(d, d->n_nodes);
    int64_t *Y = calloc(len, sizeof(int64_t)), *x = calloc(T, sizeof(int64_t)), *D = NULL;
    for (uint32_t t = 0; t < T; t++)
        for (uint32_t j = 0; j < V; j++)
            Y[t * V + j] = (int64_t)((t * 7 + j * 13) % 50) - 25;
    /* row 2: the largest value 40 at 5 and 9 (a tie), row 3's at 0 */
    Y[2 * V + 5] = Y[2 * V + 9] = 40;
    Y[3 * V + 0] = 41;
    x[3] = 5, x[4] = 0;
    CHECK_MSG(zki_argmax_margins(d, Y, x, 3, 2, 0, &D) == ZKI_OK, "margins: %s", zki_last_error());
    int ok = D != NULL;
    for (size_t i = 0; ok && i < len; i++) {
        uint64_t t = i / V, j = i % V;
        int64_t want = (t == 2 || t == 3) && i < (size_t)T * V ? Y[t * V + x[t + 1]] - Y[i] - (j < (uint64_t)x[t + 1]) : 0;
        ok = D[i] == want && D[i] >= 0;
    }
    CHECK_MSG(ok, "margins: D is not the first argmax's differences");
    free(D);
    D = NULL;
    x[3] = 9; /* the later of two tied maxima */
    CHECK(zki_argmax_margins(d, Y, x, 3, 2, 0, &D) == ZKI_ERR_INPUT && !D);
    CHECK_MSG(strstr(zki_last_error(), "position 3"), "tie: %s", zki_last_error());
    x[3] = 4; /* not a maximum */
    CHECK(zki_argmax_margins(d, Y, x, 3, 2, 0, &D) == ZKI_ERR_INPUT && !D);
    x[3] = 5, x[4] = (int64_t)V; /* outside the logits */
    CHECK(zki_argmax_margins(d, Y, x, 3, 2, 0, &D) == ZKI_ERR_INPUT && !D);
    CHECK(zki_argmax_margins(d, Y, x, 0, 2, 0, &D) == ZKI_ERR_INPUT && !D);
    CHECK(zki_argmax_margins(d, Y, x, T - 1, 2, 0, &D) == ZKI_ERR_INPUT && !D);
    free(Y);
    free(x);
}

static zki_status gen_verify_bytes(const zki_pk *pk, const uint8_t *b, size_t n, const int64_t *prompt, uint32_t p_len)
{
    zki_proof pf;
    zki_status st = zki_proof_from_bytes(&pk->vk, &pf, b, n);
    if (st)
        return st;
    st = zki_verify_generation(&pk->vk, prompt, p_len, &pf);
    zki_proof_free(&pf);
    return st;
}

/* Offset of the argmax section: after the header, the advice commitment
 * and the lookups (proof.h). */
static size_t argmax_at(const uint8_t *b, size_t n, uint32_t n_gen)
{
    zki_rbuf r = {b, n, 84 + 8 + 8 * (size_t)n_gen + 8};
    uint32_t len = 0, nl = 0;
    if (!zki_rb_u32(&r, &len))
        return 0;
    r.pos += len;
    if (!zki_rb_u32(&r, &nl))
        return 0;
    for (uint32_t i = 0; i < nl; i++) {
        if (!zki_rb_u32(&r, &len))
            return 0;
        r.pos += len;
    }
    return r.pos;
}

static void test_lm(zki_rng *g, const char *name, int act_bits, uint32_t p_len, uint32_t n_new, int mutations)
{
    int64_t *win = NULL;
    zki_qmodel *m = load_lm_bits(name, act_bits, &win);
    zki_pk *pk = NULL;
    if (!m || !win || zki_setup(m, atk_seed_w, &pk) != ZKI_OK) {
        CHECK_MSG(0, "%s: %s", name, zki_last_error());
        goto out0;
    }
    const zki_dag *d = &pk->vk.dag;
    uint32_t T = 0, V = 0;
    CHECK_MSG(zki_argmax_model_check(d, &T, &V) == ZKI_OK, "%s: %s", name, zki_last_error());
    if (!T)
        goto out0;
    if (mutations) {
        test_margins(d, T, V);
        if (!zki_argmax_test_rows)
            test_margins_map(d, T, V);
    }
    int64_t *seq = calloc(T, sizeof(int64_t));
    greedy_by_executor(m, win, p_len, n_new, T, V, seq);
    zki_proof *pf = NULL;
    zki_status st = zki_generate(pk, win, p_len, n_new, NULL, NULL, &pf);
    CHECK_MSG(st == ZKI_OK, "%s: generate: %s", name, zki_last_error());
    if (st)
        goto out1;
    const int64_t *gen = NULL;
    uint32_t ng = 0, np = 0;
    CHECK(zki_proof_generated(pf, &gen, &ng, &np) == ZKI_OK && ng == n_new && np == p_len);
    CHECK_MSG(!memcmp(gen, seq + p_len, sizeof(int64_t) * n_new), "%s: the proven ids are not the executor's greedy "
              "continuation", name);
    printf("%s: generated", name);
    for (uint32_t i = 0; i < ng; i++)
        printf(" %lld", (long long)gen[i]);
    printf("\n");
    CHECK(pf->out_n == 0 && pf->gen_p == p_len);
    CHECK_MSG(zki_verify_generation(&pk->vk, win, p_len, pf) == ZKI_OK, "%s: verify: %s", name, zki_last_error());
    uint8_t *b = NULL;
    size_t n = 0;
    if (zki_proof_to_bytes(pf, &b, &n) != ZKI_OK) {
        CHECK(0);
        goto out2;
    }
    CHECK_MSG(gen_verify_bytes(pk, b, n, win, p_len) == ZKI_OK, "%s: parsed proof: %s", name, zki_last_error());
    /* (c) another prompt */
    int64_t other[64];
    memcpy(other, win, sizeof(int64_t) * p_len);
    other[p_len - 1] = (other[p_len - 1] + 1) % V;
    zki_status ost = gen_verify_bytes(pk, b, n, other, p_len);
    CHECK_MSG(ost == ZKI_ERR_VERIFY, "%s: another prompt: %d %s", name, ost, zki_last_error());
    CHECK(zki_verify_generation(&pk->vk, win, p_len - 1, pf) == ZKI_ERR_VERIFY);
    {
        /* changed ids with the digest of the changed sequence: the
         * transcript (then the argmax) must refuse it */
        int64_t keep = pf->gen_ids[3];
        pf->gen_ids[3] = (keep + 1) % V;
        int64_t *x = calloc(T, sizeof(int64_t));
        memcpy(x, win, sizeof(int64_t) * p_len);
        memcpy(x + p_len, pf->gen_ids, sizeof(int64_t) * n_new);
        zki_digest dg = pf->in_digest;
        CHECK(zki_input_digest(x, 1, T, &pf->in_digest) == ZKI_OK);
        CHECK_MSG(zki_verify_generation(&pk->vk, win, p_len, pf) == ZKI_ERR_VERIFY, "%s: a changed id verified",
                  name);
        pf->gen_ids[3] = keep;
        pf->in_digest = dg;
        /* the same sequence verified as a plain proof's input; the API's
         * plain verify refuses a generation proof (it has no output) */
        CHECK(zki_verify(&pk->vk, x, 1, pf) == ZKI_ERR_VERIFY);
        memcpy(x + p_len, pf->gen_ids, sizeof(int64_t) * n_new);
        CHECK(zki_verify_int(&pk->vk, x, 1, pf) == ZKI_ERR_INPUT);
        free(x);
    }
    if (mutations) {
        /* (d) the argmax section byte by byte, 40 bytes elsewhere */
        zki_dag dv;
        zki_argmax_view(d, 1, &dv);
        size_t nv = zki_walk_log_len(&dv, zki_argmax_tensor(&dv));
        size_t at = argmax_at(b, n, n_new), sc_len = 16 + 8 + 16 * 2 * nv + 16;
        int bad = 0, tried = 0;
        for (size_t i = at; at && i < at + sc_len && i < n; i++) {
            uint8_t o = b[i];
            b[i] ^= (uint8_t)(1 + zki_rng_below(g, 255));
            tried++;
            bad += gen_verify_bytes(pk, b, n, win, p_len) == ZKI_OK;
            b[i] = o;
        }
        for (int k = 0; k < 40; k++) {
            size_t i = zki_rng_below(g, n);
            uint8_t o = b[i];
            b[i] ^= (uint8_t)(1 + zki_rng_below(g, 255));
            tried++;
            bad += gen_verify_bytes(pk, b, n, win, p_len) == ZKI_OK;
            b[i] = o;
        }
        printf("%s: %d byte changes (the argmax section from byte %zu), %d accepted\n", name, tried, at, bad);
        CHECK(at > 0 && tried > 40 && bad == 0);
        CHECK(gen_verify_bytes(pk, b, n, win, p_len) == ZKI_OK);
    }
out2:
    free(b);
out1:
    zki_proof_destroy(pf);
    free(seq);
out0:
    zki_pk_free(pk);
    zki_qmodel_free(m);
    free(win);
}

/* (e) the second largest logit as the first new token. */
static void test_cheat(void)
{
    const uint32_t p_len = 6; /* the prompt */
    int64_t *win = NULL;
    zki_qmodel *m = load_lm("gpt_small", &win);
    zki_pk *pk = NULL, *pk2 = NULL, *pk3 = NULL;
    if (!m || !win || zki_setup(m, atk_seed_w, &pk) != ZKI_OK || zki_setup(m, atk_seed_w, &pk2) != ZKI_OK ||
        zki_setup(m, atk_seed_w, &pk3) != ZKI_OK) {
        CHECK(0);
        goto out;
    }
    const zki_dag *d = &pk->vk.dag;
    uint32_t T = 0, V = 0;
    CHECK(zki_argmax_model_check(d, &T, &V) == ZKI_OK);
    int64_t *x = calloc(T, sizeof(int64_t)), *y = NULL;
    memcpy(x, win, sizeof(int64_t) * p_len);
    if (zki_mlp_forward(pk, x, 1, &y) == ZKI_OK) {
        const int64_t *row = y + (uint64_t)(p_len - 1) * V;
        uint32_t best = 0, second = 1;
        for (uint32_t j = 0; j < V; j++)
            if (row[j] > row[best])
                best = j;
        second = best ? 0 : 1;
        for (uint32_t j = 0; j < V; j++)
            if (j != best && row[j] > row[second])
                second = j;
        x[p_len] = second;
        printf("cheat: token %u (logit %lld) instead of %u (logit %lld)\n", second, (long long)row[second], best,
               (long long)row[best]);
        zki_prove_opts o = {0, atk_seed_a, NULL, NULL, p_len, 1};
        zki_proof pf;
        /* the honest prover refuses it, naming the position */
        CHECK(zki_prove(pk2, x, 1, &o, &pf, NULL) == ZKI_ERR_INPUT);
        CHECK_MSG(strstr(zki_last_error(), "not the first largest"), "cheat: %s", zki_last_error());
        /* the margins it implies (negative: out of the range lookup), or
         * in range but not the logits' (a false argmax sum-check) */
        zki_pk *keys[2] = {pk, pk3};
        for (int mode = 1; mode <= 2; mode++) {
            zki_prove_seam seam = {0, ZKI_LK_COLS_FIELD_UNCHECKED, NULL, NULL, mode};
            zki_prove_test_seam = &seam;
            zki_sumcheck_test_false_claims = mode == 2;
            zki_status st = zki_prove(keys[mode - 1], x, 1, &o, &pf, NULL);
            zki_prove_test_seam = NULL;
            zki_sumcheck_test_false_claims = 0;
            CHECK_MSG(st == ZKI_OK, "cheat %d: the seam's proof did not come out: %s", mode, zki_last_error());
            if (st)
                continue;
            zki_status vs = zki_verify_generation(&pk->vk, win, p_len, &pf);
            printf("cheat %d: verifier says: %s\n", mode, vs ? zki_last_error() : "OK");
            CHECK_MSG(vs == ZKI_ERR_VERIFY, "cheat %d: a token that is not the argmax verified", mode);
            /* a plain proof names the argmax; a zero-knowledge one carries
             * the false sum to the final argument */
            CHECK(mode == 1 || strstr(zki_last_error(), "argmax") || strstr(zki_last_error(), "final argument"));
            zki_proof_free(&pf);
        }
    } else {
        CHECK_MSG(0, "cheat: %s", zki_last_error());
    }
    free(y);
    free(x);
out:
    zki_pk_free(pk);
    zki_pk_free(pk2);
    zki_pk_free(pk3);
    zki_qmodel_free(m);
    free(win);
}

/* (f) */
static void test_refusals(void)
{
    int64_t *win = NULL;
    zki_qmodel *m = load_lm("gpt_small", &win);
    zki_pk *pk = NULL;
    zki_proof *pf = NULL;
    if (m && win && zki_setup(m, atk_seed_w, &pk) == ZKI_OK) {
        uint32_t T = (uint32_t)zki_dag_in_len(&pk->vk.dag);
        CHECK(zki_generate(pk, win, T - 3, 4, NULL, NULL, &pf) == ZKI_ERR_INPUT && !pf);
        CHECK_MSG(strstr(zki_last_error(), "do not fit"), "span: %s", zki_last_error());
        CHECK(zki_generate(pk, win, 4, 0, NULL, NULL, &pf) == ZKI_ERR_INPUT && !pf);
        win[1] = 1000;
        CHECK(zki_generate(pk, win, 4, 2, NULL, NULL, &pf) == ZKI_ERR_INPUT && !pf);
        CHECK_MSG(strstr(zki_last_error(), "outside the vocabulary"), "id: %s", zki_last_error());
    } else {
        CHECK(0);
    }
    zki_pk_free(pk);
    zki_qmodel_free(m);
    free(win);
    int64_t *X = NULL;
    pk = NULL;
    m = load_fixture("resnet_tiny.onnx", "resnet_tiny_calib.npy", &X);
    int64_t ids[2] = {0, 0};
    if (m && zki_setup(m, atk_seed_w, &pk) == ZKI_OK) {
        CHECK(zki_generate(pk, ids, 1, 1, NULL, NULL, &pf) == ZKI_ERR_UNSUPPORTED && !pf);
        CHECK_MSG(strstr(zki_last_error(), "token ids"), "cnn: %s", zki_last_error());
    } else {
        CHECK(0);
    }
    zki_pk_free(pk);
    zki_qmodel_free(m);
    free(X);
}

/* A key whose input or output has rank 0 (one element): loading it asks
 * whether generation proofs are possible (the cost bound), which once
 * read dims[rank - 1] before checking the rank (review finding). */
static void test_rank0_key(void)
{
    zki_rng g;
    zki_rng_seed(&g, 5);
    zki_qmodel *m = calloc(1, sizeof(*m));
    int64_t d[2] = {1, 1};
    int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 8, 2, d, 1.0 / 127);
    m->n_inputs = 1, m->inputs[0] = x;
    int64_t *X = NULL;
    int y = linear_row(m, &g, x, 1, 1, 0, "fc");
    m = finish_model(m, &g, y, &X);
    zki_pk *pk = NULL;
    if (!m || zki_setup(m, atk_seed_w, &pk) != ZKI_OK) {
        CHECK_MSG(0, "rank 0: setup: %s", zki_last_error());
        goto out;
    }
    for (int which = 0; which < 2; which++) {
        zki_vk v = pk->vk;
        if (which == 0)
            v.dag.in_rank = 0;
        else
            v.dag.out_rank = 0;
        uint8_t *b = NULL;
        size_t n = 0;
        zki_vk v2;
        memset(&v2, 0, sizeof v2);
        CHECK(zki_vk_to_bytes(&v, &b, &n) == ZKI_OK);
        zki_status st = b ? zki_vk_from_bytes(&v2, b, n) : ZKI_ERR_NOMEM;
        printf("rank-0 %s key: %s\n", which ? "output" : "input", st ? zki_last_error() : "loaded");
        CHECK(st == ZKI_OK || st == ZKI_ERR_INPUT);
        if (!st) {
            uint32_t T, V;
            CHECK(zki_argmax_model_check(&v2.dag, &T, &V) == ZKI_ERR_UNSUPPORTED);
            zki_vk_free(&v2);
        }
        free(b);
    }
out:
    zki_pk_free(pk);
    zki_qmodel_free(m);
    free(X);
}

/* (g) a conv kernel committed as one weight segment (wlayout.h): the
 * small GPT's LayerNorm sums have 64 positions. Honest plain proof; every
 * value and every sum-check message of that node's proof changed; the
 * prover's copy of one of its weights changed (the committed table left
 * as it was), which only the weight opening can catch. */
static void test_conv_segment(void)
{
    int64_t *win = NULL;
    zki_qmodel *m = load_lm("gpt_small", &win);
    zki_pk *pk = NULL, *pk2 = NULL;
    zki_proof pf, pf2;
    memset(&pf, 0, sizeof pf);
    memset(&pf2, 0, sizeof pf2);
    if (!m || !win || zki_setup(m, atk_seed_w, &pk) != ZKI_OK || zki_setup(m, atk_seed_w, &pk2) != ZKI_OK) {
        CHECK_MSG(0, "conv segment: %s", zki_last_error());
        goto out;
    }
    const zki_dag *d = &pk->vk.dag;
    uint32_t j = d->n_nodes;
    zki_conv_dims cd;
    for (uint32_t i = 0; i < d->n_nodes && j == d->n_nodes; i++)
        if (d->nodes[i].kind == ZKI_NODE_CONV && !zki_dag_conv_dims(&d->nodes[i], 1, &cd) &&
            zki_conv_one_segment(&cd))
            j = i;
    CHECK_MSG(j < d->n_nodes, "conv segment: no conv of %u taps or more in gpt_small", ZKI_CONV_ONE_SEGMENT_TAPS);
    if (j == d->n_nodes)
        goto out;
    CHECK(!zki_dag_conv_dims(&d->nodes[j], 1, &cd) &&
          pk->vk.wpack.nv[pk->vk.w_seg[j]] == cd.loc + cd.licl + cd.lkh + cd.lkw);
    CHECK_MSG(zki_prove(pk, win, 1, NULL, &pf, NULL) == ZKI_OK, "conv segment: prove: %s", zki_last_error());
    CHECK_MSG(zki_verify(&pk->vk, win, 1, &pf) == ZKI_OK, "conv segment: verify: %s", zki_last_error());
    zki_node_proof *np = &pf.node[j];
    int tried = 0, bad = 0;
    for (uint32_t i = 0; i < np->n_val; i++, tried++) {
        zki_ext keep = np->val[i];
        np->val[i] = zki_ext_add(keep, zki_ext_one());
        bad += zki_verify(&pk->vk, win, 1, &pf) != ZKI_ERR_VERIFY;
        np->val[i] = keep;
    }
    for (uint32_t k = 0; k < np->n_sc; k++)
        for (size_t i = 0; i < np->sc[k].nvars * np->sc[k].degree; i++, tried++) {
            zki_ext keep = np->sc[k].msgs[i];
            np->sc[k].msgs[i] = zki_ext_add(keep, zki_ext_one());
            bad += zki_verify(&pk->vk, win, 1, &pf) != ZKI_ERR_VERIFY;
            np->sc[k].msgs[i] = keep;
        }
    printf("conv segment: node %u (%llu taps, %u values): %d changes, %d not rejected\n", j,
           (unsigned long long)(cd.KH * cd.KW), np->n_val, tried, bad);
    CHECK(tried > 4 && bad == 0 && np->n_val == 4u + (cd.general ? 1u : 0u));
    /* a changed weight in the prover's copy (dense [OC][Cig][KH][KW]): the
     * tap at the kernel's middle of the first channel, one more */
    uint64_t at = (cd.KH * cd.KW) / 2;
    if (pk2->vk.w_type == ZKI_PCS_I8)
        ((int8_t *)pk2->w[j])[at] = (int8_t)(((int8_t *)pk2->w[j])[at] + (((int8_t *)pk2->w[j])[at] < 127 ? 1 : -1));
    else
        ((int16_t *)pk2->w[j])[at] = (int16_t)(((int16_t *)pk2->w[j])[at] + 1);
    /* the honest prover notices the false weight claim in the opening's
     * reductions and refuses: let it through, as a cheating prover would */
    zki_sumcheck_test_false_claims = 1;
    zki_status ps = zki_prove(pk2, win, 1, NULL, &pf2, NULL);
    zki_sumcheck_test_false_claims = 0;
    zki_status vs = ps ? ZKI_ERR_INPUT : zki_verify(&pk2->vk, win, 1, &pf2);
    printf("conv segment: a changed weight: prover %s, verifier %s\n", ps ? zki_last_error() : "made a proof",
           vs == ZKI_ERR_VERIFY ? zki_last_error() : "accepted");
    CHECK_MSG(ps == ZKI_OK && vs == ZKI_ERR_VERIFY, "conv segment: a changed weight was not caught by the opening");
out:
    zki_proof_free(&pf);
    zki_proof_free(&pf2);
    zki_pk_free(pk);
    zki_pk_free(pk2);
    zki_qmodel_free(m);
    free(win);
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 9001);
    test_lm(&g, "gpt_small", 8, 6, 10, 1);
    /* 16-bit activations (top-1 97.7 % against torch): the attention
     * products' quotients exceed 20 bits in the worst case, proven at the
     * table cap as an ADD's are */
    test_lm(&g, "gpt_small", 16, 6, 10, 0);
    test_lm(&g, "gpt_tiny", 8, 2, 6, 0);
    zki_argmax_test_rows = 1; /* the row layout, proven end to end */
    test_lm(&g, "gpt_tiny", 8, 2, 6, 1);
    zki_argmax_test_rows = 0;
    test_cheat();
    test_refusals();
    test_rank0_key();
    test_conv_segment();
    return TEST_SUMMARY();
}
