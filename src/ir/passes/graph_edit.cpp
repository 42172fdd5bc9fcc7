#include "ir/passes/graph_edit.h"

#include <algorithm>

namespace ptqc {

GraphIndex::GraphIndex(const Graph& graph) {
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (const auto& in : graph.nodes[i].inputs) {
      if (in.empty()) continue;
      ++reads_[in];
      first_reader_.emplace(in, i);
    }
    for (const auto& out : graph.nodes[i].outputs) {
      if (!out.empty()) producer_.emplace(out, i);
    }
  }
  for (const auto& out : graph.outputs) graph_outputs_.insert(out.name);
}

int GraphIndex::producer(const std::string& value) const {
  const auto it = producer_.find(value);
  return it == producer_.end() ? -1 : static_cast<int>(it->second);
}

size_t GraphIndex::reads(const std::string& value) const {
  const auto it = reads_.find(value);
  return it == reads_.end() ? 0 : it->second;
}

int GraphIndex::sole_reader(const std::string& value) const {
  if (is_graph_output(value) || reads(value) != 1) return -1;
  return static_cast<int>(first_reader_.at(value));
}

void GraphIndex::add_reads(const std::string& value, int64_t delta) {
  reads_[value] = static_cast<size_t>(static_cast<int64_t>(reads(value)) + delta);
}

int producer_index(const Graph& graph, const std::string& value) {
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (const auto& out : graph.nodes[i].outputs) {
      if (out == value) return static_cast<int>(i);
    }
  }
  return -1;
}

bool has_op(const Graph& graph, const char* op_type) {
  return std::any_of(graph.nodes.begin(), graph.nodes.end(),
                     [&](const Node& n) { return n.op_type == op_type && (n.domain.empty() || n.domain == "ai.onnx"); });
}

void erase_nodes(Graph& graph, const std::vector<bool>& removed) {
  size_t kept = 0;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (removed[i]) continue;
    if (kept != i) graph.nodes[kept] = std::move(graph.nodes[i]);
    ++kept;
  }
  graph.nodes.resize(kept);
}

std::string unique_constant_name(const Graph& graph, const std::string& base) {
  std::string name = base;
  for (int k = 1; graph.initializers.count(name); ++k) name = base + "_" + std::to_string(k);
  return name;
}

}  // namespace ptqc
