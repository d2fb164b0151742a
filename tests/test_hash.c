/* SHA-256 against the FIPS 180-2 example vectors, the batch and incremental
 * interfaces against the one-shot hash, and the Merkle node function against
 * an independent C implementation of the SHA-256 compression function
 * (itself checked on the published "abc" block). */
#include <omp.h>
#include <openssl/sha.h>
#include <string.h>

#include "common/rng.h"
#include "hash/merkle.h"
#include "hash/sha256.h"
#include "test.h"

static int hex_eq(const zki_digest *d, const char *hex)
{
    char buf[2 * ZKI_DIGEST_LEN + 1];
    for (int i = 0; i < ZKI_DIGEST_LEN; i++) snprintf(buf + 2 * i, 3, "%02x", d->b[i]);
    return strcmp(buf, hex) == 0;
}

static const char *const H_EMPTY =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char *const H_ABC =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char *const M_448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char *const H_448 =
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
static const char *const H_MILLION_A =
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

static void test_vectors(void)
{
    zki_digest d;
    zki_sha256(&d, "", 0);
    CHECK(hex_eq(&d, H_EMPTY));
    zki_sha256(&d, NULL, 0);
    CHECK(hex_eq(&d, H_EMPTY));
    zki_sha256(&d, "abc", 3);
    CHECK(hex_eq(&d, H_ABC));
    zki_sha256(&d, M_448, strlen(M_448));
    CHECK(hex_eq(&d, H_448));

    /* One million 'a' in uneven chunks that straddle block boundaries. */
    static uint8_t a[1000];
    memset(a, 'a', sizeof a);
    zki_sha256_ctx *c = zki_sha256_new();
    CHECK(c != NULL);
    if (!c) return;
    size_t left = 1000000, step = 1;
    while (left) {
        size_t k = step < left ? step : left;
        zki_sha256_update(c, a, k);
        left -= k;
        step = step % 977 + 13; /* stays <= 989 < sizeof a */
    }
    zki_sha256_final(c, &d);
    CHECK(hex_eq(&d, H_MILLION_A));

    /* Reset after final gives a fresh context. */
    zki_sha256_reset(c);
    zki_sha256_update(c, "ab", 2);
    zki_sha256_update(c, "c", 1);
    zki_sha256_final(c, &d);
    CHECK(hex_eq(&d, H_ABC));
    zki_sha256_reset(c);
    zki_sha256_final(c, &d);
    CHECK(hex_eq(&d, H_EMPTY));
    zki_sha256_free(c);
    zki_sha256_free(NULL);
}

static void test_incremental_copy(void)
{
    zki_rng g;
    zki_rng_seed(&g, 7);
    uint8_t msg[300];
    for (size_t i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)zki_rng_u64(&g);
    zki_sha256_ctx *a = zki_sha256_new(), *b = zki_sha256_new();
    CHECK(a && b);
    if (!a || !b) return;
    int bad = 0;
    /* For every split point: absorb the prefix, copy, and finish both the
     * original and the copy with different suffixes. */
    for (size_t cut = 0; cut <= sizeof msg; cut++) {
        zki_digest want1, want2, got1, got2;
        zki_sha256(&want1, msg, sizeof msg);
        zki_sha256(&want2, msg, cut);
        zki_sha256_reset(a);
        zki_sha256_update(a, msg, cut);
        zki_sha256_update(b, "junk", 4); /* the copy must overwrite this */
        zki_sha256_copy(b, a);
        zki_sha256_update(a, msg + cut, sizeof msg - cut);
        zki_sha256_final(a, &got1);
        zki_sha256_final(b, &got2); /* b saw only the prefix */
        if (memcmp(&got1, &want1, sizeof got1) || memcmp(&got2, &want2, sizeof got2)) bad++;
        zki_sha256_reset(b);
    }
    CHECK_MSG(bad == 0, "%d split points mismatched", bad);
    zki_sha256_free(a);
    zki_sha256_free(b);
}

