#include "onnx/onnx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/file_read.h"
#include "graph/passes.h"
#include "graph/refusals.h"
#include "onnx/onnx.pb-c.h"

static float half_to_float(uint16_t h)
{
    int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
    float v;
    if (e == 0)
        v = ldexpf((float)m, -24);
    else if (e == 31)
        v = m ? NAN : INFINITY;
    else
        v = ldexpf((float)(m | 1024), e - 25);
    return s ? -v : v;
}

/* Byte width of an element in raw_data; 0 if the type is unsupported. */
static size_t et_size(int et)
{
    switch (et) {
    case ZKI_ET_FLOAT: case ZKI_ET_INT32: case ZKI_ET_UINT32: return 4;
    case ZKI_ET_DOUBLE: case ZKI_ET_INT64: case ZKI_ET_UINT64: return 8;
    case ZKI_ET_INT16: case ZKI_ET_UINT16: case ZKI_ET_FLOAT16: return 2;
    case ZKI_ET_INT8: case ZKI_ET_UINT8: case ZKI_ET_BOOL: return 1;
    }
    return 0;
}

/* Reads element k of little-endian raw data of type et. */
static void raw_elem(const uint8_t *p, int et, float *f, int64_t *i)
{
    uint64_t u = 0;
    size_t w = et_size(et);
    for (size_t b = 0; b < w; b++)
        u |= (uint64_t)p[b] << (8 * b);
    switch (et) {
    case ZKI_ET_FLOAT: { uint32_t x = (uint32_t)u; float v; memcpy(&v, &x, 4); *f = v; break; }
    case ZKI_ET_DOUBLE: { double v; memcpy(&v, &u, 8); *f = (float)v; break; }
    case ZKI_ET_FLOAT16: *f = half_to_float((uint16_t)u); break;
    case ZKI_ET_INT8: *i = (int8_t)(uint8_t)u; break;
    case ZKI_ET_INT16: *i = (int16_t)(uint16_t)u; break;
    case ZKI_ET_INT32: *i = (int32_t)(uint32_t)u; break;
    case ZKI_ET_INT64: *i = (int64_t)u; break;
    case ZKI_ET_BOOL: *i = u != 0; break;
    default: *i = (int64_t)u; break; /* unsigned types */
    }
}

/* Decodes a TensorProto into rank/dims and freshly allocated data. */
static zki_status decode_tensor(const Onnx__TensorProto *tp, zki_host_tensor *out)
{
    memset(out, 0, sizeof *out);
    const char *nm = tp->name ? tp->name : "";
    int et = tp->has_data_type ? tp->data_type : 0;
    if (zki_et_is_float(et) < 0)
        return zki_fail(ZKI_ERR_UNSUPPORTED, "tensor '%s': element type %d (%s) is not supported", nm, et,
                        zki_et_name(et));
    if (tp->n_dims > ZKI_MAX_RANK)
        return zki_fail(ZKI_ERR_UNSUPPORTED, "tensor '%s': rank %zu exceeds %d", nm, tp->n_dims, ZKI_MAX_RANK);
    if (tp->n_external_data > 0 || (tp->has_data_location && tp->data_location == 1))
        return zki_fail(ZKI_ERR_UNSUPPORTED, "tensor '%s': external data is not supported (save the model with weights inside)", nm);
    if (tp->segment)
        return zki_fail(ZKI_ERR_UNSUPPORTED, "tensor '%s': segmented tensors are not supported", nm);
    out->et = et;
    out->rank = (int)tp->n_dims;
    for (size_t k = 0; k < tp->n_dims; k++)
        out->dims[k] = tp->dims[k];
    int64_t n = zki_shape_numel(out->rank, out->dims);
    if (n < 0)
        return zki_fail(ZKI_ERR_INPUT, "tensor '%s': invalid or too large shape", nm);
    int isf = zki_et_is_float(et);
    size_t w = et_size(et);
    size_t have;
    if (tp->has_raw_data)
        have = tp->raw_data.len / w;
    else if (et == ZKI_ET_FLOAT)
        have = tp->n_float_data;
    else if (et == ZKI_ET_DOUBLE)
        have = tp->n_double_data;
    else if (et == ZKI_ET_INT64)
        have = tp->n_int64_data;
    else if (et == ZKI_ET_UINT32 || et == ZKI_ET_UINT64)
        have = tp->n_uint64_data;
    else
        have = tp->n_int32_data;
    if (tp->has_raw_data && tp->raw_data.len != (size_t)n * w)
        return zki_fail(ZKI_ERR_INPUT, "tensor '%s': raw_data has %zu bytes, shape needs %lld", nm,
                        tp->raw_data.len, (long long)n * (long long)w);
    if (have != (size_t)n)
        return zki_fail(ZKI_ERR_INPUT, "tensor '%s': has %zu values, shape needs %lld", nm, have, (long long)n);
    size_t cnt = n > 0 ? (size_t)n : 1;
    if (isf)
        out->f = malloc(cnt * sizeof(float));
    else
        out->i = malloc(cnt * sizeof(int64_t));
    if (!out->f && !out->i)
        return zki_fail(ZKI_ERR_NOMEM, "tensor '%s': out of memory", nm);
    for (int64_t k = 0; k < n; k++) {
        float fv = 0;
        int64_t iv = 0;
        if (tp->has_raw_data) {
            raw_elem(tp->raw_data.data + (size_t)k * w, et, &fv, &iv);
        } else if (et == ZKI_ET_FLOAT) {
            fv = tp->float_data[k];
        } else if (et == ZKI_ET_DOUBLE) {
            fv = (float)tp->double_data[k];
        } else if (et == ZKI_ET_FLOAT16) {
            fv = half_to_float((uint16_t)tp->int32_data[k]);
        } else if (et == ZKI_ET_INT64) {
            iv = tp->int64_data[k];
        } else if (et == ZKI_ET_UINT32 || et == ZKI_ET_UINT64) {
            iv = (int64_t)tp->uint64_data[k];
        } else if (et == ZKI_ET_BOOL) {
            iv = tp->int32_data[k] != 0;
        } else {
            iv = tp->int32_data[k];
        }
        if (isf)
            out->f[k] = fv;
        else
            out->i[k] = iv;
    }
    return ZKI_OK;
}

