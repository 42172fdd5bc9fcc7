#include "quant/quantizer.h"

#include "ptqc/error.h"
#include "quant/int8_rewrite.h"

namespace ptqc {

namespace {

/// The activations to calibrate: input 0 of every quantized layer, with its algorithm.
std::vector<ObservedActivation> observed_activations(const Graph& graph, const std::vector<LayerDecision>& decisions) {
  std::vector<ObservedActivation> acts;
  for (size_t i = 0; i < decisions.size(); ++i) {
    if (decisions[i].quantized) acts.push_back({graph.nodes[i].inputs[0], decisions[i].settings.activation});
  }
  return acts;
}

/// Ranges of the quantized layers from a saved record, when it covers every one of them.
std::optional<std::vector<ActivationRange>> ranges_from_record(const std::vector<LayerQuantRecord>& saved,
                                                               const std::vector<LayerDecision>& decisions) {
  std::map<std::string, ActivationRange> by_layer;
  for (const auto& r : saved) by_layer[r.layer] = r.range;
  std::vector<ActivationRange> ranges;
  for (const auto& d : decisions) {
    if (!d.quantized) continue;
    auto it = by_layer.find(d.node);
    if (it == by_layer.end()) return std::nullopt;
    ranges.push_back(it->second);
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

}  // namespace

QuantizeReport quantize_graph(Graph& graph, const QuantizeRequest& request) {
  QuantizeReport report;
  report.decisions = plan_quantization(graph, *request.soc, request.settings);
  const std::vector<ObservedActivation> acts = observed_activations(graph, report.decisions);

  std::optional<std::vector<ActivationRange>> ranges;
  if (!request.record_dir.empty()) {
    if (auto saved = load_matching_record(request.record_dir, request.record_key)) ranges = ranges_from_record(*saved, report.decisions);
  }
  CalibrationResult calibration;
  {
    Executor executor(graph, ExecutorOptions{request.threads});  // a copy of the float graph, gone before the rewrite
    if (ranges) {
      // Calibration is skipped; one batch still gives every value's shape for the rewrite.
      calibration = run_calibration(executor, {}, first_batches(request.batches(), 1), 1, false);
      calibration.ranges = *ranges;
      report.reused_record = true;
    } else {
      calibration = run_calibration(executor, acts, request.batches(), request.expected_batches, request.show_progress);
      report.calibration_batches = calibration.batches;
    }
  }

  std::map<std::string, SolvedLayer> solved;
  size_t k = 0;
  for (size_t i = 0; i < report.decisions.size(); ++i) {
    if (!report.decisions[i].quantized) continue;
    SolvedLayer layer = solve_layer(graph, graph.nodes[i], report.decisions[i].settings, calibration.ranges[k++]);
    report.records.push_back(layer.record);
    solved.emplace(graph.nodes[i].name, std::move(layer));
  }
  for (const std::string& name : rewrite_to_int8(graph, solved, calibration.values)) {
    for (auto& d : report.decisions) {
      if (d.node == name) {
        d.quantized = false;
        d.reason = "padding could not be resolved (auto_pad with an unknown input shape)";
      }
    }
    std::erase_if(report.records, [&](const LayerQuantRecord& r) { return r.layer == name; });
  }
  report.requant_joins = fuse_requant(graph);
  topological_sort(graph);
  validate(graph);
  if (!request.record_dir.empty() && !report.reused_record) {
    RecordKey key = request.record_key;
    key.batches = calibration.batches;
    write_records(request.record_dir, key, report.records);
  }
  return report;
}

}  // namespace ptqc
