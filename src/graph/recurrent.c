#include "graph/recurrent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "graph/ops.h"
#include "graph/splice.h"

int zki_graph_has_recurrent(const zki_graph *g)
{
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].op == ZKI_OP_LSTM || g->nodes[i].op == ZKI_OP_GRU)
            return 1;
    return 0;
}

/* An initial state: absent or all zero, a constant, or a computed value. */
enum { ST_ZERO, ST_CONST, ST_VALUE };

typedef struct {
    int kind;
    int t;   /* tensor index (ST_CONST, ST_VALUE) */
} rstate;

/* The unrolling of one node: where names and shapes come from. */
typedef struct {
    zki_graph *g;
    int src;              /* the LSTM / GRU node */
    char pre[200];        /* name prefix */
    int64_t T, B, I, H;
    int axes0;            /* constant [0]: the time axis */
    int *next_tie;        /* the graph's next unused range tie */
    char roles[64][32];   /* per-step tensor roles ("h", "z_pre", ...): role k is tie tie0 + k */
    int n_roles, tie0;
    zki_status err;
} unroll;

#define SRC(u) (&(u)->g->nodes[(u)->src])

static int oom(unroll *u)
{
    if (u->err == ZKI_OK)
        u->err = zki_fail(ZKI_ERR_NOMEM, "out of memory");
    return -1;
}

/* A new constant tensor (takes f or iv); -1 on failure. */
static int add_const(unroll *u, const char *what, int et, int rank, const int64_t *dims, float *f, int64_t *iv)
{
    char nm[300];
    snprintf(nm, sizeof nm, "%s::%s", u->pre, what);
    int ti = (f || iv) ? zki_graph_add_tensor(u->g, nm, ZKI_T_CONST, et) : -1;
    if (ti < 0) {
        free(f);
        free(iv);
        return oom(u);
    }
    zki_tensor_set_const(&u->g->t[ti], rank, dims, f, iv);
    u->g->t[ti].shape_known = 1;
    return ti;
}

static int add_const_i1(unroll *u, const char *what, int64_t v)
{
    int64_t *d = malloc(sizeof(int64_t)), one = 1;
    if (d)
        d[0] = v;
    return add_const(u, what, ZKI_ET_INT64, 1, &one, NULL, d);
}

/* The range tie of a step's tensor named "t<step>/<role>": one per role,
 * so the quantiser calibrates each role over every step at once (a
 * step's own range, from a few samples, clamps values other inputs reach
 * at that step); 0 for other names. */
static int step_tie(unroll *u, const char *what)
{
    if (what[0] != 't' || what[1] < '0' || what[1] > '9')
        return 0;
    const char *role = strchr(what, '/');
    if (!role || strlen(role + 1) >= sizeof u->roles[0])
        return 0;
    role++;
    for (int k = 0; k < u->n_roles; k++)
        if (!strcmp(u->roles[k], role))
            return u->tie0 + k;
    if (u->n_roles == (int)(sizeof u->roles / sizeof u->roles[0]))
        return 0;
    if (u->n_roles == 0)
        u->tie0 = *u->next_tie;
    snprintf(u->roles[u->n_roles], sizeof u->roles[0], "%s", role);
    *u->next_tie = u->tie0 + u->n_roles + 1;
    return u->tie0 + u->n_roles++;
}

/* A node op(a, b) (b < 0: one input) named PREFIX/what, writing tensor out
 * (out < 0: a new value tensor of that name); returns the output or -1. */
static int emit(unroll *u, int op, const char *what, int a, int b, int out)
{
    if (u->err != ZKI_OK || a < 0)
        return -1;
    char nm[300];
    snprintf(nm, sizeof nm, "%s/%s", u->pre, what);
    if (out < 0 && (out = zki_graph_add_tensor(u->g, nm, ZKI_T_VALUE, 0)) < 0)
        return oom(u);
    int ni = zki_graph_add_node(u->g, op, nm, b >= 0 ? 2 : 1, 1);
    if (ni < 0)
        return oom(u);
    zki_node *n = &u->g->nodes[ni];
    n->opset = SRC(u)->opset;
    n->in[0] = a;
    if (b >= 0)
        n->in[1] = b;
    n->out[0] = out;
    u->g->t[out].producer = ni;
    u->g->t[out].range_tie = step_tie(u, what);
    return out;
}

