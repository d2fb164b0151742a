/* A scratch directory under /tmp for one test program, and paths in it. */
#ifndef ZKI_TEST_TMP_H
#define ZKI_TEST_TMP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "test_onnx_util.h"

static char zki_test_tmp_dir[256];

/* Creates /tmp/zki_TAG_XXXXXX; 0 on failure. */
static inline int tmp_init(const char *tag)
{
    snprintf(zki_test_tmp_dir, sizeof zki_test_tmp_dir, "/tmp/zki_%s_XXXXXX", tag);
    return mkdtemp(zki_test_tmp_dir) != NULL;
}

/* DIR/name (test_path: the last eight paths stay valid). */
static inline const char *tmp(const char *name)
{
    return test_path(zki_test_tmp_dir, name);
}

/* Removes the named entries (files or empty folders) and the directory. */
static inline void tmp_cleanup(const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        remove(tmp(names[i]));
    rmdir(zki_test_tmp_dir);
}

#endif
