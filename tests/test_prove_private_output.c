/* Private output (docs/zk.md, "Private output"; zki_prove_opts.private_input
 * with ZKI_PRIV_OUTPUT): the output is a committed segment of the proof's
 * advice commitment instead of public values. Exported fixtures whose last
 * node is a requantising LINEAR, a CONV, a MAXPOOL, a LUT, a MOVE and a BMM
 * are proven with a private output (a public batch of 2, then one private
 * sample: input and output committed):
 *   - the proof verifies in memory and from its bytes, has out_n 0 and no
 *     output values (the API gives none), and its bytes do not hold the
 *     output (a public proof of the same statement does: the check can
 *     fail);
 *   - the proof turned into a public-output claim of the true output, the
 *     flag bit flipped, the output node's sent value altered and random
 *     byte changes are rejected;
 *   - a cheating prover (the seam moves one output value, real or at a
 *     pad, of the last node's witness) is rejected by the verifier;
 *   - a plain proof (zki_prove_plain) with a private output proves and
 *     verifies; a generation with a private output is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/rng.h"
#include "poly/mle.h"
#include "prover/lower.h"
#include "prover/prover.h"
#include "prover/seam.h"
#include "sumcheck/sumcheck.h"
#include "test.h"
#include "test_prove_util.h"
#include "test_attack_util.h"
#include "verifier/verifier.h"
#include "zkinfer.h"

static const uint8_t seed_w[32] = {9, 4, 1};
static const uint8_t seed_a[32] = {3, 3, 8};

#define NFX 6
static const char *const fx[NFX] = {"lut_linear_tanh", "bn_block", "pool_ceil", "lut_end_sigmoid", "move_out",
                                    "bmm_attn"};
static const uint32_t fx_last[NFX] = {ZKI_NODE_LINEAR, ZKI_NODE_CONV, ZKI_NODE_MAXPOOL, ZKI_NODE_LUT, ZKI_NODE_MOVE,
                                      ZKI_NODE_BMM};

/* Byte offsets in a proof file (proof.h): flags, then gen_n, n_nodes, out_n. */
#define FLAGS_AT (ZKI_PROOF_OUTPUT_AT - 16)
#define OUT_N_AT (ZKI_PROOF_OUTPUT_AT - 4)

static uint32_t rd_u32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Whether the n values y appear in b as consecutive little-endian i64 (the
 * proof's encoding of a public output). */
static int holds_values(const uint8_t *b, size_t len, const int64_t *y, size_t n)
{
    uint8_t *e = malloc(8 * n);
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 8; k++)
            e[8 * i + k] = (uint8_t)((uint64_t)y[i] >> (8 * k));
    int found = 0;
    for (size_t at = 0; !found && at + 8 * n <= len; at++)
        found = !memcmp(b + at, e, 8 * n);
    free(e);
    return found;
}

static zki_status prove_flags(zki_pk *pk, const int64_t *X, uint32_t B, int flags, zki_proof *pf)
{
    zki_prove_opts o = {flags, seed_a, NULL, NULL, 0, 0};
    return zki_prove(pk, X, B, &o, pf, NULL);
}

/* The value the output node sends for the output (LUT: val[0]; MOVE:
 * val[1]), altered: rejected. Other kinds send none. */
static void forge_sent_value(const zki_vk *vk, const int64_t *Xv, uint32_t B, zki_proof *pf, const char *what)
{
    uint32_t L = vk->dag.n_nodes, k = vk->dag.nodes[L - 1].kind;
    if (k != ZKI_NODE_LUT && k != ZKI_NODE_MOVE)
        return;
    zki_ext *v = &pf->node[L - 1].val[k == ZKI_NODE_LUT ? 0 : 1];
    zki_ext keep = *v;
    v->c0 = zki_fe_add(keep.c0, 1);
    CHECK_MSG(zki_verify(vk, Xv, B, pf) == ZKI_ERR_VERIFY, "%s: the output node's sent value altered, accepted",
              what);
    *v = keep;
}

/* The private-output proof made into a claim of the true output y as a
 * public one, and its flag cleared alone: both rejected (the statement
 * binds the flag and the output). */
