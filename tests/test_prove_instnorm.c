/* InstanceNormalization, and GroupNorm (torch exports it as a Reshape to
 * [1, G, L], an InstanceNormalization of unit scale and zero bias, a
 * Reshape back and a per-channel Mul and Add), lowered to proven ops
 * (quant/norm_lower.c) on the torch-exported fixtures of
 * tools/make_norm_fixtures.py (tests/data/norm_gn_in, norm_in_head,
 * norm_gn1: GroupNorm -> ReLU -> InstanceNorm2d at the output, an
 * InstanceNorm2d with a fused ReLU inside a classifier, a GroupNorm of one
 * group of 512 values). For each:
 *   (0) the integer model on the fixture's sample, dequantised, matches
 *       torch's output (cosine >= 0.999, and the argmax), and on 40 random
 *       inputs the float graph's (mean cosine >= 0.999, each >= 0.99);
 *   (a) each InstanceNormalization is the chain (2 MEANs, an ADD, 2 MULs,
 *       a LUT, a depthwise CONV, moves) and nothing else, and the model
 *       lowers to proven DAG nodes;
 *   (b) honest proofs, a public batch of 2 and a private sample, verify
 *       and their output is the integer executor's; an altered output and
 *       random byte changes of the proof are refused;
 *   (c) a forged witness at every node of the first chain (its first
 *       output value moved by one, through the prover's seam,
 *       prover/seam.h) is rejected: both MEANs, the ADD, both MULs, the
 *       LUT and the CONV.
 * Then chains built here after an identity depthwise conv, against a
 * double-precision InstanceNorm of the same integer input: the 4-D form
 * with a constant channel (variance zero: the rsqrt table's clamp, output
 * B) and a channel spread within one input step (variance below one unit:
 * the clamp, a damped output), the 3-D [1, G, L] form; both prove. And the
 * limits: an epsilon that is not finite and >= 0, a NaN scale or an
 * infinite B, a 2-D input, and a
 * requantisation whose quotient would outgrow the proof's 20 bits are
 * refused naming the node. */
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

static const uint8_t seed_w[32] = {7, 1, 5};
static const uint8_t seed_a[32] = {2, 6, 3};

#define NFX 3
static const char *const fx[NFX] = {"gn_in", "in_head", "gn1"};
static const int fx_norms[NFX] = {2, 1, 1}; /* InstanceNormalization nodes */

static int is_chain(const char *name)
{
    return strstr(name, "InstanceNormalization") != NULL;
}

/* ---- (0) random inputs against the float graph ---------------------------- */

/* A standard normal value (Box-Muller). */
static float normal(zki_rng *g)
{
    double u = ((double)(zki_rng_u64(g) >> 11) + 0.5) / 9007199254740992.0;
    double v = (double)(zki_rng_u64(g) >> 11) / 9007199254740992.0;
    return (float)(sqrt(-2 * log(u)) * cos(6.283185307179586 * v));
}

static void check_random_inputs(zki_rng *g, const zki_qmodel *m, const char *name)
{
    enum { NS = 40 };
    char onnx[96];
    snprintf(onnx, sizeof onnx, "norm_%s.onnx", name);
    zki_graph *gr = NULL;
    CHECK_MSG(zki_onnx_load_file(tdata(onnx), &gr) == ZKI_OK, "%s: %s", onnx, zki_last_error());
    zki_host_tensor s[NS];
    memset(s, 0, sizeof s);
    const zki_tensor *in = gr ? &gr->t[gr->inputs[0]] : NULL;
    for (int k = 0; in && k < NS; k++) {
        s[k].et = in->et;
        s[k].rank = in->rank;
        memcpy(s[k].dims, in->dims, sizeof s[k].dims);
        s[k].f = malloc(sizeof(float) * (size_t)zki_tensor_numel(in));
        for (int64_t e = 0; s[k].f && e < zki_tensor_numel(in); e++)
            s[k].f[e] = normal(g);
    }
    zki_accuracy acc;
    if (gr) {
        CHECK_MSG(zki_quant_accuracy(gr, m, s, NS, &acc) == ZKI_OK, "%s: accuracy: %s", name, zki_last_error());
        printf("%s: %d random inputs: cosine mean %.5f, min %.5f\n", name, NS, acc.cos_mean, acc.cos_min);
        CHECK_MSG(acc.cos_mean >= 0.999 && acc.cos_min >= 0.99, "%s: random inputs: cosine mean %.5f, min %.5f",
                  name, acc.cos_mean, acc.cos_min);
    }
    for (int k = 0; k < NS; k++)
        zki_host_tensor_clear(&s[k]);
    zki_graph_free(gr);
}

