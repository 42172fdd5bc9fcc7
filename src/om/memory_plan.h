#pragma once
/// \file
/// What the execution plan (TASK_INFO) is computed from and checked against: the
/// kernel name of each op and the lifetime and static size of each value an op produces.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ptqc/graph.h"

namespace ptqc {

/// The op registry key of \p node: the op type for the default ONNX domain ("" or
/// "ai.onnx"), "<domain>.<op type>" otherwise ("ptqc.QConv").
std::string kernel_name(const Node& node);

/// A value produced by an op: it is live from first_op (its producer) to last_op (its
/// last reader; the op count for a graph output; first_op when nothing reads it).
struct ProducedValue {
  std::string name;
  uint64_t first_op = 0;
  uint64_t last_op = 0;
  /// numel * element size when the dtype and a static shape are known (graph inputs,
  /// outputs or value_info), nullopt otherwise.
  std::optional<uint64_t> bytes;
};

/// Every non-empty op output of \p graph, in production order. \pre \p graph is valid.
std::vector<ProducedValue> produced_values(const Graph& graph);

}  // namespace ptqc
