/* The public API's implementation (include/zkinfer.h): thin wrappers over
 * the front end (onnx/, quant/) and the protocol (prover/, verifier/).
 *
 * A zki_model owns a zki_qmodel; zki_pk, zki_vk and zki_proof are the
 * protocol's own structs (struct zki_pk etc.), allocated here for a vk or a
 * proof (the protocol keeps those by value). Every field of the protocol's
 * key the API reads (input shape, scales, key digest) is read through the
 * accessors of api_vk.c, so a change of the key's layout touches one file. */
#ifndef ZKI_API_API_H
#define ZKI_API_API_H

#include <stdint.h>

#include "common/error.h"
#include "prover/setup.h"
#include "quant/qmodel.h"

struct zki_model {
    zki_qmodel *q;
};

/* The model input a key proves: its shape, scale (real = q * scale; 0: the
 * model takes raw integers) and bit range |q| <= qmax. */
typedef struct {
    int rank;
    int64_t dims[ZKI_QMAX_RANK];
    double scale;
    int64_t qmax;
} zki_api_input;

/* ZKI_OK, or ZKI_ERR_INPUT when the key's input shape disagrees with its
 * first layer (api_vk.c). */
zki_status zki_api_input_of(const zki_vk *vk, zki_api_input *in);
/* The key's output scale (0: none) and its digest. */
double zki_api_out_scale(const zki_vk *vk);
const uint8_t *zki_api_vk_digest(const zki_vk *vk);
/* A heap copy of the vk inside a prover key (serialised and parsed back). */
zki_status zki_api_vk_copy(const zki_vk *src, zki_vk **out);

/* Quantises n floats with the prover's rule (zki_quant_value) into *q
 * (malloc'd). strict: a value outside the range is refused. fn names the
 * calling function in messages. */
zki_status zki_api_quantise(const zki_vk *vk, const float *x, uint32_t batch, int strict, const char *fn,
                            int64_t **q);

/* ZKI_ERR_INPUT "FN: NAME is NULL" when p is NULL. */
#define ZKI_API_NEED(p, fn)                                                    \
    do {                                                                       \
        if (!(p))                                                              \
            return zki_fail(ZKI_ERR_INPUT, "%s: %s is NULL", (fn), #p);        \
    } while (0)

#endif
