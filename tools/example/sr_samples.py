"""Reading the raw FP32 samples of a list file (calib_bin.txt, test/list.txt) for torch scripts."""
import os

import numpy as np
import torch

INPUT_SHAPE = (1, 3, 64, 64)


def read_list(list_file, base_dir):
    """The samples of \\p list_file (first column of each non-blank, non-# line, relative to
    \\p base_dir) as FP32 1x3x64x64 tensors."""
    with open(list_file) as f:
        paths = [line.split()[0] for line in f if line.strip() and not line.lstrip().startswith("#")]
    return [torch.from_numpy(np.fromfile(os.path.join(base_dir, p), dtype=np.float32).reshape(INPUT_SHAPE))
            for p in paths]
