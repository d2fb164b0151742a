#include "prover/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"
#include "common/error.h"
#include "graph/refusals.h"
#include "onnx/onnx.h"
#include "poly/mle.h"
#include "prover/bytes.h"
#include "prover/vk_cost.h"
#include "prover/wlayout.h"
#include "gadgets/gadget.h"
#include "prover/lower.h"

static const char vk_magic[8] = {'Z', 'K', 'I', 'N', 'F', 'V', 'K', 0};
static const char pk_magic[8] = {'Z', 'K', 'I', 'N', 'F', 'P', 'K', 0};

/* vk head 24 (magic, version, three lengths), arch (arch_write), commitment
 * (zki_pcs_commitment_to_bytes) at their largest: see keys.h. */
_Static_assert(24 + 164 + (120 + 12 * (uint64_t)ZKI_DAG_MAX_IN) * (uint64_t)ZKI_DAG_MAX_NODES + 72 + 8 * (uint64_t)ZKI_PCS_MAX_POLYS <=
                   ZKI_VK_MAX_FILE_BYTES,
               "ZKI_VK_MAX_FILE_BYTES is below the largest valid key");

void zki_dag_free(zki_dag *a)
{
    if (!a)
        return;
    free(a->nodes);
    memset(a, 0, sizeof(*a));
}

zki_status zki_dag_conv_dims(const zki_dag_node *L, uint32_t B, zki_conv_dims *d)
{
    return zki_conv_dims_init(d, B, L->C, L->H, L->W, L->OC, L->KH, L->KW, L->sh, L->sw, L->dh, L->dw,
                              L->pt, L->pl, L->pb, L->pr, L->G, (int)L->has_bias);
}

zki_status zki_dag_pool_dims(const zki_dag_node *L, uint32_t B, zki_maxpool_dims *d)
{
    zki_status st = zki_maxpool_dims_init(d, B, L->C, L->H, L->W, L->KH, L->KW, L->sh, L->sw, L->dh, L->dw, L->pt,
                                          L->pl, L->pb, L->pr);
    /* pads read as the map's minimum: they never win (the ONNX max) */
    if (!st && L->out_bits >= 2 && L->out_bits <= 32)
        d->pad_value = -((int64_t)1 << (L->out_bits - 1));
    return st;
}

int zki_dag_out_map(const zki_dag_node *L, uint32_t *C, uint32_t *H, uint32_t *W)
{
    if (L->kind == ZKI_NODE_CONV) {
        zki_conv_dims cd;
        if (zki_dag_conv_dims(L, 1, &cd))
            return 0;
        *C = (uint32_t)cd.OC, *H = (uint32_t)cd.OH, *W = (uint32_t)cd.OW;
        return 1;
    }
    if (L->kind == ZKI_NODE_MAXPOOL) {
        zki_maxpool_dims pd;
        if (zki_dag_pool_dims(L, 1, &pd))
            return 0;
        *C = (uint32_t)pd.C, *H = (uint32_t)pd.OH, *W = (uint32_t)pd.OW;
        return 1;
    }
    if (L->kind == ZKI_NODE_ADD || L->kind == ZKI_NODE_CONCAT) {
        *C = L->C, *H = L->H, *W = L->W;
        return 1;
    }
    return 0;
}

uint64_t zki_dag_out_len(const zki_dag *a)
{
    const zki_dag_node *L = &a->nodes[a->n_nodes - 1];
    uint32_t c, h, w;
    if (L->kind != ZKI_NODE_LINEAR && zki_dag_out_map(L, &c, &h, &w))
        return (uint64_t)c * h * w;
    return L->N;
}

uint64_t zki_vk_input_len(const zki_vk *vk) { return zki_dag_in_len(&vk->dag); }
uint64_t zki_vk_output_len(const zki_vk *vk) { return zki_dag_out_len(&vk->dag); }

uint64_t zki_dag_in_len(const zki_dag *a)
{
    const zki_dag_node *L = &a->nodes[0];
    return L->kind == ZKI_NODE_CONV ? (uint64_t)L->C * L->H * L->W : L->K;
}

void zki_map_scatter(int64_t *dst, const int64_t *src, uint64_t B, uint64_t C, uint64_t H,
                     uint64_t W)
{
    size_t lc = zki_log2_ceil(C), lh = zki_log2_ceil(H), lw = zki_log2_ceil(W);
    memset(dst, 0, sizeof(int64_t) * (B << (lc + lh + lw)));
    for (uint64_t b = 0; b < B; b++)
        for (uint64_t c = 0; c < C; c++)
            for (uint64_t y = 0; y < H; y++)
                memcpy(dst + ((((b << lc) | c) << lh | y) << lw), src + ((b * C + c) * H + y) * W,
                       sizeof(int64_t) * W);
}

