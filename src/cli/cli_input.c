#include "cli/cli_input.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int zki_cli_parse_double(const char *opt, const char *s, double lo, double hi, int lo_open, double *out)
{
    char *end = NULL;
    errno = 0;
    /* decimal only: strtod would also take hex ("0x1p-8") */
    double v = *s && !isspace((unsigned char)*s) && !strpbrk(s, "xX") ? strtod(s, &end) : NAN;
    /* isfinite refuses "nan" and "inf", which strtod accepts */
    if (!end || *end || errno == ERANGE || !isfinite(v) || v < lo || v > hi || (lo_open && v == lo)) {
        fprintf(stderr, "zkinfer: %s: '%s' is not a number in %c%g, %g]\n", opt, s, lo_open ? '(' : '[', lo, hi);
        return CLI_USAGE;
    }
    *out = v;
    return CLI_OK;
}

int zki_cli_parse_int(const char *opt, const char *s, long lo, long hi, int *out)
{
    char *end = NULL;
    errno = 0;
    long v = *s && !isspace((unsigned char)*s) ? strtol(s, &end, 10) : 0;
    if (!end || *end || errno == ERANGE || v < lo || v > hi) {
        fprintf(stderr, "zkinfer: %s: '%s' is not an integer in [%ld, %ld]\n", opt, s, lo, hi);
        return CLI_USAGE;
    }
    *out = (int)v;
    return CLI_OK;
}

static int64_t shape_numel(uint32_t rank, const int64_t *dims)
{
    int64_t n = 1;
    for (uint32_t a = 0; a < rank; a++)
        n *= dims[a];
    return n;
}

int zki_cli_in_of_vk(const zki_vk *vk, zki_cli_in_model *im)
{
    zki_info info;
    if (zki_vk_info(vk, &info) != ZKI_OK)
        return zki_cli_err("the key");
    *im = info.input;
    return CLI_OK;
}

int zki_cli_in_scale(const char *text, zki_cli_in_opts *o)
{
    return text ? zki_cli_parse_double("--input-scale", text, 0, 1e30, 1, &o->input_scale) : CLI_OK;
}

/* The dtype rule: an integer file needs --input-scale for a float model; a
 * float file cannot feed an integer model. */
static int check_dtype(const zki_cli_in_model *im, const char *path, const zki_array *x, double S)
{
    if (im->scale > 0 && x->i && !(S > 0)) {
        fprintf(stderr, "zkinfer: %s holds %s; the model takes float input: pass --input-scale %s to scale it, "
                "or convert it to float\n", path, x->dtype,
                !strcmp(x->dtype, "uint8") ? "0.00392156862745098 (1/255)" : "S (x = value * S)");
        return CLI_USAGE;
    }
    if (S > 0 && !x->i) {
        fprintf(stderr, "zkinfer: --input-scale applies to integer files; %s holds float values\n", path);
        return CLI_USAGE;
    }
    if (!(im->scale > 0) && !x->i) {
        fprintf(stderr, "zkinfer: %s holds float values; the model takes integers (e.g. token ids)\n", path);
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* Quantises x (n values, checked) into q; prints the out-of-range count. */
static int quantise(const zki_cli_in_model *im, const char *path, const zki_array *x, int64_t n,
                    const zki_cli_in_opts *o, int64_t *q)
{
    int64_t qmax = im->bits >= 64 ? INT64_MAX : ((int64_t)1 << (im->bits - 1)) - 1, out = 0;
    double far = 0;
    for (int64_t e = 0; e < n; e++) {
        if (!(im->scale > 0)) { /* raw integers: in range or refused */
            if (x->i[e] > qmax || x->i[e] < -qmax) {
                fprintf(stderr, "zkinfer: %s: value %lld at index %lld is outside the model's integer input range "
                        "[-%lld, %lld]\n", path, (long long)x->i[e], (long long)e, (long long)qmax, (long long)qmax);
                return CLI_USAGE;
            }
            q[e] = x->i[e];
            continue;
        }
        double v = x->i ? (double)x->i[e] * o->input_scale : (double)x->f[e];
        int c = 0;
        q[e] = zki_quantize_value(v, im->scale, im->bits, &c);
        out += c;
        far = c && fabs(v) > far ? fabs(v) : far;
    }
    if (out) {
        fprintf(stderr, "zkinfer: %s: %lld of %lld values outside the calibrated range [-%.6g, %.6g] (largest |x| = "
                "%.6g)%s\n", path, (long long)out, (long long)n, (double)qmax * im->scale, (double)qmax * im->scale,
                far, o->strict ? "; refused (--strict)" : "; they are clamped to it");
        if (o->strict)
            return CLI_USAGE;
    }
    return CLI_OK;
}

int zki_cli_read_input(const zki_cli_in_model *im, const char *path, const zki_cli_in_opts *o, int64_t **X,
                       uint32_t *B)
{
    *X = NULL;
    *B = 0;
    if (!isfinite(im->scale) || im->scale < 0 || im->bits < 2 || im->bits > 64 || im->rank > ZKI_MAX_DIMS ||
        shape_numel(im->rank, im->dims) < 1) {
        fprintf(stderr, "zkinfer: the model's input is invalid (scale %g, %u bits, rank %u)\n", im->scale, im->bits,
                im->rank);
        return CLI_USAGE;
    }
    zki_array x;
    if (zki_array_load(path, &x) != ZKI_OK)
        return zki_cli_err(path);
    int64_t per = shape_numel(im->rank, im->dims), n = (int64_t)x.n, b = -1;
    /* the shape's message, kept before the dtype check may replace it */
    int shape_bad = zki_input_batch(im, x.rank, x.dims, path, &b) != ZKI_OK;
    char msg[512];
    snprintf(msg, sizeof msg, "%s", shape_bad ? zki_last_error() : "");
    int rc = check_dtype(im, path, &x, o->input_scale);
    if (rc == CLI_OK && shape_bad) {
        fprintf(stderr, "zkinfer: %s\n", msg);
        rc = CLI_USAGE;
    } else if (rc == CLI_OK && (b < 1 || b > ZKI_BATCH_MAX)) {
        fprintf(stderr, "zkinfer: %s holds %lld samples; 1 to %u are accepted\n", path, (long long)b,
                ZKI_BATCH_MAX);
        rc = CLI_USAGE;
    }
    int64_t bad = -1;
    for (int64_t e = 0; rc == CLI_OK && x.f && bad < 0 && e < n; e++)
        if (!isfinite(x.f[e]))
            bad = e;
    if (bad >= 0) {
        fprintf(stderr, "zkinfer: %s: value at index %lld (sample %lld, element %lld) is %s; inputs must be finite\n",
                path, (long long)bad, (long long)(bad / per), (long long)(bad % per),
                isnan(x.f[bad]) ? "NaN" : "infinite");
        rc = CLI_USAGE;
    }
    int64_t *q = rc == CLI_OK ? malloc(sizeof(int64_t) * (size_t)n) : NULL;
    if (rc == CLI_OK && !q) {
        fprintf(stderr, "zkinfer: %s: out of memory\n", path);
        rc = CLI_USAGE;
    }
    if (rc == CLI_OK)
        rc = quantise(im, path, &x, n, o, q);
    zki_array_clear(&x);
    if (rc != CLI_OK) {
        free(q);
        return rc;
    }
    *X = q;
    *B = (uint32_t)b;
    return CLI_OK;
}
