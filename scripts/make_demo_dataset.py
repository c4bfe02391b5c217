#!/usr/bin/env python3
"""Build the built-in demo dataset in public/demo/ (a small KADID-style synthetic IQA set).

Ten public-domain / CC0 photos that ship with scikit-image are cropped to 128x128,
distorted with 6 distortion types at 5 levels each, and labelled with a FORMULA:
an MS-SSIM proxy of quality, mapped onto 1..5. These labels are NOT human opinions.

Needs Debian's python3-skimage, python3-scipy and python3-pil (run it with
/usr/bin/python3 if the python3 on PATH lacks them). Rerunning reproduces the files
byte for byte on the same library versions (PNG/JPEG encoders are zlib/libjpeg).

Usage: python3 scripts/make_demo_dataset.py [--out public/demo]
"""

import argparse
import io
import json
import os
import shutil
import sys

try:
    import numpy as np
    from PIL import Image
    from scipy import ndimage, signal, stats
    import skimage.data
except ImportError as err:
    sys.exit(f"make_demo_dataset.py: {err}. Install Debian's python3-skimage, python3-scipy and "
             "python3-pil (apt-get install python3-skimage python3-scipy python3-pil) and run it with "
             "/usr/bin/python3 scripts/make_demo_dataset.py")

SEED = 20240607
SIZE = 128

# (name of the skimage.data loader, fraction of the short side kept by the centre crop,
#  source, licence) -- licences as stated in each loader's docstring in scikit-image 0.19.
# Textures are cropped tighter so their detail survives the downscale to 128 px.
REFERENCES = [
    ("astronaut", 1.0, "NASA Great Images database (Eileen Collins), https://flic.kr/p/r9qvLn",
     "public domain (no known copyright restrictions, released into the public domain)"),
    ("camera", 1.0, "photograph by Lav Varshney (replacement 'cameraman', skimage >= 0.18)",
     "CC0 by the photographer"),
    ("coffee", 1.0, "photograph by Rachel Michetti, courtesy of Pikolo Espresso Bar",
     "CC0 by the photographer"),
    ("chelsea", 1.0, "photograph of Chelsea the cat by Stefan van der Walt",
     "CC0 by the photographer"),
    ("rocket", 1.0, "SpaceX launch photo of DSCOVR on Falcon 9, "
     "https://www.flickr.com/photos/spacexphotos/16511594820/", "public domain (released by SpaceX)"),
    ("retina", 0.6, "Wikimedia Commons, Fundus_photograph_of_normal_left_eye.jpg (Mikael Haggstrom)",
     "CC0 1.0 Universal Public Domain Dedication"),
    ("hubble_deep_field", 0.35, "Hubble eXtreme Deep Field, NASA/HubbleSite release 2012-37",
     "public domain (NASA imagery, may be freely used)"),
    ("grass", 0.6, "DeviantArt, linolafett 'Grass-01' (greyscale crop)", "CC0"),
    ("gravel", 0.6, "CC0Textures 'Gravel04' (greyscale crop)", "CC0"),
    ("brick", 0.6, "CC0Textures 'Bricks25' (greyscale, perspective corrected)", "CC0"),
]

# Five levels per type, from barely visible (01) to strong (05).
DISTORTIONS = [
    ("gaussian_blur", "Gaussian blur, sigma in pixels", [0.7, 1.2, 2.0, 3.2, 5.0]),
    ("white_noise", "additive white Gaussian noise, sigma on the 0-255 scale", [8, 16, 28, 45, 70]),
    ("jpeg", "JPEG compression (Pillow), quality", [25, 12, 7, 4, 1]),
    ("contrast_reduction", "blend towards the image mean, contrast factor", [0.8, 0.6, 0.45, 0.3, 0.18]),
    ("darken", "multiply all channels by a factor", [0.85, 0.68, 0.52, 0.38, 0.25]),
    ("pixelate", "box downsample then nearest upsample, block size in pixels", [2, 3, 5, 7, 10]),
]

# MOS proxy: mos = 1 + 4 * clip((msssim - LO) / (1 - LO), 0, 1) ** GAMMA
MOS_LO = 0.25
MOS_GAMMA = 2.5

