/* Conformance of the float reference executor with the ONNX node tests of
 * Debian's libonnx-testdata: every test whose ops, opset and types fall in
 * the supported set must load and reproduce the expected outputs. Tests
 * outside the set (unsupported op, opset, type or attribute) are skipped
 * and counted; a model below the importer's opset whose ops are unchanged
 * since (test_onnx_legacy.h) is run at its lowest. Integer-typed inputs (shapes, axes, indices) are bound as
 * constants before preparation, as a real exported model would have them. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/file_read.h"
#include "test.h"
#include "test_onnx_util.h"
#include "test_onnx_legacy.h"

#define NODE_DIR "/usr/share/libonnx-testdata/data/node"
/* Passing tests at the time of writing; fewer is a regression. */
#define ZKI_CONFORMANCE_BASELINE 260

static int n_pass, n_fail, n_skip;

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int tensor_close(const zki_tensor *t, const zki_buf *v, const zki_host_tensor *e, char *why, size_t cap)
{
    if (t->rank != e->rank) {
        snprintf(why, cap, "rank %d, expected %d", t->rank, e->rank);
        return 0;
    }
    for (int a = 0; a < t->rank; a++)
        if (t->dims[a] != e->dims[a]) {
            snprintf(why, cap, "dim %d is %lld, expected %lld", a, (long long)t->dims[a], (long long)e->dims[a]);
            return 0;
        }
    int64_t n = zki_tensor_numel(t);
    for (int64_t k = 0; k < n; k++) {
        if (e->f) {
            if (!v->f) {
                snprintf(why, cap, "integer output, float expected");
                return 0;
            }
            double a = v->f[k], b = e->f[k];
            if (a != a && b != b)
                continue;
            if (!(fabs(a - b) <= 1e-4 + 1e-3 * fabs(b)) && !(a == b)) {
                snprintf(why, cap, "element %lld is %g, expected %g", (long long)k, a, b);
                return 0;
            }
        } else {
            if (!v->i || v->i[k] != e->i[k]) {
                snprintf(why, cap, "element %lld differs (integer)", (long long)k);
                return 0;
            }
        }
    }
    return 1;
}

