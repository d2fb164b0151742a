#include "cli/cli_input.h"
#include "cli/cli_util.h"
#include "cli/cli_paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *usage_compile =
    "usage: zkinfer compile MODEL.onnx --calib DIR_OR_FILE -o OUT.zkm [options]\n"
    "  Imports the ONNX model, calibrates on the samples (.npy or ONNX .pb files; a\n"
    "  file may hold a batch along its leading axis), quantises it and writes OUT.zkm;\n"
    "  for a provable model (below) also commits the weights and writes OUT.vk\n"
    "  (verification key) and OUT.zpk (secret prover key, mode 0600); OUT must end\n"
    "  in .zkm. Stale keys of an earlier compile are removed when the model gets none.\n"
    "  Prints the graph summary and an accuracy report (quantised vs float).\n"
    "options:\n"
    "  --eval FILE         samples for the accuracy report (default: the calibration set)\n"
    "  --weight-bits 8|16  weight precision (default 8)\n"
    "  --act-bits 8|16     activation precision (default 8)\n"
    "  --requant-each-layer  requantise every Conv/Linear output, also one read only\n"
    "                      by an Add (default: the Add requantises the exact sum once)\n"
    "  --min-cosine X      exit 1 if the mean cosine similarity is below X (in [-1, 1])\n"
    "  --min-top1 X        exit 1 if the top-1 agreement is below X (a fraction in [0, 1])\n"
    "  --require-keys      exit 1 if the model is outside the provable class (no keys)\n"
    "  --zk-proofs N       zero-knowledge proofs the keys serve (default 16);\n"
    "                      the budget is the key's across all processes: count the proofs\n"
    "                      and compile again before it is spent (a larger N: a larger key)\n"
    "Calibration data must be float (scaled as in training), finite and not constant.\n";

_Static_assert(ZKINFER_ZK_PROOFS_DEFAULT == 16, "the usage's --zk-proofs default");

