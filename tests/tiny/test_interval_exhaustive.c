/* Interval sums of eq over the tiny field (extension of F = 289 elements):
 * zki_eq_interval_sum(r, rho, n, lo, hi), the argmax check's selections
 * over index ranges (protocol/argmax.h), against the plain sums of the
 * library's eq table, for every interval lo <= hi <= 2^n (and hi past
 * 2^n): with rho NULL for EVERY r in F^n (n = 1, 2), and with rho for every
 * r in F^2 against 4 random rho each, and for random points at n = 3..6. */
#include <stdlib.h>
#include <string.h>

#include "../test.h"
#include "common/rng.h"
#include "poly/mle.h"

#define F_EXT (ZKI_P * ZKI_P)

static zki_rng rng;

static zki_ext ext_of(uint64_t i) { return zki_ext_make(i % ZKI_P, i / ZKI_P); }
static zki_ext rand_ext(void) { return ext_of(zki_rng_below(&rng, F_EXT)); }

static long checked, wrong;

/* every interval of [0, 2^n] (and hi = 2^n + 3) at the points r, rho */
static void all_intervals(const zki_ext *r, const zki_ext *rho, size_t n)
{
    size_t len = (size_t)1 << n;
    zki_ext er[64], eh[64];
    zki_eq_table(er, r, n);
    if (rho)
        zki_eq_table(eh, rho, n);
    for (uint64_t lo = 0; lo <= len; lo++)
        for (uint64_t hi = lo; hi <= len + 3; hi++) {
            zki_ext want = zki_ext_zero();
            for (uint64_t i = lo; i < hi && i < len; i++)
                want = zki_ext_add(want, rho ? zki_ext_mul(er[i], eh[i]) : er[i]);
            zki_ext got = zki_eq_interval_sum(r, rho, n, lo, hi);
            checked++;
            if (!zki_ext_eq(got, want) && wrong++ < 5)
                CHECK_MSG(0, "n %zu [%llu, %llu)%s: got (%llu, %llu), want (%llu, %llu)", n, (unsigned long long)lo,
                          (unsigned long long)hi, rho ? " with rho" : "", (unsigned long long)got.c0,
                          (unsigned long long)got.c1, (unsigned long long)want.c0, (unsigned long long)want.c1);
        }
}

int main(void)
{
    zki_rng_seed(&rng, 4711);
    zki_ext r[6], rho[6];
    for (uint64_t a = 0; a < F_EXT; a++) { /* n = 1: every r */
        r[0] = ext_of(a);
        all_intervals(r, NULL, 1);
        rho[0] = rand_ext();
        all_intervals(r, rho, 1);
    }
    for (uint64_t a = 0; a < F_EXT * F_EXT; a++) { /* n = 2: every r */
        r[0] = ext_of(a % F_EXT);
        r[1] = ext_of(a / F_EXT);
        all_intervals(r, NULL, 2);
        if (a % 7 == 0)
            for (int k = 0; k < 4; k++) {
                rho[0] = rand_ext();
                rho[1] = rand_ext();
                all_intervals(r, rho, 2);
            }
    }
    for (size_t n = 3; n <= 6; n++)
        for (int k = 0; k < 40; k++) {
            for (size_t i = 0; i < n; i++) {
                r[i] = rand_ext();
                rho[i] = rand_ext();
            }
            all_intervals(r, NULL, n);
            all_intervals(r, rho, n);
        }
    printf("interval sums: %ld intervals checked, %ld wrong\n", checked, wrong);
    CHECK(checked > 1000000 && wrong == 0);
    return TEST_SUMMARY();
}
