/* The served models: each loaded and its weights committed once at start,
 * one prover-key copy per worker (proofs of one model run in parallel; a
 * copy is used by its worker only, as the library allows one call at a
 * time per handle), and the key's zero-knowledge proof budget counted
 * across the copies and across restarts (a count file beside the .zpk). */
#ifndef ZKI_SERVE_MODELS_H
#define ZKI_SERVE_MODELS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "zkinfer.h"

typedef struct {
    char name[64];
    char *zkm_path, *zpk_path, *count_path;
    zki_pk **pk; /* n_pk copies; worker w proves with copy w % n_pk */
    pthread_mutex_t *pk_lock; /* one per copy: one call at a time per handle */
    zki_vk **vk; /* one per worker, for verifications */
    int n_pk, n_vk;
    zki_info info;            /* the key's (zki_vk_info) */
    unsigned char *vk_bytes;  /* zki_vk_serialize, for /vk and each verification */
    size_t vk_len;
    char vk_hex[65];
    pthread_mutex_t lock;     /* guards used and recorded */
    uint32_t budget, used;
    uint32_t recorded;        /* what the count file says is spent: used rounded up to a block */
} zki_served_model;

typedef struct {
    zki_served_model *m;
    int n;
} zki_model_set;

/* Loads "NAME=PATH.zkm" specs with key_copies prover-key copies and
 * workers verification-key copies each; 0, or -1 after printing what
 * failed and what to do on stderr. */
int zki_models_load(zki_model_set *set, char **specs, int n_specs, int key_copies, int workers);
void zki_models_free(zki_model_set *set);
zki_served_model *zki_models_find(zki_model_set *set, const char *name);

/* Takes one proof of the budget, recorded in the count file before the
 * proof is made (a crash never lets a key serve more than its budget). The
 * file is written ahead in blocks of ZKI_COUNT_BLOCK proofs: one synced
 * write per block, not per proof (a sync costs milliseconds); a crash
 * forfeits the rest of a block, a clean shutdown (zki_models_free) writes
 * the exact count back. 0; 1 when the budget is spent; -1 when the count
 * file cannot be written (msg says so). */
#define ZKI_COUNT_BLOCK 16u
int zki_served_reserve_proof(zki_served_model *m, char *msg, size_t msgn);
uint32_t zki_served_proofs_left(zki_served_model *m);

#endif
