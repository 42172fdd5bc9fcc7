// compare_models: ptqc-compare's model mode (docs/compare.md).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "compare/activation_histograms.h"
#include "compare/cumulative_error.h"
#include "compare/layer_matching.h"
#include "compare/layer_quant_params.h"
#include "compare/layer_sensitivity.h"
#include "compare/metrics.h"
#include "ptqc/compare.h"
#include "ptqc/error.h"
#include "ptqc/executor.h"
#include "ptqc/om.h"
#include "ptqc/runnable_model.h"
#include "ptqc/sample_files.h"
#include "quant/equalization.h"

namespace ptqc {

namespace {

std::string inputs_text(const Graph& g) {
  std::string text;
  for (const ValueInfo& v : g.inputs) text += (text.empty() ? "" : ", ") + v.name + ":" + shape_string(v.dims);
  return text;
}

Error om_mismatch(const std::string& om, const std::string& reason) {
  return Error(ErrorCode::kInvalidValue, "Value [" + om + "] for parameter [--om] is invalid. Reason: " + reason);
}

/// E10001 unless the .om's inputs have the model's names and dims, in the same order.
void check_inputs_match(const Graph& fp32, const Graph& int8, const std::string& om) {
  bool same = fp32.inputs.size() == int8.inputs.size();
  for (size_t i = 0; same && i < fp32.inputs.size(); ++i) {
    same = fp32.inputs[i].name == int8.inputs[i].name && fp32.inputs[i].dims == int8.inputs[i].dims;
  }
  if (!same) {
    throw om_mismatch(om, "its inputs (" + inputs_text(int8) + ") differ from the model's (" + inputs_text(fp32) +
                              "); give the --input_shape it was compiled with");
  }
}

/// \p fp32 with the .om's outputs as its outputs (a compile with --out_nodes selects
/// intermediate values); E10001 when the model does not compute one of them.
Graph with_outputs_of(Graph fp32, const Graph& int8, const std::string& om) {
  std::vector<ValueInfo> outputs;
  for (const ValueInfo& out : int8.outputs) {
    const bool computed = std::any_of(fp32.nodes.begin(), fp32.nodes.end(), [&](const Node& n) {
      return std::find(n.outputs.begin(), n.outputs.end(), out.name) != n.outputs.end();
    });
    if (!computed) throw om_mismatch(om, "its output '" + out.name + "' is not a value of the FP32 model");
    ValueInfo info = fp32.info(out.name).value_or(ValueInfo{});
    info.name = out.name;
    outputs.push_back(std::move(info));
  }
  fp32.outputs = std::move(outputs);
  return fp32;
}

std::vector<Tensor> read_sample(const std::vector<std::string>& files, const Graph& g) {
  std::vector<Tensor> tensors;
  for (size_t i = 0; i < files.size(); ++i) tensors.push_back(read_input_file(files[i], g.inputs[i]));
  return tensors;
}

std::string sample_name(size_t k) {
  char text[24];
  std::snprintf(text, sizeof text, "%04zu", k);
  return text;
}

/// The simulation of every layer whose parameters the .om determines.
Graph simulation_graph(const Graph& fp32, const Graph& int8, const std::vector<LayerComparison>& layers, SimulationReport& report) {
  std::vector<SimulatedLayer> simulated;
  for (const LayerComparison& layer : layers) {
    std::string note;
    if (auto sim = simulated_layer(layer, fp32, int8, note)) {
      simulated.push_back(std::move(*sim));
    } else {
      report.not_simulated.push_back(layer.name + ": " + note);
    }
  }
  report.simulated_layers = simulated.size();
  return simulate_layers(fp32, simulated);
}

/// Running sums of one output: simulation vs FP32, INT8 vs simulation.
struct SimulationSums {
  ErrorSums algorithm, kernels;
};

void fill_simulation_outputs(SimulationReport& report, const std::vector<SimulationSums>& sums,
                             const std::vector<OutputComparison>& outputs) {
  for (size_t o = 0; o < sums.size(); ++o) {
    report.outputs.push_back({outputs[o].name, sums[o].algorithm.sqnr_db(), sums[o].algorithm.cosine(), sums[o].kernels.sqnr_db(),
                              sums[o].kernels.max_abs_err});
  }
}

/// \p fp32 equalized as the compiler equalized the .om \p om (its \p layers, OmMetadata::equalized_layers):
/// the same pass on the same layers, so every value of the two graphs means the same thing.
/// The model's outputs are unchanged (up to float rounding).
Graph equalized_like_om(Graph fp32, const std::string& om, const std::vector<std::string>& layers) {
  if (layers.empty()) return fp32;
  const std::set<std::string> names(layers.begin(), layers.end());
  const EqualizationSummary summary = equalize_cross_layer(fp32, [&](const Node& n) { return names.count(n.name) != 0; });
  spdlog::info("{} was compiled with cross-layer equalization: the FP32 model is equalized the same way ({} pair(s)) "
               "before the comparison", om, summary.pairs.size());
  return fp32;
}

}  // namespace

CompareReport compare_models(const ModelCompareRequest& request) {
  const Executor loaded_fp32 = load_runnable_model(request.model, request.input_shape, ExecutorOptions{request.threads});
  OmMetadata om_meta;
  Executor int8 = load_runnable_model(request.om, request.input_shape, ExecutorOptions{request.threads}, &om_meta);
  check_inputs_match(loaded_fp32.graph(), int8.graph(), request.om);
  const Graph fp32_graph = with_outputs_of(equalized_like_om(loaded_fp32.graph(), request.om, om_meta.equalized_layers),
                                           int8.graph(), request.om);
  Executor fp32(fp32_graph, ExecutorOptions{request.threads});
  const auto samples = read_input_list(request.input_list, fp32_graph.inputs.size());

  CompareReport report;
  report.mode = "models";
  report.fp32_source = request.model;
  report.int8_source = request.om;
  report.options = request.metrics;
  report.samples = static_cast<int64_t>(samples.size());
  report.layer_samples = std::min<int64_t>(request.max_layer_samples, report.samples);
  report.params_source = request.record.empty() ? "om" : "record";
  report.layers = match_quantized_layers(fp32_graph, int8.graph());
  read_layer_params(report.layers, fp32_graph, int8.graph(), request.record);
  for (const ValueInfo& out : int8.graph().outputs) report.outputs.push_back({out.name, {}, {}});

  std::optional<Executor> simulation;
  std::vector<SimulationSums> simulation_sums(report.outputs.size());
  if (request.simulate) {
    report.simulation = SimulationReport{};
    // Float ops run as in the .om (FP16 activations under force_fp16), so the difference is the kernels'.
    simulation.emplace(simulation_graph(fp32_graph, int8.graph(), report.layers, *report.simulation), int8.options());
    report.simulation->samples = report.samples;
  }

  CumulativeError cumulative(fp32_graph, int8.graph());
  ActivationHistograms histograms(report.layers);
  std::vector<std::vector<Tensor>> layer_inputs, layer_reference;
  for (size_t k = 0; k < samples.size(); ++k) {
    const bool per_layer = static_cast<int64_t>(k) < report.layer_samples;
    if (per_layer) {
      fp32.set_observer([&](const Node&, const std::string& value, const Tensor& t) {
        cumulative.keep_reference(value, t);
        histograms.observe(value, t);
      });
      int8.set_observer([&](const Node&, const std::string& value, const Tensor& t) { cumulative.add_test(value, t); });
    } else {
      fp32.set_observer(nullptr);
      int8.set_observer(nullptr);
    }
    std::vector<Tensor> inputs = read_sample(samples[k], fp32_graph);
    for (size_t i = 0; per_layer && i < inputs.size(); ++i) histograms.observe(fp32_graph.inputs[i].name, inputs[i]);
    std::vector<Tensor> ref = fp32.run(inputs);
    const std::vector<Tensor> test = int8.run(read_sample(samples[k], int8.graph()));
    for (size_t o = 0; o < report.outputs.size(); ++o) {
      add_output_sample(report.outputs[o], ref[o], test[o], request.metrics,
                        "output '" + report.outputs[o].name + "' of sample " + sample_name(k));
    }
    if (simulation) {
      const std::vector<Tensor> sim = simulation->run(inputs);
      for (size_t o = 0; o < report.outputs.size(); ++o) {
        if (ref[o].dtype() != DataType::kFloat32 || sim[o].dtype() != DataType::kFloat32) continue;
        const Tensor t = test[o].dtype() == DataType::kFloat32 ? test[o] : cast_tensor(test[o], DataType::kFloat32);
        simulation_sums[o].algorithm.add(ref[o].values<float>(), sim[o].values<float>());
        simulation_sums[o].kernels.add(sim[o].values<float>(), t.values<float>());
      }
    }
    if (per_layer) {
      layer_inputs.push_back(std::move(inputs));
      layer_reference.push_back(std::move(ref));
    }
    spdlog::info("sample {}/{} compared", k + 1, samples.size());
  }
  if (simulation) fill_simulation_outputs(*report.simulation, simulation_sums, report.outputs);
  if (report.layer_samples > 0) {
    report.values = cumulative.in_graph_order(fp32_graph);
    attach_cumulative_errors(report.layers, fp32_graph, cumulative.results());
    report.histograms = histograms.results();
    measure_isolated_sensitivity(report.layers, fp32_graph, int8.graph(), layer_inputs, layer_reference, request.threads);
  }
  return report;
}

}  // namespace ptqc
