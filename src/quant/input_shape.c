#include "quant/input_shape.h"

#include <stdio.h>
#include <string.h>

#include "graph/graph.h"

static int64_t numel(int rank, const int64_t *dims)
{
    int64_t n = 1;
    for (int a = 0; a < rank; a++)
        n *= dims[a];
    return n;
}

static int same(const int64_t *a, const int64_t *b, int n)
{
    return n <= 0 || !memcmp(a, b, sizeof(int64_t) * (size_t)n);
}

/* Samples in the file by the rule (input_shape.h), or -1. */
static int64_t batch_of(int mr, const int64_t *md, int fr, const int64_t *fd)
{
    if (fr == mr && same(fd, md, mr))
        return 1;
    if (fr == mr + 1 && same(fd + 1, md, mr))
        return fd[0];
    if (mr >= 1 && md[0] == 1 && fr == mr && same(fd + 1, md + 1, mr - 1))
        return fd[0];
    int64_t per = numel(mr, md);
    if (fr == 1 && fd[0] == per)
        return 1;
    /* a flat model input has no layout to mismatch: [B, ...] of its K
     * values per sample, read in C order (a Flatten, as for an MLP on images) */
    int flat = mr == 1 || (mr == 2 && md[0] == 1);
    if (flat && fr >= 2 && numel(fr - 1, fd + 1) == per)
        return fd[0];
    return -1;
}

int zki_input_shape_check(int model_rank, const int64_t *model_dims, int file_rank, const int64_t *file_dims,
                          const char *path, int64_t *batch, char *msg, size_t msg_cap)
{
    *batch = batch_of(model_rank, model_dims, file_rank, file_dims);
    if (*batch >= 0)
        return 0;
    char hs[200], ms[200];
    snprintf(msg, msg_cap, "%s has shape %s; the model takes %s (optionally with a leading batch axis)", path,
             zki_shape_str(file_rank, file_dims, hs, sizeof hs), zki_shape_str(model_rank, model_dims, ms, sizeof ms));
    return -1;
}
