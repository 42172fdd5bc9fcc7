// Cross-layer equalization (src/quant/equalization.cpp): which pairs it takes, that the float
// model computes the same outputs afterwards, that both layers' channel ranges end equal, and
// that it helps INT8 when one channel's weights are far smaller than the others'.

#include "quant/equalization.h"

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

Tensor random_weights(std::mt19937& rng, const Shape& shape, const std::vector<float>& channel_gain) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  Tensor t(DataType::kFloat32, shape);
  const int64_t per_channel = t.numel() / shape[0];
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = u(rng) * channel_gain[static_cast<size_t>(i / per_channel)];
  return t;
}

/// x [1, 2, 6, 6] -> conv_a (3 channels, bias) -> Relu -> MaxPool 2x2 -> conv_b (group 1) -> y,
/// with conv_a's channels at gains 50, 1, 0.02 and conv_b reading them at gains 0.02, 1, 50, so
/// every channel counts about as much in y.
Graph conv_relu_pool_conv() {
  Graph g;
  g.opset = 13;
  g.inputs = {float_value("x", {1, 2, 6, 6})};
  g.outputs = {float_value("y", {1, 2, 3, 3})};
  std::mt19937 rng(31);
  g.initializers["wa"] = random_weights(rng, {3, 2, 1, 1}, {50.0f, 1.0f, 0.02f});
  g.initializers["ba"] = Tensor::from_vector<float>({0.5f, -0.1f, 0.01f}, {3});
  Tensor wb = random_weights(rng, {2, 3, 1, 1}, {1.0f, 1.0f});
  const float column_gain[3] = {0.02f, 1.0f, 50.0f};
  for (int64_t i = 0; i < wb.numel(); ++i) wb.data<float>()[i] *= column_gain[i % 3];
  g.initializers["wb"] = wb;
  Node pool = node("pool", "MaxPool", {"r"}, {"p"});
  pool.attrs["kernel_shape"] = Attribute::of_ints({2, 2});
  pool.attrs["strides"] = Attribute::of_ints({2, 2});
  g.nodes = {node("conv_a", "Conv", {"x", "wa", "ba"}, {"a"}), node("relu", "Relu", {"a"}, {"r"}), pool,
             node("conv_b", "Conv", {"p", "wb"}, {"y"})};
  return g;
}

std::vector<Tensor> samples_of(int count, const Shape& shape, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<Tensor> out;
  for (int i = 0; i < count; ++i) {
    Tensor t(DataType::kFloat32, shape);
    for (float& v : t.values<float>()) v = u(rng);
    out.push_back(t);
  }
  return out;
}

/// Largest |a - b| over the outputs of both graphs on \p samples, relative to the largest |a|.
double relative_difference(const Graph& a, const Graph& b, const std::vector<Tensor>& samples) {
  Executor ea(a), eb(b);
  double worst = 0, peak = 0;
  for (const Tensor& x : samples) {
    const auto ya = ea.run({x})[0].to_float_vector(), yb = eb.run({x})[0].to_float_vector();
    for (size_t i = 0; i < ya.size(); ++i) {
      worst = std::max(worst, std::fabs(double(ya[i]) - yb[i]));
      peak = std::max(peak, std::fabs(double(ya[i])));
    }
  }
  return worst / peak;
}

const auto kEveryLayer = [](const Node&) { return true; };

TEST(CrossLayerEqualization, KeepsTheOutputsAndEvensTheChannelRanges) {
  const Graph original = conv_relu_pool_conv();
  Graph g = original;
  const EqualizationSummary summary = equalize_cross_layer(g, kEveryLayer);
  ASSERT_EQ(summary.pairs.size(), 1u);
  EXPECT_EQ(summary.pairs[0].producer, "conv_a");
  EXPECT_EQ(summary.pairs[0].consumer, "conv_b");
  EXPECT_LE(summary.sweeps, 2);
  EXPECT_GT(summary.largest_scale, 3.0);
  EXPECT_EQ(equalized_layers(summary), (std::vector<std::string>{"conv_a", "conv_b"}));
  EXPECT_LT(relative_difference(original, g, samples_of(4, {1, 2, 6, 6}, 1)), 1e-5);
  // Channel c: max |wa[c, ...]| == max |wb[:, c]|.
  const float* wa = g.initializers.at("wa").data<float>();
  const float* wb = g.initializers.at("wb").data<float>();
  for (int c = 0; c < 3; ++c) {
    const double r1 = std::max(std::fabs(wa[2 * c]), std::fabs(wa[2 * c + 1]));
    const double r2 = std::max(std::fabs(wb[c]), std::fabs(wb[3 + c]));
    EXPECT_NEAR(r1, r2, 1e-5 * r2) << "channel " << c;
  }
}

