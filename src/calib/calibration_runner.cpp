#include "calib/calibration_runner.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>

#include "ptqc/error.h"

namespace ptqc {

namespace {

/// Feeds \p t to the observers of value \p name (one per ObservedActivation reading it).
class ObserverTable {
 public:
  explicit ObserverTable(const std::vector<ObservedActivation>& activations) {
    for (size_t i = 0; i < activations.size(); ++i) {
      observers_.push_back(make_activation_observer(activations[i].algorithm));
      by_value_[activations[i].value].push_back(i);
    }
  }

  void observe(const std::string& name, const Tensor& t, int64_t batch) {
    auto it = by_value_.find(name);
    if (it == by_value_.end()) return;
    if (t.dtype() != DataType::kFloat32) {
      throw Error(ErrorCode::kInvalidModel, "activation '" + name + "' is " + dtype_name(t.dtype()) + ", only float32 activations are quantized");
    }
    const auto values = t.values<float>();
    for (float v : values) {
      if (!std::isfinite(v)) {
        throw Error(ErrorCode::kInvalidData, "activation '" + name + "' has a NaN or infinite value in calibration batch " +
                                                 std::to_string(batch + 1) + " (check the calibration data and its mean/std)");
      }
    }
    for (size_t i : it->second) observers_[i]->observe(values);
  }

  std::vector<ActivationRange> ranges() const {
    std::vector<ActivationRange> out;
    for (const auto& o : observers_) out.push_back(o->range());
    return out;
  }

 private:
  std::vector<std::unique_ptr<ActivationObserver>> observers_;
  std::map<std::string, std::vector<size_t>> by_value_;
};

void show_progress_line(int64_t done, int64_t expected) {
  if (expected > 0) {
    std::fprintf(stderr, "\rcalibration: batch %lld/%lld", static_cast<long long>(done), static_cast<long long>(expected));
  } else {
    std::fprintf(stderr, "\rcalibration: batch %lld", static_cast<long long>(done));
  }
  std::fflush(stderr);
}

ValueInfo info_of(const std::string& name, const Tensor& t) {
  return ValueInfo{name, t.dtype(), t.shape(), true, DataType::kUndefined};
}

}  // namespace

CalibrationResult run_calibration(Executor& executor, const std::vector<ObservedActivation>& activations,
                                  const BatchSource& next_batch, int64_t expected_batches, bool show_progress) {
  ObserverTable table(activations);
  CalibrationResult result;
  int64_t batch = 0;
  executor.set_observer([&](const Node&, const std::string& value, const Tensor& t) {
    if (batch == 0) result.values[value] = info_of(value, t);
    table.observe(value, t, batch);
  });
  std::vector<Tensor> inputs;
  while (next_batch(inputs)) {
    const auto& graph_inputs = executor.graph().inputs;
    for (size_t i = 0; i < inputs.size() && i < graph_inputs.size(); ++i) {
      if (batch == 0) result.values[graph_inputs[i].name] = info_of(graph_inputs[i].name, inputs[i]);
      table.observe(graph_inputs[i].name, inputs[i], batch);
    }
    executor.run(inputs);
    ++batch;
    if (show_progress) show_progress_line(batch, expected_batches);
  }
  if (show_progress && batch > 0) std::fprintf(stderr, "\n");
  executor.set_observer(nullptr);
  if (batch == 0) throw Error(ErrorCode::kInvalidData, "the calibration set yielded no batch");
  spdlog::info("calibration: {} batches, {} activations observed", batch, activations.size());
  result.batches = batch;
  result.ranges = table.ranges();
  return result;
}

}  // namespace ptqc
