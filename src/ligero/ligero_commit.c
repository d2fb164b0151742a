/* Commitment (prover only): each K-row of values becomes two base rows of
 * coefficients (interp_H(v) + Z_H r, r uniform of degree < h), the masks
 * commitment adds its three mask K-rows, every row is encoded on the coset
 * 7 <w_D>, and column j is hashed with its salt into leaf j of a Merkle
 * tree. All randomness comes from (seed, commitment index) through
 * zki_pcs_prg, one stream per row or leaf, so the result does not depend on
 * the thread count. */
#ifndef ZKI_VERIFIER_ONLY
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "ligero/ligero_internal.h"
#include "ntt/ntt.h"
#include "pcs/pcs_internal.h"

#define ROW_BLOCK 8 /* rows encoded together: their column entries are adjacent */

/* Streams of zki_pcs_prg under the commitment's own seed. */
enum { PRG_PAD = 1, PRG_MASK = 2, PRG_SALT = 3 };

void zki_ligero_prover_free(zki_ligero_prover *pr)
{
    if (!pr)
        return;
    free(pr->vals);
    free(pr->coef);
    free(pr->cw);
    free(pr->salts);
    zki_merkle_free(&pr->tree);
    free(pr);
}

/* The commitment's seed: SHA-256(tag || seed || c), so two commitments
 * made from one caller seed draw independent streams, and no stream of
 * this module meets one of the PCS's. */
static void commit_seed(const uint8_t *seed, uint32_t c, uint8_t out[32])
{
    static const char tag[] = "zkinfer/ligero-seed/v1";
    uint8_t msg[sizeof tag - 1 + 32 + 4];
    memcpy(msg, tag, sizeof tag - 1);
    memcpy(msg + sizeof tag - 1, seed, 32);
    for (int b = 0; b < 4; b++)
        msg[sizeof tag - 1 + 32 + b] = (uint8_t)(c >> (8 * b));
    zki_digest d;
    zki_sha256(&d, msg, sizeof msg);
    memcpy(out, d.b, 32);
}

/* Base data row b = 2 r + coord: the coefficients of interp_H(v) + Z_H rnd,
 * Z_H rnd = X^ell rnd - rnd (rnd of degree < h). */
static zki_status data_row(zki_ligero_prover *pr, const uint8_t *seed, uint64_t b, zki_fe *tmp)
{
    const zki_ligero_shape *s = &pr->shape;
    uint64_t ell = s->ell, h = s->h, r = b / 2;
    zki_fe *out = pr->coef + b * s->m;
    const zki_ext *v = pr->vals + r * ell;
    for (uint64_t i = 0; i < ell; i++)
        out[i] = (b & 1) ? v[i].c1 : v[i].c0;
    zki_status st = zki_ntt_inverse(out, ell);
    if (st)
        return st;
    zki_pcs_prg(seed, PRG_PAD, b, tmp, h);
    for (uint64_t i = 0; i < h; i++) {
        out[i] = zki_fe_sub(out[i], tmp[i]);
        out[ell + i] = zki_fe_add(out[ell + i], tmp[i]);
    }
    return ZKI_OK;
}

/* Mask base row `mb` (0 .. 5: mu c0, mu c1, nu c0, nu c1, nu' c0, nu' c1), m
 * coefficients: mu uniform; nu uniform with sum_{x in H} nu(x) = 0, i.e. its
 * coefficients at multiples of ell sum to 0 (coefficient 0 is set so); nu' =
 * Z_H rho, rho uniform of degree < m - ell. */
static void mask_row(zki_ligero_prover *pr, const uint8_t *seed, unsigned mb, zki_fe *tmp)
{
    const zki_ligero_shape *s = &pr->shape;
    uint64_t m = s->m, ell = s->ell;
    zki_fe *out = pr->coef + (zki_ligero_mask_row(s, 0) + mb) * m;
    switch (mb / 2) {
    case ZKI_LIGERO_MU:
        zki_pcs_prg(seed, PRG_MASK, mb, out, m);
        break;
    case ZKI_LIGERO_NU: {
        zki_pcs_prg(seed, PRG_MASK, mb, out, m);
        zki_fe sum = 0;
        for (uint64_t i = ell; i < m; i += ell)
            sum = zki_fe_add(sum, out[i]);
        out[0] = zki_fe_neg(sum);
        break;
    }
    default: {
        uint64_t nr = m - ell; /* rho's coefficients */
        zki_pcs_prg(seed, PRG_MASK, mb, tmp, nr);
        for (uint64_t i = 0; i < m; i++) {
            zki_fe hi = i >= ell ? tmp[i - ell] : 0, lo = i < nr ? tmp[i] : 0;
            out[i] = zki_fe_sub(hi, lo);
        }
        break;
    }
    }
}