/* ---- (a) the chain -------------------------------------------------------- */

static zki_rng fx_rng;

static void check_ops(const zki_qmodel *m, int i)
{
    int count[ZKI_QOP_COUNT] = {0};
    for (int k = 0; k < m->n_nodes; k++)
        if (is_chain(m->nodes[k].name))
            count[m->nodes[k].op]++;
    int n = fx_norms[i], other = 0;
    for (int op = 0; op < ZKI_QOP_COUNT; op++)
        other += op != ZKI_QOP_MEAN && op != ZKI_QOP_ADD && op != ZKI_QOP_MUL && op != ZKI_QOP_LUT &&
                 op != ZKI_QOP_CONV && op != ZKI_QOP_RESHAPE ? count[op] : 0;
    CHECK_MSG(!other, "%s: %d chain nodes of other ops", fx[i], other);
    CHECK_MSG(count[ZKI_QOP_MEAN] == 2 * n && count[ZKI_QOP_ADD] == n && count[ZKI_QOP_MUL] == 2 * n &&
              count[ZKI_QOP_LUT] == n && count[ZKI_QOP_CONV] == n,
              "%s: %d MEANs, %d ADDs, %d MULs, %d LUTs, %d CONVs for %d InstanceNormalizations", fx[i],
              count[ZKI_QOP_MEAN], count[ZKI_QOP_ADD], count[ZKI_QOP_MUL], count[ZKI_QOP_LUT], count[ZKI_QOP_CONV], n);
    zki_dag d;
    CHECK_MSG(zki_dag_lower(m, &d, NULL) == ZKI_OK, "%s: lowering: %s", fx[i], zki_last_error());
    zki_dag_free(&d);
    check_random_inputs(&fx_rng, m, fx[i]);
}

/* ---- (c) forged witnesses ------------------------------------------------ */

/* The nodes of the first chain (ctx: its name, set by the first): gn_in's
 * second chain is the 4-D form, as in_head's. */
static int first_chain(const zki_qnode *n, void *ctx)
{
    const char **first = ctx;
    if (!is_chain(n->name) || (*first && strcmp(*first, n->name)))
        return 0;
    *first = n->name;
    return 1;
}

static void check_forgeries(const zki_qmodel *m, const int64_t *X, int i)
{
    const char *first = NULL;
    char what[32];
    snprintf(what, sizeof what, "norm_%s", fx[i]);
    int tried = forge_nodes(m, X, seed_w, seed_a, first_chain, &first, what);
    CHECK_MSG(tried == 7, "%s: %d chain nodes forged", fx[i], tried);
}

/* ---- chains built here ---------------------------------------------------- */

#define SY (4.0 / 127) /* the chains' output scale: a range of 4 */

/* The chain (norm_lower.c directly) on m's tensor x into y of x's shape
 * and `bits` bits for a range of 4: *qy. */
static zki_status chain_on(zki_qmodel *m, int x, int bits, const float *scale, const float *bias, double eps,
                           int *qy)
{
    zki_node in;
    memset(&in, 0, sizeof in);
    in.op = ZKI_OP_INSTANCENORM;
    in.name = "InstanceNormalization";
    zki_tensor y;
    memset(&y, 0, sizeof y);
    y.name = "y";
    y.rank = m->t[x].rank;
    memcpy(y.dims, m->t[x].dims, sizeof(int64_t) * (size_t)y.rank);
    int64_t q = ((int64_t)1 << (bits - 1)) - 1;
    zki_norm_io io = {m, &in, x, &y, 4.0 / (double)q, bits, -q, q};
    return zki_norm_instnorm(&io, scale, bias, eps, qy);
}

/* Input x [1, C, H, W] (int8 at sx) -> an identity depthwise 1x1 CONV (a
 * proven layer: an Add does not read the model input) -> the chain (on
 * [1, G, C H W / G] when G > 0, a Reshape before it) -> y of `bits` bits
 * for a range of 4. *st: the chain's status; the model is checked when it
 * is built. */
