/* Runs the zkinfer CLI in process (tests of the command line). */
#ifndef ZKI_TEST_CLI_UTIL_H
#define ZKI_TEST_CLI_UTIL_H

#include <stdarg.h>
#include <stdio.h>

#include "cli/cli.h"

/* zki_cli_main on a NULL-terminated argument list (at most 14). */
static inline int cli_v(const char *first, ...)
{
    char *argv[16] = {(char *)"zkinfer"};
    int argc = 1;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && argc < 15; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    fflush(stdout);
    return zki_cli_main(argc, argv);
}
#define CLI(...) cli_v(__VA_ARGS__, (const char *)NULL)

#endif
