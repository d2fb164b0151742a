/* Attacks on the verifier through the proof structure: an honest proof of a
 * 3-layer MLP (batch 3, so rows are padded) is altered in memory, one field
 * at a time, and given straight to zki_verify (no byte parser in between,
 * so the verifier's own checks are what is tested); each alteration must be
 * rejected without a crash, and the original must verify again after it is
 * undone. Also: the statement's batch, input and input mode. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "prover/prover.h"
#include "random_mlp.h"
#include "quant/qmodel.h"
#include "test.h"
#include "verifier/verifier.h"

static const uint8_t seed_w[32] = {4, 4, 4};
static const uint8_t seed_a[32] = {8, 8, 8};

enum { B = 3, K0 = 12 };
static const uint32_t widths[] = {K0, 9, 7, 5};
static const int relu[] = {1, 1, 0};

static int64_t *qexec_rows(const zki_qmodel *m, const int64_t *X, uint32_t rows, int64_t N)
{
    int64_t *y = malloc(sizeof(int64_t) * rows * (size_t)N);
    for (uint32_t b = 0; b < rows; b++) {
        int64_t *in = (int64_t *)X + b * K0, **v;
        if (zki_qexec(m, &in, &v) != ZKI_OK) {
            free(y);
            return NULL;
        }
        memcpy(y + b * N, v[m->outputs[0]], sizeof(int64_t) * (size_t)N);
        zki_qexec_free(m, v);
    }
    return y;
}

#define REJECT(what, stmt, undo)                                                  \
    do {                                                                          \
        stmt;                                                                     \
        zki_status s_ = zki_verify(vk, X, B, pf);                                 \
        CHECK_MSG(s_ != ZKI_OK, "verifier accepted a proof with %s", what);      \
        undo;                                                                     \
        CHECK_MSG(zki_verify(vk, X, B, pf) == ZKI_OK, "restored after %s", what); \
    } while (0)

static void tamper_public(const zki_vk *vk, zki_proof *pf, const int64_t *X)
{
    CHECK(zki_verify(vk, X, B, pf) == ZKI_OK);
    /* statement */
    CHECK(zki_verify(vk, X, B - 1, pf) != ZKI_OK);
    CHECK(zki_verify(vk, NULL, B, pf) != ZKI_OK);
    {
        int64_t X2[B * K0];
        memcpy(X2, X, sizeof(X2));
        X2[K0] ^= 1; /* another row's input */
        CHECK(zki_verify(vk, X2, B, pf) != ZKI_OK);
        X2[K0] ^= 1;
        X2[0] = 128; /* 8-bit input out of range */
        CHECK(zki_verify(vk, X2, B, pf) != ZKI_OK);
    }
    uint32_t N = pf->out_n;
    int64_t t = 0;
    /* outputs: swap two rows, change one, leave the range */
    REJECT("two output rows swapped", (t = pf->output[0], pf->output[0] = pf->output[N], pf->output[N] = t),
           (pf->output[N] = pf->output[0], pf->output[0] = t));
    if (pf->output[0] == pf->output[N]) /* swap was a no-op: change one instead */
        REJECT("an output changed", pf->output[0] ^= 1, pf->output[0] ^= 1);
    REJECT("the last output changed", pf->output[B * N - 1] += 1, pf->output[B * N - 1] -= 1);
    REJECT("an output out of range", (t = pf->output[1], pf->output[1] = 1 << 20), pf->output[1] = t);
    /* header fields */
    REJECT("another batch size", pf->B = 4, pf->B = B);
    REJECT("the private flag set", pf->private_input = 1, pf->private_input = 0);
    REJECT("another vk hash", pf->vk_hash.b[5] ^= 1, pf->vk_hash.b[5] ^= 1);
    REJECT("one layer fewer", pf->n_nodes--, pf->n_nodes++);
    REJECT("one lookup proof fewer", pf->n_lookups--, pf->n_lookups++);
    REJECT("one column reduction fewer", pf->n_colred--, pf->n_colred++);
    /* advice commitment: lower security, another size, another root */
    {
        uint32_t sb = pf->acom.params.security_bits;
        double bits = pf->acom.shape.bits;
        REJECT("a weak advice commitment", (pf->acom.params.security_bits = 40, pf->acom.shape.bits = 40),
               (pf->acom.params.security_bits = sb, pf->acom.shape.bits = bits));
        REJECT("another advice root", pf->acom.root.b[0] ^= 1, pf->acom.root.b[0] ^= 1);
        REJECT("an advice table of another size", pf->acom.lens[0] += 1, pf->acom.lens[0] -= 1);
    }
    /* lookup proofs: counts and values */
    for (uint32_t j = 0; j < pf->n_lookups; j++) {
        zki_lookup_proof *lp = &pf->lk[j];
        REJECT("a lookup value count cut", lp->n_evals--, lp->n_evals++);
        REJECT("a lookup tree count cut", lp->n_trees--, lp->n_trees++);
        REJECT("a lookup value changed", lp->evals[0].c0 = zki_fe_add(lp->evals[0].c0, 1),
               lp->evals[0].c0 = zki_fe_sub(lp->evals[0].c0, 1));
        REJECT("the last lookup value (multiplicities) changed",
               lp->evals[lp->n_evals - 1].c1 = zki_fe_add(lp->evals[lp->n_evals - 1].c1, 1),
               lp->evals[lp->n_evals - 1].c1 = zki_fe_sub(lp->evals[lp->n_evals - 1].c1, 1));
        REJECT("a GKR tree's size changed", lp->gkr[0].nvars++, lp->gkr[0].nvars--);
        REJECT("a GKR root changed", lp->gkr[0].root_p.c0 = zki_fe_add(lp->gkr[0].root_p.c0, 1),
               lp->gkr[0].root_p.c0 = zki_fe_sub(lp->gkr[0].root_p.c0, 1));
        /* both roots scaled: the fraction is unchanged, the transcript is not */
        zki_ext two = zki_ext_from_fe(2), half = zki_ext_from_fe(zki_fe_inv(2));
        REJECT("a GKR root fraction rescaled",
               (lp->gkr[0].root_p = zki_ext_mul(lp->gkr[0].root_p, two),
                lp->gkr[0].root_q = zki_ext_mul(lp->gkr[0].root_q, two)),
               (lp->gkr[0].root_p = zki_ext_mul(lp->gkr[0].root_p, half),
                lp->gkr[0].root_q = zki_ext_mul(lp->gkr[0].root_q, half)));
    }
    /* node proofs (every node of this MLP is LINEAR: its claim reduction,
     * one matmul sum-check sc[0] and values {bias, x, w}) */
    for (uint32_t l = 0; l < pf->n_nodes; l++) {
        zki_node_proof *np = &pf->node[l];
        CHECK(np->has_red && np->n_sc == 1 && np->n_val == 3);
        zki_ext *bv = &np->val[0], *xv = &np->val[1], *wv = &np->val[2];
        zki_sc_proof *sc = &np->sc[0];
        zki_claim_reduction_proof *rd = &np->red;
        REJECT("a matmul x value changed", xv->c0 = zki_fe_add(xv->c0, 1), xv->c0 = zki_fe_sub(xv->c0, 1));
        REJECT("a matmul w value changed", wv->c1 = zki_fe_add(wv->c1, 1), wv->c1 = zki_fe_sub(wv->c1, 1));
        REJECT("a matmul bias value changed", bv->c0 = zki_fe_add(bv->c0, 1), bv->c0 = zki_fe_sub(bv->c0, 1));
        REJECT("a matmul sum-check cut", sc->nvars--, sc->nvars++);
        REJECT("a matmul sum-check degree raised", sc->degree++, sc->degree--);
        REJECT("a claim reduction value changed", rd->f_at_rho.c0 = zki_fe_add(rd->f_at_rho.c0, 1),
               rd->f_at_rho.c0 = zki_fe_sub(rd->f_at_rho.c0, 1));
        if (rd->sc.nvars)
            REJECT("a claim reduction round changed", rd->sc.msgs[0].c0 = zki_fe_add(rd->sc.msgs[0].c0, 1),
                   rd->sc.msgs[0].c0 = zki_fe_sub(rd->sc.msgs[0].c0, 1));
        /* (with one claim nothing is reduced and nvars is unused; the byte
         * parser fixes it to the key's value) */
        if (rd->sc.nvars)
            REJECT("a claim reduction's variable count changed", rd->nvars++, rd->nvars--);
    }
    /* column / row reductions */
    for (uint32_t j = 0; j < pf->n_colred; j++) {
        zki_colred_proof *c = &pf->colred[j];
        zki_claim_reduction_proof *h = &pf->hred[j];
        if (c->k) {
            REJECT("a column reduction value changed", c->vals[0].c0 = zki_fe_add(c->vals[0].c0, 1),
                   c->vals[0].c0 = zki_fe_sub(c->vals[0].c0, 1));
            REJECT("a column reduction value count cut", c->k--, c->k++);
        } else {
            REJECT("a column reduction where none is due", c->k = 1, c->k = 0);
        }
        if (c->lc)
            REJECT("a column reduction round changed", c->msgs[0].c1 = zki_fe_add(c->msgs[0].c1, 1),
                   c->msgs[0].c1 = zki_fe_sub(c->msgs[0].c1, 1));
        REJECT("a row reduction value changed", h->f_at_rho.c0 = zki_fe_add(h->f_at_rho.c0, 1),
               h->f_at_rho.c0 = zki_fe_sub(h->f_at_rho.c0, 1));
    }
}

