/* Transcript steps, claim grouping and combination terms shared by the PCS
 * prover and verifier (both must derive exactly the same values). */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "hash/entropy.h"
#include "pcs/pcs_internal.h"
#include "ntt/ntt.h"
#include "poly/mle.h"

#define MAX_CLAIMS ((size_t)1 << 24)

void zki_pcs_ctx_free(zki_pcs_ctx *x)
{
    if (x->gamma)
        for (uint32_t c = 0; c < x->n_commits; c++)
            free(x->gamma[c]);
    if (x->hi_coef)
        for (size_t i = 0; i < x->n_claims; i++)
            free(x->hi_coef[i]);
    if (x->terms)
        for (uint32_t c = 0; c < x->n_commits; c++)
            free(x->terms[c]);
    free(x->group);
    free(x->n_groups);
    free(x->group_claim);
    free(x->group_base);
    free(x->tensor);
    free(x->alpha);
    free(x->scale);
    free(x->mu_coef);
    free(x->tmask);
    free(x->gamma);
    free(x->hi_coef);
    free(x->terms);
    free(x->n_terms);
    memset(x, 0, sizeof *x);
}

uint32_t zki_pcs_lo_vars(const zki_pcs_commitment *c, uint32_t poly)
{
    uint32_t n = c->nvars[poly];
    return n < c->shape.log_cols ? n : c->shape.log_cols;
}

void zki_pcs_eq_lo(zki_ext *out, const zki_pcs_commitment *c, const zki_pcs_claim *cl)
{
    uint32_t lo = zki_pcs_lo_vars(c, cl->poly);
    zki_eq_table(out, cl->point, lo);
    for (uint64_t j = (uint64_t)1 << lo; j < c->shape.cols; j++)
        out[j] = zki_ext_zero();
}

uint64_t zki_pcs_mask_row(const zki_pcs_commitment *c, uint32_t slot, uint32_t k)
{
    return c->shape.data_rows + 2ull * ((uint64_t)slot * (1ull + c->shape.max_points) + k);
}

int zki_pcs_tensor_mode(const zki_pcs_commitment *com, uint32_t c, const zki_pcs_claim *claims,
                        size_t n_claims)
{
    size_t n_on = 0, last = 0;
    for (size_t i = 0; claims && i < n_claims; i++)
        if (claims[i].commit == c) {
            n_on++;
            last = i;
        }
    return n_on == 1 && claims[last].poly < com->n_polys && zki_pcs_poly_tensor_ok(com, claims[last].poly);
}

int zki_pcs_poly_tensor_ok(const zki_pcs_commitment *c, uint32_t poly)
{
    return zki_pcs_tensor_ok(c, c->nvars[poly] - zki_pcs_lo_vars(c, poly));
}

static int same_lo(const zki_pcs_commitment *c, const zki_pcs_claim *a, const zki_pcs_claim *b)
{
    uint32_t la = zki_pcs_lo_vars(c, a->poly), lb = zki_pcs_lo_vars(c, b->poly);
    if (la != lb)
        return 0;
    for (uint32_t k = 0; k < la; k++)
        if (!zki_ext_eq(a->point[k], b->point[k]))
            return 0;
    return 1;
}

