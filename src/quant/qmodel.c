#include "quant/qmodel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/check.h"
#include "common/cpu_features.h"
#include "common/error.h"

static const char *const zki_qop_names[ZKI_QOP_COUNT] = {
    "Linear", "Conv", "MatMul", "Add", "Mul", "Requant", "Lut", "MaxPool", "AvgPool", "Mean",
    "Reshape", "Transpose", "Slice", "Pad", "Concat", "Gather", "Softmax", "LayerNorm",
    "Trilu",
};

const char *zki_qop_name(int op)
{
    return (op >= 0 && op < ZKI_QOP_COUNT) ? zki_qop_names[op] : "?";
}

void zki_qmodel_free(zki_qmodel *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->n_t; i++) {
        free(m->t[i].name);
        free(m->t[i].data);
    }
    for (int i = 0; i < m->n_nodes; i++)
        free(m->nodes[i].name);
    free(m->t);
    free(m->nodes);
    free(m);
}

int64_t zki_qnumel(const zki_qtensor *t)
{
    int64_t n = 1;
    for (int a = 0; a < t->rank; a++) {
        if (t->dims[a] < 0 || (t->dims[a] && n > ((int64_t)1 << 40) / t->dims[a]))
            return -1;
        n *= t->dims[a];
    }
    return n;
}

static char *qstrdup(const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s ? s : "", n);
    return d;
}

int zki_qmodel_add_tensor(zki_qmodel *m, const char *name, int kind, int bits, int rank, const int64_t *dims,
                          double scale)
{
    if (rank < 0 || rank > ZKI_QMAX_RANK)
        return -1;
    if (m->n_t == m->cap_t) {
        int cap = m->cap_t ? 2 * m->cap_t : 64;
        zki_qtensor *t = realloc(m->t, sizeof *t * (size_t)cap);
        if (!t)
            return -1;
        m->t = t;
        m->cap_t = cap;
    }
    zki_qtensor *t = &m->t[m->n_t];
    memset(t, 0, sizeof *t);
    t->name = qstrdup(name);
    if (!t->name)
        return -1;
    t->kind = kind;
    t->bits = bits;
    t->rank = rank;
    for (int a = 0; a < rank; a++)
        t->dims[a] = dims[a];
    t->scale = scale;
    return m->n_t++;
}

int zki_qmodel_add_node(zki_qmodel *m, int op, const char *name)
{
    if (m->n_nodes == m->cap_nodes) {
        int cap = m->cap_nodes ? 2 * m->cap_nodes : 64;
        zki_qnode *n = realloc(m->nodes, sizeof *n * (size_t)cap);
        if (!n)
            return -1;
        m->nodes = n;
        m->cap_nodes = cap;
    }
    zki_qnode *n = &m->nodes[m->n_nodes];
    memset(n, 0, sizeof *n);
    n->op = op;
    n->out = -1;
    for (int k = 0; k < ZKI_QMAX_IN; k++)
        n->in[k] = -1;
    n->name = qstrdup(name);
    if (!n->name)
        return -1;
    return m->n_nodes++;
}

int64_t zki_rq(int64_t x, int64_t M, int s, int64_t lo, int64_t hi)
{
    if (s == 0) /* a raw accumulator (LINEAR, CONV feeding an ADD): M = 1, no clamp that binds */
        return x < lo ? lo : (x > hi ? hi : x);
    /* bounds proven by zki_qmodel_check keep x*M + 2^(s-1) below 2^62 */
    int64_t z = x * M + ((int64_t)1 << (s - 1));
    int64_t q = z >= 0 ? z >> s : -((-z + ((int64_t)1 << s) - 1) >> s); /* floor division */
    return q < lo ? lo : (q > hi ? hi : q);
}

/* ---- overflow and structure check ------------------------------------- */

typedef unsigned __int128 zki_u128;
#define ZKI_SAT ((zki_u128)1 << 100)

static zki_u128 sat_mul(zki_u128 a, zki_u128 b)
{
    if (a == 0 || b == 0)
        return 0;
    if (a >= ZKI_SAT || b >= ZKI_SAT || a > ZKI_SAT / b)
        return ZKI_SAT;
    return a * b;
}

static zki_u128 sat_add(zki_u128 a, zki_u128 b)
{
    zki_u128 r = a + b;
    return r >= ZKI_SAT ? ZKI_SAT : r;
}

static zki_u128 uabs(int64_t v)
{
    return v < 0 ? (zki_u128)(-(v + 1)) + 1 : (zki_u128)v;
}

