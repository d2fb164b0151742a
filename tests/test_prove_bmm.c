/* The BMM gadget (a MatMul of two activations, attention's Q K^T and
 * scores V), in process, on models built here and on the torch-exported
 * fixture tests/data/bmm_attn.onnx (tools/make_bmm_fixture.py):
 *   scores(G, I, K)  x [2][I][K] -> conv q, conv k (2 -> G) -> Transpose
 *                    (0, 1, 3, 2) of k -> MatMul = [G][I][I], then
 *                    optionally MatMul by a conv v = [G][I][K] (scores V);
 *                    G > 1, non-power-of-two I and K, K = 1;
 * For each: (a) the lowered DAG holds BMM nodes; the honest proofs (a
 * public batch of 2) verify (a private sample is refused: its padding is
 * not proven zero, tests/test_attack_bmm.c), their output the integer
 * executor's; (b) every single-byte change of a BMM node's proof bytes is
 * rejected; (c) cheating witnesses at the node through the prover's seam
 * (acc, quot, y, acc at a pad) are rejected; (d) 1 and 2 threads give the
 * same proof bytes. A MatMul whose leading axes broadcast is refused,
 * naming the node. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "protocol/gadget.h"
#include "test.h"
#include "test_prove_util.h"
#include "test_attack_util.h"
#include "test_node_attack.h"

/* The model input, a map [1][C][H][W] of int8. */
static int input_map(zki_qmodel *m, int64_t C, int64_t H, int64_t W)
{
    int64_t d4[4] = {1, C, H, W};
    m->n_inputs = 1;
    return m->inputs[0] = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 8, 4, d4, 1.0 / 127);
}

static int transpose_last(zki_qmodel *m, int x, shape s, const char *name)
{
    shape t = {s.C, s.W, s.H};
    int y = value_b(m, name, t, 8);
    zki_qnode *n = &m->nodes[zki_qmodel_add_node(m, ZKI_QOP_TRANSPOSE, name)];
    n->n_in = 1, n->in[0] = x, n->out = y, n->n_p = 4;
    n->p[0] = 0, n->p[1] = 1, n->p[2] = 3, n->p[3] = 2;
    return y;
}

static int matmul(zki_qmodel *m, int a, int b, shape ys, const char *name)
{
    int y = value_b(m, name, ys, 8);
    zki_qnode *n = &m->nodes[zki_qmodel_add_node(m, ZKI_QOP_MATMUL, name)];
    n->n_in = 2, n->in[0] = a, n->in[1] = b, n->out = y, n->n_p = 4;
    n->p[0] = 300, n->p[1] = 16, n->p[2] = -128, n->p[3] = 127;
    return y;
}

/* x [2][I][K] -> q = conv(x), k = conv(x) (G channels) -> q @ k^T, then
 * (with_v) that @ conv(x). *X: a random batch of 2. */
static zki_qmodel *scores(zki_rng *g, uint32_t G, uint32_t I, uint32_t K, int with_v, int64_t **X)
{
    zki_qmodel *m = calloc(1, sizeof(*m));
    int x = input_map(m, 2, I, K);
    shape s = {2, I, K}, sk = s, sv = s;
    int q = conv(m, g, x, &s, G, 1, 0, "q");
    int k = conv(m, g, x, &sk, G, 1, 0, "k");
    int kt = transpose_last(m, k, sk, "kt");
    shape ss = {G, I, I};
    int y = matmul(m, q, kt, ss, "scores");
    if (with_v) {
        int v = conv(m, g, x, &sv, G, 1, 0, "v");
        y = matmul(m, y, v, sv, "attn_v");
    }
    return finish_model(m, g, y, X);
}