zki_status zki_pcs_begin(zki_transcript *ts, zki_pcs_ctx *x,
                         const zki_pcs_commitment *const *commits, const uint32_t *slots,
                         uint32_t n_commits, const zki_pcs_claim *claims, size_t n_claims)
{
    memset(x, 0, sizeof *x);
    if (n_commits < 1 || n_commits > ZKI_PCS_MAX_COMMITS)
        return zki_fail(ZKI_ERR_INPUT, "pcs: %u commitments in one opening (need 1 .. %u)",
                        n_commits, ZKI_PCS_MAX_COMMITS);
    if (n_claims > MAX_CLAIMS)
        return zki_fail(ZKI_ERR_INPUT, "pcs: %zu claims (max %zu)", n_claims, MAX_CLAIMS);
    if (n_claims && !claims)
        return zki_fail(ZKI_ERR_INPUT, "pcs: claims array is NULL");
    for (size_t i = 0; i < n_claims; i++) {
        const zki_pcs_claim *cl = &claims[i];
        if (cl->commit >= n_commits)
            return zki_fail(ZKI_ERR_INPUT, "pcs: claim %zu names commitment %u of %u", i,
                            cl->commit, n_commits);
        if (cl->poly >= commits[cl->commit]->n_polys)
            return zki_fail(ZKI_ERR_INPUT, "pcs: claim %zu names table %u of %u", i, cl->poly,
                            commits[cl->commit]->n_polys);
        if (!cl->point && commits[cl->commit]->nvars[cl->poly])
            return zki_fail(ZKI_ERR_INPUT, "pcs: claim %zu has no point", i);
    }
    x->n_commits = n_commits;
    x->n_claims = n_claims;
    x->mask_coef[0] = zki_ext_one();
    x->mask_coef[1] = zki_ext_make(0, 1);
    x->group = calloc(n_claims ? n_claims : 1, sizeof *x->group);
    x->group_claim = calloc(n_claims ? n_claims : 1, sizeof *x->group_claim);
    x->n_groups = calloc(n_commits, sizeof *x->n_groups);
    x->group_base = calloc(n_commits, sizeof *x->group_base);
    x->tensor = calloc(n_commits, sizeof *x->tensor);
    if (!x->group || !x->group_claim || !x->n_groups || !x->group_base || !x->tensor) {
        zki_pcs_ctx_free(x);
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for %zu claims", n_claims);
    }

    zki_ts_absorb_u64(ts, "pcs/n-commits", n_commits);
    for (uint32_t c = 0; c < n_commits; c++) {
        uint8_t *b;
        size_t len;
        zki_status st = zki_pcs_commitment_to_bytes(commits[c], &b, &len);
        if (st) {
            zki_pcs_ctx_free(x);
            return st;
        }
        zki_ts_absorb_bytes(ts, "pcs/commitment", b, len);
        free(b);
        zki_ts_absorb_u64(ts, "pcs/slot", slots[c]);
    }
    zki_ts_absorb_u64(ts, "pcs/n-claims", n_claims);
    for (size_t i = 0; i < n_claims; i++) {
        const zki_pcs_claim *cl = &claims[i];
        zki_ts_absorb_u64(ts, "pcs/claim-commit", cl->commit);
        zki_ts_absorb_u64(ts, "pcs/claim-poly", cl->poly);
        zki_ts_absorb_ext_vec(ts, "pcs/claim-point", cl->point,
                              commits[cl->commit]->nvars[cl->poly]);
        /* a zero-knowledge proof has bound the values already */
        if (!ts->zk)
            zki_ts_absorb_ext(ts, "pcs/claim-value", cl->value);
    }

    /* Claims on one commitment with the same r_lo share one combined row. */
    size_t total = 0;
    for (uint32_t c = 0; c < n_commits; c++) {
        x->group_base[c] = total;
        const zki_pcs_commitment *com = commits[c];
        for (size_t i = 0; i < n_claims; i++) {
            if (claims[i].commit != c)
                continue;
            uint32_t g = 0;
            while (g < x->n_groups[c] &&
                   !same_lo(com, &claims[x->group_claim[total + g]], &claims[i]))
                g++;
            if (g == x->n_groups[c]) {
                if (g >= ZKI_PCS_MAX_GROUPS) {
                    zki_pcs_ctx_free(x);
                    return zki_fail(ZKI_ERR_INPUT, "pcs: more than %u distinct points",
                                    ZKI_PCS_MAX_GROUPS);
                }
                x->group_claim[total + g] = i;
                x->n_groups[c]++;
            }
            x->group[i] = g;
        }
        total += x->n_groups[c];
        if (com->params.hiding && x->n_groups[c] > com->shape.max_points) {
            zki_status st = zki_fail(ZKI_ERR_INPUT,
                                     "pcs: commitment %u opened at %u distinct points; its "
                                     "hiding masks cover %u",
                                     c, x->n_groups[c], com->shape.max_points);
            zki_pcs_ctx_free(x);
            return st;
        }
        if (com->params.hiding && slots[c] >= com->params.open_budget) {
            zki_pcs_ctx_free(x);
            return zki_fail(ZKI_ERR_INPUT, "pcs: commitment %u: mask slot %u beyond budget %u",
                            c, slots[c], com->params.open_budget);
        }
        if (!com->params.hiding && slots[c] != 0) {
            zki_pcs_ctx_free(x);
            return zki_fail(ZKI_ERR_INPUT, "pcs: commitment %u is not hiding but slot is %u", c,
                            slots[c]);
        }
        x->tensor[c] = (uint8_t)zki_pcs_tensor_mode(com, c, claims, n_claims);
        zki_ts_absorb_u64(ts, "pcs/mode", x->tensor[c]);
    }
    return ZKI_OK;
}

