/* Collects every node a stage refuses, so one message lists them all,
 * grouped by op and reason, each with what to do about it:
 *   unsupported: Div x3 (nodes /a/Div, /b/Div, ...): no integer version;
 *   only division by a constant is supported ...: divide by a constant, ...
 * instead of failing at the first one. */
#ifndef ZKI_GRAPH_REFUSALS_H
#define ZKI_GRAPH_REFUSALS_H

#include "zkinfer.h"

#define ZKI_REFUSAL_GROUPS 8

typedef struct {
    char op[32], why[256], nodes[120];
    int count;
} zki_refusal_group;

typedef struct {
    zki_refusal_group g[ZKI_REFUSAL_GROUPS];
    int n, more; /* more: refusals beyond the groups kept */
} zki_refusals;

/* Records that node `node` (op `op`) is refused for `why` (reason and
 * remedy); nodes with the same op and reason share one group. */
void zki_refusals_add(zki_refusals *r, const char *op, const char *node, const char *why);

/* ZKI_OK when nothing was refused; else records the grouped message
 * ("unsupported: ...") and returns code. */
zki_status zki_refusals_fail(const zki_refusals *r, zki_status code);

/* What to do about an op zkinfer has no version of at the given opset
 * (an ONNX op name), or "" when there is nothing more specific to say. */
const char *zki_refusal_remedy(const char *op, int opset);

#endif
