/* Vector kernels: portable against scalar reference loops (field.h ops and
 * 128-bit % arithmetic); every SIMD table this CPU supports against portable,
 * bit for bit, on random and edge inputs, many lengths (tails), misaligned
 * pointers and out aliasing an input; run-time selection and ZKI_VEC. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

static const size_t lengths[] = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1000, 4097};
#define NLEN (sizeof lengths / sizeof lengths[0])
#define MAXN 4097
#define PAD 3 /* room for misaligned starts */

static zki_fe ref_mul(zki_fe a, zki_fe b) { return (zki_fe)(((unsigned __int128)a * b) % ZKI_P); }
static zki_fe ref_add(zki_fe a, zki_fe b) { return (zki_fe)(((unsigned __int128)a + b) % ZKI_P); }

/* mode 0: uniform; 1: edge values only; 2: a mix of both. */
static zki_fe gen_fe(zki_rng *g, int mode)
{
    if (mode == 1 || (mode == 2 && (zki_rng_u64(g) & 1)))
        return edges[zki_rng_below(g, NEDGES)];
    return zki_rng_below(g, ZKI_P);
}

static void fill(zki_rng *g, zki_fe *v, size_t n, int mode)
{
    for (size_t i = 0; i < n; i++)
        v[i] = gen_fe(g, mode);
}

/* ---- portable against scalar references -------------------------------- */

static void test_portable_reference(void)
{
    const zki_vec_impl *v = &zki_vec_portable;
    static zki_fe a[MAXN], b[MAXN], o[MAXN], o2[MAXN];
    static zki_ext e[MAXN], eo[MAXN];
    zki_rng g;
    zki_rng_seed(&g, 11);
    int bad = 0;
    for (int mode = 0; mode < 3; mode++) {
        for (size_t li = 0; li < NLEN; li++) {
            size_t n = lengths[li];
            fill(&g, a, n, mode);
            fill(&g, b, n, mode);
            for (size_t i = 0; i < n; i++)
                e[i] = zki_ext_make(gen_fe(&g, mode), gen_fe(&g, mode));
            zki_fe s = gen_fe(&g, mode);
            zki_ext se = zki_ext_make(gen_fe(&g, mode), gen_fe(&g, mode));

            v->add(o, a, b, n);
            for (size_t i = 0; i < n; i++)
                bad += o[i] != ref_add(a[i], b[i]);
            v->sub(o, a, b, n);
            for (size_t i = 0; i < n; i++)
                bad += ref_add(o[i], b[i]) != a[i] || o[i] >= ZKI_P;
            v->mul(o, a, b, n);
            for (size_t i = 0; i < n; i++)
                bad += o[i] != ref_mul(a[i], b[i]);

            fill(&g, o, n, mode);
            memcpy(o2, o, n * sizeof *o);
            v->muladd(o, a, b, n);
            for (size_t i = 0; i < n; i++)
                bad += o[i] != ref_add(o2[i], ref_mul(a[i], b[i]));
            memcpy(o, o2, n * sizeof *o);
            v->axpy(o, s, a, n);
            for (size_t i = 0; i < n; i++)
                bad += o[i] != zki_fe_add(o2[i], zki_fe_mul(s, a[i]));

            v->scale_ext(eo, a, se, n);
            for (size_t i = 0; i < n; i++)
                bad += !zki_ext_eq(eo[i], zki_ext_mul(zki_ext_from_fe(a[i]), se));

            /* Schoolbook with 128-bit reference ops: (e * (a + b u)). */
            for (size_t i = 0; i < n; i++)
                eo[i] = zki_ext_make(a[i], b[i]);
            v->ext_mul(eo, e, eo, n);
            for (size_t i = 0; i < n; i++) {
                zki_fe re = ref_add(ref_mul(e[i].c0, a[i]), ref_mul(7, ref_mul(e[i].c1, b[i])));
                zki_fe im = ref_add(ref_mul(e[i].c0, b[i]), ref_mul(e[i].c1, a[i]));
                bad += eo[i].c0 != re || eo[i].c1 != im;
            }

            /* Reduce-every-step sums, independent of the lazy accumulators. */
            zki_fe acc = 0;
            zki_ext eacc = zki_ext_zero();
            for (size_t i = 0; i < n; i++) {
                acc = zki_fe_add(acc, ref_mul(a[i], b[i]));
                eacc = zki_ext_add(eacc, zki_ext_scale(e[i], a[i]));
            }
            bad += v->inner(a, b, n) != acc;
            bad += !zki_ext_eq(v->inner_ext(a, e, n), eacc);
        }
    }
    CHECK_MSG(bad == 0, "%d portable mismatches", bad);

    /* Largest products: every partial sum is as big as it gets. */
    for (size_t i = 0; i < MAXN; i++) {
        a[i] = ZKI_P - 1;
        e[i] = zki_ext_make(ZKI_P - 1, ZKI_P - 1);
    }
    zki_fe want = MAXN; /* (p-1)^2 = 1 */
    CHECK(v->inner(a, a, MAXN) == want);
    CHECK(zki_ext_eq(v->inner_ext(a, e, MAXN), zki_ext_make(want, want)));
}

