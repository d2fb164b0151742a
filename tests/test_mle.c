/* Multilinear tables: eq tables, folding and evaluation against direct
 * formulas over the hypercube. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "poly/mle.h"
#include "test.h"

static zki_rng rng;

static zki_fe rand_fe(void) { return zki_rng_below(&rng, ZKI_P); }
static zki_ext rand_ext(void) { return zki_ext_make(rand_fe(), rand_fe()); }

/* prod_j (x_j ? r_j : 1 - r_j), written independently of mle.c. */
static zki_ext eq_direct(const zki_ext *r, size_t n, size_t x)
{
    zki_ext acc = zki_ext_one();
    for (size_t j = 0; j < n; j++) {
        zki_ext f = ((x >> j) & 1) ? r[j] : zki_ext_sub(zki_ext_one(), r[j]);
        acc = zki_ext_mul(acc, f);
    }
    return acc;
}

/* f(r) = sum_x t[x] eq(r, x), one eq product per x. */
static zki_ext eval_direct(const zki_ext *t, size_t n, const zki_ext *r)
{
    zki_ext acc = zki_ext_zero();
    for (size_t x = 0; x < ((size_t)1 << n); x++)
        acc = zki_ext_add(acc, zki_ext_mul(t[x], eq_direct(r, n, x)));
    return acc;
}

static void test_log2_ceil(void)
{
    CHECK(zki_log2_ceil(0) == 0);
    CHECK(zki_log2_ceil(1) == 0);
    CHECK(zki_log2_ceil(2) == 1);
    CHECK(zki_log2_ceil(3) == 2);
    CHECK(zki_log2_ceil(4) == 2);
    CHECK(zki_log2_ceil(5) == 3);
    CHECK(zki_log2_ceil(1000) == 10);
    CHECK(zki_log2_ceil(1024) == 10);
    CHECK(zki_log2_ceil(1025) == 11);
    CHECK(zki_log2_ceil((size_t)1 << 40) == 40);
    CHECK(zki_log2_ceil(((size_t)1 << 40) + 1) == 41);
}

static void test_eq(void)
{
    for (size_t n = 0; n <= 8; n++) {
        size_t N = (size_t)1 << n;
        zki_ext r[8], *tab = malloc(N * sizeof *tab), *sc = malloc(N * sizeof *sc);
        for (size_t j = 0; j < n; j++)
            r[j] = rand_ext();
        zki_ext scale = rand_ext();
        zki_eq_table(tab, r, n);
        zki_eq_table_scaled(sc, r, n, scale);
        int ok = 1, ok_sc = 1, ok_eval = 1;
        zki_ext sum = zki_ext_zero();
        for (size_t x = 0; x < N; x++) {
            ok &= zki_ext_eq(tab[x], eq_direct(r, n, x));
            ok_sc &= zki_ext_eq(sc[x], zki_ext_mul(scale, tab[x]));
            zki_ext bits[8];
            for (size_t j = 0; j < n; j++)
                bits[j] = zki_ext_from_fe((x >> j) & 1);
            ok_eval &= zki_ext_eq(zki_eq_eval(r, bits, n), tab[x]);
            sum = zki_ext_add(sum, tab[x]);
        }
        CHECK_MSG(ok, "eq table vs product formula, n=%zu", n);
        CHECK_MSG(ok_sc, "scaled eq table, n=%zu", n);
        CHECK_MSG(ok_eval, "eq_eval at boolean points, n=%zu", n);
        CHECK_MSG(zki_ext_eq(sum, zki_ext_one()), "eq table sums to 1, n=%zu", n);
        /* eq(a, b) at two random points: the product formula, symmetric. */
        zki_ext a[8], b[8];
        zki_ext want = zki_ext_one();
        for (size_t j = 0; j < n; j++) {
            a[j] = rand_ext();
            b[j] = rand_ext();
            zki_ext ab = zki_ext_mul(a[j], b[j]);
            zki_ext om = zki_ext_mul(zki_ext_sub(zki_ext_one(), a[j]),
                                     zki_ext_sub(zki_ext_one(), b[j]));
            want = zki_ext_mul(want, zki_ext_add(ab, om));
        }
        CHECK(zki_ext_eq(zki_eq_eval(a, b, n), want));
        CHECK(zki_ext_eq(zki_eq_eval(b, a, n), want));
        free(tab);
        free(sc);
    }
    zki_ext one = zki_ext_one();
    CHECK(zki_ext_eq(zki_eq_eval(NULL, NULL, 0), one));
}

