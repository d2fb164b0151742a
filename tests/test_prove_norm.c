/* LayerNormalization and Softmax lowered to proven ops (quant/norm_lower.c)
 * on the torch-exported fixtures of tools/make_norm_fixtures.py
 * (tests/data/norm_*): a LayerNorm with random gamma and beta and a fused
 * ReLU, a Softmax over 20 values (two levels of max windows, padded), and
 * GELU -> LayerNorm -> Linear -> Softmax over 7. For each:
 *   (0) the integer model on the fixture's sample, dequantised, matches
 *       torch's output (cosine >= 0.999, and the argmax);
 *   (a) the quantised model holds no LAYERNORM or SOFTMAX op (only the
 *       chain: LUTs, MULs, and for a Softmax the MAXPOOLs of its max), and
 *       lowers to proven DAG nodes;
 *   (b) honest proofs, a public batch of 2 and a private sample, verify
 *       and their output is the integer executor's; an altered output and
 *       random byte changes of the proof are refused;
 *   (c) a forged witness at each node of the chain (its first output
 *       value moved by one, through the prover's seam, prover/seam.h) is
 *       rejected: the variance's reciprocal square root, the row's max,
 *       the exponentials, the sum's reciprocal, each product.
 * Then chains built here on an input row, at the range rules' ends: a
 * constant row (variance zero: the rsqrt table's clamp) normalises to
 * beta, an ordinary one to float LayerNorm's value, and that chain proves;
 * logits far apart give probability 1 to the max (e^(x - max) underflows
 * to 0), equal ones share it; a Softmax of the model input itself is
 * refused at setup (the max's pool reads a map, the input is a row). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "prover/seam.h"
#include "quant/norm_lower.h"
#include "quant/npy.h"
#include "test.h"
#include "test_prove_util.h"
#include "test_attack_util.h"

static const uint8_t seed_w[32] = {9, 4, 1};
static const uint8_t seed_a[32] = {3, 8, 2};

#define NFX 3
static const char *const fx[NFX] = {"ln", "softmax", "both"};
static const int fx_ln[NFX] = {1, 0, 1}, fx_sm[NFX] = {0, 1, 1};

static int is_chain(const char *name)
{
    return strstr(name, "LayerNormalization") || strstr(name, "Softmax");
}

/* ---- (a) the chain -------------------------------------------------------- */

static void check_ops(const zki_qmodel *m, int i)
{
    int count[ZKI_QOP_COUNT] = {0};
    for (int k = 0; k < m->n_nodes; k++)
        if (is_chain(m->nodes[k].name))
            count[m->nodes[k].op]++;
    CHECK_MSG(!count[ZKI_QOP_LAYERNORM] && !count[ZKI_QOP_SOFTMAX], "%s: a fused op is left", fx[i]);
    /* LayerNorm: rsqrt; Softmax: exp and 1/sum. MULs: d^2, d r; e / sum */
    CHECK_MSG(count[ZKI_QOP_LUT] == fx_ln[i] + 2 * fx_sm[i], "%s: %d LUTs", fx[i], count[ZKI_QOP_LUT]);
    CHECK_MSG(count[ZKI_QOP_MUL] == 2 * fx_ln[i] + fx_sm[i], "%s: %d MULs", fx[i], count[ZKI_QOP_MUL]);
    CHECK_MSG((count[ZKI_QOP_MAXPOOL] > 0) == fx_sm[i], "%s: %d MAXPOOLs", fx[i], count[ZKI_QOP_MAXPOOL]);
}

/* ---- (c) forged witnesses ------------------------------------------------ */

/* The first node of each kind in the chain (each costs a proof; ctx: the
 * kinds seen). */
static int first_of_kind(const zki_qnode *n, void *ctx)
{
    int *seen = ctx;
    return is_chain(n->name) && !seen[n->op]++;
}

static void check_forgeries(const zki_qmodel *m, const int64_t *X, int i)
{
    int seen[ZKI_QOP_COUNT] = {0};
    int tried = forge_nodes(m, X, seed_w, seed_a, first_of_kind, seen, fx[i]);
    CHECK_MSG(tried >= 3, "%s: %d kinds of chain nodes", fx[i], tried);
}

