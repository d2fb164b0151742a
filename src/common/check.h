/* Internal invariants: ZKI_VERIFY_CHECK(cond).
 *
 * For what the code itself guarantees (a field element a reader or a
 * computation produced is canonical, a table has 2^nvars entries, the
 * claims on one ledger tensor agree on their number of variables), never
 * for what a caller or a file supplies: input is validated and refused
 * with a zki_status (src/common/error.h), and the library never aborts on
 * input.
 *
 * Checked build (CMake -DZKI_CHECKED=ON, which defines ZKI_CHECKED; the
 * ASan suite, `make build-asan` / `make test-asan`, is built so): a false
 * condition prints "FILE:LINE: ZKI_VERIFY_CHECK failed: COND" to stderr
 * and aborts (SIGABRT). Otherwise the macros compile to nothing: the
 * condition is not evaluated (it stays inside sizeof, so the variables it
 * names still count as used), so a check may cost O(n) where it stands.
 *
 *   ZKI_VERIFY_CHECK(cond)             one condition
 *   ZKI_VERIFY_CHECK_EACH(i, n, cond)  cond for every size_t i in [0, n);
 *                                      a failure also prints i
 * Canonical field elements: ZKI_FE_CANON / ZKI_EXT_CANON in field/field.h.
 *   ZKI_IS_POW2(n)                     n is a power of two (n >= 1) */
#ifndef ZKI_COMMON_CHECK_H
#define ZKI_COMMON_CHECK_H

#include <stddef.h>

#define ZKI_IS_POW2(n) ((n) != 0 && ((n) & ((n) - 1)) == 0)

#ifdef ZKI_CHECKED

#include <stdio.h>
#include <stdlib.h>

__attribute__((noreturn, cold, unused)) static void zki_check_failed_(const char *file, int line,
                                                                      const char *cond, int has_index,
                                                                      size_t index)
{
    if (has_index)
        fprintf(stderr, "%s:%d: ZKI_VERIFY_CHECK failed: %s (at i = %zu)\n", file, line, cond, index);
    else
        fprintf(stderr, "%s:%d: ZKI_VERIFY_CHECK failed: %s\n", file, line, cond);
    fflush(stderr);
    abort();
}

#define ZKI_VERIFY_CHECK(cond)                                                  \
    do {                                                                        \
        if (!(cond))                                                            \
            zki_check_failed_(__FILE__, __LINE__, #cond, 0, 0);                 \
    } while (0)

#define ZKI_VERIFY_CHECK_EACH(i, n, cond)                                       \
    do {                                                                        \
        size_t zki_check_n_ = (size_t)(n);                                      \
        for (size_t i = 0; i < zki_check_n_; i++)                               \
            if (!(cond))                                                        \
                zki_check_failed_(__FILE__, __LINE__, #cond, 1, i);             \
    } while (0)

#else

#define ZKI_VERIFY_CHECK(cond) ((void)sizeof(!(cond)))
#define ZKI_VERIFY_CHECK_EACH(i, n, cond) ((void)sizeof(n))

#endif

#endif