static void as_public_claim(const zki_vk *vk, const int64_t *Xv, uint32_t B, zki_proof *pf, int64_t *y,
                            const char *what)
{
    int64_t *keep = pf->output;
    pf->private_output = 0;
    CHECK_MSG(zki_verify(vk, Xv, B, pf) == ZKI_ERR_VERIFY, "%s: flag cleared in memory, accepted", what);
    pf->output = y;
    pf->out_n = (uint32_t)zki_dag_out_len(&vk->dag);
    CHECK_MSG(zki_verify(vk, Xv, B, pf) == ZKI_ERR_VERIFY, "%s: as a public claim of the true output, accepted",
              what);
    pf->output = keep;
    pf->out_n = 0;
    pf->private_output = 1;
}

/* What the API says of the proof: no output values. */
static void api_output(const zki_vk *vk, const zki_proof *pf, uint32_t B, int priv_in, const char *what)
{
    uint32_t pb = 0, per = 1;
    const int64_t *vals = (const int64_t *)pf;
    int pi = -1;
    float f[4];
    CHECK_MSG(zki_proof_output(pf, &pb, &per, &vals, &pi) == ZKI_OK && pb == B && per == 0 && !vals &&
                  pi == priv_in,
              "%s: zki_proof_output gave batch %u, %u per sample, values %p, private input %d", what, pb, per,
              (const void *)vals, pi);
    zki_status st = zki_proof_output_float(pf, vk, f, 4);
    CHECK_MSG(st == ZKI_ERR_INPUT && strstr(zki_last_error(), "commits its output"),
              "%s: zki_proof_output_float status %d: %s", what, st, zki_last_error());
}

/* One private-output proof of X (batch B; flags ZKI_PRIV_*): the checks in
 * the header; y: the true output (the integer executor's). */
static void private_round(zki_rng *g, zki_pk *pk, const int64_t *X, int64_t *y, uint32_t B, int flags,
                          const char *what)
{
    const zki_vk *vk = &pk->vk;
    const int64_t *Xv = flags & ZKI_PRIV_INPUT ? NULL : X;
    size_t n = (size_t)B * zki_dag_out_len(&vk->dag);
    zki_proof pf;
    zki_status st = prove_flags(pk, X, B, flags, &pf);
    if ((flags & ZKI_PRIV_INPUT) && st == ZKI_ERR_UNSUPPORTED && strstr(zki_last_error(), "private input")) {
        printf("%s: refused as for a public output (%s)\n", what, zki_last_error());
        return; /* the model needs its input public (a BMM's padding) */
    }
    CHECK_MSG(st == ZKI_OK, "%s: prove: %s", what, zki_last_error());
    if (st)
        return;
    CHECK_MSG(pf.out_n == 0 && pf.private_output == 1 && pf.zk == 1, "%s: out_n %u, private output %u, zk %u", what,
              pf.out_n, pf.private_output, pf.zk);
    st = zki_verify(vk, Xv, B, &pf);
    CHECK_MSG(st == ZKI_OK, "%s: verify: %s", what, zki_last_error());
    api_output(vk, &pf, B, (flags & ZKI_PRIV_INPUT) != 0, what);
    forge_sent_value(vk, Xv, B, &pf, what);
    as_public_claim(vk, Xv, B, &pf, y, what);
    CHECK_MSG(zki_verify(vk, Xv, B, &pf) == ZKI_OK, "%s: the restored proof", what);
    uint8_t *b = NULL;
    size_t len = 0;
    CHECK(zki_proof_to_bytes(&pf, &b, &len) == ZKI_OK);
    zki_proof_free(&pf);
    if (!b)
        return;
    CHECK_MSG(rd_u32(b + FLAGS_AT) == (uint32_t)(2 | 4 | (flags & ZKI_PRIV_INPUT)) && rd_u32(b + OUT_N_AT) == 0,
              "%s: flags 0x%x, out_n %u in the bytes", what, rd_u32(b + FLAGS_AT), rd_u32(b + OUT_N_AT));
    CHECK_MSG(!holds_values(b, len, y, n), "%s: the proof's bytes hold the output", what);
    st = verify_bytes(vk, Xv, B, b, len);
    CHECK_MSG(st == ZKI_OK, "%s: verify bytes: %s", what, zki_last_error());
    b[FLAGS_AT] ^= 4;
    CHECK_MSG(verify_bytes(vk, Xv, B, b, len) != ZKI_OK, "%s: the private-output flag cleared, accepted", what);
    b[FLAGS_AT] ^= 4;
    check_mutations(g, vk, Xv, B, b, len, ZKI_PROOF_OUTPUT_AT, 6, what);
    free(b);
}

