/* Vector kernels: portable against scalar reference loops (128-bit %
 * arithmetic, the addition form a + r (b - a)); every SIMD table this CPU
 * supports against portable, bit for bit, on random and edge inputs near
 * p = 2^64 - 2^32 + 1, many lengths (odd ones and tails), misaligned
 * pointers, in-place folds; the one dispatcher (common/cpu_features.h) and
 * ZKI_VEC. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cpu_features.h"
#include "common/rng.h"
#include "field/vec.h"
#include "test.h"

static const zki_fe edges[] = {
    0, 1, 2, 3, ZKI_P - 1, ZKI_P - 2, ZKI_P - 3, 0xFFFFFFFFULL, 0x100000000ULL, 0x100000001ULL,
    0x8000000000000000ULL, 0x7FFFFFFFFFFFFFFFULL, 0x8000000000000001ULL, ZKI_P / 2,
    ZKI_P - 0xFFFFFFFFULL, /* 2^64 - 2^33 + 2 */
    0xFFFFFFFE00000000ULL, 0xFFFFFFFEFFFFFFFFULL, 0x00000000FFFFFFFEULL, 0xFFFFFFFF00000000ULL - 1,
};
#define NEDGES (sizeof edges / sizeof edges[0])

static const size_t lengths[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1000, 4097};
#define NLEN (sizeof lengths / sizeof lengths[0])
#define MAXN 4097
#define PAD 3 /* room for misaligned starts */

static zki_fe ref_mul(zki_fe a, zki_fe b) { return (zki_fe)(((unsigned __int128)a * b) % ZKI_P); }
static zki_fe ref_add(zki_fe a, zki_fe b) { return (zki_fe)(((unsigned __int128)a + b) % ZKI_P); }
static zki_fe ref_sub(zki_fe a, zki_fe b) { return ref_add(a, ZKI_P - b); }

/* (x0 + x1 u)(y0 + y1 u) with u^2 = 7, by the reference ops. */
static zki_ext ref_ext_mul(zki_ext x, zki_ext y)
{
    return zki_ext_make(ref_add(ref_mul(x.c0, y.c0), ref_mul(7, ref_mul(x.c1, y.c1))),
                        ref_add(ref_mul(x.c0, y.c1), ref_mul(x.c1, y.c0)));
}

/* a + r (b - a) */
static zki_ext ref_fold(zki_ext a, zki_ext b, zki_ext r)
{
    zki_ext t = ref_ext_mul(zki_ext_make(ref_sub(b.c0, a.c0), ref_sub(b.c1, a.c1)), r);
    return zki_ext_make(ref_add(a.c0, t.c0), ref_add(a.c1, t.c1));
}

/* mode 0: uniform; 1: edge values only; 2: a mix of both. */
static zki_fe gen_fe(zki_rng *g, int mode)
{
    if (mode == 1 || (mode == 2 && (zki_rng_u64(g) & 1)))
        return edges[zki_rng_below(g, NEDGES)];
    return zki_rng_below(g, ZKI_P);
}

static zki_ext gen_ext(zki_rng *g, int mode) { return zki_ext_make(gen_fe(g, mode), gen_fe(g, mode)); }

static void fill(zki_rng *g, zki_fe *v, size_t n, int mode)
{
    for (size_t i = 0; i < n; i++)
        v[i] = gen_fe(g, mode);
}

static int same(const void *x, const void *y, size_t bytes)
{
    return bytes == 0 || memcmp(x, y, bytes) == 0;
}

/* ---- portable against scalar references -------------------------------- */

