/* Proving, proof files, verifying and the proven output (zkinfer.h
 * "proving", "verifying"). */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/atomic_file.h"
#include "common/file_read.h"
#include "prover/prover.h"
#include "verifier/verifier.h"

_Static_assert(ZKI_NODE_KIND_COUNT == ZKI_NODE_KINDS, "the public kind count is the DAG's");

const char *zki_node_kind_name(unsigned kind, const char **carries)
{
    static const char *const name[ZKI_NODE_KINDS][2] = {
        {"Linear", "Linear layers of one row"},
        {"Conv", "convolutions, token Linears, LayerNorm and softmax sums"},
        {"MaxPool", "max pooling, softmax and argmax-style row maxima"},
        {"Add", "residual adds, mean subtraction, masks"},
        {"Concat", "concatenation of feature maps"},
        {"Lut", "GELU, SiLU, exp, reciprocals and square roots by lookup"},
        {"Move", "reshape, transpose, slice, split, pad: index maps"},
        {"Mul", "elementwise products: norms' scaling, softmax's division"},
        {"BatchMatMul", "attention's Q K^T and weights x V"},
        {"Gather", "token and position embeddings"},
    };
    if (carries)
        *carries = kind < ZKI_NODE_KINDS ? name[kind][1] : "?";
    return kind < ZKI_NODE_KINDS ? name[kind][0] : "?";
}

static void timings_of(const zki_proof *proof, zki_prove_timings *t)
{
    const zki_proof_stats *s = &proof->stats;
    memset(t, 0, sizeof *t);
    t->witness_s = s->witness_s;
    t->commit_s = s->commit_s;
    t->gadgets_s = s->gadgets_s;
    t->open_s = s->open_s;
    t->lookups_s = s->lookups_s;
    t->argmax_s = s->argmax_s;
    t->zk_s = s->zk_s;
    for (unsigned k = 0; k < ZKI_NODE_KINDS; k++) {
        t->kind_nodes[k] = s->kind_nodes[k];
        t->kind_witness_s[k] = s->kind_witness_s[k];
        t->kind_prove_s[k] = s->kind_prove_s[k];
    }
}

zki_status zki_proof_timings(const zki_proof *proof, zki_prove_timings *t)
{
    ZKI_API_NEED(proof && t, "zki_proof_timings");
    timings_of(proof, t);
    return ZKI_OK;
}

zki_status zki_prove_int_ex(zki_pk *pk, const int64_t *x, uint32_t batch, unsigned flags, zki_progress_fn progress,
                            void *progress_ctx, zki_prove_timings *timings, zki_proof **proof)
{
    ZKI_API_NEED(proof, "zki_prove_int");
    *proof = NULL;
    ZKI_API_NEED(pk, "zki_prove_int");
    ZKI_API_NEED(x, "zki_prove_int");
    if (flags & ~(ZKI_PROVE_PRIVATE_INPUT | ZKI_PROVE_STRICT | ZKI_PROVE_PRIVATE_OUTPUT))
        return zki_fail(ZKI_ERR_INPUT, "zki_prove: unknown flags 0x%x", flags);
    zki_proof *p = calloc(1, sizeof *p);
    if (!p)
        return zki_fail(ZKI_ERR_NOMEM, "zki_prove: out of memory");
    int priv = (flags & ZKI_PROVE_PRIVATE_INPUT ? ZKI_PRIV_INPUT : 0) |
               (flags & ZKI_PROVE_PRIVATE_OUTPUT ? ZKI_PRIV_OUTPUT : 0);
    zki_prove_opts o = {priv, NULL, progress, progress_ctx, 0, 0};
    zki_proof_stats stats;
    memset(&stats, 0, sizeof stats);
    zki_status st = zki_prove(pk, x, batch, &o, p, &stats);
    if (st != ZKI_OK) {
        zki_proof_destroy(p);
        return st;
    }
    if (timings)
        timings_of(p, timings);
    *proof = p;
    return ZKI_OK;
}

