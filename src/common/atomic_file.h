/* Whole-file writes that never lose the previous file: the bytes go to a
 * new temporary file in the destination's directory, are flushed to disk
 * (fsync) and only then renamed over the destination. A failure at any
 * step (full disk, file size limit, permissions) removes the temporary and
 * leaves whatever was at the path before untouched. */
#ifndef ZKI_COMMON_ATOMIC_FILE_H
#define ZKI_COMMON_ATOMIC_FILE_H

#include <stddef.h>
#include <sys/types.h>

#include "zkinfer.h"

/* Modes for zki_write_file_atomic. A public file gets 0666 less the umask,
 * like any file fopen creates; a secret one (the prover key) is 0600
 * whatever the umask. */
#define ZKI_FILE_PUBLIC ((mode_t)0666)
#define ZKI_FILE_SECRET ((mode_t)0600)

/* Writes len bytes of buf (the caller keeps ownership) as the file path,
 * created with mode (less the umask). A symlink at path is replaced by the
 * file, not followed. Returns ZKI_OK, or ZKI_ERR_IO with a message such as
 * "cannot write m.zkm: File too large (the previous file is unchanged)". */
zki_status zki_write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode);

#endif
