/* CPU probing and the ZKI_VEC override (contract in cpu_features.h). */
#include "common/cpu_features.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const level_names[ZKI_CPU_NLEVELS] = {"portable", "avx2", "avx512"};

const char *zki_cpu_level_name(zki_cpu_level l)
{
    return (unsigned)l < ZKI_CPU_NLEVELS ? level_names[l] : "unknown";
}

int zki_cpu_level_parse(const char *s, zki_cpu_level *out)
{
    if (!s)
        return -1;
    for (int i = 0; i < ZKI_CPU_NLEVELS; i++)
        if (!strcmp(s, level_names[i])) {
            *out = (zki_cpu_level)i;
            return 0;
        }
    return -1;
}

static zki_cpu_level probe(void)
{
#if defined(__x86_64__) && !defined(ZKI_TINY_FIELD)
    /* __builtin_cpu_supports also checks that the OS saves the AVX and
     * AVX-512 register state (XCR0). The AVX2 kernels' scalar tails may use
     * BMI2 (their file is compiled with -mbmi2). */
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("bmi2"))
        return ZKI_CPU_PORTABLE;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl"))
        return ZKI_CPU_AVX512;
    return ZKI_CPU_AVX2;
#else
    return ZKI_CPU_PORTABLE;
#endif
}

/* -1: not yet known. Racing first callers compute and store the same value. */
static _Atomic int g_detected = -1, g_level = -1;

static zki_cpu_level cached(_Atomic int *slot, zki_cpu_level (*compute)(void))
{
    int v = atomic_load_explicit(slot, memory_order_acquire);
    if (v < 0) {
        v = (int)compute();
        atomic_store_explicit(slot, v, memory_order_release);
    }
    return (zki_cpu_level)v;
}

zki_cpu_level zki_cpu_detected(void) { return cached(&g_detected, probe); }

static zki_cpu_level choose(void)
{
    zki_cpu_level det = zki_cpu_detected(), want;
    const char *env = getenv("ZKI_VEC");
    if (!env || !*env)
        return det;
    static atomic_flag warned = ATOMIC_FLAG_INIT;
    if (zki_cpu_level_parse(env, &want) != 0) {
        if (!atomic_flag_test_and_set(&warned))
            fprintf(stderr,
                    "zkinfer: ZKI_VEC=%s is not one of portable, avx2, avx512; using %s\n", env,
                    zki_cpu_level_name(det));
        return det;
    }
    if (want > det) {
        if (!atomic_flag_test_and_set(&warned))
            fprintf(stderr, "zkinfer: ZKI_VEC=%s: this CPU lacks it; using %s\n", env,
                    zki_cpu_level_name(det));
        return det;
    }
    return want;
}

zki_cpu_level zki_cpu_level_get(void) { return cached(&g_level, choose); }
