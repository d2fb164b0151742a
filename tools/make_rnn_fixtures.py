#!/usr/bin/python3
"""Writes the recurrent-layer fixtures tests/data/rnn_*.onnx for the LSTM /
GRU unrolling (src/graph/recurrent.c, tests/test_graph_passes.c): small
classifiers on an input [1, T=6, F=8], random weights, exported by
torch.onnx.export at opset 13 (Transpose / Shape / Expand around the LSTM or
GRU node, as torch writes them), plus two built by hand with onnx.helper for
what torch does not export:

  rnn_lstm      LSTM(8, 12) batch_first, zero initial state -> last step -> Linear(12, 10)
  rnn_gru       GRU(8, 12) (linear_before_reset 1), zero initial state -> last step -> Linear
  rnn_lstm2     2-layer LSTM(8, 12) whose initial h and c are computed from the
                input (tanh of a Linear of x[:, 0]): a state that is a value;
                the classifier reads the last step of Y, h_n and c_n
  rnn_gru2      2-layer GRU(8, 12) with a learned constant initial state
                (nonzero): the state folded into constants
  rnn_gru_lbr0  hand-built GRU with linear_before_reset 0, a constant
                nonzero initial_h and Y_h as the output (torch cannot export
                it; the expected output comes from a NumPy reference of the
                ONNX GRU equations)
  rnn_lstm_c0   hand-built LSTM with constant nonzero initial_h and
                initial_c and Y_h as the output (f * c0 at the first step:
                a product with a constant; NumPy reference)
  rnn_bidir     hand-built bidirectional LSTM: refused
  rnn_reverse   hand-built reverse GRU: refused

For each classifier NAME, next to NAME.onnx (a few KB each):
  NAME_calib.npy  8 calibration samples [8, 6, 8] float32
  NAME_x.npy      one input [1, 6, 8] float32 (not in the calibration set)
  NAME_y.npy      the expected output (torch's, or the NumPy reference's)

Deterministic: fixed torch and NumPy seeds.
Regenerate: /usr/bin/python3 tools/make_rnn_fixtures.py [--out DIR]
"""
import argparse
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
T, F, H, C = 6, 8, 12, 10


class Classifier(nn.Module):
    def __init__(self, kind, layers=1, state=None):
        super().__init__()
        cls = nn.LSTM if kind == "lstm" else nn.GRU
        self.kind, self.layers, self.state = kind, layers, state
        self.rnn = cls(F, H, num_layers=layers, batch_first=True)
        n_feat = H
        if state == "const":
            self.h0 = nn.Parameter(torch.randn(layers, 1, H) * 0.5)
        elif state == "value":
            self.init_h = nn.Linear(F, layers * H)
            self.init_c = nn.Linear(F, layers * H)
            n_feat = 3 * H
        self.fc = nn.Linear(n_feat, C)

    def forward(self, x):
        if self.state == "const":
            y, _ = self.rnn(x, self.h0)
            return self.fc(y[:, -1, :])
        if self.state == "value":
            h0 = torch.tanh(self.init_h(x[:, 0])).reshape(1, self.layers, H).transpose(0, 1)
            c0 = torch.tanh(self.init_c(x[:, 0])).reshape(1, self.layers, H).transpose(0, 1)
            y, (hn, cn) = self.rnn(x, (h0.contiguous(), c0.contiguous()))
            return self.fc(torch.cat([y[:, -1, :], hn[-1], cn[-1]], dim=1))
        y, _ = self.rnn(x)
        return self.fc(y[:, -1, :])


TORCH = {
    "rnn_lstm": ("lstm", 1, None),
    "rnn_gru": ("gru", 1, None),
    "rnn_lstm2": ("lstm", 2, "value"),
    "rnn_gru2": ("gru", 2, "const"),
}


def save_io(out, name, x, calib, y):
    np.save(os.path.join(out, name + "_calib.npy"), calib.astype(np.float32))
    np.save(os.path.join(out, name + "_x.npy"), x.astype(np.float32))
    np.save(os.path.join(out, name + "_y.npy"), y.astype(np.float32))


