/* The one CPU-feature dispatcher (as in BLAKE3's C code): the instruction-set
 * level every run-time-selected kernel family uses (the field vector kernels
 * in src/field/vec_*.c, the NTT butterflies in src/ntt/kernels*.c).
 *
 * The CPU is probed once (thread-safe; racing first callers compute the same
 * answer). The environment variable ZKI_VEC=portable|avx2|avx512 lowers the
 * level: each kernel family then uses its best kernel at or below it (the
 * NTT has no AVX2 kernel, so avx2 runs the portable NTT). A value this CPU
 * lacks, or one that is not a level name, is reported once on stderr and
 * the detected level is used; an unset or empty ZKI_VEC means the detected
 * level. ZKI_VEC is read once, at the first call.
 *
 * Every kernel produces exactly the portable kernel's output, so the level
 * never changes a result (tests/test_vec.c, tests/test_ntt.c compare them). */
#ifndef ZKI_COMMON_CPU_FEATURES_H
#define ZKI_COMMON_CPU_FEATURES_H

typedef enum {
    ZKI_CPU_PORTABLE = 0, /* plain C */
    ZKI_CPU_AVX2 = 1,     /* AVX2 + BMI2 */
    ZKI_CPU_AVX512 = 2,   /* the above + AVX-512 F, DQ, VL */
} zki_cpu_level;

#define ZKI_CPU_NLEVELS 3

/* The highest level this CPU (and OS) supports. Always PORTABLE off x86-64
 * and in the tiny-field build. */
zki_cpu_level zki_cpu_detected(void);

/* The level kernels use: the detected one, lowered by ZKI_VEC. */
zki_cpu_level zki_cpu_level_get(void);

/* "portable", "avx2", "avx512". */
const char *zki_cpu_level_name(zki_cpu_level l);

/* Parses a level name; 0 and *out set on success, -1 if unknown. */
int zki_cpu_level_parse(const char *s, zki_cpu_level *out);

/* Compiler-made clones of one C loop for wider vectors (GCC's target_clones:
 * the loader picks one for this CPU; ZKI_VEC does not apply). Only for loops
 * whose every clone gives the same results: integer arithmetic, or floating
 * point without FMA contraction. */
#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define ZKI_VEC_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
#ifndef ZKI_VEC_CLONES
#define ZKI_VEC_CLONES
#endif

#endif
