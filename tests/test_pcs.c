/* Polynomial commitment: completeness over sizes, types and batches;
 * rejection of modified proofs, wrong values, points and commitments;
 * hiding; thread-count independence; serialisation errors. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "pcs/pcs.h"
#include "pcs/pcs_internal.h"
#include "ntt/ntt.h"
#include "poly/mle.h"
#include "test.h"
#include "pcs_test_util.h"

/* One commitment of `n` vectors, one claim per vector (each at its own
 * point), plus a second claim on vector 0 at another point. */
static void roundtrip(const uint64_t *lens, const zki_pcs_elem *types, uint32_t n, int hiding)
{
    zki_pcs_vec *v = malloc(n * sizeof *v);
    for (uint32_t i = 0; i < n; i++) {
        v[i].type = types[i];
        v[i].len = lens[i];
        v[i].data = rand_data(types[i], lens[i]);
    }
    zki_pcs_params prm;
    zki_pcs_params_default(&prm);
    prm.hiding = hiding;
    uint8_t seed[32] = {1, 2, 3};
    prm.seed = seed;
    prm.max_points = n + 1;
    zki_pcs_prover *pr;
    CHECK(zki_pcs_commit(&pr, &prm, v, n) == ZKI_OK);
    const zki_pcs_commitment *com = zki_pcs_prover_commitment(pr);
    size_t ncl = n + 1;
    zki_pcs_claim *cl = malloc(ncl * sizeof *cl);
    zki_ext **pts = malloc(ncl * sizeof *pts);
    for (size_t i = 0; i < ncl; i++) {
        uint32_t p = i < n ? (uint32_t)i : 0;
        pts[i] = rand_point(zki_log2_ceil(lens[p]));
        cl[i].commit = 0;
        cl[i].poly = p;
        cl[i].point = pts[i];
        cl[i].value = eval_vec(&v[p], pts[i]);
    }
    uint8_t *b;
    size_t len;
    CHECK(open_bytes(&pr, 1, cl, ncl, &b, &len));
    uint8_t *cb;
    size_t clen;
    zki_pcs_commitment com2;
    CHECK(zki_pcs_commitment_to_bytes(com, &cb, &clen) == ZKI_OK);
    CHECK(zki_pcs_commitment_from_bytes(&com2, cb, clen) == ZKI_OK);
    const zki_pcs_commitment *cp = &com2;
    CHECK_MSG(verify_bytes(&cp, 1, cl, ncl, b, len), "n=%u len0=%llu hiding=%d", n,
              (unsigned long long)lens[0], hiding);
    /* a wrong value for the last claim is rejected */
    cl[ncl - 1].value = zki_ext_add(cl[ncl - 1].value, zki_ext_one());
    CHECK(!verify_bytes(&cp, 1, cl, ncl, b, len));
    free(b);
    free(cb);
    zki_pcs_commitment_free(&com2);
    for (size_t i = 0; i < ncl; i++)
        free(pts[i]);
    for (uint32_t i = 0; i < n; i++)
        free((void *)v[i].data);
    free(pts);
    free(cl);
    free(v);
    zki_pcs_prover_free(pr);
}

static void test_completeness(void)
{
    static const uint64_t sizes[] = {1, 2, 3, 1000, 1 << 16};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        zki_pcs_elem t = ZKI_PCS_FE;
        roundtrip(&sizes[i], &t, 1, 0);
        roundtrip(&sizes[i], &t, 1, 1);
    }
    if (!getenv("ZKI_TEST_QUICK")) {
        uint64_t big = 1 << 20;
        zki_pcs_elem t = ZKI_PCS_I8;
        roundtrip(&big, &t, 1, 0);
    }
    uint64_t mix[] = {1000, 1, 3, 1 << 14, 77, 2};
    zki_pcs_elem mt[] = {ZKI_PCS_I8, ZKI_PCS_FE, ZKI_PCS_I16, ZKI_PCS_I8, ZKI_PCS_I32, ZKI_PCS_FE};
    roundtrip(mix, mt, 6, 0);
    roundtrip(mix, mt, 6, 1);
}

/* Weights (int8, plain) and advice (hiding) opened together. */
typedef struct {
    zki_pcs_vec w[2], a;
    zki_pcs_prover *pw, *pa;
    zki_ext *pts[3];
    zki_pcs_claim cl[3];
} two_setup;

static void two_init(two_setup *s, int hiding_w)
{
    s->w[0] = (zki_pcs_vec){ZKI_PCS_I8, rand_data(ZKI_PCS_I8, 5000), 5000};
    s->w[1] = (zki_pcs_vec){ZKI_PCS_I16, rand_data(ZKI_PCS_I16, 300), 300};
    s->a = (zki_pcs_vec){ZKI_PCS_FE, rand_data(ZKI_PCS_FE, 2000), 2000};
    zki_pcs_params pw, pa;
    zki_pcs_params_default(&pw);
    zki_pcs_params_default(&pa);
    pw.hiding = hiding_w;
    pa.hiding = 1;
    uint8_t seed[32] = {9};
    pa.seed = seed;
    pw.seed = seed;
    CHECK(zki_pcs_commit(&s->pw, &pw, s->w, 2) == ZKI_OK);
    CHECK(zki_pcs_commit(&s->pa, &pa, &s->a, 1) == ZKI_OK);
    const zki_pcs_vec *vs[3] = {&s->w[0], &s->w[1], &s->a};
    uint32_t com[3] = {0, 0, 1}, poly[3] = {0, 1, 0};
    for (int i = 0; i < 3; i++) {
        s->pts[i] = rand_point(zki_log2_ceil(vs[i]->len));
        s->cl[i] = (zki_pcs_claim){com[i], poly[i], s->pts[i], eval_vec(vs[i], s->pts[i]), 0};
    }
}

static void two_free(two_setup *s)
{
    for (int i = 0; i < 3; i++)
        free(s->pts[i]);
    free((void *)s->w[0].data);
    free((void *)s->w[1].data);
    free((void *)s->a.data);
    zki_pcs_prover_free(s->pw);
    zki_pcs_prover_free(s->pa);
}

