/* Fractional-sum GKR: see gkr_frac.h. */
#include "lookup/gkr_frac.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/check.h"
#include "common/error.h"
#include "common/scratch.h"
#include "field/vec.h"
#include "poly/mle.h"
#include "sumcheck/sumcheck.h"

/* Tables from this many entries are worked on by all threads: a parallel
 * region costs a few microseconds, 2048 pairs about 80. */
#define FRAC_PAR_MIN 4096

struct zki_frac_layer {
    size_t j, round;
    zki_ext lambda;
    const zki_ext *r;
    const zki_ext *src[4]; /* p0, p1, q0, q1 before the first bind */
    const zki_frac_leaves *lv; /* or the leaves, computed when read (src[] unused) */
    zki_ext *tab[4];       /* folded copies after it; tab[1] is u = p1 + lambda q1
                            * after the first bind (F = p0 q1 + q0 u needs no lambda).
                            * Folds alternate between two regions of h/2 and h/4
                            * (not in place: an in-place parallel fold needs
                            * several barriers, slow on a busy machine) */
    zki_ext *now[4];       /* current tables */
    int have_next;         /* next[] holds this round's sums (fused fold) */
    zki_ext *ws;           /* work space holding eqs and tab */
    int owns_ws;
    zki_ext next[3];
    zki_ext *eqs;          /* suffix eq tables: eq(r[k..j), .) at eqs + off[k], k >= 1
                            * (round i reads k = i + 1, its fused fold k = i + 2) */
    size_t *off;
    size_t size;           /* current table length */
    zki_ext scale;         /* prod over bound rounds of eq1(r_i, c_i) */
    int have_claim;        /* claim is the running sum-check claim: h(1) follows */
    zki_ext claim, msg[3]; /* from it and h(0) (a third fewer products per pair) */
};

void zki_frac_proof_free(zki_frac_proof *pf)
{
    free(pf->msgs);
    free(pf->evals);
    memset(pf, 0, sizeof *pf);
}

size_t zki_frac_proof_size(const zki_frac_proof *pf)
{
    size_t n = pf->nvars;
    return 16 * (2 + 3 * (n * (n - 1) / 2) + 4 * n);
}

static zki_ext eq1(zki_ext r, unsigned b) { return b ? r : zki_ext_sub(zki_ext_one(), r); }

/* Work space of a layer step j: eq tables h (eq(r[1..j), .) and its
 * suffixes: 2^j - 1 entries), four folded tables 3h/4 (h/2 + h/4). */
static size_t layer_ws_len(size_t j) { return (size_t)4 << j; }

/* ws: layer_ws_len(j) entries owned by the caller, or NULL to allocate
 * (a whole GKR reuses one block: fresh pages per layer cost page faults). */
static zki_status layer_new_ws(zki_frac_layer **out, const zki_ext *p, const zki_ext *q,
                               const zki_frac_leaves *lv, size_t j, const zki_ext *r, zki_ext lambda,
                               zki_ext *ws)
{
    *out = NULL;
    if (j >= ZKI_FRAC_MAX_VARS)
        return zki_fail(ZKI_ERR_INPUT, "frac layer: %zu variables", j);
    zki_frac_layer *L = calloc(1, sizeof *L);
    size_t h = (size_t)1 << j;
    if (!L)
        return zki_fail(ZKI_ERR_NOMEM, "frac layer");
    L->j = j;
    L->lambda = lambda;
    L->r = r;
    L->size = h;
    L->scale = zki_ext_one();
    L->lv = lv;
    for (int k = 0; k < 4 && !lv; k++)
        L->src[k] = (k < 2 ? p : q) + (k & 1 ? h : 0);
    L->off = malloc((j + 1) * sizeof *L->off);
    L->owns_ws = ws == NULL;
    if (!ws)
        ws = zki_scratch_alloc(layer_ws_len(j) * sizeof(zki_ext));
    L->ws = ws;
    int ok = L->off && ws;
    if (ws) {
        L->eqs = ws;
        for (int k = 0; k < 4; k++)
            L->tab[k] = ws + h + (size_t)k * (3 * h / 4);
    }
    if (!ok) {
        zki_frac_layer_free(L);
        return zki_fail(ZKI_ERR_NOMEM, "frac layer tables (2^%zu)", j);
    }
    /* before the first bind the tables are read through src_chunk; now[1] is u after it */
    ZKI_VERIFY_CHECK(ZKI_EXT_CANON(lambda));
    ZKI_VERIFY_CHECK_EACH(i, j, ZKI_EXT_CANON(r[i]));
    /* eq(r[k..j), y) has 2^(j-k) entries; built from k = j (one entry) down
     * to k = 1 (no round reads k = 0): E_k(b + 2y) = eq1(r_k, b) E_{k+1}(y). */
    size_t o = 0;
    for (size_t k = j + 1; k-- > 1;) {
        L->off[k] = o;
        size_t len = (size_t)1 << (j - k);
        zki_ext *E = L->eqs + o;
        if (k == j) {
            E[0] = zki_ext_one();
        } else {
            const zki_ext *N = L->eqs + L->off[k + 1];
            zki_ext r0 = eq1(r[k], 0), r1 = r[k];
            #pragma omp parallel for schedule(static) if (len >= FRAC_PAR_MIN)
            for (size_t y = 0; y < len / 2; y++) {
                E[2 * y] = zki_ext_mul(r0, N[y]);
                E[2 * y + 1] = zki_ext_mul(r1, N[y]);
            }
        }
        o += len;
    }
    *out = L;
    return ZKI_OK;
}

