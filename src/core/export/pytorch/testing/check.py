#!/usr/bin/python3
"""
Test driver for the PyTorch export: runs pieces of template/train.py on inputs the Vitest
tests wrote from the studio's TypeScript/TF.js code, and writes what PyTorch computes.

    check.py step DIR       one DML training step (weights, batch from DIR) -> DIR/out.json + out.bin
    check.py pipeline DIR   epoch batches, views and seeds (DIR/in.json, store.bin) -> DIR/out.json + x.bin
    check.py metrics DIR    metrics, logistic fit, t quantiles (DIR/in.json) -> DIR/out.json
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "template"))
import train as T  # noqa: E402


def tf_layout(var, t):
    v = t.detach().cpu()
    if var == "kernel":
        v = v.permute(2, 3, 1, 0) if v.dim() == 4 else v.t()
    return v.contiguous().numpy().astype("<f4")


def params_by_name(net):
    """(studio name, parameter or buffer) of every weight, as studio_tensors orders them."""
    out = []
    for m in T.weight_layers(net):
        if isinstance(m, T.BatchNorm):
            out += [(f"{m.tf_name}/gamma", m.weight), (f"{m.tf_name}/beta", m.bias),
                    (f"{m.tf_name}/moving_mean", m.running_mean), (f"{m.tf_name}/moving_variance", m.running_var)]
        else:
            out.append((f"{m.tf_name}/kernel", m.weight))
            if m.bias is not None:
                out.append((f"{m.tf_name}/bias", m.bias))
    return out


def step(d):
    meta = json.loads((d / "batch.json").read_text())
    cfg = json.loads((d / "config.json").read_text())["config"]
    studio = T.read_studio_weights(d / "weights", meta["seed"])
    torch.manual_seed(0)
    cohort = T.make_cohort("dml", cfg, meta["seed"], meta["bias"], studio)
    opts = T.make_optimizers(cohort, cfg["lr"])
    shape = meta["shape"]
    x = torch.from_numpy(np.fromfile(d / "x.bin", "<f4").reshape(shape)).permute(0, 3, 1, 2).contiguous()
    y = torch.from_numpy(np.fromfile(d / "y.bin", "<f4"))
    rows = T.train_step(cohort, opts, x, y, cfg["lambda"], shape[0], 1)
    chunks, tensors, offset = [], [], 0
    for k, (net, opt) in enumerate(zip(cohort.nets, opts)):
        for name, p in params_by_name(net):
            var = name.split("/")[1]
            kinds = [("w", p)]
            if isinstance(p, torch.nn.Parameter):
                kinds += [("m", opt.state[p]["exp_avg"]), ("v", opt.state[p]["exp_avg_sq"])]
            for kind, t in kinds:
                a = tf_layout(var, t).ravel()
                tensors.append({"peer": k, "kind": kind, "name": name, "offset": offset, "length": int(a.size)})
                chunks.append(a)
                offset += a.size
    np.concatenate(chunks).tofile(d / "out.bin")
    (d / "out.json").write_text(json.dumps({"losses": rows.tolist(), "tensors": tensors, "torch": torch.__version__}))


def pipeline(d):
    spec = json.loads((d / "in.json").read_text())
    out, xs = {"cases": []}, []
    for case in spec["cases"]:
        store = np.fromfile(d / case["store"], np.uint8).reshape(case["count"], case["height"], case["width"], 3)
        cfg = case["config"]
        patch = T.PATCH_SIZE.get(cfg["model"])
        train = case["train"]
        res = {"epochs": [], "views": [list(v) for v in T.test_views(cfg["input"], patch)]}
        for epoch in case["epochs"]:
            batches = []
            for positions, views, flips in T.epoch_plan(len(train), cfg, cfg["seed"], epoch):
                idxs = [train[p] for p in positions]
                xs.append(T.make_batch(store, idxs, views, flips).permute(0, 2, 3, 1).contiguous().numpy().ravel())
                batches.append(idxs)
            res["epochs"].append(batches)
        out["cases"].append(res)
    out["seeds"] = [T.derive_seed(s, label) for s, label in spec["seeds"]]
    out["rng"] = [[r.next() for _ in range(5)] for r in (T.Rng(s) for s, _ in spec["seeds"])]
    np.concatenate(xs).astype("<f4").tofile(d / "x.bin")
    (d / "out.json").write_text(json.dumps(out))


def metrics(d):
    spec = json.loads((d / "in.json").read_text())
    out = {
        "cases": [T.json_safe(T.evaluate_iqa(c["pred"], c["mos"])) for c in spec["cases"]],
        "t975": [T.t_quantile_975(df) for df in spec["df"]],
        "paired": T.json_safe(T.paired(spec["diffs"])),
    }
    (d / "out.json").write_text(json.dumps(out))


if __name__ == "__main__":
    {"step": step, "pipeline": pipeline, "metrics": metrics}[sys.argv[1]](Path(sys.argv[2]))
