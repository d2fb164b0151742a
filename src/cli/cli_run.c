#include "cli/cli_input.h"
#include "cli/cli_util.h"
#include "cli/cli_paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "quant/npy.h"

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
    zki_qmodel *m = NULL;
    if (zki_zkm_read(model, &m) != ZKI_OK)
        return zki_cli_err(model);
    if (m->n_inputs != 1) {
        fprintf(stderr, "zkinfer run: the model has %d inputs; only one-input models are supported\n", m->n_inputs);
        zki_qmodel_free(m);
        return CLI_USAGE;
    }
    const zki_qtensor *ot = &m->t[m->outputs[0]];
    zki_cli_in_model im;
    zki_cli_in_of_qmodel(m, &im);
    int64_t *X = NULL, per = zki_qnumel(&m->t[m->inputs[0]]), on = zki_qnumel(ot);
    uint32_t B = 0;
    int rc = zki_cli_read_input(&im, input, &iopt, &X, &B);
    int64_t ns = rc == CLI_OK ? B : 0;
    float *yf = malloc(sizeof(float) * (size_t)(ns * on + 1));
    int64_t *yi = malloc(sizeof(int64_t) * (size_t)(ns * on + 1));
    if (!yf || !yi)
        rc = CLI_USAGE;
    for (int64_t s = 0; s < ns && rc == CLI_OK; s++) {
        int64_t *qin = X + s * per, **v;
        zki_status st = zki_qexec(m, &qin, &v);
        if (st != ZKI_OK) {
            rc = zki_cli_err("integer inference");
            break;
        }
        for (int64_t e = 0; e < on; e++) {
            yi[s * on + e] = v[m->outputs[0]][e];
            yf[s * on + e] = (float)((double)yi[s * on + e] * (ot->scale > 0 ? ot->scale : 1.0));
        }
        zki_qexec_free(m, v);
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
    if (rc == CLI_OK && out) {
        int64_t dims[ZKI_QMAX_RANK + 1];
        int rank = ot->rank + 1;
        dims[0] = ns;
        for (int a = 0; a < ot->rank; a++)
            dims[a + 1] = ot->dims[a];
        if (zki_npy_write(out, rank, dims, raw ? NULL : yf, raw ? yi : NULL) != ZKI_OK)
            rc = zki_cli_err("run");
        else
            printf("wrote %s (%lld samples)\n", out, (long long)ns);
    }
    free(yf);
    free(yi);
    free(X);
    zki_qmodel_free(m);
    return rc;
}
