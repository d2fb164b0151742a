/* The verifier: replays the transcript, checks the two algebraic conditions
 * on q and s, the proof of work, the Merkle multi-proofs, and at every
 * queried column the three combinations (docs/ligero.md, "Protocol").
 * Its work is a function of the shape: O(t (values + m)) field operations,
 * the linear combination's ahat_i(x_j) taken in barycentric form on H. */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "ligero/ligero_internal.h"
#include "pcs/pcs_internal.h"

enum { COL_OK = 0, COL_PROX, COL_LIN, COL_QUAD, COL_NOMEM };

/* The proof's arrays have the sizes the shape gives and hold canonical
 * field elements (a proof from zki_ligero_proof_from_bytes always does). */
static zki_status check_sizes(const zki_ligero_shape *s, uint64_t n_tri,
                              const zki_ligero_proof *p)
{
    if (p->n_c != s->n_c || p->m != s->m || !p->w || !p->q || (n_tri > 0) != (p->s != NULL))
        return zki_fail(ZKI_ERR_VERIFY, "ligero: the proof does not have the shape's layout");
    if (p->n_cols < 1 || p->n_cols > s->queries)
        return zki_fail(ZKI_ERR_VERIFY, "ligero: the proof opens %u columns (shape: 1 .. %u)",
                        p->n_cols, s->queries);
    for (uint64_t i = 0; i < s->m; i++)
        if (!ZKI_EXT_CANON(p->w[i]) || !ZKI_EXT_CANON(p->q[i]) ||
            (p->s && !ZKI_EXT_CANON(p->s[i])))
            return zki_fail(ZKI_ERR_VERIFY, "ligero: a sent coefficient is not canonical");
    for (uint32_t c = 0; c < s->n_c; c++) {
        const zki_ligero_opening *o = &p->open[c];
        if (!o->cols || !o->salts || (o->n_nodes && !o->nodes) ||
            o->n_nodes > (uint64_t)p->n_cols * s->log_d)
            return zki_fail(ZKI_ERR_VERIFY, "ligero: commitment %u's opening is malformed", c);
        uint64_t n = (uint64_t)p->n_cols * s->height[c];
        for (uint64_t i = 0; i < n; i++)
            if (!ZKI_FE_CANON(o->cols[i]))
                return zki_fail(ZKI_ERR_VERIFY, "ligero: commitment %u: an opened entry is not "
                                "canonical", c);
    }
    return ZKI_OK;
}

static zki_status check_merkle(const zki_ligero_shape *s, const zki_digest *roots,
                               const zki_ligero_proof *p, const uint64_t *idx)
{
    uint32_t n = p->n_cols;
    zki_digest *leaves = malloc(n * sizeof *leaves);
    zki_sha256_ctx *base = zki_ligero_leaf_base(), *ctx = zki_sha256_new();
    zki_status st = ZKI_OK;
    if (!leaves || !base || !ctx) {
        st = zki_fail(ZKI_ERR_NOMEM, "ligero: out of memory checking the Merkle proofs");
        goto done;
    }
    for (uint32_t c = 0; c < s->n_c && !st; c++) {
        const zki_ligero_opening *o = &p->open[c];
        for (uint32_t i = 0; i < n; i++)
            zki_ligero_leaf(ctx, base, &leaves[i], o->salts + (size_t)i * ZKI_LIGERO_SALT_LEN,
                            o->cols + (size_t)i * s->height[c], s->height[c]);
        if (!zki_pcs_multiproof_check(&roots[c], s->log_d, idx, leaves, n, o->nodes, o->n_nodes))
            st = zki_fail(ZKI_ERR_VERIFY,
                          "ligero: commitment %u: the opened columns do not match its root", c);
    }
done:
    free(leaves);
    zki_sha256_free(base);
    zki_sha256_free(ctx);
    return st;
}

/* Everything the column checks share. */
typedef struct {
    const zki_ligero_shape *s;
    const zki_ligero_chal *x;
    const zki_ext *const *a;
    const zki_ligero_triple *tri;
    uint64_t n_tri;
    const zki_ligero_proof *p;
    const zki_fe *hpow;  /* w_ell^i, i < ell */
    zki_fe ell_inv;
} col_ctx;

/* The checks at opened column i (index j, point x = 7 w_D^j). lam: ell
 * scratch entries. */
