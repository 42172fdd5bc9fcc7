// ptqc-bench: latency and throughput of a model (warm-up, loops, threads), like msame/ais_bench.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <numeric>

#include "cli/tool_support.h"
#include "ptqc/error.h"
#include "ptqc/file_io.h"

namespace {

struct Options {
  std::string model, input, input_shape, json, log = "warning";
  int threads = 1, loop = 20, warmup = 3;
};

struct LatencyStats {
  double min, max, mean, median, p99, throughput;
};

/// Latency statistics in ms; throughput in samples/s (batch = first dim of the first input).
LatencyStats summarize(std::vector<double> ms, int64_t batch) {
  std::sort(ms.begin(), ms.end());
  const double sum = std::accumulate(ms.begin(), ms.end(), 0.0);
  const size_t n = ms.size();
  const double median = n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
  // p99 by the nearest-rank method.
  const size_t rank = static_cast<size_t>(std::ceil(0.99 * static_cast<double>(n)));
  const double mean = sum / static_cast<double>(n);
  return {ms.front(), ms.back(), mean, median, ms[std::max<size_t>(rank, 1) - 1], 1000.0 * static_cast<double>(batch) / mean};
}

int run(const Options& o) {
  ptqc::cli::set_log_level(o.log);
  ptqc::Executor executor = ptqc::cli::load_runnable_model(o.model, o.input_shape, o.threads);
  const auto& inputs_info = executor.graph().inputs;
  std::vector<ptqc::Tensor> inputs;
  const auto files = ptqc::cli::split_list(o.input, ',');
  if (!files.empty() && files.size() != inputs_info.size()) {
    throw ptqc::Error(ptqc::ErrorCode::kInvalidValue, "Value [" + o.input + "] for parameter [--input] is invalid. Reason: the model has " +
                                                          std::to_string(inputs_info.size()) + " inputs");
  }
  for (size_t i = 0; i < inputs_info.size(); ++i) {
    inputs.push_back(files.empty() ? ptqc::cli::random_input(inputs_info[i], static_cast<uint32_t>(1234 + i))
                                   : ptqc::cli::read_input_file(files[i], inputs_info[i]));
  }
  for (int i = 0; i < o.warmup; ++i) executor.run(inputs);
  std::vector<double> ms;
  for (int i = 0; i < o.loop; ++i) {
    const auto start = std::chrono::steady_clock::now();
    executor.run(inputs);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  const int64_t batch = !inputs.empty() && inputs[0].rank() > 0 ? inputs[0].dim(0) : 1;
  const LatencyStats s = summarize(ms, batch);
  std::printf("model: %s  threads: %d  loops: %d  warmup: %d\n", o.model.c_str(), o.threads, o.loop, o.warmup);
  std::printf("latency ms: min %.3f  max %.3f  mean %.3f  median %.3f  p99 %.3f\n", s.min, s.max, s.mean, s.median, s.p99);
  std::printf("throughput: %.2f samples/s\n", s.throughput);
  if (!o.json.empty()) {
    nlohmann::json j = {{"model", o.model}, {"threads", o.threads}, {"loop", o.loop}, {"warmup", o.warmup},
                        {"batch", batch},   {"min_ms", s.min},      {"max_ms", s.max}, {"mean_ms", s.mean},
                        {"median_ms", s.median}, {"p99_ms", s.p99}, {"throughput", s.throughput}};
    ptqc::write_file_atomically(o.json, j.dump(2) + "\n");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ptqc-bench: latency and throughput of a model"};
  Options o;
  app.add_option("--model", o.model, "ONNX model")->required();
  app.add_option("--loop", o.loop, "timed runs")->check(CLI::Range(1, 1000000));
  app.add_option("--warmup", o.warmup, "untimed runs first")->check(CLI::Range(0, 1000000));
  app.add_option("--threads", o.threads, "worker threads")->check(CLI::Range(1, 256));
  app.add_option("--input", o.input, "one .bin per input, comma separated (default: seeded random data)");
  app.add_option("--input_shape", o.input_shape, "bind dynamic dims: \"name:1,3,224,224;name2:...\"");
  app.add_option("--json", o.json, "also write the statistics as JSON");
  app.add_option("--log", o.log, "debug|info|warning|error|null");
  ptqc::cli::add_max_memory_flag(app);
  if (const auto status = ptqc::cli::parse_arguments(app, argc, argv)) return *status;
  return ptqc::cli::run_guarded([&] { return run(o); });
}
