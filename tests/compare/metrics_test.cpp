// The error measures of ptqc-compare against hand-computed values.

#include "compare/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "ptqc/compare.h"
#include "ptqc/error.h"

namespace ptqc {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(ErrorSums, CosineSqnrPsnrAndErrorsOfAHandComputedPair) {
  // r = [1, 2, 3, 4], t = [1, 2, 3, 5]: Σr² = 30, Σt² = 39, Σrt = 34, Σ(r-t)² = 1.
  const std::vector<float> r = {1, 2, 3, 4}, t = {1, 2, 3, 5};
  ErrorSums s;
  s.add(r, t);
  EXPECT_NEAR(s.cosine(), 34.0 / std::sqrt(30.0 * 39.0), 1e-12);
  EXPECT_NEAR(s.sqnr_db(), 10.0 * std::log10(30.0), 1e-12);          // 14.771 dB
  EXPECT_NEAR(s.psnr_db(s.ref_range()), 10.0 * std::log10(9.0 / 0.25), 1e-12);  // R = 3, MSE = 1/4: 15.563 dB
  EXPECT_NEAR(s.psnr_db(255.0), 10.0 * std::log10(255.0 * 255.0 / 0.25), 1e-9);
  EXPECT_EQ(s.max_abs_err, 1.0);
  EXPECT_EQ(s.mean_abs_error(), 0.25);
}

TEST(ErrorSums, PoolingTwoHalvesEqualsOneSum) {
  const std::vector<float> r = {1, -2, 3, 4}, t = {1.5f, -2, 2, 4};
  ErrorSums whole, halves;
  whole.add(r, t);
  halves.add(std::span(r).first(2), std::span(t).first(2));
  halves.add(std::span(r).last(2), std::span(t).last(2));
  EXPECT_DOUBLE_EQ(whole.sqnr_db(), halves.sqnr_db());  // Σr² = 30, Σe² = 1.25
  EXPECT_NEAR(whole.sqnr_db(), 10.0 * std::log10(30.0 / 1.25), 1e-12);
  EXPECT_DOUBLE_EQ(whole.cosine(), halves.cosine());
}

TEST(ErrorSums, EdgeCasesOfEqualAndZeroTensors) {
  ErrorSums same, zeros, zero_ref, zero_test;
  same.add(std::vector<float>{1, 2}, std::vector<float>{1, 2});
  zeros.add(std::vector<float>{0, 0}, std::vector<float>{0, 0});
  zero_ref.add(std::vector<float>{0, 0}, std::vector<float>{0, 1});
  zero_test.add(std::vector<float>{1, 0}, std::vector<float>{0, 0});
  EXPECT_EQ(same.sqnr_db(), kInf);
  EXPECT_EQ(same.psnr_db(1.0), kInf);
  EXPECT_EQ(same.cosine(), 1.0);
  EXPECT_EQ(zeros.cosine(), 1.0);
  EXPECT_EQ(zeros.sqnr_db(), kInf);
  EXPECT_EQ(zero_ref.sqnr_db(), -kInf);
  EXPECT_EQ(zero_ref.cosine(), 0.0);
  EXPECT_EQ(zero_test.sqnr_db(), 0.0);  // Σr² = Σe² = 1
  EXPECT_EQ(zero_test.cosine(), 0.0);
}

TEST(ErrorSums, NanInTheTestPropagates) {
  ErrorSums s;
  s.add(std::vector<float>{1, 2, 3}, std::vector<float>{1, std::nanf(""), 3});
  EXPECT_TRUE(std::isnan(s.sqnr_db()));
  EXPECT_TRUE(std::isnan(s.max_abs_err));
}

TEST(TopkAgreement, CountsRowsWhoseReferenceLabelRanksBelowK) {
  // Row 0: label 1, test ranks it first. Row 1: label 0, test ranks it second (0.4 > 0.3).
  // Row 2: label 1; the test ties classes 0 and 1, and the lower index ranks first.
  const std::vector<float> ref = {0.1f, 0.7f, 0.2f, 0.5f, 0.3f, 0.2f, 0.0f, 1.0f, 0.0f};
  const std::vector<float> test = {0.2f, 0.6f, 0.1f, 0.3f, 0.4f, 0.2f, 0.5f, 0.5f, 0.0f};
  const TopkCounts k1 = topk_agreement(ref, test, 3, 1);
  EXPECT_EQ(k1.rows, 3);
  EXPECT_EQ(k1.top1_hits, 1);
  EXPECT_EQ(k1.topk_hits, 1);
  const TopkCounts k2 = topk_agreement(ref, test, 3, 2);
  EXPECT_EQ(k2.top1_hits, 1);
  EXPECT_EQ(k2.topk_hits, 3);
}

TEST(MeasureTensor, TopkOnlyForClassShapedOutputsUnlessAsked) {
  const std::vector<float> ref = {0.1f, 0.7f, 0.2f, 0.5f, 0.3f, 0.2f}, test = {0.2f, 0.6f, 0.1f, 0.3f, 0.4f, 0.2f};
  const TensorMetrics classes = measure_tensor(ref, test, {2, 3}, {});
  EXPECT_EQ(classes.rows, 2);
  EXPECT_EQ(classes.k, 3);  // 5 clamped to the 3 classes
  EXPECT_EQ(classes.top1_hits, 1);
  EXPECT_EQ(classes.topk_hits, 2);
  EXPECT_EQ(measure_tensor(ref, test, {1, 2, 3}, {}).rows, 2);     // [N, T, C]: per step
  EXPECT_EQ(measure_tensor(ref, test, {1, 1, 2, 3}, {}).rows, 0);  // not [N, C] or [N, T, C]
  EXPECT_EQ(measure_tensor(ref, test, {6, 1}, {}).rows, 0);     // C < 2
  MetricOptions topk;
  topk.topk = 2;
  const TensorMetrics forced = measure_tensor(ref, test, {1, 2, 3}, topk);
  EXPECT_EQ(forced.rows, 2);
  EXPECT_EQ(forced.k, 2);
  EXPECT_EQ(forced.topk_hits, 2);
}

TEST(MeasureTensor, MaskIouCountsElementsAboveTheThreshold) {
  const std::vector<float> ref = {0.1f, 0.9f, 0.4f, 0.8f}, test = {0.5f, 0.7f, 0.2f, 0.1f};
  EXPECT_EQ(measure_tensor(ref, test, {1, 4}, {}).mask_union, 0);  // not asked
  MetricOptions options;
  options.mask_threshold = 0.3;
  const TensorMetrics m = measure_tensor(ref, test, {1, 4}, options);
  EXPECT_EQ(m.mask_intersection, 1);  // element 1
  EXPECT_EQ(m.mask_union, 4);         // 0 (test), 1, 2 (ref), 3 (ref)
  OutputComparison out;
  add_output_sample(out, Tensor::from_vector<float>(ref, {1, 4}), Tensor::from_vector<float>(test, {1, 4}), options, "x");
  add_output_sample(out, Tensor::from_vector<float>({0, 0, 0, 0}, {1, 4}), Tensor::from_vector<float>({0, 0, 0, 1}, {1, 4}), options, "x");
  ASSERT_TRUE(summarize(out).mask_iou.has_value());
  EXPECT_DOUBLE_EQ(*summarize(out).mask_iou, 1.0 / 5.0);  // pooled: (1 + 0) / (4 + 1)
}

TEST(MeasureTensor, PsnrUsesTheGivenDataRange) {
  const std::vector<float> r = {0, 1, 2, 3}, t = {0, 1, 2, 4};  // MSE = 1/4, own range 3
  EXPECT_NEAR(measure_tensor(r, t, {4}, {}).psnr_db, 10.0 * std::log10(9.0 / 0.25), 1e-12);
  MetricOptions o;
  o.data_range = 1.0;
  const TensorMetrics m = measure_tensor(r, t, {4}, o);
  EXPECT_NEAR(m.psnr_db, 10.0 * std::log10(4.0), 1e-12);
  EXPECT_EQ(m.data_range, 1.0);
}

TEST(Summarize, MeansWorstSamplesAndPooledTopk) {
  OutputComparison out;
  TensorMetrics a, b, c;
  a.cosine = 0.99, a.sqnr_db = 30, a.psnr_db = 40, a.max_abs_error = 0.5, a.mean_abs_error = 0.1;
  b.cosine = 0.95, b.sqnr_db = 20, b.psnr_db = 45, b.max_abs_error = 0.2, b.mean_abs_error = 0.3;
  c.cosine = 1.00, c.sqnr_db = kInf, c.psnr_db = 35, c.max_abs_error = 0.0, c.mean_abs_error = 0.2;
  a.rows = 4, a.top1_hits = 3, a.topk_hits = 4, a.k = 5;
  b.rows = 4, b.top1_hits = 2, b.topk_hits = 3, b.k = 5;
  out.samples = {a, b, c};
  const OutputSummary s = summarize(out);
  EXPECT_NEAR(s.cosine.mean, (0.99 + 0.95 + 1.0) / 3, 1e-12);
  EXPECT_EQ(s.cosine.worst, 0.95);
  EXPECT_EQ(s.cosine.worst_sample, 1);
  EXPECT_EQ(s.sqnr_db.mean, kInf);
  EXPECT_EQ(s.sqnr_db.worst, 20);
  EXPECT_EQ(s.psnr_db.worst, 35);
  EXPECT_EQ(s.psnr_db.worst_sample, 2);
  EXPECT_EQ(s.max_abs_error, 0.5);
  EXPECT_NEAR(s.mean_abs_error, 0.2, 1e-12);
  ASSERT_TRUE(s.top1 && s.topk);
  EXPECT_EQ(*s.top1, 5.0 / 8.0);
  EXPECT_EQ(*s.topk, 7.0 / 8.0);
  EXPECT_EQ(s.k, 5);
}

TEST(Summarize, NanIsTheWorstSample) {
  OutputComparison out;
  TensorMetrics a, b;
  a.cosine = 0.9;
  b.cosine = std::nan("");
  out.samples = {a, b};
  const OutputSummary s = summarize(out);
  EXPECT_TRUE(std::isnan(s.cosine.worst));
  EXPECT_EQ(s.cosine.worst_sample, 1);
  EXPECT_FALSE(s.top1.has_value());
}

TEST(AddOutputSample, DifferentShapesAreAnError) {
  OutputComparison out;
  try {
    add_output_sample(out, Tensor(DataType::kFloat32, {1, 4}), Tensor(DataType::kFloat32, {1, 5}), {}, "output 'y' of sample 0002");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidData);
    EXPECT_NE(e.message().find("output 'y' of sample 0002"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("1x5"), std::string::npos) << e.message();
  }
}

TEST(AddOutputSample, ComparesIntegerOutputsAsFloats) {
  OutputComparison out;
  const Tensor ref = Tensor::from_vector<uint8_t>({10, 20}, {2});
  const Tensor test = Tensor::from_vector<uint8_t>({10, 22}, {2});
  add_output_sample(out, ref, test, {}, "u8");
  ASSERT_EQ(out.samples.size(), 1u);
  EXPECT_EQ(out.samples[0].max_abs_error, 2.0);
  EXPECT_NEAR(out.samples[0].sqnr_db, 10.0 * std::log10(500.0 / 4.0), 1e-12);
  EXPECT_EQ(out.shape, Shape({2}));
}

}  // namespace
}  // namespace ptqc
