#include "quant/int8_rewrite.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "ptqc/executor.h"
#include "ptqc/soc.h"
#include "quant/quant_test_graphs.h"
#include "quant/quantizer.h"

using namespace ptqc;
using namespace ptqc::quant_testing;

namespace {

std::vector<std::string> op_sequence(const Graph& g) {
  std::vector<std::string> ops;
  for (const auto& n : g.nodes) ops.push_back(n.op_type);
  return ops;
}

TEST(Int8Rewrite, OneByOneConvComputesTheGoldenValues) {
  Graph g = one_by_one_conv();
  std::map<std::string, SolvedLayer> solved;
  solved.emplace("conv", solve_layer(g, g.nodes[0], minmax_settings(), {0.0f, 2.55f}));
  EXPECT_TRUE(rewrite_to_int8(g, solved, {}).empty());
  EXPECT_EQ(op_sequence(g), (std::vector<std::string>{"AscendQuant", "QConv", "AscendDequant"}));
  EXPECT_EQ(g.nodes[1].name, "conv");  // the layer keeps its name
  EXPECT_EQ(g.nodes[2].outputs[0], "y");  // and its output value
  // x = 1: q = round(1 / 0.01) - 128 = -28; acc0 = 127 * (-28 + 128) + 2540 = 15240;
  // y0 = 15240 * (0.5 / 127 * 0.01) = 0.6 = 0.5 * 1 + 0.1. acc1 = -12700 - 10160; y1 = -0.45.
  const auto y = Executor(g).run({Tensor::from_vector<float>({1.0f}, {1, 1, 1, 1})})[0].to_float_vector();
  EXPECT_NEAR(y[0], 0.6f, 1e-6f);
  EXPECT_NEAR(y[1], -0.45f, 1e-6f);
}

/// x -> conv_a -> relu -> conv_b -> y, and conv_c also reading x.
Graph conv_relu_conv() {
  Graph g;
  g.opset = 13;
  g.inputs = {float_value("x", {1, 2, 4, 4})};
  g.outputs = {float_value("y", {1, 2, 4, 4}), float_value("z", {1, 2, 4, 4})};
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (const char* w : {"wa", "wb", "wc"}) {
    Tensor t(DataType::kFloat32, {2, 2, 1, 1});
    for (float& v : t.values<float>()) v = u(rng);
    g.initializers[w] = t;
  }
  g.nodes = {node("conv_a", "Conv", {"x", "wa"}, {"a"}), node("relu", "Relu", {"a"}, {"r"}),
             node("conv_b", "Conv", {"r", "wb"}, {"y"}), node("conv_c", "Conv", {"x", "wc"}, {"z"})};
  return g;
}

TEST(Int8Rewrite, RequantJoinsConvReluConvAndQuantIsShared) {
  Graph g = conv_relu_conv();
  std::map<std::string, SolvedLayer> solved;
  solved.emplace("conv_a", solve_layer(g, g.nodes[0], minmax_settings(), {-1.0f, 1.0f}));
  solved.emplace("conv_b", solve_layer(g, g.nodes[2], minmax_settings(), {0.0f, 2.0f}));
  solved.emplace("conv_c", solve_layer(g, g.nodes[3], minmax_settings(), {-1.0f, 1.0f}));
  rewrite_to_int8(g, solved, {});
  EXPECT_EQ(fuse_requant(g), 1u);
  EXPECT_EQ(op_sequence(g), (std::vector<std::string>{"AscendQuant", "QConv", "AscendRequant", "QConv", "AscendDequant",
                                                      "QConv", "AscendDequant"}));
  const Node& requant = g.nodes[2];
  EXPECT_EQ(requant.attr_int("relu", 0), 1);
  EXPECT_EQ(g.nodes[5].inputs[0], g.nodes[1].inputs[0]);  // conv_c reads the same AscendQuant output
  EXPECT_NO_THROW(validate(g));
}

/// x [1,4,9,9] -> conv_a -> relu -> MaxPool 3x3 (stride 2, pads 1) -> Transpose (H <-> W) -> conv_b -> y.
Graph conv_relu_pool_conv() {
  Graph g;
  g.opset = 13;
  g.inputs = {float_value("x", {1, 4, 9, 9})};
  g.outputs = {float_value("y", {1, 4, 5, 5})};
  std::mt19937 rng(6);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (const char* w : {"wa", "wb"}) {
    Tensor t(DataType::kFloat32, {4, 4, 1, 1});
    for (float& v : t.values<float>()) v = u(rng);
    g.initializers[w] = t;
  }
  Node pool = node("pool", "MaxPool", {"r"}, {"p"});
  pool.attrs["kernel_shape"] = Attribute::of_ints({3, 3});
  pool.attrs["strides"] = Attribute::of_ints({2, 2});
  pool.attrs["pads"] = Attribute::of_ints({1, 1, 1, 1});
  Node transpose = node("transpose", "Transpose", {"p"}, {"pt"});
  transpose.attrs["perm"] = Attribute::of_ints({0, 1, 3, 2});
  g.nodes = {node("conv_a", "Conv", {"x", "wa"}, {"a"}), node("relu", "Relu", {"a"}, {"r"}), pool, transpose,
             node("conv_b", "Conv", {"pt", "wb"}, {"y"})};
  return g;
}

/// conv_relu_pool_conv() as the INT8 rewrite leaves it: Dequant -> Relu -> MaxPool -> Transpose -> Quant.
Graph unfused_int8_pool() {
  Graph g = conv_relu_pool_conv();
  std::map<std::string, SolvedLayer> solved;
  solved.emplace("conv_a", solve_layer(g, g.nodes[0], minmax_settings(), {-1.0f, 1.0f}));
  solved.emplace("conv_b", solve_layer(g, g.nodes[4], minmax_settings(), {0.0f, 1.5f}));
  std::map<std::string, ValueInfo> shapes;
  rewrite_to_int8(g, solved, shapes);
  return g;
}

/// The outputs of \p g on three random inputs, with FP16 activations as an .om runs.
std::vector<std::vector<float>> outputs_of(const Graph& g) {
  Executor executor(g, ExecutorOptions{1, true});
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-2.0f, 2.0f);
  std::vector<std::vector<float>> out;
  for (int i = 0; i < 3; ++i) {
    Tensor x(DataType::kFloat32, {1, 4, 9, 9});
    for (float& v : x.values<float>()) v = u(rng);
    out.push_back(executor.run({x})[0].to_float_vector());
  }
  return out;
}

