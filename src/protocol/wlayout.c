/* Weight commitment layout (see wlayout.h). */
#include "protocol/wlayout.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "poly/mle.h"

static int has_weights(const zki_dag_node *L)
{
    return L->kind == ZKI_NODE_LINEAR || L->kind == ZKI_NODE_CONV || L->kind == ZKI_NODE_GATHER;
}

zki_status zki_vk_layout(zki_vk *vk)
{
    const zki_dag *a = &vk->dag;
    uint32_t L = a->n_nodes, n = 0;
    size_t cap = 0;
    zki_status st = ZKI_OK;
    vk->w_seg = malloc(sizeof(uint32_t) * (L ? L : 1));
    vk->b_seg = malloc(sizeof(uint32_t) * (L ? L : 1));
    if (!vk->w_seg || !vk->b_seg)
        return zki_fail(ZKI_ERR_NOMEM, "vk layout");
    vk->w_type = ZKI_PCS_I8;
    /* segment count first: a conv layer has KH*KW of them */
    for (uint32_t l = 0; l < L; l++) {
        const zki_dag_node *Ly = &a->nodes[l];
        if (!has_weights(Ly))
            continue;
        cap += (Ly->kind == ZKI_NODE_CONV ? (size_t)Ly->KH * Ly->KW : 1) + (Ly->has_bias ? 1 : 0); /* at most */
    }
    size_t *nv = malloc(sizeof(size_t) * (cap ? cap : 1));
    if (!nv)
        return zki_fail(ZKI_ERR_NOMEM, "vk layout");
    for (uint32_t l = 0; l < L; l++) {
        const zki_dag_node *Ly = &a->nodes[l];
        vk->b_seg[l] = vk->w_seg[l] = UINT32_MAX;
        if (!has_weights(Ly))
            continue;
        if (Ly->w_bits == 16)
            vk->w_type = ZKI_PCS_I16;
        vk->w_seg[l] = n;
        size_t lo;
        if (Ly->kind == ZKI_NODE_CONV) {
            zki_conv_dims cd;
            if ((st = zki_dag_conv_dims(Ly, 1, &cd)))
                goto out;
            if (zki_conv_one_segment(&cd))
                nv[n++] = cd.loc + cd.licl + cd.lkh + cd.lkw;
            else
                for (uint64_t k = 0; k < cd.KH * cd.KW; k++)
                    nv[n++] = cd.loc + cd.licl;
            lo = cd.loc;
        } else { /* a LINEAR's [N][2^lk], a GATHER's table [V][2^ld] */
            lo = zki_log2_ceil(Ly->kind == ZKI_NODE_GATHER ? Ly->OC : Ly->N);
            nv[n++] = lo + zki_log2_ceil(Ly->K);
        }
        if (Ly->has_bias) {
            vk->b_seg[l] = n;
            nv[n++] = lo;
        }
    }
    if (n == 0) {
        st = zki_fail(ZKI_ERR_INPUT, "vk layout: the model has no weights to commit");
        goto out;
    }
    st = zki_pack_init(&vk->wpack, nv, n);
out:
    free(nv);
    return st;
}

uint32_t zki_vk_weight_lens(const zki_vk *vk, uint64_t lens[3])
{
    lens[0] = vk->wpack.total;
    return 1;
}

/* Upper bound on the column reduction's groups (pack.c) at row width 2^lc:
 * one per layer whose weights span whole rows (a conv layer's slices share
 * one point), one per bias spanning rows, one per row of small segments. */
static uint64_t colred_groups(const zki_vk *vk, uint32_t lc)
{
    uint64_t groups = 0, small = 0;
    for (uint32_t l = 0; l < vk->dag.n_nodes; l++) {
        uint32_t segs[2] = {vk->w_seg[l], vk->b_seg[l]};
        for (int i = 0; i < 2; i++) {
            if (segs[i] == UINT32_MAX)
                continue;
            zki_conv_dims cd;
            uint64_t nseg = i == 0 && vk->dag.nodes[l].kind == ZKI_NODE_CONV &&
                                    !zki_dag_conv_dims(&vk->dag.nodes[l], 1, &cd)
                                ? zki_conv_wsegs(&cd)
                                : 1;
            if (vk->wpack.nv[segs[i]] >= lc)
                groups++;
            else /* a conv layer's slices are consecutive segments of one size */
                small += nseg << vk->wpack.nv[segs[i]];
        }
    }
    return groups + ((small + ((uint64_t)1 << lc) - 1) >> lc);
}

