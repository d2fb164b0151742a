/* Transcript: determinism, domain separation of labels, kinds and message
 * boundaries, challenge ranges and the absence of modulo bias. */
#include <string.h>

#include "transcript/transcript.h"
#include "test.h"

static zki_transcript fresh(void)
{
    zki_transcript t;
    zki_ts_init(&t, "zkinfer-test", 1);
    return t;
}

/* The challenge drawn after a scripted sequence of absorbs. */
typedef void (*script_fn)(zki_transcript *t);

static zki_ext run(script_fn f)
{
    zki_transcript t = fresh();
    f(&t);
    zki_ext c = zki_ts_challenge_ext(&t, "c");
    zki_ts_free(&t);
    return c;
}

static void s_ab_c(zki_transcript *t) { zki_ts_absorb_bytes(t, "m", "ab", 2); zki_ts_absorb_bytes(t, "m", "c", 1); }
static void s_a_bc(zki_transcript *t) { zki_ts_absorb_bytes(t, "m", "a", 1); zki_ts_absorb_bytes(t, "m", "bc", 2); }
static void s_abc(zki_transcript *t) { zki_ts_absorb_bytes(t, "m", "abc", 3); }
static void s_label_shift(zki_transcript *t) { zki_ts_absorb_bytes(t, "ma", "bc", 2); }
static void s_fe(zki_transcript *t) { zki_ts_absorb_fe(t, "x", 5); }
static void s_u64(zki_transcript *t) { zki_ts_absorb_u64(t, "x", 5); }
static void s_fe_vec1(zki_transcript *t) { zki_fe v = 5; zki_ts_absorb_fe_vec(t, "x", &v, 1); }
static void s_ext(zki_transcript *t) { zki_ts_absorb_ext(t, "x", zki_ext_make(5, 0)); }
static void s_fe_pair(zki_transcript *t) { zki_ts_absorb_fe(t, "x", 1); zki_ts_absorb_fe(t, "x", 2); }
static void s_fe_vec2(zki_transcript *t) { zki_fe v[2] = {1, 2}; zki_ts_absorb_fe_vec(t, "x", v, 2); }
static void s_empty(zki_transcript *t) { (void)t; }
static void s_empty_bytes(zki_transcript *t) { zki_ts_absorb_bytes(t, "m", "", 0); }

static void test_separation(void)
{
    script_fn fs[] = {s_ab_c, s_a_bc, s_abc, s_label_shift, s_fe, s_u64, s_fe_vec1,
                      s_ext, s_fe_pair, s_fe_vec2, s_empty, s_empty_bytes};
    size_t n = sizeof fs / sizeof fs[0];
    zki_ext c[16];
    for (size_t i = 0; i < n; i++)
        c[i] = run(fs[i]);
    int collisions = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            collisions += zki_ext_eq(c[i], c[j]);
    CHECK_MSG(collisions == 0, "%d scripts gave the same challenge", collisions);
    /* Deterministic: same script, same challenge. */
    CHECK(zki_ext_eq(run(s_ab_c), c[0]));
}

static void test_protocol_binding(void)
{
    zki_transcript a, b, c;
    zki_ts_init(&a, "proto", 1);
    zki_ts_init(&b, "proto", 2);
    zki_ts_init(&c, "protp", 1);
    zki_ext x = zki_ts_challenge_ext(&a, "r"), y = zki_ts_challenge_ext(&b, "r"),
            z = zki_ts_challenge_ext(&c, "r");
    CHECK(!zki_ext_eq(x, y) && !zki_ext_eq(x, z));
    /* Successive challenges differ and depend on what came between. */
    zki_ext x2 = zki_ts_challenge_ext(&a, "r");
    CHECK(!zki_ext_eq(x, x2));
    zki_ts_absorb_fe(&b, "m", 1);
    zki_ts_absorb_fe(&c, "m", 2);
    CHECK(!zki_ext_eq(zki_ts_challenge_ext(&b, "r"), zki_ts_challenge_ext(&c, "r")));
    /* Challenge label matters. */
    zki_transcript d, e;
    zki_ts_init(&d, "proto", 1);
    zki_ts_init(&e, "proto", 1);
    CHECK(!zki_ext_eq(zki_ts_challenge_ext(&d, "r"), zki_ts_challenge_ext(&e, "s")));
    zki_ts_free(&a); zki_ts_free(&b); zki_ts_free(&c); zki_ts_free(&d); zki_ts_free(&e);
}

static void test_ranges(void)
{
    zki_transcript t = fresh();
    int bad = 0;
    zki_ext v[1000];
    zki_ts_challenge_ext_vec(&t, "v", v, 1000);
    for (int i = 0; i < 1000; i++)
        bad += v[i].c0 >= ZKI_P || v[i].c1 >= ZKI_P;
    CHECK(bad == 0);
    int distinct = 1;
    for (int i = 1; i < 1000; i++)
        distinct &= !zki_ext_eq(v[i], v[i - 1]);
    CHECK(distinct);
    CHECK(zki_ts_challenge_index(&t, "i", 1) == 0);

    /* A bound just above 2^63: plain "x mod bound" would put twice the mass
     * on [0, 2^64 - bound); rejection sampling keeps both halves even. */
    uint64_t bound = (1ULL << 63) + (1ULL << 62);
    enum { N = 20000 };
    static uint64_t idx[N];
    zki_ts_challenge_indices(&t, "q", bound, idx, N);
    int low = 0;
    bad = 0;
    for (int i = 0; i < N; i++) {
        bad += idx[i] >= bound;
        low += idx[i] < (1ULL << 62);
    }
    CHECK(bad == 0);
    /* Unbiased: P(low) = 1/3 (sd ~ 0.0033); biased mod would give 1/2. */
    double frac = (double)low / N;
    CHECK_MSG(frac > 0.31 && frac < 0.357, "low fraction %.4f", frac);

    /* Small bound: every value hit roughly equally. */
    int counts[10] = {0};
    zki_ts_challenge_indices(&t, "q", 10, idx, N);
    for (int i = 0; i < N; i++)
        counts[idx[i]]++;
    int ok = 1;
    for (int i = 0; i < 10; i++)
        ok &= counts[i] > 1800 && counts[i] < 2200;
    CHECK(ok);
    zki_ts_free(&t);
}

static void test_prover_verifier_sync(void)
{
    zki_transcript p = fresh(), v = fresh();
    zki_ext msgs[3] = {{1, 2}, {3, 4}, {5, 6}};
    for (int round = 0; round < 5; round++) {
        zki_ts_absorb_ext_vec(&p, "round", msgs, 3);
        zki_ts_absorb_ext_vec(&v, "round", msgs, 3);
        CHECK(zki_ext_eq(zki_ts_challenge_ext(&p, "r"), zki_ts_challenge_ext(&v, "r")));
    }
    /* One altered message desynchronises every later challenge. */
    msgs[1].c1 ^= 1;
    zki_ts_absorb_ext_vec(&p, "round", msgs, 3);
    msgs[1].c1 ^= 1;
    zki_ts_absorb_ext_vec(&v, "round", msgs, 3);
    CHECK(!zki_ext_eq(zki_ts_challenge_ext(&p, "r"), zki_ts_challenge_ext(&v, "r")));
    CHECK(!zki_ext_eq(zki_ts_challenge_ext(&p, "r"), zki_ts_challenge_ext(&v, "r")));
    zki_ts_free(&p);
    zki_ts_free(&v);
}

int main(void)
{
    test_separation();
    test_protocol_binding();
    test_ranges();
    test_prover_verifier_sync();
    return TEST_SUMMARY();
}
