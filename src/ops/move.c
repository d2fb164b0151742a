/* Data movement as a public index map (ops/move.h). */
#include "ops/move.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "poly/mle.h"

/* One parsed step: its words and the shape it makes. */
typedef struct {
    int op;
    const int64_t *w;       /* the words after the opcode */
    size_t n_words;         /* words after the opcode */
    uint32_t rank;          /* result */
    int64_t dims[ZKI_MOVE_MAX_RANK];
    uint64_t numel;
} move_step;

/* numel of dims[rank], each in [1, 2^26], the product at most 2^26; 0 if not */
static uint64_t numel_of(const int64_t *dims, uint32_t rank)
{
    uint64_t n = 1;
    for (uint32_t a = 0; a < rank; a++) {
        if (dims[a] < 1 || dims[a] > ZKI_MOVE_MAX_SIZE)
            return 0;
        n *= (uint64_t)dims[a];
        if (n > (uint64_t)ZKI_MOVE_MAX_SIZE)
            return 0;
    }
    return n;
}

#define BAD(...) return zki_fail(ZKI_ERR_INPUT, "move program: " __VA_ARGS__)

/* Parses the step at prog[*pos] applied to a tensor of shape (r, d, n). */
static zki_status parse_step(const int64_t *prog, size_t len, size_t *pos, uint32_t r, const int64_t *d,
                             move_step *s)
{
    memset(s, 0, sizeof(*s));
    size_t p = *pos, left = len - p - 1;
    s->op = (int)prog[p];
    s->w = prog + p + 1;
    const int64_t *w = s->w;
    switch (prog[p]) {
    case ZKI_MOVE_RESHAPE:
    case ZKI_MOVE_EXPAND: {
        if (left < 1 || w[0] < 1 || w[0] > ZKI_MOVE_MAX_RANK || left < 1 + (size_t)w[0])
            BAD("step at word %zu: rank", p);
        s->rank = (uint32_t)w[0];
        s->n_words = 1 + s->rank;
        memcpy(s->dims, w + 1, sizeof(int64_t) * s->rank);
        if (prog[p] == ZKI_MOVE_EXPAND) {
            if (s->rank < r)
                BAD("step at word %zu: expand lowers the rank", p);
            for (uint32_t a = 0; a < r; a++) {
                int64_t di = d[a], dout = s->dims[s->rank - r + a];
                if (di != dout && di != 1)
                    BAD("step at word %zu: expand of axis %u from %lld to %lld", p, a, (long long)di,
                        (long long)dout);
            }
        }
        break;
    }
    case ZKI_MOVE_TRANSPOSE: {
        uint32_t seen = 0;
        if (left < r)
            BAD("step at word %zu: truncated", p);
        s->n_words = r;
        s->rank = r;
        for (uint32_t a = 0; a < r; a++) {
            if (w[a] < 0 || w[a] >= (int64_t)r || (seen >> w[a] & 1))
                BAD("step at word %zu: not a permutation", p);
            seen |= 1u << w[a];
            s->dims[a] = d[w[a]];
        }
        break;
    }
    case ZKI_MOVE_SLICE:
        if (left < 3 * (size_t)r)
            BAD("step at word %zu: truncated", p);
        s->n_words = 3 * r;
        s->rank = r;
        for (uint32_t a = 0; a < r; a++) {
            int64_t st = w[a], sp = w[r + a], ln = w[2 * r + a];
            if (ln < 1 || ln > ZKI_MOVE_MAX_SIZE || sp == 0 || sp > ZKI_MOVE_MAX_SIZE || sp < -ZKI_MOVE_MAX_SIZE ||
                st < 0 || st >= d[a] || st + (ln - 1) * sp < 0 || st + (ln - 1) * sp >= d[a])
                BAD("step at word %zu: axis %u slices outside the tensor", p, a);
            s->dims[a] = ln;
        }
        break;
    case ZKI_MOVE_PAD:
        if (left < 1 + 2 * (size_t)r || w[0] < 0 || w[0] > 2)
            BAD("step at word %zu: truncated or mode", p);
        s->n_words = 1 + 2 * r;
        s->rank = r;
        for (uint32_t a = 0; a < r; a++) {
            int64_t b = w[1 + a], e = w[1 + r + a];
            if (b < 0 || e < 0 || b > ZKI_MOVE_MAX_SIZE || e > ZKI_MOVE_MAX_SIZE ||
                (w[0] == 1 && (b > d[a] - 1 || e > d[a] - 1)))
                BAD("step at word %zu: axis %u pads", p, a);
            s->dims[a] = d[a] + b + e;
        }
        break;
    case ZKI_MOVE_GATHER: {
        if (left < 2 || w[0] < 0 || w[0] >= (int64_t)r || w[1] < 0 || (int64_t)r - 1 + w[1] < 1 ||
            (int64_t)r - 1 + w[1] > ZKI_MOVE_MAX_RANK || left < 2 + (size_t)w[1])
            BAD("step at word %zu: axis or index rank", p);
        uint32_t ax = (uint32_t)w[0], q = (uint32_t)w[1];
        uint64_t ni = q ? numel_of(w + 2, q) : 1;
        if (!ni || left < 2 + (size_t)q + ni)
            BAD("step at word %zu: index shape", p);
        const int64_t *idx = w + 2 + q;
        for (uint64_t i = 0; i < ni; i++)
            if (idx[i] < 0 || idx[i] >= d[ax])
                BAD("step at word %zu: index %llu outside the axis", p, (unsigned long long)i);
        s->n_words = 2 + q + (size_t)ni;
        s->rank = r - 1 + q;
        memcpy(s->dims, d, sizeof(int64_t) * ax);
        memcpy(s->dims + ax, w + 2, sizeof(int64_t) * q);
        memcpy(s->dims + ax + q, d + ax + 1, sizeof(int64_t) * (r - ax - 1));
        break;
    }
    case ZKI_MOVE_TRIL:
        if (left < 2 || r < 2 || (w[0] != 0 && w[0] != 1) || w[1] < -ZKI_MOVE_MAX_SIZE || w[1] > ZKI_MOVE_MAX_SIZE)
            BAD("step at word %zu: rank, side or diagonal", p);
        s->n_words = 2;
        s->rank = r;
        memcpy(s->dims, d, sizeof(int64_t) * r);
        break;
    default: BAD("step at word %zu: unknown opcode %lld", p, (long long)prog[p]);
    }
    s->numel = numel_of(s->dims, s->rank);
    if (!s->numel)
        BAD("step at word %zu: a result above 2^26 elements or an empty axis", p);
    *pos = p + 1 + s->n_words;
    return ZKI_OK;
}

