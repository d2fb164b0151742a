/* Setup: a quantised model lowered to its proof DAG (prover/lower.h), its
 * weights laid out and committed: the prover key and the verification
 * key. */
#ifndef ZKI_PROVER_SETUP_H
#define ZKI_PROVER_SETUP_H

#include "protocol/key.h"
#include "prover/lower.h"
#include "quant/qmodel.h"

#define ZKI_PK_VERSION 2u
/* Leaves of the weight commitment a .zpk may hold (its width is at most
 * 2^ZKI_KEY_MAX_LOG_COLS, its code 4 times that: 2^18 leaves; a table of
 * ZKI_KEY_WIDE_MIN entries or more is at rate 1/2 and at most
 * 2^ZKI_KEY_WIDE_LOG_COLS wide: 2^20 leaves). */
#define ZKI_PK_MAX_LEAVES ((uint64_t)1 << 20)
#define ZKI_PK_HEAD_BYTES ((size_t)116)
#define ZKI_PK_MAX_FILE_BYTES (ZKI_PK_HEAD_BYTES + 32 * (size_t)ZKI_PK_MAX_LEAVES)

/* Prover key: the vk plus the packed weights and the PCS prover state. */
typedef struct zki_pk {
    zki_vk vk;
    int32_t *wbig;    /* the committed table (wpack layout) */
    void **w;         /* per layer, the gadgets' copy (int8 or int16): LINEAR
                       * [N][Kpad], CONV [OC][Cig][KHpad][KWpad] (padded) */
    int64_t **bias;   /* per layer [N] or NULL */
    zki_pcs_prover *wpcs;
    uint8_t seed[32];
    zki_digest wdigest; /* zki_sha256_chunked of the committed weight table (wbig) */
} zki_pk;

/* What a .zpk holds: the seed, the key it was made with, and the weight
 * commitment's leaves with the digest of the weights they commit, so a
 * later setup skips encoding the weights when they are the same. */
typedef struct {
    uint8_t seed[32];
    zki_digest vk_hash;
    zki_digest wdigest;
    zki_digest *leaves; /* n_leaves, malloc'ed */
    uint64_t n_leaves;
} zki_pk_file;
void zki_pk_file_free(zki_pk_file *f);

/* Commits the weights. seed: 32 bytes of hiding randomness (kept in the
 * prover key file so a later `prove` re-derives the same commitment); NULL
 * draws it from the OS. */
zki_status zki_setup(const zki_qmodel *m, const uint8_t *seed, zki_pk **out);
/* zki_setup with a .zpk's seed; when the model's weight table has the
 * file's digest, the commitment is rebuilt from the saved leaves (no
 * encoding: ResNet-50's 25.7 M weights, about 1 s). The caller still
 * checks the key against f->vk_hash. */
zki_status zki_setup_saved(const zki_qmodel *m, const zki_pk_file *f, zki_pk **out);
void zki_pk_free(zki_pk *pk);

/* Prover key file (.zpk): "ZKINFPK\0" | u32 version | 32-byte seed |
 * 32-byte vk hash | 32-byte weights digest | u64 n_leaves | the weight
 * commitment's n_leaves leaf digests. Secret: whoever holds the seed can
 * strip the hiding. */
zki_status zki_pk_write(const zki_pk *pk, const char *path);
/* The same bytes in memory (*out malloc'd, caller frees). */
zki_status zki_pk_to_bytes(const zki_pk *pk, uint8_t **out, size_t *len);
/* Parses a .zpk (at most ZKI_PK_MAX_FILE_BYTES); free f with
 * zki_pk_file_free. */
zki_status zki_pk_read(const char *path, zki_pk_file *f);

#endif
