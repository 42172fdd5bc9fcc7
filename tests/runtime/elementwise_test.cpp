#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "support/kernel_test_util.h"

namespace ptqc {
namespace {

using kernel_test::error_of;
using kernel_test::int_attr;
using kernel_test::make_node;
using kernel_test::run_node;
using kernel_test::string_attr;
using kernel_test::values_of;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(ElementwiseTest, AddBroadcastsSameShapeScalarAndGeneral) {
  const Tensor a = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3, 1});
  const Tensor b = Tensor::from_vector<float>({10, 20, 30, 40}, {1, 4});
  const Tensor s = Tensor::scalar<float>(0.5f);
  const Node add = make_node("Add", 2);

  EXPECT_EQ(values_of<float>(run_node(add, 14, {&a, &a})), (std::vector<float>{2, 4, 6, 8, 10, 12}));
  EXPECT_EQ(values_of<float>(run_node(add, 14, {&s, &a})), (std::vector<float>{1.5, 2.5, 3.5, 4.5, 5.5, 6.5}));

  const Tensor y = run_node(add, 14, {&a, &b});
  EXPECT_EQ(y.shape(), (Shape{2, 3, 4}));
  // y[i][j][k] = a[i][j] + b[k]
  for (int64_t i = 0; i < 6; ++i) {
    for (int64_t k = 0; k < 4; ++k) EXPECT_EQ(y.data<float>()[i * 4 + k], (i + 1) + 10 * (k + 1));
  }
}

TEST(ElementwiseTest, BigBroadcastIsTheSameOnAnyThreadCount) {
  // NxCxHxW + 1xCx1x1 (a per-channel bias) and NxCxHxW * Nx1xHxW, large enough to split.
  const int64_t n = 2, c = 8, hw = 64 * 64;
  std::vector<float> xs(static_cast<size_t>(n * c * hw)), bias(static_cast<size_t>(c)), mask(static_cast<size_t>(n * hw));
  for (size_t i = 0; i < xs.size(); ++i) xs[i] = static_cast<float>(i % 1000) * 0.25f;
  for (size_t i = 0; i < bias.size(); ++i) bias[i] = static_cast<float>(i) * 100.0f;
  for (size_t i = 0; i < mask.size(); ++i) mask[i] = static_cast<float>(i % 3);
  const Tensor x = Tensor::from_vector(xs, {n, c, 64, 64});
  const Tensor b = Tensor::from_vector(bias, {1, c, 1, 1});
  const Tensor m = Tensor::from_vector(mask, {n, 1, 64, 64});

  const Tensor sum = run_node(make_node("Add", 2), 14, {&x, &b}, 4);
  const Tensor product = run_node(make_node("Mul", 2), 14, {&x, &m}, 4);
  for (int64_t i = 0; i < x.numel(); ++i) {
    const int64_t ch = i / hw % c, batch = i / (c * hw), pixel = i % hw;
    ASSERT_EQ(sum.data<float>()[i], xs[i] + bias[ch]) << i;
    ASSERT_EQ(product.data<float>()[i], xs[i] * mask[batch * hw + pixel]) << i;
  }
  EXPECT_EQ(values_of<float>(run_node(make_node("Add", 2), 14, {&x, &b}, 1)), values_of<float>(sum));
}

TEST(ElementwiseTest, IntegerDivTruncatesAndWraps) {
  const int32_t min = std::numeric_limits<int32_t>::min();
  const Tensor a = Tensor::from_vector<int32_t>({-7, 7, 7, min}, {4});
  const Tensor b = Tensor::from_vector<int32_t>({2, -2, 3, -1}, {4});
  EXPECT_EQ(values_of<int32_t>(run_node(make_node("Div", 2), 14, {&a, &b})), (std::vector<int32_t>{-3, -3, 2, min}));

  const Tensor u = Tensor::from_vector<uint8_t>({250, 3}, {2});
  const Tensor v = Tensor::from_vector<uint8_t>({10, 5}, {2});
  EXPECT_EQ(values_of<uint8_t>(run_node(make_node("Add", 2), 14, {&u, &v})), (std::vector<uint8_t>{4, 8}));
  EXPECT_EQ(values_of<uint8_t>(run_node(make_node("Sub", 2), 14, {&u, &v})), (std::vector<uint8_t>{240, 254}));
}

