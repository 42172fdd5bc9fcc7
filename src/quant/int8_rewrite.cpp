#include "quant/int8_rewrite.h"

#include <optional>
#include <set>
#include <tuple>

#include "ir/passes/graph_edit.h"
#include "ptqc/error.h"
#include "ptqc/passes.h"
#include "runtime/op_registry.h"
#include "runtime/quant_traits.h"

namespace ptqc {

namespace {

Node ptqc_node(const std::string& name, const std::string& op, std::vector<std::string> in, std::vector<std::string> out) {
  Node n;
  n.name = name;
  n.op_type = op;
  n.domain = kPtqcDomain;
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  return n;
}

/// Explicit begin/end pads of a Conv/AveragePool (ONNX auto_pad rules), or nullopt when
/// auto_pad needs an input shape that is not known.
std::optional<std::vector<int64_t>> explicit_pads(const Node& node, const std::vector<int64_t>& kernel,
                                                  const std::optional<ValueInfo>& input) {
  const size_t dims = kernel.size();
  const std::string auto_pad = node.attr_string("auto_pad", "NOTSET");
  if (auto_pad == "NOTSET") return node.attr_ints("pads", std::vector<int64_t>(2 * dims, 0));
  if (auto_pad == "VALID") return std::vector<int64_t>(2 * dims, 0);
  if (!input || !input->is_static() || input->dims.size() != dims + 2) return std::nullopt;
  const auto strides = node.attr_ints("strides", std::vector<int64_t>(dims, 1));
  const auto dilations = node.attr_ints("dilations", std::vector<int64_t>(dims, 1));
  std::vector<int64_t> pads(2 * dims);
  for (size_t i = 0; i < dims; ++i) {
    const int64_t in = input->dims[i + 2];
    const int64_t out = (in + strides[i] - 1) / strides[i];
    const int64_t total = std::max<int64_t>(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in);
    const int64_t small = total / 2, large = total - small;
    pads[i] = auto_pad == "SAME_LOWER" ? large : small;
    pads[i + dims] = auto_pad == "SAME_LOWER" ? small : large;
  }
  return pads;
}

/// The Q-op that replaces \p node (inputs and output filled by the caller), or nullopt
/// when its padding cannot be resolved.
std::optional<Node> int8_op(const Node& node, const Graph& graph, const std::map<std::string, ValueInfo>& shapes) {
  auto input_info = [&]() -> std::optional<ValueInfo> {
    auto it = shapes.find(node.inputs[0]);
    return it == shapes.end() ? graph.info(node.inputs[0]) : std::optional<ValueInfo>(it->second);
  };
  const QuantTraits& traits = *quant_traits(node);
  Node q = ptqc_node(node.name, is_activation_matmul(graph, node) ? traits.activation_int8_op : traits.int8_op, {}, {});
  for (const std::string& key : traits.int8_attrs) {
    if (node.has_attr(key)) q.attrs[key] = node.attrs.at(key);
  }
  if (traits.global) q.attrs["global"] = Attribute::of_int(1);
  if (traits.pads != Int8Pads::kNone) {
    const Tensor* w = traits.pads == Int8Pads::kWeightKernel ? graph.constant(node.inputs[1]) : nullptr;
    const std::vector<int64_t> kernel = w ? std::vector<int64_t>(w->shape().begin() + 2, w->shape().end())
                                          : node.attr_ints("kernel_shape");
    const auto pads = explicit_pads(node, kernel, input_info());
    if (!pads) return std::nullopt;
    q.attrs["pads"] = Attribute::of_ints(*pads);
  }
  return q;
}

/// Rewrites the graph's nodes; shares one AscendQuant per (value, scale, offset).
class Int8Rewriter {
 public:
  Int8Rewriter(Graph& graph, const std::map<std::string, ValueInfo>& shapes) : graph_(graph), shapes_(shapes) {}