/* ---- one SIMD table against portable ------------------------------------ */

typedef struct {
    zki_fe a[MAXN + PAD], b[MAXN + PAD], o[MAXN + PAD], r[MAXN + PAD], init[MAXN + PAD];
    zki_ext e[MAXN + PAD], eo[MAXN + PAD], er[MAXN + PAD];
} bufs;

static int same(const zki_fe *x, const zki_fe *y, size_t n)
{
    return n == 0 || memcmp(x, y, n * sizeof *x) == 0;
}

/* Compares every kernel of v with portable for one length, input mode and
 * pointer offset (in elements, so vectors start unaligned); returns the
 * number of mismatching kernels. */
static int compare_once(const zki_vec_impl *v, bufs *B, zki_rng *g, size_t n, int mode,
                        size_t off)
{
    const zki_vec_impl *p = &zki_vec_portable;
    zki_fe *a = B->a + off, *b = B->b + off, *o = B->o + off, *r = B->r + off;
    zki_fe *init = B->init + off;
    zki_ext *e = B->e + off, *eo = B->eo + off, *er = B->er + off;
    fill(g, a, n, mode);
    fill(g, b, n, mode);
    fill(g, init, n, mode);
    for (size_t i = 0; i < n; i++)
        e[i] = zki_ext_make(gen_fe(g, mode), gen_fe(g, mode));
    zki_fe s = gen_fe(g, mode);
    zki_ext se = zki_ext_make(gen_fe(g, mode), gen_fe(g, mode));
    /* A sentinel after the end catches writes past n. */
    const zki_fe sentinel = 0xDEADBEEFDEADBEEFULL;
    o[n] = r[n] = sentinel;
    int bad = 0;

    v->add(o, a, b, n), p->add(r, a, b, n);
    bad += !same(o, r, n);
    v->sub(o, a, b, n), p->sub(r, a, b, n);
    bad += !same(o, r, n);
    v->mul(o, a, b, n), p->mul(r, a, b, n);
    bad += !same(o, r, n);
    memcpy(o, init, n * sizeof *o), memcpy(r, init, n * sizeof *r);
    v->muladd(o, a, b, n), p->muladd(r, a, b, n);
    bad += !same(o, r, n);
    memcpy(o, init, n * sizeof *o), memcpy(r, init, n * sizeof *r);
    v->axpy(o, s, a, n), p->axpy(r, s, a, n);
    bad += !same(o, r, n);
    bad += o[n] != sentinel || r[n] != sentinel;

    eo[n] = er[n] = zki_ext_make(sentinel, sentinel);
    v->scale_ext(eo, a, se, n), p->scale_ext(er, a, se, n);
    bad += !same((const zki_fe *)eo, (const zki_fe *)er, 2 * n);
    bad += eo[n].c0 != sentinel || eo[n].c1 != sentinel;

    /* Extension products of e with (a + b u) and with itself (aliased). */
    for (size_t i = 0; i < n; i++)
        er[i] = zki_ext_make(a[i], b[i]);
    memcpy(eo, er, n * sizeof *eo);
    v->ext_mul(eo, e, eo, n), p->ext_mul(er, e, er, n);
    bad += !same((const zki_fe *)eo, (const zki_fe *)er, 2 * n);
    bad += eo[n].c0 != sentinel || eo[n].c1 != sentinel;
    memcpy(eo, e, n * sizeof *eo);
    v->ext_mul(eo, eo, eo, n), p->ext_mul(er, e, e, n);
    bad += !same((const zki_fe *)eo, (const zki_fe *)er, 2 * n);

    bad += v->inner(a, b, n) != p->inner(a, b, n);
    bad += !zki_ext_eq(v->inner_ext(a, e, n), p->inner_ext(a, e, n));

    /* out aliasing a (and b): results must match the non-aliased ones. */
    for (int op = 0; op < 5; op++) {
        for (int which = 0; which < 2; which++) {
            zki_fe *x = which ? b : a;
            memcpy(o, x, n * sizeof *o); /* o is the aliased copy */
            const zki_fe *ya = which ? a : o, *yb = which ? o : b;
            switch (op) {
            case 0: v->add(o, ya, yb, n), p->add(r, a, b, n); break;
            case 1: v->sub(o, ya, yb, n), p->sub(r, a, b, n); break;
            case 2: v->mul(o, ya, yb, n), p->mul(r, a, b, n); break;
            case 3: /* out[i] = x[i] + a[i] * b[i] */
                memcpy(r, x, n * sizeof *r);
                v->muladd(o, ya, yb, n), p->muladd(r, a, b, n);
                break;
            default: /* out[i] = x[i] + s * x[i] */
                memcpy(r, x, n * sizeof *r);
                v->axpy(o, s, o, n), p->axpy(r, s, x, n);
                break;
            }
            bad += !same(o, r, n);
        }
    }
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
                bad += compare_once(v, &B, &g, lengths[li], mode, off);
                runs++;
            }
    /* More random lengths and offsets, including ones that only mix
     * vectors and tails. */
    for (int t = 0; t < 200; t++) {
        size_t n = zki_rng_below(&g, 300);
        bad += compare_once(v, &B, &g, n, (int)zki_rng_below(&g, 3), zki_rng_below(&g, PAD));
        runs++;
    }
    CHECK_MSG(bad == 0, "%s: %d mismatching kernels in %d runs", v->name, bad, runs);

    /* Every ordered pair of edge values, element-wise. */
    enum { NP = NEDGES * NEDGES };
    zki_fe a[NP], b[NP], o[NP], r[NP];
    for (size_t i = 0; i < NP; i++) {
        a[i] = edges[i % NEDGES];
        b[i] = edges[i / NEDGES];
    }
    bad = 0;
    v->add(o, a, b, NP), zki_vec_portable.add(r, a, b, NP);
    bad += !same(o, r, NP);
    v->sub(o, a, b, NP), zki_vec_portable.sub(r, a, b, NP);
    bad += !same(o, r, NP);
    v->mul(o, a, b, NP), zki_vec_portable.mul(r, a, b, NP);
    bad += !same(o, r, NP);
    for (size_t i = 0; i < NP; i++)
        bad += o[i] != ref_mul(a[i], b[i]);
    for (size_t k = 0; k < NEDGES; k++) {
        v->axpy(o, edges[k], a, NP), zki_vec_portable.axpy(r, edges[k], a, NP);
        bad += !same(o, r, NP);
    }
    CHECK_MSG(bad == 0, "%s: %d edge-pair mismatches", v->name, bad);

    /* Largest products in every lane of the lazy sums. */
    static zki_fe big[MAXN];
    static zki_ext ebig[MAXN];
    for (size_t i = 0; i < MAXN; i++) {
        big[i] = ZKI_P - 1;
        ebig[i] = zki_ext_make(ZKI_P - 1, ZKI_P - 1);
    }
    CHECK(v->inner(big, big, MAXN) == zki_vec_portable.inner(big, big, MAXN));
    CHECK(zki_ext_eq(v->inner_ext(big, ebig, MAXN), zki_vec_portable.inner_ext(big, ebig, MAXN)));
}

/* ---- selection ------------------------------------------------------------ */

static void test_selection(void)
{
    CHECK(zki_vec_get("portable") == &zki_vec_portable);
    CHECK(zki_vec_get("no-such-impl") == NULL);
    CHECK(zki_vec_get(NULL) == NULL);
    for (const char *const *nm = (const char *const[]){"portable", "avx2", "avx512", NULL}; *nm;
         nm++) {
        const zki_vec_impl *v = zki_vec_get(*nm);
        if (v)
            CHECK(strcmp(v->name, *nm) == 0);
    }
    /* The choice is made once, so ZKI_VEC is tested only when unset. */
    const char *env = getenv("ZKI_VEC");
    if (!env)
        setenv("ZKI_VEC", "portable", 1);
    const zki_vec_impl *chosen = zki_vec();
    CHECK(chosen != NULL);
    CHECK(zki_vec() == chosen);
    CHECK(chosen == zki_vec_get(chosen->name));
    if (!env)
        CHECK(chosen == &zki_vec_portable);
    printf("zki_vec() chose %s (ZKI_VEC=%s)\n", chosen->name, env ? env : "portable, set by test");
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
