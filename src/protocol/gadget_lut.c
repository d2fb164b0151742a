/* LUT node: y = T[x - lo] elementwise, T public (the key's aux: lo =
 * -2^(b-1), then the 2^b outputs), x of b <= 16 bits in any layout, y in
 * the same layout.
 *
 * Padding: every consumer relies on y = 0 at the layout's pads (x = 0
 * there), but T(0) = T0 may be nonzero. So the committed tensor is the
 * shifted y' = y - T0 Ind (Ind: 1 at the real positions of the real batch
 * rows, 0 at pads), looked up as pairs (x, y') in the shifted table
 * (lo + i, T[i] - T0): at a pad the pair is (0, 0), an entry of that
 * table, so the lookup itself pins y' (and so y) there; at a real position
 * y' = T[x - lo] - T0, i.e. y = T[x - lo]. The multilinear extensions
 * satisfy y~(r) = y'~(r) + T0 Ind~(r), Ind~ a product of prefix
 * indicators per axis (O(log) for the verifier).
 *
 * y itself is not committed: inside the DAG it is an internal tensor whose
 * claims (from its readers) are reduced to one claim y~(r) = v, which
 * becomes the claim y'~(r) = v - T0 Ind~(r) on the committed y'. As the
 * DAG's last node y is the public output: the node draws r from the
 * transcript, sends v = Y~(r) (checked by the verifier against the public
 * output with the other output claims) and claims y'~(r) = v - T0 Ind~(r).
 * Proof: the claim reduction, no values (inside); one value v (output).
 *
 * Zero knowledge: inside, the claim on y' is the reduced claim's value
 * (private in a zero-knowledge proof) minus a public term. As the output,
 * v = Y~(r) is a function of the public output, so it is sent as it is
 * (the verifier checks it against Y). A private output Y is a committed
 * segment of its own (walk.c): v is sent padded and its claim goes to
 * the opening; the claim on y' at the same r pins Y = y' + T0 Ind, so Y
 * needs no range check of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "protocol/gadget.h"
#include "poly/mle.h"

static int is_output(const zki_dag *d, uint32_t j) { return zki_dag_public_output(d, j); }

/* The table's input bits (the input tensor's) and T0 = T(0). */
static uint32_t lut_bits(const zki_dag *d, uint32_t j) { return zki_walk_bits(d, d->nodes[j].in[0]); }

static int64_t lut_t0(const zki_dag_node *L, uint32_t b) { return L->aux[1 + ((size_t)1 << (b - 1))]; }

static zki_status lut_key_check(const zki_dag *d, uint32_t j)
{
    const zki_dag_node *L = &d->nodes[j];
    zki_tlayout li, lo;
    uint32_t b = L->n_in == 1 ? lut_bits(d, j) : 0;
    int ok = L->n_in == 1 && b >= 2 && b <= 16 && L->aux && L->n_aux == 1u + (1u << b) &&
             L->aux[0] == -((int64_t)1 << (b - 1)) && L->has_bias == 0 && L->w_bits == 0 && L->s == 0 &&
             L->M == 0 && L->lo == 0 && L->hi == 0 && L->q_log == 0 && L->OC == 0 && L->KH == 0 && L->KW == 0 &&
             L->sh == 0 && L->sw == 0 && L->dh == 0 && L->dw == 0 && L->pt == 0 && L->pl == 0 && L->pb == 0 &&
             L->pr == 0 && L->G == 0 && zki_dag_layout(d, L->in[0], &li) && zki_dag_layout(d, j + 1, &lo) &&
             zki_tlayout_eq(&li, &lo) && L->K == L->N;
    if (!ok)
        return zki_fail(ZKI_ERR_INPUT, "vk: node %u (lut): fields, table size or layout", j);
    int64_t omin = -((int64_t)1 << (L->out_bits - 1)), omax = ((int64_t)1 << (L->out_bits - 1)) - 1;
    for (uint32_t i = 1; i < L->n_aux; i++)
        if (L->aux[i] < omin || L->aux[i] > omax)
            return zki_fail(ZKI_ERR_INPUT, "vk: node %u (lut): table entry %u = %lld outside the %u-bit output", j,
                            i - 1, (long long)L->aux[i], L->out_bits);
    return ZKI_OK;
}

