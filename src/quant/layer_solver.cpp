#include "quant/layer_solver.h"

#include <cmath>
#include <limits>

#include "ptqc/error.h"

namespace ptqc {

int32_t saturate_int32(double v) {
  const double lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max();
  return static_cast<int32_t>(std::min(std::max(std::nearbyint(v), lo), hi));
}

WeightLayout require_weight_layout(const Node& node, const Tensor& w) {
  std::optional<WeightLayout> layout = weight_layout(node, w.shape());
  if (!layout) {
    throw Error(ErrorCode::kInternal, node.describe() + ": no INT8 layout for weights of shape " + shape_string(w.shape()));
  }
  return std::move(*layout);
}

namespace {

/// The weight axis of per-channel scales (-1 = one scale per tensor).
int64_t scale_axis(const QuantTraits& traits, const WeightLayout& layout, const LayerSettings& settings) {
  return traits.always_per_channel || settings.channel_wise ? layout.scale_axis : -1;
}

/// [N, K] int8 -> [K, N].
Tensor transpose_2d(const Tensor& w) {
  const int64_t rows = w.dim(0), cols = w.dim(1);
  Tensor t(DataType::kInt8, {cols, rows});
  const int8_t* src = w.data<int8_t>();
  int8_t* dst = t.data<int8_t>();
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) dst[c * rows + r] = src[r * cols + c];
  }
  return t;
}

/// The float bias per output channel (times Gemm's beta), or empty when the node has none.
std::vector<double> float_bias(const Graph& graph, const Node& node, int64_t channels) {
  if (!node.has_input(2)) return {};
  const std::vector<float> b = graph.constant(node.inputs[2])->to_float_vector();
  const double beta = bias_scale(node);
  if (b.size() != 1 && static_cast<int64_t>(b.size()) != channels) {
    throw Error(ErrorCode::kInternal, node.describe() + ": bias of " + std::to_string(b.size()) + " values for " +
                                          std::to_string(channels) + " channels");
  }
  std::vector<double> out(static_cast<size_t>(channels));
  for (int64_t c = 0; c < channels; ++c) out[static_cast<size_t>(c)] = beta * b[b.size() == 1 ? 0 : static_cast<size_t>(c)];
  return out;
}

}  // namespace

SolvedLayer solve_layer(const Graph& graph, const Node& node, const LayerSettings& settings, ActivationRange range) {
  SolvedLayer s;
  const ActivationQuantParams act = activation_quant_params(range, settings.activation.asymmetric);
  s.record = {node.name, node.op_type, node.inputs[0], range, act.scale, act.offset, {}, "", {}, 0};
  const QuantTraits& traits = *quant_traits(node);
  if (!traits.weighted) {
    s.deq_scale = {act.scale};
    return s;
  }
  const Tensor& w = *graph.constant(node.inputs[1]);
  const WeightLayout layout = require_weight_layout(node, w);
  const int64_t channels = layout.channels;
  QuantizedWeights q = quantize_weights(w, scale_axis(traits, layout, settings), settings.weights);
  s.record.scale_w = q.scales;
  s.weights = layout.transposed ? transpose_2d(q.values) : q.values;

  const float alpha = product_scale(node);
  s.deq_scale.resize(static_cast<size_t>(channels));
  for (int64_t c = 0; c < channels; ++c) {
    const float scale_w = q.scales.size() == 1 ? q.scales[0] : q.scales[static_cast<size_t>(c)];
    s.deq_scale[static_cast<size_t>(c)] = alpha * scale_w * act.scale;
  }
  const std::vector<double> bias = float_bias(graph, node, channels);
  if (!bias.empty()) {
    s.bias = Tensor(DataType::kInt32, {channels});
    for (int64_t c = 0; c < channels; ++c) {
      s.bias.data<int32_t>()[c] = saturate_int32(bias[static_cast<size_t>(c)] / s.deq_scale[static_cast<size_t>(c)]);
    }
  }
  return s;
}

SolvedLayer solve_activation_matmul(const Node& node, const LayerSettings& settings, ActivationRange a, ActivationRange b) {
  const ActivationQuantParams qa = activation_quant_params(a, settings.activation.asymmetric);
  const ActivationQuantParams qb = activation_quant_params(b, settings.activation.asymmetric);
  SolvedLayer s;
  s.record = {node.name, node.op_type, node.inputs[0], a, qa.scale, qa.offset, {qb.scale}, node.inputs[1], b, qb.offset};
  s.deq_scale = {qa.scale * qb.scale};
  return s;
}

}  // namespace ptqc
