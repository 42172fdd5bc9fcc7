#pragma once
// Node builders and checks shared by the kernel tests (tests/runtime/*_test.cpp):
// a hand-made node, its attributes, a one-output evaluation and error capture.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ptqc/error.h"
#include "ptqc/executor.h"
#include "ptqc/graph.h"

namespace ptqc::kernel_test {

/// A default-domain node with inputs "x0".. and outputs "y0"...
inline Node make_node(const std::string& op_type, size_t inputs, size_t outputs = 1) {
  Node node;
  node.name = "n";
  node.op_type = op_type;
  for (size_t i = 0; i < inputs; ++i) node.inputs.push_back("x" + std::to_string(i));
  for (size_t i = 0; i < outputs; ++i) node.outputs.push_back("y" + std::to_string(i));
  return node;
}

inline Attribute int_attr(int64_t v) { return Attribute::of_int(v); }

inline Attribute float_attr(float v) { return Attribute::of_float(v); }

inline Attribute string_attr(const std::string& v) { return Attribute::of_string(v); }

inline Attribute ints_attr(const std::vector<int64_t>& v) { return Attribute::of_ints(v); }

inline Attribute floats_attr(const std::vector<float>& v) { return Attribute::of_floats(v); }

/// A float32 tensor of \p shape holding \p values.
inline Tensor floats(const std::vector<float>& values, Shape shape) { return Tensor::from_vector(values, std::move(shape)); }

/// A 1-D int64 tensor.
inline Tensor int64s(const std::vector<int64_t>& values) {
  return Tensor::from_vector(values, {static_cast<int64_t>(values.size())});
}

/// Expects \p t to be float32 of \p shape with values within \p tolerance of \p expected.
inline void expect_floats(const Tensor& t, const Shape& shape, const std::vector<float>& expected,
                          float tolerance = 1e-5f) {
  ASSERT_EQ(t.dtype(), DataType::kFloat32);
  ASSERT_EQ(t.shape(), shape);
  ASSERT_EQ(t.numel(), static_cast<int64_t>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(t.data<float>()[i], expected[i], tolerance) << "at " << i;
}

/// Output 0 of \p node run on \p inputs.
inline Tensor run_node(const Node& node, int64_t opset, const std::vector<const Tensor*>& inputs, int threads = 1) {
  return evaluate_node(node, opset, inputs, threads).at(0);
}

/// The code of the ptqc::Error that running \p node throws (a test failure, and
/// kInternal, when it throws none).
inline ErrorCode error_of(const Node& node, int64_t opset, const std::vector<const Tensor*>& inputs) {
  try {
    evaluate_node(node, opset, inputs);
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

}  // namespace ptqc::kernel_test