/* ---- the range rules at their ends --------------------------------------- */

/* One chain (layernorm: gamma, beta, eps; else a softmax) on the row x of
 * N values, its int8 output at scale sy: *qy, by norm_lower.c directly. */
static zki_status chain_on(zki_qmodel *m, int layernorm, int x, int64_t N, double sy, const float *gamma,
                           const float *beta, double eps, int *qy)
{
    zki_node n;
    memset(&n, 0, sizeof n);
    n.op = layernorm ? ZKI_OP_LAYERNORM : ZKI_OP_SOFTMAX;
    n.name = layernorm ? "LayerNormalization" : "Softmax";
    zki_tensor y;
    memset(&y, 0, sizeof y);
    y.name = "y";
    y.rank = 2;
    y.dims[0] = 1;
    y.dims[1] = N;
    zki_norm_io io = {m, &n, x, &y, sy, 8, -127, 127};
    return layernorm ? zki_norm_layernorm(&io, gamma, beta, eps, qy) : zki_norm_softmax(&io, ZKI_NORM_NO_MASK, qy);
}

/* One chain (chain_on, output at 4/127) on m's int8 input row of N values
 * at scale sx; *qy its output. */
static zki_status build_chain(zki_qmodel *m, int layernorm, int64_t N, double sx, const float *gamma,
                              const float *beta, double eps, int *qy)
{
    int64_t d[2] = {1, N};
    int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 8, 2, d, sx);
    if (x < 0)
        return ZKI_ERR_NOMEM;
    m->n_inputs = 1;
    m->inputs[0] = x;
    return chain_on(m, layernorm, x, N, 4.0 / 127, gamma, beta, eps, qy);
}

/* A model of one chain (build_chain, eps 1e-5), checked. */
static zki_qmodel *chain_model(int layernorm, int64_t N, double sx, const float *gamma, const float *beta)
{
    zki_qmodel *m = calloc(1, sizeof(*m));
    if (!m)
        return m;
    int qy = -1;
    zki_status st = build_chain(m, layernorm, N, sx, gamma, beta, 1e-5, &qy);
    CHECK_MSG(st == ZKI_OK && qy >= 0, "chain: %s", zki_last_error());
    m->n_outputs = 1;
    m->outputs[0] = qy;
    CHECK_MSG(zki_qmodel_check(m) == ZKI_OK, "chain model: %s", zki_last_error());
    return m;
}

static int64_t *run_row(const zki_qmodel *m, const int64_t *x)
{
    int64_t *y = qexec_batch(m, x, 1);
    CHECK_MSG(y, "qexec: %s", zki_last_error());
    return y;
}

/* A constant row has variance zero: the rsqrt table clamps (the rule),
 * d = 0 and the output is beta; an ordinary row matches float LayerNorm,
 * and the chain proves. */
static void test_layernorm_ends(zki_rng *g)
{
    enum { N = 12 };
    float gamma[N], beta[N];
    for (int k = 0; k < N; k++)
        gamma[k] = 0.5f + 0.1f * (float)k, beta[k] = 0.25f * (float)(k % 5) - 0.5f;
    zki_qmodel *m = chain_model(1, N, 0.05, gamma, beta);
    int64_t x[N], *y;
    for (int k = 0; k < N; k++)
        x[k] = 37;
    if ((y = run_row(m, x)) != NULL)
        for (int k = 0; k < N; k++)
            CHECK_MSG(llabs(y[k] - llround(beta[k] / (4.0 / 127))) <= 1, "constant row: y[%d] = %lld, beta %g", k,
                      (long long)y[k], beta[k]);
    free(y);
    double mean = 0, var = 0;
    for (int k = 0; k < N; k++)
        x[k] = (int64_t)zki_rng_below(g, 255) - 127, mean += (double)x[k] * 0.05 / N;
    for (int k = 0; k < N; k++)
        var += ((double)x[k] * 0.05 - mean) * ((double)x[k] * 0.05 - mean) / N;
    if ((y = run_row(m, x)) != NULL)
        for (int k = 0; k < N; k++) {
            double want = gamma[k] * ((double)x[k] * 0.05 - mean) / sqrt(var + 1e-5) + beta[k];
            CHECK_MSG(fabs((double)y[k] * 4.0 / 127 - want) < 0.04, "row: y[%d] = %g, float %g", k,
                      (double)y[k] * 4.0 / 127, want);
        }
    free(y);
    prove_round(g, m, x, 1, 0, seed_w, seed_a, NULL, NULL, 4, "layernorm chain");
    zki_qmodel_free(m);
}

