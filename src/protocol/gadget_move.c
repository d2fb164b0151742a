/* MOVE node: data movement as a public index map (ops/move.h). Its output
 * is not committed (but as a private output): the claims its readers make
 * on it are merged into one and turned into one claim on its input by one
 * sum-check whose weights the verifier builds from the key's step program.
 * A MOVE that computes the model's output has no readers: a point drawn
 * from the transcript and the prover's value of the output there start it
 * (the value is checked against the public output with the other public
 * claims; a private output is committed advice, walk.c, and the claim goes
 * to its opening: the sum-check pins the committed output to the move of
 * the input, so it needs no range check of its own).
 * Proof: the claim reduction, one sum-check, values (the input's value,
 * padded in a zero-knowledge proof, then for the output node the
 * output's, public, or padded when the output is private). */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "ops/move.h"
#include "poly/mle.h"
#include "protocol/gadget.h"

static void to_move_layout(const zki_tlayout *t, zki_move_layout *m)
{
    m->map = (int)t->map, m->c = t->c, m->h = t->h, m->w = t->w, m->n = t->n, m->log_len = t->log_len;
}

static int is_out(const zki_dag *d, uint32_t j) { return zki_dag_public_output(d, j); }

/* A generation view's last move, which the argmax reads around
 * (argmax.h): no proof, no claims. */
static int skipped(const zki_dag *d, uint32_t j) { return d->gen_skip && j + 1 == d->n_nodes; }

static zki_status move_key_check(const zki_dag *d, uint32_t j)
{
    const zki_dag_node *L = &d->nodes[j];
    zki_tlayout li, lt, lo;
    zki_move_info info;
    int ok = L->n_in == 1 && L->has_bias == 0 && L->w_bits == 0 && L->s == 0 && L->M == 0 && L->lo == 0 &&
             L->hi == 0 && L->q_log == 0 && !L->OC && !L->KH && !L->KW && !L->sh && !L->sw && !L->dh && !L->dw &&
             !L->pt && !L->pl && !L->pb && !L->pr && !L->G && L->aux && L->n_aux > ZKI_MOVE_AUX_HDR &&
             zki_dag_in_layout(d, j, 0, &li) && zki_dag_layout(d, L->in[0], &lt) && zki_tlayout_eq(&li, &lt) &&
             zki_dag_layout(d, j + 1, &lo) && L->K == 1u << li.log_len &&
             L->out_bits == zki_walk_bits(d, L->in[0]);
    if (!ok)
        return zki_fail(ZKI_ERR_INPUT, "vk: node %u (move): fields, layouts or bits", j);
    zki_status st = zki_move_check(L->aux + ZKI_MOVE_AUX_HDR, L->n_aux - ZKI_MOVE_AUX_HDR, &info);
    if (st)
        return zki_fail_ctx(st, "vk: node %u (move)", j);
    int64_t lim = (int64_t)1 << (L->out_bits - 1);
    if (info.in_n != li.n || info.out_n != lo.n)
        return zki_fail(ZKI_ERR_INPUT, "vk: node %u (move): the program moves %llu to %llu elements, the layouts "
                        "hold %llu and %llu", j, (unsigned long long)info.in_n, (unsigned long long)info.out_n,
                        (unsigned long long)li.n, (unsigned long long)lo.n);
    if (info.has_pad ? (info.pad < -lim || info.pad >= lim) : info.pad != 0)
        return zki_fail(ZKI_ERR_INPUT, "vk: node %u (move): pad constant %lld", j, (long long)info.pad);
    return ZKI_OK;
}

/* The node's geometry for a batch of B and its index map (*src, malloc'ed). */
static zki_status move_dims(const zki_dag *d, uint32_t j, uint32_t B, zki_move_dims *md, int64_t **src)
{
    const zki_dag_node *L = &d->nodes[j];
    zki_tlayout li, lo;
    memset(md, 0, sizeof(*md));
    *src = NULL;
    if (!zki_dag_in_layout(d, j, 0, &li) || !zki_dag_layout(d, j + 1, &lo) || L->n_aux <= ZKI_MOVE_AUX_HDR)
        return zki_fail(ZKI_ERR_INPUT, "move node %u: layouts", j);
    to_move_layout(&li, &md->in);
    to_move_layout(&lo, &md->out);
    md->B = B;
    md->lb = zki_log2_ceil(B);
    md->pad = L->aux[ZKI_MOVE_AUX_HDR];
    zki_move_info info;
    zki_status st = zki_move_check(L->aux + ZKI_MOVE_AUX_HDR, L->n_aux - ZKI_MOVE_AUX_HDR, &info);
    md->no_pad = !st && !info.has_pad;
    if (!st)
        st = zki_move_expand(L->aux + ZKI_MOVE_AUX_HDR, L->n_aux - ZKI_MOVE_AUX_HDR, src);
    md->src = *src;
    return st;
}

