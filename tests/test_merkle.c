/* Merkle trees: roots against a naive recursive construction, every
 * authentication path verifies and every single-bit or index/root/size
 * change is rejected, bad arguments are errors, and the tree is identical
 * for 1, 2 and 4 threads. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "hash/merkle.h"
#include "test.h"

static void rand_digests(zki_rng *g, zki_digest *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < ZKI_DIGEST_LEN; j += 8) {
            uint64_t x = zki_rng_u64(g);
            memcpy(d[i].b + j, &x, 8);
        }
}

static int deq(const zki_digest *a, const zki_digest *b)
{
    return memcmp(a->b, b->b, ZKI_DIGEST_LEN) == 0;
}

static void flip(zki_rng *g, zki_digest *d)
{
    unsigned bit = (unsigned)zki_rng_below(g, 8 * ZKI_DIGEST_LEN);
    d->b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
}

static zki_digest naive_root(const zki_digest *leaves, size_t n)
{
    if (n == 1) return leaves[0];
    zki_digest pair[2], out;
    pair[0] = naive_root(leaves, n / 2);
    pair[1] = naive_root(leaves + n / 2, n / 2);
    zki_merkle_hash_pairs(&out, pair, 1);
    return out;
}

static void test_random_trees(void)
{
    zki_rng g;
    zki_rng_seed(&g, 2024);
    for (unsigned lg = 0; lg <= 12; lg++) {
        size_t n = (size_t)1 << lg;
        zki_digest *leaves = malloc(n * sizeof *leaves);
        zki_digest path[13], bad_path[13];
        CHECK(leaves != NULL);
        if (!leaves) return;
        rand_digests(&g, leaves, n);
        zki_merkle_tree t;
        CHECK(zki_merkle_build(&t, leaves, n) == ZKI_OK);
        CHECK(t.n_leaves == n);
        CHECK(memcmp(t.nodes, leaves, n * sizeof *leaves) == 0);
        const zki_digest *root = zki_merkle_root(&t);
        zki_digest want = naive_root(leaves, n);
        CHECK_MSG(root && deq(root, &want), "root differs from naive at n=%zu", n);
        if (n == 1) CHECK(root && deq(root, &leaves[0]));

        int fails = 0, accepts = 0;
        for (size_t i = 0; i < n; i++) {
            if (zki_merkle_path(&t, i, path) != ZKI_OK) {
                fails++;
                continue;
            }
            if (!zki_merkle_verify_path(root, n, i, &leaves[i], path)) fails++;
            /* Flipped bit in the leaf. */
            zki_digest leaf = leaves[i];
            flip(&g, &leaf);
            accepts += zki_merkle_verify_path(root, n, i, &leaf, path);
            /* Flipped bit in each path element. */
            for (unsigned k = 0; k < lg; k++) {
                memcpy(bad_path, path, lg * sizeof *path);
                flip(&g, &bad_path[k]);
                accepts += zki_merkle_verify_path(root, n, i, &leaves[i], bad_path);
            }
            /* Every wrong index in range, one bit off; and out of range. */
            for (unsigned k = 0; k < lg; k++)
                accepts += zki_merkle_verify_path(root, n, i ^ ((size_t)1 << k), &leaves[i], path);
            accepts += zki_merkle_verify_path(root, n, i + n, &leaves[i], path);
            accepts += zki_merkle_verify_path(root, n, (size_t)-1, &leaves[i], path);
            /* Wrong root. */
            zki_digest r2 = *root;
            flip(&g, &r2);
            accepts += zki_merkle_verify_path(&r2, n, i, &leaves[i], path);
            /* Wrong tree size (a longer or shorter path). */
            if (n > 1) accepts += zki_merkle_verify_path(root, n / 2, i / 2, &leaves[i], path);
            if (lg < 12) {
                bad_path[lg] = path[0];
                memcpy(bad_path, path, lg * sizeof *path);
                accepts += zki_merkle_verify_path(root, 2 * n, i, &leaves[i], bad_path);
            }
            accepts += zki_merkle_verify_path(root, 3 * n, i, &leaves[i], path); /* not 2^k */
        }
        CHECK_MSG(fails == 0, "n=%zu: %d honest paths failed", n, fails);
        CHECK_MSG(accepts == 0, "n=%zu: %d tampered paths accepted", n, accepts);

        CHECK(zki_merkle_path(&t, n, path) == ZKI_ERR_INPUT);
        CHECK(zki_merkle_path(&t, (size_t)-1, path) == ZKI_ERR_INPUT);
        zki_merkle_free(&t);
        CHECK(t.nodes == NULL && zki_merkle_root(&t) == NULL);
        zki_merkle_free(&t); /* twice is harmless */
        free(leaves);
    }
}

static void test_single_leaf(void)
{
    zki_digest leaf, other;
    memset(&leaf, 0x5A, sizeof leaf);
    memset(&other, 0x5B, sizeof other);
    zki_merkle_tree t;
    CHECK(zki_merkle_build(&t, &leaf, 1) == ZKI_OK);
    CHECK(deq(zki_merkle_root(&t), &leaf));
    CHECK(zki_merkle_path(&t, 0, NULL) == ZKI_OK); /* empty path */
    CHECK(zki_merkle_path(&t, 1, NULL) == ZKI_ERR_INPUT);
    CHECK(zki_merkle_verify_path(&leaf, 1, 0, &leaf, NULL) == 1);
    CHECK(zki_merkle_verify_path(&leaf, 1, 0, &other, NULL) == 0);
    CHECK(zki_merkle_verify_path(&leaf, 1, 1, &leaf, NULL) == 0);
    zki_merkle_free(&t);
}