static zki_qmodel *chain_model(int64_t C, int64_t H, int64_t W, int64_t G, double sx, int bits, const float *scale,
                               const float *bias, double eps, zki_status *st)
{
    zki_qmodel *m = calloc(1, sizeof(*m));
    int64_t d4[4] = {1, C, H, W}, wd[4] = {C, 1, 1, 1}, d3[3] = {1, G, G ? C * H * W / G : 0};
    int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 8, 4, d4, sx);
    int w = zki_qmodel_add_tensor(m, "id.w", ZKI_QT_CONST, 8, 4, wd, 1.0);
    int h = zki_qmodel_add_tensor(m, "h", ZKI_QT_VALUE, 8, 4, d4, sx);
    m->t[w].data = malloc(sizeof(int64_t) * (size_t)C);
    for (int64_t c = 0; c < C; c++)
        m->t[w].data[c] = 1;
    m->n_inputs = 1;
    m->inputs[0] = x;
    int ni = zki_qmodel_add_node(m, ZKI_QOP_CONV, "id");
    zki_qnode *n = &m->nodes[ni];
    const int64_t p[15] = {2, 1, -127, 127, C, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0}; /* rq(2 x) at s = 1: x */
    n->n_in = 3, n->in[0] = x, n->in[1] = w, n->in[2] = -1, n->out = h, n->n_p = 15;
    memcpy(n->p, p, sizeof p);
    if (G) {
        int h3 = zki_qmodel_add_tensor(m, "h3", ZKI_QT_VALUE, 8, 3, d3, sx);
        ni = zki_qmodel_add_node(m, ZKI_QOP_RESHAPE, "to_groups");
        n = &m->nodes[ni];
        n->n_in = 1, n->in[0] = h, n->out = h3;
        h = h3;
    }
    int qy = -1;
    *st = chain_on(m, h, bits, scale, bias, eps, &qy);
    if (*st == ZKI_OK) {
        m->n_outputs = 1;
        m->outputs[0] = qy;
        CHECK_MSG(zki_qmodel_check(m) == ZKI_OK, "chain model: %s", zki_last_error());
    }
    return m;
}

/* The scale of m's tensor named InstanceNormalization::what (0: none). */
static double chain_scale(const zki_qmodel *m, const char *what)
{
    char nm[64];
    snprintf(nm, sizeof nm, "InstanceNormalization::%s", what);
    for (int t = 0; t < m->n_t; t++)
        if (!strcmp(m->t[t].name, nm))
            return m->t[t].scale;
    return 0;
}

/* Largest |y - reference| in output steps over the rows [rows][len] of x
 * (int8 at sx), row r of channel r mod C: scale (x - mean) r + B, r =
 * 1/sqrt(var + eps), or r_floor where var < vmin (the clamp rule). */
static double worst_steps(const int64_t *x, const int64_t *y, int64_t rows, int64_t len, int64_t C, double sx,
                          const float *scale, const float *bias, double eps, double vmin)
{
    double worst = 0;
    for (int64_t r = 0; r < rows; r++) {
        double mean = 0, var = 0;
        for (int64_t k = 0; k < len; k++)
            mean += (double)x[r * len + k] * sx / (double)len;
        for (int64_t k = 0; k < len; k++)
            var += pow((double)x[r * len + k] * sx - mean, 2) / (double)len;
        double inv = 1 / sqrt((var < vmin ? vmin : var) + eps);
        for (int64_t k = 0; k < len; k++) {
            double want = scale[r % C] * ((double)x[r * len + k] * sx - mean) * inv + bias[r % C];
            worst = fmax(worst, fabs((double)y[r * len + k] * SY - want) / SY);
        }
    }
    return worst;
}

/* The 4-D form, 4 channels of 6x5: channel 0 constant (output B), channel
 * 1 alternating between two neighbouring steps (variance 1/4 of a step
 * squared, below one unit: r at one unit, the output damped), the others
 * random; against the reference with that rule; the chain proves. */
