/* Helpers shared by the model-proving tests (test_prove_mlp, _cnn, _resnet,
 * _concat): the integer executor over a batch, parse-then-verify of proof
 * bytes, a random constant tensor for models built in C, and the fixture
 * round (public batch of 2, private batch of 1). Include after test.h. */
#ifndef ZKI_TEST_PROVE_UTIL_H
#define ZKI_TEST_PROVE_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "prover/prover.h"
#include "quant/npy.h"
#include "quant/qmodel.h"
#include "quant/quant.h"
#include "test_onnx_util.h"
#include "verifier/verifier.h"

/* qexec on each row of X; returns B * out_n outputs (NULL on failure) */
static inline int64_t *qexec_batch(const zki_qmodel *m, const int64_t *X, uint32_t B)
{
    int64_t K = zki_qnumel(&m->t[m->inputs[0]]), N = zki_qnumel(&m->t[m->outputs[0]]);
    int64_t *y = malloc(sizeof(int64_t) * (size_t)(B * N));
    for (uint32_t b = 0; b < B; b++) {
        int64_t *in = (int64_t *)X + b * K, **v;
        if (zki_qexec(m, &in, &v) != ZKI_OK) {
            free(y);
            return NULL;
        }
        memcpy(y + b * N, v[m->outputs[0]], sizeof(int64_t) * (size_t)N);
        zki_qexec_free(m, v);
    }
    return y;
}

static inline zki_status verify_bytes(const zki_vk *vk, const int64_t *X, uint32_t B,
                                      const uint8_t *b, size_t n)
{
    zki_proof q;
    zki_status st = zki_proof_from_bytes(vk, &q, b, n);
    if (st)
        return st;
    st = zki_verify(vk, X, B, &q);
    zki_proof_free(&q);
    return st;
}

/* A constant tensor of uniform values in [lo, lo + span). */
static inline int add_const(zki_qmodel *m, zki_rng *g, const char *name, int bits, int rank,
                            const int64_t *d, int64_t lo, int64_t span)
{
    int t = zki_qmodel_add_tensor(m, name, ZKI_QT_CONST, bits, rank, d, 0.01);
    int64_t n = zki_qnumel(&m->t[t]);
    m->t[t].data = malloc(sizeof(int64_t) * (size_t)n);
    for (int64_t i = 0; i < n; i++)
        m->t[t].data[i] = lo + (int64_t)zki_rng_below(g, (uint64_t)span);
    return t;
}

/* A model's head for models built in C: Flatten of tensor y (F values)
 * then a Linear to N outputs (random int8 weights, bias, M = 40, s = 16,
 * clamp [-128, 127]); returns the output tensor. */
static inline int add_flatten_linear(zki_qmodel *m, zki_rng *g, int y, int64_t F, int64_t N)
{
    int64_t fd[2] = {1, F}, wd[2] = {N, F}, bd[1] = {N}, yd[2] = {1, N};
    int ft = zki_qmodel_add_tensor(m, "flat", ZKI_QT_VALUE, 8, 2, fd, 0.05);
    int ni = zki_qmodel_add_node(m, ZKI_QOP_RESHAPE, "flatten");
    zki_qnode *n = &m->nodes[ni];
    n->n_in = 1, n->in[0] = y, n->out = ft;
    int wt = add_const(m, g, "fc.w", 8, 2, wd, -127, 255);
    int bt = add_const(m, g, "fc.b", 32, 1, bd, -(1 << 12), 1 << 13);
    int yt = zki_qmodel_add_tensor(m, "y", ZKI_QT_VALUE, 8, 2, yd, 0.05);
    ni = zki_qmodel_add_node(m, ZKI_QOP_LINEAR, "fc");
    n = &m->nodes[ni];
    n->n_in = 3, n->in[0] = ft, n->in[1] = wt, n->in[2] = bt, n->out = yt, n->n_p = 4;
    n->p[0] = 40, n->p[1] = 16, n->p[2] = -128, n->p[3] = 127;
    return yt;
}

