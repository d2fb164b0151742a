/* zk contexts, the pad stream and sending / receiving padded values
 * (zk.h). */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "hash/entropy.h"
#include "hash/sha256.h"
#include "zk/zk_internal.h"

/* Pad k from the seed: SHA-256(tag || seed || k || counter) words,
 * rejection-sampled below the largest multiple of p (uniform for any p, the
 * tiny test field's included). */
static void pads_from_seed(const uint8_t seed[32], uint64_t first, zki_ext *out, uint64_t n)
{
    static const char tag[] = "zkinfer/zk-pad/v1";
    const uint64_t lim = UINT64_MAX - UINT64_MAX % ZKI_P - 1; /* accept v <= lim */
    uint8_t msg[sizeof tag + 32 + 16];
    memcpy(msg, tag, sizeof tag);
    memcpy(msg + sizeof tag, seed, 32);
#pragma omp parallel for schedule(static)
    for (int64_t k = 0; k < (int64_t)n; k++) {
        uint8_t m[sizeof msg];
        memcpy(m, msg, sizeof msg);
        for (int b = 0; b < 8; b++)
            m[sizeof tag + 32 + b] = (uint8_t)((first + (uint64_t)k) >> (8 * b));
        zki_fe c[2];
        int got = 0;
        for (uint64_t ctr = 0; got < 2; ctr++) {
            for (int b = 0; b < 8; b++)
                m[sizeof tag + 40 + b] = (uint8_t)(ctr >> (8 * b));
            zki_digest d;
            zki_sha256(&d, m, sizeof m);
            for (int w = 0; w < 4 && got < 2; w++) {
                uint64_t v = 0;
                for (int b = 0; b < 8; b++)
                    v |= (uint64_t)d.b[8 * w + b] << (8 * b);
                if (v <= lim)
                    c[got++] = (zki_fe)(v % ZKI_P);
            }
        }
        out[k] = zki_ext_make(c[0], c[1]);
    }
}

static zki_zk *ctx_new(uint64_t n_pads, int prover)
{
    zki_zk *z = calloc(1, sizeof(*z));
    if (!z)
        return NULL;
    z->prover = prover;
    z->n_pads = n_pads;
    if (zki_zk_init_tape(z)) {
        zki_zk_free(z);
        return NULL;
    }
    return z;
}

/* Room for n pads (prover contexts). */
static int pads_reserve(zki_zk *z, uint64_t n)
{
    if (n <= z->cap_pads)
        return 1;
    uint64_t c = z->cap_pads ? z->cap_pads : 1024;
    while (c < n)
        c *= 2;
    zki_ext *p = realloc(z->pads, sizeof(zki_ext) * c);
    if (!p)
        return 0;
    z->pads = p;
    z->cap_pads = c;
    return 1;
}

zki_zk *zki_zk_new_verifier(uint64_t n_pads) { return ctx_new(n_pads, 0); }

zki_zk *zki_zk_new_prover(uint64_t n_pads, const uint8_t seed[32])
{
    zki_zk *z = ctx_new(n_pads, 1);
    if (!z)
        return NULL;
    if (seed)
        memcpy(z->seed, seed, 32);
    else if (!zki_os_entropy32(z->seed)) {
        zki_fail(ZKI_ERR_UNSUPPORTED, "zk: no OS entropy for the pads");
        zki_zk_free(z);
        return NULL;
    }
    z->has_seed = 1;
    if (!pads_reserve(z, n_pads)) {
        zki_zk_free(z);
        return NULL;
    }
    pads_from_seed(z->seed, 0, z->pads, n_pads);
    z->n_known = n_pads;
    return z;
}

zki_zk *zki_zk_new_replay(const zki_ext *pads, uint64_t n_known)
{
    zki_zk *z = ctx_new(0, 1);
    if (z && !pads_reserve(z, n_known)) {
        zki_zk_free(z);
        return NULL;
    }
    if (z && n_known)
        memcpy(z->pads, pads, sizeof(zki_ext) * n_known);
    if (z)
        z->n_known = n_known;
    return z;
}

zki_zk *zki_zk_new_with_pads(uint64_t n_pads, const zki_ext *pads)
{
    zki_zk *z = zki_zk_new_replay(pads, n_pads);
    if (z)
        z->n_pads = n_pads;
    return z;
}

void zki_zk_free(zki_zk *z)
{
    if (!z)
        return;
    if (z->pads)
        memset(z->pads, 0, sizeof(zki_ext) * z->cap_pads);
    memset(z->seed, 0, sizeof z->seed);
    free(z->pads);
    free(z->nodes);
    free(z->nval);
    free(z->terms);
    free(z->cons);
    free(z->prod);
    free(z);
}

