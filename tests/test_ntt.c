/* NTT against a quadratic-time DFT for every size up to 2^10 (random and edge
 * inputs, every kernel set), single-point checks of large forward transforms,
 * round trips up to 2^24, linearity, the convolution theorem, input errors,
 * and bit-identical results for 1 and 2 OpenMP threads. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/rng.h"
#include "ntt/ntt.h"
#include "ntt/ntt_internal.h"
#include "test.h"

static zki_fe rand_fe(zki_rng *g) { return zki_rng_below(g, ZKI_P); }

static zki_fe *alloc_fe(size_t n) { return malloc((n ? n : 1) * sizeof(zki_fe)); }

/* out[k] = c * sum_j a[j] (s w^k)^j with w = the 2^log_n-th root, or its
 * inverse when inv; quadratic time. */
static void ref_dft(zki_fe *out, const zki_fe *a, size_t n, zki_fe s, zki_fe c, int inv)
{
    unsigned l = (unsigned)__builtin_ctzll(n);
    zki_fe w = zki_fe_root_of_unity(l);
    if (inv)
        w = zki_fe_inv(w);
    for (size_t k = 0; k < n; k++) {
        zki_fe x = zki_fe_mul(s, zki_fe_pow(w, k)), acc = 0;
        for (size_t j = n; j-- > 0;)
            acc = zki_fe_add(zki_fe_mul(acc, x), a[j]); /* Horner */
        out[k] = zki_fe_mul(acc, c);
    }
}

/* Sum_j a[j] x^j. */
static zki_fe horner(const zki_fe *a, size_t n, zki_fe x)
{
    zki_fe acc = 0;
    for (size_t j = n; j-- > 0;)
        acc = zki_fe_add(zki_fe_mul(acc, x), a[j]);
    return acc;
}

/* Values near p = 2^64 - 2^32 + 1 and near the 32-bit limb boundaries,
 * where the carries and corrections of the reductions happen. */
static const zki_fe EDGE[] = {0, 1, ZKI_P - 1, 2, ZKI_P - 2, 0xFFFFFFFFULL, 0x100000000ULL,
                              0x100000001ULL, ZKI_P - 0xFFFFFFFFULL, 0x8000000000000000ULL,
                              0xFFFFFFFEFFFFFFFFULL};
#define NEDGE (sizeof EDGE / sizeof EDGE[0])

/* Input kinds: 0 random, 1..3 constant 0, 1, p-1, 4 random mix of the edges. */
static void fill(zki_fe *a, size_t n, int kind, zki_rng *g)
{
    for (size_t i = 0; i < n; i++)
        a[i] = kind == 0 ? rand_fe(g) : kind <= 3 ? EDGE[kind - 1] : EDGE[zki_rng_below(g, NEDGE)];
}

static void test_against_dft(const zki_ntt_kernels *k)
{
    zki_rng g;
    zki_rng_seed(&g, 11);
    zki_ntt_set_kernels(k);
    for (unsigned l = 0; l <= 10; l++) {
        size_t n = (size_t)1 << l;
        zki_fe *a = alloc_fe(n), *b = alloc_fe(n), *r = alloc_fe(n);
        zki_fe ninv = zki_fe_inv(n % ZKI_P);
        int bad_f = 0, bad_i = 0, bad_cf = 0, bad_ci = 0;
        for (int kind = 0; kind <= 4; kind++) {
            fill(a, n, kind, &g);
            zki_fe shift = kind == 0 ? rand_fe(&g) : ZKI_GENERATOR;

            memcpy(b, a, n * sizeof *a);
            CHECK(zki_ntt_forward(b, n) == ZKI_OK);
            ref_dft(r, a, n, 1, 1, 0);
            bad_f += memcmp(b, r, n * sizeof *r) != 0;

            memcpy(b, a, n * sizeof *a);
            CHECK(zki_ntt_inverse(b, n) == ZKI_OK);
            ref_dft(r, a, n, 1, ninv, 1);
            bad_i += memcmp(b, r, n * sizeof *r) != 0;

            memcpy(b, a, n * sizeof *a);
            CHECK(zki_ntt_coset_forward(b, n, shift) == ZKI_OK);
            ref_dft(r, a, n, shift, 1, 0);
            bad_cf += memcmp(b, r, n * sizeof *r) != 0;

            /* Coset inverse: interpolate values a on shift*<w>, then check
             * that evaluating the result there gives a back. */
            memcpy(b, a, n * sizeof *a);
            CHECK(zki_ntt_coset_inverse(b, n, shift) == ZKI_OK);
            ref_dft(r, b, n, shift, 1, 0);
            bad_ci += memcmp(a, r, n * sizeof *r) != 0;
        }
        CHECK_MSG(bad_f == 0, "%s forward 2^%u: %d inputs differ from the DFT", k->name, l, bad_f);
        CHECK_MSG(bad_i == 0, "%s inverse 2^%u: %d differ", k->name, l, bad_i);
        CHECK_MSG(bad_cf == 0, "%s coset forward 2^%u: %d differ", k->name, l, bad_cf);
        CHECK_MSG(bad_ci == 0, "%s coset inverse 2^%u: %d differ", k->name, l, bad_ci);
        free(a);
        free(b);
        free(r);
    }
    zki_ntt_set_kernels(NULL);
}

