/* Commitment: lift each row to the field, Reed-Solomon encode it by a coset
 * NTT, store the codewords column-major, hash every column to a leaf and
 * build the Merkle tree. Threads split rows (encoding) and columns
 * (hashing); the output does not depend on the thread count. */
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "common/error.h"
#include "common/scratch.h"
#include "ntt/ntt.h"
#include "pcs/pcs_internal.h"

#define ROW_BLOCK 8 /* rows encoded together: one cache line per column */

/* Blocks of at most ROW_BLOCK rows, as many as a multiple of the thread
 * count and of sizes differing by at most one, so threads get equal
 * shares (38 rows in blocks of 8 split 24 / 14 between two threads). */
static uint64_t row_blocks(uint64_t rows)
{
    uint64_t nt = 1;
#ifdef _OPENMP
    nt = (uint64_t)omp_get_max_threads();
#endif
    uint64_t nb = (rows + ROW_BLOCK - 1) / ROW_BLOCK;
    nb = (nb + nt - 1) / nt * nt;
    return nb < rows ? nb : rows;
}

/* Block b of nb over rows: first row *i0, *n rows. */
static void row_block(uint64_t rows, uint64_t nb, uint64_t b, uint64_t *i0, uint64_t *n)
{
    uint64_t q = rows / nb, r = rows % nb;
    *i0 = b * q + (b < r ? b : r);
    *n = q + (b < r);
}

