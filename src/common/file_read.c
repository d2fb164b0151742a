#include "common/file_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"

/* stat, not open, comes first: opening a FIFO for reading blocks until a
 * writer appears (forever, for `mkfifo x.zkp`), and a device or socket has no
 * size to cap. The size is refused here, unread, so a sparse 1 GB file named
 * as a key costs nothing. */
static zki_status check_regular(const char *path, const struct stat *sb, size_t max_len)
{
    if (S_ISDIR(sb->st_mode))
        return zki_fail(ZKI_ERR_IO, "'%s' is a directory, not a file", path);
    if (!S_ISREG(sb->st_mode))
        return zki_fail(ZKI_ERR_IO, "'%s' is not a regular file", path);
    if (sb->st_size < 0 || (uint64_t)sb->st_size > (uint64_t)max_len)
        return zki_fail(ZKI_ERR_INPUT, "'%s' is %lld bytes, more than the %zu bytes a valid file of its kind "
                        "can have here", path, (long long)sb->st_size, max_len);
    return ZKI_OK;
}

/* Opens path for reading once it is a regular file of at most max_len
 * bytes; *size is its size. O_NONBLOCK keeps a FIFO swapped in after the
 * stat from blocking the open; the fstat then refuses it. */
static zki_status open_regular(const char *path, size_t max_len, int *fd, size_t *size)
{
    struct stat sb;
    *fd = -1;
    if (stat(path, &sb) != 0)
        return zki_fail(ZKI_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    zki_status st = check_regular(path, &sb, max_len);
    if (st != ZKI_OK)
        return st;
    int f = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (f < 0)
        return zki_fail(ZKI_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    if (fstat(f, &sb) != 0 || (st = check_regular(path, &sb, max_len)) != ZKI_OK ||
        fcntl(f, F_SETFL, fcntl(f, F_GETFL) & ~O_NONBLOCK) != 0) {
        close(f);
        return st != ZKI_OK ? st : zki_fail(ZKI_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    }
    *fd = f;
    *size = (size_t)sb.st_size;
    return ZKI_OK;
}

/* Reads up to n bytes; *got is how many (fewer at end of file). */
static zki_status read_fd(int fd, const char *path, uint8_t *b, size_t n, size_t *got)
{
    size_t o = 0;
    while (o < n) {
        ssize_t r = read(fd, b + o, n - o);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return zki_fail(ZKI_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
        if (r == 0)
            break;
        o += (size_t)r;
    }
    *got = o;
    return ZKI_OK;
}

zki_status zki_read_file(const char *path, size_t max_len, uint8_t **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    int fd;
    size_t sz, got = 0;
    zki_status st = open_regular(path, max_len, &fd, &sz);
    if (st != ZKI_OK)
        return st;
    uint8_t *b = malloc(sz + 1);
    if (!b) {
        close(fd);
        return zki_fail(ZKI_ERR_NOMEM, "'%s': cannot allocate %zu bytes", path, sz);
    }
    st = read_fd(fd, path, b, sz, &got);
    close(fd);
    if (st == ZKI_OK && got != sz)
        st = zki_fail(ZKI_ERR_IO, "'%s': short read", path);
    if (st != ZKI_OK) {
        free(b);
        return st;
    }
    *buf = b;
    *len = sz;
    return ZKI_OK;
}

zki_status zki_read_file_head(const char *path, size_t max_len, uint8_t *buf, size_t n, size_t *got)
{
    int fd;
    size_t sz;
    *got = 0;
    zki_status st = open_regular(path, max_len, &fd, &sz);
    if (st != ZKI_OK)
        return st;
    st = read_fd(fd, path, buf, n, got);
    close(fd);
    return st;
}
