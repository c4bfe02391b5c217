#!/usr/bin/env python3
"""
DML-IQA: deep mutual learning for no-reference image quality assessment, the experiment
exported from DML-IQA Studio. This one file is all of it: data, models, method, metrics.

    python train.py --images DIR                         # one process: the CPU or one GPU
    torchrun --nproc_per_node=N train.py --images DIR    # N processes (DistributedDataParallel)

It reads config.json, split.json and scores.csv (and weights/, the studio's initial weights,
when present) from the folder it lives in, and writes results.json in the studio's format.

The method (Yue et al., ICIP 2022; Zhang et al., CVPR 2018): K peer networks of one
architecture learn together. Peer k sees the batch x, mirrored left-right for odd k, in
training and at test; its regression head starts from Kaiming-normal (even k) or
Xavier-normal (odd k) weights; its loss is
    L_k = MSE(p_k, y) + lambda * mean_{j != k} MSE(p_k, sg(p_j))
with sg a stop-gradient, and it has its own Adam. The DML prediction is the mean of the
peers, each on its own orientation. The baseline is peer 0 alone; the control cohort is the
DML cohort with lambda = 0 (same seeds, flips and initialisations): an independent ensemble.

Everything random except the split (which is given) follows the studio's seeded streams, so
a run here draws the same batches, crops and flips as the same run in the studio, and with
the studio's initial weights it starts from the same networks.
"""
import argparse
import csv
import json
import math
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from torch.nn.parallel import DistributedDataParallel as DDP

HERE = Path(__file__).resolve().parent
RESULTS_FORMAT = "dml-iqa-pytorch-results/1"
MODELS = ("tiny", "cnniqa", "resnet18", "mobilenetv2")

# -----------------------------------------------------------------------------
# The studio's seeded random numbers (mulberry32 and its seed derivation), bit for bit.

M32 = 0xFFFFFFFF


def derive_seed(seed, label):
    """An independent stream's seed from a seed and a label, e.g. derive_seed(1, "epoch-0")."""
    h = ((seed & M32) ^ 0x9E3779B9) & M32
    for unit in memoryview(label.encode("utf-16-le")).cast("H"):
        h = ((h ^ unit) * 0x01000193) & M32
    return h


class Rng:
    """mulberry32: next() is uniform in [0, 1)."""

    def __init__(self, seed):
        self.a = seed & M32

    def next(self):
        self.a = (self.a + 0x6D2B79F5) & M32
        t = self.a
        t = ((t ^ (t >> 15)) * (t | 1)) & M32
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & M32)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296

    def int(self, n):
        return math.floor(self.next() * n)


def shuffle_in_place(items, rng):
    """Fisher-Yates, drawing exactly as the studio does."""
    for i in range(len(items) - 1, 0, -1):
        j = rng.int(i + 1)
        items[i], items[j] = items[j], items[i]
    return items


# -----------------------------------------------------------------------------
# Network input. Every image is stored once at width x height (uint8). "resize" feeds it
# whole; "crop" trains on a random size x size crop and averages 5 crops (4 corners and the
# centre) at test; cnniqa trains on a random 32 x 32 patch and averages a centred grid of
# non-overlapping patches at test. A view is (x, y, w, h).

PATCH_SIZE = {"cnniqa": 32}
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406])
IMAGENET_STD = np.array([0.229, 0.224, 0.225])
# NORMALISED[c, u] = (u / 255 - mean_c) / std_c, computed in float64 and rounded to float32:
# the from-scratch nets' pixels. UNIT_SCALED[c, u] = u / 255: the pretrained MobileNetV2's,
# which was trained on [0, 1] pixels without mean/std normalisation.
NORMALISED = ((np.arange(256)[None, :] / 255 - IMAGENET_MEAN[:, None]) / IMAGENET_STD[:, None]).astype(np.float32)
UNIT_SCALED = np.tile(np.arange(256) / 255, (3, 1)).astype(np.float32)


def pixel_table(cfg):
    return UNIT_SCALED if cfg["model"] == "mobilenetv2" else NORMALISED


def net_input_size(mode, patch):
    if patch:
        return patch, patch
    return (mode["height"], mode["width"]) if mode["kind"] == "resize" else (mode["size"], mode["size"])


