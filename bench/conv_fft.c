#include "conv_fft.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "ntt/ntt.h"
#include "ops/matmul.h"
#include "poly/mle.h"

#define LIM (1ull << 20)
#define NV_MAX 64

zki_status zki_conv_fft_dims_init(zki_conv_fft_dims *d, uint64_t C, uint64_t H, uint64_t W,
                                  uint64_t OC, uint64_t K, uint64_t P, int full_linear)
{
    if (!d)
        return zki_fail(ZKI_ERR_INPUT, "conv_fft: no dims");
    uint64_t all[6] = {C, H, W, OC, K, P + 1};
    for (int i = 0; i < 6; i++)
        if (all[i] < 1 || all[i] > LIM)
            return zki_fail(ZKI_ERR_INPUT, "conv_fft: size %d is %llu (want 1 .. 2^20)", i,
                            (unsigned long long)all[i]);
    uint64_t Hp = H + 2 * P, Wp = W + 2 * P;
    if (Hp < K || Wp < K)
        return zki_fail(ZKI_ERR_INPUT, "conv_fft: kernel %llu exceeds the padded input",
                        (unsigned long long)K);
    uint64_t need = Hp * Wp + (full_linear ? (K - 1) * Wp + K - 1 : 0);
    size_t n = zki_log2_ceil(need);
    if (n < 1)
        n = 1;
    if (n > 26)
        return zki_fail(ZKI_ERR_INPUT, "conv_fft: NTT size 2^%zu too large", n);
    memset(d, 0, sizeof(*d));
    d->C = C, d->H = H, d->W = W, d->OC = OC, d->K = K, d->P = P;
    d->Hp = Hp, d->Wp = Wp, d->OH = Hp - K + 1, d->OW = Wp - K + 1;
    d->n = n, d->N = (uint64_t)1 << n;
    d->lc = zki_log2_ceil(C), d->lh = zki_log2_ceil(H), d->lw = zki_log2_ceil(W);
    d->loc = zki_log2_ceil(OC), d->loh = zki_log2_ceil(d->OH), d->low = zki_log2_ceil(d->OW);
    d->lk = zki_log2_ceil(K);
    return ZKI_OK;
}

size_t zki_conv_fft_acc_nvars(const zki_conv_fft_dims *d) { return d->low + d->loh + d->loc; }
size_t zki_conv_fft_x_nvars(const zki_conv_fft_dims *d) { return d->lw + d->lh + d->lc; }
size_t zki_conv_fft_w_nvars(const zki_conv_fft_dims *d) { return 2 * d->lk + d->lc + d->loc; }

size_t zki_conv_fft_proof_elems(const zki_conv_fft_proof *p)
{
    return p->sc_out.nvars * p->sc_out.degree + p->sc_had.nvars * p->sc_had.degree +
           p->sc_x.nvars * p->sc_x.degree + p->sc_w.nvars * p->sc_w.degree + 5;
}

static int64_t wget(const void *W, int w_bits, uint64_t i)
{
    return w_bits == 8 ? ((const int8_t *)W)[i] : ((const int16_t *)W)[i];
}

/* Position of the output (oy, ox) in the flattened product; of the input
 * (y, x) in the padded, flattened input; of the flipped kernel tap. */
static uint64_t pos_out(const zki_conv_fft_dims *d, uint64_t oy, uint64_t ox)
{
    return (oy + d->K - 1) * d->Wp + ox + d->K - 1;
}
static uint64_t pos_in(const zki_conv_fft_dims *d, uint64_t y, uint64_t x)
{
    return (y + d->P) * d->Wp + x + d->P;
}
static uint64_t pos_ker(const zki_conv_fft_dims *d, uint64_t ky, uint64_t kx)
{
    return (d->K - 1 - ky) * d->Wp + d->K - 1 - kx;
}

/* g[t] = sum_f eq(u, f) w^(f t) = prod_i (1 - u_i + u_i w^(2^i t)) for all
 * t < 2^n (w^-1 when inverse). Factor i depends on t mod 2^(n-i) only, so
 * level m = n - i extends the table from 2^(m-1) to 2^m entries: O(N). */
