/* Shape inference for every supported op (see ops.h). */
#include "graph/ops.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"

zki_status zki_node_fail(const zki_node *n, zki_status code, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return zki_fail(code, "node '%s' (op %s, opset %d): %s", n->name, zki_op_name(n->op), n->opset, msg);
}

#define NF(code, ...) zki_node_fail(n, code, __VA_ARGS__)

static int input_at(const zki_node *n, int k)
{
    return k < n->n_in ? n->in[k] : -1;
}

int zki_bcast_shape(int ra, const int64_t *a, int rb, const int64_t *b, int *ro, int64_t *o)
{
    int r = ra > rb ? ra : rb;
    for (int k = 0; k < r; k++) {
        int64_t da = k < r - ra ? 1 : a[k - (r - ra)];
        int64_t db = k < r - rb ? 1 : b[k - (r - rb)];
        if (da == db || db == 1)
            o[k] = da;
        else if (da == 1)
            o[k] = db;
        else
            return 0;
    }
    *ro = r;
    return 1;
}

int64_t zki_bcast_index(int ro, const int64_t *dout, int ri, const int64_t *di, int64_t k)
{
    int64_t idx = 0, stride = 1;
    for (int a = ro - 1; a >= 0; a--) {
        int64_t c = dout[a] ? k % dout[a] : 0;
        k = dout[a] ? k / dout[a] : 0;
        int ia = a - (ro - ri);
        if (ia >= 0) {
            if (di[ia] != 1)
                idx += c * stride;
            stride *= di[ia];
        }
    }
    return idx;
}

/* Normalises an axis into [0, r); returns -1 if out of range. */
static int norm_axis(int64_t a, int r)
{
    if (a < 0)
        a += r;
    return (a >= 0 && a < r) ? (int)a : -1;
}

/* Constant integer input k of n (NULL if absent or not constant). */
static const zki_tensor *const_int(const zki_graph *g, const zki_node *n, int k)
{
    int ti = input_at(n, k);
    if (ti < 0)
        return NULL;
    const zki_tensor *t = &g->t[ti];
    return (t->kind == ZKI_T_CONST && t->i) ? t : NULL;
}

static zki_status set_out(zki_graph *g, const zki_node *n, int k, int et, int rank, const int64_t *dims)
{
    if (k >= n->n_out || n->out[k] < 0)
        return ZKI_OK;
    if (rank > ZKI_MAX_RANK || rank < 0)
        return NF(ZKI_ERR_UNSUPPORTED, "output rank %d exceeds %d", rank, ZKI_MAX_RANK);
    int64_t cnt = zki_shape_numel(rank, dims);
    if (cnt < 0)
        return NF(ZKI_ERR_INPUT, "output shape is negative or too large");
    if (cnt > ((int64_t)1 << 31))
        return NF(ZKI_ERR_UNSUPPORTED, "output has %lld elements, more than 2^31", (long long)cnt);
    zki_tensor *t = &g->t[n->out[k]];
    t->et = et;
    t->rank = rank;
    for (int a = 0; a < rank; a++)
        t->dims[a] = dims[a];
    t->shape_known = 1;
    return ZKI_OK;
}

static zki_status same_out(zki_graph *g, const zki_node *n, const zki_tensor *x)
{
    return set_out(g, n, 0, x->et, x->rank, x->dims);
}

zki_status zki_win2d_resolve(const zki_node *n, int64_t h, int64_t w, int64_t kh, int64_t kw,
                             int ceil_mode, zki_win2d *o)
{
    const int64_t *v;
    memset(o, 0, sizeof *o);
    o->kh = kh;
    o->kw = kw;
    o->sh = o->sw = o->dh = o->dw = 1;
    int c = zki_attr_ints(n, "strides", &v);
    if (c) {
        if (c != 2)
            return NF(ZKI_ERR_UNSUPPORTED, "only 2-D windows are supported (strides has %d values)", c);
        o->sh = v[0];
        o->sw = v[1];
    }
    c = zki_attr_ints(n, "dilations", &v);
    if (c) {
        if (c != 2)
            return NF(ZKI_ERR_UNSUPPORTED, "only 2-D windows are supported (dilations has %d values)", c);
        o->dh = v[0];
        o->dw = v[1];
    }
    if (kh < 1 || kw < 1 || kh > 4096 || kw > 4096 || o->sh < 1 || o->sw < 1 || o->dh < 1 || o->dw < 1 ||
        o->sh > 4096 || o->sw > 4096 || o->dh > 4096 || o->dw > 4096)
        return NF(ZKI_ERR_INPUT, "kernel, strides and dilations must be in [1, 4096]");
    int64_t ekh = o->dh * (kh - 1) + 1, ekw = o->dw * (kw - 1) + 1;
    const char *ap = zki_attr_str(n, "auto_pad", "NOTSET");
    if (strcmp(ap, "NOTSET") == 0) {
        c = zki_attr_ints(n, "pads", &v);
        if (c) {
            if (c != 4)
                return NF(ZKI_ERR_UNSUPPORTED, "pads must have 4 values for a 2-D window (has %d)", c);
            o->pt = v[0];
            o->pl = v[1];
            o->pb = v[2];
            o->pr = v[3];
            for (int k = 0; k < 4; k++)
                if (v[k] < 0 || v[k] > 4096)
                    return NF(ZKI_ERR_INPUT, "pads must be in [0, 4096]");
        }
        int64_t nh = h + o->pt + o->pb - ekh, nw = w + o->pl + o->pr - ekw;
        if (nh < 0 || nw < 0)
            return NF(ZKI_ERR_INPUT, "window larger than the padded input");
        if (ceil_mode) {
            o->oh = (nh + o->sh - 1) / o->sh + 1;
            o->ow = (nw + o->sw - 1) / o->sw + 1;
            /* the last window must start inside the input or left padding */
            if ((o->oh - 1) * o->sh >= h + o->pt)
                o->oh--;
            if ((o->ow - 1) * o->sw >= w + o->pl)
                o->ow--;
        } else {
            o->oh = nh / o->sh + 1;
            o->ow = nw / o->sw + 1;
        }
    } else if (strcmp(ap, "VALID") == 0) {
        if (h < ekh || w < ekw)
            return NF(ZKI_ERR_INPUT, "window larger than the input");
        o->oh = (h - ekh) / o->sh + 1;
        o->ow = (w - ekw) / o->sw + 1;
    } else if (strcmp(ap, "SAME_UPPER") == 0 || strcmp(ap, "SAME_LOWER") == 0) {
        int upper = ap[5] == 'U';
        o->oh = (h + o->sh - 1) / o->sh;
        o->ow = (w + o->sw - 1) / o->sw;
        int64_t th = (o->oh - 1) * o->sh + ekh - h, tw = (o->ow - 1) * o->sw + ekw - w;
        if (th < 0)
            th = 0;
        if (tw < 0)
            tw = 0;
        o->pt = upper ? th / 2 : th - th / 2;
        o->pb = th - o->pt;
        o->pl = upper ? tw / 2 : tw - tw / 2;
        o->pr = tw - o->pl;
    } else {
        return NF(ZKI_ERR_UNSUPPORTED, "auto_pad '%s' is not supported", ap);
    }
    if (o->oh < 1 || o->ow < 1)
        return NF(ZKI_ERR_INPUT, "empty output window");
    return ZKI_OK;
}

