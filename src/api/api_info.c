/* What models and keys say about themselves, running without proving,
 * tensor files and the input rule (zkinfer.h "models", "keys", "inputs"). */
#include "api/api.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph.h"
#include "protocol/proof.h"
#include "prover/lower.h"
#include "prover/setup.h"
#include "quant/input_shape.h"
#include "quant/npy.h"
#include "quant/quant.h"

_Static_assert(ZKI_MAX_DIMS == ZKI_QMAX_RANK && ZKI_MAX_DIMS == ZKI_MAX_RANK && ZKI_MAX_DIMS == ZKI_DAG_MAX_RANK,
               "one rank limit");
_Static_assert(ZKI_BATCH_MAX == ZKI_MAX_BATCH, "one batch limit");
_Static_assert(ZKINFER_ZKM_VERSION == ZKI_ZKM_VERSION, "the .zkm version");

zki_status zki_model_check_provable(const zki_model *model)
{
    ZKI_API_NEED(model, "zki_model_check_provable");
    zki_dag a;
    zki_status st = zki_dag_lower(model->q, &a, NULL);
    if (st == ZKI_OK) {
        zki_dag_free(&a);
        return ZKI_OK;
    }
    if (st == ZKI_ERR_NOMEM)
        return st;
    const char *e = zki_last_error();
    return zki_fail(ZKI_ERR_UNSUPPORTED, "%s", e + (strncmp(e, "prove: ", 7) ? 0 : 7)); /* not a prove failure */
}

const char *zki_provable_class(void) { return ZKI_PROVABLE_CLASS; }

static void info_of_qtensor(const zki_qtensor *t, zki_tensor_info *ti)
{
    memset(ti, 0, sizeof *ti);
    ti->rank = t->rank >= 0 && t->rank <= ZKI_MAX_DIMS ? (uint32_t)t->rank : 0;
    memcpy(ti->dims, t->dims, sizeof(int64_t) * ti->rank);
    ti->scale = t->scale;
    ti->bits = (uint32_t)t->bits;
}

zki_status zki_model_info(const zki_model *model, zki_info *info)
{
    ZKI_API_NEED(info, "zki_model_info");
    memset(info, 0, sizeof *info);
    ZKI_API_NEED(model, "zki_model_info");
    const zki_qmodel *m = model->q;
    info->n_inputs = (uint32_t)m->n_inputs;
    if (m->n_inputs > 0)
        info_of_qtensor(&m->t[m->inputs[0]], &info->input);
    if (m->n_outputs > 0)
        info_of_qtensor(&m->t[m->outputs[0]], &info->output);
    return ZKI_OK;
}

/* Bytes of the weights in the key's layout. */
static uint64_t weight_bytes(const zki_dag *a)
{
    uint64_t wb = 0;
    for (uint32_t l = 0; l < a->n_nodes; l++)
        wb += zki_dag_node_weights(&a->nodes[l]) * (a->nodes[l].w_bits / 8);
    return wb;
}

zki_status zki_vk_info(const zki_vk *vk, zki_info *info)
{
    ZKI_API_NEED(info, "zki_vk_info");
    memset(info, 0, sizeof *info);
    ZKI_API_NEED(vk, "zki_vk_info");
    zki_api_input in;
    zki_status st = zki_api_input_of(vk, &in);
    if (st != ZKI_OK)
        return st;
    const zki_dag *a = &vk->dag;
    info->n_inputs = 1;
    info->input.rank = (uint32_t)in.rank;
    memcpy(info->input.dims, in.dims, sizeof(int64_t) * info->input.rank);
    info->input.scale = in.scale;
    info->input.bits = a->in_bits;
    info->output.rank = a->out_rank <= ZKI_MAX_DIMS ? a->out_rank : 0;
    memcpy(info->output.dims, a->out_dims, sizeof(int64_t) * info->output.rank);
    info->output.scale = a->out_scale;
    info->output.bits = a->out_bits;
    /* scores: one axis of more than one value ([1, 1000], or a pooled map
     * [1, 1000, 1, 1] flattened or not), whatever node computes them */
    uint32_t wide = 0;
    for (uint32_t k = 0; k < info->output.rank; k++)
        wide += info->output.dims[k] > 1;
    info->classifier = a->n_nodes > 0 && wide == 1;
    info->weight_bytes = weight_bytes(a);
    info->zk_proofs = vk->wcom.params.col_budget; /* the key's budget (key_pcs.c) */
    return ZKI_OK;
}