static zki_status lut_layout(zki_advice_layout *lay, const zki_dag *d, uint32_t j, uint32_t B)
{
    const zki_dag_node *L = &d->nodes[j];
    uint32_t *id = lay->ids[j];
    id[0] = zki_layout_advice(lay, zki_log2_ceil(B) + zki_walk_log_len(d, j + 1)); /* y' */
    id[1] = zki_layout_id(lay, is_output(d, j) ? ZKI_ID_OUTPUT : ZKI_ID_INTERNAL); /* y */
    if (id[0] == ZKI_NONE || id[1] == ZKI_NONE)
        return zki_fail(ZKI_ERR_NOMEM, "advice layout");
    lay->out_id[j] = id[1];
    /* one mapping instance per distinct table */
    uint32_t k;
    for (k = 0; k < lay->n_maps; k++) {
        const zki_dag_node *F = &d->nodes[lay->map_node[k]];
        if (F->kind == ZKI_NODE_LUT && F->n_aux == L->n_aux && !memcmp(F->aux, L->aux, sizeof(int64_t) * L->n_aux))
            break;
    }
    if (k == lay->n_maps)
        lay->map_node[lay->n_maps++] = j;
    lay->map_of[j] = k;
    return ZKI_OK;
}

zki_status zki_lut_table(zki_lookup_table *t, const zki_dag *d, uint32_t j)
{
    const zki_dag_node *L = &d->nodes[j];
    uint32_t b = lut_bits(d, j);
    size_t n = (size_t)1 << b;
    int64_t t0 = lut_t0(L, b), *out = malloc(sizeof(int64_t) * n);
    if (!out)
        return zki_fail(ZKI_ERR_NOMEM, "lut table of node %u", j);
    for (size_t i = 0; i < n; i++)
        out[i] = L->aux[1 + i] - t0;
    zki_status st = zki_lookup_table_map(t, b, L->aux[0], out);
    free(out);
    return st;
}

static zki_status lut_shape(const zki_dag *d, uint32_t j, uint32_t B, zki_node_shape *s)
{
    memset(s, 0, sizeof(*s));
    if (is_output(d, j)) {
        s->n_val = 1;
    } else {
        s->has_red = 1;
        s->red_nvars = zki_log2_ceil(B) + zki_walk_log_len(d, j + 1);
    }
    return ZKI_OK;
}

/* The ledger id of tensor t. */
static uint32_t tensor_id(const zki_advice_layout *lay, uint32_t t)
{
    return t == 0 ? lay->in_id : lay->out_id[t - 1];
}

/* The pairs (x, y') over every padded position of the batch. */
static zki_status lut_sites(zki_walk *w, uint32_t j)
{
    const zki_dag_node *L = &w->d->nodes[j];
    uint32_t t = L->in[0];
    size_t len = (size_t)w->B << zki_walk_log_len(w->d, j + 1);
    zki_lk_col c[2] = {zki_lk_col_plain(tensor_id(w->lay, t), w->W ? w->W->t[t] : NULL),
                       zki_lk_col_plain(w->lay->ids[j][0], w->W ? w->W->aux[j] : NULL)};
    char name[32];
    snprintf(name, sizeof(name), "node %u lut", j);
    return zki_lookup_add_site(w->ml->lk[1 + w->lay->map_of[j]], name, len, c, 2);
}

/* Ind~(r): the real positions of the real batch rows (r: the layout's
 * coordinates, lowest first, then the batch's). */
