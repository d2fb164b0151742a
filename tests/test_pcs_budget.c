/* The weight commitment's column budget (docs/zk.md, "Weight columns across
 * proofs"). PCS: col_budget pads every row to cover its openings' columns
 * (pad >= col_budget t) without more mask rows, survives the commitment's
 * bytes, and a commitment whose col_budget is out of range, set on a plain
 * commitment or changed from the key's is refused; openings past either
 * budget are refused. Prover: a key made for N zero-knowledge proofs makes
 * N that verify (sharing one mask slot), refuses the next, records N in
 * its vk and .zpk bytes; a key for one proof, and plain proofs, keep the
 * one-proof rule. API: zki_keygen_opts (default and explicit budgets),
 * zki_vk_info, the saved key and inspect. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "pcs_test_util.h"
#include "prover/prover.h"
#include "random_mlp.h"
#include "test_tmpdir.h"
#include "verifier/verifier.h"

/* Byte offset of col_budget in a commitment: magic, version, 9 earlier
 * parameters (pcs_serialize.c). */
#define COL_BUDGET_AT (4 + 4 + 9 * 4)

static zki_pcs_params hiding_params(uint32_t col_budget)
{
    zki_pcs_params p;
    zki_pcs_params_default(&p);
    p.hiding = 1;
    p.max_points = 1;
    p.row_commit = 1;
    p.col_budget = col_budget;
    return p;
}

