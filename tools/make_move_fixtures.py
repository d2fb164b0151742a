#!/usr/bin/python3
"""Writes the data-movement test fixtures of tests/data/move_*.onnx: tiny
CNNs (3x8x8 input, random weights, 10 outputs) whose Reshape, Transpose and
Slice nodes the proof must prove as MOVE nodes (tests/test_prove_move.c):

  move_shuffle    ShuffleNet-style block: conv stem -> split channels in two
                  (two Slices) -> 3x3 conv on one half -> Concat -> channel
                  shuffle (view [1,2,4,8,8] / transpose(1,2) / view) -> 1x1
                  conv -> GlobalAveragePool -> Linear
  move_transpose  the input transposed (H <-> W) before the first conv (a
                  MOVE as the first node), a map transposed between two
                  convs -> GlobalAveragePool -> Linear
  move_slice      conv -> a slice of channels (2:6) and rows (1:7) -> conv
                  -> GlobalAveragePool -> Linear
  move_linear_t   conv -> permute(0,2,3,1) -> flatten -> Linear (a Linear
                  after a Transpose)
  move_out        conv -> GlobalAveragePool -> Linear -> view [1,2,5] ->
                  transpose(1,2) (a MOVE as the last node: the output)

Every model exports (opset 13) to Conv, Relu, Slice, Concat, Reshape,
Transpose, GlobalAveragePool, Flatten, Gemm. Channel halves are slices
(x[:, :4]), not torch.chunk, which exports as Split.

For each NAME, next to move_NAME.onnx (a few KB each):
  move_NAME_calib.npy  8 calibration samples [8,3,8,8] float32
  move_NAME_x.npy      one sample input [1,3,8,8] float32
  move_NAME_y.npy      torch's output for it float32

Deterministic (fixed seeds). Regenerate:
  /usr/bin/python3 tools/make_move_fixtures.py [--out DIR] [--only NAME ...]
"""
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_dag_fixtures import CLASSES, Head, cbr, main  # noqa: E402


class Shuffle(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = cbr(3, 8, 3, 1)
        self.branch = cbr(4, 4, 3, 1)
        self.mix = cbr(8, 8)
        self.head = Head(8)

    def forward(self, x):
        x = self.stem(x)
        a, b = x[:, :4], x[:, 4:]
        x = torch.cat([a, self.branch(b)], 1)
        x = x.view(1, 2, 4, 8, 8).transpose(1, 2).contiguous().view(1, 8, 8, 8)
        return self.head(self.mix(x))


class Transpose(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = cbr(3, 6, 3, 1)
        self.c2 = cbr(6, 8, 3, 1)
        self.head = Head(8)

    def forward(self, x):
        x = self.c1(x.transpose(2, 3))
        return self.head(self.c2(x.transpose(2, 3)))


class Slice(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = cbr(3, 8, 3, 1)
        self.c2 = cbr(4, 8, 3, 1)
        self.head = Head(8)

    def forward(self, x):
        x = self.c1(x)[:, 2:6, 1:7]
        return self.head(self.c2(x))


class LinearT(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = cbr(3, 4, 3, 1)
        self.fc = nn.Linear(4 * 8 * 8, CLASSES)

    def forward(self, x):
        x = self.c1(x).permute(0, 2, 3, 1)
        return self.fc(torch.flatten(x, 1))


class Out(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = cbr(3, 8, 3, 1)
        self.head = Head(8)

    def forward(self, x):
        return self.head(self.c1(x)).view(1, 2, 5).transpose(1, 2)


MODELS = {
    "shuffle": Shuffle,
    "transpose": Transpose,
    "slice": Slice,
    "linear_t": LinearT,
    "out": Out,
}


if __name__ == "__main__":
    main(MODELS, "move_", 200)