/* Logits far apart: e^(x - max) of the others underflows to 0 and the max
 * gets probability 1; equal logits share it equally. */
static void test_softmax_ends(void)
{
    enum { N = 11 };
    zki_qmodel *m = chain_model(0, N, 0.2, NULL, NULL);
    int64_t x[N], *y;
    for (int k = 0; k < N; k++)
        x[k] = k == 6 ? 127 : -127;
    if ((y = run_row(m, x)) != NULL)
        for (int k = 0; k < N; k++)
            CHECK_MSG(y[k] == (k == 6 ? 127 : 0), "far apart: p[%d] = %lld", k, (long long)y[k]);
    free(y);
    for (int k = 0; k < N; k++)
        x[k] = -3;
    if ((y = run_row(m, x)) != NULL)
        for (int k = 0; k < N; k++)
            CHECK_MSG(llabs(y[k] - llround(127.0 / N)) <= 1, "equal: p[%d] = %lld", k, (long long)y[k]);
    free(y);
    /* a Softmax of the model input itself is not proven: the input is a
     * row, and the max's pool reads a map (the fixtures' Softmaxes read a
     * Linear's output, which their Reshape moves into one) */
    zki_pk *pk = NULL;
    CHECK_MSG(zki_setup(m, seed_w, &pk) == ZKI_ERR_UNSUPPORTED && strstr(zki_last_error(), "(MaxPool)"),
              "softmax of the input: %s", zki_last_error());
    zki_pk_free(pk);
    zki_qmodel_free(m);
}

/* x [1, 6] -> Linear N (int8 row at 0.05, clamp [-128, 127]) -> the
 * softmax chain. */
static zki_qmodel *linear_softmax(zki_rng *g, int64_t N, int64_t **X)
{
    zki_qmodel *m = calloc(1, sizeof(*m));
    int64_t dx[2] = {1, 6};
    int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 8, 2, dx, 1.0 / 127);
    m->n_inputs = 1;
    m->inputs[0] = x;
    int a = linear_row(m, g, x, 6, N, 0, "fc");
    int qy = -1;
    CHECK_MSG(chain_on(m, 0, a, N, 1.0 / 127, NULL, NULL, 0, &qy) == ZKI_OK, "linear_softmax: %s",
              zki_last_error());
    return finish_model(m, g, qy, X);
}

/* Row lengths around the MAXPOOL windows (8, split into passes of 4) and
 * their end pads: the honest proof verifies with the executor's output,
 * which is within 2/127 of float softmax of the row; the first MAXPOOL's
 * and the last one's output moved by one is rejected. */
