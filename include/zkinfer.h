/* zkinfer: zero-knowledge proofs of neural-network inference.
 *
 * The only header users include. It grows with the library; today it exposes
 * status codes, error messages and the version. The internal modules
 * (src/<concern>/<module>.h) are the building blocks the prover uses. */
#ifndef ZKINFER_H
#define ZKINFER_H

#ifdef __cplusplus
extern "C" {
#endif

#define ZKINFER_VERSION_MAJOR 0
#define ZKINFER_VERSION_MINOR 1
#define ZKINFER_VERSION_PATCH 0

/* Every fallible function returns one of these; on failure a message naming
 * what is at fault is available from zki_last_error() (per thread). */
typedef enum {
    ZKI_OK = 0,
    ZKI_ERR_INPUT = 1,    /* malformed or out-of-range input */
    ZKI_ERR_NOMEM = 2,    /* allocation failed */
    ZKI_ERR_VERIFY = 3,   /* a proof or claim was rejected */
    ZKI_ERR_IO = 4,       /* file could not be read or written */
    ZKI_ERR_UNSUPPORTED = 5
} zki_status;

/* Human-readable message for the last error on this thread ("" if none). */
const char *zki_last_error(void);

/* Name of a status code ("ok", "input", ...). */
const char *zki_status_name(zki_status s);

/* Library version string "MAJOR.MINOR.PATCH". */
const char *zki_version(void);

#ifdef __cplusplus
}
#endif
#endif
