/* Maps the dispatcher's level (common/cpu_features.h) to a kernel table. */
#include "field/vec.h"
#include "field/vec_impls.h"

#include <string.h>

static const zki_vec_impl *by_level(zki_cpu_level l)
{
#if !defined(ZKI_TINY_FIELD) && defined(__x86_64__) /* elsewhere the SIMD files are empty */
    if (l >= ZKI_CPU_AVX512)
        return &zki_vec_avx512;
    if (l >= ZKI_CPU_AVX2)
        return &zki_vec_avx2;
#endif
    (void)l;
    return &zki_vec_portable;
}

const zki_vec_impl *zki_vec_get(const char *name)
{
    zki_cpu_level l;
    if (zki_cpu_level_parse(name, &l) != 0 || l > zki_cpu_detected())
        return NULL;
    const zki_vec_impl *v = by_level(l);
    return v->level == l ? v : NULL;
}

const zki_vec_impl *zki_vec(void) { return by_level(zki_cpu_level_get()); }
