#pragma once
// Small float graphs for the quantizer tests.

#include <memory>
#include <string>
#include <vector>

#include "calib/calibration_runner.h"
#include "ptqc/graph.h"
#include "quant/quant_plan.h"
#include "support/test_models.h"

namespace ptqc::quant_testing {

inline Node node(const std::string& name, const std::string& op, std::vector<std::string> in, std::vector<std::string> out) {
  return testing_support::make_node(name, op, std::move(in), std::move(out));
}

inline ValueInfo float_value(const std::string& name, Shape dims) {
  return {name, DataType::kFloat32, std::move(dims), true, DataType::kUndefined};
}

/// x [1, 1, 1, 1] -> Conv 1x1 (2 output channels, w = [0.5, -0.25], b = [0.1, -0.2]) -> y.
inline Graph one_by_one_conv() {
  Graph g;
  g.opset = 13;
  g.inputs = {float_value("x", {1, 1, 1, 1})};
  g.outputs = {float_value("y", {1, 2, 1, 1})};
  g.initializers["w"] = Tensor::from_vector<float>({0.5f, -0.25f}, {2, 1, 1, 1});
  g.initializers["b"] = Tensor::from_vector<float>({0.1f, -0.2f}, {2});
  g.nodes = {node("conv", "Conv", {"x", "w", "b"}, {"y"})};
  return g;
}

/// Min/max activations and weights: parameters a test can compute by hand.
inline LayerSettings minmax_settings() {
  LayerSettings s;
  s.weights = WeightAlgorithm::kMinMax;
  s.activation.algorithm = ActivationAlgorithm::kMinMax;
  return s;
}

/// Fresh passes over \p samples (one single-input batch each); \p samples must outlive them.
inline std::function<BatchSource()> batches_of(const std::vector<Tensor>& samples) {
  return [&samples]() -> BatchSource {
    auto next = std::make_shared<size_t>(0);
    return [&samples, next](std::vector<Tensor>& in) {
      if (*next >= samples.size()) return false;
      in = {samples[(*next)++]};
      return true;
    };
  };
}

}  // namespace ptqc::quant_testing