zki_status zki_move_check(const int64_t *prog, size_t n, zki_move_info *info)
{
    memset(info, 0, sizeof(*info));
    if (!prog || n < 3 || prog[1] < 1 || prog[1] > ZKI_MOVE_MAX_RANK || n < 2 + (size_t)prog[1])
        BAD("header");
    info->pad = prog[0];
    info->in_rank = (uint32_t)prog[1];
    memcpy(info->in_dims, prog + 2, sizeof(int64_t) * info->in_rank);
    info->in_n = info->max_n = numel_of(info->in_dims, info->in_rank);
    if (!info->in_n)
        BAD("input shape");
    uint32_t r = info->in_rank;
    int64_t d[ZKI_MOVE_MAX_RANK];
    memcpy(d, info->in_dims, sizeof(d));
    uint64_t cur = info->in_n;
    for (size_t pos = 2 + r; pos < n;) {
        move_step s;
        zki_status st = parse_step(prog, n, &pos, r, d, &s);
        if (st)
            return st;
        if (s.op == ZKI_MOVE_RESHAPE && s.numel != cur)
            BAD("a reshape changes the size");
        if (++info->n_steps > ZKI_MOVE_MAX_STEPS)
            BAD("more than %d steps", ZKI_MOVE_MAX_STEPS);
        info->work += s.numel;
        if (info->work > ZKI_MOVE_MAX_WORK)
            BAD("more than 2^28 elements moved");
        info->has_pad |= (s.op == ZKI_MOVE_PAD && s.w[0] == 0) || s.op == ZKI_MOVE_TRIL;
        r = s.rank;
        memcpy(d, s.dims, sizeof(d));
        cur = s.numel;
        if (cur > info->max_n)
            info->max_n = cur;
    }
    info->out_rank = r;
    memcpy(info->out_dims, d, sizeof(d));
    info->out_n = cur;
    return ZKI_OK;
}

