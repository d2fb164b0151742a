/* libFuzzer harness: PCS proof and commitment parsing, and verification of
 * whatever parses against a fixed small commitment. Parsing must never
 * crash or over-read; what parses must re-serialise to the same bytes;
 * verification of fuzzed proofs must fail cleanly, against one claim (tensor
 * mode, a single row) and two claims (classic mode, with a proximity row).
 * Build: cmake -DZKI_FUZZ=ON with CC=clang; run: ./fuzz_pcs_proof -max_total_time=60 */
#include <stdlib.h>
#include <string.h>

#include "pcs/pcs.h"

/* With ZKI_FUZZ the library itself is built with coverage instrumentation
 * (CMakeLists.txt), so libFuzzer sees the parser and verifier. */

static zki_pcs_prover *g_pr;
static zki_ext g_point[7], g_point2[7];
static zki_pcs_claim g_claim[2]; /* one claim: tensor mode; both: classic mode */

static void setup(void)
{
    static int8_t data[100];
    for (int i = 0; i < 100; i++)
        data[i] = (int8_t)(i * 37);
    zki_pcs_vec v = {ZKI_PCS_I8, data, 100};
    zki_pcs_params p;
    zki_pcs_params_default(&p);
    p.grind_bits = 4; /* the proof-of-work check, cheap enough to pass by chance */
    if (zki_pcs_commit(&g_pr, &p, &v, 1))
        abort();
    for (int i = 0; i < 7; i++) {
        g_point[i] = zki_ext_make((zki_fe)i + 3, (zki_fe)i * 5);
        g_point2[i] = zki_ext_make((zki_fe)i + 11, (zki_fe)i * 2);
    }
    g_claim[0] = (zki_pcs_claim){0, 0, g_point, zki_ext_make(1, 2), 0};
    g_claim[1] = (zki_pcs_claim){0, 0, g_point2, zki_ext_make(3, 4), 0};
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_pr)
        setup();
    zki_pcs_proof p;
    if (zki_pcs_proof_from_bytes(&p, data, size) == ZKI_OK) {
        uint8_t *b;
        size_t len;
        if (zki_pcs_proof_to_bytes(&p, &b, &len) == ZKI_OK) {
            if (len != size || memcmp(b, data, size))
                abort(); /* parsing is not a bijection */
            free(b);
        }
        const zki_pcs_commitment *c = zki_pcs_prover_commitment(g_pr);
        for (size_t n = 1; n <= 2; n++) {
            zki_transcript ts;
            if (zki_ts_init(&ts, "fuzz", 1) == ZKI_OK) {
                if (zki_pcs_verify(&ts, &c, 1, g_claim, n, &p) == ZKI_OK)
                    abort(); /* the claims are false */
                zki_ts_free(&ts);
            }
        }
        zki_pcs_proof_free(&p);
    }
    zki_pcs_commitment c;
    if (zki_pcs_commitment_from_bytes(&c, data, size) == ZKI_OK) {
        uint8_t *b;
        size_t len;
        if (zki_pcs_commitment_to_bytes(&c, &b, &len) == ZKI_OK) {
            if (len != size || memcmp(b, data, size))
                abort();
            free(b);
        }
        zki_pcs_commitment_free(&c);
    }
    return 0;
}
