/* Quantiser: float graph + calibration samples -> integer program. */
#include "quant/quant.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "common/error.h"
#include "graph/refusals.h"
#include "quant/fuse_unary.h"
#include "quant/input_shape.h"
#include "quant/norm_lower.h"
#include "quant/npy.h"

#define ZKI_RQ_PRECISION 24 /* bits of the requantisation multiplier */
#define ZKI_RQ_MIN_PRECISION 7 /* fewest bits kept when coarser_shift saves a limb */
/* fewest bits of a raw accumulator's multiplier in its Add (raw_into_add):
 * a gain error of at most 2^-7 on that term, where requantising the layer
 * first would round each of its values to 8 bits */
#define ZKI_RQ_RAW_MIN_PRECISION 6
#define ZKI_BIAS_BITS 40
#define ZKI_LN_FRAC 12     /* fixed-point bits of the normalised LayerNorm value */
#define ZKI_QMAX_SUM 16    /* terms of one n-ary ADD (a chain of Adds/Subs summed exactly) */
_Static_assert(ZKI_QMAX_SUM <= ZKI_QMAX_IN && ZKI_QMAX_SUM + 3 <= ZKI_QMAX_P, "an ADD's inputs and parameters fit");
_Static_assert(ZKI_MAX_NODE_IN <= ZKI_QMAX_IN, "every imported Concat fits a quantised node");

void zki_quant_opts_default(zki_quant_opts *o)
{
    o->weight_bits = 8;
    o->act_bits = 8;
    o->progress = NULL;
    o->progress_ctx = NULL;
    o->keep_out = NULL;
    o->raw_residual = 1;
}

typedef struct {
    const zki_graph *g;
    zki_quant_opts o;
    zki_qmodel *m;
    double *maxabs;   /* per IR tensor, from calibration */
    int *qi;          /* IR tensor -> quantised tensor */
    int *uses;        /* consumers per IR tensor (graph outputs count) */
    int *consumer;    /* the consumer node when uses == 1 */
    uint8_t *done;    /* IR nodes already emitted (fused) */
    int *producer;    /* the node writing each IR tensor, -1 for inputs and constants */
    uint8_t *absorbed; /* Add/Sub nodes summed exactly inside their consumer's n-ary ADD */
    zki_unary_regions regions; /* functions of one activation, one table each (fuse_unary.h) */
    int64_t aq;       /* activation qmax */
    int64_t wq;       /* weight qmax */
    char bad_const[300]; /* a constant with a NaN or infinite value (qconst*) */
    int64_t bad_at;
    int bad_nan;
} zki_qctx;

/* Whether constant f[0..n) is finite; if not, notes where for the error
 * zki_quantize reports (a NaN weight would round to garbage silently). */
static int const_finite(zki_qctx *c, const char *name, const float *f, int64_t n)
{
    int64_t bad = zki_first_nonfinite(f, n);
    if (bad < 0)
        return 1;
    snprintf(c->bad_const, sizeof c->bad_const, "%s", name);
    c->bad_at = bad;
    c->bad_nan = isnan(f[bad]);
    return 0;
}

#define QERR(n, code, ...) zki_node_fail(n, code, __VA_ARGS__)

static double act_scale(const zki_qctx *c, int t)
{
    double m = c->maxabs[t];
    if (!(m > 0) || !isfinite(m))
        m = 1.0;
    return m / (double)c->aq;
}

