/* Transparent huge pages for the executable and the benchmarks (cli.h). */
#define _DEFAULT_SOURCE /* setenv, execv */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

/* Large buffers on transparent huge pages: glibc advises its big mappings
 * for them when GLIBC_TUNABLES holds glibc.malloc.hugetlb=1, which it
 * reads only at start, so the executable re-executes itself once with it
 * added. Page faults and their zeroing were a sixth of a ResNet-50 proof's
 * profile; with huge pages the whole `prove` process takes 10.8 s instead
 * of 13.0 s, at the same peak memory. ZKI_NO_HUGEPAGES=1 skips it; where
 * the exec fails the process simply goes on without. */
void zki_cli_ask_huge_pages(char **argv)
{
    if (getenv("ZKI_NO_HUGEPAGES") || getenv("ZKI_HUGEPAGES_ASKED"))
        return;
    const char *t = getenv("GLIBC_TUNABLES");
    if (t && strstr(t, "glibc.malloc.hugetlb"))
        return;
    char buf[2048];
    int n = snprintf(buf, sizeof buf, "%s%sglibc.malloc.hugetlb=1", t ? t : "", t && *t ? ":" : "");
    if (n < 0 || (size_t)n >= sizeof buf)
        return;
    if (setenv("ZKI_HUGEPAGES_ASKED", "1", 1) || setenv("GLIBC_TUNABLES", buf, 1))
        return;
    execv("/proc/self/exe", argv);
}