def export_torch(out, name, seed):
    kind, layers, state = TORCH[name]
    torch.manual_seed(seed)
    m = Classifier(kind, layers, state).eval()
    x = torch.randn(1, T, F)
    calib = torch.randn(8, T, F)
    with torch.no_grad():
        y = m(x)
        torch.onnx.export(m, x, os.path.join(out, name + ".onnx"), opset_version=13, input_names=["x"],
                          output_names=["y"])
    save_io(out, name, x.numpy(), calib.numpy(), y.numpy())


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def gru_ref(x, W, R, B, h0, lbr):
    """ONNX GRU, forward, X [T, 1, I]: returns Y [T, 1, 1, H] and Y_h [1, 1, H]."""
    Hs = R.shape[-1]
    Wz, Wr, Wh = W[0][:Hs], W[0][Hs:2 * Hs], W[0][2 * Hs:]
    Rz, Rr, Rh = R[0][:Hs], R[0][Hs:2 * Hs], R[0][2 * Hs:]
    wb, rb = B[0][:3 * Hs], B[0][3 * Hs:]
    h = h0[0]
    ys = []
    for t in range(x.shape[0]):
        xt = x[t]
        z = sigmoid(xt @ Wz.T + h @ Rz.T + wb[:Hs] + rb[:Hs])
        r = sigmoid(xt @ Wr.T + h @ Rr.T + wb[Hs:2 * Hs] + rb[Hs:2 * Hs])
        if lbr:
            hh = np.tanh(xt @ Wh.T + wb[2 * Hs:] + r * (h @ Rh.T + rb[2 * Hs:]))
        else:
            hh = np.tanh(xt @ Wh.T + wb[2 * Hs:] + (r * h) @ Rh.T + rb[2 * Hs:])
        h = (1 - z) * hh + z * h
        ys.append(h)
    return np.stack(ys)[:, None], h[None]


def lstm_ref(x, W, R, B, h0, c0):
    """ONNX LSTM (gates i o f c), forward, X [T, 1, I]: returns Y_h [1, 1, H]."""
    Hs = R.shape[-1]
    b = B[0][:4 * Hs] + B[0][4 * Hs:]
    h, c = h0[0], c0[0]
    for t in range(x.shape[0]):
        g = x[t] @ W[0].T + h @ R[0].T + b
        i, o, f, cc = (g[:, k * Hs:(k + 1) * Hs] for k in range(4))
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(cc)
        h = sigmoid(o) * np.tanh(c)
    return h[None]


def hand_built(out, name, seed, op, gates, n_states, ref, **attrs):
    """x [1, T, F] -> Transpose -> OP with constant nonzero initial states
    (h, then c) -> Y_h [1, 1, H] -> Reshape [1, H]; the expected output is
    ref(x [T, 1, F], W, R, B, *states)."""
    rng = np.random.default_rng(seed)
    W = (rng.normal(0, 0.4, (1, gates * H, F))).astype(np.float32)
    R = (rng.normal(0, 0.3, (1, gates * H, H))).astype(np.float32)
    B = (rng.normal(0, 0.2, (1, 2 * gates * H))).astype(np.float32)
    states = [(rng.normal(0, 0.5, (1, 1, H))).astype(np.float32) for _ in range(n_states)]
    p = op.lower() + "."
    names = [p + "W", p + "R", p + "B"] + [p + k for k in ("h0", "c0")[:n_states]]
    inits = [numpy_helper.from_array(v, k) for v, k in zip([W, R, B] + states, names)]
    inits.append(numpy_helper.from_array(np.array([1, H], dtype=np.int64), "shape"))
    nodes = [helper.make_node("Transpose", ["x"], ["xt"], "/rnn/Transpose", perm=[1, 0, 2]),
             helper.make_node(op, ["xt"] + names[:3] + [""] + names[3:], ["", "hn"], "/rnn/" + op, hidden_size=H,
                              **attrs),
             helper.make_node("Reshape", ["hn", "shape"], ["y"], "/Reshape")]
    save_model(out, name, nodes, inits, [1, T, F], [1, H])
    x = rng.normal(0, 1, (1, T, F)).astype(np.float32)
    calib = rng.normal(0, 1, (8, T, F)).astype(np.float32)
    hn = ref(x.transpose(1, 0, 2), W, R, B, *states)
    save_io(out, name, x, calib, hn.reshape(1, H))


def save_model(out, name, nodes, inits, ishape, oshape):
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ishape)],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, oshape)], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="make_rnn_fixtures")
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(out, name + ".onnx"))


def refused(out):
    rng = np.random.default_rng(7)
    h = 2
    for name, op, g, d in (("rnn_bidir", "LSTM", 4, "bidirectional"), ("rnn_reverse", "GRU", 3, "reverse")):
        D = 2 if d == "bidirectional" else 1
        inits = [numpy_helper.from_array(rng.normal(0, 0.3, (D, g * h, F)).astype(np.float32), "W"),
                 numpy_helper.from_array(rng.normal(0, 0.3, (D, g * h, h)).astype(np.float32), "R")]
        nodes = [helper.make_node(op, ["x", "W", "R"], ["", "y"], "/rnn/" + op, hidden_size=h, direction=d)]
        save_model(out, name, nodes, inits, [T, 1, F], [D, 1, h])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for k, name in enumerate(TORCH):
        export_torch(args.out, name, 100 + k)
    hand_built(args.out, "rnn_gru_lbr0", 200, "GRU", 3, 1, lambda x, W, R, B, h0: gru_ref(x, W, R, B, h0, 0)[1],
               linear_before_reset=0)
    hand_built(args.out, "rnn_lstm_c0", 201, "LSTM", 4, 2, lstm_ref)
    refused(args.out)


if __name__ == "__main__":
    main()