static void test_soundness(void)
{
    two_setup s;
    two_init(&s, 0);
    zki_pcs_prover *prs[2] = {s.pw, s.pa};
    const zki_pcs_commitment *coms[2] = {zki_pcs_prover_commitment(s.pw),
                                         zki_pcs_prover_commitment(s.pa)};
    uint8_t *b;
    size_t len;
    CHECK(open_bytes(prs, 2, s.cl, 3, &b, &len));
    CHECK(verify_bytes(coms, 2, s.cl, 3, b, len));

    /* every section boundary (and its neighbours), then random positions */
    int tried;
    int bad = accepted_mutations(b, len, coms, 2, s.cl, 3, 20, &tried);
    CHECK_MSG(bad == 0, "%d of %d single-byte changes accepted", bad, tried);
    CHECK(verify_bytes(coms, 2, s.cl, 3, b, len)); /* restored */
    /* truncations and an appended byte */
    CHECK(!verify_bytes(coms, 2, s.cl, 3, b, len - 1));
    CHECK(!verify_bytes(coms, 2, s.cl, 3, b, len / 2));
    uint8_t *longer = malloc(len + 1);
    memcpy(longer, b, len);
    longer[len] = 0;
    CHECK(!verify_bytes(coms, 2, s.cl, 3, longer, len + 1));
    free(longer);

    /* wrong values, points, commitments */
    zki_pcs_claim cl[3];
    for (int i = 0; i < 3; i++) {
        memcpy(cl, s.cl, sizeof cl);
        cl[i].value = zki_ext_add(cl[i].value, zki_ext_make(0, 1));
        CHECK(!verify_bytes(coms, 2, cl, 3, b, len));
        memcpy(cl, s.cl, sizeof cl);
        zki_ext *pt = rand_point(zki_log2_ceil(i == 0 ? 5000 : i == 1 ? 300 : 2000));
        memcpy(pt, s.pts[i], sizeof *pt); /* differs from the first coordinate on */
        cl[i].point = pt;
        CHECK(!verify_bytes(coms, 2, cl, 3, b, len));
        /* the point changed in its highest coordinate only */
        size_t nv = zki_log2_ceil(i == 0 ? 5000 : i == 1 ? 300 : 2000);
        memcpy(pt, s.pts[i], nv * sizeof *pt);
        pt[nv - 1] = zki_ext_add(pt[nv - 1], zki_ext_one());
        CHECK(!verify_bytes(coms, 2, cl, 3, b, len));
        free(pt);
    }
    /* the same proof against another commitment of the same shape */
    two_setup o;
    two_init(&o, 0);
    const zki_pcs_commitment *other[2] = {zki_pcs_prover_commitment(o.pw), coms[1]};
    CHECK(!verify_bytes(other, 2, s.cl, 3, b, len));
    /* a proof made for the other commitment (with its true values) */
    uint8_t *b2;
    size_t len2;
    zki_pcs_prover *prs2[2] = {o.pw, s.pa};
    zki_pcs_claim cl2[3];
    memcpy(cl2, o.cl, sizeof cl2);
    cl2[2] = s.cl[2];
    /* s.pa has used its one hiding slot: a second opening must be refused */
    CHECK(!open_bytes(prs2, 2, cl2, 3, &b2, &len2));
    two_free(&o);
    two_init(&o, 0);
    zki_pcs_prover *prs3[2] = {o.pw, o.pa};
    CHECK(open_bytes(prs3, 2, o.cl, 3, &b2, &len2));
    cl2[0] = s.cl[0];
    CHECK(!verify_bytes(coms, 2, s.cl, 3, b2, len2));
    free(b2);
    two_free(&o);
    free(b);
    two_free(&s);
}

/* Commitment and proof bytes for a fixed instance at a thread count. */
static void bytes_at_threads(int threads, int hiding, int two, uint8_t **cb, size_t *clen,
                             uint8_t **pb, size_t *plen)
{
    omp_set_num_threads(threads);
    zki_rng_seed(&rng, 77);
    uint64_t len = 100000;
    zki_pcs_vec v = {ZKI_PCS_I16, rand_data(ZKI_PCS_I16, len), len};
    zki_pcs_params prm;
    zki_pcs_params_default(&prm);
    prm.hiding = hiding;
    uint8_t seed[32] = {5};
    prm.seed = seed;
    prm.max_points = 2;
    zki_pcs_prover *pr;
    CHECK(zki_pcs_commit(&pr, &prm, &v, 1) == ZKI_OK);
    zki_ext *pt = rand_point(zki_log2_ceil(len)), *pt2 = rand_point(zki_log2_ceil(len));
    zki_pcs_claim cl[2] = {{0, 0, pt, eval_vec(&v, pt), 0}, {0, 0, pt2, eval_vec(&v, pt2), 0}};
    CHECK(zki_pcs_commitment_to_bytes(zki_pcs_prover_commitment(pr), cb, clen) == ZKI_OK);
    CHECK(open_bytes(&pr, 1, cl, two ? 2 : 1, pb, plen)); /* classic : tensor mode */
    zki_pcs_prover_free(pr);
    free(pt);
    free(pt2);
    free((void *)v.data);
}

static void test_threads(void)
{
    int max = omp_get_max_threads();
    for (int mode = 0; mode < 4; mode++) {
        int hiding = mode & 1, two = mode >> 1;
        uint8_t *c1, *c2, *p1, *p2;
        size_t cl1, cl2, pl1, pl2;
        bytes_at_threads(1, hiding, two, &c1, &cl1, &p1, &pl1);
        bytes_at_threads(2, hiding, two, &c2, &cl2, &p2, &pl2);
        CHECK(pl1 > 35 && p1[20 + 14] == two); /* has_prox: classic with two claims */
        CHECK(cl1 == cl2 && memcmp(c1, c2, cl1) == 0);
        CHECK(pl1 == pl2 && memcmp(p1, p2, pl1) == 0);
        free(c1);
        free(c2);
        free(p1);
        free(p2);
    }
    omp_set_num_threads(max);
}

/* Opened data-row entries of `v` over 16 seeds: counts of zeros and of set
 * top bits; checks that the evaluation row is not the true combination
 * (hiding) and that the first entry changes with the seed. */
static void opened_stats(const zki_pcs_vec *v, zki_pcs_claim *cl, int hiding, int *ones,
                         int *total, int *zeros)
{
    zki_fe first_seen[2] = {0, 0};
    *ones = *total = *zeros = 0;
    for (int trial = 0; trial < 16; trial++) {
        zki_pcs_params prm;
        zki_pcs_params_default(&prm);
        prm.hiding = hiding;
        uint8_t seed[32] = {(uint8_t)trial, 42};
        prm.seed = seed;
        zki_pcs_prover *pr;
        CHECK(zki_pcs_commit(&pr, &prm, v, 1) == ZKI_OK);
        zki_transcript ts;
        zki_ts_init(&ts, "pcs-test", 1);
        zki_pcs_proof p;
        CHECK(zki_pcs_open(&ts, &pr, 1, cl, 1, &p) == ZKI_OK);
        zki_ts_free(&ts);
        uint64_t data_rows = zki_pcs_prover_commitment(pr)->shape.data_rows;
        for (uint32_t i = 0; i < p.parts[0].n_cols; i++)
            for (uint64_t r = 0; r < data_rows; r++) {
                zki_fe e = p.parts[0].cols[i * p.parts[0].col_height + r];
                *zeros += e == 0;
                *ones += (int)(e >> 63);
                (*total)++;
            }
        if (trial < 2)
            first_seen[trial] = p.parts[0].cols[0];
        if (hiding) {
            int nz = 0;
            for (uint32_t j = 0; j < p.parts[0].row_len; j++)
                nz += !zki_ext_is_zero(p.parts[0].rows[j]);
            CHECK(nz > (int)p.parts[0].row_len / 2);
        }
        zki_pcs_proof_free(&p);
        zki_pcs_prover_free(pr);
    }
    CHECK(hiding ? first_seen[0] != first_seen[1] : first_seen[0] == first_seen[1]);
}

/* Hiding: for the zero vector and a random vector with the same evaluation
 * (zero) at the opened point, the opened entries are never zero, change with
 * the randomness and have balanced top bits (P = (p - 2^63)/p ~ 1/2), the
 * same statistics for both vectors; the plain mode opens the zero vector's
 * all-zero codeword. The revealed entries are not the raw values. */
