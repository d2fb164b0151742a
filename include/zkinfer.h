/* zkinfer: zero-knowledge proofs of neural-network inference.
 *
 * The only header users include; installed with the library (pkg-config
 * name `zkinfer`, CMake package `zkinfer`, target zkinfer::zkinfer). The
 * shared library exports exactly the functions declared here (ZKI_API).
 *
 * The flow (examples/ holds a prover and a verifier using only this file):
 *
 *   model  = ONNX file + calibration samples      zki_model_compile
 *            or a saved .zkm                      zki_model_load
 *   keys   = zki_keygen(model)  -> prover key (pk: secret) and
 *                                  verification key (vk: public)
 *   proof  = zki_prove_float(pk, input)           the output travels in it
 *   check  = zki_verify_float(vk, input, proof)   ZKI_OK or ZKI_ERR_VERIFY
 *
 * Conventions, for every function below:
 * - Handles (zki_model, zki_pk, zki_vk, zki_proof) are opaque. A function
 *   that creates one stores it in an out-argument only on ZKI_OK (else it
 *   stores NULL); the caller owns it and frees it with the matching
 *   *_destroy function, which accepts NULL. Handles are never shared with
 *   another handle: destroying one leaves the others valid, unless a
 *   function says it returns a borrowed pointer.
 * - Byte buffers and arrays the library allocates for the caller are freed
 *   with zki_free.
 * - Pointer arguments must not be NULL unless the comment says so; NULL
 *   where one is required returns ZKI_ERR_INPUT (never a crash).
 * - A failure returns a status other than ZKI_OK and sets a message naming
 *   what is at fault (the file, the argument, the byte offset...), read with
 *   zki_last_error() on the same thread. Messages are per thread; handles
 *   may be used from several threads only one call at a time per handle.
 * - The library never aborts or exits, and prints nothing.
 * - Files are written atomically (a temporary beside the destination,
 *   flushed, renamed): a failed write leaves the previous file as it was.
 *   Secret files (.zkm: the weights; .zpk: the hiding seed) get mode 0600.
 *
 * Not yet zero-knowledge: the weight commitment hides, but proofs leak
 * evaluations of weights and activations (docs/security.md). */
#ifndef ZKINFER_H
#define ZKINFER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ZKINFER_VERSION_MAJOR 0
#define ZKINFER_VERSION_MINOR 1
#define ZKINFER_VERSION_PATCH 0
/* The same as a string; zki_version() returns the library's own, which can
 * differ from this header's when an application runs against a newer
 * shared library. */
#define ZKINFER_VERSION "0.1.0"

/* ZKI_API marks the exported functions (the shared library is built with
 * -fvisibility=hidden, so nothing else is visible). ZKI_WARN_UNUSED makes
 * the compiler warn when a status is ignored. */
#if defined(__GNUC__) && __GNUC__ >= 4
#define ZKI_API __attribute__((visibility("default")))
#define ZKI_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define ZKI_API
#define ZKI_WARN_UNUSED
#endif

/* Every fallible function returns one of these; on failure a message naming
 * what is at fault is available from zki_last_error() (per thread). */
typedef enum {
    ZKI_OK = 0,
    ZKI_ERR_INPUT = 1,    /* malformed or out-of-range input, a NULL argument */
    ZKI_ERR_NOMEM = 2,    /* allocation failed */
    ZKI_ERR_VERIFY = 3,   /* a proof or claim was rejected */
    ZKI_ERR_IO = 4,       /* file could not be read or written */
    ZKI_ERR_UNSUPPORTED = 5
} zki_status;

/* A quantised model: the weights (secret) and everything to run it. */
typedef struct zki_model zki_model;
/* Prover key: the model's committed weights and the secret hiding seed. */
typedef struct zki_pk zki_pk;
/* Verification key: architecture, scales and the weight commitment; no
 * weights. Public. */
typedef struct zki_vk zki_vk;
/* A proof of one inference (a batch of samples); it carries the output. */
typedef struct zki_proof zki_proof;

/* ---- errors, version, memory -------------------------------------------- */

/* Returns the message of the last failure on this thread ("" if none). The
 * string is owned by the library and valid until the next call that fails
 * on this thread. */
ZKI_API const char *zki_last_error(void);

/* Returns a static name for a status code ("ok", "input", ...); never NULL. */
ZKI_API const char *zki_status_name(zki_status s);

/* Returns the library's version, "MAJOR.MINOR.PATCH" (static string). */
ZKI_API const char *zki_version(void);