/* Smallest and largest of d[0..n), vectorised where the CPU allows (int64
 * min/max needs AVX2 compares or AVX-512). */
ZKI_VEC_CLONES static void range_block(const int64_t *d, int64_t n, int64_t *lo, int64_t *hi)
{
    int64_t mn = *lo, mx = *hi;
    for (int64_t k = 0; k < n; k++) {
        mn = d[k] < mn ? d[k] : mn;
        mx = d[k] > mx ? d[k] : mx;
    }
    *lo = mn;
    *hi = mx;
}

/* Smallest and largest value of a constant (a model's weights are tens of
 * millions of values: blocks in parallel). */
static void const_range(const zki_qtensor *t, int64_t *lo, int64_t *hi)
{
    const int64_t blk = 1 << 14;
    int64_t mn = INT64_MAX, mx = INT64_MIN, n = zki_qnumel(t);
#pragma omp parallel for schedule(static) reduction(min : mn) reduction(max : mx) if (n > 65536)
    for (int64_t b = 0; b < (n + blk - 1) / blk; b++) {
        int64_t l = INT64_MAX, h = INT64_MIN;
        range_block(t->data + b * blk, n - b * blk < blk ? n - b * blk : blk, &l, &h);
        mn = l < mn ? l : mn;
        mx = h > mx ? h : mx;
    }
    *lo = mn;
    *hi = mx;
}

static uint64_t abs_max(int64_t lo, int64_t hi)
{
    zki_u128 a = uabs(lo), b = uabs(hi); /* |INT64_MIN| = 2^63 fits 64 bits */
    return (uint64_t)(a > b ? a : b);
}

/* While zki_qmodel_check runs on this thread: each constant's largest
 * |value|, found by its first pass, so the node checks do not read the
 * weights again. */
static _Thread_local const zki_qmodel *cache_model;
static _Thread_local const uint64_t *cache_absmax;

/* Largest |value| a tensor can hold. */
static zki_u128 value_bound(const zki_qtensor *t)
{
    if (t->kind == ZKI_QT_CONST && t->data) {
        if (cache_model && t >= cache_model->t && t < cache_model->t + cache_model->n_t)
            return cache_absmax[t - cache_model->t];
        if (zki_qnumel(t) <= 0)
            return 0;
        int64_t mn, mx;
        const_range(t, &mn, &mx);
        return abs_max(mn, mx);
    }
    return (zki_u128)1 << (t->bits - 1);
}

int zki_qnode_raw(const zki_qnode *n)
{
    return (n->op == ZKI_QOP_LINEAR || n->op == ZKI_QOP_CONV) && n->n_p > 1 && n->p[1] == 0;
}

/* sum |row[k]| exactly: each |v| < 2^64 split into 32-bit halves summed
 * in 64 bits (exact for rows of fewer than 2^32 entries), which vectorises
 * where a 128-bit sum does not. */
ZKI_VEC_CLONES static zki_u128 row_l1(const int64_t *row, int64_t cols)
{
    uint64_t lo = 0, hi = 0;
    for (int64_t k = 0; k < cols; k++) {
        int64_t v = row[k];
        uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        lo += a & 0xffffffffu;
        hi += a >> 32;
    }
    return ((zki_u128)hi << 32) + lo;
}

uint64_t zki_qmodel_row_bound(const zki_qmodel *m, int w, int b, int x_bits)
{
    const zki_qtensor *W = &m->t[w];
    /* a bias that is not a constant (an activation) adds any value of its range */
    const int64_t *B = b >= 0 && m->t[b].kind == ZKI_QT_CONST ? m->t[b].data : NULL;
    zki_u128 bany = b >= 0 && !B ? value_bound(&m->t[b]) : 0;
    int64_t rows = W->dims[0], cols = rows > 0 ? zki_qnumel(W) / rows : 0;
    zki_u128 worst = 0, bx = (zki_u128)1 << (x_bits - 1);
    if (!W->data || rows <= 0)
        return 0;
    ZKI_VERIFY_CHECK(cols < ((int64_t)1 << 32)); /* row_l1's halves stay exact */
#pragma omp parallel if (rows * cols > 65536)
    {
        zki_u128 mine = 0; /* a maximum: the same for any split over threads */
#pragma omp for schedule(static) nowait
        for (int64_t r = 0; r < rows; r++) {
            zki_u128 a = row_l1(W->data + r * cols, cols) * bx + (B ? uabs(B[r]) : bany);
            mine = a > mine ? a : mine;
        }
#pragma omp critical
        worst = mine > worst ? mine : worst;
    }
    return worst > UINT64_MAX ? UINT64_MAX : (uint64_t)worst;
}

