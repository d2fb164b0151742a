#include "cli/cli_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "onnx/onnx.h"
#include "prover/bytes.h"
#include "verifier/verifier.h"

static const char *usage_verify =
    "usage: zkinfer verify MODEL.vk --proof PROOF.zkp [--input X.npy]\n"
    "  Checks the proof against the verification key and the input (omit --input\n"
    "  for a proof made with --private-input). Prints the verified output and\n"
    "  exits 0, or exits 1 with the reason.\n";

int zki_cli_verify(int argc, char **argv)
{
    const char *vkp = NULL, *input = NULL, *proof = NULL;
    for (int k = 0; k < argc; k++) {
        const char *a = argv[k];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_verify, stdout);
            return CLI_OK;
        }
        if (!strcmp(a, "--input") && k + 1 < argc)
            input = argv[++k];
        else if (!strcmp(a, "--proof") && k + 1 < argc)
            proof = argv[++k];
        else if (a[0] != '-' && !vkp)
            vkp = a;
        else {
            fprintf(stderr, "zkinfer verify: unexpected argument '%s'\n%s", a, usage_verify);
            return CLI_USAGE;
        }
    }
    if (!vkp || !proof) {
        fputs(usage_verify, stderr);
        return CLI_USAGE;
    }
    zki_vk vk;
    if (zki_vk_read(vkp, &vk) != ZKI_OK)
        return zki_cli_err(vkp);
    int rc = CLI_OK;
    int64_t *X = NULL;
    uint32_t B = 0;
    uint8_t *pb = NULL;
    size_t pl = 0;
    zki_proof pf;
    memset(&pf, 0, sizeof(pf));
    if (input && (rc = zki_cli_quant_input(&vk.arch, input, &X, &B)))
        goto done;
    if (zki_read_file(proof, (size_t)1 << 32, &pb, &pl) != ZKI_OK) {
        rc = zki_cli_err(proof);
        goto done;
    }
    double t0 = zki_cli_now();
    if (zki_proof_from_bytes(&vk, &pf, pb, pl) != ZKI_OK) {
        fprintf(stderr, "zkinfer verify: proof rejected: %s\n", zki_last_error());
        rc = CLI_CHECK;
        goto done;
    }
    if (!input)
        B = pf.B;
    if (zki_verify(&vk, X, B, &pf) != ZKI_OK) {
        fprintf(stderr, "zkinfer verify: proof rejected: %s\n", zki_last_error());
        rc = CLI_CHECK;
        goto done;
    }
    double tv = zki_cli_now() - t0;
    zki_cli_print_output(&vk.arch, pf.output, B, pf.out_n, "verified");
    printf("proof verified in %.3f s (%zu bytes, batch %u, %s input)\n", tv, pl, B,
           pf.private_input ? "private" : "public");
done:
    zki_proof_free(&pf);
    free(pb);
    free(X);
    zki_vk_free(&vk);
    return rc;
}
