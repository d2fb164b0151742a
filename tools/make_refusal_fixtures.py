#!/usr/bin/python3
"""Writes the small ONNX models of tests/data/refuse_*.onnx: each holds ops
zkinfer refuses, so tests/test_cli_messages.c can check that every refusal
is named at once, grouped by op, with its remedy; and layernorm13.onnx, two
LayerNorms as torch exports them below opset 17 (decomposed), which the
importer fuses back (src/graph/norm_fuse.h; it was refuse_layernorm13.onnx,
whose graph name the committed file keeps). A Div of two activations, still
refused, is tools/make_norm_fuse_fixtures.py's refuse_div.onnx. Built with onnx.helper
(no torch needed): the graphs are what torch.onnx.export writes for these
layers. Run: /usr/bin/python3 tools/make_refusal_fixtures.py"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data")
rng = np.random.default_rng(11)


def const(name, arr):
    return numpy_helper.from_array(np.asarray(arr, dtype=np.float32), name)


def save(name, nodes, inits, x_shape, y_shape, opset):
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="zkinfer-fixtures")
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(OUT, name))


def layernorm13(p, x, y, n, inits):
    """nn.LayerNorm as torch exports it below opset 17: decomposed."""
    inits += [const(p + ".two", 2.0), const(p + ".eps", 1e-5), const(p + ".g", rng.normal(1, 0.1, n)),
              const(p + ".b", rng.normal(0, 0.1, n))]
    return [helper.make_node("ReduceMean", [x], [p + "/mean"], p + "/ReduceMean", axes=[-1]),
            helper.make_node("Sub", [x, p + "/mean"], [p + "/d"], p + "/Sub"),
            helper.make_node("Pow", [p + "/d", p + ".two"], [p + "/sq"], p + "/Pow"),
            helper.make_node("ReduceMean", [p + "/sq"], [p + "/var"], p + "/ReduceMean_1", axes=[-1]),
            helper.make_node("Add", [p + "/var", p + ".eps"], [p + "/ve"], p + "/Add"),
            helper.make_node("Sqrt", [p + "/ve"], [p + "/sd"], p + "/Sqrt"),
            helper.make_node("Div", [p + "/d", p + "/sd"], [p + "/n"], p + "/Div"),
            helper.make_node("Mul", [p + "/n", p + ".g"], [p + "/s"], p + "/Mul"),
            helper.make_node("Add", [p + "/s", p + ".b"], [y], p + "/Add_1")]


def gemm(p, x, y, k, n, inits):
    inits += [const(p + ".w", rng.normal(0, 0.3, (n, k))), const(p + ".bias", rng.normal(0, 0.1, n))]
    return [helper.make_node("Gemm", [x, p + ".w", p + ".bias"], [y], p + "/Gemm", transB=1)]


# two LayerNorms exported at opset 13: fused back into LayerNormalization
inits = []
nodes = (gemm("/fc1", "x", "h1", 8, 8, inits) + layernorm13("/ln1", "h1", "n1", 8, inits) +
         gemm("/fc2", "n1", "h2", 8, 8, inits) + layernorm13("/ln2", "h2", "y", 8, inits))
save("layernorm13.onnx", nodes, inits, [1, 8], [1, 8], 13)

# BatchNormalization of a 2-D tensor after a Relu (no Gemm right before it to
# fold into, and not 4-D for a depthwise Conv) and AveragePool with ceil_mode
# adding a partial window (its divisor is not the others': a window sum and a
# product by 1/count, refused with 16-bit activations, whose sums need 18 bits)
inits = [const("bn.s", [1.1, 0.9, 1.0, 1.2]), const("bn.b", [0.0, 0.1, -0.1, 0.2]),
         const("bn.m", [0.2, 0.1, 0.0, -0.1]), const("bn.v", [1.0, 0.8, 1.2, 0.9])]
nodes = (gemm("/fc", "x", "h", 8, 4, inits) +
         [helper.make_node("Relu", ["h"], ["r"], "/relu/Relu"),
          helper.make_node("BatchNormalization", ["r", "bn.s", "bn.b", "bn.m", "bn.v"], ["y"],
                           "/bn/BatchNormalization")])
save("refuse_bn_after_relu.onnx", nodes, inits, [1, 8], [1, 4], 13)
inits = [const("conv.w", rng.normal(0, 0.3, (2, 1, 3, 3))), const("conv.b", [0.1, -0.1])]
nodes = [helper.make_node("Conv", ["x", "conv.w", "conv.b"], ["c"], "/conv/Conv", pads=[1, 1, 1, 1]),
         helper.make_node("AveragePool", ["c"], ["y"], "/pool/AveragePool", kernel_shape=[2, 2], strides=[2, 2],
                          ceil_mode=1)]
save("refuse_avgpool_ceil.onnx", nodes, inits, [1, 1, 5, 5], [1, 2, 3, 3], 13)

# a Concat of 17 inputs (quantised in stages of 16: accepted) and one of
# 1025 (more than the importer takes)
for k, name in ((17, "concat17.onnx"), (1025, "refuse_concat1025.onnx")):
    nodes = [helper.make_node("Relu", ["x"], ["r"], "/relu/Relu"),
             helper.make_node("Concat", ["r"] * k, ["y"], "/cat/Concat", axis=1)]
    save(name, nodes, [], [1, 2], [1, 2 * k], 13)

# attention scores under a mask that is not causal (a band): the fused
# softmax runs, it is not proven
band = np.where(np.abs(np.subtract.outer(np.arange(4), np.arange(4))) <= 1, 0.0, -1e4)
nodes = [helper.make_node("Add", ["x", "mask"], ["s"], "/mask/Add"),
         helper.make_node("Softmax", ["s"], ["y"], "/sm/Softmax", axis=-1)]
save("refuse_attn_mask.onnx", nodes, [const("mask", band)], [1, 2, 4, 4], [1, 2, 4, 4], 13)
np.save(os.path.join(OUT, "refuse_attn_mask_calib.npy"),
        np.random.default_rng(3).standard_normal((4, 2, 4, 4)).astype(np.float32))

# a plain RNN and two Hardmax: both ops named at once (LSTM and GRU are
# unrolled, an RNN is not)
inits = [const("rnn.W", rng.normal(0, 0.3, (1, 4, 4))), const("rnn.R", rng.normal(0, 0.3, (1, 4, 4))),
         numpy_helper.from_array(np.array([1], dtype=np.int64), "sq.axes")]
nodes = [helper.make_node("Hardmax", ["x"], ["a"], "/act1/Hardmax"),
         helper.make_node("RNN", ["a", "rnn.W", "rnn.R"], ["o"], "/rnn/RNN", hidden_size=4),
         helper.make_node("Squeeze", ["o", "sq.axes"], ["s"], "/rnn/Squeeze"),
         helper.make_node("Hardmax", ["s"], ["y"], "/act2/Hardmax")]
save("refuse_rnn.onnx", nodes, inits, [3, 1, 4], [3, 1, 4], 14)
