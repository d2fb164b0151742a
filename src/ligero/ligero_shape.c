/* The layout: row width, random coefficients, code length and query count,
 * all derived in integer arithmetic from (values, masks_commit, bits,
 * grind, log_ell) so prover and verifier agree on every platform. */
#include <string.h>

#include "common/error.h"
#include "ligero/ligero_internal.h"
#include "pcs/pcs.h"

static uint32_t log2_ceil(uint64_t x)
{
    uint32_t k = 0;
    while (k < 63 && ((uint64_t)1 << k) < x)
        k++;
    return k;
}

static uint32_t log2_floor(uint64_t x)
{
    uint32_t k = 0;
    while (x >> (k + 1))
        k++;
    return k;
}

/* The layout at width 2^log_ell. A query passes a false proof with
 * probability at most 1/2 + k/D (docs/ligero.md, "Soundness"), i.e.
 * (D + 2k) / 2D: zki_pcs_queries with message length 2k gives the least t
 * with ((D + 2k) / 2D)^t <= 2^-(bits + 1 - grind), the power bounded from
 * above in integer arithmetic. The t opened columns must be hidden by the h
 * random coefficients of every data row, h >= t(ell + h); t is not monotone
 * in h (it drops where D doubles), so the least such h is found by a scan
 * (h <= t: about 95 queries for 85 bits at D >= 16k). */
static void layout_at(zki_ligero_shape *s, uint32_t log_ell)
{
    s->log_ell = log_ell;
    s->ell = (uint64_t)1 << log_ell;
    for (uint32_t c = 0; c < s->n_c; c++) {
        s->rows[c] = (s->values[c] + s->ell - 1) >> log_ell;
        s->height[c] = 2 * s->rows[c] + (c == s->masks_commit ? 2ull * ZKI_LIGERO_MASK_ROWS : 0);
    }
    uint32_t qbits = s->bits + 1 - s->grind;
    for (uint64_t h = 0;; h++) {
        uint64_t k = s->ell + h;
        uint32_t log_d = log2_ceil(ZKI_LIGERO_CODE_FACTOR * k);
        uint32_t t = zki_pcs_queries(2 * k, log_d, qbits);
        s->h = h;
        s->k = k;
        s->m = 2 * k - 1;
        s->log_d = log_d;
        s->d = (uint64_t)1 << log_d;
        s->queries = t;
        if (t <= h)
            break;
    }
}

/* Estimated proof bytes (what the automatic width minimises): w, q and s
 * (16 m bytes each; s counted whether or not a proof has triples), and per
 * commitment t columns of 8 height bytes, t salts and a Merkle multi-proof
 * of about t (log_d - log2 t) digests. */
static uint64_t est_bytes(const zki_ligero_shape *s)
{
    uint64_t t = s->queries, lt = log2_floor(t ? t : 1);
    uint64_t b = 24 + 3 * 16 * s->m;
    for (uint32_t c = 0; c < s->n_c; c++) {
        b += t * (8 * s->height[c] + ZKI_LIGERO_SALT_LEN) + 4;
        if (s->log_d > lt)
            b += 32 * t * (s->log_d - lt);
    }
    return b;
}

zki_status zki_ligero_shape_init(zki_ligero_shape *s, uint32_t n_c, const uint64_t *values,
                                 uint32_t masks_commit, uint32_t bits, uint32_t grind,
                                 uint32_t log_ell)
{
    if (!s)
        return zki_fail(ZKI_ERR_INPUT, "ligero: no shape to fill");
    memset(s, 0, sizeof *s);
    if (n_c < 1 || n_c > ZKI_LIGERO_MAX_COMMITS)
        return zki_fail(ZKI_ERR_INPUT, "ligero: %u commitments (need 1 .. %u)", n_c,
                        ZKI_LIGERO_MAX_COMMITS);
    if (!values)
        return zki_fail(ZKI_ERR_INPUT, "ligero: no witness lengths");
    if (masks_commit >= n_c)
        return zki_fail(ZKI_ERR_INPUT, "ligero: mask commitment %u of %u", masks_commit, n_c);
    if (bits < 1 || bits > 256)
        return zki_fail(ZKI_ERR_INPUT, "ligero: security bits %u outside [1, 256]", bits);
    if (grind > ZKI_PCS_MAX_GRIND || grind >= bits + 1)
        return zki_fail(ZKI_ERR_INPUT, "ligero: %u grinding bits (need 0 .. %u, below bits + 1)",
                        grind, ZKI_PCS_MAX_GRIND);
    if (log_ell > 20)
        return zki_fail(ZKI_ERR_INPUT, "ligero: row width 2^%u above 2^20", log_ell);
    for (uint32_t c = 0; c < n_c; c++)
        if (values[c] < 1 || values[c] > ZKI_LIGERO_MAX_VALUES)
            return zki_fail(ZKI_ERR_INPUT, "ligero: commitment %u has %llu values (need 1 .. 2^32)",
                            c, (unsigned long long)values[c]);
    s->n_c = n_c;
    s->masks_commit = masks_commit;
    s->bits = bits;
    s->grind = grind;
    for (uint32_t c = 0; c < n_c; c++)
        s->values[c] = values[c];
    uint32_t best = log_ell;
    if (!log_ell) {
        /* the fewest estimated bytes; ties to the narrower row */
        uint64_t best_b = UINT64_MAX;
        for (uint32_t l = ZKI_LIGERO_MIN_LOG_ELL; l <= ZKI_LIGERO_MAX_LOG_ELL; l++) {
            layout_at(s, l);
            uint64_t b = est_bytes(s);
            if (b < best_b) {
                best_b = b;
                best = l;
            }
        }
    }
    layout_at(s, best);
    if (s->log_d > ZKI_PCS_MAX_LOG_D || s->h < s->queries)
        return zki_fail(ZKI_ERR_INPUT, "ligero: code length 2^%u too large (max 2^%u)", s->log_d,
                        ZKI_PCS_MAX_LOG_D);
    return ZKI_OK;
}

int zki_ligero_shape_eq(const zki_ligero_shape *a, const zki_ligero_shape *b)
{
    if (a->n_c != b->n_c || a->masks_commit != b->masks_commit || a->bits != b->bits ||
        a->grind != b->grind || a->log_ell != b->log_ell || a->ell != b->ell || a->h != b->h ||
        a->k != b->k || a->m != b->m || a->log_d != b->log_d || a->d != b->d ||
        a->queries != b->queries || a->n_c > ZKI_LIGERO_MAX_COMMITS)
        return 0;
    for (uint32_t c = 0; c < a->n_c; c++)
        if (a->values[c] != b->values[c] || a->rows[c] != b->rows[c] ||
            a->height[c] != b->height[c])
            return 0;
    return 1;
}

zki_status zki_ligero_shape_check(const zki_ligero_shape *s)
{
    if (!s)
        return zki_fail(ZKI_ERR_INPUT, "ligero: no shape");
    if (s->n_c < 1 || s->n_c > ZKI_LIGERO_MAX_COMMITS || s->log_ell < 1)
        return zki_fail(ZKI_ERR_INPUT, "ligero: the shape is not one zki_ligero_shape_init derives");
    zki_ligero_shape e;
    zki_status st = zki_ligero_shape_init(&e, s->n_c, s->values, s->masks_commit, s->bits,
                                          s->grind, s->log_ell);
    if (st)
        return st;
    return zki_ligero_shape_eq(s, &e)
               ? ZKI_OK
               : zki_fail(ZKI_ERR_INPUT, "ligero: the shape is not one zki_ligero_shape_init derives");
}
