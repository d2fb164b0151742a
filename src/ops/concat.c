#include "ops/concat.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "poly/mle.h"

zki_status zki_concat_dims_init(zki_concat_dims *d, uint64_t B, uint32_t k, const uint64_t *C, uint64_t H,
                                uint64_t W)
{
    memset(d, 0, sizeof(*d));
    const uint64_t lim = (uint64_t)1 << 31;
    if (k < 2 || k > ZKI_CONCAT_MAX_PARTS || !B || !H || !W || B > lim || H > lim || W > lim)
        return zki_fail(ZKI_ERR_INPUT, "concat: %u parts, B %llu, %llux%llu", k, (unsigned long long)B,
                        (unsigned long long)H, (unsigned long long)W);
    d->B = B, d->H = H, d->W = W, d->k = k;
    for (uint32_t i = 0; i < k; i++) {
        if (!C[i] || C[i] > lim || d->total + C[i] > lim)
            return zki_fail(ZKI_ERR_INPUT, "concat: part %u has %llu channels", i, (unsigned long long)C[i]);
        d->C[i] = C[i];
        d->off[i] = d->total;
        d->total += C[i];
        d->lcp[i] = zki_log2_ceil(C[i]);
        if (d->lcp[i] > d->m)
            d->m = d->lcp[i];
    }
    d->lb = zki_log2_ceil(B);
    d->lc = zki_log2_ceil(d->total);
    d->lh = zki_log2_ceil(H);
    d->lw = zki_log2_ceil(W);
    d->lt = zki_log2_ceil(k);
    return ZKI_OK;
}

size_t zki_concat_rounds(const zki_concat_dims *d) { return d->m + d->lt; }
size_t zki_concat_y_nvars(const zki_concat_dims *d) { return d->lw + d->lh + d->lc + d->lb; }
size_t zki_concat_part_nvars(const zki_concat_dims *d, uint32_t i) { return d->lw + d->lh + d->lcp[i] + d->lb; }

