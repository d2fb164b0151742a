/* Models with several forks open at once, proven through the CLI: the
 * torch-exported fixtures of tools/make_dag_fixtures.py (tests/data/dag_*):
 * an Inception block (four branches, one Concat of 4 inputs, a MaxPool
 * branch), a map read by three consumers (two convs and a residual sum of
 * three terms), DenseNet joins (Concats of 2, 3 and 4 maps, every layer
 * reading all earlier maps), a residual sum of three conv branches, a
 * Concat of five, a squeeze-excitation block (a map times a [C][1][1]
 * gate: MUL with broadcasting), the product of two conv branches (MUL),
 * the sum of a map and a [C][1][1] map (ADD with broadcasting) and a
 * squeeze-excitation gate made by Linear layers (a row of C viewed as
 * [1,C,1,1]), a Concat of seventeen, and per-channel constants on a map
 * (a layer scale, a shift, a constant minus the map: depthwise 1x1 convs,
 * graph/channel_affine.h), and a PReLU with a slope per channel (a
 * Relu plus a depthwise conv of the negative part). For each:
 * compile with calibration writes keys; run
 * agrees with torch's output within quantisation error; prove on the sample
 * verifies (exit 0) and the verified argmax is run's; the proof with one
 * byte flipped in its body is rejected (exit 1); so is the proof under
 * another fixture's key (exit 1). A model that gets no keys fails at
 * "keys written" and its other proof checks are skipped. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "quant/npy.h"
#include "test.h"
#include "test_cli_util.h"
#include "test_onnx_util.h"
#include "test_tmpdir.h"

#define NFX 12
static const char *const fx[NFX] = {"inception", "three_consumers", "densenet", "add3", "concat5", "mul_se",
                                    "mul_branches", "add_bcast", "mul_se_fc", "concat17", "chan_affine",
                                    "prelu_chan"};
static int keyed[NFX];

/* What the last CLI_OUT / CLI_QUIET wrote to stdout (and, for CLI_QUIET,
 * stderr). CLI_OUT leaves stderr on the terminal, so a refusal's message
 * shows in the test log; CLI_QUIET keeps the expected rejections out of it
 * (the checks print err_text when the exit code is not the expected one). */
static char out_text[8192], err_text[8192];
static int so_saved = -1, se_saved = -1;
static void redirect(int fdno, const char *name, int *saved)
{
    *saved = dup(fdno);
    int fd = open(tmp(name), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
        dup2(fd, fdno);
        close(fd);
    }
}
static void restore(int fdno, const char *name, int *saved, char *buf, size_t cap)
{
    if (*saved >= 0) {
        dup2(*saved, fdno);
        close(*saved);
        *saved = -1;
    }
    FILE *f = fopen(tmp(name), "rb");
    size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
}
static void cap_begin(int err)
{
    fflush(stdout);
    fflush(stderr);
    redirect(1, "stdout.txt", &so_saved);
    err_text[0] = '\0';
    if (err)
        redirect(2, "stderr.txt", &se_saved);
}
static int cap_end(int rc)
{
    fflush(stdout);
    fflush(stderr);
    restore(1, "stdout.txt", &so_saved, out_text, sizeof out_text);
    if (se_saved >= 0)
        restore(2, "stderr.txt", &se_saved, err_text, sizeof err_text);
    return rc;
}
#define CLI_OUT(...) (cap_begin(0), cap_end(CLI(__VA_ARGS__)))
#define CLI_QUIET(...) (cap_begin(1), cap_end(CLI(__VA_ARGS__)))

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* "dir/dag_NAME.EXT" into p */
static void path_of(char *p, size_t cap, int i, const char *ext)
{
    snprintf(p, cap, "%s/dag_%s%s", dir, fx[i], ext);
}

/* Copies from to to with byte at flipped (xor mask); 0 on success. */
static int copy_flipped(const char *from, const char *to, long at, int mask)
{
    FILE *f = fopen(from, "rb"), *g = fopen(to, "wb");
    int ok = f && g;
    long i = 0;
    for (int c; ok && (c = fgetc(f)) != EOF; i++)
        fputc(i == at ? c ^ mask : c, g);
    if (f)
        fclose(f);
    if (g)
        fclose(g);
    return ok ? 0 : -1;
}

static long file_len(const char *p)
{
    struct stat st;
    return stat(p, &st) ? -1 : (long)st.st_size;
}

/* run's dequantised output against torch's (tests/data/dag_NAME_y.npy):
 * max |run - torch| <= 0.02 (the outputs are |y| < 1, their int8 step
 * about 0.003) and the same argmax; gives run's argmax, or -1 */
static int64_t check_run(int i, const char *zkm, const char *x)
{
    char yo[512], ty[64];
    path_of(yo, sizeof yo, i, "_run.npy");
    snprintf(ty, sizeof ty, "dag_%s_y.npy", fx[i]);
    int rc = CLI_OUT("run", zkm, "--input", x, "-o", yo);
    CHECK_MSG(rc == 0, "dag_%s: run exit %d", fx[i], rc);
    zki_host_tensor r, t;
    memset(&r, 0, sizeof r);
    memset(&t, 0, sizeof t);
    int64_t am = -1;
    if (rc == 0 && zki_tensor_read_any(yo, &r) == ZKI_OK && zki_tensor_read_any(tdata(ty), &t) == ZKI_OK && r.f &&
        t.f) {
        int64_t n = zki_host_tensor_numel(&t);
        CHECK_MSG(zki_host_tensor_numel(&r) == n, "dag_%s: run gives %lld values, torch %lld", fx[i],
                  (long long)zki_host_tensor_numel(&r), (long long)n);
        double err = 0;
        for (int64_t e = 0; e < n && zki_host_tensor_numel(&r) == n; e++)
            err = fmax(err, fabs((double)r.f[e] - (double)t.f[e]));
        am = test_argmax_f(r.f, n);
        CHECK_MSG(err <= 0.02, "dag_%s: max |run - torch| = %g", fx[i], err);
        CHECK_MSG(am == test_argmax_f(t.f, n), "dag_%s: run argmax %lld, torch %lld", fx[i], (long long)am,
                  (long long)test_argmax_f(t.f, n));
        printf("dag_%s: max |run - torch| %.5f, argmax %lld\n", fx[i], err, (long long)am);
    } else {
        CHECK_MSG(0, "dag_%s: run output or torch output unreadable", fx[i]);
    }
    zki_host_tensor_clear(&r);
    zki_host_tensor_clear(&t);
    remove(yo);
    return am;
}

