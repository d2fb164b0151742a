#!/usr/bin/python3
"""Writes the small ONNX fixtures of tests/data/ (committed, so the C tests
need no Python). Run: /usr/bin/python3 tools/make_test_fixtures.py"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data")


def save_pb(arr, name):
    t = numpy_helper.from_array(np.ascontiguousarray(arr))
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(t.SerializeToString())


def save_npy(arr, name):
    np.save(os.path.join(OUT, name), np.ascontiguousarray(arr))


def torch_export(model, x, name, opset, dynamic_batch=False):
    model.eval()
    path = os.path.join(OUT, name)
    dyn = {"x": {0: "batch"}, "y": {0: "batch"}} if dynamic_batch else None
    torch.onnx.export(model, x, path, opset_version=opset, input_names=["x"], output_names=["y"],
                      dynamic_axes=dyn)
    with torch.no_grad():
        return model(x).numpy()


class Mlp(torch.nn.Module):
    """x.view(x.size(0), -1) makes torch emit a Shape/Gather/Concat chain."""

    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(12, 16)
        self.drop = torch.nn.Dropout(0.5)
        self.fc2 = torch.nn.Linear(16, 5)

    def forward(self, x):
        x = x.view(x.size(0), -1)
        return self.fc2(self.drop(torch.relu(self.fc1(x))))


def make_mlp():
    torch.manual_seed(1)
    x = torch.randn(1, 3, 4)
    m = Mlp()
    y = torch_export(m, x, "mlp_view.onnx", 13, dynamic_batch=True)
    save_pb(x.numpy(), "mlp_view_x.pb")
    save_pb(y, "mlp_view_y.pb")


def make_bn_graph():
    """Conv -> BatchNormalization -> Relu -> Identity -> Dropout -> Gemm-BN,
    built by hand so the BN nodes survive to our importer."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, 2, 5, 5)).astype(np.float32)
    w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    sc = rng.uniform(0.5, 1.5, 3).astype(np.float32)
    bb = rng.standard_normal(3).astype(np.float32)
    mu = rng.standard_normal(3).astype(np.float32)
    var = rng.uniform(0.5, 2, 3).astype(np.float32)
    gw = rng.standard_normal((4, 27)).astype(np.float32)  # Gemm transB=1
    gsc = rng.uniform(0.5, 1.5, 4).astype(np.float32)
    gbb = rng.standard_normal(4).astype(np.float32)
    gmu = rng.standard_normal(4).astype(np.float32)
    gvar = rng.uniform(0.5, 2, 4).astype(np.float32)
    inits = [numpy_helper.from_array(a, n) for a, n in [
        (w, "w"), (b, "b"), (sc, "sc"), (bb, "bb"), (mu, "mu"), (var, "var"),
        (gw, "gw"), (gsc, "gsc"), (gbb, "gbb"), (gmu, "gmu"), (gvar, "gvar")]]
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[0, 0, 0, 0]),
        helper.make_node("BatchNormalization", ["c", "sc", "bb", "mu", "var"], ["bn"], name="bn", epsilon=1e-3),
        helper.make_node("Relu", ["bn"], ["r"], name="relu"),
        helper.make_node("Identity", ["r"], ["id"], name="ident"),
        helper.make_node("Dropout", ["id"], ["d"], name="drop"),
        helper.make_node("Flatten", ["d"], ["f"], name="flat", axis=1),
        helper.make_node("Gemm", ["f", "gw"], ["g"], name="gemm", transB=1, alpha=0.5),
        helper.make_node("BatchNormalization", ["g", "gsc", "gbb", "gmu", "gvar"], ["y"], name="bn2"),
    ]
    graph = helper.make_graph(nodes, "bn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 5, 5])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, "bn_fold.onnx"))
    # reference in numpy
    conv = np.zeros((1, 3, 3, 3), np.float64)
    for m in range(3):
        for i in range(3):
            for j in range(3):
                conv[0, m, i, j] = (x[0, :, i:i + 3, j:j + 3] * w[m]).sum() + b[m]
    bn = (conv - mu[None, :, None, None]) / np.sqrt(var[None, :, None, None] + 1e-3) * sc[None, :, None, None] \
        + bb[None, :, None, None]
    r = np.maximum(bn, 0).reshape(1, 27)
    g = 0.5 * r @ gw.T
    y = (g - gmu) / np.sqrt(gvar + 1e-5) * gsc + gbb
    save_pb(x, "bn_fold_x.pb")
    save_pb(y.astype(np.float32), "bn_fold_y.pb")


def make_opset9():
    """Attribute forms of opset 9: Slice, Pad, Unsqueeze, Squeeze, Clip."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 3, 4)).astype(np.float32)
    nodes = [
        helper.make_node("Slice", ["x"], ["s"], name="slice", starts=[1, 0], ends=[3, 100], axes=[1, 2]),
        helper.make_node("Pad", ["s"], ["p"], name="pad", pads=[0, 0, 1, 0, 0, 2], value=0.5),
        helper.make_node("Unsqueeze", ["p"], ["u"], name="unsq", axes=[0]),
        helper.make_node("Squeeze", ["u"], ["q"], name="sq", axes=[0, 1]),
        helper.make_node("Clip", ["q"], ["y"], name="clip", min=-0.3, max=0.7),
    ]
    graph = helper.make_graph(nodes, "opset9", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 7])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 9)])
    model.ir_version = 4
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, "opset9_attrs.onnx"))
    s = x[:, 1:3, :]
    p = np.pad(s, [(0, 0), (0, 0), (1, 2)], constant_values=0.5)
    y = np.clip(p[0], -0.3, 0.7)
    save_pb(x, "opset9_attrs_x.pb")
    save_pb(y, "opset9_attrs_y.pb")


def make_bad():
    """An unsupported op and a dynamic non-batch dim: clear errors expected."""
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu0"),
             helper.make_node("Hardmax", ["r"], ["y"], name="the_hardmax")]
    graph = helper.make_graph(nodes, "bad", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    onnx.save(model, os.path.join(OUT, "bad_unsupported_op.onnx"))
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu0")]
    graph = helper.make_graph(nodes, "dyn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, "seq"])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, "seq"])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    onnx.save(model, os.path.join(OUT, "bad_dynamic_dim.onnx"))


class SmallCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.b1 = torch.nn.BatchNorm2d(4)
        self.c2 = torch.nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2)
        self.fc = torch.nn.Linear(6 * 2 * 2, 3)

    def forward(self, x):
        x = torch.nn.functional.max_pool2d(torch.relu(self.b1(self.c1(x))), 2)
        x = torch.nn.functional.avg_pool2d(torch.sigmoid(self.c2(x)), 2, ceil_mode=False)
        x = torch.flatten(x, 1)
        return torch.softmax(self.fc(x), dim=-1)


def make_cnn():
    torch.manual_seed(5)
    m = SmallCnn()
    with torch.no_grad():  # non-trivial running statistics
        m.b1.running_mean.uniform_(-0.5, 0.5)
        m.b1.running_var.uniform_(0.5, 2.0)
    x = torch.randn(1, 1, 16, 16)
    y = torch_export(m, x, "cnn_small.onnx", 11)
    save_pb(x.numpy(), "cnn_small_x.pb")
    save_pb(y, "cnn_small_y.pb")


def make_tiny_gpt():
    """A one-block GPT-2-style decoder (token ids in, logits out): Gather,
    LayerNormalization, MatMul of activations, masked Softmax, Erf GELU."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from export_models import Gpt2Small
    torch.manual_seed(9)
    m = Gpt2Small(vocab=32, t=8, d=16, heads=2, layers=1)
    with torch.no_grad():  # larger weights than the init: a peaked attention
        for p in m.parameters():
            p.mul_(3.0)
    m.eval()
    ids = torch.tensor([[3, 1, 4, 1, 5, 9, 2, 6]])
    path = os.path.join(OUT, "gpt_tiny.onnx")
    torch.onnx.export(m, ids, path, opset_version=17, input_names=["ids"], output_names=["logits"])
    with torch.no_grad():
        y = m(ids).numpy()
    save_pb(ids.numpy(), "gpt_tiny_x.pb")
    save_pb(y, "gpt_tiny_y.pb")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    make_mlp()
    make_bn_graph()
    make_opset9()
    make_bad()
    make_cnn()
    make_tiny_gpt()
    print("fixtures written to", os.path.normpath(OUT), file=sys.stderr)