static void put_u32(uint8_t *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static void test_shape(void)
{
    uint64_t len = 5000;
    zki_pcs_commitment c1, c;
    zki_pcs_params p = hiding_params(1);
    CHECK(zki_pcs_shape_init(&c1, &p, &len, 1) == ZKI_OK);
    const uint32_t budgets[] = {1, 2, 7, 64, 300};
    for (size_t i = 0; i < sizeof budgets / sizeof budgets[0]; i++) {
        uint32_t n = budgets[i];
        p = hiding_params(n);
        CHECK_MSG(zki_pcs_shape_init(&c, &p, &len, 1) == ZKI_OK, "col_budget %u: %s", n, zki_last_error());
        CHECK_MSG(c.shape.pad >= (uint64_t)n * c.shape.queries, "col_budget %u: pad %llu, t %u", n,
                  (unsigned long long)c.shape.pad, c.shape.queries);
        CHECK_MSG(c.shape.row_len == c.shape.cols + c.shape.pad, "col_budget %u", n);
        /* the masks do not grow: one slot, as for one proof */
        CHECK_MSG(c.shape.mask_rows == c1.shape.mask_rows, "col_budget %u: %llu mask rows", n,
                  (unsigned long long)c.shape.mask_rows);
        CHECK(zki_pcs_col_openings(&c.params) == n);
        zki_pcs_commitment_free(&c);
    }
    /* one below open_budget counts as open_budget; a plain commitment has none */
    p = hiding_params(1);
    p.open_budget = 3;
    CHECK(zki_pcs_col_openings(&p) == 3);
    CHECK(zki_pcs_shape_init(&c, &p, &len, 1) == ZKI_OK && c.shape.pad >= 3ull * c.shape.queries);
    zki_pcs_commitment_free(&c);
    p.hiding = 0;
    CHECK(zki_pcs_col_openings(&p) == 0);
    CHECK(zki_pcs_shape_init(&c, &p, &len, 1) == ZKI_OK && c.shape.pad == 0 && c.params.col_budget == 0);
    zki_pcs_commitment_free(&c);
    /* out of range, or a pad the code cannot hold */
    uint32_t bad[] = {0, ZKI_PCS_MAX_COL_BUDGET + 1, ZKI_PCS_MAX_COL_BUDGET};
    for (size_t i = 0; i < 3; i++) {
        p = hiding_params(bad[i]);
        uint64_t big = (uint64_t)1 << 24;
        CHECK_MSG(zki_pcs_shape_init(&c, &p, i < 2 ? &len : &big, 1) == ZKI_ERR_INPUT, "col_budget %u", bad[i]);
    }
    zki_pcs_commitment_free(&c1);
}

/* Commits 5000 random entries with col_budget n (open_budget 1). */
static zki_pcs_prover *commit(uint32_t n, zki_pcs_vec *v)
{
    zki_pcs_params p = hiding_params(n);
    uint8_t seed[32] = {9};
    p.seed = seed;
    *v = (zki_pcs_vec){ZKI_PCS_FE, rand_data(ZKI_PCS_FE, 5000), 5000};
    zki_pcs_prover *pr = NULL;
    CHECK(zki_pcs_commit(&pr, &p, v, 1) == ZKI_OK);
    return pr;
}

static void test_bytes(void)
{
    zki_pcs_vec v;
    zki_pcs_prover *pr = commit(5, &v);
    const zki_pcs_commitment *com = zki_pcs_prover_commitment(pr);
    uint8_t *cb;
    size_t cl;
    zki_pcs_commitment c2;
    CHECK(zki_pcs_commitment_to_bytes(com, &cb, &cl) == ZKI_OK);
    CHECK(cl > COL_BUDGET_AT + 4 && cb[COL_BUDGET_AT] == 5);
    CHECK(zki_pcs_commitment_from_bytes(&c2, cb, cl) == ZKI_OK);
    CHECK(c2.params.col_budget == 5 && c2.shape.pad == com->shape.pad && c2.shape.d == com->shape.d);
    zki_pcs_params want = hiding_params(5);
    CHECK(zki_pcs_commitment_expect(&c2, &want, &v.len, 1, ZKI_ERR_INPUT, "t") == ZKI_OK);
    zki_pcs_commitment_free(&c2);
    /* out of range: refused by the parser */
    uint32_t bad[] = {0, ZKI_PCS_MAX_COL_BUDGET + 1, 0xffffffffu};
    for (size_t i = 0; i < 3; i++) {
        put_u32(cb + COL_BUDGET_AT, bad[i]);
        CHECK_MSG(zki_pcs_commitment_from_bytes(&c2, cb, cl) == ZKI_ERR_INPUT, "col_budget %u", bad[i]);
    }
    /* in range but not the key's: another layout, refused against the key's
     * parameters, and an opening of the real one does not verify with it */
    put_u32(cb + COL_BUDGET_AT, 50);
    CHECK(zki_pcs_commitment_from_bytes(&c2, cb, cl) == ZKI_OK && c2.shape.pad > com->shape.pad);
    CHECK(zki_pcs_commitment_expect(&c2, &want, &v.len, 1, ZKI_ERR_INPUT, "t") == ZKI_ERR_INPUT &&
          strstr(zki_last_error(), "col_budget is 50, the key fixes 5"));
    zki_ext *pt = rand_point(13);
    zki_pcs_claim claim = {0, 0, pt, eval_vec(&v, pt), 0};
    uint8_t *pb;
    size_t pl;
    CHECK(open_bytes(&pr, 1, &claim, 1, &pb, &pl));
    const zki_pcs_commitment *cs[1] = {com}, *ts[1] = {&c2};
    CHECK(verify_bytes(cs, 1, &claim, 1, pb, pl));
    CHECK(!verify_bytes(ts, 1, &claim, 1, pb, pl));
    free(pb);
    zki_pcs_commitment_free(&c2);
    /* a plain commitment carries none */
    zki_pcs_params pp;
    zki_pcs_params_default(&pp);
    zki_pcs_prover *plain;
    CHECK(zki_pcs_commit(&plain, &pp, &v, 1) == ZKI_OK);
    uint8_t *qb;
    size_t ql;
    CHECK(zki_pcs_commitment_to_bytes(zki_pcs_prover_commitment(plain), &qb, &ql) == ZKI_OK);
    CHECK(qb[COL_BUDGET_AT] == 0);
    put_u32(qb + COL_BUDGET_AT, 1);
    CHECK(zki_pcs_commitment_from_bytes(&c2, qb, ql) == ZKI_ERR_INPUT);
    free(qb);
    zki_pcs_prover_free(plain);
    free(pt);
    free(cb);
    zki_pcs_prover_free(pr);
    free((void *)v.data);
}

/* Openings that send their row (no zero-knowledge context) each take a
 * mask slot: col_budget adds none. */
static void test_plain_openings(void)
{
    zki_pcs_vec v;
    zki_pcs_prover *pr = commit(4, &v);
    zki_ext *pt = rand_point(13);
    zki_pcs_claim claim = {0, 0, pt, eval_vec(&v, pt), 0};
    uint8_t *pb;
    size_t pl;
    CHECK(open_bytes(&pr, 1, &claim, 1, &pb, &pl));
    free(pb);
    CHECK(!open_bytes(&pr, 1, &claim, 1, &pb, &pl) && strstr(zki_last_error(), "mask slots"));
    zki_pcs_prover_free(pr);
    free(pt);
    free((void *)v.data);
}

/* ---- prover level ---------------------------------------------------- */

static const uint8_t seed_w[32] = {7, 7, 7};

static zki_status prove_verify(zki_pk *pk, const int64_t *X, uint32_t *slot)
{
    uint8_t seed_a[32] = {(uint8_t)pk->zk_proofs_made, 1};
    zki_prove_opts o = {0, seed_a, NULL, NULL, 0, 0};
    zki_proof pf, q;
    zki_status st = zki_prove(pk, X, 1, &o, &pf, NULL);
    if (st)
        return st;
    *slot = pf.open.parts[0].slot;
    uint8_t *b;
    size_t n;
    if (!(st = zki_proof_to_bytes(&pf, &b, &n))) {
        if (!(st = zki_proof_from_bytes(&pk->vk, &q, b, n))) {
            st = zki_verify(&pk->vk, X, 1, &q);
            zki_proof_free(&q);
        }
        free(b);
    }
    zki_proof_free(&pf);
    return st;
}

/* The vk and .zpk bytes record the budget; a key re-made from the .zpk
 * (saved leaves) is the same key. */
static void check_key_bytes(const zki_qmodel *m, const zki_pk *pk, uint32_t n)
{
    uint8_t *b;
    size_t len;
    zki_vk vk;
    CHECK(zki_vk_to_bytes(&pk->vk, &b, &len) == ZKI_OK);
    CHECK(zki_vk_from_bytes(&vk, b, len) == ZKI_OK && vk.wcom.params.col_budget == n);
    zki_vk_free(&vk);
    free(b);
    zki_pk_file f;
    zki_pk *p2 = NULL;
    CHECK(zki_pk_to_bytes(pk, &b, &len) == ZKI_OK);
    CHECK(zki_pk_parse(b, len, "t.zpk", &f) == ZKI_OK && f.zk_proofs == n);
    CHECK(zki_setup_saved(m, &f, &p2) == ZKI_OK && p2 && zki_pk_zk_proofs(p2) == n &&
          !memcmp(p2->vk.vk_hash.b, pk->vk.vk_hash.b, 32));
    zki_pk_free(p2);
    zki_pk_file_free(&f);
    put_u32(b + 8 + 4 + 96 + 8, 0); /* zk_proofs 0 */
    CHECK(zki_pk_parse(b, len, "t.zpk", &f) == ZKI_ERR_INPUT);
    free(b);
}

static void test_prover(void)
{
    uint32_t widths[] = {24, 16, 10};
    int relu[] = {1, 1};
    zki_qmodel *m = NULL;
    CHECK(zki_random_mlp(widths, relu, 2, 31, &m) == ZKI_OK);
    if (!m)
        return;
    int64_t X[24];
    for (int i = 0; i < 24; i++)
        X[i] = (int64_t)zki_rng_below(&rng, 200) - 100;
    zki_pk *pk = NULL, *pk1 = NULL;
    uint32_t slot = 9;
    /* N = 3: three zero-knowledge proofs on one key, all on mask slot 0 */
    CHECK(zki_setup_zk(m, seed_w, 3, &pk) == ZKI_OK);
    CHECK(zki_setup(m, seed_w, &pk1) == ZKI_OK);
    if (!pk || !pk1)
        goto out;
    CHECK(zki_pk_zk_proofs(pk) == 3 && zki_pk_zk_proofs(pk1) == 1);
    CHECK(pk->vk.wcom.shape.pad >= 3ull * pk->vk.wcom.shape.queries &&
          pk->vk.wcom.shape.mask_rows == pk1->vk.wcom.shape.mask_rows);
    CHECK(memcmp(pk->vk.vk_hash.b, pk1->vk.vk_hash.b, 32)); /* another key */
    for (uint32_t k = 0; k < 3; k++) {
        zki_status st = prove_verify(pk, X, &slot);
        CHECK_MSG(st == ZKI_OK && slot == 0, "proof %u: %s", k, st ? zki_last_error() : "slot");
    }
    CHECK(prove_verify(pk, X, &slot) == ZKI_ERR_INPUT &&
          strstr(zki_last_error(), "budget of 3 proofs is spent") && strstr(zki_last_error(), "--zk-proofs"));
    CHECK(pk->zk_proofs_made == 3);
    check_key_bytes(m, pk, 3);
    /* N = 1: as before, one proof */
    CHECK(prove_verify(pk1, X, &slot) == ZKI_OK);
    CHECK(prove_verify(pk1, X, &slot) == ZKI_ERR_INPUT && strstr(zki_last_error(), "budget of 1 proof is"));
    check_key_bytes(m, pk1, 1);
    zki_pk_free(pk);
    pk = NULL;
    /* plain proofs keep the one-proof rule, also on a key for several, and
     * none goes beside a zero-knowledge one */
    CHECK(zki_setup_zk(m, seed_w, 3, &pk) == ZKI_OK);
    zki_prove_plain = 1;
    CHECK(pk && prove_verify(pk, X, &slot) == ZKI_OK);
    CHECK(pk && prove_verify(pk, X, &slot) == ZKI_ERR_INPUT);
    zki_prove_plain = 0;
    CHECK(pk && prove_verify(pk, X, &slot) == ZKI_ERR_INPUT);
    zki_pk_free(pk);
    CHECK(zki_setup_zk(m, seed_w, 3, &pk) == ZKI_OK);
    CHECK(pk && prove_verify(pk, X, &slot) == ZKI_OK);
    zki_prove_plain = 1;
    CHECK(pk && prove_verify(pk, X, &slot) == ZKI_ERR_INPUT);
    zki_prove_plain = 0;
    /* the key's range */
    zki_pk *bad = NULL;
    CHECK(zki_setup_zk(m, seed_w, 0, &bad) == ZKI_ERR_INPUT && !bad);
    CHECK(zki_setup_zk(m, seed_w, ZKI_PCS_MAX_COL_BUDGET + 1, &bad) == ZKI_ERR_INPUT && !bad);
out:
    zki_pk_free(pk);
    zki_pk_free(pk1);
    zki_qmodel_free(m);
}

static int reports(const char *path, const char *want)
{
    char *report = NULL, *notes = NULL;
    int ok = zki_inspect_file(path, &report, &notes) == ZKI_OK && strstr(report, want);
    CHECK_MSG(ok, "inspect %s: %s", path, report ? report : zki_last_error());
    zki_free(report);
    zki_free(notes);
    return ok;
}

static void test_api(void)
{
    uint32_t widths[] = {24, 16, 10};
    int relu[] = {1, 1};
    struct zki_model mm = {NULL};
    CHECK(zki_random_mlp(widths, relu, 2, 32, &mm.q) == ZKI_OK && tmp_init("pcs_budget"));
    if (!mm.q)
        return;
    int64_t X[24];
    for (int i = 0; i < 24; i++)
        X[i] = (int64_t)zki_rng_below(&rng, 200) - 100;
    zki_pk *pk = NULL, *p2 = NULL;
    zki_vk *vk = NULL;
    zki_info info;
    CHECK(zki_keygen(&mm, seed_w, &pk, &vk) == ZKI_OK && zki_vk_info(vk, &info) == ZKI_OK &&
          info.zk_proofs == ZKINFER_ZK_PROOFS_DEFAULT);
    zki_pk_destroy(pk);
    zki_vk_destroy(vk);
    zki_keygen_options ko = {ZKINFER_ZK_PROOFS_MAX + 1};
    CHECK(zki_keygen_opts(&mm, seed_w, &ko, &pk, &vk) == ZKI_ERR_INPUT && !pk && !vk);
    ko.zk_proofs = 2;
    CHECK(zki_keygen_opts(&mm, seed_w, &ko, &pk, &vk) == ZKI_OK && zki_vk_info(vk, &info) == ZKI_OK &&
          info.zk_proofs == 2);
    CHECK(pk && zki_vk_save(vk, tmp("k.vk")) == ZKI_OK && zki_pk_save(pk, tmp("k.zpk")) == ZKI_OK);
    reports(tmp("k.vk"), "zero knowledge: 2 proofs");
    reports(tmp("k.zpk"), "made for 2 zero-knowledge proofs");
    /* two proofs, the third refused; a key loaded again counts afresh */
    zki_proof *pf = NULL;
    for (int k = 0; k < 2; k++) {
        CHECK(pk && zki_prove_int(pk, X, 1, 0, &pf) == ZKI_OK && zki_verify_int(vk, X, 1, pf) == ZKI_OK);
        zki_proof_destroy(pf);
        pf = NULL;
    }
    CHECK(pk && zki_prove_int(pk, X, 1, 0, &pf) == ZKI_ERR_INPUT && !pf && strstr(zki_last_error(), "spent"));
    CHECK(zki_pk_load(&mm, tmp("k.zpk"), &p2) == ZKI_OK && p2 && zki_pk_zk_proofs(p2) == 2);
    CHECK(p2 && zki_prove_int(p2, X, 1, 0, &pf) == ZKI_OK && zki_verify_int(vk, X, 1, pf) == ZKI_OK);
    zki_proof_destroy(pf);
    zki_pk_destroy(p2);
    zki_pk_destroy(pk);
    zki_vk_destroy(vk);
    zki_qmodel_free(mm.q);
    const char *names[] = {"k.vk", "k.zpk"};
    tmp_cleanup(names, 2);
}

int main(void)
{
    zki_rng_seed(&rng, 2024);
    test_shape();
    test_bytes();
    test_plain_openings();
    test_prover();
    test_api();
    return TEST_SUMMARY();
}
