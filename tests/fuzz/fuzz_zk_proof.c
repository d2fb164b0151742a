/* libFuzzer harness: zero-knowledge proofs (docs/zk.md; the format in
 * src/protocol/proof_io.c, the final argument's in src/ligero/ligero_io.c,
 * its check in src/protocol/zk_session.c). Made once, with fixed seeds: a
 * key and two honest zero-knowledge proofs A and B of one statement (an
 * MLP 6-5-4-3, batch 2, public input). Every input becomes a proof to
 * parse and verify: parsing must never crash or over-read, a proof that
 * parses must re-serialise to the same bytes, and only A and B verify (any
 * other accepted bytes abort: a soundness bug or a malleable encoding).
 * Input byte 0 (mod 7) picks what the rest is; records are read
 * little-endian, and one cut short by the input's end reads its missing
 * bytes as 0 (a missing xor byte or delta as 1), so even the first short
 * inputs patch something:
 *   0: a proof file;
 *   1: patches of A anywhere (records: u24 offset, xor byte);
 *   2: the same within A's zk section (offset mod its length): chunk
 *      count, roots, products root, argument length, argument;
 *   3: the same within the zk fields before the argument, flags word first;
 *   4: padded values of A moved (records: u16 value index, u8 half (bit 0:
 *      c0 or c1), u32 delta): the values stay canonical, so only the final
 *      argument can catch them;
 *   5: a splice: u24 offset, u16 bytes cut from A there, the rest inserted
 *      (the file's length changes);
 *   6: ranges of B over A (records: u24 offset, u16 length).
 * Bytes equal to A or B are not verified again (setup did).
 * Build: cmake -DZKI_FUZZ=ON with CC=clang; run: ./fuzz_zk_proof -max_total_time=60 */
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "prover/prover.h"
#include "random_mlp.h"
#include "verifier/verifier.h"
#include "zk_values.h"

enum { FLAGS_AT = 8 + 4 + 32 + 32 + 4, MAX_VALUES = 1 << 14 };

static zki_pk *g_pk;
static uint8_t *g_pf[2];
static size_t g_len[2];
static int64_t g_x[2 * 6];
static size_t g_zk_at, g_zk_len, g_arg_at; /* A's zk section and argument */
static size_t g_val_at[MAX_VALUES], g_n_val; /* A's padded values (c0's first byte) */

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

/* A zk proof of the model from key seed w and pad seed sd, as bytes. */
static void prove(const zki_qmodel *m, const uint8_t w[32], uint8_t sd, uint8_t **b, size_t *n, zki_pk **keep)
{
    zki_pk *pk = NULL;
    uint8_t seed[32] = {sd, 3};
    zki_prove_opts o = {0, seed, NULL, NULL, 0, 0};
    zki_proof pf;
    if (zki_setup(m, w, &pk) || zki_prove(pk, g_x, 2, &o, &pf, NULL) || !pf.zk || zki_proof_to_bytes(&pf, b, n) ||
        zki_verify(&pk->vk, g_x, 2, &pf))
        abort();
    zki_proof_free(&pf);
    if (keep)
        *keep = pk;
    else
        zki_pk_free(pk);
}

/* Where A's padded values and zk section lie in its bytes: each value's
 * place is where A re-serialised with that value's low bit flipped first
 * differs (no copy of the layout to drift from proof_io.c). */
static void locate(void)
{
    zki_proof pf;
    zki_ext **v = malloc(sizeof(zki_ext *) * MAX_VALUES);
    if (!v || zki_proof_from_bytes(&g_pk->vk, &pf, g_pf[0], g_len[0]))
        abort();
    g_n_val = zki_test_padded_values(&pf, v, MAX_VALUES);
    g_n_val = g_n_val < MAX_VALUES ? g_n_val : MAX_VALUES;
    for (size_t k = 0; k < g_n_val; k++) {
        uint8_t *b;
        size_t n, at = 0;
        v[k]->c0 ^= 1;
        if (zki_proof_to_bytes(&pf, &b, &n) || n != g_len[0])
            abort();
        v[k]->c0 ^= 1;
        while (at < n && b[at] == g_pf[0][at])
            at++;
        free(b);
        zki_ext e;
        if (at + 16 > n || zki_ext_from_bytes(&e, g_pf[0] + at) || !zki_ext_eq(e, *v[k]))
            abort(); /* not where the value is written */
        g_val_at[k] = at;
    }
    uint8_t *ob;
    size_t ol;
    if (zki_pcs_proof_to_bytes(&pf.open, &ob, &ol))
        abort();
    free(ob);
    g_zk_len = 4 + 32 * (size_t)pf.zk_n_roots + 32 + 4 + pf.zk_arg_len;
    g_zk_at = g_len[0] - 4 - ol - g_zk_len;
    g_arg_at = g_zk_at + g_zk_len - pf.zk_arg_len;
    if (rd32(g_pf[0] + g_zk_at) != pf.zk_n_roots || rd32(g_pf[0] + g_arg_at - 4) != pf.zk_arg_len ||
        g_val_at[0] >= g_zk_at)
        abort(); /* the layout is not proof_io.c's: this harness needs updating */
    zki_proof_free(&pf);
    free(v);
}

static void setup(void)
{
    static const uint32_t widths[] = {6, 5, 4, 3};
    static const int relu[] = {1, 1, 0};
    static const uint8_t w[32] = {15, 1};
    zki_qmodel *m;
    omp_set_num_threads(1); /* small proofs: a thread team costs more than it saves */
    if (zki_prove_plain || zki_random_mlp(widths, relu, 3, 23, &m))
        abort();
    for (int i = 0; i < 12; i++)
        g_x[i] = (i * 41) % 200 - 100;
    prove(m, w, 1, &g_pf[0], &g_len[0], &g_pk);
    prove(m, w, 2, &g_pf[1], &g_len[1], NULL);
    zki_qmodel_free(m);
    locate();
}

