/* The commands check what they are given (issue 11, "inputs are checked"):
 * numeric options parsed strictly; the input's shape against the model's
 * (batch axis allowed, NHWC for NCHW refused naming both shapes); NaN/Inf
 * refused naming the index; values outside the calibrated range counted,
 * an error with --strict; integer files only with --input-scale; and
 * calibration data that is missing, non-finite, integer or constant
 * refused. Every rule is checked for its exit code and its message, in
 * run, prove and verify alike. Fixture: the Fashion-MNIST CNN, [1,1,28,28]. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli_input.h"
#include "quant/npy.h"
#include "test.h"
#include "test_cli_util.h"
#include "test_onnx_util.h"
#include "test_tmpdir.h"

/* stderr of one command, captured through a file */
static char err[8192];
static int saved_fd = -1;
static void cap_begin(void)
{
    fflush(stderr);
    saved_fd = dup(2);
    int fd = open(tmp("stderr.txt"), O_CREAT | O_TRUNC | O_WRONLY, 0600);
    dup2(fd, 2);
    close(fd);
}
static int cap_end(int rc)
{
    fflush(stderr);
    dup2(saved_fd, 2);
    close(saved_fd);
    FILE *f = fopen(tmp("stderr.txt"), "rb");
    size_t n = f ? fread(err, 1, sizeof err - 1, f) : 0;
    err[n] = '\0';
    if (f)
        fclose(f);
    return rc;
}
/* Exit code of the command; its stderr is in err. */
#define CAP(expr) (cap_begin(), cap_end(expr))
#define CLIE(...) CAP(CLI(__VA_ARGS__))
#define SAYS(s) CHECK_MSG(strstr(err, s) != NULL, "stderr lacks \"%s\": %s", s, err)

/* A uint8 .npy (zki_npy_write writes float32 and int64 only). */
static void write_u8(const char *path, int rank, const int64_t *dims, const uint8_t *v)
{
    char h[128];
    int o = snprintf(h, sizeof h, "{'descr': '|u1', 'fortran_order': False, 'shape': (");
    int64_t n = 1;
    for (int a = 0; a < rank; a++) {
        o += snprintf(h + o, sizeof h - (size_t)o, "%lld,", (long long)dims[a]);
        n *= dims[a];
    }
    o += snprintf(h + o, sizeof h - (size_t)o, "), }");
    while ((10 + o + 1) % 64)
        h[o++] = ' ';
    h[o++] = '\n';
    uint8_t pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (uint8_t)o, 0};
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    fwrite(pre, 1, 10, f);
    fwrite(h, 1, (size_t)o, f);
    fwrite(v, 1, (size_t)n, f);
    fclose(f);
}

static float img[2 * 784];     /* two test images in 0..1 */
static uint8_t pix[2 * 784];   /* the same as 0..255 */

static void write_f(const char *name, int rank, const int64_t *dims, const float *f)
{
    CHECK(zki_npy_write(tmp(name), rank, dims, f, NULL) == ZKI_OK);
}

/* run, prove and verify each refuse FILE (exit 2, no proof written) saying msg. */
static void refused_by_all(const char *path, const char *msg)
{
    char file[1024]; /* tmp() reuses its buffers */
    snprintf(file, sizeof file, "%s", path);
    CHECK(CLIE("run", tmp("c.zkm"), "--input", file) == 2);
    SAYS(msg);
    CHECK(CLIE("prove", tmp("c.zkm"), "--input", file, "-o", tmp("x.zkp"), "--quiet") == 2);
    SAYS(msg);
    CHECK(access(tmp("x.zkp"), F_OK) != 0);
    CHECK(CLIE("verify", tmp("c.vk"), "--input", file, "--proof", tmp("c.zkp")) == 2);
    SAYS(msg);
}

