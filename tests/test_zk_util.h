/* Zero-knowledge round trips for protocol pieces (tests only).
 *
 * zk_roundtrip runs a piece three times over one proof: the prover with a
 * zk context (pads), the prover's replay of the verifier (pads known:
 * every constraint checked against the true values) and the verifier (the
 * constraints only), then checks that the verifier's batched equation
 * holds at the prover's witness. zk_cheat does the same after `mutate`
 * alters the proof: the replay must find a broken constraint, and with
 * zki_zk_test_false set, the verifier's equation must fail at the
 * witness. The piece's callbacks:
 *   prove(ctx, t):  proves into ctx (t->zk set), ZKI_OK or an error
 *   verify(ctx, t): the verifier's calls on ctx's proof, including the
 *                   caller's checks of the claims it outputs (against the
 *                   true tables, with zki_pv_assert_eq)
 *   mutate(ctx):    changes one padded value of the proof */
#ifndef ZKI_TEST_ZK_UTIL_H
#define ZKI_TEST_ZK_UTIL_H

#include <stdlib.h>

#include "test.h"
#include "zk/zk.h"

typedef zki_status (*zk_step_fn)(void *ctx, zki_transcript *t);

/* 1: z's batched equation holds at zp's witness, 0: it does not, -1: the
 * two disagree on the witness size or an error. */
static inline int zk_equation_holds(const zki_zk *z, const zki_zk *zp)
{
    uint64_t np = zki_zk_n_pads(z), nq = 3 * zki_zk_n_products(z);
    if (np != zki_zk_n_pads(zp) || nq != 3 * zki_zk_n_products(zp))
        return -1;
    zki_ext *a = malloc(sizeof(zki_ext) * (np + nq + 1)), b;
    int ok = -1;
    /* any beta: the equation is linear in the constraints */
    if (a && zki_zk_linear(z, zki_ext_make(12345, 678), a, a + np, &b) == ZKI_OK) {
        const zki_ext *pads = zki_zk_pads(zp), *prod = zki_zk_products(zp);
        zki_ext s = zki_ext_zero();
        for (uint64_t x = 0; x < np; x++)
            s = zki_ext_add(s, zki_ext_mul(a[x], pads[x]));
        for (uint64_t x = 0; x < nq; x++)
            s = zki_ext_add(s, zki_ext_mul(a[np + x], prod[x]));
        ok = zki_ext_eq(s, b);
    }
    free(a);
    return ok;
}

static inline zki_status zk_run(zk_step_fn f, void *ctx, zki_zk *z)
{
    zki_transcript t;
    zki_ts_init(&t, "test/zk-piece", 1);
    t.zk = z;
    zki_status st = f(ctx, &t);
    if (!st && z)
        st = zki_zk_ok(z);
    zki_ts_free(&t);
    return st;
}

/* Returns the prover context (its pads reused by zk_cheat), or NULL. */
static inline zki_zk *zk_roundtrip(const char *name, void *ctx, zk_step_fn prove, zk_step_fn verify,
                            uint64_t n_pads)
{
    zki_zk *zp = zki_zk_new_prover(n_pads, NULL);
    if (!zp)
        return NULL;
    CHECK_MSG(zk_run(prove, ctx, zp) == ZKI_OK, "%s: zk prove", name);
    zki_zk *zr = zki_zk_new_with_pads(n_pads, zki_zk_pads(zp)), *zv = zki_zk_new_verifier(n_pads);
    CHECK_MSG(zk_run(verify, ctx, zr) == ZKI_OK, "%s: the prover's replay", name);
    CHECK_MSG(zk_run(verify, ctx, zv) == ZKI_OK, "%s: zk verify", name);
    CHECK_MSG(zki_zk_used(zv) == zki_zk_used(zp), "%s: %llu values received, %llu sent", name,
              (unsigned long long)zki_zk_used(zv), (unsigned long long)zki_zk_used(zp));
    CHECK_MSG(zk_equation_holds(zv, zr) == 1, "%s: the batched equation fails at the witness", name);
    zki_zk_free(zr);
    zki_zk_free(zv);
    return zp;
}

static inline void zk_cheat(const char *name, void *ctx, zk_step_fn verify, void (*mutate)(void *ctx),
                     const zki_zk *zp)
{
    uint64_t n = zki_zk_n_pads(zp);
    mutate(ctx);
    zki_zk *zr = zki_zk_new_with_pads(n, zki_zk_pads(zp)), *zv = zki_zk_new_verifier(n);
    zki_status rs = zk_run(verify, ctx, zr);
    CHECK_MSG(rs != ZKI_OK, "%s: the replay accepted an altered proof", name);
    zki_zk_free(zr);
    zr = zki_zk_new_with_pads(n, zki_zk_pads(zp));
    zki_zk_test_false = 1;
    zki_status r2 = zk_run(verify, ctx, zr);
    zki_zk_test_false = 0;
    zki_status vs = zk_run(verify, ctx, zv);
    /* a plain failure (a public check) is a rejection too */
    if (vs == ZKI_OK && r2 == ZKI_OK)
        CHECK_MSG(zk_equation_holds(zv, zr) == 0, "%s: an altered proof satisfies the equation", name);
    zki_zk_free(zr);
    zki_zk_free(zv);
}

#endif