/* Folding, three evaluation routes, base vs extension. */
static void test_eval(size_t n)
{
    size_t N = (size_t)1 << n;
    zki_fe *tb = malloc(N * sizeof *tb);
    zki_ext *te = malloc(N * sizeof *te), *lift = malloc(N * sizeof *lift);
    zki_ext *f1 = malloc(N * sizeof *f1), *f2 = malloc(N * sizeof *f2);
    zki_ext *eq = malloc(N * sizeof *eq);
    zki_ext r[24];
    for (size_t x = 0; x < N; x++) {
        tb[x] = rand_fe();
        lift[x] = zki_ext_from_fe(tb[x]);
        te[x] = rand_ext();
    }
    for (size_t j = 0; j < n; j++)
        r[j] = rand_ext();

    /* eval via folding: fold_base then in-place ext folds, x_0 first. */
    zki_ext fold_b, fold_e;
    if (n == 0) {
        fold_b = lift[0];
        fold_e = te[0];
    } else {
        zki_mle_fold_base(f1, tb, N, r[0]);
        zki_mle_fold_ext(f2, lift, N, r[0]);
        CHECK_MSG(memcmp(f1, f2, (N / 2) * sizeof *f1) == 0, "fold base vs ext, n=%zu", n);
        zki_mle_fold_ext(f2, te, N, r[0]);
        for (size_t j = 1; j < n; j++) {
            zki_mle_fold_ext(f1, f1, N >> j, r[j]);
            zki_mle_fold_ext(f2, f2, N >> j, r[j]);
        }
        fold_b = f1[0];
        fold_e = f2[0];
    }
    /* eval via eq-table inner product */
    zki_eq_table(eq, r, n);
    zki_ext ip_b = zki_ext_zero(), ip_e = zki_ext_zero();
    for (size_t x = 0; x < N; x++) {
        ip_b = zki_ext_add(ip_b, zki_ext_scale(eq[x], tb[x]));
        ip_e = zki_ext_add(ip_e, zki_ext_mul(eq[x], te[x]));
    }
    zki_ext ev_b = zki_mle_eval_base(tb, n, r), ev_e = zki_mle_eval_ext(te, n, r);
    CHECK_MSG(zki_ext_eq(ev_b, ip_b), "eval_base vs eq inner product, n=%zu", n);
    CHECK_MSG(zki_ext_eq(ev_e, ip_e), "eval_ext vs eq inner product, n=%zu", n);
    CHECK_MSG(zki_ext_eq(fold_b, ip_b), "folding vs eq inner product (base), n=%zu", n);
    CHECK_MSG(zki_ext_eq(fold_e, ip_e), "folding vs eq inner product (ext), n=%zu", n);
    CHECK(zki_ext_eq(zki_mle_eval_ext(lift, n, r), ev_b));
    if (n <= 10) {
        CHECK_MSG(zki_ext_eq(ev_b, eval_direct(lift, n, r)), "eval_base vs direct, n=%zu", n);
        CHECK_MSG(zki_ext_eq(ev_e, eval_direct(te, n, r)), "eval_ext vs direct, n=%zu", n);
    }
    /* At boolean points the MLE is the table entry. */
    int ok = 1;
    for (int trial = 0; trial < 16; trial++) {
        size_t x = (size_t)zki_rng_below(&rng, N);
        zki_ext bits[24];
        for (size_t j = 0; j < n; j++)
            bits[j] = zki_ext_from_fe((x >> j) & 1);
        ok &= zki_ext_eq(zki_mle_eval_base(tb, n, bits), lift[x]);
        ok &= zki_ext_eq(zki_mle_eval_ext(te, n, bits), te[x]);
    }
    CHECK_MSG(ok, "eval at boolean points = table entries, n=%zu", n);
    free(tb);
    free(te);
    free(lift);
    free(f1);
    free(f2);
    free(eq);
}

/* Parallel paths (in-place waves, blocked eval, eq levels) agree with one
 * thread bit for bit. */
static void test_threads(void)
{
    size_t n = 17, N = (size_t)1 << n;
    zki_ext *t = malloc(N * sizeof *t), *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
    zki_ext *o1 = malloc(N / 2 * sizeof *o1);
    zki_ext r[17];
    for (size_t x = 0; x < N; x++)
        t[x] = rand_ext();
    for (size_t j = 0; j < n; j++)
        r[j] = rand_ext();
    zki_ext res[2], eqs[2];
    zki_ext *eqt[2] = {a, b};
    for (int th = 1; th <= 2; th++) {
        omp_set_num_threads(th);
        res[th - 1] = zki_mle_eval_ext(t, n, r);
        zki_eq_table(eqt[th - 1], r, n);
        eqs[th - 1] = eqt[th - 1][N - 1];
    }
    CHECK(zki_ext_eq(res[0], res[1]));
    CHECK(memcmp(a, b, N * sizeof *a) == 0);
    CHECK(zki_ext_eq(eqs[0], eqs[1]));
    /* in-place fold with 2 threads vs out-of-place with 1 */
    omp_set_num_threads(1);
    zki_mle_fold_ext(o1, t, N, r[0]);
    omp_set_num_threads(2);
    memcpy(a, t, N * sizeof *a);
    zki_mle_fold_ext(a, a, N, r[0]);
    CHECK(memcmp(a, o1, N / 2 * sizeof *a) == 0);
    omp_set_num_threads(1);
    free(t);
    free(a);
    free(b);
    free(o1);
}

int main(void)
{
    zki_rng_seed(&rng, 0x6d6c65);
    test_log2_ceil();
    test_eq();
    for (size_t n = 0; n <= 10; n++)
        test_eval(n);
    test_eval(13);
    test_eval(16);
    test_threads();
    return TEST_SUMMARY();
}
