/* Attacks on the requant relation and the statement's input, by a prover
 * that follows the FIELD relations instead of the integer ones: the real
 * zki_prove through its test seam (prover/seam.h), with the input check
 * skipped, lookup columns read mod p, and a node hook that recomputes each
 * LINEAR node's accumulators in the field and its requant quotient from
 * the field relation (mal_node below):
 *  1. wrap-around: a legal model (zki_qmodel_check passes) whose quotient
 *     bound saturates the 2^20 quotient table; the proof's scaled relation
 *     M' acc + 2^(s'-1) = 2^s' q + r' (s' = 32 > s = 17) reaches 2^64, so a
 *     small q satisfies it mod p while the integer quotient is 2^32: a false
 *     output. Setup must refuse such a model (or the verifier reject).
 *  2. a public input outside the input's bit range, chosen so one product
 *     wraps mod p: the proof would show an output the integer model does
 *     not give for that input. The verifier must reject the input.
 *     Committed (private mode), the same input must fail its range lookups:
 *     the prover refuses it, and the proof forced out (lookups that leave
 *     the value uncounted) is rejected.
 *  3. control: the same prover on an honest in-range statement verifies
 *     (the harness is a faithful prover where nothing wraps). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/rng.h"
#include "poly/mle.h"
#include "prover/seam.h"
#include "random_mlp.h"
#include "quant/qmodel.h"
#include "test.h"
#include "test_prove_util.h"
#include "test_attack_util.h"
#include "verifier/verifier.h"

static const uint8_t seed_w[32] = {5, 5, 5};
static const uint8_t seed_a[32] = {6, 6, 6};

/* The seam's node hook: a LINEAR node's accumulators in the field
 * (centred), whatever the size of its input, and its requant witness from
 * the field relation. Replaces what the honest gadget computed (or refused:
 * its status is dropped). The test models are MLPs (LINEAR nodes only). */
static zki_status mal_node(void *ctx, const zki_pk *pk, uint32_t j, zki_witness *W, uint32_t B, zki_status st)
{
    const zki_dag_node *Ly = &pk->vk.dag.nodes[j];
    if (Ly->kind != ZKI_NODE_LINEAR)
        return zki_fail(ZKI_ERR_INPUT, "mal: node %u is not LINEAR", j);
    uint64_t kp = (uint64_t)1 << zki_log2_ceil(Ly->K), np = (uint64_t)1 << zki_log2_ceil(Ly->N);
    const int64_t *x = W->t[Ly->in[0]];
    uint64_t ldx = W->ld[Ly->in[0]];
    int64_t *acc = calloc((size_t)B * np, sizeof(int64_t));
    if (!acc)
        return zki_fail(ZKI_ERR_NOMEM, "mal: accumulators");
    for (uint64_t b = 0; b < B; b++)
        for (uint64_t n = 0; n < Ly->N; n++) {
            __int128 s = pk->bias[j] ? pk->bias[j][n] : 0;
            for (uint64_t k = 0; k < Ly->K; k++) {
                int64_t wv = pk->vk.w_type == ZKI_PCS_I8 ? ((const int8_t *)pk->w[j])[n * kp + k]
                                                         : ((const int16_t *)pk->w[j])[n * kp + k];
                s += (__int128)wv * mal_centre(x[b * ldx + k]);
            }
            acc[b * np + n] = mal_centre(s);
        }
    free(W->acc[j]);
    W->acc[j] = acc;
    zki_requant_witness_free(&W->rq[j]);
    zki_requant_params p;
    zki_requant_params_of(Ly, &p);
    if ((st = mal_requant_witness(&W->rq[j], &p, acc, (size_t)B * np)))
        return st;
    W->t[j + 1] = W->rq[j].y;
    W->ld[j + 1] = np;
    return ZKI_OK;
}

/* forge with the field-relation prover (columns: a zki_lk_cols_mode),
 * round-trip through bytes, verify against the key: the verifier's status,
 * or FORGE_FAILED */
