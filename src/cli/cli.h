/* zkinfer command-line interface, in the library so tests can call it.
 * Exit codes: 0 ok, 1 a check failed, 2 usage or input error. */
#ifndef ZKI_CLI_CLI_H
#define ZKI_CLI_CLI_H

int zki_cli_main(int argc, char **argv);
/* The serve command lives in the executable, not the library (it needs
 * libmicrohttpd): main hands it over here before zki_cli_main. Without it
 * `zkinfer serve` says this build has no HTTP service. */
typedef int (*zki_cli_command_fn)(int argc, char **argv);
void zki_cli_set_serve(zki_cli_command_fn fn);
/* Sets how the process takes memory (src/cli/memory_policy.c): by
 * default malloc keeps what it frees (no block mapped on its own, no heap
 * trimmed) so large buffers reuse pages already faulted in; with
 * ZKI_HUGEPAGES=1 in the environment it instead re-executes the program
 * once (execv of /proc/self/exe with argv) with glibc.malloc.hugetlb=1 in
 * GLIBC_TUNABLES and puts scratch blocks on transparent huge pages (going
 * on without them where the exec fails). Call first thing in main, before
 * any thread starts (the executable and the benchmarks do); a library user
 * need not call it. */
void zki_cli_memory_policy(char **argv);

#endif
