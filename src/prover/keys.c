#include "prover/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/file_read.h"
#include "graph/refusals.h"
#include "poly/mle.h"
#include "prover/bytes.h"
#include "prover/vk_cost.h"
#include "prover/wlayout.h"

static const char vk_magic[8] = {'Z', 'K', 'I', 'N', 'F', 'V', 'K', 0};
static const char pk_magic[8] = {'Z', 'K', 'I', 'N', 'F', 'P', 'K', 0};

/* vk head 24 (magic, version, three lengths), arch (arch_write), commitment
 * (zki_pcs_commitment_to_bytes) at their largest: see keys.h. */
_Static_assert(24 + 164 + 144 * (uint64_t)ZKI_ARCH_MAX_LAYERS + 72 + 8 * (uint64_t)ZKI_PCS_MAX_POLYS <=
                   ZKI_VK_MAX_FILE_BYTES,
               "ZKI_VK_MAX_FILE_BYTES is below the largest valid key");

void zki_arch_free(zki_arch *a)
{
    if (!a)
        return;
    free(a->layers);
    memset(a, 0, sizeof(*a));
}

/* A MaxPool (p: KH KW sh sw dh dw pt pl pb pr) as passes the pool gadget
 * proves, each of at most ZKI_MAXPOOL_MAX_WINDOW elements: one pass when
 * the window is that small, else a row pass then a column pass (the max
 * is separable); an axis of K in (4, 8] is itself two passes, a window of
 * w = ceil(K/2) at stride 1 (with the pads) and then a window of 2 with
 * dilation d (K - w) at the stride, which together cover offsets
 * 0 .. K-1 (K - w <= w). Returns the number of passes (0: not
 * expressible), geometry in st. */
static int maxpool_passes(const int64_t *p, int64_t st[4][10])
{
    if (p[0] * p[1] <= ZKI_MAXPOOL_MAX_WINDOW) {
        memcpy(st[0], p, sizeof(int64_t) * 10);
        return 1;
    }
    int n = 0;
    for (int axis = 1; axis >= 0; axis--) { /* rows (along W) first, then columns */
        int64_t K = p[axis], s = p[2 + axis], d = p[4 + axis], pa = p[6 + axis], pb = p[8 + axis];
        if (K > 2 * ZKI_MAXPOOL_MAX_WINDOW)
            return 0;
        int64_t geo[2][5]; /* K s d pad_before pad_after */
        int k = 0;
        if (K <= ZKI_MAXPOOL_MAX_WINDOW) {
            int64_t g0[5] = {K, s, d, pa, pb};
            memcpy(geo[k++], g0, sizeof g0);
        } else {
            int64_t w = (K + 1) / 2;
            int64_t g0[5] = {w, 1, d, pa, pb}, g1[5] = {2, s, d * (K - w), 0, 0};
            memcpy(geo[k++], g0, sizeof g0);
            memcpy(geo[k++], g1, sizeof g1);
        }
        for (int i = 0; i < k; i++) {
            int64_t q[10] = {1, 1, 1, 1, 1, 1, 0, 0, 0, 0};
            q[axis] = geo[i][0], q[2 + axis] = geo[i][1], q[4 + axis] = geo[i][2];
            q[6 + axis] = geo[i][3], q[8 + axis] = geo[i][4];
            memcpy(st[n++], q, sizeof q);
        }
    }
    return n;
}

static int consumers(const zki_qmodel *m, int t, int *node)
{
    int c = 0;
    for (int i = 0; i < m->n_nodes; i++)
        for (int j = 0; j < m->nodes[i].n_in; j++)
            if (m->nodes[i].in[j] == t) {
                c++;
                *node = i;
            }
    return c;
}

/* Whether node i is a Conv whose output feeds only an Add (a shortcut). */
static int shortcut_conv(const zki_qmodel *m, int i)
{
    int c = 0, at = -1;
    if (m->nodes[i].op != ZKI_QOP_CONV)
        return 0;
    for (int k = 0; k < m->n_nodes; k++)
        for (int j = 0; j < m->nodes[k].n_in; j++)
            if (m->nodes[k].in[j] == m->nodes[i].out) {
                c++;
                at = k;
            }
    return c == 1 && m->nodes[at].op == ZKI_QOP_ADD;
}

/* The next node on the chain from tensor t: its only consumer or, at a
 * residual fork (two consumers, exactly one of them an Add or a shortcut
 * Conv feeding only an Add), the other one (*fork 1 for an identity
 * shortcut, 2 for a conv shortcut, whose node goes to *sc); at a fork into
 * a Concat, the non-Concat consumer (*fork 3) or, for two branches, the
 * first (*fork 4, the second's head in *sc). -1 otherwise. */
static int chain_next(const zki_qmodel *m, int t, int *fork, int *sc)
{
    int c = 0, nd[2] = {-1, -1};
    for (int i = 0; i < m->n_nodes; i++)
        for (int j = 0; j < m->nodes[i].n_in; j++)
            if (m->nodes[i].in[j] == t) {
                if (c < 2)
                    nd[c] = i;
                c++;
            }
    *fork = 0;
    if (c == 1)
        return nd[0];
    if (c == 2 && nd[0] != nd[1]) {
        int a0 = m->nodes[nd[0]].op == ZKI_QOP_ADD, a1 = m->nodes[nd[1]].op == ZKI_QOP_ADD;
        if (a0 != a1) {
            *fork = 1;
            return a0 ? nd[1] : nd[0];
        }
        int c0 = shortcut_conv(m, nd[0]), c1 = shortcut_conv(m, nd[1]);
        if (!a0 && !a1 && c0 != c1) {
            *fork = 2;
            *sc = c0 ? nd[0] : nd[1];
            return c0 ? nd[1] : nd[0];
        }
        int k0 = m->nodes[nd[0]].op == ZKI_QOP_CONCAT, k1 = m->nodes[nd[1]].op == ZKI_QOP_CONCAT;
        if (!a0 && !a1 && k0 != k1) { /* an identity branch into a Concat */
            *fork = 3;
            return k0 ? nd[1] : nd[0];
        }
        if (!a0 && !a1 && !k0 && !k1 && !c0 && !c1) { /* two branches (to a Concat) */
            *fork = 4;
            *sc = nd[1];
            return nd[0];
        }
    }
    return -1;
}

zki_status zki_arch_conv_dims(const zki_arch_layer *L, uint32_t B, zki_conv_dims *d)
{
    return zki_conv_dims_init(d, B, L->C, L->H, L->W, L->OC, L->KH, L->KW, L->sh, L->sw, L->dh, L->dw,
                              L->pt, L->pl, L->pb, L->pr, L->G, (int)L->has_bias);
}

zki_status zki_arch_pool_dims(const zki_arch_layer *L, uint32_t B, zki_maxpool_dims *d)
{
    zki_status st = zki_maxpool_dims_init(d, B, L->C, L->H, L->W, L->KH, L->KW, L->sh, L->sw, L->dh, L->dw, L->pt,
                                          L->pl, L->pb, L->pr);
    /* pads read as the map's minimum: they never win (the ONNX max) */
    if (!st && L->out_bits >= 2 && L->out_bits <= 32)
        d->pad_value = -((int64_t)1 << (L->out_bits - 1));
    return st;
}

/* Whether every window of an axis (n inputs, window K, stride s, dilation
 * dl, pads a / b) holds an input element: an all-pad window's ONNX max is
 * undefined (the integer executor says 0), so such pools are refused when
 * the key is built. (A pass of a split window may hold pads only: its
 * value, the map's minimum, never wins in the next pass.) */
