#include "ops/concat.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "poly/mle.h"

zki_status zki_concat_dims_init(zki_concat_dims *d, uint64_t B, uint64_t Ca, uint64_t Cb, uint64_t H,
                                uint64_t W)
{
    memset(d, 0, sizeof(*d));
    const uint64_t lim = (uint64_t)1 << 31;
    if (!B || !Ca || !Cb || !H || !W || B > lim || Ca > lim || Cb > lim || H > lim || W > lim)
        return zki_fail(ZKI_ERR_INPUT, "concat: sizes B %llu, channels %llu + %llu, %llux%llu",
                        (unsigned long long)B, (unsigned long long)Ca, (unsigned long long)Cb,
                        (unsigned long long)H, (unsigned long long)W);
    d->B = B, d->Ca = Ca, d->Cb = Cb, d->H = H, d->W = W;
    d->lb = zki_log2_ceil(B);
    d->lca = zki_log2_ceil(Ca);
    d->lcb = zki_log2_ceil(Cb);
    d->lc = zki_log2_ceil(Ca + Cb);
    d->lh = zki_log2_ceil(H);
    d->lw = zki_log2_ceil(W);
    d->m = d->lca > d->lcb ? d->lca : d->lcb;
    d->aligned = Ca == ((uint64_t)1 << d->lca) && Cb <= Ca;
    return ZKI_OK;
}

size_t zki_concat_rounds(const zki_concat_dims *d) { return d->aligned ? 0 : d->m + 1; }
size_t zki_concat_y_nvars(const zki_concat_dims *d) { return d->lw + d->lh + d->lc + d->lb; }
size_t zki_concat_a_nvars(const zki_concat_dims *d) { return d->lw + d->lh + d->lca + d->lb; }
size_t zki_concat_b_nvars(const zki_concat_dims *d) { return d->lw + d->lh + d->lcb + d->lb; }

int64_t *zki_concat_forward(const zki_concat_dims *d, const int64_t *A, const int64_t *Bm)
{
    size_t hw = (size_t)1 << (d->lh + d->lw);
    int64_t *y = calloc(((size_t)d->B << d->lc) * hw, sizeof(int64_t));
    if (!y)
        return NULL;
    for (uint64_t b = 0; b < d->B; b++) {
        int64_t *yb = y + ((b << d->lc) * hw);
        memcpy(yb, A + ((b << d->lca) * hw), sizeof(int64_t) * d->Ca * hw);
        memcpy(yb + d->Ca * hw, Bm + ((b << d->lcb) * hw), sizeof(int64_t) * d->Cb * hw);
    }
    return y;
}

/* T[c] = X~(r_x, r_y, c, r_b) for the 2^lcx channels of a padded map X. */
static void channel_evals(zki_ext *T, const int64_t *X, size_t lcx, const zki_concat_dims *d,
                          const zki_ext *exy, const zki_ext *eb)
{
    size_t hw = (size_t)1 << (d->lh + d->lw), nc = (size_t)1 << lcx;
    for (size_t c = 0; c < nc; c++) {
        zki_ext_acc acc;
        zki_ext_acc_zero(&acc);
        for (uint64_t b = 0; b < d->B; b++) {
            const int64_t *row = X + (((b << lcx) | c) * hw);
            zki_ext_acc inner;
            zki_ext_acc_zero(&inner);
            for (size_t i = 0; i < hw; i++)
                if (row[i])
                    zki_ext_acc_mac_fe(&inner, zki_fe_from_i64(row[i]), exy[i]);
            zki_ext_acc_mac(&acc, zki_ext_acc_reduce(&inner), eb[b]);
        }
        T[c] = zki_ext_acc_reduce(&acc);
    }
}

