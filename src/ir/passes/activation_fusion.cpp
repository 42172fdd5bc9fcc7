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

/// Replaces each Mul(x, gate(x)) whose gate is a default-domain \p gate_type node that
/// \p accepts and has no other reader by one \p fused_type node of \p fused_domain reading x,
/// with the Mul's name and output. Returns the number of fusions.
size_t fuse_gated(Graph& graph, const char* gate_type, bool (*accepts)(const Node& gate), const char* fused_type,
                  const char* fused_domain) {
  if (!has_op(graph, gate_type)) return 0;
  GraphIndex index(graph);
  std::vector<bool> removed(graph.nodes.size(), false);
  size_t fused = 0;
  for (Node& mul : graph.nodes) {
    if (mul.op_type != "Mul" || !mul.domain.empty() || mul.inputs.size() != 2) continue;
    for (size_t side = 0; side < 2; ++side) {
      const int s = producer_of_type(graph, index, mul.inputs[side], gate_type);
      if (s < 0 || removed[static_cast<size_t>(s)]) continue;
      const Node& gate = graph.nodes[static_cast<size_t>(s)];
      const std::string x = mul.inputs[1 - side];
      const std::string& g = gate.outputs[0];
      if (gate.inputs[0] != x || !accepts(gate) || index.reads(g) != 1 || index.is_graph_output(g)) continue;
      index.add_reads(x, -1);  // the gate's read of x goes; the fused node reads x once, as the Mul did
      index.add_reads(g, -1);
      mul.op_type = fused_type;
      mul.domain = fused_domain;
      mul.inputs = {x};
      removed[static_cast<size_t>(s)] = true;
      ++fused;
      break;
    }
  }
  erase_nodes(graph, removed);
  return fused;
}

/// HardSigmoid(x; 1/6, 1/2), the gate of HardSwish: exactly the constants of the HardSwish
/// kernel, so the fused node computes the same float32 values.
bool is_hard_swish_gate(const Node& gate) {
  return gate.attr_float("alpha", 0.2f) == 1.0f / 6.0f && gate.attr_float("beta", 0.5f) == 0.5f;
}

}  // namespace

size_t fuse_swish(Graph& graph) {
  return fuse_gated(graph, "Sigmoid", [](const Node&) { return true; }, "Swish", "ptqc");
}

size_t fuse_hard_swish(Graph& graph) { return fuse_gated(graph, "HardSigmoid", &is_hard_swish_gate, "HardSwish", ""); }

}  // namespace ptqc
