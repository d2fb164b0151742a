/* What the norm chains share (quant/norm_lower.c, quant/norm_softmax.c):
 * their bounds and the helpers that add one tensor or node of a chain to
 * the quantised model, named NODE::what after the node being lowered. */
#ifndef ZKI_QUANT_NORM_INTERNAL_H
#define ZKI_QUANT_NORM_INTERNAL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/error.h"
#include "graph/ops.h"
#include "quant/norm_lower.h"

#define W16 32767
#define NORM_MAX_ROW 4096     /* LayerNorm: values per row */
#define SOFTMAX_MAX_ROW ZKI_NORM_SOFTMAX_MAX_ROW
#define MAX_WINDOW 8 /* a MAXPOOL axis the prover splits into passes */
#define MUL_HEADROOM 4096.0 /* 2^30 / 2^18: a MUL of two 16-bit inputs keeps its quotient below 2^18 */

static inline zki_status nomem(void)
{
    return zki_fail(ZKI_ERR_NOMEM, "out of memory while quantising");
}

/* An intermediate NODE::what (16 bits unless given) of the given shape. */
static inline int value(const zki_norm_io *io, const char *what, int bits, int rank, const int64_t *dims, double scale)
{
    char nm[300];
    snprintf(nm, sizeof nm, "%s::%s", io->n->name, what);
    return zki_qmodel_add_tensor(io->m, nm, ZKI_QT_VALUE, bits, rank, dims, scale);
}

/* A constant NODE::what owning data (freed on failure). */
static inline int constant(const zki_norm_io *io, const char *what, int bits, int rank, const int64_t *dims, double scale,
                    int64_t *data)
{
    char nm[300];
    snprintf(nm, sizeof nm, "%s::%s", io->n->name, what);
    int t = data ? zki_qmodel_add_tensor(io->m, nm, ZKI_QT_CONST, bits, rank, dims, scale) : -1;
    if (t < 0) {
        free(data);
        return -1;
    }
    io->m->t[t].data = data;
    return t;
}

static inline int node(const zki_norm_io *io, int op, const int *in, int n_in, int out, const int64_t *p, int n_p)
{
    int k = out >= 0 ? zki_qmodel_add_node(io->m, op, io->n->name) : -1;
    if (k < 0)
        return -1;
    zki_qnode *q = &io->m->nodes[k];
    q->n_in = n_in;
    for (int j = 0; j < n_in; j++)
        q->in[j] = in[j];
    q->out = out;
    q->n_p = n_p;
    for (int j = 0; j < n_p; j++)
        q->p[j] = p[j];
    return 0;
}

/* A requantised op (LINEAR, MUL, MEAN, CONV) with real multiplier mult
 * into out, its parameters after M s lo hi in extra. */
static inline zki_status rq_node_p(const zki_norm_io *io, int op, const int *in, int n_in, int out, double mult,
                            double acc, int64_t lo, int64_t hi, const int64_t *extra, int n_extra)
{
    int64_t p[ZKI_QMAX_P] = {0, 0, lo, hi};
    zki_status st = zki_quant_choose_rq(io->n, mult, acc, &p[0], &p[1]);
    if (st != ZKI_OK)
        return st;
    for (int k = 0; k < n_extra; k++)
        p[4 + k] = extra[k];
    return node(io, op, in, n_in, out, p, 4 + n_extra) ? nomem() : ZKI_OK;
}

static inline zki_status rq_node(const zki_norm_io *io, int op, const int *in, int n_in, int out, double mult, double acc,
                          int64_t lo, int64_t hi)
{
    return rq_node_p(io, op, in, n_in, out, mult, acc, lo, hi, NULL, 0);
}

/* A table over every value of a `bits`-bit input: entry k - 2^(bits-1)
 * is f(k - 2^(bits-1)); its values are 16-bit. */
static inline int table(const zki_norm_io *io, const char *what, int bits, double scale,
                 int64_t (*f)(int64_t k, const double *a), const double *a)
{
    int64_t T = (int64_t)1 << bits;
    int64_t *d = malloc(sizeof(int64_t) * (size_t)T);
    if (d)
        for (int64_t k = 0; k < T; k++)
            d[k] = f(k - T / 2, a);
    return constant(io, what, 16, 1, &T, scale, d);
}

/* A LUT of qtensor x (its bits the table's) into out. */
static inline zki_status lut(const zki_norm_io *io, int x, int tab, int out)
{
    int in[2] = {x, tab};
    int64_t p[1] = {-((int64_t)1 << (io->m->t[x].bits - 1))};
    return node(io, ZKI_QOP_LUT, in, 2, out, p, 1) ? nomem() : ZKI_OK;
}

static inline int64_t clamp16(double v)
{
    return v >= W16 ? W16 : (v <= -W16 ? -W16 : llround(v));
}

/* N x N weights: n*I - 1 (the centring d = N x - sum x), ones, or
 * quantised gamma on the diagonal. */
static inline int64_t *weights(int64_t rows, int64_t cols, int64_t diag, int64_t off)
{
    int64_t *w = malloc(sizeof(int64_t) * (size_t)(rows * cols));
    if (w)
        for (int64_t j = 0; j < rows; j++)
            for (int64_t k = 0; k < cols; k++)
                w[j * cols + k] = j == k ? diag : off;
    return w;
}

#endif