static int in_bits(int64_t v, int bits)
{
    if (bits >= 64)
        return 1;
    int64_t h = (int64_t)1 << (bits - 1);
    return v >= -h && v < h;
}

#define QF(...) zki_fail(ZKI_ERR_INPUT, "quantised node %d '%s' (%s): " __VA_ARGS__)
#define QFA(fmt, ...) zki_fail(ZKI_ERR_INPUT, "quantised node %d '%s' (%s): " fmt, i, n->name, zki_qop_name(n->op), __VA_ARGS__)
#define QF0(fmt) zki_fail(ZKI_ERR_INPUT, "quantised node %d '%s' (%s): " fmt, i, n->name, zki_qop_name(n->op))

static int same_dims(const zki_qtensor *a, const zki_qtensor *b)
{
    if (a->rank != b->rank)
        return 0;
    for (int k = 0; k < a->rank; k++)
        if (a->dims[k] != b->dims[k])
            return 0;
    return 1;
}

/* numpy broadcasting of the n tensors t[0..n-1] gives exactly y's shape:
 * each input broadcasts to the output. */
static int qbcast_n(const zki_qtensor *const *t, int n, const zki_qtensor *y)
{
    int r = 0;
    for (int i = 0; i < n; i++)
        r = t[i]->rank > r ? t[i]->rank : r;
    if (y->rank != r)
        return 0;
    for (int k = 0; k < r; k++) {
        int64_t d = 1;
        for (int i = 0; i < n; i++) {
            int64_t di = k < r - t[i]->rank ? 1 : t[i]->dims[k - (r - t[i]->rank)];
            if (di == 1)
                continue;
            if (d != 1 && d != di)
                return 0;
            d = di;
        }
        if (y->dims[k] != d)
            return 0;
    }
    return 1;
}

static int qbcast(const zki_qtensor *a, const zki_qtensor *b, const zki_qtensor *y)
{
    const zki_qtensor *t[2] = {a, b};
    return qbcast_n(t, 2, y);
}

/* Checks M, s, lo, hi at p[0..3] (or p[off..]) and the product bound. */
static zki_status check_rq(const zki_qmodel *m, int i, const zki_qnode *n, int off, zki_u128 acc)
{
    int64_t M = n->p[off], s = n->p[off + 1], lo = n->p[off + 2], hi = n->p[off + 3];
    const zki_qtensor *y = &m->t[n->out];
    if (zki_qnode_raw(n)) {
        /* the raw accumulator: every value it can take fits the output */
        if (M != 1 || y->bits > 40 || lo != -((int64_t)1 << (y->bits - 1)) || hi != ((int64_t)1 << (y->bits - 1)) - 1)
            return QF0("a raw accumulator (shift 0) needs M = 1 and the output's full range as clamp");
        if (acc >= ((zki_u128)1 << (y->bits - 1)))
            return QFA("accumulator bound exceeds its %d-bit raw output", y->bits);
        return ZKI_OK;
    }
    if (s < 1 || s > 62)
        return QFA("shift %lld outside [1, 62]", (long long)s);
    if (lo > hi || !in_bits(lo, y->bits) || !in_bits(hi, y->bits))
        return QF0("clamp bounds outside the output's range");
    if (acc >= ((zki_u128)1 << 62))
        return QFA("accumulator bound >= 2^62 (%d-bit output)", y->bits);
    zki_u128 z = sat_add(sat_mul(acc, uabs(M)), (zki_u128)1 << (s - 1));
    if (z >= ((zki_u128)1 << 62))
        return QFA("requantisation product bound >= 2^62 (|M| = %lld)", (long long)M);
    return ZKI_OK;
}