static zki_status fill_rows(zki_ligero_prover *pr, const uint8_t *seed)
{
    const zki_ligero_shape *s = &pr->shape;
    int64_t n_data = (int64_t)(2 * s->rows[pr->commit]);
    int64_t n_all = (int64_t)pr->height;
    int failed = 0;
#pragma omp parallel
    {
        zki_fe *tmp = malloc(s->m * sizeof *tmp);
#pragma omp for schedule(dynamic, 4)
        for (int64_t b = 0; b < n_all; b++) {
            if (!tmp) {
#pragma omp atomic write
                failed = 1;
                continue;
            }
            if (b < n_data) {
                if (data_row(pr, seed, (uint64_t)b, tmp)) {
#pragma omp atomic write
                    failed = 1;
                }
            } else {
                mask_row(pr, seed, (unsigned)(b - n_data), tmp);
            }
        }
        free(tmp);
    }
    return failed ? zki_fail(ZKI_ERR_NOMEM, "ligero: out of memory building rows") : ZKI_OK;
}

/* Enc(row)[j] = row(7 w_D^j): one coset NTT of size D per row, in blocks of
 * ROW_BLOCK rows written column-major. */
static zki_status encode(zki_ligero_prover *pr)
{
    const zki_ligero_shape *s = &pr->shape;
    uint64_t d = s->d, m = s->m, height = pr->height;
    int64_t nb = (int64_t)((height + ROW_BLOCK - 1) / ROW_BLOCK);
    int failed = 0;
#pragma omp parallel
    {
        zki_fe *buf = malloc(ROW_BLOCK * d * sizeof *buf);
#pragma omp for schedule(dynamic, 1)
        for (int64_t blk = 0; blk < nb; blk++) {
            if (!buf) {
#pragma omp atomic write
                failed = 1;
                continue;
            }
            uint64_t r0 = (uint64_t)blk * ROW_BLOCK;
            uint64_t n = height - r0 < ROW_BLOCK ? height - r0 : ROW_BLOCK;
            for (uint64_t r = 0; r < n; r++) {
                zki_fe *row = buf + r * d;
                memcpy(row, pr->coef + (r0 + r) * m, m * sizeof *row);
                memset(row + m, 0, (d - m) * sizeof *row);
                if (zki_ntt_coset_forward(row, d, ZKI_LIGERO_SHIFT)) {
#pragma omp atomic write
                    failed = 1;
                }
            }
            for (uint64_t j = 0; j < d; j++)
                for (uint64_t r = 0; r < n; r++)
                    pr->cw[j * height + r0 + r] = buf[r * d + j];
        }
        free(buf);
    }
    return failed ? zki_fail(ZKI_ERR_NOMEM, "ligero: encoding failed") : ZKI_OK;
}

static zki_status hash_columns(zki_ligero_prover *pr, const uint8_t *seed)
{
    const zki_ligero_shape *s = &pr->shape;
    int64_t d = (int64_t)s->d;
    zki_status st = zki_merkle_init(&pr->tree, s->d);
    if (st)
        return st;
    zki_digest *leaves = zki_merkle_leaves(&pr->tree);
    zki_sha256_ctx *base = zki_ligero_leaf_base();
    if (!base)
        return zki_fail(ZKI_ERR_NOMEM, "ligero: out of memory hashing columns");
    int failed = 0;
#pragma omp parallel
    {
        zki_sha256_ctx *ctx = zki_sha256_new();
#pragma omp for schedule(static)
        for (int64_t j = 0; j < d; j++) {
            zki_fe w[4];
            uint8_t *salt = pr->salts + (uint64_t)j * ZKI_LIGERO_SALT_LEN;
            zki_pcs_prg(seed, PRG_SALT, (uint64_t)j, w, 4);
            for (int k = 0; k < 4; k++)
                zki_fe_to_bytes(salt + 8 * k, w[k]);
            if (!ctx) {
#pragma omp atomic write
                failed = 1;
                continue;
            }
            zki_ligero_leaf(ctx, base, &leaves[j], salt, pr->cw + (uint64_t)j * pr->height,
                            pr->height);
        }
        zki_sha256_free(ctx);
    }
    zki_sha256_free(base);
    if (failed)
        return zki_fail(ZKI_ERR_NOMEM, "ligero: out of memory hashing columns");
    zki_merkle_hash_layers(&pr->tree);
    return ZKI_OK;
}