/* compile -> keys -> run vs torch -> prove -> verify -> argmax -> flips */
static void test_fixture(int i)
{
    char onnx[64], calib[64], x[512], zkm[512], vk[512], zpk[512], pf[512], bad[512];
    snprintf(onnx, sizeof onnx, "dag_%s.onnx", fx[i]);
    snprintf(calib, sizeof calib, "dag_%s_calib.npy", fx[i]);
    snprintf(x, sizeof x, "%s/dag_%s_x.npy", ZKI_TEST_DATA, fx[i]);
    path_of(zkm, sizeof zkm, i, ".zkm");
    path_of(vk, sizeof vk, i, ".vk");
    path_of(zpk, sizeof zpk, i, ".zpk");
    path_of(pf, sizeof pf, i, ".zkp");
    path_of(bad, sizeof bad, i, "_bad.zkp");
    int rc = CLI_OUT("compile", tdata(onnx), "--calib", tdata(calib), "-o", zkm);
    CHECK_MSG(rc == 0, "dag_%s: compile exit %d", fx[i], rc);
    if (rc)
        return;
    keyed[i] = access(vk, R_OK) == 0 && access(zpk, R_OK) == 0;
    CHECK_MSG(keyed[i], "dag_%s: compile wrote no keys (its message is above)", fx[i]);
    int64_t am = check_run(i, zkm, x);
    if (!keyed[i])
        return;
    double t0 = now_s();
    rc = CLI_OUT("prove", zkm, "--input", x, "-o", pf, "--quiet");
    double tp = now_s() - t0;
    CHECK_MSG(rc == 0, "dag_%s: prove exit %d", fx[i], rc);
    if (rc)
        return;
    rc = CLI_OUT("verify", vk, "--input", x, "--proof", pf);
    CHECK_MSG(rc == 0, "dag_%s: verify exit %d", fx[i], rc);
    /* "verified sample 0: class (argmax) K, output ..." */
    const char *s = strstr(out_text, "verified sample 0: class (argmax) ");
    long vam = s ? strtol(s + strlen("verified sample 0: class (argmax) "), NULL, 10) : -1;
    CHECK_MSG(s && vam == am, "dag_%s: verified argmax %ld, run's %lld: %s", fx[i], vam, (long long)am, out_text);
    long len = file_len(pf);
    printf("dag_%s: prove %.3f s, proof %ld bytes, verified argmax %ld\n", fx[i], tp, len, vam);
    /* one byte flipped in the body, at 31 evenly spaced offsets (k/32 of
     * the length; today's proofs put the lookup GKRs in the first fifth,
     * then the layer sum-checks, then the PCS openings) and the last byte;
     * offsets below 512 (the 92-byte header and the output) are skipped */
    int flips = 0;
    for (int k = 1; k <= 32; k++) {
        long at = k == 32 ? len - 1 : len / 32 * k;
        int mask = 1 << (k % 8);
        if (at < 512)
            continue;
        CHECK(copy_flipped(pf, bad, at, mask) == 0);
        rc = CLI_QUIET("verify", vk, "--input", x, "--proof", bad);
        CHECK_MSG(rc == 1, "dag_%s: byte %ld of %ld flipped (^0x%02x): verify exit %d: %s", fx[i], at, len, mask, rc,
                  err_text);
        flips++;
    }
    CHECK_MSG(flips >= 16, "dag_%s: proof of %ld bytes, %d flips", fx[i], len, flips);
    remove(bad);
}

int main(void)
{
    if (!tmp_init("prove_dag"))
        return 1;
    for (int i = 0; i < NFX; i++)
        test_fixture(i);
    /* each proof under the next fixture's key: rejected (every fixture
     * takes a [1,3,8,8] input, so the input is read and the proof is not) */
    for (int i = 0; i < NFX; i++) {
        int j = (i + 1) % NFX;
        if (!keyed[i] || !keyed[j])
            continue;
        char vk[512], pf[512], x[512];
        path_of(vk, sizeof vk, j, ".vk");
        path_of(pf, sizeof pf, i, ".zkp");
        snprintf(x, sizeof x, "%s/dag_%s_x.npy", ZKI_TEST_DATA, fx[i]);
        int rc = CLI_QUIET("verify", vk, "--input", x, "--proof", pf);
        CHECK_MSG(rc == 1, "dag_%s proof under dag_%s key: verify exit %d: %s", fx[i], fx[j], rc, err_text);
    }
    for (int i = 0; i < NFX; i++) {
        const char *ext[4] = {".zkm", ".vk", ".zpk", ".zkp"};
        for (int e = 0; e < 4; e++) {
            char p[512];
            path_of(p, sizeof p, i, ext[e]);
            remove(p);
        }
    }
    const char *names[] = {"stdout.txt", "stderr.txt"};
    tmp_cleanup(names, 2);
    return TEST_SUMMARY();
}