zki_status zki_vk_digest(const zki_vk *vk, unsigned char digest[32])
{
    ZKI_API_NEED(vk, "zki_vk_digest");
    ZKI_API_NEED(digest, "zki_vk_digest");
    memcpy(digest, zki_api_vk_digest(vk), 32);
    return ZKI_OK;
}

zki_status zki_pk_file_read(const char *path, unsigned char seed32[32], unsigned char vk_digest[32])
{
    ZKI_API_NEED(path, "zki_pk_file_read");
    ZKI_API_NEED(seed32, "zki_pk_file_read");
    ZKI_API_NEED(vk_digest, "zki_pk_file_read");
    zki_pk_file f;
    zki_status st = zki_pk_read(path, &f);
    if (st == ZKI_OK) {
        memcpy(seed32, f.seed, 32);
        memcpy(vk_digest, f.vk_hash.b, 32);
    }
    zki_pk_file_free(&f);
    return st;
}

zki_status zki_model_run(const zki_model *model, const int64_t *x, uint32_t batch, int64_t **y, float **yf,
                         size_t *per_sample)
{
    if (yf)
        *yf = NULL;
    if (per_sample)
        *per_sample = 0;
    ZKI_API_NEED(y, "zki_model_run");
    *y = NULL;
    ZKI_API_NEED(model, "zki_model_run");
    ZKI_API_NEED(x, "zki_model_run");
    ZKI_API_NEED(per_sample, "zki_model_run");
    const zki_qmodel *m = model->q;
    if (m->n_inputs != 1 || m->n_outputs < 1)
        return zki_fail(ZKI_ERR_UNSUPPORTED, "zki_model_run: the model has %d inputs; only one-input models are "
                        "supported", m->n_inputs);
    if (batch < 1 || batch > ZKI_BATCH_MAX)
        return zki_fail(ZKI_ERR_INPUT, "zki_model_run: batch %u outside [1, %u]", batch, ZKI_BATCH_MAX);
    const zki_qtensor *it = &m->t[m->inputs[0]], *ot = &m->t[m->outputs[0]];
    int64_t per = zki_qnumel(it), on = zki_qnumel(ot);
    int64_t qmax = it->bits >= 64 ? INT64_MAX : ((int64_t)1 << (it->bits - 1)) - 1;
    for (int64_t e = 0; e < per * (int64_t)batch; e++)
        if (x[e] > qmax || x[e] < -qmax)
            return zki_fail(ZKI_ERR_INPUT, "zki_model_run: x[%lld] = %lld is outside the input's range [-%lld, %lld]",
                            (long long)e, (long long)x[e], (long long)qmax, (long long)qmax);
    int64_t *yi = malloc(sizeof(int64_t) * (size_t)(on * batch) + 1);
    float *f = yf ? malloc(sizeof(float) * (size_t)(on * batch) + 1) : NULL;
    if (!yi || (yf && !f)) {
        free(yi);
        free(f);
        return zki_fail(ZKI_ERR_NOMEM, "zki_model_run: out of memory");
    }
    double s = ot->scale > 0 ? ot->scale : 1.0;
    for (uint32_t b = 0; b < batch; b++) {
        int64_t *qin = (int64_t *)(uintptr_t)(x + (int64_t)b * per), **v = NULL;
        zki_status st = zki_qexec(m, &qin, &v);
        if (st != ZKI_OK) {
            free(yi);
            free(f);
            return st;
        }
        for (int64_t e = 0; e < on; e++) {
            yi[b * on + e] = v[m->outputs[0]][e];
            if (f)
                f[b * on + e] = (float)((double)yi[b * on + e] * s);
        }
        zki_qexec_free(m, v);
    }
    *y = yi;
    if (yf)
        *yf = f;
    *per_sample = (size_t)on;
    return ZKI_OK;
}

