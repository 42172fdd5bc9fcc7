// ptqc-bench: latency and throughput of a model (warm-up, loops, threads), like msame/ais_bench.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>

#include "cli/tool_support.h"
#include "ptqc/error.h"
#include "ptqc/file_io.h"
#include "ptqc/runnable_model.h"
#include "ptqc/sample_files.h"

namespace {

struct Options {
  std::string model, input, input_shape, json, kernels = "fast", log = "warning";
  int threads = 1, loop = 20, warmup = 3;
  bool profile = false;
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

/// Time per op type over the timed runs: ms per run and share of the whole, largest first.
struct OpTypeTime {
  std::string op_type;
  int64_t nodes = 0;
  double ms_per_run = 0;
  double share = 0;
};

/// \p seconds: each node's time over \p runs runs (graph order).
std::vector<OpTypeTime> op_type_times(const ptqc::Graph& graph, const std::vector<double>& seconds, int runs) {
  std::map<std::string, OpTypeTime> by_type;
  double total_ms = 0;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    OpTypeTime& t = by_type[graph.nodes[i].op_type];
    t.op_type = graph.nodes[i].op_type;
    ++t.nodes;
    t.ms_per_run += 1000.0 * seconds[i] / runs;
    total_ms += 1000.0 * seconds[i] / runs;
  }
  std::vector<OpTypeTime> out;
  for (auto& [type, t] : by_type) {
    t.share = total_ms > 0 ? t.ms_per_run / total_ms : 0.0;
    out.push_back(t);
  }
  std::sort(out.begin(), out.end(), [](const OpTypeTime& a, const OpTypeTime& b) {
    return a.ms_per_run != b.ms_per_run ? a.ms_per_run > b.ms_per_run : a.op_type < b.op_type;
  });
  return out;
}

/// The slowest nodes over the timed runs: ms per run and share of all node time, largest first.
struct NodeTime {
  std::string node;  ///< Node::describe(): op type and name
  double ms_per_run = 0;
  double share = 0;
};

std::vector<NodeTime> slowest_nodes(const ptqc::Graph& graph, const std::vector<double>& seconds, int runs, size_t count) {
  const double total = std::accumulate(seconds.begin(), seconds.end(), 0.0);
  std::vector<size_t> order(seconds.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return seconds[a] > seconds[b]; });
  std::vector<NodeTime> out;
  for (size_t k = 0; k < std::min(count, order.size()); ++k) {
    const size_t i = order[k];
    out.push_back({graph.nodes[i].describe(), 1000.0 * seconds[i] / runs, total > 0 ? seconds[i] / total : 0.0});
  }
  return out;
}

/// Prints the time per op type and the ten slowest nodes; returns them as JSON.
nlohmann::json print_profile(const ptqc::Graph& graph, const std::vector<double>& seconds, int runs) {
  nlohmann::json j = {{"op_types", nlohmann::json::array()}, {"slowest_nodes", nlohmann::json::array()}};
  std::printf("%-24s %6s %12s %7s\n", "op type", "nodes", "ms per run", "share");
  for (const OpTypeTime& t : op_type_times(graph, seconds, runs)) {
    std::printf("%-24s %6lld %12.3f %6.1f%%\n", t.op_type.c_str(), static_cast<long long>(t.nodes), t.ms_per_run,
                100.0 * t.share);
    j["op_types"].push_back({{"op_type", t.op_type}, {"nodes", t.nodes}, {"ms_per_run", t.ms_per_run}, {"share", t.share}});
  }
  std::printf("slowest nodes:\n");
  for (const NodeTime& t : slowest_nodes(graph, seconds, runs, 10)) {
    std::printf("  %10.3f ms %6.1f%%  %s\n", t.ms_per_run, 100.0 * t.share, t.node.c_str());
    j["slowest_nodes"].push_back({{"node", t.node}, {"ms_per_run", t.ms_per_run}, {"share", t.share}});
  }
  return j;
}

int run(const Options& o) {
  ptqc::cli::set_log_level(o.log);
  ptqc::ExecutorOptions options{o.threads};
  options.profile = o.profile;
  options.kernels = ptqc::parse_kernel_set(o.kernels, "--kernels");
  ptqc::Executor executor = ptqc::load_runnable_model(o.model, o.input_shape, options);
  const auto& inputs_info = executor.graph().inputs;
  std::vector<ptqc::Tensor> inputs;
  const auto files = ptqc::cli::split_list(o.input, ',');
  if (!files.empty() && files.size() != inputs_info.size()) {
    throw ptqc::Error(ptqc::ErrorCode::kInvalidValue, "Value [" + o.input + "] for parameter [--input] is invalid. Reason: the model has " +
                                                          std::to_string(inputs_info.size()) + " inputs");
  }
  for (size_t i = 0; i < inputs_info.size(); ++i) {
    inputs.push_back(files.empty() ? ptqc::cli::random_input(inputs_info[i], static_cast<uint32_t>(1234 + i))
                                   : ptqc::read_input_file(files[i], inputs_info[i]));
  }
  for (int i = 0; i < o.warmup; ++i) executor.run(inputs);
  const std::vector<double> warmup_seconds = executor.node_seconds();
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
  if (executor.arena_bytes() > 0) {  // the .om's TASK_INFO plan, or the same plan made for an ONNX model
    std::printf("activations: %.1f KB arena from the memory plan, %zu values in it\n",
                static_cast<double>(executor.arena_bytes()) / 1024.0, executor.values_in_arena());
  }
  nlohmann::json profile;
  if (o.profile) {
    std::vector<double> seconds = executor.node_seconds();
    for (size_t i = 0; i < seconds.size(); ++i) seconds[i] -= warmup_seconds[i];
    profile = print_profile(executor.graph(), seconds, o.loop);
  }
  if (!o.json.empty()) {
    nlohmann::json j = {{"model", o.model}, {"threads", o.threads}, {"loop", o.loop}, {"warmup", o.warmup},
                        {"batch", batch},   {"min_ms", s.min},      {"max_ms", s.max}, {"mean_ms", s.mean},
                        {"median_ms", s.median}, {"p99_ms", s.p99}, {"throughput", s.throughput},
                        {"kernels", o.kernels}, {"arena_bytes", executor.arena_bytes()},
                        {"values_in_arena", executor.values_in_arena()}};
    if (o.profile) j["profile"] = profile;
    ptqc::write_file_atomically(o.json, j.dump(2) + "\n");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ptqc-bench: latency and throughput of a model"};
  Options o;
  app.add_option("--model", o.model, "ONNX model or .om")->required();
  app.add_option("--loop", o.loop, "timed runs")->check(CLI::Range(1, 1000000));
  app.add_option("--warmup", o.warmup, "untimed runs first")->check(CLI::Range(0, 1000000));
  app.add_option("--threads", o.threads, "worker threads")->check(CLI::Range(1, 256));
  app.add_option("--input", o.input, "one .bin per input, comma separated (default: seeded random data)");
  app.add_option("--input_shape", o.input_shape, "bind dynamic dims: \"name:1,3,224,224;name2:...\"");
  app.add_option("--json", o.json, "also write the statistics as JSON");
  app.add_option("--kernels", o.kernels, "fast (default) or reference: the plain kernels every fast path is tested against");
  app.add_flag("--profile", o.profile, "time every node; print the time per op type and the slowest nodes");
  app.add_option("--log", o.log, "debug|info|warning|error|null");
  ptqc::cli::add_max_memory_flag(app);
  if (const auto status = ptqc::cli::parse_arguments(app, argc, argv)) return *status;
  return ptqc::cli::run_guarded([&] { return run(o); });
}
