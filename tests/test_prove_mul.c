/* The MUL gadget and broadcasting ADDs, in process, on the torch-exported
 * fixtures of tools/make_dag_fixtures.py (the CLI's compile, run against
 * torch, prove, verify and byte flips of the same fixtures are in
 * test_prove_dag):
 *   dag_mul_se        a squeeze-excitation block: a 6x6 map of 6 channels
 *                     times a ReLU6 gate [6][1][1] (written gate * map: the
 *                     lowering swaps the operands);
 *   dag_mul_branches  the product of two conv branches of one shape;
 *   dag_add_bcast     the sum of a map and a [6][1][1] map;
 *   dag_mul_se_fc     a squeeze-excitation gate made by Linear layers: a
 *                     row of 6 viewed as [1,6,1,1] times the map;
 * and two models built here: add_bcast_fc, a broadcasting ADD read by a
 * Linear (which does not look at the ADD's pads), and mul_rows, the
 * product of two Linear outputs (rows of 6 padded to 8). For each, quantised on its calibration set (tests/test_prove_util.h):
 *   (a) the lowered DAG holds the node (MUL; a broadcast operand where the
 *       model has one); each of its key fields mutated is refused when the
 *       DAG is read (but for legal other models); the honest proofs (a public batch of 2, a
 *       private sample) verify, their output the integer executor's;
 *   (b) the node's proof values (its input claims, the broadcast operand's
 *       among them) changed in memory, and single-byte changes of its
 *       proof's bytes, are rejected;
 *   (c) cheating witnesses at the node through the prover's seam (acc,
 *       quot, y, acc at a pad; on the broadcasting ADD, accumulators of
 *       inputs not zeroed at the pads of their broadcast axes:
 *       tests/test_node_attack.h) are rejected.
 * And a Mul by a constant tensor is refused, naming the node, and so is a
 * Mul whose quotients would need more than 20 bits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "protocol/gadget.h"
#include "test.h"
#include "test_prove_util.h"
#include "test_attack_util.h"
#include "test_node_attack.h"

/* The first node of this kind whose input i broadcasts (bcast) or not. */
static uint32_t node_with(const zki_dag *d, uint32_t kind, int bcast)
{
    for (uint32_t j = 0; j < d->n_nodes; j++) {
        zki_tlayout o;
        const zki_dag_node *L = &d->nodes[j];
        if (L->kind != kind || !zki_dag_layout(d, j + 1, &o))
            continue;
        int any = 0;
        for (uint32_t i = 0; i < L->n_in; i++) {
            unsigned axes = 0;
            zki_bcast_axes(d, L->in[i], &o, &axes);
            any |= axes != 0;
        }
        if (any == bcast)
            return j;
    }
    return UINT32_MAX;
}

typedef struct {
    uint32_t j;
    const char *what;
} tamper_ctx;

/* Each of node j's proof values moved by one: rejected. */
static void tamper_vals(const zki_vk *vk, const int64_t *Xv, uint32_t B, zki_proof *pf, void *ctx)
{
    const tamper_ctx *c = ctx;
    zki_node_proof *p = &pf->node[c->j];
    for (uint32_t i = 0; i < p->n_val; i++) {
        zki_ext old = p->val[i];
        p->val[i] = zki_ext_add(old, zki_ext_one());
        zki_status st = zki_verify(vk, Xv, B, pf);
        CHECK_MSG(st == ZKI_ERR_VERIFY, "%s node %u: input claim %u moved: verify status %d", c->what, c->j, i, st);
        p->val[i] = old;
    }
    printf("  %s node %u: each of its %u input claims moved by one: rejected\n", c->what, c->j, p->n_val);
}

/* A model built here whose broadcasting ADD is read by a Linear through a
 * Flatten (a Linear's weights are zero at its input's pads, so nothing
 * after the ADD looks at its pads: only its own sum pins them):
 *   x [2][5][5] -> conv 3x3 pad 1 relu (2 -> 3) = t -> GlobalAveragePool
 *   = g [3][1][1] -> Add(t, g) -> Flatten -> Linear 3.
 * *X: a random batch of 2. */
