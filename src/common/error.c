#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char zki_error_buf[512];

zki_status zki_fail(zki_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(zki_error_buf, sizeof zki_error_buf, fmt, ap);
    va_end(ap);
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

const char *zki_version(void) { return "0.1.0"; }