/* Row-major strides of dims[r]. */
static void strides(const int64_t *d, uint32_t r, int64_t *s)
{
    int64_t k = 1;
    for (uint32_t a = r; a-- > 0;) {
        s[a] = k;
        k *= d[a];
    }
}

/* A transpose, slice or expand reads x at base + sum_a c_a coef[a] for
 * the result's coordinates c: each thread walks its block of the result
 * with an odometer instead of dividing every index (the verifier's moves
 * were a quarter of GPT-2's verification). */
static void affine_step(const move_step *s, uint32_t r, const int64_t *d, const int64_t *xs, const int64_t *x,
                        int64_t *nx)
{
    const int64_t *w = s->w;
    int64_t coef[ZKI_MOVE_MAX_RANK], base = 0;
    uint32_t R = s->rank;
    for (uint32_t a = 0; a < R; a++) {
        switch (s->op) {
        case ZKI_MOVE_TRANSPOSE: coef[a] = xs[w[a]]; break;
        case ZKI_MOVE_SLICE:
            coef[a] = w[r + a] * xs[a];
            base += w[a] * xs[a];
            break;
        default: { /* EXPAND */
            int64_t ai = (int64_t)a - (int64_t)(R - r);
            coef[a] = ai >= 0 && d[ai] != 1 ? xs[ai] : 0;
        }
        }
    }
    uint64_t n = s->numel, blk = 16384, nb = (n + blk - 1) / blk;
#pragma omp parallel for schedule(static) if (n >= 65536)
    for (uint64_t b = 0; b < nb; b++) {
        uint64_t k0 = b * blk, k1 = k0 + blk < n ? k0 + blk : n, rem = k0;
        int64_t c[ZKI_MOVE_MAX_RANK], si = base;
        for (uint32_t a = R; a-- > 0;) {
            c[a] = (int64_t)(rem % (uint64_t)s->dims[a]);
            rem /= (uint64_t)s->dims[a];
            si += c[a] * coef[a];
        }
        for (uint64_t k = k0; k < k1; k++) {
            nx[k] = x[si];
            for (uint32_t a = R; a-- > 0;) { /* next coordinates */
                si += coef[a];
                if (++c[a] < s->dims[a])
                    break;
                si -= c[a] * coef[a];
                c[a] = 0;
            }
        }
    }
}

/* nx[k] for each element k of the step's result, from x (shape r, d). */
static void apply_step(const move_step *s, uint32_t r, const int64_t *d, const int64_t *x, int64_t *nx)
{
    const int64_t *w = s->w;
    int64_t xs[ZKI_MOVE_MAX_RANK];
    strides(d, r, xs);
    if (s->op == ZKI_MOVE_GATHER) {
        uint32_t ax = (uint32_t)w[0], q = (uint32_t)w[1];
        uint64_t ni, outer = 1, inner = 1, mid = (uint64_t)d[ax];
        for (uint32_t a = 0; a < ax; a++)
            outer *= (uint64_t)d[a];
        for (uint32_t a = ax + 1; a < r; a++)
            inner *= (uint64_t)d[a];
        ni = s->numel / (outer * inner);
        const int64_t *idx = w + 2 + q;
        for (uint64_t o = 0; o < outer; o++)
            for (uint64_t j = 0; j < ni; j++)
                memcpy(nx + (o * ni + j) * inner, x + (o * mid + (uint64_t)idx[j]) * inner, sizeof(int64_t) * inner);
        return;
    }
    /* every element on its own: threads split them (the verifier's largest
     * cost on a GPT-2 is its moves' index maps) */
    if (s->op == ZKI_MOVE_TRIL) {
        uint64_t I = (uint64_t)d[r - 2], J = (uint64_t)d[r - 1];
#pragma omp parallel for schedule(static) if (s->numel >= 65536)
        for (uint64_t k = 0; k < s->numel; k++) {
            int64_t j = (int64_t)(k % J), i = (int64_t)(k / J % I), dj = j - i - w[1];
            nx[k] = (w[0] ? dj >= 0 : dj <= 0) ? x[k] : -1;
        }
        return;
    }
    if (s->op != ZKI_MOVE_PAD) {
        affine_step(s, r, d, xs, x, nx);
        return;
    }
#pragma omp parallel for schedule(static) if (s->numel >= 65536)
    for (uint64_t k = 0; k < s->numel; k++) {
        uint64_t rem = k;
        int64_t si = 0;
        int outside = 0;
        for (uint32_t a = s->rank; a-- > 0;) {
            int64_t c = (int64_t)(rem % (uint64_t)s->dims[a]);
            rem /= (uint64_t)s->dims[a];
            switch (s->op) {
            case ZKI_MOVE_TRANSPOSE: si += c * xs[w[a]]; break;
            case ZKI_MOVE_SLICE: si += (w[a] + c * w[r + a]) * xs[a]; break;
            case ZKI_MOVE_EXPAND: {
                int64_t ai = (int64_t)a - (int64_t)(s->rank - r);
                if (ai >= 0 && d[ai] != 1)
                    si += c * xs[ai];
                break;
            }
            default: { /* PAD */
                int64_t n = d[a], ic = c - w[1 + a];
                if (ic < 0 || ic >= n) {
                    if (w[0] == 0)
                        outside = 1;
                    else if (w[0] == 2)
                        ic = ic < 0 ? 0 : n - 1;
                    else
                        ic = ic < 0 ? -ic : 2 * (n - 1) - ic;
                }
                si += outside ? 0 : ic * xs[a];
            }
            }
        }
        nx[k] = outside ? -1 : x[si];
    }
}

