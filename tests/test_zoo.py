#!/usr/bin/python3
"""The zoo, proven end to end through the CLI (CTest `test_zoo`, optimised
build only: the sanitised build would take hours on ImageNet-class nets).

Exports the models with tools/export_zoo.py (random weights, 1x3x64x64
images; the LSTM / GRU classifiers lstm_cls and gru_cls on [1, 8, 16]
sequences; nothing downloaded) into BUILD/zoo-test, then for each model
named on the command line:
  compile -> run -> prove -> verify (exit 0, printing the output `run`
  printed)
  -> a proof with a flipped byte rejected (three places, exit 1)
  -> the dequantised output against torch fp32: cosine >= 0.99.

  tests/test_zoo.py ZKINFER BUILD_DIR MODEL...
Prints "N passed, N failed" (scripts/sum-checks.sh adds it up); exit 1 on
any failure, 2 when torch/torchvision are missing (scripts/install-deps.sh
installs them)."""
import json
import os
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what, flush=True)
    return ok


def zk(zkinfer, *args):
    p = subprocess.run([zkinfer] + list(args), capture_output=True, text=True, timeout=1800)
    return p.returncode, p.stdout + p.stderr


def printed_output(text):
    """The argmax and the values `run` and `verify` print for sample 0 (one
    number formatter; each may cut the list short with '...')."""
    for ln in text.splitlines():
        if "sample 0:" in ln and "output" in ln:
            head, vals = ln.split("output", 1)
            return head.split("argmax")[-1].strip(" ,)"), [v for v in vals.split() if v != "..."]
    return None


def same_output(a, b):
    if a is None or b is None or a[0] != b[0]:
        return False
    n = min(len(a[1]), len(b[1]))
    return n > 0 and a[1][:n] == b[1][:n]


def one(zkinfer, zoo, work, name, rec, np):
    onnx, calib, x = (os.path.join(zoo, rec[k]) for k in ("onnx", "calib", "input"))
    zkm, vk, zkp = (os.path.join(work, name + e) for e in (".zkm", ".vk", ".zkp"))
    rc, out = zk(zkinfer, "compile", onnx, "--calib", calib, "-o", zkm)
    if not check(rc == 0 and os.path.exists(vk), "%s: compile with keys (%s)" % (name, out.strip()[-400:])):
        return
    deq = os.path.join(work, name + "_y.npy")
    rc1, out1 = zk(zkinfer, "run", zkm, "--input", x)
    rc2, out2 = zk(zkinfer, "run", zkm, "--input", x, "-o", deq)
    if not check(rc1 == 0 and rc2 == 0, "%s: run (%s)" % (name, (out1 + out2).strip()[-400:])):
        return
    y_ref = np.load(os.path.join(zoo, rec["expected"])).reshape(-1).astype(np.float64)
    y = np.load(deq).reshape(-1).astype(np.float64)
    cos = float(y @ y_ref / max(np.linalg.norm(y) * np.linalg.norm(y_ref), 1e-30))
    check(cos >= 0.99, "%s: cosine %.4f against torch fp32 (>= 0.99)" % (name, cos))
    rc, out = zk(zkinfer, "prove", zkm, "--input", x, "-o", zkp, "--quiet")
    if not check(rc == 0, "%s: prove (%s)" % (name, out.strip()[-400:])):
        return
    rc, out = zk(zkinfer, "verify", vk, "--proof", zkp, "--input", x)
    check(rc == 0, "%s: verify (%s)" % (name, out.strip()[-400:]))
    want, got = printed_output(out1), printed_output(out)
    check(same_output(want, got), "%s: the verified output (%s) equals the executor's (%s)"
          % (name, str(got)[:120], str(want)[:120]))
    with open(zkp, "rb") as f:
        proof = bytearray(f.read())
    for frac in (0.1, 0.5, 0.9):
        bad = bytearray(proof)
        bad[int(len(bad) * frac)] ^= 0x20
        bpath = zkp + ".bad"
        with open(bpath, "wb") as f:
            f.write(bad)
        rc, out = zk(zkinfer, "verify", vk, "--proof", bpath, "--input", x)
        check(rc == 1, "%s: a byte flipped at %.0f%% of the proof is rejected (exit %d)" % (name, frac * 100, rc))
    print("%s: proven, cosine %.4f, proof %d bytes" % (name, cos, len(proof)), flush=True)


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    zkinfer, build, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    try:
        import numpy as np
        import torch  # noqa: F401
        import torchvision  # noqa: F401
    except ImportError as e:
        print("test_zoo: %s: install python3-torch python3-torchvision python3-numpy (scripts/install-deps.sh)"
              % e, file=sys.stderr)
        return 2
    zoo = os.path.join(build, "zoo-test")
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "export_zoo.py"), "--out", zoo, "--only"]
                       + names, capture_output=True, text=True)
    if not check(p.returncode == 0, "export (%s)" % (p.stdout + p.stderr).strip()[-600:]):
        print("%d passed, %d failed" % (passed, failed))
        return 1
    with open(os.path.join(zoo, "manifest.json")) as f:
        models = json.load(f)["models"]
    work = os.path.join(build, "zoo-test", "work")
    os.makedirs(work, exist_ok=True)
    for n in names:
        one(zkinfer, zoo, work, n, models[n], np)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
