#!/usr/bin/env python3
"""Writes the torch-exported fixtures of the normalisation fusion
(src/graph/norm_fuse.h) into tests/data:

  norm13_tok.onnx (opset 13) + _calib.npy [8,6,16], _x.npy [1,6,16], _y.npy
      (torch's output): over 6 tokens of 16 features, a Linear, an RMSNorm
      written out as Llama's code has it (x * rsqrt(mean(x^2) + eps) * w),
      a Linear, an nn.LayerNorm (below opset 17 torch decomposes it:
      ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add), a Linear.
  refuse_div.onnx (opset 13, x [1,8]): two Linears of x, the first divided
      by the second (a Div of two activations: refused), then by 4 (a Mul).

Run with /usr/bin/python3 from the repository root."""
import os

import numpy as np
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data")


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(1.0 + 0.1 * torch.randn(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Norms(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(16, 16), nn.Linear(16, 16), nn.Linear(16, 8)
        self.rms, self.ln = RMSNorm(16), nn.LayerNorm(16)
        with torch.no_grad():
            self.ln.weight.copy_(1.0 + 0.1 * torch.randn(16))
            self.ln.bias.copy_(0.1 * torch.randn(16))

    def forward(self, x):
        return self.fc3(self.ln(self.fc2(self.rms(self.fc1(x)))))


class DivAct(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(8, 8), nn.Linear(8, 8)

    def forward(self, x):
        return self.fc1(x) / self.fc2(x) / 4.0


def export(m, x, name, opset):
    torch.onnx.export(m, torch.from_numpy(x), os.path.join(OUT, name + ".onnx"), opset_version=opset,
                      input_names=["x"], output_names=["y"])


def main():
    torch.manual_seed(23)
    rng = np.random.default_rng(23)
    m = Norms().eval()
    calib = rng.standard_normal((8, 6, 16)).astype(np.float32)
    x = rng.standard_normal((1, 6, 16)).astype(np.float32)
    export(m, x, "norm13_tok", 13)
    np.save(os.path.join(OUT, "norm13_tok_calib.npy"), calib)
    np.save(os.path.join(OUT, "norm13_tok_x.npy"), x)
    with torch.no_grad():
        np.save(os.path.join(OUT, "norm13_tok_y.npy"), m(torch.from_numpy(x)).numpy())
    export(DivAct().eval(), rng.standard_normal((1, 8)).astype(np.float32), "refuse_div", 13)


if __name__ == "__main__":
    main()
