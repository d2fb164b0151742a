/* Random-weight quantised MLPs, built directly as integer models (no ONNX):
 * for benchmarks (paper0 suites) and tests. Layer l maps widths[l] to
 * widths[l + 1] features with int8 weights, an int32-range bias and a
 * requantisation scaled so activations stay spread over int8; relu[l]
 * selects a fused ReLU (clamp [0, 127]) or the plain int8 clamp. */
#ifndef ZKI_TESTS_RANDOM_MLP_H
#define ZKI_TESTS_RANDOM_MLP_H

#include "quant/qmodel.h"

zki_status zki_random_mlp(const uint32_t *widths, const int *relu, uint32_t n_layers, uint64_t seed,
                          zki_qmodel **out);

/* The verifier-cost attack key (tests/test_attack_keycost.c): nl layers
 * 1 -> 1, int8 weight 127, bias 0, M = 2^30, s = 1 (the quotient bound
 * saturates q_log at 20: 2^20 quotient tables), clamp [-(l mod 128),
 * l / 128]: nl distinct ranges (up to 2^14), one lookup instance each, the
 * most values a key of nl layers makes a proof carry. NULL on failure. */
zki_qmodel *zki_clamp_ranges_mlp(uint32_t nl);

#endif