/* A Linear K -> N on row x (random int8 weights and bias, M = 40,
 * s = 16; relu: clamp at 0); returns its output [1, N]. */
static inline int linear_row(zki_qmodel *m, zki_rng *g, int x, int64_t K, int64_t N, int relu, const char *name)
{
    char nm[32];
    int64_t wd[2] = {N, K}, bd[1] = {N}, yd[2] = {1, N};
    snprintf(nm, sizeof nm, "%s.w", name);
    int wt = add_const(m, g, nm, 8, 2, wd, -127, 255);
    snprintf(nm, sizeof nm, "%s.b", name);
    int bt = add_const(m, g, nm, 32, 1, bd, -(1 << 12), 1 << 13);
    int yt = zki_qmodel_add_tensor(m, name, ZKI_QT_VALUE, 8, 2, yd, 0.05);
    int ni = zki_qmodel_add_node(m, ZKI_QOP_LINEAR, name);
    zki_qnode *n = &m->nodes[ni];
    n->n_in = 3, n->in[0] = x, n->in[1] = wt, n->in[2] = bt, n->out = yt, n->n_p = 4;
    n->p[0] = 40, n->p[1] = 16, n->p[2] = relu ? 0 : -128, n->p[3] = 127;
    return yt;
}

/* A model built here ends: tensor yt is its output (checked), *X a random
 * int8 batch of 2 for its input. */
static inline zki_qmodel *finish_model(zki_qmodel *m, zki_rng *g, int yt, int64_t **X)
{
    m->n_outputs = 1;
    m->outputs[0] = yt;
    CHECK_MSG(zki_qmodel_check(m) == ZKI_OK, "model check: %s", zki_last_error());
    int64_t n = 2 * zki_qnumel(&m->t[m->inputs[0]]);
    *X = malloc(sizeof(int64_t) * (size_t)n);
    for (int64_t i = 0; *X && i < n; i++)
        (*X)[i] = (int64_t)zki_rng_below(g, 256) - 128;
    return m;
}

/* The proof's output equals the integer executor's on X (batch B). */
static inline void check_output_is_qexec(const zki_qmodel *m, const int64_t *X, uint32_t B, const zki_proof *pf,
                                         const char *what)
{
    int64_t *yq = qexec_batch(m, X, B);
    CHECK_MSG(yq && !memcmp(yq, pf->output, sizeof(int64_t) * B * pf->out_n),
              "%s: proven output differs from the integer executor", what);
    free(yq);
}

/* Byte offset of the first output value in a proof file: magic 8, version,
 * vk hash 32, input digest 32, B, private_input, n_nodes, out_n (u32 each;
 * prover/prover.h). (It was 60, inside the input digest, once the digest
 * joined the header: the "altered output" checks then flipped a digest
 * byte instead.) */
#define ZKI_PROOF_OUTPUT_AT (8 + 4 + 32 + 32 + 4 + 4 + 4 + 4 + 4) /* a plain proof: gen_n 0 */

/* The honest proof bytes (batch B, Xv or NULL for a private input) with
 * its first output value altered, then `mutations` random single-byte
 * changes at or after byte `skip`: every one must be refused; the bytes
 * are restored and still verify. */
static inline void check_mutations(zki_rng *g, const zki_vk *vk, const int64_t *Xv, uint32_t B, uint8_t *bytes,
                                   size_t blen, size_t skip, int mutations, const char *what)
{
    bytes[ZKI_PROOF_OUTPUT_AT] ^= 1;
    CHECK_MSG(verify_bytes(vk, Xv, B, bytes, blen) != ZKI_OK, "%s: altered output accepted", what);
    bytes[ZKI_PROOF_OUTPUT_AT] ^= 1;
    int acc = 0;
    for (int i = 0; i < mutations && skip < blen; i++) {
        size_t p = skip + zki_rng_below(g, blen - skip);
        uint8_t old = bytes[p];
        bytes[p] ^= (uint8_t)(1 + zki_rng_below(g, 255));
        acc += verify_bytes(vk, Xv, B, bytes, blen) == ZKI_OK;
        bytes[p] = old;
    }
    CHECK_MSG(acc == 0, "%s: %d of %d mutated proofs accepted", what, acc, mutations);
    CHECK(verify_bytes(vk, Xv, B, bytes, blen) == ZKI_OK);
}

