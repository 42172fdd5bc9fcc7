#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "calib/calib_test_util.h"
#include "calib/range_algorithms.h"

using namespace ptqc;

namespace {

ActivationQuantParams params(float min, float max, bool asymmetric = true) { return activation_quant_params({min, max}, asymmetric); }

TEST(ActivationQuantParams, MinusOneToOne) {
  const ActivationQuantParams p = params(-1.0f, 1.0f);
  EXPECT_EQ(p.scale, static_cast<float>(2.0 / 255.0));
  // The float32 scale_d is 0.0078431377 (above 2/255), so min / scale_d = -127.4999992,
  // which rounds to -127: offset_d = 127 - 128 = -1 (exact arithmetic would give -127.5 -> 0).
  EXPECT_EQ(p.offset, -1);
}

TEST(ActivationQuantParams, ZeroToSixIsAllPositive) {
  const ActivationQuantParams p = params(0.0f, 6.0f);
  EXPECT_EQ(p.scale, static_cast<float>(6.0 / 255.0));
  EXPECT_EQ(p.offset, -128);
}

TEST(ActivationQuantParams, MinusSixToZeroIsAllNegative) {
  const ActivationQuantParams p = params(-6.0f, 0.0f);
  EXPECT_EQ(p.scale, static_cast<float>(6.0 / 255.0));
  EXPECT_EQ(p.offset, 127);  // -round(-6 / scale_d) - 128 = 255 - 128
}

TEST(ActivationQuantParams, SkewedRange) {
  const ActivationQuantParams p = params(-0.5f, 1.5f);
  EXPECT_EQ(p.scale, static_cast<float>(2.0 / 255.0));
  EXPECT_EQ(p.offset, -64);  // -0.5 / scale_d = -63.75 -> -64; 64 - 128
}

TEST(ActivationQuantParams, RangeWithoutZeroIsWidened) {
  const ActivationQuantParams pos = params(2.0f, 5.0f);  // -> [0, 5]
  EXPECT_EQ(pos.scale, static_cast<float>(5.0 / 255.0));
  EXPECT_EQ(pos.offset, -128);
  const ActivationQuantParams neg = params(-5.0f, -2.0f);  // -> [-5, 0]
  EXPECT_EQ(neg.scale, static_cast<float>(5.0 / 255.0));
  EXPECT_EQ(neg.offset, 127);
}

TEST(ActivationQuantParams, EmptyRangeGetsScaleOne) {
  EXPECT_EQ(params(0.0f, 0.0f).scale, 1.0f);
  EXPECT_EQ(params(0.0f, 0.0f).offset, -128);
  EXPECT_EQ(params(0.0f, 0.0f, false).scale, 1.0f);
  EXPECT_EQ(params(0.0f, 0.0f, false).offset, 0);
}

TEST(ActivationQuantParams, TinyRangeKeepsAFiniteReciprocal) {
  const ActivationQuantParams p = params(0.0f, 1e-38f);
  EXPECT_EQ(p.scale, std::numeric_limits<float>::min());
  EXPECT_TRUE(std::isfinite(1.0f / p.scale));
  EXPECT_EQ(p.offset, -128);
}

TEST(ActivationQuantParams, SymmetricUsesAOver127AndOffsetZero) {
  EXPECT_EQ(params(-1.0f, 1.0f, false).scale, static_cast<float>(1.0 / 127.0));
  EXPECT_EQ(params(-1.0f, 1.0f, false).offset, 0);
  EXPECT_EQ(params(-3.0f, 1.0f, false).scale, static_cast<float>(3.0 / 127.0));
  EXPECT_EQ(params(0.5f, 2.0f, false).scale, static_cast<float>(2.0 / 127.0));
  EXPECT_EQ(params(0.5f, 2.0f, false).offset, 0);
}

TEST(ActivationQuantParams, RepresentableRangeCoversTheRange) {
  // For ranges of every shape: offset_d in [-128, 127], and the grid
  // [(-128 - offset_d) scale_d, (127 - offset_d) scale_d] reaches min and max to within scale_d / 2.
  const float ends[] = {-1000.0f, -3.7f, -1.0f, -0.01f, 0.0f, 1e-3f, 0.3f, 1.0f, 6.0f, 255.0f, 1e6f};
  for (const float min : ends) {
    for (const float max : ends) {
      if (min > max) continue;
      for (const bool asymmetric : {true, false}) {
        const ActivationQuantParams p = params(min, max, asymmetric);
        ASSERT_GE(p.offset, -128);
        ASSERT_LE(p.offset, 127);
        const double s = p.scale, lo = (-128.0 - p.offset) * s, hi = (127.0 - p.offset) * s;
        EXPECT_LE(lo, std::min(min, 0.0f) + s / 2 + 1e-12) << min << " " << max << " " << asymmetric;
        EXPECT_GE(hi, std::max(max, 0.0f) - s / 2 - 1e-12) << min << " " << max << " " << asymmetric;
      }
    }
  }
}

TEST(ActivationQuantParams, RejectsNonFiniteRange) {
  test::expect_error([] { params(std::nanf(""), 1.0f); }, ErrorCode::kInvalidValue, "activation range [nan, 1.000000]");
}

TEST(ActivationQuantParams, RejectsMinAboveMax) {
  test::expect_error([] { params(2.0f, 1.0f); }, ErrorCode::kInvalidValue, "min <= max");
}

}  // namespace