zki_status zki_onnx_read_tensor_buffer(const uint8_t *buf, size_t len, zki_host_tensor *out)
{
    memset(out, 0, sizeof *out);
    Onnx__TensorProto *tp = onnx__tensor_proto__unpack(NULL, len, buf);
    if (!tp)
        return zki_fail(ZKI_ERR_INPUT, "not a valid ONNX TensorProto (%zu bytes, truncated or corrupt)", len);
    zki_status st = decode_tensor(tp, out);
    onnx__tensor_proto__free_unpacked(tp, NULL);
    if (st != ZKI_OK)
        zki_host_tensor_clear(out);
    return st;
}

zki_status zki_onnx_read_tensor_file(const char *path, zki_host_tensor *out)
{
    uint8_t *buf;
    size_t len;
    memset(out, 0, sizeof *out);
    zki_status st = zki_read_file(path, ZKI_ONNX_MAX_FILE_BYTES, &buf, &len);
    if (st != ZKI_OK)
        return st;
    st = zki_onnx_read_tensor_buffer(buf, len, out);
    free(buf);
    return st;
}

/* Makes tensor `idx` a constant holding the decoded data. */
static void take_const(zki_graph *g, int idx, zki_host_tensor *h)
{
    zki_tensor *t = &g->t[idx];
    t->et = h->et;
    zki_tensor_set_const(t, h->rank, h->dims, h->f, h->i);
    h->f = NULL;
    h->i = NULL;
}

static zki_status copy_attr(zki_attr *a, const Onnx__AttributeProto *ap, const char *node, const char *op)
{
    memset(a, 0, sizeof *a);
    size_t nl = strlen(ap->name ? ap->name : "");
    a->name = malloc(nl + 1);
    if (!a->name)
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    memcpy(a->name, ap->name ? ap->name : "", nl + 1);
    switch (ap->type) {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT:
        a->type = ZKI_A_FLOAT;
        a->f = ap->f;
        return ZKI_OK;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT:
        a->type = ZKI_A_INT;
        a->i = ap->i;
        return ZKI_OK;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING:
        a->type = ZKI_A_STRING;
        a->s = malloc(ap->s.len + 1);
        if (!a->s)
            return zki_fail(ZKI_ERR_NOMEM, "out of memory");
        if (ap->s.len)
            memcpy(a->s, ap->s.data, ap->s.len);
        a->s[ap->s.len] = '\0';
        return ZKI_OK;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS:
        a->type = ZKI_A_FLOATS;
        a->n = (int)ap->n_floats;
        a->fs = malloc(sizeof(float) * (ap->n_floats + 1));
        if (!a->fs)
            return zki_fail(ZKI_ERR_NOMEM, "out of memory");
        if (ap->n_floats)
            memcpy(a->fs, ap->floats, sizeof(float) * ap->n_floats);
        return ZKI_OK;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
        a->type = ZKI_A_INTS;
        a->n = (int)ap->n_ints;
        a->is = malloc(sizeof(int64_t) * (ap->n_ints + 1));
        if (!a->is)
            return zki_fail(ZKI_ERR_NOMEM, "out of memory");
        if (ap->n_ints)
            memcpy(a->is, ap->ints, sizeof(int64_t) * ap->n_ints);
        return ZKI_OK;
    default:
        /* Tensor attributes only occur on Constant, handled by the caller;
         * graphs, sparse tensors and types are not part of the op set. */
        return zki_fail(ZKI_ERR_UNSUPPORTED, "node '%s' (%s): attribute '%s' of type %d is not supported",
                        node, op, a->name, (int)ap->type);
    }
}

