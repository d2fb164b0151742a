/* MUL node: acc = x_0 * x_1 elementwise, then the requantisation (M, s,
 * lo, hi). x_0 has the node's own layout (a padded map [C][H][W] or a row
 * of N); x_1 has it too, or is a map whose axes are each the output's or 1,
 * broadcast (a squeeze-excitation gate [C][1][1]). The merged claim
 * acc~(r) = v is one degree-3 sum-check over the output's padded index,
 *     v = sum_i eq(r, i) x_0(i) x_1e(i),
 * x_1e the expansion of x_1 to the output's padded layout (x_1's value at
 * every index on the broadcast axes, pads included): its extension does
 * not depend on the broadcast axes' coordinates, so at the sum-check's
 * last point rho the prover sends e_0 = x_0~(rho) and e_1 = x_1~(rho'),
 * rho' rho's coordinates on x_1's own axes and the batch (gadget.h,
 * zki_bcast_point), and the verifier checks the last round's value against
 * eq(r, rho) e_0 e_1. x_0 is zero at the output's pads (its producer pins
 * them), so acc is too. Proof: the claim reduction, one sum-check, values
 * (e_0, e_1). In a zero-knowledge proof e_0, e_1 are sent padded (the
 * sum-check pads its own messages) and the last check is a constraint on
 * private values (src/zk/zk.h). */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "protocol/gadget.h"
#include "poly/mle.h"
#include "sumcheck/sumcheck.h"

/* The output's layout and x_1's broadcast axes (0: the key's fields do not
 * describe a MUL this gadget proves). */
static int mul_operands(const zki_dag *d, uint32_t j, zki_tlayout *o, unsigned *axes)
{
    const zki_dag_node *L = &d->nodes[j];
    unsigned a0;
    return L->n_in == 2 && L->in[0] > 0 && L->in[1] > 0 && L->in[0] <= j && L->in[1] <= j &&
           zki_dag_layout(d, j + 1, o) && zki_bcast_axes(d, L->in[0], o, &a0) && a0 == 0 &&
           zki_bcast_axes(d, L->in[1], o, axes);
}

static zki_status mul_key_check(const zki_dag *d, uint32_t j)
{
    const zki_dag_node *L = &d->nodes[j];
    zki_tlayout o;
    unsigned axes;
    zki_status st = zki_requant_key_check(L, j);
    if (st)
        return st;
    int ok = zki_no_conv_geometry(L) && L->K == L->N && mul_operands(d, j, &o, &axes);
    if (!ok)
        return zki_fail(ZKI_ERR_INPUT, "vk: node %u (mul): inputs, layout or geometry", j);
    /* the quotient bound is public here, as on an ADD (its key check) */
    uint32_t ql = zki_mul_q_log(d, j);
    if (!ql || L->q_log != ql)
        return zki_fail(ZKI_ERR_INPUT, "vk: node %u (mul): quotient bits %u, its multiplier and inputs give %u", j,
                        L->q_log, ql);
    return ZKI_OK;
}

static zki_status mul_shape(const zki_dag *d, uint32_t j, uint32_t B, zki_node_shape *s)
{
    memset(s, 0, sizeof(*s));
    size_t nv = zki_log2_ceil(B) + zki_log2_ceil(d->nodes[j].N);
    s->has_red = 1;
    s->red_nvars = nv;
    s->n_sc = 1;
    s->sc_nvars[0] = nv;
    s->sc_degree[0] = 3;
    s->n_val = 2;
    return ZKI_OK;
}

/* Two points of the sum-check's size and the eq at them. */
static void mul_verify_cost(const zki_dag *d, uint32_t j, uint32_t B, uint64_t *ops, uint64_t *bytes)
{
    uint64_t nv = 21 + zki_log2_ceil(d->nodes[j].N); /* a batch of up to 2^20 */
    *bytes += 2 * 16 * (nv + 1);
    *ops += 8 * nv;
}

/* The inputs' claims e (the prover's values, or the verifier's private
 * ones). */
static zki_status mul_claims(zki_walk *w, uint32_t j, const zki_ext *rho, const zki_ext *pt1, const zki_pv *e)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_status st = zki_walk_claim_pv(w, L->in[0], rho, e[0]);
    return st ? st : zki_walk_claim_pv(w, L->in[1], pt1, e[1]);
}

static zki_status mul_verify(zki_walk *w, uint32_t j, const zki_node_proof *p)
{
    zki_tlayout o;
    unsigned axes;
    const zki_claim *c;
    if (!mul_operands(w->d, j, &o, &axes))
        return zki_fail(ZKI_ERR_VERIFY, "verify: node %u (mul): not a key's node", j);
    size_t lb = zki_log2_ceil(w->B), nv = lb + o.log_len;
    zki_status st = zki_walk_reduce_verify(w, j, w->lay->ids[j][0], nv, p, &c);
    if (st)
        return st;
    zki_ext *rho = zki_walk_points(w, nv), *pt1 = zki_walk_points(w, nv);
    zki_pv fin, e[2];
    zki_zk *z = w->ts->zk;
    if (!rho || !pt1)
        return zki_fail(ZKI_ERR_NOMEM, "verify: points");
    if (zki_sumcheck_verify_pv(nv, 3, zki_claim_pv(c), &p->sc[0], w->ts, rho, &fin))
        return zki_fail_ctx(ZKI_ERR_VERIFY, "verify: node %u (mul)", j);
    zki_bcast_point(&o, axes, lb, rho, pt1);
    e[0] = zki_zk_recv(w->ts, "mul.x0", p->val[0]);
    e[1] = zki_zk_recv(w->ts, "mul.x1", p->val[1]);
    zki_pv want = zki_pv_scale(z, zki_pv_mul(z, e[0], e[1]), zki_eq_eval(c->point, rho, nv));
    if (zki_pv_assert_eq(z, fin, want, "mul: the product sum-check's last value is eq * x_0 * x_1"))
        return zki_fail(ZKI_ERR_VERIFY, "verify: node %u (mul): the product sum-check's last value is not "
                        "eq * x_0 * x_1", j);
    return mul_claims(w, j, rho, pt1, e);
}

