#!/usr/bin/python3
"""Writes tests/data/lut_fuse.onnx: small CNNs whose activations torch exports
as several elementwise nodes of one activation (opset 13), which the
quantiser fuses into one lookup table each (src/quant/fuse_unary.h):

  lut_fuse    conv -> SiLU (Sigmoid, Mul) -> conv -> GELU erf form (Div,
              Erf, Add, Mul, Mul) -> conv -> HardSwish (HardSigmoid, Mul)
              -> GlobalAveragePool -> Linear

3x8x8 input, random weights, 10 outputs. For each NAME, next to NAME.onnx:
NAME_calib.npy (8 samples), NAME_x.npy (one input), NAME_y.npy (torch's
output for it). Deterministic (fixed seeds).

Regenerate: /usr/bin/python3 tools/make_fuse_fixtures.py [--out DIR]
"""
import argparse
import os

import numpy as np
import torch
import torch.nn as nn

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


class FuseSilu(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 6, 3, padding=1)
        self.c2 = nn.Conv2d(6, 6, 3, padding=1)
        self.c3 = nn.Conv2d(6, 6, 1)
        self.fc = nn.Linear(6, 10)

    def forward(self, x):
        x = nn.functional.silu(self.c1(x))
        x = nn.functional.gelu(self.c2(x))
        x = nn.functional.hardswish(self.c3(x))
        x = nn.functional.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "data"))
    args = ap.parse_args()
    torch.manual_seed(13)
    np.random.seed(13)
    m = FuseSilu().eval()
    x = torch.randn(1, 3, 8, 8)
    calib = torch.randn(8, 3, 8, 8)
    name = "lut_fuse"
    with torch.no_grad():
        y = m(x)
        torch.onnx.export(m, x, os.path.join(args.out, name + ".onnx"), opset_version=13, input_names=["x"],
                          output_names=["y"])
    np.save(os.path.join(args.out, name + "_calib.npy"), calib.numpy().astype(np.float32))
    np.save(os.path.join(args.out, name + "_x.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(args.out, name + "_y.npy"), y.numpy().astype(np.float32))


if __name__ == "__main__":
    main()
