/* Graph IR: a DAG of typed nodes over named tensors with static shapes.
 *
 * Tensors are numbered; nodes refer to them by index. A tensor is a graph
 * input, a constant (initializer, Constant node or folded value, data held
 * here) or the output of exactly one node. Element types are reduced to two
 * storage classes: float (float32/64/16) and integer (every int and bool
 * type, held as int64); the ONNX element type is kept for Cast and checks.
 * Nodes are kept in topological order. Attributes are copied verbatim from
 * ONNX (ints, floats, strings); the importer rewrites attribute forms of old
 * opsets into the input forms of new ones, so ops see one convention. */
#ifndef ZKI_GRAPH_GRAPH_H
#define ZKI_GRAPH_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "zkinfer.h"

#define ZKI_MAX_RANK 8
/* Most inputs a node may have (a DenseNet Concat joins dozens); the
 * quantised model (ZKI_QMAX_IN) and the proof DAG take as many. */
#define ZKI_MAX_NODE_IN 96

/* ONNX element types the IR knows (values are ONNX's). */
enum {
    ZKI_ET_FLOAT = 1, ZKI_ET_UINT8 = 2, ZKI_ET_INT8 = 3, ZKI_ET_UINT16 = 4,
    ZKI_ET_INT16 = 5, ZKI_ET_INT32 = 6, ZKI_ET_INT64 = 7, ZKI_ET_BOOL = 9,
    ZKI_ET_FLOAT16 = 10, ZKI_ET_DOUBLE = 11, ZKI_ET_UINT32 = 12, ZKI_ET_UINT64 = 13
};

/* Returns 1 for float element types, 0 for integer/bool, -1 if unsupported. */
int zki_et_is_float(int et);
const char *zki_et_name(int et);

typedef enum {
    ZKI_T_INPUT = 0,   /* graph input, data supplied at run time */
    ZKI_T_CONST = 1,   /* data known at import */
    ZKI_T_VALUE = 2    /* produced by a node */
} zki_tensor_kind;

typedef struct {
    char *name;
    int kind;               /* zki_tensor_kind */
    int et;                 /* ONNX element type */
    int rank;
    int64_t dims[ZKI_MAX_RANK];
    int shape_known;        /* set once shape inference has run on it */
    float *f;               /* constant data, float element types */
    int64_t *i;             /* constant data, integer element types */
    int producer;           /* node index, -1 if none */
    int range_tie;          /* > 0: calibrated as one range with every tensor of this tie (an
                             * unrolled recurrent layer's steps); 0: its own */
} zki_tensor;

typedef enum {
    ZKI_A_FLOAT, ZKI_A_INT, ZKI_A_STRING, ZKI_A_FLOATS, ZKI_A_INTS
} zki_attr_type;

typedef struct {
    char *name;
    int type;       /* zki_attr_type */
    double f;
    int64_t i;
    char *s;
    int n;          /* count for FLOATS / INTS */
    float *fs;
    int64_t *is;
} zki_attr;

/* Inputs of a Concat node (other nodes: 16); the quantiser joins more than
 * 16 in stages. */
#define ZKI_MAX_CONCAT_IN 1024

/* Operator types; keep in sync with zki_op_names in graph.c. */
typedef enum {
    ZKI_OP_GEMM, ZKI_OP_MATMUL, ZKI_OP_ADD, ZKI_OP_SUB, ZKI_OP_MUL, ZKI_OP_DIV,
    ZKI_OP_RELU, ZKI_OP_LEAKYRELU, ZKI_OP_SIGMOID, ZKI_OP_TANH, ZKI_OP_CLIP,
    ZKI_OP_CONV, ZKI_OP_MAXPOOL, ZKI_OP_AVGPOOL, ZKI_OP_GLOBALAVGPOOL,
    ZKI_OP_BATCHNORM, ZKI_OP_FLATTEN, ZKI_OP_RESHAPE, ZKI_OP_TRANSPOSE,
    ZKI_OP_CONCAT, ZKI_OP_SLICE, ZKI_OP_SQUEEZE, ZKI_OP_UNSQUEEZE, ZKI_OP_PAD,
    ZKI_OP_SOFTMAX, ZKI_OP_LAYERNORM, ZKI_OP_GELU, ZKI_OP_ERF, ZKI_OP_POW,
    ZKI_OP_SQRT, ZKI_OP_REDUCEMEAN, ZKI_OP_GATHER, ZKI_OP_WHERE, ZKI_OP_CAST,
    ZKI_OP_SHAPE, ZKI_OP_CONSTANT, ZKI_OP_IDENTITY, ZKI_OP_DROPOUT,
    ZKI_OP_HARDSIGMOID, ZKI_OP_HARDSWISH, ZKI_OP_EXP, ZKI_OP_LOG, ZKI_OP_RECIPROCAL, ZKI_OP_SOFTPLUS,
    ZKI_OP_ELU, ZKI_OP_SELU, ZKI_OP_CELU, ZKI_OP_MISH, ZKI_OP_SOFTSIGN, ZKI_OP_NEG, ZKI_OP_ABS,
    ZKI_OP_PRELU, ZKI_OP_SWISH,
    ZKI_OP_EXPAND, ZKI_OP_LSTM, ZKI_OP_GRU, /* LSTM, GRU: unrolled by zki_graph_prepare */
    ZKI_OP_SPLIT, ZKI_OP_RESIZE, ZKI_OP_REDUCESUM, ZKI_OP_REDUCEMAX,
    ZKI_OP_CONSTANTOFSHAPE, ZKI_OP_EQUAL, /* shape arithmetic, folded away */
    ZKI_OP_INSTANCENORM, /* GroupNorm's core too: quantised as a chain (quant/norm_lower.h) */
    ZKI_OP_RMSNORM, /* ONNX's RMSNormalization (opset 23), or torch's written-out RMSNorm fused
                     * by graph/norm_fuse.h */
    ZKI_OP_COUNT
} zki_op;

