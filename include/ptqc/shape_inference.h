#pragma once
/// \file
/// Compile-time checking of a graph with the executor's own kernels. Every node's kernel
/// runs on abstract tensors (element type and shape, no elements; Tensor::abstract): the
/// kernel code up to its last make_output computes, and checks, the output types and shapes
/// exactly as a real run would, but nothing is computed or allocated. Small values that
/// shapes are made of (Shape -> Gather -> Concat -> Reshape) are computed for real, so
/// exporter-style shape arithmetic is followed through.
///
/// A node whose outputs depend on element values that are known only at run time (NonZero,
/// a Reshape to a computed shape of an input's values, a graph input with a dynamic dim) is
/// deferred: it and everything downstream of it are checked when the model runs.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ptqc/error.h"
#include "ptqc/graph.h"

namespace ptqc {

struct ShapeCheck {
  size_t inferred = 0;         ///< nodes whose output types and shapes were inferred
  size_t deferred = 0;         ///< nodes left to run time (see the file comment)
  std::string first_deferred;  ///< the first deferred node ("NonZero 'nz'"), or why
  /// The first node that cannot run, with the reason: E19010 (no kernel: node, op type,
  /// domain, opset) or E19020 (its kernel rejects the inputs, or an output would exceed the
  /// size limit), the message ending with the node's domain and input types and shapes.
  std::optional<Error> failure;
  std::string failed_node;  ///< the name of that node
  /// The inferred type and shape of each graph output, in graph.outputs order (has_shape is
  /// false for an output left to run time). Filled only when there is no failure.
  std::vector<ValueInfo> outputs;
};

/// Infers the output type and shape of every node of \p graph (topologically sorted) from
/// its graph inputs' bound shapes. Never throws for a failing node: the result says which.
/// When \p values is given, every inferred node output's type and shape is added to it.
ShapeCheck infer_graph_shapes(const Graph& graph, std::map<std::string, ValueInfo>* values = nullptr);

/// infer_graph_shapes(\p graph), throwing its failure; the deferred nodes are logged (info).
void check_graph_shapes(const Graph& graph);

/// check_graph_shapes, then records what it inferred: graph.value_info gets every inferred
/// intermediate value and each graph output its computed type and shape. This is how a loaded
/// model gets its static shapes (the executor's own, not ONNX's shape inference, which is not
/// hardened against hostile models), for constant folding, the .om and its memory plan.
void annotate_graph_shapes(Graph& graph);

}  // namespace ptqc
