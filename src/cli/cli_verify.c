#include "cli/cli_input.h"
#include "cli/cli_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *usage_verify =
    "usage: zkinfer verify MODEL.vk --proof PROOF.zkp [--input X.npy [--input-scale S]]\n"
    "       zkinfer verify MODEL.vk --proof GEN.zkp --prompt IDS.npy\n"
    "  Checks the proof against the verification key and the input (omit --input\n"
    "  for a proof made with --private-input). Prints the verified output (a\n"
    "  proof made with --private-output holds none: it proves that the output\n"
    "  it commits is the model's) and exits 0, or exits 1 with the reason. X is\n"
    "  read and checked as by prove (give the same --input-scale). A proof from\n"
    "  zkinfer generate is checked against the prompt it continues; the\n"
    "  generated ids are printed.\n"
    "options:\n"
    ZKI_CLI_INPUT_SCALE_USAGE;

/* The library's reason, without a second "proof rejected: " or "verify: ". */
static void rejected(void)
{
    const char *m = zki_last_error();
    if (!strncmp(m, "proof rejected: ", 16))
        m += 16;
    fprintf(stderr, "zkinfer verify: proof rejected: %s\n", strncmp(m, "verify: ", 8) ? m : m + 8);
}

static void usage(FILE *f) { fputs(usage_verify, f); }

int zki_cli_verify(int argc, char **argv)
{
    const char *vkp = NULL, *input = NULL, *proof = NULL, *prompt = NULL;
    const char *scale = NULL;
    zki_cli_in_opts iopt = {0, 0};
    const zki_cli_opt opts[] = {{"--input", &input, NULL},         {"--proof", &proof, NULL},
                                {"--input-scale", &scale, NULL}, {"--prompt", &prompt, NULL},
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
    if (input && prompt) {
        fprintf(stderr, "zkinfer verify: give --input (a plain proof) or --prompt (a generation proof), not both\n");
        return CLI_USAGE;
    }
    if (!input && iopt.input_scale > 0) {
        fprintf(stderr, "zkinfer verify: --input-scale applies to --input, which is not given\n");
        return CLI_USAGE;
    }
    zki_vk *vk = NULL;
    if (zki_vk_load(vkp, &vk) != ZKI_OK)
        return zki_cli_err(vkp);
    int rc = CLI_OK;
    int64_t *X = NULL;
    uint32_t B = 0;
    zki_proof *pf = NULL;
    zki_info info;
    zki_cli_in_model im;
    if (zki_vk_info(vk, &info) != ZKI_OK) {
        rc = zki_cli_err(vkp);
        goto done;
    }
    if (input && ((rc = zki_cli_in_of_vk(vk, &im)) || (rc = zki_cli_read_input(&im, input, &iopt, &X, &B))))
        goto done;
    uint32_t np = 0;
    if (prompt && (rc = zki_cli_read_ids("verify", prompt, "--prompt", &X, &np)))
        goto done;
    /* a proof file is never larger than what the key lets the verifier
     * spend on the batch its header names: a larger one is refused unread */
    double t0 = zki_cli_now();
    zki_status st = zki_proof_load(vk, proof, &pf);
    if (st != ZKI_OK) {
        if (st == ZKI_ERR_VERIFY)
            rejected();
        rc = st == ZKI_ERR_VERIFY ? CLI_CHECK : zki_cli_err(proof);
        goto done;
    }
    const int64_t *gen = NULL;
    uint32_t ng = 0;
    if (zki_proof_generated(pf, &gen, &ng, NULL) != ZKI_OK) {
        rc = zki_cli_err(proof);
        goto done;
    }
    if (ng || prompt) { /* a generation proof, checked against its prompt */
        if (!ng || !prompt) {
            fprintf(stderr, "zkinfer verify: %s\n", ng ? "this proof is of a generation: give the prompt it continues "
                                                        "(--prompt IDS.npy)"
                                                      : "this proof is not of a generation: verify it with --input");
            rc = CLI_USAGE;
            goto done;
        }
    }
    uint32_t pb = 0, out_n = 0;
    int priv = 0;
    const int64_t *y = NULL;
    if (zki_proof_output(pf, &pb, &out_n, &y, &priv) != ZKI_OK) {
        rc = zki_cli_err(proof);
        goto done;
    }
    if (!input)
        B = pb;
    if (X && priv && !ng) { /* the API calls this a misuse (ZKI_ERR_INPUT); here it is the proof's fault */
        fprintf(stderr, "zkinfer verify: proof rejected: the proof commits its input; verify without --input\n");
        rc = CLI_CHECK;
        goto done;
    }
    if ((ng ? zki_verify_generation(vk, X, np, pf) : zki_verify_int(vk, X, B, pf)) != ZKI_OK) {
        rejected();
        rc = CLI_CHECK;
        goto done;
    }
    double tv = zki_cli_now() - t0;
    if (ng) {
        zki_cli_print_ids("prompt", X, np);
        zki_cli_print_ids("verified generated", gen, ng);
        printf("proof verified in %.3f s (%zu bytes, %u new tokens, the argmax of each position's logits)\n", tv,
               zki_proof_size(pf), ng);
        goto done;
    }
    if (y)
        zki_cli_print_output(&info, y, B, out_n, "verified");
    else
        printf("output: committed in the proof (made with --private-output), not shown\n");
    printf("proof verified in %.3f s (%zu bytes, batch %u, %s input, %s output)\n", tv, zki_proof_size(pf), B,
           priv ? "private" : "public", y ? "public" : "committed");
done:
    zki_proof_destroy(pf);
    free(X);
    zki_vk_destroy(vk);
    return rc;
}