/* Frees a buffer the library allocated for the caller (zki_vk_serialize,
 * zki_proof_serialize, zki_input_load). p may be NULL. */
ZKI_API void zki_free(void *p);

/* ---- models ------------------------------------------------------------- */

/* Flags of zki_model_compile (or them together; 0: int8 everywhere). */
#define ZKI_COMPILE_WEIGHTS16 1u     /* int16 weights instead of int8 */
#define ZKI_COMPILE_ACTIVATIONS16 2u /* int16 activations instead of int8 */

/* Imports an ONNX model, calibrates it and quantises it, as `zkinfer
 * compile` does (without writing files or the accuracy report).
 *
 * Returns: ZKI_OK; ZKI_ERR_IO (a file unreadable); ZKI_ERR_INPUT (bad
 *          arguments or calibration data); ZKI_ERR_UNSUPPORTED (an ONNX
 *          construct the importer or quantiser refuses); ZKI_ERR_NOMEM.
 * Args:    onnx_path:  the ONNX model (one input).
 *          calib_path: calibration samples: a .npy or ONNX .pb file (several
 *                      samples along its leading axis) or a folder of them;
 *                      NULL to pass them in memory instead.
 *          calib:      NULL when calib_path is given; else float samples in
 *                      C order, shaped by calib_shape, scaled as in training.
 *          calib_shape, calib_rank: the shape of calib (rank 1 to 8): the
 *                      model's input shape, or a batch of them along a
 *                      leading axis (the rule of zki_input_load). Ignored
 *                      when calib is NULL.
 *          flags:      ZKI_COMPILE_* or 0.
 * Out:     model: the new model (free with zki_model_destroy); NULL on
 *          failure.
 * Calibration data must be finite and not one constant. Exactly one of
 * calib_path and calib is given. The model may lie outside the provable
 * class: it compiles, and zki_keygen then says why it gets no keys. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_model_compile(const char *onnx_path, const char *calib_path,
                                                     const float *calib, const int64_t *calib_shape,
                                                     uint32_t calib_rank, unsigned flags, zki_model **model);

/* Reads a model saved by zki_model_save or `zkinfer compile` (.zkm).
 * Returns: ZKI_OK; ZKI_ERR_IO; ZKI_ERR_INPUT (not a valid .zkm).
 * Out:     model: free with zki_model_destroy; NULL on failure. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_model_load(const char *path, zki_model **model);

/* Writes the model to path (.zkm, mode 0600: it holds the weights).
 * Returns: ZKI_OK; ZKI_ERR_IO (the previous file is unchanged); ZKI_ERR_INPUT. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_model_save(const zki_model *model, const char *path);

/* Frees a model; NULL is allowed. Keys made from it stay valid. */
ZKI_API void zki_model_destroy(zki_model *model);

/* ---- keys --------------------------------------------------------------- */

/* Commits the model's weights: the prover key and the verification key.
 *
 * Returns: ZKI_OK; ZKI_ERR_UNSUPPORTED (the model is outside the provable
 *          class; the message names the node); ZKI_ERR_INPUT; ZKI_ERR_NOMEM.
 * Args:    model:  the compiled model (only read; it may be destroyed after).
 *          seed32: 32 bytes of hiding randomness, or NULL to draw them from
 *                  the operating system. The same model and seed give the
 *                  same keys.
 * Out:     pk: the prover key (free with zki_pk_destroy; keep it secret).
 *          vk: the verification key (free with zki_vk_destroy); may be NULL
 *              when only the prover key is wanted (zki_pk_vk lends its vk). */
ZKI_API ZKI_WARN_UNUSED zki_status zki_keygen(const zki_model *model, const unsigned char *seed32, zki_pk **pk,
                                              zki_vk **vk);

/* Writes the prover key file (.zpk, mode 0600): its seed and the digest of
 * its verification key (76 bytes; the weights come from the model).
 * Returns: ZKI_OK; ZKI_ERR_IO; ZKI_ERR_INPUT. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_pk_save(const zki_pk *pk, const char *path);

/* Re-creates a prover key from its model and its .zpk file (zki_pk_save or
 * `zkinfer compile`): the weights are committed again with the saved seed.
 * Returns: ZKI_OK; ZKI_ERR_IO; ZKI_ERR_INPUT (not a .zpk, or one made for
 *          another model); ZKI_ERR_UNSUPPORTED; ZKI_ERR_NOMEM.
 * Out:     pk: free with zki_pk_destroy; NULL on failure. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_pk_load(const zki_model *model, const char *path, zki_pk **pk);

/* Returns the verification key inside a prover key (borrowed: valid while
 * pk lives; never pass it to zki_vk_destroy), or NULL for a NULL pk. */