void zki_map_gather(int64_t *dst, const int64_t *src, uint64_t B, uint64_t C, uint64_t H,
                    uint64_t W)
{
    size_t lc = zki_log2_ceil(C), lh = zki_log2_ceil(H), lw = zki_log2_ceil(W);
    for (uint64_t b = 0; b < B; b++)
        for (uint64_t c = 0; c < C; c++)
            for (uint64_t y = 0; y < H; y++)
                memcpy(dst + ((b * C + c) * H + y) * W, src + ((((b << lc) | c) << lh | y) << lw),
                       sizeof(int64_t) * W);
}

int64_t *zki_dag_pad_input(const zki_dag *a, const int64_t *X, uint32_t B)
{
    const zki_dag_node *L = &a->nodes[0];
    uint64_t kp = (uint64_t)1 << zki_log2_ceil(L->K);
    int64_t *x = calloc((size_t)B * kp, sizeof(int64_t));
    if (!x)
        return NULL;
    if (L->kind == ZKI_NODE_CONV)
        zki_map_scatter(x, X, B, L->C, L->H, L->W);
    else
        for (uint64_t b = 0; b < B; b++)
            memcpy(x + b * kp, X + b * L->K, sizeof(int64_t) * L->K);
    return x;
}

zki_status zki_dag_from_qmodel(const zki_qmodel *m, zki_dag *a) { return zki_dag_lower(m, a, NULL); }

static void dag_write(zki_wbuf *w, const zki_dag *a)
{
    zki_wb_u32(w, a->n_nodes);
    zki_wb_u32(w, a->in_bits);
    zki_wb_u32(w, a->out_bits);
    zki_wb_u32(w, a->in_rank);
    for (uint32_t i = 0; i < a->in_rank; i++)
        zki_wb_i64(w, a->in_dims[i]);
    zki_wb_u32(w, a->out_rank);
    for (uint32_t i = 0; i < a->out_rank; i++)
        zki_wb_i64(w, a->out_dims[i]);
    zki_wb_f64(w, a->in_scale);
    zki_wb_f64(w, a->out_scale);
    for (uint32_t l = 0; l < a->n_nodes; l++) {
        const zki_dag_node *L = &a->nodes[l];
        zki_wb_u32(w, L->K);
        zki_wb_u32(w, L->N);
        zki_wb_u32(w, L->has_bias);
        zki_wb_u32(w, L->w_bits);
        zki_wb_u32(w, L->out_bits);
        zki_wb_u32(w, L->s);
        zki_wb_i64(w, L->M);
        zki_wb_i64(w, L->lo);
        zki_wb_i64(w, L->hi);
        zki_wb_u32(w, L->q_log);
        const uint32_t g[16] = {L->kind, L->C, L->H, L->W, L->OC, L->KH, L->KW, L->sh,
                                L->sw, L->dh, L->dw, L->pt, L->pl, L->pb, L->pr, L->G};
        for (int i = 0; i < 16; i++)
            zki_wb_u32(w, g[i]);
        zki_wb_u32(w, L->n_in);
        for (uint32_t i = 0; i < L->n_in; i++)
            zki_wb_u32(w, L->in[i]);
        if (L->kind == ZKI_NODE_ADD)
            for (uint32_t i = 0; i < L->n_in; i++)
                zki_wb_i64(w, L->mul[i]);
    }
}

/* The checks every node passes whatever its kind: inputs are earlier
 * tensors; the model input is read in one layout, node 0's. */
static zki_status node_inputs_check(const zki_dag *a, uint32_t j)
{
    const zki_dag_node *L = &a->nodes[j], *F = &a->nodes[0];
    if (L->n_in < 1 || L->n_in > ZKI_DAG_MAX_IN)
        return zki_fail(ZKI_ERR_INPUT, "vk: node %u reads %u tensors", j, L->n_in);
    for (uint32_t i = 0; i < L->n_in; i++) {
        if (L->in[i] > j)
            return zki_fail(ZKI_ERR_INPUT, "vk: node %u reads tensor %u, not an earlier one", j, L->in[i]);
        if (L->in[i] == 0 && (L->kind != F->kind || L->K != F->K || L->C != F->C || L->H != F->H ||
                              L->W != F->W || (L->kind != ZKI_NODE_LINEAR && L->kind != ZKI_NODE_CONV)))
            return zki_fail(ZKI_ERR_INPUT, "vk: node %u reads the input in another layout than node 0", j);
    }
    if (j == 0 && (L->n_in != 1 || L->in[0] != 0))
        return zki_fail(ZKI_ERR_INPUT, "vk: node 0 does not read the input");
    return ZKI_OK;
}

