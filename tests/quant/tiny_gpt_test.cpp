// The character-level GPT of tests/models/tiny_gpt (2 transformer blocks with causal
// self-attention; trained by tests/models/train_tiny_gpt.py on Debian's license texts), quantized
// through its config: next-character (per-position top-1) agreement with FP32 on held-out text.

#include <gtest/gtest.h>

#include "trained_model_util.h"

using namespace ptqc;
using namespace ptqc::quant_testing;

namespace {

const std::string kDir = std::string(PTQC_SOURCE_DIR) + "/tests/models/tiny_gpt/";

Graph gpt() { return trained_model(kDir, "tokens:1,64"); }

/// The share of the 64 positions of every held-out window whose arg-max next character agrees.
double next_token_agreement(const Graph& fp32, const Graph& int8, const std::vector<std::vector<Tensor>>& samples) {
  return step_agreement(fp32, int8, samples, {1, 64, 96});
}

TEST(TinyGpt, DefaultConfigQuantizesEveryLinearLayer) {
  const QuantConfig config = load_quant_config(kDir + "quant.json");
  const Graph fp32 = gpt();
  Graph int8 = fp32;
  const QuantizeReport report = quantize(int8, config);
  EXPECT_EQ(report.records.size(), 9u);  // qkv, proj, 2 MLP per block, head; attention products stay float
  EXPECT_EQ(count_ops(int8, "QMatMul"), 9u);
  // docs/accuracy.md: 96.97% of the 1024 held-out positions (FP16 alone: 99.4%).
  EXPECT_GE(next_token_agreement(fp32, int8, held_out_samples(config, fp32, kDir)), 0.96);
}

TEST(TinyGpt, AttentionProductsInInt8) {
  QuantConfig config = load_quant_config(kDir + "quant.json");
  config.activation_matmul = true;
  const Graph fp32 = gpt();
  Graph int8 = fp32;
  const QuantizeReport report = quantize(int8, config);
  EXPECT_EQ(report.records.size(), 13u);
  EXPECT_EQ(count_ops(int8, "QBatchMatMul"), 4u);
  EXPECT_GE(next_token_agreement(fp32, int8, held_out_samples(config, fp32, kDir)), 0.95);
}

TEST(TinyGpt, AgreementTargetIsMetOnHeldOutText) {
  QuantConfig config = load_quant_config(kDir + "quant.json");
  config.accuracy_target = AccuracyTarget{AccuracyMetric::kTop1Agreement, 0.98, "", kDir + "eval.txt", "quantize_info.accuracy_target"};
  const Graph fp32 = gpt();
  Graph int8 = fp32;
  const QuantizeReport report = quantize(int8, config);
  ASSERT_TRUE(report.mixed_precision.has_value());
  const MixedPrecisionReport& mp = *report.mixed_precision;
  EXPECT_TRUE(mp.search.met);
  EXPECT_LT(mp.search.all_int8, 0.98);
  const double agreement = next_token_agreement(fp32, int8, held_out_samples(config, fp32, kDir));
  EXPECT_DOUBLE_EQ(agreement, mp.search.reached);
  EXPECT_GE(agreement, 0.98);
  EXPECT_EQ(report.records.size(), 9u - mp.search.float_layers.size());
}

}  // namespace