static void test_bad_arguments(void)
{
    zki_digest leaves[12], path[4];
    memset(leaves, 1, sizeof leaves);
    static const size_t bad_n[] = {0, 3, 5, 6, 7, 12};
    for (size_t k = 0; k < sizeof bad_n / sizeof bad_n[0]; k++) {
        zki_merkle_tree t;
        t.nodes = leaves; /* must be cleared, not freed */
        CHECK_MSG(zki_merkle_build(&t, leaves, bad_n[k]) == ZKI_ERR_INPUT, "n=%zu", bad_n[k]);
        CHECK(t.nodes == NULL && t.n_leaves == 0);
        CHECK(zki_merkle_root(&t) == NULL);
        CHECK(zki_merkle_path(&t, 0, path) == ZKI_ERR_INPUT);
        CHECK(zki_merkle_verify_path(&leaves[0], bad_n[k], 0, &leaves[0], path) == 0);
    }
    zki_merkle_tree t;
    CHECK(zki_merkle_build(NULL, leaves, 4) == ZKI_ERR_INPUT);
    CHECK(zki_merkle_build(&t, NULL, 4) == ZKI_ERR_INPUT);
    CHECK(zki_merkle_build(&t, leaves, (size_t)1 << 62) == ZKI_ERR_INPUT);
    CHECK(zki_merkle_root(NULL) == NULL);
    CHECK(zki_merkle_path(NULL, 0, path) == ZKI_ERR_INPUT);
    zki_merkle_free(NULL);

    CHECK(zki_merkle_build(&t, leaves, 8) == ZKI_OK);
    CHECK(zki_merkle_path(&t, 0, NULL) == ZKI_ERR_INPUT);
    CHECK(zki_merkle_verify_path(NULL, 8, 0, &leaves[0], path) == 0);
    CHECK(zki_merkle_verify_path(zki_merkle_root(&t), 8, 0, NULL, path) == 0);
    CHECK(zki_merkle_verify_path(zki_merkle_root(&t), 8, 0, &leaves[0], NULL) == 0);
    CHECK(zki_merkle_path(&t, 3, path) == ZKI_OK);
    CHECK(zki_merkle_verify_path(zki_merkle_root(&t), 8, 3, &leaves[3], path) == 1);
    CHECK(zki_merkle_verify_path(zki_merkle_root(&t), 8, 8, &leaves[3], path) == 0);
    zki_merkle_free(&t);
}

static void test_thread_determinism(void)
{
    enum { LG = 16 };
    size_t n = (size_t)1 << LG;
    zki_rng g;
    zki_rng_seed(&g, 99);
    zki_digest *leaves = malloc(n * sizeof *leaves);
    CHECK(leaves != NULL);
    if (!leaves) return;
    rand_digests(&g, leaves, n);
    int saved = omp_get_max_threads();
    zki_merkle_tree t[3];
    static const int threads[3] = {1, 2, 4};
    for (int k = 0; k < 3; k++) {
        omp_set_num_threads(threads[k]);
        CHECK(zki_merkle_build(&t[k], leaves, n) == ZKI_OK);
    }
    omp_set_num_threads(saved);
    for (int k = 1; k < 3; k++)
        CHECK_MSG(t[k].nodes && memcmp(t[0].nodes, t[k].nodes, (2 * n - 1) * sizeof *leaves) == 0,
                  "%d threads differ from 1", threads[k]);
    zki_digest want = naive_root(leaves, n);
    CHECK(deq(zki_merkle_root(&t[0]), &want));
    for (int k = 0; k < 3; k++) zki_merkle_free(&t[k]);
    free(leaves);
}

/* init + in-place leaves + hash_layers gives the same tree as build. */
static void test_two_phase_build(void)
{
    enum { N = 256 };
    static zki_digest leaves[N];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < ZKI_DIGEST_LEN; j++)
            leaves[i].b[j] = (uint8_t)(i * 31 + j);
    zki_merkle_tree a, b;
    CHECK(zki_merkle_build(&a, leaves, N) == ZKI_OK);
    CHECK(zki_merkle_init(&b, N) == ZKI_OK);
    memcpy(zki_merkle_leaves(&b), leaves, sizeof leaves);
    zki_merkle_hash_layers(&b);
    CHECK(memcmp(a.nodes, b.nodes, (2 * N - 1) * sizeof(zki_digest)) == 0);
    /* Rebuilding after changing one leaf changes the root. */
    zki_merkle_leaves(&b)[7].b[0] ^= 1;
    zki_merkle_hash_layers(&b);
    CHECK(memcmp(zki_merkle_root(&a), zki_merkle_root(&b), ZKI_DIGEST_LEN) != 0);
    zki_merkle_free(&a);
    zki_merkle_free(&b);
    CHECK(zki_merkle_init(&b, 3) == ZKI_ERR_INPUT && b.nodes == NULL);
}

int main(void)
{
    test_two_phase_build();
    test_random_trees();
    test_single_leaf();
    test_bad_arguments();
    test_thread_determinism();
    return TEST_SUMMARY();
}
