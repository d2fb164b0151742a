/* Lookup tables and their multilinear extensions. */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "lookup/lookup.h"
#include "poly/mle.h"

zki_status zki_lookup_table_range(zki_lookup_table *t, unsigned log_size, int64_t lo)
{
    memset(t, 0, sizeof *t);
    if (log_size < 1 || log_size > 32)
        return zki_fail(ZKI_ERR_INPUT, "range table: 2^%u entries (2^1 .. 2^32)", log_size);
    if (lo < -((int64_t)1 << 61) || lo > ((int64_t)1 << 61))
        return zki_fail(ZKI_ERR_INPUT, "range table: start %lld out of bounds", (long long)lo);
    t->kind = ZKI_LK_RANGE;
    t->log_size = log_size;
    t->lo = lo;
    return ZKI_OK;
}

zki_status zki_lookup_table_map(zki_lookup_table *t, unsigned log_size, int64_t lo,
                                const int64_t *out)
{
    memset(t, 0, sizeof *t);
    if (log_size < 1 || log_size > ZKI_LK_MAX_LOG_TABLE)
        return zki_fail(ZKI_ERR_INPUT, "mapping table: 2^%u entries (2^1 .. 2^%d)", log_size,
                        ZKI_LK_MAX_LOG_TABLE);
    if (lo < -((int64_t)1 << 61) || lo > ((int64_t)1 << 61))
        return zki_fail(ZKI_ERR_INPUT, "mapping table: start %lld out of bounds", (long long)lo);
    size_t n = (size_t)1 << log_size;
    for (size_t i = 0; i < n; i++)
        if (out[i] <= -((int64_t)1 << 62) || out[i] >= ((int64_t)1 << 62))
            return zki_fail(ZKI_ERR_INPUT, "mapping table: output %zu out of bounds", i);
    t->out = malloc(n * sizeof *t->out);
    if (!t->out)
        return zki_fail(ZKI_ERR_NOMEM, "mapping table");
    memcpy(t->out, out, n * sizeof *t->out);
    t->kind = ZKI_LK_MAP;
    t->log_size = log_size;
    t->lo = lo;
    return ZKI_OK;
}

zki_status zki_lookup_table_clamp(zki_lookup_table *t, unsigned log_size, int64_t lo,
                                  int64_t clo, int64_t chi)
{
    memset(t, 0, sizeof *t);
    const int64_t B = (int64_t)1 << 61;
    if (log_size < 1 || log_size > ZKI_LK_MAX_LOG_TABLE)
        return zki_fail(ZKI_ERR_INPUT, "clamp table: 2^%u entries (2^1 .. 2^%d)", log_size,
                        ZKI_LK_MAX_LOG_TABLE);
    if (lo < -B || lo > B || clo < -B || chi > B || clo > chi)
        return zki_fail(ZKI_ERR_INPUT, "clamp table: start %lld, bounds [%lld, %lld]",
                        (long long)lo, (long long)clo, (long long)chi);
    t->kind = ZKI_LK_CLAMP;
    t->log_size = log_size;
    t->lo = lo;
    t->clo = clo;
    t->chi = chi;
    return ZKI_OK;
}

unsigned zki_lookup_table_cols(const zki_lookup_table *t) { return t->kind == ZKI_LK_RANGE ? 1 : 2; }

int64_t zki_lookup_table_out(const zki_lookup_table *t, size_t i)
{
    if (t->kind == ZKI_LK_MAP)
        return t->out[i];
    int64_t v = t->lo + (int64_t)i;
    return v < t->clo ? t->clo : v > t->chi ? t->chi : v;
}

void zki_lookup_table_free(zki_lookup_table *t)
{
    free(t->out);
    memset(t, 0, sizeof *t);
}

zki_ext zki_lk_prefix_mle(uint64_t len, unsigned k, const zki_ext *r)
{
    if (len >= ((uint64_t)1 << k))
        return zki_ext_one();
    if (len == 0)
        return zki_ext_zero();
    uint64_t half = (uint64_t)1 << (k - 1);
    zki_ext top = r[k - 1], one_m = zki_ext_sub(zki_ext_one(), top);
    if (len <= half)
        return zki_ext_mul(one_m, zki_lk_prefix_mle(len, k - 1, r));
    return zki_ext_add(one_m, zki_ext_mul(top, zki_lk_prefix_mle(len - half, k - 1, r)));
}

