#include "ir/passes/graph_edit.h"
#include "ptqc/passes.h"

namespace ptqc {

namespace {

/// Identity, or a Dropout in inference mode whose mask nobody reads.
bool is_pass_through(const Graph& graph, const GraphIndex& index, const Node& node) {
  if (node.op_type == "Identity") return node.inputs.size() == 1 && node.outputs.size() == 1;
  if (node.op_type != "Dropout" || node.inputs.empty() || node.outputs.empty()) return false;
  const bool mask_used = node.outputs.size() > 1 && !node.outputs[1].empty() &&
                         (index.reads(node.outputs[1]) > 0 || index.is_graph_output(node.outputs[1]));
  if (mask_used) return false;
  if (node.has_input(2)) {  // training_mode (opset 12+): only a constant false is inference
    const Tensor* mode = graph.constant(node.inputs[2]);
    if (!mode || mode->numel() != 1 || mode->to_int64_vector()[0] != 0) return false;
  }
  return true;
}

/// Value renames collected while removing nodes, applied to every read at the end.
/// Each value is renamed at most once, so following the chain terminates.
class Renames {
 public:
  void add(const std::string& from, const std::string& to) { to_[from] = to; }
  std::string resolve(std::string name) const {
    for (auto it = to_.find(name); it != to_.end(); it = to_.find(name)) name = it->second;
    return name;
  }
  void apply(Graph& graph) const {
    if (to_.empty()) return;
    for (auto& node : graph.nodes) {
      for (auto& in : node.inputs) {
        if (!in.empty()) in = resolve(in);
      }
    }
  }

 private:
  std::unordered_map<std::string, std::string> to_;
};

}  // namespace

size_t remove_identities(Graph& graph) {
  if (!has_op(graph, "Identity") && !has_op(graph, "Dropout")) return 0;
  GraphIndex index(graph);
  Renames renames;
  std::vector<bool> removed(graph.nodes.size(), false);
  size_t count = 0;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    if (!is_pass_through(graph, index, node)) continue;
    const std::string in = renames.resolve(node.inputs[0]);
    const std::string& out = node.outputs[0];
    if (index.is_graph_output(out)) {
      // Keep the output's name: the producer of `in` writes `out` directly, when `in` is a plain intermediate.
      const int producer = index.producer(in);
      if (producer < 0 || index.is_graph_output(in)) continue;
      for (auto& o : graph.nodes[static_cast<size_t>(producer)].outputs) {
        if (o == in) o = out;
      }
      index.set_producer(out, static_cast<size_t>(producer));
      renames.add(in, out);
    } else {
      renames.add(out, in);
    }
    removed[i] = true;
    ++count;
  }
  renames.apply(graph);
  erase_nodes(graph, removed);
  return count;
}

}  // namespace ptqc
