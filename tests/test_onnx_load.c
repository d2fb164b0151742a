/* ONNX import: fixtures load, fold and run to the exporter's outputs; bad
 * files give clear errors; truncated and mutated files never crash. */
#include <stdlib.h>
#include <string.h>

#include "common/file_read.h"
#include "common/rng.h"
#include "test.h"
#include "test_onnx_util.h"

static void test_fixture(const char *model, const char *x, const char *y, int expect_nodes)
{
    zki_graph *g = NULL;
    zki_status st = zki_onnx_load_file(tdata(model), &g);
    CHECK_MSG(st == ZKI_OK, "%s: %s", model, zki_last_error());
    if (st != ZKI_OK)
        return;
    double err = run_and_compare(g, x, y);
    CHECK_MSG(err >= 0 && err < 1e-4, "%s: max error %g", model, err);
    if (expect_nodes >= 0)
        CHECK_MSG(g->n_nodes == expect_nodes, "%s: %d nodes after preparation, expected %d", model, g->n_nodes,
                  expect_nodes);
    zki_graph_free(g);
}

static void test_folding(void)
{
    zki_graph *g = NULL;
    /* torch's x.view(x.size(0), -1) with a dynamic batch: Shape, Gather,
     * Unsqueeze, Concat and Reshape fold away; Dropout is removed. */
    CHECK(zki_onnx_load_file(tdata("mlp_view.onnx"), &g) == ZKI_OK);
    if (!g)
        return;
    CHECK(graph_count_op(g, ZKI_OP_SHAPE) == 0);
    CHECK(graph_count_op(g, ZKI_OP_GATHER) == 0);
    CHECK(graph_count_op(g, ZKI_OP_CONCAT) == 0);
    CHECK(graph_count_op(g, ZKI_OP_GEMM) == 2);
    CHECK(graph_count_op(g, ZKI_OP_RELU) == 1);
    CHECK(g->t[g->inputs[0]].dims[0] == 1); /* symbolic batch resolved to 1 */
    zki_graph_free(g);

    CHECK(zki_onnx_load_file(tdata("bn_fold.onnx"), &g) == ZKI_OK);
    if (!g)
        return;
    CHECK(graph_count_op(g, ZKI_OP_BATCHNORM) == 0);
    CHECK(graph_count_op(g, ZKI_OP_IDENTITY) == 0);
    CHECK(graph_count_op(g, ZKI_OP_DROPOUT) == 0);
    CHECK(graph_count_op(g, ZKI_OP_CONV) == 1);
    CHECK(graph_count_op(g, ZKI_OP_GEMM) == 1);
    zki_graph_free(g);
}

static int contains(const char *s, const char *sub)
{
    return strstr(s, sub) != NULL;
}

static void test_errors(void)
{
    zki_graph *g = NULL;
    zki_status st = zki_onnx_load_file(tdata("bad_unsupported_op.onnx"), &g);
    CHECK(st == ZKI_ERR_UNSUPPORTED);
    CHECK(g == NULL);
    const char *m = zki_last_error();
    CHECK_MSG(contains(m, "the_hardmax") && contains(m, "Hardmax") && contains(m, "opset 14"), "%s", m);

    st = zki_onnx_load_file(tdata("bad_dynamic_dim.onnx"), &g);
    CHECK(st == ZKI_ERR_UNSUPPORTED);
    CHECK_MSG(contains(zki_last_error(), "seq"), "%s", zki_last_error());

    st = zki_onnx_load_file(tdata("does_not_exist.onnx"), &g);
    CHECK(st == ZKI_ERR_IO);

    const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x34};
    st = zki_onnx_load_buffer(junk, sizeof junk, &g);
    CHECK(st == ZKI_ERR_INPUT);
    CHECK(zki_onnx_load_buffer(junk, 0, &g) == ZKI_ERR_INPUT);
}

/* Every prefix of a valid file, and random mutations of it, must return
 * (an error or a graph), never crash; run under ASan to mean something. */
static void test_hostile(const char *model)
{
    uint8_t *buf;
    size_t len;
    if (zki_read_file(tdata(model), 1 << 24, &buf, &len) != ZKI_OK) {
        CHECK(0);
        return;
    }
    int ok_prefix = 0;
    for (size_t n = 0; n < len; n++) {
        zki_graph *g = NULL;
        uint8_t *copy = malloc(n + 1); /* exact-size copy so ASan sees overreads */
        memcpy(copy, buf, n);
        if (zki_onnx_load_buffer(copy, n, &g) == ZKI_OK)
            ok_prefix++;
        zki_graph_free(g);
        free(copy);
    }
    CHECK_MSG(ok_prefix < (int)len / 2, "%s: %d of %zu prefixes loaded", model, ok_prefix, len);
    zki_rng r;
    zki_rng_seed(&r, 42);
    uint8_t *copy = malloc(len);
    int ok = 0;
    for (int it = 0; it < 2000; it++) {
        memcpy(copy, buf, len);
        int flips = 1 + (int)zki_rng_below(&r, 4);
        for (int f = 0; f < flips; f++)
            copy[zki_rng_below(&r, len)] = (uint8_t)zki_rng_u64(&r);
        zki_graph *g = NULL;
        if (zki_onnx_load_buffer(copy, len, &g) == ZKI_OK) {
            ok++;
            zki_graph_free(g);
        }
    }
    free(copy);
    zki_graph *g = NULL;
    CHECK(zki_onnx_load_buffer(buf, len, &g) == ZKI_OK);
    zki_graph_free(g);
    printf("%s: %zu prefixes (%d loaded), 2000 mutations (%d loaded)\n", model, len, ok_prefix, ok);
    free(buf);
}

int main(void)
{
    test_fixture("mlp_view.onnx", "mlp_view_x.pb", "mlp_view_y.pb", 4); /* Reshape, Gemm, Relu, Gemm */
    test_fixture("bn_fold.onnx", "bn_fold_x.pb", "bn_fold_y.pb", 4);
    test_fixture("opset9_attrs.onnx", "opset9_attrs_x.pb", "opset9_attrs_y.pb", -1);
    test_fixture("cnn_small.onnx", "cnn_small_x.pb", "cnn_small_y.pb", -1);
    test_fixture("gpt_tiny.onnx", "gpt_tiny_x.pb", "gpt_tiny_y.pb", -1);
    test_folding();
    test_errors();
    test_hostile("mlp_view.onnx");
    test_hostile("cnn_small.onnx");
    return TEST_SUMMARY();
}