ZKI_API const zki_vk *zki_pk_vk(const zki_pk *pk);

/* Frees a prover key; NULL is allowed. */
ZKI_API void zki_pk_destroy(zki_pk *pk);

/* Writes the verification key file (.vk, public).
 * Returns: ZKI_OK; ZKI_ERR_IO; ZKI_ERR_INPUT. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_vk_save(const zki_vk *vk, const char *path);

/* Reads a .vk file (zki_vk_save or `zkinfer compile`), checking every
 * bound before allocating.
 * Returns: ZKI_OK; ZKI_ERR_IO; ZKI_ERR_INPUT (not a valid key).
 * Out:     vk: free with zki_vk_destroy; NULL on failure. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_vk_load(const char *path, zki_vk **vk);

/* The .vk file's bytes in memory.
 * Returns: ZKI_OK; ZKI_ERR_INPUT; ZKI_ERR_NOMEM.
 * Out:     bytes: malloc'd (free with zki_free); len: their count. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_vk_serialize(const zki_vk *vk, unsigned char **bytes, size_t *len);

/* Parses the bytes of zki_vk_serialize (the caller keeps them).
 * Returns: ZKI_OK; ZKI_ERR_INPUT (not a valid key); ZKI_ERR_NOMEM.
 * Out:     vk: free with zki_vk_destroy; NULL on failure. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_vk_parse(const unsigned char *bytes, size_t len, zki_vk **vk);

/* Returns the number of input values per sample of the model the key
 * proves (what zki_prove_float reads per sample), 0 for a NULL vk. */
ZKI_API size_t zki_vk_input_size(const zki_vk *vk);

/* Returns the number of output values per sample (0 for a NULL vk). */
ZKI_API size_t zki_vk_output_size(const zki_vk *vk);

/* Frees a verification key; NULL is allowed. */
ZKI_API void zki_vk_destroy(zki_vk *vk);

/* ---- inputs ------------------------------------------------------------- */

/* Reads a model input from a .npy or ONNX .pb file and checks it against
 * the key's input, with the CLI's rules: the model's input shape, a batch
 * of them along a new leading axis (or along the model's leading axis when
 * it is 1), or one sample as a flat vector; finite values. An integer file
 * (uint8, int8..int64, bool) is read as value * int_scale.
 *
 * Returns: ZKI_OK; ZKI_ERR_IO; ZKI_ERR_INPUT (shape, NaN/Inf, an integer
 *          file without int_scale, a float file with one, or a model that
 *          takes integers, e.g. token ids, rather than floats).
 * Args:    vk: the key whose input the file holds (for a prover, zki_pk_vk).
 *          path: the file.
 *          int_scale: > 0 to accept integer files; 0 to refuse them.
 * Out:     x: batch * zki_vk_input_size(vk) floats, malloc'd (free with
 *             zki_free); batch: the number of samples (at least 1). */
ZKI_API ZKI_WARN_UNUSED zki_status zki_input_load(const zki_vk *vk, const char *path, double int_scale, float **x,
                                                  uint32_t *batch);

/* ---- proving ------------------------------------------------------------ */

/* Flags of zki_prove_float and zki_prove_int (or them together). */
#define ZKI_PROVE_PRIVATE_INPUT 1u /* commit the input instead of publishing it:
                                    * the verifier then passes no input */
#define ZKI_PROVE_STRICT 2u        /* refuse float values outside the calibrated
                                    * range (else they are clamped to it) */

