#!/usr/bin/python3
"""Converts an FP32 ONNX model to FP16 weights and FP16 input/output (python3-onnx only).

  make_fp16.py IN.onnx OUT.onnx

Every FLOAT initializer, Constant and graph input/output becomes FLOAT16 (rounded to nearest
even), except the tensors that ONNX requires in FP32 whatever the data type: Resize's roi and
scales inputs. Intermediate value_info is dropped (shape inference recomputes it). This is what
an FP16-exported generator looks like to ptqc; torch on CPU cannot run (so cannot export) a
half-precision convolution, hence the conversion after export.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper

# (op type, input index) pairs that stay FLOAT.
FP32_INPUTS = {("Resize", 1), ("Resize", 2)}


def fp32_only_names(graph):
    return {name for node in graph.node for i, name in enumerate(node.input) if (node.op_type, i) in FP32_INPUTS}


def to_fp16(tensor):
    converted = numpy_helper.from_array(numpy_helper.to_array(tensor).astype(np.float16), tensor.name)
    tensor.CopyFrom(converted)


def convert(model):
    graph = model.graph
    keep = fp32_only_names(graph)
    for tensor in graph.initializer:
        if tensor.data_type == TensorProto.FLOAT and tensor.name not in keep:
            to_fp16(tensor)
    for node in graph.node:
        if node.op_type == "Constant" and node.output[0] not in keep:
            for attr in node.attribute:
                if attr.name == "value" and attr.t.data_type == TensorProto.FLOAT:
                    to_fp16(attr.t)
    for value in list(graph.input) + list(graph.output):
        if value.type.tensor_type.elem_type == TensorProto.FLOAT:
            value.type.tensor_type.elem_type = TensorProto.FLOAT16
    del graph.value_info[:]
    onnx.checker.check_model(model)
    return model


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    onnx.save(convert(onnx.load(sys.argv[1])), sys.argv[2])


if __name__ == "__main__":
    main()