zki_status zki_dag_check(const zki_dag *a)
{
    zki_status st = ZKI_OK;
    for (uint32_t j = 0; !st && j < a->n_nodes; j++) {
        const zki_dag_node *L = &a->nodes[j];
        const zki_gadget *g = zki_gadget_of(L->kind);
        if (!g)
            return zki_fail(ZKI_ERR_INPUT, "vk: node %u has unknown kind %u", j, L->kind);
        if (L->K < 1 || L->K > ZKI_DAG_MAX_DIM || L->N < 1 || L->N > ZKI_DAG_MAX_DIM || L->out_bits < 2 ||
            L->out_bits > 16)
            return zki_fail(ZKI_ERR_INPUT, "vk: node %u: sizes out of range", j);
        if (!(st = node_inputs_check(a, j)))
            st = g->key_check(a, j);
    }
    if (!st && (a->nodes[a->n_nodes - 1].kind == ZKI_NODE_CONCAT))
        st = zki_fail(ZKI_ERR_INPUT, "vk: the output node is a concat");
    if (!st) {
        int64_t out_n = 1;
        for (uint32_t i = 0; i < a->out_rank; i++)
            out_n *= a->out_dims[i];
        int64_t in_n = 1;
        for (uint32_t i = 0; i < a->in_rank; i++)
            in_n *= a->in_dims[i];
        if ((int64_t)zki_dag_out_len(a) != out_n || (int64_t)zki_dag_in_len(a) != in_n)
            st = zki_fail(ZKI_ERR_INPUT, "vk: the input or output size differs from the nodes'");
    }
    return st;
}

static zki_status dag_read(zki_rbuf *r, zki_dag *a)
{
    memset(a, 0, sizeof(*a));
#define NEED(c, what)                                                                             \
    do {                                                                                          \
        if (!(c)) {                                                                               \
            zki_dag_free(a);                                                                      \
            return zki_fail(ZKI_ERR_INPUT, "vk: bad DAG at byte %zu: %s", r->pos, what);          \
        }                                                                                         \
    } while (0)
    NEED(zki_rb_u32(r, &a->n_nodes) && a->n_nodes >= 1 && a->n_nodes <= ZKI_DAG_MAX_NODES, "node count");
    NEED(zki_rb_left(r) >= (size_t)a->n_nodes * 124, "truncated nodes");
    NEED(zki_rb_u32(r, &a->in_bits) && a->in_bits >= 2 && a->in_bits <= 16, "input bits");
    NEED(zki_rb_u32(r, &a->out_bits) && a->out_bits >= 2 && a->out_bits <= 16, "output bits");
    NEED(zki_rb_u32(r, &a->in_rank) && a->in_rank <= ZKI_QMAX_RANK, "input rank");
    int64_t in_n = 1, out_n = 1;
    for (uint32_t i = 0; i < a->in_rank; i++) {
        NEED(zki_rb_i64(r, &a->in_dims[i]) && a->in_dims[i] >= 1 && a->in_dims[i] <= ZKI_DAG_MAX_DIM,
             "input dim");
        in_n *= a->in_dims[i];
        NEED(in_n <= ZKI_DAG_MAX_DIM, "input size");
    }
    NEED(zki_rb_u32(r, &a->out_rank) && a->out_rank <= ZKI_QMAX_RANK, "output rank");
    for (uint32_t i = 0; i < a->out_rank; i++) {
        NEED(zki_rb_i64(r, &a->out_dims[i]) && a->out_dims[i] >= 1 && a->out_dims[i] <= ZKI_DAG_MAX_DIM,
             "output dim");
        out_n *= a->out_dims[i];
        NEED(out_n <= ZKI_DAG_MAX_DIM, "output size");
    }
    NEED(zki_rb_f64(r, &a->in_scale) && zki_rb_f64(r, &a->out_scale), "scales");
    a->nodes = calloc(a->n_nodes, sizeof(zki_dag_node));
    NEED(a->nodes, "out of memory");
    for (uint32_t l = 0; l < a->n_nodes; l++) {
        zki_dag_node *L = &a->nodes[l];
        NEED(zki_rb_u32(r, &L->K) && zki_rb_u32(r, &L->N) && zki_rb_u32(r, &L->has_bias) &&
                 zki_rb_u32(r, &L->w_bits) && zki_rb_u32(r, &L->out_bits) && zki_rb_u32(r, &L->s) &&
                 zki_rb_i64(r, &L->M) && zki_rb_i64(r, &L->lo) && zki_rb_i64(r, &L->hi) &&
                 zki_rb_u32(r, &L->q_log),
             "truncated node");
        uint32_t *g[16] = {&L->kind, &L->C, &L->H, &L->W, &L->OC, &L->KH, &L->KW, &L->sh,
                           &L->sw, &L->dh, &L->dw, &L->pt, &L->pl, &L->pb, &L->pr, &L->G};
        for (int i = 0; i < 16; i++)
            NEED(zki_rb_u32(r, g[i]), "truncated node geometry");
        NEED(zki_rb_u32(r, &L->n_in) && L->n_in >= 1 && L->n_in <= ZKI_DAG_MAX_IN, "node input count");
        for (uint32_t i = 0; i < L->n_in; i++)
            NEED(zki_rb_u32(r, &L->in[i]), "truncated node inputs");
        for (uint32_t i = 0; L->kind == ZKI_NODE_ADD && i < L->n_in; i++)
            NEED(zki_rb_i64(r, &L->mul[i]), "truncated add multipliers");
    }
#undef NEED
    zki_status st = zki_dag_check(a);
    if (st)
        zki_dag_free(a);
    return st;
}

