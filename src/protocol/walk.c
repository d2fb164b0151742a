/* Steps every gadget shares (protocol/gadget.h): claim routing, claim
 * reduction, the advice layout, and the requantisation that LINEAR, CONV
 * and ADD nodes end in. Written once for the prover and the verifier. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "protocol/gadget.h"
#include "lookup/lookup.h"
#include "poly/mle.h"
#include "protocol/argmax.h"

uint32_t zki_walk_bits(const zki_dag *d, uint32_t t)
{
    return t == 0 ? d->in_bits : d->nodes[t - 1].out_bits;
}

size_t zki_walk_log_len(const zki_dag *d, uint32_t t)
{
    /* the input in the layout its readers share (node 0 is one of them) */
    zki_tlayout l;
    return zki_dag_layout(d, t, &l) ? l.log_len : zki_log2_ceil(d->nodes[t ? t - 1 : 0].N);
}

zki_status zki_walk_claim(zki_walk *w, uint32_t t, const zki_ext *pt, zki_ext v)
{
    return zki_walk_claim_pv(w, t, pt, zki_pv_pub(v));
}

zki_status zki_walk_claim_pv(zki_walk *w, uint32_t t, const zki_ext *pt, zki_pv v)
{
    const zki_advice_layout *lay = w->lay;
    uint32_t id = t == 0 ? lay->in_id : lay->out_id[t - 1];
    if (lay->seg_of[id] != ZKI_NONE)
        return zki_seg_claims_add_pv(w->ca, lay->seg_of[id], pt, v);
    size_t nv = zki_log2_ceil(w->B) + zki_walk_log_len(w->d, t);
    return zki_ledger_add_pv(w->led, id, pt, nv, v);
}

zki_status zki_walk_reduce_prove(zki_walk *w, uint32_t j, uint32_t id, zki_fe *tab, size_t nvars,
                                 zki_node_proof *p, const zki_claim **c)
{
    if (!tab)
        return zki_fail(ZKI_ERR_NOMEM, "prove: node %u table", j);
    zki_status st = zki_ledger_reduce_prove(w->led, id, tab, NULL, w->ts, &p->red);
    free(tab);
    if (st)
        return st;
    *c = zki_ledger_get(w->led, id);
    if (!*c || (*c)->nvars != nvars)
        return zki_fail(ZKI_ERR_INPUT, "prove: node %u has no claim to prove", j);
    return ZKI_OK;
}

zki_status zki_walk_reduce_verify(zki_walk *w, uint32_t j, uint32_t id, size_t nvars, const zki_node_proof *p,
                                  const zki_claim **c)
{
    size_t k = zki_ledger_count(w->led, id);
    if (zki_ledger_reduce_verify(w->led, id, &p->red, w->ts))
        return zki_fail_ctx(ZKI_ERR_VERIFY, "verify: node %u claim reduction", j);
    *c = zki_ledger_get(w->led, id);
    if (!*c || (*c)->nvars != nvars)
        return zki_fail(ZKI_ERR_VERIFY, "verify: no claim on node %u", j);
    /* one claim passes through: the proof's copy must be that claim, or 0
     * in a zero-knowledge proof (no malleable bytes) */
    if (k == 1 && (p->red.sc.nvars != 0 || p->red.sc.degree != 0 ||
                   !zki_ext_eq(p->red.f_at_rho, w->ts->zk ? zki_ext_zero() : (*c)->value)))
        return zki_fail(ZKI_ERR_VERIFY, "verify: node %u: a claim reduction where none is due", j);
    return ZKI_OK;
}

/* ---- advice layout ----------------------------------------------------- */

static int grow_ids(zki_advice_layout *lay)
{
    if (lay->n_ids < lay->cap_ids)
        return 1;
    uint32_t cap = lay->cap_ids ? 2 * lay->cap_ids : 64;
    uint32_t *s = realloc(lay->seg_of, sizeof(uint32_t) * cap);
    if (s)
        lay->seg_of = s;
    uint8_t *r = s ? realloc(lay->role, cap) : NULL;
    if (r)
        lay->role = r;
    /* segments never outnumber ids: one capacity serves both */
    size_t *v = r ? realloc(lay->nv, sizeof(size_t) * cap) : NULL;
    if (v)
        lay->nv = v;
    if (!s || !r || !v)
        return 0;
    lay->cap_ids = cap;
    return 1;
}

