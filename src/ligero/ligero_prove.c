/* The prover (prover only): checks the statement on its witness, sends the
 * proximity, linear and quadratic combinations w, q, s, grinds, and opens
 * the queried columns of every commitment (docs/ligero.md, "Protocol").
 *
 * The products of step 2 are computed in evaluation form on the coset
 * 7 <w_N>, N the least power of two >= m = 2k - 1: it is a subset of the
 * code's coset 7 <w_D> (w_N = w_D^(D/N), and N <= D/2), so the rows' values
 * there are entries of their codewords, and every product has degree < m. */
#ifndef ZKI_VERIFIER_ONLY
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "ligero/ligero_internal.h"
#include "ntt/ntt.h"
#include "pcs/pcs_internal.h"

int zki_ligero_test_false = 0;

static zki_status check_statement(zki_ligero_prover *const *prs, const zki_ligero_shape *s,
                                  const zki_ext *const *a, zki_ext b, const zki_ligero_triple *tri,
                                  uint64_t n_tri)
{
    zki_ext_acc acc;
    zki_ext_acc_zero(&acc);
    for (uint32_t c = 0; c < s->n_c; c++) {
        uint64_t n = s->rows[c] * s->ell;
        for (uint64_t i = 0; i < n; i++)
            zki_ext_acc_mac(&acc, a[c][i], prs[c]->vals[i]);
    }
    if (!zki_ext_eq(zki_ext_acc_reduce(&acc), b))
        return zki_fail(ZKI_ERR_INPUT, "ligero: the witness does not satisfy the linear equation");
    for (uint64_t r = 0; r < n_tri; r++) {
        const zki_ligero_prover *pr = prs[tri[r].commit];
        const zki_ext *x = pr->vals + tri[r].x * s->ell, *y = pr->vals + tri[r].y * s->ell,
                      *z = pr->vals + tri[r].z * s->ell;
        for (uint64_t i = 0; i < s->ell; i++)
            if (!zki_ext_eq(zki_ext_mul(x[i], y[i]), z[i]))
                return zki_fail(ZKI_ERR_INPUT,
                                "ligero: triple %llu: x[%llu] * y[%llu] != z[%llu]",
                                (unsigned long long)r, (unsigned long long)i,
                                (unsigned long long)i, (unsigned long long)i);
    }
    return ZKI_OK;
}

/* The K value of K-row r of pr at point i of 7 <w_N> (codeword entry i D/N). */
static inline zki_ext eval_at(const zki_ligero_prover *pr, uint64_t r, uint64_t i, uint64_t stride)
{
    return zki_ligero_colk(pr->cw + i * stride * pr->height, r);
}

/* Coefficients (m of them, in out) of the polynomial of degree < m whose
 * values on 7 <w_N> are ev (N entries; destroyed). */
static zki_status interpolate(zki_ext *ev, uint64_t nn, uint64_t m, zki_fe *tmp, zki_ext *out)
{
    for (int coord = 0; coord < 2; coord++) {
        for (uint64_t i = 0; i < nn; i++)
            tmp[i] = coord ? ev[i].c1 : ev[i].c0;
        zki_status st = zki_ntt_coset_inverse(tmp, nn, ZKI_LIGERO_SHIFT);
        if (st)
            return st;
        for (uint64_t i = 0; i < m; i++) {
            if (coord)
                out[i].c1 = tmp[i];
            else
                out[i].c0 = tmp[i];
        }
    }
    return ZKI_OK;
}

/* sum_i ahat_i(x) p_i(x) at the N points x of 7 <w_N>, i over every data
 * K-row of every commitment: ahat_i from a_i by an inverse NTT on H and a
 * coset NTT of size N. Threads split the rows; field sums are exact, so the
 * result does not depend on how. */