/* private input: the commitment hides X; its claims and range still bind */
static void tamper_private(const zki_vk *vk, zki_proof *pf, const int64_t *Xp)
{
    CHECK(zki_verify(vk, NULL, B, pf) == ZKI_OK);
    CHECK(zki_verify(vk, Xp, B, pf) != ZKI_OK); /* an input given for a committed one */
    const int64_t *X = NULL;
    REJECT("the private flag cleared", pf->private_input = 0, pf->private_input = 1);
    REJECT("an output changed", pf->output[2] += 1, pf->output[2] -= 1);
    /* node 0 (LINEAR) values {bias, x, w}: x is the committed input's claim */
    REJECT("the first layer's x value changed", pf->node[0].val[1].c0 = zki_fe_add(pf->node[0].val[1].c0, 1),
           pf->node[0].val[1].c0 = zki_fe_sub(pf->node[0].val[1].c0, 1));
}

int main(void)
{
    zki_qmodel *m;
    CHECK(zki_random_mlp(widths, relu, 3, 21, &m) == ZKI_OK);
    int64_t X[B * K0];
    zki_rng g;
    zki_rng_seed(&g, 77);
    for (int i = 0; i < B * K0; i++)
        X[i] = (int64_t)zki_rng_below(&g, 256) - 128;
    int64_t *yq = qexec_rows(m, X, B, widths[3]);
    CHECK(yq != NULL);
    for (int priv = 0; priv < 2; priv++) {
        zki_pk *pk = NULL;
        CHECK(zki_setup(m, seed_w, &pk) == ZKI_OK);
        zki_prove_opts o = {priv, seed_a, NULL, NULL, 0, 0};
        zki_proof pf;
        CHECK(zki_prove(pk, X, B, &o, &pf, NULL) == ZKI_OK);
        CHECK(!memcmp(pf.output, yq, sizeof(yq[0]) * B * pf.out_n));
        if (priv)
            tamper_private(&pk->vk, &pf, X);
        else
            tamper_public(&pk->vk, &pf, X);
        zki_proof_free(&pf);
        zki_pk_free(pk);
    }
    free(yq);
    zki_qmodel_free(m);
    return TEST_SUMMARY();
}