/* ---- a cheating output --------------------------------------------------- */

/* A padding position of tensor t's layout in row 0, or UINT64_MAX. */
static uint64_t pad_position(const zki_dag *d, uint32_t t)
{
    zki_tlayout l;
    if (!zki_dag_layout(d, t, &l))
        return UINT64_MAX;
    size_t lw = zki_log2_ceil(l.w), lh = zki_log2_ceil(l.h);
    for (uint64_t i = 0; i < (uint64_t)1 << l.log_len; i++) {
        int real = l.map ? (i & (((uint64_t)1 << lw) - 1)) < l.w && (i >> lw & (((uint64_t)1 << lh) - 1)) < l.h &&
                               (i >> (lw + lh)) < l.c
                         : i < l.n;
        if (!real)
            return i;
    }
    return UINT64_MAX;
}

/* The cheat proven (forced: lookups that leave the bad value uncounted and
 * sum-checks that take false claims) and verified from its bytes: the
 * verifier's status, or -1 when the prover refused. */
static int prove_cheat(zki_pk *pk, const int64_t *X, uint32_t B, int flags, forge_at *c, int forced)
{
    zki_prove_seam seam = {0, forced ? ZKI_LK_COLS_FIELD_UNCHECKED : ZKI_LK_COLS_INT, seam_move_output, c, 0};
    zki_proof pf;
    zki_prove_test_seam = &seam;
    zki_sumcheck_test_false_claims = forced;
    zki_status st = prove_flags(pk, X, B, flags, &pf);
    zki_prove_test_seam = NULL;
    zki_sumcheck_test_false_claims = 0;
    if (st)
        return -1;
    uint8_t *b = NULL;
    size_t n = 0;
    CHECK(zki_proof_to_bytes(&pf, &b, &n) == ZKI_OK);
    zki_proof_free(&pf);
    zki_status vs = verify_bytes(&pk->vk, flags & ZKI_PRIV_INPUT ? NULL : X, B, b, n);
    free(b);
    return (int)vs;
}

/* The last node's output (what the prover commits as the output) moved by
 * one at a real position and at a pad: the verifier rejects each. */
static void test_cheats(zki_pk *pk, const int64_t *X, const char *what)
{
    uint32_t j = pk->vk.dag.n_nodes - 1;
    for (int pad = 0; pad < 2; pad++) {
        forge_at c = {j, pad ? pad_position(&pk->vk.dag, j + 1) : 0, 0};
        if (c.pos == UINT64_MAX) { /* a dense layout: no pad to cheat at */
            printf("%s: no padding position in the output's layout\n", what);
            continue;
        }
        int vs = prove_cheat(pk, X, 1, ZKI_PRIV_OUTPUT, &c, 0);
        const char *how = "the honest prover refused it";
        if (vs == -1) {
            how = "forced out";
            c.hit = 0;
            vs = prove_cheat(pk, X, 1, ZKI_PRIV_OUTPUT, &c, 1);
        }
        CHECK_MSG(c.hit, "%s: the cheat never ran", what);
        CHECK_MSG(vs == ZKI_ERR_VERIFY, "%s: a committed output off by one%s: verifier status %d (%s)", what,
                  pad ? " at a pad" : "", vs, vs > 0 ? zki_last_error() : "");
        printf("%s: committed output off by one%s: %s, verifier rejects\n", what, pad ? " at a pad" : "", how);
    }
}

/* ---- the fixtures ---------------------------------------------------------- */

/* The fixture's last node is of kind `last` (else the test proves nothing
 * about that gadget). */
static void check_last(const zki_qmodel *m, uint32_t last, const char *what)
{
    zki_dag d;
    zki_status st = zki_dag_lower(m, &d, NULL);
    CHECK_MSG(st == ZKI_OK, "%s: lowering: %s", what, zki_last_error());
    if (st)
        return;
    CHECK_MSG(d.nodes[d.n_nodes - 1].kind == last, "%s: last node of kind %u, expected %u", what,
              d.nodes[d.n_nodes - 1].kind, last);
    zki_dag_free(&d);
}

