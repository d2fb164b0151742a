#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "poly/mle.h"
#include "verifier/verifier.h"

/* The advice commitment is the prover's choice: it must hold exactly the
 * expected tables, at the key's security level, in hiding mode. */
static zki_status check_advice(const zki_arch *a, const zki_proof *p)
{
    uint64_t *lens = malloc(sizeof(uint64_t) * (2 * (size_t)a->n_layers + 1));
    if (!lens)
        return zki_fail(ZKI_ERR_NOMEM, "verify");
    uint32_t n = zki_advice_lens(a, p->B, (int)p->private_input, lens);
    int ok = p->acom.n_polys == n && p->acom.params.security_bits >= ZKI_KEY_SECURITY_BITS &&
             p->acom.shape.bits >= (double)ZKI_KEY_SECURITY_BITS;
    for (uint32_t i = 0; ok && i < n; i++)
        ok = p->acom.lens[i] == lens[i];
    free(lens);
    return ok ? ZKI_OK
              : zki_fail(ZKI_ERR_VERIFY, "verify: the advice commitment's tables or security level "
                         "are not the ones this key and batch need");
}

zki_status zki_verify(const zki_vk *vk, const int64_t *X, uint32_t B, const zki_proof *pf)
{
    const zki_arch *a = &vk->arch;
    uint32_t L = a->n_layers;
    if (memcmp(pf->vk_hash.b, vk->vk_hash.b, 32))
        return zki_fail(ZKI_ERR_VERIFY, "verify: the proof was made for another model key");
    if (pf->n_layers != L || pf->out_n != a->layers[L - 1].N || !pf->link || !pf->mm ||
        !pf->output)
        return zki_fail(ZKI_ERR_VERIFY, "verify: the proof's shape does not match the key");
    if (pf->B != B || B < 1 || B > ZKI_MAX_BATCH)
        return zki_fail(ZKI_ERR_VERIFY, "verify: the proof is for a batch of %u, the input has %u",
                        pf->B, B);
    if (!X && !pf->private_input)
        return zki_fail(ZKI_ERR_VERIFY, "verify: the proof has a public input and none was given");
    if (X && pf->private_input)
        return zki_fail(ZKI_ERR_VERIFY, "verify: the proof commits its input; verify without --input");
    int64_t olim = (int64_t)1 << (a->out_bits - 1);
    for (uint64_t i = 0; i < (uint64_t)B * pf->out_n; i++)
        if (pf->output[i] < -olim || pf->output[i] >= olim)
            return zki_fail(ZKI_ERR_VERIFY, "verify: output %llu outside the %u-bit range",
                            (unsigned long long)i, a->out_bits);
    zki_status st = check_advice(a, pf);
    if (st)
        return st;
    size_t lb = zki_log2_ceil(B);
    zki_transcript ts = {0};
    zki_ext **pts = calloc(3 * (size_t)L + 1, sizeof(zki_ext *));
    zki_pcs_claim *claims = calloc(5 * (size_t)L + 1, sizeof(zki_pcs_claim));
    zki_fe *tab = NULL;
    size_t ncl = 0;
    if (!pts || !claims) {
        st = zki_fail(ZKI_ERR_NOMEM, "verify");
        goto out;
    }
    if ((st = zki_statement_bind(&ts, vk, B, (int)pf->private_input, X, pf->output, &pf->acom)))
        goto out;
    size_t lnL = zki_log2_ceil(a->layers[L - 1].N);
    zki_ext *r = pts[3 * L] = malloc(sizeof(zki_ext) * (lb + lnL + 1));
    if (!r) {
        st = zki_fail(ZKI_ERR_NOMEM, "verify: point");
        goto out;
    }
    zki_ts_challenge_ext_vec(&ts, "out.point", r, lb + lnL);
    tab = zki_int_table(pf->output, B, a->layers[L - 1].N, lb, lnL);
    if (!tab) {
        st = zki_fail(ZKI_ERR_NOMEM, "verify: output table");
        goto out;
    }
    zki_ext v = zki_mle_eval_base(tab, lb + lnL, r);
    free(tab);
    tab = NULL;
    for (uint32_t l = L; l-- > 0;) {
        const zki_arch_layer *Ly = &a->layers[l];
        zki_matmul_dims d;
        zki_matmul_dims_init(&d, B, Ly->K, Ly->N, Ly->has_bias);
        if (l + 1 < L)
            claims[ncl++] = (zki_pcs_claim){1, zki_advice_y(a, l), r, v};
        zki_ext av = pf->link[l];
        zki_ts_absorb_ext(&ts, "link.acc", av);
        claims[ncl++] = (zki_pcs_claim){1, zki_advice_acc(a, l), r, av};
        zki_ext *xp = pts[3 * l] = malloc(sizeof(zki_ext) * (d.lk + d.lb + 1));
        zki_ext *wp = pts[3 * l + 1] = malloc(sizeof(zki_ext) * (d.lk + d.ln + 1));
        if (!xp || !wp) {
            st = zki_fail(ZKI_ERR_NOMEM, "verify: points");
            goto out;
        }
        if ((st = zki_matmul_verify(&d, r, av, &pf->mm[l], &ts, xp, wp))) {
            zki_fail(ZKI_ERR_VERIFY, "layer %u: %s", l, zki_last_error());
            goto out;
        }
        claims[ncl++] = (zki_pcs_claim){0, vk->w_table[l], wp, pf->mm[l].w_eval};
        if (Ly->has_bias)
            claims[ncl++] = (zki_pcs_claim){0, vk->b_table[l], r, pf->mm[l].b_eval};
        r = xp;
        v = pf->mm[l].x_eval;
    }
    if (pf->private_input) {
        claims[ncl++] = (zki_pcs_claim){1, zki_advice_x0(a), r, v};
    } else {
        size_t lk0 = zki_log2_ceil(a->layers[0].K);
        tab = zki_int_table(X, B, a->layers[0].K, lb, lk0);
        if (!tab) {
            st = zki_fail(ZKI_ERR_NOMEM, "verify: input table");
            goto out;
        }
        if (!zki_ext_eq(zki_mle_eval_base(tab, lb + lk0, r), v)) {
            st = zki_fail(ZKI_ERR_VERIFY, "verify: the claim on the input does not match the input");
            goto out;
        }
    }
    {
        const zki_pcs_commitment *coms[2] = {&vk->wcom, &pf->acom};
        st = zki_pcs_verify(&ts, coms, 2, claims, ncl, &pf->open);
        if (st)
            st = zki_fail(ZKI_ERR_VERIFY, "verify: commitment opening: %s", zki_last_error());
    }
out:
    if (pts)
        for (uint32_t i = 0; i <= 3 * L; i++)
            free(pts[i]);
    free(pts);
    free(claims);
    free(tab);
    if (ts.h)
        zki_ts_free(&ts);
    return st;
}
