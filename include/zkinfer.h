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
 * Around it, what a tool needs (the `zkinfer` command uses nothing else):
 * compiling with a report and an accuracy check (zki_model_compile_opts),
 * provability (zki_model_check_provable), running without proving
 * (zki_model_run), model and key metadata (zki_model_info, zki_vk_info),
 * tensor files and the input rule (zki_array_load, zki_input_batch,
 * zki_quantize_value), writing a model with its keys (zki_model_save_with_keys)
 * and describing any zkinfer file (zki_inspect_file).
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
 * Proofs are zero-knowledge: a proof reveals nothing about the weights (or
 * a private input) beyond the key, the public input and the output, for as
 * many proofs as the key's budget allows (docs/security.md, "Zero
 * knowledge"). */
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
/* The version of the .zkm model files this header's library writes. */
#define ZKINFER_ZKM_VERSION 2

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

/* The largest rank of a model's input or output, and the largest batch one
 * call runs or proves. */
#define ZKI_MAX_DIMS 8
#define ZKI_BATCH_MAX (1u << 20)

/* Called as work advances (a progress display): stage names the step
 * ("calibration", "layer", ...), done of total steps of it are finished.
 * ctx is the pointer given with the callback. It must not call the library. */
typedef void (*zki_progress_fn)(void *ctx, const char *stage, uint32_t done, uint32_t total);

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
 * zki_proof_serialize, zki_input_load, zki_model_run, zki_inspect_file...).
 * p may be NULL. */
ZKI_API void zki_free(void *p);

/* ---- models ------------------------------------------------------------- */

/* Flags of zki_model_compile (or them together; 0: int8 everywhere). */
#define ZKI_COMPILE_WEIGHTS16 1u     /* int16 weights instead of int8 */
#define ZKI_COMPILE_ACTIVATIONS16 2u /* int16 activations instead of int8 */
/* every Conv / Linear requantises its own output, also one whose only
 * reader is an Add (by default such a layer hands the Add its exact
 * accumulator: one rounding instead of two, and a smaller proof) */
#define ZKI_COMPILE_REQUANT_EACH_LAYER 4u

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

/* The accuracy of a quantised model against its float original, on a set
 * of samples (zki_model_compile_opts). */
typedef struct {
    int samples;        /* samples compared */
    int rows;           /* argmax rows compared (the last axis of output 0) */
    double top1;        /* fraction of rows whose argmax agrees, in [0, 1] */
    double cos_mean;    /* cosine similarity of the outputs: mean and minimum */
    double cos_min;
    double max_abs_err; /* largest |float - dequantised integer| output */
} zki_accuracy_report;

/* Options of zki_model_compile_opts; zero them (memset or = {0}) and set
 * what is wanted. */
typedef struct {
    unsigned flags;            /* ZKI_COMPILE_* or 0 */
    const char *eval_path;     /* samples for the accuracy report (as calib_path;
                                * read only when the accuracy is asked for);
                                * NULL: the calibration samples */
    zki_progress_fn progress;  /* quantisation progress, or NULL */
    void *progress_ctx;
    /* Receives the report as it is made, or NULL: first the imported graph's
     * summary (one text, lines ending in a newline; given before the
     * calibration data is read), then the quantised model's. text is
     * borrowed for the call. */
    void (*report)(void *ctx, const char *text);
    void *report_ctx;
} zki_compile_options;

/* zki_model_compile with calibration data in files, the report and the
 * accuracy of the quantised model, as `zkinfer compile` prints them.
 *
 * Returns: as zki_model_compile.
 * Args:    onnx_path, calib_path: as zki_model_compile (calib_path required).
 *          opts: the options, or NULL for none.
 * Out:     model: free with zki_model_destroy; NULL on failure.
 *          accuracy: when not NULL, the quantised model's accuracy on the
 *              eval (or calibration) samples; set on ZKI_OK.
 *          failed_step: when not NULL, on failure the step that failed, a
 *              static string: "import", "calibration", "eval",
 *              "quantisation" or "accuracy"; NULL on ZKI_OK. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_model_compile_opts(const char *onnx_path, const char *calib_path,
                                                          const zki_compile_options *opts, zki_model **model,
                                                          zki_accuracy_report *accuracy,
                                                          const char **failed_step);

/* Whether keys can be made for the model (zki_keygen would accept it),
 * without committing anything.
 * Returns: ZKI_OK (provable); ZKI_ERR_UNSUPPORTED (outside the provable
 *          class: zki_last_error() says why, naming the nodes);
 *          ZKI_ERR_INPUT (NULL model); ZKI_ERR_NOMEM. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_model_check_provable(const zki_model *model);

/* Returns the provable class in words, one sentence without its final
 * period (static string): what zki_model_check_provable accepts. */
