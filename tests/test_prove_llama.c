/* A tiny Llama proven end to end: tests/data/llama_tiny.onnx
 * (tools/export_llama.py --preset tiny: 2 layers, d 64, 4 query heads
 * sharing 2 K/V heads, SwiGLU hidden 128, rotary positions, RMSNorm,
 * vocabulary 96, 16 tokens; token ids in, logits out), quantised on its 8
 * calibration windows.
 *
 * Checks: (a) the import fuses the 5 written-out RMSNorms (no Div, Sqrt or
 * Pow left) and the quantised logits are close to torch's (cosine, and the
 * argmax of most tokens); (b) honest public proofs of a batch of 2 verify,
 * the output the integer executor's (a private input is refused: the ids
 * are the embedding Gather's statement); (c) the proof DAG has what the
 * new pieces lower to: each RMSNorm's square (a MUL of x by itself) and
 * its normalising MUL, each RoPE's Concat (a CONCAT node then a move
 * placing the halves); random single-byte changes of those nodes' proof
 * bytes are refused; (d) cheating witnesses through the prover's seam are
 * refused: an RMSNorm square's accumulator and output, the normalising
 * product's accumulator, a value of a RoPE concat's joined vector and of
 * the move that places it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "graph/graph.h"
#include "protocol/gadget.h"
#include "test.h"
#include "test_prove_util.h"
#include "test_attack_util.h"
#include "test_node_attack.h"

/* (a) the import: fused RMSNorms, nothing of their chains left. */
static void check_graph(void)
{
    zki_graph *g = NULL;
    CHECK_MSG(zki_onnx_load_file(tdata("llama_tiny.onnx"), &g) == ZKI_OK, "llama_tiny: %s", zki_last_error());
    int rms = 0, left = 0;
    for (int i = 0; g && i < g->n_nodes; i++) {
        int op = g->nodes[i].op;
        rms += op == ZKI_OP_RMSNORM;
        left += op == ZKI_OP_DIV || op == ZKI_OP_SQRT || op == ZKI_OP_POW || op == ZKI_OP_REDUCEMEAN;
    }
    printf("llama_tiny: %d nodes, %d RMSNorms, %d chain ops left\n", g ? g->n_nodes : 0, rms, left);
    CHECK_MSG(rms == 5 && left == 0, "llama_tiny: %d RMSNorms (want 5), %d Div/Sqrt/Pow/ReduceMean left", rms, left);
    zki_graph_free(g);
}

/* (a) the integer executor's logits for the fixture's window against
 * torch's. */
static void check_torch(const zki_qmodel *m)
{
    zki_host_tensor x, y;
    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    int64_t *X = NULL, *q = NULL;
    CHECK(zki_tensor_read_any(tdata("llama_tiny_x.npy"), &x) == ZKI_OK &&
          zki_tensor_read_any(tdata("llama_tiny_y.npy"), &y) == ZKI_OK);
    if (x.i && y.f && zki_quant_input(m, 0, &x, &X) == ZKI_OK)
        q = qexec_batch(m, X, 1);
    const zki_qtensor *ot = &m->t[m->outputs[0]];
    int64_t n = zki_qnumel(ot), V = ot->dims[ot->rank - 1];
    CHECK_MSG(q && n == zki_host_tensor_numel(&y), "llama_tiny: no output to compare with torch's");
    if (q && n == zki_host_tensor_numel(&y)) {
        double dot = 0, a = 0, b = 0;
        int same = 0;
        for (int64_t i = 0; i < n; i++) {
            double v = (double)q[i] * ot->scale;
            dot += v * y.f[i], a += v * v, b += (double)y.f[i] * y.f[i];
        }
        for (int64_t t = 0; t < n / V; t++) {
            int64_t aq = 0, at = 0;
            for (int64_t k = 1; k < V; k++) {
                aq = q[t * V + k] > q[t * V + aq] ? k : aq;
                at = y.f[t * V + k] > y.f[t * V + at] ? k : at;
            }
            same += aq == at;
        }
        double cs = dot / sqrt(a * b);
        printf("llama_tiny: cosine %.5f against torch, argmax of %d of %lld tokens torch's\n", cs, same,
               (long long)(n / V));
        CHECK_MSG(cs >= 0.999 && same * 8 >= 7 * (n / V), "llama_tiny: cosine %.5f, %d argmaxes torch's", cs, same);
    }
    free(q);
    free(X);
    zki_host_tensor_clear(&x);
    zki_host_tensor_clear(&y);
}