static zki_status move_layout(zki_advice_layout *lay, const zki_dag *d, uint32_t j, uint32_t B)
{
    lay->ids[j][0] = lay->out_id[j] = zki_layout_id(lay, is_out(d, j) ? ZKI_ID_OUTPUT : ZKI_ID_INTERNAL);
    return lay->out_id[j] == ZKI_NONE ? zki_fail(ZKI_ERR_NOMEM, "advice layout") : ZKI_OK;
}

static zki_status move_shape(const zki_dag *d, uint32_t j, uint32_t B, zki_node_shape *s)
{
    zki_tlayout li, lo;
    memset(s, 0, sizeof(*s));
    if (skipped(d, j))
        return ZKI_OK;
    if (!zki_dag_in_layout(d, j, 0, &li) || !zki_dag_layout(d, j + 1, &lo))
        return zki_fail(ZKI_ERR_INPUT, "move node %u: layouts", j);
    size_t lb = zki_log2_ceil(B);
    s->has_red = 1;
    s->red_nvars = lb + lo.log_len;
    s->n_sc = 1;
    s->sc_nvars[0] = lb + li.log_len;
    s->sc_degree[0] = 2;
    s->n_val = 1 + (uint32_t)is_out(d, j);
    return ZKI_OK;
}

/* The index maps (the expansion's two buffers), the eq tables of the
 * output point, the batch and the input point, the weights m; one pass
 * over every step's result, the output and the input. */
static void move_verify_cost(const zki_dag *d, uint32_t j, uint32_t B, uint64_t *ops, uint64_t *bytes)
{
    const zki_dag_node *L = &d->nodes[j];
    zki_tlayout li, lo;
    zki_move_info info;
    if (!zki_dag_in_layout(d, j, 0, &li) || !zki_dag_layout(d, j + 1, &lo) || L->n_aux <= ZKI_MOVE_AUX_HDR ||
        zki_move_check(L->aux + ZKI_MOVE_AUX_HDR, L->n_aux - ZKI_MOVE_AUX_HDR, &info))
        return; /* not a key that parses */
    uint64_t ni = (uint64_t)1 << li.log_len, no = (uint64_t)1 << lo.log_len;
    *bytes += 16 * info.max_n + 16 * (no + 2 * ni);
    *ops += info.work + info.in_n + 2 * info.out_n + 2 * ni + no;
}

static zki_status no_sites(zki_walk *w, uint32_t j) { return ZKI_OK; }

/* The output node's starting claim: a point from the transcript and the
 * prover's value there (s, as the proof holds it), on the ledger under the
 * output's id. The output is the statement's here (zki_dag_public_output:
 * a hidden output has no such node). A public output's value is public
 * too: absorbed in the clear in a zero-knowledge proof as well, and
 * checked against the output with the other public claims. A private
 * output's is received padded, and its claim goes to the opening. */
static zki_status output_claim(zki_walk *w, uint32_t j, size_t ny, zki_ext **r, zki_ext s)
{
    *r = zki_walk_points(w, ny);
    if (!*r)
        return zki_fail(ZKI_ERR_NOMEM, "move: points");
    zki_ts_challenge_ext_vec(w->ts, "move.out", *r, ny);
    zki_pv v = zki_output_recv(w->lay, w->ts, "move.out.value", s);
    return zki_ledger_add_pv(w->led, w->lay->ids[j][0], *r, ny, v);
}