/* The A (lca) or Bm (lcb) point: (r_x, r_y, ch[0..lcp), r_b). */
static void part_point(const zki_concat_dims *d, const zki_ext *r, const zki_ext *ch, size_t lcp, zki_ext *out)
{
    size_t xy = d->lw + d->lh;
    memcpy(out, r, sizeof(zki_ext) * xy);
    memcpy(out + xy, ch, sizeof(zki_ext) * lcp);
    memcpy(out + xy + lcp, r + xy + d->lc, sizeof(zki_ext) * d->lb);
}

/* prod_{lo <= i < hi} (1 - s_i) */
static zki_ext zero_tail(const zki_ext *s, size_t lo, size_t hi)
{
    zki_ext z = zki_ext_one();
    for (size_t i = lo; i < hi; i++)
        z = zki_ext_mul(z, zki_ext_sub(zki_ext_one(), s[i]));
    return z;
}

/* S~(s): the shifted selector, from eq tables of r_c (lc) and s (m). */
static zki_status selector_eval(const zki_concat_dims *d, const zki_ext *rc, const zki_ext *s, zki_ext *out)
{
    zki_ext *er = malloc(sizeof(zki_ext) << d->lc), *es = malloc(sizeof(zki_ext) << d->m);
    if (!er || !es) {
        free(er);
        free(es);
        return zki_fail(ZKI_ERR_NOMEM, "concat: selector");
    }
    zki_eq_table(er, rc, d->lc);
    zki_eq_table(es, s, d->m);
    zki_ext_acc sa, sb;
    zki_ext_acc_zero(&sa);
    zki_ext_acc_zero(&sb);
    for (uint64_t c = 0; c < d->Ca; c++)
        zki_ext_acc_mac(&sa, er[c], es[c]);
    for (uint64_t c = 0; c < d->Cb; c++)
        zki_ext_acc_mac(&sb, er[d->Ca + c], es[c]);
    zki_ext t = s[d->m];
    *out = zki_ext_add(zki_ext_mul(zki_ext_sub(zki_ext_one(), t), zki_ext_acc_reduce(&sa)),
                       zki_ext_mul(t, zki_ext_acc_reduce(&sb)));
    free(er);
    free(es);
    return ZKI_OK;
}

zki_status zki_concat_prove(const zki_concat_dims *d, const int64_t *A, const int64_t *Bm, const zki_ext *r,
                            zki_ext v, zki_transcript *t, zki_concat_proof *proof, zki_ext *a_point,
                            zki_ext *b_point)
{
    memset(proof, 0, sizeof(*proof));
    size_t xy = d->lw + d->lh, n = d->m + 1;
    const zki_ext *rc = r + xy, *rb = rc + d->lc;
    size_t big = (size_t)1 << n;
    zki_ext *exy = malloc(sizeof(zki_ext) << xy), *eb = malloc(sizeof(zki_ext) << d->lb);
    zki_ext *T = calloc(big, sizeof(zki_ext)), *S = calloc(big, sizeof(zki_ext));
    zki_ext *er = malloc(sizeof(zki_ext) << d->lc), *s = malloc(sizeof(zki_ext) * (n + 1));
    zki_status st = ZKI_OK;
    if (!exy || !eb || !T || !S || !er || !s) {
        st = zki_fail(ZKI_ERR_NOMEM, "concat: prover tables");
        goto out;
    }
    zki_eq_table(exy, r, xy);
    zki_eq_table(eb, rb, d->lb);
    size_t half = (size_t)1 << d->m;
    channel_evals(T, A, d->lca, d, exy, eb);
    channel_evals(T + half, Bm, d->lcb, d, exy, eb);
    if (d->aligned) {
        /* Y's channel axis is (A's lca bits, part bit): no sum-check */
        proof->a_eval = zki_mle_eval_ext(T, d->lca, rc);
        proof->b_eval = zki_mle_eval_ext(T + half, d->lcb, rc);
        part_point(d, r, rc, d->lca, a_point);
        part_point(d, r, rc, d->lcb, b_point);
    } else {
        zki_eq_table(er, rc, d->lc);
        for (uint64_t c = 0; c < d->Ca; c++)
            S[c] = er[c];
        for (uint64_t c = 0; c < d->Cb; c++)
            S[half + c] = er[d->Ca + c];
        zki_sc_instance inst;
        memset(&inst, 0, sizeof(inst));
        inst.nvars = n;
        inst.n_tables = 2;
        inst.ext[0] = S;
        inst.ext[1] = T;
        zki_ext ev[2];
        if ((st = zki_sumcheck_prove(&inst, v, t, &proof->sc, s, ev)))
            goto out;
        proof->a_eval = zki_mle_eval_ext(T, d->lca, s);
        proof->b_eval = zki_mle_eval_ext(T + half, d->lcb, s);
        part_point(d, r, s, d->lca, a_point);
        part_point(d, r, s, d->lcb, b_point);
    }
    zki_ts_absorb_ext(t, "concat.a", proof->a_eval);
    zki_ts_absorb_ext(t, "concat.b", proof->b_eval);
out:
    free(exy);
    free(eb);
    free(T);
    free(S);
    free(er);
    free(s);
    if (st)
        zki_concat_proof_free(proof);
    return st;
}

