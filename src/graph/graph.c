#include "graph/graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const zki_op_names[ZKI_OP_COUNT] = {
    "Gemm", "MatMul", "Add", "Sub", "Mul", "Div",
    "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip",
    "Conv", "MaxPool", "AveragePool", "GlobalAveragePool",
    "BatchNormalization", "Flatten", "Reshape", "Transpose",
    "Concat", "Slice", "Squeeze", "Unsqueeze", "Pad",
    "Softmax", "LayerNormalization", "Gelu", "Erf", "Pow",
    "Sqrt", "ReduceMean", "Gather", "Where", "Cast",
    "Shape", "Constant", "Identity", "Dropout",
    "HardSigmoid", "HardSwish", "Exp", "Log", "Reciprocal", "Softplus",
    "Elu", "Selu", "Celu", "Mish", "Softsign", "Neg", "Abs",
    "PRelu", "Swish",
    "Expand", "LSTM", "GRU",
    "Split", "Resize", "ReduceSum", "ReduceMax",
    "ConstantOfShape", "Equal",
    "InstanceNormalization", "RMSNormalization",
};

const char *zki_op_name(int op)
{
    return (op >= 0 && op < ZKI_OP_COUNT) ? zki_op_names[op] : "?";
}

int zki_op_from_name(const char *s)
{
    for (int i = 0; i < ZKI_OP_COUNT; i++)
        if (strcmp(s, zki_op_names[i]) == 0)
            return i;
    return -1;
}

int zki_et_is_float(int et)
{
    switch (et) {
    case ZKI_ET_FLOAT: case ZKI_ET_FLOAT16: case ZKI_ET_DOUBLE: return 1;
    case ZKI_ET_UINT8: case ZKI_ET_INT8: case ZKI_ET_UINT16: case ZKI_ET_INT16:
    case ZKI_ET_INT32: case ZKI_ET_INT64: case ZKI_ET_BOOL: case ZKI_ET_UINT32:
    case ZKI_ET_UINT64: return 0;
    }
    return -1;
}

const char *zki_et_name(int et)
{
    switch (et) {
    case ZKI_ET_FLOAT: return "float32";
    case ZKI_ET_UINT8: return "uint8";
    case ZKI_ET_INT8: return "int8";
    case ZKI_ET_UINT16: return "uint16";
    case ZKI_ET_INT16: return "int16";
    case ZKI_ET_INT32: return "int32";
    case ZKI_ET_INT64: return "int64";
    case ZKI_ET_BOOL: return "bool";
    case ZKI_ET_FLOAT16: return "float16";
    case ZKI_ET_DOUBLE: return "float64";
    case ZKI_ET_UINT32: return "uint32";
    case ZKI_ET_UINT64: return "uint64";
    }
    return "unsupported";
}

zki_graph *zki_graph_new(void)
{
    return calloc(1, sizeof(zki_graph));
}

static void attr_free(zki_attr *a)
{
    free(a->name);
    free(a->s);
    free(a->fs);
    free(a->is);
}

void zki_graph_free(zki_graph *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->n_tensors; i++) {
        free(g->t[i].name);
        free(g->t[i].f);
        free(g->t[i].i);
    }
    for (int i = 0; i < g->n_nodes; i++) {
        zki_node *n = &g->nodes[i];
        free(n->name);
        free(n->in);
        free(n->out);
        for (int a = 0; a < n->n_attr; a++)
            attr_free(&n->attr[a]);
        free(n->attr);
    }
    free(g->t);
    free(g->nodes);
    free(g->inputs);
    free(g->outputs);
    free(g->producer);
    free(g);
}

int64_t zki_shape_numel(int rank, const int64_t *dims)
{
    int64_t n = 1;
    for (int i = 0; i < rank; i++) {
        if (dims[i] < 0)
            return -1;
        if (dims[i] && n > ((int64_t)1 << 40) / dims[i])
            return -1;
        n *= dims[i];
    }
    return n;
}

int64_t zki_tensor_numel(const zki_tensor *t)
{
    return zki_shape_numel(t->rank, t->dims);
}

void zki_host_tensor_clear(zki_host_tensor *t)
{
    free(t->f);
    free(t->i);
    memset(t, 0, sizeof *t);
}

int64_t zki_host_tensor_numel(const zki_host_tensor *t)
{
    return zki_shape_numel(t->rank, t->dims);
}