# MS-SSIM (Wang, Simoncelli, Bovik 2003) constants. Five scales need a 176 px image for an
# 11x11 window; at 128 px we use the first three scales with the weights renormalised.
MSSSIM_WEIGHTS_5 = np.array([0.0448, 0.2856, 0.3001, 0.2363, 0.1333])
MSSSIM_SCALES = 3
MSSSIM_WEIGHTS = MSSSIM_WEIGHTS_5[:MSSSIM_SCALES] / MSSSIM_WEIGHTS_5[:MSSSIM_SCALES].sum()
K1, K2, DATA_RANGE = 0.01, 0.03, 255.0


def load_reference(name, frac):
    """Centre square crop of `frac` of the short side, Lanczos resize to SIZE, RGB uint8."""
    img = getattr(skimage.data, name)()
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    img = img[..., :3]
    h, w = img.shape[:2]
    side = int(round(min(h, w) * frac))
    y, x = (h - side) // 2, (w - side) // 2
    crop = Image.fromarray(np.ascontiguousarray(img[y:y + side, x:x + side]))
    return np.asarray(crop.resize((SIZE, SIZE), Image.Resampling.LANCZOS), dtype=np.uint8)


def to_uint8(a):
    return np.clip(np.round(a), 0, 255).astype(np.uint8)


def distort(ref, kind, param, rng):
    """Apply one distortion to an RGB uint8 image; returns RGB uint8."""
    f = ref.astype(np.float64)
    if kind == "gaussian_blur":
        return to_uint8(ndimage.gaussian_filter(f, sigma=(param, param, 0), mode="reflect"))
    if kind == "white_noise":
        return to_uint8(f + rng.normal(0.0, param, size=f.shape))
    if kind == "jpeg":
        buf = io.BytesIO()
        Image.fromarray(ref).save(buf, format="JPEG", quality=int(param), subsampling=2)
        return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"), dtype=np.uint8)
    if kind == "contrast_reduction":
        mean = f.mean(axis=(0, 1), keepdims=True)
        return to_uint8(mean + (f - mean) * param)
    if kind == "darken":
        return to_uint8(f * param)
    if kind == "pixelate":
        small = max(1, int(round(SIZE / param)))
        down = Image.fromarray(ref).resize((small, small), Image.Resampling.BOX)
        return np.asarray(down.resize((SIZE, SIZE), Image.Resampling.NEAREST), dtype=np.uint8)
    raise ValueError(f"unknown distortion {kind}")


def luminance(rgb):
    """ITU-R BT.601 luma on the 0-255 scale."""
    f = rgb.astype(np.float64)
    return 0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]


def gaussian_window(size=11, sigma=1.5):
    ax = np.arange(size) - (size - 1) / 2
    g = np.exp(-(ax ** 2) / (2 * sigma ** 2))
    w = np.outer(g, g)
    return w / w.sum()


WINDOW = gaussian_window()


def ssim_terms(x, y):
    """Mean luminance term l and mean contrast-structure term cs over the 'valid' region."""
    c1, c2 = (K1 * DATA_RANGE) ** 2, (K2 * DATA_RANGE) ** 2
    filt = lambda a: signal.correlate2d(a, WINDOW, mode="valid")
    mx, my = filt(x), filt(y)
    sxx = filt(x * x) - mx * mx
    syy = filt(y * y) - my * my
    sxy = filt(x * y) - mx * my
    cs_map = (2 * sxy + c2) / (sxx + syy + c2)
    l_map = (2 * mx * my + c1) / (mx * mx + my * my + c1)
    return float(l_map.mean()), float(cs_map.mean()), float((l_map * cs_map).mean())


def downsample2(a):
    """2x2 average pooling (the [1 1]/2 low-pass and decimation of the reference code)."""
    h, w = a.shape[0] // 2 * 2, a.shape[1] // 2 * 2
    a = a[:h, :w]
    return (a[0::2, 0::2] + a[1::2, 0::2] + a[0::2, 1::2] + a[1::2, 1::2]) / 4


def ms_ssim(ref_rgb, dist_rgb):
    """3-scale MS-SSIM on luminance: prod_j cs_j^w_j (j < M) * ssim_M^w_M."""
    x, y = luminance(ref_rgb), luminance(dist_rgb)
    value = 1.0
    for j, w in enumerate(MSSSIM_WEIGHTS):
        _, cs, ssim = ssim_terms(x, y)
        last = j == len(MSSSIM_WEIGHTS) - 1
        # cs can dip below 0 for anti-correlated patches; clamp so the power is defined.
        value *= max(ssim if last else cs, 0.0) ** w
        if not last:
            x, y = downsample2(x), downsample2(y)
    return value


