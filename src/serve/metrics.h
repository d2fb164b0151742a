/* The service's counters, rendered in the Prometheus text format. All
 * functions are thread-safe (one mutex: updates are a few per request). */
#ifndef ZKI_SERVE_METRICS_H
#define ZKI_SERVE_METRICS_H

#include "serve/json.h"
#include "serve/routes.h"

/* Status codes counted per endpoint (others count as "other"). */
#define ZKI_METRIC_CODES 10

void zki_metrics_request(zki_route_kind route, unsigned status);
/* A proof's prover time (seconds) and whether it failed. */
void zki_metrics_prove(double seconds, int failed);
/* Appends every counter; gauges (queue depth, in-flight, proofs left)
 * are the caller's, written after. */
void zki_metrics_render(zki_buf *b);

#endif