int64_t *zki_concat_forward(const zki_concat_dims *d, const int64_t *const *P)
{
    size_t hw = (size_t)1 << (d->lh + d->lw);
    int64_t *y = calloc(((size_t)d->B << d->lc) * hw, sizeof(int64_t));
    if (!y)
        return NULL;
    for (uint64_t b = 0; b < d->B; b++)
        for (uint32_t i = 0; i < d->k; i++)
            memcpy(y + ((b << d->lc) + d->off[i]) * hw, P[i] + ((b << d->lcp[i]) * hw), sizeof(int64_t) * d->C[i] * hw);
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

/* Part i's point: (r_x, r_y, s[0..lc_i), r_b). */
static void part_point(const zki_concat_dims *d, const zki_ext *r, const zki_ext *s, uint32_t i, zki_ext *out)
{
    size_t xy = d->lw + d->lh;
    memcpy(out, r, sizeof(zki_ext) * xy);
    memcpy(out + xy, s, sizeof(zki_ext) * d->lcp[i]);
    memcpy(out + xy + d->lcp[i], r + xy + d->lc, sizeof(zki_ext) * d->lb);
}

/* prod_{lo <= i < hi} (1 - s_i) */
static zki_ext zero_tail(const zki_ext *s, size_t lo, size_t hi)
{
    zki_ext z = zki_ext_one();
    for (size_t i = lo; i < hi; i++)
        z = zki_ext_mul(z, zki_ext_sub(zki_ext_one(), s[i]));
    return z;
}

/* S as a table over (c: m bits, t: lt bits), from the eq table of r_c. */
static void selector_fill(const zki_concat_dims *d, const zki_ext *er, zki_ext *S)
{
    for (uint32_t t = 0; t < d->k; t++)
        for (uint64_t c = 0; c < d->C[t]; c++)
            S[((size_t)t << d->m) + c] = er[d->off[t] + c];
}

zki_status zki_concat_prove(const zki_concat_dims *d, const int64_t *const *P, const zki_ext *r, zki_ext v,
                            zki_transcript *t, zki_sc_proof *sc, zki_ext *vals, zki_ext *const *points,
                            zki_ext *evals)
{
    memset(sc, 0, sizeof(*sc));
    size_t xy = d->lw + d->lh, n = d->m + d->lt, big = (size_t)1 << n;
    const zki_ext *rc = r + xy, *rb = rc + d->lc;
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
    zki_eq_table(er, rc, d->lc);
    for (uint32_t i = 0; i < d->k; i++)
        channel_evals(T + ((size_t)i << d->m), P[i], d->lcp[i], d, exy, eb);
    selector_fill(d, er, S);
    zki_sc_instance inst;
    memset(&inst, 0, sizeof(inst));
    inst.nvars = n;
    inst.n_tables = 2;
    inst.ext[0] = S;
    inst.ext[1] = T;
    zki_ext ev[2];
    if ((st = zki_sumcheck_prove(&inst, v, t, sc, s, ev)))
        goto out;
    for (uint32_t i = 0; i < d->k; i++) {
        evals[i] = zki_mle_eval_ext(T + ((size_t)i << d->m), d->lcp[i], s);
        part_point(d, r, s, i, points[i]);
        vals[i] = zki_zk_send(t, "concat.part", evals[i]);
    }
out:
    free(exy);
    free(eb);
    free(T);
    free(S);
    free(er);
    free(s);
    if (st)
        zki_sc_proof_free(sc);
    return st;
}

zki_status zki_concat_verify(const zki_concat_dims *d, const zki_ext *r, zki_pv v, const zki_sc_proof *sc,
                             const zki_ext *vals, zki_transcript *t, zki_ext *const *points, zki_pv *out)
{
    size_t xy = d->lw + d->lh, n = d->m + d->lt;
    const zki_ext *rc = r + xy;
    zki_zk *z = t->zk;
    zki_ext *s = malloc(sizeof(zki_ext) * (n + 1)), *k = malloc(sizeof(zki_ext) * d->k);
    zki_ext *er = malloc(sizeof(zki_ext) << d->lc), *es = malloc(sizeof(zki_ext) << d->m);
    zki_ext *et = malloc(sizeof(zki_ext) << d->lt);
    zki_pv fin = zki_pv_pub(zki_ext_zero());
    zki_status st = ZKI_OK;
    if (!s || !k || !er || !es || !et) {
        st = zki_fail(ZKI_ERR_NOMEM, "concat: verifier tables");
        goto out;
    }
    if (zki_sumcheck_verify_pv(n, 2, v, sc, t, s, &fin)) {
        st = zki_fail_ctx(ZKI_ERR_VERIFY, "concat: sum-check");
        goto out;
    }
    for (uint32_t i = 0; i < d->k; i++) {
        part_point(d, r, s, i, points[i]);
        out[i] = zki_zk_recv(t, "concat.part", vals[i]);
    }
    zki_eq_table(er, rc, d->lc);
    zki_eq_table(es, s, d->m);
    zki_eq_table(et, s + d->m, d->lt);
    /* S~(s) = sum_t eq(s_hi, t) sum_{c < C_t} eq(r_c, off_t + c) eq(s_lo, c);
     * T~(s) = sum_t eq(s_hi, t) a_t Z_t */
    zki_ext sel = zki_ext_zero();
    for (uint32_t i = 0; i < d->k; i++) {
        zki_ext_acc a;
        zki_ext_acc_zero(&a);
        for (uint64_t c = 0; c < d->C[i]; c++)
            zki_ext_acc_mac(&a, er[d->off[i] + c], es[c]);
        sel = zki_ext_add(sel, zki_ext_mul(et[i], zki_ext_acc_reduce(&a)));
        k[i] = zki_ext_mul(et[i], zero_tail(s, d->lcp[i], d->m));
    }
    zki_pv tv = zki_pv_lin(z, d->k, k, out);
    if (zki_pv_assert_eq(z, zki_pv_scale(z, tv, sel), fin, "concat: the last round is S~(s) T~(s)")) {
        st = zki_fail(ZKI_ERR_VERIFY, "concat: the sum-check's last round does not match the input claims");
        goto out;
    }
    if (z)
        st = zki_zk_ok(z);
out:
    free(s);
    free(k);
    free(er);
    free(es);
    free(et);
    return st;
}
