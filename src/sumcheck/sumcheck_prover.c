/* Sum-check prover.
 *
 * Round i sums, over the pairs (x_i = 0, x_i = 1) of the remaining tables,
 * the product of the tables at t = 0, (1,) 2, .., k, stepping each table
 * by its difference: f(t+1) = f(t) + (f(1) - f(0)). Round 0 reads the
 * caller's tables (base arithmetic when all are base) and binding it folds
 * into owned half-size buffers; later rounds fold those in place.
 *
 * The eq factor is never a table of its own (Gruen): with
 *   p_i(t) = C_i eq(z_i, t) q_i(t),  C_i = prod_{j<i} eq(z_j, r_j),
 *   q_i(t) = sum_x' eq(z_{>i}, x') prod_j f_j(r_<i, t, x'),
 * only q_i (degree k) is summed; q_i(1) comes from the running claim and
 * q_i(k+1) by extrapolation. The weights eq(z_{>i}, x') are never a full
 * table: x' splits into low and high bits, eq = lo[x'_lo] * hi[x'_hi], with
 * two tables of about 2^(n/2) entries; the sum runs as sum_h hi[h] (sum_l
 * lo[l] ...), so a term costs one multiplication by lo[l] as with a full
 * table. Each round drops the lowest variable of lo (or of hi once lo is
 * used up) by pair sums, since eq(z, 0) + eq(z, 1) = 1. */
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#else /* the verifier-only library is built without OpenMP: one thread */
static int omp_get_num_threads(void) { return 1; }
static int omp_get_thread_num(void) { return 0; }
#endif

#include "common/error.h"
#include "common/scratch.h"
#include "field/vec.h"
#include "poly/mle.h"
#include "sumcheck/sumcheck.h"

#define SC_PAR_MIN ((size_t)1 << 12)
#define SC_MAX_NVARS 48
#define NPTS (ZKI_SC_MAX_DEGREE + 1)
#define SC_INLINE static inline __attribute__((always_inline))

struct zki_sc_prover {
    size_t nvars, round; /* round = variables bound so far */
    unsigned k, degree;
    const zki_fe *base[ZKI_SC_MAX_TABLES]; /* caller's tables, read in round 0 */
    const zki_ext *ext[ZKI_SC_MAX_TABLES];
    zki_ext *buf[ZKI_SC_MAX_TABLES]; /* folded tables, 2^(nvars-round) entries */
    zki_ext *z;                      /* eq point copy, NULL without eq */
    zki_ext *wlo, *whi;              /* eq(z_{round+1..}, .) = wlo x whi */
    unsigned lobits, hibits;         /* wlo has 2^lobits entries, whi 2^hibits */
    zki_ext scale;                   /* C_round */
    zki_ext claim;                   /* honest running claim once claim_known */
    int claim_known, have_round;
    zki_ext evals[NPTS]; /* this round's polynomial at 0..degree */
};

static zki_status check_instance(const zki_sc_instance *inst)
{
    if (!inst)
        return zki_fail(ZKI_ERR_INPUT, "sumcheck: NULL instance");
    if (inst->n_tables == 0 || inst->n_tables > ZKI_SC_MAX_TABLES)
        return zki_fail(ZKI_ERR_INPUT, "sumcheck: %u tables, expected 1..%d", inst->n_tables,
                        ZKI_SC_MAX_TABLES);
    if (inst->nvars > SC_MAX_NVARS)
        return zki_fail(ZKI_ERR_INPUT, "sumcheck: %zu variables, at most %d", inst->nvars,
                        SC_MAX_NVARS);
    for (unsigned j = 0; j < inst->n_tables; j++)
        if (!inst->base[j] == !inst->ext[j])
            return zki_fail(ZKI_ERR_INPUT,
                            "sumcheck: table %u needs exactly one of base/ext entries", j);
    return ZKI_OK;
}

/* ---- round kernel -------------------------------------------------------- */

/* Adds the product of KB base values vb, KE extension values ve and, with
 * HW, the weight w, into acc; the last multiplication is left lazy. */
