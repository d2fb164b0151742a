/* Requant + ReLU/clamp gadget and plain range / mapping gadgets. */
#include "lookup/requant.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/check.h"
#include "common/error.h"

unsigned zki_requant_n_limbs(unsigned s) { return (s + 15) / 16; }

static zki_status check_params(const zki_requant_params *p)
{
    if (p->s < 1 || p->s > 61)
        return zki_fail(ZKI_ERR_INPUT, "requant: shift %u (1..61)", p->s);
    if (p->M == 0 || p->M <= -((int64_t)1 << 40) || p->M >= ((int64_t)1 << 40))
        return zki_fail(ZKI_ERR_INPUT, "requant: multiplier %lld", (long long)p->M);
    if (p->lo > p->hi || p->lo <= -((int64_t)1 << 40) || p->hi >= ((int64_t)1 << 40))
        return zki_fail(ZKI_ERR_INPUT, "requant: clamp [%lld, %lld]", (long long)p->lo,
                        (long long)p->hi);
    if (p->q_log < 1 || p->q_log > ZKI_LK_MAX_LOG_TABLE)
        return zki_fail(ZKI_ERR_INPUT, "requant: q table 2^%u (1..2^%d)", p->q_log,
                        ZKI_LK_MAX_LOG_TABLE);
    /* 2^s q + r ranges over fewer than p integers: unique mod p */
    if (p->s + p->q_log > 62)
        return zki_fail(ZKI_ERR_INPUT, "requant: shift %u + q table bits %u exceed 62", p->s,
                        p->q_log);
    return ZKI_OK;
}

/* The shift used in the proof: M x + 2^(s-1) = 2^s q + r scaled by 2^d
 * (M' = 2^d M, s' = s + d = 16 L) has the same q, and r' = 2^d r fills
 * whole 16-bit limbs, so no short top limb needs a second lookup. Used
 * when s' + q_log <= 62 still holds; otherwise s itself.
 * Scaling also multiplies |M x| by 2^d: it is sound only where q_log truly
 * bounds the quotient (then z' stays in the window 2^(s'+q_log-1)). A q_log
 * at the table cap may be saturated (setup caps it at 2^20 whatever the
 * accumulators): there z' could reach p and wrap onto a small q (attack in
 * tests/test_attack_requant.c), so keep s, where |M x| + 2^(s-1) < 2^62
 * (zki_qmodel_check) cannot wrap. */
static unsigned eff_shift(const zki_requant_params *p)
{
    unsigned s2 = 16 * zki_requant_n_limbs(p->s);
    unsigned se = s2 + p->q_log <= 62 && p->q_log < ZKI_LK_MAX_LOG_TABLE ? s2 : p->s;
    /* check_params passed: the quotient and remainder stay below 2^62 < p */
    ZKI_VERIFY_CHECK(se >= p->s && se + p->q_log <= 62 && zki_requant_n_limbs(se) == zki_requant_n_limbs(p->s));
    return se;
}

static int64_t q_lo(const zki_requant_params *p) { return -((int64_t)1 << (p->q_log - 1)); }
static int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

zki_status zki_requant_table(zki_lookup_table *t, const zki_requant_params *p)
{
    memset(t, 0, sizeof *t);
    zki_status st = check_params(p);
    if (st != ZKI_OK)
        return st;
    return zki_lookup_table_clamp(t, p->q_log, q_lo(p), p->lo, p->hi);
}

void zki_requant_witness_free(zki_requant_witness *w)
{
    free(w->q);
    free(w->y);
    for (int i = 0; i < ZKI_RQ_MAX_LIMBS; i++)
        free(w->limb[i]);
    memset(w, 0, sizeof *w);
}

zki_status zki_requant_witness_new(zki_requant_witness *w, const zki_requant_params *p,
                                   const int64_t *x, size_t n, const char *name)
{
    memset(w, 0, sizeof *w);
    name = name ? name : "?";
    zki_status st = check_params(p);
    if (st != ZKI_OK)
        return st;
    unsigned L = zki_requant_n_limbs(p->s);
    w->n = n;
    w->n_limbs = L;
    w->q = malloc(n * sizeof *w->q);
    w->y = malloc(n * sizeof *w->y);
    int ok = w->q && w->y;
    for (unsigned i = 1; i < L; i++)
        ok = ok && (w->limb[i] = malloc(n * sizeof *w->limb[i])) != NULL;
    if (!ok) {
        zki_requant_witness_free(w);
        return zki_fail(ZKI_ERR_NOMEM, "requant '%s' witness", name);
    }
    int64_t qlo = q_lo(p), qhi = qlo + ((int64_t)1 << p->q_log);
    unsigned se = eff_shift(p);
    __int128 Me = (__int128)p->M * ((__int128)1 << (se - p->s));
    /* each element alone (same bytes for any thread count); the first
     * element outside the table is the one reported */
    size_t bad = n;
#pragma omp parallel for schedule(static) reduction(min : bad) if (n > 65536)
    for (size_t i = 0; i < n; i++) {
        __int128 z = (__int128)x[i] * Me + ((__int128)1 << (se - 1)); /* |z| < 2^120 */
        __int128 q = z >> se; /* floor (arithmetic shift) */
        if (q < qlo || q >= qhi) {
            bad = i < bad ? i : bad;
            continue;
        }
        uint64_t r = (uint64_t)(z - q * ((__int128)1 << se));
        ZKI_VERIFY_CHECK(z - q * ((__int128)1 << se) >= 0 && r < ((uint64_t)1 << se)); /* floor division */
        w->q[i] = (int64_t)q;
        w->y[i] = clamp64((int64_t)q, p->lo, p->hi);
        for (unsigned l = 1; l < L; l++)
            w->limb[l][i] = (int64_t)((r >> (16 * l)) & 0xffff);
        ZKI_VERIFY_CHECK(w->y[i] >= p->lo && w->y[i] <= p->hi);
    }
    if (bad < n) {
        long long q = (long long)(((__int128)x[bad] * Me + ((__int128)1 << (se - 1))) >> se);
        zki_requant_witness_free(w);
        return zki_fail(ZKI_ERR_INPUT,
                        "requant '%s': quotient %lld at index %zu outside the table range [%lld, %lld)", name, q,
                        bad, (long long)qlo, (long long)qhi);
    }
    return ZKI_OK;
}