/* x[t:t+1] along axis 0. */
static int emit_step(unroll *u, const char *what, int x, int64_t t)
{
    char s[96];
    snprintf(s, sizeof s, "%s_start", what);
    int st = add_const_i1(u, s, t);
    snprintf(s, sizeof s, "%s_end", what);
    int en = add_const_i1(u, s, t + 1);
    int y = emit(u, ZKI_OP_SLICE, what, x, st, -1);
    if (y < 0 || en < 0)
        return -1;
    zki_node *n = &u->g->nodes[u->g->t[y].producer];
    int *in = realloc(n->in, sizeof(int) * 4);
    if (!in)
        return oom(u);
    in[2] = en;
    in[3] = u->axes0;
    n->in = in;
    n->n_in = 4;
    return y;
}

/* Concat of ts[0..n) along axis 0 (the quantiser joins more than 16 in
 * stages). */
static int emit_concat(unroll *u, const char *what, const int *ts, int n, int out)
{
    int y = emit(u, ZKI_OP_CONCAT, what, ts[0], -1, out);
    if (y < 0)
        return -1;
    zki_node *n0 = &u->g->nodes[u->g->t[y].producer];
    int *in = realloc(n0->in, sizeof(int) * (size_t)n);
    if (!in)
        return oom(u);
    memcpy(in, ts, sizeof(int) * (size_t)n);
    n0->in = in;
    n0->n_in = n;
    int64_t ax = 0;
    if (zki_attr_set_ints(n0, "axis", &ax, 1) != ZKI_OK)
        return oom(u);
    zki_attr *a = &n0->attr[n0->n_attr - 1]; /* a scalar attribute: stored as INT */
    a->type = ZKI_A_INT;
    a->i = 0;
    return y;
}

static const float *const_f(const zki_graph *g, const zki_node *n, int k)
{
    int ti = k < n->n_in ? n->in[k] : -1;
    return ti >= 0 && g->t[ti].kind == ZKI_T_CONST ? g->t[ti].f : NULL;
}

/* Weights of gate `gate`: W[gate] transposed to [I, H], R[gate] to [H, H],
 * and the input / recurrence biases (zero when B is absent). */
static zki_status gate_weights(unroll *u, int gate, float **wt, float **rt, float *wb, float *rb)
{
    const zki_node *n = SRC(u);
    const float *W = const_f(u->g, n, 1), *R = const_f(u->g, n, 2), *Bv = const_f(u->g, n, 3);
    int G = n->op == ZKI_OP_LSTM ? 4 : 3;
    int64_t I = u->I, H = u->H;
    *wt = malloc(sizeof(float) * (size_t)(I * H));
    *rt = malloc(sizeof(float) * (size_t)(H * H));
    if (!*wt || !*rt) {
        free(*wt);
        free(*rt);
        *wt = *rt = NULL;
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    }
    for (int64_t j = 0; j < H; j++) {
        for (int64_t k = 0; k < I; k++)
            (*wt)[k * H + j] = W[(gate * H + j) * I + k];
        for (int64_t k = 0; k < H; k++)
            (*rt)[k * H + j] = R[(gate * H + j) * H + k];
        wb[j] = Bv ? Bv[gate * H + j] : 0;
        rb[j] = Bv ? Bv[(G + gate) * H + j] : 0;
    }
    return ZKI_OK;
}

/* Constant [1, B, H]: h0 @ rt (+ bias). */
static int const_matmul(unroll *u, const char *what, const float *h0, const float *rt, const float *bias)
{
    int64_t B = u->B, H = u->H, dims[3] = {1, B, H};
    float *y = malloc(sizeof(float) * (size_t)(B * H));
    if (!y)
        return oom(u);
    for (int64_t b = 0; b < B; b++)
        for (int64_t j = 0; j < H; j++) {
            double s = bias ? bias[j] : 0;
            for (int64_t k = 0; k < H; k++)
                s += (double)h0[b * H + k] * rt[k * H + j];
            y[b * H + j] = (float)s;
        }
    return add_const(u, what, ZKI_ET_FLOAT, 3, dims, y, NULL);
}