SC_INLINE void accumulate(zki_ext_acc *acc, const zki_fe *vb, const zki_ext *ve,
                          const unsigned KB, const unsigned KE, const int HW, zki_ext w)
{
    if (KE == 0) {
        if (HW) {
            zki_fe P = vb[0];
            for (unsigned j = 1; j < KB; j++)
                P = zki_fe_mul(P, vb[j]);
            zki_ext_acc_mac_fe(acc, P, w);
        } else if (KB == 1) {
            zki_acc_add128(&acc->re, vb[0]);
        } else {
            zki_fe P = vb[0];
            for (unsigned j = 1; j + 1 < KB; j++)
                P = zki_fe_mul(P, vb[j]);
            zki_acc_mac(&acc->re, P, vb[KB - 1]);
        }
        return;
    }
    zki_fe P = 1;
    if (KB) {
        P = vb[0];
        for (unsigned j = 1; j < KB; j++)
            P = zki_fe_mul(P, vb[j]);
    }
    if (HW || KB) {
        zki_ext E = ve[0];
        for (unsigned j = 1; j < KE; j++)
            E = zki_ext_mul(E, ve[j]);
        if (HW) {
            if (KB)
                E = zki_ext_scale(E, P);
            zki_ext_acc_mac(acc, E, w);
        } else {
            zki_ext_acc_mac_fe(acc, P, E);
        }
    } else if (KE == 1) {
        zki_acc_add128(&acc->re, ve[0].c0);
        zki_acc_add128(&acc->cross, ve[0].c1);
    } else {
        zki_ext E = ve[0];
        for (unsigned j = 1; j + 1 < KE; j++)
            E = zki_ext_mul(E, ve[j]);
        zki_ext_acc_mac(acc, E, ve[KE - 1]);
    }
}

typedef struct {
    const zki_fe *TB[ZKI_SC_MAX_TABLES]; /* base tables, kb of them */
    const zki_ext *TE[ZKI_SC_MAX_TABLES]; /* extension tables, ke of them */
    unsigned kb, ke;
    int hw, with1;
    /* With hw, pair i = h L + l has weight whi[h] wlo[l], l < L. */
    const zki_ext *wlo, *whi;
    size_t L;
} sc_args;

/* Adds [w] prod_j T_j(t, i) into loc[t] for t = 0..KB+KE (t = 1 only with
 * WITH1), where T_j(t, i) = T_j[2i] + t (T_j[2i+1] - T_j[2i]). */
SC_INLINE void pair_terms(const sc_args *a, size_t i, const unsigned KB, const unsigned KE,
                          const int HW, const int WITH1, zki_ext w, zki_ext_acc *loc)
{
    const unsigned K = KB + KE;
    /* Steps by subtracting nd = T(0) - T(1): field subtraction compiles
     * without data-dependent branches, addition need not. */
    zki_fe vb[ZKI_SC_MAX_TABLES], nb[ZKI_SC_MAX_TABLES];
    zki_ext ve[ZKI_SC_MAX_TABLES], ne[ZKI_SC_MAX_TABLES];
    for (unsigned j = 0; j < KB; j++) {
        vb[j] = a->TB[j][2 * i];
        nb[j] = zki_fe_sub(vb[j], a->TB[j][2 * i + 1]);
    }
    for (unsigned j = 0; j < KE; j++) {
        ve[j] = a->TE[j][2 * i];
        ne[j] = zki_ext_sub(ve[j], a->TE[j][2 * i + 1]);
    }
    for (unsigned t = 0; t <= K; t++) {
        if (t) {
            for (unsigned j = 0; j < KB; j++)
                vb[j] = zki_fe_sub(vb[j], nb[j]);
            for (unsigned j = 0; j < KE; j++)
                ve[j] = zki_ext_sub(ve[j], ne[j]);
        }
        if (t == 1 && !WITH1)
            continue;
        accumulate(&loc[t], vb, ve, KB, KE, HW, w);
    }
}

/* Sums over pairs [lo, hi) (blocks of L pairs with HW) into acc. Local
 * accumulators: acc may alias the tables' uint64_t words, which would force
 * a store and reload per product. */
