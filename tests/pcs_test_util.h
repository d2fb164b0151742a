/* Helpers shared by the PCS tests (test_pcs.c, test_pcs_row.c): random
 * data and points, reference evaluations, open/verify through bytes, the
 * proof's section offsets (for byte mutations) and a corrupted commitment. */
#ifndef ZKI_TEST_PCS_UTIL_H
#define ZKI_TEST_PCS_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "hash/merkle.h"
#include "pcs/pcs.h"
#include "pcs/pcs_internal.h"
#include "poly/mle.h"
#include "test.h"

static zki_rng rng;

static inline zki_ext rand_ext(void)
{
    return zki_ext_make(zki_rng_below(&rng, ZKI_P), zki_rng_below(&rng, ZKI_P));
}

/* The reference value f(r) of a vector, zero-padded to 2^n. */
static inline zki_ext eval_vec(const zki_pcs_vec *v, const zki_ext *r)
{
    size_t n = zki_log2_ceil(v->len);
    zki_fe *t = calloc((size_t)1 << n, sizeof *t);
    for (uint64_t i = 0; i < v->len; i++) {
        switch (v->type) {
        case ZKI_PCS_FE: t[i] = ((const zki_fe *)v->data)[i]; break;
        case ZKI_PCS_I8: t[i] = zki_fe_from_i64(((const int8_t *)v->data)[i]); break;
        case ZKI_PCS_I16: t[i] = zki_fe_from_i64(((const int16_t *)v->data)[i]); break;
        case ZKI_PCS_I32: t[i] = zki_fe_from_i64(((const int32_t *)v->data)[i]); break;
        }
    }
    zki_ext e = zki_mle_eval_base(t, n, r);
    free(t);
    return e;
}

static inline void *rand_data(zki_pcs_elem type, uint64_t len)
{
    size_t sz = type == ZKI_PCS_FE ? 8 : type == ZKI_PCS_I8 ? 1 : type == ZKI_PCS_I16 ? 2 : 4;
    uint8_t *d = malloc(len * sz + 1);
    for (uint64_t i = 0; i < len; i++) {
        if (type == ZKI_PCS_FE)
            ((zki_fe *)d)[i] = zki_rng_below(&rng, ZKI_P);
        else
            for (size_t b = 0; b < sz; b++)
                d[i * sz + b] = (uint8_t)zki_rng_u64(&rng);
    }
    return d;
}

static inline zki_ext *rand_point(size_t n)
{
    zki_ext *r = malloc((n ? n : 1) * sizeof *r);
    for (size_t i = 0; i < n; i++)
        r[i] = rand_ext();
    return r;
}

static inline int verify_bytes(const zki_pcs_commitment *const *coms, uint32_t nc,
                        const zki_pcs_claim *claims, size_t ncl, const uint8_t *b, size_t len)
{
    zki_pcs_proof p;
    if (zki_pcs_proof_from_bytes(&p, b, len))
        return 0;
    zki_transcript ts;
    zki_ts_init(&ts, "pcs-test", 1);
    zki_status st = zki_pcs_verify(&ts, coms, nc, claims, ncl, &p);
    zki_ts_free(&ts);
    zki_pcs_proof_free(&p);
    return st == ZKI_OK;
}

static inline int open_bytes(zki_pcs_prover *const *prs, uint32_t nc, const zki_pcs_claim *claims,
                      size_t ncl, uint8_t **b, size_t *len)
{
    zki_transcript ts;
    zki_ts_init(&ts, "pcs-test", 1);
    zki_pcs_proof p;
    zki_status st = zki_pcs_open(&ts, prs, nc, claims, ncl, &p);
    zki_ts_free(&ts);
    if (st)
        return 0;
    st = zki_pcs_proof_to_bytes(&p, b, len);
    zki_pcs_proof_free(&p);
    return st == ZKI_OK;
}