uint32_t zki_layout_id(zki_advice_layout *lay, uint8_t role)
{
    if (role == ZKI_ID_OUTPUT && lay->out_priv) { /* committed: the claims on it go to the opening */
        uint32_t id = lay->out_seg == ZKI_NONE ? zki_layout_advice(lay, lay->out_nv) : ZKI_NONE;
        if (id != ZKI_NONE)
            lay->out_seg = lay->seg_of[id];
        return id;
    }
    if (!grow_ids(lay))
        return ZKI_NONE;
    lay->seg_of[lay->n_ids] = ZKI_NONE;
    lay->role[lay->n_ids] = role;
    return lay->n_ids++;
}

uint32_t zki_layout_advice(zki_advice_layout *lay, size_t nv)
{
    uint32_t id = zki_layout_id(lay, ZKI_ID_ADVICE);
    if (id == ZKI_NONE)
        return ZKI_NONE;
    lay->nv[lay->n] = nv;
    lay->seg_of[id] = lay->n++;
    return id;
}

void zki_advice_layout_free(zki_advice_layout *lay)
{
    free(lay->nv);
    zki_pack_free(&lay->pack);
    free(lay->seg_of);
    free(lay->role);
    free(lay->ids);
    free(lay->out_id);
    free(lay->map_of);
    free(lay->map_node);
    free(lay->m_id);
    memset(lay, 0, sizeof(*lay));
}

zki_status zki_advice_layout_init(zki_advice_layout *lay, const zki_dag *d, uint32_t B, int priv)
{
    memset(lay, 0, sizeof(*lay));
    uint32_t L = d->n_nodes;
    int private_input = priv & ZKI_PRIV_INPUT;
    /* a hidden output (a generation's view) is not the statement's: no
     * private output of it */
    lay->out_priv = (priv & ZKI_PRIV_OUTPUT) && !d->out_hidden;
    lay->out_nv = lay->out_priv && L ? zki_log2_ceil(B) + zki_walk_log_len(d, L) : 0;
    lay->out_seg = ZKI_NONE;
    lay->ids = calloc(L, sizeof(*lay->ids));
    lay->out_id = calloc(L, sizeof(uint32_t));
    lay->map_of = calloc(L, sizeof(uint32_t));
    lay->map_node = calloc(L, sizeof(uint32_t));
    lay->m_id = calloc((size_t)L + 1, sizeof(uint32_t));
    zki_status st = ZKI_OK;
    if (!lay->ids || !lay->out_id || !lay->map_of || !lay->map_node || !lay->m_id)
        st = zki_fail(ZKI_ERR_NOMEM, "advice layout");
    for (uint32_t j = 0; !st && j < L; j++) {
        const zki_gadget *g = zki_gadget_of(d->nodes[j].kind);
        lay->map_of[j] = ZKI_NONE;
        st = g ? g->layout(lay, d, j, B) : zki_fail(ZKI_ERR_INPUT, "advice layout: node %u of unknown kind", j);
    }
    lay->gen_d = ZKI_NONE;
    if (!st && d->out_hidden && (lay->gen_d = zki_layout_advice(lay, zki_walk_log_len(d, zki_argmax_tensor(d)))) == ZKI_NONE)
        st = zki_fail(ZKI_ERR_NOMEM, "advice layout");
    if (!st) {
        lay->m_id[0] = zki_layout_advice(lay, 16);
        for (uint32_t i = 0; i < lay->n_maps; i++)
            lay->m_id[1 + i] = zki_layout_advice(lay, zki_map_log_size(d, lay->map_node[i]));
        lay->x0 = ZKI_NONE;
        size_t nx = zki_log2_ceil(B) + zki_walk_log_len(d, 0);
        lay->in_id = private_input ? zki_layout_advice(lay, nx) : zki_layout_id(lay, ZKI_ID_INPUT);
        if (lay->in_id == ZKI_NONE)
            st = zki_fail(ZKI_ERR_NOMEM, "advice layout");
        else if (private_input)
            lay->x0 = lay->seg_of[lay->in_id];
    }
    if (!st && lay->out_priv && lay->out_seg == ZKI_NONE)
        st = zki_fail(ZKI_ERR_INPUT, "advice layout: the last node's output cannot be committed");
    if (!st)
        st = zki_pack_init(&lay->pack, lay->nv, lay->n);
    if (st)
        zki_advice_layout_free(lay);
    return st;
}

