#!/usr/bin/python3
"""The same workloads as bench_engine, in PyTorch (Debian's python3-torch), on the same digits.

Prints one JSON object: {workload: milliseconds (median of --repeats runs)}. Run by
scripts/bench.sh, which puts the numbers beside initscope's and prints the ratios.
"""
import argparse
import gzip
import json
import math
import os
import statistics
import struct
import time

import torch
import torch.nn.functional as F
from torch import nn

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def mnist(n):
    d = os.path.join(ROOT, "resources", "data", "mnist-10k")
    with gzip.open(os.path.join(d, "images-idx3-ubyte.gz")) as f:
        raw = f.read()
    with gzip.open(os.path.join(d, "labels-idx1-ubyte.gz")) as f:
        labels = f.read()[8:]
    count, rows, cols = struct.unpack(">III", raw[4:16])
    x = torch.frombuffer(bytearray(raw[16:]), dtype=torch.uint8).float().div_(255).view(count, 1, rows, cols)
    mean, std = x.mean(), x.std()
    y = torch.tensor(list(labels), dtype=torch.float32)
    return ((x - mean) / std)[:n].contiguous(), y[:n].contiguous()


def four_conv():
    return nn.Sequential(nn.Conv2d(1, 8, 5, stride=2, padding=2), nn.ReLU(),
                         nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU(),
                         nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
                         nn.Conv2d(32, 1, 3, stride=2, padding=1), nn.AdaptiveAvgPool2d(1), nn.Flatten())


def timed(fn, repeats, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


def step(m, x, y):
    m.zero_grad(set_to_none=True)
    loss = F.mse_loss(m(x).squeeze(-1), y)
    loss.backward()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only", default="", help="comma-separated workload names")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    only = set(filter(None, args.only.split(",")))
    out = {}

    for batch in (100, 1000, 10000):
        name = f"four_conv_b{batch}"
        if only and name not in only:
            continue
        x, y = mnist(batch)
        m = four_conv()
        out[name] = timed(lambda: step(m, x, y), args.repeats if batch < 10000 else max(5, args.repeats // 4))

    if not only or "sweep_a50" in only:
        x, y = mnist(100)
        m = four_conv()
        convs = [l for l in m if isinstance(l, nn.Conv2d)]

        def sweep():
            for a in torch.linspace(0, 3, 50).tolist():
                for l in convs:
                    nn.init.kaiming_uniform_(l.weight, a=a)
                    l.bias.data.zero_()
                step(m, x, y)
        out["sweep_a50"] = timed(sweep, max(5, args.repeats // 2))

    if not only or "mlp20x512_b1000" in only:
        layers = []
        for _ in range(20):
            layers += [nn.Linear(512, 512), nn.ReLU()]
        m = nn.Sequential(*layers)
        x = torch.randn(1000, 512)

        def mlp():
            m.zero_grad(set_to_none=True)
            m(x).sum().backward()
        out["mlp20x512_b1000"] = timed(mlp, max(5, args.repeats // 4), warmup=1)

    out["torch"] = torch.__version__
    out["blas"] = os.environ.get("LD_LIBRARY_PATH", "system libblas.so.3")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