zki_status zki_frac_layer_new(zki_frac_layer **out, const zki_ext *p, const zki_ext *q, size_t j,
                              const zki_ext *r, zki_ext lambda)
{
    return layer_new_ws(out, p, q, NULL, j, r, lambda, NULL);
}

void zki_frac_layer_free(zki_frac_layer *L)
{
    if (!L)
        return;
    if (L->owns_ws)
        zki_scratch_free(L->ws);
    free(L->off);
    free(L);
}

/* Entries per chunk of the tables read before the first bind: a leaf
 * source fills a buffer of them on each thread's stack. */
#define FRAC_CHUNK 128

typedef struct {
    zki_ext x[4][FRAC_CHUNK];
    zki_fe p[FRAC_CHUNK];
} src_buf;

static size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }

/* x[k] = entries i .. i + n (n <= FRAC_CHUNK) of p0, p1, q0, q1 before the
 * first bind: pointers into the arrays, or filled into b from the leaf
 * source (its base-field p lifted to the extension). */
static void src_chunk(const zki_frac_layer *L, size_t i, size_t n, src_buf *b, const zki_ext *x[4])
{
    if (!L->lv) {
        for (int k = 0; k < 4; k++)
            x[k] = L->src[k] + i;
        return;
    }
    size_t h = (size_t)1 << L->j;
    for (int hi = 0; hi < 2; hi++) { /* the halves: leaves i.. and h + i.. */
        L->lv->fill(L->lv->ctx, hi * h + i, n, b->p, b->x[2 + hi]);
        for (size_t t = 0; t < n; t++)
            b->x[hi][t] = zki_ext_from_fe(b->p[t]);
        x[hi] = b->x[hi];
        x[2 + hi] = b->x[2 + hi];
    }
}

/* The same for the current tables, whatever the round. */
static void tab_chunk(const zki_frac_layer *L, size_t i, size_t n, src_buf *b, const zki_ext *x[4])
{
    if (L->round == 0) {
        src_chunk(L, i, n, b, x);
        return;
    }
    for (int k = 0; k < 4; k++)
        x[k] = L->now[k] + i;
}

/* h(t) = sum_y eq(r[i+1..], y) F(t, y), F = p0 q1 + q0 (p1 + lambda q1),
 * at t = 0, 1, 2; then g(t) = eq1(r_i, t) h(t) at 0, 2, 3. */
/* Adds pair y's F(t) at t = 0, 1 (when want1), 2 (F = a d + c u), weighted by e. */
static inline void pair_terms(zki_ext_acc s[3], zki_ext e, zki_ext a0, zki_ext a1, zki_ext u0,
                              zki_ext u1, zki_ext c0, zki_ext c1, zki_ext d0, zki_ext d1, int want1)
{
    zki_ext a2 = zki_ext_sub(zki_ext_add(a1, a1), a0);
    zki_ext u2 = zki_ext_sub(zki_ext_add(u1, u1), u0);
    zki_ext c2 = zki_ext_sub(zki_ext_add(c1, c1), c0);
    zki_ext d2 = zki_ext_sub(zki_ext_add(d1, d1), d0);
    zki_ext_acc f;
    zki_ext_acc_zero(&f);
    zki_ext_acc_mac(&f, a0, d0);
    zki_ext_acc_mac(&f, c0, u0);
    zki_ext_acc_mac(&s[0], e, zki_ext_acc_reduce(&f));
    if (want1) {
        zki_ext_acc_zero(&f);
        zki_ext_acc_mac(&f, a1, d1);
        zki_ext_acc_mac(&f, c1, u1);
        zki_ext_acc_mac(&s[1], e, zki_ext_acc_reduce(&f));
    }
    zki_ext_acc_zero(&f);
    zki_ext_acc_mac(&f, a2, d2);
    zki_ext_acc_mac(&f, c2, u2);
    zki_ext_acc_mac(&s[2], e, zki_ext_acc_reduce(&f));
}

