/* Internal: OS randomness for the prover's hiding pads and seeds, from
 * OpenSSL natively and from getentropy (WASI's random_get) in the build
 * without OpenSSL (ZKI_SHA256_PORTABLE, the WebAssembly verifier, which
 * draws none: the calls are compiled but not reached). */
#ifndef ZKI_HASH_ENTROPY_H
#define ZKI_HASH_ENTROPY_H

#include <stdint.h>

#ifdef ZKI_SHA256_PORTABLE
#include <sys/random.h> /* getentropy */
#else
#include <openssl/rand.h>
#endif

/* 1 with buf filled from the OS's entropy source, 0 when it fails. */
static inline int zki_os_entropy32(uint8_t buf[32])
{
#ifdef ZKI_SHA256_PORTABLE
    return getentropy(buf, 32) == 0;
#else
    return RAND_bytes(buf, 32) == 1;
#endif
}

#endif