zki_status zki_slice_resolve(const zki_graph *g, const zki_node *n, int64_t *start, int64_t *step, int64_t *len)
{
    const zki_tensor *x = &g->t[n->in[0]];
    const zki_tensor *ts = const_int(g, n, 1), *te = const_int(g, n, 2);
    const zki_tensor *ta = const_int(g, n, 3), *tp = const_int(g, n, 4);
    if (!ts || !te || (input_at(n, 3) >= 0 && !ta) || (input_at(n, 4) >= 0 && !tp))
        return NF(ZKI_ERR_UNSUPPORTED, "starts/ends/axes/steps must be constant (dynamic shape cannot be resolved)");
    int64_t m = zki_tensor_numel(ts);
    if (ts->rank != 1 || zki_tensor_numel(te) != m || (ta && zki_tensor_numel(ta) != m) ||
        (tp && zki_tensor_numel(tp) != m) || m > x->rank)
        return NF(ZKI_ERR_INPUT, "starts/ends/axes/steps lengths disagree");
    int r = x->rank;
    int seen[ZKI_MAX_RANK] = {0};
    for (int a = 0; a < r; a++) {
        start[a] = 0;
        step[a] = 1;
        len[a] = x->dims[a];
    }
    for (int64_t k = 0; k < m; k++) {
        int a = ta ? norm_axis(ta->i[k], r) : (int)k;
        if (a < 0 || seen[a])
            return NF(ZKI_ERR_INPUT, "slice axis out of range or repeated");
        seen[a] = 1;
        int64_t d = x->dims[a], s = ts->i[k], e = te->i[k], st = tp ? tp->i[k] : 1;
        if (st == 0 || st < -((int64_t)1 << 40) || st > ((int64_t)1 << 40))
            return NF(ZKI_ERR_INPUT, "slice step %lld is invalid", (long long)st);
        /* clamp as ONNX specifies: to [0, d] forward, [-1, d-1] backward */
        if (s < -d) s = -d;
        if (e < -d - 1) e = -d - 1;
        if (s > d) s = d;
        if (e > d) e = d;
        if (s < 0) s += d;
        if (e < 0) e += d;
        int64_t cnt;
        if (st > 0) {
            if (s > d) s = d;
            if (e > d) e = d;
            cnt = e > s ? (e - s + st - 1) / st : 0;
        } else {
            if (s > d - 1) s = d - 1;
            if (e < -1) e = -1;
            cnt = s > e ? (s - e + (-st) - 1) / (-st) : 0;
        }
        start[a] = s;
        step[a] = st;
        len[a] = cnt;
    }
    return ZKI_OK;
}

zki_status zki_pad_resolve(const zki_graph *g, const zki_node *n, int64_t *begin, int64_t *end, int *mode)
{
    const zki_tensor *x = &g->t[n->in[0]];
    const zki_tensor *tp = const_int(g, n, 1), *ta = const_int(g, n, 3);
    if (!tp || (input_at(n, 3) >= 0 && !ta))
        return NF(ZKI_ERR_UNSUPPORTED, "pads must be constant (dynamic shape cannot be resolved)");
    int r = x->rank;
    int m = ta ? (int)zki_tensor_numel(ta) : r;
    if (m > r || zki_tensor_numel(tp) != 2 * m)
        return NF(ZKI_ERR_INPUT, "pads has %lld values, expected %d", (long long)zki_tensor_numel(tp), 2 * m);
    for (int a = 0; a < r; a++)
        begin[a] = end[a] = 0;
    for (int k = 0; k < m; k++) {
        int a = ta ? norm_axis(ta->i[k], r) : k;
        if (a < 0)
            return NF(ZKI_ERR_INPUT, "pad axis out of range");
        begin[a] = tp->i[k];
        end[a] = tp->i[k + m];
        if (begin[a] < -x->dims[a] || end[a] < -x->dims[a] || begin[a] > 65536 || end[a] > 65536)
            return NF(ZKI_ERR_INPUT, "pad amount out of range on axis %d", a);
    }
    const char *md = zki_attr_str(n, "mode", "constant");
    if (strcmp(md, "constant") == 0)
        *mode = 0;
    else if (strcmp(md, "reflect") == 0)
        *mode = 1;
    else if (strcmp(md, "edge") == 0)
        *mode = 2;
    else
        return NF(ZKI_ERR_UNSUPPORTED, "pad mode '%s' is not supported", md);
    if (*mode == 1)
        for (int a = 0; a < r; a++)
            if ((begin[a] > 0 || end[a] > 0) && (begin[a] > x->dims[a] - 1 || end[a] > x->dims[a] - 1))
                return NF(ZKI_ERR_INPUT, "reflect pad larger than the axis allows");
    if (*mode == 2)
        for (int a = 0; a < r; a++)
            if ((begin[a] > 0 || end[a] > 0) && x->dims[a] == 0)
                return NF(ZKI_ERR_INPUT, "edge pad of an empty axis");
    return ZKI_OK;
}

