/* Verification keys (protocol/key.h). */
#include "protocol/key.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/file_read.h"
#include "ops/move.h"
#include "poly/mle.h"
#include "protocol/vk_cost.h"
#include "protocol/wlayout.h"

static const char vk_magic[8] = {'Z', 'K', 'I', 'N', 'F', 'V', 'K', 0};

/* vk head 24 (magic, version, three lengths), arch (arch_write), commitment
 * (zki_pcs_commitment_to_bytes) at their largest: see keys.h. The nodes'
 * payloads (LUT tables) are not counted: zki_vk_finish refuses a key they
 * push beyond the limit. */
_Static_assert(24 + 164 + (120 + 12 * (uint64_t)ZKI_DAG_MAX_IN) * (uint64_t)ZKI_DAG_MAX_NODES + 80 + 8 * (uint64_t)ZKI_PCS_MAX_POLYS <=
                   ZKI_VK_MAX_FILE_BYTES,
               "ZKI_VK_MAX_FILE_BYTES is below the largest valid key");

uint64_t zki_vk_input_len(const zki_vk *vk) { return zki_dag_in_len(&vk->dag); }
uint64_t zki_vk_output_len(const zki_vk *vk) { return zki_dag_out_len(&vk->dag); }

zki_status zki_vk_to_bytes(const zki_vk *vk, uint8_t **out, size_t *len)
{
    zki_wbuf w = {0};
    zki_wbuf ab = {0};
    zki_dag_write(&ab, &vk->dag);
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

zki_status zki_vk_finish(zki_vk *vk)
{
    zki_wbuf ab = {0};
    zki_dag_write(&ab, &vk->dag);
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
    /* the nodes' payloads (LUT tables: a byte or two an entry) can outgrow
     * what a verifier reads */
    if (n > ZKI_VK_MAX_FILE_BYTES)
        return zki_fail(ZKI_ERR_UNSUPPORTED, "vk: the verification key would take %zu bytes (mostly its lookup "
                        "tables), beyond the %zu a verifier reads", n, ZKI_VK_MAX_FILE_BYTES);
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
        return zki_fail(ZKI_ERR_INPUT, "vk: version %u, this build reads %u: compile the model again with this zkinfer",
                        ver, ZKI_VK_VERSION);
    if (!zki_rb_u32(&r, &al) || al > zki_rb_left(&r))
        return zki_fail(ZKI_ERR_INPUT, "vk: DAG length at byte 12 beyond the file");
    zki_rbuf ar = {in + r.pos, al, 0};
    zki_status st = zki_dag_read(&ar, &vk->dag);
    if (st)
        return st;
    if (ar.pos != al) {
        zki_vk_free(vk);
        return zki_fail(ZKI_ERR_INPUT, "vk: %zu trailing DAG bytes", al - ar.pos);
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
    /* the commitment must hold exactly the tables the DAG implies */
    if ((st = zki_vk_layout(vk))) {
        zki_vk_free(vk);
        return st;
    }
    /* ... with exactly the parameters (rate, width, queries, grinding) the
     * key fixes: they set the verifier's cost and the soundness level */
    uint64_t lens[3];
    uint32_t nt = zki_vk_weight_lens(vk, lens);
    zki_pcs_params wp;
    zki_key_pcs_params(vk, 0, vk->wpack.total, &wp);
    if ((st = zki_pcs_commitment_expect(&vk->wcom, &wp, lens, nt, ZKI_ERR_INPUT, "vk: weight commitment"))) {
        zki_vk_free(vk);
        return st;
    }
    /* what verifying with this key may cost is bounded, before any proof
     * (computed once: the check and every later use read it) */
    vk->cost1_known = zki_vk_verifier_cost(vk, 1, &vk->cost1_ops, &vk->cost1_bytes) == ZKI_OK;
    if ((st = zki_vk_cost_check(vk))) {
        zki_vk_free(vk);
        return st;
    }
    st = zki_vk_finish(vk);
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
    for (uint32_t l = 0; l < a->n_nodes; l++) {
        const zki_dag_node *L = &a->nodes[l];
        uint64_t w = zki_dag_node_weights(L);
        params += w + (w && L->has_bias ? (L->kind == ZKI_NODE_CONV ? L->OC : L->N) : 0);
    }
    P("verification key v%u: %u nodes, %llu weights (committed, not in the key)\n", ZKI_VK_VERSION,
      a->n_nodes, (unsigned long long)params);
    P("  input  %u bits, scale %g, %u dims; output %u bits, scale %g\n", a->in_bits, a->in_scale,
      a->in_rank, a->out_bits, a->out_scale);
    for (uint32_t l = 0; l < a->n_nodes && l < 64; l++) {
        const zki_dag_node *L = &a->nodes[l];
        if (L->kind == ZKI_NODE_CONCAT || L->kind == ZKI_NODE_ADD || L->kind == ZKI_NODE_MUL) {
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
            else if (L->kind == ZKI_NODE_MUL && !L->H)
                P("  %3u Mul %u of %s, requant M=%lld s=%u clamp [%lld, %lld]\n", l, L->N, ins, (long long)L->M,
                  L->s, (long long)L->lo, (long long)L->hi);
            else if (L->kind == ZKI_NODE_MUL)
                P("  %3u Mul %ux%ux%u of %s, requant M=%lld s=%u clamp [%lld, %lld]\n", l, L->C, L->H, L->W, ins,
                  (long long)L->M, L->s, (long long)L->lo, (long long)L->hi);
            else
                P("  %3u Add %ux%ux%u of %s, requant s=%u clamp [%lld, %lld]\n", l, L->C, L->H, L->W, ins, L->s,
                  (long long)L->lo, (long long)L->hi);
        }
        else if (L->kind == ZKI_NODE_MOVE) {
            zki_move_info mi;
            uint32_t steps = L->n_aux > ZKI_MOVE_AUX_HDR &&
                             !zki_move_check(L->aux + ZKI_MOVE_AUX_HDR, L->n_aux - ZKI_MOVE_AUX_HDR, &mi) ? mi.n_steps : 0;
            char ins[16];
            snprintf(ins, sizeof ins, L->in[0] ? "#%u" : "x", L->in[0] - 1);
            if (L->H)
                P("  %3u Move of %s -> map %ux%ux%u, %u step%s\n", l, ins, L->C, L->H, L->W, steps, steps == 1 ? "" : "s");
            else
                P("  %3u Move of %s -> row of %u, %u step%s\n", l, ins, L->N, steps, steps == 1 ? "" : "s");
        } else if (L->kind == ZKI_NODE_GATHER)
            P("  %3u Gather of %u token ids from a %u x %u table (int%u, committed)\n", l, L->K ? L->N / L->K : 0,
              L->OC, L->K, L->w_bits);
        else if (L->kind == ZKI_NODE_BMM)
            P("  %3u BatchMatMul %u x [%ux%u] @ [%ux%u] of #%u, #%u, requant M=%lld s=%u clamp [%lld, %lld]\n", l,
              L->C, L->H, L->K, L->K, L->W, L->in[0] - 1, L->in[1] - 1, (long long)L->M, L->s, (long long)L->lo,
              (long long)L->hi);
        else if (L->kind == ZKI_NODE_MAXPOOL)
            P("  %3u MaxPool %ux%ux%u, window %ux%u, stride %ux%u, dilation %ux%u\n", l, L->C, L->H, L->W, L->KH,
              L->KW, L->sh, L->sw, L->dh, L->dw);
        else {
            /* the requantisation, or the raw accumulator an ADD reads */
            char rq[96];
            if (zki_dag_raw(L))
                snprintf(rq, sizeof rq, "raw %u-bit accumulator", L->out_bits);
            else
                snprintf(rq, sizeof rq, "requant M=%lld s=%u clamp [%lld, %lld]", (long long)L->M, L->s,
                         (long long)L->lo, (long long)L->hi);
            if (L->kind == ZKI_NODE_CONV)
                P("  %3u Conv %ux%ux%u -> %u channels, kernel %ux%u, stride %ux%u, dilation %ux%u, pads %u %u %u "
                  "%u, %u groups, int%u weights%s, %s\n", l, L->C, L->H, L->W, L->OC, L->KH, L->KW, L->sh, L->sw,
                  L->dh, L->dw, L->pt, L->pl, L->pb, L->pr, L->G, L->w_bits, L->has_bias ? " + bias" : "", rq);
            else
                P("  %3u Linear %u -> %u, int%u weights%s, %s\n", l, L->K, L->N, L->w_bits,
                  L->has_bias ? " + bias" : "", rq);
        }
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
    P("  DAG hash ");
    for (int i = 0; i < 8; i++)
        P("%02x", vk->dag_hash.b[i]);
    P("...\n");
#undef P
}
