/* Transformers over token sequences [1, T, D], on torch-exported fixtures
 * (tools/make_token_fixtures.py).
 *
 * tests/data/tok_mlp.onnx: Linear layers over the tokens, four Linears
 * over 6 tokens, one of them a raw accumulator into a residual Add. Each
 * is lowered to a move of the sequence to the map [D][T][1], a 1x1 conv
 * (the weights read once for all tokens) and a move back, pending.
 * Checks: (a) the lowered DAG is that (a conv per Linear, no LINEAR node;
 * the raw conv's accumulators moved back into the ADD); the honest proofs
 * (a public batch of 2, a private sample) verify, their output the integer
 * executor's, close to torch's; (b) every single-byte change of each conv
 * and move node's proof bytes is rejected; (c) cheating witnesses through
 * the prover's seam are rejected: a conv's accumulator, quotient or output,
 * the raw conv's accumulator, a move's output.
 *
 * tests/data/tok_block.onnx: one GPT-2 block (LayerNorm over the rows,
 * causal softmax attention of 2 heads, GELU MLP, residuals) over 8 tokens:
 * (a) honest proofs (a public batch of 2; a private sample is refused,
 * its BMMs' operands' padding unproven) verify, the output the integer
 * executor's, close to torch's; the causal masks are moves with a pad
 * constant; (b) every single-byte change of those moves' and the BMMs'
 * proof bytes is rejected; (c) cheating witnesses are rejected: a masked
 * score let through (a mask move's output), a softmax's row max off by one,
 * its exponentials' sum and the product by the reciprocal (accumulator,
 * quotient, output).
 *
 * tests/data/gpt_tiny.onnx: a whole GPT-2-style decoder, token ids in,
 * logits out (embedding Gather, learned positions, a block, final
 * LayerNorm, head): the honest public proofs verify with the executor's
 * output (a private input is refused: the ids are the Gather's statement),
 * every single-byte change of the Gather's, the masks' and the head's proof
 * bytes is rejected, and a cheating witness at the head is.
 *
 * tests/data/gpt_small.onnx: the small GPT trained here on Debian's
 * license texts (tools/train_gpt.py: 2 layers, d 64, 32 bytes of context),
 * quantised on its 51 calibration windows: a public proof of one window
 * verifies, its output the executor's, 12 random byte changes refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "ops/move.h"
#include "protocol/gadget.h"
#include "test.h"
#include "test_prove_util.h"
#include "test_attack_util.h"
#include "test_node_attack.h"

/* A torch fixture NAME.onnx quantised on NAME_calib.npy, its key, and
 * (after honest_proof) an honest proof's bytes and key. */
typedef struct {
    zki_qmodel *m;
    int64_t *X;
    zki_pk *pk, *hpk;
    uint8_t *bytes;
    size_t blen;
} fixture;

static int fixture_open(fixture *f, const char *name)
{
    char onnx[64], calib[64];
    snprintf(onnx, sizeof onnx, "%s.onnx", name);
    snprintf(calib, sizeof calib, "%s_calib.npy", name);
    memset(f, 0, sizeof *f);
    f->m = load_fixture(onnx, calib, &f->X);
    if (f->m && f->X && zki_setup(f->m, atk_seed_w, &f->pk) == ZKI_OK)
        return 1;
    CHECK_MSG(0, "%s: no model or key: %s", name, zki_last_error());
    return 0;
}

static void fixture_close(fixture *f)
{
    free(f->bytes);
    zki_pk_free(f->hpk);
    zki_pk_free(f->pk);
    zki_qmodel_free(f->m);
    free(f->X);
}

/* (a) the DAG's shape: kinds of its nodes in order. */
static void check_dag(const zki_pk *pk, uint32_t *n_conv, uint32_t *n_move, uint32_t *raw)
{
    const zki_dag *d = &pk->vk.dag;
    *n_conv = *n_move = 0, *raw = UINT32_MAX;
    for (uint32_t j = 0; j < d->n_nodes; j++) {
        const zki_dag_node *L = &d->nodes[j];
        CHECK_MSG(L->kind != ZKI_NODE_LINEAR, "node %u: a token Linear lowered to a LINEAR node", j);
        *n_conv += L->kind == ZKI_NODE_CONV;
        *n_move += L->kind == ZKI_NODE_MOVE;
        if (zki_dag_raw(L)) {
            *raw = j;
            /* read through a move by the residual ADD */
            int via_move = 0;
            for (uint32_t k = j + 1; k < d->n_nodes; k++)
                if (d->nodes[k].kind == ZKI_NODE_MOVE && d->nodes[k].in[0] == j + 1)
                    for (uint32_t r = k + 1; r < d->n_nodes; r++)
                        for (uint32_t i = 0; i < d->nodes[r].n_in; i++)
                            via_move |= d->nodes[r].kind == ZKI_NODE_ADD && d->nodes[r].in[i] == k + 1;
            CHECK_MSG(via_move, "raw node %u: not read by an ADD through a move", j);
        }
    }
    printf("tok_mlp: %u nodes, %u convs, %u moves, raw node %u\n", d->n_nodes, *n_conv, *n_move, *raw);
    CHECK_MSG(*n_conv == 4, "tok_mlp: %u convs, want 4", *n_conv);
    /* into the first conv, the two residual branches into the ADD, its sum
     * into the head, out of the head: a move back and forth between two
     * convs is none */
    CHECK_MSG(*n_move == 5, "tok_mlp: %u moves, want 5", *n_move);
    CHECK_MSG(*raw != UINT32_MAX, "tok_mlp: no raw accumulator");
}

