/* The proof DAG: geometry helpers, key bytes and checks (protocol/dag.h). */
#include "protocol/dag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "poly/mle.h"
#include "protocol/gadget.h"

void zki_dag_free(zki_dag *a)
{
    if (!a)
        return;
    for (uint32_t j = 0; a->nodes && j < a->n_nodes; j++)
        free(a->nodes[j].aux);
    free(a->nodes);
    memset(a, 0, sizeof(*a));
}

uint64_t zki_dag_node_weights(const zki_dag_node *L)
{
    if (L->kind == ZKI_NODE_CONV)
        return (uint64_t)L->OC * (L->G ? L->C / L->G : 0) * L->KH * L->KW;
    if (L->kind == ZKI_NODE_LINEAR) /* a flattened map's columns: C*H*W */
        return (L->C ? (uint64_t)L->C * L->H * L->W : L->K) * (uint64_t)L->N;
    if (L->kind == ZKI_NODE_GATHER) /* the table: V rows of D */
        return (uint64_t)L->OC * L->K;
    return 0;
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

int zki_dag_raw(const zki_dag_node *L)
{
    return (L->kind == ZKI_NODE_LINEAR || L->kind == ZKI_NODE_CONV) && L->s == 0;
}

/* Every node reading node j's output is an ADD (the one gadget that takes
 * inputs of up to ZKI_DAG_MAX_RAW_BITS bits), or a MOVE whose readers are
 * (a token Linear's accumulators moved back to the sequence's layout). A
 * MOVE reads one earlier tensor, so the recursion ends. */
static int raw_readers_add(const zki_dag *a, uint32_t j)
{
    for (uint32_t k = j + 1; k < a->n_nodes; k++)
        for (uint32_t i = 0; i < a->nodes[k].n_in && i < ZKI_DAG_MAX_IN; i++)
            if (a->nodes[k].in[i] == j + 1 && a->nodes[k].kind != ZKI_NODE_ADD &&
                (a->nodes[k].kind != ZKI_NODE_MOVE || !raw_readers_add(a, k)))
                return 0;
    return 1;
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
    if (L->kind == ZKI_NODE_ADD || L->kind == ZKI_NODE_CONCAT || (zki_dag_kind_states_layout(L->kind) && L->H > 0)) {
        *C = L->C, *H = L->H, *W = L->W;
        return 1;
    }
    return 0;
}

int zki_dag_part_map(const zki_dag *a, uint32_t t, uint32_t *C, uint32_t *H, uint32_t *W)
{
    zki_tlayout l;
    if (t == 0 || t > a->n_nodes)
        return 0;
    if (zki_dag_out_map(&a->nodes[t - 1], C, H, W))
        return 1;
    if (!zki_dag_layout(a, t, &l) || l.map || l.n < 1 || l.n > ZKI_DAG_MAX_DIM)
        return 0;
    *C = (uint32_t)l.n, *H = 1, *W = 1;
    return 1;
}

int zki_dag_kind_has_aux(uint32_t kind) { return kind == ZKI_NODE_LUT || kind == ZKI_NODE_MOVE; }

int zki_dag_kind_states_layout(uint32_t kind)
{
    return kind == ZKI_NODE_LUT || kind == ZKI_NODE_MOVE || kind == ZKI_NODE_MUL || kind == ZKI_NODE_BMM;
}

static void layout_map(zki_tlayout *l, uint32_t c, uint32_t h, uint32_t w)
{
    l->map = 1, l->c = c, l->h = h, l->w = w, l->n = (uint64_t)c * h * w;
    l->log_len = (uint32_t)(zki_log2_ceil(c) + zki_log2_ceil(h) + zki_log2_ceil(w));
}

static void layout_row(zki_tlayout *l, uint64_t n)
{
    memset(l, 0, sizeof(*l));
    l->n = n;
    l->log_len = (uint32_t)zki_log2_ceil(n);
}

/* A map [c][1][1] is laid out as a row of c features: the two are one
 * layout (a Linear's row and a 1x1 map meet in Adds and products). */
int zki_tlayout_eq(const zki_tlayout *a, const zki_tlayout *b)
{
    if (a->map && b->map)
        return a->c == b->c && a->h == b->h && a->w == b->w;
    int ra = !a->map || (a->h == 1 && a->w == 1), rb = !b->map || (b->h == 1 && b->w == 1);
    return ra && rb && a->n == b->n;
}

/* A LUT, MOVE or MUL node's own output layout. */
static int elementwise_out_layout(const zki_dag_node *L, zki_tlayout *l)
{
    if (L->H > 0) {
        if (!L->C || !L->W)
            return 0;
        layout_map(l, L->C, L->H, L->W);
        return l->log_len <= 26 && L->N == 1u << l->log_len;
    }
    if (L->C || L->W || L->N < 1)
        return 0;
    layout_row(l, L->N);
    return 1;
}

int zki_dag_in_layout(const zki_dag *a, uint32_t j, uint32_t i, zki_tlayout *l)
{
    const zki_dag_node *L = &a->nodes[j];
    uint32_t c, h, w;
    memset(l, 0, sizeof(*l));
    switch (L->kind) {
    case ZKI_NODE_LINEAR:
        if (L->C) {
            layout_map(l, L->C, L->H, L->W);
            return 1;
        }
        layout_row(l, L->K);
        return L->K >= 1;
    case ZKI_NODE_CONV:
    case ZKI_NODE_MAXPOOL:
    case ZKI_NODE_ADD:
        if (!L->C || !L->H || !L->W)
            return 0;
        layout_map(l, L->C, L->H, L->W);
        return 1;
    case ZKI_NODE_CONCAT:
        /* part i's map: its own channels, the shared height and width */
        if (i >= L->n_in || L->in[i] > j || !zki_dag_part_map(a, L->in[i], &c, &h, &w))
            return 0;
        layout_map(l, c, h, w);
        return 1;
    case ZKI_NODE_LUT:
    case ZKI_NODE_MUL: return elementwise_out_layout(L, l);
    case ZKI_NODE_BMM: /* x_0 [C][H][K], x_1 [C][K][W] */
        if (!L->C || !L->H || !L->W || !L->K || i > 1)
            return 0;
        layout_map(l, L->C, i ? L->K : L->H, i ? L->W : L->K);
        return l->log_len <= 26;
    case ZKI_NODE_GATHER: /* the T ids of a sample: N = T*D, K = D */
        if (!L->K || L->N % L->K)
            return 0;
        layout_row(l, L->N / L->K);
        return 1;
    case ZKI_NODE_MOVE: {
        const int64_t *x = L->aux;
        if (L->n_aux < 4 || !x)
            return 0;
        for (int k = 0; k < 4; k++)
            if (x[k] < 0 || x[k] > ZKI_DAG_MAX_DIM)
                return 0;
        if (x[0] == 1 && x[1] && x[2] && x[3])
            layout_map(l, (uint32_t)x[1], (uint32_t)x[2], (uint32_t)x[3]);
        else if (x[0] == 0 && x[1] && !x[2] && !x[3])
            layout_row(l, (uint64_t)x[1]);
        else
            return 0;
        return l->log_len <= 26;
    }
    default: return 0;
    }
}

int zki_dag_layout(const zki_dag *a, uint32_t t, zki_tlayout *l)
{
    memset(l, 0, sizeof(*l));
    if (a->n_nodes == 0 || t > a->n_nodes)
        return 0;
    if (t == 0)
        return zki_dag_in_layout(a, 0, 0, l);
    const zki_dag_node *L = &a->nodes[t - 1];
    uint32_t c, h, w;
    if (zki_dag_kind_states_layout(L->kind))
        return elementwise_out_layout(L, l);
    if (zki_dag_out_map(L, &c, &h, &w)) {
        layout_map(l, c, h, w);
        return 1;
    }
    if (L->kind != ZKI_NODE_LINEAR && L->kind != ZKI_NODE_GATHER)
        return 0;
    layout_row(l, L->N);
    return 1;
}

uint64_t zki_dag_out_len(const zki_dag *a)
{
    zki_tlayout l;
    return zki_dag_layout(a, a->n_nodes, &l) ? l.n : 0;
}

uint64_t zki_dag_in_len(const zki_dag *a)
{
    zki_tlayout l;
    return zki_dag_layout(a, 0, &l) ? l.n : 0;
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
    zki_tlayout l;
    if (!zki_dag_layout(a, 0, &l))
        return NULL;
    uint64_t kp = (uint64_t)1 << l.log_len;
    int64_t *x = calloc((size_t)B * kp, sizeof(int64_t));
    if (!x)
        return NULL;
    if (l.map)
        zki_map_scatter(x, X, B, l.c, l.h, l.w);
    else
        for (uint64_t b = 0; b < B; b++)
            memcpy(x + b * kp, X + b * l.n, sizeof(int64_t) * l.n);
    return x;
}

void zki_dag_write(zki_wbuf *w, const zki_dag *a)
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
        if (zki_dag_kind_has_aux(L->kind)) {
            /* each entry as its zigzag-varint difference from the one
             * before: a smooth table (exp, 1/sqrt) takes a byte or two an
             * entry, not eight */
            zki_wb_u32(w, L->n_aux);
            for (uint32_t i = 0; i < L->n_aux; i++)
                zki_wb_svarint(w, (int64_t)((uint64_t)L->aux[i] - (uint64_t)(i ? L->aux[i - 1] : 0)));
        }
    }
}

