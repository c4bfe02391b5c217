#!/usr/bin/python3
"""
Test driver for the PyTorch export: runs pieces of template/train.py on inputs the Vitest
tests wrote from the studio's TypeScript/TF.js code, and writes what PyTorch computes.

    check.py step DIR       one DML training step (weights, batch from DIR) -> DIR/out.json + out.bin
    check.py pipeline DIR   epoch batches, views and seeds (DIR/in.json, store.bin) -> DIR/out.json + x.bin
    check.py metrics DIR    metrics, logistic fit, t quantiles (DIR/in.json) -> DIR/out.json
    check.py backbone DIR   train.py's MobileNetV2 against the Keras model.json, and the exported
                            backbone weights against the uint8 weights dequantised here (DIR/in.json) -> DIR/out.json
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "template"))
import train as T  # noqa: E402


def tf_layout(var, t):
    return T.to_tf_layout(var, t.detach().cpu()).contiguous().numpy().astype("<f4")


def params_by_name(net):
    """(studio name, parameter or buffer) of every weight, as studio_tensors orders them."""
    return [(f"{m.tf_name}/{var}", t) for m in T.weight_layers(net) for var, t in T.tf_vars(m)]


def step(d):
    """One step in float32 (what train.py computes) -> out.bin; and the same step in float64, the
    reference for how far float32 rounding alone moves the gradients -> out64.bin (first moments only)."""
    meta = json.loads((d / "batch.json").read_text())
    cfg = json.loads((d / "config.json").read_text())["config"]
    studio = T.read_studio_weights(d / "weights", meta["seed"])
    backbone = T.read_backbone(d / "backbone", cfg["model"]) if cfg["model"] in T.PRETRAINED else None
    shape = meta["shape"]
    x = torch.from_numpy(np.fromfile(d / "x.bin", "<f4").reshape(shape)).permute(0, 3, 1, 2).contiguous()
    y = torch.from_numpy(np.fromfile(d / "y.bin", "<f4"))
    out = {"torch": torch.__version__}
    # One thread: PyTorch's multithreaded CPU reductions sum in a varying order, so the float32
    # step would differ from run to run.
    torch.set_num_threads(1)
    for dtype, kinds_wanted, path, key in ((torch.float32, "wmv", "out.bin", "losses"), (torch.float64, "m", "out64.bin", "losses64")):
        torch.manual_seed(0)
        cohort = T.make_cohort("dml", cfg, meta["seed"], meta["bias"], studio, backbone).to(dtype)
        opts = T.make_optimizers(cohort, cfg["lr"])
        rows = T.train_step(cohort, opts, x.to(dtype), y.to(dtype), cfg["lambda"], shape[0], 1)
        chunks, tensors, offset = [], [], 0
        for k, (net, opt) in enumerate(zip(cohort.nets, opts)):
            for name, p in params_by_name(net):
                var = name.split("/")[1]
                kinds = [("w", p)]
                if isinstance(p, torch.nn.Parameter) and p.requires_grad:
                    kinds += [("m", opt.state[p]["exp_avg"]), ("v", opt.state[p]["exp_avg_sq"])]
                for kind, t in kinds:
                    if kind not in kinds_wanted:
                        continue
                    a = tf_layout(var, t).ravel() if dtype == torch.float32 else T.to_tf_layout(var, t.detach()).contiguous().numpy().ravel()
                    tensors.append({"peer": k, "kind": kind, "name": name, "offset": offset, "length": int(a.size)})
                    chunks.append(a)
                    offset += a.size
        np.concatenate(chunks).astype("<f4" if dtype == torch.float32 else "<f8").tofile(d / path)
        out[key] = rows.tolist()
        out["tensors" if dtype == torch.float32 else "tensors64"] = tensors
    (d / "out.json").write_text(json.dumps(out))


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
                xs.append(T.make_batch(store, idxs, views, flips, T.pixel_table(cfg)).permute(0, 2, 3, 1).contiguous().numpy().ravel())
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


def keras_mismatches(layers, keras):
    """How train.py's MobileNetV2 layers differ from the Keras model's (its layers up to the last one train.py has)."""
    out = []
    kind_class = {"pad": "ZeroPadding2D", "conv": "Conv2D", "dwconv": "DepthwiseConv2D", "bn": "BatchNormalization", "relu6": "ReLU", "add": "Add"}
    k_layers = [l for l in keras if l["class_name"] != "InputLayer"][:len(layers)]
    if [l["name"] for l in k_layers] != [l[0] for l in layers]:
        return [f"layer order: Keras {[l['name'] for l in k_layers]} vs train.py {[l[0] for l in layers]}"]
    for (name, kind, args, inputs, c), k in zip(layers, k_layers):
        cfg, say = k["config"], lambda what: out.append(f"{name}: {what}")
        if k["class_name"] != kind_class[kind]:
            say(f"class {k['class_name']} vs {kind}")
        if [n[0] for n in k["inbound_nodes"][0]] != inputs:
            say(f"inputs {[n[0] for n in k['inbound_nodes'][0]]} vs {inputs}")
        if kind == "pad" and cfg["padding"] != [[0, 1], [0, 1]]:
            say(f"padding {cfg['padding']}")
        if kind in ("conv", "dwconv"):
            want = {"kernel_size": [args.get("kernel", 3)] * 2, "strides": [args["stride"]] * 2, "padding": "same" if args["same"] else "valid",
                    "use_bias": False, "dilation_rate": [1, 1], "activation": "linear", "data_format": "channels_last"}
            if kind == "conv":
                want["filters"] = c
            else:
                want["depth_multiplier"] = 1
            for key, v in want.items():
                if cfg.get(key) != v:
                    say(f"{key} {cfg.get(key)} vs {v}")
        if kind == "bn":
            for key, v in {"momentum": T.KERAS_BN_MOMENTUM, "epsilon": T.KERAS_BN_EPSILON, "axis": -1, "center": True, "scale": True}.items():
                if cfg.get(key) != v:
                    say(f"{key} {cfg.get(key)} vs {v}")
        if kind == "relu6":
            for key, v in {"max_value": 6, "negative_slope": 0, "threshold": 0}.items():
                if cfg.get(key) != v:
                    say(f"{key} {cfg.get(key)} vs {v}")
    return out


def backbone(d):
    spec = json.loads((d / "in.json").read_text())
    model = json.loads(Path(spec["modelJson"]).read_text())
    layers = T.mobilenetv2_layers()
    topology = keras_mismatches(layers, model["modelTopology"]["model_config"]["config"]["layers"])
    # Dequantised here as TF.js does it: value = q * scale + min in float64, rounded to float32.
    reference = {}
    for group in model["weightsManifest"]:
        raw = b"".join((Path(spec["modelJson"]).parent / p).read_bytes() for p in group["paths"])
        at = 0
        for w in group["weights"]:
            q = w["quantization"]
            n = int(np.prod(w["shape"], dtype=np.int64))
            assert q["dtype"] == "uint8", q
            codes = np.frombuffer(raw, np.uint8, n, at).astype(np.float64)
            reference[w["name"]] = (codes * q["scale"] + q["min"]).astype(np.float32).reshape(w["shape"])
            at += n
    exported = T.read_backbone(d, "mobilenetv2")
    differing = [n for n, v in exported.items() if n not in reference or not np.array_equal(v, reference[n])]
    # The backbone file holds exactly the weights of the body train.py builds at the default cut (else this raises).
    net = T.PretrainedMobileNetV2([T.MOBILENETV2_CUT], "all")
    T.load_studio_tensors([m for m in T.weight_layers(net) if getattr(m, "role", None) == "pretrained"], exported)
    # The body's feature maps in inference mode, NHWC, at the layers asked for.
    x = torch.from_numpy(np.fromfile(d / "x.bin", "<f4").reshape(spec["shape"])).permute(0, 3, 1, 2).contiguous()
    net.eval()
    out = {"input_1": x}
    with torch.no_grad():
        for name, layer in net.body.items():
            out[name] = layer(*[out[i] for i in net.inputs[name]])
    np.concatenate([out[n].permute(0, 2, 3, 1).contiguous().numpy().ravel() for n in spec["layers"]]).astype("<f4").tofile(d / "features.bin")
    (d / "out.json").write_text(json.dumps({"topology": topology, "differing": differing, "exported": len(exported), "reference": len(reference)}))


if __name__ == "__main__":
    {"step": step, "pipeline": pipeline, "metrics": metrics, "backbone": backbone}[sys.argv[1]](Path(sys.argv[2]))
