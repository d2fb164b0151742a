/* Attacks on one node of a proof, through the real prover's test seam
 * (prover/seam.h), shared by test_attack_gadgets and test_prove_mul:
 * cheating witnesses injected at a node (the seam's node hook) and
 * single-byte changes of the node's proof. The kinds of witness:
 *   acc    one accumulator moved by enough to move its quotient (LINEAR,
 *          CONV, ADD, MUL), the requant witness recomputed honestly from
 *          it: every lookup passes, the node's own sum-check (or the add's
 *          sum) must catch it;
 *   quot   one quotient moved by one, y = clamp(q), the remainder (its
 *          derived limb r_0) moved by -2^s': the range lookup must catch it;
 *   y      one output moved by one, its quotient kept: the (q, clamp(q))
 *          lookup must catch it;
 *   unmasked broadcast  (ADD) the accumulators of an ADD whose broadcast
 *          inputs are not zeroed at the output's pads (acc nonzero there,
 *          the requant witness honest for it): the ADD's sum, with each
 *          broadcast input's indicator, must catch it;
 *   max+1  a pooled value one above its window's max, every window
 *          difference one more (all still in range): the zero-check must
 *          catch it;
 *   min    a pooled value set to its window's minimum (a non-max), the
 *          differences recomputed (some negative): the range lookup must
 *          catch it;
 *   map    one value of the joined map moved (CONCAT, not committed): the
 *          concat sum-check must catch it;
 *   raw    one value of a raw accumulator moved (a LINEAR or CONV that an
 *          ADD reads unrounded; nothing of it is committed): the ADD's
 *          requantisation is honest for it, the layer's own sum-check
 *          must catch it;
 * | PAD    the same at a padding position of the node's output (the
 *          layout's pads must be pinned to zero too).
 * Also every byte of a node's proof changed (every_byte), and 1 against 2
 * threads (thread_identical).
 * Where the honest prover refuses the witness (a lookup, a sum-check), the
 * proof is forced out with lookups that leave the bad value uncounted
 * (field_columns = ZKI_LK_COLS_FIELD_UNCHECKED) and sum-checks that take
 * false claims; either way the verifier must return ZKI_ERR_VERIFY.
 * Include after test_prove_util.h. */
#ifndef ZKI_TEST_NODE_ATTACK_H
#define ZKI_TEST_NODE_ATTACK_H

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/rng.h"
#include "poly/mle.h"
#include "prover/seam.h"
#include "sumcheck/sumcheck.h"
#include "test_attack_util.h"

static const uint8_t atk_seed_w[32] = {8, 2, 7};
static const uint8_t atk_seed_a[32] = {1, 9, 4};

enum { ACC, QUOT, MAXPLUS, MIN, MAP, YOUT, UNMASKED, RAW, PAD = 8 }; /* PAD: at a padding position */
static const char *const how_name[] = {"acc", "quot", "max+1", "min", "map", "y", "unmasked broadcast", "raw",
                                       "acc at a pad", "", "max+1 at a pad", "", "map at a pad", "", "",
                                       "raw at a pad"};

typedef struct {
    uint32_t target;
    int how;
    int64_t at; /* the altered position in the node's padded output */
} attack;

/* The first position of sample 0 (padded layout) that is a real element
 * of node j's output and, for a requantising node, not clamped; for a
 * MAXPOOL node, one whose window is not constant. pad: the first padding
 * position instead (-1: none). */
