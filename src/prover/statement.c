#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "poly/mle.h"
#include "prover/prover.h"

void zki_requant_params_of(const zki_dag_node *L, zki_requant_params *p)
{
    p->M = L->M;
    p->s = L->s;
    p->lo = L->lo;
    p->hi = L->hi;
    p->q_log = L->q_log;
}

void zki_advice_layout_free(zki_advice_layout *lay)
{
    free(lay->nv);
    zki_pack_free(&lay->pack);
    free(lay->q);
    free(lay->y);
    free(lay->limb);
    free(lay->n_limbs);
    free(lay->map_of);
    free(lay->map_layer);
    free(lay->m);
    memset(lay, 0, sizeof(*lay));
}

zki_status zki_advice_layout_init(zki_advice_layout *lay, const zki_dag *a, uint32_t B,
                                  int private_input)
{
    memset(lay, 0, sizeof(*lay));
    uint32_t L = a->n_nodes;
    size_t cap = 6 * (size_t)L + 2;
    lay->nv = calloc(cap, sizeof(size_t));
    lay->q = calloc(L, sizeof(uint32_t));
    lay->y = calloc(L, sizeof(uint32_t));
    lay->limb = calloc(4 * (size_t)L, sizeof(uint32_t));
    lay->n_limbs = calloc(L, sizeof(uint32_t));
    lay->map_of = calloc(L, sizeof(uint32_t));
    lay->map_layer = calloc(L, sizeof(uint32_t));
    lay->m = calloc((size_t)L + 1, sizeof(uint32_t));
    if (!lay->nv || !lay->q || !lay->y || !lay->limb || !lay->n_limbs || !lay->map_of ||
        !lay->map_layer || !lay->m) {
        zki_advice_layout_free(lay);
        return zki_fail(ZKI_ERR_NOMEM, "advice layout");
    }
    uint32_t n = 0;
    for (uint32_t l = 0; l < L; l++) {
        const zki_dag_node *Ly = &a->nodes[l];
        size_t len = zki_log2_ceil(B) + zki_log2_ceil(Ly->N);
        if (Ly->kind == ZKI_NODE_CONCAT) {
            /* nothing committed: claims on its map pass to its inputs */
            lay->q[l] = lay->y[l] = lay->map_of[l] = ZKI_NONE;
            lay->n_limbs[l] = 0;
            for (uint32_t i = 0; i < 4; i++)
                lay->limb[4 * l + i] = ZKI_NONE;
            continue;
        }
        if (Ly->kind == ZKI_NODE_MAXPOOL) {
            /* the pooled map, and the window differences D_j in limb[4l + j] */
            zki_maxpool_dims pd;
            zki_status st = zki_dag_pool_dims(Ly, B, &pd);
            if (st) {
                zki_advice_layout_free(lay);
                return st;
            }
            lay->q[l] = ZKI_NONE;
            if (l + 1 < L) {
                lay->y[l] = n;
                lay->nv[n++] = len;
            } else { /* the public output */
                lay->y[l] = ZKI_NONE;
            }
            lay->n_limbs[l] = 0;
            lay->map_of[l] = ZKI_NONE;
            for (uint32_t i = 0; i < 4; i++) {
                lay->limb[4 * l + i] = i < pd.J ? n : ZKI_NONE;
                if (i < pd.J)
                    lay->nv[n++] = len;
            }
            continue;
        }
        lay->q[l] = n;
        lay->nv[n++] = len;
        if (l + 1 < L) {
            lay->y[l] = n;
            lay->nv[n++] = len;
        } else {
            lay->y[l] = ZKI_NONE;
        }
        lay->n_limbs[l] = zki_requant_n_limbs(Ly->s);
        for (uint32_t i = 0; i < 4; i++)
            lay->limb[4 * l + i] = ZKI_NONE;
        for (uint32_t i = 1; i < lay->n_limbs[l]; i++) {
            lay->limb[4 * l + i] = n;
            lay->nv[n++] = len;
        }
        /* mapping instances: one per distinct (lo, hi, q_log) */
        uint32_t j;
        for (j = 0; j < lay->n_maps; j++) {
            const zki_dag_node *F = &a->nodes[lay->map_layer[j]];
            if (F->lo == Ly->lo && F->hi == Ly->hi && F->q_log == Ly->q_log)
                break;
        }
        if (j == lay->n_maps)
            lay->map_layer[lay->n_maps++] = l;
        lay->map_of[l] = j;
    }
    lay->m[0] = n;
    lay->nv[n++] = 16;
    for (uint32_t j = 0; j < lay->n_maps; j++) {
        lay->m[1 + j] = n;
        lay->nv[n++] = a->nodes[lay->map_layer[j]].q_log;
    }
    lay->x0 = ZKI_NONE;
    if (private_input) {
        lay->x0 = n;
        lay->nv[n++] = zki_log2_ceil(B) + zki_log2_ceil(a->nodes[0].K);
    }
    lay->n = n;
    zki_status st = zki_pack_init(&lay->pack, lay->nv, n);
    if (st)
        zki_advice_layout_free(lay);
    return st;
}

