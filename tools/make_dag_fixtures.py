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
  dag_mul_se           t = relu(conv(x)) (3x3, no padding: 6x6 maps of 6
                       channels, pads on every axis of the padded map);
                       g = relu6(conv_b(relu(conv_a(gap(t))))), a
                       squeeze-excitation gate [6][1][1] (ReLU6 in place of
                       Hardsigmoid); g * t (the broadcast operand first)
                       -> conv 1x1 relu -> GlobalAveragePool -> Linear
  dag_mul_branches     t as above; relu(conv_a(t) * conv_b(t)), the product
                       of two conv branches -> GlobalAveragePool -> Linear
  dag_add_bcast        t as above; relu(t + conv_g(gap(t))), an Add of a map
                       and a [6][1][1] map broadcast over it
                       -> GlobalAveragePool -> Linear
  dag_mul_se_fc        t as above; a gate made by Linear layers,
                       relu6(fc_b(relu(fc_a(flatten(gap(t)))))) viewed as
                       [1, 6, 1, 1]; t * g -> GlobalAveragePool -> Linear
  dag_concat17         seventeen 1x1 conv branches joined by one Concat of
                       17 inputs (quantised as Concats of 16, then 2)
                       -> GlobalAveragePool -> Linear

torch.onnx.export (opset 13) writes a + b + c as two binary Adds
(Add(Add(a, b), c)): ONNX Add takes two inputs, so a "3-input Add" is a
chain of two Adds whose first sum is read once, by the second. Concats of k
tensors are one Concat node of k inputs. Every model exports to Conv, Relu,
MaxPool, Concat, Add, GlobalAveragePool / AveragePool, Flatten, Gemm (and Clip,
Mul for the mul_ models) only;
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


# The MUL gadget's and broadcasting ADD's models: a stem without padding
# makes 6x6 maps of 6 channels, so every axis of the padded map [8][8][8]
# has pads, and so does a [6][1][1] map broadcast over it.
C6 = 6


class MulSE(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, C6, 3), nn.ReLU())
        self.gate = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(C6, 3, 1), nn.ReLU(), nn.Conv2d(3, C6, 1),
                                  nn.ReLU6())
        self.post = nn.Sequential(nn.Conv2d(C6, C6, 1), nn.ReLU())
        self.head = Head(C6)

    def forward(self, x):
        t = self.stem(x)
        return self.head(self.post(self.gate(t) * t))


class MulBranches(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, C6, 3), nn.ReLU())
        self.a = nn.Conv2d(C6, C6, 1)
        self.b = nn.Conv2d(C6, C6, 3, padding=1)
        self.head = Head(C6)

    def forward(self, x):
        t = self.stem(x)
        return self.head(torch.relu(self.a(t) * self.b(t)))


class AddBcast(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, C6, 3), nn.ReLU())
        self.g = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(C6, C6, 1))
        self.head = Head(C6)

    def forward(self, x):
        t = self.stem(x)
        return self.head(torch.relu(t + self.g(t)))


class MulSEFc(nn.Module):
    """A squeeze-excitation gate made by Linear layers, viewed as [1, C, 1, 1]."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, C6, 3), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Sequential(nn.Linear(C6, 3), nn.ReLU(), nn.Linear(3, C6), nn.ReLU6())
        self.head = Head(C6)

    def forward(self, x):
        t = self.stem(x)
        g = self.fc(torch.flatten(self.pool(t), 1)).view(-1, C6, 1, 1)
        return self.head(t * g)


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


class ChanAffine(nn.Module):
    """Per-channel constants on a map: a layer scale (ConvNeXt), a shift
    and a constant minus the map; each becomes a depthwise 1x1 conv."""

    def __init__(self):
        super().__init__()
        self.stem = cbr(3, C6, 3)
        self.scale = nn.Parameter(torch.rand(C6, 1, 1) + 0.25)
        self.shift = nn.Parameter(torch.randn(1, C6, 1, 1) * 0.5)
        self.ref = nn.Parameter(torch.randn(C6, 1, 1))
        self.head = Head(C6)

    def forward(self, x):
        t = self.stem(x) * self.scale + self.shift
        return self.head(torch.relu(self.ref - t))


class PreluChan(nn.Module):
    """A PReLU with one slope per channel (slopes of both signs): relu(x)
    plus a depthwise conv of relu(-x)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, C6, 3)
        self.act = nn.PReLU(C6)
        with torch.no_grad():
            self.act.weight.copy_(torch.linspace(-0.5, 1.5, C6))
        self.head = Head(C6)

    def forward(self, x):
        return self.head(self.act(self.stem(x)))


MODELS = {
    "inception": Inception,
    "three_consumers": ThreeConsumers,
    "densenet": DenseNet,
    "add3": Add3,
    "concat5": Concat5,
    "mul_se": MulSE,
    "mul_branches": MulBranches,
    "add_bcast": AddBcast,
    "mul_se_fc": MulSEFc,
    "concat17": Concat17,
    "chan_affine": ChanAffine,
    "prelu_chan": PreluChan,
}


def write(name, seed, out, models=None, prefix="dag_"):
    """One fixture: models[name] (its class's `shape`, else SHAPE; its
    `opset`, else 13) exported with its calibration, sample and torch
    output, as prefix + name."""
    models = models or MODELS
    cls = models[name]
    shape = getattr(cls, "shape", SHAPE)
    torch.manual_seed(seed)
    m = cls().eval()
    rng = np.random.default_rng(seed)
    calib = rng.standard_normal((8,) + shape).astype(np.float32)
    x = rng.standard_normal((1,) + shape).astype(np.float32)
    with torch.no_grad():
        y = np.ascontiguousarray(m(torch.from_numpy(x)).numpy().astype(np.float32))
    base = os.path.join(out, prefix + name)
    torch.onnx.export(m, torch.from_numpy(x), base + ".onnx", opset_version=getattr(cls, "opset", 13), input_names=["x"],
                      output_names=["y"])
    np.save(base + "_calib.npy", calib)
    np.save(base + "_x.npy", x)
    np.save(base + "_y.npy", y)
    ops = [n.op_type for n in onnx.load(base + ".onnx").graph.node]
    print(f"{prefix}{name}: {os.path.getsize(base + '.onnx')} bytes, ops {ops}")


def main(models=None, prefix="dag_", seed0=100):
    """The command line: every model of `models` (model i seeded seed0 + i)."""
    models = models or MODELS
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data"))
    ap.add_argument("--only", nargs="*", choices=sorted(models), default=None)
    args = ap.parse_args()
    torch.set_num_threads(1)
    for i, name in enumerate(models):
        if args.only is None or name in args.only:
            write(name, seed0 + i, args.out, models, prefix)


if __name__ == "__main__":
    main()