static int pool_axis_covered(int64_t n, int64_t K, int64_t s, int64_t dl, int64_t a, int64_t b)
{
    if (n + a + b < dl * (K - 1) + 1)
        return 0;
    int64_t out = (n + a + b - dl * (K - 1) - 1) / s + 1;
    for (int64_t o = 0; o < out; o++) {
        /* the first window position at or after 0, if any, must be < n */
        int64_t f = o * s - a, k0 = f >= 0 ? 0 : (-f + dl - 1) / dl;
        if (k0 >= K || f + k0 * dl >= n)
            return 0;
    }
    return 1;
}

int zki_arch_out_map(const zki_arch_layer *L, uint32_t *C, uint32_t *H, uint32_t *W)
{
    if (L->kind == ZKI_LAYER_CONV) {
        zki_conv_dims cd;
        if (zki_arch_conv_dims(L, 1, &cd))
            return 0;
        *C = (uint32_t)cd.OC, *H = (uint32_t)cd.OH, *W = (uint32_t)cd.OW;
        return 1;
    }
    if (L->kind == ZKI_LAYER_MAXPOOL) {
        zki_maxpool_dims pd;
        if (zki_arch_pool_dims(L, 1, &pd))
            return 0;
        *C = (uint32_t)pd.C, *H = (uint32_t)pd.OH, *W = (uint32_t)pd.OW;
        return 1;
    }
    if (L->kind == ZKI_LAYER_ADD || L->kind == ZKI_LAYER_CONCAT) {
        *C = L->C, *H = L->H, *W = L->W;
        return 1;
    }
    return 0;
}

uint64_t zki_arch_out_len(const zki_arch *a)
{
    const zki_arch_layer *L = &a->layers[a->n_layers - 1];
    uint32_t c, h, w;
    if (L->kind != ZKI_LAYER_LINEAR && zki_arch_out_map(L, &c, &h, &w))
        return (uint64_t)c * h * w;
    return L->N;
}

/* nn[j] for from <= j < n (nn[< from] already set): layer j's output is
 * proven >= 0 (a ReLU'd requant; a pool of such a map; a Concat of two). */
static void nonneg_map(const zki_arch *a, uint32_t from, uint32_t n, uint8_t *nn)
{
    for (uint32_t j = from; j < n; j++) {
        const zki_arch_layer *L = &a->layers[j];
        if (L->kind == ZKI_LAYER_MAXPOOL)
            nn[j] = L->xin > 0 && L->xin - 1 < j ? nn[L->xin - 1] : 0;
        else if (L->kind == ZKI_LAYER_CONCAT)
            nn[j] = L->sa < j && L->sb < j && nn[L->sa] && nn[L->sb];
        else
            nn[j] = L->lo >= 0;
    }
}

uint64_t zki_vk_input_len(const zki_vk *vk) { return zki_arch_in_len(&vk->arch); }
uint64_t zki_vk_output_len(const zki_vk *vk) { return zki_arch_out_len(&vk->arch); }

