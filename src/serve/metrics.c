#include "serve/metrics.h"

#include <pthread.h>

static const unsigned codes[ZKI_METRIC_CODES] = {200, 400, 404, 405, 413, 500, 503, 504, 0, 0};
static const double buckets[] = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long long requests[ZKI_ROUTE_COUNT][ZKI_METRIC_CODES + 1];
static unsigned long long prove_bucket[NBUCKETS], prove_count, prove_failures;
static double prove_sum;

static int code_index(unsigned status)
{
    for (int k = 0; k < ZKI_METRIC_CODES; k++)
        if (codes[k] && codes[k] == status)
            return k;
    return ZKI_METRIC_CODES;
}

void zki_metrics_request(zki_route_kind route, unsigned status)
{
    if (route >= ZKI_ROUTE_COUNT)
        route = ZKI_ROUTE_NOT_FOUND;
    pthread_mutex_lock(&lock);
    requests[route][code_index(status)]++;
    pthread_mutex_unlock(&lock);
}

void zki_metrics_prove(double seconds, int failed)
{
    pthread_mutex_lock(&lock);
    if (failed) {
        prove_failures++;
    } else {
        prove_count++;
        prove_sum += seconds;
        for (size_t k = 0; k < NBUCKETS; k++)
            if (seconds <= buckets[k])
                prove_bucket[k]++;
    }
    pthread_mutex_unlock(&lock);
}

void zki_metrics_render(zki_buf *b)
{
    pthread_mutex_lock(&lock);
    zki_buf_puts(b, "# HELP zkinfer_requests_total HTTP requests answered, by endpoint and status code.\n"
                    "# TYPE zkinfer_requests_total counter\n");
    /* the three web routes share one label: sum them */
    unsigned long long merged[ZKI_ROUTE_COUNT][ZKI_METRIC_CODES + 1] = {{0}};
    for (int r = 0; r < ZKI_ROUTE_COUNT; r++) {
        int to = r == ZKI_ROUTE_WEB_DEMO || r == ZKI_ROUTE_WEB_FILE ? ZKI_ROUTE_WEB_INDEX : r;
        for (int c = 0; c <= ZKI_METRIC_CODES; c++)
            merged[to][c] += requests[r][c];
    }
    for (int r = 0; r < ZKI_ROUTE_COUNT; r++)
        for (int c = 0; c <= ZKI_METRIC_CODES; c++)
            if (merged[r][c]) {
                zki_buf_printf(b, "zkinfer_requests_total{endpoint=\"%s\",code=\"", zki_route_label((zki_route_kind)r));
                if (c < ZKI_METRIC_CODES)
                    zki_buf_printf(b, "%u", codes[c]);
                else
                    zki_buf_puts(b, "other");
                zki_buf_printf(b, "\"} %llu\n", merged[r][c]);
            }
    zki_buf_printf(b, "# HELP zkinfer_prove_failures_total Proofs the library refused or failed to make.\n"
                      "# TYPE zkinfer_prove_failures_total counter\nzkinfer_prove_failures_total %llu\n",
                   prove_failures);
    zki_buf_puts(b, "# HELP zkinfer_prove_seconds The prover's time per proof (queue wait excluded).\n"
                    "# TYPE zkinfer_prove_seconds histogram\n");
    for (size_t k = 0; k < NBUCKETS; k++)
        zki_buf_printf(b, "zkinfer_prove_seconds_bucket{le=\"%g\"} %llu\n", buckets[k], prove_bucket[k]);
    zki_buf_printf(b, "zkinfer_prove_seconds_bucket{le=\"+Inf\"} %llu\nzkinfer_prove_seconds_sum %.6f\n"
                      "zkinfer_prove_seconds_count %llu\n",
                   prove_count, prove_sum, prove_count);
    pthread_mutex_unlock(&lock);
}
