/* The LUT gadget (protocol/gadget_lut.c) on the torch-exported fixtures of
 * tools/make_lut_fixtures.py (tests/data/lut_*): Sigmoid after a conv (a
 * map padded on every axis), Tanh read by a Sigmoid on a padded row,
 * Erf and LeakyRelu between convs, a model that applies Tanh to its input
 * and ends in a Sigmoid (the public output is a LUT's), HardSigmoid
 * after a conv, LUTs read by an Add, a LUT and a Concat, and SiLU, GELU
 * (Erf form) and HardSwish as torch exports them at opset 13 (Sigmoid and
 * Mul; Div, Erf, Add, Mul, Mul; HardSigmoid and Mul: tools/
 * make_fuse_fixtures.py), each folded into one table. For each
 * fixture:
 *   (0) the integer model on the fixture's sample, dequantised, is close
 *       to torch's output (lut_NAME_y.npy);
 *   (a) the lowering makes LUT nodes (and only proven nodes), and every
 *       field of a LUT node, changed, fails the key check; the honest
 *       proof, public input (batch 2) and private input (batch 1),
 *       verifies, and its output is the integer executor's; so does a
 *       public batch of 3 (a padding row in the batch); an altered
 *       output, a changed LUT node proof value and random byte changes of
 *       the proof are refused;
 *   (b) cheating witnesses at the first LUT node (and, for the last
 *       fixture, at the output LUT), injected by the prover's test seam
 *       (prover/seam.h) right after the node's honest witness:
 *         y      one real y value moved by one, y' (the committed shifted
 *                output) honest: y's claims no longer match y' (at the
 *                output LUT: the public output moved, the prover's claim
 *                v from y' no longer matches it);
 *         pair   one real y and its y' both moved by one: the pair (x, y')
 *                leaves the table;
 *         pad y' a padding entry of y' (and y) set to 1: the pair (0, 1) is
 *                not in the shifted table, whose (0, 0) pins pads to 0;
 *         pad y  a padding entry of y alone set to 1 (y' honest): y is not
 *                committed, and readers that take pads as zero (a Linear's
 *                or a Conv's sum-check over its own zero-padded copy) never
 *                see it, so this one may also pass, but only with the
 *                honest output (nothing proven changed); a reader that
 *                sees y's pads (a lookup, the public output) must refuse;
 *       where the honest prover refuses the witness, the proof is forced
 *       out with lookups that leave bad values uncounted and sum-checks
 *       that take false claims: the verifier must return ZKI_ERR_VERIFY.
 * Then chains of LUTs built in C: equal tables share one lookup instance,
 * and a key whose tables outgrow what a verifier reads (8 MiB) is refused
 * at setup. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/rng.h"
#include "poly/mle.h"
#include "prover/seam.h"
#include "quant/npy.h"
#include "quant/npy.h"
#include "test.h"
#include "test_prove_util.h"
#include "test_attack_util.h"

static const uint8_t seed_w[32] = {5, 1, 7};
static const uint8_t seed_a[32] = {2, 6, 3};

#define NFX 7
static const char *const fx[NFX] = {"conv_sigmoid", "linear_tanh", "erf_leaky", "end_sigmoid", "hardsigmoid", "mix",
                                    "fuse"};
/* LUT nodes each fixture's DAG must hold */
static const uint32_t fx_luts[NFX] = {1, 1, 2, 2, 1, 3, 3};
/* max |integer model - torch| on the sample: int8 steps under 0.01 and
 * |y| < 1, erf_leaky's error about 0.05; lut_mix's first output (-1.016)
 * lies beyond its calibration's range and is clamped (-0.846) */
static const double fx_tol[NFX] = {0.08, 0.08, 0.08, 0.08, 0.08, 0.2, 0.08};

/* ---- the attacks (the seam's node hook) --------------------------------- */

enum { Y, PAIR, PAD_YS, PAD_Y };
static const char *const how_name[] = {"y", "pair", "pad y'", "pad y"};

typedef struct {
    uint32_t target;
    int how;
    int64_t at; /* the altered position of the node's padded output (-1: none) */
} attack;