static void test_model(zki_rng *g, zki_qmodel *m, int64_t *X, const char *name, int exhaustive)
{
    zki_pk *pk = NULL;
    if (!m || !X || zki_setup(m, atk_seed_w, &pk) != ZKI_OK) {
        CHECK_MSG(0, "%s: no model or key: %s", name, zki_last_error());
        goto out;
    }
    printf("%s:\n", name);
    uint32_t j = node_of(&pk->vk.dag, ZKI_NODE_BMM);
    CHECK_MSG(j != UINT32_MAX, "%s: no BMM node in the DAG", name);
    if (j == UINT32_MAX)
        goto out;
    prove_fixture_rounds_ex(m, X, atk_seed_w, atk_seed_a, &pk, name, 0); /* private: refused for now */
    node_byte_changes(g, m, X, j, exhaustive, name);
    /* at a pad only where the output has one */
    const zki_dag_node *L = &pk->vk.dag.nodes[j];
    int padded = (uint64_t)L->C * L->H * L->W < L->N;
    static const int how[] = {ACC, QUOT, YOUT, ACC | PAD};
    for (size_t k = 0; k < sizeof how / sizeof how[0]; k++)
        if (padded || !(how[k] & PAD))
            run_attack(m, X, 2, j, name, how[k]);
    thread_identical(m, X, name);
out:
    zki_pk_free(pk);
    free(X);
    zki_qmodel_free(m);
}

/* q [1][2][I][K] @ k^T [1][1][K][I]: the leading axes broadcast; refused
 * with the node's name. */
static void test_broadcast_refused(zki_rng *g)
{
    zki_qmodel *m = calloc(1, sizeof(*m));
    int x = input_map(m, 2, 3, 4);
    shape s = {2, 3, 4}, sk = s;
    int q = conv(m, g, x, &s, 2, 1, 0, "q");
    int k = conv(m, g, x, &sk, 1, 1, 0, "k");
    int kt = transpose_last(m, k, sk, "kt");
    shape ss = {2, 3, 3};
    int64_t *X = NULL;
    finish_model(m, g, matmul(m, q, kt, ss, "bcast_scores"), &X);
    free(X);
    zki_pk *pk = NULL;
    zki_status st = zki_setup(m, atk_seed_w, &pk);
    const char *e = zki_last_error();
    CHECK_MSG(st == ZKI_ERR_UNSUPPORTED && strstr(e, "bcast_scores") && strstr(e, "one G"), "broadcast: %d: %s",
              st, e);
    printf("MatMul with broadcast leading axes: %s\n", e);
    zki_pk_free(pk);
    zki_qmodel_free(m);
}

/* The torch-exported attention fixture: proven, its time and size. */
static void test_onnx(zki_rng *g)
{
    int64_t *X = NULL;
    zki_qmodel *m = load_fixture("bmm_attn.onnx", "bmm_attn_calib.npy", &X);
    zki_pk *pk = NULL;
    if (m && X && zki_setup(m, atk_seed_w, &pk) == ZKI_OK) {
        zki_prove_opts o = {0, atk_seed_a, NULL, NULL, 0, 0};
        zki_proof pf;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        zki_status st = zki_prove(pk, X, 2, &o, &pf, NULL);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        CHECK_MSG(st == ZKI_OK, "bmm_attn prove: %s", zki_last_error());
        if (!st) {
            uint8_t *b = NULL;
            size_t n = 0;
            CHECK(zki_proof_to_bytes(&pf, &b, &n) == ZKI_OK);
            printf("bmm_attn.onnx: batch of 2 proven in %.3f s, %zu proof bytes\n",
                   (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec), n);
            free(b);
            zki_proof_free(&pf);
        }
    } else {
        CHECK_MSG(0, "bmm_attn.onnx: no model or key: %s", zki_last_error());
    }
    zki_pk_free(pk);
    test_model(g, m, X, "bmm_attn", 0);
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 7117);
    int64_t *X = NULL;
    zki_qmodel *m = scores(&g, 2, 3, 5, 1, &X);
    test_model(&g, m, X, "scores_2x3x5_v", 1);
    m = scores(&g, 3, 3, 1, 0, &X);
    test_model(&g, m, X, "scores_k1", 0);
    m = scores(&g, 4, 2, 2, 0, &X);
    test_model(&g, m, X, "scores_pow2", 0);
    test_broadcast_refused(&g);
    test_onnx(&g);
    return TEST_SUMMARY();
}
