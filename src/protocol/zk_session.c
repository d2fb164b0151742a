/* Pads, products and the final argument of a zero-knowledge proof
 * (protocol/zk_session.h, docs/zk.md). */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "hash/entropy.h"
#include "ligero/ligero.h"
#include "protocol/argmax.h"
#include "protocol/gadget.h"
#include "protocol/verify_walk.h"
#include "protocol/vk_cost.h"
#include "protocol/zk_session.h"

#define ZK_NEXT_CHUNK 4096u /* chunks after the first: 4096, then 4x each */
/* Chunk 0's room for the openings' values (mask evaluations, the committed
 * rows' values and sum-checks: two per variable of each row), which the
 * node and lookup counts leave out */
#define ZK_FIRST_OPENINGS 256u

/* What both sides know of the pad chunks. */
typedef struct {
    const zki_vk *vk;
    zki_proof *pf;        /* prover: roots go here */
    const zki_proof *vpf; /* verifier and replay: roots come from here */
    uint32_t log_ell;
    uint32_t n;           /* chunks opened */
    uint64_t len[ZKI_ZK_MAX_CHUNKS];
    uint64_t max_pads;    /* the key's bound on pads committed; 0: none */
    int capped;           /* a chunk past max_pads was refused */
    const zki_zk *z;      /* verifier and replay: the walk, whose caps bound the pads */
} chunk_book;

struct zki_zk_prover_session {
    chunk_book book;
    zki_zk *z;
    uint8_t seed[32];
    zki_ligero_prover *lg[ZKI_LIGERO_MAX_COMMITS];
};

/* The values the nodes' proofs send: their values, reductions and round
 * messages. */
static uint64_t node_values(const zki_dag *a, uint32_t B)
{
    uint64_t n = 0;
    for (uint32_t j = 0; j < a->n_nodes; j++) {
        const zki_gadget *g = zki_gadget_of(a->nodes[j].kind);
        zki_node_shape sh;
        if (!g || g->shape(a, j, B, &sh))
            continue;
        n += sh.n_val + (sh.has_red ? 2 * sh.red_nvars + 1 : 0);
        for (uint32_t i = 0; i < sh.n_sc; i++)
            n += sh.sc_nvars[i] * sh.sc_degree[i];
    }
    return n;
}

void zki_zk_lengths(const zki_dag *a, uint32_t B, const zki_model_lookups *mlk, uint64_t *est, uint64_t *first)
{
    uint64_t nodes = node_values(a, B), e = nodes + 256, f = nodes + ZK_FIRST_OPENINGS;
    for (uint32_t j = 0; mlk && j < mlk->n; j++) {
        uint64_t ops, bytes, v;
        if (est && !zki_lookup_verify_cost(mlk->lk[j], &ops, &bytes))
            e += bytes / 16;
        if (first && !zki_lookup_proof_values(mlk->lk[j], &v))
            f += v;
    }
    if (est)
        *est = e;
    if (first)
        *first = f;
}

/* The layout of the chunks opened so far and of the products (q values;
 * 0 while the walk runs: a placeholder row), commitment n the products'. */
static zki_status book_shape(const chunk_book *b, uint64_t q, zki_ligero_shape *s)
{
    uint64_t v[ZKI_LIGERO_MAX_COMMITS];
    for (uint32_t c = 0; c < b->n; c++)
        v[c] = b->len[c];
    v[b->n] = q ? q : 1;
    return zki_ligero_shape_init(s, b->n + 1, v, b->n, ZKI_KEY_SECURITY_BITS, b->vk->grind_bits, b->log_ell);
}

/* ZKI_OK, or ZKI_ERR_VERIFY naming the cap a chunk or the tape ran into
 * (the message set again: the walk goes on after it on public values,
 * whose checks may have replaced it). */
static zki_status book_cap_status(const chunk_book *b)
{
    if (!b->capped)
        return ZKI_OK;
    return zki_fail(ZKI_ERR_VERIFY, "zk: the proof's walk needs more than %llu pads, the key's bound (docs/"
                    "security.md, Verifier cost)", (unsigned long long)b->max_pads);
}

