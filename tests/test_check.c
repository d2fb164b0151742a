/* ZKI_VERIFY_CHECK (src/common/check.h). In a checked build (CMake
 * -DZKI_CHECKED=ON, as the ASan suite is built): a violated check, written
 * here or met inside the library (a non-canonical element absorbed into a
 * transcript, src/transcript/transcript.c), kills a forked child with
 * SIGABRT after printing "FILE:LINE: ZKI_VERIFY_CHECK failed: COND"; a
 * check that holds evaluates its condition once and goes on. Otherwise
 * the checks compile to nothing: a false one does not abort and its
 * condition is never evaluated. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/check.h"
#include "field/field.h"
#include "test.h"
#include "transcript/transcript.h"

static int evaluated;
__attribute__((unused)) static int count_true(void) { return ++evaluated > 0; }
__attribute__((unused)) static int count_false(void) { return ++evaluated < 0; }

#ifdef ZKI_CHECKED
/* Runs fn in a child with stderr captured; *sig gets the signal that ended
 * it (0: it exited), err its stderr. */
static void run_child(void (*fn)(void), int *sig, char *err, size_t n)
{
    int fd[2];
    *sig = -1;
    err[0] = 0;
    if (pipe(fd) != 0)
        return;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], 2);
        signal(SIGABRT, SIG_DFL);
        fn();
        _exit(0);
    }
    close(fd[1]);
    size_t got = 0;
    ssize_t r;
    while (got + 1 < n && (r = read(fd[0], err + got, n - 1 - got)) > 0)
        got += (size_t)r;
    err[got] = 0;
    close(fd[0]);
    int status;
    if (pid > 0 && waitpid(pid, &status, 0) == pid)
        *sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void violate_here(void)
{
    int table_len = 12;
    ZKI_VERIFY_CHECK(ZKI_IS_POW2(table_len));
}

static void violate_each(void)
{
    zki_fe v[4] = {1, 2, ZKI_P, 3};
    ZKI_VERIFY_CHECK_EACH(i, 4, ZKI_FE_CANON(v[i]));
}

static void violate_in_library(void)
{
    zki_transcript t;
    if (zki_ts_init(&t, "zkinfer-test-check", 1) != ZKI_OK)
        _exit(3);
    zki_ts_absorb_ext(&t, "x", zki_ext_make(ZKI_P, 0)); /* not canonical */
    zki_ts_free(&t);
}

static void hold(void)
{
    ZKI_VERIFY_CHECK(ZKI_IS_POW2(16u) && ZKI_FE_CANON(ZKI_P - 1));
    zki_transcript t;
    if (zki_ts_init(&t, "zkinfer-test-check", 1) != ZKI_OK)
        _exit(3);
    zki_ts_absorb_ext(&t, "x", zki_ext_make(ZKI_P - 1, 5));
    (void)zki_ts_challenge_ext(&t, "c");
    zki_ts_free(&t);
}

static void expect_abort(void (*fn)(void), const char *file, const char *cond, const char *what)
{
    int sig;
    char err[4096];
    run_child(fn, &sig, err, sizeof err);
    CHECK_MSG(sig == SIGABRT, "%s: child ended by signal %d, not SIGABRT", what, sig);
    CHECK_MSG(strstr(err, "ZKI_VERIFY_CHECK failed: ") != NULL && strstr(err, file) != NULL &&
                  strstr(err, cond) != NULL,
              "%s: stderr was '%s'", what, err);
}
#endif

int main(void)
{
#ifdef ZKI_CHECKED
    printf("checked build (ZKI_CHECKED): violated checks must abort\n");
    expect_abort(violate_here, "test_check.c:", "ZKI_IS_POW2(table_len)", "check in a test");
    expect_abort(violate_each, "test_check.c:", "ZKI_FE_CANON(v[i]) (at i = 2)", "per-entry check");
    expect_abort(violate_in_library, "transcript.c:", "ZKI_EXT_CANON(v)", "check in the transcript");
    int sig;
    char err[4096];
    run_child(hold, &sig, err, sizeof err);
    CHECK_MSG(sig == 0 && err[0] == 0, "checks that hold: signal %d, stderr '%s'", sig, err);
    evaluated = 0;
    ZKI_VERIFY_CHECK(count_true());
    CHECK_MSG(evaluated == 1, "a holding check evaluated its condition %d times", evaluated);
#else
    printf("unchecked build: checks compile to nothing\n");
    evaluated = 0;
    ZKI_VERIFY_CHECK(count_false()); /* would abort if it ran */
    ZKI_VERIFY_CHECK(count_true());
    ZKI_VERIFY_CHECK_EACH(i, 8, count_false());
    CHECK_MSG(evaluated == 0, "an unchecked build evaluated a condition %d times", evaluated);
#endif
    return TEST_SUMMARY();
}
