/* libFuzzer harness: CNN verification keys and proofs (conv, max pool and
 * flattening nodes of the proof DAG: src/prover/lower.c, src/protocol/,
 * proof_io.c, verifier/verify.c). Parsing
 * must never crash or over-read; a proof that parses must re-serialise to
 * the same bytes; only the honest proof verifies. Input byte 0 picks:
 *   0: the rest patches the honest vk (pairs of u32 offset, xor byte);
 *   1: the rest is a proof file;
 *   2: the rest patches the honest proof (pairs of u32 offset, xor byte).
 * Model: input [1, 2, 5, 4] -> Conv 6@3x3 (2 groups of 1 -> 3 channels: the
 * conv gadget's general-groups path; pads 1 0 1 1, ReLU)
 * -> MaxPool 2x2 stride 1 pad right -> Flatten -> Linear 3, batch 2.
 * Build: cmake -DZKI_FUZZ=ON with CC=clang; run: ./fuzz_cnn_proof -max_total_time=60 */
#include "fuzz_model_proof.h"

static int64_t g_in[2 * 40];

static void setup(void)
{
    zki_qmodel *m = calloc(1, sizeof(*m));
    static const uint8_t seed[32] = {9};
    int64_t xd[4] = {1, 2, 5, 4}, wd[4] = {6, 1, 3, 3}, bd[1] = {6}, cd[4] = {1, 6, 5, 3};
    int64_t pdims[4] = {1, 6, 4, 3}, fd[2] = {1, 72}, ld[2] = {3, 72}, lb[1] = {3}, yd[2] = {1, 3};
    int x = fuzz_add_tensor(m, "x", ZKI_QT_INPUT, 8, 4, xd, 0), w = fuzz_add_tensor(m, "w", ZKI_QT_CONST, 8, 4, wd, 1);
    int b = fuzz_add_tensor(m, "b", ZKI_QT_CONST, 32, 1, bd, 2), c = fuzz_add_tensor(m, "c", ZKI_QT_VALUE, 8, 4, cd, 0);
    int p = fuzz_add_tensor(m, "p", ZKI_QT_VALUE, 8, 4, pdims, 0), f = fuzz_add_tensor(m, "f", ZKI_QT_VALUE, 8, 2, fd, 0);
    int lw = fuzz_add_tensor(m, "lw", ZKI_QT_CONST, 8, 2, ld, 3), lbt = fuzz_add_tensor(m, "lb", ZKI_QT_CONST, 32, 1, lb, 4);
    int y = fuzz_add_tensor(m, "y", ZKI_QT_VALUE, 8, 2, yd, 0);
    m->n_inputs = m->n_outputs = 1;
    m->inputs[0] = x;
    m->outputs[0] = y;
    int n0 = zki_qmodel_add_node(m, ZKI_QOP_CONV, "conv");
    zki_qnode *n = &m->nodes[n0];
    const int64_t cp[15] = {1 << 14, 20, 0, 127, 2, 3, 3, 1, 1, 1, 1, 1, 0, 1, 1};
    n->n_in = 3, n->in[0] = x, n->in[1] = w, n->in[2] = b, n->out = c, n->n_p = 15;
    memcpy(n->p, cp, sizeof cp);
    int n1 = zki_qmodel_add_node(m, ZKI_QOP_MAXPOOL, "pool");
    n = &m->nodes[n1];
    const int64_t pp[10] = {2, 2, 1, 1, 1, 1, 0, 0, 0, 1};
    n->n_in = 1, n->in[0] = c, n->out = p, n->n_p = 10;
    memcpy(n->p, pp, sizeof pp);
    int n2 = zki_qmodel_add_node(m, ZKI_QOP_RESHAPE, "flatten");
    m->nodes[n2].n_in = 1, m->nodes[n2].in[0] = p, m->nodes[n2].out = f;
    int n3 = zki_qmodel_add_node(m, ZKI_QOP_LINEAR, "fc");
    n = &m->nodes[n3];
    const int64_t lp[4] = {1 << 12, 20, -128, 127};
    n->n_in = 3, n->in[0] = f, n->in[1] = lw, n->in[2] = lbt, n->out = y, n->n_p = 4;
    memcpy(n->p, lp, sizeof lp);
    for (int i = 0; i < 80; i++)
        g_in[i] = (i * 37) % 200 - 100;
    fuzz_model_setup(m, seed, g_in, 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_pk)
        setup();
    return fuzz_model_input(data, size, 1);
}
