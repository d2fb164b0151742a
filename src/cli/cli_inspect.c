#include "cli/cli_util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "protocol/bytes.h"
#include "common/file_read.h"
#include "onnx/onnx.h"
#include "protocol/vk_cost.h"
#include "quant/npy.h"
#include "quant/quant.h"
#include "verifier/verifier.h"

static const char *usage_inspect =
    "usage: zkinfer inspect FILE\n"
    "  Describes a zkinfer .zkm model, .vk key, .zpk prover key or .zkp proof, an\n"
    "  ONNX model, or a .npy / .pb tensor. The format is told by the file's first\n"
    "  bytes, not its name (a name that claims another format gets a note; a file\n"
    "  named .vk/.zkp/.zpk/.zkm/.npy with no known first bytes is refused).\n";

/* The formats with a magic, the extension that names each, and the largest
 * valid file of each (a proof: the verifier's memory bound for any key). */
static const struct {
    const char *ext, *magic, *what;
    size_t mlen, max_bytes;
} inspect_formats[] = {
    {".vk", "ZKINFVK", "zkinfer verification key", 8, ZKI_VK_MAX_FILE_BYTES},
    {".zkp", "ZKINFPF", "zkinfer proof", 8, (size_t)ZKI_VK_MAX_VERIFY_BYTES},
    {".zpk", "ZKINFPK", "zkinfer prover key", 8, ZKI_PK_FILE_BYTES},
    {".zkm", "ZKINFERM", "zkinfer model", 8, ZKI_ZKM_MAX_FILE_BYTES},
    {".npy", "\x93NUMPY", "NumPy array", 6, ZKI_NPY_MAX_FILE_BYTES},
};
#define N_INSPECT_FORMATS (sizeof inspect_formats / sizeof inspect_formats[0])

static int ends_with(const char *s, const char *suffix)
{
    size_t l = strlen(s), k = strlen(suffix);
    return l > k && !strcmp(s + l - k, suffix);
}

/* The size cap of the format the first bytes name (an ONNX model or .pb
 * tensor when none): a file over it is refused by its size, unread. */
static size_t inspect_cap(const uint8_t *head, size_t n)
{
    for (size_t k = 0; k < N_INSPECT_FORMATS; k++)
        if (n >= inspect_formats[k].mlen && !memcmp(head, inspect_formats[k].magic, inspect_formats[k].mlen))
            return inspect_formats[k].max_bytes;
    return ZKI_ONNX_MAX_FILE_BYTES;
}

/* A file named for one of the magic formats: one that carries another
 * known magic is described as what it is, with a note on its name; one with
 * no known magic is refused as renamed or corrupt, not parsed as ONNX. */
static int inspect_check_name(const char *path, const uint8_t *buf, size_t len)
{
    const char *is = NULL;
    for (size_t k = 0; k < N_INSPECT_FORMATS; k++)
        if (len >= inspect_formats[k].mlen && !memcmp(buf, inspect_formats[k].magic, inspect_formats[k].mlen))
            is = inspect_formats[k].what;
    for (size_t k = 0; k < N_INSPECT_FORMATS; k++) {
        size_t ml = inspect_formats[k].mlen;
        if (!ends_with(path, inspect_formats[k].ext) || (len >= ml && !memcmp(buf, inspect_formats[k].magic, ml)))
            continue;
        if (is) {
            fprintf(stderr, "note: %s is named %s but holds a %s\n", path, inspect_formats[k].ext, is);
            return CLI_OK;
        }
        fprintf(stderr, "zkinfer: %s: named %s but not a %s (bad magic)\n", path, inspect_formats[k].ext,
                inspect_formats[k].what);
        return CLI_USAGE;
    }
    return CLI_OK;
}

static int inspect_zkm(const char *path, const uint8_t *buf, size_t len, char *sum)
{
    zki_qmodel *m;
    if (zki_zkm_parse(buf, len, &m) != ZKI_OK)
        return zki_cli_err(path);
    printf("%s: zkinfer quantised model, .zkm version %d, %zu bytes, checks passed\n", path, ZKI_ZKM_VERSION, len);
    zki_qmodel_summary(m, sum, 1 << 20);
    fputs(sum, stdout);
    zki_qmodel_free(m);
    return CLI_OK;
}

/* A tensor, from a .npy (npy set) or a TensorProto .pb. */
static int inspect_tensor(const char *path, const uint8_t *buf, size_t len, int npy, char *sum)
{
    zki_host_tensor h;
    if ((npy ? zki_npy_parse(buf, len, &h) : zki_onnx_read_tensor_buffer(buf, len, &h)) != ZKI_OK)
        return zki_cli_err(path);
    printf("%s: %s %s %s\n", path, npy ? "NumPy array" : "ONNX tensor", zki_et_name(h.et),
           zki_shape_str(h.rank, h.dims, sum, 1 << 20));
    zki_host_tensor_clear(&h);
    return CLI_OK;
}

/* An ONNX model only when it decodes as one (then its own errors, such as
 * an unsupported op, are the message); anything else is an unknown format. */
