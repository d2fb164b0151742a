/* Packed tables and their reductions (src/prover/pack.h): a segment's
 * multilinear extension equals the packed table's at the packed point; the
 * column reduction and the direct reduction are complete on random claims
 * over int8 and field tables, their outputs are true evaluations of the
 * packed table, and a wrong claim value or an altered message is rejected. */
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "poly/mle.h"
#include "protocol/pack.h"
#include "test.h"

static zki_ext rnd(zki_rng *g) { return zki_ext_make(zki_rng_below(g, ZKI_P), zki_rng_below(g, ZKI_P)); }

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 12);
    size_t nv[] = {3, 7, 0, 5, 7, 2, 9, 4};
    uint32_t ns = 8;
    zki_pack pk;
    CHECK(zki_pack_init(&pk, nv, ns) == ZKI_OK);
    uint64_t N = (uint64_t)1 << pk.nvars;
    CHECK(pk.total <= N && pk.total > N / 2);
    /* offsets aligned and disjoint */
    int aligned = 1;
    for (uint32_t i = 0; i < ns; i++) {
        aligned &= pk.off[i] % ((uint64_t)1 << nv[i]) == 0;
        for (uint32_t j = 0; j < ns; j++)
            if (i != j)
                aligned &= pk.off[i] + ((uint64_t)1 << nv[i]) <= pk.off[j] || pk.off[j] + ((uint64_t)1 << nv[j]) <= pk.off[i];
    }
    CHECK(aligned);
    int8_t *t8 = calloc(N, 1);
    zki_fe *tf = calloc(N, sizeof(zki_fe));
    for (uint64_t i = 0; i < pk.total; i++) {
        t8[i] = (int8_t)(zki_rng_below(&g, 256) - 128);
        tf[i] = zki_fe_from_i64(t8[i]);
    }
    /* segment MLE = packed MLE at the packed point */
    zki_ext full[32], pts[40][16], vals[40];
    const zki_ext *pp[40];
    uint32_t seg[40];
    int seg_ok = 1;
    for (uint32_t i = 0; i < ns; i++) {
        zki_ext p[16];
        for (size_t c = 0; c < nv[i]; c++)
            p[c] = rnd(&g);
        zki_pack_point(&pk, i, p, full);
        zki_ext a = zki_mle_eval_base(tf + pk.off[i], nv[i], p), b = zki_mle_eval_base(tf, pk.nvars, full);
        seg_ok &= zki_ext_eq(a, b);
    }
    CHECK(seg_ok);
    size_t k = 20;
    for (size_t j = 0; j < k; j++) {
        seg[j] = (uint32_t)zki_rng_below(&g, ns);
        for (size_t c = 0; c < nv[seg[j]]; c++)
            pts[j][c] = rnd(&g);
        pp[j] = pts[j];
        vals[j] = zki_mle_eval_base(tf + pk.off[seg[j]], nv[seg[j]], pts[j]);
    }
    zki_big_table tb8 = {ZKI_PCS_I8, t8, pk.total}, tbf = {ZKI_PCS_FE, tf, pk.total};
    for (size_t lc = 1; lc <= 6; lc += 5) {
        for (int mode = 0; mode < 3; mode++) {
            zki_transcript tp, tv;
            zki_ts_init(&tp, "pack", 1);
            zki_ts_init(&tv, "pack", 1);
            zki_colred_proof pf;
            zki_ext *op[40] = {0}, *ov[40] = {0};
            CHECK(zki_colred_prove(&pk, mode == 1 ? &tbf : &tb8, lc, seg, pp, vals, k, &tp, &pf, op, NULL) == ZKI_OK);
            zki_ext v2[40];
            memcpy(v2, vals, sizeof(zki_ext) * k);
            if (mode == 2)
                v2[3] = zki_ext_add(v2[3], zki_ext_one());
            zki_status sv = zki_colred_verify(&pk, lc, seg, pp, v2, k, &pf, &tv, ov);
            if (mode < 2) {
                CHECK(sv == ZKI_OK);
                int ok = 1;
                for (size_t j = 0; j < k; j++) {
                    ok &= !memcmp(op[j], ov[j], sizeof(zki_ext) * pk.nvars);
                    ok &= !memcmp(op[j], op[0], sizeof(zki_ext) * lc); /* shared low point */
                    ok &= zki_ext_eq(pf.vals[j], zki_mle_eval_base(tf, pk.nvars, op[j]));
                }
                CHECK(ok);
                /* an altered round message */
                zki_transcript t3;
                zki_ts_init(&t3, "pack", 1);
                pf.msgs[1].c0 ^= 1;
                zki_ext *o3[40] = {0};
                CHECK(zki_colred_verify(&pk, lc, seg, pp, vals, k, &pf, &t3, o3) == ZKI_ERR_VERIFY);
                for (size_t j = 0; j < k; j++)
                    free(o3[j]);
                zki_ts_free(&t3);
            } else {
                CHECK(sv == ZKI_ERR_VERIFY);
            }
            for (size_t j = 0; j < k; j++) {
                free(op[j]);
                free(ov[j]);
            }
            zki_colred_proof_free(&pf);
            zki_ts_free(&tp);
            zki_ts_free(&tv);
        }
    }
    /* direct reduction */
    for (int mode = 0; mode < 2; mode++) {
        zki_transcript tp, tv;
        zki_ts_init(&tp, "pack", 1);
        zki_ts_init(&tv, "pack", 1);
        zki_claim_reduction_proof pf;
        zki_ext rp[32], rv[32];
        CHECK(zki_pack_reduce_prove(&pk, &tb8, seg, pp, vals, k, &tp, &pf, rp) == ZKI_OK);
        CHECK(zki_ext_eq(pf.f_at_rho, zki_mle_eval_base(tf, pk.nvars, rp)));
        zki_ext v2[40];
        memcpy(v2, vals, sizeof(zki_ext) * k);
        if (mode)
            v2[k - 1] = zki_ext_sub(v2[k - 1], zki_ext_one());
        zki_status sv = zki_pack_reduce_verify(&pk, seg, pp, v2, k, &pf, &tv, rv);
        CHECK(sv == (mode ? ZKI_ERR_VERIFY : ZKI_OK));
        if (!mode)
            CHECK(!memcmp(rp, rv, sizeof(zki_ext) * pk.nvars));
        zki_claim_reduction_proof_free(&pf);
        zki_ts_free(&tp);
        zki_ts_free(&tv);
    }
    free(t8);
    free(tf);
    zki_pack_free(&pk);
    return TEST_SUMMARY();
}
