/* Reusable memory for large, short-lived work buffers (sum-check folds,
 * encodings). Fresh pages from the kernel cost a page fault and a zeroing
 * each: about a third of a 2^20 sum-check on this machine. Blocks given
 * back with zki_scratch_free are kept (at most ZKI_SCRATCH_KEEP_BYTES in
 * all, at most ZKI_SCRATCH_SLOTS blocks) and handed out again to requests
 * they fit without wasting more than half. Blocks of 4 MiB and more are
 * mappings of their own advised for transparent huge pages (2 MiB pages:
 * 512 times fewer faults). Thread-safe; contents of a returned block are
 * unspecified. */
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
/* Bytes currently kept for reuse. */
size_t zki_scratch_kept(void);

#endif
