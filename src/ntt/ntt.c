/* NTT entry points and the cache-blocked DIF schedule.
 *
 * forward = DIF network (natural in, bit-reversed out) + bit reversal.
 * inverse = the same forward transform applied to a[-j mod n] / n, since
 *   sum_j a[-j] w^(jk) = sum_j a[j] w^(-jk); so one twiddle table serves
 *   both directions.
 * Schedule: the layers whose butterflies span more than an inner block are
 * done in groups of up to 2 * GROUP_PAIRS layers per sweep over memory, each
 * task holding 2^g rows of COLS contiguous columns in L1; then every inner
 * block (sized for L2) runs its remaining layers on its own. Layers go two
 * at a time (radix 4) wherever possible. Tasks are independent
 * and every element sees the same arithmetic whatever thread runs it, so the
 * output does not depend on the thread count. */
#include "ntt/ntt.h"

#include <stdatomic.h>
#include <string.h>

#include "common/error.h"
#include "ntt/ntt_internal.h"

#define INNER_LOG 15u     /* inner blocks of at most 2^15 elements = 256 KiB (L2) */
#define GROUP_PAIRS 3u    /* radix-4 steps per outer sweep: 64 rows ... */
#define COLS ((size_t)64) /* ... of 64 columns = 32 KiB (L1) per task */
#define PAR_MIN_LOG 16u   /* below this, threads cost more than they save */

/* All layers of one block of 2^log_len elements (log_len >= k->tail_log),
 * in cache: radix-4 pairs while two layers above the tail are left, a single
 * layer if one is, then the kernel's tail. */
static void inner_block(zki_fe *a, unsigned log_len, const zki_ntt_tw *t, const zki_ntt_kernels *k)
{
    size_t len = (size_t)1 << log_len;
    const zki_fe *tw = t->w, *tw3 = t->w3;
    for (unsigned lh = log_len - 1; lh >= k->tail_log;) {
        size_t h = (size_t)1 << lh;
        if (lh >= k->tail_log + 1) {
            for (size_t b = 0; b < len; b += 2 * h)
                k->dif_radix4(a + b, h / 2, tw + h, tw + h / 2, tw3 + h / 2, h / 2);
            lh -= 2;
        } else {
            for (size_t b = 0; b < len; b += 2 * h)
                k->dif_layer(a + b, a + b + h, tw + h, h);
            lh -= 1;
        }
    }
    k->dif_tail(a, len, t);
}

/* Outer layers with half sizes 2^top .. 2^(top-g+1) as one sweep. */
static void outer_group(zki_fe *a, unsigned log_n, unsigned top, unsigned g, const zki_ntt_tw *t,
                        const zki_ntt_kernels *k)
{
    const zki_fe *tw = t->w, *tw3 = t->w3;
    size_t n = (size_t)1 << log_n;
    size_t s = (size_t)1 << (top + 1 - g); /* smallest half size = row length */
    size_t rows = (size_t)1 << g;
    size_t chunks = s / COLS, blocks = n / (rows * s);
    long tasks = (long)(blocks * chunks);
#pragma omp parallel for schedule(static) if (log_n >= PAR_MIN_LOG)
    for (long t = 0; t < tasks; t++) {
        size_t col = ((size_t)t % chunks) * COLS;
        zki_fe *base = a + ((size_t)t / chunks) * rows * s + col;
        unsigned l = 0;
        for (; l + 2 <= g; l += 2) {
            size_t h = (size_t)1 << (top - l), hr = h / s; /* rows per half */
            for (size_t sb = 0; sb < rows; sb += 2 * hr)
                for (size_t r = 0; r < hr / 2; r++)
                    k->dif_radix4(base + (sb + r) * s, h / 2, tw + h + r * s + col,
                                  tw + h / 2 + r * s + col, tw3 + h / 2 + r * s + col, COLS);
        }
        if (l < g) {
            size_t h = (size_t)1 << (top - l), hr = h / s;
            for (size_t sb = 0; sb < rows; sb += 2 * hr)
                for (size_t r = 0; r < hr; r++)
                    k->dif_layer(base + (sb + r) * s, base + (sb + r + hr) * s, tw + h + r * s + col,
                                 COLS);
        }
    }
}

