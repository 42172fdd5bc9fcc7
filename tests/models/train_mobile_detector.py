#!/usr/bin/python3
"""Trains the mobile probability-map detector the accuracy tests quantize, on real photos.

  train_mobile_detector.py [--iterations=1500]

The model class of issue 8's losses (DB text detectors, MobileNet+FPN line detectors): a
MobileNetV3-style depthwise-separable backbone (Conv+BN, HardSwish and ReLU6, squeeze-excite
blocks with HardSigmoid, residual adds), a 3-level FPN (1x1 laterals, nearest upsampling, adds),
and a DB-style head (3x3 conv, ConvTranspose x2, 1x1 conv, Sigmoid) that outputs a
probability map. Exported the way tf2onnx exports Keras models: NHWC input 1x64x64x3 (RGB in
[0, 1]) and NHWC output 1x64x64x1, with the layout Transposes inside the graph.

Task: the probability that a pixel lies on a strong edge of the photo (gradient magnitude of
the blurred grey image above a threshold, dilated by one pixel) -- a dense binary map like a
text detector's, trained on real photos (python3-skimage and mate-backgrounds, the training
photos of tools/example/sr_photos.py; the held-out photos are never seen).

Writes to tests/models/mobile_detector/: model.onnx, calib/NNNN.png (16 calibration patches of
the training photos), eval/NNNN.png (8 patches of the held-out photos, the accuracy_target's
eval set), input_0.bin / expected_0.bin (one held-out sample and torch's output), meta.json.
Prints the held-out IoU of the mask at 0.5 against the target.
"""
import argparse
import json
import math
import os
import sys
import time
import warnings

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "example"))
import sr_photos  # noqa: E402

SIZE = 64
BATCH = 32
OUT = os.path.join(HERE, "mobile_detector")


def conv_bn(cin, cout, k, stride=1, groups=1, act=None):
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    if act is not None:
        layers.append(act())
    return nn.Sequential(*layers)


class SqueezeExcite(nn.Module):
    def __init__(self, channels, reduced):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, reduced, 1)
        self.fc2 = nn.Conv2d(reduced, channels, 1)

    def forward(self, x):
        s = F.adaptive_avg_pool2d(x, 1)
        return x * F.hardsigmoid(self.fc2(F.relu(self.fc1(s))))


