/* The GATHER gadget (an embedding looked up by the model's token ids), in
 * process, on models built here and on the torch-exported fixture
 * tests/data/gather_embed.onnx (tools/make_gather_fixture.py):
 *   embed(V, D, T, bits)  ids [1][T] (int32, the model input) -> Gather of
 *                         a constant table [V][D] (int8 or int16) ->
 *                         optionally a lookup table (it reads the row's
 *                         pads too) -> Flatten -> Linear to 5 outputs;
 * ids of each batch include 0, V - 1 and repeats. For each: (a) the DAG
 * holds the GATHER as node 0 reading the input; honest proofs of batches
 * of 1 and 2 verify, their output the integer executor's, random byte
 * changes refused; (b) every byte of the GATHER's proof changed is
 * refused; (c) cheating witnesses at the node through the prover's seam
 * (one token's row replaced by the next row of the table; a value at an
 * output pad, with a lookup table reading the pads: a Linear never reads
 * them) are rejected; (d) 1 and 2 threads give the same proof.
 * Ids outside [0, V) are refused by the prover and by the verifier, with
 * a message naming the id and its position; a private input is refused by
 * both; key fields the gadget does not prove are refused; a Gather along
 * axis 1 is refused, naming the node. The sum-check alone (ops/gather.h):
 * honest claims verify, a wrong claim or table value is refused; with
 * padded values (zero knowledge) the round trip holds and every kind of
 * padded value altered is caught. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "ops/gather.h"
#include "poly/mle.h"
#include "protocol/gadget.h"
#include "test.h"
#include "test_prove_util.h"
#include "test_attack_util.h"
#include "test_node_attack.h"
#include "test_zk_util.h"

/* ids [1][T] -> table [V][D] gathered along `axis` -> (lut: an int8
 * lookup table with T(0) != 0) -> flatten -> Linear to 5 (*X: a batch of
 * 2 covering 0, V - 1 and repeats). */
static zki_qmodel *embed(zki_rng *g, int64_t V, int64_t D, int64_t T, int bits, int axis, int lut, int64_t **X)
{
    zki_qmodel *m = calloc(1, sizeof(*m));
    int64_t id[2] = {1, T}, td[2] = {V, D}, yd[3] = {1, T, D}, fd[2] = {1, T * D};
    int ids = zki_qmodel_add_tensor(m, "ids", ZKI_QT_INPUT, 32, 2, id, 0);
    m->n_inputs = 1, m->inputs[0] = ids;
    int64_t span = bits == 8 ? 255 : 6001;
    int tab = add_const(m, g, "table", bits, 2, td, -(span / 2), span);
    if (axis == 1) /* [V][1][T]: only for the refusal */
        yd[0] = V, yd[1] = 1, yd[2] = T, fd[1] = V * T;
    int y = zki_qmodel_add_tensor(m, "emb", ZKI_QT_VALUE, bits, 3, yd, 0.02);
    int ni = zki_qmodel_add_node(m, ZKI_QOP_GATHER, "tok_gather"); /* may move m->nodes */
    zki_qnode *n = &m->nodes[ni];
    n->n_in = 2, n->in[0] = tab, n->in[1] = ids, n->out = y, n->n_p = 1, n->p[0] = axis;
    if (lut) {
        int64_t ld[1] = {256};
        int lt = zki_qmodel_add_tensor(m, "lut.table", ZKI_QT_CONST, 8, 1, ld, 0);
        m->t[lt].data = malloc(sizeof(int64_t) * 256);
        for (int64_t i = 0; i < 256; i++)
            m->t[lt].data[i] = (i - 128) / 2 + 5;
        int a = zki_qmodel_add_tensor(m, "act", ZKI_QT_VALUE, 8, 3, yd, 0.02);
        ni = zki_qmodel_add_node(m, ZKI_QOP_LUT, "lut");
        n = &m->nodes[ni];
        n->n_in = 2, n->in[0] = y, n->in[1] = lt, n->out = a, n->n_p = 1, n->p[0] = -128;
        y = a;
    }
    int flat = zki_qmodel_add_tensor(m, "flat", ZKI_QT_VALUE, bits, 2, fd, 0.02);
    ni = zki_qmodel_add_node(m, ZKI_QOP_RESHAPE, "flatten");
    n = &m->nodes[ni];
    n->n_in = 1, n->in[0] = y, n->out = flat;
    int out = linear_row(m, g, flat, fd[1], 5, 0, "fc");
    m->n_outputs = 1, m->outputs[0] = out;
    CHECK_MSG(zki_qmodel_check(m) == ZKI_OK, "model check: %s", zki_last_error());
    *X = malloc(sizeof(int64_t) * 2 * (size_t)T);
    for (int64_t t = 0; t < 2 * T; t++)
        (*X)[t] = (int64_t)zki_rng_below(g, (uint64_t)V);
    (*X)[0] = 0, (*X)[T - 1] = V - 1, (*X)[T] = V - 1;
    if (T > 2)
        (*X)[1] = (*X)[2]; /* a repeated id */
    return m;
}