static void test_many(void)
{
    zki_rng g;
    zki_rng_seed(&g, 11);
    static const char *const tags[] = {NULL, "", "t", "zkinfer/leaf/v1",
                                       "a tag that is longer than one 64-byte block of SHA-256 "
                                       "input, to cross the boundary"};
    static const size_t lens[] = {0, 1, 31, 55, 56, 63, 64, 65, 119, 200};
    enum { COUNT = 9 };
    uint8_t msgs[COUNT * 200], buf[128 + 200];
    int bad = 0, checked = 0;
    for (size_t t = 0; t < sizeof tags / sizeof tags[0]; t++) {
        for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
            size_t len = lens[l];
            for (size_t i = 0; i < sizeof msgs; i++) msgs[i] = (uint8_t)zki_rng_u64(&g);
            zki_digest out[COUNT + 1], want;
            memset(&out[COUNT], 0xAB, sizeof out[COUNT]);
            zki_sha256_many(out, tags[t], msgs, len, COUNT);
            size_t tl = tags[t] ? strlen(tags[t]) : 0;
            for (size_t i = 0; i < COUNT; i++) {
                memcpy(buf, tags[t] ? tags[t] : "", tl);
                memcpy(buf + tl, msgs + i * len, len);
                zki_sha256(&want, buf, tl + len);
                if (memcmp(&out[i], &want, sizeof want)) bad++;
                checked++;
            }
            /* Nothing written past count. */
            for (int j = 0; j < ZKI_DIGEST_LEN; j++)
                if (out[COUNT].b[j] != 0xAB) bad++;
        }
    }
    CHECK_MSG(bad == 0, "%d of %d batch digests mismatched", bad, checked);
    /* Different tags separate equal messages. */
    zki_digest x, y;
    zki_sha256_many(&x, "leaf", msgs, 32, 1);
    zki_sha256_many(&y, "node", msgs, 32, 1);
    CHECK(memcmp(&x, &y, sizeof x) != 0);
    zki_sha256_many(&x, NULL, (const uint8_t *)"abc", 3, 1);
    CHECK(hex_eq(&x, H_ABC));
}

/* ---- independent SHA-256 compression function (FIPS 180-4, 6.2.2) ---- */

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};
static const uint32_t IV[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

static uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void ref_compress(uint32_t h[8], const uint8_t blk[64])
{
    uint32_t w[64], v[8];
    for (int t = 0; t < 16; t++)
        w[t] = (uint32_t)blk[4 * t] << 24 | (uint32_t)blk[4 * t + 1] << 16 |
               (uint32_t)blk[4 * t + 2] << 8 | blk[4 * t + 3];
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    memcpy(v, h, sizeof v);
    for (int t = 0; t < 64; t++) {
        uint32_t t1 = v[7] + (rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25)) +
                      ((v[4] & v[5]) ^ (~v[4] & v[6])) + K[t] + w[t];
        uint32_t t2 = (rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22)) +
                      ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
        memmove(v + 1, v, 7 * sizeof v[0]);
        v[4] += t1;
        v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++) h[i] += v[i];
}

static void words_to_digest(zki_digest *d, const uint32_t h[8])
{
    for (int j = 0; j < 8; j++)
        for (int k = 0; k < 4; k++) d->b[4 * j + k] = (uint8_t)(h[j] >> (24 - 8 * k));
}

/* The single padded block of "abc" (FIPS 180-2, appendix B.1). */
static void abc_block(uint8_t blk[64])
{
    memset(blk, 0, 64);
    memcpy(blk, "abc", 3);
    blk[3] = 0x80;
    blk[63] = 24; /* message length in bits */
}

/* Test-only: OpenSSL's compression from the standard IV (SHA256_Init). */
static void openssl_compress_from_iv(zki_digest *out, const uint8_t blk[64])
{
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Transform(&c, blk);
    uint32_t h[8];
    for (int j = 0; j < 8; j++) h[j] = (uint32_t)c.h[j];
    words_to_digest(out, h);
}

static void test_compression(void)
{
    uint8_t blk[64];
    abc_block(blk);
    zki_digest d;
    openssl_compress_from_iv(&d, blk);
    CHECK(hex_eq(&d, H_ABC));

    uint32_t h[8];
    memcpy(h, IV, sizeof h);
    ref_compress(h, blk);
    words_to_digest(&d, h);
    CHECK(hex_eq(&d, H_ABC));

    /* Two-block message: the reference chained over both padded blocks. */
    uint8_t two[128] = {0};
    memcpy(two, M_448, 56);
    two[56] = 0x80;
    two[126] = 0x01; /* 448 bits = 0x1c0 */
    two[127] = 0xc0;
    memcpy(h, IV, sizeof h);
    ref_compress(h, two);
    ref_compress(h, two + 64);
    words_to_digest(&d, h);
    CHECK(hex_eq(&d, H_448));
}

