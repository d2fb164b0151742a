#include "cli/cli_util.h"
#include "cli/cli_paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "quant/npy.h"
#include "quant/quant.h"

static const char *usage_run =
    "usage: zkinfer run MODEL.zkm --input X.npy [-o Y.npy] [--raw]\n"
    "  Runs the integer model (bit-exact with what the prover proves) on X; a file\n"
    "  holding several samples along its leading axis runs each. Prints the\n"
    "  dequantised output and its argmax, or writes it to Y.npy (float32; --raw\n"
    "  writes the output integers as int64).\n";

int zki_cli_run(int argc, char **argv)
{
    const char *model = NULL, *input = NULL, *out = NULL;
    int raw = 0;
    for (int k = 0; k < argc; k++) {
        const char *a = argv[k];
        if (zki_cli_is_help(a)) {
            fputs(usage_run, stdout);
            return CLI_OK;
        }
        if (!strcmp(a, "--input") && k + 1 < argc)
            input = argv[++k];
        else if (!strcmp(a, "-o") && k + 1 < argc)
            out = argv[++k];
        else if (!strcmp(a, "--raw"))
            raw = 1;
        else if (a[0] != '-' && !model)
            model = a;
        else {
            fprintf(stderr, "zkinfer run: unexpected argument '%s'\n%s", a, usage_run);
            return CLI_USAGE;
        }
    }
    if (!model || !input) {
        fputs(usage_run, stderr);
        return CLI_USAGE;
    }
    zki_cli_path in[2] = {{model, "the model"}, {input, "--input"}}, outp = {out, "-o"};
    if (zki_cli_check_paths("run", in, 2, &outp, 1) != CLI_OK)
        return CLI_USAGE;
    zki_qmodel *m = NULL;
    if (zki_zkm_read(model, &m) != ZKI_OK)
        return zki_cli_err(model);
    if (m->n_inputs != 1) {
        fprintf(stderr, "zkinfer run: the model has %d inputs; only one-input models are supported\n", m->n_inputs);
        zki_qmodel_free(m);
        return CLI_USAGE;
    }
    zki_host_tensor x;
    if (zki_tensor_read_any(input, &x) != ZKI_OK) {
        zki_qmodel_free(m);
        return zki_cli_err(input);
    }
    const zki_qtensor *it = &m->t[m->inputs[0]], *ot = &m->t[m->outputs[0]];
    int64_t per = zki_qnumel(it), tot = zki_host_tensor_numel(&x), on = zki_qnumel(ot);
    int rc = CLI_OK;
    if (per <= 0 || tot <= 0 || tot % per) {
        fprintf(stderr, "zkinfer run: %s has %lld elements, not a multiple of the input's %lld\n", input,
                (long long)tot, (long long)per);
        rc = CLI_USAGE;
    }
    int64_t ns = rc == CLI_OK ? tot / per : 0;
    float *yf = malloc(sizeof(float) * (size_t)(ns * on + 1));
    int64_t *yi = malloc(sizeof(int64_t) * (size_t)(ns * on + 1));
    if (!yf || !yi)
        rc = CLI_USAGE;
    for (int64_t s = 0; s < ns && rc == CLI_OK; s++) {
        zki_host_tensor one = x;
        one.f = x.f ? x.f + s * per : NULL;
        one.i = x.i ? x.i + s * per : NULL;
        one.rank = 1;
        one.dims[0] = per;
        int64_t *qin, **v;
        if (zki_quant_input(m, 0, &one, &qin) != ZKI_OK) {
            rc = zki_cli_err(input);
            break;
        }
        zki_status st = zki_qexec(m, &qin, &v);
        free(qin);
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
    zki_host_tensor_clear(&x);
    zki_qmodel_free(m);
    return rc;
}