zki_status zki_split_resolve(const zki_graph *g, const zki_node *n, int *axis, int64_t *len)
{
    const zki_tensor *x = &g->t[n->in[0]];
    int r = x->rank, ax = norm_axis(zki_attr_int(n, "axis", 0), r);
    if (ax < 0)
        return NF(ZKI_ERR_INPUT, "axis out of range");
    if (n->n_out < 1 || n->n_out > ZKI_MAX_SPLIT)
        return NF(ZKI_ERR_UNSUPPORTED, "%d outputs (1 to %d supported)", n->n_out, ZKI_MAX_SPLIT);
    *axis = ax;
    const zki_tensor *sp = const_int(g, n, 1);
    if (input_at(n, 1) >= 0 && !sp)
        return NF(ZKI_ERR_UNSUPPORTED, "split is not constant");
    int64_t total = 0, dim = x->dims[ax];
    if (sp && zki_tensor_numel(sp) > 0) {
        if (zki_tensor_numel(sp) != n->n_out)
            return NF(ZKI_ERR_INPUT, "split has %lld values for %d outputs", (long long)zki_tensor_numel(sp),
                      n->n_out);
        for (int k = 0; k < n->n_out; k++) {
            if (sp->i[k] < 0)
                return NF(ZKI_ERR_INPUT, "negative split length");
            len[k] = sp->i[k];
            total += len[k];
        }
        if (total != dim)
            return NF(ZKI_ERR_INPUT, "split lengths sum to %lld, axis has %lld", (long long)total, (long long)dim);
        return ZKI_OK;
    }
    /* equal parts; opset 18's num_outputs allows a shorter last one */
    int64_t part = (dim + n->n_out - 1) / n->n_out;
    if (!zki_attr_get(n, "num_outputs") && dim % n->n_out)
        return NF(ZKI_ERR_INPUT, "axis of %lld does not split into %d equal parts", (long long)dim, n->n_out);
    for (int k = 0; k < n->n_out; k++) {
        len[k] = dim - total < part ? dim - total : part;
        total += len[k];
    }
    return ZKI_OK;
}

/* A float input that may be given empty (Resize's roi / scales / sizes). */
static const zki_tensor *given(const zki_graph *g, const zki_node *n, int k)
{
    int ti = input_at(n, k);
    return ti >= 0 && zki_tensor_numel(&g->t[ti]) > 0 ? &g->t[ti] : NULL;
}

zki_status zki_resize_resolve(const zki_graph *g, const zki_node *n, int64_t *out, double *scale)
{
    const zki_tensor *x = &g->t[n->in[0]];
    int r = x->rank;
    const char *mode = zki_attr_str(n, "mode", "nearest");
    if (strcmp(mode, "nearest"))
        return NF(ZKI_ERR_UNSUPPORTED, "mode '%s': only nearest is supported", mode);
    if (zki_attr_get(n, "axes") || strcmp(zki_attr_str(n, "keep_aspect_ratio_policy", "stretch"), "stretch"))
        return NF(ZKI_ERR_UNSUPPORTED, "axes and keep_aspect_ratio_policy are not supported");
    const char *ct = zki_attr_str(n, "coordinate_transformation_mode", "half_pixel");
    if (n->opset >= 11 && strcmp(ct, "half_pixel") && strcmp(ct, "pytorch_half_pixel") && strcmp(ct, "asymmetric") &&
        strcmp(ct, "align_corners") && strcmp(ct, "tf_half_pixel_for_nearest"))
        return NF(ZKI_ERR_UNSUPPORTED, "coordinate_transformation_mode '%s'", ct);
    const char *nm = zki_attr_str(n, "nearest_mode", "round_prefer_floor");
    if (n->opset >= 11 && strcmp(nm, "round_prefer_floor") && strcmp(nm, "round_prefer_ceil") && strcmp(nm, "floor") &&
        strcmp(nm, "ceil"))
        return NF(ZKI_ERR_UNSUPPORTED, "nearest_mode '%s'", nm);
    /* opset 10: Resize(X, scales); 11+: Resize(X, roi, scales, sizes) */
    const zki_tensor *sc = given(g, n, n->opset < 11 ? 1 : 2), *sz = n->opset < 11 ? NULL : given(g, n, 3);
    if (sz) {
        if (sz->kind != ZKI_T_CONST || !sz->i || zki_tensor_numel(sz) != r)
            return NF(ZKI_ERR_UNSUPPORTED, "sizes must be a constant of %d integers", r);
        for (int a = 0; a < r; a++) {
            out[a] = sz->i[a];
            if (out[a] < 1)
                return NF(ZKI_ERR_INPUT, "sizes must be positive");
            scale[a] = (double)out[a] / (double)(x->dims[a] ? x->dims[a] : 1);
        }
        return ZKI_OK;
    }
    if (!sc || sc->kind != ZKI_T_CONST || !sc->f || zki_tensor_numel(sc) != r)
        return NF(ZKI_ERR_UNSUPPORTED, "scales (or sizes) must be a constant of %d values", r);
    for (int a = 0; a < r; a++) {
        if (!(sc->f[a] > 0) || sc->f[a] > 1e6)
            return NF(ZKI_ERR_INPUT, "scale %g is not positive", (double)sc->f[a]);
        scale[a] = sc->f[a];
        out[a] = (int64_t)floor((double)x->dims[a] * scale[a]);
        if (out[a] < 1)
            return NF(ZKI_ERR_INPUT, "axis %d resizes to nothing", a);
    }
    return ZKI_OK;
}

int64_t zki_resize_src(const zki_node *n, int64_t in, int64_t out, double scale, int64_t i)
{
    const char *ct = n->opset < 11 ? "asymmetric" : zki_attr_str(n, "coordinate_transformation_mode", "half_pixel");
    const char *nm = n->opset < 11 ? "floor" : zki_attr_str(n, "nearest_mode", "round_prefer_floor");
    double x;
    if (!strcmp(ct, "asymmetric"))
        x = (double)i / scale;
    else if (!strcmp(ct, "align_corners"))
        x = out > 1 ? (double)i * (double)(in - 1) / (double)(out - 1) : 0;
    else if (!strcmp(ct, "tf_half_pixel_for_nearest"))
        x = ((double)i + 0.5) / scale;
    else if (!strcmp(ct, "pytorch_half_pixel") && out <= 1)
        x = 0;
    else
        x = ((double)i + 0.5) / scale - 0.5;
    double f = floor(x);
    int64_t s;
    if (!strcmp(nm, "floor"))
        s = (int64_t)f;
    else if (!strcmp(nm, "ceil"))
        s = (int64_t)ceil(x);
    else if (x - f == 0.5)
        s = (int64_t)f + (strcmp(nm, "round_prefer_ceil") == 0);
    else
        s = (int64_t)floor(x + 0.5);
    return s < 0 ? 0 : s >= in ? in - 1 : s;
}

