#include <algorithm>
#include <optional>

#include "ir/passes/graph_edit.h"
#include "quant/int8_rewrite.h"
#include "runtime/op_registry.h"

namespace ptqc {

namespace {

bool is_ptqc(const Node& n, const char* op) { return n.domain == kPtqcDomain && n.op_type == op; }

/// An op with one output whose elements are elements of input 0, chosen by position or by
/// order (OpTraits ValueCopy::kFirstInput: Transpose, Reshape, Slice, MaxPool without indices, ...).
bool moves_first_input(const Node& n) {
  const bool one_output = !n.outputs.empty() && !n.outputs[0].empty() &&
                          std::all_of(n.outputs.begin() + 1, n.outputs.end(), [](const std::string& o) { return o.empty(); });
  return one_output && !n.inputs.empty() && copies_first_input(n);
}

/// A name for a new value: \p base, or \p base with a number, that \p graph does not use.
std::string fresh_value_name(const Graph& graph, const GraphIndex& index, const std::string& base) {
  std::string name = base;
  for (int k = 1; graph.info(name) || index.producer(name) >= 0 || graph.is_constant(name); ++k) {
    name = base + "_" + std::to_string(k);
  }
  return name;
}

/// Joins the chain starting at AscendDequant \p d, if it is one: the AscendQuant that ends it
/// becomes an AscendRequant, and the Dequant (and a Relu between them) are marked \p removed.
/// Ops that move input 0's elements (moves_first_input) before the Quant then move the
/// Requant's int8 output instead: each step of the chain is elementwise and non-decreasing
/// (deq_scale > 0), so moving elements, or picking a window's maximum, commutes with it.
/// True when joined. The index stays valid for later
/// chains: only the reader of the INT8 op's output changes, and no chain starts there.
bool fuse_at(Graph& graph, const GraphIndex& index, size_t d, std::vector<bool>& removed) {
  const Node& deq = graph.nodes[d];
  if (!is_ptqc(deq, "AscendDequant") || deq.attr_int("offset", 0) != 0 || deq.outputs.empty()) return false;
  int next = index.sole_reader(deq.outputs[0]);
  if (next < 0) return false;
  bool relu = false;
  size_t relu_index = 0;
  if (graph.nodes[static_cast<size_t>(next)].op_type == "Relu" && graph.nodes[static_cast<size_t>(next)].domain.empty()) {
    relu = true;
    relu_index = static_cast<size_t>(next);
    next = index.sole_reader(graph.nodes[relu_index].outputs[0]);
    if (next < 0) return false;
  }
  const std::vector<float>& deq_scale = deq.attr_floats("deq_scale");
  const bool increasing = std::all_of(deq_scale.begin(), deq_scale.end(), [](float s) { return s > 0; });
  std::vector<size_t> moves;  // the element-moving ops before the Quant, in chain order
  std::string value = graph.nodes[relu ? relu_index : d].outputs[0];  // the chain's float value so far
  while (increasing && moves_first_input(graph.nodes[static_cast<size_t>(next)]) &&
         graph.nodes[static_cast<size_t>(next)].inputs[0] == value) {
    moves.push_back(static_cast<size_t>(next));
    value = graph.nodes[static_cast<size_t>(next)].outputs[0];
    next = index.sole_reader(value);
    if (next < 0) return false;
  }
  Node& quant = graph.nodes[static_cast<size_t>(next)];
  if (!is_ptqc(quant, "AscendQuant")) return false;

  const float scale = quant.attr_float("scale", 1.0f);
  std::vector<float> req_scale = deq_scale;
  for (float& r : req_scale) r *= scale;
  Node requant = quant;  // keeps the AscendQuant's output name, offset and scale (1 / scale_d of the output)
  requant.name = deq.name.substr(0, deq.name.rfind("_dequant")) + "_requant";
  requant.op_type = "AscendRequant";
  requant.inputs = {deq.inputs[0]};
  requant.attrs["req_scale"] = deq.attrs.at("deq_scale");
  requant.attrs["req_scale"].floats = req_scale;
  requant.attrs["relu"] = Attribute::of_int(relu ? 1 : 0);
  requant.attrs["axis"] = deq.attrs.count("axis") ? deq.attrs.at("axis") : Attribute::of_int(1);

  // Requant -> int8 values -> the moving ops -> the Quant's output: each op's input becomes the
  // int8 form of its float input, and the last one writes the Quant's output.
  std::vector<std::string>* writer = &requant.outputs;
  for (size_t m : moves) {
    Node& op = graph.nodes[m];
    const std::string int8_value = fresh_value_name(graph, index, op.inputs[0] + "_int8");
    if (std::optional<ValueInfo> info = graph.info(op.inputs[0])) {
      info->name = int8_value;
      info->dtype = DataType::kInt8;
      graph.value_info[int8_value] = *info;
    }
    graph.value_info.erase(op.inputs[0]);
    (*writer)[0] = int8_value;
    op.inputs[0] = int8_value;
    writer = &op.outputs;
  }
  if (!moves.empty()) {
    graph.value_info.erase((*writer)[0]);
    (*writer)[0] = quant.outputs[0];
  }
  // Replace the Quant by the Requant and drop the Dequant (and Relu): the order stays topological
  // because the Requant reads only the Dequant's input, produced before the Dequant (moved ops
  // now read the Requant: the caller sorts again).
  quant = std::move(requant);
  removed[d] = true;
  if (relu) removed[relu_index] = true;
  return true;
}

}  // namespace

size_t fuse_requant(Graph& graph) {
  const bool has_dequant = std::any_of(graph.nodes.begin(), graph.nodes.end(),
                                       [](const Node& n) { return is_ptqc(n, "AscendDequant"); });
  if (!has_dequant) return 0;
  const GraphIndex index(graph);
  std::vector<bool> removed(graph.nodes.size(), false);
  size_t fused = 0;
  for (size_t i = 0; i < graph.nodes.size(); ++i) fused += fuse_at(graph, index, i, removed) ? 1 : 0;
  erase_nodes(graph, removed);
  return fused;
}

}  // namespace ptqc
