/* libFuzzer harness for the service's in-memory .npy reader (request
 * bodies of POST /v1/models/NAME/prove, the input of /verify): the bytes
 * follow the magic and a version byte, so the header dictionary, dtypes,
 * shapes and the data length are what it explores. What parses must hold
 * exactly the elements its shape names; what fails must say why.
 * Run: ./build-fuzz/fuzz_serve_npy -max_total_time=60 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "serve/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf = malloc(7 + size);
    if (!buf)
        return 0;
    memcpy(buf, "\x93NUMPY\x01", 7);
    if (size)
        memcpy(buf + 7, data, size);
    zki_serve_npy a;
    char err[256] = "";
    if (zki_serve_npy_parse(buf, 7 + size, &a, err, sizeof err) == 0) {
        size_t n = 1;
        for (uint32_t k = 0; k < a.rank; k++)
            n *= (size_t)a.dims[k];
        if (a.rank > ZKI_NPY_MAX_RANK || n != a.n || (n && !a.f))
            abort();
        /* touch every element: a short buffer shows up under ASan */
        volatile float sum = 0;
        for (size_t k = 0; k < a.n; k++)
            sum += a.f[k];
        (void)sum;
        zki_serve_npy_clear(&a);
    } else if (!err[0]) {
        abort(); /* a refusal names what is wrong */
    }
    free(buf);
    return 0;
}
