/* Mutated zero-knowledge proofs (docs/zk.md; the format in
 * src/protocol/proof_io.c): for small models, an honest zero-knowledge
 * proof verifies, and every change to it is refused with ZKI_ERR_VERIFY or
 * ZKI_ERR_INPUT (from parsing or verifying; never accepted, never a
 * crash): one byte flipped in every byte of the zk section's fields (flags
 * word, chunk count, each pad root, the products root, the argument's
 * length), at 200 places spread over the argument and at 200 random
 * places anywhere; padded values moved by one (still canonical); cuts at
 * several points; the zk flag set on a plain proof and cleared on a zk
 * one; a zk proof re-written as a plain one; a plain proof given a zk
 * section; chunk roots added or dropped; the zk sections (or one part) of
 * two proofs of one statement swapped. Two zk proofs of one statement
 * differ and both verify. Prints how many mutations ran. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <omp.h>

#include "common/rng.h"
#include "prover/prover.h"
#include "random_mlp.h"
#include "test.h"
#include "test_prove_util.h"
#include "verifier/verifier.h"
#include "zk_values.h"

enum {
    FLAGS_AT = 8 + 4 + 32 + 32 + 4, /* magic, version, key hash, input digest, batch */
    ARG_SPREAD = 200,               /* places over the final argument */
    RANDOM_FLIPS = 200,
    PADDED_VALUES = 48, /* padded values moved, per model */
};

static const uint8_t seed_w[32] = {4, 5, 6};

/* A statement with two zk proofs (different pad seeds) and a plain one. */
typedef struct {
    const char *name;
    zki_pk *pk; /* its vk verifies; it has made its one proof */
    int64_t *X; /* NULL: private input */
    uint32_t B;
    uint8_t *zk[2], *plain;
    size_t zn[2], pn;
    zki_proof pf[2], ppf; /* the same, parsed */
    /* zk proof 0's zk section: u32 n_chunks | roots | products root |
     * u32 len | argument */
    size_t zk_at, arg_at, arg_len;
    uint32_t n_roots;
} subject;

static long g_runs;

static zki_status prove_one(const zki_qmodel *m, const int64_t *X, uint32_t B, int priv, int plain, uint8_t sd,
                            zki_pk **keep, uint8_t **b, size_t *n)
{
    zki_pk *pk = NULL;
    zki_status st = zki_setup(m, seed_w, &pk);
    uint8_t seed[32] = {sd, 0x5a};
    zki_prove_opts o = {priv, seed, NULL, NULL, 0, 0};
    zki_proof pf;
    zki_prove_plain = plain;
    if (!st)
        st = zki_prove(pk, X, B, &o, &pf, NULL);
    zki_prove_plain = 0;
    if (!st) {
        st = zki_proof_to_bytes(&pf, b, n);
        zki_proof_free(&pf);
    }
    if (!st && keep)
        *keep = pk;
    else
        zki_pk_free(pk);
    return st;
}

static const char *status_text(zki_status st) { return st ? zki_status_name(st) : "accepted"; }

/* Bytes b (a mutation of an honest proof) must be refused by the parser or
 * the verifier, with VERIFY or INPUT. */
static void expect_reject(const subject *s, const uint8_t *b, size_t n, const char *what, size_t at)
{
    zki_status st = verify_bytes(&s->pk->vk, s->X, s->B, b, n);
    g_runs++;
    CHECK_MSG(st == ZKI_ERR_VERIFY || st == ZKI_ERR_INPUT, "%s: %s (byte %zu): %s: %s", s->name, what, at,
              status_text(st), st ? zki_last_error() : "");
}

static void flip(const subject *s, size_t at, uint8_t x, const char *what)
{
    uint8_t *b = s->zk[0];
    b[at] ^= x;
    expect_reject(s, b, s->zn[0], what, at);
    b[at] ^= x;
}

/* Proof pf serialised, then refused. */
static void expect_reject_proof(const subject *s, const zki_proof *pf, const char *what)
{
    uint8_t *b = NULL;
    size_t n = 0;
    CHECK_MSG(zki_proof_to_bytes(pf, &b, &n) == ZKI_OK, "%s: %s: serialise", s->name, what);
    if (b)
        expect_reject(s, b, n, what, 0);
    free(b);
}

static uint32_t rd_u32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

/* Where zk proof 0's zk section lies: before u32 len | opening, which ends
 * the file. 0 when the bytes do not hold what the parsed proof says. */