/* Whether round `round` (its scale given) takes h(1) from the claim:
 * g(0) + g(1) = claim, g(t) = scale eq1(r, t) h(t), so h(1) = (claim -
 * scale (1 - r) h(0)) / (scale r) when scale r != 0. */
static int derives_h1(const zki_frac_layer *L, size_t round, zki_ext scale)
{
    return L->have_claim && !zki_ext_is_zero(zki_ext_mul(scale, L->r[round]));
}

/* Chunk body of a parallel sum over the current round's pairs: pairs y0
 * .. y0 + n into S (b: the thread's buffer for src_chunk). */
typedef void (*chunk_fn)(const zki_frac_layer *L, const void *ctx, size_t y0, size_t n, src_buf *b,
                         zki_ext_acc S[3]);

/* out[t] = sum over the chunks of size >> w pairs (w = 1: round sums, 2:
 * the fused fold's next sums), FRAC_CHUNK >> w pairs per chunk: exact
 * lazy sums, the same for any thread count. */
static void chunked_sums(const zki_frac_layer *L, unsigned w, chunk_fn body, const void *ctx, zki_ext out[3])
{
    size_t count = L->size >> w, step = FRAC_CHUNK >> w;
    zki_ext_acc A[3];
    for (int t = 0; t < 3; t++)
        zki_ext_acc_zero(&A[t]);
    #pragma omp parallel if (L->size >= FRAC_PAR_MIN)
    {
        zki_ext_acc S[3];
        src_buf b;
        for (int t = 0; t < 3; t++)
            zki_ext_acc_zero(&S[t]);
        #pragma omp for schedule(static) nowait
        for (size_t y0 = 0; y0 < count; y0 += step)
            body(L, ctx, y0, min_sz(step, count - y0), &b, S);
        #pragma omp critical
        for (int t = 0; t < 3; t++)
            zki_ext_acc_merge(&A[t], &S[t]);
    }
    for (int t = 0; t < 3; t++)
        out[t] = zki_ext_acc_reduce(&A[t]);
}

/* Round 0's pairs y0 .. y0 + n, u = p1 + lambda q1 on the fly; ctx: want1. */
static void round0_chunk(const zki_frac_layer *L, const void *ctx, size_t y0, size_t n, src_buf *b,
                         zki_ext_acc S[3])
{
    int want1 = *(const int *)ctx;
    const zki_ext *E = L->eqs + L->off[1] + y0;
    zki_ext lam = L->lambda;
    zki_fe lw = zki_ext_mul_prep(lam);
    const zki_ext *x[4];
    src_chunk(L, 2 * y0, 2 * n, b, x);
    for (size_t y = 0; y < n; y++) {
        const zki_ext *a = x[0] + 2 * y, *p1 = x[1] + 2 * y, *c = x[2] + 2 * y, *d = x[3] + 2 * y;
        zki_ext u0 = zki_ext_add(p1[0], zki_ext_mul_pre(d[0], lam, lw));
        zki_ext u1 = zki_ext_add(p1[1], zki_ext_mul_pre(d[1], lam, lw));
        pair_terms(S, E[y], a[0], a[1], u0, u1, c[0], c[1], d[0], d[1], want1);
    }
}

/* h(0), h(1) (unless derived), h(2) of round 0 (unscaled), from the
 * tables before the first bind (later rounds' sums come from the fused
 * fold). */
static void round_sums(const zki_frac_layer *L, zki_ext h[3])
{
    ZKI_VERIFY_CHECK(L->round == 0);
    int want1 = !derives_h1(L, 0, L->scale);
    chunked_sums(L, 1, round0_chunk, &want1, h);
}