/* Node j's input i is the model input, read in node 0's layout: LINEAR
 * and CONV readers also agree with node 0 field by field (their keys were
 * always held to that). */
static int reads_input_as_node0(const zki_dag *a, uint32_t j, uint32_t i)
{
    const zki_dag_node *L = &a->nodes[j], *F = &a->nodes[0];
    zki_tlayout lj, l0;
    if (L->kind == ZKI_NODE_CONCAT || L->kind == ZKI_NODE_MAXPOOL || L->kind == ZKI_NODE_ADD)
        return 0;
    if (!zki_dag_in_layout(a, j, i, &lj) || !zki_dag_in_layout(a, 0, 0, &l0) || !zki_tlayout_eq(&lj, &l0))
        return 0;
    int affine = L->kind == ZKI_NODE_LINEAR || L->kind == ZKI_NODE_CONV;
    if (affine && (F->kind == ZKI_NODE_LINEAR || F->kind == ZKI_NODE_CONV))
        return L->kind == F->kind && L->K == F->K && L->C == F->C && L->H == F->H && L->W == F->W;
    return 1;
}

/* The checks every node passes whatever its kind: inputs are earlier
 * tensors; the model input is read in one layout, node 0's. */
static zki_status node_inputs_check(const zki_dag *a, uint32_t j)
{
    const zki_dag_node *L = &a->nodes[j];
    if (L->n_in < 1 || L->n_in > ZKI_DAG_MAX_IN)
        return zki_fail(ZKI_ERR_INPUT, "vk: node %u reads %u tensors", j, L->n_in);
    for (uint32_t i = 0; i < L->n_in; i++) {
        if (L->in[i] > j)
            return zki_fail(ZKI_ERR_INPUT, "vk: node %u reads tensor %u, not an earlier one", j, L->in[i]);
        if (L->in[i] == 0 && !reads_input_as_node0(a, j, i))
            return zki_fail(ZKI_ERR_INPUT, "vk: node %u reads the input in another layout than node 0", j);
        /* wider inputs are token ids: the other gadgets' bounds assume 16 bits */
        if (L->in[i] == 0 && a->in_bits > 16 && L->kind != ZKI_NODE_GATHER)
            return zki_fail(ZKI_ERR_INPUT, "vk: node %u reads the %u-bit input (only a gather reads more than 16 "
                            "bits)", j, a->in_bits);
    }
    if (j == 0 && (L->n_in != 1 || L->in[0] != 0))
        return zki_fail(ZKI_ERR_INPUT, "vk: node 0 does not read the input");
    return ZKI_OK;
}

