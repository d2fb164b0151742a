/* The WebAssembly verifier's exports (docs/wasm.md): JavaScript copies the
 * key, the proof and the input .npy into buffers from zkw_alloc, calls
 * zkw_verify, and reads the verified output, or the reason for a
 * rejection, back out of wasm memory. One verification at a time: the
 * results live in this module's state until the next zkw_verify.
 *
 * The input is read with the CLI's rules (src/cli/cli_input.c: the shape
 * rule zki_input_batch, finite values, zki_quantize_value; an integer file
 * only for a model of integer input, since there is no --input-scale here),
 * so the browser and `zkinfer verify --input X.npy` decide alike. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zkinfer.h"
#include "quant/npy.h"

#define ZKW_EXPORT(name) __attribute__((export_name(#name)))

/* What zkw_verify returns, beyond zki_status's codes (0 verified, 3 the
 * proof rejected, 1 bad arguments or input, 2 out of memory). */
#define ZKW_MSG_CAP 1024

static struct {
    float *output;         /* batch * per_sample values, dequantised */
    uint32_t batch, per_sample;
    int private_input, private_output;
    /* the key's digest (zki_vk_digest, as `GET /v1/models` shows it), for a
     * page to compare with one pinned out of band; set once the key parsed */
    unsigned char vk_digest[32];
    int has_vk_digest;
    char msg[ZKW_MSG_CAP];
} result;

static void result_clear(void)
{
    free(result.output);
    memset(&result, 0, sizeof result);
}

static int fail(int status, const char *what)
{
    snprintf(result.msg, sizeof result.msg, "%s", what);
    return status;
}

ZKW_EXPORT(zkw_alloc) void *zkw_alloc(size_t n) { return malloc(n ? n : 1); }

ZKW_EXPORT(zkw_free) void zkw_free(void *p) { free(p); }

/* Quantises the input .npy as the CLI does; *X is malloc'd, *B the batch. */
static int read_input(const zki_vk *vk, const uint8_t *npy, size_t npy_len, int64_t **X, uint32_t *B)
{
    zki_info info;
    if (zki_vk_info(vk, &info) != ZKI_OK)
        return fail(ZKI_ERR_INPUT, zki_last_error());
    const zki_tensor_info *in = &info.input;
    zki_host_tensor h;
    if (zki_npy_parse(npy, npy_len, &h) != ZKI_OK) {
        char why[ZKW_MSG_CAP];
        snprintf(why, sizeof why, "input .npy: %s", zki_last_error());
        return fail(ZKI_ERR_INPUT, why);
    }
    int64_t dims[ZKI_MAX_DIMS] = {0}, n = 1, b = 0;
    for (int k = 0; k < h.rank && k < ZKI_MAX_DIMS; k++) {
        dims[k] = h.dims[k];
        n *= h.dims[k];
    }
    int st = ZKI_OK;
    char why[ZKW_MSG_CAP] = "";
    if (h.rank > ZKI_MAX_DIMS)
        snprintf(why, sizeof why, "input .npy has rank %d, more than %d", h.rank, ZKI_MAX_DIMS);
    else if (zki_input_batch(in, (uint32_t)h.rank, dims, "the input .npy", &b) != ZKI_OK)
        snprintf(why, sizeof why, "%s", zki_last_error());
    else if (b < 1 || b > ZKI_BATCH_MAX)
        snprintf(why, sizeof why, "the input .npy holds %lld samples; 1 to %u are accepted", (long long)b,
                 ZKI_BATCH_MAX);
    else if (in->scale > 0 && !h.f)
        snprintf(why, sizeof why, "the input .npy holds integers; the model takes float input: convert it to "
                 "float32");
    else if (!(in->scale > 0) && !h.i)
        snprintf(why, sizeof why, "the input .npy holds float values; the model takes integers (e.g. token ids)");
    int64_t qmax = in->bits >= 64 ? INT64_MAX : ((int64_t)1 << (in->bits - 1)) - 1;
    size_t q_bytes = 0; /* n int64s: checked, since wasm32's 32-bit size_t wraps at 2^29 of them */
    if (!why[0] && (n < 0 || !zki_size_mul((size_t)(n > 0 ? n : 1), sizeof(int64_t), &q_bytes)))
        snprintf(why, sizeof why, "the input .npy holds %lld values, too many for the web verifier's memory: use "
                 "a smaller input", (long long)n);
    int64_t *q = why[0] ? NULL : malloc(q_bytes);
    if (!why[0] && !q) {
        st = ZKI_ERR_NOMEM;
        snprintf(why, sizeof why, "the input .npy: out of memory");
    }
    for (int64_t e = 0; q && !why[0] && e < n; e++) {
        if (h.f && !isfinite(h.f[e]))
            snprintf(why, sizeof why, "the input .npy: value at index %lld is %s; inputs must be finite",
                     (long long)e, isnan(h.f[e]) ? "NaN" : "infinite");
        else if (h.f)
            q[e] = zki_quantize_value((double)h.f[e], in->scale, in->bits, NULL);
        else if (h.i[e] > qmax || h.i[e] < -qmax)
            snprintf(why, sizeof why, "the input .npy: value %lld at index %lld is outside the model's integer "
                     "input range [-%lld, %lld]", (long long)h.i[e], (long long)e, (long long)qmax,
                     (long long)qmax);
        else
            q[e] = h.i[e];
    }
    zki_host_tensor_clear(&h);
    if (why[0]) {
        free(q);
        return fail(st == ZKI_OK ? ZKI_ERR_INPUT : st, why);
    }
    *X = q;
    *B = (uint32_t)b;
    return ZKI_OK;
}

