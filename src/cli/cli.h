/* zkinfer command-line interface, in the library so tests can call it.
 * Exit codes: 0 ok, 1 a check failed, 2 usage or input error. */
#ifndef ZKI_CLI_CLI_H
#define ZKI_CLI_CLI_H

int zki_cli_main(int argc, char **argv);
/* Re-executes the program once (execv of /proc/self/exe with argv) with
 * glibc.malloc.hugetlb=1 added to GLIBC_TUNABLES, so glibc advises its
 * large mappings for transparent huge pages; returns without doing so when
 * ZKI_NO_HUGEPAGES is set, when already done, or when the exec fails.
 * Call first thing in main (the executable and the benchmarks do). */
void zki_cli_ask_huge_pages(char **argv);

#endif