zki_status zki_vk_to_bytes(const zki_vk *vk, uint8_t **out, size_t *len)
{
    zki_wbuf w = {0};
    zki_wbuf ab = {0};
    dag_write(&ab, &vk->dag);
    uint8_t *cb = NULL;
    size_t cl = 0;
    zki_status st = zki_pcs_commitment_to_bytes(&vk->wcom, &cb, &cl);
    if (st) {
        free(ab.p);
        return st;
    }
    zki_wb_put(&w, vk_magic, 8);
    zki_wb_u32(&w, ZKI_VK_VERSION);
    zki_wb_u32(&w, (uint32_t)ab.n);
    zki_wb_put(&w, ab.p, ab.n);
    zki_wb_u32(&w, vk->grind_bits);
    zki_wb_u32(&w, (uint32_t)cl);
    zki_wb_put(&w, cb, cl);
    free(ab.p);
    free(cb);
    if (w.oom || ab.oom) {
        free(w.p);
        return zki_fail(ZKI_ERR_NOMEM, "vk: serialising");
    }
    *out = w.p;
    *len = w.n;
    return ZKI_OK;
}

void zki_vk_free(zki_vk *vk)
{
    if (!vk)
        return;
    zki_dag_free(&vk->dag);
    zki_pcs_commitment_free(&vk->wcom);
    zki_pack_free(&vk->wpack);
    free(vk->w_seg);
    free(vk->b_seg);
    memset(vk, 0, sizeof(*vk));
}

static zki_status vk_finish(zki_vk *vk)
{
    zki_wbuf ab = {0};
    dag_write(&ab, &vk->dag);
    if (ab.oom)
        return zki_fail(ZKI_ERR_NOMEM, "vk: arch");
    zki_sha256(&vk->dag_hash, ab.p, ab.n);
    free(ab.p);
    uint8_t *b;
    size_t n;
    zki_status st = zki_vk_to_bytes(vk, &b, &n);
    if (st)
        return st;
    zki_sha256(&vk->vk_hash, b, n);
    free(b);
    return ZKI_OK;
}

zki_status zki_vk_from_bytes(zki_vk *vk, const uint8_t *in, size_t len)
{
    memset(vk, 0, sizeof(*vk));
    zki_rbuf r = {in, len, 0};
    char mg[8];
    uint32_t ver = 0, al = 0, cl = 0;
    if (!zki_rb_get(&r, mg, 8) || memcmp(mg, vk_magic, 8))
        return zki_fail(ZKI_ERR_INPUT, "vk: not a zkinfer verification key (magic)");
    if (!zki_rb_u32(&r, &ver) || ver != ZKI_VK_VERSION)
        return zki_fail(ZKI_ERR_INPUT, "vk: version %u, this build reads %u", ver, ZKI_VK_VERSION);
    if (!zki_rb_u32(&r, &al) || al > zki_rb_left(&r))
        return zki_fail(ZKI_ERR_INPUT, "vk: architecture length at byte 12 beyond the file");
    zki_rbuf ar = {in + r.pos, al, 0};
    zki_status st = dag_read(&ar, &vk->dag);
    if (st)
        return st;
    if (ar.pos != al) {
        zki_vk_free(vk);
        return zki_fail(ZKI_ERR_INPUT, "vk: %zu trailing architecture bytes", al - ar.pos);
    }
    r.pos += al;
    if (!zki_rb_u32(&r, &vk->grind_bits) || vk->grind_bits > ZKI_PCS_MAX_GRIND) {
        zki_vk_free(vk);
        return zki_fail(ZKI_ERR_INPUT, "vk: grind_bits at byte %zu missing or above %u", r.pos - 4,
                        ZKI_PCS_MAX_GRIND);
    }
    if (!zki_rb_u32(&r, &cl) || cl != zki_rb_left(&r)) {
        zki_vk_free(vk);
        return zki_fail(ZKI_ERR_INPUT, "vk: commitment length at byte %zu does not match the file", r.pos);
    }
    st = zki_pcs_commitment_from_bytes(&vk->wcom, in + r.pos, cl);
    if (st) {
        memset(&vk->wcom, 0, sizeof(vk->wcom));
        zki_vk_free(vk);
        return st;
    }
    /* the commitment must hold exactly the tables the architecture implies */
    if ((st = zki_vk_layout(vk))) {
        zki_vk_free(vk);
        return st;
    }
    /* ... with exactly the parameters (rate, width, queries, grinding) the
     * key fixes: they set the verifier's cost and the soundness level */
    uint64_t lens[3];
    uint32_t nt = zki_vk_weight_lens(vk, lens);
    zki_pcs_params wp;
    zki_key_pcs_params(vk, 0, &wp);
    if ((st = zki_pcs_commitment_expect(&vk->wcom, &wp, lens, nt, ZKI_ERR_INPUT, "vk: weight commitment"))) {
        zki_vk_free(vk);
        return st;
    }
    /* what verifying with this key may cost is bounded, before any proof */
    if ((st = zki_vk_cost_check(vk))) {
        zki_vk_free(vk);
        return st;
    }
    st = vk_finish(vk);
    if (st)
        zki_vk_free(vk);
    return st;
}