uint32_t zki_weight_log_cols(const zki_vk *vk)
{
    /* the PCS's own estimate of the opening bytes (pcs.h) at the key's
     * parameters; the column reduction holds groups x 2^lc extension
     * pairs (32 bytes each), kept under 2^22 (128 MiB) or, for a larger
     * model, the int32 weight table's own size: GPT-2's 50 LayerNorms have
     * 768 unit-weight slices each, which at 2^22 held its rows to 2^7
     * entries and its opening to 1.3 M rows (a 3 GiB verifier bound) */
    uint64_t lens[3];
    uint32_t nt = zki_vk_weight_lens(vk, lens);
    zki_pcs_params p;
    zki_key_pcs_params(vk, 1, vk->wpack.total, &p); /* advice = 1: no recursion into this function */
    uint32_t best = 1, max_lc = (uint32_t)zki_log2_ceil(vk->wpack.total);
    int64_t best_cost = -1;
    uint64_t pairs_cap = vk->wpack.total / 8 > ((uint64_t)1 << 22) ? vk->wpack.total / 8 : (uint64_t)1 << 22;
    if (max_lc > zki_key_max_log_cols(0, vk->wpack.total))
        max_lc = zki_key_max_log_cols(0, vk->wpack.total);
    if (max_lc < 1)
        max_lc = 1;
    for (uint32_t lc = 1; lc <= max_lc; lc++) {
        if (lc > 1 && (colred_groups(vk, lc) << lc) > pairs_cap)
            break;
        int64_t cost = zki_pcs_open_bytes(&p, lens, nt, lc);
        if (cost >= 0 && (best_cost < 0 || cost < best_cost)) {
            best_cost = cost;
            best = lc;
        }
    }
    return best;
}

static int64_t wget(const void *W, int w_bits, uint64_t i)
{
    return w_bits == 8 ? ((const int8_t *)W)[i] : ((const int16_t *)W)[i];
}

void zki_weight_table_put(const zki_vk *vk, uint32_t l, int32_t *wbig, const void *W, int w_bits,
                          const int64_t *bias)
{
    const zki_dag_node *Ly = &vk->dag.nodes[l];
    const zki_pack *pk = &vk->wpack;
    uint64_t rows;
    if (Ly->kind == ZKI_NODE_CONV) {
        zki_conv_dims cd;
        if (zki_dag_conv_dims(Ly, 1, &cd))
            return; /* checked when the layout was built */
        rows = cd.OC;
        uint64_t kk = cd.KH * cd.KW;
        if (zki_conv_one_segment(&cd)) { /* [oc][icl][ky][kx], each axis padded */
            int32_t *seg = wbig + pk->off[vk->w_seg[l]];
            size_t sk = cd.lkh + cd.lkw;
#pragma omp parallel for schedule(static) if (kk * cd.OC * cd.Cig > 65536)
            for (uint64_t oc = 0; oc < cd.OC; oc++)
                for (uint64_t ic = 0; ic < cd.Cig; ic++)
                    for (uint64_t ky = 0; ky < cd.KH; ky++)
                        for (uint64_t kx = 0; kx < cd.KW; kx++)
                            seg[((oc << cd.licl | ic) << sk) | ky << cd.lkw | kx] =
                                (int32_t)wget(W, w_bits, (oc * cd.Cig + ic) * kk + ky * cd.KW + kx);
            goto bias;
        }
        /* one tap's segment per output channel row, each entry written once */
#pragma omp parallel for collapse(2) schedule(static) if (kk * cd.OC * cd.Cig > 65536)
        for (uint64_t k = 0; k < kk; k++)
            for (uint64_t oc = 0; oc < cd.OC; oc++) {
                int32_t *seg = wbig + pk->off[vk->w_seg[l] + k];
                for (uint64_t ic = 0; ic < cd.Cig; ic++)
                    seg[oc << cd.licl | ic] = (int32_t)wget(W, w_bits, (oc * cd.Cig + ic) * kk + k);
            }
    } else {
        rows = Ly->kind == ZKI_NODE_GATHER ? Ly->OC : Ly->N;
        uint64_t kp = (uint64_t)1 << zki_log2_ceil(Ly->K);
        int32_t *seg = wbig + pk->off[vk->w_seg[l]];
        for (uint64_t i = 0; i < rows * kp; i++)
            seg[i] = (int32_t)wget(W, w_bits, i);
    }
bias:
    if (bias && vk->b_seg[l] != UINT32_MAX) {
        int32_t *seg = wbig + pk->off[vk->b_seg[l]];
        for (uint64_t j = 0; j < rows; j++)
            seg[j] = (int32_t)bias[j];
    }
}

