/* Prover keys and key generation (zkinfer.h "keys"). */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"

_Static_assert(ZKINFER_ZK_PROOFS_MAX == ZKI_PCS_MAX_COL_BUDGET, "one zero-knowledge proof limit");

zki_status zki_keygen(const zki_model *model, const unsigned char *seed32, zki_pk **pk, zki_vk **vk)
{
    return zki_keygen_opts(model, seed32, NULL, pk, vk);
}

zki_status zki_keygen_opts(const zki_model *model, const unsigned char *seed32, const zki_keygen_options *opts,
                           zki_pk **pk, zki_vk **vk)
{
    if (vk)
        *vk = NULL;
    ZKI_API_NEED(pk, "zki_keygen");
    *pk = NULL;
    ZKI_API_NEED(model, "zki_keygen");
    uint32_t n = opts && opts->zk_proofs ? opts->zk_proofs : ZKINFER_ZK_PROOFS_DEFAULT;
    if (n > ZKINFER_ZK_PROOFS_MAX)
        return zki_fail(ZKI_ERR_INPUT, "zki_keygen: zk_proofs %u above %u", n, ZKINFER_ZK_PROOFS_MAX);
    zki_pk *p = NULL;
    zki_status st = zki_setup_zk(model->q, seed32, n, &p);
    if (st != ZKI_OK)
        return st;
    if (vk && (st = zki_api_vk_copy(&p->vk, vk)) != ZKI_OK) {
        zki_pk_free(p);
        return st;
    }
    *pk = p;
    return ZKI_OK;
}

zki_status zki_pk_save(const zki_pk *pk, const char *path)
{
    ZKI_API_NEED(pk, "zki_pk_save");
    ZKI_API_NEED(path, "zki_pk_save");
    uint8_t *b = NULL;
    size_t n = 0;
    zki_status st = zki_pk_to_bytes(pk, &b, &n); /* before b and n are read */
    return zki_write_serialised(path, st, b, n, ZKI_FILE_SECRET);
}

zki_status zki_pk_load(const zki_model *model, const char *path, zki_pk **pk)
{
    ZKI_API_NEED(pk, "zki_pk_load");
    *pk = NULL;
    ZKI_API_NEED(model, "zki_pk_load");
    ZKI_API_NEED(path, "zki_pk_load");
    zki_pk_file f;
    zki_status st = zki_pk_read(path, &f);
    zki_pk *p = NULL;
    if (st == ZKI_OK)
        st = zki_setup_saved(model->q, &f, &p);
    zki_digest want = f.vk_hash;
    zki_pk_file_free(&f);
    if (st != ZKI_OK)
        return st;
    if (memcmp(want.b, zki_api_vk_digest(&p->vk), sizeof want.b)) {
        zki_pk_free(p);
        return zki_fail(ZKI_ERR_INPUT, "prover key '%s' was made for another model: compile this "
                        "model again to make its keys", path);
    }
    *pk = p;
    return ZKI_OK;
}

const zki_vk *zki_pk_vk(const zki_pk *pk) { return pk ? &pk->vk : NULL; }

void zki_pk_destroy(zki_pk *pk) { zki_pk_free(pk); }
