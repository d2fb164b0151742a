/* Node tests of Debian's libonnx-testdata whose models import an opset
 * below the importer's (ZKI_ONNX_OPSET_MIN) for ops whose definition has
 * not changed since (GlobalAveragePool-1, InstanceNormalization-6: later
 * versions only add types): the model is decoded by the generated ONNX
 * decoder, its default-domain opset raised to ZKI_ONNX_OPSET_MIN and
 * parsed as usual, attributes and all. Used by the conformance tests, whose
 * targets see the generated header (CMakeLists.txt). Include after
 * test_onnx_util.h. */
#ifndef ZKI_TEST_ONNX_LEGACY_H
#define ZKI_TEST_ONNX_LEGACY_H

#include <stdlib.h>
#include <string.h>

#include "onnx/onnx.h"
#include "onnx/onnx.pb-c.h"

/* Every node of the graph is an op whose definition is its first version's. */
static inline int legacy_nodes_only(const Onnx__GraphProto *gp)
{
    static const char *const unchanged[] = {"GlobalAveragePool", "InstanceNormalization"};
    if (!gp || gp->n_node == 0)
        return 0;
    for (size_t i = 0; i < gp->n_node; i++) {
        int ok = 0;
        for (size_t k = 0; k < sizeof unchanged / sizeof unchanged[0]; k++)
            ok |= gp->node[i]->op_type && !strcmp(gp->node[i]->op_type, unchanged[k]);
        if (!ok)
            return 0;
    }
    return 1;
}

/* The default domain's opset entry of m, or NULL. */
static inline Onnx__OperatorSetIdProto *default_opset(Onnx__ModelProto *m)
{
    for (size_t k = 0; k < m->n_opset_import; k++) {
        const char *d = m->opset_import[k]->domain ? m->opset_import[k]->domain : "";
        if (!d[0] || !strcmp(d, "ai.onnx"))
            return m->opset_import[k];
    }
    return NULL;
}

/* zki_onnx_parse_buffer, except that a model below the importer's opset
 * whose nodes are all such ops is parsed at ZKI_ONNX_OPSET_MIN (then
 * *raised, if given, is 1). Other models: zki_onnx_parse_buffer's status
 * and message. */
static inline zki_status parse_legacy(const uint8_t *buf, size_t len, zki_graph **g, int *raised)
{
    int r = 0;
    zki_status st = zki_onnx_parse_buffer(buf, len, g);
    if (raised)
        *raised = 0;
    if (st != ZKI_ERR_UNSUPPORTED)
        return st;
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
    Onnx__OperatorSetIdProto *os = m ? default_opset(m) : NULL;
    if (os && os->version < ZKI_ONNX_OPSET_MIN && legacy_nodes_only(m->graph)) {
        os->version = ZKI_ONNX_OPSET_MIN;
        size_t n = onnx__model_proto__get_packed_size(m);
        uint8_t *p = malloc(n ? n : 1);
        if (p) {
            onnx__model_proto__pack(m, p);
            st = zki_onnx_parse_buffer(p, n, g);
            r = st == ZKI_OK;
        }
        free(p);
    }
    if (m)
        onnx__model_proto__free_unpacked(m, NULL);
    if (raised)
        *raised = r;
    return st;
}

#endif
