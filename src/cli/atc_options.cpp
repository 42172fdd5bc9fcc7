#include "cli/atc_options.h"

#include <CLI/CLI.hpp>
#include <sstream>
#include <set>

#include "cli/tool_support.h"
#include "ptqc/error.h"
#include "ptqc/file_io.h"

namespace ptqc::cli {

namespace {

[[noreturn]] void invalid(const std::string& flag, const std::string& value, const std::string& reason) {
  throw Error(ErrorCode::kInvalidValue, "Value [" + value + "] for parameter [--" + flag + "] is invalid. Reason: " + reason);
}

void require(const std::string& flag, const std::string& value) {
  if (value.empty()) throw Error(ErrorCode::kMissingFlag, "[--" + flag + "] is required");
}

void one_of(const std::string& flag, const std::string& value, const std::set<std::string>& allowed) {
  if (allowed.count(value)) return;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  invalid(flag, value, "expected one of " + list);
}

/// ATC flags that change NPU-specific code generation only; accepted so existing
/// scripts run unchanged, reported as ignored.
const char* const kIgnoredFlags[] = {
    "insert_op_conf", "op_select_implmode", "optypelist_for_implmode", "fusion_switch_file", "buffer_optimize",
    "enable_small_channel", "enable_compress_weight", "compress_weight_conf", "host_env_os", "host_env_cpu",
    "op_debug_level", "auto_tune_mode", "virtual_type", "disable_reuse_memory", "core_type", "aicore_num",
    "input_fp16_nodes", "is_output_adjust_hw_layout", "op_name_map", "modify_mixlist", "customize_dtypes",
    "op_precision_mode", "deterministic", "external_weight", "allow_hf32", "status_check", "dump_mode",
    "debug_dir", "op_compiler_cache_mode", "op_compiler_cache_dir", "display_model_info", "sparsity"};

/// The non-empty ';'-separated entries of \p spec.
std::vector<std::string> entries(const std::string& spec) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (begin <= spec.size()) {
    const size_t end = std::min(spec.find(';', begin), spec.size());
    if (end > begin) out.push_back(spec.substr(begin, end - begin));
    begin = end + 1;
  }
  return out;
}

}  // namespace

void add_atc_flags(CLI::App& app, AtcFlags& f) {
  app.add_option("--mode", f.mode, "0: compile (default), 1: .om to JSON, 3: pre-check only, 6: .om info");
  app.add_option("--model", f.model, "the ONNX model (FP32 or FP16)");
  app.add_option("--framework", f.framework, "5 = ONNX (0 Caffe, 1 MindSpore, 3 TensorFlow are not supported)");
  app.add_option("--output", f.output, "output path prefix; .om is appended");
  app.add_option("--soc_version", f.soc_version, "target SoC, e.g. Ascend310P3 (an unknown name lists the valid ones)");
  app.add_option("--input_format", f.input_format, "NCHW | ND | NHWC");
  app.add_option("--input_shape", f.input_shape, "\"name:n,c,h,w;name2:...\" (-1 keeps a dim dynamic)");
  app.add_option("--out_nodes", f.out_nodes, "outputs to keep: \"node:0;node2:1\"");
  app.add_option("--output_type", f.output_type, "FP32 | FP16 | UINT8, or per output \"node:0:FP16;...\"");
  app.add_option("--precision_mode", f.precision_mode, "force_fp16 | force_fp32 | must_keep_origin_dtype | allow_mix_precision");
  app.add_option("--keep_dtype", f.keep_dtype, "file of op names (or OpType::Relu) kept in their original precision");
  app.add_option("--log", f.log, "debug | info | warning | error | null");
  app.add_option("--enable_quantization", f.enable_quantization, "true: INT8 post-training quantization");
  app.add_option("--quantization_config", f.quantization_config, "quantization config JSON (docs/config.md)");
  app.add_option("--om", f.om, "the .om of --mode=1/6");
  app.add_option("--json", f.json, "JSON output of --mode=1");
  app.add_option("--check_report", f.check_report, "pre-check report of --mode=3 (default check_result.json)");
  app.add_option("--threads", f.threads, "CPU threads for calibration (default: all cores)");
  add_max_memory_flag(app);
  for (const char* name : kIgnoredFlags) {
    app.add_option_function<std::string>(std::string("--") + name,
                                         [&f, name](const std::string& v) { f.ignored[name] = v; },
                                         "accepted for atc compatibility; no effect")
        ->group("ATC flags without effect in ptqc");
  }
}

