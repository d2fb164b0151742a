/* Internal pieces of the NTT shared by ntt.c, twiddles.c and the kernels.
 *
 * The transform is a decimation-in-frequency (DIF) network on natural-order
 * input followed by a bit-reversal permutation. Butterfly layer with half
 * size h (h = n/2 first, 1 last) maps, for every block of 2h and j < h,
 *   x = a[j], y = a[j + h]  ->  a[j] = x + y,  a[j + h] = (x - y) * w_{2h}^j.
 * All values stay canonical (< p) between layers. */
#ifndef ZKI_NTT_INTERNAL_H
#define ZKI_NTT_INTERNAL_H

#include "common/cpu_features.h"
#include "field/field.h"

/* Twiddle tables for sizes up to 2^log_n, for every power of two h < 2^log_n
 * and j < h, with w_{2h} = zki_fe_root_of_unity(log2 2h):
 *   w[h + j]  = w_{2h}^j            (n entries)
 *   w3[h + j] = w_{4h}^(3j)         (n/2 entries, h <= n/4; radix-4 steps)
 * Entries depend only on (h, j), so a table for a larger size also serves
 * every smaller size. Built once, never freed, safe to call from any thread;
 * NULL if memory runs out. */
typedef struct {
    const zki_fe *w, *w3;
} zki_ntt_tw;
const zki_ntt_tw *zki_ntt_twiddles(unsigned log_n);

/* w_4 = 7^((p-1)/4) = 2^48 in Goldilocks (checked by the tests). */
#define ZKI_NTT_W4 ((zki_fe)1 << 48)

/* Butterfly kernels over c contiguous lanes. All values canonical. */
typedef struct {
    /* x[i], y[i] <- x[i] + y[i], (x[i] - y[i]) * tw[i] for i < c. */
    void (*dif_layer)(zki_fe *x, zki_fe *y, const zki_fe *tw, size_t c);
    /* Two DIF layers at once (radix 4) on rows r0..r3 = a, a+s, a+2s, a+3s
     * of c lanes: the layer with half size 2s on pairs (r0, r2), (r1, r3),
     * then the layer s on (r0, r1), (r2, r3). With W = w1[i] (the first
     * layer's twiddle of row r0), w2[i] = W^2 and w3[i] = W^3, that is
     *   r0 = (x0 + x2) + (x1 + x3),  r1 = ((x0 + x2) - (x1 + x3)) W^2,
     *   r2 = (d + w_4 e) W,          r3 = (d - w_4 e) W^3,
     * d = x0 - x2, e = x1 - x3: three general products and one by 2^48. */
    void (*dif_radix4)(zki_fe *a, size_t s, const zki_fe *w1, const zki_fe *w2, const zki_fe *w3,
                       size_t c);
    /* The last tail_log layers (h = 2^(tail_log-1) .. 1) on each of the
     * n / 2^tail_log consecutive blocks of 2^tail_log. */
    void (*dif_tail)(zki_fe *a, size_t n, const zki_ntt_tw *tw);
    unsigned tail_log;
    /* a[i] <- a[i] * m * s^i for i < c (m, s canonical). */
    void (*scale_pow)(zki_fe *a, size_t c, zki_fe m, zki_fe s);
    const char *name;
} zki_ntt_kernels;

extern const zki_ntt_kernels zki_ntt_kernels_portable;
#ifdef __x86_64__
extern const zki_ntt_kernels zki_ntt_kernels_avx512;
#endif

/* The kernels for the dispatcher's level (common/cpu_features.h: the CPU,
 * lowered by ZKI_VEC): AVX-512 at that level, else portable. */
const zki_ntt_kernels *zki_ntt_kernels_best(void);
/* The kernels named "portable" or "avx512" if this CPU supports them
 * (whatever ZKI_VEC says), else NULL (also for "avx2": no such kernels). */
const zki_ntt_kernels *zki_ntt_kernels_get(const char *name);
/* Test hook: makes the transforms use k (NULL: back to the best). */
void zki_ntt_set_kernels(const zki_ntt_kernels *k);

/* In-place bit-reversal permutation of 2^log_n elements (OpenMP inside). */
void zki_ntt_bitreverse(zki_fe *a, unsigned log_n);

#endif
