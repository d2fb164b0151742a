"""The C library: its declarations (the part of include/zkinfer.h these
bindings call, kept here in one place), finding and loading it, and turning
its statuses into exceptions."""

import os

import cffi

# The library's major.minor this cdef was written for: before 1.0 every minor
# version may change the ABI (the soname carries it: libzkinfer.so.0.1).
ABI_VERSION = "0.1"

CDEF = """
typedef enum {
    ZKI_OK = 0, ZKI_ERR_INPUT = 1, ZKI_ERR_NOMEM = 2, ZKI_ERR_VERIFY = 3,
    ZKI_ERR_IO = 4, ZKI_ERR_UNSUPPORTED = 5
} zki_status;

typedef struct zki_model zki_model;
typedef struct zki_pk zki_pk;
typedef struct zki_vk zki_vk;
typedef struct zki_proof zki_proof;
typedef void (*zki_progress_fn)(void *ctx, const char *stage, uint32_t done, uint32_t total);

const char *zki_last_error(void);
const char *zki_status_name(zki_status s);
const char *zki_version(void);
void zki_free(void *p);

typedef struct {
    int samples;
    int rows;
    double top1;
    double cos_mean;
    double cos_min;
    double max_abs_err;
} zki_accuracy_report;

typedef struct {
    unsigned flags;
    const char *eval_path;
    zki_progress_fn progress;
    void *progress_ctx;
    void (*report)(void *ctx, const char *text);
    void *report_ctx;
} zki_compile_options;

zki_status zki_model_compile_opts(const char *onnx_path, const char *calib_path,
                                  const zki_compile_options *opts, zki_model **model,
                                  zki_accuracy_report *accuracy, const char **failed_step);
zki_status zki_model_load(const char *path, zki_model **model);
void zki_model_destroy(zki_model *model);
zki_status zki_model_check_provable(const zki_model *model);

typedef struct {
    uint32_t rank;
    int64_t dims[8];
    double scale;
    uint32_t bits;
} zki_tensor_info;

typedef struct {
    uint32_t n_inputs;
    zki_tensor_info input;
    zki_tensor_info output;
    int classifier;
    uint64_t weight_bytes;
    uint32_t zk_proofs;
} zki_info;

zki_status zki_model_info(const zki_model *model, zki_info *info);
zki_status zki_model_run(const zki_model *model, const int64_t *x, uint32_t batch,
                         int64_t **y, float **yf, size_t *per_sample);

typedef struct {
    uint32_t zk_proofs;
} zki_keygen_options;

zki_status zki_keygen_opts(const zki_model *model, const unsigned char *seed32,
                           const zki_keygen_options *opts, zki_pk **pk, zki_vk **vk);
zki_status zki_pk_load(const zki_model *model, const char *path, zki_pk **pk);
const zki_vk *zki_pk_vk(const zki_pk *pk);
void zki_pk_destroy(zki_pk *pk);
zki_status zki_model_save_with_keys(const zki_model *model, const zki_pk *pk, const char *zkm_path,
                                    const char *vk_path, const char *zpk_path);

zki_status zki_vk_save(const zki_vk *vk, const char *path);
zki_status zki_vk_load(const char *path, zki_vk **vk);
zki_status zki_vk_serialize(const zki_vk *vk, unsigned char **bytes, size_t *len);
zki_status zki_vk_parse(const unsigned char *bytes, size_t len, zki_vk **vk);
void zki_vk_destroy(zki_vk *vk);
zki_status zki_vk_info(const zki_vk *vk, zki_info *info);
zki_status zki_vk_digest(const zki_vk *vk, unsigned char digest[32]);

zki_status zki_input_batch(const zki_tensor_info *input, uint32_t rank, const int64_t *dims,
                           const char *name, int64_t *batch);
int64_t zki_quantize_value(double x, double scale, uint32_t bits, int *clamped);

zki_status zki_prove_float(zki_pk *pk, const float *x, uint32_t batch, unsigned flags, zki_proof **proof);
zki_status zki_prove_int(zki_pk *pk, const int64_t *x, uint32_t batch, unsigned flags, zki_proof **proof);
zki_status zki_proof_serialize(const zki_proof *proof, unsigned char **bytes, size_t *len);
zki_status zki_proof_save(const zki_proof *proof, const char *path);
zki_status zki_proof_parse(const zki_vk *vk, const unsigned char *bytes, size_t len, zki_proof **proof);
zki_status zki_proof_load(const zki_vk *vk, const char *path, zki_proof **proof);
void zki_proof_destroy(zki_proof *proof);
size_t zki_proof_size(const zki_proof *proof);
zki_status zki_verify_float(const zki_vk *vk, const float *x, uint32_t batch, const zki_proof *proof);
zki_status zki_verify_int(const zki_vk *vk, const int64_t *x, uint32_t batch, const zki_proof *proof);
zki_status zki_proof_output(const zki_proof *proof, uint32_t *batch, uint32_t *per_sample,
                            const int64_t **values, int *private_input);
zki_status zki_proof_output_float(const zki_proof *proof, const zki_vk *vk, float *out, size_t n);
"""

