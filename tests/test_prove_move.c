/* Data movement proven as an index map (the MOVE node, ops/move.h):
 *  1. ops/move.c against the integer executor: random chains of Reshape,
 *     Transpose, Slice (negative steps too), Pad (constant with crops,
 *     reflect, edge), Gather (constant indices, negative ones, index
 *     ranks 0 to 2) and Trilu (a causal mask: either side, diagonals -3 to
 *     3) on random shapes, composed into one program by the
 *     lowering's step translation: the expanded index map equals qexec's
 *     output on the input arange(n); an Expand by hand; malformed programs
 *     refused, random words never expand out of range.
 *  2. the sum-check alone: honest claims verify, a wrong value or a
 *     forged input claim is refused.
 *  3. the torch fixtures (tools/make_move_fixtures.py): a ShuffleNet-style
 *     block, a transpose of the input (a MOVE as the first node) and of a
 *     map, a slice of channels and rows, a Linear after a Transpose, a
 *     transposed output (a MOVE as the last node): each lowers to MOVE
 *     nodes, proves (public batch 2, private batch 1), its output equals
 *     the executor's, it verifies, a forged MOVE value and mutated proof
 *     bytes are refused; a cheating witness (the consumer fed a wrongly
 *     permuted map through the prover seam) is refused; a key whose MOVE
 *     program is altered either does not parse or, used by the prover,
 *     gives a proof the honest key refuses.
 *  4. the fixtures through the CLI: compile, run (against torch), prove,
 *     verify, another input rejected.
 *  5. a model built here: a constant Pad of the input (a MOVE as node 0),
 *     a reflect Pad and a Gather of channels composed into one MOVE, at a
 *     public batch of 3 and a private batch of 1; a model that is one
 *     Transpose of its input lowers to one MOVE and setup refuses it (no
 *     weights to commit); a chain of 65 steps and a Gather by activation
 *     indices are refused by name. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/rng.h"
#include "ops/move.h"
#include "poly/mle.h"
#include "prover/lower_internal.h"
#include "prover/seam.h"
#include "protocol/key.h"
#include "quant/npy.h"
#include "test.h"
#include "test_cli_util.h"
#include "test_prove_util.h"
#include "test_zk_util.h"

static const uint8_t seed_w[32] = {6, 2, 8};
static const uint8_t seed_a[32] = {1, 8, 2};

/* ---- 1. the index map against the executor ---------------------------- */

typedef struct {
    int rank;
    int64_t d[ZKI_MOVE_MAX_RANK];
} shp;

static int64_t numel(const shp *s)
{
    int64_t n = 1;
    for (int a = 0; a < s->rank; a++)
        n *= s->d[a];
    return n;
}

static int add_value(zki_qmodel *m, const shp *s, int k)
{
    char nm[16];
    snprintf(nm, sizeof nm, "t%d", k);
    return zki_qmodel_add_tensor(m, nm, ZKI_QT_VALUE, 16, s->rank, s->d, 0.01);
}

/* One random movement node reading tensor x of shape *s; *s becomes its
 * output's. */
static int random_step(zki_qmodel *m, zki_rng *g, int x, shp *s, int k, int *has_pad)
{
    shp y = *s;
    int64_t p[ZKI_QMAX_P];
    int np = 0, op, idx_t = -1, r = s->rank;
    for (;;) {
        op = (int)zki_rng_below(g, 6);
        if ((op == 3 || op == 5) && *has_pad) /* one pad constant (-1) per chain: any other mode */
            continue;
        if (op == 5 && r < 2)
            continue;
        break;
    }
    if (op == 0) { /* RESHAPE: the prime factors spread over 1..5 axes */
        int64_t n = numel(s), f[40];
        int nf = 0;
        for (int64_t q = 2; n > 1 && nf < 40; q++)
            while (n % q == 0 && nf < 40)
                f[nf++] = q, n /= q;
        y.rank = 1 + (int)zki_rng_below(g, 5);
        for (int a = 0; a < y.rank; a++)
            y.d[a] = 1;
        for (int i = 0; i < nf; i++)
            y.d[zki_rng_below(g, (uint64_t)y.rank)] *= f[i];
        op = ZKI_QOP_RESHAPE;
    } else if (op == 1) { /* TRANSPOSE */
        int perm[ZKI_MOVE_MAX_RANK];
        for (int a = 0; a < r; a++)
            perm[a] = a;
        for (int a = r - 1; a > 0; a--) {
            int b = (int)zki_rng_below(g, (uint64_t)a + 1), t = perm[a];
            perm[a] = perm[b], perm[b] = t;
        }
        for (int a = 0; a < r; a++)
            p[np++] = perm[a], y.d[a] = s->d[perm[a]];
        op = ZKI_QOP_TRANSPOSE;
    } else if (op == 2) { /* SLICE */
        int64_t st[ZKI_MOVE_MAX_RANK], sp[ZKI_MOVE_MAX_RANK];
        for (int a = 0; a < r; a++) {
            static const int64_t steps[5] = {1, 2, -1, -2, 3};
            int64_t d = s->d[a];
            sp[a] = steps[zki_rng_below(g, 5)];
            st[a] = (int64_t)zki_rng_below(g, (uint64_t)d);
            int64_t room = sp[a] > 0 ? (d - 1 - st[a]) / sp[a] + 1 : st[a] / -sp[a] + 1;
            y.d[a] = 1 + (int64_t)zki_rng_below(g, (uint64_t)room);
        }
        for (int a = 0; a < r; a++)
            p[np++] = st[a];
        for (int a = 0; a < r; a++)
            p[np++] = sp[a];
        op = ZKI_QOP_SLICE;
    } else if (op == 3) { /* PAD */
        int mode = (int)zki_rng_below(g, 3);
        p[np++] = mode;
        p[np++] = -1;
        for (int a = 0; a < r; a++) {
            int64_t d = s->d[a], b, e;
            if (mode == 1) {
                b = (int64_t)zki_rng_below(g, (uint64_t)d), e = (int64_t)zki_rng_below(g, (uint64_t)d);
            } else if (mode == 2) {
                b = (int64_t)zki_rng_below(g, 3), e = (int64_t)zki_rng_below(g, 3);
            } else { /* crops too: at least one element stays */
                b = (int64_t)zki_rng_below(g, 3) - (d > 2 ? 1 : 0);
                e = (int64_t)zki_rng_below(g, 3) - (d > 2 ? 1 : 0);
            }
            p[np++] = b;
            y.d[a] = d + b + e;
        }
        *has_pad |= mode == 0;
        op = ZKI_QOP_PAD;
    } else if (op == 5) { /* TRILU: the pad constant off the kept triangle */
        p[np++] = (int64_t)zki_rng_below(g, 2);
        p[np++] = (int64_t)zki_rng_below(g, 7) - 3;
        p[np++] = -1;
        *has_pad = 1;
        op = ZKI_QOP_TRILU;
    } else { /* GATHER: constant indices, negative ones too */
        int ax = (int)zki_rng_below(g, (uint64_t)r), q = (int)zki_rng_below(g, 3);
        if (r - 1 + q < 1)
            q = 1;
        if (r - 1 + q > ZKI_MOVE_MAX_RANK)
            q = 0;
        shp is = {q, {0}};
        for (int a = 0; a < q; a++)
            is.d[a] = 1 + (int64_t)zki_rng_below(g, 3);
        char nm[16];
        snprintf(nm, sizeof nm, "idx%d", k);
        idx_t = zki_qmodel_add_tensor(m, nm, ZKI_QT_CONST, 64, q, is.d, 0);
        int64_t ni = numel(&is), d = s->d[ax];
        m->t[idx_t].data = malloc(sizeof(int64_t) * (size_t)ni);
        for (int64_t i = 0; i < ni; i++)
            m->t[idx_t].data[i] = (int64_t)zki_rng_below(g, 2 * (uint64_t)d) - d;
        y.rank = r - 1 + q;
        memcpy(y.d, s->d, sizeof(int64_t) * (size_t)ax);
        memcpy(y.d + ax, is.d, sizeof(int64_t) * (size_t)q);
        memcpy(y.d + ax + q, s->d + ax + 1, sizeof(int64_t) * (size_t)(r - ax - 1));
        p[np++] = ax;
        op = ZKI_QOP_GATHER;
    }
    int yt = add_value(m, &y, k);
    int ni = zki_qmodel_add_node(m, op, "mv");
    zki_qnode *n = &m->nodes[ni];
    n->n_in = idx_t >= 0 ? 2 : 1;
    n->in[0] = x;
    n->in[1] = idx_t;
    n->out = yt;
    n->n_p = np;
    memcpy(n->p, p, sizeof(int64_t) * (size_t)np);
    *s = y;
    return yt;
}

