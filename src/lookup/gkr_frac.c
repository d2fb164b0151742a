/* Fractional-sum GKR: see gkr_frac.h. */
#include "lookup/gkr_frac.h"

#include <stdlib.h>
#include <string.h>

#include "common/check.h"
#include "common/error.h"
#include "common/scratch.h"
#include "poly/mle.h"
#include "sumcheck/sumcheck.h"

struct zki_frac_layer {
    size_t j, round;
    zki_ext lambda;
    const zki_ext *r;
    const zki_ext *src[4]; /* p0, p1, q0, q1 before the first bind */
    const zki_fe *srcb[2]; /* p0, p1 when the leaves' p are base field (src[0..1] unused) */
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
static zki_status layer_new_ws(zki_frac_layer **out, const zki_ext *p, const zki_fe *pb, const zki_ext *q,
                               size_t j, const zki_ext *r, zki_ext lambda, zki_ext *ws)
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
    L->src[0] = pb ? NULL : p;
    L->src[1] = pb ? NULL : p + h;
    L->srcb[0] = pb;
    L->srcb[1] = pb ? pb + h : NULL;
    L->src[2] = q;
    L->src[3] = q + h;
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
    for (int k = 0; k < 4; k++)
        L->now[k] = (zki_ext *)L->src[k]; /* now[1] is p1 until the first bind, u after */
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
            #pragma omp parallel for schedule(static) if (len > 16384)
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
    return layer_new_ws(out, p, NULL, q, j, r, lambda, NULL);
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

static const zki_ext *cur(const zki_frac_layer *L, int k) { return L->now[k]; }

/* Entry i of table k before the first bind (p0, p1 possibly base field). */
static inline zki_ext src_at(const zki_frac_layer *L, int k, size_t i)
{
    return k < 2 && L->srcb[k] ? zki_ext_from_fe(L->srcb[k][i]) : L->src[k][i];
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

/* h(0), h(1) (unless derived), h(2) of the current round (unscaled), from the tables. */
static void round_sums(const zki_frac_layer *L, zki_ext h[3])
{
    int want1 = !derives_h1(L, L->round, L->scale);
    const zki_ext *a = cur(L, 0), *u = cur(L, 1), *c = cur(L, 2), *d = cur(L, 3);
    const zki_ext *E = L->eqs + L->off[L->round + 1];
    size_t half = L->size / 2;
    zki_ext_acc A[3];
    for (int t = 0; t < 3; t++)
        zki_ext_acc_zero(&A[t]);
    #pragma omp parallel if (half > 16384)
    {
        zki_ext_acc S[3];
        for (int t = 0; t < 3; t++)
            zki_ext_acc_zero(&S[t]);
        if (L->round == 0) { /* u = p1 + lambda q1 on the fly */
            zki_ext lam = L->lambda;
            zki_fe lw = zki_ext_mul_prep(lam);
            #pragma omp for schedule(static) nowait
            for (size_t y = 0; y < half; y++) {
                zki_ext u0 = zki_ext_add(src_at(L, 1, 2 * y), zki_ext_mul_pre(d[2 * y], lam, lw));
                zki_ext u1 = zki_ext_add(src_at(L, 1, 2 * y + 1), zki_ext_mul_pre(d[2 * y + 1], lam, lw));
                pair_terms(S, E[y], src_at(L, 0, 2 * y), src_at(L, 0, 2 * y + 1), u0, u1, c[2 * y],
                           c[2 * y + 1], d[2 * y], d[2 * y + 1], want1);
            }
        } else {
            #pragma omp for schedule(static) nowait
            for (size_t y = 0; y < half; y++)
                pair_terms(S, E[y], a[2 * y], a[2 * y + 1], u[2 * y], u[2 * y + 1], c[2 * y],
                           c[2 * y + 1], d[2 * y], d[2 * y + 1], want1);
        }
        #pragma omp critical
        for (int t = 0; t < 3; t++)
            zki_ext_acc_merge(&A[t], &S[t]);
    }
    for (int t = 0; t < 3; t++)
        h[t] = zki_ext_acc_reduce(&A[t]);
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

static inline zki_ext fold1(zki_ext x0, zki_ext x1, zki_ext c, zki_fe cw)
{
    return zki_ext_add(x0, zki_ext_mul_pre(zki_ext_sub(x1, x0), c, cw));
}

/* Binds x_i = c. When another round follows, the fold also computes that
 * round's sums in the same pass (one read of the tables instead of two). */
void zki_frac_layer_bind(zki_frac_layer *L, zki_ext c)
{
    /* one bind per variable; the tables halve from 2^j */
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
    /* first bind: the folded u is fold(p1) + lambda fold(q1) (folds are linear) */
    int first = L->round == 0;
    zki_ext lam = L->lambda;
    zki_fe lw = zki_ext_mul_prep(lam);
    L->have_next = L->round + 1 < L->j && L->size >= 4;
    if (!L->have_next) {
        for (int k = 0; k < 4; k++)
            if (first && k < 2 && L->srcb[k]) {
                zki_fe cw = zki_ext_mul_prep(c);
                for (size_t i = 0; i < L->size / 2; i++)
                    dst[k][i] = fold1(src_at(L, k, 2 * i), src_at(L, k, 2 * i + 1), c, cw);
            } else {
                zki_mle_fold_ext(dst[k], L->now[k], L->size, c);
            }
        for (size_t i = 0; first && i < L->size / 2; i++)
            dst[1][i] = zki_ext_add(dst[1][i], zki_ext_mul_pre(dst[3][i], lam, lw));
    } else {
        const zki_ext *in[4] = {L->now[0], L->now[1], L->now[2], L->now[3]};
        const zki_ext *E = L->eqs + L->off[L->round + 2];
        size_t quarter = L->size / 4;
        zki_fe cw = zki_ext_mul_prep(c);
        int want1 = !derives_h1(L, L->round + 1, L->scale);
        zki_ext_acc A[3];
        for (int t = 0; t < 3; t++)
            zki_ext_acc_zero(&A[t]);
        #pragma omp parallel if (quarter > 8192)
        {
            zki_ext_acc S[3];
            for (int t = 0; t < 3; t++)
                zki_ext_acc_zero(&S[t]);
            #pragma omp for schedule(static) nowait
            for (size_t y = 0; y < quarter; y++) {
                zki_ext o[4][2];
                for (int k = 0; k < 4; k++) {
                    if (first && k < 2 && L->srcb[k]) {
                        const zki_fe *x = L->srcb[k] + 4 * y;
                        o[k][0] = fold1(zki_ext_from_fe(x[0]), zki_ext_from_fe(x[1]), c, cw);
                        o[k][1] = fold1(zki_ext_from_fe(x[2]), zki_ext_from_fe(x[3]), c, cw);
                        continue;
                    }
                    const zki_ext *x = in[k] + 4 * y;
                    o[k][0] = fold1(x[0], x[1], c, cw);
                    o[k][1] = fold1(x[2], x[3], c, cw);
                }
                if (first) {
                    o[1][0] = zki_ext_add(o[1][0], zki_ext_mul_pre(o[3][0], lam, lw));
                    o[1][1] = zki_ext_add(o[1][1], zki_ext_mul_pre(o[3][1], lam, lw));
                }
                for (int k = 0; k < 4; k++) {
                    dst[k][2 * y] = o[k][0];
                    dst[k][2 * y + 1] = o[k][1];
                }
                pair_terms(S, E[y], o[0][0], o[0][1], o[1][0], o[1][1], o[2][0], o[2][1],
                           o[3][0], o[3][1], want1);
            }
            #pragma omp critical
            for (int t = 0; t < 3; t++)
                zki_ext_acc_merge(&A[t], &S[t]);
        }
        for (int t = 0; t < 3; t++)
            L->next[t] = zki_ext_acc_reduce(&A[t]);
    }
    for (int k = 0; k < 4; k++)
        L->now[k] = dst[k];
    L->size /= 2;
    L->round++;
}

void zki_frac_layer_final(const zki_frac_layer *L, zki_ext ev[4])
{
    ZKI_VERIFY_CHECK(L->round == L->j && L->size == 1); /* every variable bound */
    for (int k = 0; k < 4; k++) /* j = 0: nothing bound, the leaves themselves */
        ev[k] = L->round == 0 ? src_at(L, k, 0) : cur(L, k)[0];
    if (L->round > 0) /* p1 = u - lambda q1 */
        ev[1] = zki_ext_sub(ev[1], zki_ext_mul(L->lambda, ev[3]));
}

static zki_ext layer_value(zki_ext lambda, const zki_ext ev[4])
{
    zki_ext v = zki_ext_add(zki_ext_mul(ev[0], ev[3]), zki_ext_mul(ev[1], ev[2]));
    return zki_ext_add(v, zki_ext_mul(lambda, zki_ext_mul(ev[2], ev[3])));
}

zki_status zki_frac_layer_check(const zki_ext *r, const zki_ext *s, size_t j, zki_ext lambda,
                                const zki_ext ev[4], zki_ext final_claim)
{
    zki_ext want = zki_ext_mul(zki_eq_eval(r, s, j), layer_value(lambda, ev));
    return zki_ext_eq(want, final_claim) ? ZKI_OK : ZKI_ERR_VERIFY;
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
 * block: layers[n - 1] first (N entries), then the others (N - 2).
 * Layer step j reads layers[j + 1] (the leaves for j = n - 1) and later
 * steps the layers above it, so its work space goes: for the last step
 * over all layers, for step n - 2 over layers[0 .. n - 2], for the others
 * after all layers. */
size_t zki_frac_work_len(size_t n)
{
    size_t N = (size_t)1 << n, blk_len = layer_ws_len(n - 1);
    if (n >= 2 && N + layer_ws_len(n - 2) > blk_len)
        blk_len = N + layer_ws_len(n - 2);
    if (n >= 3 && 2 * (N - 1) + layer_ws_len(n - 3) > blk_len)
        blk_len = 2 * (N - 1) + layer_ws_len(n - 3);
    return blk_len;
}

/* p (extension) or pb (base field) gives the leaves' numerators; work
 * (zki_frac_work_len(n) entries) or NULL to allocate. */
static zki_status frac_prove(const zki_ext *p, const zki_fe *pb, const zki_ext *q, size_t n, zki_transcript *t,
                             zki_frac_proof *pf, zki_ext *point, zki_ext *p_eval, zki_ext *q_eval, zki_ext *work)
{
    if (n < 1 || n > ZKI_FRAC_MAX_VARS)
        return zki_fail(ZKI_ERR_INPUT, "frac GKR: %zu variables (1..%d)", n, ZKI_FRAC_MAX_VARS);
    size_t N = (size_t)1 << n;
    for (size_t x = 0; x < N; x++)
        if (zki_ext_is_zero(q[x]))
            return zki_fail(ZKI_ERR_INPUT, "frac GKR: zero denominator at leaf %zu", x);
    ZKI_VERIFY_CHECK_EACH(x, N, (pb ? ZKI_FE_CANON(pb[x]) : ZKI_EXT_CANON(p[x])) && ZKI_EXT_CANON(q[x]));
    zki_ext **layers = calloc(n, sizeof *layers);
    zki_ext *block = work ? work : zki_scratch_alloc(zki_frac_work_len(n) * sizeof(zki_ext));
    zki_status st = layers && block ? alloc_proof(pf, n) : zki_fail(ZKI_ERR_NOMEM, "frac layers");
    if (st != ZKI_OK) {
        free(layers);
        if (!work)
            zki_scratch_free(block);
        return st;
    }
    for (size_t j = n; j-- > 0 && st == ZKI_OK;) {
        size_t h = (size_t)1 << j;
        layers[j] = j + 1 == n ? block : block + N + 2 * (h - 1);
        const zki_ext *pp = j + 1 == n ? p : layers[j + 1];
        const zki_ext *qq = j + 1 == n ? q : layers[j + 1] + 2 * h;
        zki_ext *P = layers[j], *Q = layers[j] + h;
        const zki_fe *pbl = j + 1 == n ? pb : NULL; /* base-field leaves */
        #pragma omp parallel for schedule(static) if (h > 16384)
        for (size_t i = 0; i < h; i++) {
            P[i] = pbl ? zki_ext_add(zki_ext_scale(qq[i + h], pbl[i]), zki_ext_scale(qq[i], pbl[i + h]))
                       : zki_ext_add(zki_ext_mul(pp[i], qq[i + h]), zki_ext_mul(pp[i + h], qq[i]));
            Q[i] = zki_ext_mul(qq[i], qq[i + h]);
        }
    }
    zki_ext *r = malloc((n + 1) * sizeof *r), *s = malloc((n + 1) * sizeof *s);
    if (st == ZKI_OK && (!r || !s))
        st = zki_fail(ZKI_ERR_NOMEM, "frac points");
    if (st == ZKI_OK) {
        pf->root_p = layers[0][0];
        pf->root_q = layers[0][1];
        /* a product of non-zero leaf denominators in a field */
        ZKI_VERIFY_CHECK(!zki_ext_is_zero(pf->root_q));
        zki_ts_absorb_ext(t, "frac.root_p", pf->root_p);
        zki_ts_absorb_ext(t, "frac.root_q", pf->root_q);
        zki_ext P = pf->root_p, Q = pf->root_q;
        for (size_t j = 0; j < n && st == ZKI_OK; j++) {
            zki_ext lambda = zki_ts_challenge_ext(t, "frac.lambda");
#ifdef ZKI_CHECKED
            /* the verifier's running claim: the honest layer must pass its check */
            zki_ext claim = zki_ext_add(P, zki_ext_mul(lambda, Q));
#endif
            size_t h = (size_t)1 << j;
            const zki_ext *pp = j + 1 == n ? p : layers[j + 1];
            const zki_ext *qq = j + 1 == n ? q : layers[j + 1] + 2 * h;
            zki_frac_layer *L;
            zki_ext *ws = j + 1 == n ? block : j + 2 == n ? block + N : block + 2 * (N - 1);
            st = layer_new_ws(&L, pp, j + 1 == n ? pb : NULL, qq, j, r, lambda, ws);
            if (st != ZKI_OK)
                break;
            L->have_claim = 1; /* the honest claim: h(1) from it */
            L->claim = zki_ext_add(P, zki_ext_mul(lambda, Q));
            for (size_t i = 0; i < j; i++) {
                zki_ext *m = pf->msgs + msg_off(j) + 3 * i;
                zki_frac_layer_round(L, m);
                zki_ts_absorb_ext_vec(t, "frac.round", m, 3);
                s[i] = zki_ts_challenge_ext(t, "frac.r");
#ifdef ZKI_CHECKED
                claim = zki_sc_next_claim(claim, m, 3, s[i]);
#endif
                zki_frac_layer_bind(L, s[i]);
            }
            zki_ext *ev = pf->evals + 4 * j;
            zki_frac_layer_final(L, ev);
            zki_frac_layer_free(L);
#ifdef ZKI_CHECKED
            ZKI_VERIFY_CHECK(zki_frac_layer_check(r, s, j, lambda, ev, claim) == ZKI_OK);
#endif
            zki_ts_absorb_ext_vec(t, "frac.evals", ev, 4);
            s[j] = zki_ts_challenge_ext(t, "frac.mu");
            next_claims(ev, s[j], &P, &Q);
            memcpy(r, s, (j + 1) * sizeof *r);
            if (j + 1 == n) {
                memcpy(point, r, n * sizeof *r);
                *p_eval = P;
                *q_eval = Q;
            }
        }
    }
    if (!work)
        zki_scratch_free(block);
    free(layers);
    free(r);
    free(s);
    if (st != ZKI_OK)
        zki_frac_proof_free(pf);
    return st;
}

zki_status zki_frac_prove(const zki_ext *p, const zki_ext *q, size_t n, zki_transcript *t,
                          zki_frac_proof *pf, zki_ext *point, zki_ext *p_eval, zki_ext *q_eval)
{
    return frac_prove(p, NULL, q, n, t, pf, point, p_eval, q_eval, NULL);
}

zki_status zki_frac_prove_base(const zki_fe *p, const zki_ext *q, size_t n, zki_transcript *t,
                               zki_frac_proof *pf, zki_ext *point, zki_ext *p_eval, zki_ext *q_eval,
                               zki_ext *work)
{
    return frac_prove(NULL, p, q, n, t, pf, point, p_eval, q_eval, work);
}

zki_status zki_frac_verify(size_t n, const zki_frac_proof *pf, zki_transcript *t,
                           zki_ext *point, zki_ext *p_eval, zki_ext *q_eval)
{
    if (n < 1 || n > ZKI_FRAC_MAX_VARS || pf->nvars != n || !pf->msgs || !pf->evals)
        return zki_fail(ZKI_ERR_VERIFY, "frac GKR: proof shape (%zu variables expected)", n);
    zki_ext r[ZKI_FRAC_MAX_VARS + 1], s[ZKI_FRAC_MAX_VARS + 1];
    /* proofs come from the prover or the parser, which refuses non-canonical bytes */
    ZKI_VERIFY_CHECK_EACH(i, msg_off(n), ZKI_EXT_CANON(pf->msgs[i]));
    ZKI_VERIFY_CHECK_EACH(i, 4 * n, ZKI_EXT_CANON(pf->evals[i]));
    zki_ts_absorb_ext(t, "frac.root_p", pf->root_p);
    zki_ts_absorb_ext(t, "frac.root_q", pf->root_q);
    zki_ext P = pf->root_p, Q = pf->root_q;
    for (size_t j = 0; j < n; j++) {
        zki_ext lambda = zki_ts_challenge_ext(t, "frac.lambda");
        zki_ext claim = zki_ext_add(P, zki_ext_mul(lambda, Q));
        for (size_t i = 0; i < j; i++) {
            const zki_ext *m = pf->msgs + msg_off(j) + 3 * i;
            zki_ts_absorb_ext_vec(t, "frac.round", m, 3);
            s[i] = zki_ts_challenge_ext(t, "frac.r");
            claim = zki_sc_next_claim(claim, m, 3, s[i]);
        }
        const zki_ext *ev = pf->evals + 4 * j;
        if (zki_frac_layer_check(r, s, j, lambda, ev, claim) != ZKI_OK)
            return zki_fail(ZKI_ERR_VERIFY, "frac GKR: layer %zu check failed", j);
        zki_ts_absorb_ext_vec(t, "frac.evals", ev, 4);
        s[j] = zki_ts_challenge_ext(t, "frac.mu");
        next_claims(ev, s[j], &P, &Q);
        memcpy(r, s, (j + 1) * sizeof *r);
    }
    memcpy(point, r, n * sizeof *r);
    *p_eval = P;
    *q_eval = Q;
    ZKI_VERIFY_CHECK(ZKI_EXT_CANON(P) && ZKI_EXT_CANON(Q));
    return ZKI_OK;
}