ZKI_API const char *zki_provable_class(void);

/* A model's input or output: shape, scale and integer range. */
typedef struct {
    uint32_t rank;              /* 0 to ZKI_MAX_DIMS */
    int64_t dims[ZKI_MAX_DIMS]; /* the first rank entries are the shape */
    double scale;               /* real value = integer * scale; 0: raw integers
                                 * (e.g. token ids), nothing to dequantise */
    uint32_t bits;              /* the integers lie in [-(2^(bits-1) - 1),
                                 * 2^(bits-1) - 1]; 64: any int64 */
} zki_tensor_info;

/* What a model or a verification key says about itself. */
typedef struct {
    uint32_t n_inputs;       /* inputs of the model (the API runs and proves
                              * one-input models; a key always has 1) */
    zki_tensor_info input;   /* input 0 */
    zki_tensor_info output;  /* output 0 */
    int classifier;          /* key only: 1 when the output is a vector of
                              * scores (one axis of more than one value: its
                              * argmax is a class), 0 for a map (e.g. a Conv's
                              * channels by height by width) */
    uint64_t weight_bytes;   /* key only: the committed weights' size in bytes */
    uint32_t zk_proofs;      /* key only: the zero-knowledge proofs it was made for
                              * (zki_keygen_options.zk_proofs) */
} zki_info;

/* Describes a model (zki_model_info) or a key (zki_vk_info); fields marked
 * "key only" are 0 for a model.
 * Returns: ZKI_OK; ZKI_ERR_INPUT (NULL arguments, or a key whose input
 *          shape disagrees with its first layer).
 * Out:     info: filled on ZKI_OK. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_model_info(const zki_model *model, zki_info *info);

/* Runs the integer model (bit for bit what the prover proves) on a batch,
 * without proving.
 *
 * Returns: ZKI_OK; ZKI_ERR_INPUT (NULL arguments, batch outside [1,
 *          ZKI_BATCH_MAX], a value outside the input's bit range);
 *          ZKI_ERR_UNSUPPORTED (a model with several inputs); ZKI_ERR_NOMEM.
 * Args:    model: the model.
 *          x:     batch * (the input's element count) integers, C order:
 *                 quantised input (zki_quantize_value) or token ids.
 *          batch: samples in x, run one after another.
 * Out:     y:     batch * per_sample output integers, malloc'd (free with
 *                 zki_free).
 *          yf:    the same dequantised (integer * output scale; the
 *                 integers themselves when it has none), malloc'd (free with
 *                 zki_free); NULL when not wanted.
 *          per_sample: output values per sample (output 0's element count).
 * On failure the out-arguments are NULL / 0. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_model_run(const zki_model *model, const int64_t *x, uint32_t batch,
                                                 int64_t **y, float **yf, size_t *per_sample);

/* ---- keys --------------------------------------------------------------- */

/* Commits the model's weights: the prover key and the verification key,
 * for ZKINFER_ZK_PROOFS_DEFAULT zero-knowledge proofs (zki_keygen_opts
 * sets another number).
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

/* Zero-knowledge proofs a key serves by default (zki_keygen, `zkinfer
 * compile`), and at most. Each proof opens some
 * columns of the weight commitment; its rows are padded with enough random
 * coefficients to keep the columns of zk_proofs proofs uniform (docs/zk.md,
 * "Weight columns across proofs"). The budget is per key, across every
 * process that ever proves with it: count the proofs and compile a new key
 * before it is spent (past it the weights' privacy degrades). A larger
 * budget makes the weight rows longer: the commitment, the .zpk and the
 * prover's opening grow with it (VGG-16: about 3% more proof and prover
 * time at 16, twice the commitment and .zpk from 64 on). */
#define ZKINFER_ZK_PROOFS_DEFAULT 16u
#define ZKINFER_ZK_PROOFS_MAX (1u << 20)

/* Options of zki_keygen_opts; zero them (memset or = {0}) and set what is
 * wanted. */
typedef struct {
    uint32_t zk_proofs; /* zero-knowledge proofs the key serves, 1 to
                         * ZKINFER_ZK_PROOFS_MAX; 0: ZKINFER_ZK_PROOFS_DEFAULT */
} zki_keygen_options;

