#include <algorithm>
#include <set>

#include "ptqc/error.h"
#include "ptqc/passes.h"

namespace ptqc {

namespace {

bool is_nondeterministic(const std::string& op) {
  static const std::set<std::string> ops = {"RandomNormal", "RandomUniform", "RandomNormalLike",
                                            "RandomUniformLike", "Multinomial", "Bernoulli"};
  return ops.count(op) != 0;
}

/// Shape (opset 15 start/end slicing) or Size of a value whose shape is statically known.
std::optional<Tensor> fold_shape_query(const Graph& graph, const Node& node) {
  if ((node.op_type != "Shape" && node.op_type != "Size") || node.inputs.size() != 1) return std::nullopt;
  const auto info = graph.info(node.inputs[0]);
  if (!info || !info->is_static()) return std::nullopt;
  const Shape& dims = info->dims;
  if (node.op_type == "Size") return Tensor::scalar<int64_t>(shape_numel(dims));
  const auto rank = static_cast<int64_t>(dims.size());
  auto clamp_index = [rank](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t{0}, rank); };
  const int64_t start = clamp_index(node.attr_int("start", 0));
  const int64_t end = clamp_index(node.attr_int("end", rank));
  std::vector<int64_t> sliced;
  for (int64_t d = start; d < end; ++d) sliced.push_back(dims[static_cast<size_t>(d)]);
  return Tensor::from_vector<int64_t>(sliced, {static_cast<int64_t>(sliced.size())});
}

bool all_inputs_constant(const Graph& graph, const Node& node) {
  return std::all_of(node.inputs.begin(), node.inputs.end(),
                     [&](const std::string& in) { return in.empty() || graph.is_constant(in); });
}

}  // namespace

size_t fold_constants(Graph& graph, const NodeEvaluator& evaluate) {
  size_t folded = 0;
  std::vector<Node> kept;
  for (Node& node : graph.nodes) {
    std::vector<Tensor> outputs;
    if (auto shape = fold_shape_query(graph, node)) {
      outputs.push_back(std::move(*shape));
    } else if (!is_nondeterministic(node.op_type) && all_inputs_constant(graph, node) && !node.outputs.empty()) {
      std::vector<const Tensor*> inputs;
      for (const auto& in : node.inputs) inputs.push_back(in.empty() ? nullptr : graph.constant(in));
      try {
        outputs = evaluate(node, graph.opset, inputs);
      } catch (const Error& e) {
        if (e.code() != ErrorCode::kUnsupportedOp) throw;
        outputs.clear();  // no kernel: the executor reports it with the node's context
      }
    }
    if (outputs.empty()) {
      kept.push_back(std::move(node));
      continue;
    }
    for (size_t k = 0; k < node.outputs.size() && k < outputs.size(); ++k) {
      if (!node.outputs[k].empty()) graph.initializers[node.outputs[k]] = std::move(outputs[k]);
    }
    ++folded;
  }
  graph.nodes = std::move(kept);
  return folded;
}

}  // namespace ptqc