static int parse_bits(const char *opt, const char *s, int *out)
{
    if (zki_cli_parse_int(opt, s, 8, 16, out))
        return CLI_USAGE;
    if (*out != 8 && *out != 16) {
        fprintf(stderr, "zkinfer: %s: '%s' is not 8 or 16\n", opt, s);
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* Keys go beside the model with its extension replaced (OUT.vk, OUT.zpk).
 * Requiring OUT to end in .zkm keeps them apart from OUT (`-o m.vk` would
 * be overwritten by its own key) and catches `-o m.onnx` typos early; a
 * clear refusal beats deriving odd key names such as m.vk.vk. */
static int check_outputs(const char *model, const char *calib, const char *eval, const char *out)
{
    size_t n = strlen(out);
    const char *base = strrchr(out, '/') ? strrchr(out, '/') + 1 : out;
    if (n < 4 || strcmp(out + n - 4, ".zkm") || strlen(base) == 4) { /* ".zkm" alone: hidden, nameless */
        char *s = strlen(base) > 0 && base[0] != '.' ? zki_cli_with_ext(out, ".zkm") : NULL;
        fprintf(stderr, "zkinfer compile: -o %s: the model must go to a .zkm file (its keys are written "
                "beside it as .vk and .zpk); use e.g. -o %s\n", out, s ? s : "model.zkm");
        free(s);
        return CLI_USAGE;
    }
    char *vk = zki_cli_with_ext(out, ".vk"), *zpk = zki_cli_with_ext(out, ".zpk");
    zki_cli_path in[3] = {{model, "the ONNX model"}, {calib, "--calib"}, {eval, "--eval"}};
    zki_cli_path o[3] = {{out, "-o"}, {vk, "the verification key"}, {zpk, "the prover key"}};
    int rc = vk && zpk ? zki_cli_check_paths("compile", in, 3, o, 3) : CLI_USAGE;
    free(vk);
    free(zpk);
    return rc;
}

/* The usage, then the provable class (keys.h, the list docs/onnx.md holds)
 * wrapped to the terminal's usual width. */
static void usage(FILE *f)
{
    fputs(usage_compile, f);
    char *text = malloc(strlen(zki_provable_class()) + 16);
    if (!text)
        return;
    sprintf(text, "provable: %s.", zki_provable_class());
    const char *s = text;
    fputs("\n", f);
    while (*s) {
        size_t n = strlen(s), cut = n;
        if (n > 76)
            for (cut = 76; cut > 0 && s[cut] != ' '; cut--)
                ;
        if (cut == 0)
            cut = n > 76 ? 76 : n;
        fprintf(f, "  %.*s\n", (int)cut, s);
        s += cut;
        while (*s == ' ')
            s++;
    }
    free(text);
}

/* The report's texts (zki_compile_options.report) go to stdout as made. */
static void report_out(void *ctx, const char *text)
{
    (void)ctx;
    fputs(text, stdout);
}

static int write_outputs(const zki_model *m, const char *zkm_path, int provable, uint32_t zk_proofs);

/* compile's name of each step zki_model_compile_opts names, for messages. */
static const char *step_name(const char *step)
{
    static const char *const names[][2] = {{"import", "compile"},           {"calibration", "calibration"},
                                           {"eval", "--eval"},              {"quantisation", "quantisation"},
                                           {"accuracy", "accuracy report"}};
    for (size_t k = 0; step && k < sizeof names / sizeof names[0]; k++)
        if (!strcmp(step, names[k][0]))
            return names[k][1];
    return "compile";
}

int zki_cli_compile(int argc, char **argv)
{
    const char *model = NULL, *calib = NULL, *out = NULL, *eval = NULL;
    double min_cos = -2, min_top1 = -1;
    int require_keys = 0, weight_bits = 8, act_bits = 8, each_layer = 0;
    int zk_proofs = (int)ZKINFER_ZK_PROOFS_DEFAULT;
    const char *wbits = NULL, *abits = NULL, *mincos = NULL, *mintop1 = NULL, *zkp = NULL;
    const zki_cli_opt opts[] = {{"--calib", &calib, NULL},        {"-o", &out, NULL},
                                {"--eval", &eval, NULL},          {"--weight-bits", &wbits, NULL},
                                {"--act-bits", &abits, NULL},     {"--min-cosine", &mincos, NULL},
                                {"--min-top1", &mintop1, NULL},   {"--require-keys", NULL, &require_keys},
                                {"--requant-each-layer", NULL, &each_layer},
                                {"--zk-proofs", &zkp, NULL},
                                {NULL, NULL, NULL}};
    int prc = zki_cli_parse("compile", argc, argv, opts, &model, usage);
    if (prc != CLI_OK)
        return prc == CLI_HELP ? CLI_OK : CLI_USAGE;
    if ((wbits && parse_bits("--weight-bits", wbits, &weight_bits)) ||
        (abits && parse_bits("--act-bits", abits, &act_bits)) ||
        (mincos && zki_cli_parse_double("--min-cosine", mincos, -1, 1, 0, &min_cos)) ||
        (mintop1 && zki_cli_parse_double("--min-top1", mintop1, 0, 1, 0, &min_top1)) ||
        (zkp && zki_cli_parse_int("--zk-proofs", zkp, 1, (int)ZKINFER_ZK_PROOFS_MAX, &zk_proofs)))
        return CLI_USAGE;
    if (!model || !calib || !out) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (check_outputs(model, calib, eval, out) != CLI_OK)
        return CLI_USAGE;
    zki_cli_progress pr;
    zki_cli_progress_init(&pr, "compile", 0);
    zki_compile_options co;
    memset(&co, 0, sizeof co);
    co.flags = (weight_bits == 16 ? ZKI_COMPILE_WEIGHTS16 : 0u) | (act_bits == 16 ? ZKI_COMPILE_ACTIVATIONS16 : 0u) |
               (each_layer ? ZKI_COMPILE_REQUANT_EACH_LAYER : 0u);
    co.eval_path = eval;
    co.progress = zki_cli_progress_cb;
    co.progress_ctx = &pr;
    co.report = report_out;
    zki_model *m = NULL;
    zki_accuracy_report acc;
    const char *step = NULL;
    zki_status st = zki_model_compile_opts(model, calib, &co, &m, &acc, &step);
    zki_cli_progress_end(&pr);
    if (st != ZKI_OK)
        return zki_cli_err(step_name(step));
    int rc = CLI_OK;
    printf("accuracy report (%s, %d samples, int%d weights, int%d activations):\n", eval ? "eval set" : "calibration set",
           acc.samples, weight_bits, act_bits);
    printf("  top-1 agreement     %.2f%% (%d rows)\n", 100 * acc.top1, acc.rows);
    printf("  cosine similarity   mean %.5f, min %.5f\n", acc.cos_mean, acc.cos_min);
    printf("  max |float - quant| %.5g\n", acc.max_abs_err);
    char why[1024]; /* said last (below), so it is not lost above the accuracy report */
    int provable = !zki_cli_unprovable(m, why, sizeof why);
    if ((rc = write_outputs(m, out, provable, (uint32_t)zk_proofs)) != CLI_OK)
        goto done;
    if ((min_cos > -2 && acc.cos_mean < min_cos) || (min_top1 >= 0 && acc.top1 < min_top1)) {
        fprintf(stderr, "zkinfer compile: accuracy below the requested threshold\n");
        rc = CLI_CHECK;
    }
    if (!provable) {
        fflush(stdout);
        fprintf(stderr, "zkinfer compile: no proving keys written, this model cannot be proved: %s\n"
                "  (run works, prove does not; docs/onnx.md lists what is provable%s)\n", why,
                require_keys ? "" : "; --require-keys makes this exit 1");
        if (require_keys)
            rc = CLI_CHECK;
    }
done:
    zki_model_destroy(m);
    return rc;
}

int zki_cli_write_outputs(const zki_model *m, const char *zkm_path, int provable)
{
    return write_outputs(m, zkm_path, provable, ZKINFER_ZK_PROOFS_DEFAULT);
}

static int write_outputs(const zki_model *m, const char *zkm_path, int provable, uint32_t zk_proofs)
{
    zki_pk *pk = NULL;
    double t0 = zki_cli_now();
    if (provable) {
        zki_cli_progress pr;
        zki_cli_progress_init(&pr, "compile", 0);
        zki_cli_progress_stage(&pr, "committing weights");
        zki_keygen_options ko = {zk_proofs};
        zki_status sst = zki_keygen_opts(m, NULL, &ko, &pk, NULL);
        zki_cli_progress_end(&pr);
        if (sst != ZKI_OK)
            return zki_cli_err("setup (nothing was written)");
    }
    double ts = zki_cli_now() - t0;
    char *vkp = zki_cli_with_ext(zkm_path, ".vk"), *pkp = zki_cli_with_ext(zkm_path, ".zpk");
    unsigned char *vkb = NULL;
    size_t vkl = 0;
    zki_info info;
    int rc = CLI_OK;
    if (!vkp || !pkp ||
        (provable && (zki_vk_serialize(zki_pk_vk(pk), &vkb, &vkl) != ZKI_OK ||
                      zki_vk_info(zki_pk_vk(pk), &info) != ZKI_OK)))
        rc = zki_cli_err("compile");
    else if (zki_model_save_with_keys(m, pk, zkm_path, vkp, pkp) != ZKI_OK) {
        fprintf(stderr, "zkinfer compile: %s\n", zki_last_error());
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK) {
        printf("wrote %s (.zkm version %d; it holds the weights: keep it private, mode 0600)\n", zkm_path,
               ZKINFER_ZKM_VERSION);
        if (provable) {
            printf("setup: weights committed in %.3f s, for %u zero-knowledge proofs (--zk-proofs)\n", ts,
                   info.zk_proofs);
            printf("wrote %s (verification key, %zu bytes; the weights are %llu bytes)\n", vkp, vkl,
                   (unsigned long long)info.weight_bytes);
            printf("wrote %s (prover key: keep it secret, it holds the hiding randomness)\n", pkp);
        } else {
            rc = zki_cli_remove_stale_keys(zkm_path);
        }
    }
    zki_free(vkb);
    free(vkp);
    free(pkp);
    zki_pk_destroy(pk);
    return rc;
}

int zki_cli_unprovable(const zki_model *m, char *why, size_t n)
{
    if (zki_model_check_provable(m) == ZKI_OK)
        return 0;
    snprintf(why, n, "%s", zki_last_error());
    return 1;
}