TEST(ElementwiseTest, IntegerDivisionByZeroFails) {
  const Tensor a = Tensor::from_vector<int64_t>({1, 2}, {2});
  const Tensor zero = Tensor::from_vector<int64_t>({1, 0}, {2});
  EXPECT_EQ(error_of(make_node("Div", 2), 14, {&a, &zero}), ErrorCode::kInvalidModel);
  EXPECT_EQ(error_of(make_node("Mod", 2), 13, {&a, &zero}), ErrorCode::kInvalidModel);
}

TEST(ElementwiseTest, ModTakesTheSignFromDivisorOrDividend) {
  const Tensor a = Tensor::from_vector<int32_t>({-4, 7, 5, -3}, {4});
  const Tensor b = Tensor::from_vector<int32_t>({3, -3, 2, -8}, {4});
  Node mod = make_node("Mod", 2);
  // Python %: -4 % 3 = 2, 7 % -3 = -2, 5 % 2 = 1, -3 % -8 = -3.
  EXPECT_EQ(values_of<int32_t>(run_node(mod, 13, {&a, &b})), (std::vector<int32_t>{2, -2, 1, -3}));
  mod.attrs["fmod"] = int_attr(1);
  EXPECT_EQ(values_of<int32_t>(run_node(mod, 13, {&a, &b})), (std::vector<int32_t>{-1, 1, 1, -3}));

  const Tensor x = Tensor::from_vector<float>({-4.5f, 7.5f}, {2});
  const Tensor y = Tensor::from_vector<float>({2.0f, -2.0f}, {2});
  EXPECT_EQ(values_of<float>(run_node(mod, 13, {&x, &y})), (std::vector<float>{-0.5f, 1.5f}));
  mod.attrs["fmod"] = int_attr(0);
  EXPECT_EQ(error_of(mod, 13, {&x, &y}), ErrorCode::kInvalidModel);
}

TEST(ElementwiseTest, PowKeepsTheBaseType) {
  const Tensor ib = Tensor::from_vector<int32_t>({2, 3, -2}, {3});
  const Tensor fe = Tensor::from_vector<float>({3.0f, 0.5f, 3.0f}, {3});
  const Tensor y = run_node(make_node("Pow", 2), 15, {&ib, &fe});
  ASSERT_EQ(y.dtype(), DataType::kInt32);
  EXPECT_EQ(values_of<int32_t>(y), (std::vector<int32_t>{8, 1, -8}));  // 3^0.5 = 1.73 truncates to 1

  const Tensor fb = Tensor::from_vector<float>({2.0f, 9.0f}, {2});
  const Tensor ie = Tensor::from_vector<int64_t>({-1, 2}, {2});
  EXPECT_EQ(values_of<float>(run_node(make_node("Pow", 2), 15, {&fb, &ie})), (std::vector<float>{0.5f, 81.0f}));
}

TEST(ElementwiseTest, VariadicMaxMinSumMeanBroadcast) {
  const Tensor a = Tensor::from_vector<float>({1, 5, 3}, {3});
  const Tensor b = Tensor::from_vector<float>({4, 2, kNaN}, {3});
  const Tensor c = Tensor::scalar<float>(3.0f);
  const std::vector<float> max = values_of<float>(run_node(make_node("Max", 3), 13, {&a, &b, &c}));
  EXPECT_EQ(max[0], 4.0f);
  EXPECT_EQ(max[1], 5.0f);
  EXPECT_TRUE(std::isnan(max[2]));
  EXPECT_EQ(values_of<float>(run_node(make_node("Min", 2), 13, {&a, &c})), (std::vector<float>{1, 3, 3}));
  EXPECT_EQ(values_of<float>(run_node(make_node("Sum", 2), 13, {&a, &c})), (std::vector<float>{4, 8, 6}));
  EXPECT_EQ(values_of<float>(run_node(make_node("Mean", 2), 13, {&a, &c})), (std::vector<float>{2, 4, 3}));
  EXPECT_EQ(values_of<float>(run_node(make_node("Max", 1), 13, {&a})), (std::vector<float>{1, 5, 3}));

  const Tensor i = Tensor::from_vector<int16_t>({-7, 9}, {2});
  const Tensor j = Tensor::from_vector<int16_t>({3, 3}, {2});
  EXPECT_EQ(values_of<int16_t>(run_node(make_node("Max", 2), 13, {&i, &j})), (std::vector<int16_t>{3, 9}));
}