#ifndef ZKI_VERIFIER_ONLY
/* x_0 and x_1 expanded to the output's padded layout ([B][np] each,
 * malloc'ed). */
static zki_status mul_tables(zki_walk *w, uint32_t j, int64_t **x1e)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_tlayout o, l1;
    unsigned axes;
    if (!mul_operands(w->d, j, &o, &axes) || !zki_dag_layout(w->d, L->in[1], &l1) ||
        w->W->ld[L->in[0]] != (uint64_t)1 << o.log_len || w->W->ld[L->in[1]] != (uint64_t)1 << l1.log_len)
        return zki_fail(ZKI_ERR_INPUT, "prove: mul node %u: inputs of another size", j);
    *x1e = zki_bcast_expand(w->W->t[L->in[1]], w->B, &o, axes, 0);
    return *x1e ? ZKI_OK : zki_fail(ZKI_ERR_NOMEM, "prove: mul node %u", j);
}

static zki_status mul_witness(zki_walk *w, uint32_t j)
{
    const zki_dag_node *L = &w->d->nodes[j];
    int64_t *x1e = NULL;
    zki_status st = mul_tables(w, j, &x1e);
    if (st)
        return st;
    uint64_t n = (uint64_t)w->B << zki_log2_ceil(L->N);
    int64_t *acc = malloc(sizeof(int64_t) * (n ? n : 1));
    const int64_t *x0 = w->W->t[L->in[0]];
    for (uint64_t k = 0; acc && k < n; k++)
        acc[k] = x0[k] * x1e[k];
    free(x1e);
    return zki_requant_witness_of(w, j, acc);
}

static zki_status mul_prove(zki_walk *w, uint32_t j, zki_node_proof *p)
{
    const zki_dag_node *L = &w->d->nodes[j];
    zki_tlayout o, l1;
    unsigned axes;
    const zki_claim *c;
    int64_t *x1e = NULL;
    zki_status st = mul_tables(w, j, &x1e);
    if (st)
        return st;
    mul_operands(w->d, j, &o, &axes);
    zki_dag_layout(w->d, L->in[1], &l1);
    size_t lb = zki_log2_ceil(w->B), ln = o.log_len, nv = lb + ln;
    uint64_t np = (uint64_t)1 << ln;
    zki_fe *t0 = NULL, *t1 = NULL, *tx1 = NULL;
    zki_ext *rho = NULL, *pt1 = NULL, ev[2];
    st = zki_walk_reduce_prove(w, j, w->lay->ids[j][0], zki_int_table(w->W->acc[j], w->B, np, lb, ln), nv, p, &c);
    if (!st)
        st = zki_node_proof_vals(p, 2);
    if (!st) {
        t0 = zki_int_table(w->W->t[L->in[0]], w->B, np, lb, ln);
        t1 = zki_int_table(x1e, w->B, np, lb, ln);
        tx1 = zki_int_table(w->W->t[L->in[1]], w->B, (uint64_t)1 << l1.log_len, lb, l1.log_len);
        rho = zki_walk_points(w, nv);
        pt1 = zki_walk_points(w, nv);
        if (!t0 || !t1 || !tx1 || !rho || !pt1)
            st = zki_fail(ZKI_ERR_NOMEM, "prove: mul node %u", j);
    }
    if (!st) {
        zki_sc_instance inst = {nv, 2, {t0, t1}, {NULL, NULL}, c->point};
        st = zki_sumcheck_prove(&inst, c->value, w->ts, &p->sc[0], rho, ev);
    }
    if (!st) {
        zki_bcast_point(&o, axes, lb, rho, pt1);
        zki_pv e[2] = {zki_pv_pub(ev[0]), zki_pv_pub(zki_mle_eval_base(tx1, lb + l1.log_len, pt1))};
        p->val[0] = zki_zk_send(w->ts, "mul.x0", e[0].c);
        p->val[1] = zki_zk_send(w->ts, "mul.x1", e[1].c);
        st = mul_claims(w, j, rho, pt1, e);
    }
    free(x1e);
    free(t0);
    free(t1);
    free(tx1);
    return st;
}
#define MUL_PROVER mul_witness, zki_requant_advice, mul_prove
#else
#define MUL_PROVER NULL, NULL, NULL
#endif

const zki_gadget zki_gadget_mul = {"mul", mul_key_check, zki_requant_layout, mul_shape,
                                   zki_requant_sites, MUL_PROVER, mul_verify, mul_verify_cost, NULL};