static zki_status linear_evals(zki_ligero_prover *const *prs, const zki_ligero_shape *s,
                               const zki_ext *const *a, uint64_t nn, zki_ext *out)
{
    uint64_t stride = s->d / nn, ell = s->ell;
    uint64_t total = 0, first[ZKI_LIGERO_MAX_COMMITS + 1];
    for (uint32_t c = 0; c < s->n_c; c++) {
        first[c] = total;
        total += s->rows[c];
    }
    first[s->n_c] = total;
    for (uint64_t i = 0; i < nn; i++)
        out[i] = zki_ext_zero();
    int failed = 0;
#pragma omp parallel
    {
        zki_fe *t0 = malloc(2 * nn * sizeof *t0);
        zki_ext *loc = calloc(nn, sizeof *loc);
        if (!t0 || !loc) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (int64_t g = 0; g < (int64_t)total; g++) {
            if (!t0 || !loc)
                continue;
            uint32_t c = 0;
            while ((uint64_t)g >= first[c + 1])
                c++;
            uint64_t r = (uint64_t)g - first[c];
            const zki_ext *ar = a[c] + r * ell;
            zki_fe *t1 = t0 + nn;
            for (uint64_t i = 0; i < ell; i++) {
                t0[i] = ar[i].c0;
                t1[i] = ar[i].c1;
            }
            memset(t0 + ell, 0, (nn - ell) * sizeof *t0);
            memset(t1 + ell, 0, (nn - ell) * sizeof *t1);
            if (zki_ntt_inverse(t0, ell) || zki_ntt_inverse(t1, ell) ||
                zki_ntt_coset_forward(t0, nn, ZKI_LIGERO_SHIFT) ||
                zki_ntt_coset_forward(t1, nn, ZKI_LIGERO_SHIFT)) {
#pragma omp atomic write
                failed = 1;
                continue;
            }
            for (uint64_t i = 0; i < nn; i++) {
                zki_ext ah = zki_ext_make(t0[i], t1[i]);
                loc[i] = zki_ext_add(loc[i], zki_ext_mul(ah, eval_at(prs[c], r, i, stride)));
            }
        }
        if (t0 && loc) {
#pragma omp critical(zki_ligero_linear)
            for (uint64_t i = 0; i < nn; i++)
                out[i] = zki_ext_add(out[i], loc[i]);
        }
        free(t0);
        free(loc);
    }
    return failed ? zki_fail(ZKI_ERR_NOMEM, "ligero: linear combination failed") : ZKI_OK;
}

/* sum_r gamma_q,r (p_x p_y - p_z) at the N points of 7 <w_N>. */
static void quad_evals(zki_ligero_prover *const *prs, const zki_ligero_shape *s,
                       const zki_ligero_triple *tri, uint64_t n_tri, const zki_ext *gq,
                       uint64_t nn, zki_ext *out)
{
    uint64_t stride = s->d / nn;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < (int64_t)nn; i++) {
        zki_ext acc = zki_ext_zero();
        for (uint64_t r = 0; r < n_tri; r++) {
            const zki_ligero_prover *pr = prs[tri[r].commit];
            zki_ext px = eval_at(pr, tri[r].x, (uint64_t)i, stride);
            zki_ext py = eval_at(pr, tri[r].y, (uint64_t)i, stride);
            zki_ext pz = eval_at(pr, tri[r].z, (uint64_t)i, stride);
            acc = zki_ext_add(acc, zki_ext_mul(gq[r], zki_ext_sub(zki_ext_mul(px, py), pz)));
        }
        out[i] = acc;
    }
}

/* w = sum_b (gamma_b + gamma'_b X^(k-1)) p_b + the nu and nu' rows with their
 * gammas + mu, coefficient by coefficient (m of them). */