static void row_table(zki_ext *g, const zki_ext *u, size_t n, int inverse)
{
    zki_fe w = zki_fe_root_of_unity((unsigned)n);
    if (inverse)
        w = zki_fe_inv(w);
    zki_fe roots[64];
    roots[n] = w; /* roots[m]: a primitive 2^m-th root, the square of roots[m+1] */
    for (size_t m = n; m > 0; m--)
        roots[m - 1] = zki_fe_mul(roots[m], roots[m]);
    g[0] = zki_ext_one();
    for (size_t m = 1; m <= n; m++) {
        size_t half = (size_t)1 << (m - 1);
        zki_ext ui = u[n - m], om = zki_ext_sub(zki_ext_one(), ui);
        zki_fe pw = zki_fe_pow(roots[m], half); /* roots[m]^t for t = half .. */
        for (size_t t = half; t < 2 * half; t++) {
            g[t] = zki_ext_mul(g[t - half], zki_ext_add(om, zki_ext_scale(ui, pw)));
            pw = zki_fe_mul(pw, roots[m]);
        }
        pw = 1;
        for (size_t t = 0; t < half; t++) {
            g[t] = zki_ext_mul(g[t], zki_ext_add(om, zki_ext_scale(ui, pw)));
            pw = zki_fe_mul(pw, roots[m]);
        }
    }
}

/* NTT of an extension vector: the two coordinates separately (the
 * twiddles are in the base field). tmp has 2N entries. */
static zki_status ntt_ext(zki_ext *a, size_t N, int inverse, zki_fe *tmp)
{
    for (size_t i = 0; i < N; i++)
        tmp[i] = a[i].c0, tmp[N + i] = a[i].c1;
    zki_status st = inverse ? zki_ntt_inverse(tmp, N) : zki_ntt_forward(tmp, N);
    if (!st)
        st = inverse ? zki_ntt_inverse(tmp + N, N) : zki_ntt_forward(tmp + N, N);
    for (size_t i = 0; i < N; i++)
        a[i] = zki_ext_make(tmp[i], tmp[N + i]);
    return st;
}

/* Sum-check over a product of tables that also allows zero variables. */
static zki_status sc_prove(zki_sc_instance *inst, zki_ext claim, zki_transcript *t,
                           zki_sc_proof *proof, zki_ext *point, zki_ext *evals)
{
    if (inst->nvars == 0) {
        proof->nvars = 0;
        proof->degree = inst->n_tables;
        proof->msgs = NULL;
        for (unsigned j = 0; j < inst->n_tables; j++)
            evals[j] = inst->base[j] ? zki_ext_from_fe(inst->base[j][0]) : inst->ext[j][0];
        return ZKI_OK;
    }
    return zki_sumcheck_prove(inst, claim, t, proof, point, evals);
}

static zki_status sc_verify(const char *what, size_t nvars, unsigned degree, zki_ext claim,
                            const zki_sc_proof *proof, zki_transcript *t, zki_ext *point,
                            zki_ext *final_value)
{
    if (proof->nvars != nvars || proof->degree != degree)
        return zki_fail(ZKI_ERR_VERIFY, "conv_fft: %s has %zu rounds of degree %u, want %zu of %u",
                        what, proof->nvars, proof->degree, nvars, degree);
    *final_value = claim;
    if (nvars == 0)
        return ZKI_OK;
    zki_status st = zki_sumcheck_verify(nvars, degree, claim, proof, t, point, final_value);
    if (st)
        return st == ZKI_ERR_INPUT
                   ? zki_fail_ctx(ZKI_ERR_VERIFY, "conv_fft: %s", what)
                   : st;
    return ZKI_OK;
}

/* Xhat[ic][f] for ic < C (rows C .. 2^lc stay zero). */
static zki_status x_hat(const zki_conv_fft_dims *d, const int64_t *X, zki_fe *Xh)
{
    size_t N = d->N;
    int bad = 0;
    int64_t nc = (int64_t)d->C;
#pragma omp parallel for schedule(static) reduction(| : bad)
    for (int64_t ic = 0; ic < nc; ic++) {
        zki_fe *row = Xh + (size_t)ic * N;
        memset(row, 0, sizeof(zki_fe) * N);
        for (uint64_t y = 0; y < d->H; y++)
            for (uint64_t x = 0; x < d->W; x++)
                row[pos_in(d, y, x)] = zki_fe_from_i64(X[((uint64_t)ic * d->H + y) * d->W + x]);
        bad |= zki_ntt_forward(row, N) != ZKI_OK;
    }
    return bad ? zki_fail(ZKI_ERR_INPUT, "conv_fft: NTT of size %zu", N) : ZKI_OK;
}