zki_status zki_input_range_sites(zki_lookup *range16, const zki_dag *a, uint32_t B, const int64_t *x0p)
{
    size_t len = (size_t)B << zki_log2_ceil(a->nodes[0].K);
    int64_t h = (int64_t)1 << (a->in_bits - 1);
    /* x + 2^(b-1) >= 0 and 2^(b-1) - 1 - x >= 0, both below 2^16 */
    zki_lk_col lo = {h, 1, {1}, {ZKI_ID_X0(a)}, {x0p}}, hi = {h - 1, 1, {-1}, {ZKI_ID_X0(a)}, {x0p}};
    zki_status st = zki_lookup_add_site(range16, "private input (low)", len, &lo, 1);
    if (!st)
        st = zki_lookup_add_site(range16, "private input (high)", len, &hi, 1);
    return st;
}

zki_status zki_pool_range_sites(zki_lookup *range16, const zki_dag *a, uint32_t l, uint32_t B,
                                const int64_t *diffs)
{
    zki_maxpool_dims pd;
    zki_status st = zki_dag_pool_dims(&a->nodes[l], B, &pd);
    size_t len = (size_t)B << zki_log2_ceil(a->nodes[l].N);
    char name[48];
    for (uint32_t j = 0; !st && j < pd.J; j++) {
        zki_lk_col c = zki_lk_col_plain(8u * l + 3 + j, diffs ? diffs + j * len : NULL);
        snprintf(name, sizeof(name), "layer %u pool difference %u", l, j);
        st = zki_lookup_add_site(range16, name, len, &c, 1);
    }
    return st;
}

zki_status zki_model_lookup_sites(zki_model_lookups *ml, const zki_dag *a, const zki_advice_layout *lay,
                                  uint32_t B, int private_input)
{
    zki_lookup **lk = ml->lk;
    zki_status st = ZKI_OK;
    for (uint32_t l = 0; !st && l < a->n_nodes; l++) {
        if (a->nodes[l].kind == ZKI_NODE_CONCAT)
            continue;
        if (a->nodes[l].kind == ZKI_NODE_MAXPOOL) {
            st = zki_pool_range_sites(lk[0], a, l, B, NULL);
            continue;
        }
        zki_requant_params p;
        zki_requant_params_of(&a->nodes[l], &p);
        uint32_t id = 8u * l; /* acc, q, y, then limbs 1.. at y + i */
        zki_requant_ids ids = {id, id + 1, id + 2, {0, id + 3, id + 4, id + 5}};
        char name[32];
        snprintf(name, sizeof(name), "layer %u", l);
        size_t n = (size_t)B << zki_log2_ceil(a->nodes[l].N);
        st = zki_requant_add_sites(&p, NULL, NULL, n, &ids, lk[0], lk[1 + lay->map_of[l]], name);
    }
    if (!st && private_input)
        st = zki_input_range_sites(lk[0], a, B, NULL);
    return st;
}

