#!/usr/bin/python3
"""
PyTorch's time for the benchmark's training step, for comparison with `npm run bench`:
the tiny model (src/core/models/tiny.ts), batch 8, 128x128, Adam, baseline and DML.

    /usr/bin/python3 bench/torch_step.py   (Debian: apt-get install python3-torch)

tiny: four conv3x3 stride-2 stages (16-32-64-128, no bias) -> BatchNorm -> ReLU, global
average pooling, Dense(256) -> BatchNorm -> Dense(1). DML: two such nets, the second sees
the horizontally flipped batch; each net's loss is MSE(pred, mos) + MSE(pred, detached peer
pred), summed, one backward, each net's own Adam steps. The step ends with reading the
losses back (.item()), as the tfjs step does. Timed on the CPU, with 1 thread (like the
browser's wasm backend without cross-origin isolation) and with every core.
"""
import json
import os
import statistics
import time

import torch
from torch import nn

BATCH, SIZE, WARMUP, TIMED = 8, 128, 2, 5


def tiny() -> nn.Module:
    layers, c_in = [], 3
    for c_out in (16, 32, 64, 128):
        layers += [nn.Conv2d(c_in, c_out, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]
        c_in = c_out
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 256), nn.BatchNorm1d(256), nn.Linear(256, 1))


def make_step(mode: str):
    nets = [tiny() for _ in range(1 if mode == "baseline" else 2)]
    opts = [torch.optim.Adam(n.parameters(), lr=1e-3, eps=1e-8) for n in nets]
    x = torch.randn(BATCH, 3, SIZE, SIZE)
    y = torch.rand(BATCH) * 4 + 1
    mse = nn.functional.mse_loss

    def step() -> list:
        preds = [n(x.flip(3) if k % 2 else x).reshape(-1) for k, n in enumerate(nets)]
        losses = []
        for k, p in enumerate(preds):
            loss = mse(p, y)
            others = [q.detach() for j, q in enumerate(preds) if j != k]
            if others:
                loss = loss + sum(mse(p, q) for q in others) / len(others)
            losses.append(loss)
        for o in opts:
            o.zero_grad(set_to_none=True)
        sum(losses).backward()
        for o in opts:
            o.step()
        return [l.item() for l in losses]

    return step


def time_step(mode: str, threads: int) -> float:
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    step = make_step(mode)
    for _ in range(WARMUP):
        step()
    times = []
    for _ in range(TIMED):
        t = time.perf_counter()
        step()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    cores = os.cpu_count() or 1
    rows = []
    for threads in sorted({1, cores}):
        for mode in ("baseline", "dml"):
            ms = time_step(mode, threads)
            rows.append({
                "env": "pytorch", "backend": f"cpu, {threads} thread{'s' if threads > 1 else ''}", "mode": mode,
                "model": "tiny", "batch": BATCH, "input": f"{SIZE}x{SIZE}",
                "imagesPerSec": round(BATCH * 1000 / ms, 1), "msPerStep": round(ms, 1),
            })
    print(f"PyTorch {torch.__version__}, median of {TIMED} steps after {WARMUP} warm-ups")
    print(f"{'backend':<14} {'mode':<9} {'images/s':>9} {'ms/step':>8}")
    for r in rows:
        print(f"{r['backend']:<14} {r['mode']:<9} {r['imagesPerSec']:>9.1f} {r['msPerStep']:>8.1f}")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