static zki_status cap_status(const chunk_book *b, const zki_zk *z)
{
    zki_status st = book_cap_status(b);
    return st ? st : zki_zk_cap_status(z);
}

/* A new chunk of len pads: its place in the book, and the row width (set
 * by the first chunk's length). */
static zki_status book_open(chunk_book *b, uint32_t c, uint64_t len)
{
    if (c != b->n || c >= ZKI_ZK_MAX_CHUNKS || c + 1 >= ZKI_LIGERO_MAX_COMMITS)
        return zki_fail(ZKI_ERR_VERIFY, "zk: more than %u pad commitments", ZKI_ZK_MAX_CHUNKS);
    uint64_t have = 0;
    for (uint32_t i = 0; i < c; i++)
        have += b->len[i];
    if (b->z)
        b->max_pads = zki_zk_caps(b->z)->pads;
    if (b->max_pads && (len > b->max_pads || have > b->max_pads - len)) {
        b->capped = 1;
        return book_cap_status(b);
    }
    if (c == 0) {
        zki_ligero_shape s;
        zki_status st = zki_ligero_shape_init(&s, 1, &len, 0, ZKI_KEY_SECURITY_BITS, b->vk->grind_bits, 0);
        if (st)
            return st;
        b->log_ell = s.log_ell;
    }
    b->len[c] = len;
    b->n++;
    return ZKI_OK;
}

/* Verifier and replay: chunk c's root from the proof. */
static zki_status read_chunk(void *ctx, zki_transcript *t, uint32_t c, uint64_t first, uint64_t len)
{
    chunk_book *b = ctx;
    (void)first;
    if (c >= b->vpf->zk_n_roots)
        return zki_fail(ZKI_ERR_VERIFY, "zk: the proof has %u pad commitments, its walk needs more",
                        b->vpf->zk_n_roots);
    zki_status st = book_open(b, c, len);
    if (!st)
        zki_ts_absorb_digest(t, "zk.pads", &b->vpf->zk_root[c]);
    return st;
}

#ifndef ZKI_VERIFIER_ONLY
/* Prover: chunk c committed. */
static zki_status commit_chunk(void *ctx, zki_transcript *t, uint32_t c, uint64_t first, uint64_t len)
{
    zki_zk_prover_session *s = ctx;
    zki_status st = book_open(&s->book, c, len);
    zki_ligero_shape sh;
    if (!st)
        st = book_shape(&s->book, 0, &sh);
    if (!st)
        st = zki_ligero_commit(&s->lg[c], &sh, c, zki_zk_pads(s->z) + first, len, s->seed, &s->book.pf->zk_root[c]);
    if (st)
        return st;
    s->book.pf->zk_n_roots = c + 1;
    zki_ts_absorb_digest(t, "zk.pads", &s->book.pf->zk_root[c]);
    return ZKI_OK;
}

zki_status zki_zk_prover_begin(zki_zk_prover_session **out, const zki_vk *vk, zki_proof *pf, const uint8_t *seed,
                               zki_zk **ctx)
{
    *out = NULL;
    zki_zk_prover_session *s = calloc(1, sizeof(*s));
    if (!s)
        return zki_fail(ZKI_ERR_NOMEM, "zk: session");
    if (seed)
        memcpy(s->seed, seed, 32);
    else if (!zki_os_entropy32(s->seed)) {
        free(s);
        return zki_fail(ZKI_ERR_UNSUPPORTED, "zk: no OS entropy for the proof's randomness");
    }
    s->book.pf = pf;
    s->book.vk = vk;
    if (!(s->z = zki_zk_new_prover(0, s->seed))) {
        zki_zk_prover_session_free(s);
        return zki_fail(ZKI_ERR_NOMEM, "zk: pads");
    }
    zki_zk_set_chunks(s->z, commit_chunk, s, 1, ZK_NEXT_CHUNK);
    pf->zk = 1;
    pf->zk_n_roots = 0;
    *ctx = s->z;
    *out = s;
    return ZKI_OK;
}

