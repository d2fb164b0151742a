/* LogUp-GKR instance: see lookup.h. */
#include "lookup/lookup.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "common/check.h"
#include "common/error.h"
#include "common/scratch.h"
#include "poly/mle.h"

#define BOUND62 ((__int128)1 << 62)

typedef struct {
    char *name;
    size_t len;
    unsigned k; /* nvars: segment of 2^k leaves */
    unsigned n_cols;
    zki_lk_col cols[2];
} lk_site;

struct zki_lookup {
    const zki_lookup_table *table;
    uint32_t m_tensor;
    lk_site *sites;
    size_t n_sites, cap;
    zki_fe *m; /* multiplicities (prover) */
    zki_lk_cols_mode mode; /* prover: how column values are read */
    unsigned tree_cap; /* largest tree, log2 leaves (layout()) */
};

zki_lk_col zki_lk_col_plain(uint32_t tensor, const int64_t *data)
{
    zki_lk_col c;
    memset(&c, 0, sizeof c);
    c.n_terms = 1;
    c.coef[0] = 1;
    c.tensor[0] = tensor;
    c.data[0] = data;
    return c;
}

zki_status zki_lookup_new(zki_lookup **out, const zki_lookup_table *table, uint32_t m_tensor)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return zki_fail(ZKI_ERR_NOMEM, "lookup instance");
    (*out)->table = table;
    (*out)->m_tensor = m_tensor;
    (*out)->tree_cap = ZKI_LK_TREE_CAP;
    return ZKI_OK;
}

void zki_lookup_free(zki_lookup *lk)
{
    if (!lk)
        return;
    for (size_t i = 0; i < lk->n_sites; i++)
        free(lk->sites[i].name);
    free(lk->sites);
    free(lk->m);
    free(lk);
}

size_t zki_lookup_n_sites(const zki_lookup *lk) { return lk->n_sites; }

void zki_lookup_set_tree_cap(zki_lookup *lk, unsigned log_leaves)
{
    lk->tree_cap = log_leaves < 1 ? 1 : log_leaves > 40 ? 40 : log_leaves;
}

void zki_lookup_set_cols_mode(zki_lookup *lk, zki_lk_cols_mode mode)
{
    lk->mode = mode;
    free(lk->m); /* the counts depend on the mode */
    lk->m = NULL;
}

zki_status zki_lookup_add_site(zki_lookup *lk, const char *name, size_t len,
                               const zki_lk_col *cols, unsigned n_cols)
{
    name = name ? name : "?";
    unsigned want = zki_lookup_table_cols(lk->table);
    if (n_cols != want)
        return zki_fail(ZKI_ERR_INPUT, "lookup site '%s': %u columns for a table of %u", name,
                        n_cols, want);
    if (len < 1 || (uint64_t)len > ((uint64_t)1 << 36)) /* size_t is 32 bits in wasm32 */
        return zki_fail(ZKI_ERR_INPUT, "lookup site '%s': length %zu", name, len);
    for (unsigned c = 0; c < n_cols; c++) {
        if (cols[c].n_terms > ZKI_LK_MAX_TERMS)
            return zki_fail(ZKI_ERR_INPUT, "lookup site '%s': %u terms", name, cols[c].n_terms);
        for (unsigned j = 0; j < cols[c].n_terms; j++)
            if (cols[c].coef[j] <= -((int64_t)1 << 62) || cols[c].coef[j] >= ((int64_t)1 << 62))
                return zki_fail(ZKI_ERR_INPUT, "lookup site '%s': coefficient out of bounds", name);
    }
    /* the LogUp error grows with the entries (L + |T|)/|K|: past
     * ZKI_LK_MAX_ENTRIES the instance would fall below the 100 bits that
     * docs/security.md argues */
    uint64_t entries = ((uint64_t)1 << lk->table->log_size) + ((uint64_t)1 << zki_log2_ceil(len));
    for (size_t i = 0; i < lk->n_sites; i++)
        entries += (uint64_t)1 << lk->sites[i].k;
    if (entries > ZKI_LK_MAX_ENTRIES)
        return zki_fail(ZKI_ERR_INPUT, "lookup site '%s': the lookup instance would hold %llu entries, beyond "
                        "the 2^27 the security argument covers (docs/security.md); prove a smaller batch or model",
                        name, (unsigned long long)entries);
    if (lk->n_sites == lk->cap) {
        size_t cap = lk->cap ? 2 * lk->cap : 8;
        lk_site *s = realloc(lk->sites, cap * sizeof *s);
        if (!s)
            return zki_fail(ZKI_ERR_NOMEM, "lookup sites");
        lk->sites = s;
        lk->cap = cap;
    }
    lk_site *s = &lk->sites[lk->n_sites];
    memset(s, 0, sizeof *s);
    s->name = malloc(strlen(name) + 1);
    if (!s->name)
        return zki_fail(ZKI_ERR_NOMEM, "lookup site name");
    strcpy(s->name, name);
    s->len = len;
    s->k = (unsigned)zki_log2_ceil(len);
    if (s->k < 1) /* segments of at least 2 leaves: no GKR tree of 1 */
        s->k = 1;
    s->n_cols = n_cols;
    memcpy(s->cols, cols, n_cols * sizeof *cols);
    lk->n_sites++;
    free(lk->m); /* a new site invalidates the counts */
    lk->m = NULL;
    return ZKI_OK;
}

/* Integer value of a column at i < len (prover); mod p, centred, unless
 * the mode is ZKI_LK_COLS_INT. */