/* id[j] = extension of the index over the low j variables: sum_{i<j} 2^i r_i */
static void index_mles(zki_ext *id, unsigned k, const zki_ext *r)
{
    id[0] = zki_ext_zero();
    for (unsigned j = 0; j < k; j++)
        id[j + 1] = zki_ext_add(id[j], zki_ext_scale(r[j], zki_fe_from_u64((uint64_t)1 << j)));
}

/* Extensions of [x < n] (*P) and x [x < n] (*XP) over k variables, split on
 * the top bit t: below half, (1 - t) times the same over k - 1 variables;
 * above, the lower half whole plus t times the rest shifted by half. */
static void prefix_pair(uint64_t n, unsigned k, const zki_ext *r, const zki_ext *id, zki_ext *P,
                        zki_ext *XP)
{
    if (n >= ((uint64_t)1 << k)) {
        *P = zki_ext_one();
        *XP = id[k];
        return;
    }
    if (n == 0) {
        *P = *XP = zki_ext_zero();
        return;
    }
    uint64_t half = (uint64_t)1 << (k - 1);
    zki_ext t = r[k - 1], one_m = zki_ext_sub(zki_ext_one(), t), p, xp;
    if (n <= half) {
        prefix_pair(n, k - 1, r, id, &p, &xp);
        *P = zki_ext_mul(one_m, p);
        *XP = zki_ext_mul(one_m, xp);
        return;
    }
    prefix_pair(n - half, k - 1, r, id, &p, &xp);
    *P = zki_ext_add(one_m, zki_ext_mul(t, p));
    *XP = zki_ext_add(zki_ext_mul(one_m, id[k - 1]),
                      zki_ext_mul(t, zki_ext_add(xp, zki_ext_scale(p, zki_fe_from_u64(half)))));
}

/* clamp(lo + x, clo, chi) = clo [x < a] + (lo + x) [a <= x < b] + chi [x >= b]
 * with a = clo - lo, b = chi - lo + 1 cut to [0, 2^k]: O(k). */
static zki_ext clamp_mle(const zki_lookup_table *t, const zki_ext *r, const zki_ext *id)
{
    unsigned k = t->log_size;
    __int128 N = (__int128)1 << k, a = (__int128)t->clo - t->lo, b = (__int128)t->chi - t->lo + 1;
    a = a < 0 ? 0 : a > N ? N : a;
    b = b < 0 ? 0 : b > N ? N : b;
    zki_ext Pa, XPa, Pb, XPb;
    prefix_pair((uint64_t)a, k, r, id, &Pa, &XPa);
    prefix_pair((uint64_t)b, k, r, id, &Pb, &XPb);
    zki_ext v = zki_ext_scale(Pa, zki_fe_from_i64(t->clo));
    v = zki_ext_add(v, zki_ext_scale(zki_ext_sub(zki_ext_one(), Pb), zki_fe_from_i64(t->chi)));
    v = zki_ext_add(v, zki_ext_scale(zki_ext_sub(Pb, Pa), zki_fe_from_i64(t->lo)));
    return zki_ext_add(v, zki_ext_sub(XPb, XPa));
}

zki_ext zki_lookup_table_eval(const zki_lookup_table *t, const zki_ext *r, zki_ext beta)
{
    zki_ext id[33]; /* log_size <= 32 */
    index_mles(id, t->log_size, r);
    /* lo + i has extension lo + sum_j 2^j r_j (the eq weights sum to 1) */
    zki_ext v = zki_ext_add(zki_ext_from_fe(zki_fe_from_i64(t->lo)), id[t->log_size]);
    if (t->kind == ZKI_LK_CLAMP)
        v = zki_ext_add(v, zki_ext_mul(beta, clamp_mle(t, r, id)));
    if (t->kind == ZKI_LK_MAP) {
        size_t n = (size_t)1 << t->log_size;
        zki_ext *eq = malloc(n * sizeof *eq);
        if (!eq) /* treated as a failed check by the caller: the value is junk */
            return zki_ext_make(0, 1);
        zki_eq_table(eq, r, t->log_size);
        zki_ext_acc acc;
        zki_ext_acc_zero(&acc);
        for (size_t i = 0; i < n; i++)
            zki_ext_acc_mac_fe(&acc, zki_fe_from_i64(t->out[i]), eq[i]);
        free(eq);
        v = zki_ext_add(v, zki_ext_mul(beta, zki_ext_acc_reduce(&acc)));
    }
    return v;
}
