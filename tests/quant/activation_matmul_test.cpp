// INT8 activation x activation MatMul (quantize_info.activation_matmul, opt-in; QBatchMatMul): the plan,
// both inputs calibrated, the record, the rewrite, and the result against float.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "ptqc/executor.h"
#include "ptqc/soc.h"
#include "quant/quant_test_graphs.h"
#include "quant/quantizer.h"
#include "quant/record.h"

using namespace ptqc;
using namespace ptqc::quant_testing;

namespace {

/// One attention score: x [1, 6, 8] -> q = x·Wq, k = x·Wk, s = q · kᵀ [1, 6, 6].
Graph attention_scores() {
  Graph g;
  g.opset = 13;
  g.inputs = {float_value("x", {1, 6, 8})};
  g.outputs = {float_value("s", {1, 6, 6})};
  std::mt19937 rng(21);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (const char* w : {"wq", "wk"}) {
    Tensor t(DataType::kFloat32, {8, 8});
    for (float& v : t.values<float>()) v = u(rng);
    g.initializers[w] = t;
  }
  Node transpose = node("transpose", "Transpose", {"k"}, {"kt"});
  transpose.attrs["perm"] = Attribute::of_ints({0, 2, 1});
  g.nodes = {node("proj_q", "MatMul", {"x", "wq"}, {"q"}), node("proj_k", "MatMul", {"x", "wk"}, {"k"}), transpose,
             node("scores", "MatMul", {"q", "kt"}, {"s"})};
  return g;
}

std::vector<Tensor> samples_of(int count) {
  std::mt19937 rng(22);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<Tensor> samples;
  for (int i = 0; i < count; ++i) {
    Tensor t(DataType::kFloat32, {1, 6, 8});
    for (float& v : t.values<float>()) v = u(rng);
    samples.push_back(t);
  }
  return samples;
}

QuantizeRequest request_for(const std::vector<Tensor>& samples, bool activation_matmul) {
  QuantizeRequest request;
  request.soc = &find_soc("Ascend310P3");
  request.settings = [activation_matmul](const Node&) {
    LayerSettings s = minmax_settings();
    s.activation_matmul = activation_matmul;
    return s;
  };
  request.batches = batches_of(samples);
  return request;
}

const Node* find_node(const Graph& g, const std::string& op_type) {
  for (const Node& n : g.nodes) {
    if (n.op_type == op_type) return &n;
  }
  return nullptr;
}

TEST(ActivationMatMul, StaysFloatUnlessTheConfigAsks) {
  const Graph g = attention_scores();
  const auto decisions = plan_quantization(g, find_soc("Ascend310P3"), [](const Node&) { return LayerSettings{}; });
  ASSERT_EQ(decisions.size(), 4u);
  EXPECT_TRUE(decisions[0].quantized);
  EXPECT_FALSE(decisions[3].quantized);
  EXPECT_NE(decisions[3].reason.find("quantize_info.activation_matmul"), std::string::npos) << decisions[3].reason;
  const auto on = plan_quantization(g, find_soc("Ascend310P3"), [](const Node&) {
    LayerSettings s;
    s.activation_matmul = true;
    return s;
  });
  EXPECT_TRUE(on[3].quantized);
}

TEST(ActivationMatMul, BothInputsAreCalibratedAndTheProductIsInt8) {
  Graph g = attention_scores();
  const Graph float_graph = g;
  const std::vector<Tensor> samples = samples_of(6);
  const QuantizeReport report = quantize_graph(g, request_for(samples, true));
  ASSERT_EQ(report.records.size(), 3u);
  const LayerQuantRecord& scores = report.records[2];
  EXPECT_EQ(scores.layer, "scores");
  EXPECT_EQ(scores.activation, "q");
  EXPECT_EQ(scores.activation_b, "kt");
  ASSERT_EQ(scores.scale_w.size(), 1u);
  EXPECT_GT(scores.range_b.max, scores.range_b.min);
  // The second input's scale is its own range's: min-max over [min, max] with 255 steps.
  EXPECT_NEAR(scores.scale_w[0], (std::max(0.0f, scores.range_b.max) - std::min(0.0f, scores.range_b.min)) / 255.0f, 1e-3f * scores.scale_w[0]);

  const Node* q = find_node(g, "QBatchMatMul");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->name, "scores");
  EXPECT_EQ(q->attr_int("b_offset", 99), scores.offset_w);
  EXPECT_EQ(q->attr_int("x_offset", 99), scores.offset_d);
  EXPECT_EQ(find_node(g, "MatMul"), nullptr);  // every MatMul runs in INT8

  // The record keeps the second input, so a later run can reuse the ranges.
  const std::string json = format_json_record({}, report.records);
  EXPECT_NE(json.find("\"activation_b\": \"kt\""), std::string::npos);
  EXPECT_NE(format_amct_record(report.records).find("offset_w: " + std::to_string(scores.offset_w)), std::string::npos);

  Executor fp32(float_graph), int8(g);
  for (const Tensor& s : samples) {
    const auto w = fp32.run({s})[0].to_float_vector(), got = int8.run({s})[0].to_float_vector();
    double dot = 0, ww = 0, qq = 0;
    for (size_t i = 0; i < w.size(); ++i) dot += w[i] * got[i], ww += w[i] * w[i], qq += got[i] * got[i];
    EXPECT_GT(dot / std::sqrt(ww * qq), 0.999);
  }
}

TEST(ActivationMatMul, SavedRecordReproducesTheSameGraph) {
  const std::vector<Tensor> samples = samples_of(4);
  const std::string dir = ::testing::TempDir() + "/ptqc_activation_matmul_record";
  std::filesystem::remove_all(dir);
  Graph first = attention_scores(), second = attention_scores();
  QuantizeRequest request = request_for(samples, true);
  request.record_dir = dir;
  const QuantizeReport a = quantize_graph(first, request);
  const QuantizeReport b = quantize_graph(second, request);
  EXPECT_FALSE(a.reused_record);
  EXPECT_TRUE(b.reused_record);
  ASSERT_EQ(b.records.size(), a.records.size());
  EXPECT_EQ(b.records[2].range_b.min, a.records[2].range_b.min);
  EXPECT_EQ(b.records[2].range_b.max, a.records[2].range_b.max);
  EXPECT_EQ(b.records[2].offset_w, a.records[2].offset_w);
  std::filesystem::remove_all(dir);
}

}  // namespace
