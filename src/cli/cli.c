#include "cli/cli.h"
#include "cli/cli_prove.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "quant/npy.h"
#include "quant/quant.h"

enum { CLI_OK = 0, CLI_CHECK = 1, CLI_USAGE = 2 };

static const char *usage_main =
    "usage: zkinfer <command> [options]\n"
    "commands:\n"
    "  compile MODEL.onnx --calib DIR_OR_FILE -o MODEL.zkm   quantise a model\n"
    "  run MODEL.zkm --input X.npy [-o Y.npy]                 integer inference\n"
    "  prove MODEL.zkm --input X.npy -o PROOF.zkp              prove an inference\n"
    "  verify MODEL.vk --proof PROOF.zkp [--input X.npy]      verify a proof\n"
    "  inspect FILE                                           describe a .onnx, .zkm, .vk, .zkp, .npy or .pb file\n"
    "'zkinfer COMMAND --help' describes each. Exit codes: 0 ok, 1 a check failed, 2 usage or input error.\n";

static const char *usage_compile =
    "usage: zkinfer compile MODEL.onnx --calib DIR_OR_FILE -o OUT.zkm [options]\n"
    "  Imports the ONNX model, calibrates on the samples (.npy or ONNX .pb files; a\n"
    "  file may hold a batch along its leading axis), quantises it and writes OUT.zkm;\n"
    "  for a provable model (chains of Conv, MaxPool, AveragePool, Gemm/MatMul + ReLU)\n"
    "  also commits the weights and writes OUT.vk (verification key) and OUT.zpk\n"
    "  (secret prover key).\n"
    "  Prints the graph summary and an accuracy report (quantised vs float).\n"
    "options:\n"
    "  --eval FILE         samples for the accuracy report (default: the calibration set)\n"
    "  --weight-bits 8|16  weight precision (default 8)\n"
    "  --act-bits 8|16     activation precision (default 8)\n"
    "  --min-cosine X      exit 1 if the mean cosine similarity is below X\n"
    "  --min-top1 X        exit 1 if the top-1 agreement is below X (fraction)\n";

static const char *usage_run =
    "usage: zkinfer run MODEL.zkm --input X.npy [-o Y.npy] [--raw]\n"
    "  Runs the integer model (bit-exact with what the prover proves) on X; a file\n"
    "  holding several samples along its leading axis runs each. Prints the\n"
    "  dequantised output and its argmax, or writes it to Y.npy (float32; --raw\n"
    "  writes the output integers as int64).\n";

static const char *usage_inspect =
    "usage: zkinfer inspect FILE\n"
    "  Describes a zkinfer .zkm model, .vk key or .zkp proof, an ONNX model, or a\n"
    "  .npy / .pb tensor.\n";

static int cli_err(const char *what)
{
    fprintf(stderr, "zkinfer: %s: %s\n", what, zki_last_error());
    return CLI_USAGE;
}

static int is_help(const char *a)
{
    return !strcmp(a, "--help") || !strcmp(a, "-h");
}

