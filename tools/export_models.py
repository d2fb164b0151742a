#!/usr/bin/python3
"""Exports the benchmark architectures to ONNX (random weights, fixed input
shapes), each with a small random calibration batch <name>_calib.npy:

  paper0/<name>.onnx  every configuration of bench/paper0/suite.json
                      (Linear layers, ReLU where the config says so)
  lenet5.onnx         LeNet-5, input 1x32x32
  vgg16.onnx          VGG-16 (BatchNorm) for 3x32x32 inputs, 10 classes
  resnet18.onnx       ResNet-18 (CIFAR stem) for 3x32x32 inputs, 10 classes
  gpt2_small.onnx     GPT-2-style decoder: token ids [1, T] in, logits [1, T, V] out

Run: /usr/bin/python3 tools/export_models.py [--out DIR] [--only NAME...] [--list]
Default DIR is build/models (large files: not committed)."""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SUITE = os.path.join(ROOT, "bench", "paper0", "suite.json")


class Paper0Mlp(nn.Module):
    def __init__(self, layers):
        super().__init__()
        mods = []
        for n_in, n_out, relu in layers:
            mods.append(nn.Linear(n_in, n_out))
            if relu:
                mods.append(nn.ReLU())
        self.net = nn.Sequential(*mods)

    def forward(self, x):
        return self.net(x)


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5)
        self.c3 = nn.Conv2d(6, 16, 5)
        self.f5 = nn.Linear(16 * 5 * 5, 120)
        self.f6 = nn.Linear(120, 84)
        self.out = nn.Linear(84, 10)

    def forward(self, x):
        x = nn.functional.avg_pool2d(torch.relu(self.c1(x)), 2)
        x = nn.functional.avg_pool2d(torch.relu(self.c3(x)), 2)
        x = torch.flatten(x, 1)
        return self.out(torch.relu(self.f6(torch.relu(self.f5(x)))))


class Vgg16(nn.Module):
    CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]

    def __init__(self, classes=10):
        super().__init__()
        mods, c = [], 3
        for v in self.CFG:
            if v == "M":
                mods.append(nn.MaxPool2d(2))
            else:
                mods += [nn.Conv2d(c, v, 3, padding=1), nn.BatchNorm2d(v), nn.ReLU()]
                c = v
        self.features = nn.Sequential(*mods)
        self.classifier = nn.Sequential(nn.Linear(512, 512), nn.ReLU(), nn.Dropout(), nn.Linear(512, 512), nn.ReLU(),
                                        nn.Dropout(), nn.Linear(512, classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.b2(self.c2(torch.relu(self.b1(self.c1(x)))))
        return torch.relu(y + (self.short(x) if self.short is not None else x))


class ResNet18(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU())
        blocks, c = [], 64
        for cout, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
            blocks += [BasicBlock(c, cout, stride), BasicBlock(cout, cout, 1)]
            c = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


class Gpt2Block(nn.Module):
    def __init__(self, d, heads, t):
        super().__init__()
        self.h, self.dh = heads, d // heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.q, self.k, self.v = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.proj = nn.Linear(d, d)
        self.fc, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
        # additive causal mask: 0 on and below the diagonal, -1e4 above
        self.register_buffer("mask", torch.triu(torch.full((t, t), -1e4), diagonal=1))

    def forward(self, x):
        b, t, d = x.shape
        h = self.ln1(x)
        q, k, v = self.q(h), self.k(h), self.v(h)
        q = q.reshape(b, t, self.h, self.dh).transpose(1, 2)
        k = k.reshape(b, t, self.h, self.dh).transpose(1, 2)
        v = v.reshape(b, t, self.h, self.dh).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.dh)) + self.mask
        y = torch.softmax(att, dim=-1) @ v
        x = x + self.proj(y.transpose(1, 2).reshape(b, t, d))
        return x + self.fc2(nn.functional.gelu(self.fc(self.ln2(x))))


class Gpt2Small(nn.Module):
    def __init__(self, vocab=256, t=16, d=64, heads=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(1, t, d) * 0.02)
        self.blocks = nn.Sequential(*[Gpt2Block(d, heads, t) for _ in range(layers)])
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)

    def forward(self, ids):
        return self.head(self.ln(self.blocks(self.tok(ids) + self.pos)))


def randomise_bn(model):
    """Non-trivial running statistics so the BN folding matters."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.1, 0.1)


def export(model, example, path, calib, opset=13):
    model.eval()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.onnx.export(model, example, path, opset_version=opset, input_names=["x"], output_names=["y"])
    np.save(path[:-5] + "_calib.npy", calib)
    print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path) / 1e6:.1f} MB)", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "models"))
    ap.add_argument("--only", nargs="*", default=None, help="names to export (default: all)")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    torch.manual_seed(0)
    with open(SUITE) as f:
        suite = json.load(f)
    jobs = []
    if suite:
        for cfg in suite["configs"]:
            jobs.append(("paper0/" + cfg["name"], cfg))
    jobs += [("lenet5", None), ("vgg16", None), ("resnet18", None), ("gpt2_small", None)]
    if args.list:
        print("\n".join(n for n, _ in jobs))
        return
    rng = np.random.default_rng(0)
    for name, cfg in jobs:
        if args.only and name not in args.only and name.split("/")[-1] not in args.only:
            continue
        path = os.path.join(args.out, name + ".onnx")
        if cfg is not None:
            n_in = cfg["layers"][0][0]
            export(Paper0Mlp(cfg["layers"]), torch.randn(1, n_in), path,
                   rng.standard_normal((8, n_in)).astype(np.float32))
        elif name == "lenet5":
            export(LeNet5(), torch.randn(1, 1, 32, 32), path, rng.random((8, 1, 32, 32), dtype=np.float32))
        elif name in ("vgg16", "resnet18"):
            m = Vgg16() if name == "vgg16" else ResNet18()
            randomise_bn(m)
            export(m, torch.randn(1, 3, 32, 32), path, rng.standard_normal((8, 3, 32, 32)).astype(np.float32))
        else:
            m = Gpt2Small()
            ids = torch.randint(0, 256, (1, 16))
            export(m, ids, path, rng.integers(0, 256, (8, 1, 16)).astype(np.int64), opset=17)


if __name__ == "__main__":
    main()