static void test_against_qexec(zki_rng *g)
{
    int bad = 0, cases = 400;
    for (int c = 0; c < cases; c++) {
        zki_qmodel *m = calloc(1, sizeof(zki_qmodel));
        shp s = {1 + (int)zki_rng_below(g, 4), {0}};
        for (int a = 0; a < s.rank; a++)
            s.d[a] = 1 + (int64_t)zki_rng_below(g, 5);
        int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 16, s.rank, s.d, 0.01), t = x, has_pad = 0;
        m->inputs[m->n_inputs++] = x;
        int steps = 1 + (int)zki_rng_below(g, 4);
        shp s0 = s;
        for (int k = 0; k < steps; k++)
            t = random_step(m, g, t, &s, k, &has_pad);
        m->outputs[m->n_outputs++] = t;
        /* the program: pad constant, input shape, each node's steps */
        int64_t prog[4096];
        size_t n = 0, len;
        prog[n++] = has_pad ? -1 : 0;
        prog[n++] = s0.rank;
        for (int a = 0; a < s0.rank; a++)
            prog[n++] = s0.d[a];
        int ok = zki_qmodel_check(m) == ZKI_OK;
        for (int i = 0; ok && i < m->n_nodes; i++) {
            ok = zki_lower_move_step(m, &m->nodes[i], prog + n, 4096 - n, &len) == ZKI_OK;
            n += len;
        }
        int64_t in_n = numel(&s0), *X = malloc(sizeof(int64_t) * (size_t)in_n), **v = NULL, *src = NULL;
        for (int64_t i = 0; i < in_n; i++)
            X[i] = i;
        zki_move_info info;
        ok = ok && zki_qexec(m, &X, &v) == ZKI_OK && zki_move_check(prog, n, &info) == ZKI_OK &&
             zki_move_expand(prog, n, &src) == ZKI_OK && (int64_t)info.out_n == numel(&s) &&
             info.out_rank == (uint32_t)s.rank && !memcmp(info.out_dims, s.d, sizeof(int64_t) * (size_t)s.rank) &&
             !memcmp(src, v[t], sizeof(int64_t) * info.out_n);
        if (!ok && bad++ < 3)
            fprintf(stderr, "case %d: %s\n", c, zki_last_error());
        if (v)
            zki_qexec_free(m, v);
        free(src);
        free(X);
        zki_qmodel_free(m);
    }
    CHECK_MSG(bad == 0, "%d of %d random movement chains differ from the executor", bad, cases);
    printf("index maps: %d random chains equal the executor's\n", cases);
}

