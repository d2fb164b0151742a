#include "common/scratch.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

/* Each block starts with a 64-byte header holding its usable size, so the
 * caller's pointer stays 64-byte aligned. */
#define HDR 64
/* Below this, malloc's own free lists already avoid fresh pages. */
#define MIN_KEEP ((size_t)1 << 16)

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static void *pool[ZKI_SCRATCH_SLOTS]; /* header addresses */
static size_t pool_size[ZKI_SCRATCH_SLOTS];
static size_t pool_bytes;

static size_t *header(void *p) { return (size_t *)((uint8_t *)p - HDR); }

void *zki_scratch_alloc(size_t bytes)
{
    if (bytes == 0)
        bytes = 1;
    if (bytes > SIZE_MAX - HDR)
        return NULL;
    if (bytes >= MIN_KEEP) {
        pthread_mutex_lock(&pool_lock);
        int best = -1;
        for (int i = 0; i < ZKI_SCRATCH_SLOTS; i++)
            if (pool[i] && pool_size[i] >= bytes && pool_size[i] / 2 <= bytes &&
                (best < 0 || pool_size[i] < pool_size[best]))
                best = i;
        void *blk = NULL;
        if (best >= 0) {
            blk = pool[best];
            pool_bytes -= pool_size[best];
            pool[best] = NULL;
        }
        pthread_mutex_unlock(&pool_lock);
        if (blk)
            return (uint8_t *)blk + HDR;
    }
    size_t total = (bytes + HDR + 63) & ~(size_t)63;
    void *blk = aligned_alloc(64, total);
    if (!blk)
        return NULL;
    *(size_t *)blk = total - HDR;
    return (uint8_t *)blk + HDR;
}

void zki_scratch_free(void *p)
{
    if (!p)
        return;
    void *blk = header(p);
    size_t size = *(size_t *)blk;
    if (size >= MIN_KEEP) {
        pthread_mutex_lock(&pool_lock);
        int slot = -1;
        for (int i = 0; i < ZKI_SCRATCH_SLOTS && slot < 0; i++)
            if (!pool[i])
                slot = i;
        if (slot >= 0 && pool_bytes + size <= ZKI_SCRATCH_KEEP_BYTES) {
            pool[slot] = blk;
            pool_size[slot] = size;
            pool_bytes += size;
            blk = NULL;
        }
        pthread_mutex_unlock(&pool_lock);
    }
    free(blk);
}

void zki_scratch_trim(void)
{
    pthread_mutex_lock(&pool_lock);
    for (int i = 0; i < ZKI_SCRATCH_SLOTS; i++) {
        free(pool[i]);
        pool[i] = NULL;
        pool_size[i] = 0;
    }
    pool_bytes = 0;
    pthread_mutex_unlock(&pool_lock);
}

size_t zki_scratch_kept(void)
{
    pthread_mutex_lock(&pool_lock);
    size_t b = pool_bytes;
    pthread_mutex_unlock(&pool_lock);
    return b;
}