zki_status zki_vk_write(const zki_vk *vk, const char *path)
{
    uint8_t *b = NULL;
    size_t n = 0;
    zki_status st = zki_vk_to_bytes(vk, &b, &n);
    return zki_write_serialised(path, st, b, n, ZKI_FILE_PUBLIC);
}

zki_status zki_vk_read(const char *path, zki_vk *vk)
{
    uint8_t *b;
    size_t n;
    zki_status st = zki_read_file(path, ZKI_VK_MAX_FILE_BYTES, &b, &n);
    if (st)
        return st;
    st = zki_vk_from_bytes(vk, b, n);
    free(b);
    return st;
}

zki_status zki_pk_seed_to_bytes(const zki_pk *pk, uint8_t **out, size_t *len)
{
    zki_wbuf w = {0};
    zki_wb_put(&w, pk_magic, 8);
    zki_wb_u32(&w, ZKI_PK_VERSION);
    zki_wb_put(&w, pk->seed, 32);
    zki_wb_put(&w, pk->vk.vk_hash.b, 32);
    if (w.oom) {
        free(w.p);
        return zki_fail(ZKI_ERR_NOMEM, "pk");
    }
    *out = w.p;
    *len = w.n;
    return ZKI_OK;
}

zki_status zki_pk_write_seed(const zki_pk *pk, const char *path)
{
    uint8_t *b = NULL;
    size_t n = 0;
    zki_status st = zki_pk_seed_to_bytes(pk, &b, &n);
    /* the seed holds the hiding randomness: never readable by others */
    return zki_write_serialised(path, st, b, n, ZKI_FILE_SECRET);
}

zki_status zki_pk_read_seed(const char *path, uint8_t seed[32], zki_digest *vk_hash)
{
    uint8_t *b;
    size_t n;
    zki_status st = zki_read_file(path, ZKI_PK_FILE_BYTES, &b, &n);
    if (st)
        return st;
    uint32_t ver = 0;
    zki_rbuf r = {b, n, 0};
    char mg[8];
    int ok = zki_rb_get(&r, mg, 8) && !memcmp(mg, pk_magic, 8) && zki_rb_u32(&r, &ver) &&
             ver == ZKI_PK_VERSION && zki_rb_get(&r, seed, 32) && zki_rb_get(&r, vk_hash->b, 32) &&
             zki_rb_left(&r) == 0;
    free(b);
    if (!ok)
        return zki_fail(ZKI_ERR_INPUT, "%s: not a zkinfer prover key (version %u)", path, ZKI_PK_VERSION);
    return ZKI_OK;
}

static zki_status os_entropy(uint8_t *out, size_t n)
{
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f)
        return zki_fail(ZKI_ERR_IO, "cannot open /dev/urandom");
    size_t r = fread(out, 1, n, f);
    fclose(f);
    if (r != n)
        return zki_fail(ZKI_ERR_IO, "short read from /dev/urandom");
    return ZKI_OK;
}

void zki_pk_free(zki_pk *pk)
{
    if (!pk)
        return;
    zki_pcs_prover_free(pk->wpcs);
    for (uint32_t l = 0; l < pk->vk.dag.n_nodes; l++)
        if (pk->bias)
            free(pk->bias[l]);
    for (uint32_t l = 0; pk->w && l < pk->vk.dag.n_nodes; l++)
        free(pk->w[l]);
    free(pk->w);
    free(pk->bias);
    free(pk->wbig);
    zki_vk_free(&pk->vk);
    free(pk);
}