TEST(ElementwiseTest, ComparisonsAndLogicGiveBool) {
  const Tensor a = Tensor::from_vector<int64_t>({1, 2, 3}, {3});
  const Tensor two = Tensor::scalar<int64_t>(2);
  const Tensor lt = run_node(make_node("Less", 2), 13, {&a, &two});
  ASSERT_EQ(lt.dtype(), DataType::kBool);
  EXPECT_EQ(values_of<bool>(lt), (std::vector<bool>{true, false, false}));
  EXPECT_EQ(values_of<bool>(run_node(make_node("GreaterOrEqual", 2), 16, {&a, &two})),
            (std::vector<bool>{false, true, true}));
  EXPECT_EQ(values_of<bool>(run_node(make_node("Equal", 2), 13, {&a, &two})), (std::vector<bool>{false, true, false}));

  const Tensor p = Tensor::from_vector<bool>({true, true, false, false}, {2, 2});
  const Tensor q = Tensor::from_vector<bool>({true, false}, {2});
  EXPECT_EQ(values_of<bool>(run_node(make_node("And", 2), 7, {&p, &q})), (std::vector<bool>{true, false, false, false}));
  EXPECT_EQ(values_of<bool>(run_node(make_node("Xor", 2), 7, {&p, &q})), (std::vector<bool>{false, true, true, false}));
  EXPECT_EQ(values_of<bool>(run_node(make_node("Not", 1), 7, {&q})), (std::vector<bool>{false, true}));
  EXPECT_EQ(error_of(make_node("And", 2), 7, {&a, &a}), ErrorCode::kInvalidModel);
}

TEST(ElementwiseTest, WhereBroadcastsAllThreeInputs) {
  const Tensor cond = Tensor::from_vector<bool>({true, false}, {2, 1});
  const Tensor x = Tensor::from_vector<int32_t>({1, 2, 3}, {3});
  const Tensor y = Tensor::scalar<int32_t>(-1);
  const Tensor out = run_node(make_node("Where", 3), 16, {&cond, &x, &y});
  EXPECT_EQ(out.shape(), (Shape{2, 3}));
  EXPECT_EQ(values_of<int32_t>(out), (std::vector<int32_t>{1, 2, 3, -1, -1, -1}));
}

TEST(ElementwiseTest, UnaryMath) {
  const Tensor halves = Tensor::from_vector<float>({0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.6f}, {6});
  EXPECT_EQ(values_of<float>(run_node(make_node("Round", 1), 11, {&halves})),
            (std::vector<float>{0, 2, 2, -0.0f, -2, 3}));
  EXPECT_EQ(values_of<float>(run_node(make_node("Floor", 1), 13, {&halves})),
            (std::vector<float>{0, 1, 2, -1, -2, 2}));

  const Tensor x = Tensor::from_vector<float>({4.0f, 0.25f}, {2});
  EXPECT_EQ(values_of<float>(run_node(make_node("Sqrt", 1), 13, {&x})), (std::vector<float>{2.0f, 0.5f}));
  EXPECT_EQ(values_of<float>(run_node(make_node("Reciprocal", 1), 13, {&x})), (std::vector<float>{0.25f, 4.0f}));
  EXPECT_NEAR(run_node(make_node("Erf", 1), 13, {&x}).data<float>()[1], 0.2763264f, 1e-6f);

  const Tensor i8 = Tensor::from_vector<int8_t>({-128, -3, 0, 5}, {4});
  EXPECT_EQ(values_of<int8_t>(run_node(make_node("Abs", 1), 13, {&i8})), (std::vector<int8_t>{-128, 3, 0, 5}));
  EXPECT_EQ(values_of<int8_t>(run_node(make_node("Neg", 1), 13, {&i8})), (std::vector<int8_t>{-128, 3, 0, -5}));
  EXPECT_EQ(values_of<int8_t>(run_node(make_node("Sign", 1), 13, {&i8})), (std::vector<int8_t>{-1, -1, 0, 1}));
  EXPECT_EQ(error_of(make_node("Sqrt", 1), 13, {&i8}), ErrorCode::kUnsupportedOp);
}