  /// Appends the INT8 form of \p node to \p out; false when it must stay float.
  bool rewrite(const Node& node, const SolvedLayer& layer, std::vector<Node>& out) {
    std::optional<Node> q = int8_op(node, graph_, shapes_);
    if (!q) return false;
    const LayerQuantRecord& r = layer.record;
    q->inputs.push_back(quantized_input(node.name + "_quant", r.activation, r.scale_d, r.offset_d, out));
    if (!r.activation_b.empty()) {
      q->inputs.push_back(quantized_input(node.name + "_quant_b", r.activation_b, r.scale_w.at(0), r.offset_w, out));
      q->attrs["b_offset"] = Attribute::of_int(r.offset_w);
    }
    if (!layer.weights.empty()) {
      q->inputs.push_back(add_constant(node.name + ".weight_int8", layer.weights));
      if (!layer.bias.empty()) q->inputs.push_back(add_constant(node.name + ".bias_int32", layer.bias));
    }
    q->attrs["x_offset"] = Attribute::of_int(r.offset_d);
    const QuantTraits& traits = *quant_traits(node);
    const bool pooling = !traits.weighted;
    const std::string raw = node.name + (pooling ? "_int8" : "_acc");
    q->outputs = {raw};
    out.push_back(std::move(*q));
    annotate(raw, pooling ? DataType::kInt8 : DataType::kInt32, node.outputs[0]);

    Node deq = ptqc_node(node.name + "_dequant", "AscendDequant", {raw}, {node.outputs[0]});
    deq.attrs["deq_scale"] = Attribute::of_floats(layer.deq_scale);
    deq.attrs["offset"] = Attribute::of_int(pooling ? r.offset_d : 0);
    deq.attrs["axis"] = Attribute::of_int(traits.channels_last ? -1 : 1);
    out.push_back(std::move(deq));
    return true;
  }

 private:
  /// The INT8 form of float \p value under (scale, offset): an AscendQuant named \p quant_name,
  /// or the one an earlier layer added for the same value and parameters.
  std::string quantized_input(const std::string& quant_name, const std::string& value, float scale, int32_t offset,
                              std::vector<Node>& out) {
    const auto key = std::make_tuple(value, scale, offset);
    auto it = quantized_.find(key);
    if (it != quantized_.end()) return it->second;
    std::string name = value + "_int8";
    for (int k = 1; graph_.info(name) || taken_.count(name); ++k) name = value + "_int8_" + std::to_string(k);
    taken_.insert(name);
    Node quant = ptqc_node(quant_name, "AscendQuant", {value}, {name});
    quant.attrs["scale"] = Attribute::of_float(1.0f / scale);
    quant.attrs["offset"] = Attribute::of_int(offset);
    out.push_back(std::move(quant));
    annotate(name, DataType::kInt8, value);
    quantized_[key] = name;
    return name;
  }

  std::string add_constant(const std::string& base, const Tensor& t) {
    const std::string name = unique_constant_name(graph_, base);
    graph_.initializers[name] = t;
    return name;
  }

  /// Records \p value's type, with the shape of \p like when it is known.
  void annotate(const std::string& value, DataType dtype, const std::string& like) {
    auto it = shapes_.find(like);
    if (it == shapes_.end()) return;
    ValueInfo info = it->second;
    info.name = value;
    info.dtype = dtype;
    graph_.value_info[value] = info;
  }

  Graph& graph_;
  const std::map<std::string, ValueInfo>& shapes_;
  std::map<std::tuple<std::string, float, int32_t>, std::string> quantized_;
  std::set<std::string> taken_;
};

}  // namespace

std::vector<std::string> rewrite_to_int8(Graph& graph, const std::map<std::string, SolvedLayer>& solved,
                                         const std::map<std::string, ValueInfo>& shapes) {
  for (const auto& [name, info] : shapes) {
    if (!graph.is_constant(name)) graph.value_info[name] = info;
  }
  Int8Rewriter rewriter(graph, shapes);
  std::vector<std::string> kept_float;
  std::vector<Node> nodes;
  for (Node& node : graph.nodes) {
    auto it = solved.find(node.name);
    if (it != solved.end() && rewriter.rewrite(node, it->second, nodes)) continue;
    if (it != solved.end()) kept_float.push_back(node.name);
    nodes.push_back(std::move(node));
  }
  graph.nodes = std::move(nodes);
  eliminate_dead_code(graph);  // float weights of rewritten layers
  return kept_float;
}

}  // namespace ptqc
