#!/usr/bin/env python3
"""Writes tests/data/bmm_attn.onnx (opset 13), bmm_attn_calib.npy (8
samples [8,3,3,5] float32) and bmm_attn_x.npy (one sample [1,3,3,5]):
softmax-free attention of 2 heads over 3 tokens of 5 features,

    q, k, v = Conv1x1(x) each (3 -> 2 heads): [1, 2, 3, 5]
    y = (q @ k^T) @ v                          [1, 2, 3, 5]

The tokens are a map's rows: a Linear over several tokens is not proven,
a 1x1 Conv is (it is the per-token Linear). Run with /usr/bin/python3 and
torch from tests/data's parent."""
import os

import numpy as np
import torch


class Attn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.q = torch.nn.Conv2d(3, 2, 1)
        self.k = torch.nn.Conv2d(3, 2, 1)
        self.v = torch.nn.Conv2d(3, 2, 1)

    def forward(self, x):
        s = self.q(x) @ self.k(x).transpose(-1, -2)
        return s @ self.v(x)


def write_fixture(m, name, x, calib, input_name):
    """tests/data/NAME.onnx (opset 13, input input_name, output y) of module
    m traced on x, NAME_calib.npy and NAME_x.npy."""
    base = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", name)
    torch.onnx.export(m.eval(), torch.from_numpy(x), base + ".onnx", opset_version=13, input_names=[input_name],
                      output_names=["y"])
    np.save(base + "_calib.npy", calib)
    np.save(base + "_x.npy", x)


def main():
    torch.manual_seed(11)
    rng = np.random.default_rng(11)
    m = Attn()
    calib = rng.standard_normal((8, 3, 3, 5)).astype(np.float32)
    x = rng.standard_normal((1, 3, 3, 5)).astype(np.float32)
    write_fixture(m, "bmm_attn", x, calib, "x")


if __name__ == "__main__":
    main()
