/* The quantiser's input checks (issue 11): zki_calib_load refuses a
 * directory without samples (no qsort(NULL, 0)), a file of no samples,
 * NaN/Inf naming the file and index, and integer files for a float input;
 * zki_quantize refuses non-finite or constant calibration samples;
 * zki_quantize refuses a NaN or infinite weight or bias, naming the node,
 * the constant and the element;
 * zki_quant_input refuses NaN/Inf; zki_quant_value rounds, clamps and says
 * so; a file's shape is held to the input shape rule of run/prove/verify
 * (NHWC for NCHW and 3-channel data for a 1-channel model refused).
 * Fixtures: mlp_view.onnx (input [1,3,4]); resnet_tiny.onnx, fmnist_cnn.onnx. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "quant/npy.h"
#include "quant/quant.h"
#include "test.h"
#include "test_onnx_util.h"
#include "test_tmpdir.h"

/* zki_calib_load on path fails with a message holding want. */
static void load_fails(const zki_graph *g, const char *path, const char *want)
{
    zki_host_tensor *s = NULL;
    int n = -1;
    CHECK(zki_calib_load(g, path, &s, &n) == ZKI_ERR_INPUT);
    CHECK(s == NULL && n == 0);
    CHECK_MSG(strstr(zki_last_error(), want) != NULL, "'%s' lacks '%s'", zki_last_error(), want);
}

static void test_load(const zki_graph *g)
{
    mkdir(tmp("empty"), 0700);
    load_fails(g, tmp("empty"), "empty' holds no .npy or .pb calibration files");
    float f[2 * 12];
    for (int k = 0; k < 24; k++)
        f[k] = (float)k / 24.0f - 0.5f;
    int64_t d[3] = {2, 3, 4}, d0[3] = {0, 3, 4};
    f[17] = NAN;
    CHECK(zki_npy_write(tmp("nan.npy"), 3, d, f, NULL) == ZKI_OK);
    load_fails(g, tmp("nan.npy"), "nan.npy': value at index 17 (sample 1) is NaN");
    f[17] = -INFINITY;
    CHECK(zki_npy_write(tmp("inf.npy"), 3, d, f, NULL) == ZKI_OK);
    load_fails(g, tmp("inf.npy"), "inf.npy': value at index 17 (sample 1) is infinite");
    CHECK(zki_npy_write(tmp("none.npy"), 3, d0, f, NULL) == ZKI_OK);
    load_fails(g, tmp("none.npy"), "none.npy' holds no samples");
    int64_t iv[24] = {0};
    iv[3] = 200;
    CHECK(zki_npy_write(tmp("int.npy"), 3, d, NULL, iv) == ZKI_OK);
    load_fails(g, tmp("int.npy"), "int.npy' holds integers; the model takes float input 'x'");
    /* a directory is refused by its first bad file, named */
    mkdir(tmp("mixed"), 0700);
    f[17] = 0.25f;
    CHECK(zki_npy_write(tmp("mixed/a.npy"), 3, d, f, NULL) == ZKI_OK);
    f[2] = NAN;
    CHECK(zki_npy_write(tmp("mixed/b.npy"), 3, d, f, NULL) == ZKI_OK);
    load_fails(g, tmp("mixed"), "mixed/b.npy': value at index 2 (sample 0) is NaN");
    remove(tmp("mixed/b.npy"));
    zki_host_tensor *s = NULL;
    int n = 0;
    CHECK(zki_calib_load(g, tmp("mixed"), &s, &n) == ZKI_OK && n == 2);
    zki_samples_free(s, n);
    remove(tmp("mixed/a.npy"));
}

/* The shape rule of run/prove/verify inputs (input_shape.h): a file of the
 * right element count but the wrong layout is refused naming both shapes. */
