#include "cli/cli_input.h"
#include "cli/cli_util.h"
#include "cli/cli_paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *usage_prove =
    "usage: zkinfer prove MODEL.zkm --input X.npy -o PROOF.zkp [options]\n"
    "  Runs the integer model on X (a file holding several samples along its\n"
    "  leading axis is proven as one batch) and writes a proof that the output\n"
    "  came from the committed model. Prints the output and the timings.\n"
    "options:\n"
    "  --key MODEL.zpk     prover key written by compile (default: next to MODEL.zkm)\n"
    "  --private-input     commit the input instead of publishing it\n"
    "  --private-output    commit the output instead of publishing it: the proof\n"
    "                      holds no output, and prove prints none\n"
    "  --quiet             no progress on stderr\n"
    "  --breakdown         print the proof's time by step and by node kind\n"
    ZKI_CLI_INPUT_SCALE_USAGE
    ZKI_CLI_STRICT_USAGE
    ZKI_CLI_INPUT_USAGE;

static void usage(FILE *f) { fputs(usage_prove, f); }

int zki_cli_prover_paths(const char *cmd, const char *model, const char *key, const char *input,
                         const char *input_opt, const char *out)
{
    /* the model's verification key is not read, but a proof written over
     * it would lose the key users verify with: protect it like an input */
    char *kp = key ? NULL : zki_cli_with_ext(model, ".zpk"), *vkp = zki_cli_with_ext(model, ".vk");
    zki_cli_path in[4] = {{model, "the model"}, {input, input_opt}, {key ? key : kp, "the prover key"},
                          {vkp, "the model's verification key"}},
                 outp = {out, "-o"};
    int prc = zki_cli_check_paths(cmd, in, 4, &outp, 1);
    if (prc == CLI_OK)
        prc = zki_cli_check_no_clobber(cmd, out);
    free(vkp);
    free(kp);
    return prc == CLI_OK ? CLI_OK : CLI_USAGE;
}

int zki_cli_open_prover(const char *cmd, const char *model, const char *key, zki_cli_progress *pr, zki_pk **pk)
{
    char *kp = key ? NULL : zki_cli_with_ext(model, ".zpk");
    zki_cli_progress_stage(pr, "loading the model");
    zki_model *m = NULL;
    if (zki_model_load(model, &m) != ZKI_OK) {
        zki_cli_progress_end(pr);
        free(kp);
        return zki_cli_err(model);
    }
    /* read first: a missing key may mean the model cannot be proved */
    unsigned char seed[32], want[32];
    if (zki_pk_file_read(key ? key : kp, seed, want) != ZKI_OK) {
        zki_cli_progress_end(pr);
        free(kp);
        /* no key because the model cannot be proved: say why, as compile did */
        char why[1024];
        int unprovable = zki_cli_unprovable(m, why, sizeof why);
        zki_model_destroy(m);
        if (unprovable) {
            fprintf(stderr, "zkinfer %s: %s cannot be proved, so compile wrote no keys: %s\n", cmd, model, why);
            return CLI_USAGE;
        }
        return zki_cli_err("prover key (run zkinfer compile first)");
    }
    memset(seed, 0, sizeof seed);
    zki_cli_progress_stage(pr, "committing weights");
    /* the key's saved commitment when the weights are the ones it was made
     * for (no encoding), else the weights committed again */
    zki_status sst = zki_pk_load(m, key ? key : kp, pk);
    free(kp);
    zki_cli_progress_end(pr);
    /* the key holds every constant the prover reads: the model's int64
     * weights (8 bytes each) would sit under the prover's peak */
    zki_model_destroy(m);
    return sst != ZKI_OK ? zki_cli_err("prover key") : CLI_OK;
}

