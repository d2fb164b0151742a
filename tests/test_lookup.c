/* LogUp-GKR lookups: completeness (single columns, pairs, several sites,
 * tables 2^1 .. 2^16, signed ranges), claims chaining to the right tensor
 * values, and soundness (entry outside the table, altered multiplicities,
 * mutated GKR messages and leaf values, wrong base values); zero-knowledge
 * round trips of the GKR and of whole instances (tests/test_zk_util.h). */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/test.h"
#include "common/rng.h"
#include "lookup/requant.h"
#include "pcs/pcs.h"
#include "poly/mle.h"
#include "test_zk_util.h"

static zki_rng rng;

#define MAX_T 64
/* tensor id -> data (for checking ledger claims) */
static const int64_t *tdata[MAX_T];
static size_t tlen[MAX_T];
static const zki_fe *mvec;
static size_t mlen;
#define M_ID 63u

static zki_ext eval_i64(const int64_t *d, size_t len, const zki_ext *r, size_t k)
{
    size_t n = (size_t)1 << k;
    zki_fe *f = calloc(n, sizeof *f);
    for (size_t i = 0; i < len; i++)
        f[i] = zki_fe_from_i64(d[i]);
    zki_ext v = zki_mle_eval_base(f, k, r);
    free(f);
    return v;
}

/* What a ledger claim should be: the actual tensor's (or m's) value. */
static zki_ext claim_truth(const zki_claim *c)
{
    return c->tensor == M_ID ? zki_mle_eval_base(mvec, c->nvars, c->point)
                             : eval_i64(tdata[c->tensor], tlen[c->tensor], c->point, c->nvars);
}

/* Every ledger claim matches the actual tensor (or m). */
static int claims_hold(const zki_ledger *l)
{
    for (size_t i = 0; i < l->n; i++)
        if (!zki_ext_eq(claim_truth(&l->items[i]), l->items[i].value))
            return 0;
    return 1;
}

static void zk_lk_case(const char *name, zki_lookup *P, zki_lookup *V);

typedef void (*mutator)(zki_lookup_proof *pf, zki_fe *m, size_t m_len, int which);

/* Proves then verifies; returns the verify status (or the prove error
 * + 100). mut (if any) alters the proof or m after proving / before it. */
static int run(zki_lookup *P, zki_lookup *V, mutator mut_m, mutator mut_pf, int which,
               int *claims_ok)
{
    const zki_fe *m;
    size_t m_len;
    zki_status st = zki_lookup_multiplicities(P, &m, &m_len);
    if (st != ZKI_OK)
        return 100 + st;
    if (mut_m)
        mut_m(NULL, (zki_fe *)m, m_len, which);
    mvec = m;
    mlen = m_len;
    zki_transcript tp, tv;
    zki_ts_init(&tp, "test-lookup", 1);
    zki_ts_init(&tv, "test-lookup", 1);
    zki_ts_absorb_fe_vec(&tp, "m", m, m_len); /* stands in for the PCS root */
    zki_ts_absorb_fe_vec(&tv, "m", m, m_len);
    zki_ledger lp, lv;
    zki_ledger_init(&lp);
    zki_ledger_init(&lv);
    zki_lookup_proof pf;
    st = zki_lookup_prove(P, &tp, &pf, &lp);
    int ret;
    if (st != ZKI_OK) {
        ret = 100 + st;
    } else {
        if (mut_pf)
            mut_pf(&pf, NULL, 0, which);
        /* verify what comes back from the bytes */
        uint8_t *bytes;
        size_t blen;
        zki_lookup_proof back;
        if (zki_lookup_proof_to_bytes(&pf, &bytes, &blen) != ZKI_OK ||
            zki_lookup_proof_from_bytes(&back, bytes, blen) != ZKI_OK) {
            ret = -2;
            free(bytes);
            goto out;
        }
        free(bytes);
        zki_lookup_proof_free(&pf);
        pf = back;
        ret = zki_lookup_verify(V, &tv, &pf, &lv);
        if (claims_ok) {
            *claims_ok = ret == ZKI_OK && lp.n == lv.n && claims_hold(&lv);
            for (size_t i = 0; *claims_ok && i < lp.n; i++)
                *claims_ok = zki_ext_eq(lp.items[i].value, lv.items[i].value) &&
                             lp.items[i].tensor == lv.items[i].tensor;
        }
        if (ret == ZKI_OK) { /* transcripts stay in step */
            zki_ext a = zki_ts_challenge_ext(&tp, "end"), b = zki_ts_challenge_ext(&tv, "end");
            if (!zki_ext_eq(a, b))
                ret = -1;
        }
    out:
        zki_lookup_proof_free(&pf);
    }
    zki_ledger_free(&lp);
    zki_ledger_free(&lv);
    zki_ts_free(&tp);
    zki_ts_free(&tv);
    return ret;
}

/* Multiplicities and a proof of P alone (its own transcript and ledger). */
static zki_status prove_alone(zki_lookup *P, const char *label, zki_lookup_proof *pf)
{
    const zki_fe *m;
    size_t ml;
    zki_status st = zki_lookup_multiplicities(P, &m, &ml);
    if (st != ZKI_OK)
        return st;
    zki_transcript t;
    zki_ts_init(&t, label, 1);
    zki_ledger l;
    zki_ledger_init(&l);
    st = zki_lookup_prove(P, &t, pf, &l);
    zki_ledger_free(&l);
    zki_ts_free(&t);
    return st;
}

static int64_t *rand_in_range(size_t n, int64_t lo, unsigned k)
{
    int64_t *d = malloc((n ? n : 1) * sizeof *d);
    for (size_t i = 0; i < n; i++)
        d[i] = lo + (int64_t)zki_rng_below(&rng, (uint64_t)1 << k);
    return d;
}