TEST(Int8Rewrite, MaxPoolAndTransposeBetweenConvsRunOnTheRequantizedInt8Values) {
  Graph fused = unfused_int8_pool();
  EXPECT_EQ(op_sequence(fused), (std::vector<std::string>{"AscendQuant", "QConv", "AscendDequant", "Relu", "MaxPool",
                                                          "Transpose", "AscendQuant", "QConv", "AscendDequant"}));
  // The same graph with the Quant moved by hand before the MaxPool: moving elements and taking
  // a window's maximum commute with the non-decreasing Dequant, Relu and Quant, bit for bit.
  Graph moved = fused;
  Node& pool = moved.nodes[4];
  Node& transpose = moved.nodes[5];
  Node& quant = moved.nodes[6];
  const std::string int8_input = quant.outputs[0];
  quant.inputs = {pool.inputs[0]};
  quant.outputs = {"r_int8_by_hand"};
  pool.inputs = {"r_int8_by_hand"};
  transpose.outputs = {int8_input};
  topological_sort(moved);
  EXPECT_EQ(outputs_of(moved), outputs_of(fused));

  EXPECT_EQ(fuse_requant(fused), 1u);
  topological_sort(fused);
  EXPECT_EQ(op_sequence(fused), (std::vector<std::string>{"AscendQuant", "QConv", "AscendRequant", "MaxPool", "Transpose",
                                                          "QConv", "AscendDequant"}));
  EXPECT_NO_THROW(validate(fused));
  EXPECT_EQ(fused.nodes[2].attr_int("relu", 0), 1);
  EXPECT_EQ(fused.nodes[3].inputs[0], fused.nodes[2].outputs[0]);
  EXPECT_EQ(fused.nodes[4].inputs[0], fused.nodes[3].outputs[0]);
  EXPECT_EQ(fused.nodes[5].inputs[0], fused.nodes[4].outputs[0]);
  // The joined form is the Requant form of the moved graph (Dequant -> Relu -> Quant joined).
  EXPECT_EQ(fuse_requant(moved), 1u);
  topological_sort(moved);
  EXPECT_EQ(outputs_of(fused), outputs_of(moved));
}