SC_INLINE void kernel_range(const sc_args *a, size_t lo, size_t hi, const unsigned KB,
                            const unsigned KE, const int HW, const int WITH1,
                            zki_ext_acc *acc)
{
    const unsigned K = KB + KE;
    zki_ext_acc loc[NPTS];
    for (unsigned t = 0; t <= K; t++)
        zki_ext_acc_zero(&loc[t]);
    if (!HW) {
        for (size_t i = lo; i < hi; i++)
            pair_terms(a, i, KB, KE, 0, WITH1, zki_ext_zero(), loc);
    } else {
        for (size_t h = lo; h < hi; h++) {
            zki_ext_acc in[NPTS];
            for (unsigned t = 0; t <= K; t++)
                zki_ext_acc_zero(&in[t]);
            for (size_t l = 0; l < a->L; l++)
                pair_terms(a, h * a->L + l, KB, KE, 1, WITH1, a->wlo[l], in);
            for (unsigned t = 0; t <= K; t++)
                if (t != 1 || WITH1)
                    zki_ext_acc_mac(&loc[t], zki_ext_acc_reduce(&in[t]), a->whi[h]);
        }
    }
    for (unsigned t = 0; t <= K; t++)
        zki_ext_acc_merge(&acc[t], &loc[t]);
}

typedef void (*range_fn)(const sc_args *a, size_t lo, size_t hi, zki_ext_acc *acc);

/* Specialisations with the table counts known at compile time. They are
 * called inside the parallel region rather than containing it, because
 * constants do not propagate into OpenMP-outlined code. */
#define SC_SPEC(name, KB, KE, HW)                                                            \
    static void name(const sc_args *a, size_t lo, size_t hi, zki_ext_acc *acc)              \
    {                                                                                        \
        if (a->with1)                                                                        \
            kernel_range(a, lo, hi, KB, KE, HW, 1, acc);                                     \
        else                                                                                 \
            kernel_range(a, lo, hi, KB, KE, HW, 0, acc);                                     \
    }
SC_SPEC(k_b1, 1, 0, 0)
SC_SPEC(k_b2, 2, 0, 0)
SC_SPEC(k_b3, 3, 0, 0)
SC_SPEC(k_b4, 4, 0, 0)
SC_SPEC(k_b1w, 1, 0, 1)
SC_SPEC(k_b2w, 2, 0, 1)
SC_SPEC(k_b3w, 3, 0, 1)
SC_SPEC(k_b4w, 4, 0, 1)
SC_SPEC(k_e1, 0, 1, 0)
SC_SPEC(k_e2, 0, 2, 0)
SC_SPEC(k_e3, 0, 3, 0)
SC_SPEC(k_e4, 0, 4, 0)
SC_SPEC(k_e1w, 0, 1, 1)
SC_SPEC(k_e2w, 0, 2, 1)
SC_SPEC(k_e3w, 0, 3, 1)
SC_SPEC(k_e4w, 0, 4, 1)
SC_SPEC(k_m11, 1, 1, 0) /* base x extension: the claim reduction's shape */

static const range_fn base_kernels[2][ZKI_SC_MAX_TABLES] = {
    {k_b1, k_b2, k_b3, k_b4}, {k_b1w, k_b2w, k_b3w, k_b4w}};
static const range_fn ext_kernels[2][ZKI_SC_MAX_TABLES] = {
    {k_e1, k_e2, k_e3, k_e4}, {k_e1w, k_e2w, k_e3w, k_e4w}};

/* Mixed base/extension tables (round 0 only): counts known at run time. */
static void k_mixed(const sc_args *a, size_t lo, size_t hi, zki_ext_acc *acc)
{
    kernel_range(a, lo, hi, a->kb, a->ke, a->hw, a->with1, acc);
}

/* Runs fn over n units (pairs, or blocks with weights), one contiguous
 * range per thread, and merges the per-thread accumulators: exact integer
 * sums, so S does not depend on the thread count. */
