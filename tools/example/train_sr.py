#!/usr/bin/python3
"""Trains the x2 super-resolution generator (sr_model.SRNet) on real photos and exports it.

  train_sr.py OUT_DIR [--iterations=2000]

Writes OUT_DIR/model_fp32.onnx (opset 13, input "input" 1x3x64x64, output "output"
1x3x128x128) and OUT_DIR/model_fp32_dynamic.onnx (the same graph with N, H and W dynamic), and
prints PSNR on the held-out photos for bicubic upscaling and for the model; exits 1 if the
model is not at least 0.5 dB better.

Training: random 64x64 HR patches (32x32 LR) of the training photos (photo drawn in proportion
to its area), random flips and transposes, batch 16, MSE loss, Adam with a cosine learning rate
from 1e-3 to 1e-5. Fixed seeds and one thread, so a run is reproducible on one machine.
"""
import argparse
import math
import os
import time
import warnings

import numpy as np
import torch

import sr_photos
from evaluate import psnr
from sr_model import SRNet, Upscale

BATCH = 16
TRAIN_LR_SIZE = 32
MIN_GAIN_DB = 0.5


def training_batch(rng, photos, weights):
    lr_batch, hr_batch = [], []
    for _ in range(BATCH):
        photo = photos[rng.choice(len(photos), p=weights)]
        lr, hr = sr_photos.crop_pair(photo, *sr_photos.random_position(rng, photo, TRAIN_LR_SIZE), TRAIN_LR_SIZE)
        lr, hr = sr_photos.to_chw_float(lr), sr_photos.to_chw_float(hr)
        if rng.random() < 0.5:
            lr, hr = lr[:, :, ::-1], hr[:, :, ::-1]
        if rng.random() < 0.5:
            lr, hr = lr[:, ::-1], hr[:, ::-1]
        if rng.random() < 0.5:
            lr, hr = lr.transpose(0, 2, 1), hr.transpose(0, 2, 1)
        lr_batch.append(np.ascontiguousarray(lr))
        hr_batch.append(np.ascontiguousarray(hr))
    return torch.from_numpy(np.stack(lr_batch)), torch.from_numpy(np.stack(hr_batch))


def train(net, iterations):
    photos = sr_photos.training_photos()
    area = np.array([p.lr.shape[0] * p.lr.shape[1] for p in photos], dtype=np.float64)
    rng = np.random.default_rng(1)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    start = time.time()
    for step in range(iterations):
        lr_rate = 1e-5 + 0.5 * (1e-3 - 1e-5) * (1 + math.cos(math.pi * step / iterations))
        for group in optimizer.param_groups:
            group["lr"] = lr_rate
        lr, hr = training_batch(rng, photos, area / area.sum())
        loss = torch.mean((net(lr) - hr) ** 2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if (step + 1) % 250 == 0:
            print(f"step {step + 1}/{iterations}: loss {loss.item():.6f}, {time.time() - start:.0f} s", flush=True)
    print(f"training: {iterations} iterations in {time.time() - start:.0f} s on {len(photos)} photos")


def held_out_psnr(net):
    """Mean PSNR over the held-out pairs of the model and of bicubic upscaling."""
    model_db, bicubic_db = [], []
    with torch.no_grad():
        for lr, hr in sr_photos.test_pairs():
            x = torch.from_numpy(sr_photos.to_chw_float(lr))[None]
            truth = sr_photos.to_chw_float(hr)
            model_db.append(psnr(net(x)[0].numpy(), truth))
            bicubic_db.append(psnr(Upscale()(x)[0].numpy(), truth))
    return float(np.mean(model_db)), float(np.mean(bicubic_db))


def export(net, out_dir):
    x = torch.zeros(1, 3, sr_photos.TEST_LR_SIZE, sr_photos.TEST_LR_SIZE)
    common = dict(opset_version=13, input_names=["input"], output_names=["output"], do_constant_folding=True)
    torch.onnx.export(net, x, os.path.join(out_dir, "model_fp32.onnx"), **common)
    torch.onnx.export(net, x, os.path.join(out_dir, "model_fp32_dynamic.onnx"),
                      dynamic_axes={"input": {0: "batch", 2: "height", 3: "width"},
                                    "output": {0: "batch", 2: "height2", 3: "width2"}},
                      **common)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--iterations", type=int, default=2000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    warnings.filterwarnings("ignore", message="The shape inference of prim::Constant")
    net = SRNet()
    print(f"SRNet: {sum(p.numel() for p in net.parameters())} parameters")
    train(net, args.iterations)
    net.eval()
    model_db, bicubic_db = held_out_psnr(net)
    print(f"held-out PSNR: bicubic {bicubic_db:.2f} dB, model {model_db:.2f} dB (+{model_db - bicubic_db:.2f} dB)")
    os.makedirs(args.out_dir, exist_ok=True)
    export(net, args.out_dir)
    if model_db - bicubic_db < MIN_GAIN_DB:
        raise SystemExit(f"the model beats bicubic by less than {MIN_GAIN_DB} dB")


if __name__ == "__main__":
    main()