/* The first padding position of sample 0 in node j's layout (-1: none). */
static int64_t first_pad(const zki_dag *d, uint32_t j)
{
    zki_tlayout l;
    if (!zki_dag_layout(d, j + 1, &l))
        return -1;
    if (!l.map)
        return l.n < (1ull << l.log_len) ? (int64_t)l.n : -1;
    size_t lh = zki_log2_ceil(l.h), lw = zki_log2_ceil(l.w), lc = zki_log2_ceil(l.c);
    return l.w < 1u << lw ? (int64_t)l.w : l.h < 1u << lh ? (int64_t)l.h << lw
                                          : l.c < 1u << lc ? (int64_t)l.c << (lh + lw) : -1;
}

static zki_status hook(void *ctx, const zki_pk *pk, uint32_t j, zki_witness *W, uint32_t B, zki_status st)
{
    attack *a = ctx;
    (void)B;
    if (st || j != a->target)
        return st;
    int pad = a->how == PAD_YS || a->how == PAD_Y;
    int64_t i = a->at = pad ? first_pad(&pk->vk.dag, j) : 0; /* position 0 is real */
    if (i < 0)
        return zki_fail(ZKI_ERR_INPUT, "attack: node %u has no padding", j);
    int64_t *y = W->own[j + 1], *ys = W->aux[j];
    if (a->how == Y)
        y[i] += 1;
    else if (a->how == PAIR)
        y[i] += 1, ys[i] += 1;
    else if (a->how == PAD_YS)
        y[i] = 1, ys[i] = 1;
    else
        y[i] = 1;
    return ZKI_OK;
}

static void run_attack(const zki_qmodel *m, const int64_t *X, uint32_t B, uint32_t j, const char *what, int how)
{
    attack a = {j, how, -1};
    printf("  %s, lut node %u, %s:\n", what, j, how_name[how]);
    int honest;
    int vs = seam_attack(m, X, B, seed_w, seed_a, hook, &a, &honest);
    CHECK_MSG(a.at >= 0, "%s %s: the hook never ran", what, how_name[how]);
    if (how == PAD_Y && vs == ZKI_OK) {
        printf("    accepted: the altered pad is read by no one (the output is the honest one: %s)\n",
               honest ? "yes" : "NO");
        CHECK_MSG(honest, "%s, lut node %u, pad y: accepted with another output", what, j);
        return;
    }
    CHECK_MSG(vs == ZKI_ERR_VERIFY, "%s, lut node %u, %s: a cheating witness gave verifier status %d (%s)", what, j,
              how_name[how], vs, vs == ZKI_OK ? "ACCEPTED" : "not a rejection");
}

/* ---- (a) honest proofs --------------------------------------------------- */

typedef struct {
    uint32_t j; /* the LUT node whose proof is altered */
} tamper_ctx;

/* A LUT node's proof value (the output's Y~(r)) or reduced claim moved by
 * one: refused. */
static void tamper_lut(const zki_vk *vk, const int64_t *Xv, uint32_t B, zki_proof *pf, void *ctx)
{
    zki_node_proof *p = &pf->node[((tamper_ctx *)ctx)->j];
    zki_ext *v = p->n_val ? &p->val[0] : &p->red.f_at_rho, old = *v;
    *v = zki_ext_add(*v, zki_ext_one());
    CHECK_MSG(zki_verify(vk, Xv, B, pf) == ZKI_ERR_VERIFY, "a LUT node's altered proof value accepted");
    *v = old;
}

/* ---- the key check ------------------------------------------------------- */

/* Every field of LUT node j in the key's DAG, changed one at a time, is
 * refused by zki_dag_check (the check a key read applies); restored, the
 * DAG passes again. */
