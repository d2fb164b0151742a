/* Attacks on the proof DAG floor (keys' wiring, the walk, the requant of
 * an n-ary ADD), each a check that FAILS if the attack succeeds.
 *
 *  1. key wiring (zki_dag_read on a mutated copy of a real key's DAG, the
 *     model of test_attack_gadgets: conv, conv, Add, MaxPool, conv,
 *     Concat, Flatten + Linear): every mutation that is not a legal model
 *     must be refused at parse with ZKI_ERR_INPUT; the ones that parse
 *     (other legal models) are listed, and an honest proof for the
 *     original model must not verify under them.
 *  2. statement: a proof for a batch of 2 verified as a batch of 1, a
 *     private-input proof verified with a public input, a public-input
 *     proof verified without one: refused.
 *  3. ADD wrap-around through the key's q_log: a legal model whose ADD
 *     sums 16 reads of one 16-bit map with multipliers 2^31 - 1 (setup
 *     saturates q_log at 20, so the proof's relation is not scaled and
 *     cannot wrap). A key whose ADD node says q_log = 19 still parses (the
 *     key check does not hold q_log to the bound sum |mul_i| 2^(b_i-1) the
 *     verifier could compute itself), and then the proof's relation is
 *     scaled by 2^15: 2^15 acc + 2^15 passes 2^64 and a small quotient
 *     satisfies it mod p. The field-relation prover (prover/seam.h) forges
 *     output 0 where the integer model gives 127: the verifier must reject
 *     (or the key be refused). The key check now holds an ADD's q_log to
 *     that public bound. A LINEAR or CONV node's q_log depends on its
 *     hidden weights and is trusted from setup, as the weights' ranges are
 *     (docs/security.md, "What a verification key is trusted for"): not
 *     attacked here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/rng.h"
#include "poly/mle.h"
#include "prover/seam.h"
#include "test.h"
#include "test_prove_util.h"
#include "test_attack_util.h"
#include "protocol/vk_cost.h"

static const uint8_t seed_w[32] = {3, 1, 4};
static const uint8_t seed_a[32] = {2, 7, 1};

static uint32_t node_of(const zki_dag *d, uint32_t kind, uint32_t nth)
{
    for (uint32_t j = 0; j < d->n_nodes; j++)
        if (d->nodes[j].kind == kind && nth-- == 0)
            return j;
    return UINT32_MAX;
}

/* ---- 1. key wiring ------------------------------------------------------ */

typedef void (*mutate_fn)(zki_dag *d);

static zki_dag dag_copy(const zki_dag *a, uint32_t extra)
{
    zki_dag d = *a;
    d.nodes = calloc(a->n_nodes + extra, sizeof(zki_dag_node));
    memcpy(d.nodes, a->nodes, sizeof(zki_dag_node) * a->n_nodes);
    return d;
}

/* the vk bytes with the DAG replaced by d's */
static int vk_bytes_with(const zki_vk *vk, const zki_dag *d, uint8_t **out, size_t *olen)
{
    uint8_t *b = NULL;
    size_t n = 0;
    if (zki_vk_to_bytes(vk, &b, &n))
        return 0;
    uint32_t al;
    memcpy(&al, b + 12, 4);
    zki_wbuf w = {0};
    zki_dag_write(&w, d);
    size_t nn = n - al + w.n;
    uint8_t *o = malloc(nn);
    memcpy(o, b, 12);
    uint32_t nal = (uint32_t)w.n;
    memcpy(o + 12, &nal, 4);
    memcpy(o + 16, w.p, w.n);
    memcpy(o + 16 + w.n, b + 16 + al, n - 16 - al);
    free(b);
    free(w.p);
    *out = o, *olen = nn;
    return 1;
}

/* 0: refused with ZKI_ERR_INPUT at dag read; 1: parses as a DAG (and the
 * honest proof must then fail under the whole key, if it parses) */
static int try_key(const zki_pk *pk, const char *what, mutate_fn f, uint32_t extra, const uint8_t *proof,
                   size_t plen, const int64_t *X, uint32_t B, int must_refuse)
{
    zki_dag d = dag_copy(&pk->vk.dag, extra);
    f(&d);
    zki_wbuf w = {0};
    zki_dag_write(&w, &d);
    zki_rbuf r = {w.p, w.n, 0};
    zki_dag back;
    zki_status st = zki_dag_read(&r, &back);
    int parsed = st == ZKI_OK;
    if (parsed) {
        zki_dag_free(&back);
        uint8_t *vb;
        size_t vn;
        zki_vk vk2;
        zki_status vs = ZKI_ERR_INPUT;
        if (vk_bytes_with(&pk->vk, &d, &vb, &vn)) {
            vs = zki_vk_from_bytes(&vk2, vb, vn);
            free(vb);
        }
        if (vs == ZKI_OK) {
            zki_status ps = verify_bytes(&vk2, X, B, proof, plen);
            CHECK_MSG(ps != ZKI_OK, "%s: the honest proof VERIFIED under the mutated key", what);
            zki_vk_free(&vk2);
            printf("  %-52s DAG parses; whole key %s; honest proof rejected\n", what, "parses");
        } else {
            printf("  %-52s DAG parses; whole key refused: %s\n", what, zki_last_error());
        }
        CHECK_MSG(!must_refuse, "%s: a key that is not a legal model parsed", what);
    } else {
        CHECK_MSG(st == ZKI_ERR_INPUT, "%s: status %d", what, st);
        printf("  %-52s refused: %s\n", what, zki_last_error());
    }
    free(w.p);
    free(d.nodes);
    return parsed;
}

