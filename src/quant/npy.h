/* NumPy .npy files (format versions 1, 2 and 3): little-endian bool, int8 to
 * int64, uint8 to uint64, float32 and float64 arrays in C order. */
#ifndef ZKI_QUANT_NPY_H
#define ZKI_QUANT_NPY_H

#include "graph/graph.h"

/* Reads a whole .npy file held in buf[0..len) (header: quant/npy_header.h)
 * into *out: float32 and float64 values as float, the integer and bool
 * types as int64; out->et names the file's type either way.
 * Returns ZKI_OK (free with zki_host_tensor_clear), or an error naming what
 * is wrong (ZKI_ERR_INPUT, ZKI_ERR_UNSUPPORTED, ZKI_ERR_NOMEM). */
zki_status zki_npy_parse(const uint8_t *buf, size_t len, zki_host_tensor *out);
/* *bytes = count * width; 0 (and *bytes untouched) when the product does
 * not fit in size_t, as happens on wasm32, where size_t is 32 bits and 2^29
 * elements of 8 bytes wrap: the caller refuses such a size. 1 when it fits. */
int zki_size_mul(size_t count, size_t width, size_t *bytes);
/* Largest .npy file read (16 GiB, or what a 32-bit size_t holds): a
 * calibration set or batch of inputs. */
#define ZKI_NPY_MAX_FILE_BYTES \
    ((size_t)(((uint64_t)1 << 34) < (uint64_t)SIZE_MAX ? ((uint64_t)1 << 34) : (uint64_t)SIZE_MAX))
zki_status zki_npy_read(const char *path, zki_host_tensor *out);
/* Writes float32 (f set) or int64 (i set) data. */
zki_status zki_npy_write(const char *path, int rank, const int64_t *dims, const float *f, const int64_t *i);

/* Reads a tensor from .npy or ONNX TensorProto .pb, chosen by extension. */
zki_status zki_tensor_read_any(const char *path, zki_host_tensor *out);

#endif
