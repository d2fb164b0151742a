/* Committed rows (pcs/pcs_row.c): honest openings verify over sizes, types,
 * hiding, joint openings and thread counts, and are smaller than sending
 * the row; every section of a proof altered is rejected; a false value, a
 * false claim forced through the prover's sum-check, a committed row that
 * disagrees with the opened columns and a commitment far from the code
 * are rejected. */
#include <omp.h>

#include "pcs_test_util.h"
#include "sumcheck/sumcheck.h"

static zki_pcs_prover *commit_rc(const zki_pcs_vec *v, int hiding, uint32_t log_cols,
                                 uint8_t seed0)
{
    zki_pcs_params prm;
    zki_pcs_params_default(&prm);
    prm.hiding = hiding;
    prm.row_commit = 1;
    prm.log_cols = log_cols;
    prm.grind_bits = 4;
    uint8_t seed[32] = {seed0, 77};
    prm.seed = seed;
    zki_pcs_prover *pr = NULL;
    CHECK(zki_pcs_commit(&pr, &prm, v, 1) == ZKI_OK);
    return pr;
}

static size_t proof_len(zki_pcs_prover *pr, const zki_pcs_claim *cl)
{
    uint8_t *b;
    size_t len = 0;
    CHECK(open_bytes(&pr, 1, cl, 1, &b, &len));
    free(b);
    return len;
}

static void test_honest(void)
{
    static const struct {
        uint64_t len;
        zki_pcs_elem type;
        uint32_t log_cols;
    } cases[] = {{20000, ZKI_PCS_I8, 12}, {1 << 16, ZKI_PCS_FE, 13}, {3 * 8192 + 7, ZKI_PCS_I16, 12},
                 {(1 << 15) + 1, ZKI_PCS_I32, 14}};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
        for (int hiding = 0; hiding <= 1; hiding++) {
            zki_pcs_vec v = {cases[k].type, rand_data(cases[k].type, cases[k].len), cases[k].len};
            zki_pcs_prover *pr = commit_rc(&v, hiding, cases[k].log_cols, (uint8_t)k);
            const zki_pcs_commitment *com = zki_pcs_prover_commitment(pr);
            CHECK_MSG(com->shape.row_commit == 1, "case %zu: row not committed", k);
            zki_ext *pt = rand_point(com->nvars[0]);
            zki_pcs_claim cl = {0, 0, pt, eval_vec(&v, pt), 0};
            uint8_t *b, *cb;
            size_t len, clen;
            CHECK(open_bytes(&pr, 1, &cl, 1, &b, &len));
            zki_pcs_proof p;
            CHECK(zki_pcs_proof_from_bytes(&p, b, len) == ZKI_OK);
            CHECK(p.parts[0].has_rowc && !p.parts[0].rows && p.inner && !p.inner->inner);
            zki_pcs_proof_free(&p);
            /* the verifier's commitment comes through its bytes */
            zki_pcs_commitment com2;
            CHECK(zki_pcs_commitment_to_bytes(com, &cb, &clen) == ZKI_OK);
            CHECK(zki_pcs_commitment_from_bytes(&com2, cb, clen) == ZKI_OK);
            CHECK(com2.shape.row_commit == 1);
            const zki_pcs_commitment *cp = &com2;
            CHECK_MSG(verify_bytes(&cp, 1, &cl, 1, b, len), "case %zu hiding %d", k, hiding);
            cl.value = zki_ext_add(cl.value, zki_ext_one());
            CHECK(!verify_bytes(&cp, 1, &cl, 1, b, len));
            free(b);
            free(cb);
            free(pt);
            zki_pcs_commitment_free(&com2);
            zki_pcs_prover_free(pr);
            free((void *)v.data);
        }
}

/* At the automatic width a large table commits its row, and the opening is
 * smaller than the best one that sends it. */