/* Byte offsets where proof sections start (header, each part's fields). */
static inline size_t section_starts(const uint8_t *b, size_t len, size_t *out)
{
    zki_pcs_proof p;
    size_t n = 0;
    if (zki_pcs_proof_from_bytes(&p, b, len))
        return 0;
    size_t o = 0;
    out[n++] = 0;
    out[n++] = 4;
    out[n++] = 8;
    out[n++] = 12; /* nonce */
    o = 20;
    for (uint32_t i = 0; i < p.n_parts; i++) {
        zki_pcs_proof_part *q = &p.parts[i];
        out[n++] = o;      /* slot */
        out[n++] = o + 4;  /* n_groups */
        out[n++] = o + 8;  /* row_len */
        out[n++] = o + 12; /* has_mu */
        out[n++] = o + 13; /* has_salt */
        out[n++] = o + 14; /* has_prox */
        out[n++] = o + 15; /* has_rowc */
        o += 16;
        if (q->has_mu) {
            out[n++] = o;
            o += 16 * (size_t)q->n_groups;
        }
        if (!q->has_rowc) {
            out[n++] = o; /* rows */
            o += 16 * ((size_t)q->n_groups + q->has_prox) * q->row_len;
            out[n++] = o - 16; /* last row entry */
        }
        out[n++] = o;      /* n_cols */
        out[n++] = o + 4;  /* col_height */
        o += 12;
        out[n++] = o; /* cols */
        o += 8 * (size_t)q->n_cols * q->col_height;
        out[n++] = o - 8;
        if (q->has_salt) {
            out[n++] = o;
            o += 32 * (size_t)q->n_cols;
        }
        out[n++] = o; /* n_nodes */
        o += 4;
        if (q->n_nodes) {
            out[n++] = o;
            o += 32 * (size_t)q->n_nodes;
            out[n++] = o - 1;
        }
        if (q->has_rowc) {
            out[n++] = o;      /* row root */
            out[n++] = o + 32; /* rounds */
            o += 36;
            out[n++] = o; /* sum-check messages */
            o += 32 * (size_t)q->rc_rounds;
            out[n++] = o - 1;
            out[n++] = o; /* a_0 */
            out[n++] = o + 16; /* a_1 */
            o += 32;
        }
    }
    out[n++] = o; /* has_inner */
    o += 1;
    if (p.inner) {
        out[n++] = o; /* inner length */
        o += 8;
        size_t il = len - o; /* the inner opening's own sections, shifted */
        size_t m = section_starts(b + o, il, out + n);
        for (size_t k = 0; k < m; k++)
            out[n + k] += o;
        n += m;
        o += il;
    }
    CHECK(o == len);
    zki_pcs_proof_free(&p);
    return n;
}

static inline int verify_proof(const zki_pcs_commitment *com, const zki_pcs_claim *cl, size_t ncl,
                        const zki_pcs_proof *p)
{
    zki_transcript ts;
    zki_ts_init(&ts, "pcs-test", 1);
    zki_status st = zki_pcs_verify(&ts, &com, 1, cl, ncl, p);
    zki_ts_free(&ts);
    return st == ZKI_OK;
}

static inline int open_proof(zki_pcs_prover *pr, const zki_pcs_claim *cl, size_t ncl, zki_pcs_proof *p)
{
    zki_transcript ts;
    zki_ts_init(&ts, "pcs-test", 1);
    zki_status st = zki_pcs_open(&ts, &pr, 1, cl, ncl, p);
    zki_ts_free(&ts);
    return st == ZKI_OK;
}

/* Replaces committed codeword symbols of row `row` (cw is column-major),
 * then rehashes the touched leaves and the tree: a prover whose committed
 * row is not a codeword. */
static inline void corrupt_row(zki_pcs_prover *pr, uint64_t row, const uint64_t *cols, uint64_t n)
{
    const zki_pcs_shape *s = &pr->com.shape;
    zki_sha256_ctx *base = zki_pcs_leaf_base(), *ctx = zki_sha256_new();
    zki_digest *leaves = zki_merkle_leaves(&pr->tree);
    for (uint64_t k = 0; k < n; k++) {
        zki_fe *e = &pr->cw[cols[k] * s->rows + row];
        *e = zki_fe_add(*e, zki_fe_from_u64(1 + zki_rng_below(&rng, 1000)));
        zki_pcs_leaf_hash(ctx, base, &leaves[cols[k]],
                          pr->salts ? pr->salts + cols[k] * ZKI_PCS_SALT_LEN : NULL,
                          pr->cw + cols[k] * s->rows, s->rows);
    }
    zki_merkle_hash_layers(&pr->tree);
    pr->com.root = *zki_merkle_root(&pr->tree);
    zki_sha256_free(base);
    zki_sha256_free(ctx);
}

/* Alters (XOR, never a no-op) each byte at every section boundary of the
 * proof and its neighbours, then 300 random bytes, one at a time; returns
 * how many altered proofs verified (*tried: how many were tried) and
 * restores b. */
static inline int accepted_mutations(uint8_t *b, size_t len, const zki_pcs_commitment *const *coms,
                                     uint32_t nc, const zki_pcs_claim *cl, size_t ncl,
                                     size_t min_sections, int *tried)
{
    size_t starts[512];
    size_t ns = section_starts(b, len, starts);
    CHECK(ns > min_sections);
    int bad = 0;
    *tried = 0;
    for (size_t i = 0; i < ns + 300; i++)
        for (int d = -1; d <= 1; d++) {
            size_t pos;
            if (i >= ns) {
                if (d)
                    continue;
                pos = zki_rng_below(&rng, len);
            } else {
                if ((d < 0 && starts[i] == 0) || starts[i] + d >= len)
                    continue;
                pos = starts[i] + d;
            }
            uint8_t old = b[pos];
            b[pos] ^= (uint8_t)(1 + zki_rng_below(&rng, 255));
            bad += verify_bytes(coms, nc, cl, ncl, b, len);
            (*tried)++;
            b[pos] = old;
        }
    return bad;
}

#endif
