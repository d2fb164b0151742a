/* prove MODEL.zkm KEY.zpk INPUT.npy -o PROOF.zkp [--private-input]
 * Runs the model on the input (a .npy or .pb file of floats; several
 * samples along a leading axis are proven as one batch), writes the proof
 * and prints the proven output. Exit 0 on success, 2 on bad usage or any
 * failure. Uses only zkinfer.h. */
#include <stdio.h>
#include <string.h>

#include <zkinfer.h>

static void print_output(const zki_proof *proof, const zki_vk *vk)
{
    uint32_t batch = 0, per = 0;
    if (zki_proof_output(proof, &batch, &per, NULL, NULL) != ZKI_OK || per == 0)
        return;
    float y[64];
    if ((size_t)batch * per > sizeof y / sizeof y[0]) {
        printf("output: %u samples of %u values\n", batch, per);
        return;
    }
    if (zki_proof_output_float(proof, vk, y, sizeof y / sizeof y[0]) != ZKI_OK)
        return;
    for (uint32_t b = 0; b < batch; b++) {
        uint32_t best = 0;
        printf("sample %u:", b);
        for (uint32_t e = 0; e < per; e++) {
            printf(" %.4g", y[b * per + e]);
            best = y[b * per + e] > y[b * per + best] ? e : best;
        }
        printf("  (argmax %u)\n", best);
    }
}

int main(int argc, char **argv)
{
    unsigned flags = 0;
    const char *pos[3] = {NULL, NULL, NULL}, *out = NULL;
    int npos = 0, bad = 0;
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "-o") && k + 1 < argc && !out)
            out = argv[++k];
        else if (!strcmp(argv[k], "--private-input"))
            flags |= ZKI_PROVE_PRIVATE_INPUT;
        else if (argv[k][0] != '-' && npos < 3)
            pos[npos++] = argv[k];
        else
            bad = 1;
    }
    if (bad || npos != 3 || !out) {
        fprintf(stderr, "usage: prove MODEL.zkm KEY.zpk INPUT.npy -o PROOF.zkp [--private-input]\n");
        return 2;
    }
    zki_model *model = NULL;
    zki_pk *pk = NULL;
    zki_proof *proof = NULL;
    float *x = NULL;
    uint32_t batch = 0;
    int rc = 2;
    /* the prover key is re-created from the model and the .zpk's seed; its
     * verification key (borrowed) says what input the model takes */
    if (zki_model_load(pos[0], &model) == ZKI_OK && zki_pk_load(model, pos[1], &pk) == ZKI_OK &&
        zki_input_load(zki_pk_vk(pk), pos[2], 0, &x, &batch) == ZKI_OK &&
        zki_prove_float(pk, x, batch, flags, &proof) == ZKI_OK && zki_proof_save(proof, out) == ZKI_OK) {
        print_output(proof, zki_pk_vk(pk));
        printf("wrote %s (batch %u, %s input)\n", out, batch, flags ? "private" : "public");
        rc = 0;
    } else {
        fprintf(stderr, "prove: %s\n", zki_last_error());
    }
    zki_free(x);
    zki_proof_destroy(proof);
    zki_pk_destroy(pk);
    zki_model_destroy(model);
    return rc;
}