static __int128 col_int(const zki_lk_col *c, size_t i, zki_lk_cols_mode mode)
{
    __int128 v = c->cst;
    for (unsigned j = 0; j < c->n_terms; j++)
        v += (__int128)c->coef[j] * c->data[j][i];
    if (mode != ZKI_LK_COLS_INT) {
        const __int128 p = (__int128)ZKI_P;
        v %= p;
        v += v < 0 ? p : 0;
        v -= v > p / 2 ? p : 0;
    }
    return v;
}

/* A site of ONE entry is two leaves holding that entry twice (a GKR tree
 * needs two leaves): its columns are constant on the segment, so their
 * MLE at any point is the entry itself and the claims on its bases have
 * no variables. Longer sites are zero-padded (numerator 0 there). */
static size_t site_leaves(const lk_site *s) { return s->len == 1 ? 2 : s->len; }
static size_t site_index(const lk_site *s, size_t i) { return s->len == 1 ? 0 : i; }
static unsigned claim_vars(const lk_site *s) { return s->len == 1 ? 0 : s->k; }

static zki_fe col_fe(const zki_lk_col *c, size_t i, size_t len, zki_lk_cols_mode mode)
{
    if (i >= len) /* padding: bases are zero there */
        return zki_fe_from_i64(c->cst);
    return zki_fe_from_i64((int64_t)col_int(c, i, mode));
}

/* 1 when input value v has a row of T (*idx), else 0. */
static int table_row(const zki_lookup_table *T, __int128 v, size_t *idx)
{
    if (v <= -BOUND62 || v >= BOUND62 || v < T->lo || v - T->lo >= ((__int128)1 << T->log_size))
        return 0;
    *idx = (size_t)(v - T->lo);
    return 1;
}

/* 0: entry i of site s is in the table (*idx its row); 1: it is not. */
static int entry_row(const zki_lookup *lk, const lk_site *s, size_t i, size_t *idx)
{
    const zki_lookup_table *T = lk->table;
    if (!table_row(T, col_int(&s->cols[0], site_index(s, i), lk->mode), idx))
        return 1;
    return T->kind != ZKI_LK_RANGE && col_int(&s->cols[1], site_index(s, i), lk->mode) != zki_lookup_table_out(T, *idx);
}

/* The error for entry i of site s, which is not in the table. */
static zki_status entry_error(const zki_lookup *lk, const lk_site *s, size_t i)
{
    const zki_lookup_table *T = lk->table;
    size_t size = (size_t)1 << T->log_size;
    __int128 v = col_int(&s->cols[0], site_index(s, i), lk->mode);
    size_t idx;
    if (!table_row(T, v, &idx))
        return zki_fail(ZKI_ERR_INPUT, "lookup site '%s': value %lld at index %zu not in the table [%lld, %lld)",
                        s->name, (long long)(int64_t)(v < -BOUND62 ? -BOUND62 : v >= BOUND62 ? BOUND62 : v), i,
                        (long long)T->lo, (long long)(T->lo + (int64_t)size));
    __int128 w = col_int(&s->cols[1], site_index(s, i), lk->mode);
    return zki_fail(ZKI_ERR_INPUT,
                    "lookup site '%s': pair (%lld, %lld) at index %zu not in the table (expected output %lld)",
                    s->name, (long long)v, (long long)(int64_t)(w <= -BOUND62 ? -BOUND62 : w >= BOUND62 ? BOUND62 : w),
                    i, (long long)zki_lookup_table_out(T, idx));
}

/* Counts every site's entries into cnt (2^log_size zeroed counters); sets
 * bad[si] to the first entry of site si not in the table (SIZE_MAX: none;
 * such entries are left out in the lax test mode). Entries are counted in
 * parallel into per-thread histograms summed at the end: integer counts,
 * the same for any thread count. 0 on success, -1 out of memory. */
static int count_entries(const zki_lookup *lk, uint64_t *cnt, size_t *bad)
{
    size_t size = (size_t)1 << lk->table->log_size;
    int lax = lk->mode == ZKI_LK_COLS_FIELD_UNCHECKED, nomem = 0;
    for (size_t si = 0; si < lk->n_sites; si++)
        bad[si] = SIZE_MAX;
#pragma omp parallel
    {
        uint64_t *mine = cnt;
#ifdef _OPENMP
        if (omp_get_thread_num() != 0 && !(mine = calloc(size, sizeof *mine))) {
#pragma omp atomic write
            nomem = 1;
        }
#endif
        for (size_t si = 0; si < lk->n_sites; si++) {
            const lk_site *s = &lk->sites[si];
            size_t first = SIZE_MAX, n = site_leaves(s);
#pragma omp for schedule(static) nowait
            for (size_t i = 0; i < n; i++) {
                size_t idx;
                if (!mine)
                    continue;
                if (!entry_row(lk, s, i, &idx))
                    mine[idx]++;
                else if (!lax && i < first)
                    first = i;
            }
            if (first != SIZE_MAX) {
#pragma omp critical(zki_lookup_bad)
                if (first < bad[si])
                    bad[si] = first;
            }
        }
        /* thread 0 counts into cnt itself: every count is in before a merge */
#pragma omp barrier
        if (mine && mine != cnt) {
#pragma omp critical(zki_lookup_merge)
            for (size_t i = 0; i < size; i++)
                cnt[i] += mine[i];
            free(mine);
        }
    }
    return nomem ? -1 : 0;
}