static int check_column(const col_ctx *cc, uint32_t i, zki_fe x, zki_fe *lam)
{
    const zki_ligero_shape *s = cc->s;
    const zki_ligero_chal *x_ = cc->x;
    const zki_ligero_proof *p = cc->p;
    uint64_t ell = s->ell, mc = s->masks_commit, mrow = zki_ligero_mask_row(s, 0);
    const zki_fe *col[ZKI_LIGERO_MAX_COMMITS] = {0};
    for (uint32_t c = 0; c < s->n_c; c++)
        col[c] = p->open[c].cols + (size_t)i * s->height[c];
    const zki_fe *cm = col[mc];

    /* proximity: Enc(w)[j] = sum_b (gamma_b + x^(k-1) gamma'_b) col_b + masks */
    zki_ext_acc a1, a2;
    zki_ext_acc_zero(&a1);
    zki_ext_acc_zero(&a2);
    for (uint32_t c = 0; c < s->n_c; c++)
        for (uint64_t b = 0; b < 2 * s->rows[c]; b++) {
            zki_ext_acc_mac_fe(&a1, col[c][b], x_->gamma[x_->off[c] + b]);
            zki_ext_acc_mac_fe(&a2, col[c][b], x_->gamma_sh[x_->off[c] + b]);
        }
    for (unsigned j = 0; j < 4; j++)
        zki_ext_acc_mac_fe(&a1, cm[mrow + 2 + j], x_->gamma_mask[j]);
    zki_ext comb = zki_ext_add(zki_ext_acc_reduce(&a1),
                               zki_ext_scale(zki_ext_acc_reduce(&a2), zki_fe_pow(x, s->k - 1)));
    comb = zki_ext_add(comb, zki_ligero_colk(cm, mrow / 2 + ZKI_LIGERO_MU));
    if (!zki_ext_eq(comb, zki_ligero_horner(p->w, s->m, x)))
        return COL_PROX;

    /* linear: q(x) = eta sum_i ahat_i(x) col_i + nu, ahat_i(x) =
     * Z_H(x)/ell sum_m a_i[m] w^m / (x - w^m) */
    for (uint64_t m = 0; m < ell; m++)
        lam[m] = zki_fe_sub(x, cc->hpow[m]);
    zki_fe_batch_inv(lam, lam, ell);
    for (uint64_t m = 0; m < ell; m++)
        lam[m] = zki_fe_mul(lam[m], cc->hpow[m]);
    zki_ext_acc tot;
    zki_ext_acc_zero(&tot);
    for (uint32_t c = 0; c < s->n_c; c++)
        for (uint64_t r = 0; r < s->rows[c]; r++) {
            const zki_ext *ar = cc->a[c] + r * ell;
            zki_acc e0, e1;
            zki_acc_zero(&e0);
            zki_acc_zero(&e1);
            for (uint64_t m = 0; m < ell; m++) {
                zki_acc_mac(&e0, ar[m].c0, lam[m]);
                zki_acc_mac(&e1, ar[m].c1, lam[m]);
            }
            zki_ext e = zki_ext_make(zki_acc_reduce(&e0), zki_acc_reduce(&e1));
            zki_ext_acc_mac(&tot, e, zki_ligero_colk(col[c], r));
        }
    zki_fe zh = zki_fe_mul(zki_fe_sub(zki_fe_pow(x, ell), 1), cc->ell_inv);
    zki_ext lin = zki_ext_mul(zki_ext_scale(zki_ext_acc_reduce(&tot), zh), x_->eta);
    lin = zki_ext_add(lin, zki_ligero_colk(cm, mrow / 2 + ZKI_LIGERO_NU));
    if (!zki_ext_eq(lin, zki_ligero_horner(p->q, s->m, x)))
        return COL_LIN;

    /* quadratic: s(x) = sum_r gamma_q,r (col_x col_y - col_z) + nu' */
    if (cc->n_tri) {
        zki_ext_acc qa;
        zki_ext_acc_zero(&qa);
        for (uint64_t r = 0; r < cc->n_tri; r++) {
            const zki_ligero_triple *t = &cc->tri[r];
            const zki_fe *cl = col[t->commit];
            zki_ext d = zki_ext_sub(zki_ext_mul(zki_ligero_colk(cl, t->x), zki_ligero_colk(cl, t->y)),
                                    zki_ligero_colk(cl, t->z));
            zki_ext_acc_mac(&qa, d, x_->gamma_q[r]);
        }
        zki_ext quad = zki_ext_add(zki_ext_acc_reduce(&qa),
                                   zki_ligero_colk(cm, mrow / 2 + ZKI_LIGERO_NUQ));
        if (!zki_ext_eq(quad, zki_ligero_horner(p->s, s->m, x)))
            return COL_QUAD;
    }
    return COL_OK;
}