int zki_cli_prove(int argc, char **argv)
{
    const char *model = NULL, *input = NULL, *out = NULL, *key = NULL;
    const char *scale = NULL;
    int priv = 0, priv_out = 0, quiet = 0, breakdown = 0;
    zki_cli_in_opts iopt = {0, 0};
    const zki_cli_opt opts[] = {{"--input", &input, NULL},       {"-o", &out, NULL},
                                {"--key", &key, NULL},           {"--input-scale", &scale, NULL},
                                {"--strict", NULL, &iopt.strict}, {"--private-input", NULL, &priv},
                                {"--private-output", NULL, &priv_out}, {"--quiet", NULL, &quiet},
                                {"--breakdown", NULL, &breakdown},  {NULL, NULL, NULL}};
    int prc = zki_cli_parse("prove", argc, argv, opts, &model, usage);
    if (prc != CLI_OK)
        return prc == CLI_HELP ? CLI_OK : CLI_USAGE;
    if (zki_cli_in_scale(scale, &iopt))
        return CLI_USAGE;
    if (!model || !input || !out) {
        fputs(usage_prove, stderr);
        return CLI_USAGE;
    }
    if (zki_cli_prover_paths("prove", model, key, input, "--input", out) != CLI_OK)
        return CLI_USAGE;
    double t0 = zki_cli_now();
    zki_cli_progress pr;
    zki_cli_progress_init(&pr, "prove", quiet);
    zki_pk *pk = NULL;
    int64_t *X = NULL;
    uint32_t B = 0;
    zki_proof *pf = NULL;
    zki_info info;
    int rc = zki_cli_open_prover("prove", model, key, &pr, &pk);
    if (rc != CLI_OK)
        return rc;
    if (zki_vk_info(zki_pk_vk(pk), &info) != ZKI_OK) {
        rc = zki_cli_err("setup");
        goto done;
    }
    double t_setup = zki_cli_now() - t0;
    zki_cli_in_model im;
    if ((rc = zki_cli_in_of_vk(zki_pk_vk(pk), &im)) || (rc = zki_cli_read_input(&im, input, &iopt, &X, &B)))
        goto done;
    double tp0 = zki_cli_now();
    zki_prove_timings stt;
    unsigned flags = (priv ? ZKI_PROVE_PRIVATE_INPUT : 0u) | (priv_out ? ZKI_PROVE_PRIVATE_OUTPUT : 0u);
    zki_status pst = zki_prove_int_ex(pk, X, B, flags, zki_cli_progress_cb, &pr, &stt, &pf);
    zki_cli_progress_end(&pr);
    if (pst != ZKI_OK) {
        rc = zki_cli_err("prove");
        goto done;
    }
    double tprove = zki_cli_now() - tp0;
    size_t pl = zki_proof_size(pf);
    if (!pl) {
        rc = zki_cli_err("proof");
        goto done;
    }
    if (zki_proof_save(pf, out) != ZKI_OK) {
        rc = zki_cli_err("prove");
        goto done;
    }
    const int64_t *y = NULL;
    uint32_t out_n = 0;
    if (zki_proof_output(pf, NULL, &out_n, &y, NULL) != ZKI_OK) {
        rc = zki_cli_err("proof");
        goto done;
    }
    if (y)
        zki_cli_print_output(&info, y, B, out_n, "proved");
    else /* kept off the prover's logs too; run computes it */
        printf("output: committed in the proof (--private-output), not printed; zkinfer run shows it\n");
    printf("load + weight commitment %.3f s; prove %.3f s (witness+lookup sites %.3f, advice commitment "
           "%.3f, sum-checks+lookups %.3f, openings %.3f, zero-knowledge argument %.3f)\n",
           t_setup, tprove, stt.witness_s, stt.commit_s, stt.gadgets_s, stt.open_s, stt.zk_s);
    if (breakdown)
        zki_cli_print_breakdown(pf);
    printf("wrote %s (%zu bytes, batch %u, %s input, %s output)\n", out, pl, B, priv ? "private" : "public",
           priv_out ? "committed" : "public");
done:
    free(X);
    zki_proof_destroy(pf);
    zki_pk_destroy(pk);
    return rc;
}
