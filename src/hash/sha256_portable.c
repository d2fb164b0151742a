/* SHA-256 from FIPS 180-4 (sections 4.1.2, 4.2.2, 5.1.1, 5.3.3, 6.2), in
 * plain C: eight rounds a loop with the working variables renamed rather
 * than moved, the message schedule in a ring of 16 words. The WebAssembly
 * verifier spends about a third of its time here (Merkle paths). */
#include "hash/sha256_portable.h"

#include <string.h>

/* First 32 bits of the fractional parts of the cube roots of the first 64
 * primes (section 4.2.2). */
static const uint32_t round_k[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u,
};

/* First 32 bits of the fractional parts of the square roots of the first 8
 * primes (section 5.3.3). */
static const uint32_t initial_h[8] = {
    0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au, 0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u,
};

static inline uint32_t rotr(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

static inline uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline void store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* The functions of section 4.1.2. */
static inline uint32_t big_sigma0(uint32_t x) { return rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22); }
static inline uint32_t big_sigma1(uint32_t x) { return rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25); }
static inline uint32_t small_sigma0(uint32_t x) { return rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3); }
static inline uint32_t small_sigma1(uint32_t x) { return rotr(x, 17) ^ rotr(x, 19) ^ (x >> 10); }
static inline uint32_t choose(uint32_t x, uint32_t y, uint32_t z) { return (x & y) ^ (~x & z); }
static inline uint32_t majority(uint32_t x, uint32_t y, uint32_t z) { return (x & y) ^ (x & z) ^ (y & z); }

/* W_t of the message schedule (section 6.2.2 step 1), kept in a ring of
 * the last 16 words: w[t mod 16] holds W_(t-16) until it is replaced. */
static inline uint32_t schedule(uint32_t w[16], int t)
{
    if (t >= 16)
        w[t & 15] += small_sigma1(w[(t - 2) & 15]) + w[(t - 7) & 15] + small_sigma0(w[(t - 15) & 15]);
    return w[t & 15];
}

/* Round t (section 6.2.2 step 3) with the working variables named by
 * role: instead of shifting a..h down one place each round, the caller
 * names them one place further on, so only d (the new e) and h (the new a)
 * are written. */
#define SHA256_ROUND(a, b, c, d, e, f, g, h, t)                                                   \
    do {                                                                                          \
        uint32_t t1 = h + big_sigma1(e) + choose(e, f, g) + round_k[t] + schedule(w, t);          \
        d += t1;                                                                                  \
        h = t1 + big_sigma0(a) + majority(a, b, c);                                               \
    } while (0)

void zki_sha256p_compress(uint32_t state[8], const uint8_t block[64])
{
    uint32_t w[16];
    for (int t = 0; t < 16; t++)
        w[t] = load_be32(block + 4 * t);
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int t = 0; t < 64; t += 8) {
        SHA256_ROUND(a, b, c, d, e, f, g, h, t);
        SHA256_ROUND(h, a, b, c, d, e, f, g, t + 1);
        SHA256_ROUND(g, h, a, b, c, d, e, f, t + 2);
        SHA256_ROUND(f, g, h, a, b, c, d, e, t + 3);
        SHA256_ROUND(e, f, g, h, a, b, c, d, t + 4);
        SHA256_ROUND(d, e, f, g, h, a, b, c, t + 5);
        SHA256_ROUND(c, d, e, f, g, h, a, b, t + 6);
        SHA256_ROUND(b, c, d, e, f, g, h, a, t + 7);
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
}

void zki_sha256p_init(zki_sha256p_ctx *c)
{
    memcpy(c->h, initial_h, sizeof c->h);
    c->n_bytes = 0;
    c->buf_len = 0;
}

void zki_sha256p_update(zki_sha256p_ctx *c, const void *data, size_t len)
{
    const uint8_t *p = data;
    c->n_bytes += len;
    if (c->buf_len) { /* top up the partial block first */
        size_t take = 64 - c->buf_len < len ? 64 - c->buf_len : len;
        memcpy(c->buf + c->buf_len, p, take);
        c->buf_len += take;
        p += take;
        len -= take;
        if (c->buf_len < 64)
            return;
        zki_sha256p_compress(c->h, c->buf);
        c->buf_len = 0;
    }
    for (; len >= 64; p += 64, len -= 64)
        zki_sha256p_compress(c->h, p);
    memcpy(c->buf, p, len);
    c->buf_len = len;
}

void zki_sha256p_final(zki_sha256p_ctx *c, uint8_t out[32])
{
    /* Section 5.1.1: a 1 bit, zeros to 56 mod 64 bytes, the bit length
     * as a 64-bit big-endian integer. */
    uint64_t n_bits = c->n_bytes * 8;
    c->buf[c->buf_len++] = 0x80;
    if (c->buf_len > 56) {
        memset(c->buf + c->buf_len, 0, 64 - c->buf_len);
        zki_sha256p_compress(c->h, c->buf);
        c->buf_len = 0;
    }
    memset(c->buf + c->buf_len, 0, 56 - c->buf_len);
    store_be32(c->buf + 56, (uint32_t)(n_bits >> 32));
    store_be32(c->buf + 60, (uint32_t)n_bits);
    zki_sha256p_compress(c->h, c->buf);
    for (int j = 0; j < 8; j++)
        store_be32(out + 4 * j, c->h[j]);
}
