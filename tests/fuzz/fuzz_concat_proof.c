/* libFuzzer harness: verification keys and proofs of a network with
 * channel Concats (src/ops/concat.c, src/protocol/gadget_concat.c; CONCAT nodes of
 * the proof DAG in src/prover/keys.c, proof_io.c, verifier/verify.c). Parsing must never crash or over-read; a proof
 * that parses must re-serialise to the same bytes; only the honest proof
 * verifies. Input byte 0 picks:
 *   0: the rest patches the honest vk (pairs of u32 offset, xor byte);
 *   1: the rest is a proof file;
 *   2: the rest patches the honest proof (pairs of u32 offset, xor byte).
 * Model: input [1, 2, 4, 3] -> Conv 1x1 2 -> 2 (ReLU) -> fork: Conv 1x1
 * 2 -> 3, Conv 3x3 pad 1 2 -> 2 -> Concat (3 + 2 channels; every join is
 * one sum-check of m + lt rounds) -> Concat(., Conv 1x1 5 -> 4) (5 + 4: a
 * Concat reading a Concat) -> Flatten -> Linear 3, batch 2.
 * Build: cmake -DZKI_FUZZ=ON with CC=clang; run: ./fuzz_concat_proof -max_total_time=60 */
#include "fuzz_model_proof.h"

static int64_t g_in[2 * 24];

static int conv(zki_qmodel *m, int x, int64_t C, int64_t OC, int64_t k, int id)
{
    char nm[8] = {'w', (char)('0' + id), 0};
    int64_t wd[4] = {OC, C, k, k}, bd[1] = {OC}, yd[4] = {1, OC, 4, 3};
    int w = fuzz_add_tensor(m, nm, ZKI_QT_CONST, 8, 4, wd, id);
    nm[0] = 'b';
    int b = fuzz_add_tensor(m, nm, ZKI_QT_CONST, 32, 1, bd, id + 7);
    nm[0] = 'c';
    int y = fuzz_add_tensor(m, nm, ZKI_QT_VALUE, 8, 4, yd, 0);
    int ni = zki_qmodel_add_node(m, ZKI_QOP_CONV, nm);
    zki_qnode *n = &m->nodes[ni];
    const int64_t p = k / 2, cp[15] = {1 << 14, 20, 0, 127, 1, k, k, 1, 1, 1, 1, p, p, p, p};
    n->n_in = 3, n->in[0] = x, n->in[1] = w, n->in[2] = b, n->out = y, n->n_p = 15;
    memcpy(n->p, cp, sizeof cp);
    return y;
}

static int cat(zki_qmodel *m, int a, int b, int64_t C, int id)
{
    char nm[8] = {'k', (char)('0' + id), 0};
    int64_t yd[4] = {1, C, 4, 3};
    int y = fuzz_add_tensor(m, nm, ZKI_QT_VALUE, 8, 4, yd, 0);
    int ni = zki_qmodel_add_node(m, ZKI_QOP_CONCAT, nm);
    zki_qnode *n = &m->nodes[ni];
    n->n_in = 2, n->in[0] = a, n->in[1] = b, n->out = y, n->n_p = 1, n->p[0] = 1;
    return y;
}

static void setup(void)
{
    zki_qmodel *m = calloc(1, sizeof(*m));
    static const uint8_t seed[32] = {9};
    int64_t xd[4] = {1, 2, 4, 3}, fd[2] = {1, 108}, ld[2] = {3, 108}, lb[1] = {3}, yd[2] = {1, 3};
    int x = fuzz_add_tensor(m, "x", ZKI_QT_INPUT, 8, 4, xd, 0);
    m->n_inputs = m->n_outputs = 1;
    m->inputs[0] = x;
    int s = conv(m, x, 2, 2, 1, 0);
    int e1 = conv(m, s, 2, 3, 1, 1), e3 = conv(m, s, 2, 2, 3, 2);
    int y1 = cat(m, e1, e3, 5, 0);
    int d = conv(m, y1, 5, 4, 1, 3);
    int y2 = cat(m, y1, d, 9, 1);
    int f = fuzz_add_tensor(m, "f", ZKI_QT_VALUE, 8, 2, fd, 0);
    int n2 = zki_qmodel_add_node(m, ZKI_QOP_RESHAPE, "flatten");
    m->nodes[n2].n_in = 1, m->nodes[n2].in[0] = y2, m->nodes[n2].out = f;
    int lw = fuzz_add_tensor(m, "lw", ZKI_QT_CONST, 8, 2, ld, 3), lbt = fuzz_add_tensor(m, "lb", ZKI_QT_CONST, 32, 1, lb, 4);
    int y = fuzz_add_tensor(m, "y", ZKI_QT_VALUE, 8, 2, yd, 0);
    m->outputs[0] = y;
    int n3 = zki_qmodel_add_node(m, ZKI_QOP_LINEAR, "fc");
    zki_qnode *n = &m->nodes[n3];
    const int64_t lp[4] = {1 << 12, 20, -128, 127};
    n->n_in = 3, n->in[0] = f, n->in[1] = lw, n->in[2] = lbt, n->out = y, n->n_p = 4;
    memcpy(n->p, lp, sizeof lp);
    for (int i = 0; i < 48; i++)
        g_in[i] = (i * 37) % 200 - 100;
    fuzz_model_setup(m, seed, g_in, 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_pk)
        setup();
    return fuzz_model_input(data, size, 1);
}
