/* The verifier's cost of a zero-knowledge proof is fixed by the key
 * (docs/security.md, "Verifier cost"; docs/zk.md). The walk of a
 * zero-knowledge proof records a tape of linear forms, constraints and
 * product triples and commits pads in chunks; the verifier caps each at the
 * key's bound (zki_zk_key_caps, from the chunk estimate), and
 * zki_vk_verifier_cost counts them with the final argument at those caps.
 *  1. honest zero-knowledge proofs (random MLPs with public and private
 *     input, a batch of 2, fixtures of every gadget kind, a key of many
 *     lookups) verify; the key's estimate is the walk's chunk 0; every
 *     count is within its cap with the margin the caps were chosen for;
 *     what the verifier allocated (the tape's capacity; with the batched
 *     equation, the statement and the argument) is within the zk part of
 *     the bound, and that within zki_vk_verifier_cost's;
 *  2. the same proof under caps lowered through the test seam
 *     (zki_zk_test_cap_div) is refused with ZKI_ERR_VERIFY naming the cap
 *     and the key's bound (the tape's; the pads'), and verifies again once
 *     the seam is off;
 *  3. a key whose bound with the zero-knowledge part exceeds the limit is
 *     refused at parse, naming the limit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The fixtures: tests/data next to this file, wherever the test runs (the
 * build defines no data path for it). */
static const char *data_dir(void)
{
    static char d[512];
    const char *slash = strrchr(__FILE__, '/');
    int n = slash ? (int)(slash - __FILE__) : 0;
    snprintf(d, sizeof d, "%.*s%sdata", n, __FILE__, slash ? "/" : "tests/");
    return d;
}
#define ZKI_TEST_DATA data_dir()

#include "common/error.h"
#include "common/rng.h"
#include "protocol/argmax.h"
#include "protocol/vk_cost.h"
#include "protocol/zk_session.h"
#include "prover/lower.h"
#include "prover/prover.h"
#include "random_mlp.h"
#include "test.h"
#include "test_prove_util.h"
#include "verifier/verifier.h"

static const uint8_t seed_w[32] = {15, 11};

/* A zero-knowledge proof of m on X as bytes, and the key's vk through its
 * byte format (so its cost is the parser's). */
static zki_status prove_zk(const zki_qmodel *m, const int64_t *X, uint32_t B, int priv, zki_vk *vk, uint8_t **b,
                           size_t *n)
{
    zki_pk *pk = NULL;
    zki_status st = zki_setup(m, seed_w, &pk);
    if (st)
        return st;
    uint8_t seed[32] = {7, (uint8_t)B, (uint8_t)priv};
    zki_prove_opts o = {.private_input = priv, .advice_seed = seed};
    zki_proof pf;
    if (!(st = zki_prove(pk, X, B, &o, &pf, NULL))) {
        st = pf.zk ? zki_proof_to_bytes(&pf, b, n) : zki_fail(ZKI_ERR_INPUT, "not a zk proof");
        zki_proof_free(&pf);
    }
    uint8_t *vb;
    size_t vl;
    if (!st && !(st = zki_vk_to_bytes(&pk->vk, &vb, &vl))) {
        st = zki_vk_from_bytes(vk, vb, vl);
        free(vb);
    }
    zki_pk_free(pk);
    return st;
}

/* The largest count / estimate seen, per field (nodes, terms, constraints,
 * products, pads), over every honest proof: printed against the caps. */
static double worst[5];

static void note_ratio(const zki_zk_verify_stats *s)
{
    const uint64_t held[5] = {s->held.nodes, s->held.terms, s->held.cons, s->held.prods, s->held.pads};
    for (int i = 0; i < 5; i++) {
        double r = (double)held[i] / (double)s->est;
        worst[i] = r > worst[i] ? r : worst[i];
    }
}

/* Each count at most half its cap (the caps' margin over honest proofs). */
static int within_half(const zki_zk_sizes *h, const zki_zk_sizes *c)
{
    return 2 * h->nodes <= c->nodes && 2 * h->terms <= c->terms && 2 * h->cons <= c->cons &&
           2 * h->prods <= c->prods && 2 * h->pads <= c->pads;
}

/* A verification under caps divided by div: refused naming `cap`. */
static void check_lowered(const zki_vk *vk, const int64_t *Xv, uint32_t B, const uint8_t *b, size_t n, uint32_t div,
                          const char *cap, const char *what)
{
    zki_zk_test_cap_div = div;
    zki_status st = verify_bytes(vk, Xv, B, b, n);
    zki_zk_test_cap_div = 0;
    const char *e = zki_last_error();
    CHECK_MSG(st == ZKI_ERR_VERIFY && strstr(e, cap) && strstr(e, "the key's bound"),
              "%s, caps / %u: status %d, %s", what, div, (int)st, e);
}

/* One honest proof: verifies within the caps and the bound; refused under
 * lowered caps. */
