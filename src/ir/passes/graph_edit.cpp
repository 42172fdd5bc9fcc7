#include "ir/passes/graph_edit.h"

namespace ptqc {

void replace_reads(Graph& graph, const std::string& from, const std::string& to) {
  for (auto& node : graph.nodes) {
    for (auto& in : node.inputs) {
      if (in == from) in = to;
    }
  }
}

size_t count_reads(const Graph& graph, const std::string& value) {
  size_t n = 0;
  for (const auto& node : graph.nodes) {
    for (const auto& in : node.inputs) n += in == value ? 1 : 0;
  }
  return n;
}

bool is_graph_output(const Graph& graph, const std::string& value) {
  for (const auto& out : graph.outputs) {
    if (out.name == value) return true;
  }
  return false;
}

bool is_graph_input(const Graph& graph, const std::string& value) {
  for (const auto& in : graph.inputs) {
    if (in.name == value) return true;
  }
  return false;
}

int producer_index(const Graph& graph, const std::string& value) {
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (const auto& out : graph.nodes[i].outputs) {
      if (out == value) return static_cast<int>(i);
    }
  }
  return -1;
}

std::string unique_constant_name(const Graph& graph, const std::string& base) {
  std::string name = base;
  for (int k = 1; graph.initializers.count(name); ++k) name = base + "_" + std::to_string(k);
  return name;
}

}  // namespace ptqc
