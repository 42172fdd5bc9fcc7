#!/usr/bin/python3
"""Builds the small exporter-style models the tests run, with reference outputs.

Each model goes to tests/models/<name>/: model.onnx, input_<i>.bin (raw little-endian
float32), expected_<k>.bin (float32 reference computed by PyTorch) and meta.json.
Needs python3-torch and python3-onnx (Debian); the repository does not need them
otherwise. Run: /usr/bin/python3 tests/models/make_models.py
"""
import json
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)
np.random.seed(0)


def save_case(name, model_proto, inputs, outputs, note):
    folder = os.path.join(HERE, name)
    os.makedirs(folder, exist_ok=True)
    onnx.save(model_proto, os.path.join(folder, "model.onnx"))
    for i, x in enumerate(inputs):
        np.ascontiguousarray(x, dtype=np.float32).tofile(os.path.join(folder, f"input_{i}.bin"))
    for k, y in enumerate(outputs):
        np.ascontiguousarray(y, dtype=np.float32).tofile(os.path.join(folder, f"expected_{k}.bin"))
    meta = {"note": note, "inputs": [list(x.shape) for x in inputs], "outputs": [list(y.shape) for y in outputs]}
    with open(os.path.join(folder, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)


def export_torch(module, example, name, note, dynamic_batch=True, opset=13):
    module.eval()
    path = os.path.join(HERE, name + ".tmp.onnx")
    axes = {"input": {0: "N"}, "output": {0: "N"}} if dynamic_batch else None
    torch.onnx.export(module, example, path, opset_version=opset, input_names=["input"], output_names=["output"],
                      dynamic_axes=axes, do_constant_folding=False)
    proto = onnx.load(path)
    os.remove(path)
    with torch.no_grad():
        y = module(example).numpy()
    save_case(name, proto, [example.numpy()], [y], note)


class TorchCnn(nn.Module):
    """Conv + unfused BatchNorm + ReLU, depthwise conv + HardSwish, pooling and a linear head."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.dw = nn.Conv2d(16, 16, 3, padding=1, groups=16)
        self.pw = nn.Conv2d(16, 24, 1)
        self.bn2 = nn.BatchNorm2d(24)
        self.up = nn.ConvTranspose2d(24, 8, 2, stride=2)
        self.fc = nn.Linear(8, 10)
        for bn in (self.bn1, self.bn2):  # non-trivial running statistics
            bn.running_mean.uniform_(-0.5, 0.5)
            bn.running_var.uniform_(0.5, 2.0)
            bn.weight.data.uniform_(0.5, 1.5)
            bn.bias.data.uniform_(-0.2, 0.2)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.hardswish(self.dw(x))
        x = F.max_pool2d(F.relu6(self.bn2(self.pw(x))), 2)
        x = torch.sigmoid(self.up(x))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return F.softmax(self.fc(x), dim=1)


class TinyTransformer(nn.Module):
    """One pre-norm encoder block written out: MatMul, Softmax, LayerNorm, GELU, residuals."""

    def __init__(self, dim=32, heads=4):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp1 = nn.Linear(dim, 4 * dim)
        self.mlp2 = nn.Linear(4 * dim, dim)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(self.norm1(x)).chunk(3, dim=-1)
        split = lambda z: z.reshape(b, t, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = split(q), split(k), split(v)
        att = torch.softmax(q @ k.transpose(-2, -1) / (d // self.heads) ** 0.5, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.proj(y)
        return x + self.mlp2(F.gelu(self.mlp1(self.norm2(x))))


def constant_node(name, array):
    return helper.make_node("Constant", [], [name], name=name + "_const", value=numpy_helper.from_array(array, name))


def paddle_style():
    """paddle2onnx-style graph: every weight in a Constant node, BatchNorm unfused,
    hard-swish written as HardSigmoid(alpha=1/6, beta=0.5) * x, opset 11."""
    w1 = np.random.randn(8, 3, 3, 3).astype(np.float32) * 0.3
    b1 = np.random.randn(8).astype(np.float32) * 0.1
    gamma, beta = np.random.uniform(0.5, 1.5, 8).astype(np.float32), np.random.randn(8).astype(np.float32) * 0.1
    mean, var = np.random.randn(8).astype(np.float32) * 0.2, np.random.uniform(0.5, 2, 8).astype(np.float32)
    w2 = np.random.randn(4, 8, 1, 1).astype(np.float32) * 0.3
    nodes = [constant_node(n, a) for n, a in
             [("w1", w1), ("b1", b1), ("gamma", gamma), ("beta", beta), ("mean", mean), ("var", var), ("w2", w2)]]
    nodes += [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("BatchNormalization", ["c1", "gamma", "beta", "mean", "var"], ["bn1"], name="bn1", epsilon=1e-5),
        helper.make_node("HardSigmoid", ["bn1"], ["hs"], name="hsig", alpha=1.0 / 6, beta=0.5),
        helper.make_node("Mul", ["bn1", "hs"], ["act"], name="hswish"),
        helper.make_node("Conv", ["act", "w2"], ["c2"], name="conv2"),
        helper.make_node("AveragePool", ["c2"], ["y"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
    ]
    graph = helper.make_graph(nodes, "paddle_style",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 8, 8])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)], producer_name="paddle2onnx-style")
    x = np.random.rand(1, 3, 16, 16).astype(np.float32)
    t = lambda a: torch.from_numpy(a)
    with torch.no_grad():
        c1 = F.conv2d(t(x), t(w1), t(b1), padding=1)
        bn = F.batch_norm(c1, t(mean), t(var), t(gamma), t(beta), eps=1e-5)
        act = bn * F.hardsigmoid(bn)  # torch's hardsigmoid is relu6(x + 3) / 6, the same function
        y = F.avg_pool2d(F.conv2d(act, t(w2)), 2).numpy()
    save_case("paddle_style", model, [x], [y], "weights in Constant nodes, unfused BatchNorm, HardSigmoid*x hard-swish")


def tf2onnx_style():
    """tf2onnx-style graph: NHWC input named 'input:0', Transpose to NCHW around a Conv,
    Transpose back, Relu6 as Clip with min/max inputs (opset 13), weights as initializers."""
    w = np.random.randn(6, 3, 3, 3).astype(np.float32) * 0.4
    b = np.random.randn(6).astype(np.float32) * 0.1
    inits = [numpy_helper.from_array(w, "conv/kernel"), numpy_helper.from_array(b, "conv/bias"),
             numpy_helper.from_array(np.array(0.0, np.float32), "clip_min"),
             numpy_helper.from_array(np.array(6.0, np.float32), "clip_max"),
             numpy_helper.from_array(np.array([0, -1], np.int64), "flat_shape")]
    nodes = [
        helper.make_node("Transpose", ["input:0"], ["nchw"], name="to_nchw", perm=[0, 3, 1, 2]),
        helper.make_node("Conv", ["nchw", "conv/kernel", "conv/bias"], ["conv"], name="conv", pads=[1, 1, 1, 1],
                         strides=[2, 2]),
        helper.make_node("Clip", ["conv", "clip_min", "clip_max"], ["relu6"], name="relu6"),
        helper.make_node("Transpose", ["relu6"], ["nhwc"], name="to_nhwc", perm=[0, 2, 3, 1]),
        helper.make_node("Reshape", ["nhwc", "flat_shape"], ["output:0"], name="flatten"),
    ]
    graph = helper.make_graph(nodes, "tf2onnx_style",
                              [helper.make_tensor_value_info("input:0", TensorProto.FLOAT, ["unk__0", 12, 12, 3])],
                              [helper.make_tensor_value_info("output:0", TensorProto.FLOAT, ["unk__1", 216])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="tf2onnx-style")
    x = np.random.rand(2, 12, 12, 3).astype(np.float32)
    with torch.no_grad():
        c = F.conv2d(torch.from_numpy(x).permute(0, 3, 1, 2), torch.from_numpy(w), torch.from_numpy(b), stride=2, padding=1)
        y = c.clamp(0, 6).permute(0, 2, 3, 1).reshape(2, -1).numpy()
    save_case("tf2onnx_style", model, [x], [y], "NHWC input with Transposes, Clip(min,max) relu6, dynamic batch")


if __name__ == "__main__":
    export_torch(TorchCnn(), torch.rand(2, 3, 32, 32), "torch_cnn",
                 "torch.onnx.export of a small CNN (BN unfused, depthwise, ConvTranspose, HardSwish, Softmax)")
    export_torch(TinyTransformer(), torch.randn(1, 8, 32), "torch_transformer",
                 "torch.onnx.export of one transformer block (shape subgraphs, MatMul, Softmax, LayerNorm, Gelu)",
                 dynamic_batch=True, opset=13)
    paddle_style()
    tf2onnx_style()