static void test_map_ends(zki_rng *g)
{
    enum { C = 4, H = 6, W = 5, N = C * H * W };
    const double sx = 0.05, eps = 1e-5;
    const float scale[C] = {1.3f, 0.7f, -0.9f, 1.1f}, bias[C] = {0.4f, -0.6f, 0.1f, 0.9f};
    zki_status st;
    zki_qmodel *m = chain_model(C, H, W, 0, sx, 8, scale, bias, eps, &st);
    CHECK_MSG(st == ZKI_OK, "4-D chain: %s", zki_last_error());
    int64_t x[N], *y;
    for (int64_t k = 0; k < N; k++)
        x[k] = k < H * W ? 37 : k < 2 * H * W ? 5 + (k & 1) : (int64_t)zki_rng_below(g, 255) - 127;
    double vmin = chain_scale(m, "var");
    CHECK_MSG(vmin > 0.25 * sx * sx, "one unit of variance %g: a spread of one step is below it", vmin);
    y = st == ZKI_OK ? qexec_batch(m, x, 1) : NULL;
    CHECK_MSG(y, "4-D chain: the executor failed: %s", zki_last_error());
    if (y) {
        for (int k = 0; k < H * W; k++)
            CHECK_MSG(llabs(y[k] - llround(bias[0] / SY)) <= 1, "constant channel: y[%d] = %lld, B %g", k,
                      (long long)y[k], bias[0]);
        double e = worst_steps(x, y, C, H * W, C, sx, scale, bias, eps, vmin);
        printf("4-D chain: %.2f output steps from the reference at most\n", e);
        CHECK_MSG(e <= 1.5, "4-D chain: %.2f output steps from the reference", e);
        /* the damped channel: r at one unit, its outputs within 0.6 of B */
        for (int k = H * W; k < 2 * H * W; k++)
            CHECK_MSG(fabs((double)y[k] * SY - bias[1]) < 0.6 * fabs(scale[1]), "spread of one step: y[%d] = %g",
                      k, (double)y[k] * SY);
        free(y);
        prove_round(g, m, x, 1, 0, seed_w, seed_a, NULL, NULL, 4, "4-D instance norm chain");
    }
    zki_qmodel_free(m);
}

/* The 3-D form: 6 channels of 4x4 in 3 groups of 32 values (GroupNorm's
 * Reshape before the chain, the chain's after it), against the reference
 * per group; the chain proves. */
static void test_groups(zki_rng *g)
{
    enum { C = 6, H = 4, W = 4, G = 3, N = C * H * W };
    const double sx = 0.03, eps = 1e-3;
    const float scale[G] = {0.8f, 1.2f, 1.0f}, bias[G] = {0.2f, -0.3f, 0.0f};
    zki_status st;
    zki_qmodel *m = chain_model(C, H, W, G, sx, 8, scale, bias, eps, &st);
    CHECK_MSG(st == ZKI_OK, "3-D chain: %s", zki_last_error());
    int64_t x[N], *y;
    for (int64_t k = 0; k < N; k++)
        x[k] = (int64_t)zki_rng_below(g, 201) - 100 + (k / (N / G)) * 10; /* groups of different means */
    y = st == ZKI_OK ? qexec_batch(m, x, 1) : NULL;
    CHECK_MSG(y, "3-D chain: the executor failed: %s", zki_last_error());
    if (y) {
        double e = worst_steps(x, y, G, N / G, G, sx, scale, bias, eps, 0);
        printf("3-D chain: %.2f output steps from the reference at most\n", e);
        CHECK_MSG(e <= 1.5, "3-D chain: %.2f output steps from the reference", e);
        free(y);
        prove_round(g, m, x, 1, 0, seed_w, seed_a, NULL, NULL, 4, "3-D instance norm chain");
    }
    zki_qmodel_free(m);
}

/* A large map (351 x 372 = 130572 values per channel, where a multiplier
 * chosen to save a limb keeps only 7 or 8 bits: 128.5 -> 128 for the mean
 * of 8-bit x): constant channels at +-127 and 100 still give d = 0, so B
 * exactly, and a random channel riding on a large mean stays within the
 * 4-D chain's steps of the reference (a mean off by 2^-8 of itself moves
 * its every n by half an input step over its std). Executor only. */
