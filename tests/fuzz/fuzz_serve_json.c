/* libFuzzer harness for the service's strict JSON reader (the body of POST
 * /v1/models/NAME/verify): any text, members looked up by the names the
 * service uses. A member found is a NUL-terminated string of the length
 * returned; a miss says why.
 * Run: ./build-fuzz/fuzz_serve_json -max_total_time=60 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "serve/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"input", "proof", ""};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char err[256] = "";
        size_t len = 0;
        char *v = zki_json_get_string((const char *)data, size, names[i], &len, err, sizeof err);
        if (v) {
            if (v[len] != '\0')
                abort();
            free(v);
        } else if (!err[0]) {
            abort(); /* a miss names what is wrong */
        }
    }
    return 0;
}