/* The integer model m on fixture PREFIXNAME_x.npy, dequantised, against
 * torch's output PREFIXNAME_y.npy: cosine >= min_cos, and the argmax. */
static inline void check_fixture_torch(const zki_qmodel *m, const char *prefix, const char *name, double min_cos)
{
    char px[96], py[96];
    snprintf(px, sizeof px, "%s%s_x.npy", prefix, name);
    snprintf(py, sizeof py, "%s%s_y.npy", prefix, name);
    zki_host_tensor x, y;
    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    float *q = NULL;
    int64_t n = 0;
    CHECK(zki_tensor_read_any(tdata(px), &x) == ZKI_OK && zki_tensor_read_any(tdata(py), &y) == ZKI_OK);
    CHECK_MSG(x.f && zki_qrun_float_io(m, &x, &q, &n) == ZKI_OK, "%s: run: %s", name, zki_last_error());
    if (q && y.f && n == zki_host_tensor_numel(&y)) {
        double dot = 0, a = 0, b = 0;
        int64_t aq = 0, at = 0;
        for (int64_t i = 0; i < n; i++) {
            dot += (double)q[i] * y.f[i], a += (double)q[i] * q[i], b += (double)y.f[i] * y.f[i];
            aq = q[i] > q[aq] ? i : aq;
            at = y.f[i] > y.f[at] ? i : at;
        }
        double cs = dot / sqrt(a * b);
        printf("%s: cosine %.5f against torch, argmax %lld (torch %lld)\n", name, cs, (long long)aq, (long long)at);
        CHECK_MSG(cs >= min_cos && aq == at, "%s: cosine %.5f, argmax %lld vs torch's %lld", name, cs, (long long)aq,
                  (long long)at);
    } else {
        CHECK_MSG(0, "%s: output of %lld values", name, (long long)n);
    }
    free(q);
    zki_host_tensor_clear(&x);
    zki_host_tensor_clear(&y);
}

/* An exported ONNX fixture (tests/data) quantised on its 8 calibration
 * samples; *X gets samples 0 and 5 as the model's integer input, a batch
 * of 2 (NULL model or *X on failure, reported through CHECK). */
static inline zki_qmodel *load_fixture(const char *onnx, const char *calib, int64_t **X)
{
    zki_graph *gr = NULL;
    zki_host_tensor *cal = NULL;
    zki_qmodel *m = NULL;
    int ncal = 0;
    int64_t *x0 = NULL, *x1 = NULL;
    *X = NULL;
    CHECK_MSG(zki_onnx_load_file(tdata(onnx), &gr) == ZKI_OK, "%s: %s", onnx, zki_last_error());
    if (!gr)
        return NULL;
    CHECK(zki_calib_load(gr, tdata(calib), &cal, &ncal) == ZKI_OK && ncal == 8);
    CHECK(zki_quantize(gr, cal, ncal, NULL, &m) == ZKI_OK);
    int64_t n = m ? zki_qnumel(&m->t[m->inputs[0]]) : 0;
    if (m && ncal == 8 && zki_quant_input(m, 0, &cal[0], &x0) == ZKI_OK &&
        zki_quant_input(m, 0, &cal[5], &x1) == ZKI_OK && (*X = malloc(sizeof(int64_t) * 2 * (size_t)n))) {
        memcpy(*X, x0, sizeof(int64_t) * (size_t)n);
        memcpy(*X + n, x1, sizeof(int64_t) * (size_t)n);
    }
    free(x0);
    free(x1);
    zki_samples_free(cal, ncal);
    zki_graph_free(gr);
    return m;
}