/* a * c for a constant c ([H] or [1, 1, H]): with a batch of one, a MatMul
 * by diag(c), so it is a Linear layer with constant weights (a product
 * with a constant is not proven, one of two activations is). */
static int mul_const(unroll *u, const char *what, int a, int c)
{
    const zki_tensor *ct = c >= 0 ? &u->g->t[c] : NULL;
    if (u->B != 1 || !ct || ct->kind != ZKI_T_CONST || !ct->f || zki_tensor_numel(ct) != u->H)
        return emit(u, ZKI_OP_MUL, what, a, c, -1);
    int64_t H = u->H, dims[2] = {H, H};
    float *d = calloc((size_t)(H * H), sizeof(float));
    if (!d)
        return oom(u);
    for (int64_t j = 0; j < H; j++)
        d[j * H + j] = ct->f[j];
    char s[96];
    snprintf(s, sizeof s, "%s_diag", what);
    int dt = add_const(u, s, ZKI_ET_FLOAT, 2, dims, d, NULL);
    return dt < 0 ? -1 : emit(u, ZKI_OP_MATMUL, what, a, dt, -1);
}

/* h @ R[gate]^T: -1 for a zero state, a constant for a constant one. */
static int rec_term(unroll *u, const char *what, rstate h, int rt_t, const float *bias)
{
    if (h.kind == ST_ZERO)
        return -1;
    if (h.kind == ST_CONST)
        return const_matmul(u, what, u->g->t[h.t].f, u->g->t[rt_t].f, bias);
    return emit(u, ZKI_OP_MATMUL, what, h.t, rt_t, -1);
}

static int all_zero(const float *f, int64_t n)
{
    for (int64_t k = 0; k < n; k++)
        if (f[k] != 0)
            return 0;
    return 1;
}

/* The state fed by input k of the node, checked to be [1, B, H]. */
static zki_status initial_state(unroll *u, int k, rstate *s)
{
    const zki_node *n = SRC(u);
    int ti = k < n->n_in ? n->in[k] : -1;
    s->kind = ST_ZERO;
    s->t = ti;
    if (ti < 0)
        return ZKI_OK;
    const zki_tensor *t = &u->g->t[ti];
    if (zki_et_is_float(t->et) != 1 || t->rank != 3 || t->dims[0] != 1 || t->dims[1] != u->B || t->dims[2] != u->H)
        return zki_node_fail(n, ZKI_ERR_INPUT, "initial state '%s' must be float [1,%lld,%lld]", t->name,
                             (long long)u->B, (long long)u->H);
    if (t->kind != ZKI_T_CONST)
        s->kind = ST_VALUE;
    else if (!all_zero(t->f, u->B * u->H))
        s->kind = ST_CONST;
    return ZKI_OK;
}

