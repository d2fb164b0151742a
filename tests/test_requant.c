/* Requant + ReLU/clamp gadget: witness against a reference, whole-tensor
 * proofs through two lookup instances (range 2^16 and the (q, y) map) for
 * shifts needing 1, 2 and 3 limbs, claims chaining to x, q, y and limbs,
 * a wrong output (off by one at one index) rejected, and out-of-table
 * quotients refused with the tensor name and index. */
#include <stdlib.h>
#include <string.h>

#include "../tests/test.h"
#include "common/rng.h"
#include "lookup/requant.h"
#include "poly/mle.h"

static zki_rng rng;

enum { ID_X = 1, ID_Q = 2, ID_Y = 3, ID_L1 = 4, ID_L2 = 5, ID_L3 = 6, ID_M16 = 10, ID_MMAP = 11 };

static const int64_t *tdata[16];
static size_t tlen[16];
static const zki_fe *mv[16];

static zki_ext eval_claim(const zki_claim *c)
{
    size_t n = (size_t)1 << c->nvars;
    if (c->tensor == ID_M16 || c->tensor == ID_MMAP)
        return zki_mle_eval_base(mv[c->tensor], c->nvars, c->point);
    zki_fe *f = calloc(n, sizeof *f);
    for (size_t i = 0; i < tlen[c->tensor]; i++)
        f[i] = zki_fe_from_i64(tdata[c->tensor][i]);
    zki_ext v = zki_mle_eval_base(f, c->nvars, c->point);
    free(f);
    return v;
}

/* Reference: round half up of x*M / 2^s, then clamp. */
static int64_t ref_y(int64_t x, const zki_requant_params *p)
{
    __int128 z = (__int128)x * p->M + ((__int128)1 << (p->s - 1));
    __int128 q = z >= 0 ? z / ((__int128)1 << p->s)
                        : -((-z + ((__int128)1 << p->s) - 1) / ((__int128)1 << p->s));
    return q < p->lo ? p->lo : q > p->hi ? p->hi : (int64_t)q;
}

/* Proves and verifies one requant of n accumulators; off_by_one >= 0 makes
 * the prover cheat at that index after computing multiplicities. Returns
 * the verify status; *claims_ok set when every claim matches its tensor. */
static int prove_requant(const zki_requant_params *p, const int64_t *x, size_t n, long off_by_one,
                         int *claims_ok)
{
    zki_lookup_table T16, Tmap;
    zki_lookup_table_range(&T16, 16, 0);
    CHECK(zki_requant_table(&Tmap, p) == ZKI_OK);
    zki_requant_witness w;
    zki_status st = zki_requant_witness_new(&w, p, x, n, "fc1.requant");
    CHECK(st == ZKI_OK);
    for (size_t i = 0; i < n; i++)
        CHECK_MSG(w.y[i] == ref_y(x[i], p), "y[%zu]", i);
    zki_requant_ids ids = {ID_X, ID_Q, ID_Y, {0, ID_L1, ID_L2, ID_L3}};
    tdata[ID_X] = x, tdata[ID_Q] = w.q, tdata[ID_Y] = w.y;
    tdata[ID_L1] = w.limb[1], tdata[ID_L2] = w.limb[2], tdata[ID_L3] = w.limb[3];
    for (int i = 1; i <= 6; i++)
        tlen[i] = n;
    zki_lookup *P16, *Pm, *V16, *Vm;
    zki_lookup_new(&P16, &T16, ID_M16);
    zki_lookup_new(&Pm, &Tmap, ID_MMAP);
    zki_lookup_new(&V16, &T16, ID_M16);
    zki_lookup_new(&Vm, &Tmap, ID_MMAP);
    CHECK(zki_requant_add_sites(p, &w, x, n, &ids, P16, Pm, "fc1") == ZKI_OK);
    CHECK(zki_requant_add_sites(p, NULL, NULL, n, &ids, V16, Vm, "fc1") == ZKI_OK);
    /* limbs r_0 .. r_{L-1}; a short top limb's second lookup only when the
     * shift cannot be raised to 16 L */
    unsigned L = (p->s + 15) / 16, extra = 16 * L + p->q_log > 62 && p->s % 16 != 0;
    CHECK(zki_lookup_n_sites(P16) == L + extra && zki_lookup_n_sites(Pm) == 1);
    const zki_fe *m16, *mm;
    size_t l16, lm;
    CHECK(zki_lookup_multiplicities(P16, &m16, &l16) == ZKI_OK);
    CHECK(zki_lookup_multiplicities(Pm, &mm, &lm) == ZKI_OK);
    mv[ID_M16] = m16, mv[ID_MMAP] = mm;
    if (off_by_one >= 0)
        w.y[off_by_one] += 1;
    zki_transcript tp, tv;
    zki_ts_init(&tp, "rq", 1);
    zki_ts_init(&tv, "rq", 1);
    /* stand-ins for the commitment roots of m and of the advice */
    zki_ts_absorb_fe_vec(&tp, "m", m16, l16);
    zki_ts_absorb_fe_vec(&tp, "m", mm, lm);
    zki_ts_absorb_fe_vec(&tv, "m", m16, l16);
    zki_ts_absorb_fe_vec(&tv, "m", mm, lm);
    zki_ledger lp, lv;
    zki_ledger_init(&lp);
    zki_ledger_init(&lv);
    zki_lookup_proof pf16, pfm;
    CHECK(zki_lookup_prove(P16, &tp, &pf16, &lp) == ZKI_OK);
    CHECK(zki_lookup_prove(Pm, &tp, &pfm, &lp) == ZKI_OK);
    int ret = zki_lookup_verify(V16, &tv, &pf16, &lv);
    if (ret == ZKI_OK)
        ret = zki_lookup_verify(Vm, &tv, &pfm, &lv);
    if (claims_ok) {
        *claims_ok = ret == ZKI_OK && lv.n == lp.n;
        int seen_x = 0;
        for (size_t i = 0; *claims_ok && i < lv.n; i++) {
            *claims_ok = zki_ext_eq(eval_claim(&lv.items[i]), lv.items[i].value);
            seen_x |= lv.items[i].tensor == ID_X;
        }
        *claims_ok = *claims_ok && seen_x;
    }
    zki_lookup_proof_free(&pf16);
    zki_lookup_proof_free(&pfm);
    zki_ledger_free(&lp);
    zki_ledger_free(&lv);
    zki_ts_free(&tp);
    zki_ts_free(&tv);
    zki_lookup_free(P16);
    zki_lookup_free(Pm);
    zki_lookup_free(V16);
    zki_lookup_free(Vm);
    zki_requant_witness_free(&w);
    zki_lookup_table_free(&T16);
    zki_lookup_table_free(&Tmap);
    return ret;
}