/* An ONNX fixture's key *pk proves X (2 samples) publicly as a batch and
 * its first sample privately (a fresh key: a key opens its hiding
 * commitment once): the output equals the integer executor's, the proof
 * verifies and one flipped output byte is refused. With private_ok 0 the
 * private proof must instead be refused, naming the private input. */
static inline void prove_fixture_rounds_ex(const zki_qmodel *m, const int64_t *X, const uint8_t seed_w[32],
                                           const uint8_t seed_a[32], zki_pk **pk, const char *what,
                                           int private_ok)
{
    for (int priv = 0; priv < 2 && *pk; priv++) {
        uint32_t B = priv ? 1 : 2;
        if (priv) {
            zki_pk_free(*pk);
            *pk = NULL;
            CHECK(zki_setup(m, seed_w, pk) == ZKI_OK);
            if (!*pk)
                break;
        }
        zki_prove_opts o = {priv, seed_a, NULL, NULL, 0, 0};
        zki_proof pf;
        zki_status st = zki_prove(*pk, X, B, &o, &pf, NULL);
        if (priv && !private_ok) {
            CHECK_MSG(st == ZKI_ERR_UNSUPPORTED && strstr(zki_last_error(), "private input"),
                      "%s: a private proof was not refused: %s", what, st ? zki_last_error() : "proven");
            if (!st)
                zki_proof_free(&pf);
            continue;
        }
        CHECK_MSG(st == ZKI_OK, "%s prove: %s", what, zki_last_error());
        if (st)
            continue;
        check_output_is_qexec(m, X, B, &pf, what);
        uint8_t *bytes = NULL;
        size_t blen = 0;
        CHECK(zki_proof_to_bytes(&pf, &bytes, &blen) == ZKI_OK);
        /* ZKI_PROOF_OUTPUT_AT is where the output starts: out_n before it,
         * output[0] (little-endian i64) at it */
        if (bytes && blen >= ZKI_PROOF_OUTPUT_AT + 8) {
            uint64_t on = 0, o0 = 0;
            for (int i = 0; i < 4; i++)
                on |= (uint64_t)bytes[ZKI_PROOF_OUTPUT_AT - 4 + i] << (8 * i);
            for (int i = 0; i < 8; i++)
                o0 |= (uint64_t)bytes[ZKI_PROOF_OUTPUT_AT + i] << (8 * i);
            CHECK_MSG(on == pf.out_n && (int64_t)o0 == pf.output[0], "%s: output offset in the proof bytes", what);
        }
        zki_proof_free(&pf);
        const int64_t *Xv = priv ? NULL : X;
        st = verify_bytes(&(*pk)->vk, Xv, B, bytes, blen);
        CHECK_MSG(st == ZKI_OK, "%s verify: %s", what, zki_last_error());
        bytes[ZKI_PROOF_OUTPUT_AT] ^= 1;
        CHECK_MSG(verify_bytes(&(*pk)->vk, Xv, B, bytes, blen) != ZKI_OK, "%s: altered output accepted", what);
        free(bytes);
    }
}

static inline void prove_fixture_rounds(const zki_qmodel *m, const int64_t *X, const uint8_t seed_w[32],
                                        const uint8_t seed_a[32], zki_pk **pk, const char *what)
{
    prove_fixture_rounds_ex(m, X, seed_w, seed_a, pk, what, 1);
}

/* Checks on an honest in-memory proof (forged values, each refused by the
 * hook's own CHECKs, restored after). */
/* load_fixture of PREFIXNAME.onnx on PREFIXNAME_calib.npy; what[cap]:
 * PREFIXNAME, for messages. */