def test_views(mode, patch):
    W, H = mode["width"], mode["height"]
    if patch:
        rows, cols = max(1, H // patch), max(1, W // patch)
        y0, x0 = (H - rows * patch) // 2, (W - cols * patch) // 2
        return [(x0 + c * patch, y0 + r * patch, patch, patch) for r in range(rows) for c in range(cols)]
    if mode["kind"] == "resize":
        return [(0, 0, W, H)]
    s = mode["size"]
    return [(0, 0, s, s), (W - s, 0, s, s), (0, H - s, s, s), (W - s, H - s, s, s), ((W - s) // 2, (H - s) // 2, s, s)]


def random_train_view(mode, rng, patch):
    W, H = mode["width"], mode["height"]
    s = patch or (mode["size"] if mode["kind"] == "crop" else 0)
    if not s:
        return (0, 0, W, H)
    x = math.floor(rng.next() * (W - s + 1))
    y = math.floor(rng.next() * (H - s + 1))
    return (x, y, s, s)


def epoch_plan(n_train, cfg, seed, epoch):
    """The epoch's batches as the studio draws them: a seeded shuffle of the training list
    (in split.json's order), then per batch a view per image and a flip per image. A last
    batch of one is dropped (BatchNorm needs two). Returns [(positions, views, flips)]."""
    rng = Rng(derive_seed(seed, f"epoch-{epoch}"))
    order = shuffle_in_place(list(range(n_train)), rng)
    B = cfg["batchSize"]
    batches = [order[i:i + B] for i in range(0, n_train, B)]
    if len(batches) > 1 and len(batches[-1]) < 2:
        batches.pop()
    patch = PATCH_SIZE.get(cfg["model"])
    plan = []
    for b in batches:
        views = [random_train_view(cfg["input"], rng, patch) for _ in b]
        flips = [cfg["flipAugment"] and rng.next() < 0.5 for _ in b]
        plan.append((b, views, flips))
    return plan


def make_batch(store, idxs, views, flips, table=NORMALISED):
    """The given views of the given stored images, mirrored where asked, scaled by table (pixel_table), NCHW float32."""
    _, _, w, h = views[0]
    out = np.empty((len(idxs), h, w, 3), np.uint8)
    for b, (i, (vx, vy, vw, vh), flip) in enumerate(zip(idxs, views, flips)):
        crop = store[i, vy:vy + vh, vx:vx + vw]
        out[b] = crop[:, ::-1] if flip else crop
    x = table[np.arange(3), out]
    return torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()


def learning_rate_at(cfg, epoch):
    """Step decay: lr * decayFactor every decayEvery epochs (0 = none)."""
    if not cfg["decayEvery"]:
        return cfg["lr"]
    return cfg["lr"] * cfg["decayFactor"] ** (epoch // cfg["decayEvery"])


# -----------------------------------------------------------------------------
# Image files, matched to the names in split.json as the studio matches a score file to a
# folder: by the longest common relative-path suffix, else by base name, ignoring case.

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")


def path_key(path):
    p = path.strip().replace("\\", "/")
    while "//" in p:
        p = p.replace("//", "/")
    while p.startswith("./"):
        p = p[2:]
    return [s for s in p.lstrip("/").lower().split("/") if s not in ("", ".")]


def common_suffix(a, b):
    k = 0
    while k < len(a) and k < len(b) and a[len(a) - 1 - k] == b[len(b) - 1 - k]:
        k += 1
    return k


def match_images(names, files):
    """names -> file for every name; problems lists the names that match no file, or several equally well."""
    keys = [path_key(f) for f in files]
    by_base = {}
    for i, k in enumerate(keys):
        if k:
            by_base.setdefault(k[-1], []).append(i)
    exact = lambda a, b: common_suffix(a.replace("\\", "/").split("/"), b.replace("\\", "/").split("/"))
    found, problems, claimed = {}, [], {}
    for name in names:
        key = path_key(name)
        cands = by_base.get(key[-1] if key else "", [])
        if len(cands) > 1:
            top = max(common_suffix(key, keys[i]) for i in cands)
            cands = [i for i in cands if common_suffix(key, keys[i]) == top]
        if len(cands) > 1:
            top = max(exact(name, files[i]) for i in cands)
            cands = [i for i in cands if exact(name, files[i]) == top]
        if not cands:
            problems.append(f'"{name}" is not in the folder (names are matched ignoring case and folder prefixes)')
        elif len(cands) > 1:
            problems.append(f'"{name}" matches {len(cands)} files equally well: ' + ", ".join(f'"{files[i]}"' for i in cands[:3]))
        elif cands[0] in claimed:
            problems.append(f'"{name}" and "{claimed[cands[0]]}" both match the file "{files[cands[0]]}"')
        else:
            claimed[cands[0]] = name
            found[name] = files[cands[0]]
    return found, problems


def list_image_files(root):
    out = []
    for folder, _, names in os.walk(root, followlinks=True):
        for n in names:
            if n.lower().endswith(IMAGE_EXTENSIONS):
                out.append(Path(folder, n).relative_to(root).as_posix())
    return sorted(out)


def load_images(root, files, width, height, threads):
    """Decode every image to RGB at width x height (aspect ignored, Lanczos, as the studio stores them)."""
    store = np.empty((len(files), height, width, 3), np.uint8)
    lanczos = getattr(Image, "Resampling", Image).LANCZOS

    def one(i):
        try:
            with Image.open(Path(root, files[i])) as im:
                im = im.convert("RGB")  # drops alpha, as the studio does
                if im.size != (width, height):
                    im = im.resize((width, height), lanczos)
                store[i] = np.asarray(im)
            return None
        except Exception as e:  # noqa: BLE001 - every unreadable file is reported, then we stop
            return f'"{files[i]}" could not be decoded ({e})'

    with ThreadPoolExecutor(max(1, threads)) as pool:
        problems = [p for p in pool.map(one, range(len(files))) if p]
    return store, problems


# -----------------------------------------------------------------------------
# Layers with TF.js semantics. Every layer that holds weights carries tf_name, its name in
# the studio without the network prefix (e.g. "stage1", "stage1_bn", "head_out"), so the
# studio's weights load by name.

BN_EPSILON = 1e-3  # tf.layers.batchNormalization's default (PyTorch's is 1e-5)
BN_MOMENTUM = 0.1  # the studio's Keras momentum 0.9: moving = 0.9 * moving + 0.1 * batch


def tf_same_padding(size, kernel, stride):
    """TF's 'same': output ceil(size / stride); the odd padding pixel goes after (bottom/right).
    For stride 2 on an even input that is (0, 1), not PyTorch's symmetric (1, 1)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class Conv2dSame(nn.Conv2d):
    def forward(self, x):
        top, bottom = tf_same_padding(x.shape[2], self.kernel_size[0], self.stride[0])
        left, right = tf_same_padding(x.shape[3], self.kernel_size[1], self.stride[1])
        return super().forward(F.pad(x, (left, right, top, bottom)))


class MaxPool2dSame(nn.Module):
    """Max pooling with TF's 'same' padding (padded cells never win)."""

    def __init__(self, kernel, stride):
        super().__init__()
        self.kernel, self.stride = kernel, stride

    def forward(self, x):
        top, bottom = tf_same_padding(x.shape[2], self.kernel, self.stride)
        left, right = tf_same_padding(x.shape[3], self.kernel, self.stride)
        return F.max_pool2d(F.pad(x, (left, right, top, bottom), value=float("-inf")), self.kernel, self.stride)


def distributed():
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def global_sum(t):
    """Sum over all processes, with gradients flowing back to every process's input."""
    if not distributed():
        return t
    from torch.distributed.nn.functional import all_reduce

    return all_reduce(t)


class BatchNorm(nn.Module):
    """TF.js's BatchNormalization. Differs from nn.BatchNorm: epsilon 1e-3, and the moving
    variance tracks the biased batch variance (PyTorch tracks the unbiased one). With several
    processes the batch statistics are those of the whole global batch, so N processes
    compute what one does (PyTorch's SyncBatchNorm needs CUDA; this works on gloo too)."""

    def __init__(self, channels, tf_name, momentum=BN_MOMENTUM, epsilon=BN_EPSILON):
        super().__init__()
        self.tf_name, self.momentum, self.epsilon = tf_name, momentum, epsilon
        self.weight = nn.Parameter(torch.ones(channels))  # gamma
        self.bias = nn.Parameter(torch.zeros(channels))  # beta
        self.register_buffer("running_mean", torch.zeros(channels))
        self.register_buffer("running_var", torch.ones(channels))

    def forward(self, x):
        shape = (1, -1) + (1,) * (x.dim() - 2)
        if self.training:
            dims = [0] + list(range(2, x.dim()))
            count = x.new_tensor([x.numel() / x.shape[1]])
            s = global_sum(torch.cat([x.sum(dims), count]))
            mean = s[:-1] / s[-1]
            var = global_sum(((x - mean.view(shape)) ** 2).sum(dims)) / s[-1]
            with torch.no_grad():
                self.running_mean -= (self.running_mean - mean) * self.momentum
                self.running_var -= (self.running_var - var) * self.momentum
        else:
            mean, var = self.running_mean, self.running_var
        return (x - mean.view(shape)) * torch.rsqrt(var.view(shape) + self.epsilon) * self.weight.view(shape) + self.bias.view(shape)


def named(layer, tf_name, role):
    """Tag a weight layer with its studio name and whether it belongs to the body or the head."""
    layer.tf_name, layer.role = tf_name, role
    return layer


class ConvBN(nn.Module):
    """conv (no bias, 'same') -> BatchNorm -> optional ReLU: the unit of every from-scratch body."""

    def __init__(self, c_in, c_out, kernel, stride, name, relu=True):
        super().__init__()
        self.conv = named(Conv2dSame(c_in, c_out, kernel, stride, bias=False), name, "body")
        self.bn = BatchNorm(c_out, f"{name}_bn")
        self.relu = relu

    def forward(self, x):
        x = self.bn(self.conv(x))
        return F.relu(x) if self.relu else x


class PaperHead(nn.Module):
    """The paper's regression head on pooled features: Dense(256) -> BatchNorm -> Dense(1), no
    activations. bn="last": a BatchNorm after the last hidden Dense only (the paper's MobileNetV2
    head, Dense(512) -> Dense(256) -> BatchNorm -> Dense(1)); "each": after every hidden Dense."""

    def __init__(self, features, hidden=(256,), bn="each"):
        super().__init__()
        layers, c = [], features
        for i, units in enumerate(hidden):
            layers.append(named(nn.Linear(c, units), f"head_dense{i + 1}", "head"))
            if bn == "each" or i == len(hidden) - 1:
                layers.append(BatchNorm(units, f"head_bn{i + 1}"))
            c = units
        self.hidden = nn.Sequential(*layers)
        self.out = named(nn.Linear(c, 1), "head_out", "head")

    def forward(self, x):
        return self.out(self.hidden(x)).reshape(-1)


class Tiny(nn.Module):
    """Four conv3x3-BN-ReLU stride-2 stages (16-32-64-128), global average pooling, the paper's head."""

    def __init__(self):
        super().__init__()
        chans = [3, 16, 32, 64, 128]
        self.stages = nn.Sequential(*[ConvBN(chans[i], chans[i + 1], 3, 2, f"stage{i + 1}") for i in range(4)])
        self.head = PaperHead(128)

    def forward(self, x):
        return self.head(self.stages(x).mean((2, 3)))


class Cnniqa(nn.Module):
    """Kang et al., CVPR 2014: 32x32 patch -> conv 7x7x50 -> global max || global min ->
    Dense 800 (ReLU) -> Dense 800 (ReLU) -> 1, no dropout. All three dense layers are the head."""

    def __init__(self):
        super().__init__()
        self.conv7 = named(nn.Conv2d(3, 50, 7), "conv7", "body")
        self.fc1 = named(nn.Linear(100, 800), "fc1", "head")
        self.fc2 = named(nn.Linear(800, 800), "fc2", "head")
        self.head = PaperHead(800, hidden=())

    def forward(self, x):
        c = self.conv7(x)
        x = torch.cat([c.amax((2, 3)), c.amin((2, 3))], 1)
        return self.head(F.relu(self.fc2(F.relu(self.fc1(x)))))


class BasicBlock(nn.Module):
    def __init__(self, c_in, c_out, stride, name):
        super().__init__()
        self.c1 = ConvBN(c_in, c_out, 3, stride, f"{name}_c1")
        self.c2 = ConvBN(c_out, c_out, 3, 1, f"{name}_c2", relu=False)
        self.proj = ConvBN(c_in, c_out, 1, stride, f"{name}_proj", relu=False) if stride != 1 or c_in != c_out else None

    def forward(self, x):
        return F.relu(self.c2(self.c1(x)) + (self.proj(x) if self.proj is not None else x))


class Resnet18(nn.Module):
    """A ResNet-18 shape (7x7 stem, max pool, 4 x 2 basic blocks) with a width multiplier, GAP, the paper's head."""

    def __init__(self, width=0.25):
        super().__init__()
        ch = lambda c: max(4, math.floor(c * width + 0.5))  # JavaScript's Math.round
        self.stem = ConvBN(3, ch(64), 7, 2, "stem")
        self.pool = MaxPool2dSame(3, 2)
        blocks, c_in = [], ch(64)
        for stage, base in enumerate([64, 128, 256, 512]):
            for block in range(2):
                stride = 2 if stage > 0 and block == 0 else 1
                blocks.append(BasicBlock(c_in, ch(base), stride, f"s{stage + 1}b{block + 1}"))
                c_in = ch(base)
        self.blocks = nn.Sequential(*blocks)
        self.head = PaperHead(c_in)

    def forward(self, x):
        return self.head(self.blocks(self.pool(self.stem(x))).mean((2, 3)))


# -----------------------------------------------------------------------------
# The pretrained MobileNetV2: Keras's MobileNetV2 (alpha 1.0) as nsfwjs 4.4.0 ships it, layer for
# layer and under Keras's layer names, so its weights (backbone/mobilenetv2.json) load by name.
# The weights were initialised from ImageNet, then fine-tuned by nsfwjs's authors on their
# 5-class image set: not pure ImageNet weights. It takes pixels in [0, 1] (x / 255).

KERAS_BN_MOMENTUM = 0.999  # the body's BatchNorm config: moving = 0.999 * moving + 0.001 * batch
KERAS_BN_EPSILON = 1e-3
MEAN_STD_EPSILON = 1e-6  # added to the variance before the square root in MLSP pooling, as the studio does
MOBILENETV2_CUT = "out_relu"  # the last feature map before nsfwjs's classifier: the default cut
# (expansion, output channels, stride) of Keras's inverted residual blocks 0..16
MOBILENETV2_BLOCKS = [
    (1, 16, 1),
    (6, 24, 2), (6, 24, 1),
    (6, 32, 2), (6, 32, 1), (6, 32, 1),
    (6, 64, 2), (6, 64, 1), (6, 64, 1), (6, 64, 1),
    (6, 96, 1), (6, 96, 1), (6, 96, 1),
    (6, 160, 2), (6, 160, 1), (6, 160, 1),
    (6, 320, 1),
]


def mobilenetv2_layers():
    """Keras MobileNetV2 from its input to out_relu, in Keras's layer order (the order trainFrom
    counts in): [(name, kind, args, input names, output channels)]."""
    layers, channels = [], {"input_1": 3}

    def add(name, kind, inputs, c=None, **args):
        inputs = inputs if isinstance(inputs, list) else [inputs]
        channels[name] = c if c is not None else channels[inputs[-1]]
        layers.append((name, kind, args, inputs, channels[name]))
        return name

    x = add("Conv1_pad", "pad", "input_1")
    x = add("Conv1", "conv", x, 32, kernel=3, stride=2, same=False)
    x = add("bn_Conv1", "bn", x)
    x = add("Conv1_relu", "relu6", x)
    for i, (expansion, c_out, stride) in enumerate(MOBILENETV2_BLOCKS):
        prefix, block_in, c_in = f"block_{i}_" if i else "expanded_conv_", x, channels[x]
        if i:  # block 0 has no expansion conv
            x = add(prefix + "expand", "conv", x, expansion * c_in, kernel=1, stride=1, same=True)
            x = add(prefix + "expand_BN", "bn", x)
            x = add(prefix + "expand_relu", "relu6", x)
        if stride == 2:
            x = add(prefix + "pad", "pad", x)
        x = add(prefix + "depthwise", "dwconv", x, stride=stride, same=stride == 1)
        x = add(prefix + "depthwise_BN", "bn", x)
        x = add(prefix + "depthwise_relu", "relu6", x)
        x = add(prefix + "project", "conv", x, c_out, kernel=1, stride=1, same=True)
        x = add(prefix + "project_BN", "bn", x)
        if stride == 1 and c_in == c_out:
            x = add(prefix + "add", "add", [block_in, x])
    x = add("Conv_1", "conv", x, 1280, kernel=1, stride=1, same=False)
    x = add("Conv_1_bn", "bn", x)
    add("out_relu", "relu6", x)
    return layers


class ReLU6(nn.Module):
    """Keras's ReLU(max_value=6) as TF.js computes it, clip(relu(x), 0, 6): the gradient passes
    where 0 < x <= 6 (F.relu6 stops it at x = 6 as well)."""

    def forward(self, x):
        return F.relu(x).clamp(max=6.0)


class ZeroPadBottomRight(nn.Module):
    """Keras's ZeroPadding2D(((0, 1), (0, 1))) before every stride-2 conv: a row below, a column
    right. Keras sized it for 224 x 224 input; the studio copies the layer as it is, so it pads
    the same at every input size."""

    def forward(self, x):
        return F.pad(x, (0, 1, 0, 1))


class Add(nn.Module):
    def forward(self, a, b):
        return a + b


def keras_layer(name, kind, args, c_in, c_out):
    if kind == "pad":
        return ZeroPadBottomRight()
    if kind == "relu6":
        return ReLU6()
    if kind == "add":
        return Add()
    if kind == "bn":
        return named(BatchNorm(c_out, name, 1 - KERAS_BN_MOMENTUM, KERAS_BN_EPSILON), name, "pretrained")
    conv = Conv2dSame if args["same"] else nn.Conv2d  # 'valid' convs follow an explicit padding layer
    if kind == "conv":
        return named(conv(c_in, c_out, args["kernel"], args["stride"], bias=False), name, "pretrained")
    layer = named(conv(c_in, c_out, 3, args["stride"], groups=c_in, bias=False), name, "pretrained")
    layer.kernel_name = "depthwise_kernel"  # Keras's DepthwiseConv2D, depth multiplier 1
    return layer


def mean_std_pool(x):
    """Per channel, the mean and the standard deviation over H and W: [N, C, H, W] -> [N, 2C], the C means first."""
    mean = x.mean((2, 3), keepdim=True)
    std = torch.sqrt(((x - mean) ** 2).mean((2, 3)) + MEAN_STD_EPSILON)
    return torch.cat([mean.flatten(1), std], 1)


class PretrainedMobileNetV2(nn.Module):
    """The studio's pretrained net: MobileNetV2's layers up to the cut(s), pooled, then the
    paper's MobileNetV2 head Dense(512) -> Dense(256) -> BatchNorm -> Dense(1). One cut: global
    average pooling; several: each cut's per-channel mean and standard deviation, concatenated
    in the order of the cuts (MLSP, Hosu et al. 2020). train_from "all" trains every layer,
    "head" the head only, a layer name that layer and every one after it in Keras's order; the
    layers before it are frozen, and their BatchNorm runs in inference mode (moving statistics,
    not updated) even while the net trains."""

    def __init__(self, cuts, train_from):
        super().__init__()
        every = mobilenetv2_layers()
        by_name = {spec[0]: spec for spec in every}
        if not cuts:
            raise SystemExit(f"config.backbone.cuts is empty: name at least one layer, e.g. {MOBILENETV2_CUT}.")
        for c in cuts:
            if c not in by_name:
                raise SystemExit(f'MobileNetV2 has no layer "{c}" to cut at: name one from {every[0][0]} to {MOBILENETV2_CUT}.')
        needed, stack = set(), list(cuts)
        while stack:  # the cuts and every layer they depend on
            n = stack.pop()
            if n in by_name and n not in needed:
                needed.add(n)
                stack += by_name[n][3]
        body = [spec for spec in every if spec[0] in needed]
        names = [spec[0] for spec in body]
        if train_from == "all":
            first = 0
        elif train_from == "head":
            first = len(body)
        elif train_from in names:
            first = names.index(train_from)
        elif train_from in by_name:
            raise SystemExit(f'trainFrom "{train_from}" comes after the cuts {", ".join(cuts)}: name a layer from {names[0]} to {names[-1]}, or "head" or "all".')
        else:
            raise SystemExit(f'trainFrom "{train_from}" is not a layer of MobileNetV2: name one from {names[0]} to {names[-1]}, or "head" or "all".')
        channels = {"input_1": 3, **{spec[0]: spec[4] for spec in every}}
        self.cuts, self.frozen = list(cuts), set(names[:first])
        self.inputs = {name: ins for name, _, _, ins, _ in body}
        self.body = nn.ModuleDict()
        for name, kind, args, ins, c_out in body:
            layer = keras_layer(name, kind, args, channels[ins[0]], c_out)
            if name in self.frozen:
                layer.requires_grad_(False)
            self.body[name] = layer
        # Drop each feature map after its last use (not the cuts): inference at large sizes needs the memory.
        last_use = {}
        for name, ins in self.inputs.items():
            for i in ins:
                last_use[i] = name
        self.free_after = {name: [i for i, last in last_use.items() if last == name and i not in self.cuts] for name in names}
        features = sum(channels[c] * (1 if len(cuts) == 1 else 2) for c in cuts)
        self.head = PaperHead(features, hidden=(512, 256), bn="last")
        self.train()  # puts the frozen BatchNorm layers in inference mode from the start

    def train(self, mode=True):
        super().train(mode)
        for name in self.frozen:
            if isinstance(self.body[name], BatchNorm):
                self.body[name].train(False)
        return self

    def forward(self, x):
        out = {"input_1": x}
        for name, layer in self.body.items():
            out[name] = layer(*[out[i] for i in self.inputs[name]])
            for i in self.free_after[name]:
                del out[i]
        if len(self.cuts) == 1:
            pooled = out[self.cuts[0]].mean((2, 3))
        else:
            pooled = torch.cat([mean_std_pool(out[c]) for c in self.cuts], 1)
        return self.head(pooled)


PRETRAINED = ("mobilenetv2",)


def build_model(cfg):
    name = cfg["model"]
    if name == "tiny":
        return Tiny()
    if name == "cnniqa":
        return Cnniqa()
    if name == "resnet18":
        return Resnet18(cfg.get("width") or 0.25)
    if name == "mobilenetv2":
        bb = cfg.get("backbone") or {}
        cuts = bb.get("cuts")
        return PretrainedMobileNetV2([MOBILENETV2_CUT] if cuts is None else cuts, bb.get("trainFrom", "all"))
    raise SystemExit(f'The model "{name}" is not in this export yet: it covers {", ".join(MODELS)}.')


def weight_layers(net):
    return [m for m in net.modules() if hasattr(m, "tf_name")]


# -----------------------------------------------------------------------------
# Initialisation as the studio's: truncated normals (cut at 2 sd, as TF.js draws them),
# He for the body, He (even peers) or Xavier/Glorot (odd peers) for the head, zero biases,
# BatchNorm at gamma 1, beta 0. Seeds follow the studio's derivation from the run seed and
# the layer name, so every peer shares the body and the baseline is peer 0's twin; the draws
# themselves come from PyTorch's generator (use weights/ for the studio's exact numbers).


def truncated_normal_(w, std, seed):
    g = torch.Generator().manual_seed(seed)
    v = torch.randn(w.shape, generator=g) * std
    while True:
        bad = v.abs() > 2 * std
        if not bad.any():
            break
        v[bad] = torch.randn(int(bad.sum()), generator=g) * std
    with torch.no_grad():
        w.copy_(v)


def init_net(net, body_seed, head_seed, head_init):
    for m in weight_layers(net):
        if isinstance(m, BatchNorm) or getattr(m, "role", None) == "pretrained":
            continue
        w = m.weight
        receptive = w[0, 0].numel() if w.dim() == 4 else 1
        fan_in, fan_out = w.shape[1] * receptive, w.shape[0] * receptive
        if m.role == "body" or head_init == "he":
            std = math.sqrt(2 / max(1, fan_in))
        else:
            std = math.sqrt(1 / max(1, (fan_in + fan_out) / 2))
        truncated_normal_(w, std, derive_seed(body_seed if m.role == "body" else head_seed, m.tf_name))
        if m.bias is not None:
            nn.init.zeros_(m.bias)


def tf_vars(m):
    """A weight layer's (TF.js variable name, parameter or buffer) pairs, in the studio's order."""
    if isinstance(m, BatchNorm):
        return [("gamma", m.weight), ("beta", m.bias), ("moving_mean", m.running_mean), ("moving_variance", m.running_var)]
    return [(getattr(m, "kernel_name", "kernel"), m.weight)] + ([("bias", m.bias)] if m.bias is not None else [])


def from_tf_layout(var, v):
    """TF.js layout -> PyTorch's: conv HWIO -> OIHW, dense [in, out] -> [out, in], depthwise [H, W, C, 1] -> [C, 1, H, W]."""
    if var == "kernel":
        return v.permute(3, 2, 0, 1) if v.dim() == 4 else v.t()
    if var == "depthwise_kernel":
        return v.permute(2, 3, 0, 1)
    return v


def to_tf_layout(var, t):
    """The inverse of from_tf_layout."""
    if var == "kernel":
        return t.permute(2, 3, 1, 0) if t.dim() == 4 else t.t()
    if var == "depthwise_kernel":
        return t.permute(2, 3, 0, 1)
    return t


def load_studio_tensors(layers, tensors, spare=()):
    """Load weights ({"stage1/kernel": array in TF.js layout, ...}) into the given weight layers
    by name. Every tensor must be used, except those named in spare."""
    left = dict(tensors)
    for m in layers:
        for var, target in tf_vars(m):
            key = f"{m.tf_name}/{var}"
            if key not in left:
                raise SystemExit(f"The studio weights have no {key}: they are not from this model.")
            v = from_tf_layout(var, torch.from_numpy(np.asarray(left.pop(key), np.float32)))
            if tuple(v.shape) != tuple(target.shape):
                raise SystemExit(f"The studio weight {key} has shape {tuple(v.shape)}, the model expects {tuple(target.shape)}.")
            with torch.no_grad():
                target.copy_(v)
    extra = set(left) - set(spare)
    if extra:
        raise SystemExit(f"The studio weights hold {', '.join(sorted(extra))}, which this model does not have.")


def studio_tensors(net):
    """The inverse of load_studio_tensors: a network's weights by studio name, in TF.js layout."""
    return {f"{m.tf_name}/{var}": to_tf_layout(var, t.detach().cpu()).contiguous().numpy() for m in weight_layers(net) for var, t in tf_vars(m)}


def read_weight_file(path):
    """A studio weight file (.json naming each tensor's name, shape and offset in its .bin of
    little-endian float32): the list under "peers", or the one tensor list of a backbone file."""
    meta = json.loads(Path(path).read_text())
    raw = np.fromfile(Path(path).parent / meta["bin"], dtype="<f4")
    tensors = lambda ts: {t["name"]: raw[t["offset"]:t["offset"] + t["length"]].reshape(t["shape"]) for t in ts}
    return [tensors(peer["tensors"]) for peer in meta["peers"]] if "peers" in meta else tensors(meta["tensors"])


def read_studio_weights(folder, seed):
    """weights/seed-<seed>.json + .bin: the studio's initial networks, or None. A pretrained
    net's entry holds its head; its body is the backbone's (see read_backbone)."""
    path = Path(folder, f"seed-{seed}.json")
    return read_weight_file(path) if path.exists() else None


def read_backbone(folder, model):
    """backbone/<model>.json + .bin: the pretrained weights (every feature layer's, by Keras
    layer name), dequantised to float32 exactly as TF.js loads them."""
    path = Path(folder, f"{model}.json")
    if not path.exists():
        raise SystemExit(f"{path} is missing: the {model} model starts from its pretrained weights, which the export writes there.")
    return read_weight_file(path)


# -----------------------------------------------------------------------------
# The cohort and its losses.


def peer_spec(k):
    """Peer k: even peers see x with He heads, odd peers see flip(x) with Xavier heads."""
    return {"index": k, "head_init": "he" if k % 2 == 0 else "xavier", "flipped": k % 2 == 1}


def run_peers(run, cfg):
    return [peer_spec(0)] if run == "baseline" else [peer_spec(k) for k in range(cfg["peers"])]


def run_lambda(run, cfg):
    return cfg["lambda"] if run == "dml" else 0.0


class Cohort(nn.Module):
    """K networks; forward gives each one's predictions on its own view of the batch, [K, n]."""

    def __init__(self, cfg, peers):
        super().__init__()
        self.nets = nn.ModuleList(build_model(cfg) for _ in peers)
        self.flipped = [p["flipped"] for p in peers]

    def forward(self, x):
        return torch.stack([net(x.flip(3) if f else x) for net, f in zip(self.nets, self.flipped)])


def make_cohort(run, cfg, seed, output_bias, studio, backbone=None):
    """The run's networks from the studio's initial weights (studio) or PyTorch's draws; a
    pretrained net's body starts from the backbone's weights either way."""
    peers = run_peers(run, cfg)
    cohort = Cohort(cfg, peers)
    if cfg["model"] in PRETRAINED and backbone is None:
        raise SystemExit(f"The {cfg['model']} model needs its pretrained weights (backbone/{cfg['model']}.json).")
    backbone = backbone or {}
    for net, p in zip(cohort.nets, peers):
        if studio is not None:
            own = studio[p["index"]]
            load_studio_tensors(weight_layers(net), {**backbone, **own}, spare=set(backbone) - set(own))
        else:
            body = [m for m in weight_layers(net) if getattr(m, "role", None) == "pretrained"]
            load_studio_tensors(body, backbone, spare=backbone)
            init_net(net, derive_seed(seed, "body"), derive_seed(seed, f"head-{p['index']}"), p["head_init"])
        # The output bias starts at the training MOS mean, so early steps go into ranking.
        with torch.no_grad():
            net.head.out.bias.fill_(output_bias)
    return cohort


def cohort_losses(preds, y, lam, n_global):
    """Per peer [supervised, mimicry, total], [K, 3]. Squared errors of this process's images
    are divided by the global batch size, so summed over processes they are the batch MSEs."""
    K = preds.shape[0]
    sq = lambda a, b: ((a - b) ** 2).sum() / n_global
    targets = preds.detach()  # sg(): the peers' predictions are constants
    rows = []
    for k in range(K):
        sup = sq(preds[k], y)
        mim = sum(sq(preds[k], targets[j]) for j in range(K) if j != k) / (K - 1) if K > 1 else torch.zeros_like(sup)
        rows.append(torch.stack([sup, mim, sup + lam * mim]))
    return torch.stack(rows)


def make_optimizers(cohort, lr):
    # One Adam per peer. TF.js's Adam is w -= lr * m_hat / (sqrt(v_hat) + eps) with
    # m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t): PyTorch's Adam is the same formula.
    # Frozen layers' weights are left out, as TF.js's trainable weights leave them out.
    return [torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=lr, betas=(0.9, 0.999), eps=1e-8) for net in cohort.nets]


def train_step(model, opts, x, y, lam, n_global, world):
    """One DML step on this process's share of a batch; returns the [K, 3] loss rows (detached)."""
    rows = cohort_losses(model(x), y, lam, n_global)
    for o in opts:
        o.zero_grad(set_to_none=True)
    # The stop-gradient makes the sum's gradient w.r.t. peer k that of L_k alone. DDP averages
    # gradients over processes; the world factor turns the average back into the batch's sum.
    (rows[:, 2].sum() * world).backward()
    for o in opts:
        o.step()
    return rows.detach()


@torch.no_grad()
def predict(cohort, store, idxs, views, table, device, rank, world, chunk=64):
    """Per peer, a prediction per image (mean over its test views), in inference mode; this
    process scores every world-th image and the rest come from the others. [K, n] float64."""
    K, n = len(cohort.nets), len(idxs)
    out = torch.zeros(K, n, dtype=torch.float64, device=device)
    mine = list(range(rank, n, world))
    cohort.eval()
    for s in range(0, len(mine), chunk):
        part = mine[s:s + chunk]
        for v in views:
            x = make_batch(store, [idxs[t] for t in part], [v] * len(part), [False] * len(part), table).to(device)
            out[:, part] += cohort(x).double() / len(views)
    cohort.train()
    if world > 1:
        dist.all_reduce(out)
    return out.cpu().numpy()


# -----------------------------------------------------------------------------
# Metrics, computed as the studio computes them (which matches SciPy): SRCC with average ranks,
# KRCC tau-b, PLCC raw and after the 4-parameter logistic, RMSE on raw predictions. NaN for
# degenerate input (n < 2, a constant vector, a non-finite value).


def usable(a, b):
    return len(a) >= 2 and np.isfinite(a).all() and np.isfinite(b).all()


def pearson(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if not usable(a, b):
        return math.nan
    da, db = a - a.mean(), b - b.mean()
    saa, sbb = float((da * da).sum()), float((db * db).sum())
    if saa == 0 or sbb == 0:
        return math.nan
    return max(-1.0, min(1.0, float((da * db).sum()) / math.sqrt(saa * sbb)))


def average_ranks(x):
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x))
    xs = x[order]
    start = 0
    while start < len(x):
        end = start + 1
        while end < len(x) and xs[end] == xs[start]:
            end += 1
        ranks[order[start:end]] = (start + 1 + end) / 2
        start = end
    return ranks


def spearman(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if not usable(a, b):
        return math.nan
    return pearson(average_ranks(a), average_ranks(b))


def kendall_tau_b(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if not usable(a, b):
        return math.nan
    n = len(a)
    total = n * (n - 1) // 2
    s = ties_a = ties_b = 0
    for i in range(n - 1):
        sa, sb = np.sign(a[i + 1:] - a[i]), np.sign(b[i + 1:] - b[i])
        s += int((sa * sb).sum())
        ties_a += int((sa == 0).sum())
        ties_b += int((sb == 0).sum())
    if total == ties_a or total == ties_b:
        return math.nan
    return max(-1.0, min(1.0, s / math.sqrt(total - ties_a) / math.sqrt(total - ties_b)))


def rmse(p, y):
    p, y = np.asarray(p, np.float64), np.asarray(y, np.float64)
    return float(np.sqrt(np.mean((p - y) ** 2))) if len(p) else math.nan


def sigmoid_parts(z):
    """sigmoid(z) and 1 - sigmoid(z), from one exp and without overflow or cancellation."""
    e = np.exp(-np.abs(z))
    s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return s, np.where(z >= 0, e / (1 + e), 1 / (1 + e))


def logistic4(x, a, b, c, d):
    """f(x) = (a - b) / (1 + exp(-(x - c) / |d|)) + b"""
    return (a - b) * sigmoid_parts((np.asarray(x, np.float64) - c) / abs(d))[0] + b


def sse_of(p, y, t):
    a, b, c, d = t
    if not abs(d) > 0 or not math.isfinite(a + b + c + abs(d)):
        return math.inf
    with np.errstate(all="ignore"):
        s = float(((y - logistic4(p, a, b, c, d)) ** 2).sum())
    return s if math.isfinite(s) else math.inf


def fit_from_start(p, y, max_iterations=1000):
    """Levenberg-Marquardt from a = max(y), b = min(y), c = mean(p), d = 1 (Nielsen's damping
    update, Marquardt scaling, MINPACK's tolerances), as scipy.optimize.curve_fit; None if unusable."""
    ftol = xtol = 1.49e-8
    t = np.array([y.max(), y.min(), p.mean(), 1.0])
    sse = sse_of(p, y, t)
    if not math.isfinite(sse):
        return None
    mu, nu, it = 1e-3, 2.0, 0
    scale = np.zeros(4)
    while it < max_iterations and sse > 0:
        a, b, c, d = t
        ad, sign_d = abs(d), (-1.0 if d < 0 else 1.0)
        z = (p - c) / ad
        s, one_minus_s = sigmoid_parts(z)
        slope = (a - b) * s * one_minus_s
        J = np.stack([s, one_minus_s, -slope / ad, -slope * z * sign_d / ad], 1)
        r = y - ((a - b) * s + b)
        JtJ, g = J.T @ J, J.T @ r
        scale = np.maximum(scale, np.diag(JtJ))
        if not scale.max() > 0:
            break
        D = np.maximum(scale, scale.max() * 1e-12)
        if (np.abs(g) <= 1e-14 * np.sqrt(D * sse)).all():
            break
        while True:  # raise the damping until a step lowers the SSE
            try:
                step = np.linalg.solve(JtJ + np.diag(mu * D), g)
            except np.linalg.LinAlgError:
                step = None
            if step is not None and np.isfinite(step).all():
                trial = t + step
                trial_sse = sse_of(p, y, trial)
                predicted = float(step @ g + mu * (D * step * step).sum())
                step_norm, param_norm = float((D * step * step).sum()), float((D * t * t).sum())
                actual = sse - trial_sse
                if actual > 0:
                    it += 1
                    rho = actual / predicted if predicted > 0 else 1.0
                    t, sse = trial, trial_sse
                    mu, nu = max(mu * max(1 / 3, 1 - (2 * rho - 1) ** 3), 1e-15), 2.0
                    tiny = actual <= ftol * (sse + actual) and predicted <= ftol * (sse + actual)
                    done = tiny or math.sqrt(step_norm) <= xtol * (math.sqrt(param_norm) + xtol)
                    break
            mu *= nu
            nu *= 2
            if not mu < 1e20:
                done = True
                break
        if done:
            break
    if not np.isfinite(logistic4(p, *t)).all():
        return None
    return t


def fitted_plcc(p, y, plcc_raw):
    """PLCC after the logistic. The curve is fitted rising in s*p, s the sign of the raw PLCC,
    and the result carries s: the fitted PLCC never turns a falling prediction into a rising one."""
    if len(p) < 4:
        return plcc_raw
    direction = -1.0 if plcc_raw < 0 else 1.0
    t = fit_from_start(direction * p, y)
    fitted = p if t is None or t[0] < t[1] else logistic4(direction * p, *t)
    if t is None or t[0] < t[1]:
        direction = 1.0
    r = pearson(fitted, y)
    return direction * r if math.isfinite(r) and r >= 0 else plcc_raw


def evaluate_iqa(pred, mos):
    p, y = np.asarray(pred, np.float64), np.asarray(mos, np.float64)
    plcc_raw = pearson(p, y)
    plcc = fitted_plcc(p, y, plcc_raw) if math.isfinite(plcc_raw) else plcc_raw
    return {"srcc": spearman(p, y), "krcc": kendall_tau_b(p, y), "plcc": plcc, "plccRaw": plcc_raw, "rmse": rmse(p, y), "n": len(p)}


def scored(peers, mos):
    """Metrics per peer and, for a cohort, of the ensemble (the mean of the peers)."""
    out = {"peers": [evaluate_iqa(p, mos) for p in peers]}
    if len(peers) > 1:
        out["ensemble"] = evaluate_iqa((peers / len(peers)).sum(0), mos)
    return out


def incomplete_beta(a, b, x):
    """The regularised incomplete beta I_x(a, b), by its continued fraction (Numerical Recipes' betacf)."""
    if x <= 0 or x >= 1:
        return float(x >= 1)
    if x > (a + 1) / (a + b + 2):
        return 1 - incomplete_beta(b, a, 1 - x)
    tiny = 1e-300
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1 - x)) / a
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)), -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1 + num * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + num / c
            c = c if abs(c) > tiny else tiny
            h *= c * d
        if abs(c * d - 1) < 1e-15:
            break
    return front * h


