#include "ir/passes/graph_edit.h"
#include "ptqc/passes.h"

namespace ptqc {

namespace {

/// The index of the node that produces \p value, when it is a default-domain \p op_type.
int producer_of_type(const Graph& graph, const std::string& value, const char* op_type) {
  const int p = producer_index(graph, value);
  if (p < 0) return -1;
  const Node& n = graph.nodes[static_cast<size_t>(p)];
  return n.op_type == op_type && n.domain.empty() ? p : -1;
}

}  // namespace

size_t fuse_swish(Graph& graph) {
  size_t fused = 0;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    Node& mul = graph.nodes[i];
    if (mul.op_type != "Mul" || !mul.domain.empty() || mul.inputs.size() != 2) continue;
    for (size_t side = 0; side < 2; ++side) {
      const int s = producer_of_type(graph, mul.inputs[side], "Sigmoid");
      if (s < 0) continue;
      const Node& sigmoid = graph.nodes[static_cast<size_t>(s)];
      const std::string& x = mul.inputs[1 - side];
      const std::string gate = sigmoid.outputs[0];
      if (sigmoid.inputs[0] != x || count_reads(graph, gate) != 1 || is_graph_output(graph, gate)) continue;
      mul.op_type = "Swish";
      mul.domain = "ptqc";
      mul.inputs = {x};
      graph.nodes.erase(graph.nodes.begin() + s);  // s < i: the Sigmoid comes before its reader
      --i;
      ++fused;
      break;
    }
  }
  return fused;
}

}  // namespace ptqc
