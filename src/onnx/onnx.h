/* ONNX import: model files decoded by protobuf-c (code generated at build
 * time from Debian's onnx.proto) into the graph IR, then prepared: old-opset
 * forms normalised, shapes inferred, constants folded, BatchNormalization
 * folded into Conv/Gemm, Dropout and Identity removed (graph/passes.h).
 *
 * Every failure returns an error code with a message naming the node, op
 * type and opset (or the tensor / byte count) at fault; hostile or truncated
 * input is an error, never a crash. */
#ifndef ZKI_ONNX_ONNX_H
#define ZKI_ONNX_ONNX_H

#include <stddef.h>
#include <stdint.h>

#include "graph/graph.h"

/* Opsets of the default domain the importer accepts. */
#define ZKI_ONNX_OPSET_MIN 9
#define ZKI_ONNX_OPSET_MAX 18

/* Parses a serialized ModelProto and prepares the graph. */
zki_status zki_onnx_load_buffer(const uint8_t *buf, size_t len, zki_graph **out);
zki_status zki_onnx_load_file(const char *path, zki_graph **out);

/* Parses only (no preparation): the raw graph as the file describes it. */
zki_status zki_onnx_parse_buffer(const uint8_t *buf, size_t len, zki_graph **out);

/* Decodes a serialized TensorProto (the ONNX test-data .pb format). */
zki_status zki_onnx_read_tensor_buffer(const uint8_t *buf, size_t len, zki_host_tensor *out);
zki_status zki_onnx_read_tensor_file(const char *path, zki_host_tensor *out);

/* True when buf decodes as an ONNX ModelProto with a graph and an opset:
 * tells an ONNX model (even one zkinfer refuses) from an unknown file. */
int zki_onnx_is_model(const uint8_t *buf, size_t len);

/* Largest ONNX model or .pb tensor file accepted (protobuf's own 2 GiB limit). */
#define ZKI_ONNX_MAX_FILE_BYTES ((size_t)2 << 30)

#endif
