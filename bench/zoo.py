#!/usr/bin/python3
"""The zoo benchmark: per model of tools/export_zoo.py, in one run, the
figures of bench/results/zoo.md:

  params            the torch model's parameter count
  compile s         `zkinfer compile` (quantise, commit the weights, write keys)
  prove s, RSS      the whole `zkinfer prove` process (load, weight
                    commitment, proof), and its peak resident memory
  verify s          the whole `zkinfer verify` process
  proof bytes       the .zkp file
  exec s            the whole `zkinfer run` process on one sample (the
                    integer executor, loading included)
  torch ms          torch fp32 inference in this process, 2 threads, the
                    median of 20 runs after 3 warm-ups (OpenBLAS with its
                    run-time core detection: OPENBLAS_CORETYPE and
                    OPENBLAS_L2_SIZE are removed before torch loads)
  prove/torch       the ratio of the two
  cos, top-1        the dequantised integer output against torch fp32 on
                    100 random inputs (`zkinfer run` on a batch): mean and
                    minimum cosine, and how often the argmax agrees

Whole-process figures are /usr/bin/time's (wall and peak RSS), the median
of --runs runs. A model that stops at some stage gets that stage and its
message instead of figures.

  /usr/bin/python3 tools/export_zoo.py --out build/zoo
  /usr/bin/python3 bench/zoo.py --zoo build/zoo [--only NAME...] [--runs 3] [--md OUT.md]
"""
import os

# before torch loads: OpenBLAS must pick its kernels itself
for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(v, None)

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

import numpy as np  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import torch_timing  # noqa: E402