static void test_hiding(void)
{
    uint64_t len = 4096;
    zki_fe *zero = calloc(len, sizeof *zero);
    zki_pcs_vec v = {ZKI_PCS_FE, zero, len};
    zki_ext *pt = rand_point(12);
    zki_pcs_claim cl = {0, 0, pt, zki_ext_zero(), 0};
    int ones, total, zeros;
    opened_stats(&v, &cl, 0, &ones, &total, &zeros);
    CHECK(total > 0 && zeros == total); /* plain: nothing hidden */
    opened_stats(&v, &cl, 1, &ones, &total, &zeros);
    CHECK(zeros == 0);
    CHECK_MSG(ones > total * 45 / 100 && ones < total * 55 / 100, "%d of %d", ones, total);
    int ones0 = ones, total0 = total;

    /* a vector with the same evaluation at pt (non-zero, zero at pt) */
    zki_fe *w = rand_data(ZKI_PCS_FE, len);
    zki_pcs_vec vw = {ZKI_PCS_FE, w, len};
    zki_ext e = eval_vec(&vw, pt);
    /* cancel e with entries 0 and 1: a e0 + b e1 = -e over the base field */
    zki_ext *eq = malloc(len * sizeof *eq);
    zki_eq_table(eq, pt, 12);
    zki_ext t = zki_ext_sub(e, zki_ext_add(zki_ext_scale(eq[0], w[0]), zki_ext_scale(eq[1], w[1])));
    zki_fe det = zki_fe_sub(zki_fe_mul(eq[0].c0, eq[1].c1), zki_fe_mul(eq[1].c0, eq[0].c1));
    zki_fe di = zki_fe_inv(det);
    zki_fe rc0 = zki_fe_neg(t.c0), rc1 = zki_fe_neg(t.c1);
    w[0] = zki_fe_mul(di, zki_fe_sub(zki_fe_mul(rc0, eq[1].c1), zki_fe_mul(eq[1].c0, rc1)));
    w[1] = zki_fe_mul(di, zki_fe_sub(zki_fe_mul(eq[0].c0, rc1), zki_fe_mul(rc0, eq[0].c1)));
    CHECK(zki_ext_is_zero(eval_vec(&vw, pt)));
    opened_stats(&vw, &cl, 1, &ones, &total, &zeros);
    CHECK(zeros == 0);
    CHECK_MSG(ones > total * 45 / 100 && ones < total * 55 / 100, "%d of %d", ones, total);
    /* same distribution of the revealed bits for both vectors (~4 sigma) */
    double f0 = (double)ones0 / total0, f1 = (double)ones / total;
    CHECK_MSG(f0 - f1 < 0.015 && f1 - f0 < 0.015, "%.3f vs %.3f", f0, f1);
    zki_pcs_params prm;
    zki_pcs_params_default(&prm);
    prm.hiding = 1;
    zki_pcs_prover *pr;
    CHECK(zki_pcs_commit(&pr, &prm, &vw, 1) == ZKI_OK); /* OS entropy */
    uint8_t *b;
    size_t blen;
    CHECK(open_bytes(&pr, 1, &cl, 1, &b, &blen));
    const zki_pcs_commitment *com = zki_pcs_prover_commitment(pr);
    CHECK(verify_bytes(&com, 1, &cl, 1, b, blen));
    zki_pcs_proof p;
    CHECK(zki_pcs_proof_from_bytes(&p, b, blen) == ZKI_OK);
    int raw = 0; /* no opened entry of row r equals any raw value of row r */
    for (uint32_t i = 0; i < p.parts[0].n_cols; i++)
        for (uint64_t r = 0; r < com->shape.data_rows; r++)
            for (uint64_t j = 0; j < com->shape.cols; j++)
                raw += p.parts[0].cols[i * p.parts[0].col_height + r] ==
                       w[r * com->shape.cols + j];
    CHECK(com->shape.data_rows > 1 && raw == 0);
    zki_pcs_proof_free(&p);
    free(b);
    zki_pcs_prover_free(pr);
    free(eq);
    free(w);
    free(zero);
    free(pt);
}

/* Cheating provers for a false claim: (a) honest rows for the false claim
 * (caught by the evaluation check); (b) the evaluation row patched to match
 * the false value, with the columns opened at the queries that the patched
 * row leads to (caught by the column consistency check). */
static void test_cheating_prover(void)
{
    uint64_t len = 3000;
    zki_pcs_vec v = {ZKI_PCS_I8, rand_data(ZKI_PCS_I8, len), len};
    zki_pcs_params prm;
    zki_pcs_params_default(&prm);
    zki_pcs_prover *pr;
    CHECK(zki_pcs_commit(&pr, &prm, &v, 1) == ZKI_OK);
    const zki_pcs_commitment *com = zki_pcs_prover_commitment(pr);
    zki_ext *pt = rand_point(12);
    zki_ext truth = eval_vec(&v, pt);
    zki_pcs_claim cl = {0, 0, pt, zki_ext_add(truth, zki_ext_one()), 0};
    uint8_t *b;
    size_t blen;
    CHECK(open_bytes(&pr, 1, &cl, 1, &b, &blen));
    CHECK(!verify_bytes(&com, 1, &cl, 1, b, blen)); /* (a) */
    zki_pcs_proof p;
    CHECK(zki_pcs_proof_from_bytes(&p, b, blen) == ZKI_OK);
    free(b);

    /* (b): replay the transcript up to the rows, patch, and reopen */
    zki_transcript ts;
    zki_ts_init(&ts, "pcs-test", 1);
    zki_pcs_ctx x;
    uint32_t slot = 0;
    zki_ext *mus[1] = {NULL};
    CHECK(zki_pcs_begin(&ts, &x, &com, &slot, 1, &cl, 1) == ZKI_OK);
    CHECK(zki_pcs_challenges(&ts, &x, &com, &slot, &cl, mus) == ZKI_OK);
    zki_ext *eq = malloc(com->shape.cols * sizeof *eq);
    zki_pcs_eq_lo(eq, com, &cl);
    zki_pcs_proof_part *q = &p.parts[0];
    CHECK(x.tensor[0] == 1 && q->has_prox == 0); /* one claim: a single row */
    zki_ext fix = zki_ext_mul(x.scale[0], zki_ext_inv(eq[0])); /* scale * (v' - v) / eq[0] */
    q->rows[0] = zki_ext_add(q->rows[0], fix);
    zki_ts_absorb_ext_vec(&ts, "pcs/rows", q->rows, (size_t)zki_pcs_n_comb(&x, 0) * q->row_len);
    CHECK(zki_pcs_grind(&ts, zki_pcs_grind_bits(&com, 1), &p.nonce) == ZKI_OK);
    uint64_t *draws;
    uint32_t nd;
    CHECK(zki_pcs_queries_draw(&ts, &com, 1, &draws, &nd) == ZKI_OK);
    uint64_t *idx = malloc(nd * sizeof *idx);
    uint32_t n = zki_pcs_queries_for(com, draws, idx);
    free(q->cols);
    free(q->nodes);
    q->n_cols = n;
    q->cols = malloc((size_t)n * q->col_height * sizeof *q->cols);
    for (uint32_t i = 0; i < n; i++)
        memcpy(q->cols + i * q->col_height, pr->cw + idx[i] * q->col_height,
               q->col_height * sizeof(zki_fe));
    CHECK(zki_pcs_multiproof(&pr->tree, idx, n, &q->nodes, &q->n_nodes) == ZKI_OK);
    zki_ts_free(&ts);
    zki_transcript tv;
    zki_ts_init(&tv, "pcs-test", 1);
    zki_status st = zki_pcs_verify(&tv, &com, 1, &cl, 1, &p);
    CHECK(st == ZKI_ERR_VERIFY);
    CHECK(strstr(zki_last_error(), "inconsistent with an opened column") != NULL);
    zki_ts_free(&tv);
    /* the same patched proof for the true value fails the evaluation check */
    free(idx);
    free(draws);
    free(eq);
    zki_pcs_ctx_free(&x);
    zki_pcs_proof_free(&p);
    zki_pcs_prover_free(pr);
    free(pt);
    free((void *)v.data);
}

/* The coset-split encoder equals one coset NTT of size D on the zero-padded
 * message (so the code is Reed-Solomon on shift * <w_D>), for plain and
 * hiding shapes (q = 4 and q = 2 sub-transforms) and a tiny one. */
/* v committed twice with prm: its codewords kept, then streamed. */
static void commit_kept_and_streamed(const zki_pcs_params *prm, const zki_pcs_vec *v, zki_pcs_prover **kept,
                                     zki_pcs_prover **streamed)
{
    CHECK(zki_pcs_commit(kept, prm, v, 1) == ZKI_OK);
    uint64_t saved = zki_pcs_keep_cw_bytes;
    zki_pcs_keep_cw_bytes = 0;
    CHECK(zki_pcs_commit(streamed, prm, v, 1) == ZKI_OK);
    zki_pcs_keep_cw_bytes = saved;
}

/* The first columns, the last and 31 random ones of two commitments of
 * the same data and seed (one kept, one streamed) agree, and so do their
 * roots. */
