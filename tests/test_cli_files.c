/* Files are never lost (issue 11): outputs that name an input or each other
 * are refused with exit 2 before any work and the input stays byte for byte;
 * a write that fails midway (file size limit) leaves the old file and no
 * temporary; the prover key is 0600 whatever the umask; recompiling a model
 * that gets no keys removes the old keys beside it and says so. */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/file_read.h"
#include "quant/npy.h"
#include "test.h"
#include "test_cli_util.h"
#include "test_tmpdir.h"
#include "test_onnx_util.h"

/* A file's bytes, to compare after a refused or failed command. */
typedef struct {
    uint8_t *b;
    size_t n;
} snap;

static snap take(const char *path)
{
    snap s = {NULL, 0};
    if (zki_read_file(path, (size_t)1 << 26, &s.b, &s.n) != ZKI_OK)
        s.b = NULL;
    return s;
}

/* Whether path still holds s's bytes; if not, puts them back, so that each
 * case below passes or fails on its own. Frees s. */
static int unchanged(const char *path, snap s)
{
    snap now = take(path);
    int same = s.b && now.b && s.n == now.n && !memcmp(s.b, now.b, s.n);
    FILE *f = !same && s.b ? fopen(path, "wb") : NULL;
    if (f) {
        fwrite(s.b, 1, s.n, f);
        fclose(f);
    }
    free(s.b);
    free(now.b);
    return same;
}

/* The command exits 2 and leaves `keep` as it was. */
#define REFUSED(keep, ...)                                                                                  \
    do {                                                                                                    \
        snap s_ = take(keep);                                                                               \
        CHECK(CLI(__VA_ARGS__) == 2);                                                                       \
        CHECK(unchanged(keep, s_));                                                                         \
    } while (0)

static int copy_file(const char *from, const char *to)
{
    snap s = take(from);
    FILE *g = s.b ? fopen(to, "wb") : NULL;
    int ok = g && fwrite(s.b, 1, s.n, g) == s.n;
    if (g && fclose(g))
        ok = 0;
    free(s.b);
    return ok;
}

static unsigned mode_of(const char *path)
{
    struct stat st;
    return stat(path, &st) ? 0u : (unsigned)(st.st_mode & 0777);
}

/* Names in dir holding "tmp", i.e. a temporary left behind. */
static int temporaries(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += strstr(e->d_name, ".tmp") != NULL;
    if (d)
        closedir(d);
    return n;
}

/* The zkinfer executable under a file size limit of `limit` bytes, in a
 * child; returns its exit code (-1 when killed). The signal is left at its
 * default: the executable itself must make an oversized write fail. */
static int cli_limited(long limit, char *const argv[])
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit rl = {(rlim_t)limit, (rlim_t)limit};
        setrlimit(RLIMIT_FSIZE, &rl);
        execv(ZKI_CLI_PATH, argv);
        _exit(127);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs the executable and reports whether its stdout contains want. */
static int cli_says(const char *args, const char *want)
{
    char cmd[2048], line[1024];
    snprintf(cmd, sizeof cmd, "%s %s", ZKI_CLI_PATH, args);
    fflush(stdout);
    FILE *p = popen(cmd, "r");
    int found = 0;
    while (p && fgets(line, sizeof line, p))
        found |= strstr(line, want) != NULL;
    int rc = p ? pclose(p) : -1;
    return found && rc == 0;
}

/* ZKI_HUGEPAGES=1 re-executes the program through /proc/self/exe; started
 * through the dynamic loader that is the loader, which would take the
 * first argument for the program ("--help: cannot open shared object"),
 * so the executable must not re-execute then. Both ways print the usage. */
