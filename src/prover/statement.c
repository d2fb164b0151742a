#include <stdlib.h>

#include "common/error.h"
#include "poly/mle.h"
#include "prover/prover.h"

uint32_t zki_advice_acc(const zki_arch *a, uint32_t l)
{
    (void)a;
    return l;
}
uint32_t zki_advice_y(const zki_arch *a, uint32_t l) { return a->n_layers + l; }
uint32_t zki_advice_x0(const zki_arch *a) { return 2 * a->n_layers - 1; }

uint32_t zki_advice_lens(const zki_arch *a, uint32_t B, int private_input, uint64_t *lens)
{
    uint32_t n = 0;
    for (uint32_t l = 0; l < a->n_layers; l++)
        lens[n++] = (uint64_t)B << zki_log2_ceil(a->layers[l].N);
    for (uint32_t l = 0; l + 1 < a->n_layers; l++)
        lens[n++] = (uint64_t)B << zki_log2_ceil(a->layers[l].N);
    if (private_input)
        lens[n++] = (uint64_t)B << zki_log2_ceil(a->layers[0].K);
    return n;
}

zki_fe *zki_int_table(const int64_t *m, uint64_t rows, uint64_t cols, size_t lr, size_t lc)
{
    zki_fe *t = calloc((size_t)1 << (lr + lc), sizeof(zki_fe));
    if (!t)
        return NULL;
    for (uint64_t r = 0; r < rows; r++)
        for (uint64_t c = 0; c < cols; c++)
            t[(r << lc) + c] = zki_fe_from_i64(m[r * cols + c]);
    return t;
}

zki_status zki_statement_bind(zki_transcript *t, const zki_vk *vk, uint32_t B, int private_input,
                              const int64_t *X, const int64_t *Y, const zki_pcs_commitment *acom)
{
    zki_status st = zki_ts_init(t, ZKI_PROOF_PROTOCOL, ZKI_PROOF_VERSION);
    if (st)
        return st;
    const zki_arch *a = &vk->arch;
    zki_ts_absorb_digest(t, "vk", &vk->vk_hash);
    zki_ts_absorb_u64(t, "batch", B);
    zki_ts_absorb_u64(t, "private_input", private_input ? 1 : 0);
    uint64_t kin = (uint64_t)B * a->layers[0].K, nout = (uint64_t)B * a->layers[a->n_layers - 1].N;
    zki_fe *buf = malloc(sizeof(zki_fe) * (kin > nout ? kin : nout));
    if (!buf) {
        zki_ts_free(t);
        return zki_fail(ZKI_ERR_NOMEM, "statement");
    }
    if (!private_input) {
        for (uint64_t i = 0; i < kin; i++)
            buf[i] = zki_fe_from_i64(X[i]);
        zki_ts_absorb_fe_vec(t, "input", buf, kin);
    }
    for (uint64_t i = 0; i < nout; i++)
        buf[i] = zki_fe_from_i64(Y[i]);
    zki_ts_absorb_fe_vec(t, "output", buf, nout);
    free(buf);
    uint8_t *cb;
    size_t cl;
    if ((st = zki_pcs_commitment_to_bytes(acom, &cb, &cl))) {
        zki_ts_free(t);
        return st;
    }
    zki_ts_absorb_bytes(t, "advice", cb, cl);
    free(cb);
    return ZKI_OK;
}
