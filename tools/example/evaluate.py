#!/usr/bin/python3
"""PSNR of super-resolution outputs (numpy only).

  evaluate.py --test=examples/sr/test/list.txt OUT_DIR [OUT_DIR ...] [--against=REF_DIR]

The test list is ptqc-run's --input_list of the held-out set (examples/sr/test/list.txt); sample k
(line k, from 0) has its ground truth hr/NNNN.bin (1x3x128x128 UINT8 pixels) and its torch FP32
output ref/NNNN.bin (1x3x128x128 FP32) beside the list. Each OUT_DIR is a ptqc-run --output folder
(OUT_DIR/NNNN/output_0.bin) or a folder of NNNN.bin files. For each one it prints

  PSNR vs ground truth, PSNR vs the FP32 reference (or vs --against, another output folder)

as the mean over the samples of 10 log10(1 / MSE), every image clipped to [0, 1] first (it is
an image: values outside are clipped when it is displayed). --markdown prints only the two
numbers as "| a | b |" for accuracy_table.sh.
"""
import argparse
import os
import sys

import numpy as np


def psnr(a, b):
    """10 log10(1 / mean((clip(a) - clip(b))^2)) with peak 1; inf for identical images."""
    mse = float(np.mean((np.clip(a, 0, 1).astype(np.float64) - np.clip(b, 0, 1)) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(1 / mse)


def read_sample(folder, k, numel, dtype=np.float32):
    """Sample \\p k of an output folder in either layout: \\p numel values of \\p dtype, uint8
    pixels scaled to [0, 1]."""
    for path in (os.path.join(folder, f"{k:04d}", "output_0.bin"), os.path.join(folder, f"{k:04d}.bin")):
        if os.path.exists(path):
            data = np.fromfile(path, dtype=dtype)
            if data.size != numel:
                sys.exit(f"{path}: {data.size} values, expected {numel}")
            return data / np.float32(255) if dtype == np.uint8 else data
    sys.exit(f"{folder}: no output for sample {k} ({k:04d}/output_0.bin or {k:04d}.bin)")


def count_samples(list_file):
    with open(list_file) as f:
        return sum(1 for line in f if line.strip())


def mean_psnr(folder, reference, count, numel, reference_dtype=np.float32):
    return float(np.mean([psnr(read_sample(folder, k, numel), read_sample(reference, k, numel, reference_dtype))
                          for k in range(count)]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--test", required=True, help="the held-out list file (examples/sr/test/list.txt)")
    parser.add_argument("--against", help="compare with this output folder instead of the FP32 reference")
    parser.add_argument("--numel", type=int, default=3 * 128 * 128, help="floats per output (1x3x128x128)")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("outputs", nargs="+")
    args = parser.parse_args()
    test_dir = os.path.dirname(os.path.abspath(args.test))
    count = count_samples(args.test)
    reference = args.against or os.path.join(test_dir, "ref")
    for folder in args.outputs:
        vs_gt = mean_psnr(folder, os.path.join(test_dir, "hr"), count, args.numel, np.uint8)
        vs_ref = mean_psnr(folder, reference, count, args.numel)
        if args.markdown:
            print(f"| {vs_ref:.2f} | {vs_gt:.2f} |")
        else:
            print(f"{folder}: PSNR vs ground truth {vs_gt:.2f} dB, vs {reference} {vs_ref:.2f} dB ({count} samples)")


if __name__ == "__main__":
    main()
