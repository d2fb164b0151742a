#include "hash/sha256.h"

#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

struct zki_sha256_ctx {
    SHA256_CTX c;
};

void zki_sha256(zki_digest *out, const void *data, size_t len)
{
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, data, len);
    SHA256_Final(out->b, &c);
}

void zki_sha256_many(zki_digest *out, const char *tag, const uint8_t *msgs, size_t len,
                     size_t count)
{
    /* The tag is absorbed once; each message continues from a copy. */
    SHA256_CTX base, c;
    SHA256_Init(&base);
    if (tag)
        SHA256_Update(&base, tag, strlen(tag));
    for (size_t i = 0; i < count; i++) {
        c = base;
        SHA256_Update(&c, msgs + i * len, len);
        SHA256_Final(out[i].b, &c);
    }
}

zki_sha256_ctx *zki_sha256_new(void)
{
    zki_sha256_ctx *c = malloc(sizeof *c);
    if (c)
        SHA256_Init(&c->c);
    return c;
}

void zki_sha256_free(zki_sha256_ctx *c) { free(c); }

void zki_sha256_reset(zki_sha256_ctx *c) { SHA256_Init(&c->c); }

void zki_sha256_update(zki_sha256_ctx *c, const void *data, size_t len)
{
    SHA256_Update(&c->c, data, len);
}

void zki_sha256_final(zki_sha256_ctx *c, zki_digest *out) { SHA256_Final(out->b, &c->c); }

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