static inline int64_t pick(const zki_dag *d, uint32_t j, const zki_witness *W, uint32_t B, int pad)
{
    const zki_dag_node *L = &d->nodes[j];
    uint32_t c = 0, h = 0, w = 0;
    if (!zki_dag_out_map(L, &c, &h, &w))
        c = 1, h = 1, w = L->N;
    size_t lc = zki_log2_ceil(c), lh = zki_log2_ceil(h), lw = zki_log2_ceil(w);
    if (pad)
        return h < 1u << lh ? (int64_t)h << lw : w < 1u << lw ? (int64_t)w : c < 1u << lc ? (int64_t)c << (lh + lw) : -1;
    int rq = (L->kind == ZKI_NODE_LINEAR || L->kind == ZKI_NODE_CONV || L->kind == ZKI_NODE_ADD ||
              L->kind == ZKI_NODE_MUL || L->kind == ZKI_NODE_BMM) && !zki_dag_raw(L);
    size_t n = (size_t)B << zki_log2_ceil(L->N);
    for (uint64_t cc = 0; cc < c; cc++)
        for (uint64_t y = 0; y < h; y++)
            for (uint64_t x = 0; x < w; x++) {
                int64_t i = (int64_t)((((cc << lh) | y) << lw) | x), dmax = 0;
                for (uint32_t k = 0; L->kind == ZKI_NODE_MAXPOOL && k < ZKI_MAXPOOL_MAX_WINDOW; k++)
                    dmax = k < L->KH * L->KW && W->aux[j][k * n + i] > dmax ? W->aux[j][k * n + i] : dmax;
                if (rq ? W->rq[j].y[i] > L->lo && W->rq[j].y[i] < L->hi : L->kind != ZKI_NODE_MAXPOOL || dmax > 0)
                    return i;
            }
    return -1;
}

static inline zki_status hook(void *ctx, const zki_pk *pk, uint32_t j, zki_witness *W, uint32_t B, zki_status st)
{
    attack *a = ctx;
    const zki_dag *d = &pk->vk.dag;
    const zki_dag_node *L = &d->nodes[j];
    if (st || j != a->target)
        return st;
    int64_t i = a->at = pick(d, j, W, B, a->how & PAD);
    int how = a->how & ~PAD;
    if (i < 0)
        return zki_fail(ZKI_ERR_INPUT, "attack: no position to alter in node %u", j);
    size_t n = (size_t)B << zki_log2_ceil(L->N);
    zki_requant_params p;
    zki_requant_params_of(L, &p);
    if (how == ACC) { /* moves q by at least one; q, y, limbs honest for it */
        int64_t delta = (((int64_t)1 << p.s) + (p.M < 0 ? -p.M : p.M) - 1) / (p.M < 0 ? -p.M : p.M);
        W->acc[j][i] += p.M < 0 ? -delta : delta;
        zki_requant_witness_free(&W->rq[j]);
        if ((st = zki_requant_witness_new(&W->rq[j], &p, W->acc[j], n, "forged")))
            return st;
        W->t[j + 1] = W->rq[j].y;
    } else if (how == QUOT) { /* q + 1: the derived r_0 drops by 2^s' */
        W->rq[j].q[i]++;
        W->rq[j].y[i] = W->rq[j].q[i] < p.lo ? p.lo : W->rq[j].q[i] > p.hi ? p.hi : W->rq[j].q[i];
    } else if (how == YOUT) { /* y + 1, q kept (y was not clamped) */
        W->rq[j].y[i]++;
    } else if (how == UNMASKED) { /* ADD: broadcast inputs not zeroed at the output's pads */
        zki_tlayout o;
        if (L->kind != ZKI_NODE_ADD || !zki_dag_layout(d, j + 1, &o))
            return zki_fail(ZKI_ERR_INPUT, "attack: node %u is no ADD", j);
        memset(W->acc[j], 0, sizeof(int64_t) * n);
        for (uint32_t k = 0; k < L->n_in; k++) {
            unsigned axes = 0;
            zki_bcast_axes(d, L->in[k], &o, &axes);
            int64_t *e = zki_bcast_expand(W->t[L->in[k]], B, &o, axes, 0);
            for (size_t q = 0; e && q < n; q++)
                W->acc[j][q] += e[q] * L->mul[k];
            free(e);
        }
        zki_requant_witness_free(&W->rq[j]);
        if ((st = zki_requant_witness_new(&W->rq[j], &p, W->acc[j], n, "forged")))
            return st;
        W->t[j + 1] = W->rq[j].y;
    } else if (how == RAW) { /* the output is the accumulator: the ADD reading it recomputes honestly */
        if (!zki_dag_raw(L))
            return zki_fail(ZKI_ERR_INPUT, "attack: node %u is not raw", j);
        W->acc[j][i] += 1;
    } else if (how == MAXPLUS || how == MIN) {
        zki_maxpool_dims pd;
        if ((st = zki_dag_pool_dims(L, B, &pd)))
            return st;
        int64_t *P = W->own[j + 1], *D = W->aux[j], dmax = 0;
        for (uint32_t k = 0; k < pd.J; k++)
            dmax = D[k * n + i] > dmax ? D[k * n + i] : dmax;
        int64_t by = how == MAXPLUS ? 1 : -dmax; /* min = max - the largest difference */
        P[i] += by;
        for (uint32_t k = 0; k < pd.J; k++)
            D[k * n + i] += by;
    } else { /* MAP */
        W->own[j + 1][i] += 3;
    }
    return ZKI_OK;
}