static void m_later(zki_dag *d) /* the add reads a later tensor */
{
    uint32_t j = node_of(d, ZKI_NODE_ADD, 0);
    d->nodes[j].in[1] = j + 2;
}
static void m_self(zki_dag *d) /* the add reads itself */
{
    uint32_t j = node_of(d, ZKI_NODE_ADD, 0);
    d->nodes[j].in[1] = j + 1;
}
static void m_add_twice(zki_dag *d) /* Add(b, b): a legal other model */
{
    uint32_t j = node_of(d, ZKI_NODE_ADD, 0);
    d->nodes[j].in[1] = d->nodes[j].in[0];
}
static void m_add_input(zki_dag *d) /* Add reads the input */
{
    uint32_t j = node_of(d, ZKI_NODE_ADD, 0);
    d->nodes[j].in[1] = 0;
}
static void m_concat_swap(zki_dag *d) /* Concat(conv2, pool): channels sum right, reordered */
{
    uint32_t j = node_of(d, ZKI_NODE_CONCAT, 0);
    uint32_t t = d->nodes[j].in[0];
    d->nodes[j].in[0] = d->nodes[j].in[1];
    d->nodes[j].in[1] = t;
}
static void m_concat_same(zki_dag *d) /* Concat(pool, pool): 8 channels, C says 6 */
{
    uint32_t j = node_of(d, ZKI_NODE_CONCAT, 0);
    d->nodes[j].in[1] = d->nodes[j].in[0];
}
static void m_concat_input(zki_dag *d)
{
    uint32_t j = node_of(d, ZKI_NODE_CONCAT, 0);
    d->nodes[j].in[0] = 0;
}
static void m_conv_reads_pool_as_other_shape(zki_dag *d) /* conv1 (reads a [4][6][6]) reads the pool [4][3][3] */
{
    uint32_t j = node_of(d, ZKI_NODE_CONV, 1), p = node_of(d, ZKI_NODE_MAXPOOL, 0);
    d->nodes[j].in[0] = p + 1;
}
static void m_conv2_reads_input(zki_dag *d) /* conv2 reads the input in its own layout */
{
    uint32_t j = node_of(d, ZKI_NODE_CONV, 2);
    d->nodes[j].in[0] = 0;
}
static void m_pool_reads_input(zki_dag *d)
{
    uint32_t j = node_of(d, ZKI_NODE_MAXPOOL, 0);
    d->nodes[j].in[0] = 0;
}
static void m_linear_reads_pool(zki_dag *d) /* the Linear reads the pool (K differs) */
{
    uint32_t p = node_of(d, ZKI_NODE_MAXPOOL, 0);
    d->nodes[d->n_nodes - 1].in[0] = p + 1;
}
static void m_conv_N(zki_dag *d)
{
    d->nodes[node_of(d, ZKI_NODE_CONV, 1)].N *= 2;
}
static void m_conv_K(zki_dag *d)
{
    d->nodes[node_of(d, ZKI_NODE_CONV, 1)].K *= 2;
}
static void m_add_C(zki_dag *d)
{
    zki_dag_node *L = &d->nodes[node_of(d, ZKI_NODE_ADD, 0)];
    L->C = 8, L->OC = 8;
}
static void m_add_HW(zki_dag *d) /* the add says 8x4 (same padded size) */
{
    zki_dag_node *L = &d->nodes[node_of(d, ZKI_NODE_ADD, 0)];
    L->H = 8, L->W = 4;
}
static void m_concat_C(zki_dag *d)
{
    zki_dag_node *L = &d->nodes[node_of(d, ZKI_NODE_CONCAT, 0)];
    L->C = 7, L->OC = 7;
}
static void m_pool_bits(zki_dag *d) /* pool pads read as -2^(b-1) with b below its input's */
{
    zki_dag_node *L = &d->nodes[node_of(d, ZKI_NODE_MAXPOOL, 0)];
    L->out_bits = 4;
}
static void m_concat_bits(zki_dag *d)
{
    zki_dag_node *L = &d->nodes[node_of(d, ZKI_NODE_CONCAT, 0)];
    L->out_bits = 4;
}
static void m_nin_big(zki_dag *d)
{
    zki_dag_node *L = &d->nodes[node_of(d, ZKI_NODE_ADD, 0)];
    L->n_in = ZKI_DAG_MAX_IN; /* 96 reads, the same two tensors over and over */
    for (uint32_t i = 2; i < L->n_in; i++)
        L->in[i] = L->in[i % 2], L->mul[i] = L->mul[i % 2];
}
static void m_nin_one(zki_dag *d)
{
    d->nodes[node_of(d, ZKI_NODE_ADD, 0)].n_in = 1;
}
static void m_mul_zero(zki_dag *d)
{
    d->nodes[node_of(d, ZKI_NODE_ADD, 0)].mul[1] = 0;
}
static void m_mul_2p31(zki_dag *d)
{
    d->nodes[node_of(d, ZKI_NODE_ADD, 0)].mul[1] = (int64_t)1 << 31;
}
static void m_mul_neg2p31(zki_dag *d)
{
    d->nodes[node_of(d, ZKI_NODE_ADD, 0)].mul[1] = -((int64_t)1 << 31);
}
static void m_mul_max(zki_dag *d) /* a legal other model */
{
    zki_dag_node *L = &d->nodes[node_of(d, ZKI_NODE_ADD, 0)];
    L->mul[0] = ((int64_t)1 << 31) - 1, L->mul[1] = -(((int64_t)1 << 31) - 1);
}
static void m_out_concat(zki_dag *d) /* cut after the concat: the output is a concat */
{
    d->n_nodes = node_of(d, ZKI_NODE_CONCAT, 0) + 1;
    d->out_rank = 1;
    d->out_dims[0] = 6 * 3 * 3;
}
/* a dead node: a copy of the first node of a kind inserted right after it
 * (later reads renumbered), nothing reads it */
