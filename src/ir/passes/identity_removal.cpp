#include "ir/passes/graph_edit.h"
#include "ptqc/passes.h"

namespace ptqc {

namespace {

/// Identity, or a Dropout in inference mode whose mask nobody reads.
bool is_pass_through(const Graph& graph, const Node& node) {
  if (node.op_type == "Identity") return node.inputs.size() == 1 && node.outputs.size() == 1;
  if (node.op_type != "Dropout" || node.inputs.empty() || node.outputs.empty()) return false;
  if (node.outputs.size() > 1 && !node.outputs[1].empty() &&
      (count_reads(graph, node.outputs[1]) > 0 || is_graph_output(graph, node.outputs[1]))) {
    return false;
  }
  if (node.has_input(2)) {  // training_mode (opset 12+): only a constant false is inference
    const Tensor* mode = graph.constant(node.inputs[2]);
    if (!mode || mode->numel() != 1 || mode->to_int64_vector()[0] != 0) return false;
  }
  return true;
}

}  // namespace

size_t remove_identities(Graph& graph) {
  size_t removed = 0;
  for (size_t i = 0; i < graph.nodes.size();) {
    const Node& node = graph.nodes[i];
    if (!is_pass_through(graph, node)) {
      ++i;
      continue;
    }
    const std::string in = node.inputs[0];
    const std::string out = node.outputs[0];
    if (is_graph_output(graph, out)) {
      // Keep the output's name: the producer of `in` writes `out` directly, when `in` is a plain intermediate.
      const int producer = producer_index(graph, in);
      if (producer < 0 || is_graph_output(graph, in)) {
        ++i;
        continue;
      }
      for (auto& o : graph.nodes[static_cast<size_t>(producer)].outputs) {
        if (o == in) o = out;
      }
      replace_reads(graph, in, out);
    } else {
      replace_reads(graph, out, in);
    }
    graph.nodes.erase(graph.nodes.begin() + static_cast<std::ptrdiff_t>(i));
    ++removed;
  }
  return removed;
}

}  // namespace ptqc
