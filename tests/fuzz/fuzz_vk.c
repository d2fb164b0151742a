/* libFuzzer harness for verification keys: the fuzzer's bytes are wrapped
 * as the DAG section of a vk (magic | version | u32 len | bytes | grind
 * bits 16 | an empty commitment), so every input reaches the DAG parser and
 * each node's gadget key check (src/protocol/dag.c) before the commitment
 * is refused; the whole bytes are also tried as a vk. Nothing may crash,
 * leak or read out of bounds; what parses must serialise back to itself.
 * Run: ./build-fuzz/fuzz_vk -max_total_time=60 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/key.h"

static void try_vk(const uint8_t *b, size_t n)
{
    zki_vk vk;
    if (zki_vk_from_bytes(&vk, b, n) != ZKI_OK)
        return;
    uint8_t *out = NULL;
    size_t len = 0;
    if (zki_vk_to_bytes(&vk, &out, &len) != ZKI_OK || len != n || memcmp(out, b, n) != 0)
        abort();
    free(out);
    zki_vk_free(&vk);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char magic[8] = {'Z', 'K', 'I', 'N', 'F', 'V', 'K', 0};
    if (size > (1u << 20))
        return 0;
    uint8_t *buf = malloc(8 + 4 + 4 + size + 8);
    if (!buf)
        return 0;
    memcpy(buf, magic, 8);
    put_u32(buf + 8, ZKI_VK_VERSION);
    put_u32(buf + 12, (uint32_t)size);
    if (size)
        memcpy(buf + 16, data, size);
    put_u32(buf + 16 + size, 16);
    put_u32(buf + 20 + size, 0);
    try_vk(buf, 24 + size);
    free(buf);
    try_vk(data, size);
    return 0;
}
