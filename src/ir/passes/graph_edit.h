#pragma once
/// \file
/// Small graph-editing helpers shared by the passes. A pass builds one GraphIndex and
/// marks the nodes it removes, then erases them in one sweep: looking producers and
/// readers up node by node, or erasing from the node vector one at a time, would make
/// a pass quadratic in the number of nodes.

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ptqc/graph.h"

namespace ptqc {

/// Who produces and how often nodes read each value of a graph, built in O(nodes).
/// Passes that rewire the graph keep it current with set_producer/add_reads.
class GraphIndex {
 public:
  explicit GraphIndex(const Graph& graph);
  /// Index of the node producing \p value, or -1 (graph input, initializer, unknown).
  int producer(const std::string& value) const;
  /// Number of node inputs that read \p value (a node reading it twice counts twice).
  size_t reads(const std::string& value) const;
  bool is_graph_output(const std::string& value) const { return graph_outputs_.count(value) != 0; }
  /// The index of the only node reading \p value, or -1 when \p value is a graph output or
  /// not read exactly once.
  int sole_reader(const std::string& value) const;

  void set_producer(const std::string& value, size_t node) { producer_[value] = node; }
  /// Adds \p delta (possibly negative) to the read count of \p value.
  void add_reads(const std::string& value, int64_t delta);

 private:
  std::unordered_map<std::string, size_t> producer_;
  std::unordered_map<std::string, size_t> reads_;
  std::unordered_map<std::string, size_t> first_reader_;
  std::unordered_set<std::string> graph_outputs_;
};

/// Index of the node producing \p value, or -1: a linear search, for one-off lookups outside
/// the passes (a pass that looks up every node builds a GraphIndex).
int producer_index(const Graph& graph, const std::string& value);

/// True when some node of \p graph has default-domain op type \p op_type: passes look for
/// their candidates first, so a graph without any costs one scan, not an index.
bool has_op(const Graph& graph, const char* op_type);

/// Erases the nodes whose \p removed flag is set, keeping the order of the others.
/// \pre removed.size() == graph.nodes.size().
void erase_nodes(Graph& graph, const std::vector<bool>& removed);

/// \p base, or \p base with a numeric suffix, not yet used as an initializer name.
std::string unique_constant_name(const Graph& graph, const std::string& base);

}  // namespace ptqc