static void insert_dead_copy(zki_dag *d, uint32_t kind)
{
    uint32_t c = node_of(d, kind, 0), n = d->n_nodes;
    memmove(&d->nodes[c + 2], &d->nodes[c + 1], sizeof(zki_dag_node) * (n - c - 1));
    d->nodes[c + 1] = d->nodes[c];
    d->n_nodes = n + 1;
    for (uint32_t j = c + 2; j < d->n_nodes; j++)
        for (uint32_t i = 0; i < d->nodes[j].n_in; i++)
            if (d->nodes[j].in[i] > c + 1)
                d->nodes[j].in[i]++;
}
static void m_dead_concat(zki_dag *d) { insert_dead_copy(d, ZKI_NODE_CONCAT); }
static void m_dead_pool(zki_dag *d) { insert_dead_copy(d, ZKI_NODE_MAXPOOL); }
static void m_in_dims(zki_dag *d)
{
    d->in_dims[d->in_rank - 1] += 1;
}

/* The ADD node's n_in patched in the DAG's bytes (0, 97, 2^32 - 1, and one
 * more than it has, the next bytes then read as its inputs): refused. */
static void n_in_bytes(const zki_dag *d)
{
    zki_wbuf w = {0};
    zki_dag_write(&w, d);
    size_t at = 4 * 4 + 8 * d->in_rank + 4 + 8 * d->out_rank + 16;
    uint32_t j = node_of(d, ZKI_NODE_ADD, 0);
    for (uint32_t l = 0; l < j; l++)
        at += 120 + 4 * d->nodes[l].n_in + (d->nodes[l].kind == ZKI_NODE_ADD ? 8 * d->nodes[l].n_in : 0);
    uint32_t was;
    memcpy(&was, w.p + at + 116, 4);
    CHECK_MSG(was == d->nodes[j].n_in, "n_in at byte %zu", at + 116);
    const uint32_t vals[4] = {0, ZKI_DAG_MAX_IN + 1, UINT32_MAX, d->nodes[j].n_in + 1};
    for (int i = 0; i < 4; i++) {
        memcpy(w.p + at + 116, &vals[i], 4);
        zki_rbuf r = {w.p, w.n, 0};
        zki_dag back;
        zki_status st = zki_dag_read(&r, &back);
        CHECK_MSG(st == ZKI_ERR_INPUT, "add n_in %u in the bytes: status %d", vals[i], st);
        if (!st)
            zki_dag_free(&back);
        printf("  %-52s refused: %s\n", i == 0 ? "add n_in = 0 (bytes)" : i == 1 ? "add n_in = 97 (bytes)" :
                                          i == 2 ? "add n_in = 2^32 - 1 (bytes)" : "add n_in + 1 (bytes)",
               st ? zki_last_error() : "(parsed)");
    }
    free(w.p);
}

