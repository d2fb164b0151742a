#include "ops/pool.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "ops/matmul.h"
#include "poly/mle.h"

#define NV_MAX 128

zki_status zki_maxpool_dims_init(zki_maxpool_dims *d, uint64_t B, uint64_t C, uint64_t H, uint64_t W,
                                 uint64_t KH, uint64_t KW, uint64_t sh, uint64_t sw, uint64_t dh,
                                 uint64_t dw, uint64_t pt, uint64_t pl, uint64_t pb, uint64_t pr)
{
    uint64_t all[14] = {B, C, H, W, KH, KW, sh, sw, dh, dw, pt + 1, pl + 1, pb + 1, pr + 1};
    for (int i = 0; i < 14; i++)
        if (all[i] < 1 || all[i] > (1ull << 31))
            return zki_fail(ZKI_ERR_INPUT, "maxpool: size or parameter %d is %llu (want 1 .. 2^31)", i,
                            (unsigned long long)all[i]);
    if (KH * KW > ZKI_MAXPOOL_MAX_WINDOW)
        return zki_fail(ZKI_ERR_INPUT, "maxpool: a %llux%llu window (at most %d elements)",
                        (unsigned long long)KH, (unsigned long long)KW, ZKI_MAXPOOL_MAX_WINDOW);
    uint64_t eh = dh * (KH - 1) + 1, ew = dw * (KW - 1) + 1;
    if (H + pt + pb < eh || W + pl + pr < ew)
        return zki_fail(ZKI_ERR_INPUT, "maxpool: the window exceeds the padded input");
    memset(d, 0, sizeof(*d));
    d->B = B, d->C = C, d->H = H, d->W = W, d->KH = KH, d->KW = KW;
    d->sh = sh, d->sw = sw, d->dh = dh, d->dw = dw;
    d->pt = pt, d->pl = pl, d->pb = pb, d->pr = pr;
    d->OH = (H + pt + pb - eh) / sh + 1;
    d->OW = (W + pl + pr - ew) / sw + 1;
    d->J = (uint32_t)(KH * KW);
    d->lb = zki_log2_ceil(B);
    d->lc = zki_log2_ceil(C);
    d->lh = zki_log2_ceil(H);
    d->lw = zki_log2_ceil(W);
    d->loh = zki_log2_ceil(d->OH);
    d->low = zki_log2_ceil(d->OW);
    return ZKI_OK;
}

size_t zki_maxpool_out_nvars(const zki_maxpool_dims *d) { return d->low + d->loh + d->lc + d->lb; }
size_t zki_maxpool_x_nvars(const zki_maxpool_dims *d) { return d->lw + d->lh + d->lc + d->lb; }

/* window element j of output (oy, ox); pad_value in the padding */
static int64_t xval(const zki_maxpool_dims *d, const int64_t *X, uint64_t bc, uint64_t oy, uint64_t ox,
                    uint32_t j)
{
    uint64_t ky = j / d->KW, kx = j % d->KW;
    int64_t iy = (int64_t)(oy * d->sh + ky * d->dh) - (int64_t)d->pt;
    int64_t ix = (int64_t)(ox * d->sw + kx * d->dw) - (int64_t)d->pl;
    if (iy < 0 || ix < 0 || iy >= (int64_t)d->H || ix >= (int64_t)d->W)
        return d->pad_value;
    return X[(bc * d->H + (uint64_t)iy) * d->W + (uint64_t)ix];
}

zki_status zki_maxpool_forward(const zki_maxpool_dims *d, const int64_t *X, int64_t **Pp, int64_t **Dp)
{
    uint64_t no = d->B * d->C * d->OH * d->OW;
    int64_t *P = malloc(sizeof(int64_t) * no), *D = malloc(sizeof(int64_t) * no * d->J);
    if (!P || !D) {
        free(P);
        free(D);
        return zki_fail(ZKI_ERR_NOMEM, "maxpool: witness of %llu entries", (unsigned long long)no);
    }
    int64_t nbc = (int64_t)(d->B * d->C);
#pragma omp parallel for schedule(static) if (no >= 65536)
    for (int64_t bc = 0; bc < nbc; bc++)
        for (uint64_t oy = 0; oy < d->OH; oy++)
            for (uint64_t ox = 0; ox < d->OW; ox++) {
                uint64_t o = ((uint64_t)bc * d->OH + oy) * d->OW + ox;
                int64_t m = xval(d, X, bc, oy, ox, 0);
                for (uint32_t j = 1; j < d->J; j++)
                    if (xval(d, X, bc, oy, ox, j) > m)
                        m = xval(d, X, bc, oy, ox, j);
                P[o] = m;
                for (uint32_t j = 0; j < d->J; j++)
                    D[j * no + o] = m - xval(d, X, bc, oy, ox, j);
            }
    *Pp = P;
    *Dp = D;
    return ZKI_OK;
}

