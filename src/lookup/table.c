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

void zki_lookup_table_free(zki_lookup_table *t)
{
    free(t->out);
    memset(t, 0, sizeof *t);
}

zki_ext zki_lookup_table_eval(const zki_lookup_table *t, const zki_ext *r, zki_ext beta)
{
    /* lo + i has extension lo + sum_j 2^j r_j (the eq weights sum to 1) */
    zki_ext v = zki_ext_from_fe(zki_fe_from_i64(t->lo));
    for (unsigned j = 0; j < t->log_size; j++)
        v = zki_ext_add(v, zki_ext_scale(r[j], zki_fe_from_u64((uint64_t)1 << j)));
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
