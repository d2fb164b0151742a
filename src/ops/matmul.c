#include "ops/matmul.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "poly/mle.h"

#define FOLD_CHUNK 256

zki_status zki_matmul_dims_init(zki_matmul_dims *d, uint64_t B, uint64_t K, uint64_t N,
                                int has_bias)
{
    if (!d || B < 1 || K < 1 || N < 1 || B > (1ull << 31) || K > (1ull << 31) ||
        N > (1ull << 31))
        return zki_fail(ZKI_ERR_INPUT, "matmul: sizes B=%llu K=%llu N=%llu outside [1, 2^31]",
                        (unsigned long long)B, (unsigned long long)K, (unsigned long long)N);
    d->B = B;
    d->K = K;
    d->N = N;
    d->lb = zki_log2_ceil(B);
    d->lk = zki_log2_ceil(K);
    d->ln = zki_log2_ceil(N);
    d->has_bias = has_bias ? 1 : 0;
    return ZKI_OK;
}

static zki_fe u128_fe(unsigned __int128 v) { return zki_fe_reduce128(v); }

/* Shifting every entry by `off` makes it non-negative, so products with
 * eq coordinates (< 2^64) sum in unsigned 128-bit words without overflow
 * for the documented sizes; the shift is removed once per column. */
#define FOLD_BODY(T, OFF)                                                                    \
    zki_acc s0a, s1a;                                                                        \
    zki_acc_zero(&s0a);                                                                      \
    zki_acc_zero(&s1a);                                                                      \
    for (uint64_t r = 0; r < rows; r++) {                                                    \
        zki_acc_mac(&s0a, eq[r].c0, 1);                                                      \
        zki_acc_mac(&s1a, eq[r].c1, 1);                                                      \
    }                                                                                        \
    zki_fe off = zki_fe_from_u64((uint64_t)(OFF));                                           \
    zki_fe sh0 = zki_fe_mul(zki_acc_reduce(&s0a), off);                                      \
    zki_fe sh1 = zki_fe_mul(zki_acc_reduce(&s1a), off);                                      \
    int64_t nchunks = (int64_t)((cols + FOLD_CHUNK - 1) / FOLD_CHUNK);                       \
    _Pragma("omp parallel for schedule(static) if (rows * cols > 65536)")                  \
    for (int64_t ch = 0; ch < nchunks; ch++) {                                               \
        unsigned __int128 a0[FOLD_CHUNK], a1[FOLD_CHUNK];                                    \
        uint64_t k0 = (uint64_t)ch * FOLD_CHUNK;                                             \
        uint64_t kn = cols - k0 < FOLD_CHUNK ? cols - k0 : FOLD_CHUNK;                       \
        memset(a0, 0, sizeof(a0));                                                           \
        memset(a1, 0, sizeof(a1));                                                           \
        for (uint64_t r = 0; r < rows; r++) {                                                \
            const T *row = M + r * ld + k0;                                                  \
            uint64_t e0 = eq[r].c0, e1 = eq[r].c1;                                           \
            for (uint64_t k = 0; k < kn; k++) {                                              \
                uint64_t x = (uint64_t)((int64_t)row[k] + (int64_t)(OFF));                   \
                a0[k] += (unsigned __int128)e0 * x;                                          \
                a1[k] += (unsigned __int128)e1 * x;                                          \
            }                                                                                \
        }                                                                                    \
        for (uint64_t k = 0; k < kn; k++)                                                    \
            out[k0 + k] = zki_ext_make(zki_fe_sub(u128_fe(a0[k]), sh0),                     \
                                       zki_fe_sub(u128_fe(a1[k]), sh1));                    \
    }                                                                                        \
    for (uint64_t k = cols; k < (1ull << lcols); k++)                                        \
        out[k] = zki_ext_zero();

void zki_fold_rows_i8(zki_ext *out, const int8_t *M, uint64_t rows, uint64_t ld, uint64_t cols,
                      size_t lcols, const zki_ext *eq)
{
    FOLD_BODY(int8_t, 128)
}

void zki_fold_rows_i16(zki_ext *out, const int16_t *M, uint64_t rows, uint64_t ld, uint64_t cols,
                       size_t lcols, const zki_ext *eq)
{
    FOLD_BODY(int16_t, 32768)
}

void zki_fold_rows_i32(zki_ext *out, const int32_t *M, uint64_t rows, uint64_t ld, uint64_t cols,
                       size_t lcols, const zki_ext *eq)
{
    FOLD_BODY(int32_t, 2147483648ll)
}

void zki_fold_rows_i64(zki_ext *out, const int64_t *M, uint64_t rows, uint64_t ld,
                       uint64_t cols, size_t lcols, const zki_ext *eq)
{
    FOLD_BODY(int64_t, 2147483648ll)
}