def timed(cmd, timeout):
    """Runs cmd under /usr/bin/time: (returncode, wall s, peak RSS MB, output)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = ["/usr/bin/time", "-o", tf.name, "-f", "%e %M"] + cmd
        try:
            p = subprocess.run(full, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return 124, timeout, 0.0, "timeout after %d s" % timeout
        fields = tf.read().split()
        wall = float(fields[-2]) if len(fields) >= 2 else float("nan")
        rss = float(fields[-1]) / 1024 if len(fields) >= 2 else float("nan")
        return p.returncode, wall, rss, p.stdout + p.stderr


def median_run(cmd, runs, timeout):
    """The median wall and RSS of `runs` runs; stops at the first failure."""
    walls, rsss = [], []
    for _ in range(runs):
        rc, wall, rss, out = timed(cmd, timeout)
        if rc != 0:
            return rc, None, None, out
        walls.append(wall)
        rsss.append(rss)
    return 0, statistics.median(walls), statistics.median(rsss), ""


def last_line(text):
    """The refusal's message (from its first line on, as zoo_status words
    messages), else the last line."""
    import zoo_status

    lines = text.splitlines()
    at = [i for i, ln in enumerate(lines) if "unsupported" in ln or "error" in ln.lower()]
    return zoo_status.cell(zoo_status.condense("\n".join(lines[at[0]:] if at else lines[-1:])), 300)


def torch_figures(name, rec, zoo_dir, n_acc):
    """torch fp32 median ms (2 threads) and the model's outputs on n_acc
    random inputs (also saved for `zkinfer run`)."""
    import torch
    import export_zoo

    torch.set_num_threads(2)
    make = export_zoo.ZOO[name][0]
    torch.manual_seed(export_zoo.SEED)
    gen = torch.Generator().manual_seed(export_zoo.SEED + 1)
    model = make()
    export_zoo.randomize_bn(model, gen)
    model.eval()
    x = torch.from_numpy(np.load(os.path.join(zoo_dir, rec["input"])))
    ms = torch_timing.median_ms(model, x)
    with torch.no_grad():
        g = torch.Generator().manual_seed(7)
        xs = torch.randn((n_acc,) + tuple(rec["input_shape"][1:]), generator=g)
        ys = torch.cat([model(xs[i:i + 1]) for i in range(n_acc)]).numpy()
    return ms, xs.numpy().astype(np.float32), ys


def accuracy(y_int, y_ref):
    a = y_int.reshape(len(y_ref), -1).astype(np.float64)
    b = y_ref.reshape(len(y_ref), -1).astype(np.float64)
    cos = (a * b).sum(1) / np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-30)
    top1 = float((a.argmax(1) == b.argmax(1)).mean())
    return float(cos.mean()), float(cos.min()), top1


def bench_one(zk, name, rec, zoo_dir, work, runs, timeout, n_acc):
    row = {"model": name, "params": rec["params"]}
    onnx = os.path.join(zoo_dir, rec["onnx"])
    calib = os.path.join(zoo_dir, rec["calib"])
    x = os.path.join(zoo_dir, rec["input"])
    zkm = os.path.join(work, name + ".zkm")
    vk = os.path.join(work, name + ".vk")
    zkp = os.path.join(work, name + ".zkp")
    rc, wall, rss, compile_out = timed([zk, "compile", onnx, "--calib", calib, "-o", zkm], timeout)
    if rc != 0:
        row["stop"] = "compile: " + last_line(compile_out)
        return row
    row["compile_s"], row["compile_rss_mb"] = wall, rss
    try:
        row["torch_ms"], xs, ys = torch_figures(name, rec, zoo_dir, n_acc)
        xs_path, ys_path = os.path.join(work, name + "_acc_x.npy"), os.path.join(work, name + "_acc_y.npy")
        np.save(xs_path, xs)
        rc, _, _, out = timed([zk, "run", zkm, "--input", xs_path, "-o", ys_path], timeout)
        if rc == 0:
            row["cos_mean"], row["cos_min"], row["top1"] = accuracy(np.load(ys_path), ys)
        else:
            row["acc_error"] = last_line(out)
    except Exception as e:  # the torch side must not hide the zkinfer figures
        row["torch_error"] = "%s: %s" % (type(e).__name__, e)
    rc, row["exec_s"], _, out = median_run([zk, "run", zkm, "--input", x], runs, timeout)
    if not os.path.exists(vk):
        row["stop"] = "keys: " + last_line(compile_out)
        return row
    rc, wall, rss, out = median_run([zk, "prove", zkm, "--input", x, "-o", zkp, "--quiet"], runs, timeout)
    if rc != 0:
        row["stop"] = "prove: " + last_line(out)
        return row
    row["prove_s"], row["prove_rss_mb"], row["proof_bytes"] = wall, rss, os.path.getsize(zkp)
    rc, wall, _, out = median_run([zk, "verify", vk, "--proof", zkp, "--input", x], runs, timeout)
    if rc != 0:
        row["stop"] = "verify: " + last_line(out)
        return row
    row["verify_s"] = wall
    return row


def fmt(v, spec):
    return format(v, spec) if isinstance(v, (int, float)) else "-"


def markdown(rows):
    out = ["| model | params | compile s | prove s | prove RSS MB | verify s | proof KB | exec s | torch ms "
           "| prove/torch | cos mean / min | top-1 | stops at |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|"]
    for r in rows:
        ratio = r["prove_s"] * 1e3 / r["torch_ms"] if "prove_s" in r and r.get("torch_ms") else None
        cos = "%s / %s" % (fmt(r.get("cos_mean"), ".4f"), fmt(r.get("cos_min"), ".4f"))
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["model"], fmt(r.get("params"), ",d"), fmt(r.get("compile_s"), ".2f"), fmt(r.get("prove_s"), ".2f"),
            fmt(r.get("prove_rss_mb"), ".0f"), fmt(r.get("verify_s"), ".3f"),
            fmt(r["proof_bytes"] / 1024 if "proof_bytes" in r else None, ".0f"), fmt(r.get("exec_s"), ".2f"),
            fmt(r.get("torch_ms"), ".1f"), fmt(ratio, ".0f"), cos, fmt(r.get("top1"), ".2f"),
            r.get("stop", "")))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--zoo", default=os.path.join(ROOT, "build", "zoo"))
    ap.add_argument("--zkinfer", default=os.path.join(ROOT, "build", "zkinfer"))
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--acc-inputs", type=int, default=100)
    ap.add_argument("--md", help="also write the table here")
    ap.add_argument("--json", help="also write the rows here")
    args = ap.parse_args()
    try:
        with open(os.path.join(args.zoo, "manifest.json")) as f:
            models = json.load(f)["models"]
    except (OSError, ValueError, KeyError) as e:
        print("bench/zoo.py: no zoo manifest in %s (%s): run tools/export_zoo.py --out %s first"
              % (args.zoo, e, args.zoo), file=sys.stderr)
        return 2
    if not os.access(args.zkinfer, os.X_OK):
        print("bench/zoo.py: %s is not an executable: build first (make build)" % args.zkinfer, file=sys.stderr)
        return 2
    names = args.only or list(models)
    rows = []
    with tempfile.TemporaryDirectory(prefix="zoo-bench-") as work:
        for n in names:
            if n not in models:
                print("bench/zoo.py: %s is not in the manifest" % n, file=sys.stderr)
                return 2
            print("== %s" % n, file=sys.stderr, flush=True)
            rows.append(bench_one(args.zkinfer, n, models[n], args.zoo, work, args.runs, args.timeout,
                                  args.acc_inputs))
            print(markdown(rows[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    table = markdown(rows)
    sys.stdout.write(table)
    if args.md:
        with open(args.md, "w") as f:
            f.write(table)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