/* Everything the unrolling does not cover, refused with the node's name. */
static zki_status check_node(unroll *u)
{
    const zki_node *n = SRC(u);
    const zki_graph *g = u->g;
    const char *dir = zki_attr_str(n, "direction", "forward");
    if (strcmp(dir, "forward"))
        return zki_node_fail(n, ZKI_ERR_UNSUPPORTED,
                             "direction '%s': only forward layers are unrolled; a bidirectional or reverse "
                             "layer is not supported (export the forward direction only)", dir);
    if (zki_attr_int(n, "layout", 0) != 0)
        return zki_node_fail(n, ZKI_ERR_UNSUPPORTED, "layout 1 (batch first) is not supported; export with layout 0");
    if (u->T < 1 || u->B < 1)
        return zki_node_fail(n, ZKI_ERR_INPUT, "empty sequence or batch (X is [%lld,%lld,%lld])", (long long)u->T,
                             (long long)u->B, (long long)u->I);
    if (zki_attr_get(n, "clip"))
        return zki_node_fail(n, ZKI_ERR_UNSUPPORTED, "cell clipping (clip) is not supported");
    if (zki_attr_int(n, "input_forget", 0) != 0)
        return zki_node_fail(n, ZKI_ERR_UNSUPPORTED, "input_forget (coupled gates) is not supported");
    if (zki_attr_get(n, "activations") || zki_attr_get(n, "activation_alpha") || zki_attr_get(n, "activation_beta"))
        return zki_node_fail(n, ZKI_ERR_UNSUPPORTED, "only the default activations (Sigmoid, Tanh) are supported");
    int64_t lbr = zki_attr_int(n, "linear_before_reset", 0);
    if (n->op == ZKI_OP_GRU && lbr != 0 && lbr != 1)
        return zki_node_fail(n, ZKI_ERR_INPUT, "linear_before_reset must be 0 or 1");
    for (int k = 1; k < 4 && k < n->n_in; k++)
        if (n->in[k] >= 0 && !const_f(g, n, k))
            return zki_node_fail(n, ZKI_ERR_UNSUPPORTED, "%s '%s' must be a float constant",
                                 k == 1 ? "W" : k == 2 ? "R" : "B", g->t[n->in[k]].name);
    if (n->n_in > 3 && n->in[3] >= 0 && zki_tensor_numel(&g->t[n->in[3]]) != 2 * g->t[n->in[1]].dims[1])
        return zki_node_fail(n, ZKI_ERR_INPUT, "B must hold %lld values",
                             (long long)(2 * g->t[n->in[1]].dims[1]));
    if (n->n_in > 4 && n->in[4] >= 0) {
        const zki_tensor *sl = &g->t[n->in[4]];
        int ok = sl->kind == ZKI_T_CONST && sl->i && zki_tensor_numel(sl) == u->B;
        for (int64_t b = 0; ok && b < u->B; b++)
            ok = sl->i[b] == u->T;
        if (!ok)
            return zki_node_fail(n, ZKI_ERR_UNSUPPORTED,
                                 "sequence_lens must be a constant equal to the sequence length %lld for every batch "
                                 "entry (variable-length sequences are not supported)", (long long)u->T);
    }
    if (n->op == ZKI_OP_LSTM && n->n_in > 7 && n->in[7] >= 0) {
        const float *p = const_f(g, n, 7);
        if (!p || !all_zero(p, zki_tensor_numel(&g->t[n->in[7]])))
            return zki_node_fail(n, ZKI_ERR_UNSUPPORTED, "peephole connections (P) are not supported");
    }
    if (n->n_in > (n->op == ZKI_OP_LSTM ? 8 : 6))
        return zki_node_fail(n, ZKI_ERR_INPUT, "too many inputs (%d)", n->n_in);
    if (n->n_out > 0 && n->out[0] >= 0 && u->T > ZKI_MAX_CONCAT_IN)
        return zki_node_fail(n, ZKI_ERR_UNSUPPORTED, "Y joins %lld steps, more than %d; use only Y_h / Y_c",
                             (long long)u->T, ZKI_MAX_CONCAT_IN);
    return ZKI_OK;
}

/* Constant b + r for constants b [H] and r of B rows [1, B, H] (B > 1:
 * [1, B, H], the bias broadcast over the batch). */
static int add_bias(unroll *u, const char *what, int b, int r)
{
    const zki_tensor *bt = &u->g->t[b], *rt = &u->g->t[r];
    int64_t n = zki_tensor_numel(rt), dims[3] = {1, u->B, u->H};
    float *f = malloc(sizeof(float) * (size_t)n);
    if (!f)
        return oom(u);
    for (int64_t k = 0; k < n; k++)
        f[k] = bt->f[k % u->H] + rt->f[k];
    return add_const(u, what, ZKI_ET_FLOAT, 3, dims, f, NULL);
}

/* Gate gname's input weights W^T [I, H] (takes wt) and bias [H] as
 * constants wb[0], wb[1]; -1 in wb[0] on failure. */
