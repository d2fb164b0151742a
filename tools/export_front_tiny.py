#!/usr/bin/python3
"""Exports the front-end test fixtures (opset 13, random weights, torch's
output kept as the reference):

  pool_ceil.onnx  SqueezeNet-style stem: Conv 3x3 stride 2 + ReLU (17 -> 8),
                  MaxPool(3, 2, ceil_mode=True) whose last window hangs over
                  the edge (8 -> 4; floor would give 3), a 1x1 Conv + ReLU and
                  a second MaxPool(3, 2, ceil_mode=True) (4 -> 2, floor 1);
                  input 1x3x17x17
  bn_block.onnx   DenseNet-style block: Conv + ReLU, Concat(it, a Conv of it), a
                  BatchNormalization no Conv can absorb, ReLU, 1x1 Conv, with
                  trained-looking BN statistics; input 1x4x8x8

each with NAME_calib.npy (8 samples), NAME_x.npy (one sample) and
NAME_y.npy (torch's output for it).

Run: /usr/bin/python3 tools/export_front_tiny.py [--out DIR]"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_models import ROOT, export  # noqa: E402


class PoolCeil(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 6, 3, 2), nn.ReLU())       # 17 -> 8
        self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)                  # 8 -> 4 (floor: 3)
        self.mid = nn.Sequential(nn.Conv2d(6, 5, 1), nn.ReLU())
        self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)                  # 4 -> 2 (floor: 1)

    def forward(self, x):
        return self.pool2(self.mid(self.pool1(self.stem(x))))


class BnBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(4, 4, 3, padding=1), nn.ReLU())
        self.conv = nn.Conv2d(4, 6, 3, padding=1)
        self.bn = nn.BatchNorm2d(10)
        self.out = nn.Conv2d(10, 3, 1)
        with torch.no_grad():  # statistics of a trained network, not the identity
            self.bn.weight.uniform_(0.5, 1.5)
            self.bn.bias.uniform_(-0.3, 0.3)
            self.bn.running_mean.uniform_(-0.5, 0.5)
            self.bn.running_var.uniform_(0.3, 2.0)

    def forward(self, x):
        s = self.stem(x)
        y = torch.cat([s, self.conv(s)], 1)
        return self.out(torch.relu(self.bn(y)))


def one(name, model, shape, out, rng):
    path = os.path.join(out, name + ".onnx")
    export(model, torch.randn(*shape), path, rng.standard_normal((8,) + shape[1:]).astype(np.float32))
    x = rng.standard_normal(shape).astype(np.float32)
    with torch.no_grad():
        y = model.eval()(torch.from_numpy(x)).numpy()
    np.save(os.path.join(out, name + "_x.npy"), x)
    np.save(os.path.join(out, name + "_y.npy"), y)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data"))
    args = ap.parse_args()
    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    one("pool_ceil", PoolCeil(), (1, 3, 17, 17), args.out, rng)
    one("bn_block", BnBlock(), (1, 4, 8, 8), args.out, rng)


if __name__ == "__main__":
    main()