static zki_qmodel *add_bcast_fc(zki_rng *g, int64_t **X)
{
    zki_qmodel *m = calloc(1, sizeof(*m));
    int64_t d4[4] = {1, 2, 5, 5};
    int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 8, 4, d4, 1.0 / 127);
    m->n_inputs = 1;
    m->inputs[0] = x;
    shape s = {2, 5, 5}, s1 = {3, 1, 1};
    int t = conv(m, g, x, &s, 3, 3, 1, "conv0");
    int gt = value_b(m, "gap", s1, 8);
    int ni = zki_qmodel_add_node(m, ZKI_QOP_MEAN, "gap");
    zki_qnode *n = &m->nodes[ni];
    n->n_in = 1, n->in[0] = t, n->out = gt, n->n_p = 5;
    n->p[0] = 1311, n->p[1] = 15, n->p[2] = -128, n->p[3] = 127, n->p[4] = 12; /* 1311 / 2^15 ~ 1/25 */
    int sum = value_b(m, "sum", s, 8);
    ni = zki_qmodel_add_node(m, ZKI_QOP_ADD, "add");
    n = &m->nodes[ni];
    n->n_in = 2, n->in[0] = t, n->in[1] = gt, n->out = sum, n->n_p = 5;
    n->p[0] = 1500, n->p[1] = -900, n->p[2] = 12, n->p[3] = -128, n->p[4] = 127;
    return finish_model(m, g, add_flatten_linear(m, g, sum, 3 * 5 * 5, 3), X);
}

/* A product of two rows (SiLU's shape, x * f(x), on a Linear's output):
 *   x [12] -> Linear 6 = a -> Linear 6 relu = b -> Mul(a, b) -> Linear 3.
 * Rows of 6 features padded to 8. *X: a random batch of 2. */
static zki_qmodel *mul_rows(zki_rng *g, int64_t **X)
{
    zki_qmodel *m = calloc(1, sizeof(*m));
    int64_t d2[2] = {1, 12}, d6[2] = {1, 6};
    int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 8, 2, d2, 1.0 / 127);
    m->n_inputs = 1;
    m->inputs[0] = x;
    int a = linear_row(m, g, x, 12, 6, 0, "fc_a");
    int b = linear_row(m, g, a, 6, 6, 1, "fc_b");
    int prod = zki_qmodel_add_tensor(m, "prod", ZKI_QT_VALUE, 8, 2, d6, 0.05);
    int ni = zki_qmodel_add_node(m, ZKI_QOP_MUL, "mul");
    zki_qnode *n = &m->nodes[ni];
    n->n_in = 2, n->in[0] = a, n->in[1] = b, n->out = prod, n->n_p = 4;
    n->p[0] = 300, n->p[1] = 14, n->p[2] = -128, n->p[3] = 127;
    return finish_model(m, g, linear_row(m, g, prod, 6, 3, 0, "fc_out"), X);
}

/* ---- key fields ------------------------------------------------------- */

static int dag_parses(const zki_dag *d)
{
    zki_wbuf w = {0};
    zki_dag_write(&w, d);
    zki_rbuf r = {w.p, w.n, 0};
    zki_dag a;
    zki_status st = w.oom ? ZKI_ERR_NOMEM : zki_dag_read(&r, &a);
    if (!st)
        zki_dag_free(&a);
    free(w.p);
    return st == ZKI_OK;
}

/* A tensor of d before node j that does not broadcast to its output (0:
 * none). */
static uint32_t no_bcast_tensor(const zki_dag *d, uint32_t j)
{
    zki_tlayout o;
    unsigned axes;
    zki_dag_layout(d, j + 1, &o);
    for (uint32_t t = 1; t <= j; t++)
        if (!zki_bcast_axes(d, t, &o, &axes))
            return t;
    return 0;
}

#define N_FIELD_MUTATIONS 24

/* Mutation k of node L of d (a MUL or ADD node j); its name, NULL: does
 * not apply. *legal: the result is another legal model. */
static const char *mutate(const zki_dag *d, uint32_t j, zki_dag_node *L, int k, int *legal)
{
    int mul = L->kind == ZKI_NODE_MUL;
    *legal = 0;
    switch (k) {
    case 0: L->K++; return "K + 1";
    case 1: L->N *= 2, L->K *= 2; return "N, K doubled";
    case 2: L->has_bias = 1; return "has_bias 1";
    case 3: L->w_bits = 8; return "w_bits 8";
    case 4: L->M = 0; return "M 0";
    case 5: L->M = 1ll << 31; return "M 2^31";
    case 6: L->s = 0; return "s 0";
    case 7: L->s = 62; return "s 62";
    case 8: L->lo = 1; return "lo 1";
    case 9: L->hi = -1; return "hi -1";
    case 10: L->q_log--; return "q_log - 1";
    case 11: L->q_log++; return "q_log + 1";
    case 12: L->C--; return "C - 1";
    case 13: L->H--; return "H - 1";
    case 14: L->W--; return "W - 1";
    case 15: L->OC = mul ? 1 : L->OC + 1; return "OC";
    case 16: L->KH = 1; return "KH 1";
    case 17: L->G = mul ? 1 : 0; return "G";
    case 18: L->pt = 1; return "pt 1";
    case 19: L->n_in = 1; return "one input";
    case 20: L->in[1] = 0; return "in[1] the model input";
    case 21: L->in[0] = 0; return "in[0] the model input";
    case 22: {
        unsigned axes = 0;
        zki_tlayout o;
        zki_dag_layout(d, j + 1, &o);
        zki_bcast_axes(d, L->in[1], &o, &axes);
        uint32_t t = L->in[0];
        L->in[0] = L->in[1], L->in[1] = t;
        *legal = !mul || !axes; /* an ADD's order is free; MUL's x_0 has the output's layout */
        return "inputs swapped";
    }
    case 23: {
        uint32_t t = no_bcast_tensor(d, j);
        if (!t)
            return NULL;
        L->in[1] = t;
        return "in[1] a map that does not broadcast";
    }
    }
    return NULL;
}

