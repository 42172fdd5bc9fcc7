// Isolated sensitivity: weights rebuilt from the .om's INT8 layout, and the fake-quantized graph.

#include "compare/layer_sensitivity.h"

#include <gtest/gtest.h>

#include "ptqc/error.h"
#include "ptqc/executor.h"
#include "support/test_models.h"

namespace ptqc {
namespace {

using testing_support::make_node;

Node weighted(const std::string& op, std::map<std::string, int64_t> ints = {}) {
  Node n = make_node("layer", op, {"x", "w"}, {"y"});
  for (const auto& [key, v] : ints) {
    n.attrs[key].kind = Attribute::Kind::kInt;
    n.attrs[key].i = v;
  }
  return n;
}

std::vector<float> rebuilt(const Node& node, const Shape& shape, const std::vector<int8_t>& q, const std::vector<float>& scale_w) {
  const Tensor w = dequantize_weights(node, Tensor(DataType::kFloat32, shape), Tensor::from_vector<int8_t>(q, shape), scale_w);
  EXPECT_EQ(w.shape(), shape);
  return w.to_float_vector();
}

TEST(DequantizeWeights, ConvScalesAlongDim0) {
  EXPECT_EQ(rebuilt(weighted("Conv"), {2, 1, 1, 2}, {1, -2, 3, 4}, {0.5f, 0.25f}), (std::vector<float>{0.5f, -1, 0.75f, 1}));
  EXPECT_EQ(rebuilt(weighted("Conv"), {2, 1, 1, 2}, {1, -2, 3, 4}, {2.0f}), (std::vector<float>{2, -4, 6, 8}));
}

TEST(DequantizeWeights, ConvTransposeOutputChannelDependsOnTheGroup) {
  // group 1, [C=2, M=3, 1]: the channel is dim 1.
  EXPECT_EQ(rebuilt(weighted("ConvTranspose"), {2, 3, 1}, {1, 1, 1, 2, 2, 2}, {1, 10, 100}),
            (std::vector<float>{1, 10, 100, 2, 20, 200}));
  // group 2, [C=4, M/g=1, 1]: input channels 0-1 feed output 0, channels 2-3 output 1.
  EXPECT_EQ(rebuilt(weighted("ConvTranspose", {{"group", 2}}), {4, 1, 1}, {1, 2, 3, 4}, {0.5f, 2}),
            (std::vector<float>{0.5f, 1, 6, 8}));
}

TEST(DequantizeWeights, GemmAndMatMulComeFromQMatMulsKByN) {
  // QMatMul stores [K=3, N=2]; Gemm with transB keeps B as [N, K].
  const Tensor w = dequantize_weights(weighted("Gemm", {{"transB", 1}}), Tensor(DataType::kFloat32, {2, 3}),
                                      Tensor::from_vector<int8_t>({1, 2, 3, 4, 5, 6}, {3, 2}), {1, 10});
  EXPECT_EQ(w.to_float_vector(), (std::vector<float>{1, 3, 5, 20, 40, 60}));
  EXPECT_EQ(rebuilt(weighted("MatMul"), {2, 2}, {1, 2, 3, 4}, {1, 10}), (std::vector<float>{1, 20, 3, 40}));
  EXPECT_EQ(rebuilt(weighted("Gemm"), {2, 2}, {1, 2, 3, 4}, {0.5f}), (std::vector<float>{0.5f, 1, 1.5f, 2}));
}

TEST(DequantizeWeights, TensorsThatDoNotFitAreErrors) {
  const Node conv = weighted("Conv");
  EXPECT_THROW(dequantize_weights(conv, Tensor(DataType::kFloat32, {2, 1, 2}), Tensor(DataType::kInt8, {3}), {1}), Error);
  try {
    dequantize_weights(conv, Tensor(DataType::kFloat32, {2, 1, 2}), Tensor(DataType::kInt8, {2, 1, 2}), {1, 2, 3});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
    EXPECT_NE(e.message().find("3 weight scales for 2 output channels"), std::string::npos) << e.message();
  }
  EXPECT_THROW(dequantize_weights(weighted("MatMul"), Tensor(DataType::kFloat32, {2, 2, 2}), Tensor(DataType::kInt8, {2, 2, 2}), {1}),
               Error);
}

/// A graph with the float input x of \p x_shape and the float outputs \p outputs.
Graph graph_of(const Shape& x_shape, std::vector<Node> nodes, const std::vector<std::pair<std::string, Shape>>& outputs) {
  Graph g;
  g.opset = 13;
  g.inputs = {ValueInfo{"x", DataType::kFloat32, x_shape, true, DataType::kUndefined}};
  for (const auto& [name, shape] : outputs) g.outputs.push_back(ValueInfo{name, DataType::kFloat32, shape, true, DataType::kUndefined});
  g.nodes = std::move(nodes);
  return g;
}

/// Layer \p name (\p int8_op) quantizing x with scale_d = 1 / quant_scale and offset_d.
LayerComparison layer_on_x(const std::string& name, const std::string& int8_op, float quant_scale, int32_t offset_d) {
  LayerComparison layer;
  layer.name = name;
  layer.int8_op = int8_op;
  layer.activation = "x";
  layer.params.known = true;
  layer.params.quant_scale = quant_scale;
  layer.params.scale_d = 1.0f / quant_scale;
  layer.params.offset_d = offset_d;
  return layer;
}

TEST(SimulateLayers, PoolingQuantizesItsInputAndOutputOnTheSameGrid) {
  const Graph g = graph_of({1, 1, 2, 2}, {make_node("pool", "GlobalAveragePool", {"x"}, {"y"})}, {{"y", {1, 1, 1, 1}}});
  const LayerComparison pool = layer_on_x("pool", "QAveragePool", 2.0f, 3);
  Executor run(simulate_layers(g, {{&pool, Tensor(), {}}}));
  // x * 2 = {0.6, 1.6, 2.2, 5.2} -> {1, 2, 2, 5} (+3 -3) -> x' = {0.5, 1, 1, 2.5}; mean 1.25;
  // 1.25 * 2 = 2.5 rounds half to even -> 2 -> y = 1.0.
  const auto y = run.run({Tensor::from_vector<float>({0.3f, 0.8f, 1.1f, 2.6f}, {1, 1, 2, 2})});
  EXPECT_EQ(y[0].to_float_vector(), std::vector<float>{1.0f});
  // The activation saturates at the grid's ends: (127 - 3) * 0.5 = 62.
  const auto big = run.run({Tensor::from_vector<float>({100, 100, 100, 100}, {1, 1, 2, 2})});
  EXPECT_EQ(big[0].to_float_vector(), std::vector<float>{62.0f});
}

TEST(SimulateLayers, WeightedLayerReadsFakeQuantizedInputAndRebuiltWeights) {
  Graph g = graph_of({1, 2}, {make_node("mm", "MatMul", {"x", "w"}, {"y"}), make_node("other", "MatMul", {"x", "w"}, {"z"})},
                     {{"y", {1, 1}}, {"z", {1, 1}}});
  g.initializers["w"] = Tensor::from_vector<float>({1.0f, 1.0f}, {2, 1});
  const LayerComparison mm = layer_on_x("mm", "QMatMul", 4.0f, 0);
  Executor run(simulate_layers(g, {{&mm, Tensor::from_vector<float>({0.5f, 2.0f}, {2, 1}), {}}}));
  // x' = round(4x) / 4 = {0.25, 1.0}; y = 0.25 * 0.5 + 1.0 * 2 = 2.125; the other reader of w is untouched.
  const auto out = run.run({Tensor::from_vector<float>({0.3f, 0.9f}, {1, 2})});
  EXPECT_FLOAT_EQ(out[0].to_float_vector()[0], 2.125f);
  EXPECT_FLOAT_EQ(out[1].to_float_vector()[0], 1.2f);
}

TEST(SimulateLayers, ActivationProductFakeQuantizesBothInputs) {
  // y = x · xᵀ with x in INT8 (scale 1/4, offset 0) and xᵀ with its own grid (scale 1/2, offset 1).
  Node transpose = make_node("t", "Transpose", {"x"}, {"xt"});
  transpose.attrs["perm"] = Attribute::of_ints({1, 0});
  const Graph g = graph_of({1, 2}, {transpose, make_node("mm", "MatMul", {"x", "xt"}, {"y"})}, {{"y", {1, 1}}});
  LayerComparison mm = layer_on_x("mm", "QBatchMatMul", 4.0f, 0);
  mm.params.quant_scale_b = 2.0f;
  mm.params.offset_b = 1;
  mm.params.scale_w = {0.5f};
  Executor run(simulate_layers(g, {{&mm, Tensor(), {}}}));
  // a' = round(4x) / 4 = {0.25, 1.0}; b = {0.3, 0.9}: round(2b) = {1, 2}, + 1 - 1, * 0.5 = {0.5, 1.0};
  // y = 0.25 * 0.5 + 1.0 * 1.0 = 1.125 (FP32: 0.9).
  const auto out = run.run({Tensor::from_vector<float>({0.3f, 0.9f}, {1, 2})});
  EXPECT_FLOAT_EQ(out[0].to_float_vector()[0], 1.125f);
}

TEST(SimulateLayers, TheOmBiasReplacesTheFp32BiasAndEveryListedLayerIsSimulated) {
  // conv (1x1, bias 5 in FP32) then mm: both simulated; the .om's bias (here 0.75) replaces the FP32 one.
  Graph g = graph_of({1, 1, 1, 2}, {make_node("conv", "Conv", {"x", "w", "b"}, {"c"}), make_node("flat", "Flatten", {"c"}, {"f"}),
                                    make_node("mm", "MatMul", {"f", "w2"}, {"y"})},
                     {{"y", {1, 1}}});
  g.initializers["w"] = Tensor::from_vector<float>({1.0f}, {1, 1, 1, 1});
  g.initializers["b"] = Tensor::from_vector<float>({5.0f}, {1});
  g.initializers["w2"] = Tensor::from_vector<float>({1.0f, 1.0f}, {2, 1});
  LayerComparison conv = layer_on_x("conv", "QConv", 4.0f, 0);
  LayerComparison mm = layer_on_x("mm", "QMatMul", 1.0f, 0);
  mm.activation = "f";
  Executor run(simulate_layers(g, {{&conv, Tensor::from_vector<float>({2.0f}, {1, 1, 1, 1}), {0.75f}},
                                   {&mm, Tensor::from_vector<float>({1.0f, 1.0f}, {2, 1}), {}}}));
  // x = {0.3, 0.9} -> x' = {0.25, 1.0}; c = 2 x' + 0.75 = {1.25, 2.75}; f' = round(f) = {1, 3} (1.25 -> 1,
  // 2.75 -> 3); y = 4.
  const auto out = run.run({Tensor::from_vector<float>({0.3f, 0.9f}, {1, 1, 1, 2})});
  EXPECT_FLOAT_EQ(out[0].to_float_vector()[0], 4.0f);
}

}  // namespace
}  // namespace ptqc