/* Seam: node j's output row of token `tok` (sample 0) replaced by the
 * table's next row (pad: a value at the first output pad instead). */
typedef struct {
    uint32_t j;
    uint64_t tok;
    int pad, hit;
} forge_row;

static zki_status forge_hook(void *ctx, const zki_pk *pk, uint32_t j, zki_witness *W, uint32_t B, zki_status st)
{
    forge_row *f = ctx;
    const zki_dag_node *L = &pk->vk.dag.nodes[j];
    if (st || j != f->j)
        return st;
    uint64_t D = L->K, N = L->N, kp = (uint64_t)1 << zki_log2_ceil(D), v = (uint64_t)W->t[0][f->tok];
    int64_t *y = W->own[j + 1];
    if (f->pad) {
        if (N == W->ld[j + 1])
            return zki_fail(ZKI_ERR_INPUT, "forge: node %u has no pad", j);
        y[N] = 3;
    } else {
        uint64_t nv = (v + 1) % L->OC;
        for (uint64_t d = 0; d < D; d++)
            y[f->tok * D + d] = pk->vk.w_type == ZKI_PCS_I8 ? ((const int8_t *)pk->w[j])[nv * kp + d]
                                                            : ((const int16_t *)pk->w[j])[nv * kp + d];
    }
    f->hit = 1;
    return ZKI_OK;
}

static void forge(const zki_qmodel *m, const int64_t *X, uint32_t j, uint64_t tok, int pad, const char *what)
{
    forge_row f = {j, tok, pad, 0};
    int honest = 0;
    printf("  %s: %s:\n", what, pad ? "a value at an output pad" : "a token's row replaced by the next row");
    int vs = seam_attack(m, X, 2, atk_seed_w, atk_seed_a, forge_hook, &f, &honest);
    CHECK_MSG(f.hit && vs == ZKI_ERR_VERIFY, "%s: forged gather (pad %d): verifier status %d (%s)", what, pad, vs,
              vs == ZKI_OK ? "ACCEPTED" : "not a rejection");
}

/* Ids outside [0, V) (V and -1 at position pos of sample 1): the prover
 * refuses; an honest proof verified against such an input (its digest
 * made to match) is rejected by the statement check. */
static void out_of_range(const zki_qmodel *m, const int64_t *X, uint32_t T, uint32_t pos, int64_t V,
                         const char *what)
{
    zki_pk *pk = NULL;
    if (zki_setup(m, atk_seed_w, &pk) != ZKI_OK) {
        CHECK_MSG(0, "%s: setup: %s", what, zki_last_error());
        return;
    }
    int64_t *Y = malloc(sizeof(int64_t) * 2 * T);
    memcpy(Y, X, sizeof(int64_t) * 2 * T);
    zki_prove_opts o = {0, atk_seed_a, NULL, NULL, 0, 0};
    zki_proof pf;
    const int64_t bad[2] = {V, -1};
    char want[96];
    for (int k = 0; k < 2; k++) {
        Y[T + pos] = bad[k];
        snprintf(want, sizeof want, "token id %lld at position %u of sample 1 is outside the vocabulary of %lld",
                 (long long)bad[k], pos, (long long)V);
        zki_status st = zki_prove(pk, Y, 2, &o, &pf, NULL);
        CHECK_MSG(st == ZKI_ERR_INPUT && strstr(zki_last_error(), want), "%s: id %lld: prover %d: %s", what,
                  (long long)bad[k], st, st ? zki_last_error() : "proven");
        if (k == 0)
            printf("  %s: %s\n", what, zki_last_error());
        if (!st)
            zki_proof_free(&pf);
        /* the seam's unchecked input still meets the gadget's own check */
        zki_prove_seam seam = {1, 0, NULL, NULL, 0};
        zki_prove_test_seam = &seam;
        st = zki_prove(pk, Y, 2, &o, &pf, NULL);
        zki_prove_test_seam = NULL;
        CHECK_MSG(st == ZKI_ERR_INPUT && strstr(zki_last_error(), want), "%s: id %lld, input check skipped: %s",
                  what, (long long)bad[k], st ? zki_last_error() : "proven");
        if (!st)
            zki_proof_free(&pf);
    }
    if (zki_prove(pk, X, 2, &o, &pf, NULL) == ZKI_OK) {
        CHECK(zki_verify(&pk->vk, X, 2, &pf) == ZKI_OK);
        for (int k = 0; k < 2; k++) {
            Y[T + pos] = bad[k];
            CHECK(zki_input_digest(Y, 2, T, &pf.in_digest) == ZKI_OK);
            zki_status st = zki_verify(&pk->vk, Y, 2, &pf);
            CHECK_MSG(st == ZKI_ERR_VERIFY && strstr(zki_last_error(), "outside the vocabulary"),
                      "%s: verifier on id %lld: %d: %s", what, (long long)bad[k], st, zki_last_error());
            if (k == 0)
                printf("  %s: %s\n", what, zki_last_error());
        }
        zki_proof_free(&pf);
    } else {
        CHECK_MSG(0, "%s: prove: %s", what, zki_last_error());
    }
    free(Y);
    zki_pk_free(pk);
}