static void test_large_map_mean(zki_rng *g)
{
    enum { C = 4, H = 351, W = 372 };
    const int64_t HW = (int64_t)H * W, N = C * HW;
    const double sx = 0.05, eps = 1e-5;
    const float scale[C] = {1.3f, -0.9f, 1.1f, 1.0f}, bias[C] = {0.4f, 0.1f, -0.6f, 0.2f};
    const int64_t level[3] = {127, -127, 100};
    zki_status st;
    zki_qmodel *m = chain_model(C, H, W, 0, sx, 8, scale, bias, eps, &st);
    CHECK_MSG(st == ZKI_OK, "large-map chain: %s", zki_last_error());
    int64_t *x = malloc(sizeof(int64_t) * (size_t)N), *y;
    for (int64_t k = 0; x && k < N; k++)
        x[k] = k < 3 * HW ? level[k / HW] : 110 + (int64_t)zki_rng_below(g, 11) - 5;
    y = st == ZKI_OK && x ? qexec_batch(m, x, 1) : NULL;
    CHECK_MSG(y, "large map: the executor failed: %s", zki_last_error());
    if (y) {
        for (int c = 0; c < 3; c++) {
            int64_t bad = 0, first = -1;
            for (int64_t k = c * HW; k < (c + 1) * HW; k++)
                if (y[k] != llround(bias[c] / SY) && bad++ == 0)
                    first = k;
            CHECK_MSG(!bad, "large map, channel constant at %lld: %lld outputs are not B (y[%lld] = %lld, B %lld)",
                      (long long)level[c], (long long)bad, (long long)first, first >= 0 ? (long long)y[first] : 0LL,
                      (long long)llround(bias[c] / SY));
        }
        double e = worst_steps(x + 3 * HW, y + 3 * HW, 1, HW, 1, sx, scale + 3, bias + 3, eps, 0);
        printf("large map: a channel of std 3 steps on a mean of 110: %.2f output steps from the reference\n", e);
        CHECK_MSG(e <= 1.5, "large map: %.2f output steps from the reference", e);
        free(y);
    }
    free(x);
    zki_qmodel_free(m);
}

/* Where n is clamped (n_sat, the value beyond which every channel's
 * output saturates): a 64x64 map, scales 1 and 0.1 for a range of 4, so
 * n_sat = 1.03 (4.03 + 0) / 0.1 = 41.6 lies between the MUL's own floor
 * (32) and n's bound (64). Channel 0: one spike (n = 64, saturated);
 * channel 1: three spikes (n = 36.9, an output of 3.69, inside the range:
 * a clamp set by the larger scale, at 4.2, or by the MUL's floor, at 32,
 * would cut it), then the same channel with one spike (n = 64: 6.4,
 * saturated at the clamp). Every output within 1.5 steps of the clamped
 * reference; the chain proves. */
static void test_saturating_n(zki_rng *g)
{
    enum { C = 2, H = 64, W = 64, HW = H * W, N = C * HW };
    const double sx = 0.05, eps = 1e-5;
    const float scale[C] = {1.0f, 0.1f}, bias[C] = {0, 0};
    zki_status st;
    zki_qmodel *m = chain_model(C, H, W, 0, sx, 8, scale, bias, eps, &st);
    CHECK_MSG(st == ZKI_OK, "saturating chain: %s", zki_last_error());
    for (int spikes = 3; st == ZKI_OK && spikes >= 1; spikes -= 2) {
        int64_t *x = calloc(N, sizeof(int64_t)), *y;
        x[HW / 2] = -127;
        for (int k = 0; k < spikes; k++)
            x[HW + 100 + 1000 * k] = 127;
        y = x ? qexec_batch(m, x, 1) : NULL;
        CHECK_MSG(y, "n clamp: the executor failed: %s", zki_last_error());
        if (y) {
            double worst = 0;
            int64_t at = -1;
            for (int c = 0; c < C; c++) {
                double mean = 0, var = 0;
                for (int64_t k = c * HW; k < (c + 1) * HW; k++)
                    mean += (double)x[k] * sx / HW;
                for (int64_t k = c * HW; k < (c + 1) * HW; k++)
                    var += pow((double)x[k] * sx - mean, 2) / HW;
                for (int64_t k = c * HW; k < (c + 1) * HW; k++) {
                    double want = scale[c] * ((double)x[k] * sx - mean) / sqrt(var + eps) + bias[c];
                    want = fmax(-127 * SY, fmin(127 * SY, want));
                    double e = fabs((double)y[k] * SY - want) / SY;
                    if (e > worst) {
                        worst = e;
                        at = k;
                    }
                }
            }
            printf("n clamp, %d spike(s) in channel 1: %.2f output steps from the reference at most\n", spikes,
                   worst);
            CHECK_MSG(worst <= 1.5, "n clamp, %d spike(s): y[%lld] = %lld, %.2f output steps from the reference",
                      spikes, (long long)at, at >= 0 ? (long long)y[at] : 0LL, worst);
            if (spikes == 3)
                prove_round(g, m, x, 1, 0, seed_w, seed_a, NULL, NULL, 4, "saturating instance norm chain");
            free(y);
        }
        free(x);
    }
    zki_qmodel_free(m);
}