zki_status zki_requant_add_sites(const zki_requant_params *p, const zki_requant_witness *w,
                                 const int64_t *x, size_t n, const zki_requant_ids *ids,
                                 zki_lookup *range16, zki_lookup *map, const char *name)
{
    zki_status st = check_params(p);
    if (st != ZKI_OK)
        return st;
    name = name ? name : "?";
    if (w && (w->n != n || !x))
        return zki_fail(ZKI_ERR_INPUT, "requant '%s': witness of %zu entries for %zu", name,
                        w->n, n);
    unsigned se = eff_shift(p);
    unsigned L = zki_requant_n_limbs(p->s), t = se - 16 * (L - 1);
    /* the top limb holds 1..16 bits; r0 has x, q and the L-1 high limbs as terms */
    ZKI_VERIFY_CHECK(L >= 1 && L <= ZKI_RQ_MAX_LIMBS && t >= 1 && t <= 16 && 1 + L <= ZKI_LK_MAX_TERMS);
    char buf[256];
    /* r_0 = 2^(s'-1) + M' x - 2^s' q - sum_{i>=1} 2^(16 i) r_i */
    zki_lk_col r0;
    memset(&r0, 0, sizeof r0);
    r0.cst = (int64_t)1 << (se - 1);
    r0.n_terms = 2 + (L - 1);
    r0.coef[0] = p->M * ((int64_t)1 << (se - p->s)); /* |M'| < 2^55 */
    r0.tensor[0] = ids->x;
    r0.data[0] = x;
    r0.coef[1] = -((int64_t)1 << se);
    r0.tensor[1] = ids->q;
    r0.data[1] = w ? w->q : NULL;
    for (unsigned i = 1; i < L; i++) {
        r0.coef[1 + i] = -((int64_t)1 << (16 * i));
        r0.tensor[1 + i] = ids->limb[i];
        r0.data[1 + i] = w ? w->limb[i] : NULL;
    }
    snprintf(buf, sizeof buf, "%s.r0", name);
    if ((st = zki_lookup_add_site(range16, buf, n, &r0, 1)) != ZKI_OK)
        return st;
    zki_lk_col top = r0;
    for (unsigned i = 1; i < L; i++) {
        zki_lk_col li = zki_lk_col_plain(ids->limb[i], w ? w->limb[i] : NULL);
        snprintf(buf, sizeof buf, "%s.r%u", name, i);
        if ((st = zki_lookup_add_site(range16, buf, n, &li, 1)) != ZKI_OK)
            return st;
        top = li;
    }
    if (t < 16) { /* top limb < 2^t: also top + 2^16 - 2^t < 2^16 */
        top.cst += ((int64_t)1 << 16) - ((int64_t)1 << t);
        snprintf(buf, sizeof buf, "%s.rtop", name);
        if ((st = zki_lookup_add_site(range16, buf, n, &top, 1)) != ZKI_OK)
            return st;
    }
    zki_lk_col qy[2] = {zki_lk_col_plain(ids->q, w ? w->q : NULL),
                        zki_lk_col_plain(ids->y, w ? w->y : NULL)};
    snprintf(buf, sizeof buf, "%s.qy", name);
    return zki_lookup_add_site(map, buf, n, qy, 2);
}

zki_status zki_range_check_add(zki_lookup *lk, const char *name, uint32_t tensor,
                               const int64_t *data, size_t len)
{
    zki_lk_col c = zki_lk_col_plain(tensor, data);
    return zki_lookup_add_site(lk, name, len, &c, 1);
}

zki_status zki_map_add(zki_lookup *lk, const char *name, uint32_t in_tensor, const int64_t *in,
                       uint32_t out_tensor, const int64_t *out, size_t len)
{
    zki_lk_col c[2] = {zki_lk_col_plain(in_tensor, in), zki_lk_col_plain(out_tensor, out)};
    return zki_lookup_add_site(lk, name, len, c, 2);
}