static zki_status infer_matmul(zki_graph *g, const zki_node *n, const zki_tensor *a, const zki_tensor *b)
{
    if (a->rank < 1 || b->rank < 1)
        return NF(ZKI_ERR_INPUT, "MatMul of a scalar");
    int64_t ka = a->dims[a->rank - 1];
    int64_t kb = b->rank == 1 ? b->dims[0] : b->dims[b->rank - 2];
    if (ka != kb)
        return NF(ZKI_ERR_INPUT, "inner dimensions differ (%lld vs %lld)", (long long)ka, (long long)kb);
    int64_t ba[ZKI_MAX_RANK], bb[ZKI_MAX_RANK], bo[ZKI_MAX_RANK + 2];
    int ra = a->rank > 2 ? a->rank - 2 : 0, rb = b->rank > 2 ? b->rank - 2 : 0, ro;
    memcpy(ba, a->dims, sizeof(int64_t) * (size_t)ra);
    memcpy(bb, b->dims, sizeof(int64_t) * (size_t)rb);
    if (!zki_bcast_shape(ra, ba, rb, bb, &ro, bo))
        return NF(ZKI_ERR_INPUT, "batch dimensions do not broadcast");
    if (a->rank >= 2)
        bo[ro++] = a->dims[a->rank - 2];
    if (b->rank >= 2)
        bo[ro++] = b->dims[b->rank - 1];
    return set_out(g, n, 0, a->et, ro, bo);
}

static zki_status need_float(const zki_node *n, const zki_tensor *x)
{
    if (zki_et_is_float(x->et) != 1)
        return NF(ZKI_ERR_UNSUPPORTED, "input '%s' of type %s: only float inputs are supported", x->name,
                  zki_et_name(x->et));
    return ZKI_OK;
}