/* Range tables 2^1 .. 2^16, one site of a non-power-of-two length. */
static void test_range_sizes(void)
{
    for (unsigned k = 1; k <= 16; k++) {
        zki_lookup_table T;
        int64_t lo = k % 3 == 0 ? -((int64_t)1 << (k - 1)) : 0; /* signed ranges too */
        CHECK(zki_lookup_table_range(&T, k, lo) == ZKI_OK);
        size_t n = 1 + zki_rng_below(&rng, (k < 10 ? 3u : 1u) << k);
        int64_t *d = rand_in_range(n, lo, k);
        tdata[1] = d;
        tlen[1] = n;
        zki_lookup *P, *V;
        zki_lookup_new(&P, &T, M_ID);
        zki_lookup_new(&V, &T, M_ID);
        zki_lk_col c = zki_lk_col_plain(1, d), cv = zki_lk_col_plain(1, NULL);
        CHECK(zki_lookup_add_site(P, "act", n, &c, 1) == ZKI_OK);
        CHECK(zki_lookup_add_site(V, "act", n, &cv, 1) == ZKI_OK);
        int ok = 0;
        int r = run(P, V, NULL, NULL, 0, &ok);
        CHECK_MSG(r == ZKI_OK, "range 2^%u len %zu: %d %s", k, n, r, zki_last_error());
        CHECK_MSG(ok, "range 2^%u claims", k);
        zki_lookup_free(P);
        zki_lookup_free(V);
        free(d);
        zki_lookup_table_free(&T);
    }
}

/* Several sites of different sizes, affine columns, into one table. */
static void test_sites(void)
{
    zki_lookup_table T;
    zki_lookup_table_range(&T, 10, 0);
    zki_lookup *P, *V;
    zki_lookup_new(&P, &T, M_ID);
    zki_lookup_new(&V, &T, M_ID);
    size_t lens[5] = {1, 7, 1000, 4096, 3000};
    int64_t *d[5], *e[5];
    for (int s = 0; s < 5; s++) {
        /* col = 5 + 2 a - b with a, b chosen so col is in [0, 1024) */
        d[s] = rand_in_range(lens[s], 0, 8);
        e[s] = rand_in_range(lens[s], 0, 2);
        tdata[2 * s + 1] = d[s];
        tlen[2 * s + 1] = lens[s];
        tdata[2 * s + 2] = e[s];
        tlen[2 * s + 2] = lens[s];
        zki_lk_col c;
        memset(&c, 0, sizeof c);
        c.cst = 5;
        c.n_terms = 2;
        c.coef[0] = 2;
        c.coef[1] = -1;
        c.tensor[0] = (uint32_t)(2 * s + 1);
        c.tensor[1] = (uint32_t)(2 * s + 2);
        zki_lk_col cv = c;
        c.data[0] = d[s];
        c.data[1] = e[s];
        CHECK(zki_lookup_add_site(P, "s", lens[s], &c, 1) == ZKI_OK);
        CHECK(zki_lookup_add_site(V, "s", lens[s], &cv, 1) == ZKI_OK);
    }
    int ok = 0;
    CHECK(run(P, V, NULL, NULL, 0, &ok) == ZKI_OK);
    CHECK(ok);
    zk_lk_case("lookup (affine columns, four trees)", P, V);
    /* a site with a different length on the verifier side: rejected */
    zki_lookup *V2;
    zki_lookup_new(&V2, &T, M_ID);
    for (int s = 0; s < 5; s++) {
        zki_lk_col cv = zki_lk_col_plain(1, NULL);
        cv.cst = 5;
        cv.n_terms = 2;
        cv.coef[0] = 2;
        cv.coef[1] = -1;
        cv.tensor[0] = (uint32_t)(2 * s + 1);
        cv.tensor[1] = (uint32_t)(2 * s + 2);
        zki_lookup_add_site(V2, "s", lens[s] - (s == 2), &cv, 1);
    }
    CHECK(run(P, V2, NULL, NULL, 0, NULL) == ZKI_ERR_VERIFY);
    zki_lookup_free(V2);
    for (int s = 0; s < 5; s++) {
        free(d[s]);
        free(e[s]);
    }
    zki_lookup_free(P);
    zki_lookup_free(V);
    zki_lookup_table_free(&T);
}

/* Pairs into a random mapping table. */
static void test_pairs(void)
{
    for (unsigned k = 1; k <= 12; k += 11) {
        size_t size = (size_t)1 << k;
        int64_t *out = malloc(size * sizeof *out);
        for (size_t i = 0; i < size; i++)
            out[i] = (int64_t)zki_rng_below(&rng, 1000) - 500;
        zki_lookup_table T;
        CHECK(zki_lookup_table_map(&T, k, -3, out) == ZKI_OK);
        zki_lookup *P, *V;
        zki_lookup_new(&P, &T, M_ID);
        zki_lookup_new(&V, &T, M_ID);
        for (int s = 0; s < 2; s++) {
            size_t n = 300 + 77 * (size_t)s;
            int64_t *a = rand_in_range(n, -3, k), *b = malloc(n * sizeof *b);
            for (size_t i = 0; i < n; i++)
                b[i] = out[a[i] + 3];
            tdata[3 + 2 * s] = a;
            tlen[3 + 2 * s] = n;
            tdata[4 + 2 * s] = b;
            tlen[4 + 2 * s] = n;
            CHECK(zki_map_add(P, "gelu", 3 + 2 * s, a, 4 + 2 * s, b, n) == ZKI_OK);
            CHECK(zki_map_add(V, "gelu", 3 + 2 * s, NULL, 4 + 2 * s, NULL, n) == ZKI_OK);
        }
        int ok = 0;
        CHECK_MSG(run(P, V, NULL, NULL, 0, &ok) == ZKI_OK, "pairs 2^%u", k);
        CHECK(ok);
        /* a wrong output: the prover refuses, naming the site and index */
        int64_t *b = (int64_t *)tdata[6];
        b[123] += 1;
        CHECK(run(P, V, NULL, NULL, 0, NULL) == 100 + ZKI_ERR_INPUT);
        CHECK(strstr(zki_last_error(), "gelu") && strstr(zki_last_error(), "index 123"));
        b[123] -= 1;
        for (int t = 3; t <= 6; t++)
            free((void *)tdata[t]);
        zki_lookup_free(P);
        zki_lookup_free(V);
        zki_lookup_table_free(&T);
        free(out);
    }
}

/* ---- soundness: a cheating prover past the honest-witness check --------- */

static int64_t *cheat_data;
static size_t cheat_idx;
static int64_t cheat_val;

static void mut_data(zki_lookup_proof *pf, zki_fe *m, size_t len, int which)
{
    (void)pf, (void)m, (void)len, (void)which;
    cheat_data[cheat_idx] = cheat_val; /* after counting: leaves use the bad value */
}

static void mut_m(zki_lookup_proof *pf, zki_fe *m, size_t len, int which)
{
    (void)pf;
    m[(size_t)which % len] = zki_fe_add(m[(size_t)which % len], 1);
}