void zki_frac_layer_round(zki_frac_layer *L, zki_ext msg[3])
{
    zki_ext hs[3];
    if (L->have_next)
        memcpy(hs, L->next, sizeof hs);
    else
        round_sums(L, hs);
    zki_ext h0 = hs[0], h1 = hs[1], h2 = hs[2];
    zki_ext ri = L->r[L->round];
    if (derives_h1(L, L->round, L->scale)) {
        zki_ext g0 = zki_ext_mul(L->scale, zki_ext_mul(zki_ext_sub(zki_ext_one(), ri), h0));
        h1 = zki_ext_mul(zki_ext_sub(L->claim, g0), zki_ext_inv(zki_ext_mul(L->scale, ri)));
    }
    /* h(3) = h0 - 3 h1 + 3 h2 (h has degree 2) */
    zki_ext three = zki_ext_from_fe(3);
    zki_ext h3 = zki_ext_add(h0, zki_ext_mul(three, zki_ext_sub(h2, h1)));
    h0 = zki_ext_mul(h0, L->scale);
    h2 = zki_ext_mul(h2, L->scale);
    h3 = zki_ext_mul(h3, L->scale);
    zki_ext e0 = zki_ext_sub(zki_ext_one(), ri);                           /* eq1(r, 0) */
    zki_ext e2 = zki_ext_sub(zki_ext_mul(three, ri), zki_ext_one());        /* 3r - 1 */
    zki_ext e3 = zki_ext_sub(zki_ext_scale(ri, 5), zki_ext_from_fe(2));     /* 5r - 2 */
    msg[0] = zki_ext_mul(e0, h0);
    msg[1] = zki_ext_mul(e2, h2);
    msg[2] = zki_ext_mul(e3, h3);
    memcpy(L->msg, msg, sizeof L->msg);
}

/* The last bind (two entries per table to one); the first one too when
 * j = 1, then with u = fold(p1) + lambda fold(q1) (folds are linear). */
static void bind_last(zki_frac_layer *L, zki_ext *const dst[4], zki_ext c)
{
    src_buf b;
    const zki_ext *x[4];
    tab_chunk(L, 0, 2, &b, x);
    for (int k = 0; k < 4; k++)
        zki_vec()->fold_ext(dst[k], x[k], 1, c);
    if (L->round == 0)
        dst[1][0] = zki_ext_add(dst[1][0], zki_ext_mul(L->lambda, dst[3][0]));
}

typedef struct {
    zki_ext c;
    zki_ext *const *dst;
    int want1;
} fold_ctx;

/* The fused fold's pairs y0 .. y0 + n: four entries of each table fold
 * to two (into dst, by the vector fold kernel), which add the next
 * round's terms. */
static void fold_chunk(const zki_frac_layer *L, const void *ctx, size_t y0, size_t n, src_buf *b,
                       zki_ext_acc S[3])
{
    const fold_ctx *f = ctx;
    const zki_vec_impl *V = zki_vec();
    zki_ext lam = L->lambda;
    zki_fe lw = zki_ext_mul_prep(lam);
    const zki_ext *E = L->eqs + L->off[L->round + 2] + y0;
    const zki_ext *x[4];
    tab_chunk(L, 4 * y0, 4 * n, b, x);
    zki_ext *o[4];
    for (int k = 0; k < 4; k++) {
        o[k] = f->dst[k] + 2 * y0;
        V->fold_ext(o[k], x[k], 2 * n, f->c);
    }
    if (L->round == 0) /* u = fold(p1) + lambda fold(q1) (folds are linear) */
        for (size_t i = 0; i < 2 * n; i++)
            o[1][i] = zki_ext_add(o[1][i], zki_ext_mul_pre(o[3][i], lam, lw));
    for (size_t y = 0; y < n; y++)
        pair_terms(S, E[y], o[0][2 * y], o[0][2 * y + 1], o[1][2 * y], o[1][2 * y + 1], o[2][2 * y],
                   o[2][2 * y + 1], o[3][2 * y], o[3][2 * y + 1], f->want1);
}

/* A bind another round follows: the fold also computes that round's sums
 * in the same pass (one read of the tables instead of two). */
static void bind_fused(zki_frac_layer *L, zki_ext *const dst[4], zki_ext c)
{
    fold_ctx f = {c, dst, !derives_h1(L, L->round + 1, L->scale)};
    chunked_sums(L, 2, fold_chunk, &f, L->next);
}

/* Binds x_i = c; the tables halve from 2^j. */
void zki_frac_layer_bind(zki_frac_layer *L, zki_ext c)
{
    /* one bind per variable */
    ZKI_VERIFY_CHECK(L->round < L->j && L->size == (size_t)1 << (L->j - L->round));
    ZKI_VERIFY_CHECK(ZKI_EXT_CANON(c));
    zki_ext ri = L->r[L->round];
    zki_ext e = zki_ext_add(zki_ext_sub(zki_ext_one(), zki_ext_add(ri, c)),
                            zki_ext_mul(zki_ext_add(ri, ri), c)); /* eq1(r_i, c) */
    L->scale = zki_ext_mul(L->scale, e);
    if (L->have_claim) /* the next round's claim g(c) */
        L->claim = zki_sc_next_claim(L->claim, L->msg, 3, c);
    zki_ext *dst[4];
    for (int k = 0; k < 4; k++)
        /* even rounds fold into tab[k][0 .. h/2), odd ones into tab[k][h/2 ..
         * 3h/4): never the table being read */
        dst[k] = L->tab[k] + (L->round & 1 ? ((size_t)1 << L->j) / 2 : 0);
    L->have_next = L->round + 1 < L->j; /* then the tables have 4 entries or more */
    if (L->have_next)
        bind_fused(L, dst, c);
    else
        bind_last(L, dst, c);
    for (int k = 0; k < 4; k++)
        L->now[k] = dst[k];
    L->size /= 2;
    L->round++;
}