zki_status zki_concat_verify(const zki_concat_dims *d, const zki_ext *r, zki_ext v, const zki_concat_proof *proof,
                             zki_transcript *t, zki_ext *a_point, zki_ext *b_point)
{
    size_t xy = d->lw + d->lh, n = d->m + 1;
    const zki_ext *rc = r + xy;
    zki_status st = ZKI_OK;
    if (d->aligned) {
        if (proof->sc.nvars || proof->sc.degree)
            return zki_fail(ZKI_ERR_VERIFY, "concat: a sum-check where none is due");
        zki_ext tb = rc[d->lca];
        zki_ext want = zki_ext_add(zki_ext_mul(zki_ext_sub(zki_ext_one(), tb), proof->a_eval),
                                   zki_ext_mul(zki_ext_mul(tb, proof->b_eval), zero_tail(rc, d->lcb, d->lca)));
        if (!zki_ext_eq(want, v))
            return zki_fail(ZKI_ERR_VERIFY, "concat: the input claims do not add up to the output claim");
        part_point(d, r, rc, d->lca, a_point);
        part_point(d, r, rc, d->lcb, b_point);
    } else {
        zki_ext *s = malloc(sizeof(zki_ext) * (n + 1)), fin = zki_ext_zero(), sel = zki_ext_zero();
        if (!s)
            return zki_fail(ZKI_ERR_NOMEM, "concat: point");
        if ((st = zki_sumcheck_verify(n, 2, v, &proof->sc, t, s, &fin))) {
            free(s);
            return zki_fail_ctx(ZKI_ERR_VERIFY, "concat: sum-check");
        }
        if ((st = selector_eval(d, rc, s, &sel))) {
            free(s);
            return st;
        }
        zki_ext sm = s[d->m];
        zki_ext tv = zki_ext_add(
            zki_ext_mul(zki_ext_mul(zki_ext_sub(zki_ext_one(), sm), proof->a_eval), zero_tail(s, d->lca, d->m)),
            zki_ext_mul(zki_ext_mul(sm, proof->b_eval), zero_tail(s, d->lcb, d->m)));
        if (!zki_ext_eq(zki_ext_mul(sel, tv), fin)) {
            free(s);
            return zki_fail(ZKI_ERR_VERIFY, "concat: the sum-check's last round does not match the input claims");
        }
        part_point(d, r, s, d->lca, a_point);
        part_point(d, r, s, d->lcb, b_point);
        free(s);
    }
    zki_ts_absorb_ext(t, "concat.a", proof->a_eval);
    zki_ts_absorb_ext(t, "concat.b", proof->b_eval);
    return ZKI_OK;
}

void zki_concat_proof_free(zki_concat_proof *p)
{
    if (!p)
        return;
    zki_sc_proof_free(&p->sc);
    memset(p, 0, sizeof(*p));
}