static void test_expand_and_bounds(zki_rng *g)
{
    /* [2,1,3] expanded to [4,2,3,3]: out[a][b][c][d] = in[b][0][d] */
    int64_t e[] = {0, 3, 2, 1, 3, ZKI_MOVE_EXPAND, 4, 4, 2, 3, 3}, *src = NULL;
    int ok = zki_move_expand(e, sizeof e / 8, &src) == ZKI_OK;
    for (int64_t o = 0; ok && o < 72; o++)
        ok = src[o] == (o / 9 % 2) * 3 + o % 3;
    CHECK_MSG(ok, "expand");
    free(src);
    /* malformed programs */
    static const int64_t bad[][12] = {
        {0, 2, 2, 3, ZKI_MOVE_TRANSPOSE, 0, 0},                       /* not a permutation */
        {0, 2, 2, 3, ZKI_MOVE_RESHAPE, 1, 7},                         /* size changes */
        {0, 1, 4, ZKI_MOVE_SLICE, 2, 1, 3},                           /* reads index 4 */
        {0, 1, 4, ZKI_MOVE_SLICE, 0, -1, 2},                          /* reads index -1 */
        {0, 1, 4, ZKI_MOVE_GATHER, 0, 1, 2, 1, 4},                    /* index 4 */
        {0, 1, 4, ZKI_MOVE_PAD, 1, 4, 0},                             /* reflect by the axis */
        {0, 1, 4, ZKI_MOVE_EXPAND, 1, 8},                             /* 4 -> 8 */
        {0, 2, 1 << 20, 1 << 20},                                     /* 2^40 elements */
        {0, 1, 4, ZKI_MOVE_PAD, 0, 1 << 26, 0},                       /* a result above 2^26 */
        {0, 1, 4, 9},                                                 /* unknown opcode */
        {0, 1, 4, ZKI_MOVE_RESHAPE, 9, 1},                            /* rank 9 */
        {0, 9, 1},                                                    /* input rank 9 */
    };
    static const size_t blen[] = {7, 7, 7, 7, 9, 7, 6, 4, 7, 4, 6, 3};
    int refused = 0;
    for (size_t i = 0; i < sizeof blen / sizeof blen[0]; i++) {
        zki_move_info info;
        refused += zki_move_check(bad[i], blen[i], &info) == ZKI_ERR_INPUT;
    }
    CHECK_MSG(refused == (int)(sizeof blen / sizeof blen[0]), "%d of %zu malformed programs refused", refused,
              sizeof blen / sizeof blen[0]);
    /* truncated: every proper prefix past the header of a long program */
    int64_t lp[] = {0, 2, 3, 4, ZKI_MOVE_TRANSPOSE, 1, 0, ZKI_MOVE_SLICE, 0, 1, 1, 1, 2, 3};
    int trunc_ok = 0;
    for (size_t n = 5; n < sizeof lp / 8; n++) {
        zki_move_info info;
        trunc_ok += n == 7 ? 1 : zki_move_check(lp, n, &info) == ZKI_ERR_INPUT;
    }
    CHECK_MSG(trunc_ok == (int)(sizeof lp / 8) - 5, "truncated programs");
    /* 65 steps */
    int64_t many[3 + 65 * 3];
    size_t n = 0;
    many[n++] = 0, many[n++] = 1, many[n++] = 4;
    for (int i = 0; i < 65; i++)
        many[n++] = ZKI_MOVE_RESHAPE, many[n++] = 1, many[n++] = 4;
    zki_move_info info;
    CHECK(zki_move_check(many, n, &info) == ZKI_ERR_INPUT);
    CHECK(zki_move_check(many, n - 3, &info) == ZKI_OK && info.n_steps == 64 && info.work == 64 * 4);
    /* random words: refused, or every index inside the input */
    int fine = 1, accepted = 0;
    for (int c = 0; c < 20000 && fine; c++) {
        int64_t w[16];
        size_t k = 3 + zki_rng_below(g, 14);
        w[0] = 0, w[1] = 1 + (int64_t)zki_rng_below(g, 2), w[2] = 1 + (int64_t)zki_rng_below(g, 4);
        w[3] = 1 + (int64_t)zki_rng_below(g, 4);
        for (size_t i = 4; i < k; i++)
            w[i] = (int64_t)zki_rng_below(g, 10) - 2; /* opcodes up to TRIL (7) */
        if (zki_move_check(w, k, &info) != ZKI_OK)
            continue;
        accepted++;
        CHECK(zki_move_expand(w, k, &src) == ZKI_OK);
        for (uint64_t o = 0; src && o < info.out_n; o++)
            fine = fine && src[o] >= -1 && src[o] < (int64_t)info.in_n;
        free(src);
    }
    CHECK_MSG(fine && accepted > 100, "random programs: %d accepted, indices %s", accepted,
              fine ? "in range" : "OUT OF RANGE");
}

/* ---- 2. the sum-check alone -------------------------------------------- */

typedef struct {
    const zki_move_dims *d;
    const int64_t *x;
    uint64_t ldx;
    const zki_ext *r;
    zki_ext v, v_sent, a, rho[9];
    const zki_fe *xt;  /* x's table, 9 variables */
    int priv;          /* the claim on y is private too (sent ahead, as a gadget's incoming claim) */
    int mutation;      /* 0: a; 1: the first round message; 2: the last round's */
    zki_sc_proof sc;
} move_zk;

static zki_status move_zk_prove(void *c, zki_transcript *t)
{
    move_zk *z = c;
    zki_ext ev;
    zki_sc_proof_free(&z->sc);
    if (z->priv)
        z->v_sent = zki_zk_send(t, "test.claim", z->v);
    return zki_move_prove(z->d, z->x, z->ldx, z->r, z->v, t, &z->sc, &z->a, z->rho, &ev);
}

/* The verifier, then the caller's check of the claim on x. */
static zki_status move_zk_verify(void *c, zki_transcript *t)
{
    move_zk *z = c;
    zki_ext rho[9];
    zki_pv out, v = z->priv ? zki_zk_recv(t, "test.claim", z->v_sent) : zki_pv_pub(z->v);
    zki_status st = zki_move_verify(z->d, z->r, v, &z->sc, z->a, t, rho, &out);
    return st ? st : zki_pv_assert_eq(t->zk, out, zki_pv_pub(zki_mle_eval_base(z->xt, 9, rho)), "x");
}

static void move_zk_mutate(void *c)
{
    move_zk *z = c;
    zki_ext *at = z->mutation == 0 ? &z->a : z->mutation == 1 ? &z->sc.msgs[0] : &z->sc.msgs[2 * z->sc.nvars - 1];
    *at = zki_ext_add(*at, zki_ext_one());
}

