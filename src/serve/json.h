/* JSON for the service: a growing text buffer to write responses, and a
 * small strict reader that picks string members out of a request object. */
#ifndef ZKI_SERVE_JSON_H
#define ZKI_SERVE_JSON_H

#include <stddef.h>
#include <stdint.h>

/* A growing NUL-terminated text. After an allocation failure `failed` is
 * set and further appends do nothing (check it once at the end). */
typedef struct {
    char *s;
    size_t len, cap;
    int failed;
} zki_buf;

void zki_buf_free(zki_buf *b);
void zki_buf_append(zki_buf *b, const char *text, size_t n);
void zki_buf_puts(zki_buf *b, const char *text);
void zki_buf_printf(zki_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string literal, quoted and escaped. */
void zki_json_string(zki_buf *b, const char *text);
/* A JSON number for a float (finite values; others are written as null). */
void zki_json_float(zki_buf *b, double v);

/* Reads the top-level object of text[0..n) (nesting at most 32 deep) and
 * returns the string member `name`: unescaped, malloc'd (caller frees),
 * its length in *len. NULL when absent or not a string (*err says which)
 * or when the text is not valid JSON (*err says where). err has room for
 * errn bytes. */
char *zki_json_get_string(const char *text, size_t n, const char *name, size_t *len, char *err, size_t errn);
/* The same for a member that may be left out: absent or null gives NULL
 * with *absent set to 1 (then nothing is malloc'd); NULL with *absent 0 is
 * an error as above. */
char *zki_json_get_optional_string(const char *text, size_t n, const char *name, size_t *len, int *absent, char *err,
                                   size_t errn);

#endif
