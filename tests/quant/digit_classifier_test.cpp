// The MobileNet-style digit classifier of tests/models/digit_classifier (conv, depthwise-separable
// block, strided conv, global average pooling, linear; trained by
// tests/models/train_digit_classifier.py on the UCI handwritten digits), quantized through its
// config: top-1 agreement with FP32 on held-out digits.

#include <gtest/gtest.h>

#include "trained_model_util.h"

using namespace ptqc;
using namespace ptqc::quant_testing;

namespace {

const std::string kDir = std::string(PTQC_SOURCE_DIR) + "/tests/models/digit_classifier/";

Graph classifier() { return trained_model(kDir, "image:1,1,16,16"); }

double agreement(const Graph& fp32, const Graph& int8, const std::vector<std::vector<Tensor>>& samples) {
  return step_agreement(fp32, int8, samples, {1, 10});
}

TEST(DigitClassifier, DefaultConfigAgreesOnAllButNearTies) {
  const QuantConfig config = load_quant_config(kDir + "quant.json");
  const Graph fp32 = classifier();
  Graph int8 = fp32;
  const QuantizeReport report = quantize(int8, config);
  EXPECT_EQ(report.records.size(), 6u);  // 4 convs (BN folded), global average pool, linear
  // docs/accuracy.md: 63 of 64; the one that differs has a top-2 margin of 2% of its logit range.
  EXPECT_GE(agreement(fp32, int8, held_out_samples(config, fp32, kDir)), 63.0 / 64.0);
}

TEST(DigitClassifier, FullAgreementTargetIsMetOnHeldOutDigits) {
  QuantConfig config = load_quant_config(kDir + "quant.json");
  config.accuracy_target = AccuracyTarget{AccuracyMetric::kTop1Agreement, 1.0, "", kDir + "eval.txt", "quantize_info.accuracy_target"};
  const Graph fp32 = classifier();
  Graph int8 = fp32;
  const QuantizeReport report = quantize(int8, config);
  ASSERT_TRUE(report.mixed_precision.has_value());
  EXPECT_TRUE(report.mixed_precision->search.met);
  EXPECT_DOUBLE_EQ(agreement(fp32, int8, held_out_samples(config, fp32, kDir)), 1.0);
  // ptqc (float layers in FP16) keeps 1 of 6 in float; judged with FP32 float layers here, 2.
  EXPECT_LE(report.mixed_precision->search.float_layers.size(), 2u);
}

}  // namespace