static uint64_t poly_of_row(const zki_pcs_commitment *c, uint64_t row)
{
    uint64_t lo = 0, hi = c->n_polys; /* last table with row_off <= row */
    while (hi - lo > 1) {
        uint64_t mid = (lo + hi) / 2;
        if (c->row_off[mid] <= row)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static void lift(const zki_pcs_vec *v, uint64_t k, uint64_t n, zki_fe *out)
{
    switch (v->type) {
    case ZKI_PCS_FE:
        memcpy(out, (const zki_fe *)v->data + k, n * sizeof *out);
        break;
    case ZKI_PCS_I8:
        for (uint64_t i = 0; i < n; i++)
            out[i] = zki_fe_from_i64(((const int8_t *)v->data)[k + i]);
        break;
    case ZKI_PCS_I16:
        for (uint64_t i = 0; i < n; i++)
            out[i] = zki_fe_from_i64(((const int16_t *)v->data)[k + i]);
        break;
    case ZKI_PCS_I32:
        for (uint64_t i = 0; i < n; i++)
            out[i] = zki_fe_from_i64(((const int32_t *)v->data)[k + i]);
        break;
    }
}

void zki_pcs_row_read(const zki_pcs_prover *pr, uint64_t row, uint64_t j0, uint64_t n,
                      zki_fe *out)
{
    const zki_pcs_commitment *c = &pr->com;
    const zki_pcs_shape *s = &c->shape;
    if (row >= s->data_rows) {
        memcpy(out, pr->masks + (row - s->data_rows) * s->row_len + j0, n * sizeof *out);
        return;
    }
    uint64_t end = j0 + n;
    if (j0 < s->cols) {
        uint64_t p = poly_of_row(c, row);
        uint64_t base = (row - c->row_off[p]) * s->cols; /* element index of column 0 */
        uint64_t stop = end < s->cols ? end : s->cols;
        uint64_t have = c->lens[p] > base + j0 ? c->lens[p] - (base + j0) : 0;
        uint64_t m = stop - j0 < have ? stop - j0 : have;
        lift(&pr->vecs[p], base + j0, m, out);
        memset(out + m, 0, (stop - j0 - m) * sizeof *out); /* zero padding to 2^n */
        out += stop - j0;
        j0 = stop;
    }
    if (j0 < end)
        memcpy(out, pr->pad + row * s->pad + (j0 - s->cols), (end - j0) * sizeof *out);
}

const zki_pcs_commitment *zki_pcs_prover_commitment(const zki_pcs_prover *pr)
{
    return &pr->com;
}

void zki_pcs_prover_free(zki_pcs_prover *pr)
{
    if (!pr)
        return;
    zki_pcs_commitment_free(&pr->com);
    free(pr->vecs);
    zki_scratch_free(pr->cw);
    free(pr->pad);
    free(pr->masks);
    free(pr->salts);
    zki_merkle_free(&pr->tree);
    free(pr);
}

static zki_status check_vecs(const zki_pcs_vec *vecs, uint32_t n)
{
    if (!vecs)
        return zki_fail(ZKI_ERR_INPUT, "pcs: no vectors to commit");
    for (uint32_t i = 0; i < n; i++) {
        const zki_pcs_vec *v = &vecs[i];
        if (v->type > ZKI_PCS_I32)
            return zki_fail(ZKI_ERR_INPUT, "pcs: vector %u has unknown type %d", i, (int)v->type);
        if (!v->data)
            return zki_fail(ZKI_ERR_INPUT, "pcs: vector %u has no data", i);
        if (v->type == ZKI_PCS_FE && v->len <= ((uint64_t)1 << ZKI_PCS_MAX_LOG_LEN)) {
            const zki_fe *d = v->data;
            for (uint64_t k = 0; k < v->len; k++)
                if (d[k] >= ZKI_P)
                    return zki_fail(ZKI_ERR_INPUT,
                                    "pcs: vector %u entry %llu is not a canonical field element",
                                    i, (unsigned long long)k);
        }
    }
    return ZKI_OK;
}

/* Hiding randomness: row padding, mask rows and leaf salts, each stream
 * derived from (seed, kind, index) so threads cannot change it. */
static zki_status make_randomness(zki_pcs_prover *pr, const uint8_t *seed_in)
{
    const zki_pcs_shape *s = &pr->com.shape;
    uint8_t seed[32];
    if (seed_in)
        memcpy(seed, seed_in, 32);
    else if (zki_pcs_entropy(seed))
        return ZKI_ERR_UNSUPPORTED;
    pr->pad = malloc(s->data_rows * s->pad * sizeof(zki_fe));
    pr->masks = malloc(s->mask_rows * s->row_len * sizeof(zki_fe));
    pr->salts = malloc(s->d * ZKI_PCS_SALT_LEN);
    if (!pr->pad || !pr->masks || !pr->salts)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for hiding randomness");
    int64_t nr = (int64_t)s->data_rows, nm = (int64_t)s->mask_rows, nd = (int64_t)s->d;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < nr; i++)
        zki_pcs_prg(seed, 1, (uint64_t)i, pr->pad + (uint64_t)i * s->pad, s->pad);
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < nm; i++)
        zki_pcs_prg(seed, 2, (uint64_t)i, pr->masks + (uint64_t)i * s->row_len, s->row_len);
#pragma omp parallel for schedule(static)
    for (int64_t j = 0; j < nd; j++) {
        zki_fe w[4];
        zki_pcs_prg(seed, 3, (uint64_t)j, w, 4);
        for (int k = 0; k < 4; k++)
            zki_fe_to_bytes(pr->salts + (uint64_t)j * ZKI_PCS_SALT_LEN + 8 * k, w[k]);
    }
    memset(seed, 0, sizeof seed);
    return ZKI_OK;
}

/* Rows are encoded in blocks of ROW_BLOCK (one task each; the NTTs inside
 * run single-threaded), then written column-major a cache line at a time. */