static void test_parse(void)
{
    double d = 0;
    int i = 0;
    CHECK(zki_cli_parse_double("--x", "0.25", 0, 1, 0, &d) == 0 && d == 0.25);
    CHECK(zki_cli_parse_double("--x", "1e-3", 0, 1, 1, &d) == 0 && d == 1e-3);
    const char *bad[] = {"", "abc", "0.5x", " 0.5", "nan", "inf", "-inf", "1e999", "2", "-0.1", "0x1", "0x1p-1"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        CHECK_MSG(CAP(zki_cli_parse_double("--x", bad[k], 0, 1, 0, &d)) == 2, "'%s'", bad[k]);
    CHECK(CAP(zki_cli_parse_double("--x", "0", 0, 1, 1, &d)) == 2);
    SAYS("--x: '0' is not a number in (0, 1]");
    CHECK(zki_cli_parse_int("--n", "16", 8, 16, &i) == 0 && i == 16);
    const char *badi[] = {"", "8.0", "abc", "7", "17", "99999999999999999999", "0x10", " 8"};
    for (size_t k = 0; k < sizeof badi / sizeof badi[0]; k++)
        CHECK_MSG(CAP(zki_cli_parse_int("--n", badi[k], 8, 16, &i)) == 2, "'%s'", badi[k]);

    /* every numeric option of compile; the accuracy gate cannot be switched off */
    char m[1024], cal[1024]; /* tdata and tmp share their buffers */
    snprintf(m, sizeof m, "%s", tdata("fmnist_cnn.onnx"));
    snprintf(cal, sizeof cal, "%s", tdata("fmnist_calib.npy"));
    CHECK(CLIE("compile", m, "--calib", cal, "-o", tmp("x.zkm"), "--min-top1", "abc") == 2);
    SAYS("--min-top1: 'abc' is not a number in [0, 1]");
    /* an option without its value, or given twice, says so */
    CHECK(CLIE("compile", m, "--calib", cal, "-o", tmp("x.zkm"), "--min-cosine") == 2);
    SAYS("--min-cosine needs a value");
    CHECK(CLIE("compile", m, "--calib", cal, "--calib", m, "-o", tmp("x.zkm")) == 2);
    SAYS("--calib given twice");
    CHECK(CLIE("compile", m, "--calib", cal, "-o", tmp("x.zkm"), "--min-cosine", "nan") == 2);
    SAYS("--min-cosine: 'nan' is not a number in [-1, 1]");
    CHECK(CLIE("compile", m, "--calib", cal, "-o", tmp("x.zkm"), "--min-cosine", "1.5") == 2);
    CHECK(CLIE("compile", m, "--calib", cal, "-o", tmp("x.zkm"), "--weight-bits", "8bit") == 2);
    SAYS("--weight-bits: '8bit' is not an integer in [8, 16]");
    CHECK(CLIE("compile", m, "--calib", cal, "-o", tmp("x.zkm"), "--act-bits", "12") == 2);
    SAYS("--act-bits: '12' is not 8 or 16");
    CHECK(access(tmp("x.zkm"), F_OK) != 0);
    /* --input-scale of run, prove and verify */
    CHECK(CLIE("run", tmp("c.zkm"), "--input", tmp("u8.npy"), "--input-scale", "abc") == 2);
    SAYS("--input-scale: 'abc' is not a number in (0,");
    CHECK(CLIE("prove", tmp("c.zkm"), "--input", tmp("u8.npy"), "-o", tmp("x.zkp"), "--input-scale", "0") == 2);
    CHECK(CLIE("verify", tmp("c.vk"), "--input", tmp("u8.npy"), "--proof", tmp("c.zkp"), "--input-scale",
               "-1") == 2);
    CHECK(CLIE("run", tmp("c.zkm"), "--input", tmp("u8.npy"), "--input-scale", "inf") == 2);
}

static void test_shape(void)
{
    int64_t nhwc[4] = {1, 28, 28, 1}, b2[4] = {2, 1, 28, 28}, b2x[5] = {2, 1, 1, 28, 28}, flat[1] = {784},
            flat2[2] = {2, 784};
    write_f("nhwc.npy", 4, nhwc, img);
    write_f("b2.npy", 4, b2, img);
    write_f("b2x.npy", 5, b2x, img);
    write_f("flat.npy", 1, flat, img);
    write_f("flat2.npy", 2, flat2, img);
    /* same element count, another layout: refused naming both shapes, in every command */
    refused_by_all(tmp("nhwc.npy"),
                   "nhwc.npy has shape [1,28,28,1]; the model takes [1,1,28,28] (optionally with a leading batch axis)");
    CHECK(CLIE("run", tmp("c.zkm"), "--input", tmp("flat2.npy")) == 2);
    SAYS("has shape [2,784]");
    /* accepted: the model's shape, a batch on its unit axis or a new one, one flat sample */
    CHECK(CLI("run", tmp("c.zkm"), "--input", tmp("b2.npy"), "-o", tmp("y2.npy")) == 0);
    CHECK(CLI("run", tmp("c.zkm"), "--input", tmp("b2x.npy"), "-o", tmp("y2x.npy")) == 0);
    CHECK(CLI("run", tmp("c.zkm"), "--input", tmp("flat.npy")) == 0);
    zki_host_tensor y2, y2x;
    CHECK(zki_npy_read(tmp("y2.npy"), &y2) == ZKI_OK);
    CHECK(zki_npy_read(tmp("y2x.npy"), &y2x) == ZKI_OK);
    CHECK(y2.f && y2x.f && y2.dims[0] == 2 && zki_host_tensor_numel(&y2) == zki_host_tensor_numel(&y2x) &&
          !memcmp(y2.f, y2x.f, sizeof(float) * (size_t)zki_host_tensor_numel(&y2)));
    zki_host_tensor_clear(&y2);
    zki_host_tensor_clear(&y2x);
    CHECK(CLI("prove", tmp("c.zkm"), "--input", tmp("b2.npy"), "-o", tmp("b2.zkp"), "--quiet") == 0);
    CHECK(CLI("verify", tmp("c.vk"), "--input", tmp("b2x.npy"), "--proof", tmp("b2.zkp")) == 0);
}

static void test_nonfinite(void)
{
    static float f[2 * 784];
    memcpy(f, img, sizeof f);
    f[784 + 100] = 0.0f / 0.0f;
    int64_t b2[4] = {2, 1, 28, 28};
    write_f("nan.npy", 4, b2, f);
    f[784 + 100] = img[784 + 100];
    f[7] = -1.0f / 0.0f;
    write_f("inf.npy", 4, b2, f);
    refused_by_all(tmp("nan.npy"), "nan.npy: value at index 884 (sample 1, element 100) is NaN");
    refused_by_all(tmp("inf.npy"), "inf.npy: value at index 7 (sample 0, element 7) is infinite");
}

static void test_range(void)
{
    static float f[784];
    memcpy(f, img, sizeof f);
    for (int k = 0; k < 5; k++)
        f[100 * k] = k == 3 ? -1000.0f : 50.0f;
    int64_t d[4] = {1, 1, 28, 28};
    write_f("far.npy", 4, d, f);
    CHECK(CLIE("run", tmp("c.zkm"), "--input", tmp("far.npy")) == 0);
    SAYS("far.npy: 5 of 784 values outside the calibrated range [-");
    SAYS("(largest |x| = 1000); they are clamped to it");
    CHECK(CLIE("run", tmp("c.zkm"), "--input", tmp("far.npy"), "--strict") == 2);
    SAYS("5 of 784 values outside the calibrated range");
    SAYS("refused (--strict)");
    CHECK(CLIE("prove", tmp("c.zkm"), "--input", tmp("far.npy"), "-o", tmp("x.zkp"), "--quiet", "--strict") == 2);
    CHECK(access(tmp("x.zkp"), F_OK) != 0);
    /* in range: nothing reported, --strict passes */
    CHECK(CLIE("run", tmp("c.zkm"), "--input", tmp("b2.npy"), "--strict") == 0);
    CHECK(strstr(err, "calibrated range") == NULL);
}

static void test_dtype(void)
{
    int64_t d[4] = {1, 1, 28, 28};
    write_u8(tmp("u8.npy"), 4, d, pix);
    int64_t iv[784];
    for (int k = 0; k < 784; k++)
        iv[k] = pix[k];
    CHECK(zki_npy_write(tmp("i64.npy"), 4, d, NULL, iv) == ZKI_OK);
    write_f("one.npy", 4, d, img);
    /* the repository's own uint8 images, and any integer file, need --input-scale */
    refused_by_all(tdata("fmnist_test_x.npy"), "fmnist_test_x.npy holds uint8; the model takes float input: pass "
                   "--input-scale 0.00392156862745098 (1/255) to scale it, or convert it");
    refused_by_all(tmp("i64.npy"), "i64.npy holds int64; the model takes float input: pass --input-scale S");
    CHECK(CLIE("run", tmp("c.zkm"), "--input", tmp("one.npy"), "--input-scale", "0.5") == 2);
    SAYS("--input-scale applies to integer files; ");
    /* with the scale: the same integers as the float image */
    const char *s255 = "0.00392156862745098";
    CHECK(CLI("run", tmp("c.zkm"), "--input", tmp("u8.npy"), "--input-scale", s255, "--raw", "-o", tmp("yu.npy")) == 0);
    CHECK(CLI("run", tmp("c.zkm"), "--input", tmp("one.npy"), "--raw", "-o", tmp("yf.npy")) == 0);
    zki_host_tensor yu, yf;
    CHECK(zki_npy_read(tmp("yu.npy"), &yu) == ZKI_OK);
    CHECK(zki_npy_read(tmp("yf.npy"), &yf) == ZKI_OK);
    CHECK(yu.i && yf.i && zki_host_tensor_numel(&yu) == 10 && !memcmp(yu.i, yf.i, 10 * sizeof(int64_t)));
    zki_host_tensor_clear(&yu);
    zki_host_tensor_clear(&yf);
    CHECK(CLI("prove", tmp("c.zkm"), "--input", tmp("u8.npy"), "--input-scale", s255, "-o", tmp("u8.zkp"),
              "--quiet") == 0);
    CHECK(CLI("verify", tmp("c.vk"), "--input", tmp("i64.npy"), "--input-scale", s255, "--proof",
              tmp("u8.zkp")) == 0);
    CHECK(CLI("verify", tmp("c.vk"), "--input", tmp("one.npy"), "--proof", tmp("u8.zkp")) == 0);
    CHECK(CLIE("verify", tmp("c.vk"), "--input-scale", s255, "--proof", tmp("u8.zkp")) == 2);
    SAYS("--input-scale applies to --input, which is not given");
}

/* A flat model input ([1,784], the MLP) has no layout to mismatch: it takes
 * any [B, ...] of 784 values per sample, as the README's example does. */
static void test_flat(void)
{
    CHECK(CLI("compile", tdata("fmnist_mlp.onnx"), "--calib", tmp("b2.npy"), "-o", tmp("m.zkm")) == 0);
    CHECK(CLI("run", tmp("m.zkm"), "--input", tmp("b2.npy")) == 0);
    CHECK(CLI("run", tmp("m.zkm"), "--input", tmp("flat2.npy")) == 0);
    CHECK(CLI("run", tmp("m.zkm"), "--input", tdata("fmnist_test_x.npy"), "--input-scale", "0.00392156862745098",
              "-o", tmp("y1000.npy")) == 0);
    zki_host_tensor y;
    CHECK(zki_npy_read(tmp("y1000.npy"), &y) == ZKI_OK && y.rank == 3 && y.dims[0] == 1000);
    zki_host_tensor_clear(&y);
    int64_t d[2] = {28, 28};
    write_f("hw.npy", 2, d, img);
    CHECK(CLIE("run", tmp("m.zkm"), "--input", tmp("hw.npy")) == 2);
    SAYS("hw.npy has shape [28,28]; the model takes [1,784]");
}

static void test_calib(void)
{
    char m[1024];
    snprintf(m, sizeof m, "%s", tdata("fmnist_cnn.onnx"));
    mkdir(tmp("empty"), 0700);
    CHECK(CLIE("compile", m, "--calib", tmp("empty"), "-o", tmp("x.zkm")) == 2);
    SAYS("empty' holds no .npy or .pb calibration files");
    static float f[3 * 784];
    int64_t d[4] = {3, 1, 28, 28};
    memcpy(f, img, 2 * 784 * sizeof(float));
    memcpy(f + 2 * 784, img, 784 * sizeof(float));
    f[2 * 784 + 5] = 0.0f / 0.0f;
    write_f("cnan.npy", 4, d, f);
    CHECK(CLIE("compile", m, "--calib", tmp("cnan.npy"), "-o", tmp("x.zkm")) == 2);
    SAYS("cnan.npy': value at index 1573 (sample 2) is NaN");
    CHECK(CLIE("compile", m, "--calib", tmp("b2.npy"), "--eval", tmp("cnan.npy"), "-o", tmp("x.zkm")) == 2);
    SAYS("cnan.npy': value at index 1573");
    for (int k = 0; k < 3 * 784; k++)
        f[k] = 1.0f / 0.0f;
    write_f("cinf.npy", 4, d, f);
    CHECK(CLIE("compile", m, "--calib", tmp("cinf.npy"), "-o", tmp("x.zkm")) == 2);
    SAYS("cinf.npy': value at index 0 (sample 0) is infinite");
    memset(f, 0, sizeof f);
    write_f("czero.npy", 4, d, f);
    CHECK(CLIE("compile", m, "--calib", tmp("czero.npy"), "-o", tmp("x.zkm")) == 2);
    SAYS("is constant (every value is 0)");
    SAYS("calibrate on real input samples");
    CHECK(CLIE("compile", m, "--calib", tmp("u8.npy"), "-o", tmp("x.zkm")) == 2);
    SAYS("u8.npy' holds integers; the model takes float input");
    CHECK(access(tmp("x.zkm"), F_OK) != 0 && access(tmp("x.vk"), F_OK) != 0);
}

int main(void)
{
    if (!tmp_init("cli_inputs"))
        return 1;
    zki_host_tensor x;
    CHECK(zki_npy_read(tdata("fmnist_test_x.npy"), &x) == ZKI_OK && x.i);
    for (int k = 0; x.i && k < 2 * 784; k++) {
        pix[k] = (uint8_t)x.i[k];
        img[k] = (float)((double)x.i[k] * 0.00392156862745098);
    }
    zki_host_tensor_clear(&x);
    CHECK(CLI("compile", tdata("fmnist_cnn.onnx"), "--calib", tdata("fmnist_calib.npy"), "-o", tmp("c.zkm")) == 0);
    CHECK(CLI("prove", tmp("c.zkm"), "--input", tdata("fmnist_sample.npy"), "-o", tmp("c.zkp"), "--quiet") == 0);
    test_shape();
    test_nonfinite();
    test_range();
    test_dtype();
    test_flat();
    test_parse();
    test_calib();
    const char *names[] = {"c.zkm", "c.vk", "c.zpk", "c.zkp", "b2.zkp", "u8.zkp", "nhwc.npy", "b2.npy", "b2x.npy",
                           "flat.npy", "flat2.npy", "y2.npy", "y2x.npy", "nan.npy", "inf.npy", "far.npy", "u8.npy",
                           "i64.npy", "one.npy", "yu.npy", "yf.npy", "cnan.npy", "cinf.npy", "czero.npy",
                           "stderr.txt", "x.zkm", "x.vk", "x.zpk", "x.zkp", "empty", "m.zkm", "m.vk", "m.zpk",
                           "y1000.npy", "hw.npy"};
    tmp_cleanup(names, sizeof names / sizeof names[0]);
    return TEST_SUMMARY();
}