zki_ext zki_rows_mask_eval(const zki_ext *r_b, size_t lb, uint64_t B)
{
    /* sum over b < B of eq(r_b, b), bit by bit from the top: O(lb). The
     * prefix [0, B) splits at each set bit of B into a full subcube. */
    zki_ext total = zki_ext_zero(), pref = zki_ext_one();
    if (B >= (1ull << lb))
        return zki_ext_one();
    for (size_t j = lb; j-- > 0;) {
        zki_ext one_minus = zki_ext_sub(zki_ext_one(), r_b[j]);
        if ((B >> j) & 1) {
            /* b agrees with B above j, has 0 at j, anything below */
            total = zki_ext_add(total, zki_ext_mul(pref, one_minus));
            pref = zki_ext_mul(pref, r_b[j]);
        } else {
            pref = zki_ext_mul(pref, one_minus);
        }
    }
    return total;
}

static void fold_w(zki_ext *out, const zki_matmul_dims *d, const void *W, int w_bits,
                   uint64_t ldw, const zki_ext *eqn)
{
    if (w_bits == 8)
        zki_fold_rows_i8(out, (const int8_t *)W, d->N, ldw, d->K, d->lk, eqn);
    else
        zki_fold_rows_i16(out, (const int16_t *)W, d->N, ldw, d->K, d->lk, eqn);
}

zki_status zki_matmul_forward(const zki_matmul_dims *d, const int64_t *X, uint64_t ldx,
                              const void *W, int w_bits, uint64_t ldw, const int64_t *bias,
                              int64_t **accp)
{
    if (w_bits != 8 && w_bits != 16)
        return zki_fail(ZKI_ERR_INPUT, "matmul: weight bits %d (8 or 16)", w_bits);
    int64_t *acc = malloc(sizeof(int64_t) * d->B * d->N);
    if (!acc)
        return zki_fail(ZKI_ERR_NOMEM, "matmul: acc of %llu entries",
                        (unsigned long long)(d->B * d->N));
    int bad = 0;
    int64_t nn = (int64_t)d->N;
    for (uint64_t b = 0; b < d->B; b++) {
        const int64_t *x = X + b * ldx;
#pragma omp parallel for schedule(static) reduction(| : bad) if (d->N * d->K > 65536)
        for (int64_t n = 0; n < nn; n++) {
            __int128 s = bias ? bias[n] : 0;
            if (w_bits == 8) {
                const int8_t *w = (const int8_t *)W + (uint64_t)n * ldw;
                for (uint64_t k = 0; k < d->K; k++)
                    s += (__int128)x[k] * w[k];
            } else {
                const int16_t *w = (const int16_t *)W + (uint64_t)n * ldw;
                for (uint64_t k = 0; k < d->K; k++)
                    s += (__int128)x[k] * w[k];
            }
            if (s <= -((__int128)1 << 62) || s >= ((__int128)1 << 62))
                bad |= 1;
            acc[b * d->N + (uint64_t)n] = (int64_t)s;
        }
    }
    if (bad) {
        free(acc);
        return zki_fail(ZKI_ERR_INPUT, "matmul: an accumulator leaves (-2^62, 2^62)");
    }
    *accp = acc;
    return ZKI_OK;
}

static zki_fe fe_from_i64_bias(int64_t v) { return zki_fe_from_i64(v); }

