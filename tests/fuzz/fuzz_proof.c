/* libFuzzer harness: verification keys and MLP proofs (src/prover/keys.c,
 * src/prover/proof_io.c, src/verifier/verify.c). Parsing must never crash
 * or over-read; a proof that parses must re-serialise to the same bytes and
 * its verification must end in a clean accept/reject. Input byte 0 picks:
 *   0: the rest is a vk file;  1: the rest is a proof file;
 *   2: the rest patches an honest proof (pairs of u32 offset, xor byte), so
 *      the fuzzer reaches the verifier's deep checks.
 * An honest proof that verifies is the only accepted input: a patched proof
 * that still verifies aborts (a soundness bug or a no-op patch, which the
 * harness filters by comparing bytes).
 * Build: cmake -DZKI_FUZZ=ON with CC=clang; run: ./fuzz_proof -max_total_time=60 */
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "prover/random_mlp.h"
#include "verifier/verifier.h"

static zki_pkey *g_pk;
static uint8_t *g_proof, *g_vk;
static size_t g_proof_len, g_vk_len;
static int64_t g_x[2 * 6];

static void setup(void)
{
    static const uint32_t widths[] = {6, 5, 3};
    static const int relu[] = {1, 0};
    static const uint8_t seed[32] = {7};
    zki_qmodel *m;
    if (zki_random_mlp(widths, relu, 2, 11, &m) || zki_setup(m, seed, &g_pk))
        abort();
    for (int i = 0; i < 12; i++)
        g_x[i] = (i * 37) % 200 - 100;
    zki_prove_opts o = {0, seed, NULL, NULL};
    zki_proof pf;
    if (zki_prove(g_pk, g_x, 2, &o, &pf, NULL) || zki_proof_to_bytes(&pf, &g_proof, &g_proof_len) ||
        zki_vk_to_bytes(&g_pk->vk, &g_vk, &g_vk_len))
        abort();
    zki_proof_free(&pf);
    zki_qmodel_free(m);
}

static void check_proof(const uint8_t *b, size_t n)
{
    zki_proof pf;
    if (zki_proof_from_bytes(&g_pk->vk, &pf, b, n) != ZKI_OK)
        return;
    uint8_t *again;
    size_t al;
    if (zki_proof_to_bytes(&pf, &again, &al) || al != n || memcmp(again, b, n))
        abort(); /* parse/serialise must be a bijection on what parses */
    free(again);
    zki_status st = zki_verify(&g_pk->vk, g_x, 2, &pf);
    if (st == ZKI_OK && (n != g_proof_len || memcmp(b, g_proof, n)))
        abort(); /* a different proof accepted */
    zki_proof_free(&pf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_pk)
        setup();
    if (size < 1)
        return 0;
    const uint8_t *d = data + 1;
    size_t n = size - 1;
    if (data[0] == 0) {
        zki_vk vk;
        if (zki_vk_from_bytes(&vk, d, n) == ZKI_OK)
            zki_vk_free(&vk);
    } else if (data[0] == 1) {
        check_proof(d, n);
    } else if (data[0] == 2) {
        uint8_t *c = malloc(g_proof_len);
        if (!c)
            return 0;
        memcpy(c, g_proof, g_proof_len);
        for (size_t i = 0; i + 5 <= n; i += 5) {
            uint32_t off = (uint32_t)d[i] | (uint32_t)d[i + 1] << 8 | (uint32_t)d[i + 2] << 16 |
                           (uint32_t)d[i + 3] << 24;
            c[off % g_proof_len] ^= d[i + 4];
        }
        check_proof(c, g_proof_len);
        free(c);
    }
    return 0;
}
