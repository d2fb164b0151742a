/* Files that are not what a reader may take whole: a FIFO (or socket or
 * device) is refused by stat before it is opened, so no reader blocks on
 * it; alarm(5) turns a hang into a failure. Covers zki_read_file, every
 * library reader of user files (.npy, .pb, .zkm, .vk, .zpk, calibration)
 * and inspect / compile --calib in process. A file over its kind's cap (a
 * sparse 1000 MB .vk, a .zpk of the wrong size) is refused by its size
 * without being read: the peak RSS and the time stay small. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "common/file_read.h"
#include "prover/setup.h"
#include "quant/npy.h"
#include "quant/quant.h"
#include "test.h"
#include "test_cli_util.h"
#include "test_onnx_util.h"
#include "test_tmpdir.h"

static int said(const char *want)
{
    const char *e = zki_last_error();
    int ok = e && strstr(e, want) != NULL;
    if (!ok)
        fprintf(stderr, "message '%s' lacks '%s'\n", e ? e : "(none)", want);
    return ok;
}

static void test_fifo(void)
{
    static const char *names[] = {"f.zkp", "f.npy", "f.pb", "f.zkm", "f.vk", "f.zpk"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        CHECK(mkfifo(tmp(names[k]), 0600) == 0);
    char want[600];
    snprintf(want, sizeof want, "'%s' is not a regular file", tmp("f.zkp"));
    uint8_t *b = NULL, head[8];
    size_t n = 0;
    CHECK(zki_read_file(tmp("f.zkp"), 1 << 20, &b, &n) == ZKI_ERR_IO && b == NULL && said(want));
    CHECK(zki_read_file_head(tmp("f.zkp"), 1 << 20, head, sizeof head, &n) == ZKI_ERR_IO && said(want));
    zki_host_tensor t;
    CHECK(zki_npy_read(tmp("f.npy"), &t) != ZKI_OK && said("f.npy' is not a regular file"));
    CHECK(zki_tensor_read_any(tmp("f.pb"), &t) != ZKI_OK && said("f.pb' is not a regular file"));
    zki_qmodel *m = NULL;
    CHECK(zki_zkm_read(tmp("f.zkm"), &m) != ZKI_OK && m == NULL && said("f.zkm' is not a regular file"));
    zki_vk vk;
    CHECK(zki_vk_read(tmp("f.vk"), &vk) != ZKI_OK && said("f.vk' is not a regular file"));
    zki_pk_file pf;
    CHECK(zki_pk_read(tmp("f.zpk"), &pf) != ZKI_OK && said("f.zpk' is not a regular file"));
    /* the commands, in process */
    CHECK(CLI("inspect", tmp("f.zkp")) == 2 && said(want));
    zki_graph *g = NULL;
    CHECK(zki_onnx_load_file(tdata("fmnist_mlp.onnx"), &g) == ZKI_OK);
    zki_host_tensor *s = NULL;
    int ns = 0;
    if (g)
        CHECK(zki_calib_load(g, tmp("f.npy"), &s, &ns) != ZKI_OK && ns == 0 && said("f.npy' is not a regular file"));
    zki_graph_free(g);
    CHECK(CLI("compile", tdata("fmnist_mlp.onnx"), "--calib", tmp("f.npy"), "-o", tmp("x.zkm")) == 2 &&
          said("f.npy' is not a regular file"));
    CHECK(CLI("run", tmp("f.zkm"), "--input", tdata("fmnist_sample.npy")) == 2 && said("f.zkm' is not a regular"));
    CHECK(CLI("verify", tmp("f.vk"), "--proof", tmp("f.zkp")) == 2 && said("f.vk' is not a regular file"));
    CHECK(access(tmp("x.zkm"), F_OK) != 0);
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        remove(tmp(names[k]));
}

static long peak_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* path: the 8-byte magic, then sparse up to size bytes. */
static int sparse(const char *path, const char *magic, off_t size)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(magic, 1, 8, f) == 8;
    if (f)
        ok = !fclose(f) && ok;
    return ok && truncate(path, size) == 0 ? 0 : -1;
}

static void test_size_caps(void)
{
    static const char vk_magic[8] = "ZKINFVK", pk_magic[8] = "ZKINFPK";
    CHECK(sparse(tmp("s.vk"), vk_magic, (off_t)1000 << 20) == 0);
    CHECK(sparse(tmp("s.zpk"), pk_magic, (off_t)ZKI_PK_MAX_FILE_BYTES + 1) == 0);
    char want_pk[200];
    snprintf(want_pk, sizeof want_pk, "s.zpk' is %zu bytes, more than the %zu", ZKI_PK_MAX_FILE_BYTES + 1,
             ZKI_PK_MAX_FILE_BYTES);
    char want[600];
    snprintf(want, sizeof want, "'%s' is %lld bytes, more than the %zu bytes", tmp("s.vk"), 1000LL << 20,
             ZKI_VK_MAX_FILE_BYTES);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long kb0 = peak_kb();
    zki_vk vk;
    CHECK(zki_vk_read(tmp("s.vk"), &vk) == ZKI_ERR_INPUT && said(want));
    CHECK(CLI("verify", tmp("s.vk"), "--proof", tmp("none.zkp")) == 2 && said(want));
    CHECK(CLI("inspect", tmp("s.vk")) == 2 && said(want)); /* by the .vk cap, which the magic chose */
    zki_pk_file pf;
    CHECK(zki_pk_read(tmp("s.zpk"), &pf) == ZKI_ERR_INPUT && said(want_pk));
    CHECK(CLI("inspect", tmp("s.zpk")) == 2 && said(want_pk));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    long grew = peak_kb() - kb0;
    CHECK_MSG(grew < 16 * 1024, "peak RSS grew %ld KiB refusing oversize files", grew);
    CHECK_MSG(secs < 0.5, "refusing oversize files took %.3f s", secs);
    remove(tmp("s.vk"));
    remove(tmp("s.zpk"));
}

int main(void)
{
    alarm(5); /* a reader blocked on a FIFO fails the test instead of hanging it */
    if (!tmp_init("special_files"))
        return 1;
    test_fifo();
    test_size_caps();
    rmdir(dir);
    return TEST_SUMMARY();
}