static void test_smaller(void)
{
    uint64_t len = (uint64_t)1 << 20;
    zki_pcs_vec v = {ZKI_PCS_I8, rand_data(ZKI_PCS_I8, len), len};
    zki_pcs_prover *rc = commit_rc(&v, 1, 0, 5);
    zki_pcs_params prm;
    zki_pcs_params_default(&prm);
    prm.hiding = 1;
    prm.grind_bits = 4;
    uint8_t seed[32] = {5};
    prm.seed = seed;
    zki_pcs_prover *plain;
    CHECK(zki_pcs_commit(&plain, &prm, &v, 1) == ZKI_OK);
    CHECK(zki_pcs_prover_commitment(rc)->shape.row_commit == 1);
    CHECK(zki_pcs_prover_commitment(plain)->shape.row_commit == 0);
    zki_ext *pt = rand_point(20);
    zki_pcs_claim cl = {0, 0, pt, eval_vec(&v, pt), 0};
    size_t a = proof_len(rc, &cl), b = proof_len(plain, &cl);
    CHECK_MSG(a < b * 3 / 4, "committed row %zu bytes, sent row %zu", a, b);
    free(pt);
    zki_pcs_prover_free(rc);
    zki_pcs_prover_free(plain);
    free((void *)v.data);
}

/* Two commitments with committed rows and a plain one, opened together:
 * same bytes for 1 and 2 threads; every section altered is rejected. */
static void test_joint_mutations(void)
{
    zki_pcs_vec v[3] = {{ZKI_PCS_I8, rand_data(ZKI_PCS_I8, 20000), 20000},
                        {ZKI_PCS_FE, rand_data(ZKI_PCS_FE, 1 << 14), 1 << 14},
                        {ZKI_PCS_I16, rand_data(ZKI_PCS_I16, 3000), 3000}};
    zki_pcs_prover *prs[3] = {commit_rc(&v[0], 0, 12, 1), commit_rc(&v[1], 1, 12, 2), NULL};
    zki_pcs_params prm;
    zki_pcs_params_default(&prm);
    prm.grind_bits = 4;
    CHECK(zki_pcs_commit(&prs[2], &prm, &v[2], 1) == ZKI_OK);
    const zki_pcs_commitment *coms[3];
    zki_pcs_claim cl[3];
    zki_ext *pts[3];
    for (uint32_t i = 0; i < 3; i++) {
        coms[i] = zki_pcs_prover_commitment(prs[i]);
        pts[i] = rand_point(coms[i]->nvars[0]);
        cl[i] = (zki_pcs_claim){i, 0, pts[i], eval_vec(&v[i], pts[i]), 0};
    }
    CHECK(coms[0]->shape.row_commit && coms[1]->shape.row_commit && !coms[2]->shape.row_commit);
    uint8_t *b, *b1;
    size_t len, len1;
    omp_set_num_threads(1);
    CHECK(open_bytes(prs, 3, cl, 3, &b1, &len1));
    omp_set_num_threads(2);
    /* hiding commitments open once: a fresh one for the second run */
    zki_pcs_prover_free(prs[1]);
    prs[1] = commit_rc(&v[1], 1, 12, 2);
    coms[1] = zki_pcs_prover_commitment(prs[1]);
    CHECK(open_bytes(prs, 3, cl, 3, &b, &len));
    CHECK(len == len1 && !memcmp(b, b1, len));
    CHECK(verify_bytes(coms, 3, cl, 3, b, len));
    /* every section boundary (and its neighbours), then random positions */
    int tried;
    int bad = accepted_mutations(b, len, coms, 3, cl, 3, 60, &tried);
    CHECK_MSG(bad == 0, "%d of %d single-byte changes accepted", bad, tried);
    CHECK(verify_bytes(coms, 3, cl, 3, b, len));
    CHECK(!verify_bytes(coms, 3, cl, 3, b, len - 1));
    free(b);
    free(b1);
    for (int i = 0; i < 3; i++) {
        free(pts[i]);
        zki_pcs_prover_free(prs[i]);
        free((void *)v[i].data);
    }
}