static int same_columns(const zki_pcs_prover *kept, const zki_pcs_prover *streamed, zki_rng *g)
{
    const zki_pcs_shape *s = &zki_pcs_prover_commitment(kept)->shape;
    enum { NQ = 40 };
    uint64_t idx[NQ];
    for (int i = 0; i < NQ; i++)
        idx[i] = i < 8 ? (uint64_t)i : i == 8 ? s->d - 1 : zki_rng_below(g, s->d);
    zki_fe *a = malloc(NQ * s->rows * sizeof *a), *b = malloc(NQ * s->rows * sizeof *b);
    int ok = a && b && zki_pcs_columns(kept, idx, NQ, a) == ZKI_OK &&
             zki_pcs_columns(streamed, idx, NQ, b) == ZKI_OK && !memcmp(a, b, NQ * s->rows * sizeof *a) &&
             !memcmp(&zki_pcs_prover_commitment(kept)->root, &zki_pcs_prover_commitment(streamed)->root,
                     sizeof(zki_digest));
    free(a);
    free(b);
    return ok;
}

/* Queried columns of a streamed commitment (its codewords not kept:
 * zki_pcs_columns re-encodes, by partial NTTs from P = 2^12 on, by whole
 * encodings below) equal those of the same commitment with its codewords
 * kept, at positions in every coset, hidden or not, int8 and field data. */
static void test_streamed_columns(void)
{
    static const uint32_t logs[] = {10, 12, 13};
    zki_rng g;
    zki_rng_seed(&g, 41);
    for (int hiding = 0; hiding <= 1; hiding++)
        for (size_t li = 0; li < 3; li++) {
            zki_pcs_elem type = li == 1 ? ZKI_PCS_I8 : ZKI_PCS_FE;
            zki_pcs_vec v = {type, rand_data(type, ((uint64_t)5 << logs[li]) + 77), ((uint64_t)5 << logs[li]) + 77};
            zki_pcs_params prm;
            zki_pcs_params_default(&prm);
            prm.hiding = hiding;
            prm.log_cols = logs[li];
            uint8_t seed[32] = {7, 7};
            prm.seed = seed;
            zki_pcs_prover *kept, *streamed;
            commit_kept_and_streamed(&prm, &v, &kept, &streamed);
            CHECK_MSG(same_columns(kept, streamed, &g), "2^%u columns, hiding %d: streamed differ", logs[li],
                      hiding);
            free((void *)v.data);
            zki_pcs_prover_free(kept);
            zki_pcs_prover_free(streamed);
        }
}

/* Rate 1/2 with a hiding pad of at most C/8 (the keys' large tables): one
 * code of 2C, a single coset, rate <= 9/16 and the queries sized by it;
 * opened and verified in both modes, every single-byte mutation and a wrong
 * value refused, a committed row off the code refused, the streamed
 * columns equal to the kept ones. A pad above C/8 keeps D >= 2K. */
static void test_rate_half(void)
{
    uint64_t len = ((uint64_t)5 << 12) + 77;
    zki_pcs_vec v = {ZKI_PCS_I32, rand_data(ZKI_PCS_I32, len), len};
    zki_pcs_params prm;
    zki_pcs_params_default(&prm);
    prm.rate_log = 1;
    prm.hiding = 1;
    prm.log_cols = 12;
    prm.max_points = 2;
    uint8_t seed[32] = {4, 2};
    prm.seed = seed;
    zki_pcs_prover *pr, *streamed;
    commit_kept_and_streamed(&prm, &v, &pr, &streamed);
    const zki_pcs_commitment *com = zki_pcs_prover_commitment(pr);
    const zki_pcs_shape *s = &com->shape;
    CHECK_MSG(s->pad <= s->cols / 8 && s->d == 2 * s->cols && 16 * s->row_len <= 9 * s->d,
              "pad %llu, K %llu, D %llu", (unsigned long long)s->pad, (unsigned long long)s->row_len,
              (unsigned long long)s->d);
    CHECK(s->queries == zki_pcs_queries(s->row_len, s->log_d, prm.security_bits + 1) && s->pad >= s->queries);
    zki_pcs_coder cd;
    CHECK(zki_pcs_coder_init(&cd, s) == ZKI_OK);
    CHECK(cd.q == 1 && cd.p == s->d);
    zki_pcs_coder_free(&cd);
    CHECK(same_columns(pr, streamed, &rng));
    /* two claims (classic mode), then one (tensor mode) */
    zki_ext *pts[2] = {rand_point(zki_log2_ceil(len)), rand_point(zki_log2_ceil(len))};
    zki_pcs_claim cl[2];
    for (int i = 0; i < 2; i++)
        cl[i] = (zki_pcs_claim){0, 0, pts[i], eval_vec(&v, pts[i]), 0};
    for (size_t ncl = 2; ncl >= 1; ncl--) {
        zki_pcs_prover *p1;
        CHECK(zki_pcs_commit(&p1, &prm, &v, 1) == ZKI_OK);
        const zki_pcs_commitment *c1 = zki_pcs_prover_commitment(p1);
        uint8_t *b;
        size_t blen;
        CHECK(open_bytes(&p1, 1, cl, ncl, &b, &blen));
        CHECK_MSG(verify_bytes(&c1, 1, cl, ncl, b, blen), "rate 1/2, %zu claims", ncl);
        int tried, bad = accepted_mutations(b, blen, &c1, 1, cl, ncl, 4, &tried);
        CHECK_MSG(bad == 0, "rate 1/2, %zu claims: %d of %d single-byte changes accepted", ncl, bad, tried);
        zki_pcs_claim wrong[2] = {cl[0], cl[1]};
        wrong[ncl - 1].value = zki_ext_add(wrong[ncl - 1].value, zki_ext_one());
        CHECK(!verify_bytes(&c1, 1, wrong, ncl, b, blen));
        free(b);
        zki_pcs_prover_free(p1);
    }
    /* a committed row off the code (a quarter of its symbols changed): the
     * honest opening of the altered commitment is refused */
    uint64_t n_bad = s->d / 4, *cols = malloc(n_bad * sizeof *cols);
    for (uint64_t k = 0; k < n_bad; k++)
        cols[k] = 4 * k + 1;
    corrupt_row(pr, 2, cols, n_bad);
    uint8_t *b;
    size_t blen;
    CHECK(open_bytes(&pr, 1, cl, 1, &b, &blen));
    CHECK(!verify_bytes(&com, 1, cl, 1, b, blen));
    free(b);
    free(cols);
    free(pts[0]);
    free(pts[1]);
    zki_pcs_prover_free(pr);
    zki_pcs_prover_free(streamed);
    /* rows of 2^10: the pad exceeds C/8, so the code stays at D >= 2K */
    prm.log_cols = 10;
    zki_pcs_commitment c;
    CHECK(zki_pcs_shape_init(&c, &prm, &len, 1) == ZKI_OK);
    CHECK(c.shape.pad > c.shape.cols / 8 && c.shape.d >= 2 * c.shape.row_len);
    zki_pcs_commitment_free(&c);
    free((void *)v.data);
}

