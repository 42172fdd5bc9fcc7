#!/usr/bin/python3
"""Writes the calibration and held-out test sets of examples/sr beside its model.

  make_example_data.py EXAMPLE_DIR      (EXAMPLE_DIR holds model_fp32.onnx)

  calib_bin/NNNN.bin, calib_bin.txt   32 LR patches, raw FP32 1x3x64x64 in [0, 1] (input_type data)
  calib_png/NNNN.png, calib_png.txt   the same 32 patches as 64x64 RGB PNGs (input_type img, std 255)
  test/list.txt                       ptqc-run --input_list of the 16 held-out LR inputs
  test/lr/NNNN.bin                    raw FP32 1x3x64x64 in [0, 1]
  test/hr/NNNN.bin                    ground truth, raw UINT8 1x3x128x128 (pixel values, exact)
  test/ref/NNNN.bin                   torch's FP32 output of model_fp32.onnx's weights, 1x3x128x128

The LR patches are 8-bit images, so v / 255 in FP32 is the same number whether ptqc reads the
.bin or decodes the PNG and normalizes it with std 255.
"""
import os
import sys

import numpy as np
import torch
from PIL import Image

import sr_photos
from sr_model import load_from_onnx


def write_list(path, lines):
    with open(path, "w") as f:
        f.write("".join(line + "\n" for line in lines))


def write_calibration(example_dir):
    patches = sr_photos.calibration_patches(sr_photos.training_photos())
    names = [f"{k:04d}" for k in range(len(patches))]
    for folder in ("calib_bin", "calib_png"):
        os.makedirs(os.path.join(example_dir, folder), exist_ok=True)
    for name, patch in zip(names, patches):
        sr_photos.to_chw_float(patch).tofile(os.path.join(example_dir, "calib_bin", name + ".bin"))
        Image.fromarray(patch).save(os.path.join(example_dir, "calib_png", name + ".png"), optimize=True)
    write_list(os.path.join(example_dir, "calib_bin.txt"), [n + ".bin" for n in names])
    write_list(os.path.join(example_dir, "calib_png.txt"), [n + ".png" for n in names])


def write_test_set(example_dir, net):
    test_dir = os.path.join(example_dir, "test")
    for folder in ("lr", "hr", "ref"):
        os.makedirs(os.path.join(test_dir, folder), exist_ok=True)
    lines = []
    for k, (lr, hr) in enumerate(sr_photos.test_pairs()):
        name = f"{k:04d}.bin"
        x = sr_photos.to_chw_float(lr)
        x.tofile(os.path.join(test_dir, "lr", name))
        np.ascontiguousarray(hr.transpose(2, 0, 1)).tofile(os.path.join(test_dir, "hr", name))
        with torch.no_grad():
            net(torch.from_numpy(x)[None]).numpy().astype(np.float32).tofile(os.path.join(test_dir, "ref", name))
        lines.append("lr/" + name)
    write_list(os.path.join(test_dir, "list.txt"), lines)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    example_dir = sys.argv[1]
    torch.set_num_threads(1)
    net = load_from_onnx(os.path.join(example_dir, "model_fp32.onnx"))
    write_calibration(example_dir)
    write_test_set(example_dir, net)


if __name__ == "__main__":
    main()
