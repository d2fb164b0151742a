#include "quant/npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/file_read.h"
#include "onnx/onnx.h"
#include "quant/npy_header.h"

/* The dtypes read: element type, bytes, read as float (else int64). */
static const struct {
    const char *s;
    int et, w, isf;
} npy_types[] = {
    {"<f4", ZKI_ET_FLOAT, 4, 1}, {"<f8", ZKI_ET_DOUBLE, 8, 1}, {"|i1", ZKI_ET_INT8, 1, 0},
    {"|u1", ZKI_ET_UINT8, 1, 0}, {"<i2", ZKI_ET_INT16, 2, 0}, {"<u2", ZKI_ET_UINT16, 2, 0},
    {"<i4", ZKI_ET_INT32, 4, 0}, {"<u4", ZKI_ET_UINT32, 4, 0}, {"<i8", ZKI_ET_INT64, 8, 0},
    {"<u8", ZKI_ET_UINT64, 8, 0}, {"|b1", ZKI_ET_BOOL, 1, 0},
};

int zki_size_mul(size_t count, size_t width, size_t *bytes)
{
    if (width && count > SIZE_MAX / width)
        return 0;
    *bytes = count * width;
    return 1;
}

zki_status zki_npy_parse(const uint8_t *buf, size_t len, zki_host_tensor *out)
{
    memset(out, 0, sizeof *out);
    if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0)
        return zki_fail(ZKI_ERR_INPUT, "not a .npy file (bad magic)");
    int major = buf[6];
    size_t hl, off;
    if (major == 1) {
        hl = (size_t)buf[8] | (size_t)buf[9] << 8;
        off = 10;
    } else if (major == 2 || major == 3) {
        if (len < 12)
            return zki_fail(ZKI_ERR_INPUT, ".npy header truncated");
        hl = (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 | (size_t)buf[11] << 24;
        off = 12;
    } else {
        return zki_fail(ZKI_ERR_UNSUPPORTED, ".npy format version %d", major);
    }
    if (hl > len - off || hl > 65536)
        return zki_fail(ZKI_ERR_INPUT, ".npy header length %zu exceeds the file", hl);
    zki_npy_header hd;
    zki_status st = zki_npy_header_read((const char *)buf + off, hl, &hd);
    if (st)
        return st;
    int ti = -1;
    for (size_t k = 0; k < sizeof npy_types / sizeof npy_types[0]; k++)
        if (strcmp(hd.descr, npy_types[k].s) == 0)
            ti = (int)k;
    if (ti < 0)
        return zki_fail(ZKI_ERR_UNSUPPORTED, ".npy dtype '%s' is not supported (little-endian bool, int8 to int64, "
                        "uint8 to uint64, float32 and float64 are)", hd.descr);
    if (hd.fortran)
        return zki_fail(ZKI_ERR_UNSUPPORTED, ".npy in Fortran order is not supported: write it in C order "
                        "(numpy.ascontiguousarray)");
    int rank = hd.rank;
    memcpy(out->dims, hd.dims, sizeof hd.dims);
    out->rank = rank;
    int64_t n = zki_shape_numel(rank, out->dims);
    size_t w = (size_t)npy_types[ti].w, data = off + hl, have = len - data;
    if (n < 0)
        return zki_fail(ZKI_ERR_INPUT, ".npy shape is too large");
    if ((uint64_t)n > have / w || (size_t)n * w != have)
        return zki_fail(ZKI_ERR_INPUT, ".npy header declares %lld values of %zu bytes but %zu data bytes follow%s",
                        (long long)n, w, have,
                        (uint64_t)n > have / w ? " (truncated?)" : "");
    out->et = npy_types[ti].et;
    /* Elements are widened to float or int64: a |u1 file of 2^29 bytes
     * needs 4 GiB, past a 32-bit size_t (wasm32), where the product wraps. */
    size_t cnt = n > 0 ? (size_t)n : 1, wide = npy_types[ti].isf ? sizeof(float) : sizeof(int64_t), bytes;
    if (!zki_size_mul(cnt, wide, &bytes))
        return zki_fail(ZKI_ERR_INPUT, ".npy holds %lld elements, %zu bytes each once read, more than this "
                        "platform's memory can address (size_t of %zu bits): use a smaller input",
                        (long long)n, wide, sizeof(size_t) * 8);
    if (npy_types[ti].isf)
        out->f = malloc(bytes);
    else
        out->i = malloc(bytes);
    if (!out->f && !out->i)
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    const uint8_t *src = buf + data;
    int64_t too_big = -1; /* a finite float64 beyond float32's range */
    for (int64_t k = 0; k < n; k++, src += w) {
        uint64_t u = 0;
        for (size_t b = 0; b < w; b++)
            u |= (uint64_t)src[b] << (8 * b);
        switch (out->et) {
        case ZKI_ET_FLOAT: { uint32_t x = (uint32_t)u; float f; memcpy(&f, &x, 4); out->f[k] = f; break; }
        case ZKI_ET_DOUBLE: {
            double f;
            memcpy(&f, &u, 8);
            if (too_big < 0 && (f > 3.4028234663852886e38 || f < -3.4028234663852886e38) && f - f == 0)
                too_big = k;
            out->f[k] = (float)f;
            break;
        }
        case ZKI_ET_INT8: out->i[k] = (int8_t)(uint8_t)u; break;
        case ZKI_ET_INT16: out->i[k] = (int16_t)(uint16_t)u; break;
        case ZKI_ET_INT32: out->i[k] = (int32_t)(uint32_t)u; break;
        case ZKI_ET_BOOL: out->i[k] = u != 0; break;
        default: out->i[k] = (int64_t)u; break;
        }
    }
    if (too_big >= 0) {
        zki_host_tensor_clear(out);
        return zki_fail(ZKI_ERR_INPUT, ".npy value at index %lld is beyond float32's range (values are read as "
                        "float32)", (long long)too_big);
    }
    return ZKI_OK;
}

