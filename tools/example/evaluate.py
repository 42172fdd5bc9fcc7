#!/usr/bin/python3
"""Accuracy of super-resolution outputs on the examples/sr held-out set (numpy only).

  evaluate.py --test=examples/sr/test/list.txt [--bicubic=DIR] [--markdown] OUT_DIR [OUT_DIR ...]

The test list is ptqc-run's --input_list of the held-out set; sample k (line k, from 0) has its
ground truth hr/NNNN.bin (1x3x128x128 UINT8 pixels) and torch's FP32 output ref/NNNN.bin
(1x3x128x128 FP32) beside the list. Each OUT_DIR is a ptqc-run --output folder
(OUT_DIR/NNNN/output_0.bin) or a folder of NNNN.bin files (torch_ptq.py, bicubic.py). Printed
per folder, each a mean over the samples:

  PSNR vs FP32          10 log10(1 / MSE(out, ref)), peak 1
  PSNR vs ground truth  10 log10(1 / MSE(out, hr / 255))
  correction SNR        10 log10(sum (ref - bic)^2 / sum (out - ref)^2), with --bicubic=DIR
                        (bicubic.py's upscales): how well the learned correction on top of
                        bicubic upscaling survives; the bicubic part is exact in float

PSNRs clip every image to [0, 1] first (values outside are clipped when it is displayed);
the correction SNR does not clip. --markdown prints "| vs FP32 | vs truth | SNR |" only.
"""
import argparse
import os
import sys

import numpy as np


def psnr(a, b):
    """10 log10(1 / mean((clip(a) - clip(b))^2)) with peak 1; inf for identical images."""
    mse = float(np.mean((np.clip(a, 0, 1).astype(np.float64) - np.clip(b, 0, 1)) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(1 / mse)


def snr(signal, error):
    """10 log10(sum signal^2 / sum error^2); inf for no error."""
    power = float(np.sum(np.square(error, dtype=np.float64)))
    return float("inf") if power == 0 else 10 * np.log10(float(np.sum(np.square(signal, dtype=np.float64))) / power)


def read_sample(folder, k, numel, dtype=np.float32):
    """Sample \\p k of an output folder in either layout: \\p numel values of \\p dtype as float64,
    uint8 pixels scaled to [0, 1]."""
    for path in (os.path.join(folder, f"{k:04d}", "output_0.bin"), os.path.join(folder, f"{k:04d}.bin")):
        if os.path.exists(path):
            data = np.fromfile(path, dtype=dtype)
            if data.size != numel:
                sys.exit(f"{path}: {data.size} values, expected {numel}")
            return data / 255.0 if dtype == np.uint8 else data.astype(np.float64)
    sys.exit(f"{folder}: no output for sample {k} ({k:04d}/output_0.bin or {k:04d}.bin)")


def count_samples(list_file):
    with open(list_file) as f:
        return sum(1 for line in f if line.strip())


def scores(folder, test_dir, count, numel, bicubic):
    """(PSNR vs FP32, PSNR vs ground truth, correction SNR or None) of one output folder."""
    vs_ref, vs_truth, correction = [], [], []
    for k in range(count):
        out = read_sample(folder, k, numel)
        ref = read_sample(os.path.join(test_dir, "ref"), k, numel)
        vs_ref.append(psnr(out, ref))
        vs_truth.append(psnr(out, read_sample(os.path.join(test_dir, "hr"), k, numel, np.uint8)))
        if bicubic:
            correction.append(snr(ref - read_sample(bicubic, k, numel), out - ref))
    return np.mean(vs_ref), np.mean(vs_truth), np.mean(correction) if bicubic else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--test", required=True, help="the held-out list file (examples/sr/test/list.txt)")
    parser.add_argument("--bicubic", help="bicubic.py's output folder: adds the correction SNR")
    parser.add_argument("--numel", type=int, default=3 * 128 * 128, help="values per output (1x3x128x128)")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("outputs", nargs="+")
    args = parser.parse_args()
    test_dir = os.path.dirname(os.path.abspath(args.test))
    count = count_samples(args.test)
    for folder in args.outputs:
        vs_ref, vs_truth, correction = scores(folder, test_dir, count, args.numel, args.bicubic)
        snr_text = "" if correction is None else f"{correction:.2f}"
        if args.markdown:
            print(f"| {vs_ref:.2f} | {vs_truth:.2f} | {snr_text} |")
        else:
            snr_text = f", correction SNR {snr_text} dB" if snr_text else ""
            print(f"{folder}: PSNR vs FP32 {vs_ref:.2f} dB, vs ground truth {vs_truth:.2f} dB{snr_text} ({count} samples)")


if __name__ == "__main__":
    main()
