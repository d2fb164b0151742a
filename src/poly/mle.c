#include "poly/mle.h"

/* Loops over at least this many entries run on all OpenMP threads. Every
 * parallel result here is exact field arithmetic on disjoint entries, so it
 * does not depend on the thread count. */
#define ZKI_MLE_PAR_MIN ((size_t)1 << 12)

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
    for (size_t j = 0; j < n; j++) {
        size_t half = (size_t)1 << j;
        zki_ext rj = r[j];
#pragma omp parallel for schedule(static) if (half >= ZKI_MLE_PAR_MIN)
        for (size_t i = 0; i < half; i++) {
            zki_ext hi = zki_ext_mul(out[i], rj);
            out[i + half] = hi;
            out[i] = zki_ext_sub(out[i], hi);
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

/* a + r (b - a) written as a - r (a - b): field subtraction compiles
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

void zki_mle_fold_base(zki_ext *out, const zki_fe *in, size_t n_in, zki_ext r)
{
    size_t n_out = n_in / 2;
    zki_fe neg_r1 = zki_fe_neg(r.c1);
#pragma omp parallel for schedule(static) if (n_out >= ZKI_MLE_PAR_MIN)
    for (size_t i = 0; i < n_out; i++)
        out[i] = fold_pair_base(in[2 * i], in[2 * i + 1], r.c0, neg_r1);
}

static void fold_ext_range(zki_ext *out, const zki_ext *in, size_t lo, size_t hi, zki_ext r)
{
    zki_fe r1w = zki_ext_mul_prep(r);
    for (size_t i = lo; i < hi; i++)
        out[i] = fold_pair_ext(in[2 * i], in[2 * i + 1], r, r1w);
}

void zki_mle_fold_ext(zki_ext *out, const zki_ext *in, size_t n_in, zki_ext r)
{
    size_t n_out = n_in / 2;
    if (n_out < ZKI_MLE_PAR_MIN) {
        fold_ext_range(out, in, 0, n_out, r);
        return;
    }
    if (out != in) {
        zki_fe r1w = zki_ext_mul_prep(r);
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n_out; i++)
            out[i] = fold_pair_ext(in[2 * i], in[2 * i + 1], r, r1w);
        return;
    }
    /* In place: chunk c writes [cB, cB + B), which is half of the input of
     * chunk c/2 and of no other chunk. Running chunks in waves [1, 2),
     * [2, 4), [4, 8), .. after chunk 0 guarantees chunk c/2 has finished
     * reading before chunk c writes; chunk 0 overlaps only itself, which
     * the ascending serial loop handles. */
    size_t nchunks = 256;
    while (nchunks > 1 && n_out / nchunks < 64)
        nchunks /= 2;
    size_t B = n_out / nchunks;
#pragma omp parallel
    {
#pragma omp single
        fold_ext_range(out, in, 0, B, r);
        for (size_t lo = 1; lo < nchunks; lo *= 2) {
#pragma omp for schedule(static)
            for (size_t c = lo; c < 2 * lo; c++)
                fold_ext_range(out, in, c * B, (c + 1) * B, r);
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
