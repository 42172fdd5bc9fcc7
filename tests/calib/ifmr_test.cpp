#include <gtest/gtest.h>

#include <cmath>

#include "calib/calib_test_util.h"
#include "calib/quantization_error.h"
#include "calib/range_rules.h"

using namespace ptqc;

namespace {

RangeAlgorithmConfig ifmr_config(bool asymmetric = true) { return test::algorithm_config(ActivationAlgorithm::kIfmr, asymmetric); }

std::vector<float> gaussian_with_outliers() {
  auto v = test::gaussian_samples(1000000, 31);
  v.insert(v.end(), {60.0f, 45.0f, -80.0f});
  return v;
}

TEST(Ifmr, PercentileStartDropsRareOutliersAndTheSearchBeatsMinMax) {
  const auto v = gaussian_with_outliers();
  Histogram h(4096);
  h.add(v);
  RangeAlgorithmConfig c = ifmr_config();
  c.max_percentile = c.min_percentile = 0.99999;  // 10 values per tail: more than the outliers
  for (const bool asymmetric : {true, false}) {
    c.asymmetric = asymmetric;
    const ActivationRange r = ifmr_range(h, c);
    EXPECT_LT(r.max, 10.0f);
    EXPECT_GT(r.min, -10.0f);
    EXPECT_GT(r.max, 2.0f);
    // The three clipped outliers alone cost about (55^2 + 40^2 + 75^2) / 1e6 = 0.0104.
    const ActivationRange minmax = asymmetric ? h.observed() : symmetric_range(h.observed());
    EXPECT_LT(test::fake_quant_mse(v, r, asymmetric), 0.5 * test::fake_quant_mse(v, minmax, asymmetric));
  }
}

TEST(Ifmr, DefaultPercentileKeepsTwoOutliersButTheSearchStillShrinksTheClip) {
  // 0.999999 of 1e6 leaves one value above the start: the 45 and 60 outliers set it near 45,
  // and the grid can only shrink it to 0.7 * 45.
  const auto v = gaussian_with_outliers();
  Histogram h(4096);
  h.add(v);
  for (const bool asymmetric : {true, false}) {
    const ActivationRange r = ifmr_range(h, ifmr_config(asymmetric));
    EXPECT_LT(r.max, 0.75f * 45.0f);
    const ActivationRange minmax = asymmetric ? h.observed() : symmetric_range(h.observed());
    EXPECT_LT(test::fake_quant_mse(v, r, asymmetric), 0.5 * test::fake_quant_mse(v, minmax, asymmetric));
  }
}

TEST(Ifmr, PicksTheBestFactorOfTheGrid) {
  const auto v = test::laplace_samples(200000, 32);
  Histogram h(2048);
  h.add(v);
  RangeAlgorithmConfig c = ifmr_config();
  c.max_percentile = c.min_percentile = 0.9999;
  const ActivationRange r = ifmr_range(h, c);
  const ActivationRange start{static_cast<float>(h.quantile(1e-4)), static_cast<float>(h.quantile(0.9999))};
  // The result is start * f for a grid factor f, and no grid factor has a lower estimated MSE.
  const double f = r.max / start.max;
  EXPECT_NEAR(f, std::round(f * 100.0) / 100.0, 1e-5);
  EXPECT_NEAR(r.min, start.min * f, 1e-4);
  const QuantizationErrorEstimate error(h);
  const double best = error.mse(r, true);
  for (int k = 0; k <= 60; ++k) {
    const double g = 0.7 + 0.01 * k;
    EXPECT_LE(best, error.mse({static_cast<float>(start.min * g), static_cast<float>(start.max * g)}, true)) << g;
  }
}

TEST(Ifmr, SingleFactorGridReturnsThePercentileStart) {
  Histogram h(1024);
  h.add(test::uniform_samples(100000, 33, 0.5, 4.0));
  RangeAlgorithmConfig c = ifmr_config();
  c.search_start = c.search_end = 1.0;
  const ActivationRange r = ifmr_range(h, c);
  EXPECT_EQ(r.min, 0.0f);  // the start is widened to contain 0
  EXPECT_FLOAT_EQ(r.max, static_cast<float>(h.quantile(c.max_percentile)));
}

TEST(Ifmr, SymmetricResultIsSymmetric) {
  Histogram h(4096);
  h.add(test::uniform_samples(100000, 34, -1.0, 3.0));
  const ActivationRange r = ifmr_range(h, ifmr_config(false));
  EXPECT_EQ(r.min, -r.max);
  EXPECT_GT(r.max, 2.0f);
}

TEST(Ifmr, OnlyZerosGiveTheEmptyRange) {
  Histogram h(1024);
  h.add(std::vector<float>(100, 0.0f));
  const ActivationRange r = ifmr_range(h, ifmr_config());
  EXPECT_EQ(r.min, 0.0f);
  EXPECT_EQ(r.max, 0.0f);
}

}  // namespace