/* A private input: the prover refuses; an honest public proof marked
 * private is refused by the verifier, naming the private input. */
static void private_refused(const zki_qmodel *m, const int64_t *X, const char *what)
{
    zki_pk *pk = NULL;
    if (zki_setup(m, atk_seed_w, &pk) != ZKI_OK) {
        CHECK_MSG(0, "%s: setup: %s", what, zki_last_error());
        return;
    }
    zki_prove_opts o = {1, atk_seed_a, NULL, NULL, 0, 0};
    zki_proof pf;
    zki_status st = zki_prove(pk, X, 1, &o, &pf, NULL);
    CHECK_MSG(st == ZKI_ERR_UNSUPPORTED && strstr(zki_last_error(), "private input"), "%s: private: %d: %s", what,
              st, st ? zki_last_error() : "proven");
    printf("  %s: private: %s\n", what, zki_last_error());
    if (!st)
        zki_proof_free(&pf);
    o.private_input = 0;
    if (zki_prove(pk, X, 1, &o, &pf, NULL) == ZKI_OK) {
        pf.private_input = 1;
        st = zki_verify(&pk->vk, NULL, 1, &pf);
        CHECK_MSG(st == ZKI_ERR_VERIFY && strstr(zki_last_error(), "private input"), "%s: verifier, private: %d: %s",
                  what, st, zki_last_error());
        zki_proof_free(&pf);
    } else {
        CHECK_MSG(0, "%s: prove: %s", what, zki_last_error());
    }
    zki_pk_free(pk);
}

/* Key fields the gadget does not prove: each refused by the key check. */
static void key_fields(const zki_vk *vk, uint32_t j, const char *what)
{
    zki_dag d = vk->dag;
    zki_dag_node *L = &d.nodes[j], keep = *L;
    int refused = 0, tries = 0;
    for (int k = 0; k < 6; k++, tries++) {
        *L = keep;
        if (k == 0)
            L->out_bits = L->w_bits == 8 ? 16 : 8; /* values beyond the table's bits */
        else if (k == 1)
            L->N += 1; /* not T ids of D */
        else if (k == 2)
            L->has_bias = 1;
        else if (k == 3)
            L->OC = 0;
        else if (k == 4)
            L->s = 3;
        else
            L->w_bits = 12;
        refused += zki_dag_check(&d) != ZKI_OK;
    }
    *L = keep;
    CHECK_MSG(zki_dag_check(&d) == ZKI_OK, "%s: the untouched key: %s", what, zki_last_error());
    CHECK_MSG(refused == tries, "%s: %d of %d altered gather nodes accepted by the key check", what,
              tries - refused, tries);
}

static void test_model(zki_rng *g, int64_t V, int64_t D, int64_t T, int bits, int lut, int exhaustive)
{
    char what[64];
    snprintf(what, sizeof what, "embed V=%lld D=%lld T=%lld int%d%s", (long long)V, (long long)D, (long long)T,
             bits, lut ? " lut" : "");
    int64_t *X = NULL;
    zki_qmodel *m = embed(g, V, D, T, bits, 0, lut, &X);
    zki_pk *pk = NULL;
    if (zki_setup(m, atk_seed_w, &pk) != ZKI_OK) {
        CHECK_MSG(0, "%s: setup: %s", what, zki_last_error());
        goto out;
    }
    printf("%s:\n", what);
    uint32_t j = node_of(&pk->vk.dag, ZKI_NODE_GATHER);
    CHECK_MSG(j == 0 && pk->vk.dag.nodes[0].in[0] == 0 && pk->vk.dag.in_bits == 32, "%s: no GATHER node 0", what);
    if (j != 0)
        goto out;
    key_fields(&pk->vk, j, what);
    prove_round(g, m, X, 1, 0, atk_seed_w, atk_seed_a, NULL, NULL, 8, what);
    prove_round(g, m, X, 2, 0, atk_seed_w, atk_seed_a, NULL, NULL, 8, what);
    node_byte_changes(g, m, X, j, exhaustive, what);
    uint32_t tok = T > 1 ? 1 : 0;
    if (V > 1) /* another row to forge with */
        forge(m, X, j, tok, 0, what);
    if (lut && (uint64_t)T * D < (uint64_t)1 << zki_log2_ceil((size_t)(T * D)))
        forge(m, X, j, tok, 1, what);
    out_of_range(m, X, (uint32_t)T, tok, V, what);
    private_refused(m, X, what);
    thread_identical(m, X, what);
out:
    zki_pk_free(pk);
    free(X);
    zki_qmodel_free(m);
}

