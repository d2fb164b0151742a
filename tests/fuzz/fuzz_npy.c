/* libFuzzer harness for the .npy reader (inputs, calibration data): the
 * fuzzer's bytes follow the magic and a version byte it cannot easily
 * guess, so header parsing, dtypes, shapes and the data length are what it
 * explores. What parses must hold exactly the elements its shape names.
 * Run: ./build-fuzz/fuzz_npy -max_total_time=60 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "quant/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf = malloc(7 + size);
    if (!buf)
        return 0;
    memcpy(buf, "\x93NUMPY\x01", 7);
    if (size)
        memcpy(buf + 7, data, size);
    zki_host_tensor h;
    if (zki_npy_parse(buf, 7 + size, &h) == ZKI_OK) {
        int64_t n = zki_host_tensor_numel(&h);
        if (n < 0 || (!h.f && !h.i))
            abort();
        /* touch every element: a short buffer shows up under ASan */
        volatile double sum = 0;
        for (int64_t k = 0; k < n; k++)
            sum += h.f ? (double)h.f[k] : (double)h.i[k];
        (void)sum;
    }
    zki_host_tensor_clear(&h);
    free(buf);
    return 0;
}
