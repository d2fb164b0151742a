#!/usr/bin/python3
"""Trains a small MLP and a small CNN on Fashion-MNIST (Debian's
dataset-fashion-mnist, CPU, a few minutes) and writes the committed fixtures:

  tests/data/fmnist_mlp.onnx   input [1, 784] float in [0, 1] -> 10 logits
  tests/data/fmnist_cnn.onnx   input [1, 1, 28, 28]           -> 10 logits
  tests/data/fmnist_calib.npy  100 training images, float32 [100, 1, 28, 28]
  tests/data/fmnist_test_x.npy first 1000 test images, uint8 [1000, 28, 28]
  tests/data/fmnist_test_y.npy their labels, uint8 [1000]

Run: /usr/bin/python3 tools/train_fashion_mnist.py [--epochs N]"""
import argparse
import gzip
import os
import sys

import numpy as np
import torch

DATA = "/usr/share/datasets/fashion-mnist"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data")


def load_idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[0:4], "big")
    ndim = magic & 0xFF
    dims = [int.from_bytes(raw[4 + 4 * k:8 + 4 * k], "big") for k in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 64),
                                       torch.nn.ReLU(), torch.nn.Linear(64, 10))

    def forward(self, x):
        return self.net(x)


class Cnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.f = torch.nn.Sequential(
            torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.BatchNorm2d(8), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.BatchNorm2d(16), torch.nn.ReLU(), torch.nn.MaxPool2d(2))
        self.fc = torch.nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.f(x), 1))


def train(model, xs, ys, epochs, flat):
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    n = xs.shape[0]
    g = torch.Generator().manual_seed(0)
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(n, generator=g)
        tot = 0.0
        for k in range(0, n, 128):
            idx = perm[k:k + 128]
            xb = xs[idx]
            if flat:
                xb = xb.reshape(-1, 784)
            loss = torch.nn.functional.cross_entropy(model(xb), ys[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(idx)
        print(f"  epoch {ep + 1}: loss {tot / n:.4f}", file=sys.stderr)


def accuracy(model, xs, ys, flat):
    model.eval()
    with torch.no_grad():
        xb = xs.reshape(-1, 784) if flat else xs
        return (model(xb).argmax(1) == ys).float().mean().item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=4)
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(2)
    xtr = load_idx("train-images-idx3-ubyte.gz")
    ytr = load_idx("train-labels-idx1-ubyte.gz")
    xte = load_idx("t10k-images-idx3-ubyte.gz")
    yte = load_idx("t10k-labels-idx1-ubyte.gz")
    tx = torch.tensor(xtr, dtype=torch.float32).unsqueeze(1) / 255.0
    ty = torch.tensor(ytr, dtype=torch.int64)
    vx = torch.tensor(xte, dtype=torch.float32).unsqueeze(1) / 255.0
    vy = torch.tensor(yte, dtype=torch.int64)
    os.makedirs(OUT, exist_ok=True)
    for name, model, flat, shape in [("mlp", Mlp(), True, (1, 784)), ("cnn", Cnn(), False, (1, 1, 28, 28))]:
        print(f"training {name}", file=sys.stderr)
        train(model, tx, ty, args.epochs, flat)
        acc = accuracy(model, vx, vy, flat)
        acc1k = accuracy(model, vx[:1000], vy[:1000], flat)
        print(f"{name}: float test accuracy {acc * 100:.2f}% (10000 images), {acc1k * 100:.2f}% (first 1000)")
        model.eval()
        torch.onnx.export(model, torch.zeros(shape), os.path.join(OUT, f"fmnist_{name}.onnx"), opset_version=13,
                          input_names=["x"], output_names=["logits"])
    np.save(os.path.join(OUT, "fmnist_calib.npy"), (xtr[:100].astype(np.float32) / 255.0).reshape(100, 1, 28, 28))
    np.save(os.path.join(OUT, "fmnist_test_x.npy"), xte[:1000])
    np.save(os.path.join(OUT, "fmnist_test_y.npy"), yte[:1000])


if __name__ == "__main__":
    main()