static inline zki_qmodel *load_named_fixture(const char *prefix, const char *name, int64_t **X, char *what,
                                             size_t cap)
{
    char onnx[96], calib[96];
    snprintf(onnx, sizeof onnx, "%s%s.onnx", prefix, name);
    snprintf(calib, sizeof calib, "%s%s_calib.npy", prefix, name);
    snprintf(what, cap, "%s%s", prefix, name);
    return load_fixture(onnx, calib, X);
}

typedef void (*proof_tamper_fn)(const zki_vk *vk, const int64_t *Xv, uint32_t B, zki_proof *pf, void *ctx);

/* m proven from a fresh key for a batch of B (priv: a private input): the
 * output equals the integer executor's, the proof verifies in memory, the
 * hook (if any) runs on it, its bytes verify, and an altered output and
 * `mutations` random byte changes after the output are refused. */
static inline void prove_round(zki_rng *g, const zki_qmodel *m, const int64_t *X, uint32_t B, int priv,
                               const uint8_t seed_w[32], const uint8_t seed_a[32], proof_tamper_fn tamper,
                               void *ctx, int mutations, const char *what)
{
    zki_pk *pk = NULL;
    zki_proof pf;
    zki_prove_opts o = {priv, seed_a, NULL, NULL, 0, 0};
    CHECK_MSG(zki_setup(m, seed_w, &pk) == ZKI_OK, "%s: setup: %s", what, zki_last_error());
    zki_status st = pk ? zki_prove(pk, X, B, &o, &pf, NULL) : ZKI_ERR_INPUT;
    CHECK_MSG(st == ZKI_OK, "%s: prove: %s", what, zki_last_error());
    if (!st) {
        const int64_t *Xv = priv ? NULL : X;
        check_output_is_qexec(m, X, B, &pf, what);
        CHECK_MSG(zki_verify(&pk->vk, Xv, B, &pf) == ZKI_OK, "%s: verify: %s", what, zki_last_error());
        if (tamper) {
            tamper(&pk->vk, Xv, B, &pf, ctx);
            CHECK_MSG(zki_verify(&pk->vk, Xv, B, &pf) == ZKI_OK, "%s: restored proof", what);
        }
        uint8_t *bytes = NULL;
        size_t blen = 0, out_n = pf.out_n;
        CHECK(zki_proof_to_bytes(&pf, &bytes, &blen) == ZKI_OK);
        zki_proof_free(&pf);
        CHECK_MSG(verify_bytes(&pk->vk, Xv, B, bytes, blen) == ZKI_OK, "%s: verify bytes: %s", what,
                  zki_last_error());
        check_mutations(g, &pk->vk, Xv, B, bytes, blen, ZKI_PROOF_OUTPUT_AT + 8 * (size_t)B * out_n, mutations,
                        what);
        free(bytes);
    }
    zki_pk_free(pk);
}

/* Fixture PREFIXNAME (load_named_fixture): against torch
 * (check_fixture_torch, min_cos), then check(m, X, i) before and after
 * prove_round twice: a public batch of 2 (12 byte changes) and a private
 * sample (6). */
static inline void prove_named_fixture(zki_rng *g, const char *prefix, const char *name, int i, double min_cos,
                                       const uint8_t seed_w[32], const uint8_t seed_a[32],
                                       void (*before)(const zki_qmodel *m, int i),
                                       void (*after)(const zki_qmodel *m, const int64_t *X, int i))
{
    char what[96];
    int64_t *X = NULL;
    zki_qmodel *m = load_named_fixture(prefix, name, &X, what, sizeof what);
    if (m && X) {
        check_fixture_torch(m, prefix, name, min_cos);
        before(m, i);
        prove_round(g, m, X, 2, 0, seed_w, seed_a, NULL, NULL, 12, what);
        prove_round(g, m, X, 1, 1, seed_w, seed_a, NULL, NULL, 6, what);
        after(m, X, i);
    }
    free(X);
    zki_qmodel_free(m);
}

#endif
