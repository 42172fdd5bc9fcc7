#pragma once
/// \file
/// The graph IR: a flat list of nodes that name their input and output values,
/// constant tensors (initializers), and typed graph inputs/outputs. Values are
/// identified by name, as in ONNX; an empty input name is an absent optional input.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ptqc/tensor.h"

namespace ptqc {

/// One node attribute. Only the member that matches kind is meaningful.
struct Attribute {
  enum class Kind { kInt, kFloat, kString, kInts, kFloats, kStrings, kTensor };
  Kind kind = Kind::kInt;
  int64_t i = 0;
  float f = 0.0f;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::vector<std::string> strings;
  Tensor t;

  /// One constructor per kind; the members of the other kinds stay empty.
  static Attribute of_int(int64_t v) { Attribute a; a.kind = Kind::kInt; a.i = v; return a; }
  static Attribute of_float(float v) { Attribute a; a.kind = Kind::kFloat; a.f = v; return a; }
  static Attribute of_string(std::string v) { Attribute a; a.kind = Kind::kString; a.s = std::move(v); return a; }
  static Attribute of_ints(std::vector<int64_t> v) { Attribute a; a.kind = Kind::kInts; a.ints = std::move(v); return a; }
  static Attribute of_floats(std::vector<float> v) { Attribute a; a.kind = Kind::kFloats; a.floats = std::move(v); return a; }
  static Attribute of_strings(std::vector<std::string> v) { Attribute a; a.kind = Kind::kStrings; a.strings = std::move(v); return a; }
  static Attribute of_tensor(Tensor v) { Attribute a; a.kind = Kind::kTensor; a.t = std::move(v); return a; }
};

/// Type and (possibly partial) shape of a value. A dim of -1 is unknown;
/// has_shape is false when even the rank is unknown.
struct ValueInfo {
  std::string name;
  DataType dtype = DataType::kUndefined;
  Shape dims;
  bool has_shape = false;
  /// The element type the model declared when the frontend promoted it (FP16 I/O -> float32).
  DataType declared_dtype = DataType::kUndefined;

  bool is_static() const;
};

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;  ///< "" for the default ONNX domain.
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::map<std::string, Attribute> attrs;

  bool has_attr(const std::string& key) const { return attrs.count(key) != 0; }
  /// Typed attribute reads with a default; a present attribute of the wrong kind is an E19020 error.
  int64_t attr_int(const std::string& key, int64_t fallback) const;
  float attr_float(const std::string& key, float fallback) const;
  std::string attr_string(const std::string& key, const std::string& fallback) const;
  std::vector<int64_t> attr_ints(const std::string& key, const std::vector<int64_t>& fallback = {}) const;
  std::vector<float> attr_floats(const std::string& key, const std::vector<float>& fallback = {}) const;
  const Tensor* attr_tensor(const std::string& key) const;

  /// True when input \p i exists and is not the empty (absent) name.
  bool has_input(size_t i) const { return i < inputs.size() && !inputs[i].empty(); }
  /// "Conv 'conv1'" for messages.
  std::string describe() const;
};

struct Graph {
  std::string name;
  int64_t opset = 0;  ///< Version of the default ONNX domain.
  std::vector<Node> nodes;
  std::vector<ValueInfo> inputs;   ///< Runtime inputs only (initializers are not listed here).
  std::vector<ValueInfo> outputs;
  std::map<std::string, Tensor> initializers;
  std::map<std::string, ValueInfo> value_info;  ///< Known types/shapes of intermediate values.

  bool is_constant(const std::string& value) const { return initializers.count(value) != 0; }
  const Tensor* constant(const std::string& value) const;
  /// Type/shape known for \p value (graph input, output, intermediate or constant), if any.
  std::optional<ValueInfo> info(const std::string& value) const;
};

/// Orders graph.nodes so that every node comes after the producers of its inputs,
/// keeping the original order among independent nodes. Throws E19020 on a cycle.
void topological_sort(Graph& graph);

/// Checks that the graph is well formed: every input value is produced exactly once
/// (by a node, a graph input or an initializer), node and graph outputs are unique,
/// graph outputs are produced, and the nodes are topologically ordered.
/// Throws E19020 naming the offending node/value.
void validate(const Graph& graph);

/// For each value name, the index of the last node that reads it (graph outputs
/// are read "after" the last node: index nodes.size()).
/// The keys view the graph's own names: valid while \p graph is not changed.
std::unordered_map<std::string_view, size_t> last_uses(const Graph& graph);

}  // namespace ptqc
