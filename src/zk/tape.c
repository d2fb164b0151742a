/* The tape of linear forms, the constraints and the product triples
 * (zk.h). A form is a node: a leaf (one witness entry) or a combination of
 * earlier nodes, so children always have smaller ids and one backward pass
 * spreads the batched constraints' weights down to the witness. */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "zk/zk_internal.h"

int zki_zk_test_false = 0;

/* Room for need elements: the capacity doubles, but never past max (0:
 * no cap; the caller keeps need <= max). */
static int grow(void **p, size_t *cap, size_t need, size_t elem, uint64_t max)
{
    if (need <= *cap)
        return 1;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    if (max && c > max)
        c = need > max ? need : (size_t)max;
    void *q = realloc(*p, c * elem);
    if (!q)
        return 0;
    *p = q;
    *cap = c;
    return 1;
}

/* 1 when have + n stays within max (0: no cap); else records the cap hit,
 * which stops the context. */
static int within(zki_zk *z, uint64_t have, uint64_t n, uint64_t max, const char *what)
{
    if (!max || have + n <= max)
        return 1;
    if (!z->err) {
        z->capped = what;
        z->capped_at = max;
        zki_zk_fail(z, zki_zk_cap_status(z));
    }
    return 0;
}

zki_status zki_zk_cap_status(const zki_zk *z)
{
    if (!z || !z->capped)
        return ZKI_OK;
    return zki_fail(ZKI_ERR_VERIFY, "zk: the proof's walk needs more than %llu %s, the key's bound (docs/"
                    "security.md, Verifier cost)", (unsigned long long)z->capped_at, z->capped);
}

void zki_zk_set_caps(zki_zk *z, const zki_zk_sizes *caps) { z->max = *caps; }

const zki_zk_sizes *zki_zk_caps(const zki_zk *z) { return &z->max; }

void zki_zk_get_sizes(const zki_zk *z, zki_zk_sizes *out)
{
    out->nodes = z->n_nodes;
    out->terms = z->n_terms;
    out->cons = z->n_cons;
    out->prods = z->n_prod;
    out->pads = z->n_pads;
}

uint64_t zki_zk_tape_bytes(const zki_zk *z)
{
    uint64_t b = z->cap_nodes * sizeof(zki_zk_node) + z->cap_terms * sizeof(zki_zk_term) +
                 z->cap_cons * sizeof(zki_zk_cons);
    return z->prover ? b + (z->cap_nval + z->cap_prod) * sizeof(zki_ext) : b;
}

static uint64_t at_least_64(uint64_t n) { return n > 64 ? n : 64; }

uint64_t zki_zk_tape_bytes_max(const zki_zk_sizes *caps)
{
    uint64_t a[3] = {at_least_64(caps->nodes) * sizeof(zki_zk_node), at_least_64(caps->terms) * sizeof(zki_zk_term),
                     at_least_64(caps->cons) * sizeof(zki_zk_cons)};
    uint64_t most = a[0] > a[1] ? a[0] : a[1];
    most = most > a[2] ? most : a[2];
    /* a realloc holds the old array too (at most the cap), one at a time */
    return a[0] + a[1] + a[2] + most;
}

void zki_zk_fail(zki_zk *z, zki_status st)
{
    if (z && !z->err)
        z->err = st;
}

/* A new node: a leaf on witness entry `leaf` (n = 0) or n terms. Returns 0
 * (the empty form) after an allocation failure, which is recorded. */