static void test_shape(const zki_graph *g)
{
    static float f[3 * 3 * 28 * 28]; /* zeros: only shapes matter here */
    zki_host_tensor *s = NULL;
    int n = 0;
    /* [B,C,H,W], [B]+dims, one sample and a flat sample of mlp_view [1,3,4] */
    int64_t d4[4] = {2, 1, 3, 4}, d3[3] = {1, 3, 4}, d1[1] = {12};
    CHECK(zki_npy_write(tmp("b.npy"), 4, d4, f, NULL) == ZKI_OK);
    CHECK(zki_calib_load(g, tmp("b.npy"), &s, &n) == ZKI_OK && n == 2);
    zki_samples_free(s, n);
    CHECK(zki_npy_write(tmp("one.npy"), 3, d3, f, NULL) == ZKI_OK);
    CHECK(zki_calib_load(g, tmp("one.npy"), &s, &n) == ZKI_OK && n == 1);
    zki_samples_free(s, n);
    CHECK(zki_npy_write(tmp("flat.npy"), 1, d1, f, NULL) == ZKI_OK);
    CHECK(zki_calib_load(g, tmp("flat.npy"), &s, &n) == ZKI_OK && n == 1);
    zki_samples_free(s, n);
    /* the same 12 values per sample as [B,4,3] (channels last) */
    int64_t t3[3] = {2, 4, 3};
    CHECK(zki_npy_write(tmp("t.npy"), 3, t3, f, NULL) == ZKI_OK);
    load_fails(g, tmp("t.npy"), "t.npy has shape [2,4,3]; the model takes [1,3,4] (optionally with a leading batch");

    zki_graph *r = NULL, *c = NULL;
    CHECK(zki_onnx_load_file(tdata("resnet_tiny.onnx"), &r) == ZKI_OK);
    CHECK(zki_onnx_load_file(tdata("fmnist_cnn.onnx"), &c) == ZKI_OK);
    if (r) { /* NHWC data for the NCHW [1,3,8,8] model */
        int64_t nhwc[4] = {2, 8, 8, 3}, nchw[4] = {2, 3, 8, 8};
        CHECK(zki_npy_write(tmp("nhwc.npy"), 4, nhwc, f, NULL) == ZKI_OK);
        load_fails(r, tmp("nhwc.npy"), "nhwc.npy has shape [2,8,8,3]; the model takes [1,3,8,8] (optionally");
        CHECK(zki_npy_write(tmp("nchw.npy"), 4, nchw, f, NULL) == ZKI_OK);
        CHECK(zki_calib_load(r, tmp("nchw.npy"), &s, &n) == ZKI_OK && n == 2);
        zki_samples_free(s, n);
    }
    if (c) { /* 3-channel images for the 1-channel [1,1,28,28] model: not 3x the samples */
        int64_t rgb[4] = {1, 3, 28, 28};
        CHECK(zki_npy_write(tmp("rgb.npy"), 4, rgb, f, NULL) == ZKI_OK);
        load_fails(c, tmp("rgb.npy"), "rgb.npy has shape [1,3,28,28]; the model takes [1,1,28,28]");
        CHECK(zki_calib_load(c, tdata("fmnist_calib.npy"), &s, &n) == ZKI_OK && n == 100);
        zki_samples_free(s, n);
    }
    zki_graph_free(r);
    zki_graph_free(c);
}

/* n samples of the input [1,3,4], every value v (one value w at index 5 of
 * the last sample). */
static zki_host_tensor *samples(int n, float v, float w)
{
    zki_host_tensor *s = calloc((size_t)n, sizeof *s);
    for (int k = 0; s && k < n; k++) {
        s[k].et = ZKI_ET_FLOAT;
        s[k].rank = 3;
        s[k].dims[0] = 1;
        s[k].dims[1] = 3;
        s[k].dims[2] = 4;
        s[k].f = malloc(12 * sizeof(float));
        for (int e = 0; e < 12; e++)
            s[k].f[e] = v;
    }
    s[n - 1].f[5] = w;
    return s;
}

static void quantize_fails(const zki_graph *g, zki_host_tensor *s, int n, const char *want)
{
    zki_qmodel *m = NULL;
    CHECK(zki_quantize(g, s, n, NULL, &m) == ZKI_ERR_INPUT && m == NULL);
    CHECK_MSG(strstr(zki_last_error(), want) != NULL, "'%s' lacks '%s'", zki_last_error(), want);
    zki_samples_free(s, n);
}

