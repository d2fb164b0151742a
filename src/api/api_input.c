/* Model inputs: files read with the CLI's rules, floats quantised with the
 * prover's rule (zkinfer.h "inputs"). */
#include "api/api.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "quant/input_shape.h"
#include "quant/npy.h"
#include "quant/quant.h"

zki_status zki_api_quantise(const zki_vk *vk, const float *x, uint32_t batch, int strict, const char *fn,
                            int64_t **q)
{
    *q = NULL;
    zki_api_input in;
    zki_status st = zki_api_input_of(vk, &in);
    if (st != ZKI_OK)
        return zki_fail_ctx(st, "%s", fn);
    if (!(in.scale > 0))
        return zki_fail(ZKI_ERR_INPUT, "%s: the model takes integer input: pass it quantised (the _int variant)",
                        fn);
    if (batch < 1 || batch > ZKI_MAX_BATCH)
        return zki_fail(ZKI_ERR_INPUT, "%s: batch %u outside [1, %u]", fn, batch, ZKI_MAX_BATCH);
    uint64_t per = zki_vk_input_len(vk), n = per * batch;
    int64_t bad = zki_first_nonfinite(x, (int64_t)n);
    if (bad >= 0)
        return zki_fail(ZKI_ERR_INPUT, "%s: x[%lld] (sample %llu) is %s; inputs must be finite", fn, (long long)bad,
                        (unsigned long long)((uint64_t)bad / per), isnan(x[bad]) ? "NaN" : "infinite");
    int64_t *v = malloc(sizeof(int64_t) * (size_t)n);
    if (!v)
        return zki_fail(ZKI_ERR_NOMEM, "%s: out of memory", fn);
    uint64_t out = 0, first = 0;
    for (uint64_t e = 0; e < n; e++) {
        int c = 0;
        v[e] = zki_quant_value((double)x[e], in.scale, in.qmax, &c);
        if (c && !out++)
            first = e;
    }
    if (out && strict) {
        free(v);
        return zki_fail(ZKI_ERR_INPUT, "%s: %llu of %llu values outside the calibrated range [-%.6g, %.6g] (the "
                        "first x[%llu] = %.6g); refused (ZKI_PROVE_STRICT)", fn, (unsigned long long)out,
                        (unsigned long long)n, (double)in.qmax * in.scale, (double)in.qmax * in.scale,
                        (unsigned long long)first, (double)x[first]);
    }
    *q = v;
    return ZKI_OK;
}

zki_status zki_input_load(const zki_vk *vk, const char *path, double int_scale, float **x, uint32_t *batch)
{
    ZKI_API_NEED(x, "zki_input_load");
    *x = NULL;
    ZKI_API_NEED(batch, "zki_input_load");
    *batch = 0;
    ZKI_API_NEED(vk, "zki_input_load");
    ZKI_API_NEED(path, "zki_input_load");
    if (!isfinite(int_scale) || int_scale < 0)
        return zki_fail(ZKI_ERR_INPUT, "zki_input_load: int_scale %g is not a finite number >= 0", int_scale);
    zki_api_input in;
    zki_status st = zki_api_input_of(vk, &in);
    if (st != ZKI_OK)
        return zki_fail_ctx(st, "zki_input_load");
    if (!(in.scale > 0))
        return zki_fail(ZKI_ERR_INPUT, "zki_input_load: the model takes integer input, not floats");
    zki_host_tensor h;
    if ((st = zki_tensor_read_any(path, &h)) != ZKI_OK)
        return st;
    int64_t n = zki_host_tensor_numel(&h), per = 1, b = -1;
    for (int k = 0; k < in.rank; k++)
        per *= in.dims[k];
    char msg[512];
    if (zki_input_shape_check(in.rank, in.dims, h.rank, h.dims, path, &b, msg, sizeof msg))
        st = zki_fail(ZKI_ERR_INPUT, "%s", msg);
    else if (b < 1 || b > ZKI_MAX_BATCH)
        st = zki_fail(ZKI_ERR_INPUT, "%s holds %lld samples; 1 to %u are accepted", path, (long long)b,
                      ZKI_MAX_BATCH);
    else if (h.i && !(int_scale > 0))
        st = zki_fail(ZKI_ERR_INPUT, "%s holds integers; the model takes float input: pass int_scale (x = value "
                      "* int_scale, e.g. 1/255 for 0..255 pixels) or convert it to float", path);
    else if (h.f && int_scale > 0)
        st = zki_fail(ZKI_ERR_INPUT, "int_scale applies to integer files; %s holds float values", path);
    int64_t bad = st == ZKI_OK && h.f ? zki_first_nonfinite(h.f, n) : -1;
    if (bad >= 0)
        st = zki_fail(ZKI_ERR_INPUT, "%s: value at index %lld (sample %lld, element %lld) is %s; inputs must be "
                      "finite", path, (long long)bad, (long long)(bad / per), (long long)(bad % per),
                      isnan(h.f[bad]) ? "NaN" : "infinite");
    float *f = NULL;
    if (st == ZKI_OK && h.i) {
        if (!(f = malloc(sizeof(float) * (size_t)n)))
            st = zki_fail(ZKI_ERR_NOMEM, "zki_input_load: out of memory");
        for (int64_t e = 0; f && e < n; e++)
            f[e] = (float)((double)h.i[e] * int_scale);
    } else if (st == ZKI_OK) {
        f = h.f;
        h.f = NULL;
    }
    zki_host_tensor_clear(&h);
    if (st != ZKI_OK)
        return st;
    *x = f;
    *batch = (uint32_t)b;
    return ZKI_OK;
}
