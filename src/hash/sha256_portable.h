/* SHA-256 in plain C (FIPS 180-4), for builds without OpenSSL: the
 * WebAssembly verifier (wasm/, docs/wasm.md). Native builds hash with
 * OpenSSL and compile this file only so tests/test_sha256_portable.c can
 * hold it to OpenSSL's digests byte for byte. The engine the library uses
 * is chosen at build time in hash/sha256_engine.h. */
#ifndef ZKI_HASH_SHA256_PORTABLE_H
#define ZKI_HASH_SHA256_PORTABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t h[8];     /* chaining value */
    uint64_t n_bytes;  /* message bytes absorbed so far */
    uint8_t buf[64];   /* the incomplete block */
    size_t buf_len;    /* bytes in buf, < 64 */
} zki_sha256p_ctx;

void zki_sha256p_init(zki_sha256p_ctx *c);
void zki_sha256p_update(zki_sha256p_ctx *c, const void *data, size_t len);
/* Pads, writes the digest; c must be re-initialised before reuse. */
void zki_sha256p_final(zki_sha256p_ctx *c, uint8_t out[32]);
/* One compression of a 64-byte block into the chaining value h (FIPS
 * 180-4 section 6.2.2), without padding: the Merkle nodes' midstate step. */
void zki_sha256p_compress(uint32_t h[8], const uint8_t block[64]);

#endif
