#include "calib/quantization_error.h"

#include <gtest/gtest.h>

#include "calib/calib_test_util.h"

using namespace ptqc;

namespace {

TEST(QuantizationErrorEstimate, HandComputedClipAndRounding) {
  Histogram h(4);
  // w = 1: 2 values read as spread over [1, 2); 2 over bin [3, 4) clamped to the max: [3, 3.5].
  h.add(std::vector<float>{1.0f, 1.0f, 3.0f, 3.5f});
  const QuantizationErrorEstimate error(h);
  // Range [0, 2.55]: scale_d = 0.01, offset_d = -128, grid [0, 2.55].
  const double s = static_cast<float>(2.55 / 255.0), hi = 255.0 * s;
  // [1, 2) is inside: 2 s^2 / 12. [3, 3.5] is clipped to hi: 2 ((3.25 - hi)^2 + 0.5^2 / 12).
  const double clipped = 2.0 * (std::pow(3.25 - hi, 2) + 0.25 / 12.0);
  const double expected = (clipped + 2.0 * s * s / 12.0) / 4.0;
  EXPECT_NEAR(error.mse({0.0f, 2.55f}, true), expected, 1e-9);
}

TEST(QuantizationErrorEstimate, CutBinContributesItsPartBeyondTheCut) {
  Histogram h(4);
  h.add(std::vector<float>{-1.0f, 2.0f, 2.75f});  // w = 1: [-1, 0) holds 1, [2, 3) holds 2 over [2, 2.75]
  const QuantizationErrorEstimate error(h);
  // Range [-0.5, 2.5]: scale_d = 3/255 (float 0.0117647061), -0.5 / scale_d = -42.4999992 -> offset_d = 42 - 128.
  const double s = static_cast<float>(3.0 / 255.0);
  const int offset = -86;
  const double lo = (-128.0 - offset) * s, hi = (127.0 - offset) * s;
  const double density = 2.0 / 0.75;
  const double below = std::pow(lo - (-1.0), 3) / 3.0;              // ∫_{-1}^{lo} (x - lo)^2 dx, density 1
  const double above = density * std::pow(2.75 - hi, 3) / 3.0;      // ∫_{hi}^{2.75} (x - hi)^2 density dx
  const double inside = -lo + density * (hi - 2.0);
  EXPECT_NEAR(error.mse({-0.5f, 2.5f}, true), (below + above + inside * s * s / 12.0) / 3.0, 1e-9);
}

TEST(QuantizationErrorEstimate, ValueAtTheMaxIsNotSpreadAboveIt) {
  Histogram h(64);
  h.add(std::vector<float>{0.5f, 1.0f});  // w = 1/32: 1.0 starts bin [1, 1 + 1/32), clamped to [1, 1]
  const QuantizationErrorEstimate error(h);
  const double s = static_cast<float>(1.0 / 255.0);
  EXPECT_NEAR(error.mse({0.0f, 1.0f}, true), 2.0 * s * s / 12.0 / 2.0, 1e-12);
}

TEST(QuantizationErrorEstimate, ZerosAreExact) {
  Histogram h(64);
  std::vector<float> v(1000, 0.0f);
  v.push_back(0.5f);
  h.add(v);
  const QuantizationErrorEstimate error(h);
  const double s = static_cast<float>(1.0 / 255.0);  // the 1000 zeros add nothing
  EXPECT_NEAR(error.mse({0.0f, 1.0f}, true), s * s / 12.0 / 1001.0, 1e-12);
}

TEST(QuantizationErrorEstimate, MatchesTheExactMseOfASample) {
  const auto v = test::gaussian_samples(1000000, 21);
  Histogram h(2048);
  h.add(v);
  const QuantizationErrorEstimate error(h);
  for (const float clip : {1.0f, 2.0f, 3.0f, 4.0f, 5.0f}) {
    for (const bool asymmetric : {true, false}) {
      const ActivationRange r{-clip, clip};
      const double exact = test::fake_quant_mse(v, r, asymmetric);
      EXPECT_NEAR(error.mse(r, asymmetric), exact, 0.02 * exact) << clip << " " << asymmetric;
    }
  }
}

TEST(QuantizationErrorEstimate, EmptyHistogramHasNoError) {
  Histogram h(16);
  EXPECT_EQ(QuantizationErrorEstimate(h).mse({-1.0f, 1.0f}, true), 0.0);
}

}  // namespace