static void huge_pages_restart(void)
{
    const char *ld = "/lib64/ld-linux-x86-64.so.2";
    int have_ld = access(ld, X_OK) == 0; /* elsewhere: the direct start only */
    for (int via_ld = 0; via_ld <= have_ld; via_ld++) {
        char cmd[1024], line[1024];
        snprintf(cmd, sizeof cmd, "ZKI_HUGEPAGES=1 %s %s --help 2>&1", via_ld ? ld : "", ZKI_CLI_PATH);
        fflush(stdout);
        FILE *p = popen(cmd, "r");
        int found = 0;
        while (p && fgets(line, sizeof line, p))
            found |= strstr(line, "usage: zkinfer") != NULL;
        CHECK_MSG(p && pclose(p) == 0 && found, "%s", cmd);
    }
}

static void collisions(const char *onnx, const char *cal)
{
    /* compile: -o must be a .zkm, so a key can never replace the model */
    REFUSED(tmp("m.vk"), "compile", onnx, "--calib", cal, "-o", tmp("m.vk"));
    REFUSED(tmp("m.zpk"), "compile", onnx, "--calib", cal, "-o", tmp("m.zpk"));
    REFUSED(onnx, "compile", onnx, "--calib", cal, "-o", onnx);
    /* a derived key path that is a hard link to the ONNX model */
    CHECK(link(onnx, tmp("h.vk")) == 0);
    REFUSED(onnx, "compile", onnx, "--calib", cal, "-o", tmp("h.zkm"));
    CHECK(access(tmp("h.zkm"), F_OK) != 0);
    /* the calibration file, reached through a symlink named .zkm */
    CHECK(symlink(cal, tmp("c.zkm")) == 0);
    REFUSED(cal, "compile", onnx, "--calib", cal, "-o", tmp("c.zkm"));

    /* prove: the input, the model and the prover key it reads */
    char in[512];
    snprintf(in, sizeof in, "%s", tmp("in.npy"));
    REFUSED(in, "prove", tmp("m.zkm"), "--input", in, "-o", in, "--quiet");
    REFUSED(tmp("m.zpk"), "prove", tmp("m.zkm"), "--input", in, "-o", tmp("m.zpk"), "--quiet");
    REFUSED(tmp("m.zkm"), "prove", tmp("m.zkm"), "--input", in, "-o", tmp("m.zkm"), "--quiet");
    REFUSED(tmp("m.vk"), "prove", tmp("m.zkm"), "--input", in, "-o", tmp("m.vk"), "--quiet");

    /* run: the model, the input, a hard link and a symlink to the input,
     * the input through a detour of directories */
    REFUSED(tmp("m.zkm"), "run", tmp("m.zkm"), "--input", in, "-o", tmp("m.zkm"));
    REFUSED(in, "run", tmp("m.zkm"), "--input", in, "-o", in);
    CHECK(link(in, tmp("hl.npy")) == 0 && symlink("in.npy", tmp("sl.npy")) == 0 && mkdir(tmp("sub"), 0700) == 0);
    REFUSED(in, "run", tmp("m.zkm"), "--input", in, "-o", tmp("hl.npy"));
    REFUSED(in, "run", tmp("m.zkm"), "--input", in, "-o", tmp("sl.npy"));
    REFUSED(in, "run", tmp("m.zkm"), "--input", tmp("sl.npy"), "-o", tmp("sub/../in.npy"));
    /* a nameless .zkm (a hidden file with hidden keys) is refused */
    CHECK(CLI("compile", onnx, "--calib", cal, "-o", tmp(".zkm")) == 2 && access(tmp(".zkm"), F_OK) != 0);
    /* a name near the 255-byte limit: the temporary fits beside it */
    char longname[260];
    memset(longname, 'l', 250);
    strcpy(longname + 250, ".npy");
    CHECK(CLI("run", tmp("m.zkm"), "--input", in, "-o", tmp(longname)) == 0 && access(tmp(longname), F_OK) == 0);
    remove(tmp(longname));
    /* run and prove never replace a zkinfer model or key, whatever its name */
    CHECK(copy_file(tmp("m.zpk"), tmp("o.zpk")) && copy_file(tmp("m.vk"), tmp("o.npy")));
    REFUSED(tmp("o.zpk"), "run", tmp("m.zkm"), "--input", in, "-o", tmp("o.zpk"));
    REFUSED(tmp("o.npy"), "run", tmp("m.zkm"), "--input", in, "-o", tmp("o.npy"));
    REFUSED(tmp("o.zpk"), "prove", tmp("m.zkm"), "--input", in, "-o", tmp("o.zpk"), "--quiet");
    /* an output that cannot be written is refused before the work */
    CHECK(CLI("prove", tmp("m.zkm"), "--input", in, "-o", tmp("nodir/p.zkp"), "--quiet") == 2);
    CHECK(CLI("run", tmp("m.zkm"), "--input", in, "-o", tmp("sub")) == 2);
    /* a device is written in place, not replaced (-o /dev/null) */
    struct stat dn;
    CHECK(CLI("run", tmp("m.zkm"), "--input", in, "-o", "/dev/null") == 0);
    CHECK(stat("/dev/null", &dn) == 0 && S_ISCHR(dn.st_mode));
    /* a symlink to a file: the file gets the output, the link stays */
    CHECK(copy_file(in, tmp("y2.npy")) && symlink("y2.npy", tmp("ly.npy")) == 0);
    CHECK(CLI("run", tmp("m.zkm"), "--input", in, "-o", tmp("ly.npy")) == 0);
    struct stat lst;
    CHECK(lstat(tmp("ly.npy"), &lst) == 0 && S_ISLNK(lst.st_mode) && access(tmp("y2.npy"), F_OK) == 0);
    /* and what is allowed still works */
    CHECK(CLI("run", tmp("m.zkm"), "--input", in, "-o", tmp("y.npy")) == 0);
    CHECK(temporaries() == 0);
}

