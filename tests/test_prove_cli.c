/* zkinfer compile -> prove -> verify on the Fashion-MNIST MLP fixture, a
 * batch of 5 images, the Fashion-MNIST CNN (one image, a batch of 3), --private-input, inspect of key and proof, and the
 * failure exit codes: a proof checked against another input (1), a
 * truncated proof (1), a proof under another model's key (1). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "quant/npy.h"
#include "test.h"
#include "test_cli_util.h"
#include "test_tmpdir.h"
#include "test_onnx_util.h"

static int copy_prefix(const char *from, const char *to, long n)
{
    FILE *f = fopen(from, "rb"), *g = fopen(to, "wb");
    if (!f || !g) {
        if (f)
            fclose(f);
        if (g)
            fclose(g);
        return -1;
    }
    int c;
    long i = 0;
    while ((n < 0 || i < n) && (c = fgetc(f)) != EOF) {
        fputc(c, g);
        i++;
    }
    fclose(f);
    fclose(g);
    return 0;
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/zki_prove_cli_XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    char sample[600];
    snprintf(sample, sizeof sample, "%s", tdata("fmnist_sample.npy"));
    CHECK(CLI("compile", tdata("fmnist_mlp.onnx"), "--calib", tdata("fmnist_calib.npy"), "-o",
              tmp("m.zkm")) == 0);
    CHECK(access(tmp("m.vk"), R_OK) == 0 && access(tmp("m.zpk"), R_OK) == 0);
    CHECK(CLI("prove", tmp("m.zkm"), "--input", sample, "-o", tmp("p.zkp"), "--quiet") == 0);
    CHECK(CLI("verify", tmp("m.vk"), "--input", sample, "--proof", tmp("p.zkp")) == 0);
    CHECK(CLI("inspect", tmp("m.vk")) == 0);
    CHECK(CLI("inspect", tmp("p.zkp")) == 0);
    /* another input: the first 5 test images as a batch */
    zki_host_tensor x;
    CHECK(zki_tensor_read_any(tdata("fmnist_test_x.npy"), &x) == ZKI_OK);
    int64_t dims[2] = {5, 784};
    float *f = malloc(sizeof(float) * 5 * 784);
    for (int i = 0; i < 5 * 784; i++)
        f[i] = x.f ? x.f[i] : (float)x.i[i] / 255.0f;
    CHECK(zki_npy_write(tmp("batch.npy"), 2, dims, f, NULL) == ZKI_OK);
    dims[0] = 1;
    CHECK(zki_npy_write(tmp("one.npy"), 2, dims, f + 784, NULL) == ZKI_OK);
    free(f);
    zki_host_tensor_clear(&x);
    CHECK(CLI("prove", tmp("m.zkm"), "--input", tmp("batch.npy"), "-o", tmp("b.zkp"), "--quiet") == 0);
    CHECK(CLI("verify", tmp("m.vk"), "--input", tmp("batch.npy"), "--proof", tmp("b.zkp")) == 0);
    /* rejections: exit code 1 */
    CHECK(CLI("verify", tmp("m.vk"), "--input", tmp("one.npy"), "--proof", tmp("p.zkp")) == 1);
    CHECK(CLI("verify", tmp("m.vk"), "--input", sample, "--proof", tmp("b.zkp")) == 1);
    CHECK(copy_prefix(tmp("p.zkp"), tmp("t.zkp"), 1000) == 0);
    CHECK(CLI("verify", tmp("m.vk"), "--input", sample, "--proof", tmp("t.zkp")) == 1);
    /* private input: verified without it; refused with it */
    CHECK(CLI("prove", tmp("m.zkm"), "--input", sample, "-o", tmp("q.zkp"), "--private-input", "--quiet") == 0);
    CHECK(CLI("verify", tmp("m.vk"), "--proof", tmp("q.zkp")) == 0);
    CHECK(CLI("verify", tmp("m.vk"), "--input", sample, "--proof", tmp("q.zkp")) == 1);
    /* a second compile draws a new hiding seed: a new key, the old proof fails */
    CHECK(CLI("compile", tdata("fmnist_mlp.onnx"), "--calib", tdata("fmnist_calib.npy"), "-o",
              tmp("n.zkm")) == 0);
    CHECK(CLI("verify", tmp("n.vk"), "--input", sample, "--proof", tmp("p.zkp")) == 1);
    /* the Fashion-MNIST CNN (Conv, MaxPool, Conv, MaxPool, Flatten, Gemm):
     * one image, a batch of 3 as [3, 1, 28, 28], a mismatched input */
    CHECK(CLI("compile", tdata("fmnist_cnn.onnx"), "--calib", tdata("fmnist_calib.npy"), "-o",
              tmp("c.zkm")) == 0);
    CHECK(access(tmp("c.vk"), R_OK) == 0);
    CHECK(CLI("prove", tmp("c.zkm"), "--input", sample, "-o", tmp("c.zkp"), "--quiet") == 0);
    CHECK(CLI("verify", tmp("c.vk"), "--input", sample, "--proof", tmp("c.zkp")) == 0);
    CHECK(CLI("inspect", tmp("c.vk")) == 0);
    {
        zki_host_tensor x3;
        CHECK(zki_tensor_read_any(tdata("fmnist_test_x.npy"), &x3) == ZKI_OK);
        int64_t d4[4] = {3, 1, 28, 28};
        float *f3 = malloc(sizeof(float) * 3 * 784);
        for (int i = 0; i < 3 * 784; i++)
            f3[i] = x3.f ? x3.f[i] : (float)x3.i[i] / 255.0f;
        CHECK(zki_npy_write(tmp("b3.npy"), 4, d4, f3, NULL) == ZKI_OK);
        free(f3);
        zki_host_tensor_clear(&x3);
    }
    CHECK(CLI("prove", tmp("c.zkm"), "--input", tmp("b3.npy"), "-o", tmp("c3.zkp"), "--quiet") == 0);
    CHECK(CLI("verify", tmp("c.vk"), "--input", tmp("b3.npy"), "--proof", tmp("c3.zkp")) == 0);
    /* [1,784] is not the CNN's [1,1,28,28]: refused before verifying */
    CHECK(CLI("verify", tmp("c.vk"), "--input", tmp("one.npy"), "--proof", tmp("c.zkp")) == 2);
    /* usage errors: 2 */
    CHECK(CLI("prove", tmp("m.zkm")) == 2);
    CHECK(CLI("verify", tmp("missing.vk"), "--proof", tmp("p.zkp")) == 2);
    CHECK(copy_prefix(tmp("m.zpk"), tmp("t.zpk"), 40) == 0);
    CHECK(CLI("prove", tmp("m.zkm"), "--input", sample, "-o", tmp("x.zkp"), "--key", tmp("t.zpk")) == 2);
    const char *names[] = {"m.zkm", "m.vk", "m.zpk", "n.zkm", "n.vk", "n.zpk", "p.zkp", "b.zkp", "q.zkp",
                           "t.zkp", "t.zpk", "x.zkp", "batch.npy", "one.npy", "c.zkm", "c.vk", "c.zpk",
                           "c.zkp", "c3.zkp", "b3.npy"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        remove(tmp(names[i]));
    rmdir(dir);
    return TEST_SUMMARY();
}
