#!/usr/bin/env python3
"""Proof latency through `zkinfer serve` against the prover's own time, and
throughput with 1 and 2 workers (wrk), for a model of tests/data.

usage: serve_bench.py build/zkinfer tests/data [onnx name, default fmnist_cnn] [seconds, default 20]
       [--onnx M.onnx --calib C.npy --sample X.npy] [--zk-proofs N] [--runs R]
Prints a Markdown summary (bench/results/service.md holds one)."""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("zkinfer")
ap.add_argument("data")
ap.add_argument("model", nargs="?", default="fmnist_cnn")
ap.add_argument("seconds", nargs="?", type=int, default=20)
ap.add_argument("--onnx")
ap.add_argument("--calib")
ap.add_argument("--sample")
ap.add_argument("--zk-proofs", type=int, default=256)
ap.add_argument("--runs", type=int, default=5, help="CLI proofs; the service makes twice as many one at a time")
A = ap.parse_args()
ZK, DATA, MODEL, SECONDS = A.zkinfer, A.data, A.model, A.seconds
ONNX = A.onnx or os.path.join(DATA, MODEL + ".onnx")
CALIB = A.calib or os.path.join(DATA, "fmnist_calib.npy")
SAMPLE = A.sample or os.path.join(DATA, "fmnist_sample.npy")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def compile_model(tmp, name, n):
    out = os.path.join(tmp, name + ".zkm")
    subprocess.run([ZK, "compile", ONNX, "--calib", CALIB, "-o", out, "--zk-proofs", str(n)], check=True,
                   capture_output=True)
    return out


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0


def serve(zkm, workers):
    port = free_port()
    p = subprocess.Popen([ZK, "serve", "--model", "m=" + zkm, "--port", str(port), "--workers", str(workers),
                          "--queue", "8", "--timeout", "600"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=5).read()
            return p, port
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def post(port, body):
    t = time.perf_counter()
    r = urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:%d/v1/models/m/prove" % port, data=body,
                                                      headers={"Content-Type": "application/octet-stream"}), timeout=300)
    j = json.loads(r.read())
    return (time.perf_counter() - t) * 1e3, j["prove_ms"]


def wrk(port, tmp, conns):
    lua = os.path.join(tmp, "post.lua")
    with open(lua, "w") as f:
        f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/octet-stream"\n'
                'local f = io.open("%s", "rb")\nwrk.body = f:read("*a")\nf:close()\n' % SAMPLE)
    out = subprocess.run(["wrk", "-t1", "-c%d" % conns, "-d%ds" % SECONDS, "--timeout", "120s", "--latency", "-s", lua,
                          "http://127.0.0.1:%d/v1/models/m/prove" % port], capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = re.search(r"Latency\s+([\d.]+\w+)", out).group(1)
    p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
    errors = "Non-2xx" in out or "Socket errors" in out
    return rps, lat, p50, errors, out


def main():
    tmp = tempfile.mkdtemp(prefix="zki_sbench_")
    body = open(SAMPLE, "rb").read()
    print("load average before: %s" % open("/proc/loadavg").read().strip())
    zkm = compile_model(tmp, "cli", A.zk_proofs)
    cli = []
    for _ in range(A.runs):
        o = subprocess.run([ZK, "prove", zkm, "--input", SAMPLE, "-o", os.path.join(tmp, "p.zkp"), "--quiet"],
                           capture_output=True, text=True).stdout
        cli.append(float(re.search(r"; prove ([\d.]+) s", o).group(1)) * 1e3)
        os.remove(os.path.join(tmp, "p.zkp"))
    print("| what | median ms | min ms | max ms |\n|---|---|---|---|")
    print("| `zkinfer prove` (prove step, %d runs) | %.0f | %.0f | %.0f |" % (A.runs, statistics.median(cli), min(cli),
                                                                          max(cli)))
    results = {}
    for workers in (1, 2):
        zkm = compile_model(tmp, "w%d" % workers, A.zk_proofs)
        p, port = serve(zkm, workers)
        rss0 = rss_mb(p.pid)
        if workers == 1:
            lat, own = [], []
            for _ in range(2 * A.runs):
                a, b = post(port, body)
                lat.append(a)
                own.append(b)
            print("| service, one request at a time: request latency (%d) | %.0f | %.0f | %.0f |" %
                  (len(lat), statistics.median(lat), min(lat), max(lat)))
            print("| service: the prover's own time inside those requests | %.0f | %.0f | %.0f |" %
                  (statistics.median(own), min(own), max(own)))
            print("| service overhead (latency - prover time), median | %.0f | | |" %
                  statistics.median([a - b for a, b in zip(lat, own)]))
        for conns in sorted({1, workers, 2}):
            rps, mean, p50, errors, out = wrk(port, tmp, conns)
            results[(workers, conns)] = (rps, mean, p50, errors)
        rss1 = rss_mb(p.pid)
        p.send_signal(signal.SIGTERM)
        p.wait(120)
        results[(workers, "rss")] = (rss0, rss1)
    print("\n| workers | wrk connections | proofs/s | mean latency | p50 | errors | server RSS start -> end (MB) |")
    print("|---|---|---|---|---|---|---|")
    for (w, c), v in sorted(((k, v) for k, v in results.items() if k[1] != "rss"), key=lambda kv: kv[0]):
        r0, r1 = results[(w, "rss")]
        print("| %d | %d | %.2f | %s | %s | %s | %.0f -> %.0f |" % (w, c, v[0], v[1], v[2], "yes" if v[3] else "none",
                                                               r0, r1))
    print("\nload average after: %s" % open("/proc/loadavg").read().strip())
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
