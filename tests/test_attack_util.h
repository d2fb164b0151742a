/* Helpers shared by the attack tests that forge witnesses or build small
 * DAG models in C (test_attack_requant, test_attack_gadgets,
 * test_attack_dag): the field-relation requant witness of a cheating
 * prover, and the builders of the models (a value map, a conv, a maxpool,
 * test_attack_gadgets' model holding every gadget kind); and the forgery
 * of a model's nodes through the prover's seam (the proving tests of the
 * lowered ops). Include after test_prove_util.h. */
#ifndef ZKI_TEST_ATTACK_UTIL_H
#define ZKI_TEST_ATTACK_UTIL_H

#include <stdio.h>

#include "lookup/requant.h"
#include "prover/seam.h"

#define FORGE_FAILED (-1) /* no witness satisfies even the field relations */

/* x mod p, centred in (-p/2, p/2] */
static inline int64_t mal_centre(__int128 x)
{
    __int128 p = (__int128)ZKI_P, r = x % p;
    if (r < 0)
        r += p;
    if (r > p / 2)
        r -= p;
    return (int64_t)r;
}

/* the shift of the proof's relation (requant.c eff_shift) */
static inline unsigned mal_eff_shift(const zki_requant_params *p)
{
    unsigned s2 = 16 * zki_requant_n_limbs(p->s);
    return s2 + p->q_log <= 62 && p->q_log < ZKI_LK_MAX_LOG_TABLE ? s2 : p->s;
}

/* q, y, limbs from the relation mod p; fails if q leaves the table */
static inline zki_status mal_requant_witness(zki_requant_witness *w, const zki_requant_params *p, const int64_t *x,
                                      size_t n)
{
    /* the library's buffers (the witness of zero accumulators), overwritten */
    int64_t *zero = calloc(n, sizeof(int64_t));
    zki_status st = zero ? zki_requant_witness_new(w, p, zero, n, "mal") : zki_fail(ZKI_ERR_NOMEM, "mal");
    free(zero);
    if (st)
        return st;
    unsigned L = w->n_limbs, se = mal_eff_shift(p);
    int64_t qlo = -((int64_t)1 << (p->q_log - 1)), qhi = -qlo;
    __int128 Me = (__int128)p->M << (se - p->s);
    for (size_t i = 0; i < n; i++) {
        __int128 z = mal_centre((__int128)x[i] * Me + ((__int128)1 << (se - 1)));
        __int128 q = z >> se;
        if (q < qlo || q >= qhi)
            return zki_fail(ZKI_ERR_INPUT, "mal: quotient outside the table at %zu", i);
        uint64_t r = (uint64_t)(z - q * ((__int128)1 << se));
        w->q[i] = (int64_t)q;
        w->y[i] = q < p->lo ? p->lo : q > p->hi ? p->hi : (int64_t)q;
        for (unsigned l = 1; l < L; l++)
            w->limb[l][i] = (int64_t)((r >> (16 * l)) & 0xffff);
    }
    return ZKI_OK;
}

/* ---- models built in C -------------------------------------------------- */

typedef struct {
    int64_t C, H, W;
} shape;

static inline int value_b(zki_qmodel *m, const char *name, shape s, int bits)
{
    int64_t d[4] = {1, s.C, s.H, s.W};
    return zki_qmodel_add_tensor(m, name, ZKI_QT_VALUE, bits, 4, d, 0.05);
}

/* conv k x k, stride 1, pad k / 2, C -> OC */
static inline int conv(zki_qmodel *m, zki_rng *g, int x, shape *s, int64_t OC, int64_t k, int relu, const char *name)
{
    char nm[32];
    int64_t wd[4] = {OC, s->C, k, k}, bd[1] = {OC}, p = k / 2;
    snprintf(nm, sizeof nm, "%s.w", name);
    int wt = add_const(m, g, nm, 8, 4, wd, -127, 255);
    snprintf(nm, sizeof nm, "%s.b", name);
    int bt = add_const(m, g, nm, 32, 1, bd, -(1 << 12), 1 << 13);
    s->C = OC;
    int yt = value_b(m, name, *s, 8);
    int ni = zki_qmodel_add_node(m, ZKI_QOP_CONV, name);
    zki_qnode *n = &m->nodes[ni];
    n->n_in = 3, n->in[0] = x, n->in[1] = wt, n->in[2] = bt, n->out = yt, n->n_p = 15;
    n->p[0] = 80, n->p[1] = 16, n->p[2] = relu ? 0 : -128, n->p[3] = 127;
    const int64_t geo[11] = {1, k, k, 1, 1, 1, 1, p, p, p, p};
    memcpy(n->p + 4, geo, sizeof geo);
    return yt;
}

