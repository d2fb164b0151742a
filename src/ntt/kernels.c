/* Portable butterfly kernels. The helpers are branch-free: NTT data is
 * random, so a data-dependent branch per operation would mispredict half
 * the time. */
#include "ntt/ntt_internal.h"

/* a + b = a - (p - b) for canonical a, b: one comparison, no carry flag
 * (which compilers tend to turn into a branch). */
static inline zki_fe k_add(zki_fe a, zki_fe b)
{
    zki_fe nb = ZKI_P - b;
    zki_fe d = a - nb;
    return a < nb ? d + ZKI_P : d;
}

static inline zki_fe k_sub(zki_fe a, zki_fe b)
{
    zki_fe d = a - b;
    return a < b ? d + ZKI_P : d;
}

/* zki_fe_reduce128 of a*b written without branches. */
static inline zki_fe k_mul(zki_fe a, zki_fe b)
{
    unsigned __int128 x = zki_mul_wide(a, b);
    uint64_t lo = (uint64_t)x, hi = (uint64_t)(x >> 64);
    uint64_t hh = hi >> 32, hl = hi & ZKI_EPS;
    uint64_t t0 = lo - hh;
    t0 -= lo < hh ? ZKI_EPS : 0;
    uint64_t t1 = (hl << 32) - hl;
    uint64_t t2 = t0 + t1;
    t2 += t2 < t1 ? ZKI_EPS : 0;
    return t2 >= ZKI_P ? t2 - ZKI_P : t2;
}

static void dif_layer(zki_fe *x, zki_fe *y, const zki_fe *tw, size_t c)
{
    for (size_t i = 0; i < c; i++) {
        zki_fe u = x[i], v = y[i];
        x[i] = k_add(u, v);
        y[i] = k_mul(k_sub(u, v), tw[i]);
    }
}

static void dif_radix4(zki_fe *a, size_t s, const zki_fe *w1, const zki_fe *w2, const zki_fe *w3,
                       size_t c)
{
    zki_fe *r0 = a, *r1 = a + s, *r2 = a + 2 * s, *r3 = a + 3 * s;
    for (size_t i = 0; i < c; i++) {
        zki_fe x0 = r0[i], x1 = r1[i], x2 = r2[i], x3 = r3[i];
        zki_fe s02 = k_add(x0, x2), d02 = k_sub(x0, x2);
        zki_fe s13 = k_add(x1, x3), d13 = k_mul(k_sub(x1, x3), ZKI_NTT_W4);
        r0[i] = k_add(s02, s13);
        r1[i] = k_mul(k_sub(s02, s13), w2[i]);
        r2[i] = k_mul(k_add(d02, d13), w1[i]);
        r3[i] = k_mul(k_sub(d02, d13), w3[i]);
    }
}

/* Layers h = 4, 2, 1 on blocks of 8: the twiddles are w_8^j, w_4. */
static void dif_tail8(zki_fe *a, size_t n, const zki_ntt_tw *tw)
{
    const zki_fe w4 = tw->w[3], w81 = tw->w[5], w82 = tw->w[6], w83 = tw->w[7];
    for (size_t b = 0; b < n; b += 8) {
        zki_fe *p = a + b;
        zki_fe x0 = p[0], x1 = p[1], x2 = p[2], x3 = p[3];
        zki_fe x4 = p[4], x5 = p[5], x6 = p[6], x7 = p[7];
        /* h = 4 */
        zki_fe y0 = k_add(x0, x4), y4 = k_sub(x0, x4);
        zki_fe y1 = k_add(x1, x5), y5 = k_mul(k_sub(x1, x5), w81);
        zki_fe y2 = k_add(x2, x6), y6 = k_mul(k_sub(x2, x6), w82);
        zki_fe y3 = k_add(x3, x7), y7 = k_mul(k_sub(x3, x7), w83);
        /* h = 2 */
        zki_fe z0 = k_add(y0, y2), z2 = k_sub(y0, y2);
        zki_fe z1 = k_add(y1, y3), z3 = k_mul(k_sub(y1, y3), w4);
        zki_fe z4 = k_add(y4, y6), z6 = k_sub(y4, y6);
        zki_fe z5 = k_add(y5, y7), z7 = k_mul(k_sub(y5, y7), w4);
        /* h = 1 */
        p[0] = k_add(z0, z1);
        p[1] = k_sub(z0, z1);
        p[2] = k_add(z2, z3);
        p[3] = k_sub(z2, z3);
        p[4] = k_add(z4, z5);
        p[5] = k_sub(z4, z5);
        p[6] = k_add(z6, z7);
        p[7] = k_sub(z6, z7);
    }
}

static void scale_pow(zki_fe *a, size_t c, zki_fe m, zki_fe s)
{
    /* Four independent chains of powers hide the multiply latency. */
    zki_fe p[4], s4;
    p[0] = m;
    for (int j = 1; j < 4; j++)
        p[j] = k_mul(p[j - 1], s);
    s4 = k_mul(k_mul(s, s), k_mul(s, s));
    size_t i = 0;
    for (; i + 4 <= c; i += 4)
        for (int j = 0; j < 4; j++) {
            a[i + j] = k_mul(a[i + j], p[j]);
            p[j] = k_mul(p[j], s4);
        }
    for (int j = 0; i < c; i++, j++)
        a[i] = k_mul(a[i], p[j]);
}

const zki_ntt_kernels zki_ntt_kernels_portable = {dif_layer, dif_radix4, dif_tail8, 3, scale_pow,
                                                  "portable"};