static int find_zk_section(subject *s)
{
    const zki_proof *pf = &s->pf[0];
    uint8_t *ob = NULL;
    size_t ol = 0, nr = pf->zk_n_roots, al = pf->zk_arg_len;
    if (zki_pcs_proof_to_bytes(&pf->open, &ob, &ol))
        return 0;
    free(ob);
    size_t tail = 4 + ol, sec = 4 + 32 * nr + 32 + 4 + al;
    if (s->zn[0] < tail + sec + FLAGS_AT)
        return 0;
    const uint8_t *b = s->zk[0];
    s->zk_at = s->zn[0] - tail - sec;
    s->arg_at = s->zk_at + sec - al;
    s->arg_len = al;
    s->n_roots = (uint32_t)nr;
    return rd_u32(b + s->zk_at) == nr && !memcmp(b + s->zk_at + 4, pf->zk_root, 32 * nr) &&
           !memcmp(b + s->zk_at + 4 + 32 * nr, pf->zk_qroot.b, 32) && rd_u32(b + s->arg_at - 4) == al &&
           !memcmp(b + s->arg_at, pf->zk_arg, al) && rd_u32(b + FLAGS_AT) == (pf->private_input | 2u);
}

/* ---- the mutations ---------------------------------------------------- */

/* The u32 fields (flags, chunk count, argument length): their low byte
 * with each single-bit change (small counts stay plausible), the others
 * with one random change; every byte of every root with one random change. */
static void mutate_zk_header(zki_rng *g, const subject *s)
{
    const size_t u32_at[3] = {FLAGS_AT, s->zk_at, s->arg_at - 4};
    for (int f = 0; f < 3; f++) {
        for (int bit = 0; bit < 8; bit++)
            flip(s, u32_at[f], (uint8_t)(1u << bit), "zk header field");
        for (size_t i = 1; i < 4; i++)
            flip(s, u32_at[f] + i, (uint8_t)(1 + zki_rng_below(g, 255)), "zk header field");
    }
    for (size_t i = 0; i < 32 * ((size_t)s->n_roots + 1); i++)
        flip(s, s->zk_at + 4 + i, (uint8_t)(1 + zki_rng_below(g, 255)), i < 32 * s->n_roots ? "pad root" : "products root");
}

/* The argument's header (magic .. nonce: 21 bytes) byte by byte, then
 * ARG_SPREAD places, one in each equal slice of the argument. */
static void mutate_argument(zki_rng *g, const subject *s)
{
    for (size_t i = 0; i < 21 && i < s->arg_len; i++)
        flip(s, s->arg_at + i, (uint8_t)(1 + zki_rng_below(g, 255)), "argument header");
    size_t slice = s->arg_len / ARG_SPREAD;
    for (size_t k = 0; slice && k < ARG_SPREAD; k++)
        flip(s, s->arg_at + k * slice + zki_rng_below(g, slice), (uint8_t)(1 + zki_rng_below(g, 255)), "argument");
}

static void mutate_anywhere(zki_rng *g, const subject *s)
{
    for (int k = 0; k < RANDOM_FLIPS; k++)
        flip(s, zki_rng_below(g, s->zn[0]), (uint8_t)(1 + zki_rng_below(g, 255)), "random byte");
}

/* The file cut at several points (the zk section's edges among them), and
 * one byte appended. */