static void test_quantize(const zki_graph *g)
{
    quantize_fails(g, samples(3, 0, 0), 3, "calibration data for input 'x' is constant (every value is 0)");
    quantize_fails(g, samples(3, 0.5f, 0.5f), 3, "is constant (every value is 0.5): its range cannot be calibrated");
    quantize_fails(g, samples(3, 0.5f, NAN), 3, "calibration sample 2, input 'x': value 5 is NaN");
    quantize_fails(g, samples(2, 0.5f, INFINITY), 2, "calibration sample 1, input 'x': value 5 is infinite");
    /* one value apart from the rest is a range: accepted; then NaN input refused */
    zki_host_tensor *s = samples(2, 0.5f, -0.25f);
    zki_qmodel *m = NULL;
    CHECK(zki_quantize(g, s, 2, NULL, &m) == ZKI_OK && m);
    if (m) {
        int64_t *q = NULL;
        s[0].f[7] = NAN;
        CHECK(zki_quant_input(m, 0, &s[0], &q) == ZKI_ERR_INPUT && q == NULL);
        CHECK(strstr(zki_last_error(), "input 'x': value 7 is NaN") != NULL);
        s[0].f[7] = 0.5f;
        CHECK(zki_quant_input(m, 0, &s[0], &q) == ZKI_OK && q && q[7] == 127);
        free(q);
    }
    zki_qmodel_free(m);
    zki_samples_free(s, 2);
}

/* A weight (input 1) or bias (input 2) of the first Gemm/MatMul/Conv
 * set to v at element k: the quantiser names it instead of rounding it. */
static void test_nonfinite_const(zki_graph *g, int input, float v, const char *want)
{
    for (int i = 0; i < g->n_nodes; i++) {
        zki_node *n = &g->nodes[i];
        if ((n->op != ZKI_OP_GEMM && n->op != ZKI_OP_MATMUL && n->op != ZKI_OP_CONV) || n->n_in <= input ||
            n->in[input] < 0 || !g->t[n->in[input]].f || zki_tensor_numel(&g->t[n->in[input]]) < 3)
            continue;
        float *f = g->t[n->in[input]].f, keep = f[2];
        f[2] = v;
        zki_host_tensor *s = samples(2, 0.5f, -0.25f);
        zki_qmodel *m = NULL;
        CHECK(zki_quantize(g, s, 2, NULL, &m) == ZKI_ERR_INPUT && m == NULL);
        CHECK_MSG(strstr(zki_last_error(), want) != NULL && strstr(zki_last_error(), n->name) != NULL,
                  "'%s' lacks '%s' or the node's name", zki_last_error(), want);
        zki_samples_free(s, 2);
        f[2] = keep; /* and the model quantises again */
        s = samples(2, 0.5f, -0.25f);
        CHECK(zki_quantize(g, s, 2, NULL, &m) == ZKI_OK && m);
        zki_qmodel_free(m);
        zki_samples_free(s, 2);
        return;
    }
    CHECK_MSG(0, "no Gemm/MatMul/Conv with a constant input %d in the fixture", input);
}

static void test_value(void)
{
    float f[4] = {0, 1, INFINITY, 2};
    CHECK(zki_first_nonfinite(f, 4) == 2 && zki_first_nonfinite(f, 2) == -1);
    int c = -1;
    CHECK(zki_quant_value(0.26, 0.1, 127, &c) == 3 && c == 0);
    CHECK(zki_quant_value(-0.26, 0.1, 127, &c) == -3 && c == 0);
    CHECK(zki_quant_value(12.7, 0.1, 127, &c) == 127 && c == 0);
    CHECK(zki_quant_value(12.8, 0.1, 127, &c) == 127 && c == 1);
    CHECK(zki_quant_value(-1e30, 0.1, 127, &c) == -127 && c == 1);
    CHECK(zki_quant_value(5, 1, 127, NULL) == 5);
}

int main(void)
{
    if (!tmp_init("quant_calib"))
        return 1;
    zki_graph *g = NULL;
    CHECK(zki_onnx_load_file(tdata("mlp_view.onnx"), &g) == ZKI_OK);
    if (g) {
        test_load(g);
        test_shape(g);
        test_quantize(g);
        test_nonfinite_const(g, 1, NAN, "holds NaN at element 2; weights and biases must be finite");
        test_nonfinite_const(g, 1, -INFINITY, "holds an infinite value at element 2");
        test_nonfinite_const(g, 2, INFINITY, "::b' holds an infinite value at element 2");
    }
    test_value();
    zki_graph_free(g);
    const char *names[] = {"nan.npy", "inf.npy",  "none.npy", "int.npy", "empty",    "mixed",   "b.npy",
                           "one.npy", "flat.npy", "t.npy",    "nhwc.npy", "nchw.npy", "rgb.npy"};
    tmp_cleanup(names, sizeof names / sizeof names[0]);
    return TEST_SUMMARY();
}
