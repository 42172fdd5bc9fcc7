// ptqc-run: run a model on raw .bin inputs and write raw .bin outputs (like msame).
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>

#include "cli/tool_support.h"
#include "ptqc/error.h"
#include "ptqc/runnable_model.h"
#include "ptqc/sample_files.h"

namespace {

struct Options {
  std::string model, input, input_list, output, input_shape, kernels = "fast", log = "warning";
  int threads = 1;
};

std::vector<ptqc::Tensor> read_sample(const std::vector<std::string>& files, const std::vector<ptqc::ValueInfo>& inputs) {
  std::vector<ptqc::Tensor> tensors;
  for (size_t i = 0; i < files.size(); ++i) tensors.push_back(ptqc::read_input_file(files[i], inputs[i]));
  return tensors;
}

int run(const Options& o) {
  ptqc::cli::set_log_level(o.log);
  ptqc::ExecutorOptions options{o.threads};
  options.kernels = ptqc::parse_kernel_set(o.kernels, "--kernels");
  ptqc::Executor executor = ptqc::load_runnable_model(o.model, o.input_shape, options);
  const auto& graph = executor.graph();
  if (o.input.empty() == o.input_list.empty()) {
    throw ptqc::Error(ptqc::ErrorCode::kMissingFlag, "give exactly one of --input and --input_list");
  }
  if (!o.input.empty()) {
    const auto files = ptqc::cli::split_list(o.input, ',');
    if (files.size() != graph.inputs.size()) {
      throw ptqc::Error(ptqc::ErrorCode::kInvalidValue, "Value [" + o.input + "] for parameter [--input] is invalid. Reason: the model has " +
                                                            std::to_string(graph.inputs.size()) + " inputs, " +
                                                            std::to_string(files.size()) + " files were given");
    }
    ptqc::cli::write_outputs(o.output, graph.outputs, executor.run(read_sample(files, graph.inputs)));
    return 0;
  }
  const auto samples = ptqc::read_input_list(o.input_list, graph.inputs.size());
  for (size_t k = 0; k < samples.size(); ++k) {
    char folder[24];
    std::snprintf(folder, sizeof folder, "%04zu", k);
    const auto outputs = executor.run(read_sample(samples[k], graph.inputs));
    ptqc::cli::write_outputs((std::filesystem::path(o.output) / folder).string(), graph.outputs, outputs);
  }
  spdlog::info("ran {} samples", samples.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ptqc-run: run an ONNX model on raw little-endian .bin inputs and write .bin outputs"};
  Options o;
  app.add_option("--model", o.model, "ONNX model or .om")->required();
  app.add_option("--input", o.input, "one .bin per model input, comma separated, in input order");
  app.add_option("--input_list", o.input_list, "file with one sample per line (paths relative to the list)");
  app.add_option("--output", o.output, "output folder (output_<i>.bin + outputs.json)")->required();
  app.add_option("--input_shape", o.input_shape, "bind dynamic dims: \"name:1,3,224,224;name2:...\"");
  app.add_option("--threads", o.threads, "worker threads")->check(CLI::Range(1, 256));
  app.add_option("--kernels", o.kernels, "fast (default) or reference: the plain kernels every fast path is tested against");
  app.add_option("--log", o.log, "debug|info|warning|error|null");
  ptqc::cli::add_max_memory_flag(app);
  if (const auto status = ptqc::cli::parse_arguments(app, argc, argv)) return *status;
  return ptqc::cli::run_guarded([&] { return run(o); });
}