size_t zki_map_log_size(const zki_dag *d, uint32_t j)
{
    const zki_dag_node *L = &d->nodes[j];
    return L->kind == ZKI_NODE_LUT ? zki_walk_bits(d, L->in[0]) : L->q_log;
}

/* ---- requantising nodes ------------------------------------------------ */

zki_status zki_requant_layout(zki_advice_layout *lay, const zki_dag *d, uint32_t j, uint32_t B)
{
    const zki_dag_node *L = &d->nodes[j];
    size_t len = zki_log2_ceil(B) + zki_log2_ceil(L->N);
    uint32_t *id = lay->ids[j];
    int out = zki_dag_public_output(d, j);
    id[0] = zki_layout_id(lay, ZKI_ID_INTERNAL); /* acc */
    if (zki_dag_raw(L)) { /* the accumulator is the output: nothing committed */
        if (id[0] == ZKI_NONE)
            return zki_fail(ZKI_ERR_NOMEM, "advice layout");
        lay->out_id[j] = id[0];
        return ZKI_OK;
    }
    id[1] = zki_layout_advice(lay, len);         /* q */
    id[2] = out ? zki_layout_id(lay, ZKI_ID_OUTPUT) : zki_layout_advice(lay, len); /* y */
    unsigned nl = zki_requant_n_limbs(L->s);
    for (unsigned i = 1; i < nl; i++)
        id[2 + i] = zki_layout_advice(lay, len);
    for (unsigned i = 0; i < 3 + (nl - 1); i++)
        if (id[i] == ZKI_NONE)
            return zki_fail(ZKI_ERR_NOMEM, "advice layout");
    lay->out_id[j] = id[2];
    /* mapping instances: one per distinct (lo, hi, q_log) */
    uint32_t k;
    for (k = 0; k < lay->n_maps; k++) {
        const zki_dag_node *F = &d->nodes[lay->map_node[k]];
        if (F->kind != ZKI_NODE_LUT && F->lo == L->lo && F->hi == L->hi && F->q_log == L->q_log)
            break;
    }
    if (k == lay->n_maps)
        lay->map_node[lay->n_maps++] = j;
    lay->map_of[j] = k;
    return ZKI_OK;
}

zki_status zki_requant_sites(zki_walk *w, uint32_t j)
{
    const zki_dag_node *L = &w->d->nodes[j];
    const uint32_t *id = w->lay->ids[j];
    if (zki_dag_raw(L))
        return ZKI_OK; /* no requantisation, no lookups */
    zki_requant_params p;
    zki_requant_params_of(L, &p);
    zki_requant_ids ids = {id[0], id[1], id[2], {0, id[3], id[4], id[5]}};
    char name[32];
    snprintf(name, sizeof(name), "node %u", j);
    size_t n = (size_t)w->B << zki_log2_ceil(L->N);
    const zki_requant_witness *rw = w->W ? &w->W->rq[j] : NULL;
    const int64_t *acc = w->W ? w->W->acc[j] : NULL;
    return zki_requant_add_sites(&p, rw, acc, n, &ids, w->ml->lk[0], w->ml->lk[1 + w->lay->map_of[j]], name);
}

void zki_put_i32(int32_t *dst, const int64_t *v, size_t n)
{
#pragma omp parallel for schedule(static) if (n >= 65536)
    for (size_t i = 0; i < n; i++)
        dst[i] = (int32_t)v[i];
}