static zki_status encode_rows(zki_pcs_prover *pr)
{
    const zki_pcs_shape *s = &pr->com.shape;
    uint64_t rows = s->rows, d = s->d, k = s->row_len;
    zki_pcs_coder cd;
    zki_status st = zki_pcs_coder_init(&cd, s);
    if (st)
        return st;
    int64_t n_blocks = (int64_t)row_blocks(rows);
    int failed = 0;
#pragma omp parallel
    {
        zki_fe *buf = malloc(ROW_BLOCK * d * sizeof *buf);
        if (!buf) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (int64_t b = 0; b < n_blocks; b++) {
            if (!buf)
                continue;
            uint64_t i0, nb;
            row_block(rows, (uint64_t)n_blocks, (uint64_t)b, &i0, &nb);
            for (uint64_t r = 0; r < nb; r++) {
                zki_fe *row = buf + r * d;
                zki_pcs_row_read(pr, i0 + r, 0, k, row);
                if (zki_pcs_encode(&cd, row, k, row)) {
#pragma omp atomic write
                    failed = 1;
                }
            }
            for (uint64_t m = 0; m < cd.p; m++)
                for (uint64_t c = 0; c < cd.q; c++) {
                    zki_fe *dst = pr->cw + (m * cd.q + c) * rows + i0;
                    for (uint64_t r = 0; r < nb; r++)
                        dst[r] = buf[r * d + c * cd.p + m];
                }
        }
        free(buf);
    }
    zki_pcs_coder_free(&cd);
    if (failed)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: encoding rows of length %llu failed",
                        (unsigned long long)d);
    return ZKI_OK;
}

uint64_t zki_pcs_keep_cw_bytes = ZKI_PCS_KEEP_CW_BYTES;

/* The queried columns of rows that were not kept, without encoding whole
 * rows: per coset holding a query, the first COL_TOP layers of its NTT
 * (zki_ntt_coset_forward_top), then each queried entry as a dot product of
 * one block of 2^-COL_TOP of the coset with powers of a root (tables made
 * once for all rows). About half the work of q whole NTTs of size P at
 * 126 queries. Exact field arithmetic: the entries Enc(row) holds. */
#define COL_TOP 6u
#define COL_TOP_MIN_LOG 12u /* blocks of at least 64 entries */

typedef struct {
    uint64_t coset, block; /* block of the partial transform */
    zki_fe *pw;            /* w_A^(i o), i < A */
} col_query;

static zki_status columns_pruned(const zki_pcs_prover *pr, const zki_pcs_coder *cd, const uint64_t *idx,
                                 uint32_t n, zki_fe *out)
{
    const zki_pcs_shape *s = &pr->com.shape;
    uint64_t rows = s->rows, k = s->row_len, P = cd->p, A = P >> COL_TOP;
    unsigned log_a = 0;
    while (((uint64_t)1 << log_a) < A)
        log_a++;
    col_query *cq = calloc(n ? n : 1, sizeof *cq);
    zki_fe *pw = malloc((size_t)(n ? n : 1) * A * sizeof *pw);
    uint8_t *queried = calloc(cd->q, 1); /* cosets holding a query */
    if (!cq || !pw || !queried) {
        free(cq);
        free(pw);
        free(queried);
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for %u queried columns", n);
    }
    zki_fe wA = zki_fe_root_of_unity(log_a);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t pos = zki_pcs_enc_pos(cd, idx[i]), m = pos % P, r = m & ((1u << COL_TOP) - 1), b = 0;
        for (unsigned j = 0; j < COL_TOP; j++)
            b |= ((r >> j) & 1) << (COL_TOP - 1 - j);
        cq[i].coset = pos / P;
        queried[cq[i].coset] = 1;
        cq[i].block = b;
        cq[i].pw = pw + (size_t)i * A;
        zki_fe w = zki_fe_pow(wA, m >> COL_TOP), p = 1;
        for (uint64_t x = 0; x < A; x++, p = zki_fe_mul(p, w))
            cq[i].pw[x] = p;
    }
    int failed = 0;
