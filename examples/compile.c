/* compile MODEL.onnx CALIB.npy OUT.zkm: imports and quantises an ONNX model,
 * commits its weights and writes OUT.zkm (the model, secret), OUT.vk (the
 * verification key, public) and OUT.zpk (the prover key, secret).
 * Exit 0 on success, 2 on bad usage or any failure. Uses only zkinfer.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zkinfer.h>

/* path with its last 4 characters (".zkm") replaced by ext; malloc'd */
static char *with_ext(const char *path, const char *ext)
{
    size_t n = strlen(path) - 4;
    char *s = malloc(n + strlen(ext) + 1);
    if (s) {
        memcpy(s, path, n);
        strcpy(s + n, ext);
    }
    return s;
}

int main(int argc, char **argv)
{
    size_t n = argc == 4 ? strlen(argv[3]) : 0;
    if (n < 5 || strcmp(argv[3] + n - 4, ".zkm")) {
        fprintf(stderr, "usage: compile MODEL.onnx CALIB.npy OUT.zkm\n");
        return 2;
    }
    char *vk_path = with_ext(argv[3], ".vk"), *pk_path = with_ext(argv[3], ".zpk");
    zki_model *model = NULL;
    zki_pk *pk = NULL;
    zki_vk *vk = NULL;
    int rc = 2;
    /* calibration from a file; zki_model_compile also takes floats in memory */
    if (vk_path && pk_path && zki_model_compile(argv[1], argv[2], NULL, NULL, 0, 0, &model) == ZKI_OK &&
        zki_keygen(model, NULL, &pk, &vk) == ZKI_OK && zki_model_save(model, argv[3]) == ZKI_OK &&
        zki_vk_save(vk, vk_path) == ZKI_OK && zki_pk_save(pk, pk_path) == ZKI_OK) {
        printf("wrote %s, %s and %s (%zu inputs, %zu outputs per sample)\n", argv[3], vk_path, pk_path,
               zki_vk_input_size(vk), zki_vk_output_size(vk));
        rc = 0;
    } else {
        fprintf(stderr, "compile: %s\n", zki_last_error());
    }
    zki_vk_destroy(vk);
    zki_pk_destroy(pk);
    zki_model_destroy(model);
    free(vk_path);
    free(pk_path);
    return rc;
}