static zki_status check_win(int i, const zki_qnode *n, const int64_t *w, int has_dil, const zki_qtensor *x,
                                const zki_qtensor *y, int64_t outc)
{
    /* w: kh kw sh sw [dh dw] pt pl pb pr */
    int64_t kh = w[0], kw = w[1], sh = w[2], sw = w[3];
    int64_t dh = has_dil ? w[4] : 1, dw = has_dil ? w[5] : 1;
    const int64_t *pd = w + (has_dil ? 6 : 4);
    if (x->rank != 4 || y->rank != 4)
        return QF0("needs 4-D input and output");
    for (int k = 0; k < (has_dil ? 10 : 8); k++)
        if (w[k] < 0 || w[k] > 4096)
            return QF0("window parameter out of range");
    if (kh < 1 || kw < 1 || sh < 1 || sw < 1 || dh < 1 || dw < 1)
        return QF0("window parameter out of range");
    int64_t oh = (x->dims[2] + pd[0] + pd[2] - dh * (kh - 1) - 1), ow = (x->dims[3] + pd[1] + pd[3] - dw * (kw - 1) - 1);
    if (oh < 0 || ow < 0)
        return QF0("window larger than the padded input");
    oh = oh / sh + 1;
    ow = ow / sw + 1;
    if (y->dims[0] != x->dims[0] || y->dims[1] != outc || y->dims[2] != oh || y->dims[3] != ow)
        return QF0("output shape disagrees with the window");
    return ZKI_OK;
}

