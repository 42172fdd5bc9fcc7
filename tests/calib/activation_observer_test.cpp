#include <gtest/gtest.h>

#include "calib/calib_test_util.h"
#include "calib/range_algorithms.h"

using namespace ptqc;

namespace {

std::vector<RangeAlgorithmConfig> every_config() {
  std::vector<RangeAlgorithmConfig> out;
  for (const auto algorithm : {ActivationAlgorithm::kMinMax, ActivationAlgorithm::kPercentile, ActivationAlgorithm::kIfmr,
                               ActivationAlgorithm::kHfmg}) {
    for (const bool asymmetric : {true, false}) {
      RangeAlgorithmConfig c = test::algorithm_config(algorithm, asymmetric);
      c.num_bins = 1024;
      out.push_back(c);
      if (algorithm == ActivationAlgorithm::kHfmg) {
        c.objective = HistogramObjective::kKl;
        out.push_back(c);
      }
    }
  }
  return out;
}

TEST(ActivationObserver, BatchOrderDoesNotChangeTheRange) {
  std::vector<std::vector<float>> batches;
  for (uint32_t k = 0; k < 5; ++k) batches.push_back(test::laplace_samples(20000, 60 + k, 0.5 * (k + 1)));
  for (const auto& config : every_config()) {
    auto forward = make_activation_observer(config), backward = make_activation_observer(config);
    for (const auto& b : batches) forward->observe(b);
    for (auto it = batches.rbegin(); it != batches.rend(); ++it) backward->observe(*it);
    const ActivationRange f = forward->range(), b = backward->range();
    EXPECT_EQ(f.min, b.min) << static_cast<int>(config.algorithm);
    EXPECT_EQ(f.max, b.max) << static_cast<int>(config.algorithm);
    EXPECT_LT(f.min, 0.0f);
    EXPECT_GT(f.max, 0.0f);
    EXPECT_EQ(forward->range().max, f.max);  // range() has no side effect
  }
}

TEST(ActivationObserver, NothingSeenIsTheEmptyRange) {
  for (const auto& config : every_config()) {
    const ActivationRange r = make_activation_observer(config)->range();
    EXPECT_EQ(r.min, 0.0f);
    EXPECT_EQ(r.max, 0.0f);
  }
}

TEST(ActivationObserver, RejectsNonFiniteValues) {
  auto observer = make_activation_observer(test::algorithm_config(ActivationAlgorithm::kHfmg));
  test::expect_error([&] { observer->observe(std::vector<float>{0.0f, -std::numeric_limits<float>::infinity()}); },
                     ErrorCode::kInvalidData, "NaN or infinite");
}

void expect_invalid(const RangeAlgorithmConfig& config, const std::string& key) {
  test::expect_error([&] { make_activation_observer(config); }, ErrorCode::kInvalidValue, key);
}

TEST(ActivationObserver, RejectsTooFewBins) {
  RangeAlgorithmConfig c = test::algorithm_config(ActivationAlgorithm::kHfmg);
  c.num_bins = 1;
  expect_invalid(c, "num_of_bins");
}

TEST(ActivationObserver, RejectsAPercentileOutOfRange) {
  RangeAlgorithmConfig c = test::algorithm_config(ActivationAlgorithm::kPercentile);
  c.max_percentile = 1.5;
  expect_invalid(c, "max_percentile");
  c.max_percentile = 0.99;
  c.min_percentile = 0.2;
  expect_invalid(c, "min_percentile");
}

TEST(ActivationObserver, RejectsAnEmptySearchRange) {
  RangeAlgorithmConfig c = test::algorithm_config(ActivationAlgorithm::kIfmr);
  c.search_start = 1.3;
  c.search_end = 0.7;
  expect_invalid(c, "search_range");
}

TEST(ActivationObserver, RejectsAZeroOrTinySearchStep) {
  RangeAlgorithmConfig c = test::algorithm_config(ActivationAlgorithm::kIfmr);
  c.search_step = 0.0;
  expect_invalid(c, "search_step");
  c.search_step = 1e-9;
  expect_invalid(c, "search_step");
}

TEST(ActivationObserver, MinMaxIgnoresHistogramParameters) {
  RangeAlgorithmConfig c = test::algorithm_config(ActivationAlgorithm::kMinMax);
  c.num_bins = 0;
  EXPECT_NO_THROW(make_activation_observer(c));
}

}  // namespace
