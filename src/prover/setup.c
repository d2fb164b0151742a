/* Setup and prover keys (prover/setup.h). */
#include "prover/setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"
#include "protocol/bytes.h"
#include "common/error.h"
#include "common/file_read.h"
#include "poly/mle.h"
#include "protocol/gadget.h"
#include "protocol/vk_cost.h"
#include "protocol/wlayout.h"
#include "prover/lower.h"

static const char pk_magic[8] = {'Z', 'K', 'I', 'N', 'F', 'P', 'K', 0};

zki_status zki_pk_to_bytes(const zki_pk *pk, uint8_t **out, size_t *len)
{
    uint64_t nl = 0;
    const zki_digest *leaves = zki_pcs_prover_leaves(pk->wpcs, &nl);
    zki_wbuf w = {0};
    zki_wb_put(&w, pk_magic, 8);
    zki_wb_u32(&w, ZKI_PK_VERSION);
    zki_wb_put(&w, pk->seed, 32);
    zki_wb_put(&w, pk->vk.vk_hash.b, 32);
    zki_wb_put(&w, pk->wdigest.b, 32);
    zki_wb_u64(&w, nl);
    zki_wb_u32(&w, zki_pk_zk_proofs(pk));
    zki_wb_put(&w, leaves, (size_t)nl * sizeof *leaves);
    if (w.oom) {
        free(w.p);
        return zki_fail(ZKI_ERR_NOMEM, "pk");
    }
    *out = w.p;
    *len = w.n;
    return ZKI_OK;
}

zki_status zki_pk_write(const zki_pk *pk, const char *path)
{
    uint8_t *b = NULL;
    size_t n = 0;
    zki_status st = zki_pk_to_bytes(pk, &b, &n);
    /* the seed holds the hiding randomness: never readable by others */
    return zki_write_serialised(path, st, b, n, ZKI_FILE_SECRET);
}

void zki_pk_file_free(zki_pk_file *f)
{
    free(f->leaves);
    memset(f, 0, sizeof *f);
}

zki_status zki_pk_parse(const uint8_t *b, size_t n, const char *what, zki_pk_file *f)
{
    memset(f, 0, sizeof *f);
    uint32_t ver = 0;
    zki_rbuf r = {b, n, 0};
    char mg[8];
    int ok = zki_rb_get(&r, mg, 8) && !memcmp(mg, pk_magic, 8) && zki_rb_u32(&r, &ver) &&
             ver == ZKI_PK_VERSION && zki_rb_get(&r, f->seed, 32) && zki_rb_get(&r, f->vk_hash.b, 32) &&
             zki_rb_get(&r, f->wdigest.b, 32) && zki_rb_u64(&r, &f->n_leaves) && f->n_leaves >= 1 &&
             f->n_leaves <= ZKI_PK_MAX_LEAVES && zki_rb_u32(&r, &f->zk_proofs) && f->zk_proofs >= 1 &&
             f->zk_proofs <= ZKI_PCS_MAX_COL_BUDGET &&
             zki_rb_left(&r) == f->n_leaves * sizeof(zki_digest);
    if (ok && !(f->leaves = malloc(f->n_leaves * sizeof *f->leaves)))
        return zki_fail(ZKI_ERR_NOMEM, "%s: %llu leaves", what, (unsigned long long)f->n_leaves);
    if (ok)
        zki_rb_get(&r, f->leaves, f->n_leaves * sizeof *f->leaves);
    if (!ok) {
        memset(f->seed, 0, sizeof f->seed);
        return zki_fail(ZKI_ERR_INPUT, "%s: not a zkinfer prover key (version %u); compile the "
                        "model again to make one", what, ZKI_PK_VERSION);
    }
    return ZKI_OK;
}