zki_status zki_requant_advice(zki_walk *w, uint32_t j, int32_t *adv)
{
    const zki_advice_layout *lay = w->lay;
    const zki_requant_witness *rw = &w->W->rq[j];
    const uint32_t *id = lay->ids[j];
    if (zki_dag_raw(&w->d->nodes[j]))
        return ZKI_OK;
    zki_put_i32(adv + lay->pack.off[lay->seg_of[id[1]]], rw->q, rw->n);
    if (lay->seg_of[id[2]] != ZKI_NONE)
        zki_put_i32(adv + lay->pack.off[lay->seg_of[id[2]]], rw->y, rw->n);
    for (unsigned i = 1; i < rw->n_limbs; i++)
        zki_put_i32(adv + lay->pack.off[lay->seg_of[id[2 + i]]], rw->limb[i], rw->n);
    return ZKI_OK;
}

zki_status zki_requant_witness_of(zki_walk *w, uint32_t j, int64_t *accp)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_witness *W = w->W;
    if (!accp)
        return zki_fail(ZKI_ERR_NOMEM, "prove: accumulators of node %u", j);
    W->acc[j] = accp;
    uint64_t np = (uint64_t)1 << zki_log2_ceil(L->N);
    if (zki_dag_raw(L)) { /* the output is the accumulator itself */
        W->t[j + 1] = accp;
        W->ld[j + 1] = np;
        return ZKI_OK;
    }
    zki_requant_params p;
    zki_requant_params_of(L, &p);
    char name[48];
    snprintf(name, sizeof(name), "node %u accumulators", j);
    zki_status st = zki_requant_witness_new(&W->rq[j], &p, accp, (size_t)w->B * np, name);
    if (st)
        return st;
    W->t[j + 1] = W->rq[j].y;
    W->ld[j + 1] = np;
    return ZKI_OK;
}

/* Bits of a quotient bound: the least ql >= 2 with (worst >> s) + 2 <
 * 2^(ql - 1), at most `cap` (cap + 1 where it would be larger). */
static uint32_t quotient_bits(__int128 worst, uint32_t s, uint32_t cap)
{
    __int128 qb = (worst >> s) + 2;
    uint32_t ql = 2;
    while (ql <= cap && ((__int128)1 << (ql - 1)) <= qb)
        ql++;
    return ql;
}

uint32_t zki_add_q_log(const zki_dag *d, uint32_t j)
{
    const zki_dag_node *A = &d->nodes[j];
    /* worst |acc| = sum_i |mul_i| 2^(b_i - 1): every input is range-proven
     * by the node that makes it, and the multipliers are public */
    __int128 worst = 0;
    for (uint32_t i = 0; i < A->n_in && i < ZKI_DAG_MAX_IN; i++) {
        uint32_t b = zki_walk_bits(d, A->in[i]);
        if (b < 1 || b > 32)
            return 0;
        worst += (__int128)(A->mul[i] < 0 ? -(__int128)A->mul[i] : A->mul[i]) << (b - 1);
    }
    if (A->s < 1 || A->s > 61)
        return 0;
    /* at the cap the relation is not scaled (s' = s, lookup/requant.h):
     * only |acc| + 2^(s-1) < 2^62 keeps it from wrapping mod p (reachable
     * since raw inputs have up to 32 bits) */
    if (worst + ((__int128)1 << (A->s - 1)) >= (__int128)1 << 62)
        return 0;
    uint32_t ql = quotient_bits(worst, A->s, ZKI_DAG_MAX_Q_LOG);
    return ql > ZKI_DAG_MAX_Q_LOG ? ZKI_DAG_MAX_Q_LOG : ql;
}

/* A product node's quotient bits: worst |acc M| = terms 2^(b0 - 1)
 * 2^(b1 - 1) |M|, terms products summed per accumulator. */
