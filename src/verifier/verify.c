/* The verifier (verifier/verifier.h): the statement's cheap checks, then
 * the walk (protocol/verify_walk.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "protocol/argmax.h"
#include "protocol/gadget.h"
#include "poly/mle.h"
#include "protocol/verify_walk.h"
#include "protocol/zk_session.h"
#include "verifier/verifier.h"

/* The statement's cheap checks, before any cryptography, with messages
 * that name the mismatch. */
static zki_status check_statement(const zki_vk *vk, const int64_t *X, uint32_t B, const zki_proof *pf)
{
    const zki_dag *a = &vk->dag;
    zki_status st;
    if ((st = zki_proof_check_key(pf, vk)))
        return zki_fail_ctx(st, "verify");
    if (pf->n_nodes != a->n_nodes || pf->out_n != (pf->gen_n || pf->private_output ? 0 : zki_dag_out_len(a)) ||
        !pf->node || (!pf->gen_n && !pf->private_output && !pf->output) || !pf->lk)
        return zki_fail(ZKI_ERR_VERIFY, "verify: the proof's shape does not match the key");
    if (pf->gen_n) { /* X is the prompt, the generated ids, then zeros */
        uint32_t T, V;
        if ((st = zki_argmax_span_check(a, pf->gen_p, pf->gen_n, &T, &V)))
            return zki_fail_ctx(ZKI_ERR_VERIFY, "verify");
        if (!pf->gen_ids || B != 1 || !X || pf->private_input)
            return zki_fail(ZKI_ERR_VERIFY, "verify: a generation proof is for one public sequence");
        for (uint64_t i = pf->gen_p; i < zki_dag_in_len(a); i++)
            if (X[i] != (i < (uint64_t)pf->gen_p + pf->gen_n ? pf->gen_ids[i - pf->gen_p] : 0))
                return zki_fail(ZKI_ERR_VERIFY, "verify: the sequence is not the prompt followed by the proof's "
                                "generated ids");
    }
    if (pf->B != B || B < 1 || B > ZKI_MAX_BATCH)
        return zki_fail(ZKI_ERR_VERIFY, "verify: the proof is for a batch of %u, the input has %u", pf->B, B);
    if (!X && !pf->private_input)
        return zki_fail(ZKI_ERR_VERIFY, "verify: the proof has a public input and none was given");
    if (X && pf->private_input)
        return zki_fail(ZKI_ERR_VERIFY, "verify: the proof commits its input; verify without --input");
    if ((st = zki_proof_check_input(pf, vk, X, B)))
        return zki_fail_ctx(st, "verify");
    /* a public input outside the input's bit range would leave the bounds
     * the requant relations rely on (acc could wrap mod p): reject it, as
     * the prover does and as the private input's range lookups do */
    int64_t ilim = (int64_t)1 << (a->in_bits - 1);
    for (uint64_t i = 0; X && i < (uint64_t)B * zki_dag_in_len(a); i++)
        if (X[i] < -ilim || X[i] >= ilim)
            return zki_fail(ZKI_ERR_VERIFY, "verify: input %llu outside the %u-bit range", (unsigned long long)i,
                            a->in_bits);
    if (zki_walk_input_check(a, X, B))
        return zki_fail_ctx(ZKI_ERR_VERIFY, "verify");
    int64_t olim = (int64_t)1 << (a->out_bits - 1);
    for (uint64_t i = 0; i < (uint64_t)B * pf->out_n; i++)
        if (pf->output[i] < -olim || pf->output[i] >= olim)
            return zki_fail(ZKI_ERR_VERIFY, "verify: output %llu outside the %u-bit range", (unsigned long long)i,
                            a->out_bits);
    return ZKI_OK;
}

zki_status zki_verify(const zki_vk *vk, const int64_t *X, uint32_t B, const zki_proof *pf)
{
    zki_status st = check_statement(vk, X, B, pf);
    if (st)
        return st;
    if (pf->zk)
        return zki_zk_verify(vk, X, B, pf);
    zki_transcript ts;
    st = zki_verify_walk(vk, X, B, pf, NULL, &ts);
    if (ts.h)
        zki_ts_free(&ts);
    return st;
}