#pragma omp parallel
    {
        zki_fe *row = malloc(P * sizeof *row), *work = malloc(P * sizeof *work);
        if (!row || !work) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (int64_t r = 0; r < (int64_t)rows; r++) {
            if (!row || !work)
                continue;
            zki_pcs_row_read(pr, (uint64_t)r, 0, k, row);
            memset(row + k, 0, (P - k) * sizeof *row);
            for (uint64_t c = 0; c < cd->q; c++) {
                if (!queried[c])
                    continue;
                memcpy(work, row, P * sizeof *work);
                if (zki_ntt_coset_forward_top(work, P, cd->shifts[c], COL_TOP)) {
#pragma omp atomic write
                    failed = 1;
                    break;
                }
                for (uint32_t i = 0; i < n; i++) {
                    if (cq[i].coset != c)
                        continue;
                    const zki_fe *blk = work + cq[i].block * A;
                    zki_acc acc;
                    zki_acc_zero(&acc);
                    for (uint64_t x = 0; x < A; x++)
                        zki_acc_mac(&acc, blk[x], cq[i].pw[x]);
                    out[(size_t)i * rows + (uint64_t)r] = zki_acc_reduce(&acc);
                }
            }
        }
        free(row);
        free(work);
    }
    free(cq);
    free(pw);
    free(queried);
    if (failed)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: re-encoding rows of length %llu for the queried columns failed",
                        (unsigned long long)P);
    return ZKI_OK;
}

zki_status zki_pcs_columns(const zki_pcs_prover *pr, const uint64_t *idx, uint32_t n, zki_fe *out)
{
    const zki_pcs_shape *s = &pr->com.shape;
    uint64_t rows = s->rows, d = s->d, k = s->row_len;
    if (pr->cw) {
        for (uint32_t i = 0; i < n; i++)
            memcpy(out + (size_t)i * rows, pr->cw + idx[i] * rows, rows * sizeof(zki_fe));
        return ZKI_OK;
    }
    zki_pcs_coder cd;
    zki_status st = zki_pcs_coder_init(&cd, s);
    if (st)
        return st;
    if (cd.p >= ((uint64_t)1 << COL_TOP_MIN_LOG)) {
        st = columns_pruned(pr, &cd, idx, n, out);
        zki_pcs_coder_free(&cd);
        return st;
    }
    int failed = 0;
#pragma omp parallel
    {
        zki_fe *row = malloc(d * sizeof *row);
        if (!row) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (int64_t r = 0; r < (int64_t)rows; r++) {
            if (!row)
                continue;
            zki_pcs_row_read(pr, (uint64_t)r, 0, k, row);
            if (zki_pcs_encode(&cd, row, k, row)) {
#pragma omp atomic write
                failed = 1;
                continue;
            }
            for (uint32_t i = 0; i < n; i++)
                out[(size_t)i * rows + (uint64_t)r] = row[zki_pcs_enc_pos(&cd, idx[i])];
        }
        free(row);
    }
    zki_pcs_coder_free(&cd);
    if (failed)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: encoding rows of length %llu failed", (unsigned long long)d);
    return ZKI_OK;
}

static zki_status hash_columns(zki_pcs_prover *pr, zki_digest *leaves)
{
    const zki_pcs_shape *s = &pr->com.shape;
    zki_sha256_ctx *base = zki_pcs_leaf_base();
    if (!base)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for hashing");
    int failed = 0;
    int64_t nd = (int64_t)s->d;
#pragma omp parallel
    {
        zki_sha256_ctx *ctx = zki_sha256_new();
        if (!ctx) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(static)
        for (int64_t j = 0; j < nd; j++) {
            if (!ctx)
                continue;
            const uint8_t *salt = pr->salts ? pr->salts + (uint64_t)j * ZKI_PCS_SALT_LEN : NULL;
            zki_pcs_leaf_hash(ctx, base, &leaves[j], salt, pr->cw + (uint64_t)j * s->rows,
                              s->rows);
        }
        zki_sha256_free(ctx);
    }
    zki_sha256_free(base);
    if (failed)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for hashing");
    return ZKI_OK;
}

