/* Merkle trees with one SHA-256 compression per node (see merkle.h). */
#include "hash/merkle.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "hash/sha256_engine.h"

/* L || R is read straight from two adjacent digests. */
_Static_assert(sizeof(zki_digest) == ZKI_DIGEST_LEN, "zki_digest must be unpadded");

/* Below this many nodes a layer is hashed on one thread: the fork/join
 * costs more than the few microseconds of hashing. */
#define ZKI_MERKLE_PAR_MIN 4096

static const char zki_merkle_domain[] = "zkinfer/merkle-node/v1";

/* The chaining value: SHA-256 state after the zero-padded domain block
 * (no length padding: the state is taken mid-stream, num == 0). */
static void merkle_midstate(zki_sha256_state *mid)
{
    uint8_t block[64] = {0};
    memcpy(block, zki_merkle_domain, sizeof zki_merkle_domain - 1);
    zki_sha256_state_init(mid);
    zki_sha256_state_update(mid, block, sizeof block);
}

static inline void merkle_node(zki_digest *out, const zki_sha256_state *mid, const uint8_t lr[64])
{
    zki_sha256_state c = *mid;
    zki_sha256_state_compress(&c, lr);
    uint32_t h[8];
    zki_sha256_state_chain(&c, h);
    for (int j = 0; j < 8; j++) {
        uint32_t w = h[j];
        out->b[4 * j] = (uint8_t)(w >> 24);
        out->b[4 * j + 1] = (uint8_t)(w >> 16);
        out->b[4 * j + 2] = (uint8_t)(w >> 8);
        out->b[4 * j + 3] = (uint8_t)w;
    }
}

static void hash_pairs_mid(zki_digest *out, const zki_digest *in, size_t count,
                           const zki_sha256_state *mid)
{
    /* Each output depends only on its own two inputs, so the result is the
     * same for any thread count and schedule. */
#pragma omp parallel for schedule(static) if (count >= ZKI_MERKLE_PAR_MIN)
    for (size_t i = 0; i < count; i++)
        merkle_node(&out[i], mid, (const uint8_t *)(in + 2 * i));
}

void zki_merkle_hash_pairs(zki_digest *out, const zki_digest *in, size_t count)
{
    if (count == 0) return;
    zki_sha256_state mid;
    merkle_midstate(&mid);
    hash_pairs_mid(out, in, count, &mid);
}

static int is_pow2(size_t n) { return n != 0 && (n & (n - 1)) == 0; }

zki_status zki_merkle_init(zki_merkle_tree *t, size_t n)
{
    if (!t) return zki_fail(ZKI_ERR_INPUT, "merkle_init: tree is NULL");
    t->n_leaves = 0;
    t->nodes = NULL;
    if (!is_pow2(n))
        return zki_fail(ZKI_ERR_INPUT, "merkle_init: %zu leaves is not a power of two", n);
    if (n > SIZE_MAX / 2 / sizeof(zki_digest))
        return zki_fail(ZKI_ERR_INPUT, "merkle_init: %zu leaves is too many", n);
    zki_digest *nodes = malloc((2 * n - 1) * sizeof *nodes);
    if (!nodes) return zki_fail(ZKI_ERR_NOMEM, "merkle_init: no memory for %zu leaves", n);
    t->n_leaves = n;
    t->nodes = nodes;
    return ZKI_OK;
}

zki_digest *zki_merkle_leaves(zki_merkle_tree *t) { return t->nodes; }

void zki_merkle_hash_layers(zki_merkle_tree *t)
{
    zki_sha256_state mid;
    merkle_midstate(&mid);
    size_t off = 0;
    for (size_t s = t->n_leaves; s > 1; s /= 2) {
        hash_pairs_mid(t->nodes + off + s, t->nodes + off, s / 2, &mid);
        off += s;
    }
}

zki_status zki_merkle_build(zki_merkle_tree *t, const zki_digest *leaves, size_t n)
{
    if (t && !leaves) {
        t->n_leaves = 0;
        t->nodes = NULL;
        return zki_fail(ZKI_ERR_INPUT, "merkle_build: leaves is NULL");
    }
    zki_status st = zki_merkle_init(t, n);
    if (st != ZKI_OK) return st;
    memcpy(t->nodes, leaves, n * sizeof *t->nodes);
    zki_merkle_hash_layers(t);
    return ZKI_OK;
}

void zki_merkle_free(zki_merkle_tree *t)
{
    if (!t) return;
    free(t->nodes);
    t->nodes = NULL;
    t->n_leaves = 0;
}

const zki_digest *zki_merkle_root(const zki_merkle_tree *t)
{
    if (!t || !t->nodes || !is_pow2(t->n_leaves)) return NULL;
    return &t->nodes[2 * t->n_leaves - 2];
}

zki_status zki_merkle_path(const zki_merkle_tree *t, size_t index, zki_digest *path)
{
    if (!t || !t->nodes || !is_pow2(t->n_leaves))
        return zki_fail(ZKI_ERR_INPUT, "merkle_path: tree is not built");
    if (index >= t->n_leaves)
        return zki_fail(ZKI_ERR_INPUT, "merkle_path: leaf %zu out of range (%zu leaves)", index,
                        t->n_leaves);
    if (!path && t->n_leaves > 1) return zki_fail(ZKI_ERR_INPUT, "merkle_path: path is NULL");
    size_t off = 0, k = 0;
    for (size_t s = t->n_leaves; s > 1; s /= 2) {
        path[k++] = t->nodes[off + (index ^ 1)];
        off += s;
        index >>= 1;
    }
    return ZKI_OK;
}

int zki_merkle_verify_path(const zki_digest *root, size_t n_leaves, size_t index,
                           const zki_digest *leaf, const zki_digest *path)
{
    if (!root || !leaf || !is_pow2(n_leaves) || index >= n_leaves) return 0;
    if (!path && n_leaves > 1) return 0;
    zki_sha256_state mid;
    merkle_midstate(&mid);
    uint8_t lr[64];
    zki_digest cur = *leaf;
    for (size_t k = 0; ((size_t)1 << k) < n_leaves; k++) {
        memcpy(lr + 32 * (index & 1), cur.b, 32);
        memcpy(lr + 32 * ((index & 1) ^ 1), path[k].b, 32);
        merkle_node(&cur, &mid, lr);
        index >>= 1;
    }
    return memcmp(cur.b, root->b, ZKI_DIGEST_LEN) == 0;
}
