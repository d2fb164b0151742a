#!/usr/bin/env python3
"""Plots bench_paper0 results against the published systems of 'The Cost of
Intelligence' (Modulus Labs, 2023): prove time and peak memory against
parameter count (params suites) and against depth (depth suites).

usage: tools/plot_paper0.py [RESULTS.csv] [ANCHORS.csv] [OUT_DIR]
defaults: bench/results/paper0.csv bench/paper0/anchors.csv bench/results
Needs matplotlib (Debian: python3-matplotlib); exits 0 with a note if absent.
Anchor values marked '~' (read off partly hidden markers) are drawn hollow.
"""
import csv
import os
import sys


def load_ours(path):
    rows = []
    with open(path) as f:
        for r in csv.DictReader(f):
            if r.get("ok") != "1":
                continue
            rows.append({
                "name": r["name"], "suite": r["suite"], "params": int(r["params"]),
                "layers": int(r["layers"]), "time": float(r["prove_s"]),
                # ru_maxrss is KiB; the paper's GB are 1e9 bytes
                "mem": float(r["peak_rss_mb"]) * 1024 * 1024 / 1e9,
            })
    return rows


def load_anchors(path):
    systems, pts = [], []
    with open(path) as f:
        lines = [l for l in f if not l.startswith("#")]
    rd = csv.reader(lines)
    head = next(rd)
    systems = head[4:]
    for r in rd:
        if len(r) < 5:
            continue
        suite, config, params, metric = r[0], r[1], int(r[2]), r[3]
        for s, v in zip(systems, r[4:]):
            v = v.strip()
            if not v:
                continue
            approx = v.startswith("~")
            pts.append({"suite": suite, "config": config, "params": params, "metric": metric,
                        "system": s, "value": float(v.lstrip("~")), "approx": approx})
    return systems, pts


def depth_of(config, ours):
    for r in ours:
        if r["name"] == config:
            return r["layers"]
    parts = config.split("_")
    return int(parts[1]) if len(parts) > 2 and parts[2] == "layers" else None


def main():
    res = sys.argv[1] if len(sys.argv) > 1 else "bench/results/paper0.csv"
    anc = sys.argv[2] if len(sys.argv) > 2 else "bench/paper0/anchors.csv"
    out = sys.argv[3] if len(sys.argv) > 3 else "bench/results"
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("plot_paper0: matplotlib not installed (Debian: python3-matplotlib); no plots")
        return 0
    ours = load_ours(res)
    systems, anchors = load_anchors(anc)
    markers = "osD^vP*X"
    for axis in ("params", "depth"):
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
        for ax, metric, key, label in ((axes[0], "time_s", "time", "prove time (s)"),
                                       (axes[1], "mem_GB", "mem", "peak memory (GB)")):
            for i, s in enumerate(systems):
                pts = [p for p in anchors if p["suite"] == axis and p["metric"] == metric and p["system"] == s]
                if not pts:
                    continue
                xs = [p["params"] if axis == "params" else depth_of(p["config"], ours) for p in pts]
                for hollow in (False, True):
                    sel = [(x, p["value"]) for x, p in zip(xs, pts) if p["approx"] == hollow and x]
                    if sel:
                        sel.sort()
                        ax.plot([a for a, _ in sel], [b for _, b in sel], marker=markers[i % len(markers)],
                                linestyle="-" if not hollow else "none", alpha=0.7,
                                fillstyle="none" if hollow else "full", color="C%d" % i,
                                label=s if not hollow else None)
            mine = sorted((r["params"] if axis == "params" else r["layers"], r[key]) for r in ours
                          if r["suite"].startswith(axis))
            if mine:
                ax.plot([a for a, _ in mine], [b for _, b in mine], marker="o", color="k", linewidth=2.5,
                        label="zkinfer (this machine)")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("parameters" if axis == "params" else "depth (layers)")
            ax.set_ylabel(label)
            ax.grid(True, which="both", alpha=0.3)
        axes[0].legend(fontsize=8)
        fig.suptitle("The Cost of Intelligence MLP suites (%s): zkinfer vs published systems" % axis)
        fig.tight_layout()
        path = os.path.join(out, "paper0_%s.png" % axis)
        fig.savefig(path, dpi=110)
        print("wrote", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