zki_status zki_setup(const zki_qmodel *m, const uint8_t *seed, zki_pk **out)
{
    *out = NULL;
    zki_status st = zki_qmodel_check(m);
    if (st)
        return st;
    zki_pk *pk = calloc(1, sizeof(*pk));
    if (!pk)
        return zki_fail(ZKI_ERR_NOMEM, "setup");
    int *order = NULL; /* per DAG node, the model node it came from */
    if ((st = zki_dag_lower(m, &pk->vk.dag, &order))) {
        free(pk);
        return st;
    }

    uint32_t L = pk->vk.dag.n_nodes;
    pk->w = calloc(L, sizeof(void *));
    pk->bias = calloc(L, sizeof(int64_t *));
    if (!pk->w || !pk->bias) {
        st = zki_fail(ZKI_ERR_NOMEM, "setup");
        goto fail;
    }
    if (seed)
        memcpy(pk->seed, seed, 32);
    else if ((st = os_entropy(pk->seed, 32)))
        goto fail;
    if ((st = zki_vk_layout(&pk->vk)))
        goto fail;
    size_t es = pk->vk.w_type == ZKI_PCS_I8 ? 1 : 2;
    pk->wbig = calloc(pk->vk.wpack.total, sizeof(int32_t));
    if (!pk->wbig) {
        st = zki_fail(ZKI_ERR_NOMEM, "setup: packed weights (%llu entries)",
                      (unsigned long long)pk->vk.wpack.total);
        goto fail;
    }
    /* each node's constants, from the model node it came from */
    for (uint32_t l = 0; l < L; l++) {
        const zki_qnode *n = &m->nodes[order[l]];
        if (pk->vk.dag.nodes[l].kind == ZKI_NODE_ADD) {
            /* worst |acc| = sum_i |mul_i| 2^(b_i - 1) bounds the quotient */
            zki_dag_node *A = &pk->vk.dag.nodes[l];
            __int128 worst = 0;
            for (uint32_t i = 0; i < A->n_in; i++)
                worst += (__int128)(A->mul[i] < 0 ? -A->mul[i] : A->mul[i])
                         << (zki_walk_bits(&pk->vk.dag, A->in[i]) - 1);
            __int128 qb = (worst >> A->s) + 2;
            uint32_t ql = 2;
            while (ql < ZKI_DAG_MAX_Q_LOG && ((__int128)1 << (ql - 1)) <= qb)
                ql++;
            A->q_log = ql;
            continue;
        }
        if (pk->vk.dag.nodes[l].kind != ZKI_NODE_LINEAR && pk->vk.dag.nodes[l].kind != ZKI_NODE_CONV)
            continue; /* no constants, no requantisation */
        const zki_dag_node *A = &pk->vk.dag.nodes[l];
        /* (Global)AveragePool, REQUANT: unit weights (one per channel and window position) */
        const int64_t *W = n->op == ZKI_QOP_AVGPOOL || n->op == ZKI_QOP_MEAN || n->op == ZKI_QOP_REQUANT
                               ? NULL : m->t[n->in[1]].data;
        /* real rows x columns, and where each entry lands in the gadgets'
         * copy: CONV dense [OC][Cig][KH][KW], LINEAR [N][2^lk] padded */
        uint64_t rows, cols;
        zki_conv_dims cd;
        if (A->kind == ZKI_NODE_CONV) {
            if ((st = zki_dag_conv_dims(A, 1, &cd)))
                goto fail;
            rows = cd.OC;
            cols = cd.Cig * cd.KH * cd.KW;
        } else {
            rows = A->N;
            cols = A->C ? (uint64_t)A->C * A->H * A->W : A->K;
        }
        uint64_t kp = (uint64_t)1 << zki_log2_ceil(A->K);
        pk->w[l] = calloc(A->kind == ZKI_NODE_CONV ? rows * cols : rows * kp, es);
        if (!pk->w[l]) {
            st = zki_fail(ZKI_ERR_NOMEM, "setup: weights of layer %u", l);
            goto fail;
        }
        for (uint64_t r = 0; r < rows; r++)
            for (uint64_t k = 0; k < cols; k++) {
                int64_t v = W ? W[r * cols + k] : 1;
                uint64_t at;
                if (A->kind == ZKI_NODE_CONV) {
                    at = r * cols + k;
                } else if (A->C) {
                    /* flattened map: column (c, y, x) at its padded position */
                    size_t lh = zki_log2_ceil(A->H), lw = zki_log2_ceil(A->W);
                    uint64_t x = k % A->W, y = (k / A->W) % A->H, c = k / ((uint64_t)A->W * A->H);
                    at = r * kp + (((c << lh | y) << lw) | x);
                } else {
                    at = r * kp + k;
                }
                if (es == 1)
                    ((int8_t *)pk->w[l])[at] = (int8_t)v;
                else
                    ((int16_t *)pk->w[l])[at] = (int16_t)v;
            }
        {
            /* worst |acc| over inputs in range bounds the quotient */
            uint32_t ib = zki_walk_bits(&pk->vk.dag, A->in[0]);
            const int64_t *bb = A->has_bias ? m->t[n->in[2]].data : NULL;
            __int128 worst = 0;
            for (uint64_t r = 0; r < rows; r++) {
                __int128 s = 0;
                for (uint64_t k = 0; k < cols; k++) {
                    int64_t w = W ? W[r * cols + k] : 1;
                    s += (__int128)(w < 0 ? -w : w) << (ib - 1);
                }
                if (bb)
                    s += bb[r] < 0 ? -(__int128)bb[r] : bb[r];
                if (s > worst)
                    worst = s;
            }
            __int128 am = A->M < 0 ? -(__int128)A->M : A->M;
            __int128 qb = ((worst * am) >> A->s) + 2;
            uint32_t ql = 2;
            while (ql < ZKI_DAG_MAX_Q_LOG && ((__int128)1 << (ql - 1)) <= qb)
                ql++;
            pk->vk.dag.nodes[l].q_log = ql;
        }
        if (A->has_bias) {
            pk->bias[l] = malloc(sizeof(int64_t) * rows);
            if (!pk->bias[l]) {
                st = zki_fail(ZKI_ERR_NOMEM, "setup: bias of layer %u", l);
                goto fail;
            }
            const int64_t *b = m->t[n->in[2]].data;
            for (uint64_t j = 0; j < rows; j++) {
                if (b[j] < INT32_MIN || b[j] > INT32_MAX) {
                    st = zki_fail(ZKI_ERR_UNSUPPORTED, "setup: bias %llu of node '%s' is %lld, outside "
                                  "int32", (unsigned long long)j, n->name, (long long)b[j]);
                    goto fail;
                }
                pk->bias[l][j] = b[j];
            }
        }
        zki_weight_table_put(&pk->vk, l, pk->wbig, pk->w[l], (int)es * 8, pk->bias[l]);
    }
    /* the DAG passes the checks a verifier's key read applies */
    if ((st = zki_dag_check(&pk->vk.dag))) {
        st = zki_fail_ctx(ZKI_ERR_UNSUPPORTED, "prove: the lowered DAG is not provable");
        goto fail;
    }
    pk->vk.grind_bits = ZKI_KEY_GRIND_BITS;
    zki_pcs_params pp;
    zki_key_pcs_params(&pk->vk, 0, &pp);
    pp.seed = pk->seed;
    zki_pcs_vec vec = {ZKI_PCS_I32, pk->wbig, pk->vk.wpack.total};
    if ((st = zki_pcs_commit(&pk->wpcs, &pp, &vec, 1)))
        goto fail;
    /* the vk's copy of the commitment, through its own byte format */
    uint8_t *cb;
    size_t cl;
    if ((st = zki_pcs_commitment_to_bytes(zki_pcs_prover_commitment(pk->wpcs), &cb, &cl)))
        goto fail;
    st = zki_pcs_commitment_from_bytes(&pk->vk.wcom, cb, cl);
    free(cb);
    if (st)
        goto fail;
    if ((st = vk_finish(&pk->vk)))
        goto fail;
    /* a key no verifier would accept is refused here, not at its first use */
    if ((st = zki_vk_cost_check(&pk->vk)))
        goto fail;
    free(order);
    *out = pk;
    return ZKI_OK;
fail:
    free(order);
    zki_pk_free(pk);
    return st;
}