static zki_status check_node(const zki_qmodel *m, int i, const uint8_t *defined)
{
    const zki_qnode *n = &m->nodes[i];
    static const int n_in_min[ZKI_QOP_COUNT] = {
        [ZKI_QOP_LINEAR] = 2, [ZKI_QOP_CONV] = 2, [ZKI_QOP_MATMUL] = 2, [ZKI_QOP_ADD] = 2, [ZKI_QOP_MUL] = 2,
        [ZKI_QOP_LUT] = 2, [ZKI_QOP_GATHER] = 2, [ZKI_QOP_SOFTMAX] = 2, [ZKI_QOP_LAYERNORM] = 3,
    };
    static const int n_p[ZKI_QOP_COUNT] = {
        [ZKI_QOP_LINEAR] = 4, [ZKI_QOP_CONV] = 15, [ZKI_QOP_MATMUL] = 4, [ZKI_QOP_MUL] = 4,
        [ZKI_QOP_REQUANT] = 4, [ZKI_QOP_LUT] = 1, [ZKI_QOP_MAXPOOL] = 10, [ZKI_QOP_AVGPOOL] = 12,
        [ZKI_QOP_MEAN] = 5, [ZKI_QOP_CONCAT] = 1, [ZKI_QOP_GATHER] = 1, [ZKI_QOP_SOFTMAX] = 1,
        [ZKI_QOP_LAYERNORM] = 6, [ZKI_QOP_TRILU] = 3,
    };
    if (n->op < 0 || n->op >= ZKI_QOP_COUNT)
        return zki_fail(ZKI_ERR_INPUT, "quantised node %d: unknown op %d", i, n->op);
    int need = n_in_min[n->op] ? n_in_min[n->op] : 1;
    if (n->n_in < need || n->n_in > ZKI_QMAX_IN || n->n_p < 0 || n->n_p > ZKI_QMAX_P)
        return QF0("wrong number of inputs or parameters");
    for (int k = 0; k < n->n_in; k++) {
        int t = n->in[k];
        int optional = (k == 2 && (n->op == ZKI_QOP_LINEAR || n->op == ZKI_QOP_CONV));
        if (t < 0 && optional)
            continue;
        if (t < 0 || t >= m->n_t || !defined[t])
            return QFA("input %d is undefined or used before it is computed", k);
    }
    if (n->out < 0 || n->out >= m->n_t || defined[n->out] || m->t[n->out].kind != ZKI_QT_VALUE)
        return QF0("output is invalid or defined twice");
    const zki_qtensor *x = &m->t[n->in[0]], *y = &m->t[n->out];
    const zki_qtensor *b = n->n_in > 1 && n->in[1] >= 0 ? &m->t[n->in[1]] : NULL;
    const zki_qtensor *c = n->n_in > 2 && n->in[2] >= 0 ? &m->t[n->in[2]] : NULL;
    int r = x->rank;
    int expect_p = n_p[n->op];
    if (n->op == ZKI_QOP_TRANSPOSE)
        expect_p = r;
    else if (n->op == ZKI_QOP_SLICE)
        expect_p = 2 * r;
    else if (n->op == ZKI_QOP_PAD)
        expect_p = 2 + r;
    else if (n->op == ZKI_QOP_ADD)
        expect_p = n->n_in + 3; /* M_0 .. M_{n-1} s lo hi */
    if (n->n_p != expect_p)
        return QFA("has %d parameters, expected %d", n->n_p, expect_p);
    const int64_t *p = n->p;
    zki_u128 bx = value_bound(x);
    switch (n->op) {
    case ZKI_QOP_LINEAR: {
        if (b->kind != ZKI_QT_CONST || b->rank != 2 || r < 1 || x->dims[r - 1] != b->dims[1] || y->rank != r)
            return QF0("weight must be a constant [N, K] matching the input's last dim");
        for (int a = 0; a < r - 1; a++)
            if (y->dims[a] != x->dims[a])
                return QF0("output shape mismatch");
        if (y->dims[r - 1] != b->dims[0] || (c && zki_qnumel(c) != b->dims[0]))
            return QF0("output or bias size mismatch");
        zki_u128 acc = sat_mul(sat_mul((zki_u128)b->dims[1], bx), value_bound(b));
        if (zki_qnode_raw(n) && x->bits <= 32) /* a raw accumulator: its exact bound */
            return check_rq(m, i, n, 0, zki_qmodel_row_bound(m, n->in[1], n->in[2], x->bits));
        return check_rq(m, i, n, 0, sat_add(acc, c ? value_bound(c) : 0));
    }
    case ZKI_QOP_CONV: {
        int64_t grp = p[4];
        if (b->kind != ZKI_QT_CONST || b->rank != 4 || r != 4 || grp < 1 || x->dims[1] % grp ||
            b->dims[0] % grp || x->dims[1] / grp != b->dims[1] || b->dims[2] != p[5] || b->dims[3] != p[6] ||
            (c && zki_qnumel(c) != b->dims[0]))
            return QF0("weight, bias or group inconsistent with the input");
        zki_status st = check_win(i, n, p + 5, 1, x, y, b->dims[0]);
        if (st != ZKI_OK)
            return st;
        zki_u128 acc = sat_mul(sat_mul((zki_u128)(b->dims[1] * p[5] * p[6]), bx), value_bound(b));
        if (zki_qnode_raw(n) && x->bits <= 32) /* a raw accumulator: its exact bound */
            return check_rq(m, i, n, 0, zki_qmodel_row_bound(m, n->in[1], n->in[2], x->bits));
        return check_rq(m, i, n, 0, sat_add(acc, c ? value_bound(c) : 0));
    }
    case ZKI_QOP_MATMUL: {
        if (r < 2 || b->rank < 2 || y->rank != (r > b->rank ? r : b->rank))
            return QF0("operands must have rank >= 2");
        int64_t K = x->dims[r - 1];
        if (b->dims[b->rank - 2] != K || y->dims[y->rank - 2] != x->dims[r - 2] ||
            y->dims[y->rank - 1] != b->dims[b->rank - 1])
            return QF0("matrix dimensions disagree");
        zki_qtensor ba = *x, bb = *b, by = *y;
        ba.rank -= 2;
        bb.rank -= 2;
        by.rank -= 2;
        if (!qbcast(&ba, &bb, &by))
            return QF0("batch dimensions do not broadcast");
        return check_rq(m, i, n, 0, sat_mul(sat_mul((zki_u128)K, bx), value_bound(b)));
    }
    case ZKI_QOP_ADD: {
        /* rq(sum_i x_i*M_i): n_in >= 2 inputs, each broadcasting to the output */
        const zki_qtensor *in[ZKI_QMAX_IN] = {0};
        int k = n->n_in;
        zki_u128 acc = 0;
        for (int j = 0; j < k; j++) {
            in[j] = &m->t[n->in[j]];
            acc = sat_add(acc, sat_mul(value_bound(in[j]), uabs(p[j])));
        }
        if (!qbcast_n(in, k, y))
            return QF0("shapes do not broadcast");
        int64_t s = p[k], lo = p[k + 1], hi = p[k + 2];
        if (s < 1 || s > 62 || lo > hi || !in_bits(lo, y->bits) || !in_bits(hi, y->bits))
            return QF0("shift or clamp out of range");
        if (sat_add(acc, (zki_u128)1 << (s - 1)) >= ((zki_u128)1 << 62))
            return QF0("requantisation bound >= 2^62");
        return ZKI_OK;
    }
    case ZKI_QOP_MUL:
        if (!qbcast(x, b, y))
            return QF0("shapes do not broadcast");
        return check_rq(m, i, n, 0, sat_mul(bx, value_bound(b)));
    case ZKI_QOP_REQUANT:
        if (!same_dims(x, y))
            return QF0("shape mismatch");
        return check_rq(m, i, n, 0, bx);
    case ZKI_QOP_LUT: {
        int64_t T = zki_qnumel(b);
        if (!same_dims(x, y) || b->kind != ZKI_QT_CONST || b->rank != 1 || T < 1 || T > ((int64_t)1 << 20))
            return QF0("table must be a constant vector of at most 2^20 entries");
        if (x->bits > 20 || p[0] > -(((int64_t)1) << (x->bits - 1)) || p[0] + T < (((int64_t)1) << (x->bits - 1)))
            return QF0("table does not cover the input's range");
        for (int64_t k = 0; k < T; k++)
            if (!in_bits(b->data[k], y->bits))
                return QF0("table entry outside the output's range");
        return ZKI_OK;
    }
    case ZKI_QOP_MAXPOOL:
        if (y->bits < x->bits)
            return QF0("output narrower than input");
        return check_win(i, n, p, 1, x, y, x->dims[1]);
    case ZKI_QOP_AVGPOOL: {
        zki_status st = check_win(i, n, p + 4, 0, x, y, r == 4 ? x->dims[1] : -1);
        if (st != ZKI_OK)
            return st;
        return check_rq(m, i, n, 0, sat_mul(sat_mul((zki_u128)(p[4] * p[5]), bx), 1));
    }
    case ZKI_QOP_MEAN: {
        int64_t mask = p[4], cnt = 1;
        if (mask < 0 || mask >= (1 << r) || y->rank != r)
            return QF0("axis mask out of range");
        for (int a = 0; a < r; a++) {
            if (mask >> a & 1) {
                cnt *= x->dims[a];
                if (y->dims[a] != 1)
                    return QF0("reduced axes must be kept with size 1");
            } else if (y->dims[a] != x->dims[a]) {
                return QF0("shape mismatch");
            }
        }
        return check_rq(m, i, n, 0, sat_mul((zki_u128)cnt, bx));
    }
    case ZKI_QOP_RESHAPE:
        if (zki_qnumel(x) != zki_qnumel(y) || y->bits < x->bits)
            return QF0("element counts or ranges differ");
        return ZKI_OK;
    case ZKI_QOP_TRANSPOSE: {
        int used[ZKI_QMAX_RANK] = {0};
        if (y->rank != r || y->bits < x->bits)
            return QF0("rank or range mismatch");
        for (int a = 0; a < r; a++) {
            if (p[a] < 0 || p[a] >= r || used[p[a]] || y->dims[a] != x->dims[p[a]])
                return QF0("perm is not a permutation matching the shapes");
            used[p[a]] = 1;
        }
        return ZKI_OK;
    }
    case ZKI_QOP_SLICE:
        if (y->rank != r || y->bits < x->bits)
            return QF0("rank or range mismatch");
        for (int a = 0; a < r; a++) {
            int64_t st = p[a], sp = p[r + a], len = y->dims[a];
            if (sp == 0 || sp > (1 << 30) || sp < -(1 << 30))
                return QF0("bad step");
            if (len > 0 && (st < 0 || st >= x->dims[a] || st + (len - 1) * sp < 0 || st + (len - 1) * sp >= x->dims[a]))
                return QF0("slice reads outside the input");
        }
        return ZKI_OK;
    case ZKI_QOP_PAD:
        if (y->rank != r || y->bits < x->bits || p[0] < 0 || p[0] > 2 || !in_bits(p[1], y->bits))
            return QF0("rank, mode or value out of range");
        for (int a = 0; a < r; a++) {
            int64_t bgn = p[2 + a];
            if (bgn < -x->dims[a] || bgn > 65536 || y->dims[a] > x->dims[a] + 2 * 65536)
                return QF0("pad out of range");
            if (p[0] == 1 && (bgn > x->dims[a] - 1 || y->dims[a] - x->dims[a] - bgn > x->dims[a] - 1) &&
                y->dims[a] != x->dims[a])
                return QF0("reflect pad larger than the axis");
            if (p[0] >= 1 && x->dims[a] == 0 && y->dims[a] > 0)
                return QF0("pad of an empty axis");
            if (p[0] == 0 || y->dims[a] == x->dims[a]) {
                /* constant mode reads only inside; other modes map into range */
            }
        }
        return ZKI_OK;
    case ZKI_QOP_TRILU:
        if (!same_dims(x, y) || r < 2 || y->bits < x->bits || (p[0] != 0 && p[0] != 1) || p[1] < -(1 << 26) ||
            p[1] > (1 << 26) || !in_bits(p[2], y->bits))
            return QF0("rank, side, diagonal or value out of range");
        return ZKI_OK;
    case ZKI_QOP_CONCAT: {
        int ax = (int)p[0];
        int64_t tot = 0;
        if (ax < 0 || ax >= r || y->rank != r)
            return QF0("axis out of range");
        for (int k = 0; k < n->n_in; k++) {
            const zki_qtensor *t = &m->t[n->in[k]];
            if (t->rank != r || t->bits > y->bits)
                return QF0("inputs differ in rank or range");
            for (int a = 0; a < r; a++)
                if (a != ax && t->dims[a] != y->dims[a])
                    return QF0("inputs differ off the axis");
            tot += t->dims[ax];
        }
        if (tot != y->dims[ax])
            return QF0("axis sizes do not add up");
        return ZKI_OK;
    }
    case ZKI_QOP_GATHER: {
        int ax = (int)p[0];
        if (ax < 0 || ax >= r || y->rank != r - 1 + b->rank || y->bits < x->bits)
            return QF0("axis or rank mismatch");
        int k = 0;
        for (int a = 0; a < ax; a++)
            if (y->dims[k++] != x->dims[a])
                return QF0("shape mismatch");
        for (int a = 0; a < b->rank; a++)
            if (y->dims[k++] != b->dims[a])
                return QF0("shape mismatch");
        for (int a = ax + 1; a < r; a++)
            if (y->dims[k++] != x->dims[a])
                return QF0("shape mismatch");
        return ZKI_OK;
    }
    case ZKI_QOP_SOFTMAX: {
        int64_t T = zki_qnumel(b), nn = r ? x->dims[r - 1] : 1;
        if (!same_dims(x, y) || b->kind != ZKI_QT_CONST || b->rank != 1 || T < 1 || T > ((int64_t)1 << 20))
            return QF0("table must be a constant vector");
        if (x->bits > 19 || T < ((int64_t)1 << x->bits))
            return QF0("table does not cover max - x");
        if (p[0] < 1 || !in_bits(p[0], y->bits))
            return QF0("output scale out of range");
        for (int64_t k = 0; k < T; k++)
            if (b->data[k] < 0 || b->data[k] > ((int64_t)1 << 24))
                return QF0("table entries must lie in [0, 2^24]");
        if (c) {
            int64_t nm = zki_qnumel(c);
            if (c->kind != ZKI_QT_CONST || nm < 1 || nm % (nn ? nn : 1) || zki_qnumel(x) % nm)
                return QF0("mask must be a constant tiling the input by whole rows");
            for (int64_t k = 0; k < nm; k++)
                if (c->data[k] != 0 && c->data[k] != 1)
                    return QF0("mask entries must be 0 or 1");
        }
        zki_u128 sum = sat_mul((zki_u128)nn, (zki_u128)1 << 24);
        if (sat_add(sat_mul(sum, 2 * (zki_u128)p[0] + 1), 0) >= ((zki_u128)1 << 62))
            return QF0("softmax sum bound >= 2^62");
        return ZKI_OK;
    }
    case ZKI_QOP_LAYERNORM: {
        int64_t nn = r ? x->dims[r - 1] : 1, E = p[4], F = p[5];
        if (!same_dims(x, y) || zki_qnumel(b) != nn || zki_qnumel(c) != nn || b->kind != ZKI_QT_CONST ||
            c->kind != ZKI_QT_CONST || E < 0 || F < 0 || F > 30 || nn < 1)
            return QF0("gamma/beta must be constants of the last dim's size; E, F in range");
        zki_u128 d = sat_mul(2 * (zki_u128)nn, bx);
        zki_u128 V = sat_add(sat_mul((zki_u128)nn, sat_mul(d, d)), (zki_u128)E);
        if (V >= ((zki_u128)1 << 62) || sat_mul(d, (zki_u128)1 << (F + 1)) >= ((zki_u128)1 << 61))
            return QF0("variance bound >= 2^62");
        zki_u128 acc = sat_add(sat_mul(sat_mul(d, (zki_u128)1 << F), value_bound(b)), value_bound(c));
        return check_rq(m, i, n, 0, acc);
    }
    }
    return QF0("unknown op");
}

