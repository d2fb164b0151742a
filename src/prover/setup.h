/* Setup: a quantised model lowered to its proof DAG (prover/lower.h), its
 * weights laid out and committed: the prover key and the verification
 * key. */
#ifndef ZKI_PROVER_SETUP_H
#define ZKI_PROVER_SETUP_H

#include "protocol/key.h"
#include "prover/lower.h"
#include "quant/qmodel.h"

#define ZKI_PK_VERSION 1u
/* A .zpk is exactly: magic 8 | u32 version | seed 32 | vk hash 32. */
#define ZKI_PK_FILE_BYTES ((size_t)76)

/* Prover key: the vk plus the packed weights and the PCS prover state. */
typedef struct zki_pk {
    zki_vk vk;
    int32_t *wbig;    /* the committed table (wpack layout) */
    void **w;         /* per layer, the gadgets' copy (int8 or int16): LINEAR
                       * [N][Kpad], CONV [OC][Cig][KHpad][KWpad] (padded) */
    int64_t **bias;   /* per layer [N] or NULL */
    zki_pcs_prover *wpcs;
    uint8_t seed[32];
} zki_pk;

/* Commits the weights. seed: 32 bytes of hiding randomness (kept in the
 * prover key file so a later `prove` re-derives the same commitment); NULL
 * draws it from the OS. */
zki_status zki_setup(const zki_qmodel *m, const uint8_t *seed, zki_pk **out);
void zki_pk_free(zki_pk *pk);

/* Prover key file (.zpk): "ZKINFPK\0" | u32 version | 32-byte seed |
 * 32-byte vk hash. Secret: whoever holds the seed can strip the hiding. */
zki_status zki_pk_write_seed(const zki_pk *pk, const char *path);
/* The same bytes in memory (*out malloc'd, caller frees). */
zki_status zki_pk_seed_to_bytes(const zki_pk *pk, uint8_t **out, size_t *len);
zki_status zki_pk_read_seed(const char *path, uint8_t seed[32], zki_digest *vk_hash);

#endif