/* A commitment too large to keep its codewords: rows encoded STREAM_ROWS
 * at a time, each column's leaf hash carried along in its own context (the
 * same bytes in the same order as hash_columns reads from the codewords),
 * so only a block of rows is ever held. */
#define STREAM_ROWS 64
static zki_status encode_hash_streaming(zki_pcs_prover *pr, zki_digest *leaves)
{
    const zki_pcs_shape *s = &pr->com.shape;
    uint64_t rows = s->rows, d = s->d, k = s->row_len;
    zki_pcs_coder cd;
    zki_status st = zki_pcs_coder_init(&cd, s);
    if (st)
        return st;
    zki_sha256_ctx *base = zki_pcs_leaf_base();
    zki_sha256_ctx **ctx = calloc(d, sizeof *ctx);
    zki_fe *buf = zki_scratch_alloc(STREAM_ROWS * d * sizeof(zki_fe));
    int failed = !base || !ctx || !buf;
    int64_t nd = (int64_t)d;
    if (!failed) {
#pragma omp parallel for schedule(static) reduction(| : failed)
        for (int64_t j = 0; j < nd; j++) {
            if (!(ctx[j] = zki_sha256_new())) {
                failed |= 1;
                continue;
            }
            zki_sha256_copy(ctx[j], base);
            if (pr->salts)
                zki_sha256_update(ctx[j], pr->salts + (uint64_t)j * ZKI_PCS_SALT_LEN, ZKI_PCS_SALT_LEN);
        }
    }
    for (uint64_t i0 = 0; !failed && i0 < rows; i0 += STREAM_ROWS) {
        int64_t nb = (int64_t)(rows - i0 < STREAM_ROWS ? rows - i0 : STREAM_ROWS);
#pragma omp parallel for schedule(dynamic, 1) reduction(| : failed)
        for (int64_t r = 0; r < nb; r++) {
            zki_fe *row = buf + (uint64_t)r * d;
            zki_pcs_row_read(pr, i0 + (uint64_t)r, 0, k, row);
            failed |= zki_pcs_encode(&cd, row, k, row) != ZKI_OK;
        }
        if (failed)
            break;
#pragma omp parallel for schedule(static)
        for (int64_t j = 0; j < nd; j++) {
            zki_fe col[STREAM_ROWS];
            uint64_t pos = zki_pcs_enc_pos(&cd, (uint64_t)j);
            for (int64_t r = 0; r < nb; r++)
                col[r] = buf[(uint64_t)r * d + pos];
            zki_sha256_update(ctx[j], col, (size_t)nb * sizeof(zki_fe));
        }
    }
    if (!failed) {
#pragma omp parallel for schedule(static)
        for (int64_t j = 0; j < nd; j++)
            zki_sha256_final(ctx[j], &leaves[j]);
    }
    for (uint64_t j = 0; ctx && j < d; j++)
        zki_sha256_free(ctx[j]);
    free(ctx);
    zki_sha256_free(base);
    zki_scratch_free(buf);
    zki_pcs_coder_free(&cd);
    if (failed)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory encoding and hashing rows of length %llu",
                        (unsigned long long)d);
    return ZKI_OK;
}