void zki_zk_prover_session_free(zki_zk_prover_session *s)
{
    if (!s)
        return;
    for (uint32_t c = 0; c < ZKI_LIGERO_MAX_COMMITS; c++)
        zki_ligero_prover_free(s->lg[c]);
    zki_zk_free(s->z);
    memset(s->seed, 0, sizeof s->seed);
    free(s);
}

#endif

/* ---- the final argument, both sides --------------------------------- */

/* The products' values laid out for the argument: triple q at row 3g + r,
 * column i (q = g ell + i; r = 0, 1, 2 for X, Y, Z). */
static uint64_t q_values(uint64_t n_prod, uint64_t ell) { return 3 * ((n_prod + ell - 1) / ell) * ell; }

/* The argument's statement from the tape: a per commitment (chunks, then
 * the products), b, the triples. All arrays malloc'ed into st. */
typedef struct {
    zki_ligero_shape shape;
    zki_ext *a[ZKI_LIGERO_MAX_COMMITS];
    zki_ext b;
    zki_ligero_triple *tri;
    uint64_t n_tri;
} zk_statement;

static void statement_free(zk_statement *q)
{
    for (uint32_t c = 0; c < ZKI_LIGERO_MAX_COMMITS; c++)
        free(q->a[c]);
    free(q->tri);
    memset(q, 0, sizeof(*q));
}

static zki_status statement_build(const chunk_book *b, const zki_zk *z, zki_ext beta, zk_statement *q)
{
    memset(q, 0, sizeof(*q));
    uint64_t np = zki_zk_n_pads(z), nprod = zki_zk_n_products(z);
    zki_status st = book_shape(b, 0, &q->shape);
    uint64_t ell = q->shape.ell, qn = q_values(nprod, ell);
    if (!st)
        st = book_shape(b, qn, &q->shape);
    if (st)
        return st;
    zki_ext *ap = malloc(sizeof(zki_ext) * (np + 3 * nprod + 1));
    if (!ap)
        return zki_fail(ZKI_ERR_NOMEM, "zk: the batched equation (%llu entries)", (unsigned long long)np);
    if ((st = zki_zk_linear(z, beta, ap, ap + np, &q->b))) {
        free(ap);
        return st;
    }
    uint64_t first = 0;
    for (uint32_t c = 0; c <= b->n && !st; c++) {
        uint64_t len = q->shape.rows[c] * ell;
        if (!(q->a[c] = calloc(len, sizeof(zki_ext)))) {
            st = zki_fail(ZKI_ERR_NOMEM, "zk: the equation's coefficients");
            break;
        }
        if (c < b->n) {
            memcpy(q->a[c], ap + first, sizeof(zki_ext) * b->len[c]);
            first += b->len[c];
        } else {
            for (uint64_t p = 0; p < 3 * nprod; p++) {
                uint64_t t = p / 3, r = p % 3;
                q->a[c][(3 * (t / ell) + r) * ell + t % ell] = ap[np + p];
            }
        }
    }
    free(ap);
    q->n_tri = (nprod + ell - 1) / ell;
    if (!st && q->n_tri && !(q->tri = malloc(sizeof(zki_ligero_triple) * q->n_tri)))
        st = zki_fail(ZKI_ERR_NOMEM, "zk: triples");
    for (uint64_t g = 0; !st && g < q->n_tri; g++)
        q->tri[g] = (zki_ligero_triple){b->n, 3 * g, 3 * g + 1, 3 * g + 2};
    if (st)
        statement_free(q);
    return st;
}

/* ---- the key's bound on what the walk holds ------------------------ */