static uint32_t product_q_log(const zki_dag *d, uint32_t j, uint64_t terms)
{
    const zki_dag_node *A = &d->nodes[j];
    if (A->n_in != 2 || A->in[0] > j || A->in[1] > j || A->s < 1 || A->s > 61 || A->M == 0 ||
        A->M <= -(1ll << 31) || A->M >= (1ll << 31))
        return 0;
    uint32_t b0 = zki_walk_bits(d, A->in[0]), b1 = zki_walk_bits(d, A->in[1]);
    if (b0 < 2 || b0 > 16 || b1 < 2 || b1 > 16)
        return 0;
    /* worst |acc M| = 2^(b0 - 1) 2^(b1 - 1) |M|: both inputs are
     * range-proven by the nodes that make them */
    __int128 worst = ((__int128)(A->M < 0 ? -A->M : A->M) * terms) << (b0 + b1 - 2);
    uint32_t ql = quotient_bits(worst, A->s, ZKI_DAG_MAX_Q_LOG);
    if (ql <= ZKI_DAG_MAX_Q_LOG)
        return ql;
    /* beyond the cap, as an ADD: the table's range holds the quotients
     * the data produce (the prover refuses others, naming them) and the
     * unscaled relation cannot wrap while |acc M| + 2^(s-1) < 2^62
     * (lookup/requant.h); 16-bit products of 16 terms need this */
    return worst + ((__int128)1 << (A->s - 1)) < (__int128)1 << 62 ? ZKI_DAG_MAX_Q_LOG : 0;
}

uint32_t zki_mul_q_log(const zki_dag *d, uint32_t j) { return product_q_log(d, j, 1); }

uint32_t zki_bmm_q_log(const zki_dag *d, uint32_t j)
{
    uint32_t K = d->nodes[j].K;
    return K >= 1 && K <= ZKI_DAG_MAX_DIM ? product_q_log(d, j, K) : 0;
}

int zki_bcast_axes(const zki_dag *d, uint32_t t, const zki_tlayout *o, unsigned *axes)
{
    zki_tlayout l;
    *axes = 0;
    if (!zki_dag_layout(d, t, &l))
        return 0;
    if (zki_tlayout_eq(&l, o))
        return 1;
    /* a row of the output's channels reads as a map [c][1][1] (a gate
     * made by Linear layers): the same padded layout */
    if (!l.map && o->map && l.n == o->c && l.n >= 1)
        l.map = 1, l.c = o->c, l.h = l.w = 1;
    if (!l.map || !o->map)
        return 0;
    const uint32_t mine[3] = {l.w, l.h, l.c}, full[3] = {o->w, o->h, o->c};
    for (int a = 0; a < 3; a++) {
        if (mine[a] == full[a])
            continue;
        if (mine[a] != 1)
            return 0;
        *axes |= 1u << a;
    }
    return 1;
}

/* Per axis of a map layout (w, h, c): its bit in a broadcast mask, its
 * first coordinate in a point, its coordinates, its size. */
static void axes_of(const zki_tlayout *o, size_t at[3], size_t n[3], uint32_t dim[3])
{
    n[0] = zki_log2_ceil(o->w), n[1] = zki_log2_ceil(o->h), n[2] = zki_log2_ceil(o->c);
    at[0] = 0, at[1] = n[0], at[2] = n[0] + n[1];
    dim[0] = o->w, dim[1] = o->h, dim[2] = o->c;
}

zki_ext zki_bcast_point(const zki_tlayout *o, unsigned axes, size_t lb, const zki_ext *r, zki_ext *pt)
{
    zki_ext ind = zki_ext_one();
    size_t at[3], n[3], k = 0;
    uint32_t dim[3];
    if (!axes) {
        memcpy(pt, r, sizeof(zki_ext) * (o->log_len + lb));
        return ind;
    }
    axes_of(o, at, n, dim);
    for (int a = 0; a < 3; a++) {
        if (axes >> a & 1)
            ind = zki_ext_mul(ind, zki_lk_prefix_mle(dim[a], (unsigned)n[a], r + at[a]));
        else
            for (size_t i = 0; i < n[a]; i++)
                pt[k++] = r[at[a] + i];
    }
    memcpy(pt + k, r + o->log_len, sizeof(zki_ext) * lb);
    return ind;
}

