/* Cached twiddle tables (see ntt_internal.h for the layout).
 *
 * One table per log size is built at most once, under a mutex, and published
 * with a release store; readers take the first published table at least as
 * large as they need with an acquire load, so the fast path is lock-free. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "ntt/ntt_internal.h"

/* Smallest table ever built: avoids rebuilding for each tiny size. */
#define ZKI_TW_MIN_LOG 12u

static _Atomic(zki_ntt_tw *) g_tables[ZKI_TWO_ADICITY + 1];
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

static const zki_ntt_tw *find_table(unsigned log_n)
{
    for (unsigned l = log_n; l <= ZKI_TWO_ADICITY; l++) {
        zki_ntt_tw *t = atomic_load_explicit(&g_tables[l], memory_order_acquire);
        if (t)
            return t;
    }
    return NULL;
}

/* w[h + j] = w_{2h}^j: the top half holds the powers of w_n; every lower
 * layer is the top one sampled at even places (w_{2h}^j = w_{4h}^{2j}).
 * w3[h + j] = w_{4h}^j * w_{2h}^j. */
static zki_ntt_tw *build_table(unsigned log_n)
{
    size_t n = (size_t)1 << log_n, half = n / 2;
    zki_ntt_tw *tab = malloc(sizeof *tab);
    zki_fe *t = malloc(n * sizeof *t), *t3 = malloc((half ? half : 1) * sizeof *t3);
    if (!tab || !t || !t3) {
        free(tab);
        free(t);
        free(t3);
        return NULL;
    }
    t[0] = t3[0] = 0; /* unused */
    zki_fe w = zki_fe_root_of_unity(log_n);
    /* Chunks start from an exact power so they are independent; field
     * arithmetic is exact, so the table does not depend on the chunking. */
    enum { CHUNK = 4096 };
    long nchunks = (long)((half + CHUNK - 1) / CHUNK);
#pragma omp parallel for schedule(static) if (nchunks > 4)
    for (long c = 0; c < nchunks; c++) {
        size_t j0 = (size_t)c * CHUNK, j1 = j0 + CHUNK < half ? j0 + CHUNK : half;
        zki_fe p = zki_fe_pow(w, j0);
        for (size_t j = j0; j < j1; j++) {
            t[half + j] = p;
            p = zki_fe_mul(p, w);
        }
    }
    for (size_t h = half / 2; h >= 1; h /= 2)
        for (size_t j = 0; j < h; j++)
            t[h + j] = t[2 * h + 2 * j];
    for (size_t h = 1; h < half; h *= 2) { /* h <= n/4 */
#pragma omp parallel for schedule(static) if (h >= 65536)
        for (long j = 0; j < (long)h; j++)
            t3[h + (size_t)j] = zki_fe_mul(t[2 * h + (size_t)j], t[h + (size_t)j]);
    }
    tab->w = t;
    tab->w3 = t3;
    return tab;
}

const zki_ntt_tw *zki_ntt_twiddles(unsigned log_n)
{
    if (log_n > ZKI_TWO_ADICITY)
        return NULL;
    const zki_ntt_tw *t = find_table(log_n);
    if (t)
        return t;
    pthread_mutex_lock(&g_lock);
    t = find_table(log_n);
    if (!t) {
        unsigned l = log_n < ZKI_TW_MIN_LOG ? ZKI_TW_MIN_LOG : log_n;
        zki_ntt_tw *nt = build_table(l);
        if (nt)
            atomic_store_explicit(&g_tables[l], nt, memory_order_release);
        t = nt;
    }
    pthread_mutex_unlock(&g_lock);
    return t;
}