uint32_t zki_advice_of_tensor(const zki_advice_layout *lay, const zki_dag *a, uint32_t id)
{
    uint32_t L = a->n_nodes;
    if (id == ZKI_ID_X0(a))
        return lay->x0;
    if (id >= 8 * L) {
        uint32_t j = id - 8 * L;
        return j <= lay->n_maps ? lay->m[j] : ZKI_NONE;
    }
    uint32_t l = id / 8, k = id % 8;
    if (a->nodes[l].kind == ZKI_NODE_CONCAT)
        return ZKI_NONE;
    if (a->nodes[l].kind == ZKI_NODE_MAXPOOL) /* y, then D_j = 8l + 3 + j */
        return k == 2 ? lay->y[l] : k >= 3 && k <= 6 ? lay->limb[4 * l + (k - 3)] : ZKI_NONE;
    if (k == 1)
        return lay->q[l];
    if (k == 2)
        return lay->y[l];
    if (k >= 3 && k <= 5)
        return lay->limb[4 * l + (k - 2)];
    return ZKI_NONE;
}

zki_fe *zki_int_table(const int64_t *m, uint64_t rows, uint64_t cols, size_t lr, size_t lc)
{
    zki_fe *t = calloc((size_t)1 << (lr + lc), sizeof(zki_fe));
    if (!t)
        return NULL;
    for (uint64_t r = 0; r < rows; r++)
        for (uint64_t c = 0; c < cols; c++)
            t[(r << lc) + c] = zki_fe_from_i64(m[r * cols + c]);
    return t;
}

zki_status zki_statement_bind(zki_transcript *t, const zki_vk *vk, uint32_t B, int private_input,
                              const int64_t *X, const int64_t *Y, const zki_pcs_commitment *acom)
{
    zki_status st = zki_ts_init(t, ZKI_PROOF_PROTOCOL, ZKI_PROOF_VERSION);
    if (st)
        return st;
    const zki_dag *a = &vk->dag;
    zki_ts_absorb_digest(t, "vk", &vk->vk_hash);
    zki_ts_absorb_u64(t, "batch", B);
    zki_ts_absorb_u64(t, "private_input", private_input ? 1 : 0);
    uint64_t kin = (uint64_t)B * zki_dag_in_len(a), nout = (uint64_t)B * zki_dag_out_len(a);
    zki_fe *buf = malloc(sizeof(zki_fe) * (kin > nout ? kin : nout));
    if (!buf) {
        zki_ts_free(t);
        return zki_fail(ZKI_ERR_NOMEM, "statement");
    }
    if (!private_input) {
        for (uint64_t i = 0; i < kin; i++)
            buf[i] = zki_fe_from_i64(X[i]);
        zki_ts_absorb_fe_vec(t, "input", buf, kin);
    }
    for (uint64_t i = 0; i < nout; i++)
        buf[i] = zki_fe_from_i64(Y[i]);
    zki_ts_absorb_fe_vec(t, "output", buf, nout);
    free(buf);
    uint8_t *cb;
    size_t cl;
    if ((st = zki_pcs_commitment_to_bytes(acom, &cb, &cl))) {
        zki_ts_free(t);
        return st;
    }
    zki_ts_absorb_bytes(t, "advice", cb, cl);
    free(cb);
    return ZKI_OK;
}

zki_status zki_claim_layer_output(const zki_dag *a, const zki_advice_layout *lay, uint32_t B, uint32_t j,
                                  const zki_ext *pt, zki_ext v, zki_seg_claims *ca, zki_ledger *led)
{
    if (a->nodes[j].kind == ZKI_NODE_CONCAT)
        return zki_ledger_add(led, ZKI_ID_MAP(j), pt, zki_log2_ceil(B) + zki_log2_ceil(a->nodes[j].N), v);
    return zki_seg_claims_add(ca, lay->y[j], pt, v);
}