static char *dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int zki_graph_add_tensor(zki_graph *g, const char *name, int kind, int et)
{
    if (g->n_tensors == g->cap_tensors) {
        int cap = g->cap_tensors ? 2 * g->cap_tensors : 64;
        zki_tensor *t = realloc(g->t, (size_t)cap * sizeof *t);
        if (!t)
            return -1;
        g->t = t;
        g->cap_tensors = cap;
    }
    zki_tensor *t = &g->t[g->n_tensors];
    memset(t, 0, sizeof *t);
    t->name = dup_string(name ? name : "");
    if (!t->name)
        return -1;
    t->kind = kind;
    t->et = et;
    t->producer = -1;
    return g->n_tensors++;
}

int zki_graph_find(const zki_graph *g, const char *name)
{
    /* Searched from the end so a later definition shadows nothing older:
     * ONNX names are unique (SSA), the importer rejects duplicates. */
    for (int i = g->n_tensors - 1; i >= 0; i--)
        if (strcmp(g->t[i].name, name) == 0)
            return i;
    return -1;
}

int zki_graph_add_node(zki_graph *g, int op, const char *name, int n_in, int n_out)
{
    if (g->n_nodes == g->cap_nodes) {
        int cap = g->cap_nodes ? 2 * g->cap_nodes : 64;
        zki_node *n = realloc(g->nodes, (size_t)cap * sizeof *n);
        if (!n)
            return -1;
        g->nodes = n;
        g->cap_nodes = cap;
    }
    zki_node *n = &g->nodes[g->n_nodes];
    memset(n, 0, sizeof *n);
    n->op = op;
    n->opset = g->opset;
    n->name = dup_string(name ? name : "");
    n->in = malloc(sizeof(int) * (size_t)(n_in > 0 ? n_in : 1));
    n->out = malloc(sizeof(int) * (size_t)(n_out > 0 ? n_out : 1));
    if (!n->name || !n->in || !n->out) {
        free(n->name);
        free(n->in);
        free(n->out);
        return -1;
    }
    n->n_in = n_in;
    n->n_out = n_out;
    for (int i = 0; i < n_in; i++)
        n->in[i] = -1;
    for (int i = 0; i < n_out; i++)
        n->out[i] = -1;
    return g->n_nodes++;
}

int zki_graph_add_float_const(zki_graph *g, const char *node, const char *what, int rank, const int64_t *dims,
                              float *f)
{
    char nm[300];
    snprintf(nm, sizeof nm, "%s::%s", node, what);
    int t = zki_graph_add_tensor(g, nm, ZKI_T_CONST, ZKI_ET_FLOAT);
    if (t < 0)
        free(f);
    else
        zki_tensor_set_const(&g->t[t], rank, dims, f, NULL);
    return t;
}

void zki_tensor_set_const(zki_tensor *t, int rank, const int64_t *dims, float *f, int64_t *i)
{
    free(t->f);
    free(t->i);
    t->kind = ZKI_T_CONST;
    t->rank = rank;
    for (int k = 0; k < rank; k++)
        t->dims[k] = dims[k];
    t->f = f;
    t->i = i;
    t->shape_known = 1;
}

const zki_attr *zki_attr_get(const zki_node *n, const char *name)
{
    for (int a = 0; a < n->n_attr; a++)
        if (strcmp(n->attr[a].name, name) == 0)
            return &n->attr[a];
    return NULL;
}

int64_t zki_attr_int(const zki_node *n, const char *name, int64_t dflt)
{
    const zki_attr *a = zki_attr_get(n, name);
    if (!a)
        return dflt;
    if (a->type == ZKI_A_INT)
        return a->i;
    if (a->type == ZKI_A_FLOAT)
        return (int64_t)a->f;
    return dflt;
}

double zki_attr_float(const zki_node *n, const char *name, double dflt)
{
    const zki_attr *a = zki_attr_get(n, name);
    if (!a)
        return dflt;
    if (a->type == ZKI_A_FLOAT)
        return a->f;
    if (a->type == ZKI_A_INT)
        return (double)a->i;
    return dflt;
}

const char *zki_attr_str(const zki_node *n, const char *name, const char *dflt)
{
    const zki_attr *a = zki_attr_get(n, name);
    return (a && a->type == ZKI_A_STRING && a->s) ? a->s : dflt;
}

int zki_attr_ints(const zki_node *n, const char *name, const int64_t **v)
{
    const zki_attr *a = zki_attr_get(n, name);
    if (!a || a->type != ZKI_A_INTS) {
        *v = NULL;
        return 0;
    }
    *v = a->is;
    return a->n;
}

/* The attribute `name` of n, emptied (found or appended); NULL when out of
 * memory. */