#ifndef ZKI_VERIFIER_ONLY
int64_t *zki_bcast_expand(const int64_t *x, uint32_t B, const zki_tlayout *o, unsigned axes, int zero_pads)
{
    uint64_t np = (uint64_t)1 << o->log_len;
    int64_t *e = malloc(sizeof(int64_t) * (size_t)B * np);
    if (!e || !axes) {
        if (e)
            memcpy(e, x, sizeof(int64_t) * (size_t)B * np);
        return e;
    }
    size_t at[3], n[3], mine[3];
    uint32_t dim[3];
    axes_of(o, at, n, dim);
    for (int a = 0; a < 3; a++)
        mine[a] = axes >> a & 1 ? 0 : n[a];
    uint64_t xp = (uint64_t)1 << (mine[0] + mine[1] + mine[2]);
    for (uint64_t b = 0; b < B; b++)
        for (uint64_t i = 0; i < np; i++) {
            uint64_t src = 0;
            int pad = 0;
            for (int a = 3; a-- > 0;) {
                uint64_t v = i >> at[a] & (((uint64_t)1 << n[a]) - 1);
                if (axes >> a & 1)
                    pad |= zero_pads && v >= dim[a];
                else
                    src = src << mine[a] | v;
            }
            e[b * np + i] = pad ? 0 : x[b * xp + src];
        }
    return e;
}
#endif

int zki_no_conv_geometry(const zki_dag_node *L)
{
    return L->OC == 0 && L->G == 0 && !L->KH && !L->KW && !L->sh && !L->sw && !L->dh && !L->dw && !L->pt && !L->pl &&
           !L->pb && !L->pr;
}

zki_status zki_requant_key_check(const zki_dag_node *L, uint32_t j)
{
    /* ADD and MUL have no weights; ADD's multipliers are its inputs' */
    int add = L->kind == ZKI_NODE_ADD, mul = L->kind == ZKI_NODE_MUL || L->kind == ZKI_NODE_BMM;
    int64_t omin = -((int64_t)1 << (L->out_bits - 1)), omax = ((int64_t)1 << (L->out_bits - 1)) - 1;
#define RANGE(v, lo, hi, field)                                                                        \
    do {                                                                                               \
        if ((int64_t)(v) < (int64_t)(lo) || (int64_t)(v) > (int64_t)(hi))                              \
            return zki_fail(ZKI_ERR_INPUT, "vk: node %u: %s = %lld outside [%lld, %lld]", j, field,     \
                            (long long)(v), (long long)(lo), (long long)(hi));                         \
    } while (0)
    RANGE(L->has_bias, 0, add || mul ? 0 : 1, "has_bias");
    if (zki_dag_raw(L)) { /* no requantisation: the accumulator goes to the ADDs that read it */
        RANGE(L->w_bits, 8, 16, "w_bits");
        RANGE(L->w_bits % 8, 0, 0, "w_bits mod 8");
        RANGE(L->M, 1, 1, "M of a raw accumulator");
        RANGE(L->lo, 0, 0, "clamp lo of a raw accumulator");
        RANGE(L->hi, 0, 0, "clamp hi of a raw accumulator");
        RANGE(L->q_log, 0, 0, "quotient bits of a raw accumulator");
        return ZKI_OK;
    }
    if (add) {
        RANGE(L->w_bits, 0, 0, "w_bits");
        RANGE(L->M, 1, 1, "M");
    } else {
        if (mul) {
            RANGE(L->w_bits, 0, 0, "w_bits");
        } else {
            RANGE(L->w_bits, 8, 16, "w_bits");
            RANGE(L->w_bits % 8, 0, 0, "w_bits mod 8");
        }
        RANGE(L->M, -(1ll << 31) + 1, (1ll << 31) - 1, "M");
        if (L->M == 0)
            return zki_fail(ZKI_ERR_INPUT, "vk: node %u: M = 0", j);
    }
    RANGE(L->s, 1, 61, "shift s");
    RANGE(L->q_log, 2, ZKI_DAG_MAX_Q_LOG, "quotient bits q_log");
    /* the output y = clamp(q, lo, hi) is an out_bits-bit value holding 0 */
    RANGE(L->lo, omin, 0, "clamp lo");
    RANGE(L->hi, 0, omax, "clamp hi");
    /* 2^s q + r must take fewer than p values (requant.h) */
    RANGE((int64_t)L->s + L->q_log, 2, 62, "shift s + quotient bits q_log");
#undef RANGE
    return ZKI_OK;
}

