/* mmap flags (MAP_ANONYMOUS) and madvise are outside strict C11 */
#define _DEFAULT_SOURCE
#include "common/scratch.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Each block starts with a 64-byte header holding its usable size and,
 * for a mapped block, the mapping, so the caller's pointer stays 64-byte
 * aligned. */
#define HDR 64
/* Below this, malloc's own free lists already avoid fresh pages. */
#define MIN_KEEP ((size_t)1 << 16)
/* With huge pages asked for (ZKI_HUGEPAGES=1 in the environment, or
 * zki_scratch_huge_pages), a block from this
 * size is its own mapping, 2 MiB aligned and advised for transparent huge
 * pages: one page fault per 2 MiB instead of 512. Where the kernel gives
 * no huge pages it is an ordinary mapping. */
#define HUGE_MIN ((size_t)4 << 20)
#define HUGE_PAGE ((size_t)2 << 20)

typedef struct {
    size_t size;     /* usable bytes after the header */
    void *map;       /* mapping start (mapped blocks), else NULL */
    size_t map_len;
} blk_hdr;

/* -1: not yet read from the environment */
static atomic_int huge_pages = -1;

void zki_scratch_huge_pages(int on) { atomic_store(&huge_pages, on != 0); }

static int want_huge_pages(void)
{
    int h = atomic_load(&huge_pages);
    if (h < 0) {
        const char *e = getenv("ZKI_HUGEPAGES");
        int want = e && strcmp(e, "1") == 0;
        atomic_compare_exchange_strong(&huge_pages, &h, want);
        h = atomic_load(&huge_pages);
    }
    return h;
}

static void *blk_new(size_t bytes)
{
    if (want_huge_pages() && bytes >= HUGE_MIN && bytes <= SIZE_MAX - HDR - 2 * HUGE_PAGE) {
        size_t need = (bytes + HDR + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
        size_t len = need + HUGE_PAGE;
        uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m != MAP_FAILED) {
            uint8_t *blk = (uint8_t *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
#if defined(MADV_HUGEPAGE) && !defined(__wasi__) /* WASI's emulated mman has no madvise */
            madvise(blk, need, MADV_HUGEPAGE);
#endif
            blk_hdr *h = (blk_hdr *)blk;
            h->size = need - HDR;
            h->map = m;
            h->map_len = len;
            return blk;
        }
    }
    size_t total = (bytes + HDR + 63) & ~(size_t)63;
    blk_hdr *h = aligned_alloc(64, total);
    if (!h)
        return NULL;
    h->size = total - HDR;
    h->map = NULL;
    h->map_len = 0;
    return h;
}

static void blk_del(void *blk)
{
    if (!blk)
        return;
    blk_hdr *h = blk;
    if (h->map)
        munmap(h->map, h->map_len);
    else
        free(blk);
}

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static void *pool[ZKI_SCRATCH_SLOTS]; /* header addresses */
static size_t pool_size[ZKI_SCRATCH_SLOTS];
static size_t pool_bytes;

static blk_hdr *header(void *p) { return (blk_hdr *)((uint8_t *)p - HDR); }

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
    void *blk = blk_new(bytes);
    return blk ? (uint8_t *)blk + HDR : NULL;
}

void zki_scratch_free(void *p)
{
    if (!p)
        return;
    void *blk = header(p);
    size_t size = header(p)->size;
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
    blk_del(blk);
}

void zki_scratch_trim(void)
{
    pthread_mutex_lock(&pool_lock);
    for (int i = 0; i < ZKI_SCRATCH_SLOTS; i++) {
        blk_del(pool[i]);
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
