/* Verification keys: the proof DAG (protocol/dag.h), the commitment to
 * the weights and the parameters every proof is held to.
 *
 * Setup commits the weights once with the PCS (hiding; the int8/int16
 * matrices zero-padded to powers of two, every node's weights and biases
 * packed into one table, protocol/pack.h, protocol/wlayout.h).
 *
 * vk file: "ZKINFVK\0" | u32 version | u32 dag_len | DAG (zki_dag_write) |
 * u32 grind_bits | u32 com_len | PCS commitment bytes. Parsing checks every
 * bound, every node against its gadget, and that the commitment's tables
 * and parameters are the ones the DAG implies. */
#ifndef ZKI_PROTOCOL_KEY_H
#define ZKI_PROTOCOL_KEY_H

#include <stdint.h>

#include "hash/sha256.h"
#include "pcs/pcs.h"
#include "protocol/dag.h"
#include "protocol/pack.h"

/* 8: tables of ZKI_KEY_RATE_HALF_MIN entries or more committed at rate 1/2 */
/* 10: a conv kernel of ZKI_CONV_ONE_SEGMENT_TAPS positions or more is one
 * weight segment (wlayout.h) */
#define ZKI_VK_VERSION 10u
#define ZKI_KEY_SECURITY_BITS 100u
/* Proof-of-work bits before the PCS column queries (docs/security.md):
 * a key parameter, bound by the vk hash; parsing accepts 0 .. 30. */
#define ZKI_KEY_GRIND_BITS 16u
/* Widest PCS row of a key's commitments: 2^16. With committed rows a wider
 * row still shrinks the proof (ResNet-50 at 224: 1.90 MB at 2^16, 1.57 MB
 * at 2^17) but costs the prover more than it saves (10.8 s -> 12.4 s: the
 * encodings and the column reduction grow with the width). */
#define ZKI_KEY_MAX_LOG_COLS 16u
/* A weight table of ZKI_KEY_WIDE_MIN entries or more may use rows up to
 * 2^ZKI_KEY_WIDE_LOG_COLS (the column reduction's memory permitting,
 * wlayout.c): GPT-2 124M's 3.0e8-entry table opened in 7.6 MB at 2^16,
 * 1.9 MB at 2^18 and opens in about 1.0 MB at 2^19 (its generation proof
 * 7.68 -> 6.80 MB, 5.98 -> 6.04 GB, time within the noise; the .zpk holds
 * 2^20 leaves, ZKI_PK_MAX_LEAVES). An advice table
 * that large may use rows up to 2^ZKI_KEY_WIDE_ADVICE_LOG_COLS: its claims
 * fall in hundreds of groups, each holding a row's width of pairs (a row
 * group only its folded half, pack.c). GPT-2's generation (187.5e6
 * advice entries, weights at 2^19), whole process, one run each, idle:
 *   2^17: 51.5 s, 6.04 GB, proof 6.80 MB;
 *   2^18: 54.8 s, 6.77 GB, proof 5.69 MB. */
#define ZKI_KEY_WIDE_MIN ((uint64_t)1 << 27)
#define ZKI_KEY_WIDE_LOG_COLS 19u
#define ZKI_KEY_WIDE_ADVICE_LOG_COLS 18u
/* Committed tables of at least 2^22 entries use a rate-1/2 code, smaller
 * ones rate 1/4. ResNet-50 at 224 (2^25-entry tables): prove 5.65 -> 4.73 s
 * in one run, proof 1.49 -> 2.08 MB; below 2^22 the commitment takes under
 * 0.1 s and the shorter proof wins. */
#define ZKI_KEY_RATE_HALF_MIN ((uint64_t)1 << 22)
/* Largest .vk file read (zki_vk_read, inspect), refused by its size before
 * reading. The largest key the parser accepts is ~5.3 MB: ZKI_DAG_MAX_NODES
 * nodes of at most 120 + 12 ZKI_DAG_MAX_IN bytes, a 164-byte DAG head, and
 * a weights commitment of 80 + 8 bytes per table for at most
 * ZKI_PCS_MAX_POLYS tables; 8 MiB leaves room and keeps a junk or sparse
 * file named as a key from being read whole. key.c asserts it. */
#define ZKI_VK_MAX_FILE_BYTES ((size_t)8 << 20)

typedef struct zki_vk {
    zki_dag dag;
    zki_pcs_commitment wcom;
    uint32_t grind_bits;  /* both commitments' proof-of-work bits */
    zki_digest dag_hash; /* SHA-256 of the arch bytes */
    zki_digest vk_hash;   /* SHA-256 of the whole vk file: bound by every proof */
    /* Weight commitment: ONE table, int32, packing every layer's weights
     * and biases (prover/pack.h), so the opening needs one combined row.
     * Layer l: LINEAR weights [2^ln][2^lk] (a GATHER's table [2^lv][2^ld])
     * are segment w_seg[l]; a CONV
     * layer's weights are KH*KW segments w_seg[l] + ky*KW + kx, each the
     * [2^loc][2^licl] slice of one kernel position (so a 3x3 kernel costs 9
     * slices, not a 4x4 padded block); the bias is segment b_seg[l]
     * (UINT32_MAX: none). */
    zki_pack wpack;
    uint32_t *w_seg, *b_seg;
    int w_type; /* of the gadgets' copies: ZKI_PCS_I8 or ZKI_PCS_I16 */
    /* zki_vk_verifier_cost for one sample, kept by the parser's check (a
     * function of the key alone; GPT-2's took 20 ms, needed three times
     * for each verification) */
    int cost1_known;
    uint64_t cost1_ops, cost1_bytes;
} zki_vk;

zki_status zki_vk_to_bytes(const zki_vk *vk, uint8_t **out, size_t *len);
zki_status zki_vk_from_bytes(zki_vk *vk, const uint8_t *in, size_t len);
void zki_vk_free(zki_vk *vk);
zki_status zki_vk_write(const zki_vk *vk, const char *path);
zki_status zki_vk_read(const char *path, zki_vk *vk);
/* The DAG and key hashes of a vk whose DAG and commitment are set (setup). */
zki_status zki_vk_finish(zki_vk *vk);

/* Human-readable summary of a vk. */
void zki_vk_summary(const zki_vk *vk, char *buf, size_t cap);

/* The weight pack and segment maps of vk->dag (fills wpack, w_seg,
 * b_seg, w_type). */
zki_status zki_vk_layout(zki_vk *vk);
/* Integers per sample in the input and in the public output of the model
 * a key proves. */
uint64_t zki_vk_input_len(const zki_vk *vk);
uint64_t zki_vk_output_len(const zki_vk *vk);
/* The PCS parameters the key fixes for the weight commitment (advice 0)
 * or a proof's advice commitment (advice 1) of len entries: the only ones
 * prover, setup, key parser and verifier use (key_pcs.c). Tables of at
 * least ZKI_KEY_RATE_HALF_MIN entries are encoded at rate 1/2, smaller ones
 * at rate 1/4. */
void zki_key_pcs_params(const zki_vk *vk, int advice, uint64_t len, zki_pcs_params *p);
/* Their widest row: 2^ZKI_KEY_MAX_LOG_COLS, or for a weight table of at
 * least ZKI_KEY_WIDE_MIN entries 2^ZKI_KEY_WIDE_LOG_COLS. */
uint32_t zki_key_max_log_cols(int advice, uint64_t len);

/* Number of committed weight tables (1 to 3) and their lengths. */
uint32_t zki_vk_weight_lens(const zki_vk *vk, uint64_t lens[3]);

#endif
