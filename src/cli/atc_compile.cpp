#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "cli/atc_commands.h"
#include "cli/calibration_input.h"
#include "cli/tool_support.h"
#include "ir/passes/graph_edit.h"
#include "ptqc/checksum.h"
#include "ptqc/error.h"
#include "ptqc/executor.h"
#include "ptqc/file_io.h"
#include "ptqc/om.h"
#include "ptqc/onnx_frontend.h"
#include "ptqc/passes.h"
#include "ptqc/quant_config.h"
#include "ptqc/shape_inference.h"
#include "ptqc/soc.h"
#include "quant/accuracy_check.h"
#include "quant/quantizer.h"

namespace ptqc::cli {

namespace {

int thread_count(const AtcFlags& f) {
  return f.threads > 0 ? f.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

/// Keeps only the outputs --out_nodes selects (E10016 for an unknown node or index).
void select_outputs(Graph& graph, const std::string& spec) {
  std::vector<ValueInfo> outputs;
  for (const OutNode& o : parse_out_nodes(spec)) {
    const auto it = std::find_if(graph.nodes.begin(), graph.nodes.end(), [&](const Node& n) { return n.name == o.node; });
    if (it == graph.nodes.end() || o.index >= static_cast<int64_t>(it->outputs.size()) || it->outputs[static_cast<size_t>(o.index)].empty()) {
      throw Error(ErrorCode::kUnknownOutNode, "Value [" + o.node + ":" + std::to_string(o.index) +
                                                 "] for parameter [--out_nodes] is invalid. Reason: the model has no node '" +
                                                 o.node + "' with output " + std::to_string(o.index));
    }
    const std::string value = it->outputs[static_cast<size_t>(o.index)];
    ValueInfo info = graph.info(value).value_or(ValueInfo{value, DataType::kUndefined, {}, false, DataType::kUndefined});
    info.name = value;
    outputs.push_back(info);
  }
  graph.outputs = std::move(outputs);
}

/// Logs how long each stage of a compile takes (--log=info).
class StageClock {
 public:
  void done(const char* stage) {
    const auto now = std::chrono::steady_clock::now();
    spdlog::info("{}: {:.3f} s", stage, std::chrono::duration<double>(now - last_).count());
    last_ = now;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

/// The float graph of the model file's \p bytes: loaded with --input_shape, outputs selected.
Graph load_graph(const AtcFlags& f, std::string_view bytes, StageClock& clock) {
  LoadOptions options;
  if (!f.input_shape.empty()) options.input_shapes = parse_input_shape(f.input_shape);
  Graph graph = parse_onnx_model(bytes, f.model, options);
  if (!f.out_nodes.empty()) select_outputs(graph, f.out_nodes);
  clock.done("load");
  return graph;
}

/// Annotates \p graph's shapes with the kernels' own inference, which checks that every op
/// has a kernel and accepts its inputs (E19010/E19020 otherwise), then optimizes it.
void check_and_optimize(Graph& graph, int threads, StageClock& clock) {
  annotate_graph_shapes(graph);
  clock.done("shape check");
  optimize(graph, [threads](const Node& n, int64_t opset, const std::vector<const Tensor*>& in) {
    return evaluate_node(n, opset, in, threads);
  });
  clock.done("graph passes");
}

/// The layer settings of the config, with --keep_dtype's nodes and op types kept in float.
LayerSettingsFn layer_settings(const QuantConfig* config, const KeepDtype& keep) {
  return [config, keep](const Node& node) {
    LayerSettings s;
    if (config) {
      const LayerQuantConfig& c = config->for_layer(node.name, node.op_type);
      s.activation = c.activation;
      s.weights = c.weight_algorithm;
      s.channel_wise = c.channel_wise;
      s.activation_matmul = config->activation_matmul;
      s.skip = c.skip;
      if (s.skip) s.skip_reason = "skipped by the quantization config (skip_layers, skip_layer_types or override)";
    }
    const bool kept = std::count(keep.nodes.begin(), keep.nodes.end(), node.name) ||
                      std::count(keep.op_types.begin(), keep.op_types.end(), node.op_type);
    if (kept) {
      s.skip = true;
      s.skip_reason = "listed in --keep_dtype";
    }
    return s;
  };
}

/// "name:1x3x224x224;..." of the graph inputs (part of the calibration record's key).
std::string input_shapes_text(const Graph& graph) {
  std::string text;
  for (const auto& in : graph.inputs) text += in.name + ":" + shape_string(in.dims) + ";";
  return text;
}

/// The --output_type of graph output \p value ("" = keep float32).
std::string output_type_of(const Graph& graph, const OutputTypes& types, const std::string& value) {
  const int producer = producer_index(graph, value);
  if (producer < 0) return "";
  const Node& node = graph.nodes[static_cast<size_t>(producer)];
  for (size_t k = 0; k < node.outputs.size(); ++k) {
    auto it = types.per_output.find({node.name, static_cast<int64_t>(k)});
    if (node.outputs[k] == value && it != types.per_output.end()) return it->second;
  }
  return types.all;
}

/// Converts graph outputs to the --output_type element types with Cast nodes (UINT8:
/// Clip to [0, 255] and Round first, as the NPU's output conversion saturates). Each
/// output keeps its name: the float value is renamed and the last Cast writes the name.
void apply_output_types(Graph& graph, const std::string& spec) {
  if (spec.empty()) return;
  const OutputTypes types = parse_output_type(spec);
  for (auto& out : graph.outputs) {
    const std::string type = output_type_of(graph, types, out.name);
    if (type.empty() || type == "FP32") continue;
    const std::string float_value = out.name + "_float";
    for (auto& n : graph.nodes) {
      std::replace(n.outputs.begin(), n.outputs.end(), out.name, float_value);
      std::replace(n.inputs.begin(), n.inputs.end(), out.name, float_value);
    }
    std::string value = float_value;
    auto append = [&](const std::string& op, std::vector<std::string> extra, std::map<std::string, Attribute> attrs, const std::string& result) {
      Node n;
      n.name = out.name + "_to_" + type + "_" + op;
      n.op_type = op;
      n.inputs = {value};
      n.inputs.insert(n.inputs.end(), extra.begin(), extra.end());
      n.outputs = {result};
      n.attrs = std::move(attrs);
      value = result;
      graph.nodes.push_back(std::move(n));
    };
    if (type == "UINT8") {
      graph.initializers[out.name + "_lo"] = Tensor::scalar<float>(0.0f);
      graph.initializers[out.name + "_hi"] = Tensor::scalar<float>(255.0f);
      append("Clip", {out.name + "_lo", out.name + "_hi"}, {}, out.name + "_clipped");
      append("Round", {}, {}, out.name + "_rounded");
    }
    const DataType dtype = type == "FP16" ? DataType::kFloat16 : DataType::kUInt8;
    append("Cast", {}, {{"to", Attribute::of_int(static_cast<int64_t>(dtype))}}, out.name);
    out.dtype = dtype;
    out.declared_dtype = DataType::kUndefined;
  }
}

void print_quantization_summary(const QuantizeReport& report, const std::string& record_dir) {
  size_t candidates = 0;
  for (const auto& d : report.decisions) {
    if (d.quantized) continue;
    if (d.reason.rfind("no INT8 kernel", 0) != 0) {
      ++candidates;
      spdlog::warn("layer {} ({}) stays in float: {}", d.node, d.op_type, d.reason);
    }
  }
  if (report.reused_record) {
    // On the default log level too: reusing stale ranges silently would give a wrong .om.
    std::printf("calibration skipped: reused the record in %s (same model, config, input shapes and calibration "
                "data; delete it to calibrate again)\n", record_dir.c_str());
  }
  std::printf("quantization: %zu layers INT8, %zu quantizable layers kept in float, %zu requant joins%s\n",
              report.records.size(), candidates, report.requant_joins,
              report.reused_record ? " (calibration record reused)" : "");
}

/// Prints what accuracy_target chose and writes it to <out_file_path>/mixed_precision.json.
void report_mixed_precision(const MixedPrecisionReport& mp, const std::string& record_dir) {
  const PrecisionSearch& s = mp.search;
  std::printf("accuracy_target: %s reached (target %s; every layer INT8: %s) on %lld %s batch(es); %zu layer(s) kept "
              "in float, %.1f%% of MACs INT8; %d evaluations\n",
              describe_metric(mp.target.metric, s.reached).c_str(), describe_metric(mp.target.metric, mp.target.value).c_str(),
              describe_metric(mp.target.metric, s.all_int8).c_str(), static_cast<long long>(mp.eval_samples),
              mp.held_out_from_calibration ? "held-out calibration" : "eval_list_file", s.float_layers.size(),
              100 * mp.int8_mac_share, s.evaluations);
  for (const std::string& layer : s.float_layers) {
    const auto it = std::find_if(s.isolated.begin(), s.isolated.end(), [&](const auto& p) { return p.first == layer; });
    std::printf("  kept in float: %s (%s with only this layer INT8)\n", layer.c_str(),
                it == s.isolated.end() ? "-" : describe_metric(mp.target.metric, it->second).c_str());
  }
  if (record_dir.empty()) return;
  // JSON has no infinity: an exact match (SQNR +inf) is written "inf"; null means not evaluated.
  const auto number = [](double v) { return std::isnan(v) ? nlohmann::json(nullptr) : std::isinf(v) ? nlohmann::json("inf") : nlohmann::json(v); };
  nlohmann::json isolated = nlohmann::json::object();
  for (const auto& [layer, value] : s.isolated) isolated[layer] = number(value);
  const nlohmann::json out = {
      {"target", {{"metric", describe_metric(mp.target.metric, mp.target.value)}, {"value", mp.target.value}}},
      {"reached", number(s.reached)},
      {"every_layer_int8", number(s.all_int8)},
      {"every_layer_float", number(s.all_float)},
      {"float_layers", s.float_layers},
      {"int8_mac_share", mp.int8_mac_share},
      {"evaluations", s.evaluations},
      {"eval_batches", mp.eval_samples},
      {"eval_data", mp.held_out_from_calibration ? "held-out calibration batches" : "eval_list_file"},
      {"judged_outputs", mp.judged_outputs},
      {"isolated", isolated}};
  ensure_directory(record_dir);
  write_file_atomically(record_dir + "/mixed_precision.json", out.dump(2) + "\n");
}

}  // namespace

void compile_model(const AtcFlags& f) {
  validate_compile_flags(f);
  const SocInfo& soc = find_soc(f.soc_version);
  const KeepDtype keep = f.keep_dtype.empty() ? KeepDtype{} : read_keep_dtype(f.keep_dtype);
  const std::string om_path = f.output + ".om";
  const auto parent = std::filesystem::path(om_path).parent_path();
  if (!parent.empty()) ensure_directory(parent.string());
  const int threads = thread_count(f);
  std::optional<QuantConfig> config;
  if (f.enable_quantization == "true") config = load_quant_config(f.quantization_config);

  StageClock clock;
  const std::string model_bytes = read_file_bytes(f.model, kMaxModelFileBytes, "model");
  // Before calibration and before anything is written: the graph is one ptqc can run.
  Graph graph = load_graph(f, model_bytes, clock);
  check_and_optimize(graph, threads, clock);
  std::vector<std::string> equalized;  // layers cross-layer equalization rescaled (recorded in the .om)
  if (config) {
    config->check_layer_names(graph);
    QuantizeRequest request;
    request.soc = &soc;
    request.settings = layer_settings(&*config, keep);
    const CalibrationInput input = calibration_input(*config, graph);
    request.batches = input.make_source;
    request.expected_batches = input.batches;
    request.threads = threads;
    request.show_progress = isatty(STDERR_FILENO) && f.log != "null";
    request.record_dir = config->dataset.out_file_path;
    request.record_key = {sha256_hex(model_bytes), config->fingerprint(), input_shapes_text(graph), input.data_fingerprint, 0};
    request.bias_correction = config->bias_correction;
    request.cross_layer_equalization = config->cross_layer_equalization;
    request.exact_ranges = config->exact_input_ranges();
    request.accuracy_target = config->accuracy_target;
    if (config->accuracy_target && !config->accuracy_target->eval_list_file.empty()) {
      request.eval_batches = evaluation_input(*config, graph).make_source;
    }
    request.float16 = f.precision_mode == "force_fp16" || f.precision_mode == "allow_mix_precision";
    const QuantizeReport report = quantize_graph(graph, request);
    if (report.equalization) equalized = equalized_layers(*report.equalization);
    print_quantization_summary(report, request.record_dir);
    if (report.mixed_precision) report_mixed_precision(*report.mixed_precision, request.record_dir);
    clock.done("calibration and quantization");
  }
  apply_output_types(graph, f.output_type);
  if (config || !f.output_type.empty()) {
    check_graph_shapes(graph);  // the graph as written, INT8 ops and output casts included
    clock.done("final shape check");
  }
  OmMetadata meta;
  meta.soc_version = soc.name;
  meta.model_name = std::filesystem::path(f.model).stem().string();
  meta.precision_mode = f.precision_mode;
  meta.source_sha256 = sha256_hex(model_bytes);
  meta.float_weights_fp16 = f.precision_mode == "force_fp16" || f.precision_mode == "allow_mix_precision";
  meta.equalized_layers = std::move(equalized);
  write_om(om_path, graph, meta);
  clock.done("write .om");
  const double om_mb = static_cast<double>(std::filesystem::file_size(om_path)) / 1e6;
  const double onnx_mb = static_cast<double>(model_bytes.size()) / 1e6;
  std::printf("wrote %s: %.3f MB (ONNX %.3f MB, %.2fx smaller), %zu ops, SoC %s\n", om_path.c_str(), om_mb, onnx_mb,
              om_mb > 0 ? onnx_mb / om_mb : 0.0, graph.nodes.size(), soc.name.c_str());
}

namespace {

/// Mode 3's per-op part of the report: supported? quantized? why not? Returns the number of unsupported ops.
size_t report_ops(const Graph& graph, const std::vector<LayerDecision>& decisions, const ShapeCheck& shapes,
                  nlohmann::json& report) {
  nlohmann::json ops = nlohmann::json::array();
  size_t unsupported = 0, quantized = 0;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& n = graph.nodes[i];
    const bool supported = is_op_supported(n.op_type, n.domain);
    unsupported += supported ? 0 : 1;
    quantized += decisions[i].quantized ? 1 : 0;
    nlohmann::json op = {{"name", n.name}, {"type", n.op_type}, {"supported", supported}, {"quantized", decisions[i].quantized}};
    if (!supported) op["reason"] = "no kernel for " + n.op_type + (n.domain.empty() ? "" : " of domain " + n.domain);
    else if (!decisions[i].quantized) op["reason"] = decisions[i].reason;
    if (shapes.failure && n.name == shapes.failed_node) op["error"] = shapes.failure->what();
    ops.push_back(op);
  }
  report["summary"] = {{"ops", graph.nodes.size()}, {"unsupported", unsupported}, {"quantized", quantized},
                       {"shape_check", shapes.failure ? "failed" : "passed"},
                       {"checked_at_run_time", shapes.deferred}};
  report["ops"] = ops;
  if (shapes.failure) report["error"] = shapes.failure->what();
  std::printf("pre-check: %zu ops, %zu unsupported, %zu would be quantized, shape check %s\n", graph.nodes.size(),
              unsupported, quantized, shapes.failure ? "failed" : "passed");
  return unsupported;
}

}  // namespace

size_t precheck_model(const AtcFlags& f) {
  if (f.model.empty()) throw Error(ErrorCode::kMissingFlag, "[--model] is required");
  const SocInfo& soc = find_soc(f.soc_version.empty() ? "Ascend310P3" : f.soc_version);
  nlohmann::json report = {{"model", f.model}, {"soc_version", soc.name}};
  auto write_report = [&] {
    write_file_atomically(f.check_report, report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    std::printf("report: %s\n", f.check_report.c_str());
  };
  size_t unsupported = 0;
  std::optional<Error> shape_failure;
  try {
    const KeepDtype keep = f.keep_dtype.empty() ? KeepDtype{} : read_keep_dtype(f.keep_dtype);
    std::optional<QuantConfig> config;
    if (!f.quantization_config.empty()) config = load_quant_config(f.quantization_config);
    StageClock clock;
    Graph graph = load_graph(f, read_file_bytes(f.model, kMaxModelFileBytes, "model"), clock);
    const ShapeCheck shapes = infer_graph_shapes(graph);
    if (!shapes.failure) check_and_optimize(graph, thread_count(f), clock);  // report the ops as compiled
    const auto decisions = plan_quantization(graph, soc, layer_settings(config ? &*config : nullptr, keep));
    unsupported = report_ops(graph, decisions, shapes, report);
    shape_failure = shapes.failure;
  } catch (...) {
    // The report says why the model cannot even be checked (docs/cli.md: it is written in every case).
    report["error"] = failure_of(std::current_exception()).line;
    write_report();
    throw;
  }
  write_report();
  if (shape_failure && shape_failure->code() != ErrorCode::kUnsupportedOp) throw *shape_failure;
  return unsupported;
}

}  // namespace ptqc::cli