void zki_vk_summary(const zki_vk *vk, char *buf, size_t cap)
{
    size_t n = 0;
    const zki_dag *a = &vk->dag;
#define P(...)                                                             \
    do {                                                                   \
        if (n < cap)                                                       \
            n += (size_t)snprintf(buf + n, cap - n, __VA_ARGS__);          \
    } while (0)
    uint64_t params = 0;
    for (uint32_t l = 0; l < a->n_nodes; l++)
        params += a->nodes[l].kind == ZKI_NODE_MAXPOOL || a->nodes[l].kind == ZKI_NODE_ADD ||
                          a->nodes[l].kind == ZKI_NODE_CONCAT
                      ? 0
                  : a->nodes[l].kind == ZKI_NODE_CONV
                      ? (uint64_t)a->nodes[l].OC * (a->nodes[l].C / a->nodes[l].G) * a->nodes[l].KH *
                                a->nodes[l].KW + (a->nodes[l].has_bias ? a->nodes[l].OC : 0)
                  : (uint64_t)(a->nodes[l].C ? (uint64_t)a->nodes[l].C * a->nodes[l].H * a->nodes[l].W
                                              : a->nodes[l].K) * a->nodes[l].N +
                        (a->nodes[l].has_bias ? a->nodes[l].N : 0);
    P("verification key v%u: %u layers, %llu weights (committed, not in the key)\n", ZKI_VK_VERSION,
      a->n_nodes, (unsigned long long)params);
    P("  input  %u bits, scale %g, %u dims; output %u bits, scale %g\n", a->in_bits, a->in_scale,
      a->in_rank, a->out_bits, a->out_scale);
    for (uint32_t l = 0; l < a->n_nodes && l < 64; l++) {
        const zki_dag_node *L = &a->nodes[l];
        if (L->kind == ZKI_NODE_CONCAT || L->kind == ZKI_NODE_ADD) {
            /* the inputs: "x" the model input, "#j" node j's output */
            char ins[160];
            size_t k = 0;
            for (uint32_t i = 0; i < L->n_in && k + 24 < sizeof(ins); i++) {
                int w = L->in[i] ? snprintf(ins + k, sizeof(ins) - k, "%s#%u", i ? ", " : "", L->in[i] - 1)
                                 : snprintf(ins + k, sizeof(ins) - k, "%sx", i ? ", " : "");
                k += w > 0 ? (size_t)w : 0;
            }
            if (L->kind == ZKI_NODE_CONCAT)
                P("  %3u Concat %ux%ux%u of %s\n", l, L->C, L->H, L->W, ins);
            else
                P("  %3u Add %ux%ux%u of %s, requant s=%u clamp [%lld, %lld]\n", l, L->C, L->H, L->W, ins, L->s,
                  (long long)L->lo, (long long)L->hi);
        }
        else if (L->kind == ZKI_NODE_MAXPOOL)
            P("  %3u MaxPool %ux%ux%u, window %ux%u, stride %ux%u, dilation %ux%u\n", l, L->C, L->H, L->W, L->KH,
              L->KW, L->sh, L->sw, L->dh, L->dw);
        else if (L->kind == ZKI_NODE_CONV)
            P("  %3u Conv %ux%ux%u -> %u channels, kernel %ux%u, stride %ux%u, dilation %ux%u, pads %u %u %u %u, "
              "%u groups, int%u weights%s, requant M=%lld s=%u clamp [%lld, %lld]\n", l, L->C, L->H, L->W, L->OC,
              L->KH, L->KW, L->sh, L->sw, L->dh, L->dw, L->pt, L->pl, L->pb, L->pr, L->G, L->w_bits,
              L->has_bias ? " + bias" : "", (long long)L->M, L->s, (long long)L->lo, (long long)L->hi);
        else
            P("  %3u Linear %u -> %u, int%u weights%s, requant M=%lld s=%u clamp [%lld, %lld]\n", l, L->K, L->N,
              L->w_bits, L->has_bias ? " + bias" : "", (long long)L->M, L->s, (long long)L->lo, (long long)L->hi);
    }
    if (a->n_nodes > 64)
        P("  ... %u more layers\n", a->n_nodes - 64);
    P("  weight commitment: one packed table of %llu entries (%u segments, rows of 2^%u), root ",
      (unsigned long long)vk->wpack.total, vk->wpack.n_seg, vk->wcom.shape.log_cols);
    for (int i = 0; i < 8; i++)
        P("%02x", vk->wcom.root.b[i]);
    P("..., %u column queries, rate 1/%u, %s, %u-bit proof of work\n", vk->wcom.shape.queries,
      1u << vk->wcom.params.rate_log, vk->wcom.params.hiding ? "hiding" : "not hiding", vk->grind_bits);
    uint64_t c_ops = 0, c_bytes = 0;
    if (zki_vk_verifier_cost(vk, 1, &c_ops, &c_bytes) == ZKI_OK)
        P("  verifier cost bound for one sample: %.1f MiB, %.1f Mops (limit %llu MiB, %llu Mops)\n",
          (double)c_bytes / (1 << 20), (double)c_ops / 1e6, (unsigned long long)(ZKI_VK_MAX_VERIFY_BYTES >> 20),
          (unsigned long long)(ZKI_VK_MAX_VERIFY_OPS / 1000000));
    P("  architecture hash ");
    for (int i = 0; i < 8; i++)
        P("%02x", vk->dag_hash.b[i]);
    P("...\n");
#undef P
}
