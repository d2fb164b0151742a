#include "cli/cli_input.h"
#include "cli/cli_util.h"
#include "cli/cli_paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"
#include "common/error.h"
#include "protocol/bytes.h"
#include "onnx/onnx.h"
#include "quant/quant.h"

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
    "  --min-cosine X      exit 1 if the mean cosine similarity is below X (in [-1, 1])\n"
    "  --min-top1 X        exit 1 if the top-1 agreement is below X (a fraction in [0, 1])\n"
    "  --require-keys      exit 1 if the model is outside the provable class (no keys)\n"
    "Calibration data must be float (scaled as in training), finite and not constant.\n";

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
    const char *s = "provable: " ZKI_PROVABLE_CLASS ".";
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
}

int zki_cli_compile(int argc, char **argv)
{
    const char *model = NULL, *calib = NULL, *out = NULL, *eval = NULL;
    double min_cos = -2, min_top1 = -1;
    int require_keys = 0;
    zki_quant_opts o;
    zki_quant_opts_default(&o);
    const char *wbits = NULL, *abits = NULL, *mincos = NULL, *mintop1 = NULL;
    const zki_cli_opt opts[] = {{"--calib", &calib, NULL},        {"-o", &out, NULL},
                                {"--eval", &eval, NULL},          {"--weight-bits", &wbits, NULL},
                                {"--act-bits", &abits, NULL},     {"--min-cosine", &mincos, NULL},
                                {"--min-top1", &mintop1, NULL},   {"--require-keys", NULL, &require_keys},
                                {NULL, NULL, NULL}};
    int prc = zki_cli_parse("compile", argc, argv, opts, &model, usage);
    if (prc != CLI_OK)
        return prc == CLI_HELP ? CLI_OK : CLI_USAGE;
    if ((wbits && parse_bits("--weight-bits", wbits, &o.weight_bits)) ||
        (abits && parse_bits("--act-bits", abits, &o.act_bits)) ||
        (mincos && zki_cli_parse_double("--min-cosine", mincos, -1, 1, 0, &min_cos)) ||
        (mintop1 && zki_cli_parse_double("--min-top1", mintop1, 0, 1, 0, &min_top1)))
        return CLI_USAGE;
    if (!model || !calib || !out) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (check_outputs(model, calib, eval, out) != CLI_OK)
        return CLI_USAGE;
    zki_graph *g = NULL;
    if (zki_onnx_load_file(model, &g) != ZKI_OK)
        return zki_cli_err("compile");
    char *sum = malloc(1 << 20);
    if (sum) {
        zki_graph_summary(g, sum, 1 << 20);
        fputs(sum, stdout);
    }
    zki_host_tensor *cal = NULL, *ev = NULL;
    int ncal = 0, nev = 0, rc = CLI_OK;
    zki_qmodel *m = NULL;
    if (zki_calib_load(g, calib, &cal, &ncal) != ZKI_OK) {
        rc = zki_cli_err("calibration");
        goto done;
    }
    if (eval && zki_calib_load(g, eval, &ev, &nev) != ZKI_OK) {
        rc = zki_cli_err("--eval");
        goto done;
    }
    zki_cli_progress pr;
    zki_cli_progress_init(&pr, "compile", 0);
    o.progress = zki_cli_progress_cb;
    o.progress_ctx = &pr;
    zki_status qst = zki_quantize(g, cal, ncal, &o, &m);
    zki_cli_progress_end(&pr);
    if (qst != ZKI_OK) {
        rc = zki_cli_err("quantisation");
        goto done;
    }
    if (sum) {
        zki_qmodel_summary(m, sum, 1 << 20);
        fputs(sum, stdout);
    }
    zki_accuracy acc;
    if (zki_quant_accuracy(g, m, ev ? ev : cal, ev ? nev : ncal, &acc) != ZKI_OK) {
        rc = zki_cli_err("accuracy report");
        goto done;
    }
    printf("accuracy report (%s, %d samples, int%d weights, int%d activations):\n", ev ? "eval set" : "calibration set",
           acc.samples, o.weight_bits, o.act_bits);
    printf("  top-1 agreement     %.2f%% (%d rows)\n", 100 * acc.top1_agreement, acc.rows);
    printf("  cosine similarity   mean %.5f, min %.5f\n", acc.cos_mean, acc.cos_min);
    printf("  max |float - quant| %.5g\n", acc.max_abs_err);
    char why[1024]; /* said last (below), so it is not lost above the accuracy report */
    int provable = !zki_cli_unprovable(m, why, sizeof why);
    if ((rc = zki_cli_write_outputs(m, out, provable)) != CLI_OK)
        goto done;
    if ((min_cos > -2 && acc.cos_mean < min_cos) || (min_top1 >= 0 && acc.top1_agreement < min_top1)) {
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
    free(sum);
    zki_samples_free(cal, ncal);
    zki_samples_free(ev, nev);
    zki_qmodel_free(m);
    zki_graph_free(g);
    return rc;
}

/* Bytes of the weights' size in the key's layout, for the message. */
static uint64_t weight_bytes(const zki_dag *a)
{
    uint64_t wb = 0;
    for (uint32_t l = 0; l < a->n_nodes; l++) {
        const zki_dag_node *Ly = &a->nodes[l];
        uint64_t n = Ly->kind == ZKI_NODE_CONV      ? (uint64_t)Ly->OC * (Ly->C / Ly->G) * Ly->KH * Ly->KW
                     : Ly->kind == ZKI_NODE_MAXPOOL ? 0
                     : Ly->C                          ? (uint64_t)Ly->C * Ly->H * Ly->W * Ly->N
                                                      : (uint64_t)Ly->K * Ly->N;
        wb += n * (Ly->w_bits / 8);
    }
    return wb;
}

/* Stages every file, then commits them all: a failure anywhere leaves the
 * model and keys of an earlier compile as they were (no new model beside
 * old keys). An exit code. */
static int write_all(const char *const *paths, uint8_t *const *bufs, const size_t *lens, const mode_t *modes, int n)
{
    zki_staged_file f[3];
    int k = 0;
    for (; k < n; k++)
        if (zki_file_stage(&f[k], paths[k], bufs[k], lens[k], modes[k]) != ZKI_OK)
            break;
    if (k < n) {
        fprintf(stderr, "zkinfer compile: %s; no output was changed\n", zki_last_error());
        while (k-- > 0)
            zki_file_discard(&f[k]);
        return CLI_USAGE;
    }
    int rc = CLI_OK;
    for (k = 0; k < n; k++) /* renames: only a vanished directory fails here */
        if (zki_file_commit(&f[k]) != ZKI_OK && rc == CLI_OK)
            rc = zki_cli_err("compile");
    return rc;
}

int zki_cli_write_outputs(const zki_qmodel *m, const char *zkm_path, int provable)
{
    zki_pk *pk = NULL;
    double t0 = zki_cli_now();
    if (provable) {
        zki_cli_progress pr;
        zki_cli_progress_init(&pr, "compile", 0);
        zki_cli_progress_stage(&pr, "committing weights");
        zki_status sst = zki_setup(m, NULL, &pk);
        zki_cli_progress_end(&pr);
        if (sst != ZKI_OK)
            return zki_cli_err("setup (nothing was written)");
    }
    double ts = zki_cli_now() - t0;
    char *vkp = zki_cli_with_ext(zkm_path, ".vk"), *pkp = zki_cli_with_ext(zkm_path, ".zpk");
    const char *paths[3] = {zkm_path, vkp, pkp};
    uint8_t *bufs[3] = {NULL, NULL, NULL};
    size_t lens[3] = {0, 0, 0};
    /* the .zkm holds the quantised weights: as secret as the prover key */
    const mode_t modes[3] = {ZKI_FILE_SECRET, ZKI_FILE_PUBLIC, ZKI_FILE_SECRET};
    int rc = CLI_OK;
    if (!vkp || !pkp || zki_zkm_serialize(m, &bufs[0], &lens[0]) != ZKI_OK ||
        (provable && (zki_vk_to_bytes(&pk->vk, &bufs[1], &lens[1]) != ZKI_OK ||
                      zki_pk_seed_to_bytes(pk, &bufs[2], &lens[2]) != ZKI_OK)))
        rc = zki_cli_err("compile");
    else
        rc = write_all(paths, bufs, lens, modes, provable ? 3 : 1);
    if (rc == CLI_OK) {
        printf("wrote %s (.zkm version %d; it holds the weights: keep it private, mode 0600)\n", zkm_path,
               ZKI_ZKM_VERSION);
        if (provable) {
            printf("setup: weights committed in %.3f s\n", ts);
            printf("wrote %s (verification key, %zu bytes; the weights are %llu bytes)\n", vkp, lens[1],
                   (unsigned long long)weight_bytes(&pk->vk.dag));
            printf("wrote %s (prover key: keep it secret, it holds the hiding randomness)\n", pkp);
        } else {
            rc = zki_cli_remove_stale_keys(zkm_path);
        }
    }
    for (int i = 0; i < 3; i++)
        free(bufs[i]);
    free(vkp);
    free(pkp);
    zki_pk_free(pk);
    return rc;
}

int zki_cli_unprovable(const zki_qmodel *m, char *why, size_t n)
{
    zki_dag a;
    if (zki_dag_from_qmodel(m, &a) == ZKI_OK) {
        zki_dag_free(&a);
        return 0;
    }
    const char *e = zki_last_error();
    snprintf(why, n, "%s", e + (strncmp(e, "prove: ", 7) ? 0 : 7)); /* not a prove failure */
    return 1;
}