static void mutate_length(const subject *s)
{
    size_t n = s->zn[0], a = s->zk_at, g = s->arg_at, al = s->arg_len;
    const size_t cuts[] = {0, 1, 8, FLAGS_AT, FLAGS_AT + 4, a, a + 2, a + 4, a + 36, g - 4, g - 1, g, g + 21,
                           g + al / 2, g + al - 1, g + al, g + al + 4, n - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
        if (cuts[i] < n)
            expect_reject(s, s->zk[0], cuts[i], "cut", cuts[i]);
    uint8_t *c = malloc(n + 1);
    if (c) {
        memcpy(c, s->zk[0], n);
        c[n] = 0;
        expect_reject(s, c, n + 1, "a byte appended", n);
    }
    free(c);
}

/* Up to PADDED_VALUES values, spread over the proof, each moved by one. */
static void mutate_padded(subject *s)
{
    enum { CAP = 1 << 16 };
    zki_ext **v = malloc(sizeof(zki_ext *) * CAP);
    size_t n = v ? zki_test_padded_values(&s->pf[0], v, CAP) : 0;
    n = n > CAP ? CAP : n;
    size_t want = n < PADDED_VALUES ? n : PADDED_VALUES;
    CHECK_MSG(n >= 16, "%s: %zu padded values", s->name, n);
    for (size_t k = 0; k < want; k++) {
        zki_ext *e = v[k * n / want], old = *e;
        *e = zki_ext_add(old, zki_ext_one());
        expect_reject_proof(s, &s->pf[0], "padded value + 1");
        *e = old;
    }
    free(v);
}

/* The flag bit alone, both ways; a zk proof re-written as plain (its
 * padded values read as values); a plain proof with zk proof 0's section;
 * a chunk root added or dropped. */
static void mutate_zk_flag(zki_rng *g, const subject *s)
{
    uint8_t *p = s->plain;
    p[FLAGS_AT] ^= 2;
    expect_reject(s, p, s->pn, "zk flag set on a plain proof", FLAGS_AT);
    p[FLAGS_AT] ^= 2;
    flip(s, FLAGS_AT, 2, "zk flag cleared");
    zki_proof h = s->pf[0];
    h.zk = 0;
    expect_reject_proof(s, &h, "a zk proof written as a plain one");
    h = s->ppf;
    h.zk = 1;
    h.zk_n_roots = s->pf[0].zk_n_roots;
    memcpy(h.zk_root, s->pf[0].zk_root, sizeof h.zk_root);
    h.zk_qroot = s->pf[0].zk_qroot;
    h.zk_arg = s->pf[0].zk_arg;
    h.zk_arg_len = s->pf[0].zk_arg_len;
    expect_reject_proof(s, &h, "a plain proof with a zk section");
    h = s->pf[0];
    if (h.zk_n_roots < ZKI_ZK_MAX_CHUNKS) {
        for (int i = 0; i < 32; i++)
            h.zk_root[h.zk_n_roots].b[i] = (uint8_t)zki_rng_u64(g);
        h.zk_n_roots++;
        expect_reject_proof(s, &h, "a pad root added");
        h.zk_n_roots -= 2;
        if (h.zk_n_roots >= 1)
            expect_reject_proof(s, &h, "a pad root dropped");
    }
    h = s->pf[0];
    uint8_t *a = malloc(h.zk_arg_len + 1);
    if (a) {
        memcpy(a, h.zk_arg, h.zk_arg_len);
        a[h.zk_arg_len] = 0;
        h.zk_arg = a;
        h.zk_arg_len++;
        expect_reject_proof(s, &h, "the argument one byte longer");
        h.zk_arg_len -= 2;
        expect_reject_proof(s, &h, "the argument one byte shorter");
    }
    free(a);
}

/* Proof 0 with (all | roots | products root | argument) of proof 1's zk
 * section, and the other way round. */
static void mutate_swap(const subject *s)
{
    for (int d = 0; d < 2; d++) {
        const zki_proof *to = &s->pf[d], *from = &s->pf[1 - d];
        for (int part = 0; part < 4; part++) {
            zki_proof h = *to;
            if (part == 0 || part == 1) {
                h.zk_n_roots = from->zk_n_roots;
                memcpy(h.zk_root, from->zk_root, sizeof h.zk_root);
            }
            if (part == 0 || part == 2)
                h.zk_qroot = from->zk_qroot;
            if (part == 0 || part == 3) {
                h.zk_arg = from->zk_arg;
                h.zk_arg_len = from->zk_arg_len;
            }
            static const char *what[4] = {"zk sections swapped", "pad roots swapped", "products roots swapped",
                                          "arguments swapped"};
            expect_reject_proof(s, &h, what[part]);
        }
    }
}

/* The honest proof against another public input (one value moved). */
static void mutate_input(const subject *s)
{
    if (!s->X)
        return;
    int64_t old = s->X[0];
    s->X[0] = old > 0 ? old - 1 : old + 1;
    expect_reject(s, s->zk[0], s->zn[0], "another input", 0);
    s->X[0] = old;
}

/* ---- the subjects ------------------------------------------------------ */

static int make_subject(subject *s, const zki_qmodel *m, int64_t *X, uint32_t B, int priv)
{
    s->X = priv ? NULL : X;
    s->B = B;
    zki_status st = prove_one(m, X, B, priv, 0, 1, &s->pk, &s->zk[0], &s->zn[0]);
    if (!st)
        st = prove_one(m, X, B, priv, 0, 2, NULL, &s->zk[1], &s->zn[1]);
    if (!st)
        st = prove_one(m, X, B, priv, 1, 1, NULL, &s->plain, &s->pn);
    CHECK_MSG(st == ZKI_OK, "%s: prove: %s", s->name, zki_last_error());
    if (st)
        return 0;
    for (int i = 0; i < 2; i++) {
        st = verify_bytes(&s->pk->vk, s->X, B, s->zk[i], s->zn[i]);
        CHECK_MSG(st == ZKI_OK, "%s: zk proof %d: %s", s->name, i, zki_last_error());
        if (!st)
            st = zki_proof_from_bytes(&s->pk->vk, &s->pf[i], s->zk[i], s->zn[i]);
    }
    CHECK_MSG(s->zn[0] != s->zn[1] || memcmp(s->zk[0], s->zk[1], s->zn[0]), "%s: two zk proofs are equal", s->name);
    zki_status sp = verify_bytes(&s->pk->vk, s->X, B, s->plain, s->pn);
    CHECK_MSG(sp == ZKI_OK, "%s: plain proof: %s", s->name, zki_last_error());
    if (!sp)
        sp = zki_proof_from_bytes(&s->pk->vk, &s->ppf, s->plain, s->pn);
    if (st || sp)
        return 0;
    CHECK_MSG(s->pf[0].zk && !s->ppf.zk, "%s: the zk flags", s->name);
    CHECK_MSG(memcmp(s->pf[0].zk_root, s->pf[1].zk_root, 32) && memcmp(s->pf[0].zk_qroot.b, s->pf[1].zk_qroot.b, 32),
              "%s: two zk proofs share a pad or products root", s->name);
    int found = find_zk_section(s);
    CHECK_MSG(found, "%s: the zk section is not where proof_io.c puts it", s->name);
    return found;
}

static void free_subject(subject *s)
{
    for (int i = 0; i < 2; i++) {
        free(s->zk[i]);
        zki_proof_free(&s->pf[i]);
    }
    free(s->plain);
    zki_proof_free(&s->ppf);
    zki_pk_free(s->pk);
}

static void run_subject(zki_rng *g, const zki_qmodel *m, int64_t *X, uint32_t B, int priv, const char *name)
{
    subject s;
    memset(&s, 0, sizeof s);
    s.name = name;
    clock_t t0 = clock();
    long r0 = g_runs;
    if (make_subject(&s, m, X, B, priv)) {
        mutate_zk_header(g, &s);
        mutate_argument(g, &s);
        mutate_anywhere(g, &s);
        mutate_length(&s);
        mutate_padded(&s);
        mutate_zk_flag(g, &s);
        mutate_swap(&s);
        mutate_input(&s);
        /* every change was undone: the honest bytes still verify */
        CHECK(verify_bytes(&s.pk->vk, s.X, B, s.zk[0], s.zn[0]) == ZKI_OK);
        printf("%s: zk proof %zu bytes (%u pad roots, argument %zu bytes), %ld mutations, %.1f s\n", name,
               s.zn[0], s.n_roots, s.arg_len, g_runs - r0, (double)(clock() - t0) / CLOCKS_PER_SEC);
    }
    free_subject(&s);
}

static void run_mlp(zki_rng *g, const uint32_t *widths, uint32_t nl, uint32_t B, int priv, const char *name)
{
    int relu[8] = {1, 1, 1, 1, 1, 1, 1, 0};
    zki_qmodel *m = NULL;
    CHECK(zki_random_mlp(widths, relu, nl, 11, &m) == ZKI_OK);
    int64_t *X = malloc(sizeof(int64_t) * B * widths[0]);
    for (uint32_t i = 0; m && X && i < B * widths[0]; i++)
        X[i] = (int64_t)zki_rng_below(g, 256) - 128;
    if (m && X)
        run_subject(g, m, X, B, priv, name);
    free(X);
    zki_qmodel_free(m);
}

static void run_fixture(zki_rng *g, const char *name)
{
    char what[96];
    int64_t *X = NULL;
    zki_qmodel *m = load_named_fixture("", name, &X, what, sizeof what);
    if (m && X)
        run_subject(g, m, X, 2, 0, name);
    free(X);
    zki_qmodel_free(m);
}

int main(void)
{
    /* small proofs, ~2000 verifications: a thread team costs more than it
     * saves, the more so beside other tests */
    omp_set_num_threads(1);
    zki_rng g;
    zki_rng_seed(&g, 1515);
    static const uint32_t w1[] = {6, 5, 3}, w2[] = {32, 16, 17, 10};
    run_mlp(&g, w1, 2, 2, 0, "mlp 6-5-3, batch 2");
    run_mlp(&g, w2, 3, 1, 1, "mlp 32-16-17-10, private input");
    run_fixture(&g, "dag_mul_se");
    printf("%ld mutations in all\n", g_runs);
    return TEST_SUMMARY();
}
