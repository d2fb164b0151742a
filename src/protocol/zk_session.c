/* Pads, products and the final argument of a zero-knowledge proof
 * (protocol/zk_session.h, docs/zk.md). */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "common/error.h"
#include "ligero/ligero.h"
#include "protocol/gadget.h"
#include "protocol/verify_walk.h"
#include "protocol/zk_session.h"

#define ZK_NEXT_CHUNK 4096u /* chunks after the first: 4096, then 4x each */

/* What both sides know of the pad chunks. */
typedef struct {
    const zki_vk *vk;
    zki_proof *pf;        /* prover: roots go here */
    const zki_proof *vpf; /* verifier and replay: roots come from here */
    uint32_t log_ell;
    uint32_t n;           /* chunks opened */
    uint64_t len[ZKI_ZK_MAX_CHUNKS];
} chunk_book;

struct zki_zk_prover_session {
    chunk_book book;
    zki_zk *z;
    uint8_t seed[32];
    zki_ligero_prover *lg[ZKI_LIGERO_MAX_COMMITS];
};

uint64_t zki_zk_estimate(const zki_dag *a, uint32_t B, const zki_model_lookups *mlk)
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
    for (uint32_t j = 0; mlk && j < mlk->n; j++) {
        uint64_t ops, bytes;
        if (!zki_lookup_verify_cost(mlk->lk[j], &ops, &bytes))
            n += bytes / 16;
    }
    return n + 256;
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

/* A new chunk of len pads: its place in the book, and the row width (set
 * by the first chunk's length). */
static zki_status book_open(chunk_book *b, uint32_t c, uint64_t len)
{
    if (c != b->n || c >= ZKI_ZK_MAX_CHUNKS || c + 1 >= ZKI_LIGERO_MAX_COMMITS)
        return zki_fail(ZKI_ERR_VERIFY, "zk: more than %u pad commitments", ZKI_ZK_MAX_CHUNKS);
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
    else if (RAND_bytes(s->seed, 32) != 1) {
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

#ifndef ZKI_VERIFIER_ONLY
zki_status zki_zk_prover_finish(zki_zk_prover_session *s, const zki_vk *vk, const int64_t *X, uint32_t B,
                                zki_proof *pf)
{
    /* the replay: the verifier's walk with the pads known */
    chunk_book rb = {vk, NULL, pf, 0, 0, {0}};
    zki_zk *zr = zki_zk_new_replay(zki_zk_pads(s->z), zki_zk_n_pads(s->z));
    if (!zr)
        return zki_fail(ZKI_ERR_NOMEM, "zk: replay");
    zki_zk_set_chunks(zr, read_chunk, &rb, 1, ZK_NEXT_CHUNK);
    zki_transcript ts;
    zki_status st = zki_verify_walk(vk, X, B, pf, zr, &ts);
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

zki_status zki_zk_verify(const zki_vk *vk, const int64_t *X, uint32_t B, const zki_proof *pf)
{
    chunk_book b = {vk, NULL, pf, 0, 0, {0}};
    zki_zk *z = zki_zk_new_verifier(0);
    if (!z)
        return zki_fail(ZKI_ERR_NOMEM, "zk: verifier");
    zki_zk_set_chunks(z, read_chunk, &b, 1, ZK_NEXT_CHUNK);
    zki_transcript ts;
    zki_status st = zki_verify_walk(vk, X, B, pf, z, &ts);
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
