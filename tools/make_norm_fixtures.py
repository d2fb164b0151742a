#!/usr/bin/python3
"""Writes the normalisation test fixtures of tests/data/norm_*.onnx: small
MLPs (input [1,16], random weights) whose LayerNormalization and Softmax
(opset 17: one node each), and small CNNs (input [1,3,8,8]) whose
InstanceNormalization (nn.InstanceNorm2d; nn.GroupNorm exports a Reshape to
[1,G,L], one with unit scale and zero bias, a Reshape back and per-channel
Mul and Add) the quantiser lowers to chains of proven ops
(src/quant/norm_lower.c; tests/test_prove_norm.c, tests/test_prove_instnorm.c):

  norm_ln        Linear(16, 24) -> LayerNorm(24) with random gamma and beta
                 -> ReLU (fused into the chain's last requantisation)
                 -> Linear(24, 10)
  norm_softmax   Linear(16, 12) -> Tanh -> Linear(12, 20) -> Softmax: the
                 output; 20 values take two levels of max windows (8, 8
                 and 4 + 4 pads; then 3)
  norm_both      Linear(16, 32) -> GELU -> LayerNorm(32, eps 1e-3)
                 -> Linear(32, 7) -> Softmax (7 values: one window)
  norm_gn_in     Conv2d(3, 8, 3, pad 1) -> GroupNorm(4, 8) -> ReLU
                 -> InstanceNorm2d(8, affine): the 3-D [1,4,128] form, then
                 the 4-D one at the output (a map of 512 values)
  norm_in_head   Conv2d(3, 6, 3) -> InstanceNorm2d(6, affine, eps 1e-3)
                 -> ReLU (fused into the chain's last requantisation)
                 -> Conv2d(6, 4, 3, stride 2) -> Flatten -> Linear(16, 10)
  norm_gn1       Conv2d(3, 8, 3, pad 1) -> GroupNorm(1, 8) (one group of
                 512 values) -> Tanh -> AvgPool -> Flatten -> Linear(8, 10)

For each NAME, next to norm_NAME.onnx (a few KB each):
  norm_NAME_calib.npy  8 calibration samples [8,16] (CNNs: [8,3,8,8]) float32
  norm_NAME_x.npy      one sample input [1,16] ([1,3,8,8]) float32
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


def mild_affine(norm):
    """Scale and shift away from their fresh 1 and 0, mild enough that a
    ReLU after the norm leaves every channel a spread of values (a channel
    that a ReLU almost zeroes is normalised from a few input steps: see
    docs/onnx.md, "InstanceNorm and GroupNorm as chains")."""
    with torch.no_grad():
        norm.weight.copy_(torch.rand(norm.weight.shape) + 0.5)
        norm.bias.copy_((torch.rand(norm.bias.shape) - 0.5) * 0.6)
    return norm


class GnIn(nn.Module):
    shape = (3, 8, 8)
    opset = 17

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.gn = mild_affine(nn.GroupNorm(4, 8))
        self.inorm = mild_affine(nn.InstanceNorm2d(8, affine=True))

    def forward(self, x):
        return self.inorm(torch.relu(self.gn(self.conv(x))))


class InHead(nn.Module):
    shape = (3, 8, 8)
    opset = 17

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3)
        self.inorm = mild_affine(nn.InstanceNorm2d(6, affine=True, eps=1e-3))
        self.conv2 = nn.Conv2d(6, 4, 3, stride=2)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        y = self.conv2(torch.relu(self.inorm(self.conv(x))))
        return self.fc(torch.flatten(y, 1))


class Gn1(nn.Module):
    shape = (3, 8, 8)
    opset = 17

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.gn = mild_affine(nn.GroupNorm(1, 8))
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        y = torch.tanh(self.gn(self.conv(x)))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(y, 1), 1))


MODELS = {
    "ln": LN,
    "softmax": Softmax,
    "both": Both,
    "gn_in": GnIn,
    "in_head": InHead,
    "gn1": Gn1,
}


if __name__ == "__main__":
    main(MODELS, "norm_", 300)