static void dif(zki_fe *a, unsigned log_n, const zki_ntt_tw *tw, const zki_ntt_kernels *k)
{
    if (log_n < k->tail_log)
        k = &zki_ntt_kernels_portable;
    if (log_n < k->tail_log) {
        for (size_t h = ((size_t)1 << log_n) / 2; h >= 1; h /= 2)
            for (size_t b = 0; b < ((size_t)1 << log_n); b += 2 * h)
                zki_ntt_kernels_portable.dif_layer(a + b, a + b + h, tw->w + h, h);
        return;
    }
    /* Inner blocks take an even number of layers above the tail; the outer
     * layers' pairs are spread evenly over the sweeps, a left-over single
     * layer going to the last one. */
    unsigned inner = log_n;
    if (log_n > INNER_LOG)
        inner = k->tail_log + ((INNER_LOG - k->tail_log) & ~1u);
    unsigned outer = log_n - inner, pairs = outer / 2, top = log_n - 1;
    unsigned sweeps = (pairs + GROUP_PAIRS - 1) / GROUP_PAIRS;
    if (sweeps == 0 && outer > 0)
        sweeps = 1;
    for (unsigned si = 0; si < sweeps; si++) {
        unsigned gp = (pairs + sweeps - 1 - si) / (sweeps - si);
        unsigned g = 2 * gp + (si == sweeps - 1 ? outer % 2 : 0);
        outer_group(a, log_n, top, g, tw, k);
        top -= g;
        pairs -= gp;
    }
    long blocks = (long)((size_t)1 << (log_n - inner));
#pragma omp parallel for schedule(static) if (log_n >= PAR_MIN_LOG)
    for (long b = 0; b < blocks; b++)
        inner_block(a + ((size_t)b << inner), inner, tw, k);
}

/* ---- element-wise passes --------------------------------------------------- */

enum { PASS_CHUNK = 4096 };

/* a[i] *= c * s^i. Chunks start from exact powers, so any split of the
 * chunks over threads gives the same result. */
static void scale_powers(zki_fe *a, size_t n, zki_fe c, zki_fe s, const zki_ntt_kernels *k)
{
    long nchunks = (long)((n + PASS_CHUNK - 1) / PASS_CHUNK);
#pragma omp parallel for schedule(static) if (n >= ((size_t)1 << PAR_MIN_LOG))
    for (long ci = 0; ci < nchunks; ci++) {
        size_t i0 = (size_t)ci * PASS_CHUNK, len = n - i0 < PASS_CHUNK ? n - i0 : PASS_CHUNK;
        k->scale_pow(a + i0, len, zki_fe_mul(c, zki_fe_pow(s, i0)), s);
    }
}

/* a[j] <- c * a[-j mod n]: pairs (j, n - j) swapped chunk by chunk, each
 * chunk and its mirror scaled while still in cache. */
static void negate_index_scale(zki_fe *a, size_t n, zki_fe c, const zki_ntt_kernels *k)
{
    if (n <= 2) { /* -j = j */
        k->scale_pow(a, n, c, 1);
        return;
    }
    size_t half = n / 2; /* a[0] and a[half] stay in place */
    long nchunks = (long)((half - 1 + PASS_CHUNK - 1) / PASS_CHUNK);
#pragma omp parallel for schedule(static) if (n >= ((size_t)1 << PAR_MIN_LOG))
    for (long ci = 0; ci < nchunks; ci++) {
        size_t j0 = 1 + (size_t)ci * PASS_CHUNK;
        size_t len = half - j0 < PASS_CHUNK ? half - j0 : PASS_CHUNK; /* j0 .. j0+len-1 < half */
        for (size_t j = j0; j < j0 + len; j++) {
            zki_fe t = a[j];
            a[j] = a[n - j];
            a[n - j] = t;
        }
        k->scale_pow(a + j0, len, c, 1);
        k->scale_pow(a + n - (j0 + len - 1), len, c, 1);
    }
    a[0] = zki_fe_mul(a[0], c);
    a[half] = zki_fe_mul(a[half], c);
}

/* ---- kernel choice -------------------------------------------------------- */

static _Atomic(const zki_ntt_kernels *) g_forced;

/* The level comes from the one dispatcher (common/cpu_features.h, ZKI_VEC);
 * below AVX-512 the portable kernels run (there is no AVX2 NTT kernel). */
static const zki_ntt_kernels *by_level(zki_cpu_level l)
{
#ifdef __x86_64__
    if (l >= ZKI_CPU_AVX512)
        return &zki_ntt_kernels_avx512;
#endif
    (void)l;
    return &zki_ntt_kernels_portable;
}

const zki_ntt_kernels *zki_ntt_kernels_best(void) { return by_level(zki_cpu_level_get()); }

const zki_ntt_kernels *zki_ntt_kernels_get(const char *name)
{
    zki_cpu_level l;
    if (zki_cpu_level_parse(name, &l) != 0 || l > zki_cpu_detected())
        return NULL;
    const zki_ntt_kernels *k = by_level(l);
    return strcmp(k->name, name) == 0 ? k : NULL;
}

void zki_ntt_set_kernels(const zki_ntt_kernels *k) { atomic_store(&g_forced, k); }

static const zki_ntt_kernels *kernels(void)
{
    const zki_ntt_kernels *k = atomic_load(&g_forced);
    return k ? k : zki_ntt_kernels_best();
}

/* ---- API ----------------------------------------------------------------- */