static int64_t clampi(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

/* Quantised constant from float data with a symmetric scale. */
static int qconst(zki_qctx *c, const char *name, int rank, const int64_t *dims, const float *f, int bits,
                      double *scale)
{
    int64_t n = zki_shape_numel(rank, dims);
    int64_t qmax = ((int64_t)1 << (bits - 1)) - 1;
    if (!const_finite(c, name, f, n))
        return -1;
    double mx = 0;
    for (int64_t k = 0; k < n; k++)
        if (fabs(f[k]) > mx)
            mx = fabs(f[k]);
    double s = mx > 0 ? mx / (double)qmax : 1.0;
    int ti = zki_qmodel_add_tensor(c->m, name, ZKI_QT_CONST, bits, rank, dims, s);
    if (ti < 0)
        return -1;
    int64_t *d = malloc(sizeof(int64_t) * (size_t)(n > 0 ? n : 1));
    if (!d)
        return -1;
    for (int64_t k = 0; k < n; k++)
        d[k] = clampi(llround(f[k] / s), -qmax, qmax);
    c->m->t[ti].data = d;
    *scale = s;
    return ti;
}

/* Integer constant at a given scale (biases): error if out of range. */
static int qconst_at(zki_qctx *c, const char *name, int rank, const int64_t *dims, const float *f, double s,
                         int bits)
{
    int64_t n = zki_shape_numel(rank, dims);
    if (!const_finite(c, name, f, n))
        return -1;
    int ti = zki_qmodel_add_tensor(c->m, name, ZKI_QT_CONST, bits, rank, dims, s);
    if (ti < 0)
        return -1;
    int64_t *d = malloc(sizeof(int64_t) * (size_t)(n > 0 ? n : 1));
    if (!d)
        return -1;
    double lim = ldexp(1.0, bits - 1) - 1;
    for (int64_t k = 0; k < n; k++) {
        double v = f[k] / s;
        if (!(fabs(v) < lim))
            v = v < 0 ? -lim : lim; /* saturate: only reachable for degenerate scales */
        d[k] = llround(v);
    }
    c->m->t[ti].data = d;
    return ti;
}

static int qvalue(zki_qctx *c, int ir, double scale, int bits)
{
    const zki_tensor *t = &c->g->t[ir];
    return zki_qmodel_add_tensor(c->m, t->name, ZKI_QT_VALUE, bits, t->rank, t->dims, scale);
}

static double const_maxabs(const zki_qmodel *m, int t)
{
    if (t < 0)
        return 0;
    const zki_qtensor *q = &m->t[t];
    if (q->kind != ZKI_QT_CONST)
        return ldexp(1.0, q->bits - 1);
    double mx = 0;
    for (int64_t k = 0; k < zki_qnumel(q); k++)
        if (fabs((double)q->data[k]) > mx)
            mx = fabs((double)q->data[k]);
    return mx;
}

/* The proof checks the remainder r < 2^s in 16-bit limbs, one committed
 * advice value and one range lookup per limb and output (lookup/requant.h):
 * a shift at a smaller multiple of 16 saves both, when the multiplier keeps
 * ZKI_RQ_MIN_PRECISION bits there. */
static void coarser_shift(double m, double acc_bound, int64_t *M, int64_t *s)
{
    for (int sh = 16; sh < *s && sh <= 48; sh += 16) {
        double Mi = nearbyint(ldexp(m, sh));
        if (fabs(Mi) >= ldexp(1.0, ZKI_RQ_MIN_PRECISION) &&
            acc_bound * fabs(Mi) + ldexp(1.0, sh - 1) < ldexp(1.0, 61)) {
            *M = (int64_t)Mi;
            *s = sh;
            return;
        }
    }
}

/* Chooses M, s with M/2^s ~ m and acc_bound*|M| + 2^(s-1) < 2^61; coarse:
 * a shift at a smaller multiple of 16 where the multiplier keeps
 * ZKI_RQ_MIN_PRECISION bits (coarser_shift). */
static zki_status choose_rq_at(const zki_node *n, double m, double acc_bound, int coarse, int64_t *M, int64_t *s)
{
    if (m == 0 || !isfinite(m)) {
        if (!isfinite(m))
            return QERR(n, ZKI_ERR_INPUT, "non-finite requantisation multiplier");
        *M = 0;
        *s = 1;
        return ZKI_OK;
    }
    int e;
    frexp(fabs(m), &e); /* |m| = f * 2^e, f in [0.5, 1) */
    int sh = ZKI_RQ_PRECISION - e;
    if (sh > 62)
        sh = 62;
    if (sh < 1)
        return QERR(n, ZKI_ERR_UNSUPPORTED, "requantisation multiplier %g is too large", m);
    for (; sh >= 1; sh--) {
        double Mi = nearbyint(ldexp(m, sh));
        if (fabs(Mi) < 1 && sh < 62)
            break;
        if (acc_bound * fabs(Mi) + ldexp(1.0, sh - 1) < ldexp(1.0, 61)) {
            if (fabs(Mi) < 16 && acc_bound > 0 && ldexp(fabs(m), sh) >= 16)
                break; /* would keep fewer than 4 bits of precision */
            *M = (int64_t)Mi;
            *s = sh;
            if (coarse)
                coarser_shift(m, acc_bound, M, s);
            return ZKI_OK;
        }
    }
    return QERR(n, ZKI_ERR_UNSUPPORTED,
                "accumulator bound %.3g cannot be requantised below 2^62 (use fewer input bits or smaller layers)",
                acc_bound);
}

static zki_status choose_rq(const zki_node *n, double m, double acc_bound, int64_t *M, int64_t *s)
{
    return choose_rq_at(n, m, acc_bound, 1, M, s);
}

zki_status zki_quant_choose_rq(const zki_node *n, double m, double acc_bound, int64_t *M, int64_t *s)
{
    return choose_rq(n, m, acc_bound, M, s);
}

zki_status zki_quant_choose_rq_fine(const zki_node *n, double m, double acc_bound, int64_t *M, int64_t *s)
{
    return choose_rq_at(n, m, acc_bound, 0, M, s);
}

/* The Relu, or Clip with constant bounds, that alone reads tensor t and so
 * fuses into the op writing t: its node index, or -1. */
static int fusable_act(const zki_qctx *c, int t)
{
    if (c->uses[t] != 1 || c->consumer[t] < 0)
        return -1;
    const zki_node *u = &c->g->nodes[c->consumer[t]];
    if (u->op == ZKI_OP_RELU)
        return c->consumer[t];
    if (u->op != ZKI_OP_CLIP)
        return -1;
    for (int k = 1; k < 3 && k < u->n_in; k++)
        if (u->in[k] >= 0 && (c->g->t[u->in[k]].kind != ZKI_T_CONST || !c->g->t[u->in[k]].f))
            return -1;
    return c->consumer[t];
}

/* Looks through a single-consumer Relu/Clip after tensor t (fusable_act);
 * returns the IR tensor that the fused op finally writes and sets the
 * clamp. */
static int fuse_act(zki_qctx *c, int t, int64_t *lo, int64_t *hi)
{
    *lo = -c->aq;
    *hi = c->aq;
    int a = fusable_act(c, t);
    if (a < 0)
        return t;
    const zki_node *u = &c->g->nodes[a];
    c->done[a] = 1;
    if (u->op == ZKI_OP_RELU) {
        *lo = 0;
        return u->out[0];
    }
    int y = u->out[0];
    double s = act_scale(c, y);
    double mn = -INFINITY, mx = INFINITY;
    for (int k = 1; k < 3 && k < u->n_in; k++) {
        if (u->in[k] < 0)
            continue;
        if (k == 1)
            mn = c->g->t[u->in[k]].f[0];
        else
            mx = c->g->t[u->in[k]].f[0];
    }
    if (isfinite(mn))
        *lo = clampi(llround(mn / s), -c->aq, c->aq);
    if (isfinite(mx))
        *hi = clampi(llround(mx / s), -c->aq, c->aq);
    return y;
}

static int is_act(const zki_qctx *c, int t)
{
    return t >= 0 && c->qi[t] >= 0 && c->m->t[c->qi[t]].kind != ZKI_QT_CONST;
}

static const float *fconst(const zki_graph *g, int t)
{
    return (t >= 0 && g->t[t].kind == ZKI_T_CONST) ? g->t[t].f : NULL;
}

static zki_status nomem(void)
{
    return zki_fail(ZKI_ERR_NOMEM, "out of memory while quantising");
}

/* Adds a node; inputs given as quantised tensor indices. */
static zki_qnode *emit(zki_qctx *c, int op, const zki_node *n, const int *in, int n_in, int out)
{
    int k = zki_qmodel_add_node(c->m, op, n->name);
    if (k < 0)
        return NULL;
    zki_qnode *q = &c->m->nodes[k];
    q->n_in = n_in;
    for (int j = 0; j < n_in; j++)
        q->in[j] = in[j];
    q->out = out;
    return q;
}

static void setp(zki_qnode *q, const int64_t *p, int np)
{
    q->n_p = np;
    for (int k = 0; k < np; k++)
        q->p[k] = p[k];
}

static int emit_move(zki_qctx *c, const zki_node *n, int op, const int *in, int n_in, int y, const char *what,
                     int rank, const int64_t *dims, const int64_t *p, int np);

static int addsub_of_acts(const zki_graph *g, int ni);
static int in_region(const zki_qctx *c, int i);

/* Bits of a raw accumulator bounded by acc_bound: its values lie in
 * [-(2^(bits-1)), 2^(bits-1)). */
static int raw_bits(double acc_bound)
{
    int b = 2;
    while (b < 63 && ldexp(1.0, b - 1) <= acc_bound)
        b++;
    return b;
}

/* Whether a LINEAR / CONV writing graph tensor t (accumulator scale sacc,
 * exact bound acc_bound) hands its exact accumulator to the Add that alone reads
 * it (the Add then requantises once: the residual branch of a ResNet block,
 * a transformer's projection before its residual Add). The proof then
 * commits nothing for the layer's output. Taken when the accumulator fits
 * the ADD gadget's 32-bit inputs and, at the Add's shift of 16, its
 * multiplier sacc / s_sum keeps ZKI_RQ_RAW_MIN_PRECISION bits. */
static int raw_into_add(const zki_qctx *c, int op, int t, double sacc, double acc_bound)
{
    /* an unrolled recurrent step's tensor keeps its tie's one scale */
    if (!c->o.raw_residual || (op != ZKI_QOP_CONV && op != ZKI_QOP_LINEAR) || c->uses[t] != 1 ||
        c->consumer[t] < 0 || raw_bits(acc_bound) > 32 || c->g->t[t].range_tie)
        return 0;
    int u = c->consumer[t];
    if (!addsub_of_acts(c->g, u) || in_region(c, u))
        return 0;
    /* the sum that finally holds this term: through absorbed Adds */
    while (c->absorbed[u]) {
        int o = c->g->nodes[u].out[0];
        if (c->uses[o] != 1 || c->consumer[o] < 0)
            return 0;
        u = c->consumer[o];
    }
    /* the scale q_addsub gives the sum: its fused Relu / Clip's output's */
    int y = c->g->nodes[u].out[0], a = fusable_act(c, y);
    if (a >= 0)
        y = c->g->nodes[a].out[0];
    double ratio = sacc / act_scale(c, y);
    return isfinite(ratio) && fabs(nearbyint(ldexp(ratio, 16))) >= ldexp(1.0, ZKI_RQ_RAW_MIN_PRECISION);
}

/* A requantised op whose output is IR tensor t_out (y after fusion); with
 * r >= 0 the op writes an intermediate of shape (r, d) at y's scale, and a
 * move gives y's shape. A LINEAR / CONV that raw_into_add picks writes its
 * raw accumulator instead. */
static zki_status emit_rq_at(zki_qctx *c, const zki_node *n, int op, const int *in, int nin, int t_out,
                             double m_over_sy_num, double acc_bound, const int64_t *extra, int n_extra, int r,
                             const int64_t *d)
{
    /* a raw accumulator's bits: its exact bound from the weights' rows */
    double raw_bound = r < 0 && (op == ZKI_QOP_CONV || op == ZKI_QOP_LINEAR) && nin >= 2
                           ? (double)zki_qmodel_row_bound(c->m, in[1], nin > 2 ? in[2] : -1, c->m->t[in[0]].bits)
                           : INFINITY;
    if (raw_into_add(c, op, t_out, m_over_sy_num, raw_bound)) {
        int bits = raw_bits(raw_bound);
        int qo = qvalue(c, t_out, m_over_sy_num, bits);
        zki_qnode *q = qo >= 0 ? emit(c, op, n, in, nin, qo) : NULL;
        if (!q)
            return nomem();
        int64_t p[ZKI_QMAX_P] = {1, 0, -((int64_t)1 << (bits - 1)), ((int64_t)1 << (bits - 1)) - 1};
        for (int k = 0; k < n_extra; k++)
            p[4 + k] = extra[k];
        setp(q, p, 4 + n_extra);
        c->qi[t_out] = qo;
        return ZKI_OK;
    }
    int64_t lo, hi;
    int y = fuse_act(c, t_out, &lo, &hi);
    double sy = act_scale(c, y);
    int64_t M, s;
    zki_status st = choose_rq(n, m_over_sy_num / sy, acc_bound, &M, &s);
    if (st != ZKI_OK)
        return st;
    char nm[300];
    snprintf(nm, sizeof nm, "%s::kept", n->name);
    int qo = r < 0 ? qvalue(c, y, sy, c->o.act_bits)
                   : zki_qmodel_add_tensor(c->m, nm, ZKI_QT_VALUE, c->o.act_bits, r, d, sy);
    zki_qnode *q = qo >= 0 ? emit(c, op, n, in, nin, qo) : NULL;
    if (!q)
        return nomem();
    int64_t p[ZKI_QMAX_P] = {M, s, lo, hi};
    for (int k = 0; k < n_extra; k++)
        p[4 + k] = extra[k];
    setp(q, p, 4 + n_extra);
    if (r >= 0)
        return emit_move(c, n, ZKI_QOP_RESHAPE, &qo, 1, y, "", 0, NULL, NULL, 0) < 0 ? nomem() : ZKI_OK;
    c->qi[y] = qo;
    return ZKI_OK;
}

static zki_status emit_rq(zki_qctx *c, const zki_node *n, int op, const int *in, int nin, int t_out,
                          double m_over_sy_num, double acc_bound, const int64_t *extra, int n_extra)
{
    return emit_rq_at(c, n, op, in, nin, t_out, m_over_sy_num, acc_bound, extra, n_extra, -1, NULL);
}

static zki_status q_linear_like(zki_qctx *c, int ni)
{
    const zki_graph *g = c->g;
    const zki_node *n = &g->nodes[ni];
    int x = n->in[0], wt = n->in[1];
    const zki_tensor *W = &g->t[wt];
    int64_t K, N;
    float *w;
    double alpha = 1, beta = 1;
    int bias_ir = -1;
    const float *bias_f = NULL;
    if (!is_act(c, x))
        return QERR(n, ZKI_ERR_UNSUPPORTED, "first operand must be an activation for quantisation");
    if (n->op == ZKI_OP_GEMM) {
        if (zki_attr_int(n, "transA", 0))
            return QERR(n, ZKI_ERR_UNSUPPORTED, "transA=1 is not supported for quantisation");
        alpha = zki_attr_float(n, "alpha", 1.0);
        beta = zki_attr_float(n, "beta", 1.0);
        if (n->n_in > 2 && n->in[2] >= 0) {
            bias_ir = n->in[2];
            bias_f = fconst(g, bias_ir);
        }
    }
    if (!fconst(g, wt) || W->rank != 2)
        return QERR(n, ZKI_ERR_UNSUPPORTED, "weight must be a 2-D constant for quantisation");
    int tb = n->op == ZKI_OP_GEMM && zki_attr_int(n, "transB", 0);
    K = tb ? W->dims[1] : W->dims[0];
    N = tb ? W->dims[0] : W->dims[1];
    w = malloc(sizeof(float) * (size_t)(K * N + 1));
    if (!w)
        return nomem();
    for (int64_t j = 0; j < N; j++)
        for (int64_t k = 0; k < K; k++)
            w[j * K + k] = (float)(alpha * (tb ? W->f[j * K + k] : W->f[k * N + j]));
    int out_t = n->out[0];
    /* MatMul followed by a constant Add over the last axis: a bias */
    if (n->op == ZKI_OP_MATMUL && c->uses[out_t] == 1 && c->consumer[out_t] >= 0) {
        const zki_node *u = &g->nodes[c->consumer[out_t]];
        int other = u->in[0] == out_t ? u->in[1] : u->in[0];
        if (u->op == ZKI_OP_ADD && fconst(g, other) && zki_tensor_numel(&g->t[other]) == N &&
            g->t[other].dims[g->t[other].rank - 1] == N) {
            bias_ir = other;
            bias_f = g->t[other].f;
            beta = 1;
            c->done[c->consumer[out_t]] = 1;
            out_t = u->out[0];
        }
    }
    if (bias_ir >= 0 && (!bias_f || zki_tensor_numel(&g->t[bias_ir]) != N)) {
        free(w);
        return QERR(n, ZKI_ERR_UNSUPPORTED, "bias must be a constant of %lld values", (long long)N);
    }
    double sw, sx = c->m->t[c->qi[x]].scale;
    int64_t wd[2] = {N, K};
    char nm[300];
    snprintf(nm, sizeof nm, "%s::w", n->name);
    int qw = qconst(c, nm, 2, wd, w, c->o.weight_bits, &sw);
    free(w);
    if (qw < 0)
        return nomem();
    int qb = -1;
    if (bias_ir >= 0) {
        float *bb = malloc(sizeof(float) * (size_t)(N + 1));
        if (!bb)
            return nomem();
        for (int64_t j = 0; j < N; j++)
            bb[j] = (float)(beta * bias_f[j]);
        snprintf(nm, sizeof nm, "%s::b", n->name);
        qb = qconst_at(c, nm, 1, &N, bb, sx * sw, ZKI_BIAS_BITS);
        free(bb);
        if (qb < 0)
            return nomem();
    }
    double acc = (double)K * ldexp(1.0, c->o.act_bits - 1) * const_maxabs(c->m, qw) + const_maxabs(c->m, qb);
    int in[3] = {c->qi[x], qw, qb};
    return emit_rq(c, n, ZKI_QOP_LINEAR, in, 3, out_t, sx * sw, acc, NULL, 0);
}

static zki_status q_conv_node(zki_qctx *c, int ni)
{
    const zki_graph *g = c->g;
    const zki_node *n = &g->nodes[ni];
    int x = n->in[0], wt = n->in[1], bt = n->n_in > 2 ? n->in[2] : -1;
    const zki_tensor *W = &g->t[wt], *X = &g->t[x];
    if (!is_act(c, x) || !fconst(g, wt) || (bt >= 0 && !fconst(g, bt)))
        return QERR(n, ZKI_ERR_UNSUPPORTED, "weight and bias must be constants for quantisation");
    zki_win2d w;
    zki_status st = zki_win2d_resolve(n, X->dims[2], X->dims[3], W->dims[2], W->dims[3], 0, &w);
    if (st != ZKI_OK)
        return st;
    double sw, sx = c->m->t[c->qi[x]].scale;
    int64_t grp = zki_attr_int(n, "group", 1);
    /* A depthwise Conv (one input channel per output; a BatchNormalization
     * made one, or MobileNet's) has per-channel weights spread over decades
     * (gamma / sqrt(var) when the channels' variances differ), which one
     * int8 scale would flatten; its few weights take int16 (a scale 256
     * times finer) at no cost in the accumulator or the proof. */
    int wbits = grp > 1 && grp == X->dims[1] && W->dims[1] == 1 ? 16 : c->o.weight_bits;
    char nm[300];
    snprintf(nm, sizeof nm, "%s::w", n->name);
    int qw = qconst(c, nm, 4, W->dims, W->f, wbits, &sw);
    if (qw < 0)
        return nomem();
    int qb = -1;
    if (bt >= 0) {
        snprintf(nm, sizeof nm, "%s::b", n->name);
        qb = qconst_at(c, nm, 1, &W->dims[0], g->t[bt].f, sx * sw, ZKI_BIAS_BITS);
        if (qb < 0)
            return nomem();
    }
    double acc = (double)(W->dims[1] * W->dims[2] * W->dims[3]) * ldexp(1.0, c->o.act_bits - 1) *
                     const_maxabs(c->m, qw) + const_maxabs(c->m, qb);
    int64_t extra[11] = {grp, w.kh, w.kw, w.sh, w.sw, w.dh, w.dw, w.pt, w.pl, w.pb, w.pr};
    int in[3] = {c->qi[x], qw, qb};
    return emit_rq(c, n, ZKI_QOP_CONV, in, 3, n->out[0], sx * sw, acc, extra, 11);
}

/* ---- elementwise constants and reductions as layers with weights ----
 * The prover proves a constant only as a committed weight: an elementwise
 * product or sum with a constant tensor, an average pool whose divisor
 * differs per position and a reduction other than a map's spatial mean
 * become a LINEAR or CONV whose weights carry the constant, between moves
 * to and from the shape that layer reads. */

/* y = rq((x w + b) M) per element of quantised tensor qx (N elements): a
 * depthwise 1x1 CONV over x viewed as [1, N, 1, 1], one channel per
 * element, whose int16 weights w[N] and bias b[N] (NULL: none) are the
 * constant; then a move to graph tensor t_out's shape. */
static zki_status emit_per_element(zki_qctx *c, const zki_node *n, int qx, const float *w, const float *b,
                                   int t_out)
{
    int64_t N = zki_qnumel(&c->m->t[qx]), d4[4] = {1, N, 1, 1}, wd[4] = {N, 1, 1, 1};
    double sx = c->m->t[qx].scale, bx = ldexp(1.0, c->m->t[qx].bits - 1), sw;
    int in0[1] = {qx};
    int qr = emit_move(c, n, ZKI_QOP_RESHAPE, in0, 1, -1, "elems", 4, d4, NULL, 0);
    char nm[300];
    snprintf(nm, sizeof nm, "%s::ew", n->name);
    int qw = qr >= 0 ? qconst(c, nm, 4, wd, w, 16, &sw) : -1, qb = -1;
    if (qw >= 0 && b) {
        snprintf(nm, sizeof nm, "%s::eb", n->name);
        qb = qconst_at(c, nm, 1, &N, b, sx * sw, ZKI_BIAS_BITS);
    }
    if (qw < 0 || (b && qb < 0))
        return nomem();
    int in[3] = {qr, qw, qb};
    int64_t geo[11] = {N, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0};
    return emit_rq_at(c, n, ZKI_QOP_CONV, in, 3, t_out, sx * sw, bx * const_maxabs(c->m, qw) + const_maxabs(c->m, qb),
                      geo, 11, 4, d4);
}

/* Constant t broadcast (numpy rules) to the shape (r, d): a new array of
 * numel(d) values, NULL when out of memory or when t does not broadcast. */
static float *bcast_const(const zki_tensor *t, int r, const int64_t *d)
{
    int64_t n = zki_shape_numel(r, d);
    if (t->rank > r)
        return NULL;
    for (int a = 0; a < t->rank; a++)
        if (t->dims[a] != 1 && t->dims[a] != d[r - t->rank + a])
            return NULL;
    float *f = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
    for (int64_t i = 0; f && i < n; i++)
        f[i] = t->f[zki_bcast_index(r, d, t->rank, t->dims, i)];
    return f;
}

/* An elementwise Mul / Add / Sub of activation x and constant tensor k
 * (sign: of x's term, and of k's) whose output has x's shape, as
 * emit_per_element: Mul the weights k, Add / Sub weights +-1 and bias +-k
 * (so the bias is k at x's scale times the weights'). 1: emitted (*st),
 * 0: not such a node. */
static int q_const_elementwise(zki_qctx *c, const zki_node *n, int x, int k, int sx_sign, int sk, zki_status *st)
{
    const zki_tensor *X = &c->g->t[x], *Y = &c->g->t[n->out[0]];
    if (!is_act(c, x) || !fconst(c->g, k) || X->rank != Y->rank ||
        memcmp(X->dims, Y->dims, sizeof(int64_t) * (size_t)X->rank) != 0)
        return 0;
    float *kb = bcast_const(&c->g->t[k], X->rank, X->dims);
    if (!kb)
        return 0;
    int64_t N = zki_tensor_numel(X);
    float *w = malloc(sizeof(float) * (size_t)(N > 0 ? N : 1));
    if (!w) {
        free(kb);
        *st = nomem();
        return 1;
    }
    int mul = n->op == ZKI_OP_MUL;
    for (int64_t i = 0; i < N; i++) {
        w[i] = mul ? kb[i] : (float)sx_sign;
        kb[i] = mul ? kb[i] : (float)sk * kb[i];
    }
    *st = emit_per_element(c, n, c->qi[x], w, mul ? NULL : kb, n->out[0]);
    free(w);
    free(kb);
    return 1;
}

/* Quantises an IR constant used as an element-wise operand. */
static int operand_of(zki_qctx *c, const zki_node *n, int t, int bits, double *scale)
{
    if (is_act(c, t)) {
        *scale = c->m->t[c->qi[t]].scale;
        return c->qi[t];
    }
    const float *f = fconst(c->g, t);
    if (!f)
        return -2;
    char nm[300];
    snprintf(nm, sizeof nm, "%s::c%d", n->name, t);
    return qconst(c, nm, c->g->t[t].rank, c->g->t[t].dims, f, bits, scale);
}

/* An Add/Sub whose both operands are activations (no constant: a
 * MatMul's bias Add and a Softmax's mask Add keep their own fusions). */
static int addsub_of_acts(const zki_graph *g, int ni)
{
    const zki_node *n = &g->nodes[ni];
    if ((n->op != ZKI_OP_ADD && n->op != ZKI_OP_SUB) || n->n_in != 2 || n->n_out < 1)
        return 0;
    for (int k = 0; k < 2; k++)
        if (n->in[k] < 0 || g->t[n->in[k]].kind == ZKI_T_CONST)
            return 0;
    return 1;
}

/* Chains of Adds and Subs become one n-ary ADD: an inner Add/Sub whose
 * output has exactly one consumer, an outer Add/Sub, and is no graph output
 * (so no fused activation sits between them) is absorbed: the outer node
 * sums its operands exactly and requantises once. At most ZKI_QMAX_SUM
 * terms per sum: nodes run in topological order, so an operand's term
 * count is final when its consumer is planned; the larger absorbed
 * operands are kept as requantised nodes until the sum fits. */
static int in_region(const zki_qctx *c, int i) { return c->regions.root && c->regions.root[i] >= 0; }

static void plan_add_chains(zki_qctx *c)
{
    const zki_graph *g = c->g;
    int *terms = calloc((size_t)g->n_nodes + 1, sizeof(int));
    if (!terms)
        return; /* no fusion: each Add is requantised on its own */
    for (int i = 0; i < g->n_nodes; i++) {
        if (!addsub_of_acts(g, i) || in_region(c, i))
            continue;
        const zki_node *n = &g->nodes[i];
        int t = n->out[0];
        if (c->uses[t] == 1 && c->consumer[t] >= 0 && addsub_of_acts(g, c->consumer[t]) &&
            !in_region(c, c->consumer[t]))
            c->absorbed[i] = 1;
        int pr[2], cnt[2];
        for (int k = 0; k < 2; k++) {
            pr[k] = c->producer[n->in[k]];
            cnt[k] = pr[k] >= 0 && c->absorbed[pr[k]] ? terms[pr[k]] : 1;
        }
        while (cnt[0] + cnt[1] > ZKI_QMAX_SUM) {
            int k = cnt[0] >= cnt[1] ? 0 : 1;
            c->absorbed[pr[k]] = 0;
            cnt[k] = 1;
        }
        terms[i] = cnt[0] + cnt[1];
    }
    free(terms);
    for (int i = 0; i < g->n_nodes; i++)
        if (c->absorbed[i])
            c->done[i] = 1;
}

/* The terms of the sum node ni writes: its operands, and through absorbed
 * Adds/Subs theirs, left to right, each with its sign. */
static void add_terms(const zki_qctx *c, int ni, int sign, int *t, int *sg, int *k)
{
    const zki_node *n = &c->g->nodes[ni];
    for (int j = 0; j < 2; j++) {
        int x = n->in[j], s = j == 1 && n->op == ZKI_OP_SUB ? -sign : sign;
        int p = x >= 0 ? c->producer[x] : -1;
        if (p >= 0 && c->absorbed[p]) {
            add_terms(c, p, s, t, sg, k);
        } else if (*k < ZKI_QMAX_SUM) {
            t[*k] = x;
            sg[*k] = s;
            (*k)++;
        }
    }
}

/* Whether quantised tensor t is a raw accumulator (a LINEAR / CONV of
 * shift 0, emitted by emit_rq_at). */
static int raw_acc(const zki_qmodel *m, int t)
{
    for (int i = m->n_nodes; i-- > 0;)
        if (m->nodes[i].out == t)
            return zki_qnode_raw(&m->nodes[i]);
    return 0;
}

/* The shift of a sum with a raw accumulator among its terms (raw_into_add):
 * the least multiple of 16 at which every multiplier keeps
 * ZKI_RQ_MIN_PRECISION bits (a raw term's, raw[j], ZKI_RQ_RAW_MIN_PRECISION), none
 * reaches 2^31 and the sum stays below 2^61 (16: a one-limb remainder). */
static zki_status choose_add_shift(const zki_node *n, const zki_qmodel *m, const int *in, const int *raw,
                                   const double *mr, int k, int64_t *s)
{
    for (int sh = 16; sh <= 48; sh += 16) {
        double worst = ldexp(1.0, sh - 1);
        int ok = 1;
        for (int j = 0; ok && j < k; j++) {
            double Mj = fabs(nearbyint(ldexp(mr[j], sh)));
            ok = Mj >= ldexp(1.0, raw[j] ? ZKI_RQ_RAW_MIN_PRECISION : ZKI_RQ_MIN_PRECISION) && Mj < ldexp(1.0, 31);
            worst += Mj * ldexp(1.0, m->t[in[j]].bits - 1);
        }
        if (ok && worst < ldexp(1.0, 61)) {
            *s = sh;
            return ZKI_OK;
        }
    }
    return QERR(n, ZKI_ERR_UNSUPPORTED, "no shift keeps %d bits in every multiplier of this sum of a layer's "
                "accumulator and other terms (compile with --requant-each-layer)", ZKI_RQ_MIN_PRECISION);
}

static zki_status q_addsub(zki_qctx *c, int ni)
{
    const zki_node *n = &c->g->nodes[ni];
    int ir[ZKI_QMAX_SUM], sign[ZKI_QMAX_SUM], in[ZKI_QMAX_SUM], k = 0;
    double sc[ZKI_QMAX_SUM];
    add_terms(c, ni, 1, ir, sign, &k);
    zki_status cst;
    for (int j = 0; k == 2 && j < 2; j++)
        if (fconst(c->g, ir[j]) && q_const_elementwise(c, n, ir[1 - j], ir[j], sign[1 - j], sign[j], &cst))
            return cst;
    for (int j = 0; j < k; j++) {
        in[j] = operand_of(c, n, ir[j], 16, &sc[j]);
        if (in[j] == -2)
            return QERR(n, ZKI_ERR_UNSUPPORTED, "operands must be activations or float constants");
        if (in[j] < 0)
            return nomem();
    }
    int64_t lo, hi;
    int y = fuse_act(c, n->out[0], &lo, &hi);
    double sy = act_scale(c, y), mr[ZKI_QMAX_SUM], big = 0, acc = 0;
    for (int j = 0; j < k; j++) {
        mr[j] = (sign[j] < 0 ? -sc[j] : sc[j]) / sy;
        big = fmax(big, fabs(mr[j]));
        acc += const_maxabs(c->m, in[j]);
    }
    int64_t M, s;
    int raw[ZKI_QMAX_SUM], any_raw = 0;
    for (int j = 0; j < k; j++)
        any_raw |= raw[j] = raw_acc(c->m, in[j]);
    zki_status st = any_raw ? choose_add_shift(n, c->m, in, raw, mr, k, &s) : choose_rq(n, big, acc, &M, &s);
    if (st != ZKI_OK)
        return st;
    int qo = qvalue(c, y, sy, c->o.act_bits);
    zki_qnode *q = qo >= 0 ? emit(c, ZKI_QOP_ADD, n, in, k, qo) : NULL;
    if (!q)
        return nomem();
    int64_t p[ZKI_QMAX_SUM + 3];
    for (int j = 0; j < k; j++)
        p[j] = llround(ldexp(mr[j], (int)s));
    p[k] = s;
    p[k + 1] = lo;
    p[k + 2] = hi;
    setp(q, p, k + 3);
    c->qi[y] = qo;
    return ZKI_OK;
}

static zki_status q_mul(zki_qctx *c, int ni)
{
    const zki_node *n = &c->g->nodes[ni];
    int a = n->in[0], b = n->in[1];
    if (!is_act(c, a)) {
        int t = a;
        a = b;
        b = t;
    }
    if (!is_act(c, a))
        return QERR(n, ZKI_ERR_UNSUPPORTED, "at least one operand must be an activation");
    double sa = c->m->t[c->qi[a]].scale;
    const float *bf = fconst(c->g, b);
    if (bf && zki_tensor_numel(&c->g->t[b]) == 1) {
        /* multiplication by a scalar constant is a requantisation */
        int in[1] = {c->qi[a]};
        return emit_rq(c, n, ZKI_QOP_REQUANT, in, 1, n->out[0], sa * bf[0], ldexp(1.0, c->o.act_bits - 1),
                           NULL, 0);
    }
    zki_status cst;
    if (bf && q_const_elementwise(c, n, a, b, 1, 1, &cst))
        return cst;
    double sb;
    int qb = operand_of(c, n, b, c->o.weight_bits, &sb);
    if (qb == -2)
        return QERR(n, ZKI_ERR_UNSUPPORTED, "operand must be an activation or a float constant");
    if (qb < 0)
        return nomem();
    int in[2] = {c->qi[a], qb};
    double acc = ldexp(1.0, c->o.act_bits - 1) * const_maxabs(c->m, qb);
    return emit_rq(c, n, ZKI_QOP_MUL, in, 2, n->out[0], sa * sb, acc, NULL, 0);
}

/* Table entry for a function value v at output scale sy: rounded and
 * clamped to the output range; +-inf (Log(0), Reciprocal(0)) clamps to the
 * range's end, NaN (Log or Sqrt of a negative) becomes 0. */
static int64_t lut_entry(double v, double sy, int64_t q)
{
    if (isnan(v))
        return 0;
    v /= sy;
    return v >= (double)q ? q : (v <= -(double)q ? -q : llround(v));
}

/* An element-wise function as a table over every value of the input's bit
 * width (2^bits entries, xmin = -2^(bits-1)): entry k is f((k + xmin) s_x)
 * at the output's scale, clamped to its range. */
/* A table over x's whole integer range (2^bits entries) of f at each
 * dequantised input, requantised at y's calibrated scale. */
static zki_status emit_lut(zki_qctx *c, const zki_node *n, int x, int y,
                           double (*f)(const void *ctx, double v), const void *ctx)
{
    const zki_qtensor *qx = &c->m->t[c->qi[x]];
    if (qx->bits > 16)
        return QERR(n, ZKI_ERR_UNSUPPORTED, "lookup input wider than 16 bits");
    double sx = qx->scale, sy = act_scale(c, y);
    int64_t T = (int64_t)1 << qx->bits, xmin = -(T / 2);
    char nm[300];
    snprintf(nm, sizeof nm, "%s::lut", n->name);
    int qt = zki_qmodel_add_tensor(c->m, nm, ZKI_QT_CONST, c->o.act_bits, 1, &T, sy);
    if (qt < 0)
        return nomem();
    int64_t *d = malloc(sizeof(int64_t) * (size_t)T);
    if (!d)
        return nomem();
    for (int64_t k = 0; k < T; k++)
        d[k] = lut_entry(f(ctx, (double)(k + xmin) * sx), sy, c->aq);
    c->m->t[qt].data = d;
    int qo = qvalue(c, y, sy, c->o.act_bits);
    int in[2] = {c->qi[x], qt};
    zki_qnode *q = qo >= 0 ? emit(c, ZKI_QOP_LUT, n, in, 2, qo) : NULL;
    if (!q)
        return nomem();
    int64_t pp[1] = {xmin};
    setp(q, pp, 1);
    c->qi[y] = qo;
    return ZKI_OK;
}

typedef struct {
    int op;
    zki_unary u;
} unary_ctx;

static double unary_at(const void *ctx, double v)
{
    const unary_ctx *a = ctx;
    return zki_unary_eval(a->op, &a->u, v);
}

static zki_status q_lut(zki_qctx *c, int ni)
{
    const zki_node *n = &c->g->nodes[ni];
    int x = n->in[0];
    if (!is_act(c, x))
        return QERR(n, ZKI_ERR_UNSUPPORTED, "input must be an activation");
    unary_ctx a = {n->op, {0, 0, 0}};
    zki_unary_params(n, &a.u);
    if (n->op == ZKI_OP_POW || n->op == ZKI_OP_PRELU) {
        const float *e = fconst(c->g, n->in[1]);
        int64_t ne = e ? zki_tensor_numel(&c->g->t[n->in[1]]) : 0;
        if (ne != 1 && n->op == ZKI_OP_PRELU)
            return QERR(n, ZKI_ERR_UNSUPPORTED, "a slope of %lld values: one value, or one per channel of a "
                        "4-D map, is supported (export with nn.PReLU() or nn.PReLU(C) after a conv, or LeakyReLU)",
                        (long long)ne);
        if (ne != 1)
            return QERR(n, ZKI_ERR_UNSUPPORTED, "exponent must be a scalar constant");
        a.u.a = e[0];
    }
    return emit_lut(c, n, x, n->out[0], unary_at, &a);
}

typedef struct {
    const zki_graph *g;
    const zki_unary_regions *r;
    int root;
} region_ctx;

static double region_at(const void *ctx, double v)
{
    const region_ctx *a = ctx;
    return zki_unary_region_eval(a->g, a->r, a->root, v);
}

/* The function of one activation that a region of elementwise nodes
 * computes (fuse_unary.h), as one table; node ni writes its result. */
static zki_status q_region(zki_qctx *c, int ni)
{
    const zki_node *n = &c->g->nodes[ni];
    int x = c->regions.input[ni];
    if (!is_act(c, x))
        return QERR(n, ZKI_ERR_UNSUPPORTED, "the elementwise function's input must be an activation");
    region_ctx a = {c->g, &c->regions, ni};
    return emit_lut(c, n, x, n->out[0], region_at, &a);
}

/* End padding on one axis that makes the floor-rule output size o: the
 * last window, starting at (o-1)*stride, ends inside the padded input. */
static int64_t ceil_pad(int64_t n, int64_t pad_begin, int64_t pad_end, int64_t k, int64_t stride, int64_t dil,
                        int64_t o)
{
    int64_t need = (o - 1) * stride + dil * (k - 1) + 1 - n - pad_begin;
    return need > pad_end ? need : pad_end;
}

/* Ops that move data without arithmetic: output shares the input's scale. */
static zki_status q_layout(zki_qctx *c, int ni)
{
    const zki_graph *g = c->g;
    const zki_node *n = &g->nodes[ni];
    int x = n->in[0], y = n->out[0];
    if (!is_act(c, x))
        return QERR(n, ZKI_ERR_UNSUPPORTED, "input must be an activation");
    const zki_qtensor *qx = &c->m->t[c->qi[x]];
    int op = ZKI_QOP_RESHAPE, r = g->t[x].rank;
    int64_t p[ZKI_QMAX_P];
    int np = 0;
    if (n->op == ZKI_OP_TRANSPOSE) {
        const int64_t *pm;
        int pc = zki_attr_ints(n, "perm", &pm);
        op = ZKI_QOP_TRANSPOSE;
        for (int a = 0; a < r; a++)
            p[np++] = pc ? pm[a] : r - 1 - a;
    } else if (n->op == ZKI_OP_SLICE) {
        int64_t st[ZKI_MAX_RANK], sp[ZKI_MAX_RANK], ln[ZKI_MAX_RANK];
        zki_status e = zki_slice_resolve(g, n, st, sp, ln);
        if (e != ZKI_OK)
            return e;
        op = ZKI_QOP_SLICE;
        for (int a = 0; a < r; a++)
            p[np++] = st[a];
        for (int a = 0; a < r; a++)
            p[np++] = sp[a];
    } else if (n->op == ZKI_OP_PAD) {
        int64_t b[ZKI_MAX_RANK], e[ZKI_MAX_RANK];
        int mode;
        zki_status es = zki_pad_resolve(g, n, b, e, &mode);
        if (es != ZKI_OK)
            return es;
        double v = 0;
        if (n->n_in > 2 && n->in[2] >= 0) {
            const float *f = fconst(g, n->in[2]);
            if (!f)
                return QERR(n, ZKI_ERR_UNSUPPORTED, "pad value must be a float constant");
            v = f[0];
        }
        op = ZKI_QOP_PAD;
        p[np++] = mode;
        p[np++] = clampi(llround(v / qx->scale), -c->aq, c->aq);
        for (int a = 0; a < r; a++)
            p[np++] = b[a];
    } else if (n->op == ZKI_OP_MAXPOOL) {
        const int64_t *ks;
        zki_attr_ints(n, "kernel_shape", &ks);
        zki_win2d w;
        zki_status e = zki_win2d_resolve(n, g->t[x].dims[2], g->t[x].dims[3], ks[0], ks[1],
                                         (int)zki_attr_int(n, "ceil_mode", 0), &w);
        if (e != ZKI_OK)
            return e;
        /* ceil_mode: the partial windows at the end read end padding, which
         * never wins a max; pad so the floor rule gives the same windows
         * (each starts inside the input or left padding, zki_win2d_resolve) */
        w.pb = ceil_pad(g->t[x].dims[2], w.pt, w.pb, w.kh, w.sh, w.dh, w.oh);
        w.pr = ceil_pad(g->t[x].dims[3], w.pl, w.pr, w.kw, w.sw, w.dw, w.ow);
        op = ZKI_QOP_MAXPOOL;
        int64_t pw[10] = {w.kh, w.kw, w.sh, w.sw, w.dh, w.dw, w.pt, w.pl, w.pb, w.pr};
        for (int k = 0; k < 10; k++)
            p[np++] = pw[k];
    } else if (n->op == ZKI_OP_CAST) {
        if (zki_et_is_float(g->t[x].et) != zki_et_is_float(g->t[y].et))
            return QERR(n, ZKI_ERR_UNSUPPORTED, "a cast between integer and float activations");
    }
    int qo = zki_qmodel_add_tensor(c->m, g->t[y].name, ZKI_QT_VALUE, qx->bits, g->t[y].rank, g->t[y].dims, qx->scale);
    int in[1] = {c->qi[x]};
    zki_qnode *q = qo >= 0 ? emit(c, op, n, in, 1, qo) : NULL;
    if (!q)
        return nomem();
    setp(q, p, np);
    c->qi[y] = qo;
    return ZKI_OK;
}

/* The axes a Reduce* node reduces, as a bit mask over its input's r axes
 * (attribute or input; none given: all, unless noop_with_empty_axes). */
static int64_t reduce_mask(const zki_graph *g, const zki_node *n, int r)
{
    const int64_t *av;
    int ac = zki_attr_ints(n, "axes", &av);
    if (n->n_in > 1 && n->in[1] >= 0) {
        ac = (int)zki_tensor_numel(&g->t[n->in[1]]);
        av = g->t[n->in[1]].i;
    }
    int64_t mask = 0;
    for (int k = 0; k < ac; k++)
        mask |= (int64_t)1 << (av[k] < 0 ? av[k] + r : av[k]);
    if (!ac && !zki_attr_int(n, "noop_with_empty_axes", 0))
        mask = ((int64_t)1 << r) - 1;
    return mask;
}

static zki_status q_reducemax(zki_qctx *c, const zki_node *n, int x);

/* A ReduceMean / ReduceSum of activation x over the axes of mask as a
 * LINEAR of x read as one row [1, in] to the row [1, out] of the kept
 * values, weight 1/div where an input element falls into an output's
 * reduction (equal weights: exact in int8), then a move to the output's
 * shape. 1: emitted (*st); 0: its dense weights would exceed
 * ZKI_REDUCE_MAX_WEIGHTS (the MEAN op takes it, run but not proven). */
#define ZKI_REDUCE_MAX_WEIGHTS (1 << 20)
static int q_reduce_linear(zki_qctx *c, const zki_node *n, int x, int64_t mask, double div, zki_status *st)
{
    const zki_tensor *X = &c->g->t[x];
    int64_t K = zki_tensor_numel(X), N = 1;
    for (int a = 0; a < X->rank; a++)
        N *= (mask >> a & 1) ? 1 : X->dims[a];
    if (K < 1 || N < 1 || K > ZKI_REDUCE_MAX_WEIGHTS / N)
        return 0;
    float *w = calloc((size_t)(K * N), sizeof(float));
    if (!w) {
        *st = nomem();
        return 1;
    }
    for (int64_t i = 0; i < K; i++) {
        /* the kept coordinates of input element i, row-major: its output */
        int64_t rem = i, o = 0, stride = 1;
        for (int a = X->rank - 1; a >= 0; a--) {
            int64_t co = rem % X->dims[a];
            rem /= X->dims[a];
            if (!(mask >> a & 1)) {
                o += co * stride;
                stride *= X->dims[a];
            }
        }
        w[o * K + i] = (float)(1.0 / div);
    }
    int64_t row[2] = {1, K}, wd[2] = {N, K}, kept[2] = {1, N};
    double sw, sx = c->m->t[c->qi[x]].scale, bx = ldexp(1.0, c->m->t[c->qi[x]].bits - 1);
    int in0[1] = {c->qi[x]};
    int qr = emit_move(c, n, ZKI_QOP_RESHAPE, in0, 1, -1, "row", 2, row, NULL, 0);
    char nm[300];
    snprintf(nm, sizeof nm, "%s::w", n->name);
    int qw = qr >= 0 ? qconst(c, nm, 2, wd, w, c->o.weight_bits, &sw) : -1;
    free(w);
    if (qw < 0) {
        *st = nomem();
        return 1;
    }
    int in[3] = {qr, qw, -1};
    *st = emit_rq_at(c, n, ZKI_QOP_LINEAR, in, 3, n->out[0], sx * sw, (double)K * bx * const_maxabs(c->m, qw), NULL, 0,
                     2, kept);
    return 1;
}

/* An AveragePool whose divisor differs per output position (ceil_mode's
 * partial windows, whose overhang is not counted; padding with
 * count_include_pad=0): the exact window sums (an AVGPOOL of divisor 1,
 * M / 2^s = 2 / 2, over end padding grown to ceil_mode's windows, at x's
 * scale in the bits a sum needs), then each position times 1 / its count
 * (emit_per_element: the counts are committed weights). */
static zki_status q_avgpool_counted(zki_qctx *c, const zki_node *n, int x, zki_win2d w)
{
    const zki_tensor *X = &c->g->t[x];
    int64_t C = X->dims[1], H = X->dims[2], W = X->dims[3], P = w.oh * w.ow;
    int incl = zki_attr_int(n, "count_include_pad", 0) != 0, bits = c->m->t[c->qi[x]].bits;
    while (((int64_t)1 << (bits - c->m->t[c->qi[x]].bits)) < w.kh * w.kw)
        bits++;
    if (w.dh != 1 || w.dw != 1 || bits > 16)
        return QERR(n, ZKI_ERR_UNSUPPORTED, "an average pool whose divisor differs per position (ceil_mode's "
                    "partial windows, or padding with count_include_pad=0) is a window sum and a product by "
                    "1/count: its sums need %d bits (at most 16: use a smaller window or 8-bit activations)%s",
                    bits, w.dh != 1 || w.dw != 1 ? ", and no dilation" : "");
    float *inv = malloc(sizeof(float) * (size_t)(C * P));
    if (!inv)
        return nomem();
    /* the float kernel's count: inside the input, or (counted) inside
     * the padded input, not ceil_mode's overhang */
    for (int64_t o = 0; o < P; o++) {
        int64_t oy = o / w.ow, ox = o % w.ow, cnt = 0;
        for (int64_t ky = 0; ky < w.kh; ky++)
            for (int64_t kx = 0; kx < w.kw; kx++) {
                int64_t iy = oy * w.sh - w.pt + ky, ix = ox * w.sw - w.pl + kx;
                cnt += (iy >= 0 && iy < H && ix >= 0 && ix < W) || (incl && iy < H + w.pb && ix < W + w.pr);
            }
        for (int64_t ch = 0; ch < C; ch++)
            inv[ch * P + o] = cnt ? (float)(1.0 / (double)cnt) : 0.0f;
    }
    w.pb = ceil_pad(H, w.pt, w.pb, w.kh, w.sh, 1, w.oh);
    w.pr = ceil_pad(W, w.pl, w.pr, w.kw, w.sw, 1, w.ow);
    int64_t q = ((int64_t)1 << (bits - 1)) - 1, sd[4] = {1, C, w.oh, w.ow};
    char nm[300];
    snprintf(nm, sizeof nm, "%s::sum", n->name);
    int in[1] = {c->qi[x]};
    int qs = zki_qmodel_add_tensor(c->m, nm, ZKI_QT_VALUE, bits, 4, sd, c->m->t[c->qi[x]].scale);
    zki_qnode *qn = qs >= 0 ? emit(c, ZKI_QOP_AVGPOOL, n, in, 1, qs) : NULL;
    if (!qn) {
        free(inv);
        return nomem();
    }
    int64_t p[12] = {2, 1, -q, q, w.kh, w.kw, w.sh, w.sw, w.pt, w.pl, w.pb, w.pr};
    setp(qn, p, 12);
    zki_status st = emit_per_element(c, n, qs, inv, NULL, n->out[0]);
    free(inv);
    return st;
}

/* AveragePool, GlobalAveragePool, ReduceMean, ReduceSum; ReduceMax. */
static zki_status q_pool_mean(zki_qctx *c, int ni)
{
    const zki_graph *g = c->g;
    const zki_node *n = &g->nodes[ni];
    int x = n->in[0];
    if (!is_act(c, x))
        return QERR(n, ZKI_ERR_UNSUPPORTED, "input must be an activation");
    if (n->op == ZKI_OP_REDUCEMAX)
        return q_reducemax(c, n, x);
    const zki_tensor *X = &g->t[x];
    double sx = c->m->t[c->qi[x]].scale, bx = ldexp(1.0, c->o.act_bits - 1);
    int in[1] = {c->qi[x]};
    if (n->op == ZKI_OP_AVGPOOL) {
        const int64_t *ks;
        zki_attr_ints(n, "kernel_shape", &ks);
        zki_win2d w, w0;
        zki_status e = zki_win2d_resolve(n, X->dims[2], X->dims[3], ks[0], ks[1], (int)zki_attr_int(n, "ceil_mode", 0), &w);
        if (e != ZKI_OK || (e = zki_win2d_resolve(n, X->dims[2], X->dims[3], ks[0], ks[1], 0, &w0)) != ZKI_OK)
            return e;
        int padded = w.pt || w.pl || w.pb || w.pr;
        /* a window ceil_mode adds overhangs the padded input, and ONNX does
         * not count the overhang: its divisor differs from the others, as
         * with padding not counted */
        if (w.oh != w0.oh || w.ow != w0.ow || (padded && !zki_attr_int(n, "count_include_pad", 0)))
            return q_avgpool_counted(c, n, x, w);
        int64_t extra[8] = {w.kh, w.kw, w.sh, w.sw, w.pt, w.pl, w.pb, w.pr};
        return emit_rq(c, n, ZKI_QOP_AVGPOOL, in, 1, n->out[0], sx / (double)(w.kh * w.kw),
                           (double)(w.kh * w.kw) * bx, extra, 8);
    }
    /* GlobalAveragePool and ReduceMean: a MEAN with kept axes, then a
     * reshape if ReduceMean drops them */
    int r = X->rank;
    int64_t mask = 0;
    if (n->op == ZKI_OP_GLOBALAVGPOOL) {
        for (int a = 2; a < r; a++)
            mask |= (int64_t)1 << a;
    } else {
        mask = reduce_mask(g, n, r);
    }
    int64_t cnt = 1, kd[ZKI_MAX_RANK];
    for (int a = 0; a < r; a++) {
        kd[a] = (mask >> a & 1) ? 1 : X->dims[a];
        cnt *= (mask >> a & 1) ? X->dims[a] : 1;
    }
    /* a ReduceSum is a mean without the divisor */
    double div = n->op == ZKI_OP_REDUCESUM ? 1.0 : (double)cnt;
    const zki_tensor *Y = &g->t[n->out[0]];
    zki_status st;
    /* a map's spatial mean is a GlobalAveragePool (a MEAN the CONV gadget
     * proves); other reductions a Linear */
    if (!(r == 4 && X->dims[0] == 1 && mask == 12) && q_reduce_linear(c, n, x, mask, div, &st))
        return st;
    int64_t extra[1] = {mask};
    if (Y->rank == r)
        return emit_rq(c, n, ZKI_QOP_MEAN, in, 1, n->out[0], sx / div, (double)cnt * bx, extra, 1);
    return emit_rq_at(c, n, ZKI_QOP_MEAN, in, 1, n->out[0], sx / div, (double)cnt * bx, extra, 1, r, kd);
}

static zki_status q_concat(zki_qctx *c, int ni)
{
    const zki_graph *g = c->g;
    const zki_node *n = &g->nodes[ni];
    if (n->n_in > ZKI_MAX_CONCAT_IN)
        return QERR(n, ZKI_ERR_UNSUPPORTED, "more than %d inputs", ZKI_MAX_CONCAT_IN);
    double sy = 0;
    for (int k = 0; k < n->n_in; k++) {
        int t = n->in[k];
        double s = is_act(c, t) ? c->m->t[c->qi[t]].scale : c->maxabs[t] / (double)c->aq;
        if (!is_act(c, t) && !fconst(g, t))
            return QERR(n, ZKI_ERR_UNSUPPORTED, "inputs must be activations or float constants");
        if (s > sy)
            sy = s;
    }
    if (!(sy > 0))
        sy = 1.0 / (double)c->aq;
    int in[ZKI_MAX_CONCAT_IN];
    for (int k = 0; k < n->n_in; k++) {
        int t = n->in[k];
        char nm[300];
        if (!is_act(c, t)) {
            snprintf(nm, sizeof nm, "%s::c%d", n->name, k);
            in[k] = qconst_at(c, nm, g->t[t].rank, g->t[t].dims, g->t[t].f, sy, c->o.act_bits);
            if (in[k] < 0)
                return nomem();
            for (int64_t e = 0; e < zki_tensor_numel(&g->t[t]); e++)
                c->m->t[in[k]].data[e] = clampi(c->m->t[in[k]].data[e], -c->aq, c->aq);
            continue;
        }
        in[k] = c->qi[t];
        double s = c->m->t[in[k]].scale;
        if (s != sy) { /* align scales with a requantisation */
            int64_t M, sh;
            zki_status st = choose_rq(n, s / sy, ldexp(1.0, c->o.act_bits - 1), &M, &sh);
            if (st != ZKI_OK)
                return st;
            snprintf(nm, sizeof nm, "%s::align%d", n->name, k);
            int qa = zki_qmodel_add_tensor(c->m, nm, ZKI_QT_VALUE, c->o.act_bits, g->t[t].rank, g->t[t].dims, sy);
            int one[1] = {in[k]};
            zki_qnode *q = qa >= 0 ? emit(c, ZKI_QOP_REQUANT, n, one, 1, qa) : NULL;
            if (!q)
                return nomem();
            int64_t p[4] = {M, sh, -c->aq, c->aq};
            setp(q, p, 4);
            in[k] = qa;
        }
    }
    int y = n->out[0], cnt = n->n_in, r = g->t[y].rank;
    int64_t ax = zki_attr_int(n, "axis", 0);
    int64_t p[1] = {ax < 0 ? ax + r : ax};
    /* more than ZKI_QMAX_IN inputs: Concats of groups first, at scale sy */
    for (int level = 0; cnt > ZKI_QMAX_IN; level++) {
        int m = 0;
        for (int k = 0; k < cnt; k += ZKI_QMAX_IN, m++) {
            int gn = cnt - k < ZKI_QMAX_IN ? cnt - k : ZKI_QMAX_IN;
            int64_t d[ZKI_QMAX_RANK];
            memcpy(d, c->m->t[in[k]].dims, sizeof(int64_t) * (size_t)r);
            for (int j = 1; j < gn; j++)
                d[p[0]] += c->m->t[in[k + j]].dims[p[0]];
            char nm[300];
            snprintf(nm, sizeof nm, "%s::part%d_%d", n->name, level, m);
            int qp = gn > 1 ? zki_qmodel_add_tensor(c->m, nm, ZKI_QT_VALUE, c->o.act_bits, r, d, sy) : in[k];
            zki_qnode *q = qp >= 0 && gn > 1 ? emit(c, ZKI_QOP_CONCAT, n, in + k, gn, qp) : NULL;
            if (qp < 0 || (gn > 1 && !q))
                return nomem();
            if (q)
                setp(q, p, 1);
            in[m] = qp;
        }
        cnt = m;
    }
    int qo = qvalue(c, y, sy, c->o.act_bits);
    zki_qnode *q = qo >= 0 ? emit(c, ZKI_QOP_CONCAT, n, in, cnt, qo) : NULL;
    if (!q)
        return nomem();
    setp(q, p, 1);
    c->qi[y] = qo;
    return ZKI_OK;
}

static zki_status q_gather(zki_qctx *c, int ni)
{
    const zki_graph *g = c->g;
    const zki_node *n = &g->nodes[ni];
    int d = n->in[0], ix = n->in[1], y = n->out[0];
    int qd, qix;
    double sd;
    char nm[300];
    if (is_act(c, d)) {
        qd = c->qi[d];
        sd = c->m->t[qd].scale;
    } else if (fconst(g, d)) {
        snprintf(nm, sizeof nm, "%s::table", n->name);
        qd = qconst(c, nm, g->t[d].rank, g->t[d].dims, g->t[d].f, c->o.weight_bits, &sd);
    } else {
        return QERR(n, ZKI_ERR_UNSUPPORTED, "data must be an activation or a float constant");
    }
    if (g->t[ix].kind == ZKI_T_CONST && g->t[ix].i) {
        snprintf(nm, sizeof nm, "%s::idx", n->name);
        qix = zki_qmodel_add_tensor(c->m, nm, ZKI_QT_CONST, 64, g->t[ix].rank, g->t[ix].dims, 0);
        int64_t cnt = zki_tensor_numel(&g->t[ix]);
        int64_t *dd = qix >= 0 ? malloc(sizeof(int64_t) * (size_t)(cnt + 1)) : NULL;
        if (!dd)
            return nomem();
        memcpy(dd, g->t[ix].i, sizeof(int64_t) * (size_t)cnt);
        c->m->t[qix].data = dd;
    } else if (c->qi[ix] >= 0) {
        qix = c->qi[ix];
    } else {
        return QERR(n, ZKI_ERR_UNSUPPORTED, "indices must be an integer input or constant");
    }
    if (qd < 0)
        return nomem();
    int bits = c->m->t[qd].bits > c->o.act_bits ? c->m->t[qd].bits : c->o.act_bits;
    int qo = qvalue(c, y, sd, bits);
    int in[2] = {qd, qix};
    zki_qnode *q = qo >= 0 ? emit(c, ZKI_QOP_GATHER, n, in, 2, qo) : NULL;
    if (!q)
        return nomem();
    int64_t ax = zki_attr_int(n, "axis", 0);
    int64_t p[1] = {ax < 0 ? ax + g->t[d].rank : ax};
    setp(q, p, 1);
    c->qi[y] = qo;
    return ZKI_OK;
}

/* Softmax of x (ni's input, or the activation that a fused mask Add takes). */
static zki_status q_softmax_of(zki_qctx *c, int ni, int x, int qmask)
{
    const zki_node *n = &c->g->nodes[ni];
    int y = n->out[0], r = c->g->t[x].rank;
    int64_t ax = zki_attr_int(n, "axis", n->opset >= 13 ? -1 : 1);
    if (ax < 0)
        ax += r;
    if (ax != r - 1 || !is_act(c, x))
        return QERR(n, ZKI_ERR_UNSUPPORTED, "only a softmax over the last axis of an activation is supported");
    const zki_qtensor *qx = &c->m->t[c->qi[x]];
    if (qx->bits > 16)
        return QERR(n, ZKI_ERR_UNSUPPORTED, "input wider than 16 bits");
    int64_t T = (int64_t)1 << qx->bits;
    char nm[300];
    snprintf(nm, sizeof nm, "%s::exp", n->name);
    int qt = zki_qmodel_add_tensor(c->m, nm, ZKI_QT_CONST, 26, 1, &T, ldexp(1.0, -16));
    int64_t *d = qt >= 0 ? malloc(sizeof(int64_t) * (size_t)T) : NULL;
    if (!d)
        return nomem();
    for (int64_t k = 0; k < T; k++)
        d[k] = llround(ldexp(exp(-(double)k * qx->scale), 16)); /* exp(-(max - x)) in 2^-16 units */
    c->m->t[qt].data = d;
    int qo = qvalue(c, y, 1.0 / (double)c->aq, c->o.act_bits);
    int in[3] = {c->qi[x], qt, qmask};
    zki_qnode *q = qo >= 0 ? emit(c, ZKI_QOP_SOFTMAX, n, in, qmask >= 0 ? 3 : 2, qo) : NULL;
    if (!q)
        return nomem();
    int64_t p[1] = {c->aq};
    setp(q, p, 1);
    c->qi[y] = qo;
    return ZKI_OK;
}

enum { CHAIN_SOFTMAX, CHAIN_LAYERNORM, CHAIN_INSTNORM, CHAIN_RMSNORM };

/* The chain of proven ops (norm_lower.h) of the given kind for node ni
 * reading x and writing IR tensor y (the normalisations with a following
 * ReLU or Clip fused into their last requantisation). */
static zki_status q_norm_chain(zki_qctx *c, int ni, int x, int kind, int64_t mask_k, const float *gamma,
                               const float *beta, double eps)
{
    const zki_node *n = &c->g->nodes[ni];
    int64_t lo = -c->aq, hi = c->aq;
    int y = kind != CHAIN_SOFTMAX ? fuse_act(c, n->out[0], &lo, &hi) : n->out[0];
    zki_norm_io io = {c->m, n, c->qi[x], &c->g->t[y], act_scale(c, y), c->o.act_bits, lo, hi};
    int qy = -1;
    zki_status st = kind == CHAIN_SOFTMAX     ? zki_norm_softmax(&io, mask_k, &qy)
                    : kind == CHAIN_LAYERNORM ? zki_norm_layernorm(&io, gamma, beta, eps, &qy)
                    : kind == CHAIN_RMSNORM   ? zki_norm_rmsnorm(&io, gamma, eps, &qy)
                                              : zki_norm_instnorm(&io, gamma, beta, eps, &qy);
    if (st == ZKI_OK)
        c->qi[y] = qy;
    return st;
}

static zki_status q_softmax(zki_qctx *c, int ni)
{
    const zki_node *n = &c->g->nodes[ni];
    int x = n->in[0], r = c->g->t[x].rank;
    int64_t ax = zki_attr_int(n, "axis", n->opset >= 13 ? -1 : 1);
    /* a chain of proven ops (rows of at most ZKI_NORM_SOFTMAX_MAX_ROW when
     * several; beyond, the fused op: run, not proven) */
    if (is_act(c, x) && (ax == -1 || ax == r - 1) && c->m->t[c->qi[x]].bits <= 16 &&
        (zki_norm_is_row(&c->m->t[c->qi[x]]) || c->g->t[x].dims[r - 1] <= ZKI_NORM_SOFTMAX_MAX_ROW))
        return q_norm_chain(c, ni, x, CHAIN_SOFTMAX, ZKI_NORM_NO_MASK, NULL, NULL, 0);
    return q_softmax_of(c, ni, x, -1);
}

/* k when the 0/1 mask m [rows][S] keeps exactly (i, j) with j <= i + k,
 * k >= 0, and its rows are x's second-to-last axis (a causal mask over
 * x [.., T, S]); else -1. */
static int64_t causal_k(const int64_t *m, int64_t rows, int64_t S, const zki_tensor *x)
{
    if (x->rank < 2 || x->dims[x->rank - 2] != rows || rows < 1)
        return -1;
    int64_t k = -1;
    for (int64_t j = 0; j < S && m[j]; j++)
        k = j;
    for (int64_t i = 0; k >= 0 && i < rows; i++)
        for (int64_t j = 0; j < S; j++)
            if (m[i * S + j] != (j <= i + k))
                return -1;
    return k;
}

/* Add of a constant additive mask (entries 0 or <= -1000, as exporters write
 * causal masks) feeding a Softmax: a 0/1 mask inside the integer softmax,
 * so the huge constants never set an activation scale. Returns 1 if fused. */
static int try_mask_fusion(zki_qctx *c, int ni, zki_status *st)
{
    const zki_graph *g = c->g;
    const zki_node *n = &g->nodes[ni];
    int out = n->out[0];
    if (n->op != ZKI_OP_ADD || c->uses[out] != 1 || c->consumer[out] < 0)
        return 0;
    const zki_node *sm = &g->nodes[c->consumer[out]];
    if (sm->op != ZKI_OP_SOFTMAX)
        return 0;
    int a = n->in[0], b = n->in[1];
    if (!is_act(c, a)) {
        int t = a;
        a = b;
        b = t;
    }
    const float *mf = fconst(g, b);
    const zki_tensor *A = &g->t[a], *B = &g->t[b], *O = &g->t[out];
    if (!is_act(c, a) || !mf || A->rank != O->rank)
        return 0;
    for (int k = 0; k < A->rank; k++)
        if (A->dims[k] != O->dims[k])
            return 0; /* the mask must not widen the activation */
    int64_t nm = zki_tensor_numel(B), last = O->rank ? O->dims[O->rank - 1] : 1;
    /* the mask must tile the input by whole trailing rows */
    int64_t tail = 1;
    int ok = 0;
    for (int k = O->rank - 1; k >= 0 && tail < nm; k--) {
        int kb = k - (O->rank - B->rank);
        if (kb < 0 || B->dims[kb] != O->dims[k])
            return 0;
        tail *= O->dims[k];
    }
    ok = tail == nm && nm % last == 0;
    for (int k = 0; k < B->rank - O->rank; k++)
        ok = ok && B->dims[k] == 1;
    int any_masked = 0;
    for (int64_t e = 0; e < nm && ok; e++) {
        if (mf[e] != 0 && !(mf[e] <= -1000.0f))
            ok = 0;
        any_masked |= mf[e] != 0;
    }
    if (!ok || !any_masked)
        return 0;
    char nm_[300];
    snprintf(nm_, sizeof nm_, "%s::mask", n->name);
    int64_t md = nm;
    int qm = zki_qmodel_add_tensor(c->m, nm_, ZKI_QT_CONST, 2, 1, &md, 0);
    int64_t *d = qm >= 0 ? malloc(sizeof(int64_t) * (size_t)nm) : NULL;
    if (!d) {
        *st = nomem();
        return 1;
    }
    for (int64_t e = 0; e < nm; e++)
        d[e] = mf[e] == 0;
    c->m->t[qm].data = d;
    c->done[c->consumer[out]] = 1;
    int64_t k = causal_k(d, nm / last, last, A);
    int64_t ax = zki_attr_int(sm, "axis", sm->opset >= 13 ? -1 : 1);
    if (k >= 0 && (ax == -1 || ax == A->rank - 1) && c->m->t[c->qi[a]].bits <= 16 && last <= ZKI_NORM_SOFTMAX_MAX_ROW)
        *st = q_norm_chain(c, c->consumer[out], a, CHAIN_SOFTMAX, k, NULL, NULL, 0);
    else
        *st = q_softmax_of(c, c->consumer[out], a, qm);
    return 1;
}

static zki_status q_layernorm(zki_qctx *c, int ni)
{
    const zki_graph *g = c->g;
    const zki_node *n = &g->nodes[ni];
    int x = n->in[0], r = g->t[x].rank;
    int64_t ax = zki_attr_int(n, "axis", -1);
    if (ax < 0)
        ax += r;
    if (ax != r - 1 || !is_act(c, x) || !fconst(g, n->in[1]) ||
        (n->n_in > 2 && n->in[2] >= 0 && !fconst(g, n->in[2])))
        return QERR(n, ZKI_ERR_UNSUPPORTED, "only a last-axis LayerNormalization with constant scale and bias");
    for (int k = 1; k < n->n_out; k++)
        if (n->out[k] >= 0 && c->uses[n->out[k]])
            return QERR(n, ZKI_ERR_UNSUPPORTED, "mean / inverse std outputs are not supported for quantisation");
    int64_t nn = g->t[x].dims[r - 1];
    double sx = c->m->t[c->qi[x]].scale, eps = zki_attr_float(n, "epsilon", 1e-5), sg;
    zki_status est = zki_norm_eps_check(n, eps);
    if (est != ZKI_OK)
        return est;
    if (nn >= 2 && c->m->t[c->qi[x]].bits <= 16) /* a chain of proven ops, one row or several */
        return q_norm_chain(c, ni, x, CHAIN_LAYERNORM, 0, g->t[n->in[1]].f,
                            n->n_in > 2 && n->in[2] >= 0 ? g->t[n->in[2]].f : NULL, eps);
    char nm[300];
    snprintf(nm, sizeof nm, "%s::gamma", n->name);
    int qg = qconst(c, nm, 1, &nn, g->t[n->in[1]].f, c->o.weight_bits, &sg);
    if (qg < 0)
        return nomem();
    double sacc = sg / (double)(1 << ZKI_LN_FRAC);
    float *bf = calloc((size_t)nn + 1, sizeof(float));
    if (!bf)
        return nomem();
    if (n->n_in > 2 && n->in[2] >= 0)
        memcpy(bf, g->t[n->in[2]].f, sizeof(float) * (size_t)nn);
    snprintf(nm, sizeof nm, "%s::beta", n->name);
    int qb = qconst_at(c, nm, 1, &nn, bf, sacc, ZKI_BIAS_BITS);
    free(bf);
    if (qb < 0)
        return nomem();
    double E = eps / (sx * sx) * (double)nn * (double)nn * (double)nn;
    if (E > ldexp(1.0, 60))
        return QERR(n, ZKI_ERR_UNSUPPORTED, "epsilon too large for the input scale");
    double dmax = 2.0 * (double)nn * ldexp(1.0, c->o.act_bits - 1);
    double acc = dmax * ldexp(1.0, ZKI_LN_FRAC) * const_maxabs(c->m, qg) + const_maxabs(c->m, qb);
    int64_t extra[2] = {llround(E), ZKI_LN_FRAC};
    int in[3] = {c->qi[x], qg, qb};
    return emit_rq(c, n, ZKI_QOP_LAYERNORM, in, 3, n->out[0], sacc, acc, extra, 2);
}

/* RMSNormalization (ONNX's, or torch's RMSNorm fused by graph/norm_fuse.h):
 * the chain of proven ops of norm_lower.h over the last axis. */
static zki_status q_rmsnorm(zki_qctx *c, int ni)
{
    const zki_node *n = &c->g->nodes[ni];
    int x = n->in[0], r = c->g->t[x].rank;
    int64_t ax = zki_attr_int(n, "axis", -1);
    if (!is_act(c, x) || (ax != -1 && ax != r - 1) || !fconst(c->g, n->in[1]) || c->m->t[c->qi[x]].bits > 16)
        return QERR(n, ZKI_ERR_UNSUPPORTED, "an RMSNorm over the last axis of an activation of at most 16 bits, "
                    "with a constant scale, is supported");
    return q_norm_chain(c, ni, x, CHAIN_RMSNORM, 0, c->g->t[n->in[1]].f, NULL, zki_attr_float(n, "epsilon", 1e-5));
}

/* InstanceNormalization (GroupNorm's core: torch exports GroupNorm as a
 * Reshape to [1, G, L], this with unit scale and zero bias, a Reshape back
 * and its affine as per-channel Mul and Add): the chain of proven ops of
 * norm_lower.h, over each channel's spatial values. */
static zki_status q_instnorm(zki_qctx *c, int ni)
{
    const zki_node *n = &c->g->nodes[ni];
    int x = n->in[0];
    if (!is_act(c, x) || !fconst(c->g, n->in[1]) || !fconst(c->g, n->in[2]))
        return QERR(n, ZKI_ERR_UNSUPPORTED, "an InstanceNormalization of an activation with constant scale and B "
                    "is supported");
    return q_norm_chain(c, ni, x, CHAIN_INSTNORM, 0, c->g->t[n->in[1]].f, c->g->t[n->in[2]].f,
                        zki_attr_float(n, "epsilon", 1e-5));
}

/* A data-movement qnode (no arithmetic) reading in[0..n_in): its output
 * keeps in[0]'s scale and bits and is IR tensor y when y >= 0 (recorded
 * in qi), else an intermediate NODE::what of the given shape. Returns the
 * output's qtensor or -1 (out of memory). */
static int emit_move(zki_qctx *c, const zki_node *n, int op, const int *in, int n_in, int y, const char *what,
                     int rank, const int64_t *dims, const int64_t *p, int np)
{
    int bits = c->m->t[in[0]].bits;
    double scale = c->m->t[in[0]].scale;
    char nm[300];
    snprintf(nm, sizeof nm, "%s::%s", n->name, what);
    const zki_tensor *t = y >= 0 ? &c->g->t[y] : NULL;
    int qo = t ? zki_qmodel_add_tensor(c->m, t->name, ZKI_QT_VALUE, bits, t->rank, t->dims, scale)
               : zki_qmodel_add_tensor(c->m, nm, ZKI_QT_VALUE, bits, rank, dims, scale);
    zki_qnode *q = qo >= 0 ? emit(c, op, n, in, n_in, qo) : NULL;
    if (!q)
        return -1;
    setp(q, p, np);
    if (y >= 0)
        c->qi[y] = qo;
    return qo;
}

/* Gather along `axis` of qtensor qx by the constant indices idx[0..cnt)
 * (taken): the integer form of a broadcast (all zeros) or a nearest
 * resize (each output coordinate's source). */
static int emit_pick(zki_qctx *c, const zki_node *n, int qx, int axis, int64_t *idx, int64_t cnt, int y)
{
    char nm[300];
    snprintf(nm, sizeof nm, "%s::idx%d", n->name, axis);
    int qi = zki_qmodel_add_tensor(c->m, nm, ZKI_QT_CONST, 64, 1, &cnt, 0);
    if (qi < 0) {
        free(idx);
        return -1;
    }
    c->m->t[qi].data = idx;
    const zki_qtensor *x = &c->m->t[qx];
    int64_t d[ZKI_QMAX_RANK];
    int r = x->rank;
    memcpy(d, x->dims, sizeof(int64_t) * (size_t)r);
    d[axis] = cnt;
    int in[2] = {qx, qi};
    int64_t p[1] = {axis};
    char what[32];
    snprintf(what, sizeof what, "pick%d", axis);
    return emit_move(c, n, ZKI_QOP_GATHER, in, 2, y, what, r, d, p, 1);
}

/* Expand and Resize (nearest): one Gather per axis that changes, after a
 * Reshape to the output's rank (Expand may add leading axes). */
static zki_status q_expand_resize(zki_qctx *c, int ni)
{
    const zki_graph *g = c->g;
    const zki_node *n = &g->nodes[ni];
    int x = n->in[0], y = n->out[0];
    if (!is_act(c, x))
        return QERR(n, ZKI_ERR_UNSUPPORTED, "input must be an activation");
    const zki_tensor *X = &g->t[x], *Y = &g->t[y];
    int r = Y->rank, qx = c->qi[x];
    int64_t xd[ZKI_MAX_RANK], od[ZKI_MAX_RANK];
    double sc[ZKI_MAX_RANK] = {0};
    for (int a = 0; a < r; a++)
        xd[a] = a < r - X->rank ? 1 : X->dims[a - (r - X->rank)];
    if (n->op == ZKI_OP_RESIZE) {
        zki_status st = zki_resize_resolve(g, n, od, sc);
        if (st != ZKI_OK)
            return st;
    }
    int64_t *maps[ZKI_MAX_RANK] = {0};
    int last = -1;
    for (int a = 0; a < r; a++) {
        int moves = 0;
        if (n->op == ZKI_OP_EXPAND) {
            moves = xd[a] != Y->dims[a];
        } else {
            maps[a] = malloc(sizeof(int64_t) * (size_t)(Y->dims[a] + 1));
            if (!maps[a])
                goto oom;
            for (int64_t i = 0; i < Y->dims[a]; i++) {
                maps[a][i] = zki_resize_src(n, xd[a], Y->dims[a], sc[a], i);
                moves |= maps[a][i] != i;
            }
            moves |= xd[a] != Y->dims[a];
        }
        if (moves)
            last = a;
        else {
            free(maps[a]);
            maps[a] = NULL;
        }
    }
    int in[1] = {qx};
    if (r != X->rank || last < 0) {
        qx = emit_move(c, n, ZKI_QOP_RESHAPE, in, 1, last < 0 ? y : -1, "rank", r, xd, NULL, 0);
        if (qx < 0)
            goto oom;
    }
    for (int a = 0; a <= last; a++) {
        if (n->op == ZKI_OP_EXPAND && xd[a] != Y->dims[a])
            maps[a] = calloc((size_t)Y->dims[a] + 1, sizeof(int64_t)); /* every copy reads row 0 */
        else if (!maps[a])
            continue;
        if (!maps[a])
            goto oom;
        qx = emit_pick(c, n, qx, a, maps[a], Y->dims[a], a == last ? y : -1);
        maps[a] = NULL;
        if (qx < 0)
            goto oom;
    }
    return ZKI_OK;
oom:
    for (int a = 0; a < r; a++)
        free(maps[a]);
    return nomem();
}

/* Split: one Slice per output. */
static zki_status q_split(zki_qctx *c, int ni)
{
    const zki_graph *g = c->g;
    const zki_node *n = &g->nodes[ni];
    int x = n->in[0], ax;
    if (!is_act(c, x))
        return QERR(n, ZKI_ERR_UNSUPPORTED, "input must be an activation");
    int64_t len[ZKI_MAX_SPLIT], off = 0;
    zki_status st = zki_split_resolve(g, n, &ax, len);
    if (st != ZKI_OK)
        return st;
    int r = g->t[x].rank;
    for (int k = 0; k < n->n_out; k++) {
        if (n->out[k] >= 0) {
            int64_t p[2 * ZKI_MAX_RANK];
            for (int a = 0; a < r; a++) {
                p[a] = a == ax ? off : 0;
                p[r + a] = 1;
            }
            int in[1] = {c->qi[x]};
            if (emit_move(c, n, ZKI_QOP_SLICE, in, 1, n->out[k], "", 0, NULL, p, 2 * r) < 0)
                return nomem();
        }
        off += len[k];
    }
    return ZKI_OK;
}

/* ReduceMax (of activation x) over contiguous axes: a 2-D max pool of
 * [1, outer, reduced, inner] with a (reduced x 1) window, between two
 * Reshapes. */
static zki_status q_reducemax(zki_qctx *c, const zki_node *n, int x)
{
    const zki_graph *g = c->g;
    const zki_tensor *X = &g->t[x];
    int r = X->rank, lo = -1, hi = -1;
    int64_t mask = reduce_mask(g, n, r);
    for (int a = 0; a < r; a++)
        if (mask >> a & 1) {
            if (lo < 0)
                lo = a;
            hi = a;
        }
    int in[1] = {c->qi[x]};
    if (lo < 0) /* nothing reduced */
        return emit_move(c, n, ZKI_QOP_RESHAPE, in, 1, n->out[0], "", 0, NULL, NULL, 0) < 0 ? nomem() : ZKI_OK;
    for (int a = lo; a <= hi; a++)
        if (!(mask >> a & 1))
            return QERR(n, ZKI_ERR_UNSUPPORTED, "the reduced axes must be adjacent");
    int64_t d4[4] = {1, zki_shape_numel(lo, X->dims), zki_shape_numel(hi - lo + 1, X->dims + lo),
                     zki_shape_numel(r - hi - 1, X->dims + hi + 1)};
    if (d4[2] > 4096)
        return QERR(n, ZKI_ERR_UNSUPPORTED, "reduces %lld values, more than the 4096 of a max-pool window",
                    (long long)d4[2]);
    int64_t o4[4] = {1, d4[1], 1, d4[3]}, w[10] = {d4[2], 1, 1, 1, 1, 1, 0, 0, 0, 0};
    int q4 = emit_move(c, n, ZKI_QOP_RESHAPE, in, 1, -1, "rows", 4, d4, NULL, 0);
    in[0] = q4;
    int qm = q4 >= 0 ? emit_move(c, n, ZKI_QOP_MAXPOOL, in, 1, -1, "max", 4, o4, w, 10) : -1;
    in[0] = qm;
    if (qm < 0 || emit_move(c, n, ZKI_QOP_RESHAPE, in, 1, n->out[0], "", 0, NULL, NULL, 0) < 0)
        return nomem();
    return ZKI_OK;
}

/* The ops q_node has an integer version of (its switch's cases). */
static int q_has_int(int op)
{
    static const int ops[] = {
        ZKI_OP_GEMM, ZKI_OP_MATMUL, ZKI_OP_CONV, ZKI_OP_ADD, ZKI_OP_SUB, ZKI_OP_MUL, ZKI_OP_RELU, ZKI_OP_CLIP,
        ZKI_OP_SIGMOID, ZKI_OP_TANH, ZKI_OP_ERF, ZKI_OP_GELU, ZKI_OP_LEAKYRELU, ZKI_OP_SQRT, ZKI_OP_POW,
        ZKI_OP_MAXPOOL, ZKI_OP_FLATTEN, ZKI_OP_RESHAPE, ZKI_OP_SQUEEZE, ZKI_OP_UNSQUEEZE, ZKI_OP_TRANSPOSE,
        ZKI_OP_SLICE, ZKI_OP_PAD, ZKI_OP_IDENTITY, ZKI_OP_DROPOUT, ZKI_OP_CAST, ZKI_OP_AVGPOOL,
        ZKI_OP_GLOBALAVGPOOL, ZKI_OP_REDUCEMEAN, ZKI_OP_CONCAT, ZKI_OP_GATHER, ZKI_OP_SOFTMAX, ZKI_OP_LAYERNORM,
        ZKI_OP_HARDSIGMOID, ZKI_OP_HARDSWISH, ZKI_OP_EXP, ZKI_OP_LOG, ZKI_OP_RECIPROCAL, ZKI_OP_SOFTPLUS,
        ZKI_OP_ELU, ZKI_OP_SELU, ZKI_OP_CELU, ZKI_OP_MISH, ZKI_OP_SOFTSIGN, ZKI_OP_NEG, ZKI_OP_ABS, ZKI_OP_PRELU,
        ZKI_OP_SWISH, ZKI_OP_EXPAND, ZKI_OP_RESIZE, ZKI_OP_SPLIT, ZKI_OP_REDUCESUM, ZKI_OP_REDUCEMAX,
        ZKI_OP_INSTANCENORM, ZKI_OP_RMSNORM};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        if (ops[k] == op)
            return 1;
    return 0;
}

/* Every node without an integer version, named at once and grouped, with
 * the remedy (e.g. the Divs of a LayerNorm decomposed at opset 13). */
static zki_status q_refuse(const zki_qctx *c)
{
    zki_refusals r = {0};
    for (int i = 0; i < c->g->n_nodes; i++) {
        const zki_node *n = &c->g->nodes[i];
        if (c->done[i] || q_has_int(n->op))
            continue;
        char why[256];
        snprintf(why, sizeof why, "no integer version%s", zki_refusal_remedy(zki_op_name(n->op), n->opset));
        zki_refusals_add(&r, zki_op_name(n->op), n->name, why);
    }
    return zki_refusals_fail(&r, ZKI_ERR_UNSUPPORTED);
}

static zki_status q_node(zki_qctx *c, int ni)
{
    const zki_node *n = &c->g->nodes[ni];
    if (in_region(c, ni)) /* its other nodes are done */
        return q_region(c, ni);
    switch (n->op) {
    case ZKI_OP_GEMM:
        return q_linear_like(c, ni);
    case ZKI_OP_MATMUL:
        if (fconst(c->g, n->in[1]) && c->g->t[n->in[1]].rank == 2)
            return q_linear_like(c, ni);
        if (is_act(c, n->in[0]) && is_act(c, n->in[1]) && c->g->t[n->in[0]].rank >= 2 &&
            c->g->t[n->in[1]].rank >= 2) {
            double sa = c->m->t[c->qi[n->in[0]]].scale, sb = c->m->t[c->qi[n->in[1]]].scale;
            int64_t K = c->g->t[n->in[0]].dims[c->g->t[n->in[0]].rank - 1];
            int in[2] = {c->qi[n->in[0]], c->qi[n->in[1]]};
            return emit_rq(c, n, ZKI_QOP_MATMUL, in, 2, n->out[0], sa * sb,
                               (double)K * ldexp(1.0, 2 * (c->o.act_bits - 1)), NULL, 0);
        }
        return QERR(n, ZKI_ERR_UNSUPPORTED, "operands must be two activations (rank >= 2) or an activation and a 2-D constant");
    case ZKI_OP_CONV: return q_conv_node(c, ni);
    case ZKI_OP_ADD: case ZKI_OP_SUB: {
        zki_status st;
        if (try_mask_fusion(c, ni, &st))
            return st;
        return q_addsub(c, ni);
    }
    case ZKI_OP_MUL: return q_mul(c, ni);
    case ZKI_OP_RELU: case ZKI_OP_CLIP: {
        if (!is_act(c, n->in[0]))
            return QERR(n, ZKI_ERR_UNSUPPORTED, "input must be an activation");
        /* an unfused ReLU/Clip: identity requantisation with a clamp; the
         * fusion helper sees this node as the consumer of its own input */
        int x = n->in[0];
        int saved_use = c->uses[x], saved_cons = c->consumer[x];
        c->uses[x] = 1;
        c->consumer[x] = ni;
        int in[1] = {c->qi[x]};
        zki_status st = emit_rq(c, n, ZKI_QOP_REQUANT, in, 1, x, c->m->t[c->qi[x]].scale,
                                    ldexp(1.0, c->o.act_bits - 1), NULL, 0);
        c->uses[x] = saved_use;
        c->consumer[x] = saved_cons;
        return st;
    }
    case ZKI_OP_SIGMOID: case ZKI_OP_TANH: case ZKI_OP_ERF: case ZKI_OP_GELU: case ZKI_OP_LEAKYRELU:
    case ZKI_OP_SQRT: case ZKI_OP_POW: case ZKI_OP_HARDSIGMOID: case ZKI_OP_HARDSWISH: case ZKI_OP_EXP:
    case ZKI_OP_LOG: case ZKI_OP_RECIPROCAL: case ZKI_OP_SOFTPLUS: case ZKI_OP_ELU: case ZKI_OP_SELU:
    case ZKI_OP_CELU: case ZKI_OP_MISH: case ZKI_OP_SOFTSIGN: case ZKI_OP_NEG: case ZKI_OP_ABS: case ZKI_OP_PRELU:
    case ZKI_OP_SWISH:
        return q_lut(c, ni);
    case ZKI_OP_MAXPOOL: case ZKI_OP_FLATTEN: case ZKI_OP_RESHAPE: case ZKI_OP_SQUEEZE: case ZKI_OP_UNSQUEEZE:
    case ZKI_OP_TRANSPOSE: case ZKI_OP_SLICE: case ZKI_OP_PAD: case ZKI_OP_IDENTITY: case ZKI_OP_DROPOUT:
    case ZKI_OP_CAST:
        return q_layout(c, ni);
    case ZKI_OP_AVGPOOL: case ZKI_OP_GLOBALAVGPOOL: case ZKI_OP_REDUCEMEAN: case ZKI_OP_REDUCESUM:
    case ZKI_OP_REDUCEMAX:
        return q_pool_mean(c, ni);
    case ZKI_OP_EXPAND: case ZKI_OP_RESIZE: return q_expand_resize(c, ni);
    case ZKI_OP_SPLIT: return q_split(c, ni);
    case ZKI_OP_CONCAT: return q_concat(c, ni);
    case ZKI_OP_GATHER: return q_gather(c, ni);
    case ZKI_OP_SOFTMAX: return q_softmax(c, ni);
    case ZKI_OP_LAYERNORM: return q_layernorm(c, ni);
    case ZKI_OP_INSTANCENORM: return q_instnorm(c, ni);
    case ZKI_OP_RMSNORM: return q_rmsnorm(c, ni);
    default:
        return QERR(n, ZKI_ERR_UNSUPPORTED, "no integer version for quantisation");
    }
}

/* Tensors of one range tie (graph.h) take the largest range among them. */
static void tie_ranges(zki_qctx *c)
{
    const zki_graph *g = c->g;
    int n = 0;
    for (int t = 0; t < g->n_tensors; t++)
        n = g->t[t].range_tie > n ? g->t[t].range_tie : n;
    double *m = n ? calloc((size_t)n + 1, sizeof(double)) : NULL;
    if (!m)
        return; /* none, or no memory: each its own range, as without ties */
    for (int t = 0; t < g->n_tensors; t++)
        if (g->t[t].range_tie > 0 && c->maxabs[t] > m[g->t[t].range_tie])
            m[g->t[t].range_tie] = c->maxabs[t];
    for (int t = 0; t < g->n_tensors; t++)
        if (g->t[t].range_tie > 0)
            c->maxabs[t] = m[g->t[t].range_tie];
    free(m);
}

/* Raises maxabs[t] to the largest finite |value| of each computed tensor. */
static void track_maxabs(const zki_graph *g, const zki_buf *v, double *maxabs)
{
    for (int t = 0; t < g->n_tensors; t++) {
        if (!v[t].f || g->t[t].kind == ZKI_T_CONST)
            continue;
        int64_t cnt = zki_tensor_numel(&g->t[t]);
        double mx = maxabs[t];
#pragma omp parallel for schedule(static) reduction(max : mx)
        for (int64_t k = 0; k < cnt; k++) {
            double a = fabs((double)v[t].f[k]);
            if (a > mx && isfinite(a))
                mx = a;
        }
        maxabs[t] = mx;
    }
}

static zki_status calibrate_graph(zki_qctx *c, const zki_host_tensor *samples, int n_samples)
{
    const zki_graph *g = c->g;
    int64_t nout = zki_tensor_numel(&g->t[g->outputs[0]]);
    float *keep = NULL;
    if (c->o.keep_out && !(keep = malloc(sizeof(float) * (size_t)(nout * n_samples > 0 ? nout * n_samples : 1))))
        return nomem();
    for (int s = 0; s < n_samples; s++) {
        zki_buf *v;
        zki_status st = zki_exec_float(g, samples + (size_t)s * (size_t)g->n_inputs, g->n_inputs, &v);
        if (st == ZKI_OK && keep && !v[g->outputs[0]].f) {
            zki_exec_free(g, v);
            st = zki_fail(ZKI_ERR_INPUT, "the float graph's output 0 is not float");
        }
        if (st != ZKI_OK) {
            free(keep);
            return st;
        }
        track_maxabs(g, v, c->maxabs);
        if (keep)
            memcpy(keep + (size_t)s * (size_t)nout, v[g->outputs[0]].f, sizeof(float) * (size_t)nout);
        zki_exec_free(g, v);
        if (c->o.progress)
            c->o.progress(c->o.progress_ctx, "calibration", (uint32_t)s + 1, (uint32_t)n_samples);
    }
    tie_ranges(c);
    for (int t = 0; t < g->n_tensors; t++) /* constants: their own range */
        if (g->t[t].kind == ZKI_T_CONST && g->t[t].f)
            for (int64_t k = 0; k < zki_tensor_numel(&g->t[t]); k++)
                if (fabs(g->t[t].f[k]) > c->maxabs[t])
                    c->maxabs[t] = fabs(g->t[t].f[k]);
    if (keep)
        *c->o.keep_out = keep;
    return ZKI_OK;
}

/* Each float input's calibration values: finite, and not one constant (a
 * range of zero calibrates nothing; all-zero inputs are the common case). */
static zki_status calib_check(const zki_graph *g, const zki_host_tensor *samples, int n_samples)
{
    for (int k = 0; k < g->n_inputs; k++) {
        const zki_tensor *x = &g->t[g->inputs[k]];
        if (zki_et_is_float(x->et) != 1)
            continue;
        float lo = 0, hi = 0;
        for (int s = 0; s < n_samples; s++) {
            const zki_host_tensor *h = &samples[(size_t)s * (size_t)g->n_inputs + (size_t)k];
            int64_t n = zki_host_tensor_numel(h), bad = h->f ? zki_first_nonfinite(h->f, n) : -1;
            if (bad >= 0)
                return zki_fail(ZKI_ERR_INPUT, "calibration sample %d, input '%s': value %lld is %s; "
                                "calibration data must be finite", s, x->name, (long long)bad,
                                isnan(h->f[bad]) ? "NaN" : "infinite");
            for (int64_t e = 0; e < n; e++) {
                float v = h->f ? h->f[e] : (float)h->i[e];
                if (!s && !e)
                    lo = hi = v;
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
        }
        if (lo == hi)
            return zki_fail(ZKI_ERR_INPUT, "calibration data for input '%s' is constant (every value is %g): "
                            "its range cannot be calibrated; calibrate on real input samples", x->name,
                            (double)lo);
    }
    return ZKI_OK;
}

zki_status zki_quantize(const zki_graph *g, const zki_host_tensor *samples, int n_samples,
                        const zki_quant_opts *o, zki_qmodel **out)
{
    *out = NULL;
    zki_qctx c;
    memset(&c, 0, sizeof c);
    c.g = g;
    if (o)
        c.o = *o;
    else
        zki_quant_opts_default(&c.o);
    if ((c.o.weight_bits != 8 && c.o.weight_bits != 16) || (c.o.act_bits != 8 && c.o.act_bits != 16))
        return zki_fail(ZKI_ERR_INPUT, "weight and activation bits must be 8 or 16");
    if (n_samples < 1)
        return zki_fail(ZKI_ERR_INPUT, "quantisation needs at least one calibration sample");
    if (g->n_inputs > 16 || g->n_outputs > 16)
        return zki_fail(ZKI_ERR_UNSUPPORTED, "more than 16 model inputs or outputs");
    if (c.o.keep_out)
        *c.o.keep_out = NULL;
    zki_status cst = calib_check(g, samples, n_samples);
    if (cst != ZKI_OK)
        return cst;
    c.aq = ((int64_t)1 << (c.o.act_bits - 1)) - 1;
    c.wq = ((int64_t)1 << (c.o.weight_bits - 1)) - 1;
    size_t nt = (size_t)g->n_tensors + 1;
    c.maxabs = calloc(nt, sizeof(double));
    c.qi = malloc(nt * sizeof(int));
    c.uses = calloc(nt, sizeof(int));
    c.consumer = malloc(nt * sizeof(int));
    c.done = calloc((size_t)g->n_nodes + 1, 1);
    c.producer = malloc(nt * sizeof(int));
    c.absorbed = calloc((size_t)g->n_nodes + 1, 1);
    c.m = calloc(1, sizeof(zki_qmodel));
    zki_status st = ZKI_OK;
    if (!c.maxabs || !c.qi || !c.uses || !c.consumer || !c.done || !c.producer || !c.absorbed || !c.m) {
        st = nomem();
        goto done;
    }
    for (size_t t = 0; t < nt; t++) {
        c.qi[t] = -1;
        c.consumer[t] = -1;
        c.producer[t] = -1;
    }
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_in; k++) {
            int t = g->nodes[i].in[k];
            if (t >= 0) {
                c.uses[t]++;
                c.consumer[t] = i;
            }
        }
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_out; k++)
            if (g->nodes[i].out[k] >= 0)
                c.producer[g->nodes[i].out[k]] = i;
    for (int k = 0; k < g->n_outputs; k++)
        c.uses[g->outputs[k]] += 2; /* an output is never fused away */
    if ((st = zki_unary_regions_find(g, &c.regions)) != ZKI_OK)
        goto done;
    for (int i = 0; i < g->n_nodes; i++)
        if (c.regions.root[i] >= 0 && c.regions.root[i] != i)
            c.done[i] = 1;
    plan_add_chains(&c);
    if ((st = calibrate_graph(&c, samples, n_samples)) != ZKI_OK)
        goto done;
    for (int k = 0; k < g->n_inputs; k++) {
        int t = g->inputs[k];
        const zki_tensor *x = &g->t[t];
        int isf = zki_et_is_float(x->et) == 1;
        int qi = zki_qmodel_add_tensor(c.m, x->name, ZKI_QT_INPUT, isf ? c.o.act_bits : 32, x->rank, x->dims,
                                       isf ? act_scale(&c, t) : 0);
        if (qi < 0) {
            st = nomem();
            goto done;
        }
        c.qi[t] = qi;
        c.m->inputs[c.m->n_inputs++] = qi;
    }
    if ((st = q_refuse(&c)) != ZKI_OK)
        goto done;
    for (int i = 0; i < g->n_nodes; i++) {
        if (c.done[i])
            continue;
        if ((st = q_node(&c, i)) != ZKI_OK) {
            if (c.bad_const[0]) /* the constant's own error, not the caller's "out of memory" */
                st = zki_fail(ZKI_ERR_INPUT, "node '%s' (%s): its constant '%s' holds %s at element %lld; "
                              "weights and biases must be finite (check the training run or the export%s)",
                              g->nodes[i].name, zki_op_name(g->nodes[i].op), c.bad_const,
                              c.bad_nan ? "NaN" : "an infinite value", (long long)c.bad_at,
                              c.bad_nan ? "" : "; an infinite mask is supported only when added right "
                                               "before a Softmax");
            goto done;
        }
    }
    for (int k = 0; k < g->n_outputs; k++) {
        int t = g->outputs[k];
        if (c.qi[t] < 0) {
            st = zki_fail(ZKI_ERR_UNSUPPORTED, "graph output '%s' is not computed by the quantised model", g->t[t].name);
            goto done;
        }
        c.m->outputs[c.m->n_outputs++] = c.qi[t];
    }
    if ((st = zki_qmodel_check(c.m)) != ZKI_OK)
        goto done;
    *out = c.m;
    c.m = NULL;
done:
    if (st != ZKI_OK && c.o.keep_out) {
        free(*c.o.keep_out);
        *c.o.keep_out = NULL;
    }
    zki_qmodel_free(c.m);
    free(c.maxabs);
    free(c.qi);
    free(c.uses);
    free(c.consumer);
    free(c.done);
    free(c.producer);
    free(c.absorbed);
    zki_unary_regions_free(&c.regions);
    return st;
}