/* zki_keygen with options (NULL: the defaults, what zki_keygen does).
 * Returns: as zki_keygen; ZKI_ERR_INPUT also for a zk_proofs above
 *          ZKINFER_ZK_PROOFS_MAX or one whose padded weight rows make the
 *          commitment too large (the message says so). */
ZKI_API ZKI_WARN_UNUSED zki_status zki_keygen_opts(const zki_model *model, const unsigned char *seed32,
                                                   const zki_keygen_options *opts, zki_pk **pk, zki_vk **vk);

/* Writes the prover key file (.zpk, mode 0600): its seed, the digest of
 * its verification key, and the weight commitment's Merkle leaves with the
 * digest of the weights they commit (8 MB for ResNet-50; the weights
 * themselves come from the model).
 * Returns: ZKI_OK; ZKI_ERR_IO; ZKI_ERR_INPUT. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_pk_save(const zki_pk *pk, const char *path);

/* Re-creates a prover key from its model and its .zpk file (zki_pk_save or
 * `zkinfer compile`): when the model's weights are the ones the file
 * saved, the commitment is rebuilt from its saved leaves (no encoding);
 * else the weights are committed again with the saved seed.
 * Returns: ZKI_OK; ZKI_ERR_IO; ZKI_ERR_INPUT (not a .zpk, or one made for
 *          another model); ZKI_ERR_UNSUPPORTED; ZKI_ERR_NOMEM.
 * Out:     pk: free with zki_pk_destroy; NULL on failure. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_pk_load(const zki_model *model, const char *path, zki_pk **pk);

/* Returns the verification key inside a prover key (borrowed: valid while
 * pk lives; never pass it to zki_vk_destroy), or NULL for a NULL pk. */
ZKI_API const zki_vk *zki_pk_vk(const zki_pk *pk);

/* Frees a prover key; NULL is allowed. */
ZKI_API void zki_pk_destroy(zki_pk *pk);

/* Writes a compiled model and its keys together, all or none: every file
 * is written to a temporary first, and only when all are written are they
 * renamed into place, so a failure leaves the files of an earlier compile
 * as they were (no new model beside old keys).
 * Returns: ZKI_OK; ZKI_ERR_IO (nothing was changed; the message says so,
 *          unless a rename failed after others were done: a vanished
 *          folder); ZKI_ERR_INPUT; ZKI_ERR_NOMEM.
 * Args:    model:    the model, written to zkm_path (mode 0600).
 *          pk:       its prover key (zki_keygen), or NULL to write the model
 *                    alone (vk_path and zpk_path are then ignored).
 *          vk_path:  the verification key's file (public).
 *          zpk_path: the prover key's file (mode 0600). */
ZKI_API ZKI_WARN_UNUSED zki_status zki_model_save_with_keys(const zki_model *model, const zki_pk *pk,
                                                            const char *zkm_path, const char *vk_path,
                                                            const char *zpk_path);

/* Reads a .zpk file without its model: the hiding seed and the digest of
 * the verification key it was made with. zki_keygen_opts(model, seed32,
 * with the key's zk_proofs (zki_vk_info of its .vk), ...) then re-creates
 * the key, which is the right one when zki_vk_digest of its vk equals
 * vk_digest (zki_pk_load does both).
 * Returns: ZKI_OK; ZKI_ERR_IO; ZKI_ERR_INPUT (not a .zpk).
 * Out:     seed32: 32 bytes (secret); vk_digest: 32 bytes. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_pk_file_read(const char *path, unsigned char seed32[32],
                                                    unsigned char vk_digest[32]);

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

/* See zki_model_info: the input and output of the model the key proves,
 * whether its output is a classifier's and the committed weights' size. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_vk_info(const zki_vk *vk, zki_info *info);

/* The key's digest (SHA-256 of its contents), which proofs and .zpk files
 * name.
 * Returns: ZKI_OK; ZKI_ERR_INPUT (NULL arguments).
 * Out:     digest: 32 bytes. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_vk_digest(const zki_vk *vk, unsigned char digest[32]);

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

/* An array read from a file (zki_array_load) or to write (zki_array_save). */
typedef struct {
    uint32_t rank;              /* 0 to ZKI_MAX_DIMS */
    int64_t dims[ZKI_MAX_DIMS];
    const char *dtype; /* the file's element type, a static string: "float32",
                        * "float16", "float64", "uint8", "int8", "uint16",
                        * "int16", "uint32", "int32", "uint64", "int64", "bool" */
    float *f;          /* the values of a float file, or NULL */
    int64_t *i;        /* the values of an integer or bool file, or NULL */
    size_t n;          /* the element count (the product of dims) */
} zki_array;

