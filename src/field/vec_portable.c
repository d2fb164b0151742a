/* Portable vector kernels: plain loops over the inline field operations.
 * This is the reference every SIMD kernel is compared with. Written as
 * subtractions (a - r (a - b) rather than a + r (b - a)): field subtraction
 * compiles without data-dependent branches, addition need not. */
#include "field/vec.h"

static void vp_fold_base(zki_ext *out, const zki_fe *in, size_t n, zki_ext r)
{
    zki_fe neg_r1 = zki_fe_neg(r.c1);
    for (size_t i = 0; i < n; i++) {
        zki_fe a = in[2 * i], nd = zki_fe_sub(a, in[2 * i + 1]);
        out[i] = zki_ext_make(zki_fe_sub(a, zki_fe_mul(r.c0, nd)), zki_fe_mul(neg_r1, nd));
    }
}

static void vp_fold_ext(zki_ext *out, const zki_ext *in, size_t n, zki_ext r)
{
    zki_fe r1w = zki_ext_mul_prep(r);
    for (size_t i = 0; i < n; i++) {
        zki_ext a = in[2 * i], b = in[2 * i + 1];
        out[i] = zki_ext_sub(a, zki_ext_mul_pre(zki_ext_sub(a, b), r, r1w));
    }
}

static void vp_eq_split(zki_ext *lo, zki_ext *hi, size_t n, zki_ext r)
{
    zki_fe r1w = zki_ext_mul_prep(r);
    for (size_t i = 0; i < n; i++) {
        zki_ext h = zki_ext_mul_pre(lo[i], r, r1w);
        hi[i] = h;
        lo[i] = zki_ext_sub(lo[i], h);
    }
}

const zki_vec_impl zki_vec_portable = {
    "portable", ZKI_CPU_PORTABLE, vp_fold_base, vp_fold_ext, vp_eq_split,
};
