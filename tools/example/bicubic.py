#!/usr/bin/python3
"""Bicubic x2 upscales of the examples/sr held-out inputs: the baseline the model must beat.

  bicubic.py EXAMPLE_DIR OUT_DIR

Writes OUT_DIR/NNNN.bin (FP32 1x3x128x128) for each line of EXAMPLE_DIR/test/list.txt, upscaled
by sr_model.Upscale (torch bicubic, a = -0.75, half-pixel, edge clamped: the same upscale the
model adds its correction to, and the baseline train_sr.py prints).
"""
import os
import sys

import numpy as np
import torch

from sr_model import Upscale
from sr_samples import read_list


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    example_dir, out_dir = sys.argv[1:]
    test_list = os.path.join(example_dir, "test", "list.txt")
    os.makedirs(out_dir, exist_ok=True)
    with torch.no_grad():
        for k, x in enumerate(read_list(test_list, os.path.dirname(test_list))):
            Upscale()(x).numpy().astype(np.float32).tofile(os.path.join(out_dir, f"{k:04d}.bin"))


if __name__ == "__main__":
    main()