static void key_checks(zki_dag *d, uint32_t j, const char *what)
{
    zki_dag_node *L = &d->nodes[j], keep = *L;
    int64_t *aux = L->aux, lo = aux[0];
    uint32_t b = 0;
    while (b < 20 && (1u << b) + 1 < L->n_aux)
        b++;
    int refused = 0, tries = 0;
#define TRY(change)                                                                                    \
    do {                                                                                               \
        change;                                                                                        \
        int ok_ = zki_dag_check(d) == ZKI_OK;                                                          \
        CHECK_MSG(!ok_, "%s: lut node %u with %s passes the key check", what, j, #change);             \
        refused += !ok_, tries++;                                                                      \
        *L = keep;                                                                                     \
        aux[0] = lo;                                                                                   \
    } while (0)
    TRY(L->n_aux--);
    TRY(L->n_aux = 1u + (1u << (b + 1)));
    TRY(aux[0] = lo + 1);
    TRY(aux[0] = 0);
    int64_t e = aux[5];
    aux[5] = (int64_t)1 << (L->out_bits - 1);
    TRY((void)0);
    aux[5] = -((int64_t)1 << (L->out_bits - 1)) - 1;
    TRY((void)0);
    aux[5] = e;
    TRY(L->out_bits = 2);
    TRY(L->has_bias = 1);
    TRY(L->w_bits = 8);
    TRY(L->s = 1);
    TRY(L->M = 1);
    TRY(L->lo = -1);
    TRY(L->hi = 1);
    TRY(L->q_log = 2);
    TRY(L->OC = 1);
    TRY(L->KH = 1);
    TRY(L->KW = 1);
    TRY(L->sh = 1);
    TRY(L->sw = 1);
    TRY(L->dh = 1);
    TRY(L->dw = 1);
    TRY(L->pt = 1);
    TRY(L->pl = 1);
    TRY(L->pb = 1);
    TRY(L->pr = 1);
    TRY(L->G = 1);
    TRY(L->K++);
    TRY(L->N++);
    TRY(L->K = L->N = 2 * L->N);
    if (L->H) {
        TRY(L->C++);
        TRY(L->H++);
        TRY(L->W++);
        TRY(L->C = L->H = L->W = 0);
    } else {
        TRY(L->C = 1);
        TRY(L->H = 1);
    }
#undef TRY
    CHECK_MSG(zki_dag_check(d) == ZKI_OK, "%s: the restored key fails its check: %s", what, zki_last_error());
    printf("%s: lut node %u: %d of %d changed key fields refused\n", what, j, refused, tries);
}

/* The integer model m on the fixture's sample (lut_NAME_x.npy), dequantised,
 * against torch's output (lut_NAME_y.npy): max |difference| <= fx_tol (no
 * argmax check: erf_leaky's two top outputs tie after quantisation). */
static void check_torch(const zki_qmodel *m, const char *onnx, int i)
{
    char xf[64], yf[64];
    snprintf(xf, sizeof xf, "lut_%s_x.npy", fx[i]);
    snprintf(yf, sizeof yf, "lut_%s_y.npy", fx[i]);
    zki_graph *gr = NULL;
    zki_host_tensor *x = NULL, t;
    memset(&t, 0, sizeof t);
    int nx = 0;
    float *y = NULL;
    int64_t n = 0;
    int ok = zki_onnx_load_file(tdata(onnx), &gr) == ZKI_OK && zki_calib_load(gr, tdata(xf), &x, &nx) == ZKI_OK &&
             nx == 1 && zki_qrun_float_io(m, x, &y, &n) == ZKI_OK && zki_tensor_read_any(tdata(yf), &t) == ZKI_OK &&
             t.f && zki_host_tensor_numel(&t) == n;
    CHECK_MSG(ok, "lut_%s: the sample or torch's output unreadable: %s", fx[i], zki_last_error());
    double err = 0;
    for (int64_t k = 0; ok && k < n; k++)
        err = fabs((double)y[k] - (double)t.f[k]) > err ? fabs((double)y[k] - (double)t.f[k]) : err;
    if (ok)
        printf("lut_%s: max |integer model - torch| %.5f\n", fx[i], err);
    CHECK_MSG(!ok || err <= fx_tol[i], "lut_%s: max |integer model - torch| = %g", fx[i], err);
    free(y);
    zki_host_tensor_clear(&t);
    zki_samples_free(x, nx);
    zki_graph_free(gr);
}

static void test_fixture(zki_rng *g, int i)
{
    char onnx[64], calib[64], what[64];
    snprintf(onnx, sizeof onnx, "lut_%s.onnx", fx[i]);
    snprintf(calib, sizeof calib, "lut_%s_calib.npy", fx[i]);
    snprintf(what, sizeof what, "lut_%s", fx[i]);
    int64_t *X = NULL;
    zki_qmodel *m = load_fixture(onnx, calib, &X);
    if (!m || !X) {
        zki_qmodel_free(m);
        free(X);
        return;
    }
    check_torch(m, onnx, i);
    zki_pk *pk = NULL;
    CHECK_MSG(zki_setup(m, seed_w, &pk) == ZKI_OK, "%s: setup: %s", what, zki_last_error());
    if (!pk) {
        zki_qmodel_free(m);
        free(X);
        return;
    }
    const zki_dag *d = &pk->vk.dag;
    uint32_t luts = 0, muls = 0, first = UINT32_MAX, last = d->n_nodes - 1;
    for (uint32_t j = 0; j < d->n_nodes; j++)
        muls += d->nodes[j].kind == ZKI_NODE_MUL;
    /* every activation one table: lut_fuse's SiLU, GELU (Erf form) and
     * HardSwish are regions of Mul, Erf, ... nodes folded by the quantiser */
    CHECK_MSG(muls == 0, "%s: %u MUL nodes: an activation was not folded into one table", what, muls);
    for (uint32_t j = 0; j < d->n_nodes; j++)
        if (d->nodes[j].kind == ZKI_NODE_LUT) {
            luts++;
            first = first == UINT32_MAX ? j : first;
        }
    printf("%s: %u nodes, %u LUT nodes (first %u)\n", what, d->n_nodes, luts, first);
    CHECK_MSG(luts == fx_luts[i], "%s: %u LUT nodes, expected %u", what, luts, fx_luts[i]);
    int ends_in_lut = d->nodes[last].kind == ZKI_NODE_LUT;
    CHECK_MSG(ends_in_lut == (i == 3), "%s: the last node is%s a LUT", what, ends_in_lut ? "" : " not");
    for (uint32_t j = 0; j < d->n_nodes; j++)
        if (d->nodes[j].kind == ZKI_NODE_LUT)
            key_checks(&pk->vk.dag, j, what);
    /* public batch of 2 and private batch of 1 (prove_fixture_rounds) */
    prove_fixture_rounds(m, X, seed_w, seed_a, &pk, what);
    zki_pk_free(pk);
    if (first == UINT32_MAX) {
        zki_qmodel_free(m);
        free(X);
        return;
    }
    /* altered LUT proof values and random byte changes */
    tamper_ctx tc = {first};
    prove_round(g, m, X, 2, 0, seed_w, seed_a, tamper_lut, &tc, 40, what);
    /* a batch of 3: the padded batch's fourth row is padding too */
    int64_t n = zki_qnumel(&m->t[m->inputs[0]]);
    int64_t *X3 = malloc(sizeof(int64_t) * 3 * (size_t)n);
    if (X3) {
        memcpy(X3, X, sizeof(int64_t) * 2 * (size_t)n);
        for (int64_t k = 0; k < n; k++)
            X3[2 * n + k] = -X[k] / 2;
        prove_round(g, m, X3, 3, 0, seed_w, seed_a, tamper_lut, &tc, 10, what);
        free(X3);
    }
    if (ends_in_lut) {
        tc.j = last;
        prove_round(g, m, X, 1, 1, seed_w, seed_a, tamper_lut, &tc, 20, what);
    }
    /* (b) cheating witnesses */
    for (int how = Y; how <= PAD_Y; how++)
        run_attack(m, X, 2, first, what, how);
    for (int how = Y; ends_in_lut && how <= PAD_Y; how++)
        run_attack(m, X, 2, last, what, how);
    zki_qmodel_free(m);
    free(X);
}

/* ---- models built in C ---------------------------------------------------- */

/* x [1, 6] of `bits` bits -> n LUTs in a row (LUT k's table number
 * table_of[k]: equal numbers, equal tables) -> Linear 3. */
static zki_qmodel *lut_chain(zki_rng *g, int bits, int n, const int *table_of)
{
    zki_qmodel *m = calloc(1, sizeof(*m));
    int64_t d[2] = {1, 6}, T = (int64_t)1 << bits, wd[2] = {3, 6}, bd[1] = {3}, yd[2] = {1, 3};
    int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, bits, 2, d, 0.01);
    m->n_inputs = 1;
    m->inputs[0] = x;
    for (int k = 0; k < n; k++) {
        char nm[32];
        snprintf(nm, sizeof nm, "table%d", k);
        int t = zki_qmodel_add_tensor(m, nm, ZKI_QT_CONST, bits, 1, &T, 0.01);
        m->t[t].data = malloc(sizeof(int64_t) * (size_t)T);
        /* a permutation of the range, one per table number, whose steps are
         * large (a key stores a table as varint differences) */
        for (int64_t i = 0; i < T; i++)
            m->t[t].data[i] = (i * (2 * table_of[k] + 3) * 4099 + 7) % T - T / 2;
        snprintf(nm, sizeof nm, "lut%d", k);
        int y = zki_qmodel_add_tensor(m, nm, ZKI_QT_VALUE, bits, 2, d, 0.01);
        int ni = zki_qmodel_add_node(m, ZKI_QOP_LUT, nm); /* may move m->nodes */
        zki_qnode *q = &m->nodes[ni];
        q->n_in = 2, q->in[0] = x, q->in[1] = t, q->out = y, q->n_p = 1, q->p[0] = -T / 2;
        x = y;
    }
    int wt = add_const(m, g, "fc.w", 8, 2, wd, -127, 255);
    int bt = add_const(m, g, "fc.b", 32, 1, bd, -(1 << 12), 1 << 13);
    int yt = zki_qmodel_add_tensor(m, "y", ZKI_QT_VALUE, 8, 2, yd, 0.05);
    int ni = zki_qmodel_add_node(m, ZKI_QOP_LINEAR, "fc");
    zki_qnode *q = &m->nodes[ni];
    q->n_in = 3, q->in[0] = x, q->in[1] = wt, q->in[2] = bt, q->out = yt, q->n_p = 4;
    q->p[0] = 40, q->p[1] = 16 + bits - 8, q->p[2] = -128, q->p[3] = 127;
    m->n_outputs = 1;
    m->outputs[0] = yt;
    CHECK_MSG(zki_qmodel_check(m) == ZKI_OK, "lut chain: %s", zki_last_error());
    return m;
}