/* A Gather of the table along axis 1 by the ids: refused, naming it. */
static void test_axis1_refused(zki_rng *g)
{
    int64_t *X = NULL;
    zki_qmodel *m = embed(g, 4, 6, 3, 8, 1, 0, &X);
    zki_pk *pk = NULL;
    zki_status st = zki_setup(m, atk_seed_w, &pk);
    const char *e = zki_last_error();
    CHECK_MSG(st == ZKI_ERR_UNSUPPORTED && strstr(e, "tok_gather") && strstr(e, "axis 0"), "axis 1: %d: %s", st, e);
    printf("Gather along axis 1: %s\n", e);
    zki_pk_free(pk);
    free(X);
    zki_qmodel_free(m);
}

/* The torch-exported fixture: proven (a batch of calibration samples 0
 * and 5), its bytes mutated. */
static void test_onnx(zki_rng *g)
{
    int64_t *X = NULL;
    zki_qmodel *m = load_fixture("gather_embed.onnx", "gather_embed_calib.npy", &X);
    if (m && X) {
        prove_round(g, m, X, 2, 0, atk_seed_w, atk_seed_a, NULL, NULL, 12, "gather_embed.onnx");
        private_refused(m, X, "gather_embed.onnx");
    } else {
        CHECK_MSG(0, "gather_embed.onnx: %s", zki_last_error());
    }
    free(X);
    zki_qmodel_free(m);
}

/* ---- the sum-check alone ------------------------------------------------- */

typedef struct {
    const zki_gather_dims *g;
    const int64_t *ids;
    uint32_t B;
    const int8_t *W;
    const zki_fe *wt;  /* W's table, ld + lv variables */
    const zki_ext *r;
    zki_ext v, v_sent, a, rho[32];
    int priv;          /* the claim on y is private too (sent ahead, as the gadget's incoming claim) */
    int mutation;      /* 0: a; 1: the first round message; 2: the last round's */
    zki_sc_proof sc;
} gather_zk;

static zki_status gather_zk_prove(void *c, zki_transcript *t)
{
    gather_zk *z = c;
    zki_ext ev;
    zki_sc_proof_free(&z->sc);
    if (z->priv)
        z->v_sent = zki_zk_send(t, "test.claim", z->v);
    return zki_gather_prove(z->g, z->ids, z->g->T, z->B, z->W, 8, z->r, z->v, t, &z->sc, z->rho, &z->a, &ev);
}

/* The verifier, then the caller's check of the claim on the table. */
static zki_status gather_zk_verify(void *c, zki_transcript *t)
{
    gather_zk *z = c;
    zki_ext rho[32];
    zki_pv out, v = z->priv ? zki_zk_recv(t, "test.claim", z->v_sent) : zki_pv_pub(z->v);
    zki_status st = zki_gather_verify(z->g, z->ids, z->g->T, z->B, z->r, v, &z->sc, z->a, t, rho, &out);
    return st ? st
              : zki_pv_assert_eq(t->zk, out, zki_pv_pub(zki_mle_eval_base(z->wt, z->g->ld + z->g->lv, rho)), "W");
}

static void gather_zk_mutate(void *c)
{
    gather_zk *z = c;
    zki_ext *at = z->mutation == 0 ? &z->a : z->mutation == 1 ? &z->sc.msgs[0] : &z->sc.msgs[2 * z->sc.nvars - 1];
    *at = zki_ext_add(*at, zki_ext_one());
}

/* ids [B][T] into an int8 table [V][D]: the plain sum-check (honest, a
 * wrong claim, a forged table value), then zero-knowledge round trips with
 * a public and a private claim and each kind of padded value altered. */