static int forge_cols(zki_pk *pk, const int64_t *X, uint32_t B, int priv, int cols, int64_t *out0)
{
    zki_prove_opts o = {priv, seed_a, NULL, NULL, 0, 0};
    zki_prove_seam seam = {1, cols, mal_node, NULL, 0};
    zki_proof pf;
    zki_prove_test_seam = &seam;
    zki_status st = zki_prove(pk, X, B, &o, &pf, NULL);
    zki_prove_test_seam = NULL;
    if (st) {
        printf("  malicious prover: %s\n", zki_last_error());
        return FORGE_FAILED;
    }
    if (out0)
        *out0 = pf.output[0];
    uint8_t *b = NULL;
    size_t n = 0;
    CHECK(zki_proof_to_bytes(&pf, &b, &n) == ZKI_OK);
    zki_proof_free(&pf);
    zki_proof q;
    st = zki_proof_from_bytes(&pk->vk, &q, b, n);
    free(b);
    if (!st) {
        st = zki_verify(&pk->vk, priv ? NULL : X, B, &q);
        zki_proof_free(&q);
    }
    if (st)
        printf("  verifier: %s\n", zki_last_error());
    return st;
}

static int forge_and_verify(zki_pk *pk, const int64_t *X, uint32_t B, int64_t *out0)
{
    return forge_cols(pk, X, B, 0, ZKI_LK_COLS_FIELD, out0);
}

static int64_t qexec1(const zki_qmodel *m, const int64_t *X)
{
    int64_t *in = (int64_t *)X, **v;
    if (zki_qexec(m, &in, &v) != ZKI_OK)
        return INT64_MIN;
    int64_t y = v[m->outputs[0]][0];
    zki_qexec_free(m, v);
    return y;
}

static zki_qnode *first_linear(zki_qmodel *m)
{
    for (int i = 0; i < m->n_nodes; i++)
        if (m->nodes[i].op == ZKI_QOP_LINEAR)
            return &m->nodes[i];
    return NULL;
}

/* 1. one layer 64 -> 2, ReLU [0, 127]; neuron 0: weights 127, bias 16320,
 * M = 2^29, s = 17: with x = 127 everywhere acc = 2^20 and the integer
 * z = 2^49 + 2^16, q = 2^32 (output 127); scaled by 2^15, z' = 2^64 + 2^31
 * = 2^32 + 2^31 - 1 (mod p), so q = 1 (output 1) passes mod p. */
static void test_wrap(void)
{
    const uint32_t widths[] = {64, 2};
    const int relu[] = {1};
    zki_qmodel *m;
    CHECK(zki_random_mlp(widths, relu, 1, 7, &m) == ZKI_OK);
    zki_qnode *n = first_linear(m);
    CHECK(n != NULL);
    if (!n)
        return;
    int64_t *W = m->t[n->in[1]].data, *b = m->t[n->in[2]].data;
    for (int k = 0; k < 64; k++) {
        W[k] = 127;
        W[64 + k] = 0;
    }
    b[0] = 16320;
    b[1] = 0;
    n->p[0] = (int64_t)1 << 29;
    n->p[1] = 17;
    CHECK_MSG(zki_qmodel_check(m) == ZKI_OK, "the wrap model is a legal model: %s", zki_last_error());
    int64_t X[64];
    for (int k = 0; k < 64; k++)
        X[k] = 127;
    int64_t ytrue = qexec1(m, X);
    CHECK(ytrue == 127);
    zki_pk *pk = NULL;
    zki_status st = zki_setup(m, seed_w, &pk);
    if (st == ZKI_OK) {
        CHECK(pk->vk.dag.nodes[0].q_log == 20); /* saturated */
        /* the honest prover cannot prove this input (q = 2^32) */
        zki_prove_opts o = {0, seed_a, NULL, NULL, 0, 0};
        zki_proof hp;
        CHECK(zki_prove(pk, X, 1, &o, &hp, NULL) != ZKI_OK);
        zki_pk_free(pk);
        pk = NULL;
        CHECK(zki_setup(m, seed_w, &pk) == ZKI_OK); /* fresh key: one proof each */
        int64_t yforged = ytrue;
        int vs = forge_and_verify(pk, X, 1, &yforged);
        if (vs != FORGE_FAILED)
            CHECK(yforged != ytrue); /* a forged statement is false */
        CHECK_MSG(vs != ZKI_OK, "verifier ACCEPTED output %lld, the model gives %lld",
                  (long long)yforged, (long long)ytrue);
        zki_pk_free(pk);
    } else {
        printf("  setup refused the wrap model: %s\n", zki_last_error());
        CHECK(st == ZKI_ERR_INPUT);
    }
    zki_qmodel_free(m);
}

/* 2. one layer 4 -> 2 (8-bit input), M = 2^20, s = 20 (proof shift 32):
 * X[0] < 2^31 (the matmul prover's own limit) but far outside the 8-bit
 * range, searched so that M' acc + 2^31 wraps mod p onto a small quotient
 * whose clamp differs from the integer model's (w_10 = 0 keeps the second
 * output honest). */
