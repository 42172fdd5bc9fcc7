#pragma once
/// \file
/// Small graph-editing helpers shared by the passes.

#include <string>

#include "ptqc/graph.h"

namespace ptqc {

/// Makes every node that reads \p from read \p to instead.
void replace_reads(Graph& graph, const std::string& from, const std::string& to);
/// Number of node inputs that read \p value (a node reading it twice counts twice).
size_t count_reads(const Graph& graph, const std::string& value);
bool is_graph_output(const Graph& graph, const std::string& value);
bool is_graph_input(const Graph& graph, const std::string& value);
/// Index of the node producing \p value, or -1.
int producer_index(const Graph& graph, const std::string& value);
/// \p base, or \p base with a numeric suffix, not yet used as an initializer name.
std::string unique_constant_name(const Graph& graph, const std::string& base);

}  // namespace ptqc