/* An epsilon that is negative, NaN or infinite, and an input of rank 2,
 * are refused naming the node; a requantisation whose worst quotient
 * outgrows 20 bits (a 16-bit output: 16 times its range; scales 2^14
 * apart, so no clamp of n helps, on 128x128 values: n up to 128, to a
 * range of 4) is refused at quantisation, not left to fail in the
 * prover; with one scale n is clamped where the output saturates, and the
 * same chain is built. */
static void test_limits(void)
{
    const float scale[2] = {1, 1}, bias[2] = {0, 0}, spread[2] = {1, 1.0f / 16384};
    const double eps[3] = {-1.0, NAN, INFINITY};
    zki_status st;
    for (int i = 0; i < 3; i++) {
        zki_qmodel_free(chain_model(2, 3, 3, 0, 0.05, 8, scale, bias, eps[i], &st));
        CHECK_MSG(st == ZKI_ERR_UNSUPPORTED && strstr(zki_last_error(), "epsilon") &&
                  strstr(zki_last_error(), "InstanceNormalization"),
                  "epsilon %g: status %d (%s)", eps[i], st, st ? zki_last_error() : "built");
    }
    /* a NaN scale or an infinite B, named by channel */
    const float nan_scale[2] = {1, NAN}, inf_bias[2] = {0, INFINITY};
    zki_qmodel_free(chain_model(2, 3, 3, 0, 0.05, 8, nan_scale, bias, 1e-5, &st));
    CHECK_MSG(st == ZKI_ERR_INPUT && strstr(zki_last_error(), "channel 1's scale is nan"), "NaN scale: %d (%s)", st,
              st ? zki_last_error() : "built");
    zki_qmodel_free(chain_model(2, 3, 3, 0, 0.05, 8, scale, inf_bias, 1e-5, &st));
    CHECK_MSG(st == ZKI_ERR_INPUT && strstr(zki_last_error(), "channel 1's B is inf"), "infinite B: %d (%s)", st,
              st ? zki_last_error() : "built");
    zki_qmodel_free(chain_model(2, 128, 128, 0, 0.05, 16, spread, bias, 1e-5, &st));
    CHECK_MSG(st == ZKI_ERR_UNSUPPORTED && strstr(zki_last_error(), "20 bits"), "quotient: status %d (%s)", st,
              st ? zki_last_error() : "built");
    zki_qmodel_free(chain_model(2, 128, 128, 0, 0.05, 16, scale, bias, 1e-5, &st));
    CHECK_MSG(st == ZKI_OK, "one scale, 16 bits: %s", zki_last_error());
    /* rank 2: a row has no spatial axis */
    zki_qmodel *m = calloc(1, sizeof(*m));
    int64_t d[2] = {1, 8};
    int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 8, 2, d, 0.05), qy;
    st = chain_on(m, x, 8, scale, bias, 1e-5, &qy);
    CHECK_MSG(st == ZKI_ERR_UNSUPPORTED && strstr(zki_last_error(), "spatial axis"), "rank 2: %d (%s)", st,
              zki_last_error());
    zki_qmodel_free(m);
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 0x696e6f72);
    zki_rng_seed(&fx_rng, 0x72616e64);
    for (int i = 0; i < NFX; i++)
        prove_named_fixture(&g, "norm_", fx[i], i, 0.999, seed_w, seed_a, check_ops, check_forgeries);
    test_map_ends(&g);
    test_groups(&g);
    test_large_map_mean(&g);
    test_saturating_n(&g);
    test_limits();
    return TEST_SUMMARY();
}