def t_quantile_975(df):
    """t(0.975, df) of Student's t, by bisection on its CDF 1 - I_{df/(df+t^2)}(df/2, 1/2) / 2."""
    cdf = lambda t: 1 - 0.5 * incomplete_beta(df / 2, 0.5, df / (df + t * t))
    lo, hi = 0.0, 1e4
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if cdf(mid) < 0.975 else (lo, mid)
    return (lo + hi) / 2


def paired(diffs):
    """A paired difference over repeats: mean, sample sd, 95% t interval, per-repeat values, wins (> 0)."""
    d = np.asarray(diffs, np.float64)
    n = len(d)
    mean = float(d.mean())
    sd = float(d.std(ddof=1)) if n > 1 else math.nan
    half = t_quantile_975(n - 1) * sd / math.sqrt(n) if n > 1 else math.nan
    return {"metric": "srcc", "mean": mean, "sd": sd, "ci95": [mean - half, mean + half], "perRepeat": d.tolist(), "wins": int((d > 0).sum())}


# -----------------------------------------------------------------------------
# Training.


def setup(device_arg):
    """(rank, world, device): torchrun sets RANK/WORLD_SIZE; gloo on CPU, NCCL on GPUs."""
    cuda = device_arg != "cpu" and torch.cuda.is_available()
    if device_arg == "cuda" and not cuda:
        raise SystemExit("--device cuda: PyTorch sees no CUDA device here.")
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        dist.init_process_group("nccl" if cuda else "gloo")
        rank, world = dist.get_rank(), dist.get_world_size()
        local = int(os.environ.get("LOCAL_RANK", rank))
        device = torch.device(f"cuda:{local}" if cuda else "cpu")
        if cuda:
            torch.cuda.set_device(device)
        return rank, world, device
    return 0, 1, torch.device("cuda" if cuda else "cpu")


