/* Proof of work before the column queries (docs/security.md, "Grinding").
 * The prefix is a transcript challenge, so it depends on every message so
 * far (commitments, claims, combined rows); the nonce is absorbed before
 * the queries are drawn. A prover retrying the query challenge (new rows,
 * new salts) pays 2^bits hashes per attempt; the verifier pays one. */
#include <string.h>

#include "common/error.h"
#include "pcs/pcs_internal.h"

#define GRIND_TAG "zkinfer/pcs-grind/v1"
#define TAG_LEN (sizeof GRIND_TAG - 1)
#define MSG_LEN (TAG_LEN + 16 + 8) /* 44 bytes: one SHA-256 block */

static void grind_prefix(zki_transcript *ts, uint8_t msg[MSG_LEN])
{
    memcpy(msg, GRIND_TAG, TAG_LEN);
    zki_ext_to_bytes(msg + TAG_LEN, zki_ts_challenge_ext(ts, "pcs/grind"));
}

/* SHA-256(tag || prefix || nonce LE) has `bits` leading zero bits. */
static int grind_ok(uint8_t msg[MSG_LEN], uint64_t nonce, uint32_t bits)
{
    for (int b = 0; b < 8; b++)
        msg[TAG_LEN + 16 + b] = (uint8_t)(nonce >> (8 * b));
    zki_digest d;
    zki_sha256(&d, msg, MSG_LEN);
    uint32_t k = 0;
    for (; k + 8 <= bits; k += 8)
        if (d.b[k / 8])
            return 0;
    return bits == k || (d.b[k / 8] >> (8 - (bits - k))) == 0;
}

zki_status zki_pcs_grind(zki_transcript *ts, uint32_t bits, uint64_t *nonce)
{
    uint8_t msg[MSG_LEN];
    grind_prefix(ts, msg);
    /* the smallest passing nonce: deterministic; 2^bits tries expected,
     * bits <= 30, so the 2^64 space is never exhausted in practice */
    uint64_t n = 0;
    while (bits && !grind_ok(msg, n, bits))
        if (++n == 0)
            return zki_fail(ZKI_ERR_INPUT, "pcs: no proof-of-work nonce for %u bits", bits);
    *nonce = n;
    zki_ts_absorb_u64(ts, "pcs/nonce", n);
    return ZKI_OK;
}

zki_status zki_pcs_grind_check(zki_transcript *ts, uint32_t bits, uint64_t nonce)
{
    uint8_t msg[MSG_LEN];
    grind_prefix(ts, msg);
    /* with 0 bits the prover sends 0: no malleable bytes */
    if (bits ? !grind_ok(msg, nonce, bits) : nonce != 0)
        return zki_fail(ZKI_ERR_VERIFY, "pcs: the proof-of-work nonce does not have %u leading "
                        "zero bits", bits);
    zki_ts_absorb_u64(ts, "pcs/nonce", nonce);
    return ZKI_OK;
}
