/* End-to-end proving of quantised MLPs: the Fashion-MNIST fixture and
 * random MLPs; verified outputs equal the integer executor's; keys and
 * proofs round-trip through their byte formats; rejections of an altered
 * output, an altered input, another model's key, hundreds of single-byte
 * mutations of a proof, and a prover that changed one weight after setup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "prover/prover.h"
#include "random_mlp.h"
#include "quant/npy.h"
#include "quant/quant.h"
#include "test.h"
#include "test_prove_util.h"
#include "test_onnx_util.h"
#include "verifier/verifier.h"

static const uint8_t seed_w[32] = {1, 2, 3};
static const uint8_t seed_a[32] = {9, 8, 7};

/* prove with a fresh key (each weight commitment opens once), round-trip
 * the proof through bytes, verify. Returns the parsed proof's status. */
static zki_status prove_verify(const zki_qmodel *m, const int64_t *X, uint32_t B, int priv,
                               zki_vk *vk_out, uint8_t **bytes, size_t *blen)
{
    zki_pk *pk = NULL;
    zki_status st = zki_setup(m, seed_w, &pk);
    CHECK_MSG(st == ZKI_OK, "setup: %s", zki_last_error());
    if (st)
        return st;
    zki_prove_opts o = {priv, seed_a, NULL, NULL, 0, 0};
    zki_proof pf;
    st = zki_prove(pk, X, B, &o, &pf, NULL);
    CHECK_MSG(st == ZKI_OK, "prove: %s", zki_last_error());
    if (!st) {
        int64_t *yq = qexec_batch(m, X, B);
        CHECK(yq && !memcmp(yq, pf.output, sizeof(int64_t) * B * pf.out_n));
        free(yq);
        st = zki_proof_to_bytes(&pf, bytes, blen);
        CHECK(st == ZKI_OK);
        zki_proof_free(&pf);
    }
    uint8_t *vb;
    size_t vl;
    CHECK(zki_vk_to_bytes(&pk->vk, &vb, &vl) == ZKI_OK);
    CHECK(zki_vk_from_bytes(vk_out, vb, vl) == ZKI_OK);
    CHECK(!memcmp(vk_out->vk_hash.b, pk->vk.vk_hash.b, 32));
    free(vb);
    zki_pk_free(pk);
    if (st)
        return st;
    zki_proof q;
    st = zki_proof_from_bytes(vk_out, &q, *bytes, *blen);
    CHECK_MSG(st == ZKI_OK, "parse: %s", zki_last_error());
    if (!st) {
        st = zki_verify(vk_out, priv ? NULL : X, B, &q);
        CHECK_MSG(st == ZKI_OK, "verify: %s", zki_last_error());
        zki_proof_free(&q);
    }
    return st;
}

static int64_t *rand_input(zki_rng *g, uint64_t n)
{
    int64_t *x = malloc(sizeof(int64_t) * n);
    for (uint64_t i = 0; i < n; i++)
        x[i] = (int64_t)zki_rng_below(g, 256) - 128;
    return x;
}