static zki_status check_size(size_t n, const zki_fe *a, const char *fn, unsigned *log_n)
{
    if (n == 0 || (n & (n - 1)) != 0)
        return zki_fail(ZKI_ERR_INPUT, "%s: size %zu is not a power of two", fn, n);
    unsigned l = (unsigned)__builtin_ctzll((unsigned long long)n);
    if (l > ZKI_TWO_ADICITY)
        return zki_fail(ZKI_ERR_INPUT, "%s: size %zu exceeds 2^%d", fn, n, ZKI_TWO_ADICITY);
    if (!a)
        return zki_fail(ZKI_ERR_INPUT, "%s: NULL array of size %zu", fn, n);
    *log_n = l;
    return ZKI_OK;
}

/* Checks the size and loads the twiddles, so that a failure leaves a
 * untouched. */
static zki_status begin(size_t n, const zki_fe *a, const char *fn, unsigned *log_n)
{
    zki_status st = check_size(n, a, fn, log_n);
    if (st == ZKI_OK && *log_n > 0 && !zki_ntt_twiddles(*log_n))
        return zki_fail(ZKI_ERR_NOMEM, "%s: no memory for the twiddles of size %zu", fn, n);
    return st;
}

static void forward_core(zki_fe *a, unsigned log_n, const zki_ntt_kernels *k)
{
    if (log_n == 0)
        return;
    dif(a, log_n, zki_ntt_twiddles(log_n), k); /* cached by begin() */
    zki_ntt_bitreverse(a, log_n);
}

zki_status zki_ntt_forward(zki_fe *a, size_t n)
{
    unsigned l = 0;
    zki_status st = begin(n, a, "zki_ntt_forward", &l);
    if (st == ZKI_OK)
        forward_core(a, l, kernels());
    return st;
}

zki_status zki_ntt_inverse(zki_fe *a, size_t n)
{
    unsigned l = 0;
    zki_status st = begin(n, a, "zki_ntt_inverse", &l);
    if (st != ZKI_OK)
        return st;
    const zki_ntt_kernels *k = kernels();
    negate_index_scale(a, n, zki_fe_inv((zki_fe)n % ZKI_P), k);
    forward_core(a, l, k);
    return ZKI_OK;
}

/* begin() for a coset transform: the shift must be canonical. */
static zki_status coset_begin(size_t n, const zki_fe *a, zki_fe shift, const char *fn, unsigned *log_n)
{
    if (shift >= ZKI_P)
        return zki_fail(ZKI_ERR_INPUT, "%s: shift is not canonical", fn);
    return begin(n, a, fn, log_n);
}

zki_status zki_ntt_coset_forward(zki_fe *a, size_t n, zki_fe shift)
{
    unsigned l = 0;
    zki_status st = coset_begin(n, a, shift, "zki_ntt_coset_forward", &l);
    if (st != ZKI_OK)
        return st;
    const zki_ntt_kernels *k = kernels();
    scale_powers(a, n, 1, shift, k);
    forward_core(a, l, k);
    return ZKI_OK;
}

zki_status zki_ntt_coset_forward_top(zki_fe *a, size_t n, zki_fe shift, unsigned g)
{
    unsigned l = 0;
    zki_status st = coset_begin(n, a, shift, "zki_ntt_coset_forward_top", &l);
    if (st != ZKI_OK)
        return st;
    /* one outer sweep: at most 2 GROUP_PAIRS layers, rows of >= COLS */
    if (g > 2 * GROUP_PAIRS || ((size_t)1 << (l - (g < l ? g : l))) < COLS)
        return zki_fail(ZKI_ERR_INPUT, "zki_ntt_coset_forward_top: %u layers of a transform of 2^%u", g, l);
    const zki_ntt_kernels *k = kernels();
    scale_powers(a, n, 1, shift, k);
    if (g)
        outer_group(a, l, l - 1, g, zki_ntt_twiddles(l), k);
    return ZKI_OK;
}

zki_status zki_ntt_coset_inverse(zki_fe *a, size_t n, zki_fe shift)
{
    unsigned l = 0;
    if (shift == 0 || shift >= ZKI_P)
        return zki_fail(ZKI_ERR_INPUT, "zki_ntt_coset_inverse: shift must be non-zero and canonical");
    zki_status st = begin(n, a, "zki_ntt_coset_inverse", &l);
    if (st != ZKI_OK)
        return st;
    const zki_ntt_kernels *k = kernels();
    /* b[j] = (1/n) sum_k A[k] w^(-jk) are the coefficients of the shifted
     * polynomial; a[j] = b[j] shift^(-j). */
    negate_index_scale(a, n, 1, k);
    forward_core(a, l, k);
    scale_powers(a, n, zki_fe_inv((zki_fe)n % ZKI_P), zki_fe_inv(shift), k);
    return ZKI_OK;
}