static zki_ext real_mle(const zki_dag *d, uint32_t j, uint32_t B, const zki_ext *r)
{
    zki_tlayout l;
    zki_dag_layout(d, j + 1, &l);
    zki_ext v;
    if (l.map) {
        unsigned lw = (unsigned)zki_log2_ceil(l.w), lh = (unsigned)zki_log2_ceil(l.h);
        v = zki_ext_mul(zki_lk_prefix_mle(l.w, lw, r), zki_lk_prefix_mle(l.h, lh, r + lw));
        v = zki_ext_mul(v, zki_lk_prefix_mle(l.c, (unsigned)zki_log2_ceil(l.c), r + lw + lh));
    } else {
        v = zki_lk_prefix_mle(l.n, l.log_len, r);
    }
    return zki_ext_mul(v, zki_lk_prefix_mle(B, (unsigned)zki_log2_ceil(B), r + l.log_len));
}

/* The claim y~(r) = v as y'~(r) = v - T0 Ind~(r) on the committed y' (v:
 * the prover's value, or the verifier's, private in a zero-knowledge
 * proof). */
static zki_status shifted_claim(zki_walk *w, uint32_t j, const zki_ext *r, zki_pv v)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_ext ind = zki_ext_scale(real_mle(w->d, j, w->B, r), zki_fe_from_i64(lut_t0(L, lut_bits(w->d, j))));
    return zki_seg_claims_add_pv(w->ca, w->lay->seg_of[w->lay->ids[j][0]], r,
                                 zki_pv_sub(w->ts->zk, v, zki_pv_pub(ind)));
}

/* As the output: a fresh point r, the claimed v = Y~(r) to the ledger (the
 * verifier checks it against the public output, or a private output's
 * opening: v is then private, received padded). */
static zki_status output_claim(zki_walk *w, uint32_t j, zki_ext *r, size_t nv, zki_pv v)
{
    zki_status st = zki_ledger_add_pv(w->led, w->lay->ids[j][1], r, nv, v);
    return st ? st : shifted_claim(w, j, r, v);
}

static size_t lut_nvars(const zki_walk *w, uint32_t j)
{
    return zki_log2_ceil(w->B) + zki_walk_log_len(w->d, j + 1);
}

static zki_status lut_verify(zki_walk *w, uint32_t j, const zki_node_proof *p)
{
    size_t nv = lut_nvars(w, j);
    if (is_output(w->d, j)) {
        zki_ext *r = zki_walk_points(w, nv);
        if (!r)
            return zki_fail(ZKI_ERR_NOMEM, "verify: points");
        zki_ts_challenge_ext_vec(w->ts, "lut.point", r, nv);
        return output_claim(w, j, r, nv, zki_output_recv(w->lay, w->ts, "lut.output", p->val[0]));
    }
    const zki_claim *c;
    zki_status st = zki_walk_reduce_verify(w, j, w->lay->ids[j][1], nv, p, &c);
    return st ? st : shifted_claim(w, j, c->point, zki_claim_pv(c));
}

/* The key's table (8 per entry), the instance's shifted copy (8), its
 * extension's eq table (16) and the dedup against every earlier table of
 * the same size (one pass each, at worst). */
static void lut_verify_cost(const zki_dag *d, uint32_t j, uint32_t B, uint64_t *ops, uint64_t *bytes)
{
    uint64_t n = d->nodes[j].n_aux, same = 0;
    for (uint32_t k = 0; k < j; k++)
        same += d->nodes[k].kind == ZKI_NODE_LUT && d->nodes[k].n_aux == n;
    *bytes += 32 * n;
    *ops += 8 * n + same * n;
}

#ifndef ZKI_VERIFIER_ONLY
/* Whether padded position i (of [B][2^log_len]) is a real element. */
static int is_real(const zki_tlayout *l, uint64_t i)
{
    uint64_t f = i & (((uint64_t)1 << l->log_len) - 1);
    if (!l->map)
        return f < l->n;
    size_t lw = zki_log2_ceil(l->w), lh = zki_log2_ceil(l->h);
    return (f & (((uint64_t)1 << lw) - 1)) < l->w && ((f >> lw) & (((uint64_t)1 << lh) - 1)) < l->h &&
           (f >> (lw + lh)) < l->c;
}

