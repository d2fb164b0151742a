/* The prover key file's saved weight commitment (prover/setup.h): a key
 * loaded from its .zpk rebuilds the commitment from the saved leaves (no
 * encoding) and proves exactly what a fresh setup proves; altered leaves
 * are refused as another model's key; an altered weights digest falls back
 * to committing again; truncated files are refused. At the PCS level,
 * zki_pcs_commit_from_leaves gives the same root and opening bytes as
 * zki_pcs_commit. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "common/file_read.h"
#include "pcs/pcs_internal.h"
#include "pcs_test_util.h"
#include "prover/setup.h"
#include "test_tmpdir.h"

#define ONNX ZKI_TEST_DATA "/fmnist_mlp.onnx"
#define CALIB ZKI_TEST_DATA "/fmnist_calib.npy"
#define SAMPLE ZKI_TEST_DATA "/fmnist_sample.npy"

static const unsigned char seed[32] = {7, 7, 7};

static void test_pcs_from_leaves(void)
{
    uint64_t len = 30000;
    zki_pcs_vec v = {ZKI_PCS_I16, rand_data(ZKI_PCS_I16, len), len};
    zki_pcs_params prm;
    zki_pcs_params_default(&prm);
    prm.hiding = 1;
    prm.row_commit = 1;
    prm.grind_bits = 4;
    uint8_t sd[32] = {3};
    prm.seed = sd;
    zki_pcs_prover *a, *b, *c;
    CHECK(zki_pcs_commit(&a, &prm, &v, 1) == ZKI_OK);
    uint64_t n;
    const zki_digest *leaves = zki_pcs_prover_leaves(a, &n);
    CHECK(n == zki_pcs_prover_commitment(a)->shape.d);
    CHECK(zki_pcs_commit_from_leaves(&b, &prm, &v, 1, leaves, n) == ZKI_OK);
    CHECK(!memcmp(zki_pcs_prover_commitment(a)->root.b, zki_pcs_prover_commitment(b)->root.b, 32));
    CHECK(b->cw == NULL); /* nothing encoded */
    CHECK(zki_pcs_commit_from_leaves(&c, &prm, &v, 1, leaves, n - 1) == ZKI_ERR_INPUT &&
          strstr(zki_last_error(), "saved leaves"));
    zki_ext *pt = rand_point(zki_pcs_prover_commitment(a)->nvars[0]);
    zki_pcs_claim cl = {0, 0, pt, eval_vec(&v, pt), 0};
    uint8_t *pa, *pb;
    size_t la, lb;
    CHECK(open_bytes(&a, 1, &cl, 1, &pa, &la) && open_bytes(&b, 1, &cl, 1, &pb, &lb));
    CHECK(la == lb && !memcmp(pa, pb, la));
    const zki_pcs_commitment *com = zki_pcs_prover_commitment(a);
    CHECK(verify_bytes(&com, 1, &cl, 1, pb, lb));
    free(pa);
    free(pb);
    /* one altered leaf: another root */
    zki_digest *bad = malloc(n * sizeof *bad);
    memcpy(bad, leaves, n * sizeof *bad);
    bad[n / 2].b[0] ^= 1;
    CHECK(zki_pcs_commit_from_leaves(&c, &prm, &v, 1, bad, n) == ZKI_OK);
    CHECK(memcmp(zki_pcs_prover_commitment(a)->root.b, zki_pcs_prover_commitment(c)->root.b, 32));
    zki_pcs_prover_free(c);
    free(bad);
    free(pt);
    zki_pcs_prover_free(a);
    zki_pcs_prover_free(b);
    free((void *)v.data);
}

/* The file with the byte at `off` XOR-flipped (or cut to `off` bytes). */
static int altered(const char *from, const char *to, size_t off, int cut)
{
    uint8_t *b;
    size_t n;
    if (zki_read_file(from, (size_t)1 << 30, &b, &n) != ZKI_OK || off >= n)
        return -1;
    if (!cut)
        b[off] ^= 0x24;
    FILE *f = fopen(to, "wb");
    int ok = f && fwrite(b, 1, cut ? off : n, f) == (cut ? off : n);
    if (f)
        ok &= fclose(f) == 0;
    free(b);
    return ok ? 0 : -1;
}