void zki_frac_layer_final(const zki_frac_layer *L, zki_ext ev[4])
{
    ZKI_VERIFY_CHECK(L->round == L->j && L->size == 1); /* every variable bound */
    src_buf b;
    const zki_ext *x[4];
    tab_chunk(L, 0, 1, &b, x); /* j = 0: nothing bound, the leaves themselves */
    for (int k = 0; k < 4; k++)
        ev[k] = x[k][0];
    if (L->round > 0) /* p1 = u - lambda q1 */
        ev[1] = zki_ext_sub(ev[1], zki_ext_mul(L->lambda, ev[3]));
}

/* The end-of-layer check on values that may be private: eq(r, s) [p0 q1 +
 * q0 (p1 + lambda q1)] (two products) against the last round's value. */
static zki_status layer_check_pv(zki_zk *z, const zki_ext *r, const zki_ext *s, size_t j, zki_ext lambda,
                                 const zki_pv ev[4], zki_pv final_claim)
{
    zki_pv u = zki_pv_add(z, ev[1], zki_pv_scale(z, ev[3], lambda));
    /* one statement each: the tape's order is part of the proof, and C
     * leaves the order of a call's arguments to the compiler (GCC, which
     * made the existing proofs, took the second product first) */
    zki_pv p2q1 = zki_pv_mul(z, ev[2], u);
    zki_pv p0q1 = zki_pv_mul(z, ev[0], ev[3]);
    zki_pv v = zki_pv_add(z, p0q1, p2q1);
    return zki_pv_assert_eq(z, zki_pv_scale(z, v, zki_eq_eval(r, s, j)), final_claim,
                            "frac GKR: a layer's values against its last round");
}

zki_status zki_frac_layer_check(const zki_ext *r, const zki_ext *s, size_t j, zki_ext lambda,
                                const zki_ext ev[4], zki_ext final_claim)
{
    zki_pv v[4];
    for (int k = 0; k < 4; k++)
        v[k] = zki_pv_pub(ev[k]);
    return layer_check_pv(NULL, r, s, j, lambda, v, zki_pv_pub(final_claim)) ? ZKI_ERR_VERIFY : ZKI_OK;
}

void zki_frac_send_vec(zki_transcript *t, const char *label, const zki_ext *v, zki_ext *out, size_t n)
{
    if (t->zk) {
        for (size_t k = 0; k < n; k++)
            out[k] = zki_zk_send(t, label, v[k]);
        return;
    }
    if (out != v)
        memmove(out, v, n * sizeof *out);
    zki_ts_absorb_ext_vec(t, label, out, n);
}

void zki_frac_recv_vec(zki_transcript *t, const char *label, const zki_ext *s, zki_pv *out, size_t n)
{
    if (t->zk) {
        for (size_t k = 0; k < n; k++)
            out[k] = zki_zk_recv(t, label, s[k]);
        return;
    }
    zki_ts_absorb_ext_vec(t, label, s, n);
    for (size_t k = 0; k < n; k++)
        out[k] = zki_pv_pub(s[k]);
}

/* ---- whole GKR -------------------------------------------------------------- */

static size_t msg_off(size_t j) { return 3 * (j * (j - 1) / 2); }

static zki_status alloc_proof(zki_frac_proof *pf, size_t n)
{
    memset(pf, 0, sizeof *pf);
    pf->nvars = n;
    size_t nm = msg_off(n);
    pf->msgs = malloc((nm ? nm : 1) * sizeof(zki_ext));
    pf->evals = malloc(4 * n * sizeof(zki_ext));
    if (!pf->msgs || !pf->evals) {
        zki_frac_proof_free(pf);
        return zki_fail(ZKI_ERR_NOMEM, "frac proof");
    }
    return ZKI_OK;
}

/* Claims on layer j+1 at (s, mu) from the four values. */
static void next_claims(const zki_ext ev[4], zki_ext mu, zki_ext *P, zki_ext *Q)
{
    *P = zki_ext_add(ev[0], zki_ext_mul(mu, zki_ext_sub(ev[1], ev[0])));
    *Q = zki_ext_add(ev[2], zki_ext_mul(mu, zki_ext_sub(ev[3], ev[2])));
}