static zki_status check_columns(const col_ctx *cc, const uint64_t *idx)
{
    const zki_ligero_shape *s = cc->s;
    uint32_t n = cc->p->n_cols;
    int *res = calloc(n, sizeof *res);
    if (!res)
        return zki_fail(ZKI_ERR_NOMEM, "ligero: out of memory checking columns");
    zki_fe wd = zki_fe_root_of_unity(s->log_d);
#pragma omp parallel
    {
        zki_fe *lam = malloc(s->ell * sizeof *lam);
#pragma omp for schedule(dynamic, 1)
        for (int64_t i = 0; i < (int64_t)n; i++) {
            zki_fe x = zki_fe_mul(ZKI_LIGERO_SHIFT, zki_fe_pow(wd, idx[i]));
            res[i] = lam ? check_column(cc, (uint32_t)i, x, lam) : COL_NOMEM;
        }
        free(lam);
    }
    zki_status st = ZKI_OK;
    for (uint32_t i = 0; i < n && !st; i++) {
        static const char *what[] = {"", "proximity (w)", "linear (q)", "quadratic (s)"};
        if (res[i] == COL_NOMEM)
            st = zki_fail(ZKI_ERR_NOMEM, "ligero: out of memory checking columns");
        else if (res[i])
            st = zki_fail(ZKI_ERR_VERIFY, "ligero: column %llu fails the %s check",
                          (unsigned long long)idx[i], what[res[i]]);
    }
    free(res);
    return st;
}

zki_status zki_ligero_verify(zki_transcript *ts, const zki_ligero_shape *s,
                             const zki_digest *roots, uint32_t n_c, const zki_ext *const *a,
                             zki_ext b, const zki_ligero_triple *tri, uint64_t n_tri,
                             const zki_ligero_proof *proof)
{
    if (!ts || !roots || !proof)
        return zki_fail(ZKI_ERR_INPUT, "ligero: verify needs a transcript, roots and a proof");
    zki_status st = zki_ligero_shape_check(s);
    if (!st)
        st = zki_ligero_check_args(s, n_c, a, tri, n_tri);
    if (st)
        return st;
    if (!ZKI_EXT_CANON(b))
        return zki_fail(ZKI_ERR_INPUT, "ligero: b is not canonical");
    if ((st = check_sizes(s, n_tri, proof)))
        return st;
    zki_ligero_chal x;
    if ((st = zki_ligero_begin(ts, s, roots, a, b, tri, n_tri, &x)))
        return st;
    uint64_t *idx = NULL;
    zki_fe *hpow = NULL;
    uint64_t ell = s->ell, m = s->m;

    /* sum_{x in H} q(x) = ell * (q's coefficients at multiples of ell) = eta b */
    zki_fe ell_fe = zki_fe_from_u64(ell);
    zki_ext sum = zki_ext_zero();
    for (uint64_t i = 0; i < m; i += ell)
        sum = zki_ext_add(sum, proof->q[i]);
    if (!zki_ext_eq(zki_ext_scale(sum, ell_fe), zki_ext_mul(x.eta, b))) {
        st = zki_fail(ZKI_ERR_VERIFY, "ligero: the linear check fails: sum over H of q is not eta b");
        goto done;
    }
    /* s mod (X^ell - 1) = 0: s vanishes on H */
    for (uint64_t r = 0; n_tri && r < ell && r < m; r++) {
        zki_ext f = zki_ext_zero();
        for (uint64_t i = r; i < m; i += ell)
            f = zki_ext_add(f, proof->s[i]);
        if (!zki_ext_is_zero(f)) {
            st = zki_fail(ZKI_ERR_VERIFY, "ligero: the quadratic check fails: s is not a multiple "
                          "of X^ell - 1");
            goto done;
        }
    }
    zki_ligero_absorb_msgs(ts, s, proof->w, proof->q, proof->s, n_tri);
    if ((st = zki_pcs_grind_check(ts, s->grind, proof->nonce)))
        goto done;
    uint32_t n;
    if ((st = zki_ligero_queries(ts, s, &idx, &n)))
        goto done;
    if (n != proof->n_cols) {
        st = zki_fail(ZKI_ERR_VERIFY, "ligero: the proof opens %u columns, the queries name %u",
                      proof->n_cols, n);
        goto done;
    }
    if ((st = check_merkle(s, roots, proof, idx)))
        goto done;
    hpow = malloc(ell * sizeof *hpow);
    if (!hpow) {
        st = zki_fail(ZKI_ERR_NOMEM, "ligero: out of memory");
        goto done;
    }
    zki_fe w = zki_fe_root_of_unity(s->log_ell);
    hpow[0] = 1;
    for (uint64_t i = 1; i < ell; i++)
        hpow[i] = zki_fe_mul(hpow[i - 1], w);
    col_ctx cc = {s, &x, a, tri, n_tri, proof, hpow, zki_fe_inv(ell_fe)};
    st = check_columns(&cc, idx);
done:
    free(idx);
    free(hpow);
    zki_ligero_chal_free(&x);
    return st;
}
