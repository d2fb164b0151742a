/* LSTM and GRU classifiers proven end to end, in process: the torch-exported
 * fixtures of tools/make_rnn_fixtures.py (tests/data/rnn_*), unrolled by
 * src/graph/recurrent.c and quantised on their calibration samples
 * (tests/test_prove_util.h). For each:
 *   (a) setup writes keys: the lowered DAG holds no LSTM/GRU-sized Linear
 *       over the whole sequence (each step's input projection is its own
 *       Linear of one row) and, where the classifier reads Y, the steps'
 *       rows joined end to end by one CONCAT of 1x1 maps whose parts are
 *       the steps' (requantised) rows; that CONCAT's key with its joined
 *       size or its height changed is refused;
 *   (b) the honest proofs (a public batch of 2, a private sample) verify
 *       and their output is the integer executor's; an altered output is
 *       rejected, and (rnn_lstm, rnn_gru) random single-byte changes of
 *       the proof are too.
 * The float and quantised outputs against torch are test_graph_passes'.
 * And a model built here joins two Linear rows of 5 and 3 features (the
 * second requantised: a row's Requant is a LUT) along features: proven
 * alike, with mutations; the same join reading the model input is proven
 * too, the input read through a MOVE node of it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "protocol/dag.h"
#include "prover/seam.h"
#include "test.h"
#include "test_prove_util.h"
#include "test_attack_util.h"

static const uint8_t seed_w[32] = {7, 1, 3};
static const uint8_t seed_a[32] = {8, 2, 5};

/* The fixtures, whether the classifier reads Y (then Y's steps are
 * joined by a CONCAT; rnn_gru_lbr0 and rnn_lstm_c0 read Y_h only), and
 * whether random byte changes of a proof are tried (the one-layer LSTM
 * and GRU: the gadgets are the same in all six; this keeps the test
 * short). */
static const struct {
    const char *name;
    int reads_y, mutate;
} fx[] = {{"rnn_lstm", 1, 1}, {"rnn_gru", 1, 1}, {"rnn_lstm2", 1, 0}, {"rnn_gru2", 1, 0}, {"rnn_gru_lbr0", 0, 0},
          {"rnn_lstm_c0", 0, 0}};

/* The CONCAT of 1x1 maps joining Y's steps (the last one), or -1. */
static int steps_concat(const zki_dag *d)
{
    int at = -1;
    for (uint32_t j = 0; j < d->n_nodes; j++) {
        const zki_dag_node *L = &d->nodes[j];
        if (L->kind != ZKI_NODE_CONCAT || L->H != 1 || L->W != 1)
            continue;
        int rows = 0;
        for (uint32_t i = 0; i < L->n_in; i++) {
            zki_tlayout l;
            rows += zki_dag_layout(d, L->in[i], &l) && (!l.map || (l.h == 1 && l.w == 1));
        }
        if (rows == (int)L->n_in)
            at = (int)j;
    }
    return at;
}

/* The CONCAT's joined size or height changed: the key is refused. */
static void concat_key_fields(zki_dag *d, uint32_t j, const char *what)
{
    zki_dag_node *L = &d->nodes[j];
    uint32_t C = L->C, H = L->H;
    L->C = C + 1;
    CHECK_MSG(zki_dag_check(d) != ZKI_OK, "%s: concat node %u with C + 1 accepted", what, j);
    L->C = C, L->H = 2;
    CHECK_MSG(zki_dag_check(d) != ZKI_OK, "%s: concat node %u with H = 2 accepted", what, j);
    L->H = H;
    CHECK_MSG(zki_dag_check(d) == ZKI_OK, "%s: the restored key fails its check: %s", what, zki_last_error());
}

/* No Linear reads more than one step's row: K at most the widest of the
 * input features and the hidden size (a Linear over the sequence has T
 * times that). */
