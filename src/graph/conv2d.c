/* Blocked 2-D convolution (see conv2d.h). A tile is MB output channels by up
 * to CH output columns of one output row, summed in an L1-resident buffer:
 * each input row is read once per tile, and the inner loop runs along the
 * row (vectorisable, one product per output per step, so the sum order per
 * output is the naive loop's). No FMA: the build is ISO C, which keeps
 * a * b + c as two rounded operations, as the naive loop had them. */
#include "common/cpu_features.h"
#include "graph/conv2d.h"

#include <math.h>
#include <stdlib.h>

#define MB 4   /* output channels per tile */
#define CH 256 /* output columns per tile */

/* An operand as the caller holds it: float or int64 (both NULL: absent).
 * Weights and biases are read in place, a few per tile step. */
typedef struct {
    const float *f;
    const int64_t *i;
} conv_in;

static double in_at(conv_in a, int64_t k)
{
    return a.f ? (double)a.f[k] : (double)a.i[k];
}

/* The first output column >= 0 whose input column ox*sw + off is >= 0, and
 * one past the last whose input column is < w. */
static int64_t col_lo(int64_t off, int64_t sw)
{
    return off >= 0 ? 0 : (-off + sw - 1) / sw;
}

static int64_t col_hi(int64_t off, int64_t sw, int64_t w)
{
    return w - 1 - off < 0 ? 0 : (w - 1 - off) / sw + 1;
}

/* acc[j][a + i] += x[i * sw] * wt[j] for the tile's nm channels, i < cnt. */
static inline void axpy_tile(double (*acc)[CH], int nm, int64_t a, int64_t cnt, const double *x, int64_t sw,
                             const double *wt)
{
    if (nm == MB) {
        double *restrict a0 = acc[0] + a, *restrict a1 = acc[1] + a;
        double *restrict a2 = acc[2] + a, *restrict a3 = acc[3] + a;
        double w0 = wt[0], w1 = wt[1], w2 = wt[2], w3 = wt[3];
        for (int64_t i = 0; i < cnt; i++) {
            double xv = x[i * sw];
            a0[i] += xv * w0;
            a1[i] += xv * w1;
            a2[i] += xv * w2;
            a3[i] += xv * w3;
        }
        return;
    }
    for (int j = 0; j < nm; j++) {
        double *restrict aj = acc[j] + a;
        for (int64_t i = 0; i < cnt; i++)
            aj[i] += x[i * sw] * wt[j];
    }
}

/* Wider vectors where the CPU has them; the same operations in the same
 * order on every path (no FMA in any of them), so the same results. */
#define CONV_CLONES ZKI_VEC_CLONES

/* One tile: channels m0..m0+nm-1 (one group; xg points at that group's first
 * input channel of the batch item), output row oy, columns x0..x1-1. */
CONV_CLONES static void conv_tile(const zki_conv2d_geom *g, const double *xg, conv_in wt, conv_in bias, int64_t m0,
                      int nm, int64_t oy, int64_t x0, int64_t x1, double (*acc)[CH])
{
    int64_t cg = g->c / g->grp, taps = cg * g->kh * g->kw;
    double wv[MB];
    for (int j = 0; j < nm; j++)
        for (int64_t i = 0; i < x1 - x0; i++)
            acc[j][i] = bias.f || bias.i ? in_at(bias, m0 + j) : 0;
    for (int64_t c = 0; c < cg; c++)
        for (int64_t ky = 0; ky < g->kh; ky++) {
            int64_t iy = oy * g->sh - g->pt + ky * g->dh;
            if (iy < 0 || iy >= g->h)
                continue;
            const double *xr = xg + (c * g->h + iy) * g->w;
            for (int64_t kx = 0; kx < g->kw; kx++) {
                int64_t off = kx * g->dw - g->pl; /* output column ox reads input column ox * sw + off */
                int64_t lo = col_lo(off, g->sw), hi = col_hi(off, g->sw, g->w);
                lo = lo > x0 ? lo : x0;
                hi = hi < x1 ? hi : x1;
                if (lo >= hi)
                    continue;
                int64_t k = (c * g->kh + ky) * g->kw + kx;
                for (int j = 0; j < nm; j++)
                    wv[j] = in_at(wt, (m0 + j) * taps + k);
                const double *xs = xr + (lo * g->sw + off);
                if (g->sw == 1) /* a constant stride lets the loop vectorise */
                    axpy_tile(acc, nm, lo - x0, hi - lo, xs, 1, wv);
                else
                    axpy_tile(acc, nm, lo - x0, hi - lo, xs, g->sw, wv);
            }
        }
}

/* A 1x1 window with unit strides and no padding reads each output pixel's
 * own input pixel: the plane is one long row, which gives longer inner loops. */
