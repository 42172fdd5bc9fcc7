// Learned weight rounding (wts_algo "adaround") lowers the output error the weights cause on
// held-out inputs against nearest rounding, and keeps every weight on floor(w/s) or floor(w/s) + 1.

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "ptqc/soc.h"
#include "quant/quantizer.h"
#include "quant_test_graphs.h"

using namespace ptqc;
using namespace ptqc::quant_testing;

namespace {

constexpr int64_t kIn = 24, kOut = 6;

/// x [8, 24] -> MatMul (random weights [24, 6]) -> y [8, 6].
Graph matmul_layer() {
  Graph g;
  g.opset = 13;
  g.inputs = {float_value("x", {8, kIn})};
  g.outputs = {float_value("y", {8, kOut})};
  std::mt19937 rng(5);
  std::normal_distribution<float> n(0.0f, 1.0f);
  std::vector<float> w(kIn * kOut);
  for (float& v : w) v = n(rng);
  g.initializers["w"] = Tensor::from_vector<float>(w, {kIn, kOut});
  g.nodes = {node("mm", "MatMul", {"x", "w"}, {"y"})};
  return g;
}

/// Strongly correlated features (a few latent factors), where rounding errors of different
/// weights add up or cancel depending on their signs: the case learned rounding is for.
std::vector<Tensor> correlated_inputs(int count, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0.0f, 1.0f);
  std::vector<Tensor> out;
  for (int s = 0; s < count; ++s) {
    Tensor t(DataType::kFloat32, {8, kIn});
    float* x = t.data<float>();
    for (int r = 0; r < 8; ++r) {
      const float a = n(rng), b = n(rng);
      for (int64_t k = 0; k < kIn; ++k) x[r * kIn + k] = a + 0.5f * b * static_cast<float>(k % 3) + 0.05f * n(rng);
    }
    out.push_back(t);
  }
  return out;
}

struct Quantized {
  Graph graph;
  std::vector<int8_t> weights;
  std::vector<float> scales;
};

Quantized quantize(WeightAlgorithm algorithm, const std::vector<Tensor>& calibration) {
  Quantized q{matmul_layer(), {}, {}};
  QuantizeRequest request;
  request.soc = &find_soc("Ascend310P3");
  request.settings = [algorithm](const Node&) {
    LayerSettings s = minmax_settings();
    s.weights = algorithm;
    s.channel_wise = true;
    return s;
  };
  request.batches = batches_of(calibration);
  request.bias_correction = false;
  const QuantizeReport report = quantize_graph(q.graph, request);
  EXPECT_EQ(report.weight_rounding.has_value(), algorithm == WeightAlgorithm::kLearnedRounding);
  q.scales = report.records.at(0).scale_w;
  for (const Node& n : q.graph.nodes) {
    if (n.op_type == "QMatMul") {
      const auto v = q.graph.constant(n.inputs[1])->values<int8_t>();
      q.weights.assign(v.begin(), v.end());
    }
  }
  return q;
}

/// E[((w - s q) · x)²] on \p inputs: the output error the weights alone cause (the input's own
/// quantization error, the same for both roundings, left out).
double weight_error(const Quantized& q, const std::vector<Tensor>& inputs) {
  const std::vector<float> w = matmul_layer().constant("w")->to_float_vector();
  double sum = 0;
  int64_t n = 0;
  for (const Tensor& t : inputs) {
    const float* x = t.data<float>();
    for (int r = 0; r < 8; ++r) {
      for (int64_t m = 0; m < kOut; ++m) {
        double e = 0;
        for (int64_t k = 0; k < kIn; ++k) {
          const size_t i = static_cast<size_t>(k * kOut + m);
          e += (w[i] - double(q.scales[static_cast<size_t>(m)]) * q.weights[i]) * x[r * kIn + k];
        }
        sum += e * e, ++n;
      }
    }
  }
  return sum / double(n);
}

TEST(WeightRounding, LearnedRoundingLowersTheHeldOutOutputError) {
  const std::vector<Tensor> calibration = correlated_inputs(16, 1), held_out = correlated_inputs(8, 2);
  const Quantized nearest = quantize(WeightAlgorithm::kArq, calibration);
  const Quantized learned = quantize(WeightAlgorithm::kLearnedRounding, calibration);
  ASSERT_EQ(nearest.weights.size(), static_cast<size_t>(kIn * kOut));
  EXPECT_EQ(nearest.scales, learned.scales);  // the same grid, only the rounding differs
  EXPECT_NE(nearest.weights, learned.weights);
  const std::vector<float> w = matmul_layer().constant("w")->to_float_vector();
  for (size_t i = 0; i < w.size(); ++i) {
    const double r = w[i] / learned.scales[i % kOut];
    EXPECT_TRUE(learned.weights[i] == std::floor(r) || learned.weights[i] == std::floor(r) + 1) << i << ": " << r;
  }
  const double nearest_error = weight_error(nearest, held_out), learned_error = weight_error(learned, held_out);
  EXPECT_LT(learned_error, 0.5 * nearest_error) << nearest_error << " -> " << learned_error;
}

}  // namespace
