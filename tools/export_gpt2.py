#!/usr/bin/env python3
"""Builds a GPT-2-architecture model in PyTorch (written here, no download)
and exports it to ONNX with its calibration and example inputs.

    GPT-2: token and learned position embeddings, pre-LN blocks (LayerNorm,
    fused q/k/v projection split in three, causal softmax attention scaled by
    1/sqrt(d_head) under an additive mask of -1e4, output projection,
    residual; LayerNorm, Linear to 4d, tanh GELU, Linear back, residual),
    a final LayerNorm and the output head tied to the token embedding.

Sizes: --preset gpt2 (124M: 12 layers, d 768, 12 heads, vocabulary 50257)
or --layers/--d/--heads/--vocab. --tokens T fixes the sequence length (the
ONNX input is ids [1, T] int64). --embeds exports the model from the token
embeddings [1, T, d] float on (no token ids, no output head). Weights are random
(seeded, GPT-2's init scale 0.02) unless --state loads a torch state dict.

Writes OUT.onnx, OUT_calib.npy (--calib samples), OUT_x.npy (one sample).
Run: /usr/bin/python3 tools/export_gpt2.py --preset gpt2 --tokens 128 -o /tmp/gpt2"""
import argparse
import math
import os
import sys

import numpy as np
import torch
from torch import nn

PRESETS = {"gpt2": dict(layers=12, d=768, heads=12, vocab=50257)}


class Block(nn.Module):
    def __init__(self, d, heads, t):
        super().__init__()
        self.h, self.dh = heads, d // heads
        self.ln_1, self.ln_2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.c_attn, self.c_proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.c_fc, self.mlp_proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
        self.gelu = nn.GELU(approximate="tanh")
        self.register_buffer("mask", torch.triu(torch.full((t, t), -1e4), diagonal=1))

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=2)
        q = q.reshape(b, t, self.h, self.dh).transpose(1, 2)
        k = k.reshape(b, t, self.h, self.dh).transpose(1, 2)
        v = v.reshape(b, t, self.h, self.dh).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.dh)) + self.mask[:t, :t]
        y = (torch.softmax(att, dim=-1) @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.c_proj(y)
        return x + self.mlp_proj(self.gelu(self.c_fc(self.ln_2(x))))


class Gpt2(nn.Module):
    def __init__(self, layers, d, heads, vocab, t, embeds=False):
        super().__init__()
        self.embeds = embeds
        self.wte, self.wpe = nn.Embedding(vocab, d), nn.Embedding(t, d)
        self.h = nn.ModuleList([Block(d, heads, t) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d)
        self.t = t

    def blocks(self, x):
        for b in self.h:
            x = b(x)
        return self.ln_f(x)

    def forward(self, ids_or_x):
        if self.embeds:
            return self.blocks(ids_or_x + self.wpe.weight[: ids_or_x.shape[1]])
        x = self.wte(ids_or_x) + self.wpe.weight[: ids_or_x.shape[1]]
        return self.blocks(x) @ self.wte.weight.t()


def init_gpt2(m, seed):
    """GPT-2's initialisation: N(0, 0.02) weights, zero biases, projections
    into the residual stream scaled by 1/sqrt(2 layers); LayerNorms at 1, 0."""
    g = torch.Generator().manual_seed(seed)
    n = len(m.h)
    with torch.no_grad():
        for name, p in m.named_parameters():
            if name.endswith("bias"):
                p.zero_()
            elif "ln" in name:
                p.fill_(1.0)
            else:
                std = 0.02 / math.sqrt(2 * n) if name.endswith(("c_proj.weight", "mlp_proj.weight")) else 0.02
                p.copy_(torch.randn(p.shape, generator=g) * std)


def write(m, x, calib, out, in_name, out_name):
    """Exports m at opset 17 on the sample x to OUT.onnx; writes
    OUT_calib.npy and OUT_x.npy."""
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(m, torch.from_numpy(x), out + ".onnx", opset_version=17, input_names=[in_name],
                          output_names=[out_name])
    np.save(out + "_calib.npy", calib)
    np.save(out + "_x.npy", x)
    n = sum(p.numel() for p in m.parameters())
    print(f"wrote {out}.onnx ({os.path.getsize(out + '.onnx') / 1e6:.2f} MB, {n / 1e3:.1f} k parameters, "
          f"{x.shape[1]} tokens)", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset", choices=sorted(PRESETS))
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--d", type=int, default=64)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--vocab", type=int, default=256)
    ap.add_argument("--tokens", type=int, default=16)
    ap.add_argument("--calib", type=int, default=4)
    ap.add_argument("--embeds", action="store_true")
    ap.add_argument("--state", help="a torch state dict to load instead of random weights")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("-o", "--out", required=True, help="output path without .onnx")
    a = ap.parse_args()
    cfg = dict(layers=a.layers, d=a.d, heads=a.heads, vocab=a.vocab)
    if a.preset:
        cfg = PRESETS[a.preset]
    m = Gpt2(cfg["layers"], cfg["d"], cfg["heads"], cfg["vocab"], a.tokens, a.embeds).eval()
    if a.state:
        m.load_state_dict(torch.load(a.state), strict=False)
    else:
        init_gpt2(m, a.seed)
    rng = np.random.default_rng(a.seed)
    T = a.tokens
    if a.embeds:
        with torch.no_grad():
            ids = torch.from_numpy(rng.integers(0, cfg["vocab"], (a.calib + 1, T)))
            xs = m.wte(ids).numpy().astype(np.float32)
        calib, x = xs[: a.calib], xs[a.calib:]
    else:
        calib = rng.integers(0, cfg["vocab"], (a.calib, T)).astype(np.int64)
        x = rng.integers(0, cfg["vocab"], (1, T)).astype(np.int64)
    write(m, x, calib, a.out, "x" if a.embeds else "ids", "y" if a.embeds else "logits")

if __name__ == "__main__":
    main()
