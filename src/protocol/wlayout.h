/* The weight commitment's layout: every node's weights and biases packed
 * into ONE int32 table (protocol/pack.h), so the PCS opening of the weights
 * is one claim at one point (one combined row in the proof).
 *
 * A CONV layer's weights are committed as KH*KW slices, one per kernel
 * position (ky, kx): slice[oc][icl] = W[oc][icl][ky][kx], [2^loc][2^licl].
 * The conv gadget ends in a claim on W~ over the per-axis padded layout
 * (r_kx, r_ky, r_icl, r_oc); the prover sends the slice values
 * s[ky][kx] = slice~(r_icl, r_oc) and the verifier checks
 *     W~(r) = sum_{ky < KH, kx < KW} eq(r_ky, ky) eq(r_kx, kx) s[ky][kx]
 * (positions ky >= KH or kx >= KW are zero by definition, not committed).
 * The check is an identity of the two sides' definitions, so a wrong s
 * survives it only together with a false claim on a committed slice, which
 * the opening rejects. A 3x3 kernel costs 9 slices instead of a 4x4 block
 * (16/9 of the weights committed and opened).
 *
 * A kernel of ZKI_CONV_ONE_SEGMENT_TAPS positions or more is committed as
 * ONE segment instead, the whole padded W [2^loc][2^licl][2^lkh][2^lkw]
 * (zero at ky >= KH, kx >= KW), whose MLE at the conv's point is the
 * claim itself: no slice values. Such kernels are reductions over an axis
 * (a GPT's LayerNorm sums: 768 positions, whose 768 slice values went
 * into the node proof and again into the column reduction, 1.2 MB of
 * GPT-2's proof), where padding costs little. */
#ifndef ZKI_PROTOCOL_WLAYOUT_H
#define ZKI_PROTOCOL_WLAYOUT_H

#include "ops/conv.h"
#include "protocol/key.h"

#define ZKI_CONV_ONE_SEGMENT_TAPS 64u
/* Whether the conv's weights are one segment (above), else KH*KW slices. */
static inline int zki_conv_one_segment(const zki_conv_dims *cd)
{
    return cd->KH * cd->KW >= ZKI_CONV_ONE_SEGMENT_TAPS;
}
/* Weight segments of the conv: 1 or KH*KW. */
static inline uint64_t zki_conv_wsegs(const zki_conv_dims *cd)
{
    return zki_conv_one_segment(cd) ? 1 : cd->KH * cd->KW;
}

/* Row width (log2) of the weight commitment: the proof cost of one
 * combined row (2^lc extension elements) against the opened columns
 * (t entries per row), with the column reduction's prover work bounded. */
uint32_t zki_weight_log_cols(const zki_vk *vk);

/* Writes layer l's weights and bias into the committed table, from the
 * gadgets' copy W (int8/int16: LINEAR [N][2^lk] padded, a GATHER's table
 * [V][2^ld] alike, CONV dense [OC][Cig][KH][KW]); bias [N or OC] or NULL. */
void zki_weight_table_put(const zki_vk *vk, uint32_t l, int32_t *wbig, const void *W, int w_bits,
                          const int64_t *bias);

/* Slice values s[KH*KW] of a conv layer (dense int8/int16 weights) at the
 * point wp (zki_conv_w_nvars coordinates). */
zki_status zki_conv_wslices_eval(const zki_conv_dims *cd, const void *W, int w_bits, const zki_ext *wp,
                                 zki_ext *s);
/* Whether sum eq(r_ky, ky) eq(r_kx, kx) s[ky][kx] equals w_eval. */
int zki_conv_wslices_check(const zki_conv_dims *cd, const zki_ext *wp, zki_ext w_eval, const zki_ext *s);

#endif