zki_status zki_pk_read(const char *path, zki_pk_file *f)
{
    memset(f, 0, sizeof *f);
    uint8_t *b;
    size_t n;
    zki_status st = zki_read_file(path, ZKI_PK_MAX_FILE_BYTES, &b, &n);
    if (st)
        return st;
    st = zki_pk_parse(b, n, path, f);
    memset(b, 0, n < ZKI_PK_HEAD_BYTES ? n : ZKI_PK_HEAD_BYTES); /* the seed */
    free(b);
    return st;
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

/* A GATHER's table [V][D] (its model node's constant) as the gadgets'
 * copy [V][2^ld], and into the committed table. */
static zki_status gather_table(zki_pk *pk, uint32_t l, const int64_t *T, size_t es)
{
    const zki_dag_node *A = &pk->vk.dag.nodes[l];
    uint64_t V = A->OC, D = A->K, kp = (uint64_t)1 << zki_log2_ceil(A->K);
    if (!(pk->w[l] = calloc(V * kp, es)))
        return zki_fail(ZKI_ERR_NOMEM, "setup: table of layer %u", l);
    for (uint64_t v = 0; v < V; v++)
        for (uint64_t d = 0; d < D; d++) {
            if (es == 1)
                ((int8_t *)pk->w[l])[v * kp + d] = (int8_t)T[v * D + d];
            else
                ((int16_t *)pk->w[l])[v * kp + d] = (int16_t)T[v * D + d];
        }
    zki_weight_table_put(&pk->vk, l, pk->wbig, pk->w[l], (int)es * 8, NULL);
    return ZKI_OK;
}

uint32_t zki_pk_zk_proofs(const zki_pk *pk) { return pk->vk.wcom.params.col_budget; }

zki_status zki_pk_zk_budget_check(const zki_pk *pk)
{
    uint32_t n = zki_pk_zk_proofs(pk);
    if (pk->zk_proofs_made >= n)
        return zki_fail(ZKI_ERR_INPUT, "prove: the key's zero-knowledge budget of %u proof%s is spent (more "
                        "would reveal its weights); compile a new key with a larger --zk-proofs", n,
                        n == 1 ? "" : "s");
    return ZKI_OK;
}

/* The padded weight code must fit a .zpk, and for several proofs open in
 * tensor mode: a proof's one claim on the weights then commits its row,
 * which lets zero-knowledge proofs share the mask slot (pcs.h). */
static zki_status check_weight_code(const zki_pcs_commitment *w, uint32_t zk_proofs)
{
    if ((zk_proofs == 1 || zki_pcs_poly_tensor_ok(w, 0)) && w->shape.d <= ZKI_PK_MAX_LEAVES)
        return ZKI_OK;
    return zki_fail(ZKI_ERR_INPUT, "setup: a key for %u zero-knowledge proofs pads the weight rows into a code of "
                    "2^%u, too long for one-row openings (or above 2^%zu leaves); use a smaller --zk-proofs", zk_proofs,
                    w->shape.log_d, zki_log2_ceil(ZKI_PK_MAX_LEAVES));
}

static zki_status setup(const zki_qmodel *m, const uint8_t *seed, uint32_t zk_proofs, const zki_pk_file *saved,
                        zki_pk **out)
{
    *out = NULL;
    zki_status st = zki_qmodel_check(m);
    if (st)
        return st;
    if (zk_proofs < 1 || zk_proofs > ZKI_PCS_MAX_COL_BUDGET)
        return zki_fail(ZKI_ERR_INPUT, "setup: a key for %u zero-knowledge proofs (need 1 .. %u)", zk_proofs,
                        ZKI_PCS_MAX_COL_BUDGET);
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
            pk->vk.dag.nodes[l].q_log = zki_add_q_log(&pk->vk.dag, l);
            continue;
        }
        int bmm = pk->vk.dag.nodes[l].kind == ZKI_NODE_BMM;
        if (pk->vk.dag.nodes[l].kind == ZKI_NODE_MUL || bmm) {
            pk->vk.dag.nodes[l].q_log = bmm ? zki_bmm_q_log(&pk->vk.dag, l) : zki_mul_q_log(&pk->vk.dag, l);
            if (!pk->vk.dag.nodes[l].q_log) {
                st = zki_fail(ZKI_ERR_UNSUPPORTED, "prove: node '%s' (%s): its inputs' range times M can reach "
                              "2^62, where the requantisation's field relation could wrap (needs quotients beyond "
                              "%u bits); recompile with smaller activations (--act-bits 8)", n->name,
                              bmm ? "MatMul" : "Mul", ZKI_DAG_MAX_Q_LOG);
                goto fail;
            }
            continue;
        }
        if (pk->vk.dag.nodes[l].kind == ZKI_NODE_GATHER) {
            if ((st = gather_table(pk, l, m->t[n->in[0]].data, es)))
                goto fail;
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
        /* rows in parallel: ResNet-50's 25 M weights were a tenth of loading its key */
#pragma omp parallel for schedule(static) if (rows * cols > 65536)
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
            /* worst |acc| over inputs in range bounds the quotient (unit
             * weights, no bias: a row of cols ones) */
            uint32_t ib = zki_walk_bits(&pk->vk.dag, A->in[0]);
            __int128 worst = W ? (__int128)zki_qmodel_row_bound(m, n->in[1], A->has_bias ? n->in[2] : -1, (int)ib)
                               : (__int128)cols << (ib - 1);
            if (zki_dag_raw(A)) {
                /* the key's out_bits bound the ADDs' quotients (zki_add_q_log) */
                if (worst >= (__int128)1 << (A->out_bits - 1)) {
                    st = zki_fail(ZKI_ERR_INPUT, "setup: node '%s': its accumulators can exceed its %u-bit raw "
                                  "output (recompile the model)", n->name, A->out_bits);
                    goto fail;
                }
            } else {
                __int128 am = A->M < 0 ? -(__int128)A->M : A->M;
                __int128 qb = ((worst * am) >> A->s) + 2;
                uint32_t ql = 2;
                while (ql < ZKI_DAG_MAX_Q_LOG && ((__int128)1 << (ql - 1)) <= qb)
                    ql++;
                pk->vk.dag.nodes[l].q_log = ql;
            }
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
    zki_key_pcs_params(&pk->vk, 0, pk->vk.wpack.total, &pp);
    pp.col_budget = zk_proofs; /* the vk records it in the commitment */
    pp.seed = pk->seed;
    zki_pcs_vec vec = {ZKI_PCS_I32, pk->wbig, pk->vk.wpack.total};
    zki_sha256_chunked(&pk->wdigest, pk->wbig, pk->vk.wpack.total * sizeof *pk->wbig);
    if (saved && saved->leaves && !memcmp(saved->wdigest.b, pk->wdigest.b, sizeof pk->wdigest.b))
        st = zki_pcs_commit_from_leaves(&pk->wpcs, &pp, &vec, 1, saved->leaves, saved->n_leaves);
    else
        st = zki_pcs_commit(&pk->wpcs, &pp, &vec, 1);
    if (st) {
        if (st == ZKI_ERR_INPUT && zk_proofs > 1)
            st = zki_fail_ctx(st, "setup: a key for %u zero-knowledge proofs (fewer make the weight "
                              "commitment smaller)", zk_proofs);
        goto fail;
    }
    if ((st = check_weight_code(zki_pcs_prover_commitment(pk->wpcs), zk_proofs)))
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
    if ((st = zki_vk_finish(&pk->vk)))
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

zki_status zki_setup_zk(const zki_qmodel *m, const uint8_t *seed, uint32_t zk_proofs, zki_pk **out)
{
    return setup(m, seed, zk_proofs, NULL, out);
}

zki_status zki_setup(const zki_qmodel *m, const uint8_t *seed, zki_pk **out)
{
    return setup(m, seed, 1, NULL, out);
}

zki_status zki_setup_saved(const zki_qmodel *m, const zki_pk_file *f, zki_pk **out)
{
    return setup(m, f->seed, f->zk_proofs, f, out);
}
