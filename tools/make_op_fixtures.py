#!/usr/bin/python3
"""Writes tests/data/ops_move.onnx: a small CNN exported by torch at opset 13
whose activations pass through every data-movement and reduction op the
quantiser maps onto existing integer ops (tests/test_graph_passes.c):

  x [1,3,8,8] -> Conv(3->8, 3x3, pad 1) -> ReLU
    -> torch.split(.., [3, 5], dim=1)                 Split (two outputs)
    a [1,3,8,8] -> interpolate(scale 2, nearest)      Resize -> [1,3,16,16]
                -> sum over (2, 3)                    ReduceSum -> [1,3]
    b [1,5,8,8] -> amax over (2, 3)                   ReduceMax -> [1,5]
                -> [:, :, None].expand(1, 5, 4)       Expand -> [1,5,4]
                -> mean over 2                        ReduceMean -> [1,5]
  cat(sum / 64, max, mean) -> Linear(13, 10)

with NAME_calib.npy (8 samples), NAME_x.npy (one input) and NAME_y.npy
(torch's output for it).

Deterministic: fixed torch seed.
Regenerate: /usr/bin/python3 tools/make_op_fixtures.py [--out DIR]
"""
import argparse
import os

import numpy as np
import torch
import torch.nn as nn

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


class MoveNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc = nn.Linear(13, 10)

    def forward(self, x):
        a, b = torch.split(torch.relu(self.conv(x)), [3, 5], dim=1)
        up = nn.functional.interpolate(a, scale_factor=2, mode="nearest")
        s = up.sum(dim=(2, 3)) / 64
        m = b.amax(dim=(2, 3))
        e = m[:, :, None].expand(1, 5, 4).mean(dim=2)
        return self.fc(torch.cat([s, m, e], dim=1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data"))
    args = ap.parse_args()
    torch.manual_seed(300)
    m = MoveNet().eval()
    x = torch.randn(1, 3, 8, 8)
    calib = torch.randn(8, 3, 8, 8)
    with torch.no_grad():
        y = m(x)
        torch.onnx.export(m, x, os.path.join(args.out, "ops_move.onnx"), opset_version=13, input_names=["x"],
                          output_names=["y"])
    for suffix, arr in (("calib", calib), ("x", x), ("y", y)):
        np.save(os.path.join(args.out, f"ops_move_{suffix}.npy"), arr.numpy().astype(np.float32))


if __name__ == "__main__":
    main()