static void mut_pf(zki_lookup_proof *pf, zki_fe *m, size_t len, int which)
{
    (void)m, (void)len;
    zki_ext one = zki_ext_one();
    zki_frac_proof *g = &pf->gkr[(size_t)(which / 5) % pf->n_trees];
    size_t n = g->nvars, nm = 3 * (n * (n - 1) / 2), w = (size_t)which;
    int kind = which % 5;
    if (kind == 2 && nm == 0)
        kind = 3;
    switch (kind) {
    case 0: g->root_p = zki_ext_add(g->root_p, one); break;
    case 1: g->root_q = zki_ext_add(g->root_q, one); break;
    case 2: g->msgs[w % nm] = zki_ext_add(g->msgs[w % nm], one); break;
    case 3: g->evals[w % (4 * n)] = zki_ext_add(g->evals[w % (4 * n)], one); break;
    case 4: pf->evals[w % pf->n_evals] = zki_ext_add(pf->evals[w % pf->n_evals], one); break;
    }
}

static void test_soundness(void)
{
    zki_lookup_table T;
    zki_lookup_table_range(&T, 8, 0);
    size_t n = 500;
    int64_t *d = rand_in_range(n, 0, 8), *d2 = rand_in_range(n, 0, 8);
    tdata[1] = d;
    tlen[1] = n;
    tdata[2] = d2;
    tlen[2] = n;
    zki_lookup *P, *V;
    zki_lookup_new(&P, &T, M_ID);
    zki_lookup_new(&V, &T, M_ID);
    zki_lk_col c = zki_lk_col_plain(1, d), cv = zki_lk_col_plain(1, NULL);
    zki_lk_col c2 = zki_lk_col_plain(2, d2), cv2 = zki_lk_col_plain(2, NULL);
    zki_lookup_add_site(P, "a", n, &c, 1);
    zki_lookup_add_site(V, "a", n, &cv, 1);
    zki_lookup_add_site(P, "b", n, &c2, 1);
    zki_lookup_add_site(V, "b", n, &cv2, 1);
    CHECK(run(P, V, NULL, NULL, 0, NULL) == ZKI_OK);

    /* entry outside the table: honest prover refuses with site and index */
    int64_t keep = d2[77];
    d2[77] = 256;
    CHECK(run(P, V, NULL, NULL, 0, NULL) == 100 + ZKI_ERR_INPUT);
    CHECK(strstr(zki_last_error(), "'b'") && strstr(zki_last_error(), "index 77"));
    d2[77] = keep;
    /* ... and a prover that skips the check is rejected */
    const int64_t bad[4] = {256, -1, 1000, (int64_t)1 << 40};
    for (int i = 0; i < 4; i++) {
        cheat_data = d2;
        cheat_idx = 77;
        cheat_val = bad[i];
        CHECK(run(P, V, mut_data, NULL, 0, NULL) == ZKI_ERR_VERIFY);
        d2[77] = keep;
    }
    /* in-table value but counts not updated: rejected */
    cheat_val = (keep + 1) % 256;
    CHECK(run(P, V, mut_data, NULL, 0, NULL) == ZKI_ERR_VERIFY);
    d2[77] = keep;
    /* altered multiplicities (committed and absorbed as altered) */
    for (int w = 0; w < 6; w++)
        CHECK(run(P, V, mut_m, NULL, w * 37, NULL) == ZKI_ERR_VERIFY);
    /* every kind of proof mutation */
    for (int w = 0; w < 60; w++)
        CHECK_MSG(run(P, V, NULL, mut_pf, w, NULL) == ZKI_ERR_VERIFY, "mutation %d", w);
    CHECK(run(P, V, NULL, NULL, 0, NULL) == ZKI_OK);
    zki_lookup_free(P);
    zki_lookup_free(V);
    free(d);
    free(d2);
    zki_lookup_table_free(&T);
}

/* Trees capped in size (ZKI_LK_TREE_CAP, here lowered): 40 sites of 50
 * entries (64-leaf segments) and a 16-entry table, 2576 leaves. Asked cap
 * 3, raised to 6 by the segments and to 7 by the top digit (2^11: at most
 * 16 trees a digit): 16 + 4 trees of 2^7 and one of 2^4. Honest proofs
 * verify with the same claims; mutations in any tree are rejected; a
 * verifier laying out other trees rejects. */
static void test_tree_cap(void)
{
    zki_lookup_table T;
    zki_lookup_table_range(&T, 4, 0);
    enum { NS = 40, LEN = 50 }; /* NS + 1 < M_ID: tensor ids 1..NS */
    int64_t *d[NS];
    zki_lookup *P, *V, *Vdef;
    zki_lookup_new(&P, &T, M_ID);
    zki_lookup_new(&V, &T, M_ID);
    zki_lookup_new(&Vdef, &T, M_ID);
    zki_lookup_set_tree_cap(P, 3);
    zki_lookup_set_tree_cap(V, 3);
    for (int i = 0; i < NS; i++) {
        d[i] = rand_in_range(LEN, 0, 4);
        tdata[1 + i] = d[i];
        tlen[1 + i] = LEN;
        zki_lk_col c = zki_lk_col_plain((uint32_t)(1 + i), d[i]), cv = zki_lk_col_plain((uint32_t)(1 + i), NULL);
        zki_lookup_add_site(P, "s", LEN, &c, 1);
        zki_lookup_add_site(V, "s", LEN, &cv, 1);
        zki_lookup_add_site(Vdef, "s", LEN, &cv, 1);
    }
    zki_lookup_proof pf;
    CHECK(prove_alone(P, "cap", &pf) == ZKI_OK);
    CHECK_MSG(pf.n_trees == 21, "%zu trees", (size_t)pf.n_trees);
    int big = 0;
    for (size_t b = 0; b < pf.n_trees; b++)
        big += pf.gkr[b].nvars == 7;
    CHECK(big == 20 && pf.gkr[pf.n_trees - 1].nvars == 4);
    zki_lookup_proof_free(&pf);
    int ok = 0;
    CHECK(run(P, V, NULL, NULL, 0, &ok) == ZKI_OK);
    CHECK(ok); /* every claim holds on the data */
    for (int w = 0; w < 105; w += 4) /* kinds 0..4 over trees 0..20 */
        CHECK_MSG(run(P, V, NULL, mut_pf, w, NULL) == ZKI_ERR_VERIFY, "capped trees, mutation %d", w);
    CHECK(run(P, Vdef, NULL, NULL, 0, NULL) == ZKI_ERR_VERIFY); /* 3 trees expected */
    for (int i = 0; i < NS; i++)
        free(d[i]);
    zki_lookup_free(P);
    zki_lookup_free(V);
    zki_lookup_free(Vdef);
    zki_lookup_table_free(&T);
}

