#include "ir/passes/graph_edit.h"
#include "ptqc/passes.h"

namespace ptqc {

namespace {

/// The index of the node that produces \p value, when it is a default-domain \p op_type.
int producer_of_type(const Graph& graph, const GraphIndex& index, const std::string& value, const char* op_type) {
  const int p = index.producer(value);
  if (p < 0) return -1;
  const Node& n = graph.nodes[static_cast<size_t>(p)];
  return n.op_type == op_type && n.domain.empty() ? p : -1;
}

}  // namespace

size_t fuse_swish(Graph& graph) {
  if (!has_op(graph, "Sigmoid")) return 0;
  GraphIndex index(graph);
  std::vector<bool> removed(graph.nodes.size(), false);
  size_t fused = 0;
  for (Node& mul : graph.nodes) {
    if (mul.op_type != "Mul" || !mul.domain.empty() || mul.inputs.size() != 2) continue;
    for (size_t side = 0; side < 2; ++side) {
      const int s = producer_of_type(graph, index, mul.inputs[side], "Sigmoid");
      if (s < 0 || removed[static_cast<size_t>(s)]) continue;
      const Node& sigmoid = graph.nodes[static_cast<size_t>(s)];
      const std::string x = mul.inputs[1 - side];
      const std::string& gate = sigmoid.outputs[0];
      if (sigmoid.inputs[0] != x || index.reads(gate) != 1 || index.is_graph_output(gate)) continue;
      index.add_reads(x, -1);  // the Sigmoid's read of x goes; the Swish reads x once, as the Mul did
      index.add_reads(gate, -1);
      mul.op_type = "Swish";
      mul.domain = "ptqc";
      mul.inputs = {x};
      removed[static_cast<size_t>(s)] = true;
      ++fused;
      break;
    }
  }
  erase_nodes(graph, removed);
  return fused;
}

}  // namespace ptqc
