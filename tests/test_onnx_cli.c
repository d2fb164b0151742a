/* The zkinfer CLI: exit codes, compile -> run -> inspect on a fixture, and
 * bit-exactness of `run --raw` with the library's integer executor. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/rng.h"
#include "quant/npy.h"
#include "quant/quant.h"
#include "test.h"
#include "test_cli_util.h"
#include "test_tmpdir.h"
#include "test_onnx_util.h"

#define CLI_N(a) cli_v(a, (const char *)NULL)

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/zki_onnx_cli_XXXXXX");
    if (!mkdtemp(dir)) {
        CHECK_MSG(0, "cannot create a temporary directory");
        return TEST_SUMMARY();
    }
    /* calibration batch [32, 3, 4] and one input [1, 3, 4] for mlp_view */
    zki_rng r;
    zki_rng_seed(&r, 11);
    float cal[32 * 12], x[12];
    for (int k = 0; k < 32 * 12; k++)
        cal[k] = (float)((double)zki_rng_below(&r, 2001) / 1000.0 - 1.0);
    for (int k = 0; k < 12; k++)
        x[k] = cal[k] * 0.5f;
    int64_t cd[3] = {32, 3, 4}, xd[3] = {1, 3, 4};
    CHECK(zki_npy_write(tmp("calib.npy"), 3, cd, cal, NULL) == ZKI_OK);
    CHECK(zki_npy_write(tmp("x.npy"), 3, xd, x, NULL) == ZKI_OK);

    CHECK(cli_v((const char *)NULL) == 2);
    CHECK(CLI_N("--help") == 0);
    CHECK(CLI("compile", "--help") == 0);
    CHECK(CLI("run", "--help") == 0);
    CHECK(CLI("inspect", "--help") == 0);
    CHECK(CLI_N("frobnicate") == 2);
    CHECK(CLI("compile", tdata("mlp_view.onnx"), "--calib", tmp("calib.npy")) == 2); /* no -o */
    CHECK(CLI("compile", tdata("nope.onnx"), "--calib", tmp("calib.npy"), "-o", tmp("m.zkm")) == 2);
    CHECK(CLI("compile", tdata("bad_unsupported_op.onnx"), "--calib", tmp("calib.npy"), "-o", tmp("m.zkm")) == 2);
    CHECK(CLI("compile", tdata("mlp_view.onnx"), "--calib", tmp("calib.npy"), "-o", tmp("m.zkm"), "--weight-bits", "7") == 2);
    CHECK(CLI("compile", tdata("mlp_view.onnx"), "--calib", tmp("calib.npy"), "-o", tmp("m.zkm"), "--min-cosine",
              "1") == 1); /* cosine 0.9999x: below 1, the gate fails */
    CHECK(CLI("compile", tdata("mlp_view.onnx"), "--calib", tmp("calib.npy"), "-o", tmp("m.zkm"), "--min-cosine",
              "0.99") == 0);
    CHECK(CLI("run", tmp("m.zkm"), "--input", tmp("x.npy")) == 0);
    CHECK(CLI("run", tmp("m.zkm"), "--input", tmp("x.npy"), "-o", tmp("y.npy")) == 0);
    CHECK(CLI("run", tmp("m.zkm"), "--input", tmp("x.npy"), "-o", tmp("yraw.npy"), "--raw") == 0);
    CHECK(CLI("run", tmp("m.zkm"), "--input", tmp("calib.npy"), "-o", tmp("ybatch.npy")) == 0);
    CHECK(CLI("run", tmp("m.zkm"), "--input", tdata("mlp_view.onnx")) == 2);
    CHECK(CLI("inspect", tmp("m.zkm")) == 0);
    CHECK(CLI("inspect", tdata("cnn_small.onnx")) == 0);
    CHECK(CLI("inspect", tmp("x.npy")) == 0);
    CHECK(CLI("inspect", tdata("cnn_small_x.pb")) == 0);
    CHECK(CLI("inspect", tdata("bad_unsupported_op.onnx")) == 2);

    /* the raw output equals the library's integer executor, bit for bit */
    zki_qmodel *m = NULL;
    CHECK(zki_zkm_read(tmp("m.zkm"), &m) == ZKI_OK);
    zki_host_tensor xh, yr, yf, yb;
    CHECK(zki_npy_read(tmp("x.npy"), &xh) == ZKI_OK);
    CHECK(zki_npy_read(tmp("yraw.npy"), &yr) == ZKI_OK);
    CHECK(zki_npy_read(tmp("y.npy"), &yf) == ZKI_OK);
    CHECK(zki_npy_read(tmp("ybatch.npy"), &yb) == ZKI_OK);
    if (m && xh.f && yr.i && yf.f && yb.f) {
        int64_t *qin, **v;
        CHECK(zki_quant_input(m, 0, &xh, &qin) == ZKI_OK);
        CHECK(zki_qexec(m, &qin, &v) == ZKI_OK);
        int64_t on = zki_qnumel(&m->t[m->outputs[0]]);
        CHECK(zki_host_tensor_numel(&yr) == on);
        CHECK(memcmp(yr.i, v[m->outputs[0]], sizeof(int64_t) * (size_t)on) == 0);
        CHECK(yb.dims[0] == 32 && zki_host_tensor_numel(&yb) == 32 * on);
        /* and the dequantised output is close to the float model's */
        zki_graph *g = NULL;
        CHECK(zki_onnx_load_file(tdata("mlp_view.onnx"), &g) == ZKI_OK);
        zki_buf *fv;
        if (g && zki_exec_float(g, &xh, 1, &fv) == ZKI_OK) {
            double dot = 0, a = 0, b = 0;
            for (int64_t e = 0; e < on; e++) {
                double p = fv[g->outputs[0]].f[e], q = yf.f[e];
                dot += p * q;
                a += p * p;
                b += q * q;
            }
            CHECK_MSG(dot / sqrt(a * b) > 0.99, "cosine %f", dot / sqrt(a * b));
            zki_exec_free(g, fv);
        }
        zki_graph_free(g);
        zki_qexec_free(m, v);
        free(qin);
    }
    zki_host_tensor_clear(&xh);
    zki_host_tensor_clear(&yr);
    zki_host_tensor_clear(&yf);
    zki_host_tensor_clear(&yb);
    zki_qmodel_free(m);

    /* a corrupted .zkm is an input error */
    FILE *f = fopen(tmp("m.zkm"), "r+b");
    if (f) {
        fseek(f, 40, SEEK_SET);
        fputc(0x5a, f);
        fclose(f);
    }
    CHECK(CLI("run", tmp("m.zkm"), "--input", tmp("x.npy")) == 2);
    CHECK(CLI("inspect", tmp("m.zkm")) == 2);

#ifdef ZKI_CLI_PATH
    /* the installed executable answers too */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s --help > /dev/null", ZKI_CLI_PATH);
    CHECK(system(cmd) == 0);
    snprintf(cmd, sizeof cmd, "%s inspect %s > /dev/null 2>&1", ZKI_CLI_PATH, tdata("cnn_small.onnx"));
    CHECK(system(cmd) == 0);
#endif
    const char *files[] = {"calib.npy", "x.npy", "m.zkm", "m.vk", "m.zpk", "y.npy", "yraw.npy", "ybatch.npy"};
    for (int k = 0; k < 8; k++)
        remove(tmp(files[k]));
    rmdir(dir);
    return TEST_SUMMARY();
}