static void run_kernel(range_fn fn, const sc_args *a, size_t n, size_t npairs, zki_ext *S)
{
    unsigned K = a->kb + a->ke;
    zki_ext_acc tot[NPTS];
    for (unsigned t = 0; t <= K; t++)
        zki_ext_acc_zero(&tot[t]);
#pragma omp parallel if (npairs >= SC_PAR_MIN && n > 1)
    {
        zki_ext_acc acc[NPTS];
        for (unsigned t = 0; t <= K; t++)
            zki_ext_acc_zero(&acc[t]);
        size_t nth = (size_t)omp_get_num_threads(), tid = (size_t)omp_get_thread_num();
        size_t chunk = (n + nth - 1) / nth;
        size_t lo = tid * chunk < n ? tid * chunk : n;
        size_t hi = lo + chunk < n ? lo + chunk : n;
        fn(a, lo, hi, acc);
#pragma omp critical(zki_sc_merge)
        for (unsigned t = 0; t <= K; t++)
            zki_ext_acc_merge(&tot[t], &acc[t]);
    }
    for (unsigned t = 0; t <= K; t++)
        S[t] = zki_ext_acc_reduce(&tot[t]);
}

/* Product sums of the current tables at t = 0..k into S. */
static void round_sums(const zki_sc_prover *p, int with1, zki_ext *S)
{
    size_t npairs = (size_t)1 << (p->nvars - p->round - 1);
    sc_args a;
    a.kb = a.ke = 0;
    for (unsigned j = 0; j < p->k; j++) {
        if (p->round > 0)
            a.TE[a.ke++] = p->buf[j];
        else if (p->base[j])
            a.TB[a.kb++] = p->base[j];
        else
            a.TE[a.ke++] = p->ext[j];
    }
    a.hw = p->z != NULL;
    a.with1 = with1;
    a.wlo = p->wlo;
    a.whi = p->whi;
    a.L = a.hw ? (size_t)1 << p->lobits : 1;
    range_fn fn = a.ke == 0                         ? base_kernels[a.hw][a.kb - 1]
                  : a.kb == 0                       ? ext_kernels[a.hw][a.ke - 1]
                  : a.kb == 1 && a.ke == 1 && !a.hw ? k_m11
                                                    : k_mixed;
    run_kernel(fn, &a, npairs / a.L, npairs, S);
}

/* ---- prover ------------------------------------------------------------ */

zki_status zki_sc_prover_new(zki_sc_prover **out, const zki_sc_instance *inst)
{
    if (!out)
        return zki_fail(ZKI_ERR_INPUT, "sumcheck prover: NULL output");
    *out = NULL;
    zki_status st = check_instance(inst);
    if (st != ZKI_OK)
        return st;
    zki_sc_prover *p = calloc(1, sizeof *p);
    if (!p)
        return zki_fail(ZKI_ERR_NOMEM, "sumcheck prover: out of memory");
    p->nvars = inst->nvars;
    p->k = inst->n_tables;
    p->degree = zki_sc_degree(inst);
    p->scale = zki_ext_one();
    size_t half = p->nvars ? (size_t)1 << (p->nvars - 1) : 0;
    for (unsigned j = 0; j < p->k; j++) {
        p->base[j] = inst->base[j];
        p->ext[j] = inst->ext[j];
        if (half && !(p->buf[j] = zki_scratch_alloc(half * sizeof(zki_ext))))
            goto nomem;
    }
    if (inst->eq_point && p->nvars) {
        p->lobits = (unsigned)(p->nvars - 1) / 2;
        p->hibits = (unsigned)(p->nvars - 1) - p->lobits;
        p->z = malloc(p->nvars * sizeof(zki_ext));
        p->wlo = malloc(((size_t)1 << p->lobits) * sizeof(zki_ext));
        p->whi = malloc(((size_t)1 << p->hibits) * sizeof(zki_ext));
        if (!p->z || !p->wlo || !p->whi)
            goto nomem;
        memcpy(p->z, inst->eq_point, p->nvars * sizeof(zki_ext));
        zki_eq_table(p->wlo, p->z + 1, p->lobits);
        zki_eq_table(p->whi, p->z + 1 + p->lobits, p->hibits);
    }
    *out = p;
    return ZKI_OK;
nomem:
    zki_sc_prover_free(p);
    return zki_fail(ZKI_ERR_NOMEM, "sumcheck prover: out of memory for 2^%zu entries",
                    inst->nvars);
}

