#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "calib/calib_test_util.h"
#include "calib/quantization_error.h"
#include "calib/range_rules.h"

using namespace ptqc;

namespace {

RangeAlgorithmConfig hfmg_config(HistogramObjective objective, bool asymmetric = true) {
  RangeAlgorithmConfig c = test::algorithm_config(ActivationAlgorithm::kHfmg, asymmetric);
  c.objective = objective;
  return c;
}

// Laplace(0, 1): P(x > t) = exp(-t) / 2, so the 99th percentile is ln 50 = 3.91 and the
// 99.999th ln 5e4 = 10.82; the largest of 1e6 draws is near ln 5e5 = 13.1.
constexpr float kP99 = 3.91f, kP99999 = 10.82f;

const std::vector<float>& laplace_values() {
  static const std::vector<float> values = test::laplace_samples(1000000, 41);
  return values;
}

const Histogram& laplace_histogram() {
  static const Histogram histogram = [] {
    Histogram h(4096);
    h.add(laplace_values());
    return h;
  }();
  return histogram;
}

TEST(Hfmg, LaplaceClipsBetweenThe99thAnd99999thPercentile) {
  for (const auto objective : {HistogramObjective::kMse, HistogramObjective::kKl}) {
    for (const bool asymmetric : {true, false}) {
      const ActivationRange r = hfmg_range(laplace_histogram(), hfmg_config(objective, asymmetric));
      SCOPED_TRACE(::testing::Message() << "objective " << static_cast<int>(objective) << " asymmetric " << asymmetric << " range ["
                                        << r.min << ", " << r.max << "]");
      EXPECT_GT(r.max, kP99);
      EXPECT_LT(r.max, kP99999);
      EXPECT_LT(r.min, -kP99);
      EXPECT_GT(r.min, -kP99999);
      if (!asymmetric) {
        EXPECT_EQ(r.min, -r.max);
      }
    }
  }
}

TEST(Hfmg, LaplaceMseSearchBeatsMinMax) {
  const ActivationRange r = hfmg_range(laplace_histogram(), hfmg_config(HistogramObjective::kMse));
  EXPECT_LT(test::fake_quant_mse(laplace_values(), r, true), test::fake_quant_mse(laplace_values(), laplace_histogram().observed(), true));
}

TEST(Hfmg, AlternatingMseSearchFindsTheBestWindowOfAllEdgePairs) {
  // Skewed data: a Gaussian shifted right plus a Laplace left tail.
  auto v = test::gaussian_samples(100000, 44, 2.0);
  for (auto& x : v) x += 3.0f;
  const auto tail = test::laplace_samples(20000, 45, 0.7);
  for (const float x : tail) v.push_back(-std::fabs(x));
  Histogram h(1024);
  h.add(v);
  const QuantizationErrorEstimate error(h);
  const ActivationRange found = hfmg_range(h, hfmg_config(HistogramObjective::kMse));
  double best = std::numeric_limits<double>::infinity();
  const ActivationRange observed = h.observed();
  for (int64_t lo = 0; lo <= h.zero_edge(); ++lo) {
    for (int64_t hi = h.zero_edge() + 1; hi <= h.num_bins(); ++hi) {
      const ActivationRange r{std::max(static_cast<float>(h.edge(lo)), observed.min), std::min(static_cast<float>(h.edge(hi)), observed.max)};
      best = std::min(best, error.mse(r, true));
    }
  }
  EXPECT_LE(error.mse(found, true), best * (1.0 + 1e-9));
}

TEST(Hfmg, NonNegativeValuesKeepZeroAsTheLowerBound) {
  // ReLU-like: half zeros, half exponential.
  auto v = test::laplace_samples(400000, 42);
  for (auto& x : v) x = std::max(x, 0.0f);
  Histogram h(2048);
  h.add(v);
  for (const auto objective : {HistogramObjective::kMse, HistogramObjective::kKl}) {
    const ActivationRange r = hfmg_range(h, hfmg_config(objective));
    EXPECT_EQ(r.min, 0.0f);
    EXPECT_GT(r.max, 3.0f);
    EXPECT_LE(r.max, h.observed().max);
  }
}

TEST(Hfmg, NeverExceedsTheObservedRange) {
  Histogram h(1024);
  h.add(test::uniform_samples(100000, 43, -0.3, 2.0));
  for (const auto objective : {HistogramObjective::kMse, HistogramObjective::kKl}) {
    const ActivationRange r = hfmg_range(h, hfmg_config(objective));
    EXPECT_GE(r.min, h.observed().min);
    EXPECT_LE(r.max, h.observed().max);
    // Uniform data: nothing is worth clipping much.
    EXPECT_GT(r.max, 1.9f);
  }
}

TEST(Hfmg, TooFewBinsForKlKeepTheFullRange) {
  Histogram h(64);  // the data span fewer bins than the 255 steps of a KL window
  h.add(std::vector<float>{-1.0f, 0.5f, 2.0f});
  const ActivationRange r = hfmg_range(h, hfmg_config(HistogramObjective::kKl));
  EXPECT_EQ(r.min, -1.0f);
  EXPECT_EQ(r.max, 2.0f);
}

TEST(Hfmg, OnlyZerosGiveTheEmptyRange) {
  Histogram h(1024);
  h.add(std::vector<float>(10, 0.0f));
  const ActivationRange r = hfmg_range(h, hfmg_config(HistogramObjective::kKl));
  EXPECT_EQ(r.min, 0.0f);
  EXPECT_EQ(r.max, 0.0f);
}

}  // namespace
