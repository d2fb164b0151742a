/* SHA-256 (OpenSSL natively, hash/sha256_portable.c in the WebAssembly build:
 * hash/sha256_engine.h) and the digest type used everywhere. The hot paths
 * (Merkle layers, leaf hashing) hash many messages per call
 * with one reused context: no per-message one-shot calls. */
#ifndef ZKI_HASH_SHA256_H
#define ZKI_HASH_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define ZKI_DIGEST_LEN 32

typedef struct {
    uint8_t b[ZKI_DIGEST_LEN];
} zki_digest;

/* Plain SHA-256 of one message (not for hot loops). */
void zki_sha256(zki_digest *out, const void *data, size_t len);

/* A digest of a large buffer that threads compute together (the same for
 * any thread count): SHA-256("zkinfer/chunked-sha256/v1" || u64le len ||
 * u64le ZKI_SHA256_CHUNK || D_0 || ... || D_{n-1}), D_i the SHA-256 of bytes
 * [i C, min((i + 1) C, len)), C = ZKI_SHA256_CHUNK (n = 0 for len 0). Not
 * a plain SHA-256 of data. */
#define ZKI_SHA256_CHUNK ((size_t)1 << 20)
void zki_sha256_chunked(zki_digest *out, const void *data, size_t len);

/* out[i] = SHA-256(tag || msgs[i*len .. (i+1)*len)) for i < count, where tag
 * is a short domain-separation string (may be NULL). */
void zki_sha256_many(zki_digest *out, const char *tag, const uint8_t *msgs, size_t len,
                     size_t count);

/* The first nbytes of d as lower-case hex into out (2 nbytes + 1 chars),
 * for messages that name a digest. */
void zki_digest_hex(const zki_digest *d, size_t nbytes, char *out);

/* Incremental hashing (transcript, leaf hashing of strided data). */
typedef struct zki_sha256_ctx zki_sha256_ctx;
zki_sha256_ctx *zki_sha256_new(void);
void zki_sha256_free(zki_sha256_ctx *c);
void zki_sha256_reset(zki_sha256_ctx *c);
void zki_sha256_update(zki_sha256_ctx *c, const void *data, size_t len);
/* Writes the digest of everything absorbed; the context may be reset after. */
void zki_sha256_final(zki_sha256_ctx *c, zki_digest *out);
/* dst continues from src's state. */
void zki_sha256_copy(zki_sha256_ctx *dst, const zki_sha256_ctx *src);

#endif
