/* Greedy generation's argmax check (argmax.h). */
#include "protocol/argmax.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "ops/move.h"
#include "poly/mle.h"

/* The move program token_unview (prover/lower.c) writes: the input
 * [1][V][T][1] reshaped to [1, V, T], transposed (0, 2, 1), reshaped to
 * the output's dims (order kept); its input laid out as the map c = V,
 * h = T, w = 1. Checked word by word: nothing else qualifies. */
static int head_transpose(const zki_dag *d, int64_t T, int64_t V)
{
    uint32_t L = d->n_nodes;
    const zki_dag_node *m = &d->nodes[L - 1];
    /* after the pad word: the input's rank and dims, two steps, the last
     * reshape's opcode (its rank and dims follow) */
    const int64_t head[] = {4, 1, V, T, 1, ZKI_MOVE_RESHAPE, 3, 1, V, T, ZKI_MOVE_TRANSPOSE, 0, 2, 1,
                            ZKI_MOVE_RESHAPE};
    size_t k = 1 + sizeof(head) / sizeof(head[0]); /* the last reshape's rank */
    zki_tlayout li;
    if (m->kind != ZKI_NODE_MOVE || m->n_aux < ZKI_MOVE_AUX_HDR + k + 2 || !zki_dag_in_layout(d, L - 1, 0, &li) ||
        !li.map || li.c != (uint64_t)V || li.h != (uint64_t)T || li.w != 1 || zki_walk_bits(d, m->in[0]) > 16)
        return 0;
    const int64_t *p = m->aux + ZKI_MOVE_AUX_HDR;
    size_t n = m->n_aux - ZKI_MOVE_AUX_HDR;
    if (memcmp(p + 1, head, sizeof(head)) != 0)
        return 0;
    int64_t r = p[k++], prod = 1;
    if (r < 1 || r > ZKI_MOVE_MAX_RANK || n != k + (size_t)r)
        return 0;
    for (int64_t a = 0; a < r; a++)
        prod *= p[k + (size_t)a];
    return prod == T * V;
}

int zki_argmax_test_rows = 0;

void zki_argmax_view(const zki_dag *d, int gen, zki_dag *dv)
{
    uint32_t T = 0, V = 0;
    *dv = *d;
    if (!gen)
        return;
    dv->out_hidden = 1;
    dv->gen_skip = !zki_argmax_test_rows && zki_argmax_model_check(d, &T, &V) == ZKI_OK && head_transpose(d, T, V);
}

uint32_t zki_argmax_tensor(const zki_dag *d) { return d->gen_skip ? d->nodes[d->n_nodes - 1].in[0] : d->n_nodes; }

zki_status zki_argmax_model_check(const zki_dag *d, uint32_t *T, uint32_t *V)
{
    uint32_t L = d->n_nodes, c, h, w;
    /* the ranks first: a key may hold rank 0 (one element) */
    if (d->in_rank < 1 || d->in_rank > 2 || (d->in_rank == 2 && d->in_dims[0] != 1) || d->in_bits <= 16)
        return zki_fail(ZKI_ERR_UNSUPPORTED, "generation needs a model of token ids [1, T] (int64) in; this one "
                        "takes a %u-dimensional %u-bit input", d->in_rank, d->in_bits);
    int64_t t = d->in_dims[d->in_rank - 1];
    if (d->out_rank < 2 || d->out_rank > 3 || (d->out_rank == 3 && d->out_dims[0] != 1) ||
        d->out_dims[d->out_rank - 2] != t)
        return zki_fail(ZKI_ERR_UNSUPPORTED, "generation needs logits [1, T, V] out, one row per input token");
    int64_t v = d->out_dims[d->out_rank - 1];
    /* the last node's own bits bound |Y| (a raw accumulator moved last
     * would have up to 32): the margins' sign argument needs 16 */
    if (d->out_bits > 16 || d->nodes[L - 1].out_bits > 16)
        return zki_fail(ZKI_ERR_UNSUPPORTED, "generation needs logits of at most 16 bits (this output has %u)",
                        d->nodes[L - 1].out_bits);
    if (zki_dag_out_map(&d->nodes[L - 1], &c, &h, &w))
        return zki_fail(ZKI_ERR_UNSUPPORTED, "generation needs the logits in a dense layout; this model's last "
                        "node writes a feature map");
    *T = (uint32_t)t;
    *V = (uint32_t)v;
    return ZKI_OK;
}

zki_status zki_argmax_span_check(const zki_dag *d, uint32_t P, uint32_t N, uint32_t *T, uint32_t *V)
{
    zki_status st = zki_argmax_model_check(d, T, V);
    if (st)
        return st;
    if (P < 1 || N < 1 || (uint64_t)P + N > *T)
        return zki_fail(ZKI_ERR_INPUT, "generation: a prompt of %u tokens and %u new ones do not fit the model's "
                        "%u positions (need a prompt of at least 1 and prompt + new <= %u)", P, N, *T, *T);
    return ZKI_OK;
}

/* Where logit (t, j) sits in the tensor the argmax reads: the output's
 * row t V + j, or the head's map j 2^lt + t (gen_skip). */
