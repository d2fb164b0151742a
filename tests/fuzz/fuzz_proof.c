/* libFuzzer harness: verification keys and MLP proofs (src/prover/keys.c,
 * src/prover/proof_io.c, src/verifier/verify.c); the checks and input modes
 * are fuzz_model_proof.h's (mode 0: the rest is a vk file).
 * Build: cmake -DZKI_FUZZ=ON with CC=clang; run: ./fuzz_proof -max_total_time=60 */
#include "fuzz_model_proof.h"
#include "random_mlp.h"

static int64_t g_in[2 * 6];

static void setup(void)
{
    static const uint32_t widths[] = {6, 5, 3};
    static const int relu[] = {1, 0};
    static const uint8_t seed[32] = {7};
    zki_qmodel *m;
    if (zki_random_mlp(widths, relu, 2, 11, &m))
        abort();
    for (int i = 0; i < 12; i++)
        g_in[i] = (i * 37) % 200 - 100;
    fuzz_model_setup(m, seed, g_in, 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_pk)
        setup();
    return fuzz_model_input(data, size, 0);
}
