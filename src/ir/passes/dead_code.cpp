#include <set>

#include "ptqc/passes.h"

namespace ptqc {

size_t eliminate_dead_code(Graph& graph) {
  std::set<std::string> live;
  for (const auto& out : graph.outputs) live.insert(out.name);
  // Walk backwards: a node is live when one of its outputs is; its inputs then become live.
  std::vector<bool> keep(graph.nodes.size(), false);
  for (size_t i = graph.nodes.size(); i-- > 0;) {
    const Node& node = graph.nodes[i];
    for (const auto& out : node.outputs) keep[i] = keep[i] || live.count(out) != 0;
    if (!keep[i]) continue;
    for (const auto& in : node.inputs) {
      if (!in.empty()) live.insert(in);
    }
  }
  std::vector<Node> kept;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (keep[i]) kept.push_back(std::move(graph.nodes[i]));
  }
  const size_t removed = graph.nodes.size() - kept.size();
  graph.nodes = std::move(kept);
  for (auto it = graph.initializers.begin(); it != graph.initializers.end();) {
    it = live.count(it->first) ? std::next(it) : graph.initializers.erase(it);
  }
  return removed;
}

}  // namespace ptqc
