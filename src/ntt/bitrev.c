/* In-place bit-reversal permutation, tiled for the cache.
 *
 * An index of L bits is split as (hi | mid | lo) with hi and lo of TB bits;
 * its reverse is (rev lo | rev mid | rev hi). For each mid value m the 2^TB
 * rows of 2^TB contiguous elements {(hi, m, lo)} are exchanged with the tile
 * of rev(m) transposed, so every access touches whole cache lines. When
 * m = rev(m) the tile is exchanged with itself, which is the same code:
 * both copies are taken before anything is written. */
#include <string.h>

#include "ntt/ntt_internal.h"

static inline size_t rev_bits(size_t x, unsigned bits)
{
    uint64_t v = (uint64_t)x;
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
    v = __builtin_bswap64(v);
    return bits ? (size_t)(v >> (64 - bits)) : 0;
}

/* Exchanges tile m with tile mr (m <= mr) for tiles of side 2^TB; one copy
 * per tile size so the compiler sees constant loop bounds. Element
 * (hi, m, lo) receives source element (rev lo, mr, rev hi). */
#define DEFINE_TILE_PAIR(TB)                                                   \
    static void tile_pair_##TB(zki_fe *a, unsigned log_n, size_t m, size_t mr) \
    {                                                                          \
        enum { S = 1 << TB };                                                  \
        zki_fe ta[S][S], tb[S][S];                                             \
        unsigned char r[S];                                                    \
        for (size_t i = 0; i < S; i++)                                         \
            r[i] = (unsigned char)rev_bits(i, TB);                             \
        for (size_t hi = 0; hi < S; hi++) {                                    \
            memcpy(ta[hi], a + (hi << (log_n - TB)) + (m << TB), sizeof ta[hi]); \
            memcpy(tb[hi], a + (hi << (log_n - TB)) + (mr << TB), sizeof tb[hi]); \
        }                                                                      \
        for (size_t hi = 0; hi < S; hi++) {                                    \
            zki_fe *row = a + (hi << (log_n - TB)) + (m << TB);                \
            zki_fe *row_r = a + (hi << (log_n - TB)) + (mr << TB);             \
            for (size_t lo = 0; lo < S; lo++) {                                \
                row[lo] = tb[r[lo]][r[hi]];                                    \
                row_r[lo] = ta[r[lo]][r[hi]];                                  \
            }                                                                  \
        }                                                                      \
    }

DEFINE_TILE_PAIR(4)
DEFINE_TILE_PAIR(5)

void zki_ntt_bitreverse(zki_fe *a, unsigned log_n)
{
    size_t n = (size_t)1 << log_n;
    if (log_n < 8) {
        for (size_t i = 0; i < n; i++) {
            size_t j = rev_bits(i, log_n);
            if (i < j) {
                zki_fe t = a[i];
                a[i] = a[j];
                a[j] = t;
            }
        }
        return;
    }
    /* Tile side 2^tb: 16 x 16 (two cache lines per row) suits arrays in
     * L2/L3; 32 x 32 halves the scattered row fetches from DRAM. */
    unsigned tb = log_n >= 22 ? 5 : 4;
    unsigned mid = log_n - 2 * tb;
    long nm = (long)((size_t)1 << mid);
#pragma omp parallel for schedule(dynamic, 64) if (log_n >= 16)
    for (long mi = 0; mi < nm; mi++) {
        size_t m = (size_t)mi, mr = rev_bits(m, mid);
        if (mr < m)
            continue; /* done with its partner */
        if (tb == 4)
            tile_pair_4(a, log_n, m, mr);
        else
            tile_pair_5(a, log_n, m, mr);
    }
}
