/* Scratch pool: alignment, reuse of returned blocks, size matching, the
 * cap on what is kept, trim, concurrent use, and big blocks with and
 * without huge pages. */
#include <stdint.h>
#include <string.h>

#include "common/scratch.h"
#include "test.h"

int main(void)
{
    zki_scratch_trim();
    CHECK(zki_scratch_kept() == 0);
    size_t big = (size_t)1 << 20;
    uint8_t *a = zki_scratch_alloc(big);
    CHECK(a != NULL && ((uintptr_t)a & 63) == 0);
    memset(a, 0xab, big); /* the whole block is usable */
    zki_scratch_free(a);
    CHECK(zki_scratch_kept() >= big);
    /* A request it fits is served from the pool... */
    uint8_t *b = zki_scratch_alloc(big - 100);
    CHECK(b == a);
    CHECK(zki_scratch_kept() == 0);
    zki_scratch_free(b);
    /* ...one it would waste more than half of is not. */
    uint8_t *c = zki_scratch_alloc(big / 4);
    CHECK(c != NULL && c != a);
    CHECK(zki_scratch_kept() >= big);
    zki_scratch_free(c);
    /* Small blocks go straight back to malloc. */
    void *s = zki_scratch_alloc(100);
    CHECK(s != NULL && ((uintptr_t)s & 63) == 0);
    size_t kept = zki_scratch_kept();
    zki_scratch_free(s);
    CHECK(zki_scratch_kept() == kept);
    zki_scratch_free(NULL);
    CHECK(zki_scratch_alloc(SIZE_MAX) == NULL);
    /* Never more than the slot count is kept. */
    void *many[ZKI_SCRATCH_SLOTS + 4];
    for (int i = 0; i < ZKI_SCRATCH_SLOTS + 4; i++)
        many[i] = zki_scratch_alloc((size_t)1 << 16);
    for (int i = 0; i < ZKI_SCRATCH_SLOTS + 4; i++)
        zki_scratch_free(many[i]);
    CHECK(zki_scratch_kept() <= (size_t)ZKI_SCRATCH_SLOTS * ((size_t)1 << 20));
    zki_scratch_trim();
    CHECK(zki_scratch_kept() == 0);
    /* Concurrent alloc/free from several threads ends consistent. */
    int bad = 0;
#pragma omp parallel for reduction(+ : bad)
    for (int i = 0; i < 200; i++) {
        size_t n = ((size_t)1 << 16) + (size_t)(i % 7) * 4096;
        uint8_t *p = zki_scratch_alloc(n);
        if (!p) {
            bad++;
            continue;
        }
        memset(p, i, n);
        bad += p[n - 1] != (uint8_t)i;
        zki_scratch_free(p);
    }
    CHECK(bad == 0);
    zki_scratch_trim();
    CHECK(zki_scratch_kept() == 0);
    /* Big blocks: from malloc by default, whole 2 MiB-aligned mappings once
     * huge pages are asked for; usable to the last byte either way, and
     * kept for reuse alike. */
    size_t huge = (size_t)8 << 20;
    for (int on = 0; on < 2; on++) {
        zki_scratch_huge_pages(on);
        uint8_t *h = zki_scratch_alloc(huge);
        CHECK(h != NULL && ((uintptr_t)h & 63) == 0);
        if (!h)
            continue;
        /* the 64-byte header sits at the mapping's aligned start */
        if (on)
            CHECK((((uintptr_t)h - 64) & (((size_t)2 << 20) - 1)) == 0);
        memset(h, 0x5a, huge);
        CHECK(h[0] == 0x5a && h[huge - 1] == 0x5a);
        zki_scratch_free(h);
        CHECK(zki_scratch_kept() >= huge);
        CHECK(zki_scratch_alloc(huge) == h);
        zki_scratch_free(h);
        zki_scratch_trim();
    }
    zki_scratch_huge_pages(0);
    return TEST_SUMMARY();
}