zki_status zki_prove_int(zki_pk *pk, const int64_t *x, uint32_t batch, unsigned flags, zki_proof **proof)
{
    return zki_prove_int_ex(pk, x, batch, flags, NULL, NULL, NULL, proof);
}

zki_status zki_prove_float(zki_pk *pk, const float *x, uint32_t batch, unsigned flags, zki_proof **proof)
{
    ZKI_API_NEED(proof, "zki_prove_float");
    *proof = NULL;
    ZKI_API_NEED(pk, "zki_prove_float");
    ZKI_API_NEED(x, "zki_prove_float");
    int64_t *q = NULL;
    zki_status st = zki_api_quantise(&pk->vk, x, batch, (flags & ZKI_PROVE_STRICT) != 0, "zki_prove_float", &q);
    if (st == ZKI_OK)
        st = zki_prove_int(pk, q, batch, flags, proof);
    free(q);
    return st;
}

zki_status zki_proof_serialize(const zki_proof *proof, unsigned char **bytes, size_t *len)
{
    ZKI_API_NEED(bytes, "zki_proof_serialize");
    *bytes = NULL;
    ZKI_API_NEED(proof, "zki_proof_serialize");
    ZKI_API_NEED(len, "zki_proof_serialize");
    return zki_proof_to_bytes(proof, bytes, len);
}

zki_status zki_proof_save(const zki_proof *proof, const char *path)
{
    ZKI_API_NEED(proof, "zki_proof_save");
    ZKI_API_NEED(path, "zki_proof_save");
    uint8_t *b = NULL;
    size_t n = 0;
    zki_status st = zki_proof_to_bytes(proof, &b, &n); /* before b and n are read */
    return zki_write_serialised(path, st, b, n, ZKI_FILE_PUBLIC);
}

zki_status zki_proof_parse(const zki_vk *vk, const unsigned char *bytes, size_t len, zki_proof **proof)
{
    ZKI_API_NEED(proof, "zki_proof_parse");
    *proof = NULL;
    ZKI_API_NEED(vk, "zki_proof_parse");
    ZKI_API_NEED(bytes, "zki_proof_parse");
    zki_proof *p = calloc(1, sizeof *p);
    if (!p)
        return zki_fail(ZKI_ERR_NOMEM, "zki_proof_parse: out of memory");
    zki_status st = zki_proof_from_bytes(vk, p, bytes, len);
    if (st != ZKI_OK) {
        zki_proof_destroy(p);
        /* bytes that are not a proof for this key: a rejected proof */
        return st == ZKI_ERR_NOMEM ? st : zki_fail_ctx(ZKI_ERR_VERIFY, "proof rejected");
    }
    *proof = p;
    return ZKI_OK;
}

zki_status zki_proof_load(const zki_vk *vk, const char *path, zki_proof **proof)
{
    ZKI_API_NEED(proof, "zki_proof_load");
    *proof = NULL;
    ZKI_API_NEED(vk, "zki_proof_load");
    ZKI_API_NEED(path, "zki_proof_load");
    /* the cap the key and the header's batch allow, before reading it all;
     * not a regular file (a FIFO would block the open) or shorter than a
     * header: the reader and the parser say what is wrong */
    uint8_t head[ZKI_PROOF_HEAD_LEN];
    uint64_t cap = sizeof head;
    struct stat sb;
    zki_status st;
    if (!stat(path, &sb) && S_ISREG(sb.st_mode) && (uint64_t)sb.st_size >= sizeof head) {
        size_t got = 0;
        if ((st = zki_read_file_head(path, SIZE_MAX, head, sizeof head, &got)) != ZKI_OK)
            return st;
        if (zki_proof_size_cap(vk, head, got, &cap) != ZKI_OK)
            return zki_fail_ctx(ZKI_ERR_VERIFY, "proof rejected");
        if ((uint64_t)sb.st_size > cap)
            return zki_fail(ZKI_ERR_VERIFY, "proof rejected: %s is %lld bytes, more than any proof for this key "
                            "and its batch can be (%llu bytes)", path, (long long)sb.st_size,
                            (unsigned long long)cap);
    }
    uint8_t *b = NULL;
    size_t n = 0;
    if ((st = zki_read_file(path, cap > SIZE_MAX ? SIZE_MAX : (size_t)cap, &b, &n)) != ZKI_OK)
        return st == ZKI_ERR_VERIFY ? ZKI_ERR_IO : st;
    st = zki_proof_parse(vk, b, n, proof);
    free(b);
    return st;
}

