#!/usr/bin/python3
"""Exports the channel-Concat test fixture: a tiny CNN with a SqueezeNet Fire
module (squeeze 1x1 -> [expand 1x1, expand 3x3 pad 1] -> Concat) and a
DenseNet join (Concat of a map and a conv of it), odd channel counts (5 + 7,
then 12 + 4), a strided stem, MaxPool, Flatten, Linear, for 3x10x10 inputs;
random weights, with an 8-sample calibration batch:

  tests/data/concat_tiny.onnx, tests/data/concat_tiny_calib.npy

Run: /usr/bin/python3 tools/export_concat_tiny.py [--out DIR]"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_models import ROOT, export  # noqa: E402


class Fire(nn.Module):
    def __init__(self, cin, squeeze, e1, e3):
        super().__init__()
        self.squeeze = nn.Sequential(nn.Conv2d(cin, squeeze, 1), nn.ReLU())
        self.e1 = nn.Sequential(nn.Conv2d(squeeze, e1, 1), nn.ReLU())
        self.e3 = nn.Sequential(nn.Conv2d(squeeze, e3, 3, padding=1), nn.ReLU())

    def forward(self, x):
        s = self.squeeze(x)
        return torch.cat([self.e1(s), self.e3(s)], 1)


class ConcatTiny(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 6, 3, 2, 1), nn.ReLU())
        self.fire = Fire(6, 3, 5, 7)
        self.pool = nn.MaxPool2d(2, 2)
        self.dense = nn.Sequential(nn.Conv2d(12, 4, 3, padding=1), nn.ReLU())
        self.fc = nn.Linear(16 * 2 * 2, classes)

    def forward(self, x):
        y = self.pool(self.fire(self.stem(x)))
        y = torch.cat([y, self.dense(y)], 1)
        return self.fc(torch.flatten(y, 1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data"))
    args = ap.parse_args()
    torch.manual_seed(11)
    m = ConcatTiny()
    rng = np.random.default_rng(11)
    export(m, torch.randn(1, 3, 10, 10), os.path.join(args.out, "concat_tiny.onnx"),
           rng.standard_normal((8, 3, 10, 10)).astype(np.float32))


if __name__ == "__main__":
    main()