/* Runs the model on a batch of float inputs and proves the result. Floats
 * are quantised as `zkinfer prove` does: round(x / scale) clamped to the
 * input's calibrated range (the verifier applies the same rule).
 *
 * Returns: ZKI_OK; ZKI_ERR_INPUT (NaN/Inf, a batch out of range, with
 *          ZKI_PROVE_STRICT a value outside the range, a model taking
 *          integer input: use zki_prove_int); ZKI_ERR_NOMEM.
 * Args:    pk: the prover key. It serves ONE proof with hidden weights
 *              (docs/security.md): re-create it (zki_pk_load or zki_keygen)
 *              before the next proof.
 *          x:  batch * zki_vk_input_size(zki_pk_vk(pk)) floats, C order.
 *          batch: the number of samples (1 to 2^20), proven together.
 *          flags: ZKI_PROVE_* or 0.
 * Out:     proof: free with zki_proof_destroy; NULL on failure. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_prove_float(zki_pk *pk, const float *x, uint32_t batch, unsigned flags,
                                                   zki_proof **proof);

/* The same for input already quantised (the model's integers, each within
 * the input's bit range: the integers zki_proof_output gives for a
 * previous layer, or token ids). ZKI_PROVE_STRICT is ignored. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_prove_int(zki_pk *pk, const int64_t *x, uint32_t batch, unsigned flags,
                                                 zki_proof **proof);

/* The proof file's bytes (.zkp).
 * Returns: ZKI_OK; ZKI_ERR_INPUT; ZKI_ERR_NOMEM.
 * Out:     bytes: malloc'd (free with zki_free); len: their count. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_proof_serialize(const zki_proof *proof, unsigned char **bytes,
                                                       size_t *len);

/* Writes the proof file (.zkp). Returns: ZKI_OK; ZKI_ERR_IO; ZKI_ERR_INPUT. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_proof_save(const zki_proof *proof, const char *path);

/* Parses proof bytes against the key they claim to be for: counts and
 * shapes must be the ones the key implies (the caller keeps the bytes).
 * Returns: ZKI_OK; ZKI_ERR_VERIFY (not a proof for this key: malformed,
 *          truncated, another key's); ZKI_ERR_INPUT (NULL arguments);
 *          ZKI_ERR_NOMEM.
 * Out:     proof: free with zki_proof_destroy; NULL on failure. Parsing
 *          alone proves nothing: call zki_verify_float or zki_verify_int. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_proof_parse(const zki_vk *vk, const unsigned char *bytes, size_t len,
                                                   zki_proof **proof);

/* Reads and parses a proof file; a file larger than any proof the key
 * allows for the batch its header names is refused unread.
 * Returns: as zki_proof_parse, and ZKI_ERR_IO for an unreadable file. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_proof_load(const zki_vk *vk, const char *path, zki_proof **proof);

/* Frees a proof; NULL is allowed. */
ZKI_API void zki_proof_destroy(zki_proof *proof);

/* ---- verifying ---------------------------------------------------------- */

/* Checks that the proof's output is the committed model applied to x.
 *
 * Returns: ZKI_OK (the proof is valid); ZKI_ERR_VERIFY (it is not: the
 *          message says why, e.g. another input, another key, a bad
 *          sum-check); ZKI_ERR_INPUT (NULL key or proof, NaN/Inf in x, x
 *          given for a proof of a private input); ZKI_ERR_NOMEM.
 * Args:    vk:    the verification key.
 *          x:     the public input: batch * zki_vk_input_size(vk) floats,
 *                 quantised with the prover's rule; NULL for a proof made
 *                 with ZKI_PROVE_PRIVATE_INPUT.
 *          batch: the number of samples in x (ignored when x is NULL); a
 *                 proof of another batch is rejected.
 *          proof: from zki_proof_parse or zki_proof_load with this vk. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_verify_float(const zki_vk *vk, const float *x, uint32_t batch,
                                                    const zki_proof *proof);

/* The same with the quantised input (as given to zki_prove_int). */
ZKI_API ZKI_WARN_UNUSED zki_status zki_verify_int(const zki_vk *vk, const int64_t *x, uint32_t batch,
                                                  const zki_proof *proof);

/* The proven output, as the model's integers. Trust it only after a
 * verify function returned ZKI_OK for this proof.
 * Returns: ZKI_OK; ZKI_ERR_INPUT (NULL proof).
 * Out (each may be NULL): batch: samples; per_sample: values per sample;
 *          values: batch * per_sample integers, borrowed (valid while the
 *          proof lives); private_input: 1 when the input was committed. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_proof_output(const zki_proof *proof, uint32_t *batch, uint32_t *per_sample,
                                                    const int64_t **values, int *private_input);

/* The proven output dequantised (value * the key's output scale; the
 * integers themselves for a model without one).
 * Returns: ZKI_OK; ZKI_ERR_INPUT (NULL arguments, n too small, or a proof
 *          for another key).
 * Args:    out: room for n floats, n >= batch * per_sample of the proof. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_proof_output_float(const zki_proof *proof, const zki_vk *vk, float *out,
                                                          size_t n);

#ifdef __cplusplus
}
#endif
#endif
