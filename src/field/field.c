#include "field/field.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"

zki_fe zki_fe_pow(zki_fe a, uint64_t e)
{
    zki_fe r = 1;
    while (e) {
        if (e & 1)
            r = zki_fe_mul(r, a);
        a = zki_fe_sqr(a);
        e >>= 1;
    }
    return r;
}

zki_fe zki_fe_inv(zki_fe a) { return zki_fe_pow(a, ZKI_P - 2); }

void zki_fe_batch_inv(zki_fe *out, const zki_fe *in, size_t n)
{
    if (n == 0)
        return;
    /* Prefix products of the non-zero entries, one inversion, then unwind.
     * The prefix array is kept small by processing in chunks. */
    enum { CHUNK = 1024 };
    zki_fe prefix[CHUNK];
    for (size_t base = 0; base < n; base += CHUNK) {
        size_t m = n - base < CHUNK ? n - base : CHUNK;
        zki_fe acc = 1;
        for (size_t i = 0; i < m; i++) {
            prefix[i] = acc;
            if (in[base + i])
                acc = zki_fe_mul(acc, in[base + i]);
        }
        zki_fe inv = zki_fe_inv(acc);
        for (size_t i = m; i-- > 0;) {
            zki_fe x = in[base + i];
            if (x == 0) {
                out[base + i] = 0;
                continue;
            }
            out[base + i] = zki_fe_mul(inv, prefix[i]);
            inv = zki_fe_mul(inv, x);
        }
    }
}

void zki_fe_to_bytes(uint8_t out[8], zki_fe a)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(a >> (8 * i));
}

zki_status zki_fe_from_bytes(zki_fe *out, const uint8_t in[8])
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)in[i] << (8 * i);
    if (v >= ZKI_P)
        return zki_fail(ZKI_ERR_INPUT, "field element 0x%016llx is not canonical (>= p)",
                        (unsigned long long)v);
    *out = v;
    return ZKI_OK;
}

zki_fe zki_fe_root_of_unity(unsigned log_n)
{
    if (log_n > ZKI_TWO_ADICITY)
        return 0;
    return zki_fe_pow(ZKI_GENERATOR, (ZKI_P - 1) >> log_n);
}

zki_ext zki_ext_pow(zki_ext a, uint64_t e)
{
    zki_ext r = zki_ext_one();
    while (e) {
        if (e & 1)
            r = zki_ext_mul(r, a);
        a = zki_ext_sqr(a);
        e >>= 1;
    }
    return r;
}

static zki_fe ext_norm(zki_ext a)
{
    return zki_fe_sub(zki_fe_sqr(a.c0), zki_fe_mul(zki_fe_sqr(a.c1), ZKI_EXT_W));
}

zki_ext zki_ext_inv(zki_ext a)
{
    zki_fe ninv = zki_fe_inv(ext_norm(a));
    return zki_ext_make(zki_fe_mul(a.c0, ninv), zki_fe_neg(zki_fe_mul(a.c1, ninv)));
}

void zki_ext_batch_inv(zki_ext *out, const zki_ext *in, size_t n)
{
    enum { CHUNK = 512 };
    zki_ext prefix[CHUNK];
    for (size_t base = 0; base < n; base += CHUNK) {
        size_t m = n - base < CHUNK ? n - base : CHUNK;
        zki_ext acc = zki_ext_one();
        for (size_t i = 0; i < m; i++) {
            prefix[i] = acc;
            if (!zki_ext_is_zero(in[base + i]))
                acc = zki_ext_mul(acc, in[base + i]);
        }
        zki_ext inv = zki_ext_inv(acc);
        for (size_t i = m; i-- > 0;) {
            zki_ext x = in[base + i];
            if (zki_ext_is_zero(x)) {
                out[base + i] = x;
                continue;
            }
            out[base + i] = zki_ext_mul(inv, prefix[i]);
            inv = zki_ext_mul(inv, x);
        }
    }
}

void zki_ext_to_bytes(uint8_t out[16], zki_ext a)
{
    zki_fe_to_bytes(out, a.c0);
    zki_fe_to_bytes(out + 8, a.c1);
}

zki_status zki_ext_from_bytes(zki_ext *out, const uint8_t in[16])
{
    zki_ext r;
    if (zki_fe_from_bytes(&r.c0, in) != ZKI_OK || zki_fe_from_bytes(&r.c1, in + 8) != ZKI_OK)
        return ZKI_ERR_INPUT;
    *out = r;
    return ZKI_OK;
}