/* The block: moves with a pad constant are its causal masks (it has no
 * Pad); mutations and cheats at them and at the softmax's nodes. */
static void test_block(zki_rng *g)
{
    fixture f;
    if (!fixture_open(&f, "tok_block")) {
        fixture_close(&f);
        return;
    }
    zki_qmodel *m = f.m;
    int64_t *X = f.X;
    check_fixture_torch(m, "", "tok_block", 0.999);
    prove_fixture_rounds_ex(m, X, atk_seed_w, atk_seed_a, &f.pk, "tok_block", 0);
    if (honest_proof(m, X, &f.bytes, &f.blen, &f.hpk, "tok_block")) {
        const zki_dag *d = &f.hpk->vk.dag;
        uint32_t masks = 0, bmm = 0, maxpool = UINT32_MAX, mul = UINT32_MAX, pool = UINT32_MAX;
        for (uint32_t j = 0; j < d->n_nodes; j++) {
            const zki_dag_node *L = &d->nodes[j];
            zki_move_info info;
            if (L->kind == ZKI_NODE_MOVE && zki_move_check(L->aux + 4, L->n_aux - 4, &info) == ZKI_OK &&
                info.has_pad) {
                masks++;
                node_mutations(g, &f.hpk->vk, X, 2, f.bytes, f.blen, j, "causal mask");
                run_attack(m, X, 2, j, "causal mask", MAP);
            } else if (L->kind == ZKI_NODE_BMM) {
                bmm++;
                node_mutations(g, &f.hpk->vk, X, 2, f.bytes, f.blen, j, "bmm");
            }
            maxpool = L->kind == ZKI_NODE_MAXPOOL && maxpool == UINT32_MAX ? j : maxpool;
            mul = L->kind == ZKI_NODE_MUL ? j : mul; /* the last: the softmax's product */
            pool = L->kind == ZKI_NODE_CONV && L->KH == 1 && L->KW > 1 && pool == UINT32_MAX ? j : pool;
        }
        printf("tok_block: %u nodes, %u causal-mask moves, %u bmm\n", d->n_nodes, masks, bmm);
        CHECK_MSG(masks == 2 && bmm == 2, "tok_block: %u mask moves (want 2), %u bmm (want 2)", masks, bmm);
        CHECK_MSG(maxpool != UINT32_MAX && mul != UINT32_MAX && pool != UINT32_MAX,
                  "tok_block: softmax nodes not found");
        if (maxpool != UINT32_MAX)
            run_attack(m, X, 2, maxpool, "softmax row max", MAXPLUS);
        for (int how = ACC; pool != UINT32_MAX && how <= QUOT; how++)
            run_attack(m, X, 2, pool, "softmax row sum", how);
        if (mul != UINT32_MAX)
            run_attack(m, X, 2, mul, "softmax product", YOUT);
    }
    fixture_close(&f);
}

