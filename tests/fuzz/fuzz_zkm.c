/* libFuzzer harness for the .zkm body: the fuzzer's bytes are wrapped as
 * magic || bytes || SHA-256(magic || bytes), so every input passes the
 * checksum and reaches the structural checks (lengths, shapes, op
 * parameters, the 2^62 accumulator bound) that fuzz_onnx rarely gets past.
 * Run: ./build-fuzz/fuzz_zkm -max_total_time=60 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash/sha256.h"
#include "quant/qmodel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char magic[8] = {'Z', 'K', 'I', 'N', 'F', 'E', 'R', 'M'};
    uint8_t *buf = malloc(8 + size + ZKI_DIGEST_LEN);
    if (!buf)
        return 0;
    memcpy(buf, magic, 8);
    if (size)
        memcpy(buf + 8, data, size);
    zki_digest d;
    zki_sha256(&d, buf, 8 + size);
    memcpy(buf + 8 + size, d.b, ZKI_DIGEST_LEN);
    zki_qmodel *m = NULL;
    if (zki_zkm_parse(buf, 8 + size + ZKI_DIGEST_LEN, &m) == ZKI_OK) {
        /* What parses must serialise back to the same bytes. */
        uint8_t *out = NULL;
        size_t len = 0;
        if (zki_zkm_serialize(m, &out, &len) == ZKI_OK &&
            (len != 8 + size + ZKI_DIGEST_LEN || memcmp(out, buf, len) != 0))
            abort();
        free(out);
        zki_qmodel_free(m);
    }
    free(buf);
    return 0;
}