int64_t zki_dag_dead_nodes(const zki_dag *a)
{
    uint8_t *live = calloc(a->n_nodes ? a->n_nodes : 1, 1);
    if (!live)
        return -1;
    if (a->n_nodes)
        live[a->n_nodes - 1] = 1;
    for (uint32_t j = a->n_nodes; j-- > 0;)
        for (uint32_t i = 0; live[j] && i < a->nodes[j].n_in && i < ZKI_DAG_MAX_IN; i++)
            if (a->nodes[j].in[i] > 0 && a->nodes[j].in[i] <= j)
                live[a->nodes[j].in[i] - 1] = 1;
    int64_t dead = 0;
    for (uint32_t j = 0; j < a->n_nodes; j++)
        dead += !live[j];
    free(live);
    return dead;
}

zki_status zki_dag_check(const zki_dag *a)
{
    zki_status st = ZKI_OK;
    for (uint32_t j = 0; !st && j < a->n_nodes; j++) {
        const zki_dag_node *L = &a->nodes[j];
        const zki_gadget *g = zki_gadget_of(L->kind);
        if (!g)
            return zki_fail(ZKI_ERR_INPUT, "vk: node %u has unknown kind %u", j, L->kind);
        /* a MOVE has its input's bits (its key check): > 16 only when moving
         * a raw accumulator, whose readers are checked at its producer */
        int wide = zki_dag_raw(L) || L->kind == ZKI_NODE_MOVE;
        if (L->K < 1 || L->K > ZKI_DAG_MAX_DIM || L->N < 1 || L->N > ZKI_DAG_MAX_DIM || L->out_bits < 2 ||
            L->out_bits > (wide ? ZKI_DAG_MAX_RAW_BITS : 16u))
            return zki_fail(ZKI_ERR_INPUT, "vk: node %u: sizes out of range", j);
        if (zki_dag_raw(L) && j + 1 == a->n_nodes)
            return zki_fail(ZKI_ERR_INPUT, "vk: node %u: a raw accumulator cannot be the output (it is read by ADD "
                            "nodes only)", j);
        if (zki_dag_raw(L) && !raw_readers_add(a, j))
            return zki_fail(ZKI_ERR_INPUT, "vk: node %u: a raw accumulator must be read by ADD nodes only", j);
        if (!(st = node_inputs_check(a, j)))
            st = g->key_check(a, j);
    }
    if (!st) {
        /* a node nothing reads would go unproven */
        int64_t dead = zki_dag_dead_nodes(a);
        if (dead)
            st = dead < 0 ? zki_fail(ZKI_ERR_NOMEM, "vk: DAG")
                          : zki_fail(ZKI_ERR_INPUT, "vk: %lld nodes do not lead to the output", (long long)dead);
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

zki_status zki_dag_read(zki_rbuf *r, zki_dag *a)
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
    NEED(zki_rb_u32(r, &a->in_bits) && a->in_bits >= 2 && a->in_bits <= 32, "input bits");
    NEED(zki_rb_u32(r, &a->out_bits) && a->out_bits >= 2 && a->out_bits <= 16, "output bits");
    NEED(zki_rb_u32(r, &a->in_rank) && a->in_rank <= ZKI_DAG_MAX_RANK, "input rank");
    int64_t in_n = 1, out_n = 1;
    for (uint32_t i = 0; i < a->in_rank; i++) {
        NEED(zki_rb_i64(r, &a->in_dims[i]) && a->in_dims[i] >= 1 && a->in_dims[i] <= ZKI_DAG_MAX_DIM,
             "input dim");
        in_n *= a->in_dims[i];
        NEED(in_n <= ZKI_DAG_MAX_DIM, "input size");
    }
    NEED(zki_rb_u32(r, &a->out_rank) && a->out_rank <= ZKI_DAG_MAX_RANK, "output rank");
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
        if (zki_dag_kind_has_aux(L->kind)) {
            NEED(zki_rb_u32(r, &L->n_aux) && L->n_aux >= 1 && L->n_aux <= ZKI_DAG_MAX_AUX &&
                     zki_rb_left(r) >= (size_t)L->n_aux,
                 "node payload size");
            L->aux = malloc(sizeof(int64_t) * L->n_aux);
            NEED(L->aux, "out of memory");
            for (uint32_t i = 0; i < L->n_aux; i++) {
                int64_t dv;
                NEED(zki_rb_svarint(r, &dv), "truncated or malformed node payload");
                L->aux[i] = (int64_t)((uint64_t)(i ? L->aux[i - 1] : 0) + (uint64_t)dv);
            }
        }
    }
#undef NEED
    zki_status st = zki_dag_check(a);
    if (st)
        zki_dag_free(a);
    return st;
}

