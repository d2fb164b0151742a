/* Describing any file zkinfer reads (zkinfer.h "inspecting files"): the
 * report of `zkinfer inspect`, built in memory. */
#include "api/api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/bytes.h"
#include "common/file_read.h"
#include "hash/sha256.h"
#include "onnx/onnx.h"
#include "protocol/key.h"
#include "protocol/proof.h"
#include "protocol/vk_cost.h"
#include "quant/npy.h"
#include "quant/quant.h"

/* The report grows in a zki_wbuf (oom set when an allocation failed). */
typedef zki_wbuf strbuf;

static void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(strbuf *b, const char *fmt, ...)
{
    char small[512], *t = small;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)n >= sizeof small && (t = malloc((size_t)n + 1)) != NULL) {
        va_start(ap, fmt);
        vsnprintf(t, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    if (!t)
        b->oom = 1;
    else
        zki_wb_put(b, t, (size_t)n);
    if (t != small)
        free(t);
}

/* The text of b, NUL-terminated (NULL when out of memory). */
static char *sb_text(strbuf *b)
{
    zki_wb_put(b, "", 1);
    if (b->oom) {
        free(b->p);
        return NULL;
    }
    return (char *)b->p;
}

/* The formats with a magic, the extension that names each, and the largest
 * valid file of each (a proof: the verifier's memory bound for any key). */
static const struct {
    const char *ext, *magic, *what;
    size_t mlen, max_bytes;
} formats[] = {
    {".vk", "ZKINFVK", "zkinfer verification key", 8, ZKI_VK_MAX_FILE_BYTES},
    {".zkp", "ZKINFPF", "zkinfer proof", 8, (size_t)ZKI_VK_MAX_VERIFY_BYTES},
    {".zpk", "ZKINFPK", "zkinfer prover key", 8, ZKI_PK_MAX_FILE_BYTES},
    {".zkm", "ZKINFERM", "zkinfer model", 8, ZKI_ZKM_MAX_FILE_BYTES},
    {".npy", "\x93NUMPY", "NumPy array", 6, ZKI_NPY_MAX_FILE_BYTES},
};
#define N_FORMATS (sizeof formats / sizeof formats[0])

static int ends_with(const char *s, const char *suffix)
{
    size_t l = strlen(s), k = strlen(suffix);
    return l > k && !strcmp(s + l - k, suffix);
}

static int has_magic(const uint8_t *buf, size_t len, size_t k)
{
    return len >= formats[k].mlen && !memcmp(buf, formats[k].magic, formats[k].mlen);
}

/* The size cap of the format the first bytes name (an ONNX model or .pb
 * tensor when none): a file over it is refused by its size, unread. */
static size_t size_cap(const uint8_t *head, size_t n)
{
    for (size_t k = 0; k < N_FORMATS; k++)
        if (has_magic(head, n, k))
            return formats[k].max_bytes;
    return ZKI_ONNX_MAX_FILE_BYTES;
}

/* A failure's message names the file (once). */
static zki_status named(zki_status st, const char *path)
{
    if (st != ZKI_OK && !strstr(zki_last_error(), path))
        zki_fail(st, "%s: %s", path, zki_last_error());
    return st;
}

/* A file named for one of the magic formats: one that carries another
 * known magic is described as what it is, with a note on its name; one with
 * no known magic is refused as renamed or corrupt, not parsed as ONNX. */
static zki_status check_name(const char *path, const uint8_t *buf, size_t len, strbuf *notes)
{
    const char *is = NULL;
    for (size_t k = 0; k < N_FORMATS; k++)
        if (has_magic(buf, len, k))
            is = formats[k].what;
    for (size_t k = 0; k < N_FORMATS; k++) {
        if (!ends_with(path, formats[k].ext) || has_magic(buf, len, k))
            continue;
        if (is) {
            sb_printf(notes, "note: %s is named %s but holds a %s\n", path, formats[k].ext, is);
            return ZKI_OK;
        }
        return zki_fail(ZKI_ERR_INPUT, "%s: named %s but not a %s (bad magic)", path, formats[k].ext,
                        formats[k].what);
    }
    return ZKI_OK;
}

static zki_status inspect_vk(const char *path, const uint8_t *buf, size_t len, strbuf *out)
{
    zki_vk vk;
    zki_status st = zki_vk_from_bytes(&vk, buf, len);
    if (st != ZKI_OK)
        return named(st, path);
    char *s = malloc(1 << 16);
    zki_info info;
    if (s) {
        zki_vk_summary(&vk, s, 1 << 16);
        sb_printf(out, "%s: zkinfer verification key, %zu bytes\n%s", path, len, s);
    }
    if (s && zki_vk_info(&vk, &info) == ZKI_OK)
        sb_printf(out, "  zero knowledge: %u proofs (compile --zk-proofs), counted across every process; "
                  "compile a new key before they are spent\n", info.zk_proofs);
    free(s);
    zki_vk_free(&vk);
    return s ? ZKI_OK : zki_fail(ZKI_ERR_NOMEM, "%s: out of memory", path);
}

/* A .zpk: its size and the zero-knowledge proofs it was made for. */
static zki_status inspect_zpk(const char *path, const uint8_t *buf, size_t len, strbuf *out)
{
    zki_pk_file f;
    zki_status st = zki_pk_parse(buf, len, path, &f);
    if (st != ZKI_OK)
        return st;
    sb_printf(out, "%s: zkinfer prover key (hiding seed, secret), %zu bytes, %llu commitment leaves\n"
              "  made for %u zero-knowledge proofs (compile --zk-proofs)\n", path, len,
              (unsigned long long)f.n_leaves, f.zk_proofs);
    zki_pk_file_free(&f);
    return ZKI_OK;
}

/* The header; the rest is only meaningful against a key (verify). */
static zki_status inspect_proof(const char *path, const uint8_t *buf, size_t len, strbuf *out)
{
    zki_rbuf r = {buf, len, 8};
    uint32_t ver = 0, B = 0, flags = 0, L = 0, N = 0, gn = 0, gp = 0;
    zki_digest h, xd;
    if (zki_rb_u32(&r, &ver) && ver != ZKI_PROOF_VERSION)
        return zki_fail(ZKI_ERR_INPUT, "%s: zkinfer proof format version %u; this zkinfer reads version %u "
                        "(prove again with this version)", path, ver, ZKI_PROOF_VERSION);
    if (!zki_rb_get(&r, h.b, 32) || !zki_rb_get(&r, xd.b, 32) || !zki_rb_u32(&r, &B) || !zki_rb_u32(&r, &flags) ||
        !zki_rb_u32(&r, &gn) || (gn && (!zki_rb_u32(&r, &gp) || gn > zki_rb_left(&r) / 8)))
        return zki_fail(ZKI_ERR_INPUT, "%s: truncated proof header", path);
    size_t ids_at = r.pos;
    r.pos += 8 * (size_t)gn;
    if (!zki_rb_u32(&r, &L) || !zki_rb_u32(&r, &N) || B == 0 || (uint64_t)B * N > zki_rb_left(&r) / 8)
        return zki_fail(ZKI_ERR_INPUT, "%s: truncated proof header", path);
    sb_printf(out, "%s: zkinfer proof, version %u, %zu bytes\n", path, ver, len);
    char hx[17], xx[17];
    zki_digest_hex(&h, 8, hx);
    zki_digest_hex(&xd, 8, xx);
    sb_printf(out, "  model key digest %s...\n", hx);
    /* flags: 1 private input, 2 zero-knowledge, 4 private output (proof_io.c) */
    int priv = flags & 1, priv_out = (flags & 4) != 0;
    if (!priv)
        sb_printf(out, "  input digest %s...\n", xx);
    char outs[64];
    if (priv_out)
        snprintf(outs, sizeof outs, "private (committed) output");
    else
        snprintf(outs, sizeof outs, "%u outputs per sample", N);
    sb_printf(out, "  batch %u, %s input, %u nodes, %s%s\n", B, priv ? "private (committed)" : "public", L, outs,
              flags & 2 ? ", zero-knowledge" : ", plain (not zero-knowledge)");
    if (gn) { /* a generation: the new ids, no output */
        zki_rbuf g = {buf, len, ids_at};
        sb_printf(out, "  greedy generation: %u new tokens after a prompt of %u (claimed; the logits are hidden):", gn,
                  gp);
        for (uint32_t i = 0; i < gn && i < 64; i++) {
            int64_t v = 0;
            if (zki_rb_i64(&g, &v))
                sb_printf(out, " %lld", (long long)v);
        }
        sb_printf(out, gn > 64 ? " ...\n" : "\n");
    }
    for (uint32_t b = 0; N && b < B && b < 8; b++) {
        sb_printf(out, "  output %u (integers):", b);
        for (uint32_t e = 0; e < N && e < 16; e++) {
            int64_t v = 0;
            if (zki_rb_i64(&r, &v))
                sb_printf(out, " %lld", (long long)v);
        }
        sb_printf(out, N > 16 ? " ...\n" : "\n");
        if (N > 16)
            r.pos += 8 * (size_t)(N - 16);
    }
    sb_printf(out, "  (zkinfer verify checks it against the key)\n");
    return ZKI_OK;
}

static zki_status inspect_zkm(const char *path, const uint8_t *buf, size_t len, char *sum, strbuf *out)
{
    zki_qmodel *m;
    zki_status st = zki_zkm_parse(buf, len, &m);
    if (st != ZKI_OK)
        return named(st, path);
    sb_printf(out, "%s: zkinfer quantised model, .zkm version %d, %zu bytes, checks passed\n", path,
              ZKI_ZKM_VERSION, len);
    zki_qmodel_summary(m, sum, 1 << 20);
    sb_printf(out, "%s", sum);
    zki_qmodel_free(m);
    return ZKI_OK;
}

/* A tensor, from a .npy (npy set) or a TensorProto .pb. */
static zki_status inspect_tensor(const char *path, const uint8_t *buf, size_t len, int npy, char *sum, strbuf *out)
{
    zki_host_tensor h;
    zki_status st = npy ? zki_npy_parse(buf, len, &h) : zki_onnx_read_tensor_buffer(buf, len, &h);
    if (st != ZKI_OK)
        return named(st, path);
    sb_printf(out, "%s: %s %s %s\n", path, npy ? "NumPy array" : "ONNX tensor", zki_et_name(h.et),
              zki_shape_str(h.rank, h.dims, sum, 1 << 20));
    zki_host_tensor_clear(&h);
    return ZKI_OK;
}

/* An ONNX model only when it decodes as one (then its own errors, such as
 * an unsupported op, are the message); anything else is an unknown format. */
static zki_status inspect_onnx(const char *path, const uint8_t *buf, size_t len, char *sum, strbuf *out)
{
    if (!zki_onnx_is_model(buf, len))
        return zki_fail(ZKI_ERR_INPUT, "%s: unknown format (not a zkinfer .zkm/.vk/.zpk/.zkp, .npy, .pb tensor or "
                        "ONNX model)", path);
    zki_graph *g;
    zki_status st = zki_onnx_load_buffer(buf, len, &g);
    if (st != ZKI_OK)
        return named(st, path);
    sb_printf(out, "%s: ONNX model (producer %s), prepared graph:\n", path, g->producer ? g->producer : "?");
    zki_graph_summary(g, sum, 1 << 20);
    sb_printf(out, "%s", sum);
    zki_graph_free(g);
    return ZKI_OK;
}

zki_status zki_inspect_file(const char *path, char **report, char **notes)
{
    if (notes)
        *notes = NULL;
    ZKI_API_NEED(report, "zki_inspect_file");
    *report = NULL;
    ZKI_API_NEED(notes, "zki_inspect_file");
    ZKI_API_NEED(path, "zki_inspect_file");
    uint8_t *buf = NULL, head[8];
    size_t len = 0, hn = 0;
    /* the magic first, so each kind is read whole only up to its own cap */
    zki_status st = zki_read_file_head(path, SIZE_MAX, head, sizeof head, &hn);
    if (st == ZKI_OK)
        st = zki_read_file(path, size_cap(head, hn), &buf, &len);
    if (st != ZKI_OK)
        return named(st, path);
    strbuf out, nb;
    memset(&out, 0, sizeof out);
    memset(&nb, 0, sizeof nb);
    char *sum = malloc(1 << 20);
    st = sum ? check_name(path, buf, len, &nb) : zki_fail(ZKI_ERR_NOMEM, "%s: out of memory", path);
    if (st == ZKI_OK) {
        sum[0] = '\0';
        if (has_magic(buf, len, 0))
            st = inspect_vk(path, buf, len, &out);
        else if (has_magic(buf, len, 1))
            st = inspect_proof(path, buf, len, &out);
        else if (has_magic(buf, len, 2))
            st = inspect_zpk(path, buf, len, &out);
        else if (has_magic(buf, len, 3))
            st = inspect_zkm(path, buf, len, sum, &out);
        else if (has_magic(buf, len, 4))
            st = inspect_tensor(path, buf, len, 1, sum, &out);
        else if (ends_with(path, ".pb"))
            st = inspect_tensor(path, buf, len, 0, sum, &out);
        else
            st = inspect_onnx(path, buf, len, sum, &out);
    }
    free(sum);
    free(buf);
    char *text = sb_text(&out);
    *notes = sb_text(&nb);
    if (st == ZKI_OK && (!text || !*notes))
        st = zki_fail(ZKI_ERR_NOMEM, "%s: out of memory", path);
    if (st != ZKI_OK) {
        free(text);
        return st;
    }
    *report = text;
    return ZKI_OK;
}
