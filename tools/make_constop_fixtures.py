#!/usr/bin/python3
"""Writes the fixtures of tests/test_prove_constops.c, tests/data/constop_*:
small models whose ops with a constant operand (an elementwise constant
tensor, an average pool whose divisor differs per position, a reduction
other than a map's spatial mean) the quantiser makes layers with committed
weights (src/quant/quant.c, "elementwise constants and reductions"):

  constop_mul          [1,3,6,6] -> conv 3x3 p1 (3 -> 4) -> * K[1,4,6,6]
                       (a constant per element) -> Flatten -> Linear 10
  constop_sub_hw       [1,3,6,6] -> conv 3x3 p1 (3 -> 4) + ReLU -> K[6,6] - x
                       (broadcast over channels) -> Flatten -> Linear 10
  constop_add_row      [1,20] -> Linear 12 -> + K[12] -> ReLU -> Linear 10
                       (a Gemm's output: not fused as its bias)
  constop_pool_ceil    [1,3,6,6] -> conv 3x3 p1 (3 -> 4) -> AvgPool 3/2
                       ceil_mode (3x3, not 2x2: a partial window at each
                       end) -> Flatten -> Linear 10
  constop_pool_nopad   [1,3,6,6] -> conv 3x3 p1 (3 -> 4) -> AvgPool 3/1 p1
                       count_include_pad=False -> Flatten -> Linear 10
  constop_reduce_row   [1,24] -> Linear 24 -> view [1,4,6] -> mean over the
                       last axis (keepdim False) -> Linear 10
  constop_reduce_chan  [1,3,6,6] -> conv 3x3 p1 (3 -> 4) -> sum over the
                       channels (keepdim True) -> Flatten -> Linear 10

For each NAME, next to constop_NAME.onnx: constop_NAME_calib.npy (8
calibration samples), constop_NAME_x.npy (a sample input) and
constop_NAME_y.npy (torch's output for it), written by
tools/make_dag_fixtures.py. Deterministic (fixed seeds).

Regenerate: /usr/bin/python3 tools/make_constop_fixtures.py [--out DIR] [--only NAME ...]
"""
import torch
import torch.nn as nn

import make_dag_fixtures

CLASSES = make_dag_fixtures.CLASSES


class ConvHead(nn.Module):
    """conv 3x3 p1 (3 -> 4), then op, then Flatten -> Linear 10."""
    shape = (3, 6, 6)
    feat = 4 * 6 * 6

    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(3, 4, 3, padding=1)
        self.fc = nn.Linear(self.feat, CLASSES)

    def forward(self, x):
        return self.fc(torch.flatten(self.op(self.c(x)), 1))


class Mul(ConvHead):
    def __init__(self):
        super().__init__()
        self.register_buffer("k", torch.linspace(-1.5, 2.0, 4 * 6 * 6).reshape(1, 4, 6, 6))

    def op(self, y):
        return y * self.k


class SubHW(ConvHead):
    def __init__(self):
        super().__init__()
        self.register_buffer("k", torch.linspace(-1.0, 1.0, 36).reshape(6, 6))

    def op(self, y):
        return self.k - torch.relu(y)


class AddRow(nn.Module):
    shape = (20,)

    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(20, 12)
        self.l2 = nn.Linear(12, CLASSES)
        self.register_buffer("k", torch.linspace(-0.8, 0.8, 12))

    def forward(self, x):
        return self.l2(torch.relu(self.l1(x) + self.k))


class PoolCeil(ConvHead):
    feat = 4 * 3 * 3

    def op(self, y):
        return nn.functional.avg_pool2d(y, 3, 2, ceil_mode=True)


class PoolNoPad(ConvHead):
    def op(self, y):
        return nn.functional.avg_pool2d(y, 3, 1, 1, count_include_pad=False)


class ReduceRow(nn.Module):
    shape = (24,)

    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(24, 24)
        self.l2 = nn.Linear(4, CLASSES)

    def forward(self, x):
        return self.l2(self.l1(x).view(1, 4, 6).mean(-1))


class ReduceChan(ConvHead):
    feat = 6 * 6

    def op(self, y):
        return y.sum(1, keepdim=True)


MODELS = {
    "mul": Mul,
    "sub_hw": SubHW,
    "add_row": AddRow,
    "pool_ceil": PoolCeil,
    "pool_nopad": PoolNoPad,
    "reduce_row": ReduceRow,
    "reduce_chan": ReduceChan,
}


if __name__ == "__main__":
    make_dag_fixtures.main(MODELS, "constop_", 500)
