#include "quant/layer_solver.h"

#include <gtest/gtest.h>

#include <cmath>

#include "quant/quant_test_graphs.h"

using namespace ptqc;
using namespace ptqc::quant_testing;

namespace {

TEST(LayerSolver, OneByOneConvGoldenParameters) {
  const Graph g = one_by_one_conv();
  // Range [0, 2.55]: scale_d = 2.55 / 255 = 0.01, offset_d = -round(0 / 0.01) - 128 = -128.
  const SolvedLayer s = solve_layer(g, g.nodes[0], minmax_settings(), {0.0f, 2.55f});
  EXPECT_NEAR(s.record.scale_d, 0.01f, 1e-9f);
  EXPECT_EQ(s.record.offset_d, -128);
  // Per output channel: scale_w = max|w_c| / 127; both weights hit +-127.
  ASSERT_EQ(s.record.scale_w.size(), 2u);
  EXPECT_FLOAT_EQ(s.record.scale_w[0], 0.5f / 127);
  EXPECT_FLOAT_EQ(s.record.scale_w[1], 0.25f / 127);
  EXPECT_EQ(s.weights.values<int8_t>()[0], 127);
  EXPECT_EQ(s.weights.values<int8_t>()[1], -127);
  // deq_scale = scale_w * scale_d; bias_q = round(b / deq_scale): 0.1 / (0.5/127 * 0.01) = 2540.
  EXPECT_FLOAT_EQ(s.deq_scale[0], s.record.scale_w[0] * s.record.scale_d);
  EXPECT_EQ(s.bias.values<int32_t>()[0], 2540);
  EXPECT_EQ(s.bias.values<int32_t>()[1], -10160);
}

TEST(LayerSolver, GemmFoldsTransposeAlphaAndBeta) {
  Graph g;
  g.opset = 13;
  g.inputs = {float_value("x", {1, 2})};
  g.outputs = {float_value("y", {1, 2})};
  g.initializers["b"] = Tensor::from_vector<float>({1.0f, 0.5f, -0.25f, 0.125f}, {2, 2});  // [N, K] (transB)
  g.initializers["c"] = Tensor::from_vector<float>({1.0f, -1.0f}, {2});
  g.nodes = {node("fc", "Gemm", {"x", "b", "c"}, {"y"})};
  g.nodes[0].attrs["transB"] = Attribute::of_int(1);
  g.nodes[0].attrs["alpha"] = Attribute::of_float(2.0f);
  g.nodes[0].attrs["beta"] = Attribute::of_float(0.5f);
  const SolvedLayer s = solve_layer(g, g.nodes[0], minmax_settings(), {-1.0f, 1.0f});
  // Per tensor (no channel_wise): scale_w = 1 / 127; QMatMul weights are [K, N].
  ASSERT_EQ(s.record.scale_w.size(), 1u);
  EXPECT_FLOAT_EQ(s.record.scale_w[0], 1.0f / 127);
  EXPECT_EQ(s.weights.shape(), (Shape{2, 2}));
  const auto w = s.weights.values<int8_t>();
  EXPECT_EQ(w[0], 127);   // B[0][0] -> W[0][0]
  EXPECT_EQ(w[1], -32);   // B[1][0] = -0.25 -> W[0][1]: round(-31.75)
  EXPECT_EQ(w[2], 64);    // B[0][1] = 0.5 -> W[1][0]: round(63.5) = 64 (ties to even)
  EXPECT_EQ(w[3], 16);    // B[1][1] = 0.125 -> round(15.875)
  // deq = alpha * scale_w * scale_d; bias = round(beta * c / deq).
  const float deq = 2.0f * (1.0f / 127) * s.record.scale_d;
  EXPECT_FLOAT_EQ(s.deq_scale[0], deq);
  EXPECT_EQ(s.bias.values<int32_t>()[0], static_cast<int32_t>(std::nearbyint(0.5 / deq)));
  EXPECT_EQ(s.bias.values<int32_t>()[1], static_cast<int32_t>(std::nearbyint(-0.5 / deq)));
}

TEST(LayerSolver, AveragePoolKeepsItsInputQuantization) {
  Graph g;
  g.opset = 13;
  g.inputs = {float_value("x", {1, 1, 2, 2})};
  g.outputs = {float_value("y", {1, 1, 1, 1})};
  g.nodes = {node("gap", "GlobalAveragePool", {"x"}, {"y"})};
  const SolvedLayer s = solve_layer(g, g.nodes[0], minmax_settings(), {-1.0f, 3.0f});
  EXPECT_TRUE(s.weights.empty());
  EXPECT_TRUE(s.record.scale_w.empty());
  ASSERT_EQ(s.deq_scale.size(), 1u);
  EXPECT_FLOAT_EQ(s.deq_scale[0], s.record.scale_d);
}

}  // namespace
