/* The executable's memory policy (src/cli/memory_policy.c): by default a
 * large malloc comes from the heap, not a mapping of its own, and freeing
 * it does not give the pages back, so the next large buffer reuses them
 * instead of faulting in fresh ones. With ZKI_HUGEPAGES=1 the scratch
 * pool's big blocks are huge-page mappings instead. */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/scratch.h"
#include "test.h"

/* ASan and other interposed allocators ignore mallopt and report no
 * mallinfo2; the policy is glibc's. */
#if defined(__SANITIZE_ADDRESS__)
#define POLICY_OBSERVABLE 0
#else
#define POLICY_OBSERVABLE 1
#endif

static int huge_aligned(const void *p)
{
    return p && (((uintptr_t)p - 64) & (((size_t)2 << 20) - 1)) == 0;
}

int main(int argc, char **argv)
{
    (void)argc;
    /* ZKI_HUGEPAGES=1, the re-execution marked done (no exec here): the
     * scratch pool reads the variable at its first big block */
    setenv("ZKI_HUGEPAGES", "1", 1);
    setenv("ZKI_HUGEPAGES_ASKED", "1", 1);
    zki_cli_memory_policy(argv);
    uint8_t *h = zki_scratch_alloc((size_t)8 << 20);
    CHECK(huge_aligned(h));
    zki_scratch_free(h);
    zki_scratch_trim();

    /* the default */
    unsetenv("ZKI_HUGEPAGES");
    zki_scratch_huge_pages(0); /* as a process started without it reads */
    zki_cli_memory_policy(argv);
    size_t big = (size_t)64 << 20; /* past glibc's largest mmap threshold */
    uint8_t *a = malloc(big);
    CHECK(a != NULL);
    if (!a)
        return TEST_SUMMARY();
    memset(a, 1, big);
    if (POLICY_OBSERVABLE) {
        struct mallinfo2 mi = mallinfo2();
        CHECK(mi.hblks == 0 && mi.hblkhd == 0); /* not a mapping of its own */
        CHECK(mi.arena >= big);
    }
    free(a);
    if (POLICY_OBSERVABLE) {
        struct mallinfo2 mi = mallinfo2();
        CHECK(mi.arena >= big);                /* the heap was not trimmed */
        CHECK(mi.fordblks >= big - (1 << 20)); /* the block is free for reuse */
    }
    uint8_t *s = zki_scratch_alloc((size_t)8 << 20); /* from that heap */
    CHECK(s != NULL);
    if (POLICY_OBSERVABLE)
        CHECK(mallinfo2().hblks == 0);
    zki_scratch_free(s);
    zki_scratch_trim();
    return TEST_SUMMARY();
}