static void test_random_mlps(zki_rng *g)
{
    static const uint32_t w1[] = {32, 16, 17, 10};
    static const uint32_t w2[] = {1, 5, 3};
    static const uint32_t w3[] = {100, 64, 64, 64, 64, 2};
    static const uint32_t w4[] = {7, 1};
    /* one-entry tensors at batch 1: a single output, a width-1 hidden layer */
    static const uint32_t w5[] = {7, 1};
    static const uint32_t w6[] = {3, 1, 2};
    const uint32_t *ws[] = {w1, w2, w3, w4, w5, w6};
    uint32_t nl[] = {3, 2, 5, 1, 1, 2};
    uint32_t bs[] = {1, 3, 4, 2, 1, 1};
    int relu[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    for (int c = 0; c < 6; c++) {
        relu[nl[c] - 1] = 0;
        zki_qmodel *m;
        CHECK(zki_random_mlp(ws[c], relu, nl[c], 100 + (uint64_t)c, &m) == ZKI_OK);
        relu[nl[c] - 1] = 1;
        for (int priv = 0; priv < 2; priv++) {
            int64_t *X = rand_input(g, (uint64_t)bs[c] * ws[c][0]);
            zki_vk vk;
            uint8_t *pb = NULL;
            size_t pl = 0;
            CHECK_MSG(prove_verify(m, X, bs[c], priv, &vk, &pb, &pl) == ZKI_OK, "random mlp %d priv %d", c,
                      priv);
            if (c >= 4 && pb) { /* one-entry tensors: an altered output is still refused */
                pb[ZKI_PROOF_OUTPUT_AT] ^= 1;
                CHECK_MSG(verify_bytes(&vk, priv ? NULL : X, bs[c], pb, pl) != ZKI_OK,
                          "random mlp %d: altered output accepted", c);
            }
            free(pb);
            zki_vk_free(&vk);
            free(X);
        }
        zki_qmodel_free(m);
    }
}

static void test_fmnist(zki_rng *g)
{
    zki_graph *gr = NULL;
    CHECK_MSG(zki_onnx_load_file(tdata("fmnist_mlp.onnx"), &gr) == ZKI_OK, "%s", zki_last_error());
    if (!gr)
        return;
    zki_host_tensor *cal = NULL;
    int ncal = 0;
    CHECK(zki_calib_load(gr, tdata("fmnist_calib.npy"), &cal, &ncal) == ZKI_OK);
    zki_qmodel *m = NULL;
    CHECK(zki_quantize(gr, cal, ncal, NULL, &m) == ZKI_OK);
    zki_host_tensor x;
    CHECK(zki_tensor_read_any(tdata("fmnist_sample.npy"), &x) == ZKI_OK);
    int64_t *X = NULL;
    x.rank = 1;
    x.dims[0] = 784;
    CHECK(zki_quant_input(m, 0, &x, &X) == ZKI_OK);
    if (!m || !X)
        return;
    zki_vk vk;
    uint8_t *pb = NULL;
    size_t pl = 0;
    CHECK(prove_verify(m, X, 1, 0, &vk, &pb, &pl) == ZKI_OK);
    /* the key is tiny next to the weights */
    uint8_t *vb;
    size_t vl;
    CHECK(zki_vk_to_bytes(&vk, &vb, &vl) == ZKI_OK);
    CHECK_MSG(vl * 100 < 109386, "vk %zu bytes for 109386 weights", vl);
    free(vb);

    /* altered output */
    zki_proof q;
    CHECK(zki_proof_from_bytes(&vk, &q, pb, pl) == ZKI_OK);
    q.output[3] += 1;
    CHECK(zki_verify(&vk, X, 1, &q) == ZKI_ERR_VERIFY);
    q.output[3] -= 1;
    /* altered input */
    X[100] ^= 1;
    CHECK(zki_verify(&vk, X, 1, &q) == ZKI_ERR_VERIFY);
    X[100] ^= 1;
    CHECK(zki_verify(&vk, X, 1, &q) == ZKI_OK);
    /* public-input proof checked as a private-input one */
    CHECK(zki_verify(&vk, NULL, 1, &q) == ZKI_ERR_VERIFY);
    /* another model's key: a random MLP of the same shape */
    {
        uint32_t ws[] = {784, 128, 64, 10};
        int relu[] = {1, 1, 0};
        zki_qmodel *m2;
        CHECK(zki_random_mlp(ws, relu, 3, 5, &m2) == ZKI_OK);
        zki_pk *pk2;
        CHECK(zki_setup(m2, seed_w, &pk2) == ZKI_OK);
        zki_proof q2;
        /* the parser refuses it (that key fixes another advice table size)
         * and names the cause: the proof was made for another model */
        CHECK(zki_proof_from_bytes(&pk2->vk, &q2, pb, pl) == ZKI_ERR_VERIFY);
        CHECK(strstr(zki_last_error(), "another model") != NULL);
        /* and the verifier alone, given it parsed under its own key */
        CHECK(zki_proof_from_bytes(&vk, &q2, pb, pl) == ZKI_OK);
        CHECK(zki_verify(&pk2->vk, X, 1, &q2) == ZKI_ERR_VERIFY);
        /* even with the key hash field rewritten to the other key */
        q2.vk_hash = pk2->vk.vk_hash;
        CHECK(zki_verify(&pk2->vk, X, 1, &q2) == ZKI_ERR_VERIFY);
        zki_proof_free(&q2);
        zki_pk_free(pk2);
        zki_qmodel_free(m2);
    }
    zki_proof_free(&q);

    /* single-byte mutations */
    int rejected = 0, n_mut = 300;
    for (int i = 0; i < n_mut; i++) {
        uint8_t *c = malloc(pl);
        memcpy(c, pb, pl);
        size_t at = zki_rng_below(g, pl);
        c[at] ^= (uint8_t)(1 + zki_rng_below(g, 255));
        rejected += verify_bytes(&vk, X, 1, c, pl) != ZKI_OK;
        free(c);
    }
    CHECK_MSG(rejected == n_mut, "%d of %d mutations rejected", rejected, n_mut);
    /* truncations and an appended byte */
    int trunc_rej = 0;
    for (int i = 0; i < 50; i++)
        trunc_rej += verify_bytes(&vk, X, 1, pb, zki_rng_below(g, pl)) == ZKI_ERR_INPUT;
    CHECK(trunc_rej == 50);
    {
        uint8_t *c = malloc(pl + 1);
        memcpy(c, pb, pl);
        c[pl] = 0;
        CHECK(verify_bytes(&vk, X, 1, c, pl + 1) == ZKI_ERR_INPUT);
        free(c);
    }

    /* a prover that changes one weight after setup: proves under a key for
     * the altered model; the verifier holds the original key */
    {
        int wi = m->nodes[1].in[1];
        m->t[wi].data[17] = m->t[wi].data[17] == 5 ? 6 : 5;
        zki_pk *pk3;
        CHECK(zki_setup(m, seed_w, &pk3) == ZKI_OK);
        zki_proof q3;
        zki_prove_opts o = {0, seed_a, NULL, NULL, 0, 0};
        CHECK(zki_prove(pk3, X, 1, &o, &q3, NULL) == ZKI_OK);
        q3.vk_hash = vk.vk_hash; /* claim the original key */
        CHECK(zki_verify(&vk, X, 1, &q3) == ZKI_ERR_VERIFY);
        zki_proof_free(&q3);
        zki_pk_free(pk3);
    }
    /* a prover that changes one committed weight in memory after setup:
     * its sum-checks use the new weight, the commitment holds the old */
    {
        zki_pk *pk4;
        CHECK(zki_setup(m, seed_w, &pk4) == ZKI_OK);
        /* the gadgets' copy of layer 0 ([N][1024], K = 784 real columns) */
        int8_t *wb = pk4->w[0];
        wb[zki_rng_below(g, 40) * 1024 + zki_rng_below(g, 784)] ^= 0x11;
        zki_proof q4;
        zki_prove_opts o = {0, seed_a, NULL, NULL, 0, 0};
        zki_status s4 = zki_prove(pk4, X, 1, &o, &q4, NULL);
        if (s4 == ZKI_OK) {
            CHECK(zki_verify(&pk4->vk, X, 1, &q4) == ZKI_ERR_VERIFY);
            zki_proof_free(&q4);
        }
        /* a key proves once: the hiding budget of the weight commitment */
        CHECK(zki_prove(pk4, X, 1, &o, &q4, NULL) == ZKI_ERR_INPUT);
        zki_pk_free(pk4);
    }
    free(pb);
    zki_vk_free(&vk);
    free(X);
    zki_host_tensor_clear(&x);
    zki_qmodel_free(m);
    zki_samples_free(cal, ncal);
    zki_graph_free(gr);
}

static void test_input_range(void)
{
    uint32_t ws[] = {4, 3};
    int relu[] = {0};
    zki_qmodel *m;
    CHECK(zki_random_mlp(ws, relu, 1, 3, &m) == ZKI_OK);
    zki_pk *pk;
    CHECK(zki_setup(m, seed_w, &pk) == ZKI_OK);
    int64_t X[4] = {1, -128, 127, 128}; /* 128 is outside int8 */
    zki_proof pf;
    zki_prove_opts o = {1, seed_a, NULL, NULL, 0, 0};
    CHECK(zki_prove(pk, X, 1, &o, &pf, NULL) == ZKI_ERR_INPUT);
    X[3] = -127;
    CHECK(zki_prove(pk, X, 1, &o, &pf, NULL) == ZKI_OK);
    CHECK(zki_verify(&pk->vk, NULL, 1, &pf) == ZKI_OK);
    zki_proof_free(&pf);
    zki_pk_free(pk);
    zki_qmodel_free(m);
}

static void test_vk_bytes(void)
{
    uint32_t ws[] = {20, 10, 4};
    int relu[] = {1, 0};
    zki_qmodel *m;
    CHECK(zki_random_mlp(ws, relu, 2, 1, &m) == ZKI_OK);
    zki_pk *pk;
    CHECK(zki_setup(m, seed_w, &pk) == ZKI_OK);
    uint8_t *vb;
    size_t vl;
    CHECK(zki_vk_to_bytes(&pk->vk, &vb, &vl) == ZKI_OK);
    zki_vk v;
    int bad = 0;
    for (size_t n = 0; n < vl; n++)
        bad += zki_vk_from_bytes(&v, vb, n) == ZKI_ERR_INPUT;
    CHECK_MSG(bad == (int)vl, "%d of %zu truncations rejected", bad, vl);
    /* same seed, same key; another seed, another root */
    zki_pk *pk2;
    CHECK(zki_setup(m, seed_w, &pk2) == ZKI_OK);
    CHECK(!memcmp(pk2->vk.vk_hash.b, pk->vk.vk_hash.b, 32));
    zki_pk_free(pk2);
    CHECK(zki_setup(m, seed_a, &pk2) == ZKI_OK);
    CHECK(memcmp(pk2->vk.vk_hash.b, pk->vk.vk_hash.b, 32) != 0);
    zki_pk_free(pk2);
    free(vb);
    zki_pk_free(pk);
    zki_qmodel_free(m);
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 66);
    test_vk_bytes();
    test_input_range();
    test_random_mlps(&g);
    test_fmnist(&g);
    return TEST_SUMMARY();
}
