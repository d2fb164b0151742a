/* JSON of the service (src/serve/json.c): writing escapes what it must;
 * the reader takes string members out of valid objects and refuses, with
 * the offset, what is not JSON. */
#include <string.h>

#include "serve/json.h"
#include "test.h"

static char *get(const char *text, const char *name, char *err)
{
    size_t len = 0;
    return zki_json_get_string(text, strlen(text), name, &len, err, 200);
}

int main(void)
{
    zki_buf b = {0};
    zki_json_string(&b, "a\"b\\c\n\x01 é");
    CHECK_MSG(b.s && !strcmp(b.s, "\"a\\\"b\\\\c\\u000a\\u0001 é\""), "escaped: %s", b.s);
    zki_buf_free(&b);
    /* bytes that are not UTF-8 (a lone continuation, a truncated or
     * overlong sequence, a surrogate) are replaced: every answer is UTF-8 */
    zki_json_string(&b, "a\x80" "b\xc3(\xe2\x82\xac\xc0\xaf\xed\xa0\x80\xf0\x9f\x98\x80\xf4\x90\x80\x80\xff");
    CHECK_MSG(b.s && !strcmp(b.s, "\"a\\ufffdb\\ufffd(\xe2\x82\xac\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd"
                             "\xf0\x9f\x98\x80\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\""),
              "invalid UTF-8 replaced: %s", b.s);
    zki_buf_free(&b);
    zki_json_float(&b, 1.5);
    zki_buf_puts(&b, ",");
    zki_json_float(&b, 0.0 / 0.0);
    CHECK_MSG(b.s && !strcmp(b.s, "1.5,null"), "floats: %s", b.s);
    zki_buf_free(&b);
    for (int k = 0; k < 10000; k++)
        zki_buf_printf(&b, "%d,", k);
    CHECK(!b.failed && b.len == strlen(b.s) && !strncmp(b.s + b.len - 5, "9999,", 5));
    zki_buf_free(&b);

    char err[200];
    char *s = get("{\"input\": \"QUJD\", \"proof\": \"x\\/y\\u00e9\\ud83d\\ude00\"}", "proof", err);
    CHECK_MSG(s && !strcmp(s, "x/y\xc3\xa9\xf0\x9f\x98\x80"), "unescaped: %s", s ? s : err);
    free(s);
    s = get(" {\"a\": [1, -2.5e3, {\"b\": null}], \"t\": true, \"input\": \"\"} ", "input", err);
    CHECK_MSG(s && !strcmp(s, ""), "empty string beside other values: %s", s ? s : err);
    free(s);
    struct {
        const char *text, *name, *says;
    } refused[] = {
        {"", "input", "JSON object"},
        {"[\"input\"]", "input", "JSON object"},
        {"{\"input\": \"a\"", "input", "unterminated"},
        {"{\"input\": \"a\"} x", "input", "after the object"},
        {"{\"input\": 5}", "input", "not a string"},
        {"{\"other\": \"a\"}", "input", "missing"},
        {"{\"input\": \"a\", \"input\": \"b\"}", "input", "twice"},
        {"{\"input\": \"a\\q\"}", "input", "escape"},
        {"{\"input\": \"\\ud800\"}", "input", "surrogate"},
        {"{\"x\": 01, \"input\": \"a\"}", "input", "number"},
        {"{\"x\": tru, \"input\": \"a\"}", "input", "unexpected"},
        {"{\"input\": \"a\tb\"}", "input", "control"},
        {"{\"x\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]], \"input\": \"a\"}", "input",
         "32 deep"},
    };
    for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++) {
        s = get(refused[k].text, refused[k].name, err);
        CHECK_MSG(!s && strstr(err, refused[k].says), "'%s': refused saying '%s' (said '%s')", refused[k].text,
                  refused[k].says, err);
        free(s);
    }
    /* every prefix of a valid document is refused, never read past its end */
    const char *doc = "{\"input\": \"QUJD\", \"n\": [1, 2.5, true, null], \"proof\": \"AA==\"}";
    int ok = 1;
    for (size_t n = 0; n < strlen(doc); n++) {
        size_t len = 0;
        char *p = zki_json_get_string(doc, n, "proof", &len, err, sizeof err);
        ok &= p == NULL;
        free(p);
    }
    CHECK_MSG(ok, "every proper prefix is refused");
    return TEST_SUMMARY();
}
