/* Deterministic, NON-cryptographic generator (xoshiro256**) for tests,
 * benchmarks and reproducible random instances. Never use it for secrets or
 * masks in proofs: those come from zki_random_bytes (OS entropy). */
#ifndef ZKI_COMMON_RNG_H
#define ZKI_COMMON_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
} zki_rng;

void zki_rng_seed(zki_rng *g, uint64_t seed);
uint64_t zki_rng_u64(zki_rng *g);
/* Uniform in [0, bound), bound > 0, without modulo bias. */
uint64_t zki_rng_below(zki_rng *g, uint64_t bound);

#endif
