/* Requantisation fused with ReLU / clamp, and plain range / mapping gadgets.
 *
 * From accumulators x: z = x*M + 2^(s-1) = q*2^s + r, 0 <= r < 2^s,
 * y = clamp(q, lo, hi) (ReLU: lo = 0). q must lie in the mapping table's
 * input range [-2^(q_log-1), 2^(q_log-1)).
 *
 * The proof uses s' = 16 L (L = ceil(s/16) limbs) and M' = 2^(s'-s) M when
 * s' + q_log <= 62 and q_log < ZKI_LK_MAX_LOG_TABLE (else s' = s, M' = M):
 * the relation scaled by 2^(s'-s) has the same q and r' = 2^(s'-s) r, which
 * fills whole 16-bit limbs.
 *
 * Advice the CALLER commits: q, y and the high limbs r_1 .. r_{L-1} of r'
 * (limb 0 lowest). Limb 0 is NOT committed:
 *     r_0 = 2^(s'-1) + M' x - 2^s' q - sum_{i>=1} 2^(16 i) r_i
 * is affine in x, q, r_i, so its lookup claims become claims on them.
 * Sites registered:
 *   range table [0, 2^16) (instance `range16`): r_0 .. r_{L-1}, and, only
 *     when s' = s is not a multiple of 16 (top limb of t < 16 bits), also
 *     r_top + 2^16 - 2^t (both in range => r_top < 2^t, so r' < 2^s');
 *   mapping table zki_requant_table (instance `map`): the pair (q, y).
 * Claims out (to the ledger, via the lookup instances): on x (the caller
 * turns them into its matmul sum-check), on q, y, r_i (opened by the PCS or
 * chained further). Soundness: 2^s' q + r' takes fewer than p integer
 * values over the checked ranges (s' + q_log <= 62), so the field relation
 * fixes q and r' uniquely; they are the INTEGER quotient and remainder only
 * if M' x + 2^(s'-1) cannot wrap mod p onto that window: the caller must
 * keep |M x| + 2^(s-1) < 2^62 (s' = s) or give a q_log below the cap that
 * bounds every quotient its x can produce (s' > s). */
#ifndef ZKI_LOOKUP_REQUANT_H
#define ZKI_LOOKUP_REQUANT_H

#include "lookup/lookup.h"

#define ZKI_RQ_MAX_LIMBS 4

typedef struct {
    int64_t M;       /* multiplier, |M| < 2^31 */
    unsigned s;      /* shift, 1 .. 61, s + q_log <= 62 */
    int64_t lo, hi;  /* output clamp, lo <= hi */
    unsigned q_log;  /* q table: [-2^(q_log-1), 2^(q_log-1)), 1 .. 20 */
} zki_requant_params;

typedef struct {
    uint32_t x, q, y;
    uint32_t limb[ZKI_RQ_MAX_LIMBS]; /* limb[1..L-1] used */
} zki_requant_ids;

typedef struct {
    size_t n;
    unsigned n_limbs;                /* L */
    int64_t *q, *y;                  /* n each: advice, commit */
    int64_t *limb[ZKI_RQ_MAX_LIMBS]; /* limb[1..L-1]: advice, commit; limb[0] NULL */
} zki_requant_witness;

unsigned zki_requant_n_limbs(unsigned s);

/* The (q, clamp(q)) mapping table: a CLAMP table, nothing allocated. */
zki_status zki_requant_table(zki_lookup_table *t, const zki_requant_params *p);

/* Computes q, y, limbs. ZKI_ERR_INPUT naming `name` and the index if q
 * leaves the table range, or on bad params. */
zki_status zki_requant_witness_new(zki_requant_witness *w, const zki_requant_params *p,
                                   const int64_t *x, size_t n, const char *name);
void zki_requant_witness_free(zki_requant_witness *w);

/* Registers the sites (prover: w and x given; verifier: both NULL). range16
 * must be a [0, 2^16) range instance, map one over zki_requant_table(p). */
zki_status zki_requant_add_sites(const zki_requant_params *p, const zki_requant_witness *w,
                                 const int64_t *x, size_t n, const zki_requant_ids *ids,
                                 zki_lookup *range16, zki_lookup *map, const char *name);

/* Plain gadgets: every entry of tensor `data` (len) in the range table of
 * `lk`; every pair (in[i], out[i]) in the mapping table of `lk`. */
zki_status zki_range_check_add(zki_lookup *lk, const char *name, uint32_t tensor,
                               const int64_t *data, size_t len);
zki_status zki_map_add(zki_lookup *lk, const char *name, uint32_t in_tensor, const int64_t *in,
                       uint32_t out_tensor, const int64_t *out, size_t len);

#endif
