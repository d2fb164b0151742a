/* Base64 of the service (src/serve/base64.c): RFC 4648 vectors, round
 * trips of every length, and refusals naming the offending offset. */
#include <string.h>

#include "serve/base64.h"
#include "test.h"

static void vector(const char *plain, const char *enc)
{
    size_t n = 0;
    char *e = zki_b64_encode((const unsigned char *)plain, strlen(plain), &n);
    CHECK_MSG(e && !strcmp(e, enc) && n == strlen(enc), "encode '%s' -> '%s'", plain, e ? e : "(null)");
    size_t m = 0, bad = 0;
    unsigned char *d = zki_b64_decode(enc, strlen(enc), &m, &bad);
    CHECK_MSG(d && m == strlen(plain) && !memcmp(d, plain, m), "decode '%s'", enc);
    free(e);
    free(d);
}

int main(void)
{
    /* RFC 4648, section 10 */
    vector("", "");
    vector("f", "Zg==");
    vector("fo", "Zm8=");
    vector("foo", "Zm9v");
    vector("foob", "Zm9vYg==");
    vector("fooba", "Zm9vYmE=");
    vector("foobar", "Zm9vYmFy");
    unsigned char buf[300];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 37 + 11);
    int ok = 1;
    for (size_t n = 0; n <= sizeof buf; n++) {
        size_t el = 0, dl = 0, bad = 0;
        char *e = zki_b64_encode(buf, n, &el);
        unsigned char *d = e ? zki_b64_decode(e, el, &dl, &bad) : NULL;
        ok &= e && d && dl == n && !memcmp(d, buf, n) && el == (n + 2) / 3 * 4;
        free(e);
        free(d);
    }
    CHECK_MSG(ok, "round trips of 0..300 bytes");
    struct {
        const char *text;
        size_t bad_at;
    } refused[] = {{"Zg=", 3}, {"Zm9", 3}, {"Zm9v!A==", 4}, {"Z=9v", 1}, {"Zm 9", 2}, {"====", 0}, {"Zg==Zg==", 2},
                   {"Zm9v\n", 5}};
    for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++) {
        size_t m = 0, bad = 99;
        unsigned char *d = zki_b64_decode(refused[k].text, strlen(refused[k].text), &m, &bad);
        CHECK_MSG(!d && bad == refused[k].bad_at, "'%s' refused at %zu (got %zu)", refused[k].text, refused[k].bad_at,
                  bad);
        free(d);
    }
    return TEST_SUMMARY();
}