static uint32_t new_node(zki_zk *z, uint64_t leaf, size_t n, const uint32_t *child, const zki_ext *k)
{
    if (!z || z->err)
        return 0;
    if (!within(z, z->n_nodes, 1, z->max.nodes, "tape nodes") || !within(z, z->n_terms, n, z->max.terms, "tape terms"))
        return 0;
    if (z->n_nodes >= UINT32_MAX - 1 ||
        !grow((void **)&z->nodes, &z->cap_nodes, z->n_nodes + 1, sizeof(*z->nodes), z->max.nodes) ||
        (z->prover && !grow((void **)&z->nval, &z->cap_nval, z->n_nodes + 1, sizeof(zki_ext), z->max.nodes)) ||
        !grow((void **)&z->terms, &z->cap_terms, z->n_terms + n, sizeof(*z->terms), z->max.terms)) {
        zki_zk_fail(z, zki_fail(ZKI_ERR_NOMEM, "zk: tape of %zu nodes", z->n_nodes));
        return 0;
    }
    uint32_t id = (uint32_t)z->n_nodes++;
    zki_zk_node *nd = &z->nodes[id];
    nd->ref = n ? z->n_terms : leaf;
    nd->n = (uint32_t)n;
    zki_ext val = zki_ext_zero();
    for (size_t i = 0; i < n; i++) {
        z->terms[z->n_terms + i].child = child[i];
        z->terms[z->n_terms + i].k = k[i];
        if (z->prover)
            val = zki_ext_add(val, zki_ext_mul(k[i], z->nval[child[i]]));
    }
    z->n_terms += n;
    if (z->prover)
        z->nval[id] = n ? val : zki_zk_witness_value(z, leaf);
    return id;
}

uint32_t zki_zk_leaf(zki_zk *z, uint64_t entry) { return new_node(z, entry, 0, NULL, NULL); }

zki_status zki_zk_init_tape(zki_zk *z)
{
    /* node 0: the empty form, never read */
    if (!grow((void **)&z->nodes, &z->cap_nodes, 1, sizeof(*z->nodes), 0) ||
        (z->prover && !grow((void **)&z->nval, &z->cap_nval, 1, sizeof(zki_ext), 0)))
        return zki_fail(ZKI_ERR_NOMEM, "zk: tape");
    memset(&z->nodes[0], 0, sizeof(z->nodes[0]));
    if (z->prover)
        z->nval[0] = zki_ext_zero();
    z->n_nodes = 1;
    return ZKI_OK;
}

zki_pv zki_pv_lin(zki_zk *z, size_t n, const zki_ext *k, const zki_pv *a)
{
    zki_pv r = {zki_ext_zero(), 0};
    uint32_t child[16];
    zki_ext kk[16];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        r.c = zki_ext_add(r.c, zki_ext_mul(k[i], a[i].c));
        if (!a[i].f || zki_ext_is_zero(k[i]))
            continue;
        if (m == 16) { /* long combinations: fold what we have into one node */
            child[0] = new_node(z, 0, m, child, kk);
            kk[0] = zki_ext_one();
            m = 1;
        }
        child[m] = a[i].f;
        kk[m++] = k[i];
    }
    if (m == 1 && zki_ext_eq(kk[0], zki_ext_one()))
        r.f = child[0];
    else if (m)
        r.f = new_node(z, 0, m, child, kk);
    return r;
}

zki_pv zki_pv_add(zki_zk *z, zki_pv a, zki_pv b)
{
    zki_ext k[2] = {zki_ext_one(), zki_ext_one()};
    zki_pv v[2] = {a, b};
    return zki_pv_lin(z, 2, k, v);
}

zki_pv zki_pv_sub(zki_zk *z, zki_pv a, zki_pv b)
{
    zki_ext k[2] = {zki_ext_one(), zki_ext_neg(zki_ext_one())};
    zki_pv v[2] = {a, b};
    return zki_pv_lin(z, 2, k, v);
}

zki_pv zki_pv_scale(zki_zk *z, zki_pv a, zki_ext k) { return zki_pv_lin(z, 1, &k, &a); }

zki_ext zki_pv_true(const zki_zk *z, zki_pv a)
{
    if (!a.f || !z || !z->prover)
        return a.c;
    return zki_ext_add(a.c, z->nval[a.f]);
}

zki_pv zki_pv_mul(zki_zk *z, zki_pv a, zki_pv b)
{
    if (!a.f)
        return zki_pv_scale(z, b, a.c);
    if (!b.f)
        return zki_pv_scale(z, a, b.c);
    zki_pv r = {zki_ext_zero(), 0};
    if (!z || z->err)
        return r;
    uint64_t q = z->n_prod;
    if (!within(z, q, 1, z->max.prods, "product triples"))
        return r;
    if (z->prover) {
        if (!grow((void **)&z->prod, &z->cap_prod, 3 * (q + 1), sizeof(zki_ext), 3 * z->max.prods)) {
            zki_zk_fail(z, zki_fail(ZKI_ERR_NOMEM, "zk: %llu products", (unsigned long long)q));
            return r;
        }
        zki_ext x = zki_pv_true(z, a), y = zki_pv_true(z, b);
        z->prod[3 * q] = x;
        z->prod[3 * q + 1] = y;
        z->prod[3 * q + 2] = zki_ext_mul(x, y);
    }
    z->n_prod++;
    uint64_t base = ZKI_ZK_PROD | 3 * q;
    zki_pv X = {zki_ext_zero(), zki_zk_leaf(z, base)}, Y = {zki_ext_zero(), zki_zk_leaf(z, base + 1)};
    r.f = zki_zk_leaf(z, base + 2);
    zki_pv_assert_eq(z, X, a, "product operand");
    zki_pv_assert_eq(z, Y, b, "product operand");
    return r;
}