static void check_linears(const zki_dag *d, uint32_t max_k, const char *what)
{
    uint32_t widest = 0;
    for (uint32_t j = 0; j < d->n_nodes; j++)
        if (d->nodes[j].kind == ZKI_NODE_LINEAR && d->nodes[j].K > widest)
            widest = d->nodes[j].K;
    CHECK_MSG(widest > 0 && widest <= max_k, "%s: a Linear of %u inputs (at most %u expected)", what, widest, max_k);
}

static void test_fixture(zki_rng *g, int i)
{
    char onnx[64], calib[64];
    const char *what = fx[i].name;
    snprintf(onnx, sizeof onnx, "%s.onnx", what);
    snprintf(calib, sizeof calib, "%s_calib.npy", what);
    int64_t *X = NULL;
    zki_qmodel *m = load_fixture(onnx, calib, &X);
    zki_pk *pk = NULL;
    if (m && X)
        CHECK_MSG(zki_setup(m, seed_w, &pk) == ZKI_OK, "%s: setup: %s", what, zki_last_error());
    if (!pk) {
        zki_qmodel_free(m);
        free(X);
        return;
    }
    zki_dag *d = &pk->vk.dag;
    /* the fixtures: F = 8 features, H = 12 hidden, the classifier reads
     * up to 3 * H (rnn_lstm2's Y, h_n and c_n): rows padded to 64 at most */
    check_linears(d, 64, what);
    int j = steps_concat(d);
    CHECK_MSG((j >= 0) == fx[i].reads_y, "%s: %s CONCAT of the steps' rows", what, j >= 0 ? "a" : "no");
    if (j >= 0) {
        printf("%s: %u nodes, the steps joined by node %d (%u parts, %u values)\n", what, d->n_nodes, j,
               d->nodes[j].n_in, d->nodes[j].C);
        concat_key_fields(d, (uint32_t)j, what);
    }
    prove_fixture_rounds(m, X, seed_w, seed_a, &pk, what);
    zki_pk_free(pk);
    if (fx[i].mutate)
        prove_round(g, m, X, 1, 0, seed_w, seed_a, NULL, NULL, 20, what);
    zki_qmodel_free(m);
    free(X);
}

/* x [1, 12] -> Linear 5 = a, Linear 3 relu -> Requant = b (from x or,
 * with from_input, x itself) -> Concat(a, b) along features [1, 8]
 * (from_input: [1, 17]) -> Linear 3. *X: a random batch of 2. */
static zki_qmodel *rows_concat(zki_rng *g, int from_input, int64_t **X)
{
    zki_qmodel *m = calloc(1, sizeof(*m));
    int64_t dx[2] = {1, 12}, d3[2] = {1, 3}, dy[2] = {1, from_input ? 17 : 8};
    int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 8, 2, dx, 1.0 / 127);
    m->n_inputs = 1;
    m->inputs[0] = x;
    int a = linear_row(m, g, x, 12, 5, 0, "fc_a"), b = x;
    if (!from_input) {
        int r = linear_row(m, g, x, 12, 3, 1, "fc_b");
        b = zki_qmodel_add_tensor(m, "rq", ZKI_QT_VALUE, 8, 2, d3, 0.05);
        zki_qnode *n = &m->nodes[zki_qmodel_add_node(m, ZKI_QOP_REQUANT, "rq")];
        n->n_in = 1, n->in[0] = r, n->out = b, n->n_p = 4;
        n->p[0] = 3, n->p[1] = 2, n->p[2] = -128, n->p[3] = 127;
    }
    int y = zki_qmodel_add_tensor(m, "joined", ZKI_QT_VALUE, 8, 2, dy, 0.05);
    zki_qnode *n = &m->nodes[zki_qmodel_add_node(m, ZKI_QOP_CONCAT, "join")];
    n->n_in = 2, n->in[0] = a, n->in[1] = b, n->out = y, n->n_p = 1, n->p[0] = 1;
    return finish_model(m, g, linear_row(m, g, y, dy[1], 3, 0, "fc_out"), X);
}

