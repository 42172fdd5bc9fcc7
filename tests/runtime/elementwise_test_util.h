#pragma once
// Builders shared by the elementwise and activation kernel tests: a hand-made
// node, its attributes, and a one-output evaluation.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ptqc/error.h"
#include "ptqc/executor.h"
#include "ptqc/graph.h"

namespace ptqc::elementwise_testing {

/// A node "n" of type \p op with inputs x0..x(n-1) and one output y.
inline Node make_node(const std::string& op, size_t num_inputs) {
  Node node;
  node.name = "n";
  node.op_type = op;
  for (size_t i = 0; i < num_inputs; ++i) node.inputs.push_back("x" + std::to_string(i));
  node.outputs = {"y"};
  return node;
}

inline Attribute int_attr(int64_t value) {
  Attribute a;
  a.kind = Attribute::Kind::kInt;
  a.i = value;
  return a;
}

inline Attribute float_attr(float value) {
  Attribute a;
  a.kind = Attribute::Kind::kFloat;
  a.f = value;
  return a;
}

inline Attribute string_attr(const std::string& value) {
  Attribute a;
  a.kind = Attribute::Kind::kString;
  a.s = value;
  return a;
}

/// Output 0 of \p node run on \p inputs.
inline Tensor run_node(const Node& node, int64_t opset, const std::vector<const Tensor*>& inputs, int threads = 1) {
  return evaluate_node(node, opset, inputs, threads).at(0);
}

/// The code of the ptqc::Error that running \p node throws (a test failure when it throws none).
inline ErrorCode error_of(const Node& node, int64_t opset, const std::vector<const Tensor*>& inputs) {
  try {
    run_node(node, opset, inputs);
  } catch (const Error& e) {
    return e.code();
  }
  ADD_FAILURE() << node.op_type << " did not fail";
  return ErrorCode::kInternal;
}

/// The values of a tensor as a vector, for EXPECT_EQ against hand-written lists.
template <class T>
std::vector<T> values_of(const Tensor& t) {
  const auto v = t.values<T>();
  return {v.begin(), v.end()};
}

}  // namespace ptqc::elementwise_testing
