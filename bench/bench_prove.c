/* One reproducible proof of a compiled model, for timing the prover and
 * checking that a change keeps the proof bytes:
 *
 *     build/bench_prove MODEL.zkm X.npy [OUT.zkp]
 *
 * zki_setup with a fixed seed (not the .zpk's: the key differs from the
 * CLI's, the work is the same), the input read as `zkinfer prove` reads it
 * (public), zki_prove with a fixed advice seed, so the proof bytes depend
 * only on the model, the input and the code (compare their SHA-256 across
 * changes and OMP_NUM_THREADS). Prints the setup and prove times, the
 * prover's phases, the proof size and its SHA-256, and the peak RSS.
 * NEVER a way to make real proofs: fixed seeds reveal the hiding
 * randomness. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "cli/cli.h"
#include "cli/cli_input.h"
#include "common/atomic_file.h"
#include "hash/sha256.h"
#include "prover/prover.h"
#include "prover/setup.h"
#include "quant/qmodel.h"

int main(int argc, char **argv)
{
    zki_cli_memory_policy(argv); /* as the zkinfer executable does */
    if (argc < 3) {
        fprintf(stderr, "usage: bench_prove MODEL.zkm X.npy [OUT.zkp]\n");
        return 2;
    }
    uint8_t seed_setup[32], seed_advice[32];
    for (int i = 0; i < 32; i++)
        seed_setup[i] = (uint8_t)i, seed_advice[i] = (uint8_t)(0x80 + i);
    zki_qmodel *m = NULL;
    if (zki_zkm_read(argv[1], &m) != ZKI_OK) {
        fprintf(stderr, "bench_prove: %s: %s\n", argv[1], zki_last_error());
        return 1;
    }
    double t0 = bench_now();
    zki_pk *pk = NULL;
    if (zki_setup(m, seed_setup, &pk) != ZKI_OK) {
        fprintf(stderr, "bench_prove: setup: %s\n", zki_last_error());
        return 1;
    }
    double t_setup = bench_now() - t0;
    /* as `zkinfer prove`: the key holds what the prover reads */
    zki_qmodel_free(m);
    m = NULL;
    double rss_setup = bench_peak_rss_mib();
    zki_cli_in_model im;
    zki_cli_in_opts io = {0, 0};
    int64_t *X = NULL;
    uint32_t B = 0;
    if (zki_cli_in_of_vk(&pk->vk, &im) || zki_cli_read_input(&im, argv[2], &io, &X, &B))
        return 1;
    zki_prove_opts po = {0, seed_advice, NULL, NULL, 0, 0};
    zki_proof pf;
    zki_proof_stats ps;
    memset(&ps, 0, sizeof ps);
    t0 = bench_now();
    if (zki_prove(pk, X, B, &po, &pf, &ps) != ZKI_OK) {
        fprintf(stderr, "bench_prove: prove: %s\n", zki_last_error());
        return 1;
    }
    double t_prove = bench_now() - t0;
    uint8_t *buf = NULL;
    size_t len = 0;
    if (zki_proof_to_bytes(&pf, &buf, &len) != ZKI_OK)
        return 1;
    zki_digest h;
    zki_sha256(&h, buf, len);
    printf("setup %.3f s (peak RSS %.0f MiB); prove %.3f s: witness+sites %.3f, commit %.3f, gadgets %.3f, "
           "open %.3f\n",
           t_setup, rss_setup, t_prove, ps.witness_s, ps.commit_s, ps.gadgets_s, ps.open_s);
    printf("proof %zu bytes sha256 ", len);
    for (int i = 0; i < 32; i++)
        printf("%02x", h.b[i]);
    printf("\npeak RSS %.0f MiB\n", bench_peak_rss_mib());
    /* where the proof's bytes are: each commitment's opening (rows sent or
     * the committed row's root and sum-check, queried columns, Merkle
     * nodes), the committed rows' joint opening, the rest is sum-checks and
     * claims */
    const zki_pcs_commitment *com[2] = {&pk->vk.wcom, &pf.acom};
    const char *com_name[2] = {"weights", "advice"};
    size_t opened = 0;
    for (uint32_t c = 0; c < pf.open.n_parts && c < 2; c++) {
        const zki_pcs_proof_part *pp = &pf.open.parts[c];
        size_t rows = pp->has_rowc ? 36 + 16 * (2 * (size_t)pp->rc_rounds + 2)
                                   : (size_t)(pp->n_groups + pp->has_prox) * pp->row_len * 16;
        size_t cols = (size_t)pp->n_cols * pp->col_height * 8 + (pp->has_salt ? pp->n_cols * 32u : 0);
        size_t nodes = (size_t)pp->n_nodes * 32;
        opened += rows + cols + nodes;
        printf("%s: %llu cells, %llu rows of 2^%u, %u queries; opening %zu bytes (%s %zu, "
               "columns %zu, Merkle %zu)\n",
               com_name[c], (unsigned long long)com[c]->shape.data_rows << com[c]->shape.log_cols,
               (unsigned long long)com[c]->shape.rows, com[c]->shape.log_cols, com[c]->shape.queries,
               rows + cols + nodes, pp->has_rowc ? "row committed: root + sum-check" : "rows",
               rows, cols, nodes);
    }
    if (pf.open.inner) {
        uint8_t *ib;
        size_t il;
        if (zki_pcs_proof_to_bytes(pf.open.inner, &ib, &il) == ZKI_OK) {
            printf("committed rows' opening %zu bytes\n", il);
            opened += il;
            free(ib);
        }
    }
    printf("rest (sum-checks, lookups, claims) %zu bytes\n", len - opened);
    if (argc > 3 && zki_write_file_atomic(argv[3], buf, len, ZKI_FILE_PUBLIC) != ZKI_OK)
        return 1;
    free(buf);
    free(X);
    zki_proof_free(&pf);
    zki_pk_free(pk);
    return 0;
}