# Constants of include/zkinfer.h that the bindings use.
ZKI_OK = 0
ZKI_ERR_VERIFY = 3
ZKI_ERR_UNSUPPORTED = 5
ZKI_MAX_DIMS = 8
ZKI_BATCH_MAX = 1 << 20
ZKI_COMPILE_WEIGHTS16 = 1
ZKI_COMPILE_ACTIVATIONS16 = 2
ZKI_PROVE_PRIVATE_INPUT = 1
ZKI_PROVE_STRICT = 2
ZKI_PROVE_PRIVATE_OUTPUT = 4
ZK_PROOFS_DEFAULT = 16
ZK_PROOFS_MAX = 1 << 20

STATUS_NAMES = {0: "ok", 1: "input", 2: "nomem", 3: "verify", 4: "io", 5: "unsupported"}


class Error(Exception):
    """A failure of zkinfer: `message` is the library's (or the bindings')
    explanation, `status` the status name ("input", "io", "verify",
    "unsupported", "nomem")."""

    __module__ = "zkinfer"  # how tracebacks name it

    def __init__(self, message, status="input"):
        super().__init__(message)
        self.message = message
        self.status = status

    def __repr__(self):
        return "%s(%r, status=%r)" % (type(self).__name__, self.message, self.status)


class VerificationError(Error):
    """A proof that does not verify: rejected by the verifier, malformed,
    or made for another key or another input."""

    __module__ = "zkinfer"

    def __init__(self, message, status="verify"):
        super().__init__(message, status)


ffi = cffi.FFI()
ffi.cdef(CDEF)

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
BUNDLED = os.path.join(_PACKAGE_DIR, "libzkinfer.so")
SOURCE_TREE = os.path.normpath(os.path.join(_PACKAGE_DIR, "..", "..", "build", "libzkinfer.so"))
SYSTEM = "libzkinfer.so." + ABI_VERSION  # the soname, for the system loader


def _candidates():
    """The places to look, in order, each with how it was chosen."""
    env = os.environ.get("ZKINFER_LIBRARY")
    if env:  # an explicit choice: no fallback that would hide a wrong path
        return [(env, "ZKINFER_LIBRARY")]
    return [(BUNDLED, "bundled with the package"), (SOURCE_TREE, "the source tree's build"),
            (SYSTEM, "the system loader")]


def _load():
    tried = []
    for path, why in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append("%s (%s): no such file" % (path, why))
            continue
        try:
            lib = ffi.dlopen(path)
        except OSError as e:
            tried.append("%s (%s): %s" % (path, why, e))
            continue
        version = ffi.string(lib.zki_version()).decode()
        if ".".join(version.split(".")[:2]) != ABI_VERSION:
            tried.append("%s (%s): version %s, these bindings need %s.x" % (path, why, version, ABI_VERSION))
            continue
        return lib, os.path.abspath(path) if os.sep in path else path
    raise ImportError("zkinfer: cannot load the C library libzkinfer.so; tried:\n  " + "\n  ".join(tried) +
                      "\nBuild it with `make build` in the zkinfer repository (it writes build/libzkinfer.so), "
                      "or set ZKINFER_LIBRARY to its path.")


lib, library_path = _load()


def last_error():
    return ffi.string(lib.zki_last_error()).decode("utf-8", "replace")


def check(status, what=None):
    """Raises the exception for a status other than ZKI_OK, with the
    library's message (prefixed by `what` unless the message names it)."""
    if status == ZKI_OK:
        return
    msg = last_error() or "failed"
    if what and what not in msg:
        msg = "%s: %s" % (what, msg)
    name = STATUS_NAMES.get(int(status), str(int(status)))
    raise (VerificationError if status == ZKI_ERR_VERIFY else Error)(msg, name)


def take_bytes(pp, plen):
    """The library's buffer *pp of *plen bytes as Python bytes; frees it."""
    try:
        return bytes(ffi.buffer(pp[0], plen[0]))
    finally:
        lib.zki_free(pp[0])