static void test_sumcheck(zki_rng *g, uint64_t V, uint64_t D, uint64_t T, uint32_t B)
{
    zki_gather_dims gd;
    zki_gather_dims_init(&gd, T, D, V);
    size_t lb = zki_log2_ceil(B), ny = gd.lo + lb, nw = gd.ld + gd.lv;
    uint64_t kp = (uint64_t)1 << gd.ld;
    int8_t *W = calloc(V * kp, 1);
    int64_t *Wi = calloc((size_t)1 << nw, sizeof(int64_t)), *ids = malloc(sizeof(int64_t) * B * T);
    int64_t *y = malloc(sizeof(int64_t) * ((size_t)B << gd.lo));
    for (uint64_t v = 0; v < V; v++)
        for (uint64_t d = 0; d < D; d++)
            Wi[v * kp + d] = W[v * kp + d] = (int8_t)((int64_t)zki_rng_below(g, 256) - 128);
    for (uint64_t i = 0; i < B * T; i++)
        ids[i] = (int64_t)zki_rng_below(g, V);
    ids[0] = (int64_t)V - 1;
    zki_gather_forward(&gd, ids, T, B, W, 8, y);
    zki_fe *yt = zki_int_table(y, B, (uint64_t)1 << gd.lo, lb, gd.lo), *wt = zki_int_table(Wi, 1, (uint64_t)1 << nw, 0, nw);
    zki_ext r[32], rho[32], rho2[32], a, ev;
    for (size_t i = 0; i < ny; i++)
        r[i] = zki_ext_make(zki_rng_below(g, ZKI_P), zki_rng_below(g, ZKI_P));
    zki_ext v = zki_mle_eval_base(yt, ny, r);
    zki_transcript tp, tv;
    zki_sc_proof sc;
    zki_pv out;
    zki_ts_init(&tp, "gather-test", 1);
    CHECK(zki_gather_prove(&gd, ids, T, B, W, 8, r, v, &tp, &sc, rho, &a, &ev) == ZKI_OK && zki_ext_eq(a, ev) &&
          zki_ext_eq(a, zki_mle_eval_base(wt, nw, rho)));
    for (int bad = 0; bad < 3; bad++) {
        zki_ext vv = bad == 1 ? zki_ext_add(v, zki_ext_one()) : v, aa = bad == 2 ? zki_ext_add(a, zki_ext_one()) : a;
        zki_ts_init(&tv, "gather-test", 1);
        zki_status st = zki_gather_verify(&gd, ids, T, B, r, zki_pv_pub(vv), &sc, aa, &tv, rho2, &out);
        CHECK_MSG(bad ? st == ZKI_ERR_VERIFY
                      : st == ZKI_OK && !memcmp(rho, rho2, sizeof(zki_ext) * nw) && zki_ext_eq(out.c, a),
                  "gather sum-check V=%llu D=%llu T=%llu B=%u bad %d: %d", (unsigned long long)V,
                  (unsigned long long)D, (unsigned long long)T, B, bad, st);
        zki_ts_free(&tv);
    }
    zki_ts_free(&tp);
    zki_sc_proof_free(&sc);
    gather_zk z;
    memset(&z, 0, sizeof z);
    z.g = &gd, z.ids = ids, z.B = B, z.W = W, z.wt = wt, z.r = r, z.v = v;
    for (z.priv = 0; z.priv < 2; z.priv++)
        for (z.mutation = 0; z.mutation < (nw ? 3 : 1); z.mutation++) {
            zki_zk *zp = zk_roundtrip("gather", &z, gather_zk_prove, gather_zk_verify, 2 + 2 * nw);
            if (zp)
                zk_cheat("gather", &z, gather_zk_verify, gather_zk_mutate, zp);
            zki_zk_free(zp);
        }
    zki_sc_proof_free(&z.sc);
    free(W);
    free(Wi);
    free(ids);
    free(y);
    free(yt);
    free(wt);
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 9121);
    test_sumcheck(&g, 50, 12, 6, 1);
    test_sumcheck(&g, 7, 5, 3, 2);
    test_sumcheck(&g, 1, 3, 1, 1);
    test_sumcheck(&g, 2, 1, 4, 3);
    test_model(&g, 50, 12, 6, 8, 0, 1);
    test_model(&g, 7, 5, 3, 8, 1, 0);
    test_model(&g, 16, 8, 4, 16, 0, 0);
    test_model(&g, 3, 1, 5, 8, 1, 0);
    test_model(&g, 1, 3, 1, 8, 1, 0);
    test_axis1_refused(&g);
    test_onnx(&g);
    return TEST_SUMMARY();
}
