/* Portable vector kernels: plain loops over the inline field operations.
 * This is the reference every SIMD kernel is compared with. Loops read
 * a[i], b[i] before writing out[i], so out may alias an input. */
#include "field/vec.h"

static void vp_add(zki_fe *out, const zki_fe *a, const zki_fe *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = zki_fe_add(a[i], b[i]);
}

static void vp_sub(zki_fe *out, const zki_fe *a, const zki_fe *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = zki_fe_sub(a[i], b[i]);
}

static void vp_mul(zki_fe *out, const zki_fe *a, const zki_fe *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = zki_fe_mul(a[i], b[i]);
}

static void vp_muladd(zki_fe *out, const zki_fe *a, const zki_fe *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = zki_fe_add(out[i], zki_fe_mul(a[i], b[i]));
}

static void vp_axpy(zki_fe *out, zki_fe s, const zki_fe *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = zki_fe_add(out[i], zki_fe_mul(s, a[i]));
}

static void vp_ext_mul(zki_ext *out, const zki_ext *a, const zki_ext *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = zki_ext_mul(a[i], b[i]);
}

static void vp_scale_ext(zki_ext *out, const zki_fe *a, zki_ext s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[i].c0 = zki_fe_mul(a[i], s.c0);
        out[i].c1 = zki_fe_mul(a[i], s.c1);
    }
}

/* Two accumulators so consecutive add/adc chains overlap. */
static zki_fe vp_inner(const zki_fe *a, const zki_fe *b, size_t n)
{
    zki_acc s0, s1;
    zki_acc_zero(&s0);
    zki_acc_zero(&s1);
    size_t i = 0;
    for (; i + 2 <= n; i += 2) {
        zki_acc_mac(&s0, a[i], b[i]);
        zki_acc_mac(&s1, a[i + 1], b[i + 1]);
    }
    if (i < n)
        zki_acc_mac(&s0, a[i], b[i]);
    zki_acc_merge(&s0, &s1);
    return zki_acc_reduce(&s0);
}

static zki_ext vp_inner_ext(const zki_fe *a, const zki_ext *b, size_t n)
{
    zki_ext_acc s;
    zki_ext_acc_zero(&s);
    for (size_t i = 0; i < n; i++)
        zki_ext_acc_mac_fe(&s, a[i], b[i]);
    return zki_ext_acc_reduce(&s);
}

const zki_vec_impl zki_vec_portable = {
    "portable", vp_add, vp_sub, vp_mul, vp_muladd, vp_axpy, vp_ext_mul, vp_scale_ext, vp_inner, vp_inner_ext,
};