static void test_rows_concat(zki_rng *g)
{
    int64_t *X = NULL;
    zki_qmodel *m = rows_concat(g, 0, &X);
    zki_dag d;
    CHECK_MSG(zki_dag_lower(m, &d, NULL) == ZKI_OK, "rows_concat: %s", zki_last_error());
    if (d.nodes) {
        uint32_t luts = 0;
        for (uint32_t j = 0; j < d.n_nodes; j++)
            luts += d.nodes[j].kind == ZKI_NODE_LUT;
        CHECK_MSG(steps_concat(&d) >= 0 && luts == 1, "rows_concat: CONCAT of rows %d, %u LUT", steps_concat(&d),
                  luts);
        zki_dag_free(&d);
    }
    prove_round(g, m, X, 2, 0, seed_w, seed_a, NULL, NULL, 20, "rows_concat");
    prove_round(g, m, X, 1, 1, seed_w, seed_a, NULL, NULL, 5, "rows_concat private");
    zki_qmodel_free(m);
    free(X);
    /* the join reading the model input: through a MOVE node of it */
    m = rows_concat(g, 1, &X);
    CHECK_MSG(zki_dag_lower(m, &d, NULL) == ZKI_OK, "rows_concat from the input: %s", zki_last_error());
    if (d.nodes) {
        int moved = 0;
        for (uint32_t j = 0; j < d.n_nodes; j++)
            moved += d.nodes[j].kind == ZKI_NODE_MOVE && d.nodes[j].in[0] == 0;
        CHECK_MSG(moved == 1 && steps_concat(&d) >= 0, "rows_concat from the input: %d moves of it", moved);
        zki_dag_free(&d);
    }
    prove_round(g, m, X, 2, 0, seed_w, seed_a, NULL, NULL, 10, "rows_concat from the input");
    prove_round(g, m, X, 1, 1, seed_w, seed_a, NULL, NULL, 5, "rows_concat from the input, private");
    zki_qmodel_free(m);
    free(X);
}

/* ---- forged witnesses at the join's nodes (prover/seam.h) ---------------- */

/* Every node of rows_concat (Linear rows, the row's Requant LUT, the
 * CONCAT of rows, the last Linear): its output moved by one at its first
 * and last real position and at its first pad (rows of 5 and 3 are padded
 * to 8 and 4, the join of 8 to 8: no pad there); the verifier rejects
 * every one, whether or not the proof's output changed. */
static void test_rows_concat_forgeries(zki_rng *g)
{
    int64_t *X = NULL;
    zki_qmodel *m = rows_concat(g, 0, &X);
    zki_dag d;
    int *src = NULL;
    zki_status st = zki_dag_lower(m, &d, &src);
    CHECK_MSG(st == ZKI_OK, "rows_concat forgeries: lowering: %s", zki_last_error());
    for (uint32_t j = 0; !st && j < d.n_nodes; j++) {
        zki_tlayout l;
        if (!zki_dag_layout(&d, j + 1, &l))
            continue;
        size_t real = (size_t)l.n, padded = (size_t)1 << l.log_len;
        size_t pos[3] = {0, real - 1, real};
        for (int k = 0; k < 3; k++) {
            if (pos[k] >= padded || (k == 1 && real == 1))
                continue;
            forge_at f = {j, pos[k], 0};
            int honest = 0;
            printf("  rows_concat: node %u (kind %u) position %zu of %zu (%zu real) moved by one:\n", j,
                   d.nodes[j].kind, pos[k], padded, real);
            int vs = seam_attack(m, X, 1, seed_w, seed_a, seam_move_output, &f, &honest);
            CHECK_MSG(f.hit && vs != ZKI_OK, "rows_concat: node %u position %zu forged: %s (output %s)", j, pos[k],
                      vs == ZKI_OK ? "ACCEPTED" : "refused", honest ? "honest" : "forged");
        }
    }
    if (!st)
        zki_dag_free(&d);
    free(src);
    zki_qmodel_free(m);
    free(X);
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 9011);
    for (int i = 0; i < (int)(sizeof fx / sizeof fx[0]); i++)
        test_fixture(&g, i);
    test_rows_concat(&g);
    test_rows_concat_forgeries(&g);
    return TEST_SUMMARY();
}