static int is_honest(const uint8_t *b, size_t n)
{
    for (int i = 0; i < 2; i++)
        if (n == g_len[i] && !memcmp(b, g_pf[i], n))
            return 1;
    return 0;
}

static void check_proof(const uint8_t *b, size_t n)
{
    zki_proof pf;
    if (zki_proof_from_bytes(&g_pk->vk, &pf, b, n) != ZKI_OK)
        return;
    uint8_t *again;
    size_t al;
    if (zki_proof_to_bytes(&pf, &again, &al) || al != n || memcmp(again, b, n))
        abort(); /* parse/serialise must be a bijection on what parses */
    free(again);
    if (zki_verify(&g_pk->vk, g_x, 2, &pf) == ZKI_OK && !is_honest(b, n))
        abort(); /* a proof other than the honest two accepted */
    zki_proof_free(&pf);
}

static uint8_t *copy_a(void)
{
    uint8_t *c = malloc(g_len[0]);
    if (c)
        memcpy(c, g_pf[0], g_len[0]);
    return c;
}

/* The next k-byte field of d at *i (bytes past n read as 0); *i moves on. */
static uint32_t field(const uint8_t *d, size_t n, size_t *i, int k)
{
    uint32_t v = 0;
    for (int b = 0; b < k; b++, (*i)++)
        if (*i < n)
            v |= (uint32_t)d[*i] << (8 * b);
    return v;
}

static uint8_t xor_byte(const uint8_t *d, size_t n, size_t *i)
{
    uint8_t x = (uint8_t)field(d, n, i, 1);
    return x ? x : 1;
}

/* Records of (u24 offset, xor byte), offsets mod len from at. */
static void patch_xor(uint8_t *c, size_t at, size_t len, const uint8_t *d, size_t n)
{
    for (size_t i = 0; len && i < n;) {
        size_t k = field(d, n, &i, 3) % len;
        c[at + k] ^= xor_byte(d, n, &i);
    }
}

/* The zk fields before the argument: the flags word, then the chunk
 * count, roots, products root and argument length. */
static void patch_fields(uint8_t *c, const uint8_t *d, size_t n)
{
    size_t len = 4 + (g_arg_at - g_zk_at);
    for (size_t i = 0; i < n;) {
        size_t k = field(d, n, &i, 3) % len;
        c[k < 4 ? FLAGS_AT + k : g_zk_at + k - 4] ^= xor_byte(d, n, &i);
    }
}

/* Records of (u16 value index, u8 half, u32 delta): the value's half
 * moved by delta (mod p, so it stays canonical). */
static void patch_values(uint8_t *c, const uint8_t *d, size_t n)
{
    for (size_t i = 0; g_n_val && i < n;) {
        size_t v = field(d, n, &i, 2) % g_n_val, half = field(d, n, &i, 1) & 1;
        uint64_t x = 0, delta = field(d, n, &i, 4);
        uint8_t *e = c + g_val_at[v] + 8 * half;
        for (int k = 0; k < 8; k++)
            x |= (uint64_t)e[k] << (8 * k);
        x = zki_fe_add(zki_fe_from_u64(x), delta ? delta : 1);
        for (int k = 0; k < 8; k++)
            e[k] = (uint8_t)(x >> (8 * k));
    }
}

/* Records of (u24 offset, u16 length): B's bytes over A's there. */
static void patch_from_b(uint8_t *c, const uint8_t *d, size_t n)
{
    size_t both = g_len[0] < g_len[1] ? g_len[0] : g_len[1];
    for (size_t i = 0; i < n;) {
        size_t at = field(d, n, &i, 3) % both, len = field(d, n, &i, 2);
        if (len > both - at)
            len = both - at;
        memcpy(c + at, g_pf[1] + at, len);
    }
}

/* A with cut bytes at an offset replaced by d's rest. */
static void check_splice(const uint8_t *d, size_t n)
{
    size_t i = 0, at = field(d, n, &i, 3) % (g_len[0] + 1), cut = field(d, n, &i, 2);
    size_t ins = n > i ? n - i : 0;
    if (cut > g_len[0] - at)
        cut = g_len[0] - at;
    size_t len = g_len[0] - cut + ins;
    uint8_t *c = malloc(len ? len : 1);
    if (!c)
        return;
    memcpy(c, g_pf[0], at);
    if (ins)
        memcpy(c + at, d + i, ins);
    memcpy(c + at + ins, g_pf[0] + at + cut, g_len[0] - at - cut);
    if (!is_honest(c, len))
        check_proof(c, len);
    free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_pk)
        setup();
    if (size < 1)
        return 0;
    const uint8_t *d = data + 1;
    size_t n = size - 1, mode = data[0] % 7;
    if (mode == 0) {
        check_proof(d, n);
        return 0;
    }
    if (mode == 5) {
        check_splice(d, n);
        return 0;
    }
    uint8_t *c = copy_a();
    if (!c)
        return 0;
    if (mode == 1)
        patch_xor(c, 0, g_len[0], d, n);
    else if (mode == 2)
        patch_xor(c, g_zk_at, g_zk_len, d, n);
    else if (mode == 3)
        patch_fields(c, d, n);
    else if (mode == 4)
        patch_values(c, d, n);
    else
        patch_from_b(c, d, n);
    if (!is_honest(c, g_len[0]))
        check_proof(c, g_len[0]);
    free(c);
    return 0;
}
