/* Fiat-Shamir transcript over SHA-256.
 *
 * Every absorb is typed, labelled and length-prefixed:
 *   kind (1 byte) || label length (u32 LE) || label || payload length (u64 LE) || payload
 * so no two different sequences of absorbs hash the same bytes. zki_ts_init
 * absorbs the protocol id and version first. A challenge hashes the running
 * state with its own kind and label, then restarts the state from that
 * digest, so every later message and challenge depends on every earlier one.
 *
 * Challenges are extension elements (~2^128) sampled uniformly by rejection
 * (no modulo bias); zki_ts_challenge_index draws uniform integers in
 * [0, bound) for query positions. Prover and verifier run the same calls. */
#ifndef ZKI_TRANSCRIPT_H
#define ZKI_TRANSCRIPT_H

#include "field/field.h"
#include "hash/sha256.h"

struct zki_zk;

typedef struct {
    zki_sha256_ctx *h; /* running state */
    uint64_t n_challenges;
    /* zero-knowledge proofs: the pads and the tape of private values
     * (src/zk/zk.h), NULL for a plain proof; zki_ts_init sets NULL, the
     * caller attaches it. Not owned. */
    struct zki_zk *zk;
} zki_transcript;

zki_status zki_ts_init(zki_transcript *t, const char *protocol_id, uint32_t version);
void zki_ts_free(zki_transcript *t);

void zki_ts_absorb_bytes(zki_transcript *t, const char *label, const void *data, size_t len);
void zki_ts_absorb_u64(zki_transcript *t, const char *label, uint64_t v);
void zki_ts_absorb_fe(zki_transcript *t, const char *label, zki_fe v);
void zki_ts_absorb_ext(zki_transcript *t, const char *label, zki_ext v);
void zki_ts_absorb_fe_vec(zki_transcript *t, const char *label, const zki_fe *v, size_t n);
void zki_ts_absorb_ext_vec(zki_transcript *t, const char *label, const zki_ext *v, size_t n);
void zki_ts_absorb_digest(zki_transcript *t, const char *label, const zki_digest *d);

zki_ext zki_ts_challenge_ext(zki_transcript *t, const char *label);
void zki_ts_challenge_ext_vec(zki_transcript *t, const char *label, zki_ext *out, size_t n);
/* Uniform in [0, bound), bound >= 1. */
uint64_t zki_ts_challenge_index(zki_transcript *t, const char *label, uint64_t bound);
void zki_ts_challenge_indices(zki_transcript *t, const char *label, uint64_t bound,
                              uint64_t *out, size_t n);

#endif