static void test_fixture(zki_rng *g, int i)
{
    char what[96];
    int64_t *X = NULL;
    zki_qmodel *m = load_named_fixture("", fx[i], &X, what, sizeof what);
    int64_t *y2 = m && X ? qexec_batch(m, X, 2) : NULL;
    zki_pk *pk = NULL;
    if (y2)
        check_last(m, fx_last[i], what);
    CHECK_MSG(!y2 || zki_setup_zk(m, seed_w, 12, &pk) == ZKI_OK, "%s: setup: %s", what, zki_last_error());
    if (pk) {
        /* control: a public proof's bytes hold the output */
        zki_proof pf;
        uint8_t *b = NULL;
        size_t len = 0;
        if (prove_flags(pk, X, 2, 0, &pf) == ZKI_OK) {
            CHECK(zki_proof_to_bytes(&pf, &b, &len) == ZKI_OK);
            zki_proof_free(&pf);
        }
        CHECK_MSG(b && holds_values(b, len, y2, 2 * zki_dag_out_len(&pk->vk.dag)),
                  "%s: a public proof's bytes do not hold the output", what);
        size_t plen = len;
        free(b);
        private_round(g, pk, X, y2, 2, ZKI_PRIV_OUTPUT, what);
        char w2[128];
        snprintf(w2, sizeof w2, "%s (private input)", what);
        private_round(g, pk, X, y2, 1, ZKI_PRIV_INPUT | ZKI_PRIV_OUTPUT, w2);
        test_cheats(pk, X, what);
        printf("%s: private output proven and verified (public proof %zu bytes)\n", what, plen);
    }
    zki_pk_free(pk);
    free(y2);
    free(X);
    zki_qmodel_free(m);
}

/* Plain proofs (the test seam zki_prove_plain): a private output proves
 * and verifies there too (committed, not hidden: a plain proof hides
 * nothing). One plain proof per key. */
static void test_plain(int i)
{
    char what[96];
    int64_t *X = NULL;
    zki_qmodel *m = load_named_fixture("", fx[i], &X, what, sizeof what);
    zki_pk *pk = NULL;
    if (m && X && zki_setup(m, seed_w, &pk) == ZKI_OK) {
        zki_proof pf;
        zki_prove_plain = 1;
        zki_status st = prove_flags(pk, X, 2, ZKI_PRIV_OUTPUT, &pf);
        zki_prove_plain = 0;
        CHECK_MSG(st == ZKI_OK, "%s: plain prove: %s", what, zki_last_error());
        if (!st) {
            CHECK(pf.zk == 0 && pf.out_n == 0 && pf.private_output == 1);
            uint8_t *b = NULL;
            size_t len = 0;
            CHECK(zki_proof_to_bytes(&pf, &b, &len) == ZKI_OK);
            zki_proof_free(&pf);
            CHECK_MSG(b && rd_u32(b + FLAGS_AT) == 4, "%s: plain flags", what);
            st = b ? verify_bytes(&pk->vk, X, 2, b, len) : ZKI_ERR_NOMEM;
            CHECK_MSG(st == ZKI_OK, "%s: plain verify: %s", what, zki_last_error());
            free(b);
            printf("%s: plain proof with a private output verifies\n", what);
        }
    }
    zki_pk_free(pk);
    free(X);
    zki_qmodel_free(m);
}

/* A generation hides its logits by the argmax: a private output is refused
 * there, naming why (before any argmax check or key budget). */
static void test_generation_refused(void)
{
    char what[96];
    int64_t *X = NULL;
    zki_qmodel *m = load_named_fixture("", fx[0], &X, what, sizeof what);
    zki_pk *pk = NULL;
    if (m && X && zki_setup(m, seed_w, &pk) == ZKI_OK) {
        zki_prove_opts o = {ZKI_PRIV_OUTPUT, seed_a, NULL, NULL, 0, 1};
        zki_proof pf;
        zki_status st = zki_prove(pk, X, 1, &o, &pf, NULL);
        CHECK_MSG(st == ZKI_ERR_INPUT && strstr(zki_last_error(), "generation"),
                  "a generation with a private output: status %d: %s", st, st ? zki_last_error() : "proven");
        if (!st)
            zki_proof_free(&pf);
    }
    zki_pk_free(pk);
    free(X);
    zki_qmodel_free(m);
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 0x70726976);
    for (int i = 0; i < NFX; i++)
        test_fixture(&g, i);
    test_plain(3);
    test_plain(4);
    test_generation_refused();
    return TEST_SUMMARY();
}
