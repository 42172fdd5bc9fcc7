#include <gtest/gtest.h>

#include <cmath>

#include "calib/calib_test_util.h"
#include "calib/range_rules.h"

using namespace ptqc;

namespace {

TEST(MinMax, ExactExtremesOverAllBatches) {
  auto observer = make_minmax_observer(true);
  observer->observe(std::vector<float>{0.5f, -0.25f, 3.0f});
  observer->observe(std::vector<float>{});
  observer->observe(std::vector<float>{-1.75f, 2.0f});
  EXPECT_EQ(observer->range().min, -1.75f);
  EXPECT_EQ(observer->range().max, 3.0f);
}

TEST(MinMax, KeepsARangeWithoutZeroAsObserved) {
  // Widening to 0 is activation_quant_params' job; the observer reports what it saw.
  auto observer = make_minmax_observer(true);
  observer->observe(std::vector<float>{2.0f, 5.0f});
  EXPECT_EQ(observer->range().min, 2.0f);
  EXPECT_EQ(observer->range().max, 5.0f);
}

TEST(MinMax, SymmetricRangeUsesTheLargerMagnitude) {
  auto observer = make_minmax_observer(false);
  observer->observe(std::vector<float>{-4.0f, 1.0f});
  EXPECT_EQ(observer->range().min, -4.0f);
  EXPECT_EQ(observer->range().max, 4.0f);
}

TEST(MinMax, NothingSeenIsTheEmptyRange) {
  auto observer = make_minmax_observer(true);
  EXPECT_EQ(observer->range().min, 0.0f);
  EXPECT_EQ(observer->range().max, 0.0f);
}

TEST(MinMax, RejectsNaN) {
  auto observer = make_minmax_observer(true);
  test::expect_error([&] { observer->observe(std::vector<float>{std::nanf("")}); }, ErrorCode::kInvalidData, "NaN or infinite");
}

}  // namespace