/* layers[j] holds p_j then q_j (2 * 2^j entries) for j < n, all in one
 * block of 2N entries, largest first: layers[j] at 2N - 2^(j+2), so
 * layers[n - 1] at 0 and layers[0] ending 2 short of the block's end.
 * Layer step j reads layers[j + 1] (the leaves for j = n - 1) and later
 * steps the layers before it; layers[0 .. j], after it, are spent, so the
 * step's work space (2^(j+2) entries) goes from layers[j] to the end. */
size_t zki_frac_work_len(size_t n) { return (size_t)2 << n; }

static zki_ext *layer_at(zki_ext *block, size_t n, size_t j)
{
    return block + ((size_t)2 << n) - ((size_t)4 << j);
}

/* The leaves: extension arrays p, q, or the source lv. */
typedef struct {
    const zki_ext *p, *q;
    const zki_frac_leaves *lv;
} leaves_in;

/* Layer j into P (then its q) from layer j + 1's p, q (2^(j+1) entries each). */
static void layer_from(const zki_ext *pp, const zki_ext *qq, size_t j, zki_ext *P)
{
    size_t h = (size_t)1 << j;
    zki_ext *Q = P + h;
    #pragma omp parallel for schedule(static) if (h >= FRAC_PAR_MIN)
    for (size_t i = 0; i < h; i++) {
        P[i] = zki_ext_add(zki_ext_mul(pp[i], qq[i + h]), zki_ext_mul(pp[i + h], qq[i]));
        Q[i] = zki_ext_mul(qq[i], qq[i + h]);
    }
}

/* Layer n - 1 (h = 2^(n-1) entries of p, then of q) from the leaf source,
 * a chunk of leaf pairs (i, i + h) at a time: no leaf is stored. Returns
 * the first leaf with a zero denominator, or SIZE_MAX. */
static size_t layer_from_leaves(const zki_frac_leaves *lv, size_t h, zki_ext *P)
{
    zki_ext *Q = P + h;
    size_t bad = SIZE_MAX;
    #pragma omp parallel if (h >= FRAC_PAR_MIN)
    {
        zki_fe p[2][FRAC_CHUNK];
        zki_ext q[2][FRAC_CHUNK];
        size_t mine = SIZE_MAX;
        #pragma omp for schedule(static) nowait
        for (size_t i0 = 0; i0 < h; i0 += FRAC_CHUNK) {
            size_t n = min_sz(FRAC_CHUNK, h - i0);
            lv->fill(lv->ctx, i0, n, p[0], q[0]);
            lv->fill(lv->ctx, h + i0, n, p[1], q[1]);
            for (size_t t = 0; t < n; t++) {
                ZKI_VERIFY_CHECK(ZKI_FE_CANON(p[0][t]) && ZKI_FE_CANON(p[1][t]) &&
                                 ZKI_EXT_CANON(q[0][t]) && ZKI_EXT_CANON(q[1][t]));
                P[i0 + t] = zki_ext_add(zki_ext_scale(q[1][t], p[0][t]), zki_ext_scale(q[0][t], p[1][t]));
                Q[i0 + t] = zki_ext_mul(q[0][t], q[1][t]);
                /* a product in a field is zero iff a factor is; the
                 * smallest such leaf over all pairs is the first */
                if (zki_ext_is_zero(Q[i0 + t]))
                    mine = min_sz(mine, zki_ext_is_zero(q[0][t]) ? i0 + t : h + i0 + t);
            }
        }
        #pragma omp critical
        bad = min_sz(bad, mine);
    }
    return bad;
}

/* Every layer j < n, bottom-up. ZKI_ERR_INPUT on a zero denominator among
 * a source's leaves (arrays are checked before). */
static zki_status build_layers(const leaves_in *in, size_t n, zki_ext *block)
{
    zki_ext *top = layer_at(block, n, n - 1);
    if (in->lv) {
        size_t bad = layer_from_leaves(in->lv, (size_t)1 << (n - 1), top);
        if (bad != SIZE_MAX)
            return zki_fail(ZKI_ERR_INPUT, "frac GKR: zero denominator at leaf %zu", bad);
    } else {
        layer_from(in->p, in->q, n - 1, top);
    }
    for (size_t j = n - 1; j-- > 0;) {
        const zki_ext *below = layer_at(block, n, j + 1);
        layer_from(below, below + ((size_t)2 << j), j, layer_at(block, n, j));
    }
    return ZKI_OK;
}

/* The layer steps top-down from the root's claims; r, s: n + 1 entries.
 * On success r holds the leaf point and *P, *Q the leaves' claims. */
