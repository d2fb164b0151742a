/* The lowering's shared state (prover/lower.c), for the files that lower
 * one family of model nodes each (lower_*.c). */
#ifndef ZKI_PROVER_LOWER_INTERNAL_H
#define ZKI_PROVER_LOWER_INTERNAL_H

#include "common/error.h"
#include "prover/lower.h"

/* A tensor of the model as the proof sees it. */
typedef struct {
    int id;         /* DAG tensor id, -1: not produced by a proven node */
    int map;        /* a padded map [c][h][w] (else a row of feat features) */
    uint32_t c, h, w;
    int64_t feat;   /* features per sample */
    int nonneg;     /* proven >= 0 (a ReLU'd requant, a pool or concat of such) */
    uint32_t bits;
} zki_tinfo;

typedef struct {
    const zki_qmodel *m;
    zki_dag *d;
    zki_tinfo *t;      /* per model tensor */
    int *src;          /* per DAG node: the model node it came from */
} zki_lowering;

#define REFUSE(...) return zki_fail(ZKI_ERR_UNSUPPORTED, __VA_ARGS__)

/* Appends DAG node of this kind from model node qnode (one input). */
zki_dag_node *zki_lower_new_node(zki_lowering *lw, int qnode, uint32_t kind);
/* Padded size of a map [c][h][w]. */
uint32_t zki_lower_map_size(uint32_t c, uint32_t h, uint32_t w);
/* A tensor read by a proven node: produced by one (else refused, naming it). */
zki_status zki_lower_known(const zki_lowering *lw, const zki_qnode *n, int t);

/* One family of model nodes each (lower_<family>.c). */
zki_status zki_lower_lut(zki_lowering *lw, int qi, const zki_qnode *n);

#endif