TEST(CrossLayerEqualization, DepthwiseConsumerAndChains) {
  // x -> conv_a (4 ch) -> dw (depthwise 3x3, pads 1) -> conv_c (group 1, 2 ch): two pairs.
  Graph g;
  g.opset = 13;
  g.inputs = {float_value("x", {1, 2, 5, 5})};
  g.outputs = {float_value("y", {1, 2, 5, 5})};
  std::mt19937 rng(32);
  g.initializers["wa"] = random_weights(rng, {4, 2, 1, 1}, {10.0f, 1.0f, 0.1f, 3.0f});
  g.initializers["wd"] = random_weights(rng, {4, 1, 3, 3}, {0.2f, 1.0f, 5.0f, 1.0f});
  g.initializers["wc"] = random_weights(rng, {2, 4, 1, 1}, {1.0f, 2.0f});
  Node dw = node("dw", "Conv", {"a", "wd"}, {"d"});
  dw.attrs["group"] = Attribute::of_int(4);
  dw.attrs["pads"] = Attribute::of_ints({1, 1, 1, 1});
  g.nodes = {node("conv_a", "Conv", {"x", "wa"}, {"a"}), dw, node("conv_c", "Conv", {"d", "wc"}, {"y"})};
  const Graph original = g;
  const EqualizationSummary summary = equalize_cross_layer(g, kEveryLayer);
  ASSERT_EQ(summary.pairs.size(), 2u);
  EXPECT_EQ(summary.pairs[0].consumer, "dw");
  EXPECT_EQ(summary.pairs[1].producer, "dw");
  EXPECT_LT(relative_difference(original, g, samples_of(3, {1, 2, 5, 5}, 2)), 1e-5);
  // The same graph and layers give the same weights (ptqc-compare redoes it on the FP32 model).
  Graph again = original;
  equalize_cross_layer(again, kEveryLayer);
  for (const char* w : {"wa", "wd", "wc"}) {
    EXPECT_EQ(again.initializers.at(w).to_float_vector(), g.initializers.at(w).to_float_vector()) << w;
  }
}

TEST(CrossLayerEqualization, LeavesPairsItCannotScaleExactly) {
  const auto unchanged = [](Graph g, const std::function<bool(const Node&)>& eligible) {
    const Graph before = g;
    EXPECT_TRUE(equalize_cross_layer(g, eligible).pairs.empty());
    for (const auto& [name, t] : before.initializers) EXPECT_EQ(g.initializers.at(name).to_float_vector(), t.to_float_vector()) << name;
  };
  Graph clipped = conv_relu_pool_conv();
  clipped.nodes[1].op_type = "Sigmoid";  // sigmoid(x / s) != sigmoid(x) / s
  unchanged(clipped, kEveryLayer);
  Graph two_readers = conv_relu_pool_conv();
  two_readers.outputs.push_back(float_value("r", {1, 3, 6, 6}));  // the Relu output is also a graph output
  unchanged(two_readers, kEveryLayer);
  Graph shared = conv_relu_pool_conv();
  shared.nodes.push_back(node("other", "Conv", {"x", "wa"}, {"z"}));  // conv_a's weights have a second reader
  shared.outputs.push_back(float_value("z", {1, 3, 6, 6}));
  unchanged(shared, kEveryLayer);
  unchanged(conv_relu_pool_conv(), [](const Node& n) { return n.name != "conv_b"; });  // conv_b stays float
}

TEST(CrossLayerEqualization, RescuesTheSmallChannelInInt8) {
  // conv_a's third channel (gain 0.02) sits on an activation grid sized by the gain-50 channel,
  // yet conv_b amplifies it 50x: equalization evens the activation's channels.
  const std::vector<Tensor> calibration = samples_of(8, {1, 2, 6, 6}, 3);
  const std::vector<Tensor> held_out = samples_of(4, {1, 2, 6, 6}, 4);
  const auto sqnr_db = [&](bool equalize) {
    Graph g = conv_relu_pool_conv();
    const Graph fp32 = g;
    QuantizeRequest request;
    request.soc = &find_soc("Ascend310P3");
    request.settings = [](const Node&) { return minmax_settings(); };
    request.batches = batches_of(calibration);
    request.cross_layer_equalization = equalize;
    const QuantizeReport report = quantize_graph(g, request);
    EXPECT_EQ(report.equalization.has_value(), equalize);
    Executor f(fp32), q(g);
    double signal = 0, noise = 0;
    for (const Tensor& x : held_out) {
      const auto a = f.run({x})[0].to_float_vector(), b = q.run({x})[0].to_float_vector();
      for (size_t i = 0; i < a.size(); ++i) signal += double(a[i]) * a[i], noise += (double(b[i]) - a[i]) * (double(b[i]) - a[i]);
    }
    return 10 * std::log10(signal / noise);
  };
  const double plain = sqnr_db(false), equalized = sqnr_db(true);
  EXPECT_GT(equalized, plain + 6.0) << "plain " << plain << " dB, equalized " << equalized << " dB";
}

}  // namespace
