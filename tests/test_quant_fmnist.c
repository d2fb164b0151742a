/* Accuracy of the committed Fashion-MNIST models (tools/train_fashion_mnist.py)
 * after int8 quantisation, on the first 1000 test images: test accuracy
 * within 1 point of float, and cosine similarity of logits >= 0.99. */
#include <stdlib.h>
#include <string.h>

#include "quant/npy.h"
#include "quant/quant.h"
#include "test.h"
#include "test_onnx_util.h"

static void eval_model(const char *model, const zki_host_tensor *imgs, const zki_host_tensor *labels)
{
    zki_graph *g = NULL;
    CHECK_MSG(zki_onnx_load_file(tdata(model), &g) == ZKI_OK, "%s", zki_last_error());
    if (!g)
        return;
    zki_host_tensor *cal = NULL;
    int ncal = 0;
    CHECK_MSG(zki_calib_load(g, tdata("fmnist_calib.npy"), &cal, &ncal) == ZKI_OK, "%s", zki_last_error());
    zki_qmodel *m = NULL;
    zki_status st = zki_quantize(g, cal, ncal, NULL, &m);
    CHECK_MSG(st == ZKI_OK, "%s: %s", model, zki_last_error());
    int n = (int)imgs->dims[0];
    const zki_tensor *in = &g->t[g->inputs[0]];
    zki_host_tensor *xs = calloc((size_t)n, sizeof *xs);
    for (int s = 0; s < n; s++) {
        xs[s].et = ZKI_ET_FLOAT;
        xs[s].rank = in->rank;
        memcpy(xs[s].dims, in->dims, sizeof xs[s].dims);
        xs[s].f = malloc(sizeof(float) * 784);
        for (int e = 0; e < 784; e++)
            xs[s].f[e] = (float)imgs->i[(int64_t)s * 784 + e] / 255.0f;
    }
    if (m) {
        int okf = 0, okq = 0;
        for (int s = 0; s < n; s++) {
            zki_buf *v;
            float *q;
            int64_t nq;
            if (zki_exec_float(g, &xs[s], 1, &v) != ZKI_OK || zki_qrun_float_io(m, &xs[s], &q, &nq) != ZKI_OK) {
                CHECK_MSG(0, "%s: %s", model, zki_last_error());
                break;
            }
            okf += test_argmax_f(v[g->outputs[0]].f, 10) == labels->i[s];
            okq += test_argmax_f(q, 10) == labels->i[s];
            zki_exec_free(g, v);
            free(q);
        }
        zki_accuracy acc;
        CHECK(zki_quant_accuracy(g, m, xs, n, &acc) == ZKI_OK);
        double af = 100.0 * okf / n, aq = 100.0 * okq / n;
        printf("%s: float %.1f%%, int8 %.1f%% (%d test images); logits cosine mean %.5f min %.5f; top-1 agreement "
               "%.1f%%; %d integer ops\n",
               model, af, aq, n, acc.cos_mean, acc.cos_min, 100 * acc.top1_agreement, m->n_nodes);
        CHECK_MSG(aq >= af - 1.0, "%s: quantised accuracy %.1f%% vs float %.1f%%", model, aq, af);
        CHECK_MSG(af >= 80.0, "%s: float accuracy %.1f%%", model, af);
        CHECK_MSG(acc.cos_mean >= 0.99, "%s: cosine %.5f", model, acc.cos_mean);
    }
    zki_samples_free(xs, n);
    zki_samples_free(cal, ncal);
    zki_qmodel_free(m);
    zki_graph_free(g);
}

int main(void)
{
    zki_host_tensor imgs, labels;
    CHECK(zki_npy_read(tdata("fmnist_test_x.npy"), &imgs) == ZKI_OK);
    CHECK(zki_npy_read(tdata("fmnist_test_y.npy"), &labels) == ZKI_OK);
    CHECK(imgs.i && imgs.rank == 3 && imgs.dims[1] == 28 && imgs.dims[2] == 28 && labels.i &&
          labels.dims[0] == imgs.dims[0]);
    if (imgs.i && labels.i) {
        eval_model("fmnist_mlp.onnx", &imgs, &labels);
        eval_model("fmnist_cnn.onnx", &imgs, &labels);
    }
    zki_host_tensor_clear(&imgs);
    zki_host_tensor_clear(&labels);
    return TEST_SUMMARY();
}
