/* Setup: a quantised model lowered to its proof DAG (prover/lower.h), its
 * weights laid out and committed: the prover key and the verification
 * key. */
#ifndef ZKI_PROVER_SETUP_H
#define ZKI_PROVER_SETUP_H

#include "protocol/key.h"
#include "prover/lower.h"
#include "quant/qmodel.h"

/* 3: the zero-knowledge proof budget */
#define ZKI_PK_VERSION 3u
/* Leaves of the weight commitment a .zpk may hold (its width is at most
 * 2^ZKI_KEY_MAX_LOG_COLS, its code 4 times that: 2^18 leaves; a table of
 * ZKI_KEY_WIDE_MIN entries or more is at rate 1/2 and at most
 * 2^ZKI_KEY_WIDE_LOG_COLS wide: 2^20 leaves). A key for many
 * zero-knowledge proofs pads its rows, which can double or quadruple the
 * code (GPT-2 at 1024 proofs: 2^21); beyond 2^22 no weight table of more
 * than one row opens in one row (zki_pcs_tensor_ok), and setup refuses. */
#define ZKI_PK_MAX_LEAVES ((uint64_t)1 << 22)
#define ZKI_PK_HEAD_BYTES ((size_t)120)
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
    uint32_t zk_proofs_made; /* zero-knowledge proofs made with this key (zki_prove counts them) */
} zki_pk;

/* Zero-knowledge proofs a key was made for: its weight commitment's column
 * budget (docs/zk.md, "Weight columns across proofs"). */
uint32_t zki_pk_zk_proofs(const zki_pk *pk);
/* ZKI_OK while the key's budget has a zero-knowledge proof left, else
 * ZKI_ERR_INPUT (a new key must be compiled). A proof counts once made: a
 * refused one shows the verifier nothing. */
zki_status zki_pk_zk_budget_check(const zki_pk *pk);

/* What a .zpk holds: the seed, the key it was made with, and the weight
 * commitment's leaves with the digest of the weights they commit, so a
 * later setup skips encoding the weights when they are the same. */
typedef struct {
    uint8_t seed[32];
    zki_digest vk_hash;
    zki_digest wdigest;
    uint32_t zk_proofs; /* the key's zero-knowledge proof budget */
    zki_digest *leaves; /* n_leaves, malloc'ed */
    uint64_t n_leaves;
} zki_pk_file;
void zki_pk_file_free(zki_pk_file *f);

/* Commits the weights. seed: 32 bytes of hiding randomness (kept in the
 * prover key file so a later `prove` re-derives the same commitment); NULL
 * draws it from the OS. zk_proofs (1 .. ZKI_PCS_MAX_COL_BUDGET): the
 * zero-knowledge proofs the weight commitment's pad covers (the vk records
 * it; the key refuses more). zki_setup: 1. */
zki_status zki_setup_zk(const zki_qmodel *m, const uint8_t *seed, uint32_t zk_proofs, zki_pk **out);
zki_status zki_setup(const zki_qmodel *m, const uint8_t *seed, zki_pk **out);
/* zki_setup with a .zpk's seed; when the model's weight table has the
 * file's digest, the commitment is rebuilt from the saved leaves (no
 * encoding: ResNet-50's 25.7 M weights, about 1 s). The caller still
 * checks the key against f->vk_hash. */
zki_status zki_setup_saved(const zki_qmodel *m, const zki_pk_file *f, zki_pk **out);
void zki_pk_free(zki_pk *pk);

/* Prover key file (.zpk): "ZKINFPK\0" | u32 version | 32-byte seed |
 * 32-byte vk hash | 32-byte weights digest | u64 n_leaves | u32 zk_proofs |
 * the weight commitment's n_leaves leaf digests. Secret: whoever holds the seed can
 * strip the hiding. */
zki_status zki_pk_write(const zki_pk *pk, const char *path);
/* The same bytes in memory (*out malloc'd, caller frees). */
zki_status zki_pk_to_bytes(const zki_pk *pk, uint8_t **out, size_t *len);
/* Parses a .zpk (at most ZKI_PK_MAX_FILE_BYTES); free f with
 * zki_pk_file_free. */
zki_status zki_pk_read(const char *path, zki_pk_file *f);
/* The same from its bytes (what: the file's name in messages). */
zki_status zki_pk_parse(const uint8_t *b, size_t n, const char *what, zki_pk_file *f);

#endif