zki_status zki_matmul_prove(const zki_matmul_dims *d, const int64_t *X, uint64_t ldx,
                            const void *W, int w_bits, uint64_t ldw, const int64_t *bias,
                            const zki_ext *r_acc, zki_ext v, zki_transcript *t,
                            zki_matmul_proof *proof, zki_ext *x_point, zki_ext *w_point,
                            zki_matmul_evals *ev)
{
    memset(proof, 0, sizeof(*proof));
    if (w_bits != 8 && w_bits != 16)
        return zki_fail(ZKI_ERR_INPUT, "matmul: weight bits %d (8 or 16)", w_bits);
    for (uint64_t b = 0; b < d->B; b++)
        for (uint64_t k = 0; k < d->K; k++) {
            int64_t x = X[b * ldx + k];
            if (x <= -(1ll << 31) || x >= (1ll << 31))
                return zki_fail(ZKI_ERR_INPUT, "matmul: activation %lld at [%llu,%llu] too large",
                                (long long)x, (unsigned long long)b, (unsigned long long)k);
        }
    const zki_ext *r_n = r_acc, *r_b = r_acc + d->ln;
    size_t nk = (size_t)1 << d->lk;
    zki_ext *eqb = malloc(sizeof(zki_ext) << d->lb), *eqn = malloc(sizeof(zki_ext) << d->ln);
    zki_ext *A = malloc(sizeof(zki_ext) * nk), *Bv = malloc(sizeof(zki_ext) * nk);
    zki_status st = ZKI_OK;
    if (!eqb || !eqn || !A || !Bv) {
        st = zki_fail(ZKI_ERR_NOMEM, "matmul: fold buffers (2^%zu)", d->lk);
        goto out;
    }
    zki_eq_table(eqb, r_b, d->lb);
    zki_eq_table(eqn, r_n, d->ln);
    zki_ext beval = zki_ext_zero();
    if (d->has_bias) {
        zki_ext_acc a;
        zki_ext_acc_zero(&a);
        for (uint64_t n = 0; n < d->N; n++)
            zki_ext_acc_mac_fe(&a, fe_from_i64_bias(bias[n]), eqn[n]);
        beval = zki_ext_acc_reduce(&a);
    }
    ev->b = beval;
    proof->b_eval = zki_zk_send(t, "mm.bias", beval);
    zki_ext target =
        zki_ext_sub(v, zki_ext_mul(beval, zki_rows_mask_eval(r_b, d->lb, d->B)));
    zki_fold_rows_i64(A, X, d->B, ldx, d->K, d->lk, eqb);
    fold_w(Bv, d, W, w_bits, ldw, eqn);
    zki_ext evals[2];
    if (d->lk == 0) {
        evals[0] = A[0];
        evals[1] = Bv[0];
        proof->sc.nvars = 0;
        proof->sc.degree = 2;
        proof->sc.msgs = NULL;
    } else {
        zki_sc_instance inst;
        memset(&inst, 0, sizeof(inst));
        inst.nvars = d->lk;
        inst.n_tables = 2;
        inst.ext[0] = A;
        inst.ext[1] = Bv;
        st = zki_sumcheck_prove(&inst, target, t, &proof->sc, x_point, evals);
        if (st)
            goto out;
    }
    ev->x = evals[0];
    ev->w = evals[1];
    proof->x_eval = zki_zk_send(t, "mm.x", evals[0]);
    proof->w_eval = zki_zk_send(t, "mm.w", evals[1]);
    memcpy(w_point, x_point, sizeof(zki_ext) * d->lk);
    memcpy(x_point + d->lk, r_b, sizeof(zki_ext) * d->lb);
    memcpy(w_point + d->lk, r_n, sizeof(zki_ext) * d->ln);
out:
    free(eqb);
    free(eqn);
    free(A);
    free(Bv);
    return st;
}

zki_status zki_matmul_verify(const zki_matmul_dims *d, const zki_ext *r_acc, zki_pv v,
                             const zki_matmul_proof *proof, zki_transcript *t,
                             zki_ext *x_point, zki_ext *w_point, zki_matmul_claims *out)
{
    const zki_ext *r_n = r_acc, *r_b = r_acc + d->ln;
    zki_zk *z = t->zk;
    zki_pv b = zki_zk_recv(t, "mm.bias", proof->b_eval);
    if (!d->has_bias && zki_pv_assert_eq(z, b, zki_pv_pub(zki_ext_zero()), "matmul: no bias value without a bias"))
        return zki_fail(ZKI_ERR_VERIFY, "matmul: bias value for a layer without bias");
    zki_pv target = zki_pv_sub(z, v, zki_pv_scale(z, b, zki_rows_mask_eval(r_b, d->lb, d->B)));
    zki_pv final_value = target;
    if (proof->sc.degree != 2 || proof->sc.nvars != d->lk)
        return zki_fail(ZKI_ERR_VERIFY, "matmul: sum-check has %zu rounds of degree %u, want %zu of 2",
                        proof->sc.nvars, proof->sc.degree, d->lk);
    if (d->lk > 0) {
        zki_status st = zki_sumcheck_verify_pv(d->lk, 2, target, &proof->sc, t, x_point, &final_value);
        if (st)
            return st == ZKI_ERR_INPUT ? zki_fail_ctx(ZKI_ERR_VERIFY, "matmul")
                                       : st;
    }
    out->b = b;
    out->x = zki_zk_recv(t, "mm.x", proof->x_eval);
    out->w = zki_zk_recv(t, "mm.w", proof->w_eval);
    if (zki_pv_assert_eq(z, final_value, zki_pv_mul(z, out->x, out->w),
                         "matmul: the final sum-check value is x * w"))
        return zki_fail(ZKI_ERR_VERIFY, "matmul: final sum-check value is not x * w");
    memcpy(w_point, x_point, sizeof(zki_ext) * d->lk);
    memcpy(x_point + d->lk, r_b, sizeof(zki_ext) * d->lb);
    memcpy(w_point + d->lk, r_n, sizeof(zki_ext) * d->ln);
    return z ? zki_zk_ok(z) : ZKI_OK;
}

void zki_matmul_proof_free(zki_matmul_proof *p)
{
    if (!p)
        return;
    zki_sc_proof_free(&p->sc);
    memset(p, 0, sizeof(*p));
}