/* Every field of node j held by the key check: each mutation of it that
 * is not a legal model is refused at parse. */
static void key_fields(const zki_dag *d, uint32_t j, const char *what)
{
    CHECK_MSG(dag_parses(d), "%s: the honest DAG does not parse", what);
    int refused = 0, legal = 0;
    for (int k = 0; k < N_FIELD_MUTATIONS; k++) {
        zki_dag c = *d;
        c.nodes = malloc(sizeof(zki_dag_node) * d->n_nodes);
        memcpy(c.nodes, d->nodes, sizeof(zki_dag_node) * d->n_nodes);
        int ok_model = 0;
        const char *name = mutate(d, j, &c.nodes[j], k, &ok_model);
        if (name) {
            int parses = dag_parses(&c);
            CHECK_MSG(parses == ok_model, "%s node %u, %s: %s", what, j, name,
                      parses ? "a key the gadget cannot prove parses" : "a legal model refused");
            refused += !parses;
            legal += ok_model;
        }
        free(c.nodes);
    }
    printf("  %s node %u: %d field mutations refused at parse, %d legal other models\n", what, j, refused, legal);
}

static void test_fixture(zki_rng *g, const char *name, uint32_t kind, int bcast)
{
    char onnx[64], calib[64];
    snprintf(onnx, sizeof onnx, "dag_%s.onnx", name);
    snprintf(calib, sizeof calib, "dag_%s_calib.npy", name);
    int64_t *X = NULL;
    zki_qmodel *m = !strcmp(name, "add_bcast_fc") ? add_bcast_fc(g, &X)
                    : !strcmp(name, "mul_rows")   ? mul_rows(g, &X)
                                                  : load_fixture(onnx, calib, &X);
    zki_pk *pk = NULL;
    if (!m || !X || zki_setup(m, atk_seed_w, &pk) != ZKI_OK) {
        CHECK_MSG(0, "%s: no model or key: %s", name, zki_last_error());
        goto out;
    }
    printf("%s:\n", name);
    /* (a) */
    uint32_t j = node_with(&pk->vk.dag, kind, bcast);
    CHECK_MSG(j != UINT32_MAX, "%s: no %s node%s in the DAG", name, kind == ZKI_NODE_MUL ? "MUL" : "ADD",
              bcast ? " with a broadcast input" : "");
    if (j == UINT32_MAX)
        goto out;
    key_fields(&pk->vk.dag, j, name);
    prove_fixture_rounds(m, X, atk_seed_w, atk_seed_a, &pk, name);
    /* (b) */
    tamper_ctx tc = {j, name};
    prove_round(g, m, X, 2, 0, atk_seed_w, atk_seed_a, tamper_vals, &tc, 8, name);
    uint8_t *bytes = NULL;
    size_t blen = 0;
    zki_pk *pk2 = NULL;
    if (honest_proof(m, X, &bytes, &blen, &pk2, name))
        node_mutations(g, &pk2->vk, X, 2, bytes, blen, j, name);
    free(bytes);
    zki_pk_free(pk2);
    /* (c) */
    static const int how[] = {ACC, QUOT, YOUT, ACC | PAD, UNMASKED};
    for (size_t k = 0; k < sizeof how / sizeof how[0]; k++)
        if (how[k] != UNMASKED || (kind == ZKI_NODE_ADD && bcast))
            run_attack(m, X, 2, j, name, how[k]);
out:
    zki_pk_free(pk);
    free(X);
    zki_qmodel_free(m);
}

/* Setup of m is refused (ZKI_ERR_UNSUPPORTED) with a message holding
 * both phrases; m freed. */
