/* Whole-file and file-head reads for every reader of the library (models,
 * tensors, keys, proofs): regular files only, capped by what a valid file of
 * the caller's kind can hold. Failures name the path. */
#ifndef ZKI_COMMON_FILE_READ_H
#define ZKI_COMMON_FILE_READ_H

#include <stddef.h>
#include <stdint.h>

#include "zkinfer.h"

/* Reads a whole regular file (at most max_len bytes) into a malloc'd buffer.
 * Checked by stat before it is opened: a FIFO, socket or device is refused
 * ("'X' is not a regular file") without blocking, and a file over max_len
 * by its size ("'X' is N bytes, more than the CAP bytes ...") unread. */
zki_status zki_read_file(const char *path, size_t max_len, uint8_t **buf, size_t *len);
/* The same checks, then reads the first n bytes at most (*got of them), so a
 * caller can choose max_len by a file's magic before reading it whole. */
zki_status zki_read_file_head(const char *path, size_t max_len, uint8_t *buf, size_t n, size_t *got);

#endif