void zki_sc_prover_free(zki_sc_prover *p)
{
    if (!p)
        return;
    for (unsigned j = 0; j < ZKI_SC_MAX_TABLES; j++)
        zki_scratch_free(p->buf[j]);
    free(p->z);
    free(p->wlo);
    free(p->whi);
    free(p);
}

/* eq(z, t) = (1 - z) + t (2z - 1) as a line in t. */
static zki_ext eq_line(zki_ext z, zki_ext t)
{
    zki_ext slope = zki_ext_add_fe(zki_ext_add(z, z), ZKI_P - 1);
    zki_ext one_minus_z = zki_ext_sub(zki_ext_one(), z);
    return zki_ext_add(one_minus_z, zki_ext_mul(t, slope));
}

static void compute_round(zki_sc_prover *p)
{
    unsigned k = p->k;
    zki_ext S[NPTS];
    if (!p->z) {
        int with1 = !p->claim_known;
        round_sums(p, with1, S);
        for (unsigned t = 0; t <= k; t++)
            p->evals[t] = S[t];
        if (!with1)
            p->evals[1] = zki_ext_sub(p->claim, S[0]);
    } else {
        zki_ext zi = p->z[p->round];
        zki_ext den = zki_ext_mul(p->scale, zi);
        /* q(1) from the claim needs C z_i != 0; otherwise sum it. */
        int with1 = !p->claim_known || zki_ext_is_zero(den);
        round_sums(p, with1, S);
        if (!with1) {
            zki_ext lhs = zki_ext_mul(zki_ext_mul(p->scale, zki_ext_sub(zki_ext_one(), zi)), S[0]);
            S[1] = zki_ext_mul(zki_ext_sub(p->claim, lhs), zki_ext_inv(den));
        }
        /* q(k+1) = sum_{i<=k} (-1)^(k-i) C(k+1, i) q(i): the (k+1)-th finite
         * difference of a degree-k polynomial vanishes. */
        zki_ext next = zki_ext_zero();
        uint64_t c = 1; /* C(k+1, i) */
        for (unsigned i = 0; i <= k; i++) {
            zki_ext term = zki_ext_scale(S[i], zki_fe_from_u64(c));
            next = ((k - i) & 1) ? zki_ext_sub(next, term) : zki_ext_add(next, term);
            c = c * (k + 1 - i) / (i + 1);
        }
        S[k + 1] = next;
        for (unsigned t = 0; t <= k + 1; t++) {
            zki_ext e = eq_line(zi, zki_ext_from_fe(t));
            p->evals[t] = zki_ext_mul(zki_ext_mul(p->scale, e), S[t]);
        }
    }
    if (!p->claim_known) {
        p->claim = zki_ext_add(p->evals[0], p->evals[1]);
        p->claim_known = 1;
    }
    p->have_round = 1;
}

void zki_sc_prover_round(zki_sc_prover *p, zki_ext *msg)
{
    if (!p || p->round >= p->nvars)
        return;
    if (!p->have_round)
        compute_round(p);
    msg[0] = p->evals[0];
    for (unsigned t = 2; t <= p->degree; t++)
        msg[t - 1] = p->evals[t];
}

/* Binding rounds >= 1, in place: t[i] = t[2i] - r (t[2i] - t[2i+1]) for
 * i < n_out, every table, by the vector fold (field/vec.h). Chunk c writes
 * [cB, cB + B), which is half of the input of chunk c/2 and of no other
 * chunk, so after chunk 0 the chunks run in waves [1, 2), [2, 4), [4, 8),
 * ..: each wave starts once every chunk it overwrites has been read. One
 * parallel region serves all tables. */
static void bind_chunk(const zki_sc_prover *p, const zki_vec_impl *v, size_t c, size_t bt,
                       zki_ext r)
{
    for (unsigned j = 0; j < p->k; j++)
        v->fold_ext(p->buf[j] + c * bt, p->buf[j] + 2 * c * bt, bt, r);
}

