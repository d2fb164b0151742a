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
 * created with mode (less the umask). A symlink to a regular file writes
 * the file it names (the link stays); a device, FIFO or socket at path
 * (`-o /dev/null`) is written in place, there being nothing to rename; a
 * directory is refused. Returns ZKI_OK, or ZKI_ERR_IO with a message such
 * as "cannot write m.zkm: File too large (the previous file is unchanged)". */
zki_status zki_write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode);

/* For writers that serialise first: st is the serialiser's status; on
 * ZKI_OK writes buf as zki_write_file_atomic does. Frees buf either way
 * (NULL allowed) and returns the first failure. */
zki_status zki_write_serialised(const char *path, zki_status st, void *buf, size_t len, mode_t mode);

/* The same in two steps, for outputs that must change together (a model
 * and its keys): stage each (written and flushed beside its destination),
 * then commit all, or discard all when any stage failed. A staged file
 * owns a temporary until commit or discard, which always release it. */
typedef struct {
    char *path; /* the destination, symlinks resolved */
    char *tmp;  /* the temporary; NULL when written in place */
    int direct, existed;
} zki_staged_file;

zki_status zki_file_stage(zki_staged_file *s, const char *path, const void *buf, size_t len, mode_t mode);
/* Renames the temporary into place; ZKI_ERR_IO (temporary removed) if not. */
zki_status zki_file_commit(zki_staged_file *s);
/* Removes the temporary; nothing at the destination changes. */
void zki_file_discard(zki_staged_file *s);

#endif