static void move_zk_case(const zki_move_dims *d, const int64_t *x, uint64_t ldx, const zki_ext *r, zki_ext v,
                         const zki_fe *xt, int priv)
{
    move_zk z;
    memset(&z, 0, sizeof z);
    z.d = d, z.x = x, z.ldx = ldx, z.r = r, z.v = v, z.xt = xt, z.priv = priv;
    for (z.mutation = 0; z.mutation < 3; z.mutation++) {
        zki_zk *zp = zk_roundtrip("move", &z, move_zk_prove, move_zk_verify, 2 + 2 * 9);
        if (zp)
            zk_cheat("move", &z, move_zk_verify, move_zk_mutate, zp);
        zki_zk_free(zp);
    }
    zki_sc_proof_free(&z.sc);
}

static void test_sumcheck(zki_rng *g)
{
    /* x a map [3][5][3] (padded 4x8x4), batch 3, y a row: transpose + pad + slice */
    int64_t prog[] = {-3, 4, 1, 3, 5, 3, ZKI_MOVE_TRANSPOSE, 0, 2, 3, 1, ZKI_MOVE_PAD, 0, 0, 1, 0, 2, 0, 0, 1, 1,
                      ZKI_MOVE_SLICE, 0, 0, 0, 1, 1, 1, 2, 1, 1, 4, 2, 5, ZKI_MOVE_RESHAPE, 2, 1, 40};
    int64_t *src = NULL;
    CHECK(zki_move_expand(prog, sizeof prog / 8, &src) == ZKI_OK);
    if (!src)
        return;
    zki_move_dims d = {3, 2, {1, 3, 5, 3, 45, 7}, {0, 0, 0, 0, 40, 6}, src, -3, 0};
    uint64_t ldx = 128;
    int64_t *x = calloc(3 * ldx, sizeof(int64_t));
    for (uint64_t b = 0; b < 3; b++)
        for (uint64_t i = 0; i < 45; i++)
            x[b * ldx + zki_move_pad_index(&d.in, i)] = (int64_t)zki_rng_below(g, 256) - 128;
    int64_t *y = zki_move_forward(&d, x, ldx);
    size_t ny = 6 + 2;
    zki_ext r[8], rho[9], rho2[9], a;
    for (size_t i = 0; i < ny; i++)
        r[i] = (zki_ext){zki_rng_below(g, 1000000007), zki_rng_below(g, 1000000007)};
    zki_fe *tab = calloc((size_t)1 << ny, sizeof(zki_fe));
    for (uint64_t b = 0; b < 3; b++)
        for (uint64_t o = 0; o < 64; o++)
            tab[(b << 6) | o] = zki_fe_from_i64(y[b * 64 + o]);
    zki_ext v = zki_mle_eval_base(tab, ny, r);
    zki_transcript tp = {0}, tv = {0}, tw = {0};
    zki_sc_proof sc;
    zki_ts_init(&tp, "move-test", 1);
    zki_ts_init(&tv, "move-test", 1);
    zki_ts_init(&tw, "move-test", 1);
    zki_ext ev;
    zki_pv out;
    CHECK(zki_move_prove(&d, x, ldx, r, v, &tp, &sc, &a, rho, &ev) == ZKI_OK && zki_ext_eq(a, ev));
    CHECK(zki_move_verify(&d, r, zki_pv_pub(v), &sc, a, &tv, rho2, &out) == ZKI_OK &&
          !memcmp(rho, rho2, sizeof(zki_ext) * 9) && zki_pv_is_pub(out) && zki_ext_eq(out.c, a));
    /* the claim on x at rho is true */
    zki_fe *xt = calloc((size_t)1 << 9, sizeof(zki_fe));
    for (uint64_t b = 0; b < 3; b++)
        for (uint64_t i = 0; i < 128; i++)
            xt[(b << 7) | i] = zki_fe_from_i64(x[b * ldx + i]);
    CHECK(zki_ext_eq(zki_mle_eval_base(xt, 9, rho), a));
    /* a wrong claimed value, a forged input value */
    zki_ext v1 = zki_ext_add(v, zki_ext_one()), a1 = zki_ext_add(a, zki_ext_one());
    CHECK(zki_move_verify(&d, r, zki_pv_pub(v1), &sc, a, &tw, rho2, &out) == ZKI_ERR_VERIFY);
    zki_ts_free(&tw);
    zki_ts_init(&tw, "move-test", 1);
    CHECK(zki_move_verify(&d, r, zki_pv_pub(v), &sc, a1, &tw, rho2, &out) == ZKI_ERR_VERIFY);
    /* zero knowledge: the same sum-check with padded values, the claim on
     * y public and private */
    for (int priv = 0; priv < 2; priv++)
        move_zk_case(&d, x, ldx, r, v, xt, priv);
    zki_sc_proof_free(&sc);
    zki_ts_free(&tp);
    zki_ts_free(&tv);
    zki_ts_free(&tw);
    free(xt);
    free(tab);
    free(y);
    free(x);
    free(src);
}

/* ---- 3. the fixtures ----------------------------------------------------- */

#define NFX 5
static const char *const fx[NFX] = {"shuffle", "transpose", "slice", "linear_t", "out"};

static uint32_t move_node(const zki_dag *d, uint32_t nth)
{
    for (uint32_t j = 0; j < d->n_nodes; j++)
        if (d->nodes[j].kind == ZKI_NODE_MOVE && nth-- == 0)
            return j;
    return UINT32_MAX;
}

/* every MOVE node's input value forged in turn: refused */
static void forge_move_value(const zki_vk *vk, const int64_t *Xv, uint32_t B, zki_proof *pf, void *ctx)
{
    const char *what = ctx;
    for (uint32_t j = 0; j < vk->dag.n_nodes; j++) {
        if (vk->dag.nodes[j].kind != ZKI_NODE_MOVE)
            continue;
        for (uint32_t i = 0; i < pf->node[j].n_val; i++) {
            zki_ext keep = pf->node[j].val[i];
            pf->node[j].val[i].c0 = zki_fe_add(keep.c0, 1);
            CHECK_MSG(zki_verify(vk, Xv, B, pf) == ZKI_ERR_VERIFY, "%s: node %u value %u forged, accepted", what, j,
                      i);
            pf->node[j].val[i] = keep;
        }
    }
}