/* (c) the nodes of the new pieces in the proof DAG. */
typedef struct {
    uint32_t sq[8], nrm[8], cat[8], place[8];
    int n_sq, n_cat;
} pieces;

static void find_pieces(const zki_dag *d, pieces *p)
{
    memset(p, 0, sizeof *p);
    for (uint32_t j = 0; j < d->n_nodes; j++) {
        const zki_dag_node *L = &d->nodes[j];
        if (L->kind == ZKI_NODE_MUL && L->in[0] == L->in[1] && p->n_sq < 8) {
            /* an RMSNorm's x^2; its normalising MUL reads the same x */
            for (uint32_t k = j + 1; k < d->n_nodes; k++)
                if (d->nodes[k].kind == ZKI_NODE_MUL && d->nodes[k].in[0] == L->in[0] && d->nodes[k].in[1] != L->in[0]) {
                    p->sq[p->n_sq] = j, p->nrm[p->n_sq++] = k;
                    break;
                }
        } else if (L->kind == ZKI_NODE_CONCAT && p->n_cat < 8) {
            /* the move placing the joined halves reads it */
            for (uint32_t k = j + 1; k < d->n_nodes; k++)
                if (d->nodes[k].kind == ZKI_NODE_MOVE && d->nodes[k].in[0] == j + 1) {
                    p->cat[p->n_cat] = j, p->place[p->n_cat++] = k;
                    break;
                }
        }
    }
}

int main(void)
{
    zki_rng g;
    zki_rng_seed(&g, 3301);
    check_graph();
    int64_t *X = NULL;
    zki_pk *pk = NULL, *hpk = NULL;
    uint8_t *bytes = NULL;
    size_t blen = 0;
    zki_qmodel *m = load_fixture("llama_tiny.onnx", "llama_tiny_calib.npy", &X);
    if (!m || !X || zki_setup(m, atk_seed_w, &pk) != ZKI_OK) {
        CHECK_MSG(0, "llama_tiny: no model or key: %s", zki_last_error());
        goto done;
    }
    check_torch(m);
    prove_fixture_rounds_ex(m, X, atk_seed_w, atk_seed_a, &pk, "llama_tiny", 0);
    if (!honest_proof(m, X, &bytes, &blen, &hpk, "llama_tiny"))
        goto done;
    pieces p;
    find_pieces(&hpk->vk.dag, &p);
    printf("llama_tiny: %u proof nodes, %d RMSNorm squares, %d RoPE concats\n", hpk->vk.dag.n_nodes, p.n_sq,
           p.n_cat);
    /* 5 RMSNorms; q and k rotated in each of 2 layers */
    CHECK_MSG(p.n_sq == 5 && p.n_cat == 4, "llama_tiny: %d squares (want 5), %d placed concats (want 4)", p.n_sq,
              p.n_cat);
    for (int i = 0; i < p.n_sq; i++) {
        node_mutations(&g, &hpk->vk, X, 2, bytes, blen, p.sq[i], "rmsnorm square");
        node_mutations(&g, &hpk->vk, X, 2, bytes, blen, p.nrm[i], "rmsnorm product");
    }
    for (int i = 0; i < p.n_cat; i++) {
        node_mutations(&g, &hpk->vk, X, 2, bytes, blen, p.cat[i], "rope concat");
        node_mutations(&g, &hpk->vk, X, 2, bytes, blen, p.place[i], "rope placing move");
    }
    /* one of each (each attack is a whole proof) */
    if (p.n_sq > 0) {
        run_attack(m, X, 2, p.sq[0], "rmsnorm square", ACC);
        run_attack(m, X, 2, p.sq[0], "rmsnorm square", YOUT);
        run_attack(m, X, 2, p.nrm[0], "rmsnorm product", ACC);
    }
    if (p.n_cat > 0) {
        run_attack(m, X, 2, p.cat[0], "rope concat", MAP);
        run_attack(m, X, 2, p.place[0], "rope placing move", MAP);
    }
done:
    free(bytes);
    zki_pk_free(hpk);
    zki_pk_free(pk);
    zki_qmodel_free(m);
    free(X);
    return TEST_SUMMARY();
}