def train_epoch(model, cohort, opts, run, epoch, cfg, seed, store, mos, train, device, rank, world, note):
    lr = learning_rate_at(cfg, epoch)
    for o in opts:
        for g in o.param_groups:
            g["lr"] = lr
    lam = run_lambda(run, cfg)
    sums = torch.zeros(len(cohort.nets), 3, dtype=torch.float64, device=device)
    steps = images = 0
    t0 = time.perf_counter()
    for positions, views, flips in epoch_plan(len(train), cfg, seed, epoch):
        if len(positions) < world:
            note(f"a last batch of {len(positions)} images is skipped: fewer images than processes")
            continue
        share = list(range(rank, len(positions), world))
        idxs = [train[positions[i]] for i in share]
        x = make_batch(store, idxs, [views[i] for i in share], [flips[i] for i in share], pixel_table(cfg)).to(device)
        y = torch.tensor(mos[idxs], dtype=torch.float32, device=device)
        sums += train_step(model, opts, x, y, lam, len(positions), world).double()
        steps += 1
        images += len(positions)
    if world > 1:
        dist.all_reduce(sums)
    mean = (sums / max(1, steps)).cpu().numpy()
    if not np.isfinite(mean).all():
        raise SystemExit(f"The {run} loss became NaN or infinite in epoch {epoch + 1}: the learning rate is probably too high.")
    loss = {"supervised": mean[:, 0].tolist(), "mimicry": mean[:, 1].tolist(), "total": mean[:, 2].tolist()}
    return loss, lr, images / max(1e-9, time.perf_counter() - t0)


