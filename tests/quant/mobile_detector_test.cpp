// The mobile probability-map detector of tests/models/mobile_detector (depthwise-separable
// backbone with BN, squeeze-excite, HardSwish and ReLU6, FPN, NHWC export; trained on real
// photos by tests/models/train_mobile_detector.py), quantized through its own config and
// measured on its held-out photos: the model class of issue 8.

#include <gtest/gtest.h>

#include <cmath>

#include "ptqc/error.h"
#include "trained_model_util.h"

using namespace ptqc;
using namespace ptqc::quant_testing;

namespace {

const std::string kDir = std::string(PTQC_SOURCE_DIR) + "/tests/models/mobile_detector/";

Graph detector() { return trained_model(kDir, "image:1,64,64,3"); }

std::vector<std::vector<Tensor>> held_out(const QuantConfig& config, const Graph& g) { return held_out_samples(config, g, kDir); }

/// Mean per-sample cosine and the pooled mask IoU at 0.3 of \p int8 against \p fp32.
std::pair<double, double> accuracy(const Graph& fp32, const Graph& int8, const std::vector<std::vector<Tensor>>& samples) {
  Executor f(fp32), q(int8);
  double cosine = 0, inter = 0, uni = 0;
  for (const auto& s : samples) {
    const auto a = f.run(s)[0].to_float_vector(), b = q.run(s)[0].to_float_vector();
    double ab = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      ab += double(a[i]) * b[i], aa += double(a[i]) * a[i], bb += double(b[i]) * b[i];
      inter += a[i] > 0.3f && b[i] > 0.3f;
      uni += a[i] > 0.3f || b[i] > 0.3f;
    }
    cosine += ab / std::sqrt(aa * bb) / double(samples.size());
  }
  return {cosine, inter / uni};
}

TEST(MobileDetector, DefaultConfigStaysCloseToFp32OnHeldOutPhotos) {
  const QuantConfig config = load_quant_config(kDir + "quant.json");
  const Graph fp32 = detector();
  Graph int8 = fp32;
  const QuantizeReport report = quantize(int8, config);
  EXPECT_EQ(report.records.size(), 27u);  // every conv, depthwise, ConvTranspose and SE layer
  ASSERT_TRUE(report.bias_correction.has_value());  // on by default
  const auto [cosine, iou] = accuracy(fp32, int8, held_out(config, fp32));
  EXPECT_GE(cosine, 0.99);
  EXPECT_GE(iou, 0.95);
}

TEST(MobileDetector, LearnedRoundingCoversEveryConvAndLowersTheWeightError) {
  QuantConfig config = load_quant_config(kDir + "quant.json");
  const Graph fp32 = detector();
  Graph nearest = fp32;
  quantize(nearest, config);
  config.common.weight_algorithm = WeightAlgorithm::kLearnedRounding;
  Graph learned = fp32;
  const QuantizeReport report = quantize(learned, config);
  ASSERT_TRUE(report.weight_rounding.has_value());
  EXPECT_EQ(report.weight_rounding->layers, 24u);  // every Conv: depthwise, pointwise, 3x3, SE
  EXPECT_EQ(report.weight_rounding->skipped, 1u);  // the ConvTranspose keeps nearest rounding
  EXPECT_LT(report.weight_rounding->learned_error, 0.5 * report.weight_rounding->nearest_error);
  const auto held = held_out(config, fp32);
  // The detector's loss is its input noise, not its weights (docs/accuracy.md): the model output
  // moves by noise only.
  EXPECT_NEAR(accuracy(fp32, learned, held).first, accuracy(fp32, nearest, held).first, 1e-3);
}

TEST(MobileDetector, AccuracyTargetKeepsTheFewestLayersInFloat) {
  QuantConfig config = load_quant_config(kDir + "quant.json");
  config.accuracy_target = AccuracyTarget{AccuracyMetric::kCosine, 0.999, "", kDir + "eval.txt", "quantize_info.accuracy_target"};
  const Graph fp32 = detector();
  Graph int8 = fp32;
  const QuantizeReport report = quantize(int8, config);
  ASSERT_TRUE(report.mixed_precision.has_value());
  const MixedPrecisionReport& mp = *report.mixed_precision;
  EXPECT_TRUE(mp.search.met);
  EXPECT_LT(mp.search.all_int8, 0.999);  // the default misses this target, so something moved
  EXPECT_GE(mp.search.float_layers.size(), 1u);
  EXPECT_LE(mp.search.float_layers.size(), 27u / 5);  // >= 80% of the quantizable layers stay INT8
  EXPECT_EQ(report.records.size(), 27u - mp.search.float_layers.size());
  EXPECT_FALSE(mp.held_out_from_calibration);
  EXPECT_EQ(mp.eval_samples, 8);
  // Measured independently of the search: the written graph reaches the target.
  const auto [cosine, iou] = accuracy(fp32, int8, held_out(config, fp32));
  EXPECT_NEAR(cosine, mp.search.reached, 1e-9);
  EXPECT_GE(cosine, 0.999);
  EXPECT_GE(iou, 0.97);

  Graph again = fp32;
  EXPECT_EQ(quantize(again, config).mixed_precision->search.float_layers, mp.search.float_layers);  // deterministic
}

TEST(MobileDetector, WithoutAnEvalListTheLastQuarterOfTheCalibrationListIsHeldOut) {
  QuantConfig config = load_quant_config(kDir + "quant.json");
  config.accuracy_target = AccuracyTarget{AccuracyMetric::kSqnrDb, 25.0, "prob", "", "quantize_info.accuracy_target"};
  Graph g = detector();
  const QuantizeReport report = quantize(g, config);
  ASSERT_TRUE(report.mixed_precision.has_value());
  EXPECT_TRUE(report.mixed_precision->held_out_from_calibration);
  EXPECT_EQ(report.mixed_precision->eval_samples, 4);  // 16 calibration images: 12 calibrate, 4 judge
  EXPECT_EQ(report.calibration_batches, 12);
  EXPECT_GE(report.mixed_precision->search.reached, 25.0);
}

TEST(MobileDetector, AnUnreachableTargetIsAnErrorNamingTheKeyAndTheBestValue) {
  QuantConfig config = load_quant_config(kDir + "quant.json");
  config.accuracy_target = AccuracyTarget{AccuracyMetric::kSqnrDb, 150.0, "", kDir + "eval.txt", "quantize_info.accuracy_target"};
  Graph g = detector();
  try {
    quantize(g, config, /*float16=*/true);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidValue);
    for (const char* text : {"quantize_info.accuracy_target", "sqnr_db 150.00 dB cannot be reached", "every quantizable layer in float",
                             "force_fp16"}) {
      EXPECT_NE(e.message().find(text), std::string::npos) << text << "\n" << e.message();
    }
  }
}

TEST(MobileDetector, AnUnknownJudgedOutputIsAnError) {
  QuantConfig config = load_quant_config(kDir + "quant.json");
  config.accuracy_target = AccuracyTarget{AccuracyMetric::kCosine, 0.99, "probability", "", "quantize_info.accuracy_target"};
  Graph g = detector();
  try {
    quantize(g, config);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidValue);
    EXPECT_NE(e.message().find("quantize_info.accuracy_target.output: \"probability\" is not a model output (outputs: prob)"),
              std::string::npos)
        << e.message();
  }
}

}  // namespace
