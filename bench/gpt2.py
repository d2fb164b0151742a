#!/usr/bin/python3
"""GPT-2 scaling benchmark (bench/results/gpt2.md): GPT-2-architecture
models of tools/export_gpt2.py (random weights, GPT-2's initialisation),
d 768, 12 heads, from the token embeddings (--embeds: no ids, no head),
exported, compiled and proven here:

  --tokens T...   one block over T tokens (the scaling in T)
  --layers L...   L blocks over 128 tokens (the scaling in depth)

Per model, in one run: `zkinfer compile` (wall), the whole `zkinfer prove`
process (wall and peak RSS, /usr/bin/time, the median of --runs runs), the
proof's bytes, the whole `zkinfer verify` process, and torch fp32 inference
of the same model in this process (2 threads, OpenBLAS choosing its own
kernels: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed before torch loads;
the median of 20 runs after 3 warm-ups) with the ratio prove / torch.

  /usr/bin/python3 bench/gpt2.py --tokens 16 32 64 128 256 512 --layers 1 2 4 --out build/gpt2 [--md OUT.md]
"""
import os

for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(v, None)

import argparse  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
sys.path.insert(0, HERE)
import export_gpt2  # noqa: E402
import torch_timing  # noqa: E402

ZKI = os.path.join(HERE, "..", "build", "zkinfer")


def timed(cmd):
    """(wall s, peak RSS MB) of a whole process, by /usr/bin/time."""
    r = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M"] + cmd, capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(" ".join(cmd[:2]) + ": " + (r.stderr.strip().splitlines() or ["?"])[-1])
    m = re.search(r"TIME ([0-9.]+) ([0-9]+)", r.stderr)
    return float(m.group(1)), int(m.group(2)) / 1024.0


def one(out, layers, T, runs):
    base = os.path.join(out, f"gpt2_l{layers}_t{T}")
    subprocess.run(["/usr/bin/python3", os.path.join(HERE, "..", "tools", "export_gpt2.py"), "--layers", str(layers),
                    "--d", "768", "--heads", "12", "--vocab", "50257", "--tokens", str(T), "--calib", "2",
                    "--embeds", "-o", base], check=True, capture_output=True)
    m = export_gpt2.Gpt2(layers, 768, 12, 50257, T, True).eval()
    export_gpt2.init_gpt2(m, 0)
    x = np.load(base + "_x.npy")
    tms = torch_timing.median_ms(m, torch.from_numpy(x))
    for f in (base + ".zkm", base + ".zkp"):
        if os.path.exists(f):
            os.remove(f)
    tc, _ = timed([ZKI, "compile", base + ".onnx", "--calib", base + "_calib.npy", "-o", base + ".zkm"])
    pw, pm = [], []
    for _ in range(runs):
        w, mb = timed([ZKI, "prove", base + ".zkm", "--input", base + "_x.npy", "-o", base + ".zkp", "--quiet"])
        pw.append(w)
        pm.append(mb)
    tv, vm = timed([ZKI, "verify", base + ".vk", "--input", base + "_x.npy", "--proof", base + ".zkp"])
    return dict(layers=layers, T=T, compile=tc, prove=statistics.median(pw), rss=statistics.median(pm),
                proof=os.path.getsize(base + ".zkp"), verify=tv, verify_rss=vm, torch=tms,
                ratio=1e3 * statistics.median(pw) / tms)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokens", type=int, nargs="*", default=[])
    ap.add_argument("--layers", type=int, nargs="*", default=[])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--out", default="build/gpt2")
    ap.add_argument("--md", help="also write the table here")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    jobs = [(1, T) for T in a.tokens] + [(L, 128) for L in a.layers if (L, 128) not in [(1, T) for T in a.tokens]]
    lines = ["| blocks | tokens | compile s | prove s | prove RSS MB | proof KB | verify s | verify RSS MB | "
             "torch fp32 ms | prove / torch |", "|---|---|---|---|---|---|---|---|---|---|"]
    print("\n".join(lines), flush=True)
    for L, T in jobs:
        try:
            r = one(a.out, L, T, a.runs)
            line = (f"| {L} | {T} | {r['compile']:.1f} | {r['prove']:.2f} | {r['rss']:.0f} | {r['proof'] / 1024:.0f} | "
                    f"{r['verify']:.2f} | {r['verify_rss']:.0f} | {r['torch']:.1f} | {r['ratio']:.0f} |")
        except (RuntimeError, subprocess.CalledProcessError) as e:
            line = f"| {L} | {T} | stopped: {e} |"
        lines.append(line)
        print(line, flush=True)
    if a.md:
        with open(a.md, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