static void bind_inplace(zki_sc_prover *p, size_t n_out, zki_ext r)
{
    const zki_vec_impl *v = zki_vec();
    if (n_out < SC_PAR_MIN) {
        bind_chunk(p, v, 0, n_out, r);
        return;
    }
    size_t nchunks = 256;
    while (n_out / nchunks < 64)
        nchunks /= 2;
    size_t bt = n_out / nchunks;
#pragma omp parallel
    {
#pragma omp single
        bind_chunk(p, v, 0, bt, r);
        for (size_t lo = 1; lo < nchunks; lo *= 2) {
#pragma omp for schedule(static)
            for (size_t c = lo; c < 2 * lo; c++)
                bind_chunk(p, v, c, bt, r);
        }
    }
}

/* Drops the lowest weight variable: w[i] = w[2i] + w[2i+1]. */
static void pair_sum(zki_ext *w, size_t n_out)
{
    for (size_t i = 0; i < n_out; i++)
        w[i] = zki_ext_add(w[2 * i], w[2 * i + 1]);
}

void zki_sc_prover_bind(zki_sc_prover *p, zki_ext r)
{
    if (!p || p->round >= p->nvars)
        return;
    if (!p->have_round)
        compute_round(p);
    zki_ext msg[ZKI_SC_MAX_DEGREE];
    msg[0] = p->evals[0];
    for (unsigned t = 2; t <= p->degree; t++)
        msg[t - 1] = p->evals[t];
    p->claim = zki_sc_next_claim(p->claim, msg, p->degree, r);
    if (p->z)
        p->scale = zki_ext_mul(p->scale, zki_eq_eval(&p->z[p->round], &r, 1));

    size_t n = (size_t)1 << (p->nvars - p->round);
    if (p->round == 0) {
        for (unsigned j = 0; j < p->k; j++) {
            if (p->base[j])
                zki_mle_fold_base(p->buf[j], p->base[j], n, r);
            else
                zki_mle_fold_ext(p->buf[j], p->ext[j], n, r);
        }
    } else {
        bind_inplace(p, n / 2, r);
    }
    if (p->z && p->round + 1 < p->nvars) {
        if (p->lobits)
            pair_sum(p->wlo, (size_t)1 << --p->lobits);
        else
            pair_sum(p->whi, (size_t)1 << --p->hibits);
    }
    p->round++;
    p->have_round = 0;
}

void zki_sc_prover_final(const zki_sc_prover *p, zki_ext *table_evals)
{
    for (unsigned j = 0; j < p->k; j++) {
        if (p->nvars > 0)
            table_evals[j] = p->buf[j][0];
        else if (p->base[j])
            table_evals[j] = zki_ext_from_fe(p->base[j][0]);
        else
            table_evals[j] = p->ext[j][0];
    }
}

/* ---- whole protocol ---------------------------------------------------- */

int zki_sumcheck_test_false_claims = 0;

