// Models as exporters write them, quantized end to end through the library API:
// INT8 outputs must stay close to FP32 (cosine >= 0.999 on held-out inputs).

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "cli/tool_support.h"
#include "ptqc/onnx_frontend.h"
#include "ptqc/passes.h"
#include "ptqc/soc.h"
#include "quant/quantizer.h"
#include "quant_test_graphs.h"

using namespace ptqc;
using ptqc::quant_testing::batches_of;

namespace {

Tensor random_sample(const Shape& shape, std::mt19937& rng, bool normal) {
  Tensor t(DataType::kFloat32, shape);
  std::normal_distribution<float> n(0.0f, 1.0f);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (float& v : t.values<float>()) v = normal ? n(rng) : u(rng);
  return t;
}

double cosine(const Tensor& a, const Tensor& b) {
  const auto x = a.to_float_vector(), y = b.to_float_vector();
  double xy = 0, xx = 0, yy = 0;
  for (size_t i = 0; i < x.size(); ++i) xy += double(x[i]) * y[i], xx += double(x[i]) * x[i], yy += double(y[i]) * y[i];
  return xy / std::sqrt(xx * yy);
}

struct Case {
  const char* model;
  const char* input_shape;
  Shape shape;
  bool normal_inputs;
  size_t min_int8_layers;
  bool activation_matmul = false;  ///< quantize_info.activation_matmul
};

class ExportedModelQuantization : public testing::TestWithParam<Case> {};

TEST_P(ExportedModelQuantization, Int8StaysCloseToFp32OnHeldOutInputs) {
  const Case& c = GetParam();
  LoadOptions options;
  options.input_shapes = parse_input_shape(c.input_shape);
  Graph graph = load_onnx_model(std::string(PTQC_SOURCE_DIR) + "/tests/models/" + c.model + "/model.onnx", options);
  optimize(graph, [](const Node& n, int64_t opset, const std::vector<const Tensor*>& in) { return evaluate_node(n, opset, in); });
  const Graph float_graph = graph;

  std::mt19937 rng(11);
  std::vector<Tensor> calibration;
  for (int i = 0; i < 16; ++i) calibration.push_back(random_sample(c.shape, rng, c.normal_inputs));
  QuantizeRequest request;
  request.soc = &find_soc("Ascend310P3");
  request.settings = [&c](const Node&) {
    LayerSettings s;
    s.activation_matmul = c.activation_matmul;
    return s;
  };
  request.batches = batches_of(calibration);
  const QuantizeReport report = quantize_graph(graph, request);
  EXPECT_GE(report.records.size(), c.min_int8_layers);

  Executor fp32(float_graph), int8(graph);
  for (int i = 0; i < 4; ++i) {
    const Tensor x = random_sample(c.shape, rng, c.normal_inputs);
    EXPECT_GE(cosine(fp32.run({x})[0], int8.run({x})[0]), 0.999) << c.model << " held-out sample " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Models, ExportedModelQuantization,
                         testing::Values(Case{"torch_transformer", "input:1,8,32", {1, 8, 32}, true, 4},
                                         // Q·Kᵀ and P·V in INT8 too (QBatchMatMul).
                                         Case{"torch_transformer", "input:1,8,32", {1, 8, 32}, true, 6, true},
                                         Case{"paddle_style", "x:1,3,16,16", {1, 3, 16, 16}, false, 3},
                                         Case{"tf2onnx_style", "input:0:1,12,12,3", {1, 12, 12, 3}, false, 1},
                                         Case{"torch_cnn", "input:1,3,32,32", {1, 3, 32, 32}, false, 4}));

}  // namespace