uint64_t zki_arch_in_len(const zki_arch *a)
{
    const zki_arch_layer *L = &a->layers[0];
    return L->kind == ZKI_LAYER_CONV ? (uint64_t)L->C * L->H * L->W : L->K;
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

int64_t *zki_arch_pad_input(const zki_arch *a, const int64_t *X, uint32_t B)
{
    const zki_arch_layer *L = &a->layers[0];
    uint64_t kp = (uint64_t)1 << zki_log2_ceil(L->K);
    int64_t *x = calloc((size_t)B * kp, sizeof(int64_t));
    if (!x)
        return NULL;
    if (L->kind == ZKI_LAYER_CONV)
        zki_map_scatter(x, X, B, L->C, L->H, L->W);
    else
        for (uint64_t b = 0; b < B; b++)
            memcpy(x + b * kp, X + b * L->K, sizeof(int64_t) * L->K);
    return x;
}

/* The chain walk: fills a; order (n_nodes entries, may be NULL) receives
 * the nodes in the order their layers were emitted. */
/* What the walk below has no gadget for, every node at once and grouped
 * (the walk itself stops at its first problem): a user sees the whole list
 * of what keeps the model from being proven. */
static zki_status unproven_ops(const zki_qmodel *m)
{
    zki_refusals rf;
    memset(&rf, 0, sizeof rf);
    for (int i = 0; i < m->n_nodes; i++) {
        const zki_qnode *n = &m->nodes[i];
        const char *why = NULL;
        switch (n->op) {
        case ZKI_QOP_MATMUL: why = "a product of two activations (attention) is not proven yet"; break;
        case ZKI_QOP_MUL: why = "an elementwise product of activations is not proven yet"; break;
        case ZKI_QOP_LUT: why = "elementwise functions by lookup (Sigmoid, Tanh, GELU, ...) are not proven yet"; break;
        case ZKI_QOP_TRANSPOSE:
        case ZKI_QOP_SLICE: why = "data movement other than Reshape/Flatten is not proven yet"; break;
        case ZKI_QOP_GATHER: why = "Gather (embeddings, index maps) is not proven yet"; break;
        case ZKI_QOP_SOFTMAX:
            why = "not proven yet; a Softmax on a classifier's output can be left out of the export (the argmax "
                  "is the same)";
            break;
        case ZKI_QOP_LAYERNORM: why = "not proven yet"; break;
        case ZKI_QOP_CONCAT:
            if (n->n_in != 2 || n->n_p < 1 || n->p[0] != 1)
                why = "two maps joined along the channels (axis 1) are proven; concatenate in pairs";
            break;
        default: break;
        }
        if (why)
            zki_refusals_add(&rf, zki_qop_name(n->op), n->name, why);
    }
    zki_status st = zki_refusals_fail(&rf, ZKI_ERR_UNSUPPORTED);
    return st ? zki_fail_ctx(st, "prove") : ZKI_OK;
}

static zki_status arch_walk(const zki_qmodel *m, zki_arch *a, int *order)
{
    memset(a, 0, sizeof(*a));
    zki_status st = unproven_ops(m);
    if (st)
        return st;
    if (m->n_inputs != 1 || m->n_outputs != 1)
        return zki_fail(ZKI_ERR_UNSUPPORTED, "prove: the model has %d inputs ('%s'%s) and %d outputs: "
                        "one input and one output are supported (weights must be constants)",
                        m->n_inputs, m->n_inputs > 0 ? m->t[m->inputs[0]].name : "",
                        m->n_inputs > 1 ? ", ..." : "", m->n_outputs);
    const zki_qtensor *it = &m->t[m->inputs[0]], *ot = &m->t[m->outputs[0]];
    a->in_bits = (uint32_t)it->bits;
    a->out_bits = (uint32_t)ot->bits;
    a->in_rank = (uint32_t)it->rank;
    a->out_rank = (uint32_t)ot->rank;
    memcpy(a->in_dims, it->dims, sizeof(a->in_dims));
    memcpy(a->out_dims, ot->dims, sizeof(a->out_dims));
    a->in_scale = it->scale;
    a->out_scale = ot->scale;
    if (it->bits < 2 || it->bits > 16)
        return zki_fail(ZKI_ERR_UNSUPPORTED, "prove: input '%s' has %d bits (2..16 supported)", it->name,
                        it->bits);
    a->layers = calloc(2 * (size_t)m->n_nodes + 1, sizeof(zki_arch_layer));
    if (!a->layers)
        return zki_fail(ZKI_ERR_NOMEM, "prove: architecture");
    int cur = m->inputs[0], visited = 0;
    int64_t feat = zki_qnumel(it);
    /* map: the current tensor is a padded [C][H][W] map (after a Conv) */
    int map = 0, nonneg = 0; /* nonneg: the current tensor is proven >= 0 (a ReLU'd requant) */
    uint32_t mc = 0, mh = 0, mw = 0;
    int skip_t = -1; /* a residual fork's tensor, awaiting its Add, and its layer */
    uint32_t skip_l = 0, skip_c = 0, skip_h = 0, skip_w = 0;
    int sc_node = -1; /* a shortcut conv awaiting its turn, right before the Add */
    /* a fork into two branches awaiting its second: the fork's tensor, the
     * second branch's head, the fork's layer, map and sign */
    int br_t = -1, br_node = -1, br_nonneg = 0;
    uint32_t br_l = 0, br_c = 0, br_h = 0, br_w = 0;
    while (cur != m->outputs[0]) {
        int fork = 0, dummy = -1, scn = -1;
        int ni = chain_next(m, cur, &fork, &scn);
        if (ni < 0) {
            zki_arch_free(a);
            return zki_fail(ZKI_ERR_UNSUPPORTED, "prove: tensor '%s' feeds %d nodes (a chain, with residual "
                            "forks into an Add and forks into a Concat, is supported)", m->t[cur].name,
                            consumers(m, cur, &dummy));
        }
        if (fork) {
            /* the shortcut keeps the map of the layer that made it */
            if (skip_t >= 0 || br_t >= 0 || a->n_layers == 0 || !map) {
                zki_arch_free(a);
                return zki_fail(ZKI_ERR_UNSUPPORTED, "prove: tensor '%s' forks (into an Add or a Concat): "
                                "proven for a Conv or pool output, one fork at a time", m->t[cur].name);
            }
            if (fork == 4) {
                br_t = cur, br_node = scn, br_l = a->n_layers - 1, br_nonneg = nonneg;
                br_c = mc, br_h = mh, br_w = mw;
            } else {
                skip_t = cur;
                skip_l = a->n_layers - 1;
                skip_c = mc, skip_h = mh, skip_w = mw;
                sc_node = fork == 2 ? scn : -1;
            }
        }
        uint32_t xin = a->n_layers;
        if (br_t >= 0 && m->nodes[ni].op == ZKI_QOP_CONCAT) {
            /* the first branch has ended: its map waits at the Concat (as a
             * shortcut does) while the second branch is walked from the
             * fork's map; its head reads that map (a Conv, an AveragePool or
             * a scale alignment) */
            int h = m->nodes[br_node].op;
            if (h != ZKI_QOP_CONV && h != ZKI_QOP_AVGPOOL && h != ZKI_QOP_REQUANT) {
                zki_arch_free(a);
                return zki_fail(ZKI_ERR_UNSUPPORTED, "prove: node '%s' (%s) starts the second branch into a "
                                "Concat: proven for a Conv, an AveragePool or a scale alignment there",
                                m->nodes[br_node].name, zki_qop_name(h));
            }
            skip_t = cur;
            skip_l = a->n_layers - 1;
            skip_c = mc, skip_h = mh, skip_w = mw;
            cur = br_t;
            ni = br_node;
            xin = br_l + 1;
            mc = br_c, mh = br_h, mw = br_w, nonneg = br_nonneg, map = 1;
            feat = (int64_t)mc * mh * mw;
            br_t = -1;
        }
        if (sc_node >= 0 && m->nodes[ni].op == ZKI_QOP_ADD) {
            /* the branch has ended: the shortcut conv now reads the fork's
             * map, and the Add joins it with the branch's end */
            xin = skip_l + 1;
            ni = sc_node;
            sc_node = -1;
            int t = cur;
            cur = skip_t;
            skip_t = t;
            skip_l = a->n_layers - 1;
            mc = skip_c, mh = skip_h, mw = skip_w;
        }
        const zki_qnode *n = &m->nodes[ni];
        if (order && visited < m->n_nodes)
            order[visited] = ni;
        visited++;
        if (n->op == ZKI_QOP_CONCAT) {
            /* the join of the chain's map and the waiting one, in the node's
             * input order, along channels */
            const zki_qtensor *yt = &m->t[n->out];
            int main0 = n->n_in == 2 && n->in[0] == cur;
            int other = n->n_in == 2 ? n->in[main0 ? 1 : 0] : -1;
            int bad = skip_t < 0 || sc_node >= 0 || other != skip_t || other == cur ||
                      (!main0 && n->in[1] != cur) || !map || n->n_p < 1 || n->p[0] != 1 || yt->bits > 16 ||
                      yt->rank != 4 || yt->dims[0] != 1 || skip_h != mh || skip_w != mw;
            uint32_t ca = main0 ? mc : skip_c, cb = main0 ? skip_c : mc;
            bad = bad || yt->dims[1] != (int64_t)ca + cb || yt->dims[2] != mh || yt->dims[3] != mw ||
                  zki_log2_ceil((size_t)ca + cb) + zki_log2_ceil(mh) + zki_log2_ceil(mw) > 26;
            uint32_t sa = main0 ? a->n_layers - 1 : skip_l, sb = main0 ? skip_l : a->n_layers - 1;
            bad = bad || (uint32_t)yt->bits < a->layers[sa].out_bits || (uint32_t)yt->bits < a->layers[sb].out_bits;
            if (bad) {
                zki_arch_free(a);
                return zki_fail(ZKI_ERR_UNSUPPORTED, "prove: node '%s' (Concat): proven along the channels "
                                "(axis 1) of two Conv, pool, Add or Concat maps of the same height and width "
                                "(a fork into two branches, or an identity branch and another), outputs of "
                                "at most 16 bits holding both inputs", n->name);
            }
            zki_arch_layer *L = &a->layers[a->n_layers];
            L->xin = a->n_layers;
            L->kind = ZKI_LAYER_CONCAT;
            L->out_bits = (uint32_t)yt->bits;
            L->C = ca + cb, L->H = mh, L->W = mw, L->OC = ca + cb, L->G = 1;
            L->K = L->N = 1u << (zki_log2_ceil(ca + cb) + zki_log2_ceil(mh) + zki_log2_ceil(mw));
            L->sa = sa, L->sb = sb;
            uint8_t *nn = malloc(a->n_layers + 1u);
            if (!nn) {
                zki_arch_free(a);
                return zki_fail(ZKI_ERR_NOMEM, "prove: architecture");
            }
            nonneg_map(a, 0, a->n_layers, nn);
            nonneg = nn[sa] && nn[sb];
            free(nn);
            a->n_layers++;
            mc = ca + cb;
            feat = (int64_t)mc * mh * mw;
            skip_t = -1;
            cur = n->out;
            continue;
        }
        if (xin != a->n_layers && n->op != ZKI_QOP_CONV && n->op != ZKI_QOP_AVGPOOL &&
            n->op != ZKI_QOP_REQUANT) {
            zki_arch_free(a);
            return zki_fail(ZKI_ERR_UNSUPPORTED, "prove: node '%s' reads an earlier map (only a Conv, an "
                            "AveragePool or a scale alignment may)", n->name);
        }
        if (n->op == ZKI_QOP_ADD) {
            /* the residual join: the chain's map plus the shortcut's */
            const zki_qtensor *yt = &m->t[n->out];
            int main0 = n->n_in == 2 && n->in[0] == cur;
            int other = n->n_in == 2 ? n->in[main0 ? 1 : 0] : -1;
            int bad = skip_t < 0 || other != skip_t || (!main0 && n->in[1] != cur) || !map || n->n_p < 5 ||
                      yt->bits > 16 || n->p[2] < 1 || n->p[2] > 61 || n->p[3] > 0 || n->p[4] < 0 ||
                      n->p[3] < -(1ll << 15) || n->p[4] >= (1ll << 15);
            for (int k = 0; !bad && k < 2; k++)
                bad = n->p[k] == 0 || n->p[k] <= -(1ll << 31) || n->p[k] >= (1ll << 31);
            const zki_qtensor *ts3[3] = {&m->t[n->in[0]], &m->t[n->in[n->n_in > 1 ? 1 : 0]], yt};
            for (int k = 0; !bad && k < 3; k++)
                bad = ts3[k]->rank != 4 || ts3[k]->dims[0] != 1 || ts3[k]->dims[1] != mc ||
                      ts3[k]->dims[2] != mh || ts3[k]->dims[3] != mw;
            if (bad) {
                zki_arch_free(a);
                return zki_fail(ZKI_ERR_UNSUPPORTED, "prove: node '%s' (Add): proven as a residual join of "
                                "the chain's map and an earlier Conv or pool output of the same shape, "
                                "0 < |M| < 2^31, s <= 61, outputs at most 16 bits", n->name);
            }
            zki_arch_layer *L = &a->layers[a->n_layers];
            L->xin = a->n_layers;
            L->kind = ZKI_LAYER_ADD;
            L->out_bits = (uint32_t)yt->bits;
            L->M = 1;
            L->s = (uint32_t)n->p[2];
            L->lo = n->p[3];
            L->hi = n->p[4];
            L->C = mc, L->H = mh, L->W = mw, L->OC = mc, L->G = 1;
            L->K = L->N = 1u << (zki_log2_ceil(mc) + zki_log2_ceil(mh) + zki_log2_ceil(mw));
            L->sa = a->n_layers - 1;
            L->sb = skip_l;
            L->Ma = main0 ? n->p[0] : n->p[1];
            L->Mb = main0 ? n->p[1] : n->p[0];
            a->n_layers++;
            nonneg = n->p[3] >= 0;
            skip_t = -1;
            cur = n->out;
            continue;
        }
        if (n->op == ZKI_QOP_PAD) {
            /* exporters emit zero-amount Pads (torch's avg_pool2d): identity */
            const zki_qtensor *xi = &m->t[n->in[0]], *o = &m->t[n->out];
            int ident = n->in[0] == cur && o->rank == xi->rank && n->n_p == 2 + xi->rank;
            for (int i = 0; ident && i < o->rank; i++)
                ident = o->dims[i] == xi->dims[i] && n->p[2 + i] == 0;
            if (!ident) {
                zki_arch_free(a);
                return zki_fail(ZKI_ERR_UNSUPPORTED, "prove: node '%s' (Pad) pads (only zero-amount Pads "
                                "are proven, as the identity)", n->name);
            }
            cur = n->out;
            continue;
        }
        if (n->op == ZKI_QOP_RESHAPE) {
            const zki_qtensor *o = &m->t[n->out];
            if (zki_qnumel(o) != feat) {
                zki_arch_free(a);
                return zki_fail(ZKI_ERR_UNSUPPORTED, "prove: node '%s' (Reshape) changes the size", n->name);
            }
            /* a map only flattens ([1, C*H*W]) or keeps its shape */
            if (map && !(o->rank == 2 && o->dims[0] == 1) &&
                !(o->rank == 4 && o->dims[1] == mc && o->dims[2] == mh && o->dims[3] == mw)) {
                zki_arch_free(a);
                return zki_fail(ZKI_ERR_UNSUPPORTED, "prove: node '%s' (Reshape) reshapes a feature map "
                                "other than by flattening it", n->name);
            }
            cur = n->out;
            continue;
        }
        if (n->op == ZKI_QOP_MAXPOOL) {
            const zki_qtensor *xt = &m->t[n->in[0]], *yt = &m->t[n->out];
            const int64_t *p = n->p;
            /* pads read as the map's minimum (they never win); every window
             * must hold an element; larger windows as passes (maxpool_passes) */
            int bad = n->in[0] != cur || !map || xt->rank != 4 || xt->dims[1] != mc || xt->dims[2] != mh ||
                      xt->dims[3] != mw || yt->rank != 4 || yt->bits > 16 || yt->bits < xt->bits;
            for (int i = 0; !bad && i < 10; i++)
                bad = p[i] < (i >= 6 ? 0 : 1) || p[i] >= (1ll << 31);
            bad = bad || !pool_axis_covered(mh, p[0], p[2], p[4], p[6], p[8]) ||
                  !pool_axis_covered(mw, p[1], p[3], p[5], p[7], p[9]);
            /* stage geometry: KH KW sh sw dh dw pt pl pb pr */
            int64_t st2[4][10];
            int passes = bad ? 0 : maxpool_passes(p, st2);
            bad = bad || !passes;
            uint32_t sh_ = mh, sw_ = mw;
            for (int k = 0; !bad && k < passes; k++) {
                const int64_t *q = st2[k];
                zki_maxpool_dims pd;
                bad = zki_maxpool_dims_init(&pd, 1, mc, sh_, sw_, (uint64_t)q[0], (uint64_t)q[1], (uint64_t)q[2],
                                            (uint64_t)q[3], (uint64_t)q[4], (uint64_t)q[5], (uint64_t)q[6],
                                            (uint64_t)q[7], (uint64_t)q[8], (uint64_t)q[9]) != ZKI_OK ||
                      pd.lc + pd.loh + pd.low > 26;
                sh_ = (uint32_t)pd.OH, sw_ = (uint32_t)pd.OW;
            }
            bad = bad || yt->dims[1] != (int64_t)mc || yt->dims[2] != (int64_t)sh_ || yt->dims[3] != (int64_t)sw_;
            if (bad) {
                zki_arch_free(a);
                return zki_fail(ZKI_ERR_UNSUPPORTED, "prove: node '%s' (MaxPool): proven after a Conv, windows "
                                "of at most %dx%d (split into passes of at most %d elements), every window "
                                "holding an input element", n->name, 2 * ZKI_MAXPOOL_MAX_WINDOW,
                                2 * ZKI_MAXPOOL_MAX_WINDOW, ZKI_MAXPOOL_MAX_WINDOW);
            }
            for (int k = 0; k < passes; k++) {
                const int64_t *q = st2[k];
                zki_maxpool_dims pd;
                zki_maxpool_dims_init(&pd, 1, mc, mh, mw, (uint64_t)q[0], (uint64_t)q[1], (uint64_t)q[2],
                                      (uint64_t)q[3], (uint64_t)q[4], (uint64_t)q[5], (uint64_t)q[6],
                                      (uint64_t)q[7], (uint64_t)q[8], (uint64_t)q[9]);
                zki_arch_layer *L = &a->layers[a->n_layers];
                L->xin = a->n_layers++;
                L->kind = ZKI_LAYER_MAXPOOL;
                L->out_bits = (uint32_t)yt->bits;
                L->C = mc, L->H = mh, L->W = mw, L->OC = mc, L->G = 1;
                L->KH = (uint32_t)q[0], L->KW = (uint32_t)q[1], L->sh = (uint32_t)q[2], L->sw = (uint32_t)q[3];
                L->dh = (uint32_t)q[4], L->dw = (uint32_t)q[5];
                L->pt = (uint32_t)q[6], L->pl = (uint32_t)q[7], L->pb = (uint32_t)q[8], L->pr = (uint32_t)q[9];
                L->K = 1u << (pd.lc + pd.lh + pd.lw);
                L->N = 1u << (pd.lc + pd.loh + pd.low);
                mh = (uint32_t)pd.OH, mw = (uint32_t)pd.OW;
            }
            feat = (int64_t)mc * mh * mw;
            cur = n->out;
            continue;
        }
        /* GlobalAveragePool: a MEAN over the two spatial axes of a map */
        int is_gap = n->op == ZKI_QOP_MEAN && m->t[n->in[0]].rank == 4 && n->p[4] == 12;
        /* a map's REQUANT (the quantiser's scale alignment before a Concat) */
        int is_rq = n->op == ZKI_QOP_REQUANT && map && m->t[n->in[0]].rank == 4 && n->n_p >= 4;
        if (n->op != ZKI_QOP_LINEAR && n->op != ZKI_QOP_CONV && n->op != ZKI_QOP_AVGPOOL && !is_gap && !is_rq) {
            zki_arch_free(a);
            return zki_fail(ZKI_ERR_UNSUPPORTED, "prove: node '%s' (%s) is outside the provable class "
                            "(" ZKI_PROVABLE_CLASS ")", n->name, zki_qop_name(n->op));
        }
        /* AveragePool is a depthwise conv with unit weights and no bias: the
         * window sum, then the requantisation (constant divisor in M); a
         * global one has the whole map as its window, a REQUANT a 1x1 one */
        int is_pool = n->op == ZKI_QOP_AVGPOOL || is_gap || is_rq;
        int is_conv = n->op == ZKI_QOP_CONV || is_pool;
        const zki_qtensor *w = is_pool ? NULL : &m->t[n->in[1]];
        int bi = !is_pool && n->n_in > 2 ? n->in[2] : -1;
        const zki_qtensor *xt = &m->t[n->in[0]], *yt = &m->t[n->out];
        zki_conv_dims cd;
        int bad = n->in[0] != cur || (w && ((w->bits != 8 && w->bits != 16) || w->kind != ZKI_QT_CONST)) ||
                  (bi >= 0 && m->t[bi].kind != ZKI_QT_CONST) || yt->bits > 16 || n->p[1] < 1 ||
                  n->p[1] > 61 || n->p[0] == 0 || n->p[0] <= -(1ll << 31) || n->p[0] >= (1ll << 31) ||
                  n->p[2] > 0 || n->p[3] < 0;
        if (is_conv) {
            /* geometry G KH KW sh sw dh dw pt pl pb pr, and the output channels */
            int64_t g[11], oc;
            if (is_rq) {
                const int64_t gp[11] = {xt->dims[1], 1, 1, 1, 1, 1, 1, 0, 0, 0, 0};
                memcpy(g, gp, sizeof(g));
                oc = g[0];
            } else if (is_gap) {
                const int64_t gp[11] = {xt->dims[1], xt->dims[2], xt->dims[3], 1, 1, 1, 1, 0, 0, 0, 0};
                memcpy(g, gp, sizeof(g));
                oc = g[0];
            } else if (is_pool) {
                const int64_t gp[11] = {xt->rank == 4 ? xt->dims[1] : 0, n->p[4], n->p[5], n->p[6], n->p[7], 1, 1,
                                        n->p[8], n->p[9], n->p[10], n->p[11]};
                memcpy(g, gp, sizeof(g));
                oc = g[0];
            } else {
                memcpy(g, n->p + 4, sizeof(g));
                oc = w->rank == 4 ? w->dims[0] : 0;
            }
            /* a conv reads the input image or the previous conv's map */
            bad = bad || xt->rank != 4 || xt->dims[0] != 1 || (w && w->rank != 4) || yt->rank != 4 ||
                  (a->n_layers > 0 && !map) || (map && (xt->dims[1] != mc || xt->dims[2] != mh ||
                                                        xt->dims[3] != mw));
            for (int i = 0; !bad && i < 11; i++)
                bad = g[i] < (i >= 7 ? 0 : 1) || g[i] >= (1ll << 31);
            bad = bad || oc < 1 || oc >= (1ll << 31) ||
                  zki_conv_dims_init(&cd, 1, (uint64_t)xt->dims[1], (uint64_t)xt->dims[2],
                                     (uint64_t)xt->dims[3], (uint64_t)oc, (uint64_t)g[1], (uint64_t)g[2],
                                     (uint64_t)g[3], (uint64_t)g[4], (uint64_t)g[5], (uint64_t)g[6],
                                     (uint64_t)g[7], (uint64_t)g[8], (uint64_t)g[9], (uint64_t)g[10],
                                     (uint64_t)g[0], bi >= 0);
            bad = bad || (w && (w->dims[1] != (int64_t)cd.Cig || w->dims[2] != g[1] || w->dims[3] != g[2])) ||
                  yt->dims[1] != (int64_t)cd.OC || yt->dims[2] != (int64_t)cd.OH ||
                  yt->dims[3] != (int64_t)cd.OW || cd.lc + cd.lh + cd.lw > 26 ||
                  cd.loc + cd.loh + cd.low > 26;
        } else {
            bad = bad || w->rank != 2 || w->dims[1] != feat || w->dims[0] < 1 ||
                  w->dims[0] > ZKI_ARCH_MAX_DIM || feat > ZKI_ARCH_MAX_DIM;
        }
        if (bad) {
            zki_arch_free(a);
            return zki_fail(ZKI_ERR_UNSUPPORTED, "prove: node '%s' (%s): weights must be int8/int16 "
                            "constants on a one-row input (Linear [N, %lld]; Conv on the input image or "
                            "the previous Conv), outputs at most 16 "
                            "bits, 0 < |M| < 2^31, s <= 61, clamp range containing 0",
                            n->name, zki_qop_name(n->op), (long long)feat);
        }
        zki_arch_layer *L = &a->layers[a->n_layers++];
        L->xin = xin;
        int in_nonneg = nonneg;
        nonneg = n->p[2] >= 0;
        L->has_bias = bi >= 0;
        L->w_bits = w ? (uint32_t)w->bits : 8;
        L->out_bits = (uint32_t)yt->bits;
        L->M = n->p[0];
        L->s = (uint32_t)n->p[1];
        L->lo = n->p[2];
        L->hi = n->p[3];
        if (is_rq && in_nonneg && L->M > 0 && L->lo < 0) {
            /* rq(x M) >= 0 for x >= 0, M > 0: the clamp at 0 changes nothing
             * and keeps the map proven nonnegative (pads of a later pool) */
            L->lo = 0;
            nonneg = 1;
        }
        if (is_conv) {
            L->kind = ZKI_LAYER_CONV;
            L->C = (uint32_t)cd.C, L->H = (uint32_t)cd.H, L->W = (uint32_t)cd.W;
            L->OC = (uint32_t)cd.OC, L->KH = (uint32_t)cd.KH, L->KW = (uint32_t)cd.KW;
            L->sh = (uint32_t)cd.sh, L->sw = (uint32_t)cd.sw, L->dh = (uint32_t)cd.dh;
            L->dw = (uint32_t)cd.dw, L->pt = (uint32_t)cd.pt, L->pl = (uint32_t)cd.pl;
            L->pb = (uint32_t)cd.pb, L->pr = (uint32_t)cd.pr, L->G = (uint32_t)cd.G;
            L->K = 1u << (cd.lc + cd.lh + cd.lw);
            L->N = 1u << (cd.loc + cd.loh + cd.low);
            map = 1;
            mc = (uint32_t)cd.OC, mh = (uint32_t)cd.OH, mw = (uint32_t)cd.OW;
            feat = (int64_t)(cd.OC * cd.OH * cd.OW);
        } else {
            L->kind = ZKI_LAYER_LINEAR;
            L->K = (uint32_t)feat;
            if (map) {
                L->C = mc, L->H = mh, L->W = mw;
                L->K = 1u << (zki_log2_ceil(mc) + zki_log2_ceil(mh) + zki_log2_ceil(mw));
            }
            L->N = (uint32_t)w->dims[0];
            map = 0;
            feat = w->dims[0];
        }
        cur = n->out;
    }
    if (a->n_layers > 0 && a->layers[a->n_layers - 1].kind == ZKI_LAYER_CONCAT) {
        zki_arch_free(a);
        return zki_fail(ZKI_ERR_UNSUPPORTED, "prove: the output comes from a Concat (a Concat's map is "
                        "not committed; end the model with a layer after it)");
    }
    if (a->n_layers == 0) {
        zki_arch_free(a);
        return zki_fail(ZKI_ERR_UNSUPPORTED, "prove: the model has no Linear (Gemm/MatMul), Conv or pool "
                        "layer to prove");
    }
    if (visited != m->n_nodes || skip_t >= 0 || br_t >= 0) {
        zki_arch_free(a);
        return zki_fail(ZKI_ERR_UNSUPPORTED, "prove: %d of the graph's %d nodes are off the input-output "
                        "chain (only chains with residual or concat forks are proven)",
                        m->n_nodes - visited, m->n_nodes);
    }
    return ZKI_OK;
}

zki_status zki_arch_from_qmodel(const zki_qmodel *m, zki_arch *a) { return arch_walk(m, a, NULL); }

static void arch_write(zki_wbuf *w, const zki_arch *a)
{
    zki_wb_u32(w, a->n_layers);
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
    for (uint32_t l = 0; l < a->n_layers; l++) {
        const zki_arch_layer *L = &a->layers[l];
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
        zki_wb_u32(w, L->xin);
        if (L->kind == ZKI_LAYER_ADD) {
            zki_wb_u32(w, L->sa);
            zki_wb_u32(w, L->sb);
            zki_wb_i64(w, L->Ma);
            zki_wb_i64(w, L->Mb);
        }
        if (L->kind == ZKI_LAYER_CONCAT) {
            zki_wb_u32(w, L->sa);
            zki_wb_u32(w, L->sb);
        }
    }
}

static zki_status arch_read(zki_rbuf *r, zki_arch *a)
{
    memset(a, 0, sizeof(*a));
    size_t at = r->pos;
    uint8_t *nn = NULL;
#define NEED(c, what)                                                                             \
    do {                                                                                          \
        if (!(c)) {                                                                               \
            zki_arch_free(a);                                                                     \
            free(nn);                                                                             \
            return zki_fail(ZKI_ERR_INPUT, "vk: bad architecture at byte %zu: %s", r->pos, what); \
        }                                                                                         \
    } while (0)
    NEED(zki_rb_u32(r, &a->n_layers) && a->n_layers >= 1 && a->n_layers <= ZKI_ARCH_MAX_LAYERS,
         "layer count");
    NEED(zki_rb_left(r) >= (size_t)a->n_layers * 120, "truncated layers");
    NEED(zki_rb_u32(r, &a->in_bits) && a->in_bits >= 2 && a->in_bits <= 16, "input bits");
    NEED(zki_rb_u32(r, &a->out_bits) && a->out_bits >= 2 && a->out_bits <= 16, "output bits");
    NEED(zki_rb_u32(r, &a->in_rank) && a->in_rank <= ZKI_QMAX_RANK, "input rank");
    int64_t in_n = 1, out_n = 1;
    for (uint32_t i = 0; i < a->in_rank; i++) {
        NEED(zki_rb_i64(r, &a->in_dims[i]) && a->in_dims[i] >= 1 && a->in_dims[i] <= ZKI_ARCH_MAX_DIM,
             "input dim");
        in_n *= a->in_dims[i];
        NEED(in_n <= ZKI_ARCH_MAX_DIM, "input size");
    }
    NEED(zki_rb_u32(r, &a->out_rank) && a->out_rank <= ZKI_QMAX_RANK, "output rank");
    for (uint32_t i = 0; i < a->out_rank; i++) {
        NEED(zki_rb_i64(r, &a->out_dims[i]) && a->out_dims[i] >= 1 && a->out_dims[i] <= ZKI_ARCH_MAX_DIM,
             "output dim");
        out_n *= a->out_dims[i];
        NEED(out_n <= ZKI_ARCH_MAX_DIM, "output size");
    }
    NEED(zki_rb_f64(r, &a->in_scale) && zki_rb_f64(r, &a->out_scale), "scales");
    a->layers = calloc(a->n_layers, sizeof(zki_arch_layer));
    NEED(a->layers, "out of memory");
    int64_t feat = in_n;
    nn = calloc(a->n_layers, 1); /* per layer: output proven >= 0 */
    NEED(nn, "out of memory");
    for (uint32_t l = 0; l < a->n_layers; l++) {
        zki_arch_layer *L = &a->layers[l];
        NEED(zki_rb_u32(r, &L->K) && zki_rb_u32(r, &L->N) && zki_rb_u32(r, &L->has_bias) &&
                 zki_rb_u32(r, &L->w_bits) && zki_rb_u32(r, &L->out_bits) && zki_rb_u32(r, &L->s) &&
                 zki_rb_i64(r, &L->M) && zki_rb_i64(r, &L->lo) && zki_rb_i64(r, &L->hi) &&
                 zki_rb_u32(r, &L->q_log),
             "truncated layer");
        uint32_t *g[16] = {&L->kind, &L->C, &L->H, &L->W, &L->OC, &L->KH, &L->KW, &L->sh,
                           &L->sw, &L->dh, &L->dw, &L->pt, &L->pl, &L->pb, &L->pr, &L->G};
        for (int i = 0; i < 16; i++)
            NEED(zki_rb_u32(r, g[i]), "truncated layer geometry");
        NEED(zki_rb_u32(r, &L->xin) && (L->xin == l || (L->kind == ZKI_LAYER_CONV && L->xin >= 1 && L->xin < l)),
             "layer input: the previous layer's output (a shortcut conv: an earlier one)");
        NEED(L->kind <= ZKI_LAYER_CONCAT, "layer kind");
        if (L->kind == ZKI_LAYER_ADD)
            NEED(zki_rb_u32(r, &L->sa) && zki_rb_u32(r, &L->sb) && zki_rb_i64(r, &L->Ma) &&
                     zki_rb_i64(r, &L->Mb),
                 "truncated add layer");
        if (L->kind == ZKI_LAYER_CONCAT)
            NEED(zki_rb_u32(r, &L->sa) && zki_rb_u32(r, &L->sb), "truncated concat layer");
        NEED(L->K >= 1 && L->K <= ZKI_ARCH_MAX_DIM && L->N >= 1 && L->N <= ZKI_ARCH_MAX_DIM &&
                 L->out_bits >= 2 && L->out_bits <= 16, "layer sizes out of range");
        if (L->kind == ZKI_LAYER_MAXPOOL || L->kind == ZKI_LAYER_CONCAT)
            NEED(L->has_bias == 0 && L->w_bits == 0 && L->s == 0 && L->M == 0 && L->lo == 0 && L->hi == 0 &&
                     L->q_log == 0, "fields on a pool or concat layer");
        else
            NEED(L->has_bias <= (L->kind == ZKI_LAYER_ADD ? 0u : 1u) &&
                     (L->kind == ZKI_LAYER_ADD ? L->w_bits == 0 && L->M == 1 : (L->w_bits == 8 || L->w_bits == 16)) &&
                     L->s >= 1 && L->s <= 61 &&
                     L->lo <= 0 && L->hi >= 0 && L->lo >= -(1ll << 15) && L->hi < (1ll << 15) && L->M != 0 &&
                     L->M > -(1ll << 31) && L->M < (1ll << 31) && L->q_log >= 2 &&
                     L->q_log <= ZKI_ARCH_MAX_Q_LOG,
                 "layer fields out of range");
        zki_status rs = zki_arch_layer_ranges(a, l);
        if (rs) {
            zki_arch_free(a);
            free(nn);
            return rs;
        }
        /* the map a conv, pool or flattening linear layer reads */
        uint32_t pc = 0, ph = 0, pw = 0;
        uint32_t src = L->xin;
        int pmap = src > 0 && zki_arch_out_map(&a->layers[src - 1], &pc, &ph, &pw);
        if (L->kind == ZKI_LAYER_CONV) {
            /* a conv reads the input image or the previous map */
            zki_conv_dims cd;
            NEED(src == 0 || pmap, "conv position");
            NEED(zki_arch_conv_dims(L, 1, &cd) == ZKI_OK && cd.lc + cd.lh + cd.lw <= 26 &&
                     cd.loc + cd.loh + cd.low <= 26,
                 "conv geometry");
            NEED(L->K == 1u << (cd.lc + cd.lh + cd.lw) && L->N == 1u << (cd.loc + cd.loh + cd.low),
                 "conv feature counts");
            NEED(src > 0 || (int64_t)cd.C * (int64_t)cd.H * (int64_t)cd.W == in_n, "conv input size");
            NEED(src == 0 || (pc == L->C && ph == L->H && pw == L->W),
                 "conv input map differs from the previous layer's output");
        } else if (L->kind == ZKI_LAYER_MAXPOOL) {
            zki_maxpool_dims pd;
            NEED(pmap && pc == L->C && ph == L->H && pw == L->W && L->OC == L->C && L->G == 1 &&
                     a->layers[l - 1].out_bits <= L->out_bits,
                 "pool input map differs from the previous layer's output");
            NEED(zki_arch_pool_dims(L, 1, &pd) == ZKI_OK && pd.lc + pd.loh + pd.low <= 26 &&
                     L->K == 1u << (pd.lc + pd.lh + pd.lw) && L->N == 1u << (pd.lc + pd.loh + pd.low),
                 "pool geometry");
        } else if (L->kind == ZKI_LAYER_ADD) {
            /* two earlier maps of this shape (the previous layer's among
             * them, so the chain still runs through every layer) */
            uint32_t ac = 0, ah = 0, aw = 0, bc = 0, bh = 0, bw = 0;
            NEED(pmap && pc == L->C && ph == L->H && pw == L->W && L->OC == L->C &&
                     L->G == 1 && !L->KH && !L->KW && !L->sh && !L->sw && !L->dh && !L->dw && !L->pt &&
                     !L->pl && !L->pb && !L->pr && (L->sa == l - 1 || L->sb == l - 1) && L->sa < l &&
                     L->sb < l && L->sa != L->sb &&
                     zki_arch_out_map(&a->layers[L->sa], &ac, &ah, &aw) &&
                     zki_arch_out_map(&a->layers[L->sb], &bc, &bh, &bw) && ac == pc && ah == ph &&
                     aw == pw && bc == pc && bh == ph && bw == pw &&
                     L->K == 1u << (zki_log2_ceil(pc) + zki_log2_ceil(ph) + zki_log2_ceil(pw)) &&
                     L->N == L->K && L->Ma != 0 && L->Mb != 0 && L->Ma > -(1ll << 31) &&
                     L->Ma < (1ll << 31) && L->Mb > -(1ll << 31) && L->Mb < (1ll << 31),
                 "add layer: inputs, map or multipliers");
            /* a shortcut conv is joined at once with the branch it skipped */
            NEED(a->layers[l - 1].xin == l - 1 || (l >= 2 && (L->sa == l - 2 || L->sb == l - 2)),
                 "add layer after a shortcut conv");
        } else if (L->kind == ZKI_LAYER_CONCAT) {
            /* two earlier maps of this height and width (the previous
             * layer's among them), channels C = C_sa + C_sb */
            uint32_t ac = 0, ah = 0, aw = 0, bc = 0, bh = 0, bw = 0;
            NEED(l + 1 < a->n_layers && L->xin == l && L->sa < l && L->sb < l && L->sa != L->sb &&
                     (L->sa == l - 1 || L->sb == l - 1) && zki_arch_out_map(&a->layers[L->sa], &ac, &ah, &aw) &&
                     zki_arch_out_map(&a->layers[L->sb], &bc, &bh, &bw) && ah == L->H && bh == L->H &&
                     aw == L->W && bw == L->W && (uint64_t)ac + bc == L->C && L->OC == L->C && L->G == 1 &&
                     !L->KH && !L->KW && !L->sh && !L->sw && !L->dh && !L->dw && !L->pt && !L->pl && !L->pb &&
                     !L->pr && zki_log2_ceil(L->C) + zki_log2_ceil(L->H) + zki_log2_ceil(L->W) <= 26 &&
                     L->K == 1u << (zki_log2_ceil(L->C) + zki_log2_ceil(L->H) + zki_log2_ceil(L->W)) &&
                     L->N == L->K && L->out_bits >= a->layers[L->sa].out_bits &&
                     L->out_bits >= a->layers[L->sb].out_bits,
                 "concat layer: inputs, map or bits");
        } else if (pmap) {
            NEED(L->C == pc && L->H == ph && L->W == pw, "flattened map differs from the previous layer's output");
        } else {
            NEED(L->C == 0 && L->H == 0 && L->W == 0 && L->OC == 0 && L->KH == 0 && L->KW == 0 &&
                     L->G == 0 && L->sh == 0 && L->sw == 0 && L->dh == 0 && L->dw == 0 && L->pt == 0 &&
                     L->pl == 0 && L->pb == 0 && L->pr == 0,
                 "geometry on a linear layer");
        }
        NEED((l == 0 && L->kind == ZKI_LAYER_CONV) || L->kind == ZKI_LAYER_CONCAT ||
                 L->K == (src == l ? feat : a->layers[src - 1].N),
             "layer input size differs from the previous layer");
        nonneg_map(a, l, l + 1, nn);
        feat = L->N;
    }
    free(nn);
    nn = NULL;
    NEED(a->layers[a->n_layers - 1].kind != ZKI_LAYER_CONCAT && (int64_t)zki_arch_out_len(a) == out_n,
         "output size differs from the last layer");
    /* a layer reading an earlier map: a shortcut conv right before its add,
     * or the head of a Concat's second branch (the previous layer, the
     * first branch's end, then feeds a later concat) */
    for (uint32_t l = 0; l + 1 < a->n_layers; l++) {
        int ok = a->layers[l].xin == l || a->layers[l + 1].kind == ZKI_LAYER_ADD;
        for (uint32_t k = l + 1; !ok && l >= 1 && k < a->n_layers; k++)
            ok = a->layers[k].kind == ZKI_LAYER_CONCAT && (a->layers[k].sa == l - 1 || a->layers[k].sb == l - 1);
        NEED(ok, "a layer reading an earlier map: not a shortcut conv followed by its add, nor a concat "
             "branch's head");
    }
#undef NEED
    (void)at;
    return ZKI_OK;
}

zki_status zki_vk_to_bytes(const zki_vk *vk, uint8_t **out, size_t *len)
{
    zki_wbuf w = {0};
    zki_wbuf ab = {0};
    arch_write(&ab, &vk->arch);
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
    zki_arch_free(&vk->arch);
    zki_pcs_commitment_free(&vk->wcom);
    zki_pack_free(&vk->wpack);
    free(vk->w_seg);
    free(vk->b_seg);
    memset(vk, 0, sizeof(*vk));
}

static zki_status vk_finish(zki_vk *vk)
{
    zki_wbuf ab = {0};
    arch_write(&ab, &vk->arch);
    if (ab.oom)
        return zki_fail(ZKI_ERR_NOMEM, "vk: arch");
    zki_sha256(&vk->arch_hash, ab.p, ab.n);
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
    zki_status st = arch_read(&ar, &vk->arch);
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
    for (uint32_t l = 0; l < pk->vk.arch.n_layers; l++)
        if (pk->bias)
            free(pk->bias[l]);
    for (uint32_t l = 0; pk->w && l < pk->vk.arch.n_layers; l++)
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
    int *order = calloc(m->n_nodes ? (size_t)m->n_nodes : 1, sizeof(int));
    if (!order) {
        free(pk);
        return zki_fail(ZKI_ERR_NOMEM, "setup");
    }
    if ((st = arch_walk(m, &pk->vk.arch, order))) {
        free(order);
        free(pk);
        return st;
    }
    uint32_t L = pk->vk.arch.n_layers;
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
    /* the nodes in layer order, to reach each layer's constants */
    uint32_t l = 0;
    for (int oi = 0; oi < m->n_nodes; oi++) {
        const zki_qnode *n = &m->nodes[order[oi]];
        if (n->op == ZKI_QOP_CONCAT) { /* no constants, no requantisation */
            l++;
            continue;
        }
        if (n->op == ZKI_QOP_ADD) {
            /* worst |acc| = |Ma| 2^(ba-1) + |Mb| 2^(bb-1) bounds the quotient */
            zki_arch_layer *A = &pk->vk.arch.layers[l];
            const zki_arch_layer *la = &pk->vk.arch.layers[A->sa], *lb = &pk->vk.arch.layers[A->sb];
            __int128 worst = ((__int128)(A->Ma < 0 ? -A->Ma : A->Ma) << (la->out_bits - 1)) +
                             ((__int128)(A->Mb < 0 ? -A->Mb : A->Mb) << (lb->out_bits - 1));
            __int128 qb = (worst >> A->s) + 2;
            uint32_t ql = 2;
            while (ql < ZKI_ARCH_MAX_Q_LOG && ((__int128)1 << (ql - 1)) <= qb)
                ql++;
            A->q_log = ql;
            l++;
            continue;
        }
        if (n->op == ZKI_QOP_MAXPOOL) { /* one layer per pass */
            int64_t st2[4][10];
            l += (uint32_t)maxpool_passes(n->p, st2);
            continue;
        }
        if (n->op != ZKI_QOP_LINEAR && n->op != ZKI_QOP_CONV && n->op != ZKI_QOP_AVGPOOL &&
            n->op != ZKI_QOP_MEAN && n->op != ZKI_QOP_REQUANT)
            continue;
        const zki_arch_layer *A = &pk->vk.arch.layers[l];
        /* (Global)AveragePool, REQUANT: unit weights (one per channel and window position) */
        const int64_t *W = n->op == ZKI_QOP_AVGPOOL || n->op == ZKI_QOP_MEAN || n->op == ZKI_QOP_REQUANT
                               ? NULL : m->t[n->in[1]].data;
        /* real rows x columns, and where each entry lands in the gadgets'
         * copy: CONV dense [OC][Cig][KH][KW], LINEAR [N][2^lk] padded */
        uint64_t rows, cols;
        zki_conv_dims cd;
        if (A->kind == ZKI_LAYER_CONV) {
            if ((st = zki_arch_conv_dims(A, 1, &cd)))
                goto fail;
            rows = cd.OC;
            cols = cd.Cig * cd.KH * cd.KW;
        } else {
            rows = A->N;
            cols = A->C ? (uint64_t)A->C * A->H * A->W : A->K;
        }
        uint64_t kp = (uint64_t)1 << zki_log2_ceil(A->K);
        pk->w[l] = calloc(A->kind == ZKI_LAYER_CONV ? rows * cols : rows * kp, es);
        if (!pk->w[l]) {
            st = zki_fail(ZKI_ERR_NOMEM, "setup: weights of layer %u", l);
            goto fail;
        }
        for (uint64_t r = 0; r < rows; r++)
            for (uint64_t k = 0; k < cols; k++) {
                int64_t v = W ? W[r * cols + k] : 1;
                uint64_t at;
                if (A->kind == ZKI_LAYER_CONV) {
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
            uint32_t ib = A->xin == 0 ? pk->vk.arch.in_bits : pk->vk.arch.layers[A->xin - 1].out_bits;
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
            while (ql < ZKI_ARCH_MAX_Q_LOG && ((__int128)1 << (ql - 1)) <= qb)
                ql++;
            pk->vk.arch.layers[l].q_log = ql;
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
        l++;
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
    const zki_arch *a = &vk->arch;
#define P(...)                                                             \
    do {                                                                   \
        if (n < cap)                                                       \
            n += (size_t)snprintf(buf + n, cap - n, __VA_ARGS__);          \
    } while (0)
    uint64_t params = 0;
    for (uint32_t l = 0; l < a->n_layers; l++)
        params += a->layers[l].kind == ZKI_LAYER_MAXPOOL || a->layers[l].kind == ZKI_LAYER_ADD ||
                          a->layers[l].kind == ZKI_LAYER_CONCAT
                      ? 0
                  : a->layers[l].kind == ZKI_LAYER_CONV
                      ? (uint64_t)a->layers[l].OC * (a->layers[l].C / a->layers[l].G) * a->layers[l].KH *
                                a->layers[l].KW + (a->layers[l].has_bias ? a->layers[l].OC : 0)
                  : (uint64_t)(a->layers[l].C ? (uint64_t)a->layers[l].C * a->layers[l].H * a->layers[l].W
                                              : a->layers[l].K) * a->layers[l].N +
                        (a->layers[l].has_bias ? a->layers[l].N : 0);
    P("verification key v%u: %u layers, %llu weights (committed, not in the key)\n", ZKI_VK_VERSION,
      a->n_layers, (unsigned long long)params);
    P("  input  %u bits, scale %g, %u dims; output %u bits, scale %g\n", a->in_bits, a->in_scale,
      a->in_rank, a->out_bits, a->out_scale);
    for (uint32_t l = 0; l < a->n_layers && l < 64; l++) {
        const zki_arch_layer *L = &a->layers[l];
        if (L->kind == ZKI_LAYER_CONCAT)
            P("  %3u Concat %ux%ux%u: layer %u's channels, then layer %u's\n", l, L->C, L->H, L->W, L->sa, L->sb);
        else if (L->kind == ZKI_LAYER_ADD)
            P("  %3u Add %ux%ux%u: layer %u * %lld + layer %u * %lld, requant s=%u clamp [%lld, %lld]\n", l, L->C,
              L->H, L->W, L->sa, (long long)L->Ma, L->sb, (long long)L->Mb, L->s, (long long)L->lo,
              (long long)L->hi);
        else if (L->kind == ZKI_LAYER_MAXPOOL)
            P("  %3u MaxPool %ux%ux%u, window %ux%u, stride %ux%u, dilation %ux%u\n", l, L->C, L->H, L->W, L->KH,
              L->KW, L->sh, L->sw, L->dh, L->dw);
        else if (L->kind == ZKI_LAYER_CONV)
            P("  %3u Conv %ux%ux%u -> %u channels, kernel %ux%u, stride %ux%u, dilation %ux%u, pads %u %u %u %u, "
              "%u groups, int%u weights%s, requant M=%lld s=%u clamp [%lld, %lld]\n", l, L->C, L->H, L->W, L->OC,
              L->KH, L->KW, L->sh, L->sw, L->dh, L->dw, L->pt, L->pl, L->pb, L->pr, L->G, L->w_bits,
              L->has_bias ? " + bias" : "", (long long)L->M, L->s, (long long)L->lo, (long long)L->hi);
        else
            P("  %3u Linear %u -> %u, int%u weights%s, requant M=%lld s=%u clamp [%lld, %lld]\n", l, L->K, L->N,
              L->w_bits, L->has_bias ? " + bias" : "", (long long)L->M, L->s, (long long)L->lo, (long long)L->hi);
    }
    if (a->n_layers > 64)
        P("  ... %u more layers\n", a->n_layers - 64);
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
        P("%02x", vk->arch_hash.b[i]);
    P("...\n");
#undef P
}
