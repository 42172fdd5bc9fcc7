#include "quant/equalization.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "ir/passes/graph_edit.h"

namespace ptqc {

namespace {

/// Sweeps over all pairs at most; a chain of n pairs converges in about n sweeps.
constexpr int kMaxSweeps = 16;
/// A sweep whose scales all lie within this of 1 ends the iteration.
constexpr double kConverged = 1e-4;
/// Scales are clamped to [1 / kMaxScale, kMaxScale]: a channel whose filter is (almost) zero
/// on one side would otherwise be scaled without bound.
constexpr double kMaxScale = 1e3;

/// A default-domain Conv with constant float32 weights of rank 3 or 4.
const Tensor* conv_weights(const Graph& graph, const Node& node) {
  if (!node.domain.empty() || node.op_type != "Conv" || node.inputs.size() < 2) return nullptr;
  const Tensor* w = graph.constant(node.inputs[1]);
  return w && w->dtype() == DataType::kFloat32 && (w->rank() == 3 || w->rank() == 4) ? w : nullptr;
}

/// Ops between the pair that commute with a positive per-channel scale: f(x / s) = f(x) / s.
bool commutes_with_channel_scale(const Node& node) {
  if (!node.domain.empty()) return false;
  if (node.op_type == "Relu" || node.op_type == "LeakyRelu") return true;
  return node.op_type == "MaxPool" && (node.outputs.size() == 1 || node.outputs[1].empty());  // no indices
}

/// A pair of node indices and how C reads P's channels.
struct Pair {
  size_t producer = 0;
  size_t consumer = 0;
  bool depthwise = false;
};

/// True when \p value (a weight or bias) is read by one node input only.
bool private_constant(const GraphIndex& index, const std::string& value) { return index.reads(value) == 1; }

std::optional<Pair> pair_from(const Graph& graph, const GraphIndex& index, size_t p,
                              const std::function<bool(const Node&)>& eligible) {
  const Node& producer = graph.nodes[p];
  const Tensor* w1 = conv_weights(graph, producer);
  if (!w1 || !eligible(producer) || !private_constant(index, producer.inputs[1])) return std::nullopt;
  const int64_t channels = w1->dim(0);
  if (producer.has_input(2)) {
    const Tensor* b = graph.constant(producer.inputs[2]);
    if (!b || b->dtype() != DataType::kFloat32 || b->numel() != channels || !private_constant(index, producer.inputs[2])) {
      return std::nullopt;
    }
  }
  std::string value = producer.outputs[0];
  int reader = index.sole_reader(value);
  while (reader >= 0 && commutes_with_channel_scale(graph.nodes[static_cast<size_t>(reader)]) &&
         graph.nodes[static_cast<size_t>(reader)].inputs[0] == value) {
    value = graph.nodes[static_cast<size_t>(reader)].outputs[0];
    reader = index.sole_reader(value);
  }
  if (reader < 0) return std::nullopt;
  const Node& consumer = graph.nodes[static_cast<size_t>(reader)];
  const Tensor* w2 = conv_weights(graph, consumer);
  if (!w2 || !eligible(consumer) || consumer.inputs[0] != value || !private_constant(index, consumer.inputs[1])) {
    return std::nullopt;
  }
  const int64_t group = consumer.attr_int("group", 1);
  Pair pair{p, static_cast<size_t>(reader), false};
  if (group == 1 && w2->dim(1) == channels) return pair;
  if (group == channels && w2->dim(0) == channels && w2->dim(1) == 1) {
    pair.depthwise = true;
    return pair;
  }
  return std::nullopt;
}

/// Applies one round of scales to \p pair; returns max over channels of |log s|.
double equalize_pair(Graph& graph, const Pair& pair) {
  const Node& producer = graph.nodes[pair.producer];
  const Node& consumer = graph.nodes[pair.consumer];
  Tensor& w1 = graph.initializers.at(producer.inputs[1]);
  Tensor& w2 = graph.initializers.at(consumer.inputs[1]);
  float* b1 = producer.has_input(2) ? graph.initializers.at(producer.inputs[2]).data<float>() : nullptr;
  const int64_t channels = w1.dim(0);
  const int64_t per_filter = w1.numel() / std::max<int64_t>(channels, 1);
  // C's weights as [outer, channels, inner]: group 1 reads channel c at dim 1; depthwise at dim 0.
  const int64_t inner = w2.numel() / std::max<int64_t>(w2.dim(0) * w2.dim(1), 1);
  const int64_t outer = pair.depthwise ? 1 : w2.dim(0);
  float* a = w1.data<float>();
  float* c = w2.data<float>();
  double worst = 0;
  for (int64_t ch = 0; ch < channels; ++ch) {
    double r1 = 0, r2 = 0;
    for (int64_t i = 0; i < per_filter; ++i) r1 = std::max(r1, std::fabs(double(a[ch * per_filter + i])));
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) r2 = std::max(r2, std::fabs(double(c[(o * channels + ch) * inner + i])));
    }
    if (r1 == 0 || r2 == 0) continue;
    const double s = std::clamp(std::sqrt(r1 / r2), 1.0 / kMaxScale, kMaxScale);
    for (int64_t i = 0; i < per_filter; ++i) a[ch * per_filter + i] = static_cast<float>(a[ch * per_filter + i] / s);
    if (b1) b1[ch] = static_cast<float>(b1[ch] / s);
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) c[(o * channels + ch) * inner + i] = static_cast<float>(c[(o * channels + ch) * inner + i] * s);
    }
    worst = std::max(worst, std::fabs(std::log(s)));
  }
  return worst;
}

}  // namespace

std::vector<std::string> equalized_layers(const EqualizationSummary& summary) {
  std::set<std::string> names;
  for (const EqualizedPair& p : summary.pairs) {
    names.insert(p.producer);
    names.insert(p.consumer);
  }
  return {names.begin(), names.end()};
}

EqualizationSummary equalize_cross_layer(Graph& graph, const std::function<bool(const Node&)>& eligible) {
  EqualizationSummary summary;
  if (!has_op(graph, "Conv")) return summary;
  std::vector<Pair> pairs;
  {
    const GraphIndex index(graph);
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      if (auto pair = pair_from(graph, index, i, eligible)) pairs.push_back(*pair);
    }
  }
  for (const Pair& p : pairs) summary.pairs.push_back({graph.nodes[p.producer].name, graph.nodes[p.consumer].name});
  for (int sweep = 0; sweep < kMaxSweeps && !pairs.empty(); ++sweep) {
    double worst = 0;
    for (const Pair& p : pairs) worst = std::max(worst, equalize_pair(graph, p));
    summary.sweeps = sweep + 1;
    if (sweep == 0) summary.largest_scale = std::exp(worst);
    if (worst < kConverged) break;
  }
  return summary;
}

}  // namespace ptqc