static void check_honest(const zki_qmodel *m, const int64_t *X, uint32_t B, int priv, const char *what)
{
    zki_vk vk;
    uint8_t *b = NULL;
    size_t n = 0;
    zki_status st = prove_zk(m, X, B, priv, &vk, &b, &n);
    if (priv && st == ZKI_ERR_UNSUPPORTED) { /* a gather by the input needs it public */
        free(b);
        return;
    }
    CHECK_MSG(st == ZKI_OK, "%s: prove: %s", what, zki_last_error());
    if (st) {
        free(b);
        return;
    }
    const int64_t *Xv = priv ? NULL : X;
    st = verify_bytes(&vk, Xv, B, b, n);
    CHECK_MSG(st == ZKI_OK, "%s: verify: %s", what, zki_last_error());
    zki_zk_verify_stats s = zki_zk_last_verify;
    /* chunk 0 is the key's count, within the estimate, and holds every pad
     * an honest proof uses: no second chunk */
    CHECK_MSG(s.first_len && s.first_len < s.est && s.n_chunks == 1 && s.used <= s.first_len,
              "%s: estimate %llu, chunk 0 %llu, %u chunks, %llu pads used", what, (unsigned long long)s.est,
              (unsigned long long)s.first_len, s.n_chunks, (unsigned long long)s.used);
    zki_zk_sizes c;
    zki_zk_key_caps(s.est, &c);
    CHECK(!memcmp(&c, &s.caps, sizeof c));
    CHECK_MSG(within_half(&s.held, &s.caps), "%s: nodes %llu / %llu, terms %llu / %llu, constraints %llu / %llu, "
              "products %llu / %llu, pads %llu / %llu", what, (unsigned long long)s.held.nodes,
              (unsigned long long)s.caps.nodes, (unsigned long long)s.held.terms, (unsigned long long)s.caps.terms,
              (unsigned long long)s.held.cons, (unsigned long long)s.caps.cons, (unsigned long long)s.held.prods,
              (unsigned long long)s.caps.prods, (unsigned long long)s.held.pads, (unsigned long long)s.caps.pads);
    note_ratio(&s);
    /* what it allocated: within the zk part of the bound, within the whole */
    uint64_t zops = 0, zbytes = 0, ops = 0, bytes = 0;
    zki_dag dv;
    zki_argmax_view(&vk.dag, 0, &dv);
    uint64_t est = 0, first = 0;
    CHECK(zki_zk_key_estimate(&dv, B, priv, &est, &first) == ZKI_OK && est == s.est && first == s.first_len);
    CHECK(zki_zk_verify_cost(&vk, est, first, &zops, &zbytes) == ZKI_OK);
    CHECK(zki_vk_verifier_cost(&vk, B, &ops, &bytes) == ZKI_OK);
    CHECK_MSG(s.tape_bytes <= zki_zk_tape_bytes_max(&s.caps) && s.tape_bytes < s.bytes && s.bytes <= zbytes &&
                  zbytes < bytes && zops < ops,
              "%s: tape %llu of %llu bytes, zk %llu of %llu bytes, bound %llu", what,
              (unsigned long long)s.tape_bytes, (unsigned long long)zki_zk_tape_bytes_max(&s.caps),
              (unsigned long long)s.bytes, (unsigned long long)zbytes, (unsigned long long)bytes);
    printf("%s: estimate %llu, chunk 0 %llu, %llu pads used; nodes %llu terms %llu constraints %llu products %llu pads %llu; tape %.2f MiB, "
           "zk %.2f MiB held; zk bound %.2f MiB %.1f Mops of %.2f MiB %.1f Mops\n",
           what, (unsigned long long)s.est, (unsigned long long)s.first_len, (unsigned long long)s.used,
           (unsigned long long)s.held.nodes, (unsigned long long)s.held.terms,
           (unsigned long long)s.held.cons, (unsigned long long)s.held.prods, (unsigned long long)s.held.pads,
           s.tape_bytes / 1048576.0, s.bytes / 1048576.0, zbytes / 1048576.0, zops / 1e6, bytes / 1048576.0,
           ops / 1e6);
    /* lowered caps: the tape's (a third of the caps: the pads of chunk 0
     * still fit while the estimate is under 5 * 4096), then the pads'
     * (chunk 0 itself refused) */
    check_lowered(&vk, Xv, B, b, n, 3, "tape", what);
    check_lowered(&vk, Xv, B, b, n, 64, "pads", what);
    CHECK_MSG(verify_bytes(&vk, Xv, B, b, n) == ZKI_OK, "%s: verify after the seam: %s", what, zki_last_error());
    zki_vk_free(&vk);
    free(b);
}

static int64_t *rand_input(zki_rng *g, uint64_t n)
{
    int64_t *x = malloc(sizeof(int64_t) * n);
    for (uint64_t i = 0; x && i < n; i++)
        x[i] = (int64_t)zki_rng_below(g, 256) - 128;
    return x;
}

