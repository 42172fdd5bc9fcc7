#pragma once
/// \file
/// TensorProto -> Tensor: inline typed fields, raw_data, and external data.

#include <onnx/onnx_pb.h>

#include <string>

#include "ptqc/tensor.h"

namespace ptqc {

/// Converts \p proto. \p model_dir resolves external-data locations; \p what names
/// the tensor in error messages ("initializer 'conv1.weight'").
Tensor tensor_from_proto(const onnx::TensorProto& proto, const std::string& model_dir, const std::string& what);

/// Reads a whole file (E19000 when it cannot be read).
std::string read_file_bytes(const std::string& path);

}  // namespace ptqc