/* Verifies proof against vk and the input .npy (npy_len 0: a proof made
 * with --private-input, which carries no input). Returns a zki_status;
 * on 0 the verified output is at zkw_output() (none for a proof that
 * commits its output), otherwise zkw_error() says why. */
ZKW_EXPORT(zkw_verify)
int zkw_verify(const uint8_t *vk_bytes, size_t vk_len, const uint8_t *proof_bytes, size_t proof_len,
               const uint8_t *npy, size_t npy_len)
{
    result_clear();
    zki_vk *vk = NULL;
    zki_proof *pf = NULL;
    int64_t *X = NULL;
    uint32_t B = 0;
    int st;
    if (!vk_bytes || !proof_bytes || (npy_len && !npy))
        return fail(ZKI_ERR_INPUT, "zkw_verify: a NULL buffer");
    if ((st = zki_vk_parse(vk_bytes, vk_len, &vk)) != ZKI_OK) {
        char why[ZKW_MSG_CAP];
        snprintf(why, sizeof why, "verification key: %s", zki_last_error());
        return fail(st == ZKI_ERR_NOMEM ? st : ZKI_ERR_INPUT, why);
    }
    result.has_vk_digest = zki_vk_digest(vk, result.vk_digest) == ZKI_OK;
    if (npy_len && (st = read_input(vk, npy, npy_len, &X, &B)) != ZKI_OK)
        goto done;
    if ((st = zki_proof_parse(vk, proof_bytes, proof_len, &pf)) != ZKI_OK) {
        fail(st, zki_last_error());
        goto done;
    }
    const int64_t *gen = NULL;
    uint32_t n_gen = 0, pb = 0, per = 0;
    const int64_t *y = NULL;
    if (zki_proof_generated(pf, &gen, &n_gen, NULL) != ZKI_OK || n_gen) {
        st = fail(ZKI_ERR_UNSUPPORTED, "a proof of a generation: the web verifier checks plain proofs only");
        goto done;
    }
    int priv = 0;
    if ((st = zki_proof_output(pf, &pb, &per, &y, &priv)) != ZKI_OK) {
        fail(st, zki_last_error());
        goto done;
    }
    if (X && priv) { /* as the CLI: the proof's fault, not the caller's */
        st = fail(ZKI_ERR_VERIFY, "proof rejected: the proof commits its input; verify without an input");
        goto done;
    }
    if (!X && !priv) {
        st = fail(ZKI_ERR_INPUT, "the proof publishes its input: pass the input .npy it was made for");
        goto done;
    }
    if ((st = zki_verify_int(vk, X, X ? B : pb, pf)) != ZKI_OK) {
        fail(st, zki_last_error());
        goto done;
    }
    result.batch = pb;
    result.per_sample = per;
    result.private_input = priv;
    result.private_output = y == NULL;
    if (y) {
        size_t n, out_bytes;
        if (!zki_size_mul(pb, per, &n) || !zki_size_mul(n ? n : 1, sizeof(float), &out_bytes)) {
            st = fail(ZKI_ERR_NOMEM, "the proof's output is too large for the web verifier's memory");
            goto done;
        }
        if (!(result.output = malloc(out_bytes))) {
            st = fail(ZKI_ERR_NOMEM, "out of memory for the output");
            goto done;
        }
        if ((st = zki_proof_output_float(pf, vk, result.output, n)) != ZKI_OK)
            fail(st, zki_last_error());
    }
done:
    zki_proof_destroy(pf);
    zki_vk_destroy(vk);
    free(X);
    if (st != ZKI_OK) {
        free(result.output);
        result.output = NULL;
        result.batch = result.per_sample = 0;
    }
    return st;
}

ZKW_EXPORT(zkw_output) const float *zkw_output(void) { return result.output; }
ZKW_EXPORT(zkw_output_batch) uint32_t zkw_output_batch(void) { return result.batch; }
ZKW_EXPORT(zkw_output_per_sample) uint32_t zkw_output_per_sample(void) { return result.per_sample; }
ZKW_EXPORT(zkw_private_input) int zkw_private_input(void) { return result.private_input; }
ZKW_EXPORT(zkw_private_output) int zkw_private_output(void) { return result.private_output; }
/* The 32 bytes of the last key's SHA-256 digest (zki_vk_digest), or NULL
 * when the last zkw_verify could not parse the key. */
ZKW_EXPORT(zkw_vk_digest) const unsigned char *zkw_vk_digest(void)
{
    return result.has_vk_digest ? result.vk_digest : NULL;
}
/* NUL-terminated; empty after a verified proof. */
ZKW_EXPORT(zkw_error) const char *zkw_error(void) { return result.msg; }
