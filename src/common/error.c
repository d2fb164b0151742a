#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char zki_error_buf[1024]; /* room for a grouped list of refusals */

/* Formats into a local buffer first: the arguments may point into
 * zki_error_buf (zki_last_error()), and vsnprintf into the buffer it reads
 * is undefined (it garbled and doubled nested messages). */
zki_status zki_fail(zki_status code, const char *fmt, ...)
{
    char tmp[sizeof zki_error_buf];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    memcpy(zki_error_buf, tmp, sizeof tmp);
    return code;
}

zki_status zki_fail_ctx(zki_status code, const char *fmt, ...)
{
    char tmp[sizeof zki_error_buf];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    size_t k = n < 0 ? 0 : (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1;
    tmp[k] = '\0';
    /* appended by hand: a truncated tail is fine, a format warning is not */
    if (zki_error_buf[0] && k + 2 < sizeof tmp) {
        size_t m = strnlen(zki_error_buf, sizeof zki_error_buf - 1);
        if (m > sizeof tmp - k - 3)
            m = sizeof tmp - k - 3;
        memcpy(tmp + k, ": ", 2);
        memcpy(tmp + k + 2, zki_error_buf, m);
        tmp[k + 2 + m] = '\0';
    }
    memcpy(zki_error_buf, tmp, sizeof tmp);
    return code;
}

void zki_clear_error(void) { zki_error_buf[0] = '\0'; }

const char *zki_last_error(void) { return zki_error_buf; }

const char *zki_status_name(zki_status s)
{
    switch (s) {
    case ZKI_OK: return "ok";
    case ZKI_ERR_INPUT: return "input";
    case ZKI_ERR_NOMEM: return "out of memory";
    case ZKI_ERR_VERIFY: return "verification failed";
    case ZKI_ERR_IO: return "i/o";
    case ZKI_ERR_UNSUPPORTED: return "unsupported";
    }
    return "unknown";
}

const char *zki_version(void) { return ZKINFER_VERSION; }