zki_status zki_move_expand(const int64_t *prog, size_t n, int64_t **src)
{
    zki_move_info info;
    *src = NULL;
    zki_status st = zki_move_check(prog, n, &info);
    if (st)
        return st;
    int64_t *x = malloc(sizeof(int64_t) * info.max_n), *nx = malloc(sizeof(int64_t) * info.max_n);
    if (!x || !nx) {
        free(x);
        free(nx);
        return zki_fail(ZKI_ERR_NOMEM, "move: index map");
    }
    for (uint64_t i = 0; i < info.in_n; i++)
        x[i] = (int64_t)i;
    uint32_t r = info.in_rank;
    int64_t d[ZKI_MOVE_MAX_RANK];
    memcpy(d, info.in_dims, sizeof(d));
    for (size_t pos = 2 + r; pos < n;) {
        move_step s;
        parse_step(prog, n, &pos, r, d, &s); /* checked above */
        if (s.op != ZKI_MOVE_RESHAPE) { /* a reshape keeps the order: nothing to move */
            apply_step(&s, r, d, x, nx);
            int64_t *t = x;
            x = nx, nx = t;
        }
        r = s.rank;
        memcpy(d, s.dims, sizeof(d));
    }
    free(nx);
    *src = x;
    return ZKI_OK;
}

uint64_t zki_move_pad_index(const zki_move_layout *l, uint64_t i)
{
    if (!l->map)
        return i;
    uint64_t hw = l->h * l->w, c = i / hw, y = (i % hw) / l->w, x = i % l->w;
    size_t lh = zki_log2_ceil(l->h), lw = zki_log2_ceil(l->w);
    return (c << (lh + lw)) | (y << lw) | x;
}

/* zki_move_pad_index with its constants computed once: the identity for
 * a row or a map whose h and w are powers of two (a GPT's maps all are). */
typedef struct {
    int ident;
    uint64_t hw, w;
    size_t lh, lw;
} pad_map;

static pad_map pad_map_of(const zki_move_layout *l)
{
    pad_map p = {1, 1, 1, 0, 0};
    if (!l->map)
        return p;
    p.lh = zki_log2_ceil(l->h), p.lw = zki_log2_ceil(l->w);
    p.hw = l->h * l->w, p.w = l->w;
    p.ident = ((uint64_t)1 << p.lh) == l->h && ((uint64_t)1 << p.lw) == l->w;
    return p;
}

static inline uint64_t pad_at(const pad_map *p, uint64_t i)
{
    if (p->ident)
        return i;
    uint64_t c = i / p->hw, y = (i % p->hw) / p->w, x = i % p->w;
    return (c << (p->lh + p->lw)) | (y << p->lw) | x;
}

