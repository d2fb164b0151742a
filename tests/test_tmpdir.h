/* A scratch directory per test program. Either fill dir from a template
 * with mkdtemp or call tmp_init(TAG) for /tmp/zki_TAG_XXXXXX; tmp(NAME) is
 * "dir/NAME", in one of 8 rotating buffers (copy a path that must outlive
 * 8 more calls); tmp_cleanup removes the named entries and the directory. */
#ifndef ZKI_TEST_TMPDIR_H
#define ZKI_TEST_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[256];
static inline const char *tmp(const char *name)
{
    static char b[8][512];
    static int k;
    k = (k + 1) & 7;
    snprintf(b[k], sizeof b[k], "%s/%s", dir, name);
    return b[k];
}

/* Creates /tmp/zki_TAG_XXXXXX as dir; 0 on failure. */
static inline int tmp_init(const char *tag)
{
    snprintf(dir, sizeof dir, "/tmp/zki_%s_XXXXXX", tag);
    return mkdtemp(dir) != NULL;
}

/* Removes the named entries (files or empty folders), then dir. */
static inline void tmp_cleanup(const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        remove(tmp(names[i]));
    rmdir(dir);
}

#endif
