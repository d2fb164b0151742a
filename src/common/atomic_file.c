#define _XOPEN_SOURCE 700 /* realpath */
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
    /* a name near the file system's limit (255) has no room for the
     * suffix: such a temporary is named by the directory alone */
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    int short_name = strlen(path + dir_len) + 11 > 255;
    for (int tries = 0; tries < 100; tries++) {
        x = (x + ++counter) * 6364136223846793005ull + 1442695040888963407ull;
        if (short_name)
            snprintf(*tmp, n, "%.*s.zki.tmp-%06x", (int)dir_len, path, (unsigned)(x >> 40));
        else
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

/* Where a write to path lands: a symlink to a regular file writes its
 * target (the link stays); a device, FIFO or socket is written in place
 * (nothing to rename over: `-o /dev/null` must not replace /dev/null). */
static zki_status resolve(const char *path, char **target, int *direct, int *existed)
{
    struct stat st, lst;
    *direct = 0;
    *existed = 0;
    *target = NULL;
    int has = stat(path, &st) == 0;
    if (has && S_ISDIR(st.st_mode))
        return zki_fail(ZKI_ERR_IO, "cannot write %s: it is a directory", path);
    if (has && !S_ISREG(st.st_mode)) {
        *direct = 1;
        *existed = 1;
        *target = strdup(path);
    } else if (has && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
        *existed = 1;
        *target = realpath(path, NULL);
    } else {
        *existed = has;
        *target = strdup(path);
    }
    return *target ? ZKI_OK : zki_fail(ZKI_ERR_IO, "cannot write %s: %s", path, strerror(errno));
}

zki_status zki_file_stage(zki_staged_file *s, const char *path, const void *buf, size_t len, mode_t mode)
{
    memset(s, 0, sizeof *s);
    zki_status st = resolve(path, &s->path, &s->direct, &s->existed);
    if (st)
        return st;
    int fd, err = 0;
    if (s->direct)
        fd = open(s->path, O_WRONLY | O_TRUNC);
    else
        fd = open_temp(s->path, mode, &s->tmp);
    if (fd < 0) {
        err = errno;
        free(s->tmp); /* never created: the name may be another's file */
        s->tmp = NULL;
    } else if (write_all(fd, buf, len) || (!s->direct && fsync(fd)))
        err = errno;
    /* close reports deferred write errors (NFS) */
    if (fd >= 0 && close(fd) && !err)
        err = errno;
    if (err) {
        int existed = s->existed;
        zki_file_discard(s); /* removes the temporary */
        return zki_fail(ZKI_ERR_IO, "cannot write %s: %s (%s)", path, strerror(err),
                        existed ? "the previous file is unchanged" : "nothing was written");
    }
    return ZKI_OK;
}

zki_status zki_file_commit(zki_staged_file *s)
{
    int err = !s->direct && s->tmp && rename(s->tmp, s->path) ? errno : 0;
    if (err)
        unlink(s->tmp);
    else if (!s->direct)
        sync_dir(s->path);
    zki_status st = err ? zki_fail(ZKI_ERR_IO, "cannot write %s: %s (%s)", s->path, strerror(err),
                                   s->existed ? "the previous file is unchanged" : "nothing was written")
                        : ZKI_OK;
    free(s->path);
    free(s->tmp);
    memset(s, 0, sizeof *s);
    return st;
}

void zki_file_discard(zki_staged_file *s)
{
    if (s->tmp)
        unlink(s->tmp);
    free(s->path);
    free(s->tmp);
    memset(s, 0, sizeof *s);
}

zki_status zki_write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode)
{
    zki_staged_file s;
    zki_status st = zki_file_stage(&s, path, buf, len, mode);
    return st ? st : zki_file_commit(&s);
}

zki_status zki_write_serialised(const char *path, zki_status st, void *buf, size_t len, mode_t mode)
{
    if (st == ZKI_OK)
        st = zki_write_file_atomic(path, buf, len, mode);
    free(buf);
    return st;
}
