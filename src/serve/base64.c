#include "serve/base64.h"

#include <stdint.h>
#include <stdlib.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *zki_b64_encode(const unsigned char *in, size_t n, size_t *out_len)
{
    size_t len = (n + 2) / 3 * 4;
    char *o = malloc(len + 1);
    if (!o)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        o[j++] = alphabet[(v >> 18) & 63];
        o[j++] = alphabet[(v >> 12) & 63];
        o[j++] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
        o[j++] = i + 2 < n ? alphabet[v & 63] : '=';
    }
    o[j] = 0;
    if (out_len)
        *out_len = j;
    return o;
}

static int value_of(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

unsigned char *zki_b64_decode(const char *in, size_t n, size_t *out_len, size_t *bad_at)
{
    *out_len = 0;
    if (n % 4) {
        *bad_at = n;
        return NULL;
    }
    /* padding only in the last quantum: one '=' or two */
    size_t pad = n >= 1 && in[n - 1] == '=' ? (n >= 2 && in[n - 2] == '=' ? 2 : 1) : 0;
    unsigned char *o = malloc(n / 4 * 3 + 1);
    if (!o) {
        *bad_at = (size_t)-1;
        return NULL;
    }
    size_t j = 0;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = 0;
        for (size_t k = 0; k < 4; k++) {
            size_t at = i + k;
            int d = at >= n - pad ? 0 : value_of(in[at]);
            if (d < 0) {
                free(o);
                *bad_at = at;
                return NULL;
            }
            v = v << 6 | (uint32_t)d;
        }
        o[j++] = (unsigned char)(v >> 16);
        if (i + 4 < n || pad < 2)
            o[j++] = (unsigned char)(v >> 8);
        if (i + 4 < n || pad < 1)
            o[j++] = (unsigned char)v;
    }
    *out_len = j;
    return o;
}