zki_status zki_ligero_prover_reshape(zki_ligero_prover *pr, const zki_ligero_shape *s, uint32_t c)
{
    if (!pr)
        return zki_fail(ZKI_ERR_INPUT, "ligero: no prover to reshape");
    zki_status st = zki_ligero_shape_check(s);
    if (st)
        return st;
    const zki_ligero_shape *o = &pr->shape;
    if (c >= s->n_c || pr->used || s->ell != o->ell || s->h != o->h || s->k != o->k ||
        s->d != o->d || s->queries != o->queries || s->bits != o->bits || s->grind != o->grind ||
        s->rows[c] != o->rows[pr->commit] || s->height[c] != pr->height)
        return zki_fail(ZKI_ERR_INPUT, "ligero: commitment %u does not have the layout of "
                        "commitment %u of the new shape", pr->commit, c);
    pr->shape = *s;
    pr->commit = c;
    return ZKI_OK;
}

zki_status zki_ligero_commit(zki_ligero_prover **out, const zki_ligero_shape *s, uint32_t c,
                             const zki_ext *values, uint64_t n, const uint8_t *seed,
                             zki_digest *root)
{
    if (!out || !root)
        return zki_fail(ZKI_ERR_INPUT, "ligero: commit needs an output and a root");
    *out = NULL;
    zki_status st = zki_ligero_shape_check(s);
    if (st)
        return st;
    if (c >= s->n_c)
        return zki_fail(ZKI_ERR_INPUT, "ligero: commitment %u of %u", c, s->n_c);
    if (n > s->rows[c] * s->ell)
        return zki_fail(ZKI_ERR_INPUT, "ligero: %llu values for commitment %u of %llu rows of %llu",
                        (unsigned long long)n, c, (unsigned long long)s->rows[c],
                        (unsigned long long)s->ell);
    if (n && !values)
        return zki_fail(ZKI_ERR_INPUT, "ligero: no values to commit");
    for (uint64_t i = 0; i < n; i++)
        if (!ZKI_EXT_CANON(values[i]))
            return zki_fail(ZKI_ERR_INPUT, "ligero: value %llu is not canonical",
                            (unsigned long long)i);
    uint8_t seed0[32], cs[32];
    if (seed)
        memcpy(seed0, seed, 32);
    else if ((st = zki_pcs_entropy(seed0)))
        return st;
    commit_seed(seed0, c, cs);
    memset(seed0, 0, sizeof seed0);

    zki_ligero_prover *pr = calloc(1, sizeof *pr);
    if (!pr)
        return zki_fail(ZKI_ERR_NOMEM, "ligero: out of memory for the prover");
    pr->shape = *s;
    pr->commit = c;
    pr->height = s->height[c];
    uint64_t nv = s->rows[c] * s->ell;
    pr->vals = calloc(nv, sizeof *pr->vals);
    pr->coef = calloc(pr->height * s->m, sizeof *pr->coef);
    pr->cw = malloc(pr->height * s->d * sizeof *pr->cw);
    pr->salts = malloc(s->d * ZKI_LIGERO_SALT_LEN);
    if (!pr->vals || !pr->coef || !pr->cw || !pr->salts) {
        zki_ligero_prover_free(pr);
        return zki_fail(ZKI_ERR_NOMEM, "ligero: out of memory for %llu rows of 2^%u",
                        (unsigned long long)s->height[c], s->log_d);
    }
    if (n)
        memcpy(pr->vals, values, n * sizeof *values);
    st = fill_rows(pr, cs);
    if (!st)
        st = encode(pr);
    if (!st)
        st = hash_columns(pr, cs);
    memset(cs, 0, sizeof cs);
    if (st) {
        zki_ligero_prover_free(pr);
        return st;
    }
    *root = *zki_merkle_root(&pr->tree);
    *out = pr;
    return ZKI_OK;
}
#endif