static void expect_refused(zki_qmodel *m, const char *node, const char *why, const char *what)
{
    zki_pk *pk = NULL;
    zki_status st = zki_setup(m, atk_seed_w, &pk);
    const char *e = zki_last_error();
    CHECK_MSG(st == ZKI_ERR_UNSUPPORTED && strstr(e, node) && strstr(e, why), "%s: status %d: %s", what, st, e);
    printf("%s: %s\n", what, e);
    zki_pk_free(pk);
    zki_qmodel_free(m);
}

/* A Mul of a map by a constant tensor (not a scalar: the quantiser makes
 * that a requantisation) is refused with the node's name. */
static void test_constant_operand(zki_rng *g)
{
    zki_qmodel *m = calloc(1, sizeof(*m));
    int64_t d4[4] = {1, 2, 4, 4}, cd[4] = {1, 2, 1, 1};
    int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 8, 4, d4, 1.0 / 127);
    m->n_inputs = 1;
    m->inputs[0] = x;
    shape s = {2, 4, 4};
    int a = conv(m, g, x, &s, 2, 3, 1, "conv0");
    int k = add_const(m, g, "scale", 8, 4, cd, -127, 255);
    int y = value_b(m, "prod", s, 8);
    int ni = zki_qmodel_add_node(m, ZKI_QOP_MUL, "the_mul");
    zki_qnode *n = &m->nodes[ni];
    n->n_in = 2, n->in[0] = a, n->in[1] = k, n->out = y, n->n_p = 4;
    n->p[0] = 300, n->p[1] = 16, n->p[2] = -128, n->p[3] = 127;
    int64_t *X = NULL;
    finish_model(m, g, add_flatten_linear(m, g, y, 2 * 4 * 4, 3), &X);
    free(X);
    expect_refused(m, "'the_mul'", "constant tensor 'scale'", "Mul by a constant tensor");
}

/* A MUL whose worst quotient needs more than 20 bits (M = 2^30, s = 10:
 * 2^14 2^30 / 2^10 = 2^34) gets the 20-bit table, as an ADD does (|acc M|
 * stays far below 2^62, so the unscaled relation cannot wrap), and the
 * prover refuses the data whose quotients leave it, naming the node. */
static void test_qlog_cap(zki_rng *g)
{
    int64_t *X = NULL;
    zki_qmodel *m = mul_rows(g, &X);
    for (int i = 0; i < m->n_nodes; i++)
        if (m->nodes[i].op == ZKI_QOP_MUL)
            m->nodes[i].p[0] = 1ll << 30, m->nodes[i].p[1] = 10;
    CHECK_MSG(zki_qmodel_check(m) == ZKI_OK, "model check: %s", zki_last_error());
    zki_pk *pk = NULL;
    zki_status st = zki_setup(m, atk_seed_w, &pk);
    CHECK_MSG(st == ZKI_OK, "MUL at the quotient cap: setup: %s", zki_last_error());
    if (!st) {
        uint32_t j = node_with(&pk->vk.dag, ZKI_NODE_MUL, 0);
        CHECK(j != UINT32_MAX && pk->vk.dag.nodes[j].q_log == ZKI_DAG_MAX_Q_LOG);
        zki_prove_opts o = {0, atk_seed_a, NULL, NULL, 0, 0};
        zki_proof pf;
        st = zki_prove(pk, X, 2, &o, &pf, NULL);
        printf("MUL at the quotient cap: %s\n", st ? zki_last_error() : "proven");
        CHECK_MSG(st == ZKI_ERR_INPUT && strstr(zki_last_error(), "quotient") && strstr(zki_last_error(), "outside the table"),
                  "MUL at the quotient cap: status %d: %s", st, zki_last_error());
        if (!st)
            zki_proof_free(&pf);
    }
    zki_pk_free(pk);
    zki_qmodel_free(m);
    free(X);
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 7007);
    test_fixture(&g, "mul_se", ZKI_NODE_MUL, 1);
    test_fixture(&g, "mul_branches", ZKI_NODE_MUL, 0);
    test_fixture(&g, "add_bcast", ZKI_NODE_ADD, 1);
    test_fixture(&g, "mul_se_fc", ZKI_NODE_MUL, 1);
    test_fixture(&g, "add_bcast_fc", ZKI_NODE_ADD, 1); /* built here */
    test_fixture(&g, "mul_rows", ZKI_NODE_MUL, 0);     /* built here */
    test_constant_operand(&g);
    test_qlog_cap(&g);
    return TEST_SUMMARY();
}
