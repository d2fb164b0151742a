#!/usr/bin/env python3
"""Writes tests/data/inop_cat.onnx and inop_mul.onnx (opset 17, + _calib.npy
[8,6,16], _x.npy [1,6,16], _y.npy torch's output): over 6 tokens of 16
features, the model input itself as an operand of a node whose gadget
takes no model input (the prover reads it through a MOVE node):

    inop_cat: Linear(32, 8)(cat([x, Linear(16, 16)(x)], -1))
    inop_mul: Linear(16, 8)(x * Linear(16, 16)(x))

Run with /usr/bin/python3 from the repository root."""
import os

import numpy as np
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data")


class InputOperand(nn.Module):
    def __init__(self, cat):
        super().__init__()
        self.cat = cat
        self.a, self.b = nn.Linear(16, 16), nn.Linear(32 if cat else 16, 8)

    def forward(self, x):
        h = self.a(x)
        return self.b(torch.cat([x, h], -1) if self.cat else x * h)


def main():
    for name, cat in (("inop_cat", True), ("inop_mul", False)):
        torch.manual_seed(31)
        rng = np.random.default_rng(31)
        m = InputOperand(cat).eval()
        calib = rng.standard_normal((8, 6, 16)).astype(np.float32)
        x = rng.standard_normal((1, 6, 16)).astype(np.float32)
        base = os.path.join(OUT, name)
        torch.onnx.export(m, torch.from_numpy(x), base + ".onnx", opset_version=17, input_names=["x"],
                          output_names=["y"])
        np.save(base + "_calib.npy", calib)
        np.save(base + "_x.npy", x)
        with torch.no_grad():
            np.save(base + "_y.npy", m(torch.from_numpy(x)).numpy())


if __name__ == "__main__":
    main()