def final_from(history):
    last = {}
    for row in history:
        last[row["run"]] = row
    final = {}
    if "baseline" in last:
        final["baseline"] = last["baseline"]["test"]["peers"][0]
    for run in ("dml", "control"):
        if run in last and "ensemble" in last[run]["test"]:
            final[run] = {"ensemble": last[run]["test"]["ensemble"], "peers": last[run]["test"]["peers"]}
    return final


def run_repeat(r, rep, cfg, runs, store, mos, index, backbone, args, rank, world, device, say, note):
    """Train every run of one repeat, epoch by epoch (the runs alternate within an epoch, on the
    same batches), scoring the test (and validation) images after each epoch."""
    seed = rep["seed"]
    train = [index[n] for n in rep["train"]]
    val = [index[n] for n in rep.get("val", [])]
    test = [index[n] for n in rep["test"]]
    bias = sum(mos[i] for i in train) / len(train)
    studio = None if args.init == "torch" else read_studio_weights(args.export_dir / "weights", seed)
    if args.init == "studio" and studio is None:
        raise SystemExit(f"--init studio: weights/seed-{seed}.json is missing.")
    say(f"Repeat {r + 1}: seed {seed}, {len(train)} train / {len(val)} val / {len(test)} test images, "
        f"initial weights from {'the studio' if studio else 'PyTorch (the studio seeds, PyTorch draws)'}"
        f"{', the body from the pretrained weights' if backbone else ''}.")
    cohorts, models, opts = {}, {}, {}
    for run in runs:
        cohorts[run] = make_cohort(run, cfg, seed, bias, studio, backbone).to(device)
        models[run] = DDP(cohorts[run], device_ids=[device] if device.type == "cuda" else None, broadcast_buffers=False) if world > 1 else cohorts[run]
        opts[run] = make_optimizers(cohorts[run], cfg["lr"])
    patch = PATCH_SIZE.get(cfg["model"])
    views = test_views(cfg["input"], patch)
    history = []
    for epoch in range(cfg["epochs"]):
        parts = []
        for run in runs:
            t0 = time.perf_counter()
            loss, lr, speed = train_epoch(models[run], cohorts[run], opts[run], run, epoch, cfg, seed, store, mos, train, device, rank, world, note)
            test_pred = predict(cohorts[run], store, test, views, pixel_table(cfg), device, rank, world)
            val_pred = predict(cohorts[run], store, val, views, pixel_table(cfg), device, rank, world) if val else None
            if rank == 0:
                row = epoch_event(run, epoch, loss, test_pred, mos[test], lr, time.perf_counter() - t0, speed)
                if val_pred is not None:
                    row["val"] = scored(val_pred, mos[val])
                for old in history:  # per-image predictions are kept on the newest event of each run only
                    if old["run"] == run:
                        old["predictions"] = {"peers": []}
                history.append(row)
                parts.append(row)
        if rank == 0:
            say(epoch_line(epoch + 1, cfg["epochs"], parts))
    if args.save_models and rank == 0:
        args.save_models.mkdir(parents=True, exist_ok=True)
        torch.save({run: [net.state_dict() for net in cohorts[run].nets] for run in runs}, args.save_models / f"repeat-{r + 1}.pt")
    split = {"train": rep["train"], "val": rep.get("val", []), "test": rep["test"]}
    return {"seed": seed, "split": split, "history": history, "final": final_from(history)}


