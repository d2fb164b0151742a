#include "common/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"

/* Opens a new "PATH.tmp-XXXXXX" (name in *tmp, malloc'd) with O_EXCL, so
 * nothing existing is ever opened or followed. Not mkstemp: it creates
 * 0600 and the mode would then have to be set from the umask, which can
 * only be read by changing it (process-wide, racy); open applies it. */
static int open_temp(const char *path, mode_t mode, char **tmp)
{
    static _Atomic unsigned counter;
    size_t n = strlen(path) + 16;
    *tmp = malloc(n);
    if (!*tmp) {
        errno = ENOMEM;
        return -1;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
    for (int tries = 0; tries < 100; tries++) {
        x = (x + ++counter) * 6364136223846793005ull + 1442695040888963407ull;
        snprintf(*tmp, n, "%s.tmp-%06x", path, (unsigned)(x >> 40));
        int fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    return -1;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = ENOSPC;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Makes the rename itself durable. Best effort: some file systems refuse
 * fsync on a directory, and the file is already in place by then. */
static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    int fd = dir ? open(dir, O_RDONLY) : -1;
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

zki_status zki_write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode)
{
    struct stat st;
    int existed = lstat(path, &st) == 0;
    char *tmp = NULL;
    int fd = open_temp(path, mode, &tmp), err = 0;
    if (fd < 0)
        err = errno;
    else if (write_all(fd, buf, len) || fsync(fd))
        err = errno;
    /* close reports deferred write errors (NFS) */
    if (fd >= 0 && close(fd) && !err)
        err = errno;
    if (!err && rename(tmp, path))
        err = errno;
    if (err) {
        if (fd >= 0)
            unlink(tmp);
        free(tmp);
        return zki_fail(ZKI_ERR_IO, "cannot write %s: %s (%s)", path, strerror(err),
                        existed ? "the previous file is unchanged" : "nothing was written");
    }
    free(tmp);
    sync_dir(path);
    return ZKI_OK;
}