zki_status zki_lookup_multiplicities(zki_lookup *lk, const zki_fe **m, size_t *m_len)
{
    const zki_lookup_table *T = lk->table;
    size_t size = (size_t)1 << T->log_size;
    for (size_t si = 0; si < lk->n_sites; si++) {
        const lk_site *s = &lk->sites[si];
        for (unsigned c = 0; c < s->n_cols; c++)
            for (unsigned j = 0; j < s->cols[c].n_terms; j++)
                if (!s->cols[c].data[j])
                    return zki_fail(ZKI_ERR_INPUT, "lookup site '%s': no witness data", s->name);
    }
    uint64_t *cnt = calloc(size, sizeof *cnt);
    size_t *bad = malloc((lk->n_sites ? lk->n_sites : 1) * sizeof *bad);
    if (!cnt || !bad || count_entries(lk, cnt, bad)) {
        free(cnt);
        free(bad);
        return zki_fail(ZKI_ERR_NOMEM, "multiplicities (2^%u)", T->log_size);
    }
    for (size_t si = 0; si < lk->n_sites; si++)
        if (bad[si] != SIZE_MAX) {
            zki_status st = entry_error(lk, &lk->sites[si], bad[si]);
            free(cnt);
            free(bad);
            return st;
        }
    free(bad);
    free(lk->m);
    lk->m = malloc(size * sizeof *lk->m);
    if (!lk->m) {
        free(cnt);
        return zki_fail(ZKI_ERR_NOMEM, "multiplicities (2^%u)", T->log_size);
    }
    for (size_t i = 0; i < size; i++)
        lk->m[i] = zki_fe_from_u64(cnt[i]);
#ifdef ZKI_CHECKED
    {   /* every looked-up entry counted once, in a table of 2^log_size canonical counts */
        uint64_t counted = 0, looked = 0;
        for (size_t i = 0; i < size; i++)
            counted += cnt[i];
        for (size_t si = 0; si < lk->n_sites; si++)
            looked += site_leaves(&lk->sites[si]);
        /* (the test seam's unchecked mode leaves out-of-table values uncounted) */
        ZKI_VERIFY_CHECK(counted == looked || lk->mode == ZKI_LK_COLS_FIELD_UNCHECKED);
        ZKI_VERIFY_CHECK_EACH(i, size, ZKI_FE_CANON(lk->m[i]));
    }
#endif
    free(cnt);
    *m = lk->m;
    *m_len = size;
    return ZKI_OK;
}

void zki_lookup_proof_free(zki_lookup_proof *pf)
{
    for (size_t b = 0; pf->gkr && b < pf->n_trees; b++)
        zki_frac_proof_free(&pf->gkr[b]);
    free(pf->gkr);
    free(pf->evals);
    memset(pf, 0, sizeof *pf);
}

size_t zki_lookup_proof_size(const zki_lookup_proof *pf)
{
    size_t n = 16 * pf->n_evals;
    for (size_t b = 0; pf->gkr && b < pf->n_trees; b++)
        n += zki_frac_proof_size(&pf->gkr[b]);
    return n;
}

/* ---- shared by prover and verifier ------------------------------------------ */

/* Segments (0 = table, 1.. = sites) are laid end to end, largest first
 * (table before sites of equal size, sites in order), so each offset is a
 * multiple of its size. The total is cut into power-of-two blocks after its
 * binary digits, largest first, those above 2^cap in blocks of 2^cap;
 * each block holds whole segments and is one GKR tree, so no leaf is
 * filler. */
typedef struct {
    size_t n_seg;
    unsigned *k;    /* per segment */
    size_t *off;    /* per segment, inside its tree */
    size_t *tree;   /* per segment */
    size_t n_trees;
    unsigned tree_n[64];
    size_t tree_start[64];
    size_t total;
    size_t n_evals;
} lk_layout;

static void layout_free(lk_layout *L)
{
    free(L->k);
    free(L->off);
    free(L->tree);
    L->k = NULL; /* callers free again after a failed layout() */
    L->off = NULL;
    L->tree = NULL;
}