/* 1 pass, 0 fail, -1 skip. */
static int run_case(const char *dir, char *why, size_t cap)
{
    char path[1200];
    uint8_t *buf;
    size_t len;
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    if (zki_read_file(path, 1 << 26, &buf, &len) != ZKI_OK)
        return -1;
    zki_graph *g = NULL;
    zki_status st = parse_legacy(buf, len, &g, NULL);
    free(buf);
    if (st == ZKI_ERR_UNSUPPORTED) {
        snprintf(why, cap, "%s", zki_last_error());
        return -1;
    }
    if (st != ZKI_OK) {
        snprintf(why, cap, "parse: %s", zki_last_error());
        return 0;
    }
    int res = 0;
    int ni = g->n_inputs;
    zki_host_tensor in[16], out[16];
    memset(in, 0, sizeof in);
    memset(out, 0, sizeof out);
    int nin = 0, nout = 0;
    for (; nin < 16; nin++) {
        snprintf(path, sizeof path, "%s/test_data_set_0/input_%d.pb", dir, nin);
        struct stat sb;
        if (stat(path, &sb) != 0)
            break;
        if ((st = zki_onnx_read_tensor_file(path, &in[nin])) != ZKI_OK)
            goto unsupported_io;
    }
    for (; nout < 16; nout++) {
        snprintf(path, sizeof path, "%s/test_data_set_0/output_%d.pb", dir, nout);
        struct stat sb;
        if (stat(path, &sb) != 0)
            break;
        if ((st = zki_onnx_read_tensor_file(path, &out[nout])) != ZKI_OK)
            goto unsupported_io;
    }
    if (nin != ni || nout != g->n_outputs) {
        snprintf(why, cap, "%d inputs / %d outputs in data, model has %d / %d", nin, nout, ni, g->n_outputs);
        res = -1;
        goto done;
    }
    /* Bind integer inputs as constants; float ones stay run-time inputs,
     * except every input but X of an LSTM / GRU (weights, states) or a
     * Resize (roi, scales), which an exported model holds as initializers. */
    zki_host_tensor feed[16];
    int nfeed = 0, keep = 0;
    const zki_node *n0 = g->n_nodes == 1 ? &g->nodes[0] : NULL;
    int rnn = n0 && (n0->op == ZKI_OP_LSTM || n0->op == ZKI_OP_GRU || n0->op == ZKI_OP_RESIZE);
    for (int k = 0; k < ni; k++) {
        zki_tensor *t = &g->t[g->inputs[k]];
        if (zki_et_is_float(t->et) == 0 || (rnn && g->inputs[k] != n0->in[0])) {
            t->et = in[k].et;
            zki_tensor_set_const(t, in[k].rank, in[k].dims, in[k].f, in[k].i);
            in[k].f = NULL;
            in[k].i = NULL;
        } else {
            g->inputs[keep++] = g->inputs[k];
            feed[nfeed++] = in[k];
        }
    }
    g->n_inputs = keep;
    st = zki_graph_prepare(g);
    if (st != ZKI_OK) {
        snprintf(why, cap, "%s", zki_last_error());
        res = st == ZKI_ERR_UNSUPPORTED ? -1 : 0;
        goto done;
    }
    zki_buf *v;
    st = zki_exec_float(g, feed, nfeed, &v);
    if (st != ZKI_OK) {
        snprintf(why, cap, "exec: %s", zki_last_error());
        res = st == ZKI_ERR_UNSUPPORTED ? -1 : 0;
        goto done;
    }
    res = 1;
    for (int k = 0; k < nout && res == 1; k++) {
        int o = g->outputs[k];
        zki_buf b = v[o];
        if (!tensor_close(&g->t[o], &b, &out[k], why, cap))
            res = 0;
    }
    zki_exec_free(g, v);
    goto done;
unsupported_io:
    snprintf(why, cap, "test data: %s", zki_last_error());
    res = st == ZKI_ERR_UNSUPPORTED ? -1 : 0;
done:
    for (int k = 0; k < 16; k++) {
        zki_host_tensor_clear(&in[k]);
        zki_host_tensor_clear(&out[k]);
    }
    zki_graph_free(g);
    return res;
}

int main(int argc, char **argv)
{
    int verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    DIR *d = opendir(NODE_DIR);
    if (!d) {
        printf("SKIP: %s not found (install Debian's libonnx-testdata; scripts/install-deps.sh does)\n", NODE_DIR);
        return TEST_SUMMARY();
    }
    char **names = NULL;
    size_t cnt = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, "test_", 5) != 0)
            continue;
        if (cnt == cap) {
            cap = cap ? 2 * cap : 1024;
            names = realloc(names, cap * sizeof *names);
        }
        names[cnt++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, cnt, sizeof *names, cmp_names);
    for (size_t k = 0; k < cnt; k++) {
        char dir[1100], why[600] = "";
        snprintf(dir, sizeof dir, "%s/%s", NODE_DIR, names[k]);
        int r = run_case(dir, why, sizeof why);
        if (r > 0) {
            n_pass++;
            if (verbose)
                printf("PASS %s\n", names[k]);
        } else if (r == 0) {
            n_fail++;
            printf("FAIL %s: %s\n", names[k], why);
        } else {
            n_skip++;
            if (verbose)
                printf("SKIP %s: %s\n", names[k], why);
        }
        free(names[k]);
    }
    free(names);
    printf("ONNX node conformance: %d passed, %d failed, %d outside the supported set\n", n_pass, n_fail, n_skip);
    CHECK_MSG(n_fail == 0, "%d node tests failed", n_fail);
    CHECK_MSG(n_pass >= ZKI_CONFORMANCE_BASELINE, "%d passed, baseline %d", n_pass, ZKI_CONFORMANCE_BASELINE);
    return TEST_SUMMARY();
}
