/* The key format's varints (protocol/bytes.h): every signed value round
 * trips through its zigzag LEB128 encoding in the fewest bytes; overlong,
 * over-64-bit and truncated encodings are refused, so a key has exactly
 * one encoding (its hash names it). */
#include <stdio.h>

#include "common/rng.h"
#include "protocol/bytes.h"
#include "test.h"

static size_t encoded_len(uint64_t u)
{
    size_t n = 1;
    while (u >>= 7)
        n++;
    return n;
}

static void roundtrip(int64_t v)
{
    zki_wbuf w = {0};
    zki_wb_svarint(&w, v);
    uint64_t zz = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    zki_rbuf r = {w.p, w.n, 0};
    int64_t got = 0;
    CHECK_MSG(!w.oom && w.n == encoded_len(zz) && zki_rb_svarint(&r, &got) && got == v && zki_rb_left(&r) == 0,
              "%lld: %zu bytes, read back %lld", (long long)v, w.n, (long long)got);
    free(w.p);
}

static int reads(const uint8_t *b, size_t n)
{
    zki_rbuf r = {b, n, 0};
    uint64_t u;
    return zki_rb_varint(&r, &u) && zki_rb_left(&r) == 0;
}

int main(void)
{
    const int64_t edge[] = {0, 1, -1, 63, -64, 64, -65, 8191, -8192, 8192, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++)
        roundtrip(edge[i]);
    zki_rng g;
    zki_rng_seed(&g, 5);
    for (int i = 0; i < 20000; i++) /* magnitudes of every bit length */
        roundtrip((int64_t)(zki_rng_u64(&g) >> zki_rng_below(&g, 64)));
    const uint8_t one[] = {0x01}, big[] = {0x80, 0x01}, max64[] = {0xff, 0xff, 0xff, 0xff, 0xff,
                                                                   0xff, 0xff, 0xff, 0xff, 0x01};
    CHECK(reads(one, 1) && reads(big, 2) && reads(max64, 10));
    const uint8_t overlong[] = {0x81, 0x00}, zero2[] = {0x80, 0x00}, over64[] = {0xff, 0xff, 0xff, 0xff, 0xff,
                                                                                0xff, 0xff, 0xff, 0xff, 0x02};
    const uint8_t eleven[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, cut[] = {0x80};
    CHECK_MSG(!reads(overlong, 2) && !reads(zero2, 2), "an overlong varint was read");
    CHECK_MSG(!reads(over64, 10) && !reads(eleven, 11), "a varint beyond 64 bits was read");
    CHECK_MSG(!reads(cut, 1), "a truncated varint was read");
    printf("varints: %zu edge values and 20000 random ones round trip; 5 malformed encodings refused\n",
           sizeof edge / sizeof edge[0]);
    return TEST_SUMMARY();
}
