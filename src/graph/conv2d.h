/* Blocked 2-D convolution shared by the float executor (calibration) and the
 * integer executor. Every output is its bias plus the products summed in the
 * naive loop's order (input channel, kernel row, kernel column; taps in the
 * padding skipped), so results match that loop bit for bit whatever the
 * blocking or thread count. */
#ifndef ZKI_GRAPH_CONV2D_H
#define ZKI_GRAPH_CONV2D_H

#include <stdint.h>

typedef struct {
    int64_t n, c, h, w, m, grp;             /* input NCHW, output channels, groups */
    int64_t kh, kw, sh, sw, dh, dw, pt, pl; /* window, strides, dilations, top/left pads */
    int64_t oh, ow;                         /* output rows and columns */
} zki_conv2d_geom;

/* The float executor's Conv: x is [n][c][h][w], w is [m][c/grp][kh][kw],
 * bias (may be NULL) [m], y [n][m][oh][ow]; sums in double, as the naive
 * loop had them. Returns 0 when out of memory (nothing written). */
int zki_conv2d_f32(const zki_conv2d_geom *g, const float *x, const float *w, const float *bias, float *y);

/* Exact integer sums (bias included) into acc, computed in double when every
 * partial sum is below 2^52 in magnitude, so exact. Returns 0, writing
 * nothing, when the bound does not hold or memory runs out: the caller then
 * sums in int64. */
int zki_conv2d_i64(const zki_conv2d_geom *g, const int64_t *x, const int64_t *w, const int64_t *bias,
                   int64_t *acc);

#endif
