/* Batched matrix products of padded integer matrices (ops/bmm.h). */
#include "ops/bmm.h"

#include <string.h>

void zki_bmm_acc(int64_t *acc, const int64_t *a, const int64_t *b, uint64_t nb, size_t li, size_t lk, size_t lj)
{
    uint64_t I = (uint64_t)1 << li, K = (uint64_t)1 << lk, J = (uint64_t)1 << lj;
    int64_t rows = (int64_t)(nb * I);
    /* one output row per iteration: disjoint writes, any thread count */
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < rows; r++) {
        uint64_t g = (uint64_t)r / I;
        const int64_t *ar = a + (uint64_t)r * K, *bg = b + g * K * J;
        int64_t *y = acc + (uint64_t)r * J;
        memset(y, 0, sizeof(int64_t) * J);
        for (uint64_t k = 0; k < K; k++) {
            int64_t x = ar[k];
            for (uint64_t j = 0; x && j < J; j++)
                y[j] += x * bg[k * J + j];
        }
    }
}
