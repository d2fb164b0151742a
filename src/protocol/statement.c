#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "poly/mle.h"
#include "protocol/proof.h"

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

static zki_status bind(zki_transcript *t, const zki_vk *vk, uint32_t B, int priv, const int64_t *X,
                       const int64_t *Y, uint32_t gen_p, uint32_t gen_n, const zki_pcs_commitment *acom)
{
    int private_input = priv & ZKI_PRIV_INPUT, private_output = priv & ZKI_PRIV_OUTPUT;
    zki_status st = zki_ts_init(t, ZKI_PROOF_PROTOCOL, ZKI_PROOF_VERSION);
    if (st)
        return st;
    const zki_dag *a = &vk->dag;
    zki_ts_absorb_digest(t, "vk", &vk->vk_hash);
    zki_ts_absorb_u64(t, "batch", B);
    zki_ts_absorb_u64(t, "private_input", private_input ? 1 : 0);
    if (gen_n) { /* a plain proof's transcript is unchanged */
        zki_ts_absorb_u64(t, "gen_prompt", gen_p);
        zki_ts_absorb_u64(t, "gen_new", gen_n);
    }
    /* a committed output: the flag instead of the values (a proof with a
     * public output binds the same as before) */
    if (private_output)
        zki_ts_absorb_u64(t, "private_output", 1);
    uint64_t kin = (uint64_t)B * zki_dag_in_len(a),
             nout = gen_n || private_output ? 0 : (uint64_t)B * zki_dag_out_len(a);
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
    if (!gen_n && !private_output)
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

zki_status zki_statement_bind(zki_transcript *t, const zki_vk *vk, uint32_t B, int priv, const int64_t *X,
                              const int64_t *Y, const zki_pcs_commitment *acom)
{
    return bind(t, vk, B, priv, X, Y, 0, 0, acom);
}

zki_status zki_statement_bind_gen(zki_transcript *t, const zki_vk *vk, const int64_t *X, uint32_t P, uint32_t N,
                                  const zki_pcs_commitment *acom)
{
    return bind(t, vk, 1, 0, X, NULL, P, N, acom);
}

zki_status zki_input_digest(const int64_t *X, uint32_t B, uint64_t in_len, zki_digest *out)
{
    zki_sha256_ctx *c = zki_sha256_new();
    if (!c)
        return zki_fail(ZKI_ERR_NOMEM, "input digest");
    uint8_t b[8];
    for (int k = 0; k < 4; k++)
        b[k] = (uint8_t)(B >> (8 * k));
    zki_sha256_update(c, "zkinfer input", 13);
    zki_sha256_update(c, b, 4);
    for (uint64_t i = 0; i < (uint64_t)B * in_len; i++) {
        for (int k = 0; k < 8; k++)
            b[k] = (uint8_t)((uint64_t)X[i] >> (8 * k));
        zki_sha256_update(c, b, 8);
    }
    zki_sha256_final(c, out);
    zki_sha256_free(c);
    return ZKI_OK;
}

zki_status zki_proof_check_key(const zki_proof *p, const zki_vk *vk)
{
    if (!memcmp(p->vk_hash.b, vk->vk_hash.b, ZKI_DIGEST_LEN))
        return ZKI_OK;
    char hp[17], hk[17];
    zki_digest_hex(&p->vk_hash, 8, hp);
    zki_digest_hex(&vk->vk_hash, 8, hk);
    return zki_fail(ZKI_ERR_VERIFY, "this proof is for another model (the proof's key digest %s..., "
                    "the given key's %s...): verify with the .vk written with the model it was proved on", hp, hk);
}

zki_status zki_proof_check_input(const zki_proof *p, const zki_vk *vk, const int64_t *X, uint32_t B)
{
    if (!X || p->private_input || p->B != B)
        return ZKI_OK; /* the caller's other checks name these cases */
    zki_digest d;
    zki_status st = zki_input_digest(X, B, zki_dag_in_len(&vk->dag), &d);
    if (st || !memcmp(d.b, p->in_digest.b, ZKI_DIGEST_LEN))
        return st;
    char hp[17], hx[17];
    zki_digest_hex(&p->in_digest, 8, hp);
    zki_digest_hex(&d, 8, hx);
    return zki_fail(ZKI_ERR_VERIFY, "this proof is for another input (the proof's input digest %s..., "
                    "the given input's %s...)", hp, hx);
}
