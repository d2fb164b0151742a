#!/usr/bin/python3
"""Writes the proof-DAG test fixtures of tests/data/dag_*.onnx: small CNNs
(3x8x8 input, random weights, 10 outputs) in which several forks are open at
once, so the chain matcher (one residual fork and one Concat branch open at a
time) refuses them and the proof DAG must prove them
(tests/test_prove_dag.c):

  dag_inception        conv stem -> four parallel branches (1x1; 1x1 -> 3x3;
                       1x1 -> 5x5; MaxPool 3x3 s1 p1 -> 1x1) joined by ONE
                       Concat of 4 inputs -> GlobalAveragePool -> Linear
  dag_three_consumers  t = relu(conv(x)) read by three consumers:
                       y = relu(conv_b(relu(conv_a(t))) + conv_s(t) + t)
                       -> GlobalAveragePool -> Linear
  dag_densenet         x0 = stem(x); x1 = relu(conv(x0));
                       x2 = relu(conv(cat[x0,x1])); x3 = relu(conv(cat[x0,x1,x2]));
                       cat[x0,x1,x2,x3] -> 1x1 conv transition -> AveragePool 2x2
                       -> Flatten -> Linear
  dag_add3             three conv branches of one map summed: relu(a + b + c)
                       -> GlobalAveragePool -> Linear
  dag_concat5          five conv branches of one map joined by one Concat
                       -> GlobalAveragePool -> Linear
  dag_concat17         seventeen 1x1 conv branches joined by one Concat of
                       17 inputs (quantised as Concats of 16, then 2)
                       -> GlobalAveragePool -> Linear

torch.onnx.export (opset 13) writes a + b + c as two binary Adds
(Add(Add(a, b), c)): ONNX Add takes two inputs, so a "3-input Add" is a
chain of two Adds whose first sum is read once, by the second. Concats of k
tensors are one Concat node of k inputs. Every model exports to Conv, Relu,
MaxPool, Concat, Add, GlobalAveragePool / AveragePool, Flatten, Gemm only;
no BatchNormalization. (DenseNet's AvgPool2d sets count_include_pad=False:
torch 1.13 exports the default as a zero Pad node in front of the
AveragePool.)

For each NAME it writes, next to dag_NAME.onnx (a few KB each):
  dag_NAME_calib.npy  8 calibration samples [8,3,8,8] float32
  dag_NAME_x.npy      one sample input [1,3,8,8] float32 (not in the calibration set)
  dag_NAME_y.npy      torch's output for it [1,10] float32

Deterministic: fixed torch and NumPy seeds; rerunning rewrites identical
files for the same torch/NumPy versions (Debian bookworm's python3-torch,
python3-onnx, python3-numpy).

Regenerate: /usr/bin/python3 tools/make_dag_fixtures.py [--out DIR] [--only NAME ...]
"""
import argparse
import os

import numpy as np
import onnx
import torch
import torch.nn as nn

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SHAPE = (3, 8, 8)
CLASSES = 10


def cbr(cin, cout, k=1, pad=0):
    """Conv + ReLU."""
    return nn.Sequential(nn.Conv2d(cin, cout, k, padding=pad), nn.ReLU())


class Head(nn.Module):
    """GlobalAveragePool -> Flatten -> Linear."""

    def __init__(self, c):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c, CLASSES)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(x), 1))