static void test_portable_reference(void)
{
    const zki_vec_impl *v = &zki_vec_portable;
    static zki_fe a[2 * MAXN];
    static zki_ext e[2 * MAXN], eo[2 * MAXN], lo[MAXN], hi[MAXN];
    zki_rng g;
    zki_rng_seed(&g, 11);
    int bad = 0;
    for (int mode = 0; mode < 3; mode++) {
        for (size_t li = 0; li < NLEN; li++) {
            size_t n = lengths[li];
            zki_ext r = gen_ext(&g, mode);
            fill(&g, a, 2 * n, mode);
            fill(&g, (zki_fe *)e, 4 * n, mode);

            v->fold_base(eo, a, n, r);
            for (size_t i = 0; i < n; i++)
                bad += !zki_ext_eq(eo[i], ref_fold(zki_ext_from_fe(a[2 * i]),
                                                   zki_ext_from_fe(a[2 * i + 1]), r));
            v->fold_ext(eo, e, n, r);
            for (size_t i = 0; i < n; i++)
                bad += !zki_ext_eq(eo[i], ref_fold(e[2 * i], e[2 * i + 1], r));

            memcpy(lo, e, n * sizeof *lo);
            v->eq_split(lo, hi, n, r);
            for (size_t i = 0; i < n; i++) {
                zki_ext h = ref_ext_mul(e[i], r);
                bad += !zki_ext_eq(hi[i], h);
                bad += !zki_ext_eq(lo[i], zki_ext_make(ref_sub(e[i].c0, h.c0), ref_sub(e[i].c1, h.c1)));
            }
        }
    }
    CHECK_MSG(bad == 0, "%d portable mismatches", bad);
}

/* ---- one SIMD table against portable ------------------------------------ */

typedef struct {
    zki_fe a[2 * MAXN + PAD];
    zki_ext e[2 * MAXN + PAD], o[MAXN + PAD + 1], r[MAXN + PAD + 1];
    zki_ext ip[2 * MAXN + PAD], ip2[2 * MAXN + PAD];
    zki_ext lo[MAXN + PAD], lo2[MAXN + PAD], hi[MAXN + PAD + 1], hi2[MAXN + PAD + 1];
} bufs;

/* Compares every kernel of v with portable for one length, input mode, pointer
 * offset (in elements, so vectors start unaligned) and challenge; returns
 * the number of mismatching kernels. */
static int compare_once(const zki_vec_impl *v, bufs *B, zki_rng *g, size_t n, int mode,
                        size_t off, zki_ext r)
{
    const zki_vec_impl *p = &zki_vec_portable;
    zki_fe *a = B->a + off;
    zki_ext *e = B->e + off, *o = B->o + off, *rr = B->r + off;
    fill(g, a, 2 * n, mode);
    fill(g, (zki_fe *)e, 4 * n, mode);
    /* A sentinel after the end catches writes past n. */
    const zki_ext sentinel = zki_ext_make(0xDEADBEEFDEADBEEFULL, 0xFEEDFACEFEEDFACEULL);
    o[n] = rr[n] = sentinel;
    int bad = 0;

    v->fold_base(o, a, n, r), p->fold_base(rr, a, n, r);
    bad += !same(o, rr, n * sizeof *o) || !zki_ext_eq(o[n], sentinel);
    v->fold_ext(o, e, n, r), p->fold_ext(rr, e, n, r);
    bad += !same(o, rr, n * sizeof *o) || !zki_ext_eq(o[n], sentinel);

    /* In place, as the sum-check binding and zki_mle_fold_ext use it. */
    zki_ext *ip = B->ip + off, *ip2 = B->ip2 + off;
    memcpy(ip, e, 2 * n * sizeof *ip);
    memcpy(ip2, e, 2 * n * sizeof *ip2);
    v->fold_ext(ip, ip, n, r), p->fold_ext(ip2, ip2, n, r);
    bad += !same(ip, ip2, 2 * n * sizeof *ip) || !same(ip, rr, n * sizeof *ip);

    zki_ext *lo = B->lo + off, *lo2 = B->lo2 + off, *hi = B->hi + off, *hi2 = B->hi2 + off;
    memcpy(lo, e, n * sizeof *lo);
    memcpy(lo2, e, n * sizeof *lo2);
    hi[n] = hi2[n] = sentinel;
    v->eq_split(lo, hi, n, r), p->eq_split(lo2, hi2, n, r);
    bad += !same(lo, lo2, n * sizeof *lo) || !same(hi, hi2, (n + 1) * sizeof *hi);
    return bad;
}