zki_status zki_qmodel_check(const zki_qmodel *m)
{
    if (m->n_inputs < 0 || m->n_inputs > 16 || m->n_outputs < 1 || m->n_outputs > 16)
        return zki_fail(ZKI_ERR_INPUT, "quantised model: bad input/output count");
    uint8_t *def = calloc((size_t)m->n_t + 1, 1);
    uint64_t *absmax = calloc((size_t)m->n_t + 1, sizeof *absmax);
    if (!def || !absmax) {
        free(def);
        free(absmax);
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    }
    zki_status st = ZKI_OK;
    for (int t = 0; t < m->n_t && st == ZKI_OK; t++) {
        const zki_qtensor *q = &m->t[t];
        if (q->bits < 2 || q->bits > 64 || q->rank < 0 || q->rank > ZKI_QMAX_RANK || zki_qnumel(q) < 0)
            st = zki_fail(ZKI_ERR_INPUT, "quantised tensor '%s': bad bits, rank or shape", q->name);
        else if (q->kind == ZKI_QT_CONST) {
            if (!q->data)
                st = zki_fail(ZKI_ERR_INPUT, "quantised constant '%s' has no data", q->name);
            int64_t lo = 0, hi = 0;
            if (q->data && zki_qnumel(q) > 0)
                const_range(q, &lo, &hi);
            absmax[t] = abs_max(lo, hi);
            if (!in_bits(lo, q->bits) || !in_bits(hi, q->bits))
                st = zki_fail(ZKI_ERR_INPUT, "quantised constant '%s': value out of its %d-bit range", q->name,
                              q->bits);
            def[t] = 1;
        } else if (q->kind != ZKI_QT_INPUT && q->kind != ZKI_QT_VALUE) {
            st = zki_fail(ZKI_ERR_INPUT, "quantised tensor '%s': bad kind", q->name);
        }
    }
    for (int k = 0; k < m->n_inputs && st == ZKI_OK; k++) {
        int t = m->inputs[k];
        if (t < 0 || t >= m->n_t || m->t[t].kind != ZKI_QT_INPUT)
            st = zki_fail(ZKI_ERR_INPUT, "quantised model: input %d is invalid", k);
        else
            def[t] = 1;
    }
    if (st == ZKI_OK) { /* every constant's entry is filled */
        cache_model = m;
        cache_absmax = absmax;
    }
    for (int i = 0; i < m->n_nodes && st == ZKI_OK; i++) {
        st = check_node(m, i, def);
        if (st == ZKI_OK)
            def[m->nodes[i].out] = 1;
    }
    cache_model = NULL;
    cache_absmax = NULL;
    for (int k = 0; k < m->n_outputs && st == ZKI_OK; k++) {
        int t = m->outputs[k];
        if (t < 0 || t >= m->n_t || !def[t])
            st = zki_fail(ZKI_ERR_INPUT, "quantised model: output %d is never computed", k);
    }
    free(def);
    free(absmax);
    return st;
}

