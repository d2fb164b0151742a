/* libFuzzer harness: the ONNX importer (protobuf-c decoding, graph building,
 * shape inference, constant folding), the .zkm reader and the .npy reader
 * must return an error, never crash, on any bytes.
 * Build: CC=clang cmake -S . -B build-fuzz -DZKI_FUZZ=ON && cmake --build build-fuzz
 * Run:   ./build-fuzz/fuzz_onnx -max_len=65536 tests/data */
#include <stddef.h>
#include <stdint.h>

#include "onnx/onnx.h"
#include "quant/npy.h"
#include "quant/qmodel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zki_graph *g = NULL;
    if (zki_onnx_load_buffer(data, size, &g) == ZKI_OK)
        zki_graph_free(g);
    zki_qmodel *m = NULL;
    if (zki_zkm_parse(data, size, &m) == ZKI_OK)
        zki_qmodel_free(m);
    zki_host_tensor h;
    if (zki_npy_parse(data, size, &h) == ZKI_OK)
        zki_host_tensor_clear(&h);
    else
        zki_host_tensor_clear(&h);
    if (zki_onnx_read_tensor_buffer(data, size, &h) == ZKI_OK)
        zki_host_tensor_clear(&h);
    return 0;
}