static void test_table_eval(void)
{
    /* structured evaluation equals the multilinear extension of the list */
    zki_lookup_table T;
    zki_lookup_table_range(&T, 5, -16);
    zki_fe list[32];
    for (int i = 0; i < 32; i++)
        list[i] = zki_fe_from_i64(i - 16);
    zki_ext r[5];
    for (int j = 0; j < 5; j++)
        r[j] = zki_ext_make(zki_rng_below(&rng, ZKI_P), zki_rng_below(&rng, ZKI_P));
    CHECK(zki_ext_eq(zki_lookup_table_eval(&T, r, zki_ext_zero()), zki_mle_eval_base(list, 5, r)));
    zki_lookup_table_free(&T);
    CHECK(zki_lookup_table_range(&T, 33, 0) == ZKI_ERR_INPUT);
    CHECK(zki_lookup_table_range(&T, 0, 0) == ZKI_ERR_INPUT);
    int64_t out[2] = {(int64_t)1 << 62, 0};
    CHECK(zki_lookup_table_map(&T, 1, 0, out) == ZKI_ERR_INPUT);
}

/* A CLAMP table's closed-form extension equals the extension of its
 * materialised list (and the same table given as an explicit MAP), at
 * random points and on the whole cube (k <= 8), for bounds below, inside,
 * above and across the inputs: full width, single point, saturated
 * everywhere. */
static void test_clamp_eval(void)
{
    static const int64_t cases[][3] = {
        /* lo, clo, chi (inputs lo .. lo + 2^k - 1) */
        {-8, -3, 4},       {-8, -8, 7},     {-8, -100, 100}, {-8, 0, 0},    {-8, 7, 7},
        {-8, -8, -8},      {-8, 100, 200},  {-8, -200, -100}, {0, 0, 127},  {-8, -9, 6},
        {-8, -7, 8},       {5, 6, 6},       {-(1ll << 19), 0, 127},         {-8, 1, 2},
    };
    for (unsigned k = 1; k <= 12; k++) {
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            int64_t lo = cases[c][0], clo = cases[c][1], chi = cases[c][2];
            if (k == 12 && c % 3) /* keep the large size to a few cases */
                continue;
            zki_lookup_table T, M;
            CHECK(zki_lookup_table_clamp(&T, k, lo, clo, chi) == ZKI_OK);
            CHECK(T.out == NULL);
            size_t n = (size_t)1 << k;
            int64_t *out = malloc(n * sizeof *out);
            zki_fe *col = malloc(n * sizeof *col);
            for (size_t i = 0; i < n; i++) {
                int64_t v = lo + (int64_t)i;
                out[i] = v < clo ? clo : v > chi ? chi : v;
                col[i] = zki_fe_from_i64(out[i]);
                CHECK_MSG(zki_lookup_table_out(&T, i) == out[i], "k %u case %zu entry %zu", k, c, i);
            }
            CHECK(zki_lookup_table_map(&M, k, lo, out) == ZKI_OK);
            zki_ext r[12], beta = zki_ext_make(zki_rng_below(&rng, ZKI_P), zki_rng_below(&rng, ZKI_P));
            for (int trial = 0; trial < 8; trial++) {
                for (unsigned j = 0; j < k; j++)
                    r[j] = trial < 2 ? zki_ext_from_fe(zki_rng_below(&rng, 2)) /* cube points */
                                     : zki_ext_make(zki_rng_below(&rng, ZKI_P), zki_rng_below(&rng, ZKI_P));
                zki_ext in = zki_lookup_table_eval(&T, r, zki_ext_zero());
                zki_ext both = zki_lookup_table_eval(&T, r, beta);
                zki_ext want = zki_ext_add(in, zki_ext_mul(beta, zki_mle_eval_base(col, k, r)));
                CHECK_MSG(zki_ext_eq(both, want), "clamp k %u case %zu trial %d", k, c, trial);
                CHECK_MSG(zki_ext_eq(both, zki_lookup_table_eval(&M, r, beta)), "clamp = map k %u case %zu", k, c);
            }
            /* both sides are multilinear (each split uses a top coordinate
             * the rest does not): equal on the whole cube, equal everywhere */
            for (size_t x = 0; k <= 8 && x < n; x++) {
                for (unsigned j = 0; j < k; j++)
                    r[j] = zki_ext_from_fe((x >> j) & 1);
                zki_ext v = zki_lookup_table_eval(&T, r, beta);
                zki_ext w = zki_ext_add(zki_ext_from_fe(zki_fe_from_i64(lo + (int64_t)x)),
                                        zki_ext_scale(beta, col[x]));
                CHECK_MSG(zki_ext_eq(v, w), "clamp k %u case %zu cube point %zu", k, c, x);
            }
            free(out);
            free(col);
            zki_lookup_table_free(&M);
            zki_lookup_table_free(&T);
        }
    }
    zki_lookup_table T;
    CHECK(zki_lookup_table_clamp(&T, 4, 0, 3, 2) == ZKI_ERR_INPUT); /* clo > chi */
    CHECK(zki_lookup_table_clamp(&T, 0, 0, 0, 1) == ZKI_ERR_INPUT);
    CHECK(zki_lookup_table_clamp(&T, ZKI_LK_MAX_LOG_TABLE + 1, 0, 0, 1) == ZKI_ERR_INPUT);
    CHECK(zki_lookup_table_clamp(&T, 20, 0, 0, 1) == ZKI_OK && T.out == NULL);
}

/* Pairs into a clamp table, proven and verified; a pair off the formula is
 * refused by the prover. */
