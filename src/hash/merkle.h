/* Binary Merkle trees over 32-byte leaf digests.
 *
 * Node hash: H(L, R) = SHA-256 compression function applied to L || R from
 * a fixed, domain-separated chaining value (the SHA-256 state after one
 * 64-byte block "zkinfer/merkle-node/v1" zero-padded). Inputs are always
 * exactly 64 bytes, so no padding block is needed: one compression per node.
 * Leaves are produced by the caller (e.g. a full SHA-256 of a column with
 * its own domain tag), which separates leaves from nodes.
 *
 * Layout: nodes[0 .. n) are the leaves, then each layer above, root last
 * (2n - 1 digests for n leaves, n a power of two >= 1). Layers are hashed
 * many nodes per call and in parallel; the result is thread-count
 * independent. */
#ifndef ZKI_HASH_MERKLE_H
#define ZKI_HASH_MERKLE_H

#include "hash/sha256.h"
#include "zkinfer.h"

typedef struct {
    size_t n_leaves; /* power of two */
    zki_digest *nodes; /* 2 n_leaves - 1 */
} zki_merkle_tree;

/* out[i] = H(in[2i], in[2i+1]) for i < count. */
void zki_merkle_hash_pairs(zki_digest *out, const zki_digest *in, size_t count);

/* Two-phase build for callers that compute leaves in place: init allocates
 * (leaves uninitialised), the caller writes zki_merkle_leaves(t)[0..n),
 * hash_layers computes every node above. Errors as for build. */
zki_status zki_merkle_init(zki_merkle_tree *t, size_t n);
zki_digest *zki_merkle_leaves(zki_merkle_tree *t);
void zki_merkle_hash_layers(zki_merkle_tree *t);

/* Builds the tree, copying the leaves. ZKI_ERR_INPUT if n is not a power
 * of two, ZKI_ERR_NOMEM on allocation failure. */
zki_status zki_merkle_build(zki_merkle_tree *t, const zki_digest *leaves, size_t n);
void zki_merkle_free(zki_merkle_tree *t);
const zki_digest *zki_merkle_root(const zki_merkle_tree *t);

/* Authentication path of leaf `index`: log2(n) sibling digests, bottom up. */
zki_status zki_merkle_path(const zki_merkle_tree *t, size_t index, zki_digest *path);
/* 1 if the path leads from leaf to root, else 0. */
int zki_merkle_verify_path(const zki_digest *root, size_t n_leaves, size_t index,
                           const zki_digest *leaf, const zki_digest *path);

#endif
