#!/usr/bin/python3
"""Exports a zoo of standard architectures to ONNX for the zoo status check
(tools/zoo_status.py): random weights (torch.manual_seed fixed, nothing is
downloaded), every model in eval mode, fixed shapes.

  torchvision image models  input [1, 3, 64, 64], opset 13
  lstm_cls, gru_cls         input [1, 8, 16] -> LSTM/GRU(16, 32) -> last step
                            -> Linear(32, 10), opset 13
  mlp_act                   input [1, 32] -> Linear/Sigmoid/Tanh/GELU/LayerNorm
                            -> Softmax, opset 17

For each NAME it writes into DIR:
  NAME.onnx         the model
  NAME_calib.npy    calibration samples, float32, the input shape with a
                    leading batch of B (what zkinfer compile --calib reads:
                    [B] + dims[1:] for a model whose leading axis is 1);
                    B = 8 for the image models, 64 for the small sequence
                    and MLP inputs (see calib_count)
  NAME_x.npy        one input sample, the model's input shape
  NAME_y.npy        torch's output on NAME_x.npy (float32)
and DIR/manifest.json: per model its input and output shapes, opset,
parameter count, ONNX op histogram, file names and the export time.

Run: /usr/bin/python3 tools/export_zoo.py [--out DIR] [--only NAME...] [--list]
Default DIR is build/zoo (large files: not committed)."""
import argparse
import json
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn as nn

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SEED = 20261203
IMG = (1, 3, 64, 64)
SEQ = (1, 8, 16)


class RnnClassifier(nn.Module):
    """[1, T, F] -> LSTM/GRU(F, H, batch_first) -> last time step -> Linear(H, C)."""

    def __init__(self, kind, feat=16, hidden=32, classes=10):
        super().__init__()
        cls = nn.LSTM if kind == "lstm" else nn.GRU
        self.rnn = cls(feat, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, classes)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.fc(y[:, -1, :])


class ActMlp(nn.Module):
    """Linear layers with every element-wise activation the quantiser knows,
    a LayerNorm and a final Softmax."""

    def __init__(self, d=32, classes=10):
        super().__init__()
        self.l1 = nn.Linear(d, 64)
        self.l2 = nn.Linear(64, 64)
        self.l3 = nn.Linear(64, 64)
        self.ln = nn.LayerNorm(64)
        self.l4 = nn.Linear(64, classes)

    def forward(self, x):
        x = torch.sigmoid(self.l1(x))
        x = torch.tanh(self.l2(x))
        x = nn.functional.gelu(self.l3(x))
        x = self.ln(x)
        return torch.softmax(self.l4(x), dim=-1)


def tv(name, **kw):
    def make():
        import torchvision.models as m
        return getattr(m, name)(weights=None, **kw)
    return make


# name -> (constructor, input shape, opset)
ZOO = {
    "resnet18": (tv("resnet18"), IMG, 13),
    "resnet34": (tv("resnet34"), IMG, 13),
    "resnet50": (tv("resnet50"), IMG, 13),
    "mobilenet_v2": (tv("mobilenet_v2"), IMG, 13),
    "mobilenet_v3_small": (tv("mobilenet_v3_small"), IMG, 13),
    "mobilenet_v3_large": (tv("mobilenet_v3_large"), IMG, 13),
    "efficientnet_b0": (tv("efficientnet_b0"), IMG, 13),
    "shufflenet_v2_x0_5": (tv("shufflenet_v2_x0_5"), IMG, 13),
    "squeezenet1_0": (tv("squeezenet1_0"), IMG, 13),
    "squeezenet1_1": (tv("squeezenet1_1"), IMG, 13),
    "densenet121": (tv("densenet121"), IMG, 13),
    "googlenet": (tv("googlenet", aux_logits=False, transform_input=False, init_weights=True), IMG, 13),
    "regnet_x_400mf": (tv("regnet_x_400mf"), IMG, 13),
    "lstm_cls": (lambda: RnnClassifier("lstm"), SEQ, 13),
    "gru_cls": (lambda: RnnClassifier("gru"), SEQ, 13),
    "mlp_act": (lambda: ActMlp(), (1, 32), 17),
}