static void test_clamp_pairs(void)
{
    zki_lookup_table T;
    CHECK(zki_lookup_table_clamp(&T, 9, -256, -20, 37) == ZKI_OK);
    zki_lookup *P, *V;
    zki_lookup_new(&P, &T, M_ID);
    zki_lookup_new(&V, &T, M_ID);
    size_t n = 500;
    int64_t *a = rand_in_range(n, -256, 9), *b = malloc(n * sizeof *b);
    for (size_t i = 0; i < n; i++)
        b[i] = a[i] < -20 ? -20 : a[i] > 37 ? 37 : a[i];
    tdata[3] = a, tlen[3] = n, tdata[4] = b, tlen[4] = n;
    CHECK(zki_map_add(P, "clamp", 3, a, 4, b, n) == ZKI_OK);
    CHECK(zki_map_add(V, "clamp", 3, NULL, 4, NULL, n) == ZKI_OK);
    int ok = 0;
    CHECK(run(P, V, NULL, NULL, 0, &ok) == ZKI_OK);
    CHECK(ok);
    zki_lookup_free(P);
    zki_lookup_free(V);
    b[7] += 1;
    zki_lookup_new(&P, &T, M_ID);
    CHECK(zki_map_add(P, "clamp", 3, a, 4, b, n) == ZKI_OK);
    const zki_fe *m;
    size_t ml;
    CHECK(zki_lookup_multiplicities(P, &m, &ml) == ZKI_ERR_INPUT);
    zki_lookup_free(P);
    free(a);
    free(b);
    zki_lookup_table_free(&T);
}

/* End to end with the commitment: m committed (root absorbed before alpha,
 * beta), the ledger's m claim opened with the PCS, the looked-up column's
 * claim checked against the tensor; a proof for another m is rejected. */
static void test_with_pcs(void)
{
    zki_lookup_table T;
    zki_lookup_table_range(&T, 12, 0);
    size_t n = 20000;
    int64_t *d = rand_in_range(n, 0, 12);
    zki_lookup *P, *V;
    zki_lookup_new(&P, &T, M_ID);
    zki_lookup_new(&V, &T, M_ID);
    zki_range_check_add(P, "conv1.out", 1, d, n);
    zki_range_check_add(V, "conv1.out", 1, NULL, n);
    const zki_fe *m;
    size_t ml;
    CHECK(zki_lookup_multiplicities(P, &m, &ml) == ZKI_OK);
    zki_pcs_params prm;
    zki_pcs_params_default(&prm);
    zki_pcs_vec v = {ZKI_PCS_FE, m, ml};
    zki_pcs_prover *pr;
    CHECK(zki_pcs_commit(&pr, &prm, &v, 1) == ZKI_OK);
    const zki_pcs_commitment *com = zki_pcs_prover_commitment(pr);
    zki_transcript tp, tv;
    zki_ts_init(&tp, "lk+pcs", 1);
    zki_ts_init(&tv, "lk+pcs", 1);
    zki_ts_absorb_digest(&tp, "m.root", &com->root);
    zki_ledger lp, lv;
    zki_ledger_init(&lp);
    zki_ledger_init(&lv);
    zki_lookup_proof pf;
    CHECK(zki_lookup_prove(P, &tp, &pf, &lp) == ZKI_OK);
    const zki_claim *cm = zki_ledger_get(&lp, M_ID);
    CHECK(cm != NULL);
    zki_pcs_proof op;
    zki_pcs_claim cl = {0, 0, cm->point, cm->value, 0};
    zki_pcs_prover *const prs[1] = {pr};
    CHECK(zki_pcs_open(&tp, prs, 1, &cl, 1, &op) == ZKI_OK);
    /* verifier */
    zki_ts_absorb_digest(&tv, "m.root", &com->root);
    CHECK(zki_lookup_verify(V, &tv, &pf, &lv) == ZKI_OK);
    const zki_claim *vm = zki_ledger_get(&lv, M_ID), *vx = zki_ledger_get(&lv, 1);
    CHECK(vm && vx);
    zki_pcs_claim vcl = {0, 0, vm->point, vm->value, 0};
    const zki_pcs_commitment *const coms[1] = {com};
    CHECK(zki_pcs_verify(&tv, coms, 1, &vcl, 1, &op) == ZKI_OK);
    CHECK(zki_ext_eq(vx->value, eval_i64(d, n, vx->point, vx->nvars)));
    zki_pcs_proof_free(&op);
    zki_ts_free(&tv);
    zki_ledger_free(&lv);
    /* the same lookup proof against a commitment to other counts: the
     * challenges change, the GKR proof no longer verifies */
    zki_fe *m2 = malloc(ml * sizeof *m2);
    memcpy(m2, m, ml * sizeof *m2);
    m2[5] = zki_fe_add(m2[5], 1);
    m2[6] = zki_fe_sub(m2[6], 1);
    zki_pcs_vec v2 = {ZKI_PCS_FE, m2, ml};
    zki_pcs_prover *pr2;
    CHECK(zki_pcs_commit(&pr2, &prm, &v2, 1) == ZKI_OK);
    zki_ts_init(&tv, "lk+pcs", 1);
    zki_ledger_init(&lv);
    zki_ts_absorb_digest(&tv, "m.root", &zki_pcs_prover_commitment(pr2)->root);
    CHECK(zki_lookup_verify(V, &tv, &pf, &lv) == ZKI_ERR_VERIFY);
    zki_pcs_prover_free(pr2);
    free(m2);
    zki_ts_free(&tv);
    zki_ledger_free(&lv);
    zki_ts_free(&tp);
    zki_ledger_free(&lp);
    zki_lookup_proof_free(&pf);
    zki_pcs_prover_free(pr);
    zki_lookup_free(P);
    zki_lookup_free(V);
    free(d);
    zki_lookup_table_free(&T);
}

/* Every truncation and a trailing byte are refused; so is a
 * non-canonical element. */
static void test_bytes(void)
{
    zki_lookup_table T;
    zki_lookup_table_range(&T, 4, 0);
    int64_t d[40];
    for (int i = 0; i < 40; i++)
        d[i] = i % 16;
    zki_lookup *P;
    zki_lookup_new(&P, &T, M_ID);
    zki_range_check_add(P, "t", 1, d, 40);
    const zki_fe *m;
    size_t ml;
    zki_lookup_multiplicities(P, &m, &ml);
    zki_transcript t;
    zki_ts_init(&t, "b", 1);
    zki_ledger l;
    zki_ledger_init(&l);
    zki_lookup_proof pf, back;
    CHECK(zki_lookup_prove(P, &t, &pf, &l) == ZKI_OK);
    CHECK(pf.n_trees == 2); /* 64 + 16 leaves */
    uint8_t *b;
    size_t len;
    CHECK(zki_lookup_proof_to_bytes(&pf, &b, &len) == ZKI_OK);
    CHECK(len == 12 + zki_lookup_proof_size(&pf) + 4 * pf.n_trees);
    int bad = 0;
    for (size_t cut = 0; cut < len; cut++)
        bad += zki_lookup_proof_from_bytes(&back, b, cut) != ZKI_ERR_INPUT;
    CHECK(bad == 0);
    uint8_t *b2 = malloc(len + 1);
    memcpy(b2, b, len);
    b2[len] = 0;
    CHECK(zki_lookup_proof_from_bytes(&back, b2, len + 1) == ZKI_ERR_INPUT);
    memset(b2 + len - 8, 0xff, 8); /* last element's c1 >= p */
    CHECK(zki_lookup_proof_from_bytes(&back, b2, len) == ZKI_ERR_INPUT);
    CHECK(zki_lookup_proof_from_bytes(&back, b, len) == ZKI_OK);
    zki_lookup_proof_free(&back);
    free(b2);
    free(b);
    zki_lookup_proof_free(&pf);
    zki_ledger_free(&l);
    zki_ts_free(&t);
    zki_lookup_free(P);
    zki_lookup_table_free(&T);
}

