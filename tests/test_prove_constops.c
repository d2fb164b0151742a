/* Ops with a constant operand, proven as layers whose weights carry the
 * constant (src/quant/quant.c, "elementwise constants and reductions"),
 * on the torch-exported fixtures of tools/make_constop_fixtures.py
 * (tests/data/constop_*): a product by a constant per element of a map,
 * a constant [6,6] minus a map (broadcast over channels), a constant row
 * added to a Linear's output, average pools with partial ceil_mode windows
 * and with uncounted padding, a mean over a row's last axis and a sum over
 * a map's channels. For each:
 *   (0) the integer model on the fixture's sample, dequantised, matches
 *       torch's output (cosine >= 0.99, and the argmax);
 *   (a) the op's quantised nodes are a CONV (elementwise, pools: a
 *       depthwise 1x1 conv of one channel per element, its weights the
 *       constant or 1/count) or a LINEAR (reductions) with constant
 *       weights, between moves; no MUL, ADD or MEAN is left;
 *   (b) honest proofs, a public batch of 2 and a private sample, verify
 *       and their output is the integer executor's; an altered output and
 *       random byte changes of the proof are refused;
 *   (c) a forged witness at each of the op's computing nodes (its first
 *       output value moved by one through the prover's seam) is rejected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "prover/seam.h"
#include "test.h"
#include "test_prove_util.h"
#include "test_attack_util.h"

static const uint8_t seed_w[32] = {4, 2, 9};
static const uint8_t seed_a[32] = {7, 1, 5};

#define NFX 7
static const char *const fx[NFX] = {"mul", "sub_hw", "add_row", "pool_ceil", "pool_nopad", "reduce_row",
                                    "reduce_chan"};
/* the ONNX op of each fixture's node under test, and the layer it becomes */
static const char *const fx_op[NFX] = {"Mul", "Sub", "Add", "AveragePool", "AveragePool", "ReduceMean", "ReduceSum"};
static const int fx_layer[NFX] = {ZKI_QOP_CONV, ZKI_QOP_CONV, ZKI_QOP_CONV, ZKI_QOP_CONV, ZKI_QOP_CONV,
                                  ZKI_QOP_LINEAR, ZKI_QOP_LINEAR};

static int of_op(const zki_qnode *n, int i) { return strstr(n->name, fx_op[i]) != NULL; }

/* ---- (a) the layers ----------------------------------------------------- */

static void check_ops(const zki_qmodel *m, int i)
{
    int count[ZKI_QOP_COUNT] = {0};
    for (int k = 0; k < m->n_nodes; k++)
        if (of_op(&m->nodes[k], i)) {
            const zki_qnode *n = &m->nodes[k];
            count[n->op]++;
            if (n->op == fx_layer[i])
                CHECK_MSG(m->t[n->in[1]].kind == ZKI_QT_CONST, "%s: the layer's weights are not constant", fx[i]);
        }
    CHECK_MSG(count[fx_layer[i]] == 1, "%s: %d %s nodes", fx[i], count[fx_layer[i]], zki_qop_name(fx_layer[i]));
    CHECK_MSG(!count[ZKI_QOP_MUL] && !count[ZKI_QOP_ADD] && !count[ZKI_QOP_MEAN], "%s: a MUL, ADD or MEAN is left",
              fx[i]);
    /* the pools: the exact window sum first */
    CHECK_MSG(count[ZKI_QOP_AVGPOOL] == !strcmp(fx_op[i], "AveragePool"), "%s: %d AVGPOOLs", fx[i],
              count[ZKI_QOP_AVGPOOL]);
}

/* ---- (c) forged witnesses ------------------------------------------------ */

static int picks_op(const zki_qnode *n, void *ctx) { return of_op(n, *(const int *)ctx); }

static void check_forgeries(const zki_qmodel *m, const int64_t *X, int i)
{
    char what[32];
    snprintf(what, sizeof what, "constop_%s", fx[i]);
    int tried = forge_nodes(m, X, seed_w, seed_a, picks_op, &i, what);
    CHECK_MSG(tried == 1 + !strcmp(fx_op[i], "AveragePool"), "%s: %d nodes forged", fx[i], tried);
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 0x636f6e73);
    for (int i = 0; i < NFX; i++)
        prove_named_fixture(&g, "constop_", fx[i], i, 0.99, seed_w, seed_a, check_ops, check_forgeries);
    return TEST_SUMMARY();
}