static int inspect_onnx(const char *path, const uint8_t *buf, size_t len, char *sum)
{
    if (!zki_onnx_is_model(buf, len)) {
        fprintf(stderr, "zkinfer: %s: unknown format (not a zkinfer .zkm/.vk/.zpk/.zkp, .npy, .pb "
                "tensor or ONNX model)\n", path);
        return CLI_USAGE;
    }
    zki_graph *g;
    if (zki_onnx_load_buffer(buf, len, &g) != ZKI_OK)
        return zki_cli_err(path);
    printf("%s: ONNX model (producer %s), prepared graph:\n", path, g->producer ? g->producer : "?");
    zki_graph_summary(g, sum, 1 << 20);
    fputs(sum, stdout);
    zki_graph_free(g);
    return CLI_OK;
}

int zki_cli_inspect(int argc, char **argv)
{
    if (argc < 1 || zki_cli_is_help(argv[0])) {
        fputs(usage_inspect, argc < 1 ? stderr : stdout);
        return argc < 1 ? CLI_USAGE : CLI_OK;
    }
    if (argc > 1) {
        fprintf(stderr, "zkinfer inspect: one file at a time\n%s", usage_inspect);
        return CLI_USAGE;
    }
    const char *path = argv[0];
    uint8_t *buf, head[8];
    size_t len, hn = 0;
    /* the magic first, so each kind is read whole only up to its own cap */
    if (zki_read_file_head(path, SIZE_MAX, head, sizeof head, &hn) != ZKI_OK ||
        zki_read_file(path, inspect_cap(head, hn), &buf, &len) != ZKI_OK)
        return zki_cli_err(path);
    char *sum = malloc(1 << 20);
    int rc = sum ? inspect_check_name(path, buf, len) : CLI_USAGE;
    if (rc == CLI_OK) {
        sum[0] = '\0';
        int kp = zki_cli_inspect_key_or_proof(path, buf, len);
        if (kp >= 0)
            rc = kp;
        else if (len >= 8 && !memcmp(buf, "ZKINFERM", 8))
            rc = inspect_zkm(path, buf, len, sum);
        else if (len >= 6 && !memcmp(buf, "\x93NUMPY", 6))
            rc = inspect_tensor(path, buf, len, 1, sum);
        else if (ends_with(path, ".pb"))
            rc = inspect_tensor(path, buf, len, 0, sum);
        else
            rc = inspect_onnx(path, buf, len, sum);
    }
    free(sum);
    free(buf);
    return rc;
}

int zki_cli_inspect_key_or_proof(const char *path, const uint8_t *buf, size_t len)
{
    if (len >= 8 && !memcmp(buf, "ZKINFVK", 8)) {
        zki_vk vk;
        if (zki_vk_from_bytes(&vk, buf, len) != ZKI_OK)
            return zki_cli_err(path);
        char *s = malloc(1 << 16);
        if (s) {
            zki_vk_summary(&vk, s, 1 << 16);
            printf("%s: zkinfer verification key, %zu bytes\n%s", path, len, s);
        }
        free(s);
        zki_vk_free(&vk);
        return CLI_OK;
    }
    if (len >= 8 && !memcmp(buf, "ZKINFPF", 8)) {
        /* the header; the rest is only meaningful against a key (verify) */
        zki_rbuf r = {buf, len, 8};
        uint32_t ver = 0, B = 0, priv = 0, L = 0, N = 0;
        zki_digest h, xd;
        if (zki_rb_u32(&r, &ver) && ver != ZKI_PROOF_VERSION) {
            fprintf(stderr, "zkinfer: %s: zkinfer proof format version %u; this zkinfer reads version %u "
                    "(prove again with this version)\n", path, ver, ZKI_PROOF_VERSION);
            return CLI_USAGE;
        }
        if (!zki_rb_get(&r, h.b, 32) || !zki_rb_get(&r, xd.b, 32) || !zki_rb_u32(&r, &B) ||
            !zki_rb_u32(&r, &priv) || !zki_rb_u32(&r, &L) || !zki_rb_u32(&r, &N) || B == 0 ||
            (uint64_t)B * N > zki_rb_left(&r) / 8) {
            fprintf(stderr, "zkinfer: %s: truncated proof header\n", path);
            return CLI_USAGE;
        }
        printf("%s: zkinfer proof, version %u, %zu bytes\n", path, ver, len);
        char hx[17], xx[17];
        zki_digest_hex(&h, 8, hx);
        zki_digest_hex(&xd, 8, xx);
        printf("  model key digest %s...\n", hx);
        if (!priv)
            printf("  input digest %s...\n", xx);
        printf("  batch %u, %s input, %u layers, %u outputs per sample\n", B,
               priv ? "private (committed)" : "public", L, N);
        for (uint32_t b = 0; b < B && b < 8; b++) {
            printf("  output %u (integers):", b);
            for (uint32_t e = 0; e < N && e < 16; e++) {
                int64_t v = 0;
                zki_rb_i64(&r, &v);
                printf(" %lld", (long long)v);
            }
            printf(N > 16 ? " ...\n" : "\n");
            if (N > 16)
                r.pos += 8 * (size_t)(N - 16);
        }
        printf("  (zkinfer verify checks it against the key)\n");
        return CLI_OK;
    }
    if (len >= 8 && !memcmp(buf, "ZKINFPK", 8)) {
        printf("%s: zkinfer prover key (hiding seed, secret), %zu bytes\n", path, len);
        return CLI_OK;
    }
    return -1;
}