/* Reads a tensor file as it is: a .npy array or an ONNX TensorProto .pb
 * (told by its first bytes), checking nothing about any model.
 * Returns: ZKI_OK; ZKI_ERR_IO; ZKI_ERR_INPUT (malformed, an unsupported
 *          dtype); ZKI_ERR_NOMEM.
 * Out:     a: filled on ZKI_OK, exactly one of a->f and a->i set; release
 *          with zki_array_clear. Zeroed on failure. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_array_load(const char *path, zki_array *a);

/* Reads a .npy array held in memory (a request body, say), bytes[0..len),
 * as zki_array_load reads a .npy file: the header as numpy writes it and
 * nothing numpy would read differently (each of 'descr', 'fortran_order'
 * and 'shape' once, no other key, C order).
 * Returns: ZKI_OK; ZKI_ERR_INPUT (NULL arguments, malformed, truncated, a
 *          float64 beyond float32's range); ZKI_ERR_UNSUPPORTED (a dtype
 *          or Fortran order it does not read); ZKI_ERR_NOMEM.
 * Out:     a: as zki_array_load fills it; zeroed on failure. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_array_parse(const void *bytes, size_t len, zki_array *a);

/* Frees the values of an array from zki_array_load or zki_array_parse and
 * zeroes it; NULL is allowed. */
ZKI_API void zki_array_clear(zki_array *a);

/* Writes a .npy file (public): float32 from a->f, or int64 from a->i when
 * a->f is NULL, shaped by a->rank and a->dims (a->dtype and a->n are not
 * read).
 * Returns: ZKI_OK; ZKI_ERR_IO (the previous file is unchanged);
 *          ZKI_ERR_INPUT (NULL arguments, a rank over ZKI_MAX_DIMS). */
ZKI_API ZKI_WARN_UNUSED zki_status zki_array_save(const char *path, const zki_array *a);

/* The input rule of zki_input_load and the CLI: how many samples an array
 * of shape (rank, dims) holds for a model input (its shape; a batch of
 * them along a new leading axis, or along the model's leading axis when
 * that is 1; one sample as a flat vector; for a flat model input [K] or
 * [1,K], any [B, ...] of K values per sample).
 * Returns: ZKI_OK; ZKI_ERR_INPUT (no such shape: the message says what is
 *          wrong, naming the array by name).
 * Args:    input: the model's input (zki_info.input).
 *          rank, dims: the array's shape.
 *          name: the array's name in messages (e.g. its file).
 * Out:     batch: the number of samples (checked against nothing). */
ZKI_API ZKI_WARN_UNUSED zki_status zki_input_batch(const zki_tensor_info *input, uint32_t rank, const int64_t *dims,
                                                   const char *name, int64_t *batch);

/* The prover's quantisation of one real value: round(x / scale) clamped to
 * [-(2^(bits-1) - 1), 2^(bits-1) - 1] (what zki_prove_float does).
 * Returns: the integer; 0 for a scale that is not a positive number.
 * Args:    x: a finite value; scale, bits: the input's (zki_tensor_info).
 *          clamped: when not NULL, set to 1 when x was outside the range and
 *          clamped, else 0. */
ZKI_API int64_t zki_quantize_value(double x, double scale, uint32_t bits, int *clamped);

/* ---- proving ------------------------------------------------------------ */

/* Flags of zki_prove_float and zki_prove_int (or them together). */
#define ZKI_PROVE_PRIVATE_INPUT 1u /* commit the input instead of publishing it:
                                    * the verifier then passes no input */
#define ZKI_PROVE_STRICT 2u        /* refuse float values outside the calibrated
                                    * range (else they are clamped to it) */
#define ZKI_PROVE_PRIVATE_OUTPUT 4u /* commit the output instead of publishing it:
                                     * the proof carries no output values
                                     * (zki_proof_output gives none), the verifier
                                     * sees a hiding commitment made afresh in
                                     * each proof */

