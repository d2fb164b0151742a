"""Torch fp32 inference time for the benchmarks' ratios (bench/zoo.py,
bench/gpt2.py): the median of `runs` calls after `warm` warm-ups, 2 threads,
no autograd. The caller removes OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE
from the environment before torch loads (OpenBLAS then picks its kernels)."""
import statistics
import time

import torch


def median_ms(model, x, warm=3, runs=20):
    torch.set_num_threads(2)
    with torch.no_grad():
        for _ in range(warm):
            model(x)
        ts = []
        for _ in range(runs):
            t0 = time.perf_counter()
            model(x)
            ts.append(time.perf_counter() - t0)
    return statistics.median(ts) * 1e3