/* A write that fails midway: the previous file stays, no temporary. */
static void midway(const char *onnx, const char *cal)
{
    struct stat st;
    long half = stat(tmp("m.zkm"), &st) ? 64 : (long)st.st_size / 2;
    char *compile[] = {"zkinfer", "compile", (char *)onnx, "--calib", (char *)cal, "-o", (char *)tmp("m.zkm"), NULL};
    snap s = take(tmp("m.zkm")), k = take(tmp("m.vk"));
    CHECK(cli_limited(half, compile) == 2);
    CHECK(unchanged(tmp("m.zkm"), s));
    CHECK(unchanged(tmp("m.vk"), k));
    char *run[] = {"zkinfer", "run", (char *)tmp("m.zkm"), "--input", (char *)tmp("in.npy"), "-o",
                   (char *)tmp("y.npy"), NULL};
    s = take(tmp("y.npy"));
    CHECK(cli_limited(100, run) == 2);
    CHECK(unchanged(tmp("y.npy"), s));
    CHECK(CLI("prove", tmp("m.zkm"), "--input", tmp("in.npy"), "-o", tmp("p.zkp"), "--quiet") == 0);
    char *prove[] = {"zkinfer", "prove", (char *)tmp("m.zkm"), "--input", (char *)tmp("in.npy"), "-o",
                     (char *)tmp("p.zkp"), "--quiet", NULL};
    s = take(tmp("p.zkp"));
    CHECK(cli_limited(1000, prove) == 2);
    CHECK(unchanged(tmp("p.zkp"), s));
    CHECK(temporaries() == 0);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/zki_cli_files_XXXXXX");
    if (!mkdtemp(dir)) {
        CHECK_MSG(0, "cannot create a temporary directory");
        return TEST_SUMMARY();
    }
    /* inputs are copies in the directory, so a broken refusal only hurts them */
    char onnx[512], cal[512];
    snprintf(onnx, sizeof onnx, "%s", tmp("model.onnx"));
    snprintf(cal, sizeof cal, "%s", tmp("cal.pb"));
    CHECK(copy_file(tdata("mlp_view.onnx"), onnx) && copy_file(tdata("mlp_view_x.pb"), cal));
    zki_host_tensor x;
    CHECK(zki_tensor_read_any(cal, &x) == ZKI_OK && x.f);
    CHECK(x.f && zki_npy_write(tmp("in.npy"), x.rank, x.dims, x.f, NULL) == ZKI_OK);
    zki_host_tensor_clear(&x);

    /* the prover key is 0600 even under umask 0 and over an old 0666 key;
     * public outputs follow the umask */
    mode_t old = umask(0);
    CHECK(CLI("compile", onnx, "--calib", cal, "-o", tmp("m.zkm")) == 0);
    CHECK(mode_of(tmp("m.zpk")) == 0600 && mode_of(tmp("m.zkm")) == 0600 && mode_of(tmp("m.vk")) == 0666);
    CHECK(chmod(tmp("m.zpk"), 0666) == 0);
    CHECK(CLI("compile", onnx, "--calib", cal, "-o", tmp("m.zkm")) == 0);
    CHECK(mode_of(tmp("m.zpk")) == 0600);
    umask(077);
    CHECK(CLI("run", tmp("m.zkm"), "--input", tmp("in.npy"), "-o", tmp("y.npy")) == 0);
    CHECK(mode_of(tmp("y.npy")) == 0600);
    umask(old);

    collisions(onnx, cal);
    huge_pages_restart();
    midway(onnx, cal);

    /* a model that gets no keys (a softmax behind a mask that is not causal)
     * compiled over one that had them: the old keys go, and the output says
     * so */
    CHECK(CLI("compile", onnx, "--calib", cal, "-o", tmp("s.zkm")) == 0);
    CHECK(access(tmp("s.vk"), F_OK) == 0 && access(tmp("s.zpk"), F_OK) == 0);
    char args[1600];
    snprintf(args, sizeof args, "compile %s --calib %s -o %s", tdata("refuse_attn_mask.onnx"),
             tdata("refuse_attn_mask_calib.npy"), tmp("s.zkm"));
    char want[600];
    snprintf(want, sizeof want, "removed stale %s, %s (made for an earlier compile)", tmp("s.vk"), tmp("s.zpk"));
    CHECK(cli_says(args, want));
    CHECK(access(tmp("s.zkm"), F_OK) == 0 && access(tmp("s.vk"), F_OK) != 0 && access(tmp("s.zpk"), F_OK) != 0);

    /* one of the three outputs cannot be written (b.zpk is a folder that
     * holds a file): a model and its keys change together or not at all */
    CHECK(CLI("compile", onnx, "--calib", cal, "-o", tmp("b.zkm")) == 0);
    CHECK(remove(tmp("b.zpk")) == 0 && mkdir(tmp("b.zpk"), 0700) == 0);
    FILE *keep = fopen(tmp("b.zpk/keep"), "wb");
    CHECK(keep && fclose(keep) == 0);
    snap bz = take(tmp("b.zkm")), bv = take(tmp("b.vk"));
    CHECK(CLI("compile", onnx, "--calib", cal, "--weight-bits", "16", "-o", tmp("b.zkm")) == 2);
    CHECK(unchanged(tmp("b.zkm"), bz) && unchanged(tmp("b.vk"), bv));
    CHECK(temporaries() == 0);
    remove(tmp("b.zpk/keep"));

    const char *names[] = {"model.onnx", "cal.pb", "in.npy", "m.zkm", "m.vk", "m.zpk", "y.npy", "p.zkp",
                           "h.vk", "c.zkm", "hl.npy", "sl.npy", "o.zpk", "o.npy", "ly.npy", "y2.npy", "s.zkm", "s.vk", "s.zpk", "b.zkm", "b.vk",
                           "b.zpk"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        remove(tmp(names[i]));
    rmdir(tmp("sub"));
    CHECK(rmdir(dir) == 0); /* nothing unexpected was left */
    return TEST_SUMMARY();
}
