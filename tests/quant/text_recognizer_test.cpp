// The CTC text recognizer of tests/models/text_recognizer (conv backbone, one self-attention
// block, GELU MLP, per-step logits [1, 32, 37]; trained by tests/models/train_text_recognizer.py
// on words rendered over real photos), quantized through its config: per-step top-1 agreement,
// the measure users of a recognizer judge by.

#include <gtest/gtest.h>

#include "trained_model_util.h"

using namespace ptqc;
using namespace ptqc::quant_testing;

namespace {

const std::string kDir = std::string(PTQC_SOURCE_DIR) + "/tests/models/text_recognizer/";

Graph recognizer() { return trained_model(kDir, "image:1,1,32,128"); }

/// The share of the 32 time steps of every held-out sample whose arg-max class agrees.
double step_agreement(const Graph& fp32, const Graph& int8, const std::vector<std::vector<Tensor>>& samples) {
  return quant_testing::step_agreement(fp32, int8, samples, {1, 32, 37});
}

TEST(TextRecognizer, DefaultConfigAgreesWithFp32OnAlmostEveryStep) {
  const QuantConfig config = load_quant_config(kDir + "quant.json");
  const Graph fp32 = recognizer();
  Graph int8 = fp32;
  const QuantizeReport report = quantize(int8, config);
  EXPECT_EQ(report.records.size(), 9u);  // 4 convs, QKV, projection, 2 MLP, head (Q·Kᵀ and P·V stay float)
  EXPECT_GE(step_agreement(fp32, int8, held_out_samples(config, fp32, kDir)), 0.97);
}

TEST(TextRecognizer, AttentionProductsInInt8KeepTheAgreement) {
  QuantConfig config = load_quant_config(kDir + "quant.json");
  config.activation_matmul = true;
  const Graph fp32 = recognizer();
  Graph int8 = fp32;
  const QuantizeReport report = quantize(int8, config);
  EXPECT_EQ(report.records.size(), 11u);  // the 9 layers with weights, Q·Kᵀ and P·V
  EXPECT_EQ(count_ops(int8, "QBatchMatMul"), 2u);
  // docs/accuracy.md: 99.22% of the held-out steps (the default, with them in float: 99.02%).
  EXPECT_GE(step_agreement(fp32, int8, held_out_samples(config, fp32, kDir)), 0.98);
}

TEST(TextRecognizer, Top1AgreementTargetIsMetOnHeldOutWords) {
  QuantConfig config = load_quant_config(kDir + "quant.json");
  config.accuracy_target = AccuracyTarget{AccuracyMetric::kTop1Agreement, 0.995, "", kDir + "eval.txt", "quantize_info.accuracy_target"};
  const Graph fp32 = recognizer();
  Graph int8 = fp32;
  const QuantizeReport report = quantize(int8, config);
  ASSERT_TRUE(report.mixed_precision.has_value());
  const MixedPrecisionReport& mp = *report.mixed_precision;
  EXPECT_TRUE(mp.search.met);
  const double agreement = step_agreement(fp32, int8, held_out_samples(config, fp32, kDir));
  EXPECT_DOUBLE_EQ(agreement, mp.search.reached);  // the search measured what the graph does
  EXPECT_GE(agreement, 0.995);
  // 512 steps: the default misses 5; two convolutions in float fix them (docs/accuracy.md).
  EXPECT_LT(mp.search.all_int8, 0.995);
  EXPECT_GE(mp.search.float_layers.size(), 1u);
  EXPECT_LE(mp.search.float_layers.size(), 2u);
  EXPECT_EQ(report.records.size(), 9u - mp.search.float_layers.size());
}

}  // namespace