zki_status zki_npy_read(const char *path, zki_host_tensor *out)
{
    uint8_t *b;
    size_t n;
    memset(out, 0, sizeof *out);
    zki_status st = zki_read_file(path, ZKI_NPY_MAX_FILE_BYTES, &b, &n);
    if (st != ZKI_OK)
        return st;
    st = zki_npy_parse(b, n, out);
    free(b);
    if (st != ZKI_OK)
        return zki_fail_ctx(st, "%s", path);
    return ZKI_OK;
}

zki_status zki_npy_write(const char *path, int rank, const int64_t *dims, const float *f, const int64_t *iv)
{
    char h[256];
    int o = snprintf(h, sizeof h, "{'descr': '%s', 'fortran_order': False, 'shape': (", f ? "<f4" : "<i8");
    for (int a = 0; a < rank; a++)
        o += snprintf(h + o, sizeof h - (size_t)o, "%lld%s", (long long)dims[a], rank == 1 ? "," : (a + 1 < rank ? ", " : ""));
    o += snprintf(h + o, sizeof h - (size_t)o, "), }");
    /* pad with spaces so data starts on a 64-byte boundary, newline last */
    int total = 10 + o + 1;
    int pad = (64 - total % 64) % 64;
    int hl = o + pad + 1;
    int64_t n = zki_shape_numel(rank, dims);
    size_t es = f ? sizeof(float) : sizeof(int64_t), hn = 10 + (size_t)hl, data_bytes;
    if (n < 0 || (uint64_t)n > SIZE_MAX || !zki_size_mul((size_t)n, es, &data_bytes) || data_bytes > SIZE_MAX - hn)
        return zki_fail(ZKI_ERR_INPUT, "%s: %lld elements are too many to write on this platform (size_t of %zu "
                        "bits)", path, (long long)n, sizeof(size_t) * 8);
    uint8_t *b = malloc(hn + data_bytes);
    if (!b)
        return zki_fail(ZKI_ERR_NOMEM, "out of memory writing %s", path);
    uint8_t pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (uint8_t)(hl & 255), (uint8_t)(hl >> 8)};
    memcpy(b, pre, 10);
    memcpy(b + 10, h, (size_t)o);
    memset(b + 10 + o, ' ', (size_t)pad);
    b[hn - 1] = '\n';
    if (n > 0)
        memcpy(b + hn, f ? (const void *)f : (const void *)iv, data_bytes);
    zki_status st = zki_write_file_atomic(path, b, hn + data_bytes, ZKI_FILE_PUBLIC);
    free(b);
    return st;
}

zki_status zki_tensor_read_any(const char *path, zki_host_tensor *out)
{
    size_t n = strlen(path);
    if (n > 4 && strcmp(path + n - 4, ".npy") == 0)
        return zki_npy_read(path, out);
    if (n > 3 && strcmp(path + n - 3, ".pb") == 0)
        return zki_onnx_read_tensor_file(path, out);
    memset(out, 0, sizeof *out);
    return zki_fail(ZKI_ERR_INPUT, "'%s': expected a .npy or .pb tensor file", path);
}