static void test_encoder(void)
{
    static const uint64_t lens[] = {1, 1000, 1 << 14};
    for (int hiding = 0; hiding <= 1; hiding++)
        for (size_t li = 0; li < 3; li++) {
            zki_pcs_params prm;
            zki_pcs_params_default(&prm);
            prm.hiding = hiding;
            zki_pcs_commitment c;
            CHECK(zki_pcs_shape_init(&c, &prm, &lens[li], 1) == ZKI_OK);
            const zki_pcs_shape *s = &c.shape;
            zki_pcs_coder cd;
            CHECK(zki_pcs_coder_init(&cd, s) == ZKI_OK);
            zki_fe *msg = rand_data(ZKI_PCS_FE, s->row_len);
            zki_fe *a = calloc(s->d, sizeof *a), *b = malloc(s->d * sizeof *b);
            memcpy(a, msg, s->row_len * sizeof *a);
            CHECK(zki_ntt_coset_forward(a, s->d, ZKI_GENERATOR) == ZKI_OK);
            CHECK(zki_pcs_encode(&cd, msg, s->row_len, b) == ZKI_OK);
            int bad = 0;
            for (uint64_t j = 0; j < s->d; j++)
                bad += a[j] != b[zki_pcs_enc_pos(&cd, j)];
            CHECK_MSG(bad == 0, "hiding %d len %llu: %d of %llu symbols differ", hiding,
                      (unsigned long long)lens[li], bad, (unsigned long long)s->d);
            CHECK(cd.q >= 2 && cd.p * cd.q == s->d && cd.p >= s->row_len);
            free(msg);
            free(a);
            free(b);
            zki_pcs_coder_free(&cd);
            zki_pcs_commitment_free(&c);
        }
}

static void test_errors(void)
{
    zki_pcs_params prm;
    zki_pcs_params_default(&prm);
    zki_pcs_prover *pr;
    zki_fe bad = ZKI_P;
    zki_pcs_vec v = {ZKI_PCS_FE, &bad, 1};
    CHECK(zki_pcs_commit(&pr, &prm, &v, 1) == ZKI_ERR_INPUT);
    v.len = 0;
    CHECK(zki_pcs_commit(&pr, &prm, &v, 1) == ZKI_ERR_INPUT);
    zki_fe ok = 3;
    v = (zki_pcs_vec){ZKI_PCS_FE, &ok, 1};
    prm.rate_log = 0;
    CHECK(zki_pcs_commit(&pr, &prm, &v, 1) == ZKI_ERR_INPUT);
    CHECK(zki_pcs_commit(&pr, &prm, &v, 0) == ZKI_ERR_INPUT);
    /* parsing garbage */
    uint8_t junk[64];
    for (int i = 0; i < 64; i++)
        junk[i] = (uint8_t)zki_rng_u64(&rng);
    zki_pcs_proof p;
    zki_pcs_commitment c;
    CHECK(zki_pcs_proof_from_bytes(&p, junk, sizeof junk) == ZKI_ERR_INPUT);
    CHECK(zki_pcs_commitment_from_bytes(&c, junk, sizeof junk) == ZKI_ERR_INPUT);
    CHECK(zki_pcs_proof_from_bytes(&p, NULL, 0) == ZKI_ERR_INPUT);
    memcpy(junk, "ZKPP\1\0\0\0\1\0\0\0\0\0\0\0\xff\xff\xff\xff", 20);
    CHECK(zki_pcs_proof_from_bytes(&p, junk, sizeof junk) == ZKI_ERR_INPUT);
    /* a truncated commitment */
    zki_pcs_params_default(&prm);
    CHECK(zki_pcs_commit(&pr, &prm, &v, 1) == ZKI_OK);
    uint8_t *cb;
    size_t clen;
    CHECK(zki_pcs_commitment_to_bytes(zki_pcs_prover_commitment(pr), &cb, &clen) == ZKI_OK);
    for (size_t l = 0; l < clen; l++)
        CHECK_MSG(zki_pcs_commitment_from_bytes(&c, cb, l) == ZKI_ERR_INPUT, "len %zu", l);
    CHECK(zki_pcs_commitment_from_bytes(&c, cb, clen) == ZKI_OK);
    zki_pcs_commitment_free(&c);
    free(cb);
    zki_pcs_prover_free(pr);
    /* hiding limits: distinct points per opening and number of openings */
    {
        zki_fe *d = rand_data(ZKI_PCS_FE, 500);
        zki_pcs_vec hv = {ZKI_PCS_FE, d, 500};
        zki_pcs_params_default(&prm);
        prm.hiding = 1;
        prm.max_points = 1;
        prm.open_budget = 2;
        CHECK(zki_pcs_commit(&pr, &prm, &hv, 1) == ZKI_OK);
        const zki_pcs_commitment *hc = zki_pcs_prover_commitment(pr);
        CHECK(hc->shape.pad >= 2ull * hc->shape.queries);
        zki_ext *p1 = rand_point(9), *p2 = rand_point(9);
        zki_pcs_claim two[2] = {{0, 0, p1, eval_vec(&hv, p1), 0}, {0, 0, p2, eval_vec(&hv, p2), 0}};
        uint8_t *b;
        size_t blen;
        CHECK(!open_bytes(&pr, 1, two, 2, &b, &blen)); /* 2 points > max_points */
        for (int k = 0; k < 2; k++) {
            CHECK(open_bytes(&pr, 1, &two[k], 1, &b, &blen));
            CHECK(verify_bytes(&hc, 1, &two[k], 1, b, blen));
            free(b);
        }
        CHECK(!open_bytes(&pr, 1, two, 1, &b, &blen)); /* budget of 2 used up */
        zki_pcs_prover_free(pr);
        free(p1);
        free(p2);
        free(d);
    }
    /* an opening with no claims is just the proximity test */
    {
        zki_pcs_params_default(&prm);
        CHECK(zki_pcs_commit(&pr, &prm, &v, 1) == ZKI_OK);
        const zki_pcs_commitment *pc = zki_pcs_prover_commitment(pr);
        uint8_t *b;
        size_t blen;
        CHECK(open_bytes(&pr, 1, NULL, 0, &b, &blen));
        CHECK(verify_bytes(&pc, 1, NULL, 0, b, blen));
        free(b);
        zki_pcs_prover_free(pr);
    }
    /* soundness formula: rate 1/4 needs 149 queries for 101 bits */
    CHECK(zki_pcs_queries(1u << 14, 16, 101) == 149); /* rate 1/4 */
    CHECK(zki_pcs_queries(1u << 14, 16, 100) == 148);
    CHECK(zki_pcs_queries(1u << 14, 16, 85) == 126);
    /* the least t: (5/8)^t <= 2^-bits at t, not at t - 1 (libm-free check
     * by exact powers: 5^t 2^bits <= 8^t) for a few bit counts */
    for (uint32_t bits = 1; bits <= 24; bits++) { /* 8^t 2^bits < 2^128 */
        uint32_t t = zki_pcs_queries(1u << 14, 16, bits);
        unsigned __int128 f5 = 1, f8 = 1;
        for (uint32_t i = 0; i + 1 < t; i++)
            f5 *= 5, f8 *= 8;
        int prev_fails = f5 * ((unsigned __int128)1 << bits) > f8;
        f5 *= 5, f8 *= 8;
        CHECK_MSG(prev_fails && f5 * ((unsigned __int128)1 << bits) <= f8, "bits %u: t %u", bits, t);
    }
}

/* ---- Tensor (single-row) openings and non-power-of-two layouts ---- */

/* Parsed copy of a proof (to mutate one field while keeping the original). */
static void proof_copy(const zki_pcs_proof *src, zki_pcs_proof *dst)
{
    uint8_t *b;
    size_t len;
    CHECK(zki_pcs_proof_to_bytes(src, &b, &len) == ZKI_OK);
    CHECK(zki_pcs_proof_from_bytes(dst, b, len) == ZKI_OK);
    free(b);
}

/* One table of `len` entries, one claim: tensor mode, exactly one row sent,
 * ceil(len / C) committed rows; the proof verifies against the re-parsed
 * commitment, and (full = 1) every mutation is rejected. */