TEST(Int8Rewrite, MovedValuesWithIndicesOrOtherReadersStayFloat) {
  Graph with_indices = unfused_int8_pool();
  with_indices.nodes[4].outputs.push_back("indices");
  with_indices.outputs.push_back(ValueInfo{"indices", DataType::kInt64, {1, 4, 5, 5}, true, DataType::kUndefined});
  EXPECT_EQ(fuse_requant(with_indices), 0u);

  Graph read_twice = unfused_int8_pool();
  read_twice.outputs.push_back(float_value("p", {1, 4, 5, 5}));  // the pooled float value is an output too
  EXPECT_EQ(fuse_requant(read_twice), 0u);
}

TEST(Quantizer, CalibratesSolvesAndStaysCloseToFloat) {
  Graph g = conv_relu_conv();
  const Graph float_graph = g;
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<Tensor> samples;
  for (int i = 0; i < 4; ++i) {
    Tensor t(DataType::kFloat32, {1, 2, 4, 4});
    for (float& v : t.values<float>()) v = u(rng);
    samples.push_back(t);
  }
  QuantizeRequest request;
  request.soc = &find_soc("Ascend310P3");
  request.settings = [](const Node&) { return LayerSettings{}; };  // defaults: IFMR + ARQ
  request.batches = [&samples]() -> BatchSource {
    auto next = std::make_shared<size_t>(0);
    return [&samples, next](std::vector<Tensor>& in) {
      if (*next >= samples.size()) return false;
      in = {samples[(*next)++]};
      return true;
    };
  };
  const QuantizeReport report = quantize_graph(g, request);
  EXPECT_EQ(report.records.size(), 3u);
  EXPECT_EQ(report.calibration_batches, 4);
  EXPECT_EQ(report.requant_joins, 1u);
  Executor fp32(float_graph), int8(g);
  const auto want = fp32.run({samples[0]});
  const auto got = int8.run({samples[0]});
  for (size_t k = 0; k < want.size(); ++k) {
    const auto w = want[k].to_float_vector(), q = got[k].to_float_vector();
    double dot = 0, ww = 0, qq = 0;
    for (size_t i = 0; i < w.size(); ++i) dot += w[i] * q[i], ww += w[i] * w[i], qq += q[i] * q[i];
    EXPECT_GT(dot / std::sqrt(ww * qq), 0.999) << "output " << k;
  }
}

TEST(QuantPlan, ExplainsEveryLayerKeptInFloat) {
  Graph g = conv_relu_conv();
  g.nodes[3].inputs[1] = "a";  // conv_c weights are an activation now
  const auto decisions = plan_quantization(g, find_soc("Ascend310"), [](const Node& n) {
    LayerSettings s;
    if (n.name == "conv_b") {
      s.skip = true;
      s.skip_reason = "listed in --keep_dtype";
    }
    return s;
  });
  ASSERT_EQ(decisions.size(), 4u);
  Graph fused = conv_relu_conv();
  fused.nodes[1].op_type = "Swish";  // a ptqc op of the float graph (fuse_swish)
  fused.nodes[1].domain = "ptqc";
  const auto swish = plan_quantization(fused, find_soc("Ascend310"), [](const Node&) { return LayerSettings{}; });
  EXPECT_NE(swish[1].reason.find("no INT8 kernel for Swish"), std::string::npos) << swish[1].reason;
  EXPECT_TRUE(decisions[0].quantized);
  EXPECT_FALSE(decisions[1].quantized);
  EXPECT_NE(decisions[1].reason.find("no INT8 kernel"), std::string::npos);
  EXPECT_EQ(decisions[2].reason, "listed in --keep_dtype");
  EXPECT_NE(decisions[3].reason.find("not constant"), std::string::npos);
}

}  // namespace
