/* A scratch directory per test program: the test fills dir from a template
 * with mkdtemp; tmp(NAME) is "dir/NAME", in one of 8 rotating buffers (copy
 * a path that must outlive 8 more calls). */
#ifndef ZKI_TEST_TMPDIR_H
#define ZKI_TEST_TMPDIR_H

#include <stdio.h>

static char dir[256];
static inline const char *tmp(const char *name)
{
    static char b[8][512];
    static int k;
    k = (k + 1) & 7;
    snprintf(b[k], sizeof b[k], "%s/%s", dir, name);
    return b[k];
}

#endif