static zki_status move_verify(zki_walk *w, uint32_t j, const zki_node_proof *p)
{
    zki_move_dims md;
    int64_t *src;
    if (skipped(w->d, j))
        return ZKI_OK;
    const zki_claim *c;
    zki_ext *r, *rho;
    zki_status st = move_dims(w->d, j, w->B, &md, &src);
    size_t ny = md.lb + md.out.log_len;
    if (!st && is_out(w->d, j))
        st = output_claim(w, j, ny, &r, p->val[1]);
    if (!st)
        st = zki_walk_reduce_verify(w, j, w->lay->ids[j][0], ny, p, &c);
    if (!st && !(rho = zki_walk_points(w, md.lb + md.in.log_len)))
        st = zki_fail(ZKI_ERR_NOMEM, "verify: points");
    zki_pv a = zki_pv_pub(zki_ext_zero());
    if (!st && zki_move_verify(&md, c->point, zki_claim_pv(c), &p->sc[0], p->val[0], w->ts, rho, &a))
        st = zki_fail_ctx(ZKI_ERR_VERIFY, "verify: node %u (move)", j);
    if (!st)
        st = zki_walk_claim_pv(w, w->d->nodes[j].in[0], rho, a);
    free(src);
    return st;
}

#ifndef ZKI_VERIFIER_ONLY
static zki_status move_witness(zki_walk *w, uint32_t j)
{
    zki_move_dims md;
    int64_t *src;
    uint32_t in = w->d->nodes[j].in[0];
    zki_status st = move_dims(w->d, j, w->B, &md, &src);
    int64_t *y = st ? NULL : zki_move_forward(&md, w->W->t[in], w->W->ld[in]);
    free(src);
    if (st)
        return st;
    if (!y)
        return zki_fail(ZKI_ERR_NOMEM, "prove: move node %u", j);
    w->W->own[j + 1] = y;
    w->W->t[j + 1] = y;
    w->W->ld[j + 1] = (uint64_t)1 << md.out.log_len;
    return ZKI_OK;
}

static zki_status no_advice(zki_walk *w, uint32_t j, int32_t *adv) { return ZKI_OK; }

static zki_status move_prove(zki_walk *w, uint32_t j, zki_node_proof *p)
{
    zki_move_dims md;
    int64_t *src;
    if (skipped(w->d, j))
        return ZKI_OK;
    const zki_claim *c;
    zki_ext *r, *rho;
    uint32_t in = w->d->nodes[j].in[0];
    int out = is_out(w->d, j);
    zki_status st = move_dims(w->d, j, w->B, &md, &src);
    size_t ny = md.lb + md.out.log_len;
    zki_fe *tab = st ? NULL : zki_int_table(w->W->t[j + 1], w->B, (uint64_t)1 << md.out.log_len, md.lb,
                                            md.out.log_len);
    if (!st)
        st = zki_node_proof_vals(p, 1 + (uint32_t)out);
    if (!st && !tab)
        st = zki_fail(ZKI_ERR_NOMEM, "prove: move node %u", j);
    if (!st && out && !(r = zki_walk_points(w, ny)))
        st = zki_fail(ZKI_ERR_NOMEM, "prove: points");
    if (!st && out) {
        /* output_claim's steps, the value known only after the draw */
        zki_ts_challenge_ext_vec(w->ts, "move.out", r, ny);
        zki_ext v = zki_mle_eval_base(tab, ny, r);
        p->val[1] = zki_output_send(w->lay, w->ts, "move.out.value", v);
        st = zki_ledger_add(w->led, w->lay->ids[j][0], r, ny, v);
    }
    if (!st) {
        st = zki_walk_reduce_prove(w, j, w->lay->ids[j][0], tab, ny, p, &c);
        tab = NULL;
    }
    if (!st && !(rho = zki_walk_points(w, md.lb + md.in.log_len)))
        st = zki_fail(ZKI_ERR_NOMEM, "prove: points");
    zki_ext a = zki_ext_zero();
    if (!st)
        st = zki_move_prove(&md, w->W->t[in], w->W->ld[in], c->point, c->value, w->ts, &p->sc[0], &p->val[0], rho,
                            &a);
    if (!st)
        st = zki_walk_claim(w, in, rho, a);
    free(tab);
    free(src);
    return st;
}
#define MOVE_PROVER move_witness, no_advice, move_prove
#else
#define MOVE_PROVER NULL, NULL, NULL
#endif

const zki_gadget zki_gadget_move = {"move", move_key_check, move_layout, move_shape,
                                    no_sites, MOVE_PROVER, move_verify, move_verify_cost, NULL};
