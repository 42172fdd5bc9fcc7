#include "compare/layer_matching.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "runtime/op_registry.h"

namespace ptqc {

bool is_quantized_layer(const Node& node) {
  static const std::set<std::string> ops = {"QConv", "QConvTranspose", "QMatMul", "QBatchMatMul", "QAveragePool"};
  return node.domain == kPtqcDomain && ops.count(node.op_type) != 0;
}

std::vector<LayerComparison> match_quantized_layers(const Graph& fp32, const Graph& int8) {
  std::map<std::string, const Node*> fp32_nodes;
  for (const Node& n : fp32.nodes) fp32_nodes[n.name] = &n;
  std::vector<LayerComparison> layers;
  for (const Node& q : int8.nodes) {
    if (!is_quantized_layer(q) || q.inputs.empty() || q.outputs.empty()) continue;
    const auto it = fp32_nodes.find(q.name);
    if (it == fp32_nodes.end() || it->second->inputs.empty() || it->second->outputs.empty()) {
      spdlog::warn("quantized layer '{}' ({}) has no node of that name in the FP32 model: left out", q.name, q.op_type);
      continue;
    }
    LayerComparison layer;
    layer.name = q.name;
    layer.op_type = it->second->op_type;
    layer.int8_op = q.op_type;
    layer.activation = it->second->inputs[0];
    layer.output = it->second->outputs[0];
    layers.push_back(std::move(layer));
  }
  return layers;
}

namespace {

/// The first value of \p measured that \p fp32's nodes compute from \p start (nodes are in
/// topological order, so the first one met is the nearest downstream), or "".
std::string first_measured_downstream(const Graph& fp32, const std::string& start,
                                      const std::map<std::string, ValueError>& measured) {
  std::set<std::string> reached = {start};
  for (const Node& n : fp32.nodes) {
    if (std::none_of(n.inputs.begin(), n.inputs.end(), [&](const std::string& v) { return reached.count(v) != 0; })) continue;
    for (const std::string& out : n.outputs) {
      if (measured.count(out)) return out;
      reached.insert(out);
    }
  }
  return "";
}

}  // namespace

void attach_cumulative_errors(std::vector<LayerComparison>& layers, const Graph& fp32,
                              const std::map<std::string, ValueError>& measured) {
  for (LayerComparison& layer : layers) {
    layer.compared_value = measured.count(layer.output) ? layer.output : first_measured_downstream(fp32, layer.output, measured);
    layer.compared_downstream = !layer.compared_value.empty() && layer.compared_value != layer.output;
    if (!layer.compared_value.empty()) layer.cumulative = measured.at(layer.compared_value);
  }
}

}  // namespace ptqc