int64_t *zki_move_forward(const zki_move_dims *d, const int64_t *x, uint64_t ldx)
{
    uint64_t ld = (uint64_t)1 << d->out.log_len;
    int64_t *y = calloc((size_t)(d->B * ld), sizeof(int64_t));
    if (!y)
        return NULL;
    pad_map mo = pad_map_of(&d->out), mi = pad_map_of(&d->in);
    for (uint64_t o = 0; o < d->out.n; o++) {
        uint64_t po = pad_at(&mo, o);
        int64_t s = d->src[o];
        uint64_t pi = s >= 0 ? pad_at(&mi, (uint64_t)s) : 0;
        for (uint64_t b = 0; b < d->B; b++)
            y[b * ld + po] = s >= 0 ? x[b * ldx + pi] : d->pad;
    }
    return y;
}

/* m (2^li entries, zeroed here) and P from the eq table of r_o. */
static zki_ext move_weights(const zki_move_dims *d, const zki_ext *eo, zki_ext *m)
{
    memset(m, 0, sizeof(zki_ext) << d->in.log_len);
    zki_ext P = zki_ext_zero();
    pad_map mo = pad_map_of(&d->out), mi = pad_map_of(&d->in);
    for (uint64_t o = 0; o < d->out.n; o++) {
        zki_ext e = eo[pad_at(&mo, o)];
        if (d->src[o] < 0)
            P = zki_ext_add(P, e);
        else {
            uint64_t j = pad_at(&mi, (uint64_t)d->src[o]);
            m[j] = zki_ext_add(m[j], e);
        }
    }
    return P;
}

/* c P E_B (public): the claim less this is the sum-check's sum */
static zki_ext move_pad_term(const zki_move_dims *d, zki_ext P, const zki_ext *eb)
{
    zki_ext E = zki_ext_zero();
    for (uint64_t b = 0; b < d->B; b++)
        E = zki_ext_add(E, eb[b]);
    zki_ext c = zki_ext_from_fe(zki_fe_from_i64(d->pad));
    return zki_ext_mul(zki_ext_mul(c, P), E);
}

zki_status zki_move_prove(const zki_move_dims *d, const int64_t *x, uint64_t ldx, const zki_ext *r, zki_ext v,
                          zki_transcript *t, zki_sc_proof *sc, zki_ext *a, zki_ext *rho, zki_ext *ev)
{
    memset(sc, 0, sizeof(*sc));
    size_t li = d->in.log_len, lo = d->out.log_len, n = li + d->lb;
    zki_ext *eo = malloc(sizeof(zki_ext) << lo), *eb = malloc(sizeof(zki_ext) << d->lb);
    zki_ext *m = malloc(sizeof(zki_ext) << li), *G = malloc(sizeof(zki_ext) << n);
    zki_fe *X = calloc((size_t)1 << n, sizeof(zki_fe));
    zki_status st = ZKI_OK;
    if (!eo || !eb || !m || !G || !X) {
        st = zki_fail(ZKI_ERR_NOMEM, "move: prover tables");
        goto out;
    }
    for (uint64_t b = 0; b < d->B; b++)
        for (uint64_t j = 0; j < ldx && j < ((uint64_t)1 << li); j++)
            X[(b << li) | j] = zki_fe_from_i64(x[b * ldx + j]);
    zki_eq_table(eo, r, lo);
    zki_eq_table(eb, r + lo, d->lb);
    zki_ext P = move_weights(d, eo, m);
    for (size_t b = 0; b < ((size_t)1 << d->lb); b++)
        for (size_t j = 0; j < ((size_t)1 << li); j++)
            G[(b << li) | j] = zki_ext_mul(eb[b], m[j]);
    zki_sc_instance inst;
    memset(&inst, 0, sizeof(inst));
    inst.nvars = n;
    inst.n_tables = 2;
    inst.base[0] = X;
    inst.ext[1] = G;
    zki_ext fin[2];
    if ((st = zki_sumcheck_prove(&inst, zki_ext_sub(v, move_pad_term(d, P, eb)), t, sc, rho, fin)))
        goto out;
    *ev = fin[0];
    *a = zki_zk_send(t, "move.x", fin[0]);
out:
    free(eo);
    free(eb);
    free(m);
    free(G);
    free(X);
    if (st)
        zki_sc_proof_free(sc);
    return st;
}