/* The cheat: node `at`'s (a MOVE) output with two of its differing real
 * elements swapped, so its consumer reads a wrongly permuted map. */
typedef struct {
    uint32_t at;
    int done;
} cheat;

static zki_status swap_hook(void *ctx, const zki_pk *pk, uint32_t j, zki_witness *W, uint32_t B, zki_status st)
{
    cheat *c = ctx;
    if (j != c->at || st)
        return st;
    int64_t *y = W->own[j + 1];
    zki_tlayout l;
    zki_dag_layout(&pk->vk.dag, j + 1, &l);
    zki_move_layout ml = {(int)l.map, l.c, l.h, l.w, l.n, l.log_len};
    uint64_t p0 = zki_move_pad_index(&ml, 0);
    for (uint64_t o = 1; o < l.n; o++) {
        uint64_t po = zki_move_pad_index(&ml, o);
        if (y[po] != y[p0]) {
            int64_t t = y[po];
            y[po] = y[p0], y[p0] = t;
            c->done = 1;
            break;
        }
    }
    return st;
}

static int prove_cheat(zki_pk *pk, const int64_t *X, cheat *c, int forced)
{
    zki_prove_opts o = {0, seed_a, NULL, NULL, 0, 0};
    zki_prove_seam seam = {0, forced ? ZKI_LK_COLS_FIELD_UNCHECKED : ZKI_LK_COLS_INT, swap_hook, c, 0};
    zki_proof pf;
    zki_prove_test_seam = &seam;
    zki_sumcheck_test_false_claims = forced;
    zki_status st = zki_prove(pk, X, 1, &o, &pf, NULL);
    zki_prove_test_seam = NULL;
    zki_sumcheck_test_false_claims = 0;
    if (st)
        return -1;
    uint8_t *b = NULL;
    size_t n = 0;
    CHECK(zki_proof_to_bytes(&pf, &b, &n) == ZKI_OK);
    zki_proof_free(&pf);
    zki_status vs = verify_bytes(&pk->vk, X, 1, b, n);
    free(b);
    return (int)vs;
}

static void test_cheat(const char *name, zki_pk *pk, const int64_t *X)
{
    uint32_t j = move_node(&pk->vk.dag, 0);
    cheat c = {j, 0};
    int vs = prove_cheat(pk, X, &c, 0);
    const char *how = "the honest prover refused it";
    if (vs == -1) {
        how = "forced out";
        vs = prove_cheat(pk, X, &c, 1);
    }
    CHECK_MSG(c.done, "move_%s: the cheat never ran", name);
    CHECK_MSG(vs == ZKI_ERR_VERIFY, "move_%s: a wrongly permuted map gave verifier status %d", name, vs);
    printf("move_%s: node %u's map permuted: %s, verifier rejects\n", name, j, how);
}

/* A MOVE program altered in the key bytes: a malformed one does not
 * parse; a well-formed other one parses (a key for another model). And the
 * prover using the altered program against the honest verifying key: the
 * proof is refused. */
static void test_altered_program(const char *name, zki_pk *pk, const int64_t *X)
{
    uint32_t j = move_node(&pk->vk.dag, 0);
    zki_dag_node *L = &pk->vk.dag.nodes[j];
    uint8_t *vb = NULL;
    size_t vn = 0;
    CHECK(zki_vk_to_bytes(&pk->vk, &vb, &vn) == ZKI_OK);
    zki_vk honest;
    CHECK(zki_vk_from_bytes(&honest, vb, vn) == ZKI_OK);
    free(vb);
    /* every word of the program past the header made out of range, one at
     * a time: the DAG parses only if the program still holds together */
    int parsed = 0, refused = 0;
    for (uint32_t i = 4; i < L->n_aux; i++) {
        int64_t keep = L->aux[i];
        L->aux[i] = 1 << 27;
        zki_wbuf w = {0};
        zki_dag_write(&w, &pk->vk.dag);
        zki_rbuf r = {w.p, w.n, 0};
        zki_dag back;
        if (zki_dag_read(&r, &back) == ZKI_OK) {
            parsed++;
            zki_dag_free(&back);
        } else {
            refused++;
        }
        free(w.p);
        L->aux[i] = keep;
    }
    CHECK_MSG(parsed == 0, "move_%s: %d out-of-range program words parsed", name, parsed);
    /* another valid program: the last TRANSPOSE step's first two axes
     * swapped, or a slice's start moved */
    int64_t *p = L->aux + 4;
    size_t n = L->n_aux - 4, pos = 2 + (size_t)p[1], at = 0;
    zki_move_info info;
    CHECK(zki_move_check(p, n, &info) == ZKI_OK);
    int64_t old[2] = {0, 0};
    int kind = 0;
    /* walk the steps to find one to change */
    int64_t dims[8];
    memcpy(dims, p + 2, sizeof(int64_t) * (size_t)p[1]);
    uint32_t rank = (uint32_t)p[1];
    for (int pass = 0; pass < 2 && !kind; pass++) { /* equal sizes first, then any */
        memcpy(dims, p + 2, sizeof(int64_t) * (size_t)p[1]);
        rank = (uint32_t)p[1];
        for (pos = 2 + (size_t)p[1]; pos < n && !kind;) {
            int64_t op = p[pos], nd[8];
            if (op == ZKI_MOVE_RESHAPE) {
                rank = (uint32_t)p[pos + 1];
                memcpy(dims, p + pos + 2, sizeof(int64_t) * rank);
                pos += 2 + rank;
            } else if (op == ZKI_MOVE_TRANSPOSE) {
                for (uint32_t a = 0; a + 1 < rank && !kind; a++) {
                    int64_t da = dims[p[pos + 1 + a]], db = dims[p[pos + 2 + a]];
                    if (da > 1 && db > 1 && (pass || da == db))
                        at = pos + 1 + a, kind = 1;
                }
                for (uint32_t a = 0; a < rank; a++)
                    nd[a] = dims[p[pos + 1 + a]];
                memcpy(dims, nd, sizeof(int64_t) * rank);
                pos += 1 + rank;
            } else if (op == ZKI_MOVE_SLICE) {
                for (uint32_t a = 0; a < rank && !kind; a++)
                    if (p[pos + 1 + a] > 0 && p[pos + 1 + rank + a] == 1)
                        at = pos + 1 + a, kind = 2;
                memcpy(dims, p + pos + 1 + 2 * rank, sizeof(int64_t) * rank);
                pos += 1 + 3 * rank;
            } else {
                break;
            }
        }
    }
    if (kind == 1) { /* two axes of one size swapped */
        old[0] = p[at], old[1] = p[at + 1];
        p[at] = old[1], p[at + 1] = old[0];
    } else if (kind == 2) { /* the slice one earlier */
        old[0] = p[at];
        p[at] = old[0] - 1;
    }
    CHECK_MSG(kind, "move_%s: no step to alter", name);
    if (!kind) {
        zki_vk_free(&honest);
        return;
    }
    CHECK_MSG(zki_move_check(p, n, &info) == ZKI_OK, "move_%s: the altered program is valid", name);
    zki_wbuf w = {0};
    zki_dag_write(&w, &pk->vk.dag);
    zki_rbuf r = {w.p, w.n, 0};
    zki_dag back;
    CHECK_MSG(zki_dag_read(&r, &back) == ZKI_OK, "move_%s: the altered DAG parses", name);
    zki_dag_free(&back);
    free(w.p);
    /* the prover under the altered program, verified with the honest key */
    zki_prove_opts o = {0, seed_a, NULL, NULL, 0, 0};
    zki_proof pf;
    zki_status st = zki_prove(pk, X, 1, &o, &pf, NULL);
    CHECK_MSG(st == ZKI_OK, "move_%s: prove under the altered program: %s", name, zki_last_error());
    if (!st) {
        CHECK_MSG(zki_verify(&pk->vk, X, 1, &pf) == ZKI_OK, "move_%s: the altered key's own proof", name);
        CHECK_MSG(zki_verify(&honest, X, 1, &pf) == ZKI_ERR_VERIFY,
                  "move_%s: a proof of the altered program VERIFIED under the honest key", name);
        zki_proof_free(&pf);
    }
    if (kind == 1)
        p[at] = old[0], p[at + 1] = old[1];
    else
        p[at] = old[0];
    printf("move_%s: %d bad program words refused; an altered program's proof refused by the honest key\n", name,
           refused);
    zki_vk_free(&honest);
}

