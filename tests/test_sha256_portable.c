/* The portable SHA-256 (hash/sha256_portable.c, the WebAssembly build's
 * engine) against the FIPS 180-4 / NIST example vectors and byte for byte
 * against OpenSSL (the native engine): every length 0..300, a few MB,
 * streamed in odd chunk sizes, and the one-block compression the Merkle
 * nodes use. If the two engines ever disagreed, a proof made natively
 * would be rejected in the browser. */
#include <openssl/sha.h>
#include <string.h>

#include "common/rng.h"
#include "hash/sha256_portable.h"
#include "test.h"

static void portable_digest(const void *data, size_t len, uint8_t out[32])
{
    zki_sha256p_ctx c;
    zki_sha256p_init(&c);
    zki_sha256p_update(&c, data, len);
    zki_sha256p_final(&c, out);
}

static int hex_is(const uint8_t d[32], const char *hex)
{
    char buf[65];
    for (int i = 0; i < 32; i++)
        snprintf(buf + 2 * i, 3, "%02x", d[i]);
    return strcmp(buf, hex) == 0;
}

/* NIST's SHA-256 examples (FIPS 180-4 appendix / CSRC example values). */
static void test_nist_vectors(void)
{
    uint8_t d[32];
    portable_digest("", 0, d);
    CHECK(hex_is(d, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    portable_digest("abc", 3, d);
    CHECK(hex_is(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    portable_digest(m448, strlen(m448), d);
    CHECK(hex_is(d, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
                       "mnopqrstnopqrstu";
    portable_digest(m896, strlen(m896), d);
    CHECK(hex_is(d, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"));
    /* one million 'a', fed 1000 at a time */
    char a[1000];
    memset(a, 'a', sizeof a);
    zki_sha256p_ctx c;
    zki_sha256p_init(&c);
    for (int i = 0; i < 1000; i++)
        zki_sha256p_update(&c, a, sizeof a);
    zki_sha256p_final(&c, d);
    CHECK(hex_is(d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
}

/* Every length 0..300 (all the padding cases: the 0x80 byte and the length
 * in the same block, or spilling into a second one) against OpenSSL. */
static void test_all_short_lengths(const uint8_t *buf)
{
    for (size_t len = 0; len <= 300; len++) {
        uint8_t mine[32], ref[32];
        portable_digest(buf, len, mine);
        SHA256(buf, len, ref);
        CHECK_MSG(memcmp(mine, ref, 32) == 0, "length %zu", len);
    }
}

/* Megabytes, in one update and streamed in odd chunk sizes (1, 3, 63, 65,
 * 127, 1000003 bytes ... ), against OpenSSL's one-shot digest. */
static void test_long_and_streamed(const uint8_t *buf, size_t len)
{
    uint8_t ref[32], mine[32];
    SHA256(buf, len, ref);
    portable_digest(buf, len, mine);
    CHECK(memcmp(mine, ref, 32) == 0);
    static const size_t chunks[] = {1, 3, 7, 63, 64, 65, 127, 129, 4095, 1000003};
    for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
        size_t total = chunks[k] < 64 ? len / 64 : len; /* byte-at-a-time on a shorter prefix */
        uint8_t want[32];
        SHA256(buf, total, want);
        zki_sha256p_ctx c;
        zki_sha256p_init(&c);
        for (size_t o = 0; o < total; o += chunks[k])
            zki_sha256p_update(&c, buf + o, total - o < chunks[k] ? total - o : chunks[k]);
        zki_sha256p_final(&c, mine);
        CHECK_MSG(memcmp(mine, want, 32) == 0, "chunks of %zu over %zu bytes", chunks[k], total);
    }
    /* chunk sizes that vary, from the generator */
    zki_rng r;
    zki_rng_seed(&r, 42);
    zki_sha256p_ctx c;
    zki_sha256p_init(&c);
    size_t o = 0;
    while (o < len) {
        size_t step = 1 + (size_t)(zki_rng_u64(&r) % 700);
        step = step < len - o ? step : len - o;
        zki_sha256p_update(&c, buf + o, step);
        o += step;
    }
    zki_sha256p_final(&c, mine);
    CHECK(memcmp(mine, ref, 32) == 0);
}

/* One compression on a midstate, as the Merkle nodes use it (hash/merkle.c),
 * against OpenSSL's SHA256_Transform on the same state. */
static void test_compress_matches_transform(const uint8_t *buf)
{
    for (int t = 0; t < 64; t++) {
        SHA256_CTX ref;
        SHA256_Init(&ref);
        SHA256_Update(&ref, buf + 64 * t, 64); /* a whole block: a midstate */
        zki_sha256p_ctx mine;
        zki_sha256p_init(&mine);
        zki_sha256p_update(&mine, buf + 64 * t, 64);
        SHA256_Transform(&ref, buf + 4096 + 64 * t);
        zki_sha256p_compress(mine.h, buf + 4096 + 64 * t);
        int same = 1;
        for (int j = 0; j < 8; j++)
            same &= (uint32_t)ref.h[j] == mine.h[j];
        CHECK_MSG(same, "block %d", t);
    }
}

int main(void)
{
    const size_t big = (3u << 20) + 17; /* a few MB, not a whole number of blocks */
    uint8_t *buf = malloc(big);
    if (!buf) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    zki_rng r;
    zki_rng_seed(&r, 7);
    for (size_t i = 0; i < big; i++)
        buf[i] = (uint8_t)zki_rng_u64(&r);
    test_nist_vectors();
    test_all_short_lengths(buf);
    test_long_and_streamed(buf, big);
    test_compress_matches_transform(buf);
    free(buf);
    return TEST_SUMMARY();
}
