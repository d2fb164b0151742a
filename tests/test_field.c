/* Base and extension field arithmetic against 128-bit reference arithmetic,
 * field axioms on random and edge values, inverses and serialisation. */
#include "common/rng.h"
#include "field/field.h"
#include "test.h"

static const zki_fe edges[] = {0, 1, 2, ZKI_P - 1, ZKI_P - 2, 0xFFFFFFFFULL,
                               0x100000000ULL, ZKI_P / 2, 0x8000000000000000ULL};
#define NEDGES (sizeof edges / sizeof edges[0])

static zki_fe ref_mul(zki_fe a, zki_fe b) { return (zki_fe)(((unsigned __int128)a * b) % ZKI_P); }
static zki_fe ref_add(zki_fe a, zki_fe b) { return (zki_fe)(((unsigned __int128)a + b) % ZKI_P); }

static zki_fe rand_fe(zki_rng *g) { return zki_rng_below(g, ZKI_P); }
static zki_ext rand_ext(zki_rng *g) { return zki_ext_make(rand_fe(g), rand_fe(g)); }

static void test_base_against_reference(void)
{
    zki_rng g;
    zki_rng_seed(&g, 1);
    int bad = 0;
    for (int i = 0; i < 200000; i++) {
        zki_fe a = i < (int)(NEDGES * NEDGES) ? edges[i % NEDGES] : rand_fe(&g);
        zki_fe b = i < (int)(NEDGES * NEDGES) ? edges[i / NEDGES] : rand_fe(&g);
        if (zki_fe_mul(a, b) != ref_mul(a, b)) bad++;
        if (zki_fe_add(a, b) != ref_add(a, b)) bad++;
        if (zki_fe_add(zki_fe_sub(a, b), b) != a) bad++;
        if (zki_fe_add(a, zki_fe_neg(a)) != 0) bad++;
    }
    CHECK_MSG(bad == 0, "%d mismatches", bad);
    /* Worst-case 128-bit inputs of the reduction itself. */
    unsigned __int128 big[] = {~(unsigned __int128)0, (unsigned __int128)(ZKI_P - 1) * (ZKI_P - 1),
                               ((unsigned __int128)1 << 127), ((unsigned __int128)ZKI_P << 64)};
    for (size_t i = 0; i < 4; i++)
        CHECK(zki_fe_reduce128(big[i]) == (zki_fe)(big[i] % ZKI_P));
    CHECK(zki_fe_from_u64(UINT64_MAX) == (zki_fe)(UINT64_MAX % ZKI_P));
    CHECK(zki_fe_from_i64(-1) == ZKI_P - 1);
    CHECK(zki_fe_from_i64(-128) == ZKI_P - 128);
}

static void test_base_inverse_pow(void)
{
    zki_rng g;
    zki_rng_seed(&g, 2);
    for (size_t i = 1; i < NEDGES; i++)
        CHECK(zki_fe_mul(edges[i], zki_fe_inv(edges[i])) == 1);
    CHECK(zki_fe_inv(0) == 0);
    CHECK(zki_fe_pow(3, 0) == 1);
    CHECK(zki_fe_pow(3, 5) == 243);
    CHECK(zki_fe_pow(rand_fe(&g), ZKI_P - 1) == 1);

    enum { N = 3000 };
    static zki_fe in[N], out[N];
    for (int i = 0; i < N; i++)
        in[i] = (i % 97 == 0) ? 0 : rand_fe(&g);
    zki_fe_batch_inv(out, in, N);
    int bad = 0;
    for (int i = 0; i < N; i++)
        bad += in[i] ? zki_fe_mul(in[i], out[i]) != 1 : out[i] != 0;
    CHECK_MSG(bad == 0, "%d bad batch inverses", bad);
    zki_fe_batch_inv(in, in, N); /* aliasing */
    int same = 1;
    for (int i = 0; i < N; i++)
        same &= in[i] == out[i];
    CHECK(same);
}

static void test_roots(void)
{
    for (unsigned k = 0; k <= ZKI_TWO_ADICITY; k++) {
        zki_fe w = zki_fe_root_of_unity(k);
        CHECK_MSG(zki_fe_pow(w, (uint64_t)1 << k) == 1, "order of root 2^%u", k);
        if (k > 0)
            CHECK_MSG(zki_fe_pow(w, (uint64_t)1 << (k - 1)) == ZKI_P - 1, "primitive 2^%u", k);
    }
}

static void test_serialisation(void)
{
    uint8_t buf[16];
    zki_fe x;
    for (size_t i = 0; i < NEDGES; i++) {
        zki_fe a = edges[i] % ZKI_P;
        zki_fe_to_bytes(buf, a);
        CHECK(zki_fe_from_bytes(&x, buf) == ZKI_OK && x == a);
    }
    zki_fe_to_bytes(buf, 0x0123456789abcdefULL);
    CHECK(buf[0] == 0xef && buf[7] == 0x01);
    uint64_t noncanon[] = {ZKI_P, ZKI_P + 1, UINT64_MAX};
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 8; j++)
            buf[j] = (uint8_t)(noncanon[i] >> (8 * j));
        CHECK(zki_fe_from_bytes(&x, buf) == ZKI_ERR_INPUT);
    }
    zki_ext e = zki_ext_make(5, ZKI_P - 1), f;
    zki_ext_to_bytes(buf, e);
    CHECK(zki_ext_from_bytes(&f, buf) == ZKI_OK && zki_ext_eq(e, f));
    buf[15] = 0xff;
    buf[8] = 0xff;
    for (int j = 9; j < 15; j++) buf[j] = 0xff;
    CHECK(zki_ext_from_bytes(&f, buf) == ZKI_ERR_INPUT);
}