void zki_zk_set_chunks(zki_zk *z, zki_zk_chunk_fn hook, void *ctx, uint64_t first_len, uint64_t next_len)
{
    z->hook = hook;
    z->hook_ctx = ctx;
    z->first_len = first_len ? first_len : 1;
    z->next_len = next_len ? next_len : 1;
}

void zki_zk_set_first_len(zki_zk *z, uint64_t first_len) { z->first_len = first_len ? first_len : 1; }

uint32_t zki_zk_n_chunks(const zki_zk *z) { return z->n_chunks; }

int zki_zk_secret(const zki_zk *z, const char *label, uint64_t index, uint8_t out[32])
{
    if (!z || !z->has_seed)
        return 0;
    static const char tag[] = "zkinfer/zk-secret/v1";
    zki_sha256_ctx *c = zki_sha256_new();
    if (!c)
        return 0;
    uint8_t ib[8];
    for (int b = 0; b < 8; b++)
        ib[b] = (uint8_t)(index >> (8 * b));
    zki_sha256_update(c, tag, sizeof tag);
    zki_sha256_update(c, z->seed, 32);
    zki_sha256_update(c, label, strlen(label) + 1);
    zki_sha256_update(c, ib, 8);
    zki_digest d;
    zki_sha256_final(c, &d);
    zki_sha256_free(c);
    memcpy(out, d.b, 32);
    return 1;
}
uint64_t zki_zk_n_pads(const zki_zk *z) { return z->n_pads; }
uint64_t zki_zk_used(const zki_zk *z) { return z->used; }
const zki_ext *zki_zk_pads(const zki_zk *z) { return z->prover ? z->pads : NULL; }
zki_status zki_zk_ok(const zki_zk *z) { return z->err; }

zki_ext zki_zk_witness_value(const zki_zk *z, uint64_t entry)
{
    if (!z->prover)
        return zki_ext_zero();
    if (entry & ZKI_ZK_PROD) {
        entry &= ~ZKI_ZK_PROD;
        return entry < 3 * z->n_prod ? z->prod[entry] : zki_ext_zero();
    }
    return entry < z->n_known ? z->pads[entry] : zki_ext_zero();
}

/* Opens the next chunk: the prover draws its pads, the hook commits or
 * reads it. */
static zki_status open_chunk(zki_zk *z, zki_transcript *t)
{
    uint32_t c = z->n_chunks;
    uint64_t len = z->first_len;
    if (c) {
        len = z->next_len;
        for (uint32_t i = 1; i < c && len < ((uint64_t)1 << 40); i++)
            len *= 4;
    }
    uint64_t first = z->n_pads;
    if (z->has_seed) {
        if (!pads_reserve(z, first + len))
            return zki_fail(ZKI_ERR_NOMEM, "zk: %llu pads", (unsigned long long)(first + len));
        pads_from_seed(z->seed, first, z->pads + first, len);
        z->n_known = first + len;
    }
    zki_status st = z->hook(z->hook_ctx, t, c, first, len);
    if (st)
        return st;
    z->n_pads = first + len;
    z->n_chunks++;
    return ZKI_OK;
}

/* The next pad index, or n_pads (recorded as a misuse) when none is left. */
static uint64_t next_pad(zki_zk *z, zki_transcript *t)
{
    if (z->used >= z->n_pads && !z->err) {
        zki_status st = z->hook ? open_chunk(z, t)
                                : zki_fail(ZKI_ERR_INPUT, "zk: more padded values than the %llu pads",
                                           (unsigned long long)z->n_pads);
        if (st)
            zki_zk_fail(z, st);
    }
    if (z->used >= z->n_pads)
        return z->n_pads;
    return z->used++;
}

zki_ext zki_zk_send(zki_transcript *t, const char *label, zki_ext v)
{
    zki_zk *z = t->zk;
    if (z) {
        uint64_t k = next_pad(z, t);
        if (k < z->n_pads && k < z->n_known)
            v = zki_ext_sub(v, z->pads[k]);
    }
    zki_ts_absorb_ext(t, label, v);
    return v;
}

zki_pv zki_zk_recv(zki_transcript *t, const char *label, zki_ext s)
{
    zki_zk *z = t->zk;
    zki_pv v = {s, 0};
    if (z) {
        /* a new chunk's commitment comes before the value */
        uint64_t k = next_pad(z, t);
        if (k < z->n_pads)
            v.f = zki_zk_leaf(z, k);
    }
    zki_ts_absorb_ext(t, label, s);
    return v;
}
