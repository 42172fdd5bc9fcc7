#pragma once
// Builders for small ONNX models used by the tests (written with the ONNX protobuf API).

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include "ptqc/graph.h"
#include "ptqc/tensor.h"

namespace ptqc::testing_support {

/// A float32 TensorProto initializer with raw data.
onnx::TensorProto float_initializer(const std::string& name, const Shape& shape, const std::vector<float>& values);
/// An int64 TensorProto initializer (typed int64_data field).
onnx::TensorProto int64_initializer(const std::string& name, const std::vector<int64_t>& values);
/// Adds a graph input/output of element type \p elem_type and \p dims (-1 = symbolic "N").
void add_value(onnx::ValueInfoProto* v, const std::string& name, int elem_type, const Shape& dims);
/// A model with opset \p opset and an empty graph named "test".
onnx::ModelProto empty_model(int64_t opset);
/// Adds a node; returns it for attributes.
onnx::NodeProto* add_node(onnx::ModelProto& model, const std::string& op, const std::vector<std::string>& inputs,
                          const std::vector<std::string>& outputs, const std::string& name = "");
void set_int_attr(onnx::NodeProto* node, const std::string& key, int64_t value);
void set_ints_attr(onnx::NodeProto* node, const std::string& key, const std::vector<int64_t>& values);
/// Writes \p model to a fresh temp file and returns its path.
std::string save_temp_model(const onnx::ModelProto& model, const std::string& stem);
/// A fresh empty temp folder.
std::string temp_dir(const std::string& stem);

/// Exit status and combined stdout+stderr of a built tool (PTQC_TOOLS_DIR/<tool> <args>);
/// a run longer than 300 s is killed (status 124).
struct ToolResult {
  int status;
  std::string output;
};
ToolResult run_tool(const std::string& tool, const std::string& args);

/// Node \p name of type \p op reading \p in and writing \p out (default domain).
Node make_node(const std::string& name, const std::string& op, std::vector<std::string> in, std::vector<std::string> out);

}  // namespace ptqc::testing_support