int64_t zki_quant_value(double x, double scale, int64_t qmax, int *clamped)
{
    double v = nearbyint(x / scale);
    if (clamped)
        *clamped = v > (double)qmax || v < (double)-qmax;
    return v > (double)qmax ? qmax : (v < (double)-qmax ? -qmax : (int64_t)v);
}

int64_t zki_first_nonfinite(const float *f, int64_t n)
{
    for (int64_t k = 0; k < n; k++)
        if (!isfinite(f[k]))
            return k;
    return -1;
}

zki_status zki_quant_input(const zki_qmodel *m, int k, const zki_host_tensor *x, int64_t **out)
{
    *out = NULL;
    if (k < 0 || k >= m->n_inputs)
        return zki_fail(ZKI_ERR_INPUT, "input %d does not exist", k);
    const zki_qtensor *t = &m->t[m->inputs[k]];
    int64_t n = zki_qnumel(t);
    if (zki_host_tensor_numel(x) != n)
        return zki_fail(ZKI_ERR_INPUT, "input '%s': %lld elements given, %lld expected", t->name,
                        (long long)zki_host_tensor_numel(x), (long long)n);
    int64_t *q = malloc(sizeof(int64_t) * (size_t)(n > 0 ? n : 1));
    if (!q)
        return nomem();
    int64_t qmax = t->bits >= 64 ? INT64_MAX : ((int64_t)1 << (t->bits - 1)) - 1;
    int64_t bad = x->f ? zki_first_nonfinite(x->f, n) : -1;
    if (bad >= 0) {
        free(q);
        return zki_fail(ZKI_ERR_INPUT, "input '%s': value %lld is %s; inputs must be finite", t->name,
                        (long long)bad, isnan(x->f[bad]) ? "NaN" : "infinite");
    }
    for (int64_t e = 0; e < n; e++) {
        if (t->scale > 0) {
            q[e] = zki_quant_value(x->f ? x->f[e] : (double)x->i[e], t->scale, qmax, NULL);
        } else {
            if (!x->i) {
                free(q);
                return zki_fail(ZKI_ERR_INPUT, "input '%s' takes integers (e.g. token ids)", t->name);
            }
            q[e] = x->i[e];
        }
    }
    *out = q;
    return ZKI_OK;
}

