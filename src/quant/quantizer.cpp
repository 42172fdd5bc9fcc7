#include "quant/quantizer.h"

#include <spdlog/spdlog.h>

#include "ptqc/error.h"
#include "quant/accuracy_check.h"
#include "quant/int8_rewrite.h"
#include "quant/weight_rounding.h"
#include "runtime/quant_traits.h"

namespace ptqc {

namespace {

/// Batches the bias correction averages over (the first ones of the calibration set): a channel's
/// mean error settles long before the ranges do, and the pass costs a calibration pass each.
constexpr int64_t kBiasCorrectionBatches = 8;

/// The activations to calibrate: input 0 of every quantized layer, and input 1 of an
/// activation × activation MatMul, with the layer's algorithm.
std::vector<ObservedActivation> observed_activations(const Graph& graph, const std::vector<LayerDecision>& decisions) {
  std::vector<ObservedActivation> acts;
  for (size_t i = 0; i < decisions.size(); ++i) {
    if (!decisions[i].quantized) continue;
    const Node& node = graph.nodes[i];
    acts.push_back({node.inputs[0], decisions[i].settings.activation});
    if (is_activation_matmul(graph, node)) acts.push_back({node.inputs[1], decisions[i].settings.activation});
  }
  return acts;
}

/// The ranges of observed_activations from a saved record, when it covers every quantized layer.
std::optional<std::vector<ActivationRange>> ranges_from_record(const std::vector<LayerQuantRecord>& saved,
                                                               const std::vector<LayerDecision>& decisions) {
  std::map<std::string, const LayerQuantRecord*> by_layer;
  for (const auto& r : saved) by_layer[r.layer] = &r;
  std::vector<ActivationRange> ranges;
  for (const auto& d : decisions) {
    if (!d.quantized) continue;
    auto it = by_layer.find(d.node);
    if (it == by_layer.end()) return std::nullopt;
    ranges.push_back(it->second->range);
    if (!it->second->activation_b.empty()) ranges.push_back(it->second->range_b);
  }
  return ranges;
}

/// At most \p limit batches of \p source.
BatchSource first_batches(BatchSource source, int64_t limit) {
  auto taken = std::make_shared<int64_t>(0);
  return [source = std::move(source), taken, limit](std::vector<Tensor>& inputs) {
    return (*taken)++ < limit && source(inputs);
  };
}

/// Every batch of \p source after its first \p skip.
std::vector<std::vector<Tensor>> batches_after(BatchSource source, int64_t skip) {
  std::vector<std::vector<Tensor>> out;
  std::vector<Tensor> inputs;
  for (int64_t i = 0; source(inputs); ++i) {
    if (i >= skip) out.push_back(inputs);
    inputs = {};
  }
  return out;
}

/// The calibration and evaluation split of the request's batches.
struct DataSplit {
  std::function<BatchSource()> calibration;
  int64_t calibration_batches = -1;
  std::vector<std::vector<Tensor>> eval;  ///< filled only for an accuracy target
  bool held_out = false;
};

DataSplit split_data(const QuantizeRequest& request) {
  DataSplit split{request.batches, request.expected_batches, {}, false};
  if (!request.accuracy_target) return split;
  if (request.eval_batches) {
    split.eval = batches_after(request.eval_batches(), 0);
    if (split.eval.empty()) throw Error(ErrorCode::kInvalidData, request.accuracy_target->key_path + ".eval_list_file yielded no batch");
    return split;
  }
  const int64_t total = request.expected_batches;
  if (total < 1) throw Error(ErrorCode::kInternal, "accuracy_target: the calibration batch count is unknown");
  split.held_out = true;
  if (total == 1) {
    spdlog::warn("accuracy_target: the calibration list has one batch, which serves for ranges and for the evaluation "
                 "(give an eval_list_file of held-out samples for an honest measure)");
    split.eval = batches_after(request.batches(), 0);
    return split;
  }
  const int64_t held = std::max<int64_t>(1, total / 4);
  split.calibration_batches = total - held;
  const auto batches = request.batches;
  const int64_t calibrate = split.calibration_batches;
  split.calibration = [batches, calibrate] { return first_batches(batches(), calibrate); };
  split.eval = batches_after(request.batches(), calibrate);
  spdlog::info("accuracy_target: no eval_list_file, so the last {} of the {} calibration batches are held out for the "
               "evaluation and the first {} calibrate the ranges", held, total, calibrate);
  return split;
}

/// Multiply-accumulates of one run of a quantized layer (0 for pooling).
double layer_macs(const Graph& graph, const Node& node, const std::map<std::string, ValueInfo>& shapes) {
  if (!node.has_input(1) || node.outputs.empty()) return 0;
  const auto dims_of = [&](const std::string& v) {
    auto it = shapes.find(v);
    return it == shapes.end() ? 0.0 : static_cast<double>(shape_numel(it->second.dims));
  };
  if (is_activation_matmul(graph, node)) {  // every output element sums over A's last dim
    auto a = shapes.find(node.inputs[0]);
    return a == shapes.end() || a->second.dims.empty() ? 0.0 : dims_of(node.outputs[0]) * static_cast<double>(a->second.dims.back());
  }
  if (!graph.constant(node.inputs[1])) return 0;
  const Tensor& w = *graph.constant(node.inputs[1]);
  const WeightLayout layout = require_weight_layout(node, w);
  if (quant_traits(node)->scatters) {  // each input element meets the weights of its channel
    return dims_of(node.inputs[0]) * static_cast<double>(w.numel() / w.dim(0));
  }
  return dims_of(node.outputs[0]) * static_cast<double>(layout.reduction);
}

/// The INT8 graph of \p float_graph with the layers of \p solved except \p kept_float; the
/// names of layers the rewrite had to leave in float go to \p unresolved.
Graph int8_graph(const Graph& float_graph, const std::map<std::string, SolvedLayer>& solved,
                 const std::set<std::string>& kept_float, const std::map<std::string, ValueInfo>& shapes,
                 std::vector<std::string>* unresolved, size_t* requant_joins) {
  std::map<std::string, SolvedLayer> chosen;
  for (const auto& [name, layer] : solved) {
    if (!kept_float.count(name)) chosen.emplace(name, layer);
  }
  Graph g = float_graph;
  std::vector<std::string> left = rewrite_to_int8(g, chosen, shapes);
  const size_t joins = fuse_requant(g);
  topological_sort(g);
  validate(g);
  if (unresolved) *unresolved = std::move(left);
  if (requant_joins) *requant_joins = joins;
  return g;
}

/// Runs the accuracy_target search and fills report.mixed_precision; returns the layers to keep in float.
std::set<std::string> choose_float_layers(const Graph& graph, const std::map<std::string, SolvedLayer>& solved,
                                          const std::map<std::string, ValueInfo>& shapes, const QuantizeRequest& request,
                                          DataSplit& split, QuantizeReport& report) {
  const AccuracyTarget& target = *request.accuracy_target;
  const AccuracyCheck check(graph, target, std::move(split.eval), request.threads, request.float16);
  std::vector<std::string> layers;
  std::vector<double> layer_cost;
  double total_macs = 0;
  std::map<std::string, double> macs;
  for (const Node& n : graph.nodes) {
    if (!solved.count(n.name)) continue;
    layers.push_back(n.name);
    layer_cost.push_back(macs[n.name] = layer_macs(graph, n, shapes));
    total_macs += layer_cost.back();
  }
  const PrecisionEvaluator evaluate = [&](const std::set<std::string>& kept_float) {
    return check.measure(int8_graph(graph, solved, kept_float, shapes, nullptr, nullptr));
  };
  MixedPrecisionReport mp{target, search_float_layers(layers, target.value, evaluate, layer_cost), check.judged_outputs(),
                          static_cast<int64_t>(check.samples()), split.held_out, 1.0};
  double float_macs = 0;
  for (const std::string& name : mp.search.float_layers) float_macs += macs[name];
  mp.int8_mac_share = total_macs > 0 ? 1.0 - float_macs / total_macs : 1.0;
  if (!mp.search.met) {
    const bool all_float_known = !std::isnan(mp.search.all_float);
    throw Error(ErrorCode::kInvalidValue,
                target.key_path + ": " + describe_metric(target.metric, target.value) + " cannot be reached on " +
                    std::to_string(check.samples()) + " evaluation batch(es): every layer INT8 gives " +
                    describe_metric(target.metric, mp.search.all_int8) +
                    (all_float_known ? ", every quantizable layer in float " + describe_metric(target.metric, mp.search.all_float) : "") +
                    (request.float16 ? " (float layers in FP16 under force_fp16; --precision_mode=force_fp32 keeps them FP32)" : "") +
                    "; lower the target");
  }
  spdlog::info("accuracy_target: {} reached with {} of {} layers in float ({:.1f}% of MACs INT8), {} evaluations",
               describe_metric(target.metric, mp.search.reached), mp.search.float_layers.size(), layers.size(),
               100 * mp.int8_mac_share, mp.search.evaluations);
  std::set<std::string> kept(mp.search.float_layers.begin(), mp.search.float_layers.end());
  report.mixed_precision = std::move(mp);
  return kept;
}

/// Cross-layer equalization of the pairs whose both layers the plan quantizes (logged).
EqualizationSummary equalize_planned_pairs(Graph& graph, const std::vector<LayerDecision>& decisions) {
  std::set<std::string> quantized;
  for (const LayerDecision& d : decisions) {
    if (d.quantized) quantized.insert(d.node);
  }
  EqualizationSummary summary = equalize_cross_layer(graph, [&](const Node& n) { return quantized.count(n.name) != 0; });
  spdlog::info("cross-layer equalization: {} conv pair(s) equalized in {} sweep(s); largest channel scale {:.3g}",
               summary.pairs.size(), summary.sweeps, summary.largest_scale);
  for (const EqualizedPair& p : summary.pairs) spdlog::debug("  equalized {} -> {}", p.producer, p.consumer);
  return summary;
}

}  // namespace

QuantizeReport quantize_graph(Graph& graph, const QuantizeRequest& request) {
  QuantizeReport report;
  report.decisions = plan_quantization(graph, *request.soc, request.settings);
  if (request.cross_layer_equalization) report.equalization = equalize_planned_pairs(graph, report.decisions);
  const std::vector<ObservedActivation> acts = observed_activations(graph, report.decisions);
  DataSplit split = split_data(request);

  std::optional<std::vector<ActivationRange>> ranges;
  if (!request.record_dir.empty()) {
    if (auto saved = load_matching_record(request.record_dir, request.record_key)) ranges = ranges_from_record(*saved, report.decisions);
  }
  CalibrationResult calibration;
  {
    Executor executor(graph, ExecutorOptions{request.threads});  // a copy of the float graph, gone before the rewrite
    if (ranges) {
      // Calibration is skipped; one batch still gives every value's shape for the rewrite.
      calibration = run_calibration(executor, {}, first_batches(split.calibration(), 1), 1, false);
      calibration.ranges = *ranges;
      report.reused_record = true;
    } else {
      calibration = run_calibration(executor, acts, split.calibration(), split.calibration_batches, request.show_progress);
      report.calibration_batches = calibration.batches;
    }
  }

  std::map<std::string, SolvedLayer> solved;
  size_t k = 0;  // the next of calibration.ranges, in observed_activations' order
  const auto next_range = [&](const LayerDecision& d, const std::string& value) {
    const auto exact = request.exact_ranges.find(value);
    const ActivationRange calibrated = calibration.ranges[k++];
    return exact != request.exact_ranges.end() && d.settings.activation.asymmetric ? exact->second : calibrated;
  };
  for (size_t i = 0; i < report.decisions.size(); ++i) {
    const LayerDecision& d = report.decisions[i];
    if (!d.quantized) continue;
    const Node& node = graph.nodes[i];
    const ActivationRange a = next_range(d, node.inputs[0]);
    SolvedLayer layer = is_activation_matmul(graph, node)
                            ? solve_activation_matmul(node, d.settings, a, next_range(d, node.inputs[1]))
                            : solve_layer(graph, node, d.settings, a);
    report.records.push_back(layer.record);
    solved.emplace(node.name, std::move(layer));
  }
  std::set<std::string> learned;
  for (const LayerDecision& d : report.decisions) {
    if (d.quantized && d.settings.weights == WeightAlgorithm::kLearnedRounding) learned.insert(d.node);
  }
  if (!learned.empty()) report.weight_rounding = learn_weight_rounding(graph, solved, learned, split.calibration(), request.threads);
  if (request.bias_correction) {
    report.bias_correction = correct_biases(graph, solved, calibration.values,
                                            first_batches(split.calibration(), kBiasCorrectionBatches), request.threads);
  }
  std::set<std::string> kept_float;
  if (request.accuracy_target) kept_float = choose_float_layers(graph, solved, calibration.values, request, split, report);
  for (auto& d : report.decisions) {
    if (d.quantized && kept_float.count(d.node)) {
      d.quantized = false;
      d.reason = "kept in float by accuracy_target";
    }
  }

  std::vector<std::string> unresolved;
  graph = int8_graph(graph, solved, kept_float, calibration.values, &unresolved, &report.requant_joins);
  for (const std::string& name : unresolved) {
    for (auto& d : report.decisions) {
      if (d.node == name) {
        d.quantized = false;
        d.reason = "padding could not be resolved (auto_pad with an unknown input shape)";
      }
    }
  }
  if (!request.record_dir.empty() && !report.reused_record) {
    // Every calibrated layer, those kept in float by the accuracy target included: the record
    // holds ranges, and a later run reuses them whatever it keeps in float.
    RecordKey key = request.record_key;
    key.batches = calibration.batches;
    write_records(request.record_dir, key, report.records);
  }
  std::erase_if(report.records, [&](const LayerQuantRecord& r) {
    return kept_float.count(r.layer) || std::count(unresolved.begin(), unresolved.end(), r.layer);
  });
  return report;
}

}  // namespace ptqc