static zki_status prove_layers(const leaves_in *in, size_t n, zki_ext *block, zki_transcript *t,
                               zki_frac_proof *pf, zki_ext *r, zki_ext *s, zki_ext *P, zki_ext *Q)
{
    zki_status st = ZKI_OK;
    for (size_t j = 0; j < n && st == ZKI_OK; j++) {
        zki_ext lambda = zki_ts_challenge_ext(t, "frac.lambda");
#ifdef ZKI_CHECKED
        /* the verifier's running claim: the honest layer must pass its check */
        zki_ext claim = zki_ext_add(*P, zki_ext_mul(lambda, *Q));
#endif
        int leaf = j + 1 == n;
        const zki_ext *below = leaf ? NULL : layer_at(block, n, j + 1);
        zki_frac_layer *L;
        st = layer_new_ws(&L, leaf ? in->p : below, leaf ? in->q : below + ((size_t)2 << j),
                          leaf ? in->lv : NULL, j, r, lambda, layer_at(block, n, j));
        if (st != ZKI_OK)
            break;
        L->have_claim = 1; /* the honest claim: h(1) from it */
        L->claim = zki_ext_add(*P, zki_ext_mul(lambda, *Q));
        for (size_t i = 0; i < j; i++) {
            zki_ext m[3]; /* true values; the proof holds what was sent */
            zki_frac_layer_round(L, m);
            zki_frac_send_vec(t, "frac.round", m, pf->msgs + msg_off(j) + 3 * i, 3);
            s[i] = zki_ts_challenge_ext(t, "frac.r");
#ifdef ZKI_CHECKED
            claim = zki_sc_next_claim(claim, m, 3, s[i]);
#endif
            zki_frac_layer_bind(L, s[i]);
        }
        zki_ext ev[4];
        zki_frac_layer_final(L, ev);
        zki_frac_layer_free(L);
#ifdef ZKI_CHECKED
        ZKI_VERIFY_CHECK(zki_frac_layer_check(r, s, j, lambda, ev, claim) == ZKI_OK);
#endif
        zki_frac_send_vec(t, "frac.evals", ev, pf->evals + 4 * j, 4);
        s[j] = zki_ts_challenge_ext(t, "frac.mu");
        next_claims(ev, s[j], P, Q);
        memcpy(r, s, (j + 1) * sizeof *r);
    }
    return st;
}

/* work: zki_frac_work_len(n) entries, or NULL to allocate. */
static zki_status frac_prove(const leaves_in *in, size_t n, zki_transcript *t, zki_frac_proof *pf,
                             zki_ext *point, zki_frac_evals *ev, zki_ext *work)
{
    memset(pf, 0, sizeof *pf);
    if (n < 1 || n > ZKI_FRAC_MAX_VARS)
        return zki_fail(ZKI_ERR_INPUT, "frac GKR: %zu variables (1..%d)", n, ZKI_FRAC_MAX_VARS);
    size_t N = (size_t)1 << n;
    for (size_t x = 0; !in->lv && x < N; x++)
        if (zki_ext_is_zero(in->q[x]))
            return zki_fail(ZKI_ERR_INPUT, "frac GKR: zero denominator at leaf %zu", x);
    ZKI_VERIFY_CHECK_EACH(x, in->lv ? 0 : N, ZKI_EXT_CANON(in->p[x]) && ZKI_EXT_CANON(in->q[x]));
    zki_ext *block = work ? work : zki_scratch_alloc(zki_frac_work_len(n) * sizeof(zki_ext));
    zki_ext *r = malloc((n + 1) * sizeof *r), *s = malloc((n + 1) * sizeof *s);
    zki_status st = block && r && s ? alloc_proof(pf, n) : zki_fail(ZKI_ERR_NOMEM, "frac layers");
    if (st == ZKI_OK)
        st = build_layers(in, n, block);
    if (st == ZKI_OK) {
        zki_ext *top = layer_at(block, n, 0);
        ev->root_p = top[0];
        ev->root_q = top[1];
        /* a product of non-zero leaf denominators in a field */
        ZKI_VERIFY_CHECK(!zki_ext_is_zero(ev->root_q));
        pf->root_p = zki_zk_send(t, "frac.root_p", ev->root_p);
        pf->root_q = zki_zk_send(t, "frac.root_q", ev->root_q);
        ev->p = ev->root_p;
        ev->q = ev->root_q;
        st = prove_layers(in, n, block, t, pf, r, s, &ev->p, &ev->q);
    }
    if (st == ZKI_OK)
        memcpy(point, r, n * sizeof *r);
    if (!work)
        zki_scratch_free(block);
    free(r);
    free(s);
    if (st != ZKI_OK)
        zki_frac_proof_free(pf);
    return st;
}

