#!/usr/bin/python3
"""Writes the LUT-gadget test fixtures tests/data/lut_*.onnx: small models
whose elementwise functions by lookup (the quantiser's LUT nodes) stand
alone, each between layers the DAG proves (tests/test_prove_lut.c):

  lut_conv_sigmoid  [1,3,6,6] -> conv 3x3 p1 (3 -> 5) -> Sigmoid
                    -> conv 3x3 p1 (5 -> 4) + ReLU -> GlobalAveragePool
                    -> Linear 10: a LUT on a map with pads on every axis
                    (5 channels, 6x6) and T(0) != 0
  lut_linear_tanh   [1,20] -> Linear 12 -> Tanh -> Sigmoid -> Linear 10:
                    a LUT on a row (12 of 16 padded) read by another LUT
  lut_erf_leaky     [1,3,6,6] -> conv 3x3 p1 (3 -> 4) -> Erf -> conv 1x1
                    (4 -> 3) -> LeakyRelu(0.1) -> Flatten -> Linear 10
  lut_end_sigmoid   [1,20] -> Tanh (on the input itself) -> Linear 10
                    -> Sigmoid: the model ends in a LUT (its output public,
                    10 of 16 padded, T(0) != 0)
  lut_hardsigmoid   [1,3,5,5] -> conv 3x3 p1 (3 -> 3) -> Hardsigmoid
                    (ONNX HardSigmoid, alpha 1/6) -> Flatten -> Linear 10
  lut_mix           [1,3,6,6] -> s = Sigmoid(conv 3x3), t = Tanh(conv 1x1);
                    Concat(ReLU(s + t), Sigmoid(t)) -> MaxPool 2 -> Flatten
                    -> Linear 10: LUT outputs read by an Add, a LUT, a
                    Concat (its claims reach them through the Concat's)

torch.onnx.export at opset 13 writes Conv, Sigmoid, Tanh, Erf, LeakyRelu,
HardSigmoid, Relu, Add, Concat, MaxPool, GlobalAveragePool, Flatten, Gemm
only. (nn.SiLU exports
a Sigmoid and a Mul of two activations, nn.Hardswish a HardSigmoid and such
a Mul, nn.GELU at opset 13 an Erf or a Tanh inside such Muls: their LUTs do
not stand alone, and the Muls wait for the MUL gadget.)

For each NAME, next to lut_NAME.onnx (a few KB each):
  lut_NAME_calib.npy  8 calibration samples float32
  lut_NAME_x.npy      one sample input float32 (not in the calibration set)
  lut_NAME_y.npy      torch's output for it float32

Deterministic: fixed torch and NumPy seeds (tools/make_dag_fixtures.py
writes the files).

Regenerate: /usr/bin/python3 tools/make_lut_fixtures.py [--out DIR] [--only NAME ...]
"""
import torch
import torch.nn as nn

import make_dag_fixtures

CLASSES = make_dag_fixtures.CLASSES


class ConvSigmoid(nn.Module):
    shape = (3, 6, 6)

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 5, 3, padding=1)
        self.c2 = nn.Conv2d(5, 4, 3, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(4, CLASSES)

    def forward(self, x):
        y = torch.relu(self.c2(torch.sigmoid(self.c1(x))))
        return self.fc(torch.flatten(self.pool(y), 1))


class LinearTanh(nn.Module):
    shape = (20,)

    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(20, 12)
        self.l2 = nn.Linear(12, CLASSES)

    def forward(self, x):
        return self.l2(torch.sigmoid(torch.tanh(self.l1(x))))


class ErfLeaky(nn.Module):
    shape = (3, 6, 6)

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 4, 3, padding=1)
        self.c2 = nn.Conv2d(4, 3, 1)
        self.act = nn.LeakyReLU(0.1)
        self.fc = nn.Linear(3 * 6 * 6, CLASSES)

    def forward(self, x):
        y = self.act(self.c2(torch.erf(self.c1(x))))
        return self.fc(torch.flatten(y, 1))


class EndSigmoid(nn.Module):
    shape = (20,)

    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(20, CLASSES)

    def forward(self, x):
        return torch.sigmoid(self.l1(torch.tanh(x)))


class HardSigmoid(nn.Module):
    shape = (3, 5, 5)

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 3, 3, padding=1)
        self.act = nn.Hardsigmoid()
        self.fc = nn.Linear(3 * 5 * 5, CLASSES)

    def forward(self, x):
        return self.fc(torch.flatten(self.act(self.c1(x)), 1))


class Mix(nn.Module):
    shape = (3, 6, 6)

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 3, 3, padding=1)
        self.b = nn.Conv2d(3, 3, 1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(6 * 3 * 3, CLASSES)

    def forward(self, x):
        s = torch.sigmoid(self.a(x))
        t = torch.tanh(self.b(x))
        u = torch.relu(s + t)
        return self.fc(torch.flatten(self.pool(torch.cat([u, torch.sigmoid(t)], 1)), 1))


MODELS = {
    "conv_sigmoid": ConvSigmoid,
    "linear_tanh": LinearTanh,
    "erf_leaky": ErfLeaky,
    "end_sigmoid": EndSigmoid,
    "hardsigmoid": HardSigmoid,
    "mix": Mix,
}


if __name__ == "__main__":
    make_dag_fixtures.main(MODELS, "lut_", 300)