/* Everything but the leaves: shape, vectors, hiding randomness, the tree. */
static zki_status prover_new(zki_pcs_prover **out, const zki_pcs_params *p, const zki_pcs_vec *vecs,
                             uint32_t n_vecs)
{
    *out = NULL;
    if (!p)
        return zki_fail(ZKI_ERR_INPUT, "pcs: no parameters");
    if (n_vecs < 1 || n_vecs > ZKI_PCS_MAX_POLYS)
        return zki_fail(ZKI_ERR_INPUT, "pcs: %u vectors (need 1 .. %u)", n_vecs,
                        ZKI_PCS_MAX_POLYS);
    zki_status st = check_vecs(vecs, n_vecs);
    if (st)
        return st;
    zki_pcs_prover *pr = calloc(1, sizeof *pr);
    uint64_t *lens = malloc(n_vecs * sizeof *lens);
    if (!pr || !lens) {
        free(pr);
        free(lens);
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory");
    }
    for (uint32_t i = 0; i < n_vecs; i++)
        lens[i] = vecs[i].len;
    st = zki_pcs_shape_init(&pr->com, p, lens, n_vecs);
    free(lens);
    if (st) {
        free(pr);
        return st;
    }
    const zki_pcs_shape *s = &pr->com.shape;
    pr->vecs = malloc(n_vecs * sizeof *pr->vecs);
    if (!pr->vecs) {
        st = zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory");
        goto fail;
    }
    memcpy(pr->vecs, vecs, n_vecs * sizeof *vecs);
    if (p->hiding && (st = make_randomness(pr, p->seed)))
        goto fail;
    if (s->rows > SIZE_MAX / sizeof(zki_fe) / s->d) {
        st = zki_fail(ZKI_ERR_NOMEM, "pcs: %llu x %llu codewords", (unsigned long long)s->rows,
                      (unsigned long long)s->d);
        goto fail;
    }
    if ((st = zki_merkle_init(&pr->tree, s->d)))
        goto fail;
    *out = pr;
    return ZKI_OK;
fail:
    zki_pcs_prover_free(pr);
    return st;
}

zki_status zki_pcs_commit(zki_pcs_prover **out, const zki_pcs_params *p, const zki_pcs_vec *vecs,
                          uint32_t n_vecs)
{
    zki_pcs_prover *pr;
    zki_status st = prover_new(&pr, p, vecs, n_vecs);
    if (st)
        return st;
    const zki_pcs_shape *s = &pr->com.shape;
    /* leaves are hashed straight into the tree (no copy) */
    if (s->rows * s->d * sizeof(zki_fe) > zki_pcs_keep_cw_bytes) {
        if ((st = encode_hash_streaming(pr, zki_merkle_leaves(&pr->tree))))
            goto fail;
    } else {
        if (!(pr->cw = zki_scratch_alloc(s->rows * s->d * sizeof(zki_fe)))) {
            st = zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for %llu x %llu codewords",
                          (unsigned long long)s->rows, (unsigned long long)s->d);
            goto fail;
        }
        if ((st = encode_rows(pr)) || (st = hash_columns(pr, zki_merkle_leaves(&pr->tree))))
            goto fail;
    }
    zki_merkle_hash_layers(&pr->tree);
    pr->com.root = *zki_merkle_root(&pr->tree);
    *out = pr;
    return ZKI_OK;
fail:
    zki_pcs_prover_free(pr);
    return st;
}

zki_status zki_pcs_commit_from_leaves(zki_pcs_prover **out, const zki_pcs_params *p,
                                      const zki_pcs_vec *vecs, uint32_t n_vecs,
                                      const zki_digest *leaves, uint64_t n_leaves)
{
    zki_pcs_prover *pr;
    zki_status st = prover_new(&pr, p, vecs, n_vecs);
    if (st)
        return st;
    if (!leaves || n_leaves != pr->com.shape.d) {
        st = zki_fail(ZKI_ERR_INPUT, "pcs: %llu saved leaves for a commitment of %llu columns",
                      (unsigned long long)n_leaves, (unsigned long long)pr->com.shape.d);
        zki_pcs_prover_free(pr);
        return st;
    }
    memcpy(zki_merkle_leaves(&pr->tree), leaves, n_leaves * sizeof *leaves);
    zki_merkle_hash_layers(&pr->tree);
    pr->com.root = *zki_merkle_root(&pr->tree);
    *out = pr;
    return ZKI_OK;
}

const zki_digest *zki_pcs_prover_leaves(const zki_pcs_prover *pr, uint64_t *n)
{
    *n = pr->com.shape.d;
    return pr->tree.nodes;
}