/* dense [B][C][OH][OW] -> padded base-field table */
static zki_fe *out_table(const zki_maxpool_dims *d, const int64_t *v)
{
    zki_fe *t = calloc((size_t)1 << zki_maxpool_out_nvars(d), sizeof(zki_fe));
    if (!t)
        return NULL;
    for (uint64_t b = 0; b < d->B; b++)
        for (uint64_t c = 0; c < d->C; c++)
            for (uint64_t oy = 0; oy < d->OH; oy++)
                for (uint64_t ox = 0; ox < d->OW; ox++)
                    t[((((b << d->lc) | c) << d->loh | oy) << d->low) | ox] =
                        zki_fe_from_i64(v[((b * d->C + c) * d->OH + oy) * d->OW + ox]);
    return t;
}

/* T~(s) = sum_j alpha^j Ty_j~(s_y) Tx_j~(s_x) (the verifier's side), or the
 * whole table T (the prover's side, when tab != NULL). */
static zki_status index_map(const zki_maxpool_dims *d, const zki_ext *rho, const zki_ext *alpha_pows,
                            const zki_ext *s, zki_ext *value, zki_ext *tab)
{
    size_t nh = (size_t)1 << d->lh, nw = (size_t)1 << d->lw;
    zki_ext *eoy = malloc(sizeof(zki_ext) << d->loh), *eox = malloc(sizeof(zki_ext) << d->low);
    zki_ext *ty = malloc(sizeof(zki_ext) * nh), *tx = malloc(sizeof(zki_ext) * nw);
    zki_ext *esy = malloc(sizeof(zki_ext) * nh), *esx = malloc(sizeof(zki_ext) * nw);
    zki_status st = ZKI_OK;
    if (!eoy || !eox || !ty || !tx || !esy || !esx) {
        st = zki_fail(ZKI_ERR_NOMEM, "maxpool: index map");
        goto out;
    }
    zki_eq_table(eox, rho, d->low);
    zki_eq_table(eoy, rho + d->low, d->loh);
    if (s) {
        zki_eq_table(esx, s, d->lw);
        zki_eq_table(esy, s + d->lw, d->lh);
        *value = zki_ext_zero();
    }
    if (tab)
        for (size_t i = 0; i < nh * nw; i++)
            tab[i] = zki_ext_zero();
    for (uint32_t j = 0; j < d->J; j++) {
        uint64_t ky = j / d->KW, kx = j % d->KW;
        for (size_t i = 0; i < nh; i++)
            ty[i] = zki_ext_zero();
        for (size_t i = 0; i < nw; i++)
            tx[i] = zki_ext_zero();
        for (uint64_t oy = 0; oy < d->OH; oy++) {
            int64_t iy = (int64_t)(oy * d->sh + ky * d->dh) - (int64_t)d->pt;
            if (iy >= 0 && iy < (int64_t)d->H)
                ty[iy] = zki_ext_add(ty[iy], eoy[oy]);
        }
        for (uint64_t ox = 0; ox < d->OW; ox++) {
            int64_t ix = (int64_t)(ox * d->sw + kx * d->dw) - (int64_t)d->pl;
            if (ix >= 0 && ix < (int64_t)d->W)
                tx[ix] = zki_ext_add(tx[ix], eox[ox]);
        }
        if (s) {
            zki_ext_acc ay, ax;
            zki_ext_acc_zero(&ay);
            zki_ext_acc_zero(&ax);
            for (size_t i = 0; i < nh; i++)
                zki_ext_acc_mac(&ay, ty[i], esy[i]);
            for (size_t i = 0; i < nw; i++)
                zki_ext_acc_mac(&ax, tx[i], esx[i]);
            zki_ext v = zki_ext_mul(zki_ext_acc_reduce(&ay), zki_ext_acc_reduce(&ax));
            *value = zki_ext_add(*value, zki_ext_mul(alpha_pows[j], v));
        }
        if (tab)
            for (size_t iy = 0; iy < nh; iy++) {
                zki_ext a = zki_ext_mul(alpha_pows[j], ty[iy]);
                for (size_t ix = 0; ix < nw; ix++)
                    tab[(iy << d->lw) | ix] = zki_ext_add(tab[(iy << d->lw) | ix], zki_ext_mul(a, tx[ix]));
            }
    }
out:
    free(eoy);
    free(eox);
    free(ty);
    free(tx);
    free(esy);
    free(esx);
    return st;
}

