/* Helpers shared by the ONNX / graph / quantisation tests. */
#ifndef ZKI_TEST_ONNX_UTIL_H
#define ZKI_TEST_ONNX_UTIL_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "graph/passes.h"
#include "onnx/onnx.h"

#ifndef ZKI_TEST_DATA
#define ZKI_TEST_DATA "tests/data"
#endif

/* dir/name; the last eight results stay valid. */
static inline const char *test_path(const char *dir, const char *name)
{
    static char buf[8][1024];
    static int k;
    k = (k + 1) & 7;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static inline const char *tdata(const char *name)
{
    return test_path(ZKI_TEST_DATA, name);
}

/* The index of the first largest of v[0..n). */
static inline int64_t test_argmax_f(const float *v, int64_t n)
{
    int64_t a = 0;
    for (int64_t k = 1; k < n; k++)
        if (v[k] > v[a])
            a = k;
    return a;
}

/* Runs graph g on one input file and returns max |y - expected|, or -1. */
static inline double run_and_compare(const zki_graph *g, const char *xfile, const char *yfile)
{
    zki_host_tensor x, y;
    if (zki_onnx_read_tensor_file(tdata(xfile), &x) != ZKI_OK)
        return -1;
    if (zki_onnx_read_tensor_file(tdata(yfile), &y) != ZKI_OK) {
        zki_host_tensor_clear(&x);
        return -1;
    }
    zki_buf *v;
    double err = -1;
    if (zki_exec_float(g, &x, 1, &v) == ZKI_OK) {
        const zki_tensor *o = &g->t[g->outputs[0]];
        if (zki_tensor_numel(o) == zki_host_tensor_numel(&y)) {
            err = 0;
            for (int64_t k = 0; k < zki_tensor_numel(o); k++) {
                double d = fabs((double)v[g->outputs[0]].f[k] - y.f[k]);
                if (d > err || d != d)
                    err = d != d ? 1e30 : d;
            }
        }
        zki_exec_free(g, v);
    } else {
        fprintf(stderr, "exec: %s\n", zki_last_error());
    }
    zki_host_tensor_clear(&x);
    zki_host_tensor_clear(&y);
    return err;
}

static inline int graph_count_op(const zki_graph *g, int op)
{
    int c = 0;
    for (int i = 0; i < g->n_nodes; i++)
        c += g->nodes[i].op == op;
    return c;
}

#endif
