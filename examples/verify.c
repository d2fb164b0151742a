/* verify KEY.vk PROOF.zkp [INPUT.npy]
 * Checks the proof against the verification key and the input (omit it for
 * a proof of a private input) and prints the verified output.
 * Exit 0: the proof verifies; 1: it does not (the reason on stderr);
 * 2: bad usage or an unreadable key or input. Uses only zkinfer.h. */
#include <stdio.h>

#include <zkinfer.h>

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: verify KEY.vk PROOF.zkp [INPUT.npy]\n");
        return 2;
    }
    zki_vk *vk = NULL;
    zki_proof *proof = NULL;
    float *x = NULL, y[64];
    uint32_t batch = 0, n_batch = 0, per = 0;
    int rc = 2;
    zki_status st = zki_vk_load(argv[1], &vk);
    if (st == ZKI_OK && argc == 4)
        st = zki_input_load(vk, argv[3], 0, &x, &batch);
    if (st == ZKI_OK)
        st = zki_proof_load(vk, argv[2], &proof); /* ZKI_ERR_VERIFY: not a proof for this key */
    if (st == ZKI_OK)
        st = zki_verify_float(vk, x, batch, proof);
    if (st == ZKI_OK) {
        rc = 0;
        if (zki_proof_output(proof, &n_batch, &per, NULL, NULL) == ZKI_OK && (size_t)n_batch * per <= 64 &&
            zki_proof_output_float(proof, vk, y, 64) == ZKI_OK)
            for (uint32_t b = 0; b < n_batch; b++) {
                printf("verified sample %u:", b);
                for (uint32_t e = 0; e < per; e++)
                    printf(" %.4g", y[b * per + e]);
                printf("\n");
            }
        printf("proof verified\n");
    } else {
        rc = st == ZKI_ERR_VERIFY ? 1 : 2;
        fprintf(stderr, "verify: %s%s\n", rc == 1 ? "REJECTED: " : "", zki_last_error());
    }
    zki_free(x);
    zki_proof_destroy(proof);
    zki_vk_destroy(vk);
    return rc;
}
