/* The two modules behind "files are never lost", called directly:
 * zki_write_file_atomic (content, mode under umask 0, a symlink replaced and
 * not followed, a write past RLIMIT_FSIZE and into a missing directory
 * failing with the old file intact and no temporary) and
 * zki_cli_check_paths (outputs that do not exist yet but name one file). */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli_paths.h"
#include "cli/cli_util.h"
#include "common/atomic_file.h"
#include "common/file_read.h"
#include "test.h"
#include "test_tmpdir.h"

static int holds(const char *path, const char *want)
{
    uint8_t *b = NULL;
    size_t n = 0;
    int ok = zki_read_file(path, 1 << 20, &b, &n) == ZKI_OK && n == strlen(want) && !memcmp(b, want, n);
    free(b);
    return ok;
}

static int entries(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

/* In a child limited to 1000 bytes per file, with SIGXFSZ ignored so the
 * write returns EFBIG: replace `path` with 5000 bytes. Exit 0 when that
 * failed with the expected message. */
static int oversized_write_fails(const char *path)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {1000, 1000};
        static char big[5000];
        memset(big, 'x', sizeof big);
        int ok = setrlimit(RLIMIT_FSIZE, &rl) == 0 &&
                 zki_write_file_atomic(path, big, sizeof big, ZKI_FILE_PUBLIC) == ZKI_ERR_IO &&
                 strstr(zki_last_error(), "File too large (the previous file is unchanged)") &&
                 strstr(zki_last_error(), path);
        _exit(ok ? 0 : 1);
    }
    int st = 1;
    return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void atomic_write(void)
{
    struct stat st;
    mode_t old = umask(0);
    CHECK(zki_write_file_atomic(tmp("a"), "first", 5, ZKI_FILE_SECRET) == ZKI_OK);
    CHECK(holds(tmp("a"), "first") && stat(tmp("a"), &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK(zki_write_file_atomic(tmp("a"), "second", 6, ZKI_FILE_PUBLIC) == ZKI_OK);
    CHECK(holds(tmp("a"), "second") && stat(tmp("a"), &st) == 0 && (st.st_mode & 0777) == 0666);
    umask(old);
    CHECK(zki_write_file_atomic(tmp("empty"), "", 0, ZKI_FILE_PUBLIC) == ZKI_OK && holds(tmp("empty"), ""));
    /* a symlink to a file: the file gets the bytes (atomically), the link stays */
    CHECK(symlink("a", tmp("link")) == 0);
    CHECK(zki_write_file_atomic(tmp("link"), "third", 5, ZKI_FILE_PUBLIC) == ZKI_OK);
    CHECK(holds(tmp("link"), "third") && holds(tmp("a"), "third"));
    CHECK(lstat(tmp("link"), &st) == 0 && S_ISLNK(st.st_mode));
    /* a device is written in place, never replaced */
    CHECK(zki_write_file_atomic("/dev/null", "x", 1, ZKI_FILE_PUBLIC) == ZKI_OK);
    CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
    /* failures: the old file as it was, nothing else in the directory */
    CHECK(oversized_write_fails(tmp("a")));
    CHECK(holds(tmp("a"), "third"));
    CHECK(zki_write_file_atomic(tmp("none/b"), "x", 1, ZKI_FILE_PUBLIC) == ZKI_ERR_IO);
    CHECK(strstr(zki_last_error(), "No such file or directory (nothing was written)") != NULL);
    CHECK(mkdir(tmp("d"), 0700) == 0);
    CHECK(zki_write_file_atomic(tmp("d"), "x", 1, ZKI_FILE_PUBLIC) == ZKI_ERR_IO);
    CHECK(stat(tmp("d"), &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(entries() == 4); /* a, empty, link, d */
}

static void path_checks(void)
{
    /* none of these exist: the names decide */
    char a[512], b[512];
    snprintf(a, sizeof a, "%s", tmp("x.out"));
    snprintf(b, sizeof b, "%s", tmp("d/../x.out"));
    zki_cli_path in[2] = {{tmp("in.npy"), "--input"}, {NULL, "--eval"}};
    zki_cli_path two[2] = {{a, "-o"}, {b, "the key"}};
    CHECK(zki_cli_check_paths("test", in, 2, two, 2) == CLI_USAGE);
    two[1].path = tmp("y.out");
    CHECK(zki_cli_check_paths("test", in, 2, two, 2) == CLI_OK);
    in[1].path = b;
    CHECK(zki_cli_check_paths("test", in, 2, two, 2) == CLI_USAGE);
    /* relative against absolute */
    char cwd[512];
    if (getcwd(cwd, sizeof cwd) && chdir(dir) == 0) {
        zki_cli_path rel = {"x.out", "-o"};
        CHECK(zki_cli_check_paths("test", &two[0], 1, &rel, 1) == CLI_USAGE);
        CHECK(chdir(cwd) == 0);
    } else {
        CHECK_MSG(0, "cannot change to %s", dir);
    }
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/zki_cli_files_unit_XXXXXX");
    if (!mkdtemp(dir)) {
        CHECK_MSG(0, "cannot create a temporary directory");
        return TEST_SUMMARY();
    }
    atomic_write();
    path_checks();
    const char *names[] = {"a", "empty", "link"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        remove(tmp(names[i]));
    rmdir(tmp("d"));
    CHECK(rmdir(dir) == 0);
    return TEST_SUMMARY();
}
