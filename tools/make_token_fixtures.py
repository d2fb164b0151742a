#!/usr/bin/env python3
"""Writes tests/data/tok_mlp.onnx (opset 13), tok_mlp_calib.npy (8 samples
[8,6,12] float32) tok_mlp_x.npy (one sample [1,6,12]) and tok_mlp_y.npy (torch's output): a transformer's
MLP block over a sequence of 6 tokens of 12 features,

    r = Linear(12, 12)(x)            [1, 6, 12]  (the residual stream)
    h = relu(Linear(12, 20)(r))      [1, 6, 20]
    y = r + Linear(20, 12)(h)        [1, 6, 12]  (a residual: raw accumulator)
    z = Linear(12, 5)(y)             [1, 6, 5]

Each Linear reads every token with the same weights (exported as MatMul of
a rank-3 activation and Add of the bias).

And tests/data/tok_block.onnx (+ _calib.npy [8,8,16], _x.npy, _y.npy): one
GPT-2 block (tools/export_models.py's Gpt2Block: pre-LN, causal softmax
attention of 2 heads, erf GELU MLP, residuals; opset 17:
LayerNormalization) over 8 tokens of 16
features, after a Linear that makes the residual stream (the model input
itself is never an Add's operand); and tests/data/gpt_tiny_calib.npy, 8
windows of token ids for the tiny GPT. Run with /usr/bin/python3 and torch
from tests/data's parent."""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_models import Gpt2Block  # noqa: E402


class TokenMlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Linear(12, 12)
        self.fc = torch.nn.Linear(12, 20)
        self.fc2 = torch.nn.Linear(20, 12)
        self.head = torch.nn.Linear(12, 5)

    def forward(self, x):
        r = self.embed(x)
        y = r + self.fc2(torch.relu(self.fc(r)))
        return self.head(y)


class TokenBlock(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Linear(16, 16)
        self.block = Gpt2Block(16, 2, 8)

    def forward(self, x):
        return self.block(self.embed(x))


def write(name, m, shape, seed, opset):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    base = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", name)
    m = m().eval()
    calib = rng.standard_normal((8,) + shape).astype(np.float32)
    x = rng.standard_normal((1,) + shape).astype(np.float32)
    torch.onnx.export(m, torch.from_numpy(x), base + ".onnx", opset_version=opset, input_names=["x"],
                      output_names=["y"])
    np.save(base + "_calib.npy", calib)
    np.save(base + "_x.npy", x)
    with torch.no_grad():
        np.save(base + "_y.npy", m(torch.from_numpy(x)).numpy())


def gpt_tiny_calib():
    """8 windows of token ids for tests/data/gpt_tiny.onnx (tools/make_test_fixtures.py: vocabulary 32,
    8 tokens), so tests can quantise it on a calibration file."""
    rng = np.random.default_rng(19)
    base = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "gpt_tiny")
    np.save(base + "_calib.npy", rng.integers(0, 32, (8, 8)).astype(np.int64))


def main():
    write("tok_mlp", TokenMlp, (6, 12), 13, 13)
    write("tok_block", TokenBlock, (8, 16), 17, 17)
    gpt_tiny_calib()


if __name__ == "__main__":
    main()
