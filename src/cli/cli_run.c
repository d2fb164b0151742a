#include "cli/cli_input.h"
#include "cli/cli_util.h"
#include "cli/cli_paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *usage_run =
    "usage: zkinfer run MODEL.zkm --input X.npy [-o Y.npy] [--raw] [options]\n"
    "  Runs the integer model (bit-exact with what the prover proves) on X; a file\n"
    "  holding several samples along its leading axis runs each. Prints the\n"
    "  dequantised output and its argmax, or writes it to Y.npy (float32; --raw\n"
    "  writes the output integers as int64).\n"
    ZKI_CLI_INPUT_USAGE
    "options:\n"
    ZKI_CLI_INPUT_SCALE_USAGE
    ZKI_CLI_STRICT_USAGE;

static void usage(FILE *f) { fputs(usage_run, f); }

int zki_cli_run(int argc, char **argv)
{
    const char *model = NULL, *input = NULL, *out = NULL;
    const char *scale = NULL;
    int raw = 0;
    zki_cli_in_opts iopt = {0, 0};
    const zki_cli_opt opts[] = {{"--input", &input, NULL}, {"-o", &out, NULL}, {"--input-scale", &scale, NULL},
                                {"--strict", NULL, &iopt.strict}, {"--raw", NULL, &raw}, {NULL, NULL, NULL}};
    int prc = zki_cli_parse("run", argc, argv, opts, &model, usage);
    if (prc != CLI_OK)
        return prc == CLI_HELP ? CLI_OK : CLI_USAGE;
    if (zki_cli_in_scale(scale, &iopt))
        return CLI_USAGE;
    if (!model || !input) {
        fputs(usage_run, stderr);
        return CLI_USAGE;
    }
    zki_cli_path in[2] = {{model, "the model"}, {input, "--input"}}, outp = {out, "-o"};
    if (zki_cli_check_paths("run", in, 2, &outp, 1) != CLI_OK || (out && zki_cli_check_no_clobber("run", out) != CLI_OK))
        return CLI_USAGE;
    zki_model *m = NULL;
    if (zki_model_load(model, &m) != ZKI_OK)
        return zki_cli_err(model);
    zki_info info;
    if (zki_model_info(m, &info) != ZKI_OK || info.n_inputs != 1) {
        if (info.n_inputs != 1)
            fprintf(stderr, "zkinfer run: the model has %u inputs; only one-input models are supported\n",
                    info.n_inputs);
        else
            zki_cli_err(model);
        zki_model_destroy(m);
        return CLI_USAGE;
    }
    const zki_tensor_info *ot = &info.output;
    int64_t *X = NULL, per = 1, on = 1;
    for (uint32_t a = 0; a < info.input.rank; a++)
        per *= info.input.dims[a];
    for (uint32_t a = 0; a < ot->rank; a++)
        on *= ot->dims[a];
    uint32_t B = 0;
    int rc = zki_cli_read_input(&info.input, input, &iopt, &X, &B);
    int64_t ns = rc == CLI_OK ? B : 0;
    float *yf = malloc(sizeof(float) * (size_t)(ns * on + 1));
    int64_t *yi = malloc(sizeof(int64_t) * (size_t)(ns * on + 1));
    if (!yf || !yi)
        rc = CLI_USAGE;
    for (int64_t s = 0; s < ns && rc == CLI_OK; s++) {
        int64_t *v = NULL;
        float *vf = NULL;
        size_t got = 0;
        if (zki_model_run(m, X + s * per, 1, &v, &vf, &got) != ZKI_OK || (int64_t)got != on) {
            zki_free(v);
            zki_free(vf);
            rc = zki_cli_err("integer inference");
            break;
        }
        memcpy(yi + s * on, v, sizeof(int64_t) * (size_t)on);
        memcpy(yf + s * on, vf, sizeof(float) * (size_t)on);
        zki_free(v);
        zki_free(vf);
        if (!out) {
            int64_t am = 0;
            for (int64_t e = 1; e < on; e++)
                if (yi[s * on + e] > yi[s * on + am])
                    am = e;
            printf("sample %lld: argmax %lld, output", (long long)s, (long long)am);
            for (int64_t e = 0; e < on && e < 32; e++)
                printf(" %.5g", raw ? (double)yi[s * on + e] : (double)yf[s * on + e]);
            printf(on > 32 ? " ...\n" : "\n");
        }
    }
    if (rc == CLI_OK && out && ot->rank >= ZKI_MAX_DIMS) {
        fprintf(stderr, "zkinfer run: the output has rank %u; -o writes arrays of rank %d at most (with the "
                "sample axis)\n", ot->rank, ZKI_MAX_DIMS);
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK && out) {
        zki_array y;
        memset(&y, 0, sizeof y);
        y.rank = ot->rank + 1;
        y.dims[0] = ns;
        for (uint32_t a = 0; a < ot->rank; a++)
            y.dims[a + 1] = ot->dims[a];
        y.f = raw ? NULL : yf;
        y.i = raw ? yi : NULL;
        if (zki_array_save(out, &y) != ZKI_OK)
            rc = zki_cli_err("run");
        else
            printf("wrote %s (%lld samples)\n", out, (long long)ns);
    }
    free(yf);
    free(yi);
    free(X);
    zki_model_destroy(m);
    return rc;
}
