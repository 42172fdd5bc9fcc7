// Bias correction removes the systematic output shift that weight rounding leaves on a
// high-gain depthwise filter applied to a nearly constant input (issue 8's case).

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "ptqc/executor.h"
#include "ptqc/soc.h"
#include "quant/quantizer.h"
#include "quant_test_graphs.h"

using namespace ptqc;
using namespace ptqc::quant_testing;

namespace {

/// x [1, 2, 8, 8] -> depthwise 3x3 (high-gain taps around ±40, no padding) -> y [1, 2, 6, 6].
Graph high_gain_depthwise() {
  Graph g;
  g.opset = 13;
  g.inputs = {float_value("x", {1, 2, 8, 8})};
  g.outputs = {float_value("y", {1, 2, 6, 6})};
  // Scale 50.8 / 127 = 0.4 per channel; every other tap lies 0.45 of a step from the grid, so
  // nearest rounding leaves residues of one sign (+0.18 in channel 0, -0.18 in channel 1).
  g.initializers["w"] = Tensor::from_vector<float>({-50.8f, 36.18f, -41.02f, 38.98f, -44.62f, 47.78f, -39.82f, 40.98f, -37.42f,
                                                    50.8f, 36.22f, -40.98f, 39.02f, -44.58f, 47.82f, -39.78f, 41.02f, -37.38f},
                                                   {2, 1, 3, 3});
  g.initializers["b"] = Tensor::from_vector<float>({0.5f, -0.25f}, {2});
  Node conv = node("dw", "Conv", {"x", "w", "b"}, {"y"});
  conv.attrs["group"] = Attribute::of_int(2);
  g.nodes = {conv};
  return g;
}

/// Relu6-like activations near 3 (a nearly constant feature map).
std::vector<Tensor> near_constant_inputs(int count, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 0.02f);
  std::vector<Tensor> out;
  for (int i = 0; i < count; ++i) {
    Tensor t(DataType::kFloat32, {1, 2, 8, 8});
    for (float& v : t.values<float>()) v = std::min(6.0f, 3.0f + noise(rng));
    t.data<float>()[0] = 6.0f;  // the range covers the Relu6 output [0, 6]
    out.push_back(t);
  }
  return out;
}

/// The mean of (INT8 - FP32) over channel 0 and channel 1 of y, on \p inputs.
std::pair<double, double> mean_error(const Graph& fp32, const Graph& int8, const std::vector<Tensor>& inputs) {
  Executor f(fp32), q(int8);
  double e0 = 0, e1 = 0;
  int64_t n = 0;
  for (const Tensor& x : inputs) {
    const auto a = f.run({x})[0].to_float_vector(), b = q.run({x})[0].to_float_vector();
    for (size_t i = 0; i < 36; ++i) {
      e0 += b[i] - a[i];
      e1 += b[36 + i] - a[36 + i];
    }
    n += 36;
  }
  return {e0 / double(n), e1 / double(n)};
}

Graph quantized(bool bias_correction, const std::vector<Tensor>& calibration) {
  Graph g = high_gain_depthwise();
  QuantizeRequest request;
  request.soc = &find_soc("Ascend310P3");
  request.settings = [](const Node&) { return minmax_settings(); };
  request.bias_correction = bias_correction;
  request.batches = batches_of(calibration);
  request.expected_batches = static_cast<int64_t>(calibration.size());
  const QuantizeReport report = quantize_graph(g, request);
  EXPECT_EQ(report.bias_correction.has_value(), bias_correction);
  if (bias_correction) EXPECT_EQ(report.bias_correction->layers, 1u);
  return g;
}

TEST(BiasCorrection, RemovesTheSystematicShiftOfAHighGainDepthwiseFilter) {
  const std::vector<Tensor> calibration = near_constant_inputs(16, 1), held_out = near_constant_inputs(8, 2);
  const Graph fp32 = high_gain_depthwise();
  const auto [plain0, plain1] = mean_error(fp32, quantized(false, calibration), held_out);
  const auto [fixed0, fixed1] = mean_error(fp32, quantized(true, calibration), held_out);
  // Without correction the rounding residues of the taps, times an input of 3, shift each channel.
  EXPECT_GT(std::max(std::fabs(plain0), std::fabs(plain1)), 0.1) << plain0 << " " << plain1;
  EXPECT_LT(std::fabs(fixed0), 0.2 * std::max(0.02, std::fabs(plain0))) << plain0 << " -> " << fixed0;
  EXPECT_LT(std::fabs(fixed1), 0.2 * std::max(0.02, std::fabs(plain1))) << plain1 << " -> " << fixed1;
}

TEST(BiasCorrection, ALayerWithoutBiasGetsOne) {
  Graph g = high_gain_depthwise();
  g.nodes[0].inputs.resize(2);
  g.initializers.erase("b");
  const std::vector<Tensor> calibration = near_constant_inputs(8, 3);
  QuantizeRequest request;
  request.soc = &find_soc("Ascend310P3");
  request.settings = [](const Node&) { return minmax_settings(); };
  request.batches = batches_of(calibration);
  quantize_graph(g, request);
  const auto qconv = std::find_if(g.nodes.begin(), g.nodes.end(), [](const Node& n) { return n.op_type == "QConv"; });
  ASSERT_NE(qconv, g.nodes.end());
  ASSERT_EQ(qconv->inputs.size(), 3u);
  const Tensor* bias = g.constant(qconv->inputs[2]);
  ASSERT_NE(bias, nullptr);
  EXPECT_EQ(bias->dtype(), DataType::kInt32);
  EXPECT_NE(bias->data<int32_t>()[0], 0);
}

}  // namespace