static zki_status add_term(zki_pcs_ctx *x, uint32_t c, size_t *cap, uint32_t target,
                           uint64_t first, uint64_t n, const zki_ext *coef)
{
    if (x->n_terms[c] == *cap) {
        size_t nc = *cap ? 2 * *cap : 8;
        zki_pcs_term *t = realloc(x->terms[c], nc * sizeof *t);
        if (!t)
            return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for terms");
        x->terms[c] = t;
        *cap = nc;
    }
    zki_pcs_term *t = &x->terms[c][x->n_terms[c]++];
    t->target = target;
    t->first_row = first;
    t->n_rows = n;
    t->coef = coef;
    return ZKI_OK;
}

zki_status zki_pcs_challenges(zki_transcript *ts, zki_pcs_ctx *x,
                              const zki_pcs_commitment *const *commits, const uint32_t *slots,
                              const zki_pcs_claim *claims, zki_ext *const *mus)
{
    /* The mask evaluations are fixed before alpha and z (see docs/security.md);
     * a zero-knowledge proof has sent them padded already (pcs_open.c,
     * pcs_verify.c) */
    for (uint32_t c = 0; c < x->n_commits; c++)
        if (commits[c]->params.hiding && !ts->zk)
            zki_ts_absorb_ext_vec(ts, "pcs/mu", mus[c], x->n_groups[c]);

    size_t nc = x->n_claims;
    uint32_t ncom = x->n_commits;
    x->alpha = malloc((nc ? nc : 1) * sizeof *x->alpha);
    x->scale = malloc((nc ? nc : 1) * sizeof *x->scale);
    x->hi_coef = calloc(nc ? nc : 1, sizeof *x->hi_coef);
    x->gamma = calloc(ncom, sizeof *x->gamma);
    x->mu_coef = malloc(ncom * sizeof *x->mu_coef);
    x->tmask = malloc(2 * ncom * sizeof *x->tmask);
    x->terms = calloc(ncom, sizeof *x->terms);
    x->n_terms = calloc(ncom, sizeof *x->n_terms);
    zki_ext *z = malloc(ncom * sizeof *z);
    if (!x->alpha || !x->scale || !x->hi_coef || !x->gamma || !x->mu_coef || !x->tmask ||
        !x->terms || !x->n_terms || !z) {
        free(z);
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for challenges");
    }
    if (nc)
        zki_ts_challenge_ext_vec(ts, "pcs/alpha", x->alpha, nc);
    for (uint32_t c = 0; c < ncom; c++) {
        const zki_pcs_shape *s = &commits[c]->shape;
        z[c] = zki_ext_zero();
        x->mu_coef[c] = zki_ext_one();
        if (x->tensor[c]) {
            /* z folds the mask row in as an (l+1)-th variable */
            if (commits[c]->params.hiding)
                z[c] = zki_ts_challenge_ext(ts, "pcs/z");
            continue;
        }
        uint64_t ng = s->data_rows + 2ull * s->max_points;
        x->gamma[c] = malloc(ng * sizeof(zki_ext));
        if (!x->gamma[c]) {
            free(z);
            return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for %llu coefficients",
                            (unsigned long long)ng);
        }
        zki_ts_challenge_ext_vec(ts, "pcs/gamma", x->gamma[c], ng);
    }
    zki_status st = ZKI_OK;
    for (size_t i = 0; i < nc && !st; i++) {
        uint32_t c = claims[i].commit;
        const zki_pcs_commitment *com = commits[c];
        uint32_t lo = zki_pcs_lo_vars(com, claims[i].poly);
        uint32_t hi = com->nvars[claims[i].poly] - lo;
        const zki_ext *r_hi = hi ? claims[i].point + lo : NULL;
        x->scale[i] = x->alpha[i];
        if (x->tensor[c]) {
            /* u = (1 - z) eq(r_hi)^T M + z e0 m, e0 = eq(r_hi, 0); z = 0 when plain */
            zki_ext e0 = zki_ext_one();
            for (uint32_t k = 0; k < hi; k++)
                e0 = zki_ext_mul(e0, zki_ext_sub(zki_ext_one(), r_hi[k]));
            zki_ext ze0 = zki_ext_mul(z[c], e0);
            x->scale[i] = zki_ext_sub(zki_ext_one(), z[c]);
            x->mu_coef[c] = ze0;
            x->tmask[2 * c] = ze0;
            x->tmask[2 * c + 1] = zki_ext_mul(ze0, x->mask_coef[1]);
        }
        x->hi_coef[i] = malloc(((size_t)1 << hi) * sizeof(zki_ext));
        if (!x->hi_coef[i])
            st = zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for eq table");
        else
            zki_eq_table_scaled(x->hi_coef[i], r_hi, hi, x->scale[i]);
    }
    free(z);
    for (uint32_t c = 0; c < ncom && !st; c++) {
        const zki_pcs_commitment *com = commits[c];
        const zki_pcs_shape *s = &com->shape;
        size_t cap = 0;
        uint32_t prox = x->n_groups[c];
        /* Only the table's committed rows: the implicit zero rows beyond
         * contribute nothing (their eq(r_hi) entries are ignored). */
        for (size_t i = 0; i < nc && !st; i++) {
            if (claims[i].commit != c)
                continue;
            uint32_t p = claims[i].poly;
            st = add_term(x, c, &cap, x->group[i], com->row_off[p], zki_pcs_poly_rows(com, p),
                          x->hi_coef[i]);
        }
        if (com->params.hiding && x->tensor[c] && !st)
            st = add_term(x, c, &cap, 0, zki_pcs_mask_row(com, slots[c], 1), 2,
                          x->tmask + 2 * c);
        if (x->tensor[c])
            continue;
        if (com->params.hiding)
            for (uint32_t g = 0; g < x->n_groups[c] && !st; g++)
                st = add_term(x, c, &cap, g, zki_pcs_mask_row(com, slots[c], 1 + g), 2,
                              x->mask_coef);
        if (!st)
            st = add_term(x, c, &cap, prox, 0, s->data_rows, x->gamma[c]);
        if (!st && com->params.hiding) {
            st = add_term(x, c, &cap, prox, zki_pcs_mask_row(com, slots[c], 1),
                          2ull * s->max_points, x->gamma[c] + s->data_rows);
            if (!st)
                st = add_term(x, c, &cap, prox, zki_pcs_mask_row(com, slots[c], 0), 2,
                              x->mask_coef);
        }
    }
    return st;
}