static void tensor_case(uint64_t len, int hiding, int full)
{
    zki_pcs_elem type = len > 100000 ? ZKI_PCS_I8 : ZKI_PCS_FE;
    zki_pcs_vec v = {type, rand_data(type, len), len};
    zki_pcs_params prm;
    zki_pcs_params_default(&prm);
    prm.hiding = hiding;
    uint8_t seed[32] = {4, (uint8_t)len};
    prm.seed = seed;
    zki_pcs_prover *pr;
    CHECK(zki_pcs_commit(&pr, &prm, &v, 1) == ZKI_OK);
    const zki_pcs_commitment *com = zki_pcs_prover_commitment(pr);
    const zki_pcs_shape *s = &com->shape;
    uint32_t nv = com->nvars[0];
    CHECK_MSG(s->data_rows == (len + s->cols - 1) / s->cols, "len %llu: %llu rows",
              (unsigned long long)len, (unsigned long long)s->data_rows);
    CHECK(s->data_rows == zki_pcs_poly_rows(com, 0));
    zki_ext *pt = rand_point(nv);
    zki_pcs_claim cl = {0, 0, pt, eval_vec(&v, pt), 0};
    zki_pcs_proof p;
    CHECK(open_proof(pr, &cl, 1, &p));
    zki_pcs_proof_part *q = &p.parts[0];
    CHECK_MSG(q->has_prox == 0 && q->n_groups == 1, "len %llu hiding %d: mode %d groups %u",
              (unsigned long long)len, hiding, q->has_prox, q->n_groups);
    CHECK(q->has_mu == hiding && q->col_height == s->rows);
    uint8_t *b, *cb;
    size_t blen, clen;
    CHECK(zki_pcs_proof_to_bytes(&p, &b, &blen) == ZKI_OK);
    /* header 20 + part header 16 + mu + one row + columns + salts + nodes + inner flag */
    size_t want = 20 + 16 + 1 + (hiding ? 16 : 0) + 16 * (size_t)q->row_len + 12 +
                  8 * (size_t)q->n_cols * q->col_height + (hiding ? 32 * (size_t)q->n_cols : 0) +
                  4 + 32 * (size_t)q->n_nodes;
    CHECK(blen == want);
    zki_pcs_commitment com2;
    CHECK(zki_pcs_commitment_to_bytes(com, &cb, &clen) == ZKI_OK);
    CHECK(zki_pcs_commitment_from_bytes(&com2, cb, clen) == ZKI_OK);
    const zki_pcs_commitment *cp = &com2;
    CHECK_MSG(verify_bytes(&cp, 1, &cl, 1, b, blen), "len %llu hiding %d",
              (unsigned long long)len, hiding);
    /* wrong value */
    zki_pcs_claim bad = cl;
    bad.value = zki_ext_add(bad.value, zki_ext_make(0, 1));
    CHECK(!verify_bytes(&cp, 1, &bad, 1, b, blen));
    if (full && nv) {
        /* another point: each coordinate changed in turn (low and high variables) */
        zki_ext *pt2 = malloc(nv * sizeof *pt2);
        for (uint32_t k = 0; k < nv; k += (nv > 4 ? nv / 4 : 1)) {
            memcpy(pt2, pt, nv * sizeof *pt2);
            pt2[k] = zki_ext_add(pt2[k], zki_ext_one());
            bad = cl;
            bad.point = pt2;
            CHECK_MSG(!verify_bytes(&cp, 1, &bad, 1, b, blen), "point coordinate %u", k);
        }
        memcpy(pt2, pt, nv * sizeof *pt2);
        pt2[nv - 1] = zki_ext_add(pt2[nv - 1], zki_ext_one());
        bad = cl;
        bad.point = pt2;
        CHECK(!verify_bytes(&cp, 1, &bad, 1, b, blen));
        free(pt2);
    }
    if (full) {
        zki_pcs_proof m;
        /* a u element: the first data entry, the last (padding) entry */
        for (int w = 0; w < 2; w++) {
            proof_copy(&p, &m);
            size_t at = w ? m.parts[0].row_len - 1 : 0;
            m.parts[0].rows[at] = zki_ext_add(m.parts[0].rows[at], zki_ext_one());
            CHECK_MSG(!verify_proof(cp, &cl, 1, &m), "u[%zu] changed", at);
            zki_pcs_proof_free(&m);
        }
        if (hiding) {
            proof_copy(&p, &m);
            m.parts[0].mu[0] = zki_ext_add(m.parts[0].mu[0], zki_ext_one());
            CHECK(!verify_proof(cp, &cl, 1, &m));
            zki_pcs_proof_free(&m);
            proof_copy(&p, &m);
            m.parts[0].salts[5] ^= 1;
            CHECK(!verify_proof(cp, &cl, 1, &m));
            zki_pcs_proof_free(&m);
        }
        /* a column entry: data row 0, the last data row, a mask row */
        uint64_t rows_to_hit[3] = {0, s->data_rows - 1, s->rows - 1};
        for (int w = 0; w < 3; w++) {
            proof_copy(&p, &m);
            m.parts[0].cols[(m.parts[0].n_cols - 1) * m.parts[0].col_height + rows_to_hit[w]] ^= 1;
            CHECK_MSG(!verify_proof(cp, &cl, 1, &m), "column entry row %llu",
                      (unsigned long long)rows_to_hit[w]);
            zki_pcs_proof_free(&m);
        }
        if (q->n_nodes) {
            proof_copy(&p, &m);
            m.parts[0].nodes[m.parts[0].n_nodes / 2].b[3] ^= 0x10;
            CHECK(!verify_proof(cp, &cl, 1, &m));
            zki_pcs_proof_free(&m);
        }
        /* the proximity flag flipped: with a (copied) proximity row appended */
        proof_copy(&p, &m);
        zki_pcs_proof_part *mq = &m.parts[0];
        zki_ext *r2 = malloc(2 * (size_t)mq->row_len * sizeof *r2);
        memcpy(r2, mq->rows, mq->row_len * sizeof *r2);
        memcpy(r2 + mq->row_len, mq->rows, mq->row_len * sizeof *r2);
        free(mq->rows);
        mq->rows = r2;
        mq->has_prox = 1;
        CHECK(!verify_proof(cp, &cl, 1, &m));
        CHECK(strstr(zki_last_error(), "proximity row") != NULL);
        uint8_t *fb;
        size_t flen;
        CHECK(zki_pcs_proof_to_bytes(&m, &fb, &flen) == ZKI_OK); /* well-formed bytes */
        CHECK(!verify_bytes(&cp, 1, &cl, 1, fb, flen));
        free(fb);
        zki_pcs_proof_free(&m);
        /* the flag byte alone flipped in the bytes: refused */
        b[20 + 14] ^= 1;
        CHECK(!verify_bytes(&cp, 1, &cl, 1, b, blen));
        b[20 + 14] ^= 1;
        CHECK(verify_bytes(&cp, 1, &cl, 1, b, blen));
    }
    free(b);
    free(cb);
    zki_pcs_commitment_free(&com2);
    zki_pcs_proof_free(&p);
    zki_pcs_prover_free(pr);
    free(pt);
    free((void *)v.data);
}

