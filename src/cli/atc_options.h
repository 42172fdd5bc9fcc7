#pragma once
/// \file
/// The `ptqc` command line: ATC's flags (brief section 1), parsed by CLI11 in
/// ATC's `--flag=value` / `--flag value` forms, and checked into typed options.

#include <map>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace ptqc::cli {

/// The flags as given (strings, validated by validate_*).
struct AtcFlags {
  int mode = 0;
  std::string model, framework, output, soc_version, input_format = "NCHW", input_shape, out_nodes, output_type,
      precision_mode = "force_fp16", keep_dtype, log = "error", enable_quantization = "false", quantization_config, om,
      json, check_report = "check_result.json";
  int threads = 0;  ///< 0: all cores
  /// ATC flags ptqc accepts for script compatibility but that have no effect here, with their values.
  std::map<std::string, std::string> ignored;
};

/// Registers every flag on \p app.
void add_atc_flags(CLI::App& app, AtcFlags& flags);

/// One selected output: `--out_nodes="node:0"` -> node "node", output index 0.
struct OutNode {
  std::string node;
  int64_t index = 0;
};
/// Parses --out_nodes (E10001 on bad syntax).
std::vector<OutNode> parse_out_nodes(const std::string& spec);

/// --output_type: one type for all outputs ("FP32") or per output ("node:0:FP16;...").
struct OutputTypes {
  std::string all;                                   ///< "" when only per-output types are given
  std::map<std::pair<std::string, int64_t>, std::string> per_output;
};
OutputTypes parse_output_type(const std::string& spec);

/// --keep_dtype file: op names, or `OpType::Relu` for a whole op type, one per line.
struct KeepDtype {
  std::vector<std::string> nodes;
  std::vector<std::string> op_types;
};
KeepDtype read_keep_dtype(const std::string& path);

/// Checks the flags common to every mode (--log, --mode) and those of mode 0
/// (--model, --framework, --output, --soc_version, --input_format, --precision_mode,
/// --enable_quantization/--quantization_config). Throws the ATC-coded error.
void validate_compile_flags(const AtcFlags& flags);

}  // namespace ptqc::cli