zki_status zki_sumcheck_prove(const zki_sc_instance *inst, zki_ext claimed_sum,
                              zki_transcript *t, zki_sc_proof *proof, zki_ext *point,
                              zki_ext *table_evals)
{
    if (!t || !proof || !table_evals || (inst && inst->nvars && !point))
        return zki_fail(ZKI_ERR_INPUT, "sumcheck prove: NULL argument");
    proof->msgs = NULL;
    proof->nvars = 0;
    proof->degree = 0;
    zki_sc_prover *p;
    zki_status st = zki_sc_prover_new(&p, inst);
    if (st != ZKI_OK)
        return st;
    size_t n = inst->nvars;
    unsigned d = p->degree;
    if (n && !(proof->msgs = malloc(n * d * sizeof(zki_ext)))) {
        zki_sc_prover_free(p);
        return zki_fail(ZKI_ERR_NOMEM, "sumcheck prove: out of memory");
    }
    proof->nvars = n;
    proof->degree = d;

    zki_ts_absorb_u64(t, "sc.nvars", n);
    zki_ts_absorb_u64(t, "sc.degree", d);
    if (!t->zk)
        zki_ts_absorb_ext(t, "sc.sum", claimed_sum);
    for (size_t i = 0; i < n; i++) {
        zki_ext *msg = proof->msgs + i * d;
        zki_sc_prover_round(p, msg);
        /* The first round yields the true sum for free: refuse a false claim
         * rather than emit a proof that cannot verify. */
        if (i == 0 && !zki_ext_eq(zki_ext_add(p->evals[0], p->evals[1]), claimed_sum) &&
            !zki_sumcheck_test_false_claims) {
            st = zki_fail(ZKI_ERR_INPUT, "sumcheck prove: claimed sum is not the instance's sum");
            goto fail;
        }
        if (t->zk) /* the proof keeps the padded values */
            for (unsigned k = 0; k < d; k++)
                msg[k] = zki_zk_send(t, "sc.round", msg[k]);
        else
            zki_ts_absorb_ext_vec(t, "sc.round", msg, d);
        point[i] = zki_ts_challenge_ext(t, "sc.r");
        zki_sc_prover_bind(p, point[i]);
    }
    zki_sc_prover_final(p, table_evals);
    if (n == 0) {
        zki_ext v = table_evals[0];
        for (unsigned j = 1; j < p->k; j++)
            v = zki_ext_mul(v, table_evals[j]);
        if (!zki_ext_eq(v, claimed_sum) && !zki_sumcheck_test_false_claims) {
            st = zki_fail(ZKI_ERR_INPUT, "sumcheck prove: claimed sum is not the instance's sum");
            goto fail;
        }
    }
    zki_sc_prover_free(p);
    return ZKI_OK;
fail:
    zki_sc_prover_free(p);
    zki_sc_proof_free(proof);
    return st;
}

/* ---- reference sum ----------------------------------------------------- */

static zki_ext table_at(const zki_sc_instance *inst, unsigned j, size_t x)
{
    return inst->base[j] ? zki_ext_from_fe(inst->base[j][x]) : inst->ext[j][x];
}

/* Direct hypercube sum. eq(z, x) factors as eq(z_lo, x_lo) eq(z_hi, x_hi),
 * so two tables of about 2^(n/2) entries suffice. */
zki_ext zki_sc_sum(const zki_sc_instance *inst)
{
    if (check_instance(inst) != ZKI_OK)
        return zki_ext_zero();
    size_t n = inst->nvars, nlo = n / 2, nhi = n - nlo;
    size_t Nlo = (size_t)1 << nlo, Nhi = (size_t)1 << nhi;
    zki_ext *elo = NULL, *ehi = NULL;
    if (inst->eq_point) {
        elo = malloc(Nlo * sizeof(zki_ext));
        ehi = malloc(Nhi * sizeof(zki_ext));
        if (!elo || !ehi) {
            free(elo);
            free(ehi);
            return zki_ext_zero(); /* no status to report; tiny allocations */
        }
        zki_eq_table(elo, inst->eq_point, nlo);
        zki_eq_table(ehi, inst->eq_point + nlo, nhi);
    }
    zki_ext_acc tot;
    zki_ext_acc_zero(&tot);
#pragma omp parallel if (n >= 12)
    {
        zki_ext_acc acc;
        zki_ext_acc_zero(&acc);
#pragma omp for schedule(static) nowait
        for (size_t h = 0; h < Nhi; h++) {
            zki_ext_acc in;
            zki_ext_acc_zero(&in);
            for (size_t l = 0; l < Nlo; l++) {
                size_t x = (h << nlo) | l;
                zki_ext v = table_at(inst, 0, x);
                for (unsigned j = 1; j < inst->n_tables; j++)
                    v = zki_ext_mul(v, table_at(inst, j, x));
                zki_ext_acc_mac(&in, v, elo ? elo[l] : zki_ext_one());
            }
            zki_ext_acc_mac(&acc, zki_ext_acc_reduce(&in), ehi ? ehi[h] : zki_ext_one());
        }
#pragma omp critical(zki_sc_merge)
        zki_ext_acc_merge(&tot, &acc);
    }
    free(elo);
    free(ehi);
    return zki_ext_acc_reduce(&tot);
}