static void input_consts(unroll *u, const char *gname, float *wt, const float *bias, int *wb)
{
    char s[64];
    int64_t wd[2] = {u->I, u->H}, bd[1] = {u->H};
    snprintf(s, sizeof s, "%s_W", gname);
    wb[0] = add_const(u, s, ZKI_ET_FLOAT, 2, wd, wt, NULL);
    float *bc = malloc(sizeof(float) * (size_t)u->H);
    if (bc)
        memcpy(bc, bias, sizeof(float) * (size_t)u->H);
    snprintf(s, sizeof s, "%s_b", gname);
    wb[1] = add_const(u, s, ZKI_ET_FLOAT, 1, bd, bc, NULL);
    if (wb[1] < 0)
        wb[0] = -1;
}

/* pre-activation of a gate at step t: x_t W^T + b (+ h R^T). Each step
 * projects its own row x_t ([1, B, I]): a MatMul of one row is proven as a
 * Linear layer, one over the whole sequence would not be. The bias Add is
 * the one the quantiser folds into the MatMul. */
static int gate_pre(unroll *u, const char *gname, int64_t t, int xt, const int *wb, int rec)
{
    char s[64];
    snprintf(s, sizeof s, "t%lld/%s_x/MatMul", (long long)t, gname);
    int xw = emit(u, ZKI_OP_MATMUL, s, xt, wb[0], -1);
    int b = wb[1], folded = rec >= 0 && u->g->t[rec].kind == ZKI_T_CONST;
    if (folded) {
        /* a constant state's h R^T joins the bias: the Add of a constant
         * to an activation is not proven, a Linear's bias is */
        snprintf(s, sizeof s, "t%lld/%s_b", (long long)t, gname);
        b = add_bias(u, s, wb[1], rec);
    }
    snprintf(s, sizeof s, "t%lld/%s_x", (long long)t, gname);
    int x = emit(u, ZKI_OP_ADD, s, xw, b, -1);
    if (rec < 0 || folded)
        return x;
    snprintf(s, sizeof s, "t%lld/%s_pre", (long long)t, gname);
    return emit(u, ZKI_OP_ADD, s, x, rec, -1);
}

