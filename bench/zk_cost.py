#!/usr/bin/python3
"""What zero knowledge costs (issue 15; bench/results/zk.md).

For each model, RUNS rounds of two bench_cnn processes in turn, a plain
proof (ZKI_BENCH_ZK=0: the protocol before zero knowledge, kept behind a
benchmark seam) and a zero-knowledge proof (the product's), on the same
random input, so a drift in the machine's speed hits both alike. Per side:
the median prove, verify and integer-inference seconds, the proof's bytes,
the process's peak RSS; then zk / plain for each, and prove / inference.

  /usr/bin/python3 bench/zk_cost.py [--runs 3] [--threads 2] MODEL...

MODEL: vgg16, lenet, or a .zkm file (e.g. ResNet-18 from
tools/export_models.py, GPT-2's 12 blocks from tools/export_gpt2.py
--embeds), as bench_cnn takes it.
"""
import argparse
import csv
import io
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(HERE, "..", "build", "bench_cnn")


def one(model, zk, threads):
    env = dict(os.environ, ZKI_BENCH_ZK="1" if zk else "0", OMP_NUM_THREADS=str(threads))
    r = subprocess.run([BENCH, model], capture_output=True, text=True, env=env)
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    if r.returncode or not rows or rows[-1]["ok"] != "1":
        raise RuntimeError(f"bench_cnn {model} (zk {zk}): {r.stderr.strip()[-400:]}")
    return rows[-1]


def med(rows, key):
    return statistics.median(float(x[key]) for x in rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("models", nargs="+")
    a = ap.parse_args()
    print("| model | side | prove s | verify s | proof bytes | peak MiB | infer s | prove / infer |")
    print("|---|---|---|---|---|---|---|---|")
    ratios = []
    for m in a.models:
        side = {0: [], 1: []}
        for _ in range(a.runs):
            for zk in (0, 1):
                side[zk].append(one(m, zk, a.threads))
                print(f"  {m} zk={zk}: prove {side[zk][-1]['prove_s']} s", file=sys.stderr, flush=True)
        name = side[0][0]["model"]
        for zk in (0, 1):
            r = side[zk]
            p, inf = med(r, "prove_s"), med(r, "infer_s")
            print(f"| {name} | {'zk' if zk else 'plain'} | {p:.3f} (min {min(float(x['prove_s']) for x in r):.3f},"
                  f" max {max(float(x['prove_s']) for x in r):.3f}) | {med(r, 'verify_s'):.4f} |"
                  f" {int(med(r, 'proof_bytes'))} | {med(r, 'peak_rss_mb'):.0f} | {inf:.4f} | {p / inf:.0f} |")
        ratios.append((name, *(med(side[1], k) / med(side[0], k)
                               for k in ("prove_s", "proof_bytes", "verify_s", "peak_rss_mb"))))
    print()
    print("| model | prove zk/plain | proof zk/plain | verify zk/plain | peak zk/plain |")
    print("|---|---|---|---|---|")
    for name, p, b, v, rss in ratios:
        print(f"| {name} | {p:.3f} | {b:.3f} | {v:.2f} | {rss:.3f} |")


if __name__ == "__main__":
    main()