/* Constant node: its value becomes a constant tensor, no node is kept. */
static zki_status constant_node(zki_graph *g, const Onnx__NodeProto *np, int opset)
{
    const char *nm = np->name ? np->name : "";
    if (np->n_output != 1 || np->n_attribute != 1)
        return zki_fail(ZKI_ERR_INPUT, "node '%s' (Constant, opset %d): needs one output and one value attribute", nm, opset);
    const Onnx__AttributeProto *ap = np->attribute[0];
    const char *an = ap->name ? ap->name : "";
    zki_host_tensor h;
    memset(&h, 0, sizeof h);
    zki_status st = ZKI_OK;
    if (strcmp(an, "value") == 0 && ap->t) {
        st = decode_tensor(ap->t, &h);
    } else if (strcmp(an, "value_float") == 0) {
        h.et = ZKI_ET_FLOAT;
        h.f = malloc(sizeof(float));
        if (h.f)
            h.f[0] = ap->f;
    } else if (strcmp(an, "value_int") == 0) {
        h.et = ZKI_ET_INT64;
        h.i = malloc(sizeof(int64_t));
        if (h.i)
            h.i[0] = ap->i;
    } else if (strcmp(an, "value_floats") == 0) {
        h.et = ZKI_ET_FLOAT;
        h.rank = 1;
        h.dims[0] = (int64_t)ap->n_floats;
        h.f = malloc(sizeof(float) * (ap->n_floats + 1));
        if (h.f && ap->n_floats)
            memcpy(h.f, ap->floats, sizeof(float) * ap->n_floats);
    } else if (strcmp(an, "value_ints") == 0) {
        h.et = ZKI_ET_INT64;
        h.rank = 1;
        h.dims[0] = (int64_t)ap->n_ints;
        h.i = malloc(sizeof(int64_t) * (ap->n_ints + 1));
        if (h.i && ap->n_ints)
            memcpy(h.i, ap->ints, sizeof(int64_t) * ap->n_ints);
    } else {
        return zki_fail(ZKI_ERR_UNSUPPORTED, "node '%s' (Constant, opset %d): attribute '%s' is not supported", nm, opset, an);
    }
    if (st != ZKI_OK) {
        zki_host_tensor_clear(&h);
        return zki_fail_ctx(st, "node '%s' (Constant, opset %d)", nm, opset);
    }
    if (!h.f && !h.i)
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    const char *on = np->output[0] ? np->output[0] : "";
    if (on[0] == '\0' || zki_graph_find(g, on) >= 0) {
        zki_host_tensor_clear(&h);
        return zki_fail(ZKI_ERR_INPUT, "node '%s' (Constant, opset %d): output name '%s' is empty or defined twice", nm, opset, on);
    }
    int idx = zki_graph_add_tensor(g, on, ZKI_T_CONST, h.et);
    if (idx < 0) {
        zki_host_tensor_clear(&h);
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    }
    take_const(g, idx, &h);
    return ZKI_OK;
}

/* ConstantOfShape's value (a tensor attribute): a constant wired as the
 * node's input 1. */
