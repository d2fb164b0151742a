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
 * The float and quantised outputs against torch are test_graph_passes'. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/dag.h"
#include "test.h"
#include "test_prove_util.h"

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

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 9011);
    for (int i = 0; i < (int)(sizeof fx / sizeof fx[0]); i++)
        test_fixture(&g, i);
    return TEST_SUMMARY();
}
