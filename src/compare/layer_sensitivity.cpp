#include "compare/layer_sensitivity.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "compare/metrics.h"
#include "ir/passes/graph_edit.h"
#include "ptqc/passes.h"
#include "ptqc/error.h"
#include "ptqc/executor.h"
#include "runtime/op_registry.h"
#include "runtime/quant_traits.h"

namespace ptqc {

namespace {

/// The layout of \p node's FP32 weights of shape \p w: the INT8 weights are the solver's
/// quantization of it (runtime/quant_traits.h), element i at layout.int8_index(i).
WeightLayout fp32_weight_layout(const Node& node, const Shape& w) {
  std::optional<WeightLayout> layout = weight_layout(node, w);
  if (!layout) {
    throw Error(ErrorCode::kInvalidModel, node.describe() + ": weights of shape " + shape_string(w) +
                                              " cannot be rebuilt from the .om's INT8 weights");
  }
  return std::move(*layout);
}

/// A name for a new value, \p base or \p base with a suffix, that \p g does not use.
std::string fresh_value(const Graph& g, const std::string& base) {
  std::string name = base;
  for (int k = 1; g.info(name) || producer_index(g, name) >= 0 || g.is_constant(name); ++k) name = base + "_" + std::to_string(k);
  return name;
}

/// Appends x -> AscendQuant -> AscendDequant -> \p out to \p nodes: the fake quantization of \p p
/// (value and node names start with \p prefix; \p g is checked for free value names).
void append_fake_quant(std::vector<Node>& nodes, const Graph& g, const std::string& prefix, const std::string& x,
                       const std::string& out, const LayerQuantParams& p) {
  Attribute scale, offset, deq_scale;
  scale.kind = Attribute::Kind::kFloat;
  scale.f = p.quant_scale;
  offset.kind = Attribute::Kind::kInt;
  offset.i = p.offset_d;
  deq_scale.kind = Attribute::Kind::kFloats;
  deq_scale.floats = {p.scale_d};
  const std::string q = fresh_value(g, prefix + "_fake_int8");
  Node quant;
  quant.name = prefix + "_fake_quant";
  quant.op_type = "AscendQuant";
  quant.domain = kPtqcDomain;
  quant.inputs = {x};
  quant.outputs = {q};
  quant.attrs = {{"scale", scale}, {"offset", offset}};
  Node dequant = quant;
  dequant.name = prefix + "_fake_dequant";
  dequant.op_type = "AscendDequant";
  dequant.inputs = {q};
  dequant.outputs = {out};
  dequant.attrs = {{"deq_scale", deq_scale}, {"offset", offset}};
  nodes.push_back(std::move(quant));
  nodes.push_back(std::move(dequant));
}

}  // namespace

Tensor dequantize_weights(const Node& node, const Tensor& fp32_weights, const Tensor& int8_weights,
                          const std::vector<float>& scale_w) {
  const WeightLayout layout = fp32_weight_layout(node, fp32_weights.shape());
  if (int8_weights.dtype() != DataType::kInt8 || int8_weights.numel() != fp32_weights.numel()) {
    throw Error(ErrorCode::kInvalidModel, node.describe() + ": the .om's weights (" + shape_string(int8_weights.shape()) + " " +
                                              dtype_name(int8_weights.dtype()) + ") do not fit the FP32 weights " +
                                              shape_string(fp32_weights.shape()));
  }
  if (scale_w.size() != 1 && static_cast<int64_t>(scale_w.size()) != layout.channels) {
    throw Error(ErrorCode::kInvalidModel, node.describe() + ": " + std::to_string(scale_w.size()) + " weight scales for " +
                                              std::to_string(layout.channels) + " output channels");
  }
  Tensor w(DataType::kFloat32, fp32_weights.shape());
  float* out = w.data<float>();
  const int8_t* q = int8_weights.data<int8_t>();
  for (int64_t i = 0; i < w.numel(); ++i) {
    const size_t channel = scale_w.size() == 1 ? 0 : static_cast<size_t>(layout.channel_of(i));
    out[i] = static_cast<float>(q[layout.int8_index(i)]) * scale_w[channel];
  }
  return w;
}

std::optional<SimulatedLayer> simulated_layer(const LayerComparison& layer, const Graph& fp32, const Graph& int8,
                                              std::string& note) {
  if (!layer.params.known) {
    note = layer.params.note;
    return std::nullopt;
  }
  SimulatedLayer sim{&layer, {}, {}};
  if (layer.int8_op == "QAveragePool" || layer.int8_op == "QBatchMatMul") return sim;  // no weights
  const auto q = std::find_if(int8.nodes.begin(), int8.nodes.end(), [&](const Node& n) { return n.name == layer.name; });
  const auto f = std::find_if(fp32.nodes.begin(), fp32.nodes.end(), [&](const Node& n) { return n.name == layer.name; });
  const Tensor* w_int8 = q != int8.nodes.end() && q->has_input(1) ? int8.constant(q->inputs[1]) : nullptr;
  const Tensor* w_fp32 = f != fp32.nodes.end() && f->has_input(1) ? fp32.constant(f->inputs[1]) : nullptr;
  if (!w_int8 || !w_fp32) {
    note = "the weights are not constants in both models";
    return std::nullopt;
  }
  try {
    sim.weights = dequantize_weights(*f, *w_fp32, *w_int8, layer.params.scale_w);
  } catch (const Error& e) {
    note = e.message();
    return std::nullopt;
  }
  const Tensor* b = q->has_input(2) ? int8.constant(q->inputs[2]) : nullptr;
  if (b && b->dtype() == DataType::kInt32) {
    const float alpha = product_scale(*f);
    const std::vector<float>& sw = layer.params.scale_w;
    for (int64_t c = 0; c < b->numel(); ++c) {
      const float deq = alpha * sw[sw.size() == 1 ? 0 : static_cast<size_t>(c)] * layer.params.scale_d;
      sim.bias.push_back(static_cast<float>(b->data<int32_t>()[c]) * deq);
    }
  }
  return sim;
}

namespace {

/// Replaces \p node's own bias by \p bias: the node writes a new value and an Add of the
/// bias (shaped to broadcast over its channel axis) writes the node's output.
void add_simulated_bias(Node& node, const std::vector<float>& bias, Graph& g, const Graph& fp32, std::vector<Node>& nodes) {
  const QuantTraits* traits = quant_traits(node);
  const bool channels_last = traits && traits->channels_last;
  const auto info = fp32.info(node.outputs[0]);
  const size_t rank = info && info->has_shape ? info->dims.size() : 4;
  Shape shape = {static_cast<int64_t>(bias.size())};
  if (!channels_last) shape.resize(std::max<size_t>(rank, 2) - 1, 1);
  const std::string b = unique_constant_name(g, node.name + "_bias_simulated");
  g.initializers[b] = Tensor::from_vector<float>(bias, shape);
  if (node.inputs.size() > 2) node.inputs.resize(2);
  const std::string y = node.outputs[0], raw = fresh_value(fp32, y + "_without_bias");
  node.outputs[0] = raw;
  Node add;
  add.name = node.name + "_add_simulated_bias";
  add.op_type = "Add";
  add.inputs = {raw, b};
  add.outputs = {y};
  nodes.push_back(std::move(node));
  nodes.push_back(std::move(add));
}

}  // namespace

Graph simulate_layers(const Graph& fp32, const std::vector<SimulatedLayer>& layers) {
  std::map<std::string, const SimulatedLayer*> by_name;
  for (const SimulatedLayer& l : layers) by_name[l.layer->name] = &l;
  Graph g = fp32;
  std::vector<Node> nodes;
  for (Node& node : g.nodes) {
    const auto it = by_name.find(node.name);
    if (it == by_name.end()) {
      nodes.push_back(std::move(node));
      continue;
    }
    const SimulatedLayer& sim = *it->second;
    const LayerComparison& layer = *sim.layer;
    const std::string x = fresh_value(fp32, layer.activation + "_simulated_" + node.name);
    append_fake_quant(nodes, fp32, node.name + "_input", node.inputs[0], x, layer.params);
    node.inputs[0] = x;
    if (layer.int8_op == "QBatchMatMul") {
      LayerQuantParams b = layer.params;
      b.quant_scale = b.quant_scale_b;
      b.scale_d = b.scale_w.at(0);
      b.offset_d = b.offset_b;
      const std::string xb = fresh_value(fp32, node.inputs[1] + "_simulated_" + node.name);
      append_fake_quant(nodes, fp32, node.name + "_input_b", node.inputs[1], xb, b);
      node.inputs[1] = xb;
    }
    if (!sim.weights.empty()) {
      const std::string w = unique_constant_name(g, node.name + "_weight_dequantized");
      g.initializers[w] = sim.weights;
      node.inputs[1] = w;
    }
    if (layer.int8_op == "QAveragePool") {
      const std::string y = node.outputs[0], raw = fresh_value(fp32, y + "_simulated");
      node.outputs[0] = raw;
      nodes.push_back(std::move(node));
      append_fake_quant(nodes, fp32, layer.name + "_output", raw, y, layer.params);
    } else if (!sim.bias.empty()) {
      add_simulated_bias(node, sim.bias, g, fp32, nodes);
    } else {
      if (node.inputs.size() > 2) node.inputs.resize(2);  // the .om has no bias: the FP32 one is not used
      nodes.push_back(std::move(node));
    }
  }
  g.nodes = std::move(nodes);
  eliminate_dead_code(g);
  return g;
}

void measure_isolated_sensitivity(std::vector<LayerComparison>& layers, const Graph& fp32, const Graph& int8,
                                  const std::vector<std::vector<Tensor>>& inputs,
                                  const std::vector<std::vector<Tensor>>& reference, int threads) {
  for (size_t i = 0; i < layers.size(); ++i) {
    LayerComparison& layer = layers[i];
    const std::optional<SimulatedLayer> sim = simulated_layer(layer, fp32, int8, layer.isolated_note);
    if (!sim) continue;
    Executor executor(simulate_layers(fp32, {*sim}), ExecutorOptions{threads});
    ErrorSums sums;
    for (size_t s = 0; s < inputs.size(); ++s) {
      const std::vector<Tensor> outputs = executor.run(inputs[s]);
      for (size_t o = 0; o < outputs.size(); ++o) {
        if (outputs[o].dtype() == DataType::kFloat32 && reference[s][o].dtype() == DataType::kFloat32) {
          sums.add(reference[s][o].values<float>(), outputs[o].values<float>());
        }
      }
    }
    layer.isolated_sqnr_db = sums.sqnr_db();
    spdlog::info("isolated sensitivity {}/{}: {} {:.2f} dB", i + 1, layers.size(), layer.name, sums.sqnr_db());
  }
}

}  // namespace ptqc