zki_status zki_op_infer(zki_graph *g, int ni)
{
    const zki_node *n = &g->nodes[ni];
    static const int min_in[ZKI_OP_COUNT] = {
        [ZKI_OP_GEMM] = 2, [ZKI_OP_MATMUL] = 2, [ZKI_OP_ADD] = 2, [ZKI_OP_SUB] = 2, [ZKI_OP_MUL] = 2,
        [ZKI_OP_DIV] = 2, [ZKI_OP_POW] = 2, [ZKI_OP_CONV] = 2, [ZKI_OP_BATCHNORM] = 5, [ZKI_OP_RESHAPE] = 2,
        [ZKI_OP_SLICE] = 3, [ZKI_OP_UNSQUEEZE] = 2, [ZKI_OP_PAD] = 2, [ZKI_OP_LAYERNORM] = 2,
        [ZKI_OP_GATHER] = 2, [ZKI_OP_WHERE] = 3, [ZKI_OP_PRELU] = 2, [ZKI_OP_EXPAND] = 2, [ZKI_OP_LSTM] = 3,
        [ZKI_OP_GRU] = 3, [ZKI_OP_EQUAL] = 2, [ZKI_OP_INSTANCENORM] = 3, [ZKI_OP_RMSNORM] = 2,
    };
    int need = min_in[n->op] ? min_in[n->op] : 1;
    if (n->n_in < need)
        return NF(ZKI_ERR_INPUT, "needs %d inputs, has %d", need, n->n_in);
    for (int k = 0; k < need; k++)
        if (n->in[k] < 0)
            return NF(ZKI_ERR_INPUT, "required input %d is missing", k);
    for (int k = 0; k < n->n_in; k++)
        if (n->in[k] >= 0 && !g->t[n->in[k]].shape_known)
            return NF(ZKI_ERR_INPUT, "input '%s' has no known shape", g->t[n->in[k]].name);
    int any_out = n->n_out > 0 && n->out[0] >= 0;
    for (int k = 1; k < n->n_out && (n->op == ZKI_OP_LSTM || n->op == ZKI_OP_GRU); k++)
        any_out |= n->out[k] >= 0; /* Y may be omitted when Y_h or Y_c is used */
    if (!any_out)
        return NF(ZKI_ERR_INPUT, "has no output");
    for (int k = 1; k < n->n_out; k++) {
        if (n->out[k] < 0)
            continue;
        int ok = (n->op == ZKI_OP_DROPOUT && k == 1) || (n->op == ZKI_OP_LAYERNORM && k <= 2) ||
                 (n->op == ZKI_OP_LSTM && k <= 2) || (n->op == ZKI_OP_GRU && k <= 1) ||
                 (n->op == ZKI_OP_SPLIT && k < ZKI_MAX_SPLIT);
        if (!ok)
            return NF(ZKI_ERR_UNSUPPORTED, "output %d ('%s') is not supported", k, g->t[n->out[k]].name);
    }
    const zki_tensor *x = &g->t[n->in[0]];
    const zki_tensor *y = n->n_in > 1 && n->in[1] >= 0 ? &g->t[n->in[1]] : NULL;
    int r = x->rank;
    int64_t d[ZKI_MAX_RANK + 2];
    int ro;
    zki_status st;

    switch (n->op) {
    case ZKI_OP_GEMM: {
        if ((st = need_float(n, x)) != ZKI_OK)
            return st;
        if (x->rank != 2 || y->rank != 2)
            return NF(ZKI_ERR_INPUT, "A and B must be 2-D");
        int ta = zki_attr_int(n, "transA", 0) != 0, tb = zki_attr_int(n, "transB", 0) != 0;
        int64_t m = ta ? x->dims[1] : x->dims[0], k = ta ? x->dims[0] : x->dims[1];
        int64_t k2 = tb ? y->dims[1] : y->dims[0], nn = tb ? y->dims[0] : y->dims[1];
        if (k != k2)
            return NF(ZKI_ERR_INPUT, "inner dimensions differ (%lld vs %lld)", (long long)k, (long long)k2);
        d[0] = m;
        d[1] = nn;
        if (input_at(n, 2) >= 0) {
            const zki_tensor *c = &g->t[n->in[2]];
            int64_t o2[ZKI_MAX_RANK];
            if (!zki_bcast_shape(2, d, c->rank, c->dims, &ro, o2) || ro != 2 || o2[0] != m || o2[1] != nn)
                return NF(ZKI_ERR_INPUT, "C does not broadcast to [%lld,%lld]", (long long)m, (long long)nn);
        }
        return set_out(g, n, 0, x->et, 2, d);
    }
    case ZKI_OP_MATMUL:
        if ((st = need_float(n, x)) != ZKI_OK || (st = need_float(n, y)) != ZKI_OK)
            return st;
        return infer_matmul(g, n, x, y);
    case ZKI_OP_ADD: case ZKI_OP_SUB: case ZKI_OP_MUL: case ZKI_OP_DIV: case ZKI_OP_POW:
        if (n->op != ZKI_OP_POW && zki_et_is_float(x->et) != zki_et_is_float(y->et))
            return NF(ZKI_ERR_INPUT, "operands have different types (%s, %s)", zki_et_name(x->et), zki_et_name(y->et));
        if (n->op == ZKI_OP_POW && (st = need_float(n, x)) != ZKI_OK)
            return st;
        if (!zki_bcast_shape(x->rank, x->dims, y->rank, y->dims, &ro, d))
            return NF(ZKI_ERR_INPUT, "shapes do not broadcast");
        return set_out(g, n, 0, x->et, ro, d);
    case ZKI_OP_RELU: case ZKI_OP_LEAKYRELU: case ZKI_OP_SIGMOID: case ZKI_OP_TANH: case ZKI_OP_ERF:
    case ZKI_OP_SQRT: case ZKI_OP_GELU: case ZKI_OP_CLIP: case ZKI_OP_SOFTMAX: case ZKI_OP_HARDSIGMOID:
    case ZKI_OP_HARDSWISH: case ZKI_OP_EXP: case ZKI_OP_LOG: case ZKI_OP_RECIPROCAL: case ZKI_OP_SOFTPLUS:
    case ZKI_OP_ELU: case ZKI_OP_SELU: case ZKI_OP_CELU: case ZKI_OP_MISH: case ZKI_OP_SOFTSIGN:
    case ZKI_OP_NEG: case ZKI_OP_ABS: case ZKI_OP_SWISH:
        if ((st = need_float(n, x)) != ZKI_OK)
            return st;
        if (n->op == ZKI_OP_CELU && zki_attr_float(n, "alpha", 1.0) == 0)
            return NF(ZKI_ERR_INPUT, "alpha must not be 0");
        if (n->op == ZKI_OP_SOFTMAX) {
            int64_t ax = zki_attr_int(n, "axis", n->opset >= 13 ? -1 : 1);
            if (norm_axis(ax, r) < 0)
                return NF(ZKI_ERR_INPUT, "axis %lld out of range", (long long)ax);
        }
        if (n->op == ZKI_OP_GELU) {
            const char *ap = zki_attr_str(n, "approximate", "none");
            if (strcmp(ap, "none") && strcmp(ap, "tanh"))
                return NF(ZKI_ERR_UNSUPPORTED, "approximate='%s'", ap);
        }
        if (n->op == ZKI_OP_CLIP)
            for (int k = 1; k < 3; k++)
                if (input_at(n, k) >= 0 && zki_tensor_numel(&g->t[n->in[k]]) != 1)
                    return NF(ZKI_ERR_INPUT, "min/max must be scalars");
        return same_out(g, n, x);
    case ZKI_OP_PRELU: /* the slope broadcasts to x (unidirectionally) */
        if ((st = need_float(n, x)) != ZKI_OK || (st = need_float(n, y)) != ZKI_OK)
            return st;
        if (!zki_bcast_shape(x->rank, x->dims, y->rank, y->dims, &ro, d) || ro != r ||
            memcmp(d, x->dims, sizeof(int64_t) * (size_t)r) != 0)
            return NF(ZKI_ERR_INPUT, "slope does not broadcast to the input");
        return same_out(g, n, x);
    case ZKI_OP_CONV: {
        if ((st = need_float(n, x)) != ZKI_OK)
            return st;
        if (x->rank != 4 || y->rank != 4)
            return NF(ZKI_ERR_UNSUPPORTED, "only 2-D convolution (4-D input and weight) is supported");
        int64_t grp = zki_attr_int(n, "group", 1);
        if (grp < 1 || x->dims[1] % grp || y->dims[0] % grp || x->dims[1] / grp != y->dims[1])
            return NF(ZKI_ERR_INPUT, "channels (%lld in, weight %lld x %lld) do not match group %lld",
                      (long long)x->dims[1], (long long)y->dims[0], (long long)y->dims[1], (long long)grp);
        const int64_t *ks;
        int kc = zki_attr_ints(n, "kernel_shape", &ks);
        if (kc && (kc != 2 || ks[0] != y->dims[2] || ks[1] != y->dims[3]))
            return NF(ZKI_ERR_INPUT, "kernel_shape disagrees with the weight");
        if (input_at(n, 2) >= 0) {
            const zki_tensor *b = &g->t[n->in[2]];
            if (zki_tensor_numel(b) != y->dims[0])
                return NF(ZKI_ERR_INPUT, "bias has %lld values, expected %lld", (long long)zki_tensor_numel(b),
                          (long long)y->dims[0]);
        }
        zki_win2d w;
        if ((st = zki_win2d_resolve(n, x->dims[2], x->dims[3], y->dims[2], y->dims[3], 0, &w)) != ZKI_OK)
            return st;
        d[0] = x->dims[0];
        d[1] = y->dims[0];
        d[2] = w.oh;
        d[3] = w.ow;
        return set_out(g, n, 0, x->et, 4, d);
    }
    case ZKI_OP_MAXPOOL: case ZKI_OP_AVGPOOL: {
        if ((st = need_float(n, x)) != ZKI_OK)
            return st;
        const int64_t *ks;
        int kc = zki_attr_ints(n, "kernel_shape", &ks);
        if (x->rank != 4 || kc != 2)
            return NF(ZKI_ERR_UNSUPPORTED, "only 2-D pooling (4-D input, 2 kernel dims) is supported");
        if (zki_attr_int(n, "storage_order", 0) != 0)
            return NF(ZKI_ERR_UNSUPPORTED, "storage_order=1");
        zki_win2d w;
        if ((st = zki_win2d_resolve(n, x->dims[2], x->dims[3], ks[0], ks[1],
                                    (int)zki_attr_int(n, "ceil_mode", 0), &w)) != ZKI_OK)
            return st;
        if (n->op == ZKI_OP_AVGPOOL && (w.dh != 1 || w.dw != 1))
            return NF(ZKI_ERR_UNSUPPORTED, "dilated average pooling");
        d[0] = x->dims[0];
        d[1] = x->dims[1];
        d[2] = w.oh;
        d[3] = w.ow;
        return set_out(g, n, 0, x->et, 4, d);
    }
    case ZKI_OP_GLOBALAVGPOOL:
        if ((st = need_float(n, x)) != ZKI_OK)
            return st;
        if (r < 3)
            return NF(ZKI_ERR_INPUT, "input must have rank >= 3");
        memcpy(d, x->dims, sizeof(int64_t) * (size_t)r);
        for (int a = 2; a < r; a++)
            d[a] = 1;
        return set_out(g, n, 0, x->et, r, d);
    case ZKI_OP_BATCHNORM: case ZKI_OP_INSTANCENORM: {
        /* one parameter per channel: BN's scale, bias, mean, var; IN's
         * scale and bias (over at least one spatial axis) */
        int bn = n->op == ZKI_OP_BATCHNORM;
        if ((st = need_float(n, x)) != ZKI_OK)
            return st;
        if (zki_attr_int(n, "training_mode", 0) != 0)
            return NF(ZKI_ERR_UNSUPPORTED, "training_mode=1");
        if (r < (bn ? 2 : 3))
            return NF(ZKI_ERR_INPUT, "input must have rank >= %d", bn ? 2 : 3);
        for (int k = 1; k < (bn ? 5 : 3); k++)
            if (zki_tensor_numel(&g->t[n->in[k]]) != x->dims[1])
                return NF(ZKI_ERR_INPUT, "parameter %d must have %lld values", k, (long long)x->dims[1]);
        return same_out(g, n, x);
    }
    case ZKI_OP_FLATTEN: {
        int64_t ax = zki_attr_int(n, "axis", 1);
        if (ax < 0)
            ax += r;
        if (ax < 0 || ax > r)
            return NF(ZKI_ERR_INPUT, "axis out of range");
        d[0] = zki_shape_numel((int)ax, x->dims);
        d[1] = zki_shape_numel(r - (int)ax, x->dims + ax);
        return set_out(g, n, 0, x->et, 2, d);
    }
    case ZKI_OP_RESHAPE: {
        const zki_tensor *s = const_int(g, n, 1);
        if (!s)
            return NF(ZKI_ERR_UNSUPPORTED, "target shape is not constant (dynamic shape cannot be resolved)");
        int64_t m = zki_tensor_numel(s);
        if (s->rank != 1 || m > ZKI_MAX_RANK)
            return NF(ZKI_ERR_INPUT, "target shape must be 1-D with at most %d entries", ZKI_MAX_RANK);
        int allowzero = zki_attr_int(n, "allowzero", 0) != 0, neg = -1;
        int64_t known = 1;
        for (int k = 0; k < m; k++) {
            int64_t v = s->i[k];
            if (v == 0 && !allowzero) {
                if (k >= r)
                    return NF(ZKI_ERR_INPUT, "shape entry 0 at %d has no input dim to copy", k);
                v = x->dims[k];
            }
            if (v == -1) {
                if (neg >= 0)
                    return NF(ZKI_ERR_INPUT, "more than one -1 in the target shape");
                neg = k;
                v = 1;
            } else if (v < 0 || v > ((int64_t)1 << 40)) {
                return NF(ZKI_ERR_INPUT, "invalid target dim %lld", (long long)v);
            }
            d[k] = v;
            if (v && known > ((int64_t)1 << 40) / v)
                return NF(ZKI_ERR_INPUT, "target shape too large");
            known *= v;
        }
        int64_t total = zki_tensor_numel(x);
        if (neg >= 0) {
            if (known == 0 || total % known)
                return NF(ZKI_ERR_INPUT, "cannot infer -1: %lld elements into %lld", (long long)total, (long long)known);
            d[neg] = total / known;
        } else if (known != total) {
            return NF(ZKI_ERR_INPUT, "%lld elements cannot be reshaped into %lld", (long long)total, (long long)known);
        }
        return set_out(g, n, 0, x->et, (int)m, d);
    }
    case ZKI_OP_TRANSPOSE: {
        const int64_t *p;
        int pc = zki_attr_ints(n, "perm", &p);
        int used[ZKI_MAX_RANK] = {0};
        if (pc && pc != r)
            return NF(ZKI_ERR_INPUT, "perm has %d entries for rank %d", pc, r);
        for (int a = 0; a < r; a++) {
            int64_t s = pc ? p[a] : r - 1 - a;
            if (s < 0 || s >= r || used[s])
                return NF(ZKI_ERR_INPUT, "perm is not a permutation");
            used[s] = 1;
            d[a] = x->dims[s];
        }
        return set_out(g, n, 0, x->et, r, d);
    }
    case ZKI_OP_CONCAT: {
        int ax = norm_axis(zki_attr_int(n, "axis", 0), r);
        if (ax < 0)
            return NF(ZKI_ERR_INPUT, "axis out of range");
        memcpy(d, x->dims, sizeof(int64_t) * (size_t)r);
        d[ax] = 0;
        for (int k = 0; k < n->n_in; k++) {
            if (n->in[k] < 0)
                return NF(ZKI_ERR_INPUT, "missing input %d", k);
            const zki_tensor *t = &g->t[n->in[k]];
            if (t->rank != r || zki_et_is_float(t->et) != zki_et_is_float(x->et))
                return NF(ZKI_ERR_INPUT, "input %d has a different rank or type", k);
            for (int a = 0; a < r; a++)
                if (a != ax && t->dims[a] != x->dims[a])
                    return NF(ZKI_ERR_INPUT, "input %d differs on axis %d", k, a);
            d[ax] += t->dims[ax];
        }
        return set_out(g, n, 0, x->et, r, d);
    }
    case ZKI_OP_SLICE: {
        int64_t s[ZKI_MAX_RANK], p[ZKI_MAX_RANK];
        if ((st = zki_slice_resolve(g, n, s, p, d)) != ZKI_OK)
            return st;
        return set_out(g, n, 0, x->et, r, d);
    }
    case ZKI_OP_SQUEEZE: {
        const zki_tensor *ax = const_int(g, n, 1);
        if (input_at(n, 1) >= 0 && !ax)
            return NF(ZKI_ERR_UNSUPPORTED, "axes are not constant");
        int drop[ZKI_MAX_RANK] = {0};
        if (ax) {
            for (int64_t k = 0; k < zki_tensor_numel(ax); k++) {
                int a = norm_axis(ax->i[k], r);
                if (a < 0 || x->dims[a] != 1)
                    return NF(ZKI_ERR_INPUT, "axis %lld is out of range or not of size 1", (long long)ax->i[k]);
                drop[a] = 1;
            }
        } else {
            for (int a = 0; a < r; a++)
                drop[a] = x->dims[a] == 1;
        }
        ro = 0;
        for (int a = 0; a < r; a++)
            if (!drop[a])
                d[ro++] = x->dims[a];
        return set_out(g, n, 0, x->et, ro, d);
    }
    case ZKI_OP_UNSQUEEZE: {
        const zki_tensor *ax = const_int(g, n, 1);
        if (!ax)
            return NF(ZKI_ERR_UNSUPPORTED, "axes are not constant");
        int64_t m = zki_tensor_numel(ax);
        ro = r + (int)m;
        if (m > ZKI_MAX_RANK || ro > ZKI_MAX_RANK)
            return NF(ZKI_ERR_UNSUPPORTED, "output rank exceeds %d", ZKI_MAX_RANK);
        int ins[ZKI_MAX_RANK] = {0};
        for (int64_t k = 0; k < m; k++) {
            int a = norm_axis(ax->i[k], ro);
            if (a < 0 || ins[a])
                return NF(ZKI_ERR_INPUT, "axis %lld out of range or repeated", (long long)ax->i[k]);
            ins[a] = 1;
        }
        for (int a = 0, j = 0; a < ro; a++)
            d[a] = ins[a] ? 1 : x->dims[j++];
        return set_out(g, n, 0, x->et, ro, d);
    }
    case ZKI_OP_PAD: {
        int64_t b[ZKI_MAX_RANK], e[ZKI_MAX_RANK];
        int mode;
        if ((st = zki_pad_resolve(g, n, b, e, &mode)) != ZKI_OK)
            return st;
        if (input_at(n, 2) >= 0 && zki_tensor_numel(&g->t[n->in[2]]) != 1)
            return NF(ZKI_ERR_INPUT, "constant_value must be a scalar");
        for (int a = 0; a < r; a++) {
            d[a] = x->dims[a] + b[a] + e[a];
            if (d[a] < 0)
                return NF(ZKI_ERR_INPUT, "negative output dim on axis %d", a);
        }
        return set_out(g, n, 0, x->et, r, d);
    }
    case ZKI_OP_LAYERNORM: case ZKI_OP_RMSNORM: { /* RMSNorm: scale only, no mean subtracted */
        if ((st = need_float(n, x)) != ZKI_OK)
            return st;
        int ax = norm_axis(zki_attr_int(n, "axis", -1), r);
        if (ax < 0)
            return NF(ZKI_ERR_INPUT, "axis out of range");
        int64_t inner = zki_shape_numel(r - ax, x->dims + ax);
        for (int k = 1; k < 3; k++)
            if (input_at(n, k) >= 0 && zki_tensor_numel(&g->t[n->in[k]]) != inner)
                return NF(ZKI_ERR_UNSUPPORTED, "scale/bias must cover the normalised dims exactly (%lld values)",
                          (long long)inner);
        if ((st = same_out(g, n, x)) != ZKI_OK)
            return st;
        memcpy(d, x->dims, sizeof(int64_t) * (size_t)r);
        for (int a = ax; a < r; a++)
            d[a] = 1;
        if ((st = set_out(g, n, 1, ZKI_ET_FLOAT, r, d)) != ZKI_OK)
            return st;
        return set_out(g, n, 2, ZKI_ET_FLOAT, r, d);
    }
    case ZKI_OP_REDUCEMEAN: case ZKI_OP_REDUCESUM: case ZKI_OP_REDUCEMAX: {
        if ((st = need_float(n, x)) != ZKI_OK)
            return st;
        int red[ZKI_MAX_RANK] = {0}, any = 0;
        const int64_t *av;
        int ac = zki_attr_ints(n, "axes", &av);
        const zki_tensor *at = const_int(g, n, 1);
        if (input_at(n, 1) >= 0 && !at)
            return NF(ZKI_ERR_UNSUPPORTED, "axes are not constant");
        if (at) {
            ac = (int)zki_tensor_numel(at);
            av = at->i;
        }
        for (int k = 0; k < ac; k++) {
            int a = norm_axis(av[k], r);
            if (a < 0)
                return NF(ZKI_ERR_INPUT, "axis %lld out of range", (long long)av[k]);
            red[a] = 1;
            any = 1;
        }
        if (!any && !zki_attr_int(n, "noop_with_empty_axes", 0))
            for (int a = 0; a < r; a++)
                red[a] = 1;
        int keep = zki_attr_int(n, "keepdims", 1) != 0;
        ro = 0;
        for (int a = 0; a < r; a++) {
            if (!red[a])
                d[ro++] = x->dims[a];
            else if (keep)
                d[ro++] = 1;
        }
        return set_out(g, n, 0, x->et, ro, d);
    }
    case ZKI_OP_GATHER: {
        int ax = norm_axis(zki_attr_int(n, "axis", 0), r);
        if (ax < 0)
            return NF(ZKI_ERR_INPUT, "axis out of range");
        if (zki_et_is_float(y->et) != 0)
            return NF(ZKI_ERR_INPUT, "indices must be integers");
        ro = 0;
        if (r - 1 + y->rank > ZKI_MAX_RANK)
            return NF(ZKI_ERR_UNSUPPORTED, "output rank exceeds %d", ZKI_MAX_RANK);
        for (int a = 0; a < ax; a++)
            d[ro++] = x->dims[a];
        for (int a = 0; a < y->rank; a++)
            d[ro++] = y->dims[a];
        for (int a = ax + 1; a < r; a++)
            d[ro++] = x->dims[a];
        return set_out(g, n, 0, x->et, ro, d);
    }
    case ZKI_OP_WHERE: {
        const zki_tensor *z = &g->t[n->in[2]];
        int64_t t1[ZKI_MAX_RANK];
        int r1;
        if (zki_et_is_float(x->et) != 0 || zki_et_is_float(y->et) != zki_et_is_float(z->et))
            return NF(ZKI_ERR_INPUT, "condition must be bool and both branches of one type");
        if (!zki_bcast_shape(x->rank, x->dims, y->rank, y->dims, &r1, t1) ||
            !zki_bcast_shape(r1, t1, z->rank, z->dims, &ro, d))
            return NF(ZKI_ERR_INPUT, "shapes do not broadcast");
        return set_out(g, n, 0, y->et, ro, d);
    }
    case ZKI_OP_CAST: {
        int64_t to = zki_attr_int(n, "to", 0);
        if (to < 0 || to > 64 || zki_et_is_float((int)to) < 0)
            return NF(ZKI_ERR_UNSUPPORTED, "cast to element type %lld", (long long)to);
        return set_out(g, n, 0, (int)to, r, x->dims);
    }
    case ZKI_OP_SHAPE: {
        int64_t s = zki_attr_int(n, "start", 0), e = zki_attr_int(n, "end", r);
        if (s < 0) s += r;
        if (e < 0) e += r;
        if (s < 0) s = 0;
        if (e > r) e = r;
        d[0] = e > s ? e - s : 0;
        return set_out(g, n, 0, ZKI_ET_INT64, 1, d);
    }
    case ZKI_OP_CONSTANTOFSHAPE: {
        const zki_tensor *sh = const_int(g, n, 0);
        if (!sh || sh->rank != 1 || zki_tensor_numel(sh) > ZKI_MAX_RANK)
            return NF(ZKI_ERR_UNSUPPORTED, "shape must be a constant 1-D input of at most %d values", ZKI_MAX_RANK);
        if (y && zki_tensor_numel(y) != 1)
            return NF(ZKI_ERR_INPUT, "value must hold one element");
        return set_out(g, n, 0, y ? y->et : ZKI_ET_FLOAT, (int)zki_tensor_numel(sh), sh->i);
    }
    case ZKI_OP_EQUAL:
        if (zki_et_is_float(x->et) != zki_et_is_float(y->et))
            return NF(ZKI_ERR_INPUT, "operands have different types (%s, %s)", zki_et_name(x->et), zki_et_name(y->et));
        if (!zki_bcast_shape(x->rank, x->dims, y->rank, y->dims, &ro, d))
            return NF(ZKI_ERR_INPUT, "shapes do not broadcast");
        return set_out(g, n, 0, ZKI_ET_BOOL, ro, d);
    case ZKI_OP_SPLIT: {
        int ax;
        int64_t len[ZKI_MAX_SPLIT];
        if ((st = zki_split_resolve(g, n, &ax, len)) != ZKI_OK)
            return st;
        memcpy(d, x->dims, sizeof(int64_t) * (size_t)r);
        for (int k = 0; k < n->n_out; k++) {
            d[ax] = len[k];
            if ((st = set_out(g, n, k, x->et, r, d)) != ZKI_OK)
                return st;
        }
        return ZKI_OK;
    }
    case ZKI_OP_RESIZE: {
        double sc[ZKI_MAX_RANK];
        if ((st = zki_resize_resolve(g, n, d, sc)) != ZKI_OK)
            return st;
        return set_out(g, n, 0, x->et, r, d);
    }
    case ZKI_OP_EXPAND: {
        const zki_tensor *sh = const_int(g, n, 1);
        if (!sh)
            return NF(ZKI_ERR_UNSUPPORTED, "shape is not constant");
        if (sh->rank != 1 || zki_tensor_numel(sh) > ZKI_MAX_RANK)
            return NF(ZKI_ERR_UNSUPPORTED, "shape must be 1-D with at most %d values", ZKI_MAX_RANK);
        int sr = (int)zki_tensor_numel(sh);
        for (int a = 0; a < sr; a++)
            if (sh->i[a] < 0)
                return NF(ZKI_ERR_INPUT, "shape has a negative dimension");
        if (!zki_bcast_shape(r, x->dims, sr, sh->i, &ro, d))
            return NF(ZKI_ERR_INPUT, "input does not broadcast to the shape");
        return set_out(g, n, 0, x->et, ro, d);
    }
    case ZKI_OP_LSTM: case ZKI_OP_GRU: {
        /* the shapes only; zki_graph_prepare unrolls the node (recurrent.h) */
        int gates = n->op == ZKI_OP_LSTM ? 4 : 3;
        if ((st = need_float(n, x)) != ZKI_OK)
            return st;
        const zki_tensor *rt = input_at(n, 2) >= 0 ? &g->t[n->in[2]] : NULL;
        if (x->rank != 3 || y->rank != 3 || !rt || rt->rank != 3)
            return NF(ZKI_ERR_INPUT, "X, W and R must be 3-D");
        int64_t hs = zki_attr_int(n, "hidden_size", rt->dims[2]);
        int layout = zki_attr_int(n, "layout", 0) != 0;
        int64_t T = x->dims[layout], B = x->dims[1 - layout], D = y->dims[0];
        if (hs < 1 || y->dims[1] != gates * hs || y->dims[2] != x->dims[2] || rt->dims[0] != D ||
            rt->dims[1] != gates * hs || rt->dims[2] != hs || (D != 1 && D != 2))
            return NF(ZKI_ERR_INPUT, "W %s / R %s do not fit X %s and hidden_size %lld",
                      zki_shape_str(3, y->dims, (char[64]){0}, 64), zki_shape_str(3, rt->dims, (char[64]){0}, 64),
                      zki_shape_str(3, x->dims, (char[64]){0}, 64), (long long)hs);
        int64_t yd[4] = {T, D, B, hs}, hd[3] = {D, B, hs};
        if (layout) {
            yd[0] = B;
            yd[2] = T;
            hd[0] = B;
            hd[1] = D;
        }
        if ((st = set_out(g, n, 0, x->et, 4, yd)) != ZKI_OK || (st = set_out(g, n, 1, x->et, 3, hd)) != ZKI_OK)
            return st;
        return set_out(g, n, 2, x->et, 3, hd);
    }
    case ZKI_OP_IDENTITY: case ZKI_OP_DROPOUT:
        if (n->op == ZKI_OP_DROPOUT && input_at(n, 2) >= 0) {
            const zki_tensor *tm = const_int(g, n, 2);
            if (!tm || zki_tensor_numel(tm) != 1 || tm->i[0] != 0)
                return NF(ZKI_ERR_UNSUPPORTED, "training_mode must be a constant false (inference only)");
        }
        if ((st = same_out(g, n, x)) != ZKI_OK)
            return st;
        return set_out(g, n, 1, ZKI_ET_BOOL, r, x->dims);
    default:
        return NF(ZKI_ERR_UNSUPPORTED, "no shape inference");
    }
}