/* Moves the values of h into a. */
static void array_from_host(zki_host_tensor *h, zki_array *a)
{
    a->rank = (uint32_t)h->rank;
    memcpy(a->dims, h->dims, sizeof a->dims);
    a->dtype = zki_et_name(h->et);
    a->n = (size_t)zki_host_tensor_numel(h);
    a->f = h->f;
    a->i = h->i;
}

zki_status zki_array_load(const char *path, zki_array *a)
{
    ZKI_API_NEED(a, "zki_array_load");
    memset(a, 0, sizeof *a);
    ZKI_API_NEED(path, "zki_array_load");
    zki_host_tensor h;
    zki_status st = zki_tensor_read_any(path, &h);
    if (st != ZKI_OK)
        return st;
    array_from_host(&h, a);
    return ZKI_OK;
}

zki_status zki_array_parse(const void *bytes, size_t len, zki_array *a)
{
    ZKI_API_NEED(a, "zki_array_parse");
    memset(a, 0, sizeof *a);
    ZKI_API_NEED(bytes, "zki_array_parse");
    zki_host_tensor h;
    zki_status st = zki_npy_parse(bytes, len, &h);
    if (st != ZKI_OK)
        return st;
    array_from_host(&h, a);
    return ZKI_OK;
}

void zki_array_clear(zki_array *a)
{
    if (!a)
        return;
    free(a->f);
    free(a->i);
    memset(a, 0, sizeof *a);
}

zki_status zki_array_save(const char *path, const zki_array *a)
{
    ZKI_API_NEED(path, "zki_array_save");
    ZKI_API_NEED(a, "zki_array_save");
    if (a->rank > ZKI_MAX_DIMS)
        return zki_fail(ZKI_ERR_INPUT, "zki_array_save: rank %u over %d", a->rank, ZKI_MAX_DIMS);
    if (!a->f && !a->i)
        return zki_fail(ZKI_ERR_INPUT, "zki_array_save: no values (f and i are NULL)");
    return zki_npy_write(path, (int)a->rank, a->dims, a->f, a->f ? NULL : a->i);
}

zki_status zki_input_batch(const zki_tensor_info *input, uint32_t rank, const int64_t *dims, const char *name,
                           int64_t *batch)
{
    ZKI_API_NEED(batch, "zki_input_batch");
    *batch = 0;
    ZKI_API_NEED(input, "zki_input_batch");
    ZKI_API_NEED(name, "zki_input_batch");
    if (rank > 0)
        ZKI_API_NEED(dims, "zki_input_batch");
    if (input->rank > ZKI_MAX_DIMS || rank > ZKI_MAX_DIMS)
        return zki_fail(ZKI_ERR_INPUT, "zki_input_batch: rank over %d", ZKI_MAX_DIMS);
    char msg[512];
    int64_t b = -1;
    if (zki_input_shape_check((int)input->rank, input->dims, (int)rank, dims, name, &b, msg, sizeof msg))
        return zki_fail(ZKI_ERR_INPUT, "%s", msg);
    *batch = b;
    return ZKI_OK;
}

int64_t zki_quantize_value(double x, double scale, uint32_t bits, int *clamped)
{
    int c = 0;
    int64_t q = 0;
    if (scale > 0 && isfinite(scale) && bits >= 2)
        q = zki_quant_value(x, scale, bits >= 64 ? INT64_MAX : ((int64_t)1 << (bits - 1)) - 1, &c);
    if (clamped)
        *clamped = c;
    return q;
}