static void test_tensor(void)
{
    static const uint64_t lens[] = {1, 2, 3, 1000, 4097, 1 << 16, (1 << 16) + 5, 1 << 20};
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++) {
        if (lens[i] == (1 << 20) && getenv("ZKI_TEST_QUICK"))
            continue;
        for (int hiding = 0; hiding <= 1; hiding++)
            tensor_case(lens[i], hiding, lens[i] == 4097 || lens[i] == (1 << 16) + 5 ||
                                             lens[i] == 3);
    }
    /* (A): a table of 2^16 + 5 entries takes ceil(L / C) rows, not 2^(n - c) */
    {
        uint64_t len = (1 << 16) + 5;
        zki_pcs_params prm;
        zki_pcs_params_default(&prm);
        zki_pcs_commitment c;
        CHECK(zki_pcs_shape_init(&c, &prm, &len, 1) == ZKI_OK);
        CHECK(c.nvars[0] == 17 && c.shape.data_rows == (len + c.shape.cols - 1) / c.shape.cols);
        CHECK(c.shape.data_rows < (1ull << (17 - c.shape.log_cols)));
        /* tensor mode bound: (l + 1) D < 2^26 */
        c.shape.d = 1 << 16;
        CHECK(zki_pcs_tensor_ok(&c, 10) && zki_pcs_tensor_ok(&c, 40));
        c.shape.d = 1 << 24;
        CHECK(zki_pcs_tensor_ok(&c, 2) && !zki_pcs_tensor_ok(&c, 3));
        c.shape.d = 1 << 26;
        CHECK(!zki_pcs_tensor_ok(&c, 0));
        zki_pcs_commitment_free(&c);
    }
    /* two claims with the same r_lo: one group but classic (proximity row);
     * the same proof with its proximity row dropped and the flag cleared is
     * refused */
    {
        uint64_t len = 5000;
        zki_pcs_vec v = {ZKI_PCS_I16, rand_data(ZKI_PCS_I16, len), len};
        zki_pcs_params prm;
        zki_pcs_params_default(&prm);
        zki_pcs_prover *pr;
        CHECK(zki_pcs_commit(&pr, &prm, &v, 1) == ZKI_OK);
        const zki_pcs_commitment *com = zki_pcs_prover_commitment(pr);
        uint32_t nv = com->nvars[0];
        zki_ext *p1 = rand_point(nv), *p2 = rand_point(nv);
        memcpy(p2, p1, com->shape.log_cols * sizeof *p2);
        zki_pcs_claim cl[2] = {{0, 0, p1, eval_vec(&v, p1), 0}, {0, 0, p2, eval_vec(&v, p2), 0}};
        zki_pcs_proof p;
        CHECK(open_proof(pr, cl, 2, &p));
        CHECK(p.parts[0].n_groups == 1 && p.parts[0].has_prox == 1);
        CHECK(verify_proof(com, cl, 2, &p));
        p.parts[0].has_prox = 0;
        CHECK(!verify_proof(com, cl, 2, &p));
        p.parts[0].has_prox = 1;
        CHECK(verify_proof(com, cl, 2, &p));
        zki_pcs_proof_free(&p);
        free(p1);
        free(p2);
        free((void *)v.data);
        zki_pcs_prover_free(pr);
    }
}

/* A prover that commits a non-codeword row and otherwise follows the
 * protocol (its rows are computed from the messages), in tensor mode.
 * (a) Far from the code (half of one row's symbols changed): every opening
 * over 20 random points is rejected. (b) One symbol changed: the matrix is
 * still uniquely decodable to the honest table, so an opening of the true
 * value is accepted exactly when the changed column is not queried. */
static void test_tensor_cheater(void)
{
    for (int hiding = 0; hiding <= 1; hiding++)
        for (int far = 0; far <= 1; far++) {
            uint64_t len = 20000;
            zki_pcs_vec v = {ZKI_PCS_I8, rand_data(ZKI_PCS_I8, len), len};
            int rejected = 0, trials = 20, agree = 0;
            for (int trial = 0; trial < trials; trial++) {
                zki_pcs_params prm;
                zki_pcs_params_default(&prm);
                prm.hiding = hiding;
                uint8_t seed[32] = {(uint8_t)trial, 99};
                prm.seed = seed;
                zki_pcs_prover *pr;
                CHECK(zki_pcs_commit(&pr, &prm, &v, 1) == ZKI_OK);
                const zki_pcs_shape *s = &pr->com.shape;
                uint64_t row = zki_rng_below(&rng, s->data_rows);
                uint64_t n = far ? s->d / 2 : 1;
                uint64_t *cols = malloc(n * sizeof *cols);
                uint64_t c0 = zki_rng_below(&rng, s->d);
                for (uint64_t k = 0; k < n; k++)
                    cols[k] = far ? 2 * k + (c0 & 1) : c0;
                corrupt_row(pr, row, cols, n);
                const zki_pcs_commitment *com = zki_pcs_prover_commitment(pr);
                zki_ext *pt = rand_point(com->nvars[0]);
                zki_pcs_claim cl = {0, 0, pt, eval_vec(&v, pt), 0};
                zki_pcs_proof p;
                CHECK(open_proof(pr, &cl, 1, &p));
                CHECK(p.parts[0].has_prox == 0);
                int ok = verify_proof(com, &cl, 1, &p);
                rejected += !ok;
                if (!far) {
                    /* the queried positions, replayed */
                    zki_transcript ts;
                    zki_ts_init(&ts, "pcs-test", 1);
                    zki_pcs_ctx x;
                    uint32_t slot = 0;
                    zki_ext *mus[1] = {p.parts[0].mu};
                    CHECK(zki_pcs_begin(&ts, &x, &com, &slot, 1, &cl, 1) == ZKI_OK);
                    CHECK(zki_pcs_challenges(&ts, &x, &com, &slot, &cl, mus) == ZKI_OK);
                    zki_ts_absorb_ext_vec(&ts, "pcs/rows", p.parts[0].rows, p.parts[0].row_len);
                    CHECK(zki_pcs_grind_check(&ts, zki_pcs_grind_bits(&com, 1), p.nonce) == ZKI_OK);
                    uint64_t *draws, idx[1024];
                    uint32_t nd;
                    CHECK(zki_pcs_queries_draw(&ts, &com, 1, &draws, &nd) == ZKI_OK);
                    uint32_t nq = zki_pcs_queries_for(com, draws, idx);
                    int queried = 0;
                    for (uint32_t i = 0; i < nq; i++)
                        queried |= idx[i] == c0;
                    agree += ok == !queried;
                    free(draws);
                    zki_pcs_ctx_free(&x);
                    zki_ts_free(&ts);
                }
                zki_pcs_proof_free(&p);
                zki_pcs_prover_free(pr);
                free(pt);
                free(cols);
            }
            if (far)
                CHECK_MSG(rejected == trials, "hiding %d: %d of %d far-row openings accepted",
                          hiding, trials - rejected, trials);
            else
                CHECK_MSG(agree == trials, "hiding %d: acceptance != (column not queried) in %d",
                          hiding, trials - agree);
            free((void *)v.data);
        }
}

/* Hiding statistics of the single tensor row u: for the zero vector and a
 * vector with the same value at the point, u's coordinates are never zero,
 * have balanced top bits and the same distribution; plain mode sends u = 0
 * for the zero vector. */
static void u_stats(const zki_pcs_vec *v, zki_pcs_claim *cl, int hiding, int *ones, int *total,
                    int *zeros)
{
    *ones = *total = *zeros = 0;
    for (int trial = 0; trial < 16; trial++) {
        zki_pcs_params prm;
        zki_pcs_params_default(&prm);
        prm.hiding = hiding;
        uint8_t seed[32] = {(uint8_t)trial, 43};
        prm.seed = seed;
        zki_pcs_prover *pr;
        CHECK(zki_pcs_commit(&pr, &prm, v, 1) == ZKI_OK);
        zki_pcs_proof p;
        CHECK(open_proof(pr, cl, 1, &p));
        CHECK(p.parts[0].has_prox == 0);
        for (uint32_t j = 0; j < p.parts[0].row_len; j++) {
            zki_ext e = p.parts[0].rows[j];
            *zeros += (e.c0 == 0) + (e.c1 == 0);
            *ones += (int)(e.c0 >> 63) + (int)(e.c1 >> 63);
            *total += 2;
        }
        zki_pcs_proof_free(&p);
        zki_pcs_prover_free(pr);
    }
}