def epoch_event(run, epoch, loss, pred, mos, lr, seconds, speed):
    """One run's finished epoch, shaped as the studio's epoch events (TF.js's memory figures aside)."""
    test = scored(pred, mos)
    predictions = {"peers": pred.tolist()}
    if "ensemble" in test:
        predictions["ensemble"] = (pred / len(pred)).sum(0).tolist()
    return {"type": "epoch", "run": run, "epoch": epoch + 1, "trainLoss": loss, "test": test, "predictions": predictions,
            "lr": lr, "seconds": seconds, "imagesPerSec": speed}


def epoch_line(epoch, epochs, rows):
    f3 = lambda v: f"{v:.3f}" if math.isfinite(v) else "  NaN"
    m = lambda x: f"{f3(x['srcc'])}/{f3(x['plcc'])}"
    parts = []
    for row in rows:
        if row["run"] == "baseline":
            parts.append(f"baseline {m(row['test']['peers'][0])}")
        else:
            peers = " ".join(f"{chr(65 + k) if k < 26 else k + 1} {m(p)}" for k, p in enumerate(row["test"]["peers"]))
            parts.append(f"{'DML' if row['run'] == 'dml' else 'control'} {peers} ens {m(row['test']['ensemble'])}")
    secs = sum(row["seconds"] for row in rows)
    return f"epoch {epoch:2d}/{epochs}  SRCC/PLCC  " + "  |  ".join(parts) + f"  {secs:.1f} s"


