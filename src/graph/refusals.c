#include "graph/refusals.h"

#include <stdio.h>
#include <string.h>

#include "common/error.h"

void zki_refusals_add(zki_refusals *r, const char *op, const char *node, const char *why)
{
    zki_refusal_group *g = NULL;
    for (int k = 0; k < r->n && !g; k++)
        if (!strcmp(r->g[k].op, op) && !strcmp(r->g[k].why, why))
            g = &r->g[k];
    if (!g) {
        if (r->n == ZKI_REFUSAL_GROUPS) {
            r->more++;
            return;
        }
        g = &r->g[r->n++];
        memset(g, 0, sizeof *g);
        snprintf(g->op, sizeof g->op, "%s", op);
        snprintf(g->why, sizeof g->why, "%s", why);
    }
    g->count++;
    size_t l = strlen(g->nodes);
    /* three names are enough to find the rest; a name that does not fit
     * whole (with room left for ", ...") is left out, not cut */
    if (g->count > 3 || l + strlen(node) + 2 + 6 > sizeof g->nodes) {
        if (l + 6 <= sizeof g->nodes && (l < 5 || strcmp(g->nodes + l - 5, ", ...")))
            memcpy(g->nodes + l, l ? ", ..." : "...", l ? 6 : 4);
        return;
    }
    snprintf(g->nodes + l, sizeof g->nodes - l, "%s%s", l ? ", " : "", node);
}

zki_status zki_refusals_fail(const zki_refusals *r, zki_status code)
{
    if (r->n == 0)
        return ZKI_OK;
    char msg[1024];
    size_t l = (size_t)snprintf(msg, sizeof msg, "unsupported:");
    for (int k = 0; k < r->n && l < sizeof msg; k++) {
        const zki_refusal_group *g = &r->g[k];
        char cnt[16] = "";
        if (g->count > 1)
            snprintf(cnt, sizeof cnt, " x%d", g->count);
        /* one group on the line, several one a line below it */
        l += (size_t)snprintf(msg + l, sizeof msg - l, "%s%s%s (node%s %s): %s", r->n > 1 ? "\n  " : " ", g->op,
                              cnt, g->count > 1 ? "s" : "", g->nodes, g->why);
    }
    if (r->more && l < sizeof msg)
        snprintf(msg + l, sizeof msg - l, "\n  and %d more", r->more);
    return zki_fail(code, "%s", msg);
}

const char *zki_refusal_remedy(const char *op, int opset)
{
    (void)opset;
    if (!strcmp(op, "Div"))
        return "; only division by a constant is supported (a Div of two activations has no integer "
               "version): divide by a constant, or multiply by a Reciprocal (a LayerNorm or RMSNorm "
               "written out with a Div is fused back when it has the form torch exports: docs/onnx.md)";
    if (!strcmp(op, "RNN") || !strcmp(op, "Loop") || !strcmp(op, "Scan"))
        return "; recurrent layers other than LSTM and GRU, and loops, are not supported: zkinfer unrolls "
               "forward LSTM and GRU layers and otherwise takes feed-forward graphs (docs/onnx.md)";
    if (!strcmp(op, "BatchNormalization"))
        return "; a BatchNormalization is folded into a Conv or Gemm right before it (with no other "
               "consumer), or else taken as a depthwise 1x1 Conv when its input is 4-D (NCHW) and its "
               "parameters are constants: place it after a Conv, or fold it before exporting";
    return "";
}