std::vector<OutNode> parse_out_nodes(const std::string& spec) {
  std::vector<OutNode> nodes;
  for (const std::string& entry : entries(spec)) {
    const size_t colon = entry.rfind(':');
    if (colon == std::string::npos || colon == 0) invalid("out_nodes", spec, "entry '" + entry + "' is not node:index");
    try {
      size_t used = 0;
      const int64_t index = std::stoll(entry.substr(colon + 1), &used);
      if (used != entry.size() - colon - 1 || index < 0) throw std::invalid_argument("index");
      nodes.push_back({entry.substr(0, colon), index});
    } catch (const std::exception&) {
      invalid("out_nodes", spec, "output index in '" + entry + "' is not a non-negative integer");
    }
  }
  if (nodes.empty()) invalid("out_nodes", spec, "no node given");
  return nodes;
}

OutputTypes parse_output_type(const std::string& spec) {
  static const std::set<std::string> types = {"FP32", "FP16", "UINT8"};
  OutputTypes out;
  if (types.count(spec)) {
    out.all = spec;
    return out;
  }
  for (const std::string& entry : entries(spec)) {
    const size_t type_colon = entry.rfind(':');
    const size_t index_colon = type_colon == std::string::npos ? std::string::npos : entry.rfind(':', type_colon - 1);
    if (index_colon == std::string::npos || index_colon == 0) invalid("output_type", spec, "expected FP32|FP16|UINT8 or node:index:type");
    const std::string type = entry.substr(type_colon + 1);
    one_of("output_type", type, types);
    try {
      out.per_output[{entry.substr(0, index_colon), std::stoll(entry.substr(index_colon + 1, type_colon - index_colon - 1))}] = type;
    } catch (const std::exception&) {
      invalid("output_type", spec, "bad output index in '" + entry + "'");
    }
  }
  return out;
}

KeepDtype read_keep_dtype(const std::string& path) {
  std::istringstream in(read_file_bytes(path, kMaxTextFileBytes, "--keep_dtype file"));
  KeepDtype keep;
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    line = line.substr(start);
    if (line.rfind("OpType::", 0) == 0) {
      keep.op_types.push_back(line.substr(8));
    } else {
      keep.nodes.push_back(line);
    }
  }
  return keep;
}

void validate_compile_flags(const AtcFlags& f) {
  require("model", f.model);
  require("framework", f.framework);
  if (f.framework != "5") {
    static const std::map<std::string, std::string> names = {{"0", "Caffe"}, {"1", "MindSpore"}, {"3", "TensorFlow"}};
    auto it = names.find(f.framework);
    invalid("framework", f.framework,
            (it == names.end() ? std::string("unknown framework") : it->second + " models are not supported") +
                "; ptqc reads ONNX models: --framework=5");
  }
  require("output", f.output);
  require("soc_version", f.soc_version);
  one_of("input_format", f.input_format, {"NCHW", "ND", "NHWC"});
  one_of("precision_mode", f.precision_mode, {"force_fp16", "force_fp32", "must_keep_origin_dtype", "allow_mix_precision"});
  one_of("enable_quantization", f.enable_quantization, {"true", "false"});
  if (f.enable_quantization == "true") require("quantization_config", f.quantization_config);
  if (f.threads < 0) invalid("threads", std::to_string(f.threads), "must be >= 0");
}

}  // namespace ptqc::cli