static void check_instances(const zki_vk *vk, const int64_t *Xv, uint32_t B, zki_proof *pf, void *ctx)
{
    (void)vk, (void)Xv, (void)B;
    CHECK_MSG(pf->n_lookups == *(uint32_t *)ctx, "lut chain: %u lookup instances, expected %u", pf->n_lookups,
              *(uint32_t *)ctx);
}

/* Equal tables share one lookup instance; a key whose tables outgrow what
 * a verifier reads is refused at setup. */
static void test_chains(zki_rng *g)
{
    int tables[48] = {0, 0, 1, 0};
    for (int k = 4; k < 48; k++)
        tables[k] = k - 2;
    zki_qmodel *m = lut_chain(g, 8, 4, tables);
    int64_t X[2 * 6];
    for (int i = 0; i < 12; i++)
        X[i] = (int64_t)zki_rng_below(g, 256) - 128;
    uint32_t want = 1 + 2 + 1; /* range, two distinct tables, the Linear's clamp */
    prove_round(g, m, X, 2, 0, seed_w, seed_a, check_instances, &want, 20, "lut chain");
    zki_qmodel_free(m);
    /* 45 distinct 16-bit tables of 3-byte steps: 45 x 2^16 x 3 bytes, beyond
     * 8 MiB */
    m = lut_chain(g, 16, 48, tables);
    zki_pk *pk = NULL;
    zki_status st = zki_setup(m, seed_w, &pk);
    printf("45 tables of 2^16 entries: setup %s\n", st ? zki_last_error() : "accepted");
    CHECK_MSG(st == ZKI_ERR_UNSUPPORTED && strstr(zki_last_error(), "verification key would take"),
              "45 tables of 2^16 entries: setup status %d: %s", st, st ? zki_last_error() : "accepted");
    zki_pk_free(pk);
    zki_qmodel_free(m);
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 4242);
    for (int i = 0; i < NFX; i++)
        test_fixture(&g, i);
    test_chains(&g);
    return TEST_SUMMARY();
}
