#include <gtest/gtest.h>

#include "calib/calib_test_util.h"
#include "calib/range_rules.h"

using namespace ptqc;

namespace {

RangeAlgorithmConfig percentile_config(double p, bool asymmetric = true) {
  RangeAlgorithmConfig c = test::algorithm_config(ActivationAlgorithm::kPercentile, asymmetric);
  c.max_percentile = c.min_percentile = p;
  return c;
}

TEST(Percentile, CutsBothTailsOfAHandBuiltHistogram) {
  Histogram h(4);
  h.add(std::vector<float>{-2.0f, -2.0f, 1.0f, 1.0f});  // w = 1: bins [-2,-1) and [1,2) hold 2 each
  const ActivationRange r = percentile_range(h, percentile_config(0.75));
  EXPECT_FLOAT_EQ(r.min, -1.5f);  // Q(0.25): halfway through bin [-2, -1)
  EXPECT_FLOAT_EQ(r.max, 1.0f);   // Q(0.75) = 1.5, clamped to the observed max
}

TEST(Percentile, ClipsOutliersOfAUniformSample) {
  auto v = test::uniform_samples(1000000, 11, -1.0, 1.0);
  v.insert(v.end(), {100.0f, 100.0f, 100.0f, -50.0f, -50.0f});
  Histogram h(4096);
  h.add(v);
  const ActivationRange r = percentile_range(h, percentile_config(0.9999));
  // 1e-4 of the values lie above Q: 100 values, 3 of them outliers, so Q ~ 1 - 2 * 97e-6.
  EXPECT_NEAR(r.max, 1.0 - 2 * 97e-6, h.bin_width());
  EXPECT_NEAR(r.min, -1.0 + 2 * 98e-6, h.bin_width());
}

TEST(Percentile, GaussianQuantile) {
  Histogram h(4096);
  h.add(test::gaussian_samples(1000000, 12));
  const ActivationRange r = percentile_range(h, percentile_config(0.999));
  EXPECT_NEAR(r.max, 3.0902, 0.02);  // the standard normal's 0.999 quantile
  EXPECT_NEAR(r.min, -3.0902, 0.02);
}

TEST(Percentile, OneSidedTailsUseTheirOwnPercentile) {
  Histogram h(4096);
  h.add(test::uniform_samples(1000000, 13, 0.0, 10.0));
  RangeAlgorithmConfig c = percentile_config(0.99);
  c.min_percentile = 0.9;
  const ActivationRange r = percentile_range(h, c);
  EXPECT_NEAR(r.max, 9.9, 0.02);
  EXPECT_NEAR(r.min, 1.0, 0.02);
}

TEST(Percentile, SymmetricUsesTheLargerTail) {
  auto v = test::uniform_samples(1000000, 14, -1.0, 3.0);
  Histogram h(4096);
  h.add(v);
  const ActivationRange r = percentile_range(h, percentile_config(0.99, false));
  EXPECT_EQ(r.min, -r.max);
  EXPECT_NEAR(r.max, 2.96, 0.01);
}

}  // namespace