def randomize_bn(model, gen):
    """Gives BatchNorm layers non-trivial running statistics (fresh ones are
    mean 0, var 1: the fold would be an identity and test nothing)."""
    for mod in model.modules():
        if isinstance(mod, nn.modules.batchnorm._BatchNorm):
            with torch.no_grad():
                mod.running_mean.copy_(torch.randn(mod.running_mean.shape, generator=gen) * 0.1)
                mod.running_var.copy_(torch.rand(mod.running_var.shape, generator=gen) * 0.5 + 0.75)


def calib_count(shape):
    """Calibration samples: 8 images, 64 of the small inputs. Max-|x|
    calibration from 8 N(0,1) sequences set gru_cls's ranges too tight: a
    test input past them was clamped at every step (worst cosine 0.983 over
    100 inputs; 0.994 with 64). 64 small samples cost nothing to compile."""
    return 8 if len(shape) == 4 else 64


def export_one(name, out_dir, verbose=False):
    make, shape, opset = ZOO[name]
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED + 1)
    model = make()
    randomize_bn(model, gen)
    model.eval()
    x = torch.randn(shape, generator=gen)
    calib = torch.randn((calib_count(shape),) + tuple(shape[1:]), generator=gen)
    with torch.no_grad():
        y = model(x)
    path = os.path.join(out_dir, name + ".onnx")
    t0 = time.time()
    with torch.no_grad():
        torch.onnx.export(model, x, path, opset_version=opset, input_names=["x"], output_names=["y"],
                          do_constant_folding=True, verbose=verbose)
    dt = time.time() - t0
    np.save(os.path.join(out_dir, name + "_calib.npy"), calib.numpy().astype(np.float32))
    np.save(os.path.join(out_dir, name + "_x.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(out_dir, name + "_y.npy"), y.numpy().astype(np.float32))
    params = sum(p.numel() for p in model.parameters())
    ops = {}
    for node in onnx.load(path, load_external_data=False).graph.node:
        ops[node.op_type] = ops.get(node.op_type, 0) + 1
    return {
        "name": name,
        "onnx": name + ".onnx",
        "calib": name + "_calib.npy",
        "input": name + "_x.npy",
        "expected": name + "_y.npy",
        "input_shape": list(shape),
        "output_shape": list(y.shape),
        "opset": opset,
        "params": int(params),
        "onnx_bytes": os.path.getsize(path),
        "export_s": round(dt, 2),
        "ops": dict(sorted(ops.items())),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "zoo"))
    ap.add_argument("--only", nargs="*", help="export only these models")
    ap.add_argument("--list", action="store_true", help="list the model names and exit")
    args = ap.parse_args()
    if args.list:
        for n, (_, s, o) in ZOO.items():
            print(f"{n:22s} input {list(s)} opset {o}")
        return 0
    names = args.only or list(ZOO)
    bad = [n for n in names if n not in ZOO]
    if bad:
        print("unknown model(s): " + ", ".join(bad) + "; --list shows the names", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    mpath = os.path.join(args.out, "manifest.json")
    manifest = {"seed": SEED, "torch": torch.__version__, "models": {}}
    if os.path.exists(mpath):
        try:
            with open(mpath) as f:
                old = json.load(f)
            manifest["models"].update(old.get("models", {}))
        except (OSError, ValueError):
            pass
    failed = 0
    for n in names:
        try:
            rec = export_one(n, args.out)
        except Exception as e:  # one model's failure must not stop the rest
            failed += 1
            print(f"{n}: export failed: {type(e).__name__}: {e}", file=sys.stderr)
            manifest["models"].pop(n, None)
            continue
        manifest["models"][n] = rec
        print(f"{n:22s} {rec['params']:>10d} params  {rec['onnx_bytes'] / 1e6:7.2f} MB  -> {rec['output_shape']}")
    # keep the manifest in the zoo's order
    manifest["models"] = {k: manifest["models"][k] for k in ZOO if k in manifest["models"]}
    with open(mpath, "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
