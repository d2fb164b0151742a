/* Zero knowledge of the padded sum-check over the tiny field (K = 289
 * elements): for two witnesses with the same claimed sum, every pad choice
 * is enumerated and the multiset of verifier views (each value the proof
 * sends, the Fiat-Shamir challenges, and the coefficients and right-hand
 * side of the final batched equation the verifier derives) must be the
 * same. A sum-check of one table over one variable has two private values,
 * p(0) and f(r): 289^2 pad pairs per witness.
 *
 * The same comparison on plain proofs (no zk context: the protocol before
 * zero knowledge, which sends p(0) and f(r) as they are) must find the
 * views different; it is checked too, so the test is seen to fail on
 * unmasked code. */
#include <stdlib.h>
#include <string.h>

#include "../test.h"
#include "sumcheck/sumcheck.h"
#include "zk/zk.h"

#define F_EXT (ZKI_P * ZKI_P)

static zki_ext ext_of(uint64_t i) { return zki_ext_make(i % ZKI_P, i / ZKI_P); }
static uint64_t idx_of(zki_ext x) { return x.c0 + ZKI_P * x.c1; }

typedef struct {
    uint64_t v[6]; /* sent p(0), r, sent f(r), beta, a[0], b (a[1] = -a[0] - ...: see below) */
} view;

static int view_cmp(const void *x, const void *y) { return memcmp(x, y, sizeof(view)); }

/* One proof of sum f(0) + f(1) for f = (f0, f1) with the given pads
 * (NULL: a plain proof) and the verifier's view of it. */
static int one_view(zki_ext f0, zki_ext f1, const zki_ext *pads, view *out)
{
    zki_ext tab[2] = {f0, f1}, sum = zki_ext_add(f0, f1), point[1], ev;
    zki_sc_instance inst;
    memset(&inst, 0, sizeof inst);
    inst.nvars = 1;
    inst.n_tables = 1;
    inst.ext[0] = tab;
    zki_zk *zp = pads ? zki_zk_new_with_pads(2, pads) : NULL;
    zki_transcript t;
    zki_ts_init(&t, "tiny/zk", 1);
    t.zk = zp;
    zki_ts_absorb_ext(&t, "sum", sum);
    zki_sc_proof pf;
    if (zki_sumcheck_prove(&inst, sum, &t, &pf, point, &ev) != ZKI_OK)
        return 0;
    zki_ext sent = zki_zk_send(&t, "ev", ev);
    zki_ts_free(&t);
    /* the verifier */
    zki_zk *zv = pads ? zki_zk_new_verifier(2) : NULL;
    zki_ts_init(&t, "tiny/zk", 1);
    t.zk = zv;
    zki_ts_absorb_ext(&t, "sum", sum);
    zki_pv fin, e;
    zki_ext vpoint[1];
    int ok = zki_sumcheck_verify_pv(1, 1, zki_pv_pub(sum), &pf, &t, vpoint, &fin) == ZKI_OK;
    e = zki_zk_recv(&t, "ev", sent);
    ok = ok && zki_sumcheck_check_final_pv(NULL, vpoint, 1, &e, 1, fin, &t) == ZKI_OK;
    memset(out, 0, sizeof *out);
    out->v[0] = idx_of(pf.msgs[0]);
    out->v[1] = idx_of(vpoint[0]);
    out->v[2] = idx_of(sent);
    if (zv) {
        zki_ext beta = zki_ts_challenge_ext(&t, "beta"), a[2], b;
        ok = ok && zki_zk_n_pads(zv) == 2 && zki_zk_n_products(zv) == 0 &&
             zki_zk_linear(zv, beta, a, NULL, &b) == ZKI_OK;
        out->v[3] = idx_of(beta);
        out->v[4] = idx_of(a[0]) + F_EXT * idx_of(a[1]);
        out->v[5] = idx_of(b);
    }
    zki_ts_free(&t);
    zki_sc_proof_free(&pf);
    zki_zk_free(zp);
    zki_zk_free(zv);
    return ok;
}

/* Every view of witness (f0, f1): F_EXT^2 of them with pads, 1 without. */
static size_t all_views(zki_ext f0, zki_ext f1, int zk, view *out)
{
    if (!zk)
        return one_view(f0, f1, NULL, out) ? 1 : 0;
    size_t n = 0;
    for (uint64_t i = 0; i < F_EXT; i++)
        for (uint64_t j = 0; j < F_EXT; j++) {
            zki_ext pads[2] = {ext_of(i), ext_of(j)};
            if (!one_view(f0, f1, pads, &out[n]))
                return 0;
            n++;
        }
    qsort(out, n, sizeof(view), view_cmp);
    return n;
}

static int same_distribution(int zk)
{
    /* same sum 5 + 3u, different tables */
    zki_ext a0 = zki_ext_make(1, 2), a1 = zki_ext_make(4, 1);
    zki_ext b0 = zki_ext_make(9, 16), b1 = zki_ext_make(13, 4);
    CHECK(zki_ext_eq(zki_ext_add(a0, a1), zki_ext_add(b0, b1)));
    size_t cap = zk ? (size_t)F_EXT * F_EXT : 1;
    view *va = malloc(cap * sizeof(view)), *vb = malloc(cap * sizeof(view));
    size_t na = va && vb ? all_views(a0, a1, zk, va) : 0, nb = na ? all_views(b0, b1, zk, vb) : 0;
    CHECK_MSG(na == cap && nb == cap, "every %s proof verifies", zk ? "zk" : "plain");
    int same = na == nb && memcmp(va, vb, na * sizeof(view)) == 0;
    free(va);
    free(vb);
    return same;
}

int main(void)
{
    _Static_assert(ZKI_P == 17, "tiny field only");
    CHECK_MSG(same_distribution(1), "zk: the views of two witnesses are distributed differently");
    CHECK_MSG(!same_distribution(0), "plain: the views of two witnesses should differ");
    return TEST_SUMMARY();
}