static zki_status value_input(zki_graph *g, int ni, const Onnx__TensorProto *tp)
{
    zki_host_tensor h;
    zki_status st = decode_tensor(tp, &h);
    if (st != ZKI_OK) {
        zki_host_tensor_clear(&h);
        return st;
    }
    if (zki_host_tensor_numel(&h) != 1) {
        zki_host_tensor_clear(&h);
        return zki_fail(ZKI_ERR_INPUT, "value must hold one element");
    }
    char nm[300];
    snprintf(nm, sizeof nm, "%s::value", g->nodes[ni].name);
    int idx = zki_graph_add_tensor(g, nm, ZKI_T_CONST, h.et);
    int *in = idx >= 0 ? realloc(g->nodes[ni].in, sizeof(int) * 2) : NULL;
    if (!in) {
        zki_host_tensor_clear(&h);
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    }
    take_const(g, idx, &h);
    zki_node *n = &g->nodes[ni];
    n->in = in;
    if (n->n_in < 1)
        in[0] = -1;
    in[1] = idx;
    n->n_in = 2;
    return ZKI_OK;
}

/* Static input shape from a ValueInfo; a symbolic leading (batch) dim is 1. */
static zki_status input_shape(zki_tensor *t, const Onnx__ValueInfoProto *vi)
{
    const Onnx__TypeProto *tp = vi->type;
    if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type)
        return zki_fail(ZKI_ERR_UNSUPPORTED, "graph input '%s': only tensor inputs are supported", t->name);
    const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
    t->et = tt->has_elem_type ? tt->elem_type : 0;
    if (zki_et_is_float(t->et) < 0)
        return zki_fail(ZKI_ERR_UNSUPPORTED, "graph input '%s': element type %d is not supported", t->name, t->et);
    if (!tt->shape)
        return zki_fail(ZKI_ERR_UNSUPPORTED, "graph input '%s': no shape given; export with fixed input shapes", t->name);
    if (tt->shape->n_dim > ZKI_MAX_RANK)
        return zki_fail(ZKI_ERR_UNSUPPORTED, "graph input '%s': rank %zu exceeds %d", t->name, tt->shape->n_dim, ZKI_MAX_RANK);
    t->rank = (int)tt->shape->n_dim;
    for (int k = 0; k < t->rank; k++) {
        const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[k];
        if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE && d->dim_value >= 0) {
            t->dims[k] = d->dim_value;
        } else if (k == 0) {
            t->dims[k] = 1; /* dynamic batch: one sample */
        } else {
            const char *p = d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM && d->dim_param
                                ? d->dim_param : "?";
            return zki_fail(ZKI_ERR_UNSUPPORTED,
                            "graph input '%s': dynamic dimension %d ('%s') cannot be resolved; export with fixed shapes",
                            t->name, k, p);
        }
    }
    if (zki_tensor_numel(t) < 0)
        return zki_fail(ZKI_ERR_INPUT, "graph input '%s': shape too large", t->name);
    t->shape_known = 1;
    return ZKI_OK;
}

/* Every node the importer cannot take (another domain, an unknown op, too
 * many inputs), all named at once and grouped, before anything is built. */
static zki_status refuse_nodes(const Onnx__GraphProto *gp, int opset)
{
    zki_refusals r = {0};
    for (size_t k = 0; k < gp->n_node; k++) {
        const Onnx__NodeProto *np = gp->node[k];
        const char *ot = np->op_type ? np->op_type : "";
        char synth[32], why[256];
        snprintf(synth, sizeof synth, "node_%zu", k);
        const char *nm = (np->name && np->name[0]) ? np->name : synth;
        const char *dom = np->domain ? np->domain : "";
        if (dom[0] != '\0' && strcmp(dom, "ai.onnx") != 0) {
            snprintf(why, sizeof why, "domain '%s': only the default ONNX domain is supported", dom);
            zki_refusals_add(&r, ot, nm, why);
        } else if (zki_op_from_name(ot) < 0) {
            snprintf(why, sizeof why, "no such operator in zkinfer (opset %d)%s", opset, zki_refusal_remedy(ot, opset));
            zki_refusals_add(&r, ot, nm, why);
        } else if (np->n_input > (strcmp(ot, "Concat") ? ZKI_MAX_NODE_IN : ZKI_MAX_CONCAT_IN) || np->n_output > 8) {
            snprintf(why, sizeof why, "at most %d inputs and 8 outputs (has %zu and %zu)%s",
                     strcmp(ot, "Concat") ? ZKI_MAX_NODE_IN : ZKI_MAX_CONCAT_IN, np->n_input, np->n_output,
                     strcmp(ot, "Concat") ? "" : ": concatenate in stages");
            zki_refusals_add(&r, ot, nm, why);
        }
    }
    return zki_refusals_fail(&r, ZKI_ERR_UNSUPPORTED);
}

