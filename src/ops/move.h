/* Data movement as a public index map (the MOVE node, protocol/dag.h):
 * every dense output element o of a sample is the dense input element
 * src[o], or the program's pad constant (src[o] = -1).
 *
 * The step program (int64 words; a MOVE node's aux after its 4-word input
 * layout header):
 *   pad, r, dims[r]          the pad constant (a value in the tensor's
 *                            range), the input's dense shape
 *   then steps, each an opcode and its words (r = the current rank):
 *   RESHAPE   1, r', dims[r']                   same numel
 *   TRANSPOSE 2, perm[r]                        out axis a = in axis perm[a]
 *   SLICE     3, start[r], step[r], len[r]      out[i] = in[start + i*step],
 *                                               every index inside the axis
 *   PAD       4, mode, begin[r], end[r]         mode 0 constant (the pad
 *                                               constant), 1 reflect, 2 edge
 *   EXPAND    5, r', dims[r']                   numpy broadcast (r' >= r)
 *   GATHER    6, axis, q, idims[q], idx[prod idims]  indices in [0, dims[axis])
 *   TRIL      7, upper, k                   (i, j) of the last two axes (r >= 2)
 *                                           kept where j >= i + k (upper 1) or
 *                                           j <= i + k (upper 0), the rest the
 *                                           pad constant (a causal mask)
 * The program is applied to an index tensor that starts as
 * arange(numel) in the input's shape. Every rank is at most 8, every
 * tensor (the input, each step's result) at most 2^26 elements, the
 * elements of all steps' results together at most 2^28 and the steps at
 * most 64: the work of expanding a program is fixed by its words
 * (zki_move_info.work).
 *
 * Proof (zki_move_prove): with padded layouts x [B][2^li], y [B][2^lo]
 * (pin, pout: a dense index's padded position), a claim y~(r) = v,
 * r = (r_o, r_b), becomes one claim on x by one degree-2 sum-check over
 * the li + lb variables (j, b):
 *     v - c P E_B = sum_{j, b} x(b, j) eq(r_b, b) m(j),
 *     m(j) = sum_{o: src[o] >= 0, pin[src[o]] = j} eq(r_o, pout[o]),
 *     P = sum_{o: src[o] = -1} eq(r_o, pout[o]),  E_B = sum_{b < B} eq(r_b, b)
 * (c the pad constant). At the sum-check's point rho = (rho_j, rho_b) the
 * prover sends a = x~(rho); the verifier builds m in O(2^li + numel(y))
 * and checks final = a eq(r_b, rho_b) m~(rho_j).
 * Transcript: the sum-check, then a. In a zero-knowledge proof
 * (src/zk/zk.h) a and the sum-check's messages are sent padded: the
 * proof holds the padded values, the prover keeps the true ones, and the
 * verifier's check is a constraint on private values. */
#ifndef ZKI_OPS_MOVE_H
#define ZKI_OPS_MOVE_H

#include <stddef.h>
#include <stdint.h>

#include "sumcheck/sumcheck.h"

#define ZKI_MOVE_RESHAPE 1
#define ZKI_MOVE_TRANSPOSE 2
#define ZKI_MOVE_SLICE 3
#define ZKI_MOVE_PAD 4
#define ZKI_MOVE_EXPAND 5
#define ZKI_MOVE_GATHER 6
#define ZKI_MOVE_TRIL 7

#define ZKI_MOVE_MAX_RANK 8
#define ZKI_MOVE_MAX_SIZE ((int64_t)1 << 26)
#define ZKI_MOVE_MAX_WORK ((uint64_t)1 << 28)
#define ZKI_MOVE_MAX_STEPS 64

typedef struct {
    int64_t pad;            /* the pad constant */
    int has_pad;            /* a constant-mode PAD or a TRIL step is present */
    uint32_t n_steps;
    uint32_t in_rank, out_rank;
    int64_t in_dims[ZKI_MOVE_MAX_RANK], out_dims[ZKI_MOVE_MAX_RANK];
    uint64_t in_n, out_n;
    uint64_t max_n;         /* the largest tensor of the expansion */
    uint64_t work;          /* elements of all steps' results */
} zki_move_info;

/* A program's shapes, checked word by word (nothing allocated): ZKI_OK or
 * ZKI_ERR_INPUT naming the fault. */
zki_status zki_move_check(const int64_t *prog, size_t n, zki_move_info *info);
/* src[out_n] (malloc'ed) of a program that passes zki_move_check. */
zki_status zki_move_expand(const int64_t *prog, size_t n, int64_t **src);

/* A per-sample layout: a map [c][h][w], each axis padded to a power of
 * two, or a row of n (padded to 2^log_len). */
typedef struct {
    int map;
    uint64_t c, h, w, n;
    size_t log_len;
} zki_move_layout;

/* The padded position of dense index i. */
uint64_t zki_move_pad_index(const zki_move_layout *l, uint64_t i);

typedef struct {
    uint64_t B;
    size_t lb;
    zki_move_layout in, out;
    const int64_t *src;     /* out.n entries */
    int64_t pad;
    int no_pad;             /* 1: src has no -1 entry (skips the verifier's pass
                             * summing the padded entries' weights) */
} zki_move_dims;

/* y [B][2^out.log_len] (malloc'ed; layout pads 0, pad elements the
 * constant) from x [B][ldx]. */
int64_t *zki_move_forward(const zki_move_dims *d, const int64_t *x, uint64_t ldx);
/* Prover: v = y~(r) (out.log_len + lb coordinates). Writes the proof (sc
 * and *a, the value as the proof holds it), the input's point rho
 * (in.log_len + lb coordinates) and *ev, a's true value x~(rho). */
zki_status zki_move_prove(const zki_move_dims *d, const int64_t *x, uint64_t ldx, const zki_ext *r, zki_ext v,
                          zki_transcript *t, zki_sc_proof *sc, zki_ext *a, zki_ext *rho, zki_ext *ev);
/* Verifier on a claim y~(r) = v that may be private: ZKI_ERR_VERIFY unless
 * the proof turns the claim into *out at rho (which the caller must
 * check); with private values the last round's check is a constraint. */
zki_status zki_move_verify(const zki_move_dims *d, const zki_ext *r, zki_pv v, const zki_sc_proof *sc, zki_ext a,
                           zki_transcript *t, zki_ext *rho, zki_pv *out);

#endif