static void test_mlps(zki_rng *g)
{
    static const uint32_t w1[] = {32, 16, 17, 10}, w2[] = {100, 64, 64, 2};
    int relu[3] = {1, 1, 1};
    zki_qmodel *m1 = NULL, *m2 = NULL;
    CHECK(zki_random_mlp(w1, relu, 3, 77, &m1) == ZKI_OK && zki_random_mlp(w2, relu, 3, 78, &m2) == ZKI_OK);
    int64_t *X1 = rand_input(g, 2 * 32), *X2 = rand_input(g, 100);
    if (m1 && X1) {
        check_honest(m1, X1, 1, 0, "mlp 32-16-17-10");
        check_honest(m1, X1, 2, 0, "mlp 32-16-17-10, batch 2");
    }
    if (m2 && X2)
        check_honest(m2, X2, 1, 1, "mlp 100-64-64-2, private input");
    zki_qmodel_free(m1);
    zki_qmodel_free(m2);
    free(X1);
    free(X2);
}

static void test_fixtures(void)
{
    static const char *names[] = {"resnet_tiny", "bmm_attn", "norm_softmax", "tok_block"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char what[96];
        int64_t *X = NULL;
        zki_qmodel *m = load_named_fixture("", names[i], &X, what, sizeof what);
        if (m && X)
            check_honest(m, X, 1, 0, what);
        zki_qmodel_free(m);
        free(X);
    }
}

/* Lookups dominate the estimate: the same caps hold. */
static void test_lookups(void)
{
    zki_qmodel *m = zki_clamp_ranges_mlp(4);
    int64_t X[1] = {0}; /* the quotients stay in their tables */
    CHECK(m != NULL);
    if (m)
        check_honest(m, X, 1, 0, "4 layers of 2^20 quotient tables");
    zki_qmodel_free(m);
}

/* The lookup model's key at the parser's 4096 layers, built from its DAG
 * (what setup computes: every quotient table 2^20): the zero-knowledge
 * part alone (3.8 million estimated values) is past the limit while the
 * rest is far under it; the key is refused at parse, and by setup. */
static void test_over_limit(void)
{
    zki_qmodel *m = zki_clamp_ranges_mlp(4096);
    CHECK(m != NULL);
    if (!m)
        return;
    zki_vk vk;
    memset(&vk, 0, sizeof vk);
    CHECK(zki_dag_lower(m, &vk.dag, NULL) == ZKI_OK);
    for (uint32_t l = 0; l < vk.dag.n_nodes; l++)
        if (vk.dag.nodes[l].kind == ZKI_NODE_LINEAR)
            vk.dag.nodes[l].q_log = ZKI_DAG_MAX_Q_LOG;
    vk.grind_bits = ZKI_KEY_GRIND_BITS;
    CHECK(zki_vk_layout(&vk) == ZKI_OK);
    uint64_t lens[3];
    uint32_t nt = zki_vk_weight_lens(&vk, lens);
    zki_pcs_params pp;
    zki_key_pcs_params(&vk, 0, vk.wpack.total, &pp);
    CHECK(zki_pcs_shape_init(&vk.wcom, &pp, lens, nt) == ZKI_OK);
    uint64_t ops = 0, bytes = 0, zops = 0, zbytes = 0, est = 0, first = 0;
    CHECK(zki_vk_verifier_cost(&vk, 1, &ops, &bytes) == ZKI_OK);
    CHECK(zki_zk_key_estimate(&vk.dag, 1, 0, &est, &first) == ZKI_OK &&
          zki_zk_verify_cost(&vk, est, first, &zops, &zbytes) == ZKI_OK);
    printf("lookup key of 4096 layers: estimate %llu; bound %.0f MiB %.0f Mops, of which zk %.0f MiB %.0f Mops\n",
           (unsigned long long)est, bytes / 1048576.0, ops / 1e6, zbytes / 1048576.0, zops / 1e6);
    CHECK(bytes > ZKI_VK_MAX_VERIFY_BYTES && bytes - zbytes <= ZKI_VK_MAX_VERIFY_BYTES / 2);
    uint8_t *b = NULL;
    size_t n = 0;
    CHECK(zki_vk_to_bytes(&vk, &b, &n) == ZKI_OK);
    zki_vk back;
    CHECK(b && zki_vk_from_bytes(&back, b, n) == ZKI_ERR_INPUT);
    CHECK_MSG(strstr(zki_last_error(), "beyond the limit") && strstr(zki_last_error(), "Verifier cost"), "%s",
              zki_last_error());
    free(b);
    zki_vk_free(&vk);
    zki_pk *pk = NULL;
    CHECK(zki_setup(m, seed_w, &pk) == ZKI_ERR_INPUT && strstr(zki_last_error(), "beyond the limit"));
    zki_pk_free(pk);
    zki_qmodel_free(m);
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 1511);
    test_mlps(&g);
    test_fixtures();
    test_lookups();
    printf("most held per estimated value: nodes %.3f terms %.3f constraints %.3f products %.3f pads %.3f\n",
           worst[0], worst[1], worst[2], worst[3], worst[4]);
    test_over_limit();
    return TEST_SUMMARY();
}