/* Large forward transforms checked at a few outputs by direct evaluation,
 * then the round trips. */
static void test_large(unsigned l, int points, int coset)
{
    zki_rng g;
    zki_rng_seed(&g, 100 + l);
    size_t n = (size_t)1 << l;
    zki_fe *a = alloc_fe(n), *b = alloc_fe(n);
    fill(a, n, 0, &g);
    memcpy(b, a, n * sizeof *a);
    CHECK(zki_ntt_forward(b, n) == ZKI_OK);
    zki_fe w = zki_fe_root_of_unity(l);
    int bad = 0;
    for (int t = 0; t < points; t++) {
        size_t k = t == 0 ? 0 : t == 1 ? n - 1 : zki_rng_below(&g, n);
        bad += b[k] != horner(a, n, zki_fe_pow(w, k));
    }
    CHECK_MSG(bad == 0, "forward 2^%u: %d of %d sampled outputs wrong", l, bad, points);
    CHECK(zki_ntt_inverse(b, n) == ZKI_OK);
    CHECK_MSG(memcmp(a, b, n * sizeof *a) == 0, "inverse(forward(a)) != a at 2^%u", l);
    if (coset) {
        zki_fe shift = rand_fe(&g);
        CHECK(zki_ntt_coset_forward(b, n, shift) == ZKI_OK);
        size_t k = zki_rng_below(&g, n);
        CHECK_MSG(b[k] == horner(a, n, zki_fe_mul(shift, zki_fe_pow(w, k))),
                  "coset forward 2^%u wrong at %zu", l, k);
        CHECK(zki_ntt_coset_inverse(b, n, shift) == ZKI_OK);
        CHECK_MSG(memcmp(a, b, n * sizeof *a) == 0, "coset round trip fails at 2^%u", l);
    }
    free(a);
    free(b);
}

static void test_linearity(unsigned l)
{
    zki_rng g;
    zki_rng_seed(&g, 5);
    size_t n = (size_t)1 << l;
    zki_fe *a = alloc_fe(n), *b = alloc_fe(n), *c = alloc_fe(n);
    zki_fe alpha = rand_fe(&g);
    fill(a, n, 0, &g);
    fill(b, n, 0, &g);
    for (size_t i = 0; i < n; i++)
        c[i] = zki_fe_add(zki_fe_mul(alpha, a[i]), b[i]);
    CHECK(zki_ntt_forward(a, n) == ZKI_OK);
    CHECK(zki_ntt_forward(b, n) == ZKI_OK);
    CHECK(zki_ntt_forward(c, n) == ZKI_OK);
    int bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += c[i] != zki_fe_add(zki_fe_mul(alpha, a[i]), b[i]);
    CHECK_MSG(bad == 0, "linearity fails at %d of 2^%u outputs", bad, l);
    free(a);
    free(b);
    free(c);
}

