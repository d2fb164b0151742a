/* Models: ONNX import + calibration + quantisation, .zkm files
 * (zkinfer.h "models"), as `zkinfer compile` does them. */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"
#include "onnx/onnx.h"
#include "quant/input_shape.h"
#include "quant/quant.h"

void zki_free(void *p) { free(p); }

/* In-memory calibration data split into samples of the graph's one input,
 * with the shape rule of calibration files (zki_calib_load). */
static zki_status calib_samples(const zki_graph *g, const float *calib, const int64_t *shape, uint32_t rank,
                                zki_host_tensor **out, int *n_out)
{
    if (g->n_inputs != 1)
        return zki_fail(ZKI_ERR_UNSUPPORTED, "zki_model_compile: calibration data is supported for one-input "
                        "models (this has %d)", g->n_inputs);
    ZKI_API_NEED(shape, "zki_model_compile");
    const zki_tensor *in = &g->t[g->inputs[0]];
    if (zki_et_is_float(in->et) != 1)
        return zki_fail(ZKI_ERR_INPUT, "zki_model_compile: input '%s' takes integers; pass them in a file "
                        "(calib_path)", in->name);
    if (rank < 1 || rank > ZKI_MAX_RANK)
        return zki_fail(ZKI_ERR_INPUT, "zki_model_compile: calib_rank %u outside [1, %d]", rank, ZKI_MAX_RANK);
    int64_t per = zki_tensor_numel(in), cnt = -1;
    char msg[512];
    if (per <= 0 || zki_input_shape_check(in->rank, in->dims, (int)rank, shape, "calib", &cnt, msg, sizeof msg))
        return zki_fail(ZKI_ERR_INPUT, "zki_model_compile: %s", per <= 0 ? "the model's input has no elements" : msg);
    if (cnt < 1 || cnt > INT32_MAX / 2)
        return zki_fail(ZKI_ERR_INPUT, "zki_model_compile: calib holds %lld samples", (long long)cnt);
    int64_t bad = zki_first_nonfinite(calib, cnt * per);
    if (bad >= 0)
        return zki_fail(ZKI_ERR_INPUT, "zki_model_compile: calib value %lld (sample %lld) is not finite",
                        (long long)bad, (long long)(bad / per));
    zki_host_tensor *s = calloc((size_t)cnt, sizeof *s);
    if (!s)
        return zki_fail(ZKI_ERR_NOMEM, "zki_model_compile: out of memory");
    for (int64_t k = 0; k < cnt; k++) {
        s[k].et = in->et;
        s[k].rank = in->rank;
        memcpy(s[k].dims, in->dims, sizeof s[k].dims);
        if (!(s[k].f = malloc(sizeof(float) * (size_t)per))) {
            zki_samples_free(s, (int)k);
            return zki_fail(ZKI_ERR_NOMEM, "zki_model_compile: out of memory");
        }
        memcpy(s[k].f, calib + k * per, sizeof(float) * (size_t)per);
    }
    *out = s;
    *n_out = (int)cnt;
    return ZKI_OK;
}

zki_status zki_model_compile(const char *onnx_path, const char *calib_path, const float *calib,
                             const int64_t *calib_shape, uint32_t calib_rank, unsigned flags, zki_model **model)
{
    ZKI_API_NEED(model, "zki_model_compile");
    *model = NULL;
    ZKI_API_NEED(onnx_path, "zki_model_compile");
    if (!calib_path == !calib)
        return zki_fail(ZKI_ERR_INPUT, "zki_model_compile: give calibration data in exactly one of calib_path "
                        "and calib (%s)", calib ? "both are given" : "both are NULL");
    if (flags & ~(ZKI_COMPILE_WEIGHTS16 | ZKI_COMPILE_ACTIVATIONS16))
        return zki_fail(ZKI_ERR_INPUT, "zki_model_compile: unknown flags 0x%x", flags);
    zki_quant_opts o;
    zki_quant_opts_default(&o);
    o.weight_bits = flags & ZKI_COMPILE_WEIGHTS16 ? 16 : 8;
    o.act_bits = flags & ZKI_COMPILE_ACTIVATIONS16 ? 16 : 8;
    zki_graph *g = NULL;
    zki_host_tensor *cal = NULL;
    int ncal = 0;
    zki_model *m = calloc(1, sizeof *m);
    zki_status st = m ? zki_onnx_load_file(onnx_path, &g) : zki_fail(ZKI_ERR_NOMEM, "zki_model_compile: out of memory");
    if (st == ZKI_OK)
        st = calib ? calib_samples(g, calib, calib_shape, calib_rank, &cal, &ncal)
                   : zki_calib_load(g, calib_path, &cal, &ncal);
    if (st == ZKI_OK)
        st = zki_quantize(g, cal, ncal, &o, &m->q);
    zki_samples_free(cal, ncal);
    zki_graph_free(g);
    if (st != ZKI_OK) {
        zki_model_destroy(m);
        return st;
    }
    *model = m;
    return ZKI_OK;
}

zki_status zki_model_load(const char *path, zki_model **model)
{
    ZKI_API_NEED(model, "zki_model_load");
    *model = NULL;
    ZKI_API_NEED(path, "zki_model_load");
    zki_model *m = calloc(1, sizeof *m);
    if (!m)
        return zki_fail(ZKI_ERR_NOMEM, "zki_model_load: out of memory");
    zki_status st = zki_zkm_read(path, &m->q);
    if (st != ZKI_OK) {
        zki_model_destroy(m);
        return st;
    }
    *model = m;
    return ZKI_OK;
}

zki_status zki_model_save(const zki_model *model, const char *path)
{
    ZKI_API_NEED(model, "zki_model_save");
    ZKI_API_NEED(path, "zki_model_save");
    uint8_t *b = NULL;
    size_t n = 0;
    zki_status st = zki_zkm_serialize(model->q, &b, &n); /* before b and n are read */
    return zki_write_serialised(path, st, b, n, ZKI_FILE_SECRET);
}

void zki_model_destroy(zki_model *model)
{
    if (!model)
        return;
    zki_qmodel_free(model->q);
    free(model);
}
