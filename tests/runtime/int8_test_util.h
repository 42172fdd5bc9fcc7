#pragma once
// Helpers of the INT8 kernel tests (tests/runtime/int8_*_test.cpp): nodes of domain ptqc,
// random int8 data with the extremes, reading a node into a kernel problem, and the
// comparison of a fast path against the reference on every instruction set and thread count.

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "ptqc/graph.h"
#include "ptqc/tensor.h"
#include "runtime/kernels/int8/int8_util.h"
#include "runtime/op_context.h"
#include "runtime/op_registry.h"
#include "support/kernel_test_util.h"

namespace ptqc::int8_test {

/// A node of domain ptqc with \p inputs inputs ("x0"..) and one output.
inline Node ptqc_node(const std::string& op_type, size_t inputs, std::map<std::string, Attribute> attrs = {}) {
  Node node = kernel_test::make_node(op_type, inputs);
  node.domain = kPtqcDomain;
  node.attrs = std::move(attrs);
  return node;
}

/// Sets the ints attribute \p key of \p node, unless \p values is empty (the attribute's default).
inline void set_ints(Node& node, const std::string& key, const std::vector<int64_t>& values) {
  if (!values.empty()) node.attrs[key] = kernel_test::ints_attr(values);
}

/// An int8 tensor of \p shape with uniform values over [-128, 127], and the extremes -128 and
/// 127 at the first two positions (when there are two).
inline Tensor random_int8(std::mt19937& rng, Shape shape) {
  Tensor t(DataType::kInt8, std::move(shape));
  std::uniform_int_distribution<int> value(-128, 127);
  for (int8_t& v : t.values<int8_t>()) v = static_cast<int8_t>(value(rng));
  if (t.numel() >= 2) {
    t.data<int8_t>()[0] = -128;
    t.data<int8_t>()[1] = 127;
  }
  return t;
}

/// An int32 tensor of \p shape with uniform values over [-bound, bound].
inline Tensor random_int32(std::mt19937& rng, Shape shape, int32_t bound) {
  Tensor t(DataType::kInt32, std::move(shape));
  std::uniform_int_distribution<int32_t> value(-bound, bound);
  for (int32_t& v : t.values<int32_t>()) v = value(rng);
  return t;
}

/// read(ctx) over an OpContext of \p node and \p inputs (a problem that points into the inputs).
template <class Read>
auto read_node(const Node& node, const std::vector<const Tensor*>& inputs, Read read) {
  std::vector<Tensor> outputs(node.outputs.size());
  OpContext ctx(node, 21, inputs, outputs, KernelEnv{default_allocator()});
  return read(ctx);
}

/// Runs fast(run, out) for every instruction set this CPU has and 1, 2 and 3 threads, and expects
/// each result to equal \p expected element for element.
template <class T>
void expect_fast_matches(const std::vector<T>& expected, const std::function<void(const Int8Run&, T*)>& fast,
                         const std::string& what) {
  for (Int8Isa isa : runnable_int8_isas()) {
    for (int threads : {1, 2, 3}) {
      std::vector<T> got(expected.size(), T{0x5a});
      fast(Int8Run{isa, threads, default_allocator()}, got.data());
      size_t mismatches = 0, first = 0;
      for (size_t i = 0; i < got.size(); ++i) {
        if (got[i] != expected[i] && mismatches++ == 0) first = i;
      }
      EXPECT_EQ(mismatches, 0u) << what << " on " << int8_isa_name(isa) << " with " << threads << " threads: first at "
                                << first << ", got " << int64_t{got[first]} << ", expected "
                                << int64_t{expected[first]};
    }
  }
}

/// The offsets the randomized tests cycle through: both extremes, a small negative, zero.
inline constexpr int32_t kOffsets[] = {-128, -3, 0, 127};

}  // namespace ptqc::int8_test
