#!/usr/bin/python3
"""Writes the LayerNorm and Softmax test fixtures of tests/data/norm_*.onnx:
small MLPs (input [1,16], random weights) whose LayerNormalization and
Softmax (opset 17: one node each) the quantiser lowers to chains of proven
ops (src/quant/norm_lower.c; tests/test_prove_norm.c):

  norm_ln        Linear(16, 24) -> LayerNorm(24) with random gamma and beta
                 -> ReLU (fused into the chain's last requantisation)
                 -> Linear(24, 10)
  norm_softmax   Linear(16, 12) -> Tanh -> Linear(12, 20) -> Softmax: the
                 output; 20 values take two levels of max windows (8, 8
                 and 4 + 4 pads; then 3)
  norm_both      Linear(16, 32) -> GELU -> LayerNorm(32, eps 1e-3)
                 -> Linear(32, 7) -> Softmax (7 values: one window)

For each NAME, next to norm_NAME.onnx (a few KB each):
  norm_NAME_calib.npy  8 calibration samples [8,16] float32
  norm_NAME_x.npy      one sample input [1,16] float32
  norm_NAME_y.npy      torch's output for it float32

Deterministic (fixed seeds). Regenerate:
  /usr/bin/python3 tools/make_norm_fixtures.py [--out DIR] [--only NAME ...]
"""
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_dag_fixtures import main  # noqa: E402


def random_affine(ln):
    """gamma and beta away from their fresh 1 and 0 (else the affine step
    would test nothing)."""
    with torch.no_grad():
        ln.weight.copy_(torch.rand(ln.weight.shape) * 1.5 + 0.25)
        ln.bias.copy_(torch.randn(ln.bias.shape) * 0.5)
    return ln


class LN(nn.Module):
    shape = (16,)
    opset = 17

    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(16, 24)
        self.ln = random_affine(nn.LayerNorm(24))
        self.l2 = nn.Linear(24, 10)

    def forward(self, x):
        return self.l2(torch.relu(self.ln(self.l1(x))))


class Softmax(nn.Module):
    shape = (16,)
    opset = 17

    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(16, 12)
        self.l2 = nn.Linear(12, 20)
        with torch.no_grad():
            self.l2.weight.mul_(3)  # logits a few units apart: a peaked softmax

    def forward(self, x):
        return torch.softmax(self.l2(torch.tanh(self.l1(x))), dim=-1)


class Both(nn.Module):
    shape = (16,)
    opset = 17

    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(16, 32)
        self.ln = random_affine(nn.LayerNorm(32, eps=1e-3))
        self.l2 = nn.Linear(32, 7)

    def forward(self, x):
        return torch.softmax(self.l2(self.ln(nn.functional.gelu(self.l1(x)))), dim=-1)


MODELS = {
    "ln": LN,
    "softmax": Softmax,
    "both": Both,
}


if __name__ == "__main__":
    main(MODELS, "norm_", 300)