static void test_requant(void)
{
    struct {
        int64_t M;
        unsigned s;
        int64_t lo, hi;
        int64_t xmax;
    } cases[] = {
        {3, 4, 0, 127, 600},              /* 1 limb, t = 4 */
        {12345, 16, -128, 127, 1 << 20},  /* 1 limb, t = 16 (no extra site) */
        {9876543, 28, 0, 127, 1 << 26},   /* 2 limbs, t = 12: ReLU */
        {-77, 20, -100, 100, 1 << 24},    /* negative multiplier, clamp */
        {8388607, 40, 0, 255, (int64_t)1 << 38}, /* 3 limbs, proved as s' = 48 */
        {3, 50, -5, 300, (int64_t)1 << 59},       /* 4 limbs; 64 + 12 > 62: s' = s, t = 2 */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        zki_requant_params p = {cases[c].M, cases[c].s, cases[c].lo, cases[c].hi, 12};
        size_t n = 1000 + 333 * c;
        /* keep q inside the table (|q| < 2^11 - 1) */
        __int128 lim = ((__int128)2046 << cases[c].s) / (cases[c].M < 0 ? -cases[c].M : cases[c].M);
        if (lim < cases[c].xmax)
            cases[c].xmax = (int64_t)lim;
        int64_t *x = malloc(n * sizeof *x);
        for (size_t i = 0; i < n; i++)
            x[i] = (int64_t)zki_rng_below(&rng, 2 * (uint64_t)cases[c].xmax) - cases[c].xmax;
        x[0] = cases[c].xmax - 1;
        x[1] = -cases[c].xmax;
        int ok = 0;
        CHECK_MSG(prove_requant(&p, x, n, -1, &ok) == ZKI_OK, "requant case %zu: %s", c,
                  zki_last_error());
        CHECK_MSG(ok, "requant case %zu claims", c);
        CHECK_MSG(prove_requant(&p, x, n, (long)(n / 2), NULL) == ZKI_ERR_VERIFY,
                  "off-by-one output accepted, case %zu", c);
        free(x);
    }
}

static void test_bad_input(void)
{
    zki_requant_params p = {1000, 8, 0, 127, 10}; /* q in [-512, 512) */
    int64_t x[4] = {10, 20, 131, 5}; /* q = round(131000 / 256) = 512 at index 2 */
    zki_requant_witness w;
    CHECK(zki_requant_witness_new(&w, &p, x, 4, "layer3.acc") == ZKI_ERR_INPUT);
    CHECK(strstr(zki_last_error(), "layer3.acc") && strstr(zki_last_error(), "index 2"));
    x[2] = 130; /* q = 508 */
    CHECK(zki_requant_witness_new(&w, &p, x, 4, "layer3.acc") == ZKI_OK);
    zki_requant_witness_free(&w);
    zki_requant_params bad = p;
    bad.s = 0;
    CHECK(zki_requant_witness_new(&w, &bad, x, 4, "l") == ZKI_ERR_INPUT);
    bad = p;
    bad.lo = 5, bad.hi = 4;
    CHECK(zki_requant_witness_new(&w, &bad, x, 4, "l") == ZKI_ERR_INPUT);
    /* a range site with a value past 2^16: named error, not a proof */
    zki_lookup_table T;
    zki_lookup_table_range(&T, 16, 0);
    zki_lookup *lk;
    zki_lookup_new(&lk, &T, 0);
    int64_t d[3] = {0, 65535, 65536};
    CHECK(zki_range_check_add(lk, "pool.diff", 7, d, 3) == ZKI_OK);
    const zki_fe *m;
    size_t ml;
    CHECK(zki_lookup_multiplicities(lk, &m, &ml) == ZKI_ERR_INPUT);
    CHECK(strstr(zki_last_error(), "pool.diff") && strstr(zki_last_error(), "index 2"));
    zki_lookup_free(lk);
}

int main(void)
{
    zki_rng_seed(&rng, 55);
    test_requant();
    test_bad_input();
    return TEST_SUMMARY();
}
