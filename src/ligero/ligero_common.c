/* Transcript steps, argument checks and leaf hashing shared by the Ligero
 * prover and verifier (both must derive exactly the same values). */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "ligero/ligero_internal.h"

void zki_ligero_chal_free(zki_ligero_chal *x)
{
    free(x->gamma);
    free(x->gamma_sh);
    free(x->gamma_q);
    memset(x, 0, sizeof *x);
}

zki_status zki_ligero_check_args(const zki_ligero_shape *s, uint32_t n_c, const zki_ext *const *a,
                                 const zki_ligero_triple *tri, uint64_t n_tri)
{
    if (n_c != s->n_c)
        return zki_fail(ZKI_ERR_INPUT, "ligero: %u commitments, the shape has %u", n_c, s->n_c);
    if (!a)
        return zki_fail(ZKI_ERR_INPUT, "ligero: no linear coefficients");
    for (uint32_t c = 0; c < n_c; c++) {
        if (!a[c])
            return zki_fail(ZKI_ERR_INPUT, "ligero: no linear coefficients for commitment %u", c);
        uint64_t n = s->rows[c] * s->ell;
        for (uint64_t i = 0; i < n; i++)
            if (!ZKI_EXT_CANON(a[c][i]))
                return zki_fail(ZKI_ERR_INPUT,
                                "ligero: coefficient %llu of commitment %u is not canonical",
                                (unsigned long long)i, c);
    }
    if (n_tri > ZKI_LIGERO_MAX_TRIPLES)
        return zki_fail(ZKI_ERR_INPUT, "ligero: %llu triples (max 2^26)", (unsigned long long)n_tri);
    if (n_tri && !tri)
        return zki_fail(ZKI_ERR_INPUT, "ligero: no triples");
    for (uint64_t r = 0; r < n_tri; r++) {
        const zki_ligero_triple *t = &tri[r];
        if (t->commit >= n_c || t->x >= s->rows[t->commit] || t->y >= s->rows[t->commit] ||
            t->z >= s->rows[t->commit])
            return zki_fail(ZKI_ERR_INPUT, "ligero: triple %llu names a row outside its commitment",
                            (unsigned long long)r);
    }
    return ZKI_OK;
}

