#include "poly/mle.h"

#include <stdlib.h>

#include "field/vec.h"

/* Loops over at least this many entries run on all OpenMP threads. Every
 * parallel result here is exact field arithmetic on disjoint entries, so it
 * does not depend on the thread count (nor on the vector kernels, which all
 * give the portable kernel's output). */
#define ZKI_MLE_PAR_MIN ((size_t)1 << 12)
/* Parallel loops hand the vector kernels ranges of this many entries. */
#define ZKI_MLE_CHUNK ((size_t)1 << 11)

size_t zki_log2_ceil(size_t len)
{
    size_t n = 0;
    while (n < sizeof(size_t) * 8 - 1 && ((size_t)1 << n) < len)
        n++;
    return n;
}

/* ---- eq ---------------------------------------------------------------- */

/* Adds variables one at a time as the new top bit: entry i splits into
 * i (x_j = 0, weight 1 - r_j) and i + 2^j (x_j = 1, weight r_j). */
static void eq_expand(zki_ext *out, const zki_ext *r, size_t n)
{
    const zki_vec_impl *v = zki_vec();
    for (size_t j = 0; j < n; j++) {
        size_t half = (size_t)1 << j;
        zki_ext rj = r[j];
        if (half < ZKI_MLE_PAR_MIN) {
            v->eq_split(out, out + half, half, rj);
            continue;
        }
        long nchunks = (long)(half / ZKI_MLE_CHUNK); /* half is a multiple */
#pragma omp parallel for schedule(static)
        for (long c = 0; c < nchunks; c++) {
            size_t lo = (size_t)c * ZKI_MLE_CHUNK;
            v->eq_split(out + lo, out + half + lo, ZKI_MLE_CHUNK, rj);
        }
    }
}

void zki_eq_table(zki_ext *out, const zki_ext *r, size_t n)
{
    out[0] = zki_ext_one();
    eq_expand(out, r, n);
}

void zki_eq_table_scaled(zki_ext *out, const zki_ext *r, size_t n, zki_ext scale)
{
    out[0] = scale;
    eq_expand(out, r, n);
}

zki_ext zki_eq_eval(const zki_ext *a, const zki_ext *b, size_t n)
{
    /* eq(a_j, b_j) = a b + (1 - a)(1 - b) = 1 - a - b + 2ab */
    zki_ext acc = zki_ext_one();
    for (size_t j = 0; j < n; j++) {
        zki_ext ab = zki_ext_mul(a[j], b[j]);
        zki_ext t = zki_ext_sub(zki_ext_add(ab, ab), zki_ext_add(a[j], b[j]));
        acc = zki_ext_mul(acc, zki_ext_add_fe(t, 1));
    }
    return acc;
}

/* ---- folding ----------------------------------------------------------- */

/* One pair at a time, for the streaming evaluation below; the table folds
 * run the vector kernels (field/vec.h), which compute the same.
 * a + r (b - a) written as a - r (a - b): field subtraction compiles
 * without data-dependent branches, addition need not. neg_r1 = -r.c1. */
static inline zki_ext fold_pair_base(zki_fe a, zki_fe b, zki_fe r0, zki_fe neg_r1)
{
    zki_fe nd = zki_fe_sub(a, b);
    return zki_ext_make(zki_fe_sub(a, zki_fe_mul(r0, nd)), zki_fe_mul(neg_r1, nd));
}

/* r1w = 7 r.c1 (zki_ext_mul_prep), computed once per fold. */
static inline zki_ext fold_pair_ext(zki_ext a, zki_ext b, zki_ext r, zki_fe r1w)
{
    return zki_ext_sub(a, zki_ext_mul_pre(zki_ext_sub(a, b), r, r1w));
}

/* Runs a vector fold over outputs [0, n_out) in ranges on all threads.
 * out != in, or the ranges would race. */
static void fold_parallel(zki_ext *out, const zki_fe *in_b, const zki_ext *in_e, size_t n_out,
                          zki_ext r, const zki_vec_impl *v)
{
    long nchunks = (long)((n_out + ZKI_MLE_CHUNK - 1) / ZKI_MLE_CHUNK);
#pragma omp parallel for schedule(static)
    for (long c = 0; c < nchunks; c++) {
        size_t lo = (size_t)c * ZKI_MLE_CHUNK;
        size_t len = n_out - lo < ZKI_MLE_CHUNK ? n_out - lo : ZKI_MLE_CHUNK;
        if (in_b)
            v->fold_base(out + lo, in_b + 2 * lo, len, r);
        else
            v->fold_ext(out + lo, in_e + 2 * lo, len, r);
    }
}

void zki_mle_fold_base(zki_ext *out, const zki_fe *in, size_t n_in, zki_ext r)
{
    size_t n_out = n_in / 2;
    const zki_vec_impl *v = zki_vec();
    if (n_out < ZKI_MLE_PAR_MIN)
        v->fold_base(out, in, n_out, r);
    else
        fold_parallel(out, in, NULL, n_out, r, v);
}

void zki_mle_fold_ext(zki_ext *out, const zki_ext *in, size_t n_in, zki_ext r)
{
    size_t n_out = n_in / 2;
    const zki_vec_impl *v = zki_vec();
    if (n_out < ZKI_MLE_PAR_MIN) {
        v->fold_ext(out, in, n_out, r);
        return;
    }
    if (out != in) {
        fold_parallel(out, NULL, in, n_out, r, v);
        return;
    }
    /* In place: chunk c writes [cB, cB + B), which is half of the input of
     * chunk c/2 and of no other chunk. Running chunks in waves [1, 2),
     * [2, 4), [4, 8), .. after chunk 0 guarantees chunk c/2 has finished
     * reading before chunk c writes; chunk 0 overlaps only itself, which
     * the kernel's ascending order handles. */
    size_t nchunks = 256;
    while (nchunks > 1 && n_out / nchunks < 64)
        nchunks /= 2;
    size_t B = n_out / nchunks;
#pragma omp parallel
    {
#pragma omp single
        v->fold_ext(out, in, B, r);
        for (size_t lo = 1; lo < nchunks; lo *= 2) {
#pragma omp for schedule(static)
            for (size_t c = lo; c < 2 * lo; c++)
                v->fold_ext(out + c * B, in + 2 * c * B, B, r);
        }
    }
}

