// ptqc-compare: accuracy of an INT8 .om against its FP32 ONNX model, per output and per layer.
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <optional>

#include "cli/tool_support.h"
#include "ptqc/compare.h"
#include "ptqc/error.h"

namespace {

struct Options {
  std::string model, om, input_list, input_shape, record, fp32_dir, int8_dir, report, log = "warning";
  int threads = 1;
  int64_t max_samples = 8;
  std::optional<double> data_range;
  std::optional<double> mask_threshold;
  int topk = 0;
  bool simulate = false;
};

ptqc::Error invalid(const std::string& flag, const std::string& value, const std::string& reason) {
  return ptqc::Error(ptqc::ErrorCode::kInvalidValue, "Value [" + value + "] for parameter [" + flag + "] is invalid. Reason: " + reason);
}

ptqc::CompareReport compare(const Options& o, const ptqc::MetricOptions& metrics) {
  const bool folders = !o.fp32_dir.empty() || !o.int8_dir.empty();
  const bool models = !o.model.empty() || !o.om.empty() || !o.input_list.empty();
  if (folders && models) {
    throw ptqc::Error(ptqc::ErrorCode::kInvalidValue,
                      "give either --model, --om and --input_list (run both models) or --fp32_dir and --int8_dir (compare outputs)");
  }
  if (folders) {
    if (o.simulate) throw invalid("--simulate", "true", "the simulation runs the models: give --model, --om and --input_list");
    if (o.fp32_dir.empty() || o.int8_dir.empty()) {
      throw ptqc::Error(ptqc::ErrorCode::kMissingFlag, "--fp32_dir and --int8_dir go together: both are required");
    }
    return ptqc::compare_output_folders(o.fp32_dir, o.int8_dir, metrics);
  }
  for (const auto& [flag, value] : {std::pair{"--model", &o.model}, {"--om", &o.om}, {"--input_list", &o.input_list}}) {
    if (value->empty()) throw ptqc::Error(ptqc::ErrorCode::kMissingFlag, std::string("required flag ") + flag + " is missing");
  }
  ptqc::ModelCompareRequest request{o.model,   o.om,          o.input_list, o.input_shape, o.record,
                                    o.threads, o.max_samples, o.simulate,   metrics};
  return ptqc::compare_models(request);
}

int run(const Options& o) {
  ptqc::cli::set_log_level(o.log);
  ptqc::MetricOptions metrics;
  if (o.data_range && !(*o.data_range > 0 && std::isfinite(*o.data_range))) {
    throw invalid("--data_range", std::to_string(*o.data_range), "the PSNR data range must be finite and > 0");
  }
  metrics.data_range = o.data_range;
  metrics.topk = o.topk;
  if (o.mask_threshold && !std::isfinite(*o.mask_threshold)) {
    throw invalid("--mask_threshold", std::to_string(*o.mask_threshold), "the threshold must be a finite number");
  }
  metrics.mask_threshold = o.mask_threshold;
  const ptqc::CompareReport report = compare(o, metrics);
  std::fputs(ptqc::format_text_report(report).c_str(), stdout);
  if (!o.report.empty()) {
    ptqc::write_report_files(o.report, report);
    std::printf("\nwrote %s/compare.json and %s/compare.html\n", o.report.c_str(), o.report.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ptqc-compare: accuracy of an INT8 .om against its FP32 ONNX model (cosine, SQNR, PSNR, errors, top-k, mask IoU; per layer; float simulation)"};
  Options o;
  app.add_option("--model", o.model, "the FP32 ONNX model");
  app.add_option("--om", o.om, "the INT8 .om compiled from it");
  app.add_option("--input_list", o.input_list, "one sample per line: one .bin per input, separated by spaces, relative to the list");
  app.add_option("--input_shape", o.input_shape, "bind dynamic dims: \"name:1,3,224,224;name2:...\" (as given to ptqc)");
  app.add_option("--record", o.record, "quant_record.json (or its folder): layer parameters for the isolated sensitivity");
  app.add_option("--max_samples", o.max_samples, "samples for the per-layer analysis (0 skips it)")->check(CLI::Range(0, 1000000000));
  app.add_option("--fp32_dir", o.fp32_dir, "ptqc-run output folder of the FP32 model");
  app.add_option("--int8_dir", o.int8_dir, "ptqc-run output folder of the INT8 model");
  double data_range = 0;
  app.add_option("--data_range", data_range, "PSNR peak-to-peak range (default: each FP32 output's max - min)");
  app.add_option("--topk", o.topk, "top-1/top-k agreement on every output with this k (default: k = 5, [N, C] and [N, T, C] outputs only)")
      ->check(CLI::Range(1, 1 << 20));
  double mask_threshold = 0;
  app.add_option("--mask_threshold", mask_threshold, "binary-mask IoU of every output at this threshold (probability maps, e.g. 0.3)");
  app.add_flag("--simulate", o.simulate, "also run the float simulation of the .om's quantization: algorithm vs kernel error");
  app.add_option("--report", o.report, "folder for compare.json and compare.html");
  app.add_option("--threads", o.threads, "worker threads")->check(CLI::Range(1, 256));
  app.add_option("--log", o.log, "debug|info|warning|error|null");
  ptqc::cli::add_max_memory_flag(app);
  if (const auto status = ptqc::cli::parse_arguments(app, argc, argv)) return *status;
  if (app.count("--data_range") > 0) o.data_range = data_range;
  if (app.count("--mask_threshold") > 0) o.mask_threshold = mask_threshold;
  return ptqc::cli::run_guarded([&] { return run(o); });
}