static inline uint32_t node_of(const zki_dag *d, uint32_t kind)
{
    for (uint32_t j = 0; j < d->n_nodes; j++)
        if (d->nodes[j].kind == kind)
            return j;
    return UINT32_MAX;
}

static inline void run_attack(const zki_qmodel *m, const int64_t *X, uint32_t B, uint32_t j, const char *kind, int how)
{
    attack a = {j, how, -1};
    printf("  %s node %u, %s:\n", kind, j, how_name[how]);
    int honest;
    int vs = seam_attack(m, X, B, atk_seed_w, atk_seed_a, hook, &a, &honest);
    CHECK_MSG(a.at >= 0, "%s %s: the hook never ran", kind, how_name[how]);
    CHECK_MSG(vs == ZKI_ERR_VERIFY, "%s node %u, %s: a cheating witness gave verifier status %d (%s)", kind, j,
              how_name[how], vs, vs == ZKI_OK ? "ACCEPTED" : "not a rejection");
}

/* ---- (c) mutations of one node's proof ---------------------------------- */

static inline size_t sc_bytes(const zki_sc_proof *sc) { return 8 + 16 * sc->nvars * sc->degree; }

static inline size_t node_bytes(const zki_node_proof *p)
{
    size_t n = p->has_red ? 4 + sc_bytes(&p->red.sc) + 16 : 0;
    for (uint32_t i = 0; i < p->n_sc; i++)
        n += sc_bytes(&p->sc[i]);
    return n + 16 * (size_t)p->n_val;
}

/* Where node j's proof lies in the proof's bytes: [*at, *at + *len). */
static inline int node_span(const zki_proof *pf, uint32_t j, size_t *at, size_t *len)
{
    uint8_t *b = NULL;
    size_t n = 0, o = 8 + 4 + 32 + 32 + 5 * 4 + 8 * (size_t)pf->B * pf->out_n + (pf->gen_n ? 4 + 8 * (size_t)pf->gen_n : 0);
    if (zki_pcs_commitment_to_bytes(&pf->acom, &b, &n))
        return 0;
    free(b);
    o += 4 + n + 4;
    for (uint32_t k = 0; k < pf->n_lookups; k++) {
        if (zki_lookup_proof_to_bytes(&pf->lk[k], &b, &n))
            return 0;
        free(b);
        o += 4 + n;
    }
    if (pf->gen_n)
        o += 32 + sc_bytes(&pf->gen_sc);
    for (uint32_t k = pf->n_nodes; k-- > j + 1;)
        o += node_bytes(&pf->node[k]);
    *at = o;
    *len = node_bytes(&pf->node[j]);
    return 1;
}

/* An honest public proof of X (batch 2) by a fresh key: its bytes and
 * the key (1), its output checked against the integer executor's; 0: the
 * prover or verifier refused it (reported). */