/* Product of two polynomials of degree < 32 by pointwise multiplication of
 * their size-64 transforms equals the schoolbook product. */
static void test_convolution(void)
{
    enum { N = 64, D = 32 };
    zki_rng g;
    zki_rng_seed(&g, 9);
    zki_fe a[N] = {0}, b[N] = {0}, want[N] = {0};
    for (int i = 0; i < D; i++) {
        a[i] = rand_fe(&g);
        b[i] = rand_fe(&g);
    }
    for (int i = 0; i < D; i++)
        for (int j = 0; j < D; j++)
            want[i + j] = zki_fe_add(want[i + j], zki_fe_mul(a[i], b[j]));
    CHECK(zki_ntt_forward(a, N) == ZKI_OK);
    CHECK(zki_ntt_forward(b, N) == ZKI_OK);
    for (int i = 0; i < N; i++)
        a[i] = zki_fe_mul(a[i], b[i]);
    CHECK(zki_ntt_inverse(a, N) == ZKI_OK);
    CHECK(memcmp(a, want, sizeof want) == 0);
}

static void test_errors(void)
{
    zki_fe a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, keep[8];
    memcpy(keep, a, sizeof a);
    CHECK(zki_ntt_forward(a, 3) == ZKI_ERR_INPUT);
    CHECK(strstr(zki_last_error(), "3") != NULL);
    CHECK(zki_ntt_inverse(a, 0) == ZKI_ERR_INPUT);
    CHECK(strstr(zki_last_error(), "0") != NULL);
    CHECK(zki_ntt_forward(a, 0) == ZKI_ERR_INPUT);
    CHECK(zki_ntt_coset_forward(a, 6, 7) == ZKI_ERR_INPUT);
    CHECK(strstr(zki_last_error(), "6") != NULL);
    CHECK(zki_ntt_coset_inverse(a, 3, 7) == ZKI_ERR_INPUT);
    CHECK(zki_ntt_coset_inverse(a, 8, 0) == ZKI_ERR_INPUT);
    CHECK(zki_ntt_coset_forward(a, 8, ZKI_P) == ZKI_ERR_INPUT);
    CHECK(zki_ntt_forward(NULL, 8) == ZKI_ERR_INPUT);
    if (sizeof(size_t) > 4) {
        CHECK(zki_ntt_forward(a, (size_t)1 << 33) == ZKI_ERR_INPUT); /* beyond 2^32 */
        CHECK(strstr(zki_last_error(), "8589934592") != NULL);
    }
    CHECK(memcmp(a, keep, sizeof a) == 0); /* failures leave the data alone */
    CHECK(zki_ntt_forward(a, 1) == ZKI_OK && a[0] == 1);
}

/* Every operation gives the same bits with 1 and 2 threads. */
static void test_threads(unsigned l)
{
    zki_rng g;
    zki_rng_seed(&g, 77);
    size_t n = (size_t)1 << l;
    zki_fe *a = alloc_fe(n), *r1 = alloc_fe(n), *r2 = alloc_fe(n);
    fill(a, n, 0, &g);
    zki_fe shift = rand_fe(&g);
    int saved = omp_get_max_threads();
    for (int op = 0; op < 4; op++) {
        zki_fe *r[2] = {r1, r2};
        for (int t = 0; t < 2; t++) {
            omp_set_num_threads(t + 1);
            memcpy(r[t], a, n * sizeof *a);
            zki_status st = op == 0   ? zki_ntt_forward(r[t], n)
                            : op == 1 ? zki_ntt_inverse(r[t], n)
                            : op == 2 ? zki_ntt_coset_forward(r[t], n, shift)
                                      : zki_ntt_coset_inverse(r[t], n, shift);
            CHECK(st == ZKI_OK);
        }
        CHECK_MSG(memcmp(r1, r2, n * sizeof *a) == 0, "op %d at 2^%u differs between 1 and 2 threads",
                  op, l);
    }
    omp_set_num_threads(saved);
    free(a);
    free(r1);
    free(r2);
}

