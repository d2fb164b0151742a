/* Base64 (RFC 4648, standard alphabet, padded) for proofs and inputs in JSON. */
#ifndef ZKI_SERVE_BASE64_H
#define ZKI_SERVE_BASE64_H

#include <stddef.h>

/* Encodes n bytes; returns a malloc'd NUL-terminated string (caller frees),
 * NULL when out of memory. */
char *zki_b64_encode(const unsigned char *in, size_t n, size_t *out_len);

/* Decodes text of length n (padding required, no whitespace). Returns
 * malloc'd bytes (caller frees; at least 1 byte allocated) with their count
 * in *out_len, or NULL with *bad_at set to the offset of the first invalid
 * character (or n when the length is not a multiple of 4, or (size_t)-1
 * when out of memory). */
unsigned char *zki_b64_decode(const char *in, size_t n, size_t *out_len, size_t *bad_at);

#endif