static zki_status unroll_one(unroll *u)
{
    zki_graph *g = u->g;
    zki_status st = check_node(u);
    if (st != ZKI_OK)
        return st;
    int lstm = SRC(u)->op == ZKI_OP_LSTM, G = lstm ? 4 : 3;
    int lbr = !lstm && zki_attr_int(SRC(u), "linear_before_reset", 0) != 0;
    static const char *const lstm_g[4] = {"i", "o", "f", "c"}, *const gru_g[3] = {"z", "r", "h"};
    const char *const *gn = lstm ? lstm_g : gru_g;
    rstate h, c = {ST_ZERO, -1};
    if ((st = initial_state(u, 5, &h)) != ZKI_OK || (lstm && (st = initial_state(u, 6, &c)) != ZKI_OK))
        return st;
    int out_y = SRC(u)->n_out > 0 ? SRC(u)->out[0] : -1;
    int out_h = SRC(u)->n_out > 1 ? SRC(u)->out[1] : -1;
    int out_c = lstm && SRC(u)->n_out > 2 ? SRC(u)->out[2] : -1;
    if ((u->axes0 = add_const_i1(u, "axis0", 0)) < 0)
        return u->err;

    int xwb[4][2], rmat[4];
    float *rbias[4] = {NULL, NULL, NULL, NULL};
    for (int k = 0; k < G && u->err == ZKI_OK; k++) {
        float *wt, *rt, *wb = malloc(sizeof(float) * (size_t)u->H);
        rbias[k] = malloc(sizeof(float) * (size_t)u->H);
        if (!wb || !rbias[k]) {
            free(wb);
            oom(u);
            break;
        }
        if ((st = gate_weights(u, k, &wt, &rt, wb, rbias[k])) != ZKI_OK) {
            free(wb);
            u->err = st;
            break;
        }
        int rb_outside = lbr && k == 2; /* GRU linear_before_reset: Rb_h stays with h R_h */
        if (!rb_outside)
            for (int64_t j = 0; j < u->H; j++)
                wb[j] += rbias[k][j];
        input_consts(u, gn[k], wt, wb, xwb[k]);
        free(wb);
        char s[64];
        int64_t rd[2] = {u->H, u->H};
        snprintf(s, sizeof s, "%s_R", gn[k]);
        rmat[k] = add_const(u, s, ZKI_ET_FLOAT, 2, rd, rt, NULL);
    }
    int *hs = malloc(sizeof(int) * (size_t)(u->T + 1));
    if (!hs)
        oom(u);
    int64_t bd[1] = {u->H};
    int rbh = -1; /* GRU linear_before_reset: the recurrence bias of h, a constant [H] */
    if (lbr && u->err == ZKI_OK) {
        float *b = malloc(sizeof(float) * (size_t)u->H);
        if (b)
            memcpy(b, rbias[2], sizeof(float) * (size_t)u->H);
        rbh = add_const(u, "h_Rb", ZKI_ET_FLOAT, 1, bd, b, NULL);
    }
    for (int64_t t = 0; t < u->T && u->err == ZKI_OK; t++) {
        int last = t == u->T - 1;
        char s[64];
#define NAME(fmt) (snprintf(s, sizeof s, "t%lld/" fmt, (long long)t), s)
        int pre[4], xt = emit_step(u, NAME("x"), SRC(u)->in[0], t);
        for (int k = 0; k < G; k++) {
            if (!lstm && k == 2)
                continue; /* the GRU's h gate waits for r */
            snprintf(s, sizeof s, "t%lld/%s_rec", (long long)t, gn[k]);
            int rec = rec_term(u, s, h, rmat[k], NULL);
            if (rec < 0 && h.kind != ST_ZERO)
                break;
            pre[k] = gate_pre(u, gn[k], t, xt, xwb[k], rec);
        }
        if (u->err != ZKI_OK)
            break;
        int hn;
        if (lstm) {
            int ig = emit(u, ZKI_OP_SIGMOID, NAME("i"), pre[0], -1, -1);
            int og = emit(u, ZKI_OP_SIGMOID, NAME("o"), pre[1], -1, -1);
            int cg = emit(u, ZKI_OP_TANH, NAME("g"), pre[3], -1, -1);
            int cn;
            if (c.kind == ST_ZERO) {
                cn = emit(u, ZKI_OP_MUL, NAME("c"), ig, cg, last ? out_c : -1);
            } else {
                int fg = emit(u, ZKI_OP_SIGMOID, NAME("f"), pre[2], -1, -1);
                int fc = c.kind == ST_CONST ? mul_const(u, NAME("fc"), fg, c.t)
                                            : emit(u, ZKI_OP_MUL, NAME("fc"), fg, c.t, -1);
                int icg = emit(u, ZKI_OP_MUL, NAME("ig"), ig, cg, -1);
                cn = emit(u, ZKI_OP_ADD, NAME("c"), fc, icg, last ? out_c : -1);
            }
            int tc = emit(u, ZKI_OP_TANH, NAME("tanh_c"), cn, -1, -1);
            hn = emit(u, ZKI_OP_MUL, NAME("h"), og, tc, last ? out_h : -1);
            c.kind = ST_VALUE;
            c.t = cn;
        } else {
            int zg = emit(u, ZKI_OP_SIGMOID, NAME("z"), pre[0], -1, -1);
            int rg = emit(u, ZKI_OP_SIGMOID, NAME("r"), pre[1], -1, -1);
            int term = -1;
            if (lbr) {
                /* r * (h R_h + Rb_h); Rb_h alone for a zero state */
                int hr = rbh;
                if (h.kind == ST_CONST) {
                    hr = const_matmul(u, NAME("h_rec"), g->t[h.t].f, g->t[rmat[2]].f, rbias[2]);
                } else if (h.kind == ST_VALUE) {
                    int m = emit(u, ZKI_OP_MATMUL, NAME("h_rec"), h.t, rmat[2], -1);
                    hr = emit(u, ZKI_OP_ADD, NAME("h_recb"), m, rbh, -1);
                }
                if (h.kind == ST_VALUE)
                    term = emit(u, ZKI_OP_MUL, NAME("r_hrec"), rg, hr, -1);
                else if (h.kind == ST_CONST || !all_zero(rbias[2], u->H))
                    term = mul_const(u, NAME("r_hrec"), rg, hr);
            } else if (h.kind != ST_ZERO) {
                /* (r * h) R_h */
                int rh = h.kind == ST_CONST ? mul_const(u, NAME("rh"), rg, h.t)
                                            : emit(u, ZKI_OP_MUL, NAME("rh"), rg, h.t, -1);
                term = emit(u, ZKI_OP_MATMUL, NAME("h_rec"), rh, rmat[2], -1);
            }
            if (u->err != ZKI_OK)
                break;
            int hp = gate_pre(u, "h", t, xt, xwb[2], term);
            int hh = emit(u, ZKI_OP_TANH, NAME("hh"), hp, -1, -1);
            if (h.kind == ST_ZERO) {
                int zh = emit(u, ZKI_OP_MUL, NAME("zhh"), zg, hh, -1);
                hn = emit(u, ZKI_OP_SUB, NAME("h"), hh, zh, last ? out_h : -1);
            } else if (h.kind == ST_CONST) {
                /* hh - z*hh + z*h0: z*h0 a product by a constant (mul_const) */
                int zh = emit(u, ZKI_OP_MUL, NAME("zhh"), zg, hh, -1);
                int zc = mul_const(u, NAME("zh0"), zg, h.t);
                int a = emit(u, ZKI_OP_SUB, NAME("hh_zhh"), hh, zh, -1);
                hn = emit(u, ZKI_OP_ADD, NAME("h"), a, zc, last ? out_h : -1);
            } else {
                int d = emit(u, ZKI_OP_SUB, NAME("dh"), h.t, hh, -1);
                int zd = emit(u, ZKI_OP_MUL, NAME("zdh"), zg, d, -1);
                hn = emit(u, ZKI_OP_ADD, NAME("h"), hh, zd, last ? out_h : -1);
            }
        }
#undef NAME
        h.kind = ST_VALUE;
        h.t = hn;
        if (hs)
            hs[t] = hn;
    }
    if (u->err == ZKI_OK && out_y >= 0) {
        int cat = emit_concat(u, "Y_steps", hs, (int)u->T, -1);
        int ax = add_const_i1(u, "axis1", 1);
        emit(u, ZKI_OP_UNSQUEEZE, "Y", cat, ax, out_y);
    }
    free(hs);
    for (int k = 0; k < G; k++)
        free(rbias[k]);
    return u->err;
}