zki_status zki_conv_wslices_eval(const zki_conv_dims *cd, const void *W, int w_bits, const zki_ext *wp,
                                 zki_ext *s)
{
    size_t nv = cd->licl + cd->loc;
    zki_ext *eq = malloc(sizeof(zki_ext) << nv);
    if (!eq)
        return zki_fail(ZKI_ERR_NOMEM, "conv weight slices");
    zki_eq_table(eq, wp + cd->lkw + cd->lkh, nv);
    uint64_t kk = cd->KH * cd->KW;
    zki_ext_acc *acc = calloc(kk, sizeof *acc);
    if (!acc) {
        free(eq);
        return zki_fail(ZKI_ERR_NOMEM, "conv weight slices");
    }
    for (uint64_t k = 0; k < kk; k++)
        zki_ext_acc_zero(&acc[k]);
    /* output channels over the threads, the kernel positions of a weight
     * row read in order; exact lazy sums, merged in any order alike */
    int failed = 0;
#pragma omp parallel if (cd->OC * cd->Cig * kk >= 65536)
    {
        zki_ext_acc *mine = malloc(kk * sizeof *mine);
        if (!mine) {
#pragma omp atomic write
            failed = 1;
        }
        for (uint64_t k = 0; mine && k < kk; k++)
            zki_ext_acc_zero(&mine[k]);
#pragma omp for schedule(static)
        for (int64_t oc = 0; oc < (int64_t)cd->OC; oc++)
            for (uint64_t ic = 0; mine && ic < cd->Cig; ic++) {
                zki_ext e = eq[(uint64_t)oc << cd->licl | ic];
                uint64_t base = ((uint64_t)oc * cd->Cig + ic) * kk;
                for (uint64_t k = 0; k < kk; k++)
                    zki_ext_acc_mac_fe(&mine[k], zki_fe_from_i64(wget(W, w_bits, base + k)), e);
            }
#pragma omp critical
        for (uint64_t k = 0; mine && k < kk; k++)
            zki_ext_acc_merge(&acc[k], &mine[k]);
        free(mine);
    }
    for (uint64_t k = 0; k < kk; k++)
        s[k] = zki_ext_acc_reduce(&acc[k]);
    free(acc);
    free(eq);
    return failed ? zki_fail(ZKI_ERR_NOMEM, "conv weight slices") : ZKI_OK;
}

int zki_conv_wslices_check(const zki_conv_dims *cd, const zki_ext *wp, zki_ext w_eval, const zki_ext *s)
{
    zki_ext *ex = malloc(sizeof(zki_ext) << cd->lkw), *ey = malloc(sizeof(zki_ext) << cd->lkh);
    if (!ex || !ey) {
        free(ex);
        free(ey);
        return 0;
    }
    zki_eq_table(ex, wp, cd->lkw);
    zki_eq_table(ey, wp + cd->lkw, cd->lkh);
    zki_ext sum = zki_ext_zero();
    for (uint64_t ky = 0; ky < cd->KH; ky++)
        for (uint64_t kx = 0; kx < cd->KW; kx++)
            sum = zki_ext_add(sum, zki_ext_mul(zki_ext_mul(ey[ky], ex[kx]), s[ky * cd->KW + kx]));
    free(ex);
    free(ey);
    return zki_ext_eq(sum, w_eval);
}
