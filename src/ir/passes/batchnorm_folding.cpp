#include <cmath>
#include <functional>
#include <optional>

#include "ir/passes/graph_edit.h"
#include "ptqc/passes.h"

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

/// How the producer's weight maps to output channels: the channel count and, for each
/// flat weight index, the output channel it feeds.
struct WeightLayout {
  int64_t out_channels = 0;
  std::function<int64_t(int64_t)> channel_of;  // flat weight index -> output channel
};

std::optional<WeightLayout> weight_layout(const Node& producer, const Tensor& w) {
  if (w.numel() == 0) return std::nullopt;  // nothing to scale, and the per-channel divisions below need dims > 0
  if (producer.op_type == "Conv" && w.rank() >= 3) {
    const int64_t per_channel = w.numel() / w.dim(0);
    return WeightLayout{w.dim(0), [per_channel](int64_t i) { return i / per_channel; }};
  }
  if (producer.op_type == "ConvTranspose" && w.rank() >= 3) {
    // W is [C_in, M/group, k...]; input channel c of group g feeds output g*(M/group) + j.
    const int64_t group = producer.attr_int("group", 1);
    if (group <= 0 || w.dim(0) % group != 0) return std::nullopt;
    const int64_t c_per_group = w.dim(0) / group, m_per_group = w.dim(1);
    const int64_t kernel = w.numel() / (w.dim(0) * w.dim(1));
    return WeightLayout{m_per_group * group, [=](int64_t i) {
                          const int64_t c = i / (m_per_group * kernel), j = (i / kernel) % m_per_group;
                          return (c / c_per_group) * m_per_group + j;
                        }};
  }
  if (producer.op_type == "Gemm" && w.rank() == 2) {
    const bool trans_b = producer.attr_int("transB", 0) != 0;  // B is [K, N], or [N, K] when transposed
    const int64_t n = trans_b ? w.dim(0) : w.dim(1), k = trans_b ? w.dim(1) : w.dim(0);
    if (trans_b) return WeightLayout{n, [k](int64_t i) { return i / k; }};
    return WeightLayout{n, [n](int64_t i) { return i % n; }};
  }
  return std::nullopt;
}

/// The producer's bias per output channel (zeros when absent), or nullopt when its shape is not per-channel.
std::optional<std::vector<float>> channel_bias(const Graph& graph, const Node& producer, int64_t channels) {
  const size_t bias_input = 2;
  if (!producer.has_input(bias_input)) return std::vector<float>(static_cast<size_t>(channels), 0.0f);
  const Tensor* b = graph.constant(producer.inputs[bias_input]);
  if (!b || !is_float(b->dtype())) return std::nullopt;
  std::vector<float> values = b->to_float_vector();
  if (producer.op_type == "Gemm") {
    // C broadcasts to [M, N]: only a scalar or one value per output column folds into a bias.
    const bool per_column = b->numel() == channels && (b->rank() == 1 || (b->rank() == 2 && b->dim(0) == 1));
    if (b->numel() != 1 && !per_column) return std::nullopt;
    if (b->numel() == 1) values.assign(static_cast<size_t>(channels), values[0]);
    for (float& v : values) v *= producer.attr_float("beta", 1.0f);
  }
  if (static_cast<int64_t>(values.size()) != channels) return std::nullopt;
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
  const auto layout = weight_layout(producer, *w);
  if (!affine || !layout || layout->out_channels != static_cast<int64_t>(affine->scale.size())) return false;
  auto bias = channel_bias(graph, producer, layout->out_channels);
  if (!bias) return false;

  Tensor new_w = w->clone();
  float* wd = new_w.data<float>();
  for (int64_t i = 0; i < new_w.numel(); ++i) wd[i] *= affine->scale[static_cast<size_t>(layout->channel_of(i))];
  for (size_t c = 0; c < bias->size(); ++c) (*bias)[c] = (*bias)[c] * affine->scale[c] + affine->shift[c];

  const std::string w_name = unique_constant_name(graph, producer.inputs[1] + "_bnfold");
  graph.initializers[w_name] = std::move(new_w);
  const std::string b_name = unique_constant_name(graph, producer.name + "_bias_bnfold");
  graph.initializers[b_name] = Tensor::from_vector<float>(*bias, {layout->out_channels});
  producer.inputs[1] = w_name;
  producer.inputs.resize(3);
  producer.inputs[2] = b_name;
  if (producer.op_type == "Gemm") producer.attrs.erase("beta");
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