zki_status zki_pv_assert_eq(zki_zk *z, zki_pv a, zki_pv b, const char *what)
{
    zki_pv d = zki_pv_sub(z, a, b);
    if (!d.f) {
        if (!zki_ext_is_zero(d.c))
            return zki_fail(ZKI_ERR_VERIFY, "check failed: %s", what);
        return ZKI_OK;
    }
    if (!z)
        return zki_fail(ZKI_ERR_INPUT, "zk: a private value without a zk context (%s)", what);
    if (z->err)
        return ZKI_OK; /* reported by zki_zk_ok */
    /* F(x) = -c */
    if (z->prover && !zki_ext_is_zero(zki_pv_true(z, d)) && !zki_zk_test_false) {
        zki_zk_fail(z, zki_fail(ZKI_ERR_INPUT, "zk: the prover's values break a constraint (%s)", what));
        return ZKI_OK;
    }
    if (!within(z, z->n_cons, 1, z->max.cons, "constraints"))
        return ZKI_OK; /* reported by zki_zk_ok */
    if (!grow((void **)&z->cons, &z->cap_cons, z->n_cons + 1, sizeof(*z->cons), z->max.cons)) {
        zki_zk_fail(z, zki_fail(ZKI_ERR_NOMEM, "zk: %zu constraints", z->n_cons));
        return ZKI_OK;
    }
    z->cons[z->n_cons].f = d.f;
    z->cons[z->n_cons].rhs = zki_ext_neg(d.c);
    z->n_cons++;
    return ZKI_OK;
}

uint64_t zki_zk_n_products(const zki_zk *z) { return z->n_prod; }
uint64_t zki_zk_n_constraints(const zki_zk *z) { return z->n_cons; }
const zki_ext *zki_zk_products(const zki_zk *z) { return z->prover ? z->prod : NULL; }

zki_status zki_zk_linear(const zki_zk *z, zki_ext beta, zki_ext *a_pad, zki_ext *a_prod, zki_ext *b)
{
    if (z->err)
        return z->err;
    zki_ext *w = calloc(z->n_nodes, sizeof(zki_ext));
    if (!w)
        return zki_fail(ZKI_ERR_NOMEM, "zk: batching %zu nodes", z->n_nodes);
    zki_ext pw = zki_ext_one(), acc = zki_ext_zero();
    for (size_t m = 0; m < z->n_cons; m++) {
        w[z->cons[m].f] = zki_ext_add(w[z->cons[m].f], pw);
        acc = zki_ext_add(acc, zki_ext_mul(pw, z->cons[m].rhs));
        pw = zki_ext_mul(pw, beta);
    }
    if (z->n_pads)
        memset(a_pad, 0, sizeof(zki_ext) * z->n_pads);
    if (z->n_prod)
        memset(a_prod, 0, sizeof(zki_ext) * 3 * z->n_prod);
    for (size_t id = z->n_nodes; id-- > 1;) {
        const zki_zk_node *nd = &z->nodes[id];
        if (zki_ext_is_zero(w[id]))
            continue;
        if (!nd->n) {
            zki_ext *a = nd->ref & ZKI_ZK_PROD ? a_prod + (nd->ref & ~ZKI_ZK_PROD) : a_pad + nd->ref;
            *a = zki_ext_add(*a, w[id]);
            continue;
        }
        for (uint32_t i = 0; i < nd->n; i++) {
            const zki_zk_term *t = &z->terms[nd->ref + i];
            w[t->child] = zki_ext_add(w[t->child], zki_ext_mul(w[id], t->k));
        }
    }
    free(w);
    *b = acc;
    return ZKI_OK;
}