static inline int honest_proof(const zki_qmodel *m, const int64_t *X, uint8_t **bytes, size_t *blen, zki_pk **pk,
                               const char *what)
{
    int honest = 0;
    if (seam_prove_verify(m, X, 2, atk_seed_w, atk_seed_a, NULL, &honest, bytes, blen, pk) != ZKI_OK) {
        CHECK_MSG(0, "%s: honest proof refused: %s", what, zki_last_error());
        return 0;
    }
    CHECK_MSG(honest, "%s: the honest proof's output differs from the integer executor's", what);
    return 1;
}

static inline void node_mutations(zki_rng *g, const zki_vk *vk, const int64_t *X, uint32_t B, uint8_t *bytes,
                           size_t blen, uint32_t j, const char *kind)
{
    zki_proof pf;
    size_t at = 0, len = 0;
    CHECK(zki_proof_from_bytes(vk, &pf, bytes, blen) == ZKI_OK);
    int ok = node_span(&pf, j, &at, &len) && at + len <= blen;
    /* the span is right: its values are the node's, in order */
    for (uint32_t i = 0; ok && i < pf.node[j].n_val; i++) {
        uint8_t e[16];
        zki_ext_to_bytes(e, pf.node[j].val[i]);
        ok = !memcmp(bytes + at + len - 16 * (size_t)(pf.node[j].n_val - i), e, 16);
    }
    uint32_t nval = pf.node[j].n_val;
    zki_proof_free(&pf);
    CHECK_MSG(ok, "%s node %u: its proof's bytes not found", kind, j);
    if (!ok)
        return;
    /* one byte of every value, then random bytes of the whole span */
    int tries = 0, accepted = 0;
    for (uint32_t i = 0; i < nval + 24; i++, tries++) {
        size_t p = i < nval ? at + len - 16 * (size_t)(nval - i) + zki_rng_below(g, 16) : at + zki_rng_below(g, len);
        uint8_t old = bytes[p];
        bytes[p] ^= (uint8_t)(1 + zki_rng_below(g, 255));
        accepted += verify_bytes(vk, X, B, bytes, blen) == ZKI_OK;
        bytes[p] = old;
    }
    printf("  %s node %u: %d single-byte changes in its %zu proof bytes, %d accepted\n", kind, j, tries, len,
           accepted);
    CHECK_MSG(accepted == 0, "%s node %u: %d of %d mutated proofs accepted", kind, j, accepted, tries);
    CHECK(verify_bytes(vk, X, B, bytes, blen) == ZKI_OK);
}

/* Every byte of node j's proof section changed (xor 0x5a): rejected. */
static inline void every_byte(const zki_vk *vk, const int64_t *X, uint32_t B, uint8_t *bytes, size_t blen,
                              uint32_t j, const char *what)
{
    zki_proof pf;
    size_t at = 0, len = 0;
    CHECK(zki_proof_from_bytes(vk, &pf, bytes, blen) == ZKI_OK);
    int ok = node_span(&pf, j, &at, &len) && at + len <= blen;
    zki_proof_free(&pf);
    CHECK_MSG(ok, "%s node %u: its proof's bytes not found", what, j);
    int accepted = 0;
    for (size_t p = at; ok && p < at + len; p++) {
        bytes[p] ^= 0x5a;
        accepted += verify_bytes(vk, X, B, bytes, blen) == ZKI_OK;
        bytes[p] ^= 0x5a;
    }
    printf("  %s node %u: each of its %zu proof bytes changed: %d accepted\n", what, j, len, accepted);
    CHECK_MSG(accepted == 0, "%s node %u: %d mutated proofs accepted", what, j, accepted);
}

/* An honest proof of X (batch 2) by a fresh key, node j's bytes changed:
 * every one (exhaustive) or random ones; each must be refused. */
static inline void node_byte_changes(zki_rng *g, const zki_qmodel *m, const int64_t *X, uint32_t j, int exhaustive,
                                     const char *what)
{
    uint8_t *bytes = NULL;
    size_t blen = 0;
    zki_pk *pk = NULL;
    if (honest_proof(m, X, &bytes, &blen, &pk, what)) {
        if (exhaustive)
            every_byte(&pk->vk, X, 2, bytes, blen, j, what);
        else
            node_mutations(g, &pk->vk, X, 2, bytes, blen, j, what);
    }
    free(bytes);
    zki_pk_free(pk);
}