TEST(ElementwiseTest, IsInfHonoursItsDetectFlags) {
  const Tensor x = Tensor::from_vector<float>({kInf, -kInf, kNaN, 1.0f}, {4});
  Node is_inf = make_node("IsInf", 1);
  EXPECT_EQ(values_of<bool>(run_node(is_inf, 10, {&x})), (std::vector<bool>{true, true, false, false}));
  is_inf.attrs["detect_positive"] = int_attr(0);
  EXPECT_EQ(values_of<bool>(run_node(is_inf, 10, {&x})), (std::vector<bool>{false, true, false, false}));
  EXPECT_EQ(values_of<bool>(run_node(make_node("IsNaN", 1), 13, {&x})), (std::vector<bool>{false, false, true, false}));
}

TEST(ElementwiseTest, CastConvertsIncludingHalfPrecision) {
  const Tensor x = Tensor::from_vector<float>({1.0f, -2.7f, 65504.0f}, {3});
  Node cast = make_node("Cast", 1);
  cast.attrs["to"] = int_attr(static_cast<int64_t>(DataType::kInt32));
  EXPECT_EQ(values_of<int32_t>(run_node(cast, 13, {&x})), (std::vector<int32_t>{1, -2, 65504}));

  cast.attrs["to"] = int_attr(static_cast<int64_t>(DataType::kFloat16));
  const Tensor half = run_node(cast, 13, {&x});
  ASSERT_EQ(half.dtype(), DataType::kFloat16);
  const auto* bits = reinterpret_cast<const uint16_t*>(half.raw());
  EXPECT_EQ(bits[0], 0x3C00);  // 1.0
  EXPECT_EQ(bits[2], 0x7BFF);  // 65504, the largest half

  const Tensor like = Tensor::scalar<double>(0.0);
  const Tensor back = run_node(make_node("CastLike", 2), 15, {&half, &like});
  ASSERT_EQ(back.dtype(), DataType::kFloat64);
  EXPECT_EQ(back.data<double>()[0], 1.0);
  EXPECT_NEAR(back.data<double>()[1], -2.7, 1e-3);

  cast.attrs["to"] = int_attr(8);  // STRING
  EXPECT_EQ(error_of(cast, 13, {&x}), ErrorCode::kUnsupportedOp);
}

TEST(ElementwiseTest, BitShiftOnUnsignedOnly) {
  const Tensor x = Tensor::from_vector<uint8_t>({16, 4, 1}, {3});
  const Tensor s = Tensor::from_vector<uint8_t>({1, 2, 9}, {3});
  Node shift = make_node("BitShift", 2);
  shift.attrs["direction"] = string_attr("RIGHT");
  EXPECT_EQ(values_of<uint8_t>(run_node(shift, 11, {&x, &s})), (std::vector<uint8_t>{8, 1, 0}));
  shift.attrs["direction"] = string_attr("LEFT");
  EXPECT_EQ(values_of<uint8_t>(run_node(shift, 11, {&x, &s})), (std::vector<uint8_t>{32, 16, 0}));
  shift.attrs["direction"] = string_attr("UP");
  EXPECT_EQ(error_of(shift, 11, {&x, &s}), ErrorCode::kInvalidModel);
}

TEST(ElementwiseTest, MalformedInputsFail) {
  const Tensor f = Tensor::from_vector<float>({1, 2, 3}, {3});
  const Tensor g = Tensor::from_vector<float>({1, 2}, {2});
  const Tensor i = Tensor::from_vector<int32_t>({1, 2, 3}, {3});
  EXPECT_EQ(error_of(make_node("Add", 2), 14, {&f, &g}), ErrorCode::kInvalidModel);  // 3 vs 2 do not broadcast
  EXPECT_EQ(error_of(make_node("Mul", 2), 14, {&f, &i}), ErrorCode::kInvalidModel);  // mixed element types
  EXPECT_EQ(error_of(make_node("Sub", 2), 14, {&f, nullptr}), ErrorCode::kInvalidModel);
  EXPECT_EQ(error_of(make_node("Max", 0), 13, {}), ErrorCode::kInvalidModel);
}

}  // namespace
}  // namespace ptqc
