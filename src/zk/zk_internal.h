/* The zk context's layout, shared by the tape and the pad stream. */
#ifndef ZKI_ZK_INTERNAL_H
#define ZKI_ZK_INTERNAL_H

#include "zk/zk.h"

typedef struct {
    uint32_t child;
    zki_ext k;
} zki_zk_term;

typedef struct {
    uint64_t ref; /* a leaf's witness entry, else its first term */
    uint32_t n;   /* terms; 0: a leaf */
} zki_zk_node;  /* 16 bytes: most of the tape */

typedef struct {
    uint32_t f;   /* form */
    zki_ext rhs;  /* F(x) = rhs */
} zki_zk_cons;

/* A leaf on a product value (else a pad). */
#define ZKI_ZK_PROD ((uint64_t)1 << 63)

struct zki_zk {
    int prover;
    zki_status err;     /* first misuse, reported by zki_zk_ok */
    uint64_t n_pads;    /* pads committed (chunks opened) */
    uint64_t used;      /* pads used */
    zki_ext *pads;      /* prover: n_known pads */
    uint64_t n_known, cap_pads;
    int has_seed;
    uint8_t seed[32];
    zki_zk_chunk_fn hook;
    void *hook_ctx;
    uint64_t first_len, next_len;
    uint32_t n_chunks;
    zki_zk_node *nodes;
    size_t n_nodes, cap_nodes;
    zki_ext *nval;      /* prover: each node's value at the witness */
    size_t cap_nval;
    zki_zk_term *terms;
    size_t n_terms, cap_terms;
    zki_zk_cons *cons;
    size_t n_cons, cap_cons;
    zki_ext *prod;      /* prover: X, Y, Z per product */
    size_t cap_prod;
    uint64_t n_prod;
    zki_zk_sizes max;   /* caps at the key's bound; 0: none */
    const char *capped; /* the cap it ran into, or NULL */
    uint64_t capped_at;
};

void zki_zk_fail(zki_zk *z, zki_status st);
zki_status zki_zk_init_tape(zki_zk *z);
/* A leaf node on witness entry `entry`. */
uint32_t zki_zk_leaf(zki_zk *z, uint64_t entry);
/* The prover's witness entry (pad or product value). */
zki_ext zki_zk_witness_value(const zki_zk *z, uint64_t entry);

#endif
