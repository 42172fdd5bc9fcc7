#include "calib/kl_divergence.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace ptqc;

namespace {

/// KL(P || Q) straight from the definition in kl_divergence.h, bin by bin.
double naive_kl(const std::vector<double>& c, int64_t lo, int64_t hi, int64_t levels) {
  const int64_t w = hi - lo;
  double total = 0.0, in_window = 0.0, left = 0.0, right = 0.0;
  for (int64_t k = 0; k < static_cast<int64_t>(c.size()); ++k) {
    total += c[k];
    if (k < lo) left += c[k];
    if (k >= hi) right += c[k];
    if (k >= lo && k < hi) in_window += c[k];
  }
  std::vector<double> p(c.begin() + lo, c.begin() + hi);
  p.front() += left;
  p.back() += right;
  std::vector<int64_t> level(w);
  std::vector<double> raw(levels, 0.0), nonzero(levels, 0.0);
  for (int64_t t = 0; t < w; ++t) {
    level[t] = ((2 * t + 1) * (levels - 1) + w) / (2 * w);  // round half up of (t + 1/2)(L - 1)/W
    raw[level[t]] += c[lo + t];
    if (p[t] > 0) nonzero[level[t]] += 1;
  }
  double kl = 0.0;
  for (int64_t t = 0; t < w; ++t) {
    if (p[t] == 0) continue;
    const double q = raw[level[t]] > 0 ? raw[level[t]] / nonzero[level[t]] : KlDivergence::kEmptyLevelCount;
    kl += p[t] / total * std::log((p[t] / total) / (q / in_window));
  }
  return kl;
}

TEST(KlDivergence, HandComputedWithoutClipping) {
  // Bins {1, 3, 0, 2} to 2 levels: {1, 3} -> level 0 (Q = 2, 2), {0, 2} -> level 1 (Q = 0, 2).
  const KlDivergence kl({1, 3, 0, 2});
  const double expected = (1.0 * std::log(1.0 / 2.0) + 3.0 * std::log(3.0 / 2.0)) / 6.0;
  EXPECT_NEAR(kl(0, 4, 2), expected, 1e-12);
}

TEST(KlDivergence, ClippedMassCostsDivergence) {
  // Window [1, 3): P = {3 + 1, 0 + 2} / 6; Q = {3, kEmptyLevelCount} / 3.
  const KlDivergence kl({1, 3, 0, 2});
  const double expected = 4.0 / 6.0 * std::log((4.0 / 6.0) / 1.0) + 2.0 / 6.0 * std::log((2.0 / 6.0) / (1e-4 / 3.0));
  EXPECT_NEAR(kl(1, 3, 2), expected, 1e-12);
}

TEST(KlDivergence, MatchesTheDefinitionOnRandomHistograms) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<double> c(300);
    for (auto& v : c) v = rng() % 4 == 0 ? 0.0 : static_cast<double>(rng() % 1000);
    const KlDivergence kl(c);
    for (const int64_t levels : {2, 16, 128}) {
      const int64_t lo = rng() % 100, hi = std::min<int64_t>(300, lo + levels - 1 + rng() % 200);
      EXPECT_NEAR(kl(lo, hi, levels), naive_kl(c, lo, hi, levels), 1e-9) << trial << " " << lo << " " << hi << " " << levels;
    }
  }
}

TEST(KlDivergence, EmptyWindowIsInfinite) {
  const KlDivergence kl({5, 0, 0, 5});
  EXPECT_TRUE(std::isinf(kl(1, 3, 2)));
}

}  // namespace