/* Caps per value of the chunk estimate E (zki_zk_lengths, a function of
 * the key and B), at least twice the most any measured honest proof takes
 * (docs/security.md, "Verifier cost"): tape nodes and terms ZK_CAP_TAPE E,
 * constraints E / ZK_CAP_CONS_DIV, products E / ZK_CAP_PRODS_DIV; pads:
 * chunk 0 (E, of which honest proofs use at most 0.7 E) and later chunks
 * up to 2 E + 5 * 4096 in all. */
#define ZK_CAP_TAPE 3u
#define ZK_CAP_CONS_DIV 2u
#define ZK_CAP_PRODS_DIV 5u

uint32_t zki_zk_test_cap_div = 0;

void zki_zk_key_caps(uint64_t est, zki_zk_sizes *c)
{
    c->nodes = ZK_CAP_TAPE * est;
    c->terms = ZK_CAP_TAPE * est;
    c->cons = est / ZK_CAP_CONS_DIV;
    c->prods = est / ZK_CAP_PRODS_DIV;
    c->pads = 2 * est + 5 * (uint64_t)ZK_NEXT_CHUNK;
}

zki_status zki_zk_key_estimate(const zki_dag *a, uint32_t B, int priv, uint64_t *est, uint64_t *first)
{
    uint64_t ops = 0, bytes = 0;
    return zki_vk_lookups_cost(a, B, priv, &ops, &bytes, est, first);
}

void zki_zk_walk_limits(zki_zk *z, uint64_t est, uint64_t first)
{
    zki_zk_sizes c;
    zki_zk_key_caps(est, &c);
    if (zki_zk_test_cap_div > 1) {
        uint64_t *f[] = {&c.nodes, &c.terms, &c.cons, &c.prods, &c.pads};
        for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
            *f[i] = *f[i] / zki_zk_test_cap_div + 1;
    }
    zki_zk_set_caps(z, &c);
    zki_zk_set_first_len(z, first);
    zki_zk_last_verify.est = est;
}

/* The book at the caps: chunk 0 of first pads, then every later chunk the
 * pad cap admits. */
static zki_status book_at_caps(const zki_vk *vk, uint64_t first, const zki_zk_sizes *cap, chunk_book *b)
{
    memset(b, 0, sizeof(*b));
    b->vk = vk;
    uint64_t total = 0, len = first;
    for (uint32_t c = 0; c < ZKI_ZK_MAX_CHUNKS && c + 1 < ZKI_LIGERO_MAX_COMMITS && total + len <= cap->pads; c++) {
        zki_status st = book_open(b, c, len);
        if (st)
            return st;
        total += len;
        len = c ? 4 * len : ZK_NEXT_CHUNK;
    }
    return ZKI_OK;
}

zki_status zki_zk_verify_cost(const zki_vk *vk, uint64_t est, uint64_t first, uint64_t *ops, uint64_t *bytes)
{
    zki_zk_sizes cap;
    zki_zk_key_caps(est, &cap);
    chunk_book b;
    zki_ligero_shape s;
    zki_status st = book_at_caps(vk, first, &cap, &b);
    if (!st)
        st = book_shape(&b, 0, &s);
    uint64_t ell = s.ell, n_tri = (cap.prods + ell - 1) / ell;
    if (!st)
        st = book_shape(&b, q_values(cap.prods, ell), &s);
    if (st)
        return st;
    uint64_t V = 0, nd = 0, hs = 0, t = s.queries, m = s.m, np = cap.pads;
    for (uint32_t c = 0; c < s.n_c; c++) {
        V += s.rows[c] * ell;
        nd += 2 * s.rows[c];
        hs += s.height[c];
    }
    uint64_t pb = zki_ligero_proof_bytes(&s, n_tri, NULL);
    /* memory: the tape; batching it (a weight per node, a coefficient per
     * witness entry); the statement (a coefficient per committed value,
     * the triples); the argument twice (its bytes, parsed), its
     * challenges, queries, roots of unity and a column's scratch */
    *bytes += zki_zk_tape_bytes_max(&cap) + 16 * (cap.nodes + np + 3 * cap.prods + 1) + 16 * V +
              sizeof(zki_ligero_triple) * n_tri + 2 * pb + 16 * (2 * nd + n_tri) + 8 * (t + 2 * ell) + 32 * t;
    /* work: recording and batching the tape, building the statement,
     * checking and absorbing it, the challenges, the Merkle paths (leaf
     * blocks and siblings), and per queried column the proximity, linear
     * and quadratic combinations and three Horner evaluations */
    *ops += 4 * (cap.nodes + cap.terms + cap.cons + cap.prods) + 2 * np + 3 * V + 2 * nd + n_tri + 8 * m +
            t * (hs / 8 + s.n_c * (2 + s.log_d)) + t * (2 * V + 4 * nd + 5 * ell + 4 * n_tri + 9 * m);
    return ZKI_OK;
}