typedef struct {
    uint32_t V;
    int tr;
    size_t lt, n; /* n: the tensor's variables */
} logits_at;

static logits_at logits_of(const zki_dag *d, uint32_t T, uint32_t V)
{
    logits_at a = {V, (int)d->gen_skip, zki_log2_ceil(T), zki_walk_log_len(d, zki_argmax_tensor(d))};
    return a;
}

static inline uint64_t at(const logits_at *a, uint64_t t, uint64_t j)
{
    return a->tr ? (j << a->lt) + t : t * a->V + j;
}

/* sum_{lo <= j < hi} eq(r, at(t, j)) eq(rho, at(t, j)) (rho NULL: eq(r) alone) */
static zki_ext row_sum(const logits_at *a, const zki_ext *r, const zki_ext *rho, uint64_t t, uint64_t lo,
                       uint64_t hi)
{
    if (!a->tr)
        return zki_eq_interval_sum(r, rho, a->n, at(a, t, lo), at(a, t, hi));
    /* eq(r, j 2^lt + t) = eq(r_lo, t) eq(r_hi, j) */
    zki_ext e = zki_eq_at(r, a->lt, t);
    if (rho)
        e = zki_ext_mul(e, zki_eq_at(rho, a->lt, t));
    return zki_ext_mul(e, zki_eq_interval_sum(r + a->lt, rho ? rho + a->lt : NULL, a->n - a->lt, lo, hi));
}

/* sum over the checked rows of sum_{j < s_t} eq(r, at(t, j)): the [j < s]
 * terms, moved to the claimed sum's side */
static zki_ext below_sum(const logits_at *a, const zki_ext *r, const int64_t *x, uint32_t P, uint32_t N)
{
    zki_ext s = zki_ext_zero();
    for (uint64_t t = P - 1; t < (uint64_t)P + N - 1; t++)
        s = zki_ext_add(s, row_sum(a, r, NULL, t, 0, (uint64_t)x[t + 1]));
    return s;
}

/* G_r~(rho) (argmax.h) */
static zki_ext g_at(const logits_at *a, const zki_ext *r, const zki_ext *rho, const int64_t *x, uint32_t P,
                    uint32_t N)
{
    zki_ext s = zki_ext_zero();
    for (uint64_t t = P - 1; t < (uint64_t)P + N - 1; t++) {
        zki_ext e = row_sum(a, r, NULL, t, 0, a->V);
        s = zki_ext_add(s, zki_ext_mul(e, zki_eq_at(rho, a->n, at(a, t, (uint64_t)x[t + 1]))));
        if (a->tr)
            s = zki_ext_sub(s, row_sum(a, r, rho, t, 0, a->V));
    }
    if (a->tr)
        return s;
    return zki_ext_sub(s, zki_eq_interval_sum(r, rho, a->n, at(a, P - 1, 0), at(a, P + N - 1, 0)));
}

/* The ids the statement checks: in [0, V) (the GATHER nodes check the rest) */
static zki_status ids_check(const int64_t *x, uint32_t V, uint32_t P, uint32_t N)
{
    for (uint64_t t = P; t < (uint64_t)P + N; t++)
        if (x[t] < 0 || x[t] >= V)
            return zki_fail(ZKI_ERR_INPUT, "generation: token id %lld at position %llu is outside the %u logits",
                            (long long)x[t], (unsigned long long)t, V);
    return ZKI_OK;
}

/* The claim D~(r) = d_r on the committed margins. */
/* The margins' claim D~(r) to the opening: the prover's value (sent;
 * *sent, what the proof keeps) or the verifier's private value. */
static zki_status d_claim(zki_walk *w, const zki_ext *r, zki_pv d_r)
{
    return zki_seg_claims_add_pv(w->ca, w->lay->seg_of[w->lay->gen_d], r, d_r);
}

zki_status zki_argmax_verify(zki_walk *w, uint32_t P, uint32_t N, const zki_sc_proof *sc, zki_ext d_r, zki_ext y_rho)
{
    uint32_t T = 0, V = 0;
    zki_status st = zki_argmax_span_check(w->d, P, N, &T, &V);
    if (st || (st = ids_check(w->x, V, P, N)))
        return zki_fail_ctx(ZKI_ERR_VERIFY, "verify");
    if (w->B != 1 || !w->x || w->lay->gen_d == ZKI_NONE)
        return zki_fail(ZKI_ERR_VERIFY, "verify: a generation proof is for one public sequence");
    logits_at la = logits_of(w->d, T, V);
    size_t n = la.n;
    zki_ext *r = zki_walk_points(w, n), *rho = zki_walk_points(w, n);
    if (!r || !rho)
        return zki_fail(ZKI_ERR_NOMEM, "verify: points");
    zki_ts_challenge_ext_vec(w->ts, "argmax.r", r, n);
    zki_zk *z = w->ts->zk;
    zki_pv d = zki_zk_recv(w->ts, "argmax.d", d_r), fin;
    if ((st = d_claim(w, r, d)))
        return st;
    zki_pv claimed = zki_pv_add(z, d, zki_pv_pub(below_sum(&la, r, w->x, P, N)));
    if (zki_sumcheck_verify_pv(n, 2, claimed, sc, w->ts, rho, &fin))
        return zki_fail_ctx(ZKI_ERR_VERIFY, "verify: argmax sum-check");
    zki_pv y = zki_zk_recv(w->ts, "argmax.y", y_rho);
    if (zki_pv_assert_eq(z, fin, zki_pv_scale(z, y, g_at(&la, r, rho, w->x, P, N)), "argmax: the last value"))
        return zki_fail(ZKI_ERR_VERIFY, "verify: argmax: the sum-check's last value is not the logits' value "
                        "times the selection's");
    return zki_walk_claim_pv(w, zki_argmax_tensor(w->d), rho, y);
}

