/* Attacks on the BMM gadget's padding assumption (protocol/gadget_bmm.c:
 * "both inputs are zero at their pads, their producers pin them").
 *
 * pad_private_lut: x [1][1][3][3] (a PRIVATE input, committed as advice)
 * -> a = relu(x), b = relu(-x) (LUTs, T(0) = 0) -> MatMul(a, b) -> 1x1
 * conv. The LUT gadget pins its pads only when its input is zero there
 * (every gadget output is; a public input is padded with zeros by the
 * verifier), but the private input's padding is bound by the PCS and
 * range-checked, never proven zero. The cheating prover puts x = v right
 * of the real columns and -v below the real rows (0 at both), so each
 * (x, y') lookup pair at a pad is a table entry and the LUTs' proven
 * outputs are nonzero at their pads: a[i][3] = v, b[3][j] = v, a[3][.] =
 * b[.][3] = 0. The BMM then sums the padded k = 3 term v^2 into every real
 * accumulator while its own pads stay 0: that forgery was accepted. Until
 * the private input's pads are proven zero, a private-input proof with a
 * BMM node is refused by the prover and the verifier; this test checks
 * that the honest and the forging prover are both refused, naming the
 * reason, and keeps the forging hook for the fix that will lift it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "protocol/gadget.h"
#include "test.h"
#include "test_prove_util.h"
#include "test_attack_util.h"
#include "test_node_attack.h"

typedef struct {
    int64_t v; /* x at its pads: v right of the real columns, -v below the real rows (0: honest) */
    int done;
} pad_forge;

/* After each LUT's witness (LUTs of the model input): x at the pads of
 * the real batch rows set to v (w pads of real rows), -v (h pads of real
 * columns), 0 (both), y' = T(x) - T0 there (a table pair) and y = y' (what
 * the proof's y~ is there: Ind = 0 at pads), so the BMM reads the proven
 * y. A later LUT reads the forged x through its honest witness. */
static zki_status forge_input_pads(void *ctx, const zki_pk *pk, uint32_t j, zki_witness *W, uint32_t B,
                                   zki_status st)
{
    pad_forge *f = ctx;
    const zki_dag *d = &pk->vk.dag;
    const zki_dag_node *L = &d->nodes[j];
    if (st || !f->v || L->kind != ZKI_NODE_LUT)
        return st;
    zki_tlayout l;
    if (L->in[0] != 0 || !zki_dag_layout(d, j + 1, &l) || !l.map || l.c != 1)
        return zki_fail(ZKI_ERR_INPUT, "attack: node %u is no LUT of the model input", j);
    size_t lw = zki_log2_ceil(l.w), lh = zki_log2_ceil(l.h);
    uint64_t np = (uint64_t)1 << l.log_len;
    int64_t *x = (int64_t *)W->t[0], *ys = W->aux[j], *y = W->own[j + 1];
    int64_t lo = L->aux[0], t0 = L->aux[1 - lo];
    for (uint64_t b = 0; b < B; b++)
        for (uint64_t i = 0; i < np; i++) {
            uint64_t xw = i & ((1u << lw) - 1), xh = (i >> lw) & ((1u << lh) - 1);
            int rw = xw < l.w, rh = xh < l.h;
            if (rw && rh)
                continue;
            int64_t v = rh ? f->v : rw ? -f->v : 0;
            x[b * np + i] = v;
            ys[b * np + i] = y[b * np + i] = L->aux[1 + v - lo] - t0;
        }
    f->done++;
    return ZKI_OK;
}

/* A LUT of x, table max(sign x, 0) (T(0) = 0): a relu of x or of -x. */
static int lut(zki_qmodel *m, int x, shape s, int sign, const char *name)
{
    int64_t T = 256;
    char nm[32];
    snprintf(nm, sizeof nm, "%s.table", name);
    int t = zki_qmodel_add_tensor(m, nm, ZKI_QT_CONST, 8, 1, &T, 0.01);
    m->t[t].data = malloc(sizeof(int64_t) * (size_t)T);
    for (int64_t i = 0; i < T; i++) {
        int64_t v = sign * (i - T / 2);
        m->t[t].data[i] = v > 0 ? (v > 127 ? 127 : v) : 0;
    }
    int y = value_b(m, name, s, 8);
    int ni = zki_qmodel_add_node(m, ZKI_QOP_LUT, name); /* may move m->nodes */
    zki_qnode *q = &m->nodes[ni];
    q->n_in = 2, q->in[0] = x, q->in[1] = t, q->out = y, q->n_p = 1, q->p[0] = -T / 2;
    return y;
}

/* x [1][1][n][n] int8 (n not a power of two) -> a = relu(x), b = relu(-x)
 * (LUTs) -> MatMul(a, b) (M = 300, s = 16) -> 1x1 conv (the
 * key commits a model's weights). */
static zki_qmodel *pad_model(zki_rng *g, int64_t n, int64_t **X)
{
    zki_qmodel *m = calloc(1, sizeof(*m));
    int64_t d4[4] = {1, 1, n, n};
    int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 8, 4, d4, 1.0 / 127);
    m->n_inputs = 1;
    m->inputs[0] = x;
    shape s = {1, n, n};
    int a = lut(m, x, s, 1, "relu_x"), b = lut(m, x, s, -1, "relu_neg_x");
    int y = value_b(m, "ab", s, 8);
    int ni = zki_qmodel_add_node(m, ZKI_QOP_MATMUL, "ab");
    zki_qnode *q = &m->nodes[ni];
    q->n_in = 2, q->in[0] = a, q->in[1] = b, q->out = y, q->n_p = 4;
    q->p[0] = 300, q->p[1] = 16, q->p[2] = -128, q->p[3] = 127;
    return finish_model(m, g, conv(m, g, y, &s, 1, 1, 0, "post"), X);
}

/* Proves X (batch B) as a private input under the forging seam (the key
 * holds a BMM node); the verifier's status or SEAM_PROVER_REFUSED. */
static int private_forged(const zki_qmodel *m, const int64_t *X, uint32_t B, pad_forge *f, int *honest)
{
    zki_pk *pk = NULL;
    int vs = private_seam_proof(m, X, B, forge_input_pads, f, 0, honest, &pk);
    CHECK_MSG(pk && node_of(&pk->vk.dag, ZKI_NODE_BMM) != UINT32_MAX, "no BMM node");
    zki_pk_free(pk);
    return vs;
}

static void test_pad_private_lut(zki_rng *g, uint32_t B)
{
    int64_t *X = NULL;
    zki_qmodel *m = pad_model(g, 3, &X);
    printf("pad_private_lut (B = %u): private x [1][1][3][3] -> relu(x), relu(-x) -> MatMul, x = +-127 at its "
           "pads:\n", B);
    /* the honest private proof: refused for now, saying why */
    pad_forge none = {0, 0};
    int honest = 0;
    int vs = private_forged(m, X, B, &none, &honest);
    CHECK_MSG(vs == SEAM_PROVER_REFUSED && strstr(zki_last_error(), "private input"),
              "pad_private_lut: the honest private proof: %d (%s)", vs, zki_last_error());
    pad_forge f = {127, 0};
    vs = private_forged(m, X, B, &f, &honest);
    CHECK_MSG(f.done == 2, "pad_private_lut: the forging hook ran at %d LUTs, not 2", f.done);
    CHECK_MSG(vs == SEAM_PROVER_REFUSED, "pad_private_lut: the forging prover was not refused: %d", vs);
    free(X);
    zki_qmodel_free(m);
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 4242);
    test_pad_private_lut(&g, 1);
    test_pad_private_lut(&g, 2);
    return TEST_SUMMARY();
}
