/* Internal: the SHA-256 engine behind hash/sha256.c and hash/merkle.c,
 * chosen at build time. Native builds use OpenSSL's (its assembly uses the
 * CPU's SHA extensions); a build defining ZKI_SHA256_PORTABLE (the
 * WebAssembly verifier, cmake/web.cmake) uses hash/sha256_portable.c, which
 * tests/test_sha256_portable.c checks against OpenSSL. Both give the same
 * digests, so proofs do not depend on the choice. */
#ifndef ZKI_HASH_SHA256_ENGINE_H
#define ZKI_HASH_SHA256_ENGINE_H

#include <stddef.h>
#include <stdint.h>

/* zki_sha256_state: a running hash. _init, _update, _final as usual;
 * _compress runs one compression on a state that holds no partial block
 * (a midstate: the Merkle nodes' domain block absorbed), and _chain reads
 * its chaining value h[0..7]. */

#ifdef ZKI_SHA256_PORTABLE
#include "hash/sha256_portable.h"

typedef zki_sha256p_ctx zki_sha256_state;

static inline void zki_sha256_state_init(zki_sha256_state *s) { zki_sha256p_init(s); }
static inline void zki_sha256_state_update(zki_sha256_state *s, const void *p, size_t n)
{
    zki_sha256p_update(s, p, n);
}
static inline void zki_sha256_state_final(zki_sha256_state *s, uint8_t out[32]) { zki_sha256p_final(s, out); }
static inline void zki_sha256_state_chain(const zki_sha256_state *s, uint32_t h[8])
{
    for (int j = 0; j < 8; j++)
        h[j] = s->h[j];
}
static inline void zki_sha256_state_compress(zki_sha256_state *s, const uint8_t block[64])
{
    zki_sha256p_compress(s->h, block);
}

#else
#include <openssl/sha.h>

typedef SHA256_CTX zki_sha256_state;

static inline void zki_sha256_state_init(zki_sha256_state *s) { SHA256_Init(s); }
static inline void zki_sha256_state_update(zki_sha256_state *s, const void *p, size_t n) { SHA256_Update(s, p, n); }
static inline void zki_sha256_state_final(zki_sha256_state *s, uint8_t out[32]) { SHA256_Final(out, s); }
static inline void zki_sha256_state_chain(const zki_sha256_state *s, uint32_t h[8])
{
    for (int j = 0; j < 8; j++)
        h[j] = (uint32_t)s->h[j];
}
static inline void zki_sha256_state_compress(zki_sha256_state *s, const uint8_t block[64])
{
    SHA256_Transform(s, block);
}
#endif

#endif
