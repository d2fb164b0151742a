/* libFuzzer harness for the .zkm body: the fuzzer's bytes are wrapped as
 * magic || bytes || digest(magic || bytes) (zki_sha256_chunked, the
 * format's), so every input passes the
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
    zki_sha256_chunked(&d, buf, 8 + size);
    memcpy(buf + 8 + size, d.b, ZKI_DIGEST_LEN);
    zki_qmodel *m = NULL;
    if (zki_zkm_parse(buf, 8 + size + ZKI_DIGEST_LEN, &m) == ZKI_OK) {
        /* What parses must serialise to bytes that parse back to the same
         * model: the writer's canonical form is a fixed point. (The reader
         * also accepts constants stored wider than needed.) */
        uint8_t *out = NULL, *again = NULL;
        size_t len = 0, len2 = 0;
        zki_qmodel *m2 = NULL;
        if (zki_zkm_serialize(m, &out, &len) == ZKI_OK) {
            if (zki_zkm_parse(out, len, &m2) != ZKI_OK || zki_zkm_serialize(m2, &again, &len2) != ZKI_OK ||
                len2 != len || memcmp(out, again, len) != 0)
                abort();
        }
        free(out);
        free(again);
        zki_qmodel_free(m2);
        zki_qmodel_free(m);
    }
    free(buf);
    return 0;
}