size_t zki_proof_size(const zki_proof *proof)
{
    uint8_t *b = NULL;
    size_t n = 0;
    if (!proof || zki_proof_to_bytes(proof, &b, &n) != ZKI_OK)
        return 0;
    free(b);
    return n;
}

void zki_proof_destroy(zki_proof *proof)
{
    zki_proof_free(proof);
    free(proof);
}

zki_status zki_verify_int(const zki_vk *vk, const int64_t *x, uint32_t batch, const zki_proof *proof)
{
    ZKI_API_NEED(vk, "zki_verify");
    ZKI_API_NEED(proof, "zki_verify");
    if (proof->gen_n) /* no output to trust: what it proves is the ids */
        return zki_fail(ZKI_ERR_INPUT, "zki_verify: a proof of a generation: check it with zki_verify_generation");
    if (x && proof->private_input)
        return zki_fail(ZKI_ERR_INPUT, "zki_verify: the proof commits its input: pass x = NULL");
    return zki_verify(vk, x, x ? batch : proof->B, proof);
}

zki_status zki_verify_float(const zki_vk *vk, const float *x, uint32_t batch, const zki_proof *proof)
{
    ZKI_API_NEED(vk, "zki_verify_float");
    ZKI_API_NEED(proof, "zki_verify_float");
    if (!x)
        return zki_verify_int(vk, NULL, 0, proof);
    int64_t *q = NULL;
    zki_status st = zki_api_quantise(vk, x, batch, 0, "zki_verify_float", &q);
    if (st == ZKI_OK)
        st = zki_verify_int(vk, q, batch, proof);
    free(q);
    return st;
}

zki_status zki_proof_output(const zki_proof *proof, uint32_t *batch, uint32_t *per_sample, const int64_t **values,
                            int *private_input)
{
    ZKI_API_NEED(proof, "zki_proof_output");
    if (batch)
        *batch = proof->B;
    if (per_sample) /* 0 for a private output: committed, not in the proof */
        *per_sample = proof->out_n;
    if (values)
        *values = proof->private_output ? NULL : proof->output;
    if (private_input)
        *private_input = proof->private_input != 0;
    return ZKI_OK;
}

zki_status zki_proof_output_float(const zki_proof *proof, const zki_vk *vk, float *out, size_t n)
{
    ZKI_API_NEED(proof, "zki_proof_output_float");
    ZKI_API_NEED(vk, "zki_proof_output_float");
    ZKI_API_NEED(out, "zki_proof_output_float");
    if (proof->private_output)
        return zki_fail(ZKI_ERR_INPUT, "zki_proof_output_float: the proof commits its output "
                        "(ZKI_PROVE_PRIVATE_OUTPUT): it holds no output values");
    uint64_t need = (uint64_t)proof->B * proof->out_n;
    if (n < need)
        return zki_fail(ZKI_ERR_INPUT, "zki_proof_output_float: n = %zu, the proof holds %llu values", n,
                        (unsigned long long)need);
    if (zki_proof_check_key(proof, vk) != ZKI_OK)
        return zki_fail_ctx(ZKI_ERR_INPUT, "zki_proof_output_float");
    double s = zki_api_out_scale(vk);
    for (uint64_t e = 0; e < need; e++)
        out[e] = (float)((double)proof->output[e] * (s > 0 ? s : 1.0));
    return ZKI_OK;
}