static int proves_and_verifies(zki_pk *pk, const zki_vk *vk, const float *x)
{
    zki_proof *pf = NULL;
    int ok = zki_prove_float(pk, x, 1, 0, &pf) == ZKI_OK && zki_verify_float(vk, x, 1, pf) == ZKI_OK;
    zki_proof_destroy(pf);
    return ok;
}

static void test_key_file(void)
{
    zki_model *m = NULL;
    zki_pk *pk = NULL;
    zki_vk *vk = NULL;
    CHECK(zki_model_compile(ONNX, CALIB, NULL, NULL, 0, 0, &m) == ZKI_OK);
    CHECK(m && zki_keygen(m, seed, &pk, &vk) == ZKI_OK);
    if (!pk)
        return;
    CHECK(zki_pk_save(pk, tmp("k.zpk")) == ZKI_OK);
    zki_pk_file f;
    CHECK(zki_pk_read(tmp("k.zpk"), &f) == ZKI_OK);
    CHECK(f.n_leaves == pk->vk.wcom.shape.d && !memcmp(f.wdigest.b, pk->wdigest.b, 32));
    zki_pk_file_free(&f);
    zki_pk_destroy(pk);
    float *x = NULL;
    uint32_t B = 0;
    CHECK(zki_input_load(vk, SAMPLE, 0, &x, &B) == ZKI_OK && B == 1);

    /* saved leaves used: no codewords encoded, the same key, proofs verify */
    zki_pk *p2 = NULL;
    CHECK(zki_pk_load(m, tmp("k.zpk"), &p2) == ZKI_OK && p2);
    CHECK(p2 && p2->wpcs->cw == NULL);
    CHECK(p2 && !memcmp(zki_api_vk_digest(&p2->vk), zki_api_vk_digest(vk), 32));
    CHECK(p2 && x && proves_and_verifies(p2, vk, x));
    zki_pk_destroy(p2);

    /* a leaf altered (the last bytes of the file): another root, refused */
    uint8_t *kb;
    size_t kn;
    CHECK(zki_read_file(tmp("k.zpk"), (size_t)1 << 30, &kb, &kn) == ZKI_OK);
    free(kb);
    CHECK(altered(tmp("k.zpk"), tmp("l.zpk"), kn - 5, 0) == 0);
    p2 = (zki_pk *)1;
    CHECK(zki_pk_load(m, tmp("l.zpk"), &p2) == ZKI_ERR_INPUT && !p2 &&
          strstr(zki_last_error(), "another model"));
    /* the weights digest altered (bytes 76 .. 107): the leaves are not
     * trusted, the weights are committed again to the same key */
    CHECK(altered(tmp("k.zpk"), tmp("d.zpk"), 80, 0) == 0);
    CHECK(zki_pk_load(m, tmp("d.zpk"), &p2) == ZKI_OK && p2 && p2->wpcs->cw != NULL);
    CHECK(p2 && x && proves_and_verifies(p2, vk, x));
    zki_pk_destroy(p2);
    /* cut short, or a leaf count that disagrees with the bytes */
    CHECK(altered(tmp("k.zpk"), tmp("t.zpk"), kn - 32, 1) == 0);
    CHECK(zki_pk_load(m, tmp("t.zpk"), &p2) == ZKI_ERR_INPUT && strstr(zki_last_error(), "not a zkinfer prover key"));
    CHECK(altered(tmp("k.zpk"), tmp("n.zpk"), 108, 0) == 0);
    CHECK(zki_pk_load(m, tmp("n.zpk"), &p2) == ZKI_ERR_INPUT && strstr(zki_last_error(), "not a zkinfer prover key"));
    zki_free(x);
    zki_vk_destroy(vk);
    zki_model_destroy(m);
}

int main(void)
{
    zki_rng_seed(&rng, 5);
    test_pcs_from_leaves();
    test_key_file();
    return TEST_SUMMARY();
}