static void test_fixture(zki_rng *g, int i)
{
    char onnx[64], calib[64], what[64];
    snprintf(onnx, sizeof onnx, "move_%s.onnx", fx[i]);
    snprintf(calib, sizeof calib, "move_%s_calib.npy", fx[i]);
    snprintf(what, sizeof what, "move_%s", fx[i]);
    int64_t *X = NULL;
    zki_qmodel *m = load_fixture(onnx, calib, &X);
    if (!m || !X) {
        free(X);
        zki_qmodel_free(m);
        return;
    }
    zki_dag d;
    zki_status st = zki_dag_lower(m, &d, NULL);
    CHECK_MSG(st == ZKI_OK, "%s: lowering: %s", what, zki_last_error());
    if (!st) {
        uint32_t moves = 0;
        for (uint32_t j = 0; j < d.n_nodes; j++)
            moves += d.nodes[j].kind == ZKI_NODE_MOVE;
        CHECK_MSG(moves >= 1, "%s: no MOVE node", what);
        if (i == 0) /* two slices, one shuffle (view, transpose, view: one node) */
            CHECK_MSG(moves == 3, "%s: %u MOVE nodes", what, moves);
        if (i == 1) /* the input's transpose is node 0 */
            CHECK_MSG(d.nodes[0].kind == ZKI_NODE_MOVE && d.nodes[0].in[0] == 0, "%s: node 0", what);
        if (i == 4)
            CHECK_MSG(d.nodes[d.n_nodes - 1].kind == ZKI_NODE_MOVE, "%s: the last node", what);
        zki_dag_free(&d);
    }
    prove_round(g, m, X, 2, 0, seed_w, seed_a, forge_move_value, what, 12, what);
    prove_round(g, m, X, 1, 1, seed_w, seed_a, forge_move_value, what, 6, what);
    /* a fresh key for each: a key opens its hiding commitment once */
    for (int k = 0; k < 2; k++) {
        zki_pk *pk = NULL;
        CHECK(zki_setup(m, seed_w, &pk) == ZKI_OK);
        if (pk && k == 0)
            test_cheat(fx[i], pk, X);
        else if (pk)
            test_altered_program(fx[i], pk, X);
        zki_pk_free(pk);
    }
    free(X);
    zki_qmodel_free(m);
}

/* ---- 4. pads, a gather, a batch of 3 ------------------------------------ */

static int conv_node(zki_qmodel *m, zki_rng *g, int x, int64_t OC, int64_t k, int id)
{
    const zki_qtensor *xt = &m->t[x];
    int64_t C = xt->dims[1], wd[4] = {OC, C, k, k}, bd[1] = {OC};
    int64_t yd[4] = {1, OC, xt->dims[2] - k + 1, xt->dims[3] - k + 1};
    char nm[16];
    snprintf(nm, sizeof nm, "w%d", id);
    int wt = add_const(m, g, nm, 8, 4, wd, -127, 255);
    snprintf(nm, sizeof nm, "b%d", id);
    int bt = add_const(m, g, nm, 32, 1, bd, -(1 << 10), 1 << 11);
    snprintf(nm, sizeof nm, "c%d", id);
    int yt = zki_qmodel_add_tensor(m, nm, ZKI_QT_VALUE, 8, 4, yd, 0.05);
    int ni = zki_qmodel_add_node(m, ZKI_QOP_CONV, nm);
    zki_qnode *n = &m->nodes[ni];
    n->n_in = 3, n->in[0] = x, n->in[1] = wt, n->in[2] = bt, n->out = yt, n->n_p = 15;
    const int64_t p[15] = {3, 10, 0, 127, 1, k, k, 1, 1, 1, 1, 0, 0, 0, 0};
    memcpy(n->p, p, sizeof p);
    return yt;
}

/* a layout node of op with parameters p[np] (and a constant index tensor
 * idx, or -1) from x to a new tensor of dims yd */