zki_status zki_model_lookups_init(zki_model_lookups *ml, const zki_dag *a, const zki_advice_layout *lay)
{
    memset(ml, 0, sizeof(*ml));
    ml->n = 1 + lay->n_maps;
    ml->n_maps = lay->n_maps;
    ml->maps = calloc(lay->n_maps ? lay->n_maps : 1, sizeof(zki_lookup_table));
    ml->lk = calloc(ml->n, sizeof(zki_lookup *));
    if (!ml->maps || !ml->lk) {
        zki_model_lookups_free(ml);
        return zki_fail(ZKI_ERR_NOMEM, "lookup instances");
    }
    uint64_t m0 = 8ull * a->n_nodes;
    zki_status st = zki_lookup_table_range(&ml->range, 16, 0);
    if (!st)
        st = zki_lookup_new(&ml->lk[0], &ml->range, (uint32_t)m0);
    for (uint32_t j = 0; !st && j < lay->n_maps; j++) {
        zki_requant_params p;
        zki_requant_params_of(&a->nodes[lay->map_layer[j]], &p);
        st = zki_requant_table(&ml->maps[j], &p);
        if (!st)
            st = zki_lookup_new(&ml->lk[1 + j], &ml->maps[j], (uint32_t)(m0 + 1 + j));
    }
    if (st)
        zki_model_lookups_free(ml);
    return st;
}

void zki_model_lookups_free(zki_model_lookups *ml)
{
    if (ml->lk)
        for (uint32_t j = 0; j < ml->n; j++)
            zki_lookup_free(ml->lk[j]);
    if (ml->maps)
        for (uint32_t j = 0; j < ml->n_maps; j++)
            zki_lookup_table_free(&ml->maps[j]);
    zki_lookup_table_free(&ml->range);
    free(ml->maps);
    free(ml->lk);
    memset(ml, 0, sizeof(*ml));
}

zki_status zki_input_digest(const int64_t *X, uint32_t B, uint64_t in_len, zki_digest *out)
{
    zki_sha256_ctx *c = zki_sha256_new();
    if (!c)
        return zki_fail(ZKI_ERR_NOMEM, "input digest");
    uint8_t b[8];
    for (int k = 0; k < 4; k++)
        b[k] = (uint8_t)(B >> (8 * k));
    zki_sha256_update(c, "zkinfer input", 13);
    zki_sha256_update(c, b, 4);
    for (uint64_t i = 0; i < (uint64_t)B * in_len; i++) {
        for (int k = 0; k < 8; k++)
            b[k] = (uint8_t)((uint64_t)X[i] >> (8 * k));
        zki_sha256_update(c, b, 8);
    }
    zki_sha256_final(c, out);
    zki_sha256_free(c);
    return ZKI_OK;
}

zki_status zki_proof_check_key(const zki_proof *p, const zki_vk *vk)
{
    if (!memcmp(p->vk_hash.b, vk->vk_hash.b, ZKI_DIGEST_LEN))
        return ZKI_OK;
    char hp[17], hk[17];
    zki_digest_hex(&p->vk_hash, 8, hp);
    zki_digest_hex(&vk->vk_hash, 8, hk);
    return zki_fail(ZKI_ERR_VERIFY, "this proof is for another model (the proof's key digest %s..., "
                    "the given key's %s...): verify with the .vk written with the model it was proved on", hp, hk);
}

zki_status zki_proof_check_input(const zki_proof *p, const zki_vk *vk, const int64_t *X, uint32_t B)
{
    if (!X || p->private_input || p->B != B)
        return ZKI_OK; /* the caller's other checks name these cases */
    zki_digest d;
    zki_status st = zki_input_digest(X, B, zki_dag_in_len(&vk->dag), &d);
    if (st || !memcmp(d.b, p->in_digest.b, ZKI_DIGEST_LEN))
        return st;
    char hp[17], hx[17];
    zki_digest_hex(&p->in_digest, 8, hp);
    zki_digest_hex(&d, 8, hx);
    return zki_fail(ZKI_ERR_VERIFY, "this proof is for another input (the proof's input digest %s..., "
                    "the given input's %s...)", hp, hx);
}
