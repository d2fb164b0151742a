/* Run-time choice of the vector kernels. ZKI_VEC=portable|avx2|avx512 forces
 * one (ignored if unknown or unsupported by this CPU). The choice is made
 * once; concurrent first calls compute the same answer, and the atomic
 * pointer publishes it. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "field/vec.h"
#include "field/vec_impls.h"

static int cpu_has_avx2(void)
{
#if defined(__x86_64__) && !defined(ZKI_TINY_FIELD)
    __builtin_cpu_init();
    /* the AVX2 file is compiled with -mbmi2, so its scalar tails may use it */
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2");
#else
    return 0;
#endif
}

static int cpu_has_avx512(void)
{
#if defined(__x86_64__) && !defined(ZKI_TINY_FIELD)
    __builtin_cpu_init();
    return cpu_has_avx2() && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#else
    return 0;
#endif
}

const zki_vec_impl *zki_vec_get(const char *name)
{
    if (!name)
        return NULL;
    if (!strcmp(name, "portable"))
        return &zki_vec_portable;
#ifndef ZKI_TINY_FIELD
    if (!strcmp(name, "avx2"))
        return cpu_has_avx2() ? &zki_vec_avx2 : NULL;
    if (!strcmp(name, "avx512"))
        return cpu_has_avx512() ? &zki_vec_avx512 : NULL;
#endif
    return NULL;
}

/* Preference order from measurements (ns per element, one thread,
 * n = 2^16, random canonical inputs, AMD EPYC Zen 4, GCC 12 -O3):
 *             mul    inner  add    muladd  scale_ext  inner_ext
 *   portable  5.52   0.55   3.33   8.40    8.84       1.09
 *   avx2      0.72   0.40   0.25   0.92    1.47       0.91
 *   avx512    0.52   0.38   0.25   0.64    1.10       0.81
 * AVX-512 is fastest for every kernel even though Zen 4 runs 512-bit ops
 * as two 256-bit halves (fewer instructions: mask compares, min_epu64).
 * The portable base-field ops branch on carries, which random data
 * mispredicts; the lazy scalar inner product has no such branches. */
static const zki_vec_impl *choose(void)
{
    const zki_vec_impl *forced = zki_vec_get(getenv("ZKI_VEC"));
    if (forced)
        return forced;
    static const char *const order[] = {"avx512", "avx2", "portable"};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const zki_vec_impl *v = zki_vec_get(order[i]);
        if (v)
            return v;
    }
    return &zki_vec_portable;
}

const zki_vec_impl *zki_vec(void)
{
    static _Atomic(const zki_vec_impl *) chosen;
    const zki_vec_impl *v = atomic_load_explicit(&chosen, memory_order_acquire);
    if (!v) {
        v = choose();
        atomic_store_explicit(&chosen, v, memory_order_release);
    }
    return v;
}