static void test_input_range(void)
{
    const uint32_t widths[] = {4, 2};
    const int relu[] = {0};
    zki_qmodel *m;
    CHECK(zki_random_mlp(widths, relu, 1, 11, &m) == ZKI_OK);
    zki_qnode *n = first_linear(m);
    int64_t *W = m->t[n->in[1]].data, *bias = m->t[n->in[2]].data;
    W[0] = 127;
    W[4] = 0;
    n->p[0] = (int64_t)1 << 20;
    zki_pk *pk = NULL;
    CHECK(zki_setup(m, seed_w, &pk) == ZKI_OK);
    if (!pk) {
        zki_qmodel_free(m);
        return;
    }
    zki_requant_params rp;
    zki_requant_params_of(&pk->vk.dag.nodes[0], &rp);
    unsigned se = mal_eff_shift(&rp);
    int64_t X[4] = {0, 1, 2, 3}, ytrue = 0, yforged = 0;
    int found = 0;
    for (int64_t x0 = ((int64_t)1 << 31) - 1; !found && x0 > ((int64_t)1 << 30); x0--) {
        __int128 acc = bias[0] + (__int128)W[0] * x0;
        for (int k = 1; k < 4; k++)
            acc += (__int128)W[k] * X[k];
        __int128 zt = acc * rp.M + ((__int128)1 << (rp.s - 1)), qt = zt >> rp.s;
        __int128 zf = mal_centre(acc * rp.M * ((__int128)1 << (se - rp.s)) + ((__int128)1 << (se - 1)));
        __int128 qf = zf >> se;
        if (qf < -((__int128)1 << (rp.q_log - 1)) || qf >= ((__int128)1 << (rp.q_log - 1)))
            continue;
        ytrue = (int64_t)(qt < rp.lo ? rp.lo : qt > rp.hi ? rp.hi : qt);
        yforged = (int64_t)(qf < rp.lo ? rp.lo : qf > rp.hi ? rp.hi : qf);
        if (ytrue != yforged) {
            X[0] = x0;
            found = 1;
        }
    }
    CHECK_MSG(found, "no wrapping input found");
    if (found) {
        int64_t yproof = 0;
        int vs = forge_and_verify(pk, X, 1, &yproof);
        CHECK(vs != FORGE_FAILED && yproof == yforged && yproof != ytrue); /* forged, false */
        CHECK_MSG(vs != ZKI_OK,
                  "verifier ACCEPTED output %lld for input %lld outside its range (integer model: %lld)",
                  (long long)yproof, (long long)X[0], (long long)ytrue);
        /* the same input committed (private mode): its range lookups stop
         * it at the prover, and the proof forced out is rejected */
        for (int cols = ZKI_LK_COLS_FIELD; cols <= ZKI_LK_COLS_FIELD_UNCHECKED; cols++) {
            zki_pk_free(pk);
            pk = NULL;
            CHECK(zki_setup(m, seed_w, &pk) == ZKI_OK);
            vs = pk ? forge_cols(pk, X, 1, 1, cols, &yproof) : FORGE_FAILED;
            if (cols == ZKI_LK_COLS_FIELD)
                CHECK_MSG(vs == FORGE_FAILED, "the prover's range lookups took a committed input outside its "
                          "range");
            else
                CHECK_MSG(vs == ZKI_ERR_VERIFY, "a committed input outside its range: verifier status %d", vs);
        }
    }
    zki_pk_free(pk);
    zki_qmodel_free(m);
}

/* 3. the harness proves an honest statement that verifies */
static void test_control(void)
{
    const uint32_t widths[] = {12, 9, 5};
    const int relu[] = {1, 0};
    zki_qmodel *m;
    CHECK(zki_random_mlp(widths, relu, 2, 3, &m) == ZKI_OK);
    zki_pk *pk = NULL;
    CHECK(zki_setup(m, seed_w, &pk) == ZKI_OK);
    int64_t X[3 * 12];
    zki_rng g;
    zki_rng_seed(&g, 42);
    for (int i = 0; i < 3 * 12; i++)
        X[i] = (int64_t)zki_rng_below(&g, 256) - 128;
    int st = forge_and_verify(pk, X, 3, NULL);
    CHECK_MSG(st == ZKI_OK, "honest statement through the attack prover: %s", zki_last_error());
    zki_pk_free(pk);
    zki_qmodel_free(m);
}

int main(void)
{
    test_control();
    test_wrap();
    test_input_range();
    return TEST_SUMMARY();
}
