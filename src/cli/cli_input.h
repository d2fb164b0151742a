/* What the commands check in what they are given: numeric option values
 * (parsed strictly) and input tensors (shape, finiteness, dtype, calibrated
 * range), with one set of rules for run, prove and verify. */
#ifndef ZKI_CLI_CLI_INPUT_H
#define ZKI_CLI_CLI_INPUT_H

#include <stdint.h>

#include "cli/cli_util.h"

/* Parses an option's value: the whole string a finite number in [lo, hi]
 * (lo itself excluded when lo_open). Else prints
 * "zkinfer: OPT: 'S' is not a number in [LO, HI]" and returns CLI_USAGE. */
int zki_cli_parse_double(const char *opt, const char *s, double lo, double hi, int lo_open, double *out);
/* The same for a decimal integer in [lo, hi]. */
int zki_cli_parse_int(const char *opt, const char *s, long lo, long hi, int *out);

/* The model's input as the command knows it (from the .zkm or the key):
 * zki_tensor_info's shape, scale (0: the model takes raw integers) and bits. */
typedef zki_tensor_info zki_cli_in_model;

/* From a key: an exit code, CLI_USAGE (printed) when its input shape
 * disagrees with its first layer. (A model's is zki_model_info's input.) */
int zki_cli_in_of_vk(const zki_vk *vk, zki_cli_in_model *im);

typedef struct {
    double input_scale; /* --input-scale: an integer file's x = value * S; 0 unset */
    int strict;         /* --strict: values outside the calibrated range are an error */
} zki_cli_in_opts;

/* --input-scale's text (NULL: not given) into o->input_scale, parsed
 * strictly; an exit code (printed). */
int zki_cli_in_scale(const char *text, zki_cli_in_opts *o);

/* Reads PATH (.npy or .pb), checks it against the model's input and
 * quantises it into *X (malloc'd, caller frees), *B samples. Accepted
 * shapes: the model's dims; [B] + those dims; [B] + dims[1:] when the
 * model's leading axis is 1; a flat vector of one sample; and, for a flat
 * model input ([K] or [1,K]), any [B, ...] of K values per sample. Refused, each
 * printed naming what is wrong, exit 2: another shape, NaN/Inf, an integer
 * file for a float model without --input-scale, a float file for an
 * integer model, and (with --strict) values outside the calibrated range,
 * which are otherwise counted on stderr and clamped. */
int zki_cli_read_input(const zki_cli_in_model *im, const char *path, const zki_cli_in_opts *o, int64_t **X,
                       uint32_t *B);

/* Usage lines for the shared options. */
#define ZKI_CLI_INPUT_USAGE                                                              \
    "  X takes the model's input shape, a batch of them along a new leading axis (or\n"  \
    "  along the model's leading axis when that is 1), or one sample as a flat vector;\n" \
    "  a model taking a flat [1,K] takes [B, ...] of K values per sample (C order).\n"  \
    "  NaN/Inf is refused; values beyond the calibrated range are clamped and counted.\n"
#define ZKI_CLI_INPUT_SCALE_USAGE                                                                \
    "  --input-scale S     read an integer X (uint8, int8..int64, bool) as value * S\n"          \
    "                      (required for a float model; 0.00392156862745098 = 1/255\n"          \
    "                      for 0..255 pixels)\n"
#define ZKI_CLI_STRICT_USAGE                                                                     \
    "  --strict            exit 2 if X has values outside the calibrated range\n"

#endif
