#include <cmath>
#include <optional>

#include "ir/passes/graph_edit.h"
#include "ptqc/passes.h"
#include "runtime/quant_traits.h"

namespace ptqc {

namespace {

/// Per-channel affine form of an inference BatchNormalization: y = x * scale + shift.
struct ChannelAffine {
  std::vector<float> scale;
  std::vector<float> shift;
};

/// scale[c] = gamma[c] / sqrt(var[c] + eps), shift[c] = beta[c] - mean[c] * scale[c].
std::optional<ChannelAffine> batch_norm_affine(const Graph& graph, const Node& bn) {
  if (bn.inputs.size() != 5 || bn.attr_int("spatial", 1) != 1 || bn.attr_int("training_mode", 0) != 0) return std::nullopt;
  for (size_t k = 1; k < bn.outputs.size(); ++k) {
    if (!bn.outputs[k].empty()) return std::nullopt;  // running statistics requested: training graph
  }
  const Tensor* params[4];
  for (size_t k = 0; k < 4; ++k) {
    params[k] = graph.constant(bn.inputs[k + 1]);
    if (!params[k] || !is_float(params[k]->dtype()) || params[k]->rank() != 1) return std::nullopt;
  }
  const int64_t channels = params[0]->numel();
  for (const Tensor* p : params) {
    if (p->numel() != channels) return std::nullopt;
  }
  const auto gamma = params[0]->to_float_vector(), beta = params[1]->to_float_vector();
  const auto mean = params[2]->to_float_vector(), var = params[3]->to_float_vector();
  const float eps = bn.attr_float("epsilon", 1e-5f);
  ChannelAffine affine;
  for (int64_t c = 0; c < channels; ++c) {
    const auto i = static_cast<size_t>(c);
    affine.scale.push_back(gamma[i] / std::sqrt(var[i] + eps));
    affine.shift.push_back(beta[i] - mean[i] * affine.scale.back());
  }
  return affine;
}

/// The producer's bias per output channel (zeros when absent), or nullopt when its shape is not per-channel.
std::optional<std::vector<float>> channel_bias(const Graph& graph, const Node& producer, int64_t channels) {
  const size_t bias_input = 2;
  if (!producer.has_input(bias_input)) return std::vector<float>(static_cast<size_t>(channels), 0.0f);
  const Tensor* b = graph.constant(producer.inputs[bias_input]);
  if (!b || !is_float(b->dtype())) return std::nullopt;
  // Gemm's C broadcasts to [M, N]: only a scalar or one value per output column folds into a bias.
  if (!is_channel_bias(*b, channels)) return std::nullopt;
  std::vector<float> values = b->to_float_vector();
  if (values.size() == 1) values.assign(static_cast<size_t>(channels), values[0]);
  for (float& v : values) v *= bias_scale(producer);
  return values;
}

/// Folds BatchNormalization \p bn into the Conv/ConvTranspose/Gemm producing its input,
/// when that producer has constant weights and nobody else reads its output. The producer
/// then writes the BatchNormalization's output, and \p bn can be removed.
bool fold_into_producer(Graph& graph, const GraphIndex& index, const Node& bn) {
  if (bn.op_type != "BatchNormalization" || bn.inputs.empty() || bn.outputs.empty()) return false;
  const int p = index.producer(bn.inputs[0]);
  if (p < 0) return false;
  Node& producer = graph.nodes[static_cast<size_t>(p)];
  if (index.reads(bn.inputs[0]) != 1 || index.is_graph_output(bn.inputs[0]) || producer.inputs.size() < 2) return false;
  const Tensor* w = graph.constant(producer.inputs[1]);
  if (!w || w->dtype() != DataType::kFloat32) return false;
  const auto affine = batch_norm_affine(graph, bn);
  const QuantTraits* traits = quant_traits(producer);
  if (!traits || !traits->has_bias) return false;  // the folded shift needs a bias input
  const auto layout = weight_layout(producer, w->shape());
  if (!affine || !layout || layout->channels != static_cast<int64_t>(affine->scale.size())) return false;
  auto bias = channel_bias(graph, producer, layout->channels);
  if (!bias) return false;

  Tensor new_w = w->clone();
  float* wd = new_w.data<float>();
  for (int64_t i = 0; i < new_w.numel(); ++i) wd[i] *= affine->scale[static_cast<size_t>(layout->channel_of(i))];
  for (size_t c = 0; c < bias->size(); ++c) (*bias)[c] = (*bias)[c] * affine->scale[c] + affine->shift[c];

  const std::string w_name = unique_constant_name(graph, producer.inputs[1] + "_bnfold");
  graph.initializers[w_name] = std::move(new_w);
  const std::string b_name = unique_constant_name(graph, producer.name + "_bias_bnfold");
  graph.initializers[b_name] = Tensor::from_vector<float>(*bias, {layout->channels});
  producer.inputs[1] = w_name;
  producer.inputs.resize(3);
  producer.inputs[2] = b_name;
  if (traits->bias_scale) producer.attrs.erase(traits->bias_scale);
  for (auto& o : producer.outputs) {
    if (o == bn.inputs[0]) o = bn.outputs[0];
  }
  return true;
}

}  // namespace

size_t fold_batch_norms(Graph& graph) {
  // Each fold touches only its BatchNormalization and that node's producer, whose output
  // nobody else reads, so the index stays valid for the other candidates.
  if (!has_op(graph, "BatchNormalization")) return 0;
  const GraphIndex index(graph);
  std::vector<bool> removed(graph.nodes.size(), false);
  size_t folded = 0;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    removed[i] = fold_into_producer(graph, index, graph.nodes[i]);
    folded += removed[i] ? 1 : 0;
  }
  erase_nodes(graph, removed);
  return folded;
}

}  // namespace ptqc
