/* A verifier built from the verifier-only library (libzkinfer_verify.a)
 * and libcrypto alone: tests/check_layers.sh links it without the prover,
 * the ONNX importer, the quantiser or OpenMP. Verifies a proof with a
 * private input (nothing to read but the key and the proof).
 * Usage: verify_only KEY.vk PROOF.zkp; exit 0 verified, 1 rejected, 2 usage. */
#include <stdio.h>
#include <stdlib.h>

#include "common/file_read.h"
#include "protocol/key.h"
#include "protocol/proof.h"
#include "verifier/verifier.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: verify_only KEY.vk PROOF.zkp\n");
        return 2;
    }
    zki_vk vk;
    if (zki_vk_read(argv[1], &vk) != ZKI_OK) {
        fprintf(stderr, "verify_only: %s\n", zki_last_error());
        return 2;
    }
    uint8_t head[ZKI_PROOF_HEAD_LEN], *b = NULL;
    size_t got = 0, n = 0;
    uint64_t cap = 0;
    zki_proof pf;
    int rc = 1;
    if (zki_read_file_head(argv[2], SIZE_MAX, head, sizeof head, &got) == ZKI_OK &&
        zki_proof_size_cap(&vk, head, got, &cap) == ZKI_OK &&
        zki_read_file(argv[2], (size_t)cap, &b, &n) == ZKI_OK && zki_proof_from_bytes(&vk, &pf, b, n) == ZKI_OK) {
        rc = zki_verify(&vk, NULL, pf.B, &pf) == ZKI_OK ? 0 : 1;
        zki_proof_free(&pf);
    }
    printf("%s%s%s\n", rc ? "rejected: " : "verified", rc ? zki_last_error() : "", "");
    free(b);
    zki_vk_free(&vk);
    return rc;
}