class Inception(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = cbr(3, 8, 3, 1)
        self.b1 = cbr(8, 4)
        self.b2 = nn.Sequential(cbr(8, 4), cbr(4, 4, 3, 1))
        self.b3 = nn.Sequential(cbr(8, 2), cbr(2, 4, 5, 2))
        self.b4 = nn.Sequential(nn.MaxPool2d(3, 1, 1), cbr(8, 4))
        self.head = Head(16)

    def forward(self, x):
        t = self.stem(x)
        return self.head(torch.cat([self.b1(t), self.b2(t), self.b3(t), self.b4(t)], 1))


class ThreeConsumers(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = cbr(3, 6, 3, 1)
        self.conv_a = cbr(6, 6, 3, 1)
        self.conv_b = nn.Conv2d(6, 6, 3, padding=1)
        self.conv_s = nn.Conv2d(6, 6, 1)
        self.head = Head(6)

    def forward(self, x):
        t = self.stem(x)
        y = torch.relu(self.conv_b(self.conv_a(t)) + self.conv_s(t) + t)
        return self.head(y)


class DenseNet(nn.Module):
    def __init__(self, c0=6, g=4):
        super().__init__()
        self.stem = cbr(3, c0, 3, 1)
        self.l1 = cbr(c0, g, 3, 1)
        self.l2 = cbr(c0 + g, g, 3, 1)
        self.l3 = cbr(c0 + 2 * g, g, 3, 1)
        self.trans = cbr(c0 + 3 * g, 8)
        # count_include_pad=False: torch 1.13 exports the default (True) as
        # a zero Pad node before the AveragePool; with no padding the two
        # compute the same thing
        self.pool = nn.AvgPool2d(2, count_include_pad=False)
        self.fc = nn.Linear(8 * 4 * 4, CLASSES)

    def forward(self, x):
        x0 = self.stem(x)
        x1 = self.l1(x0)
        x2 = self.l2(torch.cat([x0, x1], 1))
        x3 = self.l3(torch.cat([x0, x1, x2], 1))
        y = self.pool(self.trans(torch.cat([x0, x1, x2, x3], 1)))
        return self.fc(torch.flatten(y, 1))


class Add3(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = cbr(3, 6, 3, 1)
        self.a = nn.Conv2d(6, 6, 1)
        self.b = nn.Conv2d(6, 6, 3, padding=1)
        self.c = nn.Conv2d(6, 6, 5, padding=2)
        self.head = Head(6)

    def forward(self, x):
        t = self.stem(x)
        return self.head(torch.relu(self.a(t) + self.b(t) + self.c(t)))


class Concat5(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = cbr(3, 6, 3, 1)
        self.br = nn.ModuleList([cbr(6, 2), cbr(6, 3, 3, 1), cbr(6, 2, 5, 2), cbr(6, 4, 3, 1), cbr(6, 1)])
        self.head = Head(12)

    def forward(self, x):
        t = self.stem(x)
        return self.head(torch.cat([b(t) for b in self.br], 1))


class Concat17(nn.Module):
    """Seventeen 1x1 conv branches of one map joined by ONE Concat of 17
    inputs (one more than an integer Concat takes: the quantiser joins
    16, then the group and the last)."""

    def __init__(self):
        super().__init__()
        self.stem = cbr(3, 4, 3, 1)
        self.br = nn.ModuleList([cbr(4, 1) for _ in range(17)])
        self.head = Head(17)

    def forward(self, x):
        t = self.stem(x)
        return self.head(torch.cat([b(t) for b in self.br], 1))


MODELS = {
    "inception": Inception,
    "three_consumers": ThreeConsumers,
    "densenet": DenseNet,
    "add3": Add3,
    "concat5": Concat5,
    "concat17": Concat17,
}


def write(name, seed, out):
    torch.manual_seed(seed)
    m = MODELS[name]().eval()
    rng = np.random.default_rng(seed)
    calib = rng.standard_normal((8,) + SHAPE).astype(np.float32)
    x = rng.standard_normal((1,) + SHAPE).astype(np.float32)
    with torch.no_grad():
        y = m(torch.from_numpy(x)).numpy().astype(np.float32)
    base = os.path.join(out, "dag_" + name)
    torch.onnx.export(m, torch.from_numpy(x), base + ".onnx", opset_version=13, input_names=["x"],
                      output_names=["y"])
    np.save(base + "_calib.npy", calib)
    np.save(base + "_x.npy", x)
    np.save(base + "_y.npy", y)
    ops = [n.op_type for n in onnx.load(base + ".onnx").graph.node]
    print(f"dag_{name}: {os.path.getsize(base + '.onnx')} bytes, ops {ops}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data"))
    ap.add_argument("--only", nargs="*", choices=sorted(MODELS), default=None)
    args = ap.parse_args()
    torch.set_num_threads(1)
    for i, name in enumerate(MODELS):
        if args.only is None or name in args.only:
            write(name, 100 + i, args.out)


if __name__ == "__main__":
    main()