static void test_keys(void)
{
    printf("1. key wiring\n");
    zki_rng g;
    zki_rng_seed(&g, 77);
    zki_qmodel *m = make_model(&g);
    zki_pk *pk = NULL;
    CHECK(zki_setup(m, seed_w, &pk) == ZKI_OK);
    if (!pk) {
        zki_qmodel_free(m);
        return;
    }
    int64_t X[72];
    for (int i = 0; i < 72; i++)
        X[i] = (int64_t)zki_rng_below(&g, 256) - 128;
    zki_prove_opts o = {0, seed_a, NULL, NULL, 0, 0};
    zki_proof pf;
    CHECK(zki_prove(pk, X, 1, &o, &pf, NULL) == ZKI_OK);
    uint8_t *pb = NULL;
    size_t pn = 0;
    CHECK(zki_proof_to_bytes(&pf, &pb, &pn) == ZKI_OK);
    zki_proof_free(&pf);
    CHECK(verify_bytes(&pk->vk, X, 1, pb, pn) == ZKI_OK);
    struct {
        const char *what;
        mutate_fn f;
        uint32_t extra;
        int must_refuse;
    } cases[] = {
        {"add reads a later tensor", m_later, 0, 1},
        {"add reads its own output", m_self, 0, 1},
        {"add reads the input", m_add_input, 0, 1},
        {"concat reads the input", m_concat_input, 0, 1},
        {"maxpool reads the input", m_pool_reads_input, 0, 1},
        {"conv2 (1x1, C=4) reads the input [2][6][6]", m_conv2_reads_input, 0, 1},
        {"conv1 reads the pool (another shape)", m_conv_reads_pool_as_other_shape, 0, 1},
        {"linear reads the pool (K differs)", m_linear_reads_pool, 0, 1},
        {"conv1 N doubled", m_conv_N, 0, 1},
        {"conv1 K doubled", m_conv_K, 0, 1},
        {"add C = 8", m_add_C, 0, 1},
        {"add H x W = 8 x 4 (same padded size)", m_add_HW, 0, 1},
        {"concat C = 7", m_concat_C, 0, 1},
        {"concat(pool, pool) (8 channels, C 6)", m_concat_same, 0, 1},
        {"maxpool out_bits 4 < its input's 8", m_pool_bits, 0, 1},
        {"concat out_bits 4 < its inputs' 8", m_concat_bits, 0, 1},
        {"add n_in = 1", m_nin_one, 0, 1},
        {"add mul = 0", m_mul_zero, 0, 1},
        {"add mul = 2^31", m_mul_2p31, 0, 1},
        {"add mul = -2^31", m_mul_neg2p31, 0, 1},
        {"output node is the concat", m_out_concat, 0, 1},
        {"input dims differ from node 0", m_in_dims, 0, 1},
        /* legal other models (or dead nodes: see the report) */
        {"add(b, b) (reads one tensor twice)", m_add_twice, 0, 0},
        {"concat(conv2, pool) (reordered)", m_concat_swap, 0, 0},
        {"add n_in = 96", m_nin_big, 0, 0},
        {"add mul = +-(2^31 - 1)", m_mul_max, 0, 0},
        {"dead maxpool (copy nothing reads)", m_dead_pool, 1, 0},
        {"dead concat (copy nothing reads)", m_dead_concat, 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        try_key(pk, cases[i].what, cases[i].f, cases[i].extra, pb, pn, X, 1, cases[i].must_refuse);
    n_in_bytes(&pk->vk.dag);
    free(pb);
    zki_pk_free(pk);
    zki_qmodel_free(m);
}

/* ---- 2. the statement --------------------------------------------------- */

static void test_statement(void)
{
    printf("2. statement\n");
    zki_rng g;
    zki_rng_seed(&g, 78);
    zki_qmodel *m = make_model(&g);
    zki_pk *pk = NULL;
    CHECK(zki_setup(m, seed_w, &pk) == ZKI_OK);
    if (!pk) {
        zki_qmodel_free(m);
        return;
    }
    int64_t X[144];
    for (int i = 0; i < 144; i++)
        X[i] = (int64_t)zki_rng_below(&g, 256) - 128;
    zki_prove_opts o = {0, seed_a, NULL, NULL, 0, 0};
    zki_proof pf;
    uint8_t *pb = NULL;
    size_t pn = 0;
    CHECK(zki_prove(pk, X, 2, &o, &pf, NULL) == ZKI_OK);
    CHECK(zki_proof_to_bytes(&pf, &pb, &pn) == ZKI_OK);
    zki_proof_free(&pf);
    CHECK(verify_bytes(&pk->vk, X, 2, pb, pn) == ZKI_OK);
    CHECK_MSG(verify_bytes(&pk->vk, X, 1, pb, pn) != ZKI_OK, "a batch-2 proof verified as a batch of 1");
    CHECK_MSG(verify_bytes(&pk->vk, NULL, 2, pb, pn) != ZKI_OK, "a public-input proof verified without input");
    free(pb);
    zki_pk_free(pk);
    CHECK(zki_setup(m, seed_w, &pk) == ZKI_OK);
    if (pk) {
        zki_prove_opts op = {1, seed_a, NULL, NULL, 0, 0};
        CHECK(zki_prove(pk, X, 1, &op, &pf, NULL) == ZKI_OK);
        CHECK(zki_proof_to_bytes(&pf, &pb, &pn) == ZKI_OK);
        zki_proof_free(&pf);
        CHECK(verify_bytes(&pk->vk, NULL, 1, pb, pn) == ZKI_OK);
        CHECK_MSG(verify_bytes(&pk->vk, X, 1, pb, pn) != ZKI_OK, "a private-input proof verified with an input");
        free(pb);
        zki_pk_free(pk);
    }
    zki_qmodel_free(m);
}

/* ---- 3. ADD wrap-around through the key's q_log -------------------------- */

/* the target node's (ctx) requant witness from the field relation; its
 * integer accumulators, which the gadget's witness left in W->acc[j] even
 * when the honest requant refused them, are honest */
static zki_status mal_rq(void *ctx, const zki_pk *pk, uint32_t j, zki_witness *W, uint32_t B, zki_status st)
{
    const zki_dag_node *L = &pk->vk.dag.nodes[j];
    if (j != *(const uint32_t *)ctx)
        return st;
    if (!W->acc[j])
        return zki_fail(ZKI_ERR_INPUT, "mal: no accumulators at node %u", j);
    size_t n = (size_t)B << zki_log2_ceil(L->N);
    if (!st)
        zki_requant_witness_free(&W->rq[j]);
    zki_requant_params p;
    zki_requant_params_of(L, &p);
    if ((st = mal_requant_witness(&W->rq[j], &p, W->acc[j], n)))
        return st;
    W->t[j + 1] = W->rq[j].y;
    W->ld[j + 1] = (uint64_t)1 << zki_log2_ceil(L->N);
    return ZKI_OK;
}

/* Node j of pk's key (q_log saturated at 20 by setup) edited to q_log 19;
 * the field-relation prover's proof of X (its output 0 differs from the
 * model's y0) must be rejected, or the edited key refused. */
static void forge_with_qlog(zki_pk *pk, uint32_t j, const int64_t *X, int64_t y0)
{
    printf("  setup: node %u (kind %u), q_log %u, s %u\n", j, pk->vk.dag.nodes[j].kind, pk->vk.dag.nodes[j].q_log,
           pk->vk.dag.nodes[j].s);
    CHECK(pk->vk.dag.nodes[j].q_log == ZKI_DAG_MAX_Q_LOG); /* saturated: unscaled, sound */
    pk->vk.dag.nodes[j].q_log = 19; /* the node's only change; the hashes redone */
    CHECK(zki_vk_finish(&pk->vk) == ZKI_OK);
    uint8_t *vb = NULL;
    size_t vn = 0;
    zki_vk vk2;
    CHECK(zki_vk_to_bytes(&pk->vk, &vb, &vn) == ZKI_OK);
    zki_status ks = zki_vk_from_bytes(&vk2, vb, vn);
    free(vb);
    if (ks) {
        printf("  the edited key is refused: %s\n", zki_last_error());
        CHECK(ks == ZKI_ERR_INPUT);
        return;
    }
    printf("  the edited key (q_log 19, below the accumulators' bound) parses\n");
    zki_prove_opts o = {0, seed_a, NULL, NULL, 0, 0};
    zki_prove_seam seam = {0, ZKI_LK_COLS_FIELD, mal_rq, &j, 0};
    zki_proof pf;
    zki_prove_test_seam = &seam;
    zki_status st = zki_prove(pk, X, 1, &o, &pf, NULL);
    zki_prove_test_seam = NULL;
    if (st) {
        printf("  malicious prover: %s\n", zki_last_error());
    } else {
        int64_t yf = pf.output[0];
        printf("  forged output[0] %lld, the integer model gives %lld\n", (long long)yf, (long long)y0);
        CHECK(yf != y0); /* a false statement */
        uint8_t *b = NULL;
        size_t bn = 0;
        CHECK(zki_proof_to_bytes(&pf, &b, &bn) == ZKI_OK);
        zki_proof_free(&pf);
        zki_status vs = verify_bytes(&vk2, X, 1, b, bn);
        if (vs)
            printf("  verifier: %s\n", zki_last_error());
        CHECK_MSG(vs != ZKI_OK, "verifier ACCEPTED output %lld for a model that gives %lld (node %u, key q_log 19)",
                  (long long)yf, (long long)y0, j);
        free(b);
    }
    zki_vk_free(&vk2);
}

static void test_add_qlog_wrap(void)
{
    printf("3. ADD wrap-around through the key's q_log\n");
    zki_rng g;
    zki_rng_seed(&g, 79);
    zki_qmodel *m = calloc(1, sizeof(*m));
    int64_t d4[4] = {1, 1, 2, 2};
    int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 16, 4, d4, 1.0 / 32767);
    m->n_inputs = 1;
    m->inputs[0] = x;
    /* a = x: conv 1x1 weight 1, bias 0, M = 2, s = 1, 16-bit clamp */
    int64_t wd[4] = {1, 1, 1, 1}, bd[1] = {1};
    int wt = add_const(m, &g, "id.w", 8, 4, wd, 1, 1);
    int bt = add_const(m, &g, "id.b", 32, 1, bd, 0, 1);
    shape s = {1, 2, 2};
    int a = value_b(m, "a", s, 16);
    int ni = zki_qmodel_add_node(m, ZKI_QOP_CONV, "id");
    zki_qnode *n = &m->nodes[ni];
    n->n_in = 3, n->in[0] = x, n->in[1] = wt, n->in[2] = bt, n->out = a, n->n_p = 15;
    n->p[0] = 2, n->p[1] = 1, n->p[2] = -32768, n->p[3] = 32767;
    const int64_t geo[11] = {1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0};
    memcpy(n->p + 4, geo, sizeof geo);
    /* y = rq(sum of 16 reads of a, each times 2^31 - 1; s = 1), ReLU to 127 */
    int y = value_b(m, "y", s, 8);
    ni = zki_qmodel_add_node(m, ZKI_QOP_ADD, "sum16");
    n = &m->nodes[ni];
    n->n_in = 16, n->out = y, n->n_p = 19;
    for (int i = 0; i < 16; i++)
        n->in[i] = a, n->p[i] = ((int64_t)1 << 31) - 1;
    n->p[16] = 1, n->p[17] = 0, n->p[18] = 127;
    m->n_outputs = 1;
    m->outputs[0] = y;
    CHECK_MSG(zki_qmodel_check(m) == ZKI_OK, "the wrap model is a legal model: %s", zki_last_error());
    int64_t X[4] = {16384, 16384, 16384, 16384};
    int64_t *yq = qexec_batch(m, X, 1);
    CHECK(yq && yq[0] == 127);
    zki_pk *pk = NULL;
    CHECK_MSG(zki_setup(m, seed_w, &pk) == ZKI_OK, "setup: %s", zki_last_error());
    uint32_t j = pk ? node_of(&pk->vk.dag, ZKI_NODE_ADD, 0) : UINT32_MAX;
    if (j == UINT32_MAX) {
        free(yq);
        zki_pk_free(pk);
        zki_qmodel_free(m);
        return;
    }
    forge_with_qlog(pk, j, X, yq[0]);
    free(yq);
    zki_pk_free(pk);
    zki_qmodel_free(m);
}

/* the same through a LINEAR node (test_attack_requant's wrap model: 64 -> 2,
 * weights 127, bias 16320, M = 2^29, s = 17; x = 127 everywhere gives
 * q = 2^32, output 127): with the key's q_log 19 the proof's shift is 32 */
static void prove_and_swap(const zki_qmodel *m, const int64_t *X, uint32_t B, const char *what)
{
    zki_pk *pk = NULL;
    CHECK_MSG(zki_setup(m, seed_w, &pk) == ZKI_OK, "%s: setup: %s", what, zki_last_error());
    if (!pk)
        return;
    zki_prove_opts o = {0, seed_a, NULL, NULL, 0, 0};
    zki_proof pf;
    zki_status st = zki_prove(pk, X, B, &o, &pf, NULL);
    CHECK_MSG(st == ZKI_OK, "%s: prove: %s", what, zki_last_error());
    if (st) {
        zki_pk_free(pk);
        return;
    }
    check_output_is_qexec(m, X, B, &pf, what);
    CHECK_MSG(zki_verify(&pk->vk, X, B, &pf) == ZKI_OK, "%s: honest proof: %s", what, zki_last_error());
    const zki_dag *d = &pk->vk.dag;
    int swaps = 0;
    for (uint32_t a = 0; a < d->n_nodes; a++)
        for (uint32_t b = a + 1; b < d->n_nodes; b++) {
            zki_node_shape sa, sb;
            const zki_gadget *g = zki_gadget_of(d->nodes[a].kind);
            if (d->nodes[a].kind != d->nodes[b].kind || g->shape(d, a, B, &sa) || g->shape(d, b, B, &sb) ||
                !zki_node_proof_has_shape(&pf.node[b], &sa) || !zki_node_proof_has_shape(&pf.node[a], &sb))
                continue;
            zki_node_proof t = pf.node[a];
            pf.node[a] = pf.node[b], pf.node[b] = t;
            CHECK_MSG(zki_verify(&pk->vk, X, B, &pf) != ZKI_OK, "%s: node proofs %u and %u swapped: ACCEPTED", what,
                      a, b);
            t = pf.node[a];
            pf.node[a] = pf.node[b], pf.node[b] = t;
            swaps++;
        }
    CHECK_MSG(zki_verify(&pk->vk, X, B, &pf) == ZKI_OK, "%s: restored proof", what);
    printf("  %s: %u nodes, output = qexec's, verifies; %d same-shape swaps rejected\n", what, d->n_nodes, swaps);
    zki_proof_free(&pf);
    zki_pk_free(pk);
}

static void test_fixtures(void)
{
    static const char *const fx[] = {"inception", "three_consumers", "densenet", "add3", "concat5"};
    printf("5. fixtures: lowering vs qexec, node proofs swapped\n");
    for (size_t i = 0; i < sizeof fx / sizeof fx[0]; i++) {
        char onnx[64], calib[64];
        snprintf(onnx, sizeof onnx, "dag_%s.onnx", fx[i]);
        snprintf(calib, sizeof calib, "dag_%s_calib.npy", fx[i]);
        int64_t *X = NULL;
        zki_qmodel *m = load_fixture(onnx, calib, &X);
        if (m && X)
            prove_and_swap(m, X, 2, fx[i]);
        free(X);
        zki_qmodel_free(m);
    }
}

/* models built here: x [2][4][4] -> conv 3x3 (2 -> 3) = a, relu; then
 *   twice:  Add(a, a) (one tensor read twice by one Add) -> Flatten -> Linear
 *   cat2:   Concat(a, a) -> Flatten -> Linear
 *   fork:   b = conv 1x1 (2 -> 2) of x too (a fork at the input), Concat(a, b),
 *           MaxPool 2x2 of the concat, Add(pool, pool') where pool' = MaxPool
 *           3x3/1 pad 1 of the concat (then 2x2/2) -> Flatten -> Linear */
static zki_qmodel *small_model(zki_rng *g, int which)
{
    zki_qmodel *m = calloc(1, sizeof(*m));
    int64_t d4[4] = {1, 2, 4, 4};
    int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 8, 4, d4, 1.0 / 127);
    m->n_inputs = 1;
    m->inputs[0] = x;
    shape s = {2, 4, 4};
    int a = conv(m, g, x, &s, 3, 3, 1, "conva");
    int out, ni;
    zki_qnode *n;
    if (which == 0) {
        out = value_b(m, "twice", s, 8);
        ni = zki_qmodel_add_node(m, ZKI_QOP_ADD, "twice");
        n = &m->nodes[ni];
        n->n_in = 2, n->in[0] = a, n->in[1] = a, n->out = out, n->n_p = 5;
        n->p[0] = 900, n->p[1] = -300, n->p[2] = 11, n->p[3] = -128, n->p[4] = 127;
        out = add_flatten_linear(m, g, out, 3 * 16, 4);
    } else if (which == 1) {
        shape sj = {6, 4, 4};
        out = value_b(m, "cat2", sj, 8);
        ni = zki_qmodel_add_node(m, ZKI_QOP_CONCAT, "cat2");
        n = &m->nodes[ni];
        n->n_in = 2, n->in[0] = a, n->in[1] = a, n->out = out, n->n_p = 1, n->p[0] = 1;
        out = add_flatten_linear(m, g, out, 6 * 16, 4);
    } else {
        shape sb = {2, 4, 4};
        int b = conv(m, g, x, &sb, 2, 1, 0, "convb");
        shape sj = {5, 4, 4};
        int cat = value_b(m, "cat", sj, 8);
        ni = zki_qmodel_add_node(m, ZKI_QOP_CONCAT, "cat");
        n = &m->nodes[ni];
        n->n_in = 2, n->in[0] = a, n->in[1] = b, n->out = cat, n->n_p = 1, n->p[0] = 1;
        shape sp = {5, 2, 2}, s3 = {5, 4, 4};
        int p1 = value_b(m, "p1", sp, 8), p3 = value_b(m, "p3", s3, 8), p2 = value_b(m, "p2", sp, 8);
        const int64_t q1[10] = {2, 2, 2, 2, 1, 1, 0, 0, 0, 0}, q3[10] = {3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
        maxpool(m, "p1", cat, p1, q1);
        maxpool(m, "p3", cat, p3, q3);
        maxpool(m, "p2", p3, p2, q1);
        int sum = value_b(m, "sum", sp, 8);
        ni = zki_qmodel_add_node(m, ZKI_QOP_ADD, "sum");
        n = &m->nodes[ni];
        n->n_in = 2, n->in[0] = p1, n->in[1] = p2, n->out = sum, n->n_p = 5;
        n->p[0] = 1000, n->p[1] = 1000, n->p[2] = 11, n->p[3] = -128, n->p[4] = 127;
        out = add_flatten_linear(m, g, sum, 5 * 4, 4);
    }
    m->n_outputs = 1;
    m->outputs[0] = out;
    CHECK_MSG(zki_qmodel_check(m) == ZKI_OK, "small model %d: %s", which, zki_last_error());
    return m;
}

/* the fork model (the input read by two convs) with an odd batch, public
 * and private: outputs are qexec's, proofs verify, and each is refused in
 * the other mode */
static void prove_private(const zki_qmodel *m, const int64_t *X, uint32_t B, const char *what)
{
    for (int priv = 0; priv < 2; priv++) {
        zki_pk *pk = NULL;
        CHECK(zki_setup(m, seed_w, &pk) == ZKI_OK);
        if (!pk)
            return;
        zki_prove_opts o = {priv, seed_a, NULL, NULL, 0, 0};
        zki_proof pf;
        CHECK_MSG(zki_prove(pk, X, B, &o, &pf, NULL) == ZKI_OK, "%s: prove: %s", what, zki_last_error());
        check_output_is_qexec(m, X, B, &pf, what);
        CHECK_MSG(zki_verify(&pk->vk, priv ? NULL : X, B, &pf) == ZKI_OK, "%s (private %d): %s", what, priv,
                  zki_last_error());
        CHECK_MSG(zki_verify(&pk->vk, priv ? X : NULL, B, &pf) != ZKI_OK, "%s (private %d) in the other mode",
                  what, priv);
        printf("  %s, private %d: output = qexec's, verifies\n", what, priv);
        zki_proof_free(&pf);
        zki_pk_free(pk);
    }
}

static void test_small_models(void)
{
    static const char *const nm[] = {"Add(a, a)", "Concat(a, a)", "fork at the input, pools, Add"};
    printf("6. small models: lowering vs qexec, node proofs swapped\n");
    zki_rng g;
    zki_rng_seed(&g, 81);
    for (int w = 0; w < 3; w++) {
        zki_qmodel *m = small_model(&g, w);
        int64_t X[96];
        for (int i = 0; i < 96; i++)
            X[i] = (int64_t)zki_rng_below(&g, 256) - 128;
        prove_and_swap(m, X, 2, nm[w]);
        if (w == 2)
            prove_private(m, X, 3, "fork model, batch of 3");
        zki_qmodel_free(m);
    }
}

/* ---- 7. the verifier's cost bound and a wide Concat --------------------- */

/* A key whose DAG is x [1][1][1] -> two 1x1 convs to 2^25 channels each ->
 * Concat (2^26 channels) -> Flatten -> Linear 1, with the weight
 * commitment's shape (no weights needed to price the verifier). The
 * concat's verifier allocates eq tables of 2^lc + 2^m + 2^lt extension
 * elements (16 bytes each): the key's cost bound must cover them. */
static void test_concat_cost(void)
{
    printf("7. verifier cost of a wide concat\n");
    zki_vk vk;
    memset(&vk, 0, sizeof vk);
    zki_dag *d = &vk.dag;
    d->n_nodes = 4;
    d->nodes = calloc(4, sizeof(zki_dag_node));
    d->in_bits = d->out_bits = 8;
    d->in_rank = 4, d->out_rank = 2;
    for (int i = 0; i < 4; i++)
        d->in_dims[i] = 1;
    d->out_dims[0] = d->out_dims[1] = 1;
    d->in_scale = d->out_scale = 1.0;
    const uint32_t half = 1u << 25;
    for (int j = 0; j < 2; j++) {
        zki_dag_node *L = &d->nodes[j];
        L->kind = ZKI_NODE_CONV, L->K = 1, L->N = half, L->w_bits = 8, L->out_bits = 8, L->M = 1, L->s = 1;
        L->lo = -128, L->hi = 127, L->q_log = 10, L->C = L->H = L->W = 1, L->OC = half, L->KH = L->KW = 1;
        L->sh = L->sw = L->dh = L->dw = 1, L->G = 1, L->n_in = 1, L->in[0] = 0;
    }
    zki_dag_node *J = &d->nodes[2];
    J->kind = ZKI_NODE_CONCAT, J->K = J->N = 2 * half, J->out_bits = 8, J->C = J->OC = 2 * half, J->H = J->W = 1;
    J->G = 1, J->n_in = 2, J->in[0] = 1, J->in[1] = 2;
    zki_dag_node *F = &d->nodes[3];
    F->kind = ZKI_NODE_LINEAR, F->K = 2 * half, F->N = 1, F->w_bits = 8, F->out_bits = 8, F->M = 1, F->s = 1;
    F->lo = -128, F->hi = 127, F->q_log = 10, F->C = 2 * half, F->H = F->W = 1, F->n_in = 1, F->in[0] = 3;
    zki_status st = zki_dag_check(d);
    CHECK_MSG(st == ZKI_OK, "the wide concat DAG: %s", zki_last_error());
    vk.grind_bits = ZKI_KEY_GRIND_BITS;
    uint64_t lens[3];
    zki_pcs_params wp;
    if (!st && !(st = zki_vk_layout(&vk))) {
        uint32_t nt = zki_vk_weight_lens(&vk, lens);
        zki_key_pcs_params(&vk, 0, vk.wpack.total, &wp);
        st = zki_pcs_shape_init(&vk.wcom, &wp, lens, nt);
    }
    uint64_t ops = 0, bytes = 0;
    if (!st)
        st = zki_vk_verifier_cost(&vk, 1, &ops, &bytes);
    CHECK_MSG(st == ZKI_OK, "cost: %s", zki_last_error());
    uint64_t tables = 16 * (((uint64_t)1 << 26) + ((uint64_t)1 << 25) + 2);
    printf("  key cost bound: %llu MiB, %llu Mops (limits %llu MiB, %llu Mops); the concat's verifier tables "
           "alone: %llu MiB; the cost check %s the key\n",
           (unsigned long long)(bytes >> 20), (unsigned long long)(ops / 1000000),
           (unsigned long long)(ZKI_VK_MAX_VERIFY_BYTES >> 20), (unsigned long long)(ZKI_VK_MAX_VERIFY_OPS / 1000000),
           (unsigned long long)(tables >> 20), zki_vk_cost_check(&vk) ? "refuses" : "passes");
    CHECK_MSG(!st && (bytes >= tables || zki_vk_cost_check(&vk) != ZKI_OK),
              "a key passes the cost check (bound %llu MiB) whose concat verifier allocates %llu MiB",
              (unsigned long long)(bytes >> 20), (unsigned long long)(tables >> 20));
    zki_vk_free(&vk);
}

int main(void)
{
    test_keys();
    test_statement();
    test_add_qlog_wrap();
    test_fixtures();
    test_small_models();
    test_concat_cost();
    return TEST_SUMMARY();
}
