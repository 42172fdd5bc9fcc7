#pragma once
/// \file
/// The ONNX frontend: reads a model file (protobuf, with external-data tensors
/// beside it), binds --input_shape dims and builds the ptqc Graph. Intermediate
/// shapes come from the executor's own shape inference (annotate_graph_shapes), not
/// from ONNX's. Constant nodes become initializers; FP16/BF16 weights and
/// I/O are promoted to float32 on request.

#include <map>
#include <string>
#include <string_view>

#include "ptqc/graph.h"

namespace ptqc {

/// --input_shape: input name -> dims (-1 keeps a dim dynamic).
using InputShapes = std::map<std::string, Shape>;

struct LoadOptions {
  InputShapes input_shapes;
  /// Run float16/bfloat16 models in float32: weights, graph I/O, Cast targets and
  /// value types become float32 (graph I/O remember their declared type).
  bool promote_float16 = true;
};

/// Opset range of the default domain that ptqc runs natively; opsets 1-6 are upgraded to kMinOpset on load.
inline constexpr int64_t kMinOpset = 7;
inline constexpr int64_t kMaxOpset = 21;

/// Loads \p path. Errors: E19000 unreadable file, E19020 not a valid ONNX model
/// or malformed graph, E19010 unsupported opset/element type/attribute form,
/// E10001 an --input_shape entry that does not fit the model.
Graph load_onnx_model(const std::string& path, const LoadOptions& options = {});

/// load_onnx_model on the file content \p bytes, already read: \p path names the model in
/// messages and its folder holds the external data.
Graph parse_onnx_model(std::string_view bytes, const std::string& path, const LoadOptions& options = {});

/// Parses ATC's --input_shape syntax "name:1,3,224,224;name2:1,10" (E10001 on bad syntax,
/// E10004 when empty). A dim of -1 keeps the dim dynamic; 0 and other negatives are rejected.
InputShapes parse_input_shape(const std::string& spec);

/// Reads a serialized ONNX TensorProto file (the backend tests' input_K.pb).
Tensor load_tensor_proto_file(const std::string& path);

}  // namespace ptqc
