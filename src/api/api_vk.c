/* Verification keys (zkinfer.h "keys") and the key fields the API reads. */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"

zki_status zki_api_input_of(const zki_vk *vk, zki_api_input *in)
{
    const zki_dag *a = &vk->dag;
    in->rank = (int)a->in_rank;
    memcpy(in->dims, a->in_dims, sizeof in->dims);
    in->scale = a->in_scale;
    in->qmax = a->in_bits >= 64 ? INT64_MAX : ((int64_t)1 << (a->in_bits - 1)) - 1;
    int64_t n = 1;
    for (int k = 0; k < in->rank && k < ZKI_QMAX_RANK; k++)
        n *= in->dims[k];
    if (in->rank < 0 || in->rank > ZKI_QMAX_RANK || a->in_bits < 2 || n != (int64_t)zki_vk_input_len(vk))
        return zki_fail(ZKI_ERR_INPUT, "the key's input shape (rank %d, %lld values) does not match its first "
                        "layer's %llu inputs", in->rank, (long long)n, (unsigned long long)zki_vk_input_len(vk));
    return ZKI_OK;
}

double zki_api_out_scale(const zki_vk *vk) { return vk->dag.out_scale; }

const uint8_t *zki_api_vk_digest(const zki_vk *vk) { return vk->vk_hash.b; }

zki_status zki_vk_serialize(const zki_vk *vk, unsigned char **bytes, size_t *len)
{
    ZKI_API_NEED(bytes, "zki_vk_serialize");
    *bytes = NULL;
    ZKI_API_NEED(vk, "zki_vk_serialize");
    ZKI_API_NEED(len, "zki_vk_serialize");
    return zki_vk_to_bytes(vk, bytes, len);
}

zki_status zki_vk_parse(const unsigned char *bytes, size_t len, zki_vk **vk)
{
    ZKI_API_NEED(vk, "zki_vk_parse");
    *vk = NULL;
    ZKI_API_NEED(bytes, "zki_vk_parse");
    zki_vk *v = calloc(1, sizeof *v);
    if (!v)
        return zki_fail(ZKI_ERR_NOMEM, "zki_vk_parse: out of memory");
    zki_status st = zki_vk_from_bytes(v, bytes, len);
    if (st != ZKI_OK) {
        zki_vk_destroy(v);
        return st;
    }
    *vk = v;
    return ZKI_OK;
}

zki_status zki_api_vk_copy(const zki_vk *src, zki_vk **out)
{
    uint8_t *b = NULL;
    size_t n = 0;
    zki_status st = zki_vk_to_bytes(src, &b, &n);
    if (st == ZKI_OK)
        st = zki_vk_parse(b, n, out);
    free(b);
    return st;
}

zki_status zki_vk_load(const char *path, zki_vk **vk)
{
    ZKI_API_NEED(vk, "zki_vk_load");
    *vk = NULL;
    ZKI_API_NEED(path, "zki_vk_load");
    zki_vk *v = calloc(1, sizeof *v);
    if (!v)
        return zki_fail(ZKI_ERR_NOMEM, "zki_vk_load: out of memory");
    zki_status st = zki_vk_read(path, v);
    if (st != ZKI_OK) {
        zki_vk_destroy(v);
        return st;
    }
    *vk = v;
    return ZKI_OK;
}

zki_status zki_vk_save(const zki_vk *vk, const char *path)
{
    ZKI_API_NEED(vk, "zki_vk_save");
    ZKI_API_NEED(path, "zki_vk_save");
    uint8_t *b = NULL;
    size_t n = 0;
    zki_status st = zki_vk_to_bytes(vk, &b, &n); /* before b and n are read */
    return zki_write_serialised(path, st, b, n, ZKI_FILE_PUBLIC);
}

size_t zki_vk_input_size(const zki_vk *vk) { return vk ? (size_t)zki_vk_input_len(vk) : 0; }

size_t zki_vk_output_size(const zki_vk *vk) { return vk ? (size_t)zki_vk_output_len(vk) : 0; }

void zki_vk_destroy(zki_vk *vk)
{
    zki_vk_free(vk);
    free(vk);
}
