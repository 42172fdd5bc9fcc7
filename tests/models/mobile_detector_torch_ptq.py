#!/usr/bin/python3
"""PyTorch FX post-training quantization of tests/models/mobile_detector, for docs/accuracy.md.

  mobile_detector_torch_ptq.py OUT_DIR

Rebuilds the detector in PyTorch from model.onnx (BatchNorm is folded into the convolutions
there, so the module uses plain biased convolutions; the BatchNorm after the ConvTranspose stays),
checks it against the ONNX reference output, quantizes it with torch.ao.quantization FX graph
mode (get_default_qconfig_mapping("onednn"): HistogramObserver activations, per-channel weights;
Debian's torch has no fbgemm), calibrates on the 16 calibration photos (calib.txt) and writes, for
the 8 held-out photos (eval.txt), OUT_DIR/input/NNNN.bin (the model input, for ptqc-compare),
OUT_DIR/fp32/NNNN.bin and OUT_DIR/torch_int8/NNNN.bin (outputs), and prints the INT8 model's
mean and worst cosine, mean SQNR and mask IoU at 0.3 against FP32 as a row of
tools/example/trained_model_table.sh.
"""
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from PIL import Image
from torch.ao.quantization import HistogramObserver, QConfig, default_weight_observer, get_default_qconfig_mapping
from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import train_mobile_detector as tmd  # noqa: E402

DIR = os.path.join(HERE, "mobile_detector")


def folded_conv_bn(cin, cout, k, stride=1, groups=1, act=None):
    layers = [torch.nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=True), torch.nn.Identity()]
    if act is not None:
        layers.append(act())
    return torch.nn.Sequential(*layers)


def module_path(node_name):
    """'/stage2/stage2.0/expand/expand.0/Conv' -> 'stage2.0.expand.0' (torch's export scopes)."""
    parts = node_name.strip("/").split("/")[:-1]
    path, last = parts[0], parts[0]
    for part in parts[1:]:
        path += part[len(last):] if part.startswith(last + ".") else "." + part
        last = part
    return path


def load_from_onnx():
    tmd.conv_bn = folded_conv_bn  # the ONNX export folded BatchNorm into the convolutions
    net = tmd.MobileDetector().eval()
    model = onnx.load(os.path.join(DIR, "model.onnx"))
    weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in model.graph.initializer}
    modules = dict(net.named_modules())
    for node in model.graph.node:
        if node.op_type in ("Conv", "ConvTranspose"):
            m = modules[module_path(node.name)]
            m.weight.data.copy_(weights[node.input[1]])
            m.bias.data.copy_(weights[node.input[2]])
        elif node.op_type == "BatchNormalization":
            m = modules[module_path(node.name)]
            for attr, name in zip(("weight", "bias", "running_mean", "running_var"), node.input[1:]):
                getattr(m, attr).data.copy_(weights[name])
    return net


def photos(list_name):
    with open(os.path.join(DIR, list_name)) as f:
        names = [line.strip() for line in f if line.strip()]
    return [torch.from_numpy(np.asarray(Image.open(os.path.join(DIR, "calib", n))).astype(np.float32)[None] / 255.0)
            for n in names]


def metrics(ref, test):
    """As ptqc-compare reports them: mean and worst per-sample cosine, mean per-sample SQNR, pooled mask IoU."""
    cos, sqnr = [], []
    for r, t in zip(ref, test):
        r, t = r.ravel().astype(np.float64), t.ravel().astype(np.float64)
        cos.append(np.dot(r, t) / np.sqrt(np.dot(r, r) * np.dot(t, t)))
        sqnr.append(10 * np.log10(np.dot(r, r) / np.dot(r - t, r - t)))
    r, t = np.concatenate([x.ravel() for x in ref]), np.concatenate([x.ravel() for x in test])
    iou = np.sum((r > 0.3) & (t > 0.3)) / max(1, np.sum((r > 0.3) | (t > 0.3)))
    return np.mean(cos), np.min(cos), np.mean(sqnr), iou


def main():
    out = sys.argv[1]
    torch.set_num_threads(1)
    net = load_from_onnx()
    x0 = torch.from_numpy(np.fromfile(os.path.join(DIR, "input_0.bin"), dtype=np.float32).reshape(1, 64, 64, 3))
    expected = np.fromfile(os.path.join(DIR, "expected_0.bin"), dtype=np.float32)
    with torch.no_grad():
        drift = float(np.abs(net(x0).numpy().ravel() - expected).max())
    if drift > 1e-4:
        raise SystemExit(f"the rebuilt module differs from the ONNX model by {drift}")
    calibration, held_out = photos("calib.txt"), photos("eval.txt")
    torch.backends.quantized.engine = "onednn"
    # torch has no per-channel ConvTranspose: that one layer gets the per-tensor default qconfig.
    per_tensor = QConfig(activation=HistogramObserver.with_args(reduce_range=False), weight=default_weight_observer)
    mapping = get_default_qconfig_mapping("onednn").set_object_type(torch.nn.ConvTranspose2d, per_tensor)
    prepared = prepare_fx(net, mapping, example_inputs=(calibration[0],))
    with torch.no_grad():
        for x in calibration:
            prepared(x)
        quantized = convert_fx(prepared)
        ref = [net(x).numpy() for x in held_out]
        test = [quantized(x).numpy() for x in held_out]
    for sub, tensors in (("input", [x.numpy() for x in held_out]), ("fp32", ref), ("torch_int8", test)):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
        for k, t in enumerate(tensors):
            t.astype(np.float32).tofile(os.path.join(out, sub, f"{k:04d}.bin"))
    with open(os.path.join(out, "input", "list.txt"), "w") as f:
        f.write("".join(f"{k:04d}.bin\n" for k in range(len(held_out))))
    cos, worst, sqnr, iou = metrics(ref, test)
    print(f"torch FX PTQ (onednn) | {cos:.5f} | {worst:.5f} | {sqnr:.2f} | {iou:.4f}")


if __name__ == "__main__":
    main()