static inline void maxpool(zki_qmodel *m, const char *name, int x, int y, const int64_t q[10])
{
    int ni = zki_qmodel_add_node(m, ZKI_QOP_MAXPOOL, name); /* may move m->nodes */
    zki_qnode *n = &m->nodes[ni];
    memcpy(n->p, q, sizeof(int64_t) * 10);
    n->n_p = 10, n->n_in = 1, n->in[0] = x, n->out = y;
}

/* x [2][6][6] -> conv0 (2 -> 4) = a -> conv1 (4 -> 4) -> Add(., a) ->
 * MaxPool 2x2/2 = p -> conv2 1x1 (4 -> 2) -> Concat(p, .) -> Flatten ->
 * Linear 3 (the model of test_attack_gadgets) */
static inline zki_qmodel *make_model(zki_rng *g)
{
    zki_qmodel *m = calloc(1, sizeof(*m));
    int64_t d4[4] = {1, 2, 6, 6};
    int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 8, 4, d4, 1.0 / 127);
    m->n_inputs = 1;
    m->inputs[0] = x;
    shape s = {2, 6, 6};
    int a = conv(m, g, x, &s, 4, 3, 1, "conv0");
    int b = conv(m, g, a, &s, 4, 3, 0, "conv1");
    int sum = value_b(m, "sum", s, 8);
    int ni = zki_qmodel_add_node(m, ZKI_QOP_ADD, "add");
    zki_qnode *n = &m->nodes[ni];
    n->n_in = 2, n->in[0] = b, n->in[1] = a, n->out = sum, n->n_p = 5;
    n->p[0] = 1500, n->p[1] = -700, n->p[2] = 12, n->p[3] = 0, n->p[4] = 127;
    shape sp = {4, 3, 3};
    int pool = value_b(m, "pool", sp, 8);
    const int64_t pp[10] = {2, 2, 2, 2, 1, 1, 0, 0, 0, 0};
    maxpool(m, "maxpool", sum, pool, pp);
    shape sc = sp;
    int c = conv(m, g, pool, &sc, 2, 1, 1, "conv2");
    shape sj = {6, 3, 3};
    int cat = value_b(m, "cat", sj, 8);
    ni = zki_qmodel_add_node(m, ZKI_QOP_CONCAT, "concat");
    n = &m->nodes[ni];
    n->n_in = 2, n->in[0] = pool, n->in[1] = c, n->out = cat, n->n_p = 1, n->p[0] = 1;
    int yt = add_flatten_linear(m, g, cat, 6 * 3 * 3, 3);
    m->n_outputs = 1;
    m->outputs[0] = yt;
    CHECK_MSG(zki_qmodel_check(m) == ZKI_OK, "model check: %s", zki_last_error());
    return m;
}

/* ---- a forged witness through the real prover (prover/seam.h) ---------- */

#define SEAM_PROVER_REFUSED (-1)

/* A seam callback (prover/seam.h) moving node `target`'s output by one at
 * position `pos` of its layout: in the buffer later nodes read (a
 * requantised output's y, else the node's own). */
typedef struct {
    uint32_t target;
    size_t pos;
    int hit; /* set once the value moved */
} forge_at;

static inline zki_status seam_move_output(void *ctx, const zki_pk *pk, uint32_t j, zki_witness *W, uint32_t B,
                                          zki_status st)
{
    forge_at *f = ctx;
    (void)pk;
    (void)B;
    if (st || j != f->target)
        return st;
    int64_t *y = W->rq[j].y && W->t[j + 1] == W->rq[j].y ? W->rq[j].y
                 : W->own[j + 1] && W->t[j + 1] == W->own[j + 1] ? W->own[j + 1] : NULL;
    if (!y)
        return zki_fail(ZKI_ERR_INPUT, "forge: node %u's output buffer", j);
    if (f->pos >= W->ld[j + 1])
        return zki_fail(ZKI_ERR_INPUT, "forge: node %u has %llu positions", j, (unsigned long long)W->ld[j + 1]);
    y[f->pos] += 1;
    f->hit = 1;
    return ZKI_OK;
}

/* A fresh key (seed_w) proves X (batch B, public input) under seam (NULL:
 * none); the proof round-trips through bytes and is verified: the
 * verifier's status, or SEAM_PROVER_REFUSED. *honest: the proof's output
 * is the integer executor's. *bytes (if given) keeps the proof, *pkout
 * (if given) the key. */