/* Runs the model on a batch of float inputs and proves the result. Floats
 * are quantised as `zkinfer prove` does: round(x / scale) clamped to the
 * input's calibrated range (the verifier applies the same rule).
 *
 * Returns: ZKI_OK; ZKI_ERR_INPUT (NaN/Inf, a batch out of range, with
 *          ZKI_PROVE_STRICT a value outside the range, a model taking
 *          integer input: use zki_prove_int; a key whose proofs are
 *          spent); ZKI_ERR_NOMEM.
 * Args:    pk: the prover key. It serves the zero-knowledge proofs it was
 *              made for (zki_info.zk_proofs, zki_keygen_options): past
 *              them a call fails with ZKI_ERR_INPUT. The count lives in
 *              this handle only; the budget is the key's across every
 *              process: zki_pk_load starts counting from 0 again, so count
 *              the proofs yourself and compile a new key in time.
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

/* Kinds of proven node (zki_node_kind_name): the breakdown's rows. */
#define ZKI_NODE_KIND_COUNT 10

/* Time spent in the steps of a proof, in seconds (zki_prove_int_ex,
 * zki_proof_timings). */
typedef struct {
    double witness_s; /* integer inference and the lookup sites */
    double commit_s;  /* the advice commitment */
    double gadgets_s; /* the layers' sum-checks, the lookups and the argmax */
    double open_s;    /* the commitment openings */
    double lookups_s; /* of gadgets_s: the lookup arguments (range, tables, index maps) */
    double argmax_s;  /* of gadgets_s: a generation proof's argmax check */
    double zk_s;      /* zero knowledge's final argument: the replay of the
                       * verifier's checks, the products' commitment, the
                       * argument (docs/zk.md) */
    /* per node kind k < ZKI_NODE_KIND_COUNT: how many nodes, their part of
     * witness_s and their sum-checks' part of gadgets_s */
    unsigned kind_nodes[ZKI_NODE_KIND_COUNT];
    double kind_witness_s[ZKI_NODE_KIND_COUNT];
    double kind_prove_s[ZKI_NODE_KIND_COUNT];
} zki_prove_timings;

/* A node kind's name and what it carries in a model, e.g. "Conv" and
 * "Linear, Conv, LayerNorm sums" (static strings; "?" beyond the kinds). */
ZKI_API const char *zki_node_kind_name(unsigned kind, const char **carries);

/* The timings of the proof's making (zki_prove_*, zki_generate): zeros for
 * a proof read from bytes.
 * Returns: ZKI_OK; ZKI_ERR_INPUT (NULL arguments). */
ZKI_API ZKI_WARN_UNUSED zki_status zki_proof_timings(const zki_proof *proof, zki_prove_timings *timings);

/* zki_prove_int with progress reports and timings.
 * Args:    as zki_prove_int; progress: called after the witness, the
 *          commitment, each layer and the openings (NULL: none), with
 *          progress_ctx.
 * Out:     timings: when not NULL, the steps' times (set on ZKI_OK);
 *          proof: as zki_prove_int. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_prove_int_ex(zki_pk *pk, const int64_t *x, uint32_t batch, unsigned flags,
                                                    zki_progress_fn progress, void *progress_ctx,
                                                    zki_prove_timings *timings, zki_proof **proof);

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

/* Returns the size of the proof's file in bytes (what zki_proof_save
 * writes), 0 for a NULL proof or when out of memory. */
ZKI_API size_t zki_proof_size(const zki_proof *proof);

/* ---- verifying ---------------------------------------------------------- */

/* Checks that the proof's output is the committed model applied to x. For
 * a proof made with ZKI_PROVE_PRIVATE_OUTPUT: that the output committed in
 * the proof is (its values are not in the proof and not checked against
 * anything the caller holds).
 *
 * Returns: ZKI_OK (the proof is valid); ZKI_ERR_VERIFY (it is not: the
 *          message says why, e.g. another input, another key, a bad
 *          sum-check); ZKI_ERR_INPUT (NULL key or proof, NaN/Inf in x, x
 *          given for a proof of a private input, a proof of a generation:
 *          use zki_verify_generation); ZKI_ERR_NOMEM.
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
 * verify function returned ZKI_OK for this proof. A proof made with
 * ZKI_PROVE_PRIVATE_OUTPUT has no output: per_sample is 0 and values NULL
 * (zki_proof_output_float fails, saying so).
 * Returns: ZKI_OK; ZKI_ERR_INPUT (NULL proof).
 * Out (each may be NULL): batch: samples; per_sample: values per sample
 *          (0: none in the proof); values: batch * per_sample integers,
 *          borrowed (valid while the proof lives), NULL for a private
 *          output; private_input: 1 when the input was committed. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_proof_output(const zki_proof *proof, uint32_t *batch, uint32_t *per_sample,
                                                    const int64_t **values, int *private_input);

/* The proven output dequantised (value * the key's output scale; the
 * integers themselves for a model without one).
 * Returns: ZKI_OK; ZKI_ERR_INPUT (NULL arguments, n too small, a proof for
 *          another key, or one of a private output: it holds no values).
 * Args:    out: room for n floats, n >= batch * per_sample of the proof. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_proof_output_float(const zki_proof *proof, const zki_vk *vk, float *out,
                                                          size_t n);

/* ---- generation (language models) --------------------------------------- */

