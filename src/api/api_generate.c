/* Greedy generation, proven (zkinfer.h "generation"). */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/argmax.h"
#include "prover/prover.h"
#include "verifier/verifier.h"

/* The index of the first largest of n values. */
static int64_t first_max(const int64_t *y, uint64_t n)
{
    uint64_t best = 0;
    for (uint64_t j = 1; j < n; j++)
        if (y[j] > y[best])
            best = j;
    return (int64_t)best;
}

zki_status zki_generate(zki_pk *pk, const int64_t *prompt, uint32_t n_prompt, uint32_t max_new,
                        zki_progress_fn progress, void *progress_ctx, zki_proof **proof)
{
    ZKI_API_NEED(proof, "zki_generate");
    *proof = NULL;
    ZKI_API_NEED(pk, "zki_generate");
    ZKI_API_NEED(prompt, "zki_generate");
    const zki_dag *d = &pk->vk.dag;
    uint32_t T = 0, V = 0;
    zki_status st = zki_argmax_span_check(d, n_prompt, max_new, &T, &V);
    if (st)
        return zki_fail_ctx(st, "zki_generate");
    int64_t *x = calloc(T, sizeof(int64_t));
    if (!x)
        return zki_fail(ZKI_ERR_NOMEM, "zki_generate: out of memory");
    memcpy(x, prompt, sizeof(int64_t) * n_prompt);
    /* one causal forward pass per new token: the logits of row P + k - 1
     * read only ids 0 .. P + k - 1, so the zeros after them do not matter */
    for (uint32_t k = 0; !st && k < max_new; k++) {
        int64_t *y = NULL;
        if ((st = zki_mlp_forward(pk, x, 1, &y)))
            break;
        x[n_prompt + k] = first_max(y + (uint64_t)(n_prompt + k - 1) * V, V);
        free(y);
        if (progress)
            progress(progress_ctx, "token", k + 1, max_new);
    }
    zki_proof *p = st ? NULL : calloc(1, sizeof *p);
    if (!st && !p)
        st = zki_fail(ZKI_ERR_NOMEM, "zki_generate: out of memory");
    if (!st) {
        zki_prove_opts o = {0, NULL, progress, progress_ctx, n_prompt, max_new};
        zki_proof_stats stats;
        if ((st = zki_prove(pk, x, 1, &o, p, &stats))) {
            zki_proof_destroy(p);
            p = NULL;
        }
    }
    free(x);
    *proof = p;
    return st;
}

zki_status zki_proof_generated(const zki_proof *proof, const int64_t **ids, uint32_t *n, uint32_t *n_prompt)
{
    ZKI_API_NEED(proof, "zki_proof_generated");
    if (ids)
        *ids = proof->gen_ids;
    if (n)
        *n = proof->gen_n;
    if (n_prompt)
        *n_prompt = proof->gen_p;
    return ZKI_OK;
}

zki_status zki_verify_generation(const zki_vk *vk, const int64_t *prompt, uint32_t n_prompt, const zki_proof *proof)
{
    ZKI_API_NEED(vk, "zki_verify_generation");
    ZKI_API_NEED(prompt, "zki_verify_generation");
    ZKI_API_NEED(proof, "zki_verify_generation");
    if (!proof->gen_n)
        return zki_fail(ZKI_ERR_INPUT, "zki_verify_generation: not a generation proof (verify it with its input)");
    if (n_prompt != proof->gen_p)
        return zki_fail(ZKI_ERR_VERIFY, "verify: the proof continues a prompt of %u tokens, the given prompt has %u",
                        proof->gen_p, n_prompt);
    uint64_t T = zki_dag_in_len(&vk->dag);
    if ((uint64_t)proof->gen_p + proof->gen_n > T)
        return zki_fail(ZKI_ERR_VERIFY, "verify: the proof's sequence exceeds the model's %llu positions",
                        (unsigned long long)T);
    int64_t *x = calloc(T, sizeof(int64_t));
    if (!x)
        return zki_fail(ZKI_ERR_NOMEM, "zki_verify_generation: out of memory");
    memcpy(x, prompt, sizeof(int64_t) * n_prompt);
    memcpy(x + n_prompt, proof->gen_ids, sizeof(int64_t) * proof->gen_n);
    zki_status st = zki_verify(vk, x, 1, proof);
    free(x);
    return st;
}