static zki_attr *attr_slot(zki_node *n, const char *name)
{
    zki_attr *a = NULL;
    for (int k = 0; k < n->n_attr && !a; k++)
        if (strcmp(n->attr[k].name, name) == 0) {
            a = &n->attr[k];
            attr_free(a);
        }
    if (!a) {
        zki_attr *na = realloc(n->attr, sizeof(zki_attr) * (size_t)(n->n_attr + 1));
        if (!na)
            return NULL;
        n->attr = na;
        a = &n->attr[n->n_attr++];
    }
    memset(a, 0, sizeof *a);
    a->name = dup_string(name);
    if (!a->name) {
        n->n_attr--; /* drop the slot: a nameless attribute would break lookups */
        if (a != &n->attr[n->n_attr])
            *a = n->attr[n->n_attr];
        return NULL;
    }
    return a;
}

zki_status zki_attr_set_ints(zki_node *n, const char *name, const int64_t *v, int cnt)
{
    int64_t *copy = malloc(sizeof(int64_t) * (size_t)(cnt > 0 ? cnt : 1));
    zki_attr *a = copy ? attr_slot(n, name) : NULL;
    if (!a) {
        free(copy);
        return ZKI_ERR_NOMEM;
    }
    if (cnt > 0)
        memcpy(copy, v, sizeof(int64_t) * (size_t)cnt);
    a->type = ZKI_A_INTS;
    a->is = copy;
    a->n = cnt;
    return ZKI_OK;
}

/* A scalar attribute: an int (type ZKI_A_INT) or a float. */
static zki_status attr_set_scalar(zki_node *n, const char *name, int type, int64_t i, double f)
{
    zki_attr *a = attr_slot(n, name);
    if (!a)
        return ZKI_ERR_NOMEM;
    a->type = type;
    a->i = i;
    a->f = f;
    return ZKI_OK;
}

zki_status zki_attr_set_int(zki_node *n, const char *name, int64_t v)
{
    return attr_set_scalar(n, name, ZKI_A_INT, v, 0);
}

zki_status zki_attr_set_float(zki_node *n, const char *name, double v)
{
    return attr_set_scalar(n, name, ZKI_A_FLOAT, 0, v);
}

const char *zki_shape_str(int rank, const int64_t *dims, char *buf, size_t cap)
{
    size_t o = 0;
    if (cap == 0)
        return buf;
    buf[0] = '\0';
    o += (size_t)snprintf(buf + o, cap - o, "[");
    for (int i = 0; i < rank && o < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%lld", i ? "," : "", (long long)dims[i]);
    if (o < cap)
        snprintf(buf + o, cap - o, "]");
    return buf;
}

void zki_graph_summary(const zki_graph *g, char *buf, size_t cap)
{
    size_t o = 0;
    char s[128];
#define ZKI_PUT(...)                                                          \
    do {                                                                      \
        if (o < cap)                                                          \
            o += (size_t)snprintf(buf + o, cap - o, __VA_ARGS__);             \
    } while (0)
    if (cap)
        buf[0] = '\0';
    int64_t params = 0;
    for (int i = 0; i < g->n_tensors; i++)
        if (g->t[i].kind == ZKI_T_CONST && zki_et_is_float(g->t[i].et) == 1)
            params += zki_tensor_numel(&g->t[i]);
    ZKI_PUT("graph: opset %d, %d nodes, %d tensors, %lld float parameters\n",
            g->opset, g->n_nodes, g->n_tensors, (long long)params);
    for (int i = 0; i < g->n_inputs; i++) {
        const zki_tensor *t = &g->t[g->inputs[i]];
        ZKI_PUT("  input  %s %s %s\n", t->name, zki_et_name(t->et),
                zki_shape_str(t->rank, t->dims, s, sizeof s));
    }
    for (int i = 0; i < g->n_nodes; i++) {
        const zki_node *n = &g->nodes[i];
        const zki_tensor *t = n->n_out > 0 && n->out[0] >= 0 ? &g->t[n->out[0]] : NULL;
        ZKI_PUT("  %3d %-18s %-24s -> %s\n", i, zki_op_name(n->op), n->name,
                t ? zki_shape_str(t->rank, t->dims, s, sizeof s) : "-");
    }
    for (int i = 0; i < g->n_outputs; i++) {
        const zki_tensor *t = &g->t[g->outputs[i]];
        ZKI_PUT("  output %s %s %s\n", t->name, zki_et_name(t->et),
                zki_shape_str(t->rank, t->dims, s, sizeof s));
    }
#undef ZKI_PUT
}