/* Greedy generation, proven. The model maps token ids [1, T] (int64) to
 * logits [1, T, V] of at most 16 bits (`zkinfer compile` of a causal
 * language model). Starting from the prompt, max_new times: run the model
 * and append the index of the first largest logit at the last position.
 * Then one proof over one forward pass of the prompt, the new ids and
 * zeros after them shows that every new id is the argmax (ties to the
 * lowest index) of the logits at the position before it; the logits stay
 * hidden (docs/protocol.md, "Generation").
 *
 * Returns: ZKI_OK; ZKI_ERR_UNSUPPORTED (not such a model: the message says
 *          what differs); ZKI_ERR_INPUT (n_prompt or max_new 0, n_prompt +
 *          max_new > T, an id outside the vocabulary); ZKI_ERR_NOMEM.
 * Args:    pk: the prover key (one proof of its budget, as zki_prove_int).
 *          prompt: n_prompt token ids.
 *          progress: called after each new token ("token", k, max_new) and
 *          at the proof's stages (NULL: none), with progress_ctx.
 * Out:     proof: free with zki_proof_destroy; NULL on failure; the new ids
 *          from zki_proof_generated. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_generate(zki_pk *pk, const int64_t *prompt, uint32_t n_prompt,
                                                uint32_t max_new, zki_progress_fn progress, void *progress_ctx,
                                                zki_proof **proof);

/* Checks a generation proof against the key and the prompt it continues.
 * Returns: ZKI_OK (valid: the ids of zki_proof_generated are the greedy
 *          continuation); ZKI_ERR_VERIFY (not valid: the message says why,
 *          e.g. another prompt); ZKI_ERR_INPUT (NULL arguments, a plain
 *          proof: use zki_verify_int); ZKI_ERR_NOMEM. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_verify_generation(const zki_vk *vk, const int64_t *prompt, uint32_t n_prompt,
                                                         const zki_proof *proof);

/* A generation proof's new ids (trust them only after
 * zki_verify_generation returned ZKI_OK).
 * Returns: ZKI_OK; ZKI_ERR_INPUT (NULL proof).
 * Out (each may be NULL): ids: borrowed (valid while the proof lives);
 *          n: their count (0 for a plain proof); n_prompt: the prompt's
 *          length. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_proof_generated(const zki_proof *proof, const int64_t **ids, uint32_t *n,
                                                       uint32_t *n_prompt);

/* ---- inspecting files --------------------------------------------------- */

/* Describes any file zkinfer reads, as `zkinfer inspect` prints it: a .zkm
 * model (its layers), a .vk key (architecture, scales, commitment, the
 * verifier's cost bound), a .zpk prover key (nothing secret), a .zkp
 * proof's header (key and input digests, batch, private or public input,
 * the claimed outputs; the proof itself is checked only by verifying), an
 * ONNX model (the prepared graph) or a .npy / .pb tensor (dtype, shape).
 * The kind is told by the first bytes, not the name; each kind is read only
 * up to its largest valid size.
 *
 * Returns: ZKI_OK; ZKI_ERR_IO (unreadable, too large for its kind);
 *          ZKI_ERR_INPUT (malformed; a file named .vk/.zkp/.zpk/.zkm/.npy
 *          without that format's first bytes; an unknown format; a proof
 *          of another format version); ZKI_ERR_UNSUPPORTED (an ONNX model
 *          the importer refuses); ZKI_ERR_NOMEM. The message names path.
 * Args:    path: the file.
 * Out:     report: the description, lines ending in a newline, malloc'd
 *              (free with zki_free); NULL on failure.
 *          notes: NULL, or warnings for a person (a name that claims
 *              another format than the file holds), "" when none,
 *              malloc'd (free with zki_free); set also on failure. */
ZKI_API ZKI_WARN_UNUSED zki_status zki_inspect_file(const char *path, char **report, char **notes);

#ifdef __cplusplus
}
#endif
#endif