/* ---- evaluation -------------------------------------------------------- */

/* Streaming fold of entries [lo, lo + 2^nv) with r[0..nv): a binary
 * counter of partial folds, one per level, so no table is allocated. The
 * base version folds the first level in base x ext arithmetic. */
static zki_ext eval_range(const zki_fe *tb, const zki_ext *te, size_t lo, size_t nv,
                          const zki_ext *r)
{
    if (nv == 0)
        return tb ? zki_ext_from_fe(tb[lo]) : te[lo];
    zki_ext stack[64];
    uint64_t have = 0; /* bit l: stack[l] holds a pending left half */
    size_t npairs = (size_t)1 << (nv - 1);
    for (size_t i = 0; i < npairs; i++) {
        size_t at = lo + 2 * i;
        zki_ext v = tb ? fold_pair_base(tb[at], tb[at + 1], r[0].c0, zki_fe_neg(r[0].c1))
                       : fold_pair_ext(te[at], te[at + 1], r[0], zki_ext_mul_prep(r[0]));
        size_t l = 1;
        while (have & ((uint64_t)1 << l)) {
            v = fold_pair_ext(stack[l], v, r[l], zki_ext_mul_prep(r[l]));
            have &= ~((uint64_t)1 << l);
            l++;
        }
        stack[l] = v;
        have |= (uint64_t)1 << l;
    }
    return stack[nv];
}

/* Splits the table into up to 2^8 blocks of the low variables, evaluated
 * in parallel, then folds the block values with the top variables. */
static zki_ext eval_table(const zki_fe *tb, const zki_ext *te, size_t nvars, const zki_ext *r)
{
    size_t top = 0;
    while (top < 8 && nvars - top > 12)
        top++;
    size_t low = nvars - top, nblocks = (size_t)1 << top;
    zki_ext part[256];
#pragma omp parallel for schedule(static) if (nblocks > 1)
    for (size_t b = 0; b < nblocks; b++)
        part[b] = eval_range(tb, te, b << low, low, r);
    for (size_t j = 0; j < top; j++) {
        size_t half = nblocks >> (j + 1);
        zki_fe r1w = zki_ext_mul_prep(r[low + j]);
        for (size_t i = 0; i < half; i++)
            part[i] = fold_pair_ext(part[2 * i], part[2 * i + 1], r[low + j], r1w);
    }
    return part[0];
}

zki_ext zki_mle_eval_base(const zki_fe *t, size_t nvars, const zki_ext *r)
{
    return eval_table(t, NULL, nvars, r);
}

zki_ext zki_mle_eval_ext(const zki_ext *t, size_t nvars, const zki_ext *r)
{
    return eval_table(NULL, t, nvars, r);
}

zki_ext zki_eq_at(const zki_ext *r, size_t n, uint64_t i)
{
    zki_ext e = zki_ext_one();
    for (size_t k = 0; k < n; k++)
        e = zki_ext_mul(e, (i >> k) & 1 ? r[k] : zki_ext_sub(zki_ext_one(), r[k]));
    return e;
}

zki_ext zki_eq_interval_sum(const zki_ext *r, const zki_ext *rho, size_t n, uint64_t lo, uint64_t hi)
{
    /* sum_{i < x} prod_k f_k(i_k): for every set bit k of x, the indices
     * agreeing with x above k, 0 at k and free below */
    zki_ext f0[64], f1[64], low[65], one = zki_ext_one();
    low[0] = one;
    for (size_t k = 0; k < n; k++) {
        f1[k] = r[k];
        f0[k] = zki_ext_sub(one, r[k]);
        if (rho) {
            f1[k] = zki_ext_mul(f1[k], rho[k]);
            f0[k] = zki_ext_mul(f0[k], zki_ext_sub(one, rho[k]));
        }
        low[k + 1] = zki_ext_mul(low[k], zki_ext_add(f0[k], f1[k]));
    }
    zki_ext s[2];
    uint64_t x[2] = {lo, hi};
    for (int e = 0; e < 2; e++) {
        if (x[e] >= ((uint64_t)1 << n)) {
            s[e] = low[n];
            continue;
        }
        zki_ext sum = zki_ext_zero(), high = one;
        for (size_t k = n; k-- > 0;) {
            if (x[e] >> k & 1) {
                sum = zki_ext_add(sum, zki_ext_mul(high, zki_ext_mul(f0[k], low[k])));
                high = zki_ext_mul(high, f1[k]);
            } else {
                high = zki_ext_mul(high, f0[k]);
            }
        }
        s[e] = sum;
    }
    return zki_ext_sub(s[1], s[0]);
}

int zki_eq_split_init(zki_eq_split *e, const zki_ext *r, size_t n)
{
    e->h = n / 2;
    e->lo = malloc(sizeof(zki_ext) << e->h);
    e->hi = malloc(sizeof(zki_ext) << (n - e->h));
    if (!e->lo || !e->hi)
        return 0;
    zki_eq_table(e->lo, r, e->h);
    zki_eq_table(e->hi, r + e->h, n - e->h);
    return 1;
}

void zki_eq_split_free(zki_eq_split *e)
{
    free(e->lo);
    free(e->hi);
    e->lo = e->hi = NULL;
}