/* Reference extension product in schoolbook form with 128-bit arithmetic. */
static zki_ext ref_ext_mul(zki_ext a, zki_ext b)
{
    zki_fe re = ref_add(ref_mul(a.c0, b.c0), ref_mul(7, ref_mul(a.c1, b.c1)));
    zki_fe im = ref_add(ref_mul(a.c0, b.c1), ref_mul(a.c1, b.c0));
    return zki_ext_make(re, im);
}

static void test_extension(void)
{
    zki_rng g;
    zki_rng_seed(&g, 3);
    int bad = 0;
    for (int i = 0; i < 100000; i++) {
        zki_ext a = i < 81 ? zki_ext_make(edges[i % 9], edges[i / 9]) : rand_ext(&g);
        zki_ext b = i < 81 ? zki_ext_make(edges[i / 9], edges[(i + 3) % 9]) : rand_ext(&g);
        zki_ext c = rand_ext(&g);
        if (!zki_ext_eq(zki_ext_mul(a, b), ref_ext_mul(a, b))) bad++;
        if (!zki_ext_eq(zki_ext_mul(a, zki_ext_add(b, c)),
                        zki_ext_add(zki_ext_mul(a, b), zki_ext_mul(a, c)))) bad++;
        if (!zki_ext_eq(zki_ext_scale(a, b.c0), zki_ext_mul(a, zki_ext_from_fe(b.c0)))) bad++;
        if (!zki_ext_is_zero(a) && !zki_ext_eq(zki_ext_mul(a, zki_ext_inv(a)), zki_ext_one())) bad++;
    }
    CHECK_MSG(bad == 0, "%d extension mismatches", bad);
    /* u^2 = 7 */
    zki_ext u = zki_ext_make(0, 1);
    CHECK(zki_ext_eq(zki_ext_sqr(u), zki_ext_from_fe(7)));
    /* Fermat in the extension: a^(p^2 - 1) = 1, as a^(p-1) then ^(p+1). */
    zki_ext a = rand_ext(&g);
    CHECK(zki_ext_eq(zki_ext_pow(zki_ext_pow(a, ZKI_P - 1), ZKI_P + 1), zki_ext_one()));

    enum { N = 1500 };
    static zki_ext in[N], out[N];
    for (int i = 0; i < N; i++)
        in[i] = (i % 50 == 0) ? zki_ext_zero() : rand_ext(&g);
    zki_ext_batch_inv(out, in, N);
    bad = 0;
    for (int i = 0; i < N; i++)
        bad += zki_ext_is_zero(in[i]) ? !zki_ext_is_zero(out[i])
                                      : !zki_ext_eq(zki_ext_mul(in[i], out[i]), zki_ext_one());
    CHECK_MSG(bad == 0, "%d bad ext batch inverses", bad);
}

static void test_accumulators(void)
{
    zki_rng g;
    zki_rng_seed(&g, 4);
    enum { N = 5000 };
    zki_acc acc;
    zki_acc_zero(&acc);
    zki_fe expect = 0;
    /* All-maximal products stress the carry word. */
    for (int i = 0; i < N; i++) {
        zki_fe a = i < 1000 ? ZKI_P - 1 : rand_fe(&g), b = i < 1000 ? ZKI_P - 1 : rand_fe(&g);
        zki_acc_mac(&acc, a, b);
        expect = zki_fe_add(expect, zki_fe_mul(a, b));
    }
    CHECK(acc.hi > 0);
    CHECK(zki_acc_reduce(&acc) == expect);

    zki_ext_acc ea, eb;
    zki_ext_acc_zero(&ea);
    zki_ext_acc_zero(&eb);
    zki_ext eexp = zki_ext_zero();
    for (int i = 0; i < N; i++) {
        zki_ext a = rand_ext(&g), b = rand_ext(&g);
        zki_fe s = rand_fe(&g);
        zki_ext_acc *t = (i & 1) ? &ea : &eb;
        zki_ext_acc_mac(t, a, b);
        zki_ext_acc_mac_fe(t, s, b);
        eexp = zki_ext_add(eexp, zki_ext_add(zki_ext_mul(a, b), zki_ext_scale(b, s)));
    }
    zki_ext_acc_merge(&ea, &eb);
    CHECK(zki_ext_eq(zki_ext_acc_reduce(&ea), eexp));
}

int main(void)
{
    test_base_against_reference();
    test_base_inverse_pow();
    test_roots();
    test_serialisation();
    test_extension();
    test_accumulators();
    return TEST_SUMMARY();
}
