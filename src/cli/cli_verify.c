#include "cli/cli_input.h"
#include "cli/cli_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/error.h"
#include "protocol/bytes.h"
#include "common/file_read.h"
#include "verifier/verifier.h"

static const char *usage_verify =
    "usage: zkinfer verify MODEL.vk --proof PROOF.zkp [--input X.npy [--input-scale S]]\n"
    "  Checks the proof against the verification key and the input (omit --input\n"
    "  for a proof made with --private-input). Prints the verified output and\n"
    "  exits 0, or exits 1 with the reason. X is read and checked as by prove\n"
    "  (give the same --input-scale).\n"
    "options:\n"
    ZKI_CLI_INPUT_SCALE_USAGE;

/* The library's reason, without a second "verify: ". */
static void rejected(void)
{
    const char *m = zki_last_error();
    fprintf(stderr, "zkinfer verify: proof rejected: %s\n", strncmp(m, "verify: ", 8) ? m : m + 8);
}

/* The size cap of proof under vk, from its header; an exit code. A proof
 * larger than the cap is rejected (exit 1) without being read. */
static int proof_cap(const zki_vk *vk, const char *proof, uint64_t *cap)
{
    uint8_t head[ZKI_PROOF_HEAD_LEN];
    struct stat st;
    *cap = sizeof head;
    /* not a regular file (a FIFO would block the open): the reader says so */
    if (stat(proof, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size < sizeof head)
        return CLI_OK;
    size_t n = 0;
    if (zki_read_file_head(proof, SIZE_MAX, head, sizeof head, &n) != ZKI_OK)
        return zki_cli_err(proof);
    if (zki_proof_size_cap(vk, head, n, cap) != ZKI_OK) {
        rejected();
        return CLI_CHECK;
    }
    if ((uint64_t)st.st_size > *cap) {
        fprintf(stderr, "zkinfer verify: proof rejected: %s is %lld bytes, more than any proof for this key and "
                "its batch can be (%llu bytes)\n", proof, (long long)st.st_size, (unsigned long long)*cap);
        return CLI_CHECK;
    }
    return CLI_OK;
}

static void usage(FILE *f) { fputs(usage_verify, f); }

int zki_cli_verify(int argc, char **argv)
{
    const char *vkp = NULL, *input = NULL, *proof = NULL;
    const char *scale = NULL;
    zki_cli_in_opts iopt = {0, 0};
    const zki_cli_opt opts[] = {{"--input", &input, NULL}, {"--proof", &proof, NULL}, {"--input-scale", &scale, NULL},
                                {NULL, NULL, NULL}};
    int prc = zki_cli_parse("verify", argc, argv, opts, &vkp, usage);
    if (prc != CLI_OK)
        return prc == CLI_HELP ? CLI_OK : CLI_USAGE;
    if (zki_cli_in_scale(scale, &iopt))
        return CLI_USAGE;
    if (!vkp || !proof) {
        fputs(usage_verify, stderr);
        return CLI_USAGE;
    }
    if (!input && iopt.input_scale > 0) {
        fprintf(stderr, "zkinfer verify: --input-scale applies to --input, which is not given\n");
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
    zki_cli_in_model im;
    if (input && ((rc = zki_cli_in_of_arch(&vk.dag, &im)) || (rc = zki_cli_read_input(&im, input, &iopt, &X, &B))))
        goto done;
    /* a proof file is never larger than what the key lets the verifier
     * spend on the batch its header names */
    uint64_t cap = 0;
    if ((rc = proof_cap(&vk, proof, &cap)))
        goto done;
    if (zki_read_file(proof, (size_t)cap, &pb, &pl) != ZKI_OK) {
        rc = zki_cli_err(proof);
        goto done;
    }
    double t0 = zki_cli_now();
    if (zki_proof_from_bytes(&vk, &pf, pb, pl) != ZKI_OK) {
        rejected();
        rc = CLI_CHECK;
        goto done;
    }
    if (!input)
        B = pf.B;
    if (zki_verify(&vk, X, B, &pf) != ZKI_OK) {
        rejected();
        rc = CLI_CHECK;
        goto done;
    }
    double tv = zki_cli_now() - t0;
    zki_cli_print_output(&vk.dag, pf.output, B, pf.out_n, "verified");
    printf("proof verified in %.3f s (%zu bytes, batch %u, %s input)\n", tv, pl, B,
           pf.private_input ? "private" : "public");
done:
    zki_proof_free(&pf);
    free(pb);
    free(X);
    zki_vk_free(&vk);
    return rc;
}