zki_status zki_qrun_float_io(const zki_qmodel *m, const zki_host_tensor *inputs, float **y, int64_t *ny)
{
    int64_t *qin[16] = {0};
    zki_status st = ZKI_OK;
    *y = NULL;
    for (int k = 0; k < m->n_inputs && st == ZKI_OK; k++)
        st = zki_quant_input(m, k, &inputs[k], &qin[k]);
    int64_t **v = NULL;
    if (st == ZKI_OK)
        st = zki_qexec(m, qin, &v);
    if (st == ZKI_OK) {
        const zki_qtensor *o = &m->t[m->outputs[0]];
        int64_t n = zki_qnumel(o);
        *y = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
        if (!*y)
            st = nomem();
        else
            for (int64_t e = 0; e < n; e++)
                (*y)[e] = (float)((double)v[m->outputs[0]][e] * (o->scale > 0 ? o->scale : 1.0));
        *ny = n;
        zki_qexec_free(m, v);
    }
    for (int k = 0; k < 16; k++)
        free(qin[k]);
    return st;
}

zki_status zki_quant_accuracy(const zki_graph *g, const zki_qmodel *m, const zki_host_tensor *samples,
                              int n_samples, zki_accuracy *acc)
{
    return zki_quant_accuracy_ref(g, m, samples, n_samples, NULL, acc);
}