static void alpha_powers(zki_ext *pw, zki_ext alpha, uint32_t J, zki_ext *sum)
{
    pw[0] = zki_ext_one();
    *sum = pw[0];
    for (uint32_t j = 1; j < J; j++) {
        pw[j] = zki_ext_mul(pw[j - 1], alpha);
        *sum = zki_ext_add(*sum, pw[j]);
    }
}

/* sum over the real outputs (b < B, c < C, oy < OH, ox < OW) of the
 * indicator that window element j is a pad position, as an MLE at rho:
 * mask_b mask_c (Moy Mox - Iy_j Ix_j), Moy = sum_{oy < OH} eq(rho_oy, oy),
 * Iy_j the same over the oy whose row iy is inside (O(OH + OW) per j). */
static zki_ext pad_indicator(const zki_maxpool_dims *d, const zki_ext *rho, uint32_t j)
{
    const zki_ext *r_ox = rho, *r_oy = rho + d->low, *r_c = r_oy + d->loh, *r_b = r_c + d->lc;
    uint64_t ky = j / d->KW, kx = j % d->KW;
    zki_ext my = zki_ext_zero(), mx = zki_ext_zero(), iy_in = zki_ext_zero(), ix_in = zki_ext_zero();
    for (uint64_t oy = 0; oy < d->OH; oy++) {
        zki_ext e = zki_eq_at(r_oy, d->loh, oy);
        int64_t iy = (int64_t)(oy * d->sh + ky * d->dh) - (int64_t)d->pt;
        my = zki_ext_add(my, e);
        if (iy >= 0 && iy < (int64_t)d->H)
            iy_in = zki_ext_add(iy_in, e);
    }
    for (uint64_t ox = 0; ox < d->OW; ox++) {
        zki_ext e = zki_eq_at(r_ox, d->low, ox);
        int64_t ix = (int64_t)(ox * d->sw + kx * d->dw) - (int64_t)d->pl;
        mx = zki_ext_add(mx, e);
        if (ix >= 0 && ix < (int64_t)d->W)
            ix_in = zki_ext_add(ix_in, e);
    }
    zki_ext in = zki_ext_sub(zki_ext_mul(my, mx), zki_ext_mul(iy_in, ix_in));
    return zki_ext_mul(in, zki_ext_mul(zki_rows_mask_eval(r_c, d->lc, d->C), zki_rows_mask_eval(r_b, d->lb, d->B)));
}

/* (sum_j alpha^j) p - sum_j alpha^j d_j - pad_value sum_j alpha^j pad_j~(rho):
 * what sum_j alpha^j X_j~(rho) (in-range elements only) must be (on the
 * prover's values as public ones, or the verifier's private values) */
static zki_pv link_target(zki_zk *z, const zki_maxpool_dims *d, zki_pv p, const zki_pv *dv, const zki_ext *rho,
                          const zki_ext *pw, zki_ext psum)
{
    zki_ext k[ZKI_MAXPOOL_MAX_WINDOW + 1], pad = zki_ext_zero();
    zki_pv a[ZKI_MAXPOOL_MAX_WINDOW + 1];
    k[0] = psum, a[0] = p;
    for (uint32_t j = 0; j < d->J; j++) {
        k[j + 1] = zki_ext_neg(pw[j]), a[j + 1] = dv[j];
        if (d->pad_value && (d->pt || d->pl || d->pb || d->pr))
            pad = zki_ext_add(pad, zki_ext_mul(zki_ext_mul(pw[j], pad_indicator(d, rho, j)),
                                               zki_ext_from_fe(zki_fe_from_i64(d->pad_value))));
    }
    return zki_pv_sub(z, zki_pv_lin(z, d->J + 1, k, a), zki_pv_pub(pad));
}

static void x_point_of(const zki_maxpool_dims *d, const zki_ext *rho, const zki_ext *s, zki_ext *xp)
{
    size_t l2 = d->lw + d->lh;
    memcpy(xp, s, sizeof(zki_ext) * l2);
    memcpy(xp + l2, rho + d->low + d->loh, sizeof(zki_ext) * (d->lc + d->lb));
}