const char *zki_op_name(int op);
/* Looks up an ONNX op_type (default domain); -1 if unsupported. */
int zki_op_from_name(const char *op_type);

typedef struct {
    int op;             /* zki_op */
    char *name;         /* ONNX node name (may be synthesised) */
    int opset;          /* default-domain opset of the model */
    int n_in, n_out;
    int *in;            /* tensor indices; -1 for an omitted optional input */
    int *out;
    int n_attr;
    zki_attr *attr;
} zki_node;

typedef struct {
    int n_tensors, cap_tensors;
    zki_tensor *t;
    int n_nodes, cap_nodes;
    zki_node *nodes;
    int n_inputs, n_outputs;
    int *inputs;        /* tensor indices of graph inputs (constants excluded) */
    int *outputs;
    int opset;
    char *producer;
} zki_graph;

zki_graph *zki_graph_new(void);
void zki_graph_free(zki_graph *g);

/* Element count of a shape (1 for rank 0); -1 on a negative dim or overflow
 * past 2^40 elements, which the importer treats as an error. */
int64_t zki_shape_numel(int rank, const int64_t *dims);
int64_t zki_tensor_numel(const zki_tensor *t);

/* A tensor outside any graph: data fed to or expected from a run, decoded
 * from an ONNX TensorProto .pb file or a .npy file. Exactly one of f / i is
 * set, by the storage class of et (see above). */
typedef struct {
    int et;
    int rank;
    int64_t dims[ZKI_MAX_RANK];
    float *f;
    int64_t *i;
} zki_host_tensor;

void zki_host_tensor_clear(zki_host_tensor *t);
int64_t zki_host_tensor_numel(const zki_host_tensor *t);

/* Adds a tensor (name copied); returns its index or -1 (out of memory). */
int zki_graph_add_tensor(zki_graph *g, const char *name, int kind, int et);
/* Finds a tensor by name; -1 if absent. */
int zki_graph_find(const zki_graph *g, const char *name);
/* Adds a node with room for n_in inputs / n_out outputs (all -1); returns its
 * index or -1. */
int zki_graph_add_node(zki_graph *g, int op, const char *name, int n_in, int n_out);

/* Sets a constant: takes ownership of f (float types) or i (others). */
void zki_tensor_set_const(zki_tensor *t, int rank, const int64_t *dims, float *f, int64_t *i);
/* Appends a float constant named "<node>::<what>" holding f (taken: freed
 * on failure). Returns its index, or -1 when out of memory. */
int zki_graph_add_float_const(zki_graph *g, const char *node, const char *what, int rank, const int64_t *dims,
                              float *f);

/* Attribute lookups with defaults. */
const zki_attr *zki_attr_get(const zki_node *n, const char *name);
int64_t zki_attr_int(const zki_node *n, const char *name, int64_t dflt);
double zki_attr_float(const zki_node *n, const char *name, double dflt);
const char *zki_attr_str(const zki_node *n, const char *name, const char *dflt);
/* Integer list; returns count (0 if absent) and sets *v. */
int zki_attr_ints(const zki_node *n, const char *name, const int64_t **v);
/* Adds or replaces an integer-list attribute (copied). */
zki_status zki_attr_set_ints(zki_node *n, const char *name, const int64_t *v, int cnt);
/* Adds or replaces an integer attribute. */
zki_status zki_attr_set_int(zki_node *n, const char *name, int64_t v);
/* Adds or replaces a float attribute. */
zki_status zki_attr_set_float(zki_node *n, const char *name, double v);

/* Writes a one-line-per-node summary to buf (truncated to cap). */
void zki_graph_summary(const zki_graph *g, char *buf, size_t cap);

/* Formats a shape as "[1,3,32,32]" into buf. */
const char *zki_shape_str(int rank, const int64_t *dims, char *buf, size_t cap);

#endif
