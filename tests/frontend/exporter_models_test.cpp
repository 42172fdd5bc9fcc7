// Models as real exporters write them (torch.onnx.export, paddle2onnx-style, tf2onnx-style;
// built by tests/models/make_models.py) must reproduce the exporting framework's outputs.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "ptqc/executor.h"
#include "ptqc/onnx_frontend.h"
#include "ptqc/runnable_model.h"
#include "ptqc/sample_files.h"

namespace {

std::vector<float> read_floats(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<float> out(bytes.size() / sizeof(float));
  std::memcpy(out.data(), bytes.data(), out.size() * sizeof(float));
  return out;
}

/// max |got - want| / max |want| over all elements.
double relative_error(const std::vector<float>& got, const std::vector<float>& want) {
  double max_diff = 0, max_ref = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    max_diff = std::max(max_diff, std::fabs(double(got[i]) - want[i]));
    max_ref = std::max(max_ref, std::fabs(double(want[i])));
  }
  return max_diff / std::max(max_ref, 1e-12);
}

class ExporterModel : public testing::TestWithParam<std::string> {};

std::vector<ptqc::Tensor> run_model(const std::string& dir, int threads) {
  ptqc::Executor executor = ptqc::load_runnable_model(dir + "/model.onnx", "", ptqc::ExecutorOptions{threads});
  const auto input = ptqc::read_input_file(dir + "/input_0.bin", executor.graph().inputs[0]);
  return executor.run({input});
}

TEST_P(ExporterModel, MatchesTheExportingFramework) {
  const std::string dir = std::string(PTQC_SOURCE_DIR) + "/tests/models/" + GetParam();
  const auto outputs = run_model(dir, 1);
  ASSERT_EQ(outputs.size(), 1u);
  const auto want = read_floats(dir + "/expected_0.bin");
  const auto got = outputs[0].to_float_vector();
  ASSERT_EQ(got.size(), want.size());
  EXPECT_LE(relative_error(got, want), 1e-4) << GetParam();
}

TEST_P(ExporterModel, OutputsAreBitIdenticalForAnyThreadCount) {
  const std::string dir = std::string(PTQC_SOURCE_DIR) + "/tests/models/" + GetParam();
  const auto reference = run_model(dir, 1);
  for (int threads : {2, 3}) {
    const auto outputs = run_model(dir, threads);
    ASSERT_EQ(outputs[0].nbytes(), reference[0].nbytes());
    EXPECT_EQ(std::memcmp(outputs[0].raw(), reference[0].raw(), reference[0].nbytes()), 0) << threads << " threads";
  }
}

INSTANTIATE_TEST_SUITE_P(Exporters, ExporterModel,
                         testing::Values("torch_cnn", "torch_transformer", "paddle_style", "tf2onnx_style"));

TEST(ExporterModels, PaddleStyleWeightsComeFromConstantNodesAndBatchNormFolds) {
  ptqc::Executor executor =
      ptqc::load_runnable_model(std::string(PTQC_SOURCE_DIR) + "/tests/models/paddle_style/model.onnx", "", ptqc::ExecutorOptions{1});
  int convs = 0;
  for (const auto& node : executor.graph().nodes) {
    EXPECT_NE(node.op_type, "BatchNormalization");
    EXPECT_NE(node.op_type, "Constant");
    convs += node.op_type == "Conv";
  }
  EXPECT_EQ(convs, 2);
}

TEST(ExporterModels, TransformerShapeSubgraphsFoldAway) {
  ptqc::Executor executor = ptqc::load_runnable_model(
      std::string(PTQC_SOURCE_DIR) + "/tests/models/torch_transformer/model.onnx", "input:1,8,32", ptqc::ExecutorOptions{1});
  for (const auto& node : executor.graph().nodes) EXPECT_NE(node.op_type, "Shape") << node.name;
}

}  // namespace