static inline int seam_prove_verify(const zki_qmodel *m, const int64_t *X, uint32_t B, const uint8_t seed_w[32],
                                    const uint8_t seed_a[32], const zki_prove_seam *seam, int *honest,
                                    uint8_t **bytes, size_t *blen, zki_pk **pkout)
{
    zki_pk *pk = NULL;
    *honest = 0;
    if (zki_setup(m, seed_w, &pk) != ZKI_OK) {
        CHECK_MSG(0, "setup: %s", zki_last_error());
        return SEAM_PROVER_REFUSED;
    }
    zki_prove_opts o = {0, seed_a, NULL, NULL, 0, 0};
    zki_proof pf;
    zki_prove_test_seam = seam;
    zki_status st = zki_prove(pk, X, B, &o, &pf, NULL);
    zki_prove_test_seam = NULL;
    int vs = SEAM_PROVER_REFUSED;
    if (st) {
        printf("    prover refused: %s\n", zki_last_error());
    } else {
        int64_t *yq = qexec_batch(m, X, B);
        *honest = yq && !memcmp(yq, pf.output, sizeof(int64_t) * B * pf.out_n);
        free(yq);
        if (seam)
            printf("    forged proof's output %s the model's\n", *honest ? "equals" : "differs from");
        uint8_t *b = NULL;
        size_t n = 0;
        CHECK(zki_proof_to_bytes(&pf, &b, &n) == ZKI_OK);
        zki_proof_free(&pf);
        vs = verify_bytes(&pk->vk, X, B, b, n);
        if (vs)
            printf("    verifier: %s\n", zki_last_error());
        if (bytes)
            *bytes = b, *blen = n;
        else
            free(b);
    }
    if (pkout)
        *pkout = pk;
    else
        zki_pk_free(pk);
    return vs;
}

/* The verifier's status on the proof of a witness forged by hook(ctx):
 * through the honest prover, or, where it refuses the witness, forced out
 * (lookups leave bad values uncounted, sum-checks take false claims). */
static inline int seam_attack(const zki_qmodel *m, const int64_t *X, uint32_t B, const uint8_t seed_w[32],
                              const uint8_t seed_a[32],
                              zki_status (*hook)(void *, const zki_pk *, uint32_t, zki_witness *, uint32_t, zki_status),
                              void *ctx, int *honest)
{
    zki_prove_seam seam = {0, ZKI_LK_COLS_INT, hook, ctx, 0};
    int vs = seam_prove_verify(m, X, B, seed_w, seed_a, &seam, honest, NULL, NULL, NULL);
    if (vs == SEAM_PROVER_REFUSED) {
        printf("    forced out (lookups leave bad values uncounted, sum-checks take false claims):\n");
        seam.field_columns = ZKI_LK_COLS_FIELD_UNCHECKED;
        zki_sumcheck_test_false_claims = 1;
        vs = seam_prove_verify(m, X, B, seed_w, seed_a, &seam, honest, NULL, NULL, NULL);
        zki_sumcheck_test_false_claims = 0;
    }
    return vs;
}

/* Every DAG node of m but the moves whose model node pick(n, ctx)
 * accepts (NULL: every one) gets its first output value moved by one
 * (position 0 is a real element of every layout) through the prover's
 * seam: the verifier must reject each forged proof of X (batch 1). what
 * names the model in messages. Returns how many nodes were forged, -1 when
 * m does not lower. */
static inline int forge_nodes(const zki_qmodel *m, const int64_t *X, const uint8_t seed_w[32],
                              const uint8_t seed_a[32], int (*pick)(const zki_qnode *n, void *ctx), void *ctx,
                              const char *what)
{
    zki_dag d;
    int *src = NULL, tried = 0;
    zki_status st = zki_dag_lower(m, &d, &src);
    CHECK_MSG(st == ZKI_OK, "%s: lowering: %s", what, zki_last_error());
    if (st)
        return -1;
    for (uint32_t j = 0; j < d.n_nodes; j++) {
        const zki_qnode *n = &m->nodes[src[j]];
        if (d.nodes[j].kind == ZKI_NODE_MOVE || (pick && !pick(n, ctx)))
            continue;
        forge_at f = {j, 0, 0};
        int honest;
        printf("  %s: node %u (%s of %s) output moved by one:\n", what, j, zki_qop_name(n->op), n->name);
        int vs = seam_attack(m, X, 1, seed_w, seed_a, seam_move_output, &f, &honest);
        CHECK_MSG(f.hit && vs == ZKI_ERR_VERIFY, "%s: node %u forged: verifier status %d (%s)", what, j, vs,
                  vs == ZKI_OK ? "ACCEPTED" : "not a rejection");
        tried++;
    }
    zki_dag_free(&d);
    free(src);
    return tried;
}

#endif
