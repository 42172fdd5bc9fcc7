#pragma once
/// \file
/// TensorProto -> Tensor: inline typed fields, raw_data, and external data.

#include <onnx/onnx_pb.h>

#include <string>

#include "ptqc/tensor.h"

namespace ptqc {

/// Converts \p proto. \p model_dir resolves external-data locations, which must stay inside
/// it; \p what names the tensor in error messages ("initializer 'conv1.weight'"). The size
/// its dims give is checked (overflow, memory limit) before anything is read or allocated.
Tensor tensor_from_proto(const onnx::TensorProto& proto, const std::string& model_dir, const std::string& what);

}  // namespace ptqc
