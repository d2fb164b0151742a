/* Minimal test harness: CHECK records failures without stopping; every test
 * program ends with TEST_SUMMARY(), which prints "N passed, N failed" and
 * returns non-zero if anything failed. */
#ifndef ZKI_TEST_H
#define ZKI_TEST_H

#include <stdio.h>
#include <stdlib.h>

static int zki_test_passed, zki_test_failed;

#define CHECK(cond)                                                           \
    do {                                                                      \
        if (cond) {                                                           \
            zki_test_passed++;                                                \
        } else {                                                              \
            zki_test_failed++;                                                \
            if (zki_test_failed <= 30)                                        \
                fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__,        \
                        __LINE__, #cond);                                     \
        }                                                                     \
    } while (0)

/* For checks inside loops of thousands of iterations: counts one check. */
#define CHECK_MSG(cond, ...)                                                  \
    do {                                                                      \
        if (cond) {                                                           \
            zki_test_passed++;                                                \
        } else {                                                              \
            zki_test_failed++;                                                \
            if (zki_test_failed <= 30) {                                      \
                fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__,        \
                        __LINE__, #cond);                                     \
                fprintf(stderr, __VA_ARGS__);                                 \
                fputc('\n', stderr);                                          \
            }                                                                 \
        }                                                                     \
    } while (0)

#define TEST_SUMMARY()                                                        \
    (printf("%d passed, %d failed\n", zki_test_passed, zki_test_failed),     \
     zki_test_failed ? 1 : 0)

#endif