void zki_qmodel_summary(const zki_qmodel *m, char *buf, size_t cap)
{
    size_t o = 0;
#define QPUT(...)                                                             \
    do {                                                                      \
        if (o < cap)                                                          \
            o += (size_t)snprintf(buf + o, cap - o, __VA_ARGS__);             \
    } while (0)
    if (cap)
        buf[0] = '\0';
    int64_t params = 0;
    for (int t = 0; t < m->n_t; t++)
        if (m->t[t].kind == ZKI_QT_CONST)
            params += zki_qnumel(&m->t[t]);
    QPUT("quantised model: %d ops, %d tensors, %lld integer constants\n", m->n_nodes, m->n_t, (long long)params);
    for (int k = 0; k < m->n_inputs; k++) {
        const zki_qtensor *t = &m->t[m->inputs[k]];
        QPUT("  input  %s int%d scale %.6g\n", t->name, t->bits, t->scale);
    }
    for (int i = 0; i < m->n_nodes; i++) {
        const zki_qnode *n = &m->nodes[i];
        const zki_qtensor *t = &m->t[n->out];
        QPUT("  %3d %-10s %-24s -> [", i, zki_qop_name(n->op), n->name);
        for (int a = 0; a < t->rank; a++)
            QPUT("%s%lld", a ? "," : "", (long long)t->dims[a]);
        QPUT("] int%d scale %.4g%s\n", t->bits, t->scale,
             zki_qnode_raw(n) ? " (raw accumulator, requantised by its Add)" : "");
    }
    for (int k = 0; k < m->n_outputs; k++) {
        const zki_qtensor *t = &m->t[m->outputs[k]];
        QPUT("  output %s int%d scale %.6g\n", t->name, t->bits, t->scale);
    }
#undef QPUT
}