static zki_conv2d_geom flatten_pointwise(const zki_conv2d_geom *g)
{
    zki_conv2d_geom f = *g;
    if (g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->pt == 0 && g->pl == 0 && g->oh == g->h &&
        g->ow == g->w) {
        f.w = f.ow = g->h * g->w;
        f.h = f.oh = 1;
    }
    return f;
}

/* Where the sums go: float or int64 outputs. */
typedef struct {
    float *f;
    int64_t *i;
} conv_out;

static void store_row(conv_out y, int64_t at, const double *acc, int64_t n)
{
    if (y.f)
        for (int64_t i = 0; i < n; i++)
            y.f[at + i] = (float)acc[i];
    else
        for (int64_t i = 0; i < n; i++)
            y.i[at + i] = (int64_t)acc[i];
}

/* Tiles are independent, so any schedule gives the same outputs; dynamic
 * keeps both threads busy when the machine is shared. */
static void conv_run(const zki_conv2d_geom *g0, const double *x, conv_in w, conv_in bias, conv_out y)
{
    zki_conv2d_geom g = flatten_pointwise(g0);
    int64_t cg = g.c / g.grp, mg = g.m / g.grp, nblk = (mg + MB - 1) / MB;
    int64_t tasks = g.n * g.grp * nblk * g.oh;
#pragma omp parallel for schedule(dynamic)
    for (int64_t t = 0; t < tasks; t++) {
        double acc[MB][CH];
        int64_t oy = t % g.oh, r = t / g.oh, blk = r % nblk, bg = r / nblk, gi = bg % g.grp, b = bg / g.grp;
        int64_t m0 = gi * mg + blk * MB;
        int nm = (int)(mg - blk * MB < MB ? mg - blk * MB : MB);
        const double *xg = x + (b * g.c + gi * cg) * g.h * g.w;
        for (int64_t x0 = 0; x0 < g.ow; x0 += CH) {
            int64_t x1 = x0 + CH < g.ow ? x0 + CH : g.ow;
            conv_tile(&g, xg, w, bias, m0, nm, oy, x0, x1, acc);
            for (int j = 0; j < nm; j++)
                store_row(y, ((b * g.m + m0 + j) * g.oh + oy) * g.ow + x0, acc[j], x1 - x0);
        }
    }
}

static double *to_f64(conv_in a, int64_t n)
{
    double *d = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    if (d) {
#pragma omp parallel for schedule(static)
        for (int64_t k = 0; k < n; k++)
            d[k] = a.f ? (double)a.f[k] : (double)a.i[k]; /* tested once: the loop is unswitched */
    }
    return d;
}

static int64_t in_count(const zki_conv2d_geom *g) { return g->n * g->c * g->h * g->w; }

/* The kernel on a double copy of x (exact: floats and, under the caller's
 * bound, the integers). Returns 0 when out of memory. */
static int conv_converted(const zki_conv2d_geom *g, conv_in x, conv_in w, conv_in bias, conv_out y)
{
    double *dx = to_f64(x, in_count(g));
    if (dx)
        conv_run(g, dx, w, bias, y);
    free(dx);
    return dx != NULL;
}

int zki_conv2d_f32(const zki_conv2d_geom *g, const float *x, const float *w, const float *bias, float *y)
{
    return conv_converted(g, (conv_in){x, NULL}, (conv_in){w, NULL}, (conv_in){bias, NULL}, (conv_out){y, NULL});
}

/* Whether every partial sum of every output stays below 2^52: max|x| times
 * the channel's sum of |w|, plus |bias|, computed with margin for rounding. */
static int sums_exact(const zki_conv2d_geom *g, const int64_t *x, const int64_t *w, const int64_t *bias)
{
    const double lim = 4503599627370496.0; /* 2^52 */
    double mx = 0;
    int64_t nx = in_count(g), taps = (g->c / g->grp) * g->kh * g->kw;
#pragma omp parallel for schedule(static) reduction(max : mx)
    for (int64_t k = 0; k < nx; k++)
        mx = fmax(mx, fabs((double)x[k]));
    int ok = 1;
#pragma omp parallel for schedule(static) reduction(&& : ok)
    for (int64_t m = 0; m < g->m; m++) {
        double s = 0;
        for (int64_t k = 0; k < taps; k++)
            s += fabs((double)w[m * taps + k]);
        double b = bias ? fabs((double)bias[m]) : 0;
        ok = ok && mx * s * 1.001 + b * 1.001 < lim;
    }
    return ok;
}

int zki_conv2d_i64(const zki_conv2d_geom *g, const int64_t *x, const int64_t *w, const int64_t *bias,
                   int64_t *acc)
{
    return sums_exact(g, x, w, bias) &&
           conv_converted(g, (conv_in){NULL, x}, (conv_in){NULL, w}, (conv_in){NULL, bias}, (conv_out){NULL, acc});
}
