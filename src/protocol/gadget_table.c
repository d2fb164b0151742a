/* The gadget table: one line per node kind (protocol/dag.h). */
#include "protocol/gadget.h"

static const zki_gadget *const table[ZKI_NODE_KINDS] = {
    [ZKI_NODE_LINEAR] = &zki_gadget_linear,
    [ZKI_NODE_CONV] = &zki_gadget_conv,
    [ZKI_NODE_MAXPOOL] = &zki_gadget_maxpool,
    [ZKI_NODE_ADD] = &zki_gadget_add,
    [ZKI_NODE_CONCAT] = &zki_gadget_concat,
    [ZKI_NODE_LUT] = &zki_gadget_lut,
    [ZKI_NODE_MUL] = &zki_gadget_mul,
    [ZKI_NODE_MOVE] = &zki_gadget_move,
    [ZKI_NODE_BMM] = &zki_gadget_bmm,
    [ZKI_NODE_GATHER] = &zki_gadget_gather,
};

const zki_gadget *zki_gadget_of(uint32_t kind) { return kind < ZKI_NODE_KINDS ? table[kind] : NULL; }