/* The proof bytes do not depend on the number of threads (sizes large
 * enough for every parallel loop to split). */
/* Multiplicities are counted in parallel (per-thread histograms): on many
 * sites of mixed lengths, at 1 to 4 threads and several times each (a
 * merge racing a count shows as a wrong count only sometimes), every
 * count equals the direct one. */
static void test_parallel_counts(void)
{
    zki_lookup_table T;
    zki_lookup_table_range(&T, 8, -128);
    enum { N_SITES = 40 };
    int64_t *d[N_SITES];
    size_t len[N_SITES];
    uint64_t want[256] = {0};
    for (int s = 0; s < N_SITES; s++) {
        len[s] = 1 + zki_rng_below(&rng, s % 4 ? 300u : 40000u);
        d[s] = rand_in_range(len[s], -128, 8);
        for (size_t i = 0; i < len[s]; i++)
            want[d[s][i] + 128]++;
        if (len[s] == 1) /* a one-entry site is two leaves of that entry */
            want[d[s][0] + 128]++;
    }
    int saved = omp_get_max_threads(), bad = 0;
    for (int rep = 0; rep < 24; rep++) {
        omp_set_num_threads(1 + rep % 4);
        zki_lookup *P;
        zki_lookup_new(&P, &T, M_ID);
        for (int s = 0; s < N_SITES; s++) {
            zki_lk_col c = zki_lk_col_plain(1, d[s]);
            zki_lookup_add_site(P, "s", len[s], &c, 1);
        }
        const zki_fe *m;
        size_t ml;
        CHECK(zki_lookup_multiplicities(P, &m, &ml) == ZKI_OK && ml == 256);
        for (size_t i = 0; i < ml && i < 256; i++)
            bad += m[i] != zki_fe_from_u64(want[i]);
        zki_lookup_free(P);
    }
    omp_set_num_threads(saved);
    CHECK_MSG(bad == 0, "%d multiplicities differ from the direct count", bad);
    for (int s = 0; s < N_SITES; s++)
        free(d[s]);
    zki_lookup_table_free(&T);
}

static void test_threads(void)
{
    zki_lookup_table T;
    zki_lookup_table_range(&T, 16, 0);
    size_t n = 200000;
    int64_t *d = rand_in_range(n, 0, 16);
    uint8_t *bytes[2];
    size_t len[2];
    int saved = omp_get_max_threads();
    for (int k = 0; k < 2; k++) {
        omp_set_num_threads(k ? 2 : 1);
        zki_lookup *P;
        zki_lookup_new(&P, &T, M_ID);
        zki_range_check_add(P, "t", 1, d, n);
        zki_lookup_proof pf;
        CHECK(prove_alone(P, "threads", &pf) == ZKI_OK);
        CHECK(zki_lookup_proof_to_bytes(&pf, &bytes[k], &len[k]) == ZKI_OK);
        zki_lookup_proof_free(&pf);
        zki_lookup_free(P);
    }
    omp_set_num_threads(saved);
    CHECK(len[0] == len[1] && memcmp(bytes[0], bytes[1], len[0]) == 0);
    free(bytes[0]);
    free(bytes[1]);
    free(d);
    zki_lookup_table_free(&T);
}

/* An instance beyond ZKI_LK_MAX_ENTRIES (the size the security argument
 * covers) is refused when the site that crosses it is added, naming it;
 * nothing is allocated by the check (verifier-side sites carry no data). */
static void test_entry_limit(void)
{
    zki_lookup_table T;
    CHECK(zki_lookup_table_range(&T, 16, 0) == ZKI_OK);
    zki_lookup *lk = NULL;
    CHECK(zki_lookup_new(&lk, &T, 0) == ZKI_OK);
    zki_lk_col c = zki_lk_col_plain(1, NULL);
    CHECK(lk && zki_lookup_add_site(lk, "a", (size_t)1 << 26, &c, 1) == ZKI_OK);
    CHECK(lk && zki_lookup_add_site(lk, "b", (size_t)1 << 25, &c, 1) == ZKI_OK);
    CHECK(lk && zki_lookup_add_site(lk, "c", (size_t)1 << 25, &c, 1) == ZKI_ERR_INPUT);
    CHECK(strstr(zki_last_error(), "site 'c'") && strstr(zki_last_error(), "2^27"));
    CHECK(lk && zki_lookup_n_sites(lk) == 2);
    zki_lookup_free(lk);
    zki_lookup_table_free(&T);
}

/* One frac GKR over 2^n leaves: from extension arrays (p lifted) or
 * from the base-field arrays through a leaf source (zki_frac_prove_base). */
static zki_status frac_one(const zki_fe *pb, const zki_ext *q, size_t n, int lifted, zki_frac_proof *pf,
                           zki_ext *pt, zki_ext *pq)
{
    zki_transcript t;
    zki_ts_init(&t, "frac-src", 1);
    zki_status st;
    zki_frac_evals ev;
    if (lifted) {
        size_t N = (size_t)1 << n;
        zki_ext *p = malloc(N * sizeof *p);
        for (size_t i = 0; i < N; i++)
            p[i] = zki_ext_from_fe(pb[i]);
        st = zki_frac_prove(p, q, n, &t, pf, pt, &ev);
        free(p);
    } else {
        st = zki_frac_prove_base(pb, q, n, &t, pf, pt, &ev, NULL);
    }
    pq[0] = ev.p;
    pq[1] = ev.q;
    zki_ts_free(&t);
    return st;
}