static zki_fe w_fe(const void *W, int w_bits, uint64_t i) { return zki_fe_from_i64(wget(W, w_bits, i)); }

static int64_t fe_signed(zki_fe v) { return v > ZKI_P / 2 ? -(int64_t)(ZKI_P - v) : (int64_t)v; }

zki_status zki_conv_fft_forward(const zki_conv_fft_dims *d, const int64_t *X, const void *W,
                                int w_bits, int64_t **Yp)
{
    if (w_bits != 8 && w_bits != 16)
        return zki_fail(ZKI_ERR_INPUT, "conv_fft: weight bits %d (8 or 16)", w_bits);
    size_t N = d->N, KK = d->K * d->K;
    zki_fe *Xh = malloc(sizeof(zki_fe) * N * d->C);
    int64_t *Y = malloc(sizeof(int64_t) * d->OC * d->OH * d->OW);
    if (!Xh || !Y) {
        free(Xh);
        free(Y);
        return zki_fail(ZKI_ERR_NOMEM, "conv_fft: forward buffers");
    }
    zki_status st = x_hat(d, X, Xh);
    int bad = 0;
    int64_t noc = (int64_t)d->OC;
#pragma omp parallel for schedule(dynamic) reduction(| : bad)
    for (int64_t oc = 0; oc < noc; oc++) {
        zki_fe *acc = calloc(N, sizeof(zki_fe)), *wh = malloc(sizeof(zki_fe) * N);
        if (!acc || !wh || st) {
            bad |= 1;
            free(acc);
            free(wh);
            continue;
        }
        for (uint64_t ic = 0; ic < d->C; ic++) {
            /* What[oc][ic]: the per-pair transform zkCNN's forward needs */
            memset(wh, 0, sizeof(zki_fe) * N);
            for (uint64_t ky = 0; ky < d->K; ky++)
                for (uint64_t kx = 0; kx < d->K; kx++)
                    wh[pos_ker(d, ky, kx)] =
                        w_fe(W, w_bits, ((uint64_t)oc * d->C + ic) * KK + ky * d->K + kx);
            bad |= zki_ntt_forward(wh, N) != ZKI_OK;
            const zki_fe *xr = Xh + ic * N;
            for (size_t f = 0; f < N; f++)
                acc[f] = zki_fe_add(acc[f], zki_fe_mul(xr[f], wh[f]));
        }
        bad |= zki_ntt_inverse(acc, N) != ZKI_OK;
        for (uint64_t oy = 0; oy < d->OH; oy++)
            for (uint64_t ox = 0; ox < d->OW; ox++)
                Y[((uint64_t)oc * d->OH + oy) * d->OW + ox] = fe_signed(acc[pos_out(d, oy, ox)]);
        free(acc);
        free(wh);
    }
    free(Xh);
    if (st || bad) {
        free(Y);
        return st ? st : zki_fail(ZKI_ERR_NOMEM, "conv_fft: forward per-channel buffers");
    }
    *Yp = Y;
    return ZKI_OK;
}

/* The Hadamard sum-check's eq point (a, 1/2, .., 1/2): eq(1/2, x) = 1/2 for
 * x in {0, 1}, so its eq factor is eq(a, f) / 2^lc whatever ic is. */
static void had_point(zki_ext *ah, const zki_ext *a, size_t n, size_t lc)
{
    zki_ext half = zki_ext_from_fe(zki_fe_inv(2));
    memcpy(ah, a, sizeof(zki_ext) * n);
    for (size_t i = 0; i < lc; i++)
        ah[n + i] = half;
}

static zki_ext had_claim(zki_ext yr, size_t lc)
{
    return zki_ext_scale(yr, zki_fe_inv(zki_fe_from_u64((uint64_t)1 << lc)));
}