zki_status zki_quant_accuracy_ref(const zki_graph *g, const zki_qmodel *m, const zki_host_tensor *samples,
                                  int n_samples, const float *float_out, zki_accuracy *acc)
{
    memset(acc, 0, sizeof *acc);
    acc->cos_min = 1;
    int agree = 0;
    double cos_sum = 0;
    for (int s = 0; s < n_samples; s++) {
        const zki_host_tensor *in = samples + (size_t)s * (size_t)g->n_inputs;
        const zki_tensor *o = &g->t[g->outputs[0]];
        int64_t n = zki_tensor_numel(o);
        zki_buf *v = NULL;
        zki_status st = float_out ? ZKI_OK : zki_exec_float(g, in, g->n_inputs, &v);
        if (st != ZKI_OK)
            return st;
        float *q;
        int64_t nq;
        st = zki_qrun_float_io(m, in, &q, &nq);
        if (st != ZKI_OK) {
            zki_exec_free(g, v);
            return st;
        }
        const float *f = float_out ? float_out + (size_t)s * (size_t)n : v[g->outputs[0]].f;
        if (!f || n != nq) {
            free(q);
            zki_exec_free(g, v);
            return zki_fail(ZKI_ERR_INPUT, "float and quantised outputs differ in size");
        }
        double dot = 0, nf = 0, nqq = 0;
        for (int64_t e = 0; e < n; e++) {
            dot += (double)f[e] * q[e];
            nf += (double)f[e] * f[e];
            nqq += (double)q[e] * q[e];
            double d = fabs((double)f[e] - q[e]);
            if (d > acc->max_abs_err)
                acc->max_abs_err = d;
        }
        double cs = (nf > 0 && nqq > 0) ? dot / sqrt(nf * nqq) : (nf == nqq ? 1.0 : 0.0);
        cos_sum += cs;
        if (cs < acc->cos_min)
            acc->cos_min = cs;
        int64_t w = o->rank ? o->dims[o->rank - 1] : 1, rows = w ? n / w : 0;
        for (int64_t r = 0; r < rows; r++) {
            int64_t af = 0, aq = 0;
            for (int64_t e = 1; e < w; e++) {
                if (f[r * w + e] > f[r * w + af])
                    af = e;
                if (q[r * w + e] > q[r * w + aq])
                    aq = e;
            }
            agree += af == aq;
            acc->rows++;
        }
        free(q);
        zki_exec_free(g, v);
    }
    acc->samples = n_samples;
    acc->top1_agreement = acc->rows ? (double)agree / acc->rows : 0;
    acc->cos_mean = n_samples ? cos_sum / n_samples : 0;
    return ZKI_OK;
}