static int same_frac(const zki_frac_proof *a, const zki_frac_proof *b, size_t n)
{
    return zki_ext_eq(a->root_p, b->root_p) && zki_ext_eq(a->root_q, b->root_q) &&
           memcmp(a->msgs, b->msgs, 3 * (n * (n - 1) / 2) * sizeof(zki_ext)) == 0 &&
           memcmp(a->evals, b->evals, 4 * n * sizeof(zki_ext)) == 0;
}

/* Leaves read through a source (computed when read, never stored: the
 * lookup prover's way) give the proof of the same leaves in arrays, at 1
 * and 2 threads, past the sizes where the loops go parallel; a zero
 * denominator is refused naming the first such leaf. */
static void test_frac_source(void)
{
    int saved = omp_get_max_threads();
    for (size_t n = 1; n <= 17; n += n < 6 ? 1 : 5) {
        size_t N = (size_t)1 << n;
        zki_fe *pb = malloc(N * sizeof *pb);
        zki_ext *q = malloc(N * sizeof *q);
        for (size_t i = 0; i < N; i++) {
            pb[i] = i % 3 ? zki_fe_neg(1) : zki_rng_below(&rng, ZKI_P);
            q[i].c0 = 1 + zki_rng_below(&rng, ZKI_P - 1);
            q[i].c1 = zki_rng_below(&rng, ZKI_P);
        }
        zki_frac_proof pf[3];
        zki_ext pt[3][ZKI_FRAC_MAX_VARS], pq[3][2];
        CHECK(frac_one(pb, q, n, 1, &pf[0], pt[0], pq[0]) == ZKI_OK);
        for (int k = 1; k < 3; k++) {
            omp_set_num_threads(k);
            CHECK(frac_one(pb, q, n, 0, &pf[k], pt[k], pq[k]) == ZKI_OK);
            CHECK_MSG(same_frac(&pf[0], &pf[k], n) && memcmp(pt[0], pt[k], n * sizeof(zki_ext)) == 0 &&
                          memcmp(pq[0], pq[k], sizeof pq[0]) == 0,
                      "n = %zu, %d threads: source and arrays differ", n, k);
        }
        omp_set_num_threads(saved);
        for (int k = 0; k < 3; k++)
            zki_frac_proof_free(&pf[k]);
        /* a zero at h + 1 (upper half), then also at 3: the first one is named */
        if (n >= 3) {
            q[N / 2 + 1] = zki_ext_zero();
            CHECK(frac_one(pb, q, n, 0, &pf[1], pt[1], pq[1]) == ZKI_ERR_INPUT);
            char want[64];
            snprintf(want, sizeof want, "zero denominator at leaf %zu", N / 2 + 1);
            CHECK(strstr(zki_last_error(), want) != NULL);
            q[3] = zki_ext_zero();
            CHECK(frac_one(pb, q, n, 0, &pf[1], pt[1], pq[1]) == ZKI_ERR_INPUT);
            CHECK(strstr(zki_last_error(), "zero denominator at leaf 3") != NULL);
        }
        free(pb);
        free(q);
    }
}

/* ---- zero knowledge ------------------------------------------------------ */

/* One GKR proven with pads: the caller's checks are the leaves at the
 * point and the root (constraints on private values). */
typedef struct {
    zki_ext *p, *q;
    size_t n;
    zki_frac_proof pf;
    zki_frac_evals ev; /* the true values (the same in every proof) */
} zk_fr;

static zki_status zk_fr_prove(void *c, zki_transcript *t)
{
    zk_fr *z = c;
    zki_ext pt[ZKI_FRAC_MAX_VARS];
    zki_frac_proof_free(&z->pf);
    return zki_frac_prove(z->p, z->q, z->n, t, &z->pf, pt, &z->ev);
}

static zki_status zk_fr_verify(void *c, zki_transcript *t)
{
    zk_fr *z = c;
    zki_ext pt[ZKI_FRAC_MAX_VARS];
    zki_frac_claims cl;
    zki_status st = zki_frac_verify(z->n, &z->pf, t, pt, &cl);
    if (!st)
        st = zki_pv_assert_eq(t->zk, cl.p, zki_pv_pub(zki_mle_eval_ext(z->p, z->n, pt)), "leaf p");
    if (!st)
        st = zki_pv_assert_eq(t->zk, cl.q, zki_pv_pub(zki_mle_eval_ext(z->q, z->n, pt)), "leaf q");
    if (!st)
        st = zki_pv_assert_eq(t->zk, cl.root_p, zki_pv_pub(z->ev.root_p), "root p");
    if (!st)
        st = zki_pv_assert_eq(t->zk, cl.root_q, zki_pv_pub(z->ev.root_q), "root q");
    return st;
}

static int zk_fr_mutation;
static void zk_fr_mutate(void *c)
{
    zk_fr *z = c;
    size_t n = z->n, nm = 3 * (n * (n - 1) / 2);
    zki_ext *v = zk_fr_mutation == 0 ? &z->pf.root_q
               : zk_fr_mutation == 1 ? &z->pf.evals[4 * n - 1] /* a leaf value */
                                     : &z->pf.msgs[nm - 1];     /* the last round's */
    *v = zki_ext_add(*v, zki_ext_one());
}

static void test_zk_frac(void)
{
    for (size_t n = 1; n <= 6; n += 2 + (n == 1)) {
        size_t N = (size_t)1 << n;
        zk_fr z;
        memset(&z, 0, sizeof z);
        z.n = n;
        z.p = malloc(N * sizeof *z.p);
        z.q = malloc(N * sizeof *z.q);
        for (size_t i = 0; i < N; i++) {
            z.p[i] = zki_ext_make(zki_rng_below(&rng, ZKI_P), zki_rng_below(&rng, ZKI_P));
            z.q[i] = zki_ext_make(1 + zki_rng_below(&rng, ZKI_P - 1), zki_rng_below(&rng, ZKI_P));
        }
        /* the roots, every round value and four values a layer */
        uint64_t n_pads = 2 + 3 * (n * (n - 1) / 2) + 4 * n;
        for (zk_fr_mutation = 0; zk_fr_mutation < (n > 1 ? 3 : 2); zk_fr_mutation++) {
            zki_zk *zp = zk_roundtrip("frac", &z, zk_fr_prove, zk_fr_verify, n_pads);
            CHECK(zp && zki_zk_used(zp) == n_pads);
            if (zp)
                zk_cheat("frac", &z, zk_fr_verify, zk_fr_mutate, zp);
            zki_zk_free(zp);
        }
        zki_frac_proof_free(&z.pf);
        free(z.p);
        free(z.q);
    }
}