/* The chosen kernels against the portable ones, lane by lane. */
static void test_kernels_match(const zki_ntt_kernels *k)
{
    enum { S = 256 };
    zki_rng g;
    zki_rng_seed(&g, 3);
    const zki_ntt_tw *tw = zki_ntt_twiddles(12);
    CHECK(tw != NULL);
    zki_fe *x = alloc_fe(4 * S), *y = alloc_fe(4 * S), *w = alloc_fe(3 * S);
    /* Lane counts below, at and around the vector width (tails). */
    static const size_t lanes[] = {1, 3, 7, 8, 9, 15, 17, 200, 203, 253};
    for (size_t li = 0; li < sizeof lanes / sizeof lanes[0]; li++)
    for (int kind = 0; kind <= 4; kind++) {
        const size_t C = lanes[li];
        fill(x, 4 * S, kind, &g);
        fill(w, 3 * S, kind == 0 ? 0 : 4, &g);
        memcpy(y, x, 4 * S * sizeof *x);
        k->dif_layer(x, x + S, w, C);
        zki_ntt_kernels_portable.dif_layer(y, y + S, w, C);
        CHECK_MSG(memcmp(x, y, 4 * S * sizeof *x) == 0, "%s dif_layer, %zu lanes, inputs %d", k->name, C, kind);
        k->dif_radix4(x, S, w, w + S, w + 2 * S, C);
        zki_ntt_kernels_portable.dif_radix4(y, S, w, w + S, w + 2 * S, C);
        CHECK_MSG(memcmp(x, y, 4 * S * sizeof *x) == 0, "%s dif_radix4, %zu lanes, inputs %d", k->name, C, kind);
        /* The same layers done with the portable kernels. */
        size_t blk = (size_t)1 << k->tail_log;
        k->dif_tail(x, 4 * S, tw);
        for (size_t b = 0; b < 4 * S; b += blk) {
            for (size_t h = blk / 2; h >= 8; h /= 2)
                for (size_t o = 0; o < blk; o += 2 * h)
                    zki_ntt_kernels_portable.dif_layer(y + b + o, y + b + o + h, tw->w + h, h);
            zki_ntt_kernels_portable.dif_tail(y + b, blk, tw);
        }
        CHECK_MSG(memcmp(x, y, 4 * S * sizeof *x) == 0, "%s dif_tail, inputs %d", k->name, kind);
        fill(x, 4 * S, kind, &g);
        memcpy(y, x, 4 * S * sizeof *x);
        k->scale_pow(x, C, w[0], w[1]);
        zki_ntt_kernels_portable.scale_pow(y, C, w[0], w[1]);
        CHECK_MSG(memcmp(x, y, 4 * S * sizeof *x) == 0, "%s scale_pow, %zu lanes, inputs %d", k->name, C, kind);
    }
    free(x);
    free(y);
    free(w);
}

/* The tables against their definition; w_4 is the constant the radix-4
 * kernels multiply by. */
static void test_twiddles(void)
{
    const zki_ntt_tw *tw = zki_ntt_twiddles(10);
    CHECK(tw != NULL);
    int bad = 0;
    for (size_t h = 1; h < 1024; h *= 2) {
        zki_fe w = zki_fe_root_of_unity((unsigned)__builtin_ctzll(2 * h));
        for (size_t j = 0; j < h; j++) {
            bad += tw->w[h + j] != zki_fe_pow(w, j);
            if (h <= 256)
                bad += tw->w3[h + j] != zki_fe_pow(zki_fe_root_of_unity((unsigned)__builtin_ctzll(4 * h)), 3 * j);
        }
    }
    CHECK_MSG(bad == 0, "%d twiddle entries wrong", bad);
    CHECK(zki_fe_root_of_unity(2) == ZKI_NTT_W4);
    CHECK(zki_ntt_twiddles(33) == NULL);
}

/* zki_ntt_coset_forward_top: after its g layers, every output of the full
 * coset transform is the stated DFT of its block (all outputs checked, at
 * both kernel sets), and out-of-range g is refused. */