static int layout_node(zki_qmodel *m, int op, int x, const int64_t *yd, const int64_t *p, int np, int idx)
{
    int yt = zki_qmodel_add_tensor(m, "l", ZKI_QT_VALUE, 8, 4, yd, m->t[x].scale);
    int ni = zki_qmodel_add_node(m, op, "layout");
    zki_qnode *n = &m->nodes[ni];
    n->n_in = idx >= 0 ? 2 : 1, n->in[0] = x, n->in[1] = idx, n->out = yt, n->n_p = np;
    memcpy(n->p, p, sizeof(int64_t) * (size_t)np);
    return yt;
}

/* x [1,2,6,5] -> Pad (constant 5, the input's MOVE is node 0) -> conv 3x3
 * -> Pad (reflect) -> Gather of channels [2, 0, 2, 1] (one MOVE) -> two
 * 1x1 convs -> Add -> Flatten -> Linear; public batch 3 (E_B of a batch that is no
 * power of two), private batch 1 */
static void test_pad_gather(zki_rng *g)
{
    zki_qmodel *m = calloc(1, sizeof(zki_qmodel));
    int64_t xd[4] = {1, 2, 6, 5}, d1[4] = {1, 2, 9, 8}, d2[4] = {1, 3, 9, 7}, d3[4] = {1, 4, 9, 7};
    int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 8, 4, xd, 1.0 / 127);
    m->inputs[m->n_inputs++] = x;
    const int64_t pc[6] = {0, 5, 0, 0, 1, 2}, pr[6] = {1, 0, 0, 0, 1, 1}, ga[1] = {1};
    int t = layout_node(m, ZKI_QOP_PAD, x, d1, pc, 6, -1);
    t = conv_node(m, g, t, 3, 3, 0);
    t = layout_node(m, ZKI_QOP_PAD, t, d2, pr, 6, -1);
    int64_t id[1] = {4};
    int it = zki_qmodel_add_tensor(m, "idx", ZKI_QT_CONST, 64, 1, id, 0);
    m->t[it].data = malloc(sizeof(int64_t) * 4);
    const int64_t iv[4] = {2, 0, -1, 1};
    memcpy(m->t[it].data, iv, sizeof iv);
    t = layout_node(m, ZKI_QOP_GATHER, t, d3, ga, 1, it);
    /* the moved map read by two convs (two claims on it, reduced) joined by an Add */
    int a = conv_node(m, g, t, 2, 1, 1), b = conv_node(m, g, t, 2, 1, 2);
    int64_t ad[4] = {1, 2, 9, 7};
    int at = zki_qmodel_add_tensor(m, "sum", ZKI_QT_VALUE, 8, 4, ad, 0.05);
    int ni = zki_qmodel_add_node(m, ZKI_QOP_ADD, "add");
    zki_qnode *n = &m->nodes[ni];
    n->n_in = 2, n->in[0] = a, n->in[1] = b, n->out = at, n->n_p = 5;
    const int64_t pa[5] = {3, 5, 2, 0, 127};
    memcpy(n->p, pa, sizeof pa);
    t = add_flatten_linear(m, g, at, 2 * 9 * 7, 5);
    m->outputs[m->n_outputs++] = t;
    CHECK_MSG(zki_qmodel_check(m) == ZKI_OK, "pad/gather model: %s", zki_last_error());
    zki_dag d;
    zki_status st = zki_dag_lower(m, &d, NULL);
    CHECK_MSG(st == ZKI_OK, "pad/gather: lowering: %s", zki_last_error());
    if (!st) {
        CHECK(d.n_nodes == 7 && d.nodes[0].kind == ZKI_NODE_MOVE && d.nodes[0].in[0] == 0 &&
              d.nodes[0].aux[4] == 5 && d.nodes[2].kind == ZKI_NODE_MOVE && d.nodes[2].in[0] == 2);
        zki_dag_free(&d);
    }
    int64_t *X = malloc(sizeof(int64_t) * 3 * 60);
    for (int i = 0; i < 180; i++)
        X[i] = (int64_t)zki_rng_below(g, 256) - 128;
    prove_round(g, m, X, 3, 0, seed_w, seed_a, forge_move_value, "pad/gather", 10, "pad/gather, batch 3");
    prove_round(g, m, X, 1, 1, seed_w, seed_a, forge_move_value, "pad/gather", 6, "pad/gather, private");
    free(X);
    zki_qmodel_free(m);
}

/* a model that is one Transpose of its input: the lowering and setup
 * refuse it as outside the provable class, naming why (a key commits
 * weights; this model has none) */
static void test_only_move(void)
{
    zki_qmodel *m = calloc(1, sizeof(zki_qmodel));
    int64_t xd[4] = {1, 2, 3, 4}, yd[4] = {1, 4, 3, 2};
    int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 8, 4, xd, 1.0 / 127);
    m->inputs[m->n_inputs++] = x;
    const int64_t perm[4] = {0, 3, 2, 1};
    m->outputs[m->n_outputs++] = layout_node(m, ZKI_QOP_TRANSPOSE, x, yd, perm, 4, -1);
    zki_dag d;
    zki_status st = zki_dag_lower(m, &d, NULL);
    CHECK_MSG(st == ZKI_ERR_UNSUPPORTED && strstr(zki_last_error(), "no weights"), "one transpose: lowering %d: %s",
              st, st ? zki_last_error() : "lowered");
    if (!st)
        zki_dag_free(&d);
    zki_pk *pk = NULL;
    st = zki_setup(m, seed_w, &pk);
    CHECK_MSG(st == ZKI_ERR_UNSUPPORTED && strstr(zki_last_error(), "no weights"), "one transpose: setup %d: %s",
              st, zki_last_error());
    zki_pk_free(pk);
    zki_qmodel_free(m);
}

/* refusals, each naming its cause: a chain of 65 movement steps before a
 * conv, and an embedding (a Gather by the input's ids) as the model's
 * output (a GATHER's output is not committed) */
