/* The one shape rule for a model input read from a file: run, prove and
 * verify inputs (cli_input.c) and compile's calibration and evaluation data
 * (zki_calib_load), so a layout one refuses the other cannot take. */
#ifndef ZKI_QUANT_INPUT_SHAPE_H
#define ZKI_QUANT_INPUT_SHAPE_H

#include <stddef.h>
#include <stdint.h>

/* Accepted file shapes: the model's dims (one sample); [B] + dims; [B] +
 * dims[1:] when the model's leading axis is 1; a flat vector of one sample;
 * and, for a flat model input ([K] or [1,K]), any [B, ...] of K values per
 * sample (C order). Returns 0 with *batch = B (which may be 0 for a zero
 * leading axis), or -1 with msg set to "PATH has shape [..]; the model takes
 * [..] (optionally with a leading batch axis)". */
int zki_input_shape_check(int model_rank, const int64_t *model_dims, int file_rank, const int64_t *file_dims,
                          const char *path, int64_t *batch, char *msg, size_t msg_cap);

#endif
