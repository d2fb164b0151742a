/* Every gadget kind (LINEAR, CONV, MAXPOOL, ADD, CONCAT) attacked through
 * the real prover's test seam (prover/seam.h), on one small model that
 * holds each kind:
 *   x [2][6][6] -> conv 3x3 pad 1 relu (2 -> 4) = a -> conv 3x3 pad 1 (4 -> 4)
 *   -> Add(., a) relu -> MaxPool 2x2 stride 2 = p -> conv 1x1 relu
 *   (4 -> 2) -> Concat(p, .) -> Flatten -> Linear 3.
 * Per kind:
 *   (a) the honest proof verifies (and its output is the integer
 *       executor's);
 *   (b) a cheating witness AT that node, injected by the seam's hook after
 *       the node's honest witness (later nodes then compute from it, so
 *       everything downstream is consistent):
 *         acc    one accumulator moved by enough to move its quotient
 *                (LINEAR, CONV, ADD), the requant witness recomputed
 *                honestly from it: every lookup passes, the node's own
 *                sum-check (or the add's sum) must catch it;
 *         quot   one quotient moved by one, y = clamp(q), the remainder
 *                (its derived limb r_0) moved by -2^s' (LINEAR, CONV, ADD):
 *                the range lookup must catch it;
 *         max+1  a pooled value one above its window's max, every window
 *                difference one more (all still in range): the zero-check
 *                must catch it;
 *         min    a pooled value set to its window's minimum (a non-max),
 *                the differences recomputed (some negative): the range
 *                lookup must catch it;
 *         map    one value of the joined map moved (CONCAT, not
 *                committed): the concat sum-check must catch it;
 *       acc, max+1 and map are also tried at a padding position of the
 *       node's output (the layout's pads must be pinned to zero too);
 *       Where the honest prover refuses the witness (a lookup), the proof
 *       is forced out with lookups that leave the bad value uncounted
 *       (field_columns = ZKI_LK_COLS_FIELD_UNCHECKED); either way the
 *       verifier must return ZKI_ERR_VERIFY;
 *   (c) single-byte changes inside that node's proof (its claim reduction,
 *       sum-checks and values) are rejected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "common/rng.h"
#include "poly/mle.h"
#include "prover/seam.h"
#include "test.h"
#include "test_prove_util.h"
#include "test_attack_util.h"

#include "test_node_attack.h"

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 2026);
    zki_qmodel *m = make_model(&g);
    const uint32_t B = 2;
    int64_t K = zki_qnumel(&m->t[m->inputs[0]]);
    int64_t *X = malloc(sizeof(int64_t) * (size_t)(B * K));
    for (int64_t i = 0; i < B * K; i++)
        X[i] = (int64_t)zki_rng_below(&g, 256) - 128;
    /* (a) the honest proof */
    uint8_t *bytes = NULL;
    size_t blen = 0;
    zki_pk *pk = NULL;
    int honest = 0;
    int vs = seam_prove_verify(m, X, B, atk_seed_w, atk_seed_a, NULL, &honest, &bytes, &blen, &pk);
    CHECK_MSG(vs == ZKI_OK, "honest proof: status %d", vs);
    CHECK_MSG(honest, "honest proof: its output differs from the integer executor's");
    if (vs != ZKI_OK || !pk) {
        zki_pk_free(pk);
        free(X);
        zki_qmodel_free(m);
        return TEST_SUMMARY();
    }
    const zki_dag *d = &pk->vk.dag;
    static const char *const kinds[] = {"LINEAR", "CONV", "MAXPOOL", "ADD", "CONCAT"};
    static const uint32_t kind_of[] = {ZKI_NODE_LINEAR, ZKI_NODE_CONV, ZKI_NODE_MAXPOOL, ZKI_NODE_ADD,
                                       ZKI_NODE_CONCAT};
    uint32_t at[5];
    printf("honest proof of %u nodes, %zu bytes: verified\n", d->n_nodes, blen);
    for (int k = 0; k < 5; k++) {
        at[k] = node_of(d, kind_of[k]);
        CHECK_MSG(at[k] != UINT32_MAX, "the model has no %s node", kinds[k]);
    }
    /* (c) mutations of each kind's node proof */
    for (int k = 0; k < 5; k++)
        if (at[k] != UINT32_MAX)
            node_mutations(&g, &pk->vk, X, B, bytes, blen, at[k], kinds[k]);
    free(bytes);
    /* (b) cheating witnesses at each kind's node */
    static const struct {
        int kind, how;
    } plan[] = {{0, ACC},  {0, QUOT},    {0, ACC | PAD}, {1, ACC},          {1, QUOT},
                {1, ACC | PAD}, {2, MAXPLUS}, {2, MIN},      {2, MAXPLUS | PAD}, {3, ACC},
                {3, QUOT}, {3, ACC | PAD}, {4, MAP},      {4, MAP | PAD}};
    for (size_t i = 0; i < sizeof plan / sizeof plan[0]; i++)
        if (at[plan[i].kind] != UINT32_MAX)
            run_attack(m, X, B, at[plan[i].kind], kinds[plan[i].kind], plan[i].how);
    zki_pk_free(pk);
    free(X);
    zki_qmodel_free(m);
    return TEST_SUMMARY();
}