/* Cheating provers driven through zki_pcs_open. */
static void test_cheaters(void)
{
    uint64_t len = 20000;
    zki_pcs_vec v = {ZKI_PCS_I8, rand_data(ZKI_PCS_I8, len), len};
    for (int trial = 0; trial < 8; trial++) {
        zki_pcs_prover *pr = commit_rc(&v, 0, 12, (uint8_t)(40 + trial));
        const zki_pcs_commitment *com = zki_pcs_prover_commitment(pr);
        zki_ext *pt = rand_point(com->nvars[0]);
        zki_ext v0 = eval_vec(&v, pt);
        zki_pcs_claim cl = {0, 0, pt, zki_ext_add(v0, zki_ext_one()), 0};
        zki_pcs_proof p;
        /* (a) a false value: the honest prover refuses it; forced through
         * the row sum-check, the proof is rejected */
        CHECK(!open_proof(pr, &cl, 1, &p));
        zki_sumcheck_test_false_claims = 1;
        CHECK(open_proof(pr, &cl, 1, &p));
        zki_sumcheck_test_false_claims = 0;
        CHECK(!verify_proof(com, &cl, 1, &p));
        zki_pcs_proof_free(&p);
        /* (b) the committed row altered so that its evaluation gives the
         * false value v + delta eq(r_lo, 0): only the columns disagree */
        zki_ext delta = rand_ext(), e0 = zki_ext_one();
        for (uint32_t k = 0; k < zki_pcs_lo_vars(com, 0); k++)
            e0 = zki_ext_mul(e0, zki_ext_sub(zki_ext_one(), pt[k]));
        cl.value = zki_ext_add(v0, zki_ext_mul(delta, e0));
        zki_pcs_test_row_delta = delta;
        zki_sumcheck_test_false_claims = 1;
        CHECK(open_proof(pr, &cl, 1, &p));
        zki_sumcheck_test_false_claims = 0;
        zki_pcs_test_row_delta = zki_ext_zero();
        CHECK(!verify_proof(com, &cl, 1, &p));
        zki_pcs_proof_free(&p);
        /* the honest opening of the true value still verifies */
        cl.value = v0;
        CHECK(open_proof(pr, &cl, 1, &p));
        CHECK(verify_proof(com, &cl, 1, &p));
        zki_pcs_proof_free(&p);
        /* (c) a commitment far from the code (half of one row's symbols
         * changed): rejected */
        const zki_pcs_shape *s = &com->shape;
        uint64_t n = s->d / 2, c0 = zki_rng_below(&rng, 2);
        uint64_t *cols = malloc(n * sizeof *cols);
        for (uint64_t k = 0; k < n; k++)
            cols[k] = 2 * k + c0;
        corrupt_row(pr, zki_rng_below(&rng, s->data_rows), cols, n);
        zki_sumcheck_test_false_claims = 1; /* the columns no longer match the row */
        CHECK(open_proof(pr, &cl, 1, &p));
        zki_sumcheck_test_false_claims = 0;
        CHECK(!verify_proof(com, &cl, 1, &p));
        zki_pcs_proof_free(&p);
        free(cols);
        free(pt);
        zki_pcs_prover_free(pr);
    }
    free((void *)v.data);
}

/* The prover's table G and the verifier's G(r) agree (K a power of two in
 * plain mode, not in hiding mode), and G vanishes from K on. */
static void test_g_agrees(void)
{
    for (int hiding = 0; hiding <= 1; hiding++) {
        uint64_t len = 20000;
        zki_pcs_vec v = {ZKI_PCS_I8, rand_data(ZKI_PCS_I8, len), len};
        zki_pcs_prover *pr = commit_rc(&v, hiding, 12, 9);
        const zki_pcs_shape *s = &zki_pcs_prover_commitment(pr)->shape;
        uint32_t m = zki_pcs_row_rounds(s), n = 40, lo = 11;
        CHECK((s->row_len == ((uint64_t)1 << m)) == !hiding);
        uint64_t idx[40];
        zki_ext pw[41];
        for (uint32_t i = 0; i < n; i++)
            idx[i] = i * (s->d / n) + zki_rng_below(&rng, s->d / n);
        for (uint32_t i = 0; i <= n; i++)
            pw[i] = rand_ext();
        zki_ext *r_lo = rand_point(lo), *r = rand_point(m);
        zki_ext *G = malloc(((size_t)1 << m) * sizeof *G);
        CHECK(zki_pcs_row_g_table(s, idx, n, pw, r_lo, lo, m, G) == ZKI_OK);
        int tail_zero = 1;
        for (uint64_t k = s->row_len; k < ((uint64_t)1 << m); k++)
            tail_zero &= zki_ext_is_zero(G[k]);
        CHECK(tail_zero);
        CHECK_MSG(zki_ext_eq(zki_mle_eval_ext(G, m, r), zki_pcs_row_g_eval(s, idx, n, pw, r_lo, lo, r, m)),
                  "hiding %d: G(r) differs", hiding);
        free(G);
        free(r_lo);
        free(r);
        zki_pcs_prover_free(pr);
        free((void *)v.data);
    }
}

int main(void)
{
    zki_rng_seed(&rng, 77);
    test_g_agrees();
    test_honest();
    test_smaller();
    test_joint_mutations();
    test_cheaters();
    return TEST_SUMMARY();
}