zki_status zki_maxpool_prove(const zki_maxpool_dims *d, const int64_t *X, const int64_t *P,
                             const int64_t *D, zki_transcript *t, zki_maxpool_proof *pf,
                             zki_ext *rho, zki_ext *x_point, zki_maxpool_evals *mev)
{
    memset(pf, 0, sizeof(*pf));
    size_t n = zki_maxpool_out_nvars(d), n2 = d->lw + d->lh;
    uint64_t no = d->B * d->C * d->OH * d->OW;
    zki_fe *Dt[ZKI_MAXPOOL_MAX_WINDOW] = {0}, *Pt = NULL;
    zki_ext tau[NV_MAX], s[NV_MAX], ev[ZKI_MAXPOOL_MAX_WINDOW], pw[ZKI_MAXPOOL_MAX_WINDOW], psum;
    zki_ext *eqb = NULL, *eqc = NULL, *Xp = NULL, *T = NULL;
    zki_status st = ZKI_OK;
    if (n > NV_MAX || n2 > NV_MAX)
        return zki_fail(ZKI_ERR_INPUT, "maxpool: too many variables");
    for (uint32_t j = 0; j < d->J; j++)
        if (!(Dt[j] = out_table(d, D + j * no))) {
            st = zki_fail(ZKI_ERR_NOMEM, "maxpool: tables");
            goto out;
        }
    if (!(Pt = out_table(d, P))) {
        st = zki_fail(ZKI_ERR_NOMEM, "maxpool: tables");
        goto out;
    }
    /* 1. zero-check */
    zki_ts_challenge_ext_vec(t, "mp.tau", tau, n);
    if (n == 0) {
        pf->zc.degree = d->J + 1;
        for (uint32_t j = 0; j < d->J; j++)
            ev[j] = zki_ext_from_fe(Dt[j][0]);
    } else {
        zki_sc_instance inst;
        memset(&inst, 0, sizeof(inst));
        inst.nvars = n;
        inst.n_tables = d->J;
        for (uint32_t j = 0; j < d->J; j++)
            inst.base[j] = Dt[j];
        inst.eq_point = tau;
        if ((st = zki_sumcheck_prove(&inst, zki_ext_zero(), t, &pf->zc, rho, ev)))
            goto out;
    }
    zki_pv dv[ZKI_MAXPOOL_MAX_WINDOW];
    for (uint32_t j = 0; j < d->J; j++) {
        mev->d[j] = ev[j];
        dv[j] = zki_pv_pub(ev[j]);
        pf->d_eval[j] = zki_zk_send(t, "mp.d", ev[j]);
    }
    mev->p = zki_mle_eval_base(Pt, n, rho);
    pf->p_eval = zki_zk_send(t, "mp.p", mev->p);
    /* 2. link */
    alpha_powers(pw, zki_ts_challenge_ext(t, "mp.alpha"), d->J, &psum);
    eqb = malloc(sizeof(zki_ext) << d->lb);
    eqc = malloc(sizeof(zki_ext) << d->lc);
    Xp = calloc((size_t)1 << n2, sizeof(zki_ext));
    T = malloc(sizeof(zki_ext) << n2);
    if (!eqb || !eqc || !Xp || !T) {
        st = zki_fail(ZKI_ERR_NOMEM, "maxpool: link tables");
        goto out;
    }
    zki_eq_table(eqc, rho + d->low + d->loh, d->lc);
    zki_eq_table(eqb, rho + d->low + d->loh + d->lc, d->lb);
    for (uint64_t b = 0; b < d->B; b++)
        for (uint64_t c = 0; c < d->C; c++) {
            zki_ext e = zki_ext_mul(eqb[b], eqc[c]);
            for (uint64_t iy = 0; iy < d->H; iy++)
                for (uint64_t ix = 0; ix < d->W; ix++) {
                    size_t k = ((size_t)iy << d->lw) | ix;
                    zki_fe x = zki_fe_from_i64(X[((b * d->C + c) * d->H + iy) * d->W + ix]);
                    Xp[k] = zki_ext_add(Xp[k], zki_ext_scale(e, x));
                }
        }
    if ((st = index_map(d, rho, pw, NULL, NULL, T)))
        goto out;
    zki_ext target = link_target(NULL, d, zki_pv_pub(mev->p), dv, rho, pw, psum).c, e2[2];
    if (n2 == 0) {
        pf->sc.degree = 2;
        e2[0] = Xp[0];
    } else {
        zki_sc_instance inst;
        memset(&inst, 0, sizeof(inst));
        inst.nvars = n2;
        inst.n_tables = 2;
        inst.ext[0] = Xp;
        inst.ext[1] = T;
        if ((st = zki_sumcheck_prove(&inst, target, t, &pf->sc, s, e2)))
            goto out;
    }
    mev->x = e2[0];
    pf->x_eval = zki_zk_send(t, "mp.x", e2[0]);
    x_point_of(d, rho, s, x_point);
out:
    for (uint32_t j = 0; j < ZKI_MAXPOOL_MAX_WINDOW; j++)
        free(Dt[j]);
    free(Pt);
    free(eqb);
    free(eqc);
    free(Xp);
    free(T);
    if (st)
        zki_maxpool_proof_free(pf);
    return st;
}