def paired_summary(repeats):
    """Paired SRCC differences over the repeats, for each comparison every repeat can make."""
    f = [rep["final"] for rep in repeats]
    pairs = {
        "dml_vs_baseline": lambda x: x["dml"]["ensemble"]["srcc"] - x["baseline"]["srcc"],
        "dml_vs_control": lambda x: x["dml"]["ensemble"]["srcc"] - x["control"]["ensemble"]["srcc"],
        "peerA_vs_baseline": lambda x: x["dml"]["peers"][0]["srcc"] - x["baseline"]["srcc"],
    }
    out = {}
    for name, diff in pairs.items():
        try:
            out[name] = paired([diff(x) for x in f])
        except KeyError:
            pass
    return out


def json_safe(v):
    """NaN and infinities become null, as JavaScript's JSON.stringify writes them."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [json_safe(x) for x in v]
    return v


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--images", type=Path, required=True, help="the folder that holds the images named in split.json")
    ap.add_argument("--out", type=Path, default=Path("results.json"), help="results file (default results.json)")
    ap.add_argument("--export-dir", type=Path, default=HERE, help="folder with config.json, split.json, scores.csv, weights/ (default: this file's)")
    ap.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    ap.add_argument("--init", choices=("auto", "studio", "torch"), default="auto",
                    help="initial weights: the studio's (weights/), PyTorch's draws, or the studio's where present (default)")
    ap.add_argument("--decode-threads", type=int, default=min(8, os.cpu_count() or 1))
    ap.add_argument("--save-models", type=Path, help="also save every network's final state_dict here")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    rank, world, device = setup(args.device)
    say = print if rank == 0 else (lambda *a, **k: None)
    noted = set()

    def note(msg):
        if msg not in noted:
            noted.add(msg)
            say(f"Note: {msg}.")

    exp = json.loads((args.export_dir / "config.json").read_text())
    cfg = exp["config"]
    # Before the images are read: says which models this export covers, and what is wrong with a pretrained net's cuts or trainFrom.
    probe = build_model(cfg)
    backbone = read_backbone(args.export_dir / "backbone", cfg["model"]) if cfg["model"] in PRETRAINED else None
    repeats = json.loads((args.export_dir / "split.json").read_text())["repeats"]
    with open(args.export_dir / "scores.csv", newline="", encoding="utf-8") as f:
        scores = {row["image"]: float(row["mos"]) for row in csv.DictReader(f)}
    names = sorted({n for rep in repeats for side in ("train", "val", "test") for n in rep.get(side, [])})

    if not args.images.is_dir():
        raise SystemExit(f"--images {args.images}: not a folder.")
    found, problems = match_images(names, list_image_files(args.images))
    if problems:
        say(f"{len(problems)} of the {len(names)} images of the split are missing from {args.images}:")
        for p in problems[:20]:
            say(f"  - {p}")
        if len(problems) > 20:
            say(f"  ... and {len(problems) - 20} more.")
        sys.exit(1)
    t0 = time.perf_counter()
    store, problems = load_images(args.images, [found[n] for n in names], cfg["input"]["width"], cfg["input"]["height"], args.decode_threads)
    if problems:
        say("Images that cannot be used:\n" + "\n".join(f"  - {p}" for p in problems))
        sys.exit(1)
    say(f"Decoded {len(names)} images at {cfg['input']['width']}x{cfg['input']['height']} in {time.perf_counter() - t0:.1f} s.")
    index = {n: i for i, n in enumerate(names)}
    mos = np.array([scores[n] for n in names], np.float64)

    runs = (["baseline", "dml"] if cfg["mode"] == "both" else [cfg["mode"]]) + (["control"] if exp.get("control") and cfg["mode"] != "baseline" else [])
    say(f"Training {' + '.join(runs)} . {cfg['model']} . {cfg['epochs']} epochs . batch {cfg['batchSize']} . lr {cfg['lr']} . "
        f"lambda {cfg['lambda']} . {cfg['peers']} peers . {world} process{'es' if world > 1 else ''} on {device.type} . torch {torch.__version__}")
    if backbone:
        say(f"Pretrained body cut at {' + '.join(probe.cuts)}, training from {(cfg.get('backbone') or {}).get('trainFrom', 'all')}: "
            f"{sum(p.numel() for p in probe.parameters() if p.requires_grad):,} trainable, "
            f"{sum(p.numel() for p in probe.parameters() if not p.requires_grad):,} frozen parameters; input x/255.")
    t0 = time.perf_counter()
    done = [run_repeat(r, rep, cfg, runs, store, mos, index, backbone, args, rank, world, device, say, note) for r, rep in enumerate(repeats)]
    seconds = time.perf_counter() - t0
    if rank == 0:
        first = done[0]
        results = {
            "format": RESULTS_FORMAT,
            "producer": {"name": "DML-IQA Studio PyTorch export", "torch": torch.__version__, "device": device.type, "processes": world},
            "config": cfg,
            "control": "control" in runs,
            "split": first["split"],
            "history": first["history"],
            "final": first["final"],
            "seconds": seconds,
        }
        if len(done) > 1:
            results["repeats"] = done
            results["paired"] = paired_summary(done)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(json_safe(results), indent=1, allow_nan=False))
        say(f"{seconds:.0f} s of training. Results written to {args.out}")
    if dist.is_initialized():
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
