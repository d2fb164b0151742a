/* Shared body of the model-proof harnesses (fuzz_proof, fuzz_cnn_proof,
 * fuzz_concat_proof): one honest key and proof, then every input is a vk
 * or proof to parse and verify. Parsing must never crash or over-read; a
 * proof that parses must re-serialise to the same bytes; only the honest
 * proof verifies (a patched proof that verifies aborts: a soundness bug or
 * a no-op patch, filtered by comparing bytes). Input byte 0 picks:
 *   0: the rest is a vk file, or (patch_vk) patches the honest vk;
 *   1: the rest is a proof file;
 *   2: the rest patches the honest proof (pairs of u32 offset, xor byte),
 *      so the fuzzer reaches the verifier's deep checks. */
#ifndef ZKI_FUZZ_MODEL_PROOF_H
#define ZKI_FUZZ_MODEL_PROOF_H

#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "verifier/verifier.h"

static zki_pk *g_pk;
static uint8_t *g_proof, *g_vk;
static size_t g_proof_len, g_vk_len;
static const int64_t *g_x;
static uint32_t g_batch;

/* A tensor; constants get deterministic values in [-100, 100]. */
static inline int fuzz_add_tensor(zki_qmodel *m, const char *name, int kind, int bits, int rank, const int64_t *d, int64_t seed)
{
    int t = zki_qmodel_add_tensor(m, name, kind, bits, rank, d, 0.05);
    if (t >= 0 && kind == ZKI_QT_CONST) {
        int64_t n = zki_qnumel(&m->t[t]);
        m->t[t].data = malloc(sizeof(int64_t) * (size_t)n);
        if (!m->t[t].data)
            abort();
        for (int64_t i = 0; i < n; i++)
            m->t[t].data[i] = (i * 53 + seed) % 201 - 100;
    }
    return t;
}

/* Sets up m (freed here), proves x (batch B) honestly and keeps the bytes. */
static void fuzz_model_setup(zki_qmodel *m, const uint8_t seed[32], const int64_t *x, uint32_t B)
{
    g_x = x;
    g_batch = B;
    zki_prove_opts o = {0, seed, NULL, NULL, 0, 0};
    zki_proof pf;
    if (zki_qmodel_check(m) || zki_setup(m, seed, &g_pk) || zki_prove(g_pk, x, B, &o, &pf, NULL) ||
        zki_proof_to_bytes(&pf, &g_proof, &g_proof_len) || zki_vk_to_bytes(&g_pk->vk, &g_vk, &g_vk_len) ||
        zki_verify(&g_pk->vk, x, B, &pf))
        abort();
    zki_proof_free(&pf);
    zki_qmodel_free(m);
}

static void fuzz_check_proof(const uint8_t *b, size_t n)
{
    zki_proof pf;
    if (zki_proof_from_bytes(&g_pk->vk, &pf, b, n) != ZKI_OK)
        return;
    uint8_t *again;
    size_t al;
    if (zki_proof_to_bytes(&pf, &again, &al) || al != n || memcmp(again, b, n))
        abort(); /* parse/serialise must be a bijection on what parses */
    free(again);
    zki_status st = zki_verify(&g_pk->vk, g_x, g_batch, &pf);
    if (st == ZKI_OK && (n != g_proof_len || memcmp(b, g_proof, n)))
        abort(); /* a different proof accepted */
    zki_proof_free(&pf);
}

static uint8_t *fuzz_patched(const uint8_t *base, size_t len, const uint8_t *d, size_t n)
{
    uint8_t *c = malloc(len);
    if (!c)
        return NULL;
    memcpy(c, base, len);
    for (size_t i = 0; i + 5 <= n; i += 5) {
        uint32_t off = (uint32_t)d[i] | (uint32_t)d[i + 1] << 8 | (uint32_t)d[i + 2] << 16 | (uint32_t)d[i + 3] << 24;
        c[off % len] ^= d[i + 4];
    }
    return c;
}

static int fuzz_model_input(const uint8_t *data, size_t size, int patch_vk)
{
    if (size < 1)
        return 0;
    const uint8_t *d = data + 1;
    size_t n = size - 1;
    if (data[0] == 0) {
        uint8_t *c = patch_vk ? fuzz_patched(g_vk, g_vk_len, d, n) : NULL;
        zki_vk vk;
        if (patch_vk ? c && zki_vk_from_bytes(&vk, c, g_vk_len) == ZKI_OK : zki_vk_from_bytes(&vk, d, n) == ZKI_OK)
            zki_vk_free(&vk);
        free(c);
    } else if (data[0] == 1) {
        fuzz_check_proof(d, n);
    } else if (data[0] == 2) {
        uint8_t *c = fuzz_patched(g_proof, g_proof_len, d, n);
        if (c)
            fuzz_check_proof(c, g_proof_len);
        free(c);
    }
    return 0;
}

#endif