static zki_status sc_check(const char *what, size_t nvars, unsigned degree, zki_pv claim,
                           const zki_sc_proof *p, zki_transcript *t, zki_ext *point, zki_pv *fin)
{
    if (p->nvars != nvars || p->degree != degree)
        return zki_fail(ZKI_ERR_VERIFY, "maxpool: %s has %zu rounds of degree %u, want %zu of %u", what,
                        p->nvars, p->degree, nvars, degree);
    *fin = claim;
    if (!nvars)
        return ZKI_OK;
    zki_status st = zki_sumcheck_verify_pv(nvars, degree, claim, p, t, point, fin);
    if (st)
        return st == ZKI_ERR_INPUT ? zki_fail_ctx(ZKI_ERR_VERIFY, "maxpool: %s", what) : st;
    return ZKI_OK;
}

zki_status zki_maxpool_verify(const zki_maxpool_dims *d, const zki_maxpool_proof *pf, zki_transcript *t,
                              zki_ext *rho, zki_ext *x_point, zki_maxpool_claims *out)
{
    size_t n = zki_maxpool_out_nvars(d), n2 = d->lw + d->lh;
    zki_ext tau[NV_MAX], s[NV_MAX], pw[ZKI_MAXPOOL_MAX_WINDOW], psum;
    zki_pv fin;
    zki_zk *z = t->zk;
    if (n > NV_MAX || n2 > NV_MAX)
        return zki_fail(ZKI_ERR_INPUT, "maxpool: too many variables");
    zki_ts_challenge_ext_vec(t, "mp.tau", tau, n);
    zki_status st = sc_check("zero-check", n, d->J + 1, zki_pv_pub(zki_ext_zero()), &pf->zc, t, rho, &fin);
    if (st)
        return st;
    for (uint32_t j = d->J; j < ZKI_MAXPOOL_MAX_WINDOW; j++)
        if (!zki_ext_is_zero(pf->d_eval[j]))
            return zki_fail(ZKI_ERR_VERIFY, "maxpool: a difference beyond the window");
    for (uint32_t j = 0; j < d->J; j++)
        out->d[j] = zki_zk_recv(t, "mp.d", pf->d_eval[j]);
    if (zki_sumcheck_check_final_pv(tau, rho, n, out->d, d->J, fin, t))
        return zki_fail(ZKI_ERR_VERIFY, "maxpool: the window differences' product is not zero");
    out->p = zki_zk_recv(t, "mp.p", pf->p_eval);
    alpha_powers(pw, zki_ts_challenge_ext(t, "mp.alpha"), d->J, &psum);
    if ((st = sc_check("link", n2, 2, link_target(z, d, out->p, out->d, rho, pw, psum), &pf->sc, t, s, &fin)))
        return st;
    zki_ext tv = zki_ext_zero();
    if ((st = index_map(d, rho, pw, s, &tv, NULL)))
        return st;
    out->x = zki_zk_recv(t, "mp.x", pf->x_eval);
    if (zki_pv_assert_eq(z, fin, zki_pv_scale(z, out->x, tv), "maxpool: the link's final value is x * index map"))
        return zki_fail(ZKI_ERR_VERIFY, "maxpool: the link ends off x * index map");
    x_point_of(d, rho, s, x_point);
    return z ? zki_zk_ok(z) : ZKI_OK;
}

void zki_maxpool_proof_free(zki_maxpool_proof *p)
{
    if (!p)
        return;
    zki_sc_proof_free(&p->zc);
    zki_sc_proof_free(&p->sc);
    memset(p, 0, sizeof(*p));
}
