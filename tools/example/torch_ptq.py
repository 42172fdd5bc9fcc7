#!/usr/bin/python3
"""PyTorch's own post-training quantization of the examples/sr model, for comparison with ptqc.

  torch_ptq.py EXAMPLE_DIR OUT_DIR [--engine=onednn|qnnpack] [--scope=all|conv]

Loads SRNet with model_fp32.onnx's weights, quantizes it with torch.ao.quantization FX graph mode
(get_default_qconfig_mapping(engine): HistogramObserver activations, per-channel weights for
onednn), calibrates on the same 32 samples as ptqc (calib_bin.txt), runs the INT8 model on the
held-out inputs (test/list.txt) and writes OUT_DIR/NNNN.bin (FP32 1x3x128x128, evaluate.py reads
it) and OUT_DIR/model_int8.pt (the quantized state_dict, for its size).

The bicubic upscale (F.interpolate bicubic has no quantized kernel) always stays in float.
--scope=all (FX's default) quantizes everything else FX supports: Conv+ReLU (fused), the
PixelShuffle output and the final Add, so the image itself leaves the model as INT8 (256 levels).
--scope=conv quantizes only Conv+ReLU and keeps PixelShuffle and the Add in float, the scope
ptqc quantizes (it leaves DepthToSpace, Resize and Add in float). Debian's torch has no fbgemm,
hence onednn by default.
"""
import argparse
import operator
import os

import numpy as np
import torch
from torch.ao.quantization import get_default_qconfig_mapping
from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

from sr_model import load_from_onnx
from sr_samples import read_list


def quantize(net, calibration, engine, scope):
    torch.backends.quantized.engine = engine
    mapping = get_default_qconfig_mapping(engine).set_module_name("upscale", None)
    if scope == "conv":
        mapping.set_module_name("shuffle", None).set_object_type(operator.add, None)
    prepared = prepare_fx(net, mapping, example_inputs=(calibration[0],))
    with torch.no_grad():
        for x in calibration:
            prepared(x)
    return convert_fx(prepared)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("example_dir")
    parser.add_argument("out_dir")
    parser.add_argument("--engine", default="onednn", choices=["onednn", "qnnpack"])
    parser.add_argument("--scope", default="all", choices=["all", "conv"])
    args = parser.parse_args()
    torch.set_num_threads(1)
    net = load_from_onnx(os.path.join(args.example_dir, "model_fp32.onnx"))
    calibration = read_list(os.path.join(args.example_dir, "calib_bin.txt"), os.path.join(args.example_dir, "calib_bin"))
    test_list = os.path.join(args.example_dir, "test", "list.txt")
    inputs = read_list(test_list, os.path.dirname(test_list))
    quantized = quantize(net, calibration, args.engine, args.scope)
    os.makedirs(args.out_dir, exist_ok=True)
    with torch.no_grad():
        for k, x in enumerate(inputs):
            quantized(x).numpy().astype(np.float32).tofile(os.path.join(args.out_dir, f"{k:04d}.bin"))
    torch.save(quantized.state_dict(), os.path.join(args.out_dir, "model_int8.pt"))
    print(f"torch FX PTQ ({args.engine}, scope {args.scope}): {len(calibration)} calibration samples, {len(inputs)} test outputs in {args.out_dir}")


if __name__ == "__main__":
    main()
