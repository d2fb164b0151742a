/* Blocked Conv (graph/conv2d.h) against the naive loop it replaced: float
 * outputs bit for bit and integer sums exactly, over random geometries with
 * strides, dilations, asymmetric pads, groups and pointwise windows, with 1
 * and 2 threads; sums past the exact-double bound are refused. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/test.h"
#include "common/rng.h"
#include "graph/conv2d.h"

static zki_rng rng;

static int64_t rnd(int64_t lo, int64_t hi) { return lo + (int64_t)(zki_rng_below(&rng, (uint64_t)(hi - lo + 1))); }

/* The executors' loop before the blocked kernel, on doubles: taps outside
 * the input are skipped, the sum runs (channel, row, column). */
static void naive(const zki_conv2d_geom *g, const double *x, const double *w, const double *b, double *y)
{
    int64_t cg = g->c / g->grp, mg = g->m / g->grp;
    for (int64_t n = 0; n < g->n; n++)
        for (int64_t m = 0; m < g->m; m++)
            for (int64_t oy = 0; oy < g->oh; oy++)
                for (int64_t ox = 0; ox < g->ow; ox++) {
                    double s = b ? b[m] : 0;
                    for (int64_t c = 0; c < cg; c++)
                        for (int64_t ky = 0; ky < g->kh; ky++)
                            for (int64_t kx = 0; kx < g->kw; kx++) {
                                int64_t iy = oy * g->sh - g->pt + ky * g->dh, ix = ox * g->sw - g->pl + kx * g->dw;
                                if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w)
                                    continue;
                                s += x[((n * g->c + m / mg * cg + c) * g->h + iy) * g->w + ix] *
                                     w[((m * cg + c) * g->kh + ky) * g->kw + kx];
                            }
                    y[((n * g->m + m) * g->oh + oy) * g->ow + ox] = s;
                }
}

/* Random values v(k) as floats and as the doubles the kernel sums. */
static double *fill(float *f, int64_t n, int64_t lo, int64_t hi, double div)
{
    double *d = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    for (int64_t k = 0; k < n; k++)
        d[k] = f[k] = (float)(rnd(lo, hi) / div);
    return d;
}

static zki_conv2d_geom random_geom(void)
{
    zki_conv2d_geom g;
    g.n = rnd(1, 2);
    g.grp = rnd(0, 2) ? 1 : rnd(2, 3);
    g.c = g.grp * rnd(1, 5);
    g.m = g.grp * rnd(1, 9);
    g.h = rnd(1, 12);
    g.w = rnd(1, 300); /* past one 256-column tile */
    int pointwise = rnd(0, 3) == 0;
    g.kh = pointwise ? 1 : rnd(1, 4);
    g.kw = pointwise ? 1 : rnd(1, 4);
    g.sh = pointwise ? 1 : rnd(1, 3);
    g.sw = pointwise ? 1 : rnd(1, 3);
    g.dh = rnd(1, 2);
    g.dw = rnd(1, 2);
    g.pt = pointwise ? 0 : rnd(0, 2);
    g.pl = pointwise ? 0 : rnd(0, 2);
    int64_t pb = pointwise ? 0 : rnd(0, 2), pr = pointwise ? 0 : rnd(0, 2);
    g.oh = (g.h + g.pt + pb - (g.kh - 1) * g.dh - 1) / g.sh + 1;
    g.ow = (g.w + g.pl + pr - (g.kw - 1) * g.dw - 1) / g.sw + 1;
    return g;
}

typedef struct {
    int64_t nx, nw, ny;
} sizes;

static sizes sizes_of(const zki_conv2d_geom *g)
{
    sizes z = {g->n * g->c * g->h * g->w, g->m * (g->c / g->grp) * g->kh * g->kw, g->n * g->m * g->oh * g->ow};
    return z;
}

static void check_float(const zki_conv2d_geom *g, int trial)
{
    sizes z = sizes_of(g);
    float *x = malloc(sizeof(float) * (size_t)z.nx), *w = malloc(sizeof(float) * (size_t)z.nw);
    float *b = malloc(sizeof(float) * (size_t)g->m), *y = malloc(sizeof(float) * (size_t)z.ny);
    double *dx = fill(x, z.nx, -100000, 100000, 7919.0), *dw = fill(w, z.nw, -100000, 100000, 104729.0);
    double *db = fill(b, g->m, -1000, 1000, 37.0), *dy = malloc(sizeof(double) * (size_t)z.ny);
    int with_bias = trial % 2;
    naive(g, dx, dw, with_bias ? db : NULL, dy);
    for (int th = 1; th <= 2; th++) {
        omp_set_num_threads(th);
        memset(y, 0xA5, sizeof(float) * (size_t)z.ny);
        CHECK(zki_conv2d_f32(g, x, w, with_bias ? b : NULL, y));
        int same = 1;
        for (int64_t k = 0; k < z.ny; k++) {
            float r = (float)dy[k];
            same &= memcmp(&r, &y[k], sizeof r) == 0;
        }
        CHECK_MSG(same, "trial %d, %d threads: float outputs differ", trial, th);
    }
    free(x), free(w), free(b), free(y), free(dx), free(dw), free(db), free(dy);
}

static int64_t *ints(const double *d, int64_t n)
{
    int64_t *v = malloc(sizeof(int64_t) * (size_t)(n > 0 ? n : 1));
    for (int64_t k = 0; k < n; k++)
        v[k] = (int64_t)d[k];
    return v;
}

/* int16 values: the reference's double sums are exact. */
static void check_int(const zki_conv2d_geom *g, int trial)
{
    sizes z = sizes_of(g);
    float *f = malloc(sizeof(float) * (size_t)(z.nx + z.nw + g->m));
    double *dx = fill(f, z.nx, -32768, 32767, 1), *dw = fill(f, z.nw, -32768, 32767, 1);
    double *db = fill(f, g->m, -1000000, 1000000, 1), *dy = malloc(sizeof(double) * (size_t)z.ny);
    int64_t *x = ints(dx, z.nx), *w = ints(dw, z.nw), *b = ints(db, g->m), *y = ints(dy, 0);
    y = realloc(y, sizeof(int64_t) * (size_t)z.ny);
    naive(g, dx, dw, db, dy);
    CHECK(zki_conv2d_i64(g, x, w, b, y));
    int same = 1;
    for (int64_t k = 0; k < z.ny; k++)
        same &= y[k] == (int64_t)dy[k];
    CHECK_MSG(same, "trial %d: integer sums differ", trial);
    x[0] = (int64_t)1 << 50; /* |x| * sum |w| past 2^52: refused, nothing written */
    w[0] = w[0] ? w[0] : 5;
    y[0] = 12345;
    CHECK(!zki_conv2d_i64(g, x, w, b, y) && y[0] == 12345);
    free(f), free(dx), free(dw), free(db), free(dy), free(x), free(w), free(b), free(y);
}

int main(void)
{
    zki_rng_seed(&rng, 2026);
    for (int trial = 0; trial < 300; trial++) {
        zki_conv2d_geom g = random_geom();
        if (g.oh < 1 || g.ow < 1)
            continue;
        check_float(&g, trial);
        check_int(&g, trial);
    }
    return TEST_SUMMARY();
}
