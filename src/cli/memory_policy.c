/* How the executable and the benchmarks take memory from the kernel
 * (cli.h). */
#define _DEFAULT_SOURCE /* setenv, execv */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "cli/cli.h"

/* Fresh pages, not arithmetic, are the largest system cost of a big proof:
 * every page the process touches for the first time is a fault and a
 * zeroing, and on the VMs we measure on a page the host has taken back
 * costs far more (1 GiB first touched: 0.4 s in 4 KiB pages, 2.9 s in
 * 2 MiB pages). So by default the process keeps what it has: malloc never
 * maps a block of its own (which free would unmap and the next malloc
 * fault in again) and never trims its heap, and the library's scratch
 * blocks come from that heap. ResNet-50 at 224, one afternoon, alternating runs: 8.7 -
 * 9.0 s on huge pages, 7.5 - 7.6 s on small pages with glibc's defaults,
 * 7.0 - 7.3 s with the heap kept (faults 548 K -> 368 K, system time 2.1
 * -> 0.7 - 1.7 s; peak 1.29 -> 1.42 GB, freed blocks not being returned
 * mid-run). Memory goes back to the kernel when the process ends,
 * as a one-shot command's does anyway. */
static void keep_heap(void)
{
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, -1); /* read as unsigned: never */
}

/* ZKI_HUGEPAGES=1: large buffers on transparent huge pages instead (the
 * library's scratch blocks read the variable themselves). glibc
 * advises its big mappings for them when GLIBC_TUNABLES holds
 * glibc.malloc.hugetlb=1, which it reads only at start, so the program
 * re-executes itself once with it added. Fewer faults, but on the VMs
 * above each huge page first touched is slower than its 512 small ones:
 * see the numbers above. */
static void ask_huge_pages(char **argv)
{
    if (getenv("ZKI_HUGEPAGES_ASKED"))
        return;
    /* started as "ld.so zkinfer ...", /proc/self/exe is the loader, which
     * would take argv[0] for the program: no re-execution then (the loader
     * ran directly has no interpreter base in its auxiliary vector) */
    if (getauxval(AT_BASE) == 0)
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

void zki_cli_memory_policy(char **argv)
{
    const char *h = getenv("ZKI_HUGEPAGES");
    if (h && strcmp(h, "1") == 0)
        ask_huge_pages(argv);
    else
        keep_heap();
}