static void test_against_portable(const zki_vec_impl *v)
{
    static bufs B;
    zki_rng g;
    zki_rng_seed(&g, 22);
    int bad = 0, runs = 0;
    for (int mode = 0; mode < 3; mode++)
        for (size_t li = 0; li < NLEN; li++)
            for (size_t off = 0; off < PAD; off++) {
                bad += compare_once(v, &B, &g, lengths[li], mode, off, gen_ext(&g, mode));
                runs++;
            }
    /* More random lengths and offsets, including ones that only mix
     * vectors and tails. */
    for (int t = 0; t < 200; t++) {
        size_t n = zki_rng_below(&g, 300);
        int mode = (int)zki_rng_below(&g, 3);
        bad += compare_once(v, &B, &g, n, mode, zki_rng_below(&g, PAD), gen_ext(&g, mode));
        runs++;
    }
    /* Every pair of edge values as challenge coordinates, on edge inputs. */
    for (size_t i = 0; i < NEDGES; i++)
        for (size_t j = 0; j < NEDGES; j++) {
            bad += compare_once(v, &B, &g, 37, 1, (i + j) % PAD, zki_ext_make(edges[i], edges[j]));
            runs++;
        }
    CHECK_MSG(bad == 0, "%s: %d mismatching kernels in %d runs", v->name, bad, runs);
}

/* ---- selection ------------------------------------------------------------ */

static void test_selection(void)
{
    zki_cpu_level l;
    CHECK(zki_cpu_level_parse("portable", &l) == 0 && l == ZKI_CPU_PORTABLE);
    CHECK(zki_cpu_level_parse("avx2", &l) == 0 && l == ZKI_CPU_AVX2);
    CHECK(zki_cpu_level_parse("avx512", &l) == 0 && l == ZKI_CPU_AVX512);
    CHECK(zki_cpu_level_parse("AVX2", &l) != 0);
    CHECK(zki_cpu_level_parse("", &l) != 0);
    CHECK(zki_cpu_level_parse(NULL, &l) != 0);
    for (int i = 0; i < ZKI_CPU_NLEVELS; i++)
        CHECK(zki_cpu_level_parse(zki_cpu_level_name((zki_cpu_level)i), &l) == 0 && (int)l == i);

    CHECK(zki_vec_get("portable") == &zki_vec_portable);
    CHECK(zki_vec_get("no-such-impl") == NULL);
    CHECK(zki_vec_get(NULL) == NULL);
    for (const char *const *nm = (const char *const[]){"portable", "avx2", "avx512", NULL}; *nm;
         nm++) {
        const zki_vec_impl *v = zki_vec_get(*nm);
        CHECK(zki_cpu_level_parse(*nm, &l) == 0 && (v != NULL) == (l <= zki_cpu_detected()));
        if (v)
            CHECK(strcmp(v->name, *nm) == 0 && v->level == l);
    }
    /* The level is chosen once, so ZKI_VEC is tested only when unset. */
    const char *env = getenv("ZKI_VEC");
    if (!env)
        setenv("ZKI_VEC", "portable", 1);
    const zki_vec_impl *chosen = zki_vec();
    CHECK(chosen != NULL);
    CHECK(zki_vec() == chosen);
    CHECK(chosen == zki_vec_get(chosen->name));
    CHECK(chosen->level == zki_cpu_level_get());
    CHECK(zki_cpu_level_get() <= zki_cpu_detected());
    if (!env)
        CHECK(chosen == &zki_vec_portable);
    printf("CPU level %s; zki_vec() chose %s (ZKI_VEC=%s)\n", zki_cpu_level_name(zki_cpu_detected()),
           chosen->name, env ? env : "portable, set by test");
}

int main(void)
{
    test_portable_reference();
    printf("tested portable against scalar references\n");
    const char *names[] = {"avx2", "avx512"};
    for (size_t i = 0; i < 2; i++) {
        const zki_vec_impl *v = zki_vec_get(names[i]);
        if (!v) {
            printf("%s: not supported by this CPU, skipped\n", names[i]);
            continue;
        }
        test_against_portable(v);
        printf("tested %s against portable\n", v->name);
    }
    test_selection();
    return TEST_SUMMARY();
}
