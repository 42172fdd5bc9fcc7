// ptqc-run: run a model on raw .bin inputs and write raw .bin outputs (like msame).
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/tool_support.h"
#include "ptqc/error.h"

namespace {

struct Options {
  std::string model, input, input_list, output, input_shape, log = "warning";
  int threads = 1;
};

/// Reads the sample lines of --input_list: paths separated by spaces, relative to the list's folder.
std::vector<std::vector<std::string>> read_input_list(const std::string& path, size_t num_inputs) {
  std::ifstream in(path);
  if (!in) throw ptqc::Error(ptqc::ErrorCode::kFileIo, "cannot open input list " + path);
  const std::filesystem::path base = std::filesystem::path(path).parent_path();
  std::vector<std::vector<std::string>> samples;
  std::string line;
  for (size_t line_no = 1; std::getline(in, line); ++line_no) {
    std::istringstream fields(line);
    std::vector<std::string> files;
    for (std::string f; fields >> f;) files.push_back((base / f).string());
    if (files.empty()) continue;
    if (files.size() != num_inputs) {
      throw ptqc::Error(ptqc::ErrorCode::kInvalidValue, path + ":" + std::to_string(line_no) + ": " +
                                                            std::to_string(files.size()) + " files for a model with " +
                                                            std::to_string(num_inputs) + " inputs");
    }
    samples.push_back(std::move(files));
  }
  if (samples.empty()) throw ptqc::Error(ptqc::ErrorCode::kEmptyValue, "input list " + path + " has no samples");
  return samples;
}

std::vector<ptqc::Tensor> read_sample(const std::vector<std::string>& files, const std::vector<ptqc::ValueInfo>& inputs) {
  std::vector<ptqc::Tensor> tensors;
  for (size_t i = 0; i < files.size(); ++i) tensors.push_back(ptqc::cli::read_input_file(files[i], inputs[i]));
  return tensors;
}

int run(const Options& o) {
  ptqc::cli::set_log_level(o.log);
  ptqc::Executor executor = ptqc::cli::load_runnable_model(o.model, o.input_shape, o.threads);
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
  const auto samples = read_input_list(o.input_list, graph.inputs.size());
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
  app.add_option("--model", o.model, "ONNX model")->required();
  app.add_option("--input", o.input, "one .bin per model input, comma separated, in input order");
  app.add_option("--input_list", o.input_list, "file with one sample per line (paths relative to the list)");
  app.add_option("--output", o.output, "output folder (output_<i>.bin + outputs.json)")->required();
  app.add_option("--input_shape", o.input_shape, "bind dynamic dims: \"name:1,3,224,224;name2:...\"");
  app.add_option("--threads", o.threads, "worker threads")->check(CLI::Range(1, 256));
  app.add_option("--log", o.log, "debug|info|warning|error|null");
  if (const auto status = ptqc::cli::parse_arguments(app, argc, argv)) return *status;
  return ptqc::cli::run_guarded([&] { return run(o); });
}
