#!/usr/bin/python3
"""Trains the small image classifier the accuracy tests quantize.

  train_digit_classifier.py [--iterations=1500]

The "classifier" class of issue 8, MobileNet-style: 3x3 conv + BN + ReLU6, a depthwise-separable
block (depthwise 3x3 + BN + ReLU6, pointwise + BN + ReLU), a strided 3x3 conv, global average
pooling and a linear layer: input `image` 1x1x16x16 (grey in [0, 1]), output `logits` 1x10.

Data: the UCI handwritten digits that ship with scikit-learn (Debian's python3-sklearn; 1797
real 8x8 scans of digits written by 43 people), upscaled to 16x16. Trained on the first 1400,
held out the rest: calibration = 16 training digits, evaluation = 64 held-out digits (PNG).

Writes to tests/models/digit_classifier/: model.onnx, calib/NNNN.png, eval/NNNN.png,
calib.txt, eval.txt (eval lines relative to calib/); quant.json is hand-written. Prints the
held-out accuracy of the float model.
"""
import argparse
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from sklearn.datasets import load_digits

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "digit_classifier")
TRAIN = 1400


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU6(),
            nn.Conv2d(16, 16, 3, 1, 1, groups=16, bias=False), nn.BatchNorm2d(16), nn.ReLU6(),
            nn.Conv2d(16, 32, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 32, 3, 2, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU())
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        return self.fc(F.adaptive_avg_pool2d(self.features(x), 1).flatten(1))


def images():
    digits = load_digits()
    x = torch.from_numpy(digits.images.astype(np.float32) / 16.0).unsqueeze(1)
    return F.interpolate(x, size=(16, 16), mode="bilinear", align_corners=False).clamp(0, 1), torch.from_numpy(digits.target)


def save_png(t, path):
    Image.fromarray(np.round(t.squeeze().numpy() * 255).astype(np.uint8), mode="L").save(path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=1500)
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    x, y = images()
    # PNG round trip: the model sees what the calibration files hold (8-bit grey).
    x = torch.round(x * 255) / 255
    model = Classifier()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    rng = np.random.default_rng(0)
    for it in range(args.iterations):
        idx = torch.from_numpy(rng.integers(0, TRAIN, 64))
        loss = F.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(x[TRAIN:]).argmax(1) == y[TRAIN:]).float().mean().item()
    print(f"held-out accuracy (float, {len(y) - TRAIN} digits): {100 * accuracy:.1f}%")
    os.makedirs(os.path.join(OUT, "calib"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "eval"), exist_ok=True)
    for k in range(16):
        save_png(x[k * 87], os.path.join(OUT, "calib", f"{k:04d}.png"))
    for k in range(64):
        save_png(x[TRAIN + k * 6], os.path.join(OUT, "eval", f"{k:04d}.png"))
    open(os.path.join(OUT, "calib.txt"), "w").write("".join(f"{k:04d}.png\n" for k in range(16)))
    open(os.path.join(OUT, "eval.txt"), "w").write("".join(f"../eval/{k:04d}.png\n" for k in range(64)))
    torch.onnx.export(model, x[:1], os.path.join(OUT, "model.onnx"), opset_version=13,
                      input_names=["image"], output_names=["logits"])


if __name__ == "__main__":
    main()