static zki_status build(zki_graph *g, const Onnx__ModelProto *m)
{
    int opset = -1;
    for (size_t k = 0; k < m->n_opset_import; k++) {
        const Onnx__OperatorSetIdProto *os = m->opset_import[k];
        const char *d = os->domain ? os->domain : "";
        if ((d[0] == '\0' || strcmp(d, "ai.onnx") == 0) && os->has_version)
            opset = (int)os->version;
    }
    if (opset < 0)
        return zki_fail(ZKI_ERR_UNSUPPORTED, "model imports no opset of the default ONNX domain");
    if (opset < ZKI_ONNX_OPSET_MIN || opset > ZKI_ONNX_OPSET_MAX)
        return zki_fail(ZKI_ERR_UNSUPPORTED, "opset %d is not supported (supported: %d to %d)", opset,
                        ZKI_ONNX_OPSET_MIN, ZKI_ONNX_OPSET_MAX);
    g->opset = opset;
    if (m->producer_name) {
        size_t n = strlen(m->producer_name) + 1;
        g->producer = malloc(n);
        if (g->producer)
            memcpy(g->producer, m->producer_name, n);
    }
    const Onnx__GraphProto *gp = m->graph;
    if (!gp)
        return zki_fail(ZKI_ERR_INPUT, "model has no graph");
    if (gp->n_sparse_initializer)
        return zki_fail(ZKI_ERR_UNSUPPORTED, "sparse initializers are not supported");

    for (size_t k = 0; k < gp->n_initializer; k++) {
        const Onnx__TensorProto *tp = gp->initializer[k];
        const char *nm = tp->name ? tp->name : "";
        if (nm[0] == '\0' || zki_graph_find(g, nm) >= 0)
            return zki_fail(ZKI_ERR_INPUT, "initializer %zu: name '%s' is empty or defined twice", k, nm);
        zki_host_tensor h;
        zki_status st = decode_tensor(tp, &h);
        if (st != ZKI_OK) {
            zki_host_tensor_clear(&h);
            return st;
        }
        int idx = zki_graph_add_tensor(g, nm, ZKI_T_CONST, h.et);
        if (idx < 0) {
            zki_host_tensor_clear(&h);
            return zki_fail(ZKI_ERR_NOMEM, "out of memory");
        }
        take_const(g, idx, &h);
    }

    g->inputs = malloc(sizeof(int) * (gp->n_input + 1));
    g->outputs = malloc(sizeof(int) * (gp->n_output + 1));
    if (!g->inputs || !g->outputs)
        return zki_fail(ZKI_ERR_NOMEM, "out of memory");
    for (size_t k = 0; k < gp->n_input; k++) {
        const Onnx__ValueInfoProto *vi = gp->input[k];
        const char *nm = vi->name ? vi->name : "";
        if (zki_graph_find(g, nm) >= 0)
            continue; /* an initializer listed as input (old exporters): a constant */
        if (nm[0] == '\0')
            return zki_fail(ZKI_ERR_INPUT, "graph input %zu has no name", k);
        int idx = zki_graph_add_tensor(g, nm, ZKI_T_INPUT, 0);
        if (idx < 0)
            return zki_fail(ZKI_ERR_NOMEM, "out of memory");
        zki_status st = input_shape(&g->t[idx], vi);
        if (st != ZKI_OK)
            return st;
        g->inputs[g->n_inputs++] = idx;
    }

    zki_status rst = refuse_nodes(gp, opset);
    if (rst != ZKI_OK)
        return rst;
    for (size_t k = 0; k < gp->n_node; k++) {
        const Onnx__NodeProto *np = gp->node[k];
        const char *ot = np->op_type ? np->op_type : "";
        char synth[32];
        snprintf(synth, sizeof synth, "node_%zu", k);
        const char *nm = (np->name && np->name[0]) ? np->name : synth;
        int op = zki_op_from_name(ot);
        if (op == ZKI_OP_CONSTANT) {
            zki_status st = constant_node(g, np, opset);
            if (st != ZKI_OK)
                return st;
            continue;
        }
        int ni = zki_graph_add_node(g, op, nm, (int)np->n_input, (int)np->n_output);
        if (ni < 0)
            return zki_fail(ZKI_ERR_NOMEM, "out of memory");
        zki_node *n = &g->nodes[ni];
        for (size_t a = 0; a < np->n_input; a++) {
            const char *in = np->input[a] ? np->input[a] : "";
            if (in[0] == '\0')
                continue;
            int ti = zki_graph_find(g, in);
            if (ti < 0)
                return zki_fail(ZKI_ERR_INPUT, "node '%s' (op %s, opset %d): input '%s' is not defined before use",
                                nm, ot, opset, in);
            n->in[a] = ti;
        }
        for (size_t a = 0; a < np->n_output; a++) {
            const char *on = np->output[a] ? np->output[a] : "";
            if (on[0] == '\0')
                continue;
            if (zki_graph_find(g, on) >= 0)
                return zki_fail(ZKI_ERR_INPUT, "node '%s' (op %s, opset %d): output '%s' is defined twice",
                                nm, ot, opset, on);
            int ti = zki_graph_add_tensor(g, on, ZKI_T_VALUE, 0);
            if (ti < 0)
                return zki_fail(ZKI_ERR_NOMEM, "out of memory");
            n = &g->nodes[ni];
            n->out[a] = ti;
            g->t[ti].producer = ni;
        }
        n->attr = calloc(np->n_attribute + 1, sizeof(zki_attr));
        if (!n->attr)
            return zki_fail(ZKI_ERR_NOMEM, "out of memory");
        for (size_t a = 0; a < np->n_attribute; a++) {
            const Onnx__AttributeProto *ap = np->attribute[a];
            if (op == ZKI_OP_CONSTANTOFSHAPE && ap->t && ap->name && !strcmp(ap->name, "value")) {
                zki_status st = value_input(g, ni, ap->t);
                if (st != ZKI_OK)
                    return zki_fail_ctx(st, "node '%s' (%s, opset %d)", nm, ot, opset);
                n = &g->nodes[ni];
                continue;
            }
            zki_status st = copy_attr(&n->attr[n->n_attr], ap, nm, ot);
            n->n_attr++;
            if (st != ZKI_OK)
                return st;
        }
    }

    for (size_t k = 0; k < gp->n_output; k++) {
        const char *on = gp->output[k]->name ? gp->output[k]->name : "";
        int ti = zki_graph_find(g, on);
        if (ti < 0)
            return zki_fail(ZKI_ERR_INPUT, "graph output '%s' is not produced by any node", on);
        g->outputs[g->n_outputs++] = ti;
    }
    if (g->n_outputs == 0)
        return zki_fail(ZKI_ERR_INPUT, "graph has no outputs");
    return ZKI_OK;
}

