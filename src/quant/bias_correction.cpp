#include "quant/bias_correction.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <set>

#include "ir/passes/graph_edit.h"
#include "ptqc/error.h"
#include "ptqc/executor.h"
#include "quant/int8_rewrite.h"
#include "runtime/quant_traits.h"

namespace ptqc {

namespace {

/// The channel axis of a layer's output: the last one for Gemm/MatMul, 1 otherwise.
int64_t output_channel_axis(const Node& node, int64_t rank) {
  const QuantTraits* traits = quant_traits(node);
  return traits && traits->channels_last ? rank - 1 : 1;
}

/// Σ (y_q - y) and the element count per output channel of one layer.
struct ChannelErrorSums {
  std::string layer;
  int64_t axis_from_end = 0;  ///< the channel axis, counted from the last one (rank-independent)
  std::vector<double> sum;
  int64_t per_channel = 0;

  void add(const Tensor& y, const Tensor& y_q) {
    if (y.shape() != y_q.shape() || y.rank() < 1) {
      throw Error(ErrorCode::kInternal, "bias correction: layer '" + layer + "' INT8 output " + shape_string(y_q.shape()) +
                                            " vs float " + shape_string(y.shape()));
    }
    const int64_t axis = y.rank() - 1 - axis_from_end;
    const int64_t channels = y.dim(axis);
    int64_t inner = 1;
    for (int64_t d = axis + 1; d < y.rank(); ++d) inner *= y.dim(d);
    if (sum.empty()) sum.assign(static_cast<size_t>(channels), 0.0);
    const float* a = y.data<float>();
    const float* b = y_q.data<float>();
    for (int64_t i = 0; i < y.numel(); ++i) sum[static_cast<size_t>(i / inner % channels)] += double(b[i]) - double(a[i]);
    per_channel += channels > 0 ? y.numel() / channels : 0;
  }
};

/// The float graph plus, for each weighted layer of \p solved, a copy of it in its INT8 form
/// reading the same float input and writing a new graph output. probes maps the layer's output
/// value to its probe's output value.
Graph probe_graph(const Graph& float_graph, const std::map<std::string, SolvedLayer>& solved,
                  const std::map<std::string, ValueInfo>& shapes, std::map<std::string, std::string>& probes,
                  std::map<std::string, std::string>& layer_of_probe) {
  Graph probe = float_graph;
  std::set<std::string> names;
  for (const Node& n : probe.nodes) names.insert(n.name);
  std::map<std::string, SolvedLayer> probed;
  std::vector<Node> copies;
  for (const Node& n : probe.nodes) {
    auto it = solved.find(n.name);
    if (it == solved.end() || it->second.weights.empty() || n.outputs.empty()) continue;
    Node copy = n;
    copy.name = n.name + "_bias_probe";
    for (int k = 1; names.count(copy.name); ++k) copy.name = n.name + "_bias_probe_" + std::to_string(k);
    names.insert(copy.name);
    copy.outputs = {copy.name + ":int8_output"};
    probes[n.outputs[0]] = copy.outputs[0];
    layer_of_probe[copy.outputs[0]] = n.name;
    probe.outputs.push_back(ValueInfo{copy.outputs[0], DataType::kFloat32, {}, false, DataType::kUndefined});
    probed.emplace(copy.name, it->second);
    copies.push_back(std::move(copy));
  }
  for (Node& c : copies) probe.nodes.push_back(std::move(c));
  rewrite_to_int8(probe, probed, shapes);
  return probe;
}

/// Applies the mean error \p e (per channel) to \p layer's int32 bias. True when it changed.
bool apply_correction(SolvedLayer& layer, const std::vector<double>& e) {
  const size_t channels = e.size();
  if (layer.deq_scale.size() != 1 && layer.deq_scale.size() != channels) {
    throw Error(ErrorCode::kInternal, "bias correction: layer '" + layer.record.layer + "' has " +
                                          std::to_string(layer.deq_scale.size()) + " dequant scales for " +
                                          std::to_string(channels) + " channels");
  }
  if (layer.bias.empty()) {
    layer.bias = Tensor(DataType::kInt32, {static_cast<int64_t>(channels)});
    for (int32_t& b : layer.bias.values<int32_t>()) b = 0;
  }
  bool changed = false;
  int32_t* bias = layer.bias.data<int32_t>();
  for (size_t c = 0; c < channels; ++c) {
    const double step = layer.deq_scale[layer.deq_scale.size() == 1 ? 0 : c];
    const int32_t corrected = saturate_int32(double(bias[c]) - std::nearbyint(e[c] / step));
    changed |= corrected != bias[c];
    bias[c] = corrected;
  }
  return changed;
}

}  // namespace

BiasCorrectionSummary correct_biases(const Graph& float_graph, std::map<std::string, SolvedLayer>& solved,
                                     const std::map<std::string, ValueInfo>& shapes, const BatchSource& batches,
                                     int threads) {
  std::map<std::string, std::string> probes, layer_of_probe;
  Executor executor(probe_graph(float_graph, solved, shapes, probes, layer_of_probe), ExecutorOptions{threads});

  std::map<std::string, const Node*> nodes;
  for (const Node& n : float_graph.nodes) nodes.emplace(n.name, &n);
  std::map<std::string, ChannelErrorSums> sums;  // by layer name
  for (const auto& [probe, layer] : layer_of_probe) {
    const Node& node = *nodes.at(layer);
    auto info = shapes.find(node.outputs[0]);
    const int64_t rank = info == shapes.end() ? 4 : static_cast<int64_t>(info->second.dims.size());
    sums[layer] = ChannelErrorSums{layer, rank - 1 - output_channel_axis(node, rank), {}, 0};
  }
  // A layer's float output and its probe's output arrive in either order; the first waits here.
  std::map<std::string, Tensor> waiting;
  executor.set_observer([&](const Node&, const std::string& value, const Tensor& t) {
    // Both members of a pair are keyed by the probe's value name.
    const auto as_float = probes.find(value);
    const bool is_float = as_float != probes.end();
    if (!is_float && layer_of_probe.find(value) == layer_of_probe.end()) return;
    const std::string& key = is_float ? as_float->second : value;
    auto it = waiting.find(key);
    if (it == waiting.end()) {
      waiting.emplace(key, t.clone());
      return;
    }
    sums[layer_of_probe.at(key)].add(is_float ? t : it->second, is_float ? it->second : t);
    waiting.erase(it);
  });
  BiasCorrectionSummary summary;
  std::vector<Tensor> inputs;
  while (batches(inputs)) {
    executor.run(inputs);
    ++summary.batches;
  }
  for (auto& [name, s] : sums) {
    if (s.per_channel == 0) continue;
    std::vector<double> mean(s.sum.size());
    for (size_t c = 0; c < mean.size(); ++c) {
      mean[c] = s.sum[c] / static_cast<double>(s.per_channel);
      if (std::abs(mean[c]) > summary.largest_shift) {
        summary.largest_shift = std::abs(mean[c]);
        summary.largest_layer = name;
      }
    }
    if (apply_correction(solved.at(name), mean)) ++summary.layers;
  }
  spdlog::info("bias correction: {} of {} layers corrected over {} batches; largest mean shift {:.4g} at {}", summary.layers,
               sums.size(), summary.batches, summary.largest_shift, summary.largest_layer);
  return summary;
}

}  // namespace ptqc