zki_status zki_graph_unroll_recurrent(zki_graph *g)
{
    int n0 = g->n_nodes;
    int *first = malloc(sizeof(int) * (size_t)(n0 + 1)), *end = malloc(sizeof(int) * (size_t)(n0 + 1));
    zki_status st = ZKI_OK;
    int next_tie = 1;
    for (int t = 0; t < g->n_tensors; t++)
        if (g->t[t].range_tie >= next_tie)
            next_tie = g->t[t].range_tie + 1;
    if (!first || !end) {
        st = zki_fail(ZKI_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < n0; i++) {
        first[i] = end[i] = g->n_nodes;
        zki_node *n = &g->nodes[i];
        if (n->op != ZKI_OP_LSTM && n->op != ZKI_OP_GRU)
            continue;
        const zki_tensor *x = &g->t[n->in[0]], *r = &g->t[n->in[2]];
        unroll u = {.g = g, .src = i, .T = x->dims[0], .B = x->dims[1], .I = x->dims[2], .H = r->dims[2],
                    .next_tie = &next_tie, .err = ZKI_OK};
        snprintf(u.pre, sizeof u.pre, "%s", n->name);
        if (g->t[n->in[1]].dims[0] != 1) {
            st = zki_node_fail(n, ZKI_ERR_UNSUPPORTED,
                               "bidirectional layers are not supported: only forward layers are unrolled");
            goto done;
        }
        if ((st = unroll_one(&u)) != ZKI_OK)
            goto done;
        end[i] = g->n_nodes;
        n = &g->nodes[i];
        for (int k = 0; k < n->n_out; k++)
            n->out[k] = -1; /* now written by the unrolled nodes; dead-code removal drops n */
    }
    /* each replaced node followed by its unrolled nodes, in order */
    st = zki_graph_splice(g, n0, first, end, 0);
done:
    free(first);
    free(end);
    return st;
}
