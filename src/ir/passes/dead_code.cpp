#include <algorithm>
#include <string_view>
#include <unordered_set>

#include "ir/passes/graph_edit.h"
#include "ptqc/passes.h"

namespace ptqc {

size_t eliminate_dead_code(Graph& graph) {
  // Views into the graph's own names: valid until the nodes move, and the set is done by then.
  std::unordered_set<std::string_view> live;
  for (const auto& out : graph.outputs) live.insert(out.name);
  // Walk backwards: a node is live when one of its outputs is; its inputs then become live.
  std::vector<bool> dead(graph.nodes.size(), true);
  for (size_t i = graph.nodes.size(); i-- > 0;) {
    const Node& node = graph.nodes[i];
    dead[i] = std::none_of(node.outputs.begin(), node.outputs.end(), [&](const std::string& out) { return live.count(out) != 0; });
    if (dead[i]) continue;
    for (const auto& in : node.inputs) {
      if (!in.empty()) live.insert(in);
    }
  }
  for (auto it = graph.initializers.begin(); it != graph.initializers.end();) {
    it = live.count(it->first) ? std::next(it) : graph.initializers.erase(it);
  }
  const auto removed = static_cast<size_t>(std::count(dead.begin(), dead.end(), true));
  if (removed > 0) erase_nodes(graph, dead);
  return removed;
}

}  // namespace ptqc