static void test_softmax_lengths(zki_rng *g)
{
    static const int64_t lens[] = {2, 9, 17, 100};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        int64_t N = lens[i], *X = NULL;
        char what[48];
        snprintf(what, sizeof what, "softmax after a Linear, N = %lld", (long long)N);
        zki_qmodel *m = linear_softmax(g, N, &X);
        /* float reference from the Linear's integer output */
        int64_t *h = NULL;
        int64_t *y = qexec_batch(m, X, 1);
        /* the Linear's output: rerun the model cut at it */
        int lin = m->nodes[0].out;
        int saved = m->outputs[0];
        m->outputs[0] = lin;
        h = qexec_batch(m, X, 1);
        m->outputs[0] = saved;
        if (y && h) {
            double mx = -1e9, sum = 0, worst = 0;
            for (int64_t k = 0; k < N; k++)
                mx = fmax(mx, (double)h[k] * 0.05);
            for (int64_t k = 0; k < N; k++)
                sum += exp((double)h[k] * 0.05 - mx);
            for (int64_t k = 0; k < N; k++)
                worst = fmax(worst, fabs((double)y[k] / 127 - exp((double)h[k] * 0.05 - mx) / sum));
            CHECK_MSG(worst <= 2.0 / 127, "%s: %g from float softmax", what, worst);
        }
        free(y);
        free(h);
        int honest = 0;
        int vs = seam_prove_verify(m, X, 1, seed_w, seed_a, NULL, &honest, NULL, NULL, NULL);
        CHECK_MSG(vs == ZKI_OK && honest, "%s: honest proof: status %d, output %s", what, vs,
                  honest ? "the executor's" : "not the executor's");
        zki_dag d;
        int *src = NULL;
        if (zki_dag_lower(m, &d, &src) == ZKI_OK) {
            int first = -1, last = -1;
            for (uint32_t j = 0; j < d.n_nodes; j++)
                if (d.nodes[j].kind == ZKI_NODE_MAXPOOL)
                    last = (int)j, first = first < 0 ? (int)j : first;
            for (int k = 0; k < 2 && first >= 0; k++) {
                forge_at f = {(uint32_t)(k ? last : first), 0, 0};
                if (k && last == first)
                    break;
                printf("  %s: MAXPOOL node %u moved by one:\n", what, f.target);
                vs = seam_attack(m, X, 1, seed_w, seed_a, seam_move_output, &f, &honest);
                CHECK_MSG(f.hit && vs == ZKI_ERR_VERIFY, "%s: MAXPOOL %u forged: status %d", what, f.target, vs);
            }
            zki_dag_free(&d);
        }
        free(src);
        zki_qmodel_free(m);
        free(X);
    }
}

/* The status of building one chain (layernorm: with unit gamma, zero beta
 * and eps; else a softmax) on an int8 row of N values; the model is freed. */
static zki_status chain_try(int layernorm, int64_t N, double eps)
{
    float *gamma = malloc(sizeof(float) * (size_t)N), *beta = calloc((size_t)N, sizeof(float));
    zki_qmodel *m = calloc(1, sizeof(*m));
    zki_status st = ZKI_ERR_NOMEM;
    if (m && gamma && beta) {
        for (int64_t k = 0; k < N; k++)
            gamma[k] = 1;
        int qy = -1;
        st = build_chain(m, layernorm, N, 0.05, gamma, beta, eps, &qy);
    }
    zki_qmodel_free(m);
    free(gamma);
    free(beta);
    return st;
}

/* An epsilon that is negative, NaN or infinite (an ONNX attribute, read as
 * given) is refused by the chain: 1/sqrt(var + eps) would fill the rsqrt
 * table with NaN (llround(NaN) entries) and its scale with NaN. Rows beyond
 * the chains' limits (LayerNorm 4096 values: its dense N x N Linears;
 * Softmax 1024: its 16-bit sum) are refused naming the count. */
static void test_chain_limits(void)
{
    const double eps[3] = {-1.0, NAN, INFINITY};
    for (int i = 0; i < 3; i++) {
        zki_status st = chain_try(1, 6, eps[i]);
        CHECK_MSG(st == ZKI_ERR_UNSUPPORTED && strstr(zki_last_error(), "epsilon"),
                  "layernorm chain, epsilon %g: status %d (%s)", eps[i], st, st ? zki_last_error() : "built");
    }
    zki_status st = chain_try(1, 4097, 1e-5);
    CHECK_MSG(st == ZKI_ERR_UNSUPPORTED && strstr(zki_last_error(), "4097 values"), "layernorm of 4097: %d", st);
    st = chain_try(0, 1025, 0);
    CHECK_MSG(st == ZKI_ERR_UNSUPPORTED && strstr(zki_last_error(), "1025 values"), "softmax of 1025: %d", st);
    st = chain_try(0, 1024, 0);
    CHECK_MSG(st == ZKI_OK, "softmax of 1024: %s", zki_last_error());
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 0x6e6f726d);
    for (int i = 0; i < NFX; i++)
        prove_named_fixture(&g, "norm_", fx[i], i, 0.999, seed_w, seed_a, check_ops, check_forgeries);
    test_layernorm_ends(&g);
    test_softmax_ends();
    test_softmax_lengths(&g);
    test_chain_limits();
    return TEST_SUMMARY();
}