/* The tiny GPT from token ids to logits. */
static void test_gpt_tiny(zki_rng *g)
{
    fixture f;
    if (!fixture_open(&f, "gpt_tiny")) {
        fixture_close(&f);
        return;
    }
    zki_qmodel *m = f.m;
    int64_t *X = f.X;
    prove_fixture_rounds_ex(m, X, atk_seed_w, atk_seed_a, &f.pk, "gpt_tiny", 0);
    if (honest_proof(m, X, &f.bytes, &f.blen, &f.hpk, "gpt_tiny")) {
        const zki_dag *d = &f.hpk->vk.dag;
        uint32_t gathers = 0, last = d->n_nodes - 1;
        for (uint32_t j = 0; j < d->n_nodes; j++) {
            zki_move_info info;
            const zki_dag_node *L = &d->nodes[j];
            if (L->kind == ZKI_NODE_GATHER) {
                gathers++;
                node_mutations(g, &f.hpk->vk, X, 2, f.bytes, f.blen, j, "gather");
            } else if (L->kind == ZKI_NODE_MOVE && zki_move_check(L->aux + 4, L->n_aux - 4, &info) == ZKI_OK &&
                       info.has_pad) {
                node_mutations(g, &f.hpk->vk, X, 2, f.bytes, f.blen, j, "causal mask");
            }
        }
        /* the logits: a token conv's output moved back to [1, T, V] */
        uint32_t head = d->nodes[last].kind == ZKI_NODE_MOVE ? d->nodes[last].in[0] - 1 : last;
        printf("gpt_tiny: %u nodes, %u gather, head node %u (kind %u)\n", d->n_nodes, gathers, head,
               d->nodes[head].kind);
        CHECK_MSG(gathers == 1 && d->nodes[head].kind == ZKI_NODE_CONV, "gpt_tiny: %u gathers, head kind %u",
                  gathers, d->nodes[head].kind);
        node_mutations(g, &f.hpk->vk, X, 2, f.bytes, f.blen, head, "head");
        run_attack(m, X, 2, head, "head", ACC);
    }
    fixture_close(&f);
}

/* The trained small GPT, one window of bytes to its 32 x 86 logits. */
static void test_gpt_small(zki_rng *g)
{
    zki_graph *gr = NULL;
    zki_host_tensor *cal = NULL;
    zki_qmodel *m = NULL;
    int ncal = 0;
    int64_t *X = NULL;
    CHECK_MSG(zki_onnx_load_file(tdata("gpt_small.onnx"), &gr) == ZKI_OK, "gpt_small: %s", zki_last_error());
    if (gr && zki_calib_load(gr, tdata("gpt_small_calib.npy"), &cal, &ncal) == ZKI_OK &&
        zki_quantize(gr, cal, ncal, NULL, &m) == ZKI_OK && zki_quant_input(m, 0, &cal[0], &X) == ZKI_OK)
        prove_round(g, m, X, 1, 0, atk_seed_w, atk_seed_a, NULL, NULL, 12, "gpt_small");
    else
        CHECK_MSG(0, "gpt_small: %s", zki_last_error());
    free(X);
    zki_qmodel_free(m);
    zki_samples_free(cal, ncal);
    zki_graph_free(gr);
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 7121);
    fixture f;
    if (fixture_open(&f, "tok_mlp")) {
        zki_qmodel *m = f.m;
        int64_t *X = f.X;
        check_fixture_torch(m, "", "tok_mlp", 0.999);
        uint32_t n_conv, n_move, raw;
        check_dag(f.pk, &n_conv, &n_move, &raw);
        prove_fixture_rounds(m, X, atk_seed_w, atk_seed_a, &f.pk, "tok_mlp");
        if (honest_proof(m, X, &f.bytes, &f.blen, &f.hpk, "tok_mlp")) {
            const zki_dag *d = &f.hpk->vk.dag;
            for (uint32_t j = 0; j < d->n_nodes; j++)
                if (d->nodes[j].kind == ZKI_NODE_CONV || d->nodes[j].kind == ZKI_NODE_MOVE)
                    node_mutations(&g, &f.hpk->vk, X, 2, f.bytes, f.blen, j,
                                   d->nodes[j].kind == ZKI_NODE_CONV ? "token conv" : "move");
            /* one of each: the first requantising conv, the raw one, the
             * first move (each attack is a whole proof) */
            int conv = 0, rawc = 0, move = 0;
            for (uint32_t j = 0; j < d->n_nodes; j++) {
                const zki_dag_node *L = &d->nodes[j];
                if (L->kind == ZKI_NODE_CONV && !zki_dag_raw(L) && !conv++) {
                    run_attack(m, X, 2, j, "token conv", ACC);
                    run_attack(m, X, 2, j, "token conv", QUOT);
                    run_attack(m, X, 2, j, "token conv", YOUT);
                } else if (L->kind == ZKI_NODE_CONV && zki_dag_raw(L) && !rawc++) {
                    run_attack(m, X, 2, j, "raw token conv", RAW);
                } else if (L->kind == ZKI_NODE_MOVE && L->out_bits <= 16 && !move++) {
                    run_attack(m, X, 2, j, "move", MAP);
                }
            }
        }
    }
    fixture_close(&f);
    test_block(&g);
    test_gpt_tiny(&g);
    test_gpt_small(&g);
    return TEST_SUMMARY();
}