static zki_status lut_witness(zki_walk *w, uint32_t j)
{
    const zki_dag_node *L = &w->d->nodes[j];
    uint32_t t = L->in[0], b = lut_bits(w->d, j);
    zki_tlayout l;
    zki_dag_layout(w->d, j + 1, &l);
    uint64_t np = (uint64_t)1 << l.log_len, n = (uint64_t)w->B * np;
    if (w->W->ld[t] != np)
        return zki_fail(ZKI_ERR_INPUT, "prove: lut node %u: input of another size", j);
    int64_t *y = malloc(sizeof(int64_t) * n), *ys = malloc(sizeof(int64_t) * n);
    w->W->own[j + 1] = y;
    w->W->aux[j] = ys;
    if (!y || !ys)
        return zki_fail(ZKI_ERR_NOMEM, "prove: lut node %u", j);
    const int64_t *x = w->W->t[t], lo = L->aux[0], t0 = lut_t0(L, b), size = (int64_t)1 << b;
    for (uint64_t i = 0; i < n; i++) {
        int64_t k = x[i] - lo;
        if (k < 0 || k >= size)
            return zki_fail(ZKI_ERR_INPUT, "prove: lut node %u: input %llu = %lld outside its %u-bit table", j,
                            (unsigned long long)i, (long long)x[i], b);
        /* pads read x = 0: y' = T(0) - T0 = 0 and y = 0 */
        ys[i] = L->aux[1 + k] - t0;
        y[i] = is_real(&l, i) ? L->aux[1 + k] : 0;
    }
    w->W->t[j + 1] = y;
    w->W->ld[j + 1] = np;
    return ZKI_OK;
}

static zki_status lut_advice(zki_walk *w, uint32_t j, int32_t *adv)
{
    /* the batch's rows; rows of the padded batch stay 0 */
    const zki_advice_layout *lay = w->lay;
    zki_put_i32(adv + lay->pack.off[lay->seg_of[lay->ids[j][0]]], w->W->aux[j],
                (size_t)w->B << zki_walk_log_len(w->d, j + 1));
    return ZKI_OK;
}

static zki_status lut_prove(zki_walk *w, uint32_t j, zki_node_proof *p)
{
    size_t nv = lut_nvars(w, j), lb = zki_log2_ceil(w->B), ln = nv - lb;
    if (is_output(w->d, j)) {
        /* v from the committed y' (y' + T0 Ind is Y for an honest witness):
         * the claim on y' holds by construction, the verifier's check of v
         * against the public Y (or a private Y's opening) ties the two */
        zki_fe *tab = zki_int_table(w->W->aux[j], w->B, (uint64_t)1 << ln, lb, ln);
        zki_ext *r = zki_walk_points(w, nv);
        zki_status st = !tab || !r ? zki_fail(ZKI_ERR_NOMEM, "prove: lut node %u", j) : zki_node_proof_vals(p, 1);
        if (!st) {
            const zki_dag_node *L = &w->d->nodes[j];
            zki_ts_challenge_ext_vec(w->ts, "lut.point", r, nv);
            zki_ext v = zki_ext_add(zki_mle_eval_base(tab, nv, r),
                                    zki_ext_scale(real_mle(w->d, j, w->B, r),
                                                  zki_fe_from_i64(lut_t0(L, lut_bits(w->d, j)))));
            p->val[0] = zki_output_send(w->lay, w->ts, "lut.output", v);
            st = output_claim(w, j, r, nv, zki_pv_pub(v));
        }
        free(tab);
        return st;
    }
    zki_fe *tab = zki_int_table(w->W->t[j + 1], w->B, (uint64_t)1 << ln, lb, ln);
    const zki_claim *c;
    zki_status st = zki_walk_reduce_prove(w, j, w->lay->ids[j][1], tab, nv, p, &c);
    return st ? st : shifted_claim(w, j, c->point, zki_claim_pv(c));
}
#define LUT_PROVER lut_witness, lut_advice, lut_prove
#else
#define LUT_PROVER NULL, NULL, NULL
#endif

const zki_gadget zki_gadget_lut = {"lut", lut_key_check, lut_layout, lut_shape, lut_sites, LUT_PROVER, lut_verify,
                                   lut_verify_cost, NULL};