static void test_refusals(zki_rng *g)
{
    zki_qmodel *m = calloc(1, sizeof(zki_qmodel));
    int64_t xd[4] = {1, 2, 4, 4};
    int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 8, 4, xd, 1.0 / 127);
    m->inputs[m->n_inputs++] = x;
    int t = conv_node(m, g, x, 2, 1, 0);
    const int64_t perm[4] = {0, 1, 3, 2};
    for (int i = 0; i < 65; i++)
        t = layout_node(m, ZKI_QOP_TRANSPOSE, t, xd, perm, 4, -1);
    t = conv_node(m, g, t, 2, 1, 1);
    m->outputs[m->n_outputs++] = add_flatten_linear(m, g, t, 32, 3);
    zki_dag d;
    zki_status st = zki_dag_lower(m, &d, NULL);
    CHECK_MSG(st == ZKI_ERR_UNSUPPORTED && strstr(zki_last_error(), "more than 64 steps") &&
                  strstr(zki_last_error(), "c1"),
              "65 steps: %d %s", st, st ? zki_last_error() : "lowered");
    if (!st)
        zki_dag_free(&d);
    zki_qmodel_free(m);
    /* rows of a constant table picked by the input, as the output */
    m = calloc(1, sizeof(zki_qmodel));
    int64_t id[2] = {1, 3}, td[2] = {10, 4}, yd[3] = {1, 3, 4};
    x = zki_qmodel_add_tensor(m, "ids", ZKI_QT_INPUT, 8, 2, id, 0);
    m->inputs[m->n_inputs++] = x;
    int tab = add_const(m, g, "table", 8, 2, td, -127, 255);
    int yt = zki_qmodel_add_tensor(m, "e", ZKI_QT_VALUE, 8, 3, yd, 0.05);
    int ni = zki_qmodel_add_node(m, ZKI_QOP_GATHER, "embed");
    zki_qnode *n = &m->nodes[ni];
    n->n_in = 2, n->in[0] = tab, n->in[1] = x, n->out = yt, n->n_p = 1, n->p[0] = 0;
    m->outputs[m->n_outputs++] = yt;
    st = zki_dag_lower(m, &d, NULL);
    CHECK_MSG(st == ZKI_ERR_UNSUPPORTED && strstr(zki_last_error(), "'embed'") &&
                  strstr(zki_last_error(), "output comes from a Gather"),
              "embedding: %d %s", st, st ? zki_last_error() : "lowered");
    if (!st)
        zki_dag_free(&d);
    zki_qmodel_free(m);
}

/* Each fixture through the CLI: compile with calibration, run (within 0.02
 * of torch, elementwise, the outputs being |y| < 1), prove the sample,
 * verify (exit 0); another fixture's sample is rejected (exit 1). */
static void test_cli(void)
{
    char dir[64], zkm[128], vk[128], pf[128], yo[128], on[64], ca[64], xn[64], yn[64];
    snprintf(dir, sizeof dir, "/tmp/zki_move_cli_XXXXXX");
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    snprintf(zkm, sizeof zkm, "%s/m.zkm", dir);
    snprintf(vk, sizeof vk, "%s/m.vk", dir);
    snprintf(pf, sizeof pf, "%s/p.zkp", dir);
    snprintf(yo, sizeof yo, "%s/y.npy", dir);
    for (int i = 0; i < NFX; i++) {
        snprintf(on, sizeof on, "move_%s.onnx", fx[i]);
        snprintf(ca, sizeof ca, "move_%s_calib.npy", fx[i]);
        snprintf(xn, sizeof xn, "move_%s_x.npy", fx[i]);
        snprintf(yn, sizeof yn, "move_%s_y.npy", fx[i]);
        int rc = CLI("compile", tdata(on), "--calib", tdata(ca), "-o", zkm);
        CHECK_MSG(rc == 0, "move_%s: compile exit %d", fx[i], rc);
        rc = CLI("run", zkm, "--input", tdata(xn), "-o", yo);
        CHECK_MSG(rc == 0, "move_%s: run exit %d", fx[i], rc);
        zki_host_tensor r, t;
        memset(&r, 0, sizeof r);
        memset(&t, 0, sizeof t);
        double err = 1e9;
        if (zki_tensor_read_any(yo, &r) == ZKI_OK && zki_tensor_read_any(tdata(yn), &t) == ZKI_OK && r.f && t.f &&
            zki_host_tensor_numel(&r) == zki_host_tensor_numel(&t)) {
            err = 0;
            for (int64_t e = 0; e < zki_host_tensor_numel(&t); e++)
                err = fmax(err, fabs((double)r.f[e] - (double)t.f[e]));
        }
        CHECK_MSG(err <= 0.02, "move_%s: max |run - torch| = %g", fx[i], err);
        zki_host_tensor_clear(&r);
        zki_host_tensor_clear(&t);
        rc = CLI("prove", zkm, "--input", tdata(xn), "-o", pf, "--quiet");
        CHECK_MSG(rc == 0, "move_%s: prove exit %d", fx[i], rc);
        rc = CLI("verify", vk, "--input", tdata(xn), "--proof", pf);
        CHECK_MSG(rc == 0, "move_%s: verify exit %d", fx[i], rc);
        snprintf(xn, sizeof xn, "move_%s_x.npy", fx[(i + 1) % NFX]);
        rc = CLI("verify", vk, "--input", tdata(xn), "--proof", pf);
        CHECK_MSG(rc == 1, "move_%s: verify on another input: exit %d", fx[i], rc);
        printf("move_%s: CLI compile, run (max |run - torch| %.4f), prove, verify\n", fx[i], err);
    }
    const char *nm[6] = {"m.zkm", "m.vk", "m.zpk", "p.zkp", "y.npy", ""};
    char p[160];
    for (int i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, nm[i]);
        remove(p);
    }
    rmdir(dir);
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 0x6d6f7665);
    test_against_qexec(&g);
    test_expand_and_bounds(&g);
    test_sumcheck(&g);
    for (int i = 0; i < NFX; i++)
        test_fixture(&g, i);
    test_pad_gather(&g);
    test_only_move();
    test_refusals(&g);
    test_cli();
    return TEST_SUMMARY();
}
