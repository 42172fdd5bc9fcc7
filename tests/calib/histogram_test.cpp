#include "calib/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "calib/calib_test_util.h"

using namespace ptqc;

namespace {

std::vector<uint64_t> counts(std::initializer_list<uint64_t> c) { return c; }

void expect_same(const Histogram& a, const Histogram& b) {
  EXPECT_EQ(a.bin_width(), b.bin_width());
  EXPECT_EQ(a.zero_edge(), b.zero_edge());
  EXPECT_EQ(a.counts(), b.counts());
  EXPECT_EQ(a.zero_count(), b.zero_count());
  EXPECT_EQ(a.total_count(), b.total_count());
  EXPECT_EQ(a.observed().min, b.observed().min);
  EXPECT_EQ(a.observed().max, b.observed().max);
}

TEST(Histogram, BinsByPowerOfTwoWidthWithZeroAnEdge) {
  Histogram h(8);
  const std::vector<float> v = {1.0f, 2.0f, 3.0f, 0.0f, 0.0f, -1.0f};
  h.add(v);
  // Extent [-1, 3]: w = 0.5 needs floor(3/0.5) - floor(-1/0.5) = 8 bins (too many), w = 1 needs 4.
  EXPECT_EQ(h.bin_width(), 1.0);
  EXPECT_EQ(h.edge(0), -1.0);
  EXPECT_EQ(h.zero_edge(), 1);
  EXPECT_EQ(h.counts(), counts({1, 0, 1, 1, 1, 0, 0, 0}));
  EXPECT_EQ(h.zero_count(), 2u);
  EXPECT_EQ(h.total_count(), 6u);
  EXPECT_EQ(h.observed().min, -1.0f);
  EXPECT_EQ(h.observed().max, 3.0f);
}

TEST(Histogram, GrowsByDoublingTheWidth) {
  Histogram h(8);
  h.add(std::vector<float>{1.0f, 2.0f, 3.0f});
  EXPECT_EQ(h.bin_width(), 0.5);  // [0, 3]: floor(3 / 0.5) = 6 < 8 bins
  EXPECT_EQ(h.counts(), counts({0, 0, 1, 0, 1, 0, 1, 0}));
  h.add(std::vector<float>{10.0f});
  // [0, 10] needs w = 2: bins [0,2) [2,4) ... ; 1 -> 0, 2 and 3 -> 1, 10 -> 5.
  EXPECT_EQ(h.bin_width(), 2.0);
  EXPECT_EQ(h.counts(), counts({1, 2, 0, 0, 0, 1, 0, 0}));
  h.add(std::vector<float>{-3.0f});
  // [-3, 10] still fits w = 2 (floor(5) - floor(-1.5) = 7 < 8): the window shifts one bin left.
  EXPECT_EQ(h.bin_width(), 2.0);
  EXPECT_EQ(h.edge(0), -4.0);
  EXPECT_EQ(h.counts(), counts({1, 0, 1, 2, 0, 0, 0, 1}));
}

TEST(Histogram, OnlyZerosNeedNoBins) {
  Histogram h(16);
  h.add(std::vector<float>(5, 0.0f));
  EXPECT_EQ(h.bin_width(), 0.0);
  EXPECT_EQ(h.zero_count(), 5u);
  EXPECT_EQ(h.quantile(0.9), 0.0);
  h.add(std::vector<float>{4.0f});
  EXPECT_GT(h.bin_width(), 0.0);
  EXPECT_EQ(h.zero_count(), 5u);
  EXPECT_EQ(h.nonzero_count(), 1u);
}

TEST(Histogram, MergedBatchesEqualOneShotAndBatchOrderDoesNotMatter) {
  // Batches of growing spread force several re-binnings; the result is identical, bin for bin,
  // to one add() of all values and to the batches in reverse order.
  std::vector<std::vector<float>> batches;
  for (uint32_t k = 0; k < 6; ++k) batches.push_back(test::gaussian_samples(20000, 100 + k, std::pow(4.0, k)));
  batches[2].push_back(0.0f);
  batches[4].push_back(-7000.0f);
  Histogram forward(1024), backward(1024), one_shot(1024);
  std::vector<float> all;
  for (const auto& b : batches) {
    forward.add(b);
    all.insert(all.end(), b.begin(), b.end());
  }
  for (auto it = batches.rbegin(); it != batches.rend(); ++it) backward.add(*it);
  one_shot.add(all);
  expect_same(forward, one_shot);
  expect_same(backward, one_shot);
  // w is the smallest power of two that fits, so the values (which straddle 0) span more than
  // (num_bins - 1) / 2 bins: w / 2 would have needed num_bins or more.
  const double span = one_shot.observed().max - one_shot.observed().min;
  EXPECT_GT(span / one_shot.bin_width(), (1024 - 1) / 2.0);
  EXPECT_LE(span / one_shot.bin_width(), 1024.0);
}

TEST(Histogram, QuantileInterpolatesInsideABin) {
  Histogram h(4);
  h.add(std::vector<float>{1.0f, 1.0f, 3.0f, 3.0f});  // w = 1: bin [1,2) and bin [3,4) hold 2 each
  EXPECT_EQ(h.bin_width(), 1.0);
  EXPECT_DOUBLE_EQ(h.quantile(0.25), 1.5);  // one value of bin [1, 2): halfway through it
  EXPECT_DOUBLE_EQ(h.quantile(0.5), 2.0);
  EXPECT_DOUBLE_EQ(h.quantile(0.0), 1.0);   // clamped to the observed min
  EXPECT_DOUBLE_EQ(h.quantile(0.75), 3.0);  // 3.5, clamped to the observed max
}

TEST(Histogram, QuantileSeesZerosAsAPointMass) {
  Histogram h(4);
  h.add(std::vector<float>{-2.0f, 0.0f, 0.0f, 1.0f});  // w = 1, bins [-2,-1) [-1,0) [0,1) [1,2)
  EXPECT_DOUBLE_EQ(h.quantile(0.25), -1.0);  // all of bin [-2, -1)
  EXPECT_DOUBLE_EQ(h.quantile(0.5), 0.0);
  EXPECT_DOUBLE_EQ(h.quantile(0.75), 0.0);
  EXPECT_DOUBLE_EQ(h.quantile(0.875), 1.0);  // 1.5 inside bin [1, 2), clamped to the max 1
}

TEST(Histogram, QuantileOfAUniformSampleWithinABin) {
  Histogram h(2048);
  const auto v = test::uniform_samples(1000000, 7, -1.0, 3.0);
  h.add(v);
  for (const double p : {0.001, 0.1, 0.5, 0.9, 0.999}) EXPECT_NEAR(h.quantile(p), -1.0 + 4.0 * p, h.bin_width()) << p;
}

TEST(Histogram, RejectsNonFiniteValues) {
  Histogram h(16);
  test::expect_error([&] { h.add(std::vector<float>{1.0f, std::numeric_limits<float>::infinity()}); }, ErrorCode::kInvalidData,
                     "element 1 of 2");
}

}  // namespace