/* A lookup instance proven with pads; the verifier's step includes the
 * caller's checks of the ledger's claims against the true tensors and m
 * (constraints: the claims are private). */
typedef struct {
    zki_lookup *P, *V;
    zki_lookup_proof pf;
    const zki_zk *zp; /* the honest proof's pads, to prove a false statement with */
    uint64_t n_pads;
} zk_lk;

static zki_status zk_lk_prove(void *c, zki_transcript *t)
{
    zk_lk *z = c;
    zki_ledger l;
    zki_ledger_init(&l);
    zki_lookup_proof_free(&z->pf);
    zki_status st = zki_lookup_prove(z->P, t, &z->pf, &l);
    zki_ledger_free(&l);
    return st;
}

static zki_status zk_lk_verify(void *c, zki_transcript *t)
{
    zk_lk *z = c;
    zki_ledger l;
    zki_ledger_init(&l);
    zki_status st = zki_lookup_verify(z->V, t, &z->pf, &l);
    for (size_t i = 0; !st && i < l.n; i++)
        st = zki_pv_assert_eq(t->zk, zki_claim_pv(&l.items[i]), zki_pv_pub(claim_truth(&l.items[i])),
                              "a lookup claim");
    zki_ledger_free(&l);
    return st;
}

enum { ZK_LK_MUTATIONS = 7, ZK_LK_WRONG_M = 6 };
static int zk_lk_mutation;
static void zk_lk_mutate(void *c)
{
    zk_lk *z = c;
    zki_lookup_proof *pf = &z->pf;
    zki_frac_proof *g = &pf->gkr[0];
    size_t n = g->nvars;
    zki_ext *v = NULL;
    switch (zk_lk_mutation) {
    case 0: v = &g->evals[4 * (n - 1) + 2]; break; /* a layer value (leaf denominators) */
    case 1: v = &g->msgs[0]; break;                 /* a round value */
    case 2: v = &g->root_p; break;
    case 3: v = &pf->evals[pf->n_evals - 2]; break; /* m's value (the multiplicities' claim) */
    case 4: v = &pf->evals[pf->n_evals - 1]; break; /* the inverse of the roots' denominators */
    case 5: v = &pf->evals[0]; break;               /* a base's value */
    default: { /* wrong multiplicities, committed (the claims on m hold): proven with the same pads */
        zki_fe *m = (zki_fe *)mvec;
        m[1] = zki_fe_add(m[1], 1);
        zki_zk *zz = zki_zk_new_with_pads(z->n_pads, zki_zk_pads(z->zp));
        CHECK(zk_run(zk_lk_prove, z, zz) == ZKI_OK);
        zki_zk_free(zz);
        return;
    }
    }
    *v = zki_ext_add(*v, zki_ext_one());
}

static void zk_lk_case(const char *name, zki_lookup *P, zki_lookup *V)
{
    zk_lk z;
    memset(&z, 0, sizeof z);
    z.P = P;
    z.V = V;
    const zki_fe *m;
    size_t ml;
    CHECK(zki_lookup_multiplicities(P, &m, &ml) == ZKI_OK);
    mvec = m;
    mlen = ml;
    /* the private values: those of a plain proof, and the inverse */
    zki_transcript t;
    zki_ts_init(&t, "zk-count", 1);
    zki_ledger l;
    zki_ledger_init(&l);
    CHECK(zki_lookup_prove(P, &t, &z.pf, &l) == ZKI_OK);
    zki_ledger_free(&l);
    zki_ts_free(&t);
    CHECK(z.pf.n_trees >= 2); /* the roots' sum has products */
    z.n_pads = zki_lookup_proof_size(&z.pf) / 16 + 1;
    for (zk_lk_mutation = 0; zk_lk_mutation < ZK_LK_MUTATIONS; zk_lk_mutation++) {
        zki_zk *zp = zk_roundtrip(name, &z, zk_lk_prove, zk_lk_verify, z.n_pads);
        CHECK_MSG(zp && zki_zk_used(zp) == z.n_pads, "%s: pads used", name);
        z.zp = zp;
        if (zp)
            zk_cheat(name, &z, zk_lk_verify, zk_lk_mutate, zp);
        if (zk_lk_mutation == ZK_LK_WRONG_M) {
            zki_fe *mm = (zki_fe *)mvec;
            mm[1] = zki_fe_sub(mm[1], 1);
        }
        zki_zk_free(zp);
    }
    zki_lookup_proof_free(&z.pf);
}

/* A whole instance of pairs into a mapping table (two trees); affine
 * columns over four trees in test_sites. */
static void test_zk_lookup(void)
{
    zki_lookup_table T;
    zki_lookup *P, *V;
    int64_t out[32];
    for (size_t i = 0; i < 32; i++)
        out[i] = (int64_t)zki_rng_below(&rng, 100) - 50;
    CHECK(zki_lookup_table_map(&T, 5, -16, out) == ZKI_OK);
    zki_lookup_new(&P, &T, M_ID);
    zki_lookup_new(&V, &T, M_ID);
    size_t n = 40;
    int64_t *a = rand_in_range(n, -16, 5), *b = malloc(n * sizeof *b);
    for (size_t i = 0; i < n; i++)
        b[i] = out[a[i] + 16];
    tdata[1] = a;
    tlen[1] = n;
    tdata[2] = b;
    tlen[2] = n;
    CHECK(zki_map_add(P, "map", 1, a, 2, b, n) == ZKI_OK);
    CHECK(zki_map_add(V, "map", 1, NULL, 2, NULL, n) == ZKI_OK);
    zk_lk_case("lookup (pairs)", P, V);
    zki_lookup_free(P);
    zki_lookup_free(V);
    free(a);
    free(b);
    zki_lookup_table_free(&T);
}

int main(void)
{
    zki_rng_seed(&rng, 5);
    test_table_eval();
    test_clamp_eval();
    test_clamp_pairs();
    test_range_sizes();
    test_sites();
    test_entry_limit();
    test_pairs();
    test_soundness();
    test_tree_cap();
    test_with_pcs();
    test_bytes();
    test_threads();
    test_frac_source();
    test_parallel_counts();
    test_zk_frac();
    test_zk_lookup();
    return TEST_SUMMARY();
}