static void put_u64(uint8_t *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

/* The triples as one digest: SHA-256 of (commit, x, y, z) as u64 LE each. */
static zki_status triples_digest(const zki_ligero_triple *tri, uint64_t n, zki_digest *out)
{
    zki_sha256_ctx *h = zki_sha256_new();
    if (!h)
        return zki_fail(ZKI_ERR_NOMEM, "ligero: out of memory hashing the triples");
    static const char tag[] = "zkinfer/ligero-triples/v1";
    zki_sha256_update(h, tag, sizeof tag - 1);
    uint8_t buf[32 * 64];
    for (uint64_t r = 0; r < n;) {
        uint64_t m = n - r < 64 ? n - r : 64;
        for (uint64_t i = 0; i < m; i++) {
            const zki_ligero_triple *t = &tri[r + i];
            put_u64(buf + 32 * i, t->commit);
            put_u64(buf + 32 * i + 8, t->x);
            put_u64(buf + 32 * i + 16, t->y);
            put_u64(buf + 32 * i + 24, t->z);
        }
        zki_sha256_update(h, buf, 32 * m);
        r += m;
    }
    zki_sha256_final(h, out);
    zki_sha256_free(h);
    return ZKI_OK;
}

zki_status zki_ligero_begin(zki_transcript *ts, const zki_ligero_shape *s,
                            const zki_digest *roots, const zki_ext *const *a, zki_ext b,
                            const zki_ligero_triple *tri, uint64_t n_tri, zki_ligero_chal *x)
{
    memset(x, 0, sizeof *x);
    /* The shape (every count the proof's size follows from), the roots,
     * then the statement: the triples, a and b are fixed before any
     * challenge. */
    uint8_t sh[8 * (9 + ZKI_LIGERO_MAX_COMMITS)];
    uint64_t f[9] = {ZKI_LIGERO_VERSION, s->n_c, s->masks_commit, s->bits, s->grind,
                     s->log_ell, s->h, s->log_d, s->queries};
    size_t n = 0;
    for (int i = 0; i < 9; i++, n += 8)
        put_u64(sh + n, f[i]);
    for (uint32_t c = 0; c < s->n_c; c++, n += 8)
        put_u64(sh + n, s->values[c]);
    zki_ts_absorb_bytes(ts, "ligero/shape", sh, n);
    for (uint32_t c = 0; c < s->n_c; c++)
        zki_ts_absorb_digest(ts, "ligero/root", &roots[c]);
    zki_digest td;
    zki_status st = triples_digest(tri, n_tri, &td);
    if (st)
        return st;
    zki_ts_absorb_u64(ts, "ligero/n-triples", n_tri);
    zki_ts_absorb_digest(ts, "ligero/triples", &td);
    for (uint32_t c = 0; c < s->n_c; c++)
        zki_ts_absorb_ext_vec(ts, "ligero/a", a[c], s->rows[c] * s->ell);
    zki_ts_absorb_ext(ts, "ligero/b", b);

    uint64_t nd = 0;
    for (uint32_t c = 0; c < s->n_c; c++) {
        x->off[c] = nd;
        nd += 2 * s->rows[c];
    }
    x->n_data = nd;
    x->gamma = malloc(nd * sizeof *x->gamma);
    x->gamma_sh = malloc(nd * sizeof *x->gamma_sh);
    x->gamma_q = malloc((n_tri ? n_tri : 1) * sizeof *x->gamma_q);
    if (!x->gamma || !x->gamma_sh || !x->gamma_q) {
        zki_ligero_chal_free(x);
        return zki_fail(ZKI_ERR_NOMEM, "ligero: out of memory for %llu challenges",
                        (unsigned long long)(2 * nd + n_tri));
    }
    zki_ts_challenge_ext_vec(ts, "ligero/gamma", x->gamma, nd);
    zki_ts_challenge_ext_vec(ts, "ligero/gamma-shift", x->gamma_sh, nd);
    zki_ts_challenge_ext_vec(ts, "ligero/gamma-mask", x->gamma_mask, 4);
    x->eta = zki_ts_challenge_ext(ts, "ligero/eta");
    if (n_tri)
        zki_ts_challenge_ext_vec(ts, "ligero/gamma-q", x->gamma_q, n_tri);
    return ZKI_OK;
}

void zki_ligero_absorb_msgs(zki_transcript *ts, const zki_ligero_shape *s, const zki_ext *w,
                            const zki_ext *q, const zki_ext *sq, uint64_t n_tri)
{
    zki_ts_absorb_ext_vec(ts, "ligero/w", w, s->m);
    zki_ts_absorb_ext_vec(ts, "ligero/q", q, s->m);
    if (n_tri)
        zki_ts_absorb_ext_vec(ts, "ligero/s", sq, s->m);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

zki_status zki_ligero_queries(zki_transcript *ts, const zki_ligero_shape *s, uint64_t **idx,
                              uint32_t *n)
{
    uint32_t t = s->queries;
    uint64_t *q = malloc((t ? t : 1) * sizeof *q);
    if (!q)
        return zki_fail(ZKI_ERR_NOMEM, "ligero: out of memory for queries");
    zki_ts_challenge_indices(ts, "ligero/queries", s->d, q, t);
    qsort(q, t, sizeof *q, cmp_u64);
    uint32_t k = 0;
    for (uint32_t i = 0; i < t; i++)
        if (k == 0 || q[k - 1] != q[i])
            q[k++] = q[i];
    *idx = q;
    *n = k;
    return ZKI_OK;
}

zki_sha256_ctx *zki_ligero_leaf_base(void)
{
    zki_sha256_ctx *b = zki_sha256_new();
    if (b)
        zki_sha256_update(b, ZKI_LIGERO_LEAF_TAG, strlen(ZKI_LIGERO_LEAF_TAG));
    return b;
}

void zki_ligero_leaf(zki_sha256_ctx *ctx, const zki_sha256_ctx *base, zki_digest *out,
                     const uint8_t *salt, const zki_fe *col, uint64_t height)
{
    zki_sha256_copy(ctx, base);
    zki_sha256_update(ctx, salt, ZKI_LIGERO_SALT_LEN);
    zki_sha256_update(ctx, col, height * sizeof(zki_fe));
    zki_sha256_final(ctx, out);
}

zki_ext zki_ligero_horner(const zki_ext *c, uint64_t n, zki_fe x)
{
    zki_ext r = zki_ext_zero();
    for (uint64_t i = n; i-- > 0;)
        r = zki_ext_add(zki_ext_scale(r, x), c[i]);
    return r;
}