#ifndef ZKI_VERIFIER_ONLY
zki_status zki_zk_prover_finish(zki_zk_prover_session *s, const zki_vk *vk, const int64_t *X, uint32_t B,
                                zki_proof *pf)
{
    /* the replay: the verifier's walk with the pads known */
    chunk_book rb = {vk, NULL, pf, 0, 0, {0}, 0, 0, NULL};
    zki_zk *zr = zki_zk_new_replay(zki_zk_pads(s->z), zki_zk_n_pads(s->z));
    if (!zr)
        return zki_fail(ZKI_ERR_NOMEM, "zk: replay");
    rb.z = zr;
    zki_zk_set_chunks(zr, read_chunk, &rb, 1, ZK_NEXT_CHUNK);
    zki_transcript ts;
    zki_status st = zki_verify_walk(vk, X, B, pf, zr, &ts);
    if (cap_status(&rb, zr))
        st = zki_fail_ctx(ZKI_ERR_INPUT, "zk: the prover's replay of its own proof (a bug)");
    if (!st && (rb.n != s->book.n || zki_zk_used(zr) != zki_zk_used(s->z)))
        st = zki_fail(ZKI_ERR_INPUT, "zk: the replay used %llu pads in %u chunks, the proof %llu in %u",
                      (unsigned long long)zki_zk_used(zr), rb.n, (unsigned long long)zki_zk_used(s->z),
                      s->book.n);
    zk_statement q;
    memset(&q, 0, sizeof q);
    zki_ext *qv = NULL;
    uint64_t nprod = zki_zk_n_products(zr);
    if (!st) {
        /* the products, committed before beta */
        zki_ligero_shape sh;
        st = book_shape(&rb, 0, &sh);
        uint64_t ell = sh.ell, qn = q_values(nprod, ell);
        if (!st)
            st = book_shape(&rb, qn, &sh);
        if (!st && !(qv = calloc(qn ? qn : 1, sizeof(zki_ext))))
            st = zki_fail(ZKI_ERR_NOMEM, "zk: products");
        const zki_ext *pr = zki_zk_products(zr);
        for (uint64_t p = 0; !st && p < 3 * nprod; p++) {
            uint64_t t = p / 3, r = p % 3;
            qv[(3 * (t / ell) + r) * ell + t % ell] = pr[p];
        }
        for (uint32_t c = 0; !st && c < rb.n; c++)
            st = zki_ligero_prover_reshape(s->lg[c], &sh, c);
        if (!st)
            st = zki_ligero_commit(&s->lg[rb.n], &sh, rb.n, qv, qn, s->seed, &pf->zk_qroot);
    }
    if (!st) {
        zki_ts_absorb_digest(&ts, "zk.products", &pf->zk_qroot);
        st = statement_build(&rb, zr, zki_ts_challenge_ext(&ts, "zk.beta"), &q);
    }
    zki_ligero_proof lp;
    memset(&lp, 0, sizeof lp);
    if (!st)
        st = zki_ligero_prove(&ts, s->lg, rb.n + 1, (const zki_ext *const *)q.a, q.b, q.tri, q.n_tri, &lp);
    if (!st)
        st = zki_ligero_proof_to_bytes(&q.shape, q.n_tri, &lp, &pf->zk_arg, &pf->zk_arg_len);
    zki_ligero_proof_free(&lp);
    statement_free(&q);
    free(qv);
    if (ts.h)
        zki_ts_free(&ts);
    zki_zk_free(zr);
    return st;
}