static void test_top(void)
{
    zki_rng g;
    zki_rng_seed(&g, 77);
    for (int ks = 0; ks < 2; ks++) {
        zki_ntt_set_kernels(ks ? NULL : &zki_ntt_kernels_portable);
        for (unsigned l = 12; l <= 13; l++)
            for (unsigned layers = 0; layers <= 6; layers++) {
                size_t n = (size_t)1 << l, A = n >> layers;
                zki_fe *a = malloc(n * sizeof *a), *full = malloc(n * sizeof *full);
                for (size_t i = 0; i < n; i++)
                    a[i] = full[i] = i < n / 4 ? rand_fe(&g) : 0; /* a zero-padded message */
                zki_fe shift = rand_fe(&g) | 1;
                CHECK(zki_ntt_coset_forward(full, n, shift) == ZKI_OK);
                CHECK(zki_ntt_coset_forward_top(a, n, shift, layers) == ZKI_OK);
                zki_fe wA = zki_fe_root_of_unity(l - layers);
                size_t bad = 0;
                for (size_t m = 0; m < n; m++) {
                    size_t r = m & (((size_t)1 << layers) - 1), b = 0, o = m >> layers;
                    for (unsigned j = 0; j < layers; j++)
                        b |= ((r >> j) & 1) << (layers - 1 - j);
                    zki_fe w = zki_fe_pow(wA, o), p = 1;
                    zki_acc acc;
                    zki_acc_zero(&acc);
                    for (size_t i = 0; i < A; i++, p = zki_fe_mul(p, w))
                        zki_acc_mac(&acc, a[b * A + i], p);
                    bad += zki_acc_reduce(&acc) != full[m];
                }
                CHECK_MSG(bad == 0, "top %u of 2^%u: %zu outputs differ", layers, l, bad);
                free(a);
                free(full);
            }
    }
    zki_ntt_set_kernels(NULL);
    zki_fe *a = calloc(4096, sizeof *a);
    CHECK(zki_ntt_coset_forward_top(a, 4096, 3, 7) == ZKI_ERR_INPUT);
    CHECK(zki_ntt_coset_forward_top(a, 2048, 3, 6) == ZKI_ERR_INPUT);
    CHECK(zki_ntt_coset_forward_top(a, 4096, ZKI_P, 1) == ZKI_ERR_INPUT);
    free(a);
}

int main(void)
{
    const zki_ntt_kernels *best = zki_ntt_kernels_best();
    printf("ntt kernels: %s (CPU level %s, ZKI_VEC=%s)\n", best->name,
           zki_cpu_level_name(zki_cpu_detected()), getenv("ZKI_VEC") ? getenv("ZKI_VEC") : "unset");
    CHECK(zki_ntt_kernels_get("portable") == &zki_ntt_kernels_portable);
    CHECK(zki_ntt_kernels_get("no-such-kernels") == NULL);
    CHECK(zki_ntt_kernels_get(NULL) == NULL);
    CHECK(best == zki_ntt_kernels_get(best->name));
    test_twiddles();
    test_against_dft(&zki_ntt_kernels_portable);
    /* Every SIMD kernel set this CPU has, against the portable one. */
    for (const char *const *nm = (const char *const[]){"avx2", "avx512", NULL}; *nm; nm++) {
        const zki_ntt_kernels *k = zki_ntt_kernels_get(*nm);
        if (!k) {
            printf("ntt kernels %s: none, or not supported by this CPU\n", *nm);
            continue;
        }
        test_against_dft(k);
        test_kernels_match(k);
        printf("tested ntt kernels %s against portable\n", k->name);
    }
    test_errors();
    test_convolution();
    test_linearity(16);
    /* Sizes chosen to cover the schedule: one outer layer alone, outer
     * radix-4 sweeps with and without a left-over layer, two sweeps. */
    zki_ntt_set_kernels(&zki_ntt_kernels_portable);
    test_large(16, 8, 1);
    test_large(18, 4, 1);
    zki_ntt_set_kernels(NULL);
    test_large(12, 64, 1);
    test_large(15, 16, 1);
    test_large(16, 16, 1);
    test_large(19, 4, 0);
    test_large(20, 4, 1);
    test_large(24, 4, 0);
    test_threads(20);
    test_top();
    return TEST_SUMMARY();
}