#ifndef ZKI_VERIFIER_ONLY
zki_status zki_argmax_margins(const zki_dag *d, const int64_t *Y, const int64_t *x, uint32_t P, uint32_t N, int any,
                              int64_t **D)
{
    uint32_t T = 0, V = 0;
    zki_status st = zki_argmax_span_check(d, P, N, &T, &V);
    if (st || (st = ids_check(x, V, P, N)))
        return st;
    logits_at la = logits_of(d, T, V);
    int64_t *m = calloc((size_t)1 << la.n, sizeof(int64_t));
    if (!m)
        return zki_fail(ZKI_ERR_NOMEM, "generation: margins");
    for (uint64_t t = P - 1; t < (uint64_t)P + N - 1; t++) {
        int64_t s = x[t + 1], ys = Y[at(&la, t, (uint64_t)s)];
        for (int64_t j = 0; j < V; j++) {
            int64_t yj = Y[at(&la, t, (uint64_t)j)], v = ys - yj - (j < s);
            if (!any && (v < 0 || v >= 65536)) {
                free(m);
                return zki_fail(ZKI_ERR_INPUT, "generation: token %lld at position %llu is not the first largest "
                                "logit of the position before it (logit %lld at index %lld against %lld)",
                                (long long)s, (unsigned long long)t + 1, (long long)ys, (long long)j,
                                (long long)yj);
            }
            m[at(&la, t, (uint64_t)j)] = any == 2 && v < 0 ? 0 : v;
        }
    }
    *D = m;
    return ZKI_OK;
}

zki_status zki_argmax_prove(zki_walk *w, const int64_t *Y, const int64_t *D, uint32_t P, uint32_t N,
                            zki_sc_proof *sc, zki_ext *d_r, zki_ext *y_rho)
{
    uint32_t T = 0, V = 0;
    zki_status st = zki_argmax_model_check(w->d, &T, &V);
    if (st)
        return st;
    logits_at la = logits_of(w->d, T, V);
    size_t n = la.n, len = (size_t)1 << n;
    zki_ext *r = zki_walk_points(w, n), *rho = zki_walk_points(w, n);
    zki_ext *eq = malloc(sizeof(zki_ext) * len), *G = calloc(len, sizeof(zki_ext));
    zki_fe *Yt = malloc(sizeof(zki_fe) * len);
    if (!r || !rho || !eq || !G || !Yt) {
        st = zki_fail(ZKI_ERR_NOMEM, "prove: argmax tables of 2^%zu entries", n);
        goto out;
    }
    zki_ts_challenge_ext_vec(w->ts, "argmax.r", r, n);
    zki_eq_table(eq, r, n);
    zki_ext acc = zki_ext_zero();
    for (size_t i = 0; i < len; i++) {
        Yt[i] = zki_fe_from_i64(Y[i]);
        if (D[i])
            acc = zki_ext_add(acc, zki_ext_scale(eq[i], zki_fe_from_i64(D[i])));
    }
    *d_r = zki_zk_send(w->ts, "argmax.d", acc);
    if ((st = d_claim(w, r, zki_pv_pub(acc))))
        goto out;
    for (uint64_t t = P - 1; t < (uint64_t)P + N - 1; t++) {
        zki_ext e = zki_ext_zero();
        for (uint64_t j = 0; j < V; j++) {
            uint64_t i = at(&la, t, j);
            e = zki_ext_add(e, eq[i]);
            G[i] = zki_ext_neg(eq[i]);
        }
        uint64_t is = at(&la, t, (uint64_t)w->x[t + 1]);
        G[is] = zki_ext_add(G[is], e);
    }
    zki_sc_instance inst = {n, 2, {Yt, NULL}, {NULL, G}, NULL};
    zki_ext ev[2];
    zki_ext claimed = zki_ext_add(acc, below_sum(&la, r, w->x, P, N));
    if ((st = zki_sumcheck_prove(&inst, claimed, w->ts, sc, rho, ev)))
        goto out;
    *y_rho = zki_zk_send(w->ts, "argmax.y", ev[0]);
    st = zki_walk_claim(w, zki_argmax_tensor(w->d), rho, ev[0]);
out:
    free(eq);
    free(G);
    free(Yt);
    return st;
}
#endif
