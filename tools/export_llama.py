#!/usr/bin/env python3
"""Builds a Llama-architecture model in PyTorch (written here, no download)
and exports it to ONNX with its calibration and example inputs.

    Llama: token embedding, pre-norm blocks (RMSNorm; q, k, v projections
    without bias, k and v with fewer heads than q (grouped-query attention:
    each K/V head serves heads/kv_heads query heads, repeated as Llama's
    repeat_kv does: Expand then Reshape; --interleave: repeat_interleave); rotary position embeddings on q
    and k (rotate-half: Slice, Neg, Concat, Mul by constant cos/sin, Add);
    causal softmax attention scaled by 1/sqrt(d_head) under an additive mask
    of -1e4; output projection; residual; RMSNorm, SwiGLU MLP
    w2(silu(w1 x) * w3 x); residual), a final RMSNorm and an untied head
    (--tied: the head is the embedding).

RMSNorm is written out as Llama's reference code has it (torch 1.13 has no
nn.RMSNorm): x * rsqrt(mean(x^2, -1, keepdim) + eps) * weight.

Sizes: --preset tiny (the default: 2 layers, d 64, 4 query heads, 2 K/V
heads, hidden 128, vocabulary 96, 16 tokens), each overridden by its flag
(--layers, --d, --heads, --kv-heads, --hidden, --vocab, --tokens). Weights are random (seeded,
N(0, 0.02), RMSNorm weights around 1).

Writes OUT.onnx (ids [1, T] int64 -> logits [1, T, V]), OUT_calib.npy
(--calib windows of token ids), OUT_x.npy (one window), OUT_y.npy (torch's
logits for it).
Run: /usr/bin/python3 tools/export_llama.py --preset tiny -o tests/data/llama_tiny"""
import argparse
import math
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_gpt2 import write  # noqa: E402

PRESETS = {"tiny": dict(layers=2, d=64, heads=4, kv_heads=2, hidden=128, vocab=96, tokens=16)}


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def rope_tables(t, dh, base=10000.0):
    inv = 1.0 / base ** (torch.arange(0, dh, 2).float() / dh)
    f = torch.outer(torch.arange(t).float(), inv)
    e = torch.cat((f, f), dim=-1)
    return e.cos(), e.sin()


class Block(nn.Module):
    def __init__(self, d, heads, kv_heads, hidden, t, interleave=False):
        super().__init__()
        self.interleave = interleave
        self.h, self.kv, self.dh = heads, kv_heads, d // heads
        self.attn_norm, self.mlp_norm = RMSNorm(d), RMSNorm(d)
        self.wq = nn.Linear(d, heads * self.dh, bias=False)
        self.wk = nn.Linear(d, kv_heads * self.dh, bias=False)
        self.wv = nn.Linear(d, kv_heads * self.dh, bias=False)
        self.wo = nn.Linear(heads * self.dh, d, bias=False)
        self.w1 = nn.Linear(d, hidden, bias=False)
        self.w3 = nn.Linear(d, hidden, bias=False)
        self.w2 = nn.Linear(hidden, d, bias=False)
        cos, sin = rope_tables(t, self.dh)
        self.register_buffer("cos", cos)
        self.register_buffer("sin", sin)
        self.register_buffer("mask", torch.triu(torch.full((t, t), -1e4), diagonal=1))

    def repeat_kv(self, x):
        b, kv, t, dh = x.shape
        r = self.h // kv
        if self.interleave:
            return torch.repeat_interleave(x, r, dim=1)
        return x[:, :, None, :, :].expand(b, kv, r, t, dh).reshape(b, kv * r, t, dh)

    def forward(self, x):
        b, t, d = x.shape
        h = self.attn_norm(x)
        q = self.wq(h).reshape(b, t, self.h, self.dh).transpose(1, 2)
        k = self.wk(h).reshape(b, t, self.kv, self.dh).transpose(1, 2)
        v = self.wv(h).reshape(b, t, self.kv, self.dh).transpose(1, 2)
        cos, sin = self.cos[:t], self.sin[:t]
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k, v = self.repeat_kv(k), self.repeat_kv(v)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.dh)) + self.mask[:t, :t]
        y = (torch.softmax(att, dim=-1) @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.wo(y)
        h = self.mlp_norm(x)
        return x + self.w2(nn.functional.silu(self.w1(h)) * self.w3(h))


class Llama(nn.Module):
    def __init__(self, layers, d, heads, kv_heads, hidden, vocab, t, tied=False, interleave=False):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList([Block(d, heads, kv_heads, hidden, t, interleave) for _ in range(layers)])
        self.norm = RMSNorm(d)
        self.head = None if tied else nn.Linear(d, vocab, bias=False)

    def forward(self, ids):
        x = self.embed(ids)
        for blk in self.layers:
            x = blk(x)
        x = self.norm(x)
        return x @ self.embed.weight.t() if self.head is None else self.head(x)


def init_llama(m, seed):
    """N(0, 0.02) weights (the embedding N(0, 1) so the residual stream has
    unit scale, as a trained model's does), RMSNorm weights 1 + N(0, 0.1)
    so the fused norms' per-feature scales are exercised."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in m.named_parameters():
            if "norm" in name:
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            elif name.startswith("embed"):
                p.copy_(torch.randn(p.shape, generator=g))
            else:
                p.copy_(torch.randn(p.shape, generator=g) * 0.02)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset", choices=sorted(PRESETS), default="tiny", help="sizes the flags below override")
    for k in PRESETS["tiny"]:
        ap.add_argument("--" + k.replace("_", "-"), type=int, dest=k)
    ap.add_argument("--tied", action="store_true", help="the head is the token embedding")
    ap.add_argument("--interleave", action="store_true",
                    help="repeat the K/V heads by torch.repeat_interleave (exported as Split, Expand, Reshape)")
    ap.add_argument("--calib", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("-o", "--out", required=True, help="output path without .onnx")
    a = ap.parse_args()
    cfg = {k: v if getattr(a, k) is None else getattr(a, k) for k, v in PRESETS[a.preset].items()}
    if cfg["d"] % cfg["heads"] or cfg["heads"] % cfg["kv_heads"] or (cfg["d"] // cfg["heads"]) % 2:
        sys.exit("d must split into heads of even size, heads into kv_heads groups")
    T = cfg["tokens"]
    m = Llama(cfg["layers"], cfg["d"], cfg["heads"], cfg["kv_heads"], cfg["hidden"], cfg["vocab"], T,
              a.tied, a.interleave).eval()
    init_llama(m, a.seed)
    rng = np.random.default_rng(a.seed)
    calib = rng.integers(0, cfg["vocab"], (a.calib, T)).astype(np.int64)
    x = rng.integers(0, cfg["vocab"], (1, T)).astype(np.int64)
    write(m, x, calib, a.out, "ids", "logits")
    with torch.no_grad():
        np.save(a.out + "_y.npy", m(torch.from_numpy(x)).numpy())

if __name__ == "__main__":
    main()