zki_status zki_onnx_parse_buffer(const uint8_t *buf, size_t len, zki_graph **out)
{
    *out = NULL;
    if (!buf || len == 0)
        return zki_fail(ZKI_ERR_INPUT, "empty ONNX model");
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
    if (!m)
        return zki_fail(ZKI_ERR_INPUT, "not a valid ONNX model (%zu bytes): protobuf decoding failed, file truncated or corrupt", len);
    zki_graph *g = zki_graph_new();
    zki_status st = g ? build(g, m) : zki_fail(ZKI_ERR_NOMEM, "out of memory");
    onnx__model_proto__free_unpacked(m, NULL);
    if (st != ZKI_OK) {
        zki_graph_free(g);
        return st;
    }
    *out = g;
    return ZKI_OK;
}

int zki_onnx_is_model(const uint8_t *buf, size_t len)
{
    Onnx__ModelProto *m = len ? onnx__model_proto__unpack(NULL, len, buf) : NULL;
    int ok = m && m->graph && m->n_opset_import > 0;
    if (m)
        onnx__model_proto__free_unpacked(m, NULL);
    return ok;
}

zki_status zki_onnx_load_buffer(const uint8_t *buf, size_t len, zki_graph **out)
{
    zki_graph *g;
    zki_status st = zki_onnx_parse_buffer(buf, len, &g);
    if (st != ZKI_OK) {
        *out = NULL;
        return st;
    }
    st = zki_graph_prepare(g);
    if (st != ZKI_OK) {
        zki_graph_free(g);
        *out = NULL;
        return st;
    }
    *out = g;
    return ZKI_OK;
}

zki_status zki_onnx_load_file(const char *path, zki_graph **out)
{
    uint8_t *buf;
    size_t len;
    *out = NULL;
    zki_status st = zki_read_file(path, ZKI_ONNX_MAX_FILE_BYTES, &buf, &len);
    if (st != ZKI_OK)
        return st;
    st = zki_onnx_load_buffer(buf, len, out);
    free(buf);
    if (st != ZKI_OK)
        return zki_fail_ctx(st, "%s", path);
    return ZKI_OK;
}
