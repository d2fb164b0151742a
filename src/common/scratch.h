/* Reusable memory for large, short-lived work buffers (sum-check folds,
 * encodings). Fresh pages from the kernel cost a page fault and a zeroing
 * each: about a third of a 2^20 sum-check on this machine. Blocks given
 * back with zki_scratch_free are kept (at most ZKI_SCRATCH_KEEP_BYTES in
 * all, at most ZKI_SCRATCH_SLOTS blocks) and handed out again to requests
 * they fit without wasting more than half. Blocks come from malloc unless
 * huge pages are asked for (ZKI_HUGEPAGES=1 in the environment, read at
 * the first big block, or zki_scratch_huge_pages). Thread-safe; contents
 * of a returned block are unspecified. */
#ifndef ZKI_COMMON_SCRATCH_H
#define ZKI_COMMON_SCRATCH_H

#include <stddef.h>

#define ZKI_SCRATCH_KEEP_BYTES ((size_t)1 << 30)
#define ZKI_SCRATCH_SLOTS 16

/* 64-byte aligned; NULL on failure. */
void *zki_scratch_alloc(size_t bytes);
/* Accepts NULL. */
void zki_scratch_free(void *p);
/* Returns every kept block to the system. */
void zki_scratch_trim(void);
/* on != 0: blocks of 4 MiB and more allocated from now on are mappings
 * of their own advised for transparent huge pages (512 times fewer faults,
 * but slower to fault in on some VMs: src/cli/memory_policy.c); overrides
 * the environment. */
void zki_scratch_huge_pages(int on);
/* Bytes currently kept for reuse. */
size_t zki_scratch_kept(void);

#endif
