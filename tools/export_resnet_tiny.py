#!/usr/bin/python3
"""Exports the residual-Add test fixture: a tiny ResNet (CIFAR-style stem,
one identity block, one downsampling block with a 1x1 stride-2 shortcut,
global average pool, Linear) for 3x8x8 inputs, random weights and BN
statistics, with an 8-sample calibration batch:

  tests/data/resnet_tiny.onnx, tests/data/resnet_tiny_calib.npy

Run: /usr/bin/python3 tools/export_resnet_tiny.py [--out DIR]"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_models import ROOT, BasicBlock, export, randomise_bn  # noqa: E402


class ResNetTiny(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, 1, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.blocks = nn.Sequential(BasicBlock(8, 8, 1), BasicBlock(8, 16, 2))
        self.fc = nn.Linear(16, classes)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data"))
    args = ap.parse_args()
    torch.manual_seed(7)
    m = ResNetTiny()
    randomise_bn(m)
    rng = np.random.default_rng(7)
    export(m, torch.randn(1, 3, 8, 8), os.path.join(args.out, "resnet_tiny.onnx"),
           rng.standard_normal((8, 3, 8, 8)).astype(np.float32))


if __name__ == "__main__":
    main()