zki_status zki_pcs_queries_draw(zki_transcript *ts, const zki_pcs_commitment *const *commits,
                                uint32_t n_commits, uint64_t **draws, uint32_t *n_draws)
{
    uint64_t dmax = 1;
    uint32_t tmax = 0;
    for (uint32_t c = 0; c < n_commits; c++) {
        if (commits[c]->shape.d > dmax)
            dmax = commits[c]->shape.d;
        if (commits[c]->shape.queries > tmax)
            tmax = commits[c]->shape.queries;
    }
    *draws = malloc((tmax ? tmax : 1) * sizeof **draws);
    if (!*draws)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for queries");
    zki_ts_challenge_indices(ts, "pcs/queries", dmax, *draws, tmax);
    *n_draws = tmax;
    return ZKI_OK;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

uint32_t zki_pcs_queries_for(const zki_pcs_commitment *c, const uint64_t *draws, uint64_t *out)
{
    /* D divides D_max (powers of two), so draw mod D is uniform. */
    uint32_t t = c->shape.queries;
    for (uint32_t i = 0; i < t; i++)
        out[i] = draws[i] & (c->shape.d - 1);
    qsort(out, t, sizeof *out, cmp_u64);
    uint32_t n = 0;
    for (uint32_t i = 0; i < t; i++)
        if (n == 0 || out[n - 1] != out[i])
            out[n++] = out[i];
    return n;
}

zki_sha256_ctx *zki_pcs_leaf_base(void)
{
    zki_sha256_ctx *b = zki_sha256_new();
    if (b)
        zki_sha256_update(b, ZKI_PCS_LEAF_TAG, strlen(ZKI_PCS_LEAF_TAG));
    return b;
}

void zki_pcs_leaf_hash(zki_sha256_ctx *ctx, const zki_sha256_ctx *base, zki_digest *out,
                       const uint8_t *salt, const zki_fe *col, uint64_t rows)
{
    zki_sha256_copy(ctx, base);
    if (salt)
        zki_sha256_update(ctx, salt, ZKI_PCS_SALT_LEN);
    zki_sha256_update(ctx, col, rows * sizeof(zki_fe));
    zki_sha256_final(ctx, out);
}

zki_status zki_pcs_multiproof(const zki_merkle_tree *t, const uint64_t *idx, uint32_t n,
                              zki_digest **nodes, uint32_t *n_nodes)
{
    uint64_t nl = t->n_leaves;
    uint32_t log_d = 0;
    while (((uint64_t)1 << log_d) < nl)
        log_d++;
    uint64_t *cur = malloc((n ? n : 1) * sizeof *cur);
    zki_digest *out = malloc(((size_t)n * log_d + 1) * sizeof *out);
    if (!cur || !out) {
        free(cur);
        free(out);
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for Merkle proof");
    }
    memcpy(cur, idx, n * sizeof *cur);
    uint32_t m = n, k = 0;
    uint64_t off = 0;
    for (uint32_t l = 0; l < log_d; l++) {
        uint32_t np = 0;
        for (uint32_t i = 0; i < m; i++) {
            uint64_t x = cur[i];
            if ((x & 1) == 0 && i + 1 < m && cur[i + 1] == x + 1)
                i++; /* both children known */
            else
                out[k++] = t->nodes[off + (x ^ 1)];
            cur[np++] = x >> 1;
        }
        m = np;
        off += nl >> l;
    }
    free(cur);
    *nodes = out;
    *n_nodes = k;
    return ZKI_OK;
}

int zki_pcs_multiproof_check(const zki_digest *root, uint32_t log_d, const uint64_t *idx,
                             const zki_digest *leaves, uint32_t n, const zki_digest *nodes,
                             uint32_t n_nodes)
{
    if (n == 0)
        return 0;
    uint64_t *cur = malloc(n * sizeof *cur);
    zki_digest *dig = malloc(n * sizeof *dig);
    int ok = 0;
    if (!cur || !dig)
        goto done;
    memcpy(cur, idx, n * sizeof *cur);
    memcpy(dig, leaves, n * sizeof *dig);
    uint32_t m = n, k = 0;
    for (uint32_t l = 0; l < log_d; l++) {
        uint32_t np = 0;
        for (uint32_t i = 0; i < m; i++) {
            uint64_t x = cur[i];
            zki_digest pair[2];
            if ((x & 1) == 0 && i + 1 < m && cur[i + 1] == x + 1) {
                pair[0] = dig[i];
                pair[1] = dig[i + 1];
                i++;
            } else {
                if (k >= n_nodes)
                    goto done;
                pair[x & 1] = dig[i];
                pair[(x & 1) ^ 1] = nodes[k++];
            }
            zki_merkle_hash_pairs(&dig[np], pair, 1);
            cur[np++] = x >> 1;
        }
        m = np;
    }
    ok = (k == n_nodes && m == 1 && memcmp(dig[0].b, root->b, ZKI_DIGEST_LEN) == 0);
done:
    free(cur);
    free(dig);
    return ok;
}

zki_status zki_pcs_entropy(uint8_t seed[32])
{
    if (!zki_os_entropy32(seed))
        return zki_fail(ZKI_ERR_UNSUPPORTED, "pcs: no OS entropy for hiding randomness");
    return ZKI_OK;
}

void zki_pcs_prg(const uint8_t seed[32], uint8_t domain, uint64_t index, zki_fe *out, size_t n)
{
    static const char tag[] = "zkinfer/pcs-prg/v1";
    uint8_t msg[sizeof tag + 32 + 1 + 16];
    memcpy(msg, tag, sizeof tag);
    memcpy(msg + sizeof tag, seed, 32);
    msg[sizeof tag + 32] = domain;
    for (int b = 0; b < 8; b++)
        msg[sizeof tag + 33 + b] = (uint8_t)(index >> (8 * b));
    uint64_t ctr = 0;
    size_t k = 0;
    while (k < n) {
        for (int b = 0; b < 8; b++)
            msg[sizeof tag + 41 + b] = (uint8_t)(ctr >> (8 * b));
        ctr++;
        zki_digest d;
        zki_sha256(&d, msg, sizeof msg);
        for (int w = 0; w < 4 && k < n; w++) {
            uint64_t v = 0;
            for (int b = 0; b < 8; b++)
                v |= (uint64_t)d.b[8 * w + b] << (8 * b);
            if (v < ZKI_P) /* rejection: uniform, no modulo bias */
                out[k++] = v;
        }
    }
}

zki_status zki_pcs_coder_init(zki_pcs_coder *c, const zki_pcs_shape *s)
{
    c->p = 1;
    while (c->p < s->row_len)
        c->p <<= 1;
    c->q = s->d / c->p;
    c->shifts = malloc(c->q * sizeof *c->shifts);
    if (!c->shifts)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory for coset shifts");
    zki_fe wd = zki_fe_root_of_unity(s->log_d);
    c->shifts[0] = ZKI_PCS_SHIFT;
    for (uint64_t i = 1; i < c->q; i++)
        c->shifts[i] = zki_fe_mul(c->shifts[i - 1], wd);
    return ZKI_OK;
}

void zki_pcs_coder_free(zki_pcs_coder *c)
{
    free(c->shifts);
    c->shifts = NULL;
}

zki_status zki_pcs_encode(const zki_pcs_coder *c, const zki_fe *msg, uint64_t k, zki_fe *out)
{
    if (out != msg)
        memcpy(out, msg, k * sizeof *out);
    memset(out + k, 0, (c->p - k) * sizeof *out);
    for (uint64_t i = 1; i < c->q; i++)
        memcpy(out + i * c->p, out, c->p * sizeof *out);
    for (uint64_t i = 0; i < c->q; i++) {
        zki_status st = zki_ntt_coset_forward(out + i * c->p, c->p, c->shifts[i]);
        if (st)
            return st;
    }
    return ZKI_OK;
}

zki_status zki_pcs_column_combos(const zki_pcs_ctx *x, uint32_t c, const zki_fe *cols,
                                 uint64_t height, uint32_t n, zki_ext *combo)
{
    uint32_t n_comb = zki_pcs_n_comb(x, c);
    zki_ext_acc *acc = malloc(n_comb * sizeof *acc);
    if (!acc)
        return zki_fail(ZKI_ERR_NOMEM, "pcs: out of memory combining columns");
    for (uint32_t i = 0; i < n; i++) {
        const zki_fe *col = cols + (size_t)i * height;
        for (uint32_t g = 0; g < n_comb; g++)
            zki_ext_acc_zero(&acc[g]);
        for (size_t t = 0; t < x->n_terms[c]; t++) {
            const zki_pcs_term *tm = &x->terms[c][t];
            for (uint64_t r = 0; r < tm->n_rows; r++)
                zki_ext_acc_mac_fe(&acc[tm->target], col[tm->first_row + r], tm->coef[r]);
        }
        for (uint32_t g = 0; g < n_comb; g++)
            combo[(size_t)g * n + i] = zki_ext_acc_reduce(&acc[g]);
    }
    free(acc);
    return ZKI_OK;
}

zki_ext zki_pcs_eval_target(const zki_pcs_ctx *x, uint32_t c, uint32_t g,
                            const zki_pcs_claim *claims, size_t n_claims, const zki_ext *mu)
{
    zki_ext want = mu ? zki_ext_mul(x->mu_coef[c], mu[g]) : zki_ext_zero();
    for (size_t i = 0; i < n_claims; i++)
        if (claims[i].commit == c && x->group[i] == g)
            want = zki_ext_add(want, zki_ext_mul(x->scale[i], claims[i].value));
    return want;
}

zki_pv zki_pcs_eval_target_pv(const zki_pcs_ctx *x, uint32_t c, uint32_t g, const zki_pcs_claim *claims,
                              size_t n_claims, const zki_pv *mu, zki_zk *z)
{
    zki_pv want = mu ? zki_pv_scale(z, mu[g], x->mu_coef[c]) : zki_pv_pub(zki_ext_zero());
    for (size_t i = 0; i < n_claims; i++)
        if (claims[i].commit == c && x->group[i] == g) {
            zki_pv v = {claims[i].value, claims[i].form};
            want = zki_pv_add(z, want, zki_pv_scale(z, v, x->scale[i]));
        }
    return want;
}

size_t zki_pcs_only_claim(const zki_pcs_claim *claims, size_t n_claims, uint32_t c)
{
    for (size_t i = 0; i < n_claims; i++)
        if (claims[i].commit == c)
            return i;
    return 0;
}