void zki_map_verify_cost(const zki_dag *d, uint32_t j, uint32_t B, uint64_t *ops, uint64_t *bytes)
{
    const zki_dag_node *N = &d->nodes[j];
    uint32_t oc = 0, oh = 0, ow = 0;
    zki_dag_out_map(N, &oc, &oh, &ow);
    uint64_t ent = ((uint64_t)1 << zki_log2_ceil(N->C)) + ((uint64_t)1 << zki_log2_ceil(N->H)) +
                   ((uint64_t)1 << zki_log2_ceil(N->W)) + ((uint64_t)1 << zki_log2_ceil(oc)) +
                   ((uint64_t)1 << zki_log2_ceil(oh)) + ((uint64_t)1 << zki_log2_ceil(ow)) +
                   ((uint64_t)1 << zki_log2_ceil(N->KH)) + ((uint64_t)1 << zki_log2_ceil(N->KW));
    *bytes += 4 * 16 * ent;
    *ops += 4 * ent + (uint64_t)oh * N->KH + (uint64_t)ow * N->KW + (uint64_t)N->C + oc;
}

zki_status zki_node_proof_vals(zki_node_proof *p, uint32_t n)
{
    p->val = calloc(n ? n : 1, sizeof(zki_ext));
    p->n_val = n;
    return p->val ? ZKI_OK : zki_fail(ZKI_ERR_NOMEM, "node proof");
}

void zki_node_proof_free(zki_node_proof *p)
{
    zki_claim_reduction_proof_free(&p->red);
    for (int i = 0; i < ZKI_NODE_MAX_SC; i++)
        zki_sc_proof_free(&p->sc[i]);
    free(p->val);
    memset(p, 0, sizeof(*p));
}

zki_status zki_walk_input_check(const zki_dag *d, const int64_t *X, uint32_t B)
{
    zki_status st = ZKI_OK;
    for (uint32_t j = 0; !st && j < d->n_nodes; j++) {
        const zki_gadget *g = zki_gadget_of(d->nodes[j].kind);
        st = g->input_check ? g->input_check(d, j, X, B) : ZKI_OK;
    }
    return st;
}

zki_status zki_walk_sites(zki_walk *w, const int64_t *x0p)
{
    zki_status st = ZKI_OK;
    for (uint32_t j = 0; !st && j < w->d->n_nodes; j++)
        st = zki_gadget_of(w->d->nodes[j].kind)->sites(w, j);
    if (!st && w->lay->gen_d != ZKI_NONE) { /* the argmax margins are in [0, 2^16) */
        zki_lk_col col = zki_lk_col_plain(w->lay->gen_d, w->gen_D);
        st = zki_lookup_add_site(w->ml->lk[0], "argmax margins", (size_t)1 << zki_walk_log_len(w->d, w->d->n_nodes),
                                 &col, 1);
    }
    if (!st && w->priv)
        st = zki_input_range_sites(w->ml->lk[0], w->lay, w->d, w->B, x0p);
    return st;
}

zki_status zki_model_lookup_sites(zki_model_lookups *ml, const zki_dag *d, const zki_advice_layout *lay,
                                  uint32_t B, int private_input)
{
    zki_walk w;
    memset(&w, 0, sizeof(w));
    /* ZKI_PRIV_* flags or 0/1: the input's bit (a private output adds no
     * sites) */
    w.d = d, w.B = B, w.priv = private_input & ZKI_PRIV_INPUT, w.lay = lay, w.ml = ml;
    return zki_walk_sites(&w, NULL);
}

zki_ext *zki_walk_points(zki_walk *w, size_t n)
{
    if (w->n_keep == w->cap_keep) {
        size_t cap = w->cap_keep ? 2 * w->cap_keep : 64;
        void **k = realloc(w->keep, sizeof(void *) * cap);
        if (!k)
            return NULL;
        w->keep = k;
        w->cap_keep = cap;
    }
    zki_ext *p = malloc(sizeof(zki_ext) * (n + 1));
    if (p)
        w->keep[w->n_keep++] = p;
    return p;
}

void zki_walk_free(zki_walk *w)
{
    for (size_t i = 0; i < w->n_keep; i++)
        free(w->keep[i]);
    free(w->keep);
    w->keep = NULL;
    w->n_keep = w->cap_keep = 0;
}