void zki_samples_free(zki_host_tensor *s, int n)
{
    if (!s)
        return;
    for (int k = 0; k < n; k++)
        zki_host_tensor_clear(&s[k]);
    free(s);
}

/* Splits one file's tensor into samples of the input's size. */
static zki_status add_samples(const zki_graph *g, zki_host_tensor *h, zki_host_tensor **arr, int *n, int *cap,
                                  const char *path)
{
    const zki_tensor *in = &g->t[g->inputs[0]];
    int64_t per = zki_tensor_numel(in), tot = zki_host_tensor_numel(h);
    int isf = zki_et_is_float(in->et) == 1;
    if (tot == 0)
        return zki_fail(ZKI_ERR_INPUT, "'%s' holds no samples (shape has a zero axis)", path);
    /* the shape rule of run/prove/verify: a count check alone would take
     * NHWC data for an NCHW model, or 3-channel images as 3x the samples */
    int64_t cnt = -1;
    char msg[512];
    if (per <= 0 || zki_input_shape_check(in->rank, in->dims, h->rank, h->dims, path, &cnt, msg, sizeof msg) != 0)
        return zki_fail(ZKI_ERR_INPUT, "%s", per <= 0 ? "the model's input has no elements" : msg);
    if (isf && !h->f) /* uint8 pixels 0..255 for a model trained on 0..1 would calibrate wrong ranges */
        return zki_fail(ZKI_ERR_INPUT, "'%s' holds integers; the model takes float input '%s': convert the "
                        "calibration data to float, scaled as in training (e.g. pixels / 255)", path, in->name);
    int64_t bad = h->f ? zki_first_nonfinite(h->f, tot) : -1;
    if (bad >= 0)
        return zki_fail(ZKI_ERR_INPUT, "'%s': value at index %lld (sample %lld) is %s; calibration data must be "
                        "finite", path, (long long)bad, (long long)(bad / per), isnan(h->f[bad]) ? "NaN" : "infinite");
    for (int64_t s = 0; s < cnt; s++) {
        if (*n == *cap) {
            int nc = *cap ? 2 * *cap : 64;
            zki_host_tensor *a = realloc(*arr, sizeof *a * (size_t)nc);
            if (!a)
                return nomem();
            *arr = a;
            *cap = nc;
        }
        zki_host_tensor *t = &(*arr)[*n];
        memset(t, 0, sizeof *t);
        t->et = in->et;
        t->rank = in->rank;
        memcpy(t->dims, in->dims, sizeof t->dims);
        if (isf)
            t->f = malloc(sizeof(float) * (size_t)per);
        else
            t->i = malloc(sizeof(int64_t) * (size_t)per);
        if (!t->f && !t->i)
            return nomem();
        for (int64_t e = 0; e < per; e++) {
            int64_t k = s * per + e;
            if (isf)
                t->f[e] = h->f[k];
            else if (h->i)
                t->i[e] = h->i[k];
            else
                t->i[e] = (int64_t)h->f[k];
        }
        (*n)++;
    }
    return ZKI_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

zki_status zki_calib_load(const zki_graph *g, const char *path, zki_host_tensor **samples, int *n_samples)
{
    *samples = NULL;
    *n_samples = 0;
    if (g->n_inputs != 1)
        return zki_fail(ZKI_ERR_UNSUPPORTED, "calibration files are supported for one-input models (this has %d)",
                        g->n_inputs);
    struct stat sb;
    if (stat(path, &sb) != 0)
        return zki_fail(ZKI_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    char **files = NULL;
    int nf = 0;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        if (!d)
            return zki_fail(ZKI_ERR_IO, "cannot list '%s'", path);
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            size_t l = strlen(de->d_name);
            if (!((l > 4 && !strcmp(de->d_name + l - 4, ".npy")) || (l > 3 && !strcmp(de->d_name + l - 3, ".pb"))))
                continue;
            char **nfl = realloc(files, sizeof(char *) * (size_t)(nf + 1));
            if (!nfl)
                break;
            files = nfl;
            files[nf] = malloc(strlen(path) + l + 2);
            if (!files[nf])
                break;
            sprintf(files[nf++], "%s/%s", path, de->d_name);
        }
        closedir(d);
        if (nf > 1) /* qsort(NULL, 0) is undefined */
            qsort(files, (size_t)nf, sizeof(char *), cmp_str);
    } else {
        files = malloc(sizeof(char *));
        if (files) {
            files[0] = malloc(strlen(path) + 1);
            if (files[0]) {
                strcpy(files[0], path);
                nf = 1;
            }
        }
    }
    zki_status st = nf ? ZKI_OK
                       : zki_fail(ZKI_ERR_INPUT, "'%s' holds no .npy or .pb calibration files: add samples of "
                                  "the model's input to it, or pass a file", path);
    int cap = 0;
    for (int k = 0; k < nf && st == ZKI_OK; k++) {
        zki_host_tensor h;
        st = zki_tensor_read_any(files[k], &h);
        if (st == ZKI_OK)
            st = add_samples(g, &h, samples, n_samples, &cap, files[k]);
        zki_host_tensor_clear(&h);
    }
    for (int k = 0; k < nf; k++)
        free(files[k]);
    free(files);
    if (st != ZKI_OK) {
        zki_samples_free(*samples, *n_samples);
        *samples = NULL;
        *n_samples = 0;
    }
    return st;
}
