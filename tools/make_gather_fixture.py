#!/usr/bin/env python3
"""Writes tests/data/gather_embed.onnx (opset 13), gather_embed_calib.npy
(8 samples [8,6] int64 token ids) and gather_embed_x.npy (one sample
[1,6] int64): a token embedding and a Linear head,

    e = Embedding(50, 12)(ids)   [1, 6, 12]  (ONNX Gather of the table)
    y = Linear(72, 10)(flatten(e))  [1, 10]

The ids include 0, 49 (the last row) and a repeated id. Run with
/usr/bin/python3 and torch from tests/data's parent."""
import numpy as np
import torch

from make_bmm_fixture import write_fixture


class Embed(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(50, 12)
        self.fc = torch.nn.Linear(72, 10)

    def forward(self, ids):
        return self.fc(self.emb(ids).flatten(1))


def main():
    torch.manual_seed(13)
    rng = np.random.default_rng(13)
    calib = rng.integers(0, 50, size=(8, 6), dtype=np.int64)
    calib[0] = [0, 49, 7, 7, 0, 23]
    x = np.array([[3, 49, 0, 3, 17, 3]], dtype=np.int64)
    write_fixture(Embed(), "gather_embed", x, calib, "ids")


if __name__ == "__main__":
    main()
