/* Error reporting: functions return zki_status and record a message, per
 * thread, naming what is at fault. The library never aborts on input. */
#ifndef ZKI_COMMON_ERROR_H
#define ZKI_COMMON_ERROR_H

#include "zkinfer.h"

/* Records a printf-style message for zki_last_error() and returns `code`,
 * so callers can write: return zki_fail(ZKI_ERR_INPUT, "bad size %zu", n);
 * The arguments may include zki_last_error() itself. */
zki_status zki_fail(zki_status code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prefixes the current message with a printf-style context and ": ", so a
 * caller adds where a failure happened without repeating what it was:
 * return zki_fail_ctx(ZKI_ERR_VERIFY, "verify: layer %u", l);
 * gives "verify: layer 3: <inner message>" (just the context if none). */
zki_status zki_fail_ctx(zki_status code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Clears the message of this thread. */
void zki_clear_error(void);

#endif