#endif

_Thread_local zki_zk_verify_stats zki_zk_last_verify;

/* zki_zk_last_verify: what the walk held, and the bytes of the tape, the
 * batched equation (a weight per node, a coefficient per witness entry),
 * the statement and the argument (its bytes, and parsed). */
static void record_stats(const chunk_book *b, const zki_zk *z, const zk_statement *q, const zki_proof *pf)
{
    zki_zk_verify_stats *r = &zki_zk_last_verify;
    zki_zk_get_sizes(z, &r->held);
    r->caps = *zki_zk_caps(z);
    r->first_len = b->n ? b->len[0] : 0;
    r->n_chunks = b->n;
    r->used = zki_zk_used(z);
    r->tape_bytes = zki_zk_tape_bytes(z);
    r->bytes = r->tape_bytes + 16 * (r->held.nodes + r->held.pads + 3 * r->held.prods + 1) +
               sizeof(zki_ligero_triple) * q->n_tri + 2 * (uint64_t)pf->zk_arg_len;
    for (uint32_t c = 0; q->a[0] && c < q->shape.n_c; c++)
        r->bytes += 16 * q->shape.rows[c] * q->shape.ell;
}

zki_status zki_zk_verify(const zki_vk *vk, const int64_t *X, uint32_t B, const zki_proof *pf)
{
    memset(&zki_zk_last_verify, 0, sizeof zki_zk_last_verify);
    chunk_book b = {vk, NULL, pf, 0, 0, {0}, 0, 0, NULL};
    zki_zk *z = zki_zk_new_verifier(0);
    if (!z)
        return zki_fail(ZKI_ERR_NOMEM, "zk: verifier");
    b.z = z;
    zki_zk_set_chunks(z, read_chunk, &b, 1, ZK_NEXT_CHUNK);
    zki_transcript ts;
    /* what the walk may hold is the key's bound, whatever the proof: the
     * walk sets the caps from the key (zki_zk_walk_limits) before its first
     * padded value */
    zki_status st = zki_verify_walk(vk, X, B, pf, z, &ts);
    zki_status cs = cap_status(&b, z);
    if (cs)
        st = cs;
    if (!st && b.n != pf->zk_n_roots)
        st = zki_fail(ZKI_ERR_VERIFY, "zk: the proof has %u pad commitments, its walk opened %u", pf->zk_n_roots,
                      b.n);
    zk_statement q;
    memset(&q, 0, sizeof q);
    zki_ligero_proof lp;
    memset(&lp, 0, sizeof lp);
    if (!st) {
        zki_ts_absorb_digest(&ts, "zk.products", &pf->zk_qroot);
        st = statement_build(&b, z, zki_ts_challenge_ext(&ts, "zk.beta"), &q);
    }
    record_stats(&b, z, &q, pf);
    if (!st && zki_ligero_proof_from_bytes(&q.shape, q.n_tri, &lp, pf->zk_arg, pf->zk_arg_len))
        st = zki_fail_ctx(ZKI_ERR_VERIFY, "zk: the final argument");
    if (!st) {
        zki_digest roots[ZKI_LIGERO_MAX_COMMITS];
        memcpy(roots, pf->zk_root, sizeof(zki_digest) * b.n);
        roots[b.n] = pf->zk_qroot;
        if ((st = zki_ligero_verify(&ts, &q.shape, roots, b.n + 1, (const zki_ext *const *)q.a, q.b, q.tri,
                                    q.n_tri, &lp)))
            st = zki_fail_ctx(ZKI_ERR_VERIFY, "zk: the final argument");
    }
    zki_ligero_proof_free(&lp);
    statement_free(&q);
    if (ts.h)
        zki_ts_free(&ts);
    zki_zk_free(z);
    return st;
}