static zki_status layout(const zki_lookup *lk, lk_layout *L)
{
    memset(L, 0, sizeof *L);
    L->n_seg = 1 + lk->n_sites;
    L->k = malloc(L->n_seg * sizeof *L->k);
    L->off = malloc(L->n_seg * sizeof *L->off);
    L->tree = malloc(L->n_seg * sizeof *L->tree);
    size_t *ord = malloc(L->n_seg * sizeof *ord);
    if (!L->k || !L->off || !L->tree || !ord) {
        free(ord);
        layout_free(L);
        return zki_fail(ZKI_ERR_NOMEM, "lookup layout");
    }
    L->k[0] = lk->table->log_size;
    for (size_t i = 0; i < lk->n_sites; i++)
        L->k[1 + i] = lk->sites[i].k;
    for (size_t i = 0; i < L->n_seg; i++) {
        size_t j = i;
        while (j > 0 && L->k[ord[j - 1]] < L->k[i]) {
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = i;
    }
    uint64_t o = 0; /* 64 bits: shifted by up to 63 below, also where size_t has 32 (wasm32) */
    for (size_t i = 0; i < L->n_seg; i++) {
        L->off[ord[i]] = (size_t)o;
        o += (uint64_t)1 << L->k[ord[i]];
    }
    free(ord);
    L->total = (size_t)o; /* even: every k >= 1 */
    /* trees of at most 2^cap leaves: the prover's GKR block is 32 bytes a
     * leaf of its largest tree, and fresh pages are most of a big proof's
     * system time; at least the largest segment (segments are aligned to
     * their size, so none crosses a 2^cap boundary), and at most 16 trees
     * per binary digit above it (the arrays hold 64) */
    unsigned top = 1, cap = lk->tree_cap;
    while (top < 63 && (o >> (top + 1)))
        top++;
    for (size_t i = 0; i < L->n_seg; i++)
        cap = L->k[i] > cap ? L->k[i] : cap;
    cap = top > cap + 4 ? top - 4 : cap;
    size_t start = 0;
    for (unsigned b = 64; b-- > 1;) {
        if (!((o >> b) & 1))
            continue;
        unsigned n = b > cap ? cap : b; /* 2^(b - n) trees of 2^n leaves */
        for (size_t c = 0; c < (size_t)1 << (b - n); c++) {
            if (L->n_trees == sizeof L->tree_n / sizeof L->tree_n[0]) { /* past ZKI_LK_MAX_ENTRIES: add_site refuses first */
                layout_free(L);
                return zki_fail(ZKI_ERR_INPUT, "lookup layout: more than %zu trees", L->n_trees);
            }
            L->tree_n[L->n_trees] = n;
            L->tree_start[L->n_trees++] = start;
            start += (size_t)1 << n;
        }
    }
    for (size_t i = 0; i < L->n_seg; i++) {
        size_t t = 0;
        while (t + 1 < L->n_trees && L->tree_start[t + 1] <= L->off[i])
            t++;
        L->tree[i] = t;
        L->off[i] -= L->tree_start[t];
    }
    /* trees: powers of two summing to the total; each segment aligned to
     * its size inside one tree */
    ZKI_VERIFY_CHECK(start == L->total && L->n_trees >= 1);
    ZKI_VERIFY_CHECK_EACH(i, L->n_seg, L->k[i] >= 1 && L->off[i] % ((size_t)1 << L->k[i]) == 0 &&
                                           L->off[i] + ((size_t)1 << L->k[i]) <= (size_t)1 << L->tree_n[L->tree[i]]);
    L->n_evals = 1;
    for (size_t i = 0; i < lk->n_sites; i++)
        for (unsigned c = 0; c < lk->sites[i].n_cols; c++)
            L->n_evals += lk->sites[i].cols[c].n_terms;
    return ZKI_OK;
}

static void absorb_shape(const zki_lookup *lk, zki_transcript *t)
{
    const zki_lookup_table *T = lk->table;
    zki_ts_absorb_u64(t, "lk.kind", T->kind);
    zki_ts_absorb_u64(t, "lk.log_size", T->log_size);
    zki_ts_absorb_fe(t, "lk.lo", zki_fe_from_i64(T->lo));
    if (T->kind == ZKI_LK_MAP)
        zki_ts_absorb_bytes(t, "lk.out", T->out, ((size_t)1 << T->log_size) * sizeof *T->out);
    if (T->kind == ZKI_LK_CLAMP) { /* the formula fixes the table */
        zki_ts_absorb_fe(t, "lk.clo", zki_fe_from_i64(T->clo));
        zki_ts_absorb_fe(t, "lk.chi", zki_fe_from_i64(T->chi));
    }
    zki_ts_absorb_u64(t, "lk.m_tensor", lk->m_tensor);
    zki_ts_absorb_u64(t, "lk.n_sites", lk->n_sites);
    for (size_t i = 0; i < lk->n_sites; i++) {
        const lk_site *s = &lk->sites[i];
        zki_ts_absorb_u64(t, "lk.len", s->len);
        for (unsigned c = 0; c < s->n_cols; c++) {
            const zki_lk_col *col = &s->cols[c];
            zki_ts_absorb_fe(t, "lk.cst", zki_fe_from_i64(col->cst));
            zki_ts_absorb_u64(t, "lk.n_terms", col->n_terms);
            for (unsigned j = 0; j < col->n_terms; j++) {
                zki_ts_absorb_fe(t, "lk.coef", zki_fe_from_i64(col->coef[j]));
                zki_ts_absorb_u64(t, "lk.tensor", col->tensor[j]);
            }
        }
    }
}

/* eq(rho[k..n), bits of off >> k): the weight of a segment in the leaves. */
static zki_ext seg_weight(const zki_ext *rho, size_t n, unsigned k, size_t off)
{
    zki_ext w = zki_ext_one();
    for (size_t j = k; j < n; j++)
        w = zki_ext_mul(w, (off >> j) & 1 ? rho[j] : zki_ext_sub(zki_ext_one(), rho[j]));
    return w;
}

/* cst + sum_j coef_j ev[j] on the bases' (private) values. */
static zki_pv col_value(zki_zk *z, const zki_lk_col *c, const zki_pv *ev)
{
    zki_ext k[1 + ZKI_LK_MAX_TERMS];
    zki_pv a[1 + ZKI_LK_MAX_TERMS];
    k[0] = zki_ext_one();
    a[0] = zki_pv_pub(zki_ext_from_fe(zki_fe_from_i64(c->cst)));
    for (unsigned j = 0; j < c->n_terms; j++) {
        k[1 + j] = zki_ext_from_fe(zki_fe_from_i64(c->coef[j]));
        a[1 + j] = ev[j];
    }
    return zki_pv_lin(z, 1 + c->n_terms, k, a);
}

/* Claims on bases and m into the ledger; rho[t] is tree t's leaf point.
 * evals: the prover's values (public) or the verifier's private ones. */
static zki_status add_claims(const zki_lookup *lk, const lk_layout *L, zki_ext *const *rho,
                             const zki_pv *evals, zki_ledger *ledger)
{
    size_t e = 0;
    zki_status st = ZKI_OK;
    ZKI_VERIFY_CHECK_EACH(i, L->n_evals, ZKI_EXT_CANON(evals[i].c));
    for (size_t i = 0; i < lk->n_sites && st == ZKI_OK; i++) {
        const lk_site *s = &lk->sites[i];
        /* a claim's variables are the low coordinates of its tree's leaf point */
        ZKI_VERIFY_CHECK(claim_vars(s) <= L->tree_n[L->tree[1 + i]] && s->len <= (size_t)1 << s->k);
        for (unsigned c = 0; c < s->n_cols; c++)
            for (unsigned j = 0; j < s->cols[c].n_terms && st == ZKI_OK; j++)
                st = zki_ledger_add_pv(ledger, s->cols[c].tensor[j], rho[L->tree[1 + i]], claim_vars(s),
                                       evals[e++]);
    }
    ZKI_VERIFY_CHECK(st != ZKI_OK || e + 1 == L->n_evals); /* one value per base term, then m */
    ZKI_VERIFY_CHECK(lk->table->log_size <= L->tree_n[L->tree[0]]);
    if (st == ZKI_OK)
        st = zki_ledger_add_pv(ledger, lk->m_tensor, rho[L->tree[0]], lk->table->log_size, evals[e]);
    return st;
}

/* Per tree of n variables: 3 n(n-1)/2 round messages, 4 n layer values and
 * the root's two; the replay does O(n) work per round. */
static uint64_t proof_values(const lk_layout *L)
{
    uint64_t ext = L->n_evals;
    for (size_t b = 0; b < L->n_trees; b++) {
        uint64_t n = L->tree_n[b];
        ext += 3 * n * (n - 1) / 2 + 4 * n + 2;
    }
    return ext;
}

zki_status zki_lookup_proof_values(const zki_lookup *lk, uint64_t *n)
{
    lk_layout L;
    zki_status st = layout(lk, &L);
    if (st != ZKI_OK)
        return st;
    *n = proof_values(&L);
    layout_free(&L);
    return ZKI_OK;
}

zki_status zki_lookup_verify_cost(const zki_lookup *lk, uint64_t *ops, uint64_t *bytes)
{
    lk_layout L;
    zki_status st = layout(lk, &L);
    if (st != ZKI_OK)
        return st;
    uint64_t ext = proof_values(&L), o = 0;
    for (size_t b = 0; b < L.n_trees; b++)
        o += 32 * (uint64_t)L.tree_n[b] * L.tree_n[b];
    o += 4 * (uint64_t)L.n_seg * (L.tree_n[0] + 8) + 8 * ext;
    *ops = o;
    *bytes = 16 * ext + (uint64_t)L.n_seg * (sizeof(lk_site) + 64) + 80 * 16 * (uint64_t)L.n_trees;
    layout_free(&L);
    return ZKI_OK;
}

/* ---- prover ------------------------------------------------------------------ */

static zki_ext dot_i64(const int64_t *d, size_t len, const zki_ext *eq)
{
    zki_ext_acc acc;
    zki_ext_acc_zero(&acc);
    #pragma omp parallel if (len > 16384)
    {
        zki_ext_acc a;
        zki_ext_acc_zero(&a);
        #pragma omp for schedule(static) nowait
        for (size_t i = 0; i < len; i++)
            zki_ext_acc_mac_fe(&a, zki_fe_from_i64(d[i]), eq[i]);
        #pragma omp critical
        zki_ext_acc_merge(&acc, &a);
    }
    return zki_ext_acc_reduce(&acc);
}

static zki_ext **alloc_points(const lk_layout *L)
{
    zki_ext **rho = calloc(L->n_trees, sizeof *rho);
    for (size_t t = 0; rho && t < L->n_trees; t++)
        if (!(rho[t] = malloc((L->tree_n[t] + 1) * sizeof **rho))) {
            for (size_t u = 0; u < t; u++)
                free(rho[u]);
            free(rho);
            return NULL;
        }
    return rho;
}

static void free_points(zki_ext **rho, const lk_layout *L)
{
    for (size_t t = 0; rho && t < L->n_trees; t++)
        free(rho[t]);
    free(rho);
}

/* A segment's first leaf (counted over all trees, end to end). */
typedef struct {
    size_t goff, seg;
} seg_pos;

/* A tree's leaves, computed when the GKR reads them (nothing leaf-sized
 * is stored): the table's m / (alpha - (T_in + beta T_out)), the sites'
 * -1 / (alpha - (a + beta b)), 0 on padding. */
typedef struct {
    const zki_lookup *lk;
    const unsigned *k;   /* per segment: 2^k leaves */
    const seg_pos *pos;  /* the segments in leaf order */
    size_t n_seg;
    size_t base; /* the tree's first leaf */
    zki_ext alpha, beta;
} leaf_src;

/* Table leaves, rows i .. i + n. */
static void table_fill(const leaf_src *S, size_t i, size_t n, zki_fe *p, zki_ext *q)
{
    const zki_lookup_table *T = S->lk->table;
    for (size_t t = 0; t < n; t++) {
        zki_ext v = zki_ext_from_fe(zki_fe_from_i64(T->lo + (int64_t)(i + t)));
        if (T->kind != ZKI_LK_RANGE)
            v = zki_ext_add(v, zki_ext_scale(S->beta, zki_fe_from_i64(zki_lookup_table_out(T, i + t))));
        p[t] = S->lk->m[i + t];
        q[t] = zki_ext_sub(S->alpha, v);
    }
}

/* Whether column c's value at i < len is data[0][i] itself (one term of
 * coefficient 1, no constant, read over the integers): the common case,
 * read without col_int's 128-bit arithmetic. */
static int col_plain(const zki_lk_col *c, zki_lk_cols_mode mode)
{
    return mode == ZKI_LK_COLS_INT && c->n_terms == 1 && c->coef[0] == 1 && c->cst == 0;
}

static inline zki_fe col_at(const zki_lk_col *c, int plain, size_t x, size_t len, zki_lk_cols_mode mode)
{
    return plain && x < len ? zki_fe_from_i64(c->data[0][x]) : col_fe(c, x, len, mode);
}

/* Leaves i .. i + n of site s's segment. */
static void site_fill(const leaf_src *S, const lk_site *s, size_t i, size_t n, zki_fe *p, zki_ext *q)
{
    zki_fe mone = zki_fe_neg(1);
    zki_lk_cols_mode mode = S->lk->mode;
    size_t leaves = site_leaves(s);
    int plain0 = col_plain(&s->cols[0], mode), plain1 = s->n_cols == 2 && col_plain(&s->cols[1], mode);
    for (size_t t = 0; t < n; t++) {
        size_t x = site_index(s, i + t);
        zki_ext v = zki_ext_from_fe(col_at(&s->cols[0], plain0, x, s->len, mode));
        if (s->n_cols == 2) /* beta times a base value: two products */
            v = zki_ext_add(v, zki_ext_scale(S->beta, col_at(&s->cols[1], plain1, x, s->len, mode)));
        p[t] = i + t < leaves ? mone : 0;
        q[t] = zki_ext_sub(S->alpha, v);
    }
}

/* zki_frac_leaves' fill: leaves i .. i + n of the tree, segment by segment
 * (they tile the tree: no gap between them). */
static void tree_fill(const void *ctx, size_t i, size_t n, zki_fe *p, zki_ext *q)
{
    const leaf_src *S = ctx;
    size_t x = S->base + i, lo = 0, hi = S->n_seg;
    while (hi - lo > 1) { /* the last segment starting at or before x */
        size_t mid = lo + (hi - lo) / 2;
        if (S->pos[mid].goff <= x)
            lo = mid;
        else
            hi = mid;
    }
    for (size_t g = lo; n > 0; g++) {
        ZKI_VERIFY_CHECK(g < S->n_seg && S->pos[g].goff <= x);
        size_t sg = S->pos[g].seg, o = x - S->pos[g].goff, size = (size_t)1 << S->k[sg];
        size_t c = n < size - o ? n : size - o;
        if (sg == 0)
            table_fill(S, o, c, p, q);
        else
            site_fill(S, &S->lk->sites[sg - 1], o, c, p, q);
        x += c;
        p += c;
        q += c;
        n -= c;
    }
}

static int cmp_pos(const void *a, const void *b)
{
    size_t x = ((const seg_pos *)a)->goff, y = ((const seg_pos *)b)->goff;
    return (x > y) - (x < y);
}

/* The segments in leaf order (malloc'ed), or NULL out of memory. */
static seg_pos *leaf_order(const lk_layout *L)
{
    seg_pos *ps = malloc(L->n_seg * sizeof *ps);
    for (size_t i = 0; ps && i < L->n_seg; i++) {
        ps[i].goff = L->tree_start[L->tree[i]] + L->off[i];
        ps[i].seg = i;
    }
    if (ps)
        qsort(ps, L->n_seg, sizeof *ps, cmp_pos);
    return ps;
}

/* The prover's work block for trees of up to 2^n leaves: the GKR's layers
 * and work space, then the eq tables (2^k <= 2^n entries). */
static size_t work_bytes(unsigned n) { return zki_frac_work_len(n) * sizeof(zki_ext); }

zki_status zki_lookup_work_bytes(const zki_lookup *lk, size_t *bytes)
{
    lk_layout L;
    zki_status st = layout(lk, &L);
    if (st == ZKI_OK)
        *bytes = work_bytes(L.tree_n[0]);
    layout_free(&L);
    return st;
}

zki_status zki_lookup_prove(zki_lookup *lk, zki_transcript *t, zki_lookup_proof *pf,
                            zki_ledger *ledger)
{
    return zki_lookup_prove_in(lk, t, pf, ledger, NULL);
}

zki_status zki_lookup_prove_in(zki_lookup *lk, zki_transcript *t, zki_lookup_proof *pf,
                               zki_ledger *ledger, void *work)
{
    memset(pf, 0, sizeof *pf);
    if (!lk->m)
        return zki_fail(ZKI_ERR_INPUT, "lookup prove: multiplicities not computed");
    const zki_lookup_table *T = lk->table;
    lk_layout L;
    zki_status st = layout(lk, &L);
    if (st != ZKI_OK)
        return st;
    absorb_shape(lk, t);
    zki_ext alpha = zki_ts_challenge_ext(t, "lk.alpha");
    zki_ext beta = zki_ts_challenge_ext(t, "lk.beta");
    /* every tree's GKR in the same block (tree 0 is the largest), its
     * leaves computed as read */
    size_t N = (size_t)1 << L.tree_n[0];
    void *blk = work ? work : zki_scratch_alloc(work_bytes(L.tree_n[0]));
    zki_ext *gkr = blk, *eq = gkr;
    zki_ext **rho = alloc_points(&L);
    seg_pos *pos = leaf_order(&L);
    /* a zero-knowledge proof adds the inverse of the roots' denominators */
    size_t n_evals = L.n_evals + (t->zk ? 1 : 0);
    pf->evals = malloc(n_evals * sizeof *pf->evals);
    pf->gkr = calloc(L.n_trees, sizeof *pf->gkr);
    zki_pv *claims = malloc(L.n_evals * sizeof *claims);
    if (!blk || !rho || !pos || !pf->evals || !pf->gkr || !claims) {
        st = zki_fail(ZKI_ERR_NOMEM, "lookup leaves (%zu)", N);
        goto done;
    }
    pf->n_evals = n_evals;
    pf->n_trees = L.n_trees;
    ZKI_VERIFY_CHECK(L.tree_start[L.n_trees - 1] + ((size_t)1 << L.tree_n[L.n_trees - 1]) == L.total);
    leaf_src S = {lk, L.k, pos, L.n_seg, 0, alpha, beta};
    zki_frac_leaves lv = {tree_fill, &S};
    zki_ext den = zki_ext_one(); /* the product of the roots' denominators */
    for (size_t b = 0; b < L.n_trees && st == ZKI_OK; b++) {
        zki_frac_evals fe;
        S.base = L.tree_start[b];
        st = zki_frac_prove_leaves(&lv, L.tree_n[b], t, &pf->gkr[b], rho[b], &fe, gkr);
        den = zki_ext_mul(den, fe.root_q);
    }
    if (st != ZKI_OK)
        goto done;
    /* the eq tables (2^k <= N entries) in the spent GKR block */
    /* base values at rho_k of their tree: one eq table per (tree, k) run */
    {
        size_t e = 0, have_t = (size_t)-1;
        unsigned have_k = 0;
        for (size_t si = 0; si < lk->n_sites; si++) {
            const lk_site *s = &lk->sites[si];
            if (L.tree[1 + si] != have_t || s->k != have_k) {
                have_t = L.tree[1 + si];
                have_k = s->k;
                zki_eq_table(eq, rho[have_t], s->k);
            }
            for (unsigned c = 0; c < s->n_cols; c++)
                for (unsigned j = 0; j < s->cols[c].n_terms; j++)
                    pf->evals[e++] = s->len == 1 ? zki_ext_from_fe(zki_fe_from_i64(s->cols[c].data[j][0]))
                                                 : dot_i64(s->cols[c].data[j], s->len, eq);
        }
        zki_eq_table(eq, rho[L.tree[0]], T->log_size);
        size_t size = (size_t)1 << T->log_size;
        zki_ext_acc acc;
        zki_ext_acc_zero(&acc);
        for (size_t i = 0; i < size; i++)
            zki_ext_acc_mac_fe(&acc, lk->m[i], eq[i]);
        pf->evals[e] = zki_ext_acc_reduce(&acc);
    }
    for (size_t e = 0; e < L.n_evals; e++) /* the claims keep the true values */
        claims[e] = zki_pv_pub(pf->evals[e]);
    zki_frac_send_vec(t, "lk.evals", pf->evals, pf->evals, L.n_evals);
    if (t->zk) /* non-zero: every leaf denominator is (frac_prove refuses a zero) */
        pf->evals[L.n_evals] = zki_zk_send(t, "lk.den_inv", zki_ext_inv(den));
    st = add_claims(lk, &L, rho, claims, ledger);
done:
    if (!work)
        zki_scratch_free(blk);
    free(claims);
    free(pos);
    free_points(rho, &L);
    layout_free(&L);
    if (st != ZKI_OK)
        zki_lookup_proof_free(pf);
    return st;
}

/* ---- verifier ---------------------------------------------------------------- */

/* sum_b root_p[b] / root_q[b] = 0 with every root_q non-zero, on the
 * roots (private in a zero-knowledge proof): cross-multiplied, num / den.
 * A public zero root_q fails here; a private one is checked by the caller
 * (den times the proof's inverse is 1). */
static zki_status roots_sum(zki_zk *z, const zki_frac_claims *fc, size_t n_trees, zki_pv *den)
{
    zki_pv num = zki_pv_pub(zki_ext_zero());
    *den = zki_pv_pub(zki_ext_one());
    for (size_t b = 0; b < n_trees; b++) {
        zki_pv rp = fc[b].root_p, rq = fc[b].root_q;
        if (zki_pv_is_pub(rq) && zki_ext_is_zero(rq.c))
            return zki_fail(ZKI_ERR_VERIFY, "lookup: zero denominator at a root");
        /* the products in the order GCC evaluated the arguments (the
         * second first): the tape's order is part of the proof, and C
         * leaves the order of a call's arguments to the compiler */
        zki_pv rp_den = zki_pv_mul(z, rp, *den);
        zki_pv num_rq = zki_pv_mul(z, num, rq);
        num = zki_pv_add(z, num_rq, rp_den);
        *den = zki_pv_mul(z, *den, rq);
    }
    if (zki_pv_assert_eq(z, num, zki_pv_pub(zki_ext_zero()), "lookup: the roots' fractions sum to zero"))
        return zki_fail(ZKI_ERR_VERIFY, "lookup: fraction sum is not zero");
    return ZKI_OK;
}

/* Each tree's leaves at its point, from the segments it holds (the bases'
 * and m's values ev), against the GKR's leaf claims. */
static zki_status leaves_match(const zki_lookup *lk, const lk_layout *L, zki_zk *z, zki_ext *const *rho,
                               zki_ext alpha, zki_ext beta, const zki_pv *ev, const zki_frac_claims *fc)
{
    const zki_lookup_table *T = lk->table;
    zki_pv *Pw = malloc(2 * L->n_trees * sizeof *Pw), *Qw = Pw ? Pw + L->n_trees : NULL;
    if (!Pw)
        return zki_fail(ZKI_ERR_NOMEM, "lookup verify");
    for (size_t b = 0; b < L->n_trees; b++)
        Pw[b] = Qw[b] = zki_pv_pub(zki_ext_zero());
    size_t e = 0;
    for (size_t si = 0; si < lk->n_sites; si++) {
        const lk_site *s = &lk->sites[si];
        size_t b = L->tree[1 + si];
        zki_pv v = col_value(z, &s->cols[0], ev + e);
        e += s->cols[0].n_terms;
        if (s->n_cols == 2) {
            v = zki_pv_add(z, v, zki_pv_scale(z, col_value(z, &s->cols[1], ev + e), beta));
            e += s->cols[1].n_terms;
        }
        zki_ext w = seg_weight(rho[b], L->tree_n[b], s->k, L->off[1 + si]);
        zki_ext pw = zki_ext_mul(w, zki_lk_prefix_mle(site_leaves(s), s->k, rho[b]));
        Pw[b] = zki_pv_sub(z, Pw[b], zki_pv_pub(pw));
        /* w (alpha - v) */
        Qw[b] = zki_pv_add(z, Qw[b], zki_pv_scale(z, zki_pv_sub(z, zki_pv_pub(alpha), v), w));
    }
    {
        size_t b = L->tree[0];
        zki_ext w = seg_weight(rho[b], L->tree_n[b], T->log_size, L->off[0]);
        zki_ext tv = zki_lookup_table_eval(T, rho[b], beta);
        Pw[b] = zki_pv_add(z, Pw[b], zki_pv_scale(z, ev[e], w));
        Qw[b] = zki_pv_add(z, Qw[b], zki_pv_pub(zki_ext_mul(w, zki_ext_sub(alpha, tv))));
    }
    zki_status st = ZKI_OK;
    for (size_t b = 0; b < L->n_trees && st == ZKI_OK; b++)
        if (zki_pv_assert_eq(z, Pw[b], fc[b].p, "lookup: a tree's leaf numerators") ||
            zki_pv_assert_eq(z, Qw[b], fc[b].q, "lookup: a tree's leaf denominators"))
            st = zki_fail(ZKI_ERR_VERIFY, "lookup: leaf values of tree %zu do not match the GKR", b);
    free(Pw);
    return st;
}

zki_status zki_lookup_verify(zki_lookup *lk, zki_transcript *t, const zki_lookup_proof *pf,
                             zki_ledger *ledger)
{
    lk_layout L;
    zki_status st = layout(lk, &L);
    if (st != ZKI_OK)
        return st;
    zki_zk *z = t->zk;
    /* a zero-knowledge proof ends with the inverse of the roots' denominators */
    int shape_ok = pf->n_evals == L.n_evals + (z ? 1 : 0) && pf->evals && pf->n_trees == L.n_trees && pf->gkr;
    for (size_t b = 0; shape_ok && b < L.n_trees; b++)
        shape_ok = pf->gkr[b].nvars == L.tree_n[b];
    zki_ext **rho = shape_ok ? alloc_points(&L) : NULL;
    zki_frac_claims *fc = malloc(L.n_trees * sizeof *fc);
    zki_pv *ev = malloc(L.n_evals * sizeof *ev), den;
    if (!shape_ok) {
        st = zki_fail(ZKI_ERR_VERIFY, "lookup proof: wrong shape");
        goto done;
    }
    if (!rho || !fc || !ev) {
        st = zki_fail(ZKI_ERR_NOMEM, "lookup verify");
        goto done;
    }
    absorb_shape(lk, t);
    zki_ext alpha = zki_ts_challenge_ext(t, "lk.alpha");
    zki_ext beta = zki_ts_challenge_ext(t, "lk.beta");
    for (size_t b = 0; b < L.n_trees && st == ZKI_OK; b++)
        st = zki_frac_verify(L.tree_n[b], &pf->gkr[b], t, rho[b], &fc[b]);
    if (st == ZKI_OK)
        st = roots_sum(z, fc, L.n_trees, &den);
    if (st != ZKI_OK)
        goto done;
    zki_frac_recv_vec(t, "lk.evals", pf->evals, ev, L.n_evals);
    if (z) {
        zki_pv inv = zki_zk_recv(t, "lk.den_inv", pf->evals[L.n_evals]);
        if (zki_pv_assert_eq(z, zki_pv_mul(z, den, inv), zki_pv_pub(zki_ext_one()),
                             "lookup: the roots' denominators are invertible")) {
            st = zki_fail(ZKI_ERR_VERIFY, "lookup: zero denominator at a root");
            goto done;
        }
    }
    st = leaves_match(lk, &L, z, rho, alpha, beta, ev, fc);
    if (st == ZKI_OK)
        st = add_claims(lk, &L, rho, ev, ledger);
    if (st == ZKI_OK && z)
        st = zki_zk_ok(z);
done:
    free(fc);
    free(ev);
    free_points(rho, &L);
    layout_free(&L);
    return st;
}
