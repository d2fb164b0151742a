/* Models: ONNX import + calibration + quantisation, .zkm files
 * (zkinfer.h "models"), as `zkinfer compile` does them. */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"
#include "onnx/onnx.h"
#include "prover/setup.h"
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

/* The summary writers fill a buffer of this size (a model's summary is a
 * line per layer). */
#define SUMMARY_CAP ((size_t)1 << 20)

/* Import, calibration (from calib_path or calib), quantisation and, with
 * acc, the accuracy report; *step names the step that failed. */
static zki_status compile_core(const char *fn, const char *onnx_path, const char *calib_path, const float *calib,
                               const int64_t *calib_shape, uint32_t calib_rank, const zki_compile_options *co,
                               zki_model **model, zki_accuracy_report *acc, const char **step)
{
    unsigned flags = co->flags;
    *step = "import";
    if (flags & ~(ZKI_COMPILE_WEIGHTS16 | ZKI_COMPILE_ACTIVATIONS16 | ZKI_COMPILE_REQUANT_EACH_LAYER))
        return zki_fail(ZKI_ERR_INPUT, "%s: unknown flags 0x%x", fn, flags);
    zki_quant_opts o;
    zki_quant_opts_default(&o);
    o.weight_bits = flags & ZKI_COMPILE_WEIGHTS16 ? 16 : 8;
    o.act_bits = flags & ZKI_COMPILE_ACTIVATIONS16 ? 16 : 8;
    o.raw_residual = !(flags & ZKI_COMPILE_REQUANT_EACH_LAYER);
    o.progress = co->progress;
    o.progress_ctx = co->progress_ctx;
    float *cal_out = NULL; /* the float outputs on the calibration set, for its accuracy report */
    o.keep_out = acc && !co->eval_path ? &cal_out : NULL;
    zki_graph *g = NULL;
    zki_host_tensor *cal = NULL, *ev = NULL;
    int ncal = 0, nev = 0;
    char *sum = co->report ? malloc(SUMMARY_CAP) : NULL;
    zki_model *m = calloc(1, sizeof *m);
    zki_status st = m && (sum || !co->report) ? zki_onnx_load_file(onnx_path, &g)
                                              : zki_fail(ZKI_ERR_NOMEM, "%s: out of memory", fn);
    if (st == ZKI_OK && sum) {
        zki_graph_summary(g, sum, SUMMARY_CAP);
        co->report(co->report_ctx, sum);
    }
    if (st == ZKI_OK) {
        *step = "calibration";
        st = calib ? calib_samples(g, calib, calib_shape, calib_rank, &cal, &ncal)
                   : zki_calib_load(g, calib_path, &cal, &ncal);
    }
    if (st == ZKI_OK && acc && co->eval_path) {
        *step = "eval";
        st = zki_calib_load(g, co->eval_path, &ev, &nev);
    }
    if (st == ZKI_OK) {
        *step = "quantisation";
        st = zki_quantize(g, cal, ncal, &o, &m->q);
    }
    if (st == ZKI_OK && sum) {
        zki_qmodel_summary(m->q, sum, SUMMARY_CAP);
        co->report(co->report_ctx, sum);
    }
    if (st == ZKI_OK && acc) {
        *step = "accuracy";
        zki_accuracy a;
        st = zki_quant_accuracy_ref(g, m->q, ev ? ev : cal, ev ? nev : ncal, ev ? NULL : cal_out, &a);
        if (st == ZKI_OK) {
            acc->samples = a.samples;
            acc->rows = a.rows;
            acc->top1 = a.top1_agreement;
            acc->cos_mean = a.cos_mean;
            acc->cos_min = a.cos_min;
            acc->max_abs_err = a.max_abs_err;
        }
    }
    free(sum);
    free(cal_out);
    zki_samples_free(cal, ncal);
    zki_samples_free(ev, nev);
    zki_graph_free(g);
    if (st != ZKI_OK) {
        zki_model_destroy(m);
        return st;
    }
    *step = NULL;
    *model = m;
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
    zki_compile_options co;
    memset(&co, 0, sizeof co);
    co.flags = flags;
    const char *step = NULL;
    return compile_core("zki_model_compile", onnx_path, calib_path, calib, calib_shape, calib_rank, &co, model,
                        NULL, &step);
}

zki_status zki_model_compile_opts(const char *onnx_path, const char *calib_path, const zki_compile_options *opts,
                                  zki_model **model, zki_accuracy_report *accuracy, const char **failed_step)
{
    const char *step = NULL;
    if (failed_step)
        *failed_step = NULL;
    if (accuracy)
        memset(accuracy, 0, sizeof *accuracy);
    ZKI_API_NEED(model, "zki_model_compile_opts");
    *model = NULL;
    ZKI_API_NEED(onnx_path, "zki_model_compile_opts");
    ZKI_API_NEED(calib_path, "zki_model_compile_opts");
    zki_compile_options none;
    memset(&none, 0, sizeof none);
    zki_status st = compile_core("zki_model_compile_opts", onnx_path, calib_path, NULL, NULL, 0,
                                 opts ? opts : &none, model, accuracy, &step);
    if (failed_step)
        *failed_step = step;
    return st;
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

zki_status zki_model_save_with_keys(const zki_model *model, const zki_pk *pk, const char *zkm_path,
                                    const char *vk_path, const char *zpk_path)
{
    ZKI_API_NEED(model, "zki_model_save_with_keys");
    ZKI_API_NEED(zkm_path, "zki_model_save_with_keys");
    if (pk) {
        ZKI_API_NEED(vk_path, "zki_model_save_with_keys");
        ZKI_API_NEED(zpk_path, "zki_model_save_with_keys");
    }
    int n = pk ? 3 : 1;
    const char *paths[3] = {zkm_path, vk_path, zpk_path};
    uint8_t *bufs[3] = {NULL, NULL, NULL};
    size_t lens[3] = {0, 0, 0};
    /* the .zkm holds the quantised weights: as secret as the prover key */
    const mode_t modes[3] = {ZKI_FILE_SECRET, ZKI_FILE_PUBLIC, ZKI_FILE_SECRET};
    zki_status st = zki_zkm_serialize(model->q, &bufs[0], &lens[0]);
    if (st == ZKI_OK && pk)
        st = zki_vk_to_bytes(&pk->vk, &bufs[1], &lens[1]);
    if (st == ZKI_OK && pk)
        st = zki_pk_to_bytes(pk, &bufs[2], &lens[2]);
    /* stage every file, then commit them all */
    zki_staged_file f[3];
    int k = 0;
    for (; st == ZKI_OK && k < n; k++)
        if ((st = zki_file_stage(&f[k], paths[k], bufs[k], lens[k], modes[k])) != ZKI_OK)
            break;
    if (st != ZKI_OK) {
        while (k-- > 0)
            zki_file_discard(&f[k]);
        if (st != ZKI_ERR_NOMEM)
            st = zki_fail(st, "%s; no output was changed", zki_last_error());
    }
    if (st == ZKI_OK) {
        zki_status cst = ZKI_OK;
        for (k = 0; k < n; k++) /* renames: only a vanished directory fails here */
            if (zki_file_commit(&f[k]) != ZKI_OK && cst == ZKI_OK)
                cst = ZKI_ERR_IO;
        st = cst;
    }
    for (k = 0; k < 3; k++)
        free(bufs[k]);
    return st;
}

void zki_model_destroy(zki_model *model)
{
    if (!model)
        return;
    zki_qmodel_free(model->q);
    free(model);
}