/* Merkle node = compression of L||R from the state after the zero-padded
 * domain block, computed here with the reference compression only. */
static void ref_node(zki_digest *out, const zki_digest *l, const zki_digest *r)
{
    static const char dom[] = "zkinfer/merkle-node/v1";
    uint8_t blk[64] = {0};
    uint32_t h[8];
    memcpy(h, IV, sizeof h);
    memcpy(blk, dom, sizeof dom - 1);
    ref_compress(h, blk);
    memcpy(blk, l->b, 32);
    memcpy(blk + 32, r->b, 32);
    ref_compress(h, blk);
    words_to_digest(out, h);
}

static void test_node_hash(void)
{
    zki_rng g;
    zki_rng_seed(&g, 3);
    enum { N = 5000 }; /* above the parallel threshold */
    static zki_digest in[2 * N], out[N];
    for (size_t i = 0; i < 2 * N; i++)
        for (int j = 0; j < ZKI_DIGEST_LEN; j++) in[i].b[j] = (uint8_t)zki_rng_u64(&g);
    memset(in, 0, 2 * sizeof in[0]); /* include the all-zero pair */
    zki_merkle_hash_pairs(out, in, N);
    int bad = 0;
    for (size_t i = 0; i < N; i++) {
        zki_digest want;
        ref_node(&want, &in[2 * i], &in[2 * i + 1]);
        if (memcmp(&want, &out[i], sizeof want)) bad++;
    }
    CHECK_MSG(bad == 0, "%d of %d nodes differ from the reference", bad, N);

    /* Order matters and a node is not a plain SHA-256 of L||R. */
    zki_digest lr, rl, plain;
    zki_merkle_hash_pairs(&lr, &in[2], 1);
    zki_digest sw[2] = {in[3], in[2]};
    zki_merkle_hash_pairs(&rl, sw, 1);
    zki_sha256(&plain, &in[2], 64);
    CHECK(memcmp(&lr, &rl, sizeof lr) != 0);
    CHECK(memcmp(&lr, &plain, sizeof lr) != 0);
    zki_merkle_hash_pairs(out, in, 0); /* count 0 is a no-op */
}

/* The chunked digest: its definition rebuilt from plain SHA-256 at lengths
 * around the chunk size, the same at 1 and 2 threads, and different from a
 * plain SHA-256 and from its neighbours' lengths. */
static void test_chunked(void)
{
    size_t C = ZKI_SHA256_CHUNK;
    uint8_t *buf = malloc(3 * C + 5);
    zki_rng g;
    zki_rng_seed(&g, 12);
    for (size_t i = 0; i < 3 * C + 5; i++)
        buf[i] = (uint8_t)zki_rng_u64(&g);
    static const size_t lens[] = {0, 1, 100, (size_t)1 << 20, ((size_t)1 << 20) + 1, (3u << 20) + 5};
    zki_digest prev;
    memset(&prev, 0, sizeof prev);
    for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
        size_t len = lens[l], n = (len + C - 1) / C;
        uint8_t *msg = malloc(25 + 16 + 32 * (n ? n : 1));
        memcpy(msg, "zkinfer/chunked-sha256/v1", 25);
        for (int i = 0; i < 8; i++) {
            msg[25 + i] = (uint8_t)((uint64_t)len >> (8 * i));
            msg[33 + i] = (uint8_t)((uint64_t)C >> (8 * i));
        }
        for (size_t i = 0; i < n; i++) {
            zki_digest d;
            zki_sha256(&d, buf + i * C, len - i * C < C ? len - i * C : C);
            memcpy(msg + 41 + 32 * i, d.b, 32);
        }
        zki_digest want, got1, got2, plain;
        zki_sha256(&want, msg, 41 + 32 * n);
        omp_set_num_threads(1);
        zki_sha256_chunked(&got1, buf, len);
        omp_set_num_threads(2);
        zki_sha256_chunked(&got2, buf, len);
        zki_sha256(&plain, buf, len);
        CHECK_MSG(!memcmp(&want, &got1, sizeof want) && !memcmp(&want, &got2, sizeof want), "len %zu", len);
        CHECK(memcmp(&want, &plain, sizeof want) != 0 && memcmp(&want, &prev, sizeof want) != 0);
        prev = want;
        free(msg);
    }
    free(buf);
}

int main(void)
{
    test_chunked();
    test_vectors();
    test_incremental_copy();
    test_many();
    test_compression();
    test_node_hash();
    return TEST_SUMMARY();
}