static void proximity_row(zki_ligero_prover *const *prs, const zki_ligero_shape *s,
                          const zki_ligero_chal *x, zki_ext *w)
{
    uint64_t m = s->m, k = s->k;
    const zki_ligero_prover *mp = prs[s->masks_commit];
    uint64_t mrow = zki_ligero_mask_row(s, 0);
#pragma omp parallel for schedule(static)
    for (int64_t ii = 0; ii < (int64_t)m; ii++) {
        uint64_t i = (uint64_t)ii;
        zki_ext_acc acc;
        zki_ext_acc_zero(&acc);
        for (uint32_t c = 0; c < s->n_c; c++) {
            const zki_ligero_prover *pr = prs[c];
            for (uint64_t b = 0; b < 2 * s->rows[c]; b++) {
                const zki_fe *row = pr->coef + b * m;
                if (i < k)
                    zki_ext_acc_mac_fe(&acc, row[i], x->gamma[x->off[c] + b]);
                if (i >= k - 1)
                    zki_ext_acc_mac_fe(&acc, row[i - (k - 1)], x->gamma_sh[x->off[c] + b]);
            }
        }
        for (unsigned j = 0; j < 4; j++)
            zki_ext_acc_mac_fe(&acc, mp->coef[(mrow + 2 + j) * m + i], x->gamma_mask[j]);
        zki_ext v = zki_ext_acc_reduce(&acc);
        v.c0 = zki_fe_add(v.c0, mp->coef[(mrow + 0) * m + i]);
        v.c1 = zki_fe_add(v.c1, mp->coef[(mrow + 1) * m + i]);
        w[i] = v;
    }
}

/* m coefficients of the mask K-row `which` of the masks commitment, added to
 * out. */
static void add_mask(const zki_ligero_prover *mp, unsigned which, zki_ext *out)
{
    const zki_ligero_shape *s = &mp->shape;
    const zki_fe *r0 = mp->coef + zki_ligero_mask_row(s, which) * s->m, *r1 = r0 + s->m;
    for (uint64_t i = 0; i < s->m; i++)
        out[i] = zki_ext_add(out[i], zki_ext_make(r0[i], r1[i]));
}

static zki_status open_columns(const zki_ligero_prover *pr, const uint64_t *idx, uint32_t n,
                               zki_ligero_opening *o)
{
    uint64_t hgt = pr->height;
    o->cols = malloc((size_t)n * hgt * sizeof *o->cols);
    o->salts = malloc((size_t)n * ZKI_LIGERO_SALT_LEN);
    if (!o->cols || !o->salts)
        return zki_fail(ZKI_ERR_NOMEM, "ligero: out of memory opening columns");
    for (uint32_t i = 0; i < n; i++) {
        memcpy(o->cols + (size_t)i * hgt, pr->cw + idx[i] * hgt, hgt * sizeof *o->cols);
        memcpy(o->salts + (size_t)i * ZKI_LIGERO_SALT_LEN,
               pr->salts + idx[i] * ZKI_LIGERO_SALT_LEN, ZKI_LIGERO_SALT_LEN);
    }
    return zki_pcs_multiproof(&pr->tree, idx, n, &o->nodes, &o->n_nodes);
}

static zki_status check_provers(zki_ligero_prover *const *prs, uint32_t n_c)
{
    if (!prs || !prs[0])
        return zki_fail(ZKI_ERR_INPUT, "ligero: no provers");
    const zki_ligero_shape *s = &prs[0]->shape;
    if (n_c != s->n_c)
        return zki_fail(ZKI_ERR_INPUT, "ligero: %u provers, the shape has %u commitments", n_c,
                        s->n_c);
    for (uint32_t c = 0; c < n_c; c++) {
        if (!prs[c] || prs[c]->commit != c || !zki_ligero_shape_eq(&prs[c]->shape, s))
            return zki_fail(ZKI_ERR_INPUT,
                            "ligero: prover %u is not commitment %u of the proof's shape", c, c);
        if (prs[c]->used)
            return zki_fail(ZKI_ERR_INPUT,
                            "ligero: commitment %u has made its proof (commit afresh)", c);
    }
    return ZKI_OK;
}

