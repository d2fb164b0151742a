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
#include "test_zk_util.h"

static zki_ext rnd(zki_rng *g) { return zki_ext_make(zki_rng_below(g, ZKI_P), zki_rng_below(g, ZKI_P)); }

/* ---- zero knowledge: both reductions on private claim values --------- */

typedef struct {
    const zki_pack *pk;
    const zki_big_table *t;
    const zki_fe *tf;
    size_t lc, k;
    int direct;
    const uint32_t *seg;
    const zki_ext *const *pts;
    const zki_ext *vals;
    zki_colred_proof cr;
    zki_claim_reduction_proof hr;
    zki_ext sent[40];
    int mutation;
} zk_ctx;

static zki_status zk_prove(void *c, zki_transcript *t)
{
    zk_ctx *z = c;
    zki_ext *op[40] = {0}, tv[40], rp[32];
    zki_status st;
    for (size_t j = 0; j < z->k; j++) /* the claims arrive private, as a gadget's do */
        z->sent[j] = zki_zk_send(t, "claim", z->vals[j]);
    if (z->direct) {
        zki_claim_reduction_proof_free(&z->hr);
        st = zki_pack_reduce_prove(z->pk, z->t, z->seg, z->pts, z->vals, z->k, t, &z->hr, rp, tv);
    } else {
        zki_colred_proof_free(&z->cr);
        st = zki_colred_prove(z->pk, z->t, z->lc, z->seg, z->pts, z->vals, z->k, t, &z->cr, op, NULL, tv);
    }
    for (size_t j = 0; j < z->k; j++)
        free(op[j]);
    return st;
}

/* The reduced claims checked against the table (constraints). */
static zki_status zk_verify(void *c, zki_transcript *t)
{
    zk_ctx *z = c;
    zki_pv in[40], out[40];
    zki_ext *ov[40] = {0}, rv[32];
    for (size_t j = 0; j < z->k; j++)
        in[j] = zki_zk_recv(t, "claim", z->sent[j]);
    zki_status st;
    if (z->direct) {
        st = zki_pack_reduce_verify(z->pk, z->seg, z->pts, in, z->k, &z->hr, t, rv, out);
        if (!st)
            st = zki_pv_assert_eq(t->zk, out[0], zki_pv_pub(zki_mle_eval_base(z->tf, z->pk->nvars, rv)), "big(rho)");
    } else {
        st = zki_colred_verify(z->pk, z->lc, z->seg, z->pts, in, z->k, &z->cr, t, ov, out);
        for (size_t j = 0; !st && j < z->k; j++)
            st = zki_pv_assert_eq(t->zk, out[j], zki_pv_pub(zki_mle_eval_base(z->tf, z->pk->nvars, ov[j])), "F_j");
    }
    for (size_t j = 0; j < z->k; j++)
        free(ov[j]);
    return st;
}

static void zk_mutate(void *c)
{
    zk_ctx *z = c;
    if (z->direct)
        z->hr.f_at_rho = zki_ext_add(z->hr.f_at_rho, zki_ext_one());
    else if (z->mutation == 0)
        z->cr.vals[z->k - 1] = zki_ext_add(z->cr.vals[z->k - 1], zki_ext_one());
    else
        z->cr.msgs[1] = zki_ext_add(z->cr.msgs[1], zki_ext_one());
}

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
            zki_ext tv_out[40];
            CHECK(zki_colred_prove(&pk, mode == 1 ? &tbf : &tb8, lc, seg, pp, vals, k, &tp, &pf, op, NULL, tv_out) ==
                  ZKI_OK);
            CHECK(!memcmp(tv_out, pf.vals, sizeof(zki_ext) * k)); /* a plain proof keeps the true values */
            zki_pv v2[40], vo[40], pv[40];
            for (size_t j = 0; j < k; j++)
                v2[j] = pv[j] = zki_pv_pub(vals[j]);
            if (mode == 2)
                v2[3].c = zki_ext_add(v2[3].c, zki_ext_one());
            zki_status sv = zki_colred_verify(&pk, lc, seg, pp, v2, k, &pf, &tv, ov, vo);
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
                CHECK(zki_colred_verify(&pk, lc, seg, pp, pv, k, &pf, &t3, o3, vo) == ZKI_ERR_VERIFY);
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
        zki_ext tval;
        CHECK(zki_pack_reduce_prove(&pk, &tb8, seg, pp, vals, k, &tp, &pf, rp, &tval) == ZKI_OK);
        CHECK(zki_ext_eq(pf.f_at_rho, zki_mle_eval_base(tf, pk.nvars, rp)) && zki_ext_eq(tval, pf.f_at_rho));
        zki_pv v2[40], vout;
        for (size_t j = 0; j < k; j++)
            v2[j] = zki_pv_pub(vals[j]);
        if (mode)
            v2[k - 1].c = zki_ext_sub(v2[k - 1].c, zki_ext_one());
        zki_status sv = zki_pack_reduce_verify(&pk, seg, pp, v2, k, &pf, &tv, rv, &vout);
        CHECK(sv == (mode ? ZKI_ERR_VERIFY : ZKI_OK));
        if (!mode)
            CHECK(!memcmp(rp, rv, sizeof(zki_ext) * pk.nvars));
        zki_claim_reduction_proof_free(&pf);
        zki_ts_free(&tp);
        zki_ts_free(&tv);
    }
    /* zero knowledge: both reductions, every kind of padded value altered */
    for (int direct = 0; direct < 2; direct++)
        for (int m = 0; m < (direct ? 1 : 2); m++) {
            zk_ctx z;
            memset(&z, 0, sizeof z);
            z.pk = &pk, z.t = &tb8, z.tf = tf, z.lc = 4, z.k = k, z.direct = direct, z.seg = seg, z.pts = pp;
            z.vals = vals, z.mutation = m;
            zki_zk *zp = zk_roundtrip(direct ? "pack reduce" : "colred", &z, zk_prove, zk_verify, 4 * k + 4 * pk.nvars);
            if (zp)
                zk_cheat(direct ? "pack reduce" : "colred", &z, zk_verify, zk_mutate, zp);
            zki_zk_free(zp);
            zki_colred_proof_free(&z.cr);
            zki_claim_reduction_proof_free(&z.hr);
        }
    free(t8);
    free(tf);
    zki_pack_free(&pk);
    return TEST_SUMMARY();
}