static int cli_compile(int argc, char **argv)
{
    const char *model = NULL, *calib = NULL, *out = NULL, *eval = NULL;
    double min_cos = -2, min_top1 = -1;
    zki_quant_opts o;
    zki_quant_opts_default(&o);
    for (int k = 0; k < argc; k++) {
        const char *a = argv[k];
        if (is_help(a)) {
            fputs(usage_compile, stdout);
            return CLI_OK;
        }
        int has = k + 1 < argc;
        if (!strcmp(a, "--calib") && has)
            calib = argv[++k];
        else if (!strcmp(a, "-o") && has)
            out = argv[++k];
        else if (!strcmp(a, "--eval") && has)
            eval = argv[++k];
        else if (!strcmp(a, "--weight-bits") && has)
            o.weight_bits = atoi(argv[++k]);
        else if (!strcmp(a, "--act-bits") && has)
            o.act_bits = atoi(argv[++k]);
        else if (!strcmp(a, "--min-cosine") && has)
            min_cos = atof(argv[++k]);
        else if (!strcmp(a, "--min-top1") && has)
            min_top1 = atof(argv[++k]);
        else if (a[0] != '-' && !model)
            model = a;
        else {
            fprintf(stderr, "zkinfer compile: unexpected argument '%s'\n%s", a, usage_compile);
            return CLI_USAGE;
        }
    }
    if (!model || !calib || !out) {
        fputs(usage_compile, stderr);
        return CLI_USAGE;
    }
    zki_graph *g = NULL;
    if (zki_onnx_load_file(model, &g) != ZKI_OK)
        return cli_err("compile");
    char *sum = malloc(1 << 20);
    if (sum) {
        zki_graph_summary(g, sum, 1 << 20);
        fputs(sum, stdout);
    }
    zki_host_tensor *cal = NULL, *ev = NULL;
    int ncal = 0, nev = 0, rc = CLI_OK;
    zki_qmodel *m = NULL;
    if (zki_calib_load(g, calib, &cal, &ncal) != ZKI_OK) {
        rc = cli_err(calib);
        goto done;
    }
    if (eval && zki_calib_load(g, eval, &ev, &nev) != ZKI_OK) {
        rc = cli_err(eval);
        goto done;
    }
    if (zki_quantize(g, cal, ncal, &o, &m) != ZKI_OK) {
        rc = cli_err("quantisation");
        goto done;
    }
    if (sum) {
        zki_qmodel_summary(m, sum, 1 << 20);
        fputs(sum, stdout);
    }
    zki_accuracy acc;
    if (zki_quant_accuracy(g, m, ev ? ev : cal, ev ? nev : ncal, &acc) != ZKI_OK) {
        rc = cli_err("accuracy report");
        goto done;
    }
    printf("accuracy report (%s, %d samples, int%d weights, int%d activations):\n", ev ? "eval set" : "calibration set",
           acc.samples, o.weight_bits, o.act_bits);
    printf("  top-1 agreement     %.2f%% (%d rows)\n", 100 * acc.top1_agreement, acc.rows);
    printf("  cosine similarity   mean %.5f, min %.5f\n", acc.cos_mean, acc.cos_min);
    printf("  max |float - quant| %.5g\n", acc.max_abs_err);
    if (zki_zkm_write(m, out) != ZKI_OK) {
        rc = cli_err(out);
        goto done;
    }
    printf("wrote %s (.zkm version %d)\n", out, ZKI_ZKM_VERSION);
    if ((rc = zki_cli_write_keys(m, out)) != CLI_OK)
        goto done;
    if ((min_cos > -2 && acc.cos_mean < min_cos) || (min_top1 >= 0 && acc.top1_agreement < min_top1)) {
        fprintf(stderr, "zkinfer compile: accuracy below the requested threshold\n");
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

static int cli_run(int argc, char **argv)
{
    const char *model = NULL, *input = NULL, *out = NULL;
    int raw = 0;
    for (int k = 0; k < argc; k++) {
        const char *a = argv[k];
        if (is_help(a)) {
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
    zki_qmodel *m = NULL;
    if (zki_zkm_read(model, &m) != ZKI_OK)
        return cli_err(model);
    if (m->n_inputs != 1) {
        fprintf(stderr, "zkinfer run: the model has %d inputs; only one-input models are supported\n", m->n_inputs);
        zki_qmodel_free(m);
        return CLI_USAGE;
    }
    zki_host_tensor x;
    if (zki_tensor_read_any(input, &x) != ZKI_OK) {
        zki_qmodel_free(m);
        return cli_err(input);
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
            rc = cli_err(input);
            break;
        }
        zki_status st = zki_qexec(m, &qin, &v);
        free(qin);
        if (st != ZKI_OK) {
            rc = cli_err("integer inference");
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
            rc = cli_err(out);
        else
            printf("wrote %s (%lld samples)\n", out, (long long)ns);
    }
    free(yf);
    free(yi);
    zki_host_tensor_clear(&x);
    zki_qmodel_free(m);
    return rc;
}

static int cli_inspect(int argc, char **argv)
{
    if (argc < 1 || is_help(argv[0])) {
        fputs(usage_inspect, argc < 1 ? stderr : stdout);
        return argc < 1 ? CLI_USAGE : CLI_OK;
    }
    if (argc > 1) {
        fprintf(stderr, "zkinfer inspect: one file at a time\n%s", usage_inspect);
        return CLI_USAGE;
    }
    const char *path = argv[0];
    uint8_t *buf;
    size_t len;
    if (zki_read_file(path, (size_t)1 << 34, &buf, &len) != ZKI_OK)
        return cli_err(path);
    char *sum = malloc(1 << 20);
    int rc = CLI_OK;
    if (!sum) {
        free(buf);
        return CLI_USAGE;
    }
    sum[0] = '\0';
    int kp = zki_cli_inspect_key_or_proof(path, buf, len);
    if (kp >= 0) {
        rc = kp;
    } else if (len >= 8 && !memcmp(buf, "ZKINFERM", 8)) {
        zki_qmodel *m;
        if (zki_zkm_parse(buf, len, &m) != ZKI_OK) {
            rc = cli_err(path);
        } else {
            printf("%s: zkinfer quantised model, .zkm version %d, %zu bytes, checks passed\n", path, ZKI_ZKM_VERSION, len);
            zki_qmodel_summary(m, sum, 1 << 20);
            fputs(sum, stdout);
            zki_qmodel_free(m);
        }
    } else if (len >= 6 && !memcmp(buf, "\x93NUMPY", 6)) {
        zki_host_tensor h;
        if (zki_npy_parse(buf, len, &h) != ZKI_OK) {
            rc = cli_err(path);
        } else {
            printf("%s: NumPy array %s %s\n", path, zki_et_name(h.et), zki_shape_str(h.rank, h.dims, sum, 1 << 20));
            zki_host_tensor_clear(&h);
        }
    } else {
        zki_graph *g;
        size_t l = strlen(path);
        if (l > 3 && !strcmp(path + l - 3, ".pb")) {
            zki_host_tensor h;
            if (zki_onnx_read_tensor_buffer(buf, len, &h) != ZKI_OK) {
                rc = cli_err(path);
            } else {
                printf("%s: ONNX tensor %s %s\n", path, zki_et_name(h.et), zki_shape_str(h.rank, h.dims, sum, 1 << 20));
                zki_host_tensor_clear(&h);
            }
        } else if (zki_onnx_load_buffer(buf, len, &g) != ZKI_OK) {
            rc = cli_err(path);
        } else {
            printf("%s: ONNX model (producer %s), prepared graph:\n", path, g->producer ? g->producer : "?");
            zki_graph_summary(g, sum, 1 << 20);
            fputs(sum, stdout);
            zki_graph_free(g);
        }
    }
    free(sum);
    free(buf);
    return rc;
}

int zki_cli_main(int argc, char **argv)
{
    if (argc < 2 || is_help(argv[1])) {
        fputs(usage_main, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "compile"))
        return cli_compile(argc - 2, argv + 2);
    if (!strcmp(cmd, "run"))
        return cli_run(argc - 2, argv + 2);
    if (!strcmp(cmd, "prove"))
        return zki_cli_prove(argc - 2, argv + 2);
    if (!strcmp(cmd, "verify"))
        return zki_cli_verify(argc - 2, argv + 2);
    if (!strcmp(cmd, "inspect"))
        return cli_inspect(argc - 2, argv + 2);
    if (!strcmp(cmd, "--version")) {
        printf("zkinfer %s\n", zki_version());
        return CLI_OK;
    }
    fprintf(stderr, "zkinfer: unknown command '%s'\n%s", cmd, usage_main);
    return CLI_USAGE;
}