/* The verifier's sums over the output: P (ei NULL: the padded entries'
 * eq weights) or m~(rho) = sum_o eq(r, o) eq(rho, src(o)) (ei = eq(rho, .)
 * over the input), eq(r, .) split (poly/mle.h): blocks of 2^h outputs
 * share eq's high factor (one
 * product per entry, as with a table; a non-identity output layout pays
 * two). Field sums are exact, so the threads' partial sums give the same
 * result in any order. */
static zki_ext move_sum(const zki_move_dims *d, const zki_eq_split *eo, const zki_ext *ei)
{
    zki_ext s = zki_ext_zero();
    if (!ei && d->no_pad)
        return s;
    pad_map po = pad_map_of(&d->out), pi = pad_map_of(&d->in);
    uint64_t bl = (uint64_t)1 << eo->h, mask = bl - 1, nb = (d->out.n + bl - 1) / bl;
#pragma omp parallel if (d->out.n >= 65536)
    {
        zki_ext ls = zki_ext_zero();
#pragma omp for schedule(static) nowait
        for (uint64_t b = 0; b < nb; b++) {
            uint64_t o1 = (b + 1) * bl < d->out.n ? (b + 1) * bl : d->out.n;
            zki_ext bs = zki_ext_zero();
            for (uint64_t o = b * bl; o < o1; o++) {
                int64_t src = d->src[o];
                if (ei ? src < 0 : src >= 0)
                    continue;
                uint64_t p = pad_at(&po, o);
                zki_ext e = po.ident ? eo->lo[p & mask] : zki_ext_mul(eo->lo[p & mask], eo->hi[p >> eo->h]);
                bs = zki_ext_add(bs, ei ? zki_ext_mul(e, ei[pad_at(&pi, (uint64_t)src)]) : e);
            }
            ls = zki_ext_add(ls, po.ident ? zki_ext_mul(bs, eo->hi[b]) : bs);
        }
#pragma omp critical(zki_move_sum)
        s = zki_ext_add(s, ls);
    }
    return s;
}

zki_status zki_move_verify(const zki_move_dims *d, const zki_ext *r, zki_pv v, const zki_sc_proof *sc, zki_ext a,
                           zki_transcript *t, zki_ext *rho, zki_pv *out)
{
    size_t li = d->in.log_len, lo = d->out.log_len, n = li + d->lb;
    zki_zk *z = t->zk;
    zki_eq_split eo = {NULL, NULL, 0};
    zki_ext *eb = malloc(sizeof(zki_ext) << d->lb);
    zki_ext *ei = malloc(sizeof(zki_ext) << li);
    zki_pv fin = zki_pv_pub(zki_ext_zero());
    zki_status st = ZKI_OK;
    if (!zki_eq_split_init(&eo, r, lo) || !eb || !ei) {
        st = zki_fail(ZKI_ERR_NOMEM, "move: verifier tables");
        goto out;
    }
    zki_eq_table(eb, r + lo, d->lb);
    zki_pv target = zki_pv_sub(z, v, zki_pv_pub(move_pad_term(d, move_sum(d, &eo, NULL), eb)));
    if (zki_sumcheck_verify_pv(n, 2, target, sc, t, rho, &fin)) {
        st = zki_fail_ctx(ZKI_ERR_VERIFY, "move: sum-check");
        goto out;
    }
    *out = zki_zk_recv(t, "move.x", a);
    /* G~(rho) = eq(r_b, rho_b) m~(rho_j) */
    zki_eq_table(ei, rho, li);
    zki_ext g = zki_ext_mul(move_sum(d, &eo, ei), zki_eq_eval(r + lo, rho + li, d->lb));
    if (zki_pv_assert_eq(z, zki_pv_scale(z, *out, g), fin, "move: the last round is x~(rho) G~(rho)")) {
        st = zki_fail(ZKI_ERR_VERIFY, "move: the sum-check's last round does not match the input claim");
        goto out;
    }
    if (z)
        st = zki_zk_ok(z);
out:
    zki_eq_split_free(&eo);
    free(eb);
    free(ei);
    return st;
}
