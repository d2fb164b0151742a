/* libFuzzer harness: verification keys and proofs of a network with
 * elementwise functions by lookup (src/protocol/gadget_lut.c; LUT nodes of
 * the proof DAG, their tables in the key's payload). Parsing must never
 * crash or over-read; a proof that parses must re-serialise to the same
 * bytes; only the honest proof verifies. Input byte 0 picks:
 *   0: the rest patches the honest vk (pairs of u32 offset, xor byte: the
 *      tables too);
 *   1: the rest is a proof file;
 *   2: the rest patches the honest proof (pairs of u32 offset, xor byte).
 * Model: input [1, 6] -> LUT (a sigmoid-like table, T(0) != 0, on a row
 * padded to 8) -> Linear 5 -> LUT (the same table: one instance) as the
 * output (padded to 8), batch 3 (a padded batch row).
 * Build: cmake -DZKI_FUZZ=ON with CC=clang; run: ./fuzz_lut_proof -max_total_time=60 */
#include "fuzz_model_proof.h"

static int64_t g_in[3 * 6];

/* y = LUT(x) over 8-bit values, shape d (a rising table, T(0) = 37). */
static int lut(zki_qmodel *m, int x, const int64_t *d, int id)
{
    char nm[8] = {'t', (char)('0' + id), 0};
    int64_t T = 256;
    int t = zki_qmodel_add_tensor(m, nm, ZKI_QT_CONST, 8, 1, &T, 0.01);
    m->t[t].data = malloc(sizeof(int64_t) * 256);
    for (int64_t i = 0; i < 256; i++)
        m->t[t].data[i] = (i - 128) / 3 + 37;
    nm[0] = 'y';
    int y = fuzz_add_tensor(m, nm, ZKI_QT_VALUE, 8, 2, d, 0);
    int ni = zki_qmodel_add_node(m, ZKI_QOP_LUT, nm);
    zki_qnode *n = &m->nodes[ni];
    n->n_in = 2, n->in[0] = x, n->in[1] = t, n->out = y, n->n_p = 1, n->p[0] = -128;
    return y;
}

static void setup(void)
{
    zki_qmodel *m = calloc(1, sizeof(*m));
    static const uint8_t seed[32] = {11};
    int64_t xd[2] = {1, 6}, ld[2] = {5, 6}, lb[1] = {5}, hd[2] = {1, 5};
    int x = fuzz_add_tensor(m, "x", ZKI_QT_INPUT, 8, 2, xd, 0);
    m->n_inputs = m->n_outputs = 1;
    m->inputs[0] = x;
    int a = lut(m, x, xd, 0);
    int lw = fuzz_add_tensor(m, "lw", ZKI_QT_CONST, 8, 2, ld, 3), lbt = fuzz_add_tensor(m, "lb", ZKI_QT_CONST, 32, 1, lb, 4);
    int h = fuzz_add_tensor(m, "h", ZKI_QT_VALUE, 8, 2, hd, 0);
    int n3 = zki_qmodel_add_node(m, ZKI_QOP_LINEAR, "fc");
    zki_qnode *n = &m->nodes[n3];
    const int64_t lp[4] = {1 << 12, 20, -128, 127};
    n->n_in = 3, n->in[0] = a, n->in[1] = lw, n->in[2] = lbt, n->out = h, n->n_p = 4;
    memcpy(n->p, lp, sizeof lp);
    m->outputs[0] = lut(m, h, hd, 1);
    for (int i = 0; i < 18; i++)
        g_in[i] = (i * 37) % 200 - 100;
    fuzz_model_setup(m, seed, g_in, 3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_pk)
        setup();
    return fuzz_model_input(data, size, 1);
}