zki_status zki_ligero_prove(zki_transcript *ts, zki_ligero_prover *const *prs, uint32_t n_c,
                            const zki_ext *const *a, zki_ext b, const zki_ligero_triple *tri,
                            uint64_t n_tri, zki_ligero_proof *proof)
{
    if (!proof || !ts)
        return zki_fail(ZKI_ERR_INPUT, "ligero: prove needs a transcript and a proof");
    memset(proof, 0, sizeof *proof);
    zki_status st = check_provers(prs, n_c);
    if (st)
        return st;
    const zki_ligero_shape *s = &prs[0]->shape;
    if ((st = zki_ligero_check_args(s, n_c, a, tri, n_tri)))
        return st;
    if (!ZKI_EXT_CANON(b))
        return zki_fail(ZKI_ERR_INPUT, "ligero: b is not canonical");
    if (!zki_ligero_test_false && (st = check_statement(prs, s, a, b, tri, n_tri)))
        return st;

    uint64_t m = s->m, nn = 1;
    while (nn < m)
        nn <<= 1;
    zki_ligero_chal x;
    zki_ext *ev = NULL;
    zki_fe *tmp = NULL;
    uint64_t *idx = NULL;
    zki_digest roots[ZKI_LIGERO_MAX_COMMITS];
    for (uint32_t c = 0; c < n_c; c++)
        roots[c] = *zki_merkle_root(&prs[c]->tree);
    if ((st = zki_ligero_begin(ts, s, roots, a, b, tri, n_tri, &x)))
        return st;
    proof->n_c = n_c;
    proof->m = m;
    proof->w = malloc(m * sizeof *proof->w);
    proof->q = malloc(m * sizeof *proof->q);
    proof->s = n_tri ? malloc(m * sizeof *proof->s) : NULL;
    ev = malloc(nn * sizeof *ev);
    tmp = malloc(nn * sizeof *tmp);
    if (!proof->w || !proof->q || (n_tri && !proof->s) || !ev || !tmp) {
        st = zki_fail(ZKI_ERR_NOMEM, "ligero: out of memory for the combinations");
        goto done;
    }
    const zki_ligero_prover *mp = prs[s->masks_commit];

    /* w: proximity */
    proximity_row(prs, s, &x, proof->w);
    /* q = eta sum_i ahat_i p_i + nu */
    if ((st = linear_evals(prs, s, a, nn, ev)))
        goto done;
    for (uint64_t i = 0; i < nn; i++)
        ev[i] = zki_ext_mul(ev[i], x.eta);
    if ((st = interpolate(ev, nn, m, tmp, proof->q)))
        goto done;
    add_mask(mp, ZKI_LIGERO_NU, proof->q);
    /* s = sum_r gamma_q,r (p_x p_y - p_z) + nu' */
    if (n_tri) {
        quad_evals(prs, s, tri, n_tri, x.gamma_q, nn, ev);
        if ((st = interpolate(ev, nn, m, tmp, proof->s)))
            goto done;
        add_mask(mp, ZKI_LIGERO_NUQ, proof->s);
    }
    zki_ligero_absorb_msgs(ts, s, proof->w, proof->q, proof->s, n_tri);

    if ((st = zki_pcs_grind(ts, s->grind, &proof->nonce)))
        goto done;
    uint32_t n;
    if ((st = zki_ligero_queries(ts, s, &idx, &n)))
        goto done;
    proof->n_cols = n;
    for (uint32_t c = 0; c < n_c && !st; c++)
        st = open_columns(prs[c], idx, n, &proof->open[c]);
    if (!st)
        for (uint32_t c = 0; c < n_c; c++)
            prs[c]->used = 1;
done:
    free(idx);
    free(ev);
    free(tmp);
    zki_ligero_chal_free(&x);
    if (st)
        zki_ligero_proof_free(proof);
    return st;
}
#endif