/* x_point = (c, b_ic); w_point = (d, b_ic, r_oc). */
static void out_points(const zki_conv_fft_dims *d, const zki_ext *r_acc, const zki_ext *pb,
                       const zki_ext *pc, const zki_ext *pd, zki_ext *x_point, zki_ext *w_point)
{
    size_t lxy = d->lw + d->lh, lk2 = 2 * d->lk;
    memcpy(x_point, pc, sizeof(zki_ext) * lxy);
    memcpy(x_point + lxy, pb + d->n, sizeof(zki_ext) * d->lc);
    memcpy(w_point, pd, sizeof(zki_ext) * lk2);
    memcpy(w_point + lk2, pb + d->n, sizeof(zki_ext) * d->lc);
    memcpy(w_point + lk2 + d->lc, r_acc + d->low + d->loh, sizeof(zki_ext) * d->loc);
}

zki_status zki_conv_fft_prove(const zki_conv_fft_dims *d, const int64_t *X, const void *W,
                              int w_bits, const zki_ext *r_acc, zki_ext v, zki_transcript *t,
                              zki_conv_fft_proof *proof, zki_ext *x_point, zki_ext *w_point)
{
    memset(proof, 0, sizeof(*proof));
    if (w_bits != 8 && w_bits != 16)
        return zki_fail(ZKI_ERR_INPUT, "conv_fft: weight bits %d (8 or 16)", w_bits);
    size_t N = d->N, n = d->n, Cp = (size_t)1 << d->lc, KK = d->K * d->K;
    size_t lkk = zki_log2_ceil(d->C * KK), nxy = (size_t)1 << (d->lw + d->lh);
    size_t nkk = (size_t)1 << (2 * d->lk);
    if (n + d->lc > NV_MAX || d->lw + d->lh > NV_MAX || 2 * d->lk > NV_MAX)
        return zki_fail(ZKI_ERR_INPUT, "conv_fft: too many variables");
    const zki_ext *r_ox = r_acc, *r_oy = r_acc + d->low, *r_oc = r_oy + d->loh;
    zki_ext *eqoy = malloc(sizeof(zki_ext) << d->loh), *eqox = malloc(sizeof(zki_ext) << d->low);
    zki_ext *eqoc = malloc(sizeof(zki_ext) << d->loc), *eqic = malloc(sizeof(zki_ext) * Cp);
    zki_ext *G = calloc(N, sizeof(zki_ext)), *Yr = malloc(sizeof(zki_ext) * N);
    zki_ext *g = malloc(sizeof(zki_ext) * N), *Wo = malloc(sizeof(zki_ext) << lkk);
    zki_ext *Wr = calloc(Cp * N, sizeof(zki_ext));
    zki_ext *Xc = calloc(nxy, sizeof(zki_ext)), *Ax = calloc(nxy, sizeof(zki_ext));
    zki_ext *Wc = calloc(nkk, sizeof(zki_ext)), *Aw = calloc(nkk, sizeof(zki_ext));
    zki_fe *Xh = calloc(Cp * N, sizeof(zki_fe)), *tmp = malloc(sizeof(zki_fe) * 2 * N);
    zki_ext pa[NV_MAX], pb[NV_MAX], pc[NV_MAX], pd[NV_MAX], ev[3];
    zki_sc_instance inst;
    zki_status st = ZKI_OK;
    if (!eqoy || !eqox || !eqoc || !eqic || !G || !Yr || !g || !Wo || !Wr || !Xc || !Ax ||
        !Wc || !Aw || !Xh || !tmp) {
        st = zki_fail(ZKI_ERR_NOMEM, "conv_fft: prover buffers (N = %zu, C = %llu)", N,
                      (unsigned long long)d->C);
        goto out;
    }
    zki_eq_table(eqoy, r_oy, d->loh);
    zki_eq_table(eqox, r_ox, d->low);
    zki_eq_table(eqoc, r_oc, d->loc);

    /* 1. G = INTT(S), S the crop selector; Yr = sum_ic Xhat[ic] Wr[ic] */
    for (uint64_t oy = 0; oy < d->OH; oy++)
        for (uint64_t ox = 0; ox < d->OW; ox++)
            G[pos_out(d, oy, ox)] = zki_ext_mul(eqoy[oy], eqox[ox]);
    if ((st = ntt_ext(G, N, 1, tmp)))
        goto out;
    if ((st = x_hat(d, X, Xh)))
        goto out;
    /* Wo[ic][ky][kx] = sum_oc eq(r_oc, oc) W[oc][ic][ky][kx]: folded first */
    if (w_bits == 8)
        zki_fold_rows_i8(Wo, (const int8_t *)W, d->OC, d->C * KK, d->C * KK, lkk, eqoc);
    else
        zki_fold_rows_i16(Wo, (const int16_t *)W, d->OC, d->C * KK, d->C * KK, lkk, eqoc);
    int bad = 0;
    int64_t nc = (int64_t)d->C;
#pragma omp parallel for schedule(static) reduction(| : bad)
    for (int64_t ic = 0; ic < nc; ic++) {
        zki_fe *tt = malloc(sizeof(zki_fe) * 2 * N);
        if (!tt) {
            bad |= 1;
            continue;
        }
        zki_ext *row = Wr + (size_t)ic * N;
        for (uint64_t ky = 0; ky < d->K; ky++)
            for (uint64_t kx = 0; kx < d->K; kx++)
                row[pos_ker(d, ky, kx)] = Wo[(uint64_t)ic * KK + ky * d->K + kx];
        bad |= ntt_ext(row, N, 0, tt) != ZKI_OK;
        free(tt);
    }
    if (bad) {
        st = zki_fail(ZKI_ERR_NOMEM, "conv_fft: weight transforms");
        goto out;
    }
    int64_t nN = (int64_t)N;
#pragma omp parallel for schedule(static)
    for (int64_t f = 0; f < nN; f++) {
        zki_ext_acc a;
        zki_ext_acc_zero(&a);
        for (uint64_t ic = 0; ic < d->C; ic++)
            zki_ext_acc_mac_fe(&a, Xh[ic * N + (size_t)f], Wr[ic * N + (size_t)f]);
        Yr[f] = zki_ext_acc_reduce(&a);
    }
    memset(&inst, 0, sizeof(inst));
    inst.nvars = n, inst.n_tables = 2, inst.ext[0] = G, inst.ext[1] = Yr;
    if ((st = sc_prove(&inst, v, t, &proof->sc_out, pa, ev)))
        goto out;
    proof->yr = ev[1];
    zki_ts_absorb_ext(t, "cf.yr", proof->yr);

    /* 2. Hadamard over (f, ic): eq(a, f) = 2^lc eq((a, 1/2 ..), (f, ic)),
     * so the engine's eq factor serves and no eq table is built */
    zki_ext ah[NV_MAX];
    had_point(ah, pa, n, d->lc);
    memset(&inst, 0, sizeof(inst));
    inst.nvars = n + d->lc, inst.n_tables = 2, inst.eq_point = ah;
    inst.base[0] = Xh, inst.ext[1] = Wr;
    if ((st = sc_prove(&inst, had_claim(proof->yr, d->lc), t, &proof->sc_had, pb, ev)))
        goto out;
    proof->xh = ev[0], proof->wh = ev[1];
    zki_ts_absorb_ext(t, "cf.xh", proof->xh);
    zki_ts_absorb_ext(t, "cf.wh", proof->wh);

    /* 3. X transform over (y, x): X folded over ic at b_ic, the map g_b */
    row_table(g, pb, n, 0);
    zki_eq_table(eqic, pb + n, d->lc);
    int64_t nH = (int64_t)d->H;
#pragma omp parallel for schedule(static)
    for (int64_t y = 0; y < nH; y++)
        for (uint64_t x = 0; x < d->W; x++) {
            zki_ext_acc a;
            zki_ext_acc_zero(&a);
            for (uint64_t ic = 0; ic < d->C; ic++)
                zki_ext_acc_mac_fe(&a, zki_fe_from_i64(X[(ic * d->H + (uint64_t)y) * d->W + x]),
                                   eqic[ic]);
            size_t j = ((size_t)y << d->lw) | x;
            Xc[j] = zki_ext_acc_reduce(&a);
            Ax[j] = g[pos_in(d, (uint64_t)y, x)];
        }
    memset(&inst, 0, sizeof(inst));
    inst.nvars = d->lw + d->lh, inst.n_tables = 2, inst.ext[0] = Xc, inst.ext[1] = Ax;
    if ((st = sc_prove(&inst, proof->xh, t, &proof->sc_x, pc, ev)))
        goto out;
    proof->x_eval = ev[0];
    zki_ts_absorb_ext(t, "cf.x", proof->x_eval);

    /* 4. W transform over (ky, kx): Wo folded over ic at b_ic, the map g_b */
    for (uint64_t ky = 0; ky < d->K; ky++)
        for (uint64_t kx = 0; kx < d->K; kx++) {
            zki_ext_acc a;
            zki_ext_acc_zero(&a);
            for (uint64_t ic = 0; ic < d->C; ic++)
                zki_ext_acc_mac(&a, Wo[ic * KK + ky * d->K + kx], eqic[ic]);
            size_t j = ((size_t)ky << d->lk) | kx;
            Wc[j] = zki_ext_acc_reduce(&a);
            Aw[j] = g[pos_ker(d, ky, kx)];
        }
    memset(&inst, 0, sizeof(inst));
    inst.nvars = 2 * d->lk, inst.n_tables = 2, inst.ext[0] = Wc, inst.ext[1] = Aw;
    if ((st = sc_prove(&inst, proof->wh, t, &proof->sc_w, pd, ev)))
        goto out;
    proof->w_eval = ev[0];
    zki_ts_absorb_ext(t, "cf.w", proof->w_eval);
    out_points(d, r_acc, pb, pc, pd, x_point, w_point);
out:
    free(eqoy);
    free(eqox);
    free(eqoc);
    free(eqic);
    free(G);
    free(Yr);
    free(g);
    free(Wo);
    free(Wr);
    free(Xc);
    free(Ax);
    free(Wc);
    free(Aw);
    free(Xh);
    free(tmp);
    if (st)
        zki_conv_fft_proof_free(proof);
    return st;
}

