/* The model input as an operand of a Concat and of a product of two
 * activations (tests/data/inop_cat.onnx, inop_mul.onnx, written by
 * tools/make_input_operand_fixtures.py): the CONCAT and MUL gadgets take
 * no model input, so the lowering reads it through a MOVE node that moves
 * nothing (prover/lower_internal.h, zki_lower_move_input).
 *
 * Checks, per fixture: the quantised output is close to torch's; public
 * (batch of 2) and private proofs verify with the integer executor's output
 * (prove_fixture_rounds: the input stays the statement, or its
 * commitment); the DAG has that MOVE reading tensor 0, read by the CONCAT
 * or MUL; random byte changes of its proof are refused, and a cheating
 * witness at it (one moved value) is refused through the prover's seam. */
#include <stdio.h>
#include <stdlib.h>

#include "common/error.h"
#include "protocol/gadget.h"
#include "test.h"
#include "test_prove_util.h"
#include "test_attack_util.h"
#include "test_node_attack.h"

static void run(zki_rng *g, const char *name, uint32_t kind)
{
    char onnx[64], calib[64];
    snprintf(onnx, sizeof onnx, "%s.onnx", name);
    snprintf(calib, sizeof calib, "%s_calib.npy", name);
    int64_t *X = NULL;
    zki_pk *pk = NULL, *hpk = NULL;
    uint8_t *bytes = NULL;
    size_t blen = 0;
    zki_qmodel *m = load_fixture(onnx, calib, &X);
    if (m && X && zki_setup(m, atk_seed_w, &pk) == ZKI_OK) {
        check_fixture_torch(m, "", name, 0.999);
        prove_fixture_rounds(m, X, atk_seed_w, atk_seed_a, &pk, name);
        if (honest_proof(m, X, &bytes, &blen, &hpk, name)) {
            const zki_dag *d = &hpk->vk.dag;
            uint32_t mv = UINT32_MAX;
            for (uint32_t j = 0; j < d->n_nodes && mv == UINT32_MAX; j++)
                if (d->nodes[j].kind == ZKI_NODE_MOVE && d->nodes[j].in[0] == 0)
                    for (uint32_t k = j + 1; k < d->n_nodes; k++)
                        for (uint32_t i = 0; i < d->nodes[k].n_in; i++)
                            mv = d->nodes[k].kind == kind && d->nodes[k].in[i] == j + 1 ? j : mv;
            printf("%s: %u proof nodes, the input's move node %u\n", name, d->n_nodes, mv);
            CHECK_MSG(mv != UINT32_MAX, "%s: no MOVE of the model input read by the %s", name,
                      kind == ZKI_NODE_MUL ? "MUL" : "CONCAT");
            if (mv != UINT32_MAX) {
                node_mutations(g, &hpk->vk, X, 2, bytes, blen, mv, "input move");
                run_attack(m, X, 2, mv, "input move", MAP);
            }
        }
    } else {
        CHECK_MSG(0, "%s: no model or key: %s", name, zki_last_error());
    }
    free(bytes);
    zki_pk_free(hpk);
    zki_pk_free(pk);
    zki_qmodel_free(m);
    free(X);
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 77);
    run(&g, "inop_cat", ZKI_NODE_CONCAT);
    run(&g, "inop_mul", ZKI_NODE_MUL);
    return TEST_SUMMARY();
}