/* The proof bytes with 1 and with 2 threads are the same. */
static inline void thread_identical(const zki_qmodel *m, const int64_t *X, const char *what)
{
    uint8_t *b[2] = {NULL, NULL};
    size_t n[2] = {0, 0};
    for (int t = 0; t < 2; t++) {
        omp_set_num_threads(t + 1);
        zki_pk *pk = NULL;
        zki_prove_opts o = {0, atk_seed_a, NULL, NULL, 0, 0};
        zki_proof pf;
        if (zki_setup(m, atk_seed_w, &pk) == ZKI_OK && zki_prove(pk, X, 2, &o, &pf, NULL) == ZKI_OK) {
            CHECK(zki_proof_to_bytes(&pf, &b[t], &n[t]) == ZKI_OK);
            zki_proof_free(&pf);
        }
        zki_pk_free(pk);
    }
    omp_set_num_threads(2);
    CHECK_MSG(b[0] && b[1] && n[0] == n[1] && !memcmp(b[0], b[1], n[0]), "%s: 1 and 2 threads differ", what);
    printf("  %s: 1 and 2 threads: identical %zu-byte proofs\n", what, n[0]);
    free(b[0]);
    free(b[1]);
}

/* Proves X (batch B) as a PRIVATE input with the seam hook (hook, ctx) on
 * every node's witness; forced: lookups unchecked and false sum-check
 * claims let through, so a proof comes out even when the honest prover
 * would refuse. Returns the verifier's status (SEAM_PROVER_REFUSED if no
 * proof came out); *honest: the proof's output is the executor's on X. */
static inline int private_seam_proof(const zki_qmodel *m, const int64_t *X, uint32_t B,
                                     zki_status (*hook)(void *, const zki_pk *, uint32_t, zki_witness *, uint32_t,
                                                        zki_status),
                                     void *ctx, int forced, int *honest, zki_pk **pk_out)
{
    zki_pk *pk = NULL;
    *honest = 0;
    if (zki_setup(m, atk_seed_w, &pk) != ZKI_OK) {
        CHECK_MSG(0, "setup: %s", zki_last_error());
        return SEAM_PROVER_REFUSED;
    }
    zki_prove_seam seam = {0, forced ? ZKI_LK_COLS_FIELD_UNCHECKED : ZKI_LK_COLS_INT, hook, ctx, 0};
    zki_sumcheck_test_false_claims = forced;
    zki_prove_opts o = {1, atk_seed_a, NULL, NULL, 0, 0};
    zki_proof pf;
    uint8_t *bytes = NULL;
    size_t len = 0;
    zki_prove_test_seam = &seam;
    int vs = zki_prove(pk, X, B, &o, &pf, NULL) ? SEAM_PROVER_REFUSED : ZKI_OK;
    zki_prove_test_seam = NULL;
    zki_sumcheck_test_false_claims = 0;
    if (vs == ZKI_OK) {
        int64_t *want = qexec_batch(m, X, B);
        *honest = want && !memcmp(want, pf.output, sizeof(int64_t) * B * pf.out_n);
        free(want);
        CHECK(zki_proof_to_bytes(&pf, &bytes, &len) == ZKI_OK);
        zki_proof_free(&pf);
        vs = verify_bytes(&pk->vk, NULL, B, bytes, len);
    }
    printf("    %s; output %s the executor's on the committed input; verifier: %s\n",
           vs == SEAM_PROVER_REFUSED ? "prover refused" : "proven", *honest ? "equals" : "differs from",
           vs ? zki_last_error() : "accepted");
    free(bytes);
    if (pk_out)
        *pk_out = pk;
    else
        zki_pk_free(pk);
    return vs;
}

#endif