def msssim_to_mos(m):
    return 1.0 + 4.0 * float(np.clip((m - MOS_LO) / (1.0 - MOS_LO), 0.0, 1.0)) ** MOS_GAMMA


def save_png(path, rgb):
    Image.fromarray(rgb).save(path, format="PNG", optimize=False, compress_level=9)


def histogram(values, lo=1.0, hi=5.0, bins=8):
    counts, edges = np.histogram(values, bins=bins, range=(lo, hi))
    top = max(counts.max(), 1)
    return "\n".join(f"  {edges[i]:.2f}-{edges[i + 1]:.2f} {counts[i]:4d} " + "#" * int(round(40 * counts[i] / top))
                     for i in range(bins))


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(root, "public", "demo"))
    args = parser.parse_args()
    img_dir = os.path.join(args.out, "images")
    if os.path.isdir(img_dir):
        shutil.rmtree(img_dir)
    os.makedirs(img_dir)

    rows, images, refs, per_type = [], [], [], {k: [] for k, _, _ in DISTORTIONS}
    for r, (name, frac, _, _) in enumerate(REFERENCES, start=1):
        ref = load_reference(name, frac)
        ref_file = f"I{r:02d}.png"
        save_png(os.path.join(img_dir, ref_file), ref)
        refs.append(f"images/{ref_file}")
        for d, (kind, _, levels) in enumerate(DISTORTIONS, start=1):
            for lv, param in enumerate(levels, start=1):
                rng = np.random.default_rng([SEED, r, d, lv])
                dist = distort(ref, kind, param, rng)
                m = ms_ssim(ref, dist)
                mos = round(msssim_to_mos(m), 3)
                fname = f"I{r:02d}_{d:02d}_{lv:02d}.png"
                save_png(os.path.join(img_dir, fname), dist)
                rows.append((fname, ref_file, mos))
                images.append(f"images/{fname}")
                per_type[kind].append((lv, m, mos))

    with open(os.path.join(args.out, "mos.csv"), "w", newline="\n") as fh:
        fh.write("dist_img,ref_img,dmos,var\n")
        for fname, ref_file, mos in rows:
            fh.write(f"images/{fname},images/{ref_file},{mos:.3f},0\n")

    manifest = {
        "name": "Demo: KADID-style synthetic set (MS-SSIM proxy scores)",
        "scoreFile": "mos.csv",
        "images": images,
        "references": refs,
        "proxy": True,
        "description": (
            f"{len(REFERENCES)} public-domain/CC0 photos from scikit-image, 128x128, each distorted by "
            f"{len(DISTORTIONS)} distortion types at 5 levels ({len(images)} images). Scores are a FORMULA, "
            "not human opinions: a 3-scale MS-SSIM against the reference mapped onto 1-5 "
            f"(mos = 1 + 4 * clip((msssim - {MOS_LO}) / (1 - {MOS_LO}), 0, 1) ^ {MOS_GAMMA}); "
            "higher is better. Split by reference (ref_img column) when training."
        ),
    }
    with open(os.path.join(args.out, "manifest.json"), "w", newline="\n") as fh:
        json.dump(manifest, fh, indent=2)
        fh.write("\n")

    # Sanity report: the proxy must fall with the level inside every distortion type.
    all_mos = np.array([m for _, _, m in rows])
    print(f"images: {len(images)} distorted + {len(refs)} references")
    print("per distortion type: Spearman(level, MOS), MS-SSIM range, MOS mean by level")
    for kind, vals in per_type.items():
        lv = np.array([v[0] for v in vals])
        ms = np.array([v[1] for v in vals])
        mo = np.array([v[2] for v in vals])
        rho = stats.spearmanr(lv, mo).correlation
        means = " ".join(f"{mo[lv == k].mean():.2f}" for k in range(1, 6))
        print(f"  {kind:20s} rho={rho:+.3f}  msssim {ms.min():.3f}-{ms.max():.3f}  mos by level {means}")
    print(f"MOS histogram (n={len(all_mos)}, mean {all_mos.mean():.2f}, sd {all_mos.std():.2f}):")
    print(histogram(all_mos))
    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(args.out) for f in fs)
    print(f"total size of {args.out}: {total / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