zki_status zki_frac_prove(const zki_ext *p, const zki_ext *q, size_t n, zki_transcript *t,
                          zki_frac_proof *pf, zki_ext *point, zki_frac_evals *ev)
{
    leaves_in in = {p, q, NULL};
    return frac_prove(&in, n, t, pf, point, ev, NULL);
}

zki_status zki_frac_prove_leaves(const zki_frac_leaves *lv, size_t n, zki_transcript *t,
                                 zki_frac_proof *pf, zki_ext *point, zki_frac_evals *ev, zki_ext *work)
{
    leaves_in in = {NULL, NULL, lv};
    return frac_prove(&in, n, t, pf, point, ev, work);
}

typedef struct {
    const zki_fe *p;
    const zki_ext *q;
} leaf_arrays;

static void fill_from_arrays(const void *ctx, size_t i, size_t n, zki_fe *p, zki_ext *q)
{
    const leaf_arrays *a = ctx;
    memcpy(p, a->p + i, n * sizeof *p);
    memcpy(q, a->q + i, n * sizeof *q);
}

zki_status zki_frac_prove_base(const zki_fe *p, const zki_ext *q, size_t n, zki_transcript *t,
                               zki_frac_proof *pf, zki_ext *point, zki_frac_evals *ev, zki_ext *work)
{
    leaf_arrays a = {p, q};
    zki_frac_leaves lv = {fill_from_arrays, &a};
    return zki_frac_prove_leaves(&lv, n, t, pf, point, ev, work);
}

/* The claims on layer j+1 at (s, mu) from its four private values. */
static void next_claims_pv(zki_zk *z, const zki_pv ev[4], zki_ext mu, zki_pv *P, zki_pv *Q)
{
    zki_ext k[2] = {zki_ext_sub(zki_ext_one(), mu), mu};
    *P = zki_pv_lin(z, 2, k, ev);
    *Q = zki_pv_lin(z, 2, k, ev + 2);
}

zki_status zki_frac_verify(size_t n, const zki_frac_proof *pf, zki_transcript *t,
                           zki_ext *point, zki_frac_claims *out)
{
    if (n < 1 || n > ZKI_FRAC_MAX_VARS || pf->nvars != n || !pf->msgs || !pf->evals)
        return zki_fail(ZKI_ERR_VERIFY, "frac GKR: proof shape (%zu variables expected)", n);
    zki_ext r[ZKI_FRAC_MAX_VARS + 1], s[ZKI_FRAC_MAX_VARS + 1];
    /* proofs come from the prover or the parser, which refuses non-canonical bytes */
    ZKI_VERIFY_CHECK_EACH(i, msg_off(n), ZKI_EXT_CANON(pf->msgs[i]));
    ZKI_VERIFY_CHECK_EACH(i, 4 * n, ZKI_EXT_CANON(pf->evals[i]));
    zki_zk *z = t->zk;
    out->root_p = zki_zk_recv(t, "frac.root_p", pf->root_p);
    out->root_q = zki_zk_recv(t, "frac.root_q", pf->root_q);
    zki_pv P = out->root_p, Q = out->root_q;
    for (size_t j = 0; j < n; j++) {
        zki_ext lambda = zki_ts_challenge_ext(t, "frac.lambda");
        zki_pv claim = zki_pv_add(z, P, zki_pv_scale(z, Q, lambda));
        for (size_t i = 0; i < j; i++) {
            zki_pv v[4];
            zki_ext w[4];
            zki_frac_recv_vec(t, "frac.round", pf->msgs + msg_off(j) + 3 * i, v + 1, 3);
            s[i] = zki_ts_challenge_ext(t, "frac.r");
            zki_sc_next_weights(3, s[i], w);
            v[0] = claim;
            claim = zki_pv_lin(z, 4, w, v);
        }
        zki_pv ev[4];
        zki_frac_recv_vec(t, "frac.evals", pf->evals + 4 * j, ev, 4);
        if (layer_check_pv(z, r, s, j, lambda, ev, claim) != ZKI_OK)
            return zki_fail(ZKI_ERR_VERIFY, "frac GKR: layer %zu check failed", j);
        s[j] = zki_ts_challenge_ext(t, "frac.mu");
        next_claims_pv(z, ev, s[j], &P, &Q);
        memcpy(r, s, (j + 1) * sizeof *r);
    }
    memcpy(point, r, n * sizeof *r);
    out->p = P;
    out->q = Q;
    ZKI_VERIFY_CHECK(ZKI_EXT_CANON(P.c) && ZKI_EXT_CANON(Q.c));
    return z ? zki_zk_ok(z) : ZKI_OK;
}
