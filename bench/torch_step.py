#!/usr/bin/python3
"""
PyTorch's time for the benchmark's training steps, for comparison with `npm run bench`
(which runs this script itself). Batch 8, Adam, baseline and DML, on the CPU with 1 and 2
threads (torch.set_num_threads).

    /usr/bin/python3 bench/torch_step.py [--json] [--only tiny,mobilenetv2-all,mobilenetv2-head]
    (Debian: apt-get install python3-torch python3-torchvision)

tiny (src/core/models/tiny.ts), 128x128: four conv3x3 stride-2 stages (16-32-64-128, no bias)
-> BatchNorm -> ReLU, global average pooling, Dense(256) -> BatchNorm -> Dense(1).
mobilenetv2, 224x224: torchvision's MobileNetV2 body (random init: the weights do not change
the time), global average pooling, the paper's head Dense(512) -> Dense(256) -> BatchNorm ->
Dense(1). 'all' fine-tunes everything; 'head' trains the head alone on precomputed pooled
features (1280 per image and per mirror), as the studio does with a frozen body's cache.
DML: two nets, the second sees the horizontally flipped batch (the mirror's features);
each net's loss is MSE(pred, mos) + MSE(pred, detached peer pred), summed, one backward,
each net's own Adam steps. A step ends with reading the losses back (.item()), as the tfjs
step does.
"""
import argparse
import json
import statistics
import time

import torch
from torch import nn

BATCH = 8
THREADS = (1, 2)
# name: (input size, warm-up steps, timed steps). MobileNetV2 steps take seconds on a CPU.
CASES = {
    "tiny": (128, 2, 5),
    "mobilenetv2-all": (224, 1, 3),
    "mobilenetv2-head": (224, 3, 30),
}
FEATURES = 1280


def tiny() -> nn.Module:
    layers, c_in = [], 3
    for c_out in (16, 32, 64, 128):
        layers += [nn.Conv2d(c_in, c_out, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU()]
        c_in = c_out
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 256), nn.BatchNorm1d(256), nn.Linear(256, 1))


def paper_head() -> nn.Module:
    return nn.Sequential(nn.Linear(FEATURES, 512), nn.Linear(512, 256), nn.BatchNorm1d(256), nn.Linear(256, 1))


def mobilenetv2() -> nn.Module:
    import torchvision

    body = torchvision.models.mobilenet_v2().features
    return nn.Sequential(body, nn.AdaptiveAvgPool2d(1), nn.Flatten(), paper_head())


def make_step(case: str, mode: str):
    size = CASES[case][0]
    build = {"tiny": tiny, "mobilenetv2-all": mobilenetv2, "mobilenetv2-head": paper_head}[case]
    nets = [build().train() for _ in range(1 if mode == "baseline" else 2)]
    opts = [torch.optim.Adam(n.parameters(), lr=1e-3, eps=1e-8) for n in nets]
    if case == "mobilenetv2-head":
        plain, mirrored = torch.randn(BATCH, FEATURES), torch.randn(BATCH, FEATURES)
        view = lambda k: mirrored if k % 2 else plain
    else:
        x = torch.randn(BATCH, 3, size, size)
        view = lambda k: x.flip(3) if k % 2 else x
    y = torch.rand(BATCH) * 4 + 1
    mse = nn.functional.mse_loss

    def step() -> list:
        preds = [n(view(k)).reshape(-1) for k, n in enumerate(nets)]
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


def time_step(case: str, mode: str, threads: int) -> float:
    _, warmup, timed = CASES[case]
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    step = make_step(case, mode)
    for _ in range(warmup):
        step()
    times = []
    for _ in range(timed):
        t = time.perf_counter()
        step()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true", help="print only the rows, as one JSON array")
    ap.add_argument("--only", default=",".join(CASES), help="comma-separated cases: " + ", ".join(CASES))
    args = ap.parse_args()
    cases = [c for c in args.only.split(",") if c]
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        ap.error(f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(CASES)}")
    rows = []
    for case in cases:
        model, _, train_from = case.partition("-")
        size, warmup, timed = CASES[case]
        for threads in THREADS:
            for mode in ("baseline", "dml"):
                ms = time_step(case, mode, threads)
                rows.append({
                    "env": "pytorch", "backend": f"cpu {threads}t", "threads": threads, "mode": mode,
                    "model": model, **({"trainFrom": train_from} if train_from else {}),
                    "batch": BATCH, "input": f"{size}x{size}",
                    "imagesPerSec": round(BATCH * 1000 / ms, 1), "msPerStep": round(ms, 2),
                    "timedSteps": timed, "torch": torch.__version__,
                })
    if args.json:
        print(json.dumps(rows))
        return
    print(f"PyTorch {torch.__version__}, median of the timed steps after the warm-ups, batch {BATCH}")
    print(f"{'model':<12} {'train':<5} {'input':<8} {'threads':>7} {'mode':<9} {'images/s':>9} {'ms/step':>9} {'steps':>5}")
    for r in rows:
        print(f"{r['model']:<12} {r.get('trainFrom', '-'):<5} {r['input']:<8} {r['threads']:>7} {r['mode']:<9} "
              f"{r['imagesPerSec']:>9.1f} {r['msPerStep']:>9.2f} {r['timedSteps']:>5}")


if __name__ == "__main__":
    main()
