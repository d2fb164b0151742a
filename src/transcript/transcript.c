#include "transcript/transcript.h"

#include <string.h>

#include "common/check.h"
#include "common/error.h"

/* Absorb kinds: distinct first bytes keep every message type apart. */
enum {
    TS_INIT = 0x01,
    TS_BYTES = 0x02,
    TS_U64 = 0x03,
    TS_FE = 0x04,
    TS_EXT = 0x05,
    TS_FE_VEC = 0x06,
    TS_EXT_VEC = 0x07,
    TS_DIGEST = 0x08,
    TS_CHALLENGE = 0x10,
    TS_SQUEEZE = 0x11,
    TS_CHAIN = 0x12
};

static void put_u32(uint8_t *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_u64(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

/* kind || label length || label || payload length; the payload follows. */
static void absorb_header(zki_transcript *t, uint8_t kind, const char *label, uint64_t len)
{
    ZKI_VERIFY_CHECK(t && t->h); /* initialised, not freed */
    uint8_t hdr[13];
    size_t llen = label ? strlen(label) : 0;
    hdr[0] = kind;
    put_u32(hdr + 1, (uint32_t)llen);
    zki_sha256_update(t->h, hdr, 5);
    if (llen)
        zki_sha256_update(t->h, label, llen);
    put_u64(hdr, len);
    zki_sha256_update(t->h, hdr, 8);
}

zki_status zki_ts_init(zki_transcript *t, const char *protocol_id, uint32_t version)
{
    t->h = zki_sha256_new();
    t->n_challenges = 0;
    t->zk = NULL;
    if (!t->h)
        return zki_fail(ZKI_ERR_NOMEM, "transcript: out of memory");
    uint8_t v[4];
    put_u32(v, version);
    absorb_header(t, TS_INIT, protocol_id, 4);
    zki_sha256_update(t->h, v, 4);
    return ZKI_OK;
}

void zki_ts_free(zki_transcript *t)
{
    zki_sha256_free(t->h);
    t->h = NULL;
}

void zki_ts_absorb_bytes(zki_transcript *t, const char *label, const void *data, size_t len)
{
    absorb_header(t, TS_BYTES, label, len);
    if (len)
        zki_sha256_update(t->h, data, len);
}

void zki_ts_absorb_u64(zki_transcript *t, const char *label, uint64_t v)
{
    uint8_t b[8];
    put_u64(b, v);
    absorb_header(t, TS_U64, label, 8);
    zki_sha256_update(t->h, b, 8);
}

void zki_ts_absorb_fe(zki_transcript *t, const char *label, zki_fe v)
{
    uint8_t b[8];
    ZKI_VERIFY_CHECK(ZKI_FE_CANON(v)); /* else prover and verifier may bind different bytes */
    zki_fe_to_bytes(b, v);
    absorb_header(t, TS_FE, label, 8);
    zki_sha256_update(t->h, b, 8);
}

void zki_ts_absorb_ext(zki_transcript *t, const char *label, zki_ext v)
{
    uint8_t b[16];
    ZKI_VERIFY_CHECK(ZKI_EXT_CANON(v));
    zki_ext_to_bytes(b, v);
    absorb_header(t, TS_EXT, label, 16);
    zki_sha256_update(t->h, b, 16);
}

/* Vectors are encoded in chunks to keep the stack buffer small. */
void zki_ts_absorb_fe_vec(zki_transcript *t, const char *label, const zki_fe *v, size_t n)
{
    uint8_t buf[8 * 256];
    ZKI_VERIFY_CHECK(v || n == 0);
    ZKI_VERIFY_CHECK_EACH(i, n, ZKI_FE_CANON(v[i]));
    absorb_header(t, TS_FE_VEC, label, (uint64_t)n * 8);
    for (size_t i = 0; i < n; i += 256) {
        size_t m = n - i < 256 ? n - i : 256;
        for (size_t j = 0; j < m; j++)
            zki_fe_to_bytes(buf + 8 * j, v[i + j]);
        zki_sha256_update(t->h, buf, 8 * m);
    }
}

void zki_ts_absorb_ext_vec(zki_transcript *t, const char *label, const zki_ext *v, size_t n)
{
    uint8_t buf[16 * 128];
    ZKI_VERIFY_CHECK(v || n == 0);
    ZKI_VERIFY_CHECK_EACH(i, n, ZKI_EXT_CANON(v[i]));
    absorb_header(t, TS_EXT_VEC, label, (uint64_t)n * 16);
    for (size_t i = 0; i < n; i += 128) {
        size_t m = n - i < 128 ? n - i : 128;
        for (size_t j = 0; j < m; j++)
            zki_ext_to_bytes(buf + 16 * j, v[i + j]);
        zki_sha256_update(t->h, buf, 16 * m);
    }
}

void zki_ts_absorb_digest(zki_transcript *t, const char *label, const zki_digest *d)
{
    absorb_header(t, TS_DIGEST, label, ZKI_DIGEST_LEN);
    zki_sha256_update(t->h, d->b, ZKI_DIGEST_LEN);
}

/* Squeezes 64-bit words for one challenge: seed = H(state || CHALLENGE
 * label || counter), words from H(seed || block index); then the state
 * restarts from H(CHAIN || seed) so later absorbs depend on the challenge. */
typedef struct {
    zki_digest seed;
    uint64_t block;
    uint8_t buf[32];
    unsigned pos;
} ts_stream;

static void stream_begin(zki_transcript *t, const char *label, ts_stream *s)
{
    absorb_header(t, TS_CHALLENGE, label, 8);
    uint8_t c[8];
    put_u64(c, t->n_challenges++);
    zki_sha256_update(t->h, c, 8);
    zki_sha256_final(t->h, &s->seed);
    zki_sha256_reset(t->h);
    uint8_t kind = TS_CHAIN;
    zki_sha256_update(t->h, &kind, 1);
    zki_sha256_update(t->h, s->seed.b, ZKI_DIGEST_LEN);
    s->block = 0;
    s->pos = 32;
}

static uint64_t stream_u64(ts_stream *s)
{
    if (s->pos == 32) {
        uint8_t msg[1 + ZKI_DIGEST_LEN + 8];
        msg[0] = TS_SQUEEZE;
        memcpy(msg + 1, s->seed.b, ZKI_DIGEST_LEN);
        put_u64(msg + 1 + ZKI_DIGEST_LEN, s->block++);
        zki_digest d;
        zki_sha256(&d, msg, sizeof msg);
        memcpy(s->buf, d.b, 32);
        s->pos = 0;
    }
    uint64_t v = get_u64(s->buf + s->pos);
    s->pos += 8;
    return v;
}

/* Uniform in [0, bound): reject words in the final partial block. */
static uint64_t stream_below(ts_stream *s, uint64_t bound)
{
    ZKI_VERIFY_CHECK(bound >= 1); /* callers map 0 to 1 */
    uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
    uint64_t x;
    do {
        x = stream_u64(s);
    } while (x >= limit);
    ZKI_VERIFY_CHECK(limit % bound == 0); /* accepted words: whole blocks, no bias */
    return x % bound;
}

static zki_ext stream_ext(ts_stream *s)
{
    zki_fe c0 = stream_below(s, ZKI_P);
    zki_fe c1 = stream_below(s, ZKI_P);
    ZKI_VERIFY_CHECK(ZKI_FE_CANON(c0) && ZKI_FE_CANON(c1));
    return zki_ext_make(c0, c1);
}

zki_ext zki_ts_challenge_ext(zki_transcript *t, const char *label)
{
    ts_stream s;
    stream_begin(t, label, &s);
    return stream_ext(&s);
}

void zki_ts_challenge_ext_vec(zki_transcript *t, const char *label, zki_ext *out, size_t n)
{
    ts_stream s;
    stream_begin(t, label, &s);
    for (size_t i = 0; i < n; i++)
        out[i] = stream_ext(&s);
}

uint64_t zki_ts_challenge_index(zki_transcript *t, const char *label, uint64_t bound)
{
    ts_stream s;
    stream_begin(t, label, &s);
    return stream_below(&s, bound ? bound : 1);
}

void zki_ts_challenge_indices(zki_transcript *t, const char *label, uint64_t bound,
                              uint64_t *out, size_t n)
{
    ts_stream s;
    stream_begin(t, label, &s);
    for (size_t i = 0; i < n; i++)
        out[i] = stream_below(&s, bound ? bound : 1);
}