zki_status zki_conv_fft_verify(const zki_conv_fft_dims *d, const zki_ext *r_acc, zki_ext v,
                               const zki_conv_fft_proof *proof, zki_transcript *t,
                               zki_ext *x_point, zki_ext *w_point)
{
    size_t N = d->N, n = d->n;
    if (n + d->lc > NV_MAX || d->lw + d->lh > NV_MAX || 2 * d->lk > NV_MAX)
        return zki_fail(ZKI_ERR_INPUT, "conv_fft: too many variables");
    const zki_ext *r_ox = r_acc, *r_oy = r_acc + d->low;
    zki_ext pa[NV_MAX], pb[NV_MAX], pc[NV_MAX], pd[NV_MAX], fin;
    zki_ext *g = malloc(sizeof(zki_ext) * N);
    size_t le = d->loh > d->low ? d->loh : d->low;
    le = le > d->lh ? le : d->lh;
    le = le > d->lw ? le : d->lw;
    le = le > d->lk ? le : d->lk;
    zki_ext *e1 = malloc(sizeof(zki_ext) << le), *e2 = malloc(sizeof(zki_ext) << le);
    zki_status st = ZKI_OK;
    if (!g || !e1 || !e2) {
        st = zki_fail(ZKI_ERR_NOMEM, "conv_fft: verifier tables (N = %zu)", N);
        goto out;
    }
    /* 1. G~(a) = (1/N) sum_{oy,ox} eq eq g'_a(pos): the crop and the INTT */
    if ((st = sc_verify("crop/INTT sum-check", n, 2, v, &proof->sc_out, t, pa, &fin)))
        goto out;
    row_table(g, pa, n, 1);
    zki_eq_table(e1, r_oy, d->loh);
    zki_eq_table(e2, r_ox, d->low);
    zki_ext_acc acc;
    zki_ext_acc_zero(&acc);
    for (uint64_t oy = 0; oy < d->OH; oy++) {
        zki_ext_acc row;
        zki_ext_acc_zero(&row);
        for (uint64_t ox = 0; ox < d->OW; ox++)
            zki_ext_acc_mac(&row, e2[ox], g[pos_out(d, oy, ox)]);
        zki_ext_acc_mac(&acc, e1[oy], zki_ext_acc_reduce(&row));
    }
    zki_ext Gv = zki_ext_scale(zki_ext_acc_reduce(&acc), zki_fe_inv(zki_fe_from_u64(N)));
    if (!zki_ext_eq(fin, zki_ext_mul(Gv, proof->yr))) {
        st = zki_fail(ZKI_ERR_VERIFY, "conv_fft: crop/INTT sum-check ends off G * yr");
        goto out;
    }
    zki_ts_absorb_ext(t, "cf.yr", proof->yr);
    /* 2. Hadamard */
    zki_ext ah[NV_MAX];
    had_point(ah, pa, n, d->lc);
    if ((st = sc_verify("Hadamard sum-check", n + d->lc, 3, had_claim(proof->yr, d->lc),
                        &proof->sc_had, t, pb, &fin)))
        goto out;
    zki_ext want = zki_ext_mul(zki_eq_eval(ah, pb, n + d->lc), zki_ext_mul(proof->xh, proof->wh));
    if (!zki_ext_eq(fin, want)) {
        st = zki_fail(ZKI_ERR_VERIFY, "conv_fft: Hadamard sum-check ends off eq * xh * wh");
        goto out;
    }
    zki_ts_absorb_ext(t, "cf.xh", proof->xh);
    zki_ts_absorb_ext(t, "cf.wh", proof->wh);
    /* 3. X transform: the pad/flatten map evaluated here */
    if ((st = sc_verify("X transform sum-check", d->lw + d->lh, 2, proof->xh, &proof->sc_x, t,
                        pc, &fin)))
        goto out;
    row_table(g, pb, n, 0);
    zki_eq_table(e1, pc + d->lw, d->lh);
    zki_eq_table(e2, pc, d->lw);
    zki_ext_acc_zero(&acc);
    for (uint64_t y = 0; y < d->H; y++) {
        zki_ext_acc row;
        zki_ext_acc_zero(&row);
        for (uint64_t x = 0; x < d->W; x++)
            zki_ext_acc_mac(&row, e2[x], g[pos_in(d, y, x)]);
        zki_ext_acc_mac(&acc, e1[y], zki_ext_acc_reduce(&row));
    }
    if (!zki_ext_eq(fin, zki_ext_mul(proof->x_eval, zki_ext_acc_reduce(&acc)))) {
        st = zki_fail(ZKI_ERR_VERIFY, "conv_fft: X transform sum-check ends off x * map");
        goto out;
    }
    zki_ts_absorb_ext(t, "cf.x", proof->x_eval);
    /* 4. W transform: the flip map */
    if ((st = sc_verify("W transform sum-check", 2 * d->lk, 2, proof->wh, &proof->sc_w, t, pd,
                        &fin)))
        goto out;
    zki_eq_table(e1, pd + d->lk, d->lk);
    zki_eq_table(e2, pd, d->lk);
    zki_ext_acc_zero(&acc);
    for (uint64_t ky = 0; ky < d->K; ky++)
        for (uint64_t kx = 0; kx < d->K; kx++)
            zki_ext_acc_mac(&acc, zki_ext_mul(e1[ky], e2[kx]), g[pos_ker(d, ky, kx)]);
    if (!zki_ext_eq(fin, zki_ext_mul(proof->w_eval, zki_ext_acc_reduce(&acc)))) {
        st = zki_fail(ZKI_ERR_VERIFY, "conv_fft: W transform sum-check ends off w * map");
        goto out;
    }
    zki_ts_absorb_ext(t, "cf.w", proof->w_eval);
    out_points(d, r_acc, pb, pc, pd, x_point, w_point);
out:
    free(g);
    free(e1);
    free(e2);
    return st;
}

void zki_conv_fft_proof_free(zki_conv_fft_proof *p)
{
    if (!p)
        return;
    zki_sc_proof_free(&p->sc_out);
    zki_sc_proof_free(&p->sc_had);
    zki_sc_proof_free(&p->sc_x);
    zki_sc_proof_free(&p->sc_w);
    memset(p, 0, sizeof(*p));
}