class InvertedResidual(nn.Module):
    def __init__(self, cin, expand, cout, k, stride, act, se):
        super().__init__()
        self.expand = conv_bn(cin, expand, 1, act=act) if expand != cin else nn.Identity()
        self.depthwise = conv_bn(expand, expand, k, stride, groups=expand, act=act)
        self.se = SqueezeExcite(expand, max(8, expand // 4)) if se else nn.Identity()
        self.project = conv_bn(expand, cout, 1)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.project(self.se(self.depthwise(self.expand(x))))
        return x + y if self.residual else y


class MobileDetector(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = conv_bn(3, 16, 3, 2, act=nn.Hardswish)                                # 32x32
        self.stage1 = InvertedResidual(16, 16, 16, 3, 1, nn.ReLU6, False)                 # 32x32
        self.stage2 = nn.Sequential(InvertedResidual(16, 48, 24, 3, 2, nn.ReLU6, False),  # 16x16
                                    InvertedResidual(24, 72, 24, 3, 1, nn.ReLU6, False))
        self.stage3 = nn.Sequential(InvertedResidual(24, 72, 40, 5, 2, nn.Hardswish, True),  # 8x8
                                    InvertedResidual(40, 96, 40, 5, 1, nn.Hardswish, True))
        self.lateral = nn.ModuleList([nn.Conv2d(c, 24, 1) for c in (16, 24, 40)])
        self.head = nn.Sequential(conv_bn(24, 16, 3, act=nn.ReLU),
                                  nn.ConvTranspose2d(16, 8, 2, 2), nn.BatchNorm2d(8), nn.ReLU(),
                                  nn.Conv2d(8, 1, 1))

    def forward(self, x_nhwc):
        x = x_nhwc.permute(0, 3, 1, 2)
        c1 = self.stage1(self.stem(x))
        c2 = self.stage2(c1)
        c3 = self.stage3(c2)
        p3 = self.lateral[2](c3)
        p2 = self.lateral[1](c2) + F.interpolate(p3, scale_factor=2.0, mode="nearest")
        p1 = self.lateral[0](c1) + F.interpolate(p2, scale_factor=2.0, mode="nearest")
        return torch.sigmoid(self.head(p1)).permute(0, 2, 3, 1)


def edge_target(patch):
    """1 where the blurred grey patch has a strong gradient (dilated by one pixel), else 0."""
    grey = torch.from_numpy(patch.astype(np.float32).mean(axis=2) / 255.0)[None, None]
    blur = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0
    grey = F.conv2d(F.pad(grey, (2, 2, 2, 2), mode="replicate"), (blur[:, None] * blur[None, :])[None, None])
    gx = grey[..., 1:-1, 2:] - grey[..., 1:-1, :-2]
    gy = grey[..., 2:, 1:-1] - grey[..., :-2, 1:-1]
    edges = F.pad(((gx ** 2 + gy ** 2).sqrt() > 0.08).float(), (1, 1, 1, 1))
    return F.max_pool2d(edges, 3, 1, 1)[0, 0].numpy()


def random_patch(rng, photo):
    h, w = photo.hr.shape[:2]
    y, x = int(rng.integers(0, h - SIZE + 1)), int(rng.integers(0, w - SIZE + 1))
    return photo.hr[y:y + SIZE, x:x + SIZE]


def training_batch(rng, photos):
    xs, ts = [], []
    for _ in range(BATCH):
        patch = random_patch(rng, photos[int(rng.integers(len(photos)))])
        if rng.random() < 0.5:
            patch = patch[:, ::-1]
        if rng.random() < 0.5:
            patch = patch.transpose(1, 0, 2)
        patch = np.ascontiguousarray(patch)
        xs.append(patch.astype(np.float32) / 255.0)
        ts.append(edge_target(patch)[..., None])
    return torch.from_numpy(np.stack(xs)), torch.from_numpy(np.stack(ts))


def train(net, iterations):
    photos = sr_photos.training_photos()
    rng = np.random.default_rng(11)
    optimizer = torch.optim.Adam(net.parameters(), lr=3e-3)
    start = time.time()
    for step in range(iterations):
        for group in optimizer.param_groups:
            group["lr"] = 1e-5 + 0.5 * (3e-3 - 1e-5) * (1 + math.cos(math.pi * step / iterations))
        x, t = training_batch(rng, photos)
        p = net(x)
        dice = 1 - 2 * (p * t).sum() / (p.sum() + t.sum() + 1e-6)
        loss = F.binary_cross_entropy(p, t) + dice
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if (step + 1) % 250 == 0:
            print(f"step {step + 1}/{iterations}: loss {loss.item():.4f}, {time.time() - start:.0f} s", flush=True)


def patches(photos, count, seed):
    rng = np.random.default_rng(seed)
    return [np.ascontiguousarray(random_patch(rng, photos[i % len(photos)])) for i in range(count)]


def held_out_iou(net, samples):
    inter = union = 0.0
    with torch.no_grad():
        for patch in samples:
            p = net(torch.from_numpy(patch.astype(np.float32)[None] / 255.0))[0, ..., 0].numpy() > 0.5
            t = edge_target(patch) > 0.5
            inter += (p & t).sum()
            union += (p | t).sum()
    return inter / max(union, 1)


def export(net, samples):
    os.makedirs(os.path.join(OUT, "calib"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "eval"), exist_ok=True)
    example = torch.from_numpy(samples[0].astype(np.float32)[None] / 255.0)
    path = os.path.join(OUT, "model.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(net, example, path, opset_version=13, input_names=["image"], output_names=["prob"])
    onnx.checker.check_model(onnx.load(path))
    example.numpy().tofile(os.path.join(OUT, "input_0.bin"))
    with torch.no_grad():
        net(example).numpy().tofile(os.path.join(OUT, "expected_0.bin"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=1500)
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    net = MobileDetector()
    train(net, args.iterations)
    net.eval()
    held_out = patches(sr_photos.test_photos(), 8, 21)
    calibration = patches(sr_photos.training_photos(), 16, 22)
    print(f"held-out mask IoU at 0.5: {held_out_iou(net, held_out):.3f}")
    export(net, held_out)
    for folder, images in (("calib", calibration), ("eval", held_out)):
        with open(os.path.join(OUT, folder + ".txt"), "w") as f:
            for i, patch in enumerate(images):
                Image.fromarray(patch).save(os.path.join(OUT, folder, f"{i:04d}.png"), optimize=True)
                f.write(f"{'' if folder == 'calib' else '../eval/'}{i:04d}.png\n")
    meta = {"note": "mobile probability-map detector (depthwise, SE, HardSwish, ReLU6, FPN, NHWC), "
                    "trained by train_mobile_detector.py on real photos",
            "inputs": [[1, SIZE, SIZE, 3]], "outputs": [[1, SIZE, SIZE, 1]]}
    with open(os.path.join(OUT, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)


if __name__ == "__main__":
    main()