static void test_tensor_hiding(void)
{
    uint64_t len = 4000;
    zki_fe *zero = calloc(len, sizeof *zero);
    zki_pcs_vec v = {ZKI_PCS_FE, zero, len};
    zki_ext *pt = rand_point(12);
    zki_pcs_claim cl = {0, 0, pt, zki_ext_zero(), 0};
    int ones, total, zeros;
    u_stats(&v, &cl, 0, &ones, &total, &zeros);
    CHECK(total > 0 && zeros == total);
    u_stats(&v, &cl, 1, &ones, &total, &zeros);
    CHECK(zeros == 0);
    CHECK_MSG(ones > total * 45 / 100 && ones < total * 55 / 100, "%d of %d", ones, total);
    int ones0 = ones, total0 = total;
    /* a random vector, entries 0 and 1 fixed so that f(pt) = 0 */
    zki_fe *w = rand_data(ZKI_PCS_FE, len);
    zki_pcs_vec vw = {ZKI_PCS_FE, w, len};
    zki_ext *eq = malloc(((size_t)1 << 12) * sizeof *eq);
    zki_eq_table(eq, pt, 12);
    w[0] = w[1] = 0;
    zki_ext t = eval_vec(&vw, pt);
    zki_fe det = zki_fe_sub(zki_fe_mul(eq[0].c0, eq[1].c1), zki_fe_mul(eq[1].c0, eq[0].c1));
    zki_fe di = zki_fe_inv(det), rc0 = zki_fe_neg(t.c0), rc1 = zki_fe_neg(t.c1);
    w[0] = zki_fe_mul(di, zki_fe_sub(zki_fe_mul(rc0, eq[1].c1), zki_fe_mul(eq[1].c0, rc1)));
    w[1] = zki_fe_mul(di, zki_fe_sub(zki_fe_mul(eq[0].c0, rc1), zki_fe_mul(rc0, eq[0].c1)));
    CHECK(zki_ext_is_zero(eval_vec(&vw, pt)));
    u_stats(&vw, &cl, 1, &ones, &total, &zeros);
    CHECK(zeros == 0);
    CHECK_MSG(ones > total * 45 / 100 && ones < total * 55 / 100, "%d of %d", ones, total);
    double f0 = (double)ones0 / total0, f1 = (double)ones / total;
    CHECK_MSG(f0 - f1 < 0.03 && f1 - f0 < 0.03, "%.3f vs %.3f", f0, f1);
    free(eq);
    free(w);
    free(zero);
    free(pt);
}

/* ---- Proof of work before the column queries ---- */

/* The PoW hash of an opening, replayed from the transcript as the spec
 * says (pcs.h): SHA-256("zkinfer/pcs-grind/v1" || challenge || nonce LE). */
static zki_digest pow_hash(const zki_pcs_commitment *com, const zki_pcs_claim *cl,
                           const zki_pcs_proof *p)
{
    zki_transcript ts;
    zki_ts_init(&ts, "pcs-test", 1);
    zki_pcs_ctx x;
    uint32_t slot = 0;
    zki_ext *mus[1] = {p->parts[0].mu};
    CHECK(zki_pcs_begin(&ts, &x, &com, &slot, 1, cl, 1) == ZKI_OK);
    CHECK(zki_pcs_challenges(&ts, &x, &com, &slot, cl, mus) == ZKI_OK);
    zki_ts_absorb_ext_vec(&ts, "pcs/rows", p->parts[0].rows,
                          (size_t)zki_pcs_n_comb(&x, 0) * p->parts[0].row_len);
    uint8_t msg[44];
    memcpy(msg, "zkinfer/pcs-grind/v1", 20);
    zki_ext_to_bytes(msg + 20, zki_ts_challenge_ext(&ts, "pcs/grind"));
    for (int b = 0; b < 8; b++)
        msg[36 + b] = (uint8_t)(p->nonce >> (8 * b));
    zki_digest d;
    zki_sha256(&d, msg, sizeof msg);
    zki_pcs_ctx_free(&x);
    zki_ts_free(&ts);
    return d;
}

static void test_grinding(void)
{
    zki_fe *d = rand_data(ZKI_PCS_FE, 3000);
    zki_pcs_vec v = {ZKI_PCS_FE, d, 3000};
    zki_pcs_params prm;
    zki_pcs_params_default(&prm);
    CHECK(prm.grind_bits == 0);
    zki_pcs_prover *pr, *p0;
    prm.grind_bits = ZKI_PCS_MAX_GRIND + 1;
    CHECK(zki_pcs_commit(&pr, &prm, &v, 1) == ZKI_ERR_INPUT);
    CHECK(strstr(zki_last_error(), "grind_bits") != NULL);
    prm.grind_bits = 12;
    CHECK(zki_pcs_commit(&pr, &prm, &v, 1) == ZKI_OK);
    const zki_pcs_commitment *com = zki_pcs_prover_commitment(pr);
    /* the commitment's bytes carry the bits (u32 after max_points) */
    uint8_t *cb;
    size_t clen;
    zki_pcs_commitment c2;
    CHECK(zki_pcs_commitment_to_bytes(com, &cb, &clen) == ZKI_OK);
    CHECK(clen > 36 && cb[32] == 12);
    CHECK(zki_pcs_commitment_from_bytes(&c2, cb, clen) == ZKI_OK && c2.params.grind_bits == 12);
    zki_pcs_commitment_free(&c2);
    cb[32] = ZKI_PCS_MAX_GRIND + 1;
    CHECK(zki_pcs_commitment_from_bytes(&c2, cb, clen) == ZKI_ERR_INPUT);
    free(cb);

    zki_ext *pt = rand_point(12);
    zki_pcs_claim cl = {0, 0, pt, eval_vec(&v, pt), 0};
    zki_pcs_proof p;
    CHECK(open_proof(pr, &cl, 1, &p));
    CHECK(verify_proof(com, &cl, 1, &p));
    /* the nonce's hash starts with 12 zero bits, and it is the first such */
    zki_digest h = pow_hash(com, &cl, &p);
    CHECK(h.b[0] == 0 && (h.b[1] >> 4) == 0);
    uint64_t n = p.nonce;
    int smaller_ok = 0;
    for (uint64_t k = 0; k < n; k++) {
        p.nonce = k;
        zki_digest hk = pow_hash(com, &cl, &p);
        smaller_ok += hk.b[0] == 0 && (hk.b[1] >> 4) == 0;
    }
    CHECK(smaller_ok == 0);
    /* any other nonce is refused (by the work check, else by the queries) */
    for (uint64_t k = 1; k <= 16; k++) {
        p.nonce = n + k;
        CHECK(!verify_proof(com, &cl, 1, &p));
        CHECK(strstr(zki_last_error(), "proof-of-work") != NULL ||
              strstr(zki_last_error(), "commitment 0") != NULL);
    }
    p.nonce = n;
    CHECK(verify_proof(com, &cl, 1, &p));
    zki_pcs_proof_free(&p);

    /* two commitments grind the larger bits; 0 bits: the nonce must be 0 */
    zki_pcs_params_default(&prm);
    CHECK(zki_pcs_commit(&p0, &prm, &v, 1) == ZKI_OK);
    const zki_pcs_commitment *c0 = zki_pcs_prover_commitment(p0);
    CHECK(zki_pcs_grind_bits(&c0, 1) == 0);
    const zki_pcs_commitment *both[2] = {c0, com};
    CHECK(zki_pcs_grind_bits(both, 2) == 12);
    zki_pcs_claim cl0 = cl;
    cl0.commit = 0;
    CHECK(open_proof(p0, &cl0, 1, &p));
    CHECK(p.nonce == 0 && verify_proof(c0, &cl0, 1, &p));
    p.nonce = 1;
    CHECK(!verify_proof(c0, &cl0, 1, &p));
    CHECK(strstr(zki_last_error(), "proof-of-work") != NULL);
    zki_pcs_proof_free(&p);
    zki_pcs_prover_free(p0);
    zki_pcs_prover_free(pr);
    free(pt);
    free(d);
}

int main(void)
{
    zki_rng_seed(&rng, 2024);
    test_errors();
    test_encoder();
    test_streamed_columns();
    test_rate_half();
    test_completeness();
    test_soundness();
    test_cheating_prover();
    test_threads();
    test_hiding();
    test_tensor();
    test_tensor_cheater();
    test_tensor_hiding();
    test_grinding();
    return TEST_SUMMARY();
}
