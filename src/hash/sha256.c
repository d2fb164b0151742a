#include "hash/sha256.h"

#include "hash/sha256_engine.h"

#include <stdlib.h>
#include <string.h>

struct zki_sha256_ctx {
    zki_sha256_state c;
};

void zki_sha256(zki_digest *out, const void *data, size_t len)
{
    zki_sha256_state c;
    zki_sha256_state_init(&c);
    zki_sha256_state_update(&c, data, len);
    zki_sha256_state_final(&c, out->b);
}

void zki_sha256_chunked(zki_digest *out, const void *data, size_t len)
{
    size_t n = (len + ZKI_SHA256_CHUNK - 1) / ZKI_SHA256_CHUNK;
    zki_digest *d = malloc((n ? n : 1) * sizeof *d);
    zki_sha256_state c;
    zki_sha256_state_init(&c);
    static const char tag[] = "zkinfer/chunked-sha256/v1";
    zki_sha256_state_update(&c, tag, sizeof tag - 1);
    uint8_t le[16];
    for (int i = 0; i < 8; i++) {
        le[i] = (uint8_t)((uint64_t)len >> (8 * i));
        le[8 + i] = (uint8_t)((uint64_t)ZKI_SHA256_CHUNK >> (8 * i));
    }
    zki_sha256_state_update(&c, le, sizeof le);
    const uint8_t *p = data;
    if (d) {
#pragma omp parallel for schedule(dynamic, 1) if (n > 1)
        for (int64_t i = 0; i < (int64_t)n; i++) {
            size_t o = (size_t)i * ZKI_SHA256_CHUNK;
            zki_sha256(&d[i], p + o, len - o < ZKI_SHA256_CHUNK ? len - o : ZKI_SHA256_CHUNK);
        }
        zki_sha256_state_update(&c, d, n * sizeof *d);
    } else { /* out of memory: the same digest, one chunk at a time */
        for (size_t o = 0; o < len; o += ZKI_SHA256_CHUNK) {
            zki_digest one;
            zki_sha256(&one, p + o, len - o < ZKI_SHA256_CHUNK ? len - o : ZKI_SHA256_CHUNK);
            zki_sha256_state_update(&c, &one, sizeof one);
        }
    }
    zki_sha256_state_final(&c, out->b);
    free(d);
}

void zki_sha256_many(zki_digest *out, const char *tag, const uint8_t *msgs, size_t len,
                     size_t count)
{
    /* The tag is absorbed once; each message continues from a copy. */
    zki_sha256_state base, c;
    zki_sha256_state_init(&base);
    if (tag)
        zki_sha256_state_update(&base, tag, strlen(tag));
    for (size_t i = 0; i < count; i++) {
        c = base;
        zki_sha256_state_update(&c, msgs + i * len, len);
        zki_sha256_state_final(&c, out[i].b);
    }
}

zki_sha256_ctx *zki_sha256_new(void)
{
    zki_sha256_ctx *c = malloc(sizeof *c);
    if (c)
        zki_sha256_state_init(&c->c);
    return c;
}

void zki_sha256_free(zki_sha256_ctx *c) { free(c); }

void zki_sha256_reset(zki_sha256_ctx *c) { zki_sha256_state_init(&c->c); }

void zki_sha256_update(zki_sha256_ctx *c, const void *data, size_t len)
{
    zki_sha256_state_update(&c->c, data, len);
}

void zki_sha256_final(zki_sha256_ctx *c, zki_digest *out) { zki_sha256_state_final(&c->c, out->b); }

void zki_sha256_copy(zki_sha256_ctx *dst, const zki_sha256_ctx *src) { dst->c = src->c; }

void zki_digest_hex(const zki_digest *d, size_t nbytes, char *out)
{
    static const char hx[] = "0123456789abcdef";
    if (nbytes > ZKI_DIGEST_LEN)
        nbytes = ZKI_DIGEST_LEN;
    for (size_t i = 0; i < nbytes; i++) {
        out[2 * i] = hx[d->b[i] >> 4];
        out[2 * i + 1] = hx[d->b[i] & 15];
    }
    out[2 * nbytes] = '\0';
}
